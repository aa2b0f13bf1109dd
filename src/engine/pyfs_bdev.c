/* A block device written in Python under FAT or littlefs, as MicroPython's
 * extmod/vfs_blockdev.c calls one: FAT transfers whole blocks with
 * readblocks(n, buf) / writeblocks(n, buf); littlefs reads and programs
 * parts of a block with readblocks(n, buf, off) / writeblocks(n, buf, off)
 * and erases with ioctl(6, n); both sync with ioctl(3, 0). A result of
 * None or True means done, False is EIO, a negative int is that errno and
 * a positive one EINVAL (littlefs would take it for a count).
 *
 * Device code is hostile: it never sees the drivers' memory. Each call gets
 * a bytearray of its own; a read is copied back only when that bytearray
 * still has the length asked for. A method that raises gives the driver
 * -EIO, and the exception is kept (the first one) for the caller of the
 * filesystem call to raise (pyfs_bdev_raise_kept); until then every
 * further call fails at once, so one Ctrl-C ends the whole operation.
 * The caller's own exception state is left as it was around each call. */
#include <errno.h>
#include <string.h>

#include "pyfs_int.h"

/* The pending exception into d->exc (if none is kept yet), then cleared. */
static void keep(pyfs_bdev *d)
{
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    if (v && tb) PyException_SetTraceback(v, tb);
    if (!d->exc && v) d->exc = Py_NewRef(v);
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
}

static int result_code(PyObject *r)
{
    if (r == Py_None || r == Py_True) return 0;
    if (r == Py_False || !PyLong_Check(r)) return r == Py_False ? -EIO : -EINVAL;
    int overflow;
    long v = PyLong_AsLongAndOverflow(r, &overflow);
    if (overflow > 0 || v > 0) return -EINVAL;
    if (overflow < 0 || v < -4095) return -EIO;
    return (int)v;
}

/* fn(*args) (args stolen): the result, or NULL with the exception kept. */
static PyObject *invoke(pyfs_bdev *d, PyObject *fn, PyObject *args)
{
    PyObject *r = NULL;
    if (args) {
        Py_INCREF(fn);                 /* the object may drop its methods meanwhile */
        r = PyObject_Call(fn, args, NULL);
        Py_DECREF(fn);
        Py_DECREF(args);
    }
    if (!r) keep(d);
    return r;
}

/* One readblocks/writeblocks call over len bytes at buf. */
static int transfer(pyfs_bdev *d, bool write, bool ext, uint32_t block, uint32_t off,
                    void *buf, size_t len)
{
    if (d->exc || !d->readblocks) return -EIO;
    if (write && (!d->writeblocks || d->readonly)) return -EROFS;
    if (len > PY_SSIZE_T_MAX) return -EIO;
    PyObject *et, *ev, *etb;
    PyErr_Fetch(&et, &ev, &etb);
    PyObject *ba = PyByteArray_FromStringAndSize(write ? buf : NULL, (Py_ssize_t)len);
    if (ba && !write && len) memset(PyByteArray_AS_STRING(ba), 0, len);
    PyObject *args = !ba ? NULL
                   : ext ? Py_BuildValue("(kOk)", (unsigned long)block, ba, (unsigned long)off)
                         : Py_BuildValue("(kO)", (unsigned long)block, ba);
    PyObject *r = invoke(d, write ? d->writeblocks : d->readblocks, args);
    int rc = r ? result_code(r) : -EIO;
    if (r && !write && rc == 0) {
        /* device code may have resized it: only an intact buffer counts */
        if (PyByteArray_GET_SIZE(ba) == (Py_ssize_t)len) memcpy(buf, PyByteArray_AS_STRING(ba), len);
        else rc = -EIO;
    }
    Py_XDECREF(r);
    Py_XDECREF(ba);
    PyErr_Restore(et, ev, etb);
    return rc;
}

/* ioctl(op, arg) under a filesystem call. need_int: the result must be an
 * int (upstream mp_obj_get_int: TypeError otherwise), else None is fine. */
