/* The board's platform module (v1.24's extmod/modplatform.c, on esp32 and
 * rp2; Pycom's fork has none): platform(), python_compiler() and
 * libc_ver() return the strings the real firmware was built with.
 *
 * platform() is "<system>-<version>-<arch>-<platform version>-with-<libc
 * name><libc version>" (extmod/modplatform.h): system "MicroPython" on a
 * bare-metal port; the version MICROPY_VERSION_STRING; the arch "xtensa"
 * (ESP32) or "arm" (RP2040); the platform version "IDF" IDF_VER on esp32
 * (v1.24.1's ESP32_GENERIC is built with ESP-IDF v5.2.2) and none on rp2;
 * the libc is newlib on both, with the toolchains' compilers: esp32's
 * xtensa-esp-elf GCC 13.2.0 / newlib 4.3.0 (ESP-IDF 5.2's esp-13.2.0),
 * rp2's arm-none-eabi GCC 13.2.1 / newlib 4.3.0 (the newlib release builds
 * of rp2 print since v1.21; the rp2 compiler version is our best reading,
 * not one seen on a v1.24.1 board). */
#include "engine_int.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define MP_VERSION_STRING \
    STR(VB_ENGINE_VERSION_MAJOR) "." STR(VB_ENGINE_VERSION_MINOR) "." STR(VB_ENGINE_VERSION_MICRO)

static const struct {
    unsigned ports;
    const char *arch, *version, *compiler, *libc, *libc_ver;
} builds[] = {
    {VB_PORT_BIT(VB_PORT_ESP32), "xtensa", "IDFv5.2.2", "GCC 13.2.0", "newlib", "4.3.0"},
    {VB_PORT_BIT(VB_PORT_RP2), "arm", "", "GCC 13.2.1", "newlib", "4.3.0"},
};

/* Each function's self is the value it returns; arguments are ignored,
 * as upstream's platform() and libc_ver() (FUN_OBJ_KW) ignore theirs. */
static PyObject *give_self(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)args;
    (void)kw;
    return Py_NewRef(self);
}

static PyObject *give_self0(PyObject *self, PyObject *unused)
{
    (void)unused;
    return Py_NewRef(self);
}

static PyMethodDef defs[] = {
    {"platform", (PyCFunction)(void (*)(void))give_self, METH_VARARGS | METH_KEYWORDS, NULL},
    {"python_compiler", give_self0, METH_NOARGS, NULL},
    {"libc_ver", (PyCFunction)(void (*)(void))give_self, METH_VARARGS | METH_KEYWORDS, NULL},
};

PyObject *vb_mod_platform_create(void)
{
    unsigned port = VB_PORT_BIT(vb_engine_g.port->id);
    size_t i = 0;
    while (i < sizeof builds / sizeof builds[0] && !(builds[i].ports & port)) i++;
    if (i == sizeof builds / sizeof builds[0]) {
        PyErr_SetString(PyExc_ImportError, "no platform data for this port");
        return NULL;
    }
    PyObject *m = PyModule_New("platform");
    PyObject *values[3] = {
        PyUnicode_FromFormat("MicroPython-" MP_VERSION_STRING "-%s-%s-with-%s%s", builds[i].arch,
                             builds[i].version, builds[i].libc, builds[i].libc_ver),
        PyUnicode_FromString(builds[i].compiler),
        Py_BuildValue("(ss)", builds[i].libc, builds[i].libc_ver),
    };
    int rc = m ? 0 : -1;
    for (size_t k = 0; k < 3; k++) {
        PyObject *fn = rc == 0 && values[k] ? PyCFunction_NewEx(&defs[k], values[k], NULL) : NULL;
        if (!fn || PyModule_AddObject(m, defs[k].ml_name, fn) < 0) {
            Py_XDECREF(fn);
            rc = -1;
        }
        Py_XDECREF(values[k]);
    }
    if (rc < 0) Py_CLEAR(m);
    return m;
}
