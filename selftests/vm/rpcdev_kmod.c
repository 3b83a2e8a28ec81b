// SPDX-License-Identifier: GPL-2.0
/* Helpers for guest tests; see rpcdev_kmod.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rpcdev_kmod.h"
#include "rpcdev_util.h"

#define KMOD_POLL_MS		10
#define KMOD_SETTLE_MS		2000

const char *kmod_dir(void)
{
	const char *dir = getenv("RPCDEV_MODDIR");

	return dir && *dir ? dir : KMOD_DEFAULT_DIR;
}

static const struct kmod_backend kmod_backends[] = {
	{ .name = "sim", .module = KMOD_SIM, .sim = true },
	{ .name = "ivshmem", .module = KMOD_IVSHMEM },
};

const char *kmod_backend_env(void)
{
	const char *env = getenv(KMOD_BACKEND_ENV);

	return env ? env : "";
}

const struct kmod_backend *kmod_backend(void)
{
	const char *env = kmod_backend_env();
	size_t i;

	if (!*env)
		return &kmod_backends[0];
	for (i = 0; i < sizeof(kmod_backends) / sizeof(kmod_backends[0]); i++)
		if (!strcmp(env, kmod_backends[i].name))
			return &kmod_backends[i];
	return NULL;
}

/* The backend's module; rpcdev_sim's when the name is unknown. */
static const char *kmod_backend_module(void)
{
	const struct kmod_backend *b = kmod_backend();

	return b ? b->module : KMOD_SIM;
}

int kmod_load(const char *name, const char *params)
{
	char path[4096];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s.ko", kmod_dir(), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params ? params : "", 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

int kmod_unload(const char *name)
{
	if (syscall(SYS_delete_module, name, O_NONBLOCK))
		return -errno;
	return 0;
}

int kmod_unload_settle(const char *name)
{
	int waited, ret;

	for (waited = 0; ; waited += KMOD_POLL_MS) {
		ret = kmod_unload(name);
		if (ret == -ENOENT)
			return 0;
		if (ret != -EWOULDBLOCK && ret != -EBUSY)
			return ret;
		if (waited >= KMOD_SETTLE_MS)
			return ret;
		sleep_ms(KMOD_POLL_MS);
	}
}

int kmod_unload_stack(void)
{
	int ret, ret2;

	ret = kmod_unload_settle(kmod_backend_module());
	ret2 = kmod_unload_settle(KMOD_CORE);
	return ret ? ret : ret2;
}

int kmod_load_stack(const char *core_params, const char *sim_params)
{
	const struct kmod_backend *b = kmod_backend();
	int ret;

	if (!b)
		return -EINVAL;
	ret = kmod_unload_stack();
	if (ret)
		return ret;
	ret = kmod_load(KMOD_CORE, core_params);
	if (ret || !sim_params)
		return ret;
	ret = kmod_load_backend(sim_params);
	if (ret)
		kmod_unload_settle(KMOD_CORE);
	return ret;
}

int kmod_load_backend(const char *sim_params)
{
	const struct kmod_backend *b = kmod_backend();

	if (!b)
		return -EINVAL;
	return kmod_load(b->module, b->sim ? sim_params : "");
}

int kmod_remove_devices(void)
{
	return kmod_unload(kmod_backend_module());
}

/* Set in the test process only: the parent never runs the setup. */
static pid_t kmod_test_pid;

void kmod_mark_test_process(void)
{
	kmod_test_pid = getpid();
}

bool kmod_in_test_process(void)
{
	return kmod_test_pid == getpid();
}

void kmod_dev_path(char *buf, size_t len, unsigned int index)
{
	snprintf(buf, len, "/dev/rpcdev%u", index);
}

int kmod_wait_path(const char *path, bool exist, int timeout_ms)
{
	struct stat st;
	int waited;

	for (waited = 0; ; waited += KMOD_POLL_MS) {
		bool found = stat(path, &st) == 0;

		if (found == exist)
			return 0;
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		sleep_ms(KMOD_POLL_MS);
	}
}

/* Child side of kmod_open_as(): exit status 0, or the errno that failed. */
static void __attribute__((noreturn))
kmod_open_as_child(const char *path, uid_t uid, gid_t gid,
		   const gid_t *groups, size_t ngroups)
{
	int fd;

	if (setgroups(ngroups, groups) || setgid(gid) || setuid(uid))
		_exit(errno);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		_exit(errno);
	close(fd);
	_exit(0);
}

int kmod_open_as(const char *path, uid_t uid, gid_t gid,
		 const gid_t *groups, size_t ngroups)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		kmod_open_as_child(path, uid, gid, groups, ngroups);
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	if (!WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

int kmod_sim_param(const char *name, long value)
{
	char path[128], val[24];

	snprintf(path, sizeof(path), "/sys/module/" KMOD_SIM "/parameters/%s",
		 name);
	snprintf(val, sizeof(val), "%ld", value);
	return write_text(path, val);
}
