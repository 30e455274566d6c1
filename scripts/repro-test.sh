#!/usr/bin/env bash
# repro-test.sh NAME - an expected failure: boot the kernel of reproducer
# NAME (patches/NAME on top of the series, or of ism-client for
# repro-smc; see REPROS in lib.sh) with the test that must catch it, and
# pass only if the run hangs and the hang is detected (hung-task report,
# the test's own deadline, or the guest's watchdog), or, for a bug that
# is no hang, if the test fails for the reason it gives for that bug (EXPECT_FAIL in verdict.sh). If a
# reproducer stops reproducing, its test has stopped catching the bug,
# and this fails.
#
#   repro       the 2021 proposal's zdev->state_lock in the region, the
#               deadlock of seed 004: the unplug stress test
#   repro-race  the region taking the device lock before memory_lock:
#               the race test's region and config write pair
#   repro-events  every zPCI event handled in kmcheck again, so that the
#               platform's removal of one function waits for the user of
#               another: zpci_event_test (group events-repro)
#   repro-smc   patches/repro-smc on top of the ism-client tree: SMC-D
#               without the fix of smc_smcd_terminate(), whose peer
#               shutdown ends the link groups of other peers too:
#               smc_peer_shutdown_test (group smc-repro)
#   vmm-repro   the kernel of repro with the vmm group's nested scenario:
#               seed 004 with QEMU as the VMM and the ism driver in its
#               guest (needs 'make nested')
#   mainline-stock  stock 7.3 (mainline-base) with the 7.3 series' BAR
#               access and events tests: each failure that the series
#               fixes (STOCK_FAILS) must show, and nothing else may fail
#               (needs 'make mainline-selftests')
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# The tests that fail on stock 7.3 and pass with the 7.3 series, by the
# patch that fixes them (docs/mainline-port.md): a function that is not
# ISM bound to ism-vfio-pci (15); no relaxed alignment in the group
# capability (10, 11); a busy function retried without bound (9, 14),
# every condition code and status as EIO (14), a load that reaches the
# device before the user's buffer faults (14), BAR access with memory
# disabled (13); the platform's removal of one function waiting for the
# user of another (17 to 19).
STOCK_FAILS="global.others_on_vfio_pci global.relaxed_as_the_device_says
bar.relaxed.group_capability bar.strict.busy bar.relaxed.busy
fault.cc2_busy.accesses fault.cc1_not_enabled.accesses
fault.cc1_error_state.accesses fault.cc1_blocked.accesses
fault.cc1_insufficient_resources.accesses
fault.cc1_invalid_address_space.accesses fault.cc1_not_available.accesses
fault.cc1_other_status.accesses fault.cc3_invalid_handle.accesses
bad.read_eio_before_efault.access bad.memory_off_store.access
bad.memory_off_block.access bad.memory_off_load.access
events.other_function_while_one_is_held"

main() {
	local name=${1:-} kernel=${1:-} suite what timeout=${REPRO_TIMEOUT:-150}
	local build='make repro'
	local -a funcs=(--ism 1 --virtio 0) expect=(EXPECT_HANG=1)

	case "$name" in
	repro)
		suite="bench.suite=zpci_unplug_stress_test ZPCI_STRESS_ONLY=power_off ZPCI_STRESS_CYCLES=2"
		what="the 2021 deadlock of seed 004"
		;;
	repro-race)
		suite="bench.suite=zpci_race_test ZPCI_RACE_ONLY=region__config"
		what="the region's device lock before memory_lock"
		;;
	repro-events)
		name=events-repro
		suite="bench.suite=zpci_event_test"
		what="the wait of every zPCI event for the user of one function"
		funcs=(--ism 2 --strict 1 --virtio 0)
		expect=(EXPECT_FAIL='events\.other_function_while_one_is_held|zpci_event_test'
			REPRO_WHY='not gone [0-9]+ ms after its deconfiguration request')
		;;
	repro-smc)
		name=smc-repro
		suite="bench.suite=smc_peer_shutdown_test"
		what="SMC-D's peer shutdown ending the link groups of other peers"
		funcs=(--ism 3 --virtio 0)
		expect=(EXPECT_FAIL="smc_peer_shutdown_test|Z->Y: ended by X's SHUTDOWN event"
			REPRO_WHY="Z->Y: ended by X's SHUTDOWN event")
		;;
	vmm-repro)
		kernel=repro
		suite="bench.suite=vmm_nested_test VMM_ONLY=power_off VMM_DEADLINE=60"
		what="the 2021 deadlock of seed 004, with QEMU as the VMM"
		need_file "$OUT/initramfs-nested.cpio.gz" "the nested guest (run 'make nested')"
		funcs=(--ism 2 --strict 0 --virtio 0 --mem 2048
			--extra "$OUT/initramfs-nested.cpio.gz")
		timeout=${REPRO_TIMEOUT:-900}
		;;
	mainline-stock)
		kernel=mainline-base build='make kernel-mainline-base'
		suite="bench.suite=zpci_ism_bar_test,zpci_event_test"
		what="the failures of stock 7.3 that the 7.3 series fixes"
		need_file "$OUT/initramfs-mainline.cpio.gz" "the 7.3 selftests (run 'make mainline-selftests')"
		funcs=(--ism 2 --strict 1 --virtio 1 --extra "$OUT/initramfs-mainline.cpio.gz")
		# The programs' own lines fail with their tests
		expect=(EXPECT_EACH="$STOCK_FAILS"
			EXPECT_FAIL='selftests: drivers/s390x/zpci: zpci_(ism_bar|event)_test'
			REPRO_WHY='Expected 0 \(0\) == c1\.stb - c0\.stb \(1\)')
		timeout=${REPRO_TIMEOUT:-900}
		;;
	*) die "usage: $PROG ${REPROS[*]// /|}|vmm-repro|mainline-stock" ;;
	esac
	need_file "$OUT/bzImage-$kernel" "reproducer kernel (run '$build')"
	# build/results/NAME-console.log and NAME.tap
	env "${expect[@]}" REPRO_WHAT="$what" "$TOP/scripts/guest-test.sh" --name "$name" \
		--kernel "$OUT/bzImage-$kernel" "${funcs[@]}" \
		--append "$suite" --timeout "$timeout"
}

main "$@"
