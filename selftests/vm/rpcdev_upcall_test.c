// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev upcalls, the device calling the host, against rpcdev_sim, run as
 * root inside the test VM: RPCDEV_SIM_UPCALLS served by librpcdev's
 * rpcdev_serve() (payloads read and written in place), sync and async
 * upcalls and their order, a host error raised on the device, servers
 * killed with an upcall pending or taken, every error of
 * RPCDEV_IOC_REPLY_AND_WAIT, EPOLLIN, removal of the device under a
 * waiting server, and the "rpcdev upcalls" and "rpcdev serve" commands.
 *
 * The fixture loads rpcdev and rpcdev_sim (one device, four queues) and
 * opens /dev/rpcdev0 without a queue; its teardown runs in the harness's
 * parent process and fails the test if a module cannot be unloaded (a
 * leaked reference), except after a failed ASSERT (see
 * kmod_in_test_process()).
 *
 * The simulated device's per-queue counters over all attachments are in
 * /sys/kernel/debug/rpcdev_sim/rpcdev_sim.0/qN ("upcalls" made,
 * "no_server" answers seen), the core's per-attachment ones in
 * /sys/kernel/debug/rpcdev/rpcdev0/qN ("upcalls" delivered to servers).
 * Tests wait for them in bounded polling loops; no test asserts how long
 * anything takes. Every wait for an upcall or an answer has a generous
 * timeout, so a lost message fails the test with ETIMEDOUT, not a hang.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
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
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_debugfs.h"
#include "rpcdev_fixture.h"
#include "rpcdev_kmod.h"
#include "run_tool.h"

#define DEV_PATH	"/dev/rpcdev0"
#define MIB		(1U << 20)
#define NSEC_PER_MSEC	1000000ULL

/* Upper bound of every wait for the driver or the device, in ms. */
#define WAIT_MS		10000

/* Downcalls that must be answered: a lost answer fails, not hangs. */
#define CALL_TIMEOUT_NS	(30000 * NSEC_PER_MSEC)
/* How long the device waits for each upcall's answer. */
#define UPCALL_TIMEOUT_MS 5000
/* How long a server waits for the next upcall before it gives up. */
#define SERVE_TIMEOUT_NS (10000 * NSEC_PER_MSEC)

/* Methods the device calls on the host; any numbers do. */
#define METHOD_A	0x41
#define METHOD_B	0x42

/* Most upcalls one test's server records. */
#define LOG_MAX		64

/* A server that is slow enough that the device queues async upcalls. */
#define SLOW_SERVER_US	2000

/* ===================================================================== */
/* Helpers                                                               */
/* ===================================================================== */

static void sleep_us(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000,
			       .tv_nsec = (us % 1000000) * 1000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int reply_and_wait_raw(int fd, struct rpcdev_upcall *a)
{
	return ioctl(fd, RPCDEV_IOC_REPLY_AND_WAIT, a) ? -errno : 0;
}

/* An address that is certainly not mapped: a page mapped, then unmapped. */
static void *unmapped_address(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, pg);
	return p;
}

static void on_signal(int sig)
{
	(void)sig;
}

/* Install on_signal() for @sig with @flags (SA_RESTART or 0). */
static int catch_signal(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL) ? -errno : 0;
}

/*
 * Wait until thread @tid of this process sleeps (state S in
 * /proc/self/task/TID/stat), for up to WAIT_MS. 0 or -ETIMEDOUT.
 */
static int wait_thread_sleeping(pid_t tid)
{
	char path[64], buf[512], *p;
	int waited, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	for (waited = 0; ; waited += DBGFS_POLL_MS) {
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
		sleep_us(DBGFS_POLL_MS * 1000L);
	}
}

/* Read @key of the debugfs file @path; the value, or ~0ULL if unreadable. */
static unsigned long long dbg(const char *path, const char *key)
{
	unsigned long long v;

	return dbgfs_read_key(path, key, &v) ? ~0ULL : v;
}

/*
 * The payload of upcall n of RPCDEV_SIM_UPCALLS: n as a little-endian
 * __u64 in the first 8 bytes (when there are 8), then bytes (n + i) & 0xff.
 * Returns 1 and n (when the payload holds 8 bytes; else its low byte, or
 * ~0 for an empty payload) if @p has that shape, else 0.
 */
static int decode_pattern(const unsigned char *p, size_t len, uint64_t *n)
{
	uint64_t base;
	size_t i, start;

	*n = ~0ULL;
	if (!len)
		return 1;
	if (len >= 8) {
		memcpy(&base, p, 8);
		base = le64toh(base);
		start = 8;
	} else {
		base = p[0];
		start = 0;
	}
	for (i = start; i < len; i++)
		if (p[i] != (unsigned char)(base + i))
			return 0;
	*n = base;
	return 1;
}

/* ===================================================================== */
/* A server thread on top of rpcdev_serve(), recording what it saw        */
/* ===================================================================== */

struct seen {
	unsigned int method;
	unsigned int flags;
	size_t len;
	uint64_t n;		/* from the payload, see decode_pattern() */
	int pattern_ok;
};

struct server {
	struct rpcdev *dev;
	unsigned int want;		/* stop after this many upcalls */
	unsigned int nr_seen;
	struct seen log[LOG_MAX];
	long delay_us;			/* sleep this long in each upcall */
	const char *fail_name;		/* answer with this error */
	const char *fail_message;
	int ret;			/* what rpcdev_serve() returned */
	pthread_t thread;
};

static int server_handler(void *arg, const struct rpcdev_upcall_req *up,
			  struct rpcdev_upcall_reply *reply)
{
	struct server *s = arg;
	struct seen *e = &s->log[s->nr_seen < LOG_MAX ? s->nr_seen : LOG_MAX - 1];
	int ret = 0;

	e->method = up->method;
	e->flags = up->flags;
	e->len = up->len;
	e->pattern_ok = decode_pattern(up->data, up->len, &e->n);
	s->nr_seen++;
	if (s->delay_us)
		sleep_us(s->delay_us);

