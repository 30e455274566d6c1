#!/usr/bin/env bash
# build-kernel.sh [VARIANT] - build the s390x guest kernel from build/linux.
#
# VARIANT is 'default' (configs/base.config), 'kasan' or 'nodebug' (the
# same tree; nodebug without the lock debugging of base.config), or
# ism-client (build/ism-client/linux, see OVERLAYS in lib.sh), with
# its fragment configs/ism-client.config on top of base.config; or a
# reproducer (repro, repro-*), built at its branch in its host's tree and
# objects (see kernel_vars in lib.sh and build_reproducer below); or
# 'base', the unpatched kernel (build/base/linux) with base.config without
# the series' own options (SERIES_OPTIONS below); or 'nested', the nested
# guest's kernel from the ism-client tree with configs/nested.config
# alone; or 'mainline' or 'mainline-base', the 7.3 series and stock 7.3
# (build/mainline/linux, build/mainline-base/linux), both with base.config
# without the 6.12 series' own options and configs/mainline.config. The
# config is tinyconfig plus the fragments; every fragment line must survive
# olddefconfig. Output: build/out/{bzImage,vmlinux}[-VARIANT] and the uapi
# headers in KOUT/usr/include (see kernel_vars in lib.sh).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# The options that only the series has; the unpatched base kernel is built
# without them.
SERIES_OPTIONS=(CONFIG_VFIO_PCI_ZDEV_IO)

# The lock debugging of base.config, which the nodebug kernel (make bench,
# the configuration users run) is built without.
DEBUG_OPTIONS=(CONFIG_PROVE_LOCKING CONFIG_DEBUG_ATOMIC_SLEEP)

kmake() {
	kernel_make "$KSRC" "$KOUT" "$@"
}

# fragment_without OUT OPTION... - configs/base.config without OPTION...
fragment_without() {
	local out=$1 re
	shift

	re=$(IFS='|' && echo "$*")
	grep -v -E "^(# )?($re)[= ]" "$TOP/configs/base.config" >"$out"
}

# missing_options FRAGMENT... - print the requested options that .config
# lacks.
missing_options() {
	local line opt

	while read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF "$line" "$KOUT/.config" || printf '%s\n' "$line"
			;;
		'# CONFIG_'*' is not set')
			opt=${line#\# }
			opt=${opt%% *}
			grep -q "^$opt=" "$KOUT/.config" && printf '%s\n' "$line"
			;;
		esac
	done < <(cat "$@")
	return 0
}

# check_config FRAGMENT... - every requested option must be in .config.
check_config() {
	local bad

	bad=$(missing_options "$@" | tr '\n' ' ')
	[ -z "$bad" ] || die "requested options missing from the final .config: $bad"
}

# configure - the config of the variant, made again when a fragment changed
# or when .config lost a requested option (a build of another tree in the
# same objects, as the series checks do at the base, drops the options
# that the base does not know).
configure() {
	local stamp

	stamp=$(stamp_of "${FRAGMENTS[@]}")
	if [ -f "$KOUT/.config" ] && [ "$(cat "$KOUT/.config.bench" 2>/dev/null)" = "$stamp" ] &&
		[ -z "$(missing_options "${FRAGMENTS[@]}")" ]; then
		return 0
	fi
	log "configuring $VARIANT kernel"
	run_quiet "$BUILD/logs/kconfig-$VARIANT.log" kmake tinyconfig ||
		die "make tinyconfig failed"
	run_quiet "$BUILD/logs/kconfig-$VARIANT.log" \
		"$KSRC/scripts/kconfig/merge_config.sh" -m -O "$KOUT" \
		"$KOUT/.config" "${FRAGMENTS[@]}" || die "merge_config.sh failed"
	run_quiet "$BUILD/logs/kconfig-$VARIANT.log" kmake olddefconfig ||
		die "make olddefconfig failed"
	check_config "${FRAGMENTS[@]}"
	printf '%s\n' "$stamp" >"$KOUT/.config.bench"
}

# output_stamp COMMIT - what an output is made of: the commit, the config
# fragments and this script.
output_stamp() {
	printf '%s %s\n' "$1" "$(stamp_of "${FRAGMENTS[@]}" "$0")"
}

# up_to_date OUTPUT STAMP - whether OUTPUT exists and was built of STAMP
# (OUTPUT.stamp), so that a run with nothing changed skips even make.
up_to_date() {
	[ -f "$1" ] && [ "$(cat "$1.stamp" 2>/dev/null)" = "$2" ] || return 1
	vlog "$VARIANT kernel is up to date"
}

