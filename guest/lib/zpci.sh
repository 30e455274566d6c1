# shellcheck shell=sh
# Helpers shared by the bench's shell tests in the guest (guest/tests/*.sh),
# installed as /lib/bench/zpci.sh: TAP output, the functions and their
# drivers, and the host's QMP through the qmp-relay port. Source it.

# shellcheck source=guest/lib/hang.sh
. /lib/bench/hang.sh

# TAP: ok DESC, nok DESC, expect DESC WANT GOT; done_tap prints the plan
# and fails if anything failed.
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
nok() { n=$((n + 1)); echo "not ok $n $*"; failed=$((failed + 1)); }
expect() {
	if [ "$2" = "$3" ]; then ok "$1 ($3)"; else nok "$1: got '$3', wanted '$2'"; fi
}
done_tap() {
	echo "1..$n"
	[ "$failed" = 0 ]
}

# now: the uptime in seconds; since T: the seconds from uptime T to now
now() { cut -d' ' -f1 /proc/uptime; }
since() { awk "BEGIN { printf \"%.2f\", $(now) - $1 }"; }

# The qmp-relay port (scripts/qmp-relay.py): the host's QMP, a command and
# its reply per open.
relay_port=
for p in /sys/class/virtio-ports/*; do
	[ "$(cat "$p/name" 2>/dev/null)" = qmp-relay ] && relay_port=/dev/${p##*/}
done
qmp() { # JSON -> the reply line
	exec 3<>"$relay_port"
	echo "$1" >&3
	read -r reply <&3
	exec 3>&-
	echo "$reply"
}
# qom_get QMP-FUNCTION PATH PROP - an integer property, through the QMP
# function QMP-FUNCTION (qmp, or another one with its interface)
qom_get() {
	$1 "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"$2\",\"property\":\"$3\"}}" |
		sed -n 's/.*"return": *\([0-9]*\).*/\1/p'
}
# qom ID PROP - a property of the host's device ID
qom() { qom_get qmp "/machine/peripheral/$1" "$2"; }
# qom_sum PROP ID... - the property PROP of the host's devices ID...,
# summed; fails if one of them is not a number
qom_sum() {
	_prop=$1
	shift
	_sum=0
	for _id in "$@"; do
		_v=$(qom "$_id" "$_prop")
		case "$_v" in '' | *[!0-9]*) return 1 ;; esac
		_sum=$((_sum + _v))
	done
	echo "$_sum"
}
# ism_sum PROP - the ISM model's counter PROP, of functions 1 and 2
ism_sum() { qom_sum "$1" ism1 ism2; }

bdf_of() { # FID -> PCI name
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/function_id" 2>/dev/null)" = "$(printf '0x%08x' "$1")" ] &&
			echo "${d##*/}" && return 0
	done
	return 1
}
driver_of() { # PCI name -> driver name
	basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null
}
# wait_for SECONDS CMD... - poll CMD once a second until it succeeds
wait_for() {
	_w=$1
	shift
	while ! "$@"; do
		[ "$_w" -le 0 ] && return 1
		sleep 1
		_w=$((_w - 1))
	done
}
gone() { ! bdf_of "$1" >/dev/null; }
wait_gone() { wait_for 60 gone "$1"; }
bound_to() { # FID DRIVER
	_b=$(bdf_of "$1") && [ "$(driver_of "$_b")" = "$2" ]
}
wait_back() { wait_for 60 bound_to "$1" ism; }

# bind_vfio FID - hand the function to vfio-pci, from whatever driver
bind_vfio() {
	_b=$(bdf_of "$1") || return 1
	echo vfio-pci >"/sys/bus/pci/devices/$_b/driver_override"
	[ -n "$(driver_of "$_b")" ] && echo "$_b" >"/sys/bus/pci/devices/$_b/driver/unbind"
	echo "$_b" >/sys/bus/pci/drivers_probe
	[ "$(driver_of "$_b")" = vfio-pci ]
}
