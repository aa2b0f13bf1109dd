/* The board's binascii (ubinascii): MicroPython v1.24's five functions
 * (extmod/modbinascii.c: hexlify(data[, sep]), unhexlify(data),
 * a2b_base64(data), b2a_base64(data, *, newline=True), crc32(data[,
 * value])), made from CPython's binascii, which computes the same bytes;
 * what differs is the errors: upstream raises plain ValueError with its
 * own texts where CPython raises binascii.Error, and has none of CPython's
 * other names (Error, a2b_hex, b2a_qp, ...). CPython's module stays in
 * the zygote for the stdlib; device code gets this one.
 *
 * Pycom's fork (MicroPython 1.11 underneath, docs.pycom.io's ubinascii
 * page) has no crc32 (MICROPY_PY_UBINASCII_CRC32 off) and a b2a_base64
 * that takes the data alone (no newline keyword, always the newline). */
#include "engine_int.h"

#define V124 (VB_PORT_BIT(VB_PORT_ESP32) | VB_PORT_BIT(VB_PORT_RP2))
#define PYCOM VB_PORT_BIT(VB_PORT_PYCOM)

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

/* b2a_base64(data) of Pycom's fork: one positional argument. */
static PyObject *m_b2a_base64_1(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (kwnames && PyTuple_GET_SIZE(kwnames)) {
        PyErr_SetString(PyExc_TypeError, "function doesn't take keyword arguments");
        return NULL;
    }
    if (nargs != 1) {
        PyErr_Format(PyExc_TypeError, "function takes 1 positional arguments but %zd were given", nargs);
        return NULL;
    }
    return PyObject_Vectorcall(self, args, 1, NULL);
}

/* Wrappers around CPython's function of the same name, for some ports. */
static const struct {
    PyMethodDef def;
    unsigned ports;
} wrapped[] = {
    {{"unhexlify", (PyCFunction)(void (*)(void))m_unhexlify, METH_FASTCALL, NULL}, V124 | PYCOM},
    {{"a2b_base64", (PyCFunction)(void (*)(void))m_a2b_base64, METH_FASTCALL, NULL}, V124 | PYCOM},
    {{"b2a_base64", (PyCFunction)(void (*)(void))m_b2a_base64_1, METH_FASTCALL | METH_KEYWORDS, NULL}, PYCOM},
};

/* Taken as CPython has them (same arguments, results and errors), for
 * some ports. */
static const struct {
    const char *name;
    unsigned ports;
} as_is[] = {
    {"hexlify", V124 | PYCOM},
    {"b2a_base64", V124},
    {"crc32", V124},
};

PyObject *vb_mod_binascii_create(void)
{
    unsigned port = VB_PORT_BIT(vb_engine_g.port->id);
    PyObject *m = PyModule_New("binascii");
    if (!m) return NULL;
    for (size_t i = 0; i < sizeof as_is / sizeof as_is[0]; i++) {
        if (!(as_is[i].ports & port)) continue;
        PyObject *fn = cpython_fn(as_is[i].name);
        if (!fn || PyModule_AddObject(m, as_is[i].name, fn) < 0) {
            Py_XDECREF(fn);
            goto fail;
        }
    }
    for (size_t i = 0; i < sizeof wrapped / sizeof wrapped[0]; i++) {
        if (!(wrapped[i].ports & port)) continue;
        PyMethodDef *def = (PyMethodDef *)&wrapped[i].def; /* CPython keeps it; never written */
        PyObject *inner = cpython_fn(def->ml_name);
        PyObject *fn = inner ? PyCFunction_NewEx(def, inner, NULL) : NULL;
        Py_XDECREF(inner);
        if (!fn || PyModule_AddObject(m, def->ml_name, fn) < 0) {
            Py_XDECREF(fn);
            goto fail;
        }
    }
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
