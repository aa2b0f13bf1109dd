/* `vboard fs FILE cp [-r] SRC... DST`: copies between host and board.
 *
 * mpremote's notation: a leading ':' marks a board path, and exactly one
 * side is on the board (all sources, or the destination). A destination
 * spelled with a trailing '/' or naming an existing directory receives each
 * source under its own name. Errors on one source are reported and the
 * others still copied (as cp(1)); a board file whose copy failed half way is
 * removed rather than left truncated. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_fs.h"
#include "util/path.h"

#define CP_CHUNK 4096

typedef struct cp {
    const cli_args *a;
    vb_fat *fs;
    bool recursive;
    int rc;              /* CLI_FAILED once anything failed */
} cp;

static void host_fail(cp *c, const char *path, int err, const char *hint)
{
    cli_errno(c->a, path, err, hint);
    c->rc = CLI_FAILED;
}

static void board_fail(cp *c, const char *path, int err, const char *hint)
{
    cli_board_errno(c->a, path, err, hint);
    c->rc = CLI_FAILED;
}

/* ---- host -> board ------------------------------------------------------------- */

static void put_file(cp *c, const char *host, const char *board)
{
    FILE *in = fopen(host, "rb");
    if (!in) {
        host_fail(c, host, -errno, NULL);
        return;
    }
    vb_fat_file f;
    int r = vb_fat_open(c->fs, &f, board, "w");
    if (r < 0) {
        fclose(in);
        board_fail(c, board, r, NULL);
        return;
    }
    char buf[CP_CHUNK];
    int host_err = 0;
    for (;;) {
        size_t n = fread(buf, 1, sizeof buf, in);
        if (n == 0) {
            if (ferror(in))
                host_err = errno ? -errno : -EIO;
            break;
        }
        ssize_t w = vb_fat_write(&f, buf, n);
        if (w < 0 || (size_t)w != n) {
            r = w < 0 ? (int)w : -ENOSPC;
            break;
        }
    }
    int cl = vb_fat_close(&f);
    if (r == 0)
        r = cl;
    fclose(in);
    if (r < 0 || host_err < 0) {
        vb_fat_remove(c->fs, board);   /* best effort: no half copies on the board */
        if (host_err < 0)
            host_fail(c, host, host_err, NULL);
        else
            board_fail(c, board, r, NULL);
    }
}

static int cmp_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Sorted entry names of a host directory (deterministic images). */
static char **host_list(const char *path, size_t *n, int *err)
{
    DIR *d = opendir(path);
    if (!d) {
        *err = -errno;
        return NULL;
    }
    char **v = NULL;
    size_t len = 0, cap = 0;
    struct dirent *e;
    *err = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (len == cap) {
            cap = cap ? cap * 2 : 16;
            char **p = realloc(v, cap * sizeof *p);
            if (!p) {
                *err = -ENOMEM;
                break;
            }
            v = p;
        }
        if (!(v[len] = strdup(e->d_name))) {
            *err = -ENOMEM;
            break;
        }
        len++;
    }
    closedir(d);
    if (*err < 0) {
        for (size_t i = 0; i < len; i++)
            free(v[i]);
        free(v);
        return NULL;
    }
    if (len)
        qsort(v, len, sizeof *v, cmp_names);
    *n = len;
    return v;
}

static void put_path(cp *c, const char *host, const char *board, int depth);

static void put_tree(cp *c, const char *host, const char *board, int depth)
{
    int r = vb_fat_mkdir(c->fs, board);
    vb_fat_info st;
    if (r == -EEXIST && vb_fat_stat(c->fs, board, &st) == 0 && st.is_dir)
        r = 0;
    if (r < 0) {
        board_fail(c, board, r, NULL);
        return;
    }
    size_t n = 0;
    int err;
    char **names = host_list(host, &n, &err);
    if (!names && err < 0) {
        host_fail(c, host, err, NULL);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char hchild[CLI_PATH_MAX], bchild[CLI_PATH_MAX];
        if (vb_path_join(host, names[i], hchild, sizeof hchild) < 0 ||
            vb_path_join(board, names[i], bchild, sizeof bchild) < 0)
            host_fail(c, names[i], -ENAMETOOLONG, NULL);
        else
            put_path(c, hchild, bchild, depth + 1);
        free(names[i]);
    }
    free(names);
}

