// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * librpcdev: what rpcdev_serve()'s loop (serve.h) needs out of line, the
 * answer it sends when a handler's answer was refused.
 */
#include <errno.h>
#include <stdbool.h>

#include "serve.h"

bool rpcdev__serve_fallback(const struct rpcdev_upcall_req *up, int err,
			    struct rpcdev_upcall_reply *fallback)
{
	const char *what;

	switch (err) {
	case -E2BIG:
		what = "reply longer than the reply buffer";
		break;
	case -EFAULT:
		what = "reply data not readable";
		break;
	case -EINVAL:
		what = "invalid reply";
		break;
	default:
		/* -EIO, -ENODEV, ...: nothing more can be sent. */
		return false;
	}
	rpcdev__reply_init(fallback, up);
	if (rpcdev_reply_error(up, fallback, "ReplyError", what))
		fallback->status = RPCDEV_STATUS_ERROR;
	return true;
}
