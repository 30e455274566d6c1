#!/usr/bin/env bash
# qtest-qemu.sh ARGS... - the QEMU of QEMU's qtests with the ISM-like
# functions attached (QTEST_QEMU_BINARY of scripts/qtest-run.sh): runs
# $QTEST_WRAP_QEMU with ARGS and, unless the machine is 'none' (which has
# no zPCI bus), the words of $QTEST_WRAP_DEVICES in front of them.
#
# libqtest runs it through 'exec', and so does this: the process the test
# watches and kills is QEMU itself.
set -euo pipefail

main() {
	local machine='' prev='' a
	local -a devices=()

	[ -n "${QTEST_WRAP_QEMU:-}" ] || {
		echo "qtest-qemu.sh: error: QTEST_WRAP_QEMU is not set" >&2
		exit 1
	}
	for a in "$@"; do
		case "$prev" in -M | -machine) machine=${a%%,*} ;; esac
		prev=$a
	done
	[ "$machine" = none ] || read -r -a devices <<<"${QTEST_WRAP_DEVICES:-}"
	exec "$QTEST_WRAP_QEMU" "${devices[@]}" "$@"
}

main "$@"
