// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * _rpcdev.Queue: one queue pair of a device, attached to a file of its
 * own: downcalls, the mailbox, the descriptor and close(). Serving upcalls
 * is in serve.c. rpcdev.Queue (rpcdev/__init__.py) subclasses this type
 * with the asyncio methods.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rpcdev_py.h"

/* How often close() looks whether the queue's other users have left. */
#define QUEUE_CLOSE_POLL_US	1000

int rpcdev_py_enter(struct rpcdev_py_queue *q)
{
	if (!q->attached || q->closing) {
		rpcdev_py_closed("queue");
		return -1;
	}
	q->users++;
	return 0;
}

void rpcdev_py_leave(struct rpcdev_py_queue *q)
{
	q->users--;
}

/* The policy argument: a name ("adaptive") or a WAIT_* value. */
static int queue_policy_arg(PyObject *obj, unsigned int *policy)
{
	const char *name;
	uint32_t v;
	int ret;

	if (!obj) {
		*policy = RPCDEV_WAIT_ADAPTIVE;
		return 0;
	}
	if (PyLong_Check(obj)) {
		if (rpcdev_py_u32(obj, "policy", &v))
			return -1;
		if (!rpcdev_policy_name(v)) {
			PyErr_Format(PyExc_ValueError,
				     "unknown wait policy %u (WAIT_BLOCK, WAIT_POLL or WAIT_ADAPTIVE)",
				     v);
			return -1;
		}
		*policy = v;
		return 0;
	}
	if (!PyUnicode_Check(obj)) {
		PyErr_Format(PyExc_TypeError,
			     "policy must be a str or an int, not %.100s",
			     Py_TYPE(obj)->tp_name);
		return -1;
	}
	name = PyUnicode_AsUTF8(obj);
	if (!name)
		return -1;
	ret = rpcdev_policy_parse(name);
	if (ret < 0) {
		PyErr_Format(PyExc_ValueError,
			     "unknown wait policy %R (\"block\", \"poll\" or \"adaptive\")",
			     obj);
		return -1;
	}
	*policy = (unsigned int)ret;
	return 0;
}

/* An optional unsigned argument, 0 when absent or None. */
static int queue_uint_arg(PyObject *obj, const char *what, uint32_t *out)
{
	*out = 0;
	if (!obj || obj == Py_None)
		return 0;
	return rpcdev_py_u32(obj, what, out);
}

static int queue_init(PyObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "device", "qid", "policy", "depth",
				  "buf_size", "timestamps", NULL };
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;
	PyObject *devarg = NULL, *qidarg = NULL, *polarg = NULL;
	PyObject *deptharg = NULL, *bufarg = NULL, *path;
	struct rpcdev_py_state *st;
	uint32_t qid, depth, buf_size;
	unsigned int policy;
	int stamps = 0, ret;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOOOO$p:Queue", kwlist,
					 &devarg, &qidarg, &polarg, &deptharg,
					 &bufarg, &stamps))
		return -1;
	if (q->attached || q->users) {
		PyErr_SetString(PyExc_RuntimeError,
				"Queue.__init__() called on an open queue");
		return -1;
	}
	st = rpcdev_py_state_of(Py_TYPE(self));
	if (!st || queue_uint_arg(qidarg, "qid", &qid) ||
	    queue_policy_arg(polarg, &policy) ||
	    queue_uint_arg(deptharg, "depth", &depth) ||
	    queue_uint_arg(bufarg, "buf_size", &buf_size))
		return -1;
	path = rpcdev_py_device_path(st, devarg);
	if (!path)
		return -1;
	Py_XSETREF(q->path, path);
	if (rpcdev_py_open(&q->dev, path))
		return -1;

	Py_BEGIN_ALLOW_THREADS
	ret = rpcdev_queue_attach_policy(&q->dev, qid, depth, buf_size,
					 policy | (stamps ? RPCDEV_QUEUE_TIMESTAMPS : 0));
	Py_END_ALLOW_THREADS
	if (ret) {
		rpcdev_close(&q->dev);
		if (ret == -EINVAL && (depth & (depth - 1) ||
				       depth > RPCDEV_MAX_DEPTH))
			PyErr_Format(PyExc_ValueError,
				     "depth must be a power of two up to %u, not %u",
				     RPCDEV_MAX_DEPTH, depth);
		else if (ret == -E2BIG)
			PyErr_Format(PyExc_ValueError,
				     "buf_size %u is too large (at most %u, and depth * buf_size at most %u)",
				     buf_size, RPCDEV_MAX_PAYLOAD, RPCDEV_MAX_BUFS);
		else
			rpcdev_py_errno_path(ret, path);
		return -1;
	}
	q->qid = qid;
	q->policy = policy;
	q->depth = rpcdev_queue_depth(&q->dev);
	q->buf_size = rpcdev_queue_buf_size(&q->dev);
	q->attached = 1;
	return 0;
}

