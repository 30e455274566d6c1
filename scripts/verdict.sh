#!/usr/bin/env bash
# verdict.sh CONSOLE [TAP_OUT] - judge a guest run from its console log.
# GUEST_STATUS, if set and not 0, is the failed status of the run itself.
#
# The run passes only if the guest's TAP is complete (every plan met, at
# least one test) with no failure, and the console holds no kernel report
# from scripts/console-badness.txt. Writes the TAP to TAP_OUT (default
# build/results/results.tap) and ends with the line "N passed, N failed".
#
# ALLOW_FAILED=1 lists failed tests without failing the run for them, for
# a caller that judges them itself (vfio-selftests-test.sh compares them
# with the base kernel's); everything else is judged as always.
#
# EXPECT_HANG=1 inverts the lock part for the reproducer: the run passes
# only if the console shows a hung-task or lockdep report, or the guest
# was stopped by the timeout (console ends with "bench: hang detected").
#
# EXPECT_FAIL=REGEX is for a reproducer that a test catches by failing,
# not by hanging: the run passes only if it is clean otherwise and tests
# failed, every failed test's line matches REGEX, and the console has a
# line matching REPRO_WHY (the test's own reason, so that a failure for
# another reason does not count). EXPECT_EACH="TEST..." names tests of
# which each must have failed, for a run that reproduces several bugs at
# once (stock upstream against the fixes of a series); a failure of one
# of them also counts as one that EXPECT_FAIL matches, which then needs
# to match only the lines of their programs.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

BADNESS=$TOP/scripts/console-badness.txt

# The TAP lines of the console: ours start with TAP, a plan, ok/not ok or
# "#"; kernel messages start with a timestamp and are dropped.
extract_tap() {
	tr -d '\r' <"$1" | grep -E '^(TAP version |[0-9]+\.\.[0-9]+|ok |not ok |#)' || true
}

