/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rpcdev_ivshmem: the contract between the PCI driver rpcdev_ivshmem.ko
 * and the firmware of its device.
 *
 * The device is QEMU's ivshmem-doorbell (PCI vendor 0x1af4, device 0x1110,
 * revision 1): BAR0 holds its registers, BAR1 its MSI-X table, BAR2 the
 * shared memory. Its firmware is a separate program on the other side of
 * the PCI boundary (the reference firmware runs on the host beside QEMU and
 * is also the ivshmem server): all it can reach is BAR2 and the doorbell
 * eventfds, as a soft CPU on an FPGA reaches only its own memory and its
 * interrupt lines. This header says what lives where in BAR2 and how the
 * two sides signal each other. The rings and payload buffers of a queue
 * inside BAR2 are exactly those of linux/rpcdev.h; the methods the
 * reference firmware answers are those of linux/rpcdev_sim.h.
 *
 * Every field is little-endian, of fixed width, naturally aligned; padding
 * is explicit, written zero and ignored on read. Each structure says which
 * side writes it; the other side only reads it. Nothing in BAR2 is to be
 * trusted by the side that reads it: the driver reads each firmware-written
 * word once into a local copy and checks it before use (see "What the
 * driver checks" below), and the firmware does the same with what the
 * driver and user space write.
 *
 * BAR0 registers (QEMU's docs/specs/ivshmem-spec.rst), 32-bit accesses:
 *
 *	0x00	Interrupt Mask	reserved with MSI-X (revision 1)
 *	0x04	Interrupt Status reserved with MSI-X (revision 1)
 *	0x08	IVPosition	read-only: the guest's own peer id
 *	0x0c	Doorbell	write-only: (peer << 16) | vector interrupts
 *				vector of peer
 *
 * BAR2 layout:
 *
 *	0				struct rpcdev_ivshmem_hdr (firmware)
 *	RPCDEV_IVSHMEM_DRV_OFF		struct rpcdev_ivshmem_drv (driver)
 *	hdr.queue_off + q * hdr.queue_stride	queue q's region, q below
 *					hdr.nr_queues, hdr.queue_size bytes:
 *	  + 0				struct rpcdev_ivshmem_qcfg (driver)
 *	  + RPCDEV_IVSHMEM_QACK_OFF	struct rpcdev_ivshmem_qack (firmware)
 *	  + qcfg.part_off[p]		part p of the queue's memory, as
 *					linux/rpcdev.h maps it at the mmap
 *					offsets RPCDEV_OFF_DEV (p = 0),
 *					_DC_BUF, _UQ_BUF, _HOST, _DQ_BUF,
 *					_UR_BUF (p = 5); placed by the driver.
 *
 * Parts 0-2 (the device area: struct rpcdev_dev_ctrl with the DC and UQ
 * rings, and the DC and UQ payload buffers) are written by the firmware;
 * parts 3-5 (struct rpcdev_host_ctrl with the DQ and UR rings, the DQ and
 * UR payload buffers) by the host: the driver, the rpcdev core, and the
 * program the queue is mapped into. The core maps them into that program
 * with the read-only/writable split of linux/rpcdev.h, so every part starts
 * on a page of the guest; the header, the driver block and the queue
 * control pages are never mapped to user space.
 *
 * Interrupts, firmware to guest (MSI-X; the firmware writes the guest
 * peer's eventfd of the vector):
 *
 *	vector q, q < nr_queues		queue q: a new DC, UQ or device-to-host
 *					mailbox entry the host asked to be
 *					woken for (struct rpcdev_host_ctrl
 *					.flags), as rpcdev_queue_interrupt()
 *	vector nr_queues		control: a queue acknowledgment
 *					(struct rpcdev_ivshmem_qack) or a
 *					change of hdr.fw_state
 *
 * Doorbells, guest to firmware (the driver writes BAR0 Doorbell with
 * (hdr.fw_peer << 16) | vector):
 *
 *	vector q, q < nr_queues		queue q: the host posted on DQ or UR
 *					while the firmware slept
 *					(RPCDEV_DEV_NEED_DOORBELL)
 *	vector nr_queues		control: the driver wrote a request in
 *					struct rpcdev_ivshmem_drv or in a
 *					queue's struct rpcdev_ivshmem_qcfg
 *
 * QEMU's vectors=N property sets how many eventfds each peer has in both
 * directions: N = hdr.nr_vectors = nr_queues + 1 (RPCDEV_IVSHMEM_VECTORS()).
 *
 * Peer ids: the guest's own id is its IVPosition register (the ivshmem
 * server chose it). The firmware's id, the one the driver rings, is
 * hdr.fw_peer, written by the firmware; the firmware interrupts the peer
 * the driver names in struct rpcdev_ivshmem_drv.drv_peer, and no other.
 *
 * Starting the device: the firmware fills the header while hdr.fw_state is
 * RPCDEV_IVSHMEM_FW_OFF (the memory starts zeroed), then writes the magic
 * and the version, a write barrier, and RPCDEV_IVSHMEM_FW_READY. The driver
 * waits for READY (it may find it already there: the firmware runs before
 * QEMU starts), checks the header, writes struct rpcdev_ivshmem_drv with a
 * new drv_gen and rings the control doorbell; the firmware then stops every
 * queue (a driver loaded anew finds none running), acknowledges with
 * fw_drv_gen = drv_gen and raises the control vector.
 *
 * Starting a queue: while it is stopped, the driver zeroes its six parts
 * and writes its struct rpcdev_ivshmem_qcfg (the queue's shape and where
 * the parts lie); then a write barrier, then request
 * RPCDEV_IVSHMEM_QREQ_START and a new generation in one 64-bit store
 * (qcfg.req); then it rings the control doorbell and waits for the control
 * vector until qack.generation equals its generation. Stopping is the
 * same with RPCDEV_IVSHMEM_QREQ_STOP: once acknowledged, the firmware reads
 * and writes nothing of the queue's parts and raises no interrupt for it;
 * it answers nothing it still owed (the core fails those calls itself).
 * A firmware that does not acknowledge within RPCDEV_IVSHMEM_ACK_MS is
 * dead (see hdr.heartbeat): the driver fails the request (-ETIMEDOUT for
 * a start; a stop completes, as the memory is the device's own and a late
 * write lands in BAR2, never in the guest's memory) and marks the device
 * dead.
 *
 * What the driver checks (all of it, before it trusts the device):
 *  - at probe: magic, version (equal to RPCDEV_IVSHMEM_VERSION), fw_state
 *    READY, unknown features ignored, reserved words not relied on;
 *    1 <= nr_queues <= RPCDEV_MAX_QUEUES, nr_vectors equal to
 *    RPCDEV_IVSHMEM_VECTORS(nr_queues) and at most the MSI-X vectors the
 *    device offers; shm_size equal to BAR2's size; queue_off, queue_stride
 *    and queue_size multiples of RPCDEV_IVSHMEM_ALIGN (and of the guest's
 *    page size), queue_off >= RPCDEV_IVSHMEM_HDR_SIZE,
 *    RPCDEV_IVSHMEM_QPAGE_SIZE < queue_size <= queue_stride, and
 *    queue_off + nr_queues * queue_stride <= shm_size, computed without
 *    overflow; fw_peer < 65536 and different from IVPosition. It copies
 *    what it uses and never reads those fields again.
 *  - at queue start: that the layout the core asked for fits queue_size
 *    after the control page (else -ENOMEM for the attach); qack.state
 *    RPCDEV_IVSHMEM_QS_RUNNING with error 0 for its generation, else the
 *    start fails (-EIO); a qack with a generation it did not ask for is
 *    ignored.
 *  - always: the rings as linux/rpcdev.h says (indices, ids, lengths and
 *    seq tags read once and range-checked; a bad entry fails its call,
 *    never another queue); an interrupt it did not ask for costs a look at
 *    the ring, nothing more, and a storm of them is counted and survived.
 */
#ifndef _UAPI_LINUX_RPCDEV_IVSHMEM_H
#define _UAPI_LINUX_RPCDEV_IVSHMEM_H

#include <linux/types.h>
#include <linux/rpcdev.h>

/* The PCI ids of QEMU's ivshmem device. */
#define RPCDEV_IVSHMEM_VENDOR		0x1af4
#define RPCDEV_IVSHMEM_DEVICE		0x1110
#define RPCDEV_IVSHMEM_REVISION		1

/* BAR0 register offsets. */
#define RPCDEV_IVSHMEM_REG_INTRMASK	0x00
#define RPCDEV_IVSHMEM_REG_INTRSTATUS	0x04
#define RPCDEV_IVSHMEM_REG_IVPOSITION	0x08
#define RPCDEV_IVSHMEM_REG_DOORBELL	0x0c

/* RPCDEV_IVSHMEM_DOORBELL() - the Doorbell value that rings @vec of @peer. */
#define RPCDEV_IVSHMEM_DOORBELL(peer, vec) \
	((__u32)(((peer) & 0xffff) << 16 | ((vec) & 0xffff)))

/* RPCDEV_IVSHMEM_MAGIC - hdr.magic: "RPCI" in memory order. */
#define RPCDEV_IVSHMEM_MAGIC		0x49435052U

/*
 * RPCDEV_IVSHMEM_VERSION - hdr.version. Bumped for a change an old driver
 * could misread; additions it can ignore come with a feature bit instead.
 */
#define RPCDEV_IVSHMEM_VERSION		1

/*
 * RPCDEV_IVSHMEM_ALIGN - alignment of every queue region and of every part
 * inside one: 64 KiB, so a guest with pages up to that size can map each
 * part on its own.
 */
#define RPCDEV_IVSHMEM_ALIGN		0x10000ULL

/* RPCDEV_IVSHMEM_HDR_SIZE - bytes at the start of BAR2 before any queue. */
#define RPCDEV_IVSHMEM_HDR_SIZE		0x10000ULL

/* RPCDEV_IVSHMEM_DRV_OFF - offset of struct rpcdev_ivshmem_drv in BAR2. */
#define RPCDEV_IVSHMEM_DRV_OFF		0x1000ULL

/*
 * RPCDEV_IVSHMEM_QPAGE_SIZE - bytes at the start of each queue region that
 * hold its control structures; the parts come after.
 */
#define RPCDEV_IVSHMEM_QPAGE_SIZE	RPCDEV_IVSHMEM_ALIGN

/* RPCDEV_IVSHMEM_QACK_OFF - struct rpcdev_ivshmem_qack in its region. */
#define RPCDEV_IVSHMEM_QACK_OFF		0x1000ULL

/* RPCDEV_IVSHMEM_VECTORS() - interrupt vectors, each way, for @nr queues. */
#define RPCDEV_IVSHMEM_VECTORS(nr)	((nr) + 1)

/* RPCDEV_IVSHMEM_CTRL_VECTOR() - the control vector, for @nr queues. */
#define RPCDEV_IVSHMEM_CTRL_VECTOR(nr)	(nr)

/*
 * RPCDEV_IVSHMEM_HEARTBEAT_MS - the firmware bumps hdr.heartbeat at least
 * this often while it runs, busy or idle.
 * RPCDEV_IVSHMEM_DEAD_MS - a driver that sees the heartbeat stand still
 * this long (or fw_state leave READY) takes the firmware for dead.
 * RPCDEV_IVSHMEM_ACK_MS - how long the driver waits for an acknowledgment
 * of a request before it takes the firmware for dead.
 */
#define RPCDEV_IVSHMEM_HEARTBEAT_MS	50
#define RPCDEV_IVSHMEM_DEAD_MS		1000
#define RPCDEV_IVSHMEM_ACK_MS		2000

/*
 * Firmware states, in hdr.fw_state.
 *
 * RPCDEV_IVSHMEM_FW_OFF:	no firmware (yet): zeroed memory.
 * RPCDEV_IVSHMEM_FW_READY:	the header is valid and the firmware serves
 *				requests.
 * RPCDEV_IVSHMEM_FW_STOPPED:	the firmware shut down in order: it touches
 *				no queue any more and answers nothing. Every
 *				call in flight is lost (-ENODEV).
 * RPCDEV_IVSHMEM_FW_FAILED:	the firmware met an error it cannot recover
 *				from; as STOPPED.
 */
#define RPCDEV_IVSHMEM_FW_OFF		0
#define RPCDEV_IVSHMEM_FW_READY		1
#define RPCDEV_IVSHMEM_FW_STOPPED	2
#define RPCDEV_IVSHMEM_FW_FAILED	3

/*
 * Feature bits, in hdr.features: what this firmware does beyond version 1.
 *
 * RPCDEV_IVSHMEM_F_HEARTBEAT:	hdr.heartbeat moves (RPCDEV_IVSHMEM_HEARTBEAT_MS);
 *				without it a driver cannot tell a dead
 *				firmware from an idle one, and relies on
 *				timeouts alone.
 * RPCDEV_IVSHMEM_F_ASYNC_NOACK: queues may be started with
 *				RPCDEV_ATTACH_ASYNC_NOACK (the driver then
 *				offers RPCDEV_FEAT_ASYNC_NOACK).
 * RPCDEV_IVSHMEM_F_SIM_METHODS: the firmware answers the methods of
 *				linux/rpcdev_sim.h.
 * RPCDEV_IVSHMEM_F_HOSTILE:	a test firmware that breaks the protocol on
 *				purpose (corrupt indices, lengths, ids, seq
 *				tags; interrupt storms). Only for tests to
 *				know what to expect: a driver never relies
 *				on it (a hostile device need not say so).
 * RPCDEV_IVSHMEM_F_TEST_METHODS: the firmware answers the
 *				RPCDEV_IVSHMEM_TEST_* methods below.
 * RPCDEV_IVSHMEM_F_INLINE:	queues may be started with
 *				RPCDEV_ATTACH_INLINE: entries of struct
 *				rpcdev_entry_inline, small payloads in them
 *				(the driver then offers RPCDEV_FEAT_INLINE).
 */
#define RPCDEV_IVSHMEM_F_HEARTBEAT	(1ULL << 0)
#define RPCDEV_IVSHMEM_F_ASYNC_NOACK	(1ULL << 1)
#define RPCDEV_IVSHMEM_F_SIM_METHODS	(1ULL << 2)
#define RPCDEV_IVSHMEM_F_HOSTILE	(1ULL << 3)
#define RPCDEV_IVSHMEM_F_TEST_METHODS	(1ULL << 4)
#define RPCDEV_IVSHMEM_F_INLINE		(1ULL << 5)

/**
 * struct rpcdev_ivshmem_hdr - the device header at offset 0 of BAR2,
 * written by the firmware.
 * @magic:	RPCDEV_IVSHMEM_MAGIC.
 * @version:	RPCDEV_IVSHMEM_VERSION.
 * @features:	RPCDEV_IVSHMEM_F_* bits.
 * @nr_queues:	queue pairs, 1..RPCDEV_MAX_QUEUES.
 * @nr_vectors:	interrupt vectors each way: RPCDEV_IVSHMEM_VECTORS(nr_queues).
 * @shm_size:	bytes of the shared memory (BAR2's size, a power of two).
 * @queue_off:	offset of queue 0's region.
 * @queue_stride: distance between two queues' regions.
 * @queue_size:	bytes of each region: its control page
 *		(RPCDEV_IVSHMEM_QPAGE_SIZE) and room for the parts.
 * @fw_peer:	the firmware's ivshmem peer id, the one the driver rings.
 * @pad0:	zero.
 * @fw_name:	the firmware's name and version, NUL-terminated, for logs.
 * @reserved0:	zero.
 * @fw_state:	RPCDEV_IVSHMEM_FW_*, alone on its cache line with the
 *		heartbeat: the only words the driver reads again after probe.
 * @pad1:	zero.
 * @heartbeat:	bumped at least every RPCDEV_IVSHMEM_HEARTBEAT_MS while the
 *		firmware runs (RPCDEV_IVSHMEM_F_HEARTBEAT); its value means
 *		nothing, only that it moves.
 * @fw_drv_gen:	the last struct rpcdev_ivshmem_drv.drv_gen the firmware
 *		acted on.
 * @pad2:	zero.
 * @reserved1:	zero.
 */
struct rpcdev_ivshmem_hdr {
	__u32 magic;
	__u32 version;
	__u64 features;
	__u32 nr_queues;
	__u32 nr_vectors;
	__u64 shm_size;
	__u64 queue_off;
	__u64 queue_stride;
	__u64 queue_size;
	__u32 fw_peer;
	__u32 pad0;
	char fw_name[32];
	__u64 reserved0[4];
	/* 128: what the firmware changes while it runs. */
	__u32 fw_state;
	__u32 pad1;
	__u64 heartbeat;
	__u32 fw_drv_gen;
	__u32 pad2;
	__u64 reserved1[5];
};

/*
 * Driver requests, in struct rpcdev_ivshmem_drv.drv_state.
 *
 * RPCDEV_IVSHMEM_DRV_DOWN:	no driver: the firmware stops every queue.
 * RPCDEV_IVSHMEM_DRV_UP:	a driver runs and takes interrupts at
 *				drv_peer; the firmware stops every queue
 *				that a former driver left running.
 */
#define RPCDEV_IVSHMEM_DRV_DOWN		0
#define RPCDEV_IVSHMEM_DRV_UP		1

/**
 * struct rpcdev_ivshmem_drv - the driver's block at RPCDEV_IVSHMEM_DRV_OFF
 * in BAR2, written by the driver.
 * @drv_state:	RPCDEV_IVSHMEM_DRV_*.
 * @drv_peer:	the guest's peer id (its IVPosition): the only peer the
 *		firmware interrupts.
 * @drv_gen:	bumped with every change of this block, written last (after
 *		a write barrier); the firmware acknowledges it in
 *		hdr.fw_drv_gen and raises the control vector. A driver
 *		counts on from the hdr.fw_drv_gen it finds (an earlier
 *		driver's, or 0 in fresh memory), so that its first change
 *		is a new one.
 * @pad:	zero.
 * @reserved:	zero.
 */
struct rpcdev_ivshmem_drv {
	__u32 drv_state;
	__u32 drv_peer;
	__u32 drv_gen;
	__u32 pad;
	__u64 reserved[6];
};

/*
 * Queue requests, in the low 32 bits of struct rpcdev_ivshmem_qcfg.req.
 *
 * RPCDEV_IVSHMEM_QREQ_STOP:	stop the queue (and the state after a
 *				reset: zeroed memory asks for nothing).
 * RPCDEV_IVSHMEM_QREQ_START:	start it with the configuration in the
 *				rest of struct rpcdev_ivshmem_qcfg.
 */
#define RPCDEV_IVSHMEM_QREQ_STOP	0
#define RPCDEV_IVSHMEM_QREQ_START	1

/* RPCDEV_IVSHMEM_QREQ() - a qcfg.req word: @req with generation @gen. */
#define RPCDEV_IVSHMEM_QREQ(req, gen)	((__u64)(gen) << 32 | (__u32)(req))
#define RPCDEV_IVSHMEM_QREQ_CODE(w)	((__u32)(w))
#define RPCDEV_IVSHMEM_QREQ_GEN(w)	((__u32)((w) >> 32))

/*
 * RPCDEV_IVSHMEM_QCFG_FLAGS - the RPCDEV_ATTACH_* bits qcfg.attach_flags
 * may carry: how the host drives the rings, which the firmware must know
 * (RPCDEV_ATTACH_ASYNC_NOACK changes how async upcall slots come back,
 * RPCDEV_ATTACH_INLINE the size of every entry and where small payloads
 * are).
 */
#define RPCDEV_IVSHMEM_QCFG_FLAGS \
	(RPCDEV_ATTACH_USER_RINGS | RPCDEV_ATTACH_TIMESTAMPS | \
	 RPCDEV_ATTACH_ASYNC_NOACK | RPCDEV_ATTACH_INLINE)

/**
 * struct rpcdev_ivshmem_qcfg - a queue's configuration, at offset 0 of its
 * region, written by the driver.
 * @req:	RPCDEV_IVSHMEM_QREQ(request, generation), written last with
 *		one 64-bit store after a write barrier; the generation is
 *		bumped with every request, so the firmware tells a new one
 *		from one it has acted on. A driver counts on from the
 *		qack.generation it finds (0 in fresh memory).
 * @depth:	entries per ring and call slots per direction: a power of
 *		two, 1..RPCDEV_MAX_DEPTH.
 * @buf_size:	bytes of each payload buffer: a multiple of 64, at most
 *		RPCDEV_MAX_PAYLOAD, depth * buf_size at most RPCDEV_MAX_BUFS.
 * @attach_flags: the queue's RPCDEV_ATTACH_* bits, within
 *		RPCDEV_IVSHMEM_QCFG_FLAGS.
 * @pad:	zero.
 * @part_off:	where part p (linux/rpcdev.h's order: DEV, DC_BUF, UQ_BUF,
 *		HOST, DQ_BUF, UR_BUF) starts, from the start of the region:
 *		a multiple of RPCDEV_IVSHMEM_ALIGN, at least
 *		RPCDEV_IVSHMEM_QPAGE_SIZE.
 * @part_size:	its bytes. Parts must not overlap and must end within
 *		queue_size; each must hold what linux/rpcdev.h puts in it.
 * @dc_off:	offset of the DC ring in part 0, after struct rpcdev_dev_ctrl.
 * @uq_off:	offset of the UQ ring in part 0.
 * @dq_off:	offset of the DQ ring in part 3, after struct rpcdev_host_ctrl.
 * @ur_off:	offset of the UR ring in part 3. Rings are 64-byte aligned,
 *		depth entries each (of struct rpcdev_entry, or of struct
 *		rpcdev_entry_inline with RPCDEV_ATTACH_INLINE), and do not
 *		overlap their control structure or each other.
 * @reserved:	zero.
 *
 * The driver zeroes all six parts before a start, while the firmware
 * touches none of them: both sides begin at index 0, no seq tag of an
 * earlier run is taken for a new entry, and no byte an earlier owner of
 * the queue left reaches the next one. The firmware reads the
 * configuration once, after the req word that announced it, and checks
 * every field; a start it refuses is acknowledged with
 * RPCDEV_IVSHMEM_QS_FAILED and an error code.
 */
struct rpcdev_ivshmem_qcfg {
	__u64 req;
	__u32 depth;
	__u32 buf_size;
	__u32 attach_flags;
	__u32 pad;
	__u64 part_off[6];
	__u64 part_size[6];
	__u64 dc_off;
	__u64 uq_off;
	__u64 dq_off;
	__u64 ur_off;
	__u64 reserved[8];
};

/*
 * Queue states, in struct rpcdev_ivshmem_qack.state.
 *
 * RPCDEV_IVSHMEM_QS_STOPPED:	the firmware touches none of the queue's
 *				parts and raises no interrupt for it.
 * RPCDEV_IVSHMEM_QS_RUNNING:	started; the firmware serves its rings.
 * RPCDEV_IVSHMEM_QS_FAILED:	a start was refused (see the error); the
 *				queue is stopped.
 */
#define RPCDEV_IVSHMEM_QS_STOPPED	0
#define RPCDEV_IVSHMEM_QS_RUNNING	1
#define RPCDEV_IVSHMEM_QS_FAILED	2

/*
 * Why a start was refused, in struct rpcdev_ivshmem_qack.error.
 *
 * RPCDEV_IVSHMEM_QERR_NONE:	no error.
 * RPCDEV_IVSHMEM_QERR_INVAL:	depth, buf_size, attach_flags, pad, a
 *				reserved word or the request code is wrong.
 * RPCDEV_IVSHMEM_QERR_RANGE:	a part or ring lies outside its place, is
 *				too small, misaligned, or overlaps another.
 * RPCDEV_IVSHMEM_QERR_NOMEM:	the firmware has no memory for the queue's
 *				state.
 * RPCDEV_IVSHMEM_QERR_FEATURE:	a flag asks for what the firmware lacks
 *				(RPCDEV_ATTACH_ASYNC_NOACK without
 *				RPCDEV_IVSHMEM_F_ASYNC_NOACK,
 *				RPCDEV_ATTACH_INLINE without
 *				RPCDEV_IVSHMEM_F_INLINE).
 */
#define RPCDEV_IVSHMEM_QERR_NONE	0
#define RPCDEV_IVSHMEM_QERR_INVAL	1
#define RPCDEV_IVSHMEM_QERR_RANGE	2
#define RPCDEV_IVSHMEM_QERR_NOMEM	3
#define RPCDEV_IVSHMEM_QERR_FEATURE	4

/**
 * struct rpcdev_ivshmem_qack - the firmware's answer to a queue request, at
 * RPCDEV_IVSHMEM_QACK_OFF in the queue's region, written by the firmware.
 * @generation:	the generation of the last request acted on, written last
 *		(after a write barrier), then the control vector is raised.
 * @state:	RPCDEV_IVSHMEM_QS_*.
 * @error:	RPCDEV_IVSHMEM_QERR_* for a refused start, else 0.
 * @pad:	zero.
 * @reserved:	zero.
 */
struct rpcdev_ivshmem_qack {
	__u32 generation;
	__u32 state;
	__u32 error;
	__u32 pad;
	__u64 reserved[6];
};

/*
 * Test methods of the reference firmware (scripts/ivshmem/), answered only
 * when it runs with --test-methods, so that tests in the guest can make
 * the device misbehave at a moment they choose. Request payloads are
 * little-endian; each method answers at once with status
 * RPCDEV_STATUS_OK and an empty payload, and acts @delay_ms later.
 *
 * RPCDEV_IVSHMEM_TEST_KILL:	struct rpcdev_ivshmem_test: the firmware
 *				process kills itself (SIGKILL: no word of
 *				BAR2 changes any more, the heartbeat stops,
 *				no interrupt comes), as a crashed soft CPU.
 * RPCDEV_IVSHMEM_TEST_MUTE:	struct rpcdev_ivshmem_test: the firmware
 *				stops serving every queue (no answer, no
 *				upcall, no interrupt) but its heartbeat goes
 *				on, as a wedged core whose watchdog still
 *				ticks.
 * RPCDEV_IVSHMEM_TEST_UNPLUG:	struct rpcdev_ivshmem_test: the firmware
 *				asks QEMU (QMP device_del, --qmp) to remove
 *				the PCI device from the running guest.
 * RPCDEV_IVSHMEM_TEST_HOSTILE: struct rpcdev_ivshmem_test, @arg 1 or 0:
 *				the queue the call came on turns hostile
 *				(see RPCDEV_IVSHMEM_F_HOSTILE) or well-behaved
 *				again; other queues are not touched.
 * RPCDEV_IVSHMEM_TEST_FAULT:	struct rpcdev_ivshmem_fault: arm one of the
 *				firmware's faults on the queue the call came
 *				on, from the next call that queue takes (the
 *				arming call's own answer is never broken);
 *				at once, with no delay. A queue starts with
 *				none armed.
 */
#define RPCDEV_IVSHMEM_TEST_KILL	0x7e000001
#define RPCDEV_IVSHMEM_TEST_MUTE	0x7e000002
#define RPCDEV_IVSHMEM_TEST_UNPLUG	0x7e000003
#define RPCDEV_IVSHMEM_TEST_HOSTILE	0x7e000004
#define RPCDEV_IVSHMEM_TEST_FAULT	0x7e000005

/**
 * struct rpcdev_ivshmem_test - request of the RPCDEV_IVSHMEM_TEST_* methods.
 * @delay_ms:	how long after the answer the firmware acts (at most 60 s).
 * @arg:	RPCDEV_IVSHMEM_TEST_HOSTILE: 1 to turn hostile, 0 to stop;
 *		zero for the others.
 */
struct rpcdev_ivshmem_test {
	__u32 delay_ms;
	__u32 arg;
};

/*
 * The firmware's faults, for RPCDEV_IVSHMEM_TEST_FAULT (rpcdev_sim arms the
 * same ones through its debugfs fault files). Each is taken by the next
 * answers to downcalls it applies to; a @value of 0 disarms.
 *
 * RPCDEV_IVSHMEM_FAULT_DROP_REPLY:	@value answers are never posted.
 * RPCDEV_IVSHMEM_FAULT_DELAY_REPLY:	the next answer is posted @value
 *					microseconds late (at most 60 s).
 * RPCDEV_IVSHMEM_FAULT_REPLY_TWICE:	@value answers are posted twice.
 * RPCDEV_IVSHMEM_FAULT_BAD_TAG:	@value answers carry a tag that is not
 *					their call's,
 * RPCDEV_IVSHMEM_FAULT_BAD_ID:		an id past the queue's depth,
 * RPCDEV_IVSHMEM_FAULT_BAD_SEQ:	a seq that is not their position's,
 * RPCDEV_IVSHMEM_FAULT_LONG_REPLY:	a length past the queue's buffers (an
 *					answer that would go inline:
 *					RPCDEV_ENTRY_INLINE with a length
 *					past RPCDEV_INLINE_MAX).
 * RPCDEV_IVSHMEM_FAULT_BAD_DC_PROD:	@value DC producer indices published
 *					are ones no device could produce.
 * RPCDEV_IVSHMEM_FAULT_STALL:		the firmware stops @value
 *					microseconds (at most 60 s) after it
 *					takes the next call off DQ.
 */
#define RPCDEV_IVSHMEM_FAULT_DROP_REPLY		0
#define RPCDEV_IVSHMEM_FAULT_DELAY_REPLY	1
#define RPCDEV_IVSHMEM_FAULT_REPLY_TWICE	2
#define RPCDEV_IVSHMEM_FAULT_BAD_TAG		3
#define RPCDEV_IVSHMEM_FAULT_BAD_ID		4
#define RPCDEV_IVSHMEM_FAULT_BAD_SEQ		5
#define RPCDEV_IVSHMEM_FAULT_LONG_REPLY		6
#define RPCDEV_IVSHMEM_FAULT_BAD_DC_PROD	7
#define RPCDEV_IVSHMEM_FAULT_STALL		8
#define RPCDEV_IVSHMEM_NR_FAULTS		9

/**
 * struct rpcdev_ivshmem_fault - request of RPCDEV_IVSHMEM_TEST_FAULT.
 * @fault:	RPCDEV_IVSHMEM_FAULT_*.
 * @pad:	zero.
 * @value:	shots, or microseconds, as the fault says; 0 disarms.
 */
struct rpcdev_ivshmem_fault {
	__u32 fault;
	__u32 pad;
	__u64 value;
};

#endif /* _UAPI_LINUX_RPCDEV_IVSHMEM_H */
