/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * librpcdev: user-space access to rpcdev devices (/dev/rpcdevN).
 *
 * Conventions, as in liburing:
 *  - Functions that can fail return 0 (or a non-negative value) on success
 *    and a negative errno value on failure. They do not rely on errno, and
 *    they may change it.
 *  - The library keeps no global state. Everything about an open device
 *    lives in a struct rpcdev that the caller allocates (on the stack, in
 *    its own structure, anywhere) and hands to rpcdev_open().
 *  - The kernel ABI (ioctls, structures, constants) is <linux/rpcdev.h>,
 *    included here, so a program needs only this header.
 */
#ifndef LIBRPCDEV_RPCDEV_H
#define LIBRPCDEV_RPCDEV_H

#include <stddef.h>
#include <stdint.h>
#include <linux/rpcdev.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct rpcdev - one open rpcdev device, and the queue attached to it.
 *
 * Allocated by the caller, filled by rpcdev_open() or rpcdev_open_index(),
 * given a queue by rpcdev_queue_attach(), released by rpcdev_close(). The
 * members are private to the library: use the accessor functions
 * (rpcdev_fd(), rpcdev_queue_depth(), ...). The structure keeps the size
 * it had in LIBRPCDEV_1.0 on every ABI (320 bytes on LP64), as programs
 * built against that version allocate it; do not depend on its layout.
 *
 * One struct rpcdev may be used by several threads at once for calls
 * (rpcdev_call()), for serving upcalls (rpcdev_upcall_wait(),
 * rpcdev_serve(), ...) and for the mailbox (rpcdev_mbox_post(),
 * rpcdev_mbox_read()), but rpcdev_open(), rpcdev_queue_attach() and
 * rpcdev_close() must not run concurrently with anything else on it.
 */
struct rpcdev_ring_slot;
struct rpcdev_ring_call;
struct rpcdev_queue_ops;

/*
 * The six parts of a queue's memory as mapped (see rpcdev_queue_part()),
 * in the order of their RPCDEV_OFF_* offsets. Private.
 */
struct rpcdev_parts {
	void *dev_ctrl;		/* struct rpcdev_dev_ctrl, DC and UQ entries */
	void *dc_buf;
	void *uq_buf;
	void *host_ctrl;	/* struct rpcdev_host_ctrl, DQ and UR entries */
	void *dq_buf;
	void *ur_buf;
};

/*
 * What each direction of a POLL or ADAPTIVE queue keeps for its waits,
 * written by that direction's thread alone (rpcdev_interrupt() aside).
 * Private.
 */
struct rpcdev_dir {
	uint64_t learned_ns;	/* ADAPTIVE: the running mean its budget uses */
	int interrupt;		/* set by rpcdev_interrupt(), taken by a wait */
	unsigned int flags;	/* the direction's own state (ring.c) */
};

/* Upcalls (UQ in, UR out): the serving thread's. Private. */
struct rpcdev_up {
	uint32_t uq_cons, ur_prod;
	uint64_t last_ns;	/* the last upcall's arrival (ADAPTIVE) */
	struct rpcdev_dir dir;	/* learned_ns: the gap between arrivals */
	struct rpcdev_ring_slot *slots;
};

/* Downcalls (DQ out, DC in): the calling thread's. Private. */
struct rpcdev_down {
	uint32_t dq_prod, dc_cons;
	uint32_t inflight, call_hint;
	uint64_t call_seq;
	struct rpcdev_dir dir;	/* learned_ns: from a call to its answer */
	struct rpcdev_ring_call *calls;
};

/*
 * struct rpcdev as LIBRPCDEV_1.0 laid it out: only its size matters, the
 * one struct rpcdev keeps on every ABI.
 */
struct rpcdev_size_1_0 {
	int i[4];
	void *p[6];
	struct rpcdev_queue_attach layout;
	unsigned int u[7];
	uint64_t q[4];
	void *r[2];
	unsigned long resv[6];
};

struct rpcdev {
	union {
		struct {
			int fd;
			unsigned int flags;	/* the queue's, fixed at attach */
			struct rpcdev_parts part;
			struct rpcdev_queue_attach layout;
			/* How the queue is driven: NULL when there is none. */
			const struct rpcdev_queue_ops *ops;
			unsigned int policy;
			/* log2 of a ring entry's size (user rings) */
			unsigned int entry_shift;
			/* POLL and ADAPTIVE: the library drives the rings. */
			uint64_t spin_max_ns;
			struct rpcdev_up up;
			struct rpcdev_down down;
		};
		struct rpcdev_size_1_0 __size;
	};
};

/**
 * enum rpcdev_wait_policy - how a queue's user waits for the device.
 * @RPCDEV_WAIT_BLOCK:	the kernel drives the rings; every wait sleeps in
 *			the kernel until the device's interrupt (one system
 *			call per round trip, no CPU while waiting). The
 *			policy of rpcdev_queue_attach().
 * @RPCDEV_WAIT_POLL:	the library drives the rings through the mappings
 *			and spins on them: no system call and no interrupt
 *			per round trip while the device polls too, at the
 *			cost of a busy CPU while waiting.
 * @RPCDEV_WAIT_ADAPTIVE: as POLL, but each wait spins only for a budget
 *			learned from what that direction waited for lately
 *			(twice the mean while it is short, capped by
 *			rpcdev_queue_set_spin()), then sleeps in the kernel:
 *			near POLL latency in bursts, near no CPU when idle.
 *			A wait for an upcall learns from the gaps between
 *			upcalls, a downcall's wait from the time the device
 *			took to answer the calls before it.
 *			The one to choose unless a program needs the
 *			kernel-driven ioctls (the `rpcdev upcalls` tool's
 *			default); rpcdev_queue_attach() keeps BLOCK, so
 *			programs written against the ioctls keep working.
 *
 * With POLL and ADAPTIVE, a queue is driven by one thread per direction
 * at a time: one thread making downcalls (one call in flight) and one
 * serving upcalls. The two directions share no state that either writes
 * (as an io_uring's submission and completion queues): each has its own
 * ring indices and learned budget, and rpcdev_interrupt() is the serving
 * direction's alone.
 */
enum rpcdev_wait_policy {
	RPCDEV_WAIT_BLOCK,
	RPCDEV_WAIT_POLL,
	RPCDEV_WAIT_ADAPTIVE,
};

/* RPCDEV_QUEUE_TIMESTAMPS - see rpcdev_queue_attach_policy(). */
#define RPCDEV_QUEUE_TIMESTAMPS	(1U << 8)

/**
 * struct rpcdev_call_result - what the device answered to a call.
 * @status:	RPCDEV_STATUS_* of the answer (RPCDEV_STATUS_OK when the
 *		method ran).
 * @flags:	the answer's RPCDEV_ENTRY_* flags; RPCDEV_ENTRY_ERROR marks
 *		an error payload, see rpcdev_error_split().
 * @resp_len:	length of the answer's payload. It may be larger than the
 *		response buffer given to rpcdev_call(): only that many bytes
 *		were copied.
 * @__resv:	zero; room for later use.
 */
struct rpcdev_call_result {
	int status;
	unsigned int flags;
	unsigned int resp_len;
	unsigned int __resv;
};

/**
 * struct rpcdev_error - an error payload taken apart by rpcdev_error_split().
 * @name:	the error's name (a host exception's type, "SimError", ...);
 *		points into the payload.
 * @name_len:	its length in bytes, without the terminating NUL.
 * @message:	the error's message; points into the payload.
 * @message_len: its length in bytes, without the terminating NUL.
 *
 * When rpcdev_error_split() returns 0 both strings are NUL-terminated inside
 * the payload and can be used as C strings. When it returns -EBADMSG they
 * describe the bytes that were there but may lack their terminator: print
 * them with "%.*s" and the lengths, never as plain C strings.
 */
struct rpcdev_error {
	const char *name;
	size_t name_len;
	const char *message;
	size_t message_len;
};

