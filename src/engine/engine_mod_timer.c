/* machine.Timer on the esp32 and rp2 ports (MicroPython v1.24), over the
 * engine's timer service (engine_timer.c): callbacks run as scheduled
 * handlers between bytecodes, in board time, with the Timer as argument.
 *
 * esp32: Timer(id, *, mode=PERIODIC, callback=None, period=0xffffffff,
 * tick_hz=1000, freq=None): the ESP32's four hardware timers (2 groups x
 * 2; the id is taken modulo them, as upstream splits it into group and
 * index bits); the same id gives the same object; value() is the counter
 * in ms since the last start or reload; repr Timer(id, mode=M, period=ms).
 * rp2: Timer(id=-1, ...) with the same keywords: only the virtual timer
 * -1 ("Timer doesn't exist" otherwise), a new object each time; a period
 * under 1 µs is 1 µs; repr Timer(mode=M, tick_hz=1000000, period=µs).
 * Both: init(**kw) re-arms, deinit() stops, ONE_SHOT 0, PERIODIC 1; every
 * timer stops at soft reset (the VM ends). Pycom's Timer is
 * engine_mod_timer_pycom.c. */
#include "engine_int.h"
#include "board/periph.h"

#include <math.h>

#define MODE_ONE_SHOT 0
#define MODE_PERIODIC 1
#define HW_TIMERS_MAX 8            /* room for a port's hw_timers */

typedef struct {
    PyObject_HEAD
    long id;                       /* -1: virtual */
    long mode;
    int64_t period_us;
    int64_t period_ms;             /* as esp32's repr shows it */
    int64_t started_us;            /* board time of the last init() */
    bool counting;                 /* the esp32 counter runs (init until deinit) */
    int64_t frozen_ms;             /* value() after deinit */
} timer_obj;

/* esp32's hardware timers as objects: Timer(n) twice is one object. Why
 * global: the VM's one machine module owns them, as upstream's port state
 * list does; a new VM starts without (the zygote never makes one). */
static PyObject *hw_timer_objs[HW_TIMERS_MAX];

static const vb_port_periph *periph(void) { return vb_engine_g.port->periph; }

/* init's keywords: 0, or -1 with an exception. */
static int timer_init_kw(timer_obj *t, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"mode", "callback", "period", "tick_hz", "freq", NULL};
    long mode = MODE_PERIODIC, tick_hz = 1000;
    long long period = 0xffffffffLL;
    PyObject *callback = Py_None, *freq = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$lOLlO:init", kwl, &mode, &callback, &period, &tick_hz, &freq))
        return -1;
    int64_t us;
    if (freq != Py_None) {
        double f = PyFloat_AsDouble(freq);
        if (f == -1.0 && PyErr_Occurred()) return -1;
        if (f == 0.0) {
            PyErr_SetString(PyExc_ZeroDivisionError, "divide by zero");
            return -1;
        }
        double p = 1e6 / fabs(f);
        us = p > 9e15 ? (int64_t)9e15 : (int64_t)p;
    } else {
        if (tick_hz == 0) {
            PyErr_SetString(PyExc_ZeroDivisionError, "divide by zero");
            return -1;
        }
        /* both ports take period as an unsigned machine word */
        uint64_t ticks = (uint64_t)period & 0xffffffffu;
        us = (int64_t)(ticks * 1000000u / (uint64_t)labs(tick_hz));
    }
    if (us < 1) us = 1;
    t->mode = mode;
    t->period_us = us;
    t->period_ms = us / 1000;
    t->started_us = vb_engine_now_us();
    t->counting = true;
    return vb_timer_start((PyObject *)t, callback, NULL, us, mode == MODE_ONE_SHOT ? 0 : us);
}

static PyObject *timer_init(PyObject *self, PyObject *args, PyObject *kw)
{
    if (timer_init_kw((timer_obj *)self, args, kw) < 0) return NULL;
    Py_RETURN_NONE;
}

/* esp32 value(): the counter in ms. It counts from init(), restarts at
 * every periodic reload, runs on after a one-shot alarm, and stands still
 * from deinit() on. */
static int64_t counter_ms(const timer_obj *t)
{
    if (!t->counting) return t->frozen_ms;
    int64_t since = vb_engine_now_us() - t->started_us;
    if (since < 0) since = 0;
    if (t->mode != MODE_ONE_SHOT && t->period_us > 0) since %= t->period_us;
    return since / 1000;
}

static PyObject *timer_value(PyObject *self, PyObject *u)
{
    (void)u;
    return PyLong_FromLongLong(counter_ms((timer_obj *)self));
}

