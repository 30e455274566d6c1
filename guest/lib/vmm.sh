# shellcheck shell=sh
# What the nested tests share (guest/tests/vmm_nested_test.sh, group vmm,
# and guest/tests/smc_nested_test.sh, group smc), installed as
# /lib/bench/vmm.sh; source it after zpci.sh and nested.sh:
#
#   vmm_begin              the TAP header, the settings below, and a skip
#                          without the qmp-relay port or the nested QEMU
#   vmm_up                 functions 1 and 2 to vfio-pci, the nested guest
#                          up with the ism driver on both
#   save_snap, delta VAR   counter snapshots of both functions: the
#                          device's (c_<fid>_<name>, the outer QEMU's) and
#                          the nested QEMU's (g_<fid>_<name>)
#   plug_back FID LABEL    a removed function back in the nested guest
#   smc_nested             SMC-D in the nested guest, checked at the device
#   smc_unplug METHOD      SMC-D streams while the host removes their
#                          function (power or device_del)
#
# Environment: VMM_BOOT_TIMEOUT and VMM_DEADLINE seconds (900, 300),
# VMM_QEMU the QEMU to run (/nested/qemu-system-s390x).

# vmm_begin - see above
vmm_begin() {
	VMM_QEMU=${VMM_QEMU:-$NESTED/qemu-system-s390x}
	BOOT_TIMEOUT=${VMM_BOOT_TIMEOUT:-900}
	DEADLINE=${VMM_DEADLINE:-300}
	echo "TAP version 13"
	[ -n "$relay_port" ] || { echo "1..0 # SKIP no qmp-relay port"; exit 4; }
	[ -x "$VMM_QEMU" ] || { echo "1..0 # SKIP no nested QEMU at $VMM_QEMU"; exit 4; }
}

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

# vmm_up - functions 1 and 2 to vfio-pci, and the nested guest up with
# the ism driver on both; ends the test if the VMM does not start
vmm_up() {
	for f in 1 2; do
		if bind_vfio $f; then ok "fid $f bound to vfio-pci"; else nok "fid $f: cannot bind vfio-pci"; fi
	done
	t0=$(now)
	if start_nested "$VMM_QEMU" "nested.ism=2" 1 2; then
		ok "nested QEMU up, QMP ready"
	else
		nok "nested QEMU gave no QMP greeting"
		kill_nested
		done_tap
		exit
	fi
	if wait_nested "probed 2" "$BOOT_TIMEOUT"; then
		ok "nested guest booted in $(since "$t0") s, ism bound to both functions"
	else
		nok "nested guest: ism not bound to both functions: $(nested_line 'probed')"
	fi
}

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

