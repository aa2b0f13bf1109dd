/* Unit tests of the FAT driver: mkfs bytes per flash.md §3, the mount
 * checks of §4.1, every file and directory operation and its error paths,
 * long names and aliases, timestamps, two-FAT volumes, and corrupt images. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fs/fat.h"
#include "ramdev.h"

static void fixed_clock(void *ctx, vb_datetime *t)
{
    (void)ctx;
    *t = (vb_datetime){2024, 5, 17, 12, 34, 56};
}
#define DOS_DATE ((2024 - 1980) << 9 | 5 << 5 | 17)
#define DOS_TIME (12 << 11 | 34 << 5 | 28)

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* A formatted, mounted volume of `kib` KiB with sector size ss. */
typedef struct vol { ramdev dev; vb_fat fs; } vol;

static void vol_new(vol *v, uint32_t kib, uint32_t ss)
{
    ramdev_init(&v->dev, ss, kib * 1024 / ss);
    CHECK_EQ(vb_fat_mkfs(&v->dev.bd, NULL, fixed_clock, NULL), 0);
    CHECK_EQ(vb_fat_mount(&v->fs, &v->dev.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL), 0);
}

static void vol_remount(vol *v)
{
    CHECK_EQ(vb_fat_unmount(&v->fs), 0);
    CHECK_EQ(vb_fat_mount(&v->fs, &v->dev.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL), 0);
}

static void put_file(vb_fat *fs, const char *path, const void *data, size_t n)
{
    vb_fat_file f;
    CHECK_EQ(vb_fat_open(fs, &f, path, "w"), 0);
    if (n) CHECK_EQ(vb_fat_write(&f, data, n), (ssize_t)n);
    CHECK_EQ(vb_fat_close(&f), 0);
}

/* Read a whole file into a malloc'd buffer; returns its length or -errno. */
static ssize_t get_file(vb_fat *fs, const char *path, uint8_t **out)
{
    vb_fat_file f;
    *out = NULL;
    int rc = vb_fat_open(fs, &f, path, "r");
    if (rc < 0) return rc;
    *out = malloc(f.size + 1);
    ssize_t n = vb_fat_read(&f, *out, f.size + 1);
    vb_fat_close(&f);
    return n;
}

/* ---- mkfs (flash.md §3) ---------------------------------------------------- */

typedef struct mkfs_row {
    uint32_t kib, ss, hidden;
    const char *label;
    int type;
    uint32_t spc, fat, root, data, clusters;
} mkfs_row;

static const mkfs_row rows[] = {
    {1024, 512, 0, NULL, 12, 1, 7, 32, 40, 2008},
    {2048, 512, 0, NULL, 12, 2, 7, 32, 40, 2028},
    {4096, 512, 0, NULL, 12, 4, 7, 32, 40, 2038},
    {508, 512, 0, NULL, 12, 1, 3, 32, 36, 980},
    {112, 512, 256, "pybflash", 12, 1, 1, 32, 34, 190},
    {128, 512, 0, NULL, 12, 1, 1, 32, 34, 222},
    {2048, 4096, 0, NULL, 12, 1, 1, 4, 6, 506},
    {6144, 4096, 0, NULL, 12, 1, 1, 4, 6, 1530},
    {14336, 4096, 0, NULL, 12, 1, 2, 4, 7, 3577},
    {16384, 512, 0, NULL, 16, 4, 33, 32, 66, 8175},
};

static void test_mkfs_geometry(void)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const mkfs_row *r = &rows[i];
        ramdev d;
        ramdev_init(&d, r->ss, r->kib * 1024 / r->ss);
        vb_fat_mkfs_opts o = {r->hidden, r->label};
        CHECK_EQ(vb_fat_mkfs(&d.bd, &o, fixed_clock, NULL), 0);
        const uint8_t *b = d.mem;
        uint32_t total = r->kib * 1024 / r->ss;
        /* Boot sector, every byte but the serial (39-42). */
        uint8_t want[4096];
        memset(want, 0, sizeof want);
        memcpy(want, "\xEB\xFE\x90MSDOS5.0", 11);
        want[11] = (uint8_t)r->ss; want[12] = (uint8_t)(r->ss >> 8);
        want[13] = (uint8_t)r->spc;
        want[14] = 1; want[16] = 1; want[17] = 0x00; want[18] = 0x02;
        if (total < 0x10000) { want[19] = (uint8_t)total; want[20] = (uint8_t)(total >> 8); }
        else { want[32] = (uint8_t)total; want[33] = (uint8_t)(total >> 8); want[34] = (uint8_t)(total >> 16); }
        want[21] = 0xF8; want[22] = (uint8_t)r->fat;
        want[24] = 63; want[26] = 255;
        want[28] = (uint8_t)r->hidden; want[29] = (uint8_t)(r->hidden >> 8);
        want[36] = 0x80; want[38] = 0x29;
        memcpy(want + 39, b + 39, 4);
        memcpy(want + 43, "NO NAME    FAT     ", 19);
        want[510] = 0x55; want[511] = 0xAA;
        CHECK_MEM(b, want, r->ss);
        /* Serial = DOS time then date of the clock. */
        CHECK_EQ(le16(b + 39), DOS_TIME);
        CHECK_EQ(le16(b + 41), DOS_DATE);
        /* FAT: media + EOC, rest zero. */
        const uint8_t *fat = b + r->ss;
        if (r->type == 12) CHECK_MEM(fat, "\xF8\xFF\xFF\x00", 4);
        else CHECK_MEM(fat, "\xF8\xFF\xFF\xFF", 4);
        int fat_zero = 1;
        for (size_t k = 4; k < (size_t)r->fat * r->ss; k++) fat_zero &= fat[k] == 0;
        CHECK(fat_zero);
        /* Root zero but the optional label entry; data untouched (0xFF). */
        const uint8_t *root = b + (size_t)(1 + r->fat) * r->ss;
        size_t k0 = 0;
        if (r->label) {
            CHECK_MEM(root, "PYBFLASH   \x08", 12);
            k0 = 12;
        }
        int root_zero = 1;
        for (size_t k = k0; k < (size_t)r->root * r->ss; k++) root_zero &= root[k] == 0;
        CHECK(root_zero);
        const uint8_t *data = b + (size_t)r->data * r->ss;
        int data_ff = 1;
        for (size_t k = 0; k < (size_t)(total - r->data) * r->ss; k++) data_ff &= data[k] == 0xFF;
        CHECK(data_ff);
        vb_fat fs;
        CHECK_EQ(vb_fat_mount(&fs, &d.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL), 0);
        CHECK_EQ(fs.type, r->type);
        CHECK_EQ(fs.spc, r->spc);
        CHECK_EQ(fs.fat_size, r->fat);
        CHECK_EQ(fs.data_start, r->data);
        CHECK_EQ(fs.n_clusters, r->clusters);
        if (r->label) {
            char lab[32];
            CHECK_EQ(vb_fat_getlabel(&fs, lab, sizeof lab), 0);
            CHECK_STR(lab, "PYBFLASH");
            /* The label stays hidden from listings. */
            vb_fat_dir dir;
            vb_fat_info st;
            CHECK_EQ(vb_fat_opendir(&fs, &dir, "/"), 0);
            CHECK_EQ(vb_fat_readdir(&dir, &st), 0);
        }
        ramdev_free(&d);
    }
}

