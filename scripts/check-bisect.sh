#!/usr/bin/env bash
# check-bisect.sh - build every prefix of the kernel series, so that the
# series stays bisectable.
#
# The prefixes are checked out one after the other in build/linux itself
# and built in the bench kernel's object tree, so each build only redoes
# what the patches touch. The branch and .config are restored afterwards,
# also on failure. A prefix that built once is remembered by commit id
# (git am makes them reproducible) and skipped later.
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
		if run_quiet "$logf" kernel_make "$REPO" "$KOUT" olddefconfig &&
			run_quiet "$logf" kernel_make "$REPO" "$KOUT" -j"$(nproc)" bzImage; then
			echo "$c" >>"$ok"
			echo "ok $n builds: $subject"
		else
			echo "not ok $n builds: $subject # log: ${logf#"$TOP"/}"
			failed=$((failed + 1))
		fi
	done
	echo "$((n - failed)) passed, $failed failed"
	[ $failed = 0 ]
}

main "$@"
