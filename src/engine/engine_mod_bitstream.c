/* machine.bitstream and machine.time_pulse_us (MicroPython v1.24's
 * extmod/machine_bitstream.c and machine_pulse.c APIs), where the port
 * has them (board/periph.h: esp32 and rp2; Pycom's 1.11 machine has
 * neither).
 *
 * bitstream(pin, encoding, timing, buf): encoding 0 is the only one,
 * timing the high and low ns of a 0 bit then of a 1 bit; the bytes go to
 * the strip on the pin (the HAL's bitstream: the board's, bus/pixels.h)
 * and take the wire's board time, every bit's high plus low, then the
 * 50 µs low a WS2812 latches on.
 *
 * time_pulse_us(pin, pulse_level, timeout_us=1000000): waits for the pin
 * to reach pulse_level (-2 if that takes timeout_us), then times how long
 * it stays there (-1 past timeout_us), in board µs. The level is the one
 * the host drives; the wait idles until an edge or the timeout, so a fast
 * clock jumps through it and no host time is spun. */
#include "engine_int.h"
#include "board/periph.h"

#include <errno.h>

/* The WS2812's reset: the line low at least this long latches the strip. */
#define LATCH_US 50
/* time_pulse_us wakes at the pin's edges (the board latches them while it
 * waits); it also looks this often (board µs), for a level that changes
 * with no edge to latch (a pull or mode set by another thread). */
#define PULSE_LOOK_US 100000

static const vb_hal *hal(void) { return vb_engine_g.hal; }

/* mp_arg_check_num_sig for a function of min..max positional arguments
 * and no keywords: 0, or -1 with upstream's TypeError. */
static int arg_count(Py_ssize_t nargs, PyObject *kw, Py_ssize_t min, Py_ssize_t max)
{
    if (kw && PyDict_GET_SIZE(kw) > 0) {
        PyErr_SetString(PyExc_TypeError, "function doesn't take keyword arguments");
        return -1;
    }
    if (nargs < min) {
        PyErr_Format(PyExc_TypeError, "function missing %zd required positional arguments", min - nargs);
        return -1;
    }
    if (nargs > max) {
        PyErr_Format(PyExc_TypeError, "function expected at most %zd arguments, got %zd", max, nargs);
        return -1;
    }
    return 0;
}

/* mp_obj_get_int: an int (bool too), else TypeError; 0 / -1. */
static int get_int(PyObject *o, long long *v)
{
    if (!PyLong_Check(o)) {
        PyErr_Format(PyExc_TypeError, "can't convert %s to int", Py_TYPE(o)->tp_name);
        return -1;
    }
    *v = PyLong_AsLongLong(o);
    return *v == -1 && PyErr_Occurred() ? -1 : 0;
}

/* The 4-tuple (or list) of ns: 0, or -1 with upstream's error. */
static int get_timing(PyObject *o, uint32_t ns[4])
{
    if (vb_fixed_items(o, 4, "isn't") < 0) return -1;
    for (Py_ssize_t i = 0; i < 4; i++) {
        long long v;
        if (get_int(PySequence_Fast_GET_ITEM(o, i), &v) < 0) return -1;
        ns[i] = (uint32_t)v;   /* mp_obj_get_int into a uint32_t, as upstream stores it */
    }
    return 0;
}

/* The wire's time for buf at these timings, µs rounded up. */
static int64_t wire_us(const uint32_t ns[4], const uint8_t *buf, size_t n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned ones = (unsigned)__builtin_popcount(buf[i]);
        total += (uint64_t)ones * ((uint64_t)ns[2] + ns[3]) + (uint64_t)(8 - ones) * ((uint64_t)ns[0] + ns[1]);
    }
    return (int64_t)((total + 999) / 1000);
}

