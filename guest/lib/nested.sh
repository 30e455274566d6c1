# shellcheck shell=sh
# The nested scenario's helpers (guest/tests/vmm_nested_test.sh,
# smc_nested_test.sh, guest/bench/vmm_bench.sh and smc_bench.sh, through
# guest/lib/vmm.sh for the tests), installed as /lib/bench/nested.sh: a VMM
# (QEMU for s390x, from /nested) in this guest, with functions passed
# through by vfio-pci to a nested guest that runs guest/nested/init.
# Source it after zpci.sh.
#
#   start_nested QEMU APPEND FID...  start the VMM (a command, which may
#                                     have arguments) on functions FID...,
#                                     APPEND to the nested kernel's command
#                                     line; 0 once its QMP answers
#   say_nested CMD                    a command to the nested guest
#   wait_nested PATTERN SECONDS       wait for its answer "nested: PATTERN";
#                                     fails at once if the nested kernel
#                                     panics or the VMM exits
#   nested_line PATTERN               its last line "nested: PATTERN"
#   nested_done CMD SECONDS           wait for "nested: CMD done RC", the
#                                     end of a command; 0 if RC is 0
#   iqmp JSON                         the VMM's QMP: a command, its reply
#   stop_nested                       power the nested guest off
#   kill_nested                       end the VMM, if it runs, and stop
#                                     following its console: a test that
#                                     gives up must, or the console's
#                                     follower keeps its output open
#
# qemu_pid is the VMM's pid while it runs, empty once stopped or killed.
#
# The nested console goes along as "# nested-console: " lines (TAP
# comments), one write per line, so the verdict reads its reports too.
# DEADLINE (seconds) bounds every wait for the VMM.

# busybox ash has read -t
# shellcheck disable=SC3045

NESTED=/nested
# Debian's own QEMU (make bench's stock-qemu), run by its own loader
# shellcheck disable=SC2034 # for the scripts that source this one
STOCK_QEMU="$NESTED/stock/lib/ld64.so.1 --library-path $NESTED/stock/lib $NESTED/stock/qemu-system-s390x"
W=/tmp/vmm
CONSOLE=$W/console.log
DEADLINE=${DEADLINE:-300}

# The VMM's QMP, through the FIFOs of its pipe chardev: a command, then
# its reply, skipping events.
iqmp() {
	echo "$1" >&6
	while read -r -t "$DEADLINE" line <&7; do
		case "$line" in *'"event"'*) continue ;; esac
		echo "$line"
		return 0
	done
	return 1
}

# The nested guest's console: a FIFO in, a file out. wait_nested counts
# only lines after the one the previous wait matched.
mark=0
say_nested() { echo "$1" >&5; }
nested_log() { tr -d '\r' <$CONSOLE; }
wait_nested() {
	_t=$2
	while [ "$_t" -gt 0 ]; do
		_l=$(nested_log | grep -n "^nested: $1" | tail -n 1 | cut -d: -f1)
		if [ -n "$_l" ] && [ "$_l" -gt "$mark" ]; then
			mark=$_l
			return 0
		fi
		kill -0 "$qemu_pid" 2>/dev/null || return 1
		# A panicked nested kernel stops in a disabled wait, and its
		# VMM does not exit
		nested_log | grep -q "Kernel panic" && return 1
		sleep 1
		_t=$((_t - 1))
	done
	return 1
}
nested_line() { nested_log | grep "^nested: $1" | tail -n 1; }
nested_done() {
	wait_nested "$1 done" "$2" && [ "$(nested_line "$1 done")" = "nested: $1 done 0" ]
}

follow_console() {
	(
		seen=0
		while :; do
			[ -e $W/console.stop ] && stop=1
			total=$(wc -l <$CONSOLE)
			if [ "$total" -gt "$seen" ]; then
				tail -n +$((seen + 1)) $CONSOLE | head -n $((total - seen)) |
					tr -d '\r' | while IFS= read -r line; do
					echo "# nested-console: $line"
				done
				seen=$total
			fi
			[ -n "${stop:-}" ] && break
			# The test was killed (its timeout): do not hold its output
			kill -0 $$ 2>/dev/null || break
			sleep 1
		done
	) &
	follow_pid=$!
}
# Show what is left of the console and stop following it
stop_console() {
	: >$W/console.stop
	wait "$follow_pid"
}

vfio_args() { # FID
	printf -- '-device zpci,fid=%d,uid=%d,target=hd%d,id=izpci%d ' "$1" "$1" "$1" "$1"
	printf -- '-device vfio-pci,host=%s,id=hd%d ' "$(bdf_of "$1")" "$1"
}
# Plug function FID into the VMM again
iqmp_add() {
	iqmp "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"zpci\",\"id\":\"izpci$1\",\"fid\":$1,\"uid\":$1,\"target\":\"hd$1\"}}" | grep -q return &&
		iqmp "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"vfio-pci\",\"id\":\"hd$1\",\"host\":\"$(bdf_of "$1")\"}}" | grep -q return
}
in_nested_qemu() { # ID
	iqmp '{"execute":"qom-list","arguments":{"path":"/machine/peripheral"}}' |
		grep -q "\"$1\""
}
not_in_nested_qemu() { ! in_nested_qemu "$1"; }

start_nested() {
	_q=$1
	_append=$2
	shift 2
	_devs=
	for _f in "$@"; do
		_devs="$_devs $(vfio_args "$_f")"
	done
	rm -rf $W
	mkdir -p $W
	# The VMM runs without address space randomisation. With it, the
	# nested kernel failed to execute its init (EFAULT) in 2 of 4 boots,
	# both times with the VMM's code buffer at 0x3ff7c000000; without
	# it, 4 of 4 booted (2026-12-02). The fault, in the outer TCG or in
	# the VMM's own, is not found yet.
	echo 0 >/proc/sys/kernel/randomize_va_space
	mkfifo $W/in $W/iqmp.in $W/iqmp.out
	: >$CONSOLE
	exec 5<>$W/in 6<>$W/iqmp.in 7<>$W/iqmp.out
	mark=0
	# shellcheck disable=SC2086 # the command and the -device options
	$_q -L $NESTED -M s390-ccw-virtio -cpu max -smp 1 -m 256 \
		-accel tcg,tb-size=64 -display none -nodefaults -no-reboot \
		-serial stdio -qmp pipe:$W/iqmp \
		-kernel $NESTED/bzImage -initrd $NESTED/initramfs.cpio \
		-append "console=ttysclp0 panic=-1 rdinit=/init $_append" \
		$_devs <&5 >$CONSOLE 2>&1 &
	qemu_pid=$!
	follow_console
	read -r -t 60 _greeting <&7 &&
		iqmp '{"execute":"qmp_capabilities"}' | grep -q return
}

kill_nested() {
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null
	qemu_pid=
	stop_console
}

# Power the nested guest off; fails if it does not go within a minute
stop_nested() {
	say_nested "poweroff"
	_i=0
	while kill -0 "$qemu_pid" 2>/dev/null && [ $_i -lt 60 ]; do
		sleep 1
		_i=$((_i + 1))
	done
	if kill -0 "$qemu_pid" 2>/dev/null; then
		kill_nested
		return 1
	fi
	qemu_pid=
	stop_console
}
