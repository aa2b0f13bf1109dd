/* `vboard fs FILE ...`: ls, tree, cat, rm, mkdir, rmdir, mv, df.
 * (cp lives in cli_fs_cp.c.) Every command opens the image, mounts it with
 * UTF-8 names and closes it through cli_close_image, also after a failure,
 * so the volume is always synced and unlocked the way the FAT layer leaves
 * it. */
#include "cli_fs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/path.h"

/* ---- shared helpers ------------------------------------------------------ */

bool cli_board_path(const cli_args *a, const char *arg, char *out)
{
    if (vb_path_board_normalize(arg, out, CLI_PATH_MAX) < 0) {
        cli_errno(a, arg, -ENAMETOOLONG, NULL);
        return false;
    }
    return true;
}

void cli_board_errno(const cli_args *a, const char *path, int err, const char *hint)
{
    char shown[CLI_PATH_MAX + 1];
    snprintf(shown, sizeof shown, ":%s", path);
    cli_errno(a, shown, err, hint);
}

void cli_free_dir(cli_dirent *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(d[i].name);
    free(d);
}

int cli_read_dir(vb_fat *fs, const char *path, cli_dirent **out, size_t *n)
{
    vb_fat_dir d;
    vb_fat_info st;
    cli_dirent *v = NULL;
    size_t len = 0, cap = 0;
    int rc = vb_fat_opendir(fs, &d, path);
    while (rc >= 0 && (rc = vb_fat_readdir(&d, &st)) == 1) {
        if (len == cap) {
            cap = cap ? cap * 2 : 16;
            cli_dirent *p = realloc(v, cap * sizeof *p);
            if (!p) {
                rc = -ENOMEM;
                break;
            }
            v = p;
        }
        v[len] = (cli_dirent){strdup(st.name), st.is_dir, st.size, st.wdate, st.wtime};
        if (!v[len++].name) {
            rc = -ENOMEM;
            break;
        }
    }
    if (rc < 0) {
        cli_free_dir(v, len);
        return rc;
    }
    *out = v;
    *n = len;
    return 0;
}

/* ---- ls, tree ---------------------------------------------------------------- */

static void print_entry(const char *name, bool is_dir, uint32_t size, uint16_t d, uint16_t t,
                        bool long_format)
{
    if (long_format)
        printf("%10u %04d-%02d-%02d %02d:%02d ", size, 1980 + (d >> 9), (d >> 5) & 15, d & 31,
               t >> 11, (t >> 5) & 63);
    printf("%s%s\n", name, is_dir ? "/" : "");
}

int cli_cmd_fs_ls(const cli_args *a)
{
    char path[CLI_PATH_MAX];
    if (!cli_board_path(a, a->argc ? a->argv[0] : "/", path))
        return CLI_USAGE;
    vb_image im;
    int rc = cli_open_fs(a, &im);
    if (rc != CLI_OK)
        return rc;
    bool long_format = a->opts & CLI_OPT_LONG;
    vb_fat_info st;
    int r = vb_fat_stat(&im.fat, path, &st);
    if (r == 0 && !st.is_dir) {
        print_entry(st.name, false, st.size, st.wdate, st.wtime, long_format);
    } else if (r == 0) {
        vb_fat_dir d;
        r = vb_fat_opendir(&im.fat, &d, path);
        while (r >= 0 && (r = vb_fat_readdir(&d, &st)) == 1)
            print_entry(st.name, st.is_dir, st.size, st.wdate, st.wtime, long_format);
    }
    if (r < 0) {
        cli_board_errno(a, path, r, NULL);
        rc = CLI_FAILED;
    }
    return cli_close_image(a, &im, rc);
}

/* Box-drawing tree as `tree` and mpremote print it. */
static int tree_walk(const cli_args *a, vb_fat *fs, const char *path, char *prefix, size_t plen,
                     int depth)
{
    cli_dirent *ents;
    size_t n;
    int r = cli_read_dir(fs, path, &ents, &n);
    if (r < 0) {
        cli_board_errno(a, path, r, NULL);
        return CLI_FAILED;
    }
    int rc = CLI_OK;
    for (size_t i = 0; i < n; i++) {
        bool last = i + 1 == n;
        printf("%.*s%s%s%s\n", (int)plen, prefix, last ? "└── " : "├── ", ents[i].name,
               ents[i].is_dir ? "/" : "");
        if (!ents[i].is_dir)
            continue;
        char child[CLI_PATH_MAX];
        const char *bar = last ? "    " : "│   ";
        if (depth >= CLI_MAX_DEPTH || plen + strlen(bar) >= CLI_PATH_MAX ||
            vb_path_join(path, ents[i].name, child, sizeof child) < 0) {
            printf("%.*s%s└── ...\n", (int)plen, prefix, bar);
            continue;
        }
        memcpy(prefix + plen, bar, strlen(bar));
        if (tree_walk(a, fs, child, prefix, plen + strlen(bar), depth + 1) != CLI_OK)
            rc = CLI_FAILED;
    }
    cli_free_dir(ents, n);
    return rc;
}

