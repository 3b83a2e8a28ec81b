// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * _rpcdev: the module itself, its exceptions and the argument helpers the
 * types share. The public face is the rpcdev package (rpcdev/__init__.py),
 * which re-exports what is here.
 */
#include <errno.h>
#include <string.h>
#include <linux/rpcdev_sim.h>

#include "rpcdev_py.h"

static struct PyModuleDef rpcdev_py_module;

struct rpcdev_py_state *rpcdev_py_state_of(PyTypeObject *type)
{
	PyObject *mod = PyType_GetModuleByDef(type, &rpcdev_py_module);

	return mod ? PyModule_GetState(mod) : NULL;
}

PyObject *rpcdev_py_errno(int err)
{
	errno = -err;
	return PyErr_SetFromErrno(PyExc_OSError);
}

PyObject *rpcdev_py_errno_path(int err, PyObject *path)
{
	errno = -err;
	return PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
}

PyObject *rpcdev_py_closed(const char *what)
{
	PyErr_Format(PyExc_ValueError, "I/O operation on a closed %s", what);
	return NULL;
}

int rpcdev_py_timeout(PyObject *obj, uint64_t *ns)
{
	double s;

	*ns = 0;
	if (!obj || obj == Py_None)
		return 0;
	if (!PyFloat_Check(obj) && !PyLong_Check(obj)) {
		PyErr_Format(PyExc_TypeError,
			     "timeout must be None or a number of seconds, not %.100s",
			     Py_TYPE(obj)->tp_name);
		return -1;
	}
	s = PyFloat_AsDouble(obj);
	if (s == -1.0 && PyErr_Occurred())
		return -1;
	/* Written so that a NaN fails too. */
	if (!(s > 0.0) || s > 1e9) {
		PyErr_SetString(PyExc_ValueError,
				"timeout must be None or above 0 seconds (at most 1e9)");
		return -1;
	}
	*ns = (uint64_t)(s * 1e9);
	if (!*ns)
		*ns = 1;
	return 0;
}