	if (s->fail_name) {
		ret = rpcdev_reply_error(up, reply, s->fail_name,
					 s->fail_message);
	} else {
		/* Echo, in place: from the UQ buffer into the UR buffer. */
		memcpy(up->reply, up->data, up->len);
		reply->len = up->len;
	}
	if (ret)
		return ret;
	return s->nr_seen >= s->want ? RPCDEV_SERVE_STOP : 0;
}

static void *server_main(void *arg)
{
	struct server *s = arg;

	s->ret = rpcdev_serve(s->dev, server_handler, s, SERVE_TIMEOUT_NS);
	return NULL;
}

/* An echo server on @dev that stops after @want upcalls, not started. */
static void server_init(struct server *s, struct rpcdev *dev, unsigned int want)
{
	memset(s, 0, sizeof(*s));
	s->dev = dev;
	s->want = want;
	s->ret = -EINPROGRESS;
}

/* Start the server described by @s. */
static int server_spawn(struct server *s)
{
	return -pthread_create(&s->thread, NULL, server_main, s);
}

/* Start an echo server on @dev that stops after @want upcalls. */
static int server_start(struct server *s, struct rpcdev *dev, unsigned int want)
{
	server_init(s, dev, want);
	return server_spawn(s);
}

/* As server_start(), failing every upcall with @name and @message. */
static int server_start_failing(struct server *s, struct rpcdev *dev,
				unsigned int want, const char *name,
				const char *message)
{
	server_init(s, dev, want);
	s->fail_name = name;
	s->fail_message = message;
	return server_spawn(s);
}

/* As server_start(), sleeping @delay_us in each upcall. */
static int server_start_slow(struct server *s, struct rpcdev *dev,
			     unsigned int want, long delay_us)
{
	server_init(s, dev, want);
	s->delay_us = delay_us;
	return server_spawn(s);
}

/* Wait for the server to stop; what rpcdev_serve() returned. */
static int server_join(struct server *s)
{
	pthread_join(s->thread, NULL);
	return s->ret;
}

/* ===================================================================== */
/* RPCDEV_SIM_UPCALLS downcalls                                           */
/* ===================================================================== */

/* What a run of RPCDEV_SIM_UPCALLS answered. */
struct run {
	struct rpcdev *dev;
	struct rpcdev_sim_upcalls req;
	struct rpcdev_call_result res;
	union {
		struct rpcdev_sim_upcall_result r;
		unsigned char bytes[256];
	} resp;
	int ret;
	pthread_t thread;
};

static void run_init(struct run *run, struct rpcdev *dev, unsigned int count,
		     unsigned int method, unsigned int size, unsigned int flags)
{
	memset(run, 0, sizeof(*run));
	run->dev = dev;
	run->req.count = htole32(count);
	run->req.method = htole32(method);
	run->req.size = htole32(size);
	run->req.flags = htole32(flags);
	run->req.timeout_ms = htole32(UPCALL_TIMEOUT_MS);
	run->ret = -EINPROGRESS;
}

/* Make the downcall; the result's fields in host byte order. */
static int run_call(struct run *run)
{
	struct rpcdev_sim_upcall_result *r = &run->resp.r;
	int ret;

	ret = rpcdev_call(run->dev, RPCDEV_SIM_UPCALLS, &run->req,
			  sizeof(run->req), run->resp.bytes,
			  sizeof(run->resp.bytes), CALL_TIMEOUT_NS, &run->res);
	if (!ret && run->res.status == RPCDEV_STATUS_OK) {
		r->done = le32toh(r->done);
		r->failed = le32toh(r->failed);
		r->no_server = le32toh(r->no_server);
		r->timed_out = le32toh(r->timed_out);
		r->mismatched = le32toh(r->mismatched);
		r->last_status = (__s32)le32toh(r->last_status);
	}
	return ret;
}

/*
 * Run and check the answer is a struct rpcdev_sim_upcall_result: 0, the
 * call's -errno, or -EPROTO for another answer.
 */
static int run_ok(struct run *run)
{
	int ret = run_call(run);

	if (ret)
		return ret;
	if (run->res.status != RPCDEV_STATUS_OK ||
	    run->res.resp_len != sizeof(run->resp.r))
		return -EPROTO;
	return 0;
}

static void *run_main(void *arg)
{
	struct run *run = arg;

	run->ret = run_call(run);
	return NULL;
}

/* Make the downcall in another thread. */
static int run_start(struct run *run)
{
	return -pthread_create(&run->thread, NULL, run_main, run);
}

static int run_join(struct run *run)
{
	pthread_join(run->thread, NULL);
	return run->ret;
}

/* ===================================================================== */
/* Fixture: rpcdev, rpcdev_sim with one device, /dev/rpcdev0 open (no    */
/* queue yet).                                                           */
/* ===================================================================== */

FIXTURE(upcall) {
	struct rpcdev dev;
	char q0[64];		/* the core's debugfs file of queue 0 */
	char sim_q0[96];	/* the sim's debugfs file of queue 0 */
};

FIXTURE_SETUP(upcall)
{
	const char *what;
	int ret;

	if (geteuid() != 0)
		SKIP(return, "loading modules needs root (run it in the test VM)");

	kmod_mark_test_process();
	ret = fixture_open_sim(&self->dev, &what);
	ASSERT_EQ(0, ret) TH_LOG("%s (modules from %s): %s", what, kmod_dir(),
				 strerror(-ret));
	dbgfs_queue_path(self->q0, sizeof(self->q0), 0, 0);
	dbgfs_sim_queue_path(self->sim_q0, sizeof(self->sim_q0), 0, 0);
}

FIXTURE_TEARDOWN_PARENT(upcall)
{
	/* After a failed ASSERT: the next setup unloads them (rpcdev_kmod.h). */
	if (kmod_in_test_process())
		return;
	EXPECT_EQ(0, kmod_unload_stack())
		TH_LOG("a module stayed loaded: a reference was leaked");
}

/* ===================================================================== */
/* Sync upcalls through rpcdev_serve()                                    */
/* ===================================================================== */

/* Upcalls per run of the size tests. */
#define SYNC_COUNT	4

