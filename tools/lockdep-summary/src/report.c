// SPDX-License-Identifier: GPL-2.0
/*
 * Report state machines.  A report opens at its header line and is printed
 * when the next one opens, when its lock dump ends, or at end of input.
 * Lines that mean nothing to the open report are skipped, so console noise
 * between the lines of a report does no harm.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lds.h"

enum state {
	ST_HEAD,	/* nothing expected in particular */
	ST_WANT_LOCK,	/* the next lock line is the report's lock */
	ST_WANT_HELD,	/* the next lock line is the lock already held */
	ST_LINK,	/* frames of "-> #N" */
	ST_SCEN,	/* "Possible unsafe locking scenario" */
	ST_HELD_LIST,	/* entries of "N locks held by" */
	ST_STACK,	/* frames of "stack backtrace:" */
	ST_REG,		/* frames of "{...} state was registered at:" */
	ST_HUNG_TRACE,	/* frames of a blocked task */
	ST_HUNG_ALL,	/* "Showing all locks held in the system" */
};

#define CAND_HELD 48	/* MAX_LOCK_DEPTH */

/*
 * A "Call Trace:" followed by "N locks held by": a blocked task whose
 * "INFO: task" line may have been cut off, as in an annotated mail.
 */
struct candidate {
	enum { CAND_NONE, CAND_TRACE, CAND_HELD_LIST, CAND_DONE } state;
	unsigned long lineno;		/* of "Call Trace:" */
	char task[NAME_CAP];
	long pid;
	int announced;
	struct trace_sum trace;
	struct lockref held[CAND_HELD];
	int nheld;
};

struct parser {
	FILE *out;
	bool verbose;
	unsigned long reports;
	struct report *r;
	struct candidate cand;
	int cur_task;		/* held_task taking entries, -1 if none */
	bool skip_entries;	/* that task was listed before */
};

struct header {
	const char *phrase;
	enum report_kind kind;
};

static const struct header headers[] = {
	{ "possible circular locking dependency detected", REP_CIRCULAR },
	{ "inconsistent lock state", REP_LOCKDEP },
	{ "bad unlock balance detected", REP_LOCKDEP },
	{ "held lock freed", REP_LOCKDEP },
	{ "suspicious RCU usage", REP_LOCKDEP },
	{ "sleeping function called from invalid context", REP_LOCKDEP },
	{ "possible recursive locking detected", REP_LOCKDEP },
	{ "possible irq lock inversion dependency detected", REP_LOCKDEP },
	{ "-unsafe lock order detected", REP_LOCKDEP },
	{ "lock held when returning to user space", REP_LOCKDEP },
	{ "lock held at task exit time", REP_LOCKDEP },
	{ "Nested lock was not taken", REP_LOCKDEP },
	{ "bad contention detected", REP_LOCKDEP },
	{ "Invalid wait context", REP_LOCKDEP },
	{ "trying to register non-static key", REP_LOCKDEP },
	{ "scheduling while atomic", REP_LOCKDEP },
	{ "workqueue leaked lock or atomic", REP_LOCKDEP },
};

/* Lines that name the task and say which lock line comes next. */
struct verb {
	const char *text;
	enum state next;
};

static const struct verb verbs[] = {
	{ " is trying to acquire lock:", ST_WANT_LOCK },
	{ " is trying to acquire:", ST_WANT_LOCK },
	{ " is trying to lock:", ST_WANT_LOCK },
	{ " is trying to release lock ", ST_HEAD },
	{ " takes:", ST_WANT_LOCK },
	{ " is freeing memory", ST_WANT_LOCK },
	{ " just changed the state of lock:", ST_WANT_LOCK },
	{ " is leaving the kernel with locks still held", ST_HEAD },
	{ " is exiting with locks still held", ST_HEAD },
};

static const char *const held_markers[] = {
	"but task is already holding lock:",
	"and this task is already holding:",
	"but this lock took another",
	"but this lock was taken by another",
	NULL
};

