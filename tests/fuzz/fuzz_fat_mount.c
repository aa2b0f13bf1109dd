/* libFuzzer target: mount whatever the input holds as a FAT volume, then
 * list, stat and read everything, and optionally write on it.
 *
 * Input layout: byte 0 configures the device, the rest is the start of the
 * device's contents.
 *   bit 0     sector size 4096 (set) or 512
 *   bit 1     after the read pass, write: create a file, append, mkdir,
 *             rename, remove, then list and read again
 *   bits 2-3  device size: 0 = the input (rounded up to a sector), 1 = 256 KiB,
 *             2 = 4 MiB, 3 = 16 MiB; beyond the input the device reads as fill
 *   bit 4     names as UTF-8 (set) or OEM code page 437 (the board)
 *   bit 5     fill byte 0x00 (set) or 0xFF (erased flash)
 * Sectors past the input are virtual: they read as the fill byte until
 * written; up to MAX_OVERLAY of them can be written (then writes fail with
 * -EIO, which the FS must survive too). The device refuses ranges outside it,
 * as the blockdev contract says.
 *
 * Must never crash, hang or trip a sanitizer (flash.md §7 invariant 1).
 * Every walk is bounded here so that only the library can loop: a directory
 * listing that goes past FatFs's 65536 entries, a read past the stated size,
 * or statvfs counting more free clusters than exist abort the run.
 *
 * Build: make fuzz (clang -fsanitize=fuzzer). Without libFuzzer, compile with
 * -DVB_FUZZ_MAIN to get a main() that runs the files named on the command
 * line (replaying a crash with gcc or valgrind). */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/fat.h"

#define MAX_OVERLAY 64
#define MAX_DEPTH 6
#define MAX_FILES_PER_DIR 48
#define MAX_SUBDIRS 12
#define READ_CAP (512u * 1024)
#define DIR_LIMIT 65536u  /* FatFs: a directory has at most 65536 entries */
#define PATH_LEN 2048

typedef struct fdev {
    vb_blockdev bd;
    const uint8_t *data;    /* the input after byte 0 */
    size_t len;
    uint8_t fill;
    uint32_t overlay_lba[MAX_OVERLAY];
    uint8_t *overlay[MAX_OVERLAY];
    unsigned n_overlay;
} fdev;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *overlay_find(fdev *d, uint32_t lba)
{
    for (unsigned i = 0; i < d->n_overlay; i++)
        if (d->overlay_lba[i] == lba)
            return d->overlay[i];
    return NULL;
}

static int dev_read(void *ctx, uint32_t lba, uint32_t count, void *buf)
{
    fdev *d = ctx;
    uint32_t ss = d->bd.sector_size;
    if ((uint64_t)lba + count > d->bd.sector_count)
        return -EIO;
    uint8_t *out = buf;
    for (uint32_t i = 0; i < count; i++, out += ss) {
        uint8_t *ov = overlay_find(d, lba + i);
        if (ov) {
            memcpy(out, ov, ss);
            continue;
        }
        uint64_t off = (uint64_t)(lba + i) * ss;
        size_t have = off >= d->len ? 0 : d->len - off < ss ? (size_t)(d->len - off) : ss;
        if (have)
            memcpy(out, d->data + off, have);
        memset(out + have, d->fill, ss - have);
    }
    return 0;
}

static int dev_write(void *ctx, uint32_t lba, uint32_t count, const void *buf)
{
    fdev *d = ctx;
    uint32_t ss = d->bd.sector_size;
    if ((uint64_t)lba + count > d->bd.sector_count)
        return -EIO;
    const uint8_t *in = buf;
    for (uint32_t i = 0; i < count; i++, in += ss) {
        uint8_t *ov = overlay_find(d, lba + i);
        if (!ov) {
            if (d->n_overlay == MAX_OVERLAY)
                return -EIO;
            ov = malloc(ss);
            if (!ov)
                return -EIO;
            d->overlay_lba[d->n_overlay] = lba + i;
            d->overlay[d->n_overlay++] = ov;
        }
        memcpy(ov, in, ss);
    }
    return 0;
}

