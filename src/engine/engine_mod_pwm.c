/* machine.PWM per port (MicroPython v1.24 esp32 and rp2, Pycom 1.20): the
 * output is the board's (hal->pwm_set): the host sees its frequency and
 * duty through `ctl pwm`, the trace and the VCD, never its edges.
 *
 * esp32/rp2: PWM(pin, freq=, *, duty=, duty_u16=, duty_ns=, invert=),
 * init(**same), deinit(), freq([hz]), duty_u16([d]), duty_ns([ns]) and on
 * esp32 duty([0..1023]); a new output runs at the port's default
 * frequency (esp32 5 kHz) and 50 % duty. The limits and their messages are
 * the port's (board/periph.h, the flavours below); a pin made a GPIO again
 * (Pin(n, Pin.OUT)) loses its PWM signal, as the pin mux does.
 * Pycom: PWM(timer, frequency).channel(id, *, pin, duty_cycle=0.5) gives a
 * PWMChannel with duty_cycle(value 0..1). */
#include "engine_int.h"
#include "board/periph.h"

#include <string.h>

typedef struct {
    PyObject_HEAD
    int gpio;                      /* -1: none yet (Pycom's PWM timer) */
    uint32_t freq;
    uint32_t duty_u16;
    int duty_unit;                 /* what repr shows: 0 duty, 1 duty_u16, 2 duty_ns */
    uint64_t duty_ns;
    bool active;
    uint32_t route;                /* the pin's routing it was given (pin_route) */
    PyObject *timer;               /* Pycom PWMChannel: its PWM (the frequency) */
} pwm_obj;

/* GPIOs with an active output (the channel limit) and what each pin's
 * output was last set to: a new PWM(pin) starts from it, as a new object
 * over running hardware does. Why global: the VM's PWM outputs are one
 * set, whatever objects stand for them. */
static uint64_t active_pins;
static uint32_t pin_freq[VB_PINS_MAX], pin_duty[VB_PINS_MAX];
/* Bumped when machine.Pin takes a pin back: a PWM object routed before
 * no longer reaches it, so its changes stay inside it. */
static uint32_t pin_route[VB_PINS_MAX];

static const vb_port_periph *periph(void) { return vb_engine_g.port->periph; }
static const vb_hal *hal(void) { return vb_engine_g.hal; }

typedef struct pwm_flavour {
    const char *freq_low, *freq_high;     /* messages */
    bool has_duty;                        /* duty() */
    bool pycom;                           /* PWM(timer, frequency).channel() */
    bool strict;                          /* esp32: one duty keyword at most; an
                                             inactive output refuses its methods */
} pwm_flavour;

static const pwm_flavour flavours[VB_PORT_COUNT] = {
    [VB_PORT_ESP32] = {"frequency must be from 1Hz to 40MHz", "frequency must be from 1Hz to 40MHz", true, false, true},
    [VB_PORT_PYCOM] = {"frequency out of range", "frequency out of range", false, true, false},
    [VB_PORT_RP2] = {"freq too small", "freq too large", false, false, false},
};

static const pwm_flavour *flavour(void) { return &flavours[vb_engine_g.port->id]; }

void vb_pwm_pin_taken(unsigned gpio)
{
    if (gpio < VB_PINS_MAX && (active_pins >> gpio & 1)) pin_route[gpio]++;
}

static void apply(pwm_obj *p)
{
    if (p->gpio < 0 || !hal()->pwm_set || p->route != pin_route[p->gpio]) return;
    pin_freq[p->gpio] = p->freq;
    pin_duty[p->gpio] = p->duty_u16;
    hal()->pwm_set(hal()->ctx, (unsigned)p->gpio, p->active ? p->freq : 0, p->duty_u16);
    if (!p->active) return;
    /* the other outputs of its slice run at its frequency too (rp2) */
    for (unsigned g = 0; g < VB_PINS_MAX; g++) {
        if (g == (unsigned)p->gpio || !vb_periph_pwm_same_slice(periph(), g, (unsigned)p->gpio)) continue;
        if (pin_freq[g] != p->freq && (active_pins >> g & 1)) hal()->pwm_set(hal()->ctx, g, p->freq, pin_duty[g]);
        pin_freq[g] = p->freq;
    }
}

