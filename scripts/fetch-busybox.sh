#!/usr/bin/env bash
# fetch-busybox.sh - download the pinned busybox-static for s390x into
# build/cache/busybox/ and extract the binary to build/cache/busybox/busybox.
#
# It uses a private apt root (its own source list, lists and cache under
# build/cache/apt-s390x), so the host's dpkg architecture list and apt
# state stay untouched.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local root=$BUILD/cache/apt-s390x dir=$BUILD/cache/busybox deb apt_opts

	load_pins
	# apt writes the epoch's colon as %3a
	deb=$dir/${BUSYBOX_PKG}_${BUSYBOX_VERSION/:/%3a}_s390x.deb
	if [ -x "$dir/busybox" ] && [ -f "$deb" ]; then
		return 0
	fi
	mkdir -p "$root/lists/partial" "$root/cache/archives/partial" "$dir" "$BUILD/logs"
	cat >"$root/sources.list" <<-EOF
		deb [arch=s390x signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
		deb [arch=s390x signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
	EOF
	apt_opts=(
		-o APT::Architecture=s390x -o APT::Architectures::=s390x
		-o Dir::Etc::SourceList="$root/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$root/lists" -o Dir::Cache="$root/cache"
		-o Dir::State::status=/dev/null -o Debug::NoLocking=1
		-o APT::Sandbox::User=root
	)
	log "downloading $BUSYBOX_PKG $BUSYBOX_VERSION for s390x"
	apt-get "${apt_opts[@]}" update >"$BUILD/logs/busybox-apt.log" 2>&1 ||
		die "apt-get update for s390x failed (log: build/logs/busybox-apt.log)"
	(cd "$dir" && apt-get "${apt_opts[@]}" download \
		"$BUSYBOX_PKG=$BUSYBOX_VERSION") >>"$BUILD/logs/busybox-apt.log" 2>&1 ||
		die "cannot download $BUSYBOX_PKG=$BUSYBOX_VERSION for s390x (log: build/logs/busybox-apt.log)"
	[ "$(dpkg-deb -f "$deb" Version)" = "$BUSYBOX_VERSION" ] ||
		die "$deb is not version $BUSYBOX_VERSION"
	rm -rf "$dir/x"
	dpkg-deb -x "$deb" "$dir/x"
	install -m 0755 "$dir/x/bin/busybox" "$dir/busybox"
	rm -rf "$dir/x"
}

main "$@"
