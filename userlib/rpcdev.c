// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * librpcdev: opening rpcdev devices, asking them what they are, attaching
 * and mapping a queue, and synchronous downcalls.
 * See rpcdev.h for the documentation of each function.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ring.h"
#include "rpcdev.h"

#define RPCDEV_DEFAULT_PATH	"/dev/rpcdev0"

/* Longest "/dev/rpcdev<unsigned int>" plus its NUL. */
#define RPCDEV_PATH_MAX		(sizeof("/dev/rpcdev") + 10)


static const char *const rpcdev_feature_names[] = {
	[0] = "info",		/* RPCDEV_FEAT_INFO */
	[1] = "downcall",	/* RPCDEV_FEAT_DOWNCALL */
	[2] = "upcall",		/* RPCDEV_FEAT_UPCALL */
	[3] = "mailbox",	/* RPCDEV_FEAT_MAILBOX */
	[4] = "user_rings",	/* RPCDEV_FEAT_USER_RINGS */
	[5] = "ring_wake",	/* RPCDEV_FEAT_RING_WAKE */
	[6] = "async_noack",	/* RPCDEV_FEAT_ASYNC_NOACK */
};

static const char *const rpcdev_status_names[] = {
	[RPCDEV_STATUS_OK]		= "OK",
	[RPCDEV_STATUS_ERROR]		= "ERROR",
	[RPCDEV_STATUS_NO_METHOD]	= "NO_METHOD",
	[RPCDEV_STATUS_BAD_REQUEST]	= "BAD_REQUEST",
	[RPCDEV_STATUS_NO_SERVER]	= "NO_SERVER",
};

static const char *const rpcdev_policy_names[] = {
	[RPCDEV_WAIT_BLOCK]	= "block",
	[RPCDEV_WAIT_POLL]	= "poll",
	[RPCDEV_WAIT_ADAPTIVE]	= "adaptive",
};

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

static void rpcdev_init_closed(struct rpcdev *dev)
{
	memset(dev, 0, sizeof(*dev));
	dev->fd = -1;
}

int rpcdev_open(struct rpcdev *dev, const char *path)
{
	int fd;

	rpcdev_init_closed(dev);
	if (!path)
		path = RPCDEV_DEFAULT_PATH;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	dev->fd = fd;
	return 0;
}

int rpcdev_open_index(struct rpcdev *dev, unsigned int index)
{
	char path[RPCDEV_PATH_MAX];

	snprintf(path, sizeof(path), "/dev/rpcdev%u", index);
	return rpcdev_open(dev, path);
}

/* The parts of a queue's memory, in the order of struct rpcdev.parts. */
static const struct {
	uint64_t off;
	int prot;
} rpcdev_parts[] = {
	{ RPCDEV_OFF_DEV,	PROT_READ },
	{ RPCDEV_OFF_DC_BUF,	PROT_READ },
	{ RPCDEV_OFF_UQ_BUF,	PROT_READ },
	{ RPCDEV_OFF_HOST,	PROT_READ | PROT_WRITE },
	{ RPCDEV_OFF_DQ_BUF,	PROT_READ | PROT_WRITE },
	{ RPCDEV_OFF_UR_BUF,	PROT_READ | PROT_WRITE },
};

#define RPCDEV_NR_PARTS		ARRAY_SIZE(rpcdev_parts)
_Static_assert(ARRAY_SIZE(((struct rpcdev *)0)->parts) == RPCDEV_NR_PARTS,
	       "struct rpcdev has room for every part");

static int rpcdev_has_queue(const struct rpcdev *dev)
{
	return !!(dev->flags & RPCDEV_F_QUEUE);
}

/* Index of the part at mmap offset @off, or -1. */
static int rpcdev_part_index(uint64_t off)
{
	unsigned int i;

	for (i = 0; i < RPCDEV_NR_PARTS; i++)
		if (rpcdev_parts[i].off == off)
			return i;
	return -1;
}

/* Size of part @i according to @l. */
static uint64_t rpcdev_part_size(const struct rpcdev_queue_attach *l, int i)
{
	switch (rpcdev_parts[i].off) {
	case RPCDEV_OFF_DEV:
		return l->dev_size;
	case RPCDEV_OFF_HOST:
		return l->host_size;
	default:
		return l->bufs_size;
	}
}

static void rpcdev_unmap_queue(struct rpcdev *dev)
{
	unsigned int i;

	for (i = 0; i < RPCDEV_NR_PARTS; i++) {
		if (dev->parts[i])
			munmap(dev->parts[i], rpcdev_part_size(&dev->layout, i));
		dev->parts[i] = NULL;
	}
	rpcdev__ring_fini(dev);
	dev->flags &= ~(RPCDEV_F_QUEUE | RPCDEV_F_RING_FLAGS);
}

