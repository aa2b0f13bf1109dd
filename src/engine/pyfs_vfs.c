/* Python VFS objects: os.mount / os.umount (the vfs module's mount and
 * umount too) and the calls that route a path below a mount point to the
 * object's methods (what `mpremote mount` needs, repl.md §6.3). The
 * semantics are MicroPython's extmod/vfs.c: mount() with no arguments lists
 * (object, point) for every mount, the board volume as a VfsLfs2 or VfsFat
 * bound to it; an object without a mount method is a block device, on
 * which VfsLfs2 or VfsFat is autodetected (pyfs_native_detect); the
 * object's mount(readonly, mkfs) runs before the mount point is checked; a
 * point already served by a mount is refused with EPERM, except below a
 * mount at "/"; umount of an unknown point or object is EINVAL; a path
 * reaches the object without the mount prefix ("/" for the point itself);
 * "/" lists every mount point as a directory. Where the board differs:
 * relative paths are made absolute first (pyfs_path.c) and the board volume
 * cannot be unmounted (EPERM). Device code's objects are only ever called,
 * so they reach no more than device code itself can. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pyfs_int.h"

#define S_IFDIR_MP 0x4000

void pyfs_mounts_set_volume(pyfs_state *st, vb_vol *vol)
{
    for (int i = 0; i < st->n_mounts; i++)
        if (!st->mounts[i].obj) {
            st->n_mounts--;
            memmove(&st->mounts[i], &st->mounts[i + 1], (size_t)(st->n_mounts - i) * sizeof st->mounts[0]);
            break;
        }
    st->vol = vol;
    if (!vol || st->n_mounts == PYFS_MOUNTS) return;
    /* first, unless it is at "/", which stays last */
    int at = strcmp(st->mount, "/") == 0 ? st->n_mounts : 0;
    memmove(&st->mounts[at + 1], &st->mounts[at], (size_t)(st->n_mounts - at) * sizeof st->mounts[0]);
    strcpy(st->mounts[at].point, st->mount);
    st->mounts[at].obj = NULL;
    st->n_mounts++;
}

static PyObject *decode(const char *s)
{
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "surrogateescape");
}

PyObject *pyfs_vfs_path(const pyfs_loc *loc, bool as_bytes)
{
    return as_bytes ? PyBytes_FromStringAndSize(loc->rest, (Py_ssize_t)strlen(loc->rest))
                    : decode(loc->rest);
}

PyObject *pyfs_call_vfs(PyObject *vfs, const char *name, PyObject *a, PyObject *b)
{
    Py_INCREF(vfs);                    /* an umount inside the call drops the table's */
    PyObject *n = PyUnicode_FromString(name);
    PyObject *r = !n ? NULL
                : a ? PyObject_CallMethodObjArgs(vfs, n, a, b, NULL)
                    : PyObject_CallMethodObjArgs(vfs, n, NULL);
    Py_XDECREF(n);
    Py_DECREF(vfs);
    return r;
}

PyObject *pyfs_vfs_call(const pyfs_loc *loc, const char *name, bool as_bytes, PyObject *extra)
{
    /* held from here: building the path may run a finaliser that unmounts */
    PyObject *vfs = Py_NewRef(loc->vfs);
    PyObject *p = pyfs_vfs_path(loc, as_bytes);
    PyObject *r = p ? pyfs_call_vfs(vfs, name, p, extra) : NULL;
    Py_XDECREF(p);
    Py_DECREF(vfs);
    return r;
}

/* Append every item of an iterable to list. 0 / -1. */
static int extend(PyObject *list, PyObject *iterable)
{
    PyObject *it = PyObject_GetIter(iterable);
    if (!it) return -1;
    PyObject *item;
    int rc = 0;
    while (rc == 0 && (item = PyIter_Next(it))) {
        rc = PyList_Append(list, item);
        Py_DECREF(item);
    }
    Py_DECREF(it);
    return rc == 0 && !PyErr_Occurred() ? 0 : -1;
}

PyObject *pyfs_root_listing(pyfs_state *st, bool as_bytes,
                            int (*vol_root)(pyfs_state *st, PyObject *list, bool as_bytes))
{
    PyObject *list = PyList_New(0);
    /* The table is re-read each round: a VFS call may change it. */
    for (int i = 0; list && i < st->n_mounts; i++) {
        const pyfs_mount *m = &st->mounts[i];
        int rc;
        if (strcmp(m->point, "/") != 0) {
            const char *name = m->point + 1;
            PyObject *n = as_bytes ? PyBytes_FromString(name) : decode(name);
            PyObject *e = n ? Py_BuildValue("(Nii)", n, S_IFDIR_MP, 0) : NULL;
            rc = e ? PyList_Append(list, e) : -1;
            Py_XDECREF(e);
        } else if (!m->obj) {
            rc = vol_root(st, list, as_bytes);
        } else {
            PyObject *vfs = Py_NewRef(m->obj);
            PyObject *root = as_bytes ? PyBytes_FromString("/") : PyUnicode_FromString("/");
            PyObject *r = root ? pyfs_call_vfs(vfs, "ilistdir", root, NULL) : NULL;
            rc = r ? extend(list, r) : -1;
            Py_XDECREF(r);
            Py_XDECREF(root);
            Py_DECREF(vfs);
        }
        if (rc < 0) Py_CLEAR(list);
    }
    return list;
}

