/* littlefs round trips on a NOR flash in RAM (program = AND, erase = 0xFF,
 * any program needing a 0->1 bit or misaligned is a failure), for prog
 * sizes 32 (esp32) and 256 (rp2): every structure kind and operation, with a
 * remount and a clean check after each step. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fs/lfs2.h"
#include "fs/lfs2_check.h"
#include "lfs2_nordev.h"
#include "lfs2_testutil.h"

#define BS 4096u

typedef struct vol {
    nordev d;
    vb_lfs2_config cfg;
    vb_lfs2 fs;
} vol;

static void vol_new_cfg(vol *v, uint32_t blocks, const vb_lfs2_config *cfg, uint32_t prog)
{
    nordev_init(&v->d, BS, blocks, prog);
    v->cfg = *cfg;
    CHECK_EQ(vb_lfs2_format(&v->d.dev, &v->cfg), 0);
    CHECK_EQ(vb_lfs2_mount(&v->fs, &v->d.dev, &v->cfg), 0);
}

static void vol_new(vol *v, uint32_t blocks, uint32_t prog)
{
    vb_lfs2_config cfg;
    vb_lfs2_config_micropython(&cfg, BS, prog);
    vol_new_cfg(v, blocks, &cfg, prog);
}

/* Unmount, check, mount again: what follows sees only what is on flash. */
static void vol_remount(vol *v, const char *step)
{
    CHECK_EQ(vb_lfs2_unmount(&v->fs), 0);
    CHECK_EQ(v->d.violations, 0);
    int problems = tu_check(&v->d.dev, step);
    if (problems)
        fprintf(stderr, "  after %s: %d problems\n", step, problems);
    CHECK_EQ(problems, 0);
    CHECK_EQ(vb_lfs2_mount(&v->fs, &v->d.dev, &v->cfg), 0);
}

static void vol_free(vol *v)
{
    vb_lfs2_unmount(&v->fs);
    CHECK_EQ(v->d.violations, 0);
    nordev_free(&v->d);
}

static int32_t file_size(vb_lfs2 *fs, const char *path)
{
    vb_lfs2_info info;
    int rc = vb_lfs2_stat(fs, path, &info);
    return rc ? rc : (int32_t)info.size;
}

static uint32_t inline_files(vol *v)
{
    vb_lfs2_check_stats st;
    vb_lfs2_check(&v->d.dev, NULL, NULL, &st);
    return st.inline_files;
}

/* ---- inline files, growth past the inline limit ---------------------------------- */

static void test_inline_growth(uint32_t prog)
{
    vol v;
    vol_new(&v, 128, prog);
    uint32_t lim = v.fs.inline_max;
    CHECK_EQ(lim, prog == 32 ? 128 : 512);
    uint8_t data[9000];
    tu_fill(data, sizeof data, 1);

    CHECK_EQ(tu_put(&v.fs, "/f", data, 10), 0);
    vol_remount(&v, "inline 10");
    CHECK(tu_same(&v.fs, "/f", data, 10));
    CHECK_EQ(inline_files(&v), 1);

    /* append up to the limit: still inline; one more byte: a CTZ file */
    size_t have = 10;
    size_t steps[] = {lim / 2, lim, lim + 1, 4000, 4096, 4097, 9000};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        vb_lfs2_file f;
        CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/f", vb_lfs2_mode_flags("a")), 0);
        CHECK_EQ(vb_lfs2_write(&f, data + have, steps[i] - have), (ssize_t)(steps[i] - have));
        CHECK_EQ(vb_lfs2_close(&f), 0);
        have = steps[i];
        vol_remount(&v, "append");
        CHECK(tu_same(&v.fs, "/f", data, have));
        CHECK_EQ(file_size(&v.fs, "/f"), (int32_t)have);
        CHECK_EQ(inline_files(&v), have <= lim ? 1 : 0);
    }

    /* an empty file, and a file written in one go past the limit */
    CHECK_EQ(tu_put(&v.fs, "/empty", NULL, 0), 0);
    CHECK_EQ(tu_put(&v.fs, "/g", data, lim + 50), 0);
    vol_remount(&v, "empty");
    CHECK_EQ(file_size(&v.fs, "/empty"), 0);
    CHECK(tu_same(&v.fs, "/g", data, lim + 50));
    vol_free(&v);
}

/* Blocks of a CTZ list (DESIGN.md): block i >= 1 loses ctz(i)+1 pointers. */
static uint32_t ctz_blocks(size_t size)
{
    uint32_t n = 0;
    while (size > 0) {
        size_t cap = n == 0 ? BS : BS - 4 * ((size_t)__builtin_ctz(n) + 1);
        size = size > cap ? size - cap : 0;
        n++;
    }
    return n;
}

/* ---- a 300 KB file: several CTZ skip levels, seeks, overwrites, truncates ---- */

