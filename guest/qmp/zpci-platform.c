// SPDX-License-Identifier: GPL-2.0
/*
 * zpci-platform - the platform hook of the series' zPCI selftests
 * (ZPCI_TEST_PLATFORM, see zpci_lib.h there) in the bench's guest: what
 * only the platform can tell or do, asked of QEMU through the host's QMP
 * (the qmp-relay port, zpci_qmp.c).
 *
 *   zpci-platform get FID PROP         print the value of PROP
 *   zpci-platform set FID PROP VALUE   set PROP to VALUE
 *   zpci-platform deconfigure FID      device_del of the function's PCI
 *                                      device, as an operator removes it
 *   zpci-platform configure FID        device_add of the function again
 *
 * FID is the function id in hex, as the hotplug slot names have it
 * (%08x). run-guest.sh names the zpci device of function id N "zpciN", N
 * in decimal, and the zpci device names its PCI device in its "target"
 * property. PROP is a QOM property of the zpci device (the access
 * counters such as pcistb-count, the fault injection x-fault-cc and
 * x-fault-status) or, where the zpci device has no such property, of its
 * PCI device (relaxed-alignment of s390-ism-test). A VALUE that is a
 * decimal number or true or false goes to QMP as such, anything else as a
 * string.
 *
 * deconfigure removes the PCI device, after which QEMU removes the zpci
 * device too; it returns once QEMU has the request, and the function goes
 * when the guest has let it go. It first records how the two devices were
 * made (ids, fid, uid, and the properties of an s390-ism-test) in
 * /tmp/zpci-platform/FID, from which configure adds them again; it
 * returns once QEMU has added them, and the guest sees the function come.
 *
 * Exit status: 0, 1 with the reason on standard error, 2 on bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "zpci_qmp.h"

#define STATE_DIR	"/tmp/zpci-platform"
#define ADD_TRIES	100
#define ADD_PAUSE_US	100000

/* The properties of an s390-ism-test that configure gives it again */
static const char * const ism_props[] = {
	"window-size", "msix-vectors", "relaxed-alignment", "chid", "gid",
};

static const char *prog = "zpci-platform";

static int usage(void)
{
	fprintf(stderr,
		"usage: %s get FID PROP | set FID PROP VALUE | deconfigure FID | configure FID\n",
		prog);
	return 2;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(-err));
	return 1;
}

/* A value for QMP: numbers and booleans as they are, the rest quoted */
static void json_value(const char *val, char *json, size_t len)
{
	size_t n = strspn(val, "0123456789");
	size_t i, j = 0;

	if ((val[0] && !val[n]) || !strcmp(val, "true") ||
	    !strcmp(val, "false")) {
		snprintf(json, len, "%s", val);
		return;
	}
	json[j++] = '"';
	for (i = 0; val[i] && j + 3 < len; i++) {
		if (val[i] == '"' || val[i] == '\\')
			json[j++] = '\\';
		json[j++] = val[i];
	}
	json[j++] = '"';
	json[j] = '\0';
}

/* The QOM paths of the zpci device of @fid and of its PCI device */
static int paths(int qmp, unsigned long fid, char *zpci, char *target,
		 size_t len)
{
	zpci_qmp_zpci_path(fid, zpci, len);
	return zpci_qmp_target(qmp, fid, target, len);
}

static int get(int qmp, unsigned long fid, const char *prop)
{
	char zpci[128], target[128], val[256];
	int ret;

	ret = paths(qmp, fid, zpci, target, sizeof(zpci));
	if (ret)
		return fail("no zpci device of that fid", ret);
	ret = zpci_qmp_qom_get(qmp, zpci, prop, val, sizeof(val));
	if (ret)
		ret = zpci_qmp_qom_get(qmp, target, prop, val, sizeof(val));
	if (ret)
		return fail(prop, ret);
	printf("%s\n", val);
	return 0;
}

static int set(int qmp, unsigned long fid, const char *prop, const char *val)
{
	char zpci[128], target[128], json[256];
	int ret;

	ret = paths(qmp, fid, zpci, target, sizeof(zpci));
	if (ret)
		return fail("no zpci device of that fid", ret);
	json_value(val, json, sizeof(json));
	ret = zpci_qmp_qom_set(qmp, zpci, prop, json);
	if (ret)
		ret = zpci_qmp_qom_set(qmp, target, prop, json);
	return ret ? fail(prop, ret) : 0;
}

static void state_path(char *path, size_t len, unsigned long fid)
{
	snprintf(path, len, STATE_DIR "/%08lx", fid);
}

