// SPDX-License-Identifier: GPL-2.0
/*
 * lockdep-summary: print a short summary of every lockdep and hung-task
 * report found in a console or dmesg log.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lds.h"

enum {
	EXIT_FOUND = 0,		/* at least one report */
	EXIT_NONE = 1,		/* no report */
	EXIT_USAGE = 2,		/* bad arguments, or an I/O error */
};

static const char usage[] =
"usage: lockdep-summary [-v] [FILE]\n"
"\n"
"Read a console or dmesg log (FILE, or standard input if FILE is absent\n"
"or '-') and print a summary of each lockdep or hung-task report in it:\n"
"  circular locking dependency: the cycle, one line per link (the\n"
"    function that took the lock, the lock, the lock already held),\n"
"    the task and the unsafe locking scenario on one line;\n"
"  other lockdep reports: the kind, the task, the lock and the function;\n"
"  hung task: the task, how long it is blocked, the lock it waits on and\n"
"    who holds it, and the locks held by every task, with the locks\n"
"    other blocked tasks wait for marked.\n"
"\n"
"Options:\n"
"  -v, --verbose  also print the callers of each function found\n"
"  -h, --help     print this help and exit\n"
"\n"
"Exit status: 0 if at least one report was found, 1 if none was,\n"
"2 on a usage or I/O error.\n";

static int run(FILE *in, const char *name, bool verbose)
{
	struct lines *ls = lines_open(in);
	struct parser *p = parser_new(stdout, verbose);
	unsigned long found = 0;
	const char *line;
	int ret = EXIT_USAGE;

	if (!ls || !p) {
		fprintf(stderr, "lockdep-summary: out of memory\n");
		goto out;
	}
	while ((line = lines_next(ls)))
		parser_line(p, line, lines_indent(ls), lines_lineno(ls));
	found = parser_finish(p);
	if (lines_error(ls)) {
		fprintf(stderr, "lockdep-summary: %s: read error\n", name);
		goto out;
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "lockdep-summary: write error: %s\n",
			strerror(errno));
		goto out;
	}
	ret = found ? EXIT_FOUND : EXIT_NONE;
out:
	parser_free(p);
	lines_close(ls);
	return ret;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	bool verbose = false, opts = true;
	FILE *in = stdin;
	int i, ret;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (opts && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			fputs(usage, stdout);
			return EXIT_FOUND;
		} else if (opts && (!strcmp(a, "-v") || !strcmp(a, "--verbose"))) {
			verbose = true;
		} else if (opts && !strcmp(a, "--")) {
			opts = false;
		} else if (opts && a[0] == '-' && a[1]) {
			fprintf(stderr, "lockdep-summary: unknown option '%s'\n%s",
				a, usage);
			return EXIT_USAGE;
		} else if (!path) {
			path = a;
		} else {
			fprintf(stderr, "lockdep-summary: only one FILE\n%s",
				usage);
			return EXIT_USAGE;
		}
	}
	if (path && strcmp(path, "-")) {
		in = fopen(path, "rb");
		if (!in) {
			fprintf(stderr, "lockdep-summary: %s: %s\n", path,
				strerror(errno));
			return EXIT_USAGE;
		}
	}
	ret = run(in, path ? path : "<stdin>", verbose);
	if (in != stdin)
		fclose(in);
	return ret;
}