static PyObject *queue_new(PyTypeObject *type, PyObject *args,
			   PyObject *kwds)
{
	struct rpcdev_py_queue *q;

	(void)args;
	(void)kwds;
	q = (struct rpcdev_py_queue *)type->tp_alloc(type, 0);
	if (!q)
		return NULL;
	q->dev.fd = -1;
	return (PyObject *)q;
}

static int queue_traverse(PyObject *self, visitproc visit, void *arg)
{
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;

	Py_VISIT(Py_TYPE(self));
	Py_VISIT(q->dict);
	Py_VISIT(q->spare[0]);
	Py_VISIT(q->spare[1]);
	Py_VISIT(q->spare_views[0]);
	Py_VISIT(q->spare_views[1]);
	Py_VISIT(q->kept);
	Py_VISIT(q->pend_views[0]);
	Py_VISIT(q->pend_views[1]);
	return 0;
}

static int queue_clear(PyObject *self)
{
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;

	Py_CLEAR(q->dict);
	Py_CLEAR(q->spare_views[0]);
	Py_CLEAR(q->spare_views[1]);
	Py_CLEAR(q->spare[0]);
	Py_CLEAR(q->spare[1]);
	Py_CLEAR(q->kept);
	Py_CLEAR(q->pend_views[0]);
	Py_CLEAR(q->pend_views[1]);
	return 0;
}

static void queue_dealloc(PyObject *self)
{
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;
	PyTypeObject *tp = Py_TYPE(self);

	PyObject_GC_UnTrack(self);
	if (q->weakrefs)
		PyObject_ClearWeakRefs(self);
	/*
	 * Nothing can hold the mapped memory now: every payload exporter
	 * holds this queue. An upcall left pending gets the kernel's
	 * NO_SERVER answer when the file is closed.
	 */
	queue_clear(self);
	rpcdev_close(&q->dev);
	Py_CLEAR(q->path);
	tp->tp_free(self);
	Py_DECREF(tp);
}

PyDoc_STRVAR(queue_call_doc,
"call($self, method, data=b'', timeout=None)\n--\n\n"
"Call a method of the device and wait for its answer (a downcall): method\n"
"is the device's method number, data any bytes-like object of at most\n"
"buf_size bytes, timeout None (wait for as long as it takes) or seconds.\n"
"The wait runs without the GIL: other threads go on meanwhile.\n\n"
"Returns the answer's payload. Raises DeviceError when the method failed\n"
"(its error's name and message) or the device answered another status\n"
"than STATUS_OK; TimeoutError when no answer came in time; OSError with\n"
"errno ENODEV once the device is gone; InterruptedError when a signal\n"
"(or interrupt()) ended the wait, unless the signal's handler raised;\n"
"ValueError for a payload past the buffer or a closed queue. On a POLL or\n"
"ADAPTIVE queue one thread at a time may call (RuntimeError otherwise).");

