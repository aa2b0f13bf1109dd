/* littlefs v2 against FAT on the same RAM flash, figures from the same run.
 *
 * Prints, never asserts. Both filesystems sit on a 2 MiB region of a RAM
 * flash chip (512 blocks of 4096 bytes, programs split at 256 bytes as on
 * the esp32 board): FAT through the board's block device with 4096-byte
 * sectors (each sector write = erase + program of its block), littlefs with
 * MicroPython's esp32 configuration (vb_lfs2_config_micropython(4096, 32))
 * over erase/program/read callbacks on the same chip model. In each of
 * REPEAT rounds FAT then LFS2 does the same work; each figure is the median,
 * and LFS2/FAT is the ratio of the medians (for rates > 1 means LFS2 is
 * faster, for times and write amplification > 1 means LFS2 costs more):
 *   - sequential write (4 KiB per call, then close) and read of 1 MiB (MB/s);
 *   - create (write 32 bytes, close), stat, remove of N_SMALL files in one
 *     subdirectory (ops/s; FAT has ~500 clusters, one per file);
 *   - mount, and mount + statvfs, of a volume filled to ~90% with files (us);
 *   - write amplification: flash bytes programmed + erased per byte written,
 *     counted by the chip model below the callbacks, for the 1 MiB write
 *     (open..close) and for the small files' create phase. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flash/flash.h"
#include "flash/flash_bdev.h"
#include "fs/fat.h"
#include "fs/lfs2.h"

#define REPEAT 5
#define REGION (2u * 1024 * 1024)
#define BLOCK 4096u
#define PROG_PAGE 256u /* esp32 */
#define FILE_BYTES (1024u * 1024)
#define CHUNK 4096u
#define N_SMALL 200
#define SMALL_BYTES 32
#define FILL_BYTES 16000u /* 4 blocks for both (littlefs CTZ pointers fit) */
#define FILL_PCT 90

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

static void fixed_clock(void *ctx, vb_datetime *now)
{
    (void)ctx;
    *now = (vb_datetime){ 2024, 5, 17, 12, 0, 0 };
}

/* ---- one volume, either filesystem ------------------------------------ */

enum { FAT = 0, LFS2 = 1 };

typedef struct vol {
    int kind;
    vb_flash flash;
    vb_flash_bdev bdev;     /* FAT */
    vb_fat fat;
    vb_lfs2_dev dev;        /* LFS2 */
    vb_lfs2_config cfg;
    vb_lfs2 lfs;
} vol;

typedef struct vfile {
    vol *v;
    union {
        vb_fat_file fat;
        vb_lfs2_file lfs;
    } u;
} vfile;

static int lfs_read(void *ctx, uint32_t block, uint32_t off, void *buf, uint32_t size)
{
    vol *v = ctx;
    if (block >= v->dev.block_count || off > BLOCK || size > BLOCK - off)
        return -EIO;
    return vb_flash_read(&v->flash, block * BLOCK + off, buf, size);
}

static int lfs_prog(void *ctx, uint32_t block, uint32_t off, const void *buf, uint32_t size)
{
    vol *v = ctx;
    if (block >= v->dev.block_count || off > BLOCK || size > BLOCK - off)
        return -EIO;
    return vb_flash_program(&v->flash, block * BLOCK + off, buf, size);
}

static int lfs_erase(void *ctx, uint32_t block)
{
    vol *v = ctx;
    if (block >= v->dev.block_count)
        return -EIO;
    return vb_flash_erase(&v->flash, block * BLOCK, BLOCK);
}

static int v_mount(vol *v)
{
    if (v->kind == FAT)
        return vb_fat_mount(&v->fat, &v->bdev.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL);
    return vb_lfs2_mount(&v->lfs, &v->dev, &v->cfg);
}

static int v_unmount(vol *v)
{
    return v->kind == FAT ? vb_fat_unmount(&v->fat) : vb_lfs2_unmount(&v->lfs);
}

static int v_open(vol *v)
{
    int rc = vb_flash_open_ram(&v->flash, REGION);
    if (rc < 0)
        return rc;
    v->flash.prog_page = PROG_PAGE;
    if (v->kind == FAT) {
        rc = vb_flash_bdev_init(&v->bdev, &v->flash, 0, REGION, BLOCK, false);
        if (rc == 0)
            rc = vb_fat_mkfs(&v->bdev.bd, &(vb_fat_mkfs_opts){ 0, NULL }, fixed_clock, NULL);
    } else {
        v->dev = (vb_lfs2_dev){ v, BLOCK, REGION / BLOCK, lfs_read, lfs_prog, lfs_erase, NULL };
        vb_lfs2_config_micropython(&v->cfg, BLOCK, 32);
        rc = vb_lfs2_format(&v->dev, &v->cfg);
    }
    return rc < 0 ? rc : v_mount(v);
}