static void test_mkfs_errors(void)
{
    ramdev d;
    ramdev_init(&d, 512, 20);  /* 10 KiB: smaller than the metadata */
    CHECK_EQ(vb_fat_mkfs(&d.bd, NULL, fixed_clock, NULL), -EIO);
    ramdev_free(&d);
    ramdev_init(&d, 512, 2048);
    d.fail_writes_after = 1;
    CHECK_EQ(vb_fat_mkfs(&d.bd, NULL, fixed_clock, NULL), -EIO);
    ramdev_free(&d);
}

/* ---- mount checks (flash.md §4.1) ----------------------------------------- */

static void test_mount_checks(void)
{
    vol v;
    vol_new(&v, 1024, 512);
    uint8_t good[512];
    memcpy(good, v.dev.mem, 512);
    struct { int off; uint8_t val; } bad[] = {
        {510, 0x00},   /* signature */
        {0, 0x00},     /* jump byte */
        {54, 'X'},     /* "FAT" */
        {12, 0x04},    /* bytes per sector 1024 != device 512 */
        {16, 0},       /* FAT count 0 */
        {16, 3},       /* FAT count 3 */
        {13, 0},       /* sectors per cluster 0 */
        {13, 3},       /* not a power of two */
        {17, 0x01},    /* root entries 0x201: not a multiple of 16 */
        {14, 0},       /* reserved 0 */
        {22, 1},       /* FAT too small for the clusters */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(v.dev.mem, good, 512);
        v.dev.mem[bad[i].off] = bad[i].val;
        vb_fat fs;
        int rc = vb_fat_mount(&fs, &v.dev.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL);
        if (rc != -ENODEV) fprintf(stderr, "  bad boot sector case %zu\n", i);
        CHECK_EQ(rc, -ENODEV);
    }
    /* total < system area; root entries 0 */
    memcpy(v.dev.mem, good, 512);
    v.dev.mem[19] = 10; v.dev.mem[20] = 0;
    vb_fat fs;
    CHECK_EQ(vb_fat_mount(&fs, &v.dev.bd, VB_FAT_NAMES_OEM, NULL, NULL), -ENODEV);
    memcpy(v.dev.mem, good, 512);
    v.dev.mem[17] = 0; v.dev.mem[18] = 0;
    CHECK_EQ(vb_fat_mount(&fs, &v.dev.bd, VB_FAT_NAMES_OEM, NULL, NULL), -ENODEV);
    /* The type string and media byte are never consulted. */
    memcpy(v.dev.mem, good, 512);
    memcpy(v.dev.mem + 54, "FATxx   ", 8);
    v.dev.mem[21] = 0x00;
    v.dev.mem[0] = 0xE9;
    CHECK_EQ(vb_fat_mount(&fs, &v.dev.bd, VB_FAT_NAMES_OEM, NULL, NULL), 0);
    /* An erased device is "no filesystem". */
    memset(v.dev.mem, 0xFF, 512);
    CHECK_EQ(vb_fat_mount(&fs, &v.dev.bd, VB_FAT_NAMES_OEM, NULL, NULL), -ENODEV);
    /* A read error is EIO. */
    memcpy(v.dev.mem, good, 512);
    v.dev.bd.sector_count = 0;
    CHECK_EQ(vb_fat_mount(&fs, &v.dev.bd, VB_FAT_NAMES_OEM, NULL, NULL), -EINVAL);
    ramdev_free(&v.dev);
}

/* A volume behind an MBR (PC-partitioned image) is found through it. */
static void test_mount_mbr(void)
{
    ramdev d;
    ramdev_init(&d, 512, 2048 + 64);
    ramdev part = d;
    part.bd.ctx = &part;
    part.mem = d.mem + 64 * 512;
    part.bd.sector_count = 2048;
    CHECK_EQ(vb_fat_mkfs(&part.bd, NULL, fixed_clock, NULL), 0);
    memset(d.mem, 0, 512);
    uint8_t *pte = d.mem + 446 + 16;  /* second entry */
    pte[4] = 0x01;
    pte[8] = 64;
    d.mem[510] = 0x55; d.mem[511] = 0xAA;
    vb_fat fs;
    CHECK_EQ(vb_fat_mount(&fs, &d.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL), 0);
    CHECK_EQ(fs.volume_base, 64);
    put_file(&fs, "x.txt", "hello", 5);
    vb_fat fs2;
    CHECK_EQ(vb_fat_mount(&fs2, &part.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL), 0);
    uint8_t *buf;
    CHECK_EQ(get_file(&fs2, "x.txt", &buf), 5);
    CHECK_MEM(buf, "hello", 5);
    free(buf);
    ramdev_free(&d);
}

/* ---- names ---------------------------------------------------------------- */

/* Find the 32-byte 8.3 entry whose name field is `sfn` in the root. */
static const uint8_t *root_entry(vol *v, const char *sfn)
{
    const uint8_t *root = v->dev.mem + (size_t)v->fs.root_start * v->fs.ss;
    for (uint32_t i = 0; i < v->fs.root_entries; i++)
        if (memcmp(root + 32 * i, sfn, 11) == 0) return root + 32 * i;
    return NULL;
}

