/* machine.Pin over the HAL, as the esp32 port (v1.24), Pycom firmware
 * 1.20 or the rp2 port (v1.24) shows it: one singleton object per board
 * pin, the port's constant numbering, ids, errors and repr, chosen once
 * from the per-port flavour table at the end of this file. IRQs live in
 * engine_mod_pin_irq.c.
 *
 * esp32: Pin(gpio[, mode, pull, *, value, drive, hold]); an unknown GPIO is
 * ValueError("invalid pin"), an output mode on GPIO 34-39 ValueError("pin
 * can only be input"); Pin(n) alone leaves the pin as it is.
 * Pycom: Pin('P12' | 'G28'[, mode=IN, pull=None, *, value, alt]) always
 * (re)configures, as the firmware's constructor calls init(); bad ids and
 * arguments are ValueError("invalid argument(s) value").
 * rp2: Pin(25 | 'GP25' | 'LED' | 'GPIO25'[, mode, pull, *, value, alt]);
 * an unknown name is ValueError('unknown named pin "X"'), a bad number
 * ValueError("invalid pin"); any init sets the pulls (None: none); value=
 * counts only with an output mode; repr "Pin(GPIO25, mode=OUT)". */
#include "engine_int.h"
#include "board/pycom_errors.h"

#include <string.h>

/* The ports' numbering: esp32 = ESP-IDF gpio_mode_t / machine_pin.c's own
 * pull bits; Pycom = its machpin.h. Triggers (1 rising, 2 falling, 4/5
 * level) and DRIVE_n are the same ESP-IDF values on both. */
#define ESP_IN 1
#define ESP_OUT 3              /* GPIO_MODE_INPUT_OUTPUT */
#define ESP_OPEN_DRAIN 7       /* GPIO_MODE_INPUT_OUTPUT_OD */
#define ESP_MODE_OUTPUT_BIT 2
#define ESP_MODE_OD_BIT 4
#define ESP_PULL_DOWN 1
#define ESP_PULL_UP 2
#define PYC_IN 1
#define PYC_OUT 2              /* GPIO_MODE_OUTPUT */
#define PYC_OPEN_DRAIN 7
#define PYC_PULL_UP 1
#define PYC_PULL_DOWN 2
#define RP2_IN 0               /* machine_pin.h MACHINE_PIN_MODE_* */
#define RP2_OUT 1
#define RP2_OPEN_DRAIN 2
#define RP2_ALT 3
#define RP2_PULL_UP 1
#define RP2_PULL_DOWN 2
#define RP2_FUNC_SIO 5         /* GPIO_FUNC_SIO: alt= default */
#define RP2_FUNC_NULL 31       /* no function selected: the reset state */


/* Class attributes holding pins (Pin.board, Pin.module, ...): which names
 * of each pin become attributes. */
#define NS_NAME 1u             /* its board name (not CPU-only pins) */
#define NS_ALIAS 2u            /* its alias */
#define NS_CPU 4u              /* "GPIOn" */
typedef struct pin_namespace {
    const char *attr;
    unsigned keys;
} pin_namespace;

/* One port's machine.Pin (the table is at the end of this file). */
typedef struct pin_flavour {
    PyMethodDef *methods;
    const vb_engine_const *consts;
    int (*init)(vb_pin_obj *p, PyObject *args, PyObject *kw);
    vb_pin_obj *(*find)(PyObject *id);     /* an id that is not a Pin */
    PyObject *(*repr)(vb_pin_obj *p);
    bool new_always_inits;     /* Pin(id) alone (re)configures (Pycom) */
    bool output_reads_latch;   /* value() of an output is its latch (Pycom) */
    pin_namespace ns[2];       /* attr NULL: none */
} pin_flavour;

static const pin_flavour *flavour(void);

static const vb_hal *hal(void) { return vb_engine_g.hal; }

static unsigned gpio_of(const vb_pin_obj *p) { return p->def->gpio; }

