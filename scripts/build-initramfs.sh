#!/usr/bin/env bash
# build-initramfs.sh - pack the guest's initramfs:
#   build/out/initramfs.cpio.gz  busybox, guest/init, guest/run-suite, the
#                                bench's own programs from build/out/tests/
#                                as /tests, and the kselftests installed in
#                                build/out/kselftest/ as /kselftest
# build-initramfs.sh --extra DIR OUT - pack the files of DIR as /tests/* into
#   the archive OUT, which the kernel unpacks on top of the main one.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# The busybox applets that the guest scripts and tests use.
APPLETS=(
	sh ash cat echo printf test '[' ls mkdir rm ln cp mv chmod mount umount
	sed tr cut grep awk head tail wc sort seq xargs find readlink basename
	dirname date sleep timeout kill ps setsid cttyhack poweroff reboot sync
	dmesg uname env true false od hexdump dd stat tee sysctl realpath uniq
)

# make_cpio DIR OUT - a reproducible newc archive of DIR, gzipped.
make_cpio() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc --reproducible -R 0:0 --quiet) |
		gzip -n -9 >"$2.tmp"
	mv "$2.tmp" "$2"
}

main_archive() {
	local root=$BUILD/initramfs a

	"$TOP/scripts/fetch-busybox.sh"
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,tests}
	install -m 0755 "$BUILD/cache/busybox/busybox" "$root/bin/busybox"
	for a in "${APPLETS[@]}"; do
		ln -s busybox "$root/bin/$a"
	done
	install -m 0755 "$TOP/guest/init" "$root/init"
	install -m 0755 "$TOP/guest/run-suite" "$root/bin/run-suite"
	if [ -d "$OUT/tests" ]; then
		cp -a "$OUT/tests/." "$root/tests/"
	fi
	if [ -d "$OUT/kselftest" ]; then
		cp -a "$OUT/kselftest" "$root/kselftest"
	fi
	mkdir -p "$OUT"
	make_cpio "$root" "$OUT/initramfs.cpio.gz"
	vlog "initramfs: $(find "$root/tests" -type f | wc -l) test programs"
}

extra_archive() {
	local dir=$1 out=$2 root=$BUILD/initramfs-extra

	[ -d "$dir" ] || die "--extra: no such directory: $dir"
	rm -rf "$root"
	mkdir -p "$root/tests"
	cp -a "$dir/." "$root/tests/"
	make_cpio "$root" "$out"
}

main() {
	case "${1:-}" in
	'') main_archive ;;
	--extra)
		[ $# = 3 ] || die "usage: $PROG [--extra DIR OUT]"
		extra_archive "$2" "$3"
		;;
	*) die "usage: $PROG [--extra DIR OUT]" ;;
	esac
}

main "$@"
