/* Pycom's machine.I2C (pycom-micropython 1.20's esp32/mods/machine_i2c.c
 * API): I2C(bus=0, mode=I2C.MASTER, *, baudrate=100000, pins=(SDA, SCL)),
 * buses 0 and 1 in hardware and 2 bit-banged, P9/P10 by default. A NACK
 * anywhere is OSError('I2C bus error'); the memory address is one byte,
 * two above 0xFF; the *_into and write methods return the byte count.
 * The bus operations are engine_mod_i2c.c's. */
#include "engine_i2c.h"
#include "board/pycom_errors.h"

#include "board/periph.h"

#define PYCOM_I2C_MASTER 0
#define PYCOM_I2C_BUSES 3          /* 0, 1 hardware; 2 software */
#define PYCOM_BAUD_DEFAULT 100000

const vb_engine_const vb_i2c_pycom_consts[] = {{"MASTER", PYCOM_I2C_MASTER}, {NULL, 0}};

static const vb_port_periph *periph(void) { return vb_engine_g.port->periph; }

/* Pycom's ValueError for every bad argument (mpexception.c). */
static int invalid_args(void)
{
    PyErr_SetString(PyExc_ValueError, VB_PYCOM_BAD_ARGS);
    return -1;
}

/* mode, baudrate and pins (SDA, SCL) for bus o->bus: 0 / -1. */
static int configure(i2c_obj *o, long mode, long baud, PyObject *pins)
{
    if (mode != PYCOM_I2C_MASTER || baud <= 0) return invalid_args();
    int bus = o->bus < (int)periph()->i2c_buses ? o->bus : 0;
    int sda = periph()->i2c_sda[bus], scl = periph()->i2c_scl[bus];
    if (pins && pins != Py_None) {
        if (!PyTuple_Check(pins) && !PyList_Check(pins)) return invalid_args();
        PyObject *seq = PySequence_Fast(pins, "pins");
        if (!seq) return -1;
        int ok = PySequence_Fast_GET_SIZE(seq) == 2;
        if (ok) {
            sda = vb_periph_pin_gpio(PySequence_Fast_GET_ITEM(seq, 0));
            scl = sda < 0 ? -1 : vb_periph_pin_gpio(PySequence_Fast_GET_ITEM(seq, 1));
        }
        Py_DECREF(seq);
        if (!ok) return invalid_args();
        if (sda < 0 || scl < 0) return -1;
    }
    o->sda = sda, o->scl = scl;
    o->freq = (uint32_t)baud;
    return 0;
}

PyObject *vb_i2c_pycom_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"bus", "mode", "baudrate", "pins", NULL};
    long id = 0, mode = PYCOM_I2C_MASTER, baud = PYCOM_BAUD_DEFAULT;
    PyObject *pins = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|ll$lO:I2C", kwl, &id, &mode, &baud, &pins)) return NULL;
    if (id < 0 || id >= PYCOM_I2C_BUSES) {
        PyErr_SetString(PyExc_OSError, VB_PYCOM_NO_RESOURCE);
        return NULL;
    }
    i2c_obj *o = (i2c_obj *)type->tp_alloc(type, 0);
    if (!o) return NULL;
    o->bus = o->id = (int)id;
    if (configure(o, mode, baud, pins) < 0) {
        Py_DECREF(o);
        return NULL;
    }
    /* the software bus reaches the wires whose default pins it uses */
    if (o->bus >= (int)periph()->i2c_buses) {
        int found = 0;
        for (unsigned b = periph()->i2c_buses; b-- > 0;)   /* the first bus on those pins */
            if (periph()->i2c_scl[b] == o->scl && periph()->i2c_sda[b] == o->sda) found = (int)b;
        o->bus = found;
        o->soft = false;           /* Pycom's errors are the same either way */
    }
    return (PyObject *)o;
}

PyObject *vb_i2c_pycom_repr(PyObject *self)
{
    const i2c_obj *o = (const i2c_obj *)self;
    if (!o->freq) return PyUnicode_FromFormat("I2C(%d)", o->id);
    return PyUnicode_FromFormat("I2C(%d, I2C.MASTER, baudrate=%u)", o->id, (unsigned)o->freq);
}

static PyObject *p_init(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"mode", "baudrate", "pins", NULL};
    long mode = PYCOM_I2C_MASTER, baud = PYCOM_BAUD_DEFAULT;
    PyObject *pins = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|l$lO:init", kwl, &mode, &baud, &pins)) return NULL;
    return configure((i2c_obj *)self, mode, baud, pins) < 0 ? NULL : Py_NewRef(Py_None);
}

static PyObject *p_deinit(PyObject *self, PyObject *u)
{
    (void)u;
    ((i2c_obj *)self)->freq = 0;
    Py_RETURN_NONE;
}

/* Pycom's memory address: one byte, two above 0xFF. */
static long addr_bits(unsigned long memaddr) { return memaddr > 0xFF ? 16 : 8; }

