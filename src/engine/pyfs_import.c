/* Imports from the board volume and mounted VFS objects: a meta-path finder
 * that looks for name/__init__.py and name.py in the sys.path entries
 * ('' = the cwd), and loads them with compile warnings silenced. CPython's
 * PathFinder is taken off sys.meta_path so no import can reach the host
 * filesystem. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pyfs_int.h"
#include "engine/engine_heap.h"

typedef struct {
    PyObject_HEAD
} finder_obj;

/* Look for `name` in one search entry; the board path found is what
 * __file__ shows: relative for '', as given otherwise (as MicroPython).
 * A spec, None (not here), or NULL with an exception (a Ctrl-C during a
 * VFS object's stat). */
static PyObject *find_in(pyfs_state *st, PyObject *fullname, const char *entry,
                         const char *name, PyObject *self)
{
    char base[PYFS_PATH_MAX], file[PYFS_PATH_MAX + 16];
    int n = entry[0] ? snprintf(base, sizeof base, "%s%s%s", entry,
                                entry[strlen(entry) - 1] == '/' ? "" : "/", name)
                     : snprintf(base, sizeof base, "%s", name);
    if (n < 0 || (size_t)n >= sizeof base) return Py_NewRef(Py_None);
    /* As MicroPython's builtinimport.c: a directory wins over name.py and
     * is a package, with its __init__.py or, without one, a namespace
     * package (no code, no __file__; its submodules are found below it). */
    bool pkg = false, ns = false;
    snprintf(file, sizeof file, "%s/__init__.py", base);
    int k = pyfs_kind(st, base), kf = k == 1 ? pyfs_kind(st, file) : -1;
    if (k == -2 || kf == -2) return NULL;
    if (k == 1) {
        pkg = true;
        ns = kf != 0;
    } else {
        snprintf(file, sizeof file, "%s.py", base);
        if ((k = pyfs_kind(st, file)) != 0) return k == -2 ? NULL : Py_NewRef(Py_None);
    }
    /* ModuleSpec(name, loader, origin=file): origin is keyword-only; a
     * namespace package has no origin (exec_module then runs nothing) */
    PyObject *bootstrap = PyImport_ImportModule("_frozen_importlib");
    PyObject *cls = bootstrap ? PyObject_GetAttrString(bootstrap, "ModuleSpec") : NULL;
    PyObject *args = cls ? Py_BuildValue("(OO)", fullname, self) : NULL;
    PyObject *kw = !args ? NULL
                 : ns    ? Py_BuildValue("{sO}", "is_package", Py_True)
                         : Py_BuildValue("{ss}", "origin", file);
    PyObject *spec = kw ? PyObject_Call(cls, args, kw) : NULL;
    Py_XDECREF(kw);
    Py_XDECREF(args);
    Py_XDECREF(cls);
    Py_XDECREF(bootstrap);
    /* a file's spec has a location: __file__ set from origin, and repr()
     * is MicroPython's <module 'name' from 'file'> */
    if (spec && !ns && PyObject_SetAttrString(spec, "has_location", Py_True) < 0) Py_CLEAR(spec);
    if (spec && pkg) {
        PyObject *locs = Py_BuildValue("[s]", base);
        if (!locs || PyObject_SetAttrString(spec, "submodule_search_locations", locs) < 0)
            Py_CLEAR(spec);
        Py_XDECREF(locs);
    }
    return spec ? spec : (PyErr_Occurred() ? NULL : Py_NewRef(Py_None));
}

