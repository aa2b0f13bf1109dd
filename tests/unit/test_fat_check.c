/* vb_fat_check on hand-built FAT12/16 images: a clean one, then one
 * corruption at a time, each with the report line and count it must give.
 * Images are written byte by byte here (not with fat.c), so the checker is
 * tested independently of the driver it is meant to second-guess. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fs/fat.h"
#include "fs/fat_check.h"

/* ---- a RAM block device ------------------------------------------------------- */

typedef struct ram {
    vb_blockdev bd;
    uint8_t *mem;
    unsigned writes;
    bool writable;   /* only while fat.c builds an image */
} ram;

static int ram_read(void *ctx, uint32_t lba, uint32_t count, void *buf)
{
    ram *r = ctx;
    if (lba >= r->bd.sector_count || count > r->bd.sector_count - lba)
        return -EIO;
    memcpy(buf, r->mem + (size_t)lba * r->bd.sector_size, (size_t)count * r->bd.sector_size);
    return 0;
}

static int ram_write(void *ctx, uint32_t lba, uint32_t count, const void *buf)
{
    ram *r = ctx;
    r->writes++;   /* the checker must never write */
    if (!r->writable || lba >= r->bd.sector_count || count > r->bd.sector_count - lba)
        return -EIO;
    memcpy(r->mem + (size_t)lba * r->bd.sector_size, buf, (size_t)count * r->bd.sector_size);
    return 0;
}

/* ---- image builder: FAT12, 512-byte sectors, 1 reserved, 32 root entries --------- */

#define SS 512
typedef struct img {
    ram r;
    uint32_t total, spc, n_fats, fat_size, root_entries, root_start, data_start;
    unsigned bits;
} img;

static void w16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void w32(uint8_t *p, uint32_t v) { w16(p, v); w16(p + 2, v >> 16); }
static uint8_t *sec(img *m, uint32_t lba) { return m->r.mem + (size_t)lba * SS; }

static void set_fat(img *m, uint32_t n, uint32_t v)
{
    for (uint32_t k = 0; k < m->n_fats; k++) {
        uint8_t *f = sec(m, 1 + k * m->fat_size);
        if (m->bits == 16) {
            w16(f + 2 * n, v);
        } else {
            uint8_t *p = f + n + n / 2;
            uint32_t w = (uint32_t)(p[0] | p[1] << 8);
            w = n & 1 ? (w & 0x000F) | (v << 4) : (w & 0xF000) | (v & 0xFFF);
            w16(p, w);
        }
    }
}

/* A formatted, empty volume. total sectors and FAT type decide the rest. */
static void img_init(img *m, uint32_t total, uint32_t n_fats, unsigned bits)
{
    memset(m, 0, sizeof *m);
    m->total = total;
    m->spc = 1;
    m->n_fats = n_fats;
    m->bits = bits;
    m->root_entries = 32;
    uint32_t bytes = bits == 12 ? (3 * total + 1) / 2 : 2 * total;
    m->fat_size = (bytes + SS - 1) / SS;
    m->root_start = 1 + n_fats * m->fat_size;
    m->data_start = m->root_start + m->root_entries * 32 / SS;
    m->r.mem = calloc(total, SS);
    m->r.bd = (vb_blockdev){.ctx = &m->r, .sector_size = SS, .sector_count = total,
                            .read = ram_read, .write = ram_write};
    uint8_t *b = sec(m, 0);
    memcpy(b, "\xEB\xFE\x90MSDOS5.0", 11);
    w16(b + 11, SS);
    b[13] = (uint8_t)m->spc;
    w16(b + 14, 1);
    b[16] = (uint8_t)n_fats;
    w16(b + 17, m->root_entries);
    w16(b + 19, total);
    b[21] = 0xF8;
    w16(b + 22, m->fat_size);
    b[38] = 0x29;
    memcpy(b + 43, "NO NAME    FAT     ", 19);
    b[510] = 0x55;
    b[511] = 0xAA;
    set_fat(m, 0, bits == 12 ? 0xFF8 : 0xFFF8);
    set_fat(m, 1, bits == 12 ? 0xFFF : 0xFFFF);
}