int rpcdev_py_u32(PyObject *obj, const char *what, uint32_t *out)
{
	unsigned long long v;
	int overflow;

	if (!PyLong_Check(obj)) {
		PyErr_Format(PyExc_TypeError, "%s must be an int, not %.100s",
			     what, Py_TYPE(obj)->tp_name);
		return -1;
	}
	v = (unsigned long long)PyLong_AsLongLongAndOverflow(obj, &overflow);
	if (PyErr_Occurred())
		return -1;
	if (overflow || (long long)v < 0 || v > UINT32_MAX) {
		PyErr_Format(PyExc_ValueError, "%s must be 0 to %u", what,
			     UINT32_MAX);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

PyObject *rpcdev_py_device_error(struct rpcdev_py_state *st, int status,
				 unsigned int flags, const void *payload,
				 size_t len)
{
	const char *sname = rpcdev_status_name(status);
	struct rpcdev_error e;
	PyObject *exc, *name, *msg;

	if (status == RPCDEV_STATUS_ERROR && flags & RPCDEV_ENTRY_ERROR) {
		rpcdev_error_split(payload, len, &e);
		name = PyUnicode_DecodeUTF8(e.name, e.name_len, "replace");
		msg = PyUnicode_DecodeUTF8(e.message, e.message_len,
					   "replace");
	} else {
		/* No error payload: the status is all there is to say. */
		name = PyUnicode_FromString(sname ? sname : "UNKNOWN_STATUS");
		msg = PyUnicode_FromFormat("the device answered status %d (%s)",
					   status, sname ? sname : "unknown");
	}
	if (!name || !msg)
		goto out;
	exc = PyObject_CallFunction(st->device_error, "OOi", name, msg,
				    status);
	if (exc) {
		PyErr_SetObject(st->device_error, exc);
		Py_DECREF(exc);
	}
out:
	Py_XDECREF(name);
	Py_XDECREF(msg);
	return NULL;
}

PyDoc_STRVAR(policy_name_doc,
"policy_name($module, policy, /)\n--\n\n"
"Return the name (\"block\", \"poll\" or \"adaptive\") of a WAIT_* value.");

static PyObject *rpcdev_py_policy_name(PyObject *mod, PyObject *arg)
{
	const char *name;
	uint32_t v;

	(void)mod;
	if (rpcdev_py_u32(arg, "policy", &v))
		return NULL;
	name = rpcdev_policy_name(v);
	if (!name) {
		PyErr_Format(PyExc_ValueError, "unknown wait policy %u", v);
		return NULL;
	}
	return PyUnicode_FromString(name);
}

PyDoc_STRVAR(status_name_doc,
"status_name($module, status, /)\n--\n\n"
"Return the name (\"OK\", \"ERROR\", \"NO_METHOD\", \"BAD_REQUEST\", \"NO_SERVER\")\n"
"of a STATUS_* value, or None for a status this version does not know.");

static PyObject *rpcdev_py_status_name(PyObject *mod, PyObject *arg)
{
	const char *name;
	long v;

	(void)mod;
	v = PyLong_AsLong(arg);
	if (v == -1 && PyErr_Occurred())
		return NULL;
	name = v >= INT32_MIN && v <= INT32_MAX ?
	       rpcdev_status_name((int)v) : NULL;
	if (!name)
		Py_RETURN_NONE;
	return PyUnicode_FromString(name);
}

PyDoc_STRVAR(tcp_device_doc,
"_tcp_device($module, fd, count, size=0)\n--\n\n"
"For the benchmark (bench_artiq.py): act as a core device whose host\n"
"answers RPCs over the connected TCP socket fd, the way ARTIQ's does:\n"
"send count requests of size payload bytes, one at a time, each framed as\n"
"ARTIQ frames an RPC, and wait for each reply. Runs without the GIL and\n"
"times each round trip with CLOCK_MONOTONIC; returns the count round\n"
"trips in nanoseconds, as bytes of native 64-bit unsigned integers.");

static PyMethodDef rpcdev_py_functions[] = {
	{ "policy_name", rpcdev_py_policy_name, METH_O, policy_name_doc },
	{ "status_name", rpcdev_py_status_name, METH_O, status_name_doc },
	{ "_tcp_device", (PyCFunction)(void (*)(void))rpcdev_py_tcp_device,
	  METH_VARARGS | METH_KEYWORDS, tcp_device_doc },
	{ NULL, NULL, 0, NULL },
};

/* Integer constants, as the C names without their RPCDEV_ prefix. */
static const struct {
	const char *name;
	long value;
} rpcdev_py_constants[] = {
	{ "WAIT_BLOCK", RPCDEV_WAIT_BLOCK },
	{ "WAIT_POLL", RPCDEV_WAIT_POLL },
	{ "WAIT_ADAPTIVE", RPCDEV_WAIT_ADAPTIVE },
	{ "STATUS_OK", RPCDEV_STATUS_OK },
	{ "STATUS_ERROR", RPCDEV_STATUS_ERROR },
	{ "STATUS_NO_METHOD", RPCDEV_STATUS_NO_METHOD },
	{ "STATUS_BAD_REQUEST", RPCDEV_STATUS_BAD_REQUEST },
	{ "STATUS_NO_SERVER", RPCDEV_STATUS_NO_SERVER },
	{ "FEAT_INFO", RPCDEV_FEAT_INFO },
	{ "FEAT_DOWNCALL", RPCDEV_FEAT_DOWNCALL },
	{ "FEAT_UPCALL", RPCDEV_FEAT_UPCALL },
	{ "FEAT_MAILBOX", RPCDEV_FEAT_MAILBOX },
	{ "FEAT_USER_RINGS", RPCDEV_FEAT_USER_RINGS },
	{ "FEAT_RING_WAKE", RPCDEV_FEAT_RING_WAKE },
	{ "FEAT_ASYNC_NOACK", RPCDEV_FEAT_ASYNC_NOACK },
	{ "FEAT_DEV_GONE", RPCDEV_FEAT_DEV_GONE },
	{ "FEAT_URING_CMD", RPCDEV_FEAT_URING_CMD },
	{ "FEAT_REG_BUFS", RPCDEV_FEAT_REG_BUFS },
	{ "FEAT_INLINE", RPCDEV_FEAT_INLINE },
	{ "FEAT_URING_TIMEOUT", RPCDEV_FEAT_URING_TIMEOUT },
	{ "MBOX_SLOTS", RPCDEV_MBOX_SLOTS },
	{ "MBOX_DEPTH", RPCDEV_MBOX_DEPTH },
	{ "DEFAULT_DEPTH", RPCDEV_DEFAULT_DEPTH },
	{ "MAX_DEPTH", RPCDEV_MAX_DEPTH },
	{ "DEFAULT_BUF_SIZE", RPCDEV_DEFAULT_BUF_SIZE },
	{ "MAX_PAYLOAD", RPCDEV_MAX_PAYLOAD },
	{ "MAX_BUFS", RPCDEV_MAX_BUFS },
	{ "SIM_ECHO", RPCDEV_SIM_ECHO },
	{ "SIM_FAIL", RPCDEV_SIM_FAIL },
	{ "SIM_DELAY", RPCDEV_SIM_DELAY },
	{ "SIM_STATS", RPCDEV_SIM_STATS },
	{ "SIM_UPCALLS", RPCDEV_SIM_UPCALLS },
	{ "SIM_WATCH", RPCDEV_SIM_WATCH },
	{ "SIM_NOTIFY", RPCDEV_SIM_NOTIFY },
	{ "SIM_MBOX_COST", RPCDEV_SIM_MBOX_COST },
	{ "SIM_UPCALL_ASYNC", RPCDEV_SIM_UPCALL_ASYNC },
	{ "SIM_UPCALL_VERIFY", RPCDEV_SIM_UPCALL_VERIFY },
};

static int rpcdev_py_exec(PyObject *mod)
{
	struct rpcdev_py_state *st = PyModule_GetState(mod);
	PyObject *errors;
	size_t i;

	for (i = 0; i < sizeof(rpcdev_py_constants) /
			sizeof(rpcdev_py_constants[0]); i++)
		if (PyModule_AddIntConstant(mod, rpcdev_py_constants[i].name,
					    rpcdev_py_constants[i].value))
			return -1;

	/* Defined in Python, where an exception class reads best. */
	errors = PyImport_ImportModule("rpcdev._errors");
	if (!errors)
		return -1;
	st->device_error = PyObject_GetAttrString(errors, "DeviceError");
	Py_DECREF(errors);
	if (!st->device_error)
		return -1;
	if (rpcdev_py_add_payload(mod, st) || rpcdev_py_add_device(mod, st) ||
	    rpcdev_py_add_queue(mod, st))
		return -1;
	return 0;
}

static int rpcdev_py_traverse(PyObject *mod, visitproc visit, void *arg)
{
	struct rpcdev_py_state *st = PyModule_GetState(mod);

	Py_VISIT(st->device_error);
	Py_VISIT(st->device_type);
	Py_VISIT(st->queue_type);
	Py_VISIT(st->payload_type);
	Py_VISIT(st->info_type);
	Py_VISIT(st->msg_type);
	return 0;
}

static int rpcdev_py_clear(PyObject *mod)
{
	struct rpcdev_py_state *st = PyModule_GetState(mod);

	Py_CLEAR(st->device_error);
	Py_CLEAR(st->device_type);
	Py_CLEAR(st->queue_type);
	Py_CLEAR(st->payload_type);
	Py_CLEAR(st->info_type);
	Py_CLEAR(st->msg_type);
	return 0;
}

static void rpcdev_py_free(void *mod)
{
	rpcdev_py_clear(mod);
}

static PyModuleDef_Slot rpcdev_py_slots[] = {
	{ Py_mod_exec, rpcdev_py_exec },
	{ 0, NULL },
};

PyDoc_STRVAR(module_doc,
"The C half of the rpcdev package: use `import rpcdev`, which re-exports\n"
"everything here and adds asyncio support.");

static struct PyModuleDef rpcdev_py_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "rpcdev._rpcdev",
	.m_doc = module_doc,
	.m_size = sizeof(struct rpcdev_py_state),
	.m_methods = rpcdev_py_functions,
	.m_slots = rpcdev_py_slots,
	.m_traverse = rpcdev_py_traverse,
	.m_clear = rpcdev_py_clear,
	.m_free = rpcdev_py_free,
};

PyMODINIT_FUNC PyInit__rpcdev(void)
{
	return PyModuleDef_Init(&rpcdev_py_module);
}