static const char *const detail_markers[] = {
	"inconsistent {", " usage!", "used illegally", "no more locks to release",
	"in_atomic():", "preempt_count:", "which would create a new lock",
	"context-{", "with a lock still held", "still held!", NULL
};

static void report_reset(struct report *r)
{
	memset(r, 0, offsetof(struct report, links));
}

void trace_add(struct trace_sum *t, const struct frame *f, bool verbose)
{
	size_t n;

	if (f->unreliable)
		return;
	t->nframes++;
	if (!t->func.sym[0]) {
		switch (frame_kind(f->sym)) {
		case FRAME_CODE:
		case FRAME_ENTRY:
			t->func = *f;
			return;
		case FRAME_LOCK:
			t->has_lock = true;
			break;
		case FRAME_SLEEP:
			t->has_sleep = true;
			break;
		case FRAME_NOISE:
			break;
		}
		copy_str(t->via, sizeof(t->via), f->sym, strlen(f->sym));
		return;
	}
	if (!verbose || t->path_done)
		return;
	if (frame_kind(f->sym) == FRAME_ENTRY) {
		t->path_done = true;
		return;
	}
	n = strlen(t->path);
	if (n + strlen(f->sym) + 4 < sizeof(t->path))
		snprintf(t->path + n, sizeof(t->path) - n, "%s%s",
			 n ? " < " : "", f->sym);
}

/* ---- held-lock lists, shared by every kind of report ------------- */

static void held_task_open(struct parser *p, const char *task, long pid,
			   int count)
{
	struct report *r = p->r;
	struct held_task *t;
	int i;

	for (i = 0; i < r->ntasks; i++) {
		t = &r->tasks[i];
		if (t->pid == pid && !strcmp(t->task, task)) {
			/* listed again in "Showing all locks": same locks */
			p->cur_task = i;
			p->skip_entries = t->nheld > 0;
			if (!t->nheld)
				t->first = r->nheld;
			return;
		}
	}
	p->skip_entries = false;
	if (r->ntasks == MAX_TASKS) {
		r->tasks_dropped++;
		p->cur_task = -1;
		return;
	}
	p->cur_task = r->ntasks++;
	t = &r->tasks[p->cur_task];
	memset(t, 0, sizeof(*t));
	copy_str(t->task, sizeof(t->task), task, strlen(task));
	t->pid = pid;
	t->announced = count;
	t->first = r->nheld;
}

static void held_entry_add(struct parser *p, const struct lockref *l)
{
	struct report *r = p->r;

	if (p->cur_task < 0 || p->skip_entries)
		return;
	if (r->nheld == MAX_HELD ||
	    r->tasks[p->cur_task].first + r->tasks[p->cur_task].nheld !=
	    r->nheld) {
		r->held_dropped++;
		return;
	}
	r->held[r->nheld++] = *l;
	r->tasks[p->cur_task].nheld++;
}

/* A held-lock header or entry; true if the line was one. */
static bool held_line(struct parser *p, const char *line)
{
	char task[NAME_CAP];
	struct lockref l;
	long pid;
	int count;

	if (parse_held_header(line, task, &pid, &count)) {
		held_task_open(p, task, pid, count);
		return true;
	}
	if (parse_held_entry(line, &l)) {
		held_entry_add(p, &l);
		return true;
	}
	return false;
}

/* ---- opening and closing reports --------------------------------- */

static bool report_complete(const struct report *r)
{
	int i;

	switch (r->kind) {
	case REP_CIRCULAR:
		for (i = 0; i < r->nlinks; i++)
			if (r->links[i].num == 0)
				return r->deadlock;
		return false;
	case REP_LOCKDEP:
		return r->state != ST_WANT_LOCK && r->state != ST_WANT_HELD &&
		       (r->lock.name[0] || r->stack.nframes || r->nheld ||
			r->ndetail);
	case REP_HUNG:
		for (i = 0; i < r->nblocked; i++)
			if (!r->blocked[i].trace.nframes)
				return false;
		return !r->all_locks || r->all_locks_done;
	case REP_NONE:
		break;
	}
	return true;
}

