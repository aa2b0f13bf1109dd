/* machine.I2C and machine.SoftI2C (MicroPython v1.24 extmod/machine_i2c.c
 * API; esp32's hardware I2C): the devices are the board's, reached over
 * the HAL's i2c_xfer; every transaction costs board time at the bus
 * frequency (9 clocks a byte, the address included, plus START and STOP).
 *
 * esp32 I2C(id, *, scl, sda, freq=400000, timeout): a NACK anywhere ends
 * the transaction with OSError ENODEV (ESP-IDF's ESP_FAIL), writeto
 * returns the bytes sent. rp2 I2C(id=0, freq=400000, *, scl, sda,
 * timeout=50000): likewise but EIO (pico-sdk's error), except a write of
 * no data, which the port bit-bangs as SoftI2C does (ENODEV); SCL on odd,
 * SDA on even pins of the bus's pairs ("bad SCL pin"); the rate the
 * divider gives. SoftI2C(scl, sda, *, freq, timeout): a NACK of
 * the address is ENODEV, a NACK of data ends the writing and writeto
 * returns the ACKs; start, stop, readinto, write are the wire primitives.
 * SoftI2C reaches the bus whose default pins it uses (board/periph.h),
 * else bus 0. */
#include "engine_i2c.h"
#include "mptext.h"
#include "board/periph.h"

#include <errno.h>


static const vb_port_periph *periph(void) { return vb_engine_g.port->periph; }
static const vb_hal *hal(void) { return vb_engine_g.hal; }

/* A NACK: the port's OSError (Pycom's has a message, not an errno). */
static void nack_error(int err)
{
    if (periph()->i2c_nack_text) PyErr_SetString(PyExc_OSError, periph()->i2c_nack_text);
    else vb_raise_errno(err);
}

/* One piece of bus traffic, with its board time: acks (>= 0), or -1 with
 * an exception. */
long vb_i2c_xfer(const i2c_obj *o, unsigned flags, const uint8_t *w, size_t nw, uint8_t *r, size_t nr)
{
    if (vb_hal_need((const void *)hal()->i2c_xfer) < 0) return -1;
    size_t acks = 0;
    uint64_t stretch = 0;
    int rc = hal()->i2c_xfer(hal()->ctx, (unsigned)o->bus, flags, w, nw, r, nr, &acks, &stretch);
    if (rc < 0) {
        vb_raise_errno(-rc);
        return -1;
    }
    uint64_t clocks = 9u * (nw + nr) + ((flags & VB_BUS_START) ? 1 : 0) + ((flags & VB_BUS_STOP) ? 1 : 0);
    if (vb_engine_sleep_us((int64_t)(clocks * 1000000u / (o->freq ? o->freq : 1) + stretch)) < 0) return -1;
    return (long)acks;
}

/* A write transaction to addr of the pre bytes (a memory address, or
 * none) then n bytes: the count writeto returns for them all, or -1 with
 * ENODEV (or another exception). One message, the address byte first. */
static long write_parts(const i2c_obj *o, unsigned addr, const uint8_t *pre, size_t npre, const uint8_t *buf,
                        size_t n, bool stop)
{
    size_t total = npre + n;
    uint8_t *msg = PyMem_Malloc(total + 1);
    if (!msg) {
        PyErr_NoMemory();
        return -1;
    }
    msg[0] = (uint8_t)(addr << 1);
    if (npre) memcpy(msg + 1, pre, npre);
    if (n) memcpy(msg + 1 + npre, buf, n);
    long acks = vb_i2c_xfer(o, VB_BUS_START | (stop ? VB_BUS_STOP : 0), msg, total + 1, NULL, 0);
    PyMem_Free(msg);
    if (acks < 0) return -1;
    if (acks == 0 || (!o->soft && (size_t)acks < total + 1)) {
        /* the master lets go of the bus */
        if (!stop && vb_i2c_xfer(o, VB_BUS_STOP, NULL, 0, NULL, 0) < 0) return -1;
        nack_error(o->soft || total == 0 ? ENODEV : periph()->i2c_nack_errno);
        return -1;
    }
    return o->soft ? acks - 1 : (long)total;
}

long vb_i2c_write_to(const i2c_obj *o, unsigned addr, const uint8_t *buf, size_t n, bool stop)
{
    return write_parts(o, addr, NULL, 0, buf, n, stop);
}