static PyObject *queue_call(PyObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "method", "data", "timeout", NULL };
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;
	PyObject *marg, *targ = NULL, *resp = NULL;
	struct rpcdev_call_result res = { 0 };
	Py_buffer data = { 0 };
	struct rpcdev_py_state *st;
	uint64_t timeout;
	uint32_t method;
	int ret;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|y*O:call", kwlist,
					 &marg, &data, &targ))
		return NULL;
	st = rpcdev_py_state_of(Py_TYPE(self));
	if (!st || rpcdev_py_u32(marg, "method", &method) ||
	    rpcdev_py_timeout(targ, &timeout))
		goto out;
	if (data.len > (Py_ssize_t)q->buf_size && q->attached) {
		PyErr_Format(PyExc_ValueError,
			     "a request of %zd bytes does not fit the queue's %u-byte buffer",
			     data.len, q->buf_size);
		goto out;
	}
	if (q->calling && q->policy != RPCDEV_WAIT_BLOCK) {
		PyErr_SetString(PyExc_RuntimeError,
				"another thread is calling on this queue: a POLL or ADAPTIVE queue takes one caller at a time");
		goto out;
	}
	if (rpcdev_py_enter(q))
		goto out;
	resp = PyBytes_FromStringAndSize(NULL, q->buf_size);
	if (!resp) {
		rpcdev_py_leave(q);
		goto out;
	}
	q->calling++;
	Py_BEGIN_ALLOW_THREADS
	ret = rpcdev_call(&q->dev, method, data.buf, (size_t)data.len,
			  PyBytes_AS_STRING(resp), q->buf_size, timeout, &res);
	Py_END_ALLOW_THREADS
	q->calling--;
	rpcdev_py_leave(q);

	if (ret) {
		Py_CLEAR(resp);
		if (ret == -EINTR && PyErr_CheckSignals())
			goto out;
		if (ret == -EINTR && q->closing) {
			rpcdev_py_closed("queue");
			goto out;
		}
		rpcdev_py_errno(ret);
		goto out;
	}
	if (res.resp_len > q->buf_size)
		res.resp_len = q->buf_size;
	if (res.status != RPCDEV_STATUS_OK) {
		rpcdev_py_device_error(st, res.status, res.flags,
				       PyBytes_AS_STRING(resp), res.resp_len);
		Py_CLEAR(resp);
		goto out;
	}
	if (_PyBytes_Resize(&resp, res.resp_len))
		resp = NULL;
out:
	if (data.obj)
		PyBuffer_Release(&data);
	return resp;
}

/* The slot and value arguments of post() and store(). */
static int queue_mbox_args(PyObject *args, PyObject *kwds, const char *fmt,
			   uint32_t *slot, uint32_t *value)
{
	static char *kwlist[] = { "slot", "value", NULL };
	PyObject *sarg, *varg;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, fmt, kwlist, &sarg,
					 &varg))
		return -1;
	if (rpcdev_py_u32(sarg, "slot", slot) ||
	    rpcdev_py_u32(varg, "value", value))
		return -1;
	if (*slot >= RPCDEV_MBOX_SLOTS) {
		PyErr_Format(PyExc_ValueError, "slot must be 0 to %u, not %u",
			     RPCDEV_MBOX_SLOTS - 1, *slot);
		return -1;
	}
	return 0;
}

PyDoc_STRVAR(queue_store_doc,
"store($self, slot, value)\n--\n\n"
"Leave value (0 to 2**32 - 1) in host-to-device mailbox slot slot (0 to\n"
"MBOX_SLOTS - 1) with one store into the mapped page, no system call:\n"
"the device sees it with one load (a pause request, say). Returns the\n"
"slot's new sequence number. One poster per slot at a time.");

static PyObject *queue_store(PyObject *self, PyObject *args, PyObject *kwds)
{
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;
	uint32_t slot, value, seq;
	int ret;

	if (queue_mbox_args(args, kwds, "OO:store", &slot, &value))
		return NULL;
	if (!q->attached)
		return rpcdev_py_closed("queue");
	ret = rpcdev_mbox_store(&q->dev, slot, value, &seq);
	if (ret)
		return rpcdev_py_errno(ret);
	return PyLong_FromUnsignedLong(seq);
}

PyDoc_STRVAR(queue_store_timed_doc,
"_store_timed($self, slot, value)\n--\n\n"
"store(), and the CLOCK_MONOTONIC time in nanoseconds read just before\n"
"the store, for measuring how soon the device sees a post (the\n"
"benchmark's check_pause()).");

static PyObject *queue_store_timed(PyObject *self, PyObject *args,
				   PyObject *kwds)
{
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;
	uint32_t slot, value, seq;
	struct timespec ts;
	int ret;

	if (queue_mbox_args(args, kwds, "OO:_store_timed", &slot, &value))
		return NULL;
	if (!q->attached)
		return rpcdev_py_closed("queue");
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ret = rpcdev_mbox_store(&q->dev, slot, value, &seq);
	if (ret)
		return rpcdev_py_errno(ret);
	return Py_BuildValue("kK", (unsigned long)seq,
			     (unsigned long long)ts.tv_sec * 1000000000ULL +
			     (unsigned long long)ts.tv_nsec);
}

PyDoc_STRVAR(queue_post_doc,
"post($self, slot, value)\n--\n\n"
"As store(), through the kernel (one system call, RPCDEV_IOC_MBOX_POST),\n"
"which notices a device that is gone (OSError ENODEV). Returns the\n"
"slot's new sequence number.");

