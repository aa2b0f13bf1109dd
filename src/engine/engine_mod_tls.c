/* TLS over the board's sockets (issue 13 §3): the v1.24 `tls` module
 * (esp32) and `ssl` on top of it (esp32 and Pycom), over OpenSSL's libssl
 * (Debian's libssl-dev; the library CPython's own _ssl uses).
 *
 * The TLS engine never touches the descriptor: it talks to two memory
 * BIOs, and the bytes go through the board socket's own receive and send
 * (engine_mod_socket.c), so waits are on board time, Ctrl-C works and a
 * socket's timeout and blocking mode hold for the TLS stream too.
 *
 * What device code sees is MicroPython's (extmod/modtls_mbedtls.c and
 * extmod/ssl/ssl.py): SSLContext(protocol) with verify_mode,
 * load_cert_chain(cert, key) and load_verify_locations(cadata) taking the
 * certificates' bytes (PEM or DER; ssl's also take a file name on the
 * board), wrap_socket(sock, server_side=, do_handshake_on_connect=,
 * server_hostname=) giving a stream with read/readinto/readline/write/
 * setblocking/close; ssl.wrap_socket(sock, server_side, key, cert,
 * cert_reqs, cadata, server_hostname, do_handshake); errors as mbedTLS
 * raises them, OSError(code, text). A client context verifies by default
 * (CERT_REQUIRED) and the board has no CA bundle, as a real board has none:
 * the certificates come from device code or its files. A peer that closes
 * without close_notify ends the stream (b'') once the handshake is done. */
#include "engine_int.h"

#include <errno.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

enum { PROTOCOL_TLS_CLIENT = 0, PROTOCOL_TLS_SERVER = 1 };
enum { CERT_NONE = 0, CERT_OPTIONAL = 1, CERT_REQUIRED = 2 };

/* mbedTLS's error codes and texts for what can go wrong here (mbedtls
 * error.c), as the port raises them: OSError(code, text). */
typedef struct tls_err {
    int code;
    const char *text;
} tls_err;
static const tls_err ERR_VERIFY = {-0x2700, "X509 - Certificate verification failed, e.g. CRL, CA or signature check failed"};
static const tls_err ERR_EOF = {-0x7280, "SSL - The connection indicated an EOF"};
static const tls_err ERR_ALERT = {-0x7780, "SSL - A fatal alert message was received from our peer"};
static const tls_err ERR_HANDSHAKE = {-0x6A80, "SSL - Processing of the ServerHello handshake message failed"};
static const tls_err ERR_X509_FORMAT = {-0x2180, "X509 - The CRT/CRL/CSR format is invalid, e.g. different type expected"};
static const tls_err ERR_KEY_FORMAT = {-0x3D00, "PK - Invalid key tag or value"};

static PyObject *raise_tls(tls_err e) { return vb_raise_oserror_signed(e.code, e.text); }

/* ---- contexts ----------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    SSL_CTX *ctx;
    int protocol;
    int verify_mode;
} ctx_obj;

/* The types, made once per engine (module state shared by every import;
 * why global: see vb_engine_g). */
static PyTypeObject *ctx_type, *tls_sock_type;

static PyObject *c_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    int protocol;
    if (kw && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "function doesn't take keyword arguments");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "i:SSLContext", &protocol)) return NULL;
    if (protocol != PROTOCOL_TLS_CLIENT && protocol != PROTOCOL_TLS_SERVER) {
        PyErr_SetString(PyExc_ValueError, "invalid protocol");
        return NULL;
    }
    /* OpenSSL starts at the first context: in the VM, so boards that
     * never use TLS do not pay for it at every hard boot. It reads no file
     * (the sandbox would refuse one). */
    if (!OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL)) return vb_raise_errno(ENOMEM);
    ctx_obj *c = (ctx_obj *)type->tp_alloc(type, 0);
    if (!c) return NULL;
    c->protocol = protocol;
    c->verify_mode = protocol == PROTOCOL_TLS_CLIENT ? CERT_REQUIRED : CERT_NONE;
    c->ctx = SSL_CTX_new(protocol == PROTOCOL_TLS_CLIENT ? TLS_client_method() : TLS_server_method());
    if (!c->ctx) {
        Py_DECREF(c);
        return vb_raise_errno(ENOMEM);
    }
    SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
    /* no default CA paths: the board has none */
    return (PyObject *)c;
}

