#!/usr/bin/env bash
# summary.sh FILE - print the test groups recorded by record.sh and the
# total as the final line "N passed, N failed". Fails if any group failed.
# The seconds are the group's own, builds that make ran before it not
# included.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local file=${1:-} name p f rc secs tp=0 tf=0

	[ -n "$file" ] || die "usage: $PROG FILE"
	[ -s "$file" ] || die "no test group ran ($file is empty)"
	printf '%-22s %8s %8s %8s\n' group passed failed seconds
	while read -r name p f rc secs; do
		printf '%-22s %8d %8d %8s%s\n' "$name" "$p" "$f" "${secs:--}" \
			"$([ "$rc" = 0 ] || printf '   (exit %s)' "$rc")"
		tp=$((tp + p))
		tf=$((tf + f))
	done <"$file"
	echo "$tp passed, $tf failed"
	[ "$tf" = 0 ]
}

main "$@"
