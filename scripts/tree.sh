#!/usr/bin/env bash
# tree.sh NAME - materialise build/NAME (linux, mainline or qemu): the pinned base as
# commit 'base', and patches/NAME/series applied with git am on branch
# 'series'. Does nothing when the tree already carries the current series.
# NAME an overlay (repro, repro-*, ism-client; see OVERLAYS in lib.sh):
# build/NAME/linux, patches/NAME on top of the kernel series (branch NAME),
# or, for repro-smc, on top of the ism-client overlay, made current first.
# NAME 'base': build/base/linux, the kernel base without patches (branch
# 'unpatched'); 'mainline-base' the same of build/mainline, stock 7.3.
#
# It never throws work away: uncommitted edits or commits that were not
# exported stop it with a one-line reason, unless FORCE=1.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

git_tree() {
	git -C "$TREE" "${GIT_IDENTITY[@]}" "$@"
}

base_id() {
	case "$NAME" in
	linux) printf 'linux %s %s\n' "$LINUX_VERSION" "$LINUX_SHA256" ;;
	mainline) printf 'mainline %s %s\n' "$MAINLINE_VERSION" "$MAINLINE_SHA256" ;;
	qemu) printf 'qemu %s %s\n' "$QEMU_VERSION" "$QEMU_DSC_SHA256" ;;
	esac
}

create_base() {
	log "unpacking the $NAME base into ${TREE#"$TOP"/}"
	"$TOP/scripts/fetch-base.sh" "$NAME" "$TREE"
	git_tree init -q -b series
	git_tree config core.autocrlf false
	git_tree config gc.auto 0
	git_tree add -A -f
	git_tree commit -q -m "base: $(base_id)"
	git_tree tag base
	unignore_top_level
	base_id >"$STATE/base"
	rm -f "$STATE/applied" "$STATE/head"
}

# An overlay's tree: a worktree of PARENT (build/linux or build/mainline),
# created once.
create_worktree() {
	[ -e "$TREE/.git" ] && return 0
	need_file "$PARENT/.git" "kernel tree (run 'make tree')"
	mkdir -p "$(dirname "$TREE")"
	git -C "$PARENT" worktree prune
	git -C "$PARENT" worktree add -q --detach "$TREE" series
	unignore_top_level
}

# Debian's linux-source .gitignore ignores everything at the top level,
# so new files of the series would be ignored. Drop those two lines in the
# work tree only; the base commit stays as Debian ships it.
unignore_top_level() {
	[ -f "$TREE/.gitignore" ] && grep -qx '!/debian/' "$TREE/.gitignore" || return 0
	sed -i -e '\#^/\*$#d' -e '\#^!/debian/$#d' "$TREE/.gitignore"
	git_tree update-index --skip-worktree .gitignore
}

# Stop if the tree holds work that patches/NAME does not have.
guard_unexported() {
	local recorded

	[ "${FORCE:-0}" = 1 ] && return 0
	[ -z "$(git_tree status --porcelain --untracked-files=no)" ] ||
		die "build/$NAME has uncommitted changes: commit them and run 'make export', or FORCE=1 to drop them"
	recorded=$(cat "$STATE/head" 2>/dev/null || true)
	[ -z "$recorded" ] && return 0
	[ "$(git_tree rev-parse HEAD)" = "$recorded" ] && return 0
	"$TOP/scripts/export.sh" "$NAME" --dry-run ||
		die "build/$NAME has commits that are not in patches/$NAME: run 'make export', or FORCE=1 to drop them"
}

apply_series() {
	local p n=0

	git_tree checkout -q -f -B "$BRANCH" "$BASE_REF"
	while read -r p; do
		if ! git_tree am -q --committer-date-is-author-date "$p" \
			>"$BUILD/logs/am-$NAME.log" 2>&1; then
			git_tree am --abort >/dev/null 2>&1 || true
			die "patch ${p#"$TOP"/} does not apply on top of the previous ones (log: build/logs/am-$NAME.log)"
		fi
		n=$((n + 1))
	done < <(series_files "$SERIES_DIR")
	series_stamp >"$STATE/applied"
	git_tree rev-parse HEAD >"$STATE/head"
	log "build/$NAME: base + $n patches"
}

main() {
	[ $# = 1 ] || die "usage: $PROG linux|mainline|qemu|base|mainline-base|OVERLAY"
	NAME=$1
	lock_step "tree-$NAME"
	load_pins
	tree_vars "$NAME"
	mkdir -p "$BUILD/logs"
	# An overlay on another overlay (repro-smc on ism-client): that one
	# first, so that the branch this one starts from is current
	if [[ " ${OVERLAYS[*]} " == *" $BASE_REF "* ]]; then
		"$TOP/scripts/tree.sh" "$BASE_REF"
	fi

	if [ -n "$WORKTREE" ]; then
		create_worktree
	elif [ ! -d "$TREE/.git" ] || [ "$(cat "$STATE/base" 2>/dev/null)" != "$(base_id)" ]; then
		if [ -e "$TREE" ]; then
			[ -d "$TREE/.git" ] && guard_unexported
			local old
			old=$TREE.old.$(date +%Y%m%d%H%M%S)
			warn "the $NAME base changed: moving the old tree to ${old#"$TOP"/}"
			mv "$TREE" "$old"
		fi
		create_base
	fi

	series_files "$SERIES_DIR" >/dev/null # dies on a missing patch
	if [ "$(cat "$STATE/applied" 2>/dev/null)" = "$(series_stamp)" ] &&
		[ "$(git_tree rev-parse HEAD)" = "$(cat "$STATE/head" 2>/dev/null)" ]; then
		[ -z "$(git_tree status --porcelain --untracked-files=no)" ] ||
			warn "build/$NAME has uncommitted changes: this build is not the series"
		vlog "build/$NAME is up to date"
		return 0
	fi
	guard_unexported
	apply_series
}

main "$@"