void rpcdev_close(struct rpcdev *dev)
{
	/* Unmap first: a mapping holds the file, and with it the queue. */
	rpcdev_unmap_queue(dev);
	if (dev->fd >= 0)
		close(dev->fd);
	rpcdev_init_closed(dev);
}

int rpcdev_fd(const struct rpcdev *dev)
{
	return dev->fd;
}

int rpcdev_info(struct rpcdev *dev, struct rpcdev_info *info)
{
	if (ioctl(dev->fd, RPCDEV_IOC_INFO, info) < 0)
		return -errno;
	return 0;
}

const char *rpcdev_feature_name(unsigned int bit)
{
	if (bit >= ARRAY_SIZE(rpcdev_feature_names))
		return NULL;
	return rpcdev_feature_names[bit];
}

/* Map @size bytes of the file at @off; the address, or NULL with errno. */
static void *rpcdev_map(int fd, __u64 off, __u64 size, int prot)
{
	void *p;

	if (size > SIZE_MAX || off > (__u64)INT64_MAX) {
		errno = EOVERFLOW;
		return NULL;
	}
	p = mmap(NULL, size, prot, MAP_SHARED, fd, (off_t)off);
	return p == MAP_FAILED ? NULL : p;
}

int rpcdev_queue_attach(struct rpcdev *dev, unsigned int qid,
			unsigned int depth, unsigned int buf_size)
{
	return rpcdev_queue_attach_policy(dev, qid, depth, buf_size,
					  RPCDEV_WAIT_BLOCK);
}

int rpcdev_queue_attach_policy(struct rpcdev *dev, unsigned int qid,
			       unsigned int depth, unsigned int buf_size,
			       unsigned int policy)
{
	struct rpcdev_queue_attach a;
	struct rpcdev_info info;
	uint64_t features = 0;
	unsigned int i;
	int err;

	memset(&a, 0, sizeof(a));
	if (policy & RPCDEV_QUEUE_TIMESTAMPS)
		a.flags |= RPCDEV_ATTACH_TIMESTAMPS;
	policy &= ~RPCDEV_QUEUE_TIMESTAMPS;
	if (policy > RPCDEV_WAIT_ADAPTIVE)
		return -EINVAL;
	a.qid = qid;
	a.depth = depth;
	a.buf_size = buf_size;
	if (policy != RPCDEV_WAIT_BLOCK) {
		/* What the rings can do beyond the first ABI. */
		if (!rpcdev_info(dev, &info))
			features = info.features;
		a.flags |= RPCDEV_ATTACH_USER_RINGS;
		if (features & RPCDEV_FEAT_ASYNC_NOACK)
			a.flags |= RPCDEV_ATTACH_ASYNC_NOACK;
	}
	if (ioctl(dev->fd, RPCDEV_IOC_QUEUE_ATTACH, &a) < 0)
		return -errno;

	dev->layout = a;
	dev->qid = qid;
	for (i = 0; i < RPCDEV_NR_PARTS; i++) {
		dev->parts[i] = rpcdev_map(dev->fd, rpcdev_parts[i].off,
					   rpcdev_part_size(&a, i),
					   rpcdev_parts[i].prot);
		if (!dev->parts[i]) {
			/* The queue stays the file's: the kernel has no detach. */
			err = -errno;
			rpcdev_unmap_queue(dev);
			return err;
		}
	}
	if (policy != RPCDEV_WAIT_BLOCK) {
		err = rpcdev__ring_init(dev, policy, a.flags, features);
		if (err) {
			rpcdev_unmap_queue(dev);
			return err;
		}
	}
	dev->flags |= RPCDEV_F_QUEUE;
	return 0;
}

int rpcdev_queue_set_spin(struct rpcdev *dev, uint64_t max_ns)
{
	if (!rpcdev_has_queue(dev) || dev->ring.policy == RPCDEV_WAIT_BLOCK)
		return -EINVAL;
	dev->ring.spin_max_ns = max_ns;
	return 0;
}

int rpcdev_interrupt(struct rpcdev *dev)
{
	if (!rpcdev_has_queue(dev) || dev->ring.policy == RPCDEV_WAIT_BLOCK)
		return -EINVAL;
	__atomic_store_n(&dev->interrupt, 1, __ATOMIC_RELEASE);
	return 0;
}

int rpcdev_queue_id(const struct rpcdev *dev)
{
	return rpcdev_has_queue(dev) ? (int)dev->qid : -1;
}

unsigned int rpcdev_queue_depth(const struct rpcdev *dev)
{
	return rpcdev_has_queue(dev) ? dev->layout.depth : 0;
}

unsigned int rpcdev_queue_buf_size(const struct rpcdev *dev)
{
	return rpcdev_has_queue(dev) ? dev->layout.buf_size : 0;
}

const struct rpcdev_queue_attach *rpcdev_queue_layout(const struct rpcdev *dev)
{
	return rpcdev_has_queue(dev) ? &dev->layout : NULL;
}

