#!/usr/bin/env bash
# qtest-run.sh - the qtest group: QEMU's own tests on the series QEMU and on
# the unpatched base (both built by qtest-build.sh), compared by
# qtest-compare.sh, which writes build/results/qtest.md and prints TAP and
# "N passed, N failed". Three suites:
#
#   upstream  every s390x qtest of 'make check-qtest-s390x', run as meson
#             runs it (quick mode), on the base and on the series;
#   ism       qom-test (every property, the counters too), test-hmp (every
#             info command), device-introspect-test and device-plug-test
#             (the zPCI unplug of a virtio-pci function) in thorough mode
#             (-m slow: every machine version) with the two ISM-like
#             functions of the guest group attached (zpci_devices; QEMU
#             through qtest-qemu.sh): the series only, the base has no
#             such device;
#   crash     scripts/device-crash-test --tcg-only --full on every
#             s390-ccw-virtio machine version: s390-ism-test on the series,
#             which must start on each of them, and zpci on both (without
#             a target it must refuse to start, and not crash).
#
# Per build, the results are one stream, build/results/qtest/BUILD.tap:
# for each program "# qtest: SUITE PROGRAM", its TAP, and
# "# qtest-exit: SUITE PROGRAM STATUS MILLISECONDS". Each program's stderr
# is in build/results/qtest/BUILD/SUITE-PROGRAM.log. QTEST_TIMEOUT_FACTOR
# (default 2) multiplies meson's timeouts.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

ISM_QTESTS=(qom-test test-hmp device-introspect-test device-plug-test)
CRASH_TIMEOUT=600
QRES=$RESULTS/qtest

# run_program BUILD SUITE NAME CMD... - run CMD in the series build
# directory, its stdout (TAP) into BUILD's stream as the section of SUITE
# NAME, with its exit status and its time in milliseconds.
run_program() {
	local build=$1 suite=$2 name=$3 rc=0 tap start
	shift 3

	tap=$QRES/$build/$suite-$name.tap
	vlog "$build: $suite $name"
	start=$(date +%s%N)
	# stderr through a pipe: QEMU reopens it for QTEST_LOG's -qtest-log
	# /dev/fd/2, which would truncate a file
	(cd "$QEMU_BDIR" && "$@") 2>&1 >"$tap" | cat >"$QRES/$build/$suite-$name.log" || rc=$?
	{
		printf '# qtest: %s %s\n' "$suite" "$name"
		cat "$tap"
		printf '# qtest-exit: %s %s %d %d\n' "$suite" "$name" "$rc" \
			$((($(date +%s%N) - start) / 1000000))
	} >>"$QRES/$build.tap"
}

# crash_tap DEVICE REFUSED QEMU - device-crash-test of DEVICE on every
# machine but 'none' as TAP, one test per machine; its log to stderr. A
# machine on which DEVICE refuses to start fails if REFUSED is 'fail', and
# is a skip if it is 'skip'; a crash always fails. Returns the script's
# status.
crash_tap() {
	local device=$1 refused=$2 qemu=$3 rc=0 out

	out=$(PYTHONPATH=$BUILD/qemu-base/qemu/python timeout -k 10 "$CRASH_TIMEOUT" \
		python3 "$BUILD/qemu-base/qemu/scripts/device-crash-test" --debug \
		--tcg-only --full -t "device=$device" -- "$qemu" 2>&1) || rc=$?
	printf '%s\n' "$out" >&2
	awk -v refused="$refused" '
	function machine(line) {
		if (!match(line, /machine=[^ ]+/)) return ""
		return substr(line, RSTART + 8, RLENGTH - 8)
	}
	/^INFO: running test case: / {
		cur = machine($0)
		if (cur != "none" && !(cur in res)) { res[cur] = "none"; order[++n] = cur }
		next
	}
	/^[A-Z]+: success: / { res[cur] = "pass"; next }
	/^[A-Z]+: failed: / { res[cur] = "refused"; next }
	# the last line of its log: the error, after any warnings
	/^[A-Z]+: log: / { why[cur] = substr($0, index($0, "log: ") + 5); sub(/^[^ ]*qemu[^ ]*: /, "", why[cur]); next }
	/^ERROR: Fatal failure: / { res[machine($0)] = "crash"; next }
	END {
		for (i = 1; i <= n; i++) {
			m = order[i]; r = res[m]
			if (r == "pass") print m "\tok\t"
			else if (r == "refused" && refused == "skip") print m "\tok\t # SKIP refused to start: " why[m]
			else if (r == "refused") print m "\tnot ok\t # refused to start: " why[m]
			else if (r == "crash") print m "\tnot ok\t # crashed: " why[m]
			else print m "\tnot ok\t # no result"
		}
	}' <<<"$out" | sort -V | awk -F '\t' '{ print $2 " " NR " " $1 $3 } END { print "1.." NR }'
	return "$rc"
}

