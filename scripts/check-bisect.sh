#!/usr/bin/env bash
# check-bisect.sh - build every prefix of the kernel series, so that the
# series stays bisectable.
#
# The prefixes are checked out one after the other in build/linux itself
# and built in the bench kernel's object tree, so each build only redoes
# what the patches touch. A patch that touches kernel code gets a kernel
# build; one that touches the selftests gets the kselftest target built
# against that prefix's uapi headers; one that touches neither
# (documentation, MAINTAINERS) needs no build: the docs group checks it.
# The branch and .config are restored afterwards, also on failure. A
# prefix that built once is remembered by commit id (git am makes them
# reproducible) and skipped later.
# Prints TAP and "N passed, N failed".
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

REPO=$BUILD/linux
KOUT=$BUILD/kbuild/default

restore() {
	git -C "$REPO" checkout -q series
	if [ -f "$KOUT/.config.bisect-saved" ]; then
		mv "$KOUT/.config.bisect-saved" "$KOUT/.config"
		kernel_make "$REPO" "$KOUT" olddefconfig >/dev/null 2>&1 || true
	fi
	# the uapi headers of the series, for the builds that use them
	kernel_make "$REPO" "$KOUT" headers_install >/dev/null 2>&1 || true
}

# touches COMMIT - what the commit changes: "kernel", "selftests", both
# or neither, one word a line.
touches() {
	git -C "$REPO" diff-tree --no-commit-id --name-only -r "$1" | awk '
		/^tools\/testing\/selftests\// { st = 1; next }
		/^Documentation\// || /^MAINTAINERS$/ { next }
		{ k = 1 }
		END { if (k) print "kernel"; if (st) print "selftests" }'
}

# build_prefix COMMIT LOG - build what COMMIT touches, at COMMIT.
build_prefix() {
	local c=$1 logf=$2 what

	what=$(touches "$c")
	: >"$logf"
	if grep -qx kernel <<<"$what"; then
		run_quiet "$logf" kernel_make "$REPO" "$KOUT" olddefconfig &&
			run_quiet "$logf" kernel_make "$REPO" "$KOUT" -j"$(nproc)" bzImage ||
			return 1
	fi
	if grep -qx selftests <<<"$what"; then
		mkdir -p "$KOUT/kselftest-bisect"
		run_quiet "$logf" kernel_make "$REPO" "$KOUT" headers_install &&
			run_quiet "$logf" env -u MAKEFLAGS -u MAKELEVEL \
				make -C "$REPO/tools/testing/selftests/drivers/s390x/zpci" \
				"${KARCH[@]}" OUTPUT="$KOUT/kselftest-bisect" USERLDFLAGS=-static \
				KHDR_INCLUDES="-isystem $KOUT/usr/include" ||
			return 1
	fi
	[ -n "$what" ] || echo "documentation only" >"$logf"
}

main() {
	local ok=$BUILD/state/bisect-ok c n=0 failed=0 subject logf
	local -a commits

	need_file "$REPO/.git" "kernel tree (run 'make tree')"
	need_file "$KOUT/.config" "bench kernel config (run 'make kernel')"
	[ -z "$(git -C "$REPO" status --porcelain --untracked-files=no)" ] ||
		die "build/linux has uncommitted changes: commit them first"
	mapfile -t commits < <(git -C "$REPO" rev-list --reverse base..series)
	mkdir -p "$BUILD/state" "$BUILD/logs"
	touch "$ok"

	echo "1..${#commits[@]}"
	trap restore EXIT
	for c in "${commits[@]}"; do
		n=$((n + 1))
		subject=$(git -C "$REPO" log -1 --format=%s "$c")
		if grep -qx "$c" "$ok"; then
			echo "ok $n builds: $subject # cached"
			continue
		fi
		[ -f "$KOUT/.config.bisect-saved" ] ||
			cp "$KOUT/.config" "$KOUT/.config.bisect-saved"
		git -C "$REPO" checkout -q --detach "$c"
		logf=$BUILD/logs/bisect-$n.log
		if build_prefix "$c" "$logf"; then
			echo "$c" >>"$ok"
			echo "ok $n builds: $subject # $(touches "$c" | tr '\n' ' ' |
				sed 's/^$/documentation only/')"
		else
			echo "not ok $n builds: $subject # log: ${logf#"$TOP"/}"
			failed=$((failed + 1))
		fi
	done
	echo "$((n - failed)) passed, $failed failed"
	[ $failed = 0 ]
}

main "$@"
