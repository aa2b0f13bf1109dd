/* The board's cryptolib (v1.24's extmod/modcryptolib.c interface, on esp32
 * and rp2): aes(key, mode[, IV]) with encrypt/decrypt(in[, out]). AES is
 * src/util/aes.c (FIPS-197, unit-tested on the standard's vectors), not
 * OpenSSL's: linking libcrypto and fetching its ciphers costs every hard
 * boot some 3-4 ms (measured), the cold-start cost hashlib already avoids
 * by not loading OpenSSL.
 *
 * What the real ports build (mbedtls, MICROPY_PY_CRYPTOLIB on, its _CTR and
 * _CONSTS options off): modes 1 (ECB) and 2 (CBC), no MODE_* constants;
 * 16- or 32-byte keys; upstream's ValueErrors "mode", "key", "IV",
 * "blksize % 16", "output too small" and "can't encrypt & decrypt" (an
 * object is fixed to the direction of its first call). CBC chains across
 * calls: the object keeps the last block. */
#include "engine_int.h"
#include "util/aes.h"

#include <string.h>

/* PEP 272's numbers, as upstream. */
enum { MODE_ECB = 1, MODE_CBC = 2 };
#define BLOCK 16
enum { DIR_NONE, DIR_ENC, DIR_DEC };

typedef struct {
    PyObject_HEAD
    vb_aes_key key;
    int mode;
    int dir;               /* DIR_NONE until the first call fixes it */
    unsigned char iv[BLOCK]; /* CBC's chaining block */
} aes_obj;

static int get_buffer(PyObject *o, Py_buffer *view, int flags)
{
    if (!PyObject_CheckBuffer(o)) {
        PyErr_SetString(PyExc_TypeError, "object with buffer protocol required");
        return -1;
    }
    return PyObject_GetBuffer(o, view, flags);
}

static PyObject *aes_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    if (kw && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "function doesn't take keyword arguments");
        return NULL;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    if (n < 2) {
        PyErr_Format(PyExc_TypeError, "function missing %zd required positional arguments", 2 - n);
        return NULL;
    }
    if (n > 3) {
        PyErr_Format(PyExc_TypeError, "function expected at most 3 arguments, got %zd", n);
        return NULL;
    }
    long mode = PyLong_AsLong(PyTuple_GET_ITEM(args, 1));
    if (mode == -1 && PyErr_Occurred()) return NULL;
    if (mode != MODE_ECB && mode != MODE_CBC) {
        PyErr_SetString(PyExc_ValueError, "mode");
        return NULL;
    }
    Py_buffer key, iv = {0};
    if (get_buffer(PyTuple_GET_ITEM(args, 0), &key, PyBUF_SIMPLE) < 0) return NULL;
    size_t keylen = (size_t)key.len;
    PyObject *res = NULL;
    if (keylen != 16 && keylen != 32) {
        PyErr_SetString(PyExc_ValueError, "key");
        goto out;
    }
    PyObject *ivo = n > 2 ? PyTuple_GET_ITEM(args, 2) : Py_None;
    if (ivo != Py_None) {
        if (get_buffer(ivo, &iv, PyBUF_SIMPLE) < 0) goto out;
        if (iv.len != BLOCK) {
            PyErr_SetString(PyExc_ValueError, "IV");
            goto out;
        }
    } else if (mode == MODE_CBC) {
        PyErr_SetString(PyExc_ValueError, "IV");
        goto out;
    }
    aes_obj *s = (aes_obj *)type->tp_alloc(type, 0);
    if (!s) goto out;
    vb_aes_set_key(&s->key, key.buf, keylen);
    s->mode = (int)mode;
    if (iv.obj) memcpy(s->iv, iv.buf, BLOCK);
    res = (PyObject *)s;
out:
    if (iv.obj) PyBuffer_Release(&iv);
    PyBuffer_Release(&key);
    return res;
}

/* An object is fixed to the direction of its first call; -1 with
 * ValueError for the other one. */
