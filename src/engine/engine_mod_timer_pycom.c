/* Pycom's machine.Timer (firmware 1.20): not a timer object but a holder
 * of Timer.Alarm, Timer.Chrono and Timer.sleep_us.
 *
 * Alarm(handler=None, s=None, *, ms=None, us=None, arg=None,
 * periodic=False): starts at once; handler(arg), arg defaulting to the
 * alarm; exactly one of s (may be a float), ms, us. callback(handler, *,
 * arg=None) replaces the handler (None: no call), cancel() stops it.
 * Chrono(): a stopwatch on board time; start, stop, reset, read (s,
 * float), read_ms (float), read_us (int).
 * sleep_us(us): a busy wait on the real board; a board-time sleep here. */
#include "engine_int.h"

#include <math.h>

typedef struct {
    PyObject_HEAD
    int64_t period_us;
    bool periodic;
    PyObject *handler, *arg;       /* as the service calls them */
} alarm_obj;

typedef struct {
    PyObject_HEAD
    bool running;
    int64_t acc_us;                /* time counted before the last start */
    int64_t started_us;
} chrono_obj;

/* ---- Alarm ---------------------------------------------------------------- */

static int alarm_arm(alarm_obj *a)
{
    return vb_timer_start((PyObject *)a, a->handler, a->arg, a->period_us, a->periodic ? a->period_us : 0);
}

/* One of s/ms/us (not None) as µs: 0 and *us set, or -1 with ValueError. */
static int alarm_time(PyObject *s, PyObject *ms, PyObject *us, int64_t *out)
{
    PyObject *given[3] = {s, ms, us};
    static const double scale[3] = {1e6, 1e3, 1.0};
    int which = -1, count = 0;
    for (int i = 0; i < 3; i++)
        if (given[i] && given[i] != Py_None) which = i, count++;
    if (count != 1) {
        PyErr_SetString(PyExc_ValueError, "please provide one of s, ms or us");
        return -1;
    }
    double v = PyFloat_AsDouble(given[which]);
    if (v == -1.0 && PyErr_Occurred()) return -1;
    v *= scale[which];
    if (!(v >= 0)) {
        PyErr_SetString(PyExc_ValueError, "invalid time");
        return -1;
    }
    *out = v > 9e15 ? (int64_t)9e15 : (int64_t)v;
    if (*out < 1) *out = 1;
    return 0;
}

static PyObject *alarm_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"handler", "s", "ms", "us", "arg", "periodic", NULL};
    PyObject *handler = Py_None, *s = NULL, *ms = NULL, *us = NULL, *arg = Py_None;
    int periodic = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OO$OOOp:Alarm", kwl, &handler, &s, &ms, &us, &arg, &periodic))
        return NULL;
    int64_t t;
    if (alarm_time(s, ms, us, &t) < 0) return NULL;
    alarm_obj *a = (alarm_obj *)type->tp_alloc(type, 0);
    if (!a) return NULL;
    a->period_us = t;
    a->periodic = periodic;
    a->handler = Py_NewRef(handler);
    a->arg = arg == Py_None ? NULL : Py_NewRef(arg);
    if (alarm_arm(a) < 0) {
        Py_DECREF(a);
        return NULL;
    }
    return (PyObject *)a;
}

