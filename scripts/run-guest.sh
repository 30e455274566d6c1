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

main() {
	local kernel=$OUT/bzImage initrd=$OUT/initramfs.cpio.gz f
	local -a extra=()
	local ism=${ISM_FUNCS:-2} strict=0 virtio=${VIRTIO_FUNCS:-1} append=''
	local limit=${GUEST_TIMEOUT:-1200} logf=$RESULTS/console.log live=0
	local qemu=${QEMU:-$OUT/qemu-system-s390x} rc status args devs
	local input=/dev/null relay mem=1024 run

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
		-kernel "$kernel" -initrd "$initrd"
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
	# shellcheck disable=SC2064 # expand $relay now
	trap "kill $relay 2>/dev/null || true" EXIT

	set +e
	if [ $live = 1 ]; then
		timeout -k 10 "$limit" "$qemu" "${args[@]}" <"$input" 2>&1 | tee "$logf"
		rc=${PIPESTATUS[0]}
	else
		timeout -k 10 "$limit" "$qemu" "${args[@]}" </dev/null >"$logf" 2>&1
		rc=$?
	fi
	set -e

	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "bench: hang detected: no power-off within $limit s" >>"$logf"
		die "guest hung: no power-off within $limit s (console: ${logf#"$TOP"/})"
	fi
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
