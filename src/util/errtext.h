/* Error sentences for the caller: library code fills the caller's buffer
 * (style.md §4 "errors are text for the caller") and never prints. */
#ifndef VB_UTIL_ERRTEXT_H
#define VB_UTIL_ERRTEXT_H

#include <stddef.h>

/* printf into err (errlen bytes); nothing when err is NULL or errlen 0. */
void vb_set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