void *rpcdev_queue_part(struct rpcdev *dev, uint64_t off, size_t *size)
{
	int i = rpcdev_has_queue(dev) ? rpcdev_part_index(off) : -1;

	if (size)
		*size = i < 0 ? 0 : rpcdev_part_size(&dev->layout, i);
	return i < 0 ? NULL : dev->parts[i];
}

void *rpcdev_queue_buf(struct rpcdev *dev, uint64_t part, unsigned int id)
{
	int i = rpcdev_has_queue(dev) ? rpcdev_part_index(part) : -1;

	if (i < 0 || part == RPCDEV_OFF_DEV || part == RPCDEV_OFF_HOST ||
	    id >= dev->layout.depth)
		return NULL;
	return (char *)dev->parts[i] + (size_t)id * dev->layout.buf_size;
}

int rpcdev_call(struct rpcdev *dev, unsigned int method, const void *req,
		size_t req_len, void *resp, size_t resp_cap,
		uint64_t timeout_ns, struct rpcdev_call_result *res)
{
	struct rpcdev_call c;

	if (dev->fd < 0)
		return -EBADF;
	if (!rpcdev_has_queue(dev))
		return -EINVAL;
	/* No queue has buffers this big; do not let the length wrap. */
	if (req_len > UINT32_MAX)
		return -E2BIG;
	if (dev->ring.policy != RPCDEV_WAIT_BLOCK) {
		struct rpcdev_call_result r;
		int ret = rpcdev__ring_call(dev, method, req, req_len, resp,
					    resp_cap, timeout_ns, &r);

		if (!ret && res)
			*res = r;
		return ret;
	}

	memset(&c, 0, sizeof(c));
	c.method = method;
	c.req = (uintptr_t)req;
	c.req_len = (__u32)req_len;
	c.resp = (uintptr_t)resp;
	c.resp_cap = resp_cap > UINT32_MAX ? UINT32_MAX : (__u32)resp_cap;
	c.timeout_ns = timeout_ns;
	if (ioctl(dev->fd, RPCDEV_IOC_CALL, &c) < 0)
		return -errno;

	if (res) {
		memset(res, 0, sizeof(*res));
		res->status = c.status;
		res->flags = c.res_flags;
		res->resp_len = c.resp_len;
	}
	return 0;
}

int rpcdev_error_split(const void *payload, size_t len,
		       struct rpcdev_error *err)
{
	static const char empty[] = "";
	const char *p = payload, *nul;

	err->name = empty;
	err->name_len = 0;
	err->message = empty;
	err->message_len = 0;
	if (!p)
		return len ? -EINVAL : -EBADMSG;

	/* The name: up to its NUL, or all there is. */
	nul = memchr(p, '\0', len);
	err->name = p;
	err->name_len = nul ? (size_t)(nul - p) : len;
	if (!nul)
		return -EBADMSG;

	/* The message: from after the name's NUL up to its own. */
	p = nul + 1;
	len -= err->name_len + 1;
	nul = memchr(p, '\0', len);
	if (len)
		err->message = p;
	err->message_len = nul ? (size_t)(nul - p) : len;
	return nul ? 0 : -EBADMSG;
}

const char *rpcdev_status_name(int status)
{
	if (status < 0 || (unsigned int)status >= ARRAY_SIZE(rpcdev_status_names))
		return NULL;
	return rpcdev_status_names[status];
}

const char *rpcdev_policy_name(unsigned int policy)
{
	if (policy >= ARRAY_SIZE(rpcdev_policy_names))
		return NULL;
	return rpcdev_policy_names[policy];
}

int rpcdev_policy_parse(const char *name)
{
	unsigned int i;

	if (!name)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(rpcdev_policy_names); i++)
		if (!strcasecmp(name, rpcdev_policy_names[i]))
			return (int)i;
	return -EINVAL;
}

/* Asynchronous downcalls exist on queues the library drives (ring.c). */
static int rpcdev_ring_check(const struct rpcdev *dev)
{
	if (dev->fd < 0)
		return -EBADF;
	if (!rpcdev_has_queue(dev) || dev->ring.policy == RPCDEV_WAIT_BLOCK)
		return -EINVAL;
	return 0;
}

int rpcdev_submit(struct rpcdev *dev, const struct rpcdev_async_call *calls,
		  unsigned int n)
{
	int ret = rpcdev_ring_check(dev);

	return ret ? ret : rpcdev__ring_submit(dev, calls, n);
}

int rpcdev_reap(struct rpcdev *dev, struct rpcdev_completion *out,
		unsigned int max, unsigned int min, uint64_t timeout_ns)
{
	int ret = rpcdev_ring_check(dev);

	return ret ? ret : rpcdev__ring_reap(dev, out, max, min, timeout_ns);
}

int rpcdev_completion_done(struct rpcdev *dev, const struct rpcdev_completion *c)
{
	int ret = rpcdev_ring_check(dev);

	return ret ? ret : rpcdev__ring_done(dev, c->id);
}
