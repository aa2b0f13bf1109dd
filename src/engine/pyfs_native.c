/* vfs.VfsFat and vfs.VfsLfs2: MicroPython v1.24's filesystem objects
 * (extmod/vfs_fat.c, extmod/vfs_lfsx.c) over a block device written in
 * Python (pyfs_bdev.c), each with a volume of its own (fs/vol.h), plus the
 * view of the board volume that vfs.mount() lists.
 *
 * The VFS protocol as upstream: mount(readonly, mkfs), umount(), open(path,
 * mode), ilistdir([path]) of (name, type, 0, size), stat, statvfs, mkdir,
 * rmdir, remove, rename, chdir and getcwd, paths taken against the object's
 * own cwd; mkfs(bdev, ...) as a class method. VfsLfs2(bdev, readsize=32,
 * progsize=32, lookahead=32, *, mtime=True) mounts at once and raises if it
 * cannot; VfsFat(bdev) accepts a device without a filesystem, which
 * mount(mkfs=True) formats and mount() refuses with ENODEV.
 *
 * Where the board differs: a read-only mount refuses writes up front with
 * EROFS (upstream: when the driver first writes); umount() closes the
 * object's open files first and a later mount() mounts again (upstream
 * leaves both undefined); a device's Python exception becomes OSError(EIO)
 * with it as __cause__ (upstream lets it unwind through the driver).
 * Files are the board's io.FileIO / io.TextIOWrapper, so a soft reset
 * closes them like any other. Every call into a volume is bracketed by
 * pyfs_vol_enter/leave: device code calling back into the same filesystem
 * from its block device gets EBUSY instead of re-entering the driver. */
#include <errno.h>
#include <string.h>

#include "pyfs_int.h"

#define LOOKAHEAD_MAX 65536u           /* bytes of littlefs allocator bitmap */

typedef struct pyfs_native {
    PyObject_HEAD
    pyfs_state *st;
    bool lfs2;                /* VfsLfs2, else VfsFat */
    bool board;               /* a view of the board volume (st->vol): no
                                 device of its own, never unmounted */
    bool mounted;             /* vol holds a mounted filesystem */
    bool busy;                /* a call into vol is in progress */
    bool mtime;               /* VfsLfs2 mtime= */
    PyObject *pending;        /* files whose close waits for the call in
                                 progress to end (a list), or NULL */
    pyfs_bdev dev;
    vb_lfs2_config cfg;
    vb_vol vol;               /* must not move: the drivers point into it */
    char cwd[PYFS_PATH_MAX];  /* the object's own, '/'-rooted */
} pyfs_native;

/* ---- the re-entry guard ----------------------------------------------------- */

int pyfs_vol_enter(PyObject *owner)
{
    if (!owner) return 0;
    pyfs_native *n = (pyfs_native *)owner;
    if (n->busy) {
        vb_raise_errno(EBUSY);
        return -1;
    }
    n->busy = true;
    Py_CLEAR(n->dev.exc);
    return 0;
}

/* Close the files deferred while the volume was busy; closing may defer
 * more, so until none is left. Their failures have nobody to go to. */
static void close_pending(pyfs_native *n)
{
    PyObject *et, *ev, *etb;
    PyErr_Fetch(&et, &ev, &etb);
    Py_INCREF(n);                      /* the files' references to it go with them */
    while (n->pending) {
        PyObject *files = n->pending;
        n->pending = NULL;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(files); i++) {
            if (pyfs_vol_enter((PyObject *)n) < 0) break;
            pyfs_file_close_raw((pyfs_file *)PyList_GET_ITEM(files, i));
            n->busy = false;
            Py_CLEAR(n->dev.exc);
        }
        Py_DECREF(files);
        PyErr_Clear();
    }
    Py_DECREF(n);
    PyErr_Restore(et, ev, etb);
}

bool pyfs_vol_leave(PyObject *owner)
{
    if (!owner) return false;
    pyfs_native *n = (pyfs_native *)owner;
    n->busy = false;
    bool raised = pyfs_bdev_raise_kept(&n->dev);
    if (n->pending) close_pending(n);
    return raised;
}

bool pyfs_vol_busy(PyObject *owner)
{
    return owner && ((pyfs_native *)owner)->busy;
}

int pyfs_vol_defer_close(PyObject *owner, PyObject *file)
{
    pyfs_native *n = (pyfs_native *)owner;
    if (!n->pending && !(n->pending = PyList_New(0))) return -1;
    return PyList_Append(n->pending, file);
}

/* ---- calls on the volume ------------------------------------------------ */

static PyObject *owner_of(pyfs_native *n) { return n->board ? NULL : (PyObject *)n; }

