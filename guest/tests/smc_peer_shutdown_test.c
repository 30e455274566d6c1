// SPDX-License-Identifier: GPL-2.0
/*
 * Does one SMC-D peer's shutdown end the link groups of other peers?
 *
 * Before the fix in patches/ism-client, smc_smcd_terminate()
 * (net/smc/smc_core.c, 6.12, and 7.3 has the same code) picks the link
 * groups of a device that a peer's SHUTDOWN event ends with
 *
 *	(!peer_gid->gid ||
 *	 (lgr->peer_gid.gid == peer_gid->gid &&
 *	  !smc_ism_is_emulated(dev) ? 1 :
 *	  lgr->peer_gid.gid_ext == peer_gid->gid_ext)) && vlan matches
 *
 * which C reads as (gid equal && !emulated) ? 1 : gid_ext equal. On a real
 * ISM device every gid_ext is 0, so the event of one peer would match the
 * link groups of every peer on that VLAN.
 *
 * Three ISM functions X, Y and Z on one CHID (fids 1, 2 and 3): a
 * connection from X to Y and one from Z to Y, both over lo. SMC picks the
 * server's device as the first of its list that reaches the client's
 * GID, and the client's as the first that has no PNETID or one that a
 * net device has; so Y is bound last (the head of the list), and PNETIDs
 * that no net device has (the SMC_PNETID netlink family) keep Y and Z,
 * then Y and X, out of the client's choice. The diag shows which function
 * each end took, by the GIDs learned first (smc_ism_learn_gids(), which
 * also binds Y last). Then X's ism driver is unbound: X's link group
 * ends and X signals SHUTDOWN to Y (smc_ism_signal_shutdown(), the
 * model's SIGNAL_IEQ). The unbinding waits until the X end is closed,
 * so it runs in a thread of its own while the test closes that end once
 * it is broken, as an application would.
 *
 * The Z->Y connection must still carry data both ways afterwards. If Y
 * aborted its end instead (ECONNABORTED) right after the event from X and
 * Z's end stayed open (Y set peer_shutdown, so it told Z nothing, and once
 * Y's end is closed and its DMB gone, the device drops Z's moves), that
 * is the bug that patches/ism-client fixes ("net/smc: fix the peer GID
 * match in smc_smcd_terminate()"): the test fails with that evidence, as
 * the reproducer without the fix (repro-smc) expects. Any other way for
 * the connection to end fails too.
 *
 * Run it last: the Z end stays open in the kernel after its peer is gone.
 * Needs the ism-client kernel, three ISM functions with one CHID and the
 * qmp-relay port; skips without them. Prints TAP.
 */
#include <pthread.h>

#include "kselftest.h"
#include "smc_lib.h"

#define PING		(64 * 1024)
#define PROBE		(16 * 1024)
#define SETUP_TIMEOUT_MS 30000
#define XFER_TIMEOUT_MS	60000
#define PROBE_TIMEOUT_MS 10000
#define UNBIND_TIMEOUT_MS 30000
#define EVENT_TIMEOUT_MS 10000
#define SETTLE_MS	3000
#define MAX_DIAG	128

/* PNETIDs that no net device has: a client does not propose these */
#define PNET_X		"SMCTESTX"
#define PNET_Y		"SMCTESTY"
#define PNET_Z		"SMCTESTZ"

enum { X, Y, Z };
static const char * const fname[] = { "X", "Y", "Z" };

static int qmp = -1;
static struct smc_ism ism[SMC_MAX_ISM];
static int nism;

struct unbind_job {
	const struct smc_ism *ism;
	int ret;
	int done;
};