static void test_names(void)
{
    vol v;
    vol_new(&v, 1024, 512);
    put_file(&v.fs, "boot.py", "a", 1);
    put_file(&v.fs, "README.txt", "b", 1);
    put_file(&v.fs, "Mixed.py", "c", 1);
    put_file(&v.fs, "config.json", "d", 1);
    put_file(&v.fs, "config.jsonx", "e", 1);
    put_file(&v.fs, "A Long File Name module.py", "f", 1);
    CHECK_EQ(vb_fat_mkdir(&v.fs, "lib"), 0);
    CHECK_EQ(vb_fat_sync(&v.fs), 0);
    const uint8_t *e = root_entry(&v, "BOOT    PY ");
    CHECK(e && e[12] == 0x18 && e[-32 + 11] != 0x0F);
    e = root_entry(&v, "README  TXT");
    CHECK(e && e[12] == 0x10);
    e = root_entry(&v, "MIXED   PY ");
    CHECK(e && e[12] == 0 && e[-32 + 11] == 0x0F);
    CHECK(root_entry(&v, "CONFIG~1JSO") != NULL);
    CHECK(root_entry(&v, "CONFIG~2JSO") != NULL);
    CHECK(root_entry(&v, "ALONGF~1PY ") != NULL);
    e = root_entry(&v, "LIB        ");
    CHECK(e && e[12] == 0x08 && e[11] == 0x10);
    /* Case-insensitive lookup, case-preserving listing. */
    vb_fat_info st;
    CHECK_EQ(vb_fat_stat(&v.fs, "BOOT.PY", &st), 0);
    CHECK_STR(st.name, "boot.py");
    CHECK_EQ(vb_fat_stat(&v.fs, "CONFIG.JSON", &st), 0);
    CHECK_STR(st.name, "config.json");
    CHECK_STR(st.short_name, "CONFIG~1.JSO");
    CHECK_EQ(vb_fat_stat(&v.fs, "mixed.PY", &st), 0);
    CHECK_STR(st.name, "Mixed.py");
    /* An alias never matches a lossy name by its 8.3 bytes. */
    CHECK_EQ(vb_fat_stat(&v.fs, "CONFIG~1.JSO", &st), 0);
    CHECK_STR(st.name, "config.json");
    /* Invalid characters and empty names. */
    vb_fat_file f;
    const char *badnames[] = {"a*b", "a?b", "a:b", "a<b", "a>b", "a|b", "a\"b", "...", "a\x7f"};
    for (size_t i = 0; i < sizeof badnames / sizeof badnames[0]; i++)
        CHECK_EQ(vb_fat_open(&v.fs, &f, badnames[i], "w"), -EINVAL);
    CHECK_EQ(vb_fat_mkdir(&v.fs, "x?"), -EINVAL);
    /* Trailing dots and spaces are dropped. */
    put_file(&v.fs, "trail. . ", "t", 1);
    CHECK_EQ(vb_fat_stat(&v.fs, "trail", &st), 0);
    /* "." and ".." resolve by name. */
    CHECK_EQ(vb_fat_stat(&v.fs, "lib/../boot.py", &st), 0);
    CHECK_EQ(vb_fat_stat(&v.fs, "/./lib/.", &st), 0);
    CHECK(st.is_dir);
    /* A 255-character name works; 256 does not. */
    char longname[300];
    memset(longname, 'n', 255);
    longname[255] = 0;
    put_file(&v.fs, longname, "L", 1);
    CHECK_EQ(vb_fat_stat(&v.fs, longname, &st), 0);
    CHECK_EQ(strlen(st.name), 255);
    longname[255] = 'n'; longname[256] = 0;
    CHECK_EQ(vb_fat_open(&v.fs, &f, longname, "w"), -EINVAL);
    /* Everything survives a remount. */
    vol_remount(&v);
    CHECK_EQ(vb_fat_stat(&v.fs, "A LONG FILE NAME MODULE.PY", &st), 0);
    CHECK_STR(st.name, "A Long File Name module.py");
    ramdev_free(&v.dev);
}

/* Numbered aliases: ~1..~5 then hashed tails, all unique. */
static void test_alias_sequence(void)
{
    vol v;
    vol_new(&v, 1024, 512);
    char name[32];
    for (int i = 0; i < 12; i++) {
        snprintf(name, sizeof name, "longfilename%02d.txt", i);
        put_file(&v.fs, name, name, strlen(name));
    }
    CHECK(root_entry(&v, "LONGFI~1TXT") != NULL);
    CHECK(root_entry(&v, "LONGFI~5TXT") != NULL);
    CHECK(root_entry(&v, "LONGFI~6TXT") == NULL);
    /* every file reads back its own name */
    for (int i = 0; i < 12; i++) {
        snprintf(name, sizeof name, "LONGFILENAME%02d.TXT", i);
        uint8_t *buf;
        ssize_t n = get_file(&v.fs, name, &buf);
        CHECK_EQ(n, (ssize_t)strlen(name));
        if (n > 0) {
            char lower[32];
            snprintf(lower, sizeof lower, "longfilename%02d.txt", i);
            CHECK_MEM(buf, lower, (size_t)n);
            free(buf);
        }
    }
    /* Short 8.3 names are never checked for aliases: same bytes = same file. */
    ramdev_free(&v.dev);
}

/* ---- files ------------------------------------------------------------- */