/**
 * rpcdev_open() - open an rpcdev device by path.
 * @dev:	structure to initialise; its previous contents are ignored.
 * @path:	path of the device node, or NULL for "/dev/rpcdev0".
 *
 * Opens @path read-write and close-on-exec, and initialises @dev to refer
 * to it. The call does not check that @path is an rpcdev device: the first
 * rpcdev request on it (rpcdev_info(), for instance) fails with -ENOTTY if
 * it is not.
 *
 * Return: 0 on success. On failure a negative errno value, as open(2)
 * gives it (-ENOENT when the node does not exist, -EACCES when the caller
 * may not open it, ...), and @dev is left closed: rpcdev_fd() returns -1
 * and rpcdev_close() does nothing.
 */
int rpcdev_open(struct rpcdev *dev, const char *path);

/**
 * rpcdev_open_index() - open the rpcdev device with a given number.
 * @dev:	structure to initialise; its previous contents are ignored.
 * @index:	N in /dev/rpcdevN.
 *
 * Same as rpcdev_open() on the path "/dev/rpcdev<index>".
 *
 * Return: 0 on success, or a negative errno value as for rpcdev_open().
 */
int rpcdev_open_index(struct rpcdev *dev, unsigned int index);

/**
 * rpcdev_close() - close a device opened with rpcdev_open().
 * @dev:	the device.
 *
 * Unmaps the queue's memory if a queue is attached, closes the file
 * descriptor (which releases the queue: the kernel stops the device on it
 * and makes it free for another file) and marks @dev closed. Pointers got
 * from rpcdev_queue_part() and rpcdev_queue_buf() are invalid afterwards.
 * Calling it again, or on a @dev whose open failed, does nothing.
 * Afterwards rpcdev_fd() returns -1 and requests on @dev fail with -EBADF
 * until @dev is opened again.
 */
void rpcdev_close(struct rpcdev *dev);

/**
 * rpcdev_fd() - the file descriptor of an open device.
 * @dev:	the device.
 *
 * The descriptor can be given to poll(2), epoll(7) or an event loop. It
 * stays owned by @dev: do not close it yourself, use rpcdev_close(). Once
 * a queue is attached it reports
 *	EPOLLIN		an upcall waits for a server (rpcdev_upcall_wait());
 *	EPOLLPRI	a mailbox message from the device waits
 *			(rpcdev_mbox_read());
 *	EPOLLHUP	the device was removed (every request now fails with
 *			-ENODEV).
 * These are levels, not edges: EPOLLIN stays set until a server has taken
 * every waiting upcall, EPOLLPRI until every message has been read.
 *
 * Return: the file descriptor, or -1 if @dev is not open.
 */
int rpcdev_fd(const struct rpcdev *dev);

/**
 * rpcdev_info() - describe a device (RPCDEV_IOC_INFO).
 * @dev:	the device.
 * @info:	written with the device's description (see struct rpcdev_info
 *		in <linux/rpcdev.h>: ABI version, number of queue pairs,
 *		feature bits, name, minor number).
 *
 * Return: 0 on success, or a negative errno value:
 *	-ENODEV	the device was removed after @dev was opened;
 *	-EFAULT	@info is not writable memory;
 *	-ENOTTY	@dev is not an rpcdev device;
 *	-EBADF	@dev is not open.
 */
int rpcdev_info(struct rpcdev *dev, struct rpcdev_info *info);

/**
 * rpcdev_feature_name() - short name of a feature bit.
 * @bit:	bit number in struct rpcdev_info.features (0 for
 *		RPCDEV_FEAT_INFO).
 *
 * Names are short lower-case words suitable for display and for matching
 * in scripts: "info" for bit 0 (RPCDEV_FEAT_INFO), "downcall" for bit 1
 * (RPCDEV_FEAT_DOWNCALL), "upcall" for bit 2 (RPCDEV_FEAT_UPCALL),
 * "mailbox" for bit 3 (RPCDEV_FEAT_MAILBOX), "user_rings" for bit 4
 * (RPCDEV_FEAT_USER_RINGS), "ring_wake" for bit 5 (RPCDEV_FEAT_RING_WAKE),
 * "async_noack" for bit 6 (RPCDEV_FEAT_ASYNC_NOACK), "dev_gone" for bit 7
 * (RPCDEV_FEAT_DEV_GONE), "uring_cmd" for bit 8 (RPCDEV_FEAT_URING_CMD),
 * "reg_bufs" for bit 9 (RPCDEV_FEAT_REG_BUFS), "inline" for bit 10
 * (RPCDEV_FEAT_INLINE), "uring_timeout" for bit 11
 * (RPCDEV_FEAT_URING_TIMEOUT).
 *
 * Return: a static string, or NULL if this version of the library does not
 * know the bit.
 */
const char *rpcdev_feature_name(unsigned int bit);

/**
 * rpcdev_queue_attach() - make a queue pair the device's, and map it.
 * @dev:	an open device without a queue.
 * @qid:	the queue, 0 to nr_queues - 1 (see rpcdev_info()).
 * @depth:	call slots per direction: a power of two up to
 *		RPCDEV_MAX_DEPTH, or 0 for RPCDEV_DEFAULT_DEPTH (16). This many
 *		calls can be in flight at once.
 * @buf_size:	payload bytes per call slot and direction, up to
 *		RPCDEV_MAX_PAYLOAD (1 MiB), or 0 for RPCDEV_DEFAULT_BUF_SIZE
 *		(4096). The kernel rounds it up to a multiple of 64; a call's
 *		request and its answer can each be this long.
 *
 * Attaches queue @qid to the file (RPCDEV_IOC_QUEUE_ATTACH), then maps the
 * six parts of its shared memory into the process (see "Queues, rings and
 * calls" in <linux/rpcdev.h>): the device's control page and rings and its
 * two buffer arrays read-only, the host's read-write. The queue stays the
 * file's until rpcdev_close(); a file has at most one queue, so a program
 * that wants several opens the device once per queue. The mappings are not
 * inherited by a child made with fork(2), and the queue cannot be used from
 * a child: the child should open the device and attach a queue of its own.
 *
 * depth * buf_size may not exceed RPCDEV_MAX_BUFS (4 MiB).
 *
 * Return: 0 on success; rpcdev_queue_depth() and rpcdev_queue_buf_size()
 * then give the values used. On failure a negative errno value:
 *	-EINVAL	@qid is not a queue of the device, or @depth is not a power
 *		of two or is above RPCDEV_MAX_DEPTH;
 *	-E2BIG	@buf_size is above RPCDEV_MAX_PAYLOAD, or depth * buf_size
 *		is above RPCDEV_MAX_BUFS;
 *	-EBUSY	another file has the queue;
 *	-EALREADY @dev already has a queue;
 *	-ENOMEM	no memory for the queue or its mappings;
 *	-ENODEV	the device was removed;
 *	-ENOTTY	@dev is not an rpcdev device;
 *	-EBADF	@dev is not open.
 * If the kernel attached the queue but mapping it failed, the queue stays
 * attached to the file until rpcdev_close() (there is no detach): @dev has
 * no usable queue and another rpcdev_queue_attach() fails with -EALREADY.
 */
int rpcdev_queue_attach(struct rpcdev *dev, unsigned int qid,
			unsigned int depth, unsigned int buf_size);

/**
 * rpcdev_queue_attach_policy() - attach a queue with a wait policy.
 * @dev:	an open device without a queue.
 * @qid:	as for rpcdev_queue_attach().
 * @depth:	as for rpcdev_queue_attach().
 * @buf_size:	as for rpcdev_queue_attach().
 * @policy:	an enum rpcdev_wait_policy, optionally or'ed with
 *		RPCDEV_QUEUE_TIMESTAMPS (the stages of each upcall's round
 *		trip are stamped: by the kernel, RPCDEV_ATTACH_TIMESTAMPS, or
 *		on POLL and ADAPTIVE queues by the library, which otherwise
 *		reads no clock it does not need). RPCDEV_WAIT_BLOCK is
 *		rpcdev_queue_attach(); POLL and ADAPTIVE attach the queue with
 *		RPCDEV_ATTACH_USER_RINGS and make rpcdev_call(),
 *		rpcdev_upcall_wait(), rpcdev_upcall_reply(),
 *		rpcdev_upcall_reply_and_wait() and rpcdev_serve() drive the
 *		rings in the process.
 *
 * Return: as rpcdev_queue_attach(), and -EINVAL for an unknown @policy.
 */
