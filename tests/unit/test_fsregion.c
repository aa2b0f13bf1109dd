/* The board's filesystem region as a volume (image/fsregion.h), on each
 * profile's flash in RAM: erased flash, format and the port's default
 * files, an esp32 first boot byte for byte against MicroPython's own image
 * (tests/fixtures/lfs2), MicroPython's trees at the ports' offsets, FAT on
 * an esp32 layout, and what a FAT-only port does with a littlefs image.
 * Run from the repository root. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fs/lfs2.h"
#include "image/fsregion.h"
#include "lfs2_nordev.h"
#include "util/sha256.h"

#define FIX "tests/fixtures/lfs2/"
#define BS 4096u

/* ---- a clock the test sets ------------------------------------------------ */

typedef struct fake_clock {
    int64_t secs;
    uint32_t nsec;
} fake_clock;

static void fake_now(void *ctx, int64_t *secs, uint32_t *nsec)
{
    const fake_clock *c = ctx;
    *secs = c->secs;
    *nsec = c->nsec;
}

static fake_clock clk = {1715949296, 500000000u};   /* 2024-05-17 12:34:56.5 UTC */
static const vb_vol_clock clock = {&clk, fake_now};

/* ---- a board's flash in RAM with its region ------------------------------- */

typedef struct board {
    const vb_profile *p;
    vb_flash fl;
    vb_fsregion r;              /* must not move: calloc'd with the board */
} board;

static board *board_new(const char *name)
{
    board *b = calloc(1, sizeof *b);
    if (!b)
        abort();
    b->p = vb_profile_find(name);
    CHECK(b->p != NULL);
    if (!b->p)
        abort();
    CHECK_EQ(vb_flash_open_ram(&b->fl, b->p->flash_size), 0);
    b->fl.prog_page = b->p->prog_page;   /* as the board splits programs */
    CHECK_EQ(vb_fsregion_init(&b->r, &b->fl, b->p), 0);
    return b;
}

static void board_free(board *b)
{
    CHECK_EQ(vb_fsregion_unmount(&b->r), 0);
    CHECK_EQ(b->fl.bad_programs, 0);     /* no program ever needed a 0->1 bit */
    vb_flash_close(&b->fl);
    free(b);
}

static uint64_t writes(const board *b) { return b->fl.n_program + b->fl.n_erase; }

static bool all_ff(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0xFF)
            return false;
    return true;
}

/* A gzip'd fixture image (whole, `blocks` of 4096) into a malloc'd buffer. */
static uint8_t *load_gz(const char *name, uint32_t blocks)
{
    char path[256];
    snprintf(path, sizeof path, FIX "%s.lfs2.gz", name);
    nordev d;
    if (!nordev_load_gz(&d, path, BS, blocks, 32)) {
        nordev_free(&d);
        return NULL;
    }
    return d.mem;
}

/* Copy an image into the region as flashing it would leave it. */
static void put_region(board *b, const uint8_t *img, size_t n)
{
    CHECK(n <= b->p->fs_size);
    memcpy(b->fl.mem + b->p->fs_offset, img, n);
}

/* ---- listing through the volume, in the fixtures' manifest format -------- */

typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void text_add(text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        if (!t->s)
            abort();
    }
    memcpy(t->s + t->len, s, n + 1);
    t->len += n;
}

typedef struct ent {
    char name[VB_VOL_NAME_BUF];
    bool is_dir;
    uint32_t size;
} ent;

static int cmp_ent(const void *a, const void *b)
{
    return strcmp(((const ent *)a)->name, ((const ent *)b)->name);
}

