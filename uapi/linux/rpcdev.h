/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rpcdev: remote procedure calls between a host program and a device.
 *
 * This header is the whole ABI between user space, the rpcdev core driver
 * and every device backend. Each device appears as /dev/rpcdevN, a character
 * device that is root-only unless the rpcdev module's "group" and "mode"
 * parameters grant more.
 *
 * All structures use fixed-width types and explicit padding. Fields marked
 * "in" are read by the kernel; fields marked "out" are written by it. Every
 * reserved field and padding word a caller passes in must be zero, or the
 * ioctl fails with EINVAL, so that a later ABI version can give them a
 * meaning. The ABI version and the feature word returned by
 * RPCDEV_IOC_INFO tell a program what the running kernel supports.
 *
 * A device that goes away: once it is removed (its driver unloaded, a PCI
 * device unplugged), every waiter wakes, every operation on its open files
 * fails with ENODEV, poll(2) reports EPOLLHUP, and mappings of memory that
 * lives on the device itself (a PCI BAR) are gone: touching them raises
 * SIGBUS. A device that is lost (its firmware stopped answering: a driver
 * that watches the firmware's heartbeat tells) behaves the same while it
 * stays present, except that the error is EIO and poll(2) reports
 * EPOLLERR with EPOLLHUP; calls waiting then end with ETIMEDOUT when their
 * own timeout comes first, with EIO otherwise, and RPCDEV_IOC_INFO still
 * answers. A firmware that shuts down in order makes it ENODEV instead, as
 * for a removed device.
 * Closing the files is all that is left to do in either case.
 */
#ifndef _UAPI_LINUX_RPCDEV_H
#define _UAPI_LINUX_RPCDEV_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * RPCDEV_ABI_VERSION - version of this ABI.
 *
 * Bumped only for a change that an old program could misread; additions
 * that a program can detect through the feature word do not bump it.
 */
#define RPCDEV_ABI_VERSION	1

/* RPCDEV_NAME_LEN - size of a device name, including the terminating NUL. */
#define RPCDEV_NAME_LEN		32

/* RPCDEV_MAX_QUEUES - upper bound on the queue pairs one device may have. */
#define RPCDEV_MAX_QUEUES	64

/*
 * Feature bits reported in struct rpcdev_info.features.
 *
 * A bit is set when both the running core driver and this device support
 * the feature. Unknown bits are to be ignored by programs.
 *
 * RPCDEV_FEAT_INFO:	RPCDEV_IOC_INFO is supported (always set; lets a
 *			program tell a zeroed reply from a real one).
 * RPCDEV_FEAT_DOWNCALL: queues, the shared rings and RPCDEV_IOC_CALL.
 * RPCDEV_FEAT_UPCALL:	upcalls served with RPCDEV_IOC_REPLY_AND_WAIT.
 * RPCDEV_FEAT_MAILBOX:	RPCDEV_IOC_MBOX_POST and RPCDEV_IOC_MBOX_READ.
 * RPCDEV_FEAT_USER_RINGS: RPCDEV_ATTACH_USER_RINGS and RPCDEV_IOC_ENTER.
 * RPCDEV_FEAT_RING_WAKE: per-ring wakeups: RPCDEV_RING_WAKE_UQ, _DC and _MB
 *			in the host's flags and RPCDEV_ENTER_WAIT_UQ, _DC and
 *			_MB, so a thread sleeping for one ring costs the
 *			others no interrupt.
 * RPCDEV_FEAT_ASYNC_NOACK: RPCDEV_ATTACH_ASYNC_NOACK.
 * RPCDEV_FEAT_DEV_GONE: the kernel marks a removed device's queues with
 *			RPCDEV_DEV_GONE, and a removed device's memory stays
 *			readable (a property of the core: every device has it).
 * RPCDEV_FEAT_URING_CMD: io_uring commands (IORING_OP_URING_CMD), see
 *			"io_uring commands" below; set on every device of a
 *			kernel built with io_uring.
 * RPCDEV_FEAT_REG_BUFS: registered buffers: RPCDEV_IOC_BUF_REGISTER,
 *			RPCDEV_IOC_BUF_UNREGISTER and calls whose payloads
 *			the device reads and writes in the program's own
 *			memory (RPCDEV_CALL_REQ_BUF, RPCDEV_CALL_RESP_BUF);
 *			see "Registered buffers" below. A property of the
 *			device: set where it can reach host memory other than
 *			its queues' (rpcdev_sim), clear where it cannot (a
 *			device that only reaches its own BAR).
 * RPCDEV_FEAT_INLINE:	RPCDEV_ATTACH_INLINE: small payloads travel inside
 *			the ring entries (struct rpcdev_entry_inline).
 * RPCDEV_FEAT_URING_TIMEOUT: a RPCDEV_URING_CALL's timeout_ns is honoured
 *			(the call ends with ETIMEDOUT), where a kernel
 *			without the bit refuses a timeout_ns that is not
 *			zero with EINVAL; set with RPCDEV_FEAT_URING_CMD.
 */
#define RPCDEV_FEAT_INFO	(1ULL << 0)
#define RPCDEV_FEAT_DOWNCALL	(1ULL << 1)
#define RPCDEV_FEAT_UPCALL	(1ULL << 2)
#define RPCDEV_FEAT_MAILBOX	(1ULL << 3)
#define RPCDEV_FEAT_USER_RINGS	(1ULL << 4)
#define RPCDEV_FEAT_RING_WAKE	(1ULL << 5)
#define RPCDEV_FEAT_ASYNC_NOACK	(1ULL << 6)
#define RPCDEV_FEAT_DEV_GONE	(1ULL << 7)
#define RPCDEV_FEAT_URING_CMD	(1ULL << 8)
#define RPCDEV_FEAT_REG_BUFS	(1ULL << 9)
#define RPCDEV_FEAT_INLINE	(1ULL << 10)
#define RPCDEV_FEAT_URING_TIMEOUT (1ULL << 11)

/**
 * struct rpcdev_info - what RPCDEV_IOC_INFO reports about a device.
 * @abi_version:	out: RPCDEV_ABI_VERSION of the running core driver.
 * @nr_queues:		out: number of queue pairs the device offers.
 * @features:		out: RPCDEV_FEAT_* bits supported by the core and
 *			this device.
 * @name:		out: the backend's name for the device, for example
 *			"rpcdev_sim.0"; NUL-terminated, the rest of the array
 *			zero-filled.
 * @minor:		out: N in /dev/rpcdevN.
 * @reserved:		out: zero in this version.
 *
 * The kernel fills the whole structure, reserved fields included, so no
 * byte of it is left over from an earlier use of the caller's buffer.
 */
struct rpcdev_info {
	__u32 abi_version;
	__u32 nr_queues;
	__u64 features;
	char name[RPCDEV_NAME_LEN];
	__u32 minor;
	__u32 reserved[7];
};

/*
 * Queues, rings and calls
 * =======================
 *
 * A device has nr_queues queue pairs. A program attaches one of them to an
 * open file with RPCDEV_IOC_QUEUE_ATTACH; the queue then belongs to that file
 * (one file, one queue; open the device again for another queue) until the
 * file is closed. Each queue has four rings of @depth entries:
 *
 *	DQ	downcall requests, host to device
 *	DC	downcall completions, device to host
 *	UQ	upcall requests, device to host
 *	UR	upcall replies, host to device
 *
 * and @depth call slots in each direction. A call slot is named by its index
 * (0..depth-1) in struct rpcdev_entry.id and owns one payload buffer of
 * @buf_size bytes in each direction: a downcall's request goes in DQ buffer
 * id and its reply in DC buffer id; an upcall's request in UQ buffer id and
 * its reply in UR buffer id. With at most depth calls in flight a ring can
 * never overflow. On a queue attached with RPCDEV_ATTACH_INLINE, a payload
 * of up to RPCDEV_INLINE_MAX bytes travels in the entry itself instead
 * (struct rpcdev_entry_inline).
 *
 * Memory is shared with the device and mapped into the owner with mmap(2),
 * in six parts, each at its own offset (as io_uring maps its rings):
 *
 *	RPCDEV_OFF_DEV		struct rpcdev_dev_ctrl, then the DC and UQ
 *				entries (dev_size bytes);
 *	RPCDEV_OFF_DC_BUF	the DC payload buffers (bufs_size bytes);
 *	RPCDEV_OFF_UQ_BUF	the UQ payload buffers (bufs_size bytes);
 *	RPCDEV_OFF_HOST		struct rpcdev_host_ctrl, then the DQ and UR
 *				entries (host_size bytes);
 *	RPCDEV_OFF_DQ_BUF	the DQ payload buffers (bufs_size bytes);
 *	RPCDEV_OFF_UR_BUF	the UR payload buffers (bufs_size bytes).
 *
 * Buffer i of a part starts at byte i * buf_size. The first three parts are
 * written only by the device (and the kernel) and are mapped read-only:
 * PROT_WRITE fails with EACCES. The last three are written by the host and
 * only read by the device; they are mapped writable, so a server can write
 * a reply in place. The kernel and the device read everything in them once
 * and check it (an id past depth, a length past buf_size, an index that no
 * producer could have written): a bad value fails that one call, never
 * another queue, and a producer index user space scribbled on is resynced
 * from the device's consumer index at the next post.
 */

/* Limits of RPCDEV_IOC_QUEUE_ATTACH. */
#define RPCDEV_DEFAULT_DEPTH	16
#define RPCDEV_MAX_DEPTH	256
#define RPCDEV_DEFAULT_BUF_SIZE	4096
/* RPCDEV_MAX_PAYLOAD - largest payload of one call, in either direction. */
#define RPCDEV_MAX_PAYLOAD	(1U << 20)
/*
 * RPCDEV_MAX_BUFS - largest part of payload buffers: depth * buf_size must
 * fit. Each part is one physically contiguous DMA allocation.
 */
#define RPCDEV_MAX_BUFS		(4U << 20)

/* mmap(2) offsets of the parts of the file's queue. */
#define RPCDEV_OFF_DEV		0x00000000ULL
#define RPCDEV_OFF_DC_BUF	0x10000000ULL
#define RPCDEV_OFF_UQ_BUF	0x20000000ULL
#define RPCDEV_OFF_HOST		0x30000000ULL
#define RPCDEV_OFF_DQ_BUF	0x40000000ULL
#define RPCDEV_OFF_UR_BUF	0x50000000ULL

/*
 * RPCDEV_ATTACH_USER_RINGS: the program drives the rings itself, through
 * its mappings, with no system call on the fast path (the POLL and
 * ADAPTIVE wait policies of librpcdev): it produces DQ and UR entries and
 * their indices, consumes DC and UQ and writes their consumer indices and
 * the interrupt-suppression flags in struct rpcdev_host_ctrl. The kernel
 * then never touches those rings: RPCDEV_IOC_CALL and
 * RPCDEV_IOC_REPLY_AND_WAIT fail with EINVAL, and RPCDEV_IOC_ENTER rings
 * the doorbell and sleeps. Upcalls still in UQ when the file is closed are
 * answered RPCDEV_STATUS_NO_SERVER all the same (read from the program's
 * consumer index, checked). poll(2) on such a queue asks for interrupts on
 * UQ and the mailbox (RPCDEV_RING_WAKE_UQ | RPCDEV_RING_WAKE_MB) from its
 * first sleep on, for as long as the queue is attached: an event loop
 * that polls the file is never left without a wakeup.
 */
#define RPCDEV_ATTACH_USER_RINGS	(1U << 0)

/*
 * RPCDEV_ATTACH_TIMESTAMPS: the kernel fills struct rpcdev_entry.ts of the
 * UR entries it posts, so that the device (and the benchmark) can tell
 * where the time of a round trip goes. Costs a clock read per stage.
 */
#define RPCDEV_ATTACH_TIMESTAMPS	(1U << 1)

/*
 * RPCDEV_ATTACH_ASYNC_NOACK (with RPCDEV_ATTACH_USER_RINGS): async upcalls
 * are not acknowledged on UR. The device takes an async upcall's slot back
 * once the host's UQ consumer index (struct rpcdev_host_ctrl.uq_cons) has
 * moved past its entry, so the program moves that index past an async
 * upcall only when it is done with the payload, and rings the doorbell
 * then if the device sleeps (RPCDEV_DEV_NEED_DOORBELL): a burst of async
 * upcalls costs one cache line per message each way and no answer at all.
 * Sync upcalls are answered on UR as always. Needs RPCDEV_FEAT_ASYNC_NOACK.
 */
#define RPCDEV_ATTACH_ASYNC_NOACK	(1U << 2)

/*
 * RPCDEV_ATTACH_INLINE: the entries of all four rings are struct
 * rpcdev_entry_inline, two cache lines (128 bytes) instead of one, and a
 * payload of up to RPCDEV_INLINE_MAX bytes travels in the entry's second
 * line (RPCDEV_ENTRY_INLINE) instead of the slot's buffer: a consumer
 * polling a small call reads two adjacent lines, whose addresses it knows
 * before it reads either (the CPU fetches them together), instead of an
 * entry and then a buffer line whose address depends on the entry's id.
 * Larger payloads use the buffers as before. The ring offsets and sizes
 * attach reports count the larger entries. The kernel on a queue it
 * drives, and librpcdev on user rings, put every payload that fits
 * inline; the device does the same; every consumer honours the flag of
 * each entry, so a producer may still use the buffer for a small one.
 * The kernel hides the difference from RPCDEV_IOC_CALL and
 * RPCDEV_IOC_REPLY_AND_WAIT: a request or a reply is copied as before,
 * and an inline upcall's payload is copied into its UQ buffer before a
 * server learns of it, so a server reads it in place there as on any
 * queue. Works with and without RPCDEV_ATTACH_USER_RINGS. Needs
 * RPCDEV_FEAT_INLINE.
 */
#define RPCDEV_ATTACH_INLINE		(1U << 3)

/**
 * struct rpcdev_queue_attach - argument of RPCDEV_IOC_QUEUE_ATTACH.
 * @qid:	in: the queue, 0..nr_queues-1.
 * @flags:	in: RPCDEV_ATTACH_* bits, or 0.
 * @depth:	in: call slots (and ring entries) per direction, a power of
 *		two up to RPCDEV_MAX_DEPTH, or 0 for RPCDEV_DEFAULT_DEPTH.
 *		out: the depth used.
 * @buf_size:	in: payload buffer bytes per call slot, up to
 *		RPCDEV_MAX_PAYLOAD, or 0 for RPCDEV_DEFAULT_BUF_SIZE; rounded
 *		up to a multiple of 64. out: the size used.
 * @dev_size:	out: bytes to mmap at RPCDEV_OFF_DEV.
 * @host_size:	out: bytes to mmap at RPCDEV_OFF_HOST.
 * @bufs_size:	out: bytes to mmap at each RPCDEV_OFF_*_BUF.
 * @dc_off:	out: offset of the DC entries in the RPCDEV_OFF_DEV part.
 * @uq_off:	out: offset of the UQ entries in the RPCDEV_OFF_DEV part.
 * @dq_off:	out: offset of the DQ entries in the RPCDEV_OFF_HOST part.
 * @ur_off:	out: offset of the UR entries in the RPCDEV_OFF_HOST part.
 * @reserved:	in: zero; out: zero.
 */
struct rpcdev_queue_attach {
	__u32 qid;
	__u32 flags;
	__u32 depth;
	__u32 buf_size;
	__u64 dev_size;
	__u64 host_size;
	__u64 bufs_size;
	__u64 dc_off;
	__u64 uq_off;
	__u64 dq_off;
	__u64 ur_off;
	__u64 reserved[7];
};

/*
 * struct rpcdev_entry - one ring entry: a call or its result. 64 bytes, one
 * cache line, so a message costs one line transfer besides its payload.
 *
 * @seq:	written last by the producer: the ring position + 1 (so 0 is
 *		never valid). A consumer that polls the entry itself waits for
 *		seq == its own position + 1 (the phase tag of NVMe CQs).
 * @id:		the call slot, 0..depth-1; the payload is in that slot's
 *		buffer (or in the entry, with RPCDEV_ENTRY_INLINE).
 * @method:	the method called (a request) or echoed back (a result).
 * @len:	payload bytes, at most buf_size (at most RPCDEV_INLINE_MAX
 *		with RPCDEV_ENTRY_INLINE).
 * @flags:	RPCDEV_ENTRY_* bits.
 * @status:	a result's status: 0 for success, else RPCDEV_STATUS_*.
 * @tag:	the caller's cookie, returned unchanged with the result.
 * @ts:		timestamps (CLOCK_MONOTONIC ns, the clock the device and the
 *		kernel share here) that split a round trip into its parts;
 *		zero where nobody filled them. In a UQ entry the device may
 *		put in ts[0] when it posted the upcall. In the UR entry that
 *		answers it: ts[0] as in the UQ entry, ts[1] when the kernel
 *		handled the device's interrupt, ts[2] when the server was
 *		woken with the upcall (io_uring: when its task took it, in
 *		task work), ts[3] when the answer was posted. The
 *		kernel fills them on queues attached with
 *		RPCDEV_ATTACH_TIMESTAMPS; librpcdev on user rings (with
 *		ts[1] = ts[2]: no interrupt).
 */
struct rpcdev_entry {
	__u32 seq;
	__u32 id;
	__u32 method;
	__u32 len;
	__u32 flags;
	__s32 status;
	__u64 tag;
	__u64 ts[4];
};

/* RPCDEV_INLINE_MAX - the largest payload an entry carries itself. */
#define RPCDEV_INLINE_MAX	64

/**
 * struct rpcdev_entry_inline - a ring entry of a queue attached with
 * RPCDEV_ATTACH_INLINE: 128 bytes, two cache lines.
 * @hdr:	the entry, as struct rpcdev_entry describes it. Its seq is
 *		still written last and validates both lines.
 * @data:	with RPCDEV_ENTRY_INLINE in hdr.flags, the payload: its first
 *		hdr.len bytes (the rest undefined). Without it, unused: the
 *		payload is in the slot's buffer.
 *
 * Entry p of a ring is at p % depth * sizeof(struct rpcdev_entry_inline)
 * from the ring's offset. A consumer copies an inline payload out before
 * it moves its consumer index past the entry: from then on the producer
 * may write the next lap's entry there.
 */
struct rpcdev_entry_inline {
	struct rpcdev_entry hdr;
	__u8 data[RPCDEV_INLINE_MAX];
};

/*
 * RPCDEV_ENTRY_ASYNC:	an upcall request that expects no reply (fire and
 *			forget); the kernel acknowledges it to the device on UR
 *			when the server takes it, or the host's UQ consumer
 *			index gives the slot back (RPCDEV_ATTACH_ASYNC_NOACK).
 * RPCDEV_ENTRY_ERROR:	a result whose payload is an error: a NUL-terminated
 *			name followed by a NUL-terminated message, as a host
 *			exception's type and text.
 * RPCDEV_ENTRY_BUFS:	in a DQ entry: the call's DQ buffer starts with a
 *			struct rpcdev_buf_desc, which says which of the
 *			call's payloads are in registered buffers, and
 *			where. In a DC entry: the result's payload (len
 *			bytes, at most the descriptor's resp_cap) was written
 *			in place, into the call's registered reply buffer,
 *			not into the DC buffer. Never with
 *			RPCDEV_ENTRY_INLINE: the descriptor is always in the
 *			buffer (an entry with both is malformed).
 *			RPCDEV_FEAT_REG_BUFS.
 * RPCDEV_ENTRY_INLINE:	the payload is in the entry's second line (struct
 *			rpcdev_entry_inline.data), len at most
 *			RPCDEV_INLINE_MAX, not in the slot's buffer. Only on a
 *			queue attached with RPCDEV_ATTACH_INLINE: anywhere
 *			else, or with a longer len, the entry is malformed (a
 *			downcall's answer fails with EIO, an upcall is
 *			answered RPCDEV_STATUS_BAD_REQUEST). Never reported in
 *			struct rpcdev_call.res_flags nor
 *			struct rpcdev_upcall.entry_flags: there the kernel
 *			has copied the payload to where it always is.
 */
#define RPCDEV_ENTRY_ASYNC	(1U << 0)
#define RPCDEV_ENTRY_ERROR	(1U << 1)
#define RPCDEV_ENTRY_INLINE	(1U << 2)
#define RPCDEV_ENTRY_BUFS	(1U << 3)

/*
 * Result status, in struct rpcdev_entry.status and struct rpcdev_call.status.
 *
 * RPCDEV_STATUS_OK:		the method ran; the payload is its result.
 * RPCDEV_STATUS_ERROR:		the method failed; the payload is an error
 *				(RPCDEV_ENTRY_ERROR format).
 * RPCDEV_STATUS_NO_METHOD:	the callee has no such method.
 * RPCDEV_STATUS_BAD_REQUEST:	the callee rejected the request (a length
 *				past buf_size, an id out of range, ...).
 * RPCDEV_STATUS_NO_SERVER:	an upcall found no server: the owning file was
 *				closed or its process died before replying.
 */
#define RPCDEV_STATUS_OK		0
#define RPCDEV_STATUS_ERROR		1
#define RPCDEV_STATUS_NO_METHOD		2
#define RPCDEV_STATUS_BAD_REQUEST	3
#define RPCDEV_STATUS_NO_SERVER		4

/*
 * struct rpcdev_ring_idx - a producer or consumer index, alone on its cache
 * line. Free-running: the entry of position p is p % depth.
 */
struct rpcdev_ring_idx {
	__u32 val;
	__u32 pad[15];
};

/*
 * The host's consumer flags (struct rpcdev_host_ctrl.flags): which new
 * device entries must interrupt the host.
 *
 * RPCDEV_RING_NEED_WAKEUP:	a new entry on any of UQ, DC and the
 *				device-to-host mailbox.
 * RPCDEV_RING_WAKE_UQ:		a new UQ entry (an upcall).
 * RPCDEV_RING_WAKE_DC:		a new DC entry (a downcall's answer).
 * RPCDEV_RING_WAKE_MB:		a new device-to-host mailbox message.
 *
 * A consumer about to sleep sets the bits of the rings it waits for,
 * issues a full barrier, re-reads their producer indices and only then
 * sleeps; the device writes the entry and its producer index, issues a
 * full barrier and then reads the flags, and interrupts when
 * RPCDEV_RING_NEED_WAKEUP or the ring's own bit is set. So no wakeup is
 * lost, and a ring nobody sleeps for costs no interrupt.
 */
#define RPCDEV_RING_NEED_WAKEUP	(1U << 0)
#define RPCDEV_RING_WAKE_UQ	(1U << 1)
#define RPCDEV_RING_WAKE_DC	(1U << 2)
#define RPCDEV_RING_WAKE_MB	(1U << 3)

/*
 * RPCDEV_DEV_NEED_DOORBELL, in struct rpcdev_dev_ctrl.flags: the device
 * sleeps and needs a doorbell for the next entry on DQ or UR. The device
 * sets it, issues a full barrier, re-reads the producer indices and only
 * then sleeps; a host that posts issues a full barrier after its producer
 * index and then reads the flag, and rings (RPCDEV_IOC_ENTER with
 * RPCDEV_ENTER_DOORBELL) only when it is set. A device that is polling
 * leaves it clear, and the host posts without a system call.
 */
#define RPCDEV_DEV_NEED_DOORBELL	(1U << 0)

/*
 * RPCDEV_DEV_GONE, in struct rpcdev_dev_ctrl.flags: the device was
 * removed. Set by the kernel, never by a device, once the queue's device
 * stopped (RPCDEV_FEAT_DEV_GONE): a program that polls its rings reads it
 * among the loads it makes anyway and ends its wait; RPCDEV_IOC_ENTER then
 * says why (ENODEV). A program must not take the flag alone for the
 * truth (a broken device may set it, and a surprise-removed PCI device
 * reads as all ones): it asks RPCDEV_IOC_ENTER. A device that is lost
 * rather than removed (its firmware stopped answering) is not marked: its
 * callers' timeouts end their waits.
 *
 * Where a queue's memory is the device's own (a PCI BAR), the kernel takes
 * it away from the program when the device is removed. From then on the
 * read-only parts read as zeros with only this flag set in the control
 * page, and the writable parts as a zeroed page of the file's own: no
 * access faults, and nothing written there reaches anyone.
 */
#define RPCDEV_DEV_GONE			(1U << 31)

/* RPCDEV_MBOX_SLOTS - host-to-device mailbox slots per queue. */
#define RPCDEV_MBOX_SLOTS	8
/* RPCDEV_MBOX_DEPTH - entries of the device-to-host mailbox ring. */
#define RPCDEV_MBOX_DEPTH	64

/* RPCDEV_MBOX_SEQ() and RPCDEV_MBOX_VAL() - take a mailbox word apart. */
#define RPCDEV_MBOX_SEQ(w)	((__u32)((w) >> 32))
#define RPCDEV_MBOX_VAL(w)	((__u32)(w))

/**
 * struct rpcdev_dev_ctrl - control page of the device area (read-only).
 * @dc_prod:	DC producer index (device).
 * @uq_prod:	UQ producer index (device).
 * @dq_cons:	DQ consumer index (device).
 * @ur_cons:	UR consumer index (device).
 * @mb_prod:	device-to-host mailbox producer index (device).
 * @flags:	the device's flags (RPCDEV_DEV_NEED_DOORBELL), and the
 *		kernel's RPCDEV_DEV_GONE.
 * @mb_msgs:	device-to-host mailbox messages; message p is
 *		mb_msgs[p % RPCDEV_MBOX_DEPTH], a value the device chose.
 */
struct rpcdev_dev_ctrl {
	struct rpcdev_ring_idx dc_prod;
	struct rpcdev_ring_idx uq_prod;
	struct rpcdev_ring_idx dq_cons;
	struct rpcdev_ring_idx ur_cons;
	struct rpcdev_ring_idx mb_prod;
	struct rpcdev_ring_idx flags;
	__u64 mb_msgs[RPCDEV_MBOX_DEPTH];
};

/**
 * struct rpcdev_host_ctrl - control page of the host area.
 * @dq_prod:	DQ producer index (host).
 * @ur_prod:	UR producer index (host).
 * @dc_cons:	DC consumer index (host).
 * @uq_cons:	UQ consumer index (host).
 * @mb_cons:	device-to-host mailbox consumer index (host).
 * @flags:	the host's consumer flags: RPCDEV_RING_NEED_WAKEUP (every
 *		ring) and RPCDEV_RING_WAKE_UQ, _DC, _MB (one ring each).
 * @mbox:	host-to-device mailbox: slot i holds the value in its low 32
 *		bits and a sequence number, bumped by every post, in its high
 *		32 bits, so the device checks a slot with one 64-bit load.
 */
struct rpcdev_host_ctrl {
	struct rpcdev_ring_idx dq_prod;
	struct rpcdev_ring_idx ur_prod;
	struct rpcdev_ring_idx dc_cons;
	struct rpcdev_ring_idx uq_cons;
	struct rpcdev_ring_idx mb_cons;
	struct rpcdev_ring_idx flags;
	__u64 mbox[RPCDEV_MBOX_SLOTS];
};

/*
 * RPCDEV_CALL_REQ_BUF:	the request is in a registered buffer: req_len bytes
 *			at byte offset @req of buffer @req_buf (not at a
 *			user address). The device reads it in place.
 * RPCDEV_CALL_RESP_BUF: the result goes to a registered buffer: at most
 *			resp_cap bytes at byte offset @resp of buffer
 *			@resp_buf. The device writes it there in place (and
 *			says so with RPCDEV_ENTRY_BUFS in res_flags), or
 *			the kernel copies it there from the DC buffer (an
 *			error's payload, a method that does not write in
 *			place).
 * Either needs RPCDEV_FEAT_REG_BUFS; see "Registered buffers" below.
 */
#define RPCDEV_CALL_REQ_BUF	(1U << 0)
#define RPCDEV_CALL_RESP_BUF	(1U << 1)

/**
 * struct rpcdev_call - argument of RPCDEV_IOC_CALL, a synchronous downcall.
 * @method:	in: the device method to call (the device's own numbers;
 *		those of the reference firmware are in linux/rpcdev_sim.h).
 * @flags:	in: zero, or RPCDEV_CALL_REQ_BUF and/or RPCDEV_CALL_RESP_BUF.
 * @req:	in: user address of the request payload; with
 *		RPCDEV_CALL_REQ_BUF its byte offset in buffer @req_buf.
 * @req_len:	in: its length, at most the queue's buf_size; with
 *		RPCDEV_CALL_REQ_BUF, up to the end of the registered
 *		buffer; with RPCDEV_CALL_RESP_BUF alone, at most buf_size -
 *		RPCDEV_BUF_DESC_SIZE (the descriptor shares the DQ buffer).
 * @resp_cap:	in: bytes available at @resp.
 * @resp:	in: user address for the result payload (may be 0 when
 *		@resp_cap is 0); with RPCDEV_CALL_RESP_BUF its byte offset
 *		in buffer @resp_buf.
 * @timeout_ns:	in: give up after this long with ETIMEDOUT; 0 waits forever.
 * @resp_len:	out: the result's length. When it exceeds @resp_cap, only
 *		@resp_cap bytes were copied (and the call still succeeds).
 * @status:	out: RPCDEV_STATUS_* of the result.
 * @res_flags:	out: the result's RPCDEV_ENTRY_* flags.
 * @req_buf:	in (RPCDEV_CALL_REQ_BUF): the request's registered buffer,
 *		as RPCDEV_IOC_BUF_REGISTER returned it; else zero.
 * @resp_buf:	in (RPCDEV_CALL_RESP_BUF): the result's registered buffer;
 *		else zero.
 * @reserved:	in: zero.
 *
 * Returns 0 once the device answered (the answer's status is in @status),
 * or -1 with errno:
 *	EINVAL	a reserved field or unknown flag is set, @req_buf or
 *		@resp_buf is not zero without its flag, or no queue is
 *		attached;
 *	EOPNOTSUPP RPCDEV_CALL_REQ_BUF or RPCDEV_CALL_RESP_BUF on a device
 *		without RPCDEV_FEAT_REG_BUFS;
 *	ENOENT	@req_buf or @resp_buf names no registered buffer;
 *	ENOSPC	the request (@req + @req_len) or the result's room
 *		(@resp + @resp_cap) runs past the end of its registered
 *		buffer;
 *	E2BIG	req_len is larger than the queue's buf_size (see @req_len);
 *	EFAULT	req or resp cannot be read or written;
 *	EAGAIN	all call slots are in flight;
 *	ETIMEDOUT the device did not answer within timeout_ns;
 *	EINTR	a signal came first;
 *	EIO	the device's answer was malformed (a length past buf_size,
 *		or past resp_cap for one written in place), or the device
 *		was lost;
 *	ENODEV	the device was removed.
 * A call given up by a timeout or a signal keeps its slot until the device
 * answers or the queue is reset: the device may still write its buffer,
 * and the registered buffers it names stay in use (RPCDEV_IOC_BUF_UNREGISTER
 * gives EBUSY) until then.
 */
struct rpcdev_call {
	__u32 method;
	__u32 flags;
	__u64 req;
	__u32 req_len;
	__u32 resp_cap;
	__u64 resp;
	__u64 timeout_ns;
	__u32 resp_len;
	__s32 status;
	__u32 res_flags;
	__u16 req_buf;
	__u16 resp_buf;
	__u32 reserved[4];
};

/*
 * RPCDEV_UPCALL_REPLY:	send the reply described in struct rpcdev_upcall.
 * RPCDEV_UPCALL_WAIT:	then wait for the next upcall.
 */
#define RPCDEV_UPCALL_REPLY	(1U << 0)
#define RPCDEV_UPCALL_WAIT	(1U << 1)

/**
 * struct rpcdev_upcall - argument of RPCDEV_IOC_REPLY_AND_WAIT.
 * @flags:	in: RPCDEV_UPCALL_REPLY, RPCDEV_UPCALL_WAIT or both (the
 *		server loop: one system call per upcall).
 * @reply_id:	in (REPLY): the id of the upcall answered, as an earlier
 *		wait returned it.
 * @reply_status: in (REPLY): RPCDEV_STATUS_OK or RPCDEV_STATUS_ERROR.
 * @reply_flags: in (REPLY): 0, or RPCDEV_ENTRY_ERROR when the payload is
 *		an error (name and message, NUL-terminated each).
 * @reply_len:	in (REPLY): reply payload bytes, at most buf_size.
 * @pad:	in: zero.
 * @reply_data: in (REPLY): user address of the payload, copied into UR
 *		buffer reply_id; or 0 when the server wrote it there itself
 *		through its mapping of RPCDEV_OFF_UR_BUF (no copy).
 * @timeout_ns:	in (WAIT): give up after this long with ETIMEDOUT; 0
 *		waits forever.
 * @id:		out (WAIT): the upcall's id. Its payload is in UQ buffer id,
 *		to be read in place until the upcall is answered.
 * @method:	out (WAIT): the host method the device calls.
 * @len:	out (WAIT): payload bytes.
 * @entry_flags: out (WAIT): RPCDEV_ENTRY_ASYNC for a fire-and-forget
 *		upcall.
 * @tag:	out (WAIT): the device's cookie.
 * @reserved:	in: zero.
 *
 * Every upcall a wait returns must be answered with a REPLY, async ones
 * too: there the reply only tells the device that the server is done with
 * the payload (its status and payload are not sent on). Upcalls are
 * returned in the order the device made them, so async upcalls come before
 * any later sync one. Several threads may serve one queue.
 *
 * Returns 0, or -1 with errno:
 *	EINVAL	no queue, a reserved field or unknown flag set, reply_id
 *		is not an upcall waiting for its reply, or reply_status is
 *		neither RPCDEV_STATUS_OK nor RPCDEV_STATUS_ERROR;
 *	E2BIG	reply_len is larger than buf_size;
 *	EFAULT	the argument or reply_data cannot be read or written;
 *	ETIMEDOUT no upcall came within timeout_ns (the reply, if any, was
 *		sent);
 *	EINTR	a signal came first (the reply, if any, was sent);
 *	EIO	the device broke the ring protocol, or was lost;
 *	ENODEV	the device was removed.
 * When the file is closed, or its process dies, upcalls not yet answered
 * are answered RPCDEV_STATUS_NO_SERVER.
 */
struct rpcdev_upcall {
	__u32 flags;
	__u32 reply_id;
	__s32 reply_status;
	__u32 reply_flags;
	__u32 reply_len;
	__u32 pad;
	__u64 reply_data;
	__u64 timeout_ns;
	__u32 id;
	__u32 method;
	__u32 len;
	__u32 entry_flags;
	__u64 tag;
	__u64 reserved[2];
};

/**
 * struct rpcdev_mbox - argument of RPCDEV_IOC_MBOX_POST.
 * @slot:	in: the slot, below RPCDEV_MBOX_SLOTS.
 * @value:	in: the value.
 * @seq:	out: the slot's new sequence number.
 * @pad:	in: zero.
 *
 * The ioctl is a convenience: a program may as well store
 * ((__u64)(seq + 1) << 32 | value) into struct rpcdev_host_ctrl.mbox[slot]
 * through its mapping of RPCDEV_OFF_HOST, with no system call.
 * Returns 0, or -1 with errno EINVAL (no queue, bad slot, pad set),
 * EFAULT or ENODEV.
 */
struct rpcdev_mbox {
	__u32 slot;
	__u32 value;
	__u32 seq;
	__u32 pad;
};

/**
 * struct rpcdev_mbox_msg - argument of RPCDEV_IOC_MBOX_READ.
 * @value:	out: the oldest message from the device.
 * @pending:	out: messages still waiting after this one.
 * @lost:	out: messages the device overwrote before they were read
 *		(its producer index ran more than RPCDEV_MBOX_DEPTH ahead),
 *		since the last read. A well-behaved device waits or drops
 *		instead, and this stays 0.
 *
 * poll(2) reports EPOLLPRI while a message waits. Returns 0, or -1 with
 * errno EAGAIN (no message), EINVAL (no queue), EFAULT or ENODEV.
 */
struct rpcdev_mbox_msg {
	__u64 value;
	__u32 pending;
	__u32 lost;
};

/*
 * RPCDEV_ENTER_DOORBELL:	ring the device's doorbell first: the program
 *				posted on DQ or UR.
 * RPCDEV_ENTER_WAIT:		then sleep until the device produces past
 *				the positions given (uq_pos, dc_pos, mb_pos),
 *				a signal, timeout_ns, or the device goes.
 * RPCDEV_ENTER_WAIT_UQ:	wait as RPCDEV_ENTER_WAIT, for UQ alone.
 * RPCDEV_ENTER_WAIT_DC:	wait as RPCDEV_ENTER_WAIT, for DC alone.
 * RPCDEV_ENTER_WAIT_MB:	wait as RPCDEV_ENTER_WAIT, for the mailbox
 *				alone. The three combine; any of them
 *				implies RPCDEV_ENTER_WAIT, and only the rings
 *				named get interrupts (RPCDEV_FEAT_RING_WAKE).
 */
#define RPCDEV_ENTER_DOORBELL	(1U << 0)
#define RPCDEV_ENTER_WAIT	(1U << 1)
#define RPCDEV_ENTER_WAIT_UQ	(1U << 2)
#define RPCDEV_ENTER_WAIT_DC	(1U << 3)
#define RPCDEV_ENTER_WAIT_MB	(1U << 4)

/**
 * struct rpcdev_enter - argument of RPCDEV_IOC_ENTER, for queues attached
 * with RPCDEV_ATTACH_USER_RINGS.
 * @flags:	in: RPCDEV_ENTER_DOORBELL, RPCDEV_ENTER_WAIT or
 *		RPCDEV_ENTER_WAIT_UQ, _DC, _MB, or the doorbell and a wait.
 * @uq_pos:	in (WAIT): wake when the UQ producer index differs from this
 *		(the program's UQ consumer index: an upcall is waiting).
 * @dc_pos:	in (WAIT): likewise for the DC producer index.
 * @mb_pos:	in (WAIT): likewise for the mailbox producer index.
 * @timeout_ns:	in (WAIT): 0 waits forever.
 * @reserved:	in: zero.
 *
 * @uq_pos, @dc_pos and @mb_pos of rings not waited for are ignored.
 *
 * The kernel sets the rings' bits in struct rpcdev_host_ctrl.flags
 * (RPCDEV_RING_NEED_WAKEUP for a plain RPCDEV_ENTER_WAIT), issues a full
 * barrier, re-reads the producer indices and only then sleeps; it clears
 * them again before it returns, unless another thread still sleeps for
 * that ring, so a program that goes back to polling gets no interrupts.
 * Threads may sleep for different rings of one queue at once (a server
 * for UQ, a caller for DC). Returns 0 when the device
 * produced (or at once for a doorbell alone), or -1 with errno: EINVAL (not
 * a user-rings queue, flags or reserved), ETIMEDOUT, EINTR, EIO (lost),
 * ENODEV, EFAULT.
 */
struct rpcdev_enter {
	__u32 flags;
	__u32 uq_pos;
	__u32 dc_pos;
	__u32 mb_pos;
	__u64 timeout_ns;
	__u64 reserved[2];
};

/*
 * Registered buffers
 * ==================
 *
 * With RPCDEV_FEAT_REG_BUFS a program registers memory of its own on its
 * queue with RPCDEV_IOC_BUF_REGISTER (as io_uring's fixed buffers and TEE
 * shared memory are registered): the kernel pins its pages for as long as
 * it stays registered, counts them against the process's RLIMIT_MEMLOCK
 * (as locked memory; CAP_IPC_LOCK lifts the limit) and gives the device a
 * view of them. A call then names a registered buffer, by the index the
 * registration returned, for its request (RPCDEV_CALL_REQ_BUF) or its
 * result (RPCDEV_CALL_RESP_BUF) or both, and the device reads and writes
 * the payload in place: a payload of many MiB is copied neither into nor
 * out of the queue's buffers, and may be larger than they are.
 *
 * A buffer belongs to the file's queue: it is registered after
 * RPCDEV_IOC_QUEUE_ATTACH, on a queue the kernel drives (not
 * RPCDEV_ATTACH_USER_RINGS: the kernel must know which calls use a
 * buffer), and calls over RPCDEV_IOC_CALL or RPCDEV_URING_CALL name it.
 * A queue holds at most RPCDEV_MAX_REG_BUFS of them, each up to
 * RPCDEV_MAX_REG_BUF_SIZE bytes. While a call that names a buffer is in
 * flight (from its start until its result was read, or, for a call given
 * up, until the device answers it) the buffer is in use, and unregistering
 * it fails with EBUSY: no device ever writes memory that was given back.
 * When the file is closed (and so when its process exits or is killed)
 * the kernel first stops the device on the queue and then unpins every
 * buffer.
 *
 * The program must not change the mapping of a registered buffer (munmap,
 * mremap, a MAP_FIXED mapping over it): the pages stay pinned and the
 * device keeps using them, whatever the address now maps.
 *
 * On the rings, a call that names a registered buffer has
 * RPCDEV_ENTRY_BUFS in its DQ entry, and its DQ buffer starts with a
 * struct rpcdev_buf_desc (the request follows it when it is not in a
 * registered buffer). A device answers in place with RPCDEV_ENTRY_BUFS in
 * the DC entry. The DQ buffers are the program's to write, so a program
 * that rewrites a descriptor of a call in flight breaks only its own
 * calls: the device resolves an index and its bounds itself, under the
 * same rule that keeps it from a buffer being unregistered, and reaches
 * no memory that is not registered on the queue.
 */

/* RPCDEV_MAX_REG_BUFS - registered buffers per queue (indices 0..63). */
#define RPCDEV_MAX_REG_BUFS	64
/* RPCDEV_MAX_REG_BUF_SIZE - largest registered buffer, in bytes. */
#define RPCDEV_MAX_REG_BUF_SIZE	(256ULL << 20)

/**
 * struct rpcdev_buf_reg - argument of RPCDEV_IOC_BUF_REGISTER.
 * @addr:	in: user address of the buffer; page aligned. The memory
 *		must be mapped readable and writable, and be memory the
 *		kernel lets a driver pin for long (FOLL_LONGTERM): anonymous
 *		memory, shmem (memfd, MAP_SHARED|MAP_ANONYMOUS) and hugetlbfs
 *		are; a mapping of an ordinary file may not be.
 * @len:	in: its length in bytes: a multiple of the page size, from
 *		one page up to RPCDEV_MAX_REG_BUF_SIZE.
 * @flags:	in: zero.
 * @index:	out: the buffer's index, 0..RPCDEV_MAX_REG_BUFS-1, the lowest
 *		free one: what calls and RPCDEV_IOC_BUF_UNREGISTER name.
 * @reserved:	in: zero.
 */
struct rpcdev_buf_reg {
	__u64 addr;
	__u64 len;
	__u32 flags;
	__u32 index;
	__u64 reserved[2];
};

/**
 * struct rpcdev_buf_unreg - argument of RPCDEV_IOC_BUF_UNREGISTER.
 * @index:	in: the registered buffer to give back.
 * @flags:	in: zero.
 * @reserved:	in: zero.
 */
struct rpcdev_buf_unreg {
	__u32 index;
	__u32 flags;
	__u64 reserved[2];
};

/*
 * RPCDEV_BUF_DESC_SIZE - the bytes struct rpcdev_buf_desc takes at the
 * start of a DQ buffer, and where the request starts after it.
 */
#define RPCDEV_BUF_DESC_SIZE	64

/**
 * struct rpcdev_buf_desc - where a call's payloads are: written by the
 * kernel at the start of the call's DQ buffer, with RPCDEV_ENTRY_BUFS in
 * its DQ entry.
 * @flags:	RPCDEV_CALL_REQ_BUF, RPCDEV_CALL_RESP_BUF or both: which
 *		payloads are in registered buffers.
 * @req_buf:	(REQ_BUF) the request's buffer; its length is the DQ
 *		entry's len. Without REQ_BUF the request (len bytes) is in
 *		the DQ buffer at RPCDEV_BUF_DESC_SIZE.
 * @resp_buf:	(RESP_BUF) the buffer for the result.
 * @req_off:	(REQ_BUF) the request's byte offset in @req_buf.
 * @resp_off:	(RESP_BUF) the result's byte offset in @resp_buf.
 * @resp_cap:	(RESP_BUF) bytes of room there; a device writes no more.
 * @reserved:	zero.
 *
 * The kernel checked every buffer and bound before it posted the call; a
 * device checks them again, and answers RPCDEV_STATUS_BAD_REQUEST to a
 * descriptor it cannot resolve.
 */
struct rpcdev_buf_desc {
	__u32 flags;
	__u16 req_buf;
	__u16 resp_buf;
	__u64 req_off;
	__u64 resp_off;
	__u32 resp_cap;
	__u32 reserved[9];
};

/* RPCDEV_IOC_MAGIC - the ioctl type byte of every rpcdev ioctl. */
#define RPCDEV_IOC_MAGIC	0xb8

/*
 * RPCDEV_IOC_INFO - describe the device.
 *
 * Argument: struct rpcdev_info *, written by the kernel.
 * Returns 0, or -1 with errno:
 *	EFAULT	the argument points to memory that cannot be written;
 *	ENODEV	the device has been removed since the file was opened.
 * A lost device still answers it. Every other ioctl fails with EIO once
 * the device is lost. Any command number rpcdev does not know fails with ENOTTY.
 */
#define RPCDEV_IOC_INFO		_IOR(RPCDEV_IOC_MAGIC, 0x00, struct rpcdev_info)

/*
 * RPCDEV_IOC_QUEUE_ATTACH - make a queue this file's.
 *
 * Argument: struct rpcdev_queue_attach *, read and written.
 * Returns 0, or -1 with errno:
 *	EINVAL	qid >= nr_queues, an unknown flag or reserved set,
 *		RPCDEV_ATTACH_ASYNC_NOACK without RPCDEV_ATTACH_USER_RINGS
 *		or on a device without RPCDEV_FEAT_ASYNC_NOACK,
 *		RPCDEV_ATTACH_INLINE on a device without RPCDEV_FEAT_INLINE,
 *		depth not a power of two or above RPCDEV_MAX_DEPTH;
 *	E2BIG	buf_size above RPCDEV_MAX_PAYLOAD, or depth * buf_size
 *		above RPCDEV_MAX_BUFS;
 *	EBADF	the file was not opened for reading and writing
 *		(O_RDWR): a file opened O_RDONLY (or O_WRONLY) may only
 *		ask RPCDEV_IOC_INFO and poll(2) for the device's going, and
 *		every command that needs a queue fails on it as on a file
 *		without one;
 *	EBUSY	the queue belongs to another file;
 *	EALREADY this file already has a queue;
 *	ENOMEM	no memory for the rings;
 *	EFAULT, ENODEV as for RPCDEV_IOC_INFO.
 * The queue is released when the file is closed (all its mappings too).
 */
#define RPCDEV_IOC_QUEUE_ATTACH	_IOWR(RPCDEV_IOC_MAGIC, 0x01, struct rpcdev_queue_attach)

/*
 * RPCDEV_IOC_CALL - synchronous downcall on this file's queue; see struct
 * rpcdev_call for its errors.
 */
#define RPCDEV_IOC_CALL		_IOWR(RPCDEV_IOC_MAGIC, 0x02, struct rpcdev_call)

/*
 * RPCDEV_IOC_REPLY_AND_WAIT - serve upcalls: reply to one, wait for the
 * next, or both in one system call; see struct rpcdev_upcall.
 */
#define RPCDEV_IOC_REPLY_AND_WAIT _IOWR(RPCDEV_IOC_MAGIC, 0x03, struct rpcdev_upcall)

/*
 * RPCDEV_IOC_MBOX_POST - post a value in a host-to-device mailbox slot;
 * see struct rpcdev_mbox.
 */
#define RPCDEV_IOC_MBOX_POST	_IOWR(RPCDEV_IOC_MAGIC, 0x04, struct rpcdev_mbox)

/*
 * RPCDEV_IOC_MBOX_READ - take the oldest device-to-host mailbox message;
 * see struct rpcdev_mbox_msg.
 */
#define RPCDEV_IOC_MBOX_READ	_IOR(RPCDEV_IOC_MAGIC, 0x05, struct rpcdev_mbox_msg)

/*
 * RPCDEV_IOC_ENTER - ring the doorbell and/or wait, for queues the program
 * drives itself; see struct rpcdev_enter.
 */
#define RPCDEV_IOC_ENTER	_IOW(RPCDEV_IOC_MAGIC, 0x06, struct rpcdev_enter)

/*
 * RPCDEV_IOC_BUF_REGISTER - pin a buffer of the program's for calls on this
 * file's queue to use in place; see "Registered buffers".
 *
 * Argument: struct rpcdev_buf_reg *, read and written.
 * Returns 0 with the buffer's index in @index, or -1 with errno:
 *	EOPNOTSUPP the device lacks RPCDEV_FEAT_REG_BUFS;
 *	EINVAL	a reserved field or flag is set, no queue is attached or it
 *		was attached with RPCDEV_ATTACH_USER_RINGS, @len is 0, or
 *		@addr or @len is not a multiple of the page size;
 *	E2BIG	@len is above RPCDEV_MAX_REG_BUF_SIZE;
 *	ENOSPC	the queue has RPCDEV_MAX_REG_BUFS buffers already;
 *	EFAULT	the argument cannot be read or written, or a page of the
 *		buffer is not mapped readable and writable;
 *	ENOMEM	pinning it would pass RLIMIT_MEMLOCK, or no memory;
 *	EFAULT or EOPNOTSUPP also for memory the kernel does not let a
 *		driver pin for long (see @addr; which one is the kernel's);
 *	EINTR	a fatal signal came while the pages were faulted in;
 *	EIO, ENODEV as for every ioctl.
 * A buffer whose result could not be written back stays registered; the
 * caller learns of it from EFAULT and gets it back by closing the file.
 */
#define RPCDEV_IOC_BUF_REGISTER	_IOWR(RPCDEV_IOC_MAGIC, 0x07, struct rpcdev_buf_reg)

/*
 * RPCDEV_IOC_BUF_UNREGISTER - give a registered buffer back: the device
 * has no view of it any more, and its pages are unpinned.
 *
 * Argument: struct rpcdev_buf_unreg *, read.
 * Returns 0, or -1 with errno:
 *	EOPNOTSUPP the device lacks RPCDEV_FEAT_REG_BUFS;
 *	EINVAL	a reserved field or flag is set, or no queue is attached;
 *	ENOENT	@index names no registered buffer;
 *	EBUSY	a call that names it is in flight (see "Registered
 *		buffers"): nothing was done, try again once it ended;
 *	EFAULT, EIO, ENODEV as for every ioctl.
 * It does not wait: a program that gives a call up (a timeout, a signal)
 * and wants its buffer back waits for the device's answer, or closes the
 * file.
 */
#define RPCDEV_IOC_BUF_UNREGISTER _IOW(RPCDEV_IOC_MAGIC, 0x08, struct rpcdev_buf_unreg)

/*
 * io_uring commands
 * =================
 *
 * With RPCDEV_FEAT_URING_CMD, the work of RPCDEV_IOC_CALL,
 * RPCDEV_IOC_REPLY_AND_WAIT and RPCDEV_IOC_MBOX_READ can be submitted as
 * IORING_OP_URING_CMD on an io_uring, so one thread drives many queues of
 * many devices, and many operations, with one io_uring_enter(2) (or none,
 * with IORING_SETUP_SQPOLL). The SQE:
 *
 *	opcode		IORING_OP_URING_CMD
 *	fd		the file the queue is attached to (or a registered
 *			file with IOSQE_FIXED_FILE); the command works on
 *			that file's queue
 *	cmd_op		RPCDEV_URING_*
 *	cmd		struct rpcdev_uring_cmd (the first 16 bytes of the
 *			command area: the normal 64-byte SQE is enough, and
 *			a ring set up with IORING_SETUP_SQE128 works too)
 *	user_data	the program's, as for any SQE
 *
 * and every other field zero. The kernel reads the command area once, when
 * the command is issued. The argument at struct rpcdev_uring_cmd.addr is
 * the ioctl's, read when the command is issued and written before its CQE
 * is posted: it must stay valid (and unchanged) until the CQE comes. A
 * command's CQE res is 0 or a negative errno, as the ioctl's return would
 * be (-errno for -1 with errno); the ioctl's errors apply, and:
 *
 *	ENOTTY	cmd_op is no RPCDEV_URING_* command;
 *	EINVAL	a reserved field or the flags of struct rpcdev_uring_cmd
 *		are not zero, the file has no queue, or its queue was
 *		attached with RPCDEV_ATTACH_USER_RINGS (a program driving the
 *		rings itself waits with RPCDEV_IOC_ENTER, the kernel never
 *		touches its rings); the timeout_ns of a FETCH or COMMIT
 *		that is not zero (a server's command waits until an upcall
 *		comes; an IORING_OP_LINK_TIMEOUT cannot end it either, see
 *		below: wait for the CQE with a timeout, and close the ring
 *		to give up);
 *	ETIMEDOUT a RPCDEV_URING_CALL's timeout_ns passed without the
 *		device's answer: its slot is abandoned to the device as
 *		RPCDEV_IOC_CALL's is;
 *	ECANCELED the command's ring was closed, or its task exited, before
 *		it completed: a call's slot is then abandoned to the device
 *		as for a call interrupted by a signal, an upcall taken for a
 *		command whose server can no longer learn of it is answered
 *		RPCDEV_STATUS_NO_SERVER;
 *	ENODEV, EIO the device was removed, or lost, while the command
 *		waited: it completes at once with that error.
 *
 * IORING_OP_ASYNC_CANCEL does not reach these commands (io_uring does not
 * pass it on to a file's commands on the kernels rpcdev supports: it gives
 * ENOENT); closing the ring, or the task's exit, ends them. On 6.12 that
 * is at once; on 6.1, whose io_uring has no way to tell a driver, the
 * kernel looks at pending commands every 50 ms and ends those of a closed
 * ring or an exiting task then. Upcalls a server took and did not answer
 * are answered RPCDEV_STATUS_NO_SERVER when the file is closed (and so
 * when its process dies), as for RPCDEV_IOC_REPLY_AND_WAIT.
 *
 * A command completes in the task that submitted it (io_uring's task
 * work). On a ring set up without IORING_SETUP_DEFER_TASKRUN that work
 * interrupts the task as a signal would, so a wait of the same thread in
 * an rpcdev ioctl may then end with EINTR: keep a thread's ring and its
 * waiting ioctls apart, or set the ring up with IORING_SETUP_DEFER_TASKRUN.
 * Closing a ring interrupts each thread that submitted to it so, once,
 * whatever its flags.
 *
 * RPCDEV_URING_CALL:	a synchronous downcall, as RPCDEV_IOC_CALL: addr
 *			points to struct rpcdev_call. The request is copied
 *			into the slot's DQ buffer at the issue; when the
 *			device answers, its payload is copied to resp and
 *			resp_len, status and res_flags are written, then the
 *			CQE is posted. A timeout_ns that is not zero ends the
 *			call with ETIMEDOUT once that long has passed from
 *			the issue (to within a jiffy or so). Registered
 *			buffers work as for the ioctl. Up to depth calls
 *			may be in flight on a queue (then EAGAIN).
 * RPCDEV_URING_UPCALL_FETCH: wait for the next upcall, as
 *			RPCDEV_IOC_REPLY_AND_WAIT with RPCDEV_UPCALL_WAIT:
 *			addr points to struct rpcdev_upcall with flags
 *			RPCDEV_UPCALL_WAIT (and timeout_ns zero); id,
 *			method, len, entry_flags and tag are written before
 *			the CQE. A server submits one per upcall it wants to
 *			hold at once; they are given upcalls in the order
 *			they were submitted.
 * RPCDEV_URING_UPCALL_COMMIT: answer one upcall and wait for the next
 *			(ublk's COMMIT_AND_FETCH): struct rpcdev_upcall with
 *			flags RPCDEV_UPCALL_REPLY | RPCDEV_UPCALL_WAIT and
 *			the reply_* fields as for the ioctl. The reply is sent
 *			when the command is issued; if it is refused the CQE
 *			comes at once with the error and nothing is waited
 *			for, else the command waits as a FETCH.
 * RPCDEV_URING_MBOX_WAIT: wait for a device-to-host mailbox message and
 *			take it, as RPCDEV_IOC_MBOX_READ: addr points to
 *			struct rpcdev_mbox_msg, written before the CQE. One
 *			message per command; submit one per message to wait
 *			for.
 */

/**
 * struct rpcdev_uring_cmd - the command area of an rpcdev io_uring command.
 * @addr:	in: user address of the command's argument (see above).
 * @flags:	in: zero.
 * @reserved:	in: zero.
 */
struct rpcdev_uring_cmd {
	__u64 addr;
	__u32 flags;
	__u32 reserved;
};

#define RPCDEV_URING_CALL		_IOWR(RPCDEV_IOC_MAGIC, 0x40, struct rpcdev_uring_cmd)
#define RPCDEV_URING_UPCALL_FETCH	_IOWR(RPCDEV_IOC_MAGIC, 0x41, struct rpcdev_uring_cmd)
#define RPCDEV_URING_UPCALL_COMMIT	_IOWR(RPCDEV_IOC_MAGIC, 0x42, struct rpcdev_uring_cmd)
#define RPCDEV_URING_MBOX_WAIT		_IOWR(RPCDEV_IOC_MAGIC, 0x43, struct rpcdev_uring_cmd)

#endif /* _UAPI_LINUX_RPCDEV_H */