int rpcdev_queue_attach_policy(struct rpcdev *dev, unsigned int qid,
			       unsigned int depth, unsigned int buf_size,
			       unsigned int policy);

/**
 * rpcdev_queue_set_spin() - cap the spin of the ADAPTIVE policy.
 * @dev:	a device with an ADAPTIVE queue.
 * @max_ns:	the longest a wait spins before it sleeps; 0 restores the
 *		default (200 us).
 *
 * The cap holds for the waits of both directions (upcalls and the answers
 * of downcalls), each of which learns its own budget below it. It may be
 * changed while other threads wait: a wait reads it as it starts.
 *
 * Return: 0, or -EINVAL when @dev has no POLL or ADAPTIVE queue.
 */
int rpcdev_queue_set_spin(struct rpcdev *dev, uint64_t max_ns);

/**
 * rpcdev_interrupt() - make a POLL or ADAPTIVE wait on @dev return -EINTR.
 * @dev:	a device with a POLL or ADAPTIVE queue.
 *
 * A thread spinning on the mapped rings makes no system call for a signal
 * to interrupt, so a signal handler runs and the spin goes on. Calling
 * this (it is async-signal-safe: one atomic store) ends the spinning wait
 * for an upcall (rpcdev_upcall_wait(), rpcdev_upcall_reply_and_wait(),
 * rpcdev_serve()) with -EINTR within a few checks of the ring: it is how a
 * program stops its server. With no such wait in progress, the request is
 * kept for the next wait for an upcall that has to spin (a wait that finds
 * its upcall at once leaves it), which takes it once. Waits for a
 * downcall's answer (rpcdev_call(), rpcdev_reap()), in another thread or
 * later, are not ended by it and never take it: they end by their
 * timeout, so a server stopped this way leaves the program's own calls
 * running. A wait asleep in the
 * kernel (ADAPTIVE) ends with -EINTR when a signal reaches its thread, so
 * to stop a thread whatever it is doing, call this and then send it a
 * signal whose handler does not restart system calls.
 * BLOCK waits are system calls: a signal alone ends them.
 *
 * Return: 0, or -EINVAL when @dev has no POLL or ADAPTIVE queue.
 */
int rpcdev_interrupt(struct rpcdev *dev);

/**
 * rpcdev_queue_id() - the queue attached to a device.
 * @dev:	the device.
 *
 * Return: the queue's number (qid), or -1 if @dev has no queue.
 */
int rpcdev_queue_id(const struct rpcdev *dev);

/**
 * rpcdev_queue_depth() - call slots of the attached queue.
 * @dev:	the device.
 *
 * Return: the depth the kernel chose (the default filled in), or 0 if @dev
 * has no queue.
 */
unsigned int rpcdev_queue_depth(const struct rpcdev *dev);

/**
 * rpcdev_queue_buf_size() - payload buffer size of the attached queue.
 * @dev:	the device.
 *
 * Return: bytes of each payload buffer, after the kernel's rounding (the
 * longest request and answer of a call), or 0 if @dev has no queue.
 */
unsigned int rpcdev_queue_buf_size(const struct rpcdev *dev);

/**
 * rpcdev_queue_layout() - the sizes and offsets of the queue's memory.
 * @dev:	the device.
 *
 * The kernel's answer to RPCDEV_IOC_QUEUE_ATTACH: the size of each part
 * and the offsets of the rings inside the two control parts.
 *
 * Return: the layout, valid until rpcdev_close(), or NULL if @dev has no
 * queue.
 */
const struct rpcdev_queue_attach *rpcdev_queue_layout(const struct rpcdev *dev);

/**
 * rpcdev_queue_part() - one part of the queue's memory, as mapped.
 * @dev:	the device.
 * @off:	the part's mmap offset: RPCDEV_OFF_DEV (struct
 *		rpcdev_dev_ctrl, then the DC and UQ entries), RPCDEV_OFF_HOST
 *		(struct rpcdev_host_ctrl, then the DQ and UR entries), or one
 *		of the buffer arrays RPCDEV_OFF_DC_BUF, RPCDEV_OFF_UQ_BUF,
 *		RPCDEV_OFF_DQ_BUF, RPCDEV_OFF_UR_BUF.
 * @size:	if not NULL, set to the part's size in bytes (0 when NULL is
 *		returned).
 *
 * The parts the device writes (RPCDEV_OFF_DEV, RPCDEV_OFF_DC_BUF,
 * RPCDEV_OFF_UQ_BUF) are mapped read-only: a store to them kills the
 * program with SIGSEGV. The host's parts are writable, but while calls go
 * through rpcdev_call() the kernel writes the DQ ring and DQ buffers: a
 * program that stores there itself can make its own calls fail (never
 * another file's queue, never the kernel).
 *
 * Return: the part's address, valid until rpcdev_close(), or NULL if @dev
 * has no queue or @off names no part.
 */
void *rpcdev_queue_part(struct rpcdev *dev, uint64_t off, size_t *size);

/**
 * rpcdev_queue_buf() - the mapped payload buffer of a call slot.
 * @dev:	the device.
 * @part:	the buffer array: RPCDEV_OFF_DC_BUF (answers to downcalls),
 *		RPCDEV_OFF_DQ_BUF (downcall requests), RPCDEV_OFF_UQ_BUF
 *		(upcall requests) or RPCDEV_OFF_UR_BUF (upcall replies).
 * @id:		the call slot, 0 to rpcdev_queue_depth() - 1.
 *
 * Each buffer is rpcdev_queue_buf_size() bytes. For instance the device
 * writes the payload of its answer to the downcall in slot @id to
 * rpcdev_queue_buf(dev, RPCDEV_OFF_DC_BUF, id); rpcdev_call() copies it
 * out to the caller's buffer, and this view lets a program read it in place
 * instead. Writability is that of the part, see rpcdev_queue_part().
 *
 * Return: the buffer's address, valid until rpcdev_close(), or NULL if @dev
 * has no queue, @part is not a buffer array or @id is not below the depth.
 */
void *rpcdev_queue_buf(struct rpcdev *dev, uint64_t part, unsigned int id);

/**
 * rpcdev_call() - call a method of the device and wait for its answer.
 * @dev:	a device with a queue (rpcdev_queue_attach()).
 * @method:	the device's method (RPCDEV_SIM_ECHO, ... for rpcdev_sim).
 * @req:	the request payload; may be NULL when @req_len is 0.
 * @req_len:	its length, at most rpcdev_queue_buf_size().
 * @resp:	buffer for the answer's payload; may be NULL when @resp_cap
 *		is 0.
 * @resp_cap:	its size. A longer answer is cut to @resp_cap bytes, and
 *		@res->resp_len still tells its full length. Sizes above
 *		UINT32_MAX count as UINT32_MAX (no answer is that long).
 * @timeout_ns:	give up after this many nanoseconds; 0 waits for as long
 *		as it takes.
 * @res:	if not NULL, set to the answer's status, flags and length on
 *		success; untouched on failure.
 *
 * A synchronous downcall: one RPCDEV_IOC_CALL system call that copies the
 * request into a free call slot, posts it to the device, sleeps until the
 * device answers and copies the answer out. An answer is a success of this
 * function whatever its status: a method that failed gives 0 here, with
 * @res->status RPCDEV_STATUS_ERROR and an error payload in @resp (see
 * rpcdev_error_split()).
 *
 * Up to rpcdev_queue_depth() threads may call at once on one @dev. A call
 * given up (-ETIMEDOUT, -EINTR) keeps its slot until the device answers,
 * as the device may still write the slot's buffer; the answer is then
 * dropped. A call that failed may or may not have reached the device: the
 * method must not be assumed to have run, or not to have run.
 *
 * Return: 0 when the device answered, or a negative errno value:
 *	-EINVAL	@dev has no queue;
 *	-E2BIG	@req_len is above rpcdev_queue_buf_size();
 *	-EFAULT	@req or @resp is not readable or writable memory (for @resp
 *		this is found after the device answered);
 *	-EAGAIN	all call slots are in flight;
 *	-ETIMEDOUT the device did not answer within @timeout_ns;
 *	-EINTR	a signal arrived first; the call is not restarted, even
 *		with SA_RESTART, as that would call the method twice;
 *	-ENODEV	the device was removed;
 *	-EBADF	@dev is not open.
 */
