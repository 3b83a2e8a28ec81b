// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * librpcdev: opening rpcdev devices, asking them what they are, attaching
 * and mapping a queue with the table that drives it (queue.h), downcalls,
 * and the names of constants.
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

#include "queue.h"

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
	[7] = "dev_gone",	/* RPCDEV_FEAT_DEV_GONE */
	[8] = "uring_cmd",	/* RPCDEV_FEAT_URING_CMD */
	[9] = "reg_bufs",	/* RPCDEV_FEAT_REG_BUFS */
	[10] = "inline",	/* RPCDEV_FEAT_INLINE */
	[11] = "uring_timeout",	/* RPCDEV_FEAT_URING_TIMEOUT */
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

/* The table that drives a queue of each wait policy. */
static const struct rpcdev_queue_ops *const rpcdev_policy_ops[] = {
	[RPCDEV_WAIT_BLOCK]	= &rpcdev__ioctl_ops,
	[RPCDEV_WAIT_POLL]	= &rpcdev__ring_ops,
	[RPCDEV_WAIT_ADAPTIVE]	= &rpcdev__ring_ops,
};

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

_Static_assert(sizeof(struct rpcdev) == sizeof(struct rpcdev_size_1_0),
	       "struct rpcdev keeps the size of LIBRPCDEV_1.0's");

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

/* The parts of a queue's memory: where each goes in struct rpcdev_parts. */
static const struct {
	uint64_t off;
	int prot;
	size_t member;
} rpcdev_parts[] = {
#define PART(o, p, m)	{ o, p, offsetof(struct rpcdev_parts, m) }
	PART(RPCDEV_OFF_DEV,	PROT_READ,		dev_ctrl),
	PART(RPCDEV_OFF_DC_BUF,	PROT_READ,		dc_buf),
	PART(RPCDEV_OFF_UQ_BUF,	PROT_READ,		uq_buf),
	PART(RPCDEV_OFF_HOST,	PROT_READ | PROT_WRITE,	host_ctrl),
	PART(RPCDEV_OFF_DQ_BUF,	PROT_READ | PROT_WRITE,	dq_buf),
	PART(RPCDEV_OFF_UR_BUF,	PROT_READ | PROT_WRITE,	ur_buf),
#undef PART
};

#define RPCDEV_NR_PARTS		ARRAY_SIZE(rpcdev_parts)
_Static_assert(sizeof(struct rpcdev_parts) == RPCDEV_NR_PARTS * sizeof(void *),
	       "struct rpcdev_parts has a place for every part, and no more");

