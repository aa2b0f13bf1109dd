/* The esp32 port's `esp32` module (esp32 port only).
 *
 * Wake-up part: wake_on_ext0(pin, level) and wake_on_ext1(pins, level)
 * pick the pins that end a deep sleep; WAKEUP_ALL_LOW / WAKEUP_ANY_HIGH
 * are the ext1 levels (False / True, as upstream). Only RTC GPIOs qualify
 * ("invalid pin"), as on the chip. The board has one wake-pin set
 * (hal->wake_pins_set: any high, or all low), so ext0 and ext1 are merged
 * into it: the union of their pins, at ext1's level when ext1 has pins,
 * else ext0's.
 *
 * Partition part (issue 12 §3), as ports/esp32/esp32_partition.c of
 * MicroPython v1.24 over the board's partition table (engine config, the
 * profile's): Partition(id[, block_size]) with id BOOT, RUNNING or a label
 * (an app partition first, then a data one; none: ENOENT),
 * Partition.find(type=TYPE_APP, subtype=0xff, label=None, block_size=4096),
 * info(), the block protocol (engine_flashdev.c), set_boot(),
 * get_next_update() and Partition.mark_app_valid_cancel_rollback().
 * ESP-IDF errors are OSError(-code, 'ESP_ERR_...') as the port's
 * check_esp_err raises them: an access past the partition's end is
 * ESP_ERR_INVALID_ARG (it starts past the end) or ESP_ERR_INVALID_SIZE
 * (it runs past it, or an erase is not whole 4 KiB blocks).
 *
 * OTA: the board runs its factory app. BOOT and RUNNING follow ESP-IDF on
 * the table: without a data/ota (otadata) partition, as on ESP32_GENERIC,
 * BOOT is ENOENT (esp_ota_get_boot_partition finds no otadata), and
 * set_boot() and mark_app_valid_cancel_rollback() fail with
 * ESP_ERR_NOT_FOUND; get_next_update() is the next OTA app slot of the table
 * (ENOENT: none). The ESP-IDF otadata record itself is not modelled: on a
 * table with otadata the record reads as blank (BOOT: factory), set_boot()
 * of an app says ESP_ERR_NOT_SUPPORTED and mark_app_valid_cancel_rollback()
 * ESP_FAIL (a factory app, as ESP-IDF says with blank otadata). */
#include "engine_int.h"

#include <errno.h>
#include <string.h>

static void apply(void)
{
    const vb_engine_state *g = &vb_engine_g;
    const vb_hal *hal = g->hal;
    if (!hal->wake_pins_set) return;
    hal->wake_pins_set(hal->ctx, g->ext0_mask | g->ext1_mask,
                       g->ext1_mask ? g->ext1_level : g->ext0_level);
}

void vb_esp32_set_ext0(uint64_t mask, int level)
{
    vb_engine_g.ext0_mask = mask;
    vb_engine_g.ext0_level = level ? 1 : 0;
    apply();
}

/* The GPIO of a wake pin argument: >= 0, or -1 with ValueError. */
static int wake_gpio(PyObject *id)
{
    vb_pin_obj *p = vb_pin_find(id);
    if (!p) return -1;
    if (!vb_pin_rtc_gpio(p->def->gpio)) {
        PyErr_SetString(PyExc_ValueError, "invalid pin");
        return -1;
    }
    return p->def->gpio;
}

/* wake_on_ext0(pin, level): pin None clears the source. */
static PyObject *e_wake_on_ext0(PyObject *m, PyObject *args, PyObject *kw)
{
    (void)m;
    static char *kwl[] = {"pin", "level", NULL};
    PyObject *pin = NULL;
    int level = vb_engine_g.ext0_level;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|Op:wake_on_ext0", kwl, &pin, &level)) return NULL;
    uint64_t mask = vb_engine_g.ext0_mask;
    if (pin == Py_None) {
        mask = 0;
    } else if (pin) {
        int gpio = wake_gpio(pin);
        if (gpio < 0) return NULL;
        mask = 1ull << gpio;
    }
    vb_esp32_set_ext0(mask, level);
    Py_RETURN_NONE;
}

