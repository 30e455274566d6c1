#!/usr/bin/env bash
# build-vfio-selftests.sh [VARIANT] - build upstream's vfio selftests
# (build/vfio-selftests/src, from scripts/fetch-vfio-selftests.sh) with
# patches/vfio-selftests/ applied, statically for s390x, with their own
# makefile, against the uapi headers of the VARIANT kernel build (default:
# the series'). The programs and guest/vfio-selftests/vfio_selftests.sh
# land in build/out/vfio-selftests/ (as /tests/vfio-selftests/ and
# /tests/vfio_selftests in the guest), packed as the extra initramfs
# build/out/initramfs-vfio-selftests.cpio.gz.
#
# Incremental: the patched tree (build/vfio-selftests/tree) and the objects
# (build/vfio-selftests/obj) are made again only when the source or a
# patch changed; after that, make rebuilds what changed, headers included.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

PATCH_DIR=${PATCHES:-$TOP/patches}/vfio-selftests

# prepare TREE OBJ - TREE as the fetched source with the patches applied,
# unless it already is.
prepare() {
	local tree=$1 obj=$2 state=$BUILD/state/vfio-selftests stamp p
	local -a patches

	mapfile -t patches < <(series_files "$PATCH_DIR")
	stamp=$({
		cat "$state/fetched"
		stamp_of "$PATCH_DIR/series" "${patches[@]}"
	} | stamp_of -)
	if [ -d "$tree" ] && [ "$(cat "$state/patched" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	log "applying patches/vfio-selftests to the vfio selftests"
	rm -rf "$tree" "$obj" "$state/patched"
	cp -a "$BUILD/vfio-selftests/src" "$tree"
	for p in "${patches[@]}"; do
		(cd "$tree" && git apply "$p") 2>"$BUILD/logs/vfio-selftests-patch.log" ||
			die "patch ${p#"$TOP"/} does not apply to the vfio selftests (log: build/logs/vfio-selftests-patch.log)"
	done
	printf '%s\n' "$stamp" >"$state/patched"
}

main() {
	local tree=$BUILD/vfio-selftests/tree obj=$BUILD/vfio-selftests/obj
	local dest=$OUT/vfio-selftests f n=0

	lock_step vfio-selftests-build
	kernel_vars "${1:-default}"
	need_cmd s390x-linux-gnu-gcc git
	need_file "$BUILD/state/vfio-selftests/fetched" "vfio selftests source (run scripts/fetch-vfio-selftests.sh)"
	need_file "$KOUT/usr/include/linux/vfio.h" "uapi headers (run 'make kernel')"
	mkdir -p "$BUILD/logs"
	prepare "$tree" "$obj"
	mkdir -p "$obj"
	# The selftests' makefiles need make's built-in rules and variables,
	# which the top-level -rR turns off.
	run_quiet "$BUILD/logs/vfio-selftests-build.log" env -u MAKEFLAGS -u MAKELEVEL \
		make -C "$tree/tools/testing/selftests/vfio" ARCH=s390 \
		CROSS_COMPILE=s390x-linux-gnu- OUTPUT="$obj" \
		KHDR_INCLUDES="-isystem $KOUT/usr/include" USERLDFLAGS=-static ||
		die "the vfio selftests do not build (log: build/logs/vfio-selftests-build.log)"

	rm -rf "$dest"
	mkdir -p "$dest/vfio-selftests"
	install -m 0755 "$TOP/guest/vfio-selftests/vfio_selftests.sh" "$dest/vfio_selftests"
	for f in "$obj"/*_test; do
		[ -x "$f" ] || continue
		install -m 0755 "$f" "$dest/vfio-selftests/"
		n=$((n + 1))
	done
	[ $n -gt 0 ] || die "no vfio selftest program was built (log: build/logs/vfio-selftests-build.log)"
	"$TOP/scripts/build-initramfs.sh" --extra "$dest" "$OUT/initramfs-vfio-selftests.cpio.gz"
	vlog "vfio selftests: $n programs"
}

main "$@"
