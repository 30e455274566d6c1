// SPDX-License-Identifier: GPL-2.0
/*
 * QMP through the "qmp-relay" virtio-serial port. See zpci_qmp.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zpci_qmp.h"

#define PORTS		"/sys/class/virtio-ports"
#define PORT_NAME	"qmp-relay"
#define OPEN_TIMEOUT_MS	30000	/* another program has the port */
#define REPLY_TIMEOUT_MS 30000

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The device node of the relay port, or -ENODEV */
static int port_path(char *dev, size_t len)
{
	char path[PATH_MAX], name[64];
	struct dirent *de;
	int ret = -ENODEV;
	DIR *dir;
	FILE *f;

	dir = opendir(PORTS);
	if (!dir)
		return -ENODEV;
	while (ret && (de = readdir(dir))) {
		snprintf(path, sizeof(path), PORTS "/%s/name", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(name, sizeof(name), f))
			name[0] = '\0';
		name[strcspn(name, "\n")] = '\0';
		if (!strcmp(name, PORT_NAME)) {
			snprintf(dev, len, "/dev/%s", de->d_name);
			ret = 0;
		}
		fclose(f);
	}
	closedir(dir);
	return ret;
}

/**
 * zpci_qmp_open() - open the relay port
 *
 * The port shows up a little after boot, once the host has announced it,
 * and has one user at a time: wait for it to show and for another program
 * that has it open, up to 30 seconds.
 *
 * Return: a file descriptor, -ENODEV if the guest has no such port, or a
 * negative errno.
 */
int zpci_qmp_open(void)
{
	uint64_t end = now_ms() + OPEN_TIMEOUT_MS;
	struct timespec pause = { .tv_nsec = 10000000 };
	char dev[PATH_MAX];
	int fd, ret;

	while ((ret = port_path(dev, sizeof(dev))) && now_ms() < end)
		nanosleep(&pause, NULL);
	if (ret)
		return ret;
	for (;;) {
		fd = open(dev, O_RDWR | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno != EBUSY || now_ms() >= end)
			return -errno;
		nanosleep(&pause, NULL);
	}
}

/*
 * Read lines from the port until one holds @tag (the command's id); a
 * reply to an earlier program's command that it did not wait for is
 * skipped.
 */
static int read_reply(int fd, const char *tag, char *reply, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t end = now_ms() + REPLY_TIMEOUT_MS;
	size_t have = 0;
	char *nl;
	ssize_t n;
	int ret;

	for (;;) {
		while ((nl = memchr(reply, '\n', have))) {
			*nl = '\0';
			if (strstr(reply, tag))
				return 0;
			have -= nl + 1 - reply;
			memmove(reply, nl + 1, have);
		}
		if (have >= len - 1)
			return -EMSGSIZE;
		ret = poll(&pfd, 1, 100);
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret <= 0) {
			if (now_ms() >= end)
				return -ETIMEDOUT;
			continue;
		}
		n = read(fd, reply + have, len - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		have += n;
		reply[have] = '\0';
	}
}

/**
 * zpci_qmp_cmd() - send one QMP command and read its reply
 * @fd:		the relay port
 * @cmd:	the command, one JSON object without a newline and without
 *		an "id", which this function adds
 * @reply:	the reply, one JSON object
 * @len:	size of @reply
 *
 * Return: 0 if QEMU answered with "return", -EREMOTEIO if it answered
 * with "error", or a negative errno.
 */
int zpci_qmp_cmd(int fd, const char *cmd, char *reply, size_t len)
{
	static unsigned int seq;
	char tag[64];
	int ret;

	if (cmd[0] != '{')
		return -EINVAL;
	snprintf(tag, sizeof(tag), "\"zpci-qmp-%d-%u\"", (int)getpid(), ++seq);
	if (dprintf(fd, "{\"id\":%s,%s\n", tag, cmd + 1) < 0)
		return -EIO;
	ret = read_reply(fd, tag, reply, len);
	if (ret)
		return ret;
	if (strstr(reply, "\"return\""))
		return 0;
	return strstr(reply, "\"error\"") ? -EREMOTEIO : -EPROTO;
}

