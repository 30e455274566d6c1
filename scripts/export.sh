#!/usr/bin/env bash
# export.sh NAME [--dry-run] - write the commits base..HEAD of build/NAME back
# into patches/NAME/ as git-format patches plus the series file.
#
# The output is stable: no commit ids, no version signature, no numbering in
# subjects, so an export of an unchanged tree changes no file. Only files
# whose content differs are written. With --dry-run nothing is written and
# the exit status says whether an export would change anything (0: no).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# Patch files that export owns; the cover letter is written by hand.
is_owned() {
	case "$(basename "$1")" in
	0000-cover-letter.patch) return 1 ;;
	[0-9][0-9][0-9][0-9]-*.patch) return 0 ;;
	esac
	return 1
}

main() {
	local name=${1:-} dry=0 tmp f changed=0

	[ "${2:-}" = --dry-run ] && dry=1
	[ -n "$name" ] || die "usage: $PROG linux|qemu|OVERLAY [--dry-run]"
	tree_vars "$name"
	[ -e "$TREE/.git" ] || die "no build/$name tree: run 'make tree' first"
	[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
		die "build/$name has uncommitted changes: commit them first"

	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # expand $tmp now, it is local
	trap "rm -rf '$tmp'" EXIT
	git -C "$TREE" -c core.abbrev=12 -c diff.noprefix=false \
		-c diff.mnemonicPrefix=false -c diff.relative=false \
		-c format.signOff=false -c format.coverLetter=false \
		format-patch -q --zero-commit --no-signature --no-numbered \
		--no-cover-letter -o "$tmp" "$BASE_REF..HEAD"
	(cd "$tmp" && find . -maxdepth 1 -name '[0-9]*.patch' -printf '%f\n' | sort) \
		>"$tmp/series"

	mkdir -p "$SERIES_DIR"
	for f in "$tmp"/*.patch "$tmp/series"; do
		[ -e "$f" ] || continue
		cmp -s "$f" "$SERIES_DIR/$(basename "$f")" && continue
		changed=1
		[ $dry = 1 ] || cp "$f" "$SERIES_DIR/"
	done
	for f in "$SERIES_DIR"/*.patch; do
		if [ ! -e "$f" ] || ! is_owned "$f"; then
			continue
		fi
		[ -e "$tmp/$(basename "$f")" ] && continue
		changed=1
		[ $dry = 1 ] || rm -f "$f"
	done

	if [ $dry = 1 ]; then
		return $changed
	fi
	series_stamp >"$STATE/applied"
	git -C "$TREE" rev-parse HEAD >"$STATE/head"
	if [ $changed = 1 ]; then
		log "patches/$name: $(grep -c . "$SERIES_DIR/series") patches exported"
	else
		vlog "patches/$name: unchanged"
	fi
}

main "$@"
