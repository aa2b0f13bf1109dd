/* The board's socket module (issue 13 §2), MicroPython's API over sockets
 * the board opens (contract/netmsg.h): the VM never makes socket(),
 * connect() or bind(); it asks, gets a descriptor, and reads, writes and
 * polls that. A socket gets its descriptor at connect(), bind() (UDP),
 * listen() or accept(); until then it is only its settings.
 *
 * Semantics are the esp32 port's (ports/esp32/modsocket.c over lwIP):
 * blocking by default; settimeout(0) / setblocking(False) make a call
 * that would wait raise EAGAIN (EINPROGRESS for connect); a timeout that
 * passes raises ETIMEDOUT; read/readinto/readline/write are the stream
 * methods (py/stream.c: read(n) gathers n bytes or up to the end, None
 * when a non-blocking socket has nothing yet); connect() resolves a host
 * name in its address as getaddrinfo does. Waits are on board time and
 * end with KeyboardInterrupt on Ctrl-C. Errors are OSError with errno
 * (vb_raise_errno); a failed lookup is OSError(-202), as lwIP's EAI_FAIL
 * surfaces on the esp32. */
#include "engine_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/netpolicy.h"

/* MicroPython's constants (esp32: lwIP's values). */
#define AF_INET_MP 2
#define AF_INET6_MP 10
#define SOCK_STREAM_MP 1
#define SOCK_DGRAM_MP 2
#define SOCK_RAW_MP 3
#define IPPROTO_IP_MP 0
#define IPPROTO_TCP_MP 6
#define IPPROTO_UDP_MP 17
#define SOL_SOCKET_MP 0xfff
#define SO_REUSEADDR_MP 0x0004
#define SO_BROADCAST_MP 0x0020
#define TCP_NODELAY_MP 0x01
/* MicroPython's stream ioctl requests (py/stream.h). */
#define STREAM_POLL 3
#define STREAM_CLOSE 4

typedef struct {
    PyObject_HEAD
    int fd;                    /* the board's socket, -1 = none yet */
    int32_t id;                /* its name at the board */
    int type;                  /* VB_NET_TCP / VB_NET_UDP */
    int64_t timeout_us;        /* -1 blocking, 0 non-blocking, else µs of board time */
    uint16_t bound_port;       /* bind() (TCP: used by listen()) */
    bool bound, listening, connecting, connected, closed;
    uint32_t peer_ip;          /* UDP: where the socket points */
    uint16_t peer_port;
} sock_obj;

/* The socket type, made once per engine (module state of a C module
 * shared by every import; why global: see vb_engine_g). */
static PyTypeObject *sock_type;

static const vb_hal *hal(void) { return vb_engine_g.hal; }

/* A failed lookup: OSError(-202), the negative number as the port raises
 * it (vb_raise_errno takes a magnitude). */
static PyObject *raise_lookup_failed(void) { return vb_raise_oserror_signed(VB_NET_EAI_FAIL, NULL); }

/* ---- talking to the board ---------------------------------------------------- */

/* One request (with len bytes of data after it: SENDTO); 0 (rep filled,
 * *fd the descriptor or -1), or -1 with the exception. rep.err is the
 * caller's to look at. */
static int request_data(vb_net_req *req, const void *data, size_t len, vb_net_rep *rep, int *fd)
{
    if (vb_hal_need((const void *)hal()->net_request) < 0) return -1;
    for (;;) {
        int rc = hal()->net_request(hal()->ctx, req, data, len, rep, fd);
        if (rc == 0) return 0;
        if (rc == -EINTR) {
            if (PyErr_CheckSignals() < 0) return -1;
            continue;
        }
        vb_raise_errno(EIO);
        return -1;
    }
}

static int request(vb_net_req *req, vb_net_rep *rep, int *fd) { return request_data(req, NULL, 0, rep, fd); }

static int64_t deadline_of(const sock_obj *s)
{
    return s->timeout_us < 0 ? INT64_MAX : vb_engine_now_us() + s->timeout_us;
}

/* Wait until the socket has one of `events` or the deadline passes. */
static int wait_ready(sock_obj *s, short events, int64_t deadline) { return vb_stream_wait(s->fd, events, deadline); }

/* ---- addresses --------------------------------------------------------------- */

/* A host as device code gives it (str or bytes) to an address: a dotted
 * quad, '' (any: 0.0.0.0), or a name the board looks up. 0 / -1. */