static void pin_state(const vb_pin_obj *p, vb_pin_mode *mode, vb_pin_pull *pull, int *latch)
{
    hal()->pin_state(hal()->ctx, gpio_of(p), mode, pull, latch);
}

static void pin_config(const vb_pin_obj *p, vb_pin_mode mode, vb_pin_pull pull)
{
    vb_pwm_pin_taken(gpio_of(p));   /* a GPIO again: any PWM signal is cut off */
    hal()->pin_config(hal()->ctx, gpio_of(p), mode, pull);
    vb_pin_irq_poke();
}

void vb_pin_write(vb_pin_obj *p, int v)
{
    hal()->pin_write(hal()->ctx, gpio_of(p), v ? 1 : 0);
    vb_pin_irq_poke();
}

/* esp32 and rp2 read the pad (gpio_get_level, gpio_get); Pycom gives an
 * output's latch. */
int vb_pin_value(vb_pin_obj *p)
{
    if (flavour()->output_reads_latch) {
        vb_pin_mode mode;
        vb_pin_pull pull;
        int latch;
        pin_state(p, &mode, &pull, &latch);
        if (mode == VB_PIN_MODE_OUT) return latch ? 1 : 0;
    }
    return hal()->pin_read(hal()->ctx, gpio_of(p)) ? 1 : 0;
}

bool vb_pin_rtc_gpio(unsigned gpio)
{
    /* ESP32 RTC_GPIO pads: 0, 2, 4, 12-15, 25-27, 32-39. */
    static const uint64_t rtc = (1ull << 0) | (1ull << 2) | (1ull << 4) | (0xFull << 12) |
                                (0x7ull << 25) | (0xFFull << 32);
    return gpio < 64 && ((rtc >> gpio) & 1);
}

/* ---- lookup ---------------------------------------------------------------- */

static vb_pin_obj *by_gpio(unsigned gpio)
{
    return gpio < VB_PINS_MAX ? (vb_pin_obj *)vb_engine_g.pin_by_gpio[gpio] : NULL;
}

vb_pin_obj *vb_pin_find(PyObject *id)
{
    const vb_engine_state *g = &vb_engine_g;
    if (g->pin_type && Py_IS_TYPE(id, (PyTypeObject *)g->pin_type)) return (vb_pin_obj *)id;
    return flavour()->find(id);
}

/* The pin whose GPIO an int id names, or NULL (no exception). */
static vb_pin_obj *by_number(PyObject *id)
{
    if (!PyLong_Check(id) || PyBool_Check(id)) return NULL;
    int overflow = 0;
    long n = PyLong_AsLongAndOverflow(id, &overflow);
    if (n == -1 && PyErr_Occurred()) PyErr_Clear();
    return !overflow && n >= 0 && n < (long)VB_PINS_MAX ? by_gpio((unsigned)n) : NULL;
}

/* esp32: GPIO numbers only. */
static vb_pin_obj *find_esp32(PyObject *id)
{
    vb_pin_obj *p = by_number(id);
    if (p) return p;
    PyErr_Clear();
    PyErr_SetString(PyExc_ValueError, "invalid pin");
    return NULL;
}

/* Pycom: the firmware looks names up in its exp_board and module dicts. */
static vb_pin_obj *find_pycom(PyObject *id)
{
    const vb_engine_state *g = &vb_engine_g;
    const char *s = PyUnicode_Check(id) ? PyUnicode_AsUTF8(id) : NULL;
    for (unsigned i = 0; s && i < g->n_pins; i++) {
        const vb_pin_def *d = &g->pins[i];
        if ((strcmp(d->name, s) == 0 || (d->alias && strcmp(d->alias, s) == 0)) && by_gpio(d->gpio))
            return by_gpio(d->gpio);
    }
    PyErr_Clear();
    PyErr_SetString(PyExc_ValueError, VB_PYCOM_BAD_ARGS);
    return NULL;
}

/* rp2: a name from the board's pins ("GP25", "LED"), then the CPU's
 * ("GPIO25"); or a GPIO number. */