static int f_open(vol *v, vfile *f, const char *path, bool wr)
{
    f->v = v;
    if (v->kind == FAT)
        return vb_fat_open(&v->fat, &f->u.fat, path, wr ? "w" : "r");
    return vb_lfs2_open(&v->lfs, &f->u.lfs, path,
                        wr ? VB_LFS2_O_WRONLY | VB_LFS2_O_CREAT | VB_LFS2_O_TRUNC : VB_LFS2_O_RDONLY);
}

static ssize_t f_write(vfile *f, const void *buf, size_t n)
{
    return f->v->kind == FAT ? vb_fat_write(&f->u.fat, buf, n) : vb_lfs2_write(&f->u.lfs, buf, n);
}

static ssize_t f_read(vfile *f, void *buf, size_t n)
{
    return f->v->kind == FAT ? vb_fat_read(&f->u.fat, buf, n) : vb_lfs2_read(&f->u.lfs, buf, n);
}

static int f_close(vfile *f)
{
    return f->v->kind == FAT ? vb_fat_close(&f->u.fat) : vb_lfs2_close(&f->u.lfs);
}

static int v_stat(vol *v, const char *path)
{
    if (v->kind == FAT) {
        vb_fat_info st;
        return vb_fat_stat(&v->fat, path, &st);
    }
    vb_lfs2_info st;
    return vb_lfs2_stat(&v->lfs, path, &st);
}

static int v_remove(vol *v, const char *path)
{
    return v->kind == FAT ? vb_fat_remove(&v->fat, path) : vb_lfs2_remove(&v->lfs, path);
}

static int v_mkdir(vol *v, const char *path)
{
    return v->kind == FAT ? vb_fat_mkdir(&v->fat, path) : vb_lfs2_mkdir(&v->lfs, path);
}

/* Percent of the volume in use, or a negative errno. */
static double v_used_pct(vol *v)
{
    if (v->kind == FAT) {
        vb_fat_usage u;
        int rc = vb_fat_statvfs(&v->fat, &u);
        return rc < 0 ? rc : 100.0 * (u.n_clusters - u.free_clusters) / u.n_clusters;
    }
    vb_lfs2_usage u;
    int rc = vb_lfs2_statvfs(&v->lfs, &u);
    return rc < 0 ? rc : 100.0 * u.used_blocks / u.block_count;
}

/* Flash bytes programmed + erased so far. */
static uint64_t flash_bytes(const vol *v)
{
    return v->flash.bytes_programmed + v->flash.n_erase * (uint64_t)BLOCK;
}

/* ---- the work ----------------------------------------------------------- */

static const char *const fs_name[2] = { "FAT", "LFS2" };

/* One round of 1 MiB write + read: seconds into tw/tr, flash bytes per byte
 * written into wa. The file is removed afterwards (untimed): littlefs keeps
 * the old copy until close, and two do not fit. */
static int seq_round(vol *v, const uint8_t *data, uint8_t *back, double *tw, double *tr, double *wa)
{
    vfile f;
    uint64_t b0 = flash_bytes(v);
    double t0 = now_s();
    int rc = f_open(v, &f, "seq.bin", true);
    if (rc < 0)
        return rc;
    for (uint32_t o = 0; o < FILE_BYTES; o += CHUNK)
        if (f_write(&f, data + o, CHUNK) != (ssize_t)CHUNK)
            return -EIO;
    if ((rc = f_close(&f)) < 0)
        return rc;
    *tw = now_s() - t0;
    *wa = (double)(flash_bytes(v) - b0) / FILE_BYTES;
    t0 = now_s();
    if ((rc = f_open(v, &f, "seq.bin", false)) < 0)
        return rc;
    for (uint32_t o = 0; o < FILE_BYTES; o += CHUNK)
        if (f_read(&f, back + o, CHUNK) != (ssize_t)CHUNK)
            return -EIO;
    f_close(&f);
    *tr = now_s() - t0;
    if (memcmp(data, back, FILE_BYTES) != 0)
        fprintf(stderr, "bench: %s: the file read back differs (a bug, not a figure)\n", fs_name[v->kind]);
    return v_remove(v, "seq.bin");
}