/* sha256 of a file read through the volume, its length or -errno */
static int64_t hash_file(vb_vol *v, const char *path, char hex[2 * VB_SHA256_LEN + 1])
{
    vb_vol_file f;
    int rc = vb_vol_open(v, &f, path, "r");
    if (rc < 0)
        return rc;
    vb_sha256_ctx c;
    vb_sha256_init(&c);
    static uint8_t buf[3000];   /* not a block multiple, on purpose */
    int64_t total = 0;
    ssize_t n;
    while ((n = vb_vol_read(&f, buf, sizeof buf)) > 0) {
        vb_sha256_update(&c, buf, (size_t)n);
        total += n;
    }
    CHECK_EQ(vb_vol_close(&f), 0);
    if (n < 0)
        return n;
    uint8_t d[VB_SHA256_LEN];
    vb_sha256_final(&c, d);
    for (int i = 0; i < VB_SHA256_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return total;
}

/* "dir  /p" / "file /p SIZE SHA256" lines, names sorted bytewise per
 * directory, depth first (tests/fixtures/lfs2 README). */
static int list_tree(vb_vol *v, const char *dir, text *out, int depth)
{
    if (depth > 16)
        return -ELOOP;
    vb_vol_dir d;
    int rc = vb_vol_opendir(v, &d, dir);
    if (rc < 0)
        return rc;
    size_t n = 0, cap = 8;
    ent *e = malloc(cap * sizeof *e);
    vb_vol_info info;
    while ((rc = vb_vol_readdir(&d, &info)) == 1) {
        if (n == cap)
            e = realloc(e, (cap *= 2) * sizeof *e);
        memcpy(e[n].name, info.name, sizeof info.name);
        e[n].is_dir = info.is_dir;
        e[n].size = info.size;
        n++;
    }
    CHECK_EQ(vb_vol_closedir(&d), 0);
    qsort(e, n, sizeof *e, cmp_ent);
    for (size_t i = 0; i < n && rc >= 0; i++) {
        char path[2 * VB_VOL_NAME_BUF], line[3 * VB_VOL_NAME_BUF];
        snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") ? dir : "", e[i].name);
        if (e[i].is_dir) {
            snprintf(line, sizeof line, "dir  %s\n", path);
            text_add(out, line);
            rc = list_tree(v, path, out, depth + 1);
            continue;
        }
        char hex[2 * VB_SHA256_LEN + 1];
        int64_t got = hash_file(v, path, hex);
        if (got < 0) {
            rc = (int)got;
            break;
        }
        if (got != e[i].size)
            snprintf(line, sizeof line, "file %s %u(read %lld) %s\n", path, e[i].size, (long long)got, hex);
        else
            snprintf(line, sizeof line, "file %s %u %s\n", path, e[i].size, hex);
        text_add(out, line);
    }
    free(e);
    return rc < 0 ? rc : 0;
}

static char *listing(vb_vol *v)
{
    text t = {NULL, 0, 0};
    text_add(&t, "");
    int rc = list_tree(v, "/", &t, 0);
    CHECK_EQ(rc, 0);
    return t.s;
}

/* The manifest's entry lines; its statvfs tuple into sv[10]. */
static char *load_manifest(const char *name, long sv[10])
{
    char path[256], line[2048];
    snprintf(path, sizeof path, FIX "%s.lfs2.manifest", name);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    text t = {NULL, 0, 0};
    text_add(&t, "");
    int got = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] != '#') {
            text_add(&t, line);
            continue;
        }
        const char *s = strstr(line, "statvfs (");
        if (s)
            got = sscanf(s, "statvfs (%ld, %ld, %ld, %ld, %ld, %ld, %ld, %ld, %ld, %ld)", &sv[0], &sv[1],
                         &sv[2], &sv[3], &sv[4], &sv[5], &sv[6], &sv[7], &sv[8], &sv[9]);
    }
    fclose(f);
    CHECK_EQ(got, 10);
    return t.s;
}

/* ---- erased flash --------------------------------------------------------- */

static const char *const boards[] = {"esp32", "rp2", "pycom"};

/* Nothing to mount: esp32 finds no magic and tries FAT, which gives "no
 * filesystem", -ENODEV (VfsFat's, what inisetup.py takes as "format" when
 * the region is erased); rp2 tries littlefs only, which finds no valid
 * pair, -EILSEQ (LFS_ERR_CORRUPT; its _boot.py formats on any error);
 * Pycom tries FAT only. Nothing is written. */
