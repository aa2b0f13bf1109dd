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

#include "fs/fat_name.h"
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

const char *cli_shown(const char *s, bool keep_slash, char *buf, size_t len)
{
    vb_path_escape(s, strlen(s), keep_slash, buf, len);   /* cut short at worst */
    return buf;
}

void cli_board_errno(const cli_args *a, const char *path, int err, const char *hint)
{
    static char esc[CLI_SHOWN_MAX], shown[CLI_SHOWN_MAX + 1];
    snprintf(shown, sizeof shown, ":%s", cli_shown(path, true, esc, sizeof esc));
    cli_errno(a, shown, err, hint);
}

int cli_walk_enter(cli_walk *w, uint32_t cluster)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->seen[i] == cluster)
            return -ELOOP;
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        uint32_t *p = realloc(w->seen, cap * sizeof *p);
        if (!p)
            return -ENOMEM;
        w->seen = p;
        w->cap = cap;
    }
    w->seen[w->n++] = cluster;
    return 0;
}

void cli_walk_free(cli_walk *w)
{
    free(w->seen);
    *w = (cli_walk){0};
}

int cli_walk_start(cli_walk *w, vb_fat *fs, const char *path)
{
    char prefix[CLI_PATH_MAX];
    size_t len = strlen(path);
    if (len >= sizeof prefix)
        return -ENAMETOOLONG;
    int r = cli_walk_enter(w, 0);   /* the root */
    for (size_t i = 1; r == 0 && i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        memcpy(prefix, path, i);
        prefix[i] = '\0';
        vb_fat_info st;
        if ((r = vb_fat_stat(fs, prefix, &st)) < 0)
            break;
        if (!st.is_dir)
            return -ENOTDIR;
        r = cli_walk_enter(w, st.first_cluster);
        if (r == -ELOOP)
            r = 0;   /* a loop on the user's own path: it was walked already */
    }
    return r;
}

