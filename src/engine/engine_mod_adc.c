/* machine.ADC per port (MicroPython v1.24 esp32 and rp2, Pycom 1.20): the
 * pin's voltage comes from the host (`vboard ctl SOCK adc PIN MV`, the
 * register block) and is converted as the chip does (board/periph.h):
 * over the full scale of the attenuation, at the width.
 *
 * esp32: ADC(pin, *, atten=ATTN_0DB) on the ADC1 and ADC2 pins
 * (ValueError "invalid pin" else); read_u16, read (at the width, 12 bits
 * unless width() said otherwise), read_uv (whole mV, as the ESP-IDF
 * calibration gives), atten(a), width(w), init(*, atten); repr
 * ADC(Pin(n), atten=a).
 * rp2: ADC(pin or channel): 0-3 are channels (GPIO26-29), 4 (CORE_TEMP)
 * the temperature sensor; any other number, or a Pin, names a pin (26-29
 * have an ADC; others "Pin doesn't have ADC capabilities"); read_u16
 * only; 3.3 V full scale; repr <ADC channel=n>.
 * Pycom: ADC(id=0, *, bits=12).channel(*, pin, attn=ATTN_0DB) gives an
 * ADCChannel with value() (also calling it), voltage() (mV),
 * value_to_voltage(v); ADC.init(*, bits), deinit(), vref(). */
#include "engine_int.h"
#include "board/periph.h"

typedef struct {
    PyObject_HEAD
    int gpio;                      /* -1: the temperature sensor */
    int channel;
    int unit;
    int atten;
    unsigned bits;                 /* Pycom's ADC block */
    PyObject *block;               /* Pycom ADCChannel: its ADC (bits), else NULL */
} adc_obj;

/* The VM's ADC state, as the port keeps it: esp32's ADC(pin) is one
 * object per pin (its attenuation stays with it), each converter unit has
 * one width. Why global: one machine module per VM, made afresh in each. */
static PyObject *pin_adc[VB_PINS_MAX];
static unsigned unit_bits[VB_ADC_UNITS];

static const vb_port_periph *periph(void) { return vb_engine_g.port->periph; }
static const vb_hal *hal(void) { return vb_engine_g.hal; }

static unsigned bits_of(const adc_obj *a)
{
    return a->block ? ((adc_obj *)a->block)->bits : unit_bits[a->unit];
}

/* The raw reading: 0.., or -1 with an exception. */
static long read_raw(const adc_obj *a)
{
    const vb_port_periph *p = periph();
    uint32_t uv;
    if (a->gpio < 0) {
        uv = p->adc_temp_uv;
    } else {
        if (vb_hal_need((const void *)hal()->adc_read_uv) < 0) return -1;
        uv = hal()->adc_read_uv(hal()->ctx, (unsigned)a->gpio);
    }
    return (long)vb_adc_raw(uv, p->adc_full_scale_uv[a->atten], bits_of(a));
}

static PyObject *adc_read_u16(PyObject *self, PyObject *u)
{
    (void)u;
    adc_obj *a = (adc_obj *)self;
    long raw = read_raw(a);
    return raw < 0 ? NULL : PyLong_FromUnsignedLong(vb_adc_u16((uint32_t)raw, bits_of(a)));
}

static PyObject *adc_read(PyObject *self, PyObject *u)
{
    (void)u;
    long raw = read_raw((adc_obj *)self);
    return raw < 0 ? NULL : PyLong_FromLong(raw);
}

static uint32_t raw_uv(const adc_obj *a, uint32_t raw)
{
    return vb_adc_raw_uv(raw, periph()->adc_full_scale_uv[a->atten], bits_of(a));
}

static PyObject *adc_read_uv(PyObject *self, PyObject *u)
{
    (void)u;
    adc_obj *a = (adc_obj *)self;
    long raw = read_raw(a);
    return raw < 0 ? NULL : PyLong_FromUnsignedLong(raw_uv(a, (uint32_t)raw));
}

static int set_atten(adc_obj *a, long atten)
{
    if (atten < 0 || atten >= VB_ADC_ATTENS) {
        PyErr_SetString(PyExc_ValueError, "invalid atten");
        return -1;
    }
    a->atten = (int)atten;
    return 0;
}

