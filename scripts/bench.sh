#!/usr/bin/env bash
# bench.sh - run the benchmarks in three boots, judge each like a guest
# test, and write the report to results/ (scripts/bench-report.sh):
#
#   bench          guest/bench/zpci_bench.sh with BENCH_ISM ISM-like
#                  functions: data path, removal latency, parallel removal
#   bench-nodebug  the data path and the cost of a request again, on the
#                  kernel without lock debugging (build-kernel.sh nodebug)
#   bench-nested   guest/bench/vmm_bench.sh: a nested guest's store blocks
#                  through the QEMU series and through Debian's own QEMU,
#                  one boot per VMM (bench-nested-VMM), whose consoles
#                  together are bench-nested-console.log
#   bench-smc      guest/bench/smc_bench.sh on the ism-client kernel:
#                  SMC-D against TCP in the bench guest, in a nested guest
#                  through the QEMU series, and what Debian's QEMU does
#                  with the same ISM functions
#
# 'bench.sh nested' runs only the nested boots, and 'bench.sh smc' only the
# SMC-D boot; each reports with the consoles of the others from the last
# full run, and the report names that run's commit (build/results/
# bench-commit). 'bench.sh compare'
# runs the nested data path of the QEMU series against another version of
# it (scripts/build-alt-qemu.sh) in one boot, BENCH_COMPARE (default
# patched,alt,patched,alt) in turn; its console is
# build/results/bench-compare-console.log, and it writes no report.
#
# Knobs (environment): BENCH_MIB MiB per data path run (default 2) and
# BENCH_MAX_REQS requests at most (4096), BENCH_ROUNDS rounds of it (3), BENCH_CYCLES single-function removal
# cycles (50), BENCH_PAR_CYCLES cycles per parallel count (5), BENCH_ISM
# functions (20), BENCH_TIMEOUT seconds for each boot (1080),
# BENCH_NESTED_KIB KiB per length of the nested data path (64),
# SMC_BENCH_ROUNDS, SMC_BENCH_CONNS and SMC_BENCH_MIB for SMC-D (3, 16, 4).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# nested_boot NAME LIMIT VMMS EXTRA - one boot of the nested data path
# through the VMMs VMMS (comma-separated), with the VMM initramfs EXTRA
nested_boot() {
	need_file "$OUT/initramfs-nested.cpio.gz" "the nested guest (run 'make bench')"
	need_file "$4" "the initramfs of the VMMs to compare"
	log "booting the nested data path through $3 (console: build/results/bench-$1-console.log)"
	"$TOP/scripts/guest-test.sh" --name "bench-$1" --ism 1 --strict 1 --virtio 0 \
		--mem 2048 --extra "$OUT/initramfs-bench.cpio.gz" \
		--extra "$OUT/initramfs-nested.cpio.gz" --extra "$4" --timeout "$2" \
		--append "bench.suite=vmm_bench bench.timeout=$(($2 * 8 / 10)) BENCH_VMMS=$3 BENCH_NESTED_KIB=${BENCH_NESTED_KIB:-64}"
}

# nested_boots LIMIT - the nested data path, one boot per VMM (see
# guest/bench/vmm_bench.sh for why), the consoles joined for the report.
nested_boots() {
	local limit=$1 vmm

	: >"$RESULTS/bench-nested-console.log"
	for vmm in patched patched-bar stock; do
		nested_boot "nested-$vmm" "$limit" "$vmm" "$OUT/initramfs-stock-qemu.cpio.gz"
		cat "$RESULTS/bench-nested-$vmm-console.log" >>"$RESULTS/bench-nested-console.log"
	done
}

