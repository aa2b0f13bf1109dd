/* machine.UART (issue 16): a port's UARTs as the esp32 port of v1.24 has
 * them (machine_uart.c), over a line the board hands out (VB_NET_UART):
 * bytes written go to the UART's far end (a host program on --uart's pty,
 * or nowhere), bytes read come from it. The console's own UART (esp32 and
 * Pycom UART0) is the REPL's line: writes are console output, reads take
 * console input.
 *
 * Reads follow the port: read(n) waits up to `timeout` ms for the first
 * byte and `timeout_char` ms for each next one, returning what came (None
 * when nothing did); read() takes everything until such a wait passes;
 * readline() stops after b'\n'. The waits are board time and end with
 * KeyboardInterrupt on Ctrl-C.
 *
 * Writes take the wire's board time: each byte a frame (start, data,
 * parity, stop bits) at the baud rate. The bytes reach the far end at
 * once, but the board's clock says when the last one has left: write()
 * returns while what is queued fits the TX buffer and the hardware FIFO,
 * and waits (board time) for the rest; txdone() is False and flush()
 * waits until the wire is idle. The console's UART is the host link's
 * pace instead. */
#include "engine_int.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "board/periph.h"

typedef struct {
    PyObject_HEAD
    int id;
    int fd;                        /* the line, -1 for the console's UART */
    long baudrate, bits, stop, rxbuf, txbuf;
    PyObject *parity;              /* None, 0 (even) or 1 (odd) */
    long timeout_ms, timeout_char_ms;
    bool first;                    /* the next read_once is a read's first wait */
    bool deinit;
    int64_t frame_ns;              /* one character on the wire */
    int64_t tx_idle_us;            /* board time the last byte written has left the wire */
} uart_obj;

/* The type, made once per engine (shared by every import; why global:
 * see vb_engine_g). */
static PyTypeObject *uart_type;

static const vb_hal *hal(void) { return vb_engine_g.hal; }
static const vb_port_periph *periph(void) { return vb_engine_g.port->periph; }
static bool is_console(const uart_obj *u) { return u->id == periph()->uart_console; }

/* The line of UART id from the board: the descriptor, or -1 with OSError. */
static int open_line(int id)
{
    if (vb_hal_need((const void *)hal()->net_request) < 0) return -1;
    vb_net_req req = {.op = VB_NET_UART, .id = id};
    vb_net_rep rep;
    int fd;
    for (;;) {
        int rc = hal()->net_request(hal()->ctx, &req, NULL, 0, &rep, &fd);
        if (rc == -EINTR) {
            if (PyErr_CheckSignals() < 0) return -1;
            continue;
        }
        if (rc < 0 || rep.err || fd < 0) {
            if (fd >= 0) close(fd);
            vb_raise_errno(rc < 0 ? EIO : rep.err ? rep.err : EIO);
            return -1;
        }
        return fd;
    }
}