/* wake_on_ext1(pins, level): pins None keeps the current set. */
static PyObject *e_wake_on_ext1(PyObject *m, PyObject *args, PyObject *kw)
{
    (void)m;
    static char *kwl[] = {"pins", "level", NULL};
    PyObject *pins = Py_None;
    int level = vb_engine_g.ext1_level;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|Op:wake_on_ext1", kwl, &pins, &level)) return NULL;
    uint64_t mask = vb_engine_g.ext1_mask;
    if (pins != Py_None) {
        PyObject *seq = PySequence_Fast(pins, "object isn't a tuple or list");
        if (!seq) return NULL;
        mask = 0;
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
            int gpio = wake_gpio(PySequence_Fast_GET_ITEM(seq, i));
            if (gpio < 0) {
                Py_DECREF(seq);
                return NULL;
            }
            mask |= 1ull << gpio;
        }
        Py_DECREF(seq);
    }
    vb_engine_g.ext1_mask = mask;
    vb_engine_g.ext1_level = level;
    apply();
    Py_RETURN_NONE;
}


/* ---- esp32.Partition ---------------------------------------------------- */

enum { PARTITION_BOOT = 0, PARTITION_RUNNING = 1 };
#define PART_ANY 0xFF                /* ESP_PARTITION_TYPE_ANY / SUBTYPE_ANY */
#define PART_OTA_MIN 0x10            /* ESP_PARTITION_SUBTYPE_APP_OTA_0 */
#define PART_OTA_END 0x20            /* ESP_PARTITION_SUBTYPE_APP_OTA_MAX */

/* ESP-IDF error codes (esp_err.h, esp_ota_ops.h) */
#define ESP_FAIL_CODE (-1)
#define ESP_ERR_INVALID_ARG 0x102
#define ESP_ERR_INVALID_SIZE 0x104
#define ESP_ERR_NOT_FOUND 0x105
#define ESP_ERR_NOT_SUPPORTED 0x106
#define ESP_ERR_OTA_VALIDATE_FAILED 0x1503

/* The Partition type, built once with the module (one interpreter per
 * process: engine_int.h). */
static PyObject *partition_type;

/* check_esp_err (ports/esp32/mphalport.c): OSError(-code, name), except
 * the codes it maps to a POSIX errno. */
static PyObject *esp_err(int code, const char *name)
{
    if (code == ESP_ERR_NOT_SUPPORTED) return vb_raise_errno(EOPNOTSUPP);
    return vb_raise_oserror(-code, name);
}

static PyObject *partition_fail(int rc)
{
    if (rc == VB_FLASHDEV_BAD_OFFSET) return esp_err(ESP_ERR_INVALID_ARG, "ESP_ERR_INVALID_ARG");
    if (rc == VB_FLASHDEV_BAD_SIZE) return esp_err(ESP_ERR_INVALID_SIZE, "ESP_ERR_INVALID_SIZE");
    return vb_raise_errno(rc);
}

static bool part_matches(const vb_partition *p, long type, long subtype, const char *label)
{
    return (type == PART_ANY || p->type == type) && (subtype == PART_ANY || p->subtype == subtype) &&
           (!label || strcmp(p->label, label) == 0);
}

/* esp_partition_find_first on the board's table. */
static const vb_partition *find_first(long type, long subtype, const char *label)
{
    const vb_engine_state *g = &vb_engine_g;
    for (unsigned i = 0; i < g->n_parts; i++)
        if (part_matches(&g->parts[i], type, subtype, label)) return &g->parts[i];
    return NULL;
}

/* The app that runs: the factory app, else the first app of the table. */
static const vb_partition *running_app(void)
{
    const vb_partition *p = find_first(VB_PART_TYPE_APP, VB_PART_SUBTYPE_FACTORY, NULL);
    return p ? p : find_first(VB_PART_TYPE_APP, PART_ANY, NULL);
}

static const vb_partition *otadata(void)
{
    return find_first(VB_PART_TYPE_DATA, VB_PART_SUBTYPE_OTA, NULL);
}

/* esp_ota_get_boot_partition: no otadata partition, no answer; a (blank)
 * otadata record boots the factory app. */
static const vb_partition *boot_app(void)
{
    return otadata() ? find_first(VB_PART_TYPE_APP, VB_PART_SUBTYPE_FACTORY, NULL) : NULL;
}

/* A new Partition for p (NULL: OSError ENOENT, as esp32_partition_new). */
static PyObject *partition_make(const vb_partition *p, int64_t block_size)
{
    if (!p) return vb_raise_errno(ENOENT);
    if (block_size < 1 || block_size > UINT16_MAX) {   /* upstream keeps a uint16_t */
        PyErr_SetNone(PyExc_ValueError);
        return NULL;
    }
    PyTypeObject *t = (PyTypeObject *)partition_type;
    vb_flashdev_obj *o = (vb_flashdev_obj *)t->tp_alloc(t, 0);
    if (!o) return NULL;
    o->base = p->offset;
    o->size = p->size;
    o->block_size = (uint32_t)block_size;
    o->part = p;
    o->fail = partition_fail;
    return (PyObject *)o;
}

