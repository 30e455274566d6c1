#!/usr/bin/env bash
# Host-side tests of the bench itself: every way a run can go wrong must end
# in a one-line reason and a non-zero exit, never a silent pass. Each test
# runs a real bench script against crafted input in a temporary directory.
# Prints TAP and ends with "N passed, N failed".
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
DATA=$TOP/tests/harness/data
S=$TOP/scripts
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# The steps these tests run are not steps of the make check around them
unset STEP_LOG

n=0
failed=0
declare -a TESTS=()

# expect NAME STATUS REGEX CMD... - CMD must exit with STATUS ('nonzero'
# for any failure) and print a line matching REGEX.
expect() {
	local name=$1 want=$2 regex=$3 rc=0 out
	shift 3

	n=$((n + 1))
	out=$("$@" 2>&1) || rc=$?
	if { [ "$want" = nonzero ] && [ $rc != 0 ]; } || [ "$want" = "$rc" ]; then
		if grep -qE -- "$regex" <<<"$out"; then
			echo "ok $n $name"
			return 0
		fi
		echo "not ok $n $name # output lacks /$regex/"
	else
		echo "not ok $n $name # exit $rc, wanted $want"
	fi
	while IFS= read -r line; do printf '#   %s\n' "$line"; done <<<"$out" | tail -n 15
	failed=$((failed + 1))
}

# --- verdict: crafted and real console logs ------------------------------

verdict() {
	"$S/verdict.sh" "$DATA/$1" "$TMP/results.tap"
}

t_verdict() {
	expect "verdict: clean run passes" 0 '^3 passed, 0 failed' verdict clean.log
	expect "verdict: failed subtest fails" 1 '^2 passed, 1 failed' verdict subtest-fail.log
	expect "verdict: circular locking report fails" 1 'possible circular locking' verdict lockdep.log
	expect "verdict: hung task fails" 1 'INFO: task .* blocked' verdict hung-task.log
	expect "verdict: WARN fails" 1 'WARNING: CPU' verdict warn.log
	expect "verdict: sleeping in atomic fails" 1 'sleeping function called' verdict atomic-sleep.log
	expect "verdict: KASAN report fails" 1 'KASAN:' verdict kasan.log
	expect "verdict: crash inside a program fails" 1 'incomplete or inconsistent' verdict crash-mid-program.log
	expect "verdict: missing results fail" 1 'incomplete or inconsistent' verdict truncated.log
	expect "verdict: no test at all fails" 1 'no test ran' verdict no-tests.log
	expect "verdict: several streams in one program pass" 0 '^2 passed, 0 failed, 1 skipped' verdict streams.log
	expect "verdict: a short stream among several fails" 1 'incomplete or inconsistent' verdict streams-short.log
	expect "verdict: run_kselftest.sh and run-suite streams pass" 0 '^4 passed, 0 failed' verdict two-runners.log
	expect "verdict: a short runner stream before another fails" 1 'incomplete or inconsistent' verdict two-runners-short.log
	expect "verdict: seed 004 (2021 deadlock) fails" 1 'Call Trace:' \
		"$S/verdict.sh" "$TOP/tools/lockdep-summary/tests/data/seed004.txt" "$TMP/r.tap"
	expect "verdict: failed guest status fails" 1 'guest: run failed' \
		env GUEST_STATUS=1 "$S/verdict.sh" "$DATA/clean.log" "$TMP/r.tap"
	expect "verdict: reproducer hang is detected" 0 'hang was detected' \
		env EXPECT_HANG=1 "$S/verdict.sh" "$DATA/hung-task.log" "$TMP/r.tap"
	expect "verdict: reproducer lockdep report counts as the hang" 0 'hang was detected' \
		env EXPECT_HANG=1 "$S/verdict.sh" "$DATA/lockdep.log" "$TMP/r.tap"
	expect "verdict: reproducer WARN alone is not the hang" 1 'NO hang detected' \
		env EXPECT_HANG=1 "$S/verdict.sh" "$DATA/warn.log" "$TMP/r.tap"
	expect "verdict: reproducer without hang fails" 1 'NO hang detected' \
		env EXPECT_HANG=1 "$S/verdict.sh" "$DATA/clean.log" "$TMP/r.tap"
	expect "verdict: reproducer caught by the test's failure passes" 0 'failed as expected' \
		expect_fail 'zpci\.irqs|vfio_zpci_test' 'RUN +zpci\.irqs' subtest-fail.log
	expect "verdict: reproducer with another test failing fails" 1 'other failure: .*zpci\.irqs' \
		expect_fail 'zpci\.config_space|vfio_zpci_test' 'RUN +zpci\.irqs' subtest-fail.log
	expect "verdict: reproducer failing for another reason fails" 1 'NOT caught' \
		expect_fail 'zpci\.irqs|vfio_zpci_test' 'not gone' subtest-fail.log
	expect "verdict: reproducer that no test catches fails" 1 'NOT caught' \
		expect_fail 'zpci' 'zpci' clean.log
	expect "verdict: reproducer caught, but a kernel report, fails" 1 'console: .*WARNING' \
		expect_fail '.' '.' warn.log
	expect "verdict: every test of EXPECT_EACH failed: one pass each" 0 '^1 passed, 0 failed' \
		expect_each zpci.irqs 'zpci\.irqs|vfio_zpci_test' 'RUN +zpci\.irqs' subtest-fail.log
	expect "verdict: a test of EXPECT_EACH that did not fail fails" 1 \
		'did not fail as expected: zpci\.config_space' \
		expect_each 'zpci.irqs zpci.config_space' 'zpci\.irqs|vfio_zpci_test' 'RUN +zpci\.irqs' \
		subtest-fail.log
}

