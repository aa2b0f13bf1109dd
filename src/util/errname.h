/* errno values as names and short texts: the one errno table of vboard.
 *
 * Names are MicroPython's (`errno.errorcode`), so "ENOENT" reads the same in a
 * CLI message and in `OSError: [Errno 2] ENOENT`. Numbers are the host's
 * (Linux) errno values, which is what every vboard layer returns. */
#ifndef VB_UTIL_ERRNAME_H
#define VB_UTIL_ERRNAME_H

#include <stdbool.h>
#include <stddef.h>

typedef struct vb_errinfo {
    int num;             /* positive errno */
    const char *name;    /* "ENOENT" */
    const char *text;    /* "no such file or directory" */
    bool in_micropython; /* listed by MicroPython's own errno module: an
                            OSError with this code prints its name there */
} vb_errinfo;

/* err may be positive or negative; NULL when the table does not know it. */
const vb_errinfo *vb_errinfo_find(int err);
/* "ENOENT", or NULL when unknown. */
const char *vb_errname(int err);
/* "ENOENT (no such file or directory)", or "error 1234" when unknown.
 * Returns buf. */
const char *vb_errstr(int err, char *buf, size_t buflen);

#endif
