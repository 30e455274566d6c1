#!/usr/bin/env bash
# fetch-vfio-selftests.sh - upstream Linux's vfio selftests, which 6.12 does
# not have: take from the tarball of the mainline linux-source pinned in
# pins.conf (MAINLINE_*, fetch_mainline_deb in lib.sh) only
# tools/testing/selftests/vfio and the files it builds with (MEMBERS
# below) into build/vfio-selftests/src. Does nothing when that is there
# for the same pin and members.
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

main() {
	local src=$BUILD/vfio-selftests/src state=$BUILD/state/vfio-selftests stamp top

	lock_step vfio-selftests-fetch
	load_pins
	stamp=$(printf '%s\n' "$MAINLINE_PKG $MAINLINE_VERSION $MAINLINE_SHA256" \
		"${MEMBERS[@]}" | stamp_of -)
	if [ -d "$src" ] && [ "$(cat "$state/fetched" 2>/dev/null)" = "$stamp" ]; then
		vlog "build/vfio-selftests/src is up to date"
		return 0
	fi
	mkdir -p "$state" "$BUILD/logs"
	fetch_mainline_deb
	log "extracting tools/testing/selftests/vfio from ${MAINLINE_DEB##*/}"
	top=$MAINLINE_PKG
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	mainline_tarball | tar -xJ -C "$src.tmp" --strip-components=1 "${MEMBERS[@]/#/$top/}" \
		2>"$BUILD/logs/vfio-selftests-extract.log" ||
		die "cannot extract the vfio selftests from ${MAINLINE_DEB#"$TOP"/} (log: build/logs/vfio-selftests-extract.log)"
	mv "$src.tmp" "$src"
	printf '%s\n' "$stamp" >"$state/fetched"
}

main "$@"