# build_reproducer - the reproducer VARIANT: its host's tree checked out at
# KREV, built in the host's objects, the tree back on its branch
# afterwards, also on failure. Nothing to do when the output is of KREV's
# commit and of the current config fragments. The uapi headers are not
# installed, the host's stay in place: a reproducer may not change uapi
# or the selftests, which the host's users build meanwhile.
build_reproducer() {
	local rev stamp branch out=$OUT/bzImage-$VARIANT l

	rev=$(git -C "$KSRC" rev-parse -q --verify "refs/heads/$KREV^{commit}") ||
		die "no branch $KREV in ${KSRC#"$TOP"/} (run 'make repro-kernels')"
	stamp=$(output_stamp "$rev")
	up_to_date "$out" "$stamp" && return 0
	for l in "${HOST_LOCKS[@]}"; do
		hold_lock "$l"
	done
	branch=$(git -C "$KSRC" symbolic-ref -q --short HEAD) ||
		die "${KSRC#"$TOP"/} is not on its branch"
	[ -z "$(git -C "$KSRC" status --porcelain --untracked-files=no)" ] ||
		die "${KSRC#"$TOP"/} has uncommitted changes: commit them first"
	! git -C "$KSRC" diff --name-only "$branch...$rev" -- include/uapi tools | grep -q . ||
		die "$KREV changes uapi headers or tools: it cannot be built in ${KSRC#"$TOP"/}"
	HOST_BRANCH=$branch
	at_exit restore_host
	git -C "$KSRC" checkout -q --detach "$rev"
	configure
	log "building $VARIANT kernel (at $KREV, in the objects of ${KOUT#"$TOP"/})"
	run_quiet "$BUILD/logs/kbuild-$VARIANT.log" kmake -j"$(nproc)" bzImage ||
		die "kernel build failed (log: build/logs/kbuild-$VARIANT.log)"
	install_output "$KOUT/arch/s390/boot/bzImage" "$out"
	install_output "$KOUT/vmlinux" "$OUT/vmlinux-$VARIANT"
	printf '%s\n' "$stamp" >"$out.stamp"
	log "$VARIANT kernel done in ${SECONDS}s"
}

restore_host() {
	git -C "$KSRC" checkout -q "$HOST_BRANCH" ||
		warn "could not check ${KSRC#"$TOP"/} out at $HOST_BRANCH again"
}

main() {
	local suffix='' out stamp=''

	VARIANT=${1:-default}
	kernel_vars "$VARIANT"
	need_cmd s390x-linux-gnu-gcc ccache
	need_file "$KSRC/Makefile" "kernel tree (run 'make tree')"
	lock_step "kernel-$VARIANT"
	mkdir -p "$KOUT" "$OUT" "$BUILD/logs"
	FRAGMENTS=("$TOP/configs/base.config")
	if [ "$VARIANT" = base ]; then
		fragment_without "$KOUT/unpatched.config" "${SERIES_OPTIONS[@]}"
		FRAGMENTS=("$KOUT/unpatched.config")
	elif [ "$VARIANT" = mainline ] || [ "$VARIANT" = mainline-base ]; then
		fragment_without "$KOUT/unpatched.config" "${SERIES_OPTIONS[@]}"
		FRAGMENTS=("$KOUT/unpatched.config" "$TOP/configs/mainline.config")
	elif [ "$VARIANT" = nodebug ]; then
		fragment_without "$KOUT/nodebug.config" "${DEBUG_OPTIONS[@]}"
		FRAGMENTS=("$KOUT/nodebug.config")
	elif [ "$VARIANT" = nested ]; then
		# A lean kernel of its own, not on top of base.config
		FRAGMENTS=("$TOP/configs/nested.config")
	elif [ -f "$TOP/configs/$KFRAGMENT.config" ]; then
		FRAGMENTS+=("$TOP/configs/$KFRAGMENT.config")
	fi
	[ "$VARIANT" = default ] || suffix=-$VARIANT
	if [ -n "$KREV" ]; then
		build_reproducer
		return 0
	fi

	# A tree with uncommitted changes is always built
	out=$OUT/bzImage$suffix
	if [ -z "$(git -C "$KSRC" status --porcelain --untracked-files=no)" ]; then
		stamp=$(output_stamp "$(git -C "$KSRC" rev-parse HEAD)")
		up_to_date "$out" "$stamp" && return 0
	fi
	rm -f "$out.stamp"
	configure
	log "building $VARIANT kernel"
	run_quiet "$BUILD/logs/kbuild-$VARIANT.log" kmake -j"$(nproc)" bzImage ||
		die "kernel build failed (log: build/logs/kbuild-$VARIANT.log)"
	run_quiet "$BUILD/logs/kheaders-$VARIANT.log" kmake headers_install ||
		die "make headers_install failed"
	install_output "$KOUT/arch/s390/boot/bzImage" "$out"
	install_output "$KOUT/vmlinux" "$OUT/vmlinux$suffix"
	[ -z "$stamp" ] || printf '%s\n' "$stamp" >"$out.stamp"
	log "$VARIANT kernel done in ${SECONDS}s"
}

main "$@"
