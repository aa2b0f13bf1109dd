/* _thread (issue 13 §4): MicroPython's API over CPython's threads, written
 * in Python in the board library (src/pylib/_thread.py) and built here, in
 * the zygote, as a module of its own (no __file__: upstream's _thread is
 * built in). It replaces CPython's _thread in sys.modules; the source takes
 * what it needs from CPython's before that. Every thread dies with its VM
 * at a soft reset (the VM process exits). */
#include "engine_int.h"
#include "engine/pylib.h"

/* The host stdlib modules that take names MicroPython's _thread lacks
 * (RLock, ...) from CPython's: loaded before the board's replaces it. */
static const char *const host_users[] = {"functools", "reprlib", NULL};

/* _running(delta): the board is told a thread starts (+1) or ends (-1),
 * so it knows when every thread waits (hal.h threads_running). */
static PyObject *running(PyObject *self, PyObject *arg)
{
    (void)self;
    long d = PyLong_AsLong(arg);
    if (d == -1 && PyErr_Occurred()) return NULL;
    const vb_hal *h = vb_engine_g.hal;
    if (h->threads_running) h->threads_running(h->ctx, d > 0 ? 1 : -1);
    Py_RETURN_NONE;
}

static PyMethodDef running_def = {"_running", running, METH_O, NULL};

PyObject *vb_mod_thread_create(void)
{
    for (size_t i = 0; host_users[i]; i++) {
        PyObject *m = PyImport_ImportModule(host_users[i]);
        if (!m) return NULL;
        Py_DECREF(m);
    }
    const vb_pylib_file *f = vb_pylib_file_named("_thread.py");
    if (!f) {
        PyErr_SetString(PyExc_ImportError, "_thread.py missing from the board library");
        return NULL;
    }
    PyObject *code = Py_CompileStringExFlags(f->source, f->path, Py_file_input, NULL, -1);
    PyObject *mod = code ? PyModule_New("_thread") : NULL;
    PyObject *dict = mod ? PyModule_GetDict(mod) : NULL; /* borrowed */
    PyObject *r = NULL;
    PyObject *fn = dict ? PyCFunction_NewEx(&running_def, NULL, NULL) : NULL;
    if (fn && PyDict_SetItemString(dict, "__builtins__", PyEval_GetBuiltins()) == 0 &&
        PyDict_SetItemString(dict, "_running", fn) == 0)
        r = PyEval_EvalCode(code, dict, dict);
    Py_XDECREF(fn);
    Py_XDECREF(code);
    /* dir(_thread) as upstream's: the API and __name__ (functions keep
     * the builtins they were made with) */
    static const char *const scaffolding[] = {"__builtins__", "__doc__", "__loader__", "__package__",
                                              "__spec__", "_running", NULL};
    for (size_t i = 0; r && scaffolding[i]; i++)
        if (PyDict_DelItemString(dict, scaffolding[i]) < 0) PyErr_Clear();
    if (!r) {
        Py_XDECREF(mod);
        return NULL;
    }
    Py_DECREF(r);
    return mod;
}
