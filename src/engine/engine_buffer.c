/* What MicroPython's C functions accept, once for every module:
 * mp_get_buffer_raise where they want bytes — a str is a buffer there (its
 * UTF-8 bytes, read-only), so uart.write('AT\r\n') and sock.send('x')
 * work as on a board; CPython's buffer protocol alone refuses str — and
 * mp_obj_get_array_fixed_n where they want n items. */
#include "engine_int.h"

int vb_buf_get(PyObject *o, bool writable, vb_buf *b)
{
    b->keep = !writable && PyUnicode_Check(o) ? PyUnicode_AsUTF8String(o) : Py_NewRef(o);
    if (!b->keep) return -1;
    if (PyObject_GetBuffer(b->keep, &b->view, writable ? PyBUF_WRITABLE : PyBUF_SIMPLE) == 0) return 0;
    Py_CLEAR(b->keep);
    PyErr_SetString(PyExc_TypeError, "object with buffer protocol required");
    return -1;
}

void vb_buf_release(vb_buf *b)
{
    PyBuffer_Release(&b->view);
    Py_CLEAR(b->keep);
}

int vb_fixed_items(PyObject *o, Py_ssize_t n, const char *isnt)
{
    if (!PyTuple_Check(o) && !PyList_Check(o)) {
        PyErr_Format(PyExc_TypeError, "object '%s' %s a tuple or list", Py_TYPE(o)->tp_name, isnt);
        return -1;
    }
    Py_ssize_t len = PySequence_Fast_GET_SIZE(o);
    if (len == n) return 0;
    PyErr_Format(PyExc_ValueError, "requested length %zd but object has length %zd", n, len);
    return -1;
}