static void flush(struct parser *p)
{
	struct report *r = p->r;

	if (r->kind == REP_NONE)
		return;
	r->truncated = !report_complete(r);
	print_report(p->out, r, p->verbose);
	p->reports++;
	report_reset(r);
	p->cur_task = -1;
}

static void open_report(struct parser *p, enum report_kind kind,
			const char *title, size_t title_len, const char *extra,
			unsigned long lineno)
{
	struct report *r = p->r;
	size_t n;

	flush(p);
	r->kind = kind;
	r->state = ST_HEAD;
	r->lineno = lineno;
	copy_str(r->title, sizeof(r->title), title, title_len);
	extra += strspn(extra, " :.!");
	n = strcspn(extra, "]");
	while (n && extra[n - 1] == ' ')
		n--;
	copy_str(r->extra, sizeof(r->extra), extra, n);
}

static struct blocked *blocked_add(struct report *r, const char *task,
				   long pid)
{
	struct blocked *b;

	if (r->nblocked == MAX_BLOCKED) {
		r->blocked_dropped++;
		r->state = ST_HEAD;
		return NULL;
	}
	b = &r->blocked[r->nblocked++];
	memset(b, 0, sizeof(*b));
	copy_str(b->task, sizeof(b->task), task, strlen(task));
	b->pid = pid;
	b->own_held = -1;
	r->state = ST_HUNG_TRACE;
	return b;
}

/* "name:pid" ending at end -> "name/pid" */
static bool colon_task(const char *s, const char *end, char *task, long *pid)
{
	const char *p = end;

	while (p > s && isdigit((unsigned char)p[-1]))
		p--;
	if (p == end || p - 1 <= s || p[-1] != ':')
		return false;
	snprintf(task, NAME_CAP, "%.*s/%.*s", (int)(p - 1 - s), s,
		 (int)(end - p), p);
	*pid = strtol(p, NULL, 10);
	return true;
}

/* "INFO: task kworker/0:1:12 blocked for more than 122 seconds." */
static bool hung_header(struct parser *p, const char *line,
			unsigned long lineno)
{
	const char *s = strstr(line, "INFO: task "), *e, *n;
	struct report *r = p->r;
	struct blocked *b;
	char task[NAME_CAP];
	long pid;

	if (!s)
		return false;
	s += 11;
	e = strstr(s, " blocked for more than ");
	if (!e)
		e = strstr(s, " can't die for more than ");
	if (!e || !colon_task(s, e, task, &pid))
		return false;
	if (r->kind != REP_HUNG || r->all_locks) {
		open_report(p, REP_HUNG, "hung task", 9, "", lineno);
		p->cand.state = CAND_NONE;
	}
	b = blocked_add(r, task, pid);
	if (!b)
		return true;
	n = strstr(e, "more than ") + 10;
	copy_str(b->secs, sizeof(b->secs), n, strspn(n, "0123456789"));
	return true;
}

/*
 * "WARNING: ", "BUG: " or "INFO: " followed by one of the headers above.
 * Prose that merely mentions a report does not open one.
 */
static bool lockdep_header(struct parser *p, const char *line,
			   unsigned long lineno)
{
	static const char *const marks[] = { "WARNING: ", "BUG: ", "INFO: " };
	const char *text = NULL, *hit, *end;
	size_t i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]) && !text; i++) {
		text = strstr(line, marks[i]);
		if (text)
			text += strlen(marks[i]);
	}
	if (!text)
		return false;
	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		hit = strstr(text, headers[i].phrase);
		if (!hit)
			continue;
		end = hit + strlen(headers[i].phrase);
		if (end - text > 9 && !strncmp(end - 9, " detected", 9))
			end -= 9;
		open_report(p, headers[i].kind, text, (size_t)(end - text),
			    hit + strlen(headers[i].phrase), lineno);
		return true;
	}
	return false;
}