static void c_dealloc(ctx_obj *c)
{
    PyTypeObject *tp = Py_TYPE(c);
    if (c->ctx) SSL_CTX_free(c->ctx);
    tp->tp_free(c);
    Py_DECREF(tp);
}

static PyObject *c_get_verify(ctx_obj *c, void *u)
{
    (void)u;
    return PyLong_FromLong(c->verify_mode);
}

static int c_set_verify(ctx_obj *c, PyObject *v, void *u)
{
    (void)u;
    long m = v ? PyLong_AsLong(v) : -1;
    if (m == -1 && PyErr_Occurred()) return -1;
    if (m < CERT_NONE || m > CERT_REQUIRED) {
        PyErr_SetString(PyExc_ValueError, "invalid verify_mode");
        return -1;
    }
    c->verify_mode = (int)m;
    return 0;
}

static PyObject *c_get_protocol(ctx_obj *c, void *u)
{
    (void)u;
    return PyLong_FromLong(c->protocol);
}

/* A certificate or key argument: bytes as they are; a str names a file
 * on the board (ssl's form), read through the board's own open(). New
 * reference. */
static PyObject *cert_bytes(PyObject *o)
{
    if (!PyUnicode_Check(o)) {
        Py_INCREF(o);
        return o;
    }
    PyObject *builtins = PyEval_GetBuiltins();    /* borrowed */
    PyObject *open = builtins ? PyDict_GetItemString(builtins, "open") : NULL;
    PyObject *f = open ? PyObject_CallFunction(open, "Os", o, "rb") : NULL;
    PyObject *data = f ? PyObject_CallMethod(f, "read", NULL) : NULL;
    if (f) {
        PyObject *r = PyObject_CallMethod(f, "close", NULL);
        Py_XDECREF(r);
        Py_DECREF(f);
    }
    return data;
}

/* The bytes of a certificate or key argument. 0 / -1. */
static int bytes_arg(PyObject *o, Py_buffer *b)
{
    PyObject *data = cert_bytes(o);
    int rc = data ? PyObject_GetBuffer(data, b, PyBUF_SIMPLE) : -1;
    Py_XDECREF(data);              /* the buffer holds its own reference */
    return rc;
}

/* Every certificate in buf (PEM: one or more; else one DER), added to
 * the store, or handed to fn. The count, or -1. */
static int each_cert(const Py_buffer *b, int (*fn)(void *arg, X509 *x), void *arg)
{
    BIO *bio = BIO_new_mem_buf(b->buf, (int)b->len);
    if (!bio) return -1;
    int n = 0;
    if (b->len > 10 && memmem(b->buf, (size_t)b->len, "-----BEGIN", 10)) {
        X509 *x;
        while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
            int rc = fn(arg, x);
            X509_free(x);
            if (rc < 0) break;
            n++;
        }
    } else {
        X509 *x = d2i_X509_bio(bio, NULL);
        if (x) {
            if (fn(arg, x) == 0) n = 1;
            X509_free(x);
        }
    }
    BIO_free(bio);
    ERR_clear_error();
    return n > 0 ? n : -1;
}

static int add_ca(void *arg, X509 *x) { return X509_STORE_add_cert(SSL_CTX_get_cert_store(arg), x) == 1 ? 0 : -1; }

/* load_verify_locations(cadata) (tls), load_verify_locations(cafile=None,
 * cadata=None) (ssl): one positional argument is taken for what it is. */
static PyObject *c_load_verify(ctx_obj *c, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"cafile", "cadata", NULL};
    PyObject *file = Py_None, *data = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OO:load_verify_locations", kwlist, &file, &data)) return NULL;
    if (data == Py_None) data = file;
    if (data == Py_None) {
        PyErr_SetString(PyExc_TypeError, "load_verify_locations needs cadata");
        return NULL;
    }
    Py_buffer b;
    if (bytes_arg(data, &b) < 0) return NULL;
    int n = each_cert(&b, add_ca, c->ctx);
    PyBuffer_Release(&b);
    if (n < 0) return raise_tls(ERR_X509_FORMAT);
    Py_RETURN_NONE;
}

/* The chain: the first certificate is ours, any others go with it. */
typedef struct chain_state {
    SSL_CTX *ctx;
    int n;
} chain_state;