static int dev_sync(void *ctx)
{
    (void)ctx;
    return 0;
}

static void fixed_clock(void *ctx, vb_datetime *now)
{
    (void)ctx;
    *now = (vb_datetime){ 2024, 5, 17, 12, 34, 56 };
}

static void die(const char *what, const char *path)
{
    fprintf(stderr, "fuzz_fat_mount: %s (%s)\n", what, path);
    abort();
}

static bool join(char *out, const char *dir, const char *name)
{
    size_t ld = strlen(dir), ln = strlen(name);
    if (ld + ln + 2 > PATH_LEN)
        return false;
    memcpy(out, dir, ld);
    out[ld] = '/';
    memcpy(out + ld + 1, name, ln + 1);
    return true;
}

static void read_file(vb_fat *fs, const char *path, uint32_t size, uint8_t *buf)
{
    vb_fat_file f;
    if (vb_fat_open(fs, &f, path, "r") != 0)
        return;
    uint64_t total = 0;
    for (;;) {
        ssize_t n = vb_fat_read(&f, buf, 4096);
        if (n <= 0)
            break;
        if (n > 4096)
            die("read returned more than asked", path);
        total += (uint64_t)n;
        if (total > size)
            die("read past the file size", path);
        if (total >= READ_CAP)
            break;
    }
    /* seeks on a read-only handle clamp to the size */
    int64_t p = vb_fat_seek(&f, (int64_t)size + 100, 0);
    if (p >= 0 && (uint64_t)p > size)
        die("read-only seek went past the size", path);
    vb_fat_close(&f);
}

/* The directories one walk has been into, by first cluster: a hostile
 * image's subdirectory entries may point back at their parents (or at one
 * another), and walking those again and again is exponential in the depth
 * (a 5 KB input took minutes). vboard fs says "directory loop" and goes on
 * (cli_fs.c); so does this walk. Per input: libFuzzer runs one at a time. */
#define MAX_WALKED 4096
static uint32_t walked[MAX_WALKED];
static unsigned n_walked;

static bool walked_before(uint32_t cluster)
{
    for (unsigned i = 0; i < n_walked; i++)
        if (walked[i] == cluster)
            return true;
    if (n_walked == MAX_WALKED)
        return true;               /* enough for one image */
    walked[n_walked++] = cluster;
    return false;
}

static void walk(vb_fat *fs, const char *dir, int depth, uint8_t *buf)
{
    if (depth > MAX_DEPTH)
        return;
    vb_fat_dir d;
    if (vb_fat_opendir(fs, &d, dir) != 0)
        return;
    vb_fat_info st;
    unsigned n = 0, n_files = 0, n_sub = 0;
    char(*subs)[PATH_LEN] = malloc(MAX_SUBDIRS * PATH_LEN);
    char *path = malloc(PATH_LEN);
    if (!subs || !path)
        abort();
    while (vb_fat_readdir(&d, &st) == 1) {
        if (++n > DIR_LIMIT)
            die("directory listing does not end", dir);
        if (!join(path, dir, st.name))
            continue;
        if (st.is_dir) {
            if (n_sub < MAX_SUBDIRS && !walked_before(st.first_cluster))
                memcpy(subs[n_sub++], path, strlen(path) + 1);
            continue;
        }
        if (n_files++ >= MAX_FILES_PER_DIR)
            continue;
        /* the size of what the path resolves to: a damaged directory may
         * hold two entries of the same name, and lookups find the first */
        vb_fat_info st2;
        if (vb_fat_stat(fs, path, &st2) == 0 && !st2.is_dir)
            read_file(fs, path, st2.size, buf);
    }
    for (unsigned i = 0; i < n_sub; i++)
        walk(fs, subs[i], depth + 1, buf);
    free(subs);
    free(path);
}

