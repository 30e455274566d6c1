#!/usr/bin/env bash
# qtest-compare.sh BASE SERIES [TABLE] - compare, test by test, QEMU's own
# tests on the unpatched base and on the series, from the streams of
# qtest-run.sh (for each program "# qtest: SUITE PROGRAM", its TAP,
# "# qtest-exit: SUITE PROGRAM STATUS MILLISECONDS"), and write the table
# of both results to TABLE (default build/results/qtest.md).
#
# A test is one TAP result of one program; each program's exit status
# counts as one more test, "(exit status)": it fails if the program did not
# exit 0 (a QEMU that cannot start aborts the program), and is a skip if
# the program ran no test. A test fails the comparison:
#
#   - if it fails or does not run on the series but passes or skips on the
#     base (or did not run there either: nothing shows it is older);
#   - if it skips on the series and passes on the base;
#   - if it fails or does not run on the series and its program did not
#     run on the base at all (the suites with the ISM-like device, which
#     the base does not have): only the series counts.
#
# A test that fails on both is a pre-existing failure: listed, not failed.
# The comparison also fails if no test passed on the base or on the series,
# and for each suite with no test result on the series. A skip or a failure
# shows its reason: TAP's, or how the program ended.
#
# Prints TAP, one line per test, and ends with "N passed, N failed".
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

