#!/usr/bin/env bash
# Install what the bench needs from Debian's archive: idempotent, and quick
# (no apt call at all) when everything is already present.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

PACKAGES=(
	# host build tools
	make gcc libc6-dev git perl python3 cpio xz-utils gzip bc flex bison
	libssl-dev libelf-dev ccache dpkg-dev rsync
	# s390x cross toolchain, also for static guest programs
	gcc-s390x-linux-gnu libc6-dev-s390x-cross
	# QEMU build and firmware
	meson ninja-build pkg-config libglib2.0-dev libpixman-1-dev zlib1g-dev
	qemu-system-data
	# for QEMU's cdrom-test (the qtest group), which skips without it
	genisoimage
	# checks and plots
	sparse shellcheck gnuplot-nox python3-ply python3-git python3-docutils
)

SRC_LIST=/etc/apt/sources.list.d/zpci-bench-src.sources

missing_packages() {
	local p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || printf '%s\n' "$p"
	done
}

linux_installed_version() {
	dpkg-query -W -f='${Version}' "$LINUX_PKG" 2>/dev/null || true
}

# The deb-src entry that 'apt-get source qemu' needs, for the same archive
# as the host's binary packages.
want_deb_src() {
	[ -f "$SRC_LIST" ] && return 1
	# grep -c reads all of the output: with -q, apt-cache could die of
	# SIGPIPE and pipefail would make a match look like a miss.
	[ "$(apt-cache showsrc "$QEMU_SRC_PKG" 2>/dev/null |
		grep -cx "Version: $QEMU_VERSION")" != 0 ] && return 1
	return 0
}

write_deb_src() {
	local suites
	cat >"$SRC_LIST" <<-EOF
		# Added by the zPCI bench (scripts/setup-host.sh) for 'apt-get source qemu'.
		Types: deb-src
		URIs: http://deb.debian.org/debian
		Suites: bookworm bookworm-updates
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

		Types: deb-src
		URIs: http://deb.debian.org/debian-security
		Suites: bookworm-security
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	suites=$(grep -c '^Suites:' "$SRC_LIST")
	vlog "wrote $SRC_LIST ($suites entries)"
}

# Install the pinned linux-source, or the newest 6.12 if the archive no
# longer has the pinned one.
install_linux_source() {
	if [ "$(apt-cache madison "$LINUX_PKG" | grep -cF "| $LINUX_VERSION |")" != 0 ]; then
		apt_install "$LINUX_PKG=$LINUX_VERSION"
		return
	fi
	warn "*****************************************************************"
	warn "pinned $LINUX_PKG $LINUX_VERSION is no longer in the archive:"
	warn "FALLING BACK to the newest $LINUX_PKG; results are not for the pin"
	warn "*****************************************************************"
	apt_install "$LINUX_PKG"
}

apt_install() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "$@" >"$BUILD/logs/apt-install.log" 2>&1 ||
		{
			tail -n 5 "$BUILD/logs/apt-install.log" >&2
			die "apt-get install $* failed (log: build/logs/apt-install.log)"
		}
}

main() {
	local missing need_update=0

	record_step setup
	load_pins
	mkdir -p "$BUILD/logs"
	mapfile -t missing < <(missing_packages)
	[ "$(linux_installed_version)" = "$LINUX_VERSION" ] || need_update=1
	want_deb_src && need_update=1
	[ ${#missing[@]} -gt 0 ] && need_update=1
	if [ $need_update = 0 ]; then
		vlog "host packages present"
		return 0
	fi

	[ "$(id -u)" = 0 ] ||
		die "need root to install: ${missing[*]} $LINUX_PKG=$LINUX_VERSION (or install them yourself)"
	want_deb_src && write_deb_src
	log "apt-get update"
	apt-get update -q >"$BUILD/logs/apt-update.log" 2>&1 ||
		die "apt-get update failed (log: build/logs/apt-update.log)"
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing ${missing[*]}"
		apt_install "${missing[@]}"
	fi
	[ "$(linux_installed_version)" = "$LINUX_VERSION" ] || install_linux_source
}

main "$@"