# expect_fail TESTS WHY LOG - the verdict of a reproducer caught by a failure
expect_fail() {
	expect_each '' "$@"
}

# expect_each EACH TESTS WHY LOG - expect_fail where each test of EACH must
# have failed
expect_each() {
	EXPECT_EACH=$1 EXPECT_FAIL=$2 REPRO_WHY=$3 "$S/verdict.sh" "$DATA/$4" "$TMP/r.tap"
}

# --- guest runs: hang, crash, status -------------------------------------

fake_qemu() {
	cat >"$TMP/fake-qemu" <<-EOF
		#!/usr/bin/env bash
		$1
	EOF
	chmod +x "$TMP/fake-qemu"
}

run_guest() {
	: >"$TMP/bzImage"
	: >"$TMP/initrd"
	QEMU=$TMP/fake-qemu BUILD=$TMP/build "$S/run-guest.sh" --kernel "$TMP/bzImage" \
		--initrd "$TMP/initrd" --log "$TMP/console.log" "$@"
}

# run_guest with 2 s for the power-off after bench-exit
run_guest_grace2() { POWEROFF_GRACE=2 run_guest "$@"; }

# The ISM-like devices of a run with --strict 1 of 2, from QEMU's command
# line (printf %q escapes the commas): ISM as it is, then a strict one.
strict_devices() {
	run_guest --ism 2 --strict 1 >/dev/null || return
	tr ' ' '\n' <"$TMP/build/run/console/qemu-cmdline" | tr -d '\134' |
		grep -E 'msix-vectors=0,id=ism1|relaxed-alignment=off,id=ism2' | tr '\n' ' '
}

