#!/usr/bin/env bash
# cover-letter.sh [--check] [linux|mainline] - write
# patches/NAME/0000-cover-letter.patch: the cover letter of a kernel series
# (default linux, the 6.12 one), from docs/cover-letter.txt (the 6.12
# series) or docs/cover-letter-mainline.txt (the 7.3 one), with
# To (maintainers, reviewers) and Cc (lists) from the tree's
# get_maintainer.pl, the shortlog and the diffstat. Every figure in it is
# a @KEY@ of the text, filled in from results/figures.txt, which the last
# 'make bench' wrote (scripts/bench-report.sh). With --check, compare
# instead of writing: the check fails when the series moved on and the
# cover letter did not; it is not redone on what passed before
# (passed_before). Prints TAP and "N passed, N failed".
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# letter_vars NAME - SUBJECT, TEXT (the letter's own words) and BASE (what
# the series applies to) of the kernel series NAME
letter_vars() {
	case "$1" in
	linux)
		SUBJECT="s390/vfio: zPCI I/O region for ISM functions, and lock-safe hot-unplug"
		TEXT=$TOP/docs/cover-letter.txt
		BASE="Debian linux-source-6.12 $LINUX_VERSION"
		;;
	mainline)
		SUBJECT="s390/pci, vfio/ism: ordered BAR access for ISM, and lock-safe hot-unplug"
		TEXT=$TOP/docs/cover-letter-mainline.txt
		BASE="Debian $MAINLINE_PKG $MAINLINE_VERSION"
		;;
	*) die "unknown kernel series '$1' (linux or mainline)" ;;
	esac
}

# who ARGS... - get_maintainer.pl on the series, one address per line.
# Without the authors of the commits that Fixes: tags name: the tree has
# no upstream history to look them up in (the poster's tree has). With a
# fixed hash seed: get_maintainer.pl orders addresses of equal standing
# as perl's hash order has them, which differs from run to run.
who() {
	local -a patches
	mapfile -t patches < <(series_files "$SERIES_DIR")
	(cd "$TREE" && PATH=/usr/bin:$PATH PERL_HASH_SEED=0 PERL_PERTURB_KEYS=0 \
		perl scripts/get_maintainer.pl --no-git --no-fixes \
		--no-git-fallback --no-rolestats --no-multiline --separator $'\n' \
		"$@" "${patches[@]}")
}

# header NAME ADDRESSES - a mail header with one address per line
header() {
	printf '%s: ' "$1"
	sed -e '$!s/$/,/' -e '1!s/^/ /' <<<"$2"
}

# fill_figures TEXT FIGURES - TEXT with every @KEY@ replaced by the value
# of KEY in FIGURES; fails naming a key that FIGURES lacks.
fill_figures() {
	awk '
	FILENAME == ARGV[1] { v[$1] = $2; next }
	{
		out = ""
		while (match($0, /@[a-z][a-z0-9._-]*@/)) {
			key = substr($0, RSTART + 1, RLENGTH - 2)
			if (!(key in v)) {
				print "cover-letter.sh: error: no figure " key " in results/figures.txt (run make bench)" > "/dev/stderr"
				exit 1
			}
			out = out substr($0, 1, RSTART - 1) v[key]
			$0 = substr($0, RSTART + RLENGTH)
		}
		print out $0
	}' "$2" "$1"
}

generate() {
	local n

	n=$(grep -c . "$SERIES_DIR/series")
	echo "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001"
	echo "From: ${GIT_IDENTITY[1]#user.name=} <${GIT_IDENTITY[3]#user.email=}>"
	header To "$(who --no-l)"
	header Cc "$(who --no-m --no-r)"
	echo "Subject: [RFC PATCH 0/$n] $SUBJECT"
	echo
	fill_figures "$TEXT" "$TOP/results/figures.txt"
	echo
	git -C "$TREE" shortlog base..series
	git -C "$TREE" diff --stat=72 base series
	echo
	echo "base-commit: $BASE"
}

main() {
	local out tmp st check=0 name

	[ "${1:-}" = --check ] && check=1 && shift
	name=${1:-linux}
	load_pins
	tree_vars "$name"
	letter_vars "$name"
	out=$SERIES_DIR/0000-cover-letter.patch
	need_file "$TREE/scripts/get_maintainer.pl" "kernel tree (run 'make tree')"
	tmp=$(mktemp)
	# shellcheck disable=SC2064 # expand $tmp now
	trap "rm -f '$tmp'" EXIT
	need_file "$TOP/results/figures.txt" "the figures of the last make bench"
	if [ $check = 1 ]; then
		# what the letter is made of, and the letter
		st=$({
			git -C "$TREE" rev-parse base series
			echo "$BASE"
			cat "$0" "$TEXT" "$TOP/results/figures.txt" \
				"$TREE/MAINTAINERS" "$TREE/scripts/get_maintainer.pl" \
				"$SERIES_DIR/series" "$out"
			series_files "$SERIES_DIR" | xargs cat
		} | stamp_of)
		if passed_before "cover-letter-$name" "$st"; then
			echo "1..1"
			echo "ok 1 cover letter is up to date with the series (unchanged since it passed)"
			echo "1 passed, 0 failed"
			return 0
		fi
	fi
	generate >"$tmp"
	if [ $check = 0 ]; then
		cp "$tmp" "$out"
		return 0
	fi
	echo "1..1"
	if cmp -s "$tmp" "$out"; then
		remember_pass "cover-letter-$name" "$st"
		echo "ok 1 cover letter is up to date with the series"
		echo "1 passed, 0 failed"
		return 0
	fi
	echo "not ok 1 cover letter is up to date with the series # run 'make cover-letter'"
	diff -u "$out" "$tmp" 2>&1 | head -n 30 | tap_diag
	echo "0 passed, 1 failed"
	return 1
}

main "$@"
