/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the bench's SMC-D tests (guest/tests/smc_*.c): AF_SMC
 * connections over lo that move known bytes both ways, what the SMC diag
 * interface (sock_diag, CONFIG_SMC_DIAG) says of each socket, the SMC
 * PNETID table (generic netlink "SMC_PNETID"), the ISM functions and their
 * ism driver in sysfs, and the counters of QEMU's ISM model
 * (s390-ism-test) through the qmp-relay port.
 *
 * Every function returns 0 (or a count) or a negative errno, and never
 * ends the program: the tests decide what a failure means.
 */
#ifndef SMC_LIB_H
#define SMC_LIB_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/smc.h>
#include <linux/smc_diag.h>
#include <linux/sock_diag.h>

#include "zpci_lib.h"
#include "zpci_qmp.h"

#ifndef AF_SMC
#define AF_SMC			43
#endif
#define SMCPROTO_SMC		0	/* AF_SMC over IPv4 (net/smc/smc.h) */

/* Fallback reasons of net/smc/smc_clc.h that the tests expect */
#define SMC_CLC_DECL_PEERNOSMC	0x03010000	/* peer did not indicate SMC */
#define SMC_CLC_DECL_NOSMCDEV	0x03030000	/* no SMC device found */
#define SMC_CLC_DECL_PEERDECL	0x05000000	/* peer declined */

#define ISM_DRIVER		"/sys/bus/pci/drivers/ism"
#define SMC_MAX_ISM		8
#define SMC_LEARN_DIAG		128	/* sockets smc_ism_learn_gids() can see */

static inline uint64_t smc_now_ms(void)
{
	return zpci_now_us() / 1000;
}

static inline void smc_sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Whether the kernel has AF_SMC at all: -EAFNOSUPPORT when it has not */
static inline int smc_available(void)
{
	int fd = socket(AF_SMC, SOCK_STREAM | SOCK_CLOEXEC, SMCPROTO_SMC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/*
 * Bring lo up; the kernel gives it 127.0.0.1/8 then. The bench guest's
 * init configures no network.
 */
static inline int smc_lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ret = -errno;
	} else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr))
			ret = -errno;
	}
	close(fd);
	return ret;
}

/* --- The ISM functions: sysfs, the ism driver, the model's counters --- */

/**
 * struct smc_ism - one ISM function of the bench
 * @f:		the function in sysfs
 * @qom:	QOM path of its s390-ism-test device, from the target of its
 *		zpci device (run-guest.sh names that one "zpci<fid>")
 * @gid:	its GID, as READ_GID returns it and SMC shows it, once
 *		smc_ism_learn_gids() learned it (the model's "gid" property
 *		reads 0 when the model made the GID up)
 */
struct smc_ism {
	struct zpci_func f;
	char qom[96];
	uint64_t gid;
};

/**
 * struct smc_ism_cnt - counters of one function of the ISM model
 * @moves:	data moves from this function that reached a DMB
 * @bytes:	their bytes (move-bytes)
 * @dropped:	moves that reached no DMB (moves-dropped)
 * @events:	events written to this function's IEQ
 * @commands:	commands it executed
 */
struct smc_ism_cnt {
	uint64_t moves, bytes, dropped, events, commands;
};

/*
 * Find the ISM functions, by fid, with their model's QOM path (none
 * without a QMP connection, @qmp < 0). Returns how many (up to @max) or a
 * negative errno.
 */
static inline int smc_ism_discover(int qmp, struct smc_ism *ism, int max)
{
	struct zpci_func funcs[ZPCI_MAX_FUNCS];
	int i, n, k = 0, ret;

	n = zpci_discover(funcs, ZPCI_MAX_FUNCS);
	if (n < 0)
		return n;
	for (i = 0; i < n && k < max; i++) {
		if (!zpci_is_ism(&funcs[i]))
			continue;
		ism[k].f = funcs[i];
		ism[k].qom[0] = '\0';
		ret = qmp < 0 ? 0 : zpci_qmp_target(qmp, funcs[i].fid, ism[k].qom,
						     sizeof(ism[k].qom));
		if (ret)
			return ret;
		ism[k].gid = 0;
		k++;
	}
	return k;
}

