/* The _boot stage of the firmware (boot.md §3 step 1, flash.md §1): mount the
 * board's filesystem with the profile's first-boot and corrupt-filesystem
 * behaviour, before any user code, with Ctrl-C not armed. */
#ifndef VB_FIRMWARE_BOOT_FS_H
#define VB_FIRMWARE_BOOT_FS_H

#include "engine/hal.h"
#include "flash/flash_bdev.h"
#include "fs/fat.h"
#include "contract/firmware.h"

typedef struct vb_board_fs {
    vb_flash_bdev bdev;
    vb_fat fat;
    bool mounted;
} vb_board_fs;

/* Mount with the port's first-boot policy (port.h vb_first_boot), writing
 * its default files as the real firmware does: esp32 formats an erased
 * region, and on a damaged, non-erased one prints the corrupted-filesystem
 * notice every 3 s until Ctrl-C, then runs without a filesystem (returns
 * -ENODEV); rp2 formats on any failure, silently; Pycom formats a region
 * with no filesystem, and on any other failure reports the fatal error and
 * returns -EIO: the caller halts. The driver is vb_port_fs_driver's. */
int vb_boot_mount(vb_board_fs *bfs, const vb_firmware_ctx *fw, const vb_hal *hal);

/* Format the volume again (os.fsformat / os.mkfs): defaults come back at the
 * next boot. 0 or a negative errno; mounted afterwards on success. */
int vb_boot_reformat(vb_board_fs *bfs, const vb_firmware_ctx *fw);

#endif