/*
 * SYNC_COUNT sync upcalls of @size bytes with VERIFY, on a queue of depth 2
 * with 1 MiB buffers, served by an echo server; the run's answer in @run,
 * the server's log in @s.
 */
static void sync_run(struct __test_metadata *_metadata,
		     FIXTURE_DATA(upcall) *self, unsigned int size,
		     struct run *run, struct server *s)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 2, MIB));
	ASSERT_EQ(0, server_start(s, &self->dev, SYNC_COUNT));
	run_init(run, &self->dev, SYNC_COUNT, METHOD_A, size,
		 RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_ok(run))
		TH_LOG("status %d, %u bytes", run->res.status,
		       run->res.resp_len);
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(s));
}

/* The device counts every upcall answered, and every answer exact. */
static void check_sync_done(struct __test_metadata *_metadata,
			    FIXTURE_DATA(upcall) *self, unsigned int size)
{
	struct server s;
	struct run run;

	sync_run(_metadata, self, size, &run, &s);
	ASSERT_EQ(SYNC_COUNT, run.resp.r.done);
	ASSERT_EQ(0U, run.resp.r.failed);
	ASSERT_EQ(0U, run.resp.r.timed_out);
	ASSERT_EQ(0U, run.resp.r.mismatched);
}

/* The server saw each upcall: the method, the length, the payload. */
static void check_sync_seen(struct __test_metadata *_metadata,
			    FIXTURE_DATA(upcall) *self, unsigned int size)
{
	struct server s;
	struct run run;
	unsigned int i;

	sync_run(_metadata, self, size, &run, &s);
	ASSERT_EQ(SYNC_COUNT, s.nr_seen);
	for (i = 0; i < SYNC_COUNT; i++) {
		ASSERT_EQ(METHOD_A, s.log[i].method);
		ASSERT_EQ(0U, s.log[i].flags);
		ASSERT_EQ(size, s.log[i].len);
		ASSERT_TRUE(s.log[i].pattern_ok) TH_LOG("upcall %u", i);
		if (size)
			ASSERT_EQ(i, s.log[i].n);
	}
}

#define SYNC_SIZE_TESTS(name, size)					\
	TEST_F(upcall, sync_upcalls_of_##name##_are_all_answered_exactly) \
	{								\
		check_sync_done(_metadata, self, size);			\
	}								\
	TEST_F(upcall, sync_upcalls_of_##name##_reach_server_in_place)	\
	{								\
		check_sync_seen(_metadata, self, size);			\
	}

SYNC_SIZE_TESTS(0_bytes, 0)
SYNC_SIZE_TESTS(1_byte, 1)
SYNC_SIZE_TESTS(64_bytes, 64)
SYNC_SIZE_TESTS(4096_bytes, 4096)
SYNC_SIZE_TESTS(1mib, MIB)

TEST_F(upcall, sync_upcalls_are_counted_by_the_device)
{
	struct server s;
	struct run run;

	sync_run(_metadata, self, 64, &run, &s);
	ASSERT_EQ((unsigned long long)SYNC_COUNT, dbg(self->sim_q0, "upcalls"));
}

TEST_F(upcall, sync_upcalls_are_delivered_and_replied_once_each)
{
	struct server s;
	struct run run;

	sync_run(_metadata, self, 64, &run, &s);
	ASSERT_EQ((unsigned long long)SYNC_COUNT, dbg(self->q0, "upcalls"));
	ASSERT_EQ((unsigned long long)SYNC_COUNT, dbg(self->q0, "replies"));
}

/* A reply need not be written in place: the kernel copies reply_data. */
TEST_F(upcall, reply_copied_from_user_buffer_is_echoed_exactly)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	unsigned char copy[256];
	struct run run;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	run_init(&run, &self->dev, 1, METHOD_A, sizeof(copy),
		 RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_start(&run));
	ASSERT_EQ(0, rpcdev_upcall_wait(&self->dev, SERVE_TIMEOUT_NS, &up));
	ASSERT_EQ(sizeof(copy), up.len);
	memcpy(copy, up.data, sizeof(copy));
	memset(&reply, 0, sizeof(reply));
	reply.id = up.id;
	reply.len = sizeof(copy);
	reply.data = copy;		/* copied by the kernel, not in place */
	ASSERT_EQ(0, rpcdev_upcall_reply(&self->dev, &reply));
	ASSERT_EQ(0, run_join(&run));
	ASSERT_EQ(RPCDEV_STATUS_OK, run.res.status);
	ASSERT_EQ(1U, run.resp.r.done);
	ASSERT_EQ(0U, run.resp.r.mismatched);
}

/* ===================================================================== */
/* Async upcalls                                                         */
/* ===================================================================== */

#define ASYNC_COUNT	48	/* three times around a ring of 16 */

TEST_F(upcall, async_upcalls_reach_slow_server_strictly_in_order)
{
	struct server s;
	struct run run;
	unsigned int i;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, server_start_slow(&s, &self->dev, ASYNC_COUNT,
				       SLOW_SERVER_US));
	run_init(&run, &self->dev, ASYNC_COUNT, METHOD_A, 16,
		 RPCDEV_SIM_UPCALL_ASYNC);
	ASSERT_EQ(0, run_ok(&run));
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(&s));
	ASSERT_EQ(ASYNC_COUNT, s.nr_seen);
	for (i = 0; i < ASYNC_COUNT; i++) {
		ASSERT_TRUE(s.log[i].pattern_ok) TH_LOG("upcall %u", i);
		ASSERT_EQ(i, s.log[i].n);
	}
}

TEST_F(upcall, async_upcalls_are_flagged_async)
{
	struct server s;
	struct run run;
	unsigned int i;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, server_start(&s, &self->dev, 8));
	run_init(&run, &self->dev, 8, METHOD_A, 16, RPCDEV_SIM_UPCALL_ASYNC);
	ASSERT_EQ(0, run_ok(&run));
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(&s));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(RPCDEV_ENTRY_ASYNC, s.log[i].flags);
}

