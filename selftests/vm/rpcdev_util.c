// SPDX-License-Identifier: GPL-2.0
/* Small helpers every guest suite uses; see rpcdev_util.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "rpcdev_util.h"
#include "run_tool.h"

void sleep_us(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000,
			       .tv_nsec = (us % 1000000) * 1000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

void sleep_ms(int ms)
{
	sleep_us(ms * 1000L);
}

long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

int map_errno(int fd, size_t len, int prot, __u64 off, void **addr)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, (off_t)off);

	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

void *unmapped_address(void)
{
	void *p = mmap(NULL, page_size(), PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, page_size());
	return p;
}

static void on_signal(int sig)
{
	(void)sig;
}

int catch_signal(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL) ? -errno : 0;
}

int poll_events(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n = poll(&pfd, 1, timeout_ms);

	if (n < 0)
		return -errno;
	return n ? pfd.revents : 0;
}

int epoll_watch(int fd, unsigned int events)
{
	struct epoll_event ev = { .events = events };
	int ep, err;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return -errno;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
		err = -errno;
		close(ep);
		return err;
	}
	return ep;
}

int epoll_wait_once(int ep, int timeout_ms)
{
	struct epoll_event got = { 0 };
	int n;

	n = epoll_wait(ep, &got, 1, timeout_ms);
	return n < 0 ? -errno : n ? (int)got.events : 0;
}

int epoll_events(int fd, unsigned int events, int timeout_ms)
{
	int ep, n;

	ep = epoll_watch(fd, events);
	if (ep < 0)
		return ep;
	n = epoll_wait_once(ep, timeout_ms);
	close(ep);
	return n;
}

int wait_word(const volatile __u32 *p, __u32 want)
{
	int waited;

	for (waited = 0; ; waited += UTIL_POLL_MS) {
		if (__atomic_load_n(p, __ATOMIC_ACQUIRE) == want)
			return 0;
		if (waited >= WAIT_MS)
			return -ETIMEDOUT;
		sleep_ms(UTIL_POLL_MS);
	}
}

int wait_word_min(const volatile __u32 *p, __u32 want)
{
	int waited;

	for (waited = 0; ; waited += UTIL_POLL_MS) {
		if ((__s32)(__atomic_load_n(p, __ATOMIC_ACQUIRE) - want) >= 0)
			return 0;
		if (waited >= WAIT_MS)
			return -ETIMEDOUT;
		sleep_ms(UTIL_POLL_MS);
	}
}

const struct rpcdev_dev_ctrl *device_ctrl(struct rpcdev *dev)
{
	return rpcdev_queue_part(dev, RPCDEV_OFF_DEV, NULL);
}

unsigned int host_ur_prod(struct rpcdev *dev)
{
	const struct rpcdev_host_ctrl *h =
		rpcdev_queue_part(dev, RPCDEV_OFF_HOST, NULL);

	return __atomic_load_n(&h->ur_prod.val, __ATOMIC_ACQUIRE);
}

unsigned int host_uq_cons(struct rpcdev *dev)
{
	const struct rpcdev_host_ctrl *h =
		rpcdev_queue_part(dev, RPCDEV_OFF_HOST, NULL);

	return __atomic_load_n(&h->uq_cons.val, __ATOMIC_ACQUIRE);
}

int wait_thread_sleeping(pid_t tid)
{
	char path[64], buf[512], *p;
	int waited, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	for (waited = 0; ; waited += UTIL_POLL_MS) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			buf[n > 0 ? n : 0] = '\0';
			/* "pid (comm) S ...": the state follows the last ')'. */
			p = strrchr(buf, ')');
			if (p && p[1] == ' ' && p[2] == 'S')
				return 0;
		}
		if (waited >= WAIT_MS)
			return -ETIMEDOUT;
		sleep_ms(UTIL_POLL_MS);
	}
}

