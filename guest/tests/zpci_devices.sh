#!/bin/sh
# The guest sees exactly the zPCI functions that run-guest.sh gave QEMU
# (bench.ism=N, bench.virtio=M on the kernel command line): N ISM-like
# functions as 1014:04ed with pft 0x05 and M virtio-pci functions with
# pft 0x00, each with its hotplug slot. Prints TAP.

ism=0
virtio=0
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case "$arg" in
	bench.ism=*) ism=${arg#bench.ism=} ;;
	bench.virtio=*) virtio=${arg#bench.virtio=} ;;
	esac
done

n=0
failed=0
check() {
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1 # got '$3', wanted '$2'"
		failed=$((failed + 1))
	fi
}

# attr DEV NAME - one sysfs attribute of a PCI function
attr() {
	cat "/sys/bus/pci/devices/$1/$2" 2>/dev/null
}

echo "TAP version 13"
echo "1..5"
got_ism=0
got_virtio=0
ism_pft=0x05
virtio_pft=0x00
slots=0
for d in /sys/bus/pci/devices/*; do
	[ -e "$d" ] || continue
	dev=${d##*/}
	id="$(attr "$dev" vendor):$(attr "$dev" device)"
	fid=$(attr "$dev" function_id)
	[ -d "/sys/bus/pci/slots/$(printf '%08x' "$fid")" ] && slots=$((slots + 1))
	case "$id" in
	0x1014:0x04ed)
		got_ism=$((got_ism + 1))
		[ "$(attr "$dev" pft)" = 0x05 ] || ism_pft=$(attr "$dev" pft)
		;;
	0x1af4:*)
		got_virtio=$((got_virtio + 1))
		[ "$(attr "$dev" pft)" = 0x00 ] || virtio_pft=$(attr "$dev" pft)
		;;
	esac
done
check "ISM-like functions show up as 1014:04ed" "$ism" "$got_ism"
check "virtio-pci functions show up" "$virtio" "$got_virtio"
check "ISM-like functions report pft 0x05" 0x05 "$ism_pft"
check "virtio-pci functions report pft 0x00" 0x00 "$virtio_pft"
check "every function has its hotplug slot" "$((ism + virtio))" "$slots"
[ "$failed" = 0 ]
