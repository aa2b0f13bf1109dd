/* The `micropython` module (const, opt_level, kbd_intr, schedule, mem_info,
 * heap_lock and friends). The
 * @micropython.native/viper decorators are the compiler's
 * (engine_mpcompile.c), not attributes, as upstream. */
#include "engine_int.h"

typedef struct {
    long opt_level;
} mpy_state;

static PyObject *mp_const(PyObject *m, PyObject *arg)
{
    (void)m;
    return Py_NewRef(arg);
}

static PyObject *mp_opt_level(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    mpy_state *st = PyModule_GetState(m);
    if (nargs == 0) return PyLong_FromLong(st->opt_level);
    long v = PyLong_AsLong(args[0]);
    if (v == -1 && PyErr_Occurred()) return NULL;
    st->opt_level = v;
    Py_RETURN_NONE;
}

/* Until the current execution unit ends (vb_engine_run_unit restores
 * Ctrl-C). */
static PyObject *mp_kbd_intr(PyObject *m, PyObject *arg)
{
    (void)m;
    long c = PyLong_AsLong(arg);
    if (c == -1 && PyErr_Occurred()) return NULL;
    const vb_hal *hal = vb_engine_g.hal;
    if (hal->set_intr_char) hal->set_intr_char(hal->ctx, c < 0 || c > 255 ? -1 : (int)c);
    Py_RETURN_NONE;
}

/* A scheduled call: the (func, arg) tuple travels as the pending call's
 * argument and is released once run. */
static int run_scheduled(void *p)
{
    PyObject *pair = p;
    PyObject *r = PyObject_CallOneArg(PyTuple_GET_ITEM(pair, 0), PyTuple_GET_ITEM(pair, 1));
    Py_DECREF(pair);
    if (!r) return -1; /* raised into the running code, as upstream */
    Py_DECREF(r);
    return 0;
}

static PyObject *mp_schedule(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "schedule(func, arg)");
        return NULL;
    }
    PyObject *pair = PyTuple_Pack(2, args[0], args[1]);
    if (!pair) return NULL;
    if (Py_AddPendingCall(run_scheduled, pair) < 0) {
        Py_DECREF(pair);
        PyErr_SetString(PyExc_RuntimeError, "schedule queue full");
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *mp_mem_info(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m, (void)args, (void)nargs;
    char buf[160];
    int n = snprintf(buf, sizeof buf, "stack: 0 out of 65536\nGC: total: %zu, used: %zu, free: %zu\n",
                     vb_heap_size(), vb_heap_alloc(), vb_heap_free());
    PyObject *out = PySys_GetObject("stdout"); /* borrowed */
    if (out && out != Py_None && n > 0 && PyFile_WriteString(buf, out) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *mp_qstr_info(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m, (void)args, (void)nargs;
    PyObject *out = PySys_GetObject("stdout"); /* borrowed */
    if (out && out != Py_None &&
        PyFile_WriteString("qstr pool: n_pool=0, n_qstr=0, n_str_data_bytes=0, n_total_bytes=0\n",
                           out) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* py/modmicropython.c: heap_lock() nests; heap_unlock() returns the depth
 * left. No heap_locked(): v1.24 has it only at ROM level EVERYTHING
 * (MICROPY_PY_MICROPYTHON_HEAP_LOCKED), not on esp32 or rp2. */
static PyObject *mp_heap_lock(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m, (void)args, (void)nargs;
    vb_heap_lock();
    Py_RETURN_NONE;
}

static PyObject *mp_heap_unlock(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m, (void)args, (void)nargs;
    return PyLong_FromUnsignedLong(vb_heap_unlock()); /* a small int: no allocation */
}

static PyObject *mp_zero(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m, (void)args, (void)nargs;
    return PyLong_FromLong(0);
}

static PyObject *mp_none(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m, (void)args, (void)nargs;
    Py_RETURN_NONE;
}

#define FAST(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL
static PyMethodDef mpy_methods[] = {
    {"const", mp_const, METH_O, NULL},
    {"opt_level", FAST(mp_opt_level), NULL},
    {"kbd_intr", mp_kbd_intr, METH_O, NULL},
    {"schedule", FAST(mp_schedule), NULL},
    {"mem_info", FAST(mp_mem_info), NULL},
    {"qstr_info", FAST(mp_qstr_info), NULL},
    {"stack_use", FAST(mp_zero), NULL},
    {"heap_lock", FAST(mp_heap_lock), NULL},
    {"heap_unlock", FAST(mp_heap_unlock), NULL},
    {"alloc_emergency_exception_buf", FAST(mp_none), NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef mpy_def = {
    PyModuleDef_HEAD_INIT, "micropython", "MicroPython runtime controls",
    sizeof(mpy_state), mpy_methods, NULL, NULL, NULL, NULL,
};

PyObject *vb_mod_micropython_create(void)
{
    return PyModule_Create(&mpy_def); /* state zeroed: opt_level 0 */
}

