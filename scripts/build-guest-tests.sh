#!/usr/bin/env bash
# build-guest-tests.sh [VARIANT [DIR]] - the bench's own guest programs
# from guest/DIR/ (default tests): shell scripts are copied, C programs are
# built statically for s390x with the series' selftest harness and zPCI
# helpers (tools/testing/selftests/drivers/s390x/zpci/zpci_lib.c), the
# bench's QMP client (guest/qmp/zpci_qmp.c) and guest/include/.
# All land in build/out/DIR/, which is emptied first; DIR=tests is /tests
# in the guest, next to the kselftests in /kselftest.
# With DIR=tests it also builds the guest's tools into build/out/bin/,
# /bin in the guest: the selftests' platform hook,
# guest/qmp/zpci-platform.c, as zpci-platform (guest/init points
# ZPCI_TEST_PLATFORM at it), and each guest/bin/NAME.c as NAME.
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
		find "$TOP/guest/$dir" "$TOP/guest/include" "$TOP/guest/bin" "$qmp" "$st"/kselftest*.h \
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
		guest_tools
	fi
	printf '%s\n' "$stamp" >"$OUT/$dir.stamp"
}

# tool NAME SOURCE... - build/out/bin/NAME from SOURCE...
tool() {
	local name=$1 log=$BUILD/logs/guest-tool-$1.log
	shift

	s390x-linux-gnu-gcc -O2 -Wall -static -D_GNU_SOURCE -I "$TOP/guest/include" \
		-o "$OUT/bin/$name.tmp" "$@" 2>"$log" ||
		die "the guest tool $name (${1#"$TOP"/}) does not build (log: ${log#"$TOP"/})"
	mv "$OUT/bin/$name.tmp" "$OUT/bin/$name"
}

# guest_tools - the selftests' platform hook and guest/bin's tools, in
# build/out/bin
guest_tools() {
	local f

	mkdir -p "$OUT/bin"
	tool zpci-platform "$TOP/guest/qmp/zpci-platform.c" "$TOP/guest/qmp/zpci_qmp.c"
	for f in "$TOP"/guest/bin/*.c; do
		[ -e "$f" ] || continue
		tool "$(basename "${f%.c}")" "$f"
	done
}

main "$@"
