/* MicroPython's stream reads (py/stream.c) over a read-once function, for
 * the board's sockets and TLS streams (engine_int.h vb_stream_read). */
#include "engine_int.h"

#include <errno.h>
#include <poll.h>

int vb_stream_wait(int fd, short events, int64_t deadline)
{
    const vb_hal *h = vb_engine_g.hal;
    for (;;) {
        if (PyErr_CheckSignals() < 0) return -1;
        struct pollfd pf = {fd, events, 0};
        if (poll(&pf, 1, 0) > 0) return 1;
        if (deadline != INT64_MAX && vb_engine_now_us() >= deadline) return 0;
        int rc;
        Py_BEGIN_ALLOW_THREADS
        rc = h->net_wait(h->ctx, &pf, 1, deadline, false);
        Py_END_ALLOW_THREADS
        if (rc < 0 && rc != -EINTR) {
            vb_raise_errno(EIO);
            return -1;
        }
    }
}

/* n bytes, or up to the end of the stream (or one datagram, when `one`):
 * the count; -2 when a non-blocking stream has nothing yet (with some,
 * what it has); -1 with the exception. */
static Py_ssize_t gather(vb_read_once once, void *obj, char *buf, size_t n, bool one)
{
    size_t done = 0;
    while (done < n) {
        Py_ssize_t r = once(obj, buf + done, n - done);
        if (r == -2) return done ? (Py_ssize_t)done : -2;
        if (r < 0) return -1;
        done += (size_t)r;
        if (r == 0 || one) break;
    }
    return (Py_ssize_t)done;
}

/* read(): everything up to the end of the stream (None: nothing yet on a
 * non-blocking stream). */
static PyObject *read_all(vb_read_once once, void *obj, bool one)
{
    PyObject *acc = PyBytes_FromStringAndSize(NULL, 0);
    char chunk[4096];
    while (acc) {
        Py_ssize_t r = once(obj, chunk, sizeof chunk);
        if (r == -2 && PyBytes_GET_SIZE(acc) == 0) {
            Py_DECREF(acc);
            Py_RETURN_NONE;
        }
        if (r == -2 || r == 0) break;
        if (r < 0) {
            Py_DECREF(acc);
            return NULL;
        }
        PyBytes_ConcatAndDel(&acc, PyBytes_FromStringAndSize(chunk, r));
        if (one) break;
    }
    return acc;
}

PyObject *vb_stream_read(vb_read_once once, void *obj, bool one, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t n = -1;
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "read([n])");
        return NULL;
    }
    if (nargs == 1 && args[0] != Py_None && (n = PyLong_AsSsize_t(args[0])) == -1 && PyErr_Occurred()) return NULL;
    if (n < 0) return read_all(once, obj, one);
    PyObject *out = PyBytes_FromStringAndSize(NULL, n);
    if (!out) return NULL;
    Py_ssize_t r = gather(once, obj, PyBytes_AS_STRING(out), (size_t)n, one);
    if (r == -2) {
        Py_DECREF(out);
        Py_RETURN_NONE;
    }
    if (r < 0 || _PyBytes_Resize(&out, r) < 0) {
        Py_XDECREF(out);
        return NULL;
    }
    return out;
}

PyObject *vb_stream_readinto(vb_read_once once, void *obj, bool one, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < 1 || nargs > 2) {
        PyErr_SetString(PyExc_TypeError, "readinto(buf[, nbytes])");
        return NULL;
    }
    Py_buffer b;
    if (PyObject_GetBuffer(args[0], &b, PyBUF_WRITABLE) < 0) return NULL;
    Py_ssize_t n = b.len;
    if (nargs == 2) {
        Py_ssize_t m = PyLong_AsSsize_t(args[1]);
        if (m == -1 && PyErr_Occurred()) {
            PyBuffer_Release(&b);
            return NULL;
        }
        if (m >= 0 && m < n) n = m;
    }
    Py_ssize_t r = gather(once, obj, b.buf, (size_t)n, one);
    PyBuffer_Release(&b);
    if (r == -2) Py_RETURN_NONE;
    return r < 0 ? NULL : PyLong_FromSsize_t(r);
}

PyObject *vb_stream_readline(vb_read_once once, void *obj, Py_ssize_t limit)
{
    PyObject *acc = PyBytes_FromStringAndSize(NULL, 0);
    while (acc && (limit < 0 || PyBytes_GET_SIZE(acc) < limit)) {
        char c;
        Py_ssize_t r = once(obj, &c, 1);
        if (r == -2 && PyBytes_GET_SIZE(acc) == 0) {
            Py_DECREF(acc);
            Py_RETURN_NONE;
        }
        if (r == -2 || r == 0) break;
        if (r < 0) {
            Py_DECREF(acc);
            return NULL;
        }
        PyBytes_ConcatAndDel(&acc, PyBytes_FromStringAndSize(&c, 1));
        if (c == '\n') break;
    }
    return acc;
}