static void test_erased(void)
{
    for (size_t i = 0; i < 3; i++) {
        board *b = board_new(boards[i]);
        CHECK(vb_fsregion_erased(&b->r));
        bool rp2 = strcmp(boards[i], "rp2") == 0;
        CHECK_EQ(vb_fsregion_detect(&b->r), rp2 ? VB_VOL_LFS2 : VB_VOL_FAT);
        CHECK_EQ(vb_fsregion_mount(&b->r, VB_FAT_NAMES_OEM, &clock), rp2 ? -EILSEQ : -ENODEV);
        CHECK(!b->r.mounted);
        CHECK_EQ(vb_fsregion_write_defaults(&b->r), -ENODEV);
        CHECK_EQ(vb_fsregion_unmount(&b->r), 0);   /* not mounted: nothing to do */
        CHECK_EQ(writes(b), 0);
        board_free(b);
    }
}

/* ---- format and the port's default files ---------------------------------- */

typedef struct port_want {
    const char *board;
    vb_vol_kind kind;
    uint32_t prog, cache;       /* littlefs parameters (extmod/vfs_lfsx.c) */
    const char *root;           /* the root after write_defaults: "name:size" / "name/" */
} port_want;

static const port_want wants[] = {
    {"esp32", VB_VOL_LFS2, 32, 128, "boot.py:139"},
    {"rp2", VB_VOL_LFS2, 256, 1024, ""},
    {"pycom", VB_VOL_FAT, 0, 0, "boot.py:29 cert/ lib/ main.py:34 sys/"},
};

