/* The host side of a board's flash image: open, create, mount, describe,
 * factory-reset. Shared by the `vboard` CLI and the board supervisor.
 *
 * An image is the whole flash chip (flash.md §2). Everything here goes
 * through the flash model (src/flash) and the board's filesystem region
 * (fsregion.h: FAT or littlefs v2 behind one volume interface, fs/vol.h):
 * the same erase/program sequence a board would issue, never a raw write to
 * the file. Library code: errors come back as a negative errno plus one
 * sentence in the caller's `err` buffer (VB_ERR_LEN bytes is enough);
 * nothing prints. */
#ifndef VB_IMAGE_IMAGE_H
#define VB_IMAGE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/fwimage.h"
#include "flash/flash.h"
#include "flash/parttable.h"
#include "board/profile.h"
#include "fs/fat.h"
#include "fs/vol.h"
#include "image/fsregion.h"

/* An open image. Must not move while open: the region's devices and the
 * mounted volume point into it. The volume is fs.vol, valid while
 * fs.mounted; its kind (fs.vol.kind) says whether FAT-only calls
 * (fs.vol.u.fat) apply. */
typedef struct vb_image {
    const vb_profile *profile;
    vb_flash flash;
    vb_fsregion fs;           /* the profile's filesystem region */
    bool open;
} vb_image;

/* vb_clock_fn reading the host's local time (ctx unused). */
void vb_image_host_clock(void *ctx, vb_datetime *now);

/* The host's wall clock for a volume (fs/vol.h): local time as seconds
 * since 1970 on the local calendar (timegm(localtime())), as FAT stamps
 * from the host always were, and the nanoseconds within the second. */
extern const vb_vol_clock vb_image_vol_clock;

/* Open the image file at `path`. With a profile, the file must have its
 * flash size (`create`: a missing file is created erased). Without one, the
 * profile is the one whose flash size is the file's size; when the image
 * holds a valid partition table, no partition of it may overlap the
 * profile's filesystem region except a data/fat entry that is exactly that
 * region, so a foreign layout is never written over. A locked image gives
 * -EBUSY with the flash layer's sentence. */
int vb_image_open(vb_image *im, const char *path, const vb_profile *profile, bool create,
                  char *err, size_t errlen);

/* True when the first 4 KiB of the filesystem region are all 0xFF: the
 * factory-reset state a board formats at its next boot. False when block 1
 * holds littlefs's magic: a power cut while littlefs rewrote block 0 leaves
 * that, and the volume mounts from block 1 (as the board finds it: it
 * mounts first and looks for erased flash only when that fails). */
bool vb_image_fs_erased(vb_image *im);

/* Mount the filesystem region as the board would find it (vb_fsregion_mount:
 * littlefs by its magic on littlefs ports, else FAT), host clock for time
 * stamps; `names` applies to FAT. Each failure has its own sentence:
 * -ENODEV an erased region, or no filesystem there; -EILSEQ a corrupt
 * littlefs; -EINVAL a littlefs the port's configuration refuses (its
 * geometry or limits said). */
int vb_image_mount(vb_image *im, vb_fat_names names, char *err, size_t errlen);

/* Sync and unmount the volume, write back the block cache, flush and close
 * the flash. Returns the first error (the image is closed regardless);
 * -EIO also when the flash model saw a program needing a 0->1 bit (a
 * filesystem bug). Safe on a closed image. */
int vb_image_close(vb_image *im, char *err, size_t errlen);

/* Create a new image file as a board's first boot leaves it: erased flash,
 * the partition table, the built-in factory firmware in the factory slot
 * (boot/fwimage.h), the default otadata record (profiles with one), the
 * port's filesystem in the filesystem region (littlefs as VfsLfs2.mkfs for
 * esp32 and rp2, FAT with the profile's label for Pycom) and the port's
 * default directories and files (esp32: inisetup.py's boot.py; rp2: none).
 * Time stamps from `clock`. Never overwrites: an existing `path` gives
 * -EEXIST. The file appears only when complete (built under a temporary
 * name beside it, then linked into place). */
int vb_image_create(const char *path, const vb_profile *profile, const vb_vol_clock *clock,
                    char *err, size_t errlen);

