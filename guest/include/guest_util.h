/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the bench's own guest programs (guest/tests/ and
 * guest/bench/), on top of the series' zpci_lib and the bench's zpci_qmp
 * (guest/qmp/).
 */
#ifndef GUEST_UTIL_H
#define GUEST_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zpci_qmp.h"

/**
 * struct ism_counters - the access counters of QEMU's s390-ism-test device
 * (QOM properties of the zpci device, patches/qemu)
 */
struct ism_counters {
	uint64_t lg, lg_bytes, stg, stg_bytes, stb, stb_bytes;
};

/* Read all counters of function @fid through the qmp-relay port @qmp. */
static inline int ism_read_counters(int qmp, uint32_t fid,
				    struct ism_counters *c)
{
	return zpci_qmp_qom_get_u64(qmp, fid, "pcilg-count", &c->lg) ?:
	       zpci_qmp_qom_get_u64(qmp, fid, "pcilg-bytes", &c->lg_bytes) ?:
	       zpci_qmp_qom_get_u64(qmp, fid, "pcistg-count", &c->stg) ?:
	       zpci_qmp_qom_get_u64(qmp, fid, "pcistg-bytes", &c->stg_bytes) ?:
	       zpci_qmp_qom_get_u64(qmp, fid, "pcistb-count", &c->stb) ?:
	       zpci_qmp_qom_get_u64(qmp, fid, "pcistb-bytes", &c->stb_bytes);
}

/* An integer from the environment, or @def when unset or empty. */
static inline int env_int(const char *name, int def)
{
	const char *s = getenv(name);

	return s && *s ? atoi(s) : def;
}

/* Say what failed with the negative errno @err; returns 1, an exit status. */
static inline int fail(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		strerror(-err));
	return 1;
}

#endif /* GUEST_UTIL_H */
