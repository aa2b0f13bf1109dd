/* The board's uctypes (v1.24's extmod/moductypes.c interface; every port,
 * Pycom's fork included): C-like structures over raw memory.
 *
 * A descriptor is a dict (or OrderedDict) of fields; a scalar field is an
 * int, offset | type (UINT8..INT64, FLOAT32/64, or a BFxxx container with
 * bit position << BF_POS and length << BF_LEN); an aggregate is a tuple:
 * (offset, {struct}), (offset | PTR, type-or-{struct}), (offset | ARRAY,
 * n | scalar type) or (offset | ARRAY, n, {struct}). The encoding is the
 * 32-bit ports' (small ints of 31 bits: 4 type bits on top of a scalar,
 * 2 on top of an aggregate), so the constants print as on the board.
 *
 * Addresses are the VM's own: addressof() of a bytes/bytearray/struct and
 * a struct over it work; any other address reads or writes whatever the
 * VM process has there, and a bad one kills the VM with SIGSEGV, which the
 * supervisor reports like any crash (the VM is the sandbox). Differences
 * from the board: a pointer is the host's (8 bytes, so PTR fields and
 * their sizeof differ from the board's 4); the NATIVE layout is the host's
 * (little-endian, as the boards, with unaligned access allowed); arrays
 * take no slices and signed bitfields read unsigned (as upstream's "TODO").
 * bytearray_at() and an ARRAY of UINT8 field are bytearrays over the
 * memory itself (a bytearray subtype named bytearray that cannot be
 * resized and never frees the memory). */
#include "engine_int.h"

#include <stdint.h>
#include <string.h>

enum { LAYOUT_LE = 0, LAYOUT_BE = 1, LAYOUT_NATIVE = 2 };
/* Scalar types (the 4 bits above a 27-bit offset). */
enum {
    T_UINT8, T_INT8, T_UINT16, T_INT16, T_UINT32, T_INT32, T_UINT64, T_INT64,
    T_BFUINT8, T_BFINT8, T_BFUINT16, T_BFINT16, T_BFUINT32, T_BFINT32,
    T_FLOAT32, T_FLOAT64,
};
/* Aggregate types (the 2 bits above a 29-bit offset). */
enum { A_STRUCT, A_PTR, A_ARRAY };
#define SCALAR_BITS 4
#define AGG_BITS 2
#define BF_POS 17
#define BF_LEN 22
#define BF_OFFSET_MASK ((1u << BF_POS) - 1)
/* type t as the board's 31-bit small int: t in the top bits, sign kept */
#define TYPE_CONST(t, bits) ((int32_t)((uint32_t)(t) << (32 - (bits))) >> 1)
#define GET_TYPE(x, bits) (((uint32_t)(x) >> (31 - (bits))) & ((1u << (bits)) - 1))
#define GET_OFFSET(x, bits) ((uint32_t)(x) & ((1u << (31 - (bits))) - 1))

typedef struct {
    PyObject_HEAD
    PyObject *desc;
    unsigned char *addr;
    int layout;
} st_obj;

/* Both made once per zygote in vb_mod_uctypes_create, read-only after. */
static PyTypeObject *st_type;
static PyTypeObject *byref_type; /* bytearray over foreign memory */

static PyObject *syntax_error(void)
{
    PyErr_SetString(PyExc_TypeError, "syntax error in uctypes descriptor");
    return NULL;
}

/* An int of a descriptor as the board's 32-bit word; -1 with an error. */
static int word_of(PyObject *v, int32_t *out)
{
    if (!PyLong_Check(v)) {
        syntax_error();
        return -1;
    }
    unsigned long long u = PyLong_AsUnsignedLongLongMask(v);
    if (u == (unsigned long long)-1 && PyErr_Occurred()) return -1;
    *out = (int32_t)(uint32_t)u;
    return 0;
}

static size_t scalar_size(unsigned t)
{
    if (t == T_FLOAT32) return 4;
    return (size_t)1 << ((t & 7) >> 1);
}

static Py_ssize_t desc_size(PyObject *desc, int layout, size_t *maxf);

/* A tuple descriptor's (offset, type, ...) checked; its word. */
static int agg_word(PyObject *t, int32_t *w)
{
    if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) < 2) {
        syntax_error();
        return -1;
    }
    return word_of(PyTuple_GET_ITEM(t, 0), w);
}

