#!/usr/bin/env bash
# check-patches.sh linux|mainline|qemu [DIR] - run the tree's own checkpatch.pl on
# every patch of the series in DIR (default patches/NAME): the kernel's with
# --strict, QEMU's as it is. Ignored: MISSING_SIGN_OFF, since whoever posts
# the series adds their own DCO, and UNKNOWN_COMMIT_ID, since the trees
# have no upstream history to look a Fixes: id up in. A patch of an overlay
# that is not for upstream (subject "NOT FOR MERGING" or "REPRODUCER")
# is skipped. A patch that passed before with the same checkpatch is not
# checked again (passed_before). Prints TAP and "N passed, N failed".
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local name=${1:-} dir p n=0 failed=0 out cp stamp
	local -a args files data

	tree_vars "$name"
	dir=$(realpath "${2:-$SERIES_DIR}")
	cp=$TREE/scripts/checkpatch.pl
	need_file "$cp" "checkpatch.pl of build/$name (run 'make tree')"
	case "$name" in
	linux | mainline) args=(--strict --show-types --ignore "MISSING_SIGN_OFF,UNKNOWN_COMMIT_ID"
		--no-summary --quiet) ;;
	qemu) args=(--no-signoff --no-summary --quiet) ;;
	esac
	# what checkpatch.pl reads besides the patch
	mapfile -t data < <(find "$TREE/scripts" -maxdepth 1 -type f \
		\( -name spelling.txt -o -name const_structs.checkpatch \
		-o -name spdxcheck.py \) | sort)
	mapfile -t files < <(series_files "$dir")
	series_files "$dir" >/dev/null
	echo "1..${#files[@]}"
	for p in "${files[@]}"; do
		n=$((n + 1))
		if grep -qE '^Subject: \[PATCH[^]]*\] (NOT FOR MERGING|REPRODUCER)' "$p"; then
			echo "ok $n checkpatch $name: $(basename "$p") # SKIP not for upstream"
			continue
		fi
		stamp=$(stamp_of <(printf '%s\n' "${args[@]}") "$0" "$cp" "${data[@]}" "$p")
		if passed_before "checkpatch-$name" "$stamp"; then
			echo "ok $n checkpatch $name: $(basename "$p") (unchanged since it passed)"
		# Debian's python3 has the modules that spdxcheck.py needs.
		elif out=$(cd "$TREE" && PATH=/usr/bin:$PATH "$cp" "${args[@]}" "$p" 2>&1) &&
			! grep -qE '^(ERROR|WARNING|CHECK)' <<<"$out"; then
			remember_pass "checkpatch-$name" "$stamp"
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
