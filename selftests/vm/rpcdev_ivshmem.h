/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the tests that make the ivshmem device's firmware misbehave
 * on purpose, through its test methods (RPCDEV_IVSHMEM_TEST_* in
 * linux/rpcdev_ivshmem.h; the test runner starts it with --test-methods).
 */
#ifndef RPCDEV_SELFTEST_IVSHMEM_H
#define RPCDEV_SELFTEST_IVSHMEM_H

#include <stdint.h>

#include <linux/rpcdev_ivshmem.h>

#include "rpcdev.h"

/* How long the hostile-device tests give one call. */
#define IVS_HOSTILE_TIMEOUT_NS	(200 * 1000000ULL)

/*
 * Ask the firmware, on @dev's queue, for test method @method with
 * @delay_ms and @arg. 0 once the firmware took it (status OK), -EPROTO for
 * any other status, or rpcdev_call()'s -errno.
 */
int ivs_test_method(struct rpcdev *dev, uint32_t method, uint32_t delay_ms,
		    uint32_t arg);

/*
 * Arm the firmware's fault @fault (RPCDEV_IVSHMEM_FAULT_*) with @value on
 * @dev's queue, from its next call on (RPCDEV_IVSHMEM_TEST_FAULT). 0,
 * -EPROTO if the firmware refused it, or rpcdev_call()'s -errno.
 */
int ivs_fault(struct rpcdev *dev, uint32_t fault, uint64_t value);

#endif /* RPCDEV_SELFTEST_IVSHMEM_H */
