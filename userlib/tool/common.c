// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * What the commands of the rpcdev tool share beside the option parser:
 * messages, numbers, and opening a device, with errors that say what to
 * do about them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rpcdev.h"
#include "tool.h"

/* Where the module shows once it is loaded. */
#define TOOL_SYS_MODULE		"/sys/module/rpcdev"
/* What makes devices: a backend's module (rpcdev(4)). */
#define TOOL_BACKENDS_HINT						\
	"modprobe rpcdev_sim for a simulated device (or your device's "	\
	"backend module: rpcdev_ivshmem for QEMU's ivshmem-doorbell)"

void tool_error(const char *what, int err)
{
	fprintf(stderr, TOOL_NAME ": %s: %s\n", what, strerror(err));
}

int tool_parse_u64(const char *s, uint64_t max, uint64_t *val)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts "-1" as ULLONG_MAX: refuse any sign. */
	if (!*s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*val = v;
	return 0;
}

int tool_usage_error(const struct tool_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, TOOL_NAME "%s%s: ", cmd->stop_at_arg ? "" : " ",
		cmd->stop_at_arg ? "" : cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", cmd->usage);
	return EXIT_USAGE;
}

/* N of a path ".../rpcdevN", or -1 when its last part is not that. */
static long tool_node_index(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *p;

	base = base ? base + 1 : path;
	if (strncmp(base, "rpcdev", 6) || !base[6])
		return -1;
	for (p = base + 6; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	return strtol(base + 6, NULL, 10);
}

void tool_device_error(const char *path, int err)
{
	struct stat st;
	long n;

	switch (err) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		n = tool_node_index(path);
		tool_error(path, err);
		if (n < 0)
			return;
		if (stat(TOOL_SYS_MODULE, &st))
			fprintf(stderr, TOOL_NAME ": the rpcdev driver is not "
				"loaded: load it with a backend, "
				TOOL_BACKENDS_HINT "\n");
		else
			fprintf(stderr, TOOL_NAME ": the rpcdev driver has no "
				"device %ld: devices come from a backend, "
				TOOL_BACKENDS_HINT "; '" TOOL_NAME " info -a' "
				"lists those there are\n", n);
		return;
	case ENOTTY:
		fprintf(stderr, TOOL_NAME ": %s: not an rpcdev device (it "
			"does not answer rpcdev's ioctls)\n", path);
		return;
	case EACCES:
	case EPERM:
		tool_error(path, err);
		fprintf(stderr, TOOL_NAME ": rpcdev devices are for root and "
			"group rpcdev: add yourself (usermod -aG rpcdev $USER, "
			"then log in again); the group is given by the udev "
			"rule 60-rpcdev.rules, or without udev by rpcdev's "
			"module parameters (modprobe rpcdev group=GID "
			"mode=0660)\n");
		return;
	}
	tool_error(path, err);
}

int tool_open_queue(struct rpcdev *dev, const char *path, unsigned int qid,
		    unsigned int depth, unsigned int buf_size)
{
	return tool_open_queue_policy(dev, path, qid, depth, buf_size,
				      RPCDEV_WAIT_BLOCK);
}

int tool_open_queue_policy(struct rpcdev *dev, const char *path,
			   unsigned int qid, unsigned int depth,
			   unsigned int buf_size, unsigned int policy)
{
	int ret;

	ret = rpcdev_open(dev, path);
	if (ret < 0) {
		tool_device_error(path, -ret);
		return EXIT_FAIL;
	}
	ret = rpcdev_queue_attach_policy(dev, qid, depth, buf_size, policy);
	if (ret < 0) {
		if (ret == -ENOTTY)
			tool_device_error(path, -ret);
		else
			fprintf(stderr, TOOL_NAME ": %s: queue %u: %s\n", path,
				qid, strerror(-ret));
		rpcdev_close(dev);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
