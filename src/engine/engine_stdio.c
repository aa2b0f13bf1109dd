/* sys.stdout / sys.stderr / sys.stdin as C objects over the HAL serial line
 * (repl.md §1.1): text output cooked, .buffer raw with MicroPython's
 * 2-argument write(b, n); text input without echo and with "\r" delivered
 * as "\n"; .buffer input raw. */
#include "engine_int.h"
#include "util/utf8.h"

#include <errno.h>

/* Device output: all of buf, or -1 with KeyboardInterrupt set when Ctrl-C
 * came while the line was full (the rest is not sent, as on a board whose
 * print is interrupted while it waits on its UART). */
/* One hal->tx with the GIL released: a thread whose print waits on a full
 * line never holds up the others (nor a soft reset). Device output only;
 * the engine's own reports keep the GIL. */
static size_t tx_unlocked(const void *buf, size_t n)
{
    const vb_hal *hal = vb_engine_g.hal;
    size_t k;
    Py_BEGIN_ALLOW_THREADS
    k = hal->tx(hal->ctx, buf, n);
    Py_END_ALLOW_THREADS
    return k;
}

static int tx_interruptible(const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n > 0) {
        size_t k = tx_unlocked(p, n);
        p += k;
        n -= k;
        if (n > 0 && PyErr_CheckSignals() < 0) return -1;
    }
    return 0;
}

/* "\n" → "\r\n" (the one place output is cooked); 0, or -1 with an
 * exception set when `interruptible` and Ctrl-C cut it short. */
static int write_cooked(const char *buf, size_t len, bool interruptible)
{
    const vb_hal *hal = vb_engine_g.hal;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && buf[i] != '\n') continue;
        const char *piece = buf + start;
        size_t n = i - start;
        for (int k = 0; k < (i < len ? 2 : 1); k++) {
            if (n && interruptible && tx_interruptible(piece, n) < 0) return -1;
            if (n && !interruptible) vb_hal_tx_all(hal, piece, n);
            piece = "\r\n";
            n = 2;
        }
        start = i + 1;
    }
    return 0;
}

void vb_engine_write_cooked(const char *buf, size_t len) { (void)write_cooked(buf, len, false); }

/* One object type serves all four streams; `kind` says which. */
enum stream_kind { OUT_TEXT, OUT_RAW, IN_TEXT, IN_RAW };

typedef struct {
    PyObject_HEAD
    int kind;
    PyObject *buffer; /* text streams: their raw .buffer */
} stream_obj;

/* One raw byte from the serial line, waiting as long as it takes: the
 * byte (0-255), -1 with KeyboardInterrupt set, or -2 at end of input
 * (only a test HAL ever reports that). */
static int rx_byte(void)
{
    for (;;) {
        unsigned char c;
        int r = vb_engine_rx(&c, 1, -1);
        if (r == 1) return c;
        if (r == -EINTR) {
            if (vb_engine_check_signals() < 0) return -1;
            continue;
        }
        return -2; /* 0 with no timeout, or a HAL error: no more input */
    }
}


/* MicroPython's (buf[, n]) arguments of write/readinto: the buffer, and at
 * most n of its bytes (n < 0 or past the end: all of it). 0, or -1 with an
 * exception set; on success the caller releases `view`. */
static int buffer_arg(PyObject *const *args, Py_ssize_t nargs, int flags, const char *usage,
                      Py_buffer *view, Py_ssize_t *n)
{
    if (nargs < 1 || nargs > 2) {
        PyErr_SetString(PyExc_TypeError, usage);
        return -1;
    }
    if (PyObject_GetBuffer(args[0], view, flags) < 0) return -1;
    *n = view->len;
    if (nargs == 2) {
        Py_ssize_t want = PyLong_AsSsize_t(args[1]);
        if (want == -1 && PyErr_Occurred()) {
            PyBuffer_Release(view);
            return -1;
        }
        if (want >= 0 && want < *n) *n = want;
    }
    return 0;
}

