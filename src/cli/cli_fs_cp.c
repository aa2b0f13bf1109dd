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
#include <fcntl.h>
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
    vb_vol *v;
    bool recursive;
    int rc;              /* CLI_FAILED once anything failed */
    cli_walk walk;       /* board directories copied to the host so far */
} cp;

static void host_fail(cp *c, const char *path, int err, const char *hint)
{
    static char shown[CLI_SHOWN_MAX];
    cli_errno(c->a, cli_shown(path, true, shown, sizeof shown), err, hint);
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
    vb_vol_file f;
    int r = vb_vol_open(c->v, &f, board, "w");
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
        ssize_t w = vb_vol_write(&f, buf, n);
        if (w < 0 || (size_t)w != n) {
            r = w < 0 ? (int)w : -ENOSPC;
            break;
        }
    }
    int cl = vb_vol_close(&f);
    if (r == 0)
        r = cl;
    fclose(in);
    if (r < 0 || host_err < 0) {
        vb_vol_remove(c->v, board);   /* best effort: no half copies on the board */
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
    int r = vb_vol_mkdir(c->v, board);
    vb_vol_info st;
    if (r == -EEXIST && vb_vol_stat(c->v, board, &st) == 0 && st.is_dir)
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

int cli_fs_put_contents(const cli_args *a, vb_vol *v, const char *host_dir, const char *board_dir)
{
    cp c = {.a = a, .v = v, .recursive = true, .rc = CLI_OK};
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

/* Names read from the image are untrusted. Nothing is created by path: the
 * destination directory the user named is opened once, and every file and
 * directory below it is made with *at() calls relative to a directory fd
 * that was itself reached with O_NOFOLLOW, one checked component at a time
 * (cli_walk_child refuses '/', '\\', "..", control characters...). A
 * symbolic link already in the destination tree (or planted during the
 * copy) is never followed: a directory that turns out to be one is refused;
 * a file is written to a fresh temporary name (O_CREAT|O_EXCL|O_NOFOLLOW)
 * and renamed over the entry, replacing a link or a hard link rather than
 * writing through it. */

#define TMP_TRIES 100

/* A new, empty file in dirfd with a temporary name (*tmp): an fd, or -errno. */
static int host_tmpfile(int dirfd, char tmp[64])
{
    static unsigned counter;
    for (int i = 0; i < TMP_TRIES; i++) {
        snprintf(tmp, 64, ".vboard-cp.%ld.%u", (long)getpid(), counter++);
        int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd >= 0 ? fd : -errno;
    }
    return -EEXIST;
}

static int write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Board file -> dirfd/name (host: the same, for messages). */
static void get_file(cp *c, const char *board, int dirfd, const char *name, const char *host)
{
    vb_vol_file f;
    int r = vb_vol_open(c->v, &f, board, "r");
    if (r < 0) {
        board_fail(c, board, r, NULL);
        return;
    }
    char tmp[64];
    int out = host_tmpfile(dirfd, tmp);
    if (out < 0) {
        vb_vol_close(&f);
        host_fail(c, host, out, NULL);
        return;
    }
    char buf[CP_CHUNK];
    int host_err = 0;
    ssize_t got;
    while ((got = vb_vol_read(&f, buf, sizeof buf)) > 0)
        if ((host_err = write_all(out, buf, (size_t)got)) < 0)
            break;
    vb_vol_close(&f);
    if (close(out) != 0 && host_err == 0)
        host_err = -errno;
    /* rename(2) replaces the entry itself, whatever it is (a symbolic link
     * included); a directory of that name makes it fail. */
    if (got >= 0 && host_err == 0 && renameat(dirfd, tmp, dirfd, name) != 0)
        host_err = -errno;
    if (got < 0 || host_err < 0) {
        unlinkat(dirfd, tmp, 0);   /* no half copies on the host either */
        if (host_err < 0)
            host_fail(c, host, host_err, host_err == -EISDIR ? "a directory is in the way" : NULL);
        else
            board_fail(c, board, (int)got, NULL);
    }
}

/* The directory dirfd/name, made if missing, opened without following a
 * symbolic link: an fd, or -errno (-ELOOP for a link). */
static int host_subdir(int dirfd, const char *name)
{
    if (mkdirat(dirfd, name, 0777) != 0 && errno != EEXIST)
        return -errno;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0)
        return fd;
    int err = -errno;
    struct stat hs;
    if (fstatat(dirfd, name, &hs, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(hs.st_mode))
        return -ELOOP;
    return err;
}

static void get_entry(cp *c, const char *board, const vb_vol_info *st, int dirfd,
                      const char *name, const char *host, int depth);

/* Every entry of the board directory `board` into the host directory open
 * as dirfd (host: its path, for messages). */
static void get_contents(cp *c, const char *board, int dirfd, const char *host, int depth)
{
    cli_dirent *ents;
    size_t n;
    int r = cli_read_dir(c->v, board, &ents, &n);
    if (r < 0) {
        board_fail(c, board, r, NULL);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char bchild[CLI_PATH_MAX], hchild[CLI_PATH_MAX];
        if (!cli_walk_child(c->a, &c->walk, c->v, board, &ents[i], bchild)) {
            c->rc = CLI_FAILED;
            continue;
        }
        if (vb_path_join(host, ents[i].name, hchild, sizeof hchild) < 0) {
            board_fail(c, bchild, -ENAMETOOLONG, NULL);
            continue;
        }
        vb_vol_info st;
        if ((r = vb_vol_stat(c->v, bchild, &st)) < 0)
            board_fail(c, bchild, r, NULL);
        else
            get_entry(c, bchild, &st, dirfd, ents[i].name, hchild, depth + 1);
    }
    cli_free_dir(ents, n);
}

static void get_entry(cp *c, const char *board, const vb_vol_info *st, int dirfd,
                      const char *name, const char *host, int depth)
{
    if (!st->is_dir) {
        get_file(c, board, dirfd, name, host);
    } else if (!c->recursive) {
        board_fail(c, board, -EISDIR, "use -r to copy directories");
    } else if (depth >= CLI_MAX_DEPTH) {
        board_fail(c, board, -ELOOP, "directories nested too deep");
    } else {
        int sub = host_subdir(dirfd, name);
        if (sub < 0) {
            host_fail(c, host, sub, sub == -ELOOP ? "a symbolic link: not followed" : NULL);
            return;
        }
        get_contents(c, board, sub, host, depth);
        close(sub);
    }
}

/* The top of a board -> host copy: `board` to the host path `target`, which
 * is dst itself (a new name) or dst/base (into the directory dst). The
 * user's own path is followed as given; everything below it is not. */
static void get_path(cp *c, const char *board, const char *dst, bool into, const char *base,
                     const char *target)
{
    vb_vol_info st;
    int r = vb_vol_stat(c->v, board, &st);
    if (r < 0) {
        board_fail(c, board, r, NULL);
        return;
    }
    cli_walk_free(&c->walk);   /* each source is one walk */
    if (st.is_dir && c->recursive && (r = cli_walk_start(&c->walk, c->v, board)) < 0) {
        board_fail(c, board, r, NULL);
        return;
    }
    char parent[CLI_PATH_MAX], name[CLI_PATH_MAX];
    if (into) {
        snprintf(parent, sizeof parent, "%s", dst);
        snprintf(name, sizeof name, "%s", base);
    } else {
        const char *slash = strrchr(dst, '/');
        if (!slash)
            snprintf(parent, sizeof parent, ".");
        else if (slash == dst)
            snprintf(parent, sizeof parent, "/");
        else
            snprintf(parent, sizeof parent, "%.*s", (int)(slash - dst), dst);
        snprintf(name, sizeof name, "%s", slash ? slash + 1 : dst);
    }
    int dirfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        host_fail(c, parent, -errno, NULL);
        return;
    }
    if (name[0] == '\0' && st.is_dir && c->recursive)   /* the root, into dst itself */
        get_contents(c, board, dirfd, target, 0);
    else if (name[0] == '\0')
        host_fail(c, target, -EISDIR, st.is_dir ? "use -r to copy directories" : NULL);
    else
        get_entry(c, board, &st, dirfd, name, target, 0);
    close(dirfd);
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
        vb_vol_info st;
        int r = vb_vol_stat(c->v, board_dst, &st);
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
    cp c = {.a = a, .v = &im.fs.vol, .recursive = a->opts & CLI_OPT_RECURSIVE, .rc = CLI_OK};
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
            get_path(&c, board_src, dst, into, base, target);
        }
    }
    cli_walk_free(&c.walk);
    return cli_close_image(a, &im, c.rc);
}
