/* Randomized differential test: vboard's FAT driver against the host filesystem.
 *
 * Method. One seeded random sequence of operations (open in every mode with
 * reads, writes of 0..20000 bytes, seeks incl. past the end, truncate, flush;
 * mkdir, rmdir, remove, rename within and across directories and onto
 * existing files, stat, listdir; long, mixed-case, non-ASCII, 8.3-colliding
 * and invalid names) is applied to a FAT volume (vb_fat_* on a RAM vb_flash
 * through vb_flash_bdev, at each profile's FS geometry) and to a scratch host
 * directory under mkdtemp. The host directory is the storage of the model;
 * the expected FAT result of each call is computed from the host tree with
 * FAT's rules applied (flash.md §4.4, §4.6):
 *   - lookups are case-insensitive and drop trailing dots and spaces; the
 *     model resolves each path component against the host directory the same
 *     way and keeps at most one name per directory per case-folded spelling;
 *   - FAT's errno where it differs from POSIX: rmdir of a non-empty
 *     directory EACCES, open 'r'/'r+' of a directory ENOENT, other opens of a
 *     directory EACCES, a file as a path component ENOENT, listing a file
 *     ENOENT, invalid characters or names over 255 units EINVAL, a rename onto
 *     an existing file removes it first, onto a directory EISDIR, a directory
 *     into itself EINVAL, seeking past the end of a writable file extends it;
 *   - the gap left by a seek past the end is unspecified on FAT (0xFF or stale
 *     bytes, flash.md §4.6): the model marks those bytes and never compares
 *     them (the host file holds zeros there);
 *   - time stamps from a clock the test sets before each operation: create
 *     time on create and open('w'), write time when a modified file is
 *     closed or flushed and on mkdir, both kept by rename (flash.md §4.5).
 * Each result (return value, errno, bytes read, position) is compared at
 * once; the touched path is compared after each operation, the whole tree
 * (listing, sizes, contents, times) every few operations. Periodically the
 * volume is unmounted and mounted again, checked with the independent checker
 * (src/fs/fat_check.h), and RAM state is dropped without unmounting, either
 * after vb_fat_sync or right after a completed operation (FatFs makes every
 * completed close/mkdir/remove/rename durable, flash.md §7 invariant 3).
 *
 * Usage: test_fat_diff                     the fixed CI seed list, both geometries
 *        test_fat_diff [-g generic|pycom] [-v] SEED [OPS]   one seed by hand
 * -v prints every operation. VBOARD_DIFF_IMAGE_DIR=DIR (or -d DIR) writes, at
 * the end of each run, DIR/diff-GEOM-SEED.img (the FS region) and
 * DIR/diff-GEOM-SEED.tree/ (every file as vboard reads it back) so that
 * tests/e2e can run fsck.fat and compare with mtools. The first mismatch of a
 * run ends that run and prints the recent operations and a replay command. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "flash/flash.h"
#include "flash/flash_bdev.h"
#include "board/profile.h"
#include "fs/fat.h"
#include "fs/fat_check.h"
#include "util/errname.h"

#define PATH_BUF 4096
#define MAX_DEPTH 4            /* directory nesting the generator creates */
#define ROOT_MAX_ENTRIES 8     /* keeps the fixed 512-slot root far from full */
#define DIR_MAX_ENTRIES 12
#define ROOT_NAME_MAX 60       /* long names in the root stay short (few slots) */
#define MAX_FILE 160000u       /* model file size cap */
#define MAX_WRITE 20000u
#define MAX_READ 25000u
#define LOG_RING 12
#define LOG_LEN 600
#define MAX_TREE 400

/* ---- deterministic randomness ------------------------------------------ */

typedef struct rng { uint64_t s; } rng;

static uint64_t rng_u64(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint32_t rng_below(rng *r, uint32_t n) { return n ? (uint32_t)(rng_u64(r) % n) : 0; }
static bool rng_pct(rng *r, unsigned pct) { return rng_below(r, 100) < pct; }

static void rng_fill(rng *r, uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = rng_u64(r);
        for (size_t k = 0; k < 8 && i + k < n; k++)
            buf[i + k] = (uint8_t)(v >> (8 * k));
    }
}

/* ---- calendar (the test's clock) ---------------------------------------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

static void split_time(int64_t t, vb_datetime *dt)
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t secs = t - days * 86400;
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    dt->year = (uint16_t)y;
    dt->month = (uint8_t)m;
    dt->day = (uint8_t)d;
    dt->hour = (uint8_t)(secs / 3600);
    dt->minute = (uint8_t)(secs / 60 % 60);
    dt->second = (uint8_t)(secs % 60);
}

static void dos_of(int64_t t, uint16_t *date, uint16_t *time)
{
    vb_datetime dt;
    split_time(t, &dt);
    *date = (uint16_t)((dt.year - 1980) << 9 | dt.month << 5 | dt.day);
    *time = (uint16_t)(dt.hour << 11 | dt.minute << 5 | dt.second / 2);
}

/* ---- the run's state ----------------------------------------------------- */

typedef struct geometry {
    const char *profile;       /* FS region, sector size, write-back from here */
    vb_fat_names names;        /* generic: host-tool names; pycom: the board's */
} geometry;

static const geometry geometries[] = {
    { "generic", VB_FAT_NAMES_UTF8 },
    { "pycom", VB_FAT_NAMES_OEM },
};

/* What the model knows about one host file or directory, keyed by inode
 * (stable across renames). */
typedef struct meta {
    dev_t dev;
    ino_t ino;
    bool is_dir;
    uint8_t *unspec;           /* files: 1 per byte whose content FAT leaves unspecified */
    size_t len;                /* files: the size */
    uint16_t wdate, wtime;     /* expected write time */
    uint16_t cdate, ctime;     /* expected create time (files) */
} meta;

typedef struct diff_ctx {
    uint64_t seed;
    const geometry *g;
    const vb_profile *prof;
    unsigned op, n_ops;
    rng r;
    vb_flash flash;
    vb_flash_bdev bdev;
    vb_fat fs;
    int64_t now;               /* what the clock reports, seconds since 1970 */
    char root[PATH_BUF];       /* host directory */
    meta *metas;
    size_t n_metas, cap_metas;
    char log[LOG_RING][LOG_LEN];
    unsigned n_log;
    char cur[LOG_LEN];         /* the operation in progress, for messages */
    const char *phase;         /* what the test was doing when a check failed */
    bool failed, verbose;
    unsigned remounts, drops_sync, drops_nosync, full_compares, checks_run;
    unsigned n_ok, n_err;      /* FAT calls that succeeded / failed as expected */
    uint8_t *wbuf, *fbuf, *hbuf;
    struct tentry *tree_buf;   /* MAX_TREE entries, reused by every scan */
    /* name pools */
    char **names;
    size_t n_names;
    char **bad_names;
    size_t n_bad_names;
} diff_ctx;

static const char *errn(long long rc)
{
    if (rc >= 0)
        return "ok";
    const char *n = vb_errname((int)rc);
    return n ? n : "unknown errno";
}

static void log_push(diff_ctx *c)
{
    if (!c->cur[0])
        return;
    char *line = c->log[c->n_log % LOG_RING];
    int k = snprintf(line, LOG_LEN, "#%u ", c->op);
    size_t n = strlen(c->cur);
    if (n > LOG_LEN - 1 - (size_t)k)
        n = LOG_LEN - 1 - (size_t)k;
    memcpy(line + k, c->cur, n);
    line[k + n] = 0;
    c->n_log++;
    if (c->verbose)
        fprintf(stderr, "  #%u %s\n", c->op, c->cur);
    c->cur[0] = 0;
}

static void note(diff_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(diff_ctx *c, const char *fmt, ...)
{
    size_t used = strlen(c->cur);
    if (used + 1 >= LOG_LEN)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->cur + used, LOG_LEN - used, fmt, ap);
    va_end(ap);
}

/* Report the first mismatch of a run, with its context; later ones follow
 * from it and are not printed. */
