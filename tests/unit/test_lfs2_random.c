/* Randomized differential test: random operations on littlefs and on an
 * in-memory model of the tree (paths, types, contents, an attribute), with
 * remounts now and then; the two must agree after every operation's result
 * and at every verification (whole tree listed and read, checker clean).
 * MicroPython's block_cycles (100), and 2 so that pairs relocate often.
 *
 * Fixed seeds for `make unit`; VB_LFS2_SEED=<n> runs that one seed longer
 * (VB_LFS2_OPS=<n> operations) for hand runs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fs/lfs2.h"
#include "fs/lfs2_check.h"
#include "lfs2_nordev.h"
#include "lfs2_testutil.h"

#define BS 4096u
#define BLOCKS 128u
#define MAX_NODES 160
#define MAX_DEPTH 4
#define BLOCK_BUDGET (BLOCKS / 2)  /* leaves room for copy-on-write */

typedef struct mnode {
    char path[200];
    bool dir;
    uint8_t *data;
    size_t size;
    uint8_t attr;       /* 0 = none, else one byte of attribute 5 */
} mnode;

typedef struct model {
    mnode n[MAX_NODES];
    int count;
    uint32_t inline_max;
} model;

/* Blocks a file of `size` bytes takes (DESIGN.md: inline, or a CTZ list
 * where block i >= 1 loses ctz(i)+1 pointers); a directory takes a pair. */
static uint32_t blocks_of(const model *m, size_t size, bool dir)
{
    if (dir)
        return 2;
    if (size <= m->inline_max)
        return 0;
    uint32_t n = 0;
    while (size > 0) {
        size_t cap = n == 0 ? BS : BS - 4 * ((size_t)__builtin_ctz(n) + 1);
        size = size > cap ? size - cap : 0;
        n++;
    }
    return n;
}

static uint32_t blocks_used(const model *m)
{
    uint32_t b = 2;
    for (int i = 0; i < m->count; i++)
        b += blocks_of(m, m->n[i].size, m->n[i].dir);
    return b;
}

/* Would the model fit if `old` bytes of one file became `new_size`? */
static bool fits(const model *m, size_t old, size_t new_size, bool new_node)
{
    uint32_t b = blocks_used(m) - blocks_of(m, old, false) + blocks_of(m, new_size, false);
    return b <= BLOCK_BUDGET && (!new_node || m->count < MAX_NODES);
}

static uint32_t rng;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return n ? rng % n : 0;
}

static mnode *find(model *m, const char *path)
{
    for (int i = 0; i < m->count; i++)
        if (!strcmp(m->n[i].path, path))
            return &m->n[i];
    return NULL;
}

static bool has_children(model *m, const char *dir)
{
    size_t l = strlen(dir);
    for (int i = 0; i < m->count; i++)
        if (!strncmp(m->n[i].path, dir, l) && m->n[i].path[l] == '/')
            return true;
    return false;
}

static int depth_of(const char *path)
{
    int d = 0;
    for (; *path; path++)
        d += *path == '/';
    return d;
}

static void drop(model *m, mnode *x)
{
    free(x->data);
    *x = m->n[--m->count];
}

/* A random existing directory ("" = root) to put something in. */
static const char *pick_dir(model *m)
{
    int dirs = 0;
    for (int i = 0; i < m->count; i++)
        dirs += m->n[i].dir && depth_of(m->n[i].path) < MAX_DEPTH;
    int k = (int)rnd((uint32_t)dirs + 1);
    if (k == dirs)
        return "";
    for (int i = 0; i < m->count; i++)
        if (m->n[i].dir && depth_of(m->n[i].path) < MAX_DEPTH && k-- == 0)
            return m->n[i].path;
    return "";
}

static mnode *pick(model *m, int want_dir)
{
    int c = 0;
    for (int i = 0; i < m->count; i++)
        c += want_dir < 0 || m->n[i].dir == (want_dir == 1);
    if (!c)
        return NULL;
    int k = (int)rnd((uint32_t)c);
    for (int i = 0; i < m->count; i++)
        if ((want_dir < 0 || m->n[i].dir == (want_dir == 1)) && k-- == 0)
            return &m->n[i];
    return NULL;
}