static void test_open_modes(void)
{
    vol v;
    vol_new(&v, 1024, 512);
    vb_fat_file f;
    uint8_t buf[64];
    CHECK_EQ(vb_fat_open(&v.fs, &f, "missing", "r"), -ENOENT);
    CHECK_EQ(vb_fat_open(&v.fs, &f, "missing", "r+"), -ENOENT);
    CHECK_EQ(vb_fat_open(&v.fs, &f, "nodir/x", "w"), -ENOENT);
    CHECK_EQ(vb_fat_open(&v.fs, &f, "x", "rw"), -EINVAL);
    CHECK_EQ(vb_fat_open(&v.fs, &f, "x", "q"), -EINVAL);
    CHECK_EQ(vb_fat_open(&v.fs, &f, "x", ""), -EINVAL);
    CHECK_EQ(vb_fat_open(&v.fs, &f, "/", "r"), -EINVAL);
    CHECK_EQ(vb_fat_mkdir(&v.fs, "d"), 0);
    CHECK_EQ(vb_fat_open(&v.fs, &f, "d", "r"), -ENOENT);
    CHECK_EQ(vb_fat_open(&v.fs, &f, "d", "w"), -EACCES);
    CHECK_EQ(vb_fat_open(&v.fs, &f, "d", "x"), -EACCES);
    CHECK_EQ(vb_fat_open(&v.fs, &f, "d", "a"), -EACCES);
    put_file(&v.fs, "f.txt", "hello world", 11);
    CHECK_EQ(vb_fat_open(&v.fs, &f, "f.txt", "x"), -EEXIST);
    CHECK_EQ(vb_fat_open(&v.fs, &f, "d/f.txt", "x"), 0);
    CHECK_EQ(vb_fat_close(&f), 0);
    CHECK_EQ(vb_fat_close(&f), -EBADF);
    CHECK_EQ(vb_fat_read(&f, buf, 1), -EBADF);
    /* r: read-only */
    CHECK_EQ(vb_fat_open(&v.fs, &f, "f.txt", "rb"), 0);
    CHECK_EQ(vb_fat_write(&f, "x", 1), -EBADF);
    CHECK_EQ(vb_fat_read(&f, buf, sizeof buf), 11);
    CHECK_EQ(vb_fat_read(&f, buf, sizeof buf), 0);
    CHECK_EQ(vb_fat_seek(&f, 100, 0), 11);          /* clamps when read-only */
    CHECK_EQ(vb_fat_seek(&f, -1, 0), -EINVAL);
    CHECK_EQ(vb_fat_seek(&f, 0, 7), -EINVAL);
    CHECK_EQ(vb_fat_seek(&f, -5, 2), 6);
    CHECK_EQ(vb_fat_read(&f, buf, sizeof buf), 5);
    CHECK_MEM(buf, "world", 5);
    CHECK_EQ(vb_fat_truncate(&f), -EBADF);
    vb_fat_close(&f);
    /* a: position at the end once; after seek(0) writes overwrite */
    CHECK_EQ(vb_fat_open(&v.fs, &f, "f.txt", "a"), 0);
    CHECK_EQ(f.pos, 11);
    CHECK_EQ(vb_fat_write(&f, "!", 1), 1);
    CHECK_EQ(vb_fat_read(&f, buf, 1), -EBADF);
    CHECK_EQ(vb_fat_seek(&f, 0, 0), 0);
    CHECK_EQ(vb_fat_write(&f, "J", 1), 1);
    vb_fat_close(&f);
    uint8_t *data;
    CHECK_EQ(get_file(&v.fs, "f.txt", &data), 12);
    CHECK_MEM(data, "Jello world!", 12);
    free(data);
    /* r+: read and write in place */
    CHECK_EQ(vb_fat_open(&v.fs, &f, "f.txt", "r+"), 0);
    CHECK_EQ(vb_fat_seek(&f, 6, 0), 6);
    CHECK_EQ(vb_fat_write(&f, "W", 1), 1);
    CHECK_EQ(vb_fat_seek(&f, 0, 0), 0);
    CHECK_EQ(vb_fat_read(&f, buf, 12), 12);
    CHECK_MEM(buf, "Jello World!", 12);
    vb_fat_close(&f);
    /* w+ truncates; a+ creates */
    CHECK_EQ(vb_fat_open(&v.fs, &f, "f.txt", "w+"), 0);
    CHECK_EQ(f.size, 0);
    CHECK_EQ(vb_fat_write(&f, "abc", 3), 3);
    CHECK_EQ(vb_fat_seek(&f, 0, 0), 0);
    CHECK_EQ(vb_fat_read(&f, buf, 10), 3);
    vb_fat_close(&f);
    CHECK_EQ(vb_fat_open(&v.fs, &f, "new.txt", "a+"), 0);
    CHECK_EQ(vb_fat_write(&f, "n", 1), 1);
    vb_fat_close(&f);
    vb_fat_info st;
    CHECK_EQ(vb_fat_stat(&v.fs, "new.txt", &st), 0);
    CHECK_EQ(st.size, 1);
    /* read-only attribute: no writing, no removing */
    {
        CHECK_EQ(vb_fat_sync(&v.fs), 0);
        uint8_t *e = (uint8_t *)root_entry(&v, "NEW     TXT");
        CHECK(e != NULL);
        if (e) {
            e[11] |= VB_FAT_ATTR_RDONLY;
            vol_remount(&v);
            CHECK_EQ(vb_fat_open(&v.fs, &f, "new.txt", "w"), -EACCES);
            CHECK_EQ(vb_fat_open(&v.fs, &f, "new.txt", "r+"), -EACCES);
            CHECK_EQ(vb_fat_remove(&v.fs, "new.txt"), -EACCES);
            CHECK_EQ(vb_fat_open(&v.fs, &f, "new.txt", "r"), 0);
            vb_fat_close(&f);
        }
    }
    ramdev_free(&v.dev);
}

static void fill_pattern(uint8_t *p, size_t n, unsigned seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; p[i] = (uint8_t)x; }
}

/* Big files across many clusters, including the FAT12 entries that
 * straddle a sector boundary (341, 682, 1365... at 512 bytes). */