static void fail(diff_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(diff_ctx *c, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = true;
    check_failures++;
    fprintf(stderr, "test_fat_diff: seed %" PRIu64 " geometry %s op %u%s%s: ", c->seed,
            c->g->profile, c->op, c->phase ? " " : "", c->phase ? c->phase : "");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n  operation in progress: %s\n  recent operations:\n", c->cur[0] ? c->cur : "-");
    unsigned first = c->n_log > LOG_RING ? c->n_log - LOG_RING : 0;
    for (unsigned i = first; i < c->n_log; i++)
        fprintf(stderr, "    %s\n", c->log[i % LOG_RING]);
    fprintf(stderr, "  replay: test_fat_diff -v -g %s %" PRIu64 " %u\n", c->g->profile, c->seed, c->op + 1);
}

#define EXPECT(c, cond, ...) do { check_count++; if (!(cond)) fail((c), __VA_ARGS__); } while (0)

/* A FAT call's result against the model's expectation. */
static bool expect_rc(diff_ctx *c, const char *what, long long got, long long want)
{
    check_count++;
    if (got == want) {
        if (got < 0)
            c->n_err++;
        else
            c->n_ok++;
        return true;
    }
    fail(c, "%s returned %lld (%s), expected %lld (%s)", what, got, errn(got), want, errn(want));
    return false;
}

/* The header leaves EBADF/EACCES open for I/O on a handle without that
 * access (FatFs says FR_DENIED = EACCES, the header's read says EBADF). */
static bool expect_denied(diff_ctx *c, const char *what, long long got)
{
    check_count++;
    if (got == -EBADF || got == -EACCES) {
        c->n_err++;
        return true;
    }
    fail(c, "%s returned %lld (%s), expected -EBADF or -EACCES", what, got, errn(got));
    return false;
}

static void clock_cb(void *ctx, vb_datetime *now)
{
    const diff_ctx *c = ctx;
    split_time(c->now, now);
}

/* ---- model metadata ------------------------------------------------------ */

static meta *meta_find(diff_ctx *c, const struct stat *st)
{
    for (size_t i = 0; i < c->n_metas; i++)
        if (c->metas[i].ino == st->st_ino && c->metas[i].dev == st->st_dev)
            return &c->metas[i];
    return NULL;
}

static meta *meta_new(diff_ctx *c, const struct stat *st, bool is_dir)
{
    meta *m = meta_find(c, st);
    if (!m) {
        if (c->n_metas == c->cap_metas) {
            c->cap_metas = c->cap_metas ? 2 * c->cap_metas : 64;
            c->metas = realloc(c->metas, c->cap_metas * sizeof *c->metas);
            if (!c->metas)
                abort();
        }
        m = &c->metas[c->n_metas++];
        memset(m, 0, sizeof *m);
    } else {
        free(m->unspec);
    }
    memset(m, 0, sizeof *m);
    m->dev = st->st_dev;
    m->ino = st->st_ino;
    m->is_dir = is_dir;
    dos_of(c->now, &m->wdate, &m->wtime);
    dos_of(c->now, &m->cdate, &m->ctime);
    return m;
}

static void meta_drop_path(diff_ctx *c, const char *abs)
{
    struct stat st;
    if (lstat(abs, &st) != 0)
        return;
    meta *m = meta_find(c, &st);
    if (m) {
        free(m->unspec);
        *m = c->metas[--c->n_metas];
    }
}

static void meta_resize(meta *m, size_t len, bool unspecified)
{
    if (len > m->len) {
        m->unspec = realloc(m->unspec, len);
        if (!m->unspec)
            abort();
        memset(m->unspec + m->len, unspecified ? 1 : 0, len - m->len);
    }
    m->len = len;
}

/* ---- names ----------------------------------------------------------------- */

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

static void add_name(char ***arr, size_t *n, const char *s)
{
    *arr = realloc(*arr, (*n + 1) * sizeof **arr);
    if (!*arr)
        abort();
    (*arr)[(*n)++] = xstrdup(s);
}

static void long_name(char *out, size_t len, unsigned variant)
{
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789 _-";
    size_t i = 0;
    i += (size_t)snprintf(out, len + 1, "long%u-", variant);
    for (; i < len; i++)
        out[i] = alpha[(i * 7 + variant) % (sizeof alpha - 1)];
    out[len] = 0;
    /* a final space would be dropped by FAT: keep the name as it is */
    if (out[len - 1] == ' ')
        out[len - 1] = 'z';
}

static void build_names(diff_ctx *c)
{
    static const char *const fixed[] = {
        "a", "b.txt", "data.bin", "x1", "README.TXT", "LIB", "Boot.py", "MixedCase.Txt", "abc.TXT",
        "NOEXT", "config.json", "A Long File Name module.py", "with space.txt", " lead.txt",
        "multi.dot.name.tar.gz", ".hidden", "plus+comma,semi;eq=[br].txt", "UPPER LONG NAME.TEXT",
        "12345678.123", "123456789.1234", "e\xcc\x81t\xc3\xa9", "\xc3\xb1\x61nd\xc3\xba.txt",
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.txt", "\xc3\xbcmlaut", "lib", "sys", "cert", "main.py",
        "boot.py", "d", "sub", "deep dir", "Z",
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        add_name(&c->names, &c->n_names, fixed[i]);
    char buf[300];
    for (unsigned i = 1; i <= 12; i++) {  /* same alias prefix: ~1..~5 then hashed tails */
        snprintf(buf, sizeof buf, "collision name %u.txt", i);
        add_name(&c->names, &c->n_names, buf);
        snprintf(buf, sizeof buf, "longfilename%02u.dat", i);
        add_name(&c->names, &c->n_names, buf);
    }
    static const size_t long_lens[] = { 40, 100, 200, 254, 255 };
    for (unsigned i = 0; i < sizeof long_lens / sizeof long_lens[0]; i++) {
        long_name(buf, long_lens[i], i);
        add_name(&c->names, &c->n_names, buf);
    }
    static const char *const bad[] = {
        "bad*name", "what?.txt", "pi|pe", "<lt>", "quo\"te", "gt>", "...", "   ", " . ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        add_name(&c->bad_names, &c->n_bad_names, bad[i]);
    long_name(buf, 256, 9);  /* one unit over the limit */
    add_name(&c->bad_names, &c->n_bad_names, buf);
}

/* Length of a name in the units FAT counts: UTF-16 units (UTF-8 mode) or
 * bytes (OEM mode: each byte is one CP437 character). */
static size_t name_units(const diff_ctx *c, const char *s)
{
    if (c->g->names == VB_FAT_NAMES_OEM)
        return strlen(s);
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) != 0x80)
            n += *p >= 0xF0 ? 2 : 1;
    }
    return n;
}

/* FAT's view of one path component: -EINVAL, or 0 with the name as stored
 * (trailing dots and spaces dropped). */
static int fat_component(const diff_ctx *c, const char *comp, char *stored, size_t stored_len)
{
    for (const unsigned char *p = (const unsigned char *)comp; *p; p++)
        if (*p == 0x7F || (*p < 0x80 && strchr("\"*:<>?|", *p)))
            return -EINVAL;
    if (name_units(c, comp) > VB_FAT_NAME_MAX)
        return -EINVAL;
    size_t n = strlen(comp);
    while (n && (comp[n - 1] == '.' || comp[n - 1] == ' '))
        n--;
    if (n == 0 || n >= stored_len)
        return -EINVAL;
    memcpy(stored, comp, n);
    stored[n] = 0;
    return 0;
}

/* ---- host side: path resolution with FAT's lookup rules -------------------- */

/* out = a "/" b (or just b when a is empty); paths never get near
 * PATH_BUF, so running out of room is a bug in the test itself. */
static void pjoin(char *out, size_t size, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la + lb + 2 > size) {
        fprintf(stderr, "test_fat_diff: path too long: %s/%s\n", a, b);
        abort();
    }
    memmove(out, a, la);
    if (la)
        out[la++] = '/';
    memmove(out + la, b, lb + 1);
}

static void host_abs(const diff_ctx *c, const char *rel, char *out)
{
    pjoin(out, PATH_BUF, c->root, rel[0] ? rel : "");
    if (!rel[0])
        out[strlen(c->root)] = 0;
}

static void join_rel(char *out, const char *dir, const char *name)
{
    pjoin(out, PATH_BUF, dir, name);
}

/* Find `name` in host directory `dir_rel` case-insensitively. */
static bool lookup_ci(diff_ctx *c, const char *dir_rel, const char *name, char *actual, bool *is_dir)
{
    char abs[PATH_BUF];
    host_abs(c, dir_rel, abs);
    DIR *d = opendir(abs);
    if (!d)
        return false;
    bool found = false;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (strcasecmp(e->d_name, name) == 0) {
            if (found)
                fail(c, "model holds two names equal but for case in \"%s\": \"%s\" and \"%s\"",
                     dir_rel, actual, e->d_name);
            found = true;
            snprintf(actual, VB_FAT_NAME_BUF, "%s", e->d_name);
            char p[PATH_BUF];
            struct stat st;
            pjoin(p, sizeof p, abs, e->d_name);
            *is_dir = lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
        }
    }
    closedir(d);
    return found;
}

typedef struct gpath {
    int n;                                   /* components */
    char comp[MAX_DEPTH + 3][VB_FAT_NAME_BUF];
    char fat[PATH_BUF];                      /* the string given to vb_fat_* */
} gpath;

typedef struct hres {
    int err;                  /* 0, or the errno FAT must return for this path */
    bool exists, is_dir, is_root;
    char rel[PATH_BUF];       /* resolved path, host spelling; "" = root */
    char parent[PATH_BUF];    /* resolved parent directory */
    char req[VB_FAT_NAME_BUF];/* last component as FAT would store it */
} hres;

static void resolve(diff_ctx *c, const gpath *p, hres *h)
{
    memset(h, 0, sizeof *h);
    h->is_root = true;
    h->exists = true;
    h->is_dir = true;
    for (int i = 0; i < p->n; i++) {
        const char *comp = p->comp[i];
        bool last = i == p->n - 1;
        if (!strcmp(comp, "."))
            continue;
        if (!h->is_dir || !h->exists) {  /* previous component missing or a file */
            h->err = -ENOENT;
            return;
        }
        char stored[VB_FAT_NAME_BUF];
        int rc = fat_component(c, comp, stored, sizeof stored);
        if (rc) {
            h->err = rc;
            return;
        }
        snprintf(h->parent, PATH_BUF, "%s", h->rel);
        snprintf(h->req, sizeof h->req, "%s", stored);
        char actual[VB_FAT_NAME_BUF];
        bool is_dir = false;
        bool found = lookup_ci(c, h->rel, stored, actual, &is_dir);
        char next[PATH_BUF];
        join_rel(next, h->rel, found ? actual : stored);
        snprintf(h->rel, PATH_BUF, "%s", next);
        h->is_root = false;
        h->exists = found;
        h->is_dir = found && is_dir;
        if (!last && !found) {
            h->err = -ENOENT;
            return;
        }
    }
}