int rpcdev_call(struct rpcdev *dev, unsigned int method, const void *req,
		size_t req_len, void *resp, size_t resp_cap,
		uint64_t timeout_ns, struct rpcdev_call_result *res);

/**
 * rpcdev_buf_register() - register memory for calls to use in place.
 * @dev:	a device with a BLOCK queue (rpcdev_queue_attach()).
 * @addr:	the memory; page aligned, mapped readable and writable.
 * @len:	its length, a multiple of the page size, at most
 *		RPCDEV_MAX_REG_BUF_SIZE.
 *
 * Pins the pages for as long as they stay registered (they count in the
 * process's VmPin, against RLIMIT_MEMLOCK) and lets the device read and
 * write them in place for calls made with rpcdev_call_bufs(). The device
 * must offer RPCDEV_FEAT_REG_BUFS. Do not unmap or remap the memory while
 * it is registered. rpcdev_close() unregisters every buffer.
 *
 * Return: the buffer's index (0 to RPCDEV_MAX_REG_BUFS - 1), or a negative
 * errno value: -EOPNOTSUPP (the device cannot reach registered buffers),
 * -EINVAL (no queue, a POLL or ADAPTIVE queue, @len 0, @addr or @len not
 * page aligned), -E2BIG (@len too large), -ENOSPC (the queue has
 * RPCDEV_MAX_REG_BUFS already), -EFAULT (@addr is not mapped readable and
 * writable), -ENOMEM (RLIMIT_MEMLOCK), -EBADF (@dev is not open), or
 * another RPCDEV_IOC_BUF_REGISTER error (linux/rpcdev.h).
 */
int rpcdev_buf_register(struct rpcdev *dev, void *addr, size_t len);

/**
 * rpcdev_buf_unregister() - give a registered buffer back.
 * @dev:	the device.
 * @index:	what rpcdev_buf_register() returned.
 *
 * Return: 0, or a negative errno value: -ENOENT (no such buffer), -EBUSY
 * (a call that names it has not ended: a call given up by its timeout
 * holds it until the device answers), -EOPNOTSUPP, -EINVAL (no queue),
 * -EBADF.
 */
int rpcdev_buf_unregister(struct rpcdev *dev, unsigned int index);

/**
 * struct rpcdev_buf_span - bytes of a registered buffer, for
 * rpcdev_call_bufs().
 * @index:	the buffer, as rpcdev_buf_register() returned it.
 * @__resv:	zero.
 * @offset:	the first byte's offset in the buffer.
 * @len:	how many: the request's length, or the room for the result.
 */
struct rpcdev_buf_span {
	unsigned int index;
	unsigned int __resv;
	uint64_t offset;
	size_t len;
};

/**
 * rpcdev_call_bufs() - call a method with its payloads in registered
 * buffers.
 * @dev:	a device with a BLOCK queue and registered buffers.
 * @method:	the device's method.
 * @req:	where the request is, or NULL for an empty request.
 * @resp:	where the result goes, or NULL to drop its payload.
 * @timeout_ns:	as for rpcdev_call().
 * @res:	as for rpcdev_call(); @res->flags has RPCDEV_ENTRY_BUFS when
 *		the device wrote the result in place (else the kernel copied
 *		it into @resp's bytes from the queue's buffer).
 *
 * As rpcdev_call(), but the device reads the request and writes the result
 * where the spans say, with no copy through the queue's buffers: a span
 * may be larger than they are. The spans' buffers stay in use until the
 * call ends (or, for a call given up, until the device answers it).
 *
 * Return: 0 when the device answered, or a negative errno value: those of
 * rpcdev_call(), and -ENOENT (a span names no registered buffer), -ENOSPC
 * (a span runs past its buffer's end), -EOPNOTSUPP (no registered buffers
 * on this device), -EINVAL (a span's __resv set or len above UINT32_MAX).
 */
int rpcdev_call_bufs(struct rpcdev *dev, unsigned int method,
		     const struct rpcdev_buf_span *req,
		     const struct rpcdev_buf_span *resp, uint64_t timeout_ns,
		     struct rpcdev_call_result *res);

/**
 * struct rpcdev_async_call - one asynchronous downcall for rpcdev_submit().
 * @method:	the device method.
 * @__resv0:	zero; room for later use.
 * @req:	the request payload, copied into the call's slot.
 * @req_len:	its length, at most rpcdev_queue_buf_size().
 * @user_data:	handed back unchanged in the call's struct rpcdev_completion.
 */
struct rpcdev_async_call {
	unsigned int method;
	unsigned int __resv0;
	const void *req;
	size_t req_len;
	uint64_t user_data;
};

/**
 * struct rpcdev_completion - the device's answer to an asynchronous call.
 * @user_data:	the call's struct rpcdev_async_call.user_data.
 * @id:		the call's slot; give it to rpcdev_completion_done().
 * @status:	RPCDEV_STATUS_* of the answer.
 * @flags:	RPCDEV_ENTRY_* flags of the answer (RPCDEV_ENTRY_ERROR).
 * @data:	the answer's payload, in place in the mapped (read-only) DC
 *		buffer of the slot: no copy; or, for one of up to
 *		RPCDEV_INLINE_MAX bytes that came in the ring entry (a queue
 *		with RPCDEV_ATTACH_INLINE), the library's copy of it. Valid
 *		until rpcdev_completion_done().
 * @len:	its length.
 * @err:	0, or -EIO when the device's answer was malformed (longer
 *		than the queue's buffers): @data and @len are then NULL and 0,
 *		and the slot is still to be given back.
 */
struct rpcdev_completion {
	uint64_t user_data;
	unsigned int id;
	int status;
	unsigned int flags;
	int err;
	const void *data;
	size_t len;
};

/**
 * rpcdev_submit() - post a batch of asynchronous downcalls.
 * @dev:	a device with a POLL or ADAPTIVE queue
 *		(rpcdev_queue_attach_policy()).
 * @calls:	the calls.
 * @n:		how many.
 *
 * Writes each request into a free call slot and its entry on the DQ ring
 * through the mappings, then rings the device's doorbell once for the
 * whole batch (RPCDEV_IOC_ENTER), and not at all when the device polls.
 * The answers land in the mapped DC ring: take them with rpcdev_reap().
 * The thread that submits is the one that reaps (one thread per direction).
 *
 * Return: the number of calls posted (fewer than @n when the slots ran
 * out: rpcdev_queue_depth() calls can be in flight or unreaped), or a
 * negative errno value when none was: -EAGAIN no free slot; -E2BIG the
 * first call's request is above rpcdev_queue_buf_size(); -EINVAL @dev has
 * no POLL or ADAPTIVE queue; -ENODEV, -EBADF.
 */
int rpcdev_submit(struct rpcdev *dev, const struct rpcdev_async_call *calls,
		  unsigned int n);

/**
 * rpcdev_reap() - take the answers of asynchronous downcalls.
 * @dev:	a device with a POLL or ADAPTIVE queue.
 * @out:	where to put the completions.
 * @max:	room at @out.
 * @min:	wait until at least this many were taken (0: do not wait).
 * @timeout_ns:	give up waiting after this long; 0 waits for as long as it
 *		takes.
 *
 * Waits with the queue's policy (spinning, then for ADAPTIVE sleeping in
 * the kernel). Each completion's payload is read in place; its slot stays
 * taken until rpcdev_completion_done().
 *
 * Return: the number of completions taken, or a negative errno value when
 * @min > 0 and none was: -ETIMEDOUT, -ENOENT no call is in flight,
 * -EINTR, -ENODEV, -EINVAL (no such queue), -EBADF.
 */