static void new_path(model *m, char *out, size_t len)
{
    static const char *const names[] = {"a", "b", "c.txt", "main.py", "lib", "data",
                                        "x-long-file-name-for-splits.bin", "f0", "f1", "f2",
                                        "\xc3\xa9t\xc3\xa9", "with space"};
    snprintf(out, len, "%s/%s%u", pick_dir(m), names[rnd(12)], rnd(4));
}

static size_t random_size(void)
{
    switch (rnd(6)) {
    case 0: return rnd(20);
    case 1: return rnd(140);
    case 2: return rnd(600);
    case 3: return rnd(5000);
    case 4: return 4000 + rnd(200);
    default: return rnd(30000);
    }
}

typedef struct rig {
    nordev d;
    vb_lfs2_config cfg;
    vb_lfs2 fs;
    model m;
    uint8_t *buf;
    unsigned seed;
    int op;
} rig;

#define FAILED(r, what) fprintf(stderr, "  seed %u op %d: %s\n", (r)->seed, (r)->op, what)

static void verify(rig *r)
{
    model *m = &r->m;
    for (int i = 0; i < m->count; i++) {
        mnode *x = &m->n[i];
        vb_lfs2_info info;
        int rc = vb_lfs2_stat(&r->fs, x->path, &info);
        CHECK_EQ(rc, 0);
        if (rc) {
            FAILED(r, x->path);
            continue;
        }
        CHECK_EQ(info.type, x->dir ? VB_LFS2_TYPE_DIR : VB_LFS2_TYPE_REG);
        if (!x->dir) {
            if (!tu_same(&r->fs, x->path, x->data, x->size)) {
                FAILED(r, x->path);
                CHECK(!"file content differs from the model");
            }
        }
        uint8_t a = 0;
        ssize_t n = vb_lfs2_getattr(&r->fs, x->path, 5, &a, 1);
        CHECK_EQ(n, x->attr ? 1 : -ENODATA);
        if (x->attr)
            CHECK_EQ(a, x->attr);
    }
    /* nothing more on the volume than in the model */
    int err;
    char *listing = tu_listing(&r->fs, &err);
    CHECK_EQ(err, 0);
    int lines = 0;
    for (char *p = listing; p && *p; p++)
        lines += *p == '\n';
    CHECK_EQ(lines, m->count);
    free(listing);
}

static void remount(rig *r)
{
    CHECK_EQ(vb_lfs2_unmount(&r->fs), 0);
    int problems = tu_check(&r->d.dev, "random");
    CHECK_EQ(problems, 0);
    if (problems)
        FAILED(r, "checker");
    CHECK_EQ(vb_lfs2_mount(&r->fs, &r->d.dev, &r->cfg), 0);
}

static void op_write(rig *r)
{
    model *m = &r->m;
    char path[200];
    mnode *x = rnd(3) ? pick(m, 0) : NULL;
    if (x)
        snprintf(path, sizeof path, "%s", x->path);
    else
        new_path(m, path, sizeof path);
    mnode *same = find(m, path);
    size_t size = random_size();
    if (!fits(m, same ? same->size : 0, size, !same))
        return;
    tu_fill(r->buf, size, rng);

    vb_lfs2_file f;
    int rc = vb_lfs2_open(&r->fs, &f, path, vb_lfs2_mode_flags("w"));
    if (same && same->dir) {
        CHECK_EQ(rc, -EISDIR);
        return;
    }
    CHECK_EQ(rc, 0);
    if (rc)
        return;
    for (size_t off = 0; off < size;) {
        size_t c = 1 + rnd(3000);
        if (c > size - off)
            c = size - off;
        CHECK_EQ(vb_lfs2_write(&f, r->buf + off, c), (ssize_t)c);
        off += c;
    }
    CHECK_EQ(vb_lfs2_close(&f), 0);
    if (!same) {
        same = &m->n[m->count++];
        memset(same, 0, sizeof *same);
        snprintf(same->path, sizeof same->path, "%s", path);
    }
    free(same->data);
    same->data = malloc(size ? size : 1);
    memcpy(same->data, r->buf, size);
    same->size = size;
}

