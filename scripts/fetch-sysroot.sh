#!/usr/bin/env bash
# fetch-sysroot.sh - unpack the s390x libraries that a static build of
# QEMU for s390x links (build-qemu.sh s390x) into build/cache/sysroot-s390x:
# Debian's s390x -dev packages of glib, pcre2, pixman and zlib, and what
# glib's static pkg-config files name, fetched through the private apt
# root of the bench's s390x packages (apt_root in lib.sh), so the host's
# dpkg architectures stay as they are. The C library comes from the cross
# toolchain (libc6-dev-s390x-cross).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

PACKAGES=(
	libglib2.0-dev libpcre2-dev libpixman-1-dev zlib1g-dev libffi-dev
	libmount-dev libblkid-dev libselinux1-dev libsepol-dev
)

main() {
	local root=$BUILD/cache/apt-s390x dir=$BUILD/cache/sysroot-debs
	local sysroot=$BUILD/cache/sysroot-s390x stamp deb

	stamp=$(printf '%s\n' "${PACKAGES[@]}" | stamp_of -)
	[ "$(cat "$sysroot/.bench-stamp" 2>/dev/null)" = "$stamp" ] && return 0
	log "downloading the s390x libraries for QEMU: ${PACKAGES[*]}"
	apt_root "$root" s390x "${DEBIAN_S390X_SOURCES[@]}"
	rm -rf "$dir" "$sysroot"
	mkdir -p "$dir" "$sysroot"
	(cd "$dir" && apt-get "${APT_OPTS[@]}" download "${PACKAGES[@]}") >>"$APT_LOG" 2>&1 ||
		die "cannot download ${PACKAGES[*]} for s390x (log: ${APT_LOG#"$TOP"/})"
	for deb in "$dir"/*.deb; do
		dpkg-deb -x "$deb" "$sysroot"
	done
	printf '%s\n' "$stamp" >"$sysroot/.bench-stamp"
}

main "$@"
