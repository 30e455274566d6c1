#!/usr/bin/env bash
# compare-vfio-selftests.sh BASE_TAP SERIES_TAP [TABLE] - compare, test by
# test, upstream's vfio selftests on the unpatched base and on the series
# kernel, from the TAP of the two guest runs (scripts/verdict.sh's TAP_OUT,
# holding the stream of guest/vfio-selftests/vfio_selftests.sh), and write
# the table of both results to TABLE (default build/results/vfio-selftests.md).
#
# A test is one kselftest result of one program on one function (ism or
# virtio); each program's own result (its exit status) counts as one more,
# so that a crash after its last test is seen. A test fails the comparison
# if it passed or skipped on the base and failed or did not run on the
# series, or failed on the series and did not run on the base (nothing
# shows that such a failure is older than the series). A test that fails
# on both kernels is a pre-existing failure and does not. The comparison
# also fails if no test passed or failed on either kernel, and once for
# each boot named in UNCLEAN ("base", "series": its console verdict failed).
#
# Ends with "N passed, N failed": the tests without a new failure, and the
# new failures (plus the failures above).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# results TAP - one line per result of the vfio_selftests program in TAP:
# "type function program test result", tab-separated; type is "test" or
# "program", result "pass", "skip" or "fail".
results() {
	awk '
	function result(line) {
		if (line ~ /^not ok /) return "fail"
		if (line ~ / # [Ss][Kk][Ii][Pp]/) return "skip"
		return "pass"
	}
	# The name of a result line: after "ok N " or "not ok N ", up to
	# its directive.
	function name(line) {
		sub(/^(not )?ok [0-9]+ /, "", line)
		sub(/ # .*$/, "", line)
		return line
	}
	/^# selftests: / { inside = ($0 ~ /^# selftests: [^ ]+ vfio_selftests$/); next }
	/^(TAP version |[0-9]+\.\.|ok |not ok )/ { inside = 0; next }
	!inside { next }
	/^# # vfio-selftests: / { kind = $4; prog = $6; next }
	/^# # (not )?ok [0-9]+ / {
		line = substr($0, 5)
		printf "test\t%s\t%s\t%s\t%s\n", kind, prog, name(line), result(line)
		next
	}
	/^# (not )?ok [0-9]+ / {
		line = substr($0, 3)
		split(name(line), w, " ")
		printf "program\t%s\t%s\t(exit status)\t%s\n", w[1], w[2], result(line)
	}
	' "$1"
}

# compare BASE_RESULTS SERIES_RESULTS TABLE - write TABLE, print the new
# failures and the final line; exit 1 on a new failure or no test.
compare() {
	awk -F '\t' -v basef="$1" -v seriesf="$2" -v table="$3" -v unclean="${UNCLEAN:-}" '
	function load(x, f, line, w, key) {
		while ((getline line < f) > 0) {
			split(line, w, "\t")
			key = w[2] SUBSEP w[3] SUBSEP w[4]
			if (!(key in seen)) { seen[key] = 1; order[++n] = key }
			res[x, key] = w[5]
			count[x, w[1], w[5]]++
			if (w[1] == "test" && w[5] != "skip") ran[x]++
		}
		close(f)
	}
	function cell(x, k) { return ((x, k) in res) ? res[x, k] : "did not run" }
	function kname(x) { return x == 1 ? "base" : "series" }
	BEGIN {
		load(1, basef)
		load(2, seriesf)
		newfail = 0; pre = 0
		for (i = 1; i <= n; i++) {
			k = order[i]
			b = cell(1, k); s = cell(2, k); note = ""
			split(k, w, SUBSEP)
			if (s == "fail" && b == "fail") {
				note = "pre-existing failure"; pre++
			} else if ((s == "fail" || s == "did not run") && b != s) {
				note = "**NEW FAILURE**"; newfail++
				printf "new failure: %s %s %s: base %s, series %s\n", w[1], w[2], w[3], b, s
			}
			row[i] = sprintf("| %s | %s | %s | %s | %s | %s |", w[1], w[2], w[3], b, s, note)
		}
		print "# vfio-selftests: upstream vfio selftests, base against series" > table
		print "" > table
		print "Written by `scripts/compare-vfio-selftests.sh` (`make vfio-selftests-test`)." > table
		print "A test is one kselftest result of one program on one function; each program" > table
		print "also counts with its own result (its exit status)." > table
		print "" > table
		print "| kernel | tests | pass | skip | fail | programs | pass | skip | fail |" > table
		print "|:---|---:|---:|---:|---:|---:|---:|---:|---:|" > table
		for (x = 1; x <= 2; x++) {
			tp = count[x, "test", "pass"]; ts = count[x, "test", "skip"]; tf = count[x, "test", "fail"]
			pp = count[x, "program", "pass"]; ps = count[x, "program", "skip"]; pf = count[x, "program", "fail"]
			printf "| %s | %d | %d | %d | %d | %d | %d | %d | %d |\n", kname(x), \
				tp + ts + tf, tp, ts, tf, pp + ps + pf, pp, ps, pf > table
			printf "%s: %d tests (%d pass, %d skip, %d fail), %d programs (%d pass, %d skip, %d fail)\n", \
				kname(x), tp + ts + tf, tp, ts, tf, pp + ps + pf, pp, ps, pf
		}
		bad = newfail
		print "" > table
		printf "New failures: %d. Pre-existing failures (failing on both kernels): %d.\n", newfail, pre > table
		for (x = 1; x <= 2; x++) {
			if (ran[x]) continue
			printf "no test passed or failed on the %s kernel\n", kname(x)
			printf "No test passed or failed on the %s kernel.\n", kname(x) > table
			bad++
		}
		m = split(unclean, u, " ")
		for (x = 1; x <= m; x++) {
			printf "the %s boot was not clean: its console verdict failed\n", u[x]
			printf "The %s boot was not clean: its console verdict failed.\n", u[x] > table
			bad++
		}
		print "" > table
		print "| function | program | test | base | series | |" > table
		print "|:---|:---|:---|:---|:---|:---|" > table
		for (i = 1; i <= n; i++) print row[i] > table
		printf "%d new failures, %d pre-existing failures\n", newfail, pre
		printf "%d passed, %d failed\n", n - newfail, bad
		exit bad != 0
	}
	'
}

main() {
	local base=${1:-} series=${2:-} table=${3:-$RESULTS/vfio-selftests.md}

	[ -n "$series" ] || die "usage: $PROG BASE_TAP SERIES_TAP [TABLE]"
	need_file "$base" "TAP of the base kernel's run"
	need_file "$series" "TAP of the series kernel's run"
	mkdir -p "$(dirname "$table")"
	compare <(results "$base") <(results "$series") "$table"
}

main "$@"
