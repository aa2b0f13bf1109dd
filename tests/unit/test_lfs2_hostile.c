/* littlefs on hostile images: corrupt tags, CRC mismatches, tail loops,
 * CTZ loops, out-of-range pointers, huge sizes, bad superblocks, and
 * random mutations (with CRCs fixed so they reach the logic behind them).
 * Mount, walk, read, write and check must return errors, never crash, hang
 * or touch memory outside their buffers (run under ASan by unit-san); the
 * checker must name each planted problem. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fs/lfs2.h"
#include "fs/lfs2_check.h"
#include "fs/lfs2_internal.h"  /* vb_lfs2_dir_find, to locate entries */
#include "lfs2_img.h"
#include "lfs2_nordev.h"
#include "lfs2_testutil.h"

#define BS 4096u
#define BLOCKS 48u

static vb_lfs2_config cfg;
static uint8_t big[20000];

/* A small volume: /d/a (inline), /d/b (9000 bytes), /big (20000), /small,
 * and /many, a directory split over several pairs. */
static void build(nordev *d)
{
    nordev_init(d, BS, BLOCKS, 32);
    vb_lfs2_config_micropython(&cfg, BS, 32);
    vb_lfs2 fs;
    CHECK_EQ(vb_lfs2_format(&d->dev, &cfg), 0);
    CHECK_EQ(vb_lfs2_mount(&fs, &d->dev, &cfg), 0);
    tu_fill(big, sizeof big, 77);
    CHECK_EQ(vb_lfs2_mkdir(&fs, "/d"), 0);
    CHECK_EQ(tu_put(&fs, "/d/a", "aa", 2), 0);
    CHECK_EQ(tu_put(&fs, "/d/xx", "xx", 2), 0);
    CHECK_EQ(tu_put(&fs, "/d/b", big, 9000), 0);
    CHECK_EQ(tu_put(&fs, "/big", big, sizeof big), 0);
    CHECK_EQ(tu_put(&fs, "/small", "small", 5), 0);
    CHECK_EQ(vb_lfs2_mkdir(&fs, "/many"), 0);
    for (int i = 0; i < 120; i++) {
        char p[80];
        snprintf(p, sizeof p, "/many/a-rather-long-entry-name-%03d.txt", i);
        CHECK_EQ(tu_put(&fs, p, p, 10), 0);
    }
    CHECK_EQ(vb_lfs2_unmount(&fs), 0);
    CHECK_EQ(tu_check(&d->dev, "hostile base"), 0);
}

/* ---- exercising a volume: everything must end ----------------------------- */

static void walk(vb_lfs2 *fs, const char *dir, int depth, uint8_t *buf)
{
    if (depth > 8)
        return;
    vb_lfs2_dir d;
    if (vb_lfs2_opendir(fs, &d, dir) != 0)
        return;
    vb_lfs2_info info;
    int n = 0;
    char subs[4][TU_PATH];
    int nsub = 0;
    while (vb_lfs2_readdir(&d, &info) == 1 && n++ < 2000) {
        if (!strcmp(info.name, ".") || !strcmp(info.name, ".."))
            continue;
        char path[TU_PATH];
        snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") ? dir : "", info.name);
        if (info.type == VB_LFS2_TYPE_DIR) {
            if (nsub < 4)
                snprintf(subs[nsub++], TU_PATH, "%s", path);
            continue;
        }
        vb_lfs2_file f;
        if (vb_lfs2_open(fs, &f, path, VB_LFS2_O_RDONLY) == 0) {
            /* the size of what the path opens: with two entries of one
             * name, the listing and the lookup may see different ones */
            int32_t size = vb_lfs2_size(&f);
            uint32_t total = 0;
            for (int k = 0; k < 64; k++) {
                ssize_t r = vb_lfs2_read(&f, buf, 4096);
                if (r <= 0)
                    break;
                total += (uint32_t)r;
                CHECK(total <= (uint32_t)size);
            }
            vb_lfs2_seek(&f, -5, 2);
            vb_lfs2_read(&f, buf, 100);
            vb_lfs2_close(&f);
        }
        uint8_t attr[8];
        vb_lfs2_getattr(fs, path, 1, attr, 8);
    }
    vb_lfs2_closedir(&d);
    for (int i = 0; i < nsub; i++)
        walk(fs, subs[i], depth + 1, buf);
}