static uint32_t eoc(const img *m) { return m->bits == 12 ? 0xFFF : 0xFFFF; }

/* Chain of `n` consecutive clusters from `first`. */
static void chain(img *m, uint32_t first, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        set_fat(m, first + i, i + 1 < n ? first + i + 1 : eoc(m));
}

static uint8_t *dir_slot(img *m, uint32_t dir_cluster, uint32_t index)
{
    uint32_t lba = dir_cluster ? m->data_start + (dir_cluster - 2) * m->spc : m->root_start;
    return sec(m, lba + index / (SS / 32)) + 32 * (index % (SS / 32));
}

static void entry(img *m, uint32_t dir, uint32_t index, const char *name11, uint8_t attr,
                  uint32_t cluster, uint32_t size)
{
    uint8_t *e = dir_slot(m, dir, index);
    memcpy(e, name11, 11);
    e[11] = attr;
    w16(e + 26, cluster);
    w32(e + 28, size);
}

/* A subdirectory at `cluster` inside `parent` (0 = root), with . and .. */
static void subdir(img *m, uint32_t parent, uint32_t index, const char *name11, uint32_t cluster)
{
    entry(m, parent, index, name11, 0x10, cluster, 0);
    chain(m, cluster, 1);
    entry(m, cluster, 0, ".          ", 0x10, cluster, 0);
    entry(m, cluster, 1, "..         ", 0x10, parent, 0);
}

static uint8_t lfn_sum(const char *name11)
{
    uint8_t s = 0;
    for (int i = 0; i < 11; i++)
        s = (uint8_t)(((s & 1) << 7) + (s >> 1) + (uint8_t)name11[i]);
    return s;
}

/* One long-name slot holding characters [13*(ord-1), 13*ord) of `name`. */
static void lfn(img *m, uint32_t dir, uint32_t index, unsigned ord, bool last, uint8_t sum,
                const char *name)
{
    static const uint8_t pos[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
    uint8_t *e = dir_slot(m, dir, index);
    size_t len = strlen(name);
    e[0] = (uint8_t)(ord | (last ? 0x40 : 0));
    e[11] = 0x0F;
    e[13] = sum;
    for (unsigned j = 0; j < 13; j++) {
        size_t i = 13 * (ord - 1) + j;
        w16(e + pos[j], i < len ? (uint8_t)name[i] : i == len ? 0 : 0xFFFF);
    }
}

/* The clean reference volume:
 *   /           label VBOARD, A.TXT (1000 bytes, clusters 2-3),
 *               "Long Name file.txt" = LONGNA~1.TXT (20 bytes, cluster 6), SUB/ (cluster 4)
 *   /SUB        B.TXT (10 bytes, cluster 5), EMPTY.TXT (0 bytes) */
static void img_clean(img *m, uint32_t n_fats)
{
    img_init(m, 128, n_fats, 12);
    entry(m, 0, 0, "VBOARD     ", 0x08, 0, 0);
    entry(m, 0, 1, "A       TXT", 0x20, 2, 1000);
    chain(m, 2, 2);
    lfn(m, 0, 2, 2, true, lfn_sum("LONGNA~1TXT"), "Long Name file.txt");
    lfn(m, 0, 3, 1, false, lfn_sum("LONGNA~1TXT"), "Long Name file.txt");
    entry(m, 0, 4, "LONGNA~1TXT", 0x20, 6, 20);
    chain(m, 6, 1);
    subdir(m, 0, 5, "SUB        ", 4);
    entry(m, 4, 2, "B       TXT", 0x20, 5, 10);
    chain(m, 5, 1);
    entry(m, 4, 3, "EMPTY   TXT", 0x20, 0, 0);
}

/* ---- running the checker -------------------------------------------------------- */

typedef struct lines {
    char text[8192];
    size_t len;
    unsigned n;
} lines;

static void collect(void *ctx, const char *line)
{
    lines *l = ctx;
    l->n++;
    int w = snprintf(l->text + l->len, sizeof l->text - l->len, "%s\n", line);
    if (w > 0 && (size_t)w < sizeof l->text - l->len)
        l->len += (size_t)w;
}

static lines out;
static vb_fat_check_stats st;

static int run(img *m)
{
    memset(&out, 0, sizeof out);
    int rc = vb_fat_check(&m->r.bd, collect, &out, &st);
    CHECK_EQ(m->r.writes, 0);
    if (getenv("VB_TEST_VERBOSE"))
        fprintf(stderr, "rc=%d\n%s", rc, out.text);
    free(m->r.mem);
    return rc;
}

#define CHECK_SAYS(s) do { check_count++; if (!strstr(out.text, (s))) { check_failures++; \
    fprintf(stderr, "%s:%d: report lacks \"%s\"; it was:\n%s", __FILE__, __LINE__, (s), out.text); } } while (0)