/* The root's entries sorted, as in port_want.root. */
static void root_line(vb_vol *v, char *out, size_t cap)
{
    vb_vol_dir d;
    vb_vol_info info;
    char names[16][VB_VOL_NAME_BUF + 16];
    int n = 0;
    out[0] = '\0';
    CHECK_EQ(vb_vol_opendir(v, &d, "/"), 0);
    while (n < 16 && vb_vol_readdir(&d, &info) == 1) {
        if (info.is_dir)
            snprintf(names[n++], sizeof names[0], "%s/", info.name);
        else
            snprintf(names[n++], sizeof names[0], "%s:%u", info.name, info.size);
    }
    CHECK_EQ(vb_vol_closedir(&d), 0);
    qsort(names, (size_t)n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    for (int i = 0; i < n; i++) {
        if (i)
            strncat(out, " ", cap - strlen(out) - 1);
        strncat(out, names[i], cap - strlen(out) - 1);
    }
}

static bool file_is(vb_vol *v, const char *path, const char *content)
{
    vb_vol_file f;
    char buf[512];
    if (vb_vol_open(v, &f, path, "r") < 0)
        return false;
    ssize_t n = vb_vol_read(&f, buf, sizeof buf);
    vb_vol_close(&f);
    return n >= 0 && (size_t)n == strlen(content) && memcmp(buf, content, (size_t)n) == 0;
}

static void test_format_defaults(void)
{
    for (size_t i = 0; i < 3; i++) {
        const port_want *w = &wants[i];
        board *b = board_new(w->board);
        const vb_port *port = b->p->port;
        vb_fsregion *r = &b->r;
        if (w->kind == VB_VOL_LFS2) {
            CHECK_EQ(r->lfs2cfg.prog_size, w->prog);
            CHECK_EQ(r->lfs2cfg.read_size, 32);
            CHECK_EQ(r->lfs2cfg.cache_size, w->cache);
            CHECK_EQ(r->lfs2cfg.block_cycles, 100);
        }

        CHECK_EQ(vb_fsregion_format(r, VB_FAT_NAMES_OEM, &clock), 0);
        CHECK(r->mounted);
        CHECK_EQ(r->vol.kind, w->kind);
        CHECK(!vb_fsregion_erased(r));
        CHECK_EQ(vb_fsregion_detect(r), w->kind);
        CHECK(all_ff(b->fl.mem, b->p->fs_offset));   /* nothing outside the region */
        CHECK(all_ff(b->fl.mem + b->p->fs_offset + b->p->fs_size,
                     b->p->flash_size - b->p->fs_offset - b->p->fs_size));
        char root[512];
        root_line(&r->vol, root, sizeof root);
        CHECK_STR(root, "");                          /* format alone writes no file */

        CHECK_EQ(vb_fsregion_write_defaults(r), 0);
        root_line(&r->vol, root, sizeof root);
        CHECK_STR(root, w->root);
        for (unsigned k = 0; k < port->n_default_files; k++)
            CHECK(file_is(&r->vol, port->default_files[k].path, port->default_files[k].content));
        vb_vol_info st;
        for (unsigned k = 0; k < port->n_default_dirs; k++) {
            CHECK_EQ(vb_vol_stat(&r->vol, port->default_dirs[k], &st), 0);
            CHECK(st.is_dir);
        }
        if (w->kind == VB_VOL_LFS2 && port->n_default_files) {
            /* stamped with the clock (littlefs keeps the nanoseconds) */
            CHECK_EQ(vb_vol_stat(&r->vol, "boot.py", &st), 0);
            CHECK_EQ(st.mtime, clk.secs);
        }

        /* again: everything is there, nothing is written */
        uint64_t before = writes(b);
        CHECK_EQ(vb_fsregion_write_defaults(r), 0);
        CHECK_EQ(writes(b), before);

        /* a changed default stays changed; a missing one comes back */
        if (port->n_default_files) {
            vb_vol_file f;
            const char *path = port->default_files[0].path;
            CHECK_EQ(vb_vol_open(&r->vol, &f, path, "w"), 0);
            CHECK_EQ(vb_vol_write(&f, "mine\n", 5), 5);
            CHECK_EQ(vb_vol_close(&f), 0);
            CHECK_EQ(vb_fsregion_write_defaults(r), 0);
            CHECK(file_is(&r->vol, path, "mine\n"));
            CHECK_EQ(vb_vol_remove(&r->vol, path), 0);
            CHECK_EQ(vb_fsregion_write_defaults(r), 0);
            CHECK(file_is(&r->vol, path, port->default_files[0].content));
        }
        if (port->n_default_dirs) {
            CHECK_EQ(vb_vol_rmdir(&r->vol, port->default_dirs[0]), 0);
            CHECK_EQ(vb_fsregion_write_defaults(r), 0);
            CHECK_EQ(vb_vol_stat(&r->vol, port->default_dirs[0], &st), 0);
        }

        /* it is all on flash: unmount, mount again by detection */
        CHECK_EQ(vb_fsregion_unmount(r), 0);
        CHECK(!r->mounted);
        CHECK_EQ(vb_fsregion_unmount(r), 0);
        CHECK_EQ(vb_fsregion_mount(r, VB_FAT_NAMES_OEM, &clock), 0);
        CHECK_EQ(r->vol.kind, w->kind);
        root_line(&r->vol, root, sizeof root);
        CHECK_STR(root, w->root);
        for (unsigned k = 0; k < port->n_default_files; k++)
            CHECK(file_is(&r->vol, port->default_files[k].path, port->default_files[k].content));

        /* mount over a mounted region: remounts */
        CHECK_EQ(vb_fsregion_mount(r, VB_FAT_NAMES_OEM, &clock), 0);
        CHECK(r->mounted);
        /* format over a mounted region with files: empty again */
        CHECK_EQ(vb_fsregion_format(r, VB_FAT_NAMES_OEM, &clock), 0);
        root_line(&r->vol, root, sizeof root);
        CHECK_STR(root, "");
        board_free(b);
    }
}

/* ---- esp32 first boot against MicroPython's image ------------------------- */

/* MicroPython's first boot on an esp32 (inisetup.py setup()): VfsLfs2.mkfs,
 * mount, open("boot.py", "w"), one write, close. fsregion's format and
 * write_defaults, with the clock at the stamp MicroPython left, must leave
 * the same bytes. */
static void test_esp32_first_boot(void)
{
    uint8_t *ref = load_gz("esp32-first-boot", 512);
    CHECK(ref != NULL);
    if (!ref)
        return;

    /* the fixture's boot.py: content and the 8-byte stamp */
    nordev d;
    nordev_init(&d, BS, 512, 32);
    memcpy(d.mem, ref, nordev_bytes(&d));
    vb_lfs2_config cfg;
    vb_lfs2_config_micropython(&cfg, BS, 32);
    vb_lfs2 fs;
    CHECK_EQ(vb_lfs2_mount(&fs, &d.dev, &cfg), 0);
    uint8_t raw[8];
    CHECK_EQ(vb_lfs2_getattr(&fs, "boot.py", VB_LFS2_ATTR_MTIME, raw, sizeof raw), 8);
    CHECK_EQ(vb_lfs2_unmount(&fs), 0);
    nordev_free(&d);
    uint64_t ns = 0;
    for (int i = 7; i >= 0; i--)
        ns = ns << 8 | raw[i];

    board *b = board_new("esp32");
    CHECK_EQ(b->p->fs_size, 512 * BS);
    fake_clock saved = clk;
    clk = (fake_clock){(int64_t)(ns / 1000000000u), (uint32_t)(ns % 1000000000u)};
    CHECK_EQ(vb_fsregion_format(&b->r, VB_FAT_NAMES_OEM, &clock), 0);
    CHECK_EQ(vb_fsregion_write_defaults(&b->r), 0);
    CHECK(file_is(&b->r.vol, "boot.py", b->p->port->default_files[0].content));
    CHECK_EQ(vb_fsregion_unmount(&b->r), 0);
    clk = saved;

    const uint8_t *ours = b->fl.mem + b->p->fs_offset;
    size_t diffs = 0, first = 0;
    for (size_t i = 0; i < b->p->fs_size; i++) {
        if (ours[i] == ref[i])
            continue;
        if (diffs < 16)
            fprintf(stderr, "  byte 0x%zx (block %zu +%zu): ours %02x, MicroPython %02x\n", i, i / BS,
                    i % BS, ours[i], ref[i]);
        if (!diffs)
            first = i;
        diffs++;
    }
    if (diffs)
        fprintf(stderr, "esp32 first boot: %zu bytes differ, first at 0x%zx\n", diffs, first);
    CHECK_EQ(diffs, 0);
    board_free(b);
    free(ref);
}

/* ---- MicroPython's trees at the ports' offsets ----------------------------- */

static void check_tree(const char *board_name, const char *fixture, uint32_t blocks)
{
    long sv[10] = {0};
    char *want = load_manifest(fixture, sv);
    uint8_t *img = load_gz(fixture, blocks);
    CHECK(want != NULL && img != NULL);
    if (!want || !img) {
        free(want);
        free(img);
        return;
    }
    board *b = board_new(board_name);
    CHECK_EQ(b->p->fs_size, blocks * BS);
    put_region(b, img, (size_t)blocks * BS);

    CHECK(!vb_fsregion_erased(&b->r));
    CHECK_EQ(vb_fsregion_detect(&b->r), VB_VOL_LFS2);
    CHECK_EQ(vb_fsregion_mount(&b->r, VB_FAT_NAMES_OEM, &clock), 0);
    CHECK_EQ(b->r.vol.kind, VB_VOL_LFS2);
    char *got = listing(&b->r.vol);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "%s at %s: listing differs:\n--- ours\n%s--- manifest\n%s", fixture, board_name,
                got, want);
    CHECK_STR(got, want);

    /* statvfs as MicroPython reported it on that volume */
    vb_vol_usage u;
    CHECK_EQ(vb_vol_statvfs(&b->r.vol, &u), 0);
    CHECK_EQ(u.block_size, sv[0]);
    CHECK_EQ(u.blocks, sv[2]);
    CHECK_EQ(u.free_blocks, sv[3]);
    CHECK_EQ(u.name_max, sv[9]);
    /* a file's stamp, in seconds */
    vb_vol_info st;
    CHECK_EQ(vb_vol_stat(&b->r.vol, "/boot.py", &st), 0);
    CHECK(st.mtime > 1577836800 && st.mtime < 4102444800);   /* 2020 .. 2100 */

    CHECK_EQ(vb_fsregion_unmount(&b->r), 0);
    CHECK_EQ(writes(b), 0);          /* mounting, listing, reading: nothing written */
    CHECK_MEM(b->fl.mem + b->p->fs_offset, img, (size_t)blocks * BS);
    board_free(b);
    free(got);
    free(want);
    free(img);
}