/* The counters of one function; all 0 without a QMP connection */
static inline int smc_ism_counters(int qmp, const struct smc_ism *ism,
				   struct smc_ism_cnt *c)
{
	const char *p = ism->qom;

	memset(c, 0, sizeof(*c));
	if (qmp < 0)
		return 0;

	return zpci_qmp_qom_get_u64_at(qmp, p, "moves", &c->moves) ?:
	       zpci_qmp_qom_get_u64_at(qmp, p, "move-bytes", &c->bytes) ?:
	       zpci_qmp_qom_get_u64_at(qmp, p, "moves-dropped", &c->dropped) ?:
	       zpci_qmp_qom_get_u64_at(qmp, p, "events", &c->events) ?:
	       zpci_qmp_qom_get_u64_at(qmp, p, "commands", &c->commands);
}

/* The counters of @n functions, into @c[0..n-1] */
static inline int smc_ism_counters_all(int qmp, const struct smc_ism *ism,
				       int n, struct smc_ism_cnt *c)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		ret = smc_ism_counters(qmp, &ism[i], &c[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* The function of @gid among @ism[0..n-1], or -1 */
static inline int smc_ism_by_gid(const struct smc_ism *ism, int n,
				 uint64_t gid)
{
	int i;

	for (i = 0; i < n; i++)
		if (ism[i].gid == gid)
			return i;
	return -1;
}

static inline bool smc_ism_bound(const struct smc_ism *ism)
{
	char drv[NAME_MAX];

	return !zpci_driver(&ism->f, drv, sizeof(drv)) && !strcmp(drv, "ism");
}

/*
 * Unbind the ism driver from the function: its SMC-D device goes, with
 * every link group on it (smcd_unregister_dev()). Blocks until done.
 */
static inline int smc_ism_unbind(const struct smc_ism *ism)
{
	if (!smc_ism_bound(ism))
		return 0;
	return zpci_write_file(ISM_DRIVER "/unbind", ism->f.name);
}

/*
 * Bind the ism driver to the function. SMC puts a device without a PNETID
 * at the head of its list (smcd_register_dev()), so the function bound
 * last is the one that both ends of a connection over lo choose.
 */
static inline int smc_ism_bind(const struct smc_ism *ism)
{
	int ret;

	if (smc_ism_bound(ism))
		return 0;
	ret = zpci_write_file(ISM_DRIVER "/bind", ism->f.name);
	if (ret)
		return ret;
	return smc_ism_bound(ism) ? 0 : -ENODEV;
}

/* --- The SMC diag interface --- */

/*
 * The payload of the first netlink attribute of @type with at least @min
 * bytes, among the @len bytes of attributes at @attrs, or NULL.
 */
static inline const void *smc_nla_find(const void *attrs, int len,
				       uint16_t type, size_t min)
{
	const struct nlattr *a = attrs;

	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == type &&
		    (size_t)(a->nla_len - NLA_HDRLEN) >= min)
			return (const char *)a + NLA_HDRLEN;
		len -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a +
					    NLA_ALIGN(a->nla_len));
	}
	return NULL;
}

/**
 * struct smc_diag_ent - what SMC_DIAG says of one AF_SMC socket
 * @inode:	the socket's inode, to find it by its fd
 * @state:	its state (SMC_ACTIVE is 1, SMC_LISTEN 10, ...)
 * @mode:	SMC_DIAG_MODE_SMCD, _SMCR or _FALLBACK_TCP
 * @reason:	the fallback reason (SMC_CLC_DECL_*), 0 if none
 * @peer_diag:	the peer's decline reason, 0 if none
 * @has_dmb:	whether @dmb is there (SMC-D, a DMB registered)
 * @dmb:	the GIDs and DMB tokens of both ends
 */
struct smc_diag_ent {
	uint64_t inode;
	uint8_t state, mode;
	uint32_t reason, peer_diag;
	bool has_dmb;
	struct smcd_diag_dmbinfo dmb;
};

static inline const char *smc_mode_name(uint8_t mode)
{
	switch (mode) {
	case SMC_DIAG_MODE_SMCD: return "SMC-D";
	case SMC_DIAG_MODE_SMCR: return "SMC-R";
	case SMC_DIAG_MODE_FALLBACK_TCP: return "fallback to TCP";
	}
	return "unknown mode";
}

