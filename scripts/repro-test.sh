#!/usr/bin/env bash
# repro-test.sh NAME - an expected failure: boot the kernel of reproducer
# NAME (patches/NAME on top of the series, see REPROS in lib.sh) with the
# test that must catch it, and pass only if the run hangs and the hang is
# detected (hung-task report, the test's own deadline, or the guest's
# watchdog). If a reproducer stops reproducing, its test has stopped
# catching the deadlock, and this fails.
#
#   repro       the 2021 proposal's zdev->state_lock in the region, the
#               deadlock of seed 004: the unplug stress test
#   repro-race  the region taking the device lock before memory_lock:
#               the race test's region and config write pair
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local name=${1:-} suite what

	case "$name" in
	repro)
		suite="bench.suite=zpci_unplug_stress_test ZPCI_STRESS_ONLY=power_off ZPCI_STRESS_CYCLES=2"
		what="the 2021 deadlock of seed 004"
		;;
	repro-race)
		suite="bench.suite=zpci_race_test ZPCI_RACE_ONLY=region__config"
		what="the region's device lock before memory_lock"
		;;
	*) die "usage: $PROG ${REPROS[*]// /|}" ;;
	esac
	need_file "$OUT/bzImage-$name" "reproducer kernel (run 'make repro')"
	# build/results/NAME-console.log and NAME.tap
	EXPECT_HANG=1 REPRO_WHAT=$what "$TOP/scripts/guest-test.sh" --name "$name" \
		--kernel "$OUT/bzImage-$name" --ism 1 --virtio 0 \
		--append "$suite" --timeout "${REPRO_TIMEOUT:-150}"
}

main "$@"