static int resolve_host(PyObject *host, uint32_t *ip)
{
    const char *name;
    Py_ssize_t len;
    if (PyUnicode_Check(host)) {
        name = PyUnicode_AsUTF8AndSize(host, &len);
    } else if (PyBytes_Check(host)) {
        name = PyBytes_AS_STRING(host);
        len = PyBytes_GET_SIZE(host);
    } else {
        PyErr_SetString(PyExc_TypeError, "can't convert to str implicitly");
        return -1;
    }
    if (!name) return -1;
    if (len == 0) {
        *ip = 0;
        return 0;
    }
    if ((size_t)len <= VB_NET_NAME_MAX && strlen(name) == (size_t)len && vb_net_parse_ipv4(name, ip)) return 0;
    vb_net_req req = {.op = VB_NET_RESOLVE};
    if ((size_t)len > VB_NET_NAME_MAX || strlen(name) != (size_t)len) {
        raise_lookup_failed();
        return -1;
    }
    memcpy(req.name, name, (size_t)len);
    vb_net_rep rep;
    int fd;
    if (request(&req, &rep, &fd) < 0) return -1;
    if (fd >= 0) close(fd);
    if (rep.err) {
        if (rep.err == VB_NET_EAI_FAIL) raise_lookup_failed();
        else vb_raise_errno(rep.err);
        return -1;
    }
    *ip = rep.ip;
    return 0;
}

static int port_of(PyObject *o, uint16_t *port)
{
    long v;
    if (PyUnicode_Check(o)) {
        PyObject *n = PyLong_FromUnicodeObject(o, 10);
        if (!n) return -1;
        v = PyLong_AsLong(n);
        Py_DECREF(n);
    } else {
        v = PyLong_AsLong(o);
    }
    if (v == -1 && PyErr_Occurred()) return -1;
    if (v < 0 || v > 65535) {
        PyErr_SetString(PyExc_OverflowError, "port out of range");
        return -1;
    }
    *port = (uint16_t)v;
    return 0;
}

/* (host, port) → ip, port. 0 / -1. */
static int addr_arg(PyObject *addr, uint32_t *ip, uint16_t *port)
{
    if (!PyTuple_Check(addr) && !PyList_Check(addr)) {
        PyErr_SetString(PyExc_TypeError, "address must be a (host, port) tuple");
        return -1;
    }
    PyObject *seq = PySequence_Fast(addr, "address");
    if (!seq) return -1;
    int rc = -1;
    if (PySequence_Fast_GET_SIZE(seq) < 2) {
        PyErr_SetString(PyExc_TypeError, "address must be a (host, port) tuple");
    } else if (resolve_host(PySequence_Fast_GET_ITEM(seq, 0), ip) == 0 &&
               port_of(PySequence_Fast_GET_ITEM(seq, 1), port) == 0) {
        rc = 0;
    }
    Py_DECREF(seq);
    return rc;
}

static PyObject *addr_tuple(uint32_t ip, uint16_t port)
{
    char s[16];
    vb_net_format_ipv4(ip, s);
    return Py_BuildValue("(si)", s, (int)port);
}

/* ---- the socket object ------------------------------------------------------- */

static int check_open(sock_obj *s)
{
    if (!s->closed) return 0;
    vb_raise_errno(EBADF);
    return -1;
}

/* Take a descriptor the board passed. */
static void adopt(sock_obj *s, int fd, int32_t id)
{
    s->fd = fd;
    s->id = id;
}

static void close_sock(sock_obj *s)
{
    if (s->closed) return;
    s->closed = true;
    if (s->fd < 0) return;
    close(s->fd);
    s->fd = -1;
    /* then the board ends its copy: the peer sees the end of stream */
    vb_net_req req = {.op = VB_NET_CLOSE, .id = s->id};
    vb_net_rep rep;
    int fd;
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);     /* also from dealloc, where an exception may be set */
    if (hal()->net_request && hal()->net_request(hal()->ctx, &req, NULL, 0, &rep, &fd) == 0 && fd >= 0) close(fd);
    PyErr_Restore(et, ev, tb);
}

static sock_obj *sock_alloc(PyTypeObject *type, int net_type)
{
    sock_obj *s = (sock_obj *)type->tp_alloc(type, 0);
    if (!s) return NULL;
    s->fd = -1;
    s->type = net_type;
    s->timeout_us = -1;
    return s;
}

