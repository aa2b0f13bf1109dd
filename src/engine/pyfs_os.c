/* The MicroPython-style `os` module over the board volume (flash.md §4.6,
 * repl.md §6.3), and vb_pyfs_install which wires everything in. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "pyfs_int.h"

#define S_IFDIR_MP 0x4000
#define S_IFREG_MP 0x8000
#define MP_EPOCH_UNIX 946684800      /* 2000-01-01: MicroPython's time base */
#define VROOT_NAMEMAX 128            /* esp32 MICROPY_ALLOC_PATH_MAX */

pyfs_state *pyfs_state_of_module(PyObject *module)
{
    return PyModule_GetState(module);
}

pyfs_state *pyfs_state_of(PyObject *self)
{
    return PyType_GetModuleState(Py_TYPE(self));
}

/* Resolve a Python path argument: 0 with the FAT path in `fat`, or a
 * negative errno (-EPERM: the virtual root), or -1000 with an exception. */
#define PATH_PYERR (-1000)
static int arg_fat_path(pyfs_state *st, PyObject *arg, char *fat, size_t len)
{
    PyObject *b = pyfs_path_bytes(arg);
    if (!b) return PATH_PYERR;
    int rc = pyfs_fat_path(st, PyBytes_AS_STRING(b), fat, len);
    Py_DECREF(b);
    return rc;
}

