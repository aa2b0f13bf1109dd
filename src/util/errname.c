/* The errno table (see errname.h). */
#include "errname.h"

#include <errno.h>
#include <stdio.h>

static const vb_errinfo errtab[] = {
    /* MicroPython's errno module (py/moderrno.c, default build); the last
     * column is newlib's number (<sys/errno.h>), which the esp32 builds use
     * (MICROPY_USE_INTERNAL_ERRNO 0: the toolchain's errno.h) */
    {EPERM, "EPERM", "operation not permitted", true, 1},
    {ENOENT, "ENOENT", "no such file or directory", true, 2},
    {EIO, "EIO", "input/output error", true, 5},
    {EBADF, "EBADF", "bad file descriptor", true, 9},
    {EAGAIN, "EAGAIN", "resource temporarily unavailable", true, 11},
    {ENOMEM, "ENOMEM", "out of memory", true, 12},
    {EACCES, "EACCES", "permission denied", true, 13},
    {EEXIST, "EEXIST", "file exists", true, 17},
    {ENODEV, "ENODEV", "no such device", true, 19},
    {EISDIR, "EISDIR", "is a directory", true, 21},
    {EINVAL, "EINVAL", "invalid argument", true, 22},
    {EOPNOTSUPP, "EOPNOTSUPP", "operation not supported", true, 95},
    {EADDRINUSE, "EADDRINUSE", "address already in use", true, 112},
    {ECONNABORTED, "ECONNABORTED", "connection aborted", true, 113},
    {ECONNRESET, "ECONNRESET", "connection reset by peer", true, 104},
    {ENOBUFS, "ENOBUFS", "no buffer space available", true, 105},
    {ENOTCONN, "ENOTCONN", "not connected", true, 128},
    {ETIMEDOUT, "ETIMEDOUT", "timed out", true, 116},
    {ECONNREFUSED, "ECONNREFUSED", "connection refused", true, 111},
    {EHOSTUNREACH, "EHOSTUNREACH", "no route to host", true, 118},
    {EALREADY, "EALREADY", "operation already in progress", true, 120},
    {EINPROGRESS, "EINPROGRESS", "operation in progress", true, 119},
    /* in MicroPython's mperrno.h but not its errno module */
    {ENOTDIR, "ENOTDIR", "not a directory", false, 20},
    {ENOSPC, "ENOSPC", "no space left on device", false, 28},
    {EROFS, "EROFS", "read-only filesystem", false, 30},
    {ENOTEMPTY, "ENOTEMPTY", "directory not empty", false, 90},
    {EBUSY, "EBUSY", "device or resource busy", false, 16},
    {ENAMETOOLONG, "ENAMETOOLONG", "name too long", false, 91},
    {EFBIG, "EFBIG", "file too large", false, 27},
    {EMFILE, "EMFILE", "too many open files", false, 24},
    {ENXIO, "ENXIO", "no such device or address", false, 6},
    {ENOSYS, "ENOSYS", "function not implemented", false, 88},
    {ERANGE, "ERANGE", "result out of range", false, 34},
    {EXDEV, "EXDEV", "cross-device link", false, 18},
    {ELOOP, "ELOOP", "too many levels of links", false, 92},
    {ENODATA, "ENODATA", "no data available", false, 61},
};

const vb_errinfo *vb_errinfo_find(int err)
{
    if (err < 0)
        err = -err;
    for (size_t i = 0; i < sizeof errtab / sizeof errtab[0]; i++)
        if (errtab[i].num == err)
            return &errtab[i];
    return NULL;
}

static int numbered(const vb_errinfo *e, vb_errno_numbers n)
{
    return n == VB_ERRNO_NEWLIB ? e->newlib : e->num;
}

const vb_errinfo *vb_errinfo_find_as(int num, vb_errno_numbers n)
{
    if (num < 0)
        num = -num;
    for (size_t i = 0; i < sizeof errtab / sizeof errtab[0]; i++)
        if (numbered(&errtab[i], n) == num)
            return &errtab[i];
    return NULL;
}

int vb_errno_as(int err, vb_errno_numbers n)
{
    const vb_errinfo *e = vb_errinfo_find(err);
    int mag = err < 0 ? -err : err;
    return e ? numbered(e, n) : mag;
}

int vb_errno_from(int num, vb_errno_numbers n)
{
    const vb_errinfo *e = vb_errinfo_find_as(num, n);
    return e ? e->num : (num < 0 ? -num : num);
}

const vb_errinfo *vb_errinfo_at(size_t i)
{
    return i < sizeof errtab / sizeof errtab[0] ? &errtab[i] : NULL;
}

const char *vb_errname(int err)
{
    const vb_errinfo *e = vb_errinfo_find(err);
    return e ? e->name : NULL;
}

const char *vb_errstr(int err, char *buf, size_t buflen)
{
    const vb_errinfo *e = vb_errinfo_find(err);
    if (e)
        snprintf(buf, buflen, "%s (%s)", e->name, e->text);
    else
        snprintf(buf, buflen, "error %d", err < 0 ? -err : err);
    return buf;
}
