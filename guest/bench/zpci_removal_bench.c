// SPDX-License-Identifier: GPL-2.0
/*
 * Parallel removal without a user (make bench): power off the slots of the
 * first N ISM-like functions at once, none of them opened by anybody, and
 * time until every slot reads 0; then power them on again and wait for
 * them. That is the kernel's own share of a parallel removal, to set
 * against the same removal with busy VMMs (zpci_unplug_stress_test).
 *
 * Prints one line per cycle: "bench-idle functions=N cycle=C ms=T
 * busy_ms=B cpus=P", where B is the CPU time that the guest's P CPUs were
 * not idle during the T ms of the removal, all CPUs together. B counts
 * waiters that spin on a lock as busy too, so the report takes its CPU
 * floor from the removal of a single function.
 * Arguments: the counts N; environment: BENCH_IDLE_CYCLES (default 5).
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zpci_lib.h"
#include "guest_util.h"

#define TIMEOUT_MS	60000

/*
 * The idle time of all CPUs together, in microseconds, and their number:
 * s390 accounts idle time exactly, per CPU (arch/s390/kernel/idle.c).
 */
static int idle_us(uint64_t *us, int *cpus)
{
	glob_t g;
	size_t i;
	int ret = 0;

	if (glob("/sys/devices/system/cpu/cpu[0-9]*/idle_time_us", 0, NULL, &g))
		return -ENOENT;
	*us = 0;
	for (i = 0; i < g.gl_pathc && !ret; i++) {
		unsigned long long v;
		FILE *f = fopen(g.gl_pathv[i], "r");

		if (!f) {
			ret = -errno;
			break;
		}
		if (fscanf(f, "%llu", &v) == 1)
			*us += v;
		else
			ret = -EIO;
		fclose(f);
	}
	*cpus = g.gl_pathc;
	globfree(&g);
	return ret;
}

/* Remove the first @n functions at once, then bring them back. */
static int cycle(struct zpci_func *funcs, int n, int c)
{
	struct zpci_power_off offs[ZPCI_MAX_FUNCS];
	uint64_t t0, t1, idle0, idle1;
	int i, ret, cpus;

	ret = idle_us(&idle0, &cpus);
	if (ret)
		return fail("idle_time_us", ret);
	t0 = zpci_now_us();
	for (i = 0; i < n; i++) {
		ret = zpci_slot_power_off_start(&offs[i], &funcs[i]);
		if (ret)
			return fail("pthread_create", ret);
	}
	for (i = 0; i < n; i++)
		offs[i].ret = zpci_slot_power_off_join(&offs[i]) ?:
			      zpci_slot_wait_power(&funcs[i], 0, TIMEOUT_MS);
	t1 = zpci_now_us();
	ret = idle_us(&idle1, &cpus);
	if (ret)
		return fail("idle_time_us", ret);
	for (i = 0; i < n; i++)
		if (offs[i].ret)
			return fail(funcs[i].name, offs[i].ret);
	/* Idle time can run a little past t1: never report negative work */
	idle1 -= idle0;
	if (idle1 > (t1 - t0) * cpus)
		idle1 = (t1 - t0) * cpus;
	printf("bench-idle functions=%d cycle=%d ms=%.1f busy_ms=%.1f cpus=%d\n",
	       n, c, (t1 - t0) / 1000.0,
	       ((t1 - t0) * cpus - idle1) / 1000.0, cpus);
	fflush(stdout);

	for (i = 0; i < n; i++) {
		ret = zpci_slot_power_write(&funcs[i], 1) ?:
		      zpci_wait_func(funcs[i].fid, &funcs[i], TIMEOUT_MS);
		if (ret)
			return fail(funcs[i].name, ret);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int cycles = env_int("BENCH_IDLE_CYCLES", 5);
	struct zpci_func funcs[ZPCI_MAX_FUNCS], ism[ZPCI_MAX_FUNCS];
	int i, n, a, c, nism = 0;

	if (argc < 2 || cycles < 1)
		return fail("usage: zpci_removal_bench N... (BENCH_IDLE_CYCLES > 0)",
			    -EINVAL);
	n = zpci_discover(funcs, ZPCI_MAX_FUNCS);
	for (i = 0; i < n; i++)
		if (zpci_is_ism(&funcs[i]))
			ism[nism++] = funcs[i];
	for (a = 1; a < argc; a++) {
		n = atoi(argv[a]);
		if (n < 1 || n > nism) {
			fprintf(stderr, "zpci_removal_bench: %s functions asked, %d ISM-like ones\n",
				argv[a], nism);
			return 1;
		}
		for (c = 0; c < cycles; c++)
			if (cycle(ism, n, c))
				return 1;
	}
	return 0;
}
