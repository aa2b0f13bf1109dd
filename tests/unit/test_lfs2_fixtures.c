/* littlefs against images written by MicroPython 1.28's own VfsLfs2
 * (tests/fixtures/lfs2, see its README.md): mount with the port's
 * parameters, list and hash everything, compare with the manifest and the
 * statvfs MicroPython reported, read the mtime attributes, run the checker.
 * Then write compatibility: format + boot.py as an esp32 first boot must
 * give the fixture's bytes exactly. Then keep writing on the fixtures and
 * re-verify. Run from the repository root. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fs/lfs2.h"
#include "fs/lfs2_check.h"
#include "lfs2_nordev.h"
#include "lfs2_testutil.h"

#define FIX "tests/fixtures/lfs2/"
#define BS 4096u

typedef struct fixture {
    const char *name;
    uint32_t blocks, prog;
} fixture;

static const fixture fixtures[] = {
    {"esp32-first-boot", 512, 32},
    {"esp32-tree", 512, 32},
    {"rp2-tree", 352, 256},
};

typedef struct manifest {
    long statvfs[10];
    char *listing;             /* the entry lines, as tu_listing prints them */
} manifest;

static bool load_manifest(const char *name, manifest *m)
{
    char path[256];
    snprintf(path, sizeof path, FIX "%s.lfs2.manifest", name);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char line[2048];
    tu_buf b = {NULL, 0, 0};
    tu_append(&b, "");
    bool ok = false;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') {
            const char *s = strstr(line, "statvfs (");
            ok = s && sscanf(s, "statvfs (%ld, %ld, %ld, %ld, %ld, %ld, %ld, %ld, %ld, %ld)",
                             &m->statvfs[0], &m->statvfs[1], &m->statvfs[2], &m->statvfs[3],
                             &m->statvfs[4], &m->statvfs[5], &m->statvfs[6], &m->statvfs[7],
                             &m->statvfs[8], &m->statvfs[9]) == 10;
            continue;
        }
        tu_append(&b, line);
    }
    fclose(f);
    m->listing = b.s;
    return ok;
}

static bool load_fixture(const fixture *fx, nordev *d)
{
    char path[256];
    snprintf(path, sizeof path, FIX "%s.lfs2.gz", fx->name);
    return nordev_load_gz(d, path, BS, fx->blocks, fx->prog);
}

/* 2020-01-01 .. 2100-01-01 in ns */
#define NS_2020 1577836800000000000ull
#define NS_2100 4102444800000000000ull

static void check_mtimes(vb_lfs2 *fs, const char *listing)
{
    /* every file MicroPython wrote carries an 8-byte mtime; dirs none */
    const char *p = listing;
    unsigned files = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char line[2048];
        memcpy(line, p, n);
        line[n] = '\0';
        p += n + (nl ? 1 : 0);
        ssize_t size;
        if (!strncmp(line, "dir  ", 5)) {
            tu_mtime(fs, line + 5, &size);
            CHECK_EQ(size, -ENODATA);
            continue;
        }
        /* "file PATH SIZE SHA": the path may hold spaces */
        char *sha = strrchr(line, ' ');
        *sha = '\0';
        char *sz = strrchr(line, ' ');
        *sz = '\0';
        uint64_t t = tu_mtime(fs, line + 5, &size);
        CHECK_EQ(size, 8);
        CHECK(t > NS_2020 && t < NS_2100);
        files++;
    }
    CHECK(files > 0);
}

