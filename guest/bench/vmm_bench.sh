#!/bin/sh
# The nested data path of make bench: a nested guest's store blocks and
# loads on ISM-like function 1, through each VMM in turn:
#
#   patched     the QEMU series: a store block, a load and a store are one
#               request each to the zPCI I/O region
#   patched-bar the same, with PCI Load and Store through vfio's BAR
#               region instead (the zpci property x-io-region-load-store)
#   stock       Debian's own QEMU, unpatched: it shows the guest the
#               default function group (maxstbl 128) and replays a store
#               block as 8-byte writes to the BAR region
#   alt         another build of the QEMU series, packed under
#               $NESTED/alt, to compare two versions of it in one boot
#
# Function 1 has MSI-X and a strict function group, which the stock QEMU
# needs to take it at all (an ISM function as it is, MSI only, it refuses).
# The nested guest's ism driver stays out of the way (initcall_blacklist):
# ism_modeltest's bench file issues the instructions itself, and the
# device's counters (the outer QEMU's, through the qmp-relay port) count
# what arrived. One line per measurement:
#
#   bench-nested vmm=V op=store|load len=L count=N insn=I ns=T cc=C
#       pcistb=S pcistg=G pcilg=P bytes=B
#
# insn is what the nested guest issued (none: its function group allows no
# single instruction of that length), ns its time for all N, the rest the
# change of the device's counters. Knobs: BENCH_NESTED_KIB per length (64),
# BENCH_VMMS the VMMs to run, in order, separated by spaces or commas
# ("patched patched-bar stock").
# scripts/bench.sh gives each VMM a boot of its own, so that each nested
# guest is the first one of its boot: before the outer QEMU's TCG fix
# (patches/qemu, "accel/tcg: invalidate translated code in the whole
# range of a probed store"), a second one ran several times slower than
# the first, and a nested guest's time should not depend on what ran
# before it.
# shellcheck source=guest/lib/zpci.sh
. /lib/bench/zpci.sh
# shellcheck source=guest/lib/nested.sh
. /lib/bench/nested.sh

KIB=${BENCH_NESTED_KIB:-64}

die() {
	echo "vmm_bench: $*" >&2
	[ -n "${qemu_pid:-}" ] && kill_nested
	exit 1
}

# The device's counters of function 1 into <prefix>_stb, _stg, _lg, _bytes
# shellcheck disable=SC2154 # set by eval
counters() {
	eval "$1_stb=$(qom zpci1 pcistb-count) $1_stg=$(qom zpci1 pcistg-count)"
	eval "$1_lg=$(qom zpci1 pcilg-count)"
	eval "$1_bytes=$(($(qom zpci1 pcistb-bytes) + $(qom zpci1 pcistg-bytes) + $(qom zpci1 pcilg-bytes)))"
}

# shellcheck disable=SC2154 # a_* and b_* come from counters
measure() { # VMM OP LEN
	n=$((KIB * 1024 / $3))
	[ $n -gt 2048 ] && n=2048
	[ $n -lt 32 ] && n=32
	counters a
	say_nested "bench 1 $3 $n $2"
	wait_nested "bench " "$DEADLINE" || die "$1: no answer to bench $3 $n $2"
	line=$(nested_line "bench ")
	case "$line" in "nested: bench failed"*) die "$1: $line" ;; esac
	counters b
	# "nested: bench fid 0x1 len L count N insn I ns T cc C"
	echo "$line" | awk -v vmm="$1" -v op="$2" \
		-v stb=$((b_stb - a_stb)) -v stg=$((b_stg - a_stg)) \
		-v lg=$((b_lg - a_lg)) -v bytes=$((b_bytes - a_bytes)) '{
		printf "bench-nested vmm=%s op=%s len=%s count=%s insn=%s ns=%s cc=%s pcistb=%d pcistg=%d pcilg=%d bytes=%d\n",
		       vmm, op, $6, $8, $10, $12, $14, stb, stg, lg, bytes
	}'
}

run_vmm() { # NAME QEMU
	start_nested "$2" "nested.ism=0 initcall_blacklist=ism_init" 1 ||
		die "$1: the VMM did not start"
	wait_nested "probed" 600 || die "$1: the nested guest did not boot"
	for len in 8 16 64 256 1024 4096; do
		measure "$1" store $len
	done
	measure "$1" load 8
	stop_nested || die "$1: the nested guest did not power off"
}

[ -n "$relay_port" ] || die "no qmp-relay port"
bind_vfio 1 || die "cannot bind fid 1 to vfio-pci"
for vmm in $(echo "${BENCH_VMMS:-patched patched-bar stock}" | tr , ' '); do
	case "$vmm" in
	patched) run_vmm patched "$NESTED/qemu-system-s390x" ;;
	patched-bar)
		run_vmm patched-bar "$NESTED/qemu-system-s390x -global zpci.x-io-region-load-store=off"
		;;
	stock)
		[ -x "$NESTED/stock/qemu-system-s390x" ] || die "no stock QEMU in $NESTED/stock"
		run_vmm stock "$STOCK_QEMU"
		;;
	alt)
		[ -x "$NESTED/alt/qemu-system-s390x" ] || die "no other QEMU in $NESTED/alt"
		run_vmm alt "$NESTED/alt/qemu-system-s390x"
		;;
	*) die "unknown VMM '$vmm' (patched, patched-bar, stock, alt)" ;;
	esac
done
