/* machine.SPI and machine.SoftSPI (MicroPython v1.24 extmod/machine_spi.c
 * API; esp32's machine_hw_spi.c, rp2's machine_spi.c): the devices are the
 * board's, reached over the HAL's spi_xfer; a transfer costs board time at
 * the bus rate (8 clocks a byte). Chip selects are Pins the program drives.
 *
 * esp32 SPI(id, baudrate=500000, *, polarity, phase, bits, firstbit, sck,
 * mosi, miso): ids 1 and 2 with their IO_MUX pins by default (None: no
 * pin), the rate ESP-IDF's divider gives, deinit() frees the bus (a
 * transfer then is OSError), a transfer shorter than one word is
 * ValueError "buffer too short". rp2 SPI(id, baudrate=1000000, *, ...):
 * ids 0 and 1, pins checked against the bus ("bad SCK pin"), the object
 * per id keeps its settings when called with the id alone, init() takes
 * keywords only, LSB-first is NotImplementedError, MSB is pico-sdk's 1.
 * Pycom's is the WiPy API (machspi.c): SPI(0, SPI.MASTER, *, baudrate=
 * 1000000, bits, polarity, phase, firstbit, pins=(CLK, MOSI, MISO)), every
 * call initialises afresh, methods return byte counts (periph.h
 * spi_wipy_api). SoftSPI(baudrate=500000, *, polarity, phase, bits=8,
 * firstbit=MSB, sck, mosi, miso): all three pins required; it reaches the
 * bus whose default SCK it uses, else the port's first. */
#include "engine_int.h"
#include "board/pycom_errors.h"
#include "board/periph.h"

#include <errno.h>

#define PYCOM_SPI_MASTER 0 /* SpiMode_Master */

typedef struct {
    PyObject_HEAD
    int bus;                       /* the board's SPI bus (the port's id) */
    uint32_t baud;                 /* hardware: the rate the divider gives */
    uint32_t delay_half;           /* SoftSPI: half a clock period, µs (0: as fast as it goes) */
    long polarity, phase, bits, firstbit;
    int sck, mosi, miso;           /* GPIO, -1 none */
    bool soft, deinited;
} spi_obj;

static const vb_port_periph *periph(void) { return vb_engine_g.port->periph; }
static const vb_hal *hal(void) { return vb_engine_g.hal; }

/* The port's SPI objects are static peripherals (SPI(1) is SPI(1), as
 * on the boards): one per bus, made on first use. Why global: the
 * constructor carries no module state; one VM process, one set. */
static PyObject *hw_objs[VB_SPI_BUSES];

static bool lsb_first(const spi_obj *o) { return o->firstbit != (long)periph()->spi_msb; }
/* What the block shifts: rp2 refuses LSB before it reaches the hardware. */
static bool sends_lsb_first(const spi_obj *o) { return !o->soft && periph()->spi_lsb && lsb_first(o); }

/* ---- transfers ------------------------------------------------------------- */

static uint32_t rate(const spi_obj *o)
{
    if (!o->soft) return o->baud ? o->baud : 1;
    if (o->delay_half == 0) return periph()->soft_spi_max_baud;
    return 500000u / o->delay_half;
}

/* n bytes out of src (and into dest, which may be src or NULL), with the
 * port's checks and the board time they take: 0, or -1 with an exception. */
static int transfer(const spi_obj *o, const uint8_t *src, uint8_t *dest, size_t n)
{
    if (!o->soft && o->deinited) {
        PyErr_SetString(PyExc_OSError, periph()->spi_deinit_error);
        return -1;
    }
    size_t nbytes = n;
    if (!o->soft && periph()->spi_whole_words) {
        /* esp32 sends whole words only */
        size_t bits = n * 8 / (size_t)o->bits * (size_t)o->bits;
        if (!bits) {
            PyErr_SetString(PyExc_ValueError, "buffer too short");
            return -1;
        }
        nbytes = (bits + 7) / 8;
    }
    if (nbytes == 0) return 0;
    if (vb_hal_need((const void *)hal()->spi_xfer) < 0) return -1;
    unsigned mode = (o->phase ? VB_SPI_CPHA : 0) | (o->polarity ? VB_SPI_CPOL : 0) |
                    (sends_lsb_first(o) ? VB_SPI_LSB_FIRST : 0);
    int rc = hal()->spi_xfer(hal()->ctx, (unsigned)o->bus, mode, o->soft ? 8u : (unsigned)o->bits, src, dest, nbytes);
    if (rc < 0) {
        vb_raise_errno(-rc);
        return -1;
    }
    return vb_engine_sleep_us((int64_t)(nbytes * 8u * 1000000u / rate(o))) < 0 ? -1 : 0;
}