static Py_ssize_t agg_size(PyObject *t, int layout, size_t *maxf)
{
    int32_t w;
    if (agg_word(t, &w) < 0) return -1;
    switch (GET_TYPE(w, AGG_BITS)) {
    case A_STRUCT: return desc_size(PyTuple_GET_ITEM(t, 1), layout, maxf);
    case A_PTR:
        if (sizeof(void *) > *maxf) *maxf = sizeof(void *);
        return sizeof(void *);
    case A_ARRAY: {
        int32_t n;
        if (word_of(PyTuple_GET_ITEM(t, 1), &n) < 0) return -1;
        size_t count = GET_OFFSET(n, SCALAR_BITS), item;
        if (PyTuple_GET_SIZE(t) == 2) {
            item = scalar_size(GET_TYPE(n, SCALAR_BITS));
            if (item > *maxf) *maxf = item;
        } else {
            Py_ssize_t s = desc_size(PyTuple_GET_ITEM(t, 2), layout, maxf);
            if (s < 0) return -1;
            item = (size_t)s;
        }
        return (Py_ssize_t)(item * count);
    }
    default: syntax_error(); return -1;
    }
}

/* The size of a descriptor: the end of its furthest field, rounded up to
 * its widest scalar in the NATIVE layout. */
static Py_ssize_t desc_size(PyObject *desc, int layout, size_t *maxf)
{
    if (!PyDict_Check(desc)) {
        if (PyTuple_Check(desc)) return agg_size(desc, layout, maxf);
        if (PyLong_Check(desc)) {
            PyErr_SetString(PyExc_TypeError, "Cannot unambiguously get sizeof scalar");
            return -1;
        }
        syntax_error();
        return -1;
    }
    size_t total = 0;
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(desc, &pos, &k, &v)) {
        int32_t w;
        size_t end;
        if (PyLong_Check(v)) {
            if (word_of(v, &w) < 0) return -1;
            unsigned t = GET_TYPE(w, SCALAR_BITS);
            uint32_t off = GET_OFFSET(w, SCALAR_BITS);
            if (t >= T_BFUINT8 && t <= T_BFINT32) off &= BF_OFFSET_MASK;
            size_t s = scalar_size(t);
            if (s > *maxf) *maxf = s;
            end = off + s;
        } else {
            if (agg_word(v, &w) < 0) return -1;
            Py_ssize_t s = agg_size(v, layout, maxf);
            if (s < 0) return -1;
            end = GET_OFFSET(w, AGG_BITS) + (size_t)s;
        }
        if (end > total) total = end;
    }
    if (layout == LAYOUT_NATIVE && *maxf) total = (total + *maxf - 1) & ~(*maxf - 1);
    return (Py_ssize_t)total;
}

/* ---- scalars in memory ------------------------------------------------ */

static uint64_t load_uint(const unsigned char *p, size_t n, int layout)
{
    uint64_t v = 0;
    if (layout == LAYOUT_NATIVE) {
        switch (n) {
        case 1: return *p;
        case 2: { uint16_t x; memcpy(&x, p, 2); return x; }
        case 4: { uint32_t x; memcpy(&x, p, 4); return x; }
        default: memcpy(&v, p, 8); return v;
        }
    }
    for (size_t i = 0; i < n; i++) v |= (uint64_t)p[layout == LAYOUT_BE ? n - 1 - i : i] << (8 * i);
    return v;
}

