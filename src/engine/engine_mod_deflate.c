/* The board's deflate module (v1.24's extmod/moddeflate.c interface, on
 * esp32 and rp2): DeflateIO(stream, format=AUTO, wbits=0, close=False)
 * decompresses RAW, ZLIB and GZIP streams, AUTO telling zlib from gzip by
 * the header. Over Debian's zlib (libz, already in every CPython process):
 * a C inflate with no Python calls but the stream's own read().
 *
 * As upstream: the source is read one byte at a time, only when the
 * decompressor needs one, so nothing past the compressed data is consumed;
 * a source that ends early raises EOFError; bad data, a bad checksum or a
 * closed DeflateIO is OSError(EINVAL). Both ports build at the
 * EXTRA_FEATURES level, where MICROPY_PY_DEFLATE_COMPRESS is off: there is
 * no write(), as on the real boards.
 *
 * Differences (zlib is not uzlib): zlib's smallest window is 2^8, so wbits
 * 5..7 inflate as 8; ZLIB/GZIP streams inflate with the largest window
 * whatever wbits says (uzlib would use the smaller of wbits and the
 * header's and fail on a far-back distance). */
#include "engine_int.h"
#include "mptext.h"

#include <errno.h>
#include <string.h>
#include <zlib.h>

/* Upstream's format numbers (deflate.AUTO ... deflate.GZIP). */
enum { FMT_AUTO = 0, FMT_RAW = 1, FMT_ZLIB = 2, FMT_GZIP = 3 };
/* wbits=0 on a RAW stream: upstream's DEFLATEIO_DEFAULT_WBITS. */
#define WBITS_DEFAULT 8
#define WBITS_ZLIB_MIN 8 /* zlib's smallest window */
#define WBITS_MAX 15
/* zlib's windowBits offsets: +16 gzip only, +32 zlib or gzip by header. */
#define ZW_GZIP 16
#define ZW_AUTO 32

typedef struct {
    PyObject_HEAD
    PyObject *stream; /* the source; NULL once closed */
    int format;
    int wbits;        /* 0 or 5..15, as given */
    bool close;       /* close() closes the source too */
    bool started;     /* z is initialised */
    bool eof;         /* the compressed data ended */
    z_stream z;
    unsigned char in; /* the one source byte zlib is given at a time */
    PyObject *one;    /* bytearray(1) for the source's readinto(), or NULL */
} dio_obj;

static int window_bits(const dio_obj *s)
{
    switch (s->format) {
    case FMT_RAW: {
        int w = s->wbits ? s->wbits : WBITS_DEFAULT;
        return -(w < WBITS_ZLIB_MIN ? WBITS_ZLIB_MIN : w);
    }
    case FMT_ZLIB: return WBITS_MAX;
    case FMT_GZIP: return WBITS_MAX + ZW_GZIP;
    default: return WBITS_MAX + ZW_AUTO;
    }
}

/* The next source byte into s->in; -1 with EOFError (source ended),
 * OSError(EAGAIN) (a non-blocking source with nothing yet, as upstream's
 * stream error) or the source's own exception. Through the source's
 * readinto() where it has one (MicroPython's io.IOBase streams define
 * only that), else its read(). */
static int next_byte(dio_obj *s)
{
    PyObject *r = s->one ? PyObject_CallMethod(s->stream, "readinto", "O", s->one)
                         : PyObject_CallMethod(s->stream, "read", "i", 1);
    if (!r) return -1;
    Py_ssize_t n = -1;
    if (r == Py_None) vb_raise_errno(EAGAIN);
    else if (s->one && PyLong_Check(r)) n = PyLong_AsSsize_t(r);
    else if (!s->one && PyBytes_Check(r)) n = PyBytes_GET_SIZE(r);
    else PyErr_SetString(PyExc_TypeError, "object with buffer protocol required");
    if (n == 0) PyErr_SetNone(PyExc_EOFError);
    if (n > 0) {
        s->in = (unsigned char)(s->one ? PyByteArray_AS_STRING(s->one) : PyBytes_AS_STRING(r))[0];
        s->z.next_in = &s->in;
        s->z.avail_in = 1;
    }
    Py_DECREF(r);
    return n > 0 ? 0 : -1;
}

/* The source is readable: upstream's mp_get_stream_raise(MP_STREAM_OP_READ). */
static int start(dio_obj *s)
{
    if (s->started) return 0;
    int into = PyObject_HasAttrString(s->stream, "readinto");
    if (!into && !PyObject_HasAttrString(s->stream, "read")) {
        vb_raise_oserror_msg("stream operation not supported");
        return -1;
    }
    if (into && !(s->one = PyByteArray_FromStringAndSize("", 1))) return -1;
    memset(&s->z, 0, sizeof s->z);
    if (inflateInit2(&s->z, window_bits(s)) != Z_OK) {
        PyErr_NoMemory();
        return -1;
    }
    s->started = true;
    return 0;
}

