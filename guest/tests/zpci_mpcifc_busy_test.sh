#!/bin/sh
# A function that stays busy for Modify PCI Function Controls (its zpci
# device's x-fault-mpcifc-busy, set through the qmp-relay port):
#   1. an operation that registers something fails after a bounded time
#      (zpci_mod_fc(): two seconds) instead of trying again for good with
#      the locks of the function held: the measurement's enable through
#      the function's debugfs statistics file, under zdev->fmb_lock;
#   2. an operation that takes something back is not given up, as the
#      kernel frees what the function used next: the end of the
#      measurement when the function is disabled (its sysfs enable
#      attribute) waits while the function is busy, the kernel warns,
#      and it completes once the function is no longer busy.
# The statistics file is there while the function is enabled, which the
# enable attribute does here first; it takes a function without a driver,
# so a driver that an earlier test left bound is unbound for the test and
# bound again after it. Needs the function with fid 1 and the qmp-relay
# port. Prints TAP.
# shellcheck source=guest/lib/zpci.sh
. /lib/bench/zpci.sh

W=/tmp/mpcifc
# The bound, and how long the test waits for it at most
BOUND=2
LIMIT=10

busy() { # true|false
	qmp "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"/machine/peripheral/zpci1\",\"property\":\"x-fault-mpcifc-busy\",\"value\":$1}}"
}

echo "TAP version 13"
[ -n "$relay_port" ] || { echo "1..0 # SKIP no qmp-relay port"; exit 4; }
b=$(bdf_of 1) || { echo "1..0 # SKIP no function with fid 1"; exit 4; }
stats=/sys/kernel/debug/pci/$b/statistics
en=/sys/bus/pci/devices/$b/enable
rm -rf $W
mkdir -p $W
drv=$(driver_of "$b")
[ -z "$drv" ] || echo "$b" >"/sys/bus/pci/drivers/$drv/unbind"
rebind() { [ -z "$drv" ] || echo "$b" >"/sys/bus/pci/drivers/$drv/bind"; }
# give_up - leave the function as found (disabled, its driver bound) and end
give_up() {
	echo 0 >"$en"
	rebind
	done_tap
	exit
}
if ! echo 1 >"$en"; then
	nok "fid 1: cannot enable the function (driver: '$(driver_of "$b")')"
	rebind
	done_tap
	exit
elif [ -e "$stats" ]; then
	ok "fid 1 enabled, its measurement in $stats"
else
	nok "fid 1: no $stats once enabled"
	give_up
fi
# The measurement off, for the enable to have work (the function's
# enable turned it on)
echo 0 >"$stats" || nok "fid 1: the measurement's disable fails"

case "$(busy true)" in
*return*) ok "fid 1: Modify PCI Function Controls made busy" ;;
*)
	nok "fid 1: cannot make Modify PCI Function Controls busy"
	give_up
	;;
esac
t0=$(now)
(
	if echo 1 >"$stats" 2>/dev/null; then r=0; else r=1; fi
	echo "rc=$r $(now)" >$W/rc
) &
if wait_for $LIMIT test -s $W/rc; then
	read -r rc t1 <$W/rc
	took=$(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }")
	expect "busy function: the measurement's enable fails" rc=1 "$rc"
	if awk "BEGIN { exit !($took >= $BOUND * 0.75 && $took <= $BOUND * 2) }"; then
		ok "busy function: the kernel gave up after $took s (bound $BOUND s)"
	else
		nok "busy function: the kernel gave up after $took s, not after about $BOUND s"
	fi
else
	nok "busy function: the measurement's enable still waits after $LIMIT s"
fi
busy false >/dev/null
# Without the fault, a write that still waited ends now
wait_for $LIMIT test -s $W/rc ||
	nok "the measurement's enable still waits with the function no longer busy"
if echo 1 >"$stats"; then ok "not busy: the measurement's enable works"; else nok "not busy: the measurement's enable fails"; fi

busy true >/dev/null
dmesg -c >/dev/null
(
	if echo 0 >"$en"; then r=0; else r=1; fi
	echo "rc=$r" >$W/off
) &
sleep $((BOUND * 2))
if [ -s $W/off ]; then
	nok "busy function: its disable gave up ending the measurement ($(cat $W/off))"
else
	ok "busy function: its disable still ends the measurement after $((BOUND * 2)) s"
fi
if dmesg | grep -q 'stays busy for Modify PCI Function Controls'; then
	ok "the kernel warned of the busy function"
else
	nok "no warning of the busy function"
fi
busy false >/dev/null
if wait_for $LIMIT test -s $W/off; then
	expect "not busy: the function's disable completes" rc=0 "$(cat $W/off)"
else
	nok "not busy: the function's disable still waits after $LIMIT s"
fi
rebind
done_tap