static PyObject *queue_post(PyObject *self, PyObject *args, PyObject *kwds)
{
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;
	uint32_t slot, value, seq;
	int ret;

	if (queue_mbox_args(args, kwds, "OO:post", &slot, &value))
		return NULL;
	if (!q->attached)
		return rpcdev_py_closed("queue");
	ret = rpcdev_mbox_post(&q->dev, slot, value, &seq);
	if (ret)
		return rpcdev_py_errno(ret);
	return PyLong_FromUnsignedLong(seq);
}

PyDoc_STRVAR(queue_read_doc,
"read($self)\n--\n\n"
"Take the oldest message the device left in the device-to-host mailbox,\n"
"or None when none waits; never sleeps. fileno() polls POLLPRI while\n"
"one waits (messages() waits for them in asyncio). OSError ENODEV once\n"
"the device is gone.");

static PyObject *queue_read(PyObject *self, PyObject *unused)
{
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;
	struct rpcdev_py_state *st = rpcdev_py_state_of(Py_TYPE(self));
	struct rpcdev_mbox_msg msg;
	PyObject *t;
	int ret;

	(void)unused;
	if (!st)
		return NULL;
	if (!q->attached)
		return rpcdev_py_closed("queue");
	ret = rpcdev_mbox_read(&q->dev, &msg);
	if (ret == -EAGAIN)
		Py_RETURN_NONE;
	if (ret)
		return rpcdev_py_errno(ret);
	t = PyStructSequence_New(st->msg_type);
	if (!t)
		return NULL;
	PyStructSequence_SetItem(t, 0, PyLong_FromUnsignedLongLong(msg.value));
	PyStructSequence_SetItem(t, 1, PyLong_FromUnsignedLong(msg.pending));
	PyStructSequence_SetItem(t, 2, PyLong_FromUnsignedLong(msg.lost));
	if (PyErr_Occurred()) {
		Py_DECREF(t);
		return NULL;
	}
	return t;
}

PyDoc_STRVAR(queue_fileno_doc,
"fileno($self)\n--\n\n"
"The queue's file descriptor, for select/poll/epoll or an event loop:\n"
"POLLIN while an upcall waits for a server, POLLPRI while a mailbox\n"
"message waits, POLLHUP once the device is gone. Owned by the queue.");

static PyObject *queue_fileno(PyObject *self, PyObject *unused)
{
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;

	(void)unused;
	if (!q->attached)
		return rpcdev_py_closed("queue");
	return PyLong_FromLong(rpcdev_fd(&q->dev));
}

PyDoc_STRVAR(queue_stop_doc,
"stop($self)\n--\n\n"
"Make serve() return once the upcall in hand (if any) is answered; from a\n"
"handler, or from another thread (within a few checks of the ring on a\n"
"POLL or ADAPTIVE queue, within 0.1 s on a BLOCK one).");

static PyObject *queue_stop(PyObject *self, PyObject *unused)
{
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;

	(void)unused;
	q->stop = 1;
	if (q->attached && q->policy != RPCDEV_WAIT_BLOCK)
		rpcdev_interrupt(&q->dev);
	Py_RETURN_NONE;
}

PyDoc_STRVAR(queue_interrupt_doc,
"interrupt($self)\n--\n\n"
"End the spinning wait of another thread's call() (InterruptedError) or\n"
"serve() (which goes on serving; use stop() to end it) on a POLL or\n"
"ADAPTIVE queue; async-signal-safe. ValueError on a BLOCK queue, whose\n"
"waits a signal ends.");

static PyObject *queue_interrupt(PyObject *self, PyObject *unused)
{
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;

	(void)unused;
	if (!q->attached)
		return rpcdev_py_closed("queue");
	if (rpcdev_interrupt(&q->dev)) {
		PyErr_SetString(PyExc_ValueError,
				"interrupt() needs a POLL or ADAPTIVE queue");
		return NULL;
	}
	Py_RETURN_NONE;
}

PyDoc_STRVAR(queue_set_spin_doc,
"set_spin($self, seconds, /)\n--\n\n"
"Cap how long an ADAPTIVE wait spins before it sleeps in the kernel\n"
"(0 restores the default, 200 us). ValueError on a BLOCK queue.");

