#!/bin/sh
# vfio_selftests - upstream Linux's vfio selftests (scripts/build-vfio-
# selftests.sh puts them in /tests/vfio-selftests/) on the first ISM-like
# function (1014:04ed) and the first virtio-pci function (1af4:*), each
# bound to vfio-pci through driver_override as zpci_lib's zpci_bind_vfio()
# does. Each program gets the function's address as its argument, as
# upstream's run.sh passes it.
#
# Prints one TAP stream with a result per program and function, named
# "KIND PROGRAM", each program's own kselftest output nested in it ("# ")
# after a line "# vfio-selftests: KIND ADDRESS PROGRAM". Exits 0 once every
# program ran on both functions, whatever their results:
# scripts/vfio-selftests-test.sh compares them with the base kernel's.
# Exits 1 if a function is missing or cannot be bound.
#
# VFIO_SELFTESTS_TIMEOUT: seconds per program (default 300).

dir=/tests/vfio-selftests
limit=${VFIO_SELFTESTS_TIMEOUT:-300}
kinds="ism virtio"

# find_func KIND - the address of the first function of KIND
find_func() {
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d/vendor" ] || continue
		id="$(cat "$d/vendor"):$(cat "$d/device")"
		case "$1:$id" in
		ism:0x1014:0x04ed | virtio:0x1af4:*)
			echo "${d##*/}"
			return 0
			;;
		esac
	done
	return 1
}

# driver_of ADDRESS - the name of the function's driver, if it has one
driver_of() {
	[ -e "/sys/bus/pci/devices/$1/driver" ] || return 0
	basename "$(readlink "/sys/bus/pci/devices/$1/driver")"
}

# bind_vfio ADDRESS - make vfio-pci the function's driver
bind_vfio() {
	d=/sys/bus/pci/devices/$1
	drv=$(driver_of "$1")
	[ "$drv" = vfio-pci ] && return 0
	if [ -n "$drv" ]; then
		echo "$1" >"$d/driver/unbind" || return 1
	fi
	echo vfio-pci >"$d/driver_override" || return 1
	echo "$1" >/sys/bus/pci/drivers_probe || return 1
	[ "$(driver_of "$1")" = vfio-pci ]
}

progs=
nprogs=0
for p in "$dir"/*; do
	if [ -f "$p" ] && [ -x "$p" ]; then
		progs="$progs ${p##*/}"
		nprogs=$((nprogs + 1))
	fi
done

echo "TAP version 13"
echo "1..$((nprogs * 2))"
n=0
status=0
for kind in $kinds; do
	addr=$(find_func "$kind")
	why=
	if [ -z "$addr" ]; then
		why="no $kind function"
	elif ! bind_vfio "$addr"; then
		why="cannot bind $addr to vfio-pci"
	fi
	for p in $progs; do
		n=$((n + 1))
		if [ -n "$why" ]; then
			echo "not ok $n $kind $p # $why"
			status=1
			continue
		fi
		echo "# vfio-selftests: $kind $addr $p"
		rm -f /tmp/.vfio-rc
		{
			timeout -s KILL "$limit" "$dir/$p" "$addr" 2>&1
			echo $? >/tmp/.vfio-rc
		} | while IFS= read -r line; do
			echo "# $line"
		done
		rc=$(cat /tmp/.vfio-rc)
		case "$rc" in
		0) echo "ok $n $kind $p" ;;
		4) echo "ok $n $kind $p # SKIP" ;;
		137) echo "not ok $n $kind $p # TIMEOUT $limit seconds" ;;
		*) echo "not ok $n $kind $p # exit=$rc" ;;
		esac
	done
done
exit $status
