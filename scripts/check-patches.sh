#!/usr/bin/env bash
# check-patches.sh linux|qemu [DIR] - run the tree's own checkpatch.pl on
# every patch of the series in DIR (default patches/NAME): the kernel's with
# --strict, QEMU's as it is. Only MISSING_SIGN_OFF is ignored: whoever posts
# the series adds their own DCO. Prints TAP and "N passed, N failed".
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local name=${1:-} dir p n=0 failed=0 out cp
	local -a args files

	tree_vars "$name"
	dir=${2:-$SERIES_DIR}
	cp=$TREE/scripts/checkpatch.pl
	need_file "$cp" "checkpatch.pl of build/$name (run 'make tree')"
	case "$name" in
	linux) args=(--strict --show-types --ignore MISSING_SIGN_OFF --no-summary --quiet) ;;
	qemu) args=(--no-signoff --no-summary --quiet) ;;
	esac
	mapfile -t files < <(series_files "$dir")
	series_files "$dir" >/dev/null
	echo "1..${#files[@]}"
	for p in "${files[@]}"; do
		n=$((n + 1))
		# Debian's python3 has the modules that spdxcheck.py needs.
		if out=$(cd "$TREE" && PATH=/usr/bin:$PATH "$cp" "${args[@]}" "$p" 2>&1) &&
			! grep -qE '^(ERROR|WARNING|CHECK)' <<<"$out"; then
			echo "ok $n checkpatch $name: $(basename "$p")"
		else
			echo "not ok $n checkpatch $name: $(basename "$p")"
			head -n 40 <<<"$out" | tap_diag
			failed=$((failed + 1))
		fi
	done
	echo "$((n - failed)) passed, $failed failed"
	[ $failed = 0 ]
}

main "$@"