static void write_pass(vb_fat *fs, uint8_t *buf)
{
    for (size_t i = 0; i < 9000; i++)
        buf[i] = (uint8_t)(i * 7);
    vb_fat_file f;
    if (vb_fat_open(fs, &f, "/fuzz written.txt", "a+") == 0) {
        vb_fat_write(&f, buf, 9000);
        vb_fat_seek(&f, 20000, 0);
        vb_fat_write(&f, buf, 100);
        vb_fat_seek(&f, 5000, 0);
        vb_fat_truncate(&f);
        vb_fat_close(&f);
    }
    vb_fat_mkdir(fs, "/fz");
    vb_fat_mkdir(fs, "/fz/sub dir");
    if (vb_fat_open(fs, &f, "/fz/sub dir/x.bin", "w") == 0) {
        vb_fat_write(&f, buf, 3000);
        vb_fat_close(&f);
    }
    vb_fat_rename(fs, "/fuzz written.txt", "/fz/moved.txt");
    vb_fat_rename(fs, "/fz", "/fz2");
    /* write into whatever the image already had */
    vb_fat_dir d;
    vb_fat_info st;
    if (vb_fat_opendir(fs, &d, "/") == 0) {
        char first[VB_FAT_NAME_BUF + 1] = "";
        unsigned n = 0;
        while (vb_fat_readdir(&d, &st) == 1 && n++ < 64) {
            if (!st.is_dir && !first[0]) {
                first[0] = '/';
                memcpy(first + 1, st.name, strlen(st.name) + 1);
            }
        }
        if (first[0] && vb_fat_open(fs, &f, first, "r+") == 0) {
            vb_fat_seek(&f, 0, 2);
            vb_fat_write(&f, buf, 5000);
            vb_fat_close(&f);
            vb_fat_remove(fs, first);
        }
    }
    vb_fat_remove(fs, "/fz2/moved.txt");
    vb_fat_rmdir(fs, "/fz2");
    vb_fat_sync(fs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t cfg = data[0];
    fdev *d = calloc(1, sizeof *d);
    vb_fat *fs = calloc(1, sizeof *fs);
    uint8_t *buf = malloc(16384);
    if (!d || !fs || !buf)
        abort();
    uint32_t ss = cfg & 1 ? 4096 : 512;
    d->data = data + 1;
    d->len = size - 1;
    d->fill = cfg & 0x20 ? 0x00 : 0xFF;
    static const uint32_t dev_bytes[4] = { 0, 256u << 10, 4u << 20, 16u << 20 };
    uint64_t bytes = dev_bytes[(cfg >> 2) & 3];
    if (bytes < d->len)
        bytes = d->len;
    uint32_t count = (uint32_t)((bytes + ss - 1) / ss);
    if (count == 0)
        count = 1;
    d->bd = (vb_blockdev){ d, ss, count, dev_read, dev_write, dev_sync };
    vb_fat_names names = cfg & 0x10 ? VB_FAT_NAMES_UTF8 : VB_FAT_NAMES_OEM;

    if (vb_fat_mount(fs, &d->bd, names, fixed_clock, NULL) == 0) {
        vb_fat_usage u;
        if (vb_fat_statvfs(fs, &u) == 0 && u.free_clusters > u.n_clusters)
            die("statvfs: more free clusters than clusters", "/");
        char label[64];
        vb_fat_getlabel(fs, label, sizeof label);
        vb_fat_info st;
        vb_fat_stat(fs, "/", &st);
        n_walked = 0;
        walk(fs, "", 0, buf);
        if (cfg & 2) {
            write_pass(fs, buf);
            n_walked = 0;
            walk(fs, "", 0, buf);
            if (vb_fat_statvfs(fs, &u) == 0 && u.free_clusters > u.n_clusters)
                die("statvfs after writes: more free clusters than clusters", "/");
        }
        vb_fat_unmount(fs);
    }
    for (unsigned i = 0; i < d->n_overlay; i++)
        free(d->overlay[i]);
    free(d);
    free(fs);
    free(buf);
    return 0;
}

#define VB_FUZZ_REPLAY_MAX (1 << 20)
#include "replay_main.h"
