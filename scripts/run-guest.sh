#!/usr/bin/env bash
# run-guest.sh [OPTIONS] - boot the s390x guest under QEMU TCG with zPCI
# functions, save the console log and return the guest's own exit status.
#
#   --kernel FILE     kernel image        (default build/out/bzImage)
#   --initrd FILE     initramfs           (default build/out/initramfs.cpio.gz)
#   --extra FILE      another initramfs unpacked on top (extra /tests, the
#                     nested guest's /nested); may be given more than once
#   --ism N           ISM-like functions  (default $ISM_FUNCS or 2)
#   --strict N        the last N of them in a group without relaxed
#                     alignment, with MSI-X (default 0)
#   --virtio N        virtio-pci functions (default $VIRTIO_FUNCS or 1)
#   --mem MIB         guest memory (default 1024)
#   --append ARGS     more kernel parameters (e.g. bench.suite=NAME)
#   --timeout SECS    wall-clock limit     (default $GUEST_TIMEOUT or 1200)
#   --log FILE        console log          (default build/results/console.log)
#   --live            also show the console on the terminal
#   --interactive     give the guest the terminal (implies --live)
#
# The guest ends its console output with "bench-exit: N"; that N is the exit
# status. A guest that hangs, crashes or never reports fails with a reason.
# QMP listens on build/run/LOG/qmp.sock for host-side device_del/device_add,
# LOG being the console log's name without .log: runs with different logs
# share nothing, so groups can run side by side.
# Guest tests reach QMP through the virtio-serial port "qmp-relay", which
# scripts/qmp-relay.py connects to a second QMP monitor; the series'
# selftests through /bin/zpci-platform, which guest/init names in
# ZPCI_TEST_PLATFORM.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# hang_state RUN VMLINUX - what a guest that does not end and its QEMU are
# doing, while they still run: QMP's view (scripts/guest-state.py), each
# CPU's PSW address resolved in VMLINUX, and QEMU's threads if there is a
# gdb. A main loop stuck in QEMU, a guest CPU spinning in the kernel and
# CPUs idle in an enabled wait each look different here.
hang_state() {
	local run=$1 vmlinux=$2 state a

	state=$(python3 "$TOP/scripts/guest-state.py" "$run/qmp.sock" 2>&1) || true
	printf '%s\n' "$state"
	if [ -f "$vmlinux" ] && command -v s390x-linux-gnu-addr2line >/dev/null; then
		sed -n 's/^PSW=mask [0-9a-f]* addr \([0-9a-f]*\).*/\1/p' <<<"$state" |
			while read -r a; do
				echo "PSW addr $a: $(s390x-linux-gnu-addr2line -f -e "$vmlinux" "$a" | paste -sd' ')"
			done
	fi
	if command -v gdb >/dev/null && [ -s "$run/qemu.pid" ]; then
		timeout 60 gdb -p "$(cat "$run/qemu.pid")" -batch -nx \
			-ex 'thread apply all bt' 2>&1 | grep -E '^(Thread|#)' || true
	fi
}

# How long QEMU may take to exit after the guest said "bench-exit: N":
# the guest powers off right after it, in a second or two.
POWEROFF_GRACE=${POWEROFF_GRACE:-60}

# watch_hang SECS RUN VMLINUX LOG OUT - in the background, until killed
# (TERM) or QEMU is gone: if the guest has not powered off POWEROFF_GRACE
# seconds after its "bench-exit" line in LOG, or at all after SECS,
# hang_state into OUT; in the first case, QEMU is killed then and OUT gets
# the line "no power-off after bench-exit", for main to report.
watch_hang() {
	local secs=$1 run=$2 vmlinux=$3 log=$4 out=$5
	(
		trap 'exit 0' TERM
		# QEMU wrote its pid file and has exited since
		qemu_gone() {
			[ -s "$run/qemu.pid" ] && ! kill -0 "$(cat "$run/qemu.pid")" 2>/dev/null
		}
		t=0 seen='' late=''
		while [ "$t" -lt "$secs" ]; do
			sleep 2 &
			wait $!
			t=$((t + 2))
			qemu_gone && exit 0
			[ -z "$seen" ] && grep -q '^bench-exit: ' "$log" && seen=$t
			if [ -n "$seen" ] && [ $((t - seen)) -ge "$POWEROFF_GRACE" ]; then
				late=1
				break
			fi
		done
		hang_state "$run" "$vmlinux" >"$out" 2>&1
		if [ -n "$late" ] && ! qemu_gone; then
			echo "no power-off after bench-exit" >>"$out"
			kill -KILL "$(cat "$run/qemu.pid")"
		fi
	) </dev/null >/dev/null 2>&1 &
	WATCHER=$!
}