/* A hardware SPI of the WiPy API (Pycom's; SoftSPI is extmod's anyway). */
static bool wipy(const spi_obj *o) { return periph()->spi_wipy_api && !o->soft; }

/* What a transfer method returns: None, or (the WiPy API) the count. */
static PyObject *done(const spi_obj *o, size_t n)
{
    if (wipy(o)) return PyLong_FromSize_t(n);
    Py_RETURN_NONE;
}

/* read(nbytes, write=0x00) / readinto(buf, write=0x00); the WiPy API takes
 * `write` by keyword only and nbytes as an int or a buffer's length. */
static int read_args(const spi_obj *o, PyObject *args, PyObject *kw, const char *fmt, const char *wipy_fmt,
                     void *first, int *fill)
{
    static char *kwl[] = {"", "write", NULL};
    if (wipy(o)) return PyArg_ParseTupleAndKeywords(args, kw, wipy_fmt, kwl, first, fill);
    if (kw && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "function doesn't take keyword arguments");
        return 0;
    }
    return PyArg_ParseTuple(args, fmt, first, fill);
}

static PyObject *m_read(PyObject *self, PyObject *args, PyObject *kw)
{
    Py_ssize_t n;
    int fill = 0;
    if (!read_args((spi_obj *)self, args, kw, "n|i:read", "n|$i:read", &n, &fill)) return NULL;
    if (n < 0) n = 0;
    PyObject *out = PyBytes_FromStringAndSize(NULL, n);
    if (!out) return NULL;
    uint8_t *p = (uint8_t *)PyBytes_AS_STRING(out);
    memset(p, fill & 0xFF, (size_t)n);
    if (transfer((spi_obj *)self, p, p, (size_t)n) < 0) Py_CLEAR(out);
    return out;
}

static PyObject *m_readinto(PyObject *self, PyObject *args, PyObject *kw)
{
    Py_buffer buf;
    int fill = 0;
    if (!read_args((spi_obj *)self, args, kw, "w*|i:readinto", "w*|$i:readinto", &buf, &fill)) return NULL;
    memset(buf.buf, fill & 0xFF, (size_t)buf.len);
    size_t n = (size_t)buf.len;
    int rc = transfer((spi_obj *)self, buf.buf, buf.buf, n);
    PyBuffer_Release(&buf);
    return rc < 0 ? NULL : done((spi_obj *)self, n);
}

static PyObject *m_write(PyObject *self, PyObject *arg)
{
    const spi_obj *o = (const spi_obj *)self;
    if (wipy(o) && PyLong_Check(arg)) {   /* an int: one byte */
        uint8_t b = (uint8_t)PyLong_AsUnsignedLongMask(arg);
        return transfer(o, &b, NULL, 1) < 0 ? NULL : done(o, 1);
    }
    vb_buf buf;
    if (vb_buf_get(arg, false, &buf) < 0) return NULL;
    size_t n = (size_t)buf.view.len;
    int rc = transfer(o, buf.view.buf, NULL, n);
    vb_buf_release(&buf);
    return rc < 0 ? NULL : done(o, n);
}

