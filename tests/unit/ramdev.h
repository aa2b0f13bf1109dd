/* A RAM block device for tests: sector_count sectors of sector_size bytes,
 * counting reads and writes. Header-only so each test binary has its own. */
#ifndef VB_TEST_RAMDEV_H
#define VB_TEST_RAMDEV_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs/blockdev.h"

typedef struct ramdev {
    vb_blockdev bd;
    uint8_t *mem;
    unsigned reads, writes, syncs;
    int fail_writes_after;   /* -1 = never; else writes allowed before -EIO */
} ramdev;

static int ramdev_read(void *ctx, uint32_t lba, uint32_t count, void *buf)
{
    ramdev *r = ctx;
    if ((uint64_t)lba + count > r->bd.sector_count) return -EIO;
    memcpy(buf, r->mem + (size_t)lba * r->bd.sector_size, (size_t)count * r->bd.sector_size);
    r->reads++;
    return 0;
}

static int ramdev_write(void *ctx, uint32_t lba, uint32_t count, const void *buf)
{
    ramdev *r = ctx;
    if ((uint64_t)lba + count > r->bd.sector_count) return -EIO;
    if (r->fail_writes_after == 0) return -EIO;
    if (r->fail_writes_after > 0) r->fail_writes_after--;
    memcpy(r->mem + (size_t)lba * r->bd.sector_size, buf, (size_t)count * r->bd.sector_size);
    r->writes++;
    return 0;
}

static int ramdev_sync(void *ctx) { ((ramdev *)ctx)->syncs++; return 0; }

/* Erased (0xFF) device, as fresh flash. */
static inline void ramdev_init(ramdev *r, uint32_t ss, uint32_t count)
{
    memset(r, 0, sizeof *r);
    r->mem = malloc((size_t)ss * count);
    memset(r->mem, 0xFF, (size_t)ss * count);
    r->bd = (vb_blockdev){r, ss, count, ramdev_read, ramdev_write, ramdev_sync};
    r->fail_writes_after = -1;
}

static inline void ramdev_free(ramdev *r) { free(r->mem); r->mem = NULL; }

#endif
