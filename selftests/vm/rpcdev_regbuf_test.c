// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev registered buffers (RPCDEV_FEAT_REG_BUFS), run as root inside the
 * test VM: registering and unregistering (their argument errors, the
 * limits, the pages a registration pins), 1 MiB echoes whose request,
 * result or both the device reads and writes in place, calls that name a
 * buffer wrongly, a buffer in use that cannot be unregistered, and
 * processes that exit or are killed with buffers pinned, mid-call too.
 *
 * Pinned pages are counted in two places the tests read exactly: the
 * driver's debugfs rpcdev/rpcdev0/pinned ("pages N", every queue of the
 * device) and the process's VmPin (/proc/self/status).
 *
 * The fixture (rpcdev_fixture.h) loads rpcdev and the backend that
 * $RPCDEV_TEST_BACKEND names and opens /dev/rpcdev0 without a queue. Only
 * rpcdev_sim has the feature; on a device without it the registration
 * test of EOPNOTSUPP runs and the others skip.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_calls.h"
#include "rpcdev_debugfs.h"
#include "rpcdev_fixture.h"
#include "rpcdev_util.h"

#define PINNED_PATH	DBGFS_ROOT "/rpcdev/rpcdev0/pinned"
/* Long enough to be seen in flight, short enough for the suite. */
#define BUSY_DELAY_US	(500 * USEC_PER_MSEC)
/* A call the child is killed in the middle of: it never ends by itself. */
#define CHILD_DELAY_US	(30000 * USEC_PER_MSEC)

static int reg_raw(int fd, struct rpcdev_buf_reg *r)
{
	return ioctl(fd, RPCDEV_IOC_BUF_REGISTER, r) ? -errno : 0;
}

/* Register @len bytes at @addr: the index, or -errno. */
static int reg(int fd, void *addr, size_t len)
{
	struct rpcdev_buf_reg r = { .addr = (uintptr_t)addr, .len = len };
	int ret = reg_raw(fd, &r);

	return ret ? ret : (int)r.index;
}

static int unreg(int fd, unsigned int index)
{
	struct rpcdev_buf_unreg u = { .index = index };

	return ioctl(fd, RPCDEV_IOC_BUF_UNREGISTER, &u) ? -errno : 0;
}

static int call_raw(int fd, struct rpcdev_call *c)
{
	return ioctl(fd, RPCDEV_IOC_CALL, c) ? -errno : 0;
}

/* @len bytes of fresh anonymous memory, page aligned, or NULL. */
static void *anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* The device's pinned pages, as its debugfs says; ~0ULL if unreadable. */
static unsigned long long pinned_pages(void)
{
	return dbg(PINNED_PATH, "pages");
}

/* This process's VmPin in kB, or -1. */
static long vmpin_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static bool has_reg_bufs(struct rpcdev *dev)
{
	struct rpcdev_info info;

	return !rpcdev_info(dev, &info) &&
	       (info.features & RPCDEV_FEAT_REG_BUFS);
}

#define SKIP_UNLESS_REG_BUFS(dev) do {					\
	if (!has_reg_bufs(dev))						\
		SKIP(return, "the device has no RPCDEV_FEAT_REG_BUFS ("	\
		     KMOD_BACKEND_ENV "=%s)", kmod_backend_env());	\
} while (0)

/* A call of @method whose request and result are as the arguments say. */
static void call_init(struct rpcdev_call *c, __u32 method)
{
	memset(c, 0, sizeof(*c));
	c->method = method;
	c->timeout_ns = CALL_TIMEOUT_NS;
}

static void call_req_buf(struct rpcdev_call *c, int index, __u64 off,
			 __u32 len)
{
	c->flags |= RPCDEV_CALL_REQ_BUF;
	c->req_buf = index;
	c->req = off;
	c->req_len = len;
}

static void call_resp_buf(struct rpcdev_call *c, int index, __u64 off,
			  __u32 cap)
{
	c->flags |= RPCDEV_CALL_RESP_BUF;
	c->resp_buf = index;
	c->resp = off;
	c->resp_cap = cap;
}

DEVICE_FIXTURE(regbuf)

/* ------------------------------------------------------------ feature */

