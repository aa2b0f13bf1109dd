/* What MicroPython's compiler knows by name (issue 15): the built-in
 * decorators `@micropython.bytecode/native/viper` (py/compile.c
 * compile_built_in_decorator), which need no `import micropython`, and
 * `const()`, which needs no import either (py/parse.c folds `X =
 * const(...)`; here const is a builtin returning its argument).
 *
 * The decorators are taken off the tree before CPython compiles it, as
 * upstream's compiler consumes them: the function stays a plain (bytecode)
 * function. native and viper only change how upstream emits code; viper's
 * own types are NOT emulated -- its 32-bit wrapping `int`, `uint`, and
 * `ptr8`/`ptr16`/`ptr32` (NameError here), so viper code that relies on
 * them behaves as ordinary Python or fails. An unknown
 * `@micropython.name` is upstream's SyntaxError "invalid micropython
 * decorator". Inline assemblers are not offered: the stock esp32 build
 * has none (MICROPY_EMIT_INLINE_XTENSA is 0), and rp2's asm_thumb cannot
 * run on this engine, so both are that SyntaxError, as on a build
 * without them. The same holds for source given to compile(), exec() and
 * eval(): those builtins are wrapped to take the decorators off too, and
 * to take a line continuation at the end of the source as upstream's
 * lexer does. */
#include "engine_int.h"

#include <string.h>

/* The decorators each port's compiler accepts (the v1.24 esp32 and rp2
 * builds have a native emitter, xtensawin and armv6m; Pycom's 1.11 esp32
 * fork has none). */
#define V124 (VB_PORT_BIT(VB_PORT_ESP32) | VB_PORT_BIT(VB_PORT_RP2))
static const struct {
    const char *name;
    unsigned ports;
} decorators[] = {
    {"bytecode", VB_PORTS_ALL},
    {"native", V124},
    {"viper", V124},
};

/* strip(tree, allowed): the tree without the allowed micropython.X
 * decorators; SyntaxError for any other micropython.X one. */
static const char strip_src[] =
    "from _ast import AST, FunctionDef, AsyncFunctionDef, Attribute, Name\n"
    "def strip(tree, allowed, filename):\n"
    "    stack = [tree]\n"
    "    while stack:\n"
    "        n = stack.pop()\n"
    "        if isinstance(n, (FunctionDef, AsyncFunctionDef)):\n"
    "            keep = []\n"
    "            for d in n.decorator_list:\n"
    "                root = d\n"
    "                while isinstance(root, Attribute):\n"
    "                    root = root.value\n"
    "                if (d is not root and isinstance(root, Name)\n"
    "                        and root.id == 'micropython'):\n"
    "                    if d.value is root and d.attr in allowed:\n"
    "                        continue\n"
    "                    raise SyntaxError('invalid micropython decorator',\n"
    "                                      (filename, d.lineno, d.col_offset + 1, None))\n"
    "                keep.append(d)\n"
    "            n.decorator_list = keep\n"
    "        kids = []\n"
    "        for f in n._fields:\n"
    "            v = getattr(n, f, None)\n"
    "            if isinstance(v, list):\n"
    "                kids.extend(x for x in v if isinstance(x, AST))\n"
    "            elif isinstance(v, AST):\n"
    "                kids.append(v)\n"
    "        stack.extend(reversed(kids))  # source order: the first error is reported\n"
    "    return tree\n";

/* One interpreter per process: */
static PyObject *strip_fn;  /* the compiled strip(), once vb_mpcompile_warm ran */
static PyObject *allowed;   /* frozenset of this port's decorator names */
static PyObject *cpython_exec, *cpython_eval; /* the builtins the wrappers call */

static PyObject *mp_const(PyObject *self, PyObject *arg)
{
    (void)self;
    return Py_NewRef(arg);
}

static PyMethodDef const_def = {"const", mp_const, METH_O, NULL};

int vb_mpcompile_warm(void)
{
    if (strip_fn) return 0;
    vb_heap_quiet(true); /* the engine's own, as the warm modules */
    PyObject *ns = PyDict_New();
    PyObject *code = ns ? Py_CompileString(strip_src, "<compiler>", Py_file_input) : NULL;
    PyObject *r = code ? PyEval_EvalCode(code, ns, ns) : NULL;
    Py_XDECREF(r);
    Py_XDECREF(code);
    strip_fn = r ? Py_XNewRef(PyDict_GetItemString(ns, "strip")) : NULL;
    Py_XDECREF(ns);
    vb_heap_quiet(false);
    return strip_fn ? 0 : -1;
}

/* Upstream's lexer takes a line continuation at the very end of the
 * input (py/lexer.c ends the line there); CPython's wants a line after
 * it, so one is added. */
static bool ends_in_continuation(const char *text, size_t n)
{
    if (n && text[n - 1] == '\n') n--;
    if (n && text[n - 1] == '\r') n--;
    return n && text[n - 1] == '\\';
}

