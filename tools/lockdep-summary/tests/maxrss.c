// SPDX-License-Identifier: GPL-2.0
/*
 * maxrss RESULT CMD [ARG...] - run CMD, write its peak resident set size
 * in KiB to the file RESULT, and exit with its exit status (128 + signal
 * if it was killed).  Standard input and output are CMD's.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rusage ru;
	FILE *res;
	pid_t pid;
	int status;

	if (argc < 3) {
		fprintf(stderr, "usage: maxrss RESULT CMD [ARG...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("maxrss: fork");
		return 2;
	}
	if (!pid) {
		execvp(argv[2], argv + 2);
		perror("maxrss: exec");
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || getrusage(RUSAGE_CHILDREN, &ru)) {
		perror("maxrss: wait");
		return 2;
	}
	res = fopen(argv[1], "w");
	if (!res || fprintf(res, "%ld\n", ru.ru_maxrss) < 0 || fclose(res)) {
		perror("maxrss: result file");
		return 2;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