static PyObject *raise_rc(int rc)
{
    return rc == PATH_PYERR ? NULL : pyfs_raise(rc);
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

/* Entries of a directory as ilistdir tuples; names as str, or as bytes when
 * the argument was bytes (as MicroPython). */
static PyObject *list_entries(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    pyfs_state *st = pyfs_state_of_module(module);
    PyObject *arg = nargs > 0 ? args[0] : NULL;
    if (nargs > 1) return PyErr_Format(PyExc_TypeError, "function takes at most 1 argument");
    bool as_bytes = arg && PyBytes_Check(arg);
    char fat[PYFS_PATH_MAX];
    int rc = arg ? arg_fat_path(st, arg, fat, sizeof fat)
                 : pyfs_fat_path(st, ".", fat, sizeof fat);
    PyObject *list = PyList_New(0);
    if (!list) return NULL;
    if (rc == -EPERM) {                /* the virtual root: the mount point */
        PyObject *e = Py_BuildValue(as_bytes ? "(yii)" : "(sii)", st->mount + 1, S_IFDIR_MP, 0);
        if (!e || PyList_Append(list, e) < 0) Py_CLEAR(list);
        Py_XDECREF(e);
        return list;
    }
    vb_fat_dir d;
    if (rc == 0) rc = vb_fat_opendir(st->fs, &d, fat);
    if (rc < 0) {
        Py_DECREF(list);
        return raise_rc(rc);
    }
    vb_fat_info info;
    while ((rc = vb_fat_readdir(&d, &info)) == 1) {
        size_t nl = strlen(info.name);
        PyObject *name = as_bytes ? PyBytes_FromStringAndSize(info.name, (Py_ssize_t)nl)
                                  : PyUnicode_DecodeUTF8(info.name, (Py_ssize_t)nl, "surrogateescape");
        PyObject *e = name ? Py_BuildValue("(NiiI)", name, info.is_dir ? S_IFDIR_MP : S_IFREG_MP,
                                           0, info.size)
                           : NULL;
        if (!e || PyList_Append(list, e) < 0) {
            Py_XDECREF(e);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(e);
    }
    if (rc < 0) {
        Py_DECREF(list);
        return pyfs_raise(rc);
    }
    return list;
}

static PyObject *os_ilistdir(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    /* Collected up front: an iterator over a directory that the loop body
     * modifies would otherwise see a changing on-disk order. */
    PyObject *list = list_entries(module, args, nargs);
    if (!list) return NULL;
    PyObject *it = PyObject_GetIter(list);
    Py_DECREF(list);
    return it;
}

static PyObject *os_listdir(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *list = list_entries(module, args, nargs);
    for (Py_ssize_t i = 0; list && i < PyList_GET_SIZE(list); i++) {
        PyObject *name = Py_NewRef(PyTuple_GET_ITEM(PyList_GET_ITEM(list, i), 0));
        PyList_SetItem(list, i, name);   /* steals name, drops the tuple */
    }
    return list;
}

static PyObject *os_stat(PyObject *module, PyObject *arg)
{
    pyfs_state *st = pyfs_state_of_module(module);
    char fat[PYFS_PATH_MAX];
    int rc = arg_fat_path(st, arg, fat, sizeof fat);
    long long v[10] = {0};
    if (rc == -EPERM) {                /* virtual root */
        v[0] = S_IFDIR_MP;
        return int_tuple(v, 10);
    }
    vb_fat_info info;
    if (rc == 0) rc = vb_fat_stat(st->fs, fat, &info);
    if (rc < 0) return raise_rc(rc);
    bool root = strcmp(fat, "/") == 0;
    long long mtime = root ? 0 : vb_fat_dos_to_unix(info.wdate, info.wtime) - MP_EPOCH_UNIX;
    v[0] = info.is_dir ? S_IFDIR_MP : S_IFREG_MP;
    v[6] = info.size;
    v[7] = v[8] = v[9] = mtime;
    return int_tuple(v, 10);
}

static PyObject *os_statvfs(PyObject *module, PyObject *arg)
{
    pyfs_state *st = pyfs_state_of_module(module);
    char fat[PYFS_PATH_MAX];
    int rc = arg_fat_path(st, arg, fat, sizeof fat);
    long long v[10] = {0};
    if (rc == -EPERM) {                /* nothing mounted at "/" itself */
        v[9] = VROOT_NAMEMAX;
        return int_tuple(v, 10);
    }
    vb_fat_usage u;
    if (rc == 0) rc = vb_fat_statvfs(st->fs, &u);
    if (rc < 0) return raise_rc(rc);
    long long t[10] = {u.cluster_bytes, u.cluster_bytes, u.n_clusters, u.free_clusters,
                       u.free_clusters, 0, 0, 0, 0, 255};
    return int_tuple(t, 10);
}

/* The one-path operations differ only in the FAT call. */
static PyObject *path_op(PyObject *module, PyObject *arg, int (*op)(vb_fat *, const char *))
{
    pyfs_state *st = pyfs_state_of_module(module);
    char fat[PYFS_PATH_MAX];
    int rc = arg_fat_path(st, arg, fat, sizeof fat);
    if (rc == 0) rc = op(st->fs, fat);
    if (rc < 0) return raise_rc(rc);
    Py_RETURN_NONE;
}

static PyObject *os_remove(PyObject *m, PyObject *a) { return path_op(m, a, vb_fat_remove); }
static PyObject *os_mkdir(PyObject *m, PyObject *a) { return path_op(m, a, vb_fat_mkdir); }
static PyObject *os_rmdir(PyObject *m, PyObject *a) { return path_op(m, a, vb_fat_rmdir); }

static PyObject *os_rename(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) return PyErr_Format(PyExc_TypeError, "function takes 2 positional arguments");
    pyfs_state *st = pyfs_state_of_module(module);
    char from[PYFS_PATH_MAX], to[PYFS_PATH_MAX];
    int rc = arg_fat_path(st, args[0], from, sizeof from);
    if (rc == 0) rc = arg_fat_path(st, args[1], to, sizeof to);
    if (rc == 0) rc = vb_fat_rename(st->fs, from, to);
    if (rc < 0) return raise_rc(rc);
    Py_RETURN_NONE;
}

static PyObject *os_getcwd(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    pyfs_state *st = pyfs_state_of_module(module);
    return PyUnicode_DecodeUTF8(st->cwd, (Py_ssize_t)strlen(st->cwd), "surrogateescape");
}

static PyObject *os_chdir(PyObject *module, PyObject *arg)
{
    pyfs_state *st = pyfs_state_of_module(module);
    PyObject *b = pyfs_path_bytes(arg);
    if (!b) return NULL;
    char abs[PYFS_PATH_MAX], fat[PYFS_PATH_MAX];
    int rc = pyfs_abspath(st, PyBytes_AS_STRING(b), abs, sizeof abs);
    Py_DECREF(b);
    if (rc < 0) return pyfs_raise(rc);
    switch (pyfs_locate(st, abs, fat, sizeof fat)) {
    case PYFS_VROOT: break;
    case PYFS_NOWHERE: return pyfs_raise(ENODEV);
    case PYFS_IN_FAT: {
        vb_fat_info info;
        rc = vb_fat_stat(st->fs, fat, &info);
        if (rc == 0 && !info.is_dir) rc = -ENOENT;   /* FatFs: no path */
        if (rc < 0) return pyfs_raise(rc);
        break;
    }
    }
    strcpy(st->cwd, abs);
    Py_RETURN_NONE;
}

static PyObject *os_sync(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    pyfs_state *st = pyfs_state_of_module(module);
    int rc = 0;
    for (pyfs_file *pf = st->open_files; pf; pf = pf->next) {
        int r = pf->f.writable ? vb_fat_flush(&pf->f) : 0;
        if (r < 0 && rc == 0) rc = r;
    }
    int r = vb_fat_sync(st->fs);
    if (rc == 0) rc = r;
    if (rc < 0) return pyfs_raise(rc);
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
        if (r < 0) { Py_DECREF(b); return pyfs_raise(errno); }
        got += r;
    }
    return b;
}