/* ---- tests ---------------------------------------------------------------------- */

static void test_clean(void)
{
    img m;
    img_clean(&m, 2);
    CHECK_EQ(run(&m), 0);
    CHECK_EQ(out.n, 0);
    CHECK_EQ(st.fat_bits, 12);
    CHECK_EQ(st.files, 4);
    CHECK_EQ(st.dirs, 1);
    CHECK_EQ(st.clusters, 123);
    CHECK_EQ(st.used_clusters, 5);
    CHECK_EQ(st.free_clusters, 118);
    CHECK_EQ(st.lost_clusters, 0);
    CHECK_EQ(st.cluster_bytes, 512);
}

static void test_clean_fat16(void)
{
    img m;
    img_init(&m, 4200, 1, 16);   /* 4200 - 1 - 17 - 2 = 4180 clusters: FAT16 */
    entry(&m, 0, 0, "BIG     BIN", 0x20, 2, 4100 * 512);
    chain(&m, 2, 4100);
    subdir(&m, 0, 1, "D          ", 4102);
    CHECK_EQ(run(&m), 0);
    CHECK_EQ(st.fat_bits, 16);
    CHECK_EQ(st.used_clusters, 4101);
}

static void test_loop(void)
{
    img m;
    img_clean(&m, 1);
    set_fat(&m, 3, 2);              /* A.TXT: 2 -> 3 -> 2 ... */
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("/A.TXT: cluster chain loops: cluster 2 comes back after 2 clusters");
}

static void test_cross_link(void)
{
    img m;
    img_clean(&m, 1);
    entry(&m, 4, 3, "EMPTY   TXT", 0x20, 3, 10);   /* shares A.TXT's second cluster */
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("/SUB/EMPTY.TXT: cross-linked with /A.TXT: both use cluster 3");
}

static void test_out_of_range(void)
{
    img m;
    img_clean(&m, 1);
    entry(&m, 0, 1, "A       TXT", 0x20, 500, 1000);
    CHECK_EQ(run(&m), 2);           /* the entry, and clusters 2-3 now lost */
    CHECK_SAYS("/A.TXT: first cluster 500 is outside the valid clusters 2..125");
    CHECK_SAYS("2 lost clusters (1024 bytes)");

    img_clean(&m, 1);
    set_fat(&m, 2, 0x200);          /* next pointer beyond the last cluster */
    CHECK_EQ(run(&m), 2);
    CHECK_SAYS("/A.TXT: cluster 2 points to 512, outside the valid clusters 2..125");
    CHECK_SAYS("1 lost cluster (512 bytes)");
}

