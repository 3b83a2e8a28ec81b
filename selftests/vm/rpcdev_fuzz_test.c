// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzing rpcdev, run as root inside the test VM: structured-random
 * arguments to every ioctl and every io_uring command, random writes into
 * every user-writable page of a queue while another process's queue makes
 * checksummed calls, mmap/munmap/fork/close races on one file while calls
 * run, and Debian's trinity against /dev/rpcdev0. After each test the
 * driver must still answer exactly (checksummed echoes on a fresh file) and
 * the modules unload (the fixture).
 *
 * Every test is seeded: RPCDEV_FUZZ_SEED=N replays a run (the seed is
 * printed as "# seed N: replay with RPCDEV_FUZZ_SEED=N"), default the time.
 * RPCDEV_FUZZ_ITERS is the work of each test (default FUZZ_ITERS_DEFAULT),
 * RPCDEV_TRINITY_SYSCALLS trinity's syscall count (-N, default
 * TRINITY_SYSCALLS_DEFAULT). The work is bounded by those counts; a time
 * budget only ends trinity early, never fails a test.
 *
 * The methods fuzzed calls name are the reference firmware's that answer
 * by themselves (ECHO, FAIL, DELAY, STATS, NOTIFY) and numbers it does not
 * know: UPCALLS, WATCH, PINGPONG and MBOX_COST make the device wait for
 * the host, and the ivshmem firmware's RPCDEV_IVSHMEM_TEST_* methods end
 * the device on purpose.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <liburing.h>
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_calls.h"
#include "rpcdev_fixture.h"
#include "rpcdev_upcalls.h"
#include "rpcdev_util.h"

#define FUZZ_ITERS_DEFAULT	3000
#define TRINITY_SYSCALLS_DEFAULT 20000
/* Trinity's budget; past it trinity is killed (not a failure). */
#define TRINITY_BUDGET_MS	20000
/* The harness's limit of the trinity test: its budget and the check. */
#define TRINITY_TEST_S		60
/* The exact echoes that prove the driver still answers. */
#define EXACT_CALLS		32
/* Files the ioctl and io_uring fuzzers work on: queues 0..FUZZ_FDS-1. */
#define FUZZ_FDS		3
/* Longest wait a fuzzed argument may ask for. */
#define FUZZ_TIMEOUT_NS		(2 * NSEC_PER_MSEC)
/* Where fuzzed answers go: the largest payload, then a guard page. */
#define RESP_SIZE		RPCDEV_MAX_PAYLOAD
#define NOBODY			65534

static uint64_t seed;

/* Before the harness forks a process per test, so all share the seed. */
static void __attribute__((constructor)) fuzz_seed_init(void)
{
	const char *s = getenv("RPCDEV_FUZZ_SEED");

	seed = s && *s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL);
}

static uint64_t fuzz_seed(void)
{
	return seed;
}

static unsigned long env_count(const char *name, unsigned long def)
{
	const char *s = getenv(name);
	unsigned long v = s && *s ? strtoul(s, NULL, 0) : 0;

	return v ? v : def;
}

static unsigned long fuzz_iters(void)
{
	return env_count("RPCDEV_FUZZ_ITERS", FUZZ_ITERS_DEFAULT);
}

/* A test's random stream: the seed and the test's name. */
struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

static uint64_t rnd_below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static void rng_init(struct rng *r, const char *name, uint64_t salt)
{
	uint64_t h = fuzz_seed() ^ salt;

	while (*name)
		h = (h ^ (unsigned char)*name++) * 0x100000001b3ULL;
	r->s = h | 1;
}

static void print_seed(const char *test)
{
	printf("# %s: seed %" PRIu64 ": replay with RPCDEV_FUZZ_SEED=%" PRIu64
	       "\n", test, fuzz_seed(), fuzz_seed());
	fflush(stdout);
}

/*
 * The driver answers exactly: EXACT_CALLS checksummed echoes on queue
 * @qid of a fresh file. 0, or the first failing call's -errno (-EPROTO
 * for a wrong answer).
 */
static int driver_answers_exactly(unsigned int qid, uint64_t seed)
{
	struct rpcdev dev;
	int i, ret;

	ret = rpcdev_open(&dev, DEV_PATH);
	if (ret)
		return ret;
	ret = rpcdev_queue_attach(&dev, qid, 0, 0);
	for (i = 0; !ret && i < EXACT_CALLS; i++)
		ret = echo_check_seeded(&dev, seed + i, CALL_TIMEOUT_NS);
	rpcdev_close(&dev);
	return ret;
}

/*
 * As driver_answers_exactly(), once queue @qid is free: a ring closed
 * with commands on a file of the queue lets the file go from io_uring's
 * exit work, after its close returned; waits WAIT_MS at most.
 */
static int queue_answers_exactly(unsigned int qid, uint64_t seed)
{
	int ms, ret = -EBUSY;

	for (ms = 0; ret == -EBUSY && ms < WAIT_MS; ms += UTIL_POLL_MS) {
		ret = driver_answers_exactly(qid, seed);
		if (ret == -EBUSY)
			sleep_ms(UTIL_POLL_MS);
	}
	return ret;
}

/* A boundary value, or a random one. */
static uint64_t fuzz_value(struct rng *r)
{
	static const uint64_t edges[] = {
		0, 1, 2, 3, 7, 8, 15, 16, 17, 63, 64, 65, 255, 256, 257,
		4095, 4096, 4097, 0x7fffffff, 0x80000000, 0xffffffff,
		RPCDEV_MAX_PAYLOAD, RPCDEV_MAX_PAYLOAD + 1, RPCDEV_MAX_BUFS,
		0x100000000ULL, ~0ULL, 1ULL << 63,
	};

	if (rnd_below(r, 4))
		return edges[rnd_below(r, sizeof(edges) / sizeof(edges[0]))];
	return rnd(r) >> rnd_below(r, 64);
}

/* Mutate @len bytes at @p: bit flips, a boundary word, or all random. */
static void fuzz_bytes(struct rng *r, void *p, size_t len)
{
	unsigned char *b = p;
	uint64_t v;
	size_t i, n;

	switch (rnd_below(r, 8)) {
	case 0: case 1: case 2: case 3:	/* as the template has it */
		break;
	case 4:
		for (i = 0; i < len; i++)
			b[i] = rnd(r);
		break;
	case 5:
		n = 1 + rnd_below(r, 3);
		while (n--) {
			i = rnd_below(r, len * 8);
			b[i / 8] ^= 1 << (i % 8);
		}
		break;
	default:
		v = fuzz_value(r);
		i = rnd_below(r, len / 4) * 4;
		memcpy(b + i, &v, len - i < 8 ? len - i : 8);
		break;
	}
}

