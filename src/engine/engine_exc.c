/* The MicroPython-style exception report (repl.md §1.2, §1.3): frames
 * outermost first without source lines or carets, no chained sections,
 * the bare type name, upstream's message rules and OSError text. */
#include "engine_int.h"

#include <string.h>


/* Appends s to list and drops the reference; -1 if s is NULL or on error. */
static int add(PyObject *list, PyObject *s)
{
    if (!s) return -1;
    int rc = PyList_Append(list, s);
    Py_DECREF(s);
    return rc;
}

static bool is_plain_int(PyObject *o)
{
    return PyLong_Check(o) && !PyBool_Check(o);
}

/* The text after "Name: ". New reference; never NULL unless out of memory. */
static PyObject *message(PyObject *exc)
{
    if (PyObject_IsInstance(exc, PyExc_SyntaxError) == 1) {
        PyObject *msg = PyObject_GetAttrString(exc, "msg");
        if (msg && PyUnicode_Check(msg)) return msg;
        Py_XDECREF(msg);
        PyErr_Clear();
    }
    PyObject *args = PyObject_GetAttrString(exc, "args");
    if (!args || !PyTuple_Check(args)) {
        Py_XDECREF(args);
        PyErr_Clear();
        return PyUnicode_FromString("");
    }
    PyObject *r = NULL;
    if (PyObject_IsInstance(exc, PyExc_OSError) == 1) {
        r = vb_mptext_oserror(exc, args);
        if (!r) PyErr_Clear();
    }
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    /* MicroPython's text has no CPython detail (" while getting the repr
     * of an object", " in comparison"). */
    static const char deep[] = "maximum recursion depth exceeded";
    if (!r && n == 1 && PyObject_IsInstance(exc, PyExc_RecursionError) == 1) {
        PyObject *a = PyTuple_GET_ITEM(args, 0);
        const char *t = PyUnicode_Check(a) ? PyUnicode_AsUTF8(a) : NULL;
        if (!t) PyErr_Clear();
        else if (strncmp(t, deep, sizeof deep - 1) == 0) r = PyUnicode_FromString(deep);
    }
    if (!r) {
        r = n == 0 ? PyUnicode_FromString("")
            : n == 1 ? PyObject_Str(PyTuple_GET_ITEM(args, 0))
                     : PyObject_Repr(args);
    }
    Py_DECREF(args);
    if (!r) {
        /* A failing __str__ must not hide the report itself. */
        PyErr_Clear();
        r = PyUnicode_FromString("<exception str() failed>");
    }
    return r;
}

/* "OSError" for every OSError subclass (§1.3), else the class name
 * without a module prefix. */
static PyObject *type_name(PyObject *exc)
{
    if (PyObject_IsInstance(exc, PyExc_OSError) == 1) return PyUnicode_FromString("OSError");
    const char *full = Py_TYPE(exc)->tp_name;
    const char *dot = strrchr(full, '.');
    return PyUnicode_FromString(dot ? dot + 1 : full);
}

/* Frames of CPython's import machinery and of the host stdlib (standing
 * in for MicroPython's C modules, which have no frames) are not shown. */
static bool hidden_frame(PyObject *filename)
{
    const char *f = PyUnicode_Check(filename) ? PyUnicode_AsUTF8(filename) : NULL;
    const char *lib = vb_engine_g.stdlib_dir;
    if (!f) PyErr_Clear();
    return f && (strncmp(f, "<frozen ", 8) == 0 || (lib[0] && strncmp(f, lib, strlen(lib)) == 0));
}

/* A frame of the board library as the firmware froze it: upstream
 * freezes asyncio & co. with opt=3, which keeps no line numbers, so its
 * tracebacks say line 1 there. A user's file of the same name (loaded by
 * the board finder, not the frozen one) keeps its lines. */
