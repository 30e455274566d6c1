#!/bin/sh
# Linux's ism driver on QEMU's ISM model (s390-ism-test), on the kernel
# with patches/ism-client: the driver binds to every ISM-like function and
# its probe, unbind/bind, slot power-off and on, recover and QMP
# device_del issue exactly the commands (store blocks to BAR 2, counted by
# the device through QMP) that ism_drv.c sends; none fails; and the test
# client of the ism client API (ism_modeltest) moves data between the two
# functions byte-exact, with interrupts and events. Needs the functions
# with fids 1 and 2 in one CHID and the qmp-relay port. Prints TAP; skips
# on a kernel without the ism driver or the client.
# shellcheck source=guest/lib/zpci.sh
. /lib/bench/zpci.sh
# snap N: counters of function N into variables c_<name>
snap() {
	c_cmd=$(qom "ism$1" commands)
	c_err=$(qom "ism$1" command-errors)
	c_stb=$(qom "zpci$1" pcistb-count)
	c_stbb=$(qom "zpci$1" pcistb-bytes)
	c_irq=$(qom "ism$1" interrupts)
}

echo "TAP version 13"
[ -n "$relay_port" ] || { echo "1..0 # SKIP no qmp-relay port"; exit 4; }

# 1. The driver bound to every ISM function at boot
nism=0
nbound=0
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1014:0x04ed ] || continue
	nism=$((nism + 1))
	[ "$(driver_of "${d##*/}")" = ism ] && nbound=$((nbound + 1))
done
expect "ism bound to every ISM function" "$nism" "$nbound"

# 2. What probe did, seen from the device: 5 commands, none failed
for f in 1 2; do
	snap $f
	expect "fid $f: probe commands" 5 "$c_cmd"
	expect "fid $f: no failed command" 0 "$c_err"
	expect "fid $f: probe store blocks" 8 "$c_stb"
	expect "fid $f: probe store block bytes" 72 "$c_stbb"
done

# 3. Moves, commands and events through the ism client API
snap 2
irq2=$c_irq
if echo 1 > /sys/kernel/debug/ism_modeltest/run; then
	ok "ism_modeltest passed"
else
	nok "ism_modeltest failed"
fi
dmesg | grep "ism_modeltest: " | sed 's/^/# /'
snap 2
if [ "$c_irq" -gt "$irq2" ]; then ok "fid 2 raised interrupts ($irq2 -> $c_irq)"; else nok "fid 2 raised no interrupt"; fi
echo "# fid 1: moves $(qom ism1 moves) bytes $(qom ism1 move-bytes) dropped $(qom ism1 moves-dropped) events $(qom ism1 events) irqs $(qom ism1 interrupts)"
echo "# fid 2: moves $(qom ism2 moves) bytes $(qom ism2 move-bytes) dropped $(qom ism2 moves-dropped) events $(qom ism2 events) irqs $(qom ism2 interrupts)"
grep -i "ism\|PCI-MSI" /proc/interrupts | sed 's/^/# /'

# 4. unbind/bind cycles: 3 commands (4 store blocks, 32 bytes) out,
#    5 commands (8 store blocks, 72 bytes) in
b=$(bdf_of 1)
for c in 1 2 3; do
	snap 1
	cmd0=$c_cmd stb0=$c_stb stbb0=$c_stbb err0=$c_err
	echo "$b" > /sys/bus/pci/drivers/ism/unbind
	snap 1
	expect "cycle $c: unbind commands" 3 $((c_cmd - cmd0))
	expect "cycle $c: unbind store blocks" "4/32" "$((c_stb - stb0))/$((c_stbb - stbb0))"
	cmd0=$c_cmd stb0=$c_stb stbb0=$c_stbb
	echo "$b" > /sys/bus/pci/drivers/ism/bind
	snap 1
	expect "cycle $c: bind commands" 5 $((c_cmd - cmd0))
	expect "cycle $c: bind store blocks" "8/72" "$((c_stb - stb0))/$((c_stbb - stbb0))"
	expect "cycle $c: no failed command" "$err0" "$c_err"
	expect "cycle $c: ism bound again" ism "$(driver_of "$b")"
done

# 5. Slot power off and on with the driver bound
snap 1
cmd0=$c_cmd
echo 0 > /sys/bus/pci/slots/00000001/power
if wait_gone 1; then ok "power off: function gone"; else nok "power off: function still there"; fi
snap 1
expect "power off: the remove's commands" 3 $((c_cmd - cmd0))
echo 1 > /sys/bus/pci/slots/00000001/power
if wait_back 1; then ok "power on: ism bound"; else nok "power on: ism not bound"; fi
snap 1
expect "power on: probe commands" 8 $((c_cmd - cmd0))

# 6. recover
snap 1
cmd0=$c_cmd err0=$c_err
echo 1 > "/sys/bus/pci/devices/$(bdf_of 1)/recover"
if wait_back 1; then ok "recover: ism bound"; else nok "recover: ism not bound"; fi
snap 1
expect "recover: remove and probe commands" 8 $((c_cmd - cmd0))
expect "recover: no failed command" "$err0" "$c_err"

# 7. The moves still work after all that
if echo 1 > /sys/kernel/debug/ism_modeltest/run; then
	ok "ism_modeltest passed again"
else
	nok "ism_modeltest failed again"
	dmesg | grep "ism_modeltest: not ok" | tail -5 | sed 's/^/# /'
fi

# 8. QMP device_del with the driver bound
reply=$(qmp '{"execute":"device_del","arguments":{"id":"ism2"}}')
case "$reply" in *return*) ok "device_del ism2 accepted" ;; *) nok "device_del: $reply" ;; esac
if wait_gone 2; then ok "device_del: function gone in the guest"; else nok "device_del: function still there"; fi
i=0
while [ $i -lt 30 ]; do
	case "$(qmp '{"execute":"qom-list","arguments":{"path":"/machine/peripheral"}}')" in
	*'"ism2"'*) sleep 1 ;;
	*) break ;;
	esac
	i=$((i + 1))
done
if [ $i -lt 30 ]; then ok "device_del: ism2 gone in QEMU"; else nok "device_del: ism2 still in QEMU"; fi

done_tap
