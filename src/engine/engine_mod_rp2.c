/* The rp2 port's `rp2` module (rp2 port only), the part the board models:
 * bootsel_button() -> 1 while the BOOTSEL button is pressed, else 0 (the
 * bootrom's strap, vb_port.strap_pin: the host presses it by driving it
 * low over the control channel), and Flash (issue 12 §3), as
 * ports/rp2/rp2_flash.c of MicroPython v1.24: the filesystem region of the
 * board's flash (engine config, the profile's: 1408 KiB at 0xA0000 on the
 * Pico) as a block device of 4096-byte blocks (engine_flashdev.c).
 * Flash() is one object for the whole region; Flash(start=, len=) (keyword
 * only, bytes, whole 4 KiB blocks inside the region, else ValueError) a
 * part of it. PIO, StateMachine and DMA are not offered.
 *
 * Upstream checks no range: it reads the XIP window and erases/programs
 * whatever address results, the firmware included. Here an access that
 * does not lie inside the object's region, or an erase of a length that is
 * not whole 4 KiB blocks, is OSError(EINVAL) and touches nothing. */
#include "engine_int.h"

#include <stdio.h>

#include <errno.h>
#include <string.h>

static PyObject *m_bootsel_button(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    const vb_port *port = vb_engine_g.port;
    const vb_pin_def *d = port->strap_pin ? vb_port_pin(port, port->strap_pin) : NULL;
    const vb_hal *hal = vb_engine_g.hal;
    int level = d ? hal->pin_read(hal->ctx, d->gpio) : 1;
    return PyLong_FromLong(level ? 0 : 1);
}

/* ---- rp2.Flash ---------------------------------------------------------- */

/* The type and the whole-region object Flash() returns, built once (one
 * interpreter per process: engine_int.h). */
static PyObject *flash_type, *flash_whole;

static PyObject *flash_fail(int rc)
{
    return vb_raise_errno(rc > 0 ? EINVAL : rc);
}

static PyObject *flash_make(uint32_t start, uint32_t len)
{
    PyTypeObject *t = (PyTypeObject *)flash_type;
    vb_flashdev_obj *o = (vb_flashdev_obj *)t->tp_alloc(t, 0);
    if (!o) return NULL;
    o->base = vb_engine_g.fs_offset + start;
    o->size = len;
    o->block_size = VB_FLASHDEV_ERASE;
    o->part = NULL;
    o->fail = flash_fail;
    return (PyObject *)o;
}

/* Flash(*, start=-1, len=-1): -1 = not given. */
static PyObject *flash_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    (void)type;
    const vb_engine_state *g = &vb_engine_g;
    if (PyTuple_GET_SIZE(args) > 0) {
        PyErr_Format(PyExc_TypeError, "function takes 0 positional arguments but %zd were given",
                     PyTuple_GET_SIZE(args));
        return NULL;
    }
    int64_t start = -1, len = -1, region = g->fs_size;
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (kw && PyDict_Next(kw, &pos, &key, &value)) {
        const char *k = PyUnicode_AsUTF8(key);
        if (!k) return NULL;
        int64_t *dst = strcmp(k, "start") == 0 ? &start : strcmp(k, "len") == 0 ? &len : NULL;
        if (!dst) {
            PyErr_Format(PyExc_TypeError, "unexpected keyword argument '%s'", k);
            return NULL;
        }
        if (vb_flashdev_get_int(value, dst) < 0) return NULL;
    }
    if (region == 0 || !g->hal->flash_read) return vb_raise_errno(ENODEV);
    if (start == -1 && len == -1) {
        if (!flash_whole) flash_whole = flash_make(0, (uint32_t)region);
        return Py_XNewRef(flash_whole);
    }
    if (start == -1) start = 0;
    else if (start < 0 || start >= region || start % VB_FLASHDEV_ERASE) goto bad;
    if (len == -1) len = region - start;
    else if (len <= 0 || start + len > region || len % VB_FLASHDEV_ERASE) goto bad;
    return flash_make((uint32_t)start, (uint32_t)len);
bad:
    PyErr_SetNone(PyExc_ValueError);
    return NULL;
}

static PyObject *flash_repr(PyObject *self)
{
    char addr[32];   /* PyUnicode_FromFormat has no %lx before 3.12 */
    snprintf(addr, sizeof addr, "%lx", (unsigned long)(uintptr_t)self);
    return PyUnicode_FromFormat("<Flash object at %s>", addr);
}

#define FAST(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL
static PyMethodDef flash_methods[] = {
    {"readblocks", FAST(vb_flashdev_readblocks), NULL},
    {"writeblocks", FAST(vb_flashdev_writeblocks), NULL},
    {"ioctl", FAST(vb_flashdev_ioctl), NULL},
    {NULL, NULL, 0, NULL},
};

static PyObject *flash_type_create(void)
{
    PyType_Slot slots[] = {
        {Py_tp_new, (void *)flash_new},
        {Py_tp_repr, (void *)flash_repr},
        {Py_tp_methods, flash_methods},
        {0, NULL},
    };
    PyType_Spec spec = {"rp2.Flash", sizeof(vb_flashdev_obj), 0, Py_TPFLAGS_DEFAULT, slots};
    return PyType_FromSpec(&spec);
}

static PyMethodDef rp2_methods[] = {
    {"bootsel_button", m_bootsel_button, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef rp2_def = {
    PyModuleDef_HEAD_INIT, "rp2", "RP2040 functions", 0, rp2_methods, NULL, NULL, NULL, NULL,
};

PyObject *vb_mod_rp2_create(void)
{
    PyObject *m = PyModule_Create(&rp2_def);
    if (!m) return NULL;
    Py_XSETREF(flash_type, flash_type_create());
    if (!flash_type || PyModule_AddObjectRef(m, "Flash", flash_type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
