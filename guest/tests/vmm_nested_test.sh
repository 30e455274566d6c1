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
# Environment: VMM_CYCLES power-off cycles (3), VMM_BOOT_TIMEOUT and
# VMM_DEADLINE seconds (900, 300), VMM_QEMU the QEMU to run
# (/nested/qemu-system-s390x), VMM_DEVICE_DEL=0 to skip the QMP
# device_del of the outer QEMU, VMM_ONLY=power_off for one power-off
# cycle and nothing else after the probe (the reproducer).
# shellcheck source=guest/lib/zpci.sh
. /lib/bench/zpci.sh
# shellcheck source=guest/lib/nested.sh
. /lib/bench/nested.sh

VMM_QEMU=${VMM_QEMU:-$NESTED/qemu-system-s390x}
CYCLES=${VMM_CYCLES:-3}
BOOT_TIMEOUT=${VMM_BOOT_TIMEOUT:-900}
DEADLINE=${VMM_DEADLINE:-300}
ONLY=${VMM_ONLY:-}
if [ "$ONLY" = power_off ]; then
	CYCLES=1
	VMM_DEVICE_DEL=0
fi

echo "TAP version 13"
[ -n "$relay_port" ] || { echo "1..0 # SKIP no qmp-relay port"; exit 4; }
[ -x "$VMM_QEMU" ] || { echo "1..0 # SKIP no nested QEMU at $VMM_QEMU"; exit 4; }

# Counter snapshots: c_<fid>_<name> from the device (outer QEMU), g_<fid>_<name>
# from the nested QEMU (what its guest issued)
snap() { # FID
	eval "c_$1_cmd=$(qom "ism$1" commands) c_$1_err=$(qom "ism$1" command-errors)"
	eval "c_$1_stb=$(qom "zpci$1" pcistb-count) c_$1_stbb=$(qom "zpci$1" pcistb-bytes)"
	eval "c_$1_lg=$(qom "zpci$1" pcilg-count)"
	eval "g_$1_stb=$(qom_get iqmp "/machine/peripheral/izpci$1" pcistb-count)"
	eval "g_$1_stbb=$(qom_get iqmp "/machine/peripheral/izpci$1" pcistb-bytes)"
	eval "g_$1_lg=$(qom_get iqmp "/machine/peripheral/izpci$1" pcilg-count)"
}
# save_snap takes snapshots of both functions as o_<variable>; delta VAR
# is the change of VAR since then
save_snap() {
	for f in 1 2; do
		snap $f
		for v in c_${f}_cmd c_${f}_err c_${f}_stb c_${f}_stbb c_${f}_lg \
			g_${f}_stb g_${f}_stbb g_${f}_lg; do
			eval "o_$v=\${$v:-0}"
		done
	done
}
delta() { eval "echo \$((\${$1:-0} - \$o_$1))"; }

slot_off() { [ "$(cat "/sys/bus/pci/slots/$(printf %08x "$1")/power")" = 0 ]; }

# 1. Both functions to vfio-pci, and the nested guest up with ism on both
for f in 1 2; do
	if bind_vfio $f; then ok "fid $f bound to vfio-pci"; else nok "fid $f: cannot bind vfio-pci"; fi
done
t0=$(cut -d' ' -f1 /proc/uptime)
if start_nested "$VMM_QEMU" "nested.ism=2" 1 2; then
	ok "nested QEMU up, QMP ready"
else
	nok "nested QEMU gave no QMP greeting"
	kill_nested
	done_tap
	exit
fi
if wait_nested "probed 2" "$BOOT_TIMEOUT"; then
	ok "nested guest booted in $(awk "BEGIN { print $(cut -d' ' -f1 /proc/uptime) - $t0 }") s, ism bound to both functions"
else
	nok "nested guest: ism not bound to both functions: $(nested_line 'probed')"
fi

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

# plug_back FID LABEL - the slot of FID powered on again, the function
# bound to vfio-pci and plugged into QEMU, and probed by the nested ism
# driver again (its commands counted from before the plug: the probe may
# be done before the plug's QMP command returns)
plug_back() {
	save_snap
	echo 1 >"/sys/bus/pci/slots/$(printf %08x "$1")/power"
	if wait_for 60 bdf_of "$1" >/dev/null && bind_vfio "$1" && iqmp_add "$1"; then
		ok "$2: fid $1 back and plugged into QEMU again"
	else
		nok "$2: fid $1 not back"
	fi
	say_nested "state"
	i=0
	while ! wait_nested "state 2 bound" 5 && [ $i -lt $((DEADLINE / 5)) ]; do
		say_nested "state"
		i=$((i + 1))
	done
	snap "$1"
	expect "$2: ism probed fid $1 again in the nested guest" "nested: state 2 bound" "$(nested_line 'state ')"
	expect "$2: probe commands at the device" 5 "$(delta "c_${1}_cmd")"
}