static vb_pin_obj *find_rp2(PyObject *id)
{
    if (PyUnicode_Check(id)) {
        const char *s = PyUnicode_AsUTF8(id);
        if (!s) return NULL;
        const vb_pin_def *d = vb_port_pin(vb_engine_g.port, s);
        bool number = s[0] >= '0' && s[0] <= '9';       /* Pin("25") is no name */
        if (d && !number && by_gpio(d->gpio)) return by_gpio(d->gpio);
        PyErr_Format(PyExc_ValueError, "unknown named pin \"%s\"", s);
        return NULL;
    }
    vb_pin_obj *p = by_number(id);
    if (p) return p;
    PyErr_SetString(PyExc_ValueError, "invalid pin");
    return NULL;
}

/* ---- init ------------------------------------------------------------------ */

/* An int argument (None and other types: TypeError via PyLong_AsLong). */
static int long_arg(PyObject *o, long *out)
{
    *out = PyLong_AsLong(o);
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

/* init(mode=None, pull=-1, *, value, drive, hold): what is not given is
 * kept; mode and pull -1 mean "unchanged" as the docs spell the default. */
static int init_esp32(vb_pin_obj *p, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"mode", "pull", "value", "drive", "hold", NULL};
    PyObject *mode = Py_None, *pull = NULL, *value = NULL, *drive = NULL, *hold = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OO$OOO:init", kwl, &mode, &pull, &value,
                                     &drive, &hold))
        return -1;
    vb_pin_mode m;
    vb_pin_pull u;
    int latch;
    pin_state(p, &m, &u, &latch);
    bool config = false;
    long v;
    if (mode != Py_None) {
        if (long_arg(mode, &v) < 0) return -1;
        if (v != -1) {
            if ((v & ESP_MODE_OUTPUT_BIT) && (p->def->flags & VB_PIN_INPUT_ONLY)) {
                PyErr_SetString(PyExc_ValueError, "pin can only be input");
                return -1;
            }
            m = !(v & ESP_MODE_OUTPUT_BIT) ? VB_PIN_MODE_IN
                : (v & ESP_MODE_OD_BIT)   ? VB_PIN_MODE_OPEN_DRAIN
                                          : VB_PIN_MODE_OUT;
            config = true;
        }
    }
    if (pull == Py_None) {
        u = VB_PIN_PULL_NONE;
        config = true;
    } else if (pull) {
        if (long_arg(pull, &v) < 0) return -1;
        if (v != -1) {
            /* Both bits set enable both resistors; the up one wins here. */
            u = (v & ESP_PULL_UP) ? VB_PIN_PULL_UP : (v & ESP_PULL_DOWN) ? VB_PIN_PULL_DOWN
                                                                        : VB_PIN_PULL_NONE;
            config = true;
        }
    }
    int val = -1;
    if (value && (val = PyObject_IsTrue(value)) < 0) return -1;
    if (val >= 0) vb_pin_write(p, val); /* before the mode, as the port does */
    if (config) pin_config(p, m, u);
    return 0;
}

/* init(mode=IN, pull=None, *, value, alt): always a full configuration,
 * which also switches the pin's interrupt off, as the firmware's does. */
static int init_pycom(vb_pin_obj *p, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"mode", "pull", "value", "alt", NULL};
    PyObject *mode = NULL, *pull = Py_None, *value = NULL, *alt = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OO$OO:init", kwl, &mode, &pull, &value, &alt))
        return -1;
    long m = PYC_IN, u = 0, a = -1;
    if (mode && long_arg(mode, &m) < 0) return -1;
    if (pull != Py_None && long_arg(pull, &u) < 0) return -1;
    if (alt != Py_None && long_arg(alt, &a) < 0) return -1;
    bool ok = (m == PYC_IN || m == PYC_OUT || m == PYC_OPEN_DRAIN) &&
              (pull == Py_None || u == PYC_PULL_UP || u == PYC_PULL_DOWN) && a <= 255 &&
              !(m != PYC_IN && (p->def->flags & VB_PIN_INPUT_ONLY));
    if (!ok) {
        PyErr_SetString(PyExc_ValueError, VB_PYCOM_BAD_ARGS);
        return -1;
    }
    int val = -1;
    if (value && (val = PyObject_IsTrue(value)) < 0) return -1;
    vb_pin_irq_disarm(p);
    p->alt = (int)a;
    if (val >= 0) vb_pin_write(p, val);
    pin_config(p, m == PYC_IN ? VB_PIN_MODE_IN : m == PYC_OUT ? VB_PIN_MODE_OUT
                                                              : VB_PIN_MODE_OPEN_DRAIN,
               u == PYC_PULL_UP ? VB_PIN_PULL_UP : u == PYC_PULL_DOWN ? VB_PIN_PULL_DOWN
                                                                      : VB_PIN_PULL_NONE);
    return 0;
}