/* ---- host tree snapshot (for choosing paths) ------------------------------ */

typedef struct tentry {
    char rel[PATH_BUF];
    bool is_dir;
    int depth;
    int children;             /* dirs: entries directly inside */
} tentry;

typedef struct tree {
    tentry *e;
    size_t n;
} tree;

static int name_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void scan_dir(diff_ctx *c, tree *t, const char *rel, int depth)
{
    char abs[PATH_BUF];
    host_abs(c, rel, abs);
    DIR *d = opendir(abs);
    if (!d)
        return;
    size_t self = t->n - 1;    /* the caller added this directory last */
    struct dirent *e;
    char names[64][VB_FAT_NAME_BUF];
    int nn = 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (nn < 64)
            snprintf(names[nn++], VB_FAT_NAME_BUF, "%s", e->d_name);
    }
    closedir(d);
    /* readdir order depends on the host filesystem: sort, so that a seed
     * replays the same operations everywhere */
    qsort(names, (size_t)nn, sizeof names[0], name_cmp);
    t->e[self].children = nn;
    for (int i = 0; i < nn && t->n < MAX_TREE; i++) {
        tentry *te = &t->e[t->n++];
        join_rel(te->rel, rel, names[i]);
        char p[PATH_BUF];
        struct stat st;
        host_abs(c, te->rel, p);
        te->is_dir = lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
        te->depth = depth + 1;
        te->children = 0;
        if (te->is_dir)
            scan_dir(c, t, te->rel, depth + 1);
    }
}

static void scan_tree(diff_ctx *c, tree *t)
{
    t->n = 1;
    t->e[0].rel[0] = 0;
    t->e[0].is_dir = true;
    t->e[0].depth = 0;
    scan_dir(c, t, "", 0);
}

/* ---- path generation -------------------------------------------------------- */

enum want { W_FILE, W_DIR, W_NEW_FILE, W_NEW_DIR, W_ANY };

/* A spelling FAT resolves to the same entry: other case, trailing dots/spaces. */
static void variant(diff_ctx *c, const char *name, char *out)
{
    snprintf(out, VB_FAT_NAME_BUF, "%s", name);
    if (!rng_pct(&c->r, 15))
        return;
    unsigned how = rng_below(&c->r, 4);
    for (char *p = out; *p; p++) {
        if (*p >= 'a' && *p <= 'z' && (how == 0 || (how == 2 && rng_pct(&c->r, 50))))
            *p = (char)(*p - 32);
        else if (*p >= 'A' && *p <= 'Z' && (how == 1 || (how == 2 && rng_pct(&c->r, 50))))
            *p = (char)(*p + 32);
    }
    if (how == 3) {
        static const char *const tails[] = { ".", " ", ". .", ".." };
        size_t l = strlen(out);
        const char *tail = tails[rng_below(&c->r, 4)];
        if (l + strlen(tail) < VB_FAT_NAME_BUF)
            strcat(out, tail);
    }
}

static void split_into(diff_ctx *c, gpath *p, const char *rel)
{
    p->n = 0;
    if (!rel[0])
        return;
    char tmp[PATH_BUF];
    snprintf(tmp, sizeof tmp, "%s", rel);
    char *save = NULL;
    for (char *tok = strtok_r(tmp, "/", &save); tok && p->n < MAX_DEPTH + 2; tok = strtok_r(NULL, "/", &save))
        variant(c, tok, p->comp[p->n++]);
}

static void build_fat_path(diff_ctx *c, gpath *p)
{
    size_t o = 0;
    if (rng_pct(&c->r, 30))
        p->fat[o++] = '/';
    p->fat[o] = 0;
    for (int i = 0; i < p->n; i++) {
        if (i && rng_pct(&c->r, 4))
            o += (size_t)snprintf(p->fat + o, PATH_BUF - o, "./");
        o += (size_t)snprintf(p->fat + o, PATH_BUF - o, "%s%s", p->comp[i], i + 1 < p->n ? "/" : "");
    }
}

static const tentry *pick_entry(diff_ctx *c, const tree *t, int kind /* 0 file, 1 dir (not root), 2 any non-root */)
{
    size_t cand = 0;
    for (size_t i = 1; i < t->n; i++)
        if (kind == 2 || t->e[i].is_dir == (kind == 1))
            cand++;
    if (!cand)
        return NULL;
    size_t k = rng_below(&c->r, (uint32_t)cand);
    for (size_t i = 1; i < t->n; i++)
        if (kind == 2 || t->e[i].is_dir == (kind == 1)) {
            if (k-- == 0)
                return &t->e[i];
        }
    return NULL;
}

/* A new name for directory `dir`: not present there in any spelling. */
static bool new_name(diff_ctx *c, const tentry *dir, char *out)
{
    for (int tries = 0; tries < 20; tries++) {
        const char *n = c->names[rng_below(&c->r, (uint32_t)c->n_names)];
        if (!dir->rel[0] && name_units(c, n) > ROOT_NAME_MAX)
            continue;
        char actual[VB_FAT_NAME_BUF];
        bool is_dir;
        if (!lookup_ci(c, dir->rel, n, actual, &is_dir)) {
            snprintf(out, VB_FAT_NAME_BUF, "%s", n);
            return true;
        }
    }
    return false;
}

/* Fill `p` with a path of the wanted kind, sometimes spoiled: an invalid
 * last name, a missing parent, a file used as a directory. */
static void gen_path(diff_ctx *c, gpath *p, enum want want, bool may_spoil)
{
    tree t = { c->tree_buf, 0 };
    scan_tree(c, &t);
    const tentry *e = NULL;
    if (want == W_ANY)
        e = pick_entry(c, &t, 2);
    else if (want == W_FILE)
        e = pick_entry(c, &t, 0);
    else if (want == W_DIR)
        e = pick_entry(c, &t, 1);
    if (e) {
        split_into(c, p, e->rel);
    } else {
        /* a new name in a directory with room */
        const tentry *dirs[MAX_TREE];
        size_t nd = 0;
        for (size_t i = 0; i < t.n; i++) {
            const tentry *d = &t.e[i];
            if (!d->is_dir || d->children >= (d->rel[0] ? DIR_MAX_ENTRIES : ROOT_MAX_ENTRIES))
                continue;
            if (want == W_NEW_DIR && d->depth >= MAX_DEPTH)
                continue;
            dirs[nd++] = d;
        }
        char name[VB_FAT_NAME_BUF];
        const tentry *d = nd ? dirs[rng_below(&c->r, (uint32_t)nd)] : NULL;
        if (d && new_name(c, d, name)) {
            split_into(c, p, d->rel);
            snprintf(p->comp[p->n++], VB_FAT_NAME_BUF, "%s", name);
        } else {
            /* everything is full: fall back to an existing entry */
            e = pick_entry(c, &t, 2);
            split_into(c, p, e ? e->rel : "");
            if (!e)
                snprintf(p->comp[p->n++], VB_FAT_NAME_BUF, "%s", "a");
        }
    }
    if (may_spoil && p->n > 0 && rng_pct(&c->r, 8)) {
        unsigned how = rng_below(&c->r, 3);
        if (how == 0) {
            snprintf(p->comp[p->n - 1], VB_FAT_NAME_BUF, "%s",
                     c->bad_names[rng_below(&c->r, (uint32_t)c->n_bad_names)]);
        } else if (how == 1 && p->n < MAX_DEPTH + 2) {
            /* a parent that does not exist */
            memmove(p->comp[p->n], p->comp[p->n - 1], VB_FAT_NAME_BUF);
            snprintf(p->comp[p->n - 1], VB_FAT_NAME_BUF, "no such dir %u", rng_below(&c->r, 1000));
            p->n++;
        } else {
            /* a file as a directory component */
            const tentry *f = pick_entry(c, &t, 0);
            if (f) {
                char last[VB_FAT_NAME_BUF];
                snprintf(last, sizeof last, "%s", p->comp[p->n - 1]);
                split_into(c, p, f->rel);
                snprintf(p->comp[p->n++], VB_FAT_NAME_BUF, "%s", last);
            }
        }
    }
    build_fat_path(c, p);
}

/* ---- comparisons ---------------------------------------------------------------- */