static inline void smc_diag_parse(const struct nlmsghdr *h,
				  struct smc_diag_ent *e)
{
	const struct smc_diag_msg *r = NLMSG_DATA(h);
	const char *attrs = (const char *)r + NLMSG_ALIGN(sizeof(*r));
	int len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*r));
	const struct smc_diag_fallback *fb;
	const void *dmb;

	memset(e, 0, sizeof(*e));
	e->inode = r->diag_inode;
	e->state = r->diag_state;
	e->mode = r->diag_mode;
	fb = smc_nla_find(attrs, len, SMC_DIAG_FALLBACK, sizeof(*fb));
	if (fb) {
		e->reason = fb->reason;
		e->peer_diag = fb->peer_diagnosis;
	}
	dmb = smc_nla_find(attrs, len, SMC_DIAG_DMBINFO, sizeof(e->dmb));
	if (dmb) {
		memcpy(&e->dmb, dmb, sizeof(e->dmb));
		e->has_dmb = true;
	}
}

/*
 * Every AF_SMC socket of the guest as SMC_DIAG dumps it, into @e (up to
 * @max, -ENOSPC if there are more). Returns how many, or a negative
 * errno: -ENOENT from sock_diag means that the kernel has no handler for
 * AF_SMC (no CONFIG_SMC_DIAG).
 */
static inline int smc_diag_dump(struct smc_diag_ent *e, int max)
{
	struct {
		struct nlmsghdr nlh;
		struct smc_diag_req req;
	} msg = {
		.nlh = {
			.nlmsg_len = sizeof(msg),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1,
		},
		.req = {
			.diag_family = AF_SMC,
			.diag_ext = 1 << (SMC_DIAG_DMBINFO - 1),
		},
	};
	static char buf[65536] __attribute__((aligned(8)));
	struct nlmsghdr *h;
	int fd, n = 0, ret = 0;
	ssize_t len;
	bool done = false;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	if (send(fd, &msg, sizeof(msg), 0) < 0) {
		ret = -errno;
		goto out;
	}
	while (!done) {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0) {
			ret = -errno;
			goto out;
		}
		if (!len) {
			ret = -EPROTO;
			goto out;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *err = NLMSG_DATA(h);

				ret = err->error ? err->error : -EPROTO;
				goto out;
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct smc_diag_msg)))
				continue;
			if (n >= max) {
				ret = -ENOSPC;	/* more sockets than @max */
				goto out;
			}
			smc_diag_parse(h, &e[n++]);
		}
	}
	ret = n;
out:
	close(fd);
	return ret;
}

/* The entry of the socket with inode @ino among @e[0..n-1], or NULL */
static inline const struct smc_diag_ent *
smc_diag_find_ino(const struct smc_diag_ent *e, int n, uint64_t ino)
{
	int i;

	/* A closed SMC socket that is still in the diag has inode 0 */
	for (i = 0; i < n && ino; i++)
		if (e[i].inode == ino)
			return &e[i];
	return NULL;
}

/* The inode of socket @fd, 0 if it has none (a closed fd) */
static inline uint64_t smc_sock_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (uint64_t)st.st_ino;
}

/* The entry of the open socket @fd among @e[0..n-1], or NULL */
static inline const struct smc_diag_ent *
smc_diag_find(const struct smc_diag_ent *e, int n, int fd)
{
	uint64_t ino = smc_sock_ino(fd);

	return ino ? smc_diag_find_ino(e, n, ino) : NULL;
}

/* --- The SMC PNETID table (generic netlink family "SMC_PNETID") --- */

/*
 * Send one generic netlink request on @fd and read its answer into @buf:
 * with @ack the acknowledgement (a command that answers nothing else),
 * without it the answer itself, so that no message is left unread.
 */