/* "Showing all locks held in the system:" */
static void all_locks(struct parser *p, unsigned long lineno)
{
	struct report *r = p->r;
	struct candidate *c = &p->cand;
	struct blocked *b;
	int i;

	if (r->kind != REP_HUNG || r->all_locks) {
		open_report(p, REP_HUNG, "hung task", 9, "", lineno);
		if (c->state >= CAND_HELD_LIST &&
		    (c->trace.has_lock || c->trace.has_sleep)) {
			b = blocked_add(r, c->task, c->pid);
			if (b) {
				r->lineno = c->lineno;
				b->trace = c->trace;
				held_task_open(p, c->task, c->pid,
					       c->announced);
				b->own_held = p->cur_task;
				for (i = 0; i < c->nheld; i++)
					held_entry_add(p, &c->held[i]);
			}
		}
		c->state = CAND_NONE;
	}
	r->all_locks = true;
	r->state = ST_HUNG_ALL;
	p->cur_task = -1;
}

/* ---- lines of an open report ------------------------------------- */

static void candidate_line(struct parser *p, const char *line,
			   unsigned long lineno)
{
	struct candidate *c = &p->cand;
	struct frame f;

	if (strstr(line, "Call Trace:")) {
		memset(&c->trace, 0, sizeof(c->trace));
		c->state = CAND_TRACE;
		c->lineno = lineno;
		c->nheld = 0;
		return;
	}
	switch (c->state) {
	case CAND_TRACE:
		if (parse_frame(line, &f))
			trace_add(&c->trace, &f, p->verbose);
		else if (parse_held_header(line, c->task, &c->pid,
					   &c->announced))
			c->state = CAND_HELD_LIST;
		else if (!is_blank_or_marker(line))
			c->state = CAND_NONE;
		break;
	case CAND_HELD_LIST:
		if (c->nheld < CAND_HELD &&
		    parse_held_entry(line, &c->held[c->nheld]))
			c->nheld++;
		else if (line[0] != '#')
			c->state = CAND_DONE;
		break;
	case CAND_NONE:
	case CAND_DONE:
		break;
	}
}

/* "task/pid is trying to acquire lock:" and the like. */
static bool verb_line(struct report *r, const char *line)
{
	const char *hit, *end;
	size_t i;
	long pid;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		hit = strstr(line, verbs[i].text);
		if (!hit)
			continue;
		end = strstr(line, " [HC");
		if (!end || end > hit)
			end = hit;
		if (!r->task[0])
			parse_task_before(line, end, r->task, &pid);
		r->state = verbs[i].next;
		if (starts_with(verbs[i].text, " is trying to release lock"))
			parse_lock(hit + strlen(verbs[i].text), &r->lock);
		return true;
	}
	for (i = 0; held_markers[i]; i++) {
		if (strstr(line, held_markers[i])) {
			r->state = ST_WANT_HELD;
			return true;
		}
	}
	return false;
}

static void scenario_line(struct report *r, const char *line, int indent)
{
	const char *cpu1;

	if (starts_with(line, "CPU0")) {
		cpu1 = strstr(line, "CPU1");
		r->scen_columns = cpu1 && cpu1 - line > 8;
		r->scen_one_cpu = !cpu1;
		return;
	}
	if (!line[0] || starts_with(line, "----") || r->nscen == MAX_SCEN)
		return;
	copy_str(r->scen[r->nscen], NAME_CAP, line, strlen(line));
	r->scen_cpu[r->nscen] = r->scen_columns ? indent >= 16 : -1;
	r->nscen++;
}

