/* The modules a board offers (issue 15): one table, from which the
 * zygote's pre-imports, the board-built modules in sys.modules, the
 * u-aliases, Tab completion after `import ` and help('modules') are all
 * derived. Nothing else names a module the board offers.
 *
 * Imports of anything else from the host stdlib are refused by absence:
 * vb_pyfs_install takes CPython's PathFinder off sys.meta_path, so only
 * what the zygote loaded (this table's modules and their dependencies,
 * CPython's built-ins) and the board's own files can be imported.
 *
 * u-aliases: MicroPython v1.24 (py/objmodule.c mp_module_get_builtin)
 * resolves `import ufoo` to the built-in foo when foo is registered with
 * MP_REGISTER_EXTENSIBLE_MODULE, and `usys` to sys; non-extensible
 * built-ins (gc, math, micropython, vfs) have no u-name. Pycom's 1.11 fork
 * names most of these modules u-first with weak links to the short name;
 * its array, machine and sys have no u-name we can vouch for, so those
 * aliases are offered on the v1.24 ports only. An alias is the very same
 * module object (`ujson is json`), put in sys.modules. */
#include "engine_int.h"

#include <stdio.h>
#include <string.h>

#define ALL VB_PORTS_ALL
#define V124 (VB_PORT_BIT(VB_PORT_ESP32) | VB_PORT_BIT(VB_PORT_RP2))
#define ESP32 VB_PORT_BIT(VB_PORT_ESP32)
#define PYCOM VB_PORT_BIT(VB_PORT_PYCOM)
#define RP2 VB_PORT_BIT(VB_PORT_RP2)
#define NET (ESP32 | PYCOM)        /* the ports with a radio */

static int errno_extend(void);

/* The board library holds name.py or the package name/__init__.py. */
static bool pylib_has(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s.py", name);
    if (vb_pylib_file_named(path)) return true;
    snprintf(path, sizeof path, "%s/__init__.py", name);
    return vb_pylib_file_named(path) != NULL;
}

/* In the order the old lists had them (the pre-imports load in this
 * order; the port's module comes last). */
