// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Serving upcalls from Python: Queue.serve() (a loop in the calling
 * thread) and Queue._serve_ready() / Queue._finish() (what the asyncio
 * server of rpcdev/__init__.py builds on). Each upcall goes to the handler
 * registered for its method, called with the GIL held; every wait for the
 * next upcall runs with the GIL released.
 *
 * A handler gets the request as a read-only memoryview of the ring memory
 * (payload.c) and returns the reply: bytes-like (copied into the reply
 * buffer), or None for an empty one. One marked with rpcdev.in_place gets a
 * writable memoryview of the reply buffer too and returns the number of
 * bytes it wrote there. An exception it raises is the upcall's answer: its
 * class name and message, as an error payload (what ARTIQ's host does). A
 * BaseException that is not an Exception (KeyboardInterrupt, SystemExit,
 * asyncio.CancelledError) is sent as well, then ends the loop.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "rpcdev_py.h"

/*
 * The longest a wait runs before the loop looks at signals, stop() and
 * the idle timeout (with the GIL, briefly): how late a stop() from another
 * thread or a Ctrl-C can be.
 */
#define SERVE_CHUNK_NS		(50 * 1000000ULL)
/* A "wait" that only takes what is there (the asyncio server). */
#define SERVE_NOWAIT_NS		1

struct serve_ctx {
	struct rpcdev_py_queue *q;
	PyObject *handlers;		/* method -> callable mapping */
	PyObject *last;			/* the last handler called ... */
	int last_in_place;		/* ... and whether it works in place */
	PyObject *views[2];		/* the upcall's request and reply views */
	Py_buffer stamps;		/* serve(stamps=): arrival times */
	Py_ssize_t nstamps;
};

static uint64_t serve_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void serve_reply_init(struct rpcdev_upcall_reply *reply,
			     const struct rpcdev_upcall_req *up)
{
	memset(reply, 0, sizeof(*reply));
	reply->id = up->id;
	reply->status = RPCDEV_STATUS_OK;
}

/* The handler of @method; a new reference, Py_None if none, NULL. */
static PyObject *serve_lookup(struct serve_ctx *c, unsigned int method)
{
	PyObject *key = PyLong_FromUnsignedLong(method), *h;

	if (!key)
		return NULL;
	if (PyDict_CheckExact(c->handlers)) {
		h = PyDict_GetItemWithError(c->handlers, key);
		Py_XINCREF(h);
		if (!h && !PyErr_Occurred()) {
			h = Py_None;
			Py_INCREF(h);
		}
	} else {
		h = PyObject_GetItem(c->handlers, key);
		if (!h && PyErr_ExceptionMatches(PyExc_KeyError)) {
			PyErr_Clear();
			h = Py_None;
			Py_INCREF(h);
		}
	}
	Py_DECREF(key);
	return h;
}

/* Does @h want the reply buffer (rpcdev.in_place)? 0, 1, or -1. */
static int serve_in_place(struct serve_ctx *c, PyObject *h)
{
	PyObject *flag;
	int ret;

	if (h == c->last)
		return c->last_in_place;
	flag = PyObject_GetAttrString(h, "_rpcdev_in_place");
	if (!flag) {
		if (!PyErr_ExceptionMatches(PyExc_AttributeError))
			return -1;
		PyErr_Clear();
		ret = 0;
	} else {
		ret = PyObject_IsTrue(flag);
		Py_DECREF(flag);
		if (ret < 0)
			return -1;
	}
	Py_INCREF(h);
	Py_XSETREF(c->last, h);
	c->last_in_place = ret;
	return ret;
}

/*
 * Call the handler of @up. A new reference to what it returned, or NULL
 * with its exception. The views it got stay in @c until serve_views_end().
 */
static PyObject *serve_call(struct serve_ctx *c,
			    const struct rpcdev_upcall_req *up)
{
	PyObject *h, *res = NULL;
	int in_place;

	h = serve_lookup(c, up->method);
	if (!h)
		return NULL;
	if (h == Py_None) {
		Py_DECREF(h);
		PyErr_Format(PyExc_NotImplementedError,
			     "no handler for method %u", up->method);
		return NULL;
	}
	in_place = serve_in_place(c, h);
	if (in_place < 0)
		goto out;
	c->views[0] = rpcdev_py_view(c->q, (void *)up->data, up->len, 0);
	if (!c->views[0])
		goto out;
	if (in_place) {
		c->views[1] = rpcdev_py_view(c->q, up->reply, up->reply_cap, 1);
		if (!c->views[1])
			goto out;
		res = PyObject_CallFunctionObjArgs(h, c->views[0], c->views[1],
						   NULL);
	} else {
		res = PyObject_CallOneArg(h, c->views[0]);
	}
out:
	Py_DECREF(h);
	return res;
}

/* Revoke the upcall's views; 0, or -1 with BufferError (payload.c). */
static int serve_views_end(PyObject **views)
{
	int ret = 0, i;

	for (i = 0; i < 2; i++) {
		PyObject *v = views[i];

		views[i] = NULL;
		if (v && rpcdev_py_view_revoke(v))
			ret = -1;
	}
	return ret;
}

/* Is @obj an awaitable (a coroutine, a future, ...)? */
static int serve_is_awaitable(PyObject *obj)
{
	PyAsyncMethods *am = Py_TYPE(obj)->tp_as_async;

	return am && am->am_await;
}

/*
 * Put what the handler returned into @reply (GIL held; the views still
 * valid). 0, or -1 with an exception, @reply then untouched.
 */
static int serve_result(struct serve_ctx *c,
			const struct rpcdev_upcall_req *up,
			struct rpcdev_upcall_reply *reply, PyObject *res,
			int in_place)
{
	Py_buffer b;
	Py_ssize_t n;

	if (res == Py_None) {
		reply->len = 0;
		return 0;
	}
	if (in_place && PyLong_Check(res)) {
		n = PyLong_AsSsize_t(res);
		if (n == -1 && PyErr_Occurred())
			return -1;
		if (n < 0 || (size_t)n > up->reply_cap) {
			PyErr_Format(PyExc_ValueError,
				     "an in-place handler returned %zd: the reply buffer has %zu bytes",
				     n, up->reply_cap);
			return -1;
		}
		reply->len = (size_t)n;
		return 0;
	}
	if (!PyObject_CheckBuffer(res)) {
		PyErr_Format(PyExc_TypeError,
			     "a handler returns a bytes-like object or None%s, not %.100s",
			     in_place ? " (or the int length of its reply)" : "",
			     Py_TYPE(res)->tp_name);
		return -1;
	}
	if (PyObject_GetBuffer(res, &b, PyBUF_SIMPLE))
		return -1;
	if ((size_t)b.len > up->reply_cap) {
		PyErr_Format(PyExc_ValueError,
			     "a reply of %zd bytes does not fit the queue's %zu-byte buffer",
			     b.len, up->reply_cap);
		PyBuffer_Release(&b);
		return -1;
	}
	/* It may be a view of the reply buffer itself. */
	memmove(up->reply, b.buf, (size_t)b.len);
	reply->len = (size_t)b.len;
	PyBuffer_Release(&b);
	(void)c;
	return 0;
}

/* A str's UTF-8, whatever it holds; a new bytes object or NULL. */
static PyObject *serve_utf8(PyObject *s)
{
	return s ? PyUnicode_AsEncodedString(s, "utf-8", "backslashreplace")
		 : NULL;
}

/*
 * The handler raised (the exception is set): make it the upcall's answer.
 * Returns 0 when the loop goes on (the exception is cleared; for an async
 * upcall, whose answer nobody reads, it is reported as unraisable), -1
 * when it must end (a BaseException that is not an Exception, left set).
 */
static int serve_fail(struct serve_ctx *c, const struct rpcdev_upcall_req *up,
		      struct rpcdev_upcall_reply *reply)
{
	PyObject *type, *value, *tb, *name = NULL, *msg = NULL;
	PyObject *bname = NULL, *bmsg = NULL;
	int fatal;

	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	fatal = !PyErr_GivenExceptionMatches(type, PyExc_Exception);
	if (up->flags & RPCDEV_ENTRY_ASYNC) {
		PyErr_Restore(type, value, tb);
		if (fatal)
			return -1;
		PyErr_WriteUnraisable(c->last ? c->last : Py_None);
		return 0;
	}

	name = PyType_GetName((PyTypeObject *)type);
	bname = serve_utf8(name);
	msg = value ? PyObject_Str(value) : NULL;
	bmsg = serve_utf8(msg);
	/* A failure to describe it must not lose the answer. */
	if (!bname || !bmsg)
		PyErr_Clear();
	serve_reply_init(reply, up);
	if (rpcdev_reply_error(up, reply,
			       bname ? PyBytes_AS_STRING(bname) : "Exception",
			       bmsg ? PyBytes_AS_STRING(bmsg) : "") &&
	    rpcdev_reply_error(up, reply, "Exception", ""))
		reply->status = RPCDEV_STATUS_ERROR;
	Py_XDECREF(name);
	Py_XDECREF(msg);
	Py_XDECREF(bname);
	Py_XDECREF(bmsg);
	if (fatal) {
		PyErr_Restore(type, value, tb);
		return -1;
	}
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	return 0;
}

/*
 * Finish an upcall whose handler returned @res (a reference taken; NULL
 * with the exception set): fill @reply, end the views. 0 to go on, -1
 * when the loop must end with the exception set (@reply is always filled).
 */
static int serve_complete(struct serve_ctx *c,
			  const struct rpcdev_upcall_req *up,
			  struct rpcdev_upcall_reply *reply, PyObject *res)
{
	PyObject *type = NULL, *value = NULL, *tb = NULL;
	int in_place = c->views[1] != NULL;
	int kept;

	serve_reply_init(reply, up);
	if (res && !(up->flags & RPCDEV_ENTRY_ASYNC) &&
	    serve_result(c, up, reply, res, in_place))
		Py_CLEAR(res);
	/* Dropped before the views end: a handler returning its request
	 * keeps nothing. */
	if (res)
		Py_DECREF(res);
	else
		PyErr_Fetch(&type, &value, &tb);
	kept = serve_views_end(c->views);
	if (type) {
		/* The handler's exception says more than a kept view. */
		if (kept)
			PyErr_Clear();
		PyErr_Restore(type, value, tb);
	} else if (!kept) {
		return 0;
	}
	return serve_fail(c, up, reply);
}

/* One upcall, start to end (the blocking loop's). 0 or -1. */
static int serve_dispatch(struct serve_ctx *c,
			  const struct rpcdev_upcall_req *up,
			  struct rpcdev_upcall_reply *reply)
{
	PyObject *res = serve_call(c, up);

	if (res && serve_is_awaitable(res)) {
		PyObject *r = PyObject_CallMethod(res, "close", NULL);

		Py_XDECREF(r);
		PyErr_Clear();
		Py_DECREF(res);
		PyErr_Format(PyExc_TypeError,
			     "the handler of method %u returned an awaitable: serve it with serve_async()",
			     up->method);
		res = NULL;
	}
	return serve_complete(c, up, reply, res);
}

/*
 * Answer the upcall of @reply, with the GIL released; an exception being
 * raised is kept. On a refused answer (it cannot be one of ours, but the
 * device may be gone) nothing more can be done: the kernel answers for us
 * when the file is closed.
 */
static int serve_answer(struct rpcdev_py_queue *q,
			const struct rpcdev_upcall_reply *reply)
{
	int ret;

	Py_BEGIN_ALLOW_THREADS
	ret = rpcdev_upcall_reply(&q->dev, reply);
	Py_END_ALLOW_THREADS
	return ret;
}

/* serve()'s arguments, into @c; 0 or -1. */
static int serve_parse_handlers(PyObject *handlers)
{
	/* A sequence has __getitem__ too; a mapping has keys(). */
	if (!PyDict_Check(handlers) &&
	    (!PyMapping_Check(handlers) ||
	     !PyObject_HasAttrString(handlers, "keys"))) {
		PyErr_Format(PyExc_TypeError,
			     "handlers must be a mapping of method numbers to callables, not %.100s",
			     Py_TYPE(handlers)->tp_name);
		return -1;
	}
	return 0;
}

static int serve_parse_stamps(struct serve_ctx *c, PyObject *obj)
{
	const char *f;

	if (!obj || obj == Py_None)
		return 0;
	if (PyObject_GetBuffer(obj, &c->stamps,
			       PyBUF_WRITABLE | PyBUF_FORMAT | PyBUF_C_CONTIGUOUS)) {
		if (!PyErr_ExceptionMatches(PyExc_BufferError) &&
		    !PyErr_ExceptionMatches(PyExc_TypeError))
			return -1;
		PyErr_Clear();
		c->stamps.obj = NULL;
		goto bad;
	}
	f = c->stamps.format ? c->stamps.format : "B";
	if (*f == '@' || *f == '=')
		f++;
	if (c->stamps.itemsize == 8 && *f && strchr("QqLl", *f) && !f[1]) {
		c->nstamps = c->stamps.len / 8;
		return 0;
	}
	PyBuffer_Release(&c->stamps);
bad:
	PyErr_Format(PyExc_TypeError,
		     "stamps must be a writable buffer of 8-byte integers (array('Q')), not %.100s",
		     Py_TYPE(obj)->tp_name);
	return -1;
}

static void serve_ctx_fini(struct serve_ctx *c)
{
	serve_views_end(c->views);
	Py_CLEAR(c->last);
	if (c->stamps.obj)
		PyBuffer_Release(&c->stamps);
}

/*
 * The queues this thread serves, innermost first: close() called from a
 * handler must not wait for its own serve loop to leave.
 */
struct serve_frame {
	struct rpcdev_py_queue *q;
	struct serve_frame *up;
};

static _Thread_local struct serve_frame *serve_frames;

int rpcdev_py_serving_here(const struct rpcdev_py_queue *q)
{
	const struct serve_frame *f;

	for (f = serve_frames; f; f = f->up)
		if (f->q == q)
			return 1;
	return 0;
}

/* Keep a second server off a POLL or ADAPTIVE queue; enter it. */
static int serve_begin(struct rpcdev_py_queue *q, struct serve_frame *f)
{
	if (q->pending) {
		PyErr_SetString(PyExc_RuntimeError,
				"an asyncio handler of this queue has not finished its upcall");
		return -1;
	}
	if (q->serving && q->policy != RPCDEV_WAIT_BLOCK) {
		PyErr_SetString(PyExc_RuntimeError,
				"another thread serves this queue: a POLL or ADAPTIVE queue takes one server at a time");
		return -1;
	}
	if (rpcdev_py_enter(q))
		return -1;
	q->serving++;
	f->q = q;
	f->up = serve_frames;
	serve_frames = f;
	return 0;
}

/*
 * Leave the queue; when close() was called from a handler, close it now.
 * 0, or -1 with the exception close() raised.
 */
static int serve_end(struct rpcdev_py_queue *q, struct serve_frame *f)
{
	PyObject *r, *type, *value, *tb;

	serve_frames = f->up;
	q->serving--;
	rpcdev_py_leave(q);
	if (!q->close_deferred || rpcdev_py_serving_here(q))
		return 0;
	q->close_deferred = 0;
	q->closing = 0;
	/* An exception ending the loop stays the one raised. */
	PyErr_Fetch(&type, &value, &tb);
	r = PyObject_CallMethod((PyObject *)q, "close", NULL);
	Py_XDECREF(r);
	if (type) {
		PyErr_Clear();
		PyErr_Restore(type, value, tb);
		return 0;
	}
	return r ? 0 : -1;
}

/* serve()'s and _serve_c()'s count: None (no limit, 0) or at least 1. */
static int serve_parse_count(PyObject *obj, uint64_t *count)
{
	*count = 0;
	if (obj == Py_None)
		return 0;
	*count = PyLong_AsUnsignedLongLong(obj);
	if (*count == (uint64_t)-1 && PyErr_Occurred())
		return -1;
	if (!*count) {
		PyErr_SetString(PyExc_ValueError,
				"count must be None or at least 1");
		return -1;
	}
	return 0;
}

/*
 * The idle timeout (serve(timeout=)), kept without reading the clock on
 * each upcall: a wait that timed out lasted at least its chunk, so the
 * chunks of the waits that timed out since the last upcall are a lower
 * bound of the time without one. Only an interrupted wait (-EINTR: a
 * signal, interrupt()) reads the clock, from the first such wait on.
 */
struct serve_idle {
	uint64_t limit;		/* the timeout in ns; 0: none */
	uint64_t waited;	/* ns known to have passed without an upcall */
	uint64_t since;		/* a time without an upcall since, or 0 */
};

/*
 * How long the next wait may run, in @chunk: at most SERVE_CHUNK_NS, and
 * not past the idle timeout. 0 when the idle timeout is over, else 1.
 */
static int serve_idle_chunk(const struct serve_idle *idle, uint64_t *chunk)
{
	*chunk = SERVE_CHUNK_NS;
	if (!idle->limit)
		return 1;
	if (idle->waited >= idle->limit)
		return 0;
	if (idle->limit - idle->waited < *chunk)
		*chunk = idle->limit - idle->waited;
	return 1;
}

/* A wait of @chunk ended with @ret: 0 (an upcall), -ETIMEDOUT or -EINTR. */
static void serve_idle_note(struct serve_idle *idle, int ret, uint64_t chunk)
{
	uint64_t now;

	if (!ret) {
		idle->waited = idle->since = 0;
	} else if (ret == -ETIMEDOUT) {
		idle->waited += chunk;
	} else if (ret == -EINTR && idle->limit) {
		now = serve_now_ns();
		if (!idle->since)
			idle->since = now;
		else if (now - idle->since > idle->waited)
			idle->waited = now - idle->since;
	}
}

const char rpcdev_py_serve_doc[] =
"serve($self, handlers, *, count=None, timeout=None, stamps=None)\n--\n\n"
"Serve the device's upcalls in this thread until stop(), count upcalls,\n"
"or timeout seconds without one; return how many were served.\n\n"
"handlers maps a method number to a callable. It is called with the\n"
"request, a read-only memoryview of the payload in place in the ring, and\n"
"returns the reply: a bytes-like object (copied into the reply buffer) or\n"
"None for an empty one; a handler marked with @rpcdev.in_place also gets\n"
"a writable memoryview of the reply buffer and returns how many bytes it\n"
"wrote. The views are valid while the handler runs and raise ValueError\n"
"after (copy with bytes(view) what must outlive it). An exception the\n"
"handler raises is the upcall's answer: the device gets its class name and\n"
"message (rpcdev_sim re-raises it as the downcall's DeviceError).\n"
"Fire-and-forget upcalls go to the same handlers, in the order the device\n"
"made them; their replies and exceptions reach nobody (exceptions are\n"
"reported as unraisable). An upcall with no handler is answered with\n"
"NotImplementedError.\n\n"
"Every wait runs without the GIL; handlers run with it (on POLL and\n"
"ADAPTIVE queues, a server that has just answered glances at the ring\n"
"for the next upcall before it lets the GIL go). A signal handler\n"
"that raises (Ctrl-C) ends the loop within 50 ms, after the upcall in hand\n"
"is answered (with the exception, when a handler raised it). stamps, a\n"
"writable buffer of 8-byte integers (array('Q', bytes(8 * n))), receives\n"
"the CLOCK_MONOTONIC time in ns at which each upcall was taken, until it\n"
"is full. OSError ENODEV once the device is gone; RuntimeError for a\n"
"second server of a POLL or ADAPTIVE queue.";

PyObject *rpcdev_py_queue_serve(PyObject *self, PyObject *args,
				PyObject *kwds)
{
	static char *kwlist[] = { "handlers", "count", "timeout", "stamps",
				  NULL };
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;
	PyObject *handlers, *countarg = Py_None, *targ = NULL;
	PyObject *stamparg = NULL;
	struct serve_ctx c = { .q = q };
	struct rpcdev_upcall_req up;
	struct rpcdev_upcall_reply reply;
	struct serve_frame frame;
	struct serve_idle idle = { 0 };
	uint64_t chunk, t = 0, count, served = 0;
	int ret, have = 0, failed = 0;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|$OOO:serve", kwlist,
					 &handlers, &countarg, &targ,
					 &stamparg))
		return NULL;
	if (serve_parse_handlers(handlers) ||
	    rpcdev_py_timeout(targ, &idle.limit) ||
	    serve_parse_count(countarg, &count))
		return NULL;
	c.handlers = handlers;
	if (serve_parse_stamps(&c, stamparg))
		return NULL;
	if (serve_begin(q, &frame)) {
		serve_ctx_fini(&c);
		return NULL;
	}
	q->stop = 0;

	for (;;) {
		if (q->stop || q->closing || (count && served >= count) ||
		    !serve_idle_chunk(&idle, &chunk))
			break;
		ret = -ETIMEDOUT;
		if (have && q->policy != RPCDEV_WAIT_BLOCK) {
			/*
			 * A glance at the ring for the next upcall, GIL held
			 * (a few dozen loads, no wait: far below the 5 ms any
			 * other thread waits for the GIL anyway). In a burst,
			 * and for sync upcalls from a device that answers
			 * quickly, the GIL then stays with the server instead
			 * of going back and forth on every upcall.
			 */
			ret = rpcdev_upcall_reply_and_wait(&q->dev, &reply,
							   SERVE_NOWAIT_NS, &up);
			if (ret == -ETIMEDOUT)
				have = 0;	/* the answer went */
			else if (!ret && c.nstamps)
				t = serve_now_ns();
		}
		if (ret == -ETIMEDOUT) {
			Py_BEGIN_ALLOW_THREADS
			if (have)
				ret = rpcdev_upcall_reply_and_wait(&q->dev,
								   &reply,
								   chunk, &up);
			else
				ret = rpcdev_upcall_wait(&q->dev, chunk, &up);
			if (!ret && c.nstamps)
				t = serve_now_ns();
			Py_END_ALLOW_THREADS
		}
		/* Only these mean the answer was not sent. */
		if (have && ret != -EINVAL && ret != -E2BIG && ret != -EFAULT &&
		    ret != -EIO)
			have = 0;
		/* A timeout here is the full wait's, not the glance's. */
		serve_idle_note(&idle, ret, chunk);
		if (ret == -ETIMEDOUT || ret == -EINTR) {
			if (PyErr_CheckSignals()) {
				failed = 1;
				break;
			}
			continue;
		}
		if (ret) {
			rpcdev_py_errno(ret);
			failed = 1;
			break;
		}
		served++;
		if (c.nstamps && (uint64_t)c.nstamps >= served)
			((uint64_t *)c.stamps.buf)[served - 1] = t;
		have = 1;
		if (serve_dispatch(&c, &up, &reply)) {
			failed = 1;
			break;
		}
	}
	/* Whatever ended the loop, the device is not left waiting. */
	if (have)
		serve_answer(q, &reply);
	serve_ctx_fini(&c);
	if (serve_end(q, &frame) && !failed)
		failed = 1;
	if (failed)
		return NULL;
	return PyLong_FromUnsignedLongLong(served);
}

