/* _thread (issue 13 §4): MicroPython's API over CPython's threads, written
 * in Python in the board library (src/pylib/_thread.py) and built here, in
 * the zygote, as a module of its own (no __file__: upstream's _thread is
 * built in). It replaces CPython's _thread in sys.modules; the source takes
 * what it needs from CPython's before that, and hands CPython's stdlib the
 * one name it imports from _thread that MicroPython's lacks (RLock). Every thread dies with its VM
 * at a soft reset (the VM process exits). */
#include "engine_int.h"
#include "engine/pylib.h"

/* CPython's RLock, which its stdlib (functools) imports from _thread and
 * MicroPython's _thread lacks: served by the module's type only, so
 * dir(_thread) and device code's attribute errors stay upstream's. Why
 * global: one per process, set once by the zygote. */
static PyObject *host_rlock;

static PyObject *thread_getattro(PyObject *self, PyObject *name)
{
    PyObject *r = PyModule_Type.tp_getattro(self, name);
    if (!r && host_rlock && PyErr_ExceptionMatches(PyExc_AttributeError) && PyUnicode_Check(name) &&
        PyUnicode_CompareWithASCIIString(name, "RLock") == 0) {
        PyErr_Clear();
        r = Py_NewRef(host_rlock);
    }
    return r;
}

/* The module's type: a module whose failed lookups of RLock find CPython's. */
static int dress_module(PyObject *mod)
{
    PyObject *cp = PyImport_ImportModule("_thread"); /* CPython's, still in sys.modules */
    host_rlock = cp ? PyObject_GetAttrString(cp, "RLock") : NULL;
    Py_XDECREF(cp);
    if (!host_rlock) return -1;
    /* the module's own traverse and clear (the type lives as long as the
     * process: it need not be visited) */
    PyType_Slot slots[] = {{Py_tp_getattro, (void *)thread_getattro},
                           {Py_tp_traverse, (void *)PyModule_Type.tp_traverse},
                           {Py_tp_clear, (void *)PyModule_Type.tp_clear},
                           {0, NULL}};
    PyType_Spec spec = {"module", 0, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, slots};
    PyObject *type = PyType_FromSpecWithBases(&spec, (PyObject *)&PyModule_Type);
    int rc = type ? PyObject_SetAttrString(mod, "__class__", type) : -1;
    Py_XDECREF(type);
    return rc;
}

/* _event(n): tells the board what a thread does (hal.h thread_event:
 * 0 start, 1 end, 2 blocked on a lock, 3 unblocked). */
static PyObject *thread_event(PyObject *self, PyObject *arg)
{
    (void)self;
    long ev = PyLong_AsLong(arg);
    if (ev == -1 && PyErr_Occurred()) return NULL;
    const vb_hal *h = vb_engine_g.hal;
    if (ev >= VB_THREAD_START && ev <= VB_THREAD_UNBLOCK && h->thread_event)
        h->thread_event(h->ctx, (vb_thread_event)ev);
    Py_RETURN_NONE;
}

static PyMethodDef event_def = {"_event", thread_event, METH_O, NULL};

PyObject *vb_mod_thread_create(void)
{
    const vb_pylib_file *f = vb_pylib_file_named("_thread.py");
    if (!f) {
        PyErr_SetString(PyExc_ImportError, "_thread.py missing from the board library");
        return NULL;
    }
    /* frames named as CPython's own frozen code: reports hide them (engine_exc.c) */
    PyObject *code = Py_CompileStringExFlags(f->source, "<frozen _thread>", Py_file_input, NULL, -1);
    PyObject *mod = code ? PyModule_New("_thread") : NULL;
    PyObject *dict = mod ? PyModule_GetDict(mod) : NULL; /* borrowed */
    PyObject *r = NULL;
    PyObject *fn = dict ? PyCFunction_NewEx(&event_def, NULL, NULL) : NULL;
    if (fn && PyDict_SetItemString(dict, "__builtins__", PyEval_GetBuiltins()) == 0 &&
        PyDict_SetItemString(dict, "_event", fn) == 0)
        r = PyEval_EvalCode(code, dict, dict);
    Py_XDECREF(fn);
    Py_XDECREF(code);
    /* dir(_thread) as upstream's: the API and __name__ (functions keep
     * the builtins they were made with) */
    static const char *const scaffolding[] = {"__builtins__", "__doc__", "__loader__", "__package__",
                                              "__spec__", "_event", NULL};
    for (size_t i = 0; r && scaffolding[i]; i++)
        if (PyDict_DelItemString(dict, scaffolding[i]) < 0) PyErr_Clear();
    if (!r || dress_module(mod) < 0) {
        Py_XDECREF(r);
        Py_XDECREF(mod);
        return NULL;
    }
    Py_DECREF(r);
    return mod;
}
