/* A NOR flash in RAM for the littlefs tests (flash.md §7): erase sets a
 * block to 0xFF, program ANDs (bits only clear). Header-only, so each test
 * binary has its own.
 *
 * It also polices littlefs's side of the contract: a program that would
 * need a 0->1 bit, or that is not aligned to the prog size, is counted in
 * `violations` (a test failure: always an FS bug).
 *
 * Power cuts. Every program and erase is an op, numbered from 1. With
 * `cut_at` = N, op N is applied according to `cut_mode` and the device then
 * dies: that op and every later one return -EIO and change nothing, reads
 * still work (the test reads the image afterwards as a fresh boot would).
 *   NOR_CUT_NONE  op N not done at all;
 *   NOR_CUT_WHOLE op N done completely;
 *   NOR_CUT_TORN  a program writes only a prefix (cut_torn_num/16 of it,
 *                 at least 1 byte short), an erase sets only a prefix of
 *                 the block to 0xFF (the rest keeps its old bytes). */
#ifndef VB_TEST_LFS2_NORDEV_H
#define VB_TEST_LFS2_NORDEV_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/lfs2.h"

enum { NOR_CUT_NONE = 0, NOR_CUT_WHOLE = 1, NOR_CUT_TORN = 2 };

typedef struct nordev {
    vb_lfs2_dev dev;
    uint8_t *mem;
    uint32_t prog_size;       /* alignment littlefs must respect */
    unsigned long reads, progs, erases, ops;
    unsigned long violations;
    unsigned long cut_at;     /* 0 = never */
    int cut_mode;
    unsigned cut_torn_num;    /* 1..15: fraction/16 of a torn op that lands */
    bool dead;
} nordev;

static int nordev_read(void *ctx, uint32_t block, uint32_t off, void *buf, uint32_t size)
{
    nordev *d = ctx;
    if (block >= d->dev.block_count || off > d->dev.block_size || size > d->dev.block_size - off)
        return -EIO;
    memcpy(buf, d->mem + (size_t)block * d->dev.block_size + off, size);
    d->reads++;
    return 0;
}

/* Count the op; returns 1 to apply it whole, 2 torn, 0 not at all. */
static int nordev_op(nordev *d)
{
    if (d->dead)
        return 0;
    d->ops++;
    if (d->cut_at && d->ops == d->cut_at) {
        d->dead = true;
        return d->cut_mode == NOR_CUT_WHOLE ? 1 : d->cut_mode == NOR_CUT_TORN ? 2 : 0;
    }
    return 1;
}

static int nordev_prog(void *ctx, uint32_t block, uint32_t off, const void *buf, uint32_t size)
{
    nordev *d = ctx;
    if (block >= d->dev.block_count || off > d->dev.block_size || size > d->dev.block_size - off)
        return -EIO;
    uint8_t *p = d->mem + (size_t)block * d->dev.block_size + off;
    const uint8_t *in = buf;
    bool was_dead = d->dead;
    int how = nordev_op(d);
    uint32_t n = size;
    if (how == 2) {
        n = size * d->cut_torn_num / 16;
        if (n >= size)
            n = size - 1;
    }
    if (!was_dead) {
        d->progs++;
        if (d->prog_size && (off % d->prog_size || size % d->prog_size))
            d->violations++;
        for (uint32_t i = 0; i < size; i++)
            if ((p[i] & in[i]) != in[i])
                d->violations++;  /* needs a 0 -> 1 bit: not erased */
    }
    if (how)
        for (uint32_t i = 0; i < n; i++)
            p[i] &= in[i];
    return d->dead ? -EIO : 0;
}

static int nordev_erase(void *ctx, uint32_t block)
{
    nordev *d = ctx;
    if (block >= d->dev.block_count)
        return -EIO;
    uint8_t *p = d->mem + (size_t)block * d->dev.block_size;
    bool was_dead = d->dead;
    int how = nordev_op(d);
    if (!was_dead)
        d->erases++;
    uint32_t n = d->dev.block_size;
    if (how == 2)
        n = d->dev.block_size * d->cut_torn_num / 16;
    if (how)
        memset(p, 0xFF, n);
    return d->dead ? -EIO : 0;
}

static int nordev_sync(void *ctx)
{
    nordev *d = ctx;
    return d->dead ? -EIO : 0;
}

/* An erased device. */
static inline void nordev_init(nordev *d, uint32_t block_size, uint32_t block_count, uint32_t prog_size)
{
    memset(d, 0, sizeof *d);
    d->mem = malloc((size_t)block_size * block_count);
    if (!d->mem)
        abort();
    memset(d->mem, 0xFF, (size_t)block_size * block_count);
    d->prog_size = prog_size;
    d->dev = (vb_lfs2_dev){d, block_size, block_count, nordev_read, nordev_prog, nordev_erase, nordev_sync};
}

static inline void nordev_free(nordev *d)
{
    free(d->mem);
    d->mem = NULL;
}

static inline size_t nordev_bytes(const nordev *d)
{
    return (size_t)d->dev.block_size * d->dev.block_count;
}

/* Power back on: counters and cut cleared, contents kept. */
static inline void nordev_revive(nordev *d)
{
    d->dead = false;
    d->cut_at = 0;
    d->ops = d->progs = d->erases = d->reads = 0;
}

/* Load a gzip'd image (run from the repo root) into a fresh device; false
 * when the file is missing or of another size. */
static inline bool nordev_load_gz(nordev *d, const char *path, uint32_t block_size,
                                  uint32_t block_count, uint32_t prog_size)
{
    nordev_init(d, block_size, block_count, prog_size);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "gzip -dc '%s'", path);
    FILE *p = popen(cmd, "r");
    if (!p)
        return false;
    size_t want = nordev_bytes(d);
    size_t got = fread(d->mem, 1, want, p);
    int extra = fgetc(p);
    int rc = pclose(p);
    return got == want && extra == EOF && rc == 0;
}

#endif
