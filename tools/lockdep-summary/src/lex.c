// SPDX-License-Identifier: GPL-2.0
/*
 * Recognise the pieces of a normalised line: stack frames, lock
 * descriptions, "N locks held by task/pid:" headers and task names.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lds.h"

bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Copy len bytes of src into dst of size cap, truncating, always ending it. */
void copy_str(char *dst, size_t cap, const char *src, size_t len)
{
	if (!cap)
		return;
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ')
		s++;
	return s;
}

static bool is_sym_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '$';
}

static bool is_hex_word(const char *s, const char *end)
{
	if (end - s < 8)
		return false;
	for (; s < end; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

/*
 * A stack frame, in any of these forms:
 *   func+0x1b/0x30 [module]
 *   ? func+0x1b/0x30
 *   [<00000007c1a139e0>] func+0x360/0x960
 *   ([<00000007c1a139e0>] func+0x360/0x960)
 *   func (kernel/locking/mutex.c:283)        decode_stacktrace.sh
 */
bool parse_frame(const char *s, struct frame *f)
{
	const char *sym, *e;

	s = skip_blanks(s);
	if (*s == '(')
		s++;
	if (s[0] == '[' && s[1] == '<') {
		s = strstr(s, ">]");
		if (!s)
			return false;
		s = skip_blanks(s + 2);
	}
	f->unreliable = s[0] == '?' && s[1] == ' ';
	if (f->unreliable)
		s = skip_blanks(s + 2);
	sym = s;
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	while (is_sym_char((unsigned char)*s))
		s++;
	e = s;
	if (s[0] == '+' && s[1] == '0' && s[2] == 'x' &&
	    isxdigit((unsigned char)s[3])) {
		while (*s && *s != ' ' && *s != ')')
			s++;
	} else if (s[0] == ' ' && s[1] == '(' && strchr(s, ':') &&
		   strchr(s, ')')) {
		/* decoded: "func (file.c:123)" */
	} else {
		return false;
	}
	copy_str(f->sym, sizeof(f->sym), sym, (size_t)(e - sym));
	copy_str(f->at, sizeof(f->at), sym, (size_t)(s - sym));
	return true;
}

static bool in_list(const char *base, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(base, *list))
			return true;
	return false;
}

static bool has_prefix_in(const char *base, const char *const *list)
{
	for (; *list; list++)
		if (starts_with(base, *list))
			return true;
	return false;
}

/* Taking a lock: these frames sit above the function that takes it. */
static const char *const lock_prefixes[] = {
	"mutex_lock", "__mutex_lock", "_mutex_lock", "mutex_trylock",
	"ww_mutex_", "__ww_mutex_", "down_", "__down", "rwsem_", "__rwsem_",
	"call_rwsem_", "percpu_down_", "__percpu_down_", "percpu_rwsem_",
	"_raw_spin_", "_raw_read_", "_raw_write_", "__raw_spin_",
	"__raw_read_", "__raw_write_", "do_raw_", "queued_spin_",
	"queued_read_", "queued_write_", "native_queued_", "__pv_queued_",
	"rt_spin_", "rt_read_", "rt_write_", "rtlock_", "rt_mutex_",
	"__rt_mutex_", "spin_lock", "read_lock", "write_lock",
	/* releasing one, for bad unlock balance */
	"mutex_unlock", "__mutex_unlock", "up_read", "up_write", "__up_read",
	"__up_write", "percpu_up_", "spin_unlock", "read_unlock",
	"write_unlock", NULL
};

static const char *const lock_names[] = { "down", "up", "__lock_acquire",
	"lock_acquire", NULL };

/* Sleeping and waiting. */
static const char *const sleep_prefixes[] = {
	"schedule", "__schedule", "io_schedule", "preempt_schedule",
	"__wait_for_common", "wait_for_common", "wait_for_completion",
	"__wait_on_bit", "out_of_line_wait_on_bit", "bit_wait",
	"__switch_to", "context_switch", "__flush_work", "flush_work",
	"start_flush_work", "__flush_workqueue", "__cancel_work",
	"folio_wait_", "__folio_lock", "__lock_page", "wait_on_page_bit",
	NULL
};

/* Reporting, lockdep internals and helpers that fault or annotate. */
static const char *const noise_prefixes[] = {
	"dump_stack", "__dump_stack", "show_stack", "show_trace",
	"sched_show_task", "print_", "__print_", "check_noncircular",
	"check_prev", "check_irq_usage", "check_deadlock", "check_usage",
	"validate_chain", "mark_lock", "mark_usage", "valid_state",
	"lock_release", "__lock_release", "lock_is_held", "lockdep_",
	"lock_map_", "__warn", "warn_slowpath", "report_bug", "handle_bug",
	"exc_invalid_op", "asm_exc_invalid_op", "debug_check_no_locks",
	"debug_show_", "__might_", "___might_", "might_", "__cant_",
	"rcu_lock_acquire", "srcu_lock_acquire", "fs_reclaim_",
	"__fs_reclaim_", "touch_wq_lockdep", "touch_work_lockdep",
	"_copy_to_user", "_copy_from_user", "copy_to_user", "copy_from_user",
	"__copy_to_user", "__copy_from_user", "raw_copy_", "_inline_copy_",
	"__get_user", "__put_user", "rcu_read_lock", "__rcu_read_lock",
	"arch_stack_walk", "stack_trace_save", NULL
};

/* Below these, a call path says nothing more. */
static const char *const entry_prefixes[] = {
	"__se_sys_", "__x64_sys_", "__ia32_sys_", "__arm64_sys_",
	"__s390x_sys_", "__s390_sys_", "x64_sys_call", "do_syscall_",
	"entry_SYSCALL", "__do_syscall", "system_call", "invoke_syscall",
	"el0_", "el0t_", "do_el0_svc", "ret_from_fork", "__ret_from_fork",
	"kthread", "worker_thread", NULL
};

enum frame_kind frame_kind(const char *sym)
{
	char base[NAME_CAP];

	/* "lock_acquire.part.0" and "foo.constprop.0" are "lock_acquire", "foo" */
	copy_str(base, sizeof(base), sym, strcspn(sym, "."));
	if (in_list(base, lock_names) || has_prefix_in(base, lock_prefixes) ||
	    strstr(base, "_mutex_lock"))
		return FRAME_LOCK;
	if (has_prefix_in(base, sleep_prefixes))
		return FRAME_SLEEP;
	if (has_prefix_in(base, noise_prefixes))
		return FRAME_NOISE;
	if (has_prefix_in(base, entry_prefixes))
		return FRAME_ENTRY;
	return FRAME_CODE;
}

/*
 * "ffff9811b5546c88 (&container->group_lock){++++}-{3:3}, at: func+0x/0x"
 * "(&mm->mmap_sem){++++}, at: [<00000000bca68632>] __might_fault+0x36/0x80"
 * The name may hold parentheses: "((wq_completion)events)".
 */
bool parse_lock(const char *s, struct lockref *l)
{
	const char *p, *name;
	int depth = 0;

	memset(l, 0, sizeof(*l));
	s = skip_blanks(s);
	p = s + strcspn(s, " (");
	if (*p == ' ' && is_hex_word(s, p)) {
		copy_str(l->addr, sizeof(l->addr), s, (size_t)(p - s));
		s = skip_blanks(p);
	}
	if (*s != '(')
		return false;
	name = s + 1;
	for (p = s; *p; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			break;
	}
	if (p == name)
		return false;
	copy_str(l->name, sizeof(l->name), name, (size_t)(p - name));
	if (!*p)
		return true;		/* cut short: keep what there is */
	p = strstr(p, "at:");
	if (p && !parse_frame(p + 3, &l->at))
		memset(&l->at, 0, sizeof(l->at));
	return true;
}

/* "#3: 000000008524b4e8 (&zdev->lock){....}-{3:3}, at: disable_slot+0x32" */
bool parse_held_entry(const char *s, struct lockref *l)
{
	if (*s++ != '#' || !isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s))
		s++;
	if (*s++ != ':')
		return false;
	return parse_lock(s, l);
}

