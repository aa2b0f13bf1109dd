/* What machine.Timer, ADC and PWM share: class constants, the pin a
 * constructor is given, and the peripherals' reset in a new VM. */
#include "engine_int.h"
#include "board/periph.h"

PyObject *vb_type_add_consts(PyObject *type, const vb_engine_const *c)
{
    if (!type) return NULL;
    for (; c->name; c++) {
        PyObject *v = PyLong_FromLong(c->value);
        int rc = v ? PyObject_SetAttrString(type, c->name, v) : -1;
        Py_XDECREF(v);
        if (rc < 0) {
            Py_DECREF(type);
            return NULL;
        }
    }
    return type;
}

int vb_periph_pin_gpio(PyObject *pin)
{
    PyObject *p = PyObject_TypeCheck(pin, (PyTypeObject *)vb_engine_g.pin_type)
                      ? Py_NewRef(pin)
                      : PyObject_CallOneArg(vb_engine_g.pin_type, pin);
    if (!p) return -1;
    int gpio = ((vb_pin_obj *)p)->def->gpio;
    Py_DECREF(p);
    return gpio;
}

/* A soft reset ends the VM but not the board: the outputs the last VM
 * left running stop here, as the ports' soft reset deinitialises PWM
 * (esp32 machine_pwm_deinit_all, rp2 likewise, Pycom reinitialises every
 * pin). Timers live in the VM and are gone with it. */
void vb_periph_after_fork(void)
{
    const vb_hal *h = vb_engine_g.hal;
    if (!h || !h->pwm_set) return;
    for (unsigned g = 0; g < VB_PINS_MAX; g++) h->pwm_set(h->ctx, g, 0, 0);
}
