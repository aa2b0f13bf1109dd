/* The rp2 port's `rp2` module (rp2 port only), the part the board models:
 * bootsel_button() -> 1 while the BOOTSEL button is pressed, else 0 (the
 * bootrom's strap, vb_port.strap_pin: the host presses it by driving it
 * low over the control channel). PIO, StateMachine, DMA and Flash are not
 * offered. */
#include "engine_int.h"

static PyObject *m_bootsel_button(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    const vb_port *port = vb_engine_g.port;
    const vb_pin_def *d = port->strap_pin ? vb_port_pin(port, port->strap_pin) : NULL;
    const vb_hal *hal = vb_engine_g.hal;
    int level = d ? hal->pin_read(hal->ctx, d->gpio) : 1;
    return PyLong_FromLong(level ? 0 : 1);
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
    return PyModule_Create(&rp2_def);
}
