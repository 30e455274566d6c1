// SPDX-License-Identifier: GPL-2.0
/*
 * Line source: read the input in blocks, cut it into lines, clean them up.
 *
 * Three layers, each with a fixed-size buffer:
 *  1. read_segment() cuts the byte stream at newlines.  Inside a line that
 *     starts with a quote marker it also cuts at " > ", because mail
 *     software that joins lines leaves the quote markers of the old lines
 *     in the middle of the new one.  Control bytes become '?', NBSP becomes
 *     a space, and anything past LINE_CAP bytes is dropped.
 *  2. line_normalise() strips what came in front of the kernel's message:
 *     quote markers, "[ 618.025091] ", "[] ", "<4>", caller ids "[ T12]"
 *     and syslog prefixes.
 *  3. lines_next() joins a lock line that was wrapped after "at:" with the
 *     frame on the next line.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lds.h"

#define BLOCK_SIZE 65536

struct lines {
	FILE *fp;
	unsigned char block[BLOCK_SIZE];
	size_t blen, bpos;
	bool eof, err;

	/* current physical line */
	bool line_start;	/* nothing but blanks seen yet */
	bool quoted;		/* it started with '>' */
	unsigned long newlines;	/* seen so far */

	/* current segment */
	char seg[LINE_CAP + 1];
	size_t slen;
	unsigned long seg_lineno;
	bool seg_truncated;

	/* normalised lines: the one returned and the one peeked at */
	char bufa[LINE_CAP + 1], bufb[LINE_CAP + 1];
	char *cur, *peek;
	int cur_indent, peek_indent;
	unsigned long cur_lineno, peek_lineno;
	bool have_peek;
};

static int get_byte(struct lines *ls)
{
	if (ls->bpos == ls->blen) {
		if (ls->eof)
			return EOF;
		ls->blen = fread(ls->block, 1, sizeof(ls->block), ls->fp);
		ls->bpos = 0;
		if (ls->blen == 0) {
			ls->err = ferror(ls->fp) != 0;
			ls->eof = true;
			return EOF;
		}
	}
	return ls->block[ls->bpos++];
}

static void seg_put(struct lines *ls, char c)
{
	if (ls->slen < LINE_CAP)
		ls->seg[ls->slen++] = c;
	else
		ls->seg_truncated = true;
}

/* Read one segment into ls->seg; false at end of input. */
static bool read_segment(struct lines *ls)
{
	bool got = false, content = false;
	int c, p1 = 0, p2 = 0;

	ls->slen = 0;
	ls->seg_truncated = false;
	ls->seg_lineno = ls->newlines + 1;
	for (;;) {
		c = get_byte(ls);
		if (c == EOF)
			break;
		got = true;
		if (c == '\n') {
			ls->newlines++;
			ls->line_start = true;
			ls->quoted = false;
			break;
		}
		if (c == '\r')
			continue;
		if (c == 0xa0 && ls->slen && ls->seg[ls->slen - 1] == '\xc2') {
			ls->seg[ls->slen - 1] = ' ';
			p2 = p1;
			p1 = ' ';
			continue;
		}
		if (c == '\t')
			c = ' ';
		else if (c < 0x20 || c == 0x7f)
			c = '?';
		if (ls->line_start && c != ' ') {
			ls->line_start = false;
			ls->quoted = c == '>';
		}
		if (ls->quoted && c == ' ' && p1 == '>' && p2 == ' ' && content) {
			/* " > " in a joined, quoted line: a new old line */
			if (!ls->seg_truncated)
				ls->slen -= 2;
			break;
		}
		if (c != ' ' && c != '>')
			content = true;
		p2 = p1;
		p1 = c;
		seg_put(ls, (char)c);
	}
	ls->seg[ls->slen] = '\0';
	return got;
}

