/* Internals shared by the pyfs_*.c files: the os module's state, the mount
 * table and path resolution, OSError raising, the file type, Python VFS
 * objects and the import finder. */
#ifndef VB_ENGINE_PYFS_INT_H
#define VB_ENGINE_PYFS_INT_H

#include "pyfs.h"

#include <stdbool.h>

#define PYFS_PATH_MAX 512
#define PYFS_MOUNT_MAX 32
#define PYFS_MOUNTS 16        /* mount table entries, the board volume's included */

typedef struct pyfs_file pyfs_file;

/* One mount, as MicroPython's extmod/vfs.c keeps them: the first entry
 * whose point prefixes a path serves it, and an entry at "/" is kept last,
 * so anything mounted below it takes precedence. */
typedef struct pyfs_mount {
    char point[PYFS_PATH_MAX];    /* normalised absolute board path */
    PyObject *obj;                /* a Python VFS object (owned); NULL: the board volume */
} pyfs_mount;

/* Everything lives in the os module's state (PyModule_GetState): file
 * objects and the finder reach it through their
 * heap type's module, and the C API through the module handle. */
typedef struct pyfs_state {
    vb_vol *vol;                  /* the board volume, or NULL: none mounted */
    char mount[PYFS_MOUNT_MAX];   /* "/" or "/flash" */
    char cwd[PYFS_PATH_MAX];      /* absolute, normalised board path */
    vb_pyfs_format_fn format;
    void *format_ctx;
    PyObject *bin_type;           /* io.FileIO */
    PyObject *text_type;          /* io.TextIOWrapper */
    PyObject *finder_type;
    PyObject *uname;              /* the os.uname() result */
    pyfs_file *open_files;        /* registry of open files (not owned) */
    pyfs_mount mounts[PYFS_MOUNTS];
    int n_mounts;
} pyfs_state;

struct pyfs_file {
    PyObject_HEAD
    pyfs_state *st;               /* owner of the registry this is linked in */
    pyfs_file *prev, *next;       /* registry links while open */
    bool text;
    vb_vol_file f;
};

/* --- pyfs_path.c ------------------------------------------------------ */

/* Where an absolute board path lands. */
typedef enum pyfs_where {
    PYFS_IN_VOL,     /* on the board volume: its path is in `rest` */
    PYFS_IN_VFS,     /* under a Python VFS mount: its path is in `rest` */
    PYFS_VROOT,      /* "/" with nothing mounted on it: a virtual directory */
    PYFS_NOWHERE,    /* under no mount point */
} pyfs_where;

/* A resolved path. `vfs` is borrowed from the mount table: take a reference
 * before calling into Python, which may unmount it. */
typedef struct pyfs_loc {
    pyfs_where where;
    int mount;                    /* index in the mount table, or -1 */
    PyObject *vfs;                /* IN_VFS: the mounted object */
    char abs[PYFS_PATH_MAX];      /* normalised board path */
    char rest[PYFS_PATH_MAX];     /* the path below the mount point, '/'-rooted
                                     ("/" for the mount point itself), as
                                     MicroPython hands it to the VFS */
} pyfs_loc;

/* Join `path` to the cwd (when relative) and normalise: single '/', no "."
 * parts, ".." folded, no trailing '/'. 0 or -ENAMETOOLONG. */
int pyfs_abspath(const pyfs_state *st, const char *path, char *out, size_t len);
/* Classify loc->abs (already normalised) against the mount table. */
void pyfs_locate(const pyfs_state *st, pyfs_loc *loc);
/* pyfs_abspath + pyfs_locate. 0 or -ENAMETOOLONG. */
int pyfs_resolve(const pyfs_state *st, const char *path, pyfs_loc *loc);
/* The errno of a location that is not on the volume, as MicroPython's VFS
 * reports it: -ENODEV outside every mount point, -EPERM for the virtual root
 * (operations on it are refused); 0 for IN_VOL. IN_VFS callers must branch
 * before asking. */
int pyfs_vol_err(const pyfs_loc *loc);
/* Resolve a device path to a volume path in one step: 0, a pyfs_vol_err, or
 * -ENAMETOOLONG; a Python VFS path is -ENODEV here (not on the volume). */
int pyfs_vol_path_of(const pyfs_state *st, const char *path, char *out, size_t len);
/* A Python path argument (str or bytes) as UTF-8 bytes: new reference to a
 * bytes object, or NULL with TypeError/ValueError set. */
PyObject *pyfs_path_bytes(PyObject *arg);

/* --- pyfs_errno.c ----------------------------------------------------- */

/* Raise OSError(err) (one int argument, errno attribute set); err may be
 * negative. Always returns NULL. */
PyObject *pyfs_raise(int err);

/* --- pyfs_os.c / pyfs_file.c / pyfs_import.c -------------------------- */

pyfs_state *pyfs_state_of_module(PyObject *module);
/* The os module's state from an object of one of its heap types. */
pyfs_state *pyfs_state_of(PyObject *self);

/* Create io.FileIO and io.TextIOWrapper for `module` into st. 0 / -1. */
int pyfs_file_types_init(PyObject *module, pyfs_state *st);
/* The open() builtin bound to `module` (new reference). */
PyObject *pyfs_open_function(PyObject *module);
/* vb_pyfs_read_file on the state. */
int pyfs_read_file(pyfs_state *st, const char *path, char **data, size_t *len);
/* Close one registered file; negative errno from the volume, else 0. */
int pyfs_file_close_raw(pyfs_file *pf);

/* Create the finder type, put an instance on sys.meta_path, drop
 * PathFinder, set sys.path. 0 / -1. */
int pyfs_import_init(PyObject *module, pyfs_state *st, const char *const *sys_path);

/* --- pyfs_vfs.c: Python VFS objects (os.mount) --------------------------- */

/* os.mount and os.umount, added to the os module. */
extern PyMethodDef pyfs_vfs_methods[];
/* The board volume's mount-table entry at st->mount while st->vol is set,
 * none otherwise; Python mounts are kept. */
void pyfs_mounts_set_volume(pyfs_state *st, vb_vol *vol);
/* loc->rest as the VFS gets it: str, or bytes when the caller passed bytes
 * (as MicroPython). New reference or NULL. */
PyObject *pyfs_vfs_path(const pyfs_loc *loc, bool as_bytes);
/* vfs.name([a[, b]]) (a and b may be NULL), with vfs held while it runs.
 * New reference or NULL. */
PyObject *pyfs_call_vfs(PyObject *vfs, const char *name, PyObject *a, PyObject *b);
/* loc->vfs.name(loc's path[, extra]). New reference or NULL. */
PyObject *pyfs_vfs_call(const pyfs_loc *loc, const char *name, bool as_bytes, PyObject *extra);
/* The listing of "/": each mount point as a directory, in table order, and
 * the entries of whatever is mounted at "/" where it stands (as MicroPython).
 * vol_root lists the volume's root (it appends to the list; 0 or -1). */
PyObject *pyfs_root_listing(pyfs_state *st, bool as_bytes,
                            int (*vol_root)(pyfs_state *st, PyObject *list, bool as_bytes));
/* What a path is, for the import finder: 1 directory, 0 file, -1 absent
 * (a VFS stat that raises counts as absent, as upstream), -2 with a Python
 * exception to pass on (KeyboardInterrupt). */
int pyfs_kind(pyfs_state *st, const char *path);
/* A whole source file into malloc'd memory with a NUL after it, from the
 * volume or through a VFS object's open(path, 'rb').read(). 0, or -1 with a
 * Python exception set. */
int pyfs_load_source(pyfs_state *st, const char *path, char **data, size_t *len);

#endif