static void test_big_file(uint32_t prog)
{
    vol v;
    vol_new(&v, 256, prog);
    const size_t n = 300000;
    uint8_t *data = malloc(n), *buf = malloc(n);
    tu_fill(data, n, 2);

    vb_lfs2_file f;
    CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/big", vb_lfs2_mode_flags("w")), 0);
    for (size_t off = 0; off < n; off += 997) {
        size_t c = n - off < 997 ? n - off : 997;
        CHECK_EQ(vb_lfs2_write(&f, data + off, c), (ssize_t)c);
    }
    CHECK_EQ(vb_lfs2_size(&f), (int32_t)n);
    CHECK_EQ(vb_lfs2_close(&f), 0);
    vol_remount(&v, "big write");
    CHECK(tu_same(&v.fs, "/big", data, n));

    /* used blocks: 300000 bytes need 75 blocks of 4096 minus pointers */
    vb_lfs2_usage u;
    CHECK_EQ(vb_lfs2_statvfs(&v.fs, &u), 0);
    CHECK_EQ(u.used_blocks, 2 + ctz_blocks(n));

    /* random access */
    CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/big", VB_LFS2_O_RDONLY), 0);
    static const uint32_t at[] = {299999, 0, 4095, 4096, 4097, 8180, 150001, 262144, 77};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        CHECK_EQ(vb_lfs2_seek(&f, (int32_t)at[i], 0), (int32_t)at[i]);
        size_t c = n - at[i] < 3000 ? n - at[i] : 3000;
        CHECK_EQ(vb_lfs2_read(&f, buf, c), (ssize_t)c);
        CHECK(memcmp(buf, data + at[i], c) == 0);
    }
    CHECK_EQ(vb_lfs2_seek(&f, -10, 2), (int32_t)n - 10);
    CHECK_EQ(vb_lfs2_read(&f, buf, 100), 10);
    CHECK_EQ(vb_lfs2_read(&f, buf, 100), 0);
    CHECK_EQ(vb_lfs2_tell(&f), (int32_t)n);
    CHECK_EQ(vb_lfs2_write(&f, "x", 1), -EBADF);
    CHECK_EQ(vb_lfs2_truncate(&f, 5), -EBADF);
    CHECK_EQ(vb_lfs2_close(&f), 0);
    CHECK_EQ(vb_lfs2_close(&f), -EBADF);

    /* overwrite in the middle (copy-on-write of the rest) */
    CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/big", vb_lfs2_mode_flags("r+")), 0);
    CHECK_EQ(vb_lfs2_seek(&f, 100000, 0), 100000);
    uint8_t patch[10000];
    tu_fill(patch, sizeof patch, 3);
    CHECK_EQ(vb_lfs2_write(&f, patch, sizeof patch), (ssize_t)sizeof patch);
    memcpy(data + 100000, patch, sizeof patch);
    /* read back through the same handle before closing */
    CHECK_EQ(vb_lfs2_seek(&f, 99990, 0), 99990);
    CHECK_EQ(vb_lfs2_read(&f, buf, 20), 20);
    CHECK(memcmp(buf, data + 99990, 20) == 0);
    CHECK_EQ(vb_lfs2_close(&f), 0);
    vol_remount(&v, "overwrite");
    CHECK(tu_same(&v.fs, "/big", data, n));

    /* truncates: shorter CTZ, back to inline, zero, and grow with zeros */
    static const uint32_t sizes[] = {100000, 4097, 4096, 100, 0, 7000};
    size_t cur = n;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/big", VB_LFS2_O_RDWR), 0);
        CHECK_EQ(vb_lfs2_seek(&f, 3, 0), 3);
        CHECK_EQ(vb_lfs2_truncate(&f, sizes[i]), 0);
        CHECK_EQ(vb_lfs2_size(&f), (int32_t)sizes[i]);
        CHECK_EQ(vb_lfs2_tell(&f), 3);  /* the position stays */
        CHECK_EQ(vb_lfs2_close(&f), 0);
        if (sizes[i] > cur)
            memset(data + cur, 0, sizes[i] - cur);
        cur = sizes[i];
        vol_remount(&v, "truncate");
        CHECK(tu_same(&v.fs, "/big", data, cur));
    }

    /* a gap after a seek past the end reads as zeros */
    CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/big", VB_LFS2_O_RDWR), 0);
    CHECK_EQ(vb_lfs2_seek(&f, 20000, 0), 20000);
    CHECK_EQ(vb_lfs2_write(&f, "end", 3), 3);
    CHECK_EQ(vb_lfs2_close(&f), 0);
    memset(data + cur, 0, 20000 - cur);
    memcpy(data + 20000, "end", 3);
    vol_remount(&v, "gap");
    CHECK(tu_same(&v.fs, "/big", data, 20003));

    /* removing frees every block */
    CHECK_EQ(vb_lfs2_remove(&v.fs, "/big"), 0);
    CHECK_EQ(vb_lfs2_statvfs(&v.fs, &u), 0);
    CHECK_EQ(u.used_blocks, 2);
    free(data);
    free(buf);
    vol_free(&v);
}

/* ---- names ----------------------------------------------------------------------- */

static void test_names(uint32_t prog)
{
    vol v;
    vol_new(&v, 64, prog);
    char name[300];
    memset(name, 'n', sizeof name);
    name[0] = '/';
    name[256] = '\0';  /* 255-byte name */
    CHECK_EQ(tu_put(&v.fs, name, "long", 4), 0);
    CHECK_EQ(vb_lfs2_mkdir(&v.fs, "/d"), 0);
    char dname[320];
    snprintf(dname, sizeof dname, "/d/%s", name + 1);
    CHECK_EQ(vb_lfs2_mkdir(&v.fs, dname), 0);

    name[257] = '\0';
    name[256] = 'x';  /* 256 bytes */
    vb_lfs2_file f;
    CHECK_EQ(vb_lfs2_open(&v.fs, &f, name, vb_lfs2_mode_flags("w")), -ENAMETOOLONG);
    CHECK_EQ(vb_lfs2_mkdir(&v.fs, name), -ENAMETOOLONG);
    CHECK_EQ(vb_lfs2_rename(&v.fs, "/d", name), -ENAMETOOLONG);
    name[256] = '\0';

    /* spaces, UTF-8 and a backslash are all just bytes to littlefs */
    CHECK_EQ(tu_put(&v.fs, "/with space.txt", "a", 1), 0);
    CHECK_EQ(tu_put(&v.fs, "/\xc3\xa9t\xc3\xa9.py", "b", 1), 0);
    vol_remount(&v, "names");
    CHECK(tu_same(&v.fs, name, "long", 4));
    CHECK(tu_same(&v.fs, "/with space.txt", "a", 1));
    CHECK(tu_same(&v.fs, "/\xc3\xa9t\xc3\xa9.py", "b", 1));
    vb_lfs2_info info;
    CHECK_EQ(vb_lfs2_stat(&v.fs, dname, &info), 0);
    CHECK_EQ(info.type, VB_LFS2_TYPE_DIR);
    CHECK_EQ(strlen(info.name), 255);

    /* path forms littlefs resolves */
    CHECK_EQ(vb_lfs2_stat(&v.fs, "d/./../d/", &info), 0);
    CHECK_STR(info.name, "d");
    CHECK_EQ(vb_lfs2_stat(&v.fs, "//with space.txt", &info), 0);
    CHECK_EQ(vb_lfs2_stat(&v.fs, "/with space.txt/", &info), -ENOTDIR);
    CHECK_EQ(vb_lfs2_stat(&v.fs, "/..", &info), -EINVAL);
    CHECK_EQ(vb_lfs2_stat(&v.fs, "", &info), -EINVAL);
    CHECK_EQ(vb_lfs2_stat(&v.fs, "/", &info), 0);
    CHECK_STR(info.name, "/");
    vol_free(&v);
}