/* init(mode=None, pull=None, *, value=None, alt=SIO) as rp2's
 * machine_pin_obj_init_helper: a mode configures (value= only then, for
 * OUT before the direction, OPEN_DRAIN defaulting to released); the pulls
 * are set every time, None meaning none. ALT leaves the SIO (here: the pin
 * undriven, no function the board models). */
static int init_rp2(vb_pin_obj *p, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"mode", "pull", "value", "alt", NULL};
    PyObject *mode = Py_None, *pull = Py_None, *value = Py_None;
    long alt = RP2_FUNC_SIO;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OO$Ol:init", kwl, &mode, &pull, &value, &alt))
        return -1;
    int val = -1;
    if (value != Py_None && (val = PyObject_IsTrue(value)) < 0) return -1;
    vb_pin_mode m;
    vb_pin_pull u;
    int latch;
    pin_state(p, &m, &u, &latch);
    long v;
    if (mode != Py_None) {
        if (long_arg(mode, &v) < 0) return -1;
        if (v == RP2_IN) {
            m = VB_PIN_MODE_IN;
        } else if (v == RP2_OUT) {
            if (val >= 0) vb_pin_write(p, val);
            m = VB_PIN_MODE_OUT;
        } else if (v == RP2_OPEN_DRAIN) {
            vb_pin_write(p, val == -1 ? 1 : val);
            m = VB_PIN_MODE_OPEN_DRAIN;
        } else {
            if (alt < 0 || alt > RP2_FUNC_NULL) {
                PyErr_Format(PyExc_ValueError, "invalid pin af: %ld", alt);
                return -1;
            }
            m = VB_PIN_MODE_UNSET;
        }
        p->alt = v == RP2_IN || v == RP2_OUT || v == RP2_OPEN_DRAIN ? RP2_FUNC_SIO : (int)alt;
    }
    long pu = 0;
    if (pull != Py_None && long_arg(pull, &pu) < 0) return -1;
    /* both bits set enable both resistors; the up one wins here */
    u = (pu & RP2_PULL_UP) ? VB_PIN_PULL_UP : (pu & RP2_PULL_DOWN) ? VB_PIN_PULL_DOWN : VB_PIN_PULL_NONE;
    pin_config(p, m, u);
    return 0;
}

static int pin_init_any(vb_pin_obj *p, PyObject *args, PyObject *kw)
{
    return flavour()->init(p, args, kw);
}

static PyObject *pin_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    (void)type;
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    if (n < 1) {
        PyErr_SetString(PyExc_TypeError, "function missing 1 required positional arguments");
        return NULL;
    }
    vb_pin_obj *p = vb_pin_find(PyTuple_GET_ITEM(args, 0));
    if (!p) return NULL;
    if (flavour()->new_always_inits || n > 1 || (kw && PyDict_GET_SIZE(kw) > 0)) {
        PyObject *rest = PyTuple_GetSlice(args, 1, n);
        int rc = rest ? pin_init_any(p, rest, kw) : -1;
        Py_XDECREF(rest);
        if (rc < 0) return NULL;
    }
    return Py_NewRef((PyObject *)p);
}