static inline int smc_genl_request(int fd, uint16_t family, uint8_t cmd,
				   uint8_t version, bool ack, const void *attrs,
				   size_t attrs_len, char *buf, size_t len)
{
	char req[512] __attribute__((aligned(8)));
	struct nlmsghdr *h = (struct nlmsghdr *)req;
	struct genlmsghdr *g = NLMSG_DATA(h);
	const struct nlmsgerr *err;
	ssize_t n;

	if (NLMSG_LENGTH(GENL_HDRLEN) + attrs_len > sizeof(req))
		return -E2BIG;
	memset(req, 0, sizeof(req));
	h->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + attrs_len;
	h->nlmsg_type = family;
	h->nlmsg_flags = NLM_F_REQUEST | (ack ? NLM_F_ACK : 0);
	h->nlmsg_seq = 1;
	g->cmd = cmd;
	g->version = version;
	memcpy((char *)g + GENL_HDRLEN, attrs, attrs_len);
	if (send(fd, req, h->nlmsg_len, 0) < 0)
		return -errno;
	n = recv(fd, buf, len, 0);
	if (n < 0)
		return -errno;
	h = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(h, n))
		return -EPROTO;
	if (h->nlmsg_type == NLMSG_ERROR) {
		err = NLMSG_DATA(h);
		return err->error;
	}
	return 0;
}

/* Append a string attribute, NUL included, at @p; returns its length */
static inline size_t smc_nla_str(char *p, uint16_t type, const char *s)
{
	struct nlattr *a = (struct nlattr *)p;
	size_t len = strlen(s) + 1;

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(p + NLA_HDRLEN, s, len);
	return NLA_ALIGN(a->nla_len);
}

/* The family id of "SMC_PNETID", or a negative errno */
static inline int smc_pnet_family(int fd)
{
	char attrs[64] __attribute__((aligned(4))) = { 0 };
	char buf[4096] __attribute__((aligned(8)));
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	const uint16_t *id;
	size_t alen;
	int ret;

	alen = smc_nla_str(attrs, CTRL_ATTR_FAMILY_NAME, SMCR_GENL_FAMILY_NAME);
	ret = smc_genl_request(fd, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, false,
			       attrs, alen, buf, sizeof(buf));
	if (ret)
		return ret;
	id = smc_nla_find((char *)NLMSG_DATA(h) + GENL_HDRLEN,
			  h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN),
			  CTRL_ATTR_FAMILY_ID, sizeof(*id));
	return id ? *id : -ENOENT;
}

/*
 * Give the SMC-D device of ISM function @dev (its PCI name) the PNETID
 * @pnetid (smc_pnet_add_ib()), or with @dev NULL remove @pnetid from the
 * table and from every device that has it (smc_pnet_remove_by_pnetid()).
 * A client proposes only devices without a PNETID or with one that a
 * net device of its namespace has; a server does not look at PNETIDs
 * for SMC-Dv2 (smc_check_ism_v2_match()).
 */
static inline int smc_pnet(const char *pnetid, const char *dev)
{
	char attrs[128] __attribute__((aligned(4))) = { 0 };
	char buf[4096] __attribute__((aligned(8)));
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	size_t alen;
	int fd, family, ret;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		goto out;
	}
	family = smc_pnet_family(fd);
	if (family < 0) {
		ret = family;
		goto out;
	}
	alen = smc_nla_str(attrs, SMC_PNETID_NAME, pnetid);
	if (dev)
		alen += smc_nla_str(attrs + alen, SMC_PNETID_IBNAME, dev);
	ret = smc_genl_request(fd, family, dev ? SMC_PNETID_ADD : SMC_PNETID_DEL,
			       SMCR_GENL_FAMILY_VERSION, true, attrs, alen,
			       buf, sizeof(buf));
out:
	close(fd);
	return ret;
}

/* --- Connections over lo and the bytes they carry --- */

/*
 * A listening socket on 127.0.0.1, of @family AF_SMC or AF_INET (a plain
 * TCP server, which an AF_SMC client falls back to TCP with); its port in
 * *@port.
 */
static inline int smc_listen(int family, uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t slen = sizeof(sin);
	int fd, one = 1;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC,
		    family == AF_SMC ? SMCPROTO_SMC : 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)&sin, &slen)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

/*
 * Connect a client of @family, AF_SMC or AF_INET (plain TCP), to the
 * listener @lfd on @port and accept it: the client in fd[0], the server's
 * end in fd[1], both non-blocking. For AF_SMC, the CLC handshake, in which
 * SMC chooses SMC-D or falls back, is over when both return.
 */
