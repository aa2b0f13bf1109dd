/* Power-cut sweep of FAT write paths (flash.md §7, style.md §1).
 *
 * Method. For each scenario (overwrite a 20 000-byte file with 30 000 bytes;
 * append 5 000 bytes; create a file and rename it over an existing one;
 * mkdir; create an empty file) on each profile's FS geometry (generic:
 * 4096-byte sectors, each sector write = erase + programs split at 256-byte
 * pages; pycom: 512-byte sectors behind the one-block write-back cache), all
 * inside /w, a dry run on a fixed
 * baseline image counts the flash operations T of the scenario and keeps the
 * image after each completed step (a close, a rename, a mkdir) as a
 * reference. Then for every N = 1..T and every cut mode (not applied, whole,
 * torn prefix, torn bits): restore the baseline, mount, arm the cut at the
 * absolute op number ops_before + N, run the scenario (calls fail with -EIO
 * from the cut on; ignored), drop every RAM structure (write-back block,
 * vb_fat, open files), power on and mount again. Then:
 *   - mount returns 0 or -ENODEV ("no filesystem"), nothing else; it must
 *     return 0 when sector 0 is unchanged (the boot sector is all FatFs reads);
 *   - the whole tree is listed and every file read (bounded), with no crash,
 *     hang or sanitizer report (invariant 1); at every third N the next write
 *     follows, with a second cut sampled inside it, and the volume must again
 *     mount (or say -ENODEV) and list;
 *   - every completed step wrote something to flash (a step with no flash
 *     operation left its result in RAM only);
 *   - a cut just after a completed step (N = that step's last op, WHOLE)
 *     leaves an image the checker (fat_check.h) finds clean, equal to the dry
 *     run's, showing that step's result (invariant 3);
 *   - the other files are checked by the rule below; the rest is counted and
 *     printed per scenario, geometry and mode (invariant 4: record, not assert).
 *
 * Which files must survive. FatFs is not power-safe, and flash.md §7
 * (invariant 4) says files the operation did not touch are recorded, not
 * asserted, when they share erase units with what it writes. We apply that
 * per file and per cut: a file's *dependencies* are the bytes a FatFs reader
 * consults to find and read it — sector 0 (bytes 0..511), every directory
 * entry from the start of each directory on its path through its own entry
 * (LFN slots included), the FAT entries that link those directory chains and
 * the file's chain (not the last cluster's: FatFs reads an entry only to move
 * on to the next cluster), and its data bytes up to its size. If all of a
 * file's dependencies in the cut image equal those in a reference image (the
 * baseline, or the image after a completed step), the file must read back
 * exactly as in that reference: asserted. Otherwise its fate is recorded.
 * Consequences, checked as such: on generic, where the erase unit is one
 * sector, the operations never write the root or /keep, so boot.py and the
 * small files of /keep (one cluster, no FAT entry consulted) are asserted at
 * every cut of every mode; multi-cluster files depend on the one FAT sector and are
 * recorded when a cut tears it. On pycom, flash block 0 holds the boot sector
 * and the whole FAT, so a cut during any FAT update changes everyone's
 * dependencies (recorded), and a cut between that block's erase and program
 * leaves no filesystem (-ENODEV): the sweep asserts that this happens.
 *
 * VBOARD_QUICK=1 sweeps the torn modes at every 4th N only. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "check.h"
#include "flash/flash.h"
#include "flash/flash_bdev.h"
#include "board/profile.h"
#include "fs/fat.h"
#include "fs/fat_check.h"
#include "util/errname.h"

#define MAX_STEPS 4
#define MAX_REFS (MAX_STEPS + 1)
#define READ_CAP (256u * 1024)  /* bytes read per file after a cut */
#define DIR_CAP 65536u          /* FatFs: a directory holds at most 65536 entries */

static const char *errn(long long rc)
{
    if (rc >= 0)
        return "ok";
    const char *n = vb_errname((int)rc);
    return n ? n : "unknown errno";
}

static const char *const mode_names[] = { "skip", "whole", "torn-prefix", "torn-bits" };

/* ---- deterministic file contents -------------------------------------- */

static void pattern(uint8_t *buf, size_t n, uint32_t seed)
{
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        buf[i] = (uint8_t)s;
    }
}

static void fixed_clock(void *ctx, vb_datetime *now)
{
    (void)ctx;
    *now = (vb_datetime){ 2024, 5, 17, 12, 34, 56 };
}

/* ---- the files --------------------------------------------------------- */

typedef struct fspec {
    const char *path;
    uint32_t size;   /* 0 with cluster_mult: a multiple of the cluster size */
    uint32_t seed;
} fspec;

/* Baseline content. "keep" is never written by a scenario; "w" holds the
 * targets and a neighbour sharing their directory cluster. */
