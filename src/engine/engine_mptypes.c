/* Built-in types' MicroPython behaviours that CPython lacks (issue 15),
 * patched into CPython's types once, in the zygote:
 *
 *  - a plain generator is awaitable (upstream's `await` takes any
 *    generator: tests/basics/async_await2.py; CPython wants a coroutine or
 *    types.coroutine): generators get an am_await slot returning
 *    themselves;
 *  - int.to_bytes() of a negative int is its two's complement whatever
 *    `signed` says (py/objint.c int_to_bytes; CPython raises
 *    OverflowError "can't convert negative int to unsigned");
 *  - int.from_bytes is reached without making a bound method (upstream
 *    looks a class method up without the heap, so it works under
 *    heap_lock: tests/micropython/heapalloc_int_from_bytes.py) and, as
 *    upstream's, gives an int whatever class it is called on: the class
 *    attribute is the method already bound to int;
 *  - bytearray and array.array built from a list or tuple take each int
 *    modulo the item size, as upstream 1.x stores items without an
 *    overflow check (docs: cpydiff module_array_constructor;
 *    tests/basics/array_overflow_intsmall.py): bytearray([256, -1]) is
 *    b'\x00\xff'. Only the constructors: item assignment and append
 *    still raise as CPython's do;
 *  - repr() and str() of a float show what the port's float holds, as
 *    py/objfloat.c float_print prints it: 'g' with 7 significant digits of
 *    the single-precision value on the MCU ports (1/3 is 0.3333333,
 *    0.1 + 0.2 is 0.3), 16 of the double on a double one, ".0" added when
 *    that reads as an int. The arithmetic stays CPython's double.
 *
 * Global by nature: a built-in type is process-wide state of the
 * interpreter, changed before any device code runs. */
#include "engine_int.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static PyObject *cpython_to_bytes; /* int.to_bytes as CPython made it */

static PyObject *float_repr(PyObject *self)
{
    double v = PyFloat_AS_DOUBLE(self);
    bool single = vb_engine_g.port->float_impl == VB_FLOAT_SINGLE;
    char buf[48];
    if (single) v = (double)(float)v;
    if (isnan(v)) return PyUnicode_FromString("nan"); /* whatever its sign bit */
    snprintf(buf, sizeof buf - 2, "%.*g", single ? 7 : 16, v);
    if (!strpbrk(buf, ".en")) strcat(buf, ".0"); /* not inf, nan or 1e+20 */
    return PyUnicode_FromString(buf);
}
static initproc cpython_bytearray_init;
static newfunc cpython_array_new;

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

/* A new list of seq's items, each int taken modulo 2**bits (and into the
 * signed range if is_signed); other items as they are. */
static PyObject *wrapped_items(PyObject *seq, int bits, bool is_signed)
{
    PyObject *list = PySequence_List(seq);
    PyObject *mask = list ? PyLong_FromUnsignedLongLong(bits >= 64 ? ~0ULL : (1ULL << bits) - 1) : NULL;
    PyObject *half = mask ? PyLong_FromUnsignedLongLong(1ULL << (bits - 1)) : NULL;
    PyObject *span = half ? PyNumber_Add(half, half) : NULL; /* 2**bits */
    for (Py_ssize_t i = 0; span && i < PyList_GET_SIZE(list); i++) {
        PyObject *v = PyList_GET_ITEM(list, i);
        if (!PyLong_Check(v)) continue;
        PyObject *w = PyNumber_And(v, mask);
        if (w && is_signed && PyObject_RichCompareBool(w, half, Py_GE) == 1)
            Py_SETREF(w, PyNumber_Subtract(w, span));
        if (!w) Py_CLEAR(span);
        else PyList_SetItem(list, i, w);
    }
    bool ok = span != NULL;
    Py_XDECREF(mask);
    Py_XDECREF(half);
    Py_XDECREF(span);
    if (!ok) Py_CLEAR(list);
    return list;
}

