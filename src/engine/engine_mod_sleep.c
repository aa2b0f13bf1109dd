/* The machine module's light sleep and wake-up functions, per port.
 *
 * esp32: lightsleep([time_ms]) (also as sleep), wake_reason() -> an
 * esp_sleep_wakeup_cause_t (0 after power-on; PIN_WAKE = EXT0_WAKE,
 * TIMER_WAKE), SLEEP/DEEPSLEEP wake-ability constants.
 * Pycom: sleep([time_ms[, resume_wifi_ble]]), wake_reason() -> (reason,
 * pins), remaining_sleep_time(), pin_sleep_wakeup(pins, mode,
 * enable_pull=False) with WAKEUP_ALL_LOW / WAKEUP_ANY_HIGH.
 * rp2: lightsleep([time_ms]) only (no wake_reason; deepsleep, in machine,
 * is a light sleep then a reset there).
 *
 * A light sleep here is a wait, not a power state: pin IRQ handlers run
 * during it and Ctrl-C raises KeyboardInterrupt. Without a time it lasts
 * until an IRQ handler ran or serial input is waiting, at most 1 s. */
#include "engine_int.h"

#define UNTIMED_CAP_US 1000000

static const vb_hal *hal(void) { return vb_engine_g.hal; }

static PyObject *light_sleep(PyObject *const *args, Py_ssize_t nargs, Py_ssize_t max)
{
    if (nargs > max) {
        PyErr_Format(PyExc_TypeError, "function takes at most %zd arguments", max);
        return NULL;
    }
    if (nargs >= 1 && args[0] != Py_None) {
        long ms = PyLong_AsLong(args[0]);
        if (ms == -1 && PyErr_Occurred()) return NULL;
        if (vb_engine_sleep_us(ms > 0 ? (int64_t)ms * 1000 : 0) < 0) return NULL;
        Py_RETURN_NONE;
    }
    unsigned long runs = vb_engine_g.irq_runs;
    int64_t end = vb_engine_now_us() + UNTIMED_CAP_US;
    while (vb_engine_now_us() < end && vb_engine_g.irq_runs == runs) {
        if (hal()->rx_available && hal()->rx_available(hal()->ctx) > 0) break;
        if (vb_engine_wait_until(end, true) < 0) return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *m_lightsleep(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m;
    return light_sleep(args, nargs, 1);
}

/* Pycom's second argument (resume Wi-Fi/BLE) has nothing to act on. */
static PyObject *m_pycom_sleep(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m;
    return light_sleep(args, nargs, 2);
}

static void wake_info(vb_wake_reason *why, uint64_t *mask, uint32_t *left_ms)
{
    *why = VB_WAKE_PWRON;
    *mask = 0;
    *left_ms = 0;
    if (hal()->wake_info) hal()->wake_info(hal()->ctx, why, mask, left_ms);
}

static PyObject *m_wake_reason_esp32(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m, (void)args, (void)nargs;
    vb_wake_reason why;
    uint64_t mask;
    uint32_t left;
    wake_info(&why, &mask, &left);
    /* The board has one kind of wake pin; it reports as PIN_WAKE (= EXT0). */
    long v = why == VB_WAKE_PIN   ? vb_machine_const("PIN_WAKE", 2)
             : why == VB_WAKE_RTC ? vb_machine_const("TIMER_WAKE", 4)
                                  : 0; /* ESP_SLEEP_WAKEUP_UNDEFINED */
    return PyLong_FromLong(v);
}

/* (reason, pins): pins is the list of Pins that woke the board, else None. */
static PyObject *m_wake_reason_pycom(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    vb_wake_reason why;
    uint64_t mask;
    uint32_t left;
    wake_info(&why, &mask, &left);
    long v = why == VB_WAKE_PIN   ? vb_machine_const("PIN_WAKE", 1)
             : why == VB_WAKE_RTC ? vb_machine_const("RTC_WAKE", 2)
                                  : vb_machine_const("PWRON_WAKE", 0);
    PyObject *pins = Py_NewRef(Py_None);
    if (why == VB_WAKE_PIN) {
        Py_SETREF(pins, PyList_New(0));
        for (unsigned g = 0; pins && g < VB_PINS_MAX; g++) {
            PyObject *p = vb_engine_g.pin_by_gpio[g];
            if (p && ((mask >> g) & 1) && PyList_Append(pins, p) < 0) Py_CLEAR(pins);
        }
        if (!pins) return NULL;
    }
    return Py_BuildValue("(lN)", v, pins);
}

static PyObject *m_remaining_sleep_time(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    vb_wake_reason why;
    uint64_t mask;
    uint32_t left;
    wake_info(&why, &mask, &left);
    return PyLong_FromUnsignedLong(left);
}

/* pin_sleep_wakeup(pins, mode, enable_pull=False): the pins (an ESP32 ext1
 * source: RTC GPIOs only) that end a deep sleep, WAKEUP_ALL_LOW (0) or
 * WAKEUP_ANY_HIGH (1). The pull option has no effect on this board. */
static PyObject *m_pin_sleep_wakeup(PyObject *m, PyObject *args, PyObject *kw)
{
    (void)m;
    static char *kwl[] = {"pins", "mode", "enable_pull", NULL};
    PyObject *pins;
    long mode;
    int pull = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Ol|p:pin_sleep_wakeup", kwl, &pins, &mode, &pull))
        return NULL;
    PyObject *seq = PySequence_Fast(pins, "object isn't a tuple or list");
    if (!seq) return NULL;
    if (mode != 0 && mode != 1) {
        Py_DECREF(seq);
        return PyErr_Format(PyExc_ValueError, "invalid wakeup mode %ld", mode);
    }
    uint64_t mask = 0;
    bool rtc_only = true;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        vb_pin_obj *p = vb_pin_find(PySequence_Fast_GET_ITEM(seq, i));
        if (!p) {
            Py_DECREF(seq);
            return NULL;
        }
        mask |= 1ull << p->def->gpio;
        rtc_only = rtc_only && vb_pin_rtc_gpio(p->def->gpio);
    }
    Py_DECREF(seq);
    if (!rtc_only) {
        PyErr_SetString(PyExc_ValueError, "deepsleep wake up is not supported on the selected pin(s)");
        return NULL;
    }
    if (vb_hal_need((const void *)hal()->wake_pins_set) < 0) return NULL;
    hal()->wake_pins_set(hal()->ctx, mask, (int)mode);
    Py_RETURN_NONE;
}

#define FAST(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL

static PyMethodDef esp32_funcs[] = {
    {"lightsleep", FAST(m_lightsleep), NULL},
    {"sleep", FAST(m_lightsleep), NULL},
    {"wake_reason", FAST(m_wake_reason_esp32), NULL},
    {NULL, NULL, 0, NULL},
};

static PyMethodDef pycom_funcs[] = {
    {"sleep", FAST(m_pycom_sleep), NULL},
    {"wake_reason", m_wake_reason_pycom, METH_NOARGS, NULL},
    {"remaining_sleep_time", m_remaining_sleep_time, METH_NOARGS, NULL},
    {"pin_sleep_wakeup", (PyCFunction)(void (*)(void))m_pin_sleep_wakeup,
     METH_VARARGS | METH_KEYWORDS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMethodDef rp2_funcs[] = {
    {"lightsleep", FAST(m_lightsleep), NULL},
    {NULL, NULL, 0, NULL},
};

int vb_machine_add_sleep(PyObject *machine)
{
    static PyMethodDef *const funcs[VB_PORT_COUNT] = {
        [VB_PORT_ESP32] = esp32_funcs, [VB_PORT_PYCOM] = pycom_funcs, [VB_PORT_RP2] = rp2_funcs,
    };
    return PyModule_AddFunctions(machine, funcs[vb_engine_g.port->id]);
}