static void store_uint(unsigned char *p, size_t n, int layout, uint64_t v)
{
    if (layout == LAYOUT_NATIVE) {
        switch (n) {
        case 1: *p = (unsigned char)v; return;
        case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); return; }
        case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); return; }
        default: memcpy(p, &v, 8); return;
        }
    }
    for (size_t i = 0; i < n; i++) p[layout == LAYOUT_BE ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

static PyObject *get_scalar(unsigned t, const unsigned char *p, int layout)
{
    size_t n = scalar_size(t);
    uint64_t u = load_uint(p, n, layout);
    if (t == T_FLOAT32) {
        uint32_t b = (uint32_t)u;
        float f;
        memcpy(&f, &b, 4);
        return PyFloat_FromDouble(f);
    }
    if (t == T_FLOAT64) {
        double d;
        memcpy(&d, &u, 8);
        return PyFloat_FromDouble(d);
    }
    if (!(t & 1)) return PyLong_FromUnsignedLongLong(u);
    if (n < 8 && (u >> (8 * n - 1)) & 1) u |= ~(uint64_t)0 << (8 * n); /* sign-extend */
    return PyLong_FromLongLong((long long)u);
}

static int set_scalar(unsigned t, unsigned char *p, int layout, PyObject *val)
{
    size_t n = scalar_size(t);
    if (t == T_FLOAT32 || t == T_FLOAT64) {
        double d = PyFloat_AsDouble(val);
        if (d == -1.0 && PyErr_Occurred()) return -1;
        uint64_t u = 0;
        if (t == T_FLOAT32) {
            float f = (float)d;
            uint32_t b;
            memcpy(&b, &f, 4);
            u = b;
        } else {
            memcpy(&u, &d, 8);
        }
        store_uint(p, n, layout, u);
        return 0;
    }
    if (!PyLong_Check(val)) {
        PyErr_Format(PyExc_TypeError, "can't convert %s to int", Py_TYPE(val)->tp_name);
        return -1;
    }
    uint64_t u = PyLong_AsUnsignedLongLongMask(val); /* truncated, as upstream */
    if (u == (uint64_t)-1 && PyErr_Occurred()) return -1;
    store_uint(p, n, layout, u);
    return 0;
}

/* ---- the struct type --------------------------------------------------- */

static PyObject *new_struct(PyObject *desc, unsigned char *addr, int layout)
{
    st_obj *o = PyObject_GC_New(st_obj, st_type);
    if (!o) return NULL;
    o->desc = Py_NewRef(desc);
    o->addr = addr;
    o->layout = layout;
    PyObject_GC_Track(o);
    return (PyObject *)o;
}

static PyObject *bytearray_at(unsigned char *addr, Py_ssize_t n)
{
    PyByteArrayObject *b = (PyByteArrayObject *)byref_type->tp_alloc(byref_type, 0);
    if (!b) return NULL;
    b->ob_bytes = b->ob_start = (char *)addr;
    Py_SET_SIZE(b, n);
    b->ob_alloc = n;
    b->ob_exports = 1; /* a resize would realloc memory that is not ours: refused */
    return (PyObject *)b;
}

static void byref_dealloc(PyObject *o)
{
    PyByteArrayObject *b = (PyByteArrayObject *)o;
    PyTypeObject *tp = Py_TYPE(o);
    b->ob_exports = 0;
    b->ob_bytes = b->ob_start = NULL; /* not ours to free */
    Py_SET_SIZE(b, 0);
    b->ob_alloc = 0;
    PyByteArray_Type.tp_dealloc(o);
    Py_DECREF(tp);
}

static PyObject *st_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    (void)type;
    if (kw && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "function doesn't take keyword arguments");
        return NULL;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    if (n < 2 || n > 3) {
        if (n < 2) PyErr_Format(PyExc_TypeError, "function missing %zd required positional arguments", 2 - n);
        else PyErr_Format(PyExc_TypeError, "function expected at most 3 arguments, got %zd", n);
        return NULL;
    }
    PyObject *a = PyTuple_GET_ITEM(args, 0);
    if (!PyLong_Check(a)) {
        PyErr_Format(PyExc_TypeError, "can't convert %s to int", Py_TYPE(a)->tp_name);
        return NULL;
    }
    unsigned long long addr = PyLong_AsUnsignedLongLongMask(a);
    if (addr == (unsigned long long)-1 && PyErr_Occurred()) return NULL;
    long layout = LAYOUT_NATIVE;
    if (n == 3 && (layout = PyLong_AsLong(PyTuple_GET_ITEM(args, 2))) == -1 && PyErr_Occurred()) return NULL;
    return new_struct(PyTuple_GET_ITEM(args, 1), (unsigned char *)(uintptr_t)addr, (int)layout);
}

