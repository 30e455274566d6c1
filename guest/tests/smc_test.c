// SPDX-License-Identifier: GPL-2.0
/*
 * SMC-D, ISM's one real user, on QEMU's ISM model (s390-ism-test) with
 * Linux's ism driver: AF_SMC connections over lo move pseudo-random bytes
 * of many sizes, up to several MiB, both ways at once, and each end must
 * receive exactly what the other sent, then the end of the stream.
 *
 * That the bytes went through ISM and not through a TCP fallback is
 * proved twice: the SMC diag interface (sock_diag for AF_SMC,
 * CONFIG_SMC_DIAG) must show every end of every connection in mode SMC-D,
 * without a fallback reason, with the GIDs of ISM functions of the bench
 * on both sides; and the model's counters (moves and move-bytes of the
 * functions, read through QMP) must have grown by at least the payload,
 * with no move dropped.
 *
 * The negative controls run the same connections where SMC must fall
 * back, and show that the proof can fail: a plain TCP server (the client
 * falls back with SMC_CLC_DECL_PEERNOSMC while every ISM function is
 * bound), and no ISM function bound to the ism driver (SMC_CLC_DECL_
 * NOSMCDEV). There the diag must show the fallback and its reason, the
 * device must count no move at all, and the same SMC-D check that passed
 * the first run must reject the run. Then the functions are bound again
 * and SMC-D must work as before.
 *
 * Over lo, both ends choose the same ISM function, the one that SMC puts
 * at the head of its device list (bound last), and it moves the data
 * into its own DMBs: nothing in Linux refuses that. The model does not
 * tell a GID that it made up, so the test learns each function's GID
 * from an SMC-D connection with only that function just bound
 * (smc_ism_learn_gids()).
 *
 * Needs the ism-client kernel (CONFIG_SMC, CONFIG_SMC_DIAG, CONFIG_ISM,
 * no CONFIG_SMC_LO), at least one ISM function and the qmp-relay port;
 * skips without them. Prints TAP.
 *
 * In the nested guest of the vmm group (SMC_TEST_DEVICE=host), the ISM
 * functions are passed through and the model is out of reach: the device
 * checks are skipped here, and the host checks the model's counters
 * against the payload that each SMC-D run prints ("NAME: payload N
 * bytes").
 *
 * There, with SMC_TEST_UNPLUG=1, it runs seed 004 with the real workload
 * instead: SMC-D streams over lo until the host takes the function that
 * carries them away (a slot power-off or a device_del on the host). Each
 * stream must then break, and is closed at once, as an application
 * closes a broken socket, which the ism driver's remove waits for; every
 * byte that arrived before must be the stream's; and SMC-D must work
 * again on a function left, if any.
 *
 * With SMC_TEST_BENCH=setup or xfer it measures instead, for make bench
 * (guest/bench/smc_bench.sh), SMC-D against plain TCP over lo, side by
 * side, SMC_BENCH_ROUNDS rounds (3) with the order alternating:
 *   setup  SMC_BENCH_CONNS connections (16) one after the other, each
 *          timed from socket() to accept(); every AF_SMC end must be in
 *          SMC-D mode (the diag), or the round fails;
 *   xfer   one connection that carries SMC_BENCH_MIB MiB (4, at most
 *          32: the nested guest has 256 MiB) one way,
 *          timed from the first send to the last byte received, which
 *          must be byte-exact; the AF_SMC ends must be in SMC-D mode.
 * One line per round and family, only for a round that passed:
 *   smc-bench phase=setup family=smc|tcp round=R conns=N first_us=F
 *       p50_us=P max_us=M
 *   smc-bench phase=xfer family=smc|tcp round=R bytes=B us=T
 * It reads no counter of the device: the caller does, around the run.
 */
#include "kselftest.h"
#include "smc_lib.h"

#define NCONN		6
#define KIB		1024UL
#define MIB		(1024 * KIB)
#define XFER_TIMEOUT_MS	300000
#define EOF_TIMEOUT_MS	30000
#define SETUP_TIMEOUT_MS 30000
#define MAX_DIAG	256
#define NSTREAM		4
#define UNPLUG_TIMEOUT_MS 900000
#define BENCH_MAX_CONNS	64

