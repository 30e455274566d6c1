#!/usr/bin/env bash
# check-docs.sh - the Documentation pages that the kernel series adds or
# changes, parsed with docutils (scripts/check-docs.py says why not Sphinx).
# Prints TAP and "N passed, N failed".
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local tree=$BUILD/linux
	local -a pages

	need_file "$tree/.git" "kernel tree (run 'make tree')"
	mapfile -t pages < <(git -C "$tree" diff --name-only --diff-filter=AM \
		base series -- 'Documentation/*.rst')
	# Debian's python3 has docutils (package python3-docutils).
	/usr/bin/python3 "$TOP/scripts/check-docs.py" "$tree" "${pages[@]}"
}

main "$@"
