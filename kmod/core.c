// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev core: one character device /dev/rpcdevN per device that a backend
 * registers, and the file operations on it.
 *
 * The core knows devices only through struct rpcdev_device and its ops
 * table (rpcdev_backend.h). A device may be unregistered while files are
 * open on it: those files keep the structure alive, but every operation on
 * them fails with -ENODEV and poll() reports EPOLLHUP.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "rpcdev_compat.h"
#include "rpcdev_core.h"

/* Features the core itself implements; a device reports the intersection. */
#define RPCDEV_CORE_FEATURES	(RPCDEV_FEAT_INFO | RPCDEV_FEAT_DOWNCALL | \
				 RPCDEV_FEAT_UPCALL | RPCDEV_FEAT_MAILBOX | \
				 RPCDEV_FEAT_USER_RINGS | RPCDEV_FEAT_RING_WAKE | \
				 RPCDEV_FEAT_ASYNC_NOACK)

static unsigned int group;
module_param(group, uint, 0444);
MODULE_PARM_DESC(group, "Group id owning /dev/rpcdevN (default 0, root)");

static ushort mode = 0600;
module_param(mode, ushort, 0444);
MODULE_PARM_DESC(mode, "File mode of /dev/rpcdevN (default 0600)");

/* More than anyone needs, and small enough to keep the region cheap. */
#define RPCDEV_MINORS		256

static dev_t rpcdev_devt;
static DEFINE_IDA(rpcdev_minors);
static struct dentry *rpcdev_debugfs_root;

static char *rpcdev_devnode(rpcdev_devnode_device *dev, umode_t *m,
			    kuid_t *uid, kgid_t *gid)
{
	/* devtmpfs asks with NULL pointers when it deletes the node. */
	if (m)
		*m = mode;
	if (gid && group)
		*gid = KGIDT_INIT(group);
	return NULL;
}

static void rpcdev_dev_release(struct device *dev)
{
	struct rpcdev_device *rdev = container_of(dev, struct rpcdev_device, dev);

	kfree(rdev->queues);
	put_device(rdev->dma_dev);
	kfree(rdev);
}

static const struct device_type rpcdev_devtype = {
	.name = "rpcdev",
	.devnode = rpcdev_devnode,
	.release = rpcdev_dev_release,
};

static struct class rpcdev_class = {
	.name = "rpcdev",
};

/*
 * File operations. An open file holds a reference on the cdev, whose kobject
 * holds one on the struct device that embeds it, so f->rdev stays valid
 * until release() even after the device is unregistered.
 */

static int rpcdev_open(struct inode *inode, struct file *file)
{
	struct rpcdev_device *rdev = container_of(inode->i_cdev,
						  struct rpcdev_device, cdev);
	struct rpcdev_file *f;

	if (READ_ONCE(rdev->dead))
		return -ENODEV;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->rdev = rdev;
	file->private_data = f;
	return nonseekable_open(inode, file);
}

static int rpcdev_release(struct inode *inode, struct file *file)
{
	struct rpcdev_file *f = file->private_data;

	rpcdev_queue_detach(f);
	kfree(f);
	return 0;
}

static long rpcdev_ioctl_info(struct rpcdev_device *rdev,
			      struct rpcdev_info __user *uinfo)
{
	struct rpcdev_info info;

	/* memset, not "= {}": no byte of kernel stack may reach user space. */
	memset(&info, 0, sizeof(info));
	info.abi_version = RPCDEV_ABI_VERSION;
	info.nr_queues = rdev->nr_queues;
	info.features = rdev->features & RPCDEV_CORE_FEATURES;
	strscpy(info.name, rdev->name, sizeof(info.name));
	info.minor = rdev->minor;

	if (copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long rpcdev_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct rpcdev_file *f = file->private_data;
	struct rpcdev_device *rdev = f->rdev;
	void __user *argp = (void __user *)arg;

	/* Removal sets dead and wakes sleepers before it waits for us. */
	guard(rwsem_read)(&rdev->lock);
	if (rdev->dead)
		return -ENODEV;

	switch (cmd) {
	case RPCDEV_IOC_INFO:
		return rpcdev_ioctl_info(rdev, argp);
	case RPCDEV_IOC_QUEUE_ATTACH:
		return rpcdev_queue_attach(f, argp);
	case RPCDEV_IOC_CALL:
		return rpcdev_ioctl_call(f, argp);
	case RPCDEV_IOC_REPLY_AND_WAIT:
		return rpcdev_ioctl_reply_and_wait(f, argp);
	case RPCDEV_IOC_MBOX_POST:
		return rpcdev_ioctl_mbox_post(f, argp);
	case RPCDEV_IOC_MBOX_READ:
		return rpcdev_ioctl_mbox_read(f, argp);
	case RPCDEV_IOC_ENTER:
		return rpcdev_ioctl_enter(f, argp);
	default:
		return -ENOTTY;
	}
}

static int rpcdev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct rpcdev_file *f = file->private_data;