/* Bytes from the client, and from the server, on each connection */
static const size_t up_len[NCONN] = {
	1, 4095, 4097, 64 * KIB + 1, 1 * MIB + 13, 4 * MIB + 1,
};
static const size_t down_len[NCONN] = {
	3 * MIB + 7, 256 * KIB + 5, 8192, 4096, 511, 2,
};

enum expect {
	EXPECT_SMCD,		/* SMC-D on every end, ISM moved the bytes */
	EXPECT_FALLBACK,	/* TCP fallback with a reason, ISM idle */
};

/**
 * struct run - one set of connections and what was seen of it
 * @name:	its name in the TAP lines
 * @family:	the listener's family: AF_SMC, or AF_INET for a TCP server
 * @n:		connections established
 * @x:		their bytes
 * @xfer_ret:	what smc_xfer_run() returned
 * @eof_ret:	what smc_xfer_eof() returned, per connection
 * @ino:	the inodes of their sockets, client's and server's: the
 *		reports look their ends up in @diag by these, once closed
 * @diag:	the SMC diag dump while the connections were open
 * @ndiag:	its entries, or a negative errno
 * @before:	the ISM functions' counters before the connections
 * @after:	and after them
 * @payload:	bytes that the connections carried, both ways
 */
struct run {
	const char *name;
	int family;
	int n;
	struct smc_xfer x[NCONN];
	uint64_t ino[NCONN][2];
	int xfer_ret;
	int eof_ret[NCONN];
	struct smc_diag_ent diag[MAX_DIAG];
	int ndiag;
	struct smc_ism_cnt before[SMC_MAX_ISM], after[SMC_MAX_ISM];
	uint64_t payload;
};

static int qmp = -1;
static struct smc_ism ism[SMC_MAX_ISM];
static int nism;
/* Whether this program reads the device's counters (else the host does) */
static bool devcnt;

static int fid_of_gid(uint64_t gid)
{
	int i = smc_ism_by_gid(ism, nism, gid);

	return i < 0 ? -1 : (int)ism[i].f.fid;
}

/*
 * Whether the end @fd is in SMC-D mode in @diag, without a fallback
 * reason, with a DMB, and (@ours) of an ISM function whose GID is known
 */
static bool smcd_end(const struct smc_diag_ent *diag, int ndiag, int fd,
		     bool ours)
{
	const struct smc_diag_ent *d;

	d = ndiag > 0 ? smc_diag_find(diag, ndiag, fd) : NULL;
	return d && d->mode == SMC_DIAG_MODE_SMCD && !d->reason &&
	       d->has_dmb && (!ours || fid_of_gid(d->dmb.my_gid) >= 0);
}

/* Open the connections, move the bytes, look at them, close them */
static int run_conns(struct run *r)
{
	uint16_t port;
	int lfd, i, fd[2] = { -1, -1 }, ret;

	r->n = 0;
	r->payload = 0;
	r->ndiag = 0;
	ret = smc_ism_counters_all(qmp, ism, nism, r->before);
	if (ret)
		return ret;
	lfd = smc_listen(r->family, &port);
	if (lfd < 0)
		return lfd;
	for (i = 0; i < NCONN; i++) {
		ret = smc_connect_pair(lfd, port, fd, SETUP_TIMEOUT_MS);
		if (ret) {
			ksft_print_msg("%s: connection %d: %s\n", r->name, i,
				       strerror(-ret));
			break;
		}
		ret = smc_xfer_init(&r->x[i], fd, up_len[i], down_len[i],
				    r->family * 100 + i);
		if (ret) {
			smc_xfer_free(&r->x[i]);
			close(fd[0]);
			close(fd[1]);
			break;
		}
		r->ino[i][0] = smc_sock_ino(fd[0]);
		r->ino[i][1] = smc_sock_ino(fd[1]);
		r->payload += up_len[i] + down_len[i];
		r->n++;
	}
	close(lfd);
	r->xfer_ret = smc_xfer_run(r->x, r->n, XFER_TIMEOUT_MS);
	/* What SMC says of the connections, while they are open */
	r->ndiag = smc_diag_dump(r->diag, MAX_DIAG);
	for (i = 0; i < r->n; i++)
		r->eof_ret[i] = smc_xfer_eof(&r->x[i], EOF_TIMEOUT_MS);
	for (i = 0; i < r->n; i++) {
		close(r->x[i].fd[0]);
		close(r->x[i].fd[1]);
	}
	return smc_ism_counters_all(qmp, ism, nism, r->after);
}

