/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * _rpcdev: the C half of the rpcdev Python package, over librpcdev's
 * public API (rpcdev.h) only. This header is shared by the extension's
 * files and is not installed.
 *
 * Threads and the GIL: every wait for the device (a downcall's answer, the
 * next upcall) runs with the GIL released; Python code (a handler, an
 * argument's conversion) runs with it held. Fields of the objects below
 * are only read or written with the GIL held, except struct rpcdev, which
 * the library lets one thread per direction drive at a time: the `calling`
 * and `serving` counts keep a second thread of a POLL or ADAPTIVE queue out
 * of a direction already in use, and `users` keeps close() from unmapping
 * the queue under a thread that waits without the GIL.
 */
#ifndef RPCDEV_PY_H
#define RPCDEV_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>

#include "rpcdev.h"

/* The module's state, found from any of its objects' types. */
struct rpcdev_py_state {
	PyObject *device_error;		/* rpcdev.DeviceError */
	PyTypeObject *device_type;	/* rpcdev.Device */
	PyTypeObject *queue_type;	/* the base of rpcdev.Queue */
	PyTypeObject *payload_type;	/* a payload's exporter (private) */
	PyTypeObject *info_type;	/* rpcdev.DeviceInfo */
	PyTypeObject *msg_type;		/* rpcdev.MailboxMessage */
};

/* Device: an open device, for info() (each queue opens its own file). */
struct rpcdev_py_device {
	PyObject_HEAD
	struct rpcdev dev;
	PyObject *path;			/* str */
	PyObject *weakrefs;
};

struct rpcdev_py_payload;

/* Queue: an open device file with one queue attached. */
struct rpcdev_py_queue {
	PyObject_HEAD
	struct rpcdev dev;
	PyObject *path;			/* str */
	PyObject *dict;			/* for the Python subclass' attributes */
	PyObject *weakrefs;
	unsigned int qid, depth, buf_size, policy;
	int attached;			/* dev is open with its queue */
	int users;			/* threads inside call() or serve() */
	int calling;			/* threads in call() */
	int serving;			/* threads serving upcalls */
	int stop;			/* stop() asked the serve loop to end */
	int closing;			/* close() waits for the users to leave */
	int close_deferred;		/* close() from a handler: at the end */
	/* The exporters of the last request and reply views, for reuse. */
	struct rpcdev_py_payload *spare[2];
	/* The last request and reply views, when nothing kept them. */
	PyObject *spare_views[2];
	/* Views whose raw buffers outlived their handler (payload.c). */
	PyObject *kept;
	/*
	 * An upcall an asyncio handler has not finished (serve.c): taken,
	 * not answered, its views alive until _finish().
	 */
	int pending;
	struct rpcdev_upcall_req pend_up;
	PyObject *pend_views[2];
};

/*
 * A payload's exporter: the buffer protocol over ring memory, handed to a
 * handler as a memoryview and revoked when the handler returns. While a
 * buffer of it is out it holds its queue, so whatever still holds the
 * memory keeps the mapping alive; idle (the queue's spare), it does not,
 * so a queue nobody refers to is closed at once, not by the collector.
 */
struct rpcdev_py_payload {
	PyObject_HEAD
	struct rpcdev_py_queue *queue;	/* borrowed: valid while buf is set */
	PyObject *hold;			/* the queue, while exports > 0 */
	void *buf;			/* NULL: disarmed, no buffer given */
	Py_ssize_t len;
	int readonly;
	int exports;			/* buffers given out, not released */
};

/* Module state from a type defined by the module. */
struct rpcdev_py_state *rpcdev_py_state_of(PyTypeObject *type);

/* device.c: the path Queue(dev, ...) opens (a Device's, or a path
 * argument as Device() takes it); a new reference, or NULL. */
PyObject *rpcdev_py_device_path(struct rpcdev_py_state *st, PyObject *arg);
/* device.c: open @path into @dev; 0, or -1 with OSError. */
int rpcdev_py_open(struct rpcdev *dev, PyObject *path);

/* payload.c: the kept views at close(); 0, or -1 with BufferError. */
int rpcdev_py_kept_settle(struct rpcdev_py_queue *q);

/* Raise the Python exception for a negative errno value; returns NULL. */
PyObject *rpcdev_py_errno(int err);
/* As rpcdev_py_errno(), for an operation on a file: with its name. */
PyObject *rpcdev_py_errno_path(int err, PyObject *path);

/*
 * Convert a timeout argument (None, or seconds as an int or float above
 * zero) into nanoseconds, 0 for None. 0 on success; -1 with an exception.
 */
int rpcdev_py_timeout(PyObject *obj, uint64_t *ns);

/* An unsigned 32-bit argument; 0, or -1 with an exception. */
int rpcdev_py_u32(PyObject *obj, const char *what, uint32_t *out);

/* Raise rpcdev.DeviceError for an answer that is not RPCDEV_STATUS_OK. */
PyObject *rpcdev_py_device_error(struct rpcdev_py_state *st, int status,
				 unsigned int flags, const void *payload,
				 size_t len);

/* ValueError for an operation on a closed queue or device; NULL. */
PyObject *rpcdev_py_closed(const char *what);

/* Types, made by the module's exec function. */
int rpcdev_py_add_device(PyObject *mod, struct rpcdev_py_state *st);
int rpcdev_py_add_queue(PyObject *mod, struct rpcdev_py_state *st);
int rpcdev_py_add_payload(PyObject *mod, struct rpcdev_py_state *st);

/* A queue's methods defined in serve.c, and their docstrings. */
PyObject *rpcdev_py_queue_serve(PyObject *self, PyObject *args,
				PyObject *kwds);
PyObject *rpcdev_py_queue_serve_ready(PyObject *self, PyObject *args,
				      PyObject *kwds);
PyObject *rpcdev_py_queue_finish(PyObject *self, PyObject *args,
				 PyObject *kwds);
PyObject *rpcdev_py_queue_serve_c(PyObject *self, PyObject *args,
				  PyObject *kwds);
extern const char rpcdev_py_serve_doc[];
extern const char rpcdev_py_serve_ready_doc[];
extern const char rpcdev_py_finish_doc[];
extern const char rpcdev_py_serve_c_doc[];

/* serve.c: does this thread serve @q (is close() called from a handler)? */
int rpcdev_py_serving_here(const struct rpcdev_py_queue *q);

/*
 * queue.c: enter a method that uses the attached queue (-1 with ValueError
 * when it is closed or closing), and leave it; close() waits for every
 * thread that entered to leave.
 */
int rpcdev_py_enter(struct rpcdev_py_queue *q);
void rpcdev_py_leave(struct rpcdev_py_queue *q);

/*
 * A memoryview of @len bytes at @buf owned by @q, read-only unless
 * @writable; NULL with an exception. rpcdev_py_view_revoke() ends it.
 */
PyObject *rpcdev_py_view(struct rpcdev_py_queue *q, void *buf, size_t len,
			 int writable);
/*
 * End a view made by rpcdev_py_view() (and drop the reference): every
 * memoryview of it, slices and casts included, refuses access from now
 * on. Returns 0, or -1 when an object still holds a raw buffer of it
 * (a pickle.PickleBuffer, say), which cannot be taken back: then a
 * BufferError is set and the caller fails the upcall.
 */
int rpcdev_py_view_revoke(PyObject *view);

/* The benchmark's TCP "device" (tcpdev.c): _rpcdev._tcp_device(). */
PyObject *rpcdev_py_tcp_device(PyObject *mod, PyObject *args,
			       PyObject *kwds);

#endif /* RPCDEV_PY_H */