TEST_F(regbuf, register_on_device_without_feature_gives_eopnotsupp)
{
	void *p = anon(page_size());

	if (has_reg_bufs(&self->dev))
		SKIP(return, "the device has RPCDEV_FEAT_REG_BUFS (rpcdev_sim)");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	EXPECT_EQ(-EOPNOTSUPP, reg(rpcdev_fd(&self->dev), p, page_size()));
	EXPECT_EQ(-EOPNOTSUPP, unreg(rpcdev_fd(&self->dev), 0));
	EXPECT_EQ(-EOPNOTSUPP, rpcdev_buf_register(&self->dev, p, page_size()));
	munmap(p, page_size());
}

TEST_F(regbuf, sim_reports_the_feature)
{
	SKIP_UNLESS_SIM("rpcdev_sim's registered buffers");
	EXPECT_TRUE(has_reg_bufs(&self->dev));
}

/* ------------------------------------------------- registration errors */

/*
 * One RPCDEV_IOC_BUF_REGISTER of a page-aligned 1 MiB buffer on queue 0
 * (unless @no_queue), spoiled as the variant says; it must give @want.
 */
FIXTURE_VARIANT(reg_arg) {
	bool no_queue;
	bool unmapped;		/* addr not mapped */
	bool read_only;		/* mapped PROT_READ only */
	long addr_add;		/* added to addr */
	long len;		/* 0: 1 MiB */
	bool zero_len;
	__u32 flags;
	bool reserved_set;
	int want;
};

DEVICE_FIXTURE(reg_arg)

FIXTURE_VARIANT_ADD(reg_arg, before_attach_gives_einval) {
	.no_queue = true, .want = -EINVAL,
};

FIXTURE_VARIANT_ADD(reg_arg, unmapped_address_gives_efault) {
	.unmapped = true, .want = -EFAULT,
};

FIXTURE_VARIANT_ADD(reg_arg, read_only_memory_gives_efault) {
	.read_only = true, .want = -EFAULT,
};

FIXTURE_VARIANT_ADD(reg_arg, zero_length_gives_einval) {
	.zero_len = true, .want = -EINVAL,
};

FIXTURE_VARIANT_ADD(reg_arg, unaligned_address_gives_einval) {
	.addr_add = 64, .len = 4096, .want = -EINVAL,
};

FIXTURE_VARIANT_ADD(reg_arg, unaligned_length_gives_einval) {
	.len = 4096 + 1, .want = -EINVAL,
};

FIXTURE_VARIANT_ADD(reg_arg, length_above_max_gives_e2big) {
	.len = RPCDEV_MAX_REG_BUF_SIZE + 4096, .want = -E2BIG,
};

FIXTURE_VARIANT_ADD(reg_arg, flags_set_gives_einval) {
	.flags = 1, .want = -EINVAL,
};

FIXTURE_VARIANT_ADD(reg_arg, reserved_set_gives_einval) {
	.reserved_set = true, .want = -EINVAL,
};

TEST_F(reg_arg, result)
{
	struct rpcdev_buf_reg r;
	void *p;

	SKIP_UNLESS_REG_BUFS(&self->dev);
	p = anon(MIB);
	ASSERT_NE(NULL, p);
	if (variant->read_only)
		ASSERT_EQ(0, mprotect(p, MIB, PROT_READ));
	if (!variant->no_queue)
		ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	memset(&r, 0, sizeof(r));
	r.addr = variant->unmapped ? (uintptr_t)unmapped_address() :
				     (uintptr_t)p + variant->addr_add;
	r.len = variant->zero_len ? 0 : variant->len ? (__u64)variant->len : MIB;
	r.flags = variant->flags;
	if (variant->reserved_set)
		r.reserved[1] = 1;
	EXPECT_EQ(variant->want, reg_raw(rpcdev_fd(&self->dev), &r));
	/* A refused registration pins nothing. */
	EXPECT_EQ(0, pinned_pages());
	munmap(p, MIB);
}

TEST_F(regbuf, register_on_user_rings_queue_gives_einval)
{
	void *p = anon(page_size());

	SKIP_UNLESS_REG_BUFS(&self->dev);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, rpcdev_queue_attach_policy(&self->dev, 0, 0, 0,
						RPCDEV_WAIT_POLL));
	EXPECT_EQ(-EINVAL, reg(rpcdev_fd(&self->dev), p, page_size()));
	munmap(p, page_size());
}

