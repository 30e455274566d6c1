#!/usr/bin/env bash
# fetch-base.sh NAME DIR - unpack the pinned upstream source of NAME (linux,
# mainline or qemu) into DIR, which must not exist. Verifies the pinned
# checksums.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

fetch_linux() {
	local dir=$1 have sum

	need_file "$LINUX_TARBALL" "kernel tarball (run 'make setup')"
	have=$(dpkg-query -W -f='${Version}' "$LINUX_PKG" 2>/dev/null || true)
	if [ "$have" = "$LINUX_VERSION" ]; then
		sum=$(sha256sum "$LINUX_TARBALL" | cut -d' ' -f1)
		[ "$sum" = "$LINUX_SHA256" ] ||
			die "$LINUX_TARBALL: sha256 $sum, pinned $LINUX_SHA256"
	else
		warn "*****************************************************************"
		warn "kernel base is $LINUX_PKG $have, NOT the pinned $LINUX_VERSION"
		warn "*****************************************************************"
	fi
	mkdir -p "$dir"
	tar -C "$dir" --strip-components=1 -xf "$LINUX_TARBALL" ||
		die "cannot unpack $LINUX_TARBALL"
}

# The mainline kernel: the tarball inside the pinned .deb (fetch_mainline_deb
# in lib.sh checks its sha256).
fetch_mainline() {
	local dir=$1

	fetch_mainline_deb
	mkdir -p "$dir"
	mainline_tarball | tar -xJ -C "$dir" --strip-components=1 ||
		die "cannot unpack the kernel tarball of ${MAINLINE_DEB#"$TOP"/}"
}

fetch_qemu() {
	local dir=$1 cache=$BUILD/cache/qemu dsc sum

	dsc=$cache/${QEMU_SRC_PKG}_${QEMU_VERSION#*:}.dsc
	mkdir -p "$cache"
	if [ ! -f "$dsc" ]; then
		(cd "$cache" && apt-get source -q --download-only \
			"$QEMU_SRC_PKG=$QEMU_VERSION") >"$BUILD/logs/qemu-source.log" 2>&1 ||
			die "apt-get source $QEMU_SRC_PKG=$QEMU_VERSION failed (deb-src entry? run 'make setup'; log: build/logs/qemu-source.log)"
	fi
	sum=$(sha256sum "$dsc" | cut -d' ' -f1)
	[ "$sum" = "$QEMU_DSC_SHA256" ] ||
		die "$dsc: sha256 $sum, pinned $QEMU_DSC_SHA256"
	# dpkg-source checks every file of the package against the .dsc.
	dpkg-source -q --no-copy -x "$dsc" "$dir" >"$BUILD/logs/qemu-unpack.log" 2>&1 ||
		die "dpkg-source -x $dsc failed (log: build/logs/qemu-unpack.log)"
	rm -rf "$dir/.pc"
}

main() {
	[ $# = 2 ] || die "usage: $PROG linux|mainline|qemu DIR"
	[ ! -e "$2" ] || die "$2 exists already"
	load_pins
	mkdir -p "$BUILD/logs"
	case "$1" in
	linux) fetch_linux "$2" ;;
	mainline) fetch_mainline "$2" ;;
	qemu) fetch_qemu "$2" ;;
	*) die "unknown base '$1'" ;;
	esac
}

main "$@"