static PyObject *queue_set_spin(PyObject *self, PyObject *arg)
{
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;
	double s = PyFloat_AsDouble(arg);

	if (s == -1.0 && PyErr_Occurred())
		return NULL;
	if (!(s >= 0.0) || s > 10.0) {
		PyErr_SetString(PyExc_ValueError,
				"the spin cap must be 0 to 10 seconds");
		return NULL;
	}
	if (!q->attached)
		return rpcdev_py_closed("queue");
	if (rpcdev_queue_set_spin(&q->dev, (uint64_t)(s * 1e9))) {
		PyErr_SetString(PyExc_ValueError,
				"set_spin() needs a POLL or ADAPTIVE queue");
		return NULL;
	}
	Py_RETURN_NONE;
}

PyDoc_STRVAR(queue_close_doc,
"close($self)\n--\n\n"
"Release the queue: the kernel answers upcalls not yet answered with\n"
"STATUS_NO_SERVER and frees the queue for another file. A call() or\n"
"serve() of another thread is ended first (POLL and ADAPTIVE waits at\n"
"once, BLOCK serve loops within 0.1 s; a BLOCK call() is waited for);\n"
"called from a handler, the serve loop closes the queue as it returns.\n"
"BufferError if an object still holds a raw buffer of an upcall's\n"
"payload (the memory would go from under it). Closing again does nothing.");

static PyObject *queue_close(PyObject *self, PyObject *unused)
{
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;
	int i;

	(void)unused;
	if (!q->attached)
		Py_RETURN_NONE;
	if (rpcdev_py_kept_settle(q))
		return NULL;
	q->closing = 1;
	q->stop = 1;
	if (rpcdev_py_serving_here(q)) {
		/* From a handler: the serve loop closes it as it returns. */
		q->close_deferred = 1;
		Py_RETURN_NONE;
	}
	while (q->users > 0) {
		if (q->policy != RPCDEV_WAIT_BLOCK)
			rpcdev_interrupt(&q->dev);
		Py_BEGIN_ALLOW_THREADS
		usleep(QUEUE_CLOSE_POLL_US);
		Py_END_ALLOW_THREADS
	}
	if (q->attached) {
		/* An asyncio handler's upcall: its views go with the memory. */
		for (i = 0; i < 2; i++) {
			PyObject *v = q->pend_views[i];

			q->pend_views[i] = NULL;
			if (v && rpcdev_py_view_revoke(v))
				PyErr_Clear();
		}
		q->pending = 0;
		q->attached = 0;
		rpcdev_close(&q->dev);
	}
	q->closing = 0;
	Py_RETURN_NONE;
}

static PyObject *queue_enter(PyObject *self, PyObject *unused)
{
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;

	(void)unused;
	if (!q->attached)
		return rpcdev_py_closed("queue");
	Py_INCREF(self);
	return self;
}

static PyObject *queue_exit(PyObject *self, PyObject *args)
{
	PyObject *ret;

	(void)args;
	ret = PyObject_CallMethod(self, "close", NULL);
	if (!ret)
		return NULL;
	Py_DECREF(ret);
	Py_RETURN_FALSE;
}

static PyObject *queue_get_closed(PyObject *self, void *closure)
{
	(void)closure;
	return PyBool_FromLong(!((struct rpcdev_py_queue *)self)->attached);
}

static PyObject *queue_get_policy(PyObject *self, void *closure)
{
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;

	(void)closure;
	return PyUnicode_FromString(rpcdev_policy_name(q->policy));
}

static PyObject *queue_repr(PyObject *self)
{
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;

	if (!q->path)
		return PyUnicode_FromFormat("<%s not open>",
					    Py_TYPE(self)->tp_name);
	return PyUnicode_FromFormat("<%s %R qid=%u policy=%s depth=%u buf_size=%u%s>",
				    Py_TYPE(self)->tp_name, q->path, q->qid,
				    rpcdev_policy_name(q->policy), q->depth,
				    q->buf_size, q->attached ? "" : " closed");
}