static inline int smc_connect_pair_as(int family, int lfd, uint16_t port,
				      int fd[2], int timeout_ms)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	int ret;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd[0] = socket(family, SOCK_STREAM | SOCK_CLOEXEC,
		       family == AF_SMC ? SMCPROTO_SMC : 0);
	if (fd[0] < 0)
		return -errno;
	if (connect(fd[0], (struct sockaddr *)&sin, sizeof(sin))) {
		ret = -errno;
		goto err;
	}
	ret = poll(&pfd, 1, timeout_ms);
	if (ret <= 0) {
		ret = ret ? -errno : -ETIMEDOUT;
		goto err;
	}
	fd[1] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd[1] < 0) {
		ret = -errno;
		goto err;
	}
	if (fcntl(fd[0], F_SETFL, O_NONBLOCK)) {
		ret = -errno;
		close(fd[1]);
		goto err;
	}
	return 0;
err:
	close(fd[0]);
	fd[0] = fd[1] = -1;
	return ret;
}

/* An AF_SMC client, connected and accepted: see smc_connect_pair_as() */
static inline int smc_connect_pair(int lfd, uint16_t port, int fd[2],
				   int timeout_ms)
{
	return smc_connect_pair_as(AF_SMC, lfd, port, fd, timeout_ms);
}

/**
 * struct smc_xfer - the bytes that one connection carries both ways
 * @fd:		the client's end [0] and the server's [1]
 * @len:	bytes that end i sends
 * @out:	what end i sends: a pseudo-random stream of its own
 * @in:		what end i received
 * @sent:	bytes end i sent so far
 * @rcvd:	bytes end i received so far
 * @err:	the first error on end i, a negative errno (-EPIPE for an early
 *		end of the stream), or 0
 */
struct smc_xfer {
	int fd[2];
	size_t len[2];
	uint8_t *out[2], *in[2];
	size_t sent[2], rcvd[2];
	int err[2];
};

static inline void smc_fill(uint8_t *p, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 7)) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		p[i] = x >> (8 * (i & 7));
	}
}

/* Buffers for @x: @up bytes from the client, @down from the server */
static inline int smc_xfer_init(struct smc_xfer *x, const int fd[2],
				size_t up, size_t down, uint64_t seed)
{
	int i;

	memset(x, 0, sizeof(*x));
	x->fd[0] = fd[0];
	x->fd[1] = fd[1];
	x->len[0] = up;
	x->len[1] = down;
	for (i = 0; i < 2; i++) {
		x->out[i] = malloc(x->len[i] ? x->len[i] : 1);
		x->in[i] = calloc(1, x->len[!i] ? x->len[!i] : 1);
		if (!x->out[i] || !x->in[i])
			return -ENOMEM;
		smc_fill(x->out[i], x->len[i], seed * 2 + i);
	}
	return 0;
}

static inline void smc_xfer_free(struct smc_xfer *x)
{
	int i;

	for (i = 0; i < 2; i++) {
		free(x->out[i]);
		free(x->in[i]);
		x->out[i] = x->in[i] = NULL;
	}
}

static inline bool smc_xfer_done(const struct smc_xfer *x)
{
	return x->sent[0] == x->len[0] && x->sent[1] == x->len[1] &&
	       x->rcvd[0] == x->len[1] && x->rcvd[1] == x->len[0];
}

/*
 * Move the bytes of @n connections at once, both ways, until all arrived,
 * one failed or @timeout_ms passed. Returns 0 or -ETIMEDOUT; each
 * connection's own error is in its @err.
 */