/* Up to size decompressed bytes into buf (fewer only at the end of the
 * data): their count, or -1 with an exception. Upstream's stream read. */
static Py_ssize_t dio_read_some(dio_obj *s, unsigned char *buf, Py_ssize_t size)
{
    if (!s->stream) {
        vb_raise_errno(EINVAL);
        return -1;
    }
    if (start(s) < 0) return -1;
    if (s->eof || size == 0) return 0;
    s->z.next_out = buf;
    s->z.avail_out = (uInt)size;
    for (;;) {
        int rc = inflate(&s->z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            s->eof = true;
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            vb_raise_errno(EINVAL);
            return -1;
        }
        if (s->z.avail_out == 0) break;
        /* output room left and no progress without input: feed a byte */
        if (s->z.avail_in == 0 && next_byte(s) < 0) return -1;
    }
    return size - (Py_ssize_t)s->z.avail_out;
}

/* read([size]): everything left, or one read of up to size bytes. */
static PyObject *dio_read(dio_obj *s, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs > 1) {
        PyErr_Format(PyExc_TypeError, "function expected at most 2 arguments, got %zd", nargs + 1);
        return NULL;
    }
    Py_ssize_t want = -1;
    if (nargs == 1 && args[0] != Py_None) {
        want = PyLong_AsSsize_t(args[0]);
        if (want == -1 && PyErr_Occurred()) return NULL;
    }
    if (want >= 0) {
        PyObject *out = PyBytes_FromStringAndSize(NULL, want);
        if (!out) return NULL;
        Py_ssize_t n = dio_read_some(s, (unsigned char *)PyBytes_AS_STRING(out), want);
        if (n < 0 || _PyBytes_Resize(&out, n) < 0) {
            Py_XDECREF(out);
            return NULL;
        }
        return out;
    }
    Py_ssize_t cap = 256, len = 0;
    PyObject *out = PyBytes_FromStringAndSize(NULL, cap);
    while (out) {
        Py_ssize_t n = dio_read_some(s, (unsigned char *)PyBytes_AS_STRING(out) + len, cap - len);
        if (n < 0) break;
        len += n;
        if (n == 0) {
            if (_PyBytes_Resize(&out, len) < 0) return NULL;
            return out;
        }
        if (len == cap && _PyBytes_Resize(&out, cap *= 2) < 0) return NULL;
    }
    Py_XDECREF(out);
    return NULL;
}

/* readinto(buf[, nbytes]): as upstream, reads until the buffer is full or
 * the data ends; the count. */
static PyObject *dio_readinto(dio_obj *s, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < 1 || nargs > 2) {
        PyErr_SetString(PyExc_TypeError, "readinto(buf[, nbytes])");
        return NULL;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(args[0], &view, PyBUF_WRITABLE) < 0) return NULL;
    Py_ssize_t want = view.len;
    if (nargs == 2) {
        Py_ssize_t n = PyLong_AsSsize_t(args[1]);
        if (n == -1 && PyErr_Occurred()) {
            PyBuffer_Release(&view);
            return NULL;
        }
        if (n >= 0 && n < want) want = n;
    }
    Py_ssize_t got = 0;
    while (got < want) {
        Py_ssize_t n = dio_read_some(s, (unsigned char *)view.buf + got, want - got);
        if (n < 0) {
            PyBuffer_Release(&view);
            return NULL;
        }
        if (n == 0) break;
        got += n;
    }
    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(got);
}

/* readline([size]): byte by byte up to and including '\n'. */
static PyObject *dio_readline(dio_obj *s, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t max = -1;
    if (nargs > 1) {
        PyErr_Format(PyExc_TypeError, "function expected at most 2 arguments, got %zd", nargs + 1);
        return NULL;
    }
    if (nargs == 1 && args[0] != Py_None) {
        max = PyLong_AsSsize_t(args[0]);
        if (max == -1 && PyErr_Occurred()) return NULL;
    }
    PyObject *out = PyByteArray_FromStringAndSize(NULL, 0);
    while (out && (max < 0 || PyByteArray_GET_SIZE(out) < max)) {
        unsigned char c;
        Py_ssize_t n = dio_read_some(s, &c, 1);
        if (n < 0) {
            Py_CLEAR(out);
            break;
        }
        if (n == 0) break;
        if (PyByteArray_Resize(out, PyByteArray_GET_SIZE(out) + 1) < 0) {
            Py_CLEAR(out);
            break;
        }
        PyByteArray_AS_STRING(out)[PyByteArray_GET_SIZE(out) - 1] = (char)c;
        if (c == '\n') break;
    }
    if (!out) return NULL;
    PyObject *res = PyBytes_FromStringAndSize(PyByteArray_AS_STRING(out), PyByteArray_GET_SIZE(out));
    Py_DECREF(out);
    return res;
}