static int deconfigure(int qmp, unsigned long fid)
{
	char zpci[128], target[128], path[64], val[64], json[96];
	char cmd[512], reply[4096];
	const char *id;
	unsigned int i;
	FILE *f;
	int ret;

	ret = paths(qmp, fid, zpci, target, sizeof(zpci));
	if (ret)
		return fail("no zpci device of that fid", ret);
	id = strrchr(target, '/') + 1;
	if (mkdir(STATE_DIR, 0700) && errno != EEXIST)
		return fail(STATE_DIR, -errno);
	state_path(path, sizeof(path), fid);
	f = fopen(path, "w");
	if (!f)
		return fail(path, -errno);
	/* One line per device: its driver, then its arguments as JSON */
	ret = zpci_qmp_qom_get(qmp, zpci, "uid", val, sizeof(val));
	if (!ret)
		fprintf(f, "zpci \"id\":\"zpci%lu\",\"fid\":%lu,\"uid\":%s,\"target\":\"%s\"\n",
			fid, fid, val, id);
	if (!ret)
		ret = zpci_qmp_qom_get(qmp, target, "type", val, sizeof(val));
	if (!ret)
		fprintf(f, "%s \"id\":\"%s\"", val, id);
	for (i = 0; !ret && !strcmp(val, "s390-ism-test") &&
	     i < sizeof(ism_props) / sizeof(ism_props[0]); i++) {
		char prop[64];

		ret = zpci_qmp_qom_get(qmp, target, ism_props[i], prop,
				       sizeof(prop));
		if (ret)
			break;
		json_value(prop, json, sizeof(json));
		fprintf(f, ",\"%s\":%s", ism_props[i], json);
	}
	if (!ret)
		fprintf(f, "\n");
	if (fclose(f) && !ret)
		ret = -errno;
	if (ret)
		return fail("recording the devices", ret);
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"%s\"}}", id);
	ret = zpci_qmp_cmd(qmp, cmd, reply, sizeof(reply));
	if (ret)
		fprintf(stderr, "%s: %s\n", prog, reply);
	return ret ? fail("device_del", ret) : 0;
}

static int configure(int qmp, unsigned long fid)
{
	char path[64], line[1024], cmd[1280], reply[4096], *args;
	int ret = 0, n = 0, tries;
	FILE *f;

	state_path(path, sizeof(path), fid);
	f = fopen(path, "r");
	if (!f)
		return fail("nothing recorded for that fid: deconfigure it first",
			    -errno);
	while (!ret && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		args = strchr(line, ' ');
		if (!args) {
			ret = -EINVAL;
			break;
		}
		*args++ = '\0';
		snprintf(cmd, sizeof(cmd),
			 "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"%s\",%s}}",
			 line, args);
		/*
		 * The guest may see the function go before QEMU has removed
		 * the devices: their ids and the fid are taken until then.
		 */
		for (tries = 0; tries < ADD_TRIES; tries++) {
			ret = zpci_qmp_cmd(qmp, cmd, reply, sizeof(reply));
			if (ret != -EREMOTEIO)
				break;
			usleep(ADD_PAUSE_US);
		}
		if (ret)
			fprintf(stderr, "%s: %s: %s\n", prog, line, reply);
		n++;
	}
	fclose(f);
	if (!ret && n != 2)
		ret = -EINVAL;
	if (ret)
		return fail("device_add", ret);
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long fid;
	char *end;
	int qmp, ret;

	if (argc < 3)
		return usage();
	errno = 0;
	fid = strtoul(argv[2], &end, 16);
	if (errno || end == argv[2] || *end || fid > 0xffffffffUL)
		return usage();
	if (!((!strcmp(argv[1], "get") && argc == 4) ||
	      (!strcmp(argv[1], "set") && argc == 5) ||
	      (!strcmp(argv[1], "deconfigure") && argc == 3) ||
	      (!strcmp(argv[1], "configure") && argc == 3)))
		return usage();
	qmp = zpci_qmp_open();
	if (qmp < 0)
		return fail("the qmp-relay port", qmp);
	if (!strcmp(argv[1], "get"))
		ret = get(qmp, fid, argv[3]);
	else if (!strcmp(argv[1], "set"))
		ret = set(qmp, fid, argv[3], argv[4]);
	else if (!strcmp(argv[1], "deconfigure"))
		ret = deconfigure(qmp, fid);
	else
		ret = configure(qmp, fid);
	close(qmp);
	return ret;
}
