/* Frozen modules of the firmware image (boot.md §3.1, §6): importable by
 * name, compiled from their source at import, and runnable as a script in
 * __main__ (the firmware's _boot step).
 *
 * Search order, per port (vb_port.frozen_entry): MicroPython 1.24 (esp32,
 * rp2) finds them at the
 * '.frozen' entry of sys.path, which comes second, after '' (so a file in
 * the cwd wins over a frozen module of the same name, one in /lib loses);
 * Pycom 1.20 (MicroPython 1.11) has no '.frozen' entry and looks in the
 * frozen table first at the '' entry, before that entry's files. One
 * meta-path finder, placed ahead of the board finder, walks sys.path in
 * order: at the frozen entry it answers itself; at any entry before it, it
 * asks the finders after it on sys.meta_path about that one entry, so
 * that files earlier on sys.path still win. Taking the frozen entry off
 * sys.path hides frozen modules, as upstream.
 *
 * The board library (pylib.h: asyncio, ...) is frozen into the firmware
 * upstream, so it is served here too, after the image's own modules, in
 * the same place of the search order: on esp32/rp2 a user's /asyncio.py
 * wins over the board's asyncio, one in /lib loses. Its packages work
 * (asyncio/__init__.py, asyncio/core.py): a package's submodule search
 * location is ".frozen/<package>", as upstream names it.
 *
 * __file__ and traceback file names are "<name>.py" for the image's
 * modules, as upstream sets them for frozen modules, and the path in the
 * library for the board library's ("asyncio/core.py", as upstream's
 * tracebacks show them). The image's modules are top-level ones only. */
#include "engine_int.h"
#include "engine/pylib.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    PyObject_HEAD
} frozen_finder;

const vb_frozen_module *vb_frozen_find(const char *name)
{
    for (size_t i = 0; name && i < vb_engine_g.n_frozen; i++) {
        const vb_frozen_module *m = &vb_engine_g.frozen[i];
        if (m->name && strcmp(m->name, name) == 0) return m;
    }
    return NULL;
}

/* The sys.path entry where the port searches its frozen modules. */
static const char *frozen_entry(void)
{
    return vb_engine_g.port->frozen_entry;
}

/* The file name upstream gives a frozen module: "<name>.py". */
static void frozen_filename(const vb_frozen_module *m, char *buf, size_t len)
{
    snprintf(buf, len, "%s.py", m->name);
}

/* Where a frozen package's submodules are found (its __path__ entry). */
#define PKG_LOCATION_PREFIX ".frozen/"

/* One frozen module found by name: the image's, or the board library's. */
typedef struct frozen_src {
    const vb_frozen_module *image;  /* the image's module, or NULL */
    const vb_pylib_file *lib;       /* else the board library's file */
    bool pkg;                       /* lib is a package's __init__.py */
    char filename[160];             /* __file__ and traceback name */
} frozen_src;

static bool frozen_lookup(const char *fullname, frozen_src *out)
{
    out->pkg = false;
    out->image = strchr(fullname, '.') ? NULL : vb_frozen_find(fullname);
    out->lib = out->image ? NULL : vb_pylib_module(fullname, &out->pkg);
    if (out->image) frozen_filename(out->image, out->filename, sizeof out->filename);
    else if (out->lib) snprintf(out->filename, sizeof out->filename, "%s", out->lib->path);
    return out->image || out->lib;
}

static bool have_frozen(void) { return vb_engine_g.n_frozen || vb_pylib_any_offered(); }

/* ModuleSpec(name, finder, origin=file) with a location, so the import
 * system sets __file__; a package's with its search location (new
 * reference). */
static PyObject *make_spec(PyObject *fullname, PyObject *self, const frozen_src *m)
{
    PyObject *bootstrap = PyImport_ImportModule("_frozen_importlib");
    PyObject *cls = bootstrap ? PyObject_GetAttrString(bootstrap, "ModuleSpec") : NULL;
    PyObject *args = cls ? Py_BuildValue("(OO)", fullname, self) : NULL;
    PyObject *origin = args ? PyUnicode_FromString(m->filename) : NULL;
    PyObject *kw = origin ? Py_BuildValue("{sO}", "origin", origin) : NULL;
    PyObject *spec = kw ? PyObject_Call(cls, args, kw) : NULL;
    if (spec && PyObject_SetAttrString(spec, "has_location", Py_True) < 0) Py_CLEAR(spec);
    if (spec && m->pkg) {
        /* "asyncio/__init__.py" -> ".frozen/asyncio" */
        size_t dir = strlen(m->lib->path) - strlen("/__init__.py");
        PyObject *locs = Py_BuildValue("[N]", PyUnicode_FromFormat(PKG_LOCATION_PREFIX "%.*s", (int)dir, m->lib->path));
        if (!locs || PyObject_SetAttrString(spec, "submodule_search_locations", locs) < 0) Py_CLEAR(spec);
        Py_XDECREF(locs);
    }
    Py_XDECREF(kw);
    Py_XDECREF(origin);
    Py_XDECREF(args);
    Py_XDECREF(cls);
    Py_XDECREF(bootstrap);
    return spec;
}