static int add_chain(void *arg, X509 *x)
{
    chain_state *st = arg;
    int ok = st->n++ == 0 ? SSL_CTX_use_certificate(st->ctx, x) : SSL_CTX_add1_chain_cert(st->ctx, x);
    return ok == 1 ? 0 : -1;
}

static EVP_PKEY *parse_key(const Py_buffer *b)
{
    BIO *bio = BIO_new_mem_buf(b->buf, (int)b->len);
    if (!bio) return NULL;
    EVP_PKEY *k = memmem(b->buf, (size_t)b->len, "-----BEGIN", 10) ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)
                                                                   : d2i_PrivateKey_bio(bio, NULL);
    BIO_free(bio);
    ERR_clear_error();
    return k;
}

static PyObject *c_load_cert_chain(ctx_obj *c, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"certfile", "keyfile", NULL};
    PyObject *certo, *keyo;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO:load_cert_chain", kwlist, &certo, &keyo)) return NULL;
    Py_buffer cert, key;
    if (bytes_arg(certo, &cert) < 0) return NULL;
    if (bytes_arg(keyo, &key) < 0) {
        PyBuffer_Release(&cert);
        return NULL;
    }
    chain_state st = {c->ctx, 0};
    int n = each_cert(&cert, add_chain, &st);
    EVP_PKEY *k = n > 0 ? parse_key(&key) : NULL;
    bool ok = k && SSL_CTX_use_PrivateKey(c->ctx, k) == 1 && SSL_CTX_check_private_key(c->ctx) == 1;
    if (k) EVP_PKEY_free(k);
    ERR_clear_error();
    PyBuffer_Release(&cert);
    PyBuffer_Release(&key);
    if (n < 0) return raise_tls(ERR_X509_FORMAT);
    if (!ok) return raise_tls(ERR_KEY_FORMAT);
    Py_RETURN_NONE;
}

static PyObject *c_set_ciphers(ctx_obj *c, PyObject *list)
{
    (void)c;
    if (!PyList_Check(list) && !PyTuple_Check(list)) {
        PyErr_SetString(PyExc_TypeError, "object isn't a list");
        return NULL;
    }
    Py_RETURN_NONE;                /* the names are mbedTLS's: kept as asked, OpenSSL's choice stays */
}

static PyObject *c_get_ciphers(ctx_obj *c, PyObject *u)
{
    (void)u;
    STACK_OF(SSL_CIPHER) *sk = SSL_CTX_get_ciphers(c->ctx);
    PyObject *list = PyList_New(0);
    for (int i = 0; list && sk && i < sk_SSL_CIPHER_num(sk); i++) {
        PyObject *n = PyUnicode_FromString(SSL_CIPHER_standard_name(sk_SSL_CIPHER_value(sk, i)));
        if (!n || PyList_Append(list, n) < 0) Py_CLEAR(list);
        Py_XDECREF(n);
    }
    return list;
}

/* ---- TLS streams ---------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    PyObject *sock;            /* the board socket underneath */
    SSL *ssl;
    BIO *in, *out;             /* memory BIOs: bytes from and to the socket (owned by ssl) */
    bool handshaken, closed, eof;
} tls_obj;

/* Everything the TLS engine wrote, out through the socket. 0 / -1. */
static int flush_out(tls_obj *t)
{
    char buf[16384];
    int n;
    while ((n = BIO_read(t->out, buf, sizeof buf)) > 0)
        if (vb_socket_send_all(t->sock, buf, (size_t)n) < 0) return -1;
    return 0;
}

/* Bytes from the socket for the TLS engine: 1, 0 at the end of the
 * stream (the engine is told), -2 when a non-blocking socket has none,
 * -1 with the exception. */
static int feed_in(tls_obj *t)
{
    char buf[16384];
    Py_ssize_t r = vb_socket_recv(t->sock, buf, sizeof buf);
    if (r < 0) return (int)r;
    if (r == 0) {
        t->eof = true;
        BIO_set_mem_eof_return(t->in, 0);
        return 0;
    }
    BIO_write(t->in, buf, (int)r);
    return 1;
}

