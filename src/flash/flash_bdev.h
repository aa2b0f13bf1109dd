/* A region of the flash chip presented as a vb_blockdev of FAT sectors.
 *
 * This is where the board's flash driver lives (flash.md §7): how a FAT
 * sector write becomes erase and program operations.
 *   - sector size == 4096 (generic/esp32): each sector write is an erase of
 *     its block followed by a program of the whole block;
 *   - smaller sectors with `writeback` (Pycom): one 4 KiB block is cached in
 *     RAM; writes land in the cache, which is written back (erase + program)
 *     when another block is touched or on sync;
 *   - smaller sectors without `writeback`: read-modify-write of the block at
 *     each sector write.
 * Reads see the cache. Anything outside the region is refused with -EIO. */
#ifndef VB_FLASH_FLASH_BDEV_H
#define VB_FLASH_FLASH_BDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "../fs/blockdev.h"
#include "flash.h"

typedef struct vb_flash_bdev {
    vb_blockdev bd;          /* hand &bd to the filesystem */
    vb_flash *flash;
    uint32_t offset, size;   /* region, both multiples of VB_FLASH_BLOCK */
    bool writeback;
    uint32_t cached_block;   /* block index within the region; UINT32_MAX = none */
    bool cache_dirty;
    uint8_t cache[VB_FLASH_BLOCK];
} vb_flash_bdev;

/* -EINVAL on a region outside the flash or a bad sector size. The struct must
 * not move after init (bd.ctx points at it). */
int vb_flash_bdev_init(vb_flash_bdev *b, vb_flash *flash, uint32_t offset,
                       uint32_t size, uint32_t sector_size, bool writeback);
/* Drop the cache without writing it (power loss: RAM is gone). */
void vb_flash_bdev_drop_cache(vb_flash_bdev *b);

#endif