/* close(): forgets the source (closing it when asked); later reads are
 * EINVAL. Closing twice is harmless. */
static PyObject *dio_close(dio_obj *s, PyObject *unused)
{
    (void)unused;
    PyObject *src = s->stream;
    if (!src) Py_RETURN_NONE;
    s->stream = NULL;
    if (s->close) {
        PyObject *r = PyObject_CallMethod(src, "close", NULL);
        if (!r) {
            Py_DECREF(src);
            return NULL;
        }
        Py_DECREF(r);
    }
    Py_DECREF(src);
    Py_RETURN_NONE;
}

static PyObject *dio_enter(PyObject *s, PyObject *unused)
{
    (void)unused;
    return Py_NewRef(s);
}

static PyObject *dio_exit(dio_obj *s, PyObject *const *args, Py_ssize_t nargs)
{
    (void)args;
    (void)nargs;
    return dio_close(s, NULL);
}

static PyObject *dio_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    if (kw && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "function doesn't take keyword arguments");
        return NULL;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    if (n < 1) {
        PyErr_SetString(PyExc_TypeError, "function missing 1 required positional arguments");
        return NULL;
    }
    if (n > 4) {
        PyErr_Format(PyExc_TypeError, "function expected at most 4 arguments, got %zd", n);
        return NULL;
    }
    long format = FMT_AUTO, wbits = 0;
    if (n > 1 && (format = PyLong_AsLong(PyTuple_GET_ITEM(args, 1))) == -1 && PyErr_Occurred()) return NULL;
    if (n > 2 && (wbits = PyLong_AsLong(PyTuple_GET_ITEM(args, 2))) == -1 && PyErr_Occurred()) return NULL;
    if (format < FMT_AUTO || format > FMT_GZIP) {
        PyErr_SetString(PyExc_ValueError, "format");
        return NULL;
    }
    if (wbits != 0 && (wbits < 5 || wbits > WBITS_MAX)) {
        PyErr_SetString(PyExc_ValueError, "wbits");
        return NULL;
    }
    int close = n > 3 ? PyObject_IsTrue(PyTuple_GET_ITEM(args, 3)) : 0;
    if (close < 0) return NULL;
    dio_obj *s = (dio_obj *)type->tp_alloc(type, 0);
    if (!s) return NULL;
    s->stream = Py_NewRef(PyTuple_GET_ITEM(args, 0));
    s->format = (int)format;
    s->wbits = (int)wbits;
    s->close = close;
    return (PyObject *)s;
}

static int dio_traverse(dio_obj *s, visitproc visit, void *arg)
{
    Py_VISIT(s->stream);
    Py_VISIT(s->one);
    Py_VISIT(Py_TYPE(s));
    return 0;
}

static int dio_clear(dio_obj *s)
{
    Py_CLEAR(s->stream);
    Py_CLEAR(s->one);
    return 0;
}

static void dio_dealloc(dio_obj *s)
{
    PyTypeObject *tp = Py_TYPE(s);
    PyObject_GC_UnTrack(s);
    dio_clear(s);
    if (s->started) inflateEnd(&s->z);
    tp->tp_free(s);
    Py_DECREF(tp);
}

#define FASTCALL(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL
static PyMethodDef dio_methods[] = {
    {"read", FASTCALL(dio_read), NULL},
    {"readinto", FASTCALL(dio_readinto), NULL},
    {"readline", FASTCALL(dio_readline), NULL},
    {"close", (PyCFunction)dio_close, METH_NOARGS, NULL},
    {"__enter__", dio_enter, METH_NOARGS, NULL},
    {"__exit__", FASTCALL(dio_exit), NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef deflate_def = {
    PyModuleDef_HEAD_INIT, "deflate", NULL, -1, NULL, NULL, NULL, NULL, NULL,
};

PyObject *vb_mod_deflate_create(void)
{
    PyObject *m = PyModule_Create(&deflate_def);
    if (!m) return NULL;
    PyType_Slot slots[] = {
        {Py_tp_new, dio_new},           {Py_tp_dealloc, dio_dealloc}, {Py_tp_traverse, dio_traverse},
        {Py_tp_clear, dio_clear},       {Py_tp_methods, dio_methods}, {0, NULL},
    };
    PyType_Spec spec = {"deflate.DeflateIO", sizeof(dio_obj), 0,
                        Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, slots};
    PyObject *type = PyType_FromSpec(&spec);
    if (!type || PyModule_AddObject(m, "DeflateIO", type) < 0) {
        Py_XDECREF(type);
        goto fail;
    }
    if (PyModule_AddIntConstant(m, "AUTO", FMT_AUTO) < 0 || PyModule_AddIntConstant(m, "RAW", FMT_RAW) < 0 ||
        PyModule_AddIntConstant(m, "ZLIB", FMT_ZLIB) < 0 || PyModule_AddIntConstant(m, "GZIP", FMT_GZIP) < 0)
        goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
