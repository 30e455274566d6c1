// SPDX-License-Identifier: GPL-2.0
/*
 * vmm-release - when a VMM let a vfio device go, and when the device then
 * left the PCI bus, seen from the host of the VMM at 10 ms steps without
 * a fork in between: a shell loop of ls and grep is slow to notice under
 * a loaded TCG guest, and its slowness would count as the removal's.
 *
 *   vmm-release PID HELD BDF TIMEOUT
 *
 * Waits until process PID holds fewer than HELD vfio devices (open fds on
 * the anonymous inode "[vfio-device]"), then until /sys/bus/pci/devices/BDF
 * is gone, and prints, in seconds of uptime (/proc/uptime's clock):
 *
 *   watching    PID was seen holding HELD devices or more: the removal
 *               may start
 *   seen T      the last time PID was seen holding HELD devices or more
 *   released T  the first time it held fewer
 *   gone T      the first time BDF was not on the bus
 *
 * each line as soon as it is known. Exit status: 0; 1 if PID held fewer
 * than HELD at the first look, if TIMEOUT seconds passed first, or if PID
 * exited (or is a zombie) before it let a device go; 2 on bad usage.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double uptime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Whether @pid has exited: gone, or a zombie with no files left */
static int exited(const char *pid)
{
	char path[64], stat[256], *p;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 1;
	n = fread(stat, 1, sizeof(stat) - 1, f);
	fclose(f);
	stat[n > 0 ? n : 0] = '\0';
	/* "PID (COMM) STATE ...", COMM may hold anything but ends at the last ')' */
	p = strrchr(stat, ')');
	return !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X';
}

/* The vfio devices that @pid has open, or -1 if it has exited. */
static int vfio_devices(const char *pid)
{
	char dir[64], path[320], target[64];
	struct dirent *de;
	int n = 0;
	ssize_t len;
	DIR *d;

	if (exited(pid))
		return -1;
	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		n += !strcmp(target, "anon_inode:[vfio-device]");
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	const struct timespec step = { .tv_nsec = 10 * 1000 * 1000 };
	char dev[320];
	double t0, t, seen;
	int held, timeout, n, last;

	if (argc != 5 || atoi(argv[2]) < 1 || atoi(argv[4]) < 1) {
		fprintf(stderr, "usage: vmm-release PID HELD BDF TIMEOUT\n");
		return 2;
	}
	held = atoi(argv[2]);
	timeout = atoi(argv[4]);
	snprintf(dev, sizeof(dev), "/sys/bus/pci/devices/%s", argv[3]);
	t0 = seen = uptime();
	last = vfio_devices(argv[1]);
	if (last < held) {
		fprintf(stderr, "vmm-release: process %s holds %d vfio devices at the first look, not %d\n",
			argv[1], last, held);
		return 1;
	}
	printf("watching\n");
	fflush(stdout);
	for (;;) {
		t = uptime();
		n = vfio_devices(argv[1]);
		if (n >= 0 && n < held)
			break;
		if (n < 0) {
			printf("seen %.3f\n", seen);
			fprintf(stderr, "vmm-release: process %s exited, holding %d vfio devices when last seen\n",
				argv[1], last);
			return 1;
		}
		seen = t;
		last = n;
		if (t - t0 > timeout) {
			printf("seen %.3f\n", seen);
			fprintf(stderr, "vmm-release: process %s still holds %d vfio devices after %s s\n",
				argv[1], n, argv[4]);
			return 1;
		}
		nanosleep(&step, NULL);
	}
	printf("seen %.3f\nreleased %.3f\n", seen, t);
	fflush(stdout);
	while (!access(dev, F_OK)) {
		if (uptime() - t0 > timeout) {
			fprintf(stderr, "vmm-release: %s still on the bus after %s s\n", argv[3], argv[4]);
			return 1;
		}
		nanosleep(&step, NULL);
	}
	printf("gone %.3f\n", uptime());
	return 0;
}
