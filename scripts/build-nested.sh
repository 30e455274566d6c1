#!/usr/bin/env bash
# build-nested.sh - put together what the vmm group's nested scenario
# needs inside the bench guest, in build/out/nested/, and pack it as
# build/out/initramfs-nested.cpio.gz, which the kernel unpacks on top of
# the guest's own initramfs as /nested:
#
#   qemu-system-s390x    the VMM: the QEMU series, built for s390x
#                        (build-qemu.sh s390x)
#   s390-ccw.img         its firmware, from Debian's qemu-system-data
#   bzImage              the nested guest's kernel: the ism-client tree
#                        (Linux's ism driver and ism_modeltest) with the
#                        lean configs/nested.config
#   initramfs.cpio       the nested guest's busybox, guest/nested/init
#                        and smc_test (build-guest-tests.sh), which it
#                        runs for SMC-D on the functions passed through
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local dir=$OUT/nested

	lock_step nested
	need_file "$OUT/qemu-system-s390x.s390x" "QEMU for s390x (run 'make qemu-s390x')"
	need_file "$OUT/bzImage-nested" "nested guest's kernel (run 'make kernel-nested')"
	need_file /usr/share/qemu/s390-ccw.img "QEMU firmware (run 'make setup')"
	need_file "$OUT/tests/smc_test" "the guest programs (run 'make selftests')"
	mkdir -p "$dir"
	need_cmd s390x-linux-gnu-strip
	s390x-linux-gnu-strip -o "$dir/qemu-system-s390x" "$OUT/qemu-system-s390x.s390x"
	install -m 0644 /usr/share/qemu/s390-ccw.img "$dir/s390-ccw.img"
	install -m 0644 "$OUT/bzImage-nested" "$dir/bzImage"
	# a build before the archive was left uncompressed packed this one
	rm -f "$dir/initramfs.cpio.gz"
	"$TOP/scripts/build-initramfs.sh" --nested "$dir/initramfs.cpio" "$OUT/tests/smc_test"
	"$TOP/scripts/build-initramfs.sh" --extra "$dir" "$OUT/initramfs-nested.cpio.gz" nested
	vlog "nested payload: $(du -sh "$dir" | cut -f1)"
}

main "$@"
