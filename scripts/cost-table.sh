#!/usr/bin/env bash
# cost-table.sh [--readme FILE] [STATE_DIR] - where the time of 'make check'
# goes: every group and every build step, cold and warm, in seconds and as
# a share of the run, from the records that a green 'make check' keeps
# (STATE_DIR, default build/state: check-cost-cold, check-cost-warm; see
# check-time.sh). Prints the Markdown table, or with --readme writes it
# into FILE between the markers "<!-- cost:begin" and "<!-- cost:end -->".
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# table COLD WARM - the Markdown of both records (a missing one is empty)
table() {
	awk -v cold="$1" -v warm="$2" '
	function load(file, k,    line, w, key) {
		while ((getline line < file) > 0) {
			split(line, w, " ")
			if (w[1] == "total") {
				total[k] = w[2]; commit[k] = w[3]; day[k] = w[4]
				continue
			}
			key = w[2] SUBSEP w[1]
			if (!(key in seen)) { seen[key] = 1; keys[++n] = key }
			secs[k, key] += w[3]
		}
		close(file)
	}
	function cell(k, key) {
		if (!total[k]) return "| |"
		if (!((k, key) in secs)) return "| - | -"
		return sprintf("| %d | %.1f %%", secs[k, key], 100 * secs[k, key] / total[k])
	}
	function head(k, what) {
		if (!total[k]) return what ": not recorded"
		return sprintf("%s: %.1f min (%d s) on %s at %s", what, total[k] / 60,
			total[k], day[k], commit[k])
	}
	BEGIN {
		load(cold, "c"); load(warm, "w")
		if (!total["c"] && !total["w"]) { print "No green make check is recorded."; exit }
		print head("c", "Cold, on a fresh clone") "; " head("w", "warm, nothing changed") "."
		print ""
		print "| step | kind | cold: s | cold: share | warm: s | warm: share |"
		print "|:---|:---|---:|---:|---:|---:|"
		# by cold seconds, the largest first (a plain selection sort: few rows)
		for (i = 1; i <= n; i++) order[i] = keys[i]
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (secs["c", order[j]] + 0 > secs["c", order[i]] + 0) {
					t = order[i]; order[i] = order[j]; order[j] = t
				}
		for (i = 1; i <= n; i++) {
			split(order[i], kv, SUBSEP)
			printf "| %s | %s %s %s |\n", kv[1], (kv[2] == "step" ? "build" : "group"),
				cell("c", order[i]), cell("w", order[i])
		}
		printf "| **make check** | total | %s | 100 %% | %s | 100 %% |\n", total["c"], total["w"]
	}'
}

main() {
	local readme='' dir body

	if [ "${1:-}" = --readme ]; then
		readme=${2:?}
		shift 2
	fi
	dir=${1:-$BUILD/state}
	body=$(table "$dir/check-cost-cold" "$dir/check-cost-warm")
	if [ -z "$readme" ]; then
		printf '%s\n' "$body"
		return 0
	fi
	need_file "$readme" "README"
	if ! grep -q '^<!-- cost:begin' "$readme" || ! grep -q '^<!-- cost:end -->' "$readme"; then
		die "$readme has no <!-- cost:begin --> ... <!-- cost:end --> markers"
	fi
	awk -v body="$body" '
		/^<!-- cost:begin/ { print; print ""; print body; print ""; skip = 1; next }
		/^<!-- cost:end -->/ { skip = 0 }
		!skip' "$readme" >"$readme.tmp"
	mv "$readme.tmp" "$readme"
}

main "$@"