static void test_fixtures_read(void)
{
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
        const fixture *fx = &fixtures[i];
        nordev d;
        manifest m;
        CHECK(load_manifest(fx->name, &m));
        if (!load_fixture(fx, &d)) {
            CHECK(!"fixture image missing");
            continue;
        }
        vb_lfs2_config cfg;
        vb_lfs2_config_micropython(&cfg, BS, fx->prog);
        vb_lfs2 fs;
        CHECK_EQ(vb_lfs2_mount(&fs, &d.dev, &cfg), 0);

        /* statvfs as MicroPython computes it */
        vb_lfs2_usage u;
        CHECK_EQ(vb_lfs2_statvfs(&fs, &u), 0);
        CHECK_EQ(u.block_size, m.statvfs[0]);
        CHECK_EQ(u.block_count, m.statvfs[2]);
        CHECK_EQ(u.free_blocks, m.statvfs[3]);
        CHECK_EQ(u.free_blocks, m.statvfs[4]);
        CHECK_EQ(fs.name_max, m.statvfs[9]);

        int err;
        char *listing = tu_listing(&fs, &err);
        CHECK_EQ(err, 0);
        if (listing) {
            if (strcmp(listing, m.listing) != 0)
                fprintf(stderr, "%s: listing differs:\n--- ours\n%s--- manifest\n%s", fx->name,
                        listing, m.listing);
            CHECK_STR(listing, m.listing);
            check_mtimes(&fs, m.listing);
        }
        free(listing);

        vb_lfs2_fsinfo fi;
        CHECK_EQ(vb_lfs2_fsinfo_get(&fs, &fi), 0);
        CHECK_EQ(fi.disk_version, VB_LFS2_VERSION_2_1);
        CHECK_EQ(fi.name_max, 255);
        CHECK_EQ(fi.attr_max, 1022);
        CHECK_EQ(fi.file_max, 2147483647);
        int32_t fs_size = vb_lfs2_fs_size(&fs);
        CHECK_EQ(vb_lfs2_unmount(&fs), 0);

        vb_lfs2_check_stats st;
        CHECK_EQ(tu_check(&d.dev, fx->name), 0);
        vb_lfs2_check(&d.dev, NULL, NULL, &st);
        CHECK(st.found);
        CHECK_EQ(st.used_blocks, fs_size);  /* distinct blocks = lfs_fs_size */
        CHECK(!st.pending_move && !st.pending_orphans);
        CHECK_EQ(st.orphans, 0);
        CHECK_EQ(d.progs + d.erases, 0);  /* reading wrote nothing */
        free(m.listing);
        nordev_free(&d);
    }
}

/* The rp2 image holds inline files up to 512 bytes; with esp32 parameters
 * (cache 128) they are read through the cache in slices. Geometry that does
 * not match the superblock is refused. */
static void test_fixture_other_params(void)
{
    nordev d;
    manifest m;
    CHECK(load_manifest("rp2-tree", &m));
    CHECK(load_fixture(&fixtures[2], &d));
    vb_lfs2_config cfg;
    vb_lfs2_config_micropython(&cfg, BS, 32);
    vb_lfs2 fs;
    CHECK_EQ(vb_lfs2_mount(&fs, &d.dev, &cfg), 0);
    int err;
    char *listing = tu_listing(&fs, &err);
    CHECK_EQ(err, 0);
    if (listing)
        CHECK_STR(listing, m.listing);
    free(listing);
    vb_lfs2_unmount(&fs);

    /* the same bytes on a bigger device: block count differs */
    nordev big;
    nordev_init(&big, BS, 400, 256);
    memcpy(big.mem, d.mem, nordev_bytes(&d));
    vb_lfs2_config_micropython(&cfg, BS, 256);
    CHECK_EQ(vb_lfs2_mount(&fs, &big.dev, &cfg), -EINVAL);
    nordev_free(&big);

    /* a name_max limit below the image's */
    cfg.name_max = 100;
    CHECK_EQ(vb_lfs2_mount(&fs, &d.dev, &cfg), -EINVAL);
    /* a driver limited to 2.0 cannot mount 2.1 */
    vb_lfs2_config_micropython(&cfg, BS, 256);
    cfg.disk_version = VB_LFS2_VERSION_2_0;
    CHECK_EQ(vb_lfs2_mount(&fs, &d.dev, &cfg), -EINVAL);
    free(m.listing);
    nordev_free(&d);
}

/* Format a 512-block device as VfsLfs2.mkfs does on an esp32, then write
 * boot.py as inisetup.py does (content and mtime taken from the fixture):
 * the image must equal the fixture byte for byte. */
