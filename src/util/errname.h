/* errno values as names and short texts: the one errno table of vboard.
 *
 * Names are MicroPython's (`errno.errorcode`), so "ENOENT" reads the same in a
 * CLI message and in `OSError: [Errno 2] ENOENT`. Numbers are the host's
 * (Linux) errno values, which is what every vboard layer returns; a
 * board's firmware may number them otherwise (esp32's newlib), and the
 * engine turns a host number into the board's when it raises OSError. */
#ifndef VB_UTIL_ERRNAME_H
#define VB_UTIL_ERRNAME_H

#include <stdbool.h>
#include <stddef.h>

/* How a firmware numbers errno: MicroPython's own mperrno.h numbers are
 * Linux's (rp2, MICROPY_USE_INTERNAL_ERRNO 1); esp32 builds take newlib's. */
typedef enum vb_errno_numbers { VB_ERRNO_LINUX = 0, VB_ERRNO_NEWLIB } vb_errno_numbers;

typedef struct vb_errinfo {
    int num;             /* positive errno, the host's (Linux) number */
    const char *name;    /* "ENOENT" */
    const char *text;    /* "no such file or directory" */
    bool in_micropython; /* listed by MicroPython's own errno module: an
                            OSError with this code prints its name there */
    int newlib;          /* the same error's number in newlib */
} vb_errinfo;

/* err may be positive or negative; NULL when the table does not know it. */
const vb_errinfo *vb_errinfo_find(int err);
/* The entry whose number in numbering n is num (either sign), or NULL. */
const vb_errinfo *vb_errinfo_find_as(int num, vb_errno_numbers n);
/* A host errno (either sign) as numbering n has it, positive; an unknown
 * one is its magnitude. vb_errno_from is the way back. */
int vb_errno_as(int err, vb_errno_numbers n);
int vb_errno_from(int num, vb_errno_numbers n);
/* The table's entry i, NULL past the end. */
const vb_errinfo *vb_errinfo_at(size_t i);
/* "ENOENT", or NULL when unknown. */
const char *vb_errname(int err);
/* "ENOENT (no such file or directory)", or "error 1234" when unknown.
 * Returns buf. */
const char *vb_errstr(int err, char *buf, size_t buflen);

#endif
