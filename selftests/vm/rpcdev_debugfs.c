// SPDX-License-Identifier: GPL-2.0
/* Helpers for guest tests: the driver's debugfs files; see rpcdev_debugfs.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "rpcdev_debugfs.h"
#include "rpcdev_util.h"

#define DBGFS_MAGIC		0x64626720	/* DEBUGFS_MAGIC */
#define DBGFS_FILE_MAX		4096		/* a queue file is ~150 bytes */

int dbgfs_mount(void)
{
	struct statfs sf;

	if (statfs(DBGFS_ROOT, &sf))
		return -errno;
	if (sf.f_type == DBGFS_MAGIC)
		return 0;
	if (mount("debugfs", DBGFS_ROOT, "debugfs", 0, NULL))
		return -errno;
	return 0;
}

void dbgfs_queue_path(char *buf, size_t len, unsigned int minor,
		      unsigned int qid)
{
	snprintf(buf, len, DBGFS_ROOT "/rpcdev/rpcdev%u/q%u", minor, qid);
}

void dbgfs_sim_queue_path(char *buf, size_t len, unsigned int dev,
			  unsigned int qid)
{
	snprintf(buf, len, DBGFS_ROOT "/rpcdev_sim/rpcdev_sim.%u/q%u", dev, qid);
}

/* The whole of @path, NUL-terminated, into @buf of @len bytes. */
static int dbgfs_slurp(const char *path, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	return 0;
}

int dbgfs_read_key(const char *path, const char *key,
		   unsigned long long *val)
{
	char buf[DBGFS_FILE_MAX], *line, *save = NULL;
	size_t klen = strlen(key);
	int ret;

	ret = dbgfs_slurp(path, buf, sizeof(buf));
	if (ret)
		return ret;

	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long v;
		char *end;

		if (strncmp(line, key, klen) || line[klen] != ' ')
			continue;
		errno = 0;
		v = strtoull(line + klen + 1, &end, 0);
		if (errno || end == line + klen + 1 || *end)
			return -EINVAL;
		*val = v;
		return 0;
	}
	return -ENOENT;
}

unsigned long long dbg(const char *path, const char *key)
{
	unsigned long long v;

	return dbgfs_read_key(path, key, &v) ? ~0ULL : v;
}

/* Wait for @key to reach @want: exactly (@at_least false) or at least. */
static int dbgfs_wait(const char *path, const char *key,
		      unsigned long long want, int timeout_ms, int at_least)
{
	unsigned long long v;
	int waited;

	for (waited = 0; ; waited += DBGFS_POLL_MS) {
		if (!dbgfs_read_key(path, key, &v) &&
		    (v == want || (at_least && v > want)))
			return 0;
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		sleep_ms(DBGFS_POLL_MS);
	}
}

int dbgfs_wait_key(const char *path, const char *key, unsigned long long want,
		   int timeout_ms)
{
	return dbgfs_wait(path, key, want, timeout_ms, 0);
}

int dbgfs_wait_key_min(const char *path, const char *key,
		       unsigned long long want, int timeout_ms)
{
	return dbgfs_wait(path, key, want, timeout_ms, 1);
}
