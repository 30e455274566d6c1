#!/usr/bin/env bash
# check.sh -- CMD... - 'make check' around its steps: CMD runs the test
# groups (make check-steps, each group recorded by record.sh), then this
# waits for the background builds (prebuild.sh), records the time of a
# green run (check-time.sh) and ends with the summary of every group, whose
# last line is the total "N passed, N failed". A step of CMD that failed
# outside a group (a build) counts as a failed group "make". Exits non-zero
# if anything failed.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local rc=0 verdict=0 S=$TOP/scripts

	if [ "${1:-}" != -- ] || [ $# -lt 2 ]; then
		die "usage: $PROG -- CMD..."
	fi
	shift
	mkdir -p "$RESULTS" "$BUILD/state"
	rm -f "$RESULTS/summary.txt"
	export STEP_LOG=$BUILD/state/check-steps
	: >"$STEP_LOG"
	"$S/check-time.sh" start
	"$@" || rc=$?
	"$S/prebuild.sh" wait
	[ "$rc" = 0 ] || printf 'make 0 1 %s 0\n' "$rc" >>"$RESULTS/summary.txt"
	"$S/summary.sh" "$RESULTS/summary.txt" >"$RESULTS/summary.out" || verdict=$?
	[ "$verdict" != 0 ] || "$S/check-time.sh" stop
	cat "$RESULTS/summary.out"
	return "$verdict"
}

main "$@"