/* A method of the firmware's that answers by itself (see the top). */
static uint32_t fuzz_method(struct rng *r)
{
	static const uint32_t m[] = {
		RPCDEV_SIM_ECHO, RPCDEV_SIM_FAIL, RPCDEV_SIM_DELAY,
		RPCDEV_SIM_STATS, RPCDEV_SIM_NOTIFY, 0, 0x100, 0x41,
	};

	return m[rnd_below(r, sizeof(m) / sizeof(m[0]))];
}

static uint64_t fuzz_timeout(struct rng *r)
{
	return 1 + rnd_below(r, FUZZ_TIMEOUT_NS);
}

/*
 * Memory the fuzzed arguments point to: @arg, a page followed by a
 * PROT_NONE page (an argument at its end is cut short), @ro a read-only
 * page, @req a page of request bytes, @resp RESP_SIZE bytes for answers
 * (the most any answer writes) and a guard page.
 */
struct fuzz_mem {
	unsigned char *arg, *ro, *req, *resp;
};

static int fuzz_mem_map(struct fuzz_mem *m)
{
	size_t pg = page_size();
	unsigned char *p;

	p = mmap(NULL, 5 * pg + RESP_SIZE + pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	m->arg = p;
	m->ro = p + 2 * pg;
	m->req = p + 3 * pg;
	m->resp = p + 5 * pg;
	fill_pattern(m->ro, pg, 1);
	fill_pattern(m->req, pg, 2);
	if (mprotect(p + pg, pg, PROT_NONE) || mprotect(m->ro, pg, PROT_READ) ||
	    mprotect(p + 4 * pg, pg, PROT_NONE) ||
	    mprotect(m->resp + RESP_SIZE, pg, PROT_NONE))
		return -errno;
	return 0;
}

/* A user pointer: mostly a good one, else NULL, unmapped, kernel, junk. */
static uint64_t fuzz_ptr(struct rng *r, void *good)
{
	switch (rnd_below(r, 16)) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)unmapped_address();
	case 2:
		return 0xffff888000000000ULL + rnd_below(r, 1 << 20);
	case 3:
		return rnd(r);
	default:
		return (uintptr_t)good;
	}
}

/* The ioctls, their argument's size, and the errors each may give. */
struct ioc {
	unsigned int cmd;
	const char *name;
	size_t size;
	const int *errs;
};

#define ERRS(...)	((const int[]){ __VA_ARGS__, 0 })

static const struct ioc iocs[] = {
	{ RPCDEV_IOC_INFO, "INFO", sizeof(struct rpcdev_info),
	  ERRS(EFAULT) },
	{ RPCDEV_IOC_QUEUE_ATTACH, "QUEUE_ATTACH",
	  sizeof(struct rpcdev_queue_attach),
	  ERRS(EINVAL, E2BIG, EBUSY, EALREADY, ENOMEM, EFAULT) },
	/* ENOENT, ENOSPC, EOPNOTSUPP: a call naming registered buffers. */
	{ RPCDEV_IOC_CALL, "CALL", sizeof(struct rpcdev_call),
	  ERRS(EINVAL, E2BIG, EFAULT, EAGAIN, ETIMEDOUT, ENOENT, ENOSPC,
	       EOPNOTSUPP) },
	{ RPCDEV_IOC_REPLY_AND_WAIT, "REPLY_AND_WAIT",
	  sizeof(struct rpcdev_upcall), ERRS(EINVAL, E2BIG, EFAULT, ETIMEDOUT) },
	{ RPCDEV_IOC_MBOX_POST, "MBOX_POST", sizeof(struct rpcdev_mbox),
	  ERRS(EINVAL, EFAULT) },
	{ RPCDEV_IOC_MBOX_READ, "MBOX_READ", sizeof(struct rpcdev_mbox_msg),
	  ERRS(EAGAIN, EINVAL, EFAULT) },
	{ RPCDEV_IOC_ENTER, "ENTER", sizeof(struct rpcdev_enter),
	  ERRS(EINVAL, ETIMEDOUT, EFAULT) },
	{ RPCDEV_IOC_BUF_REGISTER, "BUF_REGISTER",
	  sizeof(struct rpcdev_buf_reg),
	  ERRS(EOPNOTSUPP, EINVAL, E2BIG, ENOSPC, EFAULT, ENOMEM) },
	{ RPCDEV_IOC_BUF_UNREGISTER, "BUF_UNREGISTER",
	  sizeof(struct rpcdev_buf_unreg),
	  ERRS(EOPNOTSUPP, EINVAL, ENOENT, EBUSY, EFAULT) },
};

#define NR_IOCS	(sizeof(iocs) / sizeof(iocs[0]))

static const struct ioc unknown_ioc = { 0, "unknown", 0, ERRS(ENOTTY) };

static const struct ioc *ioc_of(unsigned int cmd)
{
	size_t i;

	for (i = 0; i < NR_IOCS; i++)
		if (iocs[i].cmd == cmd)
			return &iocs[i];
	return &unknown_ioc;
}

static bool err_allowed(const int *errs, int err)
{
	for (; *errs; errs++)
		if (*errs == err)
			return true;
	return false;
}

