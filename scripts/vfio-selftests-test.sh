#!/usr/bin/env bash
# vfio-selftests-test.sh - the group vfio-selftests: upstream Linux's vfio
# selftests (scripts/build-vfio-selftests.sh) on one ISM-like and one
# virtio-pci function, on the series kernel and on the unpatched base
# kernel (scripts/build-kernel.sh base), compared test by test.
#
# Each boot is judged as a guest test by scripts/verdict.sh (complete TAP,
# a clean console: no lockdep report, hung task, WARN...), except that its
# failed tests are left to scripts/compare-vfio-selftests.sh, which fails
# the group only for a test that passes or skips on the base and fails on
# the series, for an unclean boot, or if no test ran. The table goes to
# build/results/vfio-selftests.md; the consoles and TAP to
# build/results/vfio-selftests-{series,base}-console.log and .tap.
#
#   VFIO_SERIES_KERNEL  the series' kernel (default build/out/bzImage)
#   VFIO_BASE_KERNEL    the base kernel (default build/out/bzImage-base)
#   VFIO_TIMEOUT        wall-clock limit of each boot (default 900 s)
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# boot NAME KERNEL - one guest run with the suite, judged; fails if the boot
# was not clean.
boot() {
	local name=vfio-selftests-$1

	log "booting the $1 kernel with the vfio selftests"
	rm -f "$RESULTS/$name-console.log" "$RESULTS/$name.tap"
	ALLOW_FAILED=1 "$TOP/scripts/guest-test.sh" --name "$name" --kernel "$2" \
		--extra "$OUT/initramfs-vfio-selftests.cpio.gz" --ism 1 --virtio 1 \
		--timeout "${VFIO_TIMEOUT:-900}" --append bench.suite=vfio_selftests
}

main() {
	local series=${VFIO_SERIES_KERNEL:-$OUT/bzImage} base=${VFIO_BASE_KERNEL:-$OUT/bzImage-base}
	local unclean=''

	need_file "$series" "series kernel (run 'make kernel')"
	need_file "$base" "base kernel (run 'make vfio-selftests-test')"
	need_file "$OUT/initramfs-vfio-selftests.cpio.gz" "vfio selftests initramfs (run scripts/build-vfio-selftests.sh)"
	boot series "$series" || unclean="$unclean series"
	boot base "$base" || unclean="$unclean base"
	UNCLEAN=$unclean "$TOP/scripts/compare-vfio-selftests.sh" \
		"$RESULTS/vfio-selftests-base.tap" "$RESULTS/vfio-selftests-series.tap" \
		"$RESULTS/vfio-selftests.md"
}

main "$@"