t_guest() {
	fake_qemu 'echo "bench: guest up"; exec sleep 60'
	expect "run-guest: hung guest is stopped" 1 'guest hung: no power-off within 2 s' \
		run_guest --timeout 2
	# shellcheck disable=SC2016 # expanded by the fake QEMU, not here
	fake_qemu 'echo "bench-exit: 0"
		while [ $# -gt 0 ]; do [ "$1" = -pidfile ] && echo $$ >"$2"; shift; done
		exec sleep 60'
	expect "run-guest: no power-off after bench-exit is a hang" 1 \
		'no power-off within 2 s of its bench-exit' run_guest_grace2 --timeout 30
	expect "run-guest: ... and the state of the guest is saved" 0 'no power-off after bench-exit' \
		cat "$TMP/console-hang.txt"
	fake_qemu 'echo "bench: hang detected: the suite still runs after 9 s"'
	expect "run-guest: guest watchdog is a hang" 1 'the guest.s watchdog fired' run_guest
	fake_qemu 'echo "Kernel panic - not syncing: test"'
	expect "run-guest: crashed guest fails" 1 'without reporting an exit status' run_guest
	fake_qemu 'echo "bench-exit: 3"'
	expect "run-guest: guest exit status is returned" 3 '' run_guest
	fake_qemu 'exit 1'
	expect "run-guest: QEMU failure fails" 1 'QEMU failed with exit status 1' run_guest
	# shellcheck disable=SC2016 # expanded by the fake QEMU, not here
	fake_qemu 'cat "$(dirname "$0")/clean.log"'
	cp "$DATA/clean.log" "$TMP/clean.log"
	expect "run-guest: clean guest passes" 0 '' run_guest
	expect "run-guest: the last --strict functions are strict" 0 'ism1 .*ism2' \
		strict_devices
	expect "run-guest: more --strict than ISM functions fails" 1 '--strict 3: only 2 ISM-like functions' \
		run_guest --ism 2 --strict 3
	expect "run-guest: missing kernel is named" 1 'missing kernel image' \
		env QEMU="$TMP/fake-qemu" "$S/run-guest.sh" --kernel "$TMP/nonexistent"
}

# --- patch series: apply, guard, export ----------------------------------

# A tiny tree that tree.sh takes for an unpacked linux base.
fake_tree() {
	local b=$TMP/tb

	rm -rf "$b" "$TMP/patches"
	mkdir -p "$b/linux" "$b/state/linux" "$TMP/patches/linux"
	printf 'one\ntwo\nthree\n' >"$b/linux/file"
	git -C "$b/linux" init -q -b series
	git -C "$b/linux" add file
	git -C "$b/linux" -c user.name=t -c user.email=t@example.org commit -q -m base
	git -C "$b/linux" tag base
	# shellcheck disable=SC2016 # expanded by the inner bash
	bash -c '. "$1" && load_pins && printf "linux %s %s\n" "$LINUX_VERSION" "$LINUX_SHA256"' \
		_ "$S/lib.sh" >"$b/state/linux/base"
	: >"$TMP/patches/linux/series"
}

tree() {
	BUILD=$TMP/tb PATCHES=$TMP/patches "$S/tree.sh" linux
}

# shellcheck disable=SC2120 # called with and without --dry-run
export_tree() {
	BUILD=$TMP/tb PATCHES=$TMP/patches "$S/export.sh" linux "$@"
}

t_series() {
	local g=(-c user.name=t -c user.email=t@example.org)

	fake_tree
	cat >"$TMP/patches/linux/0001-bogus.patch" <<-'EOF'
		From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
		From: t <t@example.org>
		Subject: [PATCH] bogus

		---
		 file | 2 +-
		 1 file changed, 1 insertion(+), 1 deletion(-)

		diff --git a/file b/file
		--- a/file
		+++ b/file
		@@ -1,3 +1,3 @@
		 one
		-not in the base
		+three
		 two
	EOF
	echo 0001-bogus.patch >"$TMP/patches/linux/series"
	expect "tree: a patch that does not apply is named" 1 '0001-bogus.patch does not apply' tree
	echo 0002-missing.patch >"$TMP/patches/linux/series"
	expect "tree: a missing patch is named" 1 'missing patch listed' tree

	fake_tree
	expect "tree: empty series applies" 0 'base \+ 0 patches' tree
	echo four >>"$TMP/tb/linux/file"
	git -C "$TMP/tb/linux" "${g[@]}" commit -q -a -m "add four"
	expect "tree: unexported commits are kept" 1 'not in patches/linux' tree
	expect "export: writes the commit" 0 '1 patches exported' export_tree
	expect "export: unchanged tree changes no file" 0 '' export_tree --dry-run
	cp -a "$TMP/patches/linux" "$TMP/before"
	export_tree
	expect "export: second export is byte-identical" 0 '' diff -r "$TMP/before" "$TMP/patches/linux"
	rm -rf "$TMP/before"
	echo five >>"$TMP/tb/linux/file"
	expect "tree: uncommitted edits are flagged" 0 'uncommitted changes: this build is not the series' tree
	cp "$TMP/patches/linux/0001-add-four.patch" "$TMP/patches/linux/0002-again.patch"
	echo 0002-again.patch >>"$TMP/patches/linux/series"
	expect "tree: uncommitted edits are kept when the series changes" 1 \
		'uncommitted changes: commit them' tree
	expect "tree: the uncommitted edit survives" 0 '' grep -qx five "$TMP/tb/linux/file"
	expect "export: refuses uncommitted edits" 1 'uncommitted changes' export_tree
}

# --- build steps: missing tools, failing kernel ---------------------------

t_build() {
	local bin=$TMP/bin c

	mkdir -p "$bin"
	for c in bash dirname basename cat; do
		ln -sf "$(command -v "$c")" "$bin/$c"
	done
	expect "build: a missing tool is named" 1 "missing command 's390x-linux-gnu-gcc'" \
		env PATH="$bin" "$S/build-kernel.sh"

	rm -rf "$TMP/kb"
	mkdir -p "$TMP/kb/linux/scripts/kconfig"
	cat >"$TMP/kb/linux/Makefile" <<-'EOF'
		tinyconfig olddefconfig headers_install: ; @mkdir -p $(O) && touch $(O)/.config
		bzImage: ; @echo 'drivers/foo.c:1: error: broken' >&2; exit 2
	EOF
	cat >"$TMP/kb/linux/scripts/kconfig/merge_config.sh" <<-'EOF'
		#!/usr/bin/env bash
		shift 3; base=$1; shift; cat "$@" >"$base"
	EOF
	chmod +x "$TMP/kb/linux/scripts/kconfig/merge_config.sh"
	expect "build: a kernel that does not build fails" 1 'kernel build failed' \
		env BUILD="$TMP/kb" "$S/build-kernel.sh"
	expect "build: an unknown kernel variant fails" 1 "unknown kernel variant 'nope'" \
		"$S/build-kernel.sh" nope
}

# --- series checks: checkpatch and bisectability --------------------------

t_series_check() {
	local b=$TMP/bb r g=(-c user.name=t -c user.email=t@example.org)

	mkdir -p "$TMP/cp/linux"
	# trailing whitespace added to a line of the selftest patch
	sed -e 's|^+\tp->ret = zpci_slot_power_write(p->func, 0);|& |' \
		"$(grep -l '^+.p->ret = zpci_slot_power_write(p->func, 0);' "$TOP"/patches/linux/0*.patch | head -n 1)" \
		>"$TMP/cp/linux/0001-bad.patch"
	echo 0001-bad.patch >"$TMP/cp/linux/series"
	expect "checkpatch: the series is clean" 0 ' 0 failed' "$S/check-patches.sh" linux
	expect "checkpatch: a new error fails the check" 1 'not ok 1 checkpatch linux: 0001-bad.patch' \
		"$S/check-patches.sh" linux "$TMP/cp/linux"
	# a pass is remembered for the content that passed, not for the name
	mkdir -p "$TMP/cp2/linux"
	cp "$TOP/patches/linux/$(head -n 1 "$TOP/patches/linux/series")" "$TMP/cp2/linux/0001-x.patch"
	echo 0001-x.patch >"$TMP/cp2/linux/series"
	expect "checkpatch: a clean patch passes" 0 '^ok 1 checkpatch linux: 0001-x.patch$' \
		env CHECK_CACHE="$TMP/cc" "$S/check-patches.sh" linux "$TMP/cp2/linux"
	expect "checkpatch: the same patch again is not checked again" 0 'unchanged since it passed' \
		env CHECK_CACHE="$TMP/cc" "$S/check-patches.sh" linux "$TMP/cp2/linux"
	cp "$TMP/cp/linux/0001-bad.patch" "$TMP/cp2/linux/0001-x.patch"
	expect "checkpatch: a patch that changed under the same name is checked" 1 'not ok 1' \
		env CHECK_CACHE="$TMP/cc" "$S/check-patches.sh" linux "$TMP/cp2/linux"

	rm -rf "$b"
	mkdir -p "$b/linux" "$b/kbuild/default"
	cat >"$b/linux/Makefile" <<-'EOF'
		olddefconfig: ; @true
		bzImage: ; @if [ -e broken ]; then echo 'broken: error: does not build' >&2; exit 2; fi
	EOF
	: >"$b/kbuild/default/.config"
	r=$b/linux
	git -C "$r" init -q -b series
	git -C "$r" add Makefile
	git -C "$r" "${g[@]}" commit -q -m base
	git -C "$r" tag base
	touch "$r/broken"
	git -C "$r" add broken
	git -C "$r" "${g[@]}" commit -q -m "breaks the build"
	git -C "$r" rm -q broken
	git -C "$r" "${g[@]}" commit -q -m "fixes it again"
	mkdir -p "$TMP/doc/Documentation/x"
	printf 'X\n=\n\n.. toctree::\n\n   page\n' >"$TMP/doc/Documentation/x/index.rst"
	printf 'A title\n=======\n\n*unterminated emphasis\n' >"$TMP/doc/Documentation/x/page.rst"
	expect "docs: a page with a reST warning fails" 1 'not ok 1 docs: Documentation/x/page.rst' \
		/usr/bin/python3 "$S/check-docs.py" "$TMP/doc" Documentation/x/page.rst
	printf 'A title\n=======\n\n.. note::\n\n   ===== =====\n   a     b\n   ===== =====\n' \
		>"$TMP/doc/Documentation/x/page.rst"
	expect "docs: a simple table, even indented, fails" 1 'page.rst:6: a simple table' \
		/usr/bin/python3 "$S/check-docs.py" "$TMP/doc" Documentation/x/page.rst
	printf 'A title\n=======\n\n.. kernel-doc:: include/x.h\n' >"$TMP/doc/Documentation/x/page.rst"
	expect "docs: a clean page passes" 0 '1 passed, 0 failed' \
		/usr/bin/python3 "$S/check-docs.py" "$TMP/doc" Documentation/x/page.rst
	printf 'X\n=\n' >"$TMP/doc/Documentation/x/index.rst"
	expect "docs: a page missing from the toctree fails" 1 'not in the toctree' \
		/usr/bin/python3 "$S/check-docs.py" "$TMP/doc" Documentation/x/page.rst

	cp -a "$TOP/patches" "$TMP/cl"
	expect "cover letter: up to date" 0 '1 passed, 0 failed' \
		env PATCHES="$TMP/cl" "$S/cover-letter.sh" --check
	sed -i '/^ *Shuah Khan/d; s/^Subject: \[\(RFC \)\?PATCH 0\/[0-9]*\]/Subject: [PATCH 0\/1]/' \
		"$TMP/cl/linux/0000-cover-letter.patch"
	expect "cover letter: a stale one fails the check" 1 "run 'make cover-letter'" \
		env PATCHES="$TMP/cl" "$S/cover-letter.sh" --check

	expect "bisect: a prefix that does not build fails the check" 1 \
		'not ok 1 builds: breaks the build' env BUILD="$b" "$S/check-bisect.sh"
	expect "bisect: the series' own tree stays on its branch" 0 'series' \
		git -C "$r" rev-parse --abbrev-ref HEAD
	expect "bisect: the prefixes are built in a worktree of their own" 0 \
		"$b/bisect/linux" git -C "$r" worktree list
}

# --- results: groups and the final line -----------------------------------

# headers_case SAME|DRIFT - check-headers.sh on a crafted kernel and QEMU
# header pair that agree, or whose vfio_zdev.h differ by a line
headers_case() {
	local k=$TMP/hd/kbuild/default/usr/include/linux q=$TMP/hd/qemu/linux-headers/linux

	rm -rf "$TMP/hd"
	mkdir -p "$k" "$q"
	printf '#define VFIO_REGION_SUBTYPE_IBM_ZPCI_IO\t\t(2)\n' | tee "$k/vfio.h" >"$q/vfio.h"
	printf 'struct x { int a; };\n' | tee "$k/vfio_zdev.h" >"$q/vfio_zdev.h"
	[ "$1" = SAME ] || printf 'struct y;\n' >>"$k/vfio_zdev.h"
	BUILD=$TMP/hd "$S/check-headers.sh"
}

t_summary() {
	local r=$TMP/res

	mkdir -p "$r"
	printf 'a 3 0 0\nb 2 1 1\n' >"$r/s.txt"
	expect "summary: a failed group fails the check" 1 '^5 passed, 1 failed$' \
		"$S/summary.sh" "$r/s.txt"
	printf 'a 3 0 0\n' >"$r/s.txt"
	expect "summary: all groups passed" 0 '^3 passed, 0 failed$' "$S/summary.sh" "$r/s.txt"
	: >"$r/s.txt"
	expect "summary: no group at all fails" 1 'no test group ran' "$S/summary.sh" "$r/s.txt"
	expect "record: a crashing group counts as failed" 1 '' \
		env -u KEEP_GOING BUILD="$TMP/rb" "$S/record.sh" x -- false
	expect "record: the failure is in the summary" 1 '^0 passed, 1 failed$' \
		"$S/summary.sh" "$TMP/rb/results/summary.txt"
	rm -f "$TMP/rb/results/summary.txt"
	expect "record: a group's seconds are in the summary" 0 '^y +0 +0 +[1-9]' \
		record_timed
	expect "lock_step: a build waits for the same build in progress" 0 \
		'^a-in a-out b-in $' lock_pair
	expect "headers: QEMU's copy of the series' uapi agrees" 0 '^2 passed, 0 failed$' \
		headers_case SAME
	expect "headers: a QEMU copy that drifted fails" 1 '^not ok 1 .*vfio_zdev' \
		headers_case DRIFT
	expect "check: a failed group fails make check, the total last" 1 \
		'^g +0 +1 .*[(]exit 1[)] [|] 0 passed, 1 failed$' \
		check_run KEEP_GOING=1 "$S/record.sh" g -- false
	expect "check: a failed build fails make check, the total last" 1 \
		'^make +0 +1 .*[(]exit 2[)] [|] 0 passed, 1 failed$' check_run sh -c 'exit 2'
	expect "check: a green run ends with its total and records its time" 0 \
		'[|] 0 passed, 0 failed [|] [0-9T:-]+Z [0-9a-f]+ cold [0-9]+$' \
		check_run KEEP_GOING=1 "$S/record.sh" g -- true
	expect "check: a green run keeps the seconds of its groups and steps" 0 \
		'^total [0-9]+ [0-9a-f]+ [0-9-]+ [|] group g [1-9][0-9]* [|] step k [1-9][0-9]*$' cost_record
	expect "cost-table: cold and warm records make one table, largest first" 0 \
		'^[|] b [|] build [|] 90 [|] 9.0 % [|] - [|] - [|] [|] a [|] group [|] 60 [|] 6.0 % [|] 5 [|] 5.0 % [|]' \
		cost_table
}

# cost_record - the record of a green check whose group and build step
# take a second each, joined by " | "
cost_record() {
	# shellcheck disable=SC2016 # $1 is the inner bash's
	check_run KEEP_GOING=1 "$S/record.sh" g -- \
		bash -c '. "$1/lib.sh"; lock_step k; sleep 1.1' _ "$S" >/dev/null &&
		paste -sd'|' "$TMP/ck/state/check-cost-cold" | sed 's/|/ | /g'
}

# cost_table - the table of a crafted cold and warm record, its rows joined
cost_table() {
	mkdir -p "$TMP/cost"
	printf '%s\n' 'total 1000 abc1234 2026-12-01' 'group a 60' 'step b 50' 'step b 40' \
		>"$TMP/cost/check-cost-cold"
	printf '%s\n' 'total 100 abc1234 2026-12-01' 'group a 5' >"$TMP/cost/check-cost-warm"
	"$S/cost-table.sh" "$TMP/cost" | grep '^| [ab] ' | paste -sd' '
}

# check_run CMD... - scripts/check.sh around CMD in a build directory of
# its own; prints the last two lines of its output and the recorded check
# times, joined by " | ".
check_run() {
	local rc=0 out

	rm -rf "$TMP/ck"
	out=$(env BUILD="$TMP/ck" "$S/check.sh" -- env "$@" 2>&1) || rc=$?
	{
		printf '%s\n' "$out" | tail -n 2
		cat "$TMP/ck/state/check-times" 2>/dev/null || true
	} | paste -sd'|' | sed 's/|/ | /g'
	return "$rc"
}

# record_timed - the summary of a group that takes more than a second
record_timed() {
	BUILD=$TMP/rb "$S/record.sh" y -- sleep 1.1 >/dev/null &&
		"$S/summary.sh" "$TMP/rb/results/summary.txt"
}

# lock_pair - two holders of one lock_step key, the second started once
# the first holds it; prints the order of their steps.
lock_pair() {
	local log=$TMP/lock.log

	rm -f "$log"
	BUILD=$TMP/lk bash -c '. "$1/lib.sh"; lock_step k; echo a-in >>"$2"
		sleep 1; echo a-out >>"$2"' _ "$S" "$log" &
	until grep -qs a-in "$log"; do sleep 0.1; done
	BUILD=$TMP/lk bash -c '. "$1/lib.sh"; lock_step k; echo b-in >>"$2"' _ "$S" "$log"
	wait
	tr '\n' ' ' <"$log"
}

# --- bench report: tables, targets and bad consoles ------------------------

# bench_report CONSOLE [NODEBUG NESTED] - the report in $TMP/bench, with its own
# README and build directory; prints the report.
bench_report() {
	rm -rf "$TMP/bench"
	mkdir -p "$TMP/bench/build/state"
	printf '%s\n' '# x' "$(sed -n '/^<!-- bench:begin/p' "$TOP/README.md")" \
		'<!-- bench:end -->' >"$TMP/bench/README.md"
	echo "2026-11-01T10:00Z abc1234 cold 1800" >"$TMP/bench/build/state/check-times"
	BUILD=$TMP/bench/build BENCH_README=$TMP/bench/README.md \
		"$S/bench-report.sh" "$1" "$TMP/bench/results" "${@:2}" &&
		cat "$TMP/bench/results/bench.md"
}

# bench_then plots|readme|figures CONSOLE - the PNGs, the README or the
# figures, after a report.
bench_then() {
	bench_report "$2" >/dev/null || return
	case "$1" in
	plots) (cd "$TMP/bench/results" && printf '%s ' *.png && echo) | sed 's/ $//' ;;
	readme) cat "$TMP/bench/README.md" ;;
	figures) cat "$TMP/bench/results/figures.txt" ;;
	esac
}

