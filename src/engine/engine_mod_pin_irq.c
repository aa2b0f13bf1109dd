/* Pin IRQs, run the way MicroPython schedules them: on the Python thread,
 * between bytecodes (and during sleeps and input waits), one handler call
 * per latched edge, with the Pin as the argument (Pycom: its callback arg).
 *
 * The path: the board latches an armed edge in shared memory and sends the
 * VM SIGUSR1. CPython's own C handler (async-signal-safe: it only sets a
 * flag) notes it; at the next bytecode, or in PyErr_CheckSignals() during a
 * sleep or an input wait, CPython calls the Python-level handler installed
 * here, a C builtin that takes the latched edges (hal->pin_irq_take) and
 * calls the handlers. Edges the VM's own pin writes cause are latched the
 * same way without a signal; vb_pin_irq_poke() marks the handler due.
 *
 * As upstream's mp_call_function_1_protected, an exception escaping a
 * handler is printed and dropped; the program goes on. A KeyboardInterrupt
 * is the exception: MicroPython holds Ctrl-C while a scheduled callback
 * runs and raises it in the main code, so here it leaves the handler run
 * and reaches the running code. */
#include "engine_int.h"

#include <signal.h>

/* The IRQ object Pin.irq() returns (esp32, rp2): calling it runs the handler as
 * if the pin had fired; trigger([t]) reads or changes the trigger. */
typedef struct {
    PyObject_HEAD
    vb_pin_obj *pin;
} irq_obj;

static const vb_hal *hal(void) { return vb_engine_g.hal; }

/* esp32 and Pycom number triggers as ESP-IDF does: 1 rising, 2 falling,
 * 3 both; the level triggers (4 low, 5 high) become the edge into that
 * level. */
static unsigned esp_triggers(long trigger)
{
    if (trigger == 4) return VB_PIN_IRQ_FALLING;
    if (trigger == 5) return VB_PIN_IRQ_RISING;
    return (unsigned)trigger & (VB_PIN_IRQ_RISING | VB_PIN_IRQ_FALLING);
}

/* rp2 takes the RP2040's event bits, or'ed: 1 level low, 2 level high,
 * 4 falling edge, 8 rising edge (levels become the edge into them). */
#define RP2_LEVEL_LOW 1
#define RP2_LEVEL_HIGH 2
#define RP2_EDGE_FALL 4
#define RP2_EDGE_RISE 8
static unsigned rp2_triggers(long trigger)
{
    unsigned t = 0;
    if (trigger & (RP2_EDGE_RISE | RP2_LEVEL_HIGH)) t |= VB_PIN_IRQ_RISING;
    if (trigger & (RP2_EDGE_FALL | RP2_LEVEL_LOW)) t |= VB_PIN_IRQ_FALLING;
    return t;
}

static unsigned board_triggers(long trigger)
{
    static unsigned (*const of[VB_PORT_COUNT])(long) = {
        [VB_PORT_ESP32] = esp_triggers, [VB_PORT_PYCOM] = esp_triggers, [VB_PORT_RP2] = rp2_triggers,
    };
    return of[vb_engine_g.port->id](trigger);
}

static void arm(vb_pin_obj *p, PyObject *handler, PyObject *arg, long trigger)
{
    bool was = p->handler && p->hal_trig;
    Py_XINCREF(handler);
    Py_XINCREF(arg);
    Py_XSETREF(p->handler, handler);
    Py_XSETREF(p->arg, arg);
    p->trigger = handler ? trigger : 0;
    p->hal_trig = handler ? board_triggers(trigger) : 0;
    bool now = p->handler && p->hal_trig;
    if (now && !was) vb_engine_g.irq_armed++;
    if (was && !now) vb_engine_g.irq_armed--;
    hal()->pin_irq_arm(hal()->ctx, p->def->gpio, p->hal_trig);
}

void vb_pin_irq_disarm(vb_pin_obj *p)
{
    if (p->soft_pending) {
        p->soft_pending = false;
        vb_engine_g.irq_soft--;
    }
    arm(p, NULL, NULL, 0);
}