int vb_i2c_read_from(const i2c_obj *o, unsigned addr, uint8_t *buf, size_t n, bool stop)
{
    uint8_t a = (uint8_t)(addr << 1 | 1);
    long acks = vb_i2c_xfer(o, VB_BUS_START | VB_BUS_NACK_LAST | (stop ? VB_BUS_STOP : 0), &a, 1, buf, n);
    if (acks < 0) return -1;
    if (acks == 0) {
        if (!stop && vb_i2c_xfer(o, VB_BUS_STOP, NULL, 0, NULL, 0) < 0) return -1;
        nack_error(o->soft ? ENODEV : periph()->i2c_nack_errno);
        return -1;
    }
    return 0;
}

int vb_i2c_addr_of(PyObject *v, unsigned *addr)
{
    long a = PyLong_AsLong(v);
    if (a == -1 && PyErr_Occurred()) return -1;
    *addr = (unsigned)a & 0x7F;
    return 0;
}

/* The memory address as addrsize/8 bytes, MSB first: its length, or -1
 * with ValueError. */
int vb_i2c_mem_addr(unsigned long memaddr, long addrsize, uint8_t out[4])
{
    if (addrsize <= 0 || addrsize > 32 || addrsize % 8) {
        PyErr_SetString(PyExc_ValueError, "invalid addrsize");
        return -1;
    }
    int n = 0;
    for (long sh = addrsize - 8; sh >= 0; sh -= 8) out[n++] = (uint8_t)(memaddr >> sh);
    return n;
}

/* ---- methods ----------------------------------------------------------------- */

PyObject *vb_i2c_scan(PyObject *self, PyObject *u)
{
    (void)u;
    const i2c_obj *o = (const i2c_obj *)self;
    PyObject *list = PyList_New(0);
    for (unsigned a = 0x08; list && a < 0x78; a++) {
        uint8_t b = (uint8_t)(a << 1);
        long acks = vb_i2c_xfer(o, VB_BUS_START | VB_BUS_STOP, &b, 1, NULL, 0);
        if (acks < 0) Py_CLEAR(list);
        else if (acks == 1) {
            PyObject *v = PyLong_FromUnsignedLong(a);
            if (!v || PyList_Append(list, v) < 0) Py_CLEAR(list);
            Py_XDECREF(v);
        }
    }
    return list;
}

static PyObject *m_readfrom(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"addr", "nbytes", "stop", NULL};
    PyObject *a;
    Py_ssize_t n;
    int stop = 1;
    unsigned addr;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "On|p:readfrom", kwl, &a, &n, &stop) || vb_i2c_addr_of(a, &addr) < 0) return NULL;
    if (n < 0) n = 0;
    PyObject *out = PyBytes_FromStringAndSize(NULL, n);
    if (out && vb_i2c_read_from((i2c_obj *)self, addr, (uint8_t *)PyBytes_AS_STRING(out), (size_t)n, stop) < 0) Py_CLEAR(out);
    return out;
}

static PyObject *m_readfrom_into(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"addr", "buf", "stop", NULL};
    PyObject *a;
    Py_buffer buf;
    int stop = 1;
    unsigned addr;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Ow*|p:readfrom_into", kwl, &a, &buf, &stop)) return NULL;
    int rc = vb_i2c_addr_of(a, &addr) < 0 ? -1 : vb_i2c_read_from((i2c_obj *)self, addr, buf.buf, (size_t)buf.len, stop);
    PyBuffer_Release(&buf);
    if (rc < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *m_writeto(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"addr", "buf", "stop", NULL};
    PyObject *a;
    Py_buffer buf;
    int stop = 1;
    unsigned addr;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Oy*|p:writeto", kwl, &a, &buf, &stop)) return NULL;
    long n = vb_i2c_addr_of(a, &addr) < 0 ? -1 : vb_i2c_write_to((i2c_obj *)self, addr, buf.buf, (size_t)buf.len, stop);
    PyBuffer_Release(&buf);
    return n < 0 ? NULL : PyLong_FromLong(n);
}

static PyObject *m_writevto(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"addr", "vector", "stop", NULL};
    PyObject *a, *vec;
    int stop = 1;
    unsigned addr;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|p:writevto", kwl, &a, &vec, &stop) || vb_i2c_addr_of(a, &addr) < 0)
        return NULL;
    PyObject *empty = PyBytes_FromStringAndSize(NULL, 0);
    PyObject *join = empty ? PyObject_GetAttrString(empty, "join") : NULL;
    PyObject *joined = join ? PyObject_CallOneArg(join, vec) : NULL;
    Py_XDECREF(join);
    Py_XDECREF(empty);
    if (!joined) return NULL;
    long n = vb_i2c_write_to((i2c_obj *)self, addr, (const uint8_t *)PyBytes_AS_STRING(joined), (size_t)PyBytes_GET_SIZE(joined), stop);
    Py_DECREF(joined);
    return n < 0 ? NULL : PyLong_FromLong(n);
}