/* The data part: established, byte-exact both ways, end of stream */
static void report_data(struct run *r)
{
	size_t off;
	int i, end;

	ksft_test_result(r->n == NCONN, "%s: %d of %d connections established\n",
			 r->name, r->n, NCONN);
	if (r->xfer_ret)
		ksft_print_msg("%s: moving the bytes: %s\n", r->name,
			       strerror(-r->xfer_ret));
	for (i = 0; i < r->n; i++) {
		struct smc_xfer *x = &r->x[i];
		bool exact = smc_xfer_exact(x, &off, &end);

		if (!exact)
			ksft_print_msg("%s: connection %d: the %s's bytes differ from offset %zu (%zu of %zu received, error %s)\n",
				       r->name, i, end ? "server" : "client",
				       off, x->rcvd[end], x->len[!end],
				       strerror(-x->err[end]));
		ksft_test_result(exact && !x->err[0] && !x->err[1],
				 "%s: connection %d: %zu bytes up, %zu down, byte-exact\n",
				 r->name, i, x->len[0], x->len[1]);
	}
	for (i = 0, end = 0; i < r->n; i++) {
		if (r->eof_ret[i]) {
			ksft_print_msg("%s: connection %d: end of stream: %s\n",
				       r->name, i, strerror(-r->eof_ret[i]));
			end++;
		}
	}
	ksft_test_result(r->n && !end,
			 "%s: each end reads the end of the stream and nothing more\n",
			 r->name);
}

/*
 * The proof that SMC-D carried a run's bytes: every end of every
 * connection in mode SMC-D without a fallback reason, with a DMB and the
 * GIDs of ISM functions, the two ends each other's peers (@diag_ok); and
 * at the device, the ISM functions moved at least the payload and had no
 * move dropped, which the counters decide alone, and where the diag
 * holds, the functions that it names moved it (@dev_ok). Returns whether
 * all of that holds; says why not in @why.
 */
static bool smcd_proved(const struct run *r, char *why, size_t len,
			bool *diag_ok, bool *dev_ok)
{
	uint64_t moves = 0, bytes = 0, dropped = 0, named_bytes = 0;
	const struct smc_diag_ent *d[2];
	bool named[SMC_MAX_ISM] = { false };
	int i, e;

	*diag_ok = r->ndiag > 0 && r->n > 0;
	*dev_ok = true;
	snprintf(why, len, "%s", r->ndiag < 0 ? strerror(-r->ndiag) :
		 r->n ? "" : "no connection");
	for (i = 0; i < r->n && *diag_ok; i++) {
		for (e = 0; e < 2; e++) {
			d[e] = smc_diag_find_ino(r->diag, r->ndiag, r->ino[i][e]);
			if (!d[e]) {
				snprintf(why, len, "connection %d: the %s's end is not an AF_SMC socket in the diag",
					 i, e ? "server" : "client");
				*diag_ok = false;
			} else if (d[e]->mode != SMC_DIAG_MODE_SMCD ||
				   d[e]->reason) {
				snprintf(why, len, "connection %d: the %s's end is in mode %s, fallback reason 0x%08x",
					 i, e ? "server" : "client",
					 smc_mode_name(d[e]->mode), d[e]->reason);
				*diag_ok = false;
			} else if (!d[e]->has_dmb ||
				   fid_of_gid(d[e]->dmb.my_gid) < 0 ||
				   fid_of_gid(d[e]->dmb.peer_gid) < 0) {
				snprintf(why, len, "connection %d: the %s's end has no DMB of an ISM function of the bench",
					 i, e ? "server" : "client");
				*diag_ok = false;
			}
			if (!*diag_ok)
				break;
			named[smc_ism_by_gid(ism, nism, d[e]->dmb.my_gid)] = true;
		}
		if (*diag_ok && (d[0]->dmb.my_gid != d[1]->dmb.peer_gid ||
				 d[1]->dmb.my_gid != d[0]->dmb.peer_gid)) {
			snprintf(why, len, "connection %d: the ends are not each other's peers",
				 i);
			*diag_ok = false;
		}
	}
	/*
	 * The device on its own: all functions together moved at least the
	 * payload and dropped nothing. Where the diag holds, the functions
	 * that it names must have moved it: the two agree.
	 */
	if (!devcnt)
		return *diag_ok;
	for (i = 0; i < nism; i++) {
		dropped += r->after[i].dropped - r->before[i].dropped;
		moves += r->after[i].moves - r->before[i].moves;
		bytes += r->after[i].bytes - r->before[i].bytes;
		if (named[i])
			named_bytes += r->after[i].bytes - r->before[i].bytes;
	}
	if (bytes < r->payload || dropped) {
		snprintf(why + strlen(why), len - strlen(why),
			 "%sthe functions moved %llu bytes in %llu moves (%llu dropped) for a payload of %llu bytes",
			 *why ? "; " : "",
			 (unsigned long long)bytes, (unsigned long long)moves,
			 (unsigned long long)dropped,
			 (unsigned long long)r->payload);
		*dev_ok = false;
	} else if (*diag_ok && named_bytes < r->payload) {
		snprintf(why, len, "the functions that the diag names moved %llu bytes for a payload of %llu bytes",
			 (unsigned long long)named_bytes,
			 (unsigned long long)r->payload);
		*dev_ok = false;
	}
	return *diag_ok && *dev_ok;
}

