// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * _rpcdev.Device: an open rpcdev device, to ask what it is. Queues open the
 * device again (a file has at most one queue), from the path kept here.
 */
#include <errno.h>
#include <string.h>

#include "rpcdev_py.h"

#define DEVICE_DEFAULT_PATH	"/dev/rpcdev0"

/*
 * The path of a device argument: None (/dev/rpcdev0), an int N
 * (/dev/rpcdevN), a str or an os.PathLike. A new reference to a str, or
 * NULL with an exception.
 */
static PyObject *device_path_arg(PyObject *arg)
{
	PyObject *path = NULL;
	uint32_t index;

	if (!arg || arg == Py_None)
		return PyUnicode_FromString(DEVICE_DEFAULT_PATH);
	if (PyLong_Check(arg)) {
		if (rpcdev_py_u32(arg, "device index", &index))
			return NULL;
		return PyUnicode_FromFormat("/dev/rpcdev%u", index);
	}
	if (!PyUnicode_FSDecoder(arg, &path))
		return NULL;
	return path;
}

/*
 * The path to open for Queue(dev, ...): a Device's path, or what
 * device_path_arg() takes. Shared with queue.c.
 */

PyObject *rpcdev_py_device_path(struct rpcdev_py_state *st, PyObject *arg)
{
	if (arg && PyObject_TypeCheck(arg, st->device_type)) {
		struct rpcdev_py_device *d = (struct rpcdev_py_device *)arg;

		Py_INCREF(d->path);
		return d->path;
	}
	return device_path_arg(arg);
}

/* Open @path into @dev with the GIL released; 0 or -1 with OSError. */

int rpcdev_py_open(struct rpcdev *dev, PyObject *path)
{
	PyObject *bytes;
	int ret;

	if (!PyUnicode_FSConverter(path, &bytes))
		return -1;
	if (strlen(PyBytes_AS_STRING(bytes)) !=
	    (size_t)PyBytes_GET_SIZE(bytes)) {
		Py_DECREF(bytes);
		PyErr_SetString(PyExc_ValueError, "embedded null byte in path");
		return -1;
	}
	Py_BEGIN_ALLOW_THREADS
	ret = rpcdev_open(dev, PyBytes_AS_STRING(bytes));
	Py_END_ALLOW_THREADS
	Py_DECREF(bytes);
	if (ret) {
		rpcdev_py_errno_path(ret, path);
		return -1;
	}
	return 0;
}

static int device_init(PyObject *self, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "path", NULL };
	struct rpcdev_py_device *d = (struct rpcdev_py_device *)self;
	PyObject *arg = NULL, *path;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:Device", kwlist,
					 &arg))
		return -1;
	path = device_path_arg(arg);
	if (!path)
		return -1;
	rpcdev_close(&d->dev);
	Py_XSETREF(d->path, path);
	return rpcdev_py_open(&d->dev, path);
}

static PyObject *device_new(PyTypeObject *type, PyObject *args,
			    PyObject *kwds)
{
	struct rpcdev_py_device *d;

	(void)args;
	(void)kwds;
	d = (struct rpcdev_py_device *)type->tp_alloc(type, 0);
	if (!d)
		return NULL;
	/* Closed until __init__ opens it: rpcdev_fd() gives -1. */
	d->dev.fd = -1;
	return (PyObject *)d;
}

static void device_dealloc(PyObject *self)
{
	struct rpcdev_py_device *d = (struct rpcdev_py_device *)self;
	PyTypeObject *tp = Py_TYPE(self);

	PyObject_GC_UnTrack(self);
	if (d->weakrefs)
		PyObject_ClearWeakRefs(self);
	rpcdev_close(&d->dev);
	Py_CLEAR(d->path);
	tp->tp_free(self);
	Py_DECREF(tp);
}

static int device_traverse(PyObject *self, visitproc visit, void *arg)
{
	Py_VISIT(Py_TYPE(self));
	(void)self;
	return 0;
}

static int device_check(struct rpcdev_py_device *d)
{
	if (rpcdev_fd(&d->dev) < 0) {
		rpcdev_py_closed("device");
		return -1;
	}
	return 0;
}