static int set_direction(aes_obj *s, int dir)
{
    if (s->dir != DIR_NONE && s->dir != dir) {
        PyErr_SetString(PyExc_ValueError, "can't encrypt & decrypt");
        return -1;
    }
    s->dir = dir;
    return 0;
}

static PyObject *process(aes_obj *s, PyObject *const *args, Py_ssize_t nargs, int dir)
{
    if (nargs < 1 || nargs > 2) {
        if (nargs < 1) PyErr_SetString(PyExc_TypeError, "function missing 1 required positional arguments");
        else PyErr_Format(PyExc_TypeError, "function expected at most 3 arguments, got %zd", nargs + 1);
        return NULL;
    }
    Py_buffer in, out = {0};
    if (get_buffer(args[0], &in, PyBUF_SIMPLE) < 0) return NULL;
    PyObject *res = NULL, *made = NULL;
    unsigned char *dst;
    if (in.len % BLOCK != 0) {
        PyErr_SetString(PyExc_ValueError, "blksize % 16");
        goto done;
    }
    if (nargs == 2) {
        if (get_buffer(args[1], &out, PyBUF_WRITABLE) < 0) goto done;
        if (out.len < in.len) {
            PyErr_SetString(PyExc_ValueError, "output too small");
            goto done;
        }
        dst = out.buf;
    } else {
        made = PyBytes_FromStringAndSize(NULL, in.len);
        if (!made) goto done;
        dst = (unsigned char *)PyBytes_AS_STRING(made);
    }
    if (set_direction(s, dir) < 0) goto done;
    const unsigned char *src = in.buf;
    if (s->mode == MODE_CBC && dir == DIR_ENC) vb_aes_cbc_encrypt(&s->key, s->iv, src, dst, (size_t)in.len);
    else if (s->mode == MODE_CBC) vb_aes_cbc_decrypt(&s->key, s->iv, src, dst, (size_t)in.len);
    else
        for (Py_ssize_t off = 0; off < in.len; off += BLOCK)
            (dir == DIR_ENC ? vb_aes_encrypt : vb_aes_decrypt)(&s->key, src + off, dst + off);
    res = made ? Py_NewRef(made) : Py_NewRef(args[1]);
done:
    Py_XDECREF(made);
    if (out.obj) PyBuffer_Release(&out);
    PyBuffer_Release(&in);
    return res;
}

static PyObject *aes_encrypt(aes_obj *s, PyObject *const *args, Py_ssize_t nargs)
{
    return process(s, args, nargs, DIR_ENC);
}

static PyObject *aes_decrypt(aes_obj *s, PyObject *const *args, Py_ssize_t nargs)
{
    return process(s, args, nargs, DIR_DEC);
}

static void aes_dealloc(aes_obj *s)
{
    PyTypeObject *tp = Py_TYPE(s);
    memset(&s->key, 0, sizeof s->key);
    tp->tp_free(s);
    Py_DECREF(tp);
}

static PyMethodDef aes_methods[] = {
    {"encrypt", (PyCFunction)(void (*)(void))aes_encrypt, METH_FASTCALL, NULL},
    {"decrypt", (PyCFunction)(void (*)(void))aes_decrypt, METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef cryptolib_def = {
    PyModuleDef_HEAD_INIT, "cryptolib", NULL, -1, NULL, NULL, NULL, NULL, NULL,
};

PyObject *vb_mod_cryptolib_create(void)
{
    PyObject *m = PyModule_Create(&cryptolib_def);
    if (!m) return NULL;
    PyType_Slot slots[] = {
        {Py_tp_new, aes_new}, {Py_tp_dealloc, aes_dealloc}, {Py_tp_methods, aes_methods}, {0, NULL},
    };
    PyType_Spec spec = {"cryptolib.aes", sizeof(aes_obj), 0, Py_TPFLAGS_DEFAULT, slots};
    PyObject *type = PyType_FromSpec(&spec);
    if (!type || PyModule_AddObject(m, "aes", type) < 0) {
        Py_XDECREF(type);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
