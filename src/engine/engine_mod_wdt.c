/* machine.WDT over the board's watchdog (boot.md §7): once started it
 * cannot be stopped (no deinit); a later WDT() sets a new timeout, as the
 * esp32 port reconfigures the task watchdog and Pycom restarts its timer.
 *
 * esp32: WDT(id=0, timeout=5000); id != 0 is ValueError, timeout <= 0
 * ValueError("WDT timeout too short").
 * Pycom: WDT(id=0, timeout) with timeout required, id != 0 is OSError
 * ("resource not available"), plus init(timeout). Pycom's firmware takes a
 * timeout <= 0 as 1 ms; here it is the esp32 port's ValueError.
 * rp2: WDT(id=0, timeout=5000); id != 0 is ValueError("WDT(n) doesn't
 * exist"), a timeout past the RP2040's 24-bit counter (8388 ms, negative
 * ones wrap there too) ValueError("timeout exceeds 8388"); 0 fires at once
 * (here: after 1 ms). */
#include "engine_int.h"
#include "board/pycom_errors.h"

#include <limits.h>

static const vb_hal *hal(void) { return vb_engine_g.hal; }

/* Starts (or re-times) the board's watchdog: 0, or -1 with ValueError. */
static int start(long timeout_ms)
{
    if (timeout_ms <= 0) {
        PyErr_SetString(PyExc_ValueError, "WDT timeout too short");
        return -1;
    }
    if (vb_hal_need((const void *)hal()->wdt_start) < 0) return -1;
    hal()->wdt_start(hal()->ctx, timeout_ms > (long)UINT32_MAX ? UINT32_MAX : (uint32_t)timeout_ms);
    return 0;
}

/* What WDT(id, timeout) checks, per port: 0 with *timeout the one to
 * start, or -1 with the port's exception. */
static int check_esp32(long id, long *timeout)
{
    (void)timeout;
    if (id != 0) PyErr_SetNone(PyExc_ValueError);
    return id != 0 ? -1 : 0;
}

static int check_pycom(long id, long *timeout)
{
    (void)timeout;
    if (id != 0) PyErr_SetString(PyExc_OSError, VB_PYCOM_NO_RESOURCE);
    return id != 0 ? -1 : 0;
}

#define RP2040_WDT_MAX_MS 8388
static int check_rp2(long id, long *timeout)
{
    if (id != 0) {
        PyErr_Format(PyExc_ValueError, "WDT(%ld) doesn't exist", id);
        return -1;
    }
    if (*timeout < 0 || *timeout > RP2040_WDT_MAX_MS) {
        PyErr_SetString(PyExc_ValueError, "timeout exceeds 8388");
        return -1;
    }
    if (*timeout == 0) *timeout = 1;
    return 0;
}

static PyObject *wdt_feed(PyObject *self, PyObject *u)
{
    (void)self, (void)u;
    if (vb_hal_need((const void *)hal()->wdt_feed) < 0) return NULL;
    hal()->wdt_feed(hal()->ctx);
    Py_RETURN_NONE;
}

/* Pycom init(timeout). */
static PyObject *wdt_init(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *kwl[] = {"timeout", NULL};
    long timeout;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "l:init", kwl, &timeout)) return NULL;
    if (start(timeout) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *wdt_repr(PyObject *self)
{
    (void)self;
    return PyUnicode_FromString("<WDT>");
}

static PyMethodDef esp32_methods[] = {
    {"feed", wdt_feed, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMethodDef pycom_methods[] = {
    {"feed", wdt_feed, METH_NOARGS, NULL},
    {"init", (PyCFunction)(void (*)(void))wdt_init, METH_VARARGS | METH_KEYWORDS, NULL},
    {NULL, NULL, 0, NULL},
};

typedef struct wdt_flavour {
    long default_timeout;          /* LONG_MIN: the argument is required */
    int (*check)(long id, long *timeout);
    PyMethodDef *methods;
} wdt_flavour;

static const wdt_flavour flavours[VB_PORT_COUNT] = {
    [VB_PORT_ESP32] = {5000, check_esp32, esp32_methods},
    [VB_PORT_PYCOM] = {LONG_MIN, check_pycom, pycom_methods},
    [VB_PORT_RP2] = {5000, check_rp2, esp32_methods},
};

static const wdt_flavour *flavour(void) { return &flavours[vb_engine_g.port->id]; }

static PyObject *wdt_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"id", "timeout", NULL};
    long id = 0, timeout = flavour()->default_timeout;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|ll:WDT", kwl, &id, &timeout)) return NULL;
    if (timeout == LONG_MIN) {
        PyErr_SetString(PyExc_TypeError, "'timeout' argument required");
        return NULL;
    }
    if (flavour()->check(id, &timeout) < 0) return NULL;
    if (start(timeout) < 0) return NULL;
    return type->tp_alloc(type, 0);
}

PyObject *vb_wdt_type_create(void)
{
    PyType_Slot slots[] = {
        {Py_tp_new, (void *)wdt_new},
        {Py_tp_repr, (void *)wdt_repr},
        {Py_tp_methods, flavour()->methods},
        {0, NULL},
    };
    PyType_Spec spec = {"machine.WDT", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, slots};
    return PyType_FromSpec(&spec);
}
