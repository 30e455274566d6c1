#!/usr/bin/env bash
# build-selftests.sh [VARIANT] - cross-build the kselftest targets of the
# series (SELFTESTS, default drivers/s390x/zpci) statically for s390x,
# against the uapi headers of the VARIANT kernel build, and collect the
# programs in build/out/tests/ for the initramfs.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local target out hdrs src
	local -a targets

	read -r -a targets <<<"${SELFTESTS:-drivers/s390x/zpci}"
	kernel_vars "${1:-default}"
	src=$KSRC
	hdrs=$KOUT/usr/include
	need_file "$hdrs/linux/vfio.h" "uapi headers (run 'make kernel')"
	rm -rf "$OUT/tests"
	mkdir -p "$OUT/tests"
	for target in "${targets[@]}"; do
		need_file "$src/tools/testing/selftests/$target/Makefile" "selftest target $target"
		out=$KOUT/kselftest/$target
		mkdir -p "$out"
		# The selftests' makefiles need make's built-in rules and
		# variables, which the top-level -rR would turn off.
		run_quiet "$BUILD/logs/kselftest-${target//\//_}.log" \
			env -u MAKEFLAGS -u MAKELEVEL make -C "$src/tools/testing/selftests/$target" "${KARCH[@]}" \
			OUTPUT="$out" KHDR_INCLUDES="-isystem $hdrs" ||
			die "selftest $target does not build (log: build/logs/kselftest-${target//\//_}.log)"
		find "$out" -maxdepth 1 -type f -perm -u+x -exec cp -p {} "$OUT/tests/" \;
	done
	vlog "selftests: $(find "$OUT/tests" -type f | wc -l) programs"
}

main "$@"