int pyfs_kind(pyfs_state *st, const char *path)
{
    pyfs_loc loc;
    if (pyfs_resolve(st, path, &loc) < 0) return -1;
    if (loc.where == PYFS_IN_VOL) {
        vb_vol_info info;
        if (vb_vol_stat(st->vol, loc.rest, &info) < 0) return -1;
        return info.is_dir ? 1 : 0;
    }
    if (loc.where != PYFS_IN_VFS) return -1;
    PyObject *r = pyfs_vfs_call(&loc, "stat", false, NULL);
    PyObject *mode = r ? PySequence_GetItem(r, 0) : NULL;
    long v = mode ? PyLong_AsLong(mode) : -1;
    Py_XDECREF(mode);
    Py_XDECREF(r);
    if (PyErr_Occurred()) {
        /* any failure means "not there" (upstream), but Ctrl-C still stops */
        if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) return -2;
        PyErr_Clear();
        return -1;
    }
    return v & S_IFDIR_MP ? 1 : 0;
}

/* The bytes of a read() result (bytes-like, or str as UTF-8) copied into
 * malloc'd memory with a NUL after them. 0 / -1 with an exception. */
static int copy_source(PyObject *src, char **data, size_t *len)
{
    const char *p;
    Py_ssize_t n;
    Py_buffer view = {0};
    if (PyUnicode_Check(src)) {
        if (!(p = PyUnicode_AsUTF8AndSize(src, &n))) return -1;
    } else if (PyObject_GetBuffer(src, &view, PyBUF_SIMPLE) == 0) {
        p = view.buf;
        n = view.len;
    } else {
        return -1;
    }
    char *buf = malloc((size_t)n + 1);
    if (buf) {
        memcpy(buf, p, (size_t)n);
        buf[n] = '\0';
        *data = buf;
        *len = (size_t)n;
    }
    if (view.obj) PyBuffer_Release(&view);
    if (!buf) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

int pyfs_load_source(pyfs_state *st, const char *path, char **data, size_t *len)
{
    pyfs_loc loc;
    int rc = pyfs_resolve(st, path, &loc);
    if (rc == 0 && loc.where != PYFS_IN_VFS) rc = pyfs_read_file(st, path, data, len);
    if (rc < 0) {
        vb_raise_errno(rc);
        return -1;
    }
    if (loc.where != PYFS_IN_VFS) return 0;
    PyObject *mode = PyUnicode_FromString("rb");      /* what upstream's reader asks for */
    PyObject *f = mode ? pyfs_vfs_call(&loc, "open", false, mode) : NULL;
    Py_XDECREF(mode);
    if (!f) return -1;
    PyObject *src = PyObject_CallMethod(f, "read", NULL);
    rc = src ? copy_source(src, data, len) : -1;
    Py_XDECREF(src);
    /* closed in every case; read's error, if any, is the one reported */
    PyObject *et, *ev, *etb;
    PyErr_Fetch(&et, &ev, &etb);
    PyObject *c = PyObject_HasAttrString(f, "close") ? PyObject_CallMethod(f, "close", NULL)
                                                     : Py_NewRef(Py_None);
    Py_DECREF(f);
    Py_XDECREF(c);
    if (rc < 0) {
        PyErr_Clear();
        PyErr_Restore(et, ev, etb);
        return -1;
    }
    if (!c) {
        free(*data);
        return -1;
    }
    return 0;
}

/* mount(): [(object, point)] in table order ("/" last, as upstream). */
static PyObject *mount_list(pyfs_state *st)
{
    PyObject *list = PyList_New(0);
    /* the table is re-read each round: making the board's object may run
     * a finaliser that changes it */
    for (int i = 0; list && i < st->n_mounts; i++) {
        PyObject *point = decode(st->mounts[i].point);
        PyObject *obj = !point ? NULL
                      : st->mounts[i].obj ? Py_NewRef(st->mounts[i].obj) : pyfs_native_board(st);
        PyObject *t = obj ? PyTuple_Pack(2, obj, point) : NULL;
        if (!t || PyList_Append(list, t) < 0) Py_CLEAR(list);
        Py_XDECREF(t);
        Py_XDECREF(obj);
        Py_XDECREF(point);
    }
    return list;
}

/* os.mount(obj, point, *, readonly=False, mkfs=False), or os.mount() */
static PyObject *os_mount(PyObject *module, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"", "", "readonly", "mkfs", NULL};
    PyObject *obj, *point, *readonly = Py_False, *mkfs = Py_False;
    pyfs_state *st = pyfs_state_of_module(module);
    if (PyTuple_GET_SIZE(args) == 0 && (!kw || PyDict_GET_SIZE(kw) == 0)) return mount_list(st);
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$OO:mount", kwlist, &obj, &point, &readonly, &mkfs))
        return NULL;
    PyObject *b = pyfs_path_bytes(point);
    if (!b) return NULL;
    pyfs_loc loc;
    int rc = pyfs_abspath(st, PyBytes_AS_STRING(b), loc.abs, sizeof loc.abs);
    Py_DECREF(b);
    if (rc < 0) return vb_raise_errno(rc);
    PyObject *method = PyObject_GetAttrString(obj, "mount");
    if (method) {
        obj = Py_NewRef(obj);
    } else {
        /* no mount method: a block device, to find a filesystem on */
        if (!PyErr_ExceptionMatches(PyExc_AttributeError)) return NULL;
        PyErr_Clear();
        if (!(obj = pyfs_native_detect(st, obj))) return NULL;
        if (!(method = PyObject_GetAttrString(obj, "mount"))) {
            Py_DECREF(obj);
            return NULL;
        }
    }
    PyObject *r = PyObject_CallFunctionObjArgs(method, readonly, mkfs, NULL);
    Py_DECREF(method);
    if (!r) {
        Py_DECREF(obj);
        return NULL;
    }
    Py_DECREF(r);
    pyfs_locate(st, &loc);             /* after the call: it may have mounted */
    bool at_root = strcmp(loc.abs, "/") == 0;
    rc = loc.mount >= 0 && (at_root || strcmp(st->mounts[loc.mount].point, "/") != 0) ? EPERM
       : st->n_mounts == PYFS_MOUNTS ? ENOMEM : 0;
    if (rc) {
        Py_DECREF(obj);
        return vb_raise_errno(rc);
    }
    int at = st->n_mounts;
    for (int i = 0; i < st->n_mounts; i++)
        if (strcmp(st->mounts[i].point, "/") == 0) {
            at = i;                    /* the entry at "/" stays last */
            break;
        }
    memmove(&st->mounts[at + 1], &st->mounts[at], (size_t)(st->n_mounts - at) * sizeof st->mounts[0]);
    strcpy(st->mounts[at].point, loc.abs);
    st->mounts[at].obj = obj;          /* the table's reference */
    st->n_mounts++;
    Py_RETURN_NONE;
}