/* One round of create / stat / remove of N_SMALL files in "many". */
static int small_round(vol *v, double *tc, double *ts, double *trm, double *wa)
{
    static const char payload[SMALL_BYTES + 1] = "0123456789abcdef0123456789abcdef";
    char path[64];
    uint64_t b0 = flash_bytes(v);
    double t0 = now_s();
    for (int i = 0; i < N_SMALL; i++) {
        vfile f;
        snprintf(path, sizeof path, "many/f%04d.txt", i);
        int rc = f_open(v, &f, path, true);
        if (rc < 0)
            return rc;
        if (f_write(&f, payload, SMALL_BYTES) != SMALL_BYTES)
            return -EIO;
        if ((rc = f_close(&f)) < 0)
            return rc;
    }
    *tc = now_s() - t0;
    *wa = (double)(flash_bytes(v) - b0) / ((double)N_SMALL * SMALL_BYTES);
    t0 = now_s();
    for (int i = 0; i < N_SMALL; i++) {
        snprintf(path, sizeof path, "many/f%04d.txt", i);
        int rc = v_stat(v, path);
        if (rc < 0)
            return rc;
    }
    *ts = now_s() - t0;
    t0 = now_s();
    for (int i = 0; i < N_SMALL; i++) {
        snprintf(path, sizeof path, "many/f%04d.txt", i);
        int rc = v_remove(v, path);
        if (rc < 0)
            return rc;
    }
    *trm = now_s() - t0;
    return 0;
}

/* Fill with FILL_BYTES files in "fill" to FILL_PCT% used; files written. */
static int fill(vol *v, const uint8_t *data, double *pct)
{
    char path[64];
    int n = 0;
    int rc = v_mkdir(v, "fill");
    if (rc < 0)
        return rc;
    while ((*pct = v_used_pct(v)) >= 0 && *pct < FILL_PCT) {
        vfile f;
        snprintf(path, sizeof path, "fill/g%04d.bin", n);
        if ((rc = f_open(v, &f, path, true)) < 0)
            return rc;
        ssize_t w = f_write(&f, data + (size_t)n * 64, FILL_BYTES);
        if ((rc = f_close(&f)) < 0)
            return rc;
        if (w != (ssize_t)FILL_BYTES)
            return w < 0 ? (int)w : -ENOSPC;
        n++;
    }
    return *pct < 0 ? (int)*pct : n;
}

static int mount_round(vol *v, double *tm, double *tms)
{
    int rc = v_unmount(v);
    if (rc < 0)
        return rc;
    double t0 = now_s();
    if ((rc = v_mount(v)) < 0)
        return rc;
    *tm = now_s() - t0;
    if ((rc = v_unmount(v)) < 0)
        return rc;
    t0 = now_s();
    if ((rc = v_mount(v)) < 0)
        return rc;
    double pct = v_used_pct(v);
    *tms = now_s() - t0;
    return pct < 0 ? (int)pct : 0;
}

/* ---- report --------------------------------------------------------------- */

static void row(const char *what, double *fat, double *lfs, double scale, bool rate, bool ok)
{
    if (!ok) {
        printf("  %-36s   (failed)\n", what);
        return;
    }
    double a = median(fat, REPEAT), b = median(lfs, REPEAT);
    if (rate) {
        a = scale / a;
        b = scale / b;
    } else {
        a *= scale;
        b *= scale;
    }
    printf("  %-36s %11.2f %11.2f   x%.3f\n", what, a, b, b / a);
}