static const fspec base_files[] = {
    { "boot.py", 61, 1 },
    { "keep/small.txt", 100, 2 },
    { "keep/A long kept name.txt", 1500, 3 },
    { "keep/multi.bin", 0, 4 },           /* 3 clusters + 100 bytes */
    { "w/data.bin", 20000, 5 },
    { "w/log.txt", 3000, 6 },
    { "w/old.cfg", 700, 7 },
    { "w/neighbor.txt", 300, 8 },
};
#define N_BASE (sizeof base_files / sizeof base_files[0])
static const char *const base_dirs[] = { "keep", "w" };

/* boot.py and the files of /keep that fit in one cluster: asserted at every
 * cut on generic. */
static bool always_protected_on_generic(const char *path)
{
    return !strcmp(path, "boot.py") || !strcmp(path, "keep/small.txt") ||
           !strcmp(path, "keep/A long kept name.txt");
}

/* Every path a reference may hold (baseline files, then scenario results). */
static const char *const all_paths[] = {
    "boot.py", "keep/small.txt", "keep/A long kept name.txt", "keep/multi.bin", "w/data.bin",
    "w/log.txt", "w/old.cfg", "w/neighbor.txt", "w/new.cfg", "w/empty.txt",
};
#define N_PATHS (sizeof all_paths / sizeof all_paths[0])

static uint32_t file_size(const fspec *f, uint32_t cluster_bytes)
{
    return f->size ? f->size : 3 * cluster_bytes + 100;
}

/* ---- scenarios ------------------------------------------------------------- */

typedef struct scen_ctx {
    vb_fat *fs;
    uint8_t *buf;            /* scratch, 64 KiB */
} scen_ctx;

typedef int (*step_fn)(scen_ctx *s);

static int write_file(vb_fat *fs, const char *path, const char *mode, const uint8_t *data, size_t n)
{
    vb_fat_file f;
    int rc = vb_fat_open(fs, &f, path, mode);
    if (rc < 0)
        return rc;
    ssize_t w = vb_fat_write(&f, data, n);
    int rc2 = vb_fat_close(&f);
    if (w < 0)
        return (int)w;
    if ((size_t)w != n)
        return -ENOSPC;
    return rc2;
}

static int step_overwrite(scen_ctx *s)
{
    pattern(s->buf, 30000, 105);
    return write_file(s->fs, "w/data.bin", "w", s->buf, 30000);
}

static int step_append(scen_ctx *s)
{
    pattern(s->buf, 5000, 106);
    return write_file(s->fs, "w/log.txt", "a", s->buf, 5000);
}

static int step_create_new(scen_ctx *s)
{
    pattern(s->buf, 900, 107);
    return write_file(s->fs, "w/new.cfg", "w", s->buf, 900);
}

static int step_rename_over(scen_ctx *s)
{
    return vb_fat_rename(s->fs, "w/new.cfg", "w/old.cfg");
}

/* open('w') + close with no write: FatFs marks a created file modified, so
 * close writes and syncs its entry (f_open sets FA_MODIFIED). */
static int step_create_empty(scen_ctx *s)
{
    vb_fat_file f;
    int rc = vb_fat_open(s->fs, &f, "w/empty.txt", "w");
    if (rc < 0)
        return rc;
    return vb_fat_close(&f);
}

static int step_mkdir(scen_ctx *s)
{
    return vb_fat_mkdir(s->fs, "w/newdir");
}

typedef struct scenario {
    const char *name;
    step_fn steps[MAX_STEPS];
    unsigned n_steps;
    const char *targets[3];  /* paths the operation writes (not "untouched") */
    bool writes_fat;         /* allocates or frees clusters: touches block 0 on pycom */
} scenario;

static const scenario scenarios[] = {
    { "overwrite 20000->30000", { step_overwrite }, 1, { "w/data.bin" }, true },
    { "append 5000", { step_append }, 1, { "w/log.txt" }, true },
    { "create + rename over", { step_create_new, step_rename_over }, 2, { "w/new.cfg", "w/old.cfg" }, true },
    { "mkdir", { step_mkdir }, 1, { NULL }, true },
    /* only the entry in w's own cluster is written: the FAT is not */
    { "create empty file", { step_create_empty }, 1, { "w/empty.txt" }, false },
};

static bool is_target(const scenario *sc, const char *path)
{
    for (unsigned i = 0; i < 3 && sc->targets[i]; i++)
        if (!strcmp(sc->targets[i], path))
            return true;
    return false;
}

/* ---- raw reading of a well-formed image (the references) --------------------
 * Only used on images written by completed operations, to find where each
 * file's dependencies lie; never on cut images. */

typedef struct rawfs {
    uint32_t ss, spc, cb;
    uint32_t fat_start, fat_size, root_start, root_entries, data_start, n_clusters;
    unsigned bits;
} rawfs;

static uint32_t rd16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | rd16(p + 2) << 16; }

