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

#endif