TEST_F(upcall, async_upcalls_are_all_acknowledged)
{
	struct server s;
	struct run run;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, server_start_slow(&s, &self->dev, ASYNC_COUNT,
				       SLOW_SERVER_US));
	run_init(&run, &self->dev, ASYNC_COUNT, METHOD_A, 16,
		 RPCDEV_SIM_UPCALL_ASYNC);
	ASSERT_EQ(0, run_ok(&run));
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(&s));
	ASSERT_EQ(ASYNC_COUNT, run.resp.r.done);
	ASSERT_EQ(0U, run.resp.r.failed);
	ASSERT_EQ(0U, run.resp.r.timed_out);
}

/* An async upcall's answer is an acknowledgement, whatever it says. */
TEST_F(upcall, async_upcall_error_reply_is_only_an_acknowledgement)
{
	struct server s;
	struct run run;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, server_start_failing(&s, &self->dev, 4, "ValueError",
					  "bad value"));
	run_init(&run, &self->dev, 4, METHOD_A, 16, RPCDEV_SIM_UPCALL_ASYNC);
	ASSERT_EQ(0, run_ok(&run));
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(&s));
	ASSERT_EQ(4U, run.resp.r.done);
	ASSERT_EQ(0U, run.resp.r.failed);
}

/*
 * An async run (method A) and, made while it is under way, a sync run
 * (method B): the server sees every A before any B.
 */
TEST_F(upcall, async_upcalls_come_before_later_sync_upcalls)
{
	const unsigned int nr_async = 32, nr_sync = 4;
	struct run async_run, sync_run;
	struct server s;
	unsigned int i;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, server_start_slow(&s, &self->dev, nr_async + nr_sync,
				       SLOW_SERVER_US));
	run_init(&async_run, &self->dev, nr_async, METHOD_A, 16,
		 RPCDEV_SIM_UPCALL_ASYNC);
	run_init(&sync_run, &self->dev, nr_sync, METHOD_B, 16,
		 RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_start(&async_run));
	ASSERT_EQ(0, dbgfs_wait_key_min(self->sim_q0, "upcalls", 1, WAIT_MS));
	ASSERT_EQ(0, run_start(&sync_run));
	ASSERT_EQ(0, run_join(&async_run));
	ASSERT_EQ(0, run_join(&sync_run));
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(&s));

	ASSERT_EQ(nr_async + nr_sync, s.nr_seen);
	for (i = 0; i < nr_async; i++) {
		ASSERT_EQ(METHOD_A, s.log[i].method) TH_LOG("upcall %u", i);
		ASSERT_EQ(i, s.log[i].n);
	}
	for (; i < nr_async + nr_sync; i++) {
		ASSERT_EQ(METHOD_B, s.log[i].method) TH_LOG("upcall %u", i);
		ASSERT_EQ(i - nr_async, s.log[i].n);
	}
}

/* ===================================================================== */
/* A host error raised on the device                                      */
/* ===================================================================== */

static const char value_error[] = "ValueError\0bad value";	/* + its NUL */

/* One sync upcall failed by the server with ValueError: bad value. */
static void failed_run(struct __test_metadata *_metadata,
		       FIXTURE_DATA(upcall) *self, unsigned int count,
		       struct run *run)
{
	struct server s;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, server_start_failing(&s, &self->dev, 1, "ValueError",
					  "bad value"));
	run_init(run, &self->dev, count, METHOD_A, 16, 0);
	ASSERT_EQ(0, run_call(run));
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(&s));
}

TEST_F(upcall, host_error_gives_downcall_status_error)
{
	struct run run;

	failed_run(_metadata, self, 1, &run);
	ASSERT_EQ(RPCDEV_STATUS_ERROR, run.res.status);
}

TEST_F(upcall, host_error_sets_entry_error_flag)
{
	struct run run;

	failed_run(_metadata, self, 1, &run);
	ASSERT_EQ(RPCDEV_ENTRY_ERROR, run.res.flags);
}

TEST_F(upcall, host_error_payload_reaches_the_device_exactly)
{
	struct run run;

	failed_run(_metadata, self, 1, &run);
	ASSERT_EQ(sizeof(value_error), run.res.resp_len);
	ASSERT_EQ(0, memcmp(value_error, run.resp.bytes, sizeof(value_error)));
}

TEST_F(upcall, host_error_stops_the_device_run)
{
	struct run run;

	failed_run(_metadata, self, 3, &run);
	ASSERT_EQ(RPCDEV_STATUS_ERROR, run.res.status);
	ASSERT_EQ(1ULL, dbg(self->sim_q0, "upcalls"));
}

/* ===================================================================== */
/* A server killed with an upcall pending or taken                        */
/* ===================================================================== */

/*
 * A child attaches queue 0 and makes a downcall of one sync upcall from a
 * thread, and never answers; with @take it takes the upcall first
 * (rpcdev_upcall_wait()). Once the upcall is made (the sim's "upcalls 1")
 * or taken (the core's "upcalls 1"), the child is killed and reaped.
 * Returns 0 once that is done, else -errno (the child's exit status when
 * it could not get that far).
 */
static int kill_a_server(FIXTURE_DATA(upcall) *self, bool take)
{
	struct rpcdev_upcall_req up;
	struct rpcdev dev;
	int status, ret;
	struct run run;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (rpcdev_open(&dev, DEV_PATH) ||
		    rpcdev_queue_attach(&dev, 0, 0, 0))
			_exit(EBADE);
		run_init(&run, &dev, 1, METHOD_A, 16, 0);
		if (run_start(&run))
			_exit(EBADE);
		if (take && rpcdev_upcall_wait(&dev, SERVE_TIMEOUT_NS, &up))
			_exit(EBADE);
		for (;;)
			pause();
	}
	if (take)
		ret = dbgfs_wait_key(self->q0, "upcalls", 1, WAIT_MS);
	else
		ret = dbgfs_wait_key(self->sim_q0, "upcalls", 1, WAIT_MS);
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	if (ret)
		return ret;
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		return WIFEXITED(status) ? -WEXITSTATUS(status) : -ECHILD;
	return 0;
}

