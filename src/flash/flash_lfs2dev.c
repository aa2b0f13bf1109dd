/* The flash region as a littlefs device (flash_lfs2dev.h). */
#include "flash/flash_lfs2dev.h"

#include <errno.h>
#include <string.h>

#define LFS2DEV_BLOCK VB_FLASH_BLOCK   /* littlefs blocks are erase units */

static bool in_block(const vb_flash_lfs2dev *d, uint32_t block, uint32_t off, uint32_t size)
{
    return block < d->dev.block_count && off <= LFS2DEV_BLOCK && size <= LFS2DEV_BLOCK - off;
}

static int dev_read(void *ctx, uint32_t block, uint32_t off, void *buf, uint32_t size)
{
    vb_flash_lfs2dev *d = ctx;
    if (!in_block(d, block, off, size)) return -EIO;
    return vb_flash_read(d->flash, d->offset + block * LFS2DEV_BLOCK + off, buf, size);
}

static int dev_prog(void *ctx, uint32_t block, uint32_t off, const void *buf, uint32_t size)
{
    vb_flash_lfs2dev *d = ctx;
    if (!in_block(d, block, off, size)) return -EIO;
    return vb_flash_program(d->flash, d->offset + block * LFS2DEV_BLOCK + off, buf, size);
}

static int dev_erase(void *ctx, uint32_t block)
{
    vb_flash_lfs2dev *d = ctx;
    if (!in_block(d, block, 0, LFS2DEV_BLOCK)) return -EIO;
    return vb_flash_erase(d->flash, d->offset + block * LFS2DEV_BLOCK, LFS2DEV_BLOCK);
}

static int dev_sync(void *ctx)
{
    vb_flash_lfs2dev *d = ctx;
    return vb_flash_sync(d->flash);
}

int vb_flash_lfs2dev_init(vb_flash_lfs2dev *d, vb_flash *flash, uint32_t offset, uint32_t size)
{
    if (offset % LFS2DEV_BLOCK || size % LFS2DEV_BLOCK || size < 2 * LFS2DEV_BLOCK ||
        (uint64_t)offset + size > flash->size)
        return -EINVAL;
    *d = (vb_flash_lfs2dev){
        .dev = {.ctx = d, .block_size = LFS2DEV_BLOCK, .block_count = size / LFS2DEV_BLOCK,
                .read = dev_read, .prog = dev_prog, .erase = dev_erase, .sync = dev_sync},
        .flash = flash,
        .offset = offset,
    };
    return 0;
}

bool vb_flash_region_is_lfs2(vb_flash *flash, uint32_t offset, uint32_t size)
{
    static const char magic[8] = {'l', 'i', 't', 't', 'l', 'e', 'f', 's'};
    for (uint32_t block = 0; block < 2 && (block + 1) * LFS2DEV_BLOCK <= size; block++) {
        char got[8];
        if (vb_flash_read(flash, offset + block * LFS2DEV_BLOCK + 8, got, sizeof got) == 0 &&
            memcmp(got, magic, sizeof magic) == 0)
            return true;
    }
    return false;
}
