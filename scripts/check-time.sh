#!/usr/bin/env bash
# check-time.sh start|stop - time 'make check' for 'make bench' and for
# the table of its cost (scripts/cost-table.sh):
#   start  note the time, and whether the run is cold (nothing built yet)
#   stop   add "DATE COMMIT cold|warm SECONDS" to build/state/check-times,
#          and keep the seconds of every group (build/results/summary.txt)
#          and step (STEP_LOG, see record_step in lib.sh) of the run in
#          build/state/check-cost-cold or -warm
# Only a run that got to 'stop', a green one, is recorded.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

START=$BUILD/state/check-start
TIMES=$BUILD/state/check-times

main() {
	local kind t0 now commit

	mkdir -p "$BUILD/state"
	case "${1:-}" in
	start)
		kind=warm
		[ -e "$OUT/bzImage" ] || kind=cold
		echo "$(date +%s) $kind" >"$START"
		;;
	stop)
		[ -s "$START" ] || die "no 'start' recorded before 'stop'"
		read -r t0 kind <"$START"
		now=$(date +%s)
		commit=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
		printf '%s %s %s %d\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$commit" \
			"$kind" $((now - t0)) >>"$TIMES"
		{
			printf 'total %d %s %s\n' $((now - t0)) "$commit" "$(date -u +%Y-%m-%d)"
			awk '{ print "group", $1, $5 }' "$RESULTS/summary.txt" 2>/dev/null
			awk '{ print "step", $1, $2 }' "${STEP_LOG:-/dev/null}" 2>/dev/null
		} >"$BUILD/state/check-cost-$kind"
		rm -f "$START"
		;;
	*) die "usage: $PROG start|stop" ;;
	esac
}

main "$@"
