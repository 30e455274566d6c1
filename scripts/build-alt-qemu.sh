#!/usr/bin/env bash
# build-alt-qemu.sh REPO REF - another version of the QEMU series, for a
# side-by-side comparison of the nested data path ('scripts/bench.sh
# compare'): the static s390x QEMU of commit REF of the git repository
# REPO (build/qemu, or a clone with a branch of its own), built like
# 'build-qemu.sh s390x' in build/alt with the same ccache, and packed as
# build/out/initramfs-alt-qemu.cpio.gz, where guest/bench/vmm_bench.sh
# runs it as the VMM 'alt'.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local repo=${1:-} ref=${2:-} alt=$BUILD/alt

	if [ -z "$repo" ] || [ -z "$ref" ]; then
		die "usage: $PROG REPO REF"
	fi
	git -C "$repo" rev-parse -q --verify "$ref^{commit}" >/dev/null ||
		die "no commit '$ref' in $repo"
	mkdir -p "$alt"
	# The same ccache and s390x sysroot as build/, the tree at the same
	# depth below it, so that build-qemu.sh finds objects to share
	ln -sfn ../ccache "$alt/ccache"
	ln -sfn ../cache "$alt/cache"
	rm -rf "$alt/qemu"
	git -C "$repo" worktree prune
	git -C "$repo" worktree add -q --detach "$alt/qemu" "$ref"
	BUILD=$alt "$TOP/scripts/build-qemu.sh" s390x
	mkdir -p "$OUT/alt-qemu"
	install_output "$alt/out/qemu-system-s390x.s390x" "$OUT/alt-qemu/qemu-system-s390x"
	"$TOP/scripts/build-initramfs.sh" --extra "$OUT/alt-qemu" \
		"$OUT/initramfs-alt-qemu.cpio.gz" nested/alt
	log "the QEMU of $ref is the VMM 'alt' of build/out/initramfs-alt-qemu.cpio.gz"
}

main "$@"