/* The width of a's unit (Pycom: of its block): 0, or -1 with ValueError. */
static int set_bits(adc_obj *a, long bits)
{
    if (bits < (long)periph()->adc_min_bits || bits > (long)periph()->adc_bits) {
        PyErr_SetString(PyExc_ValueError, "invalid bits");
        return -1;
    }
    if (a->block || a->gpio < 0) a->bits = (unsigned)bits;
    else unit_bits[a->unit] = (unsigned)bits;
    return 0;
}

static PyObject *adc_atten(PyObject *self, PyObject *arg)
{
    long v = PyLong_AsLong(arg);
    if ((v == -1 && PyErr_Occurred()) || set_atten((adc_obj *)self, v) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *adc_width(PyObject *self, PyObject *arg)
{
    long v = PyLong_AsLong(arg);
    if ((v == -1 && PyErr_Occurred()) || set_bits((adc_obj *)self, v) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *adc_init_esp32(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"atten", NULL};
    long atten = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$l:init", kwl, &atten)) return NULL;
    if (atten != -1 && set_atten((adc_obj *)self, atten) < 0) return NULL;
    Py_RETURN_NONE;
}

/* ---- constructors ---------------------------------------------------------- */

static adc_obj *alloc(PyTypeObject *type, int gpio, int channel, int unit)
{
    adc_obj *a = (adc_obj *)type->tp_alloc(type, 0);
    if (!a) return NULL;
    a->gpio = gpio;
    a->channel = channel;
    a->unit = unit;
    a->bits = periph()->adc_bits;
    return a;
}

/* ADC(pin, *, atten=): the pin's one ADC object; atten given sets it, a
 * new one starts at ATTN_0DB. */
static PyObject *new_esp32(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"pin", "atten", NULL};
    PyObject *pin;
    long atten = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$l:ADC", kwl, &pin, &atten)) return NULL;
    int gpio = vb_periph_pin_gpio(pin);
    if (gpio < 0) return NULL;
    const vb_adc_input *in = vb_periph_adc_input(periph(), (unsigned)gpio);
    if (!in) {
        PyErr_SetString(PyExc_ValueError, "invalid pin");
        return NULL;
    }
    if (!pin_adc[gpio] && !(pin_adc[gpio] = (PyObject *)alloc(type, gpio, in->channel, in->unit))) return NULL;
    if (atten != -1 && set_atten((adc_obj *)pin_adc[gpio], atten) < 0) return NULL;
    return Py_NewRef(pin_adc[gpio]);
}

static PyObject *new_rp2(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"pin", NULL};
    PyObject *src;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:ADC", kwl, &src)) return NULL;
    const vb_port_periph *p = periph();
    const vb_adc_input *in = NULL;
    long n = PyLong_Check(src) ? PyLong_AsLong(src) : -1;
    if (n == -1 && PyErr_Occurred()) return NULL;
    if (n >= 0 && n == p->adc_temp_channel) return (PyObject *)alloc(type, -1, (int)n, 0);
    for (unsigned i = 0; i < p->n_adc_inputs && n >= 0 && !in; i++)
        if ((long)p->adc_inputs[i].channel == n) in = &p->adc_inputs[i];
    if (!in) {                 /* not a channel number: a pin */
        int gpio = vb_periph_pin_gpio(src);
        if (gpio < 0) return NULL;
        if (!(in = vb_periph_adc_input(p, (unsigned)gpio))) {
            PyErr_SetString(PyExc_ValueError, "Pin doesn't have ADC capabilities");
            return NULL;
        }
    }
    return (PyObject *)alloc(type, in->gpio, in->channel, in->unit);
}

static PyObject *repr_esp32(PyObject *self)
{
    adc_obj *a = (adc_obj *)self;
    return PyUnicode_FromFormat("ADC(Pin(%d), atten=%d)", a->gpio, a->atten);
}

static PyObject *repr_rp2(PyObject *self)
{
    return PyUnicode_FromFormat("<ADC channel=%d>", ((adc_obj *)self)->channel);
}

/* ---- Pycom: ADC block and ADCChannel ----------------------------------------- */

/* Why global: the ADCChannel type, made once with the ADC type, for
 * ADC.channel() to instantiate; one machine module per VM. */
static PyObject *pycom_channel_type;

static PyObject *new_pycom(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"id", "bits", NULL};
    long id = 0, bits = 12;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|l$l:ADC", kwl, &id, &bits)) return NULL;
    if (id != 0) {
        PyErr_SetString(PyExc_ValueError, "ADC id must be 0");
        return NULL;
    }
    adc_obj *a = alloc(type, -1, 0, 0);
    if (a && set_bits(a, bits) < 0) Py_CLEAR(a);
    return (PyObject *)a;
}