static void test_esp32_tree(void) { check_tree("esp32", "esp32-tree", 512); }
static void test_rp2_tree(void) { check_tree("rp2", "rp2-tree", 352); }

/* A littlefs of another geometry is littlefs all the same: detected, and
 * refused by the mount (block count differs: -EINVAL), not taken for FAT.
 * Broken metadata behind the magic: -EILSEQ. */
static void test_lfs2_refused(void)
{
    uint8_t *img = load_gz("rp2-tree", 352);
    CHECK(img != NULL);
    if (!img)
        return;
    board *b = board_new("esp32");
    put_region(b, img, 352 * BS);
    CHECK_EQ(vb_fsregion_detect(&b->r), VB_VOL_LFS2);
    CHECK_EQ(vb_fsregion_mount(&b->r, VB_FAT_NAMES_OEM, &clock), -EINVAL);
    CHECK(!b->r.mounted);

    /* both superblock blocks with the magic but no valid commit */
    uint8_t *fs0 = b->fl.mem + b->p->fs_offset;
    for (uint32_t blk = 0; blk < 2; blk++)
        for (uint32_t off = 16; off < BS; off++)
            fs0[blk * BS + off] ^= 0x5A;
    CHECK_EQ(vb_fsregion_detect(&b->r), VB_VOL_LFS2);
    CHECK_EQ(vb_fsregion_mount(&b->r, VB_FAT_NAMES_OEM, &clock), -EILSEQ);
    CHECK(!b->r.mounted);
    board_free(b);
    free(img);
}