/* rpcdev.DeviceInfo for @info. */
static PyObject *device_info_tuple(struct rpcdev_py_state *st,
				   const struct rpcdev_info *info)
{
	PyObject *t, *names, *name;
	unsigned int bit;
	size_t nlen;

	names = PyList_New(0);
	if (!names)
		return NULL;
	for (bit = 0; bit < 64; bit++) {
		const char *fname = rpcdev_feature_name(bit);

		if (!(info->features & (1ULL << bit)))
			continue;
		name = fname ? PyUnicode_FromString(fname) :
			       PyUnicode_FromFormat("bit%u", bit);
		if (!name || PyList_Append(names, name)) {
			Py_XDECREF(name);
			Py_DECREF(names);
			return NULL;
		}
		Py_DECREF(name);
	}
	Py_SETREF(names, PyList_AsTuple(names));
	if (!names)
		return NULL;

	t = PyStructSequence_New(st->info_type);
	if (!t) {
		Py_DECREF(names);
		return NULL;
	}
	nlen = strnlen(info->name, sizeof(info->name));
	PyStructSequence_SetItem(t, 0, PyLong_FromUnsignedLong(info->abi_version));
	PyStructSequence_SetItem(t, 1, PyLong_FromUnsignedLong(info->nr_queues));
	PyStructSequence_SetItem(t, 2,
		PyLong_FromUnsignedLongLong(info->features));
	PyStructSequence_SetItem(t, 3, names);
	PyStructSequence_SetItem(t, 4,
		PyUnicode_DecodeUTF8(info->name, nlen, "replace"));
	PyStructSequence_SetItem(t, 5, PyLong_FromUnsignedLong(info->minor));
	if (PyErr_Occurred()) {
		Py_DECREF(t);
		return NULL;
	}
	return t;
}

PyDoc_STRVAR(device_info_doc,
"info($self)\n--\n\n"
"Ask the device what it is (RPCDEV_IOC_INFO): a DeviceInfo of its ABI\n"
"version, number of queue pairs, feature bits and their names, name and\n"
"minor number.\n"
"Raises OSError (errno ENODEV once the device is gone, ENOTTY if the file\n"
"is not an rpcdev device).");

static PyObject *device_info(PyObject *self, PyObject *unused)
{
	struct rpcdev_py_device *d = (struct rpcdev_py_device *)self;
	struct rpcdev_py_state *st = rpcdev_py_state_of(Py_TYPE(self));
	struct rpcdev_info info;
	int ret;

	(void)unused;
	if (!st || device_check(d))
		return NULL;
	memset(&info, 0, sizeof(info));
	ret = rpcdev_info(&d->dev, &info);
	if (ret)
		return rpcdev_py_errno_path(ret, d->path);
	return device_info_tuple(st, &info);
}

PyDoc_STRVAR(device_fileno_doc,
"fileno($self)\n--\n\n"
"The device's file descriptor (owned by the Device: do not close it).");

static PyObject *device_fileno(PyObject *self, PyObject *unused)
{
	struct rpcdev_py_device *d = (struct rpcdev_py_device *)self;

	(void)unused;
	if (device_check(d))
		return NULL;
	return PyLong_FromLong(rpcdev_fd(&d->dev));
}

PyDoc_STRVAR(device_close_doc,
"close($self)\n--\n\n"
"Close the device. Queues opened from it are not affected (each has its\n"
"own file). Closing again does nothing.");

static PyObject *device_close(PyObject *self, PyObject *unused)
{
	struct rpcdev_py_device *d = (struct rpcdev_py_device *)self;

	(void)unused;
	rpcdev_close(&d->dev);
	Py_RETURN_NONE;
}

static PyObject *device_enter(PyObject *self, PyObject *unused)
{
	struct rpcdev_py_device *d = (struct rpcdev_py_device *)self;

	(void)unused;
	if (device_check(d))
		return NULL;
	Py_INCREF(self);
	return self;
}

static PyObject *device_exit(PyObject *self, PyObject *args)
{
	(void)args;
	return device_close(self, NULL);
}

static PyObject *device_closed(PyObject *self, void *closure)
{
	struct rpcdev_py_device *d = (struct rpcdev_py_device *)self;

	(void)closure;
	return PyBool_FromLong(rpcdev_fd(&d->dev) < 0);
}