int rpcdev_reap(struct rpcdev *dev, struct rpcdev_completion *out,
		unsigned int max, unsigned int min, uint64_t timeout_ns);

/**
 * rpcdev_completion_done() - give a reaped call's slot back.
 * @dev:	the device.
 * @c:		a completion rpcdev_reap() returned; its @data may not be
 *		used afterwards.
 *
 * Return: 0, or -EINVAL when @c is not a reaped, unreleased completion.
 */
int rpcdev_completion_done(struct rpcdev *dev, const struct rpcdev_completion *c);

/**
 * rpcdev_error_split() - take an error payload apart.
 * @payload:	an answer's payload with RPCDEV_ENTRY_ERROR set: a
 *		NUL-terminated name, then a NUL-terminated message.
 * @len:	its length (struct rpcdev_call_result.resp_len, or the size of
 *		the buffer if the answer was cut to fit it).
 * @err:	set to the name and message found, pointing into @payload.
 *
 * Reads no byte at or past @payload + @len, whatever the payload holds.
 * Bytes after the message's terminator are ignored.
 *
 * Return: 0 when both strings are terminated inside @len bytes: @err holds
 * two C strings. -EBADMSG when a terminator is missing (an answer cut
 * short, or not an error payload): @err then describes what is there, a
 * name running to the end of the payload and an empty message, or a
 * complete name and a message running to the end; use the lengths.
 * -EINVAL when @payload is NULL and @len is not 0.
 */
int rpcdev_error_split(const void *payload, size_t len,
		       struct rpcdev_error *err);

/**
 * rpcdev_status_name() - name of a result status.
 * @status:	an RPCDEV_STATUS_* value.
 *
 * Return: a static string, the constant's name without its prefix ("OK",
 * "ERROR", "NO_METHOD", "BAD_REQUEST", "NO_SERVER"), or NULL if this
 * version of the library does not know @status.
 */
const char *rpcdev_status_name(int status);

/**
 * rpcdev_policy_name() - name of a wait policy.
 * @policy:	an enum rpcdev_wait_policy value (without
 *		RPCDEV_QUEUE_TIMESTAMPS).
 *
 * Return: a static lower-case string, "block", "poll" or "adaptive", or
 * NULL if this version of the library does not know @policy.
 */
const char *rpcdev_policy_name(unsigned int policy);

/**
 * rpcdev_policy_parse() - the wait policy a name stands for.
 * @name:	a name as rpcdev_policy_name() returns it (case is ignored).
 *
 * Return: the enum rpcdev_wait_policy value, or -EINVAL if @name is NULL
 * or names no policy this version of the library knows.
 */
int rpcdev_policy_parse(const char *name);

/**
 * rpcdev_version() - the version of the library.
 *
 * rpcdev is versioned as one project: the modules (their MODULE_VERSION,
 * what modinfo shows), the library, its pkg-config file (`pkg-config
 * --modversion rpcdev`) and the tool (`rpcdev --version`) all carry the
 * same version, "MAJOR.MINOR.PATCH". This is the one of the library the
 * program runs with, which may be newer than the one it was built with.
 *
 * Return: a static string such as "1.2.0".
 */
const char *rpcdev_version(void);

/*
 * Upcalls: the device calls the host
 * ===================================
 *
 * The device posts upcalls on the queue's UQ ring; a server takes them one
 * at a time, reads each request's payload in place in the read-only UQ
 * buffer of its call slot, writes its reply in place in the writable UR
 * buffer of the same slot, and answers. No payload is copied by the
 * library or the kernel. rpcdev_upcall_reply_and_wait() answers one upcall
 * and waits for the next in one system call (RPCDEV_IOC_REPLY_AND_WAIT);
 * rpcdev_serve() is the loop built on it.
 *
 * Every upcall taken must be answered, fire-and-forget (async) upcalls too:
 * their answer only tells the device that the server is done with the
 * payload, so it can reuse the slot. (On a POLL or ADAPTIVE queue whose
 * device has RPCDEV_FEAT_ASYNC_NOACK, that answer is no message at all:
 * the library moves the UQ consumer index past the upcall, when it is
 * answered or when the thread next waits for an upcall, whichever comes
 * first; until then the payload stays the server's.) Upcalls are taken
 * in the order the device made them, so async upcalls come before any
 * later sync one.
 * Several threads may serve one queue, each with its own
 * struct rpcdev_upcall_req. When the device's file is closed, or its
 * process dies, the kernel answers every upcall not yet answered with
 * RPCDEV_STATUS_NO_SERVER; under the POLL and ADAPTIVE policies (user
 * rings, which the kernel does not read) that is every upcall not yet
 * taken, and the device learns of those taken and not answered from the
 * queue's stop.
 */

/**
 * struct rpcdev_upcall_req - an upcall, as a server receives it.
 * @id:		the upcall's call slot, 0 to rpcdev_queue_depth() - 1; give
 *		it back in struct rpcdev_upcall_reply.id to answer.
 * @method:	the host method the device calls (its own numbering).
 * @flags:	RPCDEV_ENTRY_ASYNC for a fire-and-forget upcall: its reply's
 *		status and payload are not sent to the device.
 * @__resv0:	zero; room for later use.
 * @tag:	the device's cookie for the upcall.
 * @data:	the request payload, in place in the mapped UQ buffer of
 *		slot @id (read-only memory); or, for one of up to
 *		RPCDEV_INLINE_MAX bytes that came in the ring entry (a POLL
 *		or ADAPTIVE queue with RPCDEV_ATTACH_INLINE), the library's
 *		copy of it. Valid until the upcall is answered: the device
 *		may reuse the buffer right after.
 * @len:	its length in bytes, at most rpcdev_queue_buf_size().
 * @reply:	the mapped UR buffer of slot @id, where the server writes its
 *		reply payload in place. Nobody else touches it until the
 *		upcall is answered.
 * @reply_cap:	its size, rpcdev_queue_buf_size().
 * @__resv:	zero; room for later use.
 */
struct rpcdev_upcall_req {
	unsigned int id;
	unsigned int method;
	unsigned int flags;
	unsigned int __resv0;
	uint64_t tag;
	const void *data;
	size_t len;
	void *reply;
	size_t reply_cap;
	unsigned long __resv[2];
};

/**
 * struct rpcdev_upcall_reply - a server's answer to an upcall.
 * @id:		the upcall answered: struct rpcdev_upcall_req.id of an upcall
 *		this queue's servers took and did not answer yet.
 * @status:	RPCDEV_STATUS_OK, or RPCDEV_STATUS_ERROR when the host
 *		method failed (the payload is then an error, see
 *		rpcdev_reply_error()).
 * @flags:	0, or RPCDEV_ENTRY_ERROR when the payload is an error
 *		payload (name and message, NUL-terminated each).
 * @__resv0:	zero; room for later use.
 * @len:	the reply payload's length, at most rpcdev_queue_buf_size().
 * @data:	NULL when the payload was written in place into the
 *		upcall's struct rpcdev_upcall_req.reply buffer (no copy);
 *		else the payload's address, and the kernel copies @len bytes
 *		from there into that buffer.
 *
 * For an async upcall only @id matters: the device is told that the server
 * is done, nothing else (@len must still not exceed the buffer).
 */
struct rpcdev_upcall_reply {
	unsigned int id;
	int status;
	unsigned int flags;
	unsigned int __resv0;
	size_t len;
	const void *data;
};

