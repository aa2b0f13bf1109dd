/* A block device as the filesystem sees it: fixed-size sectors, nothing else.
 *
 * The FAT driver reaches storage only through this struct (style.md §1); the
 * flash-backed device (src/flash/flash_bdev.h) and the RAM device used by
 * tests implement it. All calls return 0 or a negative errno (-EIO for a
 * failed or out-of-range transfer). */
#ifndef VB_FS_BLOCKDEV_H
#define VB_FS_BLOCKDEV_H

#include <stdint.h>

typedef struct vb_blockdev {
    void *ctx;               /* passed back to every call */
    uint32_t sector_size;    /* bytes per sector: 512, 1024, 2048 or 4096 */
    uint32_t sector_count;   /* sectors on the device */
    /* Read/write `count` whole sectors starting at `lba`. Must refuse (-EIO)
     * any range outside 0..sector_count-1. */
    int (*read)(void *ctx, uint32_t lba, uint32_t count, void *buf);
    int (*write)(void *ctx, uint32_t lba, uint32_t count, const void *buf);
    /* Make every completed write durable (flush caches). May be NULL. */
    int (*sync)(void *ctx);
} vb_blockdev;

#endif
