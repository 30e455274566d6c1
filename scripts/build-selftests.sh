#!/usr/bin/env bash
# build-selftests.sh [VARIANT] - cross-build the kselftest targets of the
# series (SELFTESTS, default drivers/s390x/zpci) statically for s390x,
# against the uapi headers of the VARIANT kernel build, and install them
# with kselftest's own 'make install' into build/out/kselftest/: the
# run_kselftest.sh tree that the guest runs, as a kselftest user would.
# VARIANT mainline: the 7.3 series' selftests from its tree, into
# build/out/kselftest-mainline/.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local targets log dest

	# The 7.3 series' static check checks that tree out at its base and
	# holds its lock meanwhile (check-static.sh). make check runs the 6.12
	# one before anything else, and the reproducers that the 6.12 tree is
	# checked out for leave the selftests as they are.
	[ "${1:-default}" != mainline ] || hold_lock tree-mainline
	hold_lock guest-files # see build-initramfs.sh
	record_step "selftests-${1:-default}"
	targets=${SELFTESTS:-drivers/s390x/zpci}
	kernel_vars "${1:-default}"
	need_file "$KOUT/usr/include/linux/vfio.h" "uapi headers (run 'make kernel')"
	need_file "$KSRC/tools/testing/selftests/run_kselftest.sh" "kselftest in the kernel tree"
	dest=$OUT/kselftest
	[ "${1:-default}" = default ] || dest=$OUT/kselftest-$1
	log=$BUILD/logs/kselftest-install-${1:-default}.log
	rm -rf "$dest"
	# O= puts the objects under $KOUT/kselftest and takes the headers
	# from $KOUT/usr/include. The selftests' makefiles need make's
	# built-in rules and variables, which the top-level -rR turns off.
	# The guest has no shared libraries: kselftest's USERLDFLAGS links
	# the programs statically.
	run_quiet "$log" env -u MAKEFLAGS -u MAKELEVEL \
		make -C "$KSRC/tools/testing/selftests" "${KARCH[@]}" \
		O="$KOUT" TARGETS="$targets" FORCE_TARGETS=1 USERLDFLAGS=-static \
		INSTALL_PATH="$dest" install ||
		die "kselftest '$targets' does not build or install (log: ${log#"$TOP"/})"
	need_file "$dest/kselftest-list.txt" "kselftest list after install"
	vlog "kselftest: $(wc -l <"$dest/kselftest-list.txt") tests"
}

main "$@"