now() { cut -d' ' -f1 /proc/uptime; }
since() { awk "BEGIN { printf \"%.2f\", $(now) - $1 }"; }

# 4. Slot power-off on the host while the nested guest moves data on the
#    other function: the nested ism driver's remove sends its 3 commands
#    (4 store blocks, 32 bytes) and QEMU releases the function; then the
#    slot comes back and QEMU plugs the function again
for c in $(seq "$CYCLES"); do
	say_nested "loop self 0x2"
	wait_nested "loop 1 0" "$DEADLINE" || nok "cycle $c: no I/O on fid 2: $(nested_line loop)"
	save_snap
	t1=$(cut -d' ' -f1 /proc/uptime)
	(
		if echo 0 >/sys/bus/pci/slots/00000001/power; then r=0; else r=1; fi
		echo "rc=$r" >$W/power.rc
	) &
	if wait_for "$DEADLINE" slot_off 1 && wait_for 10 test -s $W/power.rc; then
		ok "cycle $c: power-off with the nested guest's I/O running done in $(awk "BEGIN { print $(cut -d' ' -f1 /proc/uptime) - $t1 }") s"
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

# 5. SMC-D, ISM's real user, in the nested guest: smc_test over lo on the
#     two functions passed through (its own checks: byte-exact data both
#     ways, every end in mode SMC-D on the diag, the fallbacks of its
#     negative controls), and here, on the device, what the nested guest
#     cannot see: the model moved at least the payload of its SMC-D runs
#     and dropped nothing, and every store block of the nested guest
#     (4 KiB chunks of DMB writes, CDC messages of odd length under
#     relaxed alignment) reached the device as one PCI Store Block
# smc_verdict DONE OUT LABEL - wait for the nested guest's line "DONE RC"
# at the end of an smc_test run, and report RC with the run's totals (from
# its output lines "OUT ...")
smc_verdict() {
	if wait_nested "$1" $((DEADLINE * 3)) && [ "$(nested_line "$1")" = "nested: $1 0" ]; then
		ok "${3}smc_test passed in the nested guest: $(nested_line "$2 # Totals" | sed "s/^nested: $2 # //")"
	else
		nok "${3}smc_test in the nested guest: $(nested_line "$1") ($(nested_line "$2 # Totals"))"
	fi
}
# ism_sum PROP - the model's counter PROP, of both functions together
ism_sum() { qom_sum "$1" ism1 ism2; }
smc_nested() {
	save_snap
	m0=$(ism_sum moves) b0=$(ism_sum move-bytes) d0=$(ism_sum moves-dropped)
	say_nested "smc"
	smc_verdict "smc done" smc-out ""
	# The payload of the SMC-D runs, as smc_test printed it
	payload=$(nested_log | grep -E '^nested: smc-out # (smcd|rebound): payload [0-9]+ bytes$' |
		awk '{ s += $(NF - 1) } END { print s + 0 }')
	m1=$(ism_sum moves) b1=$(ism_sum move-bytes) d1=$(ism_sum moves-dropped)
	if [ "$payload" -gt 0 ] && [ $((b1 - b0)) -ge "$payload" ]; then
		ok "device: SMC-D moved $((b1 - b0)) bytes in $((m1 - m0)) moves for a payload of $payload bytes"
	else
		nok "device: SMC-D moved $((b1 - b0)) bytes in $((m1 - m0)) moves for a payload of $payload bytes"
	fi
	expect "device: no move dropped" 0 $((d1 - d0))
	for f in 1 2; do
		snap $f
		expect "fid $f: SMC-D store blocks, nested guest = device" \
			"$(delta g_${f}_stb)/$(delta g_${f}_stbb)" "$(delta c_${f}_stb)/$(delta c_${f}_stbb)"
		expect "fid $f: no failed command" 0 "$(delta c_${f}_err)"
	done
}
[ -z "$ONLY" ] && smc_nested