const char *guest_tool(void)
{
	static const char *const candidates[] = {
		"/bin/rpcdev", "/sbin/rpcdev", "/usr/bin/rpcdev",
		"/usr/sbin/rpcdev", "/usr/local/bin/rpcdev", NULL,
	};

	return run_tool_find(candidates);
}

int guest_tool_run(struct run_result *res, const char *const *args)
{
	return guest_tool_run_opts(res, NULL, args);
}

int guest_tool_run_opts(struct run_result *res, const struct run_opts *opts,
			const char *const *args)
{
	char *argv[9] = { NULL };
	int i;

	argv[0] = (char *)guest_tool();
	if (!argv[0])
		return -ENOENT;
	for (i = 0; args[i] && i < 7; i++)
		argv[i + 1] = (char *)args[i];
	return run_capture_opts(argv, opts, res);
}

int has_line(const char *text, const char *line)
{
	size_t len = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if (p == text || p[-1] == '\n')
			return 1;
		p += len;
	}
	return 0;
}

int fork_until_ready(void (*child)(int ready, void *arg), void *arg,
		     bool kill_it)
{
	int status, ret, pipefd[2];
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return ret;
	}
	if (pid == 0) {
		child(pipefd[1], arg);
		_exit(EBADE);
	}
	close(pipefd[1]);
	ret = poll_events(pipefd[0], POLLIN, WAIT_MS);
	ret = ret < 0 ? ret : ret & POLLIN ? 0 : -ETIMEDOUT;
	close(pipefd[0]);
	if (kill_it)
		kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	if (kill_it && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		return ret;
	if (WIFEXITED(status) && WEXITSTATUS(status))
		return -WEXITSTATUS(status);
	return kill_it || !WIFEXITED(status) ? -ECHILD : ret;
}

int write_text(const char *path, const char *text)
{
	ssize_t len = strlen(text);
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/* 0, -errno, or -EOPNOTSUPP where the kernel has no userfaultfd. */
int stalled_page_init(struct stalled_page *sp)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };

	sp->size = sysconf(_SC_PAGESIZE);
	sp->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (sp->uffd < 0)
		return errno == ENOSYS ? -EOPNOTSUPP : -errno;
	sp->page = mmap(NULL, sp->size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sp->page == MAP_FAILED) {
		close(sp->uffd);
		return -ENOMEM;
	}
	reg.range.start = (uintptr_t)sp->page;
	reg.range.len = sp->size;
	if (ioctl(sp->uffd, UFFDIO_API, &api) ||
	    ioctl(sp->uffd, UFFDIO_REGISTER, &reg)) {
		int ret = -errno;

		munmap(sp->page, sp->size);
		close(sp->uffd);
		return ret;
	}
	return 0;
}

/* Wait until someone touches the page: 0, or -ETIMEDOUT. */
int stalled_page_touched(struct stalled_page *sp)
{
	struct pollfd pfd = { .fd = sp->uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&pfd, 1, WAIT_MS) != 1)
		return -ETIMEDOUT;
	if (read(sp->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		return -EPROTO;
	return 0;
}

/* Fill the page with @len bytes of @src (zeros after): the toucher goes on. */
int stalled_page_release(struct stalled_page *sp, const void *src,
				size_t len)
{
	struct uffdio_copy copy = {
		.dst = (uintptr_t)sp->page,
		.len = sp->size,
	};
	unsigned char *buf = calloc(1, sp->size);
	int ret;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, src, len);
	copy.src = (uintptr_t)buf;
	ret = ioctl(sp->uffd, UFFDIO_COPY, &copy) ? -errno : 0;
	free(buf);
	return ret;
}

void stalled_page_fini(struct stalled_page *sp)
{
	munmap(sp->page, sp->size);
	close(sp->uffd);
}

unsigned int stress_tenth(unsigned int max)
{
	const char *s = getenv("RPCDEV_STRESS_COUNT");
	unsigned long n;

	if (!s || !*s)
		return max;
	n = strtoul(s, NULL, 10) / 10;
	return n < 100 || n > max ? max : (unsigned int)n;
}