static int fs_ioctl(pyfs_bdev *d, int op, uint32_t arg, bool need_int)
{
    if (d->exc || !d->ioctl) return -EIO;
    PyObject *et, *ev, *etb;
    PyErr_Fetch(&et, &ev, &etb);
    PyObject *r = invoke(d, d->ioctl, Py_BuildValue("(ik)", op, (unsigned long)arg));
    int rc = r ? result_code(r) : -EIO;
    if (r && need_int && !PyLong_Check(r)) {
        PyErr_Format(PyExc_TypeError, "can't convert %s to int", Py_TYPE(r)->tp_name);
        keep(d);
        rc = -EIO;
    }
    Py_XDECREF(r);
    PyErr_Restore(et, ev, etb);
    return rc;
}

/* ---- FAT's view: whole blocks ------------------------------------------ */

static bool blocks_in_range(const pyfs_bdev *d, uint32_t lba, uint32_t count)
{
    return lba < d->block_count && count <= d->block_count - lba;
}

static int fat_read(void *ctx, uint32_t lba, uint32_t count, void *buf)
{
    pyfs_bdev *d = ctx;
    if (!blocks_in_range(d, lba, count)) return -EIO;
    return transfer(d, false, false, lba, 0, buf, (size_t)count * d->block_size);
}

static int fat_write(void *ctx, uint32_t lba, uint32_t count, const void *buf)
{
    pyfs_bdev *d = ctx;
    if (!blocks_in_range(d, lba, count)) return -EIO;
    return transfer(d, true, false, lba, 0, (void *)buf, (size_t)count * d->block_size);
}

static int dev_sync(void *ctx) { return fs_ioctl(ctx, PYFS_IOCTL_SYNC, 0, false); }

/* ---- littlefs's view: parts of a block, erase by ioctl ------------------ */

static bool part_in_range(const pyfs_bdev *d, uint32_t block, uint32_t off, uint32_t size)
{
    return block < d->block_count && off <= d->block_size && size <= d->block_size - off;
}

static int lfs_read(void *ctx, uint32_t block, uint32_t off, void *buf, uint32_t size)
{
    pyfs_bdev *d = ctx;
    if (!part_in_range(d, block, off, size)) return -EIO;
    return transfer(d, false, true, block, off, buf, size);
}

static int lfs_prog(void *ctx, uint32_t block, uint32_t off, const void *buf, uint32_t size)
{
    pyfs_bdev *d = ctx;
    if (!part_in_range(d, block, off, size)) return -EIO;
    return transfer(d, true, true, block, off, (void *)buf, size);
}

static int lfs_erase(void *ctx, uint32_t block)
{
    pyfs_bdev *d = ctx;
    if (block >= d->block_count) return -EIO;
    if (!d->writeblocks || d->readonly) return -EROFS;
    return fs_ioctl(d, PYFS_IOCTL_BLOCK_ERASE, block, true);
}

/* ---- set-up ------------------------------------------------------------- */

int pyfs_bdev_init(pyfs_bdev *d, PyObject *obj)
{
    if (!(d->readblocks = PyObject_GetAttrString(obj, "readblocks"))) return -1;
    if (!(d->ioctl = PyObject_GetAttrString(obj, "ioctl"))) return -1;
    d->writeblocks = PyObject_GetAttrString(obj, "writeblocks");
    if (!d->writeblocks) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError)) return -1;
        PyErr_Clear();                 /* a read-only device */
    }
    return 0;
}

/* ioctl(op, arg) outside a filesystem call: 1 with *out for an int, 0 for
 * None, -1 with the exception (raised, not kept). */
static int ioctl_get(pyfs_bdev *d, int op, long arg, long *out)
{
    PyObject *r = PyObject_CallFunction(d->ioctl, "il", op, arg);
    if (!r) return -1;
    int got = 0;
    if (r != Py_None) {
        *out = PyLong_AsLong(r);
        got = *out == -1 && PyErr_Occurred() ? -1 : 1;
    }
    Py_DECREF(r);
    return got;
}