static PyObject *m_write_readinto(PyObject *self, PyObject *args)
{
    Py_buffer w, r;
    if (!PyArg_ParseTuple(args, "y*w*:write_readinto", &w, &r)) return NULL;
    int rc = -1;
    if (w.len != r.len)
        PyErr_SetString(PyExc_ValueError,
                        wipy((spi_obj *)self) ? VB_PYCOM_BAD_ARGS : "buffers must be the same length");
    else rc = transfer((spi_obj *)self, w.buf, r.buf, (size_t)w.len);
    size_t n = (size_t)w.len;
    PyBuffer_Release(&w);
    PyBuffer_Release(&r);
    return rc < 0 ? NULL : done((spi_obj *)self, n);
}

static PyObject *m_deinit(PyObject *self, PyObject *u)
{
    (void)u;
    spi_obj *o = (spi_obj *)self;
    if (!o->soft && periph()->spi_deinit_error) o->deinited = true;
    Py_RETURN_NONE;
}

/* ---- settings ---------------------------------------------------------------- */

/* A pin argument: absent (NULL) keeps dflt, None is no pin (-1); -2 with
 * the Pin constructor's exception. */
static int pin_arg(PyObject *pin, int dflt)
{
    if (!pin) return dflt;
    if (pin == Py_None) return -1;
    int g = vb_periph_pin_gpio(pin);
    return g < 0 ? -2 : g;
}

static bool bus_ok(long id)
{
    const vb_port_periph *p = periph();
    return id >= (long)p->spi_first_id && id < (long)(p->spi_first_id + p->spi_buses);
}

static PyObject *no_such_bus(long id)
{
    PyErr_Format(PyExc_ValueError, "SPI(%ld) doesn't exist", id);
    return NULL;
}

static int set_baud(spi_obj *o, long baud)
{
    if (baud <= 0) {
        PyErr_SetString(PyExc_ValueError, "baudrate must be positive");
        return -1;
    }
    o->baud = vb_spi_actual_baud(periph()->spi_divider, periph()->spi_clock_hz, (uint32_t)baud);
    return 0;
}

static int set_bits(spi_obj *o, long bits)
{
    if (bits < 1 || bits > 32) {   /* the ports' blocks would divide by zero or overrun */
        PyErr_SetString(PyExc_ValueError, "invalid bits");
        return -1;
    }
    o->bits = bits;
    return 0;
}

/* The object for bus id, made on first use. */
static spi_obj *hw_obj(PyTypeObject *type, long id)
{
    unsigned i = (unsigned)id;
    if (!hw_objs[i]) {
        hw_objs[i] = type->tp_alloc(type, 0);
        if (!hw_objs[i]) return NULL;
        spi_obj *o = (spi_obj *)hw_objs[i];
        unsigned k = i - periph()->spi_first_id;
        o->bus = (int)id;
        o->sck = periph()->spi_sck[k];
        o->mosi = periph()->spi_mosi[k];
        o->miso = periph()->spi_miso[k];
        o->bits = 8;
        o->firstbit = (long)periph()->spi_msb;
    }
    return (spi_obj *)Py_NewRef(hw_objs[i]);
}

/* esp32: a change of any setting re-initialises the bus (and revives a
 * deinitialised one); pins absent keep theirs. */
static int esp32_apply(spi_obj *o, long id, long baud, long pol, long pha, long bits, long fb, PyObject *sck,
                       PyObject *mosi, PyObject *miso)
{
    if (id != -1 && !bus_ok(id)) return no_such_bus(id), -1;
    int s = pin_arg(sck, o->sck), mo = pin_arg(mosi, o->mosi), mi = pin_arg(miso, o->miso);
    if (s == -2 || mo == -2 || mi == -2) return -1;
    if ((baud != -1 && set_baud(o, baud) < 0) || (bits != -1 && set_bits(o, bits) < 0)) return -1;
    if (id != -1) o->bus = (int)id;
    if (pol != -1) o->polarity = pol;
    if (pha != -1) o->phase = pha;
    if (fb != -1) o->firstbit = fb;
    o->sck = s, o->mosi = mo, o->miso = mi;
    o->deinited = false;
    return 0;
}