TEST_F(regbuf, register_past_max_buffers_gives_enospc)
{
	size_t len = RPCDEV_MAX_REG_BUFS * page_size();
	char *p = anon(len + page_size());
	int fd = rpcdev_fd(&self->dev);
	int i;

	SKIP_UNLESS_REG_BUFS(&self->dev);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	for (i = 0; i < RPCDEV_MAX_REG_BUFS; i++)
		ASSERT_EQ(i, reg(fd, p + i * page_size(), page_size()));
	EXPECT_EQ(-ENOSPC, reg(fd, p + len, page_size()));
	/* The lowest free index is reused. */
	ASSERT_EQ(0, unreg(fd, 5));
	EXPECT_EQ(5, reg(fd, p + len, page_size()));
	munmap(p, len + page_size());
}

TEST_F(regbuf, register_pins_its_pages_and_unregister_unpins_them)
{
	int fd = rpcdev_fd(&self->dev);
	long vm0 = vmpin_kb();
	void *p = anon(MIB);
	int index;

	SKIP_UNLESS_REG_BUFS(&self->dev);
	ASSERT_NE(NULL, p);
	ASSERT_LE(0, vm0);
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	index = reg(fd, p, MIB);
	ASSERT_EQ(0, index);
	EXPECT_EQ(MIB / page_size(), pinned_pages());
	EXPECT_EQ(vm0 + (long)(MIB >> 10), vmpin_kb());
	ASSERT_EQ(0, unreg(fd, index));
	EXPECT_EQ(0, pinned_pages());
	EXPECT_EQ(vm0, vmpin_kb());
	munmap(p, MIB);
}

/* Drop CAP_IPC_LOCK from this process's effective set: 0 or -errno. */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[CAP_IPC_LOCK / 32].effective &= ~(1U << (CAP_IPC_LOCK % 32));
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

/*
 * In a child without CAP_IPC_LOCK and with RLIMIT_MEMLOCK of 64 KiB: the
 * result of registering @len bytes on its own file, as an exit status
 * (the errno; 0 for success; 100 + n for a step n that failed first).
 */
static int memlock_child(size_t len)
{
	struct rlimit rl = { .rlim_cur = 64 << 10, .rlim_max = 64 << 10 };
	struct rpcdev dev;
	void *p = anon(len);
	int ret;

	if (!p || rpcdev_open(&dev, DEV_PATH) ||
	    rpcdev_queue_attach(&dev, 1, 0, 0))
		return 101;
	if (setrlimit(RLIMIT_MEMLOCK, &rl) || drop_ipc_lock())
		return 102;
	ret = reg(rpcdev_fd(&dev), p, len);
	return ret < 0 ? -ret : 0;
}

static int memlock_result(size_t len)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(memlock_child(len));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	return WEXITSTATUS(status);
}

TEST_F(regbuf, register_past_rlimit_memlock_gives_enomem_without_cap_ipc_lock)
{
	SKIP_UNLESS_REG_BUFS(&self->dev);
	EXPECT_EQ(ENOMEM, memlock_result(MIB));
	/* Within the limit it is pinned, and given back at the child's exit. */
	EXPECT_EQ(0, memlock_result(16 * page_size()));
	EXPECT_EQ(0, dbgfs_wait_key(PINNED_PATH, "pages", 0, WAIT_MS));
}

TEST_F(regbuf, unregister_of_unknown_index_gives_enoent)
{
	int fd = rpcdev_fd(&self->dev);
	struct rpcdev_buf_unreg u = { .index = 0, .reserved = { 0, 1 } };

	SKIP_UNLESS_REG_BUFS(&self->dev);
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	EXPECT_EQ(-ENOENT, unreg(fd, 0));
	EXPECT_EQ(-ENOENT, unreg(fd, RPCDEV_MAX_REG_BUFS));
	EXPECT_EQ(-EINVAL, ioctl(fd, RPCDEV_IOC_BUF_UNREGISTER, &u) ? -errno : 0);
}

/* ---------------------------------------------------- 1 MiB in place */

/*
 * ECHO of 1 MiB with the request, the result or both in registered
 * buffers; the result must be the request, byte for byte, with the guard
 * bytes after it untouched.
 */
