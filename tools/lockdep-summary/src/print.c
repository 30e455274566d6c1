// SPDX-License-Identifier: GPL-2.0
/*
 * Output.  One block a report, "label:    value" lines, a blank line after
 * it.  Bytes that are not printable ASCII are written as \xNN, so junk in
 * the input cannot make the output invalid text.
 */
#include <stdarg.h>
#include <string.h>

#include "lds.h"

struct sbuf {
	char b[4096];
	size_t n;
};

static void sb_add(struct sbuf *sb, const char *s)
{
	size_t room = sizeof(sb->b) - 1 - sb->n, len = strlen(s);

	if (len > room)
		len = room;
	memcpy(sb->b + sb->n, s, len);
	sb->n += len;
	sb->b[sb->n] = '\0';
}

__attribute__((format(printf, 2, 3)))
static void out_line(FILE *out, const char *fmt, ...)
{
	char buf[8192];
	const unsigned char *s;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (s = (const unsigned char *)buf; *s; s++) {
		if (*s < 0x20 || *s >= 0x7f)
			fprintf(out, "\\x%02x", *s);
		else
			putc(*s, out);
	}
	putc('\n', out);
}

static const char *or_unknown(const char *s)
{
	return s[0] ? s : "?";
}

/* " (via mutex_lock_nested)" */
static void via_text(char *buf, size_t cap, const struct trace_sum *t)
{
	if (t->via[0])
		snprintf(buf, cap, " (via %s)", t->via);
	else
		buf[0] = '\0';
}

static void print_path(FILE *out, const struct trace_sum *t, bool verbose)
{
	if (verbose && t->path[0])
		out_line(out, "          from: %s", t->path);
}

static void print_scenario(FILE *out, const struct report *r)
{
	struct sbuf sb = { .n = 0 };
	int i, c, prev = -1;

	if (!r->nscen)
		return;
	sb.b[0] = '\0';
	for (i = 0; i < r->nscen; i++) {
		c = r->scen_cpu[i];
		if (c < 0 && r->scen_one_cpu)
			c = 0;
		else if (c < 0 && r->kind == REP_CIRCULAR && r->nscen == 4)
			c = i == 1 || i == 2;	/* print_circular_lock_scenario */
		if (c >= 0 && c != prev)
			sb_add(&sb, c ? "CPU1: " : "CPU0: ");
		prev = c;
		sb_add(&sb, r->scen[i]);
		sb_add(&sb, " ");
	}
	if (r->deadlock)
		sb_add(&sb, "*** DEADLOCK ***");
	out_line(out, "scenario: %s", sb.b);
}

static void print_notes(FILE *out, const struct report *r)
{
	if (r->links_dropped)
		out_line(out, "note:     %d more links not shown", r->links_dropped);
	if (r->blocked_dropped)
		out_line(out, "note:     %d more blocked tasks not shown",
			 r->blocked_dropped);
	if (r->tasks_dropped || r->held_dropped)
		out_line(out, "note:     %d tasks and %d held locks not shown",
			 r->tasks_dropped, r->held_dropped);
	if (r->truncated)
		out_line(out, "note:     report truncated");
}

/* ---- circular dependency ----------------------------------------- */

static int sorted_links(const struct report *r, int *ord)
{
	int i, j, t;

	for (i = 0; i < r->nlinks; i++) {
		ord[i] = i;
		for (j = i; j > 0 &&
		     r->links[ord[j - 1]].num > r->links[ord[j]].num; j--) {
			t = ord[j];
			ord[j] = ord[j - 1];
			ord[j - 1] = t;
		}
	}
	return r->nlinks;
}

static const char *link_lock(const struct report *r, int num)
{
	int i;

	if (num < 0)
		return or_unknown(r->held_lock.name);
	for (i = 0; i < r->nlinks; i++)
		if (r->links[i].num == num)
			return r->links[i].lock;
	return num == 0 ? or_unknown(r->lock.name) : "?";
}

static void print_link(FILE *out, const struct report *r, int num,
		       const char *lock, const struct trace_sum *t,
		       bool verbose)
{
	char via[NAME_CAP + 8], label[16];

	via_text(via, sizeof(via), t);
	snprintf(label, sizeof(label), "link #%d:", num);
	out_line(out, "%-9s %s takes %s while holding %s%s", label,
		 or_unknown(t->func.sym), or_unknown(lock),
		 link_lock(r, num - 1), via);
	print_path(out, t, verbose);
}