static void test_large_files(void)
{
    const uint32_t geoms[][2] = {{1024, 512}, {2048, 4096}, {4096, 512}};
    for (size_t g = 0; g < 3; g++) {
        vol v;
        vol_new(&v, geoms[g][0], geoms[g][1]);
        size_t n = geoms[g][0] * 1024 * 6 / 10;   /* 60% of the volume */
        uint8_t *data = malloc(n), *back;
        fill_pattern(data, n, (unsigned)g);
        /* Write in odd-sized pieces to mix partial and whole sectors. */
        vb_fat_file f;
        CHECK_EQ(vb_fat_open(&v.fs, &f, "big.bin", "w"), 0);
        for (size_t off = 0; off < n;) {
            size_t piece = 1 + (off * 7919) % 9000;
            if (piece > n - off) piece = n - off;
            CHECK_EQ(vb_fat_write(&f, data + off, piece), (ssize_t)piece);
            off += piece;
        }
        CHECK_EQ(vb_fat_close(&f), 0);
        vol_remount(&v);
        CHECK_EQ(get_file(&v.fs, "big.bin", &back), (ssize_t)n);
        CHECK_MEM(back, data, n);
        free(back);
        /* Random-access reads. */
        CHECK_EQ(vb_fat_open(&v.fs, &f, "big.bin", "r"), 0);
        uint8_t buf[5000];
        for (int i = 0; i < 50; i++) {
            size_t off = ((size_t)i * 104729) % (n - sizeof buf);
            CHECK_EQ(vb_fat_seek(&f, (int64_t)off, 0), (int64_t)off);
            CHECK_EQ(vb_fat_read(&f, buf, sizeof buf), (ssize_t)sizeof buf);
            CHECK_MEM(buf, data + off, sizeof buf);
        }
        vb_fat_close(&f);
        vb_fat_usage u;
        CHECK_EQ(vb_fat_statvfs(&v.fs, &u), 0);
        uint32_t cb = v.fs.spc * v.fs.ss;
        CHECK_EQ(u.n_clusters - u.free_clusters, (n + cb - 1) / cb);
        CHECK_EQ(vb_fat_remove(&v.fs, "big.bin"), 0);
        CHECK_EQ(vb_fat_statvfs(&v.fs, &u), 0);
        CHECK_EQ(u.free_clusters, u.n_clusters);
        free(data);
        ramdev_free(&v.dev);
    }
}

static void test_seek_extend_truncate(void)
{
    vol v;
    vol_new(&v, 1024, 512);
    vb_fat_file f;
    CHECK_EQ(vb_fat_open(&v.fs, &f, "s.bin", "w+"), 0);
    CHECK_EQ(vb_fat_seek(&f, 5000, 0), 5000);     /* extends: gap not zeroed */
    CHECK_EQ(f.size, 5000);
    CHECK_EQ(vb_fat_write(&f, "END", 3), 3);
    CHECK_EQ(vb_fat_seek(&f, 0, 1), 5003);
    CHECK_EQ(vb_fat_close(&f), 0);
    vb_fat_info st;
    CHECK_EQ(vb_fat_stat(&v.fs, "s.bin", &st), 0);
    CHECK_EQ(st.size, 5003);
    CHECK_EQ(vb_fat_open(&v.fs, &f, "s.bin", "r+"), 0);
    uint8_t b[3];
    CHECK_EQ(vb_fat_seek(&f, 5000, 0), 5000);
    CHECK_EQ(vb_fat_read(&f, b, 3), 3);
    CHECK_MEM(b, "END", 3);
    CHECK_EQ(vb_fat_seek(&f, 700, 0), 700);
    CHECK_EQ(vb_fat_truncate(&f), 0);
    CHECK_EQ(vb_fat_close(&f), 0);
    CHECK_EQ(vb_fat_stat(&v.fs, "s.bin", &st), 0);
    CHECK_EQ(st.size, 700);
    vb_fat_usage u;
    CHECK_EQ(vb_fat_statvfs(&v.fs, &u), 0);
    CHECK_EQ(u.n_clusters - u.free_clusters, 2);  /* 700 bytes in 512-byte clusters */
    CHECK_EQ(vb_fat_open(&v.fs, &f, "s.bin", "r+"), 0);
    CHECK_EQ(vb_fat_truncate(&f), 0);             /* at 0: frees everything */
    CHECK_EQ(vb_fat_close(&f), 0);
    CHECK_EQ(vb_fat_stat(&v.fs, "s.bin", &st), 0);
    CHECK_EQ(st.size, 0);
    CHECK_EQ(st.first_cluster, 0);
    CHECK_EQ(vb_fat_statvfs(&v.fs, &u), 0);
    CHECK_EQ(u.free_clusters, u.n_clusters);
    ramdev_free(&v.dev);
}

/* Filling the volume: a short write, then ENOSPC; mkdir is denied. */
static void test_full_volume(void)
{
    vol v;
    vol_new(&v, 128, 512);
    vb_fat_file f;
    uint8_t chunk[1000];
    memset(chunk, 0xA5, sizeof chunk);
    CHECK_EQ(vb_fat_open(&v.fs, &f, "fill", "w"), 0);
    size_t total = 0;
    ssize_t n;
    while ((n = vb_fat_write(&f, chunk, sizeof chunk)) == (ssize_t)sizeof chunk) total += (size_t)n;
    CHECK(n >= 0 && n < (ssize_t)sizeof chunk);
    total += (size_t)(n > 0 ? n : 0);
    CHECK_EQ(total, 222 * 512);
    CHECK_EQ(vb_fat_write(&f, chunk, 1), -ENOSPC);
    CHECK_EQ(vb_fat_close(&f), 0);
    CHECK_EQ(vb_fat_mkdir(&v.fs, "d"), -EACCES);
    put_file(&v.fs, "empty", NULL, 0);             /* an empty file needs no cluster */
    vb_fat_info st;
    CHECK_EQ(vb_fat_stat(&v.fs, "fill", &st), 0);
    CHECK_EQ(st.size, 222 * 512);
    ramdev_free(&v.dev);
}

/* ---- directories --------------------------------------------------------- */

