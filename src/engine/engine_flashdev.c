/* A window of the board's own flash as a MicroPython block device (issue
 * 12 §3): the block protocol of extmod/vfs.h that esp32.Partition and
 * rp2.Flash share, so VfsLfs2/VfsFat (or any Python code) can use them.
 *
 *   readblocks(block_num, buf[, offset])   read len(buf) bytes at
 *       block_num * block_size (+ offset)
 *   writeblocks(block_num, buf)            erase what buf covers, then
 *       program it (the simple interface: whole erase blocks)
 *   writeblocks(block_num, buf, offset)    program only (littlefs's
 *       extended interface: it erased with ioctl 6 before)
 *   ioctl(op, arg)   1 init, 2 deinit, 3 sync → 0; 4 block count; 5 block
 *       size; 6 erase block arg (4096 bytes) → 0; anything else None
 *
 * Every access is checked against the window with ESP-IDF's
 * esp_partition_* rules (starts past the end or off a 4 KiB boundary for
 * an erase: bad offset; runs past the end or not whole 4 KiB blocks for an
 * erase: bad size) and then reaches the chip only through hal->flash_*,
 * which checks the chip's bounds again and applies the flash model (NOR
 * rules, numbered ops, power cuts). Which exception a refused access
 * raises is the port's (vb_flashdev_obj.fail). */
#include "engine_int.h"

#include <errno.h>

static const vb_hal *hal(void) { return vb_engine_g.hal; }

/* ---- the window ------------------------------------------------------------ */

/* 0, or the fault of an access of n bytes at off (window-relative). */
static int window_check(const vb_flashdev_obj *d, int64_t off, size_t n)
{
    if (off < 0 || off > (int64_t)d->size) return VB_FLASHDEV_BAD_OFFSET;
    if (n > d->size - (uint64_t)off) return VB_FLASHDEV_BAD_SIZE;
    return 0;
}

static int window_read(const vb_flashdev_obj *d, int64_t off, void *buf, size_t n)
{
    int rc = window_check(d, off, n);
    if (rc) return rc;
    if (!hal()->flash_read) return -ENODEV;
    return hal()->flash_read(hal()->ctx, d->base + (uint32_t)off, buf, n);
}

static int window_program(const vb_flashdev_obj *d, int64_t off, const void *buf, size_t n)
{
    int rc = window_check(d, off, n);
    if (rc) return rc;
    if (!hal()->flash_program) return -ENODEV;
    return hal()->flash_program(hal()->ctx, d->base + (uint32_t)off, buf, n);
}

/* esp_partition_erase_range's order: the range, then whole blocks. */
static int window_erase(const vb_flashdev_obj *d, int64_t off, size_t n)
{
    int rc = window_check(d, off, n);
    if (rc) return rc;
    if (n % VB_FLASHDEV_ERASE) return VB_FLASHDEV_BAD_SIZE;
    if (off % VB_FLASHDEV_ERASE) return VB_FLASHDEV_BAD_OFFSET;
    if (!hal()->flash_erase) return -ENODEV;
    return hal()->flash_erase(hal()->ctx, d->base + (uint32_t)off, n);
}

/* writeblocks without an offset on a device with blocks smaller than the
 * erase unit: each 4 KiB block the range touches is erased, and the bytes
 * of it outside the range are put back. */
static int erase_partial(const vb_flashdev_obj *d, int64_t off, size_t n)
{
    int rc = window_check(d, off, n);
    if (rc) return rc;
    uint8_t keep[VB_FLASHDEV_ERASE];
    int64_t end = off + (int64_t)n;
    for (int64_t blk = off - off % VB_FLASHDEV_ERASE; blk < end && rc == 0; blk += VB_FLASHDEV_ERASE) {
        int64_t lo = (off > blk ? off : blk) - blk;
        int64_t hi = (end < blk + VB_FLASHDEV_ERASE ? end : blk + VB_FLASHDEV_ERASE) - blk;
        bool partial = lo > 0 || hi < VB_FLASHDEV_ERASE;
        if (partial) rc = window_read(d, blk, keep, sizeof keep);
        if (rc == 0) rc = window_erase(d, blk, VB_FLASHDEV_ERASE);
        if (rc == 0 && lo > 0) rc = window_program(d, blk, keep, (size_t)lo);
        if (rc == 0 && hi < VB_FLASHDEV_ERASE)
            rc = window_program(d, blk + hi, keep + hi, (size_t)(VB_FLASHDEV_ERASE - hi));
    }
    return rc;
}

/* ---- arguments, as MicroPython checks them ---------------------------------- */

