/* The MicroPython-style `os` module over the board volume (flash.md §4.6,
 * repl.md §6.3) and the Python VFS objects mounted beside it (pyfs_vfs.c),
 * and vb_pyfs_install which wires everything in. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "pyfs_int.h"
#include "util/civil.h"

#define S_IFDIR_MP 0x4000
#define S_IFREG_MP 0x8000
#define VROOT_NAMEMAX 128            /* esp32 MICROPY_ALLOC_PATH_MAX */

pyfs_state *pyfs_state_of_module(PyObject *module)
{
    return PyModule_GetState(module);
}

pyfs_state *pyfs_state_of(PyObject *self)
{
    return PyType_GetModuleState(Py_TYPE(self));
}

/* Resolve a Python path argument into *loc: 0, -ENAMETOOLONG, or -1000
 * with an exception. */
#define PATH_PYERR (-1000)
static int arg_loc(pyfs_state *st, PyObject *arg, pyfs_loc *loc)
{
    PyObject *b = pyfs_path_bytes(arg);
    if (!b) return PATH_PYERR;
    int rc = pyfs_resolve(st, PyBytes_AS_STRING(b), loc);
    Py_DECREF(b);
    return rc;
}

/* arg_loc for an operation on the volume: 0 with loc->rest the FAT path,
 * or a negative errno (pyfs_vol_err) or PATH_PYERR. */
static int arg_vol_loc(pyfs_state *st, PyObject *arg, pyfs_loc *loc)
{
    int rc = arg_loc(st, arg, loc);
    return rc < 0 ? rc : pyfs_vol_err(loc);
}

static PyObject *raise_rc(int rc)
{
    return rc == PATH_PYERR ? NULL : vb_raise_errno(rc);
}

static PyObject *int_tuple(const long long *v, int n)
{
    PyObject *t = PyTuple_New(n);
    for (int i = 0; t && i < n; i++) {
        PyObject *x = PyLong_FromLongLong(v[i]);
        if (!x) { Py_CLEAR(t); break; }
        PyTuple_SET_ITEM(t, i, x);
    }
    return t;
}

/* Names as str, or as bytes when the argument was bytes (as MicroPython). */
int pyfs_vol_listing(vb_vol *v, const char *path, PyObject *list, bool as_bytes)
{
    vb_vol_dir d;
    int rc = vb_vol_opendir(v, &d, path);
    if (rc < 0) {
        vb_raise_errno(rc);
        return -1;
    }
    vb_vol_info info;
    while ((rc = vb_vol_readdir(&d, &info)) == 1) {
        size_t nl = strlen(info.name);
        PyObject *name = as_bytes ? PyBytes_FromStringAndSize(info.name, (Py_ssize_t)nl)
                                  : PyUnicode_DecodeUTF8(info.name, (Py_ssize_t)nl, "surrogateescape");
        PyObject *e = name ? Py_BuildValue("(NiiI)", name, info.is_dir ? S_IFDIR_MP : S_IFREG_MP,
                                           0, info.size)
                           : NULL;
        if (!e || PyList_Append(list, e) < 0) {
            Py_XDECREF(e);
            vb_vol_closedir(&d);
            return -1;
        }
        Py_DECREF(e);
    }
    vb_vol_closedir(&d);
    if (rc < 0) {
        vb_raise_errno(rc);
        return -1;
    }
    return 0;
}

static int vol_root(pyfs_state *st, PyObject *list, bool as_bytes)
{
    return pyfs_vol_listing(st->vol, "/", list, as_bytes);
}

/* The entries of a directory: a list of ilistdir tuples, or, below a VFS
 * mount point, whatever the object's ilistdir returned (*from_vfs set). */