static bool raw_parse(rawfs *r, const uint8_t *img)
{
    r->ss = rd16(img + 11);
    r->spc = img[13];
    uint32_t reserved = rd16(img + 14), fats = img[16];
    r->root_entries = rd16(img + 17);
    uint32_t total = rd16(img + 19) ? rd16(img + 19) : rd32(img + 32);
    r->fat_size = rd16(img + 22);
    if (!r->ss || !r->spc || fats != 1)
        return false;
    r->cb = r->ss * r->spc;
    r->fat_start = reserved;
    r->root_start = reserved + r->fat_size;
    r->data_start = r->root_start + r->root_entries * 32 / r->ss;
    r->n_clusters = (total - r->data_start) / r->spc;
    r->bits = r->n_clusters <= 4085 ? 12 : 16;
    return true;
}

static uint32_t raw_fat(const rawfs *r, const uint8_t *img, uint32_t n)
{
    const uint8_t *fat = img + (size_t)r->fat_start * r->ss;
    if (r->bits == 16)
        return rd16(fat + 2 * n);
    uint32_t w = rd16(fat + n * 3 / 2);
    return n & 1 ? w >> 4 : w & 0xFFF;
}

static size_t clus_off(const rawfs *r, uint32_t c)
{
    return ((size_t)r->data_start + (size_t)(c - 2) * r->spc) * r->ss;
}

typedef struct range { uint32_t off, len; } range;

typedef struct deps {
    bool present;
    bool is_dir;
    uint32_t size;
    range r[160];            /* byte ranges: boot sector, directory entries, data */
    unsigned n_r;
    uint32_t fat_c[160], fat_v[160];  /* FAT entries (cluster, value) */
    unsigned n_fat;
    uint32_t data_first;     /* index in r[] of the first data range */
} deps;

static void dep_range(deps *d, size_t off, size_t len)
{
    if (d->n_r < sizeof d->r / sizeof d->r[0])
        d->r[d->n_r++] = (range){ (uint32_t)off, (uint32_t)len };
    else
        d->present = false;  /* cannot describe it: never asserted */
}

static void dep_fat(deps *d, const rawfs *r, const uint8_t *img, uint32_t c)
{
    if (d->n_fat < sizeof d->fat_c / sizeof d->fat_c[0]) {
        d->fat_c[d->n_fat] = c;
        d->fat_v[d->n_fat++] = raw_fat(r, img, c);
    } else {
        d->present = false;
    }
}

static uint8_t lfn_sum(const uint8_t *name)
{
    uint8_t s = 0;
    for (int i = 0; i < 11; i++)
        s = (uint8_t)(((s & 1) << 7) + (s >> 1) + name[i]);
    return s;
}

/* Find `name` in the directory starting at cluster `start` (0 = root);
 * record the entries scanned as dependencies. Returns the entry offset in
 * the image, or 0. */
static size_t raw_find(const rawfs *r, const uint8_t *img, uint32_t start, const char *name, deps *d)
{
    char lfn[256];
    int lfn_ord = 0;
    uint8_t lfn_chk = 0;
    uint32_t clust = start;
    uint32_t per_unit = start ? r->cb / 32 : r->root_entries;
    for (unsigned hops = 0; hops <= r->n_clusters; hops++) {
        size_t base = start ? clus_off(r, clust) : (size_t)r->root_start * r->ss;
        for (uint32_t i = 0; i < per_unit; i++) {
            const uint8_t *e = img + base + 32 * i;
            if (e[0] == 0)
                return 0;
            if (e[0] == 0xE5) {
                lfn_ord = 0;
                continue;
            }
            if ((e[11] & 0x3F) == 0x0F) {
                int ord = e[0] & 0x3F;
                if (e[0] & 0x40) {
                    memset(lfn, 0, sizeof lfn);
                    lfn_chk = e[13];
                    lfn_ord = ord;
                } else if (ord != lfn_ord - 1 || e[13] != lfn_chk) {
                    lfn_ord = 0;
                    continue;
                } else {
                    lfn_ord = ord;
                }
                static const int pos[13] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };
                for (int k = 0; k < 13; k++) {
                    int at = (ord - 1) * 13 + k;
                    uint32_t ch = rd16(e + pos[k]);
                    if (at < 255 && ch && ch != 0xFFFF)
                        lfn[at] = (char)ch;
                }
                continue;
            }
            char shortname[13];
            int o = 0;
            for (int k = 0; k < 8 && e[k] != ' '; k++)
                shortname[o++] = (char)e[k];
            if (e[8] != ' ') {
                shortname[o++] = '.';
                for (int k = 8; k < 11 && e[k] != ' '; k++)
                    shortname[o++] = (char)e[k];
            }
            shortname[o] = 0;
            bool has_lfn = lfn_ord == 1 && lfn_chk == lfn_sum(e);
            lfn_ord = 0;
            if (e[11] & 0x08)
                continue;  /* label */
            if (strcasecmp(has_lfn ? lfn : shortname, name) == 0) {
                dep_range(d, base, 32 * i + 32);
                return base + 32 * i;
            }
        }
        dep_range(d, base, start ? r->cb : per_unit * 32);
        if (!start)
            return 0;
        dep_fat(d, r, img, clust);
        clust = raw_fat(r, img, clust);
        if (clust < 2 || clust >= r->n_clusters + 2)
            return 0;
    }
    return 0;
}

