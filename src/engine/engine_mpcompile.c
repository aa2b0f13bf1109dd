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
 * without them. */
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
    "                if (isinstance(d, Attribute) and isinstance(d.value, Name)\n"
    "                        and d.value.id == 'micropython'):\n"
    "                    if d.attr in allowed:\n"
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

static PyObject *mp_const(PyObject *self, PyObject *arg)
{
    (void)self;
    return Py_NewRef(arg);
}

static PyMethodDef const_def = {"const", mp_const, METH_O, NULL};

int vb_mpcompile_warm(void)
{
    if (strip_fn) return 0;
    size_t before = vb_engine_heap_used();
    PyObject *ns = PyDict_New();
    PyObject *code = ns ? Py_CompileString(strip_src, "<compiler>", Py_file_input) : NULL;
    PyObject *r = code ? PyEval_EvalCode(code, ns, ns) : NULL;
    Py_XDECREF(r);
    Py_XDECREF(code);
    strip_fn = r ? Py_XNewRef(PyDict_GetItemString(ns, "strip")) : NULL;
    Py_XDECREF(ns);
    size_t after = vb_engine_heap_used();
    if (after > before) vb_engine_g.heap_base += after - before;
    return strip_fn ? 0 : -1;
}

int vb_mpcompile_init(void)
{
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