/* Format the filesystem region of an open image as the board's _boot does
 * on first boot (the port's filesystem, then vb_fsregion_write_defaults)
 * and leave it mounted (FAT: OEM names, as the board mounts it). 0 or a
 * negative errno with a sentence in err. */
int vb_image_format_fs(vb_image *im, const vb_vol_clock *clock, char *err, size_t errlen);

/* Factory reset from the host: erase the filesystem region to 0xFF through
 * the flash model, whichever filesystem it held. The image must not be
 * mounted (-EBUSY). */
int vb_image_erase_fs(vb_image *im, char *err, size_t errlen);

/* Write `len` bytes to a new host file at `path`, never replacing one
 * (-EEXIST with a sentence); the file appears only when complete. */
int vb_image_write_new_file(const char *path, const void *data, size_t len, char *err,
                            size_t errlen);

#define VB_IMAGE_MAX_PARTS 16
#define VB_IMAGE_MAX_SLOTS 4

typedef enum vb_image_fw_state {
    VB_IMAGE_FW_OK = 0,       /* a valid firmware image: version, modules, length */
    VB_IMAGE_FW_EMPTY,        /* the slot's header bytes are erased */
    VB_IMAGE_FW_INVALID,      /* anything else (fw_error says why) */
} vb_image_fw_state;

/* One app slot of the profile (factory, ota_N) and the firmware in it. */
typedef struct vb_image_slot {
    char name[16];                     /* "factory", "ota_0" */
    uint32_t offset, size;
    vb_image_fw_state state;
    char version[VB_FW_VERSION_LEN + 1];
    uint32_t fw_len;
    unsigned n_modules;
    char fw_error[VB_ERR_LEN];         /* VB_IMAGE_FW_INVALID: the reason */
} vb_image_slot;

typedef enum vb_image_fs_state {
    VB_IMAGE_FS_OK = 0,       /* mounted: fs_kind, geometry and usage below are valid */
    VB_IMAGE_FS_ERASED,       /* region erased (factory-reset state) */
    VB_IMAGE_FS_NONE,         /* no filesystem (not FAT, no littlefs magic) */
    VB_IMAGE_FS_ERROR,        /* mount failed otherwise (see fs_error) */
} vb_image_fs_state;

typedef struct vb_image_info {
    const vb_profile *profile;
    uint32_t flash_size;
    /* partition table as found on flash */
    uint32_t table_offset;
    int n_parts;                       /* < 0: no valid table (table_error says why) */
    char table_error[VB_ERR_LEN];
    vb_part_rec parts[VB_IMAGE_MAX_PARTS];
    /* the profile's app slots, in table order */
    unsigned n_slots;
    vb_image_slot slots[VB_IMAGE_MAX_SLOTS];
    /* filesystem region */
    uint32_t fs_offset, fs_size;
    vb_image_fs_state fs_state;
    int fs_error;                      /* negative errno for VB_IMAGE_FS_ERROR */
    vb_vol_kind fs_kind;               /* the driver that mounted it (tried, when not OK) */
    /* littlefs (fs_state == VB_IMAGE_FS_OK, fs_kind == VB_VOL_LFS2) */
    uint32_t lfs2_version;             /* on disk, major << 16 | minor */
    uint32_t lfs2_block_size, lfs2_blocks, lfs2_free_blocks, lfs2_name_max;
    /* FAT geometry (fs_state == VB_IMAGE_FS_OK, fs_kind == VB_VOL_FAT) */
    unsigned fat_bits;                 /* 12 or 16 */
    uint32_t sector_size, cluster_bytes, n_fats, fat_sectors, root_entries;
    uint32_t data_start;               /* sector of cluster 2 */
    uint32_t clusters, used_clusters, free_clusters;
    /* both kinds: FAT's data area by clusters, littlefs's region by blocks */
    uint64_t size_bytes, used_bytes, free_bytes;
    char label[12];                    /* root label, "" when none */
} vb_image_info;

/* Describe the image: layout, partition table, the firmware in each app
 * slot, and (mounting if needed) the filesystem's kind, geometry and usage.
 * A filesystem that does not mount is described by fs_state, not an error.
 * 0 or a negative errno. */
int vb_image_get_info(vb_image *im, vb_image_info *info);

#endif