/* Mount, read everything, write a little, check. Returns mount's result. */
static int exercise(nordev *d, bool write)
{
    static uint8_t buf[4096];
    vb_lfs2 fs;
    int rc = vb_lfs2_mount(&fs, &d->dev, &cfg);
    if (rc == 0) {
        vb_lfs2_usage u;
        if (vb_lfs2_statvfs(&fs, &u) == 0)
            CHECK(u.free_blocks <= u.block_count);
        vb_lfs2_fs_size(&fs);
        walk(&fs, "/", 0, buf);
        if (write) {
            tu_put(&fs, "/new", big, 6000);
            vb_lfs2_mkdir(&fs, "/nd");
            vb_lfs2_rename(&fs, "/small", "/nd/small");
            vb_lfs2_remove(&fs, "/d/a");
            vb_lfs2_file f;
            if (vb_lfs2_open(&fs, &f, "/big", VB_LFS2_O_RDWR) == 0) {
                vb_lfs2_seek(&f, 100, 0);
                vb_lfs2_write(&f, "xyz", 3);
                vb_lfs2_truncate(&f, 5000);
                vb_lfs2_close(&f);
            }
            walk(&fs, "/", 0, buf);
        }
        vb_lfs2_unmount(&fs);
    }
    vb_lfs2_check_stats st;
    vb_lfs2_check(&d->dev, NULL, NULL, &st);
    return rc;
}

/* Does the checker report a line containing `what`? */
typedef struct seen {
    const char *what;
    bool found;
} seen;
static void seen_line(void *ctx, const char *line)
{
    seen *s = ctx;
    if (strstr(line, s->what))
        s->found = true;
}
static bool reports(nordev *d, const char *what, int *problems)
{
    seen s = {what, false};
    vb_lfs2_check_stats st;
    int rc = vb_lfs2_check(&d->dev, seen_line, &s, &st);
    if (problems)
        *problems = rc;
    if (!s.found)
        vb_lfs2_check(&d->dev, tu_report_stderr, (void *)" (expected more)", &st);
    return s.found;
}

/* ---- finding things to break ------------------------------------------------ */

static uint8_t *blk(nordev *d, uint32_t b) { return d->mem + (size_t)b * BS; }

/* The pair and newest block holding `path`'s entry; its struct tag index. */
typedef struct where {
    uint32_t pair[2], block;
    img_tag t[1100];
    int n;
} where;

static bool locate(nordev *d, const char *path, where *w, uint32_t *id)
{
    vb_lfs2 fs;
    if (vb_lfs2_mount(&fs, &d->dev, &cfg))
        return false;
    vb_lfs2_mdir m;
    const char *p = path;
    int32_t tag = vb_lfs2_dir_find(&fs, &m, &p, NULL);
    vb_lfs2_unmount(&fs);
    if (tag < 0)
        return false;
    w->pair[0] = m.pair[0];
    w->pair[1] = m.pair[1];
    w->block = m.pair[0];
    w->n = img_tags(blk(d, w->block), BS, w->t, 1100);
    *id = ((uint32_t)tag >> 10) & 0x3FF;
    return w->n > 0;
}

/* Replace the 8 data bytes of `path`'s struct (a CTZ head+size or a dir
 * pair) and fix the CRCs. */
static bool set_struct(nordev *d, const char *path, uint32_t a, uint32_t b)
{
    where w;
    uint32_t id;
    if (!locate(d, path, &w, &id))
        return false;
    int i = img_find_entry(w.t, w.n, id, 0x700, 0x200);
    if (i < 0 || img_size(w.t[i].tag) != 8)
        return false;
    uint8_t *data = blk(d, w.block) + w.t[i].off + 4;
    img_put_le(data, a);
    img_put_le(data + 4, b);
    img_encode(blk(d, w.block), w.t, w.n);
    return true;
}

/* ---- the cases ------------------------------------------------------------------ */

static void test_crc_mismatch(void)
{
    nordev d;
    build(&d);
    /* a byte of the newest root commit: that commit no longer counts */
    uint32_t root[2] = {0, 1};
    uint32_t b = img_newest(d.mem, BS, root);
    img_tag t[1100];
    int n = img_tags(blk(&d, b), BS, t, 1100);
    CHECK(n > 4);
    blk(&d, b)[t[n - 3].off + 1] ^= 0x40;
    int rc = exercise(&d, true);
    CHECK(rc == 0 || rc == -EILSEQ);

    /* both superblock blocks unreadable as littlefs */
    for (uint32_t i = 0; i < 2 * BS; i++)
        d.mem[i] = (uint8_t)(i * 131 + 7);
    CHECK_EQ(exercise(&d, true), -EILSEQ);
    vb_lfs2_check_stats st;
    CHECK_EQ(vb_lfs2_check(&d.dev, NULL, NULL, &st), -ENODEV);
    CHECK(!st.found);
    nordev_free(&d);
}

