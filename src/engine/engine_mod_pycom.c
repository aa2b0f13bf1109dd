/* Pycom firmware 1.20's `pycom` module (Pycom profile only; boot.md §5-6,
 * flash.md §2.1): the RGB LED and its heartbeat, the boot manager and OTA
 * updates, over the HAL's Pycom members.
 *
 * Behaviour and texts follow Pycom's modpycom.c and mpexception.c:
 * rgbled() while the heartbeat runs is OSError('the requested operation is
 * not possible'); every OTA failure is OSError('the requested operation
 * failed'), whatever the cause, as Pycom's updater only answers yes or no;
 * bootmgr() takes keywords only, refuses a partition that is already
 * active or a safe-boot value equal to the stored one, resets at once when
 * the partition changed and otherwise only with reset=True. */
#include "engine_int.h"
#include "board/pycom_errors.h"

#include <errno.h>

#define OP_FAILED "the requested operation failed"

/* pycom.bootmgr()'s "not given" value (Pycom's own sentinel). */
#define ARG_UNSET 255

static const vb_hal *hal(void) { return vb_engine_g.hal; }

/* OSError for a negative errno a HAL call returned. */
static PyObject *raise_errno(int neg)
{
    return vb_raise_errno(neg < 0 ? -neg : EIO);
}

static PyObject *os_error(const char *msg)
{
    PyErr_SetString(PyExc_OSError, msg);
    return NULL;
}

static bool arg_count(Py_ssize_t nargs, Py_ssize_t max, const char *fn)
{
    if (nargs <= max) return true;
    PyErr_Format(PyExc_TypeError, "%s expected at most %zd arguments, got %zd", fn, max, nargs);
    return false;
}

/* heartbeat([on]) and heartbeat_on_boot([on]): no argument reads (bool),
 * one sets (None). */
static PyObject *get_set_flag(int (*fn)(void *, int), PyObject *const *args, Py_ssize_t nargs,
                              const char *name)
{
    if (!arg_count(nargs, 1, name) || vb_hal_need((const void *)fn) < 0) return NULL;
    int on = -1;
    if (nargs == 1 && (on = PyObject_IsTrue(args[0])) < 0) return NULL;
    int r = fn(hal()->ctx, on);
    if (r < 0) return raise_errno(r);
    if (nargs == 1) Py_RETURN_NONE;
    return PyBool_FromLong(r);
}

static PyObject *p_heartbeat(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m;
    return get_set_flag(hal()->heartbeat, args, nargs, "heartbeat");
}

static PyObject *p_heartbeat_on_boot(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m;
    return get_set_flag(hal()->heartbeat_on_boot, args, nargs, "heartbeat_on_boot");
}

/* rgbled([0xRRGGBB]): sets the colour, or returns it; refused while the
 * heartbeat owns the LED (checked first, as Pycom does, for both forms). */
static PyObject *p_rgbled(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m;
    if (!arg_count(nargs, 1, "rgbled")) return NULL;
    if (hal()->heartbeat) {
        int hb = hal()->heartbeat(hal()->ctx, -1);
        if (hb < 0) return raise_errno(hb);
        if (hb) return os_error(VB_PYCOM_NOT_POSSIBLE);
    }
    if (nargs == 0) {
        if (vb_hal_need((const void *)hal()->led_get) < 0) return NULL;
        return PyLong_FromUnsignedLong(hal()->led_get(hal()->ctx));
    }
    long colour = PyLong_AsLong(args[0]);
    if (colour == -1 && PyErr_Occurred()) return NULL;
    if (vb_hal_need((const void *)hal()->led_set) < 0) return NULL;
    hal()->led_set(hal()->ctx, (uint32_t)colour & 0xFFFFFFu); /* the LED has 24 bits */
    Py_RETURN_NONE;
}

/* ---- boot manager --------------------------------------------------------- */

static PyObject *bootmgr_tuple(void)
{
    vb_bootmgr_state st = {0, 0, 0, 1};
    hal()->bootmgr_get(hal()->ctx, &st);
    static const char *const status[] = {"Status: Check", "Status: Ready", "Status: Patch"};
    const char *s = st.status >= 0 && st.status <= 2 ? status[st.status] : "Status: Ready";
    return Py_BuildValue("(ssss)", st.boot_partition == 0 ? "Factory" : "ota_0",
                         st.fs_type == 0 ? "FAT" : "LittleFS",
                         st.safeboot ? "SafeBoot: True" : "SafeBoot: False", s);
}

static PyObject *value_error(const char *msg)
{
    PyErr_SetString(PyExc_ValueError, msg);
    return NULL;
}

/* bootmgr(boot_partition=, fs_type=, safeboot=, reset=False), keywords
 * only. Without the first three: (partition, fs, 'SafeBoot: …',
 * 'Status: …'). With them: checks each as Pycom does (partition, safe
 * boot, fs type, in that order), stores the changes, then resets — always
 * for a new partition, else only when reset=True. */