/* os.umount(point or obj) */
static PyObject *os_umount(PyObject *module, PyObject *arg)
{
    pyfs_state *st = pyfs_state_of_module(module);
    int found = -1;
    if (PyUnicode_Check(arg) || PyBytes_Check(arg)) {
        PyObject *b = pyfs_path_bytes(arg);
        if (!b) return NULL;
        char abs[PYFS_PATH_MAX];
        int rc = pyfs_abspath(st, PyBytes_AS_STRING(b), abs, sizeof abs);
        Py_DECREF(b);
        if (rc < 0) return vb_raise_errno(rc);
        for (int i = 0; i < st->n_mounts && found < 0; i++)
            if (strcmp(st->mounts[i].point, abs) == 0) found = i;
    } else {
        for (int i = 0; i < st->n_mounts && found < 0; i++)
            if (st->mounts[i].obj == arg) found = i;
        /* the board volume's object (vfs.mount()'s) names its entry */
        for (int i = 0; i < st->n_mounts && found < 0 && arg == st->board_vfs; i++)
            if (!st->mounts[i].obj) found = i;
    }
    if (found < 0) return vb_raise_errno(EINVAL);
    /* The board volume is owned by the firmware for the VM's whole life. */
    if (!st->mounts[found].obj) return vb_raise_errno(EPERM);
    pyfs_loc cwd;
    if (pyfs_resolve(st, st->cwd, &cwd) == 0 && cwd.mount == found) strcpy(st->cwd, "/");
    PyObject *obj = st->mounts[found].obj;
    st->n_mounts--;
    memmove(&st->mounts[found], &st->mounts[found + 1],
            (size_t)(st->n_mounts - found) * sizeof st->mounts[0]);
    st->mounts[st->n_mounts].obj = NULL;
    /* out of the table first, then told (upstream order) */
    PyObject *r = PyObject_CallMethod(obj, "umount", NULL);
    Py_DECREF(obj);
    if (!r) return NULL;
    Py_DECREF(r);
    Py_RETURN_NONE;
}

PyMethodDef pyfs_vfs_methods[] = {
    {"mount", (PyCFunction)(void (*)(void))os_mount, METH_VARARGS | METH_KEYWORDS, NULL},
    {"umount", os_umount, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};