static PyObject *pin_init(PyObject *self, PyObject *args, PyObject *kw)
{
    if (pin_init_any((vb_pin_obj *)self, args, kw) < 0) return NULL;
    Py_RETURN_NONE;
}

/* ---- value ----------------------------------------------------------------- */

static PyObject *value_args(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    vb_pin_obj *p = (vb_pin_obj *)self;
    if (nargs == 0) return PyLong_FromLong(vb_pin_value(p));
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "function takes at most 1 argument");
        return NULL;
    }
    int v = PyObject_IsTrue(args[0]);
    if (v < 0) return NULL;
    vb_pin_write(p, v);
    Py_RETURN_NONE;
}

static PyObject *pin_call(PyObject *self, PyObject *args, PyObject *kw)
{
    if (kw && PyDict_GET_SIZE(kw) > 0) {
        PyErr_SetString(PyExc_TypeError, "function doesn't take keyword arguments");
        return NULL;
    }
    return value_args(self, &PyTuple_GET_ITEM(args, 0), PyTuple_GET_SIZE(args));
}

static PyObject *pin_on(PyObject *self, PyObject *u)
{
    (void)u;
    vb_pin_write((vb_pin_obj *)self, 1);
    Py_RETURN_NONE;
}

static PyObject *pin_off(PyObject *self, PyObject *u)
{
    (void)u;
    vb_pin_write((vb_pin_obj *)self, 0);
    Py_RETURN_NONE;
}

/* Both ports flip the output latch, not the level read back. */
static PyObject *pin_toggle(PyObject *self, PyObject *u)
{
    (void)u;
    vb_pin_mode m;
    vb_pin_pull pull;
    int latch;
    pin_state((vb_pin_obj *)self, &m, &pull, &latch);
    vb_pin_write((vb_pin_obj *)self, !latch);
    Py_RETURN_NONE;
}

/* ---- Pycom accessors -------------------------------------------------------- */

static long pycom_mode(vb_pin_mode m)
{
    return m == VB_PIN_MODE_OUT ? PYC_OUT : m == VB_PIN_MODE_OPEN_DRAIN ? PYC_OPEN_DRAIN : PYC_IN;
}

static PyObject *pin_id(PyObject *self, PyObject *u)
{
    (void)u;
    return PyUnicode_FromString(((vb_pin_obj *)self)->def->name);
}

/* mode([m]) and pull([p]) reconfigure the pin, keeping the other half. */
static PyObject *pin_mode_pull(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                               bool is_mode)
{
    vb_pin_obj *p = (vb_pin_obj *)self;
    vb_pin_mode m;
    vb_pin_pull u;
    int latch;
    pin_state(p, &m, &u, &latch);
    if (nargs == 0) {
        if (is_mode) return PyLong_FromLong(pycom_mode(m));
        if (u == VB_PIN_PULL_NONE) Py_RETURN_NONE;
        return PyLong_FromLong(u == VB_PIN_PULL_UP ? PYC_PULL_UP : PYC_PULL_DOWN);
    }
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "function takes at most 1 argument");
        return NULL;
    }
    long v = 0;
    bool none = args[0] == Py_None && !is_mode; /* pull(None): no resistor */
    if (!none && long_arg(args[0], &v) < 0) return NULL;
    if (is_mode) {
        if ((v != PYC_IN && v != PYC_OUT && v != PYC_OPEN_DRAIN) ||
            (v != PYC_IN && (p->def->flags & VB_PIN_INPUT_ONLY))) {
            PyErr_SetString(PyExc_ValueError, VB_PYCOM_BAD_ARGS);
            return NULL;
        }
        m = v == PYC_IN ? VB_PIN_MODE_IN : v == PYC_OUT ? VB_PIN_MODE_OUT : VB_PIN_MODE_OPEN_DRAIN;
    } else if (none) {
        u = VB_PIN_PULL_NONE;
    } else if (v == PYC_PULL_UP || v == PYC_PULL_DOWN) {
        u = v == PYC_PULL_UP ? VB_PIN_PULL_UP : VB_PIN_PULL_DOWN;
    } else {
        PyErr_SetString(PyExc_ValueError, VB_PYCOM_BAD_ARGS);
        return NULL;
    }
    pin_config(p, m, u);
    Py_RETURN_NONE;
}