int pyfs_bdev_geometry(pyfs_bdev *d, bool lfs2)
{
    long size = 512, count = 0;
    /* littlefs's init passes 1, FatFs's disk_initialize 0 (upstream) */
    if (ioctl_get(d, PYFS_IOCTL_INIT, lfs2 ? 1 : 0, &count) < 0) return -1;
    int k = ioctl_get(d, PYFS_IOCTL_BLOCK_SIZE, 0, &size);
    if (k < 0) return -1;
    if (k == 0 && lfs2) {
        PyErr_SetString(PyExc_TypeError, "can't convert NoneType to int");
        return -1;
    }
    if ((k = ioctl_get(d, PYFS_IOCTL_BLOCK_COUNT, 0, &count)) <= 0) {
        if (k == 0) PyErr_SetString(PyExc_TypeError, "can't convert NoneType to int");
        return -1;
    }
    bool ok = lfs2 ? size >= 128 && size <= (long)PYFS_LFS2_BLOCK_MAX && count >= 2
                   : size >= 512 && size <= VB_FAT_MAX_SS && (size & (size - 1)) == 0 && count >= 1;
    if (!ok || (unsigned long)count > UINT32_MAX) {
        vb_raise_errno(EINVAL);
        return -1;
    }
    d->block_size = (uint32_t)size;
    d->block_count = (uint32_t)count;
    d->bd = (vb_blockdev){d, d->block_size, d->block_count, fat_read, fat_write, dev_sync};
    d->lfs = (vb_lfs2_dev){d, d->block_size, d->block_count, lfs_read, lfs_prog, lfs_erase, dev_sync};
    return 0;
}

bool pyfs_bdev_raise_kept(pyfs_bdev *d)
{
    PyObject *e = d->exc;
    if (!e) return false;
    d->exc = NULL;
    PyErr_Clear();                     /* the driver's errno yields to the device's exception */
    if (PyObject_TypeCheck(e, (PyTypeObject *)PyExc_Exception)) {
        vb_raise_errno(EIO);
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
        if (v) PyException_SetCause(v, Py_NewRef(e));
        PyErr_Restore(t, v, tb);
        Py_DECREF(e);
    } else {                           /* KeyboardInterrupt, SystemExit: as they are */
        PyErr_Restore(Py_NewRef((PyObject *)Py_TYPE(e)), e, PyException_GetTraceback(e));
    }
    return true;
}

int pyfs_bdev_probe_lfs2(PyObject *obj)
{
    static const char magic[] = "littlefs";
    PyObject *fn = PyObject_GetAttrString(obj, "readblocks");
    int found = 0;
    for (unsigned long block = 0; fn && block <= 1 && !found; block++) {
        /* the superblock's name tag is at byte 8 (flash.md §6); upstream
         * reads 44 bytes there, with the extended readblocks */
        PyObject *ba = PyByteArray_FromStringAndSize(NULL, 44);
        if (ba) memset(PyByteArray_AS_STRING(ba), 0, 44);
        PyObject *r = ba ? PyObject_CallFunction(fn, "kOi", block, ba, 8) : NULL;
        if (r && PyByteArray_GET_SIZE(ba) >= 8 && memcmp(PyByteArray_AS_STRING(ba), magic, 8) == 0)
            found = 1;
        Py_XDECREF(r);
        Py_XDECREF(ba);
        if (!r) break;
    }
    Py_XDECREF(fn);
    if (PyErr_Occurred()) {
        /* e.g. a device without the extended form: then it is FAT's */
        if (!PyErr_ExceptionMatches(PyExc_Exception)) return -1;
        PyErr_Clear();
    }
    return found;
}

int pyfs_bdev_traverse(pyfs_bdev *d, visitproc visit, void *arg)
{
    Py_VISIT(d->readblocks);
    Py_VISIT(d->writeblocks);
    Py_VISIT(d->ioctl);
    Py_VISIT(d->exc);
    return 0;
}

void pyfs_bdev_clear(pyfs_bdev *d)
{
    Py_CLEAR(d->readblocks);
    Py_CLEAR(d->writeblocks);
    Py_CLEAR(d->ioctl);
    Py_CLEAR(d->exc);
}