static bool read_host_file(diff_ctx *c, const char *abs, uint8_t **data, size_t *len)
{
    int fd = open(abs, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        fail(c, "model: cannot read host file %s: %s", abs, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    *len = (size_t)st.st_size;
    *data = malloc(*len + 1);
    if (!*data)
        abort();
    size_t got = 0;
    while (got < *len) {
        ssize_t n = read(fd, *data + got, *len - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    return got == *len;
}

/* Read `fatpath` through vb_fat in random chunk sizes; NULL after a
 * reported failure. */
static uint8_t *read_fat_file(diff_ctx *c, const char *fatpath, size_t expect_len, size_t *got_len)
{
    vb_fat_file f;
    int rc = vb_fat_open(&c->fs, &f, fatpath, "r");
    if (rc != 0) {
        fail(c, "vb_fat_open(\"%s\", \"r\") for comparison returned %d (%s)", fatpath, rc, errn(rc));
        return NULL;
    }
    uint8_t *buf = malloc(expect_len + 9000);
    if (!buf)
        abort();
    size_t got = 0;
    for (;;) {
        size_t want = 1 + rng_below(&c->r, 9000);
        ssize_t n = vb_fat_read(&f, buf + got, want);
        if (n < 0) {
            fail(c, "vb_fat_read(\"%s\") at offset %zu returned %zd (%s)", fatpath, got, n, errn(n));
            break;
        }
        if ((size_t)n > want) {
            fail(c, "vb_fat_read(\"%s\") returned %zd for %zu requested", fatpath, n, want);
            break;
        }
        if (n == 0)
            break;
        got += (size_t)n;
        if (got > expect_len) {
            fail(c, "vb_fat_read(\"%s\") returned more than the %zu bytes of the file", fatpath, expect_len);
            break;
        }
    }
    rc = vb_fat_close(&f);
    EXPECT(c, rc == 0, "vb_fat_close(\"%s\") after reading returned %d (%s)", fatpath, rc, errn(rc));
    *got_len = got;
    if (c->failed) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void compare_bytes(diff_ctx *c, const char *what, const uint8_t *fat, const uint8_t *host,
                          size_t n, size_t file_off, const meta *m)
{
    for (size_t i = 0; i < n; i++) {
        size_t o = file_off + i;
        if (m && o < m->len && m->unspec[o])
            continue;
        if (fat[i] != host[i]) {
            size_t show = n - i < 8 ? n - i : 8;
            char fb[40] = "", hb[40] = "";
            for (size_t k = 0; k < show; k++) {
                snprintf(fb + 3 * k, 4, "%02x ", fat[i + k]);
                snprintf(hb + 3 * k, 4, "%02x ", host[i + k]);
            }
            fail(c, "%s: byte %zu differs: FAT has %s, expected %s", what, o, fb, hb);
            return;
        }
    }
    check_count++;
}

static meta *meta_of_path(diff_ctx *c, const char *abs)
{
    struct stat st;
    if (lstat(abs, &st) != 0)
        return NULL;
    return meta_find(c, &st);
}

static void check_times(diff_ctx *c, const char *fatpath, const vb_fat_info *st, const meta *m)
{
    if (!m)
        return;
    EXPECT(c, st->wdate == m->wdate && st->wtime == m->wtime,
           "\"%s\": write date/time %04x/%04x, expected %04x/%04x", fatpath, st->wdate, st->wtime,
           m->wdate, m->wtime);
    if (!m->is_dir)
        EXPECT(c, st->cdate == m->cdate && st->ctime == m->ctime,
               "\"%s\": create date/time %04x/%04x, expected %04x/%04x", fatpath, st->cdate,
               st->ctime, m->cdate, m->ctime);
    if (m->is_dir)
        EXPECT(c, (st->attr & 0x3F) == VB_FAT_ATTR_DIR, "\"%s\": attributes 0x%02x, expected 0x10",
               fatpath, st->attr);
    else
        EXPECT(c, st->attr == VB_FAT_ATTR_ARCHIVE, "\"%s\": attributes 0x%02x, expected 0x20 (archive)",
               fatpath, st->attr);
}

/* Compare one file's FAT content with the host file. */
static void compare_content(diff_ctx *c, const char *fatpath, const char *rel)
{
    char abs[PATH_BUF];
    host_abs(c, rel, abs);
    uint8_t *host = NULL;
    size_t hlen = 0;
    if (!read_host_file(c, abs, &host, &hlen)) {
        free(host);
        return;
    }
    size_t flen;
    uint8_t *fat = read_fat_file(c, fatpath, hlen, &flen);
    if (fat) {
        EXPECT(c, flen == hlen, "\"%s\": read back %zu bytes, expected %zu", fatpath, flen, hlen);
        if (flen == hlen)
            compare_bytes(c, fatpath, fat, host, hlen, 0, meta_of_path(c, abs));
    }
    free(fat);
    free(host);
}

/* The path `rel` (host spelling; FAT path = the same string) after an
 * operation: present or absent, type, size, content, times. */
static void compare_entry(diff_ctx *c, const char *rel)
{
    char abs[PATH_BUF];
    host_abs(c, rel, abs);
    struct stat hst;
    bool hexists = lstat(abs, &hst) == 0;
    vb_fat_info st;
    int rc = vb_fat_stat(&c->fs, rel, &st);
    if (!hexists) {
        expect_rc(c, "vb_fat_stat of a path the model says is gone", rc, -ENOENT);
        return;
    }
    if (!expect_rc(c, "vb_fat_stat", rc, 0))
        return;
    bool is_dir = S_ISDIR(hst.st_mode);
    EXPECT(c, st.is_dir == is_dir, "\"%s\": is_dir %d, expected %d", rel, st.is_dir, is_dir);
    if (!rel[0])
        return;
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    EXPECT(c, strcmp(st.name, base) == 0, "\"%s\": stat name \"%s\", expected \"%s\"", rel, st.name, base);
    check_times(c, rel, &st, meta_find(c, &hst));
    if (!is_dir) {
        EXPECT(c, st.size == (uint64_t)hst.st_size, "\"%s\": size %" PRIu32 ", expected %lld", rel,
               st.size, (long long)hst.st_size);
        if (st.size == (uint64_t)hst.st_size)
            compare_content(c, rel, rel);
    }
}

typedef struct lent {
    char name[VB_FAT_NAME_BUF];
    bool is_dir;
    uint32_t size;
} lent;

static int lent_cmp(const void *a, const void *b)
{
    return strcmp(((const lent *)a)->name, ((const lent *)b)->name);
}

/* Both listings of a directory, sorted by name. */
static bool list_both(diff_ctx *c, const char *fatpath, const char *rel, lent **fl, size_t *fn,
                      lent **hl, size_t *hn)
{
    *fl = *hl = NULL;
    *fn = *hn = 0;
    vb_fat_dir d;
    int rc = vb_fat_opendir(&c->fs, &d, fatpath);
    if (!expect_rc(c, "vb_fat_opendir", rc, 0))
        return false;
    size_t cap = 16;
    *fl = malloc(cap * sizeof **fl);
    vb_fat_info st;
    while ((rc = vb_fat_readdir(&d, &st)) == 1) {
        if (*fn == cap) {
            cap *= 2;
            *fl = realloc(*fl, cap * sizeof **fl);
        }
        if (!*fl)
            abort();
        lent *e = &(*fl)[(*fn)++];
        snprintf(e->name, sizeof e->name, "%s", st.name);
        e->is_dir = st.is_dir;
        e->size = st.size;
        if (*fn > 4096) {
            fail(c, "vb_fat_readdir(\"%s\") does not end (over 4096 entries)", fatpath);
            return false;
        }
    }
    if (!expect_rc(c, "vb_fat_readdir at the end", rc, 0))
        return false;
    char abs[PATH_BUF];
    host_abs(c, rel, abs);
    DIR *hd = opendir(abs);
    if (!hd) {
        fail(c, "model: cannot list %s", abs);
        return false;
    }
    size_t hcap = 16;
    *hl = malloc(hcap * sizeof **hl);
    struct dirent *e;
    while ((e = readdir(hd))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (*hn == hcap) {
            hcap *= 2;
            *hl = realloc(*hl, hcap * sizeof **hl);
        }
        if (!*hl)
            abort();
        lent *h = &(*hl)[(*hn)++];
        snprintf(h->name, sizeof h->name, "%s", e->d_name);
        char p[PATH_BUF];
        struct stat hst;
        pjoin(p, sizeof p, abs, e->d_name);
        lstat(p, &hst);
        h->is_dir = S_ISDIR(hst.st_mode);
        h->size = h->is_dir ? 0 : (uint32_t)hst.st_size;
    }
    closedir(hd);
    qsort(*fl, *fn, sizeof **fl, lent_cmp);
    qsort(*hl, *hn, sizeof **hl, lent_cmp);
    return true;
}

static void compare_listing(diff_ctx *c, const char *fatpath, const char *rel, const lent *fl, size_t fn,
                            const lent *hl, size_t hn)
{
    size_t i = 0, j = 0;
    while (i < fn || j < hn) {
        int cmp = i == fn ? 1 : j == hn ? -1 : strcmp(fl[i].name, hl[j].name);
        if (cmp < 0) {
            fail(c, "listing \"%s\" (%s): FAT shows \"%s\" which the model does not have "
                 "(%zu FAT entries, %zu expected)", fatpath, rel, fl[i].name, fn, hn);
            return;
        }
        if (cmp > 0) {
            fail(c, "listing \"%s\" (%s): \"%s\" is missing (%zu FAT entries, %zu expected)", fatpath, rel,
                 hl[j].name, fn, hn);
            return;
        }
        EXPECT(c, fl[i].is_dir == hl[j].is_dir, "listing \"%s\": \"%s\" is_dir %d, expected %d", fatpath,
               fl[i].name, fl[i].is_dir, hl[j].is_dir);
        if (!hl[j].is_dir)
            EXPECT(c, fl[i].size == hl[j].size, "listing \"%s\": \"%s\" size %" PRIu32 ", expected %" PRIu32,
                   fatpath, fl[i].name, fl[i].size, hl[j].size);
        if (i + 1 < fn && !strcmp(fl[i].name, fl[i + 1].name)) {
            fail(c, "listing \"%s\": \"%s\" appears twice", fatpath, fl[i].name);
            return;
        }
        i++;
        j++;
    }
}

/* The whole subtree under `rel`: listings, types, sizes, contents, times. */
static void compare_tree(diff_ctx *c, const char *rel, int depth)
{
    if (c->failed || depth > MAX_DEPTH + 2)
        return;
    lent *fl, *hl;
    size_t fn, hn;
    char fatpath[PATH_BUF];
    snprintf(fatpath, sizeof fatpath, "/%s", rel);
    if (list_both(c, fatpath, rel, &fl, &fn, &hl, &hn)) {
        compare_listing(c, fatpath, rel, fl, fn, hl, hn);
        for (size_t j = 0; j < hn && !c->failed; j++) {
            char child[PATH_BUF];
            join_rel(child, rel, hl[j].name);
            compare_entry(c, child);
            if (hl[j].is_dir)
                compare_tree(c, child, depth + 1);
        }
    }
    free(fl);
    free(hl);
}

static void count_model(diff_ctx *c, const char *rel, uint32_t cluster_bytes, uint64_t *clusters,
                        uint32_t *files, uint32_t *dirs)
{
    char abs[PATH_BUF];
    host_abs(c, rel, abs);
    DIR *d = opendir(abs);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char child[PATH_BUF], p[PATH_BUF];
        join_rel(child, rel, e->d_name);
        host_abs(c, child, p);
        struct stat st;
        if (lstat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            (*dirs)++;
            (*clusters)++;  /* at least one cluster per directory */
            count_model(c, child, cluster_bytes, clusters, files, dirs);
        } else {
            (*files)++;
            *clusters += ((uint64_t)st.st_size + cluster_bytes - 1) / cluster_bytes;
        }
    }
    closedir(d);
}

static void report_line(void *ctx, const char *line)
{
    diff_ctx *c = ctx;
    fail(c, "vb_fat_check: %s", line);
}

/* After a sync: the independent checker finds nothing, counts agree with
 * the model and with statvfs. */
static void check_volume(diff_ctx *c)
{
    int rc = vb_fat_sync(&c->fs);
    if (!expect_rc(c, "vb_fat_sync", rc, 0))
        return;
    vb_fat_check_stats cs;
    rc = vb_fat_check(&c->bdev.bd, report_line, c, &cs);
    c->checks_run++;
    if (!expect_rc(c, "vb_fat_check (problems found)", rc, 0))
        return;
    vb_fat_usage sv;
    rc = vb_fat_statvfs(&c->fs, &sv);
    if (!expect_rc(c, "vb_fat_statvfs", rc, 0))
        return;
    uint64_t clusters = 0;
    uint32_t files = 0, dirs = 0;
    count_model(c, "", sv.cluster_bytes, &clusters, &files, &dirs);
    EXPECT(c, cs.files == files && cs.dirs == dirs, "checker counts %" PRIu32 " files, %" PRIu32
           " dirs; the model has %" PRIu32 " files, %" PRIu32 " dirs", cs.files, cs.dirs, files, dirs);
    EXPECT(c, cs.free_clusters == sv.free_clusters, "statvfs says %" PRIu32 " free clusters, checker %" PRIu32,
           sv.free_clusters, cs.free_clusters);
    /* directories may hold more than one cluster: >= for them, exact for files */
    EXPECT(c, cs.used_clusters >= clusters && cs.lost_clusters == 0,
           "used clusters %" PRIu32 " (lost %" PRIu32 "), the model needs at least %" PRIu64, cs.used_clusters,
           cs.lost_clusters, clusters);
}

/* ---- mounting ------------------------------------------------------------------ */

static void mount_fresh(diff_ctx *c, const char *why)
{
    c->phase = why;
    int rc = vb_fat_mount(&c->fs, &c->bdev.bd, c->g->names, clock_cb, c);
    if (expect_rc(c, "vb_fat_mount", rc, 0)) {
        compare_tree(c, "", 0);
        c->full_compares++;
    }
    c->phase = NULL;
}

static void op_remount(diff_ctx *c)
{
    note(c, "unmount + mount");
    int rc = vb_fat_unmount(&c->fs);
    expect_rc(c, "vb_fat_unmount", rc, 0);
    memset(&c->fs, 0xA5, sizeof c->fs);  /* nothing may survive in the old struct */
    mount_fresh(c, "after unmount + mount");
    check_volume(c);
    c->remounts++;
}

/* Forget every RAM structure (the write-back block included) as a power
 * loss would, and mount again: only what reached the flash counts. */
static void op_drop(diff_ctx *c, bool sync_first)
{
    if (sync_first) {
        note(c, "vb_fat_sync, drop RAM state, mount");
        int rc = vb_fat_sync(&c->fs);
        expect_rc(c, "vb_fat_sync", rc, 0);
        c->drops_sync++;
    } else {
        note(c, "drop RAM state right after the last completed operation, mount");
        c->drops_nosync++;
    }
    vb_flash_bdev_drop_cache(&c->bdev);
    memset(&c->fs, 0x5A, sizeof c->fs);
    mount_fresh(c, sync_first ? "after vb_fat_sync and dropping RAM state"
                              : "after dropping RAM state with no explicit sync (every completed "
                                "close/mkdir/remove/rename must already be on flash)");
}

/* ---- operations ---------------------------------------------------------------- */

static uint32_t clusters_for(uint64_t bytes, uint32_t cb) { return (uint32_t)((bytes + cb - 1) / cb); }

/* Room to grow a file from `from` to `to` bytes, keeping a margin for
 * directory growth. */
static bool room_for(diff_ctx *c, uint64_t from, uint64_t to)
{
    if (to <= from)
        return true;
    if (to > MAX_FILE)
        return false;
    vb_fat_usage sv;
    if (vb_fat_statvfs(&c->fs, &sv) != 0)
        return false;
    uint32_t need = clusters_for(to, sv.cluster_bytes) - clusters_for(from, sv.cluster_bytes);
    return need + 8 <= sv.free_clusters;
}

typedef struct sess {
    vb_fat_file f;
    int fd;
    bool rd, wr;
    uint64_t pos;
    meta *m;
    bool modified;
    const char *fatpath;
    char rel[PATH_BUF];
} sess;

static void act_write(diff_ctx *c, sess *s)
{
    uint32_t n;
    unsigned kind = rng_below(&c->r, 10);
    if (kind < 3)
        n = rng_below(&c->r, 600);
    else if (kind < 4)
        n = (1 + rng_below(&c->r, 4)) * c->fs.ss * c->fs.spc - rng_below(&c->r, 2);  /* around cluster ends */
    else
        n = rng_below(&c->r, MAX_WRITE + 1);
    if (!s->wr) {
        note(c, "; write %u (not writable)", n ? n : 1);
        expect_denied(c, "vb_fat_write on a read-only handle", vb_fat_write(&s->f, c->wbuf, n ? n : 1));
        return;
    }
    while (n && !room_for(c, s->m->len, s->pos + n))
        n /= 2;
    rng_fill(&c->r, c->wbuf, n);
    note(c, "; write %u @%" PRIu64, n, s->pos);
    ssize_t rc = vb_fat_write(&s->f, c->wbuf, n);
    if (!expect_rc(c, "vb_fat_write", rc, n))
        return;
    if (pwrite(s->fd, c->wbuf, n, (off_t)s->pos) != (ssize_t)n)
        fail(c, "model: host write failed: %s", strerror(errno));
    if (s->pos + n > s->m->len)
        meta_resize(s->m, s->pos + n, false);
    memset(s->m->unspec + s->pos, 0, n);
    s->pos += n;
    if (n)
        s->modified = true;
}

static void act_read(diff_ctx *c, sess *s)
{
    uint32_t n = rng_below(&c->r, 10) < 2 ? rng_below(&c->r, 64) : rng_below(&c->r, MAX_READ + 1);
    note(c, "; read %u @%" PRIu64, n, s->pos);
    if (!s->rd) {
        expect_denied(c, "vb_fat_read on a write-only handle", vb_fat_read(&s->f, c->fbuf, n ? n : 1));
        return;
    }
    uint64_t avail = s->m->len - s->pos;
    size_t want = n < avail ? n : (size_t)avail;
    ssize_t rc = vb_fat_read(&s->f, c->fbuf, n);
    if (!expect_rc(c, "vb_fat_read (count)", rc, (long long)want))
        return;
    if (pread(s->fd, c->hbuf, want, (off_t)s->pos) != (ssize_t)want)
        fail(c, "model: host read failed");
    char what[PATH_BUF + 64];
    snprintf(what, sizeof what, "read of \"%s\" at %" PRIu64, s->fatpath, s->pos);
    compare_bytes(c, what, c->fbuf, c->hbuf, want, s->pos, s->m);
    s->pos += want;
}

static void act_seek(diff_ctx *c, sess *s)
{
    int whence = (int)rng_below(&c->r, 3);
    int64_t base = whence == 0 ? 0 : whence == 1 ? (int64_t)s->pos : (int64_t)s->m->len;
    int64_t target;
    unsigned kind = rng_below(&c->r, 10);
    if (kind == 0)
        target = -1 - (int64_t)rng_below(&c->r, 100);               /* before the start */
    else if (kind < 4)
        target = (int64_t)s->m->len + 1 + rng_below(&c->r, 30000);  /* past the end */
    else
        target = (int64_t)rng_below(&c->r, (uint32_t)s->m->len + 1);
    if (target > (int64_t)s->m->len && s->wr && !room_for(c, s->m->len, (uint64_t)target))
        target = (int64_t)s->m->len;
    int64_t off = target - base;
    note(c, "; seek(%" PRId64 ", %d)", off, whence);
    int64_t rc = vb_fat_seek(&s->f, off, whence);
    if (target < 0) {
        expect_rc(c, "vb_fat_seek before the start", rc, -EINVAL);
        return;
    }
    uint64_t want = (uint64_t)target;
    if (want > s->m->len) {
        if (s->wr) {
            /* extends the file now; the gap is unspecified on FAT */
            if (ftruncate(s->fd, (off_t)want) != 0)
                fail(c, "model: host ftruncate failed");
            meta_resize(s->m, want, true);
            s->modified = true;
        } else {
            want = s->m->len;  /* read-only handles clamp */
        }
    }
    if (expect_rc(c, "vb_fat_seek", rc, (long long)want))
        s->pos = want;
}

static void act_tell(diff_ctx *c, sess *s)
{
    note(c, "; tell");
    expect_rc(c, "vb_fat_seek(0, SEEK_CUR)", vb_fat_seek(&s->f, 0, SEEK_CUR), (long long)s->pos);
}

static void act_truncate(diff_ctx *c, sess *s)
{
    note(c, "; truncate @%" PRIu64, s->pos);
    int rc = vb_fat_truncate(&s->f);
    if (!s->wr) {
        expect_denied(c, "vb_fat_truncate on a read-only handle", rc);
        return;
    }
    if (!expect_rc(c, "vb_fat_truncate", rc, 0))
        return;
    if (ftruncate(s->fd, (off_t)s->pos) != 0)
        fail(c, "model: host ftruncate failed");
    if (s->pos < s->m->len)
        s->modified = true;
    meta_resize(s->m, s->pos, false);
}

/* flush(), then a second handle must see the flushed content. */
static void act_flush(diff_ctx *c, sess *s)
{
    note(c, "; flush + read through a second handle");
    int rc = vb_fat_flush(&s->f);
    if (!expect_rc(c, "vb_fat_flush", rc, 0))
        return;
    if (s->modified)
        dos_of(c->now, &s->m->wdate, &s->m->wtime);
    vb_fat_info st;
    rc = vb_fat_stat(&c->fs, s->rel, &st);
    if (expect_rc(c, "vb_fat_stat after flush", rc, 0))
        EXPECT(c, st.size == s->m->len, "after flush, stat size %" PRIu32 ", expected %zu", st.size, s->m->len);
    compare_content(c, s->rel, s->rel);
}

static const char *const modes[] = { "r", "w", "a", "x", "r+", "w+", "a+" };

static void op_session(diff_ctx *c)
{
    gpath p;
    unsigned k = rng_below(&c->r, 100);
    gen_path(c, &p, k < 72 ? W_FILE : k < 94 ? W_NEW_FILE : W_DIR, true);
    char mode[8];
    const char *base = modes[rng_below(&c->r, 7)];
    snprintf(mode, sizeof mode, "%s%s", base, rng_pct(&c->r, 20) ? "b" : "");
    bool plus = strchr(mode, '+') != NULL;
    char m0 = mode[0];
    hres h;
    resolve(c, &p, &h);
    int want = 0;
    if (h.err)
        want = h.err;
    else if (h.is_root)
        want = -EINVAL;
    else if (h.exists && h.is_dir)
        want = (m0 == 'r') ? -ENOENT : -EACCES;
    else if (h.exists && m0 == 'x')
        want = -EEXIST;
    else if (!h.exists && m0 == 'r')
        want = -ENOENT;
    note(c, "open(\"%s\", \"%s\")", p.fat, mode);
    sess *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    int rc = vb_fat_open(&c->fs, &s->f, p.fat, mode);
    note(c, " -> %s", errn(rc));
    if (!expect_rc(c, "vb_fat_open", rc, want) || want) {
        if (rc == 0)
            vb_fat_close(&s->f);
        free(s);
        return;
    }
    s->fatpath = p.fat;
    s->rd = m0 == 'r' || plus;
    s->wr = m0 != 'r' || plus;
    char abs[PATH_BUF];
    struct stat st;
    if (!h.exists) {
        char prel[PATH_BUF];
        join_rel(prel, h.parent, h.req);
        snprintf(h.rel, PATH_BUF, "%s", prel);
        host_abs(c, h.rel, abs);
        s->fd = open(abs, O_RDWR | O_CREAT | O_EXCL, 0644);
        if (s->fd < 0 || fstat(s->fd, &st) != 0) {
            fail(c, "model: cannot create %s: %s", abs, strerror(errno));
            vb_fat_close(&s->f);
            free(s);
            return;
        }
        s->m = meta_new(c, &st, false);
        s->modified = true;
    } else {
        host_abs(c, h.rel, abs);
        s->fd = open(abs, O_RDWR | (m0 == 'w' ? O_TRUNC : 0));
        if (s->fd < 0 || fstat(s->fd, &st) != 0) {
            fail(c, "model: cannot open %s: %s", abs, strerror(errno));
            vb_fat_close(&s->f);
            free(s);
            return;
        }
        s->m = meta_find(c, &st);
        if (!s->m) {
            fail(c, "model: no metadata for %s", abs);
            close(s->fd);
            vb_fat_close(&s->f);
            free(s);
            return;
        }
        if (m0 == 'w') {
            meta_resize(s->m, 0, false);
            dos_of(c->now, &s->m->cdate, &s->m->ctime);
            s->modified = true;
        }
    }
    snprintf(s->rel, sizeof s->rel, "%s", h.rel);
    s->pos = m0 == 'a' ? s->m->len : 0;
    unsigned n_act = 1 + rng_below(&c->r, 6);
    for (unsigned i = 0; i < n_act && !c->failed; i++) {
        unsigned a = rng_below(&c->r, 100);
        if (a < 40)
            act_write(c, s);
        else if (a < 62)
            act_read(c, s);
        else if (a < 80)
            act_seek(c, s);
        else if (a < 86)
            act_tell(c, s);
        else if (a < 93)
            act_truncate(c, s);
        else
            act_flush(c, s);
    }
    if (!c->failed)
        act_tell(c, s);
    rc = vb_fat_close(&s->f);
    note(c, "; close -> %s", errn(rc));
    expect_rc(c, "vb_fat_close", rc, 0);
    if (rng_pct(&c->r, 5))
        expect_rc(c, "vb_fat_close of a closed handle", vb_fat_close(&s->f), -EBADF);
    close(s->fd);
    if (s->modified)
        dos_of(c->now, &s->m->wdate, &s->m->wtime);
    if (!c->failed)
        compare_entry(c, h.rel);
    free(s);
}

static void op_mkdir(diff_ctx *c)
{
    gpath p;
    gen_path(c, &p, rng_pct(&c->r, 80) ? W_NEW_DIR : W_ANY, true);
    hres h;
    resolve(c, &p, &h);
    int want = h.err ? h.err : h.exists ? -EEXIST : 0;
    int rc = vb_fat_mkdir(&c->fs, p.fat);
    note(c, "mkdir(\"%s\") -> %s", p.fat, errn(rc));
    if (!expect_rc(c, "vb_fat_mkdir", rc, want) || want)
        return;
    char rel[PATH_BUF], abs[PATH_BUF];
    join_rel(rel, h.parent, h.req);
    host_abs(c, rel, abs);
    struct stat st;
    if (mkdir(abs, 0755) != 0 || lstat(abs, &st) != 0) {
        fail(c, "model: mkdir %s: %s", abs, strerror(errno));
        return;
    }
    meta_new(c, &st, true);
    compare_entry(c, rel);
}

static bool host_dir_empty(diff_ctx *c, const char *rel)
{
    char abs[PATH_BUF];
    host_abs(c, rel, abs);
    DIR *d = opendir(abs);
    if (!d)
        return true;
    struct dirent *e;
    bool empty = true;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            empty = false;
    closedir(d);
    return empty;
}

static void op_rmdir(diff_ctx *c)
{
    gpath p;
    unsigned k = rng_below(&c->r, 100);
    if (k < 3) {
        p.n = 0;
        snprintf(p.fat, sizeof p.fat, "/");
    } else {
        gen_path(c, &p, k < 85 ? W_DIR : k < 93 ? W_FILE : W_NEW_DIR, true);
    }
    hres h;
    resolve(c, &p, &h);
    int want;
    if (h.err)
        want = h.err;
    else if (h.is_root)
        want = -EACCES;
    else if (!h.exists)
        want = -ENOENT;
    else if (!h.is_dir)
        want = -ENOTDIR;
    else if (!host_dir_empty(c, h.rel))
        want = -EACCES;
    else
        want = 0;
    int rc = vb_fat_rmdir(&c->fs, p.fat);
    note(c, "rmdir(\"%s\") -> %s", p.fat, errn(rc));
    if (!expect_rc(c, "vb_fat_rmdir", rc, want) || want)
        return;
    char abs[PATH_BUF];
    host_abs(c, h.rel, abs);
    meta_drop_path(c, abs);
    if (rmdir(abs) != 0)
        fail(c, "model: rmdir %s: %s", abs, strerror(errno));
    compare_entry(c, h.rel);
}

static void op_remove(diff_ctx *c)
{
    gpath p;
    unsigned k = rng_below(&c->r, 100);
    gen_path(c, &p, k < 82 ? W_FILE : k < 92 ? W_DIR : W_NEW_FILE, true);
    hres h;
    resolve(c, &p, &h);
    int want = h.err ? h.err : h.is_root ? -EISDIR : !h.exists ? -ENOENT : h.is_dir ? -EISDIR : 0;
    if (h.is_root && !h.err)
        return;  /* removing "/" has no documented errno */
    int rc = vb_fat_remove(&c->fs, p.fat);
    note(c, "remove(\"%s\") -> %s", p.fat, errn(rc));
    if (!expect_rc(c, "vb_fat_remove", rc, want) || want)
        return;
    char abs[PATH_BUF];
    host_abs(c, h.rel, abs);
    meta_drop_path(c, abs);
    if (unlink(abs) != 0)
        fail(c, "model: unlink %s: %s", abs, strerror(errno));
    compare_entry(c, h.rel);
}

static int rel_depth(const char *rel)
{
    int d = rel[0] ? 1 : 0;
    for (const char *p = rel; *p; p++)
        d += *p == '/';
    return d;
}

/* Directory levels below `rel` (0: no subdirectories). */
static int dir_height(diff_ctx *c, const char *rel)
{
    char abs[PATH_BUF];
    host_abs(c, rel, abs);
    DIR *d = opendir(abs);
    if (!d)
        return 0;
    int h = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char child[PATH_BUF], p[PATH_BUF];
        struct stat st;
        join_rel(child, rel, e->d_name);
        host_abs(c, child, p);
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            int ch = 1 + dir_height(c, child);
            if (ch > h)
                h = ch;
        }
    }
    closedir(d);
    return h;
}

/* True when `rel` is `dir` or inside it. */
static bool inside(const char *rel, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(rel, dir, n) == 0 && (rel[n] == 0 || rel[n] == '/');
}

static void op_rename(diff_ctx *c)
{
    gpath a, b;
    unsigned k = rng_below(&c->r, 100);
    gen_path(c, &a, k < 58 ? W_FILE : k < 88 ? W_DIR : W_NEW_FILE, true);
    hres ha, hb;
    resolve(c, &a, &ha);
    unsigned j = rng_below(&c->r, 100);
    if (j < 10 && ha.exists && !ha.err && !ha.is_root) {
        /* the same entry under another spelling: a case change */
        b = a;
        char *last = b.comp[b.n - 1];
        for (char *q = last; *q; q++)
            if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))
                *q = rng_pct(&c->r, 50) ? (char)(*q ^ 0x20) : *q;
        build_fat_path(c, &b);
    } else {
        bool dir_src = ha.exists && ha.is_dir;
        gen_path(c, &b, j < 60 ? (dir_src ? W_NEW_DIR : W_NEW_FILE) : j < 85 ? W_FILE : W_ANY, true);
    }
    resolve(c, &b, &hb);
    /* keep the tree within the depth the generator's paths can spell */
    if (!ha.err && ha.exists && ha.is_dir && !hb.err &&
        rel_depth(hb.parent) + 1 + dir_height(c, ha.rel) > MAX_DEPTH)
        return;
    note(c, "rename(\"%s\", \"%s\")", a.fat, b.fat);
    int want = 0;
    bool same = false;
    if (ha.err) {
        want = ha.err;
    } else if (ha.is_root) {
        return;  /* renaming the root: no documented errno */
    } else if (!ha.exists) {
        want = -ENOENT;
    } else if (hb.err) {
        want = hb.err;
    } else if (hb.is_root) {
        return;
    } else if (hb.exists) {
        same = strcmp(ha.rel, hb.rel) == 0;
        if (same)
            want = 0;
        else if (ha.is_dir && inside(hb.rel, ha.rel))
            return;  /* into itself onto an existing entry: EINVAL or EISDIR, both defensible */
        else if (hb.is_dir)
            want = -EISDIR;
        else
            want = 0;
    } else if (ha.is_dir && inside(hb.parent, ha.rel)) {
        want = -EINVAL;
    }
    vb_fat_info before;
    bool have_before = !want && vb_fat_stat(&c->fs, ha.rel, &before) == 0;
    int rc = vb_fat_rename(&c->fs, a.fat, b.fat);
    note(c, " -> %s", errn(rc));
    if (!expect_rc(c, "vb_fat_rename", rc, want) || want)
        return;
    char src[PATH_BUF], dst_rel[PATH_BUF], dst[PATH_BUF];
    host_abs(c, ha.rel, src);
    join_rel(dst_rel, hb.parent, hb.req);
    host_abs(c, dst_rel, dst);
    if (hb.exists && !same) {
        char old[PATH_BUF];
        host_abs(c, hb.rel, old);
        meta_drop_path(c, old);
        if (unlink(old) != 0)
            fail(c, "model: unlink %s: %s", old, strerror(errno));
    }
    if (rename(src, dst) != 0)
        fail(c, "model: rename %s -> %s: %s", src, dst, strerror(errno));
    if (!same)
        compare_entry(c, ha.rel);
    compare_entry(c, dst_rel);
    if (ha.is_dir)
        compare_tree(c, dst_rel, 1);
    vb_fat_info after;
    if (have_before && vb_fat_stat(&c->fs, dst_rel, &after) == 0)
        EXPECT(c, after.first_cluster == before.first_cluster && after.size == before.size,
               "rename changed the first cluster/size: %" PRIu32 "/%" PRIu32 " -> %" PRIu32 "/%" PRIu32,
               before.first_cluster, before.size, after.first_cluster, after.size);
}