/* readfrom_mem(_into): the memory address written without a STOP, then a
 * read after a repeated START (extmod's read_mem). */
int vb_i2c_read_mem(const i2c_obj *o, PyObject *a, unsigned long memaddr, long addrsize, uint8_t *buf, size_t n)
{
    unsigned addr;
    uint8_t ma[4];
    int k = vb_i2c_mem_addr(memaddr, addrsize, ma);
    if (k < 0 || vb_i2c_addr_of(a, &addr) < 0) return -1;
    long w = vb_i2c_write_to(o, addr, ma, (size_t)k, false);
    if (w < 0) return -1;
    if (w != k) return vb_i2c_xfer(o, VB_BUS_STOP, NULL, 0, NULL, 0) < 0 ? -1 : 0;
    return vb_i2c_read_from(o, addr, buf, n, true);
}

static PyObject *m_readfrom_mem(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"addr", "memaddr", "nbytes", "addrsize", NULL};
    PyObject *a;
    unsigned long memaddr;
    Py_ssize_t n;
    long addrsize = 8;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Okn|$l:readfrom_mem", kwl, &a, &memaddr, &n, &addrsize)) return NULL;
    if (n < 0) n = 0;
    PyObject *out = PyBytes_FromStringAndSize(NULL, n);
    if (out && vb_i2c_read_mem((i2c_obj *)self, a, memaddr, addrsize, (uint8_t *)PyBytes_AS_STRING(out), (size_t)n) < 0)
        Py_CLEAR(out);
    return out;
}

static PyObject *m_readfrom_mem_into(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"addr", "memaddr", "buf", "addrsize", NULL};
    PyObject *a;
    unsigned long memaddr;
    Py_buffer buf;
    long addrsize = 8;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Okw*|$l:readfrom_mem_into", kwl, &a, &memaddr, &buf, &addrsize))
        return NULL;
    int rc = vb_i2c_read_mem((i2c_obj *)self, a, memaddr, addrsize, buf.buf, (size_t)buf.len);
    PyBuffer_Release(&buf);
    if (rc < 0) return NULL;
    Py_RETURN_NONE;
}

long vb_i2c_write_mem(const i2c_obj *o, PyObject *a, unsigned long memaddr, long addrsize, const uint8_t *buf, size_t n)
{
    unsigned addr;
    uint8_t ma[4];
    int k = vb_i2c_mem_addr(memaddr, addrsize, ma);
    if (k < 0 || vb_i2c_addr_of(a, &addr) < 0) return -1;
    return write_parts(o, addr, ma, (size_t)k, buf, n, true);
}

static PyObject *m_writeto_mem(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"addr", "memaddr", "buf", "addrsize", NULL};
    PyObject *a;
    unsigned long memaddr;
    Py_buffer buf;
    long addrsize = 8;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Oky*|$l:writeto_mem", kwl, &a, &memaddr, &buf, &addrsize)) return NULL;
    long n = vb_i2c_write_mem((i2c_obj *)self, a, memaddr, addrsize, buf.buf, (size_t)buf.len);
    PyBuffer_Release(&buf);
    if (n < 0) return NULL;
    Py_RETURN_NONE;
}

/* ---- SoftI2C's wire primitives ----------------------------------------------- */

static PyObject *m_start(PyObject *self, PyObject *u)
{
    (void)u;
    return vb_i2c_xfer((i2c_obj *)self, VB_BUS_START, NULL, 0, NULL, 0) < 0 ? NULL : Py_NewRef(Py_None);
}

static PyObject *m_stop(PyObject *self, PyObject *u)
{
    (void)u;
    return vb_i2c_xfer((i2c_obj *)self, VB_BUS_STOP, NULL, 0, NULL, 0) < 0 ? NULL : Py_NewRef(Py_None);
}