/**
 * rpcdev_upcall_wait() - wait for the next upcall.
 * @dev:	a device with a queue (rpcdev_queue_attach()).
 * @timeout_ns:	give up after this many nanoseconds; 0 waits for as long
 *		as it takes.
 * @up:		set to the upcall taken, on success.
 *
 * One RPCDEV_IOC_REPLY_AND_WAIT system call with RPCDEV_UPCALL_WAIT only:
 * takes the oldest upcall no server has taken yet, sleeping until the
 * device makes one. The upcall then belongs to the caller until it answers
 * it with rpcdev_upcall_reply() or rpcdev_upcall_reply_and_wait(); its
 * payload is read in place at @up->data. A signal ends the wait with
 * -EINTR, even with SA_RESTART; nothing is lost, call again.
 *
 * Return: 0 when an upcall was taken, or a negative errno value:
 *	-EINVAL	@dev has no queue, or @up is NULL;
 *	-ETIMEDOUT no upcall came within @timeout_ns;
 *	-EINTR	a signal came first;
 *	-EIO	the kernel returned an upcall outside the queue (a library
 *		and kernel mismatch; the upcall is not answered);
 *	-ENODEV	the device was removed;
 *	-EBADF	@dev is not open.
 */
int rpcdev_upcall_wait(struct rpcdev *dev, uint64_t timeout_ns,
		       struct rpcdev_upcall_req *up);

/**
 * rpcdev_upcall_reply() - answer an upcall.
 * @dev:	a device with a queue.
 * @reply:	the answer: which upcall, its status, flags and payload.
 *
 * One RPCDEV_IOC_REPLY_AND_WAIT system call with RPCDEV_UPCALL_REPLY only.
 * The payload is normally already in the upcall's reply buffer
 * (@reply->data NULL); the kernel posts the answer to the device and rings
 * its doorbell. After this the upcall's request and reply buffers belong to
 * the device again: the data and reply pointers of its struct
 * rpcdev_upcall_req must not be used any more.
 *
 * Return: 0 when the answer was sent, or a negative errno value, and then
 * nothing was sent and the upcall is still the caller's to answer:
 *	-EINVAL	@dev has no queue, @reply is NULL, @reply->flags has a bit
 *		other than RPCDEV_ENTRY_ERROR, or @reply->id is not an upcall
 *		taken and not yet answered (a second answer to one upcall
 *		gives this);
 *	-E2BIG	@reply->len is above rpcdev_queue_buf_size();
 *	-EFAULT	@reply->data is not NULL and not readable memory;
 *	-EIO	the device broke the ring protocol;
 *	-ENODEV	the device was removed;
 *	-EBADF	@dev is not open.
 */
int rpcdev_upcall_reply(struct rpcdev *dev,
			const struct rpcdev_upcall_reply *reply);

/**
 * rpcdev_upcall_reply_and_wait() - answer an upcall and wait for the next.
 * @dev:	a device with a queue.
 * @reply:	the answer, as for rpcdev_upcall_reply().
 * @timeout_ns:	give up waiting after this many nanoseconds; 0 waits for as
 *		long as it takes.
 * @up:		set to the next upcall, on success. It may be the structure
 *		the answered upcall was in: @reply is read first.
 *
 * The server loop's one system call per upcall (RPCDEV_IOC_REPLY_AND_WAIT
 * with both RPCDEV_UPCALL_REPLY and RPCDEV_UPCALL_WAIT): what
 * rpcdev_upcall_reply() then rpcdev_upcall_wait() do, in one.
 *
 * Return: 0 when the answer was sent and the next upcall taken, or a
 * negative errno value. Which half failed shows in the value:
 *	-EINVAL, -E2BIG, -EFAULT, -EIO: as for rpcdev_upcall_reply(); nothing
 *		was sent, the caller still has to answer, and no wait
 *		happened;
 *	-ETIMEDOUT, -EINTR: as for rpcdev_upcall_wait(); the answer WAS
 *		sent, but no upcall was taken;
 *	-ENODEV	the device was removed;
 *	-EBADF	@dev is not open.
 */
int rpcdev_upcall_reply_and_wait(struct rpcdev *dev,
				 const struct rpcdev_upcall_reply *reply,
				 uint64_t timeout_ns,
				 struct rpcdev_upcall_req *up);

/*
 * RPCDEV_SERVE_STOP - what an rpcdev_upcall_fn returns to end rpcdev_serve()
 * once its reply is sent (any positive value does).
 */
#define RPCDEV_SERVE_STOP	1

/**
 * typedef rpcdev_upcall_fn - a server's handler of one upcall.
 * @ctx:	the pointer given to rpcdev_serve().
 * @up:		the upcall: its method, payload (@up->data, @up->len, read
 *		in place) and reply buffer (@up->reply, @up->reply_cap).
 * @reply:	the answer to fill in. It comes set to @up's id, status
 *		RPCDEV_STATUS_OK, flags 0, length 0 and data NULL: a handler
 *		writes its result into @up->reply and sets @reply->len, or
 *		calls rpcdev_reply_error() to fail the upcall.
 *
 * Called by rpcdev_serve() for every upcall, async ones included (their
 * answer is sent as an acknowledgement whatever the handler put in
 * @reply). The handler must not answer the upcall itself.
 *
 * Return: 0 to go on serving; a positive value (RPCDEV_SERVE_STOP) or a
 * negative errno value to end rpcdev_serve() after @reply is sent, which
 * then returns that value.
 */
typedef int (*rpcdev_upcall_fn)(void *ctx, const struct rpcdev_upcall_req *up,
				struct rpcdev_upcall_reply *reply);

/**
 * rpcdev_serve() - serve upcalls until told to stop.
 * @dev:	a device with a queue.
 * @handler:	called for each upcall, in the order the device made them.
 * @ctx:	handed to @handler.
 * @timeout_ns:	stop when no upcall came for this many nanoseconds; 0
 *		waits for as long as it takes.
 *
 * The server loop: waits for an upcall, calls @handler, then answers it
 * and waits for the next in the same system call
 * (rpcdev_upcall_reply_and_wait()): one system call per upcall. Async
 * upcalls are answered (acknowledged) like the others. Whenever the loop
 * ends after an upcall was taken, that upcall is answered first, so the
 * device never waits for a server that has left.
 *
 * When the kernel refuses a handler's answer (a length above the buffer,
 * flags other than RPCDEV_ENTRY_ERROR, an unreadable @reply->data) the
 * loop answers the upcall instead with RPCDEV_STATUS_ERROR and the error
 * payload "ReplyError\0<what was wrong>\0", then returns the kernel's
 * error.
 *
 * Several threads may run rpcdev_serve() on one @dev: each upcall goes to
 * one of them.
 *
 * Return: what ended the loop:
 *	> 0	the value @handler returned to stop (RPCDEV_SERVE_STOP);
 *	< 0	a negative errno value @handler returned to stop, or:
 *	-ETIMEDOUT no upcall came for @timeout_ns;
 *	-EINTR	a signal arrived while the loop waited (SA_RESTART or not);
 *	-E2BIG, -EINVAL, -EFAULT: the handler's answer was refused (see
 *		above);
 *	-EINVAL	@dev has no queue, or @handler is NULL;
 *	-EIO	the device broke the ring protocol;
 *	-ENODEV	the device was removed;
 *	-EBADF	@dev is not open.
 */
int rpcdev_serve(struct rpcdev *dev, rpcdev_upcall_fn handler, void *ctx,
		 uint64_t timeout_ns);

/**
 * rpcdev_error_build() - write an error payload.
 * @buf:	where to write it.
 * @cap:	bytes available at @buf.
 * @name:	the error's name (a host exception's type: "ValueError").
 * @message:	its message; may be NULL for an empty one.
 *
 * Writes @name, a NUL, @message and a NUL: the payload of an answer with
 * RPCDEV_ENTRY_ERROR, which rpcdev_error_split() takes apart again. A
 * message that does not fit is cut (it still ends in a NUL); the name is
 * never cut. Writes nothing past @buf + @cap.
 *
 * Return: the payload's length in bytes, or a negative errno value (and
 * nothing is written):
 *	-ENOSPC	@name and two NULs do not fit in @cap bytes;
 *	-EINVAL	@buf or @name is NULL.
 */
int rpcdev_error_build(void *buf, size_t cap, const char *name,
		       const char *message);

