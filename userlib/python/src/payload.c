// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Payload views: a handler reads an upcall's request in place, in the
 * queue's mapped ring memory, through a memoryview, and may write its reply
 * in place through another. Once the handler returns, the upcall is
 * answered and the device reuses that memory, so the views must end there.
 *
 * A memoryview cannot be taken back through the public C API: slices and
 * casts of it share its "managed buffer" and outlive it. The managed
 * buffer is released here the way CPython releases it itself (its flag,
 * then PyBuffer_Release()), which makes every memoryview of it raise
 * ValueError from then on. That reaches into CPython's memoryview structs
 * (declared in memoryobject.h, outside the limited API): this extension is
 * built for one CPython version, and the check below keeps it honest.
 *
 * The exporter (struct rpcdev_py_payload) holds its queue while a buffer
 * of it is out, so anything still holding the memory keeps the queue, and
 * its mapping, alive. A raw
 * buffer taken from a view (pickle.PickleBuffer(view), say) cannot be
 * revoked: the upcall then fails with BufferError and the view is kept by
 * the queue, whose close() refuses to unmap memory still exported. (One
 * case is beyond sight: a raw buffer taken from a slice of the view. The
 * slice is revoked, the raw buffer is not.)
 */
#include "rpcdev_py.h"

#if PY_VERSION_HEX < 0x030b0000 || PY_VERSION_HEX >= 0x030e0000
#error "payload views rely on memoryview internals checked for CPython 3.11 to 3.13"
#endif

static int payload_getbuffer(PyObject *self, Py_buffer *view, int flags)
{
	struct rpcdev_py_payload *p = (struct rpcdev_py_payload *)self;

	if (!p->buf) {
		PyErr_SetString(PyExc_BufferError,
				"an upcall's payload is only valid while its handler runs");
		return -1;
	}
	if (PyBuffer_FillInfo(view, self, p->buf, p->len, p->readonly, flags))
		return -1;
	if (!p->exports++) {
		Py_INCREF(p->queue);
		p->hold = (PyObject *)p->queue;
	}
	return 0;
}

static void payload_releasebuffer(PyObject *self, Py_buffer *view)
{
	struct rpcdev_py_payload *p = (struct rpcdev_py_payload *)self;

	(void)view;
	if (!--p->exports)
		Py_CLEAR(p->hold);
}

static int payload_traverse(PyObject *self, visitproc visit, void *arg)
{
	struct rpcdev_py_payload *p = (struct rpcdev_py_payload *)self;

	Py_VISIT(Py_TYPE(self));
	Py_VISIT(p->hold);
	return 0;
}

static int payload_clear(PyObject *self)
{
	struct rpcdev_py_payload *p = (struct rpcdev_py_payload *)self;

	Py_CLEAR(p->hold);
	return 0;
}

static void payload_dealloc(PyObject *self)
{
	PyTypeObject *tp = Py_TYPE(self);

	PyObject_GC_UnTrack(self);
	payload_clear(self);
	tp->tp_free(self);
	Py_DECREF(tp);
}

static PyType_Slot payload_slots[] = {
	{ Py_tp_doc, (void *)"The memory behind an upcall's payload view (private)." },
	{ Py_bf_getbuffer, payload_getbuffer },
	{ Py_bf_releasebuffer, payload_releasebuffer },
	{ Py_tp_traverse, payload_traverse },
	{ Py_tp_clear, payload_clear },
	{ Py_tp_dealloc, payload_dealloc },
	{ 0, NULL },
};

static PyType_Spec payload_spec = {
	.name = "rpcdev._Payload",
	.basicsize = sizeof(struct rpcdev_py_payload),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC |
		 Py_TPFLAGS_IMMUTABLETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
	.slots = payload_slots,
};

int rpcdev_py_add_payload(PyObject *mod, struct rpcdev_py_state *st)
{
	st->payload_type = (PyTypeObject *)PyType_FromModuleAndSpec(mod,
							&payload_spec, NULL);
	return st->payload_type ? 0 : -1;
}

/*
 * A payload object for a new view: the queue's spare one when nothing
 * holds it any more (the common case: no allocation), else a new one.
 */
static struct rpcdev_py_payload *payload_get(struct rpcdev_py_queue *q,
					     int writable)
{
	struct rpcdev_py_payload **spare = &q->spare[writable ? 1 : 0];
	struct rpcdev_py_payload *p = *spare;
	struct rpcdev_py_state *st;

	if (p && Py_REFCNT(p) == 1 && !p->exports) {
		Py_INCREF(p);
		return p;
	}
	st = rpcdev_py_state_of(Py_TYPE(q));
	if (!st)
		return NULL;
	p = PyObject_GC_New(struct rpcdev_py_payload, st->payload_type);
	if (!p)
		return NULL;
	p->queue = q;
	p->hold = NULL;
	p->buf = NULL;
	p->len = 0;
	p->readonly = !writable;
	p->exports = 0;
	PyObject_GC_Track(p);
	Py_INCREF(p);
	Py_XSETREF(*spare, p);
	return p;
}

/*
 * Point a view nobody else holds at another payload: what the view and
 * its managed buffer copied of the exporter's buffer (address, length, the
 * shape of one dimension). Saves the two objects a new view costs, on
 * every upcall.
 */
