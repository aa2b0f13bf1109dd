/* An independent FAT12/16 consistency checker ("vboard image check").
 *
 * A second opinion in the manner of `fsck.fat -n`: it reads the volume only
 * through a vb_blockdev, with its own parsing (nothing from fat.c), and never
 * writes. Every walk is bounded (chains by the cluster count, directory
 * nesting by VB_FAT_CHECK_MAX_DEPTH, reads by the device size), so a hostile
 * image cannot make it hang or read outside the device.
 *
 * Checked: the boot sector as FatFs mounts it (flash.md §4.1, including the
 * PC-partition-table fallback), FAT copies identical, FAT entries 0/1, every
 * file and directory chain (in range, no loop, no cluster shared by two
 * owners, length = ceil(size / cluster bytes), size 0 <-> no cluster), "." and
 * ".." of every subdirectory, directory loops, 8.3 names with illegal bytes,
 * long-name slot sequences (order, checksum, orphans), duplicate 8.3 names,
 * and lost clusters (allocated but unreachable). */
#ifndef VB_FS_FAT_CHECK_H
#define VB_FS_FAT_CHECK_H

#include <stdint.h>

#include "blockdev.h"

/* Subdirectories deeper than this are reported and not descended into. */
#define VB_FAT_CHECK_MAX_DEPTH 64

/* One call per problem found (one line, no trailing newline), and one for
 * the reason when the volume is not FAT12/16 at all. `line` is valid only
 * during the call. */
typedef void (*vb_fat_check_report_fn)(void *ctx, const char *line);

typedef struct vb_fat_check_stats {
    unsigned fat_bits;          /* 12 or 16; 0 when no FAT12/16 volume was found */
    uint32_t volume_base;       /* LBA of the volume (non-zero behind a partition table) */
    uint32_t cluster_bytes;
    uint32_t clusters;          /* data clusters: numbers 2..clusters+1 */
    uint32_t used_clusters;     /* FAT entries that are not free (bad and lost included) */
    uint32_t free_clusters;
    uint32_t bad_clusters;      /* marked bad (FF7 / FFF7) */
    uint32_t lost_clusters;     /* allocated but reachable from no file or directory */
    uint32_t files;
    uint32_t dirs;              /* subdirectories; the root is not counted */
} vb_fat_check_stats;

/* Check the volume on `bd`. Returns the number of problems (0 = clean), or a
 * negative errno with the reason reported: -ENODEV when there is no FAT12/16
 * filesystem (what FatFs would call "no filesystem", FAT32 included), -EIO
 * when the boot sector, FATs or root directory cannot be read, -ENOMEM.
 * `stats` may be NULL; it is filled as far as the check got. */
int vb_fat_check(const vb_blockdev *bd, vb_fat_check_report_fn report, void *ctx,
                 vb_fat_check_stats *stats);

#endif
