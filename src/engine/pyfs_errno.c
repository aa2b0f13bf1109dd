/* OSError as MicroPython raises it: OSError(errno) with a single int
 * argument (repl.md §1.3). CPython leaves e.errno None for the one-argument
 * form and maps only the two-argument form to subclasses, so the instance
 * is built with one argument and its errno member set afterwards. */
#include "pyfs_int.h"

PyObject *pyfs_raise(int err)
{
    if (err < 0) err = -err;
    PyObject *num = PyLong_FromLong(err);
    if (!num) return NULL;
    PyObject *exc = PyObject_CallOneArg(PyExc_OSError, num);
    if (exc && PyObject_SetAttrString(exc, "errno", num) == 0)
        PyErr_SetObject(PyExc_OSError, exc);
    Py_XDECREF(exc);
    Py_DECREF(num);
    return NULL;
}
