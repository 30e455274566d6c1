#!/usr/bin/env bash
# record.sh NAME -- CMD... - run one test group, keep its output in
# build/results/NAME.log and add its counts and its time in seconds to
# build/results/summary.txt.
#
# The counts come from the group's last "N passed, N failed" line; a group
# that exits non-zero without failures counts as one failure. With
# KEEP_GOING=1 (set by 'make check') a failed group does not stop make:
# scripts/summary.sh gives the verdict at the end.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local name=${1:-} rc=0 line passed=0 failed=0 t0=$SECONDS

	[ "${2:-}" = -- ] || die "usage: $PROG NAME -- CMD..."
	shift 2
	mkdir -p "$RESULTS"
	"$@" 2>&1 | tee "$RESULTS/$name.log" || rc=$?
	line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$RESULTS/$name.log" | tail -n 1 || true)
	if [ -n "$line" ]; then
		passed=$(sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed.*/\2/' <<<"$line")
		failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	fi
	[ "$rc" = 0 ] || [ "$failed" != 0 ] || failed=1
	printf '%s %s %s %s %s\n' "$name" "$passed" "$failed" "$rc" \
		$((SECONDS - t0)) >>"$RESULTS/summary.txt"
	[ "${KEEP_GOING:-0}" = 1 ] && return 0
	return "$rc"
}

main "$@"