static void test_write_compat_first_boot(void)
{
    nordev ref, d;
    CHECK(load_fixture(&fixtures[0], &ref));
    vb_lfs2_config cfg;
    vb_lfs2_config_micropython(&cfg, BS, 32);
    CHECK_EQ(cfg.cache_size, 128);

    vb_lfs2 fs;
    uint8_t *content;
    uint8_t mtime[8];
    CHECK_EQ(vb_lfs2_mount(&fs, &ref.dev, &cfg), 0);
    ssize_t n = tu_get(&fs, "/boot.py", &content);
    CHECK_EQ(n, 139);
    CHECK_EQ(vb_lfs2_getattr(&fs, "/boot.py", VB_LFS2_ATTR_MTIME, mtime, 8), 8);
    vb_lfs2_unmount(&fs);
    if (n < 0)
        return;

    nordev_init(&d, BS, 512, 32);
    CHECK_EQ(vb_lfs2_format(&d.dev, &cfg), 0);
    CHECK_EQ(vb_lfs2_mount(&fs, &d.dev, &cfg), 0);
    CHECK_EQ(fs.inline_max, 128);  /* 139 bytes: a CTZ file */
    vb_lfs2_attr a = {VB_LFS2_ATTR_MTIME, mtime, 8};
    CHECK_EQ(tu_put_attr(&fs, "boot.py", content, (size_t)n, &a, 1), 0);
    CHECK_EQ(vb_lfs2_unmount(&fs), 0);
    CHECK_EQ(d.violations, 0);

    size_t diffs = 0, first = 0;
    for (size_t i = 0; i < nordev_bytes(&d); i++) {
        if (d.mem[i] != ref.mem[i]) {
            if (diffs < 16)
                fprintf(stderr, "  byte 0x%zx (block %zu +%zu): ours %02x, MicroPython %02x\n", i,
                        i / BS, i % BS, d.mem[i], ref.mem[i]);
            if (!diffs)
                first = i;
            diffs++;
        }
    }
    if (diffs)
        fprintf(stderr, "write compat: %zu bytes differ, first at 0x%zx\n", diffs, first);
    CHECK_EQ(diffs, 0);

    free(content);
    nordev_free(&d);
    nordev_free(&ref);
}

/* Is `line` (one manifest line) in `listing`? */
static bool has_line(const char *listing, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = listing; (p = strstr(p, line)) != NULL; p++)
        if ((p == listing || p[-1] == '\n') && p[n] == '\n')
            return true;
    return false;
}

static bool touched(const char *line)
{
    static const char *const paths[] = {"/data/log-old.txt ", "/data/f01.txt ", "/data/big.bin ",
                                        "/main.py ", "/lib/app.py ", "/data/f38.txt ", NULL};
    for (int i = 0; paths[i]; i++)
        if (strstr(line, paths[i]))
            return true;
    return false;
}

/* Keep writing on a fixture (appends, a partial overwrite of the 300 KB
 * file, a rename across directories, removals, new files and dirs), remount
 * and re-verify everything: untouched entries exactly as in the manifest. */
