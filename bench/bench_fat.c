/* FAT driver figures on a RAM flash, with baselines from the same run.
 *
 * Prints, never asserts. Each figure is the median of REPEAT runs; next to it
 * a baseline measured in the same process (memcpy of the same data; the same
 * work on a host tmpfs directory), and the ratio, so that numbers from a
 * noisy or slower machine stay comparable:
 *   - sequential write and read of a 1 MiB file, 4 KiB per call (MB/s), per
 *     profile geometry, with the flash operations and bytes programmed per
 *     MiB (write amplification of the erase-unit policy);
 *   - create (write 16 bytes) + stat + remove of 1000 files in a
 *     subdirectory (the fixed root holds 512 entries), 250 at a time (the
 *     generic volume has 506 clusters), in operations/s;
 *   - mkfs of each profile's FS partition (ms).
 * Host baselines use $TMPDIR, else /dev/shm when writable, else /tmp. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flash/flash.h"
#include "flash/flash_bdev.h"
#include "board/profile.h"
#include "fs/fat.h"

#define REPEAT 7
#define FILE_BYTES (1024u * 1024)
#define CHUNK 4096u
#define N_SMALL 1000

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

typedef struct rig {
    const vb_profile *prof;
    vb_flash flash;
    vb_flash_bdev bdev;
    vb_fat fs;
} rig;

static int rig_open(rig *r, const vb_profile *p)
{
    memset(r, 0, sizeof *r);
    r->prof = p;
    int rc = vb_flash_open_ram(&r->flash, p->fs_size);
    if (rc < 0)
        return rc;
    r->flash.prog_page = p->prog_page;
    rc = vb_flash_bdev_init(&r->bdev, &r->flash, 0, p->fs_size, p->fs_sector_size, p->fs_writeback_block);
    if (rc < 0)
        return rc;
    if ((rc = vb_fat_mkfs(&r->bdev.bd, &(vb_fat_mkfs_opts){ 0, NULL }, fixed_clock, NULL)) < 0)
        return rc;
    return vb_fat_mount(&r->fs, &r->bdev.bd, VB_FAT_NAMES_OEM, fixed_clock, NULL);
}

static const char *host_dir(void)
{
    const char *t = getenv("TMPDIR");
    if (t && *t)
        return t;
    return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

/* ---- baselines ------------------------------------------------------- */

static double bench_memcpy(const uint8_t *src, uint8_t *dst)
{
    double t[REPEAT];
    for (int i = 0; i < REPEAT; i++) {
        double t0 = now_s();
        for (uint32_t o = 0; o < FILE_BYTES; o += CHUNK)
            memcpy(dst + o, src + o, CHUNK);
        __asm__ volatile("" : : "r"(dst) : "memory");
        t[i] = now_s() - t0;
    }
    return FILE_BYTES / median(t, REPEAT) / 1e6;
}

static void bench_host_rw(const uint8_t *data, uint8_t *back, double *w_mbs, double *r_mbs)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/vboard-bench-%ld.bin", host_dir(), (long)getpid());
    double tw[REPEAT], tr[REPEAT];
    for (int i = 0; i < REPEAT; i++) {
        double t0 = now_s();
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        for (uint32_t o = 0; fd >= 0 && o < FILE_BYTES; o += CHUNK)
            if (write(fd, data + o, CHUNK) != (ssize_t)CHUNK)
                break;
        if (fd >= 0)
            close(fd);
        tw[i] = now_s() - t0;
        t0 = now_s();
        fd = open(path, O_RDONLY);
        for (uint32_t o = 0; fd >= 0 && o < FILE_BYTES; o += CHUNK)
            if (read(fd, back + o, CHUNK) != (ssize_t)CHUNK)
                break;
        if (fd >= 0)
            close(fd);
        tr[i] = now_s() - t0;
    }
    unlink(path);
    *w_mbs = FILE_BYTES / median(tw, REPEAT) / 1e6;
    *r_mbs = FILE_BYTES / median(tr, REPEAT) / 1e6;
}