static PyObject *listing(PyObject *module, PyObject *const *args, Py_ssize_t nargs, bool *from_vfs)
{
    pyfs_state *st = pyfs_state_of_module(module);
    PyObject *arg = nargs > 0 ? args[0] : NULL;
    if (nargs > 1) return PyErr_Format(PyExc_TypeError, "function takes at most 1 argument");
    bool as_bytes = arg && PyBytes_Check(arg);
    pyfs_loc loc;
    int rc = arg ? arg_loc(st, arg, &loc) : pyfs_resolve(st, ".", &loc);
    if (rc < 0) return raise_rc(rc);
    *from_vfs = false;
    if (strcmp(loc.abs, "/") == 0)     /* the mount points, and what is at "/" */
        return pyfs_root_listing(st, as_bytes, vol_root);
    if (loc.where == PYFS_IN_VFS) {
        *from_vfs = true;
        return pyfs_vfs_call(&loc, "ilistdir", as_bytes, NULL);
    }
    if ((rc = pyfs_vol_err(&loc)) < 0) return vb_raise_errno(rc);
    PyObject *list = PyList_New(0);
    if (list && pyfs_vol_listing(st->vol, loc.rest, list, as_bytes) < 0) Py_CLEAR(list);
    return list;
}

static PyObject *os_ilistdir(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    bool from_vfs;
    PyObject *list = listing(module, args, nargs, &from_vfs);
    if (!list || from_vfs) return list;   /* a VFS's iterator goes back as is (upstream) */
    /* Collected up front: an iterator over a directory that the loop body
     * modifies would otherwise see a changing on-disk order. */
    PyObject *it = PyObject_GetIter(list);
    Py_DECREF(list);
    return it;
}

static PyObject *os_listdir(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    bool from_vfs;
    PyObject *list = listing(module, args, nargs, &from_vfs);
    if (list && from_vfs) {            /* the first item of each entry */
        PyObject *it = PyObject_GetIter(list), *names = it ? PyList_New(0) : NULL, *e;
        Py_DECREF(list);
        while (names && (e = PyIter_Next(it))) {
            PyObject *name = PySequence_GetItem(e, 0);
            Py_DECREF(e);
            if (!name || PyList_Append(names, name) < 0) Py_CLEAR(names);
            Py_XDECREF(name);
        }
        Py_XDECREF(it);
        if (PyErr_Occurred()) Py_CLEAR(names);
        return names;
    }
    for (Py_ssize_t i = 0; list && i < PyList_GET_SIZE(list); i++) {
        PyObject *name = Py_NewRef(PyTuple_GET_ITEM(PyList_GET_ITEM(list, i), 0));
        PyList_SetItem(list, i, name);   /* steals name, drops the tuple */
    }
    return list;
}

PyObject *pyfs_vol_stat(vb_vol *v, const char *path)
{
    vb_vol_info info;
    int rc = vb_vol_stat(v, path, &info);
    if (rc < 0) return vb_raise_errno(rc);
    /* in the board's epoch; 0 for an entry without a time (the root) */
    long long mtime = info.mtime ? info.mtime - VB_CIVIL_EPOCH_UNIX_SECS : 0;
    long long t[10] = {info.is_dir ? S_IFDIR_MP : S_IFREG_MP, 0, 0, 0, 0, 0,
                       info.size, mtime, mtime, mtime};
    return int_tuple(t, 10);
}

PyObject *pyfs_vol_statvfs(vb_vol *v)
{
    vb_vol_usage u;
    int rc = vb_vol_statvfs(v, &u);
    if (rc < 0) return vb_raise_errno(rc);
    long long t[10] = {u.block_size, u.block_size, u.blocks, u.free_blocks,
                       u.free_blocks, 0, 0, 0, 0, u.name_max};
    return int_tuple(t, 10);
}

static PyObject *os_stat(PyObject *module, PyObject *arg)
{
    pyfs_state *st = pyfs_state_of_module(module);
    pyfs_loc loc;
    int rc = arg_loc(st, arg, &loc);
    if (rc == 0 && loc.where == PYFS_IN_VFS) return pyfs_vfs_call(&loc, "stat", PyBytes_Check(arg), NULL);
    if (rc == 0) rc = pyfs_vol_err(&loc);
    if (rc == -EPERM) {                /* virtual root */
        long long v[10] = {S_IFDIR_MP};
        return int_tuple(v, 10);
    }
    if (rc < 0) return raise_rc(rc);
    return pyfs_vol_stat(st->vol, loc.rest);
}