/* What an output's frequency is now: its own, or its slice's. */
static uint32_t freq_now(const pwm_obj *p)
{
    return p->gpio >= 0 && (active_pins >> p->gpio & 1) ? pin_freq[p->gpio] : p->freq;
}

static int check_freq(long long f)
{
    if (f < (long long)periph()->pwm_freq_min) {
        PyErr_SetString(PyExc_ValueError, flavour()->freq_low);
        return -1;
    }
    if (f > (long long)periph()->pwm_freq_max) {
        PyErr_SetString(PyExc_ValueError, flavour()->freq_high);
        return -1;
    }
    return 0;
}

static int set_u16(pwm_obj *p, long long d)
{
    if (d < 0 || d > 65535) {
        PyErr_SetString(PyExc_ValueError, "duty_u16 must be from 0 to 65535");
        return -1;
    }
    p->duty_u16 = (uint32_t)d;
    p->duty_unit = 1;
    return 0;
}

static int set_duty(pwm_obj *p, long long d)
{
    long long max = (1LL << periph()->pwm_duty_bits) - 1;
    if (d < 0 || d > max) {
        PyErr_Format(PyExc_ValueError, "duty must be from 0 to %lld", max);
        return -1;
    }
    p->duty_u16 = vb_pwm_u16_from_bits((uint32_t)d, periph()->pwm_duty_bits);
    p->duty_unit = 0;
    return 0;
}

static int set_ns(pwm_obj *p, long long ns)
{
    uint64_t max = vb_pwm_ns_from_u16(65535, p->freq);
    if (ns < 0 || (uint64_t)ns > max) {
        PyErr_Format(PyExc_ValueError, "duty_ns must be from 0 to %llu ns", (unsigned long long)max);
        return -1;
    }
    p->duty_u16 = vb_pwm_u16_from_ns((uint64_t)ns, p->freq);
    p->duty_ns = (uint64_t)ns;
    p->duty_unit = 2;
    return 0;
}

/* Claims the output (the channel limit) and routes it to its pin: 0, or
 * -1 with ValueError. */
static int claim(pwm_obj *p)
{
    uint64_t bit = (uint64_t)1 << p->gpio;
    if (!(active_pins & bit)) {
        unsigned n = 0;
        for (uint64_t m = active_pins; m; m &= m - 1) n++;
        if (n >= periph()->pwm_channels) {
            PyErr_Format(PyExc_ValueError, "out of PWM channels:%u", periph()->pwm_channels);
            return -1;
        }
    }
    if (!(active_pins & bit) || p->route != pin_route[p->gpio]) {
        /* the pin is the PWM's output from now on */
        hal()->pin_config(hal()->ctx, (unsigned)p->gpio, VB_PIN_MODE_OUT, VB_PIN_PULL_NONE);
        p->route = pin_route[p->gpio];
    }
    active_pins |= bit;
    p->active = true;
    return 0;
}

