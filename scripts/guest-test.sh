#!/usr/bin/env bash
# guest-test.sh [--name NAME] [run-guest.sh OPTIONS] - boot the guest with
# the suite and judge the run, then print "N passed, N failed". Fails if
# the guest or the verdict fails.
#
# The console and TAP go to build/results/console.log and results.tap, or
# with --name to NAME-console.log and NAME.tap.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local status=0 console=$RESULTS/console.log tap=$RESULTS/results.tap

	if [ "${1:-}" = --name ]; then
		console=$RESULTS/$2-console.log
		tap=$RESULTS/$2.tap
		shift 2
	fi
	"$TOP/scripts/run-guest.sh" --log "$console" "$@" || status=$?
	GUEST_STATUS=$status "$TOP/scripts/verdict.sh" "$console" "$tap"
}

main "$@"