/**
 * rpcdev_reply_error() - fail an upcall with an error payload.
 * @up:		the upcall.
 * @reply:	its answer, to fill in.
 * @name:	the error's name, as for rpcdev_error_build().
 * @message:	its message; may be NULL. Cut to fit the reply buffer.
 *
 * Builds the error payload in place in @up->reply and sets @reply to
 * answer @up with status RPCDEV_STATUS_ERROR, flags RPCDEV_ENTRY_ERROR and
 * that payload, as a host method raising an exception would. A handler
 * given to rpcdev_serve() can end with "return rpcdev_reply_error(up,
 * reply, "ValueError", "bad value");".
 *
 * Return: 0, or a negative errno value (@reply is then untouched):
 *	-ENOSPC	@name does not fit in the reply buffer;
 *	-EINVAL	an argument is NULL.
 */
int rpcdev_reply_error(const struct rpcdev_upcall_req *up,
		       struct rpcdev_upcall_reply *reply, const char *name,
		       const char *message);

/*
 * The mailbox: messages each side checks without a round trip
 * ============================================================
 *
 * Host to device: RPCDEV_MBOX_SLOTS slots per queue, each a 32-bit value
 * and a 32-bit sequence number in one 64-bit word of the host's control
 * page, which the device checks with one load ("is there a pause
 * request?"). Every post bumps the slot's sequence number, so the device
 * notices a post even of the same value. Device to host: a ring of
 * RPCDEV_MBOX_DEPTH 64-bit messages; a waiting message makes rpcdev_fd()
 * report EPOLLPRI.
 */

/**
 * rpcdev_mbox_post() - post a value in a host-to-device mailbox slot.
 * @dev:	a device with a queue.
 * @slot:	the slot, below RPCDEV_MBOX_SLOTS.
 * @value:	the value.
 * @seq:	if not NULL, set to the slot's new sequence number (1 for the
 *		first post in a slot, then 2, 3, ...).
 *
 * One RPCDEV_IOC_MBOX_POST system call; the kernel stores the value and
 * the slot's next sequence number with one 64-bit store. See
 * rpcdev_mbox_store() for the same without a system call.
 *
 * Return: 0, or a negative errno value:
 *	-EINVAL	@dev has no queue, or @slot is not below RPCDEV_MBOX_SLOTS;
 *	-ENODEV	the device was removed;
 *	-EBADF	@dev is not open.
 */
int rpcdev_mbox_post(struct rpcdev *dev, unsigned int slot, uint32_t value,
		     uint32_t *seq);

/**
 * rpcdev_mbox_store() - post a value in a mailbox slot without a system
 * call.
 * @dev:	a device with a queue.
 * @slot:	the slot, below RPCDEV_MBOX_SLOTS.
 * @value:	the value.
 * @seq:	if not NULL, set to the slot's new sequence number.
 *
 * Reads the slot's word in the mapped struct rpcdev_host_ctrl and stores
 * ((seq + 1) << 32 | @value) back with one 64-bit store (release order:
 * what the program wrote before is visible to the device when it sees the
 * post). The device sees it exactly as a post made with
 * rpcdev_mbox_post(), and the kernel continues the sequence from it.
 *
 * The read and the store are not one atomic step: two posters to the same
 * slot at once (two threads, or this and rpcdev_mbox_post()) can both
 * compute the same sequence number and one post is lost. Give each slot
 * one poster at a time; do not mix the two functions concurrently on one
 * slot.
 *
 * Return: 0, or a negative errno value:
 *	-EINVAL	@dev has no queue, or @slot is not below RPCDEV_MBOX_SLOTS;
 *	-EBADF	@dev is not open.
 * A removed device is not noticed (there is no system call); the store
 * then goes to memory nobody reads.
 */
int rpcdev_mbox_store(struct rpcdev *dev, unsigned int slot, uint32_t value,
		      uint32_t *seq);

/**
 * rpcdev_mbox_read() - take the oldest message the device left.
 * @dev:	a device with a queue.
 * @msg:	set to the message (struct rpcdev_mbox_msg in
 *		<linux/rpcdev.h>): @msg->value, @msg->pending (messages still
 *		waiting after this one) and @msg->lost (messages the device
 *		overwrote before they were read; 0 with a well-behaved device).
 *
 * One RPCDEV_IOC_MBOX_READ system call; it never sleeps. Messages are
 * returned in the order the device posted them. Wait for one with poll(2)
 * or epoll(7) on rpcdev_fd() for EPOLLPRI.
 *
 * Return: 0 when a message was taken, or a negative errno value:
 *	-EAGAIN	no message waits;
 *	-EINVAL	@dev has no queue, or @msg is NULL;
 *	-EFAULT	@msg is not writable memory (the message is not taken);
 *	-ENODEV	the device was removed;
 *	-EBADF	@dev is not open.
 */
int rpcdev_mbox_read(struct rpcdev *dev, struct rpcdev_mbox_msg *msg);

/*
 * io_uring
 * ========
 *
 * A queue attached with RPCDEV_WAIT_BLOCK can also be driven from an
 * io_uring (RPCDEV_FEAT_URING_CMD): calls, upcalls and mailbox waits of
 * many queues and devices submitted together and completed on one ring,
 * with one io_uring_enter(2) for many of them, or none with SQPOLL. The
 * functions below fill a struct io_uring_sqe (from <linux/io_uring.h>,
 * got from liburing's io_uring_get_sqe() or any other way; the library
 * does not link liburing) and read the CQE back. Each command keeps its
 * argument in a struct rpcdev_uring_op of the caller's, which must stay
 * where it is, untouched, from the prep until its CQE is read. The prep
 * sets the SQE's user_data to the op's address (the caller may set its
 * own after); the CQE's res is 0 or a negative errno as the ioctl's (see
 * "io_uring commands" in <linux/rpcdev.h> for those io_uring adds:
 * -ECANCELED when the ring was closed, -ENOTTY, ...).
 */
struct io_uring_sqe;
struct io_uring_cqe;

/* struct rpcdev_uring_op.kind */
#define RPCDEV_URING_OP_CALL	1
#define RPCDEV_URING_OP_UPCALL	2
#define RPCDEV_URING_OP_MBOX	3

/**
 * struct rpcdev_uring_op - one io_uring command, from its prep to its CQE.
 * @dev:	the device it was prepared for.
 * @kind:	RPCDEV_URING_OP_CALL, _UPCALL or _MBOX.
 * @__resv0:	zero; room for later use.
 * @arg:	the kernel's argument: private; read and written by the
 *		kernel until the CQE comes.
 * @res:	set by rpcdev_uring_result() once the CQE came: @res.call for
 *		a call, @res.up for an upcall (as rpcdev_upcall_wait() gives
 *		it), @res.msg for a mailbox message.
 */
struct rpcdev_uring_op {
	struct rpcdev *dev;
	unsigned int kind;
	unsigned int __resv0;
	union {
		struct rpcdev_call call;
		struct rpcdev_upcall upcall;
		struct rpcdev_mbox_msg msg;
	} arg;
	union {
		struct rpcdev_call_result call;
		struct rpcdev_upcall_req up;
		struct rpcdev_mbox_msg msg;
	} res;
};

/**
 * rpcdev_prep_call() - prepare a downcall as an io_uring command.
 * @sqe:	the SQE to fill (all of its first 64 bytes are written).
 * @dev:	a device with a queue attached with RPCDEV_WAIT_BLOCK.
 * @op:		where the command's argument lives until its CQE.
 * @method:	the device method called.
 * @req:	request payload (copied when the command is issued), or NULL
 *		when @req_len is 0.
 * @req_len:	its length, at most rpcdev_queue_buf_size().
 * @resp:	where the answer's payload goes, written before the CQE.
 * @resp_cap:	bytes available at @resp.
 *
 * The call of rpcdev_call() (RPCDEV_URING_CALL), without a timeout: a
 * command waits until the device answers, and io_uring's cancellations
 * (IORING_OP_ASYNC_CANCEL, IORING_OP_LINK_TIMEOUT) do not reach it; give it
 * a timeout with rpcdev_prep_call_timeout(), or wait for its CQE with a
 * timeout and close the ring to give up (its slot is then abandoned to the
 * device). Up to the queue's depth may be in flight at once.
 *
 * Return: 0, or a negative errno value, and then @sqe is untouched:
 *	-EINVAL	@sqe, @dev or @op is NULL, @dev has no queue, or its queue
 *		is not driven by the kernel (POLL or ADAPTIVE);
 *	-E2BIG	@req_len is above rpcdev_queue_buf_size();
 *	-EBADF	@dev is not open.
 */