compare() {
	awk -v basef="$1" -v seriesf="$2" -v table="$3" '
	function result(line) {
		if (line ~ /^not ok /) return "fail"
		if (line ~ / # [Ss][Kk][Ii][Pp]/) return "skip"
		return "pass"
	}
	function name(line) {
		sub(/^(not )?ok [0-9]* */, "", line)
		sub(/ # .*$/, "", line)
		return line
	}
	# the reason of a SKIP or of a failure, after the directive
	function reason(line) {
		if (!sub(/^[^#]* # ([Ss][Kk][Ii][Pp] *)?/, "", line)) return ""
		return line
	}
	function add(x, suite, prog, test, r, why,    k, what) {
		k = suite SUBSEP prog SUBSEP test
		if (!(k in seen)) { seen[k] = 1; order[++n] = k }
		res[x, k] = r
		if (why != "") because[x, k] = why
		what = (test == "(exit status)") ? "program" : "test"
		count[x, suite, what, r]++
		count[x, suite, what, "all"]++
		ran[x, suite] = 1
		if (!(suite in suites)) { suites[suite] = 1; sorder[++ns] = suite }
	}
	function load(x, f,    line, w, inside, results, suite, prog, st) {
		inside = 0
		while ((getline line < f) > 0) {
			if (line ~ /^# qtest: /) {
				split(substr(line, 10), w, " ")
				suite = w[1]; prog = w[2]; inside = 1; results = 0
				program[x, suite, prog] = 1
				continue
			}
			if (line ~ /^# qtest-exit: /) {
				split(substr(line, 15), w, " ")
				st = w[3] != 0 ? "fail" : (results ? "pass" : "skip")
				add(x, w[1], w[2], "(exit status)", st, \
					w[3] != 0 ? (w[3] == 124 ? "timed out" : "exit status " w[3]) : \
					results ? "" : "no test")
				ms[x, w[1]] += w[4]
				took[x, w[1] SUBSEP w[2] SUBSEP "(exit status)"] = w[4] / 1000
				inside = 0
				continue
			}
			if (inside && line ~ /^(not )?ok /) {
				results++
				add(x, suite, prog, name(line), result(line), reason(line))
			}
		}
		close(f)
	}
	function cell(x, k) { return ((x, k) in res) ? res[x, k] : "did not run" }
	function build(x) { return x == 1 ? "base" : "series" }
	function counts(x, u, what) {
		return sprintf("%d | %d | %d | %d", count[x, u, what, "all"], count[x, u, what, "pass"],
			count[x, u, what, "skip"], count[x, u, what, "fail"])
	}
	BEGIN {
		# the series first: its order is the order of the table
		load(2, seriesf)
		load(1, basef)
		bad = 0; pre = 0; good = 0
		for (i = 1; i <= n; i++) {
			k = order[i]
			split(k, w, SUBSEP)
			s = cell(2, k); note = ""
			b = ((1, w[1], w[2]) in program) ? cell(1, k) : "n/a"
			if (s == "pass") {
			} else if (b == "n/a") {
				if (s != "skip") note = "**FAILS** (series only)"
			} else if (s == "skip") {
				if (b == "pass") note = "**NEW SKIP**"
			} else if (b == "fail") {
				note = "pre-existing failure"
			} else {
				note = "**NEW FAILURE**"
			}
			if ((1, k) in because) b = b ": " because[1, k]
			if ((2, k) in because) s = s ": " because[2, k]
			if ((1, k) in took) b = sprintf("%s, %.1f s", b, took[1, k])
			if ((2, k) in took) s = sprintf("%s, %.1f s", s, took[2, k])
			desc = sprintf("%s %s %s: base %s; series %s", w[1], w[2], w[3], b, s)
			if (note ~ /^\*\*/) {
				bad++
				printf "not ok %d %s # %s\n", i, desc, note
			} else {
				good++
				printf "ok %d %s%s\n", i, desc, note == "" ? "" : " # " note
				if (note != "") pre++
			}
			gsub(/\|/, "\\|", b); gsub(/\|/, "\\|", s)
			row[i] = sprintf("| %s | %s | %s | %s | %s | %s |", w[1], w[2], w[3], b, s, note)
		}
		nrows = n
		for (x = 1; x <= 2; x++) {
			passed = 0
			for (j = 1; j <= ns; j++) passed += count[x, sorder[j], "test", "pass"]
			if (passed) continue
			problem[++np] = sprintf("no test passed on the %s", build(x))
		}
		for (j = 1; j <= ns; j++)
			if (!count[2, sorder[j], "test", "all"])
				problem[++np] = sprintf("no test of suite %s ran on the series", sorder[j])
		for (j = 1; j <= np; j++) {
			printf "not ok %d %s\n", ++n, problem[j]
			bad++
		}

		print "# qtest: QEMU'"'"'s own tests, base against series" > table
		print "" > table
		print "Written by `scripts/qtest-compare.sh` (`make qtest-test`). A test is one" > table
		print "TAP result of one program; each program also counts with its exit" > table
		print "status. `n/a`: the suite does not run on the base (no ISM-like device)." > table
		print "" > table
		print "| suite | QEMU | programs | pass | skip | fail | tests | pass | skip | fail | seconds |" > table
		print "|:---|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|" > table
		for (j = 1; j <= ns; j++) {
			u = sorder[j]
			for (x = 1; x <= 2; x++) {
				if (!((x, u) in ran)) continue
				printf "| %s | %s | %s | %s | %.1f |\n", u, build(x), counts(x, u, "program"),
					counts(x, u, "test"), ms[x, u] / 1000 > table
				line = sprintf("%s %s: %s programs, %s tests (all, pass, skip, fail), %.1f s",
					u, build(x), counts(x, u, "program"), counts(x, u, "test"), ms[x, u] / 1000)
				gsub(/ \| /, "/", line)
				print "# " line
			}
		}
		print "" > table
		for (j = 1; j <= np; j++) printf "**%s.**\n\n", problem[j] > table
		printf "Failures: %d. Pre-existing failures (failing on both): %d.\n", bad, pre > table
		print "" > table
		print "| suite | program | test | base | series | |" > table
		print "|:---|:---|:---|:---|:---|:---|" > table
		for (i = 1; i <= nrows; i++) print row[i] > table
		print "1.." n
		printf "%d passed, %d failed\n", good, bad
		exit bad != 0
	}
	'
}

main() {
	local base=${1:-} series=${2:-} table=${3:-$RESULTS/qtest.md}

	[ -n "$series" ] || die "usage: $PROG BASE SERIES [TABLE]"
	need_file "$base" "qtest results of the base"
	need_file "$series" "qtest results of the series"
	mkdir -p "$(dirname "$table")"
	compare "$base" "$series" "$table"
}

main "$@"
