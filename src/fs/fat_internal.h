/* Shared between the sections of the FAT driver (fat_*.c); not a public API.
 *
 * Section map:
 *   fat_volume.c  sector window, mount checks, sync, statvfs, label
 *   fat_mkfs.c    format exactly as FatFs f_mkfs (flash.md §3)
 *   fat_table.c   FAT entries, cluster chains, allocation
 *   fat_dir.c     directory walking, long names, lookup, entry allocation, paths
 *   fat_file.c    open/read/write/seek/truncate/flush/close
 *   fat_ops.c     stat, listing, mkdir, rmdir, remove, rename
 * Layout facts cite flash.md sections. */
#ifndef VB_FS_FAT_INTERNAL_H
#define VB_FS_FAT_INTERNAL_H

#include <stdint.h>

#include "fat.h"
#include "util/le.h"

#define DIR_ENTRY 32u
#define DIR_MAX_ENTRIES 65536u  /* FatFs limit: a directory is at most 2 MiB */
#define WIN_NONE UINT32_MAX

/* Directory entry byte offsets (flash.md §4.3). */
#define DE_NAME 0
#define DE_ATTR 11
#define DE_NTRES 12
#define DE_CTIME 14
#define DE_CDATE 16
#define DE_ADATE 18
#define DE_CLUST_HI 20
#define DE_WTIME 22
#define DE_WDATE 24
#define DE_CLUST 26
#define DE_SIZE 28
#define DE_DELETED 0xE5

/* --- fat_volume.c: the sector window ----------------------------------- */
/* Write the window back if dirty (to both FAT copies for FAT sectors). */
int fat_sync_window(vb_fat *fs);
/* Make `sect` the window's sector, writing back the old one first. */
int fat_move_window(vb_fat *fs, uint32_t sect);
/* Window write-back, then the device's own sync. */
int fat_sync_fs(vb_fat *fs);
/* DOS date (high 16 bits) and time (low 16) from the caller's clock. */
uint32_t fat_now(const vb_fat *fs);
int fat_dev_read(vb_fat *fs, uint32_t sect, uint32_t count, void *buf);
int fat_dev_write(vb_fat *fs, uint32_t sect, uint32_t count, const void *buf);

/* --- fat_table.c -------------------------------------------------------- */
/* Read FAT entry `clst` into *val: -EIO for a cluster outside 2..C+1. */
int fat_get(vb_fat *fs, uint32_t clst, uint32_t *val);
int fat_put(vb_fat *fs, uint32_t clst, uint32_t val);
/* End-of-chain marker of this FAT type. */
uint32_t fat_eoc(const vb_fat *fs);
/* First sector of a data cluster, 0 when out of range. */
uint32_t fat_clust2sect(const vb_fat *fs, uint32_t clst);
/* Extend the chain after `clst` (0 = start a new chain). Returns the next
 * cluster (an existing link is followed), 0 when the volume is full, or a
 * negative errno. */
int64_t fat_create_chain(vb_fat *fs, uint32_t clst);
/* Free the chain from `clst`; if `prev` is non-zero mark it end of chain. */
int fat_remove_chain(vb_fat *fs, uint32_t clst, uint32_t prev);
/* Zero every sector of a cluster (new directory space). */
int fat_clear_cluster(vb_fat *fs, uint32_t clst);
/* Count free clusters. */
int64_t fat_count_free(vb_fat *fs);

/* --- fat_dir.c ---------------------------------------------------------- */
/* A directory entry read from disk, with its long name if valid. */
typedef struct fat_entry {
    uint8_t raw[DIR_ENTRY];    /* the 8.3 entry */
    uint16_t lfn[VB_FAT_NAME_MAX + 1];
    int lfn_len;               /* 0 when no valid long name */
    uint32_t first_index;      /* index of its first LFN slot (or the entry) */
    uint32_t sfn_index;        /* index of the 8.3 entry */
    uint32_t sfn_sect, sfn_off;/* where the 8.3 entry is on disk */
} fat_entry;

/* A parsed path component ready for lookup and creation. */
typedef struct fat_name {
    uint16_t lfn[VB_FAT_NAME_MAX + 1];
    int len;
    uint8_t sfn[11];
    uint8_t nt;
    int need_lfn;
    int lossy;
} fat_name;

uint32_t fat_entry_cluster(const vb_fat *fs, const uint8_t *raw);
void fat_entry_set_cluster(const vb_fat *fs, uint8_t *raw, uint32_t clst);
/* Position `d` at entry `index` of the directory starting at `start`. */
int fat_dir_seek(vb_fat *fs, vb_fat_dir *d, uint32_t start, uint32_t index);
/* Advance; with `stretch` a full subdirectory grows by a cleared cluster.
 * -ENOENT at the end (no stretch), -EACCES when it cannot grow. */
int fat_dir_next(vb_fat_dir *d, int stretch);
/* Pointer to the current entry inside the window (loads the sector). */
int fat_dir_entry(vb_fat_dir *d, uint8_t **ent);
/* Next visible entry from d's position (labels, dots and deleted skipped):
 * 1 found (d left after it), 0 end, <0 error. */
int fat_dir_read(vb_fat_dir *d, fat_entry *e);
/* Parse one path component into lookup/creation form: -EINVAL. */
int fat_name_parse(const vb_fat *fs, const char *comp, size_t len, fat_name *out);
/* Look `name` up in directory `start`: 1 found, 0 missing, <0 error. */
int fat_dir_find(vb_fat *fs, uint32_t start, const fat_name *name, fat_entry *e);
/* Resolve a path: the parent directory's start cluster and the last
 * component. *found says whether the last component exists (then `e` holds
 * it). An empty last component means the path is the root. */
typedef struct fat_path {
    uint32_t parent;           /* start cluster of the containing directory */
    int is_root;
    int found;
    fat_name name;
    fat_entry e;
} fat_path;
int fat_follow_path(vb_fat *fs, const char *path, fat_path *p);
/* Create the entries (LFN slots + 8.3) for `name` in `parent`, choosing a
 * unique alias; leaves the new 8.3 entry zeroed but for name/NT in the
 * window, and reports its position. */
int fat_dir_register(vb_fat *fs, uint32_t parent, fat_name *name,
                     uint32_t *sfn_sect, uint32_t *sfn_off);
/* Mark an entry and its LFN slots deleted. */
int fat_dir_remove(vb_fat *fs, uint32_t parent, const fat_entry *e);
/* Fill a public stat from an entry. */
void fat_entry_stat(const vb_fat *fs, const fat_entry *e, vb_fat_info *st);

#endif