/* A valid argument of @cmd into @a, then mutated; waits stay short. */
static void fuzz_arg(struct rng *r, unsigned int cmd, unsigned int qid,
		     struct fuzz_mem *m, void *a, size_t size)
{
	memset(a, 0, size);
	switch (cmd) {
	case RPCDEV_IOC_QUEUE_ATTACH: {
		struct rpcdev_queue_attach *at = a;

		at->qid = qid;
		at->flags = rnd_below(r, 8);
		at->depth = 1U << rnd_below(r, 9);
		at->buf_size = 64 << rnd_below(r, 8);
		fuzz_bytes(r, at, 16);
		if (!rnd_below(r, 8))
			fuzz_bytes(r, at->reserved, sizeof(at->reserved));
		break;
	}
	case RPCDEV_IOC_CALL: {
		struct rpcdev_call *c = a;

		c->method = fuzz_method(r);
		c->req_len = rnd_below(r, 2) ? rnd_below(r, 64) : fuzz_value(r);
		c->resp_cap = rnd_below(r, 2) ? 64 : fuzz_value(r);
		fuzz_bytes(r, c, size);
		c->method = rnd_below(r, 16) ? fuzz_method(r) : c->method & ~0x7f000000U;
		c->req = fuzz_ptr(r, m->req);
		c->resp = fuzz_ptr(r, m->resp);
		if (c->resp == (uintptr_t)m->resp && c->resp_cap > RESP_SIZE)
			c->resp_cap = RESP_SIZE;
		c->timeout_ns = fuzz_timeout(r);
		break;
	}
	case RPCDEV_IOC_REPLY_AND_WAIT: {
		struct rpcdev_upcall *u = a;

		u->flags = rnd_below(r, 4);
		u->reply_id = rnd_below(r, 32);
		u->reply_len = rnd_below(r, 128);
		fuzz_bytes(r, u, size);
		u->reply_data = fuzz_ptr(r, m->req);
		u->timeout_ns = fuzz_timeout(r);
		break;
	}
	case RPCDEV_IOC_MBOX_POST: {
		struct rpcdev_mbox *mb = a;

		mb->slot = rnd_below(r, RPCDEV_MBOX_SLOTS + 2);
		mb->value = rnd(r);
		fuzz_bytes(r, mb, size);
		break;
	}
	case RPCDEV_IOC_ENTER: {
		struct rpcdev_enter *e = a;

		e->flags = rnd_below(r, 32);
		e->uq_pos = rnd_below(r, 4);
		e->dc_pos = rnd_below(r, 4);
		e->mb_pos = rnd_below(r, 4);
		fuzz_bytes(r, e, size);
		e->timeout_ns = fuzz_timeout(r);
		break;
	}
	default:		/* out-only arguments, or unknown commands */
		fuzz_bytes(r, a, size);
		break;
	}
}

/* A command number: an ioctl's, one of rpcdev's type, or a near miss. */
static unsigned int fuzz_cmd(struct rng *r)
{
	unsigned int cmd = iocs[rnd_below(r, NR_IOCS)].cmd;

	switch (rnd_below(r, 6)) {
	case 0:
		return _IOC(rnd_below(r, 4), RPCDEV_IOC_MAGIC, rnd_below(r, 256),
			    rnd_below(r, 1 << 14));
	case 1:		/* another size or direction */
		return _IOC(rnd_below(r, 4), RPCDEV_IOC_MAGIC, _IOC_NR(cmd),
			    _IOC_SIZE(cmd) + rnd_below(r, 9) - 4);
	case 2:		/* an io_uring command number */
		return _IOWR(RPCDEV_IOC_MAGIC, 0x40 + rnd_below(r, 4),
			     struct rpcdev_uring_cmd);
	default:
		return cmd;
	}
}

/* Where a fuzzed ioctl's argument lives: mostly whole, else cut short. */
static void *fuzz_arg_place(struct rng *r, struct fuzz_mem *m, size_t size,
			    uint64_t *arg)
{
	size_t pg = page_size();
	unsigned char *a = m->arg;

	switch (rnd_below(r, 16)) {
	case 0:
		*arg = fuzz_ptr(r, NULL);
		return NULL;
	case 1:			/* runs into the PROT_NONE page */
		if (size > 1)
			a = m->arg + pg - size + 1 + rnd_below(r, size - 1);
		break;
	case 2:
		*arg = (uintptr_t)m->ro;
		return NULL;
	}
	*arg = (uintptr_t)a;
	return a;
}

DEVICE_FIXTURE(fuzz)

/* File @i of the pool, opened again; half the time with a queue. */
static int pool_reopen(struct rng *r, int *fds, int i)
{
	struct rpcdev_queue_attach at = { .qid = i };
	static const unsigned int flags[] = {
		0, RPCDEV_ATTACH_USER_RINGS, RPCDEV_ATTACH_TIMESTAMPS,
		RPCDEV_ATTACH_USER_RINGS | RPCDEV_ATTACH_ASYNC_NOACK,
	};

	if (fds[i] >= 0)
		close(fds[i]);
	fds[i] = open_dev();
	if (fds[i] < 0)
		return fds[i];
	if (rnd_below(r, 2))
		return 0;
	at.flags = flags[rnd_below(r, 4)];
	at.depth = 1U << rnd_below(r, 7);
	at.buf_size = 64 << rnd_below(r, 7);
	return ioctl(fds[i], RPCDEV_IOC_QUEUE_ATTACH, &at) ? -errno : 0;
}

