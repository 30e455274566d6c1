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
	# build/results/repro-console.log and repro.tap
	EXPECT_HANG=1 "$TOP/scripts/guest-test.sh" --name repro \
		--kernel "$OUT/bzImage-repro" --ism 1 --virtio 0 \
		--append "bench.suite=zpci_unplug_stress_test ZPCI_STRESS_ONLY=power_off ZPCI_STRESS_CYCLES=2" \
		--timeout "${REPRO_TIMEOUT:-120}"
}

main "$@"
