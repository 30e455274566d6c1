// SPDX-License-Identifier: GPL-2.0
/*
 * Data path benchmark of the zPCI I/O region (make bench): write the same
 * amount of data to BAR0 of an ISM-like function in two ways,
 *
 *   region  one zPCI I/O region request per chunk (a PCI Store Block, or
 *           a PCI Store for 8 bytes), and
 *   bar     one pwrite() per chunk on vfio-pci's standard BAR0 region,
 *
 * for chunk lengths from 8 to 4096 bytes, and print one line per run:
 *
 *   bench-data path=P len=L round=R reqs=N bytes=B us=T pcistb=S pcistg=G pcilg=L
 *
 * The instruction counts are the device's own: QEMU's s390-ism-test access
 * counters (QOM properties of the zpci device, read through the qmp-relay
 * port) before and after the run. A run whose counted bytes differ from
 * the bytes written fails the program, so the counts are exact.
 *
 * The two paths run back to back for each length, the first of them
 * alternating between rounds, so that both see the same host load.
 * Environment: BENCH_MIB (default 2) MiB per run, but at most
 * BENCH_MAX_REQS (default 4096) requests, which bounds the runs of short
 * lengths; BENCH_ROUNDS (default 3) rounds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "zpci_lib.h"
#include "zpci_qmp.h"
#include "guest_util.h"

#define BAR_WINDOW	(1024 * 1024)	/* BAR0 of s390-ism-test */

static const unsigned int lengths[] = { 8, 16, 64, 256, 1024, 4096 };

struct target {
	struct zpci_func func;
	struct zpci_vfio v;
	struct zpci_io io;
	uint64_t bar_off;
	int qmp;
};

/* Write @bytes in chunks of @len through the region or the BAR. */
static int write_all(struct target *t, bool region, unsigned int len,
		     uint64_t bytes, uint8_t *buf)
{
	uint32_t op = len > VFIO_ZPCI_IO_MAX_LOAD_STORE ?
		      VFIO_ZPCI_IO_OP_STORE_BLOCK : VFIO_ZPCI_IO_OP_STORE;
	uint64_t done, off;
	ssize_t n;
	int ret;

	for (done = 0; done < bytes; done += len) {
		off = done % BAR_WINDOW;
		buf[0] = (uint8_t)(done / len);
		if (region) {
			ret = zpci_io_op(&t->io, op, 0, off, buf, len);
			if (ret)
				return ret;
		} else {
			/*
			 * Not zpci_vfio_bar_write(): it asks for the region
			 * info on every call, an ioctl the VMM does not make.
			 */
			n = pwrite(t->v.device, buf, len, t->bar_off + off);
			if (n < 0)
				return -errno;
			if ((size_t)n != len)
				return -EIO;
		}
	}
	return 0;
}

static int run(struct target *t, bool region, unsigned int len, int round,
	       uint64_t bytes, uint8_t *buf)
{
	struct ism_counters a, b;
	uint64_t t0, t1;
	int ret;

	ret = ism_read_counters(t->qmp, t->func.fid, &a);
	if (ret)
		return fail("reading the device's access counters", ret);
	t0 = zpci_now_us();
	ret = write_all(t, region, len, bytes, buf);
	t1 = zpci_now_us();
	if (ret)
		return fail(region ? "region request" : "BAR pwrite", ret);
	ret = ism_read_counters(t->qmp, t->func.fid, &b);
	if (ret)
		return fail("reading the device's access counters", ret);
	if (b.stb_bytes - a.stb_bytes + b.stg_bytes - a.stg_bytes != bytes) {
		fprintf(stderr,
			"zpci_datapath_bench: %s len %u: the device counted %llu bytes stored, not %llu\n",
			region ? "region" : "bar", len,
			(unsigned long long)(b.stb_bytes - a.stb_bytes +
					     b.stg_bytes - a.stg_bytes),
			(unsigned long long)bytes);
		return 1;
	}
	printf("bench-data path=%s len=%u round=%d reqs=%llu bytes=%llu us=%llu pcistb=%llu pcistg=%llu pcilg=%llu\n",
	       region ? "region" : "bar", len, round,
	       (unsigned long long)(bytes / len), (unsigned long long)bytes,
	       (unsigned long long)(t1 - t0),
	       (unsigned long long)(b.stb - a.stb),
	       (unsigned long long)(b.stg - a.stg),
	       (unsigned long long)(b.lg - a.lg));
	fflush(stdout);
	return 0;
}

static int open_target(struct target *t)
{
	struct zpci_func funcs[ZPCI_MAX_FUNCS];
	uint64_t size;
	int i, n, ret;

	n = zpci_discover(funcs, ZPCI_MAX_FUNCS);
	for (i = 0; i < n && !zpci_is_ism(&funcs[i]); i++)
		;
	if (i >= n)
		return fail("looking for an ISM-like function", -ENODEV);
	t->func = funcs[i];
	t->qmp = zpci_qmp_open();
	if (t->qmp < 0)
		return fail("opening the qmp-relay port", t->qmp);
	ret = zpci_bind_vfio(&t->func) ?: zpci_vfio_open(&t->func, &t->v);
	if (ret)
		return fail(t->func.name, ret);
	ret = zpci_vfio_set_memory(&t->v, true) ?:
	      zpci_vfio_region(&t->v, VFIO_PCI_BAR0_REGION_INDEX, &t->bar_off,
			       &size) ?:
	      zpci_io_find(&t->v, &t->io);
	if (ret)
		return fail("setting up BAR0 and the zPCI I/O region", ret);
	if (size < BAR_WINDOW)
		return fail("BAR0 is smaller than 1 MiB", -ENOSPC);
	return 0;
}

int main(void)
{
	uint64_t bytes = (uint64_t)env_int("BENCH_MIB", 2) << 20;
	uint64_t max_reqs = env_int("BENCH_MAX_REQS", 4096);
	int rounds = env_int("BENCH_ROUNDS", 3);
	static uint8_t buf[4096];
	struct target t;
	unsigned int i;
	int r;

	if (bytes == 0 || max_reqs == 0 || rounds < 1)
		return fail("BENCH_MIB, BENCH_MAX_REQS and BENCH_ROUNDS must be positive",
			    -EINVAL);
	memset(buf, 0x5a, sizeof(buf));
	if (open_target(&t))
		return 1;
	printf("bench-info function=%s maxstbl=%u mib=%llu max_reqs=%llu rounds=%d\n",
	       t.func.name, t.io.hdr.maxstbl,
	       (unsigned long long)(bytes >> 20),
	       (unsigned long long)max_reqs, rounds);
	for (r = 1; r <= rounds; r++) {
		for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
			unsigned int len = lengths[i];
			uint64_t n = bytes / len < max_reqs ? bytes / len : max_reqs;
			bool first = r % 2;	/* alternate which path goes first */

			if (run(&t, first, len, r, n * len, buf) ||
			    run(&t, !first, len, r, n * len, buf))
				return 1;
		}
	}
	zpci_vfio_close(&t.v);
	close(t.qmp);
	return 0;
}