static void view_retarget(PyObject *view, void *buf, Py_ssize_t len)
{
	PyMemoryViewObject *mv = (PyMemoryViewObject *)view;

	mv->view.buf = buf;
	mv->view.len = len;
	mv->view.shape[0] = len;
	mv->hash = -1;
	mv->mbuf->master.buf = buf;
	mv->mbuf->master.len = len;
}

PyObject *rpcdev_py_view(struct rpcdev_py_queue *q, void *buf, size_t len,
			 int writable)
{
	PyObject **spare_view = &q->spare_views[writable ? 1 : 0];
	struct rpcdev_py_payload *p;
	PyObject *view;

	/* A zero-length view still needs an address of its own. */
	if (!buf)
		buf = (void *)"";
	view = *spare_view;
	if (view) {
		/* Ours alone since the last upcall (rpcdev_py_view_revoke()). */
		*spare_view = NULL;
		p = (struct rpcdev_py_payload *)PyMemoryView_GET_BASE(view);
		p->buf = buf;
		p->len = (Py_ssize_t)len;
		Py_INCREF(q);
		p->hold = (PyObject *)q;
		view_retarget(view, buf, (Py_ssize_t)len);
		return view;
	}
	p = payload_get(q, writable);
	if (!p)
		return NULL;
	p->buf = buf;
	p->len = (Py_ssize_t)len;
	view = PyMemoryView_FromObject((PyObject *)p);
	Py_DECREF(p);
	return view;
}

/* What CPython's own mbuf_release() does. */
static void view_release_managed(_PyManagedBufferObject *mbuf)
{
	if (mbuf->flags & _Py_MANAGED_BUFFER_RELEASED)
		return;
	mbuf->flags |= _Py_MANAGED_BUFFER_RELEASED;
	PyObject_GC_UnTrack(mbuf);
	PyBuffer_Release(&mbuf->master);
}

int rpcdev_py_view_revoke(PyObject *view)
{
	PyMemoryViewObject *mv = (PyMemoryViewObject *)view;
	_PyManagedBufferObject *mbuf = mv->mbuf;
	struct rpcdev_py_payload *p =
		(struct rpcdev_py_payload *)PyMemoryView_GET_BASE(view);
	struct rpcdev_py_queue *q = p->queue;
	PyObject **spare_view = &q->spare_views[p->readonly ? 0 : 1];
	/* The managed buffer's own hold on the exporter, while it has it. */
	int own = !(mbuf->flags & _Py_MANAGED_BUFFER_RELEASED);
	int ret = 0;

	/* The handler kept nothing: the view serves the next upcall. */
	if (own && Py_REFCNT(view) == 1 && mbuf->exports == 1 &&
	    !mv->exports && p->exports == 1 && !mv->weakreflist &&
	    !(mv->flags & _Py_MEMORYVIEW_RELEASED) && !*spare_view) {
		p->buf = NULL;
		/* A spare view must not keep its queue alive. */
		Py_CLEAR(p->hold);
		*spare_view = view;
		return 0;
	}
	if (!mv->exports && p->exports == own) {
		/* Views kept (slices, casts): they all refuse access now. */
		view_release_managed(mbuf);
		p->buf = NULL;
		Py_DECREF(view);
		return 0;
	}
	/*
	 * A raw buffer is out (of the view, or of its exporter): its holder
	 * reads the memory directly. Keep it mapped; close() checks again.
	 */
	if (!q->kept)
		q->kept = PyList_New(0);
	if (!q->kept || PyList_Append(q->kept, view))
		ret = -1;
	p->buf = NULL;
	Py_DECREF(view);
	if (ret)
		return -1;
	PyErr_SetString(PyExc_BufferError,
			"the handler kept a buffer of an upcall's payload past its return; "
			"copy what it needs (bytes(view)) instead");
	return -1;
}

/*
 * close(): revoke the kept views whose raw buffers were given back; 0 when
 * none is still exported, -1 with BufferError when one is.
 */
int rpcdev_py_kept_settle(struct rpcdev_py_queue *q)
{
	Py_ssize_t i, n;

	if (!q->kept)
		return 0;
	n = PyList_GET_SIZE(q->kept);
	for (i = n - 1; i >= 0; i--) {
		PyObject *view = PyList_GET_ITEM(q->kept, i);
		PyMemoryViewObject *mv = (PyMemoryViewObject *)view;
		struct rpcdev_py_payload *p =
			(struct rpcdev_py_payload *)PyMemoryView_GET_BASE(view);

		/* Only the view's own managed buffer holds the memory now. */
		if (mv->mbuf->flags & _Py_MANAGED_BUFFER_RELEASED ||
		    (!mv->exports && p->exports == 1)) {
			view_release_managed(mv->mbuf);
			if (PyList_SetSlice(q->kept, i, i + 1, NULL))
				return -1;
		}
	}
	if (PyList_GET_SIZE(q->kept)) {
		PyErr_SetString(PyExc_BufferError,
				"a buffer of an upcall's payload is still exported; "
				"release it before closing the queue");
		return -1;
	}
	return 0;
}