static inline int smc_xfer_run(struct smc_xfer *x, int n, int timeout_ms)
{
	uint64_t end = smc_now_ms() + timeout_ms;
	struct pollfd pfd[2 * n + 1];
	int i, e, k, ret;
	ssize_t r;

	for (;;) {
		k = 0;
		for (i = 0; i < n; i++) {
			for (e = 0; e < 2; e++) {
				struct pollfd *p = &pfd[2 * i + e];

				p->fd = x[i].err[e] ? -1 : x[i].fd[e];
				p->events = 0;
				p->revents = 0;
				if (x[i].sent[e] < x[i].len[e])
					p->events |= POLLOUT;
				if (x[i].rcvd[e] < x[i].len[!e])
					p->events |= POLLIN;
				if (!p->events)
					p->fd = -1;
				if (p->fd >= 0)
					k++;
			}
		}
		if (!k)
			return 0;
		if (smc_now_ms() >= end)
			return -ETIMEDOUT;
		ret = poll(pfd, 2 * n, 200);
		if (ret < 0 && errno != EINTR)
			return -errno;
		for (i = 0; i < n; i++) {
			for (e = 0; e < 2; e++) {
				struct pollfd *p = &pfd[2 * i + e];
				struct smc_xfer *c = &x[i];

				if (p->fd < 0 || !p->revents)
					continue;
				if ((p->revents & (POLLOUT | POLLERR)) &&
				    c->sent[e] < c->len[e]) {
					r = send(c->fd[e], c->out[e] + c->sent[e],
						 c->len[e] - c->sent[e],
						 MSG_NOSIGNAL);
					if (r > 0)
						c->sent[e] += r;
					else if (r < 0 && errno != EAGAIN &&
						 errno != EINTR)
						c->err[e] = -errno;
				}
				if ((p->revents & (POLLIN | POLLERR | POLLHUP)) &&
				    c->rcvd[e] < c->len[!e] && !c->err[e]) {
					r = recv(c->fd[e], c->in[e] + c->rcvd[e],
						 c->len[!e] - c->rcvd[e], 0);
					if (r > 0)
						c->rcvd[e] += r;
					else if (!r)
						c->err[e] = -EPIPE;
					else if (errno != EAGAIN && errno != EINTR)
						c->err[e] = -errno;
				}
			}
		}
	}
}

/* Whether what each end received is byte for byte what the other sent */
static inline bool smc_xfer_exact(const struct smc_xfer *x, size_t *bad_off,
				  int *bad_end)
{
	size_t i;
	int e;

	for (e = 0; e < 2; e++) {
		if (x->rcvd[e] != x->len[!e]) {
			*bad_off = x->rcvd[e];
			*bad_end = e;
			return false;
		}
		if (!memcmp(x->in[e], x->out[!e], x->len[!e]))
			continue;
		for (i = 0; x->in[e][i] == x->out[!e][i]; i++)
			;
		*bad_off = i;
		*bad_end = e;
		return false;
	}
	return true;
}

/*
 * End both directions (shutdown SHUT_WR on each end) and check that each
 * end then reads the end of the stream and nothing else, within
 * @timeout_ms. Returns 0, -EPROTO for extra bytes, or a negative errno.
 */
static inline int smc_xfer_eof(struct smc_xfer *x, int timeout_ms)
{
	uint64_t end = smc_now_ms() + timeout_ms;
	bool eof[2] = { false, false };
	struct pollfd pfd;
	char c;
	ssize_t r;
	int e;

	for (e = 0; e < 2; e++)
		if (shutdown(x->fd[e], SHUT_WR))
			return -errno;
	for (e = 0; e < 2; e++) {
		while (!eof[e]) {
			pfd.fd = x->fd[e];
			pfd.events = POLLIN;
			if (smc_now_ms() >= end)
				return -ETIMEDOUT;
			if (poll(&pfd, 1, 200) < 0 && errno != EINTR)
				return -errno;
			r = recv(x->fd[e], &c, 1, 0);
			if (r > 0)
				return -EPROTO;
			if (!r)
				eof[e] = true;
			else if (errno != EAGAIN && errno != EINTR)
				return -errno;
		}
	}
	return 0;
}

/**
 * struct smc_stream - a connection that carries an endless stream both
 * ways, each byte a function of its position, until it breaks or stops
 * @fd:		the client's end [0] and the server's [1]; -1 once closed
 * @sent:	bytes end i sent so far
 * @rcvd:	bytes end i received so far, each checked on arrival
 * @err:	the first error on either end, a negative errno (-EPIPE for an
 *		early end of the stream), or 0
 * @bad:	the first byte that end i received wrong, + 1 (0: none)
 */
