#!/usr/bin/env bash
# qtest-build.sh - what the qtest group (qtest-run.sh) runs, built
# incrementally:
#
#   - the unpatched base QEMU, build/qemu-base/qemu-build (build-qemu.sh
#     base): Debian's qemu-system-s390x cannot run qtests, Debian removes
#     the qtest accelerator, so the base is the pinned source built as the
#     series is;
#   - QEMU's s390x qtest programs in the series build, build/qemu-build:
#     the ones 'make check-qtest-s390x' runs (qtest_list), and only those;
#   - Debian's firmware (qemu-system-data) in both builds' qemu-bundle,
#     where a QEMU run from its build directory looks for it: the dfsg
#     source has no s390-ccw.img, and no qtest starts a machine without it.
#
# The series QEMU itself is build-qemu.sh's (make qemu).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

FIRMWARE=(s390-ccw.img s390-netboot.img)

# bundle_firmware BDIR - link Debian's firmware into BDIR's qemu-bundle.
bundle_firmware() {
	local dir f

	dir=$(qemu_bundle "$1")
	mkdir -p "$dir"
	for f in "${FIRMWARE[@]}"; do
		need_file "/usr/share/qemu/$f" "QEMU firmware (run 'make setup')"
		ln -sfn "/usr/share/qemu/$f" "$dir/$f"
	done
}

main() {
	local -a progs

	need_cmd ninja
	need_file "$QEMU_BDIR/build.ninja" "QEMU build (run 'make qemu')"
	"$TOP/scripts/build-qemu.sh" base
	record_step qtest-build
	# ninja in the series build, which build-qemu.sh host runs too: the
	# lanes of make check may run both at once
	hold_lock qemu-host
	mapfile -t progs < <(qtest_list "$QEMU_BDIR" | cut -d' ' -f2)
	[ ${#progs[@]} -gt 0 ] || die "meson declares no s390x qtest in ${QEMU_BDIR#"$TOP"/}"
	log "building ${#progs[@]} qtest programs"
	run_quiet "$BUILD/logs/qtest-build.log" \
		env "${QEMU_CCACHE[@]}" ninja -C "$QEMU_BDIR" -j"$(nproc)" "${progs[@]}" ||
		die "qtest build failed (log: build/logs/qtest-build.log)"
	bundle_firmware "$QEMU_BDIR"
	bundle_firmware "$QEMU_BASE_BDIR"
}

main "$@"