/**
 * zpci_qmp_qom_get() - read a property of a QOM object as text
 * @fd:		the relay port
 * @path:	the object, e.g. "/machine/peripheral/zpci1"
 * @prop:	property name
 * @val:	the value: a number or true/false as QMP writes it, a string
 *		without its quotes
 * @len:	size of @val
 *
 * Return: 0 or a negative errno.
 */
int zpci_qmp_qom_get(int fd, const char *path, const char *prop, char *val,
		     size_t len)
{
	char cmd[512], reply[4096], *p;
	size_t n;
	int ret;

	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"%s\",\"property\":\"%s\"}}",
		 path, prop);
	ret = zpci_qmp_cmd(fd, cmd, reply, sizeof(reply));
	if (ret)
		return ret;
	p = strstr(reply, "\"return\":");
	if (!p)
		return -EPROTO;
	p += strlen("\"return\":");
	p += strspn(p, " ");
	if (*p == '"')
		n = strcspn(++p, "\"");
	else
		n = strcspn(p, ",} \r\n");
	if (!n || n >= len)
		return -EPROTO;
	memcpy(val, p, n);
	val[n] = '\0';
	return 0;
}

/**
 * zpci_qmp_qom_set() - set a property of a QOM object
 * @fd:		the relay port
 * @path:	the object
 * @prop:	property name
 * @json:	the value as JSON: a number, true or false, or a quoted string
 *
 * Return: 0 or a negative errno.
 */
int zpci_qmp_qom_set(int fd, const char *path, const char *prop,
		     const char *json)
{
	char cmd[512], reply[4096];

	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"%s\",\"property\":\"%s\",\"value\":%s}}",
		 path, prop, json);
	return zpci_qmp_cmd(fd, cmd, reply, sizeof(reply));
}

/**
 * zpci_qmp_qom_get_u64_at() - read an integer property of a QOM object
 * @fd:		the relay port
 * @path:	the object
 * @prop:	property name
 * @val:	the value
 *
 * Return: 0 or a negative errno (-EPROTO if the value is no integer).
 */
int zpci_qmp_qom_get_u64_at(int fd, const char *path, const char *prop,
			    uint64_t *val)
{
	char text[32], *end;
	int ret;

	ret = zpci_qmp_qom_get(fd, path, prop, text, sizeof(text));
	if (ret)
		return ret;
	errno = 0;
	*val = strtoull(text, &end, 10);
	return errno || *end ? -EPROTO : 0;
}

/**
 * zpci_qmp_zpci_path() - the QOM path of a zpci device
 * @fid:	function id; the bench names its zpci device "zpci<fid>"
 * @path:	the path
 * @len:	room in @path
 */
void zpci_qmp_zpci_path(uint32_t fid, char *path, size_t len)
{
	snprintf(path, len, "/machine/peripheral/zpci%u", fid);
}

/**
 * zpci_qmp_qom_get_u64() - read an integer property of a zpci device
 * @fd:		the relay port
 * @fid:	function id; the bench names its zpci device "zpci<fid>"
 * @prop:	property name, e.g. "pcistb-count"
 * @val:	the value
 *
 * Return: 0 or a negative errno.
 */
int zpci_qmp_qom_get_u64(int fd, uint32_t fid, const char *prop,
			 uint64_t *val)
{
	char path[64];

	zpci_qmp_zpci_path(fid, path, sizeof(path));
	return zpci_qmp_qom_get_u64_at(fd, path, prop, val);
}

/**
 * zpci_qmp_target() - the QOM path of the PCI device behind a zpci device
 * @fd:		the relay port
 * @fid:	function id; the bench names its zpci device "zpci<fid>"
 * @path:	the PCI device's path, from the zpci device's "target"
 * @len:	room in @path
 *
 * Return: 0 or a negative errno.
 */
int zpci_qmp_target(int fd, uint32_t fid, char *path, size_t len)
{
	char zpci[64], id[64];
	int ret;

	zpci_qmp_zpci_path(fid, zpci, sizeof(zpci));
	ret = zpci_qmp_qom_get(fd, zpci, "target", id, sizeof(id));
	if (ret)
		return ret;
	snprintf(path, len, "/machine/peripheral/%s", id);
	return 0;
}
