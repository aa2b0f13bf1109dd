/* builtins.input() over the serial line (repl.md §1.1): the prompt cooked,
 * then one line from the firmware's REPL line editor (echo, editing keys,
 * history), or, before the REPL exists, from a minimal editor of our own. */
#include "engine_int.h"
#include "repl/repl_bytes.h"

#include <errno.h>

/* The minimal editor keeps at most this many bytes, like the REPL's line. */
#define INPUT_LINE_MAX 4096

void vb_engine_set_input_hook(vb_engine_input_fn fn, void *ctx)
{
    vb_engine_g.input_fn = fn;
    vb_engine_g.input_ctx = ctx;
}

int vb_engine_rx(void *buf, size_t n, int timeout_ms)
{
    const vb_hal *hal = vb_engine_g.hal;
    int r;
    Py_BEGIN_ALLOW_THREADS
    r = hal->rx(hal->ctx, buf, n, timeout_ms);
    Py_END_ALLOW_THREADS
    return r;
}

int vb_engine_check_signals(void)
{
    vb_timer_poke_due();
    return PyErr_CheckSignals() < 0 ? -1 : 0;
}

/* The built-in editor (boot.py, main.py, engine tests): printable ASCII is
 * echoed, Backspace deletes one byte, Enter (\r or \n) ends the line; other
 * bytes are dropped, as the REPL editor drops them. A \r\n pair is not
 * merged here: the stray \n would end the next input() at once. */
static int builtin_editor(PyObject **out)
{
    const vb_hal *hal = vb_engine_g.hal;
    char line[INPUT_LINE_MAX];
    size_t n = 0;
    for (;;) {
        unsigned char c;
        int r = vb_engine_rx(&c, 1, -1);
        if (r == -EINTR) {
            if (vb_engine_check_signals() < 0) return VB_ENGINE_INPUT_RAISED;
            continue;
        }
        if (r != 1) return VB_ENGINE_INPUT_EOF; /* end of input (test HALs only) */
        if (c == '\r' || c == '\n') {
            vb_hal_tx_all(hal, "\r\n", 2);
            *out = PyUnicode_DecodeUTF8(line, (Py_ssize_t)n, "replace");
            return VB_ENGINE_INPUT_LINE;
        }
        if (c == VB_CTRL_C) return VB_ENGINE_INPUT_INTERRUPT;
        if (c == VB_CTRL_D && n == 0) return VB_ENGINE_INPUT_EOF;
        if ((c == VB_KEY_BS || c == VB_KEY_DEL) && n > 0) {
            static const char rubout[] = VB_TERM_BACK VB_TERM_ERASE_EOL;
            n--;
            vb_hal_tx_all(hal, rubout, sizeof rubout - 1);
        } else if (c >= 0x20 && c < 0x7f && n < sizeof line) {
            line[n++] = (char)c;
            vb_hal_tx_all(hal, &c, 1);
        }
    }
}

/* Writes the prompt (a str or NULL) cooked; *last = its last line, inside
 * the str's UTF-8 buffer (valid while the str lives). */
static int write_prompt(PyObject *text, const char **last, Py_ssize_t *last_len)
{
    *last = "";
    *last_len = 0;
    if (!text) return 0;
    Py_ssize_t n;
    const char *p = PyUnicode_AsUTF8AndSize(text, &n);
    if (!p) return -1;
    vb_engine_write_cooked(p, (size_t)n);
    Py_ssize_t start = n;
    while (start > 0 && p[start - 1] != '\n') start--;
    *last = p + start;
    *last_len = n - start;
    return 0;
}

static PyObject *b_input(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "input expected at most 1 argument");
        return NULL;
    }
    PyObject *text = nargs == 1 ? PyObject_Str(args[0]) : NULL;
    if (nargs == 1 && !text) return NULL;
    const char *last;
    Py_ssize_t last_len;
    if (write_prompt(text, &last, &last_len) < 0) {
        Py_XDECREF(text);
        return NULL;
    }
    PyObject *res = NULL;
    int r = VB_ENGINE_INPUT_UNAVAILABLE;
    if (vb_engine_g.input_fn) {
        const char *line = NULL;
        size_t len = 0;
        r = vb_engine_g.input_fn(vb_engine_g.input_ctx, last, (size_t)last_len, &line, &len);
        if (r == VB_ENGINE_INPUT_LINE)
            res = PyUnicode_DecodeUTF8(line ? line : "", (Py_ssize_t)len, "replace");
    }
    if (r == VB_ENGINE_INPUT_UNAVAILABLE) r = builtin_editor(&res);
    Py_XDECREF(text);
    switch (r) {
    case VB_ENGINE_INPUT_LINE:
        return res;
    case VB_ENGINE_INPUT_EOF:
        PyErr_SetNone(PyExc_EOFError);
        return NULL;
    case VB_ENGINE_INPUT_INTERRUPT:
        PyErr_SetNone(PyExc_KeyboardInterrupt);
        return NULL;
    default:
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "input() editor failed");
        return NULL;
    }
}

static PyMethodDef input_def = {"input", (PyCFunction)(void (*)(void))b_input, METH_FASTCALL,
                                "input([prompt]) -> str"};

int vb_engine_set_builtin(PyMethodDef *def)
{
    PyObject *builtins = PyEval_GetBuiltins(); /* borrowed */
    PyObject *f = builtins ? PyCFunction_NewEx(def, NULL, NULL) : NULL;
    int rc = f ? PyDict_SetItemString(builtins, def->ml_name, f) : -1;
    Py_XDECREF(f);
    return rc;
}

int vb_input_install(void) { return vb_engine_set_builtin(&input_def); }