static PyMethodDef queue_methods[] = {
	{ "call", (PyCFunction)(void (*)(void))queue_call,
	  METH_VARARGS | METH_KEYWORDS, queue_call_doc },
	{ "serve", (PyCFunction)(void (*)(void))rpcdev_py_queue_serve,
	  METH_VARARGS | METH_KEYWORDS, rpcdev_py_serve_doc },
	{ "_serve_ready", (PyCFunction)(void (*)(void))rpcdev_py_queue_serve_ready,
	  METH_VARARGS | METH_KEYWORDS, rpcdev_py_serve_ready_doc },
	{ "_finish", (PyCFunction)(void (*)(void))rpcdev_py_queue_finish,
	  METH_VARARGS | METH_KEYWORDS, rpcdev_py_finish_doc },
	{ "_serve_c", (PyCFunction)(void (*)(void))rpcdev_py_queue_serve_c,
	  METH_VARARGS | METH_KEYWORDS, rpcdev_py_serve_c_doc },
	{ "store", (PyCFunction)(void (*)(void))queue_store,
	  METH_VARARGS | METH_KEYWORDS, queue_store_doc },
	{ "_store_timed", (PyCFunction)(void (*)(void))queue_store_timed,
	  METH_VARARGS | METH_KEYWORDS, queue_store_timed_doc },
	{ "post", (PyCFunction)(void (*)(void))queue_post,
	  METH_VARARGS | METH_KEYWORDS, queue_post_doc },
	{ "read", queue_read, METH_NOARGS, queue_read_doc },
	{ "fileno", queue_fileno, METH_NOARGS, queue_fileno_doc },
	{ "stop", queue_stop, METH_NOARGS, queue_stop_doc },
	{ "interrupt", queue_interrupt, METH_NOARGS, queue_interrupt_doc },
	{ "set_spin", queue_set_spin, METH_O, queue_set_spin_doc },
	{ "close", queue_close, METH_NOARGS, queue_close_doc },
	{ "__enter__", queue_enter, METH_NOARGS, "Return the queue." },
	{ "__exit__", queue_exit, METH_VARARGS, "Close the queue." },
	{ NULL, NULL, 0, NULL },
};

static PyMemberDef queue_members[] = {
	{ "path", T_OBJECT, offsetof(struct rpcdev_py_queue, path), READONLY,
	  "The device node's path." },
	{ "qid", T_UINT, offsetof(struct rpcdev_py_queue, qid), READONLY,
	  "The queue pair's number." },
	{ "depth", T_UINT, offsetof(struct rpcdev_py_queue, depth), READONLY,
	  "Call slots per direction (as the kernel chose them)." },
	{ "buf_size", T_UINT, offsetof(struct rpcdev_py_queue, buf_size),
	  READONLY, "Bytes of each payload buffer: the longest request or answer." },
	{ "__dictoffset__", T_PYSSIZET, offsetof(struct rpcdev_py_queue, dict),
	  READONLY, NULL },
	{ "__weaklistoffset__", T_PYSSIZET,
	  offsetof(struct rpcdev_py_queue, weakrefs), READONLY, NULL },
	{ NULL, 0, 0, 0, NULL },
};

static PyGetSetDef queue_getset[] = {
	{ "closed", queue_get_closed, NULL, "True once close() was called.",
	  NULL },
	{ "policy", queue_get_policy, NULL,
	  "How waits for the device are made: \"block\", \"poll\" or \"adaptive\".",
	  NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

PyDoc_STRVAR(queue_doc,
"Queue(device=None, qid=0, policy='adaptive', depth=None, buf_size=None, *, timestamps=False)\n--\n\n"
"The C base of rpcdev.Queue: see there.");

static PyType_Slot queue_slots[] = {
	{ Py_tp_doc, (void *)queue_doc },
	{ Py_tp_new, queue_new },
	{ Py_tp_init, queue_init },
	{ Py_tp_dealloc, queue_dealloc },
	{ Py_tp_traverse, queue_traverse },
	{ Py_tp_clear, queue_clear },
	{ Py_tp_repr, queue_repr },
	{ Py_tp_methods, queue_methods },
	{ Py_tp_members, queue_members },
	{ Py_tp_getset, queue_getset },
	{ 0, NULL },
};

static PyType_Spec queue_spec = {
	.name = "rpcdev._rpcdev.Queue",
	.basicsize = sizeof(struct rpcdev_py_queue),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC |
		 Py_TPFLAGS_BASETYPE,
	.slots = queue_slots,
};

int rpcdev_py_add_queue(PyObject *mod, struct rpcdev_py_state *st)
{
	st->queue_type = (PyTypeObject *)PyType_FromModuleAndSpec(mod,
							&queue_spec, NULL);
	if (!st->queue_type || PyModule_AddType(mod, st->queue_type))
		return -1;
	return 0;
}