static PyObject *finder_find_spec(PyObject *self, PyObject *args)
{
    PyObject *fullname, *path = Py_None, *target = Py_None;
    if (!PyArg_ParseTuple(args, "U|OO:find_spec", &fullname, &path, &target)) return NULL;
    pyfs_state *st = pyfs_state_of(self);
    const char *full = PyUnicode_AsUTF8(fullname);
    if (!full) return NULL;
    const char *dot = strrchr(full, '.');
    const char *name = dot ? dot + 1 : full;
    PyObject *entries = path == Py_None ? PySys_GetObject("path") : path;
    PyObject *seq = entries ? PySequence_Fast(entries, "search path must be a list") : NULL;
    if (!seq) {
        if (!PyErr_Occurred()) Py_RETURN_NONE;      /* no sys.path at all */
        return NULL;
    }
    PyObject *res = NULL;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq) && !res; i++) {
        PyObject *e = PySequence_Fast_GET_ITEM(seq, i);
        const char *entry = PyUnicode_Check(e) ? PyUnicode_AsUTF8(e) : NULL;
        if (!entry) {
            PyErr_Clear();
            continue;                  /* a non-str entry: skip, as CPython */
        }
        res = find_in(st, fullname, entry, name, self);
        if (res == Py_None) Py_CLEAR(res);
        else if (!res && PyErr_Occurred()) break;
    }
    Py_DECREF(seq);
    if (!res && !PyErr_Occurred()) Py_RETURN_NONE;
    return res;
}

static PyObject *finder_create_module(PyObject *self, PyObject *spec)
{
    (void)self;
    (void)spec;
    Py_RETURN_NONE;                    /* the default module object */
}

static PyObject *finder_exec_module(PyObject *self, PyObject *module)
{
    pyfs_state *st = pyfs_state_of(self);
    PyObject *spec = PyObject_GetAttrString(module, "__spec__");
    PyObject *origin = spec ? PyObject_GetAttrString(spec, "origin") : NULL;
    Py_XDECREF(spec);
    if (!origin) return NULL;
    if (origin == Py_None) {
        /* a namespace package: no code; without a loader its repr is
         * MicroPython's <module 'name'> */
        Py_DECREF(origin);
        PyObject *sp = PyObject_GetAttrString(module, "__spec__");
        int rc = sp ? PyObject_SetAttrString(sp, "loader", Py_None) : -1;
        Py_XDECREF(sp);
        if (rc < 0) return NULL;
        Py_RETURN_NONE;
    }
    const char *path = PyUnicode_AsUTF8(origin);
    PyObject *res = NULL;
    char *src = NULL;
    size_t len = 0;
    if (path) {
        int rc = PyObject_SetAttrString(module, "__file__", origin);
        if (rc == 0) rc = pyfs_load_source(st, path, &src, &len);
        if (rc == 0) {
            PyObject *code = vb_pyfs_compile(src, len, path, Py_file_input);
            PyObject *dict = PyModule_GetDict(module);   /* borrowed */
            if (code && dict) res = PyEval_EvalCode(code, dict, dict);
            Py_XDECREF(code);
        }
    }
    free(src);
    Py_DECREF(origin);
    if (!res) return NULL;
    Py_DECREF(res);
    Py_RETURN_NONE;
}