static void op_modify(rig *r)
{
    /* append, overwrite in place or truncate an existing file */
    model *m = &r->m;
    mnode *x = pick(m, 0);
    if (!x)
        return;
    int kind = (int)rnd(3);
    size_t pos = kind == 0 ? x->size : rnd((uint32_t)x->size + 1);
    size_t n = kind == 2 ? 0 : rnd(3000);
    size_t end = pos + n > x->size ? pos + n : x->size;
    size_t tsize = kind == 2 ? rnd((uint32_t)x->size + 2000) : 0;
    if (kind == 2)
        end = tsize;
    if (!fits(m, x->size, end, false))
        return;

    vb_lfs2_file f;
    CHECK_EQ(vb_lfs2_open(&r->fs, &f, x->path, kind == 0 ? vb_lfs2_mode_flags("a") : VB_LFS2_O_RDWR), 0);
    uint8_t *nd = malloc(end ? end : 1);
    memcpy(nd, x->data, x->size < end ? x->size : end);
    if (end > x->size)
        memset(nd + x->size, 0, end - x->size);
    if (kind == 2) {
        CHECK_EQ(vb_lfs2_truncate(&f, (uint32_t)tsize), 0);
    } else {
        tu_fill(r->buf, n, rng);
        if (kind == 1)
            CHECK_EQ(vb_lfs2_seek(&f, (int32_t)pos, 0), (int32_t)pos);
        CHECK_EQ(vb_lfs2_write(&f, r->buf, n), (ssize_t)n);
        memcpy(nd + pos, r->buf, n);
    }
    CHECK_EQ(vb_lfs2_size(&f), (int32_t)end);
    CHECK_EQ(vb_lfs2_close(&f), 0);
    free(x->data);
    x->data = nd;
    x->size = end;
}

static void op_remove(rig *r)
{
    model *m = &r->m;
    mnode *x = pick(m, -1);
    if (!x)
        return;
    int rc = vb_lfs2_remove(&r->fs, x->path);
    if (x->dir && has_children(m, x->path)) {
        CHECK_EQ(rc, -ENOTEMPTY);
        return;
    }
    CHECK_EQ(rc, 0);
    drop(m, x);
}

static void op_mkdir(rig *r)
{
    model *m = &r->m;
    if (m->count >= MAX_NODES || blocks_used(m) + 2 > BLOCK_BUDGET)
        return;
    char path[200];
    new_path(m, path, sizeof path);
    int rc = vb_lfs2_mkdir(&r->fs, path);
    if (find(m, path)) {
        CHECK_EQ(rc, -EEXIST);
        return;
    }
    CHECK_EQ(rc, 0);
    mnode *x = &m->n[m->count++];
    memset(x, 0, sizeof *x);
    snprintf(x->path, sizeof x->path, "%s", path);
    x->dir = true;
}

static void op_rename(rig *r)
{
    model *m = &r->m;
    mnode *x = pick(m, -1);
    if (!x)
        return;
    char to[200];
    mnode *t = rnd(3) == 0 ? pick(m, x->dir) : NULL;
    if (t)
        snprintf(to, sizeof to, "%s", t->path);
    else
        new_path(m, to, sizeof to);
    size_t fl = strlen(x->path);
    /* littlefs does not stop a directory moving into itself: never ask */
    if (x->dir && !strncmp(to, x->path, fl) && (to[fl] == '/' || to[fl] == '\0'))
        return;
    if (x->dir && depth_of(to) + 1 > MAX_DEPTH + 1)
        return;

    int rc = vb_lfs2_rename(&r->fs, x->path, to);
    t = find(m, to);
    if (t == x) {
        CHECK_EQ(rc, 0);
        return;
    }
    if (t) {
        if (t->dir != x->dir) {
            CHECK_EQ(rc, t->dir ? -EISDIR : -ENOTDIR);
            return;
        }
        if (t->dir && has_children(m, t->path)) {
            CHECK_EQ(rc, -ENOTEMPTY);
            return;
        }
        CHECK_EQ(rc, 0);
        if (rc)
            return;
        size_t xi = (size_t)(x - m->n);
        drop(m, t);  /* may move x into t's slot */
        if (xi == (size_t)m->count)
            x = t;
    } else {
        CHECK_EQ(rc, 0);
        if (rc)
            return;
    }
    /* move x and, for a directory, everything under it */
    char from[200];
    snprintf(from, sizeof from, "%s", x->path);
    for (int i = 0; i < m->count; i++) {
        mnode *y = &m->n[i];
        if (!strcmp(y->path, from) || (!strncmp(y->path, from, fl) && y->path[fl] == '/')) {
            char np[400];
            snprintf(np, sizeof np, "%s%s", to, y->path + fl);
            size_t l = strlen(np);
            if (l >= sizeof y->path)
                l = sizeof y->path - 1;
            memcpy(y->path, np, l);
            y->path[l] = '\0';
        }
    }
}