const vb_module_def vb_engine_modules[] = {
    /* name, u-alias, ports, alias ports, how, create, extend */
    {"os", "uos", ALL, ALL, VB_MOD_PYFS, NULL, NULL},
    {"vfs", NULL, ALL, 0, VB_MOD_PYFS, NULL, NULL},
    {"time", "utime", ALL, ALL, VB_MOD_BUILT, vb_mod_time_create, NULL},
    {"machine", "umachine", ALL, V124, VB_MOD_BUILT, vb_mod_machine_create, NULL},
    {"micropython", NULL, ALL, 0, VB_MOD_BUILT, vb_mod_micropython_create, NULL},
    {"sys", "usys", ALL, V124, VB_MOD_CORE, NULL, vb_mod_sys_extend},
    /* MicroPython's seven functions over the board's heap, not CPython's */
    {"gc", NULL, ALL, 0, VB_MOD_REPLACES, vb_mod_gc_create, NULL},
    {"json", "ujson", ALL, ALL, VB_MOD_WARM, NULL, NULL},
    {"struct", "ustruct", ALL, ALL, VB_MOD_STDLIB, NULL, NULL},
    {"re", "ure", ALL, ALL, VB_MOD_WARM, NULL, NULL},
    {"collections", "ucollections", ALL, ALL, VB_MOD_WARM, NULL, NULL},
    /* MicroPython's five functions and errors over CPython's */
    {"binascii", "ubinascii", ALL, ALL, VB_MOD_REPLACES, vb_mod_binascii_create, NULL},
    {"hashlib", "uhashlib", ALL, ALL, VB_MOD_BUILT, vb_mod_hashlib_create, NULL},
    /* MicroPython's seven functions and its generator, not CPython's module */
    {"random", "urandom", ALL, ALL, VB_MOD_BUILT, vb_mod_random_create, NULL},
    {"errno", "uerrno", ALL, ALL, VB_MOD_STDLIB, NULL, errno_extend},
    /* CPython's select needs fileno(); the board's polls its own streams */
    {"select", "uselect", ALL, ALL, VB_MOD_REPLACES, vb_mod_select_create, NULL},
    {"io", "uio", ALL, ALL, VB_MOD_STDLIB, NULL, NULL},
    {"math", NULL, ALL, 0, VB_MOD_STDLIB, NULL, NULL},
    /* array registers with collections.abc on import: warmed with it */
    {"array", "uarray", ALL, V124, VB_MOD_WARM, NULL, NULL},
    {"heapq", "uheapq", ALL, ALL, VB_MOD_WARM, NULL, NULL},
    /* not extensible upstream (MP_REGISTER_MODULE): no uframebuf */
    {"framebuf", NULL, ALL, 0, VB_MOD_BUILT, vb_mod_framebuf_create, NULL},
    /* v1.24's EXTRA_FEATURES modules (esp32, rp2); Pycom's fork has none of
     * them but uctypes. deflate is not extensible (no udeflate; v1.24 has no
     * zlib/uzlib); uctypes keeps its u-name and has no other. */
    {"deflate", NULL, V124, 0, VB_MOD_BUILT, vb_mod_deflate_create, NULL},
    {"cryptolib", "ucryptolib", V124, V124, VB_MOD_BUILT, vb_mod_cryptolib_create, NULL},
    {"uctypes", NULL, ALL, 0, VB_MOD_BUILT, vb_mod_uctypes_create, NULL},
    {"platform", "uplatform", V124, V124, VB_MOD_BUILT, vb_mod_platform_create, NULL},
    /* Wi-Fi over the board's simulated radio (issue 13); the Pico has none */
    {"network", NULL, NET, 0, VB_MOD_BUILT, vb_mod_network_create, NULL},
    /* sockets the board opens for it (contract/netmsg.h) */
    {"socket", "usocket", NET, NET, VB_MOD_BUILT, vb_mod_socket_create, NULL},
    /* TLS over them: v1.24's tls (esp32), and ssl (Pycom's ussl) */
    {"tls", NULL, ESP32, 0, VB_MOD_BUILT, vb_mod_tls_create, NULL},
    {"ssl", "ussl", NET, NET, VB_MOD_BUILT, vb_mod_ssl_create, NULL},
    /* threads (esp32, rp2, and Pycom's documented _thread): CPython's
     * threads dressed by the board library's _thread.py (issue 13 §4) */
    {"_thread", NULL, ALL, 0, VB_MOD_BUILT, vb_mod_thread_create, NULL},
    /* the board library (src/pylib), frozen into v1.24's esp32 and rp2
     * firmware; uasyncio is upstream's own small module, not a u-alias */
    {"asyncio", NULL, V124, 0, VB_MOD_PYLIB, NULL, NULL},
    {"uasyncio", NULL, V124, 0, VB_MOD_PYLIB, NULL, NULL},
    /* v1.24's esp32 and rp2 freeze the neopixel driver (issue 16) */
    {"neopixel", NULL, V124, 0, VB_MOD_PYLIB, NULL, NULL},
    /* the networking modules the esp32 firmware freezes (issue 13 §3) */
    {"requests", NULL, ESP32, 0, VB_MOD_PYLIB, NULL, NULL},
    {"umqtt", NULL, ESP32, 0, VB_MOD_PYLIB, NULL, NULL},
    {"ntptime", NULL, ESP32, 0, VB_MOD_PYLIB, NULL, NULL},
    {"mip", NULL, ESP32, 0, VB_MOD_PYLIB, NULL, NULL},
    /* the port's own module: vb_port.module of exactly one port each */
    {"esp32", NULL, ESP32, 0, VB_MOD_BUILT, vb_mod_esp32_create, NULL},
    {"pycom", NULL, PYCOM, 0, VB_MOD_BUILT, vb_mod_pycom_create, NULL},
    {"rp2", NULL, RP2, 0, VB_MOD_BUILT, vb_mod_rp2_create, NULL},
    {NULL, NULL, 0, 0, VB_MOD_CORE, NULL, NULL},
};

bool vb_module_offered(const vb_module_def *m)
{
    return (m->ports & VB_PORT_BIT(vb_engine_g.port->id)) != 0;
}

const char *vb_module_alias(const vb_module_def *m)
{
    return m->alias && (m->alias_ports & VB_PORT_BIT(vb_engine_g.port->id)) ? m->alias : NULL;
}

int vb_modules_preimport(void)
{
    for (const vb_module_def *m = vb_engine_modules; m->name; m++) {
        if (!vb_module_offered(m) || (m->how != VB_MOD_STDLIB && m->how != VB_MOD_REPLACES))
            continue;
        PyObject *mod = PyImport_ImportModule(m->name);
        if (!mod) return -1;
        Py_DECREF(mod);
    }
    return 0;
}