static PyObject *out_write(stream_obj *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (self->kind == OUT_TEXT) {
        if (nargs != 1 || !PyUnicode_Check(args[0])) {
            PyErr_SetString(PyExc_TypeError, "write() argument must be str");
            return NULL;
        }
        Py_ssize_t n = PyUnicode_GetLength(args[0]), len;
        /* The string's own UTF-8 (an ASCII string's is its data: no copy,
         * so sys.stdout.write() works under micropython.heap_lock()) */
        const char *s = PyUnicode_AsUTF8AndSize(args[0], &len);
        PyObject *b = NULL;
        if (!s) {
            /* Lone surrogates cannot come from the line; replace rather than fail. */
            PyErr_Clear();
            b = PyUnicode_AsEncodedString(args[0], "utf-8", "replace");
            if (!b) return NULL;
            s = PyBytes_AS_STRING(b);
            len = PyBytes_GET_SIZE(b);
        }
        int rc = write_cooked(s, (size_t)len, true);
        Py_XDECREF(b);
        return rc < 0 ? NULL : PyLong_FromSsize_t(n);
    }
    Py_buffer view;
    Py_ssize_t n;
    if (buffer_arg(args, nargs, PyBUF_SIMPLE, "write(buf[, n])", &view, &n) < 0) return NULL;
    int rc = tx_interruptible(view.buf, (size_t)n);
    PyBuffer_Release(&view);
    return rc < 0 ? NULL : PyLong_FromSsize_t(n);
}

/* Completes one UTF-8 character whose lead byte c was read into seq[0..*len)
 * ("\r" becomes "\n"). Returns 0, -1 (interrupt), -2 at end of input. The
 * lead alone says how many bytes follow; a byte that cannot lead (a stray
 * continuation, 0xF8..0xFF) is a character by itself, so it never swallows
 * the line end after it. The decoder turns what is malformed into U+FFFD. */
static int read_char(int c, char *seq, int *len)
{
    size_t k = vb_utf8_lead_len((uint8_t)c);
    int more = k > 1 ? (int)k - 1 : 0;
    seq[0] = (char)(c == '\r' ? '\n' : c);
    *len = 1;
    for (int i = 0; i < more; i++) {
        int d = rx_byte();
        if (d < 0) return d;
        seq[(*len)++] = (char)d;
    }
    return 0;
}

/* Text input: read(n=-1) / readline(limit=-1). Counts characters. */
static PyObject *in_text_read(int line, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t limit = -1;
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "too many arguments");
        return NULL;
    }
    if (nargs == 1 && args[0] != Py_None) {
        limit = PyLong_AsSsize_t(args[0]);
        if (limit == -1 && PyErr_Occurred()) return NULL;
    }
    PyObject *acc = PyByteArray_FromStringAndSize(NULL, 0);
    if (!acc) return NULL;
    Py_ssize_t chars = 0;
    while (limit < 0 || chars < limit) {
        int c = rx_byte();
        char seq[4];
        int len = 0;
        int r = c < 0 ? c : read_char(c, seq, &len);
        if (r == -1) {
            Py_DECREF(acc);
            return NULL;
        }
        if (r == -2) break;
        Py_ssize_t at = PyByteArray_GET_SIZE(acc);
        if (PyByteArray_Resize(acc, at + len) < 0) {
            Py_DECREF(acc);
            return NULL;
        }
        memcpy(PyByteArray_AS_STRING(acc) + at, seq, (size_t)len);
        chars++;
        if (line && seq[0] == '\n') break;
    }
    PyObject *s = PyUnicode_DecodeUTF8(PyByteArray_AS_STRING(acc), PyByteArray_GET_SIZE(acc),
                                       "replace");
    Py_DECREF(acc);
    return s;
}

/* Raw input: fills n bytes of dst, blocking. Count, or -1 (interrupt). */
static Py_ssize_t rx_fill(unsigned char *dst, Py_ssize_t n)
{
    Py_ssize_t got = 0;
    while (got < n) {
        int c = rx_byte();
        if (c == -1) return -1;
        if (c == -2) break;
        dst[got++] = (unsigned char)c;
    }
    return got;
}