static PyObject *s_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"af", "type", "proto", NULL};
    int af = AF_INET_MP, ty = SOCK_STREAM_MP, proto = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|iii:socket", kwlist, &af, &ty, &proto)) return NULL;
    if (af != AF_INET_MP || (ty != SOCK_STREAM_MP && ty != SOCK_DGRAM_MP)) return vb_raise_errno(EINVAL);
    if (vb_hal_need((const void *)hal()->net_request) < 0) return NULL;
    return (PyObject *)sock_alloc(type, ty == SOCK_DGRAM_MP ? VB_NET_UDP : VB_NET_TCP);
}

static void s_dealloc(sock_obj *s)
{
    PyTypeObject *tp = Py_TYPE(s);
    close_sock(s);
    tp->tp_free(s);
    Py_DECREF(tp);
}

static PyObject *s_repr(sock_obj *s)
{
    (void)s;
    return PyUnicode_FromString("<socket>");
}

static PyObject *s_close(sock_obj *s, PyObject *u)
{
    (void)u;
    close_sock(s);
    Py_RETURN_NONE;
}

/* A UDP socket gets its descriptor pointed at ip:port (new, or re-aimed). */
static int udp_aim(sock_obj *s, uint32_t ip, uint16_t port)
{
    if (s->fd >= 0 && s->peer_ip == ip && s->peer_port == port) return 0;
    vb_net_req req = {.op = VB_NET_CONNECT, .type = VB_NET_UDP, .id = s->fd >= 0 ? s->id : 0, .ip = ip, .port = port};
    vb_net_rep rep;
    int fd;
    if (request(&req, &rep, &fd) < 0) return -1;
    if (rep.err) {
        if (fd >= 0) close(fd);
        vb_raise_errno(rep.err);
        return -1;
    }
    if (fd >= 0) adopt(s, fd, rep.id);
    s->peer_ip = ip;
    s->peer_port = port;
    return 0;
}

/* A connect under way has finished (the socket polled writable): ask the
 * board how, once. 0, or -1 with the exception. */
static int finish_connect(sock_obj *s)
{
    vb_net_req req = {.op = VB_NET_STATUS, .id = s->id};
    vb_net_rep rep;
    int fd;
    if (request(&req, &rep, &fd) < 0) return -1;
    if (fd >= 0) close(fd);
    s->connecting = false;
    if (rep.err) {
        vb_raise_errno(rep.err);
        return -1;
    }
    s->connected = true;
    return 0;
}

static PyObject *s_connect(sock_obj *s, PyObject *addr)
{
    uint32_t ip;
    uint16_t port;
    if (check_open(s) < 0 || addr_arg(addr, &ip, &port) < 0) return NULL;
    if (s->type == VB_NET_UDP) {
        if (udp_aim(s, ip, port) < 0) return NULL;
        s->connected = true;
        Py_RETURN_NONE;
    }
    if (s->connected) return vb_raise_errno(EISCONN);
    if (s->connecting || s->listening) return vb_raise_errno(EALREADY);
    vb_net_req req = {.op = VB_NET_CONNECT, .type = VB_NET_TCP, .ip = ip, .port = port};
    vb_net_rep rep;
    int fd;
    if (request(&req, &rep, &fd) < 0) return NULL;
    if (fd >= 0) adopt(s, fd, rep.id);
    if (rep.err && rep.err != EINPROGRESS) return vb_raise_errno(rep.err);
    if (!rep.err) {
        s->connected = true;
        Py_RETURN_NONE;
    }
    s->connecting = true;
    if (s->timeout_us == 0) return vb_raise_errno(EINPROGRESS);
    int r = wait_ready(s, POLLOUT, deadline_of(s));
    if (r < 0) return NULL;
    if (r == 0) return vb_raise_errno(ETIMEDOUT);
    if (finish_connect(s) < 0) return NULL;
    Py_RETURN_NONE;
}

/* A non-blocking connect, used before it is known to have finished:
 * EAGAIN while it has not (the socket is not writable yet). 0 / -1. */
static int settle_connect(sock_obj *s)
{
    if (!s->connecting) return 0;
    struct pollfd pf = {s->fd, POLLOUT, 0};
    if (poll(&pf, 1, 0) <= 0) {
        vb_raise_errno(EAGAIN);
        return -1;
    }
    return finish_connect(s);
}

/* Ready to carry data: 0, or -1 with the exception (ENOTCONN: no peer). */
static int need_peer(sock_obj *s)
{
    if (check_open(s) < 0) return -1;
    if (s->connecting && settle_connect(s) < 0) return -1;
    if (s->fd < 0 || (s->listening && s->type == VB_NET_TCP)) {
        vb_raise_errno(ENOTCONN);
        return -1;
    }
    return 0;
}

