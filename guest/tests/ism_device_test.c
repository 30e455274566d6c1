// SPDX-License-Identifier: GPL-2.0
/*
 * Bench test of QEMU's s390-ism-test device model (patches/qemu), seen from
 * the guest through vfio-pci and from the host through QMP:
 *
 *  - the zPCI capabilities: pft 5 and maxstbl 4096 on the ISM-like
 *    functions, pft 0 and maxstbl 128 on virtio-pci ones;
 *  - the device's per-function access counters (QOM properties of the
 *    zpci device, read with qom-get through the "qmp-relay" port) change
 *    by exactly the PCILG/PCISTG a known sequence of BAR accesses issues.
 *
 * run-guest.sh names the zpci device of function id N "zpciN".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "kselftest_harness.h"
#include "zpci_lib.h"
#include "zpci_qmp.h"
#include "guest_util.h"

#define VIRTIO_VENDOR	0x1af4
#define ACCESSES	16

static int qmp = -1;

FIXTURE(ism) {
	struct zpci_func funcs[ZPCI_MAX_FUNCS];
	int n;
};

FIXTURE_SETUP(ism)
{
	int i;

	self->n = zpci_discover(self->funcs, ZPCI_MAX_FUNCS);
	ASSERT_LT(0, self->n) TH_LOG("no zPCI function at all");
	for (i = 0; i < self->n; i++)
		ASSERT_EQ(0, zpci_bind_vfio(&self->funcs[i]));
}

FIXTURE_TEARDOWN(ism)
{
}

TEST_F(ism, function_groups)
{
	struct zpci_vfio v;
	uint16_t maxstbl;
	int i, ism = 0, virtio = 0;
	uint8_t pft;

	for (i = 0; i < self->n; i++) {
		struct zpci_func *f = &self->funcs[i];

		ASSERT_EQ(0, zpci_vfio_open(f, &v));
		ASSERT_EQ(0, zpci_vfio_group_cap(&v, &maxstbl, &pft));
		zpci_vfio_close(&v);
		if (zpci_is_ism(f)) {
			ism++;
			EXPECT_EQ(ZPCI_PFT_ISM, pft) TH_LOG("%s", f->name);
			EXPECT_EQ(4096, maxstbl) TH_LOG("%s", f->name);
		} else if (f->vendor == VIRTIO_VENDOR) {
			virtio++;
			EXPECT_EQ(0, pft) TH_LOG("%s", f->name);
			EXPECT_EQ(128, maxstbl) TH_LOG("%s", f->name);
		}
	}
	EXPECT_LT(0, ism) TH_LOG("no ISM-like function");
	EXPECT_LT(0, virtio) TH_LOG("no virtio-pci function");
}

TEST_F(ism, access_counters)
{
	struct ism_counters before, after;
	uint64_t off, size, val = 0x0123456789abcdefULL;
	struct zpci_func *f = NULL;
	struct zpci_vfio v;
	uint32_t in;
	int i;

	qmp = zpci_qmp_open();
	if (qmp < 0)
		SKIP(return, "no virtio-serial port named qmp-relay (see scripts/run-guest.sh)");
	for (i = 0; i < self->n && !f; i++)
		if (zpci_is_ism(&self->funcs[i]))
			f = &self->funcs[i];
	ASSERT_NE(NULL, f) TH_LOG("no ISM-like function");

	ASSERT_EQ(0, zpci_vfio_open(f, &v));
	ASSERT_EQ(0, zpci_vfio_set_memory(&v, true));
	ASSERT_EQ(0, zpci_vfio_region(&v, VFIO_PCI_BAR0_REGION_INDEX, &off, &size));

	/* Between the two snapshots, only BAR0 accesses reach the device. */
	ASSERT_EQ(0, ism_read_counters(qmp, f->fid, &before));
	for (i = 0; i < ACCESSES; i++)
		ASSERT_EQ(8, pwrite(v.device, &val, 8, off + 8 * i));
	for (i = 0; i < ACCESSES; i++)
		ASSERT_EQ(4, pread(v.device, &in, 4, off + 4 * i));
	ASSERT_EQ(0, ism_read_counters(qmp, f->fid, &after));
	zpci_vfio_close(&v);

	EXPECT_EQ(ACCESSES, after.stg - before.stg);
	EXPECT_EQ(8 * ACCESSES, after.stg_bytes - before.stg_bytes);
	EXPECT_EQ(ACCESSES, after.lg - before.lg);
	EXPECT_EQ(4 * ACCESSES, after.lg_bytes - before.lg_bytes);
	EXPECT_EQ(0, after.stb - before.stb);
	EXPECT_EQ(0, after.stb_bytes - before.stb_bytes);
	close(qmp);
}

TEST_HARNESS_MAIN
