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
 * (rpcdev_fd(), rpcdev_queue_depth(), ...). The structure has reserved room
 * so that later versions (upcalls, mailbox, wait policies) can keep its
 * size; do not depend on its layout.
 *
 * One struct rpcdev may be used by several threads at once for calls
 * (rpcdev_call()), but rpcdev_open(), rpcdev_queue_attach() and
 * rpcdev_close() must not run concurrently with anything else on it.
 */
struct rpcdev {
	int fd;
	unsigned int flags;
	/* The attached queue, when flags says there is one. */
	unsigned int qid;
	unsigned int __pad;
	/* Its parts as mapped, in the order of their RPCDEV_OFF_* offsets. */
	void *parts[6];
	struct rpcdev_queue_attach layout;
	unsigned long __resv[16];
};

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
 * from rpcdev_queue_part() and rpcdev_queue_buf() are invalid afterwards. Calling it again, or on a
 * @dev whose open failed, does nothing. Afterwards rpcdev_fd() returns -1
 * and requests on @dev fail with -EBADF until @dev is opened again.
 */
void rpcdev_close(struct rpcdev *dev);

/**
 * rpcdev_fd() - the file descriptor of an open device.
 * @dev:	the device.
 *
 * The descriptor can be given to poll(2), epoll(7) or an event loop. It
 * stays owned by @dev: do not close it yourself, use rpcdev_close().
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
 * "mailbox" for bit 3 (RPCDEV_FEAT_MAILBOX).
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

#ifdef __cplusplus
}
#endif

#endif /* LIBRPCDEV_RPCDEV_H */