FIXTURE_VARIANT(echo_in_place) {
	bool req_buf;
	bool resp_buf;
};

DEVICE_FIXTURE(echo_in_place)

FIXTURE_VARIANT_ADD(echo_in_place, request_and_result) {
	.req_buf = true, .resp_buf = true,
};

FIXTURE_VARIANT_ADD(echo_in_place, request_only) {
	.req_buf = true,
};

FIXTURE_VARIANT_ADD(echo_in_place, result_only) {
	.resp_buf = true,
};

TEST_F(echo_in_place, is_byte_exact)
{
	int fd = rpcdev_fd(&self->dev);
	/* A request beside the descriptor fits in less than a buffer. */
	size_t len = variant->req_buf ? MIB : MIB - RPCDEV_BUF_DESC_SIZE;
	size_t guard = page_size();
	unsigned char *req = anon(MIB), *resp = anon(MIB + guard);
	struct rpcdev_call c;
	int ireq = -1, iresp = -1;

	SKIP_UNLESS_REG_BUFS(&self->dev);
	ASSERT_NE(NULL, req);
	ASSERT_NE(NULL, resp);
	/* Buffers of 1 MiB, so a result not in place fits too. */
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 2, MIB));
	fill_pattern(req, len, 14);
	memset(resp, 0x5a, MIB + guard);
	if (variant->req_buf) {
		ireq = reg(fd, req, MIB);
		ASSERT_LE(0, ireq);
	}
	if (variant->resp_buf) {
		iresp = reg(fd, resp, MIB + guard);
		ASSERT_LE(0, iresp);
	}

	call_init(&c, RPCDEV_SIM_ECHO);
	if (variant->req_buf) {
		call_req_buf(&c, ireq, 0, len);
	} else {
		c.req = (uintptr_t)req;
		c.req_len = len;
	}
	if (variant->resp_buf) {
		call_resp_buf(&c, iresp, 0, MIB);
	} else {
		c.resp = (uintptr_t)resp;
		c.resp_cap = MIB;
	}
	ASSERT_EQ(0, call_raw(fd, &c));
	EXPECT_EQ(RPCDEV_STATUS_OK, c.status);
	EXPECT_EQ(len, c.resp_len);
	/* In place exactly when the result had a registered buffer. */
	EXPECT_EQ(variant->resp_buf ? RPCDEV_ENTRY_BUFS : 0, c.res_flags);
	EXPECT_EQ(0, memcmp(req, resp, len));
	EXPECT_EQ(-1, first_not(resp + len, MIB + guard - len, 0x5a));
	munmap(req, MIB);
	munmap(resp, MIB + guard);
}

/*
 * On a queue attached with RPCDEV_ATTACH_INLINE, a small call naming
 * registered buffers is not inline: its descriptor (and a request beside
 * it) stays in the DQ buffer, and the answer written in place is not put
 * in the entry either. The same variants, 16 bytes each way.
 */
TEST_F(echo_in_place, small_on_an_inline_queue_is_byte_exact)
{
	int fd = rpcdev_fd(&self->dev);
	size_t len = 16, page = page_size();
	unsigned char *req = anon(page), *resp = anon(page);
	struct rpcdev_queue_attach a = { .flags = RPCDEV_ATTACH_INLINE };
	struct rpcdev_info info;
	struct rpcdev_call c;
	int ireq = -1, iresp = -1;

	SKIP_UNLESS_REG_BUFS(&self->dev);
	ASSERT_EQ(0, rpcdev_info(&self->dev, &info));
	if (!(info.features & RPCDEV_FEAT_INLINE))
		SKIP(return, "the device has no RPCDEV_FEAT_INLINE");
	ASSERT_NE(NULL, req);
	ASSERT_NE(NULL, resp);
	ASSERT_EQ(0, ioctl(fd, RPCDEV_IOC_QUEUE_ATTACH, &a));
	ASSERT_EQ(RPCDEV_ATTACH_INLINE, a.flags);
	fill_pattern(req, len, 21);
	memset(resp, 0x5a, page);
	if (variant->req_buf) {
		ireq = reg(fd, req, page);
		ASSERT_LE(0, ireq);
	}
	if (variant->resp_buf) {
		iresp = reg(fd, resp, page);
		ASSERT_LE(0, iresp);
	}

	call_init(&c, RPCDEV_SIM_ECHO);
	if (variant->req_buf) {
		call_req_buf(&c, ireq, 0, len);
	} else {
		c.req = (uintptr_t)req;
		c.req_len = len;
	}
	if (variant->resp_buf) {
		call_resp_buf(&c, iresp, 0, page);
	} else {
		c.resp = (uintptr_t)resp;
		c.resp_cap = page;
	}
	ASSERT_EQ(0, call_raw(fd, &c));
	EXPECT_EQ(RPCDEV_STATUS_OK, c.status);
	EXPECT_EQ(len, c.resp_len);
	EXPECT_EQ(variant->resp_buf ? RPCDEV_ENTRY_BUFS : 0, c.res_flags);
	EXPECT_EQ(0, memcmp(req, resp, len));
	EXPECT_EQ(-1, first_not(resp + len, page - len, 0x5a));
	munmap(req, page);
	munmap(resp, page);
}

