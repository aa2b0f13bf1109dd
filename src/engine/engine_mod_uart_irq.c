/* UART.irq() (esp32 v1.24's machine_uart.c): a handler called with the
 * UART when data arrives (IRQ_RX), when the line has been quiet for two
 * characters' time or 1 ms, whichever is longer, after data (IRQ_RXIDLE),
 * or on a break (IRQ_BREAK: nothing on the host side sends one yet).
 * Triggers and their numbers are the port's (board/periph.h); a port
 * without them has no UART.irq.
 *
 * The path is the Pin IRQs' (engine_mod_pin_irq.c): the board counts the
 * bytes it delivers to each UART's line and, for a UART armed here, sends
 * the VM SIGUSR1; its handler calls vb_uart_irq_run, which sees a count
 * that moved. RXIDLE is a board-time timer (engine_timer.c) restarted by
 * each arrival. Handlers run between bytecodes; an exception escaping one
 * is printed and dropped, a KeyboardInterrupt reaches the running code. */
#include "engine_int.h"

#include "board/periph.h"

/* The IRQ state of each UART id (the peripheral's, as upstream keeps it
 * per UART, not per Python object). Why global: the SIGUSR1 handler has
 * no user pointer (as vb_engine_g); a new VM starts clean
 * (vb_uart_irq_after_fork). */
typedef struct {
    PyObject *uart;                /* the UART armed (strong), NULL: none */
    PyObject *handler;
    PyObject *irq;                 /* its IRQ object, made once */
    uint32_t trigger, flags;       /* the port's numbers */
    uint64_t seen;                 /* the board's byte count when last looked */
    int64_t idle_us;               /* RXIDLE's quiet time */
} uart_irq_slot;
static uart_irq_slot slots[VB_UARTS_MAX];

/* The irq object's type, made once per engine (why global: see vb_engine_g). */
static PyTypeObject *irq_type;

typedef struct {
    PyObject_HEAD
    int id;
} irq_obj;

static const vb_hal *hal(void) { return vb_engine_g.hal; }
static const vb_port_periph *periph(void) { return vb_engine_g.port->periph; }
static uint32_t allowed(void) { return periph()->uart_irq_rx | periph()->uart_irq_rxidle | periph()->uart_irq_break; }

bool vb_uart_irq_supported(void) { return allowed() != 0 && hal()->uart_irq_arm && hal()->uart_rx_count; }

static void disarm(unsigned id)
{
    uart_irq_slot *s = &slots[id];
    if (s->uart) {
        hal()->uart_irq_arm(hal()->ctx, id, false);
        vb_timer_stop(s->uart);
    }
    Py_CLEAR(s->uart);
    Py_CLEAR(s->handler);
    s->trigger = s->flags = 0;
}

/* One handler call with `flags`: 0, or -1 with KeyboardInterrupt set. */
static int call(unsigned id, uint32_t flags)
{
    uart_irq_slot *s = &slots[id];
    if (!s->handler || s->handler == Py_None || !(s->trigger & flags)) return 0;
    s->flags = flags;
    return vb_engine_run_irq_handler(s->handler, s->uart);
}

/* The RXIDLE timer ran out: nothing came for idle_us. */
static PyObject *on_idle(PyObject *self, PyObject *uart)
{
    (void)self;
    for (unsigned id = 0; id < VB_UARTS_MAX; id++)
        if (slots[id].uart == uart) return call(id, periph()->uart_irq_rxidle) < 0 ? NULL : Py_NewRef(Py_None);
    Py_RETURN_NONE;
}

static PyMethodDef on_idle_def = {"_vb_uart_rxidle", on_idle, METH_O, NULL};
/* The RXIDLE timers' callback, made with the UART type (why global: as irq_type). */
static PyObject *on_idle_fn;

int vb_uart_irq_run(void)
{
    for (unsigned id = 0; id < VB_UARTS_MAX; id++) {
        uart_irq_slot *s = &slots[id];
        if (!s->uart) continue;
        uint64_t n = hal()->uart_rx_count(hal()->ctx, id);
        if (n == s->seen) continue;
        s->seen = n;
        if ((s->trigger & periph()->uart_irq_rxidle) && vb_timer_start(s->uart, on_idle_fn, s->uart, s->idle_us, 0) < 0)
            vb_engine_report_callback_exception();
        if (call(id, periph()->uart_irq_rx) < 0) return -1;
    }
    return 0;
}

void vb_uart_irq_after_fork(void)
{
    for (unsigned id = 0; id < VB_UARTS_MAX; id++) {
        slots[id] = (uart_irq_slot){0};
        if (vb_uart_irq_supported()) hal()->uart_irq_arm(hal()->ctx, id, false);
    }
}

void vb_uart_irq_deinit(int id)
{
    if (id >= 0 && id < (int)VB_UARTS_MAX) disarm((unsigned)id);
}

