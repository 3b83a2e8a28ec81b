/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rpcdev-ivshmem-fw: the firmware of rpcdev_ivshmem.ko's device and the
 * ivshmem server QEMU's ivshmem-doorbell device connects to.
 *
 *	main.c		options, the log, the main loop
 *	server.c	the ivshmem server: UNIX socket, memfd, eventfds
 *	device.c	BAR2's header, the driver's and queues' requests,
 *			one thread per running queue
 *	env.c		the portable firmware's environment (kmod/fw/fw_env.h)
 *			and this firmware's own methods (test methods,
 *			the hostile mode)
 *	qmp.c		QMP device_del, for RPCDEV_IVSHMEM_TEST_UNPLUG
 *	tcp.c		the TCP echo (--tcp-echo), the bench's TCP baseline
 *
 * The firmware's logic itself is kmod/fw/, the same files rpcdev_sim.ko is
 * built from. The contract with the driver is linux/rpcdev_ivshmem.h.
 */
#ifndef _RPCDEV_IVFW_H
#define _RPCDEV_IVFW_H

#include <pthread.h>
#include <stdatomic.h>

#include "fw.h"
#include <linux/rpcdev_ivshmem.h>

/* The firmware's own ivshmem peer id; guests get 1, 2, ... */
#define IVFW_PEER		0
/* The most vectors this firmware offers each way. */
#define IVFW_MAX_VECTORS	RPCDEV_IVSHMEM_VECTORS(RPCDEV_MAX_QUEUES)

/* Hostile behaviours (--hostile=...), one bit each. */
#define IVFW_HOSTILE_INDEX	(1U << 0)	/* impossible producer indices */
#define IVFW_HOSTILE_LEN	(1U << 1)	/* lengths past buf_size */
#define IVFW_HOSTILE_ID		(1U << 2)	/* ids out of range or not in flight */
#define IVFW_HOSTILE_SEQ	(1U << 3)	/* wrong seq tags */
#define IVFW_HOSTILE_STORM	(1U << 4)	/* bursts of interrupts */
#define IVFW_HOSTILE_ALL	0x1fU

/**
 * struct ivfw_opts - the command line.
 * @socket:	the ivshmem server's socket path.
 * @log:	the log file, or NULL for stderr.
 * @pidfile:	written once the socket listens, or NULL.
 * @qmp:	QEMU's QMP socket, for RPCDEV_IVSHMEM_TEST_UNPLUG, or NULL.
 * @device_id:	the id of the device QMP removes.
 * @shm_size:	bytes of the shared memory, a power of two.
 * @nr_queues:	queue pairs.
 * @spin_ns:	how long a queue polls before it sleeps on its doorbell.
 * @irq_hold_ns: how long at most an answer's interrupt waits while more
 *		calls wait.
 * @hostile:	IVFW_HOSTILE_* bits the hostile queues use.
 * @hostile_mask: the queues hostile from the start (bit q: queue q).
 * @hostile_rate: one entry or index in this many is broken.
 * @seed:	of the hostile mode's pseudo-random choices.
 * @test_methods: answer the RPCDEV_IVSHMEM_TEST_* methods.
 * @no_inline:	do not offer RPCDEV_IVSHMEM_F_INLINE.
 * @tcp_port:	the TCP echo's port on 127.0.0.1, or 0 for none.
 * @verbose:	log debug lines too.
 */
struct ivfw_opts {
	const char *socket;
	const char *log;
	const char *pidfile;
	const char *qmp;
	const char *device_id;
	u64 shm_size;
	u32 nr_queues;
	u64 spin_ns;
	u64 irq_hold_ns;
	u32 hostile;
	u64 hostile_mask;
	u32 hostile_rate;
	u64 seed;
	bool test_methods;
	bool no_inline;
	u16 tcp_port;
	bool verbose;
};

struct ivfw_dev;

