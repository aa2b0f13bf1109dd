/* The board's `time` (also `utime`), replacing CPython's for device code:
 * interruptible sleeps, MicroPython ticks (period 2**30), and wall time
 * from the board RTC with the 2000-01-01 epoch. */
#include "engine_int.h"
#include "util/clock.h"

#include <errno.h>
#include <time.h>

/* MicroPython's ticks wrap at 2**30 (MICROPY_PY_TIME_TICKS_PERIOD); a
 * ticks_diff result is signed within that period. */
#define TICKS_PERIOD (1L << 30)
#define TICKS_MASK (TICKS_PERIOD - 1)
/* Longest uninterrupted nap without a board HAL (engine tests): bounds
 * Ctrl-C latency if SIGINT lands just before a nap begins. */
#define NAP_US 10000

int64_t vb_engine_now_us(void)
{
    const vb_hal *h = vb_engine_g.hal;
    return h && h->now_us ? h->now_us(h->ctx) : vb_clock_monotonic_us();
}

int vb_engine_wait_until(int64_t deadline, bool wake_on_input)
{
    const vb_hal *h = vb_engine_g.hal;
    vb_timer_poke_due();
    if (PyErr_CheckSignals() < 0) return -1;
    /* a machine.Timer due first ends the wait there (its callback runs at
     * the next look) */
    if (vb_timer_next() < deadline) deadline = vb_timer_next();
    int64_t left = deadline - vb_engine_now_us();
    if (left <= 0) return 0;
    if (h && h->idle) {
        int rc;
        Py_BEGIN_ALLOW_THREADS
        rc = h->idle(h->ctx, deadline, wake_on_input);
        Py_END_ALLOW_THREADS
        /* -EINTR: the signal's handler runs now */
        if (rc < 0 && PyErr_CheckSignals() < 0) return -1;
        return 0;
    }
    if (left > NAP_US) left = NAP_US;
    struct timespec ts = {(time_t)(left / 1000000), (long)(left % 1000000) * 1000};
    Py_BEGIN_ALLOW_THREADS
    /* EINTR (the SIGINT handler ran) just ends the nap early. */
    (void)nanosleep(&ts, NULL);
    Py_END_ALLOW_THREADS
    return 0;
}

int vb_engine_sleep_us(int64_t us)
{
    int64_t deadline = vb_engine_now_us() + (us > 0 ? us : 0);
    for (;;) {
        vb_timer_poke_due();
        if (PyErr_CheckSignals() < 0) return -1;
        if (deadline - vb_engine_now_us() <= 0) return 0;
        if (vb_engine_wait_until(deadline, false) < 0) return -1;
    }
}

static PyObject *sleep_scaled(PyObject *arg, double scale)
{
    double v = PyFloat_AsDouble(arg);
    if (v == -1.0 && PyErr_Occurred()) return NULL;
    if (vb_engine_sleep_us((int64_t)(v * scale)) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *t_sleep(PyObject *m, PyObject *a) { (void)m; return sleep_scaled(a, 1e6); }
static PyObject *t_sleep_ms(PyObject *m, PyObject *a) { (void)m; return sleep_scaled(a, 1e3); }
static PyObject *t_sleep_us(PyObject *m, PyObject *a) { (void)m; return sleep_scaled(a, 1.0); }

static uint64_t board_us(void)
{
    return vb_engine_g.hal->ticks_us(vb_engine_g.hal->ctx);
}

static PyObject *t_ticks_ms(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    return PyLong_FromLong((long)((board_us() / 1000) & TICKS_MASK));
}

static PyObject *t_ticks_us(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    return PyLong_FromLong((long)(board_us() & TICKS_MASK));
}

static PyObject *t_ticks_add(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "ticks_add(ticks, delta)");
        return NULL;
    }
    long t = PyLong_AsLong(args[0]);
    if (t == -1 && PyErr_Occurred()) return NULL;
    int overflow = 0;
    long d = PyLong_AsLongAndOverflow(args[1], &overflow);
    if (d == -1 && PyErr_Occurred()) return NULL;
    /* Upstream refuses deltas ticks_diff could not give back both ways:
     * -TICKS_PERIOD/2 too, as ticks_diff(T, ticks_add(T, d)) must be -d. */
    if (overflow || d <= -TICKS_PERIOD / 2 || d >= TICKS_PERIOD / 2) {
        PyErr_SetString(PyExc_OverflowError, "ticks interval overflow");
        return NULL;
    }
    return PyLong_FromLong((t + d) & TICKS_MASK);
}