static void test_directories(void)
{
    vol v;
    vol_new(&v, 1024, 512);
    CHECK_EQ(vb_fat_mkdir(&v.fs, "a"), 0);
    CHECK_EQ(vb_fat_mkdir(&v.fs, "a"), -EEXIST);
    CHECK_EQ(vb_fat_mkdir(&v.fs, "A"), -EEXIST);
    CHECK_EQ(vb_fat_mkdir(&v.fs, "/"), -EEXIST);
    CHECK_EQ(vb_fat_mkdir(&v.fs, "x/y"), -ENOENT);
    CHECK_EQ(vb_fat_mkdir(&v.fs, "a/b"), 0);
    put_file(&v.fs, "a/b/f", "1", 1);
    CHECK_EQ(vb_fat_mkdir(&v.fs, "a/b/f/g"), -ENOENT);   /* a file in the path */
    /* "." and ".." on disk */
    vb_fat_info a, b;
    CHECK_EQ(vb_fat_stat(&v.fs, "a", &a), 0);
    CHECK_EQ(vb_fat_stat(&v.fs, "a/b", &b), 0);
    CHECK(a.is_dir && b.is_dir && a.size == 0);
    CHECK_EQ(a.wdate, DOS_DATE);
    CHECK_EQ(a.wtime, DOS_TIME);
    CHECK_EQ(vb_fat_sync(&v.fs), 0);
    const uint8_t *dot = v.dev.mem + (size_t)(v.fs.data_start + (b.first_cluster - 2) * v.fs.spc) * 512;
    CHECK_MEM(dot, ".          \x10", 12);
    CHECK_EQ(le16(dot + 26), b.first_cluster);
    CHECK_MEM(dot + 32, "..         \x10", 12);
    CHECK_EQ(le16(dot + 32 + 26), a.first_cluster);
    const uint8_t *adot = v.dev.mem + (size_t)(v.fs.data_start + (a.first_cluster - 2) * v.fs.spc) * 512;
    CHECK_EQ(le16(adot + 32 + 26), 0);                   /* parent is the root */
    /* the rest of a new directory cluster is zero */
    int zero = 1;
    for (int i = 64; i < 512; i++) zero &= dot[i] == 0 || (i >= 64 && i < 128);
    CHECK(zero);
    /* rmdir / remove errors */
    CHECK_EQ(vb_fat_rmdir(&v.fs, "a"), -EACCES);
    CHECK_EQ(vb_fat_rmdir(&v.fs, "a/b/f"), -ENOTDIR);
    CHECK_EQ(vb_fat_remove(&v.fs, "a/b"), -EISDIR);
    CHECK_EQ(vb_fat_remove(&v.fs, "a/zz"), -ENOENT);
    CHECK_EQ(vb_fat_rmdir(&v.fs, "zz"), -ENOENT);
    CHECK_EQ(vb_fat_rmdir(&v.fs, "/"), -EACCES);
    CHECK_EQ(vb_fat_remove(&v.fs, "a/b/f"), 0);
    CHECK_EQ(vb_fat_rmdir(&v.fs, "a/b"), 0);
    CHECK_EQ(vb_fat_rmdir(&v.fs, "a"), 0);
    vb_fat_usage u;
    CHECK_EQ(vb_fat_statvfs(&v.fs, &u), 0);
    CHECK_EQ(u.free_clusters, u.n_clusters);
    /* listing: on-disk order, dots hidden, opendir errors */
    CHECK_EQ(vb_fat_mkdir(&v.fs, "d"), 0);
    const char *names[] = {"one.txt", "Two.TXT", "three long name.py"};
    for (int i = 0; i < 3; i++) {
        char p[64];
        snprintf(p, sizeof p, "d/%s", names[i]);
        put_file(&v.fs, p, "x", 1);
    }
    vb_fat_dir dir;
    vb_fat_info st;
    CHECK_EQ(vb_fat_opendir(&v.fs, &dir, "d"), 0);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(vb_fat_readdir(&dir, &st), 1);
        CHECK_STR(st.name, names[i]);
        CHECK_EQ(st.size, 1);
    }
    CHECK_EQ(vb_fat_readdir(&dir, &st), 0);
    CHECK_EQ(vb_fat_opendir(&v.fs, &dir, "nope"), -ENOENT);
    CHECK_EQ(vb_fat_opendir(&v.fs, &dir, "d/one.txt"), -ENOENT);
    ramdev_free(&v.dev);
}

/* A subdirectory grows cluster by cluster; the fixed root fills up. */
static void test_directory_growth(void)
{
    vol v;
    vol_new(&v, 1024, 512);
    CHECK_EQ(vb_fat_mkdir(&v.fs, "many"), 0);
    char p[64];
    for (int i = 0; i < 200; i++) {           /* 16 entries per 512-byte cluster */
        snprintf(p, sizeof p, "many/file%03d.txt", i);
        put_file(&v.fs, p, p, strlen(p));
    }
    vol_remount(&v);
    vb_fat_dir dir;
    vb_fat_info st;
    int count = 0;
    CHECK_EQ(vb_fat_opendir(&v.fs, &dir, "many"), 0);
    while (vb_fat_readdir(&dir, &st) == 1) count++;
    CHECK_EQ(count, 200);
    for (int i = 0; i < 200; i += 37) {
        snprintf(p, sizeof p, "many/FILE%03d.TXT", i);
        CHECK_EQ(vb_fat_stat(&v.fs, p, &st), 0);
        CHECK_EQ(st.size, strlen(p));
    }
    /* The root holds 512 slots; 8.3 names take one each. */
    int made = 0, rc = 0;
    for (int i = 0; i < 600; i++) {
        snprintf(p, sizeof p, "R%d", i);
        vb_fat_file f;
        rc = vb_fat_open(&v.fs, &f, p, "w");
        if (rc < 0) break;
        vb_fat_close(&f);
        made++;
    }
    CHECK_EQ(rc, -EACCES);
    CHECK_EQ(made, 512 - 1);                  /* "many" took one */
    /* Freed slots are reused. */
    CHECK_EQ(vb_fat_remove(&v.fs, "R7"), 0);
    vb_fat_file f;
    CHECK_EQ(vb_fat_open(&v.fs, &f, "R7b", "w"), -EACCES);  /* needs 2 slots */
    CHECK_EQ(vb_fat_open(&v.fs, &f, "R7B", "w"), 0);
    vb_fat_close(&f);
    ramdev_free(&v.dev);
}