static void print_circular(FILE *out, const struct report *r, bool verbose)
{
	int ord[MAX_LINKS], n = sorted_links(r, ord), i, expect = 0;
	bool have0 = n && r->links[ord[0]].num == 0;
	const char *start, *last;
	struct sbuf sb = { .n = 0 };
	struct trace_sum t0;

	out_line(out, "task:     %s", or_unknown(r->task));

	start = r->held_lock.name[0] ? r->held_lock.name :
		n ? r->links[ord[n - 1]].lock : "?";
	sb.b[0] = '\0';
	sb_add(&sb, start);
	last = start;
	if (!have0 && r->lock.name[0]) {
		sb_add(&sb, " -> ");
		sb_add(&sb, r->lock.name);
		last = r->lock.name;
		expect = 1;
	}
	for (i = 0; i < n; i++) {
		const struct link *lk = &r->links[ord[i]];

		if (lk->num != expect)
			sb_add(&sb, " -> ...");
		sb_add(&sb, " -> ");
		sb_add(&sb, or_unknown(lk->lock));
		last = lk->lock;
		expect = lk->num + 1;
	}
	if (strcmp(last, start)) {
		sb_add(&sb, " -> ... -> ");
		sb_add(&sb, start);
	}
	out_line(out, "cycle:    %s", sb.b);

	if (!have0 && r->lock.name[0]) {
		/* no "-> #0": the current stack is where the new lock is taken */
		t0 = r->stack;
		if (!t0.func.sym[0])
			t0.func = r->lock.at;
		print_link(out, r, 0, r->lock.name, &t0, verbose);
	}
	for (i = 0; i < n; i++)
		print_link(out, r, r->links[ord[i]].num, r->links[ord[i]].lock,
			   &r->links[ord[i]].trace, verbose);
	print_scenario(out, r);
}

/* ---- other lockdep reports --------------------------------------- */

static void print_lockdep(FILE *out, const struct report *r, bool verbose)
{
	const struct lockref *held = r->nheld ? &r->held[0] : NULL;
	char via[NAME_CAP + 8] = "";
	const char *func = "?";
	int i;

	out_line(out, "task:     %s", or_unknown(r->task));
	if (r->lock.name[0])
		out_line(out, "lock:     %s", r->lock.name);
	else if (held)
		out_line(out, "lock:     %s (held, taken in %s)", held->name,
			 or_unknown(held->at.sym));
	else
		out_line(out, "lock:     -");

	if (r->lock.at.sym[0] && frame_kind(r->lock.at.sym) == FRAME_CODE) {
		func = r->lock.at.sym;
	} else if (r->stack.func.sym[0]) {
		func = r->stack.func.sym;
		via_text(via, sizeof(via), &r->stack);
	} else if (r->lock.at.sym[0]) {
		func = r->lock.at.sym;
	}
	out_line(out, "function: %s%s", func, via);
	if (!strcmp(func, r->stack.func.sym))
		print_path(out, &r->stack, verbose);
	if (r->reg.func.sym[0]) {
		via_text(via, sizeof(via), &r->reg);
		out_line(out, "earlier:  %s in %s%s", or_unknown(r->reg_what),
			 r->reg.func.sym, via);
		print_path(out, &r->reg, verbose);
	}
	if (r->held_lock.name[0])
		out_line(out, "holding:  %s (taken in %s)", r->held_lock.name,
			 or_unknown(r->held_lock.at.sym));
	if (r->extra[0])
		out_line(out, "detail:   %s", r->extra);
	for (i = 0; i < r->ndetail; i++)
		out_line(out, "detail:   %s", r->detail[i]);
	print_scenario(out, r);
}

/* ---- hung tasks -------------------------------------------------- */

static bool same_lock(const struct lockref *a, const struct lockref *b,
		      bool *by_addr)
{
	*by_addr = a->addr[0] && b->addr[0];
	if (*by_addr)
		return !strcmp(a->addr, b->addr);
	return !strcmp(a->name, b->name);
}

static int task_of(const struct report *r, long pid)
{
	int i;

	for (i = r->ntasks - 1; i >= 0; i--)
		if (r->tasks[i].pid == pid)
			return i;
	return -1;
}

/*
 * The lock a blocked task waits for: lockdep lists a lock as held from
 * the moment the task asks for it, at the place it asked.  So it is the
 * task's held lock taken at the first meaningful frame of its stack.
 */
static int waited_entry(const struct report *r, const struct blocked *b)
{
	int ti = b->own_held >= 0 ? b->own_held : task_of(r, b->pid);
	const struct held_task *t;
	int i, by_name = -1;

	if (ti < 0 || !b->trace.has_lock || !b->trace.func.sym[0])
		return -1;
	t = &r->tasks[ti];
	for (i = t->first + t->nheld - 1; i >= t->first; i--) {
		if (!strcmp(r->held[i].at.at, b->trace.func.at))
			return i;
		if (by_name < 0 && !strcmp(r->held[i].at.sym, b->trace.func.sym))
			by_name = i;
	}
	return by_name;
}

static bool is_blocked(const struct report *r, long pid)
{
	int i;

	for (i = 0; i < r->nblocked; i++)
		if (r->blocked[i].pid == pid)
			return true;
	return false;
}

static bool entry_of_task(const struct report *r, int ti, int e)
{
	return ti >= 0 && e >= r->tasks[ti].first &&
	       e < r->tasks[ti].first + r->tasks[ti].nheld;
}