static PyObject *st_repr(st_obj *s)
{
    const char *kind = "ERROR";
    int32_t w;
    if (PyDict_Check(s->desc)) kind = "STRUCT";
    else if (PyTuple_Check(s->desc) && PyTuple_GET_SIZE(s->desc) > 0 &&
             PyLong_Check(PyTuple_GET_ITEM(s->desc, 0)) && word_of(PyTuple_GET_ITEM(s->desc, 0), &w) == 0) {
        unsigned t = GET_TYPE(w, AGG_BITS);
        kind = t == A_PTR ? "PTR" : t == A_ARRAY ? "ARRAY" : "unk";
    }
    PyErr_Clear();
    char buf[64];
    PyOS_snprintf(buf, sizeof buf, "<struct %s %llx>", kind, (unsigned long long)(uintptr_t)s->addr);
    return PyUnicode_FromString(buf);
}

/* The field name of desc: its value (borrowed), or NULL with KeyError. */
static PyObject *field(st_obj *s, PyObject *name)
{
    if (!PyDict_Check(s->desc)) {
        PyErr_SetString(PyExc_TypeError, "struct: no fields");
        return NULL;
    }
    PyObject *v = PyDict_GetItemWithError(s->desc, name);
    if (!v && !PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, name);
    return v;
}

static PyObject *st_getattr(st_obj *s, PyObject *name)
{
    /* Python's own dunders (__class__, ...) still work */
    if (PyUnicode_Check(name) && PyUnicode_GET_LENGTH(name) > 0 && PyUnicode_READ_CHAR(name, 0) == '_' &&
        (!PyDict_Check(s->desc) || !PyDict_Contains(s->desc, name)))
        return PyObject_GenericGetAttr((PyObject *)s, name);
    PyObject *v = field(s, name);
    if (!v) return NULL;
    int32_t w;
    if (PyLong_Check(v)) {
        if (word_of(v, &w) < 0) return NULL;
        unsigned t = GET_TYPE(w, SCALAR_BITS);
        uint32_t off = GET_OFFSET(w, SCALAR_BITS);
        if (t < T_BFUINT8 || t > T_BFINT32) return get_scalar(t, s->addr + off, s->layout);
        unsigned pos = (off >> BF_POS) & 31, len = (off >> BF_LEN) & 31;
        uint64_t c = load_uint(s->addr + (off & BF_OFFSET_MASK), scalar_size(t), s->layout);
        return PyLong_FromUnsignedLongLong((c >> pos) & ((1ull << len) - 1));
    }
    if (agg_word(v, &w) < 0) return NULL;
    unsigned char *p = s->addr + GET_OFFSET(w, AGG_BITS);
    switch (GET_TYPE(w, AGG_BITS)) {
    case A_STRUCT: return new_struct(PyTuple_GET_ITEM(v, 1), p, s->layout);
    case A_ARRAY:
        if (PyTuple_GET_SIZE(v) == 2) {
            int32_t n;
            if (word_of(PyTuple_GET_ITEM(v, 1), &n) < 0) return NULL;
            if (GET_TYPE(n, SCALAR_BITS) == T_UINT8) return bytearray_at(p, GET_OFFSET(n, SCALAR_BITS));
        }
        return new_struct(v, p, s->layout);
    case A_PTR: return new_struct(v, p, s->layout);
    default: return syntax_error();
    }
}

static int st_setattr(st_obj *s, PyObject *name, PyObject *val)
{
    if (!val) {
        PyErr_SetString(PyExc_AttributeError, "can't delete a struct field");
        return -1;
    }
    PyObject *v = field(s, name);
    if (!v) return -1;
    int32_t w;
    if (PyLong_Check(v)) {
        if (word_of(v, &w) < 0) return -1;
        unsigned t = GET_TYPE(w, SCALAR_BITS);
        uint32_t off = GET_OFFSET(w, SCALAR_BITS);
        if (t < T_BFUINT8 || t > T_BFINT32) return set_scalar(t, s->addr + off, s->layout, val);
        unsigned pos = (off >> BF_POS) & 31, len = (off >> BF_LEN) & 31;
        unsigned char *p = s->addr + (off & BF_OFFSET_MASK);
        size_t n = scalar_size(t);
        long long x = PyLong_AsLongLong(val);
        if (x == -1 && PyErr_Occurred()) return -1;
        uint64_t mask = ((1ull << len) - 1) << pos;
        uint64_t c = load_uint(p, n, s->layout);
        store_uint(p, n, s->layout, (c & ~mask) | (((uint64_t)x << pos) & mask));
        return 0;
    }
    /* an aggregate (a pointer too, in v1.24) cannot be assigned */
    syntax_error();
    return -1;
}