/* _serve_c(): librpcdev's own serve loop, with an empty C handler. */
struct serve_c_ctx {
	uint64_t want, served;
};

static int serve_c_empty(void *arg, const struct rpcdev_upcall_req *up,
			 struct rpcdev_upcall_reply *reply)
{
	struct serve_c_ctx *c = arg;

	(void)up;
	reply->len = 0;
	return ++c->served >= c->want ? RPCDEV_SERVE_STOP : 0;
}

const char rpcdev_py_serve_c_doc[] =
"_serve_c($self, count=None, *, timeout=None)\n--\n\n"
"For the benchmark (bench_artiq.py): serve count upcalls (None: until\n"
"stop(), close() or the timeout) with the C server, librpcdev's\n"
"rpcdev_serve() and an empty reply written in C, as a C program would,\n"
"without the GIL; return how many were served. Ends early after timeout\n"
"seconds without an upcall.";

PyObject *rpcdev_py_queue_serve_c(PyObject *self, PyObject *args,
				  PyObject *kwds)
{
	static char *kwlist[] = { "count", "timeout", NULL };
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;
	PyObject *countarg = Py_None, *targ = NULL;
	struct serve_c_ctx c = { 0 };
	struct serve_frame frame;
	struct serve_idle idle = { 0 };
	uint64_t chunk;
	int ret, failed = 0;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O$O:_serve_c", kwlist,
					 &countarg, &targ) ||
	    rpcdev_py_timeout(targ, &idle.limit) ||
	    serve_parse_count(countarg, &c.want))
		return NULL;
	if (!c.want)
		c.want = UINT64_MAX;
	if (serve_begin(q, &frame))
		return NULL;
	q->stop = 0;
	/* In chunks, so that signals, stop() and close() are seen. */
	while (c.served < c.want && !q->stop && !q->closing &&
	       serve_idle_chunk(&idle, &chunk)) {
		uint64_t before = c.served;

		Py_BEGIN_ALLOW_THREADS
		ret = rpcdev_serve(&q->dev, serve_c_empty, &c, chunk);
		Py_END_ALLOW_THREADS
		/* Its timeout counts from its last upcall. */
		if (c.served != before)
			serve_idle_note(&idle, 0, 0);
		serve_idle_note(&idle, ret, chunk);
		if (ret == RPCDEV_SERVE_STOP)
			break;
		if (ret != -ETIMEDOUT && ret != -EINTR) {
			rpcdev_py_errno(ret);
			failed = 1;
			break;
		}
		if (PyErr_CheckSignals()) {
			failed = 1;
			break;
		}
	}
	if (serve_end(q, &frame) && !failed)
		failed = 1;
	if (failed)
		return NULL;
	return PyLong_FromUnsignedLongLong(c.served);
}

