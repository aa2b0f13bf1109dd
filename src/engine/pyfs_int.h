/* Internals shared by the pyfs_*.c files: the os module's state, the mount
 * table and path resolution, OSError raising, the file type, Python VFS
 * objects, the vfs module's VfsFat/VfsLfs2 over Python block devices and
 * the import finder. */
#ifndef VB_ENGINE_PYFS_INT_H
#define VB_ENGINE_PYFS_INT_H

#include "pyfs.h"
#include "engine/mptext.h"

#include <stdbool.h>
#include <stdint.h>

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
    vb_vol_clock clock;           /* stamps on VfsFat/VfsLfs2 volumes */
    PyObject *bin_type;           /* io.FileIO */
    PyObject *text_type;          /* io.TextIOWrapper */
    PyObject *finder_type;
    PyObject *fat_type;           /* vfs.VfsFat */
    PyObject *lfs2_type;          /* vfs.VfsLfs2 */
    PyObject *board_vfs;          /* what vfs.mount() shows for the board
                                     volume (pyfs_native_board), or NULL */
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
    PyObject *owner;              /* the VfsFat/VfsLfs2 whose volume f is on
                                     (owned: keeps that volume alive), or
                                     NULL: the board volume */
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

/* Join `path` to `cwd` (an absolute path; used when `path` is relative) and
 * normalise: single '/', no "." parts, ".." folded (never above "/"), no
 * trailing '/'. 0 or -ENAMETOOLONG. */
int pyfs_join(const char *cwd, const char *path, char *out, size_t len);
/* pyfs_join against the board cwd. */
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

/* OSError: vb_raise_errno (engine/mptext.h), the engine's one helper. */

/* --- pyfs_os.c / pyfs_file.c / pyfs_import.c -------------------------- */

pyfs_state *pyfs_state_of_module(PyObject *module);
/* The os module's state from an object of one of its heap types. */
pyfs_state *pyfs_state_of(PyObject *self);

/* What os.* answers on a volume, for the board's and for VfsFat/VfsLfs2
 * alike: the entries of a directory appended to `list` as ilistdir tuples
 * (name, type, 0, size) with names as str, or bytes (0 / -1); the os.stat
 * and os.statvfs 10-tuples (new reference or NULL). Errors are
 * OSError(errno). */
int pyfs_vol_listing(vb_vol *v, const char *path, PyObject *list, bool as_bytes);
PyObject *pyfs_vol_stat(vb_vol *v, const char *path);
PyObject *pyfs_vol_statvfs(vb_vol *v);

/* Create io.FileIO and io.TextIOWrapper for `module` into st. 0 / -1. */
int pyfs_file_types_init(PyObject *module, pyfs_state *st);
/* The open() builtin bound to `module` (new reference). */
PyObject *pyfs_open_function(PyObject *module);
/* open(path, mode) on volume v, whose VfsFat/VfsLfs2 is `owner` (NULL: the
 * board volume): a registered io.FileIO / io.TextIOWrapper, or NULL with
 * OSError(errno). Inside pyfs_vol_enter/leave of owner. */
PyObject *pyfs_file_open(pyfs_state *st, vb_vol *v, PyObject *owner, const char *path,
                         const char *mode);
/* vb_pyfs_read_file on the state. */
int pyfs_read_file(pyfs_state *st, const char *path, char **data, size_t *len);
/* Close one registered file; negative errno from the volume, else 0. A
 * file of a VfsFat/VfsLfs2 must be inside pyfs_vol_enter/leave. */
int pyfs_file_close_raw(pyfs_file *pf);
/* Which open files pyfs_open_files takes. */
typedef enum pyfs_which {
    PYFS_FILES_ALL,
    PYFS_FILES_BOARD,             /* on the board volume */
    PYFS_FILES_MOUNTED,           /* on any VfsFat/VfsLfs2 */
    PYFS_FILES_OF,                /* on one VfsFat/VfsLfs2 */
} pyfs_which;
/* A list of the open files (new references), so that closing or flushing
 * them may run device code, which may open and close files, without
 * walking a changing registry. `owner` for PYFS_FILES_OF. NULL on
 * MemoryError. */
PyObject *pyfs_open_files(pyfs_state *st, pyfs_which which, PyObject *owner);

/* Create the finder type, put an instance on sys.meta_path, drop
 * PathFinder, set sys.path. 0 / -1. */
int pyfs_import_init(PyObject *module, pyfs_state *st, const char *const *sys_path);

/* --- pyfs_vfs.c: Python VFS objects (os.mount) --------------------------- */

/* os.mount and os.umount (vfs.mount and vfs.umount are the same objects),
 * added to the os module. */
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

/* --- pyfs_bdev.c: a Python block device under a filesystem --------------- */

/* The ioctl operations (MicroPython's extmod/vfs.h MP_BLOCKDEV_IOCTL_*). */
#define PYFS_IOCTL_INIT 1
#define PYFS_IOCTL_DEINIT 2
#define PYFS_IOCTL_SYNC 3
#define PYFS_IOCTL_BLOCK_COUNT 4
#define PYFS_IOCTL_BLOCK_SIZE 5
#define PYFS_IOCTL_BLOCK_ERASE 6