/* s[index] (value NULL) or s[index] = value, on an ARRAY or PTR. */
static PyObject *subscript(st_obj *s, PyObject *key, PyObject *value)
{
    if (!PyTuple_Check(s->desc)) {
        PyErr_SetString(PyExc_TypeError, "struct: can't index");
        return NULL;
    }
    if (!PyLong_Check(key)) {
        PyErr_SetString(PyExc_TypeError, "struct: can't index");
        return NULL;
    }
    Py_ssize_t index = PyLong_AsSsize_t(key);
    if (index == -1 && PyErr_Occurred()) return NULL;
    int32_t w, n = 0;
    if (agg_word(s->desc, &w) < 0) return NULL;
    PyObject *elem = PyTuple_GET_ITEM(s->desc, 1);
    unsigned agg = GET_TYPE(w, AGG_BITS);
    unsigned char *base = s->addr;
    int layout = s->layout;
    PyObject *sub = NULL; /* the element descriptor of an aggregate */
    if (agg == A_ARRAY) {
        if (word_of(elem, &n) < 0) return NULL;
        if (index >= (Py_ssize_t)GET_OFFSET(n, SCALAR_BITS)) {
            PyErr_SetString(PyExc_IndexError, "struct: index out of range");
            return NULL;
        }
        if (PyTuple_GET_SIZE(s->desc) > 2) sub = PyTuple_GET_ITEM(s->desc, 2);
    } else if (agg == A_PTR) {
        memcpy(&base, s->addr, sizeof base);
        if (PyLong_Check(elem)) {
            if (word_of(elem, &n) < 0) return NULL;
            layout = LAYOUT_NATIVE; /* upstream reads a pointed-to scalar natively */
        } else {
            sub = elem;
        }
    } else {
        PyErr_SetString(PyExc_TypeError, "struct: can't index");
        return NULL;
    }
    if (sub) {
        if (value) {
            PyErr_SetNone(PyExc_TypeError);
            return NULL;
        }
        size_t maxf = 0;
        Py_ssize_t size = desc_size(sub, s->layout, &maxf);
        return size < 0 ? NULL : new_struct(sub, base + size * index, s->layout);
    }
    unsigned t = GET_TYPE(n, SCALAR_BITS);
    unsigned char *p = base + (Py_ssize_t)scalar_size(t) * index;
    if (!value) return get_scalar(t, p, layout);
    return set_scalar(t, p, layout, value) < 0 ? NULL : Py_NewRef(Py_None);
}

static PyObject *st_getitem(st_obj *s, PyObject *key)
{
    return subscript(s, key, NULL);
}

static int st_setitem(st_obj *s, PyObject *key, PyObject *value)
{
    if (!value) {
        PyErr_SetString(PyExc_TypeError, "'struct' object doesn't support item deletion");
        return -1;
    }
    PyObject *r = subscript(s, key, value);
    Py_XDECREF(r);
    return r ? 0 : -1;
}

/* int(s) of a PTR: the address it holds. */
static PyObject *st_int(st_obj *s)
{
    int32_t w;
    if (PyTuple_Check(s->desc) && agg_word(s->desc, &w) == 0 && GET_TYPE(w, AGG_BITS) == A_PTR) {
        void *p;
        memcpy(&p, s->addr, sizeof p);
        return PyLong_FromUnsignedLongLong((uintptr_t)p);
    }
    PyErr_Clear();
    PyErr_SetString(PyExc_TypeError, "unsupported type for __int__: 'struct'");
    return NULL;
}

static int st_getbuffer(st_obj *s, Py_buffer *view, int flags)
{
    size_t maxf = 0;
    Py_ssize_t size = desc_size(s->desc, s->layout, &maxf);
    if (size < 0) return -1;
    return PyBuffer_FillInfo(view, (PyObject *)s, s->addr, size, 0, flags);
}

