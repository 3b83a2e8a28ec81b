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
#include <linux/mount.h>
#include <linux/poll.h>
#include <linux/pseudo_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "rpcdev_compat.h"
#include "rpcdev_core.h"
#include "trace.h"

/* Features the core itself implements; a device reports the intersection. */
#define RPCDEV_CORE_FEATURES	(RPCDEV_FEAT_INFO | RPCDEV_FEAT_DOWNCALL | \
				 RPCDEV_FEAT_UPCALL | RPCDEV_FEAT_MAILBOX | \
				 RPCDEV_FEAT_USER_RINGS | RPCDEV_FEAT_RING_WAKE | \
				 RPCDEV_FEAT_ASYNC_NOACK | RPCDEV_FEAT_REG_BUFS | \
				 RPCDEV_FEAT_INLINE)

static unsigned int group;
module_param(group, uint, 0444);
MODULE_PARM_DESC(group, "Group id owning /dev/rpcdevN (default 0, root)");

static ushort mode = 0600;
module_param(mode, ushort, 0444);
MODULE_PARM_DESC(mode, "File mode of /dev/rpcdevN (default 0600)");

/* More than anyone needs, and small enough to keep the region cheap. */
#define RPCDEV_MINORS		256

/* "rpcd": the magic of the file system of the devices' inodes. */
#define RPCDEV_FS_MAGIC		0x72706364

static dev_t rpcdev_devt;
static DEFINE_IDA(rpcdev_minors);
static struct dentry *rpcdev_debugfs_root;
static struct vfsmount *rpcdev_mnt;

/*
 * A pseudo file system with one inode per device, as DRM and VFIO have:
 * every file of a device maps through that inode's address space, so the
 * core can zap all user mappings of a device at once (unmap_mapping_range())
 * when its memory goes, whichever device node the files were opened by.
 */
static int rpcdev_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, RPCDEV_FS_MAGIC) ? 0 : -ENOMEM;
}

/*
 * No .owner: the file system is mounted from module init to exit, and an
 * owner would be pinned by that mount, so the module could never go. The
 * open files that use its inodes pin the module through the cdev.
 */
static struct file_system_type rpcdev_fs_type = {
	.name = "rpcdev",
	.init_fs_context = rpcdev_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

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
	iput(rdev->inode);
	put_device(rdev->parent);
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

static int rpcdev_fop_open(struct inode *inode, struct file *file)
{
	struct rpcdev_device *rdev = container_of(inode->i_cdev,
						  struct rpcdev_device, cdev);
	struct rpcdev_file *f;
	int ret;

	ret = rpcdev_gone(rdev);
	if (ret)
		return ret;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->rdev = rdev;
	init_waitqueue_head(&f->pwq);
	file->private_data = f;
	file->f_mapping = rdev->inode->i_mapping;
	return nonseekable_open(inode, file);
}

static int rpcdev_fop_release(struct inode *inode, struct file *file)
{
	struct rpcdev_file *f = file->private_data;

	rpcdev_queue_detach(f);
	rpcdev_file_mem_release(f);
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
	info.features = (rdev->features & RPCDEV_CORE_FEATURES) |
			RPCDEV_FEAT_DEV_GONE;
	/* io_uring commands are the core's own, on every device. */
	if (IS_ENABLED(CONFIG_IO_URING))
		info.features |= RPCDEV_FEAT_URING_CMD |
				 RPCDEV_FEAT_URING_TIMEOUT;
	strscpy(info.name, rdev->name, sizeof(info.name));
	info.minor = rdev->minor;

	return rpcdev_copy_to_user(rdev, uinfo, &info, sizeof(info));
}

static long rpcdev_fop_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct rpcdev_file *f = file->private_data;
	struct rpcdev_device *rdev = f->rdev;
	void __user *argp = (void __user *)arg;
	int ret;

	/* Removal sets @gone and wakes sleepers before it waits for us. */
	guard(rwsem_read)(&rdev->lock);
	if (rdev->gone == -ENODEV)
		return -ENODEV;
	/* A lost device still says what it was. */
	if (cmd == RPCDEV_IOC_INFO)
		return rpcdev_ioctl_info(rdev, argp);
	ret = rpcdev_gone(rdev);
	if (ret)
		return ret;