static void detail_line(struct report *r, const char *line)
{
	const char *s;
	long pid;
	int i;

	for (i = 0; detail_markers[i]; i++)
		if (strstr(line, detail_markers[i]))
			break;
	if (!detail_markers[i] || r->ndetail == MAX_DETAIL)
		return;
	copy_str(r->detail[r->ndetail], TEXT_CAP, line, strlen(line));
	r->ndetail++;
	/* "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1, name: x" */
	s = strstr(line, ", pid: ");
	if (s && !r->task[0] && strstr(s, ", name: ")) {
		pid = strtol(s + 7, NULL, 10);
		snprintf(r->task, sizeof(r->task), "%.100s/%ld",
			 strstr(s, ", name: ") + 8, pid);
	}
}

/* "CPU: 0 UID: 0 PID: 97 Comm: zpci_event Not tainted ..." */
static void comm_line(struct report *r, const char *line)
{
	const char *pid = strstr(line, " PID: "), *comm;

	if (!starts_with(line, "CPU: ") || !pid)
		return;
	comm = strstr(pid, " Comm: ");
	if (comm)
		snprintf(r->task, sizeof(r->task), "%.*s/%ld",
			 (int)strcspn(comm + 7, " "), comm + 7,
			 strtol(pid + 6, NULL, 10));
}

static void new_link(struct report *r, const char *line)
{
	struct link *lk;
	struct lockref l;
	const char *s = line + 4;

	if (r->nlinks == MAX_LINKS) {
		r->links_dropped++;
		r->state = ST_HEAD;
		return;
	}
	lk = &r->links[r->nlinks++];
	memset(lk, 0, sizeof(*lk));
	lk->num = atoi(s);
	s += strspn(s, "0123456789");
	if (parse_lock(s, &l))
		copy_str(lk->lock, sizeof(lk->lock), l.name, strlen(l.name));
	r->state = ST_LINK;
}

/* Section headers shared by lockdep reports; true if the line was one. */
static bool lockdep_section(struct report *r, const char *line)
{
	if (starts_with(line, "-> #") && isdigit((unsigned char)line[4])) {
		new_link(r, line);
		return true;
	}
	if (strstr(line, " state was registered at:")) {
		copy_str(r->reg_what, sizeof(r->reg_what), line,
			 strlen(line) - 4);
		r->state = ST_REG;
		return true;
	}
	if (strstr(line, "*** DEADLOCK ***")) {
		r->deadlock = true;
		r->state = ST_HEAD;
	} else if (strstr(line, "unsafe locking scenario")) {
		r->state = ST_SCEN;
	} else if (strstr(line, "stack backtrace:") ||
		   starts_with(line, "Call Trace:")) {
		r->state = ST_STACK;
	} else if (strstr(line, "other info that might help us debug this") ||
		   strstr(line, "the existing dependency chain") ||
		   starts_with(line, "Chain exists of:")) {
		r->state = ST_HEAD;
	} else {
		return false;
	}
	return true;
}

static void lockdep_line(struct parser *p, const char *line, int indent)
{
	struct report *r = p->r;
	struct lockref l;
	struct frame f;

	if (lockdep_section(r, line))
		return;
	if (held_line(p, line)) {
		r->state = ST_HELD_LIST;
		if (!r->task[0] && p->cur_task >= 0)
			copy_str(r->task, sizeof(r->task),
				 r->tasks[p->cur_task].task,
				 strlen(r->tasks[p->cur_task].task));
		return;
	}
	if (verb_line(r, line))
		return;
	if (!r->task[0])
		comm_line(r, line);
	switch (r->state) {
	case ST_WANT_LOCK:
	case ST_WANT_HELD:
		if (parse_lock(line, &l)) {
			if (r->state == ST_WANT_LOCK)
				r->lock = l;
			else
				r->held_lock = l;
			r->state = ST_HEAD;
		}
		return;
	case ST_LINK:
		if (parse_frame(line, &f))
			trace_add(&r->links[r->nlinks - 1].trace, &f,
				  p->verbose);
		return;
	case ST_STACK:
	case ST_REG:
		if (parse_frame(line, &f))
			trace_add(r->state == ST_STACK ? &r->stack : &r->reg,
				  &f, p->verbose);
		return;
	case ST_SCEN:
		scenario_line(r, line, indent);
		return;
	default:
		break;
	}
	detail_line(r, line);
}