static bool read_only(const pyfs_native *n)
{
    return !n->board && (n->dev.readonly || !n->dev.writeblocks);
}

/* A path argument against the object's cwd, into out[PYFS_PATH_MAX]. 0 / -1. */
static int arg_path(pyfs_native *n, PyObject *arg, char *out)
{
    PyObject *b = pyfs_path_bytes(arg);
    if (!b) return -1;
    int rc = pyfs_join(n->cwd, PyBytes_AS_STRING(b), out, PYFS_PATH_MAX);
    Py_DECREF(b);
    if (rc < 0) vb_raise_errno(rc);
    return rc < 0 ? -1 : 0;
}

/* Start a call on the volume, with `arg` (if any) resolved into path: the
 * volume, or NULL with the exception (ENODEV unmounted, EROFS for a write
 * on a read-only mount, EBUSY). */
static vb_vol *begin(pyfs_native *n, PyObject *arg, char *path, bool writes)
{
    if (arg && arg_path(n, arg, path) < 0) return NULL;
    vb_vol *v = n->board ? n->st->vol : n->mounted ? &n->vol : NULL;
    int err = !v ? ENODEV : writes && read_only(n) ? EROFS : 0;
    if (err) {
        vb_raise_errno(err);
        return NULL;
    }
    return pyfs_vol_enter(owner_of(n)) < 0 ? NULL : v;
}

/* End it: a device exception replaces res. */
static PyObject *end(pyfs_native *n, PyObject *res)
{
    if (pyfs_vol_leave(owner_of(n))) Py_CLEAR(res);
    return res;
}

static PyObject *end_rc(pyfs_native *n, int rc)
{
    return end(n, rc < 0 ? vb_raise_errno(rc) : Py_NewRef(Py_None));
}

static int mount_vol(pyfs_native *n)
{
    int rc = n->lfs2 ? vb_vol_mount_lfs2(&n->vol, &n->dev.lfs, &n->cfg, n->mtime, &n->st->clock)
                     : vb_vol_mount_fat(&n->vol, &n->dev.bd, VB_FAT_NAMES_OEM, &n->st->clock);
    n->mounted = rc == 0;
    return rc;
}

/* ---- the VFS protocol --------------------------------------------------- */

static PyObject *n_open(PyObject *self, PyObject *args)
{
    pyfs_native *n = (pyfs_native *)self;
    PyObject *p;
    const char *mode = "r";
    char path[PYFS_PATH_MAX];
    if (!PyArg_ParseTuple(args, "O|s:open", &p, &mode)) return NULL;
    vb_vol *v = begin(n, p, path, strpbrk(mode, "wax+") != NULL);
    return v ? end(n, pyfs_file_open(n->st, v, owner_of(n), path, mode)) : NULL;
}

static PyObject *n_ilistdir(PyObject *self, PyObject *args)
{
    pyfs_native *n = (pyfs_native *)self;
    PyObject *p = NULL;
    char path[PYFS_PATH_MAX];
    if (!PyArg_ParseTuple(args, "|O:ilistdir", &p)) return NULL;
    if (!p) strcpy(path, n->cwd);
    PyObject *list = PyList_New(0);
    vb_vol *v = list ? begin(n, p, path, false) : NULL;
    if (!v) {
        Py_XDECREF(list);
        return NULL;
    }
    if (pyfs_vol_listing(v, path, list, p && PyBytes_Check(p)) < 0) Py_CLEAR(list);
    list = end(n, list);
    PyObject *it = list ? PyObject_GetIter(list) : NULL;
    Py_XDECREF(list);
    return it;
}

static PyObject *path_op(PyObject *self, PyObject *arg, int (*op)(vb_vol *, const char *))
{
    pyfs_native *n = (pyfs_native *)self;
    char path[PYFS_PATH_MAX];
    vb_vol *v = begin(n, arg, path, true);
    return v ? end_rc(n, op(v, path)) : NULL;
}

static PyObject *n_mkdir(PyObject *self, PyObject *arg) { return path_op(self, arg, vb_vol_mkdir); }
static PyObject *n_rmdir(PyObject *self, PyObject *arg) { return path_op(self, arg, vb_vol_rmdir); }
static PyObject *n_remove(PyObject *self, PyObject *arg) { return path_op(self, arg, vb_vol_remove); }

static PyObject *n_rename(PyObject *self, PyObject *args)
{
    pyfs_native *n = (pyfs_native *)self;
    PyObject *a, *b;
    char from[PYFS_PATH_MAX], to[PYFS_PATH_MAX];
    if (!PyArg_ParseTuple(args, "OO:rename", &a, &b) || arg_path(n, b, to) < 0) return NULL;
    vb_vol *v = begin(n, a, from, true);
    return v ? end_rc(n, vb_vol_rename(v, from, to)) : NULL;
}