static PyObject *new_esp32(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"id", "baudrate", "polarity", "phase", "bits", "firstbit", "sck", "mosi", "miso", NULL};
    long id, baud = (long)periph()->spi_baud_default, pol = 0, pha = 0, bits = 8, fb = (long)periph()->spi_msb;
    PyObject *sck = NULL, *mosi = NULL, *miso = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "l|l$llllOOO:SPI", kwl, &id, &baud, &pol, &pha, &bits, &fb, &sck, &mosi,
                                     &miso))
        return NULL;
    if (!bus_ok(id)) return no_such_bus(id);
    spi_obj *o = hw_obj(type, id);
    if (o) {
        /* a new constructor call starts from the bus's default pins */
        unsigned k = (unsigned)id - periph()->spi_first_id;
        o->sck = periph()->spi_sck[k], o->mosi = periph()->spi_mosi[k], o->miso = periph()->spi_miso[k];
        if (esp32_apply(o, id, baud, pol, pha, bits, fb, sck, mosi, miso) < 0) Py_CLEAR(o);
    }
    return (PyObject *)o;
}

static PyObject *init_esp32(spi_obj *o, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"id", "baudrate", "polarity", "phase", "bits", "firstbit", "sck", "mosi", "miso", NULL};
    long id = -1, baud = -1, pol = -1, pha = -1, bits = -1, fb = -1;
    PyObject *sck = NULL, *mosi = NULL, *miso = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|ll$llllOOO:init", kwl, &id, &baud, &pol, &pha, &bits, &fb, &sck, &mosi,
                                     &miso) ||
        esp32_apply(o, id, baud, pol, pha, bits, fb, sck, mosi, miso) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* rp2's pin rules (machine_spi.c): SPI0 on GP0-7/16-23, SPI1 on
 * GP8-15/24-29; SCK at 4k+2, MOSI 4k+3, MISO 4k. */
static int rp2_pin(PyObject *pin, long id, unsigned low2, const char *bad, int *out)
{
    if (!pin || pin == Py_None) return 0;
    int g = vb_periph_pin_gpio(pin);
    if (g < 0) return -1;
    if ((unsigned)(g & 3) != low2 || ((g & 8) >> 3) != id) {
        PyErr_SetString(PyExc_ValueError, bad);
        return -1;
    }
    *out = g;
    return 0;
}

static int rp2_format(spi_obj *o, long pol, long pha, long bits, long fb)
{
    if (pol != -1) o->polarity = pol;
    if (pha != -1) o->phase = pha;
    if (bits != -1 && set_bits(o, bits) < 0) return -1;
    if (fb != -1) {
        o->firstbit = fb;
        if (lsb_first(o) && !periph()->spi_lsb) {
            PyErr_SetString(PyExc_NotImplementedError, "LSB");
            return -1;
        }
    }
    return 0;
}

static PyObject *new_rp2(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"id", "baudrate", "polarity", "phase", "bits", "firstbit", "sck", "mosi", "miso", NULL};
    PyObject *idobj, *sck = NULL, *mosi = NULL, *miso = NULL;
    long baud = (long)periph()->spi_baud_default, pol = 0, pha = 0, bits = 8, fb = (long)periph()->spi_msb;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|l$llllOOO:SPI", kwl, &idobj, &baud, &pol, &pha, &bits, &fb, &sck,
                                     &mosi, &miso))
        return NULL;
    long id = PyLong_AsLong(idobj);
    if (id == -1 && PyErr_Occurred()) return NULL;
    if (!bus_ok(id)) return no_such_bus(id);
    spi_obj *o = hw_obj(type, id);
    if (!o) return NULL;
    if (rp2_pin(sck, id, 2, "bad SCK pin", &o->sck) < 0 || rp2_pin(mosi, id, 3, "bad MOSI pin", &o->mosi) < 0 ||
        rp2_pin(miso, id, 0, "bad MISO pin", &o->miso) < 0) {
        Py_DECREF(o);
        return NULL;
    }
    /* settings given, or never initialised: all of them, defaults included */
    bool more = PyTuple_GET_SIZE(args) > 1 || (kw && PyDict_GET_SIZE(kw) > 0);
    if ((more || o->baud == 0) && (set_baud(o, baud) < 0 || rp2_format(o, pol, pha, bits, fb) < 0)) Py_CLEAR(o);
    return (PyObject *)o;
}