static void test_rename(void)
{
    vol v;
    vol_new(&v, 1024, 512);
    put_file(&v.fs, "a.txt", "AAA", 3);
    put_file(&v.fs, "b.txt", "BB", 2);
    CHECK_EQ(vb_fat_mkdir(&v.fs, "d"), 0);
    CHECK_EQ(vb_fat_mkdir(&v.fs, "e"), 0);
    vb_fat_info before, st;
    CHECK_EQ(vb_fat_stat(&v.fs, "a.txt", &before), 0);
    CHECK_EQ(vb_fat_rename(&v.fs, "a.txt", "Renamed Long.txt"), 0);
    CHECK_EQ(vb_fat_stat(&v.fs, "a.txt", &st), -ENOENT);
    CHECK_EQ(vb_fat_stat(&v.fs, "renamed long.TXT", &st), 0);
    CHECK_STR(st.name, "Renamed Long.txt");
    CHECK_EQ(st.first_cluster, before.first_cluster);
    CHECK_EQ(st.size, 3);
    CHECK_EQ(st.wdate, before.wdate);
    CHECK(st.attr & VB_FAT_ATTR_ARCHIVE);
    /* across directories */
    CHECK_EQ(vb_fat_rename(&v.fs, "Renamed Long.txt", "d/x.txt"), 0);
    uint8_t *buf;
    CHECK_EQ(get_file(&v.fs, "d/x.txt", &buf), 3);
    CHECK_MEM(buf, "AAA", 3);
    free(buf);
    /* over an existing file: replaced */
    CHECK_EQ(vb_fat_rename(&v.fs, "b.txt", "d/x.txt"), 0);
    CHECK_EQ(get_file(&v.fs, "d/x.txt", &buf), 2);
    CHECK_MEM(buf, "BB", 2);
    free(buf);
    vb_fat_usage u;
    CHECK_EQ(vb_fat_statvfs(&v.fs, &u), 0);
    CHECK_EQ(u.n_clusters - u.free_clusters, 3);      /* d, e, x.txt */
    /* case-only rename */
    CHECK_EQ(vb_fat_rename(&v.fs, "d/x.txt", "d/X.TXT"), 0);
    vb_fat_dir dir;
    CHECK_EQ(vb_fat_opendir(&v.fs, &dir, "d"), 0);
    CHECK_EQ(vb_fat_readdir(&dir, &st), 1);
    CHECK_STR(st.name, "X.TXT");
    CHECK_EQ(vb_fat_readdir(&dir, &st), 0);
    /* onto a directory; missing source; directory into itself */
    put_file(&v.fs, "c.txt", "C", 1);
    CHECK_EQ(vb_fat_rename(&v.fs, "c.txt", "e"), -EISDIR);
    CHECK_EQ(vb_fat_rename(&v.fs, "nope", "x"), -ENOENT);
    CHECK_EQ(vb_fat_rename(&v.fs, "c.txt", "nodir/x"), -ENOENT);
    CHECK_EQ(vb_fat_mkdir(&v.fs, "d/sub"), 0);
    CHECK_EQ(vb_fat_rename(&v.fs, "d", "d/sub/d2"), -EINVAL);
    CHECK_EQ(vb_fat_rename(&v.fs, "d", "d/d2"), -EINVAL);
    /* a directory moved: its ".." follows */
    CHECK_EQ(vb_fat_rename(&v.fs, "d/sub", "e/sub2"), 0);
    vb_fat_info e, sub;
    CHECK_EQ(vb_fat_stat(&v.fs, "e", &e), 0);
    CHECK_EQ(vb_fat_stat(&v.fs, "e/sub2", &sub), 0);
    CHECK_EQ(vb_fat_sync(&v.fs), 0);
    const uint8_t *dot = v.dev.mem + (size_t)(v.fs.data_start + (sub.first_cluster - 2)) * 512;
    CHECK_EQ(le16(dot + 32 + 26), e.first_cluster);
    CHECK_EQ(vb_fat_rename(&v.fs, "e/sub2", "top"), 0);
    CHECK_EQ(vb_fat_stat(&v.fs, "top", &sub), 0);
    CHECK_EQ(vb_fat_sync(&v.fs), 0);
    CHECK_EQ(le16(dot + 32 + 26), 0);
    ramdev_free(&v.dev);
}

/* ---- times ---------------------------------------------------------------- */

static void test_times(void)
{
    vol v;
    vol_new(&v, 1024, 512);
    put_file(&v.fs, "t", "x", 1);
    vb_fat_info st;
    CHECK_EQ(vb_fat_stat(&v.fs, "t", &st), 0);
    CHECK_EQ(st.wdate, DOS_DATE);
    CHECK_EQ(st.wtime, DOS_TIME);
    CHECK_EQ(st.cdate, DOS_DATE);
    CHECK_EQ(st.ctime, DOS_TIME);
    /* 2024-05-17 12:34:56 UTC */
    CHECK_EQ(vb_fat_dos_to_unix(DOS_DATE, DOS_TIME), 1715949296);
    CHECK_EQ(vb_fat_dos_to_unix(0x21, 0), 315532800);   /* 1980-01-01 */
    CHECK_EQ(vb_fat_stat(&v.fs, "/", &st), 0);
    CHECK(st.is_dir);
    CHECK_EQ(st.wdate, 0);
    ramdev_free(&v.dev);
}

/* ---- two FATs ------------------------------------------------------------- */

static void test_two_fats(void)
{
    /* Turn a fresh 1-FAT volume into a 2-FAT one: FAT 2 after FAT 1, then
     * the root, as mkfs.fat lays it out. */
    ramdev d;
    ramdev_init(&d, 512, 2048);
    CHECK_EQ(vb_fat_mkfs(&d.bd, NULL, fixed_clock, NULL), 0);
    d.mem[16] = 2;
    memcpy(d.mem + 8 * 512, d.mem + 512, 7 * 512);
    memset(d.mem + 15 * 512, 0, 32 * 512);
    vb_fat fs;
    CHECK_EQ(vb_fat_mount(&fs, &d.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL), 0);
    CHECK_EQ(fs.n_fats, 2);
    CHECK_EQ(fs.root_start, 15);
    uint8_t data[30000];
    fill_pattern(data, sizeof data, 9);
    put_file(&fs, "f1", data, sizeof data);
    CHECK_EQ(vb_fat_mkdir(&fs, "dir"), 0);
    put_file(&fs, "dir/f2", data, 777);
    CHECK_EQ(vb_fat_remove(&fs, "f1"), 0);
    put_file(&fs, "f3", data, 2000);
    CHECK_EQ(vb_fat_unmount(&fs), 0);
    CHECK_MEM(d.mem + 512, d.mem + 8 * 512, 7 * 512);
    ramdev_free(&d);
}

/* ---- corrupt images: errors, never hangs or stray accesses ------------------ */