static void test_size_mismatch(void)
{
    img m;
    img_clean(&m, 1);
    entry(&m, 0, 1, "A       TXT", 0x20, 2, 5000);
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("/A.TXT: size is 5000 bytes (10 clusters) but the cluster chain has 2");

    img_clean(&m, 1);
    entry(&m, 4, 3, "EMPTY   TXT", 0x20, 0, 77);
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("/SUB/EMPTY.TXT: size is 77 bytes but the file has no cluster");

    img_clean(&m, 1);
    entry(&m, 4, 3, "EMPTY   TXT", 0x20, 9, 0);
    chain(&m, 9, 1);
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("size is 0 but the file has a cluster chain (first cluster 9)");
}

static void test_broken_chain(void)
{
    img m;
    img_clean(&m, 1);
    set_fat(&m, 3, 0);              /* A.TXT's second cluster marked free */
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("/A.TXT: cluster chain broken: cluster 3 (number 2 of the chain) is marked free");
}

static void test_lost(void)
{
    img m;
    img_clean(&m, 1);
    chain(&m, 20, 3);
    chain(&m, 30, 1);
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("4 lost clusters (2048 bytes): allocated in the FAT but part of no file or "
               "directory (chains start at 20, 30)");
    CHECK_EQ(st.lost_clusters, 4);
    CHECK_EQ(st.used_clusters, 9);
}

static void test_fat_copies(void)
{
    img m;
    img_clean(&m, 2);
    uint8_t *fat2 = sec(&m, 1 + m.fat_size);
    fat2[15] ^= 0x01;               /* entries 10/11 only in FAT 2 */
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("FAT 2 differs from FAT 1 in 1 of 1 sectors (first at entry 10)");
}

static void test_fat_media(void)
{
    img m;
    img_clean(&m, 1);
    set_fat(&m, 0, 0xFF0);
    set_fat(&m, 1, 0x123);
    CHECK_EQ(run(&m), 2);
    CHECK_SAYS("FAT entry 0 is 0xFF0, expected 0xFF8 for media byte 0xF8");
    CHECK_SAYS("FAT entry 1 is 0x123, expected an end-of-chain mark");
}

static void test_not_fat(void)
{
    img m;
    img_clean(&m, 1);
    sec(&m, 0)[511] = 0x00;
    CHECK_EQ(run(&m), -ENODEV);
    CHECK_SAYS("no FAT filesystem: sector 0 has no boot signature (55 AA at byte 510)");
    CHECK_EQ(st.fat_bits, 0);

    img_clean(&m, 1);
    sec(&m, 0)[0] = 0x00;
    CHECK_EQ(run(&m), -ENODEV);
    CHECK_SAYS("sector 0 starts with 0x00, not a jump instruction");

    img_clean(&m, 1);
    w16(sec(&m, 0) + 11, 1024);
    CHECK_EQ(run(&m), -ENODEV);
    CHECK_SAYS("1024 bytes per sector, the device has 512");

    img_clean(&m, 1);
    w16(sec(&m, 0) + 22, 0);        /* FAT size 0 */
    CHECK_EQ(run(&m), -ENODEV);

    img_clean(&m, 1);
    sec(&m, 0)[13] = 3;             /* sectors per cluster not a power of two */
    CHECK_EQ(run(&m), -ENODEV);

    img_clean(&m, 1);
    memset(m.r.mem, 0xFF, (size_t)m.total * SS);   /* erased flash */
    CHECK_EQ(run(&m), -ENODEV);

    /* a FAT too small for its cluster count */
    img_init(&m, 4200, 1, 12);
    CHECK_EQ(run(&m), -ENODEV);
    CHECK_SAYS("a FAT of 13 sectors cannot hold 4184 clusters");
}

static void test_partitioned(void)
{
    /* PC partition table in sector 0, volume at LBA 8 (flash.md §4.1 step 2). */
    img m;
    img_clean(&m, 1);
    uint8_t *mem = calloc(m.total + 8, SS);
    memcpy(mem + 8 * SS, m.r.mem, (size_t)m.total * SS);
    free(m.r.mem);
    m.r.mem = mem;
    m.r.bd.sector_count = m.total + 8;
    mem[446 + 4] = 0x01;
    w32(mem + 446 + 8, 8);
    mem[510] = 0x55;
    mem[511] = 0xAA;
    CHECK_EQ(run(&m), 0);
    CHECK_EQ(st.volume_base, 8);
    CHECK_EQ(st.files, 4);
}

