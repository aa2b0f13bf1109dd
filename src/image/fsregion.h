/* The board's filesystem region as a volume (fs/vol.h): the one place that
 * knows which driver a board's flash holds and how the port formats it, for
 * the firmware's _boot stage and the host tools alike (issue 12 §3–4).
 *
 * Mounting follows the port (port.h fs_type, fs_autodetect). A port that
 * autodetects (esp32) does what MicroPython's vfs.mount does on a block
 * device: littlefs's magic at byte 8 of block 0 or 1 means littlefs (with
 * the port's read and prog sizes, mtime on), anything else is tried as FAT,
 * so an old vboard FAT image on the esp32 layout still boots. Other ports
 * mount only their own filesystem (rp2: littlefs; Pycom: FAT). Formatting writes the port's filesystem: FAT with the
 * profile's label, or littlefs as VfsLfs2.mkfs with the port's parameters. */
#ifndef VB_IMAGE_FSREGION_H
#define VB_IMAGE_FSREGION_H

#include <stdbool.h>

#include "board/profile.h"
#include "flash/flash.h"
#include "flash/flash_bdev.h"
#include "flash/flash_lfs2dev.h"
#include "fs/vol.h"

typedef struct vb_fsregion {
    const vb_profile *profile;
    vb_flash_bdev bdev;          /* FAT's sectors */
    vb_flash_lfs2dev lfs2dev;    /* littlefs's blocks */
    vb_lfs2_config lfs2cfg;      /* the port's VfsLfs2 parameters */
    vb_vol vol;                  /* valid while `mounted` */
    bool mounted;
} vb_fsregion;

/* Set up both views of the profile's region of `flash`. -EINVAL when the
 * profile's region does not fit. Must not move afterwards. */
int vb_fsregion_init(vb_fsregion *r, vb_flash *flash, const vb_profile *profile);

/* Which filesystem the region holds now (by magic: littlefs on a littlefs
 * port, else FAT); the driver a mount tries. */
vb_vol_kind vb_fsregion_detect(vb_fsregion *r);

/* Mount what is there (see above). -ENODEV no filesystem (FAT: not a FAT
 * volume), -EILSEQ a corrupt littlefs, -EINVAL a littlefs this config
 * refuses; nothing is written. */
int vb_fsregion_mount(vb_fsregion *r, vb_fat_names names, const vb_vol_clock *clock);

/* Unmount if mounted, format with the port's filesystem, mount the result. */
int vb_fsregion_format(vb_fsregion *r, vb_fat_names names, const vb_vol_clock *clock);

/* The port's default files and directories, each only if missing (files
 * first, then directories, in table order), on the mounted volume; then a
 * sync. 0 or the first negative errno. */
int vb_fsregion_write_defaults(vb_fsregion *r);

/* Sync and unmount (no-op when not mounted). */
int vb_fsregion_unmount(vb_fsregion *r);

/* True when the region's first 4 KiB are all 0xFF (a factory-reset region). */
bool vb_fsregion_erased(vb_fsregion *r);

#endif
