#!/usr/bin/env bash
# guest-test.sh [run-guest.sh OPTIONS] - boot the guest with the suite and
# judge the run: build/results/console.log and results.tap, then the line
# "N passed, N failed". Fails if the guest or the verdict fails.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local status=0

	"$TOP/scripts/run-guest.sh" "$@" || status=$?
	GUEST_STATUS=$status "$TOP/scripts/verdict.sh" "$RESULTS/console.log" \
		"$RESULTS/results.tap"
}

main "$@"