TEST_F(upcall, killed_server_with_pending_upcall_answers_no_server)
{
	ASSERT_EQ(0, kill_a_server(self, false));
	ASSERT_EQ(0, dbgfs_wait_key(self->sim_q0, "no_server", 1, WAIT_MS))
		TH_LOG("no_server %llu", dbg(self->sim_q0, "no_server"));
}

TEST_F(upcall, killed_server_with_taken_upcall_answers_no_server)
{
	ASSERT_EQ(0, kill_a_server(self, true));
	ASSERT_EQ(0, dbgfs_wait_key(self->sim_q0, "no_server", 1, WAIT_MS))
		TH_LOG("no_server %llu", dbg(self->sim_q0, "no_server"));
}

TEST_F(upcall, killed_server_leaves_no_upcall_to_time_out)
{
	ASSERT_EQ(0, kill_a_server(self, true));
	ASSERT_EQ(0, dbgfs_wait_key(self->sim_q0, "no_server", 1, WAIT_MS));
	ASSERT_EQ(0ULL, dbg(self->sim_q0, "upcall_timeouts"));
}

TEST_F(upcall, queue_serves_again_after_killed_server)
{
	struct server s;
	struct run run;

	ASSERT_EQ(0, kill_a_server(self, true));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "attached", 0, WAIT_MS));
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, server_start(&s, &self->dev, 2));
	run_init(&run, &self->dev, 2, METHOD_A, 64, RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_ok(&run));
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(&s));
	ASSERT_EQ(2U, run.resp.r.done);
	ASSERT_EQ(0U, run.resp.r.mismatched);
}

/* ===================================================================== */
/* RPCDEV_IOC_REPLY_AND_WAIT: argument errors                             */
/* ===================================================================== */

/* A WAIT with a short timeout: no upcall is ever made in these tests. */
static void wait_arg(struct rpcdev_upcall *a)
{
	memset(a, 0, sizeof(*a));
	a->flags = RPCDEV_UPCALL_WAIT;
	a->timeout_ns = 1;
}

TEST_F(upcall, wait_without_queue_gives_einval)
{
	struct rpcdev_upcall a;

	wait_arg(&a);
	ASSERT_EQ(-EINVAL, reply_and_wait_raw(rpcdev_fd(&self->dev), &a));
}

TEST_F(upcall, flags_0_gives_einval)
{
	struct rpcdev_upcall a;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	wait_arg(&a);
	a.flags = 0;
	ASSERT_EQ(-EINVAL, reply_and_wait_raw(rpcdev_fd(&self->dev), &a));
}

TEST_F(upcall, unknown_flag_gives_einval)
{
	struct rpcdev_upcall a;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	wait_arg(&a);
	a.flags |= 1U << 2;
	ASSERT_EQ(-EINVAL, reply_and_wait_raw(rpcdev_fd(&self->dev), &a));
}

TEST_F(upcall, pad_set_gives_einval)
{
	struct rpcdev_upcall a;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	wait_arg(&a);
	a.pad = 1;
	ASSERT_EQ(-EINVAL, reply_and_wait_raw(rpcdev_fd(&self->dev), &a));
}

TEST_F(upcall, first_reserved_word_set_gives_einval)
{
	struct rpcdev_upcall a;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	wait_arg(&a);
	a.reserved[0] = 1;
	ASSERT_EQ(-EINVAL, reply_and_wait_raw(rpcdev_fd(&self->dev), &a));
}

TEST_F(upcall, last_reserved_word_set_gives_einval)
{
	struct rpcdev_upcall a;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	wait_arg(&a);
	a.reserved[1] = 1ULL << 63;
	ASSERT_EQ(-EINVAL, reply_and_wait_raw(rpcdev_fd(&self->dev), &a));
}

TEST_F(upcall, unreadable_argument_gives_efault)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-EFAULT, ioctl(rpcdev_fd(&self->dev),
				 RPCDEV_IOC_REPLY_AND_WAIT,
				 unmapped_address()) ? -errno : 0);
}

TEST_F(upcall, reply_to_id_not_delivered_gives_einval)
{
	struct rpcdev_upcall_reply reply = { .id = 0 };

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-EINVAL, rpcdev_upcall_reply(&self->dev, &reply));
}

TEST_F(upcall, reply_to_id_past_depth_gives_einval)
{
	struct rpcdev_upcall_reply reply = { .id = 16 };

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 16, 0));
	ASSERT_EQ(-EINVAL, rpcdev_upcall_reply(&self->dev, &reply));
}

/*
 * Start a run of one sync upcall with VERIFY in @run and take the upcall
 * into @up, without answering it.
 */
static void take_one(struct __test_metadata *_metadata,
		     FIXTURE_DATA(upcall) *self, struct run *run,
		     struct rpcdev_upcall_req *up)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	run_init(run, &self->dev, 1, METHOD_A, 64, RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_start(run));
	ASSERT_EQ(0, rpcdev_upcall_wait(&self->dev, SERVE_TIMEOUT_NS, up));
}

/* Answer @up with its own request, in place. */
static int echo_reply(struct rpcdev *dev, const struct rpcdev_upcall_req *up)
{
	struct rpcdev_upcall_reply reply;

	memcpy(up->reply, up->data, up->len);
	memset(&reply, 0, sizeof(reply));
	reply.id = up->id;
	reply.len = up->len;
	return rpcdev_upcall_reply(dev, &reply);
}

/* The run in @run ended with its one upcall answered exactly: 0 or not. */
static int run_done_exactly(struct run *run)
{
	int ret = run_join(run);

	if (ret)
		return ret;
	if (run->res.status != RPCDEV_STATUS_OK || run->resp.r.done != 1 ||
	    run->resp.r.mismatched)
		return -EPROTO;
	return 0;
}

TEST_F(upcall, second_reply_to_same_upcall_gives_einval)
{
	struct rpcdev_upcall_req up;
	struct run run;
	int ret;

	take_one(_metadata, self, &run, &up);
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ret = echo_reply(&self->dev, &up);
	ASSERT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(-EINVAL, ret);
}