static PyObject *os_statvfs(PyObject *module, PyObject *arg)
{
    pyfs_state *st = pyfs_state_of_module(module);
    pyfs_loc loc;
    int rc = arg_loc(st, arg, &loc);
    if (rc == 0 && loc.where == PYFS_IN_VFS) return pyfs_vfs_call(&loc, "statvfs", PyBytes_Check(arg), NULL);
    if (rc == 0) rc = pyfs_vol_err(&loc);
    if (rc == -EPERM) {                /* nothing mounted at "/" itself */
        long long v[10] = {0};
        v[9] = VROOT_NAMEMAX;
        return int_tuple(v, 10);
    }
    if (rc < 0) return raise_rc(rc);
    return pyfs_vol_statvfs(st->vol);
}

/* The one-path operations differ only in the volume call and the VFS method. */
static PyObject *path_op(PyObject *module, PyObject *arg, int (*op)(vb_vol *, const char *),
                         const char *method)
{
    pyfs_state *st = pyfs_state_of_module(module);
    pyfs_loc loc;
    int rc = arg_loc(st, arg, &loc);
    if (rc == 0 && loc.where == PYFS_IN_VFS) {
        /* a mount point exists by definition (upstream: EEXIST, no call) */
        if (op == vb_vol_mkdir && strcmp(loc.rest, "/") == 0) return vb_raise_errno(EEXIST);
        return pyfs_vfs_call(&loc, method, PyBytes_Check(arg), NULL);
    }
    if (rc == 0) rc = pyfs_vol_err(&loc);
    if (rc == 0) rc = op(st->vol, loc.rest);
    if (rc < 0) return raise_rc(rc);
    Py_RETURN_NONE;
}

static PyObject *os_remove(PyObject *m, PyObject *a) { return path_op(m, a, vb_vol_remove, "remove"); }
static PyObject *os_mkdir(PyObject *m, PyObject *a) { return path_op(m, a, vb_vol_mkdir, "mkdir"); }
static PyObject *os_rmdir(PyObject *m, PyObject *a) { return path_op(m, a, vb_vol_rmdir, "rmdir"); }

static PyObject *os_rename(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) return PyErr_Format(PyExc_TypeError, "function takes 2 positional arguments");
    pyfs_state *st = pyfs_state_of_module(module);
    pyfs_loc from, to;
    int rc = arg_loc(st, args[0], &from);
    if (rc == 0) rc = arg_loc(st, args[1], &to);
    if (rc < 0) return raise_rc(rc);
    if (from.where == PYFS_IN_VFS || to.where == PYFS_IN_VFS) {
        if (from.mount != to.mount) return vb_raise_errno(EPERM);   /* across filesystems */
        PyObject *vfs = Py_NewRef(from.vfs);
        PyObject *a = pyfs_vfs_path(&from, PyBytes_Check(args[0]));
        PyObject *b = a ? pyfs_vfs_path(&to, PyBytes_Check(args[1])) : NULL;
        PyObject *r = b ? pyfs_call_vfs(vfs, "rename", a, b) : NULL;
        Py_XDECREF(a);
        Py_XDECREF(b);
        Py_DECREF(vfs);
        return r;
    }
    rc = pyfs_vol_err(&from);
    if (rc == 0) rc = pyfs_vol_err(&to);
    if (rc == 0) rc = vb_vol_rename(st->vol, from.rest, to.rest);
    if (rc < 0) return raise_rc(rc);
    Py_RETURN_NONE;
}

/* In a VFS mount the object says where it is, after its mount point
 * (upstream: nothing added for "/", nothing before it for a mount at "/"). */