TEST_F(regbuf, echo_within_one_buffer_at_offsets_is_byte_exact)
{
	int fd = rpcdev_fd(&self->dev);
	unsigned char *p = anon(2 * MIB);
	struct rpcdev_call c;
	int index;

	SKIP_UNLESS_REG_BUFS(&self->dev);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	fill_pattern(p + 100, MIB, 7);
	index = reg(fd, p, 2 * MIB);
	ASSERT_LE(0, index);
	call_init(&c, RPCDEV_SIM_ECHO);
	call_req_buf(&c, index, 100, MIB);
	call_resp_buf(&c, index, MIB + 200, MIB - 200);
	/* Room for less than the request: cut, not written in place. */
	ASSERT_EQ(0, call_raw(fd, &c));
	EXPECT_EQ(RPCDEV_STATUS_ERROR, c.status);
	call_resp_buf(&c, index, MIB + 100, MIB - 100);
	c.req_len = MIB - 100;
	ASSERT_EQ(0, call_raw(fd, &c));
	EXPECT_EQ(RPCDEV_STATUS_OK, c.status);
	EXPECT_EQ(MIB - 100, c.resp_len);
	EXPECT_EQ(RPCDEV_ENTRY_BUFS, c.res_flags);
	EXPECT_EQ(0, memcmp(p + 100, p + MIB + 100, MIB - 100));
	munmap(p, 2 * MIB);
}

TEST_F(regbuf, fail_method_error_lands_in_the_result_buffer)
{
	int fd = rpcdev_fd(&self->dev);
	char *p = anon(page_size());
	struct rpcdev_call c;
	int index;

	SKIP_UNLESS_REG_BUFS(&self->dev);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	strcpy(p, "boom");
	index = reg(fd, p, page_size());
	ASSERT_LE(0, index);
	call_init(&c, RPCDEV_SIM_FAIL);
	call_req_buf(&c, index, 0, 4);
	call_resp_buf(&c, index, 1024, 1024);
	ASSERT_EQ(0, call_raw(fd, &c));
	EXPECT_EQ(RPCDEV_STATUS_ERROR, c.status);
	/* The kernel copied it from the DC buffer: not in place. */
	EXPECT_EQ(RPCDEV_ENTRY_ERROR, c.res_flags);
	EXPECT_EQ(sizeof("SimError") + sizeof("boom"), c.resp_len);
	EXPECT_STREQ("SimError", p + 1024);
	EXPECT_STREQ("boom", p + 1024 + sizeof("SimError"));
	munmap(p, page_size());
}

/* ------------------------------------------------- calls named wrongly */

/*
 * An ECHO call on queue 0 with a registered buffer of one page (index 0)
 * and the fields the variant sets; it must give @want and pin nothing
 * more, post nothing.
 */
FIXTURE_VARIANT(call_buf_arg) {
	__u32 flags;
	__u16 req_buf, resp_buf;
	__u64 req, resp;
	__u32 req_len, resp_cap;
	bool reserved_set;
	int want;
};

DEVICE_FIXTURE(call_buf_arg)

FIXTURE_VARIANT_ADD(call_buf_arg, request_past_buffer_end_gives_enospc) {
	.flags = RPCDEV_CALL_REQ_BUF, .req = 1, .req_len = 4096,
	.want = -ENOSPC,
};

