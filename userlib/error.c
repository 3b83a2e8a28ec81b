// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * librpcdev: error payloads, a name and a message, NUL-terminated each,
 * as an answer with RPCDEV_ENTRY_ERROR carries them.
 * See rpcdev.h for the documentation of each function.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "rpcdev.h"

int rpcdev_error_split(const void *payload, size_t len,
		       struct rpcdev_error *err)
{
	static const char empty[] = "";
	const char *p = payload, *nul;

	err->name = empty;
	err->name_len = 0;
	err->message = empty;
	err->message_len = 0;
	if (!p)
		return len ? -EINVAL : -EBADMSG;

	/* The name: up to its NUL, or all there is. */
	nul = memchr(p, '\0', len);
	err->name = p;
	err->name_len = nul ? (size_t)(nul - p) : len;
	if (!nul)
		return -EBADMSG;

	/* The message: from after the name's NUL up to its own. */
	p = nul + 1;
	len -= err->name_len + 1;
	nul = memchr(p, '\0', len);
	if (len)
		err->message = p;
	err->message_len = nul ? (size_t)(nul - p) : len;
	return nul ? 0 : -EBADMSG;
}

int rpcdev_error_build(void *buf, size_t cap, const char *name,
		       const char *message)
{
	size_t nlen, mlen;
	char *p = buf;

	if (!buf || !name)
		return -EINVAL;
	if (!message)
		message = "";
	nlen = strlen(name);
	mlen = strlen(message);
	/* The name, its NUL and the message's NUL must fit; the length an int. */
	if (cap < 2 || nlen > cap - 2 || nlen > INT32_MAX - 2)
		return -ENOSPC;
	if (mlen > cap - 2 - nlen)
		mlen = cap - 2 - nlen;
	if (mlen > (size_t)INT32_MAX - 2 - nlen)
		mlen = (size_t)INT32_MAX - 2 - nlen;
	memcpy(p, name, nlen);
	p[nlen] = '\0';
	memcpy(p + nlen + 1, message, mlen);
	p[nlen + 1 + mlen] = '\0';
	return (int)(nlen + mlen + 2);
}

int rpcdev_reply_error(const struct rpcdev_upcall_req *up,
		       struct rpcdev_upcall_reply *reply, const char *name,
		       const char *message)
{
	int len;

	if (!up || !reply)
		return -EINVAL;
	len = rpcdev_error_build(up->reply, up->reply_cap, name, message);
	if (len < 0)
		return len;
	reply->id = up->id;
	reply->status = RPCDEV_STATUS_ERROR;
	reply->flags = RPCDEV_ENTRY_ERROR;
	reply->len = (size_t)len;
	reply->data = NULL;
	return 0;
}
