/* `vboard fs FILE ...`: ls, tree, cat, rm, mkdir, rmdir, mv, df.
 * (cp lives in cli_fs_cp.c.) Every command opens the image, mounts its
 * filesystem (FAT with UTF-8 names, or littlefs: fs/vol.h, one code path
 * for both) and closes it through cli_close_image, also after a failure,
 * so the volume is always synced and unlocked the way the driver leaves
 * it. */
#include "cli_fs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/fat_name.h"
#include "util/civil.h"
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

int cli_walk_enter(cli_walk *w, uint32_t id)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->seen[i] == id)
            return -ELOOP;
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        uint32_t *p = realloc(w->seen, cap * sizeof *p);
        if (!p)
            return -ENOMEM;
        w->seen = p;
        w->cap = cap;
    }
    w->seen[w->n++] = id;
    return 0;
}

void cli_walk_free(cli_walk *w)
{
    free(w->seen);
    *w = (cli_walk){0};
}

/* The walk's identity of the board directory `path` (cli_walk): FAT its
 * first cluster, littlefs the block holding its newest commit. */
static int dir_id(vb_vol *v, const char *path, uint32_t *id)
{
    if (v->kind == VB_VOL_FAT) {
        vb_fat_info st;
        *id = 0;   /* the root */
        int r = strcmp(path, "/") == 0 ? 0 : vb_fat_stat(&v->u.fat, path, &st);
        if (r == 0 && strcmp(path, "/") != 0)
            *id = st.first_cluster;
        return r;
    }
    vb_vol_dir d;
    int r = vb_vol_opendir(v, &d, path);
    if (r < 0)
        return r;
    *id = d.u.lfs2.head[0];   /* the pair's block that opendir fetched as newest */
    vb_vol_closedir(&d);
    return 0;
}

int cli_walk_start(cli_walk *w, vb_vol *v, const char *path)
{
    char prefix[CLI_PATH_MAX];
    size_t len = strlen(path);
    if (len >= sizeof prefix)
        return -ENAMETOOLONG;
    uint32_t id;
    int r = dir_id(v, "/", &id);
    if (r == 0)
        r = cli_walk_enter(w, id);
    for (size_t i = 1; r == 0 && i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        memcpy(prefix, path, i);
        prefix[i] = '\0';
        vb_vol_info st;
        if ((r = vb_vol_stat(v, prefix, &st)) < 0)
            break;
        if (!st.is_dir)
            return -ENOTDIR;
        if ((r = dir_id(v, prefix, &id)) < 0)
            break;
        r = cli_walk_enter(w, id);
        if (r == -ELOOP)
            r = 0;   /* a loop on the user's own path: it was walked already */
    }
    return r;
}

/* The rule for names read from an image (issue 11). Both drivers: no
 * separator, NUL, control character or "."/".." ever reaches a host path.
 * FAT also refuses what it cannot look up as itself (vb_fatname_check);
 * littlefs stores those (':' '*' '?', a trailing dot) as any other byte. */
static vb_fatname_unsafe name_unsafe(const vb_vol *v, const char *name)
{
    vb_fatname_unsafe why = vb_fatname_check(name, strlen(name));
    if (v->kind == VB_VOL_LFS2 && (why == VB_FATNAME_ILLEGAL || why == VB_FATNAME_TRAILING))
        return VB_FATNAME_SAFE;
    return why;
}