static void op_attr(rig *r)
{
    mnode *x = pick(&r->m, -1);
    if (!x)
        return;
    if (rnd(4) == 0) {
        CHECK_EQ(vb_lfs2_removeattr(&r->fs, x->path, 5), 0);
        x->attr = 0;
    } else {
        uint8_t a = (uint8_t)(1 + rnd(255));
        CHECK_EQ(vb_lfs2_setattr(&r->fs, x->path, 5, &a, 1), 0);
        x->attr = a;
    }
}

static void run_seed(unsigned seed, uint32_t prog, int ops, int32_t cycles)
{
    rig *r = calloc(1, sizeof *r);
    r->seed = seed;
    rng = seed * 2654435761u + 1;
    r->buf = malloc(40000);
    nordev_init(&r->d, BS, BLOCKS, prog);
    vb_lfs2_config_micropython(&r->cfg, BS, prog);
    r->cfg.block_cycles = cycles;
    CHECK_EQ(vb_lfs2_format(&r->d.dev, &r->cfg), 0);
    CHECK_EQ(vb_lfs2_mount(&r->fs, &r->d.dev, &r->cfg), 0);
    r->m.inline_max = r->fs.inline_max;
    int before = check_failures;

    for (r->op = 0; r->op < ops && check_failures == before; r->op++) {
        switch (rnd(16)) {
        case 0: case 1: case 2: case 3: case 4: op_write(r); break;
        case 5: case 6: case 7: op_modify(r); break;
        case 8: case 9: op_remove(r); break;
        case 10: case 11: op_mkdir(r); break;
        case 12: case 13: op_rename(r); break;
        case 14: op_attr(r); break;
        default: remount(r); break;
        }
        if (r->op % 40 == 39)
            verify(r);
    }
    if (check_failures != before)
        FAILED(r, "stopped at the first failure");
    remount(r);
    verify(r);
    CHECK_EQ(r->d.violations, 0);
    vb_lfs2_unmount(&r->fs);
    for (int i = 0; i < r->m.count; i++)
        free(r->m.n[i].data);
    free(r->buf);
    nordev_free(&r->d);
    free(r);
}

static void test_random(void)
{
    const char *env = getenv("VB_LFS2_SEED");
    if (env) {
        const char *ops = getenv("VB_LFS2_OPS");
        unsigned seed = (unsigned)strtoul(env, NULL, 0);
        int n = ops ? atoi(ops) : 3000;
        fprintf(stderr, "  seed %u, %d ops, prog 32 and 256, block_cycles 100 and 2\n", seed, n);
        run_seed(seed, 32, n, 100);
        run_seed(seed, 256, n, 100);
        run_seed(seed, 32, n, 2);
        run_seed(seed, 256, n, 2);
        return;
    }
    for (unsigned seed = 1; seed <= 6; seed++) {
        run_seed(seed, 32, 400, 100);
        run_seed(seed, 256, 400, 100);
    }
    /* wear relocation at every third compaction: relocation chains */
    for (unsigned seed = 7; seed <= 9; seed++) {
        run_seed(seed, 32, 400, 2);
        run_seed(seed, 256, 400, 2);
    }
}

int main(void)
{
    RUN(test_random);
    return CHECK_DONE();
}