static void test_fixture_rewrite(void)
{
    for (size_t i = 1; i < 3; i++) {
        const fixture *fx = &fixtures[i];
        nordev d;
        manifest m;
        CHECK(load_manifest(fx->name, &m));
        CHECK(load_fixture(fx, &d));
        vb_lfs2_config cfg;
        vb_lfs2_config_micropython(&cfg, BS, fx->prog);
        vb_lfs2 fs;
        CHECK_EQ(vb_lfs2_mount(&fs, &d.dev, &cfg), 0);

        uint8_t *log, *big, *f38;
        ssize_t nlog = tu_get(&fs, "/data/log-old.txt", &log);
        ssize_t nbig = tu_get(&fs, "/data/big.bin", &big);
        ssize_t n38 = tu_get(&fs, "/data/f38.txt", &f38);
        CHECK_EQ(nlog, 4399);
        CHECK_EQ(nbig, 300000);
        CHECK_EQ(n38, 2812);

        /* append to the log */
        static const char more[] = "appended line\n";
        vb_lfs2_file f;
        CHECK_EQ(vb_lfs2_open(&fs, &f, "/data/log-old.txt", vb_lfs2_mode_flags("a")), 0);
        CHECK_EQ(vb_lfs2_write(&f, more, sizeof more - 1), (ssize_t)sizeof more - 1);
        CHECK_EQ(vb_lfs2_close(&f), 0);
        log = realloc(log, (size_t)nlog + sizeof more);
        memcpy(log + nlog, more, sizeof more - 1);
        nlog += (ssize_t)sizeof more - 1;

        /* overwrite 5000 bytes in the middle of big.bin */
        CHECK_EQ(vb_lfs2_open(&fs, &f, "/data/big.bin", vb_lfs2_mode_flags("r+")), 0);
        CHECK_EQ(vb_lfs2_seek(&f, 123456, 0), 123456);
        uint8_t patch[5000];
        tu_fill(patch, sizeof patch, 7);
        CHECK_EQ(vb_lfs2_write(&f, patch, sizeof patch), (ssize_t)sizeof patch);
        CHECK_EQ(vb_lfs2_close(&f), 0);
        memcpy(big + 123456, patch, sizeof patch);

        CHECK_EQ(vb_lfs2_remove(&fs, "/data/f01.txt"), 0);
        CHECK_EQ(vb_lfs2_remove(&fs, "/main.py"), 0);
        CHECK_EQ(vb_lfs2_rename(&fs, "/data/f38.txt", "/lib/pkg/moved38.txt"), 0);
        CHECK_EQ(vb_lfs2_rename(&fs, "/lib/app.py", "/lib/app2.py"), 0);
        CHECK_EQ(vb_lfs2_mkdir(&fs, "/new"), 0);
        uint8_t fresh[20000];
        tu_fill(fresh, sizeof fresh, 99);
        CHECK_EQ(tu_put(&fs, "/new/fresh.bin", fresh, sizeof fresh), 0);
        CHECK_EQ(tu_put(&fs, "/new/small.txt", "tiny", 4), 0);
        CHECK_EQ(vb_lfs2_unmount(&fs), 0);
        CHECK_EQ(d.violations, 0);
        CHECK_EQ(tu_check(&d.dev, fx->name), 0);

        /* remount and verify */
        CHECK_EQ(vb_lfs2_mount(&fs, &d.dev, &cfg), 0);
        int err;
        char *listing = tu_listing(&fs, &err);
        CHECK_EQ(err, 0);
        if (listing) {
            char *lines = strdup(m.listing);
            for (char *save, *ln = strtok_r(lines, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save))
                if (!touched(ln) && !has_line(listing, ln)) {
                    fprintf(stderr, "%s: lost after writes: %s\n", fx->name, ln);
                    CHECK(!"untouched entry changed");
                }
            free(lines);
        }
        free(listing);
        CHECK(tu_same(&fs, "/data/log-old.txt", log, (size_t)nlog));
        CHECK(tu_same(&fs, "/data/big.bin", big, (size_t)nbig));
        CHECK(tu_same(&fs, "/lib/pkg/moved38.txt", f38, (size_t)n38));
        CHECK(tu_same(&fs, "/new/fresh.bin", fresh, sizeof fresh));
        CHECK(tu_same(&fs, "/new/small.txt", "tiny", 4));
        vb_lfs2_info info;
        CHECK_EQ(vb_lfs2_stat(&fs, "/data/f01.txt", &info), -ENOENT);
        CHECK_EQ(vb_lfs2_stat(&fs, "/main.py", &info), -ENOENT);
        CHECK_EQ(vb_lfs2_stat(&fs, "/data/f38.txt", &info), -ENOENT);
        CHECK_EQ(vb_lfs2_stat(&fs, "/lib/app.py", &info), -ENOENT);
        CHECK_EQ(vb_lfs2_stat(&fs, "/lib/app2.py", &info), 0);
        CHECK_EQ(info.size, 32);
        vb_lfs2_fsinfo fi;
        CHECK_EQ(vb_lfs2_fsinfo_get(&fs, &fi), 0);
        CHECK_EQ(fi.disk_version, VB_LFS2_VERSION_2_1);
        vb_lfs2_unmount(&fs);

        free(log);
        free(big);
        free(f38);
        free(m.listing);
        nordev_free(&d);
    }
}

int main(void)
{
    RUN(test_fixtures_read);
    RUN(test_fixture_other_params);
    RUN(test_write_compat_first_boot);
    RUN(test_fixture_rewrite);
    return CHECK_DONE();
}