/* Comments: each connection's ends as the diag shows them */
static void show_diag(const struct run *r)
{
	const struct smc_diag_ent *d;
	int i, e;

	for (i = 0; i < r->n; i++) {
		for (e = 0; e < 2; e++) {
			d = r->ndiag > 0 ? smc_diag_find_ino(r->diag, r->ndiag,
							     r->ino[i][e]) : NULL;
			if (!d) {
				ksft_print_msg("%s: connection %d %s: not in the SMC diag\n",
					       r->name, i, e ? "server" : "client");
				continue;
			}
			if (d->has_dmb)
				ksft_print_msg("%s: connection %d %s: %s, reason 0x%08x, gid 0x%llx (fid %d) -> peer gid 0x%llx (fid %d), DMB token 0x%llx\n",
					       r->name, i, e ? "server" : "client",
					       smc_mode_name(d->mode), d->reason,
					       (unsigned long long)d->dmb.my_gid,
					       fid_of_gid(d->dmb.my_gid),
					       (unsigned long long)d->dmb.peer_gid,
					       fid_of_gid(d->dmb.peer_gid),
					       (unsigned long long)d->dmb.token);
			else
				ksft_print_msg("%s: connection %d %s: %s, reason 0x%08x, peer's 0x%08x\n",
					       r->name, i, e ? "server" : "client",
					       smc_mode_name(d->mode), d->reason,
					       d->peer_diag);
		}
	}
}

static void show_counters(const struct run *r)
{
	int i;

	for (i = 0; devcnt && i < nism; i++)
		ksft_print_msg("%s: fid %u: moves +%llu, move-bytes +%llu, dropped +%llu, events +%llu\n",
			       r->name, ism[i].f.fid,
			       (unsigned long long)(r->after[i].moves - r->before[i].moves),
			       (unsigned long long)(r->after[i].bytes - r->before[i].bytes),
			       (unsigned long long)(r->after[i].dropped - r->before[i].dropped),
			       (unsigned long long)(r->after[i].events - r->before[i].events));
	ksft_print_msg("%s: payload %llu bytes\n", r->name,
		       (unsigned long long)r->payload);
}

/*
 * The fallback: every AF_SMC end in mode fallback with reason @reason
 * (the client's; the server's, if AF_SMC, with any reason), and no move
 * at all on the device.
 */
static void report_fallback(const struct run *r, uint32_t reason)
{
	uint64_t moves = 0, bytes = 0;
	const struct smc_diag_ent *d;
	bool ok = r->ndiag >= 0 && r->n > 0;
	int i, e;

	for (i = 0; i < r->n && ok; i++) {
		for (e = 0; e < 2 && ok; e++) {
			d = smc_diag_find_ino(r->diag, r->ndiag, r->ino[i][e]);
			if (!d && e == 1 && r->family == AF_INET)
				continue;	/* the TCP server's end */
			ok = d && d->mode == SMC_DIAG_MODE_FALLBACK_TCP &&
			     (e ? d->reason != 0 : d->reason == reason);
		}
	}
	ksft_test_result(ok, "%s: diag: every AF_SMC end fell back to TCP, the client with reason 0x%08x\n",
			 r->name, reason);
	if (!devcnt) {
		ksft_test_result_skip("%s: device: no move (the host reads the device)\n",
				      r->name);
		return;
	}
	for (i = 0; i < nism; i++) {
		moves += r->after[i].moves - r->before[i].moves +
			 r->after[i].dropped - r->before[i].dropped;
		bytes += r->after[i].bytes - r->before[i].bytes;
	}
	ksft_test_result(!moves && !bytes,
			 "%s: device: no move (%llu moves, %llu bytes)\n",
			 r->name, (unsigned long long)moves,
			 (unsigned long long)bytes);
}