static void op_stat(diff_ctx *c)
{
    gpath p;
    unsigned k = rng_below(&c->r, 100);
    if (k < 3) {
        p.n = 0;
        snprintf(p.fat, sizeof p.fat, "%s", rng_pct(&c->r, 50) ? "/" : "");
    } else {
        gen_path(c, &p, k < 75 ? W_ANY : W_NEW_FILE, true);
    }
    hres h;
    resolve(c, &p, &h);
    int want = h.err ? h.err : h.exists ? 0 : -ENOENT;
    vb_fat_info st;
    int rc = vb_fat_stat(&c->fs, p.fat, &st);
    note(c, "stat(\"%s\") -> %s", p.fat, errn(rc));
    if (!expect_rc(c, "vb_fat_stat", rc, want) || want)
        return;
    EXPECT(c, st.is_dir == h.is_dir, "stat(\"%s\"): is_dir %d, expected %d", p.fat, st.is_dir, h.is_dir);
    if (h.is_root) {
        EXPECT(c, st.wdate == 0 && st.wtime == 0, "stat of the root: time %04x/%04x, expected 0", st.wdate,
               st.wtime);
        return;
    }
    const char *base = strrchr(h.rel, '/');
    base = base ? base + 1 : h.rel;
    EXPECT(c, strcmp(st.name, base) == 0, "stat(\"%s\"): name \"%s\", expected \"%s\"", p.fat, st.name, base);
    char abs[PATH_BUF];
    host_abs(c, h.rel, abs);
    struct stat hst;
    if (lstat(abs, &hst) == 0) {
        if (!h.is_dir)
            EXPECT(c, st.size == (uint64_t)hst.st_size, "stat(\"%s\"): size %" PRIu32 ", expected %lld", p.fat,
                   st.size, (long long)hst.st_size);
        const meta *m = meta_find(c, &hst);
        check_times(c, p.fat, &st, m);
        if (m) {
            int64_t t = vb_fat_dos_to_unix(st.wdate, st.wtime);
            vb_datetime dt;
            int64_t back;
            /* the DOS fields converted with the test's own calendar */
            unsigned y = 1980 + (st.wdate >> 9), mo = (st.wdate >> 5) & 15, d = st.wdate & 31;
            back = days_from_civil(y, mo, d) * 86400 + (st.wtime >> 11) * 3600 + ((st.wtime >> 5) & 63) * 60 +
                   (st.wtime & 31) * 2;
            split_time(back, &dt);
            EXPECT(c, t == back, "vb_fat_dos_to_unix(%04x, %04x) = %" PRId64 ", expected %" PRId64
                   " (%04u-%02u-%02u %02u:%02u:%02u)", st.wdate, st.wtime, t, back, dt.year, dt.month, dt.day,
                   dt.hour, dt.minute, dt.second);
        }
    }
}

