#!/usr/bin/env bash
# repro-test.sh - the expected failure: boot the reproducer kernel
# (patches/repro: the zPCI I/O region of the 2021 proposal, which takes
# zdev->state_lock) with the unplug stress test, and pass only if the run
# hangs and the hang is detected (hung-task report, the test's own
# deadline, or the guest's watchdog). If the reproducer stops reproducing,
# the stress test has stopped catching the deadlock, and this fails.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local logf=$RESULTS/repro-console.log

	"$TOP/scripts/run-guest.sh" --kernel "$OUT/bzImage-repro" --ism 1 --virtio 0 \
		--append "bench.suite=zpci_unplug_stress_test ZPCI_STRESS_ONLY=power_off ZPCI_STRESS_CYCLES=2" \
		--timeout "${REPRO_TIMEOUT:-120}" --log "$logf" || true
	EXPECT_HANG=1 "$TOP/scripts/verdict.sh" "$logf" "$RESULTS/repro.tap"
}

main "$@"