/* A LISTEN request (TCP: a listener; UDP: a socket bound to the port),
 * its socket adopted: 0, or -1 with the exception. */
static int open_bound(sock_obj *s, int type, uint16_t port, uint16_t backlog)
{
    vb_net_req req = {.op = VB_NET_LISTEN, .type = (uint16_t)type, .port = port, .backlog = backlog};
    vb_net_rep rep;
    int fd;
    if (request(&req, &rep, &fd) < 0) return -1;
    if (rep.err) {
        if (fd >= 0) close(fd);
        vb_raise_errno(rep.err);
        return -1;
    }
    adopt(s, fd, rep.id);
    s->listening = true;
    return 0;
}

static PyObject *s_bind(sock_obj *s, PyObject *addr)
{
    uint32_t ip;
    uint16_t port;
    if (check_open(s) < 0 || addr_arg(addr, &ip, &port) < 0) return NULL;
    if (s->bound || s->fd >= 0) return vb_raise_errno(EINVAL);
    s->bound_port = port;
    s->bound = true;
    if (s->type == VB_NET_TCP) Py_RETURN_NONE;    /* listen() opens it */
    if (open_bound(s, VB_NET_UDP, port, 0) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *s_listen(sock_obj *s, PyObject *const *args, Py_ssize_t nargs)
{
    long backlog = 2;              /* upstream's default: MICROPY_PY_SOCKET_LISTEN_BACKLOG_DEFAULT */
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "listen([backlog])");
        return NULL;
    }
    if (nargs == 1 && (backlog = PyLong_AsLong(args[0])) == -1 && PyErr_Occurred()) return NULL;
    if (check_open(s) < 0) return NULL;
    if (s->type != VB_NET_TCP || s->fd >= 0) return vb_raise_errno(EINVAL);
    uint16_t bl = (uint16_t)(backlog < 0 ? 0 : backlog > 255 ? 255 : backlog);
    if (open_bound(s, VB_NET_TCP, s->bound_port, bl) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *s_accept(sock_obj *s, PyObject *u)
{
    (void)u;
    if (check_open(s) < 0) return NULL;
    if (!s->listening || s->type != VB_NET_TCP) return vb_raise_errno(EINVAL);
    int64_t deadline = deadline_of(s);
    for (;;) {
        vb_net_req req = {.op = VB_NET_ACCEPT, .id = s->id};
        vb_net_rep rep;
        int fd;
        if (request(&req, &rep, &fd) < 0) return NULL;
        if (!rep.err && fd >= 0) {
            sock_obj *c = sock_alloc(sock_type, VB_NET_TCP);
            if (!c) {
                close(fd);
                return NULL;
            }
            adopt(c, fd, rep.id);
            c->connected = true;
            PyObject *peer = addr_tuple(rep.ip, rep.port);
            PyObject *res = peer ? PyTuple_Pack(2, (PyObject *)c, peer) : NULL;
            Py_XDECREF(peer);
            Py_DECREF(c);
            return res;
        }
        if (fd >= 0) close(fd);
        if (rep.err != EAGAIN) return vb_raise_errno(rep.err ? rep.err : EIO);
        if (s->timeout_us == 0) return vb_raise_errno(EAGAIN);
        int r = wait_ready(s, POLLIN, deadline);
        if (r < 0) return NULL;
        if (r == 0) return vb_raise_errno(ETIMEDOUT);
    }
}

/* A receive or send failed (errno): 0 to try again (a signal came and
 * its handlers ran; the socket became ready), -2 when a non-blocking
 * socket would wait, -1 with the exception (ETIMEDOUT once the deadline
 * passed). */
static int after_failure(sock_obj *s, short events, int64_t deadline)
{
    if (errno == EINTR) return PyErr_CheckSignals() < 0 ? -1 : 0;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
        vb_raise_errno(errno == EPIPE ? ENOTCONN : errno);
        return -1;
    }
    if (s->timeout_us == 0) return -2;
    int w = wait_ready(s, events, deadline);
    if (w == 0) vb_raise_errno(ETIMEDOUT);
    return w > 0 ? 0 : -1;
}

/* One receive of up to n bytes: the count (0 at the end of stream), or
 * -2 when a non-blocking socket has nothing yet, -1 with the exception
 * (ETIMEDOUT when the timeout passed). from: the datagram's sender. */
static Py_ssize_t recv_once(sock_obj *s, char *buf, size_t n, int flags, uint32_t *from_ip, uint16_t *from_port)
{
    if (need_peer(s) < 0) return -1;
    int64_t deadline = deadline_of(s);
    for (;;) {
        struct sockaddr_storage sa;
        socklen_t salen = sizeof sa;
        ssize_t r = recvfrom(s->fd, buf, n, flags | MSG_DONTWAIT, (struct sockaddr *)&sa, &salen);
        if (r >= 0) {
            if (from_ip && sa.ss_family == AF_INET && salen >= sizeof(struct sockaddr_in)) {
                const struct sockaddr_in *in = (const struct sockaddr_in *)&sa;
                *from_ip = ntohl(in->sin_addr.s_addr);
                *from_port = ntohs(in->sin_port);
            } else if (from_ip) {
                *from_ip = s->peer_ip;
                *from_port = s->peer_port;
            }
            return r;
        }
        int next = after_failure(s, POLLIN, deadline);
        if (next != 0) return next;
    }
}

/* One send of up to n bytes: the count, -2 when a non-blocking socket
 * cannot take any now, -1 with the exception. */
static Py_ssize_t send_once(sock_obj *s, const char *buf, size_t n)
{
    if (need_peer(s) < 0) return -1;
    int64_t deadline = deadline_of(s);
    for (;;) {
        ssize_t r = send(s->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (r >= 0) return r;
        int next = after_failure(s, POLLOUT, deadline);
        if (next != 0) return next;
    }
}

static PyObject *s_send(sock_obj *s, PyObject *data)
{
    vb_buf b;
    if (vb_buf_get(data, false, &b) < 0) return NULL;
    Py_ssize_t r = send_once(s, b.view.buf, (size_t)b.view.len);
    vb_buf_release(&b);
    if (r == -2) return vb_raise_errno(EAGAIN);
    return r < 0 ? NULL : PyLong_FromSsize_t(r);
}

/* Every byte, or an exception; non-blocking: EAGAIN once nothing more fits. */
static Py_ssize_t send_all(sock_obj *s, const char *p, size_t n, bool none_when_blocked)
{
    size_t done = 0;
    while (done < n) {
        Py_ssize_t r = send_once(s, p + done, n - done);
        if (r == -2 && done) return (Py_ssize_t)done;
        if (r == -2 && none_when_blocked) return -2;
        if (r == -2) {
            vb_raise_errno(EAGAIN);
            return -1;
        }
        if (r < 0) return -1;
        done += (size_t)r;
    }
    return (Py_ssize_t)done;
}

static PyObject *s_sendall(sock_obj *s, PyObject *data)
{
    vb_buf b;
    if (vb_buf_get(data, false, &b) < 0) return NULL;
    Py_ssize_t r = send_all(s, b.view.buf, (size_t)b.view.len, false);
    vb_buf_release(&b);
    if (r == -2) return vb_raise_errno(EAGAIN);
    if (r < 0) return NULL;
    Py_RETURN_NONE;
}

/* write(buf): the stream's write, all of it when blocking; None when a
 * non-blocking socket takes nothing. */
static PyObject *s_write(sock_obj *s, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < 1 || nargs > 3) {
        PyErr_SetString(PyExc_TypeError, "write(buf[, off[, len]])");
        return NULL;
    }
    vb_buf b;
    if (vb_buf_get(args[0], false, &b) < 0) return NULL;
    Py_ssize_t off = 0, len = b.view.len;
    if (nargs >= 2 && ((off = PyLong_AsSsize_t(args[1])) == -1 && PyErr_Occurred())) goto fail;
    if (nargs == 3 && ((len = PyLong_AsSsize_t(args[2])) == -1 && PyErr_Occurred())) goto fail;
    if (off < 0) off = 0;
    if (off > b.view.len) off = b.view.len;
    if (len < 0 || len > b.view.len - off) len = b.view.len - off;
    Py_ssize_t r = send_all(s, (const char *)b.view.buf + off, (size_t)len, true);
    vb_buf_release(&b);
    if (r == -2) Py_RETURN_NONE;
    return r < 0 ? NULL : PyLong_FromSsize_t(r);
fail:
    vb_buf_release(&b);
    return NULL;
}

/* sendto() on a bound UDP socket (a server): the board sends the
 * datagram, the socket staying open to every peer (contract/netmsg.h
 * VB_NET_SENDTO). Blocking: waits while the host's buffer is full. */
static PyObject *send_datagram(sock_obj *s, PyObject *data, uint32_t ip, uint16_t port)
{
    vb_buf b;
    if (vb_buf_get(data, false, &b) < 0) return NULL;
    size_t n = (size_t)b.view.len;
    PyObject *res = NULL;
    if (n > VB_NET_DGRAM_MAX) {    /* lwIP cannot make the packet: ERR_MEM */
        vb_raise_errno(ENOMEM);
        goto out;
    }
    int64_t deadline = deadline_of(s);
    for (;;) {
        vb_net_req req = {.op = VB_NET_SENDTO, .type = VB_NET_UDP, .id = s->id, .ip = ip, .port = port};
        vb_net_rep rep;
        int fd;
        if (request_data(&req, b.view.buf, n, &rep, &fd) < 0) goto out;
        if (fd >= 0) close(fd);
        if (!rep.err) {
            res = PyLong_FromSize_t(n);
            goto out;
        }
        errno = rep.err;
        int next = after_failure(s, POLLOUT, deadline);
        if (next == -2) vb_raise_errno(EAGAIN);
        if (next != 0) goto out;
    }
out:
    vb_buf_release(&b);
    return res;
}

static PyObject *s_sendto(sock_obj *s, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "sendto(bytes, address)");
        return NULL;
    }
    uint32_t ip;
    uint16_t port;
    if (check_open(s) < 0 || addr_arg(args[1], &ip, &port) < 0) return NULL;
    if (s->type != VB_NET_UDP) return s_send(s, args[0]);    /* TCP: the address is ignored */
    if (s->listening) return send_datagram(s, args[0], ip, port);
    if (udp_aim(s, ip, port) < 0) return NULL;
    return s_send(s, args[0]);
}

