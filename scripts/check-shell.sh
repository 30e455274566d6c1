#!/usr/bin/env bash
# check-shell.sh - shellcheck every bash script of the bench (and the
# guest's busybox sh scripts as POSIX sh). Prints TAP and
# "N passed, N failed".
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local f n=0 failed=0 out shell
	local -a files

	need_cmd shellcheck
	cd "$TOP"
	mapfile -t files < <(git ls-files -co --exclude-standard -- 'scripts/*.sh' \
		'tests/*.sh' '.ci/run' 'guest/init' 'guest/nested/init' 'guest/run-suite' 'guest/*.sh' \
		'tools/*.sh')
	echo "1..${#files[@]}"
	for f in "${files[@]}"; do
		n=$((n + 1))
		shell=bash
		case "$f" in guest/*) shell='sh' ;; esac
		if out=$(shellcheck -x -s "$shell" "$f" 2>&1); then
			echo "ok $n shellcheck $f"
		else
			echo "not ok $n shellcheck $f"
			tap_diag <<<"$out"
			failed=$((failed + 1))
		fi
	done
	echo "$((n - failed)) passed, $failed failed"
	[ $failed = 0 ]
}

main "$@"