FIXTURE_VARIANT_ADD(call_buf_arg, request_offset_past_end_gives_enospc) {
	.flags = RPCDEV_CALL_REQ_BUF, .req = 1ULL << 40, .req_len = 0,
	.want = -ENOSPC,
};

FIXTURE_VARIANT_ADD(call_buf_arg, result_room_past_buffer_end_gives_enospc) {
	.flags = RPCDEV_CALL_RESP_BUF, .resp = 2048, .resp_cap = 4096,
	.want = -ENOSPC,
};

FIXTURE_VARIANT_ADD(call_buf_arg, unregistered_request_buffer_gives_enoent) {
	.flags = RPCDEV_CALL_REQ_BUF, .req_buf = 1, .req_len = 8,
	.want = -ENOENT,
};

FIXTURE_VARIANT_ADD(call_buf_arg, result_buffer_past_max_gives_enoent) {
	.flags = RPCDEV_CALL_RESP_BUF, .resp_buf = RPCDEV_MAX_REG_BUFS,
	.resp_cap = 8, .want = -ENOENT,
};

FIXTURE_VARIANT_ADD(call_buf_arg, buffer_index_without_its_flag_gives_einval) {
	.flags = RPCDEV_CALL_REQ_BUF, .resp_buf = 1, .req_len = 8,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(call_buf_arg, reserved_set_gives_einval) {
	.flags = RPCDEV_CALL_REQ_BUF, .req_len = 8, .reserved_set = true,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(call_buf_arg, inline_request_beside_descriptor_too_long_gives_e2big) {
	.flags = RPCDEV_CALL_RESP_BUF, .resp_cap = 8,
	.req_len = RPCDEV_DEFAULT_BUF_SIZE - RPCDEV_BUF_DESC_SIZE + 1,
	.want = -E2BIG,
};

TEST_F(call_buf_arg, result)
{
	static char req[RPCDEV_DEFAULT_BUF_SIZE];
	int fd = rpcdev_fd(&self->dev);
	void *p = anon(page_size());
	struct rpcdev_call c;

	SKIP_UNLESS_REG_BUFS(&self->dev);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, reg(fd, p, page_size()));
	call_init(&c, RPCDEV_SIM_ECHO);
	c.flags = variant->flags;
	c.req_buf = variant->req_buf;
	c.resp_buf = variant->resp_buf;
	c.req = variant->flags & RPCDEV_CALL_REQ_BUF ? variant->req :
						       (uintptr_t)req;
	c.req_len = variant->req_len;
	c.resp = variant->resp;
	c.resp_cap = variant->resp_cap;
	if (variant->reserved_set)
		c.reserved[0] = 1;
	EXPECT_EQ(variant->want, call_raw(fd, &c));
	EXPECT_EQ(0, dbg(self->q0, "calls"));
	EXPECT_EQ(RPCDEV_DEFAULT_DEPTH, dbg(self->q0, "free"));
	munmap(p, page_size());
}

/* -------------------------------------------------------- in use */

/* A DELAY call whose request (its __le64 of microseconds) is in a buffer. */
struct bg_buf_call {
	int fd;
	int index;
	__u64 timeout_ns;
	struct rpcdev_call c;
	pthread_t thread;
	int ret;
};

static void *bg_buf_call_main(void *arg)
{
	struct bg_buf_call *bg = arg;

	bg->ret = call_raw(bg->fd, &bg->c);
	return NULL;
}

/* Start it, with @us in the first 8 bytes of buffer @index at @p. */
static int bg_buf_call_start(struct bg_buf_call *bg, int fd, int index,
			     void *p, __u64 us, __u64 timeout_ns)
{
	__le64 le = htole64(us);

	memcpy(p, &le, sizeof(le));
	memset(bg, 0, sizeof(*bg));
	bg->fd = fd;
	call_init(&bg->c, RPCDEV_SIM_DELAY);
	bg->c.timeout_ns = timeout_ns;
	call_req_buf(&bg->c, index, 0, sizeof(le));
	return -pthread_create(&bg->thread, NULL, bg_buf_call_main, bg);
}

static int bg_buf_call_join(struct bg_buf_call *bg)
{
	pthread_join(bg->thread, NULL);
	return bg->ret;
}

TEST_F(regbuf, unregister_while_a_call_uses_it_gives_ebusy_then_succeeds)
{
	int fd = rpcdev_fd(&self->dev);
	void *p = anon(page_size()), *other = anon(page_size());
	struct bg_buf_call bg;
	int index;

	SKIP_UNLESS_REG_BUFS(&self->dev);
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, other);
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	index = reg(fd, p, page_size());
	ASSERT_EQ(0, index);
	ASSERT_EQ(1, reg(fd, other, page_size()));
	ASSERT_EQ(0, bg_buf_call_start(&bg, fd, index, p, BUSY_DELAY_US,
				       CALL_TIMEOUT_NS));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "free",
				    RPCDEV_DEFAULT_DEPTH - 1, WAIT_MS));
	EXPECT_EQ(-EBUSY, unreg(fd, index));
	/* A buffer no call names is free to go meanwhile. */
	EXPECT_EQ(0, unreg(fd, 1));
	ASSERT_EQ(0, bg_buf_call_join(&bg));
	EXPECT_EQ(RPCDEV_STATUS_OK, bg.c.status);
	EXPECT_EQ(0, unreg(fd, index));
	EXPECT_EQ(0, pinned_pages());
	munmap(p, page_size());
	munmap(other, page_size());
}