static PyObject *recv_common(sock_obj *s, PyObject *arg, bool with_addr)
{
    Py_ssize_t n = PyLong_AsSsize_t(arg);
    if (n == -1 && PyErr_Occurred()) return NULL;
    if (n < 0) n = 0;
    PyObject *out = PyBytes_FromStringAndSize(NULL, n);
    if (!out) return NULL;
    uint32_t ip = 0;
    uint16_t port = 0;
    Py_ssize_t r = recv_once(s, PyBytes_AS_STRING(out), (size_t)n, 0, with_addr ? &ip : NULL, &port);
    if (r == -2) {
        Py_DECREF(out);
        return vb_raise_errno(EAGAIN);
    }
    if (r < 0 || _PyBytes_Resize(&out, r) < 0) {
        Py_XDECREF(out);
        return NULL;
    }
    if (!with_addr) return out;
    PyObject *a = addr_tuple(ip, port);
    PyObject *res = a ? PyTuple_Pack(2, out, a) : NULL;
    Py_XDECREF(a);
    Py_DECREF(out);
    return res;
}

static PyObject *s_recv(sock_obj *s, PyObject *n) { return recv_common(s, n, false); }
static PyObject *s_recvfrom(sock_obj *s, PyObject *n) { return recv_common(s, n, true); }