static PyObject *pycom_init(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"id", "bits", NULL};
    long id = 0, bits = ((adc_obj *)self)->bits;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|l$l:init", kwl, &id, &bits)) return NULL;
    if (set_bits((adc_obj *)self, bits) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *pycom_noop(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self, (void)args, (void)nargs;
    Py_RETURN_NONE;
}

/* vref([mV]): the reference the calibration uses (1100 mV), kept only. */
static PyObject *pycom_vref(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self, (void)args;
    if (nargs == 0) return PyLong_FromLong(1100);
    Py_RETURN_NONE;
}

static PyObject *pycom_channel(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"id", "pin", "attn", NULL};
    PyObject *id = Py_None, *pin = NULL;
    long attn = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O$Ol:channel", kwl, &id, &pin, &attn)) return NULL;
    if (!pin) {
        PyErr_SetString(PyExc_ValueError, "invalid Pin for ADC");
        return NULL;
    }
    int gpio = vb_periph_pin_gpio(pin);
    if (gpio < 0) return NULL;
    const vb_adc_input *in = vb_periph_adc_input(periph(), (unsigned)gpio);
    if (!in) {
        PyErr_SetString(PyExc_ValueError, "invalid Pin for ADC");
        return NULL;
    }
    adc_obj *c = alloc((PyTypeObject *)pycom_channel_type, gpio, in->channel, in->unit);
    if (!c) return NULL;
    if (set_atten(c, attn) < 0) {
        Py_DECREF(c);
        return NULL;
    }
    c->block = Py_NewRef(self);
    return (PyObject *)c;
}

static PyObject *ch_voltage(PyObject *self, PyObject *u)
{
    (void)u;
    adc_obj *a = (adc_obj *)self;
    long raw = read_raw(a);
    return raw < 0 ? NULL : PyLong_FromUnsignedLong(raw_uv(a, (uint32_t)raw) / 1000);
}

static PyObject *ch_value_to_voltage(PyObject *self, PyObject *arg)
{
    long raw = PyLong_AsLong(arg);
    if (raw == -1 && PyErr_Occurred()) return NULL;
    adc_obj *a = (adc_obj *)self;
    return PyLong_FromUnsignedLong(raw_uv(a, raw < 0 ? 0 : (uint32_t)raw) / 1000);
}

static PyObject *ch_call(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)args, (void)kw;
    return adc_read(self, NULL);
}

static PyObject *repr_pycom_ch(PyObject *self)
{
    adc_obj *a = (adc_obj *)self;
    const vb_pin_def *d = vb_port_pin_by_gpio(vb_engine_g.port, (unsigned)a->gpio);
    return PyUnicode_FromFormat("ADCChannel(%d, pin=%s, attn=%d)", a->channel, d ? d->name : "?", a->atten);
}

static void adc_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    Py_CLEAR(((adc_obj *)self)->block);
    tp->tp_free(self);
    Py_DECREF(tp);
}

/* ---- the types -------------------------------------------------------------- */

