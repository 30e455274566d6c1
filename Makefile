# s390 zPCI vfio branch: patch series, QEMU device model and test bench.
#
#   make run      build everything and boot the guest, console live (the demo)
#   make check    the full verdict: bench tests, series checks, guest suite
#   make bench    the benchmarks, with the report in results/
#
# Every step below is a script in scripts/ with one job; the targets only
# put them in order. V=1 shows the commands' output.

MAKEFLAGS += -rR --no-print-directory
.DELETE_ON_ERROR:
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.ONESHELL:

V ?= 0
export V

# Guest run knobs (see scripts/run-guest.sh): SUITE=prog[,prog], EXTRA=dir
# of extra test programs, INITRD=your own initramfs, ISM=N functions of
# which STRICT=N without relaxed alignment, VIRTIO=N; VMM=1 runs the vmm
# group's nested scenario instead (QEMU in the guest, the ism driver in
# its guest).
SUITE ?=
EXTRA ?=
INITRD ?=
ISM ?= 2
STRICT ?= 1
VIRTIO ?= 1
VMM ?= 0

S := scripts
R := build/results
GUEST_ARGS = --ism $(ISM) --strict $(STRICT) --virtio $(VIRTIO) \
	$(if $(SUITE),--append bench.suite=$(SUITE)) \
	$(if $(INITRD),--initrd $(INITRD)) \
	$(if $(EXTRA),--extra build/out/initramfs-extra.cpio.gz)

.PHONY: all run check shell
all: build

## The two commands ########################################################

# summarised TARGETS - make TARGETS with KEEP_GOING=1, each group recorded
# (record.sh), and the summary of those groups at the end
summarised = rm -f $R/summary.txt; $(MAKE) KEEP_GOING=1 $(1); $S/summary.sh $R/summary.txt

# The demo: the device checks, vfio basics, and three hot-unplug stress
# cycles per variant. SUITE= picks other programs.
DEMO := zpci_devices,vfio_zpci_test,ism_device_test,zpci_unplug_stress_test
ifeq ($(VMM),1)
run: build nested
	$S/run-guest.sh --live $(VMM_ARGS) $(VMM_RUN)
else
run: build
	$S/run-guest.sh --live $(GUEST_ARGS) \
		$(if $(SUITE),,--append "bench.suite=$(DEMO) ZPCI_STRESS_CYCLES=3")
endif

check:
	$S/check.sh -- $(MAKE) KEEP_GOING=1 check-steps

.PHONY: check-steps first-builds prebuild prebuild-start
check-steps: setup first-builds tools-test build series-check-static \
	prebuild-start groups

# The guest groups in two lanes side by side (scripts/lanes.sh): a TCG
# guest leaves much of the machine idle. Each lane in the order in which
# the background prebuild makes what its groups need, the groups that need
# only the default kernel first (the bench's own tests, which need no
# guest, in the shorter lane); the groups with a nested guest (vmm, smc,
# vmm-repro), the heaviest, in one lane, one after the other: the nested
# guest is slowed most by another guest beside it (vmm 266 s beside the
# other lane, 380 s beside vmm-repro, 160 s alone). The bisect check last
# in the shorter lane, at the lowest priority: it builds, it boots nothing.
# The 7.3 series' groups are not in make check: with them a cold run took
# 74 min here (README, The cost of make check); make mainline-check runs
# them.
LANE1 := guest-test vmm-test smc-test vmm-repro
LANE2 := harness-test race-test stress-test ism-test repro \
	vfio-selftests-test qtest-test bisect-test
.PHONY: groups
groups:
	$S/lanes.sh "$(LANE1)" "$(LANE2)"

# The kernel and QEMU, with their trees, side by side: each has serial
# phases (unpacking, configure, the link) that leave a CPU idle.
first-builds:
	$(MAKE) -j2 kernel qemu