static PyObject *raise_failure(tls_obj *t)
{
    long v = SSL_get_verify_result(t->ssl);
    unsigned long e = ERR_peek_last_error();
    ERR_clear_error();
    if (v != X509_V_OK) return raise_tls(ERR_VERIFY);
    if (t->eof) return raise_tls(ERR_EOF);
    if (ERR_GET_REASON(e) >= SSL_AD_REASON_OFFSET) return raise_tls(ERR_ALERT);
    return raise_tls(ERR_HANDSHAKE);
}

/* 1 done, -2 a non-blocking socket must wait, -1 with the exception. */
static int handshake(tls_obj *t)
{
    while (!t->handshaken) {
        int r = SSL_do_handshake(t->ssl);
        if (flush_out(t) < 0) return -1;
        if (r == 1) {
            t->handshaken = true;
            break;
        }
        int e = SSL_get_error(t->ssl, r);
        if (e != SSL_ERROR_WANT_READ || t->eof) {
            raise_failure(t);
            return -1;
        }
        int f = feed_in(t);
        if (f == -2 || f == -1) return f;
    }
    return 1;
}

static int check_stream(tls_obj *t)
{
    if (!t->closed) return 0;
    vb_raise_errno(EBADF);
    return -1;
}

/* One read of up to n bytes: the count, 0 at the end, -2 nothing yet on a
 * non-blocking socket, -1 with the exception. */
static Py_ssize_t tls_read(tls_obj *t, char *buf, size_t n)
{
    if (check_stream(t) < 0) return -1;
    int h = handshake(t);
    if (h != 1) return h;
    if (n == 0) return 0;
    for (;;) {
        int r = SSL_read(t->ssl, buf, n > INT32_MAX ? INT32_MAX : (int)n);
        if (flush_out(t) < 0) return -1;
        if (r > 0) return r;
        int e = SSL_get_error(t->ssl, r);
        if (e == SSL_ERROR_ZERO_RETURN || t->eof) {
            ERR_clear_error();
            return 0;
        }
        if (e != SSL_ERROR_WANT_READ) {
            raise_failure(t);
            return -1;
        }
        int f = feed_in(t);
        if (f == -2 || f == -1) return f;
    }
}

static Py_ssize_t read_once(void *obj, char *buf, size_t n) { return tls_read(obj, buf, n); }

static PyObject *s_read(tls_obj *t, PyObject *const *args, Py_ssize_t nargs)
{
    return vb_stream_read(read_once, t, false, args, nargs);
}

static PyObject *s_readinto(tls_obj *t, PyObject *const *args, Py_ssize_t nargs)
{
    return vb_stream_readinto(read_once, t, false, args, nargs);
}

/* readline([limit]): byte by byte, as py/stream.c reads a line. */
static PyObject *s_readline(tls_obj *t, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t limit = -1;
    if (nargs > 1 || (nargs == 1 && (limit = PyLong_AsSsize_t(args[0])) == -1 && PyErr_Occurred())) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "readline([limit])");
        return NULL;
    }
    return vb_stream_readline(read_once, t, limit);
}

static PyObject *s_write(tls_obj *t, PyObject *data)
{
    vb_buf b;
    if (check_stream(t) < 0 || vb_buf_get(data, false, &b) < 0) return NULL;
    int h = handshake(t);
    if (h != 1) {
        vb_buf_release(&b);
        if (h == -2) Py_RETURN_NONE;
        return NULL;
    }
    Py_ssize_t n = b.view.len;
    int r = n ? SSL_write(t->ssl, b.view.buf, n > INT32_MAX ? INT32_MAX : (int)n) : 0;
    vb_buf_release(&b);
    if (r < 0) return raise_failure(t);
    if (flush_out(t) < 0) return NULL;
    return PyLong_FromLong(r);
}

static void close_tls(tls_obj *t)
{
    if (t->closed) return;
    t->closed = true;
    if (t->ssl && t->handshaken && !t->eof) {
        SSL_shutdown(t->ssl);           /* close_notify, if the socket takes it */
        PyObject *et, *ev, *tb;
        PyErr_Fetch(&et, &ev, &tb);
        if (flush_out(t) < 0) PyErr_Clear();
        PyErr_Restore(et, ev, tb);
    }
    ERR_clear_error();
    if (t->sock) {
        PyObject *r = PyObject_CallMethod(t->sock, "close", NULL);
        if (!r) PyErr_Clear();
        Py_XDECREF(r);
    }
}

static PyObject *s_close(tls_obj *t, PyObject *u)
{
    (void)u;
    close_tls(t);
    Py_RETURN_NONE;
}