/* Asks the meta-path finders after self for fullname in the one search
 * entry `entry`: their spec, None, or NULL with an exception. */
static PyObject *ask_later_finders(PyObject *self, PyObject *fullname, PyObject *entry)
{
    PyObject *meta = PySys_GetObject("meta_path"); /* borrowed */
    PyObject *seq = meta ? PySequence_Fast(meta, "sys.meta_path must be a list") : NULL;
    if (!seq) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    PyObject *path = PyList_New(1);
    if (!path) {
        Py_DECREF(seq);
        return NULL;
    }
    PyList_SET_ITEM(path, 0, Py_NewRef(entry));
    PyObject *res = NULL;
    bool after = false;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *f = PySequence_Fast_GET_ITEM(seq, i);
        if (f == self) {
            after = true;
            continue;
        }
        if (!after || !PyObject_HasAttrString(f, "find_spec")) continue;
        res = PyObject_CallMethod(f, "find_spec", "OO", fullname, path);
        if (!res) break;
        if (res != Py_None) break;
        Py_CLEAR(res);
    }
    Py_DECREF(path);
    Py_DECREF(seq);
    if (!res && !PyErr_Occurred()) Py_RETURN_NONE;
    return res;
}

/* A submodule of a frozen package: found when the package's search path
 * still holds a frozen location (device code may have changed __path__). */
static PyObject *submodule_spec(PyObject *self, PyObject *fullname, PyObject *path, const frozen_src *m)
{
    PyObject *seq = PySequence_Fast(path, "__path__ must be a list");
    if (!seq) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    bool frozen = false;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq) && !frozen; i++) {
        PyObject *e = PySequence_Fast_GET_ITEM(seq, i);
        const char *s = PyUnicode_Check(e) ? PyUnicode_AsUTF8(e) : NULL;
        if (!s) PyErr_Clear();
        frozen = s && strncmp(s, PKG_LOCATION_PREFIX, strlen(PKG_LOCATION_PREFIX)) == 0;
    }
    Py_DECREF(seq);
    if (!frozen) Py_RETURN_NONE;
    return make_spec(fullname, self, m);
}

static PyObject *finder_find_spec(PyObject *self, PyObject *args)
{
    PyObject *fullname, *path = Py_None, *target = Py_None;
    if (!PyArg_ParseTuple(args, "U|OO:find_spec", &fullname, &path, &target)) return NULL;
    const char *name = PyUnicode_AsUTF8(fullname);
    if (!name) return NULL;
    frozen_src m;
    if (!frozen_lookup(name, &m)) Py_RETURN_NONE;
    if (path != Py_None) return submodule_spec(self, fullname, path, &m);
    PyObject *sys_path = PySys_GetObject("path"); /* borrowed */
    PyObject *seq = sys_path ? PySequence_Fast(sys_path, "sys.path must be a list") : NULL;
    if (!seq) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    const char *mine = frozen_entry();
    PyObject *res = NULL;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq) && !res; i++) {
        PyObject *e = PySequence_Fast_GET_ITEM(seq, i);
        const char *s = PyUnicode_Check(e) ? PyUnicode_AsUTF8(e) : NULL;
        if (!s) {
            PyErr_Clear();
            continue; /* a non-str entry: skipped, as CPython does */
        }
        if (strcmp(s, mine) == 0) {
            res = make_spec(fullname, self, &m);
            if (!res) break;
        } else {
            res = ask_later_finders(self, fullname, e);
            if (!res) break;
            if (res == Py_None) Py_CLEAR(res);
        }
    }
    Py_DECREF(seq);
    if (!res && !PyErr_Occurred()) Py_RETURN_NONE;
    return res;
}

