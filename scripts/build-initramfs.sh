#!/usr/bin/env bash
# build-initramfs.sh - pack the guest's initramfs:
#   build/out/initramfs.cpio.gz  busybox, guest/init, guest/run-suite, the
#                                bench's own programs from build/out/tests/
#                                as /tests, its tools from build/out/bin/
#                                (the selftests' platform hook) in /bin,
#                                and the kselftests installed in
#                                build/out/kselftest/ as /kselftest
# build-initramfs.sh --extra DIR OUT [DEST] - pack the files of DIR as
#   /DEST/* (default /tests) into the archive OUT, which the kernel unpacks
#   on top of the main one.
# build-initramfs.sh --nested OUT [PROGRAM...] - the nested guest's
#   initramfs (the guest of the VMM in the vmm group), not compressed:
#   busybox, guest/nested/init and PROGRAM... in /bin.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# The busybox applets that the guest scripts and tests use.
APPLETS=(
	sh ash cat echo printf test '[' ls mkdir rm ln cp mv chmod mount umount
	mkfifo
	sed tr cut grep awk head tail wc sort seq xargs find readlink basename
	dirname date sleep timeout kill ps setsid cttyhack poweroff reboot sync
	dmesg uname env true false od hexdump dd stat tee sysctl realpath uniq
)

# make_cpio DIR OUT [FILTER...] - a reproducible newc archive of DIR,
# through FILTER (default gzip).
make_cpio() {
	local dir=$1 out=$2
	shift 2
	[ $# -gt 0 ] || set -- gzip -n -9
	(cd "$dir" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc --reproducible -R 0:0 --quiet) |
		"$@" >"$out.tmp"
	mv "$out.tmp" "$out"
}

# busybox_root DIR INIT - a root file system in DIR with busybox, its
# applets and INIT as /init
busybox_root() {
	local root=$1 a

	"$TOP/scripts/fetch-busybox.sh"
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp}
	install -m 0755 "$BUILD/cache/busybox/busybox" "$root/bin/busybox"
	for a in "${APPLETS[@]}"; do
		ln -s busybox "$root/bin/$a"
	done
	install -m 0755 "$2" "$root/init"
}

main_archive() {
	local root=$BUILD/initramfs

	busybox_root "$root" "$TOP/guest/init"
	mkdir -p "$root/tests" "$root/lib/bench"
	install -m 0755 "$TOP/guest/run-suite" "$root/bin/run-suite"
	install -m 0644 "$TOP"/guest/lib/*.sh "$root/lib/bench/"
	if [ -d "$OUT/tests" ]; then
		cp -a "$OUT/tests/." "$root/tests/"
	fi
	if [ -d "$OUT/bin" ]; then
		cp -a "$OUT/bin/." "$root/bin/"
	fi
	if [ -d "$OUT/kselftest" ]; then
		cp -a "$OUT/kselftest" "$root/kselftest"
	fi
	mkdir -p "$OUT"
	make_cpio "$root" "$OUT/initramfs.cpio.gz"
	vlog "initramfs: $(find "$root/tests" -type f | wc -l) test programs"
}

# fresh OUT INPUT... - whether the archive OUT is newer than every file of
# INPUT... and than this script, so that packing it again would give the
# same bytes
fresh() {
	local out=$1
	shift

	[ -f "$out" ] && [ -z "$(find "$@" "$0" -newer "$out" -print -quit)" ]
}

extra_archive() {
	local dir=$1 out=$2 dest=${3:-tests} root=$BUILD/initramfs-extra

	[ -d "$dir" ] || die "--extra: no such directory: $dir"
	fresh "$out" "$dir" && return 0
	rm -rf "$root"
	mkdir -p "$root/$dest"
	cp -a "$dir/." "$root/$dest/"
	make_cpio "$root" "$out"
}

nested_archive() {
	local root=$BUILD/initramfs-nested out=$1
	shift

	fresh "$out" "$TOP/guest/nested/init" "$BUILD/cache/busybox/busybox" "$@" && return 0
	busybox_root "$root" "$TOP/guest/nested/init"
	[ $# = 0 ] || install -m 0755 "$@" "$root/bin/"
	mkdir -p "$(dirname "$out")"
	# Not compressed: the nested guest would run the decompressor under
	# two levels of TCG; the bench guest's archive that carries it is.
	make_cpio "$root" "$out" cat
}

main() {
	# The lanes of make check run this and the builds of what it packs
	# (build-selftests.sh, build-guest-tests.sh) at once: one at a time
	hold_lock guest-files
	case "${1:-}" in
	'') main_archive ;;
	--extra)
		[ $# = 3 ] || [ $# = 4 ] || die "usage: $PROG [--extra DIR OUT [DEST] | --nested OUT [PROGRAM...]]"
		extra_archive "$2" "$3" "${4:-}"
		;;
	--nested)
		[ $# -ge 2 ] || die "usage: $PROG [--extra DIR OUT [DEST] | --nested OUT [PROGRAM...]]"
		shift
		nested_archive "$@"
		;;
	*) die "usage: $PROG [--extra DIR OUT [DEST] | --nested OUT [PROGRAM...]]" ;;
	esac
}

main "$@"