# What the groups after series-check-static need, started in the
# background at the lowest priority while the first guests run
# (scripts/prebuild.sh), in the order in which the groups need it. Not
# before: the 6.12 series' static check checks the base out in
# build/linux. (The 7.3 series' one takes the locks of its tree and
# kernel for that, which the builds from that tree take as well.)
prebuild: kernel-ism-client nested repro-kernels qemu-base vfio-selftests-build
prebuild-start:
	$S/prebuild.sh start

## Set-up and editable trees ###############################################

.PHONY: setup tree tree-linux tree-qemu export
setup:
	$S/setup-host.sh

tree: tree-linux tree-qemu

tree-linux: setup
	$S/tree.sh linux

tree-qemu: setup
	$S/tree.sh qemu

export:
	$S/export.sh linux
	$S/export.sh qemu
	[ ! -e build/mainline/linux/.git ] || $S/export.sh mainline

## Build ####################################################################

.PHONY: build kernel qemu selftests initramfs tools kernel-ism-client \
	kernel-nested qemu-s390x nested
build: kernel qemu selftests initramfs tools

kernel: tree-linux
	$S/build-kernel.sh default

qemu: tree-qemu
	$S/build-qemu.sh

selftests: kernel
	$S/build-selftests.sh default
	$S/build-guest-tests.sh default

initramfs: selftests
	$S/build-initramfs.sh
	$(if $(EXTRA),$S/build-initramfs.sh --extra $(EXTRA) build/out/initramfs-extra.cpio.gz)

tools:
	$(MAKE) -C tools/lockdep-summary all

# The kernel with Linux's ism driver and a test client of it
# (patches/ism-client, configs/ism-client.config)
kernel-ism-client: tree-linux
	$S/tree.sh ism-client
	$S/build-kernel.sh ism-client

# What the guest needs to be a VMM host: QEMU built for s390x, the nested
# guest's kernel (the ism-client tree, configs/nested.config) and
# initramfs (with the guest programs' smc_test), packed as
# build/out/initramfs-nested.cpio.gz
qemu-s390x: tree-qemu
	$S/build-qemu.sh s390x

kernel-nested: tree-linux
	$S/tree.sh ism-client
	$S/build-kernel.sh nested

nested: qemu-s390x kernel-nested selftests
	$S/build-nested.sh

## Tests ####################################################################

.PHONY: guest-test stress-test race-test ism-test smc-test vmm-test \
	harness-test tools-test series-check
# The suite but the stress, race, ism driver and SMC-D tests, on ISM=2
# VIRTIO=1 functions.
SLOW_TESTS := zpci_unplug_stress_test,zpci_race_test,ism_driver_test,vmm_nested_test,smc_test,smc_peer_shutdown_test,smc_nested_test
guest-test: build
	$S/record.sh guest -- $S/guest-test.sh $(GUEST_ARGS) \
		--append bench.skip=$(SLOW_TESTS)

# The unplug stress test on STRESS_ISM functions, the parallel variant
# powering all of them off at once.
STRESS_ISM ?= 20
stress-test: build
	$S/record.sh stress -- $S/guest-test.sh --name stress --ism $(STRESS_ISM) \
		--virtio 0 --append bench.suite=zpci_unplug_stress_test

# Every pair of operations that can meet on one ISM-like function.
race-test: build
	$S/record.sh race -- $S/guest-test.sh --name race --ism 1 --virtio 0 \
		--append bench.suite=zpci_race_test

# Linux's ism driver and a client of it on the ISM model: the ism-client
# kernel (patches/ism-client, configs/ism-client.config).
ism-test: build kernel-ism-client
	$S/record.sh ism -- $S/guest-test.sh --name ism \
		--kernel build/out/bzImage-ism-client --ism 2 --virtio 1 \
		--append bench.suite=ism_driver_test