static PyObject *p_bootmgr(PyObject *m, PyObject *args, PyObject *kw)
{
    (void)m;
    static char *kwl[] = {"boot_partition", "fs_type", "safeboot", "reset", NULL};
    int part = ARG_UNSET, fs = ARG_UNSET, safe = ARG_UNSET, reset = 0;
    if (PyTuple_GET_SIZE(args) > 0) { /* MicroPython's mp_arg_parse_all text */
        PyErr_SetString(PyExc_TypeError, "extra positional arguments given");
        return NULL;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|$iiip:bootmgr", kwl, &part, &fs, &safe, &reset))
        return NULL;
    if (vb_hal_need((const void *)hal()->bootmgr_get) < 0 ||
        vb_hal_need((const void *)hal()->bootmgr_set) < 0)
        return NULL;
    if (part == ARG_UNSET && fs == ARG_UNSET && safe == ARG_UNSET) return bootmgr_tuple();
    /* Pycom passes the values on as uint8_t: -1 reads as "not given". */
    part &= 0xFF, fs &= 0xFF, safe &= 0xFF;
    vb_bootmgr_state st = {0, 0, 0, 1};
    hal()->bootmgr_get(hal()->ctx, &st);
    bool new_part = false, new_safe = false, new_fs = false;
    if (part != ARG_UNSET) {
        if (part > 1 || part == st.boot_partition)
            return value_error("Error invalid boot partition! or partition already active!");
        new_part = true;
    }
    if (safe != ARG_UNSET) {
        if (safe > 1 || safe == (st.safeboot ? 1 : 0))
            return value_error("Error safeboot must be True or False!");
        new_safe = true;
    }
    if (fs != ARG_UNSET) {
        if (fs > 1) return value_error("Error invalid filesystem type!");
        new_fs = fs != st.fs_type;
    }
    if (new_part || new_safe || new_fs) {
        int r = hal()->bootmgr_set(hal()->ctx, new_part ? part : -1, new_fs ? fs : -1,
                                   new_safe ? safe : -1);
        if (r < 0) return value_error("Error writing bootloader information!");
    }
    if (new_part || ((new_fs || new_safe) && reset))
        hal()->exit_vm(hal()->ctx, VB_VM_EXIT_HARD_RESET, 0);
    Py_RETURN_NONE; /* no reset, or a test HAL's exit_vm returned */
}

/* ---- OTA -------------------------------------------------------------------- */

static PyObject *ota_call(int (*fn)(void *))
{
    if (vb_hal_need((const void *)fn) < 0) return NULL;
    if (fn(hal()->ctx) < 0) return os_error(OP_FAILED);
    Py_RETURN_NONE;
}

static PyObject *p_ota_start(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    return ota_call(hal()->ota_start);
}

static PyObject *p_ota_finish(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    return ota_call(hal()->ota_finish);
}

/* ota_write(buf): any object with the buffer protocol; a str gives its
 * UTF-8 bytes, as MicroPython's str has the buffer protocol. */
static PyObject *p_ota_write(PyObject *m, PyObject *data)
{
    (void)m;
    if (vb_hal_need((const void *)hal()->ota_write) < 0) return NULL;
    PyObject *obj = PyUnicode_Check(data) ? PyUnicode_AsUTF8String(data) : Py_NewRef(data);
    Py_buffer view;
    if (!obj || PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0) {
        Py_XDECREF(obj);
        return NULL;
    }
    int r = hal()->ota_write(hal()->ctx, view.buf, (size_t)view.len);
    PyBuffer_Release(&view);
    Py_DECREF(obj);
    if (r < 0) return os_error(OP_FAILED);
    Py_RETURN_NONE;
}

static PyObject *p_ota_verify(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    if (vb_hal_need((const void *)hal()->ota_verify) < 0) return NULL;
    return PyBool_FromLong(hal()->ota_verify(hal()->ctx) > 0);
}

/* ota_slot(): Pycom's updater_ota_next_slot_address(), the flash address
 * the HAL names. */
static PyObject *p_ota_slot(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    if (vb_hal_need((const void *)hal()->ota_slot) < 0) return NULL;
    return PyLong_FromUnsignedLong(hal()->ota_slot(hal()->ctx));
}

#define FAST(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL
static PyMethodDef pycom_methods[] = {
    {"heartbeat", FAST(p_heartbeat), NULL},
    {"heartbeat_on_boot", FAST(p_heartbeat_on_boot), NULL},
    {"rgbled", FAST(p_rgbled), NULL},
    {"bootmgr", (PyCFunction)(void (*)(void))p_bootmgr, METH_VARARGS | METH_KEYWORDS, NULL},
    {"ota_start", p_ota_start, METH_NOARGS, NULL},
    {"ota_write", p_ota_write, METH_O, NULL},
    {"ota_finish", p_ota_finish, METH_NOARGS, NULL},
    {"ota_verify", p_ota_verify, METH_NOARGS, NULL},
    {"ota_slot", p_ota_slot, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef pycom_def = {
    PyModuleDef_HEAD_INIT, "pycom", "Pycom device features (LED, boot manager, OTA)", 0,
    pycom_methods, NULL, NULL, NULL, NULL,
};

PyObject *vb_mod_pycom_create(void)
{
    PyObject *m = PyModule_Create(&pycom_def);
    if (!m) return NULL;
    /* bootmgr's values: the otadata image codes and the config block's
     * boot_fs_type (flash.md §2, §2.1). */
    if (PyModule_AddIntConstant(m, "FACTORY", 0) < 0 || PyModule_AddIntConstant(m, "OTA_0", 1) < 0 ||
        PyModule_AddIntConstant(m, "FAT", 0) < 0 || PyModule_AddIntConstant(m, "LittleFS", 1) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