	if (READ_ONCE(f->rdev->dead))
		return -ENODEV;
	return rpcdev_queue_mmap(f, vma);
}

/*
 * EPOLLIN: an upcall waits for a server. EPOLLPRI: a mailbox message from
 * the device waits. EPOLLHUP: the device is gone.
 */
static __poll_t rpcdev_poll(struct file *file, poll_table *wait)
{
	struct rpcdev_file *f = file->private_data;
	struct rpcdev_device *rdev = f->rdev;
	struct rpcdev_queue *q = rpcdev_file_queue(f);
	__poll_t mask = 0;

	poll_wait(file, &rdev->wq, wait);
	if (q)
		poll_wait(file, &q->uwq, wait);
	if (READ_ONCE(rdev->dead))
		return EPOLLHUP;
	/* About to sleep: ask for interrupts before reading the indices. */
	if (q && q->user_rings && wait && wait->_qproc)
		rpcdev_poll_arm(q);
	if (q && rpcdev_upcall_pending(q))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (q && rpcdev_mbox_pending(q))
		mask |= EPOLLPRI;
	return mask;
}

static const struct file_operations rpcdev_fops = {
	.owner = THIS_MODULE,
	.open = rpcdev_open,
	.release = rpcdev_release,
	.unlocked_ioctl = rpcdev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = rpcdev_poll,
	.mmap = rpcdev_mmap,
	.llseek = noop_llseek,
};

/* Backend interface, see rpcdev_backend.h. */

/**
 * rpcdev_alloc_device() - allocate a device for a backend to describe.
 * @parent:	the backend's own device (the bus device), or NULL.
 * @ops:	the backend's operations; must outlive the registration.
 * @priv_size:	bytes of private area for the backend, see rpcdev_priv().
 *
 * Return: the device with one reference held by the caller, to be given
 * up with rpcdev_unregister_device() after a successful registration or
 * rpcdev_put_device() otherwise; or an ERR_PTR().
 */
struct rpcdev_device *rpcdev_alloc_device(struct device *parent,
					  const struct rpcdev_ops *ops,
					  size_t priv_size)
{
	struct rpcdev_device *rdev;

	rdev = kzalloc(struct_size(rdev, priv, priv_size), GFP_KERNEL);
	if (!rdev)
		return ERR_PTR(-ENOMEM);

	rdev->ops = ops;
	rdev->minor = -1;
	rdev->dma_dev = get_device(parent);
	init_rwsem(&rdev->lock);
	mutex_init(&rdev->qlock);
	init_waitqueue_head(&rdev->wq);

	device_initialize(&rdev->dev);
	rdev->dev.class = &rpcdev_class;
	rdev->dev.type = &rpcdev_devtype;
	rdev->dev.parent = parent;

	cdev_init(&rdev->cdev, &rpcdev_fops);
	rdev->cdev.owner = THIS_MODULE;
	return rdev;
}
EXPORT_SYMBOL_GPL(rpcdev_alloc_device);

/**
 * rpcdev_put_device() - drop the caller's reference to a device that was
 * never registered, or that failed to register.
 * @rdev:	the device.
 */
void rpcdev_put_device(struct rpcdev_device *rdev)
{
	put_device(&rdev->dev);
}
EXPORT_SYMBOL_GPL(rpcdev_put_device);

/**
 * rpcdev_register_device() - create /dev/rpcdevN for a device.
 * @rdev:	a device from rpcdev_alloc_device() whose name, nr_queues and
 *		features the backend has filled in.
 *
 * Return: 0, or a negative errno (the caller then still owns its reference
 * and gives it up with rpcdev_put_device()).
 */
int rpcdev_register_device(struct rpcdev_device *rdev)
{
	int minor, ret;
	u32 i;

	if (!rdev->name[0] || !rdev->nr_queues ||
	    rdev->nr_queues > RPCDEV_MAX_QUEUES || !rdev->dma_dev)
		return -EINVAL;

	rdev->queues = kcalloc(rdev->nr_queues, sizeof(*rdev->queues),
			       GFP_KERNEL);
	if (!rdev->queues)
		return -ENOMEM;
	for (i = 0; i < rdev->nr_queues; i++)
		rpcdev_queue_init(rdev, &rdev->queues[i], i);

	minor = ida_alloc_max(&rpcdev_minors, RPCDEV_MINORS - 1, GFP_KERNEL);
	if (minor < 0)
		return minor;

	rdev->minor = minor;
	rdev->dev.devt = MKDEV(MAJOR(rpcdev_devt), minor);
	ret = dev_set_name(&rdev->dev, "rpcdev%d", minor);
	if (ret)
		goto err_minor;

	ret = cdev_device_add(&rdev->cdev, &rdev->dev);
	if (ret)
		goto err_minor;

	rdev->debugfs = debugfs_create_dir(dev_name(&rdev->dev),
					   rpcdev_debugfs_root);
	for (i = 0; i < rdev->nr_queues; i++)
		rpcdev_queue_debugfs(&rdev->queues[i], rdev->debugfs);

	dev_dbg(&rdev->dev, "registered %s with %u queues\n", rdev->name,
		rdev->nr_queues);
	return 0;

err_minor:
	ida_free(&rpcdev_minors, minor);
	rdev->minor = -1;
	return ret;
}
EXPORT_SYMBOL_GPL(rpcdev_register_device);

