// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The benchmark's TCP "core device": what ARTIQ's host answers today. It
 * sends RPC requests over a connected TCP socket, one at a time, framed as
 * ARTIQ frames them (four 0x5a sync bytes and a message type, then the
 * RPC's fields: async flag, service number, argument tag, the argument),
 * and times each round trip until the host's reply (sync bytes, type, the
 * return value's tag) is in. Written in C and run without the GIL, so the
 * Python TCP server it talks to (bench_artiq.py) is what is measured, not
 * this side.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "rpcdev_py.h"

#define TCPDEV_SYNC		0x5a
#define TCPDEV_RPC_REQUEST	10	/* device -> host: an RPC */
#define TCPDEV_RPC_REPLY	7	/* host -> device: its result */
#define TCPDEV_MAX_SIZE		(1U << 20)
/* A reply that takes longer means the host is gone. */
#define TCPDEV_TIMEOUT_S	10

static uint64_t tcpdev_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Write all of @buf; 0 or a negative errno. */
static int tcpdev_send(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Read exactly @len bytes, with blocking recv() calls as a device's
 * network stack would; 0, -EPIPE at end of stream, -ETIMEDOUT (the socket's
 * SO_RCVTIMEO), ...
 */
static int tcpdev_recv(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (!n)
			return -EPIPE;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return -ETIMEDOUT;
		return -errno;
	}
	return 0;
}

/*
 * One RPC: a request with @size payload bytes at @req + its header, then
 * the reply: sync, type, tag 'n' (None) or 'b' with a length and bytes.
 */
static int tcpdev_rpc(int fd, const unsigned char *frame, size_t len,
		      unsigned char *scratch)
{
	unsigned char hdr[6];
	uint32_t rlen;
	int ret;

	ret = tcpdev_send(fd, frame, len);
	if (ret)
		return ret;
	ret = tcpdev_recv(fd, hdr, sizeof(hdr));
	if (ret)
		return ret;
	if (memcmp(hdr, "\x5a\x5a\x5a\x5a", 4) || hdr[4] != TCPDEV_RPC_REPLY)
		return -EPROTO;
	if (hdr[5] == 'n')
		return 0;
	if (hdr[5] != 'b')
		return -EPROTO;
	ret = tcpdev_recv(fd, &rlen, sizeof(rlen));
	if (ret)
		return ret;
	if (rlen > TCPDEV_MAX_SIZE)
		return -EPROTO;
	return tcpdev_recv(fd, scratch, rlen);
}

PyObject *rpcdev_py_tcp_device(PyObject *mod, PyObject *args,
			       PyObject *kwds)
{
	static char *kwlist[] = { "fd", "count", "size", NULL };
	unsigned int count, size = 0, i;
	unsigned char *frame, *scratch;
	PyObject *out;
	uint64_t *ns;
	size_t len;
	uint32_t v;
	int fd, ret = 0;

	(void)mod;
	if (!PyArg_ParseTupleAndKeywords(args, kwds, "iI|I:_tcp_device", kwlist,
					 &fd, &count, &size))
		return NULL;
	if (!count || size > TCPDEV_MAX_SIZE) {
		PyErr_SetString(PyExc_ValueError,
				"count must be at least 1 and size at most 1 MiB");
		return NULL;
	}
	/* sync, type, async flag, service, tag ":b" or ":n", length, bytes */
	len = 4 + 1 + 1 + 4 + 1 + 2 + 4 + size;
	out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)count * 8);
	frame = PyMem_Calloc(1, len + TCPDEV_MAX_SIZE);
	if (!out || !frame) {
		Py_XDECREF(out);
		PyMem_Free(frame);
		return PyErr_NoMemory();
	}
	scratch = frame + len;
	memset(frame, TCPDEV_SYNC, 4);
	frame[4] = TCPDEV_RPC_REQUEST;
	frame[5] = 0;				/* a sync RPC */
	v = 1;					/* service: the handler */
	memcpy(frame + 6, &v, 4);
	frame[10] = 2;				/* the tag's length */
	frame[11] = ':';
	frame[12] = size ? 'b' : 'n';
	v = size;
	memcpy(frame + 13, &v, 4);
	ns = (uint64_t *)PyBytes_AS_STRING(out);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO,
		       &(struct timeval){ .tv_sec = TCPDEV_TIMEOUT_S },
		       sizeof(struct timeval))) {
		ret = -errno;
		Py_DECREF(out);
		PyMem_Free(frame);
		return rpcdev_py_errno(ret);
	}

	Py_BEGIN_ALLOW_THREADS
	for (i = 0; i < count && !ret; i++) {
		uint64_t t0 = tcpdev_now_ns();

		ret = tcpdev_rpc(fd, frame, len, scratch);
		ns[i] = tcpdev_now_ns() - t0;
	}
	Py_END_ALLOW_THREADS
	PyMem_Free(frame);
	if (ret) {
		Py_DECREF(out);
		if (ret == -EPROTO) {
			PyErr_SetString(PyExc_ValueError,
					"the TCP host's reply is not an RPC reply");
			return NULL;
		}
		return rpcdev_py_errno(ret);
	}
	return out;
}