static PyObject *os_getcwd(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    pyfs_state *st = pyfs_state_of_module(module);
    pyfs_loc loc;
    if (pyfs_resolve(st, st->cwd, &loc) < 0 || loc.where != PYFS_IN_VFS)
        return PyUnicode_DecodeUTF8(st->cwd, (Py_ssize_t)strlen(st->cwd), "surrogateescape");
    char point[PYFS_PATH_MAX];
    strcpy(point, st->mounts[loc.mount].point);   /* the call may unmount it */
    PyObject *cwd = pyfs_call_vfs(loc.vfs, "getcwd", NULL, NULL);
    if (!cwd) return NULL;
    if (!PyUnicode_Check(cwd)) {
        Py_DECREF(cwd);
        return PyErr_Format(PyExc_TypeError, "getcwd() must return str");
    }
    if (strcmp(point, "/") == 0) return cwd;
    PyObject *p = PyUnicode_DecodeUTF8(point, (Py_ssize_t)strlen(point), "surrogateescape");
    PyObject *r = p && PyUnicode_CompareWithASCIIString(cwd, "/") == 0 ? Py_NewRef(p)
                : p ? PyUnicode_Concat(p, cwd) : NULL;
    Py_XDECREF(p);
    Py_DECREF(cwd);
    return r;
}

static PyObject *os_chdir(PyObject *module, PyObject *arg)
{
    pyfs_state *st = pyfs_state_of_module(module);
    pyfs_loc loc;
    int rc = arg_loc(st, arg, &loc);
    if (rc < 0) return raise_rc(rc);
    switch (loc.where) {
    case PYFS_VROOT: break;
    case PYFS_NOWHERE: return vb_raise_errno(ENODEV);
    case PYFS_IN_VFS: {
        /* the object checks the path and keeps its own cwd (mpremote's does) */
        PyObject *r = pyfs_vfs_call(&loc, "chdir", PyBytes_Check(arg), NULL);
        if (!r) return NULL;
        Py_DECREF(r);
        break;
    }
    case PYFS_IN_VOL: {
        vb_vol_info info;
        rc = vb_vol_stat(st->vol, loc.rest, &info);
        /* FatFs: no path; MicroPython's VfsLfs2 checks the same way */
        if (rc == 0 && !info.is_dir) rc = -ENOENT;
        if (rc < 0) return vb_raise_errno(rc);
        break;
    }
    }
    strcpy(st->cwd, loc.abs);
    Py_RETURN_NONE;
}

/* Every open file written back (those of VfsFat/VfsLfs2 volumes too, whose
 * devices are Python code: the registry is copied first), then the board
 * volume synced. The first failure is raised once everything was tried. */