bool cli_walk_child(const cli_args *a, cli_walk *w, vb_fat *fs, const char *dir,
                    const cli_dirent *e, char *child)
{
    static char name[CLI_SHOWN_MAX], where[CLI_SHOWN_MAX];
    vb_fatname_unsafe why = vb_fatname_check(e->name, strlen(e->name));
    if (why != VB_FATNAME_SAFE) {
        cli_error(a, ":%s%s%s: unsafe name in the image refused (%s)",
                  cli_shown(dir, true, where, sizeof where), strcmp(dir, "/") ? "/" : "",
                  cli_shown(e->name, false, name, sizeof name), vb_fatname_unsafe_text(why));
        return false;
    }
    if (vb_path_join(dir, e->name, child, CLI_PATH_MAX) < 0) {
        cli_board_errno(a, dir, -ENAMETOOLONG, NULL);
        return false;
    }
    /* The path must lead back to this entry: a crafted directory may hold
     * two entries of one name, and only the first can be reached. */
    vb_fat_info st;
    int r = vb_fat_stat(fs, child, &st);
    if (r < 0) {
        cli_board_errno(a, child, r, NULL);
        return false;
    }
    if (st.is_dir != e->is_dir || st.first_cluster != e->cluster) {
        cli_board_errno(a, child, -EEXIST, "another entry of the same name comes first in its "
                        "directory; this one is skipped");
        return false;
    }
    if (e->is_dir && (r = cli_walk_enter(w, e->cluster)) < 0) {
        char hint[96];
        snprintf(hint, sizeof hint, "directory loop: cluster %u was already walked; not again",
                 (unsigned)e->cluster);
        cli_board_errno(a, child, r, r == -ELOOP ? hint : NULL);
        return false;
    }
    return true;
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
        v[len] = (cli_dirent){strdup(st.name), st.is_dir, st.size, st.first_cluster, st.wdate,
                              st.wtime};
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
    static char shown[CLI_SHOWN_MAX];
    printf("%s%s\n", cli_shown(name, false, shown, sizeof shown), is_dir ? "/" : "");
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

/* Box-drawing tree as `tree` and mpremote print it. Names are shown
 * escaped; a directory whose name is unsafe, or that the walk has already
 * entered (a loop in a crafted image), is listed but not descended into. */
static int tree_walk(const cli_args *a, cli_walk *w, vb_fat *fs, const char *path, char *prefix,
                     size_t plen, int depth)
{
    cli_dirent *ents;
    size_t n;
    int r = cli_read_dir(fs, path, &ents, &n);
    if (r < 0) {
        cli_board_errno(a, path, r, NULL);
        return CLI_FAILED;
    }
    int rc = CLI_OK;
    static char shown[CLI_SHOWN_MAX];
    for (size_t i = 0; i < n; i++) {
        bool last = i + 1 == n;
        printf("%.*s%s%s%s\n", (int)plen, prefix, last ? "└── " : "├── ",
               cli_shown(ents[i].name, false, shown, sizeof shown), ents[i].is_dir ? "/" : "");
        if (!ents[i].is_dir)
            continue;
        char child[CLI_PATH_MAX];
        const char *bar = last ? "    " : "│   ";
        if (depth >= CLI_MAX_DEPTH || plen + strlen(bar) >= CLI_PATH_MAX) {
            printf("%.*s%s└── ...\n", (int)plen, prefix, bar);
            continue;
        }
        fflush(stdout);   /* a refusal comes after the line it is about */
        if (!cli_walk_child(a, w, fs, path, &ents[i], child)) {
            rc = CLI_FAILED;
            continue;
        }
        memcpy(prefix + plen, bar, strlen(bar));
        if (tree_walk(a, w, fs, child, prefix, plen + strlen(bar), depth + 1) != CLI_OK)
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
    cli_walk w = {0};
    int r = cli_walk_start(&w, &im.fat, path);
    if (r < 0) {
        cli_board_errno(a, path, r, NULL);
        rc = CLI_FAILED;
    } else {
        char prefix[CLI_PATH_MAX];
        static char shown[CLI_SHOWN_MAX];
        printf(":%s\n", cli_shown(path, true, shown, sizeof shown));
        rc = tree_walk(a, &w, &im.fat, path, prefix, 0, 1);
    }
    fflush(stdout);
    cli_walk_free(&w);
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
 * the path that could not go. An entry cli_walk_child refuses (an unsafe or
 * duplicate name, a directory loop) is left in place, said on stderr, and
 * makes the removal fail with -EPERM once the rest is gone. */
static int remove_below(const cli_args *a, cli_walk *w, vb_fat *fs, const char *path, int depth,
                        char *failed)
{
    cli_dirent *ents;
    size_t n;
    int r = cli_read_dir(fs, path, &ents, &n);
    if (r < 0) {
        snprintf(failed, CLI_PATH_MAX, "%s", path);
        return r;
    }
    int refused = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        char child[CLI_PATH_MAX];
        if (depth >= CLI_MAX_DEPTH) {
            r = -ELOOP;
            snprintf(failed, CLI_PATH_MAX, "%s", path);
            break;
        }
        if (!cli_walk_child(a, w, fs, path, &ents[i], child)) {
            refused = -EPERM;
            snprintf(failed, CLI_PATH_MAX, "%s", path);
            continue;
        }
        if (ents[i].is_dir) {
            r = remove_below(a, w, fs, child, depth + 1, failed);
            if (r == 0 && (r = vb_fat_rmdir(fs, child)) < 0)
                snprintf(failed, CLI_PATH_MAX, "%s", child);
        } else if ((r = vb_fat_remove(fs, child)) < 0) {
            snprintf(failed, CLI_PATH_MAX, "%s", child);
        }
    }
    cli_free_dir(ents, n);
    return r < 0 ? r : refused;
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
    cli_walk w = {0};
    r = cli_walk_start(&w, fs, path);
    if (r == 0)
        r = remove_below(a, &w, fs, path, 1, failed);
    cli_walk_free(&w);
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
        static char both[2 * CLI_SHOWN_MAX + 8], e1[CLI_SHOWN_MAX], e2[CLI_SHOWN_MAX];
        snprintf(both, sizeof both, ":%s -> :%s", cli_shown(from, true, e1, sizeof e1),
                 cli_shown(dest, true, e2, sizeof e2));
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
