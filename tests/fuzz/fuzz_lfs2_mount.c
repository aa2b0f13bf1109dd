/* libFuzzer target: mount whatever the input holds as littlefs v2, then
 * list, stat and read everything, count the blocks, run the checker, and
 * optionally write on it and do it all again.
 *
 * Input layout: byte 0 configures the device, the rest is the start of the
 * device's contents.
 *   bit 0     block size 1024 (set) or 512
 *   bit 1     after the read pass, write: create, append, truncate, mkdir,
 *             rename, remove, attributes; then list and read again
 *   bits 2-3  block count: 0 = the input (rounded up, at least 2), 1 = 16,
 *             2 = 32, 3 = 64; beyond the input the device reads as fill
 *   bit 4     prog size 64 (set) or 16 (read size 16, cache 128)
 *   bit 5     fill byte 0x00 (set) or 0xFF (erased flash)
 *   bit 6     configured disk version 2.0 (set) or 2.1
 *   bit 7     name_max 1022 (Pycom) or 255 (MicroPython)
 * The device is NOR flash in RAM (program = AND, erase = 0xFF), refusing
 * ranges outside it. block_cycles is 2, so relocations happen often.
 *
 * Must never crash, hang or trip a sanitizer (flash.md §7 invariant 1).
 * Walks here are bounded so that only the library could loop: a listing
 * longer than the ids a device can hold, or a read past the size the open
 * file reports, aborts the run.
 *
 * Build: see the report (clang -fsanitize=fuzzer). Without libFuzzer,
 * -DVB_FUZZ_MAIN gives a main() replaying the files named on the command
 * line; -DVB_LFS2_MAKE_CORPUS gives a main() that writes the seed corpus
 * (a few small images made by the library) into the directory named. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/lfs2.h"
#include "fs/lfs2_check.h"

#define MAX_DEPTH 6
#define MAX_SUBDIRS 8
#define READ_CAP (256u * 1024)
#define PATH_LEN 2200

typedef struct fdev {
    vb_lfs2_dev dev;
    uint8_t *mem;
    size_t bytes;
} fdev;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int dev_read(void *ctx, uint32_t block, uint32_t off, void *buf, uint32_t size)
{
    fdev *d = ctx;
    if (block >= d->dev.block_count || off > d->dev.block_size || size > d->dev.block_size - off)
        return -EIO;
    memcpy(buf, d->mem + (size_t)block * d->dev.block_size + off, size);
    return 0;
}

static int dev_prog(void *ctx, uint32_t block, uint32_t off, const void *buf, uint32_t size)
{
    fdev *d = ctx;
    if (block >= d->dev.block_count || off > d->dev.block_size || size > d->dev.block_size - off)
        return -EIO;
    uint8_t *p = d->mem + (size_t)block * d->dev.block_size + off;
    const uint8_t *in = buf;
    for (uint32_t i = 0; i < size; i++)
        p[i] &= in[i];
    return 0;
}

static int dev_erase(void *ctx, uint32_t block)
{
    fdev *d = ctx;
    if (block >= d->dev.block_count)
        return -EIO;
    memset(d->mem + (size_t)block * d->dev.block_size, 0xFF, d->dev.block_size);
    return 0;
}

static int dev_sync(void *ctx)
{
    (void)ctx;
    return 0;
}

static void die(const char *what, const char *path)
{
    fprintf(stderr, "fuzz_lfs2_mount: %s (%s)\n", what, path);
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

static void read_file(vb_lfs2 *fs, const char *path, uint8_t *buf)
{
    vb_lfs2_file f;
    uint8_t mtime[8];
    vb_lfs2_attr a = {VB_LFS2_ATTR_MTIME, mtime, sizeof mtime};
    if (vb_lfs2_opencfg(fs, &f, path, VB_LFS2_O_RDONLY, &a, 1) != 0)
        return;
    int32_t size = vb_lfs2_size(&f);
    uint64_t total = 0;
    for (;;) {
        ssize_t n = vb_lfs2_read(&f, buf, 4096);
        if (n <= 0)
            break;
        if (n > 4096)
            die("read returned more than asked", path);
        total += (uint64_t)n;
        if (size >= 0 && total > (uint64_t)size)
            die("read past the file size", path);
        if (total >= READ_CAP)
            break;
    }
    if (size > 3) {
        vb_lfs2_seek(&f, size / 2, 0);
        vb_lfs2_read(&f, buf, 100);
        vb_lfs2_seek(&f, -3, 2);
        vb_lfs2_read(&f, buf, 100);
    }
    vb_lfs2_close(&f);
}

static void walk(vb_lfs2 *fs, const char *dir, int depth, uint8_t *buf, uint32_t limit)
{
    if (depth > MAX_DEPTH)
        return;
    vb_lfs2_dir d;
    if (vb_lfs2_opendir(fs, &d, dir) != 0)
        return;
    vb_lfs2_info info;
    uint32_t n = 0, n_sub = 0;
    char (*subs)[PATH_LEN] = malloc(MAX_SUBDIRS * PATH_LEN);
    char *path = malloc(PATH_LEN);
    if (!subs || !path)
        abort();
    int rc;
    while ((rc = vb_lfs2_readdir(&d, &info)) == 1) {
        if (++n > limit)
            die("directory listing does not end", dir);
        if (!strcmp(info.name, ".") || !strcmp(info.name, ".."))
            continue;
        if (!join(path, dir, info.name))
            continue;
        vb_lfs2_info st;
        vb_lfs2_stat(fs, path, &st);
        uint8_t attr[16];
        vb_lfs2_getattr(fs, path, VB_LFS2_ATTR_MTIME, attr, sizeof attr);
        if (info.type == VB_LFS2_TYPE_DIR) {
            if (n_sub < MAX_SUBDIRS)
                memcpy(subs[n_sub++], path, strlen(path) + 1);
            continue;
        }
        read_file(fs, path, buf);
    }
    if (n > 6) {
        vb_lfs2_seekdir(&d, n / 2);
        vb_lfs2_readdir(&d, &info);
        vb_lfs2_telldir(&d);
    }
    vb_lfs2_closedir(&d);
    for (uint32_t i = 0; i < n_sub; i++)
        walk(fs, subs[i], depth + 1, buf, limit);
    free(subs);
    free(path);
}

static int count_cb(void *ctx, uint32_t block)
{
    (void)block;
    *(uint32_t *)ctx += 1;
    return 0;
}

static void read_pass(vb_lfs2 *fs, uint8_t *buf, uint32_t limit)
{
    vb_lfs2_usage u;
    if (vb_lfs2_statvfs(fs, &u) == 0 && u.free_blocks > u.block_count)
        die("statvfs: more free blocks than blocks", "/");
    vb_lfs2_fs_size(fs);
    uint32_t n = 0;
    vb_lfs2_traverse(fs, count_cb, &n);
    vb_lfs2_fsinfo fi;
    vb_lfs2_fsinfo_get(fs, &fi);
    vb_lfs2_info st;
    vb_lfs2_stat(fs, "/", &st);
    walk(fs, "/", 0, buf, limit);
}

static void write_pass(vb_lfs2 *fs, uint8_t *buf)
{
    for (size_t i = 0; i < 9000; i++)
        buf[i] = (uint8_t)(i * 7);
    uint8_t mtime[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    vb_lfs2_attr a = {VB_LFS2_ATTR_MTIME, mtime, sizeof mtime};
    vb_lfs2_file f;
    if (vb_lfs2_opencfg(fs, &f, "/fuzz written.txt", vb_lfs2_mode_flags("a+"), &a, 1) == 0) {
        vb_lfs2_write(&f, buf, 3000);
        vb_lfs2_seek(&f, 6000, 0);
        vb_lfs2_write(&f, buf, 100);
        vb_lfs2_truncate(&f, 2500);
        vb_lfs2_sync(&f);
        vb_lfs2_write(&f, buf, 40);
        vb_lfs2_close(&f);
    }
    vb_lfs2_mkdir(fs, "/fz");
    vb_lfs2_mkdir(fs, "/fz/sub dir");
    if (vb_lfs2_opencfg(fs, &f, "/fz/sub dir/x.bin", vb_lfs2_mode_flags("w"), &a, 1) == 0) {
        vb_lfs2_write(&f, buf, 1500);
        vb_lfs2_close(&f);
    }
    vb_lfs2_setattr(fs, "/fz", 7, "seven", 5);
    vb_lfs2_rename(fs, "/fuzz written.txt", "/fz/moved.txt");
    vb_lfs2_rename(fs, "/fz", "/fz2");
    /* write into whatever the image already had */
    vb_lfs2_dir d;
    vb_lfs2_info st;
    if (vb_lfs2_opendir(fs, &d, "/") == 0) {
        char first[VB_LFS2_NAME_MAX + 2] = "";
        unsigned n = 0;
        while (vb_lfs2_readdir(&d, &st) == 1 && n++ < 64) {
            if (st.type == VB_LFS2_TYPE_REG && !first[0]) {
                first[0] = '/';
                memcpy(first + 1, st.name, strlen(st.name) + 1);
            }
        }
        vb_lfs2_closedir(&d);
        if (first[0] && vb_lfs2_open(fs, &f, first, vb_lfs2_mode_flags("r+")) == 0) {
            vb_lfs2_seek(&f, 0, 2);
            vb_lfs2_write(&f, buf, 700);
            vb_lfs2_close(&f);
            vb_lfs2_rename(fs, first, "/renamed");
            vb_lfs2_remove(fs, "/renamed");
        }
    }
    vb_lfs2_remove(fs, "/fz2/moved.txt");
    vb_lfs2_remove(fs, "/fz2/sub dir/x.bin");
    vb_lfs2_remove(fs, "/fz2/sub dir");
    vb_lfs2_remove(fs, "/fz2");
    vb_lfs2_mkconsistent(fs);
}

