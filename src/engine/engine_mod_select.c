/* The board's select module (repl.md §1.1, §6.3): poll() objects over the
 * board's stdio streams (stdin ready while input bytes are queued, stdout
 * always writable) and over any object with MicroPython's stream ioctl
 * (ioctl(3, mask) -> ready mask), as mpremote mount and Thonny use it.
 * CPython's own select needs fileno(), which board streams do not have.
 * select.select(rlist, wlist, xlist[, timeout]) polls the same objects, as
 * v1.24 (MICROPY_PY_SELECT_SELECT) and Pycom's fork have it. */
#include "engine_int.h"

#include <errno.h>
#include <poll.h>

/* MicroPython's MP_STREAM_POLL ioctl request. */
#define STREAM_POLL 3
/* ipoll() flag: report an object once, then stop polling it. */
#define IPOLL_ONESHOT 1
/* Longest nap between readiness checks: the HAL cannot wait for input
 * without consuming it, so a waiting poll naps (waking for signals). */

typedef struct {
    PyObject_HEAD
    PyObject *map; /* registered object -> event mask (int) */
} poll_obj;

static int check_pollable(PyObject *obj)
{
    if (vb_stdio_poll(obj, 0) >= 0) return 0;
    int has = PyObject_HasAttrString(obj, "ioctl");
    if (!has) PyErr_SetString(PyExc_TypeError, "stream operation not supported");
    return has ? 0 : -1;
}

static int mask_arg(PyObject *const *args, Py_ssize_t nargs, Py_ssize_t i, int dflt)
{
    if (nargs <= i) return dflt;
    long m = PyLong_AsLong(args[i]);
    if (m == -1 && PyErr_Occurred()) return -1;
    return (int)(m & 0xffff);
}

static PyObject *p_register(poll_obj *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < 1 || nargs > 2) {
        PyErr_SetString(PyExc_TypeError, "register(obj[, eventmask])");
        return NULL;
    }
    int mask = mask_arg(args, nargs, 1, VB_POLLIN | VB_POLLOUT);
    if (mask < 0 || check_pollable(args[0]) < 0) return NULL;
    PyObject *m = PyLong_FromLong(mask);
    int rc = m ? PyDict_SetItem(self->map, args[0], m) : -1;
    Py_XDECREF(m);
    if (rc < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *p_unregister(poll_obj *self, PyObject *obj)
{
    /* As upstream: unregistering an unknown object is not an error. */
    if (PyDict_DelItem(self->map, obj) < 0) {
        if (!PyErr_ExceptionMatches(PyExc_KeyError)) return NULL;
        PyErr_Clear();
    }
    Py_RETURN_NONE;
}

static PyObject *p_modify(poll_obj *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "modify(obj, eventmask)");
        return NULL;
    }
    int mask = mask_arg(args, nargs, 1, 0);
    if (mask < 0) return NULL;
    int has = PyDict_Contains(self->map, args[0]);
    if (has < 0) return NULL;
    if (!has) {
        errno = ENOENT;
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    PyObject *m = PyLong_FromLong(mask);
    int rc = m ? PyDict_SetItem(self->map, args[0], m) : -1;
    Py_XDECREF(m);
    if (rc < 0) return NULL;
    Py_RETURN_NONE;
}

/* Ready events of one registered object (error and hang-up always count). */
static int ready_of(PyObject *obj, int mask)
{
    int want = mask | VB_POLLERR | VB_POLLHUP;
    int r = vb_stdio_poll(obj, want);
    if (r >= 0) return r;
    PyObject *res = PyObject_CallMethod(obj, "ioctl", "ii", STREAM_POLL, want);
    if (!res) return -1;
    long v = PyLong_AsLong(res);
    Py_DECREF(res);
    if (v == -1 && PyErr_Occurred()) return -1;
    return v < 0 ? VB_POLLERR : (int)v & want;
}