static void pool_close(int *fds)
{
	int i;

	for (i = 0; i < FUZZ_FDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

TEST_F(fuzz, ioctls_give_0_or_a_documented_errno_and_the_driver_answers_exactly)
{
	unsigned long i, n = fuzz_iters(), fails = 0;
	unsigned long ok[NR_IOCS + 1] = { 0 };
	int fds[FUZZ_FDS] = { -1, -1, -1 };
	static unsigned char tmpl[1 << 14];
	struct fuzz_mem m;
	struct rng r;

	print_seed("ioctls");
	rng_init(&r, "ioctls", 0);
	ASSERT_EQ(0, fuzz_mem_map(&m));
	for (i = 0; i < FUZZ_FDS; i++)
		ASSERT_EQ(0, pool_reopen(&r, fds, i));
	for (i = 0; i < n; i++) {
		unsigned int f = rnd_below(&r, FUZZ_FDS), cmd = fuzz_cmd(&r);
		const struct ioc *ioc = ioc_of(cmd);
		size_t size = _IOC_SIZE(cmd), room;
		uint64_t arg;
		void *a;
		int ret;

		if (!rnd_below(&r, 64)) {
			ret = pool_reopen(&r, fds, f);
			ASSERT_TRUE(ret == 0 || ret == -EBUSY || ret == -ENOMEM)
				TH_LOG("iteration %lu: attach: %s", i, strerror(-ret));
		}
		if (size > (size_t)page_size())
			size = page_size();
		a = fuzz_arg_place(&r, &m, size, &arg);
		if (a) {
			/* Built aside: only what fits before the guard page. */
			room = m.arg + page_size() - (unsigned char *)a;
			fuzz_arg(&r, cmd, f, &m, tmpl, size);
			memcpy(a, tmpl, room < size ? room : size);
		}
		ret = ioctl(fds[f], cmd, (unsigned long)arg) ? -errno : 0;
		if (ret && !err_allowed(ioc->errs, -ret)) {
			fails++;
			TH_LOG("iteration %lu: %s (cmd 0x%08x) on queue %u's file: %s",
			       i, ioc->name, cmd, f, strerror(-ret));
		}
		if (!ret)
			ok[ioc == &unknown_ioc ? NR_IOCS : (size_t)(ioc - iocs)]++;
	}
	pool_close(fds);
	printf("# %lu ioctls:", n);
	for (i = 0; i < NR_IOCS; i++)
		printf(" %s %lu ok,", iocs[i].name, ok[i]);
	printf(" unknown %lu ok\n", ok[NR_IOCS]);
	EXPECT_EQ(0UL, fails);
	ASSERT_EQ(0, driver_answers_exactly(0, rnd(&r)));
}

/* io_uring ----------------------------------------------------------- */

/* Commands in flight at once in one ring of the io_uring fuzzer. */
#define URING_BATCH	8

static const int uring_errs[] = {
	ENOTTY, EINVAL, EFAULT, E2BIG, EAGAIN, ECANCELED, ENOENT, ENOSPC,
	EOPNOTSUPP, 0
};

static unsigned int fuzz_cmd_op(struct rng *r)
{
	static const unsigned int ops[] = {
		RPCDEV_URING_CALL, RPCDEV_URING_UPCALL_FETCH,
		RPCDEV_URING_UPCALL_COMMIT, RPCDEV_URING_MBOX_WAIT,
	};

	switch (rnd_below(r, 6)) {
	case 0:
		return _IOC(rnd_below(r, 4), RPCDEV_IOC_MAGIC, rnd_below(r, 256),
			    rnd_below(r, 1 << 14));
	case 1:
		return iocs[rnd_below(r, NR_IOCS)].cmd;
	default:
		return ops[rnd_below(r, 4)];
	}
}

/* The argument of command @op into @a (sized for any). */
static void fuzz_uring_arg(struct rng *r, unsigned int op, struct fuzz_mem *m,
			   void *a, size_t size)
{
	memset(a, 0, size);
	switch (op) {
	case RPCDEV_URING_CALL: {
		struct rpcdev_call *c = a;

		c->req_len = rnd_below(r, 64);
		c->resp_cap = 64;
		if (!rnd_below(r, 3))
			fuzz_bytes(r, c, sizeof(*c));
		c->method = rnd_below(r, 16) ? fuzz_method(r) : c->method & ~0x7f000000U;
		c->req = fuzz_ptr(r, m->req);
		c->resp = fuzz_ptr(r, m->resp);
		if (c->resp == (uintptr_t)m->resp && c->resp_cap > RESP_SIZE)
			c->resp_cap = RESP_SIZE;
		if (rnd_below(r, 8))
			c->timeout_ns = 0;
		break;
	}
	case RPCDEV_URING_UPCALL_FETCH:
	case RPCDEV_URING_UPCALL_COMMIT: {
		struct rpcdev_upcall *u = a;

		u->flags = op == RPCDEV_URING_UPCALL_FETCH ? RPCDEV_UPCALL_WAIT :
			   RPCDEV_UPCALL_WAIT | RPCDEV_UPCALL_REPLY;
		u->reply_id = rnd_below(r, 32);
		if (!rnd_below(r, 3))
			fuzz_bytes(r, u, sizeof(*u));
		u->reply_data = fuzz_ptr(r, m->req);
		if (rnd_below(r, 8))
			u->timeout_ns = 0;
		break;
	}
	default:
		fuzz_bytes(r, a, size);
		break;
	}
}

/*
 * One ring's worth: URING_BATCH commands on the pool's files, the CQEs
 * that come within a few milliseconds checked, then the ring closed
 * (which ends the commands still waiting); or the same on @deferred, a
 * ring set up with IORING_SETUP_DEFER_TASKRUN that stays open until the
 * process exits, its commands ended then. The number of bad results, or
 * -errno of the ring.
 */
static int uring_round(struct rng *r, int *fds, struct fuzz_mem *m,
		       unsigned long *done, struct io_uring *deferred)
{
	static struct rpcdev_upcall args[2][URING_BATCH];	/* the largest */
	struct __kernel_timespec ts = { .tv_nsec = 5 * NSEC_PER_MSEC };
	bool keep = !rnd_below(r, 4);
	struct io_uring_cqe *cqe;
	struct io_uring own, *ring = keep ? deferred : &own;
	int i, ret, bad = 0;

	if (!keep) {
		ret = io_uring_queue_init(2 * URING_BATCH, &own, 0);
		if (ret)
			return ret;
	}
	for (i = 0; i < URING_BATCH; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
		struct rpcdev_uring_cmd *area;
		unsigned int op = fuzz_cmd_op(r);

		io_uring_prep_rw(IORING_OP_URING_CMD, sqe,
				 fds[rnd_below(r, FUZZ_FDS)], NULL, 0, 0);
		sqe->cmd_op = op;
		sqe->user_data = op;
		area = (struct rpcdev_uring_cmd *)sqe->cmd;
		fuzz_uring_arg(r, op, m, &args[keep][i], sizeof(args[0][0]));
		area->addr = (uintptr_t)&args[keep][i];
		if (!rnd_below(r, 8))
			fuzz_bytes(r, area, sizeof(*area));
		if (!rnd_below(r, 8))
			area->addr = fuzz_ptr(r, &args[keep][i]);
	}
	ret = io_uring_submit(ring);
	if (ret != URING_BATCH) {
		if (!keep)
			io_uring_queue_exit(ring);
		return ret < 0 ? ret : -EIO;
	}
	for (;;) {
		ret = io_uring_wait_cqe_timeout(ring, &cqe, &ts);
		if (ret == -EINTR)
			continue;
		if (ret)
			break;
		if (cqe->res && !err_allowed(uring_errs, -cqe->res)) {
			bad++;
			printf("# io_uring command 0x%08llx: %s\n",
			       (unsigned long long)cqe->user_data,
			       strerror(-cqe->res));
		}
		(*done)++;
		io_uring_cqe_seen(ring, cqe);
	}
	if (!keep)
		io_uring_queue_exit(ring);
	return ret == -ETIME ? bad : ret;
}

/*
 * The fuzzer runs in a child: closing a ring interrupts the threads that
 * submitted to it once (linux/rpcdev.h), which the test's own calls after
 * it must not see. The child exits with the number of bad results (at
 * most 100), 101 when a ring could not be used.
 */
static void uring_fuzz_child(int ready, void *arg)
{
	unsigned long i, n = *(unsigned long *)arg, done = 0, bad = 0;
	int fds[FUZZ_FDS] = { -1, -1, -1 };
	struct io_uring deferred;
	struct fuzz_mem m;
	struct rng r;
	int ret;

	rng_init(&r, "uring", 0);
	if (fuzz_mem_map(&m) ||
	    io_uring_queue_init(4 * URING_BATCH, &deferred,
				IORING_SETUP_SINGLE_ISSUER |
				IORING_SETUP_DEFER_TASKRUN))
		_exit(101);
	for (i = 0; i < FUZZ_FDS; i++)
		pool_reopen(&r, fds, i);
	for (i = 0; i < n / URING_BATCH; i++) {
		if (!rnd_below(&r, 8))
			pool_reopen(&r, fds, rnd_below(&r, FUZZ_FDS));
		ret = uring_round(&r, fds, &m, &done, &deferred);
		if (ret < 0) {
			printf("# io_uring: %s\n", strerror(-ret));
			_exit(101);
		}
		bad += ret;
	}
	pool_close(fds);
	printf("# %lu io_uring commands, %lu completed before their ring closed\n",
	       i * URING_BATCH, done);
	fflush(stdout);
	if (write(ready, "r", 1) != 1)
		_exit(101);
	_exit(bad > 100 ? 100 : bad);
}

TEST_F(fuzz, uring_commands_give_0_or_a_documented_errno_and_the_driver_answers_exactly)
{
	unsigned long n = fuzz_iters();
	struct rpcdev_info info;
	struct rng r;

	print_seed("uring");
	rng_init(&r, "uring-check", 0);
	ASSERT_EQ(0, rpcdev_info(&self->dev, &info));
	if (!(info.features & RPCDEV_FEAT_URING_CMD))
		SKIP(return, "the kernel has no io_uring (no RPCDEV_FEAT_URING_CMD)");
	ASSERT_EQ(0, fork_until_ready(uring_fuzz_child, &n, false));
	ASSERT_EQ(0, queue_answers_exactly(0, rnd(&r)));
}

/* A child: queue 0 attaches again within WAIT_MS, and answers exactly. */
static void queue_0_comes_back_exact(int ready, void *arg)
{
	(void)arg;
	if (queue_answers_exactly(0, 1) || write(ready, "r", 1) != 1)
		_exit(1);
	_exit(0);
}

/*
 * Closing a ring set up with IORING_SETUP_DEFER_TASKRUN while an rpcdev
 * command waits on it, its task alive, makes io_ring_exit_work() (a
 * kworker) cancel the command. The driver posts that completion through
 * task work: flushed from the kworker, as a deferred completion is, it
 * made 6.12's lockdep warn ("WARNING: ... at io_uring/io_uring.h:137
 * io_get_cqe_overflow"), which the debug flavour's log check fails on.
 */
TEST_F(fuzz, defer_taskrun_ring_closed_with_a_fetch_pending_releases_the_queue)
{
	struct rpcdev_uring_op op;
	struct io_uring_sqe *sqe;
	struct io_uring ring;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, io_uring_queue_init(4, &ring, IORING_SETUP_SINGLE_ISSUER |
					 IORING_SETUP_DEFER_TASKRUN));
	sqe = io_uring_get_sqe(&ring);
	ASSERT_EQ(0, rpcdev_prep_upcall_fetch(sqe, &self->dev, &op));
	ASSERT_EQ(1, io_uring_submit(&ring));
	io_uring_queue_exit(&ring);
	rpcdev_close(&self->dev);
	/*
	 * Checked from a child: the ring's close interrupts this thread's
	 * next wait once (linux/rpcdev.h). Queue 0 is free once the exit
	 * work ended the fetch.
	 */
	ASSERT_EQ(0, fork_until_ready(queue_0_comes_back_exact, NULL, false));
}

/*
 * A command issued from io-wq (IOSQE_ASYNC here; found by the fuzzer as a
 * call punted after -EAGAIN) waits and ends with its task like one issued
 * inline. It once took ctx->uring_lock (io_uring_cmd_mark_cancelable())
 * under rdev->lock, the reverse of an inline issue's order, which lockdep
 * reported on the debug kernel (the run fails on that).
 */
static void async_fetch_child(int ready, void *arg)
{
	struct rpcdev_uring_op op[2];
	struct io_uring_sqe *sqe;
	struct rpcdev dev;
	struct io_uring ring;

	if (rpcdev_open(&dev, DEV_PATH) || rpcdev_queue_attach(&dev, 0, 0, 0) ||
	    io_uring_queue_init(4, &ring, 0))
		_exit(1);
	sqe = io_uring_get_sqe(&ring);
	if (rpcdev_prep_upcall_fetch(sqe, &dev, &op[0]))
		_exit(1);
	sqe = io_uring_get_sqe(&ring);
	if (rpcdev_prep_upcall_fetch(sqe, &dev, &op[1]))
		_exit(1);
	sqe->flags |= IOSQE_ASYNC;
	if (io_uring_submit(&ring) != 2 ||
	    dbgfs_wait_key((char *)arg, "uring_pending", 2, WAIT_MS) ||
	    write(ready, "r", 1) != 1)
		_exit(1);
	/* The exit ends both fetches and lets the queue go. */
	_exit(0);
}

TEST_F(fuzz, fetch_issued_from_io_wq_waits_and_ends_with_its_task)
{
	ASSERT_EQ(0, fork_until_ready(async_fetch_child, self->q0, false));
	ASSERT_EQ(0, queue_answers_exactly(0, 2));
}

/* Scribbling ---------------------------------------------------------- */

/*
 * Shared with the process whose queue must stay exact: it calls until
 * @stop, counting its calls and those not answered exactly.
 */
struct bystander {
	__u32 ready;
	atomic_int stop;
	atomic_ulong calls;
	atomic_ulong wrong;
	int first_err;
};

/* Calls the bystander makes at least while the other queue is scribbled. */
#define BYSTANDER_CALLS	200

/* The bystander: queue @qid of its own file, exact echoes until stopped. */
static void bystander_child(int ready, void *arg)
{
	struct bystander *b = arg;
	struct rpcdev dev;
	uint64_t i;
	int ret;

	ret = rpcdev_open(&dev, DEV_PATH);
	if (!ret)
		ret = rpcdev_queue_attach(&dev, FUZZ_FDS, 0, 0);
	if (ret)
		_exit(1);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	__atomic_store_n(&b->ready, 1, __ATOMIC_RELEASE);
	for (i = 0; !atomic_load(&b->stop); i++) {
		ret = echo_check_seeded(&dev, i, CALL_TIMEOUT_NS);
		if (ret && !atomic_fetch_add(&b->wrong, 1))
			b->first_err = ret;
		atomic_fetch_add(&b->calls, 1);
	}
	rpcdev_close(&dev);
	_exit(0);
}

/* A forked bystander, ready once fork_until_ready()'s byte came. */
struct bystander_proc {
	struct bystander *b;
	pthread_t thread;
	int ret;
};

static void *bystander_main(void *arg)
{
	struct bystander_proc *p = arg;

	p->ret = fork_until_ready(bystander_child, p->b, false);
	return NULL;
}

static int bystander_start(struct bystander_proc *p)
{
	p->b = mmap(NULL, sizeof(*p->b), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p->b == MAP_FAILED)
		return -errno;
	memset(p->b, 0, sizeof(*p->b));
	p->ret = -EINPROGRESS;
	if (pthread_create(&p->thread, NULL, bystander_main, p))
		return -EAGAIN;
	return wait_word(&p->b->ready, 1);
}

/* Stop it; 0 once it made calls and all were exact, else -errno/-EPROTO. */
static int bystander_stop(struct bystander_proc *p)
{
	atomic_store(&p->b->stop, 1);
	pthread_join(p->thread, NULL);
	printf("# the other process's queue: %lu calls, %lu not exact\n",
	       atomic_load(&p->b->calls), atomic_load(&p->b->wrong));
	if (p->ret)
		return p->ret;
	if (atomic_load(&p->b->wrong))
		return p->b->first_err;
	return atomic_load(&p->b->calls) ? 0 : -ENODATA;
}

/* What scribbles the file's writable parts, while the test thread calls. */
struct scribbler {
	struct rng r;
	unsigned char *part[3];
	size_t size[3];
	atomic_ulong writes;
	atomic_int stop;
	pthread_t thread;
};

static void *scribbler_main(void *arg)
{
	struct scribbler *s = arg;

	while (!atomic_load(&s->stop)) {
		unsigned int p = rnd_below(&s->r, 3);
		size_t off = rnd_below(&s->r, s->size[p] / 4) * 4;
		uint32_t v;

		/* Control words and the first entries more often. */
		if (rnd_below(&s->r, 2))
			off = rnd_below(&s->r, 4096 / 4) * 4 % s->size[p];
		switch (rnd_below(&s->r, 3)) {
		case 0:
			v = rnd(&s->r);
			break;
		case 1:
			v = rnd_below(&s->r, 300);
			break;
		default:
			memcpy(&v, s->part[p] + off, 4);
			v ^= 1U << rnd_below(&s->r, 32);
			break;
		}
		memcpy(s->part[p] + off, &v, 4);
		atomic_fetch_add(&s->writes, 1);
	}
	return NULL;
}

/* block: the kernel drives the rings; poll, adaptive: the program does. */
DEVICE_FIXTURE(scribble)
POLICY_VARIANTS(scribble);

/*
 * Go on using the scribbled queue: @n uses, then as long as the scribbler
 * made fewer than @n writes or the other queue fewer than BYSTANDER_CALLS
 * calls (their threads may not have run yet), up to BYSTANDER_CALLS * @n.
 */
static bool scribble_more(unsigned long i, unsigned long n,
			  struct scribbler *s, struct bystander_proc *by)
{
	if (i < n)
		return true;
	if (i >= BYSTANDER_CALLS * n)
		return false;
	return atomic_load(&s->writes) < n ||
	       atomic_load(&by->b->calls) < BYSTANDER_CALLS;
}

/* One use of the scribbled queue: its result must be 0 or one of these. */
static int scribbled_use(struct rng *r, struct rpcdev *dev, bool user)
{
	struct rpcdev_enter e = { .flags = RPCDEV_ENTER_DOORBELL };
	struct rpcdev_call_result res;
	char buf[64];
	int ret;

	if (!user) {
		ret = rpcdev_call(dev, fuzz_method(r), buf, rnd_below(r, 64),
				  buf, sizeof(buf), fuzz_timeout(r), &res);
		return ret == -ETIMEDOUT || ret == -EAGAIN ? 0 : ret;
	}
	if (rnd_below(r, 2)) {
		e.flags |= RPCDEV_ENTER_WAIT;
		e.dc_pos = rnd(r);
		e.uq_pos = rnd(r);
		e.timeout_ns = fuzz_timeout(r);
	}
	ret = ioctl(rpcdev_fd(dev), RPCDEV_IOC_ENTER, &e) ? -errno : 0;
	return ret == -ETIMEDOUT ? 0 : ret;
}

TEST_F(scribble, writes_into_every_writable_page_touch_no_other_queue)
{
	static const uint64_t offs[3] = {
		RPCDEV_OFF_HOST, RPCDEV_OFF_DQ_BUF, RPCDEV_OFF_UR_BUF,
	};
	unsigned long i, n = fuzz_iters(), bad = 0;
	bool user = USER_RINGS;
	struct bystander_proc by;
	struct scribbler s;
	struct rng r;
	int ret;

	print_seed("scribble");
	rng_init(&r, "scribble", variant->policy);
	memset(&s, 0, sizeof(s));
	rng_init(&s.r, "scribbler", variant->policy);
	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	for (i = 0; i < 3; i++) {
		s.part[i] = rpcdev_queue_part(&self->dev, offs[i], &s.size[i]);
		ASSERT_NE(NULL, s.part[i]);
	}
	ASSERT_EQ(0, bystander_start(&by));
	ASSERT_EQ(0, pthread_create(&s.thread, NULL, scribbler_main, &s));
	for (i = 0; scribble_more(i, n, &s, &by); i++) {
		ret = scribbled_use(&r, &self->dev, user);
		if (ret && bad++ < 10)
			TH_LOG("use %lu of the scribbled queue: %s", i,
			       strerror(-ret));
		if (!rnd_below(&r, 8))
			rpcdev_mbox_post(&self->dev, rnd_below(&r, 8), rnd(&r),
					 NULL);
	}
	atomic_store(&s.stop, 1);
	pthread_join(s.thread, NULL);
	printf("# %lu writes into the queue's writable pages, %lu uses\n",
	       atomic_load(&s.writes), i);
	EXPECT_EQ(0, bystander_stop(&by));
	EXPECT_EQ(0UL, bad);
	/* The scribbled queue, released and attached afresh, is exact. */
	rpcdev_close(&self->dev);
	ASSERT_EQ(0, driver_answers_exactly(0, rnd(&r)));
	ASSERT_EQ(0, driver_answers_exactly(FUZZ_FDS, rnd(&r)));
}

/* Races ---------------------------------------------------------------- */

/* The parts of a queue and whether they may be mapped writable. */
static const uint64_t part_offs[] = {
	RPCDEV_OFF_DEV, RPCDEV_OFF_DC_BUF, RPCDEV_OFF_UQ_BUF,
	RPCDEV_OFF_HOST, RPCDEV_OFF_DQ_BUF, RPCDEV_OFF_UR_BUF,
};

/* What the racing threads share. */
struct race {
	int fd;				/* the file whose queue calls run on */
	const struct rpcdev_queue_attach *layout;
	atomic_int stop;
	atomic_ulong ops;
	atomic_ulong wrong;		/* a result not allowed */
	char what[128];
};

static void race_wrong(struct race *rc, const char *what, int err)
{
	if (!atomic_fetch_add(&rc->wrong, 1))
		snprintf(rc->what, sizeof(rc->what), "%s: %s", what,
			 strerror(-err));
}

/* Map part @p of @fd's queue (all of it, or a page), touch it, unmap. */
static int map_touch(struct race *rc, struct rng *r, int fd)
{
	unsigned int p = rnd_below(r, 6);
	size_t len = p == 0 ? rc->layout->dev_size : p == 3 ?
		     rc->layout->host_size : rc->layout->bufs_size;
	int prot = PROT_READ | (p >= 3 && rnd_below(r, 2) ? PROT_WRITE : 0);
	volatile unsigned char *v;
	void *addr;
	int ret;

	if (rnd_below(r, 2))
		len = page_size();
	ret = map_errno(fd, len, prot, part_offs[p], &addr);
	if (ret)
		return ret;
	v = addr;
	(void)v[rnd_below(r, len)];
	if (prot & PROT_WRITE)
		v[len - 1] = 0;
	return munmap(addr, len) ? -errno : 0;
}

/* A call through the raw ioctl (usable in a forked child): exact or not. */
static int raw_echo(int fd, uint64_t seed)
{
	unsigned char req[48], resp[48];
	struct rpcdev_call c = {
		.method = RPCDEV_SIM_ECHO, .req = (uintptr_t)req,
		.req_len = sizeof(req), .resp = (uintptr_t)resp,
		.resp_cap = sizeof(resp), .timeout_ns = CALL_TIMEOUT_NS,
	};

	fill_pattern(req, sizeof(req), seed);
	if (ioctl(fd, RPCDEV_IOC_CALL, &c))
		return -errno;
	if (c.status || c.resp_len != sizeof(req) || memcmp(req, resp, sizeof(req)))
		return -EPROTO;
	return 0;
}

static void *race_mapper(void *arg)
{
	struct race *rc = arg;
	struct rng r;
	int ret;

	rng_init(&r, "mapper", (uintptr_t)pthread_self());
	while (!atomic_load(&rc->stop)) {
		ret = map_touch(rc, &r, rc->fd);
		if (ret)
			race_wrong(rc, "mmap of the queue", ret);
		atomic_fetch_add(&rc->ops, 1);
	}
	return NULL;
}

/* dup(), use and close the queue's file; open, attach, map and close another. */
static void *race_closer(void *arg)
{
	struct rpcdev_queue_attach at = { .qid = 1 };
	struct race *rc = arg;
	struct rpcdev_info info;
	struct rng r;
	void *addr;
	int fd, ret;

	rng_init(&r, "closer", 0);
	while (!atomic_load(&rc->stop)) {
		fd = dup(rc->fd);
		if (fd < 0 || ioctl(fd, RPCDEV_IOC_INFO, &info))
			race_wrong(rc, "dup and INFO", -errno);
		ret = map_touch(rc, &r, fd);
		if (ret)
			race_wrong(rc, "mmap of a dup", ret);
		close(fd);
		/* A queue whose file is closed under its mapping. */
		fd = open_dev();
		if (fd < 0) {
			race_wrong(rc, "open", fd);
			continue;
		}
		ret = ioctl(fd, RPCDEV_IOC_QUEUE_ATTACH, &at) ? -errno : 0;
		if (!ret)
			ret = map_errno(fd, page_size(), PROT_READ | PROT_WRITE,
					RPCDEV_OFF_HOST, &addr);
		close(fd);
		if (!ret) {
			((volatile unsigned char *)addr)[rnd_below(&r, 64)] = 1;
			munmap(addr, page_size());
		} else if (ret != -EBUSY) {
			race_wrong(rc, "attach and map", ret);
		}
		atomic_fetch_add(&rc->ops, 1);
	}
	return NULL;
}

/*
 * A child of fork(): it shares the file, not the mappings. It calls on the
 * queue, maps it, and exits or is killed in the middle.
 */
static void *race_forker(void *arg)
{
	struct race *rc = arg;
	struct rng r;
	int status;
	pid_t pid;

	rng_init(&r, "forker", 0);
	while (!atomic_load(&rc->stop)) {
		bool kill_it = rnd_below(&r, 3) == 0;
		uint64_t seed = rnd(&r);

		pid = fork();
		if (pid < 0) {
			race_wrong(rc, "fork", -errno);
			break;
		}
		if (pid == 0) {
			int ret = raw_echo(rc->fd, seed);

			if (!ret)
				ret = map_touch(rc, &r, rc->fd);
			if (!ret)
				ret = raw_echo(rc->fd, seed + 1);
			close(rc->fd);
			_exit(ret ? 1 : 0);
		}
		if (kill_it) {
			sleep_us(rnd_below(&r, 2000));
			kill(pid, SIGKILL);
		}
		if (waitpid(pid, &status, 0) != pid)
			race_wrong(rc, "waitpid", -errno);
		else if (!(WIFSIGNALED(status) && kill_it) &&
			 !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
			race_wrong(rc, "a forked child's calls", -EPROTO);
		atomic_fetch_add(&rc->ops, 1);
	}
	return NULL;
}

TEST_F(fuzz, mmap_munmap_fork_close_races_leave_calls_exact)
{
	void *(*const fns[])(void *) = {
		race_mapper, race_mapper, race_closer, race_forker,
	};
	unsigned long i, n = fuzz_iters();
	pthread_t threads[4];
	struct race rc;
	struct rng r;
	int ret;

	print_seed("races");
	rng_init(&r, "races", 0);
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	memset(&rc, 0, sizeof(rc));
	rc.fd = rpcdev_fd(&self->dev);
	rc.layout = rpcdev_queue_layout(&self->dev);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, fns[i], &rc));
	for (i = 0; i < n / 4; i++) {
		ret = echo_check_seeded(&self->dev, rnd(&r), CALL_TIMEOUT_NS);
		if (ret)
			race_wrong(&rc, "a call of the test's", ret);
	}
	atomic_store(&rc.stop, 1);
	for (i = 0; i < 4; i++)
		pthread_join(threads[i], NULL);
	printf("# %lu calls beside %lu racing mmaps, dups, closes and forks\n",
	       n / 4, atomic_load(&rc.ops));
	EXPECT_EQ(0UL, atomic_load(&rc.wrong)) TH_LOG("first: %s", rc.what);
	rpcdev_close(&self->dev);
	ASSERT_EQ(0, driver_answers_exactly(0, rnd(&r)));
}