/**
 * rpcdev_unregister_device() - remove a device and drop the backend's
 * reference.
 * @rdev:	a registered device.
 *
 * Files still open on the device see -ENODEV and EPOLLHUP from now on.
 * When this returns, no file operation is running in the backend and none
 * will: the backend may free what it owns and its module may go.
 */
void rpcdev_unregister_device(struct rpcdev_device *rdev)
{
	u32 i;

	/* No new open; no new debugfs reader. */
	cdev_device_del(&rdev->cdev, &rdev->dev);
	debugfs_remove_recursive(rdev->debugfs);

	/*
	 * Wake every sleeper first: they hold rdev->lock for reading while
	 * they wait, and see @dead once woken.
	 */
	WRITE_ONCE(rdev->dead, true);
	wake_up_all(&rdev->wq);
	for (i = 0; i < rdev->nr_queues; i++) {
		wake_up_all(&rdev->queues[i].wq);
		wake_up_all(&rdev->queues[i].uwq);
	}

	/* Then wait for every file operation to leave, and stop the device. */
	scoped_guard(rwsem_write, &rdev->lock) {
		for (i = 0; i < rdev->nr_queues; i++) {
			struct rpcdev_queue *q = &rdev->queues[i];

			if (!q->running)
				continue;
			rdev->ops->queue_stop(rdev, i);
			q->running = false;
		}
	}

	ida_free(&rpcdev_minors, rdev->minor);
	put_device(&rdev->dev);
}
EXPORT_SYMBOL_GPL(rpcdev_unregister_device);

/**
 * rpcdev_queue_interrupt() - the device signalled a queue.
 * @rdev:	the device.
 * @qid:	the queue.
 *
 * Called by the backend from its interrupt handler (hard or threaded) for
 * a running queue, that is between the queue_start and queue_stop ops.
 */
void rpcdev_queue_interrupt(struct rpcdev_device *rdev, u32 qid)
{
	struct rpcdev_queue *q;

	if (WARN_ON_ONCE(qid >= rdev->nr_queues))
		return;
	q = &rdev->queues[qid];
	/* Counted without the queue's lock: a statistic, not state. */
	WRITE_ONCE(q->stats.interrupts, q->stats.interrupts + 1);
	if (q->timestamps)
		WRITE_ONCE(q->irq_ns, ktime_get_ns());
	if (q->user_rings) {
		/* The program reads the rings; wake it in RPCDEV_IOC_ENTER. */
		wake_up_all(&q->uwq);
		return;
	}
	rpcdev_reap_completions(q);
	if (rpcdev_upcall_pending(q) || rpcdev_mbox_pending(q))
		wake_up_all(&q->uwq);
}
EXPORT_SYMBOL_GPL(rpcdev_queue_interrupt);

static int __init rpcdev_init(void)
{
	int ret;

	if (mode & ~0666) {
		pr_err("mode %#o: only read and write bits may be set\n", mode);
		return -EINVAL;
	}

	ret = alloc_chrdev_region(&rpcdev_devt, 0, RPCDEV_MINORS, "rpcdev");
	if (ret)
		return ret;

	ret = class_register(&rpcdev_class);
	if (ret)
		goto err_chrdev;
	rpcdev_debugfs_root = debugfs_create_dir("rpcdev", NULL);
	return 0;

err_chrdev:
	unregister_chrdev_region(rpcdev_devt, RPCDEV_MINORS);
	return ret;
}

static void __exit rpcdev_exit(void)
{
	debugfs_remove_recursive(rpcdev_debugfs_root);
	class_unregister(&rpcdev_class);
	unregister_chrdev_region(rpcdev_devt, RPCDEV_MINORS);
	ida_destroy(&rpcdev_minors);
}

module_init(rpcdev_init);
module_exit(rpcdev_exit);

MODULE_DESCRIPTION("rpcdev: remote procedure calls between host and device");
MODULE_AUTHOR("The rpcdev developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(RPCDEV_VERSION);
