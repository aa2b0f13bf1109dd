/* The board's additions to CPython's sys (repl.md §1.4, §2.4, §7):
 * the port's platform ('vboard' where it shows vboard's identity), a
 * MicroPython-shaped implementation record,
 * print_exception, and a display hook that prints repr without storing `_`. */
#include "engine_int.h"

/* sys.print_exception(exc, file=sys.stdout, /) */
static PyObject *sys_print_exception(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs < 1 || nargs > 2) {
        PyErr_SetString(PyExc_TypeError, "print_exception(exc, file=sys.stdout, /)");
        return NULL;
    }
    if (!PyExceptionInstance_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "print_exception() needs an exception instance");
        return NULL;
    }
    PyObject *file = nargs == 2 ? args[1] : PySys_GetObject("stdout"); /* borrowed */
    if (!file || file == Py_None) Py_RETURN_NONE;
    Py_INCREF(file); /* write() may rebind sys.stdout */
    int rc = vb_exc_print_to(args[0], file);
    Py_DECREF(file);
    if (rc < 0) return NULL;
    Py_RETURN_NONE;
}

/* sys.displayhook: repr + newline to sys.stdout; None shows nothing;
 * MicroPython keeps no `_`. */
static PyObject *sys_displayhook(PyObject *self, PyObject *value)
{
    (void)self;
    if (value == Py_None) Py_RETURN_NONE;
    PyObject *out = PySys_GetObject("stdout"); /* borrowed */
    if (!out || out == Py_None) Py_RETURN_NONE;
    Py_INCREF(out);
    int rc = PyFile_WriteObject(value, out, 0);
    if (rc == 0) rc = PyFile_WriteString("\n", out);
    Py_DECREF(out);
    if (rc < 0) return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef sys_methods[] = {
    {"print_exception", (PyCFunction)(void (*)(void))sys_print_exception, METH_FASTCALL, NULL},
    {"displayhook", sys_displayhook, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

/* name 'micropython', version (1, 24, 1, ''), _machine. No _mpy, on
 * purpose. The real firmware reports MPY_FILE_HEADER_INT: .mpy version 6,
 * sub-version 3 (v1.23 on) in bits 8-9, the native arch in bits 10-13 --
 * esp32 xtensawin (10): 0x2b06 = 11014, rp2 armv6m (4): 0x1306 = 4870.
 * Given that, mip (mpremote's and the on-board one) fetches precompiled
 * .mpy files, which vboard cannot import; without _mpy it installs the
 * sources ("py"), which run. repl.md §7's platform probe reads arch None
 * from the same absence. No _build (the probe then reads 'unknown').
 * cache_tag None keeps CPython's importlib from caching bytecode. */
/* As py/objattrtuple.c prints it: (name='micropython', version=(...),
 * _machine='...'), without the fields CPython's import system needs. */
static PyObject *implementation_repr(PyObject *self)
{
    PyObject *name = PyObject_GetAttrString(self, "name");
    PyObject *version = name ? PyObject_GetAttrString(self, "version") : NULL;
    PyObject *machine = version ? PyObject_GetAttrString(self, "_machine") : NULL;
    PyObject *r = machine ? PyUnicode_FromFormat("(name=%R, version=%R, _machine=%R)", name, version, machine)
                          : NULL;
    Py_XDECREF(name);
    Py_XDECREF(version);
    Py_XDECREF(machine);
    return r;
}

static PyType_Slot implementation_slots[] = {{Py_tp_repr, (void *)implementation_repr}, {0, NULL}};
static PyType_Spec implementation_spec = {"implementation", 0, 0, Py_TPFLAGS_DEFAULT, implementation_slots};

static PyObject *make_implementation(void)
{
    PyObject *types = PyImport_ImportModule("types");
    PyObject *base = types ? PyObject_GetAttrString(types, "SimpleNamespace") : NULL;
    Py_XDECREF(types);
    PyObject *ns_type = base ? PyType_FromSpecWithBases(&implementation_spec, base) : NULL;
    Py_XDECREF(base);
    if (!ns_type) return NULL;
    PyObject *kw = Py_BuildValue(
        "{s:s, s:(iiis), s:s, s:O}", "name", "micropython", "version", VB_ENGINE_VERSION_MAJOR,
        VB_ENGINE_VERSION_MINOR, VB_ENGINE_VERSION_MICRO, "", "_machine", "", "cache_tag", Py_None);
    const vb_port_ident *id = &vb_engine_g.port->ident;
    PyObject *machine = PyUnicode_FromFormat("%s with %s", id->board, id->mcu);
    PyObject *ns = NULL;
    if (kw && machine && PyDict_SetItemString(kw, "_machine", machine) == 0) {
        PyObject *noargs = PyTuple_New(0);
        if (noargs) ns = PyObject_Call(ns_type, noargs, kw);
        Py_XDECREF(noargs);
    }
    Py_XDECREF(machine);
    Py_XDECREF(kw);
    Py_DECREF(ns_type);
    return ns;
}

/* CPython's names a board's sys has not (v1.24's esp32/rp2 and Pycom lack
 * tracing, profiling and the host's paths and internals), taken out so
 * code that probes for a feature (run-tests.py's `sys.settrace` check)
 * sees the board. Only names nothing of the engine or the stdlib modules
 * it serves reads; the import system's (meta_path, path_hooks, ...) and
 * displayhook stay, and pycache_prefix, which importlib reads. */
static const char *const cpython_only[] = {
    "settrace", "setprofile", "gettrace", "getprofile", "call_tracing",
    "setswitchinterval", "getswitchinterval", "setdlopenflags", "getdlopenflags",
    "getallocatedblocks", "getrefcount", "getsizeof", "is_finalizing",
    "get_coroutine_origin_tracking_depth", "set_coroutine_origin_tracking_depth",
    "get_asyncgen_hooks", "set_asyncgen_hooks", "get_int_max_str_digits",
    "set_int_max_str_digits", "addaudithook", "breakpointhook",
    "executable", "prefix", "exec_prefix", "base_prefix", "base_exec_prefix",
    "platlibdir", "orig_argv", "abiflags", "copyright", "api_version",
};

int vb_mod_sys_extend(void)
{
    PyObject *sys = PyImport_ImportModule("sys");
    if (!sys) return -1;
    int rc = 0;
    for (PyMethodDef *m = sys_methods; m->ml_name && rc == 0; m++) {
        PyObject *f = PyCFunction_NewEx(m, NULL, NULL);
        rc = f ? PyObject_SetAttrString(sys, m->ml_name, f) : -1;
        Py_XDECREF(f);
    }
    PyObject *dict = PyModule_GetDict(sys); /* borrowed */
    for (size_t i = 0; rc == 0 && i < sizeof cpython_only / sizeof cpython_only[0]; i++)
        if (PyDict_DelItemString(dict, cpython_only[i]) < 0) PyErr_Clear(); /* absent already */
    PyObject *impl = rc == 0 ? make_implementation() : NULL;
    const vb_port_ident *id = &vb_engine_g.port->ident;
    PyObject *platform = PyUnicode_FromString(id->platform);
    /* py/modsys.c: the Python language version MicroPython implements,
     * then the firmware's; sys.version_info stays CPython's (the host
     * stdlib behind json, re, ... reads it) */
    PyObject *version = PyUnicode_FromFormat("3.4.0; MicroPython %s on %s", VB_ENGINE_VERSION,
                                             id->build_date);
    if (!impl || !platform || !version || PyObject_SetAttrString(sys, "implementation", impl) < 0 ||
        PyObject_SetAttrString(sys, "platform", platform) < 0 ||
        PyObject_SetAttrString(sys, "version", version) < 0)
        rc = -1;
    Py_XDECREF(impl);
    Py_XDECREF(platform);
    Py_XDECREF(version);
    Py_DECREF(sys);
    return rc;
}