static void config_of(uint8_t c, uint32_t bs, vb_lfs2_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->read_size = 16;
    cfg->prog_size = c & 0x10 ? 64 : 16;
    cfg->cache_size = 128;
    cfg->lookahead_size = 8;
    cfg->block_cycles = 2;
    cfg->name_max = c & 0x80 ? VB_LFS2_NAME_MAX : 255;
    cfg->disk_version = c & 0x40 ? VB_LFS2_VERSION_2_0 : VB_LFS2_VERSION_2_1;
    (void)bs;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t c = data[0];
    uint32_t bs = c & 1 ? 1024 : 512;
    static const uint32_t counts[4] = {0, 16, 32, 64};
    uint32_t count = counts[(c >> 2) & 3];
    if (count == 0)
        count = (uint32_t)((size - 1 + bs - 1) / bs);
    if (count < 2)
        count = 2;
    if (count > 256)
        count = 256;

    fdev *d = calloc(1, sizeof *d);
    uint8_t *buf = malloc(16384);
    if (!d || !buf)
        abort();
    d->bytes = (size_t)bs * count;
    d->mem = malloc(d->bytes);
    if (!d->mem)
        abort();
    memset(d->mem, c & 0x20 ? 0x00 : 0xFF, d->bytes);
    memcpy(d->mem, data + 1, size - 1 < d->bytes ? size - 1 : d->bytes);
    d->dev = (vb_lfs2_dev){d, bs, count, dev_read, dev_prog, dev_erase, dev_sync};

    vb_lfs2_config cfg;
    config_of(c, bs, &cfg);
    /* no directory holds more than 0x3ff ids per pair */
    uint32_t limit = 2 + 0x3FF * count;

    vb_lfs2_check_stats st;
    vb_lfs2_check(&d->dev, NULL, NULL, &st);

    vb_lfs2 *fs = calloc(1, sizeof *fs);
    if (!fs)
        abort();
    if (vb_lfs2_mount(fs, &d->dev, &cfg) == 0) {
        read_pass(fs, buf, limit);
        if (c & 2) {
            write_pass(fs, buf);
            read_pass(fs, buf, limit);
        }
        vb_lfs2_unmount(fs);
        if (c & 2)
            vb_lfs2_check(&d->dev, NULL, NULL, &st);
    }
    free(fs);
    free(d->mem);
    free(d);
    free(buf);
    return 0;
}

