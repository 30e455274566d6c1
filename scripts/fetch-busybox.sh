#!/usr/bin/env bash
# fetch-busybox.sh - download the pinned busybox-static for s390x into
# build/cache/busybox/ and extract the binary to build/cache/busybox/busybox.
#
# It uses a private apt root (apt_download in lib.sh: its own source list,
# lists and cache under build/cache/apt-s390x), so the host's dpkg
# architecture list and apt state stay untouched.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local dir=$BUILD/cache/busybox deb

	load_pins
	# apt writes the epoch's colon as %3a
	deb=$dir/${BUSYBOX_PKG}_${BUSYBOX_VERSION/:/%3a}_s390x.deb
	if [ -x "$dir/busybox" ] && [ -f "$deb" ]; then
		return 0
	fi
	apt_download "$BUILD/cache/apt-s390x" s390x "$dir" "$BUSYBOX_PKG" "$BUSYBOX_VERSION" \
		"${DEBIAN_S390X_SOURCES[@]}"
	rm -rf "$dir/x"
	dpkg-deb -x "$APT_DEB" "$dir/x"
	install -m 0755 "$dir/x/bin/busybox" "$dir/busybox"
	rm -rf "$dir/x"
}

main "$@"
