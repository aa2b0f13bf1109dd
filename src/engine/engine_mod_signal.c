/* machine.Signal (esp32 port; Pycom firmware has none): a pin seen through
 * an optional inversion. Signal(pin, *, invert=False), or Signal(id,
 * *pin_args, invert=False, **pin_kwargs), which makes the Pin first. */
#include "engine_int.h"

typedef struct {
    PyObject_HEAD
    PyObject *pin; /* a machine.Pin */
    int invert;
} signal_obj;

/* The pin to use: args[0] as it is when it is a Pin (then only invert=
 * may follow), else Pin(*args, **kw) without invert=. New reference. */
static PyObject *make_pin(PyObject *args, PyObject *kw, int *invert)
{
    PyObject *kw2 = kw ? PyDict_Copy(kw) : PyDict_New();
    if (!kw2) return NULL;
    PyObject *inv = PyDict_GetItemString(kw2, "invert"); /* borrowed */
    if (inv && (*invert = PyObject_IsTrue(inv)) < 0) goto fail;
    if (inv && PyDict_DelItemString(kw2, "invert") < 0) goto fail;
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    PyObject *pin = NULL;
    if (n >= 1 && Py_IS_TYPE(PyTuple_GET_ITEM(args, 0), (PyTypeObject *)vb_engine_g.pin_type)) {
        if (n != 1 || PyDict_GET_SIZE(kw2) != 0) {
            PyErr_SetNone(PyExc_TypeError); /* upstream: TypeError with no text */
            goto fail;
        }
        pin = Py_NewRef(PyTuple_GET_ITEM(args, 0));
    } else {
        pin = PyObject_Call(vb_engine_g.pin_type, args, kw2);
    }
    Py_DECREF(kw2);
    return pin;
fail:
    Py_DECREF(kw2);
    return NULL;
}

static PyObject *signal_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    int invert = 0;
    PyObject *pin = make_pin(args, kw, &invert);
    if (!pin) return NULL;
    signal_obj *s = (signal_obj *)type->tp_alloc(type, 0);
    if (!s) {
        Py_DECREF(pin);
        return NULL;
    }
    s->pin = pin;
    s->invert = invert;
    return (PyObject *)s;
}

static PyObject *signal_value(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    signal_obj *s = (signal_obj *)self;
    vb_pin_obj *pin = (vb_pin_obj *)s->pin;
    if (nargs == 0) return PyLong_FromLong(vb_pin_value(pin) ^ s->invert);
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "function takes at most 1 argument");
        return NULL;
    }
    int v = PyObject_IsTrue(args[0]);
    if (v < 0) return NULL;
    vb_pin_write(pin, v ^ s->invert);
    Py_RETURN_NONE;
}

static PyObject *signal_call(PyObject *self, PyObject *args, PyObject *kw)
{
    if (kw && PyDict_GET_SIZE(kw) > 0) {
        PyErr_SetString(PyExc_TypeError, "function doesn't take keyword arguments");
        return NULL;
    }
    return signal_value(self, &PyTuple_GET_ITEM(args, 0), PyTuple_GET_SIZE(args));
}

static PyObject *signal_on(PyObject *self, PyObject *u)
{
    (void)u;
    signal_obj *s = (signal_obj *)self;
    vb_pin_write((vb_pin_obj *)s->pin, 1 ^ s->invert);
    Py_RETURN_NONE;
}

static PyObject *signal_off(PyObject *self, PyObject *u)
{
    (void)u;
    signal_obj *s = (signal_obj *)self;
    vb_pin_write((vb_pin_obj *)s->pin, 0 ^ s->invert);
    Py_RETURN_NONE;
}

static PyObject *signal_repr(PyObject *self)
{
    (void)self;
    return PyUnicode_FromString("<Signal>");
}

static void signal_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    Py_XDECREF(((signal_obj *)self)->pin);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyMethodDef signal_methods[] = {
    {"value", (PyCFunction)(void (*)(void))signal_value, METH_FASTCALL, NULL},
    {"on", signal_on, METH_NOARGS, NULL},
    {"off", signal_off, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

PyObject *vb_signal_type_create(void)
{
    PyType_Slot slots[] = {
        {Py_tp_new, (void *)signal_new},
        {Py_tp_call, (void *)signal_call},
        {Py_tp_repr, (void *)signal_repr},
        {Py_tp_dealloc, (void *)signal_dealloc},
        {Py_tp_methods, signal_methods},
        {0, NULL},
    };
    PyType_Spec spec = {"machine.Signal", sizeof(signal_obj), 0, Py_TPFLAGS_DEFAULT, slots};
    return PyType_FromSpec(&spec);
}
