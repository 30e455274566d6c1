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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "kselftest_harness.h"
#include "zpci_lib.h"

#define VIRTIO_VENDOR	0x1af4
#define ACCESSES	16

static int relay_fd = -1;

/* The virtio-serial port named "qmp-relay", or -1. */
static int relay_open(void)
{
	char path[512], name[64];
	struct dirent *de;
	DIR *dir;
	int fd = -1;
	FILE *f;

	dir = opendir("/sys/class/virtio-ports");
	if (!dir)
		return -1;
	while (fd < 0 && (de = readdir(dir))) {
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name",
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f) &&
		    !strncmp(name, "qmp-relay", 9)) {
			snprintf(path, sizeof(path), "/dev/%s", de->d_name);
			fd = open(path, O_RDWR);
		}
		fclose(f);
	}
	closedir(dir);
	return fd;
}

/* qom-get of an integer property of the zpci device of @fid. */
static int qom_get_u64(uint32_t fid, const char *prop, uint64_t *val)
{
	char buf[512], *p;
	size_t len = 0;
	ssize_t n;

	snprintf(buf, sizeof(buf),
		 "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"/machine/peripheral/zpci%u\",\"property\":\"%s\"}}\n",
		 fid, prop);
	if (write(relay_fd, buf, strlen(buf)) != (ssize_t)strlen(buf))
		return -EIO;
	while (len < sizeof(buf) - 1) {
		n = read(relay_fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return -EIO;
		len += n;
		buf[len] = '\0';
		if (strchr(buf, '\n'))
			break;
	}
	p = strstr(buf, "\"return\":");
	if (!p)
		return -EINVAL;
	*val = strtoull(p + 9, NULL, 10);
	return 0;
}

struct counters {
	uint64_t lg, lg_bytes, stg, stg_bytes, stb, stb_bytes;
};

static int read_counters(uint32_t fid, struct counters *c)
{
	return qom_get_u64(fid, "pcilg-count", &c->lg) ?:
	       qom_get_u64(fid, "pcilg-bytes", &c->lg_bytes) ?:
	       qom_get_u64(fid, "pcistg-count", &c->stg) ?:
	       qom_get_u64(fid, "pcistg-bytes", &c->stg_bytes) ?:
	       qom_get_u64(fid, "pcistb-count", &c->stb) ?:
	       qom_get_u64(fid, "pcistb-bytes", &c->stb_bytes);
}

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
	struct counters before, after;
	uint64_t off, size, val = 0x0123456789abcdefULL;
	struct zpci_func *f = NULL;
	struct zpci_vfio v;
	uint16_t cmd;
	uint32_t in;
	int i;

	relay_fd = relay_open();
	if (relay_fd < 0)
		SKIP(return, "no virtio-serial port named qmp-relay (see scripts/run-guest.sh)");
	for (i = 0; i < self->n && !f; i++)
		if (zpci_is_ism(&self->funcs[i]))
			f = &self->funcs[i];
	ASSERT_NE(NULL, f) TH_LOG("no ISM-like function");

	ASSERT_EQ(0, zpci_vfio_open(f, &v));
	ASSERT_EQ(0, zpci_vfio_region(&v, VFIO_PCI_CONFIG_REGION_INDEX, &off, &size));
	ASSERT_EQ(2, pread(v.device, &cmd, 2, off + PCI_COMMAND));
	cmd |= PCI_COMMAND_MEMORY;
	ASSERT_EQ(2, pwrite(v.device, &cmd, 2, off + PCI_COMMAND));
	ASSERT_EQ(0, zpci_vfio_region(&v, VFIO_PCI_BAR0_REGION_INDEX, &off, &size));

	/* Between the two snapshots, only BAR0 accesses reach the device. */
	ASSERT_EQ(0, read_counters(f->fid, &before));
	for (i = 0; i < ACCESSES; i++)
		ASSERT_EQ(8, pwrite(v.device, &val, 8, off + 8 * i));
	for (i = 0; i < ACCESSES; i++)
		ASSERT_EQ(4, pread(v.device, &in, 4, off + 4 * i));
	ASSERT_EQ(0, read_counters(f->fid, &after));
	zpci_vfio_close(&v);

	EXPECT_EQ(ACCESSES, after.stg - before.stg);
	EXPECT_EQ(8 * ACCESSES, after.stg_bytes - before.stg_bytes);
	EXPECT_EQ(ACCESSES, after.lg - before.lg);
	EXPECT_EQ(4 * ACCESSES, after.lg_bytes - before.lg_bytes);
	EXPECT_EQ(0, after.stb - before.stb);
	EXPECT_EQ(0, after.stb_bytes - before.stb_bytes);
	close(relay_fd);
}

TEST_HARNESS_MAIN