static int set_config(uart_obj *u, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"baudrate", "bits", "parity", "stop", "tx", "rx", "rts", "cts", "txbuf", "rxbuf",
                             "timeout", "timeout_char", "invert", "flow", "pins", "timeout_chars", NULL};
    long baud = u->baudrate, bits = u->bits, stop = u->stop, txbuf = u->txbuf, rxbuf = u->rxbuf;
    long timeout = u->timeout_ms, tchar = u->timeout_char_ms, tchars = -1;
    PyObject *parity = u->parity ? u->parity : Py_None, *ignored[6] = {NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|llOlOOOOllllOOOl:UART", kwlist, &baud, &bits, &parity, &stop,
                                     &ignored[0], &ignored[1], &ignored[2], &ignored[3], &txbuf, &rxbuf, &timeout,
                                     &tchar, &ignored[4], &ignored[5], &ignored[0], &tchars))
        return -1;
    if (baud <= 0) {
        PyErr_SetString(PyExc_ValueError, "invalid baudrate");
        return -1;
    }
    if (bits < 5 || bits > 8) {
        PyErr_SetString(PyExc_ValueError, "invalid data bits");
        return -1;
    }
    if (stop < 1 || stop > 2) {
        PyErr_SetString(PyExc_ValueError, "invalid stop bits");
        return -1;
    }
    if (parity != Py_None) {
        long p = PyLong_AsLong(parity);
        if (p == -1 && PyErr_Occurred()) return -1;
        if (p != 0 && p != 1) {
            PyErr_SetString(PyExc_ValueError, "invalid parity");
            return -1;
        }
    }
    if (tchars >= 0) tchar = tchars * 10 * 1000 / baud + 1;   /* Pycom: in characters at this rate */
    long frame_bits = 1 + bits + (parity != Py_None) + stop;   /* start, data, parity, stop */
    u->frame_ns = (int64_t)frame_bits * 1000000000 / baud;
    vb_uart_irq_set_char_us(u->id, u->frame_ns / 1000);
    u->baudrate = baud, u->bits = bits, u->stop = stop, u->txbuf = txbuf, u->rxbuf = rxbuf;
    u->timeout_ms = timeout < 0 ? 0 : timeout;
    u->timeout_char_ms = tchar < 0 ? 0 : tchar;
    Py_INCREF(parity);
    Py_XSETREF(u->parity, parity);
    u->deinit = false;
    return 0;
}

static PyObject *u_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    if (n < 1) {
        PyErr_SetString(PyExc_TypeError, "function missing required positional argument #1");
        return NULL;
    }
    long id = PyLong_AsLong(PyTuple_GET_ITEM(args, 0));
    if (id == -1 && PyErr_Occurred()) return NULL;
    if (id < 0 || id >= (long)periph()->uarts) {
        PyErr_Format(PyExc_ValueError, "UART(%ld) does not exist", id);
        return NULL;
    }
    uart_obj *u = (uart_obj *)type->tp_alloc(type, 0);
    if (!u) return NULL;
    u->id = (int)id;
    u->fd = -1;
    u->baudrate = 115200, u->bits = 8, u->stop = 1, u->txbuf = 256, u->rxbuf = 256;
    PyObject *rest = PyTuple_GetSlice(args, 1, n);
    int rc = rest ? set_config(u, rest, kw) : -1;
    Py_XDECREF(rest);
    if (rc == 0 && !is_console(u) && (u->fd = open_line(u->id)) < 0) rc = -1;
    if (rc < 0) {
        Py_DECREF(u);
        return NULL;
    }
    return (PyObject *)u;
}

static void u_dealloc(uart_obj *u)
{
    PyTypeObject *tp = Py_TYPE(u);
    if (u->fd >= 0) close(u->fd);
    Py_XDECREF(u->parity);
    tp->tp_free(u);
    Py_DECREF(tp);
}

static PyObject *u_repr(uart_obj *u)
{
    PyObject *par = PyObject_Repr(u->parity ? u->parity : Py_None);
    if (!par) return NULL;
    PyObject *r = PyUnicode_FromFormat("UART(%d, baudrate=%ld, bits=%ld, parity=%U, stop=%ld, txbuf=%ld, "
                                       "rxbuf=%ld, timeout=%ld, timeout_char=%ld)",
                                       u->id, u->baudrate, u->bits, par, u->stop, u->txbuf, u->rxbuf,
                                       u->timeout_ms, u->timeout_char_ms);
    Py_DECREF(par);
    return r;
}

