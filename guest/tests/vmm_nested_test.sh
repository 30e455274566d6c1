#!/bin/sh
# The real VMM on the branch: QEMU (patches/qemu, built for s390x) runs in
# this guest, the host of the scenario, and passes the ISM-like functions
# with fids 1 and 2 through to a nested guest by vfio-pci, with the zPCI
# I/O region. The nested guest runs Linux's ism driver and the test client
# ism_modeltest (guest/nested/init). Seed 004 with its real actors: the
# host powers a slot off while the nested guest does I/O, QEMU gets vfio's
# request and has its guest deconfigure the function, the nested ism
# driver's remove sends its unregister commands through the region, and
# QEMU releases the function.
#
# The device's counters (the outer QEMU's, through the qmp-relay port)
# and the nested QEMU's own (its QMP) show that every store block of the
# nested guest reaches the device as one PCI Store Block. Prints TAP;
# the nested guest's console goes along as "# nested-console: " lines, so
# the verdict reads its reports too.
#
# A power-off that does not complete within the deadline is a hang: the
# test reports it and reboots the guest (report_hang).
#
# Environment: VMM_CYCLES power-off cycles (3), VMM_DEVICE_DEL=0 to skip
# the QMP device_del of the outer QEMU, VMM_ONLY=power_off for one
# power-off cycle and nothing else after the probe (the reproducer), and
# those of guest/lib/vmm.sh. SMC-D through the same chain is the smc
# group's guest/tests/smc_nested_test.sh.
# shellcheck source=guest/lib/zpci.sh
. /lib/bench/zpci.sh
# shellcheck source=guest/lib/nested.sh
. /lib/bench/nested.sh
# shellcheck source=guest/lib/vmm.sh
. /lib/bench/vmm.sh

CYCLES=${VMM_CYCLES:-3}
ONLY=${VMM_ONLY:-}
if [ "$ONLY" = power_off ]; then
	CYCLES=1
	VMM_DEVICE_DEL=0
fi
vmm_begin

# 1. Both functions to vfio-pci, and the nested guest up with ism on both
vmm_up

# 2. The ism driver's probe, seen at the device: 5 commands in 8 store
#    blocks of 72 bytes per function, as on the bench guest itself (the
#    ism group), each one guest store block
for f in 1 2; do
	snap $f
	eval "expect 'fid $f: probe commands at the device' 5 \$c_${f}_cmd"
	eval "expect 'fid $f: no failed command' 0 \$c_${f}_err"
	eval "expect 'fid $f: probe store blocks at the device' 8/72 \$c_${f}_stb/\$c_${f}_stbb"
	eval "expect 'fid $f: store blocks issued by the nested guest' 8/72 \$g_${f}_stb/\$g_${f}_stbb"
done

# 3. ism_modeltest in the nested guest: moves between the two functions,
#    interrupts, events; every guest store block and load once at the device
modeltest() {
	save_snap
	say_nested "run moves"
	if wait_nested 'done' "$DEADLINE" && [ "$(nested_line 'done')" = "nested: done 0" ]; then
		ok "ism_modeltest passed in the nested guest"
	else
		nok "ism_modeltest in the nested guest: $(nested_line 'done')"
	fi
	errs=0
	for f in 1 2; do
		snap $f
		expect "fid $f: modeltest store blocks, nested guest = device" \
			"$(delta g_${f}_stb)/$(delta g_${f}_stbb)" "$(delta c_${f}_stb)/$(delta c_${f}_stbb)"
		expect "fid $f: modeltest loads, nested guest = device" \
			"$(delta g_${f}_lg)" "$(delta c_${f}_lg)"
		errs=$((errs + $(delta c_${f}_err)))
	done
	# The nested kernel has SMC, so ism_modeltest also tries the SMC-D
	# operations of the driver, four of them meant to fail (QUERY_RGID
	# of a stranger and on a VLAN it is not on, SIGNAL_IEQ to a stranger,
	# DEL_VLAN_ID twice), each checked for its return code in the guest
	expect "failed commands at the device: the 4 meant to fail" 4 "$errs"
}
[ -z "$ONLY" ] && modeltest

# 4. Slot power-off on the host while the nested guest moves data on the
#    other function: the nested ism driver's remove sends its 3 commands
#    (4 store blocks, 32 bytes) and QEMU releases the function; then the
#    slot comes back and QEMU plugs the function again
for c in $(seq "$CYCLES"); do
	say_nested "loop self 0x2"
	wait_nested "loop 1 0" "$DEADLINE" || nok "cycle $c: no I/O on fid 2: $(nested_line loop)"
	save_snap
	t1=$(now)
	remove_fid power 1 &
	if wait_for "$DEADLINE" slot_off 1 && wait_for 10 test -s $W/power.rc; then
		ok "cycle $c: power-off with the nested guest's I/O running done in $(since "$t1") s"
	else
		nok "cycle $c: power-off did not complete within $DEADLINE s"
		stop_console
		done_tap
		report_hang "slot power-off with a nested VMM did not complete within $DEADLINE s"
	fi
	rm -f $W/power.rc
	snap 1
	expect "cycle $c: the nested remove's commands at the device" 3 "$(delta c_1_cmd)"
	expect "cycle $c: ... as 4 store blocks of 32 bytes" 4/32 "$(delta c_1_stb)/$(delta c_1_stbb)"
	expect "cycle $c: no failed command" 0 "$(delta c_1_err)"
	if wait_for 30 not_in_nested_qemu hd1; then ok "cycle $c: QEMU released fid 1"; else nok "cycle $c: fid 1 still in QEMU"; fi
	say_nested "stop"
	if wait_nested "stopped" "$DEADLINE" && ! nested_line "loop" | grep -qv " 0$"; then
		ok "cycle $c: fid 2's I/O went on without an error"
	else
		nok "cycle $c: fid 2's I/O: $(nested_line loop)"
	fi

	plug_back 1 "cycle $c"
done

# 5. QMP device_del of fid 2 on the outer QEMU: the host's deconfiguration
#    request (kmcheck), vfio's request to the nested QEMU, the nested
#    guest's shutdown, all within the deadline
if [ "${VMM_DEVICE_DEL:-1}" = 1 ]; then
	say_nested "loop self 0x1"
	wait_nested "loop 1 0" "$DEADLINE" || nok "device_del: no I/O on fid 1"
	reply=$(qmp '{"execute":"device_del","arguments":{"id":"ism2"}}')
	case "$reply" in *return*) ok "device_del ism2 accepted" ;; *) nok "device_del: $reply" ;; esac
	if wait_for "$DEADLINE" gone 2; then ok "device_del: fid 2 gone from the host"; else nok "device_del: fid 2 still on the host"; fi
	if wait_for 30 not_in_nested_qemu hd2; then ok "device_del: QEMU released fid 2"; else nok "device_del: fid 2 still in QEMU"; fi
	say_nested "stop"
	wait_nested "stopped" "$DEADLINE" || nok "device_del: the nested loop does not stop"
fi

# 6. Power the nested guest off
if stop_nested; then ok "the nested guest powered off"; else nok "the nested guest did not power off"; fi
done_tap