main() {
	local kernel=$OUT/bzImage initrd=$OUT/initramfs.cpio.gz f
	local -a extra=()
	local ism=${ISM_FUNCS:-2} strict=0 virtio=${VIRTIO_FUNCS:-1} append=''
	local limit=${GUEST_TIMEOUT:-1200} logf=$RESULTS/console.log live=0
	local qemu=${QEMU:-$OUT/qemu-system-s390x} rc status args devs
	local input=/dev/null relay mem=1024 run hangf

	while [ $# -gt 0 ]; do
		case "$1" in
		--kernel) kernel=$2; shift ;;
		--initrd) initrd=$2; shift ;;
		--extra) extra+=("$2"); shift ;;
		--ism) ism=$2; shift ;;
		--strict) strict=$2; shift ;;
		--virtio) virtio=$2; shift ;;
		--mem) mem=$2; shift ;;
		--append) append="$append $2"; shift ;;
		--timeout) limit=$2; shift ;;
		--log) logf=$2; shift ;;
		--live) live=1 ;;
		--interactive) live=1 input=/dev/stdin ;;
		*) die "unknown option '$1' (see the header of $0)" ;;
		esac
		shift
	done
	need_file "$qemu" "QEMU binary (run 'make qemu')"
	need_file "$kernel" "kernel image (run 'make kernel')"
	need_file "$initrd" "initramfs (run 'make initramfs')"
	need_file /usr/share/qemu/s390-ccw.img "QEMU firmware (run 'make setup')"
	run=$BUILD/run/$(basename "$logf" .log)
	mkdir -p "$run" "$(dirname "$logf")"
	if [ ${#extra[@]} -gt 0 ]; then
		# The kernel unpacks concatenated archives in order.
		for f in "${extra[@]}"; do
			need_file "$f" "extra initramfs"
		done
		cat "$initrd" "${extra[@]}" >"$run/initrd.combined"
		initrd=$run/initrd.combined
	fi
	rm -f "$run/qmp.sock" "$run/relay-qmp.sock" "$run/relay.sock"
	[ "$strict" -le "$ism" ] || die "--strict $strict: only $ism ISM-like functions"
	mapfile -t devs < <(zpci_devices "$ism" "$strict" "$virtio")
	args=(
		-L /usr/share/qemu -M s390-ccw-virtio -cpu max -smp 2 -m "$mem"
		-nographic -no-reboot -nodefaults -serial stdio
		-kernel "$kernel" -initrd "$initrd" -pidfile "$run/qemu.pid"
		-append "console=ttysclp0 panic=-1 rdinit=/init bench.ism=$ism bench.virtio=$virtio bench.watchdog=$((limit * 9 / 10)) $append"
		-qmp "unix:$run/qmp.sock,server=on,wait=off"
		# A second QMP monitor for the guest's relay (scripts/qmp-relay.py)
		-chardev "socket,id=relayqmp,path=$run/relay-qmp.sock,server=on,wait=off"
		-mon "chardev=relayqmp,mode=control"
		-device "virtio-serial-ccw,id=vser"
		-chardev "socket,id=relay,path=$run/relay.sock,server=on,wait=off"
		-device "virtserialport,bus=vser.0,chardev=relay,name=qmp-relay"
		"${devs[@]}"
	)
	printf '%q ' "$qemu" "${args[@]}" >"$run/qemu-cmdline"
	vlog "$(cat "$run/qemu-cmdline")"

	python3 "$TOP/scripts/qmp-relay.py" "$run/relay-qmp.sock" \
		"$run/relay.sock" >"$run/qmp-relay.log" 2>&1 &
	relay=$!
	# What the guest does if it does not power off: shortly before the
	# timeout ends it, after the guest's own watchdog (90 % of the limit),
	# with time left for gdb; or once it is late after its bench-exit.
	hangf=${logf%.log}-hang.txt
	rm -f "$hangf" "$run/qemu.pid"
	watch_hang $((limit > 180 ? limit - 90 : limit / 2)) "$run" \
		"${kernel/bzImage/vmlinux}" "$logf" "$hangf"
	# shellcheck disable=SC2064 # expand the pids now
	trap "kill $relay $WATCHER 2>/dev/null || true" EXIT

	set +e
	if [ $live = 1 ]; then
		timeout -k 10 "$limit" "$qemu" "${args[@]}" <"$input" 2>&1 | tee "$logf"
		rc=${PIPESTATUS[0]}
	else
		timeout -k 10 "$limit" "$qemu" "${args[@]}" </dev/null >"$logf" 2>&1
		rc=$?
	fi
	set -e
	kill "$WATCHER" 2>/dev/null || true

	if grep -qx "no power-off after bench-exit" "$hangf" 2>/dev/null; then
		echo "bench: hang detected: no power-off within $POWEROFF_GRACE s of bench-exit" >>"$logf"
		die "guest hung: no power-off within $POWEROFF_GRACE s of its bench-exit (console: ${logf#"$TOP"/}, state: ${hangf#"$TOP"/})"
	fi
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "bench: hang detected: no power-off within $limit s" >>"$logf"
		die "guest hung: no power-off within $limit s (console: ${logf#"$TOP"/}, state: ${hangf#"$TOP"/})"
	fi
	rm -f "$hangf"
	[ "$rc" = 0 ] ||
		die "QEMU failed with exit status $rc (console: ${logf#"$TOP"/})"
	grep -q '^bench: hang detected' "$logf" &&
		die "guest hung: the suite did not finish, the guest's watchdog fired (console: ${logf#"$TOP"/})"
	status=$(sed -n 's/^bench-exit: \([0-9]*\).*/\1/p' "$logf" | tail -n 1)
	[ -n "$status" ] ||
		die "guest stopped without reporting an exit status: kernel panic or crash? (console: ${logf#"$TOP"/})"
	return "$status"
}

main "$@"