/* Whether board input can make a registered object ready (a stdio stream
 * polled for POLLIN): only then does a waiting poll wake for input, so
 * unread input never turns a poll on other objects into a busy loop. */
static bool input_matters(poll_obj *self)
{
    Py_ssize_t pos = 0;
    PyObject *key, *val;
    while (PyDict_Next(self->map, &pos, &key, &val))
        if ((PyLong_AsLong(val) & VB_POLLIN) && vb_stdio_poll(key, 0) >= 0) return true;
    PyErr_Clear();
    return false;
}

/* [(obj, events)] for the objects ready now; NULL with an exception. */
static PyObject *ready_list(poll_obj *self, int flags)
{
    PyObject *list = PyList_New(0);
    /* A snapshot: ioctl() may run Python code that changes the map. */
    PyObject *items = list ? PyDict_Items(self->map) : NULL;
    if (!items) goto fail;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
        PyObject *it = PyList_GET_ITEM(items, i);
        PyObject *key = PyTuple_GET_ITEM(it, 0);
        int mask = (int)PyLong_AsLong(PyTuple_GET_ITEM(it, 1));
        if (mask == 0) continue; /* one-shot already reported */
        int ev = ready_of(key, mask);
        if (ev < 0) goto fail;
        if (ev == 0) continue;
        PyObject *t = Py_BuildValue("(Oi)", key, ev);
        if (!t || PyList_Append(list, t) < 0) {
            Py_XDECREF(t);
            goto fail;
        }
        Py_DECREF(t);
        if (flags & IPOLL_ONESHOT) {
            PyObject *zero = PyLong_FromLong(0);
            int rc = zero ? PyDict_SetItem(self->map, key, zero) : -1;
            Py_XDECREF(zero);
            if (rc < 0) goto fail;
        }
    }
    Py_DECREF(items);
    return list;
fail:
    Py_XDECREF(items);
    Py_XDECREF(list);
    return NULL;
}

/* Wait for the registered board sockets and UARTs (their lines) and the
 * input, until board time `deadline`: a socket's bytes come from outside
 * the board, so this wait does not count as idle (the clock is not moved
 * on past it). 0 when no socket is registered (the caller waits idle
 * instead), 1 after a wait, -1 with the exception. */
static int wait_sockets(poll_obj *self, int64_t deadline)
{
    enum { MAX = 32 };
    struct pollfd pf[MAX];
    unsigned n = 0;
    PyObject *key, *val;
    Py_ssize_t pos = 0;
    while (n < MAX && PyDict_Next(self->map, &pos, &key, &val)) {
        int fd = vb_socket_fd(key);
        if (fd < 0) fd = vb_uart_fd(key);
        long mask = PyLong_AsLong(val);
        if (fd >= 0 && mask > 0)
            pf[n++] = (struct pollfd){fd, (short)(mask & (VB_POLLIN | VB_POLLOUT)), 0};
    }
    const vb_hal *h = vb_engine_g.hal;
    if (n == 0 || !h->net_wait) return 0;
    bool input = input_matters(self);   /* with the GIL: it looks at Python objects */
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = h->net_wait(h->ctx, pf, n, deadline, input);
    Py_END_ALLOW_THREADS
    if (rc < 0 && PyErr_CheckSignals() < 0) return -1;
    return 1;
}

/* poll([timeout_ms]) / ipoll([timeout_ms[, flags]]): negative or None =
 * wait forever, 0 = just look. */
