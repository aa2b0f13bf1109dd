/* Built-in types' MicroPython behaviours that CPython lacks (issue 15),
 * patched into CPython's types once, in the zygote:
 *
 *  - a plain generator is awaitable (upstream's `await` takes any
 *    generator: tests/basics/async_await2.py; CPython wants a coroutine or
 *    types.coroutine): generators get an am_await slot returning
 *    themselves;
 *  - int.to_bytes() of a negative int is its two's complement whatever
 *    `signed` says (py/objint.c int_to_bytes; CPython raises
 *    OverflowError "can't convert negative int to unsigned").
 *
 * Global by nature: a built-in type is process-wide state of the
 * interpreter, changed before any device code runs. */
#include "engine_int.h"

static PyObject *cpython_to_bytes; /* int.to_bytes as CPython made it */

static PyObject *gen_await(PyObject *self)
{
    return Py_NewRef(self);
}

static PyObject *int_to_bytes(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                              PyObject *kwnames)
{
    PyObject *argv = PyTuple_New(nargs + 1);
    PyObject *kw = argv ? PyDict_New() : NULL;
    if (!kw) goto fail;
    PyTuple_SET_ITEM(argv, 0, Py_NewRef(self));
    for (Py_ssize_t i = 0; i < nargs; i++) PyTuple_SET_ITEM(argv, i + 1, Py_NewRef(args[i]));
    for (Py_ssize_t i = 0; kwnames && i < PyTuple_GET_SIZE(kwnames); i++)
        if (PyDict_SetItem(kw, PyTuple_GET_ITEM(kwnames, i), args[nargs + i]) < 0) goto fail;
    if (PyLong_Check(self) && _PyLong_Sign(self) < 0 &&
        PyDict_SetItemString(kw, "signed", Py_True) < 0)
        goto fail;
    PyObject *r = PyObject_Call(cpython_to_bytes, argv, kw);
    Py_DECREF(argv);
    Py_DECREF(kw);
    return r;
fail:
    Py_XDECREF(argv);
    Py_XDECREF(kw);
    return NULL;
}

static PyMethodDef to_bytes_def = {"to_bytes", (PyCFunction)(void (*)(void))int_to_bytes,
                                   METH_FASTCALL | METH_KEYWORDS, NULL};

int vb_mptypes_install(void)
{
    if (!PyGen_Type.tp_as_async) return -1;
    PyGen_Type.tp_as_async->am_await = gen_await;
    PyType_Modified(&PyGen_Type);

    cpython_to_bytes = Py_XNewRef(PyDict_GetItemString(PyLong_Type.tp_dict, "to_bytes"));
    PyObject *d = cpython_to_bytes ? PyDescr_NewMethod(&PyLong_Type, &to_bytes_def) : NULL;
    int rc = d ? PyDict_SetItemString(PyLong_Type.tp_dict, "to_bytes", d) : -1;
    Py_XDECREF(d);
    PyType_Modified(&PyLong_Type);
    return rc;
}
