/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lockdep-summary - condense lockdep and hung-task reports from a console log.
 *
 * Data flow: lines.c reads and cleans up lines, lex.c recognises the
 * pieces of a line (frames, locks, tasks), report.c runs one state machine
 * per report and print.c writes the summary.  Every buffer has a fixed
 * size, so memory does not grow with the input.
 */
#ifndef LDS_H
#define LDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define LINE_CAP	4096	/* longest line kept; the rest is dropped */
#define NAME_CAP	128	/* lock, function or task name */
#define PATH_CAP	512	/* "a < b < c" call path, -v only */
#define TEXT_CAP	256	/* free-text detail lines */
#define MAX_LINKS	32	/* links of a circular dependency */
#define MAX_SCEN	16	/* lines of an unsafe locking scenario */
#define MAX_DETAIL	4	/* detail lines of another lockdep report */
#define MAX_BLOCKED	16	/* blocked tasks of one hung-task report */
#define MAX_TASKS	256	/* tasks of "Showing all locks held" */
#define MAX_HELD	2048	/* held-lock entries, all tasks together */

/* ---- lines.c: line source ---------------------------------------- */

struct lines;

struct lines *lines_open(FILE *fp);
/* Next cleaned-up line, or NULL at end of input or on a read error. */
const char *lines_next(struct lines *ls);
/* Blanks in front of the message of the last line, and where it began. */
int lines_indent(const struct lines *ls);
unsigned long lines_lineno(const struct lines *ls);
bool lines_error(const struct lines *ls);
void lines_close(struct lines *ls);
/* Strip timestamps, "[] ", quote markers and syslog prefixes in place. */
char *line_normalise(char *s);

/* ---- lex.c: pieces of a line ------------------------------------- */

enum frame_kind {
	FRAME_CODE,	/* a function worth naming */
	FRAME_LOCK,	/* lock primitive: mutex_lock, down_read, ... */
	FRAME_SLEEP,	/* scheduler and wait primitives */
	FRAME_NOISE,	/* lockdep, stack dumping, uaccess helpers */
	FRAME_ENTRY,	/* syscall entry, kthread and workqueue glue */
};

struct frame {
	char sym[NAME_CAP];	/* "vfio_pci_zdev_io_rw" */
	char at[NAME_CAP];	/* "vfio_pci_zdev_io_rw+0x168/0x310" */
	bool unreliable;	/* "? " frame */
};

struct lockref {
	char name[NAME_CAP];	/* "&zdev->lock" */
	char addr[24];		/* "000000008524b4e8", may be empty */
	struct frame at;	/* ", at: func+off", may be empty */
};

bool parse_frame(const char *s, struct frame *f);
enum frame_kind frame_kind(const char *sym);
bool parse_lock(const char *s, struct lockref *l);
bool parse_task_before(const char *line, const char *end, char *task,
		       long *pid);
bool parse_held_header(const char *s, char *task, long *pid, int *count);
bool parse_held_entry(const char *s, struct lockref *l);
bool is_blank_or_marker(const char *s);
bool starts_with(const char *s, const char *prefix);
void copy_str(char *dst, size_t cap, const char *src, size_t len);

/* ---- report.c: per-report state ---------------------------------- */

/* Where the first meaningful frame of a stack is, and what led to it. */
struct trace_sum {
	struct frame func;	/* first FRAME_CODE frame */
	char via[NAME_CAP];	/* the frame just above it */
	char path[PATH_CAP];	/* callers of func, -v only */
	int nframes;
	bool path_done;		/* reached FRAME_ENTRY */
	bool has_lock;		/* a lock primitive is on the stack */
	bool has_sleep;		/* the task is scheduled out */
};

struct link {
	int num;			/* "-> #num" */
	char lock[NAME_CAP];		/* lock taken */
	struct trace_sum trace;
};

struct held_task {
	char task[NAME_CAP];		/* "zsh/1190" */
	long pid;
	int announced;			/* "N locks held by" */
	int first, nheld;		/* slice of report.held[] */
};

struct blocked {
	char task[NAME_CAP];
	long pid;
	char secs[24];			/* "" when there was no INFO: line */
	char owner[NAME_CAP];		/* "likely owned by task" */
	char owner_kind[32];		/* "mutex", "rw-semaphore", ... */
	struct trace_sum trace;
	int own_held;			/* held_task index or -1 */
};

enum report_kind { REP_NONE, REP_CIRCULAR, REP_LOCKDEP, REP_HUNG };

struct report {
	enum report_kind kind;
	int state;
	unsigned long lineno;		/* where the header was */
	char title[NAME_CAP];
	char extra[TEXT_CAP];		/* rest of the header line */
	char task[NAME_CAP];
	bool truncated;

	/* lockdep reports */
	struct lockref lock;		/* lock taken, or the new lock */
	struct lockref held_lock;	/* lock already held */
	struct trace_sum stack;		/* "stack backtrace:" */
	struct trace_sum reg;		/* "... state was registered at:" */
	char reg_what[NAME_CAP];	/* "{IN-HARDIRQ-W} state was registered" */
	int nlinks, links_dropped;
	char scen[MAX_SCEN][NAME_CAP];
	int scen_cpu[MAX_SCEN];		/* -1: not known */
	int nscen;
	bool scen_columns, scen_one_cpu, deadlock;
	char detail[MAX_DETAIL][TEXT_CAP];
	int ndetail;

	/* hung tasks, and the held-lock lists of any report */
	int nblocked, blocked_dropped;
	int ntasks, tasks_dropped;
	int nheld, held_dropped;
	bool all_locks, all_locks_done;

	/* Not cleared between reports: set up as they are added. */
	struct link links[MAX_LINKS];
	struct blocked blocked[MAX_BLOCKED];
	struct held_task tasks[MAX_TASKS];
	struct lockref held[MAX_HELD];
};

struct parser;

struct parser *parser_new(FILE *out, bool verbose);
void parser_line(struct parser *p, const char *line, int indent,
		 unsigned long lineno);
/* Flush the open report; returns how many reports were printed. */
unsigned long parser_finish(struct parser *p);
void parser_free(struct parser *p);

void trace_add(struct trace_sum *t, const struct frame *f, bool verbose);

/* ---- print.c ----------------------------------------------------- */

void print_report(FILE *out, const struct report *r, bool verbose);

#endif /* LDS_H */