/* Where part @i is kept in @dev. */
static void **rpcdev_part(struct rpcdev *dev, unsigned int i)
{
	return (void **)((char *)&dev->part + rpcdev_parts[i].member);
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

/* Undo the attach: what the table set up, then the mappings. */
static void rpcdev_unmap_queue(struct rpcdev *dev)
{
	unsigned int i;

	if (dev->ops && dev->ops->fini)
		dev->ops->fini(dev);
	dev->ops = NULL;
	for (i = 0; i < RPCDEV_NR_PARTS; i++) {
		void **part = rpcdev_part(dev, i);

		if (*part)
			munmap(*part, rpcdev_part_size(&dev->layout, i));
		*part = NULL;
	}
	dev->flags = 0;
	dev->policy = 0;
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
	const struct rpcdev_queue_ops *ops;
	struct rpcdev_queue_attach a;
	uint64_t features = 0;
	unsigned int i;
	int err;

	memset(&a, 0, sizeof(a));
	if (policy & RPCDEV_QUEUE_TIMESTAMPS)
		a.flags |= RPCDEV_ATTACH_TIMESTAMPS;
	policy &= ~RPCDEV_QUEUE_TIMESTAMPS;
	if (policy >= ARRAY_SIZE(rpcdev_policy_ops))
		return -EINVAL;
	ops = rpcdev_policy_ops[policy];
	a.qid = qid;
	a.depth = depth;
	a.buf_size = buf_size;
	if (ops->prepare)
		ops->prepare(dev, &a, &features);
	if (ioctl(dev->fd, RPCDEV_IOC_QUEUE_ATTACH, &a) < 0)
		return -errno;

	dev->layout = a;
	for (i = 0; i < RPCDEV_NR_PARTS; i++) {
		void **part = rpcdev_part(dev, i);

		*part = rpcdev_map(dev->fd, rpcdev_parts[i].off,
				   rpcdev_part_size(&a, i),
				   rpcdev_parts[i].prot);
		if (!*part) {
			/* The queue stays the file's: there is no detach. */
			err = -errno;
			rpcdev_unmap_queue(dev);
			return err;
		}
	}
	dev->policy = policy;
	err = ops->init ? ops->init(dev, features) : 0;
	if (err) {
		rpcdev_unmap_queue(dev);
		return err;
	}
	dev->ops = ops;
	return 0;
}

int rpcdev_queue_set_spin(struct rpcdev *dev, uint64_t max_ns)
{
	if (!rpcdev__has_queue(dev) || !dev->ops->set_spin)
		return -EINVAL;
	return dev->ops->set_spin(dev, max_ns);
}

int rpcdev_interrupt(struct rpcdev *dev)
{
	if (!rpcdev__has_queue(dev) || !dev->ops->interrupt)
		return -EINVAL;
	return dev->ops->interrupt(dev);
}

int rpcdev_queue_id(const struct rpcdev *dev)
{
	return rpcdev__has_queue(dev) ? (int)dev->layout.qid : -1;
}

unsigned int rpcdev_queue_depth(const struct rpcdev *dev)
{
	return rpcdev__has_queue(dev) ? dev->layout.depth : 0;
}

unsigned int rpcdev_queue_buf_size(const struct rpcdev *dev)
{
	return rpcdev__has_queue(dev) ? dev->layout.buf_size : 0;
}

const struct rpcdev_queue_attach *rpcdev_queue_layout(const struct rpcdev *dev)
{
	return rpcdev__has_queue(dev) ? &dev->layout : NULL;
}

void *rpcdev_queue_part(struct rpcdev *dev, uint64_t off, size_t *size)
{
	int i = rpcdev__has_queue(dev) ? rpcdev_part_index(off) : -1;

	if (size)
		*size = i < 0 ? 0 : rpcdev_part_size(&dev->layout, i);
	return i < 0 ? NULL : *rpcdev_part(dev, i);
}

void *rpcdev_queue_buf(struct rpcdev *dev, uint64_t part, unsigned int id)
{
	int i = rpcdev__has_queue(dev) ? rpcdev_part_index(part) : -1;

	if (i < 0 || part == RPCDEV_OFF_DEV || part == RPCDEV_OFF_HOST ||
	    id >= dev->layout.depth)
		return NULL;
	return rpcdev__buf(dev, *rpcdev_part(dev, i), id);
}

int rpcdev_call(struct rpcdev *dev, unsigned int method, const void *req,
		size_t req_len, void *resp, size_t resp_cap,
		uint64_t timeout_ns, struct rpcdev_call_result *res)
{
	if (dev->fd < 0)
		return -EBADF;
	if (!rpcdev__has_queue(dev))
		return -EINVAL;
	/* No queue has buffers this big; do not let the length wrap. */
	if (req_len > UINT32_MAX)
		return -E2BIG;
	return dev->ops->call(dev, method, req, req_len, resp, resp_cap,
			      timeout_ns, res);
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
static int rpcdev_async_check(const struct rpcdev *dev)
{
	if (dev->fd < 0)
		return -EBADF;
	if (!rpcdev__has_queue(dev) || !dev->ops->submit)
		return -EINVAL;
	return 0;
}

int rpcdev_submit(struct rpcdev *dev, const struct rpcdev_async_call *calls,
		  unsigned int n)
{
	int ret = rpcdev_async_check(dev);

	return ret ? ret : dev->ops->submit(dev, calls, n);
}

int rpcdev_reap(struct rpcdev *dev, struct rpcdev_completion *out,
		unsigned int max, unsigned int min, uint64_t timeout_ns)
{
	int ret = rpcdev_async_check(dev);

	return ret ? ret : dev->ops->reap(dev, out, max, min, timeout_ns);
}

int rpcdev_completion_done(struct rpcdev *dev, const struct rpcdev_completion *c)
{
	int ret = rpcdev_async_check(dev);

	return ret ? ret : dev->ops->done(dev, c->id);
}