void vb_pin_irq_poke(void)
{
    /* Trips our SIGUSR1 handler as a signal would (async-safe, no syscall). */
    if (vb_engine_g.irq_armed || vb_engine_g.irq_soft) (void)PyErr_SetInterruptEx(SIGUSR1);
}

/* ---- running the handlers --------------------------------------------------- */

void vb_engine_report_callback_exception(void)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value && tb) PyException_SetTraceback(value, tb);
    PyObject *text = value ? vb_exc_format(value) : NULL;
    Py_ssize_t n = 0;
    const char *s = text ? PyUnicode_AsUTF8AndSize(text, &n) : NULL;
    if (s) vb_engine_write_cooked(s, (size_t)n);
    PyErr_Clear();
    Py_XDECREF(text);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
}

int vb_engine_run_irq_handler(PyObject *handler, PyObject *arg)
{
    PyObject *h = Py_NewRef(handler), *a = Py_NewRef(arg);   /* the handler may re-arm its source */
    vb_engine_g.irq_runs++;
    PyObject *r = PyObject_CallOneArg(h, a);
    Py_DECREF(h);
    Py_DECREF(a);
    if (r) {
        Py_DECREF(r);
        return 0;
    }
    if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) return -1;
    vb_engine_report_callback_exception();
    return 0;
}

/* One handler call: 0, or -1 with KeyboardInterrupt set. */
static int call_handler(vb_pin_obj *p)
{
    if (!p->handler) return 0;
    return vb_engine_run_irq_handler(p->handler, p->arg ? p->arg : (PyObject *)p);
}

/* How many handler calls pin p is owed: its armed, latched edges
 * (bit 2*gpio rising, 2*gpio+1 falling) and a call of its IRQ object. */
static unsigned calls_due(vb_pin_obj *p, const uint64_t pending[2])
{
    unsigned bit = 2u * p->def->gpio, n = 0;
    uint64_t w = pending[bit / 64] >> (bit % 64);
    if ((w & 1) && (p->hal_trig & VB_PIN_IRQ_RISING)) n++;
    if ((w & 2) && (p->hal_trig & VB_PIN_IRQ_FALLING)) n++;
    if (p->soft_pending) {
        p->soft_pending = false;
        vb_engine_g.irq_soft--;
        n++;
    }
    return n;
}

/* 0, or -1 with KeyboardInterrupt set (the rest of the round is dropped). */
static int run_irqs(void)
{
    vb_engine_state *g = &vb_engine_g;
    if (g->in_irq) { /* a signal while a handler runs: one more round later */
        g->irq_again = true;
        return 0;
    }
    /* Nothing armed in this process (the zygote): leave the latches alone. */
    if (!g->irq_armed && !g->irq_soft) return 0;
    uint64_t pending[2] = {0, 0};
    if (g->irq_armed) hal()->pin_irq_take(hal()->ctx, pending);
    g->in_irq = true;
    int rc = 0;
    for (unsigned gpio = 0; gpio < VB_PINS_MAX && rc == 0; gpio++) {
        vb_pin_obj *p = (vb_pin_obj *)g->pin_by_gpio[gpio];
        for (unsigned n = p ? calls_due(p, pending) : 0; n > 0 && rc == 0; n--)
            rc = call_handler(p);
    }
    g->in_irq = false;
    if (g->irq_again) {
        g->irq_again = false;
        (void)PyErr_SetInterruptEx(SIGUSR1);
    }
    return rc;
}