/* One receive for the stream reads (engine_stream.c). */
static Py_ssize_t read_once(void *obj, char *buf, size_t n)
{
    return recv_once(obj, buf, n, 0, NULL, NULL);
}

static PyObject *s_read(sock_obj *s, PyObject *const *args, Py_ssize_t nargs)
{
    return vb_stream_read(read_once, s, s->type == VB_NET_UDP, args, nargs);
}

static PyObject *s_readinto(sock_obj *s, PyObject *const *args, Py_ssize_t nargs)
{
    return vb_stream_readinto(read_once, s, s->type == VB_NET_UDP, args, nargs);
}

/* readline([limit]): up to and including b'\n', or the end of stream. The
 * bytes are looked at before they are taken (MSG_PEEK), so nothing past
 * the line is consumed. */
static PyObject *s_readline(sock_obj *s, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t limit = -1;
    if (nargs > 1 || (nargs == 1 && (limit = PyLong_AsSsize_t(args[0])) == -1 && PyErr_Occurred())) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "readline([limit])");
        return NULL;
    }
    PyObject *acc = PyBytes_FromStringAndSize(NULL, 0);
    char chunk[512];
    while (acc && (limit < 0 || PyBytes_GET_SIZE(acc) < limit)) {
        size_t want = sizeof chunk;
        if (limit >= 0 && (size_t)(limit - PyBytes_GET_SIZE(acc)) < want) want = (size_t)(limit - PyBytes_GET_SIZE(acc));
        Py_ssize_t r = recv_once(s, chunk, want, MSG_PEEK, NULL, NULL);
        if (r == -2 && PyBytes_GET_SIZE(acc) == 0) {
            Py_DECREF(acc);
            Py_RETURN_NONE;
        }
        if (r == -2 || r == 0) break;
        if (r < 0) {
            Py_DECREF(acc);
            return NULL;
        }
        const char *nl = memchr(chunk, '\n', (size_t)r);
        size_t take = nl ? (size_t)(nl - chunk) + 1 : (size_t)r;
        ssize_t got = recv(s->fd, chunk, take, MSG_DONTWAIT);
        if (got <= 0) continue;    /* raced: look again */
        PyBytes_ConcatAndDel(&acc, PyBytes_FromStringAndSize(chunk, got));
        if (nl && (size_t)got == take) break;
    }
    return acc;
}