const char rpcdev_py_serve_ready_doc[] =
"_serve_ready($self, handlers, limit=None)\n--\n\n"
"For the asyncio server: serve the upcalls already waiting (return\n"
"(served, awaitable or None)), without\n"
"waiting for more and without releasing the GIL, up to limit of them. A\n"
"handler that returns an awaitable stops the run: its upcall stays taken,\n"
"with its views valid, until _finish() answers it with the awaitable's\n"
"result; the awaitable is returned beside the count.";

PyObject *rpcdev_py_queue_serve_ready(PyObject *self, PyObject *args,
				      PyObject *kwds)
{
	static char *kwlist[] = { "handlers", "limit", NULL };
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;
	PyObject *handlers, *limitarg = Py_None, *res, *aw = NULL;
	struct serve_ctx c = { .q = q };
	struct rpcdev_upcall_req up;
	struct rpcdev_upcall_reply reply;
	struct serve_frame frame;
	uint64_t limit = UINT64_MAX, served = 0;
	int ret, have = 0, failed = 0;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:_serve_ready", kwlist,
					 &handlers, &limitarg))
		return NULL;
	if (serve_parse_handlers(handlers))
		return NULL;
	if (limitarg != Py_None) {
		limit = PyLong_AsUnsignedLongLong(limitarg);
		if (limit == (uint64_t)-1 && PyErr_Occurred())
			return NULL;
	}
	c.handlers = handlers;
	if (serve_begin(q, &frame))
		return NULL;

	while (served < limit) {
		if (have)
			ret = rpcdev_upcall_reply_and_wait(&q->dev, &reply,
							   SERVE_NOWAIT_NS, &up);
		else
			ret = rpcdev_upcall_wait(&q->dev, SERVE_NOWAIT_NS, &up);
		if (have && ret != -EINVAL && ret != -E2BIG && ret != -EFAULT &&
		    ret != -EIO)
			have = 0;
		if (ret == -ETIMEDOUT || ret == -EINTR)
			break;
		if (ret) {
			rpcdev_py_errno(ret);
			failed = 1;
			break;
		}
		served++;
		have = 1;
		res = serve_call(&c, &up);
		if (res && serve_is_awaitable(res)) {
			/* Answered by _finish(), once it is done. */
			have = 0;
			q->pending = 1;
			q->pend_up = up;
			q->pend_views[0] = c.views[0];
			q->pend_views[1] = c.views[1];
			c.views[0] = c.views[1] = NULL;
			aw = res;
			break;
		}
		if (serve_complete(&c, &up, &reply, res)) {
			failed = 1;
			break;
		}
	}
	if (have)
		serve_answer(q, &reply);
	serve_ctx_fini(&c);
	if (serve_end(q, &frame) && !failed)
		failed = 1;
	if (failed) {
		Py_XDECREF(aw);
		return NULL;
	}
	return Py_BuildValue("KN", (unsigned long long)served,
			     aw ? aw : Py_NewRef(Py_None));
}