static PyObject *s_setblocking(tls_obj *t, PyObject *flag)
{
    return PyObject_CallMethod(t->sock, "setblocking", "O", flag);
}

/* poll: readable when the TLS engine holds decrypted bytes, else as the socket. */
static PyObject *s_ioctl(tls_obj *t, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "ioctl(request, arg)");
        return NULL;
    }
    long req = PyLong_AsLong(args[0]), arg = PyLong_AsLong(args[1]);
    if (PyErr_Occurred()) return NULL;
    if (req == 4) {                /* MP_STREAM_CLOSE */
        close_tls(t);
        return PyLong_FromLong(0);
    }
    PyObject *r = PyObject_CallMethod(t->sock, "ioctl", "ll", req, arg);
    if (r && req == 3 && (arg & VB_POLLIN) && !t->closed && t->ssl && SSL_pending(t->ssl) > 0) {
        long v = PyLong_AsLong(r) | VB_POLLIN;
        Py_DECREF(r);
        r = PyLong_FromLong(v);
    }
    return r;
}

static PyObject *s_getpeercert(tls_obj *t, PyObject *const *args, Py_ssize_t nargs)
{
    (void)args, (void)nargs;
    X509 *x = t->ssl ? SSL_get1_peer_certificate(t->ssl) : NULL;
    if (!x) Py_RETURN_NONE;
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    X509_free(x);
    PyObject *r = n > 0 ? PyBytes_FromStringAndSize((const char *)der, n) : NULL;
    OPENSSL_free(der);
    if (!r && !PyErr_Occurred()) Py_RETURN_NONE;
    return r;
}

static PyObject *s_cipher(tls_obj *t, PyObject *u)
{
    (void)u;
    const SSL_CIPHER *c = t->ssl ? SSL_get_current_cipher(t->ssl) : NULL;
    if (!c) Py_RETURN_NONE;
    return Py_BuildValue("(ss)", SSL_CIPHER_standard_name(c), SSL_get_version(t->ssl));
}

static void s_dealloc(tls_obj *t)
{
    PyTypeObject *tp = Py_TYPE(t);
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);
    close_tls(t);
    PyErr_Restore(et, ev, tb);
    if (t->ssl) SSL_free(t->ssl);  /* and its BIOs */
    Py_XDECREF(t->sock);
    tp->tp_free(t);
    Py_DECREF(tp);
}

static PyObject *s_repr(tls_obj *t)
{
    (void)t;
    return PyUnicode_FromString("<SSLSocket>");
}

static PyObject *s_enter(PyObject *s, PyObject *u)
{
    (void)u;
    Py_INCREF(s);
    return s;
}

static PyObject *s_exit(tls_obj *t, PyObject *args)
{
    (void)args;
    close_tls(t);
    Py_RETURN_NONE;
}

/* Accepts every certificate: CERT_OPTIONAL goes on whatever it finds (as
 * mbedTLS's VERIFY_OPTIONAL), its result kept for getpeercert and errors. */
static int verify_optional(int ok, X509_STORE_CTX *x)
{
    (void)ok, (void)x;
    return 1;
}

static PyObject *wrap(ctx_obj *c, PyObject *sock, bool server_side, bool handshake_now, PyObject *hostname)
{
    if (!vb_socket_check(sock)) {
        PyErr_SetString(PyExc_TypeError, "stream operation not supported");
        return NULL;
    }
    if (server_side != (c->protocol == PROTOCOL_TLS_SERVER)) {
        PyErr_SetString(PyExc_ValueError, "invalid server_side");
        return NULL;
    }
    const char *host = NULL;
    if (hostname && hostname != Py_None && !(host = PyUnicode_AsUTF8(hostname))) return NULL;
    tls_obj *t = (tls_obj *)tls_sock_type->tp_alloc(tls_sock_type, 0);
    if (!t) return NULL;
    t->ssl = SSL_new(c->ctx);
    t->in = BIO_new(BIO_s_mem());
    t->out = BIO_new(BIO_s_mem());
    if (!t->ssl || !t->in || !t->out) {
        if (!t->ssl) {
            BIO_free(t->in);
            BIO_free(t->out);
        }
        Py_DECREF(t);
        return vb_raise_errno(ENOMEM);
    }
    BIO_set_mem_eof_return(t->in, -1);     /* empty: "try again", until the socket ends */
    SSL_set_bio(t->ssl, t->in, t->out);
    Py_INCREF(sock);
    t->sock = sock;
    int mode = SSL_VERIFY_NONE;
    if (c->verify_mode != CERT_NONE) mode = SSL_VERIFY_PEER;
    if (c->verify_mode == CERT_REQUIRED && server_side) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_set_verify(t->ssl, mode, c->verify_mode == CERT_OPTIONAL ? verify_optional : NULL);
    if (server_side) {
        SSL_set_accept_state(t->ssl);
    } else {
        SSL_set_connect_state(t->ssl);
        if (host) {
            SSL_set_tlsext_host_name(t->ssl, host);
            if (c->verify_mode == CERT_REQUIRED) SSL_set1_host(t->ssl, host);
        }
    }
    if (handshake_now && handshake(t) == -1) {
        Py_DECREF(t);
        return NULL;
    }
    return (PyObject *)t;
}

