/* FAT12/16 filesystem over a vb_blockdev: mkfs, mount, files, directories.
 *
 * Behaviour follows FatFs R0.13c as MicroPython builds it (flash.md §3–§4):
 * the same mount checks, the same mkfs bytes, the same write order (one
 * sector window for FAT and directory sectors, written back before another
 * sector is loaded; file data through a per-file sector buffer), the same
 * errno for each failure. Pure C: no CPython, no host file I/O.
 *
 * Names are byte strings. With VB_FAT_NAMES_OEM (the board), each byte >= 0x80
 * is one code page 437 character, as MicroPython's FatFs does; with
 * VB_FAT_NAMES_UTF8 (host tools) names are UTF-8 and map to UTF-16 long names.
 * Paths are relative to the volume root; a leading '/' is allowed; "." and
 * ".." components are resolved.
 *
 * Every call returns >= 0 on success (a count where it says so) or a negative
 * errno: -ENOENT, -EEXIST, -ENOTEMPTY... (see each call). */
#ifndef VB_FS_FAT_H
#define VB_FS_FAT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "blockdev.h"

#define VB_FAT_MAX_SS 4096
#define VB_FAT_NAME_MAX 255          /* UTF-16 units of a long name */
#define VB_FAT_NAME_BUF (255 * 3 + 1) /* bytes for any name, UTF-8 or OEM, + NUL */

typedef struct vb_datetime {
    uint16_t year;                    /* 1980..2107 after clamping */
    uint8_t month, day, hour, minute, second;
} vb_datetime;

/* The caller's clock (the board RTC, or host local time). */
typedef void (*vb_clock_fn)(void *ctx, vb_datetime *now);

typedef enum vb_fat_names { VB_FAT_NAMES_OEM = 0, VB_FAT_NAMES_UTF8 = 1 } vb_fat_names;

typedef enum vb_fat_type { VB_FAT12 = 12, VB_FAT16 = 16 } vb_fat_type;

/* Directory entry attributes (flash.md §4.3). */
#define VB_FAT_ATTR_RDONLY 0x01
#define VB_FAT_ATTR_HIDDEN 0x02
#define VB_FAT_ATTR_SYSTEM 0x04
#define VB_FAT_ATTR_VOLUME 0x08
#define VB_FAT_ATTR_DIR 0x10
#define VB_FAT_ATTR_ARCHIVE 0x20
#define VB_FAT_ATTR_LFN 0x0F

typedef struct vb_fat_mkfs_opts {
    uint32_t hidden_sectors;   /* BPB field; 0, or 256 for the pyboard layout */
    const char *label;         /* root-directory label entry, or NULL */
} vb_fat_mkfs_opts;

/* The mounted volume. Fields are read-only for callers. */
typedef struct vb_fat {
    const vb_blockdev *bd;
    vb_clock_fn clock;
    void *clock_ctx;
    vb_fat_names names;
    vb_fat_type type;
    uint32_t ss;               /* bytes per sector */
    uint32_t spc;              /* sectors per cluster */
    uint32_t n_fats;           /* 1 or 2 */
    uint32_t fat_start;        /* first sector of FAT 1 */
    uint32_t fat_size;         /* sectors per FAT */
    uint32_t root_start;       /* first root directory sector */
    uint32_t root_entries;
    uint32_t data_start;       /* sector of cluster 2 */
    uint32_t n_clusters;       /* data clusters: valid numbers are 2..n+1 */
    uint32_t total_sectors;
    uint32_t volume_base;      /* LBA of the volume (non-zero behind an MBR) */
    uint32_t last_alloc;       /* allocation hint: last cluster allocated */
    /* the sector window for FAT and directory sectors */
    uint32_t win_sector;       /* UINT32_MAX = empty */
    bool win_dirty;
    uint8_t win[VB_FAT_MAX_SS];
} vb_fat;

typedef struct vb_fat_file {
    vb_fat *fs;
    bool open;
    bool readable, writable;
    bool modified;             /* data, size or chain changed since last sync */
    int err;                   /* sticky error after a failed transfer (FatFs
                                  refuses further I/O on such a file) */
    uint32_t dir_sector;       /* where its 8.3 entry lives */
    uint32_t dir_offset;       /* byte offset of the entry in that sector */
    uint32_t first_cluster;    /* 0 for an empty file */
    uint32_t size;
    uint32_t pos;
    uint32_t clust;            /* cluster of pos; at a cluster boundary the
                                  one before it (the next is found lazily) */
    uint32_t sect;             /* data sector of pos when pos is inside one */
    /* No data buffer: file data shares the volume's sector window, as FatFs
     * does when MicroPython builds it with FF_FS_TINY. */
} vb_fat_file;

typedef struct vb_fat_dir {
    vb_fat *fs;
    uint32_t start;            /* first cluster; 0 = the fixed root directory */
    uint32_t clust;            /* cluster holding entry `index` (subdirectories) */
    uint32_t sect;             /* sector holding entry `index`; 0 = at the end */
    uint32_t index;            /* entry number within the directory */
} vb_fat_dir;