/* init's keywords over the current settings: 0, or -1 with an exception. */
static int pwm_init_kw(pwm_obj *p, PyObject *args, PyObject *kw)
{
    p->freq = freq_now(p);
    static char *kwl[] = {"freq", "duty", "duty_u16", "duty_ns", "invert", NULL};
    long long freq = -1, duty = -1, u16 = -1, ns = -1;
    int invert = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|L$LLLp:PWM", kwl, &freq, &duty, &u16, &ns, &invert)) return -1;
    if (duty != -1 && !flavour()->has_duty) {
        PyErr_SetString(PyExc_TypeError, "unexpected keyword argument 'duty'");
        return -1;
    }
    if (flavour()->strict && (duty != -1) + (u16 != -1) + (ns != -1) > 1) {
        PyErr_SetString(PyExc_ValueError, "only one of parameters 'duty', 'duty_u16' or 'duty_ns' is allowed");
        return -1;
    }
    pwm_obj old = *p;
    if (freq == -1) freq = p->freq ? p->freq : periph()->pwm_freq_default;
    if (check_freq(freq) < 0) return -1;
    p->freq = (uint32_t)freq;
    int rc = 0;
    if (u16 != -1) rc = set_u16(p, u16);
    else if (ns != -1) rc = set_ns(p, ns);
    else if (duty != -1) rc = set_duty(p, duty);
    else if (!p->active && !p->duty_u16) p->duty_u16 = 32768, p->duty_unit = flavour()->has_duty ? 0 : 1;
    if (rc == 0) rc = claim(p);
    if (rc < 0) {
        p->freq = old.freq, p->duty_u16 = old.duty_u16, p->duty_unit = old.duty_unit;
        return -1;
    }
    apply(p);
    return 0;
}

static PyObject *pwm_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    if (n < 1) {
        PyErr_SetString(PyExc_TypeError, "function missing 1 required positional arguments");
        return NULL;
    }
    int gpio = vb_periph_pin_gpio(PyTuple_GET_ITEM(args, 0));
    if (gpio < 0) return NULL;
    pwm_obj *p = (pwm_obj *)type->tp_alloc(type, 0);
    if (!p) return NULL;
    p->gpio = gpio;
    p->freq = pin_freq[gpio];
    p->duty_u16 = pin_duty[gpio];
    p->duty_unit = flavour()->has_duty ? 0 : 1;
    p->active = active_pins >> gpio & 1;
    p->route = pin_route[gpio];
    PyObject *rest = PyTuple_GetSlice(args, 1, n);
    if (!rest || pwm_init_kw(p, rest, kw) < 0) Py_CLEAR(p);
    Py_XDECREF(rest);
    return (PyObject *)p;
}