static PyObject *c_wrap_socket(ctx_obj *c, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"sock", "server_side", "do_handshake_on_connect", "server_hostname", NULL};
    PyObject *sock, *host = Py_None;
    int server = 0, hs = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$ppO:wrap_socket", kwlist, &sock, &server, &hs, &host))
        return NULL;
    return wrap(c, sock, server, hs, host);
}

/* ---- the modules ----------------------------------------------------------------- */

#define FAST(name, fn) {name, (PyCFunction)(void (*)(void))fn, METH_FASTCALL, NULL}
#define KW(name, fn) {name, (PyCFunction)(void (*)(void))fn, METH_VARARGS | METH_KEYWORDS, NULL}

static PyMethodDef ctx_methods[] = {
    KW("load_verify_locations", c_load_verify),
    KW("load_cert_chain", c_load_cert_chain),
    {"set_ciphers", (PyCFunction)c_set_ciphers, METH_O, NULL},
    {"get_ciphers", (PyCFunction)c_get_ciphers, METH_NOARGS, NULL},
    KW("wrap_socket", c_wrap_socket),
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef ctx_getset[] = {
    {"verify_mode", (getter)c_get_verify, (setter)c_set_verify, NULL, NULL},
    {"protocol", (getter)c_get_protocol, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef tls_methods[] = {
    FAST("read", s_read),
    FAST("readinto", s_readinto),
    FAST("readline", s_readline),
    {"write", (PyCFunction)s_write, METH_O, NULL},
    {"setblocking", (PyCFunction)s_setblocking, METH_O, NULL},
    {"close", (PyCFunction)s_close, METH_NOARGS, NULL},
    FAST("ioctl", s_ioctl),
    FAST("getpeercert", s_getpeercert),
    {"cipher", (PyCFunction)s_cipher, METH_NOARGS, NULL},
    {"__enter__", (PyCFunction)s_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)s_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static const vb_engine_const tls_consts[] = {
    {"PROTOCOL_TLS_CLIENT", PROTOCOL_TLS_CLIENT}, {"PROTOCOL_TLS_SERVER", PROTOCOL_TLS_SERVER},
    {"CERT_NONE", CERT_NONE}, {"CERT_OPTIONAL", CERT_OPTIONAL}, {"CERT_REQUIRED", CERT_REQUIRED},
    {NULL, 0},
};

static int make_types(void)
{
    if (ctx_type) return 0;
    PyType_Slot cslots[] = {
        {Py_tp_new, c_new}, {Py_tp_dealloc, c_dealloc}, {Py_tp_methods, ctx_methods},
        {Py_tp_getset, ctx_getset}, {0, NULL},
    };
    PyType_Spec cspec = {"SSLContext", sizeof(ctx_obj), 0, Py_TPFLAGS_DEFAULT, cslots};
    PyType_Slot sslots[] = {
        {Py_tp_dealloc, s_dealloc}, {Py_tp_repr, s_repr}, {Py_tp_methods, tls_methods}, {0, NULL},
    };
    PyType_Spec sspec = {"SSLSocket", sizeof(tls_obj), 0, Py_TPFLAGS_DEFAULT, sslots};
    ctx_type = (PyTypeObject *)PyType_FromSpec(&cspec);
    tls_sock_type = (PyTypeObject *)PyType_FromSpec(&sspec);
    return ctx_type && tls_sock_type ? 0 : -1;
}

static int add_common(PyObject *m)
{
    if (make_types() < 0) return -1;
    Py_INCREF(ctx_type);
    if (PyModule_AddObject(m, "SSLContext", (PyObject *)ctx_type) < 0) {
        Py_DECREF(ctx_type);
        return -1;
    }
    for (const vb_engine_const *c = tls_consts; c->name; c++)
        if (PyModule_AddIntConstant(m, c->name, c->value) < 0) return -1;
    return 0;
}

static struct PyModuleDef tls_def = {PyModuleDef_HEAD_INIT, "tls", NULL, -1, NULL, NULL, NULL, NULL, NULL};

PyObject *vb_mod_tls_create(void)
{
    PyObject *m = PyModule_Create(&tls_def);
    if (m && add_common(m) < 0) Py_CLEAR(m);
    return m;
}

/* ssl.wrap_socket(sock, server_side=False, key=None, cert=None,
 * cert_reqs=CERT_NONE, cadata=None, server_hostname=None, do_handshake=True)
 * (and the older keyfile=, certfile=, Pycom's ca_certs= file and its
 * handshake timeout=, which the socket's own timeout governs here): a
 * context made for it. */
static PyObject *m_wrap_socket(PyObject *m, PyObject *args, PyObject *kw)
{
    (void)m;
    static char *kwlist[] = {"sock", "server_side", "key", "cert", "cert_reqs", "cadata", "server_hostname",
                             "do_handshake", "keyfile", "certfile", "ca_certs", "timeout", NULL};
    PyObject *sock, *key = Py_None, *cert = Py_None, *cadata = Py_None, *host = Py_None;
    PyObject *keyfile = Py_None, *certfile = Py_None, *ca_certs = Py_None, *timeout = Py_None;
    int server = 0, reqs = CERT_NONE, hs = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|pOOiOOpOOOO:wrap_socket", kwlist, &sock, &server, &key, &cert,
                                     &reqs, &cadata, &host, &hs, &keyfile, &certfile, &ca_certs, &timeout))
        return NULL;
    if (keyfile != Py_None) key = keyfile;
    if (certfile != Py_None) cert = certfile;
    if (ca_certs != Py_None && cadata == Py_None) cadata = ca_certs;    /* a file name: cert_bytes reads it */
    PyObject *proto = Py_BuildValue("(i)", server ? PROTOCOL_TLS_SERVER : PROTOCOL_TLS_CLIENT);
    ctx_obj *c = proto ? (ctx_obj *)c_new(ctx_type, proto, NULL) : NULL;
    Py_XDECREF(proto);
    if (!c) return NULL;
    PyObject *res = NULL;
    if (key != Py_None || cert != Py_None) {
        PyObject *kb = key != Py_None ? cert_bytes(key) : NULL;
        PyObject *cb = kb && cert != Py_None ? cert_bytes(cert) : NULL;
        PyObject *a = cb ? PyTuple_Pack(2, cb, kb) : NULL;
        PyObject *r = a ? c_load_cert_chain(c, a, NULL) : NULL;
        Py_XDECREF(r);
        Py_XDECREF(a);
        Py_XDECREF(cb);
        Py_XDECREF(kb);
        if (!r) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "cert and key both needed");
            goto out;
        }
    }
    if (cadata != Py_None) {
        PyObject *a = PyTuple_Pack(1, cadata);
        PyObject *r = a ? c_load_verify(c, a, NULL) : NULL;
        Py_XDECREF(a);
        if (!r) goto out;
        Py_DECREF(r);
    }
    if (reqs < CERT_NONE || reqs > CERT_REQUIRED) {
        PyErr_SetString(PyExc_ValueError, "invalid cert_reqs");
        goto out;
    }
    c->verify_mode = reqs;
    res = wrap(c, sock, server, hs, host);
out:
    Py_DECREF(c);
    return res;
}

static PyMethodDef ssl_funcs[] = {
    KW("wrap_socket", m_wrap_socket),
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef ssl_def = {PyModuleDef_HEAD_INIT, "ssl", NULL, -1, ssl_funcs, NULL, NULL, NULL, NULL};

PyObject *vb_mod_ssl_create(void)
{
    PyObject *m = PyModule_Create(&ssl_def);
    if (m && add_common(m) < 0) Py_CLEAR(m);
    return m;
}