static PyObject *s_setblocking(sock_obj *s, PyObject *flag)
{
    int on = PyObject_IsTrue(flag);
    if (on < 0) return NULL;
    s->timeout_us = on ? -1 : 0;
    Py_RETURN_NONE;
}

static PyObject *s_settimeout(sock_obj *s, PyObject *v)
{
    if (v == Py_None) {
        s->timeout_us = -1;
        Py_RETURN_NONE;
    }
    double t = PyFloat_AsDouble(v);
    if (t == -1.0 && PyErr_Occurred()) return NULL;
    if (t < 0) return vb_raise_errno(EINVAL);
    s->timeout_us = t > 1e12 ? (int64_t)1e18 : (int64_t)(t * 1e6);
    Py_RETURN_NONE;
}

/* Options the board's stack takes; they change nothing the host sees. */
static PyObject *s_setsockopt(sock_obj *s, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "setsockopt(level, optname, value)");
        return NULL;
    }
    if (check_open(s) < 0) return NULL;
    long level = PyLong_AsLong(args[0]);
    if (level == -1 && PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

static PyObject *s_makefile(sock_obj *s, PyObject *args, PyObject *kw)
{
    (void)args, (void)kw;
    /* as upstream: the socket is its own stream */
    Py_INCREF(s);
    return (PyObject *)s;
}

/* The stream ioctl select.poll uses (py/stream.h MP_STREAM_POLL). */
static PyObject *s_ioctl(sock_obj *s, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "ioctl(request, arg)");
        return NULL;
    }
    long req = PyLong_AsLong(args[0]);
    long arg = PyLong_AsLong(args[1]);
    if (PyErr_Occurred()) return NULL;
    if (req == STREAM_CLOSE) {
        close_sock(s);
        return PyLong_FromLong(0);
    }
    if (req != STREAM_POLL) return vb_raise_errno(EINVAL);
    if (s->closed) return PyLong_FromLong(VB_POLLERR & arg ? VB_POLLERR : 0);
    if (s->fd < 0) return PyLong_FromLong(0);
    struct pollfd pf = {s->fd, (short)(arg & (VB_POLLIN | VB_POLLOUT)), 0};
    if (poll(&pf, 1, 0) < 0) return PyLong_FromLong(0);
    return PyLong_FromLong(pf.revents & (arg | VB_POLLERR | VB_POLLHUP));
}

static PyObject *s_enter(PyObject *s, PyObject *u)
{
    (void)u;
    Py_INCREF(s);
    return s;
}

static PyObject *s_exit(sock_obj *s, PyObject *args)
{
    (void)args;
    close_sock(s);
    Py_RETURN_NONE;
}

Py_ssize_t vb_socket_recv(PyObject *obj, char *buf, size_t n)
{
    return recv_once((sock_obj *)obj, buf, n, 0, NULL, NULL);
}

Py_ssize_t vb_socket_send_all(PyObject *obj, const char *buf, size_t n)
{
    sock_obj *s = (sock_obj *)obj;
    int64_t was = s->timeout_us;
    if (was == 0) s->timeout_us = -1;       /* a record goes out whole */
    Py_ssize_t r = send_all(s, buf, n, false);
    s->timeout_us = was;
    return r;
}

bool vb_socket_check(PyObject *obj) { return sock_type && PyObject_TypeCheck(obj, sock_type); }

int vb_socket_fd(PyObject *obj)
{
    if (!sock_type || !PyObject_TypeCheck(obj, sock_type)) return -1;
    const sock_obj *s = (const sock_obj *)obj;
    return s->closed ? -1 : s->fd;
}

#define FAST(name, fn) {name, (PyCFunction)(void (*)(void))fn, METH_FASTCALL, NULL}