/**
 * struct ivfw_queue - one queue of the device.
 * @fw:		the portable firmware's state; first, so env.c finds this
 *		structure from it.
 * @dev:	the device.
 * @qid:	its index.
 * @region:	its region of the shared memory.
 * @qcfg:	the driver's configuration block in it.
 * @qack:	the firmware's acknowledgment block in it.
 * @running:	a thread serves the queue.
 * @thread:	that thread.
 * @stop:	asks the thread to return.
 * @hostile:	the queue breaks the protocol on purpose.
 * @rng:	the hostile mode's pseudo-random state (the thread's own).
 * @acked_gen:	the generation of the last request acted on.
 * @faults:	per enum fw_fault, shots left or the value to apply; the
 *		queue's thread alone reads and writes them.
 * @armed:	faults armed by RPCDEV_IVSHMEM_TEST_FAULT, not yet in
 *		@faults: they wait for the next call (@armed_cons).
 * @armed_cons:	the DQ consumer index when they were armed.
 * @armed_mask:	which of @armed were armed (a 0 disarms).
 */
struct ivfw_queue {
	struct fw_queue fw;
	struct ivfw_dev *dev;
	u32 qid;
	u8 *region;
	struct rpcdev_ivshmem_qcfg *qcfg;
	struct rpcdev_ivshmem_qack *qack;
	bool running;
	pthread_t thread;
	atomic_bool stop;
	atomic_bool hostile;
	u64 rng;
	u32 acked_gen;
	u64 faults[FW_FAULT_NR];
	u64 armed[FW_FAULT_NR];
	u32 armed_cons;
	u32 armed_mask;
};

/**
 * struct ivfw_dev - the device: its memory, its peers, its queues.
 * @opts:	the command line.
 * @shm_fd:	the memfd of the shared memory.
 * @shm:	its mapping.
 * @hdr:	the header at its start.
 * @drv:	the driver's block.
 * @fw_efd:	the firmware's eventfds, one per vector: the guest's
 *		doorbells.
 * @guest_efd:	the guest's eventfds, one per vector (-1: none connected):
 *		written to raise its MSI-X vectors. Changed by the main
 *		thread only while no queue runs.
 * @guest_peer:	the connected guest's id, or -1.
 * @irq_peer:	the peer the driver named (drv_peer) while it is up and
 *		the connected guest, else -1: interrupts go there only.
 * @drv_gen:	the last drv_gen acted on.
 * @muted:	RPCDEV_IVSHMEM_TEST_MUTE took effect.
 * @queues:	opts.nr_queues of them.
 */
struct ivfw_dev {
	const struct ivfw_opts *opts;
	int shm_fd;
	u8 *shm;
	struct rpcdev_ivshmem_hdr *hdr;
	struct rpcdev_ivshmem_drv *drv;
	int fw_efd[IVFW_MAX_VECTORS];
	int guest_efd[IVFW_MAX_VECTORS];
	int guest_peer;
	atomic_int irq_peer;
	u32 drv_gen;
	atomic_bool muted;
	struct ivfw_queue *queues;
};

/* main.c */
void ivfw_log(const char *level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define ivfw_info(...)	ivfw_log("info", __VA_ARGS__)
#define ivfw_warn(...)	ivfw_log("warn", __VA_ARGS__)
#define ivfw_err(...)	ivfw_log("error", __VA_ARGS__)
extern bool ivfw_verbose;

/* server.c */
int ivfw_listen(const char *path);
int ivfw_accept(struct ivfw_dev *dev, int lfd);
void ivfw_disconnect(struct ivfw_dev *dev, int cfd);

/* device.c */
int ivfw_dev_init(struct ivfw_dev *dev, const struct ivfw_opts *opts);
void ivfw_dev_poll(struct ivfw_dev *dev);
void ivfw_dev_heartbeat(struct ivfw_dev *dev);
void ivfw_dev_stop_all(struct ivfw_dev *dev);
void ivfw_dev_exit(struct ivfw_dev *dev, u32 state);
void ivfw_raise(struct ivfw_dev *dev, u32 vector);

/* env.c */
void ivfw_queue_thread_init(struct ivfw_queue *q);
void ivfw_test_tick(struct ivfw_dev *dev);

/* qmp.c */
int ivfw_qmp_device_del(const char *path, const char *id);

/* tcp.c: echo on 127.0.0.1:@port from a thread of its own; 0 or -errno. */
int ivfw_tcp_start(u16 port);

#endif /* _RPCDEV_IVFW_H */