t_bench() {
	local c=$DATA/bench-console.log

	expect "bench: instructions per KiB and ratios" 0 \
		'^\| 4096 \| 2048 \| 0\.250 \| 0\.250 \| 128\.000 \| 512\.0 \| 100\.0 \| 2000\.0 \| 20\.0 \|$' \
		bench_report "$c"
	expect "bench: the time target is checked" 0 'at least 10x less time: 20\.0x, met' bench_report "$c"
	expect "bench: removal latency percentiles" 0 '^\| 3 \| 60\.0 \| 1200\.0 \| 1200\.0 \| \*\*not met\*\* \|$' \
		bench_report "$c"
	expect "bench: per-function removal, VMM shutdown, no user" 0 '^\| 20 \| 1 \| 200\.0 \| 200\.0 \| 200\.0 \| 4\.00 \| 150\.0 \| 90\.0 \| 100\.0 \| 4\.00 \| 190\.0 \|$' \
		bench_report "$c"
	sed -E 's/^(.*bench-idle functions=1 .*busy_ms=)[0-9.]+/\10.0/' "$c" >"$TMP/floor0.log"
	expect "bench: a CPU floor below resolution is not printed" 0 'CPU floor: not resolved in this run' \
		bench_report "$TMP/floor0.log"
	expect "bench: a missed scaling target is marked" 0 '20 functions in at most 3x the time of 1: 4\.0x, \*\*not met\*\*' \
		bench_report "$c"
	expect "bench: the CPU floor of the scaling target" 0 \
		"busy for 23\\.0 ms of CPU time\\. Twenty are at least 460\\.0 ms: spread perfectly over the guest's 2 CPUs, 230\\.0 ms, 4\\.6x the time of one function with its VMM, so the target needs at least 4 CPUs \\(not met here\\)\\. Removing 20 at once without a user kept the CPUs busy for 190\\.0 ms, 95% of their time over the cycle\\." \
		bench_report "$c"
	expect "bench: the recorded make check time" 0 '^\| cold \| 2026-11-01T10:00Z \| abc1234 \| 30\.0 \|$' \
		bench_report "$c"
	expect "bench: the plots are drawn" 0 '^latency\.png scaling\.png$' bench_then plots "$c"
	expect "bench: README gets the tables" 0 '^### Parallel removal' bench_then readme "$c"
	expect "bench: the figures that the cover letter quotes" 0 \
		'^datapath\.4096\.time_ratio [0-9]+\.[0-9]$' bench_then figures "$c"
	grep -v 'bench-data' "$c" >"$TMP/no-data.log"
	expect "bench: a console without the data path fails" 1 'no data path results' \
		bench_report "$TMP/no-data.log"
	sed 's/ us=/ ns=/' "$c" >"$TMP/ns.log"
	expect "bench: a data line without its time fails" 1 'malformed data path results' \
		bench_report "$TMP/ns.log"
	sed 's/ busy_ms=/ idle_ms=/' "$c" >"$TMP/no-busy.log"
	expect "bench: a no-user line without its CPU time fails" 1 'malformed removal results without a user' \
		bench_report "$TMP/no-busy.log"
	sed 's/cycle 0: 20 function/cycle 0: 19 function/' "$c" >"$TMP/short.log"
	expect "bench: fewer functions removed than asked fails" 1 'did not remove the functions' \
		bench_report "$TMP/short.log"
	expect "bench: README without the markers fails" 1 'lacks the bench markers' \
		env BENCH_README=/dev/null "$S/bench-report.sh" "$c" "$TMP/bench/r2"

	# The other two boots: without lock debugging, and the nested VMMs
	local nd=$DATA/bench-nodebug-console.log ne=$DATA/bench-nested-console.log
	expect "bench: the data path without lock debugging" 0 '^\| 4096 \| 2048 \| 0\.250 \| 0\.250 \| 128\.000 \| 512\.0 \| 50\.0 \| 1000\.0 \| 20\.0 \|$' \
		bench_report "$c" "$nd" "$ne"
	expect "bench: what each step of a request adds" 0 '^\| disabled \| .* \| 8\.0 \|$' \
		bench_report "$c" "$nd" "$ne"
	expect "bench: nested store blocks, one per request" 0 '^\| 4096 \| patched \| pcistb \| 32 \| 0\.250 \| 0\.250 \| 2000\.0 \| 0\.50 \|  \|$' \
		bench_report "$c" "$nd" "$ne"
	expect "bench: stock QEMU splits store blocks" 0 '^\| 16 \| stock \| pcistb \| 2048 \| 128\.000 \| 0\.000 \| 2000\.0 \| 128\.00 \| 2\.0 \|$' \
		bench_report "$c" "$nd" "$ne"
	expect "bench: stock QEMU cannot issue 4 KiB" 0 '^\| 4096 \| stock \| none' \
		bench_report "$c" "$nd" "$ne"
	expect "bench: 8-byte loads and stores, BAR or region" 0 '^\| PCI Load \| 3000\.0 \| 2000\.0 \| 1\.00 / 1\.00 \| 0\.67 \|$' \
		bench_report "$c" "$nd" "$ne"
	sed '0,/cc=0/s/cc=0/cc=1/' "$ne" >"$TMP/nested-cc.log"
	expect "bench: a failed nested instruction fails" 1 'failed instructions' \
		bench_report "$c" "$nd" "$TMP/nested-cc.log"
	grep -v 'bench-nested' "$ne" >"$TMP/nested-none.log"
	expect "bench: a nested console without results fails" 1 'no nested data path results' \
		bench_report "$c" "$nd" "$TMP/nested-none.log"

	# SMC-D against TCP, in the bench guest and the nested guest
	local sm=$DATA/bench-smc-console.log
	expect "bench: SMC-D against TCP, medians, ratios, device counts" 0 \
		'^\| nested \| 0\.20 \| 0\.80 \| 0\.250 \| 200\.00 \| 20\.00 \| 10\.0 \| 900\.00 \| 0\.250 \| 20\.0 \| 0 \|$' \
		bench_report "$c" "$nd" "$ne" "$sm"
	expect "bench: SMC-D's medians sort the rounds" 0 \
		'^\| guest \| 2\.00 \| 8\.00 \| 0\.250 \| 20\.00 \| 2\.00 \| 10\.0 \| 80\.00 \| 0\.250 \| 6\.7 \| 0 \|$' \
		bench_report "$c" "$nd" "$ne" "$sm"
	expect "bench: SMC-D's raw rounds" 0 '^\| guest \| 2 \| 1\.00 \| 8\.00 \| 20\.00 \| 2\.00 \|$' \
		bench_report "$c" "$nd" "$ne" "$sm"
	expect "bench: what stock QEMU said, whole" 0 \
		'refuses them: "-device vfio-pci,host=0001:00:00\.0,id=hd1: vfio 0001:00:00\.0: MSI-X support is mandatory in the S390 architecture"' \
		bench_report "$c" "$nd" "$ne" "$sm"
	grep -v 'smc-stock' "$sm" >"$TMP/smc-nostock.log"
	expect "bench: an SMC-D console without the stock result fails" 1 'no smc-stock results' \
		bench_report "$c" "$nd" "$ne" "$TMP/smc-nostock.log"
	sed 's/ us=20000000$//' "$sm" >"$TMP/smc-short.log"
	expect "bench: a malformed SMC-D line fails" 1 'malformed SMC-D throughput' \
		bench_report "$c" "$nd" "$ne" "$TMP/smc-short.log"
	grep -v 'where=guest phase=xfer family=tcp round=3' "$sm" >"$TMP/smc-round.log"
	expect "bench: a missing SMC-D round fails" 1 'guest: no throughput round 3 of tcp' \
		bench_report "$c" "$nd" "$ne" "$TMP/smc-round.log"
	sed 's/move-bytes=12600000/move-bytes=4096/' "$sm" >"$TMP/smc-fallback.log"
	expect "bench: SMC-D that the device did not carry fails" 1 'the device moved 4096 bytes for an SMC-D payload' \
		bench_report "$c" "$nd" "$ne" "$TMP/smc-fallback.log"
	sed 's/^bench-exit: 0$/bench-exit: 1/' "$sm" >"$TMP/smc-exit.log"
	expect "bench: a failed SMC-D boot fails" 1 'SMC-D bench boot failed' \
		bench_report "$c" "$nd" "$ne" "$TMP/smc-exit.log"
	expect "bench: stock QEMU's refusal is a row" 0 '^\| stock \| refused: no SMC-D \|' \
		bench_report "$c" "$nd" "$ne" "$sm"
}