TEST_F(upcall, reply_len_above_buf_size_gives_e2big)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	struct run run;
	int ret;

	take_one(_metadata, self, &run, &up);
	memset(&reply, 0, sizeof(reply));
	reply.id = up.id;
	reply.len = rpcdev_queue_buf_size(&self->dev) + 1;
	ret = rpcdev_upcall_reply(&self->dev, &reply);
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ASSERT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(-E2BIG, ret);
}

TEST_F(upcall, upcall_stays_pending_after_e2big_reply)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	struct run run;

	take_one(_metadata, self, &run, &up);
	memset(&reply, 0, sizeof(reply));
	reply.id = up.id;
	reply.len = rpcdev_queue_buf_size(&self->dev) + 1;
	ASSERT_EQ(-E2BIG, rpcdev_upcall_reply(&self->dev, &reply));
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ASSERT_EQ(0, run_done_exactly(&run));
}

TEST_F(upcall, reply_flag_other_than_error_gives_einval)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	struct run run;
	int ret;

	take_one(_metadata, self, &run, &up);
	memset(&reply, 0, sizeof(reply));
	reply.id = up.id;
	reply.flags = RPCDEV_ENTRY_ASYNC;
	ret = rpcdev_upcall_reply(&self->dev, &reply);
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ASSERT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(-EINVAL, ret);
}

TEST_F(upcall, reply_with_a_status_of_the_kernels_gives_einval)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	struct run run;
	int ret;

	take_one(_metadata, self, &run, &up);
	memset(&reply, 0, sizeof(reply));
	reply.id = up.id;
	reply.status = RPCDEV_STATUS_NO_SERVER;
	ret = rpcdev_upcall_reply(&self->dev, &reply);
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ASSERT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(-EINVAL, ret);
}

TEST_F(upcall, unreadable_reply_data_gives_efault)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	struct run run;
	int ret;

	take_one(_metadata, self, &run, &up);
	memset(&reply, 0, sizeof(reply));
	reply.id = up.id;
	reply.len = up.len;
	reply.data = unmapped_address();
	ret = rpcdev_upcall_reply(&self->dev, &reply);
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ASSERT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(-EFAULT, ret);
}

TEST_F(upcall, upcall_stays_pending_after_efault_reply)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	struct run run;

	take_one(_metadata, self, &run, &up);
	memset(&reply, 0, sizeof(reply));
	reply.id = up.id;
	reply.len = up.len;
	reply.data = unmapped_address();
	ASSERT_EQ(-EFAULT, rpcdev_upcall_reply(&self->dev, &reply));
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ASSERT_EQ(0, run_done_exactly(&run));
}

/* A refused reply is not sent: nothing reaches the device. */
TEST_F(upcall, refused_reply_is_not_counted_as_sent)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	struct run run;
	unsigned long long replies;

	take_one(_metadata, self, &run, &up);
	memset(&reply, 0, sizeof(reply));
	reply.id = up.id;
	reply.len = up.len;
	reply.data = unmapped_address();
	ASSERT_EQ(-EFAULT, rpcdev_upcall_reply(&self->dev, &reply));
	replies = dbg(self->q0, "replies");
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ASSERT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(0ULL, replies);
}

/* ===================================================================== */
/* Waiting: timeout, signals, removal                                     */
/* ===================================================================== */

TEST_F(upcall, wait_without_upcall_gives_etimedout)
{
	struct rpcdev_upcall_req up;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-ETIMEDOUT, rpcdev_upcall_wait(&self->dev,
						 20 * NSEC_PER_MSEC, &up));
}

/* The reply half is done even when the wait half then times out. */
TEST_F(upcall, reply_and_wait_timing_out_still_sends_the_reply)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	struct run run;
	int ret;

	take_one(_metadata, self, &run, &up);
	memcpy(up.reply, up.data, up.len);
	memset(&reply, 0, sizeof(reply));
	reply.id = up.id;
	reply.len = up.len;
	ret = rpcdev_upcall_reply_and_wait(&self->dev, &reply,
					   20 * NSEC_PER_MSEC, &up);
	ASSERT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(-ETIMEDOUT, ret);
}

/* A server thread blocked in rpcdev_upcall_wait(), for signals and removal. */
struct waiter {
	struct rpcdev *dev;
	pid_t tid;
	int done;
	int ret;
	pthread_t thread;
};

static void *waiter_main(void *arg)
{
	struct rpcdev_upcall_req up;
	struct waiter *w = arg;

	__atomic_store_n(&w->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	w->ret = rpcdev_upcall_wait(w->dev, SERVE_TIMEOUT_NS, &up);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Start the waiter and wait until it sleeps in the kernel. */
static int waiter_start(struct waiter *w, struct rpcdev *dev)
{
	int waited, ret;

	memset(w, 0, sizeof(*w));
	w->dev = dev;
	w->ret = -EINPROGRESS;
	ret = pthread_create(&w->thread, NULL, waiter_main, w);
	if (ret)
		return -ret;
	for (waited = 0; !__atomic_load_n(&w->tid, __ATOMIC_ACQUIRE);
	     waited += DBGFS_POLL_MS) {
		if (waited >= WAIT_MS)
			return -ETIMEDOUT;
		sleep_us(DBGFS_POLL_MS * 1000L);
	}
	return wait_thread_sleeping(w->tid);
}

/*
 * Signal the waiter with SIGUSR1 until its wait returns (a signal that
 * came just before it entered the kernel would be lost); its result.
 */
static int waiter_interrupt(struct waiter *w)
{
	int waited;

	for (waited = 0; !__atomic_load_n(&w->done, __ATOMIC_ACQUIRE);
	     waited += DBGFS_POLL_MS) {
		if (waited >= WAIT_MS)
			break;
		pthread_kill(w->thread, SIGUSR1);
		sleep_us(DBGFS_POLL_MS * 1000L);
	}
	pthread_join(w->thread, NULL);
	return w->ret;
}

static int waiter_join(struct waiter *w)
{
	pthread_join(w->thread, NULL);
	return w->ret;
}

TEST_F(upcall, signal_during_wait_gives_eintr)
{
	struct waiter w;

	ASSERT_EQ(0, catch_signal(SIGUSR1, 0));
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, waiter_start(&w, &self->dev));
	ASSERT_EQ(-EINTR, waiter_interrupt(&w));
}

/* Restarting would repeat the reply half: SA_RESTART gets EINTR too. */
TEST_F(upcall, sa_restart_signal_during_wait_gives_eintr)
{
	struct waiter w;

	ASSERT_EQ(0, catch_signal(SIGUSR1, SA_RESTART));
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, waiter_start(&w, &self->dev));
	ASSERT_EQ(-EINTR, waiter_interrupt(&w));
}

