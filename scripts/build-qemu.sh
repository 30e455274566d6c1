#!/usr/bin/env bash
# build-qemu.sh [host|s390x|base] - build qemu-system-s390x from build/qemu: the
# s390x system target only, no docs, no tools, no tests. Configures once;
# later runs are incremental.
#
#   host    (default) for this machine, the QEMU that runs the bench guest:
#           build/out/qemu-system-s390x
#   s390x   a static binary for s390x, the VMM that runs inside the bench
#           guest (the vmm group): build/out/qemu-system-s390x.s390x,
#           against Debian's s390x libraries (fetch-sysroot.sh)
#   base    for this machine, from the pinned base without the series
#           (build/qemu-base/qemu, unpacked by fetch-base.sh): the
#           unpatched QEMU that the qtest group compares with,
#           build/qemu-base/qemu-build/qemu-system-s390x
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

CONFIGURE_ARGS=(
	--target-list=s390x-softmmu
	--without-default-features
	--enable-tcg
	--disable-docs
	--disable-tools
	--disable-user
	--disable-install-blobs
)

# The static s390x build: glib, pcre2, pixman and zlib from the sysroot,
# found by pkg-config through a wrapper that points it there.
CROSS=s390x-linux-gnu-
S390X_ARGS=(
	--cross-prefix="$CROSS"
	--static
	--disable-werror
)

pkg_config_wrapper() { # SYSROOT WRAPPER
	cat >"$2" <<-EOF
		#!/bin/sh
		# pkg-config for the s390x sysroot $1 (build-qemu.sh)
		PKG_CONFIG_SYSROOT_DIR=$1
		PKG_CONFIG_LIBDIR=$1/usr/lib/s390x-linux-gnu/pkgconfig:$1/usr/share/pkgconfig
		export PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
		exec pkg-config "\$@"
	EOF
	chmod +x "$2"
}

# base_source DIR - the pinned QEMU base in DIR, unpacked again when the
# pin changes.
base_source() {
	local dir=$1 id

	load_pins
	id="qemu $QEMU_VERSION $QEMU_DSC_SHA256"
	[ "$(cat "$dir/.bench-base" 2>/dev/null)" != "$id" ] || return 0
	log "unpacking the QEMU base into ${dir#"$TOP"/}"
	rm -rf "$dir" "$dir.new"
	mkdir -p "$(dirname "$dir")"
	"$TOP/scripts/fetch-base.sh" qemu "$dir.new"
	printf '%s\n' "$id" >"$dir.new/.bench-base"
	mv "$dir.new" "$dir"
}

main() {
	local variant=${1:-host} src=$BUILD/qemu bdir cc out stamp sysroot
	local -a args=("${CONFIGURE_ARGS[@]}") env=()

	need_cmd ninja pkg-config
	lock_step "qemu-$variant"
	case "$variant" in
	host)
		bdir=$QEMU_BDIR cc="ccache gcc" out=$OUT/qemu-system-s390x
		;;
	s390x)
		need_cmd ${CROSS}gcc
		bdir=$BUILD/qemu-build-s390x cc="ccache ${CROSS}gcc"
		out=$OUT/qemu-system-s390x.s390x
		sysroot=$BUILD/cache/sysroot-s390x
		"$TOP/scripts/fetch-sysroot.sh"
		mkdir -p "$bdir"
		pkg_config_wrapper "$sysroot" "$bdir/pkg-config-s390x"
		args+=("${S390X_ARGS[@]}")
		env=(PKG_CONFIG="$bdir/pkg-config-s390x")
		;;
	base)
		bdir=$QEMU_BASE_BDIR src=$BUILD/qemu-base/qemu cc="ccache gcc"
		out=$OUT/qemu-system-s390x.base
		base_source "$src"
		;;
	*) die "usage: $PROG [host|s390x|base]" ;;
	esac
	need_file "$src/configure" "QEMU tree (run 'make tree')"
	mkdir -p "$bdir" "$OUT" "$BUILD/logs"
	export "${QEMU_CCACHE[@]}"
	stamp=$(printf '%s\n' "${args[@]}" "${env[@]}" | sha256sum | cut -d' ' -f1)
	if [ ! -f "$bdir/build.ninja" ] || [ "$(cat "$bdir/.bench-configure" 2>/dev/null)" != "$stamp" ]; then
		log "configuring QEMU ($variant)"
		(cd "$bdir" && run_quiet "$BUILD/logs/qemu-configure-$variant.log" \
			env "${env[@]}" "$src/configure" --cc="$cc" "${args[@]}") ||
			die "QEMU configure ($variant) failed (log: build/logs/qemu-configure-$variant.log)"
		printf '%s\n' "$stamp" >"$bdir/.bench-configure"
	fi
	log "building QEMU ($variant)"
	run_quiet "$BUILD/logs/qemu-build-$variant.log" \
		env "${env[@]}" ninja -C "$bdir" -j"$(nproc)" qemu-system-s390x ||
		die "QEMU build ($variant) failed (log: build/logs/qemu-build-$variant.log)"
	install_output "$bdir/qemu-system-s390x" "$out"
	log "QEMU ($variant) done in ${SECONDS}s"
}

main "$@"