static void test_tail_loops(void)
{
    nordev d;
    build(&d);
    /* the root's tail pointing back at the root */
    uint32_t root[2] = {0, 1};
    uint32_t b = img_newest(d.mem, BS, root);
    img_tag t[1100];
    int n = img_tags(blk(&d, b), BS, t, 1100);
    int i = img_find(t, n, 0x600, -1);
    CHECK(i >= 0);
    if (i >= 0) {
        img_put_le(blk(&d, b) + t[i].off + 4, 1);
        img_put_le(blk(&d, b) + t[i].off + 8, 0);
        img_encode(blk(&d, b), t, n);
        CHECK_EQ(exercise(&d, true), -EILSEQ);
        CHECK(reports(&d, "tail list loops", NULL));
    }
    nordev_free(&d);

    /* a hard tail inside /many pointing back at its first pair */
    build(&d);
    vb_lfs2 fs;
    vb_lfs2_dir dh;
    CHECK_EQ(vb_lfs2_mount(&fs, &d.dev, &cfg), 0);
    CHECK_EQ(vb_lfs2_opendir(&fs, &dh, "/many"), 0);
    uint32_t head[2] = {dh.head[0], dh.head[1]};
    CHECK(dh.h.m.split);
    uint32_t next[2] = {dh.h.m.tail[0], dh.h.m.tail[1]};
    vb_lfs2_closedir(&dh);
    vb_lfs2_unmount(&fs);
    b = img_newest(d.mem, BS, next);
    n = img_tags(blk(&d, b), BS, t, 1100);
    i = img_find(t, n, 0x601, -1);
    if (i < 0)
        i = img_find(t, n, 0x600, -1);
    CHECK(i >= 0);
    if (i >= 0) {
        t[i].tag = (t[i].tag & ~(0x7FFu << 20)) | (0x601u << 20);
        img_put_le(blk(&d, b) + t[i].off + 4, head[0]);
        img_put_le(blk(&d, b) + t[i].off + 8, head[1]);
        img_encode(blk(&d, b), t, n);
        int rc = exercise(&d, true);
        CHECK(rc == -EILSEQ);
        /* readdir of the loop ends too (mounting read-only paths works
         * when the list loop is reached only through the directory) */
        CHECK(reports(&d, "loops", NULL));
    }
    nordev_free(&d);
}

static void test_ctz_damage(void)
{
    nordev d;
    build(&d);
    where w;
    uint32_t id;
    CHECK(locate(&d, "/big", &w, &id));
    /* /big's head block: pointer 0 to itself (a loop) */
    vb_lfs2 fs;
    vb_lfs2_file f;
    CHECK_EQ(vb_lfs2_mount(&fs, &d.dev, &cfg), 0);
    CHECK_EQ(vb_lfs2_open(&fs, &f, "/big", VB_LFS2_O_RDONLY), 0);
    uint32_t headblk = f.ctz_head;
    vb_lfs2_close(&f);
    vb_lfs2_unmount(&fs);
    img_put_le(blk(&d, headblk), headblk);
    CHECK(reports(&d, "/big: CTZ list", NULL));
    CHECK_EQ(exercise(&d, true), 0);
    nordev_free(&d);

    /* out-of-range head; huge size; a directory pair outside the device */
    build(&d);
    CHECK(set_struct(&d, "/big", 0xFFFFFF00u, 20000));
    CHECK_EQ(vb_lfs2_mount(&fs, &d.dev, &cfg), 0);
    uint8_t buf[64];
    CHECK_EQ(vb_lfs2_open(&fs, &f, "/big", VB_LFS2_O_RDONLY), 0);
    CHECK_EQ(vb_lfs2_read(&f, buf, sizeof buf), -EILSEQ);
    vb_lfs2_close(&f);
    vb_lfs2_usage u;
    CHECK_EQ(vb_lfs2_statvfs(&fs, &u), -EILSEQ);
    vb_lfs2_unmount(&fs);
    CHECK(reports(&d, "outside the device", NULL));
    exercise(&d, true);
    nordev_free(&d);

    build(&d);
    CHECK(set_struct(&d, "/big", 5, 0x7FFFFFF0u));
    CHECK_EQ(vb_lfs2_mount(&fs, &d.dev, &cfg), 0);
    vb_lfs2_info info;
    CHECK_EQ(vb_lfs2_stat(&fs, "/big", &info), 0);
    CHECK_EQ(info.size, 0x7FFFFFF0u);
    CHECK_EQ(vb_lfs2_open(&fs, &f, "/big", VB_LFS2_O_RDONLY), 0);
    CHECK_EQ(vb_lfs2_read(&f, buf, sizeof buf), -EILSEQ);
    vb_lfs2_close(&f);
    CHECK_EQ(vb_lfs2_statvfs(&fs, &u), -EILSEQ);
    vb_lfs2_unmount(&fs);
    CHECK(reports(&d, "more blocks than the device", NULL));
    exercise(&d, true);
    nordev_free(&d);

    build(&d);
    CHECK(set_struct(&d, "/d", 1000, 1001));
    CHECK_EQ(vb_lfs2_mount(&fs, &d.dev, &cfg), 0);
    vb_lfs2_dir dh;
    CHECK_EQ(vb_lfs2_opendir(&fs, &dh, "/d"), -EILSEQ);
    CHECK_EQ(vb_lfs2_stat(&fs, "/d/a", &info), -EILSEQ);
    vb_lfs2_unmount(&fs);
    CHECK(reports(&d, "outside the", NULL));
    exercise(&d, true);
    nordev_free(&d);
}

