/* An independent littlefs v2 consistency checker ("vboard image check").
 *
 * A second opinion: it reads the volume only through a vb_lfs2_dev, with
 * its own parsing (commits are replayed forward, not looked up backwards as
 * lfs2_mdir.c does), and never writes. Every walk is bounded by the block
 * count, so a hostile image cannot make it hang or read outside the device.
 *
 * Checked: the superblock (magic, version 2.0/2.1, geometry equal to the
 * device's, limits), every metadata pair on the tail list (in range, two
 * distinct blocks, at least one valid commit, tags that littlefs writes,
 * ids consistent with creates/deletes), loops in the tail list and in each
 * directory's chain, the global state (a pending move must name an existing
 * entry), every directory entry (a name, a struct of the right kind and
 * size), every CTZ list (in range, length matching the size, skip pointers
 * right, no loop), blocks used twice, pairs on the list that no directory
 * owns (orphans; expected only while the global state flags them),
 * directories whose pair is not on the list, unsafe names ('/', '\\', NUL or
 * control characters, "." or "..", empty, longer than name_max) and
 * duplicate names in a directory. A torn last commit is what power loss
 * leaves and littlefs ignores: not a problem. */
#ifndef VB_FS_LFS2_CHECK_H
#define VB_FS_LFS2_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lfs2.h"

/* Directories deeper than this are reported and not descended into. */
#define VB_LFS2_CHECK_MAX_DEPTH 64

/* One call per problem (one line, no newline), and for notes (a pending
 * move or orphans, said as such); `line` is valid only during the call. */
typedef void (*vb_lfs2_check_report_fn)(void *ctx, const char *line);

typedef struct vb_lfs2_check_stats {
    bool found;               /* a littlefs superblock was found */
    uint32_t disk_version;
    uint32_t block_size, block_count;
    uint32_t name_max, file_max, attr_max;
    uint32_t pairs;           /* metadata pairs on the tail list */
    uint32_t dirs;            /* directories, the root not counted */
    uint32_t files;
    uint32_t inline_files;
    uint32_t used_blocks;     /* distinct blocks in use (pairs + file data) */
    bool pending_move;        /* global state: a rename to finish */
    bool pending_orphans;     /* global state: orphans to remove */
    uint32_t orphans;         /* pairs no directory owns */
} vb_lfs2_check_stats;

/* Check the volume on `dev`. Returns the number of problems (0 = clean), or
 * a negative errno with the reason reported: -ENODEV when there is no
 * littlefs v2 superblock at all, -EIO when the device cannot be read,
 * -ENOMEM. `stats` may be NULL; it is filled as far as the check got. */
int vb_lfs2_check(const vb_lfs2_dev *dev, vb_lfs2_check_report_fn report, void *ctx,
                  vb_lfs2_check_stats *stats);

/* The same, collecting the report: as many whole lines as fit in `buf`
 * (each ending in '\n', NUL-terminated), then "...\n" if some were left
 * out. */
int vb_lfs2_check_text(const vb_lfs2_dev *dev, char *buf, size_t len, vb_lfs2_check_stats *stats);

#endif