static void *unbind_thread(void *arg)
{
	struct unbind_job *j = arg;

	j->ret = smc_ism_unbind(j->ism);
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void close_all(int fd[2])
{
	int e;

	for (e = 0; e < 2; e++) {
		if (fd[e] >= 0)
			close(fd[e]);
		fd[e] = -1;
	}
}

/* The function (X, Y, Z) of @gid, or -1 */
static int func_of(uint64_t gid)
{
	return smc_ism_by_gid(ism, 3, gid);
}

/*
 * Whether the connection @fd runs from function @from to function @to,
 * as the diag says of both ends.
 */
static bool conn_runs(const char *name, const int fd[2], int from, int to)
{
	struct smc_diag_ent diag[MAX_DIAG];
	const struct smc_diag_ent *d[2];
	int n, e;

	n = smc_diag_dump(diag, MAX_DIAG);
	if (n < 0) {
		ksft_print_msg("%s: SMC diag: %s\n", name, strerror(-n));
		return false;
	}
	for (e = 0; e < 2; e++) {
		d[e] = smc_diag_find(diag, n, fd[e]);
		if (!d[e] || !d[e]->has_dmb) {
			ksft_print_msg("%s: the %s's end: %s\n", name,
				       e ? "server" : "client",
				       d[e] ? smc_mode_name(d[e]->mode) :
				       "not in the diag");
			return false;
		}
		ksft_print_msg("%s: %s: %s, gid 0x%llx (%s) -> peer 0x%llx (%s)\n",
			       name, e ? "server" : "client",
			       smc_mode_name(d[e]->mode),
			       (unsigned long long)d[e]->dmb.my_gid,
			       func_of(d[e]->dmb.my_gid) < 0 ? "?" :
			       fname[func_of(d[e]->dmb.my_gid)],
			       (unsigned long long)d[e]->dmb.peer_gid,
			       func_of(d[e]->dmb.peer_gid) < 0 ? "?" :
			       fname[func_of(d[e]->dmb.peer_gid)]);
	}
	return d[0]->mode == SMC_DIAG_MODE_SMCD &&
	       d[1]->mode == SMC_DIAG_MODE_SMCD &&
	       func_of(d[0]->dmb.my_gid) == from &&
	       func_of(d[0]->dmb.peer_gid) == to &&
	       func_of(d[1]->dmb.my_gid) == to &&
	       func_of(d[1]->dmb.peer_gid) == from;
}

/* Move @len bytes each way on the connection @fd; whether they arrived */
static bool exchange(const int fd[2], size_t len, int timeout_ms,
		     uint64_t seed)
{
	struct smc_xfer x;
	size_t off;
	int end;
	bool ok;

	if (smc_xfer_init(&x, fd, len, len, seed)) {
		smc_xfer_free(&x);
		return false;
	}
	ok = !smc_xfer_run(&x, 1, timeout_ms) && !x.err[0] && !x.err[1] &&
	     smc_xfer_exact(&x, &off, &end);
	smc_xfer_free(&x);
	return ok;
}

/*
 * Send @len bytes on @fd, within @timeout_ms, and give the device a moment
 * to take the moves. Returns the bytes sent.
 */
static size_t send_probe(int fd, size_t len, int timeout_ms)
{
	uint64_t end = smc_now_ms() + timeout_ms;
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	size_t sent = 0;
	uint8_t *buf;
	ssize_t r;

	buf = malloc(len);
	if (!buf)
		return 0;
	smc_fill(buf, len, 4);
	while (sent < len && smc_now_ms() < end) {
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		r = send(fd, buf + sent, len - sent, MSG_NOSIGNAL);
		if (r > 0)
			sent += r;
		else if (r < 0 && errno != EAGAIN && errno != EINTR)
			break;
	}
	free(buf);
	smc_sleep_ms(1000);
	return sent;
}

int main(void)
{
	struct smc_ism_cnt before[3], after[3];
	int xy[2] = { -1, -1 }, zy[2] = { -1, -1 };
	static const int order[] = { X, Z, Y };
	struct unbind_job job = { 0 };
	bool xy_ok, zy_ok, alive, broken_y, broken_z;
	uint64_t chid[3], end, events, dropped;
	int lfd, ret, i, why, why_y, why_z, f;
	uint16_t port;
	pthread_t t;

	ksft_print_header();
	nism = smc_test_setup(&qmp, ism, 3, false);
	for (i = 0; i < 3; i++) {
		ret = zpci_qmp_qom_get_u64_at(qmp, ism[i].qom, "chid",
					      &chid[i]);
		if (ret)
			ksft_exit_fail_msg("chid of fid %u: %s\n", ism[i].f.fid,
					   strerror(-ret));
		ksft_print_msg("%s: fid %u, %s, chid 0x%llx\n",
			       fname[i], ism[i].f.fid, ism[i].f.name,
			       (unsigned long long)chid[i]);
	}
	/* The bench gives them all the model's default CHID */
	if (chid[X] != chid[Y] || chid[Z] != chid[Y])
		ksft_exit_fail_msg("the first three ISM functions are not on one CHID\n");

	/*
	 * A fresh start, no link group left from earlier tests, each
	 * function's GID, and Y at the head of SMC's device list.
	 */
	ret = smc_ism_learn_gids(ism, 3, order, SETUP_TIMEOUT_MS);
	for (i = 0; i < 3; i++)
		ksft_print_msg("%s: gid 0x%llx\n", fname[i],
			       (unsigned long long)ism[i].gid);
	ksft_test_result(!ret, "ism bound again to X, Z and then Y, their GIDs from SMC-D (%s)\n",
			 strerror(-ret));
	if (ret)
		ksft_exit_fail_msg("cannot go on without the three functions\n");

	lfd = smc_listen(AF_SMC, &port);
	if (lfd < 0)
		ksft_exit_fail_msg("listen: %s\n", strerror(-lfd));

	/* X -> Y: neither Y nor Z for the client */
	ret = smc_pnet(PNET_Y, ism[Y].f.name) ?: smc_pnet(PNET_Z, ism[Z].f.name);
	if (ret)
		ksft_print_msg("PNETIDs of Y and Z: %s\n", strerror(-ret));
	ret = ret ?: smc_connect_pair(lfd, port, xy, SETUP_TIMEOUT_MS);
	xy_ok = !ret && conn_runs("X->Y", xy, X, Y);
	ksft_test_result(xy_ok, "X->Y: an SMC-D connection from X's GID to Y's\n");

	/* Z -> Y: neither Y nor X for the client */
	ret = smc_pnet(PNET_Z, NULL) ?: smc_pnet(PNET_X, ism[X].f.name);
	if (ret)
		ksft_print_msg("PNETIDs of Z and X: %s\n", strerror(-ret));
	ret = ret ?: smc_connect_pair(lfd, port, zy, SETUP_TIMEOUT_MS);
	zy_ok = !ret && conn_runs("Z->Y", zy, Z, Y);
	ksft_test_result(zy_ok, "Z->Y: an SMC-D connection from Z's GID to Y's\n");
	close(lfd);
	if (!xy_ok || !zy_ok)
		ksft_exit_fail_msg("the connections are not what the test needs\n");

	ksft_test_result(exchange(xy, PING, XFER_TIMEOUT_MS, 1) &&
			 exchange(zy, PING, XFER_TIMEOUT_MS, 2),
			 "before: both connections carry %d bytes each way, byte-exact\n",
			 PING);

	/* X goes: its link group ends, and it signals SHUTDOWN to Y */
	ret = smc_ism_counters_all(qmp, ism, 3, before);
	if (ret)
		ksft_exit_fail_msg("counters: %s\n", strerror(-ret));
	job.ism = &ism[X];
	ret = -pthread_create(&t, NULL, unbind_thread, &job);
	if (ret)
		ksft_exit_fail_msg("thread: %s\n", strerror(-ret));
	end = smc_now_ms() + UNBIND_TIMEOUT_MS;
	while (!__atomic_load_n(&job.done, __ATOMIC_ACQUIRE) &&
	       smc_now_ms() < end) {
		/* The unbinding waits for the X end to be closed */
		if (xy[0] >= 0 && smc_end_broken(xy[0], &why)) {
			ksft_print_msg("X->Y: X's end broken (%s), closing it\n",
				       strerror(why));
			close(xy[0]);
			xy[0] = -1;
		}
		smc_sleep_ms(100);
	}
	if (!__atomic_load_n(&job.done, __ATOMIC_ACQUIRE)) {
		/*
		 * The unbinding waits for these sockets: close them, or the
		 * process could not exit while its thread waits.
		 */
		close_all(xy);
		close_all(zy);
		ksft_exit_fail_msg("unbinding X did not end within %d s\n",
				   UNBIND_TIMEOUT_MS / 1000);
	}
	pthread_join(t, NULL);
	ksft_test_result(!job.ret && xy[0] < 0,
			 "X unbound from ism once its broken end was closed (%s)\n",
			 strerror(-job.ret));

	/* Y's event work runs after the interrupt: wait for it */
	end = smc_now_ms() + EVENT_TIMEOUT_MS;
	do {
		smc_sleep_ms(200);
		ret = smc_ism_counters(qmp, &ism[Y], &after[Y]);
	} while (!ret && after[Y].events == before[Y].events &&
		 smc_now_ms() < end);
	/*
	 * The event's work schedules a termination work per link group it
	 * matches: give Y's end of Z->Y the time to break, if it is to.
	 * Reading the socket's error clears it: keep the first one seen.
	 */
	end = smc_now_ms() + SETTLE_MS;
	while (!(broken_y = smc_end_broken(zy[1], &why_y)) &&
	       smc_now_ms() < end)
		smc_sleep_ms(100);
	ret = ret ?: smc_ism_counters_all(qmp, ism, 3, after);
	if (ret)
		ksft_exit_fail_msg("counters: %s\n", strerror(-ret));
	for (f = 0; f < 3; f++)
		ksft_print_msg("%s since the unbinding: commands +%llu, events +%llu, moves +%llu, moves dropped +%llu\n",
			       fname[f],
			       (unsigned long long)(after[f].commands - before[f].commands),
			       (unsigned long long)(after[f].events - before[f].events),
			       (unsigned long long)(after[f].moves - before[f].moves),
			       (unsigned long long)(after[f].dropped - before[f].dropped));
	events = after[Y].events - before[Y].events;
	ksft_test_result(events >= 1, "Y got an event (X's SHUTDOWN): events +%llu\n",
			 (unsigned long long)events);
	ksft_test_result(smc_end_broken(xy[1], &why),
			 "X->Y: Y's end broken too (%s)\n", strerror(why));

	/* Z -> Y, after the event of X */
	broken_z = smc_end_broken(zy[0], &why_z);
	ksft_print_msg("Z->Y: Z's end %s (%s), Y's end %s (%s)\n",
		       broken_z ? "broken" : "open", strerror(why_z),
		       broken_y ? "broken" : "open", strerror(why_y));
	ret = smc_ism_counters(qmp, &ism[Z], &before[Z]);
	if (!broken_y && !broken_z) {
		alive = exchange(zy, PROBE, PROBE_TIMEOUT_MS, 3);
	} else {
		/*
		 * Y's link group with Z, and with it the DMB that Z writes
		 * into, goes once Y's broken end is closed: close it, as an
		 * application would, and see what becomes of Z's data.
		 */
		alive = false;
		close(zy[1]);
		zy[1] = -1;
		if (!broken_z)
			send_probe(zy[0], PROBE, PROBE_TIMEOUT_MS);
	}
	ret = ret ?: smc_ism_counters(qmp, &ism[Z], &after[Z]);
	dropped = ret ? 0 : after[Z].dropped - before[Z].dropped;
	ksft_print_msg("Z->Y: %d bytes %s; Z's moves dropped by the device +%llu (moves +%llu)\n",
		       PROBE, alive ? "arrived each way" :
		       broken_z ? "not sent" : "sent by Z",
		       (unsigned long long)dropped,
		       (unsigned long long)(ret ? 0 : after[Z].moves - before[Z].moves));
	for (f = 0; f < 3; f++)
		ksft_print_msg("%s: %s to ism\n", fname[f],
			       smc_ism_bound(&ism[f]) ? "bound" : "not bound");
	if (alive)
		ksft_test_result_pass("Z->Y: lives on after X's SHUTDOWN event, which ended X's link group alone\n");
	else if (events >= 1 && broken_y && why_y == ECONNABORTED &&
		 !broken_z && dropped &&
		 smc_ism_bound(&ism[Y]) && smc_ism_bound(&ism[Z]))
		ksft_test_result_fail("Z->Y: ended by X's SHUTDOWN event: Y aborted its end (ECONNABORTED) without telling Z, whose moves into Y's DMB are dropped (+%llu): smc_smcd_terminate() matched Y's link group with Z (the precedence of ?: before \"net/smc: fix the peer GID match in smc_smcd_terminate()\")\n",
				      (unsigned long long)dropped);
	else
		ksft_test_result_fail("Z->Y: broken after X's unbinding, but not as the precedence bug would break it\n");

	/*
	 * Leave the PNETIDs as they were and every function bound, with no
	 * connection left: where Y never told Z, Z's closed end stays in
	 * Z's link group, waiting for Y's close. Unbinding Z ends it
	 * (smcd_unregister_dev()); left for the power-off, SMC's reboot
	 * notifier would end it under smcd_dev_list.mutex, an order of
	 * locks that lockdep reports against __smc_connect() (upstream, see
	 * docs/design.md).
	 */
	close(xy[1]);
	close(zy[0]);
	if (zy[1] >= 0)
		close(zy[1]);
	ret = smc_pnet(PNET_X, NULL) ?: smc_pnet(PNET_Y, NULL) ?:
	      smc_ism_unbind(&ism[Z]) ?: smc_ism_bind(&ism[Z]) ?:
	      smc_ism_bind(&ism[X]);
	ksft_test_result(!ret, "PNETIDs removed, Z bound again with no connection left, X bound again (%s)\n",
			 strerror(-ret));
	close(qmp);
	ksft_set_plan(ksft_test_num());
	ksft_finished();
}