static const vb_partition *part_of(PyObject *self) { return ((vb_flashdev_obj *)self)->part; }

/* A label argument as C text: NULL with TypeError if not a str. */
static const char *label_of(PyObject *o)
{
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "can't convert '%s' object to str implicitly", Py_TYPE(o)->tp_name);
        return NULL;
    }
    return PyUnicode_AsUTF8(o);
}

/* Partition(id[, block_size]): positional only. */
static PyObject *partition_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    (void)type;
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    if (kw && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "function doesn't take keyword arguments");
        return NULL;
    }
    if (n < 1) {
        PyErr_SetString(PyExc_TypeError, "function missing 1 required positional arguments");
        return NULL;
    }
    if (n > 2) {
        PyErr_Format(PyExc_TypeError, "function expected at most 2 arguments, got %zd", n);
        return NULL;
    }
    PyObject *id = PyTuple_GET_ITEM(args, 0);
    const vb_partition *p;
    if (PyLong_Check(id) && !PyBool_Check(id)) {
        int64_t which;
        if (vb_flashdev_get_int(id, &which) < 0) return NULL;
        if (which != PARTITION_BOOT && which != PARTITION_RUNNING) {
            PyErr_SetNone(PyExc_ValueError);
            return NULL;
        }
        p = which == PARTITION_BOOT ? boot_app() : running_app();
    } else {
        const char *label = label_of(id);
        if (!label) return NULL;
        p = find_first(VB_PART_TYPE_APP, PART_ANY, label);
        if (!p) p = find_first(VB_PART_TYPE_DATA, PART_ANY, label);
    }
    int64_t block_size = VB_FLASHDEV_ERASE;
    if (n == 2 && vb_flashdev_get_int(PyTuple_GET_ITEM(args, 1), &block_size) < 0) return NULL;
    return partition_make(p, block_size);
}

/* Partition.find(type=TYPE_APP, subtype=0xff, label=None, block_size=4096):
 * the matching partitions in table order. */
static PyObject *p_find(PyObject *cls, PyObject *args, PyObject *kw)
{
    (void)cls;
    static char *kwl[] = {"type", "subtype", "label", "block_size", NULL};
    PyObject *type_o = NULL, *subtype_o = NULL, *label_o = Py_None, *bs_o = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOOO:find", kwl, &type_o, &subtype_o, &label_o, &bs_o))
        return NULL;
    int64_t type = VB_PART_TYPE_APP, subtype = PART_ANY, block_size = VB_FLASHDEV_ERASE;
    if ((type_o && vb_flashdev_get_int(type_o, &type) < 0) ||
        (subtype_o && vb_flashdev_get_int(subtype_o, &subtype) < 0) ||
        (bs_o && vb_flashdev_get_int(bs_o, &block_size) < 0))
        return NULL;
    const char *label = label_o == Py_None ? NULL : label_of(label_o);
    if (label_o != Py_None && !label) return NULL;
    PyObject *list = PyList_New(0);
    const vb_engine_state *g = &vb_engine_g;
    for (unsigned i = 0; list && i < g->n_parts; i++) {
        if (!part_matches(&g->parts[i], (long)type, (long)subtype, label)) continue;
        PyObject *o = partition_make(&g->parts[i], block_size);
        if (!o || PyList_Append(list, o) < 0) Py_CLEAR(list);
        Py_XDECREF(o);
    }
    return list;
}

/* (type, subtype, addr, size, label, encrypted) */
static PyObject *p_info(PyObject *self, PyObject *u)
{
    (void)u;
    const vb_partition *p = part_of(self);
    return Py_BuildValue("(iiIIsN)", p->type, p->subtype, p->offset, p->size, p->label,
                         PyBool_FromLong(p->flags & VB_PART_FLAG_ENCRYPTED));
}

static PyObject *partition_repr(PyObject *self)
{
    const vb_partition *p = part_of(self);
    return PyUnicode_FromFormat("<Partition type=%u, subtype=%u, address=%u, size=%u, label=%s, "
                                "encrypted=%u>", p->type, p->subtype, p->offset, p->size, p->label,
                                (unsigned)(p->flags & VB_PART_FLAG_ENCRYPTED));
}

/* esp_ota_set_boot_partition: the image must verify (a data partition
 * holds none), then otadata is rewritten, which needs one. */
