// SPDX-License-Identifier: GPL-2.0
/* Helpers for tests of the rpcdev tool; see run_tool.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run_tool.h"

const char *run_tool_find(const char *const *candidates)
{
	const char *env = getenv("RPCDEV_TOOL");

	if (env && *env)
		return env;
	for (; candidates && *candidates; candidates++)
		if (access(*candidates, X_OK) == 0)
			return *candidates;
	return NULL;
}

/* Child side of run_capture(): never returns. */
static void __attribute__((noreturn))
run_child(char *const argv[], int out_fd, int err_fd,
	  const struct run_opts *opts, const char *err_tty)
{
	int null_fd = open("/dev/null", O_RDONLY);

	if (err_tty) {
		setsid();	/* the terminal's session, not the caller's */
		err_fd = open(err_tty, O_RDWR);
	}
	if (null_fd < 0 || err_fd < 0 || dup2(null_fd, 0) < 0 ||
	    dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		_exit(127);
	if (opts && opts->env && putenv((char *)opts->env))
		_exit(127);
	if (opts && opts->as_user &&
	    (setgroups(0, NULL) || setgid(opts->gid) || setuid(opts->uid)))
		_exit(127);
	execv(argv[0], argv);
	_exit(127);
}

/* A pseudo-terminal's master (close-on-exec), its slave's name in @name. */
static int run_open_pty(char *name, size_t len)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (grantpt(fd) || unlockpt(fd) || ptsname_r(fd, name, len)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

/* Append what @fd has to @buf (holding *@len bytes); 1 at EOF. */
static int run_drain(int fd, char *buf, size_t *len)
{
	char scratch[512];
	size_t room = RUN_OUT_MAX - 1 - *len;
	ssize_t n;

	n = read(fd, room ? buf + *len : scratch, room ? room : sizeof(scratch));
	/* A terminal's master reads EIO once its slave is closed: the end. */
	if (n < 0 && errno == EIO)
		return 1;
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (n == 0)
		return 1;
	if (room)
		*len += n;
	buf[*len] = '\0';
	return 0;
}

/* Read both pipes until both reach EOF. */
static int run_collect(int out_fd, int err_fd, struct run_result *res)
{
	struct pollfd pfd[2] = {
		{ .fd = out_fd, .events = POLLIN },
		{ .fd = err_fd, .events = POLLIN },
	};
	size_t len[2] = { 0, 0 };
	char *buf[2] = { res->out, res->err };
	int i, ret;

	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			ret = run_drain(pfd[i].fd, buf[i], &len[i]);
			if (ret == 1)
				pfd[i].fd = -1;
			else if (ret < 0)
				return ret;
		}
	}
	return 0;
}

int run_capture(char *const argv[], struct run_result *res)
{
	return run_capture_opts(argv, NULL, res);
}

int run_capture_opts(char *const argv[], const struct run_opts *opts,
		     struct run_result *res)
{
	int out[2], err[2], status, ret;
	char tty[64];
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (pipe2(out, O_CLOEXEC))
		return -errno;
	if (opts && opts->err_tty) {
		err[0] = run_open_pty(tty, sizeof(tty));
		err[1] = -1;
		ret = err[0] < 0 ? err[0] : 0;
	} else {
		ret = pipe2(err, O_CLOEXEC) ? -errno : 0;
	}
	if (ret) {
		close(out[0]);
		close(out[1]);
		return ret;
	}
	pid = fork();
	if (pid == 0)
		run_child(argv, out[1], err[1], opts,
			  opts && opts->err_tty ? tty : NULL);
	ret = pid < 0 ? -errno : 0;
	close(out[1]);
	if (err[1] >= 0)
		close(err[1]);
	if (!ret)
		ret = run_collect(out[0], err[0], res);
	/* Closing the read ends first: a child still writing gets EPIPE. */
	close(out[0]);
	close(err[0]);
	if (pid < 0)
		return ret;
	if (waitpid(pid, &status, 0) != pid)
		return ret ? ret : -errno;
	res->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return ret;
}
