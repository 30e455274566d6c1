#!/bin/sh
# SMC-D in make bench: its throughput and connection setup time against
# plain TCP over lo, side by side (smc_test with SMC_TEST_BENCH, see
# there), on ISM-like functions 1 and 2, in three places:
#
#   guest   this guest, the ism-client kernel, Linux's ism driver bound
#   nested  a nested guest with the ism driver, the functions passed
#           through by the QEMU series (the zPCI I/O region)
#   stock   Debian's own QEMU, asked to pass the same functions through
#
# Around each phase, the device's counters of both functions (the outer
# QEMU's, through the qmp-relay port) give what the phase cost there. The
# lines, after smc_test's own ("smc-bench phase=..."), which get
# "where=W" put in front:
#
#   smc-device where=W phase=setup|xfer pcistb=S moves=M move-bytes=B
#       dropped=D
#   smc-stock result=refused|unusable|started msg=WHAT IT SAID
#
# (msg last: it runs to the end of the line). Exits non-zero if a
# measurement fails;
# a stock QEMU that refuses the functions, or starts but gives its guest
# no usable ISM function, is the measurement, not a failure; one that
# works gets its own place, stock, measured as nested is. Knobs: SMC_BENCH_ROUNDS,
# SMC_BENCH_CONNS, SMC_BENCH_MIB (see smc_test.c).
# shellcheck source=guest/lib/zpci.sh
. /lib/bench/zpci.sh
# shellcheck source=guest/lib/nested.sh
. /lib/bench/nested.sh
# shellcheck source=guest/lib/vmm.sh
. /lib/bench/vmm.sh

KNOBS="SMC_BENCH_ROUNDS=${SMC_BENCH_ROUNDS:-3} SMC_BENCH_CONNS=${SMC_BENCH_CONNS:-16} SMC_BENCH_MIB=${SMC_BENCH_MIB:-4}"

die() {
	echo "smc_bench: $*" >&2
	[ -n "${qemu_pid:-}" ] && kill_nested
	exit 1
}
# vmm_up's TAP, here: nothing to say when a step works, the end when not
ok() { :; }
nok() { die "$*"; }
VMM_QEMU=$NESTED/qemu-system-s390x
BOOT_TIMEOUT=600

# The device's counters of both functions into <prefix>_stb, _mv, _by, _dr
count_into() { # VAR PROP ID...
	_var=$1
	shift
	_v=$(qom_sum "$@") || die "cannot read $1 of the device"
	eval "$_var=$_v"
}
counters() {
	count_into "$1_stb" pcistb-count zpci1 zpci2
	count_into "$1_mv" moves ism1 ism2
	count_into "$1_by" move-bytes ism1 ism2
	count_into "$1_dr" moves-dropped ism1 ism2
}

# shellcheck disable=SC2154 # a_* and b_* come from counters
device_line() { # WHERE PHASE
	echo "smc-device where=$1 phase=$2 pcistb=$((b_stb - a_stb)) moves=$((b_mv - a_mv)) move-bytes=$((b_by - a_by)) dropped=$((b_dr - a_dr))"
}

# One phase in this guest: smc_test's TAP as comments, its measurements
# with where=guest
guest_phase() { # PHASE
	counters a
	# shellcheck disable=SC2086 # the knobs
	env SMC_TEST_DEVICE=host SMC_TEST_BENCH="$1" $KNOBS /tests/smc_test >/tmp/smcb.out 2>&1
	rc=$?
	counters b
	sed -e 's/^smc-bench /smc-bench where=guest /' -e '/^smc-bench /!s/^/# /' /tmp/smcb.out
	[ $rc = 0 ] || die "guest $1: smc_test failed ($rc)"
	device_line guest "$1"
}

# One phase in the nested guest, through its init's smc command; WHERE
# names the VMM's place in the lines
nested_phase() { # WHERE PHASE
	counters a
	say_nested "smc SMC_TEST_BENCH=$2 $KNOBS"
	nested_done smc $((DEADLINE * 3)) || die "$1 $2: smc_test: $(nested_line "smc done")"
	counters b
	nested_log | grep "^nested: smc-out smc-bench .*phase=$2 " |
		sed "s/^nested: smc-out smc-bench /smc-bench where=$1 /"
	device_line "$1" "$2"
}

# Debian's QEMU with the same functions: what it says, and SMC-D measured
# as in the nested guest if it takes them after all
stock() {
	[ -x "$NESTED/stock/qemu-system-s390x" ] || die "no stock QEMU in $NESTED/stock"
	if start_nested "$STOCK_QEMU" "nested.ism=2" 1 2; then
		wait_nested "probed" 600 || die "stock: the nested guest did not boot"
		if [ "$(nested_line "probed")" != "nested: probed 2" ]; then
			echo "smc-stock result=unusable msg=$(nested_line "probed" | sed 's/^nested: //')"
			stop_nested || die "stock: the nested guest did not power off"
			return
		fi
		echo "smc-stock result=started msg=probed 2"
		nested_phase stock setup
		nested_phase stock xfer
		stop_nested || die "stock: the nested guest did not power off"
		return
	fi
	# QEMU's error: the line that names the device it refused
	msg=$(grep -m 1 "qemu-system-s390x: -device" "$CONSOLE" | sed 's/^.*qemu-system-s390x: //')
	[ -n "$msg" ] || msg=$(grep -m 1 "qemu-system-s390x:" "$CONSOLE" | sed 's/^.*qemu-system-s390x: //')
	kill_nested
	[ -n "$msg" ] || die "stock: QEMU neither started nor said why"
	echo "smc-stock result=refused msg=$msg"
}

[ -n "$relay_port" ] || die "no qmp-relay port"
{ wait_back 1 && wait_back 2; } || die "the ism driver did not bind functions 1 and 2"
guest_phase setup
guest_phase xfer

vmm_up
nested_phase nested setup
nested_phase nested xfer
stop_nested || die "the nested guest did not power off"

stock
