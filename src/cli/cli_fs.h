/* Helpers shared by the `vboard fs` commands (cli_fs.c, cli_fs_cp.c). */
#ifndef VB_CLI_CLI_FS_H
#define VB_CLI_CLI_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "util/path.h"

#define CLI_PATH_MAX 2048
#define CLI_MAX_DEPTH 64   /* directory nesting followed by tree, rm -r, cp -r */

/* Canonical board path of an operand (':' optional) into out[CLI_PATH_MAX];
 * says why not and returns false when it does not fit. */
bool cli_board_path(const cli_args *a, const char *arg, char *out);
/* "vboard: fs X: :/path: ENAME (text)[; hint]", the path escaped */
void cli_board_errno(const cli_args *a, const char *path, int err, const char *hint);

/* A board path or name for the terminal: untrusted bytes (names read from
 * an image) escaped as \xNN (vb_path_escape; '/' kept when keep_slash).
 * Returns buf. */
#define CLI_SHOWN_MAX (CLI_PATH_MAX * VB_PATH_ESCAPE_MAX + 1)
const char *cli_shown(const char *s, bool keep_slash, char *buf, size_t len);

/* One directory's entries, read in full before anything changes it. Names
 * come from the image: untrusted until vb_fatname_check says otherwise. */
typedef struct cli_dirent {
    char *name;
    bool is_dir;
    uint32_t size;
    uint32_t cluster;   /* first cluster (0: none, or the root) */
    uint16_t wdate, wtime;
} cli_dirent;

/* A recursive walk of the board tree (tree, rm -r, cp -r): the directory
 * clusters entered so far, so that a crafted image whose directories loop
 * (a subdirectory pointing back at an ancestor, or two entries sharing a
 * directory) is walked once and not forever. Zero-initialise; free with
 * cli_walk_free. */
typedef struct cli_walk {
    uint32_t *seen;
    size_t n, cap;
} cli_walk;

/* Record that the walk enters the directory at `cluster`: 0, -ELOOP when it
 * was entered before, -ENOMEM. */
int cli_walk_enter(cli_walk *w, uint32_t cluster);
void cli_walk_free(cli_walk *w);
/* Start a walk at the board directory `path` (canonical): the root and
 * every directory on the way down count as entered, so that a loop back to
 * any of them is caught. 0 or a negative errno (-ENOTDIR: not a directory). */
int cli_walk_start(cli_walk *w, vb_fat *fs, const char *path);

/* Whether entry e of board directory `dir` may be used by a walk, and its
 * board path in child[CLI_PATH_MAX]. Refused, with the reason on stderr
 * (the name escaped), returning false: a name vb_fatname_check rejects
 * ('/', '\\', NUL and control characters, "." and "..", ...); a path that
 * does not fit; a name that does not lead back to this very entry (a
 * duplicate name); a directory already entered in this walk (a loop; the
 * directory is recorded as entered otherwise). Depth is the caller's. */
bool cli_walk_child(const cli_args *a, cli_walk *w, vb_fat *fs, const char *dir,
                    const cli_dirent *e, char *child);

/* 0 with *out and *n filled (free with cli_free_dir), or a negative errno. */
int cli_read_dir(vb_fat *fs, const char *path, cli_dirent **out, size_t *n);
void cli_free_dir(cli_dirent *d, size_t n);

/* Copy everything inside the host directory `host_dir` into the board
 * directory `board_dir`, recursively (`vboard run --fs-add`). Errors are
 * said on stderr; returns CLI_OK or CLI_FAILED. */
int cli_fs_put_contents(const cli_args *a, vb_fat *fs, const char *host_dir, const char *board_dir);

#endif