static void op_listdir(diff_ctx *c)
{
    gpath p;
    unsigned k = rng_below(&c->r, 100);
    if (k < 15) {
        p.n = 0;
        snprintf(p.fat, sizeof p.fat, "/");
    } else {
        gen_path(c, &p, k < 85 ? W_DIR : k < 93 ? W_FILE : W_NEW_DIR, true);
    }
    hres h;
    resolve(c, &p, &h);
    int want = h.err ? h.err : !h.exists ? -ENOENT : !h.is_dir ? -ENOENT : 0;
    vb_fat_dir d;
    int rc = vb_fat_opendir(&c->fs, &d, p.fat);
    note(c, "listdir(\"%s\") -> %s", p.fat, errn(rc));
    if (!expect_rc(c, "vb_fat_opendir", rc, want) || want)
        return;
    lent *fl, *hl;
    size_t fn, hn;
    if (list_both(c, p.fat, h.rel, &fl, &fn, &hl, &hn))
        compare_listing(c, p.fat, h.rel, fl, fn, hl, hn);
    free(fl);
    free(hl);
}

/* ---- run ------------------------------------------------------------------------ */

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_tree(const char *path)
{
    nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static int mkdir_p(const char *path)
{
    char tmp[PATH_BUF];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            mkdir(tmp, 0755);
            *p = '/';
        }
    }
    return mkdir(tmp, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

/* Every file as vboard reads it, under `out` (names as listed). */
static void dump_tree(diff_ctx *c, const char *fatdir, const char *out, int depth)
{
    if (depth > MAX_DEPTH + 2 || mkdir_p(out) != 0)
        return;
    vb_fat_dir d;
    if (vb_fat_opendir(&c->fs, &d, fatdir) != 0)
        return;
    vb_fat_info st;
    char (*names)[VB_FAT_NAME_BUF] = malloc(64 * VB_FAT_NAME_BUF);
    bool isdir[64];
    int n = 0;
    while (n < 64 && vb_fat_readdir(&d, &st) == 1) {
        snprintf(names[n], VB_FAT_NAME_BUF, "%s", st.name);
        isdir[n++] = st.is_dir;
    }
    for (int i = 0; i < n; i++) {
        char fp[PATH_BUF], hp[PATH_BUF];
        snprintf(fp, sizeof fp, "%s/%s", fatdir, names[i]);
        snprintf(hp, sizeof hp, "%s/%s", out, names[i]);
        if (isdir[i]) {
            dump_tree(c, fp, hp, depth + 1);
            continue;
        }
        vb_fat_file f;
        FILE *h = fopen(hp, "wb");
        if (!h || vb_fat_open(&c->fs, &f, fp, "r") != 0) {
            if (h)
                fclose(h);
            continue;
        }
        ssize_t got;
        while ((got = vb_fat_read(&f, c->fbuf, MAX_READ)) > 0)
            fwrite(c->fbuf, 1, (size_t)got, h);
        vb_fat_close(&f);
        fclose(h);
    }
    free(names);
}

static void dump_results(diff_ctx *c, const char *dir)
{
    if (mkdir_p(dir) != 0) {
        fail(c, "cannot create dump directory %s", dir);
        return;
    }
    char path[PATH_BUF];
    snprintf(path, sizeof path, "%s/diff-%s-%" PRIu64 ".img", dir, c->g->profile, c->seed);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(c->flash.mem + c->bdev.offset, 1, c->bdev.size, f) != c->bdev.size) {
        fail(c, "cannot write %s", path);
        if (f)
            fclose(f);
        return;
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/diff-%s-%" PRIu64 ".tree", dir, c->g->profile, c->seed);
    rm_tree(path);
    dump_tree(c, "", path, 0);
    fprintf(stderr, "  wrote %s/diff-%s-%" PRIu64 ".{img,tree}\n", dir, c->g->profile, c->seed);
}

static bool run_one(const geometry *g, uint64_t seed, unsigned n_ops, bool verbose, const char *dump_dir)
{
    diff_ctx *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->g = g;
    c->seed = seed;
    c->n_ops = n_ops;
    c->verbose = verbose;
    c->r.s = seed * 0x2545F4914F6CDD1Dull + (g->names == VB_FAT_NAMES_OEM ? 7 : 3);
    c->now = days_from_civil(2024, 5, 17) * 86400 + 12 * 3600 + 34 * 60 + 56;
    c->wbuf = malloc(MAX_FILE + 65536);
    c->fbuf = malloc(MAX_FILE + 65536);
    c->hbuf = malloc(MAX_FILE + 65536);
    c->tree_buf = malloc(MAX_TREE * sizeof(tentry));
    if (!c->wbuf || !c->fbuf || !c->hbuf || !c->tree_buf)
        abort();
    build_names(c);
    c->prof = vb_profile_find(g->profile);
    bool ok = false;
    /* the model's directory: TMPDIR, else tmpfs when there is one (faster) */
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(c->root, sizeof c->root, "%s/vboard-diff-XXXXXX", tmp);
    if (!c->prof) {
        fail(c, "no profile \"%s\"", g->profile);
        goto out;
    }
    if (!mkdtemp(c->root)) {
        fail(c, "mkdtemp %s: %s", c->root, strerror(errno));
        goto out;
    }
    int rc = vb_flash_open_ram(&c->flash, c->prof->flash_size);
    if (!expect_rc(c, "vb_flash_open_ram", rc, 0))
        goto out_tmp;
    c->flash.prog_page = c->prof->prog_page;
    rc = vb_flash_bdev_init(&c->bdev, &c->flash, c->prof->fs_offset, c->prof->fs_size,
                            c->prof->fs_sector_size, c->prof->fs_writeback_block);
    if (!expect_rc(c, "vb_flash_bdev_init", rc, 0))
        goto out_flash;
    vb_fat_mkfs_opts mo = { 0, NULL };
    rc = vb_fat_mkfs(&c->bdev.bd, &mo, clock_cb, c);
    if (!expect_rc(c, "vb_fat_mkfs", rc, 0))
        goto out_flash;
    rc = vb_fat_mount(&c->fs, &c->bdev.bd, g->names, clock_cb, c);
    if (!expect_rc(c, "vb_fat_mount", rc, 0))
        goto out_flash;

    for (c->op = 0; c->op < n_ops && !c->failed; c->op++) {
        /* the clock: mostly forward a little, sometimes the ends of the DOS range */
        unsigned t = rng_below(&c->r, 100);
        if (t < 2)
            c->now = days_from_civil(1980, 1, 1) * 86400 + rng_below(&c->r, 7200);
        else if (t < 4)
            c->now = days_from_civil(2107, 12, 31) * 86400 + 86399 - rng_below(&c->r, 7200);
        else if (c->now < days_from_civil(2000, 1, 1) * 86400 || c->now > days_from_civil(2100, 1, 1) * 86400)
            c->now = days_from_civil(2024, 5, 17) * 86400 + rng_below(&c->r, 86400 * 30);
        else
            c->now += rng_below(&c->r, 200000);
        unsigned k = rng_below(&c->r, 1000);
        if (k < 400)
            op_session(c);
        else if (k < 490)
            op_mkdir(c);
        else if (k < 550)
            op_rmdir(c);
        else if (k < 640)
            op_remove(c);
        else if (k < 800)
            op_rename(c);
        else if (k < 880)
            op_stat(c);
        else if (k < 940)
            op_listdir(c);
        else if (k < 955)
            op_remount(c);
        else if (k < 970)
            op_drop(c, true);
        else if (k < 985)
            op_drop(c, false);
        else {
            note(c, "compare the whole tree");
            compare_tree(c, "", 0);
            c->full_compares++;
        }
        log_push(c);
    }
    if (!c->failed) {
        c->phase = "at the end";
        compare_tree(c, "", 0);
        check_volume(c);
        op_remount(c);
        log_push(c);
    }
    if (!c->failed) {
        /* nothing outside the FS region, no program needing a 0->1 bit */
        size_t outside = 0;
        for (size_t i = 0; i < c->flash.size; i++)
            if ((i < c->bdev.offset || i >= (size_t)c->bdev.offset + c->bdev.size) && c->flash.mem[i] != 0xFF)
                outside++;
        EXPECT(c, outside == 0, "%zu bytes outside the FS region were written", outside);
        EXPECT(c, c->flash.bad_programs == 0, "%" PRIu64 " programs needed a 0->1 bit", c->flash.bad_programs);
    }
    /* the volume as vboard left it, even after a mismatch: tests/e2e checks
     * it with fsck.fat and mtools against vboard's own reading */
    if (dump_dir) {
        bool was_failed = c->failed;
        c->failed = false;
        dump_results(c, dump_dir);
        c->failed = c->failed || was_failed;
    }
    ok = !c->failed;
    fprintf(stderr, "%s seed %" PRIu64 " %s: %u ops (%u calls ok, %u expected errors), %u remounts, "
            "%u+%u RAM drops, %u full compares, %u checker runs, %" PRIu64 " flash ops\n",
            ok ? "ok  " : "FAIL", seed, g->profile, c->op, c->n_ok, c->n_err, c->remounts, c->drops_sync,
            c->drops_nosync, c->full_compares, c->checks_run, c->flash.ops);
out_flash:
    vb_flash_close(&c->flash);
out_tmp:
    rm_tree(c->root);
out:
    for (size_t i = 0; i < c->n_metas; i++)
        free(c->metas[i].unspec);
    free(c->metas);
    for (size_t i = 0; i < c->n_names; i++)
        free(c->names[i]);
    for (size_t i = 0; i < c->n_bad_names; i++)
        free(c->bad_names[i]);
    free(c->names);
    free(c->bad_names);
    free(c->wbuf);
    free(c->fbuf);
    free(c->hbuf);
    free(c->tree_buf);
    ok = ok && !c->failed;
    free(c);
    return ok;
}

static void usage(void)
{
    fprintf(stderr, "usage: test_fat_diff [-g generic|pycom] [-v] [-d DUMPDIR] [SEED [OPS]]\n");
}

int main(int argc, char **argv)
{
    const char *only = NULL;
    bool verbose = false;
    const char *dump = getenv("VBOARD_DIFF_IMAGE_DIR");
    int opt;
    while ((opt = getopt(argc, argv, "g:vd:h")) != -1) {
        if (opt == 'g')
            only = optarg;
        else if (opt == 'v')
            verbose = true;
        else if (opt == 'd')
            dump = optarg;
        else {
            usage();
            return 2;
        }
    }
    if (dump && !*dump)
        dump = NULL;
    static const uint64_t ci_seeds[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    uint64_t one_seed = 0;
    unsigned n_ops = 700;
    bool by_hand = optind < argc;
    if (by_hand) {
        one_seed = strtoull(argv[optind], NULL, 0);
        if (optind + 1 < argc)
            n_ops = (unsigned)strtoul(argv[optind + 1], NULL, 0);
    }
    const char *quick = getenv("VBOARD_QUICK");
    size_t n_seeds = by_hand ? 1 : (quick && *quick && strcmp(quick, "0") ? 2 : sizeof ci_seeds / sizeof ci_seeds[0]);
    for (size_t gi = 0; gi < sizeof geometries / sizeof geometries[0]; gi++) {
        if (only && strcmp(only, geometries[gi].profile))
            continue;
        for (size_t si = 0; si < n_seeds; si++)
            run_one(&geometries[gi], by_hand ? one_seed : ci_seeds[si], n_ops, verbose, dump);
    }
    return CHECK_DONE();
}