	switch (cmd) {
	case RPCDEV_IOC_QUEUE_ATTACH:
		/*
		 * A queue is the device's to drive: a file opened for
		 * reading only (a group given 0640's read bit, say) may
		 * describe the device and poll for its going, nothing else.
		 * Every other command needs the file's queue, so this one
		 * check is the rule.
		 */
		if ((file->f_mode & (FMODE_READ | FMODE_WRITE)) !=
		    (FMODE_READ | FMODE_WRITE))
			return -EBADF;
		return rpcdev_ioctl_queue_attach(f, argp);
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
	case RPCDEV_IOC_BUF_REGISTER:
		return rpcdev_ioctl_buf_register(f, argp);
	case RPCDEV_IOC_BUF_UNREGISTER:
		return rpcdev_ioctl_buf_unregister(f, argp);
	default:
		return -ENOTTY;
	}
}

static int rpcdev_fop_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct rpcdev_file *f = file->private_data;
	int ret;

	/*
	 * Not under rdev->lock: mmap_lock is held here, and a user copy
	 * under rdev->lock takes mmap_lock. Device memory is inserted only
	 * on fault, under rdev->fault_lock, so a mapping made as the device
	 * goes finds nothing to map.
	 */
	ret = rpcdev_gone(f->rdev);
	if (ret)
		return ret;
	return rpcdev_mem_mmap(f, vma);
}

/*
 * EPOLLIN: an upcall waits for a server. EPOLLPRI: a mailbox message from
 * the device waits. EPOLLHUP: the device is gone; EPOLLERR too when it was
 * lost rather than removed.
 */
static __poll_t rpcdev_fop_poll(struct file *file, poll_table *wait)
{
	struct rpcdev_file *f = file->private_data;
	struct rpcdev_device *rdev = f->rdev;
	struct rpcdev_queue *q = rpcdev_file_queue(f);
	__poll_t mask = 0;
	int gone;

	poll_wait(file, &rdev->wq, wait);
	poll_wait(file, &f->pwq, wait);
	/* The queue's memory may be the device's: it must not go under us. */
	guard(rwsem_read)(&rdev->lock);
	gone = rpcdev_gone(rdev);
	if (gone)
		return gone == -EIO ? EPOLLHUP | EPOLLERR : EPOLLHUP;
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
	.open = rpcdev_fop_open,
	.release = rpcdev_fop_release,
	.unlocked_ioctl = rpcdev_fop_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = rpcdev_fop_poll,
	.mmap = rpcdev_fop_mmap,
	.uring_cmd = rpcdev_fop_uring_cmd,
	.llseek = noop_llseek,
};

/* Backend interface, see rpcdev_backend.h. */

static bool rpcdev_desc_valid(const struct rpcdev_desc *desc)
{
	const struct rpcdev_ops *ops = desc->ops;

	if (!desc->name || !desc->nr_queues ||
	    desc->nr_queues > RPCDEV_MAX_QUEUES || !ops || !ops->queue_start ||
	    !ops->queue_stop || !ops->doorbell)
		return false;
	if ((desc->features & RPCDEV_FEAT_REG_BUFS) &&
	    (!ops->buf_map || !ops->buf_unmap))
		return false;
	switch (desc->mem) {
	case RPCDEV_MEM_DMA:
		return true;
	case RPCDEV_MEM_DEVICE:
		return ops->queue_mem;
	default:
		return false;
	}
}

/**
 * rpcdev_alloc_device() - allocate a device for a backend.
 * @desc:	what the device is; must stay valid while it is registered.
 * @parent:	the backend's own device (the bus device; for
 *		RPCDEV_MEM_DMA the one that does DMA).
 * @instance:	tells this device from the backend's others: the device is
 *		called "<desc->name>.<instance>".
 *
 * Return: the device with one reference held by the caller, to be given
 * up with rpcdev_unregister_device() after a successful registration or
 * rpcdev_put_device() otherwise; or an ERR_PTR().
 */