static PyObject *p_readfrom(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"addr", "nbytes", NULL};
    PyObject *a;
    Py_ssize_t n;
    unsigned addr;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "On:readfrom", kwl, &a, &n) || vb_i2c_addr_of(a, &addr) < 0) return NULL;
    PyObject *out = PyBytes_FromStringAndSize(NULL, n < 0 ? 0 : n);
    if (out && vb_i2c_read_from((i2c_obj *)self, addr, (uint8_t *)PyBytes_AS_STRING(out), (size_t)PyBytes_GET_SIZE(out),
                                true) < 0)
        Py_CLEAR(out);
    return out;
}

static PyObject *p_readfrom_into(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"addr", "buf", NULL};
    PyObject *a;
    Py_buffer buf;
    unsigned addr;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Ow*:readfrom_into", kwl, &a, &buf)) return NULL;
    int rc = vb_i2c_addr_of(a, &addr) < 0 ? -1 : vb_i2c_read_from((i2c_obj *)self, addr, buf.buf, (size_t)buf.len, true);
    Py_ssize_t n = buf.len;
    PyBuffer_Release(&buf);
    return rc < 0 ? NULL : PyLong_FromSsize_t(n);
}

/* pyb_buf_get_for_send: the bytes of a buffer (or str), or the one byte
 * an int is. 0 / -1; release with send_done. */
typedef struct {
    vb_buf b;
    uint8_t byte;
    bool is_int;
    const uint8_t *p;
    size_t n;
} send_buf;

static int send_get(PyObject *data, send_buf *s)
{
    s->is_int = PyLong_Check(data);
    if (s->is_int) {
        s->byte = (uint8_t)PyLong_AsLong(data);
        if (PyErr_Occurred()) return -1;
        s->p = &s->byte, s->n = 1;
        return 0;
    }
    if (vb_buf_get(data, false, &s->b) < 0) return -1;
    s->p = s->b.view.buf, s->n = (size_t)s->b.view.len;
    return 0;
}

static void send_done(send_buf *s)
{
    if (!s->is_int) vb_buf_release(&s->b);
}

static PyObject *p_writeto(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"addr", "buf", "stop", NULL};
    PyObject *a, *data;
    int stop = 1;
    unsigned addr;
    send_buf sb;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$p:writeto", kwl, &a, &data, &stop) || send_get(data, &sb) < 0)
        return NULL;
    long w = vb_i2c_addr_of(a, &addr) < 0 ? -1 : vb_i2c_write_to((i2c_obj *)self, addr, sb.p, sb.n, stop);
    send_done(&sb);
    return w < 0 ? NULL : PyLong_FromSize_t(sb.n);
}

static PyObject *p_readfrom_mem(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"addr", "memaddr", "nbytes", NULL};
    PyObject *a;
    unsigned long memaddr;
    Py_ssize_t n;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Okn:readfrom_mem", kwl, &a, &memaddr, &n)) return NULL;
    if (n <= 0) return PyBytes_FromStringAndSize(NULL, 0);
    PyObject *out = PyBytes_FromStringAndSize(NULL, n);
    if (out && vb_i2c_read_mem((i2c_obj *)self, a, memaddr, addr_bits(memaddr), (uint8_t *)PyBytes_AS_STRING(out),
                               (size_t)n) < 0)
        Py_CLEAR(out);
    return out;
}

static PyObject *p_readfrom_mem_into(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"addr", "memaddr", "buf", NULL};
    PyObject *a;
    unsigned long memaddr;
    Py_buffer buf;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Okw*:readfrom_mem_into", kwl, &a, &memaddr, &buf)) return NULL;
    int rc = buf.len > 0 ? vb_i2c_read_mem((i2c_obj *)self, a, memaddr, addr_bits(memaddr), buf.buf, (size_t)buf.len) : 0;
    Py_ssize_t n = buf.len;
    PyBuffer_Release(&buf);
    return rc < 0 ? NULL : PyLong_FromSsize_t(n);
}

static PyObject *p_writeto_mem(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"addr", "memaddr", "buf", NULL};
    PyObject *a, *data;
    unsigned long memaddr;
    send_buf sb;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OkO:writeto_mem", kwl, &a, &memaddr, &data) || send_get(data, &sb) < 0)
        return NULL;
    long w = vb_i2c_write_mem((i2c_obj *)self, a, memaddr, addr_bits(memaddr), sb.p, sb.n);
    send_done(&sb);
    return w < 0 ? NULL : PyLong_FromSize_t(sb.n);
}

#define KW(name, fn) {name, (PyCFunction)(void (*)(void))fn, METH_VARARGS | METH_KEYWORDS, NULL}
PyMethodDef vb_i2c_pycom_methods[] = {
    KW("init", p_init),
    {"deinit", p_deinit, METH_NOARGS, NULL},
    {"scan", vb_i2c_scan, METH_NOARGS, NULL},
    KW("readfrom", p_readfrom),
    KW("readfrom_into", p_readfrom_into),
    KW("writeto", p_writeto),
    KW("readfrom_mem", p_readfrom_mem),
    KW("readfrom_mem_into", p_readfrom_mem_into),
    KW("writeto_mem", p_writeto_mem),
    {NULL, NULL, 0, NULL},
};
