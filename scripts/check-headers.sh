#!/usr/bin/env bash
# check-headers.sh - the QEMU series carries the kernel series' uapi as
# QEMU keeps kernel headers (linux-headers/, copied from headers_install
# by update-linux-headers.sh): its linux/vfio_zdev.h must be the series'
# own, byte for byte, and its linux/vfio.h must define the region's
# subtype as the series' does, so that the two series never drift apart.
# Prints TAP and "N passed, N failed".
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# same NAME A B - one TAP line: does file B hold what file A holds
same() {
	if cmp -s "$2" "$3"; then
		echo "ok $n $1"
		return 0
	fi
	echo "not ok $n $1"
	diff -u "$2" "$3" 2>&1 | head -n 20 | tap_diag
	failed=$((failed + 1))
}

main() {
	local kh=$BUILD/kbuild/default/usr/include/linux qh=$BUILD/qemu/linux-headers/linux
	local n=0 failed=0 tmp

	need_file "$kh/vfio_zdev.h" "the series' uapi headers (run 'make kernel')"
	need_file "$qh/vfio_zdev.h" "QEMU tree (run 'make tree')"
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # expand $tmp now
	trap "rm -rf '$tmp'" EXIT
	grep -E 'VFIO_REGION_SUBTYPE_IBM_ZPCI_IO' "$kh/vfio.h" >"$tmp/kernel" || true
	grep -E 'VFIO_REGION_SUBTYPE_IBM_ZPCI_IO' "$qh/vfio.h" >"$tmp/qemu" || true
	echo "1..2"
	n=1
	same "QEMU's linux-headers/linux/vfio_zdev.h is the series' uapi" "$kh/vfio_zdev.h" "$qh/vfio_zdev.h"
	n=2
	[ -s "$tmp/kernel" ] || echo "no zPCI I/O region subtype in the series' vfio.h" >"$tmp/kernel"
	same "QEMU's linux-headers/linux/vfio.h has the series' region subtype" "$tmp/kernel" "$tmp/qemu"
	echo "$((n - failed)) passed, $failed failed"
	[ "$failed" = 0 ]
}

main "$@"