/* mp_arg_check_num for a method taking min..max arguments, self counted. */
static bool arg_count(Py_ssize_t nargs, Py_ssize_t min, Py_ssize_t max)
{
    nargs++;   /* self */
    if (min == max && nargs != min) {
        PyErr_Format(PyExc_TypeError, "function takes %zd positional arguments but %zd were given",
                     min, nargs);
        return false;
    }
    if (nargs < min) {
        PyErr_Format(PyExc_TypeError, "function missing %zd required positional arguments", min - nargs);
        return false;
    }
    if (nargs > max) {
        PyErr_Format(PyExc_TypeError, "function expected at most %zd arguments, got %zd", max, nargs);
        return false;
    }
    return true;
}

int vb_flashdev_get_int(PyObject *o, int64_t *v)
{
    if (!PyLong_Check(o)) {
        PyErr_Format(PyExc_TypeError, "can't convert %s to int", Py_TYPE(o)->tp_name);
        return -1;
    }
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (x == -1 && PyErr_Occurred()) return -1;
    if (overflow || x < INT32_MIN || x > INT32_MAX) {   /* a 32-bit mp_int_t */
        PyErr_SetString(PyExc_OverflowError, "overflow converting long int to machine word");
        return -1;
    }
    *v = x;
    return 0;
}

/* block_num * block_size (+ the offset argument when given). */
static int position(const vb_flashdev_obj *d, PyObject *const *args, Py_ssize_t nargs, int64_t *off)
{
    int64_t block, extra = 0;
    if (vb_flashdev_get_int(args[0], &block) < 0) return -1;
    if (nargs == 3 && vb_flashdev_get_int(args[2], &extra) < 0) return -1;
    *off = block * (int64_t)d->block_size + extra;
    return 0;
}

static PyObject *result(const vb_flashdev_obj *d, int rc)
{
    if (rc) return d->fail(rc);
    Py_RETURN_NONE;
}

/* ---- the block protocol ----------------------------------------------------- */

PyObject *vb_flashdev_readblocks(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    const vb_flashdev_obj *d = (const vb_flashdev_obj *)self;
    int64_t off;
    vb_buf b;
    if (!arg_count(nargs, 3, 4) || position(d, args, nargs, &off) < 0 || vb_buf_get(args[1], true, &b) < 0)
        return NULL;
    int rc = window_read(d, off, b.view.buf, (size_t)b.view.len);
    vb_buf_release(&b);
    return result(d, rc);
}

PyObject *vb_flashdev_writeblocks(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    const vb_flashdev_obj *d = (const vb_flashdev_obj *)self;
    int64_t off;
    vb_buf b;
    if (!arg_count(nargs, 3, 4) || position(d, args, nargs, &off) < 0 || vb_buf_get(args[1], false, &b) < 0)
        return NULL;
    size_t n = (size_t)b.view.len;
    int rc = 0;
    if (nargs == 2)   /* the simple interface: erase first */
        rc = d->block_size >= VB_FLASHDEV_ERASE ? window_erase(d, off, n) : erase_partial(d, off, n);
    if (rc == 0) rc = window_program(d, off, b.view.buf, n);
    vb_buf_release(&b);
    return result(d, rc);
}

PyObject *vb_flashdev_ioctl(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    const vb_flashdev_obj *d = (const vb_flashdev_obj *)self;
    int64_t op, block;
    if (!arg_count(nargs, 3, 3) || vb_flashdev_get_int(args[0], &op) < 0) return NULL;
    switch (op) {
    case VB_BLOCKDEV_IOCTL_INIT:
    case VB_BLOCKDEV_IOCTL_DEINIT:
    case VB_BLOCKDEV_IOCTL_SYNC:
        return PyLong_FromLong(0);
    case VB_BLOCKDEV_IOCTL_BLOCK_COUNT:
        return PyLong_FromUnsignedLong(d->size / d->block_size);
    case VB_BLOCKDEV_IOCTL_BLOCK_SIZE:
        return PyLong_FromUnsignedLong(d->block_size);
    case VB_BLOCKDEV_IOCTL_BLOCK_ERASE: {
        /* only whole erase blocks: a smaller block size says -EINVAL */
        if (d->block_size != VB_FLASHDEV_ERASE) return PyLong_FromLong(-EINVAL);
        if (vb_flashdev_get_int(args[1], &block) < 0) return NULL;
        int rc = window_erase(d, block * VB_FLASHDEV_ERASE, VB_FLASHDEV_ERASE);
        return rc ? d->fail(rc) : PyLong_FromLong(0);
    }
    default:
        Py_RETURN_NONE;
    }
}