static PyMethodDef finder_methods[] = {
    {"find_spec", finder_find_spec, METH_VARARGS, NULL},
    {"create_module", finder_create_module, METH_O, NULL},
    {"exec_module", finder_exec_module, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyObject *finder_repr(PyObject *self)
{
    (void)self;
    return PyUnicode_FromString("<BoardFinder>");
}

static PyType_Slot finder_slots[] = {
    {Py_tp_methods, finder_methods},
    {Py_tp_repr, (void *)finder_repr},
    {0, NULL},
};

/* Insert (or remove) "ignore" filters for the compile-time warnings at the
 * front of the warnings filter list. */
static PyObject *quiet_filters(void)
{
    PyObject *w = PyImport_ImportModule("_warnings");
    PyObject *filters = w ? PyObject_GetAttrString(w, "filters") : NULL;
    PyObject *mine = PyList_New(0);
    PyObject *cats[2] = {PyExc_SyntaxWarning, PyExc_DeprecationWarning};
    for (int i = 0; mine && filters && i < 2; i++) {
        PyObject *t = Py_BuildValue("(sOOOi)", "ignore", Py_None, cats[i], Py_None, 0);
        if (!t || PyList_Append(mine, t) < 0 || PyList_Insert(filters, 0, t) < 0) Py_CLEAR(mine);
        Py_XDECREF(t);
    }
    if (mine) {
        PyObject *r = PyObject_CallMethod(w, "_filters_mutated", NULL);
        if (!r) Py_CLEAR(mine);
        Py_XDECREF(r);
    }
    Py_XDECREF(filters);
    Py_XDECREF(w);
    return mine;
}

static void restore_filters(PyObject *mine)
{
    PyObject *exc_type, *exc, *tb;
    PyErr_Fetch(&exc_type, &exc, &tb);          /* keep a SyntaxError */
    PyObject *w = PyImport_ImportModule("_warnings");
    PyObject *filters = w ? PyObject_GetAttrString(w, "filters") : NULL;
    if (filters && PyList_Check(filters)) {
        for (Py_ssize_t i = PyList_GET_SIZE(filters) - 1; i >= 0; i--) {
            PyObject *item = PyList_GET_ITEM(filters, i);
            for (Py_ssize_t j = 0; j < PyList_GET_SIZE(mine); j++)
                if (item == PyList_GET_ITEM(mine, j)) {
                    PySequence_DelItem(filters, i);
                    break;
                }
        }
        PyObject *r = PyObject_CallMethod(w, "_filters_mutated", NULL);
        Py_XDECREF(r);
    }
    PyErr_Clear();
    Py_XDECREF(filters);
    Py_XDECREF(w);
    PyErr_Restore(exc_type, exc, tb);
}

PyObject *vb_pyfs_compile(const char *src, size_t len, const char *filename, int start)
{
    if (memchr(src, 0, len))
        return PyErr_Format(PyExc_ValueError, "source code string cannot contain null bytes");
    char *copy = malloc(len + 1);      /* the compiler wants a C string */
    if (!copy) return PyErr_NoMemory();
    memcpy(copy, src, len);
    copy[len] = '\0';
    vb_heap_quiet(true); /* the compiler's work; its code is charged below */
    PyObject *code = NULL, *mine = quiet_filters();
    if (mine) {
        code = vb_mpcompile(copy, filename, start);
        restore_filters(mine);
        Py_DECREF(mine);
    }
    vb_heap_quiet(false);
    free(copy);
    return vb_heap_charge_code(code);
}

/* Off with CPython's PathFinder (it would search '' and '/lib' on the host),
 * on with the board finder. */
static int replace_finders(PyObject *finder)
{
    PyObject *meta = PySys_GetObject("meta_path");     /* borrowed */
    if (!meta || !PyList_Check(meta)) {
        PyErr_SetString(PyExc_RuntimeError, "sys.meta_path is not a list");
        return -1;
    }
    for (Py_ssize_t i = PyList_GET_SIZE(meta) - 1; i >= 0; i--) {
        PyObject *name = PyObject_GetAttrString(PyList_GET_ITEM(meta, i), "__name__");
        if (!name) {
            PyErr_Clear();
            continue;
        }
        int is_pf = PyUnicode_Check(name) && PyUnicode_CompareWithASCIIString(name, "PathFinder") == 0;
        Py_DECREF(name);
        if (is_pf && PySequence_DelItem(meta, i) < 0) return -1;
    }
    PyObject *cache = PySys_GetObject("path_importer_cache");
    if (cache && PyDict_Check(cache)) PyDict_Clear(cache);
    return PyList_Append(meta, finder);
}

int pyfs_import_init(PyObject *module, pyfs_state *st, const char *const *sys_path)
{
    PyType_Spec spec = {"BoardFinder", sizeof(finder_obj), 0,
                        Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, finder_slots};
    st->finder_type = PyType_FromModuleAndSpec(module, &spec, NULL);
    if (!st->finder_type) return -1;
    PyObject *finder = (PyObject *)PyObject_New(finder_obj, (PyTypeObject *)st->finder_type);
    if (!finder) return -1;
    PyObject *path = PyList_New(0);
    for (size_t i = 0; path && sys_path[i]; i++) {
        PyObject *e = PyUnicode_FromString(sys_path[i]);
        if (!e || PyList_Append(path, e) < 0) Py_CLEAR(path);
        Py_XDECREF(e);
    }
    int rc = -1;
    if (path && PySys_SetObject("path", path) == 0 && replace_finders(finder) == 0) rc = 0;
    Py_XDECREF(path);
    Py_DECREF(finder);
    return rc;
}