static PyObject *pwm_init(PyObject *self, PyObject *args, PyObject *kw)
{
    if (pwm_init_kw((pwm_obj *)self, args, kw) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *pwm_deinit(PyObject *self, PyObject *u)
{
    (void)u;
    pwm_obj *p = (pwm_obj *)self;
    if (p->active && p->gpio >= 0) active_pins &= ~((uint64_t)1 << p->gpio);
    p->active = false;
    apply(p);
    Py_RETURN_NONE;
}

/* esp32: a deinitialised output refuses its getters and setters. */
static int need_active(const pwm_obj *p)
{
    if (p->active || !flavour()->strict) return 0;
    PyErr_SetString(PyExc_RuntimeError, "PWM inactive");
    return -1;
}

/* getter/setter of one quantity: no argument reads, one sets. */
static PyObject *pwm_freq(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    pwm_obj *p = (pwm_obj *)self;
    if (need_active(p) < 0) return NULL;
    if (nargs == 0) return PyLong_FromUnsignedLong(freq_now(p));
    long long f = PyLong_AsLongLong(args[0]);
    if ((f == -1 && PyErr_Occurred()) || check_freq(f) < 0) return NULL;
    p->freq = (uint32_t)f;
    if (p->duty_unit == 2) p->duty_u16 = vb_pwm_u16_from_ns(p->duty_ns, p->freq);
    apply(p);
    Py_RETURN_NONE;
}

static PyObject *pwm_duty_u16(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    pwm_obj *p = (pwm_obj *)self;
    if (need_active(p) < 0) return NULL;
    if (nargs == 0) return PyLong_FromUnsignedLong(p->duty_u16);
    long long d = PyLong_AsLongLong(args[0]);
    if ((d == -1 && PyErr_Occurred()) || set_u16(p, d) < 0) return NULL;
    apply(p);
    Py_RETURN_NONE;
}

static PyObject *pwm_duty_ns(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    pwm_obj *p = (pwm_obj *)self;
    if (need_active(p) < 0) return NULL;
    p->freq = freq_now(p);
    if (nargs == 0) return PyLong_FromUnsignedLongLong(vb_pwm_ns_from_u16(p->duty_u16, p->freq));
    long long d = PyLong_AsLongLong(args[0]);
    if ((d == -1 && PyErr_Occurred()) || set_ns(p, d) < 0) return NULL;
    apply(p);
    Py_RETURN_NONE;
}

static PyObject *pwm_duty(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    pwm_obj *p = (pwm_obj *)self;
    if (need_active(p) < 0) return NULL;
    if (nargs == 0) return PyLong_FromUnsignedLong(vb_pwm_bits_from_u16(p->duty_u16, periph()->pwm_duty_bits));
    long long d = PyLong_AsLongLong(args[0]);
    if ((d == -1 && PyErr_Occurred()) || set_duty(p, d) < 0) return NULL;
    apply(p);
    Py_RETURN_NONE;
}

static PyObject *pwm_repr(PyObject *self)
{
    pwm_obj *p = (pwm_obj *)self;
    if (!p->active) return PyUnicode_FromFormat("PWM(Pin(%d))", p->gpio);
    if (p->duty_unit == 1)
        return PyUnicode_FromFormat("PWM(Pin(%d), freq=%u, duty_u16=%u)", p->gpio, freq_now(p), p->duty_u16);
    if (p->duty_unit == 2)
        return PyUnicode_FromFormat("PWM(Pin(%d), freq=%u, duty_ns=%llu)", p->gpio, freq_now(p),
                                    (unsigned long long)p->duty_ns);
    return PyUnicode_FromFormat("PWM(Pin(%d), freq=%u, duty=%u)", p->gpio, freq_now(p),
                                vb_pwm_bits_from_u16(p->duty_u16, periph()->pwm_duty_bits));
}

/* ---- Pycom: PWM(timer, frequency).channel(id, pin=, duty_cycle=) ---------- */

/* Why global: the PWMChannel type, made with the PWM type for channel(). */
static PyObject *pycom_channel_type;

static PyObject *pycom_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"timer", "frequency", NULL};
    long timer;
    long long freq;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "lL:PWM", kwl, &timer, &freq)) return NULL;
    if (timer < 0 || timer > 3) {
        PyErr_SetString(PyExc_ValueError, "PWM timer must be 0 to 3");
        return NULL;
    }
    if (check_freq(freq) < 0) return NULL;
    pwm_obj *p = (pwm_obj *)type->tp_alloc(type, 0);
    if (!p) return NULL;
    p->gpio = -1;
    p->freq = (uint32_t)freq;
    return (PyObject *)p;
}

static int set_cycle(pwm_obj *c, double v)
{
    if (v < 0.0 || v > 1.0) {
        PyErr_SetString(PyExc_ValueError, "duty cycle must be between 0 and 1");
        return -1;
    }
    c->duty_u16 = (uint32_t)(v * 65535.0 + 0.5);
    return 0;
}

static PyObject *pycom_channel(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"id", "pin", "duty_cycle", NULL};
    long id;
    PyObject *pin = NULL;
    double cycle = 0.5;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "l|$Od:channel", kwl, &id, &pin, &cycle)) return NULL;
    if (id < 0 || id >= (long)periph()->pwm_channels) {
        PyErr_SetString(PyExc_ValueError, "PWM channel must be 0 to 7");
        return NULL;
    }
    if (!pin) {
        PyErr_SetString(PyExc_TypeError, "'pin' argument required");
        return NULL;
    }
    int gpio = vb_periph_pin_gpio(pin);
    if (gpio < 0) return NULL;
    pwm_obj *c = (pwm_obj *)((PyTypeObject *)pycom_channel_type)->tp_alloc((PyTypeObject *)pycom_channel_type, 0);
    if (!c) return NULL;
    c->gpio = gpio;
    c->freq = ((pwm_obj *)self)->freq;
    c->timer = Py_NewRef(self);
    if (set_cycle(c, cycle) < 0 || claim(c) < 0) {
        Py_DECREF(c);
        return NULL;
    }
    apply(c);
    return (PyObject *)c;
}