static PyObject *n_stat(PyObject *self, PyObject *arg)
{
    pyfs_native *n = (pyfs_native *)self;
    char path[PYFS_PATH_MAX];
    vb_vol *v = begin(n, arg, path, false);
    return v ? end(n, pyfs_vol_stat(v, path)) : NULL;
}

/* The path only has to be one (upstream ignores it). */
static PyObject *n_statvfs(PyObject *self, PyObject *arg)
{
    pyfs_native *n = (pyfs_native *)self;
    char path[PYFS_PATH_MAX];
    vb_vol *v = begin(n, arg, path, false);
    return v ? end(n, pyfs_vol_statvfs(v)) : NULL;
}

static PyObject *n_chdir(PyObject *self, PyObject *arg)
{
    pyfs_native *n = (pyfs_native *)self;
    char path[PYFS_PATH_MAX];
    vb_vol *v = begin(n, arg, path, false);
    if (!v) return NULL;
    vb_vol_info info;
    int rc = vb_vol_stat(v, path, &info);
    if (rc == 0 && !info.is_dir) rc = -ENOENT;
    PyObject *r = end_rc(n, rc);
    if (r) strcpy(n->cwd, path);
    return r;
}

static PyObject *n_getcwd(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    const char *cwd = ((pyfs_native *)self)->cwd;
    return PyUnicode_DecodeUTF8(cwd, (Py_ssize_t)strlen(cwd), "surrogateescape");
}

static PyObject *n_mount(PyObject *self, PyObject *args)
{
    pyfs_native *n = (pyfs_native *)self;
    PyObject *readonly, *mkfs;
    if (!PyArg_ParseTuple(args, "OO:mount", &readonly, &mkfs)) return NULL;
    int ro = PyObject_IsTrue(readonly), mk = ro < 0 ? -1 : PyObject_IsTrue(mkfs);
    if (mk < 0) return NULL;
    if (n->board) Py_RETURN_NONE;
    if (ro) n->dev.readonly = true;
    if (n->mounted) Py_RETURN_NONE;    /* VfsLfs2 mounted when it was made */
    if (pyfs_vol_enter(self) < 0) return NULL;
    int rc = mount_vol(n);
    if (rc == -ENODEV && mk && !n->lfs2 &&
        (rc = vb_fat_mkfs(&n->dev.bd, NULL, vb_vol_clock_fat, &n->st->clock)) == 0)
        rc = mount_vol(n);
    return end_rc(n, rc);
}

/* Files first (they write back), then the volume. */
static PyObject *n_umount(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    pyfs_native *n = (pyfs_native *)self;
    if (n->board || !n->mounted) Py_RETURN_NONE;
    PyObject *files = pyfs_open_files(n->st, PYFS_FILES_OF, self);
    if (!files || pyfs_vol_enter(self) < 0) {
        Py_XDECREF(files);
        return NULL;
    }
    int rc = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(files); i++) {
        int r = pyfs_file_close_raw((pyfs_file *)PyList_GET_ITEM(files, i));
        if (r < 0 && rc == 0) rc = r;
    }
    int r = vb_vol_unmount(&n->vol);
    n->mounted = false;
    PyObject *res = end_rc(n, rc < 0 ? rc : r);
    Py_DECREF(files);
    return res;
}

/* ---- construction and mkfs ------------------------------------------------ */

static pyfs_native *new_native(PyTypeObject *tp, bool lfs2)
{
    pyfs_native *n = (pyfs_native *)tp->tp_alloc(tp, 0);
    if (!n) return NULL;
    n->st = PyType_GetModuleState(tp);
    n->lfs2 = lfs2;
    strcpy(n->cwd, "/");
    return n;
}

/* The device and VfsLfs2's littlefs parameters (extmod/vfs_lfsx.c
 * init_config): vb_lfs2_config_micropython with the object's read size,
 * cache min(block, 4 * max(read, prog)) and lookahead. 0 / -1. */