static void put_path(cp *c, const char *host, const char *board, int depth)
{
    struct stat hs;
    if (stat(host, &hs) != 0) {
        host_fail(c, host, -errno, NULL);
    } else if (S_ISDIR(hs.st_mode)) {
        if (!c->recursive)
            host_fail(c, host, -EISDIR, "use -r to copy directories");
        else if (depth >= CLI_MAX_DEPTH)
            host_fail(c, host, -ELOOP, "directories nested too deep (a symbolic link loop?)");
        else
            put_tree(c, host, board, depth);
    } else if (S_ISREG(hs.st_mode)) {
        put_file(c, host, board);
    } else {
        host_fail(c, host, -EINVAL, "not a regular file or directory");
    }
}

int cli_fs_put_contents(const cli_args *a, vb_fat *fs, const char *host_dir, const char *board_dir)
{
    cp c = {.a = a, .fs = fs, .recursive = true, .rc = CLI_OK};
    size_t n = 0;
    int err;
    char **names = host_list(host_dir, &n, &err);
    if (!names && err < 0) {
        host_fail(&c, host_dir, err, NULL);
        return c.rc;
    }
    for (size_t i = 0; i < n; i++) {
        char hchild[CLI_PATH_MAX], bchild[CLI_PATH_MAX];
        if (vb_path_join(host_dir, names[i], hchild, sizeof hchild) < 0 ||
            vb_path_join(board_dir, names[i], bchild, sizeof bchild) < 0)
            host_fail(&c, names[i], -ENAMETOOLONG, NULL);
        else
            put_path(&c, hchild, bchild, 1);
        free(names[i]);
    }
    free(names);
    return c.rc;
}

/* ---- board -> host ------------------------------------------------------------- */

static void get_file(cp *c, const char *board, const char *host)
{
    vb_fat_file f;
    int r = vb_fat_open(c->fs, &f, board, "r");
    if (r < 0) {
        board_fail(c, board, r, NULL);
        return;
    }
    FILE *out = fopen(host, "wb");
    if (!out) {
        vb_fat_close(&f);
        host_fail(c, host, -errno, NULL);
        return;
    }
    char buf[CP_CHUNK];
    int host_err = 0;
    ssize_t got;
    while ((got = vb_fat_read(&f, buf, sizeof buf)) > 0)
        if (fwrite(buf, 1, (size_t)got, out) != (size_t)got) {
            host_err = errno ? -errno : -EIO;
            break;
        }
    vb_fat_close(&f);
    if (fclose(out) != 0 && host_err == 0)
        host_err = -errno;
    if (got < 0 || host_err < 0) {
        unlink(host);   /* no half copies on the host either */
        if (host_err < 0)
            host_fail(c, host, host_err, NULL);
        else
            board_fail(c, board, (int)got, NULL);
    }
}

static void get_path(cp *c, const char *board, const char *host, int depth);

static void get_tree(cp *c, const char *board, const char *host, int depth)
{
    struct stat hs;
    if (mkdir(host, 0777) != 0 && !(errno == EEXIST && stat(host, &hs) == 0 && S_ISDIR(hs.st_mode))) {
        host_fail(c, host, -errno, NULL);
        return;
    }
    cli_dirent *ents;
    size_t n;
    int r = cli_read_dir(c->fs, board, &ents, &n);
    if (r < 0) {
        board_fail(c, board, r, NULL);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char bchild[CLI_PATH_MAX], hchild[CLI_PATH_MAX];
        if (vb_path_join(board, ents[i].name, bchild, sizeof bchild) < 0 ||
            vb_path_join(host, ents[i].name, hchild, sizeof hchild) < 0)
            board_fail(c, ents[i].name, -ENAMETOOLONG, NULL);
        else
            get_path(c, bchild, hchild, depth + 1);
    }
    cli_free_dir(ents, n);
}

