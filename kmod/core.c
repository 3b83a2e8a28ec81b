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
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "rpcdev_backend.h"
#include "rpcdev_compat.h"

/* Features the core itself implements; a device reports the intersection. */
#define RPCDEV_CORE_FEATURES	RPCDEV_FEAT_INFO

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

static char *rpcdev_devnode(rpcdev_devnode_device *dev, umode_t *m,
			    kuid_t *uid, kgid_t *gid)
{
	*m = mode;
	if (group)
		*gid = KGIDT_INIT(group);
	return NULL;
}

static void rpcdev_dev_release(struct device *dev)
{
	kfree(container_of(dev, struct rpcdev_device, dev));
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
 * holds one on the struct device that embeds it, so file->private_data stays
 * valid until release() even after the device is unregistered.
 */

static int rpcdev_open(struct inode *inode, struct file *file)
{
	struct rpcdev_device *rdev = container_of(inode->i_cdev,
						  struct rpcdev_device, cdev);

	if (READ_ONCE(rdev->dead))
		return -ENODEV;
	file->private_data = rdev;
	return nonseekable_open(inode, file);
}

static int rpcdev_release(struct inode *inode, struct file *file)
{
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
	struct rpcdev_device *rdev = file->private_data;
	void __user *argp = (void __user *)arg;

	guard(rwsem_read)(&rdev->lock);
	if (rdev->dead)
		return -ENODEV;

	switch (cmd) {
	case RPCDEV_IOC_INFO:
		return rpcdev_ioctl_info(rdev, argp);
	default:
		return -ENOTTY;
	}
}

static __poll_t rpcdev_poll(struct file *file, poll_table *wait)
{
	struct rpcdev_device *rdev = file->private_data;

	poll_wait(file, &rdev->wq, wait);
	if (READ_ONCE(rdev->dead))
		return EPOLLHUP;
	return 0;
}

static const struct file_operations rpcdev_fops = {
	.owner = THIS_MODULE,
	.open = rpcdev_open,
	.release = rpcdev_release,
	.unlocked_ioctl = rpcdev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = rpcdev_poll,
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
	init_rwsem(&rdev->lock);
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

	if (!rdev->name[0] || !rdev->nr_queues ||
	    rdev->nr_queues > RPCDEV_MAX_QUEUES)
		return -EINVAL;

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
	/* No new open; operations already running finish before the reset. */
	cdev_device_del(&rdev->cdev, &rdev->dev);
	scoped_guard(rwsem_write, &rdev->lock)
		rdev->dead = true;
	wake_up_all(&rdev->wq);

	if (rdev->ops->reset)
		rdev->ops->reset(rdev);

	ida_free(&rpcdev_minors, rdev->minor);
	put_device(&rdev->dev);
}
EXPORT_SYMBOL_GPL(rpcdev_unregister_device);

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
	return 0;

err_chrdev:
	unregister_chrdev_region(rpcdev_devt, RPCDEV_MINORS);
	return ret;
}

static void __exit rpcdev_exit(void)
{
	class_unregister(&rpcdev_class);
	unregister_chrdev_region(rpcdev_devt, RPCDEV_MINORS);
	ida_destroy(&rpcdev_minors);
}

module_init(rpcdev_init);
module_exit(rpcdev_exit);

MODULE_DESCRIPTION("rpcdev: remote procedure calls between host and device");
MODULE_AUTHOR("The rpcdev developers");
MODULE_LICENSE("GPL");
