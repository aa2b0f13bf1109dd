/* Internals shared by the pyfs_*.c files: the os module's state, path
 * resolution, OSError raising, the file type and the import finder. */
#ifndef VB_ENGINE_PYFS_INT_H
#define VB_ENGINE_PYFS_INT_H

#include "pyfs.h"

#include <stdbool.h>

#define PYFS_PATH_MAX 512
#define PYFS_MOUNT_MAX 32

typedef struct pyfs_file pyfs_file;

/* Everything lives in the os module's state (PyModule_GetState): file
 * objects and the finder reach it through their
 * heap type's module, and the C API through the module handle. */
typedef struct pyfs_state {
    vb_fat *fs;
    char mount[PYFS_MOUNT_MAX];   /* "/" or "/flash" */
    char cwd[PYFS_PATH_MAX];      /* absolute, normalised board path */
    vb_pyfs_format_fn format;
    void *format_ctx;
    PyObject *bin_type;           /* io.FileIO */
    PyObject *text_type;          /* io.TextIOWrapper */
    PyObject *finder_type;
    PyObject *uname;              /* the os.uname() result */
    pyfs_file *open_files;        /* registry of open files (not owned) */
} pyfs_state;

struct pyfs_file {
    PyObject_HEAD
    pyfs_state *st;               /* owner of the registry this is linked in */
    pyfs_file *prev, *next;       /* registry links while open */
    bool text;
    vb_fat_file f;
};

/* --- pyfs_path.c ------------------------------------------------------ */

/* Where an absolute board path lands. */
typedef enum pyfs_where {
    PYFS_IN_FAT,     /* on the volume: the FAT path is in `fat` */
    PYFS_VROOT,      /* "/" above a "/flash" mount: a virtual directory */
    PYFS_NOWHERE,    /* under no mount point */
} pyfs_where;

/* Join `path` to the cwd (when relative) and normalise: single '/', no "."
 * parts, ".." folded, no trailing '/'. 0 or -ENAMETOOLONG. */
int pyfs_abspath(const pyfs_state *st, const char *path, char *out, size_t len);
/* Classify an absolute board path; `fat` gets the volume path for IN_FAT. */
pyfs_where pyfs_locate(const pyfs_state *st, const char *abs, char *fat, size_t len);
/* Resolve a device path to a FAT path in one step. 0, or a negative errno
 * as MicroPython's VFS reports it: -ENODEV outside every mount point,
 * -EPERM for the virtual root (operations on it are refused). */
int pyfs_fat_path(const pyfs_state *st, const char *path, char *fat, size_t len);
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
/* Close one registered file; negative errno from the FAT layer, else 0. */
int pyfs_file_close_raw(pyfs_file *pf);

/* Create the finder type, put an instance on sys.meta_path, drop
 * PathFinder, set sys.path. 0 / -1. */
int pyfs_import_init(PyObject *module, pyfs_state *st);

#endif
