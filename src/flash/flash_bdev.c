/* FAT sectors on NOR flash: the board's flash driver (flash.md §7).
 *
 * Three write policies, chosen at init:
 *   - direct (4096-byte sectors): a sector is a block; erase it, program it;
 *   - write-back (smaller sectors, Pycom): one block lives in `cache`; any
 *     read or write of another block first writes a dirty cache back (erase +
 *     program of the whole block) and loads the new block, as Pycom's
 *     sflash_diskio does; sync writes it back too;
 *   - read-modify-write (smaller sectors, no write-back): each write reads
 *     its block, patches it, erases and programs the whole block.
 * When the flash reports a power cut the cache is dropped at once: it was RAM.
 */
#include "flash_bdev.h"

#include <errno.h>
#include <string.h>

#define NO_BLOCK UINT32_MAX

static uint32_t block_addr(const vb_flash_bdev *b, uint32_t blk)
{
    return b->offset + blk * VB_FLASH_BLOCK;
}

/* Any error after a power cut means RAM is gone: forget the cached block. */
static int failed(vb_flash_bdev *b, int rc)
{
    if (b->flash->dead)
        vb_flash_bdev_drop_cache(b);
    return rc;
}

static int write_block(vb_flash_bdev *b, uint32_t blk, const uint8_t *data)
{
    int rc = vb_flash_erase(b->flash, block_addr(b, blk), VB_FLASH_BLOCK);
    if (rc == 0)
        rc = vb_flash_program(b->flash, block_addr(b, blk), data, VB_FLASH_BLOCK);
    return rc;
}

static int flush_cache(vb_flash_bdev *b)
{
    if (!b->cache_dirty)
        return 0;
    int rc = write_block(b, b->cached_block, b->cache);
    if (rc < 0)
        return failed(b, rc);
    b->cache_dirty = false;
    return 0;
}

/* Write-back mode: make `blk` the cached block. */
static int load_block(vb_flash_bdev *b, uint32_t blk)
{
    if (b->cached_block == blk)
        return 0;
    int rc = flush_cache(b);
    if (rc < 0)
        return rc;
    rc = vb_flash_read(b->flash, block_addr(b, blk), b->cache, VB_FLASH_BLOCK);
    if (rc < 0) {
        b->cached_block = NO_BLOCK;
        return failed(b, rc);
    }
    b->cached_block = blk;
    return 0;
}

/* Checks a transfer and gives its byte range within the region. */
static int range(const vb_flash_bdev *b, uint32_t lba, uint32_t count, uint64_t *start,
                 uint64_t *end)
{
    if ((uint64_t)lba + count > b->bd.sector_count)
        return -EIO;
    *start = (uint64_t)lba * b->bd.sector_size;
    *end = *start + (uint64_t)count * b->bd.sector_size;
    return 0;
}

static int bdev_read(void *ctx, uint32_t lba, uint32_t count, void *buf)
{
    vb_flash_bdev *b = ctx;
    uint64_t pos, end;
    if (b->flash->dead)
        return failed(b, -EIO);
    if (range(b, lba, count, &pos, &end) < 0)
        return -EIO;
    uint8_t *out = buf;
    while (pos < end) {
        uint32_t blk = (uint32_t)(pos / VB_FLASH_BLOCK);
        uint32_t boff = (uint32_t)(pos % VB_FLASH_BLOCK);
        size_t len = VB_FLASH_BLOCK - boff;
        if (len > end - pos)
            len = (size_t)(end - pos);
        if (b->writeback) {
            int rc = load_block(b, blk);
            if (rc < 0)
                return rc;
            memcpy(out, b->cache + boff, len);
        } else {
            int rc = vb_flash_read(b->flash, block_addr(b, blk) + boff, out, len);
            if (rc < 0)
                return failed(b, rc);
        }
        out += len;
        pos += len;
    }
    return 0;
}

static int bdev_write(void *ctx, uint32_t lba, uint32_t count, const void *buf)
{
    vb_flash_bdev *b = ctx;
    uint64_t pos, end;
    if (b->flash->dead)
        return failed(b, -EIO);
    if (range(b, lba, count, &pos, &end) < 0)
        return -EIO;
    const uint8_t *in = buf;
    while (pos < end) {
        uint32_t blk = (uint32_t)(pos / VB_FLASH_BLOCK);
        uint32_t boff = (uint32_t)(pos % VB_FLASH_BLOCK);
        size_t len = VB_FLASH_BLOCK - boff;
        if (len > end - pos)
            len = (size_t)(end - pos);
        int rc;
        if (b->writeback) {
            rc = load_block(b, blk);
            if (rc < 0)
                return rc;
            memcpy(b->cache + boff, in, len);
            b->cache_dirty = true;
        } else if (len == VB_FLASH_BLOCK) {
            rc = write_block(b, blk, in);
            if (rc < 0)
                return failed(b, rc);
        } else {
            /* cache is scratch space in this mode, never a cached copy */
            rc = vb_flash_read(b->flash, block_addr(b, blk), b->cache, VB_FLASH_BLOCK);
            if (rc == 0) {
                memcpy(b->cache + boff, in, len);
                rc = write_block(b, blk, b->cache);
            }
            if (rc < 0)
                return failed(b, rc);
        }
        in += len;
        pos += len;
    }
    return 0;
}

static int bdev_sync(void *ctx)
{
    vb_flash_bdev *b = ctx;
    if (b->flash->dead)
        return failed(b, -EIO);
    int rc = flush_cache(b);
    if (rc < 0)
        return rc;
    rc = vb_flash_sync(b->flash);
    return rc < 0 ? failed(b, rc) : 0;
}

int vb_flash_bdev_init(vb_flash_bdev *b, vb_flash *flash, uint32_t offset, uint32_t size,
                       uint32_t sector_size, bool writeback)
{
    memset(b, 0, sizeof *b);
    b->cached_block = NO_BLOCK;
    if (!flash || !flash->mem)
        return -EINVAL;
    /* 512..4096 and a power of two, hence a divisor of the 4 KiB block */
    if (sector_size < 512 || sector_size > VB_FLASH_BLOCK || (sector_size & (sector_size - 1)))
        return -EINVAL;
    if (size == 0 || offset % VB_FLASH_BLOCK || size % VB_FLASH_BLOCK ||
        (uint64_t)offset + size > flash->size)
        return -EINVAL;
    b->flash = flash;
    b->offset = offset;
    b->size = size;
    /* A 4096-byte sector is a whole block: there is nothing to gather. */
    b->writeback = writeback && sector_size < VB_FLASH_BLOCK;
    b->bd.ctx = b;
    b->bd.sector_size = sector_size;
    b->bd.sector_count = size / sector_size;
    b->bd.read = bdev_read;
    b->bd.write = bdev_write;
    b->bd.sync = bdev_sync;
    return 0;
}

void vb_flash_bdev_drop_cache(vb_flash_bdev *b)
{
    b->cached_block = NO_BLOCK;
    b->cache_dirty = false;
}