bool cli_walk_child(const cli_args *a, cli_walk *w, vb_vol *v, const char *dir,
                    const cli_dirent *e, char *child)
{
    static char name[CLI_SHOWN_MAX], where[CLI_SHOWN_MAX];
    vb_fatname_unsafe why = name_unsafe(v, e->name);
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
    vb_vol_info st;
    int r = vb_vol_stat(v, child, &st);
    bool same = r == 0 && st.is_dir == e->is_dir && !e->dup;
    uint32_t id = e->cluster;
    if (r == 0 && same && v->kind == VB_VOL_FAT) {
        vb_fat_info fst;
        r = vb_fat_stat(&v->u.fat, child, &fst);
        same = r == 0 && fst.first_cluster == e->cluster;
    } else if (r == 0 && same) {
        same = e->is_dir || st.size == e->size;
        if (same && e->is_dir)
            r = dir_id(v, child, &id);
    }
    if (r < 0) {
        cli_board_errno(a, child, r, NULL);
        return false;
    }
    if (!same) {
        cli_board_errno(a, child, -EEXIST, "another entry of the same name comes first in its "
                        "directory; this one is skipped");
        return false;
    }
    if (e->is_dir && (r = cli_walk_enter(w, id)) < 0) {
        char hint[96];
        snprintf(hint, sizeof hint, "directory loop: %s %u was already walked; not again",
                 v->kind == VB_VOL_FAT ? "cluster" : "metadata block", (unsigned)id);
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

/* Room for one more entry in *v. */
static int grow(cli_dirent **v, size_t len, size_t *cap)
{
    if (len < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 16;
    cli_dirent *p = realloc(*v, c * sizeof *p);
    if (!p)
        return -ENOMEM;
    *v = p;
    *cap = c;
    return 0;
}

/* FAT: the listing with each entry's first cluster (the walk's identity). */
static int read_dir_fat(vb_fat *fs, const char *path, cli_dirent **v, size_t *len, size_t *cap)
{
    vb_fat_dir d;
    vb_fat_info st;
    int rc = vb_fat_opendir(fs, &d, path);
    while (rc >= 0 && (rc = vb_fat_readdir(&d, &st)) == 1) {
        if ((rc = grow(v, *len, cap)) < 0)
            break;
        int64_t mtime = st.wdate ? vb_fat_dos_to_unix(st.wdate, st.wtime) : 0;
        (*v)[*len] = (cli_dirent){strdup(st.name), st.is_dir, st.size, mtime, st.first_cluster, false};
        if (!(*v)[(*len)++].name)
            rc = -ENOMEM;
    }
    return rc;
}

static int cmp_index_names(const void *x, const void *y, void *ents)
{
    const cli_dirent *e = ents;
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    int c = strcmp(e[i].name, e[j].name);
    return c ? c : i < j ? -1 : i > j;
}

/* littlefs: the listing as the driver has it, duplicate names marked (all
 * but the first of each name in listing order). Read below the volume
 * layer, whose listings drop every entry named "." or "..": here only the
 * two littlefs makes up come off, so that such a name planted in a crafted
 * image reaches cli_walk_child and is refused aloud, as on FAT. */
static int read_dir_lfs2(vb_lfs2 *fs, const char *path, cli_dirent **v, size_t *len, size_t *cap)
{
    vb_lfs2_dir d;
    vb_lfs2_info st;
    int rc = vb_lfs2_opendir(fs, &d, path);
    if (rc < 0)
        return rc;
    for (unsigned pos = 0; (rc = vb_lfs2_readdir(&d, &st)) == 1; pos++) {
        if (pos < 2)
            continue;           /* littlefs's own "." and ".." come first */
        if ((rc = grow(v, *len, cap)) < 0)
            break;
        bool is_dir = st.type == VB_LFS2_TYPE_DIR;
        (*v)[*len] = (cli_dirent){strdup(st.name), is_dir, is_dir ? 0 : st.size, 0, 0, false};
        if (!(*v)[(*len)++].name) {
            rc = -ENOMEM;
            break;
        }
    }
    vb_lfs2_closedir(&d);
    if (rc < 0 || *len < 2)
        return rc;
    size_t *order = malloc(*len * sizeof *order);
    if (!order)
        return -ENOMEM;
    for (size_t i = 0; i < *len; i++)
        order[i] = i;
    qsort_r(order, *len, sizeof *order, cmp_index_names, *v);
    for (size_t i = 1; i < *len; i++)
        if (strcmp((*v)[order[i]].name, (*v)[order[i - 1]].name) == 0)
            (*v)[order[i]].dup = true;
    free(order);
    return 0;
}

int cli_read_dir(vb_vol *vol, const char *path, cli_dirent **out, size_t *n)
{
    cli_dirent *v = NULL;
    size_t len = 0, cap = 0;
    int rc = vol->kind == VB_VOL_FAT ? read_dir_fat(&vol->u.fat, path, &v, &len, &cap)
                                     : read_dir_lfs2(&vol->u.lfs2, path, &v, &len, &cap);
    if (rc < 0) {
        cli_free_dir(v, len);
        return rc;
    }
    *out = v;
    *n = len;
    return 0;
}

/* ---- ls, tree ---------------------------------------------------------------- */

static void print_entry(const char *name, bool is_dir, uint32_t size, int64_t mtime,
                        bool long_format)
{
    if (long_format && mtime) {
        vb_civil c = vb_civil_from_seconds(mtime - VB_CIVIL_EPOCH_UNIX_SECS);
        printf("%10u %04lld-%02d-%02d %02d:%02d ", size, (long long)c.year, c.month, c.mday, c.hour,
               c.minute);
    } else if (long_format) {
        printf("%10u ---------- ----- ", size);   /* the entry has no time */
    }
    static char shown[CLI_SHOWN_MAX];
    printf("%s%s\n", cli_shown(name, false, shown, sizeof shown), is_dir ? "/" : "");
}

/* An entry's time for ls -l: littlefs listings carry none (its mtime is
 * an attribute, read by path), so a safe name is looked up. */
static int64_t entry_mtime(vb_vol *v, const char *dir, const cli_dirent *e)
{
    char child[CLI_PATH_MAX];
    vb_vol_info st;
    if (e->mtime || v->kind == VB_VOL_FAT || name_unsafe(v, e->name) != VB_FATNAME_SAFE ||
        vb_path_join(dir, e->name, child, sizeof child) < 0 || vb_vol_stat(v, child, &st) < 0)
        return e->mtime;
    return st.mtime;
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
    vb_vol *v = &im.fs.vol;
    bool long_format = a->opts & CLI_OPT_LONG;
    vb_vol_info st;
    int r = vb_vol_stat(v, path, &st);
    if (r == 0 && !st.is_dir) {
        print_entry(st.name, false, st.size, st.mtime, long_format);
    } else if (r == 0) {
        cli_dirent *ents;
        size_t n;
        if ((r = cli_read_dir(v, path, &ents, &n)) == 0) {
            for (size_t i = 0; i < n; i++)
                print_entry(ents[i].name, ents[i].is_dir, ents[i].size,
                            long_format ? entry_mtime(v, path, &ents[i]) : 0, long_format);
            cli_free_dir(ents, n);
        }
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
static int tree_walk(const cli_args *a, cli_walk *w, vb_vol *v, const char *path, char *prefix,
                     size_t plen, int depth)
{
    cli_dirent *ents;
    size_t n;
    int r = cli_read_dir(v, path, &ents, &n);
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
        if (!cli_walk_child(a, w, v, path, &ents[i], child)) {
            rc = CLI_FAILED;
            continue;
        }
        memcpy(prefix + plen, bar, strlen(bar));
        if (tree_walk(a, w, v, child, prefix, plen + strlen(bar), depth + 1) != CLI_OK)
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
    int r = cli_walk_start(&w, &im.fs.vol, path);
    if (r < 0) {
        cli_board_errno(a, path, r, NULL);
        rc = CLI_FAILED;
    } else {
        char prefix[CLI_PATH_MAX];
        static char shown[CLI_SHOWN_MAX];
        printf(":%s\n", cli_shown(path, true, shown, sizeof shown));
        rc = tree_walk(a, &w, &im.fs.vol, path, prefix, 0, 1);
    }
    fflush(stdout);
    cli_walk_free(&w);
    return cli_close_image(a, &im, rc);
}

/* ---- cat ----------------------------------------------------------------------- */

static int cat_one(vb_vol *v, const char *path)
{
    vb_vol_info st;
    int r = vb_vol_stat(v, path, &st);
    if (r < 0)
        return r;
    if (st.is_dir)
        return -EISDIR;
    vb_vol_file f;
    if ((r = vb_vol_open(v, &f, path, "r")) < 0)
        return r;
    char buf[4096];
    ssize_t got;
    while ((got = vb_vol_read(&f, buf, sizeof buf)) > 0)
        if (fwrite(buf, 1, (size_t)got, stdout) != (size_t)got) {
            got = -EIO;
            break;
        }
    int c = vb_vol_close(&f);
    return got < 0 ? (int)got : c;
}

/* One operation on one board path. `failed` starts as the path and names
 * what could not be done when that is something below it; `hint` may add
 * a reason. Returns 0 or a negative errno. */
typedef int (*path_op)(const cli_args *a, vb_vol *v, const char *path, char *failed,
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
        int r = op(a, &im.fs.vol, path, failed, &hint);
        if (r < 0) {
            fflush(stdout);   /* cat's output so far comes before the error */
            cli_board_errno(a, failed, r, hint);
            rc = CLI_FAILED;
        }
    }
    fflush(stdout);
    return cli_close_image(a, &im, rc);
}

static int op_cat(const cli_args *a, vb_vol *v, const char *path, char *failed, const char **hint)
{
    (void)a, (void)failed, (void)hint;
    return cat_one(v, path);
}

int cli_cmd_fs_cat(const cli_args *a) { return each_path(a, op_cat); }

/* ---- rm, mkdir, rmdir ------------------------------------------------------------ */

/* Remove everything below `path` (not path itself). On failure *failed names
 * the path that could not go. An entry cli_walk_child refuses (an unsafe or
 * duplicate name, a directory loop) is left in place, said on stderr, and
 * makes the removal fail with -EPERM once the rest is gone. */
static int remove_below(const cli_args *a, cli_walk *w, vb_vol *v, const char *path, int depth,
                        char *failed)
{
    cli_dirent *ents;
    size_t n;
    int r = cli_read_dir(v, path, &ents, &n);
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
        if (!cli_walk_child(a, w, v, path, &ents[i], child)) {
            refused = -EPERM;
            snprintf(failed, CLI_PATH_MAX, "%s", path);
            continue;
        }
        if (ents[i].is_dir) {
            r = remove_below(a, w, v, child, depth + 1, failed);
            if (r == 0 && (r = vb_vol_rmdir(v, child)) < 0)
                snprintf(failed, CLI_PATH_MAX, "%s", child);
        } else if ((r = vb_vol_remove(v, child)) < 0) {
            snprintf(failed, CLI_PATH_MAX, "%s", child);
        }
    }
    cli_free_dir(ents, n);
    return r < 0 ? r : refused;
}

static int op_rm(const cli_args *a, vb_vol *v, const char *path, char *failed, const char **hint)
{
    vb_vol_info st;
    int r = vb_vol_stat(v, path, &st);
    if (r < 0)
        return r;
    if (!st.is_dir)
        return vb_vol_remove(v, path);
    if (!(a->opts & CLI_OPT_RECURSIVE)) {
        *hint = "use -r to remove directories";
        return -EISDIR;
    }
    /* rm -r of the root empties it; the root itself stays. */
    cli_walk w = {0};
    r = cli_walk_start(&w, v, path);
    if (r == 0)
        r = remove_below(a, &w, v, path, 1, failed);
    cli_walk_free(&w);
    if (r == 0 && strcmp(path, "/") != 0 && (r = vb_vol_rmdir(v, path)) < 0)
        snprintf(failed, CLI_PATH_MAX, "%s", path);
    return r;
}

int cli_cmd_fs_rm(const cli_args *a) { return each_path(a, op_rm); }

static int op_mkdir(const cli_args *a, vb_vol *v, const char *path, char *failed, const char **hint)
{
    (void)a, (void)failed, (void)hint;
    return vb_vol_mkdir(v, path);
}

int cli_cmd_fs_mkdir(const cli_args *a) { return each_path(a, op_mkdir); }

/* FatFs says EACCES for several reasons, littlefs EINVAL for the root:
 * name the likely one. */
static const char *rmdir_hint(vb_vol *v, const char *path, int err)
{
    if (strcmp(path, "/") == 0)
        return "the root directory cannot be removed";
    if (err != -EACCES)
        return NULL;
    vb_vol_dir d;
    vb_vol_info st;
    const char *hint = NULL;
    if (vb_vol_opendir(v, &d, path) == 0) {
        if (vb_vol_readdir(&d, &st) == 1)
            hint = "the directory is not empty";
        vb_vol_closedir(&d);
    }
    return hint;
}

static int op_rmdir(const cli_args *a, vb_vol *v, const char *path, char *failed, const char **hint)
{
    (void)a, (void)failed;
    /* littlefs's remove takes files too (MicroPython's rmdir does): rmdir(1)
     * does not. */
    vb_vol_info st;
    int r = vb_vol_stat(v, path, &st);
    if (r == 0 && !st.is_dir)
        r = -ENOTDIR;
    else if (r == 0)
        r = vb_vol_rmdir(v, path);
    if (r < 0)
        *hint = rmdir_hint(v, path, r);
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
    vb_vol *v = &im.fs.vol;
    /* Into DST when it is a directory (or spelled as one), as mv(1) does. */
    vb_vol_info st;
    bool into = vb_path_names_dir(a->argv[1]);
    if (!into && vb_vol_stat(v, to, &st) == 0 && st.is_dir && strcmp(from, to) != 0)
        into = true;
    char base[CLI_PATH_MAX], dest[CLI_PATH_MAX];
    int r = 0;
    if (into && (vb_path_basename(from, base, sizeof base) < 0 ||
                 vb_path_join(to, base, dest, sizeof dest) < 0))
        r = -ENAMETOOLONG;
    else if (!into)
        snprintf(dest, sizeof dest, "%s", to);
    if (r == 0)
        r = vb_vol_rename(v, from, dest);
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
    vb_vol_usage u;
    int r = vb_vol_statvfs(&im.fs.vol, &u);
    if (r < 0) {
        cli_errno(a, a->image, r, NULL);
        rc = CLI_FAILED;
    } else {
        /* FAT counts clusters of its data area, littlefs blocks of the region */
        uint64_t size = (uint64_t)u.blocks * u.block_size;
        uint64_t free_bytes = (uint64_t)u.free_blocks * u.block_size;
        printf("size: %llu bytes, used: %llu bytes, free: %llu bytes, %s: %u bytes\n",
               (unsigned long long)size, (unsigned long long)(size - free_bytes),
               (unsigned long long)free_bytes, im.fs.vol.kind == VB_VOL_FAT ? "cluster" : "block",
               u.block_size);
    }
    return cli_close_image(a, &im, rc);
}
