// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev_sim: simulated rpcdev devices, as netdevsim and null_blk simulate
 * theirs, so the core can be used and tested on any kernel.
 *
 * Each simulated device is a platform device "rpcdev_sim.N" (the parent of
 * /dev/rpcdevM) with a 64-bit DMA mask, registered with the core through the
 * same ops table a hardware backend uses.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#include "rpcdev_backend.h"

#define SIM_MAX_DEVICES		16

static unsigned int devices = 1;
module_param(devices, uint, 0444);
MODULE_PARM_DESC(devices, "Number of simulated devices (1-16, default 1)");

static unsigned int queues = 4;
module_param(queues, uint, 0444);
MODULE_PARM_DESC(queues, "Queue pairs per device (1-64, default 4)");

/**
 * struct sim_dev - one simulated device.
 * @pdev:	its platform device, the parent of the rpcdev device.
 * @rdev:	the core's view of it.
 */
struct sim_dev {
	struct platform_device *pdev;
	struct rpcdev_device *rdev;
};

static struct sim_dev *sim_devs;

static void sim_reset(struct rpcdev_device *rdev)
{
	/* Nothing runs on the device yet, so there is nothing to stop. */
}

static const struct rpcdev_ops sim_ops = {
	.reset = sim_reset,
};

static int sim_dev_add(struct sim_dev *sd, unsigned int id)
{
	struct rpcdev_device *rdev;
	int ret;

	sd->pdev = platform_device_register_simple(KBUILD_MODNAME, id, NULL, 0);
	if (IS_ERR(sd->pdev))
		return PTR_ERR(sd->pdev);

	ret = dma_coerce_mask_and_coherent(&sd->pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto err_pdev;

	rdev = rpcdev_alloc_device(&sd->pdev->dev, &sim_ops, 0);
	if (IS_ERR(rdev)) {
		ret = PTR_ERR(rdev);
		goto err_pdev;
	}
	snprintf(rdev->name, sizeof(rdev->name), "%s", dev_name(&sd->pdev->dev));
	rdev->nr_queues = queues;
	rdev->features = RPCDEV_FEAT_INFO;

	ret = rpcdev_register_device(rdev);
	if (ret)
		goto err_rdev;
	sd->rdev = rdev;
	return 0;

err_rdev:
	rpcdev_put_device(rdev);
err_pdev:
	platform_device_unregister(sd->pdev);
	return ret;
}

static void sim_dev_del(struct sim_dev *sd)
{
	rpcdev_unregister_device(sd->rdev);
	platform_device_unregister(sd->pdev);
}

static int __init sim_init(void)
{
	unsigned int i;
	int ret;

	if (!devices || devices > SIM_MAX_DEVICES || !queues ||
	    queues > RPCDEV_MAX_QUEUES)
		return -EINVAL;

	sim_devs = kcalloc(devices, sizeof(*sim_devs), GFP_KERNEL);
	if (!sim_devs)
		return -ENOMEM;

	for (i = 0; i < devices; i++) {
		ret = sim_dev_add(&sim_devs[i], i);
		if (ret)
			goto err_devs;
	}
	return 0;

err_devs:
	while (i--)
		sim_dev_del(&sim_devs[i]);
	kfree(sim_devs);
	return ret;
}

static void __exit sim_exit(void)
{
	unsigned int i = devices;

	while (i--)
		sim_dev_del(&sim_devs[i]);
	kfree(sim_devs);
}

module_init(sim_init);
module_exit(sim_exit);

MODULE_DESCRIPTION("rpcdev: simulated devices");
MODULE_AUTHOR("The rpcdev developers");
MODULE_LICENSE("GPL");