static int st_traverse(st_obj *s, visitproc visit, void *arg)
{
    Py_VISIT(s->desc);
    Py_VISIT(Py_TYPE(s));
    return 0;
}

static int st_clear(st_obj *s)
{
    Py_CLEAR(s->desc);
    return 0;
}

static void st_dealloc(st_obj *s)
{
    PyTypeObject *tp = Py_TYPE(s);
    PyObject_GC_UnTrack(s);
    st_clear(s);
    tp->tp_free(s);
    Py_DECREF(tp);
}

/* ---- module functions ---------------------------------------------------- */

static PyObject *m_sizeof(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    (void)mod;
    if (nargs < 1 || nargs > 2) {
        PyErr_Format(PyExc_TypeError, "function expected at most 2 arguments, got %zd", nargs);
        return NULL;
    }
    PyObject *obj = args[0];
    if (PyByteArray_Check(obj)) return PyLong_FromSsize_t(PyByteArray_GET_SIZE(obj));
    long layout = LAYOUT_NATIVE;
    if (Py_IS_TYPE(obj, st_type)) {
        if (nargs != 1) {
            PyErr_SetNone(PyExc_TypeError);
            return NULL;
        }
        layout = ((st_obj *)obj)->layout;
        obj = ((st_obj *)obj)->desc;
    } else if (nargs == 2 && (layout = PyLong_AsLong(args[1])) == -1 && PyErr_Occurred()) {
        return NULL;
    }
    size_t maxf = 0;
    Py_ssize_t size = desc_size(obj, (int)layout, &maxf);
    return size < 0 ? NULL : PyLong_FromSsize_t(size);
}

static PyObject *m_addressof(PyObject *mod, PyObject *obj)
{
    (void)mod;
    if (!PyObject_CheckBuffer(obj)) {
        PyErr_SetString(PyExc_TypeError, "object with buffer protocol required");
        return NULL;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0) return NULL;
    uintptr_t a = (uintptr_t)view.buf;
    PyBuffer_Release(&view);
    return PyLong_FromUnsignedLongLong(a);
}

/* (address, size) of bytes_at / bytearray_at; -1 with an exception. */
static int addr_size(PyObject *const *args, Py_ssize_t nargs, unsigned char **addr, Py_ssize_t *size)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "function takes 2 positional arguments but %zd were given", nargs);
        return -1;
    }
    unsigned long long a = PyLong_AsUnsignedLongLongMask(args[0]);
    if (a == (unsigned long long)-1 && PyErr_Occurred()) return -1;
    *size = PyLong_AsSsize_t(args[1]);
    if (*size == -1 && PyErr_Occurred()) return -1;
    if (*size < 0) *size = 0;
    *addr = (unsigned char *)(uintptr_t)a;
    return 0;
}

static PyObject *m_bytes_at(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    (void)mod;
    unsigned char *a;
    Py_ssize_t n;
    if (addr_size(args, nargs, &a, &n) < 0) return NULL;
    return PyBytes_FromStringAndSize((const char *)a, n);
}

static PyObject *m_bytearray_at(PyObject *mod, PyObject *const *args, Py_ssize_t nargs)
{
    (void)mod;
    unsigned char *a;
    Py_ssize_t n;
    if (addr_size(args, nargs, &a, &n) < 0) return NULL;
    return bytearray_at(a, n);
}