static PyMethodDef esp32_methods[] = {
    {"read_u16", adc_read_u16, METH_NOARGS, NULL},
    {"read", adc_read, METH_NOARGS, NULL},
    {"read_uv", adc_read_uv, METH_NOARGS, NULL},
    {"atten", adc_atten, METH_O, NULL},
    {"width", adc_width, METH_O, NULL},
    {"init", (PyCFunction)(void (*)(void))adc_init_esp32, METH_VARARGS | METH_KEYWORDS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMethodDef rp2_methods[] = {
    {"read_u16", adc_read_u16, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMethodDef pycom_methods[] = {
    {"channel", (PyCFunction)(void (*)(void))pycom_channel, METH_VARARGS | METH_KEYWORDS, NULL},
    {"init", (PyCFunction)(void (*)(void))pycom_init, METH_VARARGS | METH_KEYWORDS, NULL},
    {"deinit", (PyCFunction)(void (*)(void))pycom_noop, METH_FASTCALL, NULL},
    {"vref", (PyCFunction)(void (*)(void))pycom_vref, METH_FASTCALL, NULL},
    {"vref_to_pin", (PyCFunction)(void (*)(void))pycom_noop, METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMethodDef pycom_ch_methods[] = {
    {"value", adc_read, METH_NOARGS, NULL},
    {"voltage", ch_voltage, METH_NOARGS, NULL},
    {"value_to_voltage", ch_value_to_voltage, METH_O, NULL},
    {"init", (PyCFunction)(void (*)(void))pycom_noop, METH_FASTCALL, NULL},
    {"deinit", (PyCFunction)(void (*)(void))pycom_noop, METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL},
};

static const vb_engine_const esp32_consts[] = {
    {"ATTN_0DB", 0}, {"ATTN_2_5DB", 1}, {"ATTN_6DB", 2}, {"ATTN_11DB", 3},
    {"WIDTH_9BIT", 9}, {"WIDTH_10BIT", 10}, {"WIDTH_11BIT", 11}, {"WIDTH_12BIT", 12}, {NULL, 0},
};
static const vb_engine_const rp2_consts[] = {{"CORE_TEMP", 4}, {NULL, 0}};
static const vb_engine_const pycom_consts[] = {
    {"ATTN_0DB", 0}, {"ATTN_2_5DB", 1}, {"ATTN_6DB", 2}, {"ATTN_11DB", 3}, {NULL, 0},
};

typedef struct adc_flavour {
    newfunc tp_new;
    reprfunc repr;
    PyMethodDef *methods;
    const vb_engine_const *consts;
    bool channels;                 /* Pycom: ADC is a block, ADCChannel the input */
} adc_flavour;

static const adc_flavour flavours[VB_PORT_COUNT] = {
    [VB_PORT_ESP32] = {new_esp32, repr_esp32, esp32_methods, esp32_consts},
    [VB_PORT_PYCOM] = {new_pycom, NULL, pycom_methods, pycom_consts, true},
    [VB_PORT_RP2] = {new_rp2, repr_rp2, rp2_methods, rp2_consts},
};

static PyObject *make(const char *name, newfunc tp_new, reprfunc repr, ternaryfunc call, PyMethodDef *methods)
{
    PyType_Slot slots[6] = {{Py_tp_methods, methods}, {Py_tp_dealloc, (void *)adc_dealloc}};
    int n = 2;
    if (tp_new) slots[n++] = (PyType_Slot){Py_tp_new, (void *)tp_new};
    if (repr) slots[n++] = (PyType_Slot){Py_tp_repr, (void *)repr};
    if (call) slots[n++] = (PyType_Slot){Py_tp_call, (void *)call};
    slots[n] = (PyType_Slot){0, NULL};
    PyType_Spec spec = {name, sizeof(adc_obj), 0,
                        Py_TPFLAGS_DEFAULT | (tp_new ? 0 : Py_TPFLAGS_DISALLOW_INSTANTIATION), slots};
    return PyType_FromSpec(&spec);
}

PyObject *vb_adc_type_create(void)
{
    const adc_flavour *f = &flavours[vb_engine_g.port->id];
    for (unsigned i = 0; i < VB_PINS_MAX; i++) pin_adc[i] = NULL;
    for (unsigned u = 0; u < VB_ADC_UNITS; u++) unit_bits[u] = periph()->adc_bits;
    PyObject *t = vb_type_add_consts(make("machine.ADC", f->tp_new, f->repr, NULL, f->methods), f->consts);
    if (t && f->channels) {
        Py_XSETREF(pycom_channel_type, make("ADCChannel", NULL, repr_pycom_ch, ch_call, pycom_ch_methods));
        if (!pycom_channel_type) Py_CLEAR(t);
    }
    return t;
}