static int lfs2_setup(pyfs_bdev *d, vb_lfs2_config *cfg, PyObject *bdev, Py_ssize_t rs,
                      Py_ssize_t ps, Py_ssize_t la)
{
    if (pyfs_bdev_init(d, bdev) < 0 || pyfs_bdev_geometry(d, true) < 0) return -1;
    uint32_t bs = d->block_size;
    if (rs <= 0 || ps <= 0 || la <= 0 || (size_t)rs > bs || (size_t)ps > bs || (size_t)la > LOOKAHEAD_MAX) {
        vb_raise_errno(EINVAL);
        return -1;
    }
    vb_lfs2_config_micropython(cfg, bs, (uint32_t)ps);
    uint32_t big = (uint32_t)(rs > ps ? rs : ps);
    cfg->read_size = (uint32_t)rs;
    cfg->cache_size = big > bs / 4 ? bs : 4 * big;
    cfg->lookahead_size = (uint32_t)la;
    int rc = vb_lfs2_check_config(&d->lfs, cfg);
    if (rc < 0) vb_raise_errno(rc);
    return rc < 0 ? -1 : 0;
}

static char *lfs2_kwlist[] = {"", "readsize", "progsize", "lookahead", "mtime", NULL};

static PyObject *lfs2_new(PyTypeObject *tp, PyObject *args, PyObject *kw)
{
    PyObject *bdev;
    Py_ssize_t rs = 32, ps = 32, la = 32;
    int mtime = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|nnn$p:VfsLfs2", lfs2_kwlist, &bdev, &rs, &ps, &la, &mtime))
        return NULL;
    pyfs_native *n = new_native(tp, true);
    if (!n) return NULL;
    n->mtime = mtime;
    PyObject *r = NULL;
    if (lfs2_setup(&n->dev, &n->cfg, bdev, rs, ps, la) == 0 && pyfs_vol_enter((PyObject *)n) == 0)
        r = end_rc(n, mount_vol(n));
    if (!r) Py_CLEAR(n);
    Py_XDECREF(r);
    return (PyObject *)n;
}

static PyObject *fat_new(PyTypeObject *tp, PyObject *args, PyObject *kw)
{
    PyObject *bdev;
    if (kw && PyDict_GET_SIZE(kw)) return PyErr_Format(PyExc_TypeError, "VfsFat() takes no keyword arguments");
    if (!PyArg_ParseTuple(args, "O:VfsFat", &bdev)) return NULL;
    pyfs_native *n = new_native(tp, false);
    if (!n) return NULL;
    PyObject *r = NULL;
    if (pyfs_bdev_init(&n->dev, bdev) == 0 && pyfs_bdev_geometry(&n->dev, false) == 0 &&
        pyfs_vol_enter((PyObject *)n) == 0) {
        int rc = mount_vol(n);
        /* no filesystem yet: mount(mkfs=True) makes one, mount() says ENODEV */
        r = end_rc(n, rc == -ENODEV ? 0 : rc);
    }
    if (!r) Py_CLEAR(n);
    Py_XDECREF(r);
    return (PyObject *)n;
}

/* VfsLfs2.mkfs(bdev, readsize=32, progsize=32, lookahead=32): mtime= is
 * taken and unused, as upstream. */
static PyObject *lfs2_mkfs(PyObject *cls, PyObject *args, PyObject *kw)
{
    (void)cls;
    PyObject *bdev, *res = NULL;
    Py_ssize_t rs = 32, ps = 32, la = 32;
    int mtime = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|nnn$p:mkfs", lfs2_kwlist, &bdev, &rs, &ps, &la, &mtime))
        return NULL;
    pyfs_bdev d = {0};
    vb_lfs2_config cfg;
    if (lfs2_setup(&d, &cfg, bdev, rs, ps, la) == 0) {
        int rc = vb_lfs2_format(&d.lfs, &cfg);
        if (!pyfs_bdev_raise_kept(&d)) res = rc < 0 ? vb_raise_errno(rc) : Py_NewRef(Py_None);
    }
    pyfs_bdev_clear(&d);
    return res;
}

static PyObject *fat_mkfs(PyObject *cls, PyObject *bdev)
{
    pyfs_state *st = PyType_GetModuleState((PyTypeObject *)cls);
    PyObject *res = NULL;
    pyfs_bdev d = {0};
    if (st && pyfs_bdev_init(&d, bdev) == 0 && pyfs_bdev_geometry(&d, false) == 0) {
        int rc = vb_fat_mkfs(&d.bd, NULL, vb_vol_clock_fat, &st->clock);
        if (!pyfs_bdev_raise_kept(&d)) res = rc < 0 ? vb_raise_errno(rc) : Py_NewRef(Py_None);
    }
    pyfs_bdev_clear(&d);
    return res;
}

/* ---- the type ------------------------------------------------------------ */

static int n_traverse(PyObject *self, visitproc visit, void *arg)
{
    pyfs_native *n = (pyfs_native *)self;
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(n->pending);
    return pyfs_bdev_traverse(&n->dev, visit, arg);
}

