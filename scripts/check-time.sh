#!/usr/bin/env bash
# check-time.sh start|stop - time 'make check' for 'make bench':
#   start  note the time, and whether the run is cold (nothing built yet)
#   stop   add "DATE COMMIT cold|warm SECONDS" to build/state/check-times
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
		rm -f "$START"
		;;
	*) die "usage: $PROG start|stop" ;;
	esac
}

main "$@"