/* Dependencies of `path` in the reference image `img`. */
static void raw_deps(const rawfs *r, const uint8_t *img, const char *path, deps *d)
{
    memset(d, 0, sizeof *d);
    d->present = true;
    dep_range(d, 0, 512);
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", path);
    uint32_t dir = 0;
    size_t ent = 0;
    char *save = NULL;
    for (char *comp = strtok_r(tmp, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
        ent = raw_find(r, img, dir, comp, d);
        if (!ent) {
            d->present = false;
            return;
        }
        dir = rd16(img + ent + 26);
    }
    d->is_dir = img[ent + 11] & 0x10;
    d->size = rd32(img + ent + 28);
    if (d->is_dir)
        return;
    d->data_first = d->n_r;
    uint32_t c = rd16(img + ent + 26);
    for (uint32_t left = d->size; left; ) {
        if (c < 2 || c >= r->n_clusters + 2) {
            d->present = false;
            return;
        }
        uint32_t n = left < r->cb ? left : r->cb;
        dep_range(d, clus_off(r, c), n);
        left -= n;
        if (left) {
            dep_fat(d, r, img, c);
            c = raw_fat(r, img, c);
        }
    }
}

static bool deps_match(const rawfs *r, const deps *d, const uint8_t *ref, const uint8_t *cut)
{
    if (!d->present)
        return false;
    for (unsigned i = 0; i < d->n_r; i++)
        if (memcmp(ref + d->r[i].off, cut + d->r[i].off, d->r[i].len))
            return false;
    for (unsigned i = 0; i < d->n_fat; i++)
        if (raw_fat(r, cut, d->fat_c[i]) != d->fat_v[i])
            return false;
    return true;
}

/* The file's content in its reference image. */
static void deps_content(const deps *d, const uint8_t *ref, uint8_t *out)
{
    size_t o = 0;
    for (unsigned i = d->data_first; i < d->n_r; i++) {
        memcpy(out + o, ref + d->r[i].off, d->r[i].len);
        o += d->r[i].len;
    }
}

/* ---- one geometry ------------------------------------------------------------- */

typedef struct reference {
    uint8_t *img;
    rawfs raw;
    deps d[N_PATHS];
    uint8_t *content[N_PATHS];
} reference;

typedef struct sweep {
    const vb_profile *prof;
    vb_flash flash;
    vb_flash_bdev bdev;
    vb_fat fs;
    uint8_t *baseline;
    size_t size;
    uint8_t *buf, *rbuf;
    bool quick;
} sweep;

typedef struct tally {
    unsigned cuts, mounted, nofs, checker_dirty;
    unsigned t_old, t_new, t_mid, t_other;  /* target: baseline / final / an earlier step / else */
    unsigned asserted, rec_intact, rec_harmed;
    unsigned prot_asserted;                 /* always_protected files asserted (generic) */
    unsigned double_cuts;                   /* second cuts that fired in the next write */
} tally;

static int reset_to(sweep *s, const uint8_t *img)
{
    vb_flash_power_on(&s->flash);
    vb_flash_bdev_drop_cache(&s->bdev);
    for (size_t b = 0; b < s->size; b += VB_FLASH_BLOCK)
        if (memcmp(s->flash.mem + b, img + b, VB_FLASH_BLOCK))
            memcpy(s->flash.mem + b, img + b, VB_FLASH_BLOCK);
    memset(&s->fs, 0, sizeof s->fs);
    return vb_fat_mount(&s->fs, &s->bdev.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL);
}

static int build_baseline(sweep *s)
{
    int rc = vb_fat_mkfs(&s->bdev.bd, &(vb_fat_mkfs_opts){ 0, NULL }, fixed_clock, NULL);
    if (rc < 0)
        return rc;
    if ((rc = vb_fat_mount(&s->fs, &s->bdev.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL)) < 0)
        return rc;
    for (size_t i = 0; i < sizeof base_dirs / sizeof base_dirs[0]; i++)
        if ((rc = vb_fat_mkdir(&s->fs, base_dirs[i])) < 0)
            return rc;
    uint32_t cb = s->fs.ss * s->fs.spc;
    for (size_t i = 0; i < N_BASE; i++) {
        uint32_t n = file_size(&base_files[i], cb);
        pattern(s->buf, n, base_files[i].seed);
        if ((rc = write_file(&s->fs, base_files[i].path, "w", s->buf, n)) < 0)
            return rc;
    }
    if ((rc = vb_fat_unmount(&s->fs)) < 0)
        return rc;
    memcpy(s->baseline, s->flash.mem, s->size);
    return 0;
}

static void ref_init(reference *ref, const uint8_t *img, size_t size)
{
    ref->img = malloc(size);
    if (!ref->img)
        abort();
    memcpy(ref->img, img, size);
    CHECK(raw_parse(&ref->raw, ref->img));
    for (size_t i = 0; i < N_PATHS; i++) {
        raw_deps(&ref->raw, ref->img, all_paths[i], &ref->d[i]);
        ref->content[i] = NULL;
        if (ref->d[i].present && !ref->d[i].is_dir) {
            ref->content[i] = malloc(ref->d[i].size + 1);
            if (!ref->content[i])
                abort();
            deps_content(&ref->d[i], ref->img, ref->content[i]);
        }
    }
}

static void ref_free(reference *ref)
{
    for (size_t i = 0; i < N_PATHS; i++)
        free(ref->content[i]);
    free(ref->img);
}

/* Read a file through vb_fat: size and bytes, or a negative errno. */
static int read_back(sweep *s, const char *path, uint32_t *size, uint8_t *out, size_t cap)
{
    vb_fat_info st;
    int rc = vb_fat_stat(&s->fs, path, &st);
    if (rc < 0)
        return rc;
    if (st.is_dir)
        return -EISDIR;
    vb_fat_file f;
    if ((rc = vb_fat_open(&s->fs, &f, path, "r")) < 0)
        return rc;
    size_t got = 0;
    for (;;) {
        size_t want = cap - got < 8192 ? cap - got : 8192;
        if (!want)
            break;
        ssize_t n = vb_fat_read(&f, out + got, want);
        if (n < 0) {
            vb_fat_close(&f);
            return (int)n;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    vb_fat_close(&f);
    *size = (uint32_t)got;
    return got == st.size ? 0 : -ERANGE;
}

#define WALK_PATH 4096

/* List and read everything, bounded; returns false when a listing did not
 * end within FatFs's limit. */
static bool walk(sweep *s, const char *dir, int depth, unsigned *files)
{
    if (depth > 8)
        return true;
    vb_fat_dir d;
    if (vb_fat_opendir(&s->fs, &d, dir) < 0)
        return true;
    vb_fat_info st;
    unsigned n = 0;
    int rc;
    char(*sub)[WALK_PATH] = malloc(8 * WALK_PATH);
    char *path = malloc(WALK_PATH);
    if (!sub || !path)
        abort();
    unsigned n_sub = 0;
    bool ended = true;
    while ((rc = vb_fat_readdir(&d, &st)) == 1) {
        if (++n > DIR_CAP) {
            ended = false;
            break;
        }
        size_t ld = strlen(dir), ln = strlen(st.name);
        if (ld + ln + 2 > WALK_PATH)
            continue;
        memcpy(path, dir, ld);
        path[ld] = '/';
        memcpy(path + ld + 1, st.name, ln + 1);
        if (st.is_dir) {
            if (n_sub < 8)
                memcpy(sub[n_sub++], path, ld + ln + 2);
            continue;
        }
        if (n > 64)
            continue;  /* garbage entries: listing them is enough */
        vb_fat_file f;
        if (vb_fat_open(&s->fs, &f, path, "r") == 0) {
            size_t total = 0;
            ssize_t got;
            while (total < READ_CAP && (got = vb_fat_read(&f, s->rbuf, 8192)) > 0)
                total += (size_t)got;
            CHECK(total <= st.size);
            vb_fat_close(&f);
            (*files)++;
        }
        vb_fat_stat(&s->fs, path, &st);
    }
    for (unsigned i = 0; i < n_sub && ended; i++)
        ended = walk(s, sub[i], depth + 1, files);
    free(sub);
    free(path);
    return ended;
}

static void count_problem(void *ctx, const char *line)
{
    (void)line;
    (*(unsigned *)ctx)++;
}

static void print_problem(void *ctx, const char *line)
{
    fprintf(stderr, "    %s: %s\n", (const char *)ctx, line);
}

/* Run the steps; returns the op count after each (ops_after[k]). */
static void run_steps(sweep *s, const scenario *sc, uint64_t *ops_after)
{
    scen_ctx x = { &s->fs, s->buf };
    for (unsigned k = 0; k < sc->n_steps; k++) {
        sc->steps[k](&x);
        if (ops_after)
            ops_after[k] = s->flash.ops;
    }
}

static void sweep_scenario(sweep *s, const scenario *sc)
{
    const char *geo = s->prof->name;
    /* dry run: op counts and the reference image after each completed step */
    int rc = reset_to(s, s->baseline);
    if (rc != 0)
        fprintf(stderr, "%s/%s: the baseline image does not mount: %d (%s)\n", sc->name, geo, rc, errn(rc));
    CHECK_EQ(rc, 0);
    uint64_t ops0 = s->flash.ops;
    uint64_t after[MAX_STEPS];
    reference refs[MAX_REFS];
    unsigned n_refs = 0;
    ref_init(&refs[n_refs++], s->baseline, s->size);
    scen_ctx x = { &s->fs, s->buf };
    uint64_t step_end[MAX_STEPS];
    for (unsigned k = 0; k < sc->n_steps; k++) {
        rc = sc->steps[k](&x);
        if (rc != 0)
            fprintf(stderr, "%s/%s: step %u of the dry run returned %d (%s)\n", sc->name, geo, k, rc, errn(rc));
        CHECK_EQ(rc, 0);
        after[k] = s->flash.ops;
        step_end[k] = after[k] - ops0;
        ref_init(&refs[n_refs++], s->flash.mem, s->size);
    }
    uint64_t T = after[sc->n_steps - 1] - ops0;
    const reference *final = &refs[n_refs - 1];
    for (unsigned k = 0; k < sc->n_steps; k++) {
        uint64_t prev = k ? step_end[k - 1] : 0;
        if (step_end[k] == prev)
            fprintf(stderr, "%s/%s: step %u completed with no flash operation: its result is only in RAM "
                    "(a completed operation must reach flash, flash.md §7 invariant 3)\n", sc->name, geo, k);
        CHECK(step_end[k] > prev);
    }
    if (T == 0) {
        for (unsigned k = 0; k < n_refs; k++)
            ref_free(&refs[k]);
        return;
    }

    /* the same dry run again gives the same count: the sweep replays it */
    rc = reset_to(s, s->baseline);
    CHECK_EQ(rc, 0);
    ops0 = s->flash.ops;
    run_steps(s, sc, NULL);
    if (s->flash.ops - ops0 != T)
        fprintf(stderr, "%s/%s: a second dry run took %" PRIu64 " flash ops, the first %" PRIu64 "\n", sc->name, geo,
                s->flash.ops - ops0, T);
    CHECK_EQ(s->flash.ops - ops0, T);

    size_t prot_expected = 0;
    for (int mode = VB_CUT_SKIP; mode <= VB_CUT_TORN_BITS; mode++) {
        tally t = { 0 };
        unsigned stride = (s->quick && (mode == VB_CUT_TORN_PREFIX || mode == VB_CUT_TORN_BITS)) ? 4 : 1;
        for (uint64_t N = 1; N <= T; N += stride) {
            rc = reset_to(s, s->baseline);
            if (rc != 0) {
                fprintf(stderr, "%s/%s/%s N=%" PRIu64 ": the baseline image does not mount: %d (%s)\n", sc->name,
                        geo, mode_names[mode], N, rc, errn(rc));
                CHECK_EQ(rc, 0);
                break;
            }
            uint64_t base_ops = s->flash.ops;
            vb_flash_set_cut(&s->flash, base_ops + N, (vb_cut_mode)mode, (uint32_t)(N * 2654435761u + (unsigned)mode));
            run_steps(s, sc, NULL);
            if (!s->flash.dead) {
                fprintf(stderr, "%s/%s/%s N=%" PRIu64 ": the cut never fired (%" PRIu64 " ops ran)\n", sc->name,
                        geo, mode_names[mode], N, s->flash.ops - base_ops);
                CHECK(s->flash.dead);
            }
            /* power loss: every RAM structure is gone */
            vb_flash_bdev_drop_cache(&s->bdev);
            memset(&s->fs, 0xA5, sizeof s->fs);
            vb_flash_power_on(&s->flash);
            t.cuts++;
            const uint8_t *img = s->flash.mem;
            bool boot_same = memcmp(img, s->baseline, 512) == 0;
            rc = vb_fat_mount(&s->fs, &s->bdev.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL);
            if (rc != 0 && rc != -ENODEV)
                fprintf(stderr, "%s/%s/%s N=%" PRIu64 ": mount returned %d (%s), expected 0 or -ENODEV\n",
                        sc->name, geo, mode_names[mode], N, rc, errn(rc));
            CHECK(rc == 0 || rc == -ENODEV);
            if (rc != 0 && boot_same) {
                fprintf(stderr, "%s/%s/%s N=%" PRIu64 ": sector 0 is unchanged but mount returned %d (%s)\n",
                        sc->name, geo, mode_names[mode], N, rc, errn(rc));
                CHECK(rc == 0);
            }
            if (rc != 0) {
                t.nofs++;
                continue;
            }
            t.mounted++;

            /* invariant 3: just after a completed step, everything is consistent */
            for (unsigned k = 0; k < sc->n_steps; k++) {
                if (mode != VB_CUT_WHOLE || N != step_end[k])
                    continue;
                const reference *r = &refs[k + 1];
                if (memcmp(img, r->img, s->size) != 0) {
                    fprintf(stderr, "%s/%s: cut just after step %u (N=%" PRIu64 ") differs from the dry run's image\n",
                            sc->name, geo, k, N);
                    CHECK(false);
                }
                char who[128];
                snprintf(who, sizeof who, "%s/%s after step %u (N=%" PRIu64 ", whole)", sc->name, geo, k, N);
                int problems = vb_fat_check(&s->bdev.bd, print_problem, who, NULL);
                if (problems != 0)
                    fprintf(stderr, "%s: checker returned %d\n", who, problems);
                CHECK_EQ(problems, 0);
                /* directories of the reference are there too */
                static const char *const dirs[] = { "keep", "w", "w/newdir" };
                for (size_t j = 0; j < sizeof dirs / sizeof dirs[0]; j++) {
                    deps dd;
                    raw_deps(&r->raw, r->img, dirs[j], &dd);
                    vb_fat_info st;
                    int src = vb_fat_stat(&s->fs, dirs[j], &st);
                    bool there = src == 0 && st.is_dir;
                    if (there != (dd.present && dd.is_dir))
                        fprintf(stderr, "%s: directory \"%s\" %s, the dry run %s it\n", who, dirs[j],
                                there ? "present" : "missing", dd.present ? "has" : "has not");
                    CHECK(there == (dd.present && dd.is_dir));
                }
            }

            /* every known path against the references whose dependencies it kept */
            for (size_t i = 0; i < N_PATHS; i++) {
                const char *path = all_paths[i];
                uint32_t got_size = 0;
                int rrc = read_back(s, path, &got_size, s->rbuf, READ_CAP);
                bool asserted = false;
                for (unsigned k = 0; k < n_refs; k++) {
                    const reference *r = &refs[k];
                    const deps *d = &r->d[i];
                    if (!d->present || d->is_dir || !deps_match(&r->raw, d, r->img, img))
                        continue;
                    asserted = true;
                    bool same = rrc == 0 && got_size == d->size && memcmp(s->rbuf, r->content[i], d->size) == 0;
                    if (!same) {
                        fprintf(stderr, "%s/%s/%s N=%" PRIu64 ": \"%s\" kept all it depends on from reference %u "
                                "(%s) but reads back %d (%s), %" PRIu32 " bytes (expected %" PRIu32 ")\n",
                                sc->name, geo, mode_names[mode], N, path, k, k ? "after a step" : "baseline", rrc,
                                errn(rrc), got_size, d->size);
                    }
                    CHECK(same);
                    break;
                }
                bool target = is_target(sc, path);
                const deps *bd = &refs[0].d[i];
                if (target) {
                    const deps *fd = &final->d[i];
                    if (rrc == 0 && fd->present && got_size == fd->size &&
                        !memcmp(s->rbuf, final->content[i], fd->size))
                        t.t_new++;
                    else if (rrc == 0 && bd->present && got_size == bd->size &&
                             !memcmp(s->rbuf, refs[0].content[i], bd->size))
                        t.t_old++;
                    else if (rrc == 0 && got_size == 0)
                        t.t_mid++;
                    else
                        t.t_other++;
                } else if (bd->present) {
                    if (asserted)
                        t.asserted++;
                    else if (rrc == 0 && got_size == bd->size && !memcmp(s->rbuf, refs[0].content[i], bd->size))
                        t.rec_intact++;
                    else
                        t.rec_harmed++;
                    if (asserted && always_protected_on_generic(path))
                        t.prot_asserted++;
                }
            }

            unsigned problems = 0;
            int crc = vb_fat_check(&s->bdev.bd, count_problem, &problems, NULL);
            if (crc != 0)
                t.checker_dirty++;

            /* list and read everything, then write on whatever is there */
            unsigned files = 0;
            bool ended = walk(s, "", 0, &files);
            if (!ended)
                fprintf(stderr, "%s/%s/%s N=%" PRIu64 ": a listing did not end within %u entries\n", sc->name, geo,
                        mode_names[mode], N, DIR_CAP);
            CHECK(ended);
            if (N % 3 == 0) {
                /* the next write, on whatever the cut left, with a second cut
                 * sampled somewhere in it (flash.md §7: double cuts) */
                uint64_t second = s->flash.ops + 1 + N % 23;
                vb_flash_set_cut(&s->flash, second, (vb_cut_mode)(N % 4), (uint32_t)N);
                pattern(s->buf, 5000, 999);
                write_file(&s->fs, "after.txt", "w", s->buf, 5000);
                vb_fat_mkdir(&s->fs, "w/after");
                vb_fat_remove(&s->fs, "keep/multi.bin");
                vb_fat_unmount(&s->fs);
                bool fired = s->flash.dead;
                vb_flash_bdev_drop_cache(&s->bdev);
                memset(&s->fs, 0xA5, sizeof s->fs);
                vb_flash_power_on(&s->flash);
                vb_flash_set_cut(&s->flash, 0, VB_CUT_SKIP, 0);
                rc = vb_fat_mount(&s->fs, &s->bdev.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL);
                if (rc != 0 && rc != -ENODEV)
                    fprintf(stderr, "%s/%s/%s N=%" PRIu64 " + second cut at op %" PRIu64 ": mount returned %d (%s)\n",
                            sc->name, geo, mode_names[mode], N, second, rc, errn(rc));
                CHECK(rc == 0 || rc == -ENODEV);
                if (rc == 0) {
                    ended = walk(s, "", 0, &files);
                    CHECK(ended);
                }
                t.double_cuts += fired;
            }
        }
        /* a cut during a FAT update of the pycom layout must be able to lose
         * the boot sector: block 0 holds it and the FAT (flash.md §7) */
        if (s->prof->fs_writeback_block && mode == VB_CUT_SKIP && sc->writes_fat) {
            if (t.nofs == 0)
                fprintf(stderr, "%s/%s/skip: no cut left \"no filesystem\"; flash.md §7 says a cut between "
                        "block 0's erase and program does\n", sc->name, geo);
            CHECK(t.nofs > 0);
        }
        if (!s->prof->fs_writeback_block) {
            prot_expected = 3 * (size_t)t.mounted;
            if (t.prot_asserted != prot_expected)
                fprintf(stderr, "%s/%s/%s: boot.py and the small /keep files were asserted %u times, expected %zu "
                        "(they share no sector with the operation)\n", sc->name, geo, mode_names[mode],
                        t.prot_asserted, prot_expected);
            CHECK_EQ(t.prot_asserted, prot_expected);
            CHECK_EQ(t.nofs, 0);
        }
        fprintf(stderr, "  %-22s %-7s %-11s T=%-4" PRIu64 " cuts %-4u mounted %-4u no-fs %-3u | target: old %u, "
                "new %u, empty %u, other %u | untouched files: asserted %u, recorded intact %u, harmed %u | "
                "checker unhappy %u | double cuts %u\n", sc->name, geo, mode_names[mode], T, t.cuts, t.mounted,
                t.nofs, t.t_old, t.t_new, t.t_mid, t.t_other, t.asserted, t.rec_intact, t.rec_harmed, t.checker_dirty,
                t.double_cuts);
    }
    for (unsigned k = 0; k < n_refs; k++)
        ref_free(&refs[k]);
}

static void sweep_profile(const char *name, bool quick)
{
    sweep *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->quick = quick;
    s->prof = vb_profile_find(name);
    CHECK(s->prof != NULL);
    if (!s->prof) {
        free(s);
        return;
    }
    s->size = s->prof->fs_size;
    s->baseline = malloc(s->size);
    s->buf = malloc(65536);
    s->rbuf = malloc(READ_CAP + 8192);
    if (!s->baseline || !s->buf || !s->rbuf)
        abort();
    /* A chip holding just the FS region: the same ops as at fs_offset. */
    int rc = vb_flash_open_ram(&s->flash, s->size);
    CHECK_EQ(rc, 0);
    s->flash.prog_page = s->prof->prog_page;
    rc = vb_flash_bdev_init(&s->bdev, &s->flash, 0, (uint32_t)s->size, s->prof->fs_sector_size,
                            s->prof->fs_writeback_block);
    CHECK_EQ(rc, 0);
    rc = build_baseline(s);
    if (rc != 0)
        fprintf(stderr, "%s: building the baseline image failed: %d (%s)\n", name, rc, errn(rc));
    CHECK_EQ(rc, 0);
    if (rc == 0) {
        /* the baseline as the raw reader sees it is what was written */
        reference base;
        ref_init(&base, s->baseline, s->size);
        uint32_t cb = base.raw.cb;
        for (size_t i = 0; i < N_BASE; i++) {
            const deps *d = &base.d[i];
            uint32_t n = file_size(&base_files[i], cb);
            pattern(s->buf, n, base_files[i].seed);
            CHECK(d->present && d->size == n && !memcmp(base.content[i], s->buf, n));
        }
        ref_free(&base);
        for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
            sweep_scenario(s, &scenarios[i]);
    }
    vb_flash_close(&s->flash);
    free(s->baseline);
    free(s->buf);
    free(s->rbuf);
    free(s);
}

static void test_powercut_generic(void)
{
    const char *q = getenv("VBOARD_QUICK");
    sweep_profile("generic", q && *q && strcmp(q, "0"));
}

static void test_powercut_pycom(void)
{
    const char *q = getenv("VBOARD_QUICK");
    sweep_profile("pycom", q && *q && strcmp(q, "0"));
}

int main(void)
{
    clock_t t0 = clock();
    RUN(test_powercut_generic);
    RUN(test_powercut_pycom);
    fprintf(stderr, "power-cut sweep: %.1f s CPU\n", (double)(clock() - t0) / CLOCKS_PER_SEC);
    return CHECK_DONE();
}
