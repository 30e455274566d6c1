#!/usr/bin/env bash
# Tests for lockdep-summary.  Prints TAP, ends with "N passed, N failed".
#
# usage: run.sh BINARY MAXRSS
#   BINARY  the lockdep-summary to test (make check builds it with sanitizers)
#   MAXRSS  the tests/maxrss.c helper
# UPDATE=1 rewrites the golden files in tests/expected/ instead of comparing:
# read the diff before committing it.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DATA=$HERE/data
EXPECTED=$HERE/expected
BIN=
MAXRSS=
TMP=
PASS=0
FAIL=0
N=0

# Limits for the 100 MB run: it takes about 5 s with ASan here.
BIG_BYTES=100000000
BIG_SECONDS=45
BIG_RSS_KB=65536
GROWTH_KB=4096

ok() {
	N=$((N + 1))
	PASS=$((PASS + 1))
	printf 'ok %d - %s\n' "$N" "$1"
}

not_ok() {
	local name=$1
	shift
	N=$((N + 1))
	FAIL=$((FAIL + 1))
	printf 'not ok %d - %s\n' "$N" "$name"
	printf '#   %s\n' "$@"
}

# check NAME COND_STATUS DIAG... - record a result from a status code.
check() {
	local name=$1 status=$2
	shift 2
	if [ "$status" -eq 0 ]; then
		ok "$name"
	else
		not_ok "$name" "$@"
	fi
}

# run_tool OUT RC_FILE ARGS... - run the tool, keep stdout and exit status.
run_tool() {
	local out=$1 rcf=$2 rc=0
	shift 2
	"$BIN" "$@" >"$out" 2>"$TMP/stderr" || rc=$?
	echo "$rc" >"$rcf"
}

# golden NAME RC INPUT [ARGS...] - output must equal expected/NAME.out.
golden() {
	local name=$1 want_rc=$2 input=$3 rc
	shift 3
	run_tool "$TMP/$name.out" "$TMP/rc" "$@" "$input"
	rc=$(<"$TMP/rc")
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$TMP/$name.out" "$EXPECTED/$name.out"
	fi
	if [ "$rc" != "$want_rc" ]; then
		not_ok "$name: exit status" "want $want_rc, got $rc" \
			"stderr: $(head -c 300 "$TMP/stderr")"
	elif ! diff -u "$EXPECTED/$name.out" "$TMP/$name.out" >"$TMP/diff"; then
		mapfile -t lines < <(head -n 40 "$TMP/diff")
		not_ok "$name: output" "${lines[@]}"
	else
		ok "$name"
	fi
}

# has_line NAME FILE LINE - FILE must hold LINE exactly.
has_line() {
	local st=0
	grep -qxF -- "$3" "$2" || st=1
	check "$1" "$st" "missing line: $3"
}

