/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The driver's side of one queue, for a program that plays it to
 * librpcdev on the build host: the TSan test of the user rings
 * (rings_tsan_test.c) and the ring bench (scripts/ivshmem/ring_bench.c).
 *
 * Such a program is linked with -Wl,--wrap=ioctl,--wrap=mmap: the
 * library's ioctl() on the descriptor it opened (fake_q.fd, set by the
 * program after rpcdev_open()) goes to the program's fake_ioctl(), and
 * its mmap() of a part of the queue to the anonymous shared memory
 * fake_lay_out() mapped, laid out as the driver lays a queue out
 * (linux/rpcdev.h: the RPCDEV_OFF_* parts). Every other descriptor's
 * calls go to the C library's. Include it in one file of the program.
 */
#ifndef _RPCDEV_FAKE_DRIVER_H
#define _RPCDEV_FAKE_DRIVER_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/rpcdev.h>

#define FAKE_PARTS	6	/* RPCDEV_OFF_DEV ... RPCDEV_OFF_UR_BUF */
#define FAKE_PART_SHIFT	28	/* a part's mmap offset is its index << this */

/* The queue: its descriptor, its layout, and its parts by index. */
static struct fake_queue {
	int fd;
	struct rpcdev_queue_attach layout;
	void *part[FAKE_PARTS];
} fake_q = { .fd = -1 };

/* The program's answer to RPCDEV_IOC_* @req on fake_q.fd: 0 or -errno. */
static int fake_ioctl(unsigned long req, void *arg);

int __real_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off);

static inline size_t fake_page_round(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (n + page - 1) / page * page;
}

/* The bytes of part @i (RPCDEV_OFF_* >> FAKE_PART_SHIFT). */
static inline size_t fake_part_size(unsigned int i)
{
	if (i == RPCDEV_OFF_DEV >> FAKE_PART_SHIFT)
		return fake_q.layout.dev_size;
	if (i == RPCDEV_OFF_HOST >> FAKE_PART_SHIFT)
		return fake_q.layout.host_size;
	return fake_q.layout.bufs_size;
}

static inline void *fake_part(uint64_t off)
{
	return fake_q.part[off >> FAKE_PART_SHIFT];
}

/*
 * RPCDEV_IOC_QUEUE_ATTACH's work: lay queue 0 out as the driver does,
 * @depth entries of @entry bytes on each ring and as many buffers of
 * @buf_size, with attach @flags, into fake_q and @a; map its parts. The
 * fake has that one queue of that one shape: a request @a for another
 * queue, or for another depth or buffer size than the default (0), gets
 * -EINVAL. 0, -EINVAL or -ENOMEM.
 */
static inline int fake_lay_out(struct rpcdev_queue_attach *a, uint32_t depth,
			       uint32_t buf_size, uint32_t entry,
			       uint32_t flags)
{
	struct rpcdev_queue_attach *l = &fake_q.layout;
	unsigned int i;

	if (a->qid || (a->depth && a->depth != depth) ||
	    (a->buf_size && a->buf_size != buf_size))
		return -EINVAL;
	memset(l, 0, sizeof(*l));
	l->flags = flags;
	l->depth = depth;
	l->buf_size = buf_size;
	l->dc_off = sizeof(struct rpcdev_dev_ctrl);
	l->uq_off = l->dc_off + depth * entry;
	l->dev_size = fake_page_round(l->uq_off + depth * entry);
	l->dq_off = sizeof(struct rpcdev_host_ctrl);
	l->ur_off = l->dq_off + depth * entry;
	l->host_size = fake_page_round(l->ur_off + depth * entry);
	l->bufs_size = fake_page_round(depth * buf_size);
	for (i = 0; i < FAKE_PARTS; i++) {
		fake_q.part[i] = __real_mmap(NULL, fake_part_size(i),
					     PROT_READ | PROT_WRITE,
					     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (fake_q.part[i] == MAP_FAILED) {
			fake_q.part[i] = NULL;
			return -ENOMEM;
		}
	}
	*a = *l;
	return 0;
}

/* Unmap the parts fake_lay_out() mapped; the descriptor is forgotten. */
static inline void fake_tear_down(void)
{
	unsigned int i;

	for (i = 0; i < FAKE_PARTS; i++) {
		if (fake_q.part[i])
			munmap(fake_q.part[i], fake_part_size(i));
		fake_q.part[i] = NULL;
	}
	fake_q.fd = -1;
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd < 0 || fd != fake_q.fd)
		return __real_ioctl(fd, req, arg);
	ret = fake_ioctl(req, arg);
	if (ret) {
		errno = -ret;
		return -1;
	}
	return 0;
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	unsigned int i = (unsigned int)((uint64_t)off >> FAKE_PART_SHIFT);

	/* The program maps anonymous memory (fd -1) too. */
	if (fd < 0 || fd != fake_q.fd)
		return __real_mmap(addr, len, prot, flags, fd, off);
	if ((uint64_t)off & ((1ULL << FAKE_PART_SHIFT) - 1) ||
	    i >= FAKE_PARTS || len != fake_part_size(i)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	return fake_q.part[i];
}

#endif /* _RPCDEV_FAKE_DRIVER_H */