static PyObject *finder_create_module(PyObject *self, PyObject *spec)
{
    (void)self, (void)spec;
    Py_RETURN_NONE; /* the default module object */
}

static PyObject *finder_exec_module(PyObject *self, PyObject *module)
{
    (void)self;
    PyObject *spec = PyObject_GetAttrString(module, "__spec__");
    PyObject *name = spec ? PyObject_GetAttrString(spec, "name") : NULL;
    Py_XDECREF(spec);
    const char *n = name && PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
    frozen_src m;
    bool found = n && frozen_lookup(n, &m);
    Py_XDECREF(name);
    if (!found) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ImportError, "frozen module vanished");
        return NULL;
    }
    PyObject *code = m.lib ? vb_pylib_code(m.lib)
                           : vb_engine_compile(m.image->source, m.image->len, m.filename, VB_EXEC_MODULE);
    PyObject *dict = code ? PyModule_GetDict(module) : NULL; /* borrowed */
    PyObject *r = dict ? PyEval_EvalCode(code, dict, dict) : NULL;
    Py_XDECREF(code);
    if (!r) return NULL;
    Py_DECREF(r);
    Py_RETURN_NONE;
}

static PyObject *finder_repr(PyObject *self)
{
    (void)self;
    return PyUnicode_FromString("<FrozenFinder>");
}

static PyMethodDef finder_methods[] = {
    {"find_spec", finder_find_spec, METH_VARARGS, NULL},
    {"create_module", finder_create_module, METH_O, NULL},
    {"exec_module", finder_exec_module, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot finder_slots[] = {
    {Py_tp_methods, finder_methods},
    {Py_tp_repr, (void *)finder_repr},
    {0, NULL},
};

int vb_frozen_init(void)
{
    if (!have_frozen()) return 0;
    PyType_Spec spec = {"FrozenFinder", sizeof(frozen_finder), 0,
                        Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, finder_slots};
    PyObject *type = PyType_FromSpec(&spec);
    PyObject *finder = type ? (PyObject *)PyObject_New(frozen_finder, (PyTypeObject *)type) : NULL;
    Py_XDECREF(type); /* the instance keeps its heap type alive */
    if (!finder) return -1;
    /* Before CPython's PathFinder, which vb_pyfs_install later replaces by
     * the board finder (appended, so after this one). */
    PyObject *meta = PySys_GetObject("meta_path"); /* borrowed */
    int rc = -1;
    if (meta && PyList_Check(meta)) {
        Py_ssize_t at = PyList_GET_SIZE(meta);
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(meta); i++) {
            PyObject *n = PyObject_GetAttrString(PyList_GET_ITEM(meta, i), "__name__");
            bool pf = n && PyUnicode_Check(n) && PyUnicode_CompareWithASCIIString(n, "PathFinder") == 0;
            Py_XDECREF(n);
            PyErr_Clear();
            if (pf) {
                at = i;
                break;
            }
        }
        rc = PyList_Insert(meta, at, finder);
    } else {
        PyErr_SetString(PyExc_RuntimeError, "sys.meta_path is not a list");
    }
    Py_DECREF(finder);
    return rc;
}

void vb_frozen_complete_path(void)
{
    /* an entry of its own; Pycom's is '' itself, there already */
    if (!have_frozen() || !*frozen_entry()) return;
    PyObject *path = PySys_GetObject("path"); /* borrowed */
    if (!path || !PyList_Check(path)) return;
    PyObject *entry = PyUnicode_FromString(frozen_entry());
    int has = entry ? PySequence_Contains(path, entry) : -1;
    if (has == 0) {
        /* Right after '' (MicroPython: sys.path[0] stays the script's dir). */
        Py_ssize_t at = 0;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(path); i++) {
            PyObject *e = PyList_GET_ITEM(path, i);
            if (PyUnicode_Check(e) && PyUnicode_GetLength(e) == 0) {
                at = i + 1;
                break;
            }
        }
        (void)PyList_Insert(path, at, entry);
    }
    Py_XDECREF(entry);
    PyErr_Clear(); /* best effort: without it frozen modules are not found */
}

int vb_engine_run_frozen(const char *name)
{
    const vb_frozen_module *m = vb_frozen_find(name);
    if (!m) return -1;
    char filename[128];
    frozen_filename(m, filename, sizeof filename);
    /* Ctrl-C stays disabled (never armed), as upstream runs _boot.py. */
    return (int)vb_engine_run_unit(m->source, m->len, filename, VB_EXEC_MODULE, false);
}