# smc_boot LIMIT - SMC-D in the bench guest and in a nested guest; twice
# LIMIT, as its nested guest boots twice and each phase may take a quarter
# of an hour
smc_boot() {
	local env

	need_file "$OUT/bzImage-ism-client" "the ism-client kernel (run 'make bench')"
	need_file "$OUT/initramfs-nested.cpio.gz" "the nested guest (run 'make bench')"
	env="SMC_BENCH_ROUNDS=${SMC_BENCH_ROUNDS:-3} SMC_BENCH_CONNS=${SMC_BENCH_CONNS:-16}"
	env="$env SMC_BENCH_MIB=${SMC_BENCH_MIB:-4}"
	log "booting SMC-D on the ism-client kernel (console: build/results/bench-smc-console.log)"
	"$TOP/scripts/guest-test.sh" --name bench-smc --kernel "$OUT/bzImage-ism-client" \
		--ism 2 --strict 0 --virtio 0 --mem 2048 \
		--extra "$OUT/initramfs-bench.cpio.gz" --extra "$OUT/initramfs-nested.cpio.gz" \
		--extra "$OUT/initramfs-stock-qemu.cpio.gz" --timeout "$(($1 * 2))" \
		--append "bench.suite=smc_bench bench.timeout=$(($1 * 16 / 10)) $env"
}

# report - the report of the last run of each boot (the SMC-D boot's only
# once it ran: 'bench.sh nested' after a run older than that boot)
report() {
	local -a smc=()

	[ -e "$RESULTS/bench-smc-console.log" ] && smc=("$RESULTS/bench-smc-console.log")
	"$TOP/scripts/bench-report.sh" "$RESULTS/bench-console.log" "$TOP/results" \
		"$RESULTS/bench-nodebug-console.log" "$RESULTS/bench-nested-console.log" \
		"${smc[@]}"
}

main() {
	local limit=${BENCH_TIMEOUT:-1080} env

	need_file "$OUT/bench/zpci_bench" "bench programs (run 'make bench')"
	need_file "$OUT/initramfs-bench.cpio.gz" "bench initramfs (run 'make bench')"
	if [ "${1:-}" = nested ]; then
		nested_boots "$limit"
		report
		return
	fi
	if [ "${1:-}" = smc ]; then
		smc_boot "$limit"
		report
		return
	fi
	if [ "${1:-}" = compare ]; then
		nested_boot compare "$((limit * 2))" "${BENCH_COMPARE:-patched,alt,patched,alt}" \
			"$OUT/initramfs-alt-qemu.cpio.gz"
		return
	fi
	# The commit the report names: the tree's as the run begins
	commit_id >"$RESULTS/bench-commit"
	env="BENCH_MIB=${BENCH_MIB:-2} BENCH_MAX_REQS=${BENCH_MAX_REQS:-4096}"
	env="$env BENCH_ROUNDS=${BENCH_ROUNDS:-3}"
	env="$env BENCH_CYCLES=${BENCH_CYCLES:-50} BENCH_PAR_CYCLES=${BENCH_PAR_CYCLES:-5}"
	log "booting the bench guest (up to $limit s; console: build/results/bench-console.log)"
	"$TOP/scripts/guest-test.sh" --name bench --ism "${BENCH_ISM:-20}" \
		--virtio 0 --extra "$OUT/initramfs-bench.cpio.gz" \
		--timeout "$limit" \
		--append "bench.suite=zpci_bench bench.timeout=$((limit * 8 / 10)) $env"

	need_file "$OUT/bzImage-nodebug" "kernel without lock debugging (run 'make bench')"
	log "booting the kernel without lock debugging (console: build/results/bench-nodebug-console.log)"
	"$TOP/scripts/guest-test.sh" --name bench-nodebug --kernel "$OUT/bzImage-nodebug" \
		--ism 1 --strict 0 --virtio 0 --extra "$OUT/initramfs-bench.cpio.gz" \
		--timeout "$limit" \
		--append "bench.suite=zpci_datapath_bench,zpci_region_cost bench.timeout=$((limit * 8 / 10)) $env"

	nested_boots "$limit"
	smc_boot "$limit"
	report
}

main "$@"