/* The Python-level SIGUSR1 handler: handler(signum, frame). */
static PyObject *on_sigusr1(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self, (void)args, (void)nargs;
    if (run_irqs() < 0 || vb_timer_run_due() < 0 || vb_uart_irq_run() < 0) return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef sigusr1_def = {
    "_vb_pin_irq", (PyCFunction)(void (*)(void))on_sigusr1, METH_FASTCALL, NULL,
};

int vb_engine_service_events(void)
{
    int rc = 0;
    vb_timer_poke_due();
    for (int step = 0; step < 2; step++) {
        if ((step == 0 ? PyErr_CheckSignals() : Py_MakePendingCalls()) == 0) continue;
        if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
            PyErr_Clear();
            rc = -1;
        } else {
            vb_engine_report_callback_exception();
        }
    }
    return rc;
}

void vb_pin_irq_after_fork(void)
{
    vb_engine_state *g = &vb_engine_g;
    g->irq_armed = g->irq_soft = 0;
    g->in_irq = g->irq_again = false;
    if (!g->n_pins) return;
    for (unsigned i = 0; i < g->n_pins; i++) hal()->pin_irq_arm(hal()->ctx, g->pins[i].gpio, 0);
    uint64_t stale[2];
    hal()->pin_irq_take(hal()->ctx, stale);
}

/* ---- Pin.irq() (esp32, rp2) and Pin.callback() (Pycom) ------------------------- */

static PyObject *irq_object(vb_pin_obj *p)
{
    if (!p->irq) {
        irq_obj *o = (irq_obj *)PyType_GenericAlloc((PyTypeObject *)vb_engine_g.pin_irq_type, 0);
        if (!o) return NULL;
        o->pin = (vb_pin_obj *)Py_NewRef((PyObject *)p);
        p->irq = (PyObject *)o; /* the pin lives as long as the process */
    }
    return Py_NewRef(p->irq);
}

/* WAKE_LOW/WAKE_HIGH with wake= makes the pin the ext0 deep-sleep wake
 * source (the port's checks and messages); lightsleep needs nothing. */
static int irq_wake(vb_pin_obj *p, long trigger, PyObject *wake)
{
    long w = PyLong_Check(wake) ? PyLong_AsLong(wake) : -1;
    if (w < 2 || w > 7) {
        PyErr_Clear();
        PyErr_SetString(PyExc_ValueError, "bad wake value");
        return -1;
    }
    if (!vb_pin_rtc_gpio(p->def->gpio)) {
        PyErr_SetString(PyExc_ValueError, "invalid pin for wake");
        return -1;
    }
    if (vb_hal_need((const void *)hal()->wake_pins_set) < 0) return -1;
    vb_esp32_set_ext0(1ull << p->def->gpio, trigger == 5);
    return 0;
}

/* irq(handler=None, trigger=IRQ_FALLING | IRQ_RISING, wake=None): any
 * argument configures (handler None disarms); returns the IRQ object. */
PyObject *vb_pin_irq_method(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"handler", "trigger", "wake", NULL};
    vb_pin_obj *p = (vb_pin_obj *)self;
    PyObject *handler = Py_None, *wake = Py_None;
    long trigger = VB_PIN_IRQ_RISING | VB_PIN_IRQ_FALLING;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OlO:irq", kwl, &handler, &trigger, &wake))
        return NULL;
    if (PyTuple_GET_SIZE(args) > 0 || (kw && PyDict_GET_SIZE(kw) > 0)) {
        if ((trigger == 4 || trigger == 5) && wake != Py_None) {
            if (irq_wake(p, trigger, wake) < 0) return NULL;
        } else {
            if (vb_engine_g.ext0_mask == (1ull << p->def->gpio)) vb_esp32_set_ext0(0, 0);
            arm(p, handler == Py_None ? NULL : handler, NULL, trigger);
        }
    }
    return irq_object(p);
}

/* rp2: irq(handler=None, trigger=IRQ_FALLING | IRQ_RISING, hard=False): any
 * argument configures (handler None disarms); returns the IRQ object. A
 * hard IRQ runs as a soft one here (between bytecodes). */