static PyObject *init_rp2(spi_obj *o, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"baudrate", "polarity", "phase", "bits", "firstbit", NULL};
    long baud = -1, pol = -1, pha = -1, bits = -1, fb = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$lllll:init", kwl, &baud, &pol, &pha, &bits, &fb) ||
        (baud != -1 && set_baud(o, baud) < 0) || rp2_format(o, pol, pha, bits, fb) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *repr_esp32(PyObject *self)
{
    const spi_obj *o = (const spi_obj *)self;
    return PyUnicode_FromFormat("SPI(id=%d, baudrate=%u, polarity=%ld, phase=%ld, bits=%ld, firstbit=%ld, sck=%d, "
                                "mosi=%d, miso=%d)",
                                o->bus, (unsigned)o->baud, o->polarity, o->phase, o->bits, o->firstbit, o->sck, o->mosi,
                                o->miso);
}

static PyObject *repr_rp2(PyObject *self)
{
    const spi_obj *o = (const spi_obj *)self;
    return PyUnicode_FromFormat("SPI(%d, baudrate=%u, polarity=%ld, phase=%ld, bits=%ld, sck=%d, mosi=%d, miso=%d)",
                                o->bus, (unsigned)o->baud, o->polarity, o->phase, o->bits, o->sck, o->mosi, o->miso);
}

/* Pycom (machspi.c pyb_spi_init_helper): every setting from its default
 * at each call; pins absent are the defaults, None leaves them, else a
 * tuple of three pins. */
static int pycom_apply(spi_obj *o, PyObject *args, PyObject *kw, bool with_id)
{
    static char *kw_new[] = {"id", "mode", "baudrate", "bits", "polarity", "phase", "firstbit", "pins", NULL};
    long id = 0, mode = PYCOM_SPI_MASTER, baud = (long)periph()->spi_baud_default, bits = 8, pol = 0, pha = 0,
         fb = (long)periph()->spi_msb;
    PyObject *pins = NULL;
    int ok = with_id ? PyArg_ParseTupleAndKeywords(args, kw, "|ll$lllllO:SPI", kw_new, &id, &mode, &baud, &bits, &pol,
                                                   &pha, &fb, &pins)
                     : PyArg_ParseTupleAndKeywords(args, kw, "|l$lllllO:init", kw_new + 1, &mode, &baud, &bits, &pol,
                                                   &pha, &fb, &pins);
    if (!ok) return -1;
    if (id != 0) {
        PyErr_SetString(PyExc_OSError, VB_PYCOM_NO_RESOURCE);
        return -1;
    }
    int p[3] = {periph()->spi_sck[0], periph()->spi_mosi[0], periph()->spi_miso[0]};
    if (pins == Py_None) p[0] = o->sck, p[1] = o->mosi, p[2] = o->miso;
    else if (pins) {
        if (vb_fixed_items(pins, 3, "is not") < 0) return -1;   /* Pycom's 1.11 wording */
        for (Py_ssize_t i = 0; i < 3; i++)
            if ((p[i] = vb_periph_pin_gpio(PySequence_Fast_GET_ITEM(pins, i))) < 0) return -1;
    }
    if (mode != PYCOM_SPI_MASTER || baud <= 0 || (bits != 8 && bits != 16 && bits != 32) || pol < 0 || pol > 1 ||
        pha < 0 || pha > 1 || (fb != 0 && fb != 1)) {
        PyErr_SetString(PyExc_ValueError, VB_PYCOM_BAD_ARGS);
        return -1;
    }
    o->baud = (uint32_t)baud, o->bits = bits, o->polarity = pol, o->phase = pha, o->firstbit = fb;
    o->sck = p[0], o->mosi = p[1], o->miso = p[2];
    o->deinited = false;
    return 0;
}

