/* The device-side filesystem for Python code: a MicroPython-style `os`
 * module (also `uos`), `open` (builtins.open and io.open) returning vboard
 * file objects, and an import finder, all served from the board's
 * volume (FAT or littlefs, fs/vol.h; flash.md §4.6, repl.md §6.3) and from
 * Python VFS objects device
 * code mounts with os.mount / vfs.mount (as `mpremote mount` does; a soft
 * reset's fresh VM starts without them). The `vfs` module (MicroPython
 * v1.24's) adds VfsFat and VfsLfs2 over block devices written in Python. Device code never gets CPython's posix/io file
 * calls through these: every byte comes through src/fs/vol.h or through
 * the methods of device code's own objects.
 *
 * Errors are raised as OSError(errno) with one int argument and e.errno set
 * (repl.md §1.3), never a host path or a strerror text.
 *
 * Call vb_pyfs_install once, after Py_InitializeFromConfig and after the
 * allowed stdlib is imported (the install removes CPython's PathFinder from
 * sys.meta_path, so no module can be loaded from the host afterwards). */
#ifndef VB_ENGINE_PYFS_H
#define VB_ENGINE_PYFS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stddef.h>

#include "fs/vol.h"

/* os.uname() fields (the caller's firmware description). */
typedef struct vb_pyfs_uname {
    const char *sysname, *nodename, *release, *version, *machine;
} vb_pyfs_uname;

/* Format the board filesystem (os.fsformat / os.mkfs): unmount, mkfs and
 * remount the volume, which belongs to the caller. On success *vol is the
 * mounted volume (it may be a new address). 0, or a negative errno. Open
 * files are already closed when this is called. */
typedef int (*vb_pyfs_format_fn)(void *ctx, vb_vol **vol);

typedef struct vb_pyfs_config {
    vb_vol *vol;               /* the board volume, mounted; NULL: none yet
                                  (vb_pyfs_set_volume); must not move */
    const char *mount_point;   /* the port's: "/" or "/flash" */
    const char *const *sys_path; /* sys.path at boot, NULL-terminated (the port's) */
    vb_pyfs_uname uname;
    vb_pyfs_format_fn format;  /* non-NULL: os.fsformat and os.mkfs exist
                                  (Pycom); NULL: they do not */
    void *format_ctx;
    vb_vol_clock clock;        /* time stamps on the volumes device code
                                  mounts (vfs.VfsFat, vfs.VfsLfs2): the
                                  board RTC; .now NULL: 2000-01-01 */
} vb_pyfs_config;

/* Build the `os` module, put it in sys.modules as 'os' and 'uos' (and the
 * `vfs` module as 'vfs'), replace
 * builtins.open and io.open, put the board finder on sys.meta_path (and drop
 * PathFinder), and set sys.path to cfg->sys_path (esp32, rp2: '', '/lib';
 * Pycom: '', '/flash', '/flash/lib'). The cwd starts at the mount point.
 * Returns a new reference to the os module (the handle for the calls
 * below), or NULL with a Python exception set. */
PyObject *vb_pyfs_install(const vb_pyfs_config *cfg);

/* The board volume from now on (the VM mounts it after the zygote installed
 * the module): NULL when the board runs without one (a damaged esp32
 * filesystem), so that its mount point serves nothing (ENODEV), as on the
 * real board. Only before device code runs: files of the old volume must
 * be closed. */
void vb_pyfs_set_volume(PyObject *os_module, vb_vol *vol);

/* Close every file device code still has open (soft reset): their data is
 * written back and the objects report closed; the volume stays valid.
 * Files on volumes device code mounted (vfs.VfsLfs2...) close first, since
 * their block device may write into a board file. Returns how many were
 * closed, or a negative errno of the first failed close (the others are
 * still closed). No Python exception is left set. */
int vb_pyfs_close_all(PyObject *os_module);

/* Read a whole board file (path as device code would write it, relative to
 * the cwd) into malloc'd memory with a NUL after the data, for boot.py and
 * main.py. 0 with *data and *len set (free(*data) later), or a negative errno:
 * -ENOENT missing or a directory, -ENOMEM, -EIO. Below a VFS mount point
 * the object's open(path, 'rb').read() serves it; its OSError gives the
 * errno, any other exception -EIO. No Python exception is left set. */
int vb_pyfs_read_file(PyObject *os_module, const char *path, char **data, size_t *len);

/* compile(src, filename, mode) as the board does it: no SyntaxWarning or
 * DeprecationWarning printed (MicroPython never warns at compile time).
 * start is Py_file_input / Py_single_input / Py_eval_input. New reference,
 * or NULL with the SyntaxError set. */
PyObject *vb_pyfs_compile(const char *src, size_t len, const char *filename, int start);

#endif