static PyMethodDef sock_methods[] = {
    {"close", (PyCFunction)s_close, METH_NOARGS, NULL},
    {"connect", (PyCFunction)s_connect, METH_O, NULL},
    {"bind", (PyCFunction)s_bind, METH_O, NULL},
    FAST("listen", s_listen),
    {"accept", (PyCFunction)s_accept, METH_NOARGS, NULL},
    {"send", (PyCFunction)s_send, METH_O, NULL},
    {"sendall", (PyCFunction)s_sendall, METH_O, NULL},
    FAST("sendto", s_sendto),
    {"recv", (PyCFunction)s_recv, METH_O, NULL},
    {"recvfrom", (PyCFunction)s_recvfrom, METH_O, NULL},
    FAST("read", s_read),
    FAST("readinto", s_readinto),
    FAST("readline", s_readline),
    FAST("write", s_write),
    {"setblocking", (PyCFunction)s_setblocking, METH_O, NULL},
    {"settimeout", (PyCFunction)s_settimeout, METH_O, NULL},
    FAST("setsockopt", s_setsockopt),
    {"makefile", (PyCFunction)(void (*)(void))s_makefile, METH_VARARGS | METH_KEYWORDS, NULL},
    FAST("ioctl", s_ioctl),
    {"__enter__", (PyCFunction)s_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)s_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

/* getaddrinfo(host, port, af=0, type=0, proto=0, flags=0): one IPv4
 * entry, (af, type, proto, '', (ip, port)), as the esp32 port returns. */
static PyObject *m_getaddrinfo(PyObject *m, PyObject *args, PyObject *kw)
{
    (void)m;
    static char *kwlist[] = {"host", "port", "af", "type", "proto", "flags", NULL};
    PyObject *host, *port;
    int af = 0, ty = 0, proto = 0, flags = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|iiii:getaddrinfo", kwlist, &host, &port, &af, &ty, &proto, &flags))
        return NULL;
    uint32_t ip;
    uint16_t p;
    if (port_of(port, &p) < 0 || resolve_host(host, &ip) < 0) return NULL;
    PyObject *a = addr_tuple(ip, p);
    PyObject *entry = a ? Py_BuildValue("(iiisO)", AF_INET_MP, ty ? ty : SOCK_STREAM_MP, proto, "", a) : NULL;
    Py_XDECREF(a);
    PyObject *list = entry ? PyList_New(1) : NULL;
    if (list) PyList_SET_ITEM(list, 0, entry);
    else Py_XDECREF(entry);
    return list;
}

static PyMethodDef socket_funcs[] = {
    {"getaddrinfo", (PyCFunction)(void (*)(void))m_getaddrinfo, METH_VARARGS | METH_KEYWORDS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef socket_def = {
    PyModuleDef_HEAD_INIT, "socket", NULL, -1, socket_funcs, NULL, NULL, NULL, NULL,
};

static const vb_engine_const socket_consts[] = {
    {"AF_INET", AF_INET_MP},       {"AF_INET6", AF_INET6_MP},     {"SOCK_STREAM", SOCK_STREAM_MP},
    {"SOCK_DGRAM", SOCK_DGRAM_MP}, {"SOCK_RAW", SOCK_RAW_MP},     {"IPPROTO_IP", IPPROTO_IP_MP},
    {"IPPROTO_TCP", IPPROTO_TCP_MP}, {"IPPROTO_UDP", IPPROTO_UDP_MP}, {"SOL_SOCKET", SOL_SOCKET_MP},
    {"SO_REUSEADDR", SO_REUSEADDR_MP}, {"SO_BROADCAST", SO_BROADCAST_MP}, {"TCP_NODELAY", TCP_NODELAY_MP},
    {NULL, 0},
};

PyObject *vb_mod_socket_create(void)
{
    PyObject *m = PyModule_Create(&socket_def);
    if (!m) return NULL;
    PyType_Slot slots[] = {
        {Py_tp_new, s_new},         {Py_tp_dealloc, s_dealloc}, {Py_tp_repr, s_repr},
        {Py_tp_methods, sock_methods}, {0, NULL},
    };
    PyType_Spec spec = {"socket", sizeof(sock_obj), 0, Py_TPFLAGS_DEFAULT, slots};
    PyObject *type = PyType_FromSpec(&spec);
    if (!type) goto fail;
    Py_XSETREF(sock_type, (PyTypeObject *)type);
    Py_INCREF(type);
    if (PyModule_AddObject(m, "socket", type) < 0) {
        Py_DECREF(type);
        goto fail;
    }
    for (const vb_engine_const *c = socket_consts; c->name; c++)
        if (PyModule_AddIntConstant(m, c->name, c->value) < 0) goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
