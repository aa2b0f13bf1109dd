/* builtins.help, MicroPython-style (the banner invites "help()"): a short
 * welcome with no argument, the board's module list for help('modules')
 * (Thonny calls it and CPython's pydoc would scan the host), and an
 * object's attributes otherwise. Output goes through sys.stdout. */
#include "engine_int.h"

#include <stdlib.h>
#include <string.h>

static const char welcome[] =
    "Welcome to vboard, a virtual MicroPython board.\n"
    "\n"
    "The board's files are under its filesystem root; try:\n"
    "  import os; os.listdir()\n"
    "  import machine; machine.reset_cause()\n"
    "\n"
    "Control keys at the prompt:\n"
    "  Ctrl-A  raw REPL          Ctrl-B  friendly REPL\n"
    "  Ctrl-C  interrupt         Ctrl-D  soft reset\n"
    "  Ctrl-E  paste mode\n"
    "\n"
    "help('modules') lists the built-in modules; help(obj) lists obj's attributes.\n";

static int out(const char *s)
{
    PyObject *stdout_ = PySys_GetObject("stdout"); /* borrowed */
    if (!stdout_) return -1;
    PyObject *r = PyObject_CallMethod(stdout_, "write", "s", s);
    Py_XDECREF(r);
    return r ? 0 : -1;
}

static int sort_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Module names in 16-column slots, four to a line, as the REPL lists. */
static int list_modules(void)
{
    /* the board's modules (engine_modules.c), not their u-aliases: as
     * upstream, which lists registered names only */
    const char *names[64];
    size_t n = 0;
    for (const vb_module_def *m = vb_engine_modules; m->name && n < 64; m++)
        if (vb_module_offered(m)) names[n++] = m->name;
    qsort(names, n, sizeof names[0], sort_names);
    char line[96];
    size_t col = 0, len = 0;
    for (size_t i = 0; i < n; i++) {
        len += (size_t)snprintf(line + len, sizeof line - len, "%-16s", names[i]);
        if (++col == 4 || i + 1 == n) {
            while (len > 0 && line[len - 1] == ' ') len--;
            line[len++] = '\n';
            line[len] = 0;
            if (out(line) < 0) return -1;
            col = len = 0;
        }
    }
    return out("Plus any modules on the filesystem\n");
}

static PyObject *b_help(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "help() takes at most 1 argument");
        return NULL;
    }
    int rc;
    if (nargs == 0) {
        rc = out(welcome);
    } else if (PyUnicode_Check(args[0]) && PyUnicode_CompareWithASCIIString(args[0], "modules") == 0) {
        rc = list_modules();
    } else {
        /* "object <repr> is of type <type>", then the attribute names. */
        PyObject *text = PyUnicode_FromFormat("object %R is of type %s\n", args[0], Py_TYPE(args[0])->tp_name);
        rc = text ? out(PyUnicode_AsUTF8(text)) : -1;
        Py_XDECREF(text);
        PyObject *names = rc == 0 ? PyObject_Dir(args[0]) : NULL;
        if (rc == 0 && !names) rc = -1;
        for (Py_ssize_t i = 0; names && rc == 0 && i < PyList_GET_SIZE(names); i++) {
            const char *s = PyUnicode_AsUTF8(PyList_GET_ITEM(names, i));
            if (!s) { rc = -1; break; }
            if (s[0] == '_') continue;
            PyObject *line = PyUnicode_FromFormat("  %s\n", s);
            rc = line ? out(PyUnicode_AsUTF8(line)) : -1;
            Py_XDECREF(line);
        }
        Py_XDECREF(names);
    }
    if (rc < 0) return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef help_def = {"help", (PyCFunction)(void (*)(void))b_help, METH_FASTCALL,
                               "help([obj]): board help, help('modules'), or obj's attributes"};

int vb_help_install(void) { return vb_engine_set_builtin(&help_def); }