void vb_uart_irq_set_char_us(int id, int64_t char_us)
{
    /* two characters' time, at least 1 ms (esp32's RXIDLE timer) */
    if (id >= 0 && id < (int)VB_UARTS_MAX) slots[id].idle_us = 2 * char_us > 1000 ? 2 * char_us : 1000;
}

static PyObject *irq_object(int id)
{
    uart_irq_slot *s = &slots[id];
    if (!s->irq) {
        irq_obj *o = PyObject_New(irq_obj, irq_type);
        if (!o) return NULL;
        o->id = id;
        s->irq = (PyObject *)o;
    }
    return Py_NewRef(s->irq);
}

PyObject *vb_uart_irq(PyObject *uart, int id, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"handler", "trigger", "hard", NULL};
    PyObject *handler = Py_None;
    long trigger = 0;
    int hard = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|Olp:irq", kwlist, &handler, &trigger, &hard)) return NULL;
    bool any = PyTuple_GET_SIZE(args) || (kw && PyDict_GET_SIZE(kw));
    if (any) {
        uint32_t bad = (uint32_t)trigger & ~allowed();
        if (trigger && bad) return PyErr_Format(PyExc_ValueError, "trigger 0x%04x unsupported", (unsigned)bad);
        if (hard) {
            PyErr_SetString(PyExc_ValueError, "hard unsupported");
            return NULL;
        }
        if (handler != Py_None && !PyCallable_Check(handler)) {
            PyErr_SetString(PyExc_ValueError, "handler must be None or callable");
            return NULL;
        }
        disarm((unsigned)id);
        uart_irq_slot *s = &slots[id];
        s->trigger = (uint32_t)trigger;
        if (handler != Py_None && trigger) {
            s->uart = Py_NewRef(uart);
            s->handler = Py_NewRef(handler);
            s->seen = hal()->uart_rx_count(hal()->ctx, (unsigned)id);
            hal()->uart_irq_arm(hal()->ctx, (unsigned)id, true);
        }
    }
    return irq_object(id);
}

/* irq.flags(): what the last call was for. */
static PyObject *irq_flags(irq_obj *o, PyObject *x)
{
    (void)x;
    return PyLong_FromUnsignedLong(slots[o->id].flags);
}

/* irq.trigger([t]): the triggers, changed when given. */
static PyObject *irq_trigger(irq_obj *o, PyObject *const *args, Py_ssize_t nargs)
{
    uart_irq_slot *s = &slots[o->id];
    uint32_t was = s->trigger;
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "trigger([trigger])");
        return NULL;
    }
    if (nargs == 1) {
        long t = PyLong_AsLong(args[0]);
        if (t == -1 && PyErr_Occurred()) return NULL;
        uint32_t bad = (uint32_t)t & ~allowed();
        if (t && bad) return PyErr_Format(PyExc_ValueError, "trigger 0x%04x unsupported", (unsigned)bad);
        s->trigger = (uint32_t)t;
    }
    return PyLong_FromUnsignedLong(was);
}

/* Calling the IRQ object runs its handler as an event would. */
static PyObject *irq_call(irq_obj *o, PyObject *args, PyObject *kw)
{
    (void)args, (void)kw;
    uart_irq_slot *s = &slots[o->id];
    if (!s->handler || s->handler == Py_None) Py_RETURN_NONE;
    return PyObject_CallOneArg(s->handler, s->uart);
}

static void irq_dealloc(irq_obj *o)
{
    PyTypeObject *tp = Py_TYPE(o);
    PyObject_Free(o);
    Py_DECREF(tp);
}

static PyMethodDef irq_methods[] = {
    {"flags", (PyCFunction)irq_flags, METH_NOARGS, NULL},
    {"trigger", (PyCFunction)(void (*)(void))irq_trigger, METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL},
};

int vb_uart_irq_add_to_type(PyObject *uart_type)
{
    if (!on_idle_fn && !(on_idle_fn = PyCFunction_New(&on_idle_def, NULL))) return -1;
    if (!irq_type) {
        PyType_Slot ts[] = {{Py_tp_dealloc, irq_dealloc}, {Py_tp_call, irq_call}, {Py_tp_methods, irq_methods},
                            {0, NULL}};
        PyType_Spec spec = {"irq", sizeof(irq_obj), 0, Py_TPFLAGS_DEFAULT, ts};
        irq_type = (PyTypeObject *)PyType_FromSpec(&spec);
        if (!irq_type) return -1;
    }
    const vb_engine_const consts[] = {
        {"IRQ_RX", periph()->uart_irq_rx}, {"IRQ_RXIDLE", periph()->uart_irq_rxidle},
        {"IRQ_BREAK", periph()->uart_irq_break}, {NULL, 0},
    };
    for (const vb_engine_const *c = consts; c->name; c++) {
        if (!c->value) continue;
        PyObject *v = PyLong_FromLong(c->value);
        int rc = v ? PyObject_SetAttrString(uart_type, c->name, v) : -1;
        Py_XDECREF(v);
        if (rc < 0) return -1;
    }
    return 0;
}