int cli_cmd_fs_tree(const cli_args *a)
{
    char path[CLI_PATH_MAX];
    if (!cli_board_path(a, a->argc ? a->argv[0] : "/", path))
        return CLI_USAGE;
    vb_image im;
    int rc = cli_open_fs(a, &im);
    if (rc != CLI_OK)
        return rc;
    vb_fat_info st;
    int r = vb_fat_stat(&im.fat, path, &st);
    if (r < 0) {
        cli_board_errno(a, path, r, NULL);
        rc = CLI_FAILED;
    } else if (!st.is_dir) {
        cli_board_errno(a, path, -ENOTDIR, NULL);
        rc = CLI_FAILED;
    } else {
        char prefix[CLI_PATH_MAX];
        printf(":%s\n", path);
        rc = tree_walk(a, &im.fat, path, prefix, 0, 1);
    }
    return cli_close_image(a, &im, rc);
}

/* ---- cat ----------------------------------------------------------------------- */

static int cat_one(vb_fat *fs, const char *path)
{
    vb_fat_info st;
    int r = vb_fat_stat(fs, path, &st);
    if (r < 0)
        return r;
    if (st.is_dir)
        return -EISDIR;
    vb_fat_file f;
    if ((r = vb_fat_open(fs, &f, path, "r")) < 0)
        return r;
    char buf[4096];
    ssize_t got;
    while ((got = vb_fat_read(&f, buf, sizeof buf)) > 0)
        if (fwrite(buf, 1, (size_t)got, stdout) != (size_t)got) {
            got = -EIO;
            break;
        }
    int c = vb_fat_close(&f);
    return got < 0 ? (int)got : c;
}

/* One operation on one board path. `failed` starts as the path and names
 * what could not be done when that is something below it; `hint` may add
 * a reason. Returns 0 or a negative errno. */
typedef int (*path_op)(const cli_args *a, vb_fat *fs, const char *path, char *failed,
                       const char **hint);

/* Run `op` on every operand, reporting each failure, then close the image:
 * the loop cat, rm, mkdir and rmdir share. */
static int each_path(const cli_args *a, path_op op)
{
    vb_image im;
    int rc = cli_open_fs(a, &im);
    if (rc != CLI_OK)
        return rc;
    for (int i = 0; i < a->argc; i++) {
        char path[CLI_PATH_MAX], failed[CLI_PATH_MAX];
        if (!cli_board_path(a, a->argv[i], path)) {
            rc = CLI_FAILED;
            continue;
        }
        snprintf(failed, sizeof failed, "%s", path);
        const char *hint = NULL;
        int r = op(a, &im.fat, path, failed, &hint);
        if (r < 0) {
            fflush(stdout);   /* cat's output so far comes before the error */
            cli_board_errno(a, failed, r, hint);
            rc = CLI_FAILED;
        }
    }
    fflush(stdout);
    return cli_close_image(a, &im, rc);
}

static int op_cat(const cli_args *a, vb_fat *fs, const char *path, char *failed, const char **hint)
{
    (void)a, (void)failed, (void)hint;
    return cat_one(fs, path);
}

int cli_cmd_fs_cat(const cli_args *a) { return each_path(a, op_cat); }

/* ---- rm, mkdir, rmdir ------------------------------------------------------------ */

/* Remove everything below `path` (not path itself). On failure *failed names
 * the path that could not go. */
static int remove_below(vb_fat *fs, const char *path, int depth, char *failed)
{
    cli_dirent *ents;
    size_t n;
    int r = cli_read_dir(fs, path, &ents, &n);
    if (r < 0) {
        snprintf(failed, CLI_PATH_MAX, "%s", path);
        return r;
    }
    for (size_t i = 0; i < n && r == 0; i++) {
        char child[CLI_PATH_MAX];
        if (vb_path_join(path, ents[i].name, child, sizeof child) < 0 || depth >= CLI_MAX_DEPTH) {
            r = depth >= CLI_MAX_DEPTH ? -ELOOP : -ENAMETOOLONG;
            snprintf(failed, CLI_PATH_MAX, "%s", path);
            break;
        }
        if (ents[i].is_dir) {
            r = remove_below(fs, child, depth + 1, failed);
            if (r == 0 && (r = vb_fat_rmdir(fs, child)) < 0)
                snprintf(failed, CLI_PATH_MAX, "%s", child);
        } else if ((r = vb_fat_remove(fs, child)) < 0) {
            snprintf(failed, CLI_PATH_MAX, "%s", child);
        }
    }
    cli_free_dir(ents, n);
    return r;
}

