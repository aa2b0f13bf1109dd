/* The board's cryptolib (v1.24's extmod/modcryptolib.c interface, on esp32
 * and rp2): aes(key, mode[, IV]) with encrypt/decrypt(in[, out]). AES
 * itself is OpenSSL's (Debian's libcrypto, the standard implementation,
 * rather than an AES of our own).
 *
 * What the real ports build (mbedtls, MICROPY_PY_CRYPTOLIB on, its _CTR and
 * _CONSTS options off): modes 1 (ECB) and 2 (CBC), no MODE_* constants;
 * 16- or 32-byte keys; upstream's ValueErrors "mode", "key", "IV",
 * "blksize % 16", "output too small" and "can't encrypt & decrypt" (an
 * object is fixed to the direction of its first call). CBC chains across
 * calls: the EVP context keeps the last block. */
#include "engine_int.h"

#include <openssl/evp.h>
#include <string.h>

/* PEP 272's numbers, as upstream. */
enum { MODE_ECB = 1, MODE_CBC = 2 };
#define BLOCK 16
enum { DIR_NONE, DIR_ENC, DIR_DEC };

/* The ciphers, fetched once in the zygote (OpenSSL's provider set-up reads
 * its configuration, which the sandboxed VM cannot), read-only after:
 * [mode - 1][key 16 / 32]. */
static EVP_CIPHER *ciphers[2][2];
static const char *const cipher_names[2][2] = {
    {"AES-128-ECB", "AES-256-ECB"},
    {"AES-128-CBC", "AES-256-CBC"},
};

typedef struct {
    PyObject_HEAD
    EVP_CIPHER_CTX *ctx;
    int mode;
    int dir;
    size_t keylen;
    unsigned char key[32];
    unsigned char iv[BLOCK];
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
    s->ctx = EVP_CIPHER_CTX_new();
    if (!s->ctx) {
        Py_DECREF(s);
        PyErr_NoMemory();
        goto out;
    }
    s->mode = (int)mode;
    s->keylen = keylen;
    memcpy(s->key, key.buf, keylen);
    if (iv.obj) memcpy(s->iv, iv.buf, BLOCK);
    res = (PyObject *)s;
out:
    if (iv.obj) PyBuffer_Release(&iv);
    PyBuffer_Release(&key);
    return res;
}

/* The context for the direction of the first call; -1 with ValueError
 * when the object is already fixed to the other one. */
static int set_direction(aes_obj *s, int dir)
{
    if (s->dir == dir) return 0;
    if (s->dir != DIR_NONE) {
        PyErr_SetString(PyExc_ValueError, "can't encrypt & decrypt");
        return -1;
    }
    const EVP_CIPHER *c = ciphers[s->mode - 1][s->keylen == 32];
    if (!c || EVP_CipherInit_ex2(s->ctx, c, s->key, s->mode == MODE_CBC ? s->iv : NULL,
                                 dir == DIR_ENC, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(s->ctx, 0) != 1) {
        PyErr_SetString(PyExc_RuntimeError, "AES set-up failed");
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
    int outl = 0;
    if (in.len > 0 && EVP_CipherUpdate(s->ctx, dst, &outl, in.buf, (int)in.len) != 1) {
        PyErr_SetString(PyExc_RuntimeError, "AES failed");
        goto done;
    }
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
    EVP_CIPHER_CTX_free(s->ctx);
    OPENSSL_cleanse(s->key, sizeof s->key);
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
    for (int m = 0; m < 2; m++)
        for (int k = 0; k < 2; k++)
            if (!ciphers[m][k] && !(ciphers[m][k] = EVP_CIPHER_fetch(NULL, cipher_names[m][k], NULL))) {
                PyErr_Format(PyExc_ImportError, "OpenSSL has no %s", cipher_names[m][k]);
                return NULL;
            }
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