static PyObject *do_poll(poll_obj *self, PyObject *const *args, Py_ssize_t nargs, bool iter)
{
    if (nargs > (iter ? 2 : 1)) {
        PyErr_SetString(PyExc_TypeError, iter ? "ipoll([timeout[, flags]])" : "poll([timeout])");
        return NULL;
    }
    long timeout = -1;
    if (nargs >= 1 && args[0] != Py_None) {
        timeout = PyLong_AsLong(args[0]);
        if (timeout == -1 && PyErr_Occurred()) return NULL;
    }
    int flags = iter ? mask_arg(args, nargs, 1, 0) : 0;
    if (flags < 0) return NULL;
    int64_t deadline = timeout < 0 ? INT64_MAX : vb_engine_now_us() + (int64_t)timeout * 1000;
    for (;;) {
        PyObject *list = ready_list(self, flags);
        if (!list) return NULL;
        if (PyList_GET_SIZE(list) > 0 || (deadline != INT64_MAX && deadline <= vb_engine_now_us())) {
            if (!iter) return list;
            PyObject *it = PyObject_GetIter(list);
            Py_DECREF(list);
            return it;
        }
        Py_DECREF(list);
        int socks = wait_sockets(self, deadline);
        if (socks < 0 || (socks == 0 && vb_engine_wait_until(deadline, input_matters(self)) < 0)) return NULL;
    }
}

static PyObject *p_poll(poll_obj *self, PyObject *const *args, Py_ssize_t nargs)
{
    return do_poll(self, args, nargs, false);
}

static PyObject *p_ipoll(poll_obj *self, PyObject *const *args, Py_ssize_t nargs)
{
    return do_poll(self, args, nargs, true);
}

/* ---- select.select ---------------------------------------------------- */

/* Adds each object of the sequence seq to map with the event bits ev
 * (an object in several lists is polled once, for all of them). */
static int select_add(PyObject *map, PyObject *seq, int ev)
{
    if (!PyTuple_Check(seq) && !PyList_Check(seq)) { /* upstream's mp_obj_get_array */
        PyErr_Format(PyExc_TypeError, "object '%s' isn't a tuple or list", Py_TYPE(seq)->tp_name);
        return -1;
    }
    PyObject *fast = PySequence_Fast(seq, "");
    if (!fast) return -1;
    int rc = 0;
    for (Py_ssize_t i = 0; rc == 0 && i < PySequence_Fast_GET_SIZE(fast); i++) {
        PyObject *obj = PySequence_Fast_GET_ITEM(fast, i);
        PyObject *old = PyDict_GetItemWithError(map, obj); /* borrowed */
        if (!old && PyErr_Occurred()) rc = -1;
        if (rc == 0 && !old) rc = check_pollable(obj);
        PyObject *m = rc == 0 ? PyLong_FromLong(ev | (old ? PyLong_AsLong(old) : 0)) : NULL;
        rc = m ? PyDict_SetItem(map, obj, m) : -1;
        Py_XDECREF(m);
    }
    Py_DECREF(fast);
    return rc;
}

/* select(rlist, wlist, xlist[, timeout]): timeout in seconds, None or
 * negative = wait forever; ([readable], [writable], [in error]) once one
 * object is ready or the time is up (then three empty lists). */
static PyObject *s_select(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    (void)mod;
    if (nargs < 3 || nargs > 4) {
        PyErr_Format(PyExc_TypeError, nargs < 3 ? "function missing %zd required positional arguments"
                                                : "function expected at most 4 arguments, got %zd",
                     nargs < 3 ? 3 - nargs : nargs);
        return NULL;
    }
    int64_t deadline = INT64_MAX;
    if (nargs == 4 && args[3] != Py_None) {
        double t = PyFloat_AsDouble(args[3]);
        if (t == -1.0 && PyErr_Occurred()) return NULL;
        if (t >= 0) deadline = vb_engine_now_us() + (int64_t)(t * 1000) * 1000; /* whole ms, as upstream */
    }
    static const int events[3] = {VB_POLLIN, VB_POLLOUT, VB_POLLERR | VB_POLLHUP};
    PyObject *map = PyDict_New(), *res = NULL;
    for (int k = 0; map && k < 3; k++)
        if (select_add(map, args[k], events[k]) < 0) Py_CLEAR(map);
    if (!map) return NULL;
    PyObject *lists[3] = {NULL, NULL, NULL};
    for (;;) {
        for (int k = 0; k < 3; k++) {
            Py_XDECREF(lists[k]);
            if (!(lists[k] = PyList_New(0))) goto done;
        }
        Py_ssize_t pos = 0, n = 0;
        PyObject *obj, *mask;
        while (PyDict_Next(map, &pos, &obj, &mask)) {
            int ev = ready_of(obj, (int)PyLong_AsLong(mask));
            if (ev < 0) goto done;
            n += ev != 0;
            if ((ev & VB_POLLIN) && PyList_Append(lists[0], obj) < 0) goto done;
            if ((ev & VB_POLLOUT) && PyList_Append(lists[1], obj) < 0) goto done;
            if ((ev & ~(VB_POLLIN | VB_POLLOUT)) && PyList_Append(lists[2], obj) < 0) goto done;
        }
        if (n > 0 || (deadline != INT64_MAX && deadline <= vb_engine_now_us())) break;
        if (vb_engine_wait_until(deadline, true) < 0) goto done;
    }
    res = PyTuple_Pack(3, lists[0], lists[1], lists[2]);
done:
    for (int k = 0; k < 3; k++) Py_XDECREF(lists[k]);
    Py_DECREF(map);
    return res;
}

