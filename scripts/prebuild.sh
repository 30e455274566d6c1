#!/usr/bin/env bash
# prebuild.sh start|wait - run 'make prebuild', the builds of the later
# groups of 'make check', in the background at the lowest CPU priority,
# while the earlier groups run their guests, which leave a CPU idle much
# of the time. Its output goes to build/logs/prebuild.log.
#   start  start it, unless PREBUILD=0 or one is still running
#   wait   wait for it to end; report if it failed
# Each group still builds what it needs (lock_step in lib.sh makes it wait
# for the same build in progress, and then finds it done), so a build that
# failed here fails again there, with its reason, in the group's place.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

PIDF=$BUILD/state/prebuild.pid
RCF=$BUILD/state/prebuild.rc
LOGF=$BUILD/logs/prebuild.log

running() {
	[ -s "$PIDF" ] && kill -0 "$(cat "$PIDF")" 2>/dev/null
}

main() {
	case "${1:-}" in
	start)
		[ "${PREBUILD:-1}" = 1 ] || return 0
		running && return 0
		mkdir -p "$BUILD/state" "$BUILD/logs"
		rm -f "$RCF"
		# Not a job of this make: its own make, away from make's pipes
		(
			rc=0
			renice -n 19 -p "$BASHPID" >/dev/null
			top_make prebuild >"$LOGF" 2>&1 || rc=$?
			echo "$rc" >"$RCF"
		) </dev/null >/dev/null 2>&1 &
		echo $! >"$PIDF"
		log "building the later groups' needs in the background (log: ${LOGF#"$TOP"/})"
		;;
	wait)
		[ -s "$PIDF" ] || return 0
		while running; do
			sleep 2
		done
		rm -f "$PIDF"
		[ "$(cat "$RCF" 2>/dev/null)" = 0 ] ||
			warn "the background prebuild failed (log: ${LOGF#"$TOP"/}); the groups built for themselves"
		;;
	*) die "usage: $PROG start|wait" ;;
	esac
}

main "$@"