static PyObject *device_repr(PyObject *self)
{
	struct rpcdev_py_device *d = (struct rpcdev_py_device *)self;

	return PyUnicode_FromFormat("<rpcdev.Device %R%s>", d->path,
				    rpcdev_fd(&d->dev) < 0 ? " closed" : "");
}

static PyMethodDef device_methods[] = {
	{ "info", device_info, METH_NOARGS, device_info_doc },
	{ "fileno", device_fileno, METH_NOARGS, device_fileno_doc },
	{ "close", device_close, METH_NOARGS, device_close_doc },
	{ "__enter__", device_enter, METH_NOARGS, "Return the device." },
	{ "__exit__", device_exit, METH_VARARGS, "Close the device." },
	{ NULL, NULL, 0, NULL },
};

static PyMemberDef device_members[] = {
	{ "path", T_OBJECT_EX, offsetof(struct rpcdev_py_device, path),
	  READONLY, "The device node's path." },
	{ "__weaklistoffset__", T_PYSSIZET,
	  offsetof(struct rpcdev_py_device, weakrefs), READONLY, NULL },
	{ NULL, 0, 0, 0, NULL },
};

static PyGetSetDef device_getset[] = {
	{ "closed", device_closed, NULL, "True once close() was called.",
	  NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

PyDoc_STRVAR(device_doc,
"Device(path=None)\n--\n\n"
"An rpcdev device, opened read-write: path is the node's path, an int N\n"
"for /dev/rpcdevN, or None for /dev/rpcdev0. Raises OSError when the node\n"
"cannot be opened (FileNotFoundError, PermissionError, ...).\n\n"
"A Device answers info(); calls and upcalls go through a Queue made from\n"
"it: Queue(device, qid). A context manager: `with Device() as dev:`\n"
"closes it at the end.");

static PyType_Slot device_slots[] = {
	{ Py_tp_doc, (void *)device_doc },
	{ Py_tp_new, device_new },
	{ Py_tp_init, device_init },
	{ Py_tp_dealloc, device_dealloc },
	{ Py_tp_traverse, device_traverse },
	{ Py_tp_repr, device_repr },
	{ Py_tp_methods, device_methods },
	{ Py_tp_members, device_members },
	{ Py_tp_getset, device_getset },
	{ 0, NULL },
};

static PyType_Spec device_spec = {
	.name = "rpcdev.Device",
	.basicsize = sizeof(struct rpcdev_py_device),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC |
		 Py_TPFLAGS_IMMUTABLETYPE,
	.slots = device_slots,
};

static PyStructSequence_Field info_fields[] = {
	{ "abi_version", "the driver's ABI version (RPCDEV_ABI_VERSION)" },
	{ "nr_queues", "queue pairs: a Queue's qid is 0 to nr_queues - 1" },
	{ "features", "FEAT_* bits" },
	{ "feature_names", "the names of the bits set in features" },
	{ "name", "the device's name" },
	{ "minor", "N of /dev/rpcdevN" },
	{ NULL, NULL },
};

static PyStructSequence_Desc info_desc = {
	.name = "rpcdev.DeviceInfo",
	.doc = "What Device.info() reports (a named tuple).",
	.fields = info_fields,
	.n_in_sequence = 6,
};

static PyStructSequence_Field msg_fields[] = {
	{ "value", "the device's 64-bit message" },
	{ "pending", "messages still waiting after this one" },
	{ "lost", "messages the device overwrote before they were read" },
	{ NULL, NULL },
};

static PyStructSequence_Desc msg_desc = {
	.name = "rpcdev.MailboxMessage",
	.doc = "A message the device left in the mailbox (a named tuple),\n"
	       "as Queue.read() returns it.",
	.fields = msg_fields,
	.n_in_sequence = 3,
};

int rpcdev_py_add_device(PyObject *mod, struct rpcdev_py_state *st)
{
	st->device_type = (PyTypeObject *)PyType_FromModuleAndSpec(mod,
							&device_spec, NULL);
	if (!st->device_type || PyModule_AddType(mod, st->device_type))
		return -1;
	st->info_type = PyStructSequence_NewType(&info_desc);
	if (!st->info_type || PyModule_AddType(mod, st->info_type))
		return -1;
	st->msg_type = PyStructSequence_NewType(&msg_desc);
	if (!st->msg_type || PyModule_AddType(mod, st->msg_type))
		return -1;
	return 0;
}