static int op_rm(const cli_args *a, vb_fat *fs, const char *path, char *failed, const char **hint)
{
    vb_fat_info st;
    int r = vb_fat_stat(fs, path, &st);
    if (r < 0)
        return r;
    if (!st.is_dir)
        return vb_fat_remove(fs, path);
    if (!(a->opts & CLI_OPT_RECURSIVE)) {
        *hint = "use -r to remove directories";
        return -EISDIR;
    }
    /* rm -r of the root empties it; the root itself stays. */
    r = remove_below(fs, path, 1, failed);
    if (r == 0 && strcmp(path, "/") != 0 && (r = vb_fat_rmdir(fs, path)) < 0)
        snprintf(failed, CLI_PATH_MAX, "%s", path);
    return r;
}

int cli_cmd_fs_rm(const cli_args *a) { return each_path(a, op_rm); }

static int op_mkdir(const cli_args *a, vb_fat *fs, const char *path, char *failed, const char **hint)
{
    (void)a, (void)failed, (void)hint;
    return vb_fat_mkdir(fs, path);
}

int cli_cmd_fs_mkdir(const cli_args *a) { return each_path(a, op_mkdir); }

/* FatFs says EACCES for several reasons: name the likely one. */
static const char *rmdir_hint(vb_fat *fs, const char *path, int err)
{
    if (err != -EACCES)
        return NULL;
    if (strcmp(path, "/") == 0)
        return "the root directory cannot be removed";
    vb_fat_dir d;
    vb_fat_info st;
    if (vb_fat_opendir(fs, &d, path) == 0 && vb_fat_readdir(&d, &st) == 1)
        return "the directory is not empty";
    return NULL;
}

static int op_rmdir(const cli_args *a, vb_fat *fs, const char *path, char *failed, const char **hint)
{
    (void)a, (void)failed;
    int r = vb_fat_rmdir(fs, path);
    if (r < 0)
        *hint = rmdir_hint(fs, path, r);
    return r;
}

int cli_cmd_fs_rmdir(const cli_args *a) { return each_path(a, op_rmdir); }

/* ---- mv, df ------------------------------------------------------------------------ */

int cli_cmd_fs_mv(const cli_args *a)
{
    char from[CLI_PATH_MAX], to[CLI_PATH_MAX];
    if (!cli_board_path(a, a->argv[0], from) || !cli_board_path(a, a->argv[1], to))
        return CLI_USAGE;
    vb_image im;
    int rc = cli_open_fs(a, &im);
    if (rc != CLI_OK)
        return rc;
    /* Into DST when it is a directory (or spelled as one), as mv(1) does. */
    vb_fat_info st;
    bool into = vb_path_names_dir(a->argv[1]);
    if (!into && vb_fat_stat(&im.fat, to, &st) == 0 && st.is_dir && strcmp(from, to) != 0)
        into = true;
    char base[CLI_PATH_MAX], dest[CLI_PATH_MAX];
    int r = 0;
    if (into && (vb_path_basename(from, base, sizeof base) < 0 ||
                 vb_path_join(to, base, dest, sizeof dest) < 0))
        r = -ENAMETOOLONG;
    else if (!into)
        snprintf(dest, sizeof dest, "%s", to);
    if (r == 0)
        r = vb_fat_rename(&im.fat, from, dest);
    if (r < 0) {
        char both[2 * CLI_PATH_MAX + 8];
        snprintf(both, sizeof both, ":%s -> :%s", from, dest);
        cli_errno(a, both, r, NULL);
        rc = CLI_FAILED;
    }
    return cli_close_image(a, &im, rc);
}

int cli_cmd_fs_df(const cli_args *a)
{
    vb_image im;
    int rc = cli_open_fs(a, &im);
    if (rc != CLI_OK)
        return rc;
    vb_fat_usage u;
    int r = vb_fat_statvfs(&im.fat, &u);
    if (r < 0) {
        cli_errno(a, a->image, r, NULL);
        rc = CLI_FAILED;
    } else {
        uint64_t size = (uint64_t)u.n_clusters * u.cluster_bytes;
        uint64_t free_bytes = (uint64_t)u.free_clusters * u.cluster_bytes;
        printf("size: %llu bytes, used: %llu bytes, free: %llu bytes, cluster: %u bytes\n",
               (unsigned long long)size, (unsigned long long)(size - free_bytes),
               (unsigned long long)free_bytes, u.cluster_bytes);
    }
    return cli_close_image(a, &im, rc);
}
