#!/usr/bin/env bash
# fetch-stock-qemu.sh - Debian's own s390x qemu-system-s390x of the pinned
# version (package qemu-system-misc, unpatched), the baseline VMM of make
# bench, into build/out/stock-qemu/: the binary and the shared libraries
# it needs, with their loader, to run inside the bench guest as
#
#   stock-qemu/lib/ld64.so.1 --library-path stock-qemu/lib \
#       stock-qemu/qemu-system-s390x ...
#
# The packages come through the private apt root of the bench's s390x
# packages (apt_root in lib.sh); the host's dpkg architectures stay as
# they are.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

PKG=qemu-system-misc

# needed_libs DIR FILE... - the shared libraries that FILE... need,
# recursively, as file names under DIR's library directories
needed_libs() {
	local dir=$1 lib f
	local -A seen=()
	local -a todo
	shift
	todo=("$@")
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		while read -r lib; do
			[ -n "${seen[$lib]:-}" ] && continue
			seen[$lib]=1
			f=$(find "$dir/lib/s390x-linux-gnu" "$dir/usr/lib/s390x-linux-gnu" \
				-maxdepth 1 -name "$lib" 2>/dev/null | head -n 1)
			[ -n "$f" ] || die "$lib, needed by the stock QEMU, is in none of the packages"
			printf '%s\n' "$f"
			todo+=("$f")
		done < <(s390x-linux-gnu-readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
	done
}

main() {
	local root=$BUILD/cache/apt-s390x dir=$BUILD/cache/stock-qemu out=$OUT/stock-qemu
	local stage=$dir/root deb lib
	local -a pkgs

	load_pins
	need_cmd s390x-linux-gnu-readelf
	if [ "$(cat "$out/.bench-version" 2>/dev/null)" = "$STOCK_QEMU_VERSION" ]; then
		return 0
	fi
	log "downloading Debian's $PKG $STOCK_QEMU_VERSION for s390x and its libraries"
	apt_root "$root" s390x "${DEBIAN_S390X_SOURCES[@]}"
	# Every library in the dependency closure; the loader comes with libc6
	mapfile -t pkgs < <(apt-cache "${APT_OPTS[@]}" depends --recurse \
		--no-recommends --no-suggests --no-conflicts --no-breaks \
		--no-replaces --no-enhances "$PKG=$STOCK_QEMU_VERSION" 2>>"$APT_LOG" |
		grep -E '^(lib|zlib)[^ ]*$' | sort -u)
	[ ${#pkgs[@]} -gt 0 ] || die "cannot resolve the dependencies of $PKG (log: ${APT_LOG#"$TOP"/})"
	rm -rf "$dir" "$out"
	mkdir -p "$dir/debs" "$stage" "$out/lib"
	(cd "$dir/debs" && apt-get "${APT_OPTS[@]}" download \
		"$PKG=$STOCK_QEMU_VERSION" "${pkgs[@]}") >>"$APT_LOG" 2>&1 ||
		die "cannot download $PKG=$STOCK_QEMU_VERSION for s390x (log: ${APT_LOG#"$TOP"/})"
	for deb in "$dir"/debs/*.deb; do
		dpkg-deb -x "$deb" "$stage"
	done
	need_file "$stage/usr/bin/qemu-system-s390x" "qemu-system-s390x in $PKG"
	cp -p "$stage/usr/bin/qemu-system-s390x" "$out/"
	# Not in a process substitution, where a failure would go unnoticed
	needed_libs "$stage" "$stage/usr/bin/qemu-system-s390x" >"$dir/libs"
	while read -r lib; do
		cp -pL "$lib" "$out/lib/"
	done <"$dir/libs"
	cp -pL "$stage/lib/ld64.so.1" "$out/lib/ld64.so.1"
	rm -rf "$dir"
	printf '%s\n' "$STOCK_QEMU_VERSION" >"$out/.bench-version"
	vlog "stock QEMU: $(du -sh "$out" | cut -f1)"
}

main "$@"