#define VB_FUZZ_REPLAY_MAX (1 << 20)
#include "replay_main.h"

#ifdef VB_LFS2_MAKE_CORPUS
/* Seeds: small images the library writes, each behind its config byte. */
static void save(const char *dir, const char *name, uint8_t c, const fdev *d)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputc(c, f);
    fwrite(d->mem, 1, d->bytes, f);
    fclose(f);
}

static void make(const char *dir, const char *name, uint8_t c, int kind)
{
    uint32_t bs = c & 1 ? 1024 : 512;
    static const uint32_t counts[4] = {0, 16, 32, 64};
    uint32_t count = counts[(c >> 2) & 3];
    fdev d;
    d.bytes = (size_t)bs * count;
    d.mem = malloc(d.bytes);
    memset(d.mem, 0xFF, d.bytes);
    d.dev = (vb_lfs2_dev){&d, bs, count, dev_read, dev_prog, dev_erase, dev_sync};
    vb_lfs2_config cfg;
    config_of(c, bs, &cfg);
    vb_lfs2 fs;
    uint8_t data[3000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 13);
    if (vb_lfs2_format(&d.dev, &cfg) || vb_lfs2_mount(&fs, &d.dev, &cfg))
        exit(1);
    vb_lfs2_file f;
    if (kind >= 1) {
        vb_lfs2_mkdir(&fs, "/lib");
        if (vb_lfs2_open(&fs, &f, "/boot.py", vb_lfs2_mode_flags("w")) == 0) {
            vb_lfs2_write(&f, "# boot.py\n", 10);
            vb_lfs2_close(&f);
        }
        if (vb_lfs2_open(&fs, &f, "/lib/big.bin", vb_lfs2_mode_flags("w")) == 0) {
            vb_lfs2_write(&f, data, sizeof data);
            vb_lfs2_close(&f);
        }
        vb_lfs2_setattr(&fs, "/boot.py", VB_LFS2_ATTR_MTIME, "\1\2\3\4\5\6\7\10", 8);
    }
    if (kind >= 2) {
        /* enough names to split a pair, renames, removals */
        vb_lfs2_mkdir(&fs, "/many");
        for (int i = 0; i < 40; i++) {
            char p[64];
            snprintf(p, sizeof p, "/many/file-number-%02d", i);
            if (vb_lfs2_open(&fs, &f, p, vb_lfs2_mode_flags("w")) == 0) {
                vb_lfs2_write(&f, p, (size_t)(i % 7) * 30);
                vb_lfs2_close(&f);
            }
        }
        vb_lfs2_rename(&fs, "/lib/big.bin", "/many/big.bin");
        for (int i = 0; i < 40; i += 3) {
            char p[64];
            snprintf(p, sizeof p, "/many/file-number-%02d", i);
            vb_lfs2_remove(&fs, p);
        }
    }
    vb_lfs2_unmount(&fs);
    save(dir, name, c, &d);
    free(d.mem);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s corpus-dir\n", argv[0]);
        return 2;
    }
    make(argv[1], "fresh-16x512", 0x04, 0);
    make(argv[1], "tree-32x512", 0x08, 1);
    make(argv[1], "many-32x512", 0x08, 2);
    make(argv[1], "many-16x1024-prog64", 0x15, 2);
    make(argv[1], "v20-32x512", 0x48, 1);
    make(argv[1], "pycom-names-32x512", 0x88, 1);
    make(argv[1], "write-tree-32x512", 0x0A, 1);
    return 0;
}
#endif
