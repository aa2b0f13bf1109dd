/* Tab completion candidates for the REPL (repl.md §2.9): the REPL finds the
 * dotted name and does the matching and listing; this file names the
 * attributes of the object the complete components resolve to, or the
 * modules an `import` can name. Completion runs between statements and may
 * call user code (__dir__, __getattr__): any exception is swallowed. */
#include "engine_int.h"

#include <string.h>

#include "repl/repl.h"

/* Built-in CPython modules not offered to device code: host access or
 * interpreter internals (names starting with "_" are skipped as well). */
static const char *const hidden_builtins[] = {
    "atexit", "faulthandler", "fcntl", "grp", "marshal", "posix", "pwd", "pyexpat",
    "spwd", "syslog", "xxsubtype", NULL,
};

static bool hidden(const char *name)
{
    if (name[0] == '_') return true;
    for (size_t i = 0; hidden_builtins[i]; i++)
        if (strcmp(name, hidden_builtins[i]) == 0) return true;
    return false;
}

static void offer(struct vb_repl *r, PyObject *name)
{
    Py_ssize_t n;
    const char *s = PyUnicode_Check(name) ? PyUnicode_AsUTF8AndSize(name, &n) : NULL;
    if (s) vb_repl_candidate(r, s, (size_t)n);
    else PyErr_Clear();
}

static void offer_modules(struct vb_repl *r)
{
    /* the board's modules and their u-aliases (engine_modules.c), whatever
     * sys.builtin_module_names says */
    for (const vb_module_def *m = vb_engine_modules; m->name; m++) {
        if (!vb_module_offered(m)) continue;
        const char *alias = vb_module_alias(m);
        vb_repl_candidate(r, m->name, strlen(m->name));
        if (alias) vb_repl_candidate(r, alias, strlen(alias));
    }
    /* The image's frozen modules can be imported too (private ones, such
     * as _boot, hidden like the built-ins'). */
    for (size_t i = 0; i < vb_engine_g.n_frozen; i++) {
        const char *n = vb_engine_g.frozen[i].name;
        if (n && n[0] != '_') vb_repl_candidate(r, n, strlen(n));
    }
    PyObject *names = PySys_GetObject("builtin_module_names"); /* borrowed */
    if (!names || !PyTuple_Check(names)) return;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++) {
        PyObject *n = PyTuple_GET_ITEM(names, i);
        const char *s = PyUnicode_Check(n) ? PyUnicode_AsUTF8(n) : NULL;
        if (!s) PyErr_Clear();
        else if (!hidden(s)) vb_repl_candidate(r, s, strlen(s));
    }
}

/* The object `obj` names (new reference), NULL if it does not resolve. */
static PyObject *resolve(PyObject *globals, const char *obj)
{
    const char *dot = strchr(obj, '.');
    size_t len = dot ? (size_t)(dot - obj) : strlen(obj);
    PyObject *key = PyUnicode_FromStringAndSize(obj, (Py_ssize_t)len);
    PyObject *cur = key ? PyDict_GetItemWithError(globals, key) : NULL; /* borrowed */
    Py_XDECREF(key);
    Py_XINCREF(cur);
    while (cur && dot) {
        const char *start = dot + 1;
        dot = strchr(start, '.');
        len = dot ? (size_t)(dot - start) : strlen(start);
        PyObject *attr = PyUnicode_FromStringAndSize(start, (Py_ssize_t)len);
        PyObject *next = attr ? PyObject_GetAttr(cur, attr) : NULL;
        Py_XDECREF(attr);
        Py_DECREF(cur);
        cur = next;
    }
    return cur;
}

bool vb_engine_complete(void *ctx, const char *obj, bool import_ctx, struct vb_repl *r)
{
    (void)ctx;
    /* Keep whatever exception the caller may have pending (input() Tab). */
    PyObject *et, *ev, *etb;
    PyErr_Fetch(&et, &ev, &etb);
    bool ok = true;
    if (import_ctx) {
        offer_modules(r);
    } else {
        PyObject *main = PyImport_AddModule("__main__"); /* borrowed */
        PyObject *globals = main ? PyModule_GetDict(main) : NULL;
        if (!globals) {
            ok = false;
        } else if (obj[0] == '\0') {
            PyObject *keys = PyDict_Keys(globals);
            for (Py_ssize_t i = 0; keys && i < PyList_GET_SIZE(keys); i++)
                offer(r, PyList_GET_ITEM(keys, i));
            Py_XDECREF(keys);
        } else {
            PyObject *o = resolve(globals, obj);
            PyObject *names = o ? PyObject_Dir(o) : NULL;
            PyObject *seq = names ? PySequence_Fast(names, "dir") : NULL;
            ok = seq != NULL;
            for (Py_ssize_t i = 0; seq && i < PySequence_Fast_GET_SIZE(seq); i++)
                offer(r, PySequence_Fast_GET_ITEM(seq, i));
            Py_XDECREF(seq);
            Py_XDECREF(names);
            Py_XDECREF(o);
        }
    }
    PyErr_Clear();
    PyErr_Restore(et, ev, etb);
    return ok;
}