struct smc_stream {
	int fd[2];
	uint64_t sent[2], rcvd[2];
	int err;
	uint64_t bad[2];
};

/* @len bytes of the stream that end @e sends, from its byte @pos on */
static inline void smc_stream_fill(int e, uint64_t pos, uint8_t *p,
				   size_t len)
{
	size_t i = 0;
	uint64_t x;
	int b;

	while (i < len) {
		x = ((pos + i) >> 3) * 2 + e + 0x9e3779b97f4a7c15ULL;
		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
		x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
		x ^= x >> 31;
		for (b = (pos + i) & 7; b < 8 && i < len; b++, i++)
			p[i] = x >> (8 * b);
	}
}

static inline void smc_stream_close(struct smc_stream *c)
{
	int e;

	for (e = 0; e < 2; e++) {
		if (c->fd[e] >= 0)
			close(c->fd[e]);
		c->fd[e] = -1;
	}
}

/*
 * Move the streams of @n connections, both ways, until each one broke or
 * @timeout_ms passed. A
 * connection that breaks on either end is closed at once, both ends, as
 * an application does: SMC frees the link group of a device that goes
 * away only once its sockets are closed. Returns how many connections
 * are still open.
 */
static inline int smc_stream_run(struct smc_stream *c, int n, int timeout_ms)
{
	uint64_t end = smc_now_ms() + timeout_ms;
	struct pollfd pfd[2 * n + 1];
	static uint8_t buf[16384], want[16384];
	int i, e, open, k;
	ssize_t r;

	for (;;) {
		for (i = 0, open = 0; i < n; i++) {
			for (e = 0; e < 2; e++) {
				pfd[2 * i + e].fd = c[i].fd[e];
				pfd[2 * i + e].events = POLLIN | POLLOUT;
				pfd[2 * i + e].revents = 0;
			}
			open += c[i].fd[0] >= 0;
		}
		if (!open || smc_now_ms() >= end)
			return open;
		if (poll(pfd, 2 * n, 200) < 0 && errno != EINTR)
			return open;
		for (i = 0; i < n; i++) {
			for (e = 0; e < 2 && c[i].fd[0] >= 0; e++) {
				short ev = pfd[2 * i + e].revents;

				if (ev & POLLOUT) {
					smc_stream_fill(e, c[i].sent[e], buf,
							sizeof(buf));
					r = send(c[i].fd[e], buf, sizeof(buf),
						 MSG_NOSIGNAL);
					if (r > 0)
						c[i].sent[e] += r;
					else if (r < 0 && errno != EAGAIN &&
						 errno != EINTR)
						c[i].err = -errno;
				}
				if (!c[i].err && (ev & (POLLIN | POLLERR | POLLHUP))) {
					r = recv(c[i].fd[e], buf, sizeof(buf), 0);
					if (r > 0 && !c[i].bad[e]) {
						smc_stream_fill(!e, c[i].rcvd[e],
								want, r);
						for (k = 0; k < r; k++)
							if (buf[k] != want[k])
								break;
						if (k < r)
							c[i].bad[e] = c[i].rcvd[e] + k + 1;
					}
					if (r > 0)
						c[i].rcvd[e] += r;
					else if (!r)
						c[i].err = -EPIPE;
					else if (errno != EAGAIN && errno != EINTR)
						c[i].err = -errno;
				}
				if (c[i].err)
					smc_stream_close(&c[i]);
			}
		}
	}
}

/*
 * Whether one end of a connection is broken: a pending socket error, or
 * the end of the stream or an error on a read. *@why gets the errno (or
 * EPIPE for the end of the stream). Does not wait.
 */
static inline bool smc_end_broken(int fd, int *why)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	socklen_t len = sizeof(*why);
	char c;
	ssize_t r;

	*why = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, why, &len) == 0 && *why)
		return true;
	if (poll(&pfd, 1, 0) <= 0)
		return false;
	r = recv(fd, &c, 1, MSG_PEEK);
	if (r > 0)
		return false;
	*why = r ? errno : EPIPE;
	return *why != EAGAIN;
}