static void test_corrupt(void)
{
    vol v;
    vol_new(&v, 1024, 512);
    uint8_t data[3000];
    fill_pattern(data, sizeof data, 3);
    put_file(&v.fs, "f", data, sizeof data);       /* 6 clusters */
    CHECK_EQ(vb_fat_mkdir(&v.fs, "d"), 0);
    CHECK_EQ(vb_fat_unmount(&v.fs), 0);
    vb_fat_info st;
    uint8_t *buf;
    uint8_t *fat = v.dev.mem + 512;
    uint8_t saved[512];
    memcpy(saved, fat, 512);

    /* A FAT chain that loops back on itself: 2 -> 3 -> 2. */
    fat[4] = 0x03; fat[5] = 0x20; fat[6] = 0x00;      /* entry 2 = 3, entry 3 = 2 */
    CHECK_EQ(vb_fat_mount(&v.fs, &v.dev.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL), 0);
    ssize_t n = get_file(&v.fs, "f", &buf);
    CHECK(n == 3000 || n == -EIO);                   /* bounded by the size */
    free(buf);

    /* Out-of-range next cluster: the file is larger than its chain. */
    memcpy(fat, saved, 512);
    fat[4] = 0x03; fat[5] = 0xF0; fat[6] = 0xFF;      /* 3 -> 0xFFF (end) */
    CHECK_EQ(vb_fat_mount(&v.fs, &v.dev.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL), 0);
    CHECK_EQ(get_file(&v.fs, "f", &buf), -EIO);
    free(buf);
    /* Zero inside a chain is corruption too. */
    fat[4] = 0x00; fat[5] = 0x00;
    CHECK_EQ(vb_fat_mount(&v.fs, &v.dev.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL), 0);
    CHECK_EQ(get_file(&v.fs, "f", &buf), -EIO);
    free(buf);

    /* A directory entry pointing outside the volume. */
    memcpy(fat, saved, 512);
    uint8_t *root = v.dev.mem + 8 * 512;
    uint8_t *fe = NULL;
    for (int i = 0; i < 16; i++) if (memcmp(root + 32 * i, "F          ", 11) == 0) fe = root + 32 * i;
    CHECK(fe != NULL);
    if (fe) {
        fe[26] = 0xF0; fe[27] = 0x0F;
        CHECK_EQ(vb_fat_mount(&v.fs, &v.dev.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL), 0);
        CHECK_EQ(get_file(&v.fs, "f", &buf), -EIO);
        free(buf);
        vb_fat_file f;
        CHECK_EQ(vb_fat_open(&v.fs, &f, "f", "a"), -EIO);
        fe[26] = 2; fe[27] = 0;
    }

    /* A subdirectory whose cluster chain loops: listing still ends. */
    CHECK_EQ(vb_fat_mount(&v.fs, &v.dev.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL), 0);
    CHECK_EQ(vb_fat_stat(&v.fs, "d", &st), 0);
    uint32_t dc = st.first_cluster;
    /* make d's cluster point to itself */
    uint32_t byte = dc + dc / 2;
    uint16_t w = (uint16_t)(fat[byte] | fat[byte + 1] << 8);
    w = dc & 1 ? (uint16_t)((w & 0x000F) | dc << 4) : (uint16_t)((w & 0xF000) | dc);
    fat[byte] = (uint8_t)w; fat[byte + 1] = (uint8_t)(w >> 8);
    /* and fill its first cluster with entries so the walk reaches the link */
    uint8_t *dd = v.dev.mem + (size_t)(v.fs.data_start + dc - 2) * 512;
    for (int i = 2; i < 16; i++) { memcpy(dd + 32 * i, "ENTRY   BIN", 11); dd[32 * i] = (uint8_t)('A' + i); dd[32 * i + 11] = 0x20; }
    CHECK_EQ(vb_fat_mount(&v.fs, &v.dev.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL), 0);
    vb_fat_dir dir;
    CHECK_EQ(vb_fat_opendir(&v.fs, &dir, "d"), 0);
    int count = 0, rc;
    while ((rc = vb_fat_readdir(&dir, &st)) == 1 && count < 100000) count++;
    CHECK(rc <= 0);
    CHECK(count < 100000);
    CHECK_EQ(vb_fat_stat(&v.fs, "d/nothere", &st), -ENOENT);
    /* Removing a file whose chain loops ends too (the walk is bounded). */
    memcpy(fat, saved, 512);
    fat[4] = 0x03; fat[5] = 0x20; fat[6] = 0x00;
    CHECK_EQ(vb_fat_mount(&v.fs, &v.dev.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL), 0);
    CHECK_EQ(vb_fat_remove(&v.fs, "f"), 0);
    ramdev_free(&v.dev);
}

/* Names in UTF-8 mode (host tools) and OEM mode (the board). */
static void test_name_modes(void)
{
    vol v;
    vol_new(&v, 1024, 512);
    vb_fat fs8;
    CHECK_EQ(vb_fat_mount(&fs8, &v.dev.bd, VB_FAT_NAMES_UTF8, fixed_clock, NULL), 0);
    put_file(&fs8, "caf\xc3\xa9.txt", "u", 1);      /* café.txt */
    CHECK_EQ(vb_fat_unmount(&fs8), 0);
    vol_remount(&v);
    vb_fat_info st;
    /* The board sees CP437 0x82 for é. */
    CHECK_EQ(vb_fat_stat(&v.fs, "caf\x82.txt", &st), 0);
    CHECK_STR(st.name, "caf\x82.txt");
    CHECK_EQ(vb_fat_stat(&v.fs, "CAF\x90.TXT", &st), 0);  /* É upper-cased */
    ramdev_free(&v.dev);
}

int main(void)
{
    RUN(test_mkfs_geometry);
    RUN(test_mkfs_errors);
    RUN(test_mount_checks);
    RUN(test_mount_mbr);
    RUN(test_names);
    RUN(test_alias_sequence);
    RUN(test_open_modes);
    RUN(test_large_files);
    RUN(test_seek_extend_truncate);
    RUN(test_full_volume);
    RUN(test_directories);
    RUN(test_directory_growth);
    RUN(test_rename);
    RUN(test_times);
    RUN(test_two_fats);
    RUN(test_corrupt);
    RUN(test_name_modes);
    return CHECK_DONE();
}