# qom_reads LOG - qom-test reads every property of every object, and fails
# only if QEMU crashes: "qom-get may fail". From qom-test's QMP log
# (QTEST_LOG), each property of the ISM-like functions (zpci_devices:
# /machine/peripheral/ismN and zpciN) as TAP, one test each over every
# machine, which fails if one of its reads returned an error. Fails if any
# did, or if there was no read at all.
qom_reads() {
	awk '
	/^\{"execute": "qom-get", "arguments": \{"path": "\/machine\/peripheral\/(ism|zpci)[0-9]+", / {
		split($0, w, "\"")
		key = w[10] " " w[14]; pending = 1
		if (!(key in reads)) order[++n] = key
		reads[key]++
		next
	}
	pending && /^\{"error"/ {
		if (!(key in err)) { split($0, w, "\"desc\": \""); sub(/"\}\}.*$/, "", w[2]); err[key] = w[2] }
		pending = 0; next
	}
	pending && /^\{"return"/ { pending = 0 }
	END {
		for (i = 1; i <= n; i++) {
			k = order[i]
			if (k in err) { printf "not ok %d %s # %d reads, error: %s\n", i, k, reads[k], err[k]; bad = 1 }
			else printf "ok %d %s # %d reads\n", i, k, reads[k]
		}
		print "1.." n + 0
		exit bad || !n
	}' "$1"
}

# run_build BUILD QEMU - the suites on one build, QEMU its binary.
run_build() {
	local build=$1 qemu=$2 name prog timeout qmplog
	local factor=${QTEST_TIMEOUT_FACTOR:-2}

	mkdir -p "$QRES/$build"
	: >"$QRES/$build.tap"
	log "$build: upstream qtests"
	while read -r name prog timeout; do
		run_program "$build" upstream "$name" env QTEST_QEMU_BINARY="$qemu" \
			timeout -k 10 $((timeout * factor)) "$prog" --tap -k
	done < <(qtest_list "$QEMU_BDIR")
	if [ "$build" = series ]; then
		log "$build: qtests with the ISM-like functions"
		while read -r name prog timeout; do
			[[ " ${ISM_QTESTS[*]} " = *" $name "* ]] || continue
			qmplog=()
			[ "$name" != qom-test ] || qmplog=(QTEST_LOG=1)
			run_program "$build" ism "$name" env QTEST_QEMU_BINARY="$QRES/ism/qemu-system-s390x" \
				QTEST_WRAP_QEMU="$qemu" QTEST_WRAP_DEVICES="$(zpci_devices 2 1 0 | tr '\n' ' ')" \
				"${qmplog[@]}" timeout -k 10 $((timeout * factor)) "$prog" --tap -k -m slow
		done < <(qtest_list "$QEMU_BDIR")
		run_program "$build" ism qom-test-reads qom_reads "$QRES/$build/ism-qom-test.log"
	fi
	log "$build: device-crash-test"
	run_program "$build" crash zpci crash_tap zpci skip "$qemu"
	[ "$build" = base ] ||
		run_program "$build" crash s390-ism-test crash_tap s390-ism-test fail "$qemu"
}

main() {
	local bdir

	need_cmd python3 timeout
	for bdir in "$QEMU_BDIR" "$QEMU_BASE_BDIR"; do
		need_file "$bdir/qemu-system-s390x" "QEMU binary (run 'make qtest-test')"
		need_file "$(qemu_bundle "$bdir")/s390-ccw.img" \
			"firmware in the QEMU build (run scripts/qtest-build.sh)"
	done
	rm -rf "$QRES"
	mkdir -p "$QRES/ism"
	# libqtest takes the target from the name: .../qemu-system-<arch>
	ln -s "$TOP/scripts/qtest-qemu.sh" "$QRES/ism/qemu-system-s390x"
	# as meson test does, but the same every run
	export MALLOC_PERTURB_=${MALLOC_PERTURB_:-133}
	run_build base "$QEMU_BASE_BDIR/qemu-system-s390x"
	run_build series "$QEMU_BDIR/qemu-system-s390x"
	"$TOP/scripts/qtest-compare.sh" "$QRES/base.tap" "$QRES/series.tap" "$RESULTS/qtest.md"
}

main "$@"
