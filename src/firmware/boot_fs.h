/* The _boot stage of the firmware (boot.md §3 step 1, flash.md §1): mount the
 * board's filesystem with the profile's first-boot and corrupt-filesystem
 * behaviour, before any user code, with Ctrl-C not armed. */
#ifndef VB_FIRMWARE_BOOT_FS_H
#define VB_FIRMWARE_BOOT_FS_H

#include "engine/hal.h"
#include "image/fsregion.h"
#include "contract/firmware.h"

/* The board volume: region.vol while region.mounted. */
typedef struct vb_board_fs {
    vb_fsregion region;
    vb_vol_clock clock;          /* the board RTC */
} vb_board_fs;

/* The board RTC as a filesystem clock (seconds since 2000 on the volume's
 * 1970 calendar); hal must outlive the clock. */
vb_vol_clock vb_boot_rtc_clock(const vb_hal *hal);

/* Mount with the port's first-boot policy (port.h vb_first_boot), writing
 * its default files as the real firmware does: esp32 formats an erased
 * region, and on a damaged, non-erased one prints the corrupted-filesystem
 * notice every 3 s until Ctrl-C, then runs without a filesystem (returns
 * -ENODEV); rp2 formats on any failure, silently; Pycom formats a region
 * with no filesystem, and on any other failure reports the fatal error and
 * returns -EIO: the caller halts. The filesystem is what the region holds
 * (littlefs or FAT on littlefs ports, FAT on FAT ports: fsregion.h); a
 * format writes the port's. */
int vb_boot_mount(vb_board_fs *bfs, const vb_firmware_ctx *fw, const vb_hal *hal);

/* Format the volume again (os.fsformat / os.mkfs): defaults come back at the
 * next boot. 0 or a negative errno; mounted afterwards on success. */
int vb_boot_reformat(vb_board_fs *bfs);

#endif
