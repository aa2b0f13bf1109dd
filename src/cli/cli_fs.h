/* Helpers shared by the `vboard fs` commands (cli_fs.c, cli_fs_cp.c). */
#ifndef VB_CLI_CLI_FS_H
#define VB_CLI_CLI_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "fs/vol.h"
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
 * come from the image: untrusted until cli_walk_child says otherwise. */
typedef struct cli_dirent {
    char *name;
    bool is_dir;
    uint32_t size;
    int64_t mtime;      /* FAT: seconds since 1970 on the volume's calendar, 0
                           none; littlefs: 0 (an attribute, read by path) */
    uint32_t cluster;   /* FAT: first cluster (0: none, or the root); littlefs: 0 */
    bool dup;           /* littlefs: an earlier entry of this listing has the
                           same name (a crafted directory; only the first can
                           be reached by name) */
} cli_dirent;

/* A recursive walk of the board tree (tree, rm -r, cp -r): the directories
 * entered so far, so that a crafted image whose directories loop (a
 * subdirectory pointing back at an ancestor, or two entries sharing a
 * directory) is walked once and not forever. A directory is known by
 * where it lives: FAT its first cluster (the root 0), littlefs the block
 * of its metadata pair that holds its newest commit (the same block, the
 * same entries). Zero-initialise; free with cli_walk_free. */
typedef struct cli_walk {
    uint32_t *seen;
    size_t n, cap;
} cli_walk;

/* Record that the walk enters the directory `id`: 0, -ELOOP when it was
 * entered before, -ENOMEM. */
int cli_walk_enter(cli_walk *w, uint32_t id);
void cli_walk_free(cli_walk *w);
/* Start a walk at the board directory `path` (canonical): the root and
 * every directory on the way down count as entered, so that a loop back to
 * any of them is caught. 0 or a negative errno (-ENOTDIR: not a directory). */
int cli_walk_start(cli_walk *w, vb_vol *v, const char *path);

/* Whether entry e of board directory `dir` may be used by a walk, and its
 * board path in child[CLI_PATH_MAX]. Refused, with the reason on stderr
 * (the name escaped), returning false: an unsafe name ('/', '\\', NUL and
 * control characters, "." and "..", empty; on FAT also what
 * vb_fatname_check rejects beyond that); a path that does not fit; a name
 * that does not lead back to this very entry (a duplicate name); a
 * directory already entered in this walk (a loop; the directory is
 * recorded as entered otherwise). The same rules on FAT and littlefs.
 * Depth is the caller's. */
bool cli_walk_child(const cli_args *a, cli_walk *w, vb_vol *v, const char *dir,
                    const cli_dirent *e, char *child);

/* Every entry of a board directory in on-disk order: 0 with *out and *n
 * filled (free with cli_free_dir), or a negative errno. Read below the
 * volume layer (v->u.fat, v->u.lfs2), which hides what a walk must see: FAT
 * first clusters, and littlefs entries that are named "." or ".." (only
 * littlefs's own two are left out). */
int cli_read_dir(vb_vol *v, const char *path, cli_dirent **out, size_t *n);
void cli_free_dir(cli_dirent *d, size_t n);

/* Copy everything inside the host directory `host_dir` into the board
 * directory `board_dir`, recursively (`vboard run --fs-add`). Errors are
 * said on stderr; returns CLI_OK or CLI_FAILED. */
int cli_fs_put_contents(const cli_args *a, vb_vol *v, const char *host_dir, const char *board_dir);

#endif