static PyObject *pin_mode(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    return pin_mode_pull(self, args, nargs, true);
}

static PyObject *pin_pull(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    return pin_mode_pull(self, args, nargs, false);
}

static PyObject *pin_hold(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    vb_pin_obj *p = (vb_pin_obj *)self;
    if (nargs == 0) return PyBool_FromLong(p->hold);
    int v = PyObject_IsTrue(args[0]);
    if (v < 0) return NULL;
    p->hold = v;
    Py_RETURN_NONE;
}

/* ---- repr ------------------------------------------------------------------ */

static PyObject *repr_esp32(vb_pin_obj *p)
{
    return PyUnicode_FromFormat("Pin(%u)", gpio_of(p));
}

/* "Pin(GPIO25, mode=OUT, pull=PULL_UP)": the CPU name; a pin with no SIO
 * function (the reset state, ALT) shows mode=ALT and its function number. */
static PyObject *repr_rp2(vb_pin_obj *p)
{
    vb_pin_mode m;
    vb_pin_pull u;
    int latch;
    pin_state(p, &m, &u, &latch);
    bool alt = m == VB_PIN_MODE_UNSET;
    const char *mode = alt ? "ALT" : m == VB_PIN_MODE_OUT ? "OUT"
                       : m == VB_PIN_MODE_OPEN_DRAIN ? "OPEN_DRAIN" : "IN";
    const char *pull = u == VB_PIN_PULL_UP ? ", pull=PULL_UP"
                       : u == VB_PIN_PULL_DOWN ? ", pull=PULL_DOWN" : "";
    int fn = p->alt >= 0 && p->alt != RP2_FUNC_SIO ? p->alt : RP2_FUNC_NULL;
    if (alt) return PyUnicode_FromFormat("Pin(GPIO%u, mode=%s%s, alt=%d)", gpio_of(p), mode, pull, fn);
    return PyUnicode_FromFormat("Pin(GPIO%u, mode=%s%s)", gpio_of(p), mode, pull);
}

static PyObject *repr_pycom(vb_pin_obj *p)
{
    vb_pin_mode m;
    vb_pin_pull u;
    int latch;
    pin_state(p, &m, &u, &latch);
    const char *mode = m == VB_PIN_MODE_OUT ? "Pin.OUT"
                       : m == VB_PIN_MODE_OPEN_DRAIN ? "Pin.OPEN_DRAIN" : "Pin.IN";
    const char *pull = u == VB_PIN_PULL_UP ? "Pin.PULL_UP"
                       : u == VB_PIN_PULL_DOWN ? "Pin.PULL_DOWN" : "None";
    return PyUnicode_FromFormat("Pin('%s', mode=%s, pull=%s, alt=%d)", p->def->name, mode, pull,
                                p->alt);
}

static PyObject *pin_repr(PyObject *self)
{
    return flavour()->repr((vb_pin_obj *)self);
}

static void pin_dealloc(PyObject *self)
{
    vb_pin_obj *p = (vb_pin_obj *)self;
    PyTypeObject *tp = Py_TYPE(self);
    Py_XDECREF(p->handler);
    Py_XDECREF(p->arg);
    Py_XDECREF(p->irq);
    tp->tp_free(self);
    Py_DECREF(tp);
}

/* ---- the type ---------------------------------------------------------------- */

#define FAST(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL
#define KW(f) (PyCFunction)(void (*)(void))(f), METH_VARARGS | METH_KEYWORDS

static PyMethodDef esp32_methods[] = {
    {"init", KW(pin_init), NULL},
    {"value", FAST(value_args), NULL},
    {"on", pin_on, METH_NOARGS, NULL},
    {"off", pin_off, METH_NOARGS, NULL},
    {"toggle", pin_toggle, METH_NOARGS, NULL},
    {"irq", KW(vb_pin_irq_method), NULL},
    {NULL, NULL, 0, NULL},
};

