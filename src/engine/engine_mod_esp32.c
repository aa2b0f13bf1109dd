/* The esp32 port's `esp32` module, wake-up part (esp32 port only):
 * wake_on_ext0(pin, level) and wake_on_ext1(pins, level) pick the pins
 * that end a deep sleep; WAKEUP_ALL_LOW / WAKEUP_ANY_HIGH are the ext1
 * levels (False / True, as upstream). Only RTC GPIOs qualify ("invalid
 * pin"), as on the chip.
 *
 * The board has one wake-pin set (hal->wake_pins_set: any high, or all
 * low), so ext0 and ext1 are merged into it: the union of their pins, at
 * ext1's level when ext1 has pins, else ext0's. */
#include "engine_int.h"

static void apply(void)
{
    const vb_engine_state *g = &vb_engine_g;
    const vb_hal *hal = g->hal;
    if (!hal->wake_pins_set) return;
    hal->wake_pins_set(hal->ctx, g->ext0_mask | g->ext1_mask,
                       g->ext1_mask ? g->ext1_level : g->ext0_level);
}

void vb_esp32_set_ext0(uint64_t mask, int level)
{
    vb_engine_g.ext0_mask = mask;
    vb_engine_g.ext0_level = level ? 1 : 0;
    apply();
}

/* The GPIO of a wake pin argument: >= 0, or -1 with ValueError. */
static int wake_gpio(PyObject *id)
{
    vb_pin_obj *p = vb_pin_find(id);
    if (!p) return -1;
    if (!vb_pin_rtc_gpio(p->def->gpio)) {
        PyErr_SetString(PyExc_ValueError, "invalid pin");
        return -1;
    }
    return p->def->gpio;
}

/* wake_on_ext0(pin, level): pin None clears the source. */
static PyObject *e_wake_on_ext0(PyObject *m, PyObject *args, PyObject *kw)
{
    (void)m;
    static char *kwl[] = {"pin", "level", NULL};
    PyObject *pin = NULL;
    int level = vb_engine_g.ext0_level;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|Op:wake_on_ext0", kwl, &pin, &level)) return NULL;
    uint64_t mask = vb_engine_g.ext0_mask;
    if (pin == Py_None) {
        mask = 0;
    } else if (pin) {
        int gpio = wake_gpio(pin);
        if (gpio < 0) return NULL;
        mask = 1ull << gpio;
    }
    vb_esp32_set_ext0(mask, level);
    Py_RETURN_NONE;
}

/* wake_on_ext1(pins, level): pins None keeps the current set. */
static PyObject *e_wake_on_ext1(PyObject *m, PyObject *args, PyObject *kw)
{
    (void)m;
    static char *kwl[] = {"pins", "level", NULL};
    PyObject *pins = Py_None;
    int level = vb_engine_g.ext1_level;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|Op:wake_on_ext1", kwl, &pins, &level)) return NULL;
    uint64_t mask = vb_engine_g.ext1_mask;
    if (pins != Py_None) {
        PyObject *seq = PySequence_Fast(pins, "object isn't a tuple or list");
        if (!seq) return NULL;
        mask = 0;
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
            int gpio = wake_gpio(PySequence_Fast_GET_ITEM(seq, i));
            if (gpio < 0) {
                Py_DECREF(seq);
                return NULL;
            }
            mask |= 1ull << gpio;
        }
        Py_DECREF(seq);
    }
    vb_engine_g.ext1_mask = mask;
    vb_engine_g.ext1_level = level;
    apply();
    Py_RETURN_NONE;
}

#define KW(f) (PyCFunction)(void (*)(void))(f), METH_VARARGS | METH_KEYWORDS
static PyMethodDef esp32_methods[] = {
    {"wake_on_ext0", KW(e_wake_on_ext0), NULL},
    {"wake_on_ext1", KW(e_wake_on_ext1), NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef esp32_def = {
    PyModuleDef_HEAD_INIT, "esp32", "ESP32-specific functions (wake-up sources)", 0,
    esp32_methods, NULL, NULL, NULL, NULL,
};

PyObject *vb_mod_esp32_create(void)
{
    PyObject *m = PyModule_Create(&esp32_def);
    if (!m) return NULL;
    if (PyModule_AddObjectRef(m, "WAKEUP_ALL_LOW", Py_False) < 0 ||
        PyModule_AddObjectRef(m, "WAKEUP_ANY_HIGH", Py_True) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
