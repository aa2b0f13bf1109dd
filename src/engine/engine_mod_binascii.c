/* The board's binascii (ubinascii): MicroPython v1.24's five functions
 * (extmod/modbinascii.c: hexlify(data[, sep]), unhexlify(data),
 * a2b_base64(data), b2a_base64(data, *, newline=True), crc32(data[,
 * value])), made from CPython's binascii, which computes the same bytes;
 * what differs is the errors: upstream raises plain ValueError with its
 * own texts where CPython raises binascii.Error, and has none of CPython's
 * other names (Error, a2b_hex, b2a_qp, ...). CPython's module stays in
 * the zygote for the stdlib; device code gets this one. */
#include "engine_int.h"

/* A function of CPython's binascii (new reference), or NULL: at create
 * time, in the zygote, before this module takes its place in sys.modules. */
static PyObject *cpython_fn(const char *name)
{
    PyObject *mod = PyImport_ImportModule("binascii");
    PyObject *fn = mod ? PyObject_GetAttrString(mod, name) : NULL;
    Py_XDECREF(mod);
    return fn;
}

/* CPython's function (self) on the same arguments; its binascii.Error
 * becomes ValueError(msg(args)). */
static PyObject *call_translating(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                  const char *(*msg)(PyObject *const *, Py_ssize_t))
{
    PyObject *r = PyObject_Vectorcall(self, args, (size_t)nargs, NULL);
    if (r || !PyErr_ExceptionMatches(PyExc_ValueError)) return r;
    PyErr_Clear();
    PyErr_SetString(PyExc_ValueError, msg(args, nargs));
    return NULL;
}

static const char *unhexlify_msg(PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t n = nargs == 1 ? PyObject_Length(args[0]) : 0;
    PyErr_Clear();
    return n % 2 ? "odd-length string" : "non-hex digit found";
}

static const char *a2b_base64_msg(PyObject *const *args, Py_ssize_t nargs)
{
    (void)args;
    (void)nargs;
    return "incorrect padding";
}

static PyObject *m_unhexlify(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    return call_translating(self, args, nargs, unhexlify_msg);
}

static PyObject *m_a2b_base64(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    return call_translating(self, args, nargs, a2b_base64_msg);
}

static PyMethodDef translated[] = {
    {"unhexlify", (PyCFunction)(void (*)(void))m_unhexlify, METH_FASTCALL, NULL},
    {"a2b_base64", (PyCFunction)(void (*)(void))m_a2b_base64, METH_FASTCALL, NULL},
};

/* Taken as CPython has them: same arguments, same results, same errors. */
static const char *const as_is[] = {"hexlify", "b2a_base64", "crc32"};

PyObject *vb_mod_binascii_create(void)
{
    PyObject *m = PyModule_New("binascii");
    if (!m) return NULL;
    for (size_t i = 0; i < sizeof as_is / sizeof as_is[0]; i++) {
        PyObject *fn = cpython_fn(as_is[i]);
        if (!fn || PyModule_AddObject(m, as_is[i], fn) < 0) {
            Py_XDECREF(fn);
            goto fail;
        }
    }
    for (size_t i = 0; i < sizeof translated / sizeof translated[0]; i++) {
        PyObject *inner = cpython_fn(translated[i].ml_name);
        PyObject *fn = inner ? PyCFunction_NewEx(&translated[i], inner, NULL) : NULL;
        Py_XDECREF(inner);
        if (!fn || PyModule_AddObject(m, translated[i].ml_name, fn) < 0) {
            Py_XDECREF(fn);
            goto fail;
        }
    }
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