static void test_truncated_device(void)
{
    img m;
    img_clean(&m, 1);
    m.r.bd.sector_count = 5;        /* the data area is beyond the device */
    CHECK_EQ(run(&m), 3);           /* + B.TXT's cluster, unreachable now */
    CHECK_SAYS("boot sector: the volume has 128 sectors but the device only 5");
    CHECK_SAYS("/SUB: cannot read directory sector 6 (cluster 4)");
}

static void test_dir_loop(void)
{
    img m;
    img_clean(&m, 1);
    entry(&m, 4, 4, "LOOP       ", 0x10, 4, 0);   /* /SUB/LOOP is /SUB again */
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("/SUB/LOOP: directory loop: cluster 4 belongs to its ancestor /SUB");

    img_clean(&m, 1);
    subdir(&m, 4, 4, "DEEP       ", 7);
    set_fat(&m, 7, 4);              /* DEEP's chain runs into SUB */
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("/SUB/DEEP: directory loop: cluster 4 belongs to its ancestor /SUB");
}

static void test_dot_entries(void)
{
    img m;
    img_clean(&m, 1);
    entry(&m, 4, 1, "..         ", 0x10, 9, 0);
    entry(&m, 4, 0, ".          ", 0x10, 5, 0);
    CHECK_EQ(run(&m), 2);
    CHECK_SAYS("/SUB: \"..\" entry points to cluster 9 instead of 0 (the parent)");
    CHECK_SAYS("/SUB: \".\" entry points to cluster 5 instead of 4 (itself)");

    img_clean(&m, 1);
    memset(dir_slot(&m, 4, 0), 0, 64);              /* both dot entries gone */
    entry(&m, 4, 0, "B       TXT", 0x20, 5, 10);
    memset(dir_slot(&m, 4, 2), 0, 64);
    CHECK_EQ(run(&m), 2);
    CHECK_SAYS("/SUB: the \".\" entry is missing");
    CHECK_SAYS("/SUB: the \"..\" entry is missing");
}

static void test_illegal_name(void)
{
    img m;
    img_clean(&m, 1);
    entry(&m, 0, 1, "A*B     TXT", 0x20, 2, 1000);
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("/A*B.TXT: short name \"A*B.TXT\" contains the illegal byte 0x2A");

    img_clean(&m, 1);
    entry(&m, 0, 1, "A\x01      TXT", 0x20, 2, 1000);
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("contains the illegal byte 0x01");

    img_clean(&m, 1);               /* a long name with ':' */
    lfn(&m, 0, 2, 2, true, lfn_sum("LONGNA~1TXT"), "Long:Name file.txt");
    lfn(&m, 0, 3, 1, false, lfn_sum("LONGNA~1TXT"), "Long:Name file.txt");
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("/Long:Name file.txt: long name contains the illegal character 0x3A");
}

static void test_lfn(void)
{
    img m;
    img_clean(&m, 1);
    dir_slot(&m, 0, 3)[13] ^= 0xFF;                 /* slot 1 with another checksum */
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("orphaned long-name slots (entries 2..3) with differing checksums");

    img_clean(&m, 1);
    lfn(&m, 0, 2, 2, true, 0x42, "Long Name file.txt");  /* both slots, wrong checksum */
    lfn(&m, 0, 3, 1, false, 0x42, "Long Name file.txt");
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("long name before LONGNA~1.TXT has checksum 0x42, expected 0x");

    img_clean(&m, 1);
    dir_slot(&m, 0, 2)[0] = 0xE5;                   /* first slot deleted */
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("orphaned long-name slot (entry 3, ordinal 1) without a first slot");

    img_clean(&m, 1);
    dir_slot(&m, 0, 4)[0] = 0xE5;                   /* short entry deleted, slots kept */
    CHECK_EQ(run(&m), 2);                           /* + its cluster is lost */
    CHECK_SAYS("orphaned long-name slots (entries 2..3) followed by a deleted entry");

    img_clean(&m, 1);
    lfn(&m, 0, 2, 3, true, lfn_sum("LONGNA~1TXT"), "Long Name file.txt");  /* 3, then 1 */
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("orphaned long-name slots (entries 2..3) out of order");

    img_clean(&m, 1);
    w16(dir_slot(&m, 0, 3) + 26, 7);                /* cluster field in a slot */
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("long-name slots of LONGNA~1.TXT are malformed");
}

