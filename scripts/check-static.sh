#!/usr/bin/env bash
# check-static.sh [linux|mainline] - sparse (C=2), W=1 and kernel-doc -Wall
# on the files a kernel series touches (default linux, the 6.12 one; see
# series_kernel in lib.sh). A warning counts only if the series adds it: the
# same checks run on the base versions of those files, and the base's
# warnings (some files have old ones) are subtracted, line numbers aside.
# Not run again on what passed before (passed_before). Prints TAP and
# "N passed, N failed".
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# The kernel sources the series touches (not selftests, not docs).
touched() {
	git -C "$REPO" diff --name-only --diff-filter=AM base series -- '*.c' '*.h' |
		grep -v -e '^tools/' -e '^Documentation/' || true
}

# warnings OUT - sparse + W=1 on the touched .c files that exist now, and
# kernel-doc on every touched file; normalised "file: message" lines.
warnings() {
	local f objs=() docs=()
	while read -r f; do
		[ -e "$REPO/$f" ] || continue
		docs+=("$f")
		case "$f" in *.c) objs+=("${f%.c}.o") ;; esac
	done < <(touched)
	{
		if [ ${#objs[@]} -gt 0 ]; then
			kernel_make "$REPO" "$KOUT" C=2 W=1 "${objs[@]}" 2>&1 || true
		fi
		if [ ${#docs[@]} -gt 0 ]; then
			(cd "$REPO" && scripts/kernel-doc -none -Wall "${docs[@]}" 2>&1) || true
		fi
	} | { grep -E '(warning|error):' || true; } |
		sed -E -e "s#^$REPO/##" -e 's#^(\.\./)+##' \
			-e 's#^([^:]+):[0-9]+(:[0-9]+)?: #\1: #' |
		LC_ALL=C sort >"$1"
}

# stamp - what the outcome depends on: the sources of base and series,
# the kernel's .config, the tools and this script
stamp() {
	{
		git -C "$REPO" rev-parse 'base^{tree}' 'series^{tree}'
		s390x-linux-gnu-gcc --version | head -n 1
		sparse --version 2>&1 || true
		cat "$KOUT/.config" "$0"
	} | stamp_of
}

main() {
	local tmp n=0 failed=0 f new st l

	series_kernel "${1:-linux}"
	need_file "$KOUT/.config" "bench kernel build (run 'make kernel')"
	st=$(stamp)
	if passed_before "static$SERIES_TAG" "$st"; then
		echo "1..$(touched | wc -l)"
		while read -r f; do
			n=$((n + 1))
			echo "ok $n sparse, W=1, kernel-doc: $f (unchanged since it passed)"
		done < <(touched)
		echo "$n passed, 0 failed"
		return 0
	fi
	# The base is checked out in the series' tree and built in its
	# kernel's objects below: no step may make that tree or kernel, or
	# build the selftests from that tree (build-selftests.sh), meanwhile,
	# such as a build of make -j or of another make beside this one.
	for l in "${SERIES_LOCKS[@]}"; do
		hold_lock "$l"
	done
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # expand $tmp now
	trap "rm -rf '$tmp'" EXIT
	warnings "$tmp/series"
	at_rev "$REPO" base warnings "$tmp/base"

	echo "1..$(touched | wc -l)"
	while read -r f; do
		n=$((n + 1))
		new=$(grep "^$f: " "$tmp/series" | LC_ALL=C comm -23 - "$tmp/base" || true)
		if [ -z "$new" ]; then
			echo "ok $n sparse, W=1, kernel-doc: $f"
		else
			echo "not ok $n sparse, W=1, kernel-doc: $f"
			tap_diag <<<"$new"
			failed=$((failed + 1))
		fi
	done < <(touched)
	echo "$((n - failed)) passed, $failed failed"
	[ $failed = 0 ] || return 1
	remember_pass "static$SERIES_TAG" "$st"
}

main "$@"
