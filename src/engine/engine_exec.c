/* Compile and run one unit of device code in the three REPL/script modes
 * (repl.md §2.4, §2.7, §3), with Ctrl-C armed around the code only: the one
 * path of the REPL, boot.py/main.py and the frozen _boot script. */
#include "engine_int.h"
#include "repl/repl_bytes.h"

#include <string.h>

static PyCompilerFlags plain_flags(int cf)
{
    /* cf_flags 0: no __future__ flags inherited from the host. */
    PyCompilerFlags f = {cf, PY_MINOR_VERSION};
    return f;
}

/* Paste mode: the source is parsed as a module, then its statements are
 * compiled as one interactive unit, so every top-level expression
 * statement prints its value as in single mode, with the module's line
 * numbers unchanged. */
static PyObject *compile_display(const char *src, const char *filename)
{
    PyCompilerFlags flags = plain_flags(PyCF_ONLY_AST);
    if (vb_mpcompile_warm() < 0) return NULL;     /* the AST types, before the tree is made */
    PyObject *mod = Py_CompileStringExFlags(src, filename, Py_file_input, &flags, -1);
    if (mod && vb_mpcompile_needed(src)) Py_SETREF(mod, vb_mpcompile_strip(mod, filename));
    if (!mod) return NULL;
    PyObject *code = NULL, *inter = NULL;
    PyObject *ast = PyImport_ImportModule("_ast");
    PyObject *body = PyObject_GetAttrString(mod, "body");
    if (ast && body) inter = PyObject_CallMethod(ast, "Interactive", "O", body);
    if (inter)
        code = PyObject_CallFunction(vb_engine_g.compile_fn, "Ossiii", inter, filename,
                                     "single", 0, 1, -1);
    Py_XDECREF(inter);
    Py_XDECREF(body);
    Py_XDECREF(ast);
    Py_DECREF(mod);
    return code;
}

PyObject *vb_engine_compile(const char *src, size_t len, const char *filename, vb_exec_mode mode)
{
    if (len && memchr(src, '\0', len)) {
        PyErr_SetString(PyExc_SyntaxError, "source code cannot contain null bytes");
        return NULL;
    }
    /* The caller's bytes need not end in NUL; CPython's parser wants it. */
    vb_heap_quiet(true); /* the compiler's work is not the board's heap */
    PyObject *copy = PyBytes_FromStringAndSize(len ? src : "", (Py_ssize_t)len);
    const char *text = copy ? PyBytes_AS_STRING(copy) : NULL;
    PyObject *code = !text                            ? NULL
                     : mode == VB_EXEC_MODULE_DISPLAY ? compile_display(text, filename)
                                                      : vb_mpcompile(text, filename,
                                                                     mode == VB_EXEC_SINGLE ? Py_single_input
                                                                                            : Py_file_input);
    Py_XDECREF(copy);
    vb_heap_quiet(false);
    return code;
}

/* A Ctrl-C that reached us while the code was not running (the supervisor
 * saw the executing flag just before we cleared it) must not hit the next
 * unit: run the handler now and drop what it raises. */
static void drop_stale_interrupt(void)
{
    if (PyErr_CheckSignals() < 0) PyErr_Clear();
}

static void set_executing(bool on)
{
    const vb_hal *hal = vb_engine_g.hal;
    if (hal->set_executing) hal->set_executing(hal->ctx, on);
}

/* Takes the pending exception: SYSTEM_EXIT, or EXCEPTION with it kept. */
static vb_exec_outcome take_exception(void)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value && tb) PyException_SetTraceback(value, tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
    if (!value) return VB_EXEC_EXCEPTION; /* cannot happen: an error with no value */
    if (PyErr_GivenExceptionMatches(value, PyExc_SystemExit)) {
        Py_DECREF(value);
        return VB_EXEC_SYSTEM_EXIT;
    }
    vb_engine_g.last_exc = value;
    return VB_EXEC_EXCEPTION;
}

/* The one body of vb_engine_run_unit and vb_engine_exec_armed. */
static vb_exec_outcome run_unit(const char *src, size_t len, const char *filename,
                                vb_exec_mode mode, bool interruptible, bool armed_by_caller)
{
    Py_CLEAR(vb_engine_g.last_exc);
    if (!armed_by_caller) drop_stale_interrupt();
    bool ok = false;
    /* Armed from before compiling: a host that sends Ctrl-C right after the
     * raw-paste ack or "OK" must interrupt the unit even when compiling a
     * big source takes a while (the signal is taken at the first bytecode). */
    if (interruptible && !armed_by_caller) set_executing(true);
    /* the engine's own work ignores micropython.heap_lock(); the code not */
    bool was = vb_heap_bypass(true);
    PyObject *code = vb_heap_charge_code(vb_engine_compile(src, len, filename, mode));
    PyObject *main = code ? PyImport_AddModule("__main__") : NULL; /* borrowed */
    if (main) {
        PyObject *globals = PyModule_GetDict(main); /* borrowed */
        vb_heap_bypass(false);
        PyObject *r = PyEval_EvalCode(code, globals, globals);
        Py_XDECREF(r);
        /* micropython.schedule() callbacks and a Ctrl-C that landed during
         * the last instructions still belong to this unit. */
        ok = r && Py_MakePendingCalls() == 0;
        vb_heap_bypass(true);
    }
    if (interruptible) set_executing(false);
    Py_XDECREF(code);
    vb_exec_outcome out = ok ? VB_EXEC_OK : take_exception();
    drop_stale_interrupt();
    const vb_hal *hal = vb_engine_g.hal;
    if (hal->set_intr_char) hal->set_intr_char(hal->ctx, VB_CTRL_C); /* kbd_intr lasts one unit */
    vb_heap_bypass(was);
    return out;
}

vb_exec_outcome vb_engine_run_unit(const char *src, size_t len, const char *filename,
                                   vb_exec_mode mode, bool interruptible)
{
    return run_unit(src, len, filename, mode, interruptible, false);
}

vb_exec_outcome vb_engine_exec(const char *src, size_t len, const char *filename,
                               vb_exec_mode mode)
{
    return run_unit(src, len, filename, mode, true, false);
}

vb_exec_outcome vb_engine_exec_armed(const char *src, size_t len, const char *filename,
                                     vb_exec_mode mode)
{
    return run_unit(src, len, filename, mode, true, true);
}

void vb_engine_disarm(void)
{
    set_executing(false);
    drop_stale_interrupt();
}

void vb_engine_print_exception(void)
{
    PyObject *exc = vb_engine_g.last_exc;
    if (!exc) return;
    vb_engine_g.last_exc = NULL;
    bool was = vb_heap_bypass(true); /* a report needs memory; upstream's does not */
    PyObject *text = vb_exc_format(exc);
    Py_ssize_t n = 0;
    const char *s = text ? PyUnicode_AsUTF8AndSize(text, &n) : NULL;
    if (s) {
        vb_engine_write_cooked(s, (size_t)n);
    } else {
        PyErr_Clear();
        vb_engine_write_cooked("Error: exception report failed\n", 31);
    }
    Py_XDECREF(text);
    Py_DECREF(exc);
    vb_heap_bypass(was);
}

void vb_engine_clear_exception(void)
{
    Py_CLEAR(vb_engine_g.last_exc);
}