static PyObject *new_pycom(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    spi_obj *o = hw_obj(type, 0);
    if (o && pycom_apply(o, args, kw, true) < 0) Py_CLEAR(o);
    return (PyObject *)o;
}

static PyObject *init_pycom(spi_obj *o, PyObject *args, PyObject *kw)
{
    if (pycom_apply(o, args, kw, false) < 0) return NULL;
    Py_RETURN_NONE;
}

/* firstbit is always shown as MSB, as the firmware prints it */
static PyObject *repr_pycom(PyObject *self)
{
    const spi_obj *o = (const spi_obj *)self;
    if (o->deinited || !o->baud) return PyUnicode_FromString("SPI(0)");
    return PyUnicode_FromFormat("SPI(0, SPI.MASTER, baudrate=%u, bits=%ld, polarity=%ld, phase=%ld, "
                                "firstbit=SPI.MSB)",
                                (unsigned)o->baud, o->bits, o->polarity, o->phase);
}

/* What differs in the ports' machine.SPI besides the table's facts. */
typedef struct hw_flavour {
    newfunc make;
    PyObject *(*init)(spi_obj *o, PyObject *args, PyObject *kw);
    reprfunc repr;
} hw_flavour;

static const hw_flavour flavours[VB_PORT_COUNT] = {
    [VB_PORT_ESP32] = {new_esp32, init_esp32, repr_esp32},
    [VB_PORT_RP2] = {new_rp2, init_rp2, repr_rp2},
    [VB_PORT_PYCOM] = {new_pycom, init_pycom, repr_pycom},
};

static const hw_flavour *flavour(void)
{
    const hw_flavour *f = &flavours[vb_engine_g.port->id];
    return f->make ? f : NULL;
}

static PyObject *new_hw(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    return flavour() ? flavour()->make(type, args, kw) : NULL;
}

static PyObject *repr_hw(PyObject *self) { return flavour()->repr(self); }

/* ---- SoftSPI ------------------------------------------------------------------ */

/* extmod's baudrate_to_delay_half: rounded up, so the rate is at most the
 * one asked for; at or above the port's top rate, no delay. */
static uint32_t delay_half_for(long baud)
{
    uint32_t max = periph()->soft_spi_max_baud, b = (uint32_t)baud;
    if (max && b >= max) return 0;
    if (b == 0) return 500000;     /* extmod would divide by zero */
    return 500000u / b + (500000u % b != 0);
}

static int soft_pins(spi_obj *o, PyObject *sck, PyObject *mosi, PyObject *miso)
{
    int s = pin_arg(sck, o->sck), mo = pin_arg(mosi, o->mosi), mi = pin_arg(miso, o->miso);
    if (s == -2 || mo == -2 || mi == -2) return -1;
    o->sck = s, o->mosi = mo, o->miso = mi;
    const vb_port_periph *p = periph();
    o->bus = (int)p->spi_first_id;
    for (unsigned b = 0; b < p->spi_buses; b++)
        if (p->spi_sck[b] == o->sck) o->bus = (int)(p->spi_first_id + b);
    return 0;
}

static PyObject *new_soft(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"baudrate", "polarity", "phase", "bits", "firstbit", "sck", "mosi", "miso", NULL};
    long baud = 500000, pol = 0, pha = 0, bits = 8, fb = (long)periph()->spi_msb;
    PyObject *sck = NULL, *mosi = NULL, *miso = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|l$llllOOO:SoftSPI", kwl, &baud, &pol, &pha, &bits, &fb, &sck, &mosi,
                                     &miso))
        return NULL;
    const char *bad = bits != 8 ? "bits must be 8"
                    : fb != (long)periph()->spi_msb ? "firstbit must be MSB"
                    : !sck || !mosi || !miso ? "must specify all of sck/mosi/miso" : NULL;
    if (bad) {
        PyErr_SetString(PyExc_ValueError, bad);
        return NULL;
    }
    spi_obj *o = (spi_obj *)type->tp_alloc(type, 0);
    if (!o) return NULL;
    o->soft = true;
    o->delay_half = delay_half_for(baud);
    o->polarity = pol, o->phase = pha, o->bits = 8, o->firstbit = fb;
    if (soft_pins(o, sck, mosi, miso) < 0) Py_CLEAR(o);
    return (PyObject *)o;
}

