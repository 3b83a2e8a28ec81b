// SPDX-License-Identifier: GPL-2.0
/*
 * Just enough of QEMU's machine protocol (QMP) to remove a device from the
 * running guest: the greeting, qmp_capabilities, device_del. What QEMU
 * answers is read and checked for an error, nothing more: the removal
 * itself completes when the guest lets the device go.
 */
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ivfw.h"

/* Read until a line that is a reply ("return" or "error"), or time out. */
static int ivfw_qmp_reply(int fd)
{
	char buf[4096];
	size_t len = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char *nl;
		ssize_t n;

		if (poll(&p, 1, 5000) <= 0)
			return -ETIMEDOUT;
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return n ? -errno : -ECONNRESET;
		len += n;
		buf[len] = 0;
		while ((nl = strchr(buf, '\n'))) {
			bool err, ret;

			*nl = 0;
			err = strstr(buf, "\"error\"");
			ret = strstr(buf, "\"return\"");
			if (err)
				ivfw_warn("qmp: %s\n", buf);
			len -= nl + 1 - buf;
			memmove(buf, nl + 1, len + 1);
			if (err)
				return -EIO;
			if (ret)
				return 0;
		}
		if (len == sizeof(buf) - 1)
			len = 0;	/* an event longer than the buffer */
	}
}

/* The greeting is {"QMP": ...} on a line of its own, with no "return". */
static int ivfw_qmp_greeting(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	do {
		if (poll(&p, 1, 5000) <= 0)
			return -ETIMEDOUT;
		if (read(fd, &c, 1) != 1)
			return -ECONNRESET;
	} while (c != '\n');
	return 0;
}

static int ivfw_qmp_send(int fd, const char *cmd)
{
	size_t len = strlen(cmd);

	return write(fd, cmd, len) == (ssize_t)len ? ivfw_qmp_reply(fd) :
	       -errno;
}

/**
 * ivfw_qmp_device_del() - ask QEMU to remove a device.
 * @path:	QEMU's QMP socket (-qmp unix:PATH,server=on,wait=off).
 * @id:		the device's id (-device ...,id=ID).
 *
 * Return: 0 once QEMU took the request, or a negative errno.
 */
int ivfw_qmp_device_del(const char *path, const char *id)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char cmd[256];
	int fd, ret;

	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return -EINVAL;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		goto out;
	}
	ret = ivfw_qmp_greeting(fd);
	if (!ret)
		ret = ivfw_qmp_send(fd, "{\"execute\": \"qmp_capabilities\"}\n");
	if (ret)
		goto out;
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"%s\"}}\n",
		 id);
	ret = ivfw_qmp_send(fd, cmd);
out:
	close(fd);
	return ret;
}