# --- vfio-selftests: base against series ----------------------------------

# vfio_compare BASE_TAP SERIES_TAP - the comparison of crafted results.
vfio_compare() {
	"$S/compare-vfio-selftests.sh" "$1" "$2" "$TMP/vfio-selftests.md"
}

t_vfio_selftests() {
	local base=$DATA/vfio-selftests-base.tap

	expect "vfio-selftests: a new failure fails" 1 \
		'new failure: virtio vfio_pci_device_test vfio_pci_irq_test.msix.enable_trigger_disable: base pass, series fail' \
		vfio_compare "$base" "$DATA/vfio-selftests-new-failure.tap"
	expect "vfio-selftests: the new failure is in the table" 0 \
		'^\| virtio \| vfio_pci_device_test \| vfio_pci_irq_test\.msix\.enable_trigger_disable \| pass \| fail \| \*\*NEW FAILURE\*\* \|$' \
		cat "$TMP/vfio-selftests.md"
	expect "vfio-selftests: a pre-existing failure passes" 0 '^0 new failures, 2 pre-existing failures$' \
		vfio_compare "$base" "$base"
	expect "vfio-selftests: the table has both results" 0 \
		'^\| ism \| vfio_pci_device_test \| vfio_pci_irq_test\.msix\.enable_trigger_disable \| fail \| fail \| pre-existing failure \|$' \
		cat "$TMP/vfio-selftests.md"
	grep -v 'virtio vfio_pci_driver_test' "$base" | sed '/vfio-selftests: virtio 0002:00:00.0 vfio_pci_device_test/,$d' \
		>"$TMP/vfio-crashed.tap"
	expect "vfio-selftests: a test that did not run on the series fails" 1 \
		'new failure: virtio vfio_pci_device_test vfio_pci_device_test.config_space_read_write: base pass, series did not run' \
		vfio_compare "$base" "$TMP/vfio-crashed.tap"
	grep -v -E '^# # (not )?ok ' "$base" >"$TMP/vfio-no-tests.tap"
	expect "vfio-selftests: zero tests fails" 1 'no test passed or failed on the series kernel' \
		vfio_compare "$base" "$TMP/vfio-no-tests.tap"
	expect "vfio-selftests: no results at all fail" 1 'no test passed or failed on the base kernel' \
		vfio_compare "$DATA/clean.log" "$DATA/clean.log"
	expect "vfio-selftests: an unclean boot fails" 1 'the series boot was not clean' \
		env UNCLEAN=series "$S/compare-vfio-selftests.sh" "$base" "$base" "$TMP/vfio-selftests.md"
	expect "verdict: ALLOW_FAILED leaves failed tests to the caller" 0 '^2 passed, 1 failed' \
		env ALLOW_FAILED=1 "$S/verdict.sh" "$DATA/subtest-fail.log" "$TMP/r.tap"
	expect "verdict: ALLOW_FAILED still fails a lockdep report" 1 'possible circular locking' \
		env ALLOW_FAILED=1 "$S/verdict.sh" "$DATA/lockdep.log" "$TMP/r.tap"
}