/* Run the connections of @r, report their data and show what was seen */
static void run_and_show(struct run *r, const char *name, int family)
{
	int ret;

	r->name = name;
	r->family = family;
	ret = run_conns(r);
	if (ret)
		ksft_print_msg("%s: %s\n", name, strerror(-ret));
	report_data(r);
	show_diag(r);
	show_counters(r);
}

static void free_run(struct run *r)
{
	int i;

	for (i = 0; i < r->n; i++)
		smc_xfer_free(&r->x[i]);
}

static void run_smcd(const char *name)
{
	static struct run r;
	bool diag_ok, dev_ok;
	char why[256];

	run_and_show(&r, name, AF_SMC);
	smcd_proved(&r, why, sizeof(why), &diag_ok, &dev_ok);
	if (r.ndiag < 0)
		ksft_print_msg("%s: SMC diag: %s%s\n", name, strerror(-r.ndiag),
			       r.ndiag == -ENOENT ? " (no CONFIG_SMC_DIAG?)" : "");
	if (!diag_ok || !dev_ok)
		ksft_print_msg("%s: %s\n", name, why);
	ksft_test_result(diag_ok, "%s: diag: every end in SMC-D mode, no fallback reason, GIDs of ISM functions\n",
			 name);
	if (devcnt)
		ksft_test_result(dev_ok, "%s: device: the ISM functions moved at least the payload, no move dropped, the ones the diag names\n",
				 name);
	else
		ksft_test_result_skip("%s: device: the host reads the device\n",
				      name);
	free_run(&r);
}

static void run_fallback(const char *name, int family, uint32_t reason)
{
	static struct run r;
	bool diag_ok, dev_ok, proved;
	char why[256];

	run_and_show(&r, name, family);
	report_fallback(&r, reason);
	proved = smcd_proved(&r, why, sizeof(why), &diag_ok, &dev_ok);
	ksft_test_result(!proved && !diag_ok && (!dev_ok || !devcnt),
			 "%s: the SMC-D check rejects this run, on the diag%s (%s)\n",
			 name, devcnt ? " and on the device" : "", why);
	free_run(&r);
}

/*
 * SMC-D streams until the host takes their function away: see the top of
 * this file. The host learns which function carries them from its move
 * counters, once the line "streaming" is out.
 */
static void run_unplug(void)
{
	struct smc_diag_ent diag[MAX_DIAG];
	struct smc_stream c[NSTREAM];
	int lfd, i, e, n = 0, ndiag, smcd = 0, broken = 0, bad = 0, left;
	uint16_t port;
	int fd[2] = { -1, -1 };

	lfd = smc_listen(AF_SMC, &port);
	if (lfd < 0)
		ksft_exit_fail_msg("listen: %s\n", strerror(-lfd));
	for (i = 0; i < NSTREAM; i++) {
		if (smc_connect_pair(lfd, port, fd, SETUP_TIMEOUT_MS))
			break;
		memset(&c[i], 0, sizeof(c[i]));
		c[i].fd[0] = fd[0];
		c[i].fd[1] = fd[1];
		n++;
	}
	close(lfd);
	ksft_test_result(n == NSTREAM, "unplug: %d of %d streams established\n",
			 n, NSTREAM);
	ndiag = smc_diag_dump(diag, MAX_DIAG);
	for (i = 0; i < n; i++)
		for (e = 0; e < 2; e++)
			smcd += smcd_end(diag, ndiag, c[i].fd[e], true);
	ksft_test_result(n && smcd == 2 * n, "unplug: diag: %d of %d ends in SMC-D mode on ISM functions\n",
			 smcd, 2 * n);
	ksft_print_msg("streaming\n");
	fflush(stdout);
	left = smc_stream_run(c, n, UNPLUG_TIMEOUT_MS);
	for (i = 0; i < n; i++) {
		ksft_print_msg("unplug: stream %d: %llu bytes up, %llu down arrived, %s%s\n",
			       i, (unsigned long long)c[i].rcvd[1],
			       (unsigned long long)c[i].rcvd[0],
			       c[i].err ? "broke: " : "still open",
			       c[i].err ? strerror(-c[i].err) : "");
		broken += c[i].err != 0;
		bad += c[i].bad[0] || c[i].bad[1];
		smc_stream_close(&c[i]);
	}
	ksft_test_result(n && !left && broken == n, "unplug: each of the %d streams broke once its function went, and was closed\n",
			 n);
	ksft_test_result(!bad, "unplug: every byte that arrived is the stream's (%d streams with a wrong byte)\n",
			 bad);
	/* A function left carries SMC-D as before */
	for (i = 0, left = 0; i < nism; i++)
		left += smc_ism_bound(&ism[i]);
	if (left)
		run_smcd("after-unplug");
	else
		ksft_test_result_skip("after-unplug: no ISM function left for SMC-D\n");
}

