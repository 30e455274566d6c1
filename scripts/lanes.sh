#!/usr/bin/env bash
# lanes.sh "TARGET..." "TARGET..." ... - run make's TARGETs in lanes: the
# lanes side by side, the targets of a lane one after the other, each in a
# make of its own. A test group's guest leaves much of the machine idle
# (TCG, waits in the guest), so two lanes of groups take about half the
# time of one. Each target's output is printed in one piece when it ends,
# after a line when it starts. Exits non-zero if a make failed; the other
# targets still run, as in one make with KEEP_GOING=1 (record.sh).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# say - print stdin whole, not interleaved with another lane's
say() {
	flock "$LOCKFD" cat
}

# lane N TARGET... - the targets one after the other; fails if one failed
lane() {
	local n=$1 t rc=0 out
	shift

	for t in "$@"; do
		out=$TMPD/$n-$t.out
		echo "lanes: lane $n: $t" | say
		top_make --no-print-directory "$t" >"$out" 2>&1 || {
			echo "lanes: lane $n: make $t failed" >>"$out"
			rc=1
		}
		say <"$out"
	done
	return $rc
}

remove_tmpd() {
	rm -rf "$TMPD"
}

main() {
	local n=0 rc=0 pid
	local -a pids=() targets

	[ $# -gt 0 ] || die "usage: $PROG \"TARGET...\" ..."
	TMPD=$(mktemp -d)
	at_exit remove_tmpd
	exec {LOCKFD}>"$TMPD/say.lock"
	for l in "$@"; do
		n=$((n + 1))
		read -r -a targets <<<"$l"
		lane "$n" "${targets[@]}" &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || rc=1
	done
	return $rc
}

main "$@"
