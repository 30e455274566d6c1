#!/usr/bin/env bash
# build-qemu.sh - build qemu-system-s390x from build/qemu into
# build/out/qemu-system-s390x: the s390x system target only, no docs, no
# tools, no tests. Configures once; later runs are incremental.
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

main() {
	local src=$BUILD/qemu bdir=$BUILD/qemu-build stamp

	need_cmd ninja pkg-config
	need_file "$src/configure" "QEMU tree (run 'make tree')"
	mkdir -p "$bdir" "$OUT" "$BUILD/logs"
	export CCACHE_DIR=$BUILD/ccache
	stamp=$(printf '%s\n' "${CONFIGURE_ARGS[@]}" | sha256sum | cut -d' ' -f1)
	if [ ! -f "$bdir/build.ninja" ] || [ "$(cat "$bdir/.bench-configure" 2>/dev/null)" != "$stamp" ]; then
		log "configuring QEMU"
		(cd "$bdir" && run_quiet "$BUILD/logs/qemu-configure.log" \
			"$src/configure" --cc="ccache gcc" "${CONFIGURE_ARGS[@]}") ||
			die "QEMU configure failed (log: build/logs/qemu-configure.log)"
		printf '%s\n' "$stamp" >"$bdir/.bench-configure"
	fi
	log "building QEMU"
	run_quiet "$BUILD/logs/qemu-build.log" ninja -C "$bdir" -j"$(nproc)" qemu-system-s390x ||
		die "QEMU build failed (log: build/logs/qemu-build.log)"
	cp -p "$bdir/qemu-system-s390x" "$OUT/qemu-system-s390x"
}

main "$@"