TEST_F(regbuf, call_given_up_keeps_its_buffer_busy_until_the_device_answers)
{
	int fd = rpcdev_fd(&self->dev);
	void *p = anon(page_size());
	struct bg_buf_call bg;
	int index;

	SKIP_UNLESS_REG_BUFS(&self->dev);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	index = reg(fd, p, page_size());
	ASSERT_EQ(0, index);
	ASSERT_EQ(0, bg_buf_call_start(&bg, fd, index, p, LATE_DELAY_US,
				       LATE_TIMEOUT_NS));
	ASSERT_EQ(-ETIMEDOUT, bg_buf_call_join(&bg));
	EXPECT_EQ(-EBUSY, unreg(fd, index));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "abandoned", 0, WAIT_MS));
	EXPECT_EQ(0, unreg(fd, index));
	munmap(p, page_size());
}

/* ------------------------------------------------ exit while pinned */

/*
 * The child's part: its own file on queue 1, a registered buffer of
 * 1 MiB, and (with @mid_call) a DELAY call on it in flight; then it says
 * it is ready and waits to be killed, or exits by itself.
 */
struct pin_child {
	bool mid_call;
	bool kill_it;
};

static void pin_child_main(int ready, void *arg)
{
	const struct pin_child *pc = arg;
	char q1[64];
	struct bg_buf_call bg;
	struct rpcdev dev;
	void *p = anon(MIB);
	int index;

	dbgfs_queue_path(q1, sizeof(q1), 0, 1);
	if (!p || rpcdev_open(&dev, DEV_PATH) ||
	    rpcdev_queue_attach(&dev, 1, 0, 0))
		_exit(2);
	index = reg(rpcdev_fd(&dev), p, MIB);
	if (index < 0)
		_exit(3);
	if (pc->mid_call &&
	    (bg_buf_call_start(&bg, rpcdev_fd(&dev), index, p,
			       CHILD_DELAY_US, 0) ||
	     dbgfs_wait_key(q1, "free", RPCDEV_DEFAULT_DEPTH - 1, WAIT_MS)))
		_exit(4);
	if (write(ready, "", 1) != 1)
		_exit(5);
	if (pc->kill_it)
		for (;;)
			pause();
	/* Exits with its buffer still registered, its file still open. */
	_exit(0);
}

FIXTURE_VARIANT(exit_pinned) {
	bool mid_call;
	bool kill_it;
};

DEVICE_FIXTURE(exit_pinned)

FIXTURE_VARIANT_ADD(exit_pinned, exit_with_buffer_registered) {
	.kill_it = false,
};

FIXTURE_VARIANT_ADD(exit_pinned, killed_with_buffer_registered) {
	.kill_it = true,
};

FIXTURE_VARIANT_ADD(exit_pinned, killed_mid_call_on_the_buffer) {
	.mid_call = true, .kill_it = true,
};