static PyObject *u_init(uart_obj *u, PyObject *args, PyObject *kw)
{
    if (set_config(u, args, kw) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *u_deinit(uart_obj *u, PyObject *x)
{
    (void)x;
    u->deinit = true;
    vb_uart_irq_deinit(u->id);
    Py_RETURN_NONE;
}

/* Wait for the line to be readable (or writable) until board time `deadline`. */
static int wait_line(uart_obj *u, short events, int64_t deadline) { return vb_stream_wait(u->fd, events, deadline); }

/* One read for the stream layer: the first of a read waits `timeout`, the
 * next ones `timeout_char`; -2 when nothing came by then. */
static Py_ssize_t read_once(void *obj, char *buf, size_t n)
{
    uart_obj *u = obj;
    int64_t wait_us = (u->first ? u->timeout_ms : u->timeout_char_ms) * 1000;
    u->first = false;
    int64_t deadline = vb_engine_now_us() + wait_us;
    if (is_console(u)) {
        for (;;) {
            int ms = (int)((deadline - vb_engine_now_us()) / 1000);
            int r = hal()->rx(hal()->ctx, buf, n, ms < 0 ? 0 : ms);
            if (r > 0) return r;
            if (r == -EINTR && PyErr_CheckSignals() == 0) continue;
            return r == -EINTR ? -1 : -2;
        }
    }
    int w = wait_line(u, POLLIN, deadline);
    if (w <= 0) return w == 0 ? -2 : -1;
    ssize_t r = read(u->fd, buf, n);
    return r > 0 ? r : -2;         /* a UART has no end of stream: nothing came */
}

static int check_live(uart_obj *u)
{
    if (!u->deinit) return 0;
    PyErr_SetString(PyExc_OSError, "UART not initialised");
    return -1;
}

static PyObject *u_read(uart_obj *u, PyObject *const *args, Py_ssize_t nargs)
{
    if (check_live(u) < 0) return NULL;
    u->first = true;
    return vb_stream_read(read_once, u, false, args, nargs);
}

static PyObject *u_readinto(uart_obj *u, PyObject *const *args, Py_ssize_t nargs)
{
    if (check_live(u) < 0) return NULL;
    u->first = true;
    return vb_stream_readinto(read_once, u, false, args, nargs);
}

static PyObject *u_readline(uart_obj *u, PyObject *x)
{
    (void)x;
    if (check_live(u) < 0) return NULL;
    u->first = true;
    return vb_stream_readline(read_once, u, -1);
}

/* n more bytes on the wire: the board time they take, waiting while the
 * backlog is more than the TX buffer and FIFO hold. 0 / -1 (Ctrl-C). */
static int pace(uart_obj *u, size_t n)
{
    int64_t now = vb_engine_now_us();
    int64_t start = u->tx_idle_us > now ? u->tx_idle_us : now;
    u->tx_idle_us = start + (int64_t)((uint64_t)n * (uint64_t)u->frame_ns / 1000u);
    int64_t room_us = (u->txbuf + (long)periph()->uart_tx_fifo) * u->frame_ns / 1000;
    int64_t over = u->tx_idle_us - now - room_us;
    return over > 0 ? vb_engine_sleep_us(over) : 0;
}

static PyObject *u_txdone(uart_obj *u, PyObject *x)
{
    (void)x;
    return PyBool_FromLong(is_console(u) || vb_engine_now_us() >= u->tx_idle_us);
}

static PyObject *u_flush(uart_obj *u, PyObject *x)
{
    (void)x;
    int64_t left = is_console(u) ? 0 : u->tx_idle_us - vb_engine_now_us();
    if (left > 0 && vb_engine_sleep_us(left) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *u_write(uart_obj *u, PyObject *data)
{
    if (check_live(u) < 0) return NULL;
    vb_buf b;
    if (vb_buf_get(data, false, &b) < 0) return NULL;
    const char *p = b.view.buf;
    size_t done = 0, n = (size_t)b.view.len;
    if (is_console(u)) {
        vb_hal_tx_all(hal(), p, n);
        done = n;
    } else if (pace(u, n) < 0) {
        vb_buf_release(&b);
        return NULL;
    }
    while (done < n) {
        ssize_t w = write(u->fd, p + done, n - done);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR) break;
        if (wait_line(u, POLLOUT, INT64_MAX) < 0) {   /* the far end takes it at its pace */
            vb_buf_release(&b);
            return NULL;
        }
    }
    vb_buf_release(&b);
    return PyLong_FromSize_t(done);
}

/* Bytes waiting: the line's, up to what one look finds (at least 1 when
 * any is there; the far end's exact count is not the board's to know). */
static PyObject *u_any(uart_obj *u, PyObject *x)
{
    (void)x;
    if (is_console(u)) return PyLong_FromSize_t(hal()->rx_available(hal()->ctx));
    struct pollfd pf = {u->fd, POLLIN, 0};
    return PyLong_FromLong(poll(&pf, 1, 0) > 0 && (pf.revents & POLLIN) ? 1 : 0);
}

static PyObject *u_none(uart_obj *u, PyObject *x)
{
    (void)u, (void)x;
    Py_RETURN_NONE;
}

/* The stream ioctl select.poll uses (MP_STREAM_POLL). */
static PyObject *u_ioctl(uart_obj *u, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "ioctl(request, arg)");
        return NULL;
    }
    long req = PyLong_AsLong(args[0]), arg = PyLong_AsLong(args[1]);
    if (PyErr_Occurred()) return NULL;
    if (req != 3) return vb_raise_errno(EINVAL);
    long ready = VB_POLLOUT;
    if (is_console(u)) {
        if (hal()->rx_available(hal()->ctx)) ready |= VB_POLLIN;
    } else {
        struct pollfd pf = {u->fd, POLLIN, 0};
        if (poll(&pf, 1, 0) > 0 && (pf.revents & POLLIN)) ready |= VB_POLLIN;
    }
    return PyLong_FromLong(ready & arg);
}

static PyObject *u_irq(uart_obj *u, PyObject *args, PyObject *kw)
{
    if (check_live(u) < 0) return NULL;
    return vb_uart_irq((PyObject *)u, u->id, args, kw);
}

static PyMethodDef irq_method = {"irq", (PyCFunction)(void (*)(void))u_irq, METH_VARARGS | METH_KEYWORDS, NULL};

int vb_uart_fd(PyObject *obj)
{
    if (!uart_type || !PyObject_TypeCheck(obj, uart_type)) return -1;
    return ((const uart_obj *)obj)->fd;
}

#define FAST(name, fn) {name, (PyCFunction)(void (*)(void))fn, METH_FASTCALL, NULL}

static PyMethodDef uart_methods[] = {
    {"init", (PyCFunction)(void (*)(void))u_init, METH_VARARGS | METH_KEYWORDS, NULL},
    {"deinit", (PyCFunction)u_deinit, METH_NOARGS, NULL},
    FAST("read", u_read),
    FAST("readinto", u_readinto),
    {"readline", (PyCFunction)u_readline, METH_NOARGS, NULL},
    {"write", (PyCFunction)u_write, METH_O, NULL},
    {"any", (PyCFunction)u_any, METH_NOARGS, NULL},
    {"txdone", (PyCFunction)u_txdone, METH_NOARGS, NULL},
    {"flush", (PyCFunction)u_flush, METH_NOARGS, NULL},
    {"sendbreak", (PyCFunction)u_none, METH_NOARGS, NULL},
    FAST("ioctl", u_ioctl),
    {NULL, NULL, 0, NULL},
};

PyObject *vb_uart_type_create(void)
{
    PyType_Slot slots[] = {
        {Py_tp_new, u_new}, {Py_tp_dealloc, u_dealloc}, {Py_tp_repr, u_repr},
        {Py_tp_methods, uart_methods}, {0, NULL},
    };
    PyType_Spec spec = {"UART", sizeof(uart_obj), 0, Py_TPFLAGS_DEFAULT, slots};
    PyObject *t = PyType_FromSpec(&spec);
    if (t && vb_uart_irq_supported()) {   /* the port's UART.irq and IRQ_* */
        PyObject *m = PyDescr_NewMethod((PyTypeObject *)t, &irq_method);
        if (!m || PyObject_SetAttrString(t, "irq", m) < 0 || vb_uart_irq_add_to_type(t) < 0) Py_CLEAR(t);
        Py_XDECREF(m);
    }
    if (t) {
        Py_INCREF(t);
        Py_XSETREF(uart_type, (PyTypeObject *)t);
    }
    return t;
}
