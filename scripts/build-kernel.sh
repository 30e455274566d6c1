#!/usr/bin/env bash
# build-kernel.sh [VARIANT] - build the s390x guest kernel from build/linux.
#
# VARIANT is 'default' (configs/base.config), 'kasan' or 'nodebug' (the
# same tree; nodebug without the lock debugging of base.config), or
# an overlay (build/VARIANT/linux, see OVERLAYS in lib.sh), with
# its fragment configs/KFRAGMENT.config (see kernel_vars in lib.sh) on top of
# base.config where there is one; or
# 'base', the unpatched kernel (build/base/linux) with base.config without
# the series' own options (SERIES_OPTIONS below); or 'nested', the nested
# guest's kernel from the ism-client tree with configs/nested.config
# alone. The
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

main() {
	local suffix=''

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

	configure
	log "building $VARIANT kernel"
	run_quiet "$BUILD/logs/kbuild-$VARIANT.log" kmake -j"$(nproc)" bzImage ||
		die "kernel build failed (log: build/logs/kbuild-$VARIANT.log)"
	run_quiet "$BUILD/logs/kheaders-$VARIANT.log" kmake headers_install ||
		die "make headers_install failed"
	install_output "$KOUT/arch/s390/boot/bzImage" "$OUT/bzImage$suffix"
	install_output "$KOUT/vmlinux" "$OUT/vmlinux$suffix"
	log "$VARIANT kernel done in ${SECONDS}s"
}

main "$@"
