/* mp_get_buffer_raise, once for every module: what MicroPython's C
 * functions accept where they want bytes. A str is a buffer there (its
 * UTF-8 bytes, read-only), so uart.write('AT\r\n') and sock.send('x')
 * work as on a board; CPython's buffer protocol alone refuses str. */
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