static bool frozen_lineless(PyFrameObject *frame, PyObject *filename)
{
    const char *f = PyUnicode_Check(filename) ? PyUnicode_AsUTF8(filename) : NULL;
    if (!f || !vb_pylib_file_named(f)) {
        PyErr_Clear();
        return false;
    }
    PyObject *globals = PyFrame_GetGlobals(frame);
    PyObject *spec = globals ? PyDict_GetItemString(globals, "__spec__") : NULL; /* borrowed */
    PyObject *loader = spec ? PyObject_GetAttrString(spec, "loader") : NULL;
    bool frozen = loader && strcmp(Py_TYPE(loader)->tp_name, "FrozenFinder") == 0;
    Py_XDECREF(loader);
    Py_XDECREF(globals);
    PyErr_Clear();
    return frozen;
}

static int add_frames(PyObject *lines, PyObject *exc)
{
    PyObject *tb = PyException_GetTraceback(exc);
    int rc = 0;
    for (PyObject *t = tb; rc == 0 && t && t != Py_None;
         t = (PyObject *)((PyTracebackObject *)t)->tb_next) {
        PyFrameObject *frame = ((PyTracebackObject *)t)->tb_frame;
        PyCodeObject *code = PyFrame_GetCode(frame);
        PyObject *file = PyObject_GetAttrString((PyObject *)code, "co_filename");
        PyObject *lineno = file && frozen_lineless(frame, file) ? PyLong_FromLong(1)
                                                               : PyObject_GetAttrString(t, "tb_lineno");
        PyObject *name = PyObject_GetAttrString((PyObject *)code, "co_name");
        if (!lineno || !file || !name) rc = -1;
        else if (!hidden_frame(file))
            rc = add(lines, PyUnicode_FromFormat("  File \"%S\", line %S, in %S\n", file,
                                                 lineno, name));
        Py_XDECREF(lineno);
        Py_XDECREF(file);
        Py_XDECREF(name);
        Py_DECREF(code);
    }
    Py_XDECREF(tb);
    return rc;
}

/* A compile error's pseudo-frame: `  File "<stdin>", line N` (no block). */
static int add_syntax_frame(PyObject *lines, PyObject *exc)
{
    if (PyObject_IsInstance(exc, PyExc_SyntaxError) != 1) return 0;
    PyObject *file = PyObject_GetAttrString(exc, "filename");
    PyObject *lineno = PyObject_GetAttrString(exc, "lineno");
    int rc = 0;
    if (file && lineno && PyUnicode_Check(file) && is_plain_int(lineno))
        rc = add(lines, PyUnicode_FromFormat("  File \"%U\", line %S\n", file, lineno));
    PyErr_Clear();
    Py_XDECREF(file);
    Py_XDECREF(lineno);
    return rc;
}

PyObject *vb_exc_format(PyObject *exc)
{
    PyObject *lines = PyList_New(0);
    if (!lines) return NULL;
    PyObject *result = NULL;
    if (add_frames(lines, exc) < 0 || add_syntax_frame(lines, exc) < 0) goto out;
    if (PyList_GET_SIZE(lines) > 0) { /* header only above frames */
        PyObject *hdr = PyUnicode_FromString("Traceback (most recent call last):\n");
        int rc = hdr ? PyList_Insert(lines, 0, hdr) : -1;
        Py_XDECREF(hdr);
        if (rc < 0) goto out;
    }
    PyObject *name = type_name(exc);
    PyObject *msg = name ? message(exc) : NULL;
    if (!msg || add(lines, PyUnicode_FromFormat("%U: %U\n", name, msg)) < 0) {
        Py_XDECREF(name);
        Py_XDECREF(msg);
        goto out;
    }
    Py_DECREF(name);
    Py_DECREF(msg);
    PyObject *empty = PyUnicode_FromString("");
    if (empty) result = PyUnicode_Join(empty, lines);
    Py_XDECREF(empty);
out:
    Py_DECREF(lines);
    return result;
}

int vb_exc_print_to(PyObject *exc, PyObject *file)
{
    bool was = vb_heap_bypass(true); /* upstream prints a report without allocating */
    PyObject *text = vb_exc_format(exc);
    PyObject *r = text ? PyObject_CallMethod(file, "write", "O", text) : NULL;
    vb_heap_bypass(was);
    if (!text) return -1;
    Py_DECREF(text);
    Py_XDECREF(r);
    return r ? 0 : -1;
}