static double bench_host_small(void)
{
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/vboard-bench-%ld.d", host_dir(), (long)getpid());
    mkdir(dir, 0700);
    double t[REPEAT];
    for (int r = 0; r < REPEAT; r++) {
        double t0 = now_s();
        for (int i = 0; i < N_SMALL; i++) {
            snprintf(path, sizeof path, "%s/f%04d.txt", dir, i);
            int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (fd >= 0) {
                if (write(fd, "0123456789abcdef", 16) != 16)
                    fprintf(stderr, "bench: host write failed\n");
                close(fd);
            }
        }
        struct stat st;
        for (int i = 0; i < N_SMALL; i++) {
            snprintf(path, sizeof path, "%s/f%04d.txt", dir, i);
            stat(path, &st);
        }
        for (int i = 0; i < N_SMALL; i++) {
            snprintf(path, sizeof path, "%s/f%04d.txt", dir, i);
            unlink(path);
        }
        t[r] = now_s() - t0;
    }
    rmdir(dir);
    return 3.0 * N_SMALL / median(t, REPEAT);
}

/* ---- vboard ---------------------------------------------------------- */

static int bench_fat_rw(rig *r, const uint8_t *data, uint8_t *back, double *w_mbs, double *r_mbs,
                        double *ops_per_mib, double *prog_per_mib)
{
    double tw[REPEAT], tr[REPEAT];
    uint64_t ops = 0, prog = 0;
    for (int i = 0; i < REPEAT; i++) {
        vb_fat_file f;
        uint64_t ops0 = r->flash.ops, prog0 = r->flash.bytes_programmed;
        double t0 = now_s();
        int rc = vb_fat_open(&r->fs, &f, "bench/seq.bin", "w");
        if (rc < 0)
            return rc;
        for (uint32_t o = 0; o < FILE_BYTES; o += CHUNK)
            if (vb_fat_write(&f, data + o, CHUNK) != (ssize_t)CHUNK)
                return -EIO;
        if ((rc = vb_fat_close(&f)) < 0)
            return rc;
        tw[i] = now_s() - t0;
        ops = r->flash.ops - ops0;
        prog = r->flash.bytes_programmed - prog0;
        t0 = now_s();
        if ((rc = vb_fat_open(&r->fs, &f, "bench/seq.bin", "r")) < 0)
            return rc;
        for (uint32_t o = 0; o < FILE_BYTES; o += CHUNK)
            if (vb_fat_read(&f, back + o, CHUNK) != (ssize_t)CHUNK)
                return -EIO;
        vb_fat_close(&f);
        tr[i] = now_s() - t0;
        if (memcmp(data, back, FILE_BYTES) != 0)
            fprintf(stderr, "bench: %s: the file read back differs (a bug, not a figure)\n", r->prof->name);
    }
    *w_mbs = FILE_BYTES / median(tw, REPEAT) / 1e6;
    *r_mbs = FILE_BYTES / median(tr, REPEAT) / 1e6;
    *ops_per_mib = (double)ops;
    *prog_per_mib = (double)prog / FILE_BYTES;
    return 0;
}

/* 1000 files of 16 bytes, in batches of BATCH (create, stat, remove): the
 * generic volume has only 506 clusters, one per file. */
#define BATCH 250

static int bench_fat_small(rig *r, double *ops_s)
{
    double t[REPEAT];
    char path[64];
    for (int rep = 0; rep < REPEAT; rep++) {
        double t0 = now_s();
        for (int b = 0; b < N_SMALL; b += BATCH) {
            for (int i = b; i < b + BATCH; i++) {
                vb_fat_file f;
                snprintf(path, sizeof path, "bench/many/f%04d.txt", i);
                int rc = vb_fat_open(&r->fs, &f, path, "w");
                if (rc < 0)
                    return rc;
                vb_fat_write(&f, "0123456789abcdef", 16);
                if ((rc = vb_fat_close(&f)) < 0)
                    return rc;
            }
            vb_fat_info st;
            for (int i = b; i < b + BATCH; i++) {
                snprintf(path, sizeof path, "bench/many/f%04d.txt", i);
                int rc = vb_fat_stat(&r->fs, path, &st);
                if (rc < 0)
                    return rc;
            }
            for (int i = b; i < b + BATCH; i++) {
                snprintf(path, sizeof path, "bench/many/f%04d.txt", i);
                int rc = vb_fat_remove(&r->fs, path);
                if (rc < 0)
                    return rc;
            }
        }
        t[rep] = now_s() - t0;
    }
    *ops_s = 3.0 * N_SMALL / median(t, REPEAT);
    return 0;
}