static bool all_digits(const char *s, const char *end)
{
	if (s == end)
		return false;
	for (; s < end; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/*
 * "[ 618.025091]", "[]", "[    T123]", "[  C1]": a timestamp or caller id.
 * "[<0000000012345678>]" and "[vfio_pci]" are not.
 */
static const char *skip_stamp(const char *s)
{
	const char *e = strchr(s, ']');
	const char *p;

	if (*s != '[' || !e)
		return NULL;
	for (p = s + 1; *p == ' '; p++)
		;
	if (p == e)
		return e + 1;
	if ((*p == 'T' || *p == 'C') && all_digits(p + 1, e))
		return e + 1;
	for (; p < e; p++)
		if (!isdigit((unsigned char)*p) && *p != '.' && *p != ' ')
			return NULL;
	return e + 1;
}

/* "Nov 22 20:18:00 host kernel: " or "2025-11-22T20:18:00+01:00 host kernel: " */
static const char *skip_syslog(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	const char *k;

	if (!((isupper(u[0]) && islower(u[1]) && islower(u[2]) && u[3] == ' ') ||
	      (isdigit(u[0]) && isdigit(u[1]) && isdigit(u[2]) &&
	       isdigit(u[3]) && u[4] == '-')))
		return NULL;
	k = strstr(s, " kernel: ");
	if (!k || k - s > 100)
		return NULL;
	return k + 9;
}

char *line_normalise(char *s)
{
	const char *n;
	char *e;

	for (;;) {
		char *t = s;

		while (*t == ' ')
			t++;
		if (*t == '>') {
			n = t + 1;
		} else if (*t == '<' && isdigit((unsigned char)t[1]) &&
			   t[2] == '>') {
			n = t + 3;
		} else {
			n = skip_stamp(t);
			if (!n)
				n = skip_syslog(t);
			if (!n)
				break;
		}
		s = (char *)n;
		if (*s == ' ')
			s++;
	}
	e = s + strlen(s);
	while (e > s && e[-1] == ' ')
		*--e = '\0';
	return s;
}

/* Read and normalise the next line into dst; false at end of input. */
static bool next_norm(struct lines *ls, char *dst, int *indent,
		      unsigned long *lineno)
{
	char *s;
	size_t n;

	if (!read_segment(ls))
		return false;
	*lineno = ls->seg_lineno;
	s = line_normalise(ls->seg);
	n = strspn(s, " ");
	*indent = (int)n;
	s += n;
	memmove(dst, s, strlen(s) + 1);
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* "(&x->lock){+.+.}-{3:3}, at:" / "release lock (&x) at:" + frame line */
static bool wants_join(const char *cur, const char *next)
{
	struct frame f;

	if (ends_with(cur, ", at:") || ends_with(cur, ") at:"))
		return parse_frame(next, &f);
	if (ends_with(cur, ",") && strchr(cur, '('))
		return starts_with(next, "at:");
	return false;
}

const char *lines_next(struct lines *ls)
{
	if (ls->have_peek) {
		char *t = ls->cur;

		ls->cur = ls->peek;
		ls->peek = t;
		ls->cur_indent = ls->peek_indent;
		ls->cur_lineno = ls->peek_lineno;
		ls->have_peek = false;
	} else if (!next_norm(ls, ls->cur, &ls->cur_indent, &ls->cur_lineno)) {
		return NULL;
	}
	while (next_norm(ls, ls->peek, &ls->peek_indent, &ls->peek_lineno)) {
		size_t n = strlen(ls->cur);

		if (!wants_join(ls->cur, ls->peek)) {
			ls->have_peek = true;
			break;
		}
		copy_str(ls->cur + n, LINE_CAP + 1 - n, " ", 1);
		n = strlen(ls->cur);
		copy_str(ls->cur + n, LINE_CAP + 1 - n, ls->peek,
			 strlen(ls->peek));
	}
	return ls->cur;
}

int lines_indent(const struct lines *ls)
{
	return ls->cur_indent;
}

unsigned long lines_lineno(const struct lines *ls)
{
	return ls->cur_lineno;
}

bool lines_error(const struct lines *ls)
{
	return ls->err;
}

struct lines *lines_open(FILE *fp)
{
	struct lines *ls = calloc(1, sizeof(*ls));

	if (!ls)
		return NULL;
	ls->fp = fp;
	ls->line_start = true;
	ls->cur = ls->bufa;
	ls->peek = ls->bufb;
	return ls;
}

void lines_close(struct lines *ls)
{
	free(ls);
}