static PyObject *in_read(stream_obj *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (self->kind == IN_TEXT) return in_text_read(0, args, nargs);
    if (nargs != 1) {
        PyErr_SetString(PyExc_TypeError, "read(n) needs a size");
        return NULL;
    }
    Py_ssize_t n = PyLong_AsSsize_t(args[0]);
    if (n == -1 && PyErr_Occurred()) return NULL;
    if (n < 0) n = 0;
    PyObject *b = PyBytes_FromStringAndSize(NULL, n);
    if (!b) return NULL;
    Py_ssize_t got = rx_fill((unsigned char *)PyBytes_AS_STRING(b), n);
    if (got < 0 || (got < n && _PyBytes_Resize(&b, got) < 0)) {
        Py_XDECREF(b);
        return NULL;
    }
    return b;
}

static PyObject *in_readline(stream_obj *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    return in_text_read(1, args, nargs);
}

static PyObject *in_readinto(stream_obj *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    Py_buffer view;
    Py_ssize_t n;
    if (buffer_arg(args, nargs, PyBUF_WRITABLE, "readinto(buf[, n])", &view, &n) < 0) return NULL;
    Py_ssize_t got = rx_fill(view.buf, n);
    PyBuffer_Release(&view);
    return got < 0 ? NULL : PyLong_FromSsize_t(got);
}

static PyObject *s_flush(stream_obj *self, PyObject *unused)
{
    (void)self, (void)unused;
    Py_RETURN_NONE; /* the HAL never buffers on our side */
}

static PyObject *s_true(stream_obj *self, PyObject *unused)
{
    (void)self, (void)unused;
    Py_RETURN_TRUE;
}

static PyObject *s_readable(stream_obj *self, PyObject *unused)
{
    (void)unused;
    return PyBool_FromLong(self->kind == IN_TEXT || self->kind == IN_RAW);
}

static PyObject *s_writable(stream_obj *self, PyObject *unused)
{
    (void)unused;
    return PyBool_FromLong(self->kind == OUT_TEXT || self->kind == OUT_RAW);
}

static PyObject *s_get_buffer(stream_obj *self, void *closure)
{
    (void)closure;
    if (!self->buffer) {
        PyErr_SetString(PyExc_AttributeError, "buffer");
        return NULL;
    }
    return Py_NewRef(self->buffer);
}

static PyObject *s_get_encoding(stream_obj *self, void *closure)
{
    (void)closure;
    if (self->kind == OUT_RAW || self->kind == IN_RAW) {
        PyErr_SetString(PyExc_AttributeError, "encoding");
        return NULL;
    }
    return PyUnicode_FromString("utf-8");
}

static PyObject *s_get_closed(stream_obj *self, void *closure)
{
    (void)self, (void)closure;
    Py_RETURN_FALSE;
}

