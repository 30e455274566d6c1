#!/usr/bin/env bash
# build-guest-tests.sh [VARIANT [DIR]] - the bench's own guest programs
# from guest/DIR/ (default tests): shell scripts are copied, C programs are
# built statically for s390x with the series' selftest harness and zPCI
# helpers (tools/testing/selftests/drivers/s390x/zpci/zpci_{lib,qmp}.c) and
# guest/include/.
# All land in build/out/DIR/, which is emptied first; DIR=tests is /tests
# in the guest, next to the kselftests in /kselftest.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

main() {
	local dir=${2:-tests} st lib hdrs f out
	local -a cflags

	kernel_vars "${1:-default}"
	[ -d "$TOP/guest/$dir" ] || die "no such directory: guest/$dir"
	st=$KSRC/tools/testing/selftests
	lib=$st/drivers/s390x/zpci
	hdrs=$KOUT/usr/include
	need_file "$lib/zpci_lib.c" "zPCI selftest helpers of the series"
	need_file "$hdrs/linux/vfio.h" "uapi headers (run 'make kernel')"
	cflags=(-O2 -Wall -static -pthread -D_GNU_SOURCE -isystem "$hdrs" -I "$st" -I "$lib"
		-I "$TOP/guest/include")
	rm -rf "${OUT:?}/$dir"
	mkdir -p "$OUT/$dir"
	for f in "$TOP/guest/$dir"/*; do
		out=$OUT/$dir/$(basename "${f%.*}")
		case "$f" in
		*.sh) install -m 0755 "$f" "$out" ;;
		*.c)
			s390x-linux-gnu-gcc "${cflags[@]}" -o "$out" "$f" "$lib/zpci_lib.c" "$lib/zpci_qmp.c" \
				2>"$BUILD/logs/guest-test-$(basename "$out").log" ||
				die "guest test $(basename "$f") does not build (log: build/logs/guest-test-$(basename "$out").log)"
			;;
		esac
	done
}

main "$@"