# smc_verdict CMD OUT LABEL - wait for the nested guest's line "CMD done RC"
# at the end of an smc_test run, and report RC with the run's totals (from
# its output lines "OUT ...")
smc_verdict() {
	if nested_done "$1" $((DEADLINE * 3)); then
		ok "${3}smc_test passed in the nested guest: $(nested_line "$2 # Totals" | sed "s/^nested: $2 # //")"
	else
		nok "${3}smc_test in the nested guest: $(nested_line "$1 done") ($(nested_line "$2 # Totals"))"
	fi
}
# smc_nested - SMC-D, ISM's real user, in the nested guest: smc_test over
# lo on the two functions passed through (its own checks: byte-exact data
# both ways, every end in mode SMC-D on the diag, the fallbacks of its
# negative controls), and here, on the device, what the nested guest
# cannot see: the model moved at least the payload of its SMC-D runs and
# dropped nothing, and every store block of the nested guest (4 KiB
# chunks of DMB writes, CDC messages of odd length under relaxed
# alignment) reached the device as one PCI Store Block
smc_nested() {
	save_snap
	m0=$(ism_sum moves) b0=$(ism_sum move-bytes) d0=$(ism_sum moves-dropped)
	say_nested "smc"
	smc_verdict smc smc-out ""
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

# remove_fid METHOD FID - remove FID (METHOD as smc_unplug below) and write "rc=RC TIME"
# to "$W"/power.rc when done, TIME its uptime then
remove_fid() {
	case $1 in
	power)
		if echo 0 >"/sys/bus/pci/slots/$(printf %08x "$2")/power"; then r=0; else r=1; fi
		;;
	device_del)
		r=0
		case "$(qmp "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"ism$2\"}}")" in
		*return*) while ! gone "$2"; do sleep 1; done ;;
		*) r=1 ;;
		esac
		;;
	esac
	echo "rc=$r $(now)" >"$W"/power.rc
}
# smc_unplug METHOD - seed 004 with the real workload: SMC-D streams in
# the nested guest while the host removes the function that carries them
# (the one whose moves grow): METHOD power powers its slot off and plugs
# it back afterwards, METHOD device_del has the outer QEMU unplug it
# (QMP). The nested guest's streams break and are closed, the ism
# driver's remove completes, QEMU releases the function, and the removal
# completes within 2 s of that release; the bytes that arrived are the
# streams'; SMC-D works again on a function left, if any (smc_test's
# checks, in the nested guest)
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
	rm -f "$W"/power.rc
	# vmm-release sees QEMU hold both functions (its open vfio devices,
	# seen in /proc at once, where its QMP answers only after a round trip
	# through the nested TCG), let this one go, and the function leave
	# the bus (guest/bin/vmm-release.c); the removal's lag after the
	# release is at most its end (the slot power-off's return, or
	# device_del's function gone) less the last time QEMU was seen
	# holding the function
	bdf=$(bdf_of "$f")
	# shellcheck disable=SC2154 # qemu_pid is nested.sh's
	vmm-release "$qemu_pid" 2 "$bdf" "$DEADLINE" >"$W"/release.out 2>&1 &
	watch=$!
	if ! wait_for 10 grep -q '^watching' "$W"/release.out; then
		nok "smc-unplug $1: the VMM does not hold both functions: $(tr '\n' ' ' <"$W"/release.out)"
		kill "$watch" 2>/dev/null
		return
	fi
	t1=$(now)
	remove_fid "$1" $f &
	# remove_fid times the removal itself: a poll that forks little
	i=0
	while [ ! -s "$W"/power.rc ] && [ $i -lt "$DEADLINE" ]; do
		sleep 1
		i=$((i + 1))
	done
	if [ ! -s "$W"/power.rc ]; then
		nok "smc-unplug $1: the removal of fid $f under SMC-D did not complete within $DEADLINE s"
		stop_console
		done_tap
		report_hang "$1 of a function under SMC-D in the nested guest did not complete within $DEADLINE s"
	fi
	read -r rc t_off <"$W"/power.rc
	[ "$rc" = rc=0 ] || kill "$watch" 2>/dev/null
	wait "$watch"
	expect "smc-unplug $1: removal of fid $f under SMC-D" "rc=0" "$rc"
	t_seen=$(sed -n 's/^seen //p' "$W"/release.out)
	t_gone=$(sed -n 's/^gone //p' "$W"/release.out)
	[ "$1" = power ] || t_off=$t_gone
	if [ -z "$t_gone" ]; then
		nok "smc-unplug $1: no release of fid $f by QEMU seen: $(tr '\n' ' ' <"$W"/release.out)"
	elif lag=$(awk "BEGIN { printf \"%.2f\", $t_off - $t_seen }") && awk "BEGIN { exit !($lag <= 2) }"; then
		ok "smc-unplug $1: removal done $(awk "BEGIN { printf \"%.2f\", $t_off - $t1 }") s after it began, at most $lag s after QEMU released fid $f"
	else
		nok "smc-unplug $1: removal done up to $lag s after QEMU released fid $f (over 2 s)"
	fi
	smc_verdict smc-unplug smcu-out "smc-unplug $1: "
	if [ "$1" = power ]; then
		plug_back $f "smc-unplug $1"
	fi
}