TEST_F(upcall, wait_serves_again_after_eintr)
{
	struct server s;
	struct waiter w;
	struct run run;

	ASSERT_EQ(0, catch_signal(SIGUSR1, 0));
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, waiter_start(&w, &self->dev));
	ASSERT_EQ(-EINTR, waiter_interrupt(&w));
	ASSERT_EQ(0, server_start(&s, &self->dev, 1));
	run_init(&run, &self->dev, 1, METHOD_A, 64, RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_ok(&run));
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(&s));
	ASSERT_EQ(1U, run.resp.r.done);
}

/* Attach queue 0, start a waiter, unload rpcdev_sim; what the unload gave. */
static int unload_sim_during_wait(struct __test_metadata *_metadata,
				  FIXTURE_DATA(upcall) *self, struct waiter *w)
{
	EXPECT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	EXPECT_EQ(0, waiter_start(w, &self->dev));
	return kmod_unload(KMOD_SIM);
}

TEST_F(upcall, wait_at_removal_gives_enodev)
{
	struct waiter w;

	ASSERT_EQ(0, unload_sim_during_wait(_metadata, self, &w));
	ASSERT_EQ(-ENODEV, waiter_join(&w));
}

TEST_F(upcall, poll_after_removal_under_waiting_server_gives_pollhup)
{
	struct pollfd pfd = { .events = POLLIN | POLLPRI };
	struct waiter w;

	ASSERT_EQ(0, unload_sim_during_wait(_metadata, self, &w));
	ASSERT_EQ(-ENODEV, waiter_join(&w));
	pfd.fd = rpcdev_fd(&self->dev);
	ASSERT_EQ(1, poll(&pfd, 1, WAIT_MS));
	ASSERT_EQ(POLLHUP, pfd.revents & POLLHUP);
}

TEST_F(upcall, wait_after_removal_gives_enodev)
{
	struct rpcdev_upcall_req up;
	struct waiter w;

	ASSERT_EQ(0, unload_sim_during_wait(_metadata, self, &w));
	ASSERT_EQ(-ENODEV, waiter_join(&w));
	ASSERT_EQ(-ENODEV, rpcdev_upcall_wait(&self->dev, 0, &up));
}

TEST_F(upcall, serve_at_removal_gives_enodev)
{
	struct server s;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, server_start(&s, &self->dev, 1));
	ASSERT_EQ(0, kmod_unload(KMOD_SIM));
	ASSERT_EQ(-ENODEV, server_join(&s));
	ASSERT_EQ(0U, s.nr_seen);
}

/* ===================================================================== */
/* poll(2) and epoll(7): EPOLLIN                                          */
/* ===================================================================== */

/* poll(2) @fd for @events; the revents, or -errno. */
static int poll_events(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n = poll(&pfd, 1, timeout_ms);

	if (n < 0)
		return -errno;
	return n ? pfd.revents : 0;
}

/* epoll_wait(2) once on @fd for @events; the events, or -errno. */
static int epoll_events(int fd, unsigned int events, int timeout_ms)
{
	struct epoll_event ev = { .events = events }, got = { 0 };
	int ep, n;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return -errno;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
		n = -errno;
		close(ep);
		return n;
	}
	n = epoll_wait(ep, &got, 1, timeout_ms);
	n = n < 0 ? -errno : n ? (int)got.events : 0;
	close(ep);
	return n;
}

TEST_F(upcall, poll_without_upcall_reports_nothing)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, poll_events(rpcdev_fd(&self->dev), POLLIN | POLLPRI, 0));
}

/*
 * Start a run of one sync upcall and wait until the device made it (the
 * sim's "upcalls 1"); nobody has taken it.
 */
static void make_one_pending(struct __test_metadata *_metadata,
			     FIXTURE_DATA(upcall) *self, struct run *run)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	run_init(run, &self->dev, 1, METHOD_A, 64, RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_start(run));
	ASSERT_EQ(0, dbgfs_wait_key(self->sim_q0, "upcalls", 1, WAIT_MS));
}

/* Take and answer the pending upcall so the run ends; 0 if it did. */
static int serve_pending(FIXTURE_DATA(upcall) *self, struct run *run)
{
	struct rpcdev_upcall_req up;
	int ret;

	ret = rpcdev_upcall_wait(&self->dev, SERVE_TIMEOUT_NS, &up);
	if (!ret)
		ret = echo_reply(&self->dev, &up);
	if (ret) {
		run_join(run);
		return ret;
	}
	return run_done_exactly(run);
}

TEST_F(upcall, poll_reports_pollin_for_pending_upcall)
{
	struct run run;
	int events;

	make_one_pending(_metadata, self, &run);
	events = poll_events(rpcdev_fd(&self->dev), POLLIN | POLLPRI, WAIT_MS);
	ASSERT_EQ(0, serve_pending(self, &run));
	ASSERT_EQ(POLLIN, events & (POLLIN | POLLPRI));
}

TEST_F(upcall, poll_wakes_when_upcall_arrives)
{
	struct run run;
	int events;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	run_init(&run, &self->dev, 1, METHOD_A, 64, RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_start(&run));
	/* Possibly before the device made it: poll sleeps until it does. */
	events = poll_events(rpcdev_fd(&self->dev), POLLIN, WAIT_MS);
	ASSERT_EQ(0, serve_pending(self, &run));
	ASSERT_EQ(POLLIN, events);
}