static PyObject *init_soft(spi_obj *o, PyObject *args, PyObject *kw)
{
    static char *kwl[] = {"baudrate", "polarity", "phase", "sck", "mosi", "miso", NULL};
    long baud = -1, pol = -1, pha = -1;
    PyObject *sck = NULL, *mosi = NULL, *miso = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|lll$OOO:init", kwl, &baud, &pol, &pha, &sck, &mosi, &miso) ||
        soft_pins(o, sck, mosi, miso) < 0)
        return NULL;
    if (baud != -1) o->delay_half = delay_half_for(baud);
    if (pol != -1) o->polarity = pol;
    if (pha != -1) o->phase = pha;
    Py_RETURN_NONE;
}

static PyObject *repr_soft(PyObject *self)
{
    const spi_obj *o = (const spi_obj *)self;
    return PyUnicode_FromFormat("SoftSPI(baudrate=%u, polarity=%ld, phase=%ld, sck=%d, mosi=%d, miso=%d)",
                                (unsigned)rate(o), o->polarity, o->phase, o->sck, o->mosi, o->miso);
}

/* ---- the types ----------------------------------------------------------------- */

static PyObject *m_init(PyObject *self, PyObject *args, PyObject *kw)
{
    spi_obj *o = (spi_obj *)self;
    return o->soft ? init_soft(o, args, kw) : flavour()->init(o, args, kw);
}

static void spi_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyMethodDef methods[] = {
    {"init", (PyCFunction)(void (*)(void))m_init, METH_VARARGS | METH_KEYWORDS, NULL},
    {"deinit", m_deinit, METH_NOARGS, NULL},
    {"read", (PyCFunction)(void (*)(void))m_read, METH_VARARGS | METH_KEYWORDS, NULL},
    {"readinto", (PyCFunction)(void (*)(void))m_readinto, METH_VARARGS | METH_KEYWORDS, NULL},
    {"write", m_write, METH_O, NULL},
    {"write_readinto", m_write_readinto, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyObject *make(const char *name, newfunc tp_new, reprfunc repr)
{
    PyType_Slot slots[] = {{Py_tp_methods, methods}, {Py_tp_dealloc, (void *)spi_dealloc},
                           {Py_tp_new, (void *)tp_new}, {Py_tp_repr, (void *)repr}, {0, NULL}};
    PyType_Spec spec = {name, sizeof(spi_obj), 0, Py_TPFLAGS_DEFAULT, slots};
    PyObject *t = PyType_FromSpec(&spec);
    long msb = (long)periph()->spi_msb;
    bool master = periph()->spi_wipy_api && tp_new == new_hw;
    const vb_engine_const consts[] = {{"MSB", msb}, {"LSB", !msb}, {master ? "MASTER" : NULL, PYCOM_SPI_MASTER},
                                      {NULL, 0}};
    return t ? vb_type_add_consts(t, consts) : NULL;
}

int vb_machine_add_spi(PyObject *machine)
{
    const vb_port_periph *p = periph();
    for (unsigned i = 0; i < VB_SPI_BUSES; i++) Py_CLEAR(hw_objs[i]);   /* a new machine module, new objects */
    struct { bool have; const char *name, *qual; newfunc nw; reprfunc repr; } types[] = {
        {p->spi_buses > 0 && flavour(), "SPI", "machine.SPI", new_hw, repr_hw},
        {p->soft_spi, "SoftSPI", "machine.SoftSPI", new_soft, repr_soft},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (!types[i].have) continue;
        PyObject *t = make(types[i].qual, types[i].nw, types[i].repr);
        if (!t || PyModule_AddObject(machine, types[i].name, t) < 0) {
            Py_XDECREF(t);
            return -1;
        }
    }
    return 0;
}