static void test_duplicates_and_labels(void)
{
    img m;
    img_clean(&m, 1);
    entry(&m, 0, 6, "A       TXT", 0x20, 0, 0);
    entry(&m, 0, 7, "SECOND     ", 0x08, 0, 0);
    entry(&m, 4, 4, "SUBLABEL   ", 0x08, 0, 0);
    CHECK_EQ(run(&m), 3);
    CHECK_SAYS("/: short name A.TXT appears more than once");
    CHECK_SAYS("/: more than one volume label entry in the root directory");
    CHECK_SAYS("/SUB: volume label entry (position 4) in a subdirectory");
}

static void test_after_end_mark(void)
{
    img m;
    img_clean(&m, 1);
    memset(dir_slot(&m, 4, 10), 0xFF, 3 * 32);   /* torn write beyond SUB's end mark */
    CHECK_EQ(run(&m), 1);
    CHECK_SAYS("/SUB: 3 entries after the end-of-directory mark (entry 4) are not free, "
               "the first at entry 10");

    img_clean(&m, 1);                            /* stale bytes in free entries are fine */
    memset(dir_slot(&m, 0, 20) + 1, 0xAB, 31);
    CHECK_EQ(run(&m), 0);
}

static void test_directory_entries(void)
{
    img m;
    img_clean(&m, 1);
    entry(&m, 0, 5, "SUB        ", 0x10, 4, 123);
    entry(&m, 0, 6, "NOCLUS     ", 0x10, 0, 0);
    CHECK_EQ(run(&m), 2);
    CHECK_SAYS("/SUB: directory entry has size 123 (must be 0)");
    CHECK_SAYS("/NOCLUS: directory entry has no cluster");
}

static void test_deep_nesting(void)
{
    /* A chain of directories deeper than the limit: reported, not followed. */
    img m;
    img_init(&m, 128, 1, 12);
    uint32_t parent = 0;
    for (uint32_t i = 0; i < VB_FAT_CHECK_MAX_DEPTH + 2; i++) {
        subdir(&m, parent, parent ? 2 : 0, "D          ", 2 + i);
        parent = 2 + i;
    }
    int rc = run(&m);
    CHECK(rc >= 1);
    CHECK_SAYS("subdirectories nested deeper than 64 levels were not checked");
}

/* Volumes written by fat.c (mkfs + API) must check clean: the two FAT
 * implementations agree on what a valid volume is. */
static void fixed_clock(void *ctx, vb_datetime *now)
{
    (void)ctx;
    *now = (vb_datetime){.year = 2024, .month = 5, .day = 17, .hour = 12, .minute = 30};
}

static void put(vb_fat *fs, const char *path, size_t size)
{
    vb_fat_file f;
    static uint8_t data[70000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + size);
    CHECK_EQ(vb_fat_open(fs, &f, path, "w"), 0);
    CHECK_EQ(vb_fat_write(&f, data, size), (long long)size);
    CHECK_EQ(vb_fat_close(&f), 0);
}