static PyObject *p_set_boot(PyObject *self, PyObject *u)
{
    (void)u;
    if (part_of(self)->type != VB_PART_TYPE_APP)
        return esp_err(ESP_ERR_OTA_VALIDATE_FAILED, "ESP_ERR_OTA_VALIDATE_FAILED");
    if (!otadata()) return esp_err(ESP_ERR_NOT_FOUND, "ESP_ERR_NOT_FOUND");
    return esp_err(ESP_ERR_NOT_SUPPORTED, "ESP_ERR_NOT_SUPPORTED");   /* otadata not modelled */
}

/* esp_ota_get_next_update_partition: the OTA app slot after this one, in
 * slot order, else the first OTA slot; none: ENOENT. */
static PyObject *p_get_next_update(PyObject *self, PyObject *u)
{
    (void)u;
    const vb_partition *from = part_of(self), *first = NULL;
    bool next = false;
    for (long t = PART_OTA_MIN; t < PART_OTA_END; t++) {
        const vb_partition *p = find_first(VB_PART_TYPE_APP, t, NULL);
        if (!p) continue;
        if (!first) first = p;
        if (p == from) next = true;
        else if (next) return partition_make(p, VB_FLASHDEV_ERASE);
    }
    return partition_make(first, VB_FLASHDEV_ERASE);
}

/* esp_ota_mark_app_valid_cancel_rollback: needs otadata; with a blank
 * record the running app is the factory one (ESP_FAIL). */
static PyObject *p_mark_app_valid_cancel_rollback(PyObject *cls, PyObject *u)
{
    (void)cls, (void)u;
    if (!otadata()) return esp_err(ESP_ERR_NOT_FOUND, "ESP_ERR_NOT_FOUND");
    return esp_err(ESP_FAIL_CODE, "ESP_FAIL");
}

#define FAST(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL
static PyMethodDef partition_methods[] = {
    {"find", (PyCFunction)(void (*)(void))p_find, METH_VARARGS | METH_KEYWORDS | METH_STATIC, NULL},
    {"info", p_info, METH_NOARGS, NULL},
    {"readblocks", FAST(vb_flashdev_readblocks), NULL},
    {"writeblocks", FAST(vb_flashdev_writeblocks), NULL},
    {"ioctl", FAST(vb_flashdev_ioctl), NULL},
    {"set_boot", p_set_boot, METH_NOARGS, NULL},
    {"get_next_update", p_get_next_update, METH_NOARGS, NULL},
    {"mark_app_valid_cancel_rollback", p_mark_app_valid_cancel_rollback, METH_NOARGS | METH_CLASS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyObject *partition_type_create(void)
{
    PyType_Slot slots[] = {
        {Py_tp_new, (void *)partition_new},
        {Py_tp_repr, (void *)partition_repr},
        {Py_tp_methods, partition_methods},
        {0, NULL},
    };
    PyType_Spec spec = {"esp32.Partition", sizeof(vb_flashdev_obj), 0, Py_TPFLAGS_DEFAULT, slots};
    PyObject *t = PyType_FromSpec(&spec);
    static const vb_engine_const consts[] = {
        {"BOOT", PARTITION_BOOT}, {"RUNNING", PARTITION_RUNNING},
        {"TYPE_APP", VB_PART_TYPE_APP}, {"TYPE_DATA", VB_PART_TYPE_DATA},
    };
    for (size_t i = 0; t && i < sizeof consts / sizeof consts[0]; i++) {
        PyObject *v = PyLong_FromLong(consts[i].value);
        if (!v || PyObject_SetAttrString(t, consts[i].name, v) < 0) Py_CLEAR(t);
        Py_XDECREF(v);
    }
    return t;
}

#define KW(f) (PyCFunction)(void (*)(void))(f), METH_VARARGS | METH_KEYWORDS
static PyMethodDef esp32_methods[] = {
    {"wake_on_ext0", KW(e_wake_on_ext0), NULL},
    {"wake_on_ext1", KW(e_wake_on_ext1), NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef esp32_def = {
    PyModuleDef_HEAD_INIT, "esp32", "ESP32-specific functions (wake-up sources, flash partitions)", 0,
    esp32_methods, NULL, NULL, NULL, NULL,
};

PyObject *vb_mod_esp32_create(void)
{
    PyObject *m = PyModule_Create(&esp32_def);
    if (!m) return NULL;
    if (PyModule_AddObjectRef(m, "WAKEUP_ALL_LOW", Py_False) < 0 ||
        PyModule_AddObjectRef(m, "WAKEUP_ANY_HIGH", Py_True) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    Py_XSETREF(partition_type, partition_type_create());
    if (!partition_type || PyModule_AddObjectRef(m, "Partition", partition_type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