/* ---- deep trees ----------------------------------------------------------------- */

static void test_deep_tree(uint32_t prog)
{
    vol v;
    vol_new(&v, 128, prog);
    char path[400] = "";
    for (int i = 0; i < 20; i++) {
        size_t l = strlen(path);
        snprintf(path + l, sizeof path - l, "/d%02d", i);
        CHECK_EQ(vb_lfs2_mkdir(&v.fs, path), 0);
    }
    char file[450];
    snprintf(file, sizeof file, "%s/leaf.txt", path);
    CHECK_EQ(tu_put(&v.fs, file, "deep", 4), 0);
    vol_remount(&v, "deep");
    CHECK(tu_same(&v.fs, file, "deep", 4));
    vb_lfs2_check_stats st;
    CHECK_EQ(vb_lfs2_check(&v.d.dev, NULL, NULL, &st), 0);
    CHECK_EQ(st.dirs, 20);
    CHECK_EQ(st.pairs, 21);

    /* a non-empty directory is refused, then everything goes bottom up */
    CHECK_EQ(vb_lfs2_remove(&v.fs, "/d00"), -ENOTEMPTY);
    CHECK_EQ(vb_lfs2_remove(&v.fs, file), 0);
    for (int i = 19; i >= 0; i--) {
        CHECK_EQ(vb_lfs2_remove(&v.fs, path), 0);
        *strrchr(path, '/') = '\0';
    }
    vol_remount(&v, "deep removed");
    CHECK_EQ(vb_lfs2_check(&v.d.dev, NULL, NULL, &st), 0);
    CHECK_EQ(st.pairs, 1);
    CHECK_EQ(st.used_blocks, 2);
    vol_free(&v);
}

/* ---- many entries: directory splits --------------------------------------------- */

static void test_many_entries(uint32_t prog)
{
    vol v;
    vol_new(&v, 256, prog);
    CHECK_EQ(vb_lfs2_mkdir(&v.fs, "/many"), 0);
    char path[100];
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof path, "/many/entry-number-%04d-with-a-long-name.txt", (i * 7919) % 300);
        char body[40];
        int n = snprintf(body, sizeof body, "body %d", (i * 7919) % 300);
        CHECK_EQ(tu_put(&v.fs, path, body, (size_t)n), 0);
    }
    vol_remount(&v, "300 entries");
    vb_lfs2_check_stats st;
    CHECK_EQ(vb_lfs2_check(&v.d.dev, NULL, NULL, &st), 0);
    CHECK(st.pairs >= 4);  /* the directory was split */
    CHECK_EQ(st.files, 300);

    vb_lfs2_dir d;
    vb_lfs2_info info;
    CHECK_EQ(vb_lfs2_opendir(&v.fs, &d, "/many"), 0);
    int n = 0;
    while (vb_lfs2_readdir(&d, &info) == 1)
        n++;
    CHECK_EQ(n, 302);  /* with "." and ".." */
    /* seek back to an entry and read it again */
    CHECK_EQ(vb_lfs2_seekdir(&d, 150), 0);
    CHECK_EQ(vb_lfs2_telldir(&d), 150);
    CHECK_EQ(vb_lfs2_readdir(&d, &info), 1);
    char again[VB_LFS2_NAME_MAX + 1];
    strcpy(again, info.name);
    CHECK_EQ(vb_lfs2_rewinddir(&d), 0);
    for (int i = 0; i <= 150; i++)
        CHECK_EQ(vb_lfs2_readdir(&d, &info), 1);
    CHECK_STR(info.name, again);
    CHECK_EQ(vb_lfs2_closedir(&d), 0);
    CHECK_EQ(vb_lfs2_closedir(&d), -EBADF);

    for (int i = 0; i < 300; i += 2) {
        snprintf(path, sizeof path, "/many/entry-number-%04d-with-a-long-name.txt", i);
        CHECK_EQ(vb_lfs2_remove(&v.fs, path), 0);
    }
    vol_remount(&v, "half removed");
    for (int i = 1; i < 300; i += 2) {
        snprintf(path, sizeof path, "/many/entry-number-%04d-with-a-long-name.txt", i);
        char body[40];
        int bn = snprintf(body, sizeof body, "body %d", i);
        CHECK(tu_same(&v.fs, path, body, (size_t)bn));
    }
    for (int i = 1; i < 300; i += 2) {
        snprintf(path, sizeof path, "/many/entry-number-%04d-with-a-long-name.txt", i);
        CHECK_EQ(vb_lfs2_remove(&v.fs, path), 0);
    }
    CHECK_EQ(vb_lfs2_remove(&v.fs, "/many"), 0);
    vol_remount(&v, "all removed");
    CHECK_EQ(vb_lfs2_check(&v.d.dev, NULL, NULL, &st), 0);
    CHECK_EQ(st.pairs, 1);
    vol_free(&v);
}

