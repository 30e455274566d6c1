// SPDX-License-Identifier: GPL-2.0
/*
 * Where the time of one zPCI I/O region request goes (make bench): time
 * requests that stop at successive points of the kernel's path, on the
 * first ISM-like function, and print one line per kind:
 *
 *   bench-cost step=S reqs=N ns=T
 *
 * in the order of the path:
 *
 *   header     a read of the region's header: the system call and vfio's
 *              dispatch to the region
 *   invalid    a store request with its reserved field set: copied in and
 *              refused by the checks (EINVAL)
 *   disabled   an 8-byte store with memory space disabled: the locks are
 *              taken and the memory enable bit read (EIO), no instruction
 *   store      an 8-byte store: the whole path and one PCI Store
 *   block16    a 16-byte store block: the same with the kernel's bounce
 *              buffer and one PCI Store Block
 *   bar        an 8-byte pwrite() on vfio's BAR region, for comparison
 *
 * The differences between neighbours are the cost of each part. The
 * instruction itself is emulated by QEMU (TCG), so it is what dominates;
 * the rest is what the kernel adds. Environment: BENCH_COST_REQS requests
 * per kind (default 2000).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/vfio.h>
#include <linux/vfio_zdev.h>

#include "zpci_lib.h"
#include "guest_util.h"

struct target {
	struct zpci_func func;
	struct zpci_vfio v;
	struct zpci_io io;
	uint64_t bar_off;
};

/* One request of kind @step; returns 0 if it ended as that kind must */
static int one(const struct target *t, const char *step, uint8_t *buf)
{
	struct vfio_zpci_io_store *req = (struct vfio_zpci_io_store *)buf;
	struct vfio_zpci_io_hdr hdr;
	ssize_t n;
	int ret;

	if (!strcmp(step, "header")) {
		n = pread(t->io.device, &hdr, sizeof(hdr), t->io.offset);
		return n == sizeof(hdr) ? 0 : -EIO;
	}
	if (!strcmp(step, "bar")) {
		n = pwrite(t->v.device, buf, 8, t->bar_off);
		return n == 8 ? 0 : -EIO;
	}
	if (!strcmp(step, "invalid")) {
		/* A whole store request, refused for its reserved field */
		memset(req, 0, sizeof(*req));
		req->flags = VFIO_ZPCI_IO_OP_STORE;
		req->reserved0 = 1;
		req->len = 8;
		n = zpci_io_pwrite(&t->io, t->io.hdr.store_offset, req,
				   sizeof(*req) + 8);
		return n == -EINVAL ? 0 : -EPROTO;
	}
	if (!strcmp(step, "block16"))
		return zpci_io_store(&t->io, VFIO_ZPCI_IO_OP_STORE_BLOCK, 0, 0,
				     buf, 16);
	ret = zpci_io_store(&t->io, VFIO_ZPCI_IO_OP_STORE, 0, 0, buf, 8);
	if (!strcmp(step, "disabled"))
		return ret == -EIO ? 0 : -EPROTO;
	return ret;
}

static int measure(struct target *t, const char *step, int reqs)
{
	static uint8_t buf[64] __attribute__((aligned(64)));
	uint64_t t0, t1;
	int i, ret;

	if (!strcmp(step, "disabled")) {
		ret = zpci_vfio_set_memory(&t->v, false);
		if (ret)
			return fail("disabling memory space", ret);
	}
	t0 = zpci_now_us();
	for (i = 0; i < reqs; i++) {
		ret = one(t, step, buf);
		if (ret)
			break;
	}
	t1 = zpci_now_us();
	if (!strcmp(step, "disabled") && zpci_vfio_set_memory(&t->v, true))
		return fail("enabling memory space", -EIO);
	if (ret) {
		fprintf(stderr, "zpci_region_cost: %s: request %d: %s\n", step, i,
			strerror(-ret));
		return 1;
	}
	printf("bench-cost step=%s reqs=%d ns=%llu\n", step, reqs,
	       (unsigned long long)(t1 - t0) * 1000);
	fflush(stdout);
	return 0;
}

int main(void)
{
	static const char * const steps[] = {
		"header", "invalid", "disabled", "store", "block16", "bar",
	};
	struct zpci_func funcs[ZPCI_MAX_FUNCS];
	int reqs = env_int("BENCH_COST_REQS", 2000);
	struct target t;
	uint64_t size;
	unsigned int s;
	int i, n, ret;

	if (reqs < 1)
		return fail("BENCH_COST_REQS must be positive", -EINVAL);
	n = zpci_discover(funcs, ZPCI_MAX_FUNCS);
	for (i = 0; i < n && !zpci_is_ism(&funcs[i]); i++)
		;
	if (i >= n)
		return fail("looking for an ISM-like function", -ENODEV);
	t.func = funcs[i];
	ret = zpci_bind_vfio(&t.func) ?: zpci_vfio_open(&t.func, &t.v);
	if (ret)
		return fail(t.func.name, ret);
	ret = zpci_vfio_set_memory(&t.v, true) ?:
	      zpci_vfio_region(&t.v, VFIO_PCI_BAR0_REGION_INDEX, &t.bar_off,
			       &size) ?:
	      zpci_io_find(&t.v, &t.io);
	if (ret)
		return fail("setting up BAR0 and the zPCI I/O region", ret);
	for (s = 0; s < sizeof(steps) / sizeof(steps[0]); s++)
		if (measure(&t, steps[s], reqs))
			return 1;
	zpci_vfio_close(&t.v);
	return 0;
}