static void patch_superblock(nordev *d, int word, uint32_t value)
{
    uint32_t root[2] = {0, 1};
    uint32_t b = img_newest(d->mem, BS, root);
    img_tag t[1100];
    int n = img_tags(blk(d, b), BS, t, 1100);
    int i = img_find(t, n, 0x201, 0);
    CHECK(i >= 0);
    if (i < 0)
        return;
    img_put_le(blk(d, b) + t[i].off + 4 + 4 * (uint32_t)word, value);
    img_encode(blk(d, b), t, n);
}

static void test_superblock(void)
{
    static const struct { int word; uint32_t value; int rc; const char *says; } cases[] = {
        {0, 0x00030000u, -EINVAL, "version 3.0"},
        {0, 0x00020005u, -EINVAL, "version 2.5"},
        {1, 512, -EINVAL, "block size 512"},
        {2, 99, -EINVAL, "block count 99"},
        {3, 2000, -EINVAL, "name_max 2000"},
        {5, 4000, -EINVAL, "attr_max 4000"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        nordev d;
        build(&d);
        patch_superblock(&d, cases[k].word, cases[k].value);
        vb_lfs2 fs;
        CHECK_EQ(vb_lfs2_mount(&fs, &d.dev, &cfg), cases[k].rc);
        CHECK(reports(&d, cases[k].says, NULL));
        nordev_free(&d);
    }
}

/* Names the driver would never write, planted by editing a name tag. */
static void plant_name(nordev *d, const char *path, const char *name, size_t len)
{
    where w;
    uint32_t id;
    CHECK(locate(d, path, &w, &id));
    int i = img_find_entry(w.t, w.n, id, 0x7FC, 0x000);
    CHECK(i >= 0);
    if (i < 0)
        return;
    CHECK(img_size(w.t[i].tag) == len);
    memcpy(blk(d, w.block) + w.t[i].off + 4, name, len);
    img_encode(blk(d, w.block), w.t, w.n);
}

static void test_checker_names(void)
{
    static const struct { const char *path; const char *name; size_t len; const char *says; } cases[] = {
        {"/d/xx", "..", 2, "\".\" or \"..\""},
        {"/d/xx", "/x", 2, "'/'"},
        {"/d/xx", "\\x", 2, "'\\'"},
        {"/d/xx", "a\0", 2, "NUL"},
        {"/d/b", "a", 1, "two entries named \"a\""},
        {NULL, NULL, 0, "control character"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        nordev d;
        build(&d);
        if (cases[k].path) {
            plant_name(&d, cases[k].path, cases[k].name, cases[k].len);
        } else {
            /* the driver itself takes control bytes in names */
            vb_lfs2 fs;
            CHECK_EQ(vb_lfs2_mount(&fs, &d.dev, &cfg), 0);
            CHECK_EQ(tu_put(&fs, "/d/\x1b", "esc", 3), 0);
            vb_lfs2_unmount(&fs);
        }
        int problems;
        CHECK(reports(&d, cases[k].says, &problems));
        if (problems < 1)
            fprintf(stderr, "  case %zu: %d problems\n", k, problems);
        CHECK(problems >= 1);
        exercise(&d, true);
        nordev_free(&d);
    }
}

static void test_checker_structure(void)
{
    /* an entry deleted without unlinking its pair: an orphan */
    nordev d;
    build(&d);
    where w;
    uint32_t id;
    CHECK(locate(&d, "/d", &w, &id));
    /* turn /d's name tag into a create of the same size? simpler: make
     * its struct point at /many's pair, sharing it */
    vb_lfs2 fs;
    vb_lfs2_dir dh;
    CHECK_EQ(vb_lfs2_mount(&fs, &d.dev, &cfg), 0);
    CHECK_EQ(vb_lfs2_opendir(&fs, &dh, "/many"), 0);
    uint32_t many[2] = {dh.head[0], dh.head[1]};
    vb_lfs2_closedir(&dh);
    vb_lfs2_unmount(&fs);
    CHECK(set_struct(&d, "/d", many[0], many[1]));
    int problems;
    CHECK(reports(&d, "orphan", &problems));
    CHECK(reports(&d, "already belongs to a directory", NULL));
    exercise(&d, false);
    nordev_free(&d);

    /* two files sharing a block */
    build(&d);
    CHECK_EQ(vb_lfs2_mount(&fs, &d.dev, &cfg), 0);
    vb_lfs2_file f;
    CHECK_EQ(vb_lfs2_open(&fs, &f, "/d/b", VB_LFS2_O_RDONLY), 0);
    uint32_t bhead = f.ctz_head, bsize = f.ctz_size;
    vb_lfs2_close(&f);
    vb_lfs2_unmount(&fs);
    CHECK(set_struct(&d, "/big", bhead, bsize));
    CHECK(reports(&d, "already used by", NULL));
    nordev_free(&d);
}

/* The report as text: whole lines, cut with "..." when the buffer is full. */
static void test_checker_text(void)
{
    nordev d;
    build(&d);
    plant_name(&d, "/d/xx", "..", 2);
    plant_name(&d, "/d/b", "a", 1);
    char big_buf[4096], small_buf[40];
    vb_lfs2_check_stats st;
    int rc = vb_lfs2_check_text(&d.dev, big_buf, sizeof big_buf, &st);
    CHECK_EQ(rc, 2);
    CHECK(strstr(big_buf, "/d/..: name is \".\" or \"..\"\n") != NULL);
    CHECK(strstr(big_buf, "/d: two entries named \"a\"\n") != NULL);
    CHECK(strstr(big_buf, "...") == NULL);
    CHECK_EQ(vb_lfs2_check_text(&d.dev, small_buf, sizeof small_buf, &st), 2);
    size_t n = strlen(small_buf);
    CHECK(n < sizeof small_buf);
    CHECK(n >= 4 && strcmp(small_buf + n - 4, "...\n") == 0);
    CHECK_EQ(st.files, 125);
    CHECK_EQ(st.dirs, 2);
    CHECK(st.used_blocks > 10);
    nordev_free(&d);
}

/* Random bytes changed in metadata and data blocks, CRCs fixed half the
 * time; fixed seeds. */
static void test_mutations(void)
{
    nordev base, d;
    build(&base);
    nordev_init(&d, BS, BLOCKS, 32);
    uint32_t x = 12345;
    unsigned mounted = 0;
    for (int round = 0; round < 160; round++) {
        memcpy(d.mem, base.mem, nordev_bytes(&d));
        int changes = 1 + (int)(x % 6);
        uint32_t touched[8];
        for (int c = 0; c < changes; c++) {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5;
            /* mostly the superblock pair and the first dirs' pairs */
            uint32_t b = x % 4 == 0 ? x % BLOCKS : (x >> 8) % 8;
            uint32_t off = (x >> 12) % 600;
            d.mem[(size_t)b * BS + off] ^= (uint8_t)(1u << (x >> 28 & 7));
            touched[c] = b;
        }
        if (x & 1)
            for (int c = 0; c < changes; c++)
                img_recrc(blk(&d, touched[c]), BS);
        if (exercise(&d, (x >> 3) & 1) == 0)
            mounted++;
    }
    CHECK(mounted > 30);
    nordev_free(&d);
    nordev_free(&base);
}

int main(void)
{
    RUN(test_crc_mismatch);
    RUN(test_tail_loops);
    RUN(test_ctz_damage);
    RUN(test_superblock);
    RUN(test_checker_names);
    RUN(test_checker_structure);
    RUN(test_checker_text);
    RUN(test_mutations);
    return CHECK_DONE();
}