static PyObject *alarm_callback(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"handler", "arg", NULL};
    alarm_obj *a = (alarm_obj *)self;
    PyObject *handler, *arg = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$O:callback", kwl, &handler, &arg)) return NULL;
    Py_XSETREF(a->handler, Py_NewRef(handler));
    Py_XSETREF(a->arg, arg == Py_None ? NULL : Py_NewRef(arg));
    /* an armed alarm keeps its schedule with the new handler */
    int64_t next;
    if (vb_timer_armed(self, &next)) {
        int64_t left = next - vb_engine_now_us();
        if (vb_timer_start(self, a->handler, a->arg, left > 0 ? left : 0, a->periodic ? a->period_us : 0) < 0)
            return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *alarm_cancel(PyObject *self, PyObject *u)
{
    (void)u;
    vb_timer_stop(self);
    Py_RETURN_NONE;
}

static void alarm_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    alarm_obj *a = (alarm_obj *)self;
    Py_CLEAR(a->handler);
    Py_CLEAR(a->arg);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyMethodDef alarm_methods[] = {
    {"callback", (PyCFunction)(void (*)(void))alarm_callback, METH_VARARGS | METH_KEYWORDS, NULL},
    {"cancel", alarm_cancel, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

/* ---- Chrono ----------------------------------------------------------------- */

static int64_t chrono_us(const chrono_obj *c)
{
    return c->acc_us + (c->running ? vb_engine_now_us() - c->started_us : 0);
}

static PyObject *chrono_start(PyObject *self, PyObject *u)
{
    (void)u;
    chrono_obj *c = (chrono_obj *)self;
    if (!c->running) {
        c->running = true;
        c->started_us = vb_engine_now_us();
    }
    Py_RETURN_NONE;
}

static PyObject *chrono_stop(PyObject *self, PyObject *u)
{
    (void)u;
    chrono_obj *c = (chrono_obj *)self;
    c->acc_us = chrono_us(c);
    c->running = false;
    Py_RETURN_NONE;
}

static PyObject *chrono_reset(PyObject *self, PyObject *u)
{
    (void)u;
    chrono_obj *c = (chrono_obj *)self;
    c->acc_us = 0;
    c->started_us = vb_engine_now_us();
    Py_RETURN_NONE;
}

static PyObject *chrono_read(PyObject *self, PyObject *u)
{
    (void)u;
    return PyFloat_FromDouble((double)chrono_us((chrono_obj *)self) / 1e6);
}

static PyObject *chrono_read_ms(PyObject *self, PyObject *u)
{
    (void)u;
    return PyFloat_FromDouble((double)chrono_us((chrono_obj *)self) / 1e3);
}

static PyObject *chrono_read_us(PyObject *self, PyObject *u)
{
    (void)u;
    return PyLong_FromLongLong(chrono_us((chrono_obj *)self));
}

static PyMethodDef chrono_methods[] = {
    {"start", chrono_start, METH_NOARGS, NULL},
    {"stop", chrono_stop, METH_NOARGS, NULL},
    {"reset", chrono_reset, METH_NOARGS, NULL},
    {"read", chrono_read, METH_NOARGS, NULL},
    {"read_ms", chrono_read_ms, METH_NOARGS, NULL},
    {"read_us", chrono_read_us, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

/* ---- Timer ---------------------------------------------------------------------- */

static PyObject *timer_sleep_us(PyObject *self, PyObject *arg)
{
    (void)self;
    long long us = PyLong_AsLongLong(arg);
    if (us == -1 && PyErr_Occurred()) return NULL;
    if (vb_engine_sleep_us(us) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef timer_methods[] = {
    {"sleep_us", timer_sleep_us, METH_O | METH_STATIC, NULL},
    {NULL, NULL, 0, NULL},
};

static PyObject *make(const char *name, size_t size, PyMethodDef *methods, newfunc tp_new, destructor dealloc)
{
    PyType_Slot slots[4] = {{Py_tp_methods, methods}};
    int n = 1;
    if (tp_new) slots[n++] = (PyType_Slot){Py_tp_new, (void *)tp_new};
    if (dealloc) slots[n++] = (PyType_Slot){Py_tp_dealloc, (void *)dealloc};
    slots[n] = (PyType_Slot){0, NULL};
    /* without tp_new the holder cannot be instantiated, as on Pycom */
    PyType_Spec spec = {name, (int)size, 0,
                        Py_TPFLAGS_DEFAULT | (tp_new ? 0 : Py_TPFLAGS_DISALLOW_INSTANTIATION), slots};
    return PyType_FromSpec(&spec);
}

PyObject *vb_timer_pycom_type_create(void)
{
    PyObject *timer = make("machine.Timer", sizeof(PyObject), timer_methods, NULL, NULL);
    PyObject *alarm = make("Alarm", sizeof(alarm_obj), alarm_methods, alarm_new, alarm_dealloc);
    PyObject *chrono = make("Chrono", sizeof(chrono_obj), chrono_methods, PyType_GenericNew, NULL);
    if (!timer || !alarm || !chrono || PyObject_SetAttrString(timer, "Alarm", alarm) < 0 ||
        PyObject_SetAttrString(timer, "Chrono", chrono) < 0)
        Py_CLEAR(timer);
    Py_XDECREF(alarm);
    Py_XDECREF(chrono);
    return timer;
}