#define FASTCALL(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL
static PyMethodDef functions[] = {
    {"sizeof", FASTCALL(m_sizeof), NULL},
    {"addressof", m_addressof, METH_O, NULL},
    {"bytes_at", FASTCALL(m_bytes_at), NULL},
    {"bytearray_at", FASTCALL(m_bytearray_at), NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef uctypes_def = {
    PyModuleDef_HEAD_INIT, "uctypes", NULL, -1, functions, NULL, NULL, NULL, NULL,
};

static const struct {
    const char *name;
    int32_t value;
} constants[] = {
    {"NATIVE", LAYOUT_NATIVE},
    {"LITTLE_ENDIAN", LAYOUT_LE},
    {"BIG_ENDIAN", LAYOUT_BE},
    {"VOID", TYPE_CONST(T_UINT8, SCALAR_BITS)},
    {"UINT8", TYPE_CONST(T_UINT8, SCALAR_BITS)},
    {"INT8", TYPE_CONST(T_INT8, SCALAR_BITS)},
    {"UINT16", TYPE_CONST(T_UINT16, SCALAR_BITS)},
    {"INT16", TYPE_CONST(T_INT16, SCALAR_BITS)},
    {"UINT32", TYPE_CONST(T_UINT32, SCALAR_BITS)},
    {"INT32", TYPE_CONST(T_INT32, SCALAR_BITS)},
    {"UINT64", TYPE_CONST(T_UINT64, SCALAR_BITS)},
    {"INT64", TYPE_CONST(T_INT64, SCALAR_BITS)},
    {"BFUINT8", TYPE_CONST(T_BFUINT8, SCALAR_BITS)},
    {"BFINT8", TYPE_CONST(T_BFINT8, SCALAR_BITS)},
    {"BFUINT16", TYPE_CONST(T_BFUINT16, SCALAR_BITS)},
    {"BFINT16", TYPE_CONST(T_BFINT16, SCALAR_BITS)},
    {"BFUINT32", TYPE_CONST(T_BFUINT32, SCALAR_BITS)},
    {"BFINT32", TYPE_CONST(T_BFINT32, SCALAR_BITS)},
    {"BF_POS", BF_POS},
    {"BF_LEN", BF_LEN},
    {"FLOAT32", TYPE_CONST(T_FLOAT32, SCALAR_BITS)},
    {"FLOAT64", TYPE_CONST(T_FLOAT64, SCALAR_BITS)},
    /* C's types on the boards' 32-bit targets (MICROPY_PY_UCTYPES_NATIVE_C_TYPES) */
    {"SHORT", TYPE_CONST(T_INT16, SCALAR_BITS)},
    {"USHORT", TYPE_CONST(T_UINT16, SCALAR_BITS)},
    {"INT", TYPE_CONST(T_INT32, SCALAR_BITS)},
    {"UINT", TYPE_CONST(T_UINT32, SCALAR_BITS)},
    {"LONG", TYPE_CONST(T_INT32, SCALAR_BITS)},
    {"ULONG", TYPE_CONST(T_UINT32, SCALAR_BITS)},
    {"LONGLONG", TYPE_CONST(T_INT64, SCALAR_BITS)},
    {"ULONGLONG", TYPE_CONST(T_UINT64, SCALAR_BITS)},
    {"PTR", TYPE_CONST(A_PTR, AGG_BITS)},
    {"ARRAY", TYPE_CONST(A_ARRAY, AGG_BITS)},
};

static int make_types(void)
{
    if (!st_type) {
        PyType_Slot slots[] = {
            {Py_tp_new, st_new},
            {Py_tp_dealloc, st_dealloc},
            {Py_tp_traverse, st_traverse},
            {Py_tp_clear, st_clear},
            {Py_tp_repr, st_repr},
            {Py_tp_getattro, st_getattr},
            {Py_tp_setattro, st_setattr},
            {Py_mp_subscript, st_getitem},
            {Py_mp_ass_subscript, st_setitem},
            {Py_nb_int, st_int},
            {Py_bf_getbuffer, st_getbuffer},
            {0, NULL},
        };
        PyType_Spec spec = {"uctypes.struct", sizeof(st_obj), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, slots};
        st_type = (PyTypeObject *)PyType_FromSpec(&spec);
        if (!st_type) return -1;
    }
    if (!byref_type) {
        PyType_Slot slots[] = {{Py_tp_dealloc, byref_dealloc}, {0, NULL}};
        PyType_Spec spec = {"uctypes.bytearray", 0, 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
                            slots};
        byref_type = (PyTypeObject *)PyType_FromSpecWithBases(&spec, (PyObject *)&PyByteArray_Type);
        if (!byref_type) return -1;
    }
    return 0;
}

PyObject *vb_mod_uctypes_create(void)
{
    if (make_types() < 0) return NULL;
    PyObject *m = PyModule_Create(&uctypes_def);
    if (!m) return NULL;
    if (PyModule_AddObjectRef(m, "struct", (PyObject *)st_type) < 0) goto fail;
    for (size_t i = 0; i < sizeof constants / sizeof constants[0]; i++)
        if (PyModule_AddIntConstant(m, constants[i].name, constants[i].value) < 0) goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
