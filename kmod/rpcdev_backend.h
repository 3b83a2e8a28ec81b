/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between the rpcdev core and a device backend.
 *
 * A backend (the simulated device, a PCI device, ...) allocates a
 * struct rpcdev_device with rpcdev_alloc_device(), describes the device in
 * it, and hands it to the core with rpcdev_register_device(). From then on
 * the core owns the character device /dev/rpcdevN and talks to the device
 * only through the struct rpcdev_ops table; the core never knows which
 * backend it has.
 *
 * Lifetime: the structure is reference counted. Open files keep it alive
 * after the backend has called rpcdev_unregister_device(), but once that
 * call returns the core never calls the backend's ops again and every open
 * file sees -ENODEV, so the backend module may be unloaded while files are
 * still open.
 */
#ifndef _RPCDEV_BACKEND_H
#define _RPCDEV_BACKEND_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/rpcdev.h>

struct rpcdev_device;

/**
 * struct rpcdev_ops - what the core asks of a device backend.
 * @reset:	Stop the device from touching any memory the core gave it
 *		and return it to its power-on state. Called by
 *		rpcdev_unregister_device() once no ioctl is running; may
 *		sleep. Optional.
 */
struct rpcdev_ops {
	void (*reset)(struct rpcdev_device *rdev);
};

/**
 * struct rpcdev_device - one device, as the core sees it.
 * @name:	set by the backend before registering: a NUL-terminated name
 *		unique among rpcdev devices, reported by RPCDEV_IOC_INFO.
 * @nr_queues:	set by the backend: queue pairs the device offers,
 *		1..RPCDEV_MAX_QUEUES.
 * @features:	set by the backend: the RPCDEV_FEAT_* bits the device
 *		supports; the core reports those it supports too.
 * @ops:	the backend's operations, set by rpcdev_alloc_device().
 * @dev:	the class device behind /dev/rpcdevN; holds the reference
 *		count.
 * @cdev:	the character device.
 * @minor:	N in /dev/rpcdevN, or -1 before registration.
 * @lock:	taken for reading by every file operation that may call into
 *		the backend, for writing by rpcdev_unregister_device() to
 *		wait for them to finish.
 * @dead:	set under @lock (write) once the backend is gone; read with
 *		READ_ONCE() where @lock is not held.
 * @wq:		woken when the device goes away, so poll() reports it.
 * @priv:	the backend's private area, sized at allocation.
 */
struct rpcdev_device {
	char name[RPCDEV_NAME_LEN];
	u32 nr_queues;
	u64 features;

	const struct rpcdev_ops *ops;
	struct device dev;
	struct cdev cdev;
	int minor;
	struct rw_semaphore lock;
	bool dead;
	wait_queue_head_t wq;

	u8 priv[] __aligned(sizeof(u64));
};

struct rpcdev_device *rpcdev_alloc_device(struct device *parent,
					  const struct rpcdev_ops *ops,
					  size_t priv_size);
int rpcdev_register_device(struct rpcdev_device *rdev);
void rpcdev_unregister_device(struct rpcdev_device *rdev);
void rpcdev_put_device(struct rpcdev_device *rdev);

static inline void *rpcdev_priv(struct rpcdev_device *rdev)
{
	return rdev->priv;
}

#endif /* _RPCDEV_BACKEND_H */