static PyObject *os_sync(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    pyfs_state *st = pyfs_state_of_module(module);
    PyObject *files = pyfs_open_files(st, PYFS_FILES_ALL, NULL);
    if (!files) return NULL;
    int rc;
    PyObject *et = NULL, *ev = NULL, *etb = NULL;     /* the first failure */
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(files); i++) {
        pyfs_file *pf = (pyfs_file *)PyList_GET_ITEM(files, i);
        if (!pf->f.open || !pf->f.writable) continue;
        PyObject *owner = Py_XNewRef(pf->owner);
        bool failed = true;            /* with the exception set */
        if (pyfs_vol_enter(owner) == 0) {
            int r = vb_vol_flush(&pf->f);
            if (!pyfs_vol_leave(owner)) failed = r < 0 && !vb_raise_errno(r);
        }
        Py_XDECREF(owner);
        if (failed && !et) PyErr_Fetch(&et, &ev, &etb);
        PyErr_Clear();
    }
    Py_DECREF(files);
    if (!et && st->vol && (rc = vb_vol_sync(st->vol)) < 0) return vb_raise_errno(rc);
    if (et) {
        PyErr_Restore(et, ev, etb);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *os_urandom(PyObject *module, PyObject *arg)
{
    (void)module;
    Py_ssize_t n = PyLong_AsSsize_t(arg);
    if (n == -1 && PyErr_Occurred()) return NULL;
    if (n < 0) return PyErr_Format(PyExc_ValueError, "negative count");
    PyObject *b = PyBytes_FromStringAndSize(NULL, n);
    if (!b) return NULL;
    /* the kernel's pool directly: no CPython file or os call involved */
    for (Py_ssize_t got = 0; got < n;) {
        ssize_t r = getrandom(PyBytes_AS_STRING(b) + got, (size_t)(n - got), 0);
        if (r < 0 && errno == EINTR) {
            if (PyErr_CheckSignals() < 0) { Py_DECREF(b); return NULL; }
            continue;
        }
        if (r < 0) { Py_DECREF(b); return vb_raise_errno(errno); }
        got += r;
    }
    return b;
}

static PyObject *os_uname(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    return Py_NewRef(pyfs_state_of_module(module)->uname);
}

void vb_pyfs_set_volume(PyObject *os_module, vb_vol *vol)
{
    pyfs_mounts_set_volume(pyfs_state_of_module(os_module), vol);
}

int vb_pyfs_close_all(PyObject *os_module)
{
    pyfs_state *st = pyfs_state_of_module(os_module);
    PyObject *et, *ev, *etb;
    PyErr_Fetch(&et, &ev, &etb);
    int n = 0, err = 0;
    /* VfsFat/VfsLfs2 files first: their device may be a board file. */
    static const pyfs_which passes[] = {PYFS_FILES_MOUNTED, PYFS_FILES_BOARD};
    for (size_t p = 0; p < sizeof passes / sizeof passes[0]; p++) {
        PyObject *files = pyfs_open_files(st, passes[p], NULL);
        if (!files && !err) err = -ENOMEM;
        for (Py_ssize_t i = 0; files && i < PyList_GET_SIZE(files); i++) {
            pyfs_file *pf = (pyfs_file *)PyList_GET_ITEM(files, i);
            if (!pf->f.open) continue;          /* device code closed it meanwhile */
            PyObject *owner = Py_XNewRef(pf->owner);
            int r = -EBUSY;
            if (pyfs_vol_enter(owner) == 0) {
                r = pyfs_file_close_raw(pf);
                if (pyfs_vol_leave(owner) && r >= 0) r = -EIO;
            }
            Py_XDECREF(owner);
            PyErr_Clear();
            if (r < 0 && err == 0) err = r;
            n++;
        }
        Py_XDECREF(files);
        PyErr_Clear();
    }
    PyErr_Restore(et, ev, etb);
    return err ? err : n;
}

/* os.fsformat(path) / os.mkfs(path) (Pycom): the caller's block device is
 * reformatted and remounted; the path must name the mount point. */
static PyObject *os_fsformat(PyObject *module, PyObject *arg)
{
    pyfs_state *st = pyfs_state_of_module(module);
    pyfs_loc loc;
    int rc = arg_vol_loc(st, arg, &loc);
    if (rc == 0 && strcmp(loc.rest, "/") != 0) rc = -EINVAL;
    if (rc < 0) return raise_rc(rc);
    vb_pyfs_close_all(module);
    vb_vol *vol = st->vol;
    rc = st->format(st->format_ctx, &vol);
    if (rc < 0) return vb_raise_errno(rc);
    pyfs_mounts_set_volume(st, vol);
    strcpy(st->cwd, st->mount);
    Py_RETURN_NONE;
}

static PyMethodDef os_methods[] = {
    {"listdir", (PyCFunction)(void (*)(void))os_listdir, METH_FASTCALL, NULL},
    {"ilistdir", (PyCFunction)(void (*)(void))os_ilistdir, METH_FASTCALL, NULL},
    {"stat", os_stat, METH_O, NULL},
    {"statvfs", os_statvfs, METH_O, NULL},
    {"remove", os_remove, METH_O, NULL},
    {"rename", (PyCFunction)(void (*)(void))os_rename, METH_FASTCALL, NULL},
    {"mkdir", os_mkdir, METH_O, NULL},
    {"rmdir", os_rmdir, METH_O, NULL},
    {"getcwd", os_getcwd, METH_NOARGS, NULL},
    {"chdir", os_chdir, METH_O, NULL},
    {"sync", os_sync, METH_NOARGS, NULL},
    {"urandom", os_urandom, METH_O, NULL},
    {"uname", os_uname, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMethodDef format_methods[] = {
    {"fsformat", os_fsformat, METH_O, NULL},
    {"mkfs", os_fsformat, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static int os_traverse(PyObject *m, visitproc visit, void *arg)
{
    pyfs_state *st = pyfs_state_of_module(m);
    if (!st) return 0;
    Py_VISIT(st->bin_type);
    Py_VISIT(st->text_type);
    Py_VISIT(st->finder_type);
    Py_VISIT(st->fat_type);
    Py_VISIT(st->lfs2_type);
    Py_VISIT(st->board_vfs);
    Py_VISIT(st->uname);
    for (int i = 0; i < st->n_mounts; i++) Py_VISIT(st->mounts[i].obj);
    return 0;
}

static int os_clear(PyObject *m)
{
    pyfs_state *st = pyfs_state_of_module(m);
    if (!st) return 0;
    Py_CLEAR(st->bin_type);
    Py_CLEAR(st->text_type);
    Py_CLEAR(st->finder_type);
    Py_CLEAR(st->fat_type);
    Py_CLEAR(st->lfs2_type);
    Py_CLEAR(st->board_vfs);
    Py_CLEAR(st->uname);
    for (int i = 0; i < st->n_mounts; i++) Py_CLEAR(st->mounts[i].obj);
    return 0;
}

static void os_free(void *m)
{
    os_clear(m);
}

/* A module definition is static by CPython's design (PyModule_Create keeps
 * a pointer to it); nothing in it changes after the first use. */
static PyModuleDef os_def = {
    PyModuleDef_HEAD_INIT, "os", NULL, sizeof(pyfs_state), os_methods,
    NULL, os_traverse, os_clear, os_free,
};

static PyStructSequence_Field uname_fields[] = {
    {"sysname", NULL}, {"nodename", NULL}, {"release", NULL},
    {"version", NULL}, {"machine", NULL}, {NULL, NULL},
};

static PyStructSequence_Desc uname_desc = {"uname_result", NULL, uname_fields, 5};

static PyObject *make_uname(const vb_pyfs_uname *u)
{
    PyTypeObject *tp = PyStructSequence_NewType(&uname_desc);
    if (!tp) return NULL;
    PyObject *r = PyStructSequence_New(tp);
    Py_DECREF(tp);                     /* the instance holds the type */
    const char *v[5] = {u->sysname, u->nodename, u->release, u->version, u->machine};
    for (int i = 0; r && i < 5; i++) {
        PyObject *s = PyUnicode_FromString(v[i] ? v[i] : "");
        if (!s) { Py_CLEAR(r); break; }
        PyStructSequence_SetItem(r, i, s);
    }
    return r;
}

static int set_module(PyObject *modules, const char *name, PyObject *m)
{
    return PyDict_SetItemString(modules, name, m);
}

/* builtins.open and io.open become the board's open. */
static int replace_open(PyObject *module)
{
    PyObject *fn = pyfs_open_function(module);
    if (!fn) return -1;
    int rc = -1;
    PyObject *builtins = PyImport_ImportModule("builtins");
    PyObject *io = builtins ? PyImport_ImportModule("io") : NULL;
    if (io && PyObject_SetAttrString(builtins, "open", fn) == 0 &&
        PyObject_SetAttrString(io, "open", fn) == 0)
        rc = 0;
    Py_XDECREF(io);
    Py_XDECREF(builtins);
    Py_DECREF(fn);
    return rc;
}

/* The clock without a configured one: the board's epoch, 2000-01-01. */
static void board_epoch(void *ctx, int64_t *secs, uint32_t *nsec)
{
    (void)ctx;
    *secs = VB_CIVIL_EPOCH_UNIX_SECS;
    *nsec = 0;
}

PyObject *vb_pyfs_install(const vb_pyfs_config *cfg)
{
    if (!cfg || !cfg->mount_point || cfg->mount_point[0] != '/' ||
        strlen(cfg->mount_point) >= PYFS_MOUNT_MAX || !cfg->sys_path)
        return PyErr_Format(PyExc_ValueError, "vb_pyfs_install: bad configuration");
    PyObject *m = PyModule_Create(&os_def);
    if (!m) return NULL;
    pyfs_state *st = pyfs_state_of_module(m);
    memset(st, 0, sizeof *st);
    strcpy(st->mount, cfg->mount_point);
    strcpy(st->cwd, cfg->mount_point);
    st->format = cfg->format;
    st->format_ctx = cfg->format_ctx;
    st->clock = cfg->clock.now ? cfg->clock : (vb_vol_clock){NULL, board_epoch};
    pyfs_mounts_set_volume(st, cfg->vol);
    PyObject *modules = PySys_GetObject("modules");   /* borrowed */
    if (pyfs_file_types_init(m, st) < 0 || pyfs_native_types_init(m, st) < 0 ||
        !(st->uname = make_uname(&cfg->uname)) ||
        PyModule_AddStringConstant(m, "sep", "/") < 0 ||
        (cfg->format && PyModule_AddFunctions(m, format_methods) < 0) ||
        PyModule_AddFunctions(m, pyfs_vfs_methods) < 0 ||
        !modules || set_module(modules, "os", m) < 0 || set_module(modules, "uos", m) < 0 ||
        pyfs_vfs_module_init(m, st, modules) < 0 ||
        replace_open(m) < 0 || pyfs_import_init(m, st, cfg->sys_path) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

int vb_pyfs_read_file(PyObject *os_module, const char *path, char **data, size_t *len)
{
    pyfs_state *st = pyfs_state_of_module(os_module);
    pyfs_loc loc;
    int rc = pyfs_resolve(st, path, &loc);
    if (rc < 0 || loc.where != PYFS_IN_VFS) return rc < 0 ? rc : pyfs_read_file(st, path, data, len);
    /* through a mounted object: its exception becomes an errno */
    if (pyfs_load_source(st, path, data, len) == 0) return 0;
    rc = -EIO;
    if (PyErr_ExceptionMatches(PyExc_OSError)) {
        PyObject *et, *ev, *etb;
        PyErr_Fetch(&et, &ev, &etb);
        PyErr_NormalizeException(&et, &ev, &etb);
        /* OSError(n) as MicroPython code raises it: CPython leaves errno
         * None for one argument, so args[0] counts too */
        PyObject *e = ev ? PyObject_GetAttrString(ev, "errno") : NULL;
        if (e && !PyLong_Check(e)) {
            PyObject *args = PyObject_GetAttrString(ev, "args");
            Py_SETREF(e, args && PyTuple_Check(args) && PyTuple_GET_SIZE(args) > 0
                             ? Py_NewRef(PyTuple_GET_ITEM(args, 0)) : NULL);
            Py_XDECREF(args);
        }
        long n = e && PyLong_Check(e) ? PyLong_AsLong(e) : 0;
        if (n > 0 && n < 4096) rc = -vb_errno_from((int)n, vb_mptext_errnos()); /* the board's number: back to the host's */
        Py_XDECREF(e);
        Py_XDECREF(et);
        Py_XDECREF(ev);
        Py_XDECREF(etb);
    }
    PyErr_Clear();
    return rc;
}

int pyfs_read_file(pyfs_state *st, const char *path, char **data, size_t *len)
{
    char vpath[PYFS_PATH_MAX];
    int rc = pyfs_vol_path_of(st, path, vpath, sizeof vpath);
    if (rc < 0) return rc == -EPERM ? -ENOENT : rc;
    vb_vol_file f;
    if ((rc = vb_vol_open(st->vol, &f, vpath, "r")) < 0) return rc == -EISDIR ? -ENOENT : rc;
    int64_t size = vb_vol_size(&f);
    char *buf = size < 0 ? NULL : malloc((size_t)size + 1);
    size_t got = 0;
    if (!buf) rc = size < 0 ? (int)size : -ENOMEM;
    while (buf && got < (size_t)size) {
        ssize_t r = vb_vol_read(&f, buf + got, (size_t)size - got);
        if (r <= 0) { rc = r < 0 ? (int)r : -EIO; break; }
        got += (size_t)r;
    }
    vb_vol_close(&f);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return 0;
}
