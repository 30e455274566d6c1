#!/usr/bin/env bash
# build-guest-tests.sh [VARIANT [DIR]] - the bench's own guest programs
# from guest/DIR/ (default tests): shell scripts are copied, C programs are
# built statically for s390x with the series' selftest harness and zPCI
# helpers (tools/testing/selftests/drivers/s390x/zpci/zpci_lib.c), the
# bench's QMP client (guest/qmp/zpci_qmp.c) and guest/include/.
# All land in build/out/DIR/, which is emptied first; DIR=tests is /tests
# in the guest, next to the kselftests in /kselftest.
# With DIR=tests it also builds the selftests' platform hook,
# guest/qmp/zpci-platform.c, as build/out/bin/zpci-platform: /bin in the
# guest, where guest/init points ZPCI_TEST_PLATFORM at it.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local dir=${2:-tests} st lib hdrs f out stamp qmp=$TOP/guest/qmp
	local -a cflags

	hold_lock guest-files # see build-initramfs.sh
	record_step "guest-tests-${2:-tests}"
	kernel_vars "${1:-default}"
	[ -d "$TOP/guest/$dir" ] || die "no such directory: guest/$dir"
	st=$KSRC/tools/testing/selftests
	lib=$st/drivers/s390x/zpci
	hdrs=$KOUT/usr/include
	need_file "$lib/zpci_lib.c" "zPCI selftest helpers of the series"
	need_file "$hdrs/linux/vfio.h" "uapi headers (run 'make kernel')"
	# guest/include first: the bench's zpci_qmp.h, not one of an older series
	cflags=(-O2 -Wall -static -pthread -D_GNU_SOURCE -isystem "$hdrs"
		-I "$TOP/guest/include" -I "$st" -I "$lib")
	# Nothing to do when no input changed: the sources, the headers, the
	# compiler and this script
	stamp=$( {
		find "$TOP/guest/$dir" "$TOP/guest/include" "$qmp" "$st"/kselftest*.h \
			"$lib" "$hdrs" -type f | LC_ALL=C sort | xargs cat
		s390x-linux-gnu-gcc --version
		cat "$0"
	} | stamp_of -)
	if [ -d "$OUT/$dir" ] && [ "$(cat "$OUT/$dir.stamp" 2>/dev/null)" = "$stamp" ]; then
		vlog "guest programs in ${OUT#"$TOP"/}/$dir are up to date"
		return 0
	fi
	rm -f "$OUT/$dir.stamp"
	rm -rf "${OUT:?}/$dir"
	mkdir -p "$OUT/$dir"
	for f in "$TOP/guest/$dir"/*; do
		out=$OUT/$dir/$(basename "${f%.*}")
		case "$f" in
		*.sh) install -m 0755 "$f" "$out" ;;
		*.c)
			s390x-linux-gnu-gcc "${cflags[@]}" -o "$out" "$f" "$lib/zpci_lib.c" "$qmp/zpci_qmp.c" \
				2>"$BUILD/logs/guest-test-$(basename "$out").log" ||
				die "guest test $(basename "$f") does not build (log: build/logs/guest-test-$(basename "$out").log)"
			;;
		esac
	done
	if [ "$dir" = tests ]; then
		platform_hook
	fi
	printf '%s\n' "$stamp" >"$OUT/$dir.stamp"
}

# platform_hook - the selftests' platform hook, build/out/bin/zpci-platform
platform_hook() {
	local qmp=$TOP/guest/qmp

	mkdir -p "$OUT/bin"
	s390x-linux-gnu-gcc -O2 -Wall -static -D_GNU_SOURCE -I "$TOP/guest/include" \
		-o "$OUT/bin/zpci-platform.tmp" "$qmp/zpci-platform.c" "$qmp/zpci_qmp.c" \
		2>"$BUILD/logs/guest-test-zpci-platform.log" ||
		die "the platform hook guest/qmp/zpci-platform.c does not build (log: build/logs/guest-test-zpci-platform.log)"
	mv "$OUT/bin/zpci-platform.tmp" "$OUT/bin/zpci-platform"
}

main "$@"