static PyMethodDef pycom_methods[] = {
    {"init", KW(pin_init), NULL},
    {"value", FAST(value_args), NULL},
    {"toggle", pin_toggle, METH_NOARGS, NULL},
    {"id", pin_id, METH_NOARGS, NULL},
    {"mode", FAST(pin_mode), NULL},
    {"pull", FAST(pin_pull), NULL},
    {"hold", FAST(pin_hold), NULL},
    {"callback", KW(vb_pin_callback_method), NULL},
    {NULL, NULL, 0, NULL},
};

static const vb_engine_const esp32_consts[] = {
    {"IN", ESP_IN}, {"OUT", ESP_OUT}, {"OPEN_DRAIN", ESP_OPEN_DRAIN},
    {"PULL_UP", ESP_PULL_UP}, {"PULL_DOWN", ESP_PULL_DOWN},
    {"IRQ_RISING", 1}, {"IRQ_FALLING", 2}, {"WAKE_LOW", 4}, {"WAKE_HIGH", 5},
    {"DRIVE_0", 0}, {"DRIVE_1", 1}, {"DRIVE_2", 2}, {"DRIVE_3", 3}, {NULL, 0},
};

static const vb_engine_const pycom_consts[] = {
    {"IN", PYC_IN}, {"OUT", PYC_OUT}, {"OPEN_DRAIN", PYC_OPEN_DRAIN},
    {"PULL_UP", PYC_PULL_UP}, {"PULL_DOWN", PYC_PULL_DOWN},
    {"IRQ_FALLING", 2}, {"IRQ_RISING", 1}, {"IRQ_LOW_LEVEL", 4}, {"IRQ_HIGH_LEVEL", 5},
    {NULL, 0},
};

static PyMethodDef rp2_methods[] = {
    {"init", KW(pin_init), NULL},
    {"value", FAST(value_args), NULL},
    {"low", pin_off, METH_NOARGS, NULL},
    {"high", pin_on, METH_NOARGS, NULL},
    {"off", pin_off, METH_NOARGS, NULL},
    {"on", pin_on, METH_NOARGS, NULL},
    {"toggle", pin_toggle, METH_NOARGS, NULL},
    {"irq", KW(vb_pin_irq_method_rp2), NULL},
    {NULL, NULL, 0, NULL},
};

/* machine_pin.c's class constants: modes, pulls, the RP2040's IRQ event
 * bits and GPIO_FUNC_* numbers. */
static const vb_engine_const rp2_consts[] = {
    {"IN", RP2_IN}, {"OUT", RP2_OUT}, {"OPEN_DRAIN", RP2_OPEN_DRAIN}, {"ALT", RP2_ALT},
    {"PULL_UP", RP2_PULL_UP}, {"PULL_DOWN", RP2_PULL_DOWN},
    {"IRQ_RISING", 8}, {"IRQ_FALLING", 4},
    {"ALT_SPI", 1}, {"ALT_UART", 2}, {"ALT_I2C", 3}, {"ALT_PWM", 4}, {"ALT_SIO", RP2_FUNC_SIO},
    {"ALT_PIO0", 6}, {"ALT_PIO1", 7}, {"ALT_GPCK", 8}, {"ALT_USB", 9}, {NULL, 0},
};

static const pin_flavour flavours[VB_PORT_COUNT] = {
    /* Pin.board exists on a generic module, empty */
    [VB_PORT_ESP32] = {esp32_methods, esp32_consts, init_esp32, find_esp32, repr_esp32, false, false,
                       {{"board", 0}, {NULL, 0}}},
    [VB_PORT_PYCOM] = {pycom_methods, pycom_consts, init_pycom, find_pycom, repr_pycom, true, true,
                       {{"module", NS_NAME}, {"exp_board", NS_ALIAS}}},
    [VB_PORT_RP2] = {rp2_methods, rp2_consts, init_rp2, find_rp2, repr_rp2, false, false,
                     {{"board", NS_NAME | NS_ALIAS}, {"cpu", NS_CPU}}},
};