/* The magic in block 1 alone is enough (block 0 erased), as MicroPython's
 * vfs.mount checks both; littlefs then mounts from the surviving block. */
static void test_lfs2_magic_block1(void)
{
    board *b = board_new("esp32");
    CHECK_EQ(vb_fsregion_format(&b->r, VB_FAT_NAMES_OEM, &clock), 0);
    CHECK_EQ(vb_fsregion_write_defaults(&b->r), 0);
    CHECK_EQ(vb_fsregion_unmount(&b->r), 0);
    /* which block of the root pair holds the newer log does not matter:
     * erase whichever of 0/1 leaves a mountable volume */
    uint8_t *fs0 = b->fl.mem + b->p->fs_offset;
    uint8_t *save = malloc(BS);
    int mounted_from = -1;
    for (uint32_t blk = 0; blk < 2 && mounted_from < 0; blk++) {
        memcpy(save, fs0 + blk * BS, BS);
        memset(fs0 + blk * BS, 0xFF, BS);
        CHECK_EQ(vb_fsregion_detect(&b->r), VB_VOL_LFS2);
        if (vb_fsregion_mount(&b->r, VB_FAT_NAMES_OEM, &clock) == 0 &&
            file_is(&b->r.vol, "boot.py", b->p->port->default_files[0].content))
            mounted_from = (int)(1 - blk);
        CHECK_EQ(vb_fsregion_unmount(&b->r), 0);
        memcpy(fs0 + blk * BS, save, BS);
    }
    CHECK(mounted_from >= 0);
    free(save);
    board_free(b);
}

/* ---- FAT on a littlefs port, littlefs on a FAT port ------------------------ */

/* An old vboard FAT image on the esp32 layout: no littlefs magic, so the
 * autodetect tries FAT, and it mounts (inisetup.py's vfs.mount does the
 * same). */