const char rpcdev_py_finish_doc[] =
"_finish($self, result=None, error=None)\n--\n\n"
"Answer the upcall _serve_ready() left to an awaitable: with result (as a\n"
"handler's return value) or, when error is an exception, with it. Re-raises\n"
"error when it is a BaseException that is not an Exception.";

PyObject *rpcdev_py_queue_finish(PyObject *self, PyObject *args,
				 PyObject *kwds)
{
	static char *kwlist[] = { "result", "error", NULL };
	struct rpcdev_py_queue *q = (struct rpcdev_py_queue *)self;
	PyObject *res = Py_None, *err = Py_None;
	struct serve_ctx c = { .q = q };
	struct rpcdev_upcall_reply reply;
	int ret;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OO:_finish", kwlist,
					 &res, &err))
		return NULL;
	if (!q->pending) {
		PyErr_SetString(PyExc_RuntimeError, "no upcall awaits an answer");
		return NULL;
	}
	if (err != Py_None && !PyExceptionInstance_Check(err)) {
		PyErr_SetString(PyExc_TypeError, "error must be an exception");
		return NULL;
	}
	q->pending = 0;
	c.views[0] = q->pend_views[0];
	c.views[1] = q->pend_views[1];
	q->pend_views[0] = q->pend_views[1] = NULL;
	if (err != Py_None) {
		PyErr_SetObject((PyObject *)Py_TYPE(err), err);
		res = NULL;
	} else {
		Py_INCREF(res);
	}
	ret = serve_complete(&c, &q->pend_up, &reply, res);
	serve_ctx_fini(&c);
	if (q->attached)
		serve_answer(q, &reply);
	if (ret)
		return NULL;
	Py_RETURN_NONE;
}