# SMC-D, ISM's real user, on the ISM model: AF_SMC connections over lo on
# the ism-client kernel (configs/ism-client.config: SMC's diag interface,
# no loopback-ism), proved by the diag and the device's move counters,
# with negative controls that fall back; then the peer shutdown test on
# three functions of one CHID, which must run last. Then the same SMC-D
# in a nested guest through the QEMU series, and the host removing the
# function under its streams (seed 004 with the real workload).
smc-test: build kernel-ism-client nested
	$S/record.sh smc -- $S/guest-test.sh --name smc \
		--kernel build/out/bzImage-ism-client --ism 3 --virtio 0 \
		--append bench.suite=smc_test,smc_peer_shutdown_test
	$S/record.sh smc-nested -- $S/guest-test.sh --name smc-nested $(VMM_ARGS) \
		$(call vmm_run,smc_nested_test)

# Upstream Linux's vfio selftests (from a newer Debian linux-source, pinned
# in pins.conf, adapted by patches/vfio-selftests) on the series kernel and
# on the unpatched base kernel: only a failure that the series adds fails.
.PHONY: vfio-selftests-test
.PHONY: vfio-selftests-build
vfio-selftests-test: build vfio-selftests-build
	$S/record.sh vfio-selftests -- $S/vfio-selftests-test.sh

vfio-selftests-build: kernel
	$S/fetch-vfio-selftests.sh
	$S/build-vfio-selftests.sh default
	$S/tree.sh base
	$S/build-kernel.sh base

# QEMU's own s390x tests (qtests, device-crash-test) on the series QEMU,
# also with the ISM-like functions attached, and on the unpatched base QEMU
# (built from the pinned source): only a failure that the series adds fails.
.PHONY: qtest-test qemu-base
qtest-test: qemu qemu-base
	$S/qtest-build.sh
	$S/record.sh qtest -- $S/qtest-run.sh

qemu-base: setup
	$S/build-qemu.sh base

# The real VMM: the QEMU series built for s390x runs in the guest and
# passes ISM functions 1 and 2 through to a nested guest with the ism
# driver (the ism-client kernel); the guest powers a slot off under it.
VMM_ARGS = --ism 2 --strict 0 --virtio 0 --mem 2048 \
	--extra build/out/initramfs-nested.cpio.gz
# vmm_run SUITE: the long limits of a nested run, its suite
vmm_run = --timeout 2400 --append "bench.suite=$(1) bench.timeout=2100"
VMM_RUN = $(call vmm_run,vmm_nested_test)
vmm-test: build nested
	$S/record.sh vmm -- $S/guest-test.sh --name vmm $(VMM_ARGS) $(VMM_RUN)

harness-test: tree
	$S/record.sh harness -- tests/harness/run.sh
	$S/record.sh shellcheck -- $S/check-shell.sh

# Upstream norms for both series: checkpatch, static checks, bisectable.
# make check runs the bisect check as a group of its own, in a lane (see
# bisect-test).
.PHONY: series-check-static bisect-test
series-check: series-check-static bisect-test

series-check-static: tree kernel
	$S/record.sh checkpatch-linux -- $S/check-patches.sh linux
	$S/record.sh checkpatch-qemu -- $S/check-patches.sh qemu
	$S/record.sh checkpatch-ism-client -- $S/check-patches.sh linux patches/ism-client
	$S/record.sh headers -- $S/check-headers.sh
	$S/record.sh static -- $S/check-static.sh
	$S/record.sh docs -- $S/check-docs.sh
	$S/record.sh cover-letter -- $S/cover-letter.sh --check

# Every prefix of the kernel series builds: in a worktree and objects of
# its own (check-bisect.sh), so that it can run beside the guest groups,
# at the lowest CPU priority, as the prebuild does.
bisect-test: tree-linux kernel
	$S/record.sh bisect -- nice -n 19 $S/check-bisect.sh

# The table of where the time of make check goes, in README.md, from the
# records of the last green cold and warm runs in STATE (default
# build/state; a fresh clone's build/state after its runs, say).
STATE ?= build/state
.PHONY: cost-table
cost-table:
	$S/cost-table.sh --readme README.md $(STATE)

