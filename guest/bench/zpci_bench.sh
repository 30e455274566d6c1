#!/bin/sh
# The whole of 'make bench' inside one guest boot, on bench.ism ISM-like
# functions (scripts/bench.sh reads the output):
#
#  1. the data path: zpci_datapath_bench, region against BAR pwrite, and
#     where a request's time goes (zpci_region_cost);
#  2. removal latency under I/O load: BENCH_CYCLES power-off cycles of
#     one function with its VMM running (zpci_unplug_stress_test);
#  3. parallel removal: the same with 1, 5, 10 and 20 functions powered
#     off at once, BENCH_PAR_CYCLES cycles each. A line "bench-parallel N"
#     goes before each count;
#  4. the same parallel removal without a user (zpci_removal_bench), the
#     kernel's own share, and the CPU time it keeps the guest busy.
#
# Exits non-zero as soon as one of them fails.

# The series' tests, as kselftest's 'make install' put them
stress=/kselftest/drivers/s390x/zpci/zpci_unplug_stress_test

cycles=${BENCH_CYCLES:-50}
par_cycles=${BENCH_PAR_CYCLES:-5}
ism=0
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case "$arg" in bench.ism=*) ism=${arg#bench.ism=} ;; esac
done

./zpci_datapath_bench || exit 1
./zpci_region_cost || exit 1

ZPCI_STRESS_ONLY=power_off ZPCI_STRESS_CYCLES=$cycles \
	ZPCI_TEST_FIDS=00000001 "$stress" || exit 1

counts="1 5 10 20"
for n in $counts; do
	if [ "$n" -gt "$ism" ]; then
		echo "zpci_bench: $n functions asked, only $ism ISM-like ones" >&2
		exit 1
	fi
	# run-guest.sh gives the ISM-like functions fids 1..bench.ism; the
	# test matches hotplug slot names, the fid as %08x.
	fids=$(seq 1 "$n" | awk '{ printf("%s%08x", (NR > 1 ? "," : ""), $1) }')
	echo "bench-parallel $n"
	# The parallel variant runs a third of ZPCI_STRESS_CYCLES.
	ZPCI_STRESS_ONLY=power_off_all_parallel \
		ZPCI_STRESS_CYCLES=$((par_cycles * 3)) \
		ZPCI_TEST_FIDS=$fids "$stress" || exit 1
done

# shellcheck disable=SC2086 # a list of counts
BENCH_IDLE_CYCLES=$par_cycles ./zpci_removal_bench $counts || exit 1