/* Largest littlefs block a device may declare (its caches are malloc'd). */
#define PYFS_LFS2_BLOCK_MAX (1u << 20)

/* A Python object with readblocks / writeblocks / ioctl, seen by FAT as a
 * vb_blockdev (whole blocks: readblocks(n, buf), writeblocks(n, buf)) and
 * by littlefs as a vb_lfs2_dev (readblocks(n, buf, off), writeblocks(n,
 * buf, off), ioctl(6, n) to erase). Both views sync with ioctl(3, 0).
 * Must not move once pyfs_bdev_geometry filled the views. */
typedef struct pyfs_bdev {
    PyObject *readblocks, *ioctl; /* bound methods (owned); NULL after clear */
    PyObject *writeblocks;        /* NULL: a read-only device (upstream) */
    PyObject *exc;                /* the first exception a method raised since
                                     the last take (owned), or NULL */
    bool readonly;                /* mounted readonly=True: writes are EROFS */
    uint32_t block_size, block_count;
    vb_blockdev bd;               /* FAT's view */
    vb_lfs2_dev lfs;              /* littlefs's view */
} pyfs_bdev;

/* Bind obj's methods (readblocks and ioctl are required: AttributeError).
 * d zeroed by the caller. 0 / -1 with the exception. */
int pyfs_bdev_init(pyfs_bdev *d, PyObject *obj);
/* ioctl(INIT), then the geometry from ioctl(BLOCK_SIZE) (None: 512 for
 * FAT, as FatFs's diskio) and ioctl(BLOCK_COUNT), checked for the driver
 * (`lfs2` or FAT); fills both views. Exceptions go to the caller as they
 * are (these calls are not under a filesystem). 0 / -1. */
int pyfs_bdev_geometry(pyfs_bdev *d, bool lfs2);
/* Raise the exception a device method raised under the last filesystem
 * call, if any, in place of whatever the driver reported: an Exception
 * becomes OSError(EIO) with it as __cause__; anything else
 * (KeyboardInterrupt, SystemExit) goes on as it is. True if one was
 * raised (then the caller's result must be dropped). */
bool pyfs_bdev_raise_kept(pyfs_bdev *d);
/* Does block 0 or 1 hold "littlefs" at byte 8 (extmod/vfs.c's autodetect,
 * with the extended readblocks)? 1 yes, 0 no (an Exception from the device
 * counts as no, as upstream), -1 with a KeyboardInterrupt-like exception. */
int pyfs_bdev_probe_lfs2(PyObject *obj);
int pyfs_bdev_traverse(pyfs_bdev *d, visitproc visit, void *arg);
void pyfs_bdev_clear(pyfs_bdev *d);

/* --- pyfs_native.c: vfs.VfsFat and vfs.VfsLfs2 ------------------------------ */

/* Create st->fat_type and st->lfs2_type for `module` (the os module). 0 / -1. */
int pyfs_native_types_init(PyObject *module, pyfs_state *st);
/* VfsLfs2(bdev) (defaults) or VfsFat(bdev): vfs.mount's autodetect. New
 * reference, or NULL with the exception. */
PyObject *pyfs_native_detect(pyfs_state *st, PyObject *bdev);
/* The VfsLfs2 or VfsFat (by the driver) bound to the board volume, for
 * vfs.mount()'s list (kept in st->board_vfs). New reference, or NULL. */
PyObject *pyfs_native_board(pyfs_state *st);
/* Every call into the volume of a VfsFat/VfsLfs2 `owner` is bracketed by
 * these (owner NULL, the board volume: nothing to do). The volume's block
 * device is Python code, which may call back into the same filesystem
 * while the driver is midway: such a call is refused with OSError(EBUSY)
 * instead of re-entering the driver. enter: 0, or -1 with EBUSY set.
 * leave: true if it raised the exception the device raised meanwhile
 * (pyfs_bdev_raise_kept): the caller drops its own result. */
int pyfs_vol_enter(PyObject *owner);
bool pyfs_vol_leave(PyObject *owner);
/* Is a call into owner's volume in progress? (false for NULL) */
bool pyfs_vol_busy(PyObject *owner);
/* A file of owner's volume lost its last reference while the volume was
 * busy: keep it (one new reference) until the call in progress ends, then
 * close it. 0 / -1 (MemoryError). */
int pyfs_vol_defer_close(PyObject *owner, PyObject *file);

/* --- pyfs_vfsmod.c: the vfs module ---------------------------------------- */

/* Build `vfs` (mount, umount, VfsFat, VfsLfs2) over the os module and put
 * it in `modules`; os gets VfsFat and VfsLfs2 too, as upstream's. 0 / -1. */
int pyfs_vfs_module_init(PyObject *os_module, pyfs_state *st, PyObject *modules);

#endif
