#!/usr/bin/env bash
# bench.sh - run the benchmarks (guest/bench/zpci_bench.sh) in one boot
# with BENCH_ISM ISM-like functions, judge the run like a guest test, and
# write the report to results/ (scripts/bench-report.sh).
#
# Knobs (environment): BENCH_MIB MiB per data path run (default 2) and
# BENCH_MAX_REQS requests at most (4096), BENCH_ROUNDS rounds of it (3), BENCH_CYCLES single-function removal
# cycles (50), BENCH_PAR_CYCLES cycles per parallel count (5), BENCH_ISM
# functions (20), BENCH_TIMEOUT seconds for the whole boot (1080).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local limit=${BENCH_TIMEOUT:-1080} env

	need_file "$OUT/bench/zpci_bench" "bench programs (run 'make bench')"
	need_file "$OUT/initramfs-bench.cpio.gz" "bench initramfs (run 'make bench')"
	env="BENCH_MIB=${BENCH_MIB:-2} BENCH_MAX_REQS=${BENCH_MAX_REQS:-4096}"
	env="$env BENCH_ROUNDS=${BENCH_ROUNDS:-3}"
	env="$env BENCH_CYCLES=${BENCH_CYCLES:-50} BENCH_PAR_CYCLES=${BENCH_PAR_CYCLES:-5}"
	log "booting the bench guest (up to $limit s; console: build/results/bench-console.log)"
	"$TOP/scripts/guest-test.sh" --name bench --ism "${BENCH_ISM:-20}" \
		--virtio 0 --extra "$OUT/initramfs-bench.cpio.gz" \
		--timeout "$limit" \
		--append "bench.suite=zpci_bench bench.timeout=$((limit * 8 / 10)) $env"
	"$TOP/scripts/bench-report.sh" "$RESULTS/bench-console.log" "$TOP/results"
}

main "$@"