struct rpcdev_device *rpcdev_alloc_device(const struct rpcdev_desc *desc,
					  struct device *parent,
					  const char *instance)
{
	struct rpcdev_device *rdev;
	struct inode *inode;
	int len;

	if (!parent || !rpcdev_desc_valid(desc))
		return ERR_PTR(-EINVAL);

	rdev = kzalloc(sizeof(*rdev), GFP_KERNEL);
	if (!rdev)
		return ERR_PTR(-ENOMEM);
	len = snprintf(rdev->name, sizeof(rdev->name), "%s.%s", desc->name,
		       instance);
	if (len >= sizeof(rdev->name)) {
		kfree(rdev);
		return ERR_PTR(-ENAMETOOLONG);
	}
	inode = alloc_anon_inode(rpcdev_mnt->mnt_sb);
	if (IS_ERR(inode)) {
		kfree(rdev);
		return ERR_CAST(inode);
	}

	rdev->desc = desc;
	rdev->nr_queues = desc->nr_queues;
	rdev->features = desc->features;
	rdev->mem = desc->mem;
	rdev->inode = inode;
	rdev->minor = -1;
	rdev->parent = get_device(parent);
	init_rwsem(&rdev->lock);
	init_rwsem(&rdev->fault_lock);
	mutex_init(&rdev->qlock);
	init_waitqueue_head(&rdev->wq);

	/* From here on the release function frees what is above. */
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
 * rpcdev_set_drvdata() - hang the backend's data on a device.
 * @rdev:	the device.
 * @data:	what rpcdev_get_drvdata() returns from now on.
 */
void rpcdev_set_drvdata(struct rpcdev_device *rdev, void *data)
{
	rdev->drvdata = data;
}
EXPORT_SYMBOL_GPL(rpcdev_set_drvdata);

/**
 * rpcdev_get_drvdata() - the backend's data of a device.
 * @rdev:	the device.
 *
 * Return: what rpcdev_set_drvdata() set, or NULL.
 */
void *rpcdev_get_drvdata(struct rpcdev_device *rdev)
{
	return rdev->drvdata;
}
EXPORT_SYMBOL_GPL(rpcdev_get_drvdata);

/**
 * rpcdev_name() - a device's name, "<desc->name>.<instance>", for logs.
 * @rdev:	the device.
 *
 * Return: the name, valid as long as the device.
 */
const char *rpcdev_name(struct rpcdev_device *rdev)
{
	return rdev->name;
}
EXPORT_SYMBOL_GPL(rpcdev_name);

/*
 * debugfs rpcdev/rpcdevN/pinned: "pages N", the pages of registered
 * buffers pinned on the device's queues now.
 */
static int rpcdev_pinned_show(struct seq_file *m, void *unused)
{
	struct rpcdev_device *rdev = m->private;

	seq_printf(m, "pages %lld\n", atomic64_read(&rdev->pinned_pages));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rpcdev_pinned);

/**
 * rpcdev_register_device() - create /dev/rpcdevN for a device.
 * @rdev:	a device from rpcdev_alloc_device().
 *
 * Return: 0, or a negative errno (the caller then still owns its reference
 * and gives it up with rpcdev_put_device()).
 */
int rpcdev_register_device(struct rpcdev_device *rdev)
{
	u32 nr_queues = rdev->nr_queues;
	int minor, ret;
	u32 i;

	rdev->queues = kcalloc(nr_queues, sizeof(*rdev->queues), GFP_KERNEL);
	if (!rdev->queues)
		return -ENOMEM;
	for (i = 0; i < nr_queues; i++)
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
	debugfs_create_file("pinned", 0400, rdev->debugfs, rdev,
			    &rpcdev_pinned_fops);
	for (i = 0; i < nr_queues; i++)
		rpcdev_queue_debugfs(&rdev->queues[i], rdev->debugfs);

	dev_dbg(&rdev->dev, "registered %s with %u queues\n", rdev->name,
		nr_queues);
	return 0;

err_minor:
	ida_free(&rpcdev_minors, minor);
	rdev->minor = -1;
	return ret;
}
EXPORT_SYMBOL_GPL(rpcdev_register_device);

/* Make every sleeper on the device look at @gone, end every io_uring command. */
static void rpcdev_wake_all(struct rpcdev_device *rdev)
{
	u32 i;

	wake_up_all(&rdev->wq);
	for (i = 0; i < rdev->nr_queues; i++) {
		wake_up_all(&rdev->queues[i].wq);
		rpcdev_queue_wake(&rdev->queues[i]);
		rpcdev_uring_fail(&rdev->queues[i]);
	}
}

/**
 * rpcdev_device_lost() - the device stopped working for good.
 * @rdev:	a registered device.
 * @err:	what callers get from now on: -EIO for a device that died
 *		(its firmware stopped answering), -ENODEV for one that shut
 *		down in order.
 *
 * Every waiter wakes with @err, every later file operation but
 * RPCDEV_IOC_INFO and close fails with it, and poll() reports EPOLLHUP
 * (and EPOLLERR for -EIO). The device stays registered, and its queues
 * running, until the backend calls rpcdev_unregister_device() or the files
 * are closed. Callable from any context but hard interrupts.
 */
void rpcdev_device_lost(struct rpcdev_device *rdev, int err)
{
	if (WARN_ON_ONCE(err != -EIO && err != -ENODEV))
		err = -EIO;
	/* Only ever towards -ENODEV, never back. */
	if (cmpxchg(&rdev->gone, 0, err))
		return;
	dev_warn(&rdev->dev, "%s lost: calls fail with %d\n", rdev->name, err);
	rpcdev_wake_all(rdev);
}
EXPORT_SYMBOL_GPL(rpcdev_device_lost);

/**
 * rpcdev_unregister_device() - remove a device and drop the backend's
 * reference.
 * @rdev:	a registered device.
 *
 * Files still open on the device see -ENODEV and EPOLLHUP from now on, and
 * their mappings of device memory are gone (a later access faults).
 * When this returns, no file operation is running in the backend and none
 * will, and nothing of the backend's memory is mapped: the backend may
 * free what it owns and its module may go.
 */
void rpcdev_unregister_device(struct rpcdev_device *rdev)
{
	u32 i;

	/* No new open; no new debugfs reader. */
	cdev_device_del(&rdev->cdev, &rdev->dev);
	debugfs_remove_recursive(rdev->debugfs);

	/*
	 * Wake every sleeper first: they hold rdev->lock for reading while
	 * they wait, and see @gone once woken.
	 */
	WRITE_ONCE(rdev->gone, -ENODEV);
	rpcdev_wake_all(rdev);
	rpcdev_mem_unmap_all(rdev);

	/* Then wait for every file operation to leave, and stop the device. */
	scoped_guard(rwsem_write, &rdev->lock) {
		for (i = 0; i < rdev->nr_queues; i++) {
			struct rpcdev_queue *q = &rdev->queues[i];

			if (!q->running)
				continue;
			rpcdev_ops(rdev)->queue_stop(rdev, i);
			q->running = false;
			rpcdev_mem_mark_gone(q);
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
	trace_interrupt(q);
	scoped_guard(spinlock_irqsave, &q->lock)
		q->stats.interrupts++;
	if (q->timestamps)
		WRITE_ONCE(q->irq_ns, ktime_get_ns());
	if (q->user_rings) {
		/* The program reads the rings; wake it in RPCDEV_IOC_ENTER. */
		trace_wake(q, RPCDEV_TRACE_SERVERS);
		rpcdev_queue_wake(q);
		return;
	}
	rpcdev_reap_completions(q);
	if (rpcdev_upcall_pending(q) || rpcdev_mbox_pending(q)) {
		rpcdev_uring_deliver(q);
		trace_wake(q, RPCDEV_TRACE_SERVERS);
		rpcdev_queue_wake(q);
	}
}
EXPORT_SYMBOL_GPL(rpcdev_queue_interrupt);

static int __init rpcdev_init(void)
{
	int ret;

	if (mode & ~0666) {
		pr_err("mode %#o: only read and write bits may be set\n", mode);
		return -EINVAL;
	}

	ret = rpcdev_mem_init();
	if (ret)
		return ret;

	rpcdev_mnt = kern_mount(&rpcdev_fs_type);
	if (IS_ERR(rpcdev_mnt)) {
		ret = PTR_ERR(rpcdev_mnt);
		goto err_mem;
	}

	ret = alloc_chrdev_region(&rpcdev_devt, 0, RPCDEV_MINORS, "rpcdev");
	if (ret)
		goto err_mnt;

	ret = class_register(&rpcdev_class);
	if (ret)
		goto err_chrdev;
	rpcdev_debugfs_root = debugfs_create_dir("rpcdev", NULL);
	return 0;

err_chrdev:
	unregister_chrdev_region(rpcdev_devt, RPCDEV_MINORS);
err_mnt:
	kern_unmount(rpcdev_mnt);
err_mem:
	rpcdev_mem_exit();
	return ret;
}

static void __exit rpcdev_exit(void)
{
	debugfs_remove_recursive(rpcdev_debugfs_root);
	class_unregister(&rpcdev_class);
	unregister_chrdev_region(rpcdev_devt, RPCDEV_MINORS);
	ida_destroy(&rpcdev_minors);
	kern_unmount(rpcdev_mnt);
	rpcdev_mem_exit();
}

module_init(rpcdev_init);
module_exit(rpcdev_exit);

MODULE_DESCRIPTION("rpcdev: remote procedure calls between host and device");
MODULE_AUTHOR("The rpcdev developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(RPCDEV_VERSION);
