/* The board's hashlib (uhashlib): MicroPython's hash constructors, made
 * from CPython's built-in _sha1/_sha256/_sha512/_md5 modules. CPython's
 * own hashlib would load OpenSSL first (_hashlib), the dearest import of
 * a cold start, for algorithms MicroPython does not have.
 *
 * v1.24's esp32 build has sha256, sha1 and md5 (mbedtls); rp2 shares the
 * set here; Pycom's 1.20 firmware adds sha224, sha384 and sha512. */
#include "engine_int.h"

#define V124 (VB_PORT_BIT(VB_PORT_ESP32) | VB_PORT_BIT(VB_PORT_RP2))
#define PYCOM VB_PORT_BIT(VB_PORT_PYCOM)

static const struct {
    const char *name;          /* hashlib.<name> */
    const char *module;        /* the CPython built-in that makes it */
    unsigned ports;
} algorithms[] = {
    {"sha256", "_sha256", V124 | PYCOM},
    {"sha1", "_sha1", V124 | PYCOM},
    {"md5", "_md5", V124 | PYCOM},
    {"sha224", "_sha256", PYCOM},
    {"sha384", "_sha512", PYCOM},
    {"sha512", "_sha512", PYCOM},
};

PyObject *vb_mod_hashlib_create(void)
{
    PyObject *m = PyModule_New("hashlib");
    if (!m) return NULL;
    unsigned port = VB_PORT_BIT(vb_engine_g.port->id);
    for (size_t i = 0; i < sizeof algorithms / sizeof algorithms[0]; i++) {
        if (!(algorithms[i].ports & port)) continue;
        PyObject *src = PyImport_ImportModule(algorithms[i].module);
        PyObject *ctor = src ? PyObject_GetAttrString(src, algorithms[i].name) : NULL;
        Py_XDECREF(src);
        if (!ctor || PyModule_AddObject(m, algorithms[i].name, ctor) < 0) {
            Py_XDECREF(ctor);
            Py_DECREF(m);
            return NULL;
        }
    }
    return m;
}