# 6. Seed 004 with the real workload: SMC-D streams in the nested guest
#     while the host removes the function that carries them (the one
#     whose moves grow): METHOD power powers its slot off and plugs it
#     back afterwards, METHOD device_del has the outer QEMU unplug it
#     (QMP). The nested guest's streams break and are closed, the ism
#     driver's remove completes, QEMU releases the function, and the
#     removal completes within 2 s of that release; the bytes that arrived
#     are the streams'; SMC-D works again on a function left, if any
#     (smc_test's checks, in the nested guest). After the power-off
#     cycles, whose command counts SMC's idle link groups would change
#
# remove_fid METHOD FID - remove FID (see above) and write "rc=RC TIME"
# to $W/power.rc when done, TIME its uptime then
remove_fid() {
	case $1 in
	power)
		if echo 0 >"/sys/bus/pci/slots/$(printf %08x "$2")/power"; then r=0; else r=1; fi
		;;
	device_del)
		r=0
		case "$(qmp "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"ism$2\"}}")" in
		*return*) while ! gone "$2"; do sleep 0.2 2>/dev/null || sleep 1; done ;;
		*) r=1 ;;
		esac
		;;
	esac
	echo "rc=$r $(now)" >$W/power.rc
}
smc_unplug() { # METHOD
	say_nested "smc-unplug"
	if ! wait_nested "smcu-out # streaming" $((DEADLINE * 3)); then
		nok "smc-unplug $1: the nested guest's streams did not start: $(nested_line 'smcu-out not ok')"
		return
	fi
	a1=$(qom ism1 moves) a2=$(qom ism2 moves)
	sleep 3
	b1=$(qom ism1 moves) b2=$(qom ism2 moves)
	if [ "$b1" -gt "$a1" ] && [ "$b2" = "$a2" ]; then
		f=1
	elif [ "$b2" -gt "$a2" ] && [ "$b1" = "$a1" ]; then
		f=2
	else
		nok "smc-unplug $1: the streams' function: moves of fid 1 $a1 -> $b1, fid 2 $a2 -> $b2"
		return
	fi
	ok "smc-unplug $1: the streams run on fid $f ($((${b1:-0} - ${a1:-0} + ${b2:-0} - ${a2:-0})) moves in 3 s)"
	rm -f $W/power.rc
	t1=$(now)
	remove_fid "$1" $f &
	# t_seen: the last time QEMU was seen holding the function, before
	# its release; the power-off's lag after the release is at most
	# t_off - t_seen
	t_seen=$t1 released=
	while [ ! -s $W/power.rc ] && [ "$(since "$t1" | cut -d. -f1)" -lt "$DEADLINE" ]; do
		if [ -z "$released" ]; then
			t=$(now)
			if in_nested_qemu "hd$f"; then t_seen=$t; else released=1; fi
		fi
		sleep 0.2 2>/dev/null || sleep 1
	done
	if [ ! -s $W/power.rc ]; then
		nok "smc-unplug $1: the removal of fid $f under SMC-D did not complete within $DEADLINE s"
		stop_console
		done_tap
		report_hang "$1 of a function under SMC-D in the nested guest did not complete within $DEADLINE s"
	fi
	read -r rc t_off <$W/power.rc
	expect "smc-unplug $1: removal of fid $f under SMC-D" "rc=0" "$rc"
	lag=$(awk "BEGIN { printf \"%.2f\", $t_off - $t_seen }")
	if awk "BEGIN { exit !($lag <= 2) }"; then
		ok "smc-unplug $1: removal done $(awk "BEGIN { printf \"%.2f\", $t_off - $t1 }") s after it began, at most $lag s after QEMU released fid $f"
	else
		nok "smc-unplug $1: removal done up to $lag s after QEMU released fid $f (over 2 s)"
	fi
	smc_verdict "smc-unplug done" smcu-out "smc-unplug $1: "
	if [ "$1" = power ]; then
		plug_back $f "smc-unplug $1"
	fi
}
[ -z "$ONLY" ] && smc_unplug power

# 7. QMP device_del of fid 2 on the outer QEMU: the host's deconfiguration
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

# 8. Once more through the outer QEMU's device_del, on fid 1, the one left
[ -z "$ONLY" ] && [ "${VMM_DEVICE_DEL:-1}" = 1 ] && smc_unplug device_del

# 9. Power the nested guest off
if stop_nested; then ok "the nested guest powered off"; else nok "the nested guest did not power off"; fi
done_tap