/*
 * The task in [line, end): "qemu-system-x86/4375", "kworker/u8:2/123".
 * The pid is what follows the last '/'.
 */
bool parse_task_before(const char *line, const char *end, char *task,
		       long *pid)
{
	const char *slash = NULL, *p;

	line = skip_blanks(line);
	while (end > line && end[-1] == ' ')
		end--;
	for (p = line; p < end; p++)
		if (*p == '/')
			slash = p;
	if (!slash || slash == line || slash + 1 == end)
		return false;
	for (p = slash + 1; p < end; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	copy_str(task, NAME_CAP, line, (size_t)(end - line));
	*pid = strtol(slash + 1, NULL, 10);
	return true;
}

/*
 * "6 locks held by zsh/1190:", "1 lock held by qemu-system-s39/1312: D",
 * "no locks held by kworker/0:1/12.".  Text after the colon is ignored:
 * people annotate these lines.
 */
bool parse_held_header(const char *s, char *task, long *pid, int *count)
{
	const char *p, *end = NULL;

	if (starts_with(s, "no locks held by ")) {
		*count = 0;
		s += 17;
	} else {
		if (!isdigit((unsigned char)*s))
			return false;
		*count = atoi(s);
		while (isdigit((unsigned char)*s))
			s++;
		if (starts_with(s, " locks held by "))
			s += 15;
		else if (starts_with(s, " lock held by "))
			s += 14;
		else
			return false;
	}
	/* the last "/<digits>" followed by ':' or '.' ends the task */
	for (p = s; *p; p++) {
		const char *q = p + 1;

		if (*p != '/' || !isdigit((unsigned char)*q))
			continue;
		while (isdigit((unsigned char)*q))
			q++;
		if (*q == ':' || *q == '.')
			end = q;
	}
	return end && parse_task_before(s, end, task, pid);
}

/* Blank, or only a module name left over from a wrapped frame line. */
bool is_blank_or_marker(const char *s)
{
	size_t n = strlen(s);

	if (!n)
		return true;
	if (s[0] == '[' && s[n - 1] == ']' &&
	    strspn(s + 1, "abcdefghijklmnopqrstuvwxyz0123456789_") == n - 2)
		return true;
	return !strcmp(s, "<TASK>") || !strcmp(s, "</TASK>") ||
	       !strcmp(s, "<IRQ>") || !strcmp(s, "</IRQ>") ||
	       !strcmp(s, "<NMI>") || !strcmp(s, "</NMI>") ||
	       !strcmp(s, "<SOFTIRQ>") || !strcmp(s, "</SOFTIRQ>");
}