int vb_modules_build(void)
{
    PyObject *modules = PyImport_GetModuleDict(); /* borrowed */
    for (const vb_module_def *m = vb_engine_modules; m->name; m++) {
        if (!vb_module_offered(m) || (m->how != VB_MOD_BUILT && m->how != VB_MOD_REPLACES))
            continue;
        PyObject *mod = m->create();
        int rc = mod ? PyDict_SetItemString(modules, m->name, mod) : -1;
        Py_XDECREF(mod);
        if (rc < 0) return -1;
    }
    return 0;
}

int vb_modules_extend(void)
{
    for (const vb_module_def *m = vb_engine_modules; m->name; m++)
        if (vb_module_offered(m) && m->extend && m->extend() < 0) return -1;
    return 0;
}

int vb_modules_alias(void)
{
    PyObject *modules = PyImport_GetModuleDict(); /* borrowed */
    for (const vb_module_def *m = vb_engine_modules; m->name; m++) {
        const char *alias = vb_module_offered(m) ? vb_module_alias(m) : NULL;
        PyObject *mod = alias ? PyDict_GetItemString(modules, m->name) : NULL; /* borrowed */
        if (mod && PyDict_SetItemString(modules, alias, mod) < 0) return -1;
    }
    return 0;
}

const char *vb_modules_check(void)
{
    for (const vb_module_def *m = vb_engine_modules; m->name; m++) {
        if (!m->ports || (m->ports & ~VB_PORTS_ALL)) return m->name; /* no port, or a bad one */
        if ((m->alias_ports & ~m->ports) || !m->alias != !m->alias_ports) return m->name;
        if (m->alias && (m->alias[0] != 'u' || strcmp(m->alias + 1, m->name) != 0)) return m->name;
        if ((m->how == VB_MOD_BUILT || m->how == VB_MOD_REPLACES) != (m->create != NULL))
            return m->name;
        if (m->how == VB_MOD_PYLIB && !pylib_has(m->name)) return m->name;
        for (const vb_module_def *o = vb_engine_modules; o < m; o++)
            if (strcmp(o->name, m->name) == 0 || (o->alias && m->alias && strcmp(o->alias, m->alias) == 0))
                return m->name;
    }
    /* each port's own module is in the table, offered on that port only */
    for (unsigned p = 0; p < VB_PORT_COUNT; p++) {
        const vb_port *port = vb_port_get((vb_port_id)p);
        const vb_module_def *m = vb_engine_modules;
        while (m->name && strcmp(m->name, port->module) != 0) m++;
        if (!m->name || m->ports != VB_PORT_BIT(p) || m->how != VB_MOD_BUILT) return port->module;
    }
    return NULL;
}

/* ---- errno -------------------------------------------------------------- */

/* errno.errorcode as MicroPython v1.24 has it (extmod/moderrno.c, the
 * default MICROPY_PY_ERRNO_LIST, which esp32 and rp2 keep): those names
 * only, in that order; the numbers are the board's (its port's errno
 * numbering: newlib's on esp32), and so are the module's constants for
 * every name of the errno table. */
static const char *const mp_errno_names[] = {
    "EPERM", "ENOENT", "EIO", "EBADF", "EAGAIN", "ENOMEM", "EACCES", "EEXIST",
    "ENODEV", "EISDIR", "EINVAL", "EOPNOTSUPP", "EADDRINUSE", "ECONNABORTED",
    "ECONNRESET", "ENOBUFS", "ENOTCONN", "ETIMEDOUT", "ECONNREFUSED",
    "EHOSTUNREACH", "EALREADY", "EINPROGRESS", NULL,
};

static int errno_extend(void)
{
    PyObject *mod = PyImport_ImportModule("errno");
    PyObject *codes = mod ? PyDict_New() : NULL;
    int rc = codes ? 0 : -1;
    const vb_errinfo *e;
    for (size_t i = 0; rc == 0 && (e = vb_errinfo_at(i)) != NULL; i++) {
        PyObject *num = PyLong_FromLong(vb_errno_as(e->num, vb_mptext_errnos()));
        rc = num ? PyObject_SetAttrString(mod, e->name, num) : -1;
        Py_XDECREF(num);
    }
    for (size_t i = 0; rc == 0 && mp_errno_names[i]; i++) {
        PyObject *num = PyObject_GetAttrString(mod, mp_errno_names[i]);
        PyObject *name = num ? PyUnicode_FromString(mp_errno_names[i]) : NULL;
        rc = name ? PyDict_SetItem(codes, num, name) : -1;
        Py_XDECREF(name);
        Py_XDECREF(num);
    }
    if (rc == 0) rc = PyObject_SetAttrString(mod, "errorcode", codes);
    Py_XDECREF(codes);
    Py_XDECREF(mod);
    return rc;
}