TEST_F(exit_pinned, leaves_nothing_pinned)
{
	struct pin_child pc = {
		.mid_call = variant->mid_call,
		.kill_it = variant->kill_it,
	};

	SKIP_UNLESS_REG_BUFS(&self->dev);
	ASSERT_EQ(0, pinned_pages());
	ASSERT_EQ(0, fork_until_ready(pin_child_main, &pc, variant->kill_it));
	/* Its file went with it: the queue stopped, the pages unpinned. */
	EXPECT_EQ(0, dbgfs_wait_key(PINNED_PATH, "pages", 0, WAIT_MS));
	EXPECT_EQ(0, dbgfs_wait_key(self->q1, "attached", 0, WAIT_MS));
	/* The queue is whole again for the next owner. */
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 1, 0, 0));
	EXPECT_EQ(0, echo_check(&self->dev));
}

/* ------------------------------------------------------------ library */

TEST_F(regbuf, library_echo_through_registered_buffers_is_byte_exact)
{
	unsigned char *req = anon(MIB), *resp = anon(MIB);
	struct rpcdev_buf_span rq = { .len = MIB }, rs = { .len = MIB };
	struct rpcdev_call_result res;
	int ireq, iresp;

	SKIP_UNLESS_REG_BUFS(&self->dev);
	ASSERT_NE(NULL, req);
	ASSERT_NE(NULL, resp);
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	fill_pattern(req, MIB, 3);
	ireq = rpcdev_buf_register(&self->dev, req, MIB);
	iresp = rpcdev_buf_register(&self->dev, resp, MIB);
	ASSERT_EQ(0, ireq);
	ASSERT_EQ(1, iresp);
	rq.index = ireq;
	rs.index = iresp;
	ASSERT_EQ(0, rpcdev_call_bufs(&self->dev, RPCDEV_SIM_ECHO, &rq, &rs,
				      CALL_TIMEOUT_NS, &res));
	EXPECT_EQ(RPCDEV_STATUS_OK, res.status);
	EXPECT_EQ(RPCDEV_ENTRY_BUFS, res.flags);
	EXPECT_EQ(MIB, res.resp_len);
	EXPECT_EQ(0, memcmp(req, resp, MIB));
	/* A span past its buffer, a span's __resv, an unknown index. */
	rs.offset = 1;
	EXPECT_EQ(-ENOSPC, rpcdev_call_bufs(&self->dev, RPCDEV_SIM_ECHO, &rq,
					    &rs, CALL_TIMEOUT_NS, &res));
	rs.offset = 0;
	rs.__resv = 1;
	EXPECT_EQ(-EINVAL, rpcdev_call_bufs(&self->dev, RPCDEV_SIM_ECHO, &rq,
					    &rs, CALL_TIMEOUT_NS, &res));
	rq.index = 7;
	EXPECT_EQ(-ENOENT, rpcdev_call_bufs(&self->dev, RPCDEV_SIM_ECHO, &rq,
					    NULL, CALL_TIMEOUT_NS, &res));
	EXPECT_EQ(0, rpcdev_buf_unregister(&self->dev, ireq));
	EXPECT_EQ(-ENOENT, rpcdev_buf_unregister(&self->dev, ireq));
	EXPECT_EQ(0, rpcdev_buf_unregister(&self->dev, iresp));
	EXPECT_EQ(0, pinned_pages());
	munmap(req, MIB);
	munmap(resp, MIB);
}

TEST_F(regbuf, library_register_gives_the_kernels_errors)
{
	void *p = anon(page_size());

	SKIP_UNLESS_REG_BUFS(&self->dev);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(-EINVAL, rpcdev_buf_register(&self->dev, p, page_size()));
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	EXPECT_EQ(-EINVAL, rpcdev_buf_register(&self->dev, p, 0));
	EXPECT_EQ(-EFAULT, rpcdev_buf_register(&self->dev, unmapped_address(),
					       page_size()));
	EXPECT_EQ(0, rpcdev_buf_register(&self->dev, p, page_size()));
	rpcdev_close(&self->dev);
	EXPECT_EQ(-EBADF, rpcdev_buf_register(&self->dev, p, page_size()));
	EXPECT_EQ(-EBADF, rpcdev_buf_unregister(&self->dev, 0));
	/* Closing gave it back. */
	EXPECT_EQ(0, dbgfs_wait_key(PINNED_PATH, "pages", 0, WAIT_MS));
	munmap(p, page_size());
}

TEST_HARNESS_MAIN