int main(void)
{
    uint8_t *data = malloc(FILE_BYTES), *back = malloc(FILE_BYTES);
    vol *v[2] = { calloc(1, sizeof(vol)), calloc(1, sizeof(vol)) };
    if (!data || !back || !v[0] || !v[1])
        return 1;
    uint64_t s = 88172645463325252ull;
    for (uint32_t i = 0; i < FILE_BYTES; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        data[i] = (uint8_t)s;
    }
    for (int k = 0; k < 2; k++) {
        v[k]->kind = k;
        int rc = v_open(v[k]);
        if (rc == 0)
            rc = v_mkdir(v[k], "many");
        if (rc < 0) {
            printf("bench_lfs2: %s setup failed: %d\n", fs_name[k], rc);
            return 0;
        }
    }

    /* [fs][round] */
    double tw[2][REPEAT], tr[2][REPEAT], wa_seq[2][REPEAT];
    double tc[2][REPEAT], ts[2][REPEAT], trm[2][REPEAT], wa_small[2][REPEAT];
    double tm[2][REPEAT], tms[2][REPEAT];
    bool ok_seq = true, ok_small = true, ok_mount = true;
    for (int r = 0; r < REPEAT; r++)
        for (int k = 0; k < 2; k++) {
            int rc = seq_round(v[k], data, back, &tw[k][r], &tr[k][r], &wa_seq[k][r]);
            if (rc < 0 && ok_seq) {
                printf("bench_lfs2: %s sequential 1 MiB failed: %d\n", fs_name[k], rc);
                ok_seq = false;
            }
        }
    for (int r = 0; r < REPEAT; r++)
        for (int k = 0; k < 2; k++) {
            int rc = small_round(v[k], &tc[k][r], &ts[k][r], &trm[k][r], &wa_small[k][r]);
            if (rc < 0 && ok_small) {
                printf("bench_lfs2: %s small files failed: %d\n", fs_name[k], rc);
                ok_small = false;
            }
        }
    int nfill[2];
    double pct[2] = { 0, 0 };
    for (int k = 0; k < 2; k++)
        if ((nfill[k] = fill(v[k], data, &pct[k])) < 0) {
            printf("bench_lfs2: %s fill failed: %d\n", fs_name[k], nfill[k]);
            ok_mount = false;
        }
    for (int r = 0; ok_mount && r < REPEAT; r++)
        for (int k = 0; k < 2; k++) {
            int rc = mount_round(v[k], &tm[k][r], &tms[k][r]);
            if (rc < 0 && ok_mount) {
                printf("bench_lfs2: %s mount failed: %d\n", fs_name[k], rc);
                ok_mount = false;
            }
        }

    printf("bench_lfs2: medians of %d runs; 2 MiB RAM flash, 512 x 4096-byte blocks, %u-byte program pages; "
           "FAT 4096-byte sectors vs littlefs v2 (MicroPython esp32 config, prog 32)\n", REPEAT, PROG_PAGE);
    printf("  %-36s %11s %11s   %s\n", "", "FAT", "LFS2", "LFS2/FAT");
    row("write 1 MiB, 4 KiB calls (MB/s)", tw[0], tw[1], FILE_BYTES / 1e6, true, ok_seq);
    row("read 1 MiB, 4 KiB calls (MB/s)", tr[0], tr[1], FILE_BYTES / 1e6, true, ok_seq);
    char lbl[64];
    snprintf(lbl, sizeof lbl, "create+write %d B+close x%d (ops/s)", SMALL_BYTES, N_SMALL);
    row(lbl, tc[0], tc[1], N_SMALL, true, ok_small);
    snprintf(lbl, sizeof lbl, "stat x%d (ops/s)", N_SMALL);
    row(lbl, ts[0], ts[1], N_SMALL, true, ok_small);
    snprintf(lbl, sizeof lbl, "remove x%d (ops/s)", N_SMALL);
    row(lbl, trm[0], trm[1], N_SMALL, true, ok_small);
    if (ok_mount)
        printf("  full volume: FAT %d files of %u B (%.1f%% used), LFS2 %d files (%.1f%% used)\n",
               nfill[0], FILL_BYTES, pct[0], nfill[1], pct[1]);
    row("mount, full volume (us)", tm[0], tm[1], 1e6, false, ok_mount);
    row("mount + statvfs, full volume (us)", tms[0], tms[1], 1e6, false, ok_mount);
    row("write amp., 1 MiB (flash B per B)", wa_seq[0], wa_seq[1], 1, false, ok_seq);
    snprintf(lbl, sizeof lbl, "write amp., small x%d (flash B/B)", N_SMALL);
    row(lbl, wa_small[0], wa_small[1], 1, false, ok_small);

    for (int k = 0; k < 2; k++) {
        if (ok_mount)
            v_unmount(v[k]);
        if (v[k]->flash.bad_programs)
            fprintf(stderr, "bench: %s: %llu programs needed a 0->1 bit (a bug, not a figure)\n", fs_name[k],
                    (unsigned long long)v[k]->flash.bad_programs);
        vb_flash_close(&v[k]->flash);
        free(v[k]);
    }
    free(data);
    free(back);
    return 0;
}
