/* The board's `machine` module: resets through the HAL exit path, reset
 * causes and the other integer constants from the port's one table
 * (board/port.h, boot.md §1), unique_id, freq, idle, and RTC over the HAL
 * clock (repl.md §6.3 rtc) with its memory. Pin, Signal, WDT and the sleep
 * functions live in their own engine_mod_*.c files. */
#include "engine_int.h"

#include <errno.h>
#include <string.h>

typedef struct {
    uint32_t freq_hz; /* machine.freq(hz) sets it for this VM only */
} machine_state;

static const vb_hal *hal(void) { return vb_engine_g.hal; }

long vb_machine_const(const char *name, long dflt)
{
    long v;
    return vb_port_const_value(vb_engine_g.port, name, &v) ? v : dflt;
}

int vb_hal_need(const void *member)
{
    if (member) return 0;
    vb_raise_errno(ENODEV);
    return -1;
}


static PyObject *m_reset(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    hal()->exit_vm(hal()->ctx, VB_VM_EXIT_HARD_RESET, 0);
    Py_RETURN_NONE; /* only a test HAL returns */
}

static PyObject *m_bootloader(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m, (void)args, (void)nargs;
    hal()->exit_vm(hal()->ctx, VB_VM_EXIT_BOOTLOADER, 0);
    Py_RETURN_NONE;
}

static PyObject *m_deepsleep(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m;
    long ms = 0; /* 0 = until a wake source: the supervisor decides */
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "deepsleep([time_ms])");
        return NULL;
    }
    if (nargs == 1) {
        ms = PyLong_AsLong(args[0]);
        if (ms == -1 && PyErr_Occurred()) return NULL;
        if (ms < 0 || ms > (long)UINT32_MAX) ms = 0;
    }
    hal()->exit_vm(hal()->ctx, VB_VM_EXIT_DEEPSLEEP, (uint32_t)ms);
    Py_RETURN_NONE;
}

/* machine.soft_reset(): upstream raises SystemExit, which every runner
 * turns into a soft reset. */
static PyObject *m_soft_reset(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    PyErr_SetNone(PyExc_SystemExit);
    return NULL;
}

/* After a soft reset the port's SOFT cause; a port without one (rp2) keeps
 * reporting the last hard reset's cause. */
static PyObject *m_reset_cause(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    int soft = vb_port_cause(vb_engine_g.port, VB_CAUSE_SOFT);
    if (soft >= 0 && hal()->after_soft_reset && hal()->after_soft_reset(hal()->ctx))
        return PyLong_FromLong(soft);
    return PyLong_FromLong(hal()->reset_cause ? hal()->reset_cause(hal()->ctx) : 0);
}

static PyObject *m_unique_id(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    return PyBytes_FromStringAndSize((const char *)vb_engine_g.unique_id,
                                     (Py_ssize_t)vb_engine_g.unique_id_len);
}

static PyObject *m_freq(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    machine_state *st = PyModule_GetState(m);
    if (nargs == 0) return PyLong_FromUnsignedLong(st->freq_hz);
    unsigned long hz = PyLong_AsUnsignedLong(args[0]);
    if (hz == (unsigned long)-1 && PyErr_Occurred()) return NULL;
    if (hz == 0 || hz > UINT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "frequency out of range");
        return NULL;
    }
    st->freq_hz = (uint32_t)hz;
    Py_RETURN_NONE;
}

/* Waits for "the next interrupt": at most a millisecond here. */
static PyObject *m_idle(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    if (vb_engine_sleep_us(1000) < 0) return NULL;
    Py_RETURN_NONE;
}

/* ---- RTC ---------------------------------------------------------------- */

static PyObject *rtc_get_tuple(bool pycom_order)
{
    int64_t secs;
    uint32_t us;
    hal()->rtc_get(hal()->ctx, &secs, &us);
    vb_civil c = vb_civil_from_seconds(secs);
    if (pycom_order) /* Pycom now(): (y, m, d, h, mi, s, us, None) */
        return Py_BuildValue("(LiiiiiIO)", (long long)c.year, c.month, c.mday, c.hour, c.minute,
                             c.second, (unsigned)us, Py_None);
    return Py_BuildValue("(LiiiiiiI)", (long long)c.year, c.month, c.mday, c.weekday, c.hour,
                         c.minute, c.second, (unsigned)us);
}

/* Sets the clock from fields idx of t; micro_idx < 0 or past the end: 0 µs. */
static PyObject *rtc_set_tuple(PyObject *t, const int idx[6], int min_len, int micro_idx)
{
    int64_t secs = vb_time_tuple_seconds(t, min_len, idx);
    if (secs == -1 && PyErr_Occurred()) return NULL;
    long us = 0;
    if (micro_idx >= 0 && PySequence_Size(t) > micro_idx) {
        PyObject *o = PySequence_GetItem(t, micro_idx);
        us = o ? PyLong_AsLong(o) : -1;
        Py_XDECREF(o);
        if (us == -1 && PyErr_Occurred()) return NULL;
        if (us < 0 || us > 999999) us = 0;
    }
    if (secs < 0) secs = 0; /* the board clock starts at its epoch */
    hal()->rtc_set(hal()->ctx, secs, (uint32_t)us);
    Py_RETURN_NONE;
}

/* datetime() -> (year, month, day, weekday, hour, minute, second, µs);
 * datetime(t) sets it (the weekday field is ignored). */