static int bytearray_init(PyObject *self, PyObject *args, PyObject *kw)
{
    PyObject *a0 = PyTuple_GET_SIZE(args) == 1 ? PyTuple_GET_ITEM(args, 0) : NULL;
    if (kw || !a0 || !(PyList_CheckExact(a0) || PyTuple_CheckExact(a0)))
        return cpython_bytearray_init(self, args, kw);
    PyObject *items = wrapped_items(a0, 8, false);
    PyObject *args2 = items ? PyTuple_Pack(1, items) : NULL;
    int rc = args2 ? cpython_bytearray_init(self, args2, NULL) : -1;
    Py_XDECREF(args2);
    Py_XDECREF(items);
    return rc;
}

/* The bits of an integer typecode's item on this host, or 0. */
static int item_bits(PyObject *typecode, bool *is_signed)
{
    static const char codes[] = "bBhHiIlLqQ";
    static const int bits[] = {8, 8, 16, 16, 8 * sizeof(int), 8 * sizeof(int),
                               8 * sizeof(long), 8 * sizeof(long), 64, 64};
    const char *tc = PyUnicode_Check(typecode) ? PyUnicode_AsUTF8(typecode) : NULL;
    if (!tc) PyErr_Clear();
    const char *at = tc && tc[0] && !tc[1] ? strchr(codes, tc[0]) : NULL;
    if (!at) return 0;
    *is_signed = tc[0] >= 'a';
    return bits[at - codes];
}

static PyObject *array_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    bool is_signed = false;
    PyObject *init = PyTuple_GET_SIZE(args) == 2 ? PyTuple_GET_ITEM(args, 1) : NULL;
    int bits = init && !kw ? item_bits(PyTuple_GET_ITEM(args, 0), &is_signed) : 0;
    if (!bits || !(PyList_CheckExact(init) || PyTuple_CheckExact(init)))
        return cpython_array_new(type, args, kw);
    PyObject *items = wrapped_items(init, bits, is_signed);
    PyObject *args2 = items ? PyTuple_Pack(2, PyTuple_GET_ITEM(args, 0), items) : NULL;
    PyObject *r = args2 ? cpython_array_new(type, args2, NULL) : NULL;
    Py_XDECREF(args2);
    Py_XDECREF(items);
    return r;
}

int vb_mptypes_install(void)
{
    void *const repr_was[] = {(void *)PyFloat_Type.tp_repr, NULL};
    if (vb_replace_slot(&PyFloat_Type, offsetof(PyTypeObject, tp_repr), "__repr__", repr_was,
                        (void *)float_repr) < 0)
        return -1;

    cpython_bytearray_init = PyByteArray_Type.tp_init;
    void *const init_was[] = {(void *)cpython_bytearray_init, NULL};
    if (vb_replace_slot(&PyByteArray_Type, offsetof(PyTypeObject, tp_init), "__init__", init_was,
                        (void *)bytearray_init) < 0)
        return -1;

    PyObject *mod = PyImport_ImportModule("array");
    PyObject *array = mod ? PyObject_GetAttrString(mod, "array") : NULL;
    Py_XDECREF(mod);
    if (!array || !PyType_Check(array)) {
        Py_XDECREF(array);
        return -1;
    }
    cpython_array_new = ((PyTypeObject *)array)->tp_new;
    ((PyTypeObject *)array)->tp_new = array_new;
    PyType_Modified((PyTypeObject *)array);
    Py_DECREF(array); /* the module keeps it */

    if (!PyGen_Type.tp_as_async) return -1;
    PyGen_Type.tp_as_async->am_await = gen_await;
    PyType_Modified(&PyGen_Type);

    PyObject *from_bytes = PyObject_GetAttrString((PyObject *)&PyLong_Type, "from_bytes");
    PyObject *unbound = from_bytes ? PyStaticMethod_New(from_bytes) : NULL;
    Py_XDECREF(from_bytes);
    if (!unbound || PyDict_SetItemString(PyLong_Type.tp_dict, "from_bytes", unbound) < 0) {
        Py_XDECREF(unbound);
        return -1;
    }
    Py_DECREF(unbound);

    cpython_to_bytes = Py_XNewRef(PyDict_GetItemString(PyLong_Type.tp_dict, "to_bytes"));
    PyObject *d = cpython_to_bytes ? PyDescr_NewMethod(&PyLong_Type, &to_bytes_def) : NULL;
    int rc = d ? PyDict_SetItemString(PyLong_Type.tp_dict, "to_bytes", d) : -1;
    Py_XDECREF(d);
    PyType_Modified(&PyLong_Type);
    return rc;
}
