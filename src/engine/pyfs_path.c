/* Board path resolution: relative paths against the cwd, "." and ".."
 * folded, then looked up in the mount table the way MicroPython's
 * mp_vfs_lookup_path does: the volume or a Python VFS object, and the path
 * below its mount point. Unlike upstream, a relative path is always made
 * absolute first, so ".." can leave a mount and every VFS object gets
 * '/'-rooted paths. */
#include <errno.h>
#include <string.h>

#include "pyfs_int.h"

int pyfs_join(const char *cwd, const char *path, char *out, size_t len)
{
    char tmp[2 * PYFS_PATH_MAX + 2];
    size_t pl = strlen(path);
    if (pl >= PYFS_PATH_MAX) return -ENAMETOOLONG;
    if (path[0] == '/') {
        memcpy(tmp, path, pl + 1);
    } else {
        size_t cl = strlen(cwd);
        if (cl >= PYFS_PATH_MAX) return -ENAMETOOLONG;
        memcpy(tmp, cwd, cl);
        tmp[cl] = '/';
        memcpy(tmp + cl + 1, path, pl + 1);
    }
    /* Rebuild component by component; ".." never climbs above "/". */
    size_t o = 0;
    const char *p = tmp;
    while (*p) {
        while (*p == '/') p++;
        const char *s = p;
        while (*p && *p != '/') p++;
        size_t n = (size_t)(p - s);
        if (n == 0 || (n == 1 && s[0] == '.')) continue;
        if (n == 2 && s[0] == '.' && s[1] == '.') {
            while (o > 0 && out[o - 1] != '/') o--;
            if (o > 0) o--;            /* drop the '/' too */
            continue;
        }
        if (o + 1 + n + 1 > len) return -ENAMETOOLONG;
        out[o++] = '/';
        memcpy(out + o, s, n);
        o += n;
    }
    if (o == 0) {
        if (len < 2) return -ENAMETOOLONG;
        out[o++] = '/';
    }
    out[o] = '\0';
    return 0;
}

int pyfs_abspath(const pyfs_state *st, const char *path, char *out, size_t len)
{
    return pyfs_join(st->cwd, path, out, len);
}

void pyfs_locate(const pyfs_state *st, pyfs_loc *loc)
{
    const char *abs = loc->abs;
    for (int i = 0; i < st->n_mounts; i++) {
        const pyfs_mount *m = &st->mounts[i];
        size_t ml = strlen(m->point);
        const char *rest;
        if (ml == 1) {                 /* mounted at "/": the whole tree */
            rest = abs;
        } else if (strncmp(abs, m->point, ml) == 0 && (abs[ml] == '\0' || abs[ml] == '/')) {
            rest = abs[ml] ? abs + ml : "/";
        } else {
            continue;
        }
        loc->where = m->obj ? PYFS_IN_VFS : PYFS_IN_VOL;
        loc->mount = i;
        loc->vfs = m->obj;
        strcpy(loc->rest, rest);       /* shorter than abs, same buffer size */
        return;
    }
    loc->where = strcmp(abs, "/") == 0 ? PYFS_VROOT : PYFS_NOWHERE;
    loc->mount = -1;
    loc->vfs = NULL;
    loc->rest[0] = '\0';
}

int pyfs_resolve(const pyfs_state *st, const char *path, pyfs_loc *loc)
{
    int rc = pyfs_abspath(st, path, loc->abs, sizeof loc->abs);
    if (rc < 0) return rc;
    pyfs_locate(st, loc);
    return 0;
}

int pyfs_vol_err(const pyfs_loc *loc)
{
    switch (loc->where) {
    case PYFS_IN_VOL: return 0;
    case PYFS_VROOT: return -EPERM;
    default: return -ENODEV;
    }
}

int pyfs_vol_path_of(const pyfs_state *st, const char *path, char *out, size_t len)
{
    pyfs_loc loc;
    int rc = pyfs_resolve(st, path, &loc);
    if (rc == 0) rc = pyfs_vol_err(&loc);
    if (rc == 0 && strlen(loc.rest) + 1 > len) rc = -ENAMETOOLONG;
    if (rc == 0) strcpy(out, loc.rest);
    return rc;
}

PyObject *pyfs_path_bytes(PyObject *arg)
{
    PyObject *b;
    if (PyUnicode_Check(arg)) {
        /* surrogateescape: names listed from the volume round-trip */
        b = PyUnicode_AsEncodedString(arg, "utf-8", "surrogateescape");
    } else if (PyBytes_Check(arg)) {
        b = Py_NewRef(arg);
    } else {
        PyErr_Format(PyExc_TypeError, "can't convert '%s' object to str implicitly",
                     Py_TYPE(arg)->tp_name);
        return NULL;
    }
    if (b && memchr(PyBytes_AS_STRING(b), 0, (size_t)PyBytes_GET_SIZE(b))) {
        Py_DECREF(b);
        vb_raise_errno(EINVAL);
        return NULL;
    }
    return b;
}