static void test_mkfs_volumes(void)
{
    static const struct { uint32_t ss, bytes; unsigned bits; } geo[] = {
        {4096, 2u << 20, 12}, {512, 4u << 20, 12}, {512, 128u << 10, 12}, {512, 16u << 20, 16},
    };
    for (size_t g = 0; g < sizeof geo / sizeof geo[0]; g++) {
        img m = {0};
        m.r.mem = malloc(geo[g].bytes);
        memset(m.r.mem, 0xFF, geo[g].bytes);
        m.r.writable = true;
        m.r.bd = (vb_blockdev){.ctx = &m.r, .sector_size = geo[g].ss,
                               .sector_count = geo[g].bytes / geo[g].ss,
                               .read = ram_read, .write = ram_write};
        vb_fat_mkfs_opts opts = {.label = g == 2 ? "pybflash" : NULL};
        CHECK_EQ(vb_fat_mkfs(&m.r.bd, &opts, fixed_clock, NULL), 0);
        vb_fat fs;
        CHECK_EQ(vb_fat_mount(&fs, &m.r.bd, VB_FAT_NAMES_UTF8, fixed_clock, NULL), 0);
        CHECK_EQ(vb_fat_mkdir(&fs, "lib"), 0);
        CHECK_EQ(vb_fat_mkdir(&fs, "lib/Deep Dir"), 0);
        put(&fs, "boot.py", 30);
        put(&fs, "lib/Deep Dir/A Long File Name module.py", 5000);
        put(&fs, "lib/empty.txt", 0);
        size_t unit = geo[g].bytes >= (1u << 20) ? 1500 : 100;   /* fit the 128 KiB volume */
        for (int i = 0; i < 20; i++) {
            char name[40];
            snprintf(name, sizeof name, "lib/file number %d.bin", i);
            put(&fs, name, (size_t)i * unit);
        }
        CHECK_EQ(vb_fat_remove(&fs, "lib/file number 3.bin"), 0);
        CHECK_EQ(vb_fat_rename(&fs, "lib/file number 4.bin", "moved.bin"), 0);
        put(&fs, "lib/file number 5.bin", 44 * unit);   /* rewrite, longer */
        CHECK_EQ(vb_fat_unmount(&fs), 0);
        m.r.writable = false;
        m.r.writes = 0;
        CHECK_EQ(run(&m), 0);
        CHECK_EQ(st.fat_bits, geo[g].bits);
        CHECK_EQ(st.files, 22);
        CHECK_EQ(st.dirs, 2);
    }
}

/* Random damage to the clean image: the checker must terminate without
 * crashing (ASan/UBSan builds catch the rest) and never write. */
static void test_random_damage(void)
{
    uint32_t seed = 12345;
    for (int round = 0; round < 3000; round++) {
        img m;
        img_clean(&m, round & 1 ? 2 : 1);
        int flips = 1 + round % 16;
        for (int i = 0; i < flips; i++) {
            seed = seed * 1103515245u + 12345u;
            uint32_t at = (seed >> 8) % (m.data_start * SS + 5 * SS);
            seed = seed * 1103515245u + 12345u;
            m.r.mem[at] = (uint8_t)(seed >> 16);
        }
        memset(&out, 0, sizeof out);
        int rc = vb_fat_check(&m.r.bd, collect, &out, NULL);
        CHECK(rc >= -ENODEV);
        CHECK_EQ(m.r.writes, 0);
        free(m.r.mem);
    }
}

int main(void)
{
    RUN(test_clean);
    RUN(test_clean_fat16);
    RUN(test_loop);
    RUN(test_cross_link);
    RUN(test_out_of_range);
    RUN(test_size_mismatch);
    RUN(test_broken_chain);
    RUN(test_lost);
    RUN(test_fat_copies);
    RUN(test_fat_media);
    RUN(test_not_fat);
    RUN(test_partitioned);
    RUN(test_truncated_device);
    RUN(test_dir_loop);
    RUN(test_dot_entries);
    RUN(test_illegal_name);
    RUN(test_lfn);
    RUN(test_duplicates_and_labels);
    RUN(test_directory_entries);
    RUN(test_after_end_mark);
    RUN(test_deep_nesting);
    RUN(test_mkfs_volumes);
    RUN(test_random_damage);
    return CHECK_DONE();
}