PyObject *vb_pin_irq_method_rp2(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"handler", "trigger", "hard", NULL};
    vb_pin_obj *p = (vb_pin_obj *)self;
    PyObject *handler = Py_None;
    long trigger = RP2_EDGE_FALL | RP2_EDGE_RISE;
    int hard = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|Olp:irq", kwl, &handler, &trigger, &hard))
        return NULL;
    if (PyTuple_GET_SIZE(args) > 0 || (kw && PyDict_GET_SIZE(kw) > 0))
        arm(p, handler == Py_None ? NULL : handler, NULL, trigger);
    return irq_object(p);
}

/* callback(trigger, handler=None, arg=None): handler(arg), arg defaulting
 * to the pin; trigger 0 or no handler switches the interrupt off. */
PyObject *vb_pin_callback_method(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"trigger", "handler", "arg", NULL};
    vb_pin_obj *p = (vb_pin_obj *)self;
    PyObject *handler = Py_None, *arg = Py_None;
    long trigger = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|lOO:callback", kwl, &trigger, &handler, &arg))
        return NULL;
    if (trigger != 0 && handler != Py_None) arm(p, handler, arg == Py_None ? NULL : arg, trigger);
    else vb_pin_irq_disarm(p);
    Py_RETURN_NONE;
}

/* ---- the IRQ object ------------------------------------------------------------ */

static PyObject *irq_call(PyObject *self, PyObject *args, PyObject *kw)
{
    if (PyTuple_GET_SIZE(args) > 0 || (kw && PyDict_GET_SIZE(kw) > 0)) {
        PyErr_SetString(PyExc_TypeError, "function takes 0 positional arguments but 1 were given");
        return NULL;
    }
    vb_pin_obj *p = ((irq_obj *)self)->pin;
    if (p->handler && !p->soft_pending) {
        p->soft_pending = true;
        vb_engine_g.irq_soft++;
        vb_pin_irq_poke();
    }
    Py_RETURN_NONE;
}

/* trigger([t]) -> the trigger before the call; t re-arms with t. */
static PyObject *irq_trigger(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    vb_pin_obj *p = ((irq_obj *)self)->pin;
    long before = p->trigger;
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "function takes at most 1 argument");
        return NULL;
    }
    if (nargs == 1) {
        long t = PyLong_AsLong(args[0]);
        if (t == -1 && PyErr_Occurred()) return NULL;
        if (p->handler) arm(p, p->handler, p->arg, t);
    }
    return PyLong_FromLong(before);
}

static PyObject *irq_repr(PyObject *self)
{
    (void)self;
    return PyUnicode_FromString("<IRQ>");
}

static void irq_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    Py_XDECREF((PyObject *)((irq_obj *)self)->pin);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyMethodDef irq_methods[] = {
    {"trigger", (PyCFunction)(void (*)(void))irq_trigger, METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL},
};

int vb_pin_irq_init(void)
{
    PyType_Slot slots[] = {
        {Py_tp_call, (void *)irq_call},
        {Py_tp_repr, (void *)irq_repr},
        {Py_tp_dealloc, (void *)irq_dealloc},
        {Py_tp_methods, irq_methods},
        {0, NULL},
    };
    /* Py_TPFLAGS_DISALLOW_INSTANTIATION: only Pin.irq() makes them. */
    PyType_Spec spec = {"machine.IRQ", sizeof(irq_obj), 0,
                        Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, slots};
    Py_XSETREF(vb_engine_g.pin_irq_type, PyType_FromSpec(&spec));
    if (!vb_engine_g.pin_irq_type) return -1;
    /* Installed in the zygote so every VM inherits it: SIGUSR1's default
     * action would kill a VM that got an edge before installing one. */
    PyObject *handler = PyCFunction_New(&sigusr1_def, NULL);
    PyObject *sig = handler ? PyImport_ImportModule("_signal") /* not signal.py: enum */ : NULL;
    PyObject *r = sig ? PyObject_CallMethod(sig, "signal", "iO", SIGUSR1, handler) : NULL;
    Py_XDECREF(r);
    Py_XDECREF(sig);
    Py_XDECREF(handler);
    return r ? 0 : -1;
}