test_seeds() {
	local s
	for s in 000 001 002 004; do
		golden "seed$s" 0 "$DATA/seed$s.txt"
	done
	golden seed003 1 "$DATA/seed003.txt"
	golden seed000-verbose 0 "$DATA/seed000.txt" -v

	has_line "seed000: cycle in order" "$TMP/seed000.out" \
		'cycle:    &xe_vdev->state_mutex -> &migf->lock -> &mm->mmap_lock -> &vdev->memory_lock -> &xe_vdev->state_mutex'
	has_line "seed000: set_device_state link" "$TMP/seed000.out" \
		'link #0:  xe_vfio_pci_set_device_state takes &migf->lock while holding &xe_vdev->state_mutex (via mutex_lock_nested)'
	has_line "seed000: data_read link" "$TMP/seed000.out" \
		'link #1:  xe_sriov_migration_data_read takes &mm->mmap_lock while holding &migf->lock (via _copy_to_user)'
	has_line "seed000: DMA pinning link" "$TMP/seed000.out" \
		'link #2:  vfio_pci_mmap_huge_fault takes &vdev->memory_lock while holding &mm->mmap_lock (via down_read)'
	has_line "seed000: reset link" "$TMP/seed000.out" \
		'link #3:  xe_vfio_pci_reset_done takes &xe_vdev->state_mutex while holding &vdev->memory_lock (via mutex_lock_nested)'
	has_line "seed000: pinning path in -v" "$TMP/seed000-verbose.out" \
		'          from: handle_mm_fault < fixup_user_fault < vaddr_get_pfns < vfio_pin_pages_remote < vfio_pin_map_dma < vfio_iommu_type1_ioctl < vfio_fops_unl_ioctl'
	has_line "seed001: two-lock cycle" "$TMP/seed001.out" \
		'cycle:    &group->mutex -> dmar_global_lock -> &group->mutex'
	has_line "seed002: two-lock cycle" "$TMP/seed002.out" \
		'cycle:    &dev->struct_mutex -> &mm->mmap_sem -> &dev->struct_mutex'
	has_line "seed004: waits on zdev->lock" "$TMP/seed004.out" \
		'waits on: &zdev->lock in vfio_pci_zdev_io_rw (via mutex_lock_nested)'
	has_line "seed004: held by zsh in disable_slot" "$TMP/seed004.out" \
		'held by:  zsh/1190 (taken in disable_slot)'
	has_line "seed004: holder's lock marked" "$TMP/seed004.out" \
		'    #3 &zdev->lock at disable_slot  <== wanted by qemu-system-s39/1315'
	check "seed003: no output" "$([ -s "$TMP/seed003.out" ] && echo 1 || echo 0)" \
		"unexpected output"

	# The bench's reproducer of seed 004 (make repro), on this branch.
	run_tool "$TMP/repro.out" "$TMP/rc" "$DATA/repro-console.txt"
	check "repro: exit status" "$(<"$TMP/rc")" "want 0"
	has_line "repro: waits on zdev->state_lock" "$TMP/repro.out" \
		'waits on: &zdev->state_lock in vfio_pci_zdev_io_rw (via mutex_lock_nested)'
	has_line "repro: held by the power-off in disable_slot" "$TMP/repro.out" \
		'held by:  zpci_unplug_str/62 (taken in disable_slot)'
	has_line "repro: holder's lock marked" "$TMP/repro.out" \
		'    #4 &zdev->state_lock at disable_slot  <== wanted by zpci_unplug_str/60'
}

test_crafted() {
	local c
	for c in circular_plain bracket_prefix quoted wrapped inconsistent \
		bad_unlock hung_mutex truncated mixed; do
		golden "$c" 0 "$DATA/$c.txt"
	done
	has_line "hung_mutex: owner found" "$TMP/hung_mutex.out" \
		'held by:  qemu-system-s39/1290 (taken in vfio_pci_zdev_release)'
	has_line "truncated: marked" "$TMP/truncated.out" \
		'note:     report truncated'
}

test_inputs() {
	local st

	: >"$TMP/empty"
	golden empty 1 "$TMP/empty"
	golden empty-stdin 1 - <"$TMP/empty"

	"$BIN" <"$DATA/seed001.txt" >"$TMP/stdin.out" && st=0 || st=$?
	[ "$st" = 0 ] && cmp -s "$TMP/stdin.out" "$EXPECTED/seed001.out" && st=0 || st=1
	check "stdin gives the same output as a file" "$st" "stdin output differs"

	# NUL bytes, invalid UTF-8 and control bytes around and inside a report
	{
		printf '\0\0\377\376\300\200 junk\r\n\x1b[31mred\x1b[0m\0\n'
		sed -n '1,58p' "$DATA/seed001.txt"
		printf 'junk\0\001 inside the chain\n'
		sed -n '59,$p' "$DATA/seed001.txt" |
			sed 's/(dmar_global_lock)/(dmar\xff\x00_lock)/'
		head -c 3000 /dev/zero
		printf '\n\xc3\x28\xa0\xa1\xf0\x28\x8c\x28\n'
	} >"$TMP/junk"
	golden junk 0 "$TMP/junk"
	st=0
	LC_ALL=C grep -q '[^ -~]' "$TMP/junk.out" && st=1
	check "junk: output is printable ASCII" "$st" "non-ASCII byte in output"

	head -c 65536 /dev/zero | tr '\0' '\377' >"$TMP/alljunk"
	golden junk-only 1 "$TMP/alljunk"

	# a 4 MB line without a newline, then a report: the line is cut
	{
		head -c 4000000 /dev/zero | tr '\0' 'x'
		printf '\n'
		cat "$DATA/seed002.txt"
	} >"$TMP/longline"
	golden longline 0 "$TMP/longline"
	sed -i '1s/^/> /' "$TMP/longline"
	golden longline-quoted 0 "$TMP/longline"
}

