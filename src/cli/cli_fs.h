/* Helpers shared by the `vboard fs` commands (cli_fs.c, cli_fs_cp.c). */
#ifndef VB_CLI_CLI_FS_H
#define VB_CLI_CLI_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

#define CLI_PATH_MAX 2048
#define CLI_MAX_DEPTH 64   /* directory nesting followed by tree, rm -r, cp -r */

/* Canonical board path of an operand (':' optional) into out[CLI_PATH_MAX];
 * says why not and returns false when it does not fit. */
bool cli_board_path(const cli_args *a, const char *arg, char *out);
/* "vboard: fs X: :/path: ENAME (text)[; hint]" */
void cli_board_errno(const cli_args *a, const char *path, int err, const char *hint);

/* One directory's entries, read in full before anything changes it. */
typedef struct cli_dirent {
    char *name;
    bool is_dir;
    uint32_t size;
    uint16_t wdate, wtime;
} cli_dirent;

/* 0 with *out and *n filled (free with cli_free_dir), or a negative errno. */
int cli_read_dir(vb_fat *fs, const char *path, cli_dirent **out, size_t *n);
void cli_free_dir(cli_dirent *d, size_t n);

/* Copy everything inside the host directory `host_dir` into the board
 * directory `board_dir`, recursively (`vboard run --fs-add`). Errors are
 * said on stderr; returns CLI_OK or CLI_FAILED. */
int cli_fs_put_contents(const cli_args *a, vb_fat *fs, const char *host_dir, const char *board_dir);

#endif