TEST_F(upcall, pollin_clears_once_upcall_is_taken)
{
	struct rpcdev_upcall_req up;
	struct run run;
	int events;

	make_one_pending(_metadata, self, &run);
	ASSERT_EQ(0, rpcdev_upcall_wait(&self->dev, SERVE_TIMEOUT_NS, &up));
	events = poll_events(rpcdev_fd(&self->dev), POLLIN | POLLPRI, 0);
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ASSERT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(0, events);
}

TEST_F(upcall, epoll_reports_epollin_for_pending_upcall)
{
	struct run run;
	int events;

	make_one_pending(_metadata, self, &run);
	events = epoll_events(rpcdev_fd(&self->dev), EPOLLIN | EPOLLPRI,
			      WAIT_MS);
	ASSERT_EQ(0, serve_pending(self, &run));
	ASSERT_EQ(EPOLLIN, events);
}

TEST_F(upcall, epoll_without_upcall_reports_nothing)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, epoll_events(rpcdev_fd(&self->dev), EPOLLIN | EPOLLPRI, 0));
}

/* ===================================================================== */
/* The rpcdev tool: rpcdev upcalls, rpcdev serve                          */
/* ===================================================================== */

static const char *const tool_candidates[] = {
	"/bin/rpcdev", "/sbin/rpcdev", "/usr/bin/rpcdev", "/usr/sbin/rpcdev",
	"/usr/local/bin/rpcdev", NULL,
};

/* Run "rpcdev" with up to seven arguments (NULL-terminated). */
#define run_tool(res, ...) \
	run_tool_v(res, (const char *const[]){ __VA_ARGS__, NULL })

static int run_tool_v(struct run_result *res, const char *const *args)
{
	char *argv[9] = { NULL };
	int i;

	argv[0] = (char *)run_tool_find(tool_candidates);
	if (!argv[0])
		return -ENOENT;
	for (i = 0; args[i] && i < 7; i++)
		argv[i + 1] = (char *)args[i];
	return run_capture(argv, res);
}

#define SKIP_WITHOUT_TOOL() do {					\
	if (!run_tool_find(tool_candidates))				\
		SKIP(return, "no rpcdev tool in the guest (set RPCDEV_TOOL)"); \
} while (0)

/* Is @line (with its newline) a whole line of @text? */
static int has_line(const char *text, const char *line)
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

TEST_F(upcall, tool_upcalls_sync_answers_every_upcall_exactly)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "upcalls", "-n", "50", "-s", "64"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_TRUE(has_line(res->out, "mode: sync\n"));
	ASSERT_TRUE(has_line(res->out, "done: 50\n")) TH_LOG("%s", res->out);
	ASSERT_TRUE(has_line(res->out, "mismatched: 0\n"));
	ASSERT_TRUE(has_line(res->out, "failed: 0\n"));
}

TEST_F(upcall, tool_upcalls_serves_with_each_wait_policy)
{
	static const char *const policies[] = { "block", "poll", "adaptive" };
	struct run_result *res = &(struct run_result){ 0 };
	char want[32];
	unsigned int i;

	SKIP_WITHOUT_TOOL();
	for (i = 0; i < 3; i++) {
		memset(res, 0, sizeof(*res));
		ASSERT_EQ(0, run_tool(res, "upcalls", "-n", "50", "-p",
				      policies[i]));
		ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
		snprintf(want, sizeof(want), "policy: %s\n", policies[i]);
		ASSERT_TRUE(has_line(res->out, want)) TH_LOG("%s", res->out);
		ASSERT_TRUE(has_line(res->out, "done: 50\n"));
		ASSERT_TRUE(has_line(res->out, "mismatched: 0\n"));
	}
}

TEST_F(upcall, tool_upcalls_default_policy_is_adaptive)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "upcalls", "-n", "5"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_TRUE(has_line(res->out, "policy: adaptive\n"));
}

TEST_F(upcall, tool_upcalls_unknown_policy_exits_2)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "upcalls", "-p", "spin"));
	ASSERT_EQ(2, res->status);
	ASSERT_NE(NULL, strstr(res->err, "bad policy 'spin'"));
}

TEST_F(upcall, tool_upcalls_async_acknowledges_every_upcall)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "upcalls", "--async", "-n", "100"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_TRUE(has_line(res->out, "mode: async\n"));
	ASSERT_TRUE(has_line(res->out, "done: 100\n")) TH_LOG("%s", res->out);
}

TEST_F(upcall, tool_upcalls_prints_the_distribution_in_order)
{
	static const char *const keys[] = {
		"\nmin_us: ", "\np50_us: ", "\np99_us: ", "\np999_us: ",
		"\nmax_us: ", "\nmean_us: ", "\ntotal_us: ", "\nper_second: ",
	};
	struct run_result *res = &(struct run_result){ 0 };
	const char *p;
	unsigned int i;

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "upcalls", "-n", "20", "-s", "1048576"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	for (p = res->out, i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		p = strstr(p, keys[i]);
		ASSERT_NE(NULL, p) TH_LOG("no %s in %s", keys[i] + 1, res->out);
	}
}

TEST_F(upcall, tool_upcalls_on_busy_queue_exits_1)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, run_tool(res, "upcalls", "-n", "5"));
	ASSERT_EQ(1, res->status);
	ASSERT_STREQ("rpcdev: " DEV_PATH ": queue 0: Device or resource busy\n",
		     res->err);
}

TEST_F(upcall, tool_serve_without_upcalls_stops_at_timeout)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "serve", "-t", "50"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_STREQ("served: 0\n", res->out);
}

TEST_F(upcall, tool_serve_timing_out_before_count_exits_1)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "serve", "-n", "1", "-t", "50"));
	ASSERT_EQ(1, res->status);
	ASSERT_STREQ("rpcdev: serve: 0 of 1 upcalls before the timeout\n",
		     res->err);
}

TEST_F(upcall, tool_serve_leaves_queue_free)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "serve", "-q", "1", "-t", "20"));
	ASSERT_EQ(0, res->status);
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 1, 0, 0));
}

TEST_HARNESS_MAIN
