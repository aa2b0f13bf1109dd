/* The `vfs` module of MicroPython v1.24 (extmod/modvfs.c): mount, umount,
 * VfsFat and VfsLfs2. Its mount and umount are the very objects os.mount
 * and os.umount are (one mount table, pyfs_vfs.c), and os keeps VfsFat and
 * VfsLfs2 as upstream's os still does. Built with the os module, whose
 * state everything here lives in. */
#include "pyfs_int.h"

int pyfs_vfs_module_init(PyObject *os_module, pyfs_state *st, PyObject *modules)
{
    static const char *const from_os[] = {"mount", "umount", NULL};
    PyObject *m = PyModule_New("vfs");
    int rc = m ? 0 : -1;
    for (size_t i = 0; rc == 0 && from_os[i]; i++) {
        PyObject *f = PyObject_GetAttrString(os_module, from_os[i]);
        rc = f ? PyModule_AddObjectRef(m, from_os[i], f) : -1;
        Py_XDECREF(f);
    }
    if (rc == 0)
        rc = PyModule_AddObjectRef(m, "VfsFat", st->fat_type) < 0 ||
             PyModule_AddObjectRef(m, "VfsLfs2", st->lfs2_type) < 0 ||
             PyModule_AddObjectRef(os_module, "VfsFat", st->fat_type) < 0 ||
             PyModule_AddObjectRef(os_module, "VfsLfs2", st->lfs2_type) < 0 ||
             PyDict_SetItemString(modules, "vfs", m) < 0 ? -1 : 0;
    Py_XDECREF(m);
    return rc;
}