static PyMethodDef select_functions[] = {
    {"select", (PyCFunction)(void (*)(void))s_select, METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL},
};

static PyObject *p_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    if ((args && PyTuple_GET_SIZE(args)) || (kw && PyDict_GET_SIZE(kw))) {
        PyErr_SetString(PyExc_TypeError, "poll() takes no arguments");
        return NULL;
    }
    poll_obj *self = (poll_obj *)type->tp_alloc(type, 0);
    if (!self) return NULL;
    self->map = PyDict_New();
    if (!self->map) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static int p_traverse(poll_obj *self, visitproc visit, void *arg)
{
    Py_VISIT(self->map);
    Py_VISIT(Py_TYPE(self));
    return 0;
}

static int p_clear(poll_obj *self)
{
    Py_CLEAR(self->map);
    return 0;
}

static void p_dealloc(poll_obj *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    p_clear(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyMethodDef poll_methods[] = {
    {"register", (PyCFunction)(void (*)(void))p_register, METH_FASTCALL, NULL},
    {"unregister", (PyCFunction)p_unregister, METH_O, NULL},
    {"modify", (PyCFunction)(void (*)(void))p_modify, METH_FASTCALL, NULL},
    {"poll", (PyCFunction)(void (*)(void))p_poll, METH_FASTCALL, NULL},
    {"ipoll", (PyCFunction)(void (*)(void))p_ipoll, METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef select_def = {
    PyModuleDef_HEAD_INIT, "select", "poll() over board streams (MicroPython style)",
    -1, select_functions, NULL, NULL, NULL, NULL,
};

PyObject *vb_mod_select_create(void)
{
    PyObject *m = PyModule_Create(&select_def);
    if (!m) return NULL;
    /* The type itself is select.poll: calling it makes a poll object. */
    PyType_Slot slots[] = {
        {Py_tp_new, p_new},           {Py_tp_dealloc, p_dealloc}, {Py_tp_traverse, p_traverse},
        {Py_tp_clear, p_clear},       {Py_tp_methods, poll_methods}, {0, NULL},
    };
    PyType_Spec spec = {"select.poll", sizeof(poll_obj), 0,
                        Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, slots};
    PyObject *type = PyType_FromSpec(&spec);
    if (!type || PyModule_AddObject(m, "poll", type) < 0) {
        Py_XDECREF(type);
        goto fail;
    }
    if (PyModule_AddIntConstant(m, "POLLIN", VB_POLLIN) < 0 ||
        PyModule_AddIntConstant(m, "POLLOUT", VB_POLLOUT) < 0 ||
        PyModule_AddIntConstant(m, "POLLERR", VB_POLLERR) < 0 ||
        PyModule_AddIntConstant(m, "POLLHUP", VB_POLLHUP) < 0)
        goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