int rpcdev_prep_call(struct io_uring_sqe *sqe, struct rpcdev *dev,
		     struct rpcdev_uring_op *op, unsigned int method,
		     const void *req, size_t req_len, void *resp,
		     size_t resp_cap);

/**
 * rpcdev_prep_call_timeout() - prepare a downcall that gives up in time.
 * @sqe:	the SQE to fill.
 * @dev:	a device with a queue attached with RPCDEV_WAIT_BLOCK.
 * @op:		where the command's argument lives until its CQE.
 * @method:	the device method called.
 * @req:	request payload, as for rpcdev_prep_call().
 * @req_len:	its length, at most rpcdev_queue_buf_size().
 * @resp:	where the answer's payload goes.
 * @resp_cap:	bytes available at @resp.
 * @timeout_ns:	how long the kernel waits for the answer from the issue;
 *		0 waits until it comes, as rpcdev_prep_call().
 *
 * rpcdev_prep_call() with the timeout of rpcdev_call(): once @timeout_ns
 * passed without the device's answer, the CQE comes and
 * rpcdev_uring_result() gives -ETIMEDOUT; the call's slot is abandoned to
 * the device, as a timed-out rpcdev_call()'s is. The kernel needs
 * RPCDEV_FEAT_URING_TIMEOUT; one without it ends a command with a
 * timeout at once with -EINVAL.
 *
 * Since: LIBRPCDEV_1.5.
 *
 * Return: 0, or -EINVAL, -E2BIG or -EBADF as for rpcdev_prep_call().
 */
int rpcdev_prep_call_timeout(struct io_uring_sqe *sqe, struct rpcdev *dev,
			     struct rpcdev_uring_op *op, unsigned int method,
			     const void *req, size_t req_len, void *resp,
			     size_t resp_cap, uint64_t timeout_ns);

/**
 * rpcdev_prep_upcall_fetch() - prepare a wait for the next upcall.
 * @sqe:	the SQE to fill.
 * @dev:	a device with a queue attached with RPCDEV_WAIT_BLOCK.
 * @op:		where the command's argument lives until its CQE.
 *
 * RPCDEV_URING_UPCALL_FETCH: the CQE comes when the command was given an
 * upcall, which is then the caller's to answer (rpcdev_upcall_reply() or
 * rpcdev_prep_upcall_commit()). A server keeps one such command in flight
 * per upcall it wants to hold at once; they are given upcalls in the order
 * they were submitted.
 *
 * Return: 0, or -EINVAL or -EBADF as for rpcdev_prep_call().
 */
int rpcdev_prep_upcall_fetch(struct io_uring_sqe *sqe, struct rpcdev *dev,
			     struct rpcdev_uring_op *op);

/**
 * rpcdev_prep_upcall_commit() - prepare an answer and the next wait.
 * @sqe:	the SQE to fill.
 * @dev:	a device with a queue attached with RPCDEV_WAIT_BLOCK.
 * @op:		where the command's argument lives until its CQE; it may be
 *		the op whose upcall @reply answers (@reply is read first).
 * @reply:	the answer, as for rpcdev_upcall_reply().
 *
 * RPCDEV_URING_UPCALL_COMMIT, ublk's COMMIT_AND_FETCH: the answer is sent
 * when the command is issued, then it waits as a fetch. If the answer is
 * refused, the CQE comes at once with the error of rpcdev_upcall_reply()
 * and the upcall is still the caller's.
 *
 * Return: 0, or a negative errno value: as for rpcdev_prep_upcall_fetch(),
 * -EINVAL for a NULL @reply, -E2BIG for a @reply->len that no buffer has.
 */
int rpcdev_prep_upcall_commit(struct io_uring_sqe *sqe, struct rpcdev *dev,
			      struct rpcdev_uring_op *op,
			      const struct rpcdev_upcall_reply *reply);

/**
 * rpcdev_prep_mbox_wait() - prepare a wait for a mailbox message.
 * @sqe:	the SQE to fill.
 * @dev:	a device with a queue attached with RPCDEV_WAIT_BLOCK.
 * @op:		where the command's argument lives until its CQE.
 *
 * RPCDEV_URING_MBOX_WAIT: the CQE comes with the oldest message from the
 * device, taken as rpcdev_mbox_read() takes it; one message per command.
 *
 * Return: 0, or -EINVAL or -EBADF as for rpcdev_prep_call().
 */
int rpcdev_prep_mbox_wait(struct io_uring_sqe *sqe, struct rpcdev *dev,
			  struct rpcdev_uring_op *op);

/**
 * rpcdev_uring_result() - read an rpcdev command's CQE.
 * @cqe:	the CQE of a command prepared with one of the above.
 * @op:		its op (the CQE's user_data, unless the caller changed it).
 *
 * Fills @op->res: the call's result, the upcall given (its payload and
 * reply buffer in place, as rpcdev_upcall_wait() describes it) or the
 * mailbox message. @op may be prepared again right after.
 *
 * Return: 0, or a negative errno value: the command's own error (the CQE's
 * res: what the matching function would have returned, or -ECANCELED when
 * the ring was closed first); -EIO for an upcall outside the queue (a
 * library and kernel mismatch); -EINVAL when @cqe or @op is NULL or @op was
 * never prepared.
 */
int rpcdev_uring_result(const struct io_uring_cqe *cqe,
			struct rpcdev_uring_op *op);

struct io_uring;

/**
 * rpcdev_uring_serve() - serve upcalls of several queues from one ring.
 * @ring:	a liburing ring (io_uring_queue_init()), for this loop alone.
 * @devs:	devices whose queues are attached with RPCDEV_WAIT_BLOCK; a
 *		device may be given more than once (several queues of one
 *		device are several struct rpcdev, one per file).
 * @ndevs:	how many.
 * @ops:	@nops ops, one per upcall the loop may hold at once: op i
 *		serves @devs[i % @ndevs]. They must stay valid until @ring
 *		is closed.
 * @nops:	at least @ndevs.
 * @handler:	called for each upcall, as by rpcdev_serve(); @up is
 *		&op->res.up of the op that took it, whose @dev is the device.
 * @ctx:	handed to @handler.
 *
 * rpcdev_serve() over io_uring, in one thread: submits a fetch per op,
 * then for each upcall that comes calls @handler and submits its answer
 * with the next fetch in one command (rpcdev_prep_upcall_commit()), so a
 * busy server makes one io_uring_enter(2) for all the answers and waits
 * of a round. Answers are sent, refused answers replaced, as by
 * rpcdev_serve(). When it returns the other ops' fetches are still in
 * flight: close @ring to end them (their upcalls, if any came, are
 * answered RPCDEV_STATUS_NO_SERVER); do not run it again on @ring.
 *
 * The loop uses liburing's io_uring_submit() and
 * io_uring_submit_and_wait() without linking liburing: a program that
 * calls it links liburing (-luring; statically linked, it must itself
 * call io_uring_submit() somewhere, or the linker leaves them out).
 *
 * Return: what ended the loop: the value @handler returned to stop
 * (RPCDEV_SERVE_STOP or a negative errno value); a command's error
 * (-ENODEV when a device was removed, -ECANCELED, -E2BIG, -EINVAL or
 * -EFAULT for a refused answer); an error of io_uring_enter(2) (-EINTR);
 * -EPROTO for a CQE that is none of @ops'; -EBUSY when the ring has no
 * room for one SQE; -EINVAL for a NULL argument, @nops < @ndevs or a
 * device without a BLOCK queue; -ENOSYS when the program has no liburing.
 */
int rpcdev_uring_serve(struct io_uring *ring, struct rpcdev *const *devs,
		       unsigned int ndevs, struct rpcdev_uring_op *ops,
		       unsigned int nops, rpcdev_upcall_fn handler, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* LIBRPCDEV_RPCDEV_H */
