/* Path strings for the host tools: board paths in mpremote's ':' notation,
 * and the small joins and splits copying needs. Pure string functions. */
#ifndef VB_UTIL_PATH_H
#define VB_UTIL_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* A board path is marked by a leading ':' (":main.py", ":/lib", ":"). */
bool vb_path_is_board(const char *arg);

/* Canonical board path: the optional ':' dropped, absolute, single '/'
 * separators, no "." parts, ".." folded (never above the root), no trailing
 * '/'; the root is "/". 0, or -ENAMETOOLONG when out is too small. */
int vb_path_board_normalize(const char *arg, char *out, size_t len);

/* The path ends in '/' (or is ':' alone): it can only name a directory. */
bool vb_path_names_dir(const char *arg);

/* The last component, trailing '/' ignored, ':' prefix ignored; "" for the
 * root ("/", ":", ":/"). 0, or -ENAMETOOLONG. */
int vb_path_basename(const char *path, char *out, size_t len);

/* dir + '/' + name without doubling the '/'; just dir when name is "".
 * 0, or -ENAMETOOLONG. */
int vb_path_join(const char *dir, const char *name, char *out, size_t len);

/* Bytes per byte of input that vb_path_escape may write ("\\xNN"). */
#define VB_PATH_ESCAPE_MAX 4

/* A name or path for a terminal, escaped so that bytes from an untrusted
 * source (a crafted image) cannot move the cursor or pass for another name:
 * NUL, control characters (< 0x20, 0x7F), C1 controls (U+0080..U+009F),
 * bytes that are not well-formed UTF-8, '\\' and, unless keep_slash, '/'
 * become "\\xNN" (lower-case hex; each byte of a C1 character). Everything
 * else is copied. s[0..len) may hold NUL bytes. out (outlen bytes) is always
 * NUL-terminated; an escape is never cut in half: when out is too small the
 * text stops early and -ENAMETOOLONG is returned, else the length written.
 * len * VB_PATH_ESCAPE_MAX + 1 bytes are always enough. */
int vb_path_escape(const char *s, size_t len, bool keep_slash, char *out, size_t outlen);

#endif