/* Trinity -------------------------------------------------------------- */

static const char *trinity_path(void)
{
	static const char *const paths[] = {
		"/usr/bin/trinity", "/usr/sbin/trinity", "/bin/trinity",
	};
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (!access(paths[i], X_OK))
			return paths[i];
	return NULL;
}

/* Read the first line of /proc/@pid/@file into @buf; "" if none. */
static void proc_line(pid_t pid, const char *file, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	buf[0] = 0;
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, len, f))
		buf[0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

/* How many open files of DEV_PATH process @pid has. */
static int dev_files(pid_t pid)
{
	char path[64], link[64];
	int fd, n = 0;
	ssize_t len;

	for (fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
		len = readlink(path, link, sizeof(link) - 1);
		if (len < 0)
			continue;
		link[len] = 0;
		n += !strcmp(link, DEV_PATH);
	}
	return n;
}

/* What each process of group @pgrp is doing: where a stuck one sleeps. */
static void print_group(pid_t pgrp)
{
	char stat[512], wchan[64], sc[128];
	pid_t pid;

	struct dirent *de;
	DIR *d = opendir("/proc");

	while (d && (de = readdir(d))) {
		pid = atoi(de->d_name);
		if (pid <= 0 || getpgid(pid) != pgrp)
			continue;
		proc_line(pid, "stat", stat, sizeof(stat));
		proc_line(pid, "wchan", wchan, sizeof(wchan));
		proc_line(pid, "syscall", sc, sizeof(sc));
		printf("# trinity process %d: %.40s wchan %s syscall %s, %d files of "
		       DEV_PATH "\n", pid,
		       strchr(stat, ' ') ? strchr(stat, ' ') + 1 : stat, wchan,
		       sc, dev_files(pid));
	}
	if (d)
		closedir(d);
}

/*
 * trinity, as nobody in a process group of its own, against the device
 * node alone (-V: the files of its fd provider "pseudo", the one left
 * enabled; the others make fds of their own, some of which block a read
 * for good), with syscalls a character device answers: bounded by
 * -N, and killed with its whole group after TRINITY_BUDGET_MS. Its output
 * goes to @out. Returns its wait status, or -errno.
 */
static int run_trinity(const char *bin, unsigned long syscalls, uint64_t seed,
		       const char *out)
{
	char n[32], s[32];
	int status, fd, ms;
	pid_t pid;

	snprintf(n, sizeof(n), "-N%lu", syscalls);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		return -errno;
	snprintf(s, sizeof(s), "-s%" PRIu64, seed & 0x7fffffff);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		setpgid(0, 0);
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 ||
		    chdir("/tmp") || setgroups(0, NULL) || setgid(NOBODY) ||
		    setuid(NOBODY))
			_exit(126);
		execl(bin, bin, "-q", "-l", "off", n, s, "-C", "2",
		      "-V", DEV_PATH,
		      "--disable-fds=sockets,pipes,perf,epoll,eventfd,"
		      "timerfd,testfile,memfd,drm,inotify,userfaultfd,"
		      "fanotify,bpf",
		      "-c", "ioctl", "-c", "mmap", "-c", "munmap", "-c", "read",
		      "-c", "write", "-c", "poll", "-c", "fcntl",
		      "-c", "mremap", "-c", "madvise", "-c", "mprotect",
		      "-c", "msync", "-c", "dup", "-c", "pread64",
		      "-c", "pwrite64", "-c", "lseek", "-c", "io_uring_setup",
		      "-c", "io_uring_enter", "-c", "io_uring_register",
		      (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	for (ms = 0; ms < TRINITY_BUDGET_MS; ms += 50) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		sleep_ms(50);
	}
	if (ms >= TRINITY_BUDGET_MS) {
		printf("# trinity still ran after %d ms: killed\n", ms);
		print_group(pid);
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	/*
	 * Its children, in its group, go with it: this process is their
	 * subreaper, so each is reaped here once it has died.
	 */
	do
		kill(-pid, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR);
	return status;
}

/* Lines of trinity's output printed: its last ones. */
#define TRINITY_TAIL	12

/* Print the tail of trinity's output as TAP comments. */
static void print_trinity(const char *out)
{
	static char lines[TRINITY_TAIL][256];
	FILE *f = fopen(out, "r");
	unsigned int i, n = 0;

	if (!f)
		return;
	while (fgets(lines[n % TRINITY_TAIL], sizeof(lines[0]), f))
		n++;
	fclose(f);
	for (i = n > TRINITY_TAIL ? n - TRINITY_TAIL : 0; i < n; i++)
		printf("# trinity: %s", lines[i % TRINITY_TAIL]);
}

TEST_F_TIMEOUT(fuzz, trinity_on_the_device_node_leaves_the_driver_exact,
	       TRINITY_TEST_S)
{
	unsigned long syscalls = env_count("RPCDEV_TRINITY_SYSCALLS",
					   TRINITY_SYSCALLS_DEFAULT);
	const char *out = "/tmp/rpcdev-trinity.log";
	const char *bin = trinity_path();
	struct rng r;
	int status;

	if (!bin)
		SKIP(return, "no trinity in the guest (Debian's trinity package)");
	print_seed("trinity");
	rng_init(&r, "trinity", 0);
	ASSERT_EQ(0, chmod(DEV_PATH, 0666));
	printf("# trinity -N%lu -s%" PRIu64 " -V " DEV_PATH " as uid %d\n",
	       syscalls, fuzz_seed() & 0x7fffffff, NOBODY);
	fflush(stdout);
	status = run_trinity(bin, syscalls, fuzz_seed(), out);
	print_trinity(out);
	ASSERT_LE(0, status);
	ASSERT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) >= 126)
		TH_LOG("trinity did not start (exit status %d)",
		       WEXITSTATUS(status));
	printf("# trinity: %s %d\n", WIFEXITED(status) ? "exit status" :
	       "killed by signal", WIFEXITED(status) ? WEXITSTATUS(status) :
	       WTERMSIG(status));
	ASSERT_EQ(0, driver_answers_exactly(0, rnd(&r)));
}

TEST_HARNESS_MAIN