# Regenerate patches/linux/0000-cover-letter.patch after the series moved
# (and patches/mainline's, once that tree is there).
.PHONY: cover-letter
cover-letter: tree
	$S/cover-letter.sh
	[ ! -e build/mainline/linux/.git ] || $S/cover-letter.sh mainline
tools-test:
	$S/record.sh lockdep-summary -- $(MAKE) -C tools/lockdep-summary check

## The expected failures: lock orders that the tests must catch ###########

# Each reproducer is patches/<name> on top of the series (scripts/lib.sh):
# repro, the 2021 zdev->state_lock (seed 004), caught by the stress test
# and, with QEMU as the VMM, by the vmm test (vmm-repro); repro-race, the
# device lock before memory_lock, caught by the race test; repro-events,
# every zPCI event in kmcheck, caught by zpci_event_test; repro-smc,
# on top of ism-client, SMC-D's peer shutdown without its fix, caught by
# smc_peer_shutdown_test.
.PHONY: repro repro-kernels
REPROS := repro repro-race repro-events repro-smc
# Their guests mostly wait for the hang to be detected, so the four run side
# by side (each run has its own sockets, see run-guest.sh), each group's
# output in one piece.
repro: build repro-kernels
	$(MAKE) -j4 -Otarget $(REPROS:%=repro-group-%)