static PyObject *rtc_datetime(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    static const int idx[6] = {0, 1, 2, 4, 5, 6};
    if (nargs == 0) return rtc_get_tuple(false);
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "datetime([tuple])");
        return NULL;
    }
    return rtc_set_tuple(args[0], idx, 7, 7);
}

/* Pycom-style init((y, m, d[, h, mi, s, us, tz])) and now(). */
static PyObject *rtc_init(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    static const int idx[6] = {0, 1, 2, 3, 4, 5};
    if (nargs == 0) Py_RETURN_NONE;
    PyObject *t = args[0];
    if (PySequence_Size(t) < 6) {
        PyErr_Clear();
        PyErr_SetString(PyExc_ValueError, "init((year, month, day, hour, minute, second[, us]))");
        return NULL;
    }
    return rtc_set_tuple(t, idx, 6, 6);
}

static PyObject *rtc_now(PyObject *self, PyObject *u)
{
    (void)self, (void)u;
    return rtc_get_tuple(true);
}

/* memory([data]): the bytes kept across resets and deep sleep (both ports:
 * ValueError("buffer too long") past the size). */
static PyObject *rtc_memory(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "memory([data])");
        return NULL;
    }
    if (vb_hal_need((const void *)hal()->rtc_memory_read) < 0 ||
        vb_hal_need((const void *)hal()->rtc_memory_write) < 0)
        return NULL;
    if (nargs == 0) {
        uint8_t buf[VB_RTC_MEMORY_MAX];
        size_t n = hal()->rtc_memory_read(hal()->ctx, buf, sizeof buf);
        return PyBytes_FromStringAndSize((const char *)buf, (Py_ssize_t)(n < sizeof buf ? n : sizeof buf));
    }
    /* MicroPython's str has the buffer protocol: its UTF-8 bytes. */
    PyObject *data = PyUnicode_Check(args[0]) ? PyUnicode_AsUTF8String(args[0]) : Py_NewRef(args[0]);
    Py_buffer view;
    if (!data || PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0) {
        Py_XDECREF(data);
        return NULL;
    }
    bool ok = (size_t)view.len <= VB_RTC_MEMORY_MAX;
    if (ok) hal()->rtc_memory_write(hal()->ctx, view.buf, (size_t)view.len);
    else PyErr_SetString(PyExc_ValueError, "buffer too long");
    PyBuffer_Release(&view);
    Py_DECREF(data);
    if (!ok) return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef rtc_methods[] = {
    {"datetime", (PyCFunction)(void (*)(void))rtc_datetime, METH_FASTCALL, NULL},
    {"init", (PyCFunction)(void (*)(void))rtc_init, METH_FASTCALL, NULL},
    {"now", rtc_now, METH_NOARGS, NULL},
    {"memory", (PyCFunction)(void (*)(void))rtc_memory, METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL},
};

static PyObject *make_rtc_type(void)
{
    PyType_Slot slots[] = {{Py_tp_methods, rtc_methods}, {Py_tp_new, PyType_GenericNew}, {0, NULL}};
    PyType_Spec spec = {"machine.RTC", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, slots};
    return PyType_FromSpec(&spec);
}

static PyMethodDef machine_methods[] = {
    {"reset", m_reset, METH_NOARGS, NULL},
    {"soft_reset", m_soft_reset, METH_NOARGS, NULL},
    {"reset_cause", m_reset_cause, METH_NOARGS, NULL},
    {"bootloader", (PyCFunction)(void (*)(void))m_bootloader, METH_FASTCALL, NULL},
    {"deepsleep", (PyCFunction)(void (*)(void))m_deepsleep, METH_FASTCALL, NULL},
    {"unique_id", m_unique_id, METH_NOARGS, NULL},
    {"freq", (PyCFunction)(void (*)(void))m_freq, METH_FASTCALL, NULL},
    {"idle", m_idle, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef machine_def = {
    PyModuleDef_HEAD_INIT, "machine", "board functions (MicroPython style)",
    sizeof(machine_state), machine_methods, NULL, NULL, NULL, NULL,
};

PyObject *vb_mod_machine_create(void)
{
    PyObject *m = PyModule_Create(&machine_def);
    if (!m) return NULL;
    ((machine_state *)PyModule_GetState(m))->freq_hz = vb_engine_g.cpu_freq_hz;
    for (const vb_port_const *c = vb_engine_g.port->machine_consts; c->name; c++) {
        if (PyModule_AddIntConstant(m, c->name, c->value) < 0) goto fail;
    }
    /* Pycom firmware has no machine.Signal (MicroPython 1.24's ports do). */
    static const bool has_signal[VB_PORT_COUNT] = {
        [VB_PORT_ESP32] = true, [VB_PORT_PYCOM] = false, [VB_PORT_RP2] = true,
    };
    PyObject *(*const types[])(void) = {make_rtc_type, vb_pin_type_create, vb_wdt_type_create,
                                         has_signal[vb_engine_g.port->id] ? vb_signal_type_create : NULL,
                                         vb_timer_type_create, vb_adc_type_create, vb_pwm_type_create,
                                         vb_uart_type_create};
    static const char *const type_names[] = {"RTC", "Pin", "WDT", "Signal", "Timer", "ADC", "PWM", "UART"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (!types[i]) continue;
        PyObject *t = types[i]();
        if (!t || PyModule_AddObject(m, type_names[i], t) < 0) {
            Py_XDECREF(t);
            goto fail;
        }
    }
    if (vb_machine_add_sleep(m) < 0 || vb_machine_add_i2c(m) < 0 || vb_machine_add_spi(m) < 0 ||
        vb_machine_add_pulses(m) < 0) goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
