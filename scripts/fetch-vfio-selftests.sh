#!/usr/bin/env bash
# fetch-vfio-selftests.sh - upstream Linux's vfio selftests, which 6.12 does
# not have: download Debian's newer linux-source pinned in pins.conf
# (VFIO_SELFTESTS_*, the .deb by version and sha256) into
# build/cache/VFIO_SELFTESTS_PKG/ through a private apt root (apt_download
# in lib.sh, under build/cache/apt-VFIO_SELFTESTS_SUITE), and take from its
# tarball only tools/testing/selftests/vfio and the files it builds with
# (MEMBERS below) into build/vfio-selftests/src. Does nothing when that is
# there for the same pin and members.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# What the suite needs of the tree to build on s390x with
# patches/vfio-selftests: the makefiles and kselftest headers around it,
# and the tools/include headers that its sources include (found with
# gcc -MD on a full tools/include).
MEMBERS=(
	tools/testing/selftests/vfio
	tools/testing/selftests/lib.mk
	tools/testing/selftests/kselftest.h
	tools/testing/selftests/kselftest_harness.h
	scripts/subarch.include
	tools/include/asm-generic/bitops.h
	tools/include/asm-generic/bitops/__ffs.h
	tools/include/asm-generic/bitops/__ffz.h
	tools/include/asm-generic/bitops/__fls.h
	tools/include/asm-generic/bitops/arch_hweight.h
	tools/include/asm-generic/bitops/atomic.h
	tools/include/asm-generic/bitops/const_hweight.h
	tools/include/asm-generic/bitops/fls.h
	tools/include/asm-generic/bitops/fls64.h
	tools/include/asm-generic/bitops/hweight.h
	tools/include/asm-generic/bitops/non-atomic.h
	tools/include/asm-generic/bitsperlong.h
	tools/include/asm-generic/hugetlb_encode.h
	tools/include/linux/align.h
	tools/include/linux/bitops.h
	tools/include/linux/bits.h
	tools/include/linux/build_bug.h
	tools/include/linux/compiler-context-analysis.h
	tools/include/linux/compiler-gcc.h
	tools/include/linux/compiler.h
	tools/include/linux/compiler_types.h
	tools/include/linux/const.h
	tools/include/linux/container_of.h
	tools/include/linux/kernel.h
	tools/include/linux/list.h
	tools/include/linux/log2.h
	tools/include/linux/math.h
	tools/include/linux/overflow.h
	tools/include/linux/panic.h
	tools/include/linux/poison.h
	tools/include/linux/sizes.h
	tools/include/linux/time64.h
	tools/include/linux/types.h
	tools/include/uapi/asm-generic/bitsperlong.h
	tools/include/uapi/linux/bits.h
	tools/include/uapi/linux/const.h
	tools/include/uapi/linux/types.h
	tools/include/vdso/bits.h
	tools/include/vdso/const.h
)

# fetch_deb DIR - the pinned .deb in DIR, downloaded unless it is there
# with the pinned sha256; sets DEB.
fetch_deb() {
	local dir=$1 sum

	DEB=$dir/${VFIO_SELFTESTS_PKG}_${VFIO_SELFTESTS_VERSION/:/%3a}_all.deb
	if [ ! -f "$DEB" ] || [ "$(sha256sum "$DEB" | cut -d' ' -f1)" != "$VFIO_SELFTESTS_SHA256" ]; then
		rm -f "$DEB"
		apt_download "$BUILD/cache/apt-$VFIO_SELFTESTS_SUITE" amd64 "$dir" \
			"$VFIO_SELFTESTS_PKG" "$VFIO_SELFTESTS_VERSION" \
			"http://deb.debian.org/debian $VFIO_SELFTESTS_SUITE main"
		DEB=$APT_DEB
	fi
	sum=$(sha256sum "$DEB" | cut -d' ' -f1)
	[ "$sum" = "$VFIO_SELFTESTS_SHA256" ] ||
		die "${DEB#"$TOP"/}: sha256 $sum, pinned $VFIO_SELFTESTS_SHA256"
}

main() {
	local src=$BUILD/vfio-selftests/src state=$BUILD/state/vfio-selftests stamp top

	lock_step vfio-selftests-fetch
	load_pins
	stamp=$(printf '%s\n' "$VFIO_SELFTESTS_PKG $VFIO_SELFTESTS_VERSION $VFIO_SELFTESTS_SHA256" \
		"${MEMBERS[@]}" | stamp_of -)
	if [ -d "$src" ] && [ "$(cat "$state/fetched" 2>/dev/null)" = "$stamp" ]; then
		vlog "build/vfio-selftests/src is up to date"
		return 0
	fi
	need_cmd dpkg-deb tar xz
	mkdir -p "$state" "$BUILD/logs"
	fetch_deb "$BUILD/cache/$VFIO_SELFTESTS_PKG"
	log "extracting tools/testing/selftests/vfio from ${DEB##*/}"
	top=$VFIO_SELFTESTS_PKG
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	dpkg-deb --fsys-tarfile "$DEB" | tar -xO "./usr/src/$top.tar.xz" |
		tar -xJ -C "$src.tmp" --strip-components=1 "${MEMBERS[@]/#/$top/}" \
			2>"$BUILD/logs/vfio-selftests-extract.log" ||
		die "cannot extract the vfio selftests from ${DEB#"$TOP"/} (log: build/logs/vfio-selftests-extract.log)"
	mv "$src.tmp" "$src"
	printf '%s\n' "$stamp" >"$state/fetched"
}

main "$@"