/* Source text (str or bytes) that needs this compiler: the wrappers' cue. */
static bool needs_mp_compile(PyObject *src)
{
    Py_ssize_t n = 0;
    const char *text = PyUnicode_Check(src) ? PyUnicode_AsUTF8AndSize(src, &n) : NULL;
    if (PyBytes_Check(src)) text = PyBytes_AS_STRING(src), n = PyBytes_GET_SIZE(src);
    if (!text) PyErr_Clear(); /* unencodable: left to CPython's compile */
    return text && (vb_mpcompile_needed(text) || ends_in_continuation(text, (size_t)n));
}

/* compile(source, filename, mode, flags, dont_inherit, optimize) with the
 * decorators taken off; NULL with an error. */
static PyObject *compile_stripped(PyObject *src, PyObject *filename, const char *mode, int flags,
                                  int dont_inherit, int optimize)
{
    if (vb_mpcompile_warm() < 0) return NULL;
    Py_ssize_t n = 0;
    const char *text = PyUnicode_Check(src) ? PyUnicode_AsUTF8AndSize(src, &n) : NULL;
    if (PyBytes_Check(src)) text = PyBytes_AS_STRING(src), n = PyBytes_GET_SIZE(src);
    PyObject *nl = !text || !ends_in_continuation(text, (size_t)n) ? NULL
                   : PyUnicode_Check(src) ? PyUnicode_FromString("\n")
                                          : PyBytes_FromString("\n");
    PyObject *whole = nl ? PyNumber_Add(src, nl) : Py_NewRef(src);
    Py_XDECREF(nl);
    PyObject *tree = whole ? PyObject_CallFunction(vb_engine_g.compile_fn, "OOsiii", whole, filename,
                                                   mode, flags | PyCF_ONLY_AST, dont_inherit, optimize)
                           : NULL;
    Py_XDECREF(whole);
    const char *name = PyUnicode_Check(filename) ? PyUnicode_AsUTF8(filename) : "<string>";
    if (tree && name) Py_SETREF(tree, vb_mpcompile_strip(tree, name));
    PyObject *code = tree ? PyObject_CallFunction(vb_engine_g.compile_fn, "OOsiii", tree, filename,
                                                  mode, flags, dont_inherit, optimize)
                          : NULL;
    Py_XDECREF(tree);
    return code;
}

/* compile(): CPython's, or the stripped one for the compiler's names; not
 * charged as it works, then its code charged as upstream's bytecode. */
static PyObject *compile_any(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *kwlist[] = {"source", "filename", "mode", "flags", "dont_inherit", "optimize", NULL};
    PyObject *src, *filename;
    const char *mode;
    int flags = 0, dont_inherit = 0, optimize = -1;
    if (PyTuple_GET_SIZE(args) >= 1 && needs_mp_compile(PyTuple_GET_ITEM(args, 0)) &&
        PyArg_ParseTupleAndKeywords(args, kw, "OOs|iii:compile", kwlist, &src, &filename, &mode,
                                    &flags, &dont_inherit, &optimize) &&
        !(flags & PyCF_ONLY_AST))
        return compile_stripped(src, filename, mode, flags, dont_inherit, optimize);
    PyErr_Clear(); /* CPython's compile reports its own argument errors */
    return PyObject_Call(vb_engine_g.compile_fn, args, kw);
}

static PyObject *b_compile(PyObject *self, PyObject *args, PyObject *kw)
{
    vb_heap_quiet(true);
    PyObject *code = compile_any(self, args, kw);
    vb_heap_quiet(false);
    return vb_heap_charge_code(code);
}

/* exec()/eval() of source text: compiled here first (with the compiler's
 * names where the source uses them), so compiling is priced as upstream's
 * bytecode, as everywhere (engine_heap.c); code objects go straight on. */
