/* The errno table (see errname.h). */
#include "errname.h"

#include <errno.h>
#include <stdio.h>

static const vb_errinfo errtab[] = {
    /* MicroPython's errno module (py/moderrno.c, default build) */
    {EPERM, "EPERM", "operation not permitted", true},
    {ENOENT, "ENOENT", "no such file or directory", true},
    {EIO, "EIO", "input/output error", true},
    {EBADF, "EBADF", "bad file descriptor", true},
    {EAGAIN, "EAGAIN", "resource temporarily unavailable", true},
    {ENOMEM, "ENOMEM", "out of memory", true},
    {EACCES, "EACCES", "permission denied", true},
    {EEXIST, "EEXIST", "file exists", true},
    {ENODEV, "ENODEV", "no such device", true},
    {EISDIR, "EISDIR", "is a directory", true},
    {EINVAL, "EINVAL", "invalid argument", true},
    {EOPNOTSUPP, "EOPNOTSUPP", "operation not supported", true},
    {EADDRINUSE, "EADDRINUSE", "address already in use", true},
    {ECONNABORTED, "ECONNABORTED", "connection aborted", true},
    {ECONNRESET, "ECONNRESET", "connection reset by peer", true},
    {ENOBUFS, "ENOBUFS", "no buffer space available", true},
    {ENOTCONN, "ENOTCONN", "not connected", true},
    {ETIMEDOUT, "ETIMEDOUT", "timed out", true},
    {ECONNREFUSED, "ECONNREFUSED", "connection refused", true},
    {EHOSTUNREACH, "EHOSTUNREACH", "no route to host", true},
    {EALREADY, "EALREADY", "operation already in progress", true},
    {EINPROGRESS, "EINPROGRESS", "operation in progress", true},
    /* in MicroPython's mperrno.h but not its errno module */
    {ENOTDIR, "ENOTDIR", "not a directory", false},
    {ENOSPC, "ENOSPC", "no space left on device", false},
    {EROFS, "EROFS", "read-only filesystem", false},
    {ENOTEMPTY, "ENOTEMPTY", "directory not empty", false},
    {EBUSY, "EBUSY", "device or resource busy", false},
    {ENAMETOOLONG, "ENAMETOOLONG", "name too long", false},
    {EFBIG, "EFBIG", "file too large", false},
    {EMFILE, "EMFILE", "too many open files", false},
    {ENXIO, "ENXIO", "no such device or address", false},
    {ENOSYS, "ENOSYS", "function not implemented", false},
    {ERANGE, "ERANGE", "result out of range", false},
    {EXDEV, "EXDEV", "cross-device link", false},
    {ELOOP, "ELOOP", "too many levels of links", false},
    {ENODATA, "ENODATA", "no data available", false},
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
