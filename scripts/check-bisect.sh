#!/usr/bin/env bash
# check-bisect.sh [linux|mainline] - build every prefix of a kernel series
# (default linux, the 6.12 one; see series_kernel in lib.sh), so that the
# series stays bisectable.
#
# The prefixes are checked out one after the other in a worktree of the
# series' tree of its own (build/bisect/linux, build/bisect-mainline/linux)
# and built in objects of its own next to it, at the depth of the bench
# kernel's, from that kernel's .config: ccache (see kernel_make in lib.sh)
# then gives each build what an earlier build of the same file had, and
# nothing else that builds or reads the series' tree or its kernel's
# objects waits for this check or sees its checkouts, so that it can run
# beside the guest groups. A patch that touches kernel code gets a kernel
# build; one that touches the selftests gets the kselftest target built
# against that prefix's uapi headers; one that touches neither
# (documentation, MAINTAINERS) needs no build: the docs group checks it.
# A prefix that built once is remembered by commit id (git am makes them
# reproducible) and skipped later.
# Prints TAP and "N passed, N failed".
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# bisect_tree - SRC and OUT, the worktree and the objects of this check,
# made if they are not there, with the bench kernel's .config
bisect_tree() {
	local dir=$BUILD/bisect$SERIES_TAG

	SRC=$dir/linux OUT=$dir/kbuild/default
	if [ ! -e "$SRC/.git" ]; then
		rm -rf "$SRC"
		git -C "$REPO" worktree prune
		git -C "$REPO" worktree add -q --detach "$SRC" series
	fi
	mkdir -p "$OUT"
	cmp -s "$KOUT/.config" "$OUT/.config" || cp "$KOUT/.config" "$OUT/.config"
}

# touches COMMIT - what the commit changes: "kernel", "selftests", both
# or neither, one word a line.
touches() {
	git -C "$SRC" diff-tree --no-commit-id --name-only -r "$1" | awk '
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
		run_quiet "$logf" kernel_make "$SRC" "$OUT" olddefconfig &&
			run_quiet "$logf" kernel_make "$SRC" "$OUT" -j"$(nproc)" bzImage ||
			return 1
	fi
	if grep -qx selftests <<<"$what"; then
		mkdir -p "$OUT/kselftest-bisect"
		run_quiet "$logf" kernel_make "$SRC" "$OUT" headers_install &&
			run_quiet "$logf" env -u MAKEFLAGS -u MAKELEVEL \
				make -C "$SRC/tools/testing/selftests/drivers/s390x/zpci" \
				"${KARCH[@]}" OUTPUT="$OUT/kselftest-bisect" USERLDFLAGS=-static \
				KHDR_INCLUDES="-isystem $OUT/usr/include" ||
			return 1
	fi
	[ -n "$what" ] || echo "documentation only" >"$logf"
}

main() {
	local ok c n=0 failed=0 subject logf
	local -a commits

	series_kernel "${1:-linux}"
	hold_lock "bisect$SERIES_TAG"
	ok=$BUILD/state/bisect-ok$SERIES_TAG
	need_file "$REPO/.git" "kernel tree (run 'make tree')"
	need_file "$KOUT/.config" "bench kernel config (run 'make kernel')"
	mapfile -t commits < <(git -C "$REPO" rev-list --reverse base..series)
	mkdir -p "$BUILD/state" "$BUILD/logs"
	touch "$ok"

	echo "1..${#commits[@]}"
	for c in "${commits[@]}"; do
		n=$((n + 1))
		subject=$(git -C "$REPO" log -1 --format=%s "$c")
		if grep -qx "$c" "$ok"; then
			echo "ok $n builds: $subject # cached"
			continue
		fi
		[ -n "${SRC:-}" ] || bisect_tree
		git -C "$SRC" checkout -q --detach "$c"
		logf=$BUILD/logs/bisect$SERIES_TAG-$n.log
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