# --- qtest: QEMU's own tests, base against series -------------------------

# qtest_compare BASE SERIES - the comparison of crafted results.
qtest_compare() {
	"$S/qtest-compare.sh" "$1" "$2" "$TMP/qtest.md"
}

t_qtest() {
	local base=$DATA/qtest-base.tap series=$DATA/qtest-series.tap

	expect "qtest: a pre-existing failure passes" 0 '^22 passed, 0 failed$' \
		qtest_compare "$base" "$series"
	expect "qtest: the pre-existing failure is in the table" 0 \
		'^\| upstream \| test-hmp \| /s390x/hmp/none \| fail \| fail \| pre-existing failure \|$' \
		cat "$TMP/qtest.md"
	sed 's|^ok 1 /s390x/qom/s390-ccw-virtio-7.2$|not ok 1 /s390x/qom/s390-ccw-virtio-7.2|' \
		"$series" >"$TMP/qtest-regression.tap"
	expect "qtest: a regression fails" 1 \
		'^not ok 4 upstream qom-test /s390x/qom/s390-ccw-virtio-7.2: base pass; series fail # \*\*NEW FAILURE\*\*$' \
		qtest_compare "$base" "$TMP/qtest-regression.tap"
	# QEMU aborts the program before its first test: no result, exit 134
	sed -e '/^ok 1 \/s390x\/boot-serial\//d' \
		-e 's/^\(# qtest-exit: upstream boot-serial-test\) 0 /\1 134 /' \
		"$series" >"$TMP/qtest-no-start.tap"
	expect "qtest: a test that cannot start fails" 1 \
		'upstream boot-serial-test /s390x/boot-serial/s390-ccw-virtio: base pass; series did not run # \*\*NEW FAILURE\*\*' \
		qtest_compare "$base" "$TMP/qtest-no-start.tap"
	expect "qtest: a program that cannot start fails" 1 \
		'boot-serial-test \(exit status\): base pass, 0\.1 s; series fail: exit status 134, 0\.1 s # \*\*NEW FAILURE\*\*' \
		qtest_compare "$base" "$TMP/qtest-no-start.tap"
	sed 's|^ok 1 /machine/peripheral/ism1 moves # 23 reads$|not ok 1 /machine/peripheral/ism1 moves # 23 reads, error: broken|' \
		"$series" >"$TMP/qtest-ism.tap"
	expect "qtest: a failure with the ISM-like device fails (no base)" 1 \
		'ism qom-test-reads /machine/peripheral/ism1 moves: base n/a; series fail: 23 reads, error: broken # \*\*FAILS\*\* \(series only\)' \
		qtest_compare "$base" "$TMP/qtest-ism.tap"
	sed 's|^ok 1 /s390x/boot-serial/s390-ccw-virtio$|ok 1 /s390x/boot-serial/s390-ccw-virtio # SKIP no firmware|' \
		"$series" >"$TMP/qtest-skip.tap"
	expect "qtest: a test that skips on the series only fails" 1 \
		'base pass; series skip: no firmware # \*\*NEW SKIP\*\*' \
		qtest_compare "$base" "$TMP/qtest-skip.tap"
	expect "qtest: no results at all fail" 1 'not ok [0-9]+ no test passed on the series' \
		qtest_compare "$base" /dev/null
	fake_qemu 'echo "$*"'
	expect "qtest: the wrapper adds the devices" 0 '^-device zpci,uid=1 -device s390-ism-test -M s390-ccw-virtio-7.2$' \
		env QTEST_WRAP_QEMU="$TMP/fake-qemu" QTEST_WRAP_DEVICES='-device zpci,uid=1 -device s390-ism-test' \
		"$S/qtest-qemu.sh" -M s390-ccw-virtio-7.2
	expect "qtest: the wrapper adds no device to machine none" 0 '^-machine none,accel=qtest$' \
		env QTEST_WRAP_QEMU="$TMP/fake-qemu" QTEST_WRAP_DEVICES='-device zpci,uid=1' \
		"$S/qtest-qemu.sh" -machine none,accel=qtest
}

main() {
	echo "TAP version 13"
	TESTS=(t_verdict t_guest t_series t_build t_series_check t_summary t_bench t_vfio_selftests t_qtest)
	local t
	for t in "${TESTS[@]}"; do
		"$t"
	done
	echo "1..$n"
	echo "$((n - failed)) passed, $failed failed"
	[ $failed = 0 ]
}

main "$@"