static void print_holders(FILE *out, const struct report *r,
			  const struct blocked *b, int w)
{
	struct sbuf sb = { .n = 0 };
	char one[2 * NAME_CAP + 32];
	bool by_addr;
	int ti, e, found = 0;

	sb.b[0] = '\0';
	for (ti = 0; w >= 0 && ti < r->ntasks; ti++) {
		if (r->tasks[ti].pid == b->pid)
			continue;
		for (e = r->tasks[ti].first;
		     e < r->tasks[ti].first + r->tasks[ti].nheld; e++) {
			if (!same_lock(&r->held[e], &r->held[w], &by_addr))
				continue;
			snprintf(one, sizeof(one), "%s%s (taken in %s%s)",
				 found ? ", " : "", r->tasks[ti].task,
				 or_unknown(r->held[e].at.sym),
				 by_addr ? "" : ", same lock class");
			sb_add(&sb, one);
			found++;
		}
	}
	if (found)
		out_line(out, "held by:  %s", sb.b);
	else if (b->owner[0])
		out_line(out, "held by:  %s (likely owner of the %s)", b->owner,
			 or_unknown(b->owner_kind));
	else if (w >= 0)
		out_line(out, "held by:  no other task in the lock dump");
}

static void print_blocked(FILE *out, const struct report *r,
			  const struct blocked *b, int w, bool verbose)
{
	const struct trace_sum *t = &b->trace;
	char via[NAME_CAP + 8];

	if (b->secs[0])
		out_line(out, "task:     %s, blocked for more than %s seconds",
			 b->task, b->secs);
	else
		out_line(out, "task:     %s, blocked (no \"INFO: task\" line)",
			 b->task);
	via_text(via, sizeof(via), t);
	if (w >= 0)
		out_line(out, "waits on: %s in %s%s", r->held[w].name,
			 t->func.sym, via);
	else if (t->has_lock)
		out_line(out, "waits on: a %s in %s%s",
			 b->owner_kind[0] ? b->owner_kind : "lock not in the lock dump",
			 or_unknown(t->func.sym), via);
	else if (t->nframes)
		out_line(out, "waits in: %s%s", or_unknown(t->func.sym), via);
	else
		out_line(out, "waits in: ? (no call trace)");
	print_path(out, t, verbose);
	print_holders(out, r, b, w);
}

static void print_entry(FILE *out, const struct report *r, int ti, int e,
			const int *waited)
{
	struct sbuf sb = { .n = 0 };
	char one[NAME_CAP + 64];
	bool by_addr;
	int i, bt;

	sb.b[0] = '\0';
	for (i = 0; i < r->nblocked; i++) {
		if (waited[i] < 0)
			continue;
		bt = r->blocked[i].own_held >= 0 ? r->blocked[i].own_held :
			task_of(r, r->blocked[i].pid);
		if (e == waited[i]) {
			sb_add(&sb, "  <== waiting for it");
		} else if (!entry_of_task(r, bt, e) &&
			   same_lock(&r->held[e], &r->held[waited[i]], &by_addr)) {
			snprintf(one, sizeof(one), "  <== %s %s",
				 by_addr ? "wanted by" : "same class as wanted by",
				 r->blocked[i].task);
			sb_add(&sb, one);
		}
	}
	out_line(out, "    #%d %s at %s%s", e - r->tasks[ti].first,
		 r->held[e].name, or_unknown(r->held[e].at.sym), sb.b);
}

static void print_hung(FILE *out, const struct report *r, bool verbose)
{
	int waited[MAX_BLOCKED], i, e;
	const struct held_task *t;
	char counts[64];

	if (!r->nblocked)
		out_line(out, "task:     none named (lock dump only)");
	for (i = 0; i < r->nblocked; i++) {
		waited[i] = waited_entry(r, &r->blocked[i]);
		print_blocked(out, r, &r->blocked[i], waited[i], verbose);
	}
	if (!r->ntasks)
		return;
	out_line(out, "locks held:");
	for (i = 0; i < r->ntasks; i++) {
		t = &r->tasks[i];
		counts[0] = '\0';
		if (t->announced != t->nheld)
			snprintf(counts, sizeof(counts),
				 " (%d announced, %d listed)", t->announced,
				 t->nheld);
		out_line(out, "  %s%s:%s", t->task,
			 is_blocked(r, t->pid) ? " [blocked]" : "", counts);
		for (e = t->first; e < t->first + t->nheld; e++)
			print_entry(out, r, i, e, waited);
	}
}

void print_report(FILE *out, const struct report *r, bool verbose)
{
	out_line(out, "== %s (line %lu) ==", r->title, r->lineno);
	switch (r->kind) {
	case REP_CIRCULAR:
		print_circular(out, r, verbose);
		break;
	case REP_LOCKDEP:
		print_lockdep(out, r, verbose);
		break;
	case REP_HUNG:
		print_hung(out, r, verbose);
		break;
	case REP_NONE:
		break;
	}
	print_notes(out, r);
	putc('\n', out);
}