static PyObject *os_uname(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    return Py_NewRef(pyfs_state_of_module(module)->uname);
}

int vb_pyfs_close_all(PyObject *os_module)
{
    pyfs_state *st = pyfs_state_of_module(os_module);
    int n = 0, err = 0;
    while (st->open_files) {
        int r = pyfs_file_close_raw(st->open_files);
        if (r < 0 && err == 0) err = r;
        n++;
    }
    return err ? err : n;
}

/* os.fsformat(path) / os.mkfs(path) (Pycom): the caller's block device is
 * reformatted and remounted; the path must name the mount point. */
static PyObject *os_fsformat(PyObject *module, PyObject *arg)
{
    pyfs_state *st = pyfs_state_of_module(module);
    char fat[PYFS_PATH_MAX];
    int rc = arg_fat_path(st, arg, fat, sizeof fat);
    if (rc == 0 && strcmp(fat, "/") != 0) rc = -EINVAL;
    if (rc < 0) return raise_rc(rc);
    vb_pyfs_close_all(module);
    vb_fat *fs = st->fs;
    rc = st->format(st->format_ctx, &fs);
    if (rc < 0) return pyfs_raise(rc);
    st->fs = fs;
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
    Py_VISIT(st->uname);
    return 0;
}

static int os_clear(PyObject *m)
{
    pyfs_state *st = pyfs_state_of_module(m);
    if (!st) return 0;
    Py_CLEAR(st->bin_type);
    Py_CLEAR(st->text_type);
    Py_CLEAR(st->finder_type);
    Py_CLEAR(st->uname);
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

PyObject *vb_pyfs_install(const vb_pyfs_config *cfg)
{
    if (!cfg || !cfg->fs || !cfg->mount_point || cfg->mount_point[0] != '/' ||
        strlen(cfg->mount_point) >= PYFS_MOUNT_MAX)
        return PyErr_Format(PyExc_ValueError, "vb_pyfs_install: bad configuration");
    PyObject *m = PyModule_Create(&os_def);
    if (!m) return NULL;
    pyfs_state *st = pyfs_state_of_module(m);
    memset(st, 0, sizeof *st);
    st->fs = cfg->fs;
    strcpy(st->mount, cfg->mount_point);
    strcpy(st->cwd, cfg->mount_point);
    st->format = cfg->format;
    st->format_ctx = cfg->format_ctx;
    PyObject *modules = PySys_GetObject("modules");   /* borrowed */
    if (pyfs_file_types_init(m, st) < 0 || !(st->uname = make_uname(&cfg->uname)) ||
        PyModule_AddStringConstant(m, "sep", "/") < 0 ||
        (cfg->format && PyModule_AddFunctions(m, format_methods) < 0) ||
        !modules || set_module(modules, "os", m) < 0 || set_module(modules, "uos", m) < 0 ||
        replace_open(m) < 0 || pyfs_import_init(m, st) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

int vb_pyfs_read_file(PyObject *os_module, const char *path, char **data, size_t *len)
{
    return pyfs_read_file(pyfs_state_of_module(os_module), path, data, len);
}

int pyfs_read_file(pyfs_state *st, const char *path, char **data, size_t *len)
{
    char fat[PYFS_PATH_MAX];
    int rc = pyfs_fat_path(st, path, fat, sizeof fat);
    if (rc < 0) return rc == -EPERM ? -ENOENT : rc;
    vb_fat_file f;
    memset(&f, 0, sizeof f);
    if ((rc = vb_fat_open(st->fs, &f, fat, "r")) < 0) return rc;
    char *buf = malloc((size_t)f.size + 1);
    size_t got = 0;
    if (!buf) rc = -ENOMEM;
    while (buf && got < f.size) {
        ssize_t r = vb_fat_read(&f, buf + got, f.size - got);
        if (r <= 0) { rc = r < 0 ? (int)r : -EIO; break; }
        got += (size_t)r;
    }
    vb_fat_close(&f);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return 0;
}