typedef struct vb_fat_info {
    char name[VB_FAT_NAME_BUF];/* long name, or 8.3 name with NT case applied */
    char short_name[13];       /* 8.3 form as stored, "NAME.EXT" */
    uint8_t attr;
    bool is_dir;
    uint32_t size;
    uint32_t first_cluster;
    uint16_t wdate, wtime;     /* DOS write date/time */
    uint16_t cdate, ctime;     /* DOS create date/time */
} vb_fat_info;

typedef struct vb_fat_usage {
    uint32_t cluster_bytes;
    uint32_t n_clusters;
    uint32_t free_clusters;
} vb_fat_usage;

/* --- volume ------------------------------------------------------------ */

/* Format the whole device as MicroPython's VfsFat.mkfs does (flash.md §3).
 * -EIO when the device is too small or a write fails. The clock stamps the
 * volume serial. Verifies the result by mounting it. */
int vb_fat_mkfs(const vb_blockdev *bd, const vb_fat_mkfs_opts *opts,
                vb_clock_fn clock, void *clock_ctx);

/* Mount: -ENODEV "no filesystem" (any check of flash.md §4.1 fails, FAT32
 * included), -EIO read error. `fs` must stay at a fixed address while files
 * and directories of it are open. */
int vb_fat_mount(vb_fat *fs, const vb_blockdev *bd, vb_fat_names names,
                 vb_clock_fn clock, void *clock_ctx);
/* Write back the sector window and sync the device. Open files are not
 * flushed: close them first. */
int vb_fat_sync(vb_fat *fs);
int vb_fat_unmount(vb_fat *fs);

int vb_fat_statvfs(vb_fat *fs, vb_fat_usage *out);
/* Root label (from the root directory's label entry), "" when none. */
int vb_fat_getlabel(vb_fat *fs, char *out, size_t outlen);
/* Set/replace the root label; "" removes it. -EINVAL on bad characters. */
int vb_fat_setlabel(vb_fat *fs, const char *label);

/* --- files ------------------------------------------------------------- */

/* mode: "r", "w", "a", "x", each optionally with "+" and "b"/"t" (ignored).
 * -ENOENT missing (or a directory with "r"), -EEXIST ("x"), -EACCES (a
 * directory or read-only file for writing, full root), -EINVAL bad mode or
 * name, -ENOSPC. */
int vb_fat_open(vb_fat *fs, vb_fat_file *f, const char *path, const char *mode);
/* Bytes read (0 at end), or -EBADF when not readable, -EIO. */
ssize_t vb_fat_read(vb_fat_file *f, void *buf, size_t n);
/* Bytes written; a short count when the volume fills up (0 → -ENOSPC). */
ssize_t vb_fat_write(vb_fat_file *f, const void *buf, size_t n);
/* whence 0/1/2 as SEEK_SET/CUR/END. New position, -EINVAL for a negative or
 * >4 GiB result. Seeking past the end of a writable file extends it, the gap
 * not zeroed (flash.md §4.6); read-only files clamp to their size. */
int64_t vb_fat_seek(vb_fat_file *f, int64_t offset, int whence);
/* Cut the file at its current position (frees clusters after it). */
int vb_fat_truncate(vb_fat_file *f);
/* Write data, FAT, then the directory entry (size, cluster, write time). */
int vb_fat_flush(vb_fat_file *f);
/* Flush and invalidate; -EBADF when already closed. */
int vb_fat_close(vb_fat_file *f);

/* --- names ------------------------------------------------------------- */

/* Iterate a directory: returns 1 and fills `st` per entry, 0 at the end.
 * Hides ".", ".." and the label; entries in on-disk order. */
/* -ENOENT when missing or a file (FatFs: no path). */
int vb_fat_opendir(vb_fat *fs, vb_fat_dir *d, const char *path);
int vb_fat_readdir(vb_fat_dir *d, vb_fat_info *st);

/* The root itself gives is_dir with a zero time. -ENOENT. */
int vb_fat_stat(vb_fat *fs, const char *path, vb_fat_info *st);
/* -EEXIST, -ENOENT (missing parent), -EACCES (directory full or no free
 * cluster, as FatFs reports both). */
int vb_fat_mkdir(vb_fat *fs, const char *path);
/* Empty directories only: -EACCES not empty, -ENOTDIR a file, -EACCES root. */
int vb_fat_rmdir(vb_fat *fs, const char *path);
/* -EISDIR on a directory, -EACCES read-only. */
int vb_fat_remove(vb_fat *fs, const char *path);
/* Across directories too; an existing file target is removed first (two
 * steps, as MicroPython); existing directory target → -EISDIR; moving a
 * directory into itself → -EINVAL. */
int vb_fat_rename(vb_fat *fs, const char *from, const char *to);

/* Convert a DOS date/time pair to seconds since 1970-01-01 (UTC, no zone). */
int64_t vb_fat_dos_to_unix(uint16_t date, uint16_t time);

#endif