/*
 * Learn the GID of each of @n functions from SMC itself, since the model
 * does not tell a GID that it made up: unbind the ism driver from all,
 * then bind them one after the other, in the order of @order (indexes
 * into @ism), and after each bind open one connection over lo. SMC puts
 * the function just bound at the head of its list, so both ends of that
 * connection are on it, and the diag shows its GID. The functions stay
 * bound in that order, the last one at the head of the list; each keeps
 * an idle link group with itself, which SMC frees after 10 minutes or
 * when its driver goes.
 */
static inline int smc_ism_learn_gids(struct smc_ism *ism, int n,
				     const int *order, int timeout_ms)
{
	struct smc_diag_ent diag[SMC_LEARN_DIAG];
	const struct smc_diag_ent *d;
	int i, k, lfd, fd[2] = { -1, -1 }, nd, ret = 0;
	uint16_t port;

	for (i = 0; i < n && !ret; i++)
		ret = smc_ism_unbind(&ism[i]);
	if (ret)
		return ret;
	lfd = smc_listen(AF_SMC, &port);
	if (lfd < 0)
		return lfd;
	for (k = 0; k < n && !ret; k++) {
		i = order ? order[k] : k;
		ret = smc_ism_bind(&ism[i]) ?:
		      smc_connect_pair(lfd, port, fd, timeout_ms);
		if (ret)
			break;
		nd = smc_diag_dump(diag, SMC_LEARN_DIAG);
		d = nd > 0 ? smc_diag_find(diag, nd, fd[0]) : NULL;
		if (nd < 0)
			ret = nd;
		else if (!d || d->mode != SMC_DIAG_MODE_SMCD || !d->has_dmb ||
			 d->dmb.my_gid != d->dmb.peer_gid || !d->dmb.my_gid)
			ret = -ENOLINK;
		else
			ism[i].gid = d->dmb.my_gid;
		close(fd[0]);
		close(fd[1]);
	}
	close(lfd);
	for (i = 0; i < n && !ret; i++)
		for (k = i + 1; k < n && !ret; k++)
			if (ism[i].gid == ism[k].gid)
				ret = -EEXIST;
	return ret;
}

/*
 * Whether the device's counters are read outside this guest:
 * SMC_TEST_DEVICE=host, where the ISM functions are passed through to a
 * nested guest and the host of its VMM reads the model (the vmm group).
 */
static inline bool smc_device_on_host(void)
{
	const char *v = getenv("SMC_TEST_DEVICE");

	return v && !strcmp(v, "host");
}

/*
 * What each SMC test needs first: AF_SMC sockets, the ism driver, the
 * QMP relay and at least @min ISM functions, found into @ism (up to
 * SMC_MAX_ISM). Without them the test skips, as kselftests do; an error
 * on the way fails it. Returns the number of functions, with the QMP
 * connection in *@qmp. A test that can leave the device's counters to
 * the host (@host_ok) runs without the relay when smc_device_on_host()
 * says so, with *@qmp = -1. The caller includes kselftest.h.
 */
static inline int smc_test_setup(int *qmp, struct smc_ism *ism, int min,
				 bool host_ok)
{
	int n, ret;

	ret = smc_available();
	if (ret)
		ksft_exit_skip("no AF_SMC sockets: %s (needs CONFIG_SMC, the ism-client kernel)\n",
			       strerror(-ret));
	if (access(ISM_DRIVER, F_OK))
		ksft_exit_skip("no ism driver (needs CONFIG_ISM, the ism-client kernel)\n");
	*qmp = -1;
	if (!host_ok || !smc_device_on_host()) {
		*qmp = zpci_qmp_open();
		if (*qmp < 0)
			ksft_exit_skip("no qmp-relay port: %s (see scripts/run-guest.sh)\n",
				       strerror(-*qmp));
	}
	n = smc_ism_discover(*qmp, ism, SMC_MAX_ISM);
	if (n < 0)
		ksft_exit_fail_msg("finding the ISM functions: %s\n",
				   strerror(-n));
	if (n < min)
		ksft_exit_skip("needs %d ISM functions, has %d\n", min, n);
	ret = smc_lo_up();
	if (ret)
		ksft_exit_fail_msg("lo up: %s\n", strerror(-ret));
	return n;
}

#endif /* SMC_LIB_H */