/* A bench knob: @name from the environment, @def unless in 1..@max */
static int bench_knob(const char *name, int def, int max)
{
	const char *v = getenv(name);
	int n = v && *v ? atoi(v) : def;

	return n > 0 && n <= max ? n : def;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static const char *fam_name(int family)
{
	return family == AF_SMC ? "smc" : "tcp";
}

/*
 * Whether every end of the @n connections @fd is in SMC-D mode, for
 * AF_SMC; says how many are not.
 */
static bool bench_smcd(int family, int fd[][2], int n, const char *what)
{
	static struct smc_diag_ent diag[MAX_DIAG];
	int ndiag, i, e, smcd = 0;

	if (family != AF_SMC)
		return true;
	ndiag = smc_diag_dump(diag, MAX_DIAG);
	for (i = 0; i < n; i++)
		for (e = 0; e < 2; e++)
			smcd += smcd_end(diag, ndiag, fd[i][e], false);
	if (smcd != 2 * n)
		ksft_print_msg("%s: %d of %d ends in SMC-D mode (diag: %s)\n",
			       what, smcd, 2 * n,
			       ndiag < 0 ? strerror(-ndiag) : "read");
	return smcd == 2 * n;
}

/* One round of connection setup: @n connections of @family, timed */
static void bench_setup(int family, int round, int n)
{
	uint64_t us[BENCH_MAX_CONNS], first, t;
	int fd[BENCH_MAX_CONNS][2], lfd, i, k = 0, ret = 0;
	char what[64];
	bool smcd;
	uint16_t port;

	snprintf(what, sizeof(what), "setup %s round %d", fam_name(family),
		 round);
	lfd = smc_listen(family, &port);
	if (lfd < 0) {
		ksft_test_result_fail("%s: listen: %s\n", what, strerror(-lfd));
		return;
	}
	for (; k < n; k++) {
		t = zpci_now_us();
		ret = smc_connect_pair_as(family, lfd, port, fd[k],
					  SETUP_TIMEOUT_MS);
		if (ret)
			break;
		us[k] = zpci_now_us() - t;
	}
	close(lfd);
	smcd = bench_smcd(family, fd, k, what);
	for (i = 0; i < k; i++) {
		close(fd[i][0]);
		close(fd[i][1]);
	}
	/* Numbers only from a round that did all it should, in SMC-D */
	if (k == n && smcd) {
		first = us[0];
		qsort(us, k, sizeof(us[0]), cmp_u64);
		printf("smc-bench phase=setup family=%s round=%d conns=%d first_us=%llu p50_us=%llu max_us=%llu\n",
		       fam_name(family), round, k, (unsigned long long)first,
		       (unsigned long long)us[k / 2],
		       (unsigned long long)us[k - 1]);
	}
	ksft_test_result(k == n && smcd, "%s: %d of %d connections%s%s\n",
			 what, k, n, ret ? ", then " : "",
			 ret ? strerror(-ret) : "");
}

/* One round of throughput: @bytes one way on one connection of @family */
static void bench_xfer(int family, int round, size_t bytes)
{
	static struct smc_xfer x;
	int fd[1][2], lfd, end;
	bool smcd, exact;
	char what[64];
	uint16_t port;
	uint64_t t;
	size_t off;

	snprintf(what, sizeof(what), "xfer %s round %d", fam_name(family),
		 round);
	lfd = smc_listen(family, &port);
	if (lfd < 0 || smc_connect_pair_as(family, lfd, port, fd[0],
					   SETUP_TIMEOUT_MS)) {
		ksft_test_result_fail("%s: no connection\n", what);
		if (lfd >= 0)
			close(lfd);
		return;
	}
	close(lfd);
	if (smc_xfer_init(&x, fd[0], bytes, 0, round)) {
		ksft_test_result_fail("%s: no memory\n", what);
		smc_xfer_free(&x);
		close(fd[0][0]);
		close(fd[0][1]);
		return;
	}
	t = zpci_now_us();
	smc_xfer_run(&x, 1, XFER_TIMEOUT_MS);
	t = zpci_now_us() - t;
	smcd = bench_smcd(family, fd, 1, what);
	exact = smc_xfer_done(&x) && smc_xfer_exact(&x, &off, &end) &&
		!x.err[0] && !x.err[1];
	close(fd[0][0]);
	close(fd[0][1]);
	smc_xfer_free(&x);
	if (exact && smcd)
		printf("smc-bench phase=xfer family=%s round=%d bytes=%zu us=%llu\n",
		       fam_name(family), round, bytes, (unsigned long long)t);
	ksft_test_result(exact && smcd, "%s: %zu bytes, byte-exact\n", what,
			 bytes);
}

/* SMC_TEST_BENCH: see the top of this file */
static void run_bench(const char *phase)
{
	int rounds = bench_knob("SMC_BENCH_ROUNDS", 3, 100), r, k;
	int conns = bench_knob("SMC_BENCH_CONNS", 16, BENCH_MAX_CONNS);
	size_t bytes = bench_knob("SMC_BENCH_MIB", 4, 32) * MIB;
	int order[2];

	if (strcmp(phase, "setup") && strcmp(phase, "xfer"))
		ksft_exit_fail_msg("SMC_TEST_BENCH=%s: setup or xfer\n", phase);
	for (r = 1; r <= rounds; r++) {
		/* Which family goes first alternates */
		order[0] = r & 1 ? AF_SMC : AF_INET;
		order[1] = r & 1 ? AF_INET : AF_SMC;
		for (k = 0; k < 2; k++) {
			if (!strcmp(phase, "setup"))
				bench_setup(order[k], r, conns);
			else
				bench_xfer(order[k], r, bytes);
			fflush(stdout);
		}
	}
}

int main(void)
{
	int i, ret, bound;

	ksft_print_header();
	nism = smc_test_setup(&qmp, ism, 1, true);
	devcnt = qmp >= 0;
	if (getenv("SMC_TEST_BENCH")) {
		run_bench(getenv("SMC_TEST_BENCH"));
		goto out;
	}
	ret = smc_ism_learn_gids(ism, nism, NULL, SETUP_TIMEOUT_MS);
	for (i = 0; i < nism; i++)
		ksft_print_msg("fid %u: %s, gid 0x%llx\n", ism[i].f.fid,
			       ism[i].f.name, (unsigned long long)ism[i].gid);
	ksft_test_result(!ret, "the GIDs of all %d ISM functions, each from an SMC-D connection on it alone (%s)\n",
			 nism, strerror(-ret));
	if (ret)
		ksft_exit_fail_msg("cannot go on without them\n");

	if (getenv("SMC_TEST_UNPLUG")) {
		run_unplug();
		goto out;
	}
	run_smcd("smcd");

	/* The negative controls: SMC must fall back, and the proof fail */
	run_fallback("tcp-server", AF_INET, SMC_CLC_DECL_PEERNOSMC);
	for (i = 0, bound = 0; i < nism; i++)
		bound += !smc_ism_unbind(&ism[i]);
	ksft_test_result(bound == nism, "no-ism: ism unbound from all %d ISM functions\n",
			 nism);
	run_fallback("no-ism", AF_SMC, SMC_CLC_DECL_NOSMCDEV);

	/* And SMC-D once more, on the functions bound again */
	for (i = 0, bound = 0; i < nism; i++)
		bound += !smc_ism_bind(&ism[i]);
	ksft_test_result(bound == nism, "rebound: ism bound to all %d ISM functions again\n",
			 nism);
	run_smcd("rebound");

out:
	if (devcnt)
		close(qmp);
	ksft_set_plan(ksft_test_num());
	ksft_finished();
}