static PyObject *m_write(PyObject *self, PyObject *arg)
{
    Py_buffer buf;
    if (PyObject_GetBuffer(arg, &buf, PyBUF_SIMPLE) < 0) return NULL;
    long acks = vb_i2c_xfer((i2c_obj *)self, 0, buf.buf, (size_t)buf.len, NULL, 0);
    PyBuffer_Release(&buf);
    return acks < 0 ? NULL : PyLong_FromLong(acks);
}

static PyObject *m_readinto(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"buf", "nack", NULL};
    Py_buffer buf;
    int nack = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "w*|p:readinto", kwl, &buf, &nack)) return NULL;
    long rc = vb_i2c_xfer((i2c_obj *)self, nack ? VB_BUS_NACK_LAST : 0, NULL, 0, buf.buf, (size_t)buf.len);
    PyBuffer_Release(&buf);
    if (rc < 0) return NULL;
    Py_RETURN_NONE;
}

/* ---- constructors ------------------------------------------------------------ */

static int pin_arg(PyObject *pin, int dflt)
{
    return pin && pin != Py_None ? vb_periph_pin_gpio(pin) : dflt;
}

static int set_freq(i2c_obj *o, long freq)
{
    if (freq <= 0) {
        PyErr_SetString(PyExc_ValueError, "freq must be positive");
        return -1;
    }
    o->freq = (uint32_t)freq;
    return 0;
}

/* The rate the bus runs at for `freq` (the port's divider). */
static uint32_t bus_rate(long freq)
{
    uint32_t clk = periph()->i2c_clock_hz;
    if (!clk) return (uint32_t)freq;
    uint32_t period = (uint32_t)((clk + (uint64_t)freq / 2) / (uint64_t)freq);
    return clk / (period ? period : 1);
}

/* What differs in the ports' machine.I2C besides the table's facts: the
 * signature (esp32: id required, the rest keyword-only; rp2: id defaults
 * to 0, freq may be positional) and the print. */
typedef struct hw_flavour {
    const char *args;
    reprfunc repr;
    newfunc tp_new;                /* NULL: new_hw, with `args` */
    PyMethodDef *methods;          /* NULL: hw_methods */
    const vb_engine_const *consts; /* the class's constants, NULL: none */
} hw_flavour;
static const hw_flavour *flavour(void);

static PyObject *new_hw(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"id", "freq", "scl", "sda", "timeout", NULL};
    const vb_port_periph *p = periph();
    long id = 0, freq = (long)p->i2c_freq_default, timeout = 50000;
    PyObject *scl = NULL, *sda = NULL;
    if (!flavour() || !PyArg_ParseTupleAndKeywords(args, kw, flavour()->args, kwl, &id, &freq, &scl, &sda, &timeout)) return NULL;
    if (id < 0 || id >= (long)p->i2c_buses) {
        PyErr_Format(PyExc_ValueError, "I2C(%ld) doesn't exist", id);
        return NULL;
    }
    i2c_obj *o = (i2c_obj *)type->tp_alloc(type, 0);
    if (!o) return NULL;
    o->bus = (int)id;
    o->timeout = timeout;
    if ((o->scl = pin_arg(scl, p->i2c_scl[id])) < 0 || (o->sda = pin_arg(sda, p->i2c_sda[id])) < 0 ||
        set_freq(o, freq) < 0) {
        Py_DECREF(o);
        return NULL;
    }
    if (p->i2c_pins_paired) {
        const char *bad = (o->scl & 1) != 1 || ((o->scl & 2) >> 1) != id ? "bad SCL pin"
                        : (o->sda & 1) != 0 || ((o->sda & 2) >> 1) != id ? "bad SDA pin" : NULL;
        if (bad) {
            PyErr_SetString(PyExc_ValueError, bad);
            Py_DECREF(o);
            return NULL;
        }
    }
    o->freq = bus_rate(freq);
    return (PyObject *)o;
}

static PyObject *new_soft(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"scl", "sda", "freq", "timeout", NULL};
    const vb_port_periph *p = periph();
    long freq = (long)p->i2c_freq_default, timeout = 50000;
    PyObject *scl, *sda;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$ll:SoftI2C", kwl, &scl, &sda, &freq, &timeout)) return NULL;
    i2c_obj *o = (i2c_obj *)type->tp_alloc(type, 0);
    if (!o) return NULL;
    o->soft = true;
    if ((o->scl = pin_arg(scl, -1)) < 0 || (o->sda = pin_arg(sda, -1)) < 0 || set_freq(o, freq) < 0) {
        Py_DECREF(o);
        return NULL;
    }
    for (unsigned b = 0; b < p->i2c_buses; b++)
        if (p->i2c_scl[b] == o->scl && p->i2c_sda[b] == o->sda) o->bus = (int)b;
    return (PyObject *)o;
}