# count_tap TAP - print "passed failed skipped problems"; a problem is a
# broken plan or a program whose result contradicts its subtests. The guest
# prints one top-level stream per runner (run_kselftest.sh, run-suite), and
# a program may print several kselftest streams in a row (the bench driver
# does): each stream has its own plan.
count_tap() {
	awk '
	function close_stream() {
		if (nplan >= 0 && nres != nplan) problems++
		nplan = -1
		nres = 0
	}
	function close_prog() {
		if (!inprog) return
		close_stream()
		inprog = 0
	}
	function close_top() {
		if (ntop++ && (plan < 0 || top != plan)) problems++
		plan = -1
		top = 0
	}
	/^TAP version / { close_prog(); close_top(); next }
	/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
	/^# selftests: / { close_prog(); inprog = 1; nres = 0; nall = 0; nplan = -1; nfail = 0; next }
	/^# TAP version / { if (inprog) close_stream(); next }
	/^# 1\.\.[0-9]+/ { if (inprog) nplan = substr($2, 4) + 0; next }
	/^# (not )?ok [0-9]+/ {
		if (!inprog) next
		nres++
		nall++
		if ($2 == "not") { failed++; nfail++ }
		else if ($0 ~ /# [Ss][Kk][Ii][Pp]/) skipped++
		else passed++
		next
	}
	/^(not )?ok [0-9]+/ {
		top++
		bad = ($1 == "not")
		if (nall == 0) {
			if (bad) failed++
			else if ($0 ~ /# SKIP/) skipped++
			else passed++
		} else if (bad && nfail == 0) {
			failed++	# crashed or timed out after its subtests
		}
		close_prog()
		nall = 0
		next
	}
	END {
		close_prog()
		if (plan < 0 || top != plan) problems++
		printf "%d %d %d %d\n", passed, failed, skipped, problems
	}
	BEGIN { plan = -1 }
	' "$1"
}

# badness [lock] - the patterns of console-badness.txt, or only the lock
# problems and hangs among them.
badness() {
	if [ "${1:-}" = lock ]; then
		sed -n 's/^lock: //p' "$BADNESS"
	else
		grep -v -e '^#' -e '^$' "$BADNESS" | sed 's/^lock: //'
	fi
}

# scan_console CONSOLE - print the console lines that match a bad pattern.
scan_console() {
	tr -d '\r' <"$1" | grep -n -E -e "$(badness)" || true
}

# expect_fail CONSOLE TAP FAILED PROBLEMS BAD - the verdict of EXPECT_FAIL
expect_fail() {
	local console=$1 tap=$2 failed=$3 problems=$4 bad=$5 others t re missing=''
	local -a each=()

	for t in ${EXPECT_EACH:-}; do
		re="^(# )*not ok [0-9]+ ${t//./\\.}( |$)"
		each+=(-e "$re")
		grep -qE "$re" "$tap" || missing+=" $t"
	done
	others=$(grep -E '^(# )*not ok ' "$tap" | grep -vE -e "$EXPECT_FAIL" "${each[@]}" || true)
	if [ -z "$bad" ] && [ "$problems" = 0 ] && [ "$failed" != 0 ] && [ -z "$others" ] &&
		[ -z "$missing" ] && grep -qE -e "${REPRO_WHY:?}" "$console"; then
		echo "reproducer: the test failed as expected"
		grep -E -m 3 -e "$REPRO_WHY" "$console"
		# One pass per expected failure
		echo "$(wc -w <<<"${EXPECT_EACH:-1}") passed, 0 failed"
		return 0
	fi
	echo "reproducer: NOT caught as expected: the suite no longer catches ${REPRO_WHAT:-the bug}"
	[ -z "$bad" ] || printf 'console: %s\n' "$bad" | head -n 5
	[ -z "$others" ] || printf 'other failure: %s\n' "$others" | head -n 5
	[ -z "$missing" ] || echo "did not fail as expected:$missing"
	[ "$problems" = 0 ] || echo "TAP: incomplete (plan not met, crash or timeout)"
	echo "0 passed, 1 failed"
	return 1
}

summarise() {
	local tool=$BUILD/tools/lockdep-summary/lockdep-summary

	[ -x "$tool" ] || return 0
	echo "--- lock report summary (lockdep-summary) ---"
	"$tool" "$1" || true
}

main() {
	local console=${1:-} tap=${2:-$RESULTS/results.tap} bad
	local passed failed skipped problems ok=1 hung=0

	[ -n "$console" ] || die "usage: $PROG CONSOLE [TAP_OUT]"
	need_file "$console" "console log"
	mkdir -p "$(dirname "$tap")"
	extract_tap "$console" >"$tap"
	read -r passed failed skipped problems < <(count_tap "$tap")
	bad=$(scan_console "$console")

	if grep -q '^bench: hang detected' "$console" ||
		grep -qE -e "$(badness lock)" <<<"$bad"; then
		hung=1
	fi
	if [ "${EXPECT_HANG:-0}" = 1 ]; then
		if [ $hung = 1 ]; then
			echo "reproducer: the hang was detected, as expected"
			printf '%s\n' "$bad" | head -n 5
			summarise "$console"
			echo "1 passed, 0 failed"
			return 0
		fi
		echo "reproducer: NO hang detected: the suite no longer catches ${REPRO_WHAT:-the deadlock}"
		echo "0 passed, 1 failed"
		return 1
	fi

	[ -z "${EXPECT_EACH:-}" ] || [ -n "${EXPECT_FAIL:-}" ] ||
		die "EXPECT_EACH needs EXPECT_FAIL, the regex of the programs' lines"
	if [ -n "${EXPECT_FAIL:-}" ]; then
		expect_fail "$console" "$tap" "$failed" "$problems" \
			"$bad$([ $hung = 0 ] || echo hang)"
		return
	fi

	if [ -n "$bad" ]; then
		ok=0
		echo "console: kernel reports found (first lines):"
		printf '%s\n' "$bad" | head -n 20
		summarise "$console"
	fi
	if [ "$problems" != 0 ]; then
		ok=0
		echo "TAP: incomplete or inconsistent (plan not met, crash or timeout): see ${tap#"$TOP"/}"
	fi
	if [ "${GUEST_STATUS:-0}" != 0 ]; then
		ok=0
		echo "guest: run failed (status ${GUEST_STATUS})"
	fi
	if [ $((passed + failed + skipped)) = 0 ]; then
		ok=0
		echo "TAP: no test ran"
	fi
	[ "$failed" = 0 ] || {
		[ "${ALLOW_FAILED:-0}" = 1 ] || ok=0
		grep -E '^(# )?not ok ' "$tap" | head -n 20
	}
	# Problems found outside the tests count as one failure more.
	[ $ok = 1 ] || [ "$failed" != 0 ] || failed=1
	echo "$passed passed, $failed failed, $skipped skipped"
	[ $ok = 1 ]
}

main "$@"