# expect_rc NAME RC ARGS... - the tool must exit with RC.
expect_rc() {
	local name=$1 want=$2 got
	shift 2
	run_tool "$TMP/o" "$TMP/rc" "$@"
	got=$(<"$TMP/rc")
	check "$name" "$([ "$got" = "$want" ] && echo 0 || echo 1)" \
		"want exit status $want, got $got"
}

test_usage() {
	local st=0

	expect_rc "--help exits 0" 0 --help
	grep -q '^Exit status: 0 if at least one report' "$TMP/o" || st=1
	check "--help documents the exit status" "$st" "no exit status text"
	expect_rc "unknown option exits 2" 2 --bogus
	expect_rc "two files exit 2" 2 "$DATA/seed001.txt" "$DATA/seed002.txt"
	expect_rc "missing file exits 2" 2 "$TMP/does-not-exist"
	expect_rc "directory (read error) exits 2" 2 "$TMP"
}

# make_log FILE BYTES - seed 001, binary junk and a quoted hung task, repeated.
make_log() {
	local block
	block="$(cat "$DATA/seed001.txt")
$(printf 'junk \001\002 \377\376 line\n[   1.0] noise (with parens) at: nothing\n')
$(sed 's/^/> /' "$DATA/seed004.txt")"
	head -c "$2" < <(yes "$block") >"$1"
}

# big_run FILE - run the tool under maxrss; sets RUN_RC, RUN_KB, RUN_SECS.
big_run() {
	local t0 t1
	t0=$(date +%s%N)
	RUN_RC=0
	"$MAXRSS" "$TMP/rss" "$BIN" "$1" >"$TMP/big.out" 2>"$TMP/stderr" || RUN_RC=$?
	t1=$(date +%s%N)
	RUN_KB=$(<"$TMP/rss")
	RUN_SECS=$(((t1 - t0) / 1000000000))
}

test_big() {
	local want got small_kb st

	make_log "$TMP/small.log" 1000000
	big_run "$TMP/small.log"
	small_kb=$RUN_KB

	make_log "$TMP/big.log" "$BIG_BYTES"
	want=$(grep -c 'WARNING: possible circular' "$TMP/big.log")
	big_run "$TMP/big.log"
	got=$(grep -c '^== possible circular' "$TMP/big.out" || true)
	check "100 MB log: exit status 0" "$RUN_RC" "exit status $RUN_RC" \
		"stderr: $(head -c 300 "$TMP/stderr")"
	st=0
	[ "$got" = "$want" ] || st=1
	check "100 MB log: every report found ($want)" "$st" "found $got"
	st=0
	[ "$(grep -c '^held by:  zsh/1190 (taken in disable_slot)$' "$TMP/big.out")" -gt 1000 ] ||
		st=1
	check "100 MB log: quoted hung tasks found" "$st" "too few"
	st=0
	[ "$RUN_SECS" -lt "$BIG_SECONDS" ] || st=1
	check "100 MB log: done in ${RUN_SECS}s (< ${BIG_SECONDS}s)" "$st" \
		"took ${RUN_SECS}s"
	st=0
	[ "$RUN_KB" -lt "$BIG_RSS_KB" ] || st=1
	check "100 MB log: max RSS ${RUN_KB} KiB (< $BIG_RSS_KB)" "$st" \
		"max RSS ${RUN_KB} KiB"
	st=0
	[ $((RUN_KB - small_kb)) -lt "$GROWTH_KB" ] || st=1
	check "memory does not grow with input (1 MB: ${small_kb} KiB)" "$st" \
		"1 MB: $small_kb KiB, 100 MB: $RUN_KB KiB"
	rm -f "$TMP/big.log" "$TMP/big.out"
}

main() {
	if [ $# -ne 2 ]; then
		echo "usage: $0 BINARY MAXRSS" >&2
		exit 2
	fi
	BIN=$1
	MAXRSS=$2
	TMP=$(mktemp -d)
	trap 'rm -rf "$TMP"' EXIT

	test_seeds
	test_crafted
	test_inputs
	test_usage
	test_big

	printf '1..%d\n' "$N"
	printf '%d passed, %d failed\n' "$PASS" "$FAIL"
	[ "$FAIL" -eq 0 ]
}

main "$@"
