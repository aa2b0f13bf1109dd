/* A region of the flash chip as a littlefs device (fs/lfs2.h): blocks of
 * the chip's 4 KiB erase unit, read/program/erase through the flash model,
 * so NOR rules and power cuts apply as for every other write. */
#ifndef VB_FLASH_LFS2DEV_H
#define VB_FLASH_LFS2DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "flash/flash.h"
#include "fs/lfs2.h"

typedef struct vb_flash_lfs2dev {
    vb_lfs2_dev dev;          /* what littlefs is given; ctx points here */
    vb_flash *flash;
    uint32_t offset;          /* the region's first byte in the chip */
} vb_flash_lfs2dev;

/* The region [offset, offset + size) of `flash`, in 4096-byte blocks.
 * -EINVAL when it is not block-aligned or not inside the chip. The struct
 * must not move while in use (dev.ctx points into it). */
int vb_flash_lfs2dev_init(vb_flash_lfs2dev *d, vb_flash *flash, uint32_t offset, uint32_t size);

/* True when block 0 or 1 of the region carries littlefs's "littlefs" magic
 * at byte 8 (how MicroPython's vfs autodetects it; flash.md §6). */
bool vb_flash_region_is_lfs2(vb_flash *flash, uint32_t offset, uint32_t size);

#endif
