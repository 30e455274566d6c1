#!/usr/bin/env bash
# summary.sh FILE - print the test groups recorded by record.sh and the
# total as the final line "N passed, N failed". Fails if any group failed.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local file=${1:-} name p f rc tp=0 tf=0

	[ -n "$file" ] || die "usage: $PROG FILE"
	[ -s "$file" ] || die "no test group ran ($file is empty)"
	printf '%-20s %8s %8s\n' group passed failed
	while read -r name p f rc; do
		printf '%-20s %8d %8d%s\n' "$name" "$p" "$f" \
			"$([ "$rc" = 0 ] || printf '   (exit %s)' "$rc")"
		tp=$((tp + p))
		tf=$((tf + f))
	done <"$file"
	echo "$tp passed, $tf failed"
	[ "$tf" = 0 ]
}

main "$@"