static const pin_flavour *flavour(void) { return &flavours[vb_engine_g.port->id]; }

/* A class holding pins as attributes: Pin.board (esp32: empty on a generic
 * module; rp2: GPn and LED), Pin.cpu (rp2: GPIOn), Pin.module (Pycom: P
 * names) and Pin.exp_board (Pycom: G names). */
static int add_namespace(PyObject *pin_type, const pin_namespace *pns)
{
    char name[48];
    snprintf(name, sizeof name, "machine.%s", pns->attr);
    PyType_Slot slots[] = {{0, NULL}};
    PyType_Spec spec = {name, sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, slots};
    PyObject *ns = PyType_FromSpec(&spec);
    int rc = ns ? 0 : -1;
    for (unsigned i = 0; rc == 0 && i < vb_engine_g.n_pins; i++) {
        const vb_pin_def *d = &vb_engine_g.pins[i];
        PyObject *pin = by_gpio(d->gpio) ? (PyObject *)by_gpio(d->gpio) : NULL;
        if (!pin) continue;
        char cpu[16];
        snprintf(cpu, sizeof cpu, "GPIO%u", d->gpio);
        if ((pns->keys & NS_NAME) && !(d->flags & VB_PIN_CPU_ONLY))
            rc = PyObject_SetAttrString(ns, d->name, pin);
        if (rc == 0 && (pns->keys & NS_ALIAS) && d->alias)
            rc = PyObject_SetAttrString(ns, d->alias, pin);
        if (rc == 0 && (pns->keys & NS_CPU))
            rc = PyObject_SetAttrString(ns, cpu, pin);
    }
    if (rc == 0) rc = PyObject_SetAttrString(pin_type, pns->attr, ns);
    Py_XDECREF(ns);
    return rc;
}

/* One object per pin of the port; buttons are not pins. */
static int add_pins(PyObject *type)
{
    vb_engine_state *g = &vb_engine_g;
    for (unsigned i = 0; i < g->n_pins; i++) {
        const vb_pin_def *d = &g->pins[i];
        if (d->gpio >= VB_PINS_MAX || g->pin_by_gpio[d->gpio] || (d->flags & VB_PIN_BUTTON)) continue;
        vb_pin_obj *p = (vb_pin_obj *)PyType_GenericAlloc((PyTypeObject *)type, 0);
        if (!p) return -1;
        p->def = d;
        p->alt = -1;
        g->pin_by_gpio[d->gpio] = (PyObject *)p; /* kept for the process's life */
    }
    return 0;
}

PyObject *vb_pin_type_create(void)
{
    const pin_flavour *fl = flavour();
    PyType_Slot slots[] = {
        {Py_tp_new, (void *)pin_new},
        {Py_tp_call, (void *)pin_call},
        {Py_tp_repr, (void *)pin_repr},
        {Py_tp_dealloc, (void *)pin_dealloc},
        {Py_tp_methods, fl->methods},
        {0, NULL},
    };
    PyType_Spec spec = {"machine.Pin", sizeof(vb_pin_obj), 0, Py_TPFLAGS_DEFAULT, slots};
    PyObject *type = PyType_FromSpec(&spec);
    if (!type) return NULL;
    int rc = 0;
    for (const vb_engine_const *c = fl->consts; c->name && rc == 0; c++) {
        PyObject *v = PyLong_FromLong(c->value);
        rc = v ? PyObject_SetAttrString(type, c->name, v) : -1;
        Py_XDECREF(v);
    }
    if (rc == 0) rc = add_pins(type);
    for (size_t i = 0; rc == 0 && i < sizeof fl->ns / sizeof fl->ns[0] && fl->ns[i].attr; i++)
        rc = add_namespace(type, &fl->ns[i]);
    if (rc < 0) {
        Py_DECREF(type);
        return NULL;
    }
    Py_XSETREF(vb_engine_g.pin_type, Py_NewRef(type));
    return type;
}