/* ---- compaction after many commits; superblock expansion ------------------------ */

static uint32_t rev_of(const vol *v, uint32_t block)
{
    const uint8_t *p = v->d.mem + (size_t)block * BS;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void test_compaction(uint32_t prog)
{
    vol v;
    vol_new(&v, 128, prog);
    char body[64];
    /* until the tired superblock pair (compacted 101 times) has pushed the
     * root into a pair of its own, then as many commits again */
    int i = 0, moved_at = -1;
    for (; i < 20000 && (moved_at < 0 || i < 2 * moved_at); i++) {
        if (moved_at < 0 && v.fs.root[0] > 1)
            moved_at = i;
        int n = snprintf(body, sizeof body, "counter %d", i);
        CHECK_EQ(tu_put(&v.fs, "/counter.txt", body, (size_t)n), 0);
        if (i % 1000 == 0)
            vol_remount(&v, "counter");
    }
    CHECK(i < 20000);
    CHECK(moved_at > 0);
    CHECK(rev_of(&v, 0) >= 100 || rev_of(&v, 1) >= 100);
    vol_remount(&v, "many commits");
    CHECK(tu_same(&v.fs, "/counter.txt", body, strlen(body)));
    vb_lfs2_check_stats st;
    CHECK_EQ(vb_lfs2_check(&v.d.dev, NULL, NULL, &st), 0);
    CHECK(st.pairs >= 2);
    CHECK(!(v.fs.root[0] == 0 || v.fs.root[0] == 1));
    vol_free(&v);
}

/* ---- wear relocation of a metadata pair (block_cycles) -------------------------- */

static void test_relocation(uint32_t prog)
{
    vol v;
    vb_lfs2_config cfg;
    vb_lfs2_config_micropython(&cfg, BS, prog);
    cfg.block_cycles = 4;
    vol_new_cfg(&v, 64, &cfg, prog);
    CHECK_EQ(vb_lfs2_mkdir(&v.fs, "/d"), 0);
    CHECK_EQ(tu_put(&v.fs, "/d/keep", "kept", 4), 0);
    vb_lfs2_dir d;
    CHECK_EQ(vb_lfs2_opendir(&v.fs, &d, "/d"), 0);
    uint32_t first[2] = {d.head[0], d.head[1]};
    CHECK_EQ(vb_lfs2_closedir(&d), 0);

    uint8_t body[100];
    unsigned moved = 0;
    for (int i = 0; i < 1500; i++) {
        tu_fill(body, sizeof body, (uint32_t)i);
        CHECK_EQ(tu_put(&v.fs, "/d/f", body, sizeof body), 0);
        CHECK_EQ(vb_lfs2_opendir(&v.fs, &d, "/d"), 0);
        if (d.head[0] != first[0] && d.head[0] != first[1] && d.head[1] != first[0] && d.head[1] != first[1])
            moved++;
        CHECK_EQ(vb_lfs2_closedir(&d), 0);
        if (i % 250 == 0)
            vol_remount(&v, "relocation");
    }
    CHECK(moved > 0);  /* the pair left its first blocks */
    vol_remount(&v, "relocated");
    CHECK(tu_same(&v.fs, "/d/f", body, sizeof body));
    CHECK(tu_same(&v.fs, "/d/keep", "kept", 4));
    vol_free(&v);
}

/* ---- a full volume ------------------------------------------------------------- */

static void test_full(uint32_t prog)
{
    vol v;
    vol_new(&v, 32, prog);
    CHECK_EQ(tu_put(&v.fs, "/small", "precious", 8), 0);
    uint8_t chunk[4096];
    tu_fill(chunk, sizeof chunk, 5);
    vb_lfs2_file f;
    CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/fill", vb_lfs2_mode_flags("w")), 0);
    ssize_t r = 0;
    size_t total = 0;
    for (int i = 0; i < 100; i++) {
        r = vb_lfs2_write(&f, chunk, sizeof chunk);
        if (r < 0)
            break;
        total += (size_t)r;
    }
    CHECK_EQ(r, -ENOSPC);
    CHECK(total > 20 * 4096);
    vb_lfs2_close(&f);  /* may fail too: nothing committed */
    vol_remount(&v, "full");
    CHECK(tu_same(&v.fs, "/small", "precious", 8));
    vb_lfs2_info info;
    int rc = vb_lfs2_stat(&v.fs, "/fill", &info);
    CHECK(rc == 0 && info.size == 0);  /* created empty, data never committed */

    /* a smaller file fits after the failed one is removed */
    CHECK_EQ(vb_lfs2_remove(&v.fs, "/fill"), 0);
    CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/fill2", vb_lfs2_mode_flags("w")), 0);
    for (int i = 0; i < 20; i++)
        CHECK_EQ(vb_lfs2_write(&f, chunk, sizeof chunk), (ssize_t)sizeof chunk);
    CHECK_EQ(vb_lfs2_close(&f), 0);
    vol_remount(&v, "refilled");
    CHECK_EQ(file_size(&v.fs, "/fill2"), 20 * 4096);
    CHECK(tu_same(&v.fs, "/small", "precious", 8));
    vol_free(&v);
}

/* ---- rename -------------------------------------------------------------------- */

static void test_rename(uint32_t prog)
{
    vol v;
    vol_new(&v, 64, prog);
    uint8_t big[6000];
    tu_fill(big, sizeof big, 9);
    CHECK_EQ(vb_lfs2_mkdir(&v.fs, "/a"), 0);
    CHECK_EQ(vb_lfs2_mkdir(&v.fs, "/b"), 0);
    CHECK_EQ(tu_put(&v.fs, "/a/x", big, sizeof big), 0);
    CHECK_EQ(tu_put(&v.fs, "/a/y", "yy", 2), 0);
    vb_lfs2_attr a = {7, (void *)"attr!", 5};
    CHECK_EQ(tu_put_attr(&v.fs, "/a/z", "zz", 2, &a, 1), 0);

    CHECK_EQ(vb_lfs2_rename(&v.fs, "/a/x", "/b/x2"), 0);      /* across dirs */
    CHECK_EQ(vb_lfs2_rename(&v.fs, "/a/z", "/b/z"), 0);       /* attributes follow */
    CHECK_EQ(vb_lfs2_rename(&v.fs, "/a/y", "/a/a-y"), 0);     /* same dir, lower id */
    vol_remount(&v, "renames");
    CHECK(tu_same(&v.fs, "/b/x2", big, sizeof big));
    CHECK(tu_same(&v.fs, "/a/a-y", "yy", 2));
    char got[8] = {0};
    CHECK_EQ(vb_lfs2_getattr(&v.fs, "/b/z", 7, got, sizeof got), 5);
    CHECK_STR(got, "attr!");
    vb_lfs2_info info;
    CHECK_EQ(vb_lfs2_stat(&v.fs, "/a/x", &info), -ENOENT);
    CHECK_EQ(vb_lfs2_stat(&v.fs, "/a/y", &info), -ENOENT);

    /* replacing: a file over a file, a dir over an empty dir */
    CHECK_EQ(vb_lfs2_rename(&v.fs, "/a/a-y", "/b/x2"), 0);
    CHECK_EQ(vb_lfs2_mkdir(&v.fs, "/empty"), 0);
    CHECK_EQ(vb_lfs2_rename(&v.fs, "/a", "/empty"), 0);
    vol_remount(&v, "replace");
    CHECK(tu_same(&v.fs, "/b/x2", "yy", 2));
    CHECK_EQ(vb_lfs2_stat(&v.fs, "/empty", &info), 0);
    CHECK_EQ(vb_lfs2_stat(&v.fs, "/a", &info), -ENOENT);

    /* refusals */
    CHECK_EQ(vb_lfs2_rename(&v.fs, "/empty", "/b"), -ENOTEMPTY);
    CHECK_EQ(vb_lfs2_rename(&v.fs, "/b/x2", "/empty"), -EISDIR);
    CHECK_EQ(vb_lfs2_rename(&v.fs, "/empty", "/b/x2"), -ENOTDIR);
    CHECK_EQ(vb_lfs2_rename(&v.fs, "/missing", "/q"), -ENOENT);
    CHECK_EQ(vb_lfs2_rename(&v.fs, "/b/x2", "/nodir/q"), -ENOENT);
    CHECK_EQ(vb_lfs2_rename(&v.fs, "/b/x2", "/b/x2"), 0);
    CHECK_EQ(vb_lfs2_rename(&v.fs, "/", "/r"), -EINVAL);
    CHECK_EQ(vb_lfs2_rename(&v.fs, "/b/x2", "/b/x3/"), -ENOTDIR);
    vol_remount(&v, "refusals");
    CHECK(tu_same(&v.fs, "/b/x2", "yy", 2));
    vol_free(&v);
}

/* ---- errors and flags --------------------------------------------------------- */

static void test_errors(uint32_t prog)
{
    vol v;
    vol_new(&v, 32, prog);
    vb_lfs2_file f;
    vb_lfs2_info info;
    CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/nope", VB_LFS2_O_RDONLY), -ENOENT);
    CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/no/such", vb_lfs2_mode_flags("w")), -ENOENT);
    CHECK_EQ(tu_put(&v.fs, "/file", "abc", 3), 0);
    CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/file", vb_lfs2_mode_flags("x")), -EEXIST);
    CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/file/sub", vb_lfs2_mode_flags("w")), -ENOTDIR);
    CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/newdir/", vb_lfs2_mode_flags("w")), -ENOTDIR);
    CHECK_EQ(vb_lfs2_mkdir(&v.fs, "/dir"), 0);
    CHECK_EQ(vb_lfs2_mkdir(&v.fs, "/dir"), -EEXIST);
    CHECK_EQ(vb_lfs2_mkdir(&v.fs, "/file"), -EEXIST);
    CHECK_EQ(vb_lfs2_mkdir(&v.fs, "/x/y"), -ENOENT);
    CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/dir", VB_LFS2_O_RDONLY), -EISDIR);
    CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/", VB_LFS2_O_RDONLY), -EISDIR);
    CHECK_EQ(vb_lfs2_remove(&v.fs, "/"), -EINVAL);
    CHECK_EQ(vb_lfs2_remove(&v.fs, "/nope"), -ENOENT);
    vb_lfs2_dir d;
    CHECK_EQ(vb_lfs2_opendir(&v.fs, &d, "/file"), -ENOTDIR);
    CHECK_EQ(vb_lfs2_opendir(&v.fs, &d, "/nope"), -ENOENT);

    CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/file", VB_LFS2_O_WRONLY), 0);
    uint8_t buf[8];
    CHECK_EQ(vb_lfs2_read(&f, buf, 3), -EBADF);
    CHECK_EQ(vb_lfs2_seek(&f, -1, 0), -EINVAL);
    CHECK_EQ(vb_lfs2_seek(&f, 0, 7), -EINVAL);
    CHECK_EQ(vb_lfs2_seek(&f, 0, 2), 3);
    CHECK_EQ(vb_lfs2_close(&f), 0);
    CHECK_EQ(vb_lfs2_read(&f, buf, 3), -EBADF);
    CHECK_EQ(vb_lfs2_write(&f, buf, 3), -EBADF);

    /* "x" creates, "a" appends, "w" truncates, "r+" keeps */
    CHECK_EQ(vb_lfs2_mode_flags("r"), VB_LFS2_O_RDONLY);
    CHECK_EQ(vb_lfs2_mode_flags("rb"), VB_LFS2_O_RDONLY);
    CHECK_EQ(vb_lfs2_mode_flags("r+"), VB_LFS2_O_RDWR);
    CHECK_EQ(vb_lfs2_mode_flags("w"), VB_LFS2_O_WRONLY | VB_LFS2_O_CREAT | VB_LFS2_O_TRUNC);
    CHECK_EQ(vb_lfs2_mode_flags("w+"), VB_LFS2_O_RDWR | VB_LFS2_O_CREAT | VB_LFS2_O_TRUNC);
    CHECK_EQ(vb_lfs2_mode_flags("a"), VB_LFS2_O_WRONLY | VB_LFS2_O_CREAT | VB_LFS2_O_APPEND);
    CHECK_EQ(vb_lfs2_mode_flags("x"), VB_LFS2_O_WRONLY | VB_LFS2_O_CREAT | VB_LFS2_O_EXCL);
    CHECK_EQ(vb_lfs2_mode_flags(""), VB_LFS2_O_RDONLY);
    CHECK_EQ(vb_lfs2_mode_flags("rw"), -EINVAL);
    CHECK_EQ(vb_lfs2_mode_flags("+r"), -EINVAL);
    CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/xnew", vb_lfs2_mode_flags("x")), 0);
    CHECK_EQ(vb_lfs2_write(&f, "1234", 4), 4);
    CHECK_EQ(vb_lfs2_close(&f), 0);
    CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/xnew", vb_lfs2_mode_flags("a")), 0);
    CHECK_EQ(vb_lfs2_seek(&f, 0, 0), 0);
    CHECK_EQ(vb_lfs2_write(&f, "56", 2), 2);  /* append ignores the seek */
    CHECK_EQ(vb_lfs2_close(&f), 0);
    CHECK(tu_same(&v.fs, "/xnew", "123456", 6));
    CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/xnew", vb_lfs2_mode_flags("r+")), 0);
    CHECK_EQ(vb_lfs2_write(&f, "ab", 2), 2);
    CHECK_EQ(vb_lfs2_close(&f), 0);
    CHECK(tu_same(&v.fs, "/xnew", "ab3456", 6));

    /* unsynced data is invisible after a remount; synced data is there */
    CHECK_EQ(vb_lfs2_open(&v.fs, &f, "/xnew", vb_lfs2_mode_flags("a")), 0);
    CHECK_EQ(vb_lfs2_write(&f, "78", 2), 2);
    CHECK_EQ(vb_lfs2_sync(&f), 0);
    CHECK_EQ(vb_lfs2_write(&f, "99", 2), 2);
    /* drop the handle as a power cut would */
    vb_lfs2_unmount(&v.fs);
    CHECK_EQ(vb_lfs2_mount(&v.fs, &v.d.dev, &v.cfg), 0);
    CHECK(tu_same(&v.fs, "/xnew", "ab345678", 8));

    CHECK_EQ(vb_lfs2_stat(&v.fs, "/file", &info), 0);
    CHECK_EQ(info.type, VB_LFS2_TYPE_REG);
    CHECK_EQ(info.size, 3);
    vol_remount(&v, "errors");
    vol_free(&v);
}

/* ---- custom attributes --------------------------------------------------------- */

static void test_attrs(uint32_t prog)
{
    vol v;
    vol_new(&v, 32, prog);
    uint8_t mtime[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    vb_lfs2_attr a = {VB_LFS2_ATTR_MTIME, mtime, 8};
    CHECK_EQ(tu_put_attr(&v.fs, "/m", "data", 4, &a, 1), 0);
    CHECK_EQ(vb_lfs2_mkdir(&v.fs, "/d"), 0);
    CHECK_EQ(vb_lfs2_setattr(&v.fs, "/d", 9, "dir attribute", 13), 0);
    CHECK_EQ(vb_lfs2_setattr(&v.fs, "/", 9, "root", 4), 0);
    uint8_t big[1023];
    memset(big, 0x5A, sizeof big);
    CHECK_EQ(vb_lfs2_setattr(&v.fs, "/m", 200, big, 1022), 0);
    CHECK_EQ(vb_lfs2_setattr(&v.fs, "/m", 201, big, 1023), -ENOSPC);
    vol_remount(&v, "attrs");

    uint8_t buf[1100];
    CHECK_EQ(vb_lfs2_getattr(&v.fs, "/m", VB_LFS2_ATTR_MTIME, buf, 8), 8);
    CHECK(memcmp(buf, mtime, 8) == 0);
    /* smaller buffer: truncated; bigger: zero padded */
    memset(buf, 0xEE, sizeof buf);
    CHECK_EQ(vb_lfs2_getattr(&v.fs, "/m", VB_LFS2_ATTR_MTIME, buf, 4), 8);
    CHECK(memcmp(buf, mtime, 4) == 0 && buf[4] == 0xEE);
    CHECK_EQ(vb_lfs2_getattr(&v.fs, "/m", VB_LFS2_ATTR_MTIME, buf, 12), 8);
    CHECK(buf[8] == 0 && buf[11] == 0);
    CHECK_EQ(vb_lfs2_getattr(&v.fs, "/m", 200, buf, sizeof buf), 1022);
    CHECK(memcmp(buf, big, 1022) == 0);
    CHECK_EQ(vb_lfs2_getattr(&v.fs, "/d", 9, buf, sizeof buf), 13);
    CHECK_EQ(vb_lfs2_getattr(&v.fs, "/", 9, buf, sizeof buf), 4);
    CHECK_EQ(vb_lfs2_getattr(&v.fs, "/m", 3, buf, 8), -ENODATA);
    CHECK_EQ(vb_lfs2_getattr(&v.fs, "/none", 3, buf, 8), -ENOENT);

    /* read at open for reading; the file's write updates it at close */
    uint8_t seen[8] = {0};
    vb_lfs2_attr r = {VB_LFS2_ATTR_MTIME, seen, 8};
    vb_lfs2_file f;
    CHECK_EQ(vb_lfs2_opencfg(&v.fs, &f, "/m", VB_LFS2_O_RDWR, &r, 1), 0);
    CHECK(memcmp(seen, mtime, 8) == 0);
    seen[0] = 0x77;  /* the caller's buffer at close is what is written */
    CHECK_EQ(vb_lfs2_write(&f, "D", 1), 1);
    CHECK_EQ(vb_lfs2_close(&f), 0);
    CHECK_EQ(vb_lfs2_getattr(&v.fs, "/m", VB_LFS2_ATTR_MTIME, buf, 8), 8);
    CHECK_EQ(buf[0], 0x77);
    CHECK(tu_same(&v.fs, "/m", "Data", 4));

    CHECK_EQ(vb_lfs2_removeattr(&v.fs, "/m", 200), 0);
    vol_remount(&v, "removeattr");
    CHECK_EQ(vb_lfs2_getattr(&v.fs, "/m", 200, buf, 8), -ENODATA);
    CHECK_EQ(vb_lfs2_getattr(&v.fs, "/m", VB_LFS2_ATTR_MTIME, buf, 8), 8);
    vol_free(&v);
}

/* ---- handles across changes ----------------------------------------------------- */

static void test_handles(uint32_t prog)
{
    vol v;
    vol_new(&v, 64, prog);
    CHECK_EQ(tu_put(&v.fs, "/b", "bbbb", 4), 0);
    vb_lfs2_file f1, f2;
    CHECK_EQ(vb_lfs2_open(&v.fs, &f1, "/b", VB_LFS2_O_RDONLY), 0);
    /* names created before /b shift its id: the handle follows */
    CHECK_EQ(tu_put(&v.fs, "/a1", "1", 1), 0);
    CHECK_EQ(tu_put(&v.fs, "/a2", "2", 1), 0);
    uint8_t buf[8] = {0};
    CHECK_EQ(vb_lfs2_read(&f1, buf, 8), 4);
    CHECK(memcmp(buf, "bbbb", 4) == 0);
    CHECK_EQ(vb_lfs2_close(&f1), 0);

    /* two writers on two files at once */
    CHECK_EQ(vb_lfs2_open(&v.fs, &f1, "/w1", vb_lfs2_mode_flags("w")), 0);
    CHECK_EQ(vb_lfs2_open(&v.fs, &f2, "/w2", vb_lfs2_mode_flags("w")), 0);
    uint8_t d1[10000], d2[10000];
    tu_fill(d1, sizeof d1, 11);
    tu_fill(d2, sizeof d2, 12);
    for (size_t off = 0; off < sizeof d1; off += 1000) {
        CHECK_EQ(vb_lfs2_write(&f1, d1 + off, 1000), 1000);
        CHECK_EQ(vb_lfs2_write(&f2, d2 + off, 1000), 1000);
    }
    CHECK_EQ(vb_lfs2_close(&f2), 0);
    CHECK_EQ(vb_lfs2_close(&f1), 0);

    /* a file removed while open: the handle is detached, close is fine */
    CHECK_EQ(vb_lfs2_open(&v.fs, &f1, "/a1", vb_lfs2_mode_flags("r+")), 0);
    CHECK_EQ(vb_lfs2_remove(&v.fs, "/a1"), 0);
    CHECK_EQ(vb_lfs2_write(&f1, "x", 1), 1);
    CHECK_EQ(vb_lfs2_close(&f1), 0);
    vol_remount(&v, "handles");
    CHECK(tu_same(&v.fs, "/w1", d1, sizeof d1));
    CHECK(tu_same(&v.fs, "/w2", d2, sizeof d2));
    vb_lfs2_info info;
    CHECK_EQ(vb_lfs2_stat(&v.fs, "/a1", &info), -ENOENT);
    vol_free(&v);
}

/* ---- disk versions: 2.0 stays 2.0; a 2.1 driver upgrades at the first write ---- */

static uint32_t sb_version(const vol *v)
{
    vb_lfs2_check_stats st;
    vb_lfs2_check(&v->d.dev, NULL, NULL, &st);
    return st.disk_version;
}

static void test_versions(void)
{
    vol v;
    vb_lfs2_config c20;
    vb_lfs2_config_micropython(&c20, BS, 32);
    c20.disk_version = VB_LFS2_VERSION_2_0;
    vol_new_cfg(&v, 64, &c20, 32);
    CHECK_EQ(sb_version(&v), VB_LFS2_VERSION_2_0);
    CHECK_EQ(tu_put(&v.fs, "/a", "2.0 data", 8), 0);
    CHECK_EQ(vb_lfs2_mkdir(&v.fs, "/d"), 0);
    for (int i = 0; i < 200; i++)  /* compactions too */
        CHECK_EQ(tu_put(&v.fs, "/d/f", &i, sizeof i), 0);
    vol_remount(&v, "2.0");
    CHECK_EQ(sb_version(&v), VB_LFS2_VERSION_2_0);

    /* a 2.1 driver mounts it unchanged... */
    vb_lfs2_config c21;
    vb_lfs2_config_micropython(&c21, BS, 32);
    vb_lfs2_unmount(&v.fs);
    CHECK_EQ(vb_lfs2_mount(&v.fs, &v.d.dev, &c21), 0);
    vb_lfs2_fsinfo fi;
    CHECK_EQ(vb_lfs2_fsinfo_get(&v.fs, &fi), 0);
    CHECK_EQ(fi.disk_version, VB_LFS2_VERSION_2_0);
    CHECK(tu_same(&v.fs, "/a", "2.0 data", 8));
    vb_lfs2_unmount(&v.fs);
    CHECK_EQ(sb_version(&v), VB_LFS2_VERSION_2_0);
    /* ...and upgrades it at the first write */
    CHECK_EQ(vb_lfs2_mount(&v.fs, &v.d.dev, &c21), 0);
    CHECK_EQ(tu_put(&v.fs, "/b", "b", 1), 0);
    CHECK_EQ(vb_lfs2_fsinfo_get(&v.fs, &fi), 0);
    CHECK_EQ(fi.disk_version, VB_LFS2_VERSION_2_1);
    vb_lfs2_unmount(&v.fs);
    CHECK_EQ(sb_version(&v), VB_LFS2_VERSION_2_1);
    /* now the 2.0 driver refuses it */
    CHECK_EQ(vb_lfs2_mount(&v.fs, &v.d.dev, &c20), -EINVAL);
    v.cfg = c21;
    CHECK_EQ(vb_lfs2_mount(&v.fs, &v.d.dev, &v.cfg), 0);
    vol_free(&v);

    /* Pycom: name_max 1022 on disk, which MicroPython's limit refuses */
    vb_lfs2_config pc;
    vb_lfs2_config_pycom(&pc, BS);
    vol_new_cfg(&v, 64, &pc, BS);
    char name[1030];
    memset(name, 'p', sizeof name);
    name[0] = '/';
    name[1001] = '\0';
    CHECK_EQ(tu_put(&v.fs, name, "pycom", 5), 0);
    CHECK_EQ(tu_put(&v.fs, "/main.py", "# main.py -- put your code here!\r\n", 34), 0);
    vol_remount(&v, "pycom");
    CHECK(tu_same(&v.fs, name, "pycom", 5));
    CHECK_EQ(sb_version(&v), VB_LFS2_VERSION_2_0);
    vb_lfs2_unmount(&v.fs);
    CHECK_EQ(vb_lfs2_mount(&v.fs, &v.d.dev, &c21), -EINVAL);
    CHECK_EQ(vb_lfs2_mount(&v.fs, &v.d.dev, &v.cfg), 0);
    vol_free(&v);
}

static void test_config_checks(void)
{
    nordev d;
    nordev_init(&d, BS, 16, 32);
    vb_lfs2_config c;
    vb_lfs2_config_micropython(&c, BS, 32);
    CHECK_EQ(vb_lfs2_check_config(&d.dev, &c), 0);
    c.cache_size = 100;
    CHECK_EQ(vb_lfs2_check_config(&d.dev, &c), -EINVAL);
    vb_lfs2_config_micropython(&c, BS, 32);
    c.inline_max = 4096;
    CHECK_EQ(vb_lfs2_check_config(&d.dev, &c), -EINVAL);
    vb_lfs2_config_micropython(&c, BS, 32);
    c.name_max = 2000;
    CHECK_EQ(vb_lfs2_check_config(&d.dev, &c), -EINVAL);
    vb_lfs2_config_micropython(&c, BS, 32);
    c.disk_version = 0x00030000;
    CHECK_EQ(vb_lfs2_format(&d.dev, &c), -EINVAL);
    /* an erased device is not littlefs */
    vb_lfs2 fs;
    vb_lfs2_config_micropython(&c, BS, 32);
    CHECK_EQ(vb_lfs2_mount(&fs, &d.dev, &c), -EILSEQ);
    vb_lfs2_config_micropython(&c, 256, 256);
    CHECK_EQ(c.cache_size, 256);  /* min(block, 4 * prog) */
    nordev_free(&d);
}

#define BOTH(fn) do { fn(32); fn(256); } while (0)

static void t_inline(void) { BOTH(test_inline_growth); }
static void t_big(void) { BOTH(test_big_file); }
static void t_names(void) { BOTH(test_names); }
static void t_deep(void) { BOTH(test_deep_tree); }
static void t_many(void) { BOTH(test_many_entries); }
static void t_compaction(void) { BOTH(test_compaction); }
static void t_relocation(void) { BOTH(test_relocation); }
static void t_full(void) { BOTH(test_full); }
static void t_rename(void) { BOTH(test_rename); }
static void t_errors(void) { BOTH(test_errors); }
static void t_attrs(void) { BOTH(test_attrs); }
static void t_handles(void) { BOTH(test_handles); }

int main(void)
{
    RUN(t_inline);
    RUN(t_big);
    RUN(t_names);
    RUN(t_deep);
    RUN(t_many);
    RUN(t_compaction);
    RUN(t_relocation);
    RUN(t_full);
    RUN(t_rename);
    RUN(t_errors);
    RUN(t_attrs);
    RUN(t_handles);
    RUN(test_versions);
    RUN(test_config_checks);
    return CHECK_DONE();
}