/*
 * "INFO: task X:1 is blocked on a mutex likely owned by task Y:2."
 * "INFO: task X:1 blocked on a semaphore likely last held by task Y:2"
 */
static bool blocker_line(struct report *r, const char *line)
{
	const char *s = strstr(line, "INFO: task "), *on, *by, *e;
	char task[NAME_CAP];
	long pid;
	int i;

	if (!s || !(on = strstr(s, "blocked on a")))
		return false;
	by = strstr(on, " by task ");
	if (!by)
		return false;
	e = on;
	while (e > s && e[-1] == ' ')
		e--;
	if (e - s > 3 && !strncmp(e - 3, " is", 3))
		e -= 3;
	if (!colon_task(s + 11, e, task, &pid))
		return true;
	r->state = ST_HEAD;	/* the owner's stack follows: not ours */
	for (i = 0; i < r->nblocked; i++) {
		struct blocked *b = &r->blocked[i];
		const char *k = on + 12 + (on[12] == 'n');

		if (b->pid != pid)
			continue;
		copy_str(b->owner_kind, sizeof(b->owner_kind), k + 1,
			 strcspn(k + 1, " "));
		s = by + 9;
		e = s + strcspn(s, " ");
		if (e > s && e[-1] == '.')
			e--;
		if (!colon_task(s, e, b->owner, &pid))
			b->owner[0] = '\0';
	}
	return true;
}

static void hung_line(struct parser *p, const char *line)
{
	struct report *r = p->r;
	struct blocked *b;
	struct frame f;

	if (blocker_line(r, line))
		return;
	if (held_line(p, line)) {
		b = r->nblocked ? &r->blocked[r->nblocked - 1] : NULL;
		if (!r->all_locks && b && p->cur_task >= 0 &&
		    r->tasks[p->cur_task].pid == b->pid)
			b->own_held = p->cur_task;
		if (!r->all_locks)
			r->state = ST_HELD_LIST;
		return;
	}
	switch (r->state) {
	case ST_HUNG_TRACE:
		b = &r->blocked[r->nblocked - 1];
		if (parse_frame(line, &f))
			trace_add(&b->trace, &f, p->verbose);
		else if (b->trace.nframes && !is_blank_or_marker(line) &&
			 !starts_with(line, "Call Trace:"))
			r->state = ST_HEAD;
		return;
	case ST_HUNG_ALL:
		if (starts_with(line, "====") || !is_blank_or_marker(line)) {
			r->all_locks_done = true;
			flush(p);
		}
		return;
	default:
		return;
	}
}

void parser_line(struct parser *p, const char *line, int indent,
		 unsigned long lineno)
{
	candidate_line(p, line, lineno);
	if (hung_header(p, line, lineno) || lockdep_header(p, line, lineno))
		return;
	if (strstr(line, "Showing all locks held in the system")) {
		all_locks(p, lineno);
		return;
	}
	switch (p->r->kind) {
	case REP_CIRCULAR:
	case REP_LOCKDEP:
		lockdep_line(p, line, indent);
		break;
	case REP_HUNG:
		hung_line(p, line);
		break;
	case REP_NONE:
		break;
	}
}

struct parser *parser_new(FILE *out, bool verbose)
{
	struct parser *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->r = calloc(1, sizeof(*p->r));
	if (!p->r) {
		free(p);
		return NULL;
	}
	p->out = out;
	p->verbose = verbose;
	p->cur_task = -1;
	return p;
}

unsigned long parser_finish(struct parser *p)
{
	flush(p);
	return p->reports;
}

void parser_free(struct parser *p)
{
	if (!p)
		return;
	free(p->r);
	free(p);
}