static PyObject *m_bitstream(PyObject *m, PyObject *args, PyObject *kw)
{
    (void)m;
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    if (arg_count(nargs, kw, 4, 4) < 0) return NULL;
    vb_pin_obj *pin = vb_pin_find(PyTuple_GET_ITEM(args, 0));
    long long encoding;
    if (!pin || get_int(PyTuple_GET_ITEM(args, 1), &encoding) < 0) return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(PyTuple_GET_ITEM(args, 3), &view, PyBUF_SIMPLE) < 0) {
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError, "object with buffer protocol required");
        return NULL;
    }
    uint32_t ns[4];
    int rc = 0;
    if (encoding != 0) {
        PyErr_SetString(PyExc_ValueError, "encoding");
        rc = -1;
    } else if (get_timing(PyTuple_GET_ITEM(args, 2), ns) < 0 || vb_hal_need((const void *)hal()->bitstream) < 0) {
        rc = -1;
    } else if (vb_engine_sleep_us(wire_us(ns, view.buf, (size_t)view.len)) < 0) {
        rc = -1;               /* Ctrl-C while the bits went out */
    } else if ((rc = hal()->bitstream(hal()->ctx, pin->def->gpio, ns, view.buf, (size_t)view.len)) < 0) {
        vb_raise_errno(-rc);
    } else {
        rc = vb_engine_sleep_us(LATCH_US);
    }
    PyBuffer_Release(&view);
    if (rc < 0) return NULL;
    Py_RETURN_NONE;
}

/* Wait until the pin is at `level` (reach) or no longer at it (!reach),
 * at most timeout_us of board time: the µs it took, -1 at the timeout, or
 * -2 with an exception (Ctrl-C). The caller has the board latch the pin's
 * edges, so the host's drive ends the idle wait at once. */
static int64_t wait_pin(vb_pin_obj *pin, int level, bool reach, uint32_t timeout_us)
{
    int64_t start = vb_engine_now_us();
    for (;;) {
        int64_t now = vb_engine_now_us();
        if ((vb_pin_value(pin) == level) == reach) return now - start;
        if (now - start >= (int64_t)timeout_us) return -1;
        int64_t until = now + PULSE_LOOK_US;
        if (until > start + (int64_t)timeout_us) until = start + (int64_t)timeout_us;
        if (vb_engine_wait_until(until, false) < 0) return -2;
    }
}

static PyObject *m_time_pulse_us(PyObject *m, PyObject *args, PyObject *kw)
{
    (void)m;
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    if (arg_count(nargs, kw, 2, 3) < 0) return NULL;
    vb_pin_obj *pin = vb_pin_find(PyTuple_GET_ITEM(args, 0));
    if (!pin) return NULL;
    int level = PyObject_IsTrue(PyTuple_GET_ITEM(args, 1));
    if (level < 0) return NULL;
    long long t = 1000000;
    if (nargs > 2 && get_int(PyTuple_GET_ITEM(args, 2), &t) < 0) return NULL;
    uint32_t timeout_us = (uint32_t)t;   /* mp_uint_t: a negative timeout is a huge one */
    /* both edges latched while we wait: the board wakes us at each (the
     * pin's own handler, if any, still runs for its triggers only) */
    unsigned gpio = pin->def->gpio;
    hal()->pin_irq_arm(hal()->ctx, gpio, VB_PIN_IRQ_RISING | VB_PIN_IRQ_FALLING);
    int64_t reached = wait_pin(pin, level, true, timeout_us);
    int64_t pulse = reached >= 0 ? wait_pin(pin, level, false, timeout_us) : reached;
    hal()->pin_irq_arm(hal()->ctx, gpio, pin->hal_trig);
    if (!vb_engine_g.irq_armed) {          /* no handler takes the latches: drop ours */
        uint64_t stale[2];
        hal()->pin_irq_take(hal()->ctx, stale);
    }
    if (reached == -2 || pulse == -2) return NULL;
    if (reached == -1) return PyLong_FromLong(-2);   /* never reached the level */
    return PyLong_FromLongLong(pulse);                /* -1: still at it after timeout_us */
}

int vb_machine_add_pulses(PyObject *machine)
{
    const vb_port_periph *p = vb_engine_g.port->periph;
    /* static: CPython keeps a pointer to a function's def for its life */
    static PyMethodDef bitstream_def = {"bitstream", (PyCFunction)(void (*)(void))m_bitstream,
                                        METH_VARARGS | METH_KEYWORDS, NULL};
    static PyMethodDef pulse_def = {"time_pulse_us", (PyCFunction)(void (*)(void))m_time_pulse_us,
                                    METH_VARARGS | METH_KEYWORDS, NULL};
    PyMethodDef *defs[2] = {p->bitstream ? &bitstream_def : NULL, p->time_pulse_us ? &pulse_def : NULL};
    for (unsigned i = 0; i < 2; i++) {
        if (!defs[i]) continue;
        PyObject *f = PyCFunction_NewEx(defs[i], machine, NULL);
        if (!f || PyModule_AddObject(machine, defs[i]->ml_name, f) < 0) {
            Py_XDECREF(f);
            return -1;
        }
    }
    return 0;
}