static void get_path(cp *c, const char *board, const char *host, int depth)
{
    vb_fat_info st;
    int r = vb_fat_stat(c->fs, board, &st);
    if (r < 0)
        board_fail(c, board, r, NULL);
    else if (!st.is_dir)
        get_file(c, board, host);
    else if (!c->recursive)
        board_fail(c, board, -EISDIR, "use -r to copy directories");
    else if (depth >= CLI_MAX_DEPTH)
        board_fail(c, board, -ELOOP, "directories nested too deep");
    else
        get_tree(c, board, host, depth);
}

/* ---- the command ------------------------------------------------------------------ */

/* Is the destination a directory to copy into? A spelled-out directory
 * ("dst/", ":") must exist. */
static bool dest_is_dir(cp *c, const char *dst, const char *board_dst, bool to_board, int *err)
{
    bool spelled = vb_path_names_dir(dst);
    bool exists_dir = false;
    *err = 0;
    if (to_board) {
        vb_fat_info st;
        int r = vb_fat_stat(c->fs, board_dst, &st);
        exists_dir = r == 0 && st.is_dir;
        if (spelled && r < 0)
            *err = r;
        else if (spelled && !exists_dir)
            *err = -ENOTDIR;
    } else {
        struct stat hs;
        int r = stat(dst, &hs) == 0 ? 0 : -errno;
        exists_dir = r == 0 && S_ISDIR(hs.st_mode);
        if (spelled && r < 0)
            *err = r;
        else if (spelled && !exists_dir)
            *err = -ENOTDIR;
    }
    return exists_dir;
}

int cli_cmd_fs_cp(const cli_args *a)
{
    int nsrc = a->argc - 1;
    const char *dst = a->argv[nsrc];
    bool to_board = vb_path_is_board(dst);
    for (int i = 0; i < nsrc; i++)
        if (vb_path_is_board(a->argv[i]) == to_board) {
            cli_error(a, "%s -> %s: exactly one side must be on the board (board paths start "
                      "with ':')", a->argv[i], dst);
            return CLI_USAGE;
        }
    char board_dst[CLI_PATH_MAX] = "";
    if (to_board && !cli_board_path(a, dst, board_dst))
        return CLI_USAGE;

    vb_image im;
    int rc = cli_open_fs(a, &im);
    if (rc != CLI_OK)
        return rc;
    cp c = {.a = a, .fs = &im.fat, .recursive = a->opts & CLI_OPT_RECURSIVE, .rc = CLI_OK};
    int err;
    const char *hint = NULL;
    bool into = dest_is_dir(&c, dst, board_dst, to_board, &err);
    if (err == 0 && nsrc > 1 && !into) {
        err = -ENOTDIR;
        hint = "several sources need a directory to copy into";
    }
    if (err < 0) {
        if (to_board)
            board_fail(&c, board_dst, err, hint);
        else
            host_fail(&c, dst, err, hint);
        return cli_close_image(a, &im, CLI_FAILED);
    }

    for (int i = 0; i < nsrc; i++) {
        const char *src = a->argv[i];
        char base[CLI_PATH_MAX], board_src[CLI_PATH_MAX], target[CLI_PATH_MAX];
        if (!to_board && !cli_board_path(a, src, board_src)) {
            c.rc = CLI_FAILED;
            continue;
        }
        const char *dir = to_board ? board_dst : dst;
        if (vb_path_basename(to_board ? src : board_src, base, sizeof base) < 0 ||
            (into ? vb_path_join(dir, base, target, sizeof target)
                  : snprintf(target, sizeof target, "%s", dir) >= (int)sizeof target)) {
            host_fail(&c, src, -ENAMETOOLONG, NULL);
            continue;
        }
        if (to_board) {
            char norm[CLI_PATH_MAX];
            if (vb_path_board_normalize(target, norm, sizeof norm) < 0)
                host_fail(&c, src, -ENAMETOOLONG, NULL);
            else
                put_path(&c, src, norm, 0);
        } else {
            get_path(&c, board_src, target, 0);
        }
    }
    return cli_close_image(a, &im, c.rc);
}