static void s_dealloc(stream_obj *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Py_CLEAR(self->buffer);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static int s_traverse(stream_obj *self, visitproc visit, void *arg)
{
    Py_VISIT(self->buffer);
    Py_VISIT(Py_TYPE(self));
    return 0;
}

static PyObject *s_repr(stream_obj *self)
{
    static const char *const names[] = {"<io.TextIOWrapper>", "<io.FileIO>",
                                        "<io.TextIOWrapper>", "<io.FileIO>"};
    return PyUnicode_FromString(names[self->kind]);
}

static PyMethodDef out_methods[] = {
    {"write", (PyCFunction)(void (*)(void))out_write, METH_FASTCALL, NULL},
    {"flush", (PyCFunction)s_flush, METH_NOARGS, NULL},
    {"isatty", (PyCFunction)s_true, METH_NOARGS, NULL},
    {"readable", (PyCFunction)s_readable, METH_NOARGS, NULL},
    {"writable", (PyCFunction)s_writable, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMethodDef in_methods[] = {
    {"read", (PyCFunction)(void (*)(void))in_read, METH_FASTCALL, NULL},
    {"readline", (PyCFunction)(void (*)(void))in_readline, METH_FASTCALL, NULL},
    {"readinto", (PyCFunction)(void (*)(void))in_readinto, METH_FASTCALL, NULL},
    {"flush", (PyCFunction)s_flush, METH_NOARGS, NULL},
    {"isatty", (PyCFunction)s_true, METH_NOARGS, NULL},
    {"readable", (PyCFunction)s_readable, METH_NOARGS, NULL},
    {"writable", (PyCFunction)s_writable, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef s_getset[] = {
    {"buffer", (getter)s_get_buffer, NULL, NULL, NULL},
    {"encoding", (getter)s_get_encoding, NULL, NULL, NULL},
    {"closed", (getter)s_get_closed, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyObject *make_type(const char *name, PyMethodDef *methods)
{
    PyType_Slot slots[] = {
        {Py_tp_dealloc, s_dealloc},   {Py_tp_traverse, s_traverse},
        {Py_tp_methods, methods},     {Py_tp_getset, s_getset},
        {Py_tp_repr, s_repr},         {0, NULL},
    };
    PyType_Spec spec = {name, sizeof(stream_obj), 0,
                        Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_DISALLOW_INSTANTIATION,
                        slots};
    return PyType_FromSpec(&spec);
}

static PyObject *make_stream(PyObject *type, int kind, PyObject *buffer)
{
    stream_obj *s = PyObject_GC_New(stream_obj, (PyTypeObject *)type);
    if (!s) return NULL;
    Py_INCREF(type); /* heap-type instances own their type */
    s->kind = kind;
    s->buffer = Py_XNewRef(buffer);
    PyObject_GC_Track(s);
    return (PyObject *)s;
}

int vb_stdio_poll(PyObject *obj, int mask)
{
    /* Our streams are recognised by their dealloc slot: Python code cannot
     * forge that, and the heap types need no global to compare against. */
    if (PyType_GetSlot(Py_TYPE(obj), Py_tp_dealloc) != (void *)s_dealloc) return -1;
    int kind = ((stream_obj *)obj)->kind;
    if (kind == OUT_TEXT || kind == OUT_RAW) return mask & VB_POLLOUT; /* never blocks */
    const vb_hal *hal = vb_engine_g.hal;
    bool ready = hal->rx_available && hal->rx_available(hal->ctx) > 0;
    return ready ? mask & VB_POLLIN : 0;
}

static int set_both(const char *name, const char *dunder, PyObject *obj)
{
    if (!obj) return -1;
    int rc = PySys_SetObject(name, obj) < 0 || PySys_SetObject(dunder, obj) < 0 ? -1 : 0;
    Py_DECREF(obj);
    return rc;
}

int vb_stdio_install(void)
{
    PyObject *out_t = make_type("vboard.Output", out_methods);
    PyObject *in_t = out_t ? make_type("vboard.Input", in_methods) : NULL;
    if (!in_t) {
        Py_XDECREF(out_t);
        return -1;
    }
    int rc = -1;
    PyObject *out_raw = make_stream(out_t, OUT_RAW, NULL);
    PyObject *in_raw = make_stream(in_t, IN_RAW, NULL);
    if (out_raw && in_raw) {
        /* stdout and stderr share one line and one raw buffer (§1.1). */
        PyObject *out = make_stream(out_t, OUT_TEXT, out_raw);
        PyObject *err = make_stream(out_t, OUT_TEXT, out_raw);
        PyObject *in = make_stream(in_t, IN_TEXT, in_raw);
        rc = set_both("stdout", "__stdout__", out) | set_both("stderr", "__stderr__", err) |
             set_both("stdin", "__stdin__", in);
    }
    Py_XDECREF(out_raw);
    Py_XDECREF(in_raw);
    Py_DECREF(out_t);
    Py_DECREF(in_t);
    return rc;
}
