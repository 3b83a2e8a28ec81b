// SPDX-License-Identifier: GPL-2.0
/* The ivshmem firmware's test methods; see rpcdev_ivshmem.h. */
#include <endian.h>
#include <errno.h>

#include "rpcdev_calls.h"
#include "rpcdev_ivshmem.h"

int ivs_test_method(struct rpcdev *dev, uint32_t method, uint32_t delay_ms,
		    uint32_t arg)
{
	struct rpcdev_ivshmem_test req = {
		.delay_ms = htole32(delay_ms),
		.arg = htole32(arg),
	};
	struct rpcdev_call_result res;
	int ret;

	ret = rpcdev_call(dev, method, &req, sizeof(req), NULL, 0,
			  CALL_TIMEOUT_NS, &res);
	if (ret)
		return ret;
	return res.status == RPCDEV_STATUS_OK ? 0 : -EPROTO;
}

int ivs_fault(struct rpcdev *dev, uint32_t fault, uint64_t value)
{
	struct rpcdev_ivshmem_fault req = {
		.fault = htole32(fault),
		.value = htole64(value),
	};
	struct rpcdev_call_result res;
	int ret;

	ret = rpcdev_call(dev, RPCDEV_IVSHMEM_TEST_FAULT, &req, sizeof(req),
			  NULL, 0, CALL_TIMEOUT_NS, &res);
	if (ret)
		return ret;
	return res.status == RPCDEV_STATUS_OK ? 0 : -EPROTO;
}