static double bench_mkfs(const vb_profile *p)
{
    double t[REPEAT];
    for (int i = 0; i < REPEAT; i++) {
        vb_flash flash;
        vb_flash_bdev bdev;
        vb_flash_open_ram(&flash, p->fs_size);
        flash.prog_page = p->prog_page;
        vb_flash_bdev_init(&bdev, &flash, 0, p->fs_size, p->fs_sector_size, p->fs_writeback_block);
        double t0 = now_s();
        vb_fat_mkfs(&bdev.bd, &(vb_fat_mkfs_opts){ 0, NULL }, fixed_clock, NULL);
        t[i] = now_s() - t0;
        vb_flash_close(&flash);
    }
    return median(t, REPEAT) * 1e3;
}

int main(void)
{
    uint8_t *data = malloc(FILE_BYTES), *back = malloc(FILE_BYTES);
    if (!data || !back)
        return 1;
    uint64_t s = 88172645463325252ull;
    for (uint32_t i = 0; i < FILE_BYTES; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        data[i] = (uint8_t)s;
    }
    double mem = bench_memcpy(data, back), host_w, host_r;
    bench_host_rw(data, back, &host_w, &host_r);
    double host_small = bench_host_small();
    printf("bench_fat: medians of %d runs; baselines: memcpy %.0f MB/s, host %s write %.0f MB/s, read %.0f MB/s, "
           "create+stat+remove %.0f ops/s\n", REPEAT, mem, host_dir(), host_w, host_r, host_small);
    static const char *const names[] = { "generic", "pycom" };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        const vb_profile *p = vb_profile_find(names[k]);
        if (!p) {
            printf("%-8s no such profile\n", names[k]);
            continue;
        }
        rig *r = calloc(1, sizeof *r);
        if (!r || rig_open(r, p) < 0 || vb_fat_mkdir(&r->fs, "bench") < 0 || vb_fat_mkdir(&r->fs, "bench/many") < 0) {
            printf("%-8s setup failed\n", names[k]);
            free(r);
            continue;
        }
        char geo[64];
        snprintf(geo, sizeof geo, "%s (%u KiB FS, %u-byte sectors%s)", names[k], p->fs_size / 1024,
                 p->fs_sector_size, p->fs_writeback_block ? ", write-back block" : "");
        double w, rd, ops, prog, small;
        int rc = bench_fat_rw(r, data, back, &w, &rd, &ops, &prog);
        if (rc < 0) {
            printf("%s: sequential 1 MiB failed: %d\n", geo, rc);
        } else {
            printf("%s\n", geo);
            printf("  write 1 MiB  %8.1f MB/s   x%.4f of memcpy, x%.3f of host write; %.0f flash ops, %.2f bytes "
                   "programmed per byte\n", w, w / mem, w / host_w, ops, prog);
            printf("  read 1 MiB   %8.1f MB/s   x%.4f of memcpy, x%.3f of host read\n", rd, rd / mem, rd / host_r);
        }
        rc = bench_fat_small(r, &small);
        if (rc < 0)
            printf("  create+stat+remove x%d failed: %d\n", N_SMALL, rc);
        else
            printf("  create+stat+remove x%d  %8.0f ops/s   x%.3f of host\n", N_SMALL, small, small / host_small);
        printf("  mkfs          %8.2f ms\n", bench_mkfs(p));
        vb_fat_unmount(&r->fs);
        vb_flash_close(&r->flash);
        free(r);
    }
    free(data);
    free(back);
    return 0;
}