static PyObject *pycom_duty_cycle(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    pwm_obj *c = (pwm_obj *)self;
    if (nargs == 0) return PyFloat_FromDouble(c->duty_u16 / 65535.0);
    double v = PyFloat_AsDouble(args[0]);
    if ((v == -1.0 && PyErr_Occurred()) || set_cycle(c, v) < 0) return NULL;
    apply(c);
    Py_RETURN_NONE;
}

static void pwm_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    Py_CLEAR(((pwm_obj *)self)->timer);
    tp->tp_free(self);
    Py_DECREF(tp);
}

/* ---- the types ---------------------------------------------------------------- */

#define GETSET(name, fn) {name, (PyCFunction)(void (*)(void))fn, METH_FASTCALL, NULL}
static PyMethodDef esp32_methods[] = {
    {"init", (PyCFunction)(void (*)(void))pwm_init, METH_VARARGS | METH_KEYWORDS, NULL},
    {"deinit", pwm_deinit, METH_NOARGS, NULL},
    GETSET("freq", pwm_freq), GETSET("duty", pwm_duty), GETSET("duty_u16", pwm_duty_u16),
    GETSET("duty_ns", pwm_duty_ns),
    {NULL, NULL, 0, NULL},
};

static PyMethodDef rp2_methods[] = {
    {"init", (PyCFunction)(void (*)(void))pwm_init, METH_VARARGS | METH_KEYWORDS, NULL},
    {"deinit", pwm_deinit, METH_NOARGS, NULL},
    GETSET("freq", pwm_freq), GETSET("duty_u16", pwm_duty_u16), GETSET("duty_ns", pwm_duty_ns),
    {NULL, NULL, 0, NULL},
};

static PyMethodDef pycom_methods[] = {
    {"channel", (PyCFunction)(void (*)(void))pycom_channel, METH_VARARGS | METH_KEYWORDS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMethodDef pycom_ch_methods[] = {
    GETSET("duty_cycle", pycom_duty_cycle),
    {NULL, NULL, 0, NULL},
};

static PyObject *make(const char *name, newfunc tp_new, reprfunc repr, PyMethodDef *methods)
{
    PyType_Slot slots[5] = {{Py_tp_methods, methods}, {Py_tp_dealloc, (void *)pwm_dealloc}};
    int n = 2;
    if (tp_new) slots[n++] = (PyType_Slot){Py_tp_new, (void *)tp_new};
    if (repr) slots[n++] = (PyType_Slot){Py_tp_repr, (void *)repr};
    slots[n] = (PyType_Slot){0, NULL};
    PyType_Spec spec = {name, sizeof(pwm_obj), 0,
                        Py_TPFLAGS_DEFAULT | (tp_new ? 0 : Py_TPFLAGS_DISALLOW_INSTANTIATION), slots};
    return PyType_FromSpec(&spec);
}

PyObject *vb_pwm_type_create(void)
{
    active_pins = 0;
    memset(pin_freq, 0, sizeof pin_freq);
    memset(pin_duty, 0, sizeof pin_duty);
    memset(pin_route, 0, sizeof pin_route);
    if (flavour()->pycom) {
        Py_XSETREF(pycom_channel_type, make("PWMChannel", NULL, NULL, pycom_ch_methods));
        return pycom_channel_type ? make("machine.PWM", pycom_new, NULL, pycom_methods) : NULL;
    }
    return make("machine.PWM", pwm_new, pwm_repr, flavour()->has_duty ? esp32_methods : rp2_methods);
}