static int n_clear(PyObject *self)
{
    pyfs_native *n = (pyfs_native *)self;
    Py_CLEAR(n->pending);
    pyfs_bdev_clear(&n->dev);          /* the drivers then see a failing device */
    return 0;
}

/* No file is open on it (each holds the object): write back, release. */
static void n_dealloc(PyObject *self)
{
    pyfs_native *n = (pyfs_native *)self;
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (n->mounted) {
        PyObject *et, *ev, *etb;
        PyErr_Fetch(&et, &ev, &etb);
        n->busy = true;
        vb_vol_unmount(&n->vol);
        n->busy = n->mounted = false;
        PyErr_Clear();
        PyErr_Restore(et, ev, etb);
    }
    n_clear(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

/* MicroPython prints an object without a print method as <TypeName>. */
static PyObject *n_repr(PyObject *self)
{
    return PyUnicode_FromString(((pyfs_native *)self)->lfs2 ? "<VfsLfs2>" : "<VfsFat>");
}

#define VFS_PROTOCOL_METHODS                                                  \
    {"mount", n_mount, METH_VARARGS, NULL},                                   \
    {"umount", n_umount, METH_NOARGS, NULL},                                  \
    {"open", n_open, METH_VARARGS, NULL},                                     \
    {"ilistdir", n_ilistdir, METH_VARARGS, NULL},                             \
    {"mkdir", n_mkdir, METH_O, NULL},                                         \
    {"rmdir", n_rmdir, METH_O, NULL},                                         \
    {"remove", n_remove, METH_O, NULL},                                       \
    {"rename", n_rename, METH_VARARGS, NULL},                                 \
    {"stat", n_stat, METH_O, NULL},                                           \
    {"statvfs", n_statvfs, METH_O, NULL},                                     \
    {"chdir", n_chdir, METH_O, NULL},                                         \
    {"getcwd", n_getcwd, METH_NOARGS, NULL}

static PyMethodDef lfs2_methods[] = {
    VFS_PROTOCOL_METHODS,
    {"mkfs", (PyCFunction)(void (*)(void))lfs2_mkfs, METH_VARARGS | METH_KEYWORDS | METH_CLASS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMethodDef fat_methods[] = {
    VFS_PROTOCOL_METHODS,
    {"mkfs", fat_mkfs, METH_O | METH_CLASS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot lfs2_slots[] = {
    {Py_tp_new, (void *)lfs2_new},
    {Py_tp_dealloc, (void *)n_dealloc},
    {Py_tp_traverse, (void *)n_traverse},
    {Py_tp_clear, (void *)n_clear},
    {Py_tp_repr, (void *)n_repr},
    {Py_tp_methods, lfs2_methods},
    {0, NULL},
};

static PyType_Slot fat_slots[] = {
    {Py_tp_new, (void *)fat_new},
    {Py_tp_dealloc, (void *)n_dealloc},
    {Py_tp_traverse, (void *)n_traverse},
    {Py_tp_clear, (void *)n_clear},
    {Py_tp_repr, (void *)n_repr},
    {Py_tp_methods, fat_methods},
    {0, NULL},
};

int pyfs_native_types_init(PyObject *module, pyfs_state *st)
{
    const unsigned flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE;
    PyType_Spec lfs2 = {"vfs.VfsLfs2", sizeof(pyfs_native), 0, flags, lfs2_slots};
    PyType_Spec fat = {"vfs.VfsFat", sizeof(pyfs_native), 0, flags, fat_slots};
    st->lfs2_type = PyType_FromModuleAndSpec(module, &lfs2, NULL);
    st->fat_type = PyType_FromModuleAndSpec(module, &fat, NULL);
    return st->lfs2_type && st->fat_type ? 0 : -1;
}

PyObject *pyfs_native_detect(pyfs_state *st, PyObject *bdev)
{
    int lfs2 = pyfs_bdev_probe_lfs2(bdev);
    if (lfs2 < 0) return NULL;
    return PyObject_CallOneArg(lfs2 ? st->lfs2_type : st->fat_type, bdev);
}

PyObject *pyfs_native_board(pyfs_state *st)
{
    bool lfs2 = st->vol && st->vol->kind == VB_VOL_LFS2;
    PyTypeObject *tp = (PyTypeObject *)(lfs2 ? st->lfs2_type : st->fat_type);
    if (st->board_vfs && Py_TYPE(st->board_vfs) == tp) return Py_NewRef(st->board_vfs);
    pyfs_native *n = new_native(tp, lfs2);
    if (!n) return NULL;
    n->board = true;
    Py_XSETREF(st->board_vfs, Py_NewRef((PyObject *)n));
    return (PyObject *)n;
}