static PyObject *repr_esp32(PyObject *self)
{
    const i2c_obj *o = (const i2c_obj *)self;
    return PyUnicode_FromFormat("I2C(%d, scl=%d, sda=%d, freq=%u)", o->bus, o->scl, o->sda, (unsigned)o->freq);
}

static PyObject *repr_rp2(PyObject *self)
{
    const i2c_obj *o = (const i2c_obj *)self;
    return PyUnicode_FromFormat("I2C(%d, freq=%u, scl=%d, sda=%d, timeout=%ld)", o->bus, (unsigned)o->freq,
                                o->scl, o->sda, o->timeout);
}

static const hw_flavour flavours[VB_PORT_COUNT] = {
    [VB_PORT_ESP32] = {"l|$lOOl:I2C", repr_esp32},
    [VB_PORT_RP2] = {"|ll$OOl:I2C", repr_rp2},
    [VB_PORT_PYCOM] = {"", vb_i2c_pycom_repr, vb_i2c_pycom_new, vb_i2c_pycom_methods, vb_i2c_pycom_consts},
};

static const hw_flavour *flavour(void)
{
    const hw_flavour *f = &flavours[vb_engine_g.port->id];
    return f->args ? f : NULL;
}

/* extmod prints the frequency its half-period delay gives (500 kHz / µs) */
static PyObject *repr_soft(PyObject *self)
{
    const i2c_obj *o = (const i2c_obj *)self;
    unsigned delay = 500000u / o->freq;
    return PyUnicode_FromFormat("SoftI2C(scl=%d, sda=%d, freq=%u)", o->scl, o->sda, 500000u / (delay ? delay : 1));
}

static void i2c_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

#define KW(name, fn) {name, (PyCFunction)(void (*)(void))fn, METH_VARARGS | METH_KEYWORDS, NULL}
#define COMMON                                                                         \
    {"scan", vb_i2c_scan, METH_NOARGS, NULL}, KW("readfrom", m_readfrom), KW("readfrom_into", m_readfrom_into), \
    KW("writeto", m_writeto), KW("writevto", m_writevto), KW("readfrom_mem", m_readfrom_mem),             \
    KW("readfrom_mem_into", m_readfrom_mem_into), KW("writeto_mem", m_writeto_mem)

static PyMethodDef hw_methods[] = {COMMON, {NULL, NULL, 0, NULL}};
static PyMethodDef soft_methods[] = {
    COMMON,
    {"start", m_start, METH_NOARGS, NULL},
    {"stop", m_stop, METH_NOARGS, NULL},
    {"write", m_write, METH_O, NULL},
    KW("readinto", m_readinto),
    {NULL, NULL, 0, NULL},
};

static PyObject *make(const char *name, newfunc tp_new, reprfunc repr, PyMethodDef *methods)
{
    PyType_Slot slots[] = {{Py_tp_methods, methods}, {Py_tp_dealloc, (void *)i2c_dealloc},
                           {Py_tp_new, (void *)tp_new}, {Py_tp_repr, (void *)repr}, {0, NULL}};
    PyType_Spec spec = {name, sizeof(i2c_obj), 0, Py_TPFLAGS_DEFAULT, slots};
    return PyType_FromSpec(&spec);
}

int vb_machine_add_i2c(PyObject *machine)
{
    const vb_port_periph *p = periph();
    struct { bool have; const char *name, *qual; newfunc nw; reprfunc repr; PyMethodDef *m; } types[] = {
        {p->i2c_buses > 0 && flavour(), "I2C", "machine.I2C", flavour() && flavour()->tp_new ? flavour()->tp_new : new_hw,
         flavour() ? flavour()->repr : NULL, flavour() && flavour()->methods ? flavour()->methods : hw_methods},
        {p->soft_i2c, "SoftI2C", "machine.SoftI2C", new_soft, repr_soft, soft_methods},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (!types[i].have) continue;
        PyObject *t = make(types[i].qual, types[i].nw, types[i].repr, types[i].m);
        if (t && i == 0 && flavour()->consts) t = vb_type_add_consts(t, flavour()->consts);
        if (!t || PyModule_AddObject(machine, types[i].name, t) < 0) {
            Py_XDECREF(t);
            return -1;
        }
    }
    return 0;
}