static PyObject *run_source(PyObject *run, const char *mode, PyObject *const *args, Py_ssize_t nargs,
                            PyObject *kwnames)
{
    Py_ssize_t n = nargs + (kwnames ? PyTuple_GET_SIZE(kwnames) : 0);
    PyObject *argv[8];
    if (nargs < 1 || n > 8 || !(PyUnicode_Check(args[0]) || PyBytes_Check(args[0])))
        return PyObject_Vectorcall(run, args, (size_t)nargs, kwnames);
    PyObject *src = Py_NewRef(args[0]);
    /* as CPython's eval: leading spaces and tabs are not an indent */
    bool eval = strcmp(mode, "eval") == 0;
    Py_ssize_t len = 0, skip = 0;
    const char *text = PyUnicode_Check(src) ? PyUnicode_AsUTF8AndSize(src, &len) : NULL;
    if (PyBytes_Check(src)) text = PyBytes_AS_STRING(src), len = PyBytes_GET_SIZE(src);
    if (!text) PyErr_Clear(); /* unencodable: CPython's compile reports it */
    while (eval && text && skip < len && (text[skip] == ' ' || text[skip] == '\t'))
        skip++;
    if (skip) Py_SETREF(src, PyUnicode_Check(src) ? PyUnicode_FromStringAndSize(text + skip, len - skip)
                                                  : PyBytes_FromStringAndSize(text + skip, len - skip));
    PyObject *filename = src ? PyUnicode_FromString("<string>") : NULL;
    vb_heap_quiet(true);
    PyObject *code = !filename                ? NULL
                     : needs_mp_compile(src) ? compile_stripped(src, filename, mode, 0, 0, -1)
                                             : PyObject_CallFunction(vb_engine_g.compile_fn, "OOsii",
                                                                     src, filename, mode, 0, 0);
    vb_heap_quiet(false);
    Py_XDECREF(filename);
    Py_XDECREF(src);
    if (!vb_heap_charge_code(code)) return NULL;
    argv[0] = code;
    for (Py_ssize_t i = 1; i < n; i++) argv[i] = args[i];
    PyObject *r = PyObject_Vectorcall(run, argv, (size_t)nargs, kwnames);
    Py_DECREF(code);
    return r;
}

static PyObject *b_exec(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)self;
    return run_source(cpython_exec, "exec", args, nargs, kwnames);
}

static PyObject *b_eval(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)self;
    return run_source(cpython_eval, "eval", args, nargs, kwnames);
}

static PyMethodDef source_defs[] = {
    {"compile", (PyCFunction)(void (*)(void))b_compile, METH_VARARGS | METH_KEYWORDS, NULL},
    {"exec", (PyCFunction)(void (*)(void))b_exec, METH_FASTCALL | METH_KEYWORDS, NULL},
    {"eval", (PyCFunction)(void (*)(void))b_eval, METH_FASTCALL | METH_KEYWORDS, NULL},
};

int vb_mpcompile_init(void)
{
    PyObject *builtins = PyEval_GetBuiltins(); /* borrowed */
    cpython_exec = builtins ? Py_XNewRef(PyDict_GetItemString(builtins, "exec")) : NULL;
    cpython_eval = builtins ? Py_XNewRef(PyDict_GetItemString(builtins, "eval")) : NULL;
    if (!cpython_exec || !cpython_eval) return -1;
    for (size_t i = 0; i < sizeof source_defs / sizeof source_defs[0]; i++)
        if (vb_engine_set_builtin(&source_defs[i]) < 0) return -1;
    PyObject *names = PyList_New(0);
    for (size_t i = 0; names && i < sizeof decorators / sizeof decorators[0]; i++) {
        if (!(decorators[i].ports & VB_PORT_BIT(vb_engine_g.port->id))) continue;
        PyObject *s = PyUnicode_FromString(decorators[i].name);
        if (!s || PyList_Append(names, s) < 0) Py_CLEAR(names);
        Py_XDECREF(s);
    }
    allowed = names ? PyFrozenSet_New(names) : NULL;
    Py_XDECREF(names);
    if (!allowed) return -1;
    return vb_engine_set_builtin(&const_def);
}

bool vb_mpcompile_needed(const char *src)
{
    return strstr(src, "micropython.") != NULL;
}

PyObject *vb_mpcompile_strip(PyObject *tree, const char *filename)
{
    if (vb_mpcompile_warm() < 0) return NULL;
    PyObject *r = PyObject_CallFunction(strip_fn, "OOs", tree, allowed, filename);
    if (!r && PyErr_ExceptionMatches(PyExc_SyntaxError)) {
        /* a compile error: no frames of strip() in its report */
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
        if (v) PyException_SetTraceback(v, Py_None);
        Py_XDECREF(tb);
        PyErr_Restore(t, v, NULL);
    }
    return r;
}

PyObject *vb_mpcompile(const char *src, const char *filename, int start)
{
    PyCompilerFlags flags = {0, PY_MINOR_VERSION}; /* no __future__ flags from the host */
    if (!allowed || !vb_engine_g.compile_fn || !vb_mpcompile_needed(src))
        return Py_CompileStringExFlags(src, filename, start, &flags, -1);
    if (vb_mpcompile_warm() < 0) return NULL;     /* the AST types, before the tree is made */
    flags.cf_flags = PyCF_ONLY_AST;
    PyObject *tree = Py_CompileStringExFlags(src, filename, start, &flags, -1);
    if (tree) Py_SETREF(tree, vb_mpcompile_strip(tree, filename));
    PyObject *code = tree ? PyObject_CallFunction(vb_engine_g.compile_fn, "Ossiii", tree, filename,
                                                  start == Py_single_input ? "single" : "exec", 0, 1,
                                                  -1)
                          : NULL;
    Py_XDECREF(tree);
    return code;
}