# The group of repro-X is X-repro (race-repro, ...); repro's is repro.
.PHONY: $(REPROS:%=repro-group-%)
$(REPROS:%=repro-group-%): repro-group-%:
	g=$*; [ "$$g" = repro ] || g=$${g#repro-}-repro
	$S/record.sh "$$g" -- $S/repro-test.sh $*

repro-kernels: tree-linux
	for r in $(REPROS); do
		$S/tree.sh $$r
		$S/build-kernel.sh $$r
	done

# Seed 004 with its real actors: the kernel of repro as the host of the
# vmm group's nested scenario must hang it.
.PHONY: vmm-repro
vmm-repro: build repro-kernels nested
	$S/record.sh vmm-repro -- $S/repro-test.sh vmm-repro

## Mainline: the branch on Linux 7.3 ######################################

# The series on Linux 7.3 (patches/mainline, docs/mainline-port.md), built
# on upstream's ism-vfio-pci instead of the zPCI I/O region, and stock 7.3
# (mainline-base) to compare it with. make mainline-check runs its groups
# (mainline-test, mainline-series-static, mainline-bisect-test) and stock
# 7.3's expected failures (mainline-stock), with the summary at the end;
# they are not in make check yet, which they would take to 74 min cold
# (README, The cost of make check).
.PHONY: mainline mainline-check tree-mainline tree-mainline-base kernel-mainline \
	kernel-mainline-base mainline-series-check
mainline: kernel-mainline kernel-mainline-base mainline-selftests

mainline-check:
	$(call summarised,mainline-test mainline-stock mainline-series-static \
		mainline-bisect-test)

tree-mainline: setup
	$S/tree.sh mainline

tree-mainline-base: tree-mainline
	$S/tree.sh mainline-base

kernel-mainline: tree-mainline
	$S/build-kernel.sh mainline

kernel-mainline-base: tree-mainline-base
	$S/build-kernel.sh mainline-base

# The 7.3 series' selftests, built from its tree, as /kselftest on top of
# the guest's initramfs
MAINLINE_KSFT := build/out/initramfs-mainline.cpio.gz
.PHONY: mainline-selftests mainline-test
mainline-selftests: kernel-mainline initramfs
	$S/build-selftests.sh mainline
	$S/build-initramfs.sh --extra build/out/kselftest-mainline $(MAINLINE_KSFT) kselftest

# mainline_run KERNEL NAME ARGS - a guest run of the 7.3 selftests on the
# 7.3 kernel KERNEL (mainline or mainline-base), recorded as NAME
mainline_run = $S/record.sh $(2) -- $S/guest-test.sh --name $(2) \
	--kernel build/out/bzImage-$(1) --extra $(MAINLINE_KSFT) $(3)

# On the 7.3 series: the vfio basics, BAR access through ism-vfio-pci and
# the events test, then the race and the stress test, as on 6.12
ML_SUITE := vfio_zpci_test,zpci_ism_bar_test,zpci_event_test
mainline-test: qemu mainline-selftests
	$(call mainline_run,mainline,mainline,--ism 2 --strict 1 --virtio 1 \
		--append bench.suite=$(ML_SUITE))
	$(call mainline_run,mainline,mainline-race,--ism 1 --virtio 0 \
		--append bench.suite=zpci_race_test)
	$(call mainline_run,mainline,mainline-stress,--ism $(STRESS_ISM) --virtio 0 \
		--append bench.suite=zpci_unplug_stress_test)

# Stock 7.3 on the series' BAR access and events tests: each failure that
# the series fixes must show, as an expected failure (the list and what
# fixes each: STOCK_FAILS in scripts/repro-test.sh).
.PHONY: mainline-stock
mainline-stock: qemu kernel-mainline-base mainline-selftests
	$S/record.sh mainline-stock -- $S/repro-test.sh mainline-stock

# The upstream norms of series-check, for the 7.3 series; make check runs
# the bisect check as a group of its own, in a lane.
.PHONY: mainline-series-static mainline-bisect-test
mainline-series-check: mainline-series-static mainline-bisect-test

mainline-series-static: kernel-mainline
	$S/record.sh checkpatch-mainline -- $S/check-patches.sh mainline
	$S/record.sh static-mainline -- $S/check-static.sh mainline
	$S/record.sh cover-letter-mainline -- $S/cover-letter.sh --check mainline

mainline-bisect-test: kernel-mainline
	$S/record.sh bisect-mainline -- nice -n 19 $S/check-bisect.sh mainline

## KASAN: the guest suite and the stress test on a KASAN kernel ###########

.PHONY: check-kasan
check-kasan: build
	$S/build-kernel.sh kasan
	$(call summarised,kasan-steps)

.PHONY: kasan-steps
KASAN_TIMEOUT ?= 3600
kasan-steps:
	$S/record.sh kasan-guest -- $S/guest-test.sh --name kasan-guest \
		--kernel build/out/bzImage-kasan $(GUEST_ARGS) \
		--timeout $(KASAN_TIMEOUT) --append bench.skip=$(SLOW_TESTS)
	$S/record.sh kasan-stress -- $S/guest-test.sh --name kasan-stress \
		--kernel build/out/bzImage-kasan --ism $(STRESS_ISM) --virtio 0 \
		--timeout $(KASAN_TIMEOUT) --append bench.suite=zpci_unplug_stress_test

## Benchmarks, not part of make check #####################################

# Data path, removal latency and parallel removal in one boot, the data
# path without lock debugging in another, the nested data path through the
# QEMU series and Debian's own in a third, SMC-D against TCP in the bench
# guest and a nested guest in a fourth; the report goes to results/ and
# README.md. Knobs: see scripts/bench.sh.
.PHONY: bench kernel-nodebug stock-qemu
bench: build nested kernel-nodebug stock-qemu kernel-ism-client
	$S/build-guest-tests.sh default bench
	$S/build-initramfs.sh --extra build/out/bench build/out/initramfs-bench.cpio.gz
	$S/bench.sh

# The kernel without lock debugging, the configuration users run
kernel-nodebug: tree-linux
	$S/build-kernel.sh nodebug

# The baseline VMM: Debian's own QEMU for s390x, as /nested/stock
stock-qemu: setup
	$S/fetch-stock-qemu.sh
	$S/build-initramfs.sh --extra build/out/stock-qemu \
		build/out/initramfs-stock-qemu.cpio.gz nested/stock

## Interactive ##############################################################

shell: build
	$S/run-guest.sh --interactive --append bench.shell=1 --timeout 86400 $(GUEST_ARGS)

.PHONY: clean distclean
clean:
	rm -rf build/out build/results build/run build/initramfs*

distclean:
	rm -rf build