static PyObject *timer_deinit(PyObject *self, PyObject *u)
{
    (void)u;
    timer_obj *t = (timer_obj *)self;
    t->frozen_ms = counter_ms(t);
    t->counting = false;
    vb_timer_stop(self);
    Py_RETURN_NONE;
}

static const char *mode_name(long mode) { return mode == MODE_ONE_SHOT ? "ONE_SHOT" : "PERIODIC"; }

static PyObject *esp32_repr(PyObject *self)
{
    timer_obj *t = (timer_obj *)self;
    return PyUnicode_FromFormat("Timer(%ld, mode=%s, period=%lld)", t->id, mode_name(t->mode),
                                (long long)t->period_ms);
}

static PyObject *rp2_repr(PyObject *self)
{
    timer_obj *t = (timer_obj *)self;
    return PyUnicode_FromFormat("Timer(mode=%s, tick_hz=1000000, period=%lld)", mode_name(t->mode),
                                (long long)t->period_us);
}

/* Splits Timer(id, **kw) off its id: the id object and the rest. */
static int split_id(PyObject *args, PyObject **id, PyObject **rest)
{
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    *id = n > 0 ? PyTuple_GET_ITEM(args, 0) : NULL;
    *rest = PyTuple_GetSlice(args, n > 0 ? 1 : 0, n);
    return *rest ? 0 : -1;
}

static PyObject *timer_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyObject *id_obj, *rest;
    if (split_id(args, &id_obj, &rest) < 0) return NULL;
    long id = -1;
    if (id_obj) {
        id = PyLong_AsLong(id_obj);
        if (id == -1 && PyErr_Occurred()) goto fail;
    }
    const vb_port_periph *pp = periph();
    timer_obj *t;
    if (pp->virtual_timer) {
        if (id != -1) {
            PyErr_SetString(PyExc_ValueError, "Timer doesn't exist");
            goto fail;
        }
        t = (timer_obj *)type->tp_alloc(type, 0);
        if (!t) goto fail;
        t->id = -1;
    } else {
        if (!id_obj) {
            PyErr_SetString(PyExc_TypeError, "function missing 1 required positional arguments");
            goto fail;
        }
        unsigned n = pp->hw_timers < HW_TIMERS_MAX ? pp->hw_timers : HW_TIMERS_MAX;
        unsigned k = (unsigned)((unsigned long)id % (n ? n : 1));
        if (!hw_timer_objs[k]) {
            hw_timer_objs[k] = type->tp_alloc(type, 0);
            if (!hw_timer_objs[k]) goto fail;
            ((timer_obj *)hw_timer_objs[k])->id = (long)k;
            ((timer_obj *)hw_timer_objs[k])->mode = MODE_PERIODIC;
        }
        t = (timer_obj *)Py_NewRef(hw_timer_objs[k]);
    }
    if (PyTuple_GET_SIZE(rest) > 0 || (kw && PyDict_GET_SIZE(kw) > 0)) {
        if (timer_init_kw(t, rest, kw) < 0) {
            Py_DECREF(t);
            goto fail;
        }
    }
    Py_DECREF(rest);
    return (PyObject *)t;
fail:
    Py_DECREF(rest);
    return NULL;
}

static void timer_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyMethodDef esp32_methods[] = {
    {"init", (PyCFunction)(void (*)(void))timer_init, METH_VARARGS | METH_KEYWORDS, NULL},
    {"deinit", timer_deinit, METH_NOARGS, NULL},
    {"value", timer_value, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMethodDef rp2_methods[] = {
    {"init", (PyCFunction)(void (*)(void))timer_init, METH_VARARGS | METH_KEYWORDS, NULL},
    {"deinit", timer_deinit, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

PyObject *vb_timer_type_create(void)
{
    if (!periph()->hw_timers && !periph()->virtual_timer) return vb_timer_pycom_type_create();
    bool virt = periph()->virtual_timer;
    for (unsigned i = 0; i < HW_TIMERS_MAX; i++) hw_timer_objs[i] = NULL;
    PyType_Slot slots[] = {
        {Py_tp_new, (void *)timer_new},
        {Py_tp_repr, (void *)(virt ? rp2_repr : esp32_repr)},
        {Py_tp_dealloc, (void *)timer_dealloc},
        {Py_tp_methods, virt ? rp2_methods : esp32_methods},
        {0, NULL},
    };
    PyType_Spec spec = {"machine.Timer", sizeof(timer_obj), 0, Py_TPFLAGS_DEFAULT, slots};
    static const vb_engine_const consts[] = {{"ONE_SHOT", MODE_ONE_SHOT}, {"PERIODIC", MODE_PERIODIC}, {NULL, 0}};
    return vb_type_add_consts(PyType_FromSpec(&spec), consts);
}