static PyObject *t_ticks_diff(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "ticks_diff(end, start)");
        return NULL;
    }
    long end = PyLong_AsLong(args[0]);
    if (end == -1 && PyErr_Occurred()) return NULL;
    long start = PyLong_AsLong(args[1]);
    if (start == -1 && PyErr_Occurred()) return NULL;
    long diff = ((end - start + TICKS_PERIOD / 2) & TICKS_MASK) - TICKS_PERIOD / 2;
    return PyLong_FromLong(diff);
}

static void rtc_now(int64_t *secs, uint32_t *micros)
{
    vb_engine_g.hal->rtc_get(vb_engine_g.hal->ctx, secs, micros);
}

static PyObject *t_time(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    int64_t s;
    uint32_t us;
    rtc_now(&s, &us);
    return PyLong_FromLongLong(s);
}

static PyObject *t_time_ns(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    int64_t s;
    uint32_t us;
    rtc_now(&s, &us);
    return PyLong_FromLongLong(s * 1000000000LL + (int64_t)us * 1000);
}

/* localtime([secs]) / gmtime([secs]): the board has no time zone. */
static PyObject *t_localtime(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m;
    int64_t secs;
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "localtime([secs])");
        return NULL;
    }
    if (nargs == 0 || args[0] == Py_None) {
        uint32_t us;
        rtc_now(&secs, &us);
    } else {
        double v = PyFloat_AsDouble(args[0]);
        if (v == -1.0 && PyErr_Occurred()) return NULL;
        if (v > 9e15 || v < -9e15) {
            PyErr_SetString(PyExc_OverflowError, "timestamp out of range");
            return NULL;
        }
        secs = (int64_t)v;
    }
    vb_civil c = vb_civil_from_seconds(secs);
    return Py_BuildValue("(Liiiiiii)", (long long)c.year, c.month, c.mday, c.hour, c.minute,
                         c.second, c.weekday, c.yearday);
}

int64_t vb_time_tuple_seconds(PyObject *seq, int min_len, const int idx[6])
{
    PyObject *fast = PySequence_Fast(seq, "a tuple or list is needed");
    if (!fast) return -1;
    if (PySequence_Fast_GET_SIZE(fast) < min_len) {
        Py_DECREF(fast);
        PyErr_SetString(PyExc_TypeError, "time tuple too short");
        return -1;
    }
    long long f[6];
    for (int i = 0; i < 6; i++) {
        f[i] = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(fast, idx[i]));
        if (f[i] == -1 && PyErr_Occurred()) {
            Py_DECREF(fast);
            return -1;
        }
        /* Upstream takes each field as a machine word (32 bits on ESP32);
         * the bound also keeps the sum below from overflowing. */
        if (f[i] < INT32_MIN || f[i] > INT32_MAX) {
            Py_DECREF(fast);
            PyErr_SetString(PyExc_OverflowError, "overflow converting long int to machine word");
            return -1;
        }
    }
    Py_DECREF(fast);
    return vb_civil_days(f[0], f[1], f[2]) * 86400 + f[3] * 3600 + f[4] * 60 + f[5];
}

static PyObject *t_mktime(PyObject *m, PyObject *arg)
{
    (void)m;
    static const int idx[6] = {0, 1, 2, 3, 4, 5};
    int64_t s = vb_time_tuple_seconds(arg, 8, idx);
    if (s == -1 && PyErr_Occurred()) return NULL;
    return PyLong_FromLongLong(s);
}

static PyMethodDef time_methods[] = {
    {"sleep", t_sleep, METH_O, NULL},
    {"sleep_ms", t_sleep_ms, METH_O, NULL},
    {"sleep_us", t_sleep_us, METH_O, NULL},
    {"ticks_ms", t_ticks_ms, METH_NOARGS, NULL},
    {"ticks_us", t_ticks_us, METH_NOARGS, NULL},
    {"ticks_cpu", t_ticks_us, METH_NOARGS, NULL},
    {"ticks_add", (PyCFunction)(void (*)(void))t_ticks_add, METH_FASTCALL, NULL},
    {"ticks_diff", (PyCFunction)(void (*)(void))t_ticks_diff, METH_FASTCALL, NULL},
    {"time", t_time, METH_NOARGS, NULL},
    {"time_ns", t_time_ns, METH_NOARGS, NULL},
    {"localtime", (PyCFunction)(void (*)(void))t_localtime, METH_FASTCALL, NULL},
    {"gmtime", (PyCFunction)(void (*)(void))t_localtime, METH_FASTCALL, NULL},
    {"mktime", t_mktime, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef time_def = {
    PyModuleDef_HEAD_INIT, "time", "board time (MicroPython style)", 0, time_methods,
    NULL, NULL, NULL, NULL,
};

PyObject *vb_mod_time_create(void)
{
    return PyModule_Create(&time_def);
}