static void test_fat_on_esp32(void)
{
    board *b = board_new("esp32");
    CHECK_EQ(vb_fat_mkfs(&b->r.bdev.bd, NULL, vb_vol_clock_fat, (void *)&clock), 0);
    CHECK_EQ(vb_fsregion_detect(&b->r), VB_VOL_FAT);
    CHECK_EQ(vb_fsregion_mount(&b->r, VB_FAT_NAMES_OEM, &clock), 0);
    CHECK_EQ(b->r.vol.kind, VB_VOL_FAT);
    vb_vol_usage u;
    CHECK_EQ(vb_vol_statvfs(&b->r.vol, &u), 0);
    CHECK_EQ(u.block_size, 4096);                 /* 4096-byte sectors, 1 per cluster */
    CHECK_EQ(u.blocks, 506);                      /* mkfs of 2 MiB at 4096 (flash.md §3) */
    CHECK_EQ(u.free_blocks, 506);
    /* usable: write_defaults on it writes the port's boot.py into FAT */
    CHECK_EQ(vb_fsregion_write_defaults(&b->r), 0);
    CHECK(file_is(&b->r.vol, "boot.py", b->p->port->default_files[0].content));
    CHECK_EQ(vb_fsregion_unmount(&b->r), 0);
    CHECK_EQ(vb_fsregion_mount(&b->r, VB_FAT_NAMES_OEM, &clock), 0);
    CHECK_EQ(b->r.vol.kind, VB_VOL_FAT);
    CHECK(file_is(&b->r.vol, "boot.py", b->p->port->default_files[0].content));
    /* a format turns it into the port's littlefs */
    CHECK_EQ(vb_fsregion_format(&b->r, VB_FAT_NAMES_OEM, &clock), 0);
    CHECK_EQ(b->r.vol.kind, VB_VOL_LFS2);
    CHECK_EQ(vb_fsregion_detect(&b->r), VB_VOL_LFS2);
    board_free(b);
}

/* rp2's _boot.py opens VfsLfs2 and nothing else: a FAT volume in its
 * region is not mounted (the board then formats littlefs over it). */
static void test_fat_on_rp2(void)
{
    board *b = board_new("rp2");
    CHECK_EQ(vb_fat_mkfs(&b->r.bdev.bd, NULL, vb_vol_clock_fat, (void *)&clock), 0);
    CHECK_EQ(vb_fsregion_detect(&b->r), VB_VOL_LFS2);
    CHECK(vb_fsregion_mount(&b->r, VB_FAT_NAMES_OEM, &clock) < 0);
    CHECK(!b->r.mounted);
    CHECK_EQ(vb_fsregion_format(&b->r, VB_FAT_NAMES_OEM, &clock), 0);
    CHECK_EQ(b->r.vol.kind, VB_VOL_LFS2);
    board_free(b);
}

/* Pycom keeps FAT (LittleFS only when its config block says so, which
 * vboard does not model): a littlefs image in its region is not detected
 * as littlefs, and as FAT it is "no filesystem"; a format gives FAT. */
static void test_lfs2_on_pycom(void)
{
    board *b = board_new("pycom");
    CHECK_EQ(vb_lfs2_format(&b->r.lfs2dev.dev, &b->r.lfs2cfg), 0);
    CHECK(vb_flash_region_is_lfs2(&b->fl, b->p->fs_offset, b->p->fs_size));   /* the magic is there */
    CHECK_EQ(vb_fsregion_detect(&b->r), VB_VOL_FAT);
    CHECK_EQ(vb_fsregion_mount(&b->r, VB_FAT_NAMES_OEM, &clock), -ENODEV);
    CHECK(!b->r.mounted);
    /* the esp32 tree too */
    uint8_t *img = load_gz("esp32-tree", 512);
    CHECK(img != NULL);
    if (img) {
        put_region(b, img, 512 * BS);
        CHECK_EQ(vb_fsregion_detect(&b->r), VB_VOL_FAT);
        CHECK_EQ(vb_fsregion_mount(&b->r, VB_FAT_NAMES_OEM, &clock), -ENODEV);
        free(img);
    }
    CHECK_EQ(vb_fsregion_format(&b->r, VB_FAT_NAMES_OEM, &clock), 0);
    CHECK_EQ(b->r.vol.kind, VB_VOL_FAT);
    CHECK(!vb_flash_region_is_lfs2(&b->fl, b->p->fs_offset, b->p->fs_size));
    board_free(b);
}

int main(void)
{
    RUN(test_erased);
    RUN(test_format_defaults);
    RUN(test_esp32_first_boot);
    RUN(test_esp32_tree);
    RUN(test_rp2_tree);
    RUN(test_fat_on_rp2);
    RUN(test_lfs2_refused);
    RUN(test_lfs2_magic_block1);
    RUN(test_fat_on_esp32);
    RUN(test_lfs2_on_pycom);
    return CHECK_DONE();
}
