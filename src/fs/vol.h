/* A mounted filesystem, whichever it is: the one interface the board's os
 * module, its _boot stage and the host tools use, so that each of them
 * works the same on FAT (Pycom, old vboard images) and on littlefs v2
 * (esp32, rp2; issue 12 §3).
 *
 * Each driver keeps its own semantics and errno, as MicroPython's VfsFat and
 * VfsLfs2 do (fat.h, lfs2.h): FAT's rmdir refuses a file, littlefs's removes
 * it; a littlefs file opened for writing carries MicroPython's mtime
 * attribute. What this layer adds is only the common shape: one info
 * struct, one usage struct, directory listings without "." and "..".
 *
 * Pure C: no Python, no host file I/O. Every call returns >= 0 on success or
 * a negative errno. Not thread-safe. */
#ifndef VB_FS_VOL_H
#define VB_FS_VOL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "fat.h"
#include "lfs2.h"

typedef enum vb_vol_kind { VB_VOL_FAT, VB_VOL_LFS2 } vb_vol_kind;

/* Bytes for any name either driver returns, NUL included. */
#define VB_VOL_NAME_BUF (VB_LFS2_NAME_MAX + 1 > VB_FAT_NAME_BUF ? VB_LFS2_NAME_MAX + 1 : VB_FAT_NAME_BUF)

/* The caller's wall clock: seconds since 1970-01-01 on the clock's own
 * calendar (the board RTC has no time zone; host tools give local time, as
 * FAT stamps always were) and the nanoseconds within the second. FAT keeps
 * the date and time; littlefs keeps MicroPython's 64-bit nanoseconds. */
typedef struct vb_vol_clock {
    void *ctx;
    void (*now)(void *ctx, int64_t *secs, uint32_t *nsec);
} vb_vol_clock;

/* A vb_clock_fn for FAT (fat.h) whose ctx is a `const vb_vol_clock *`:
 * the clock's seconds as a date and time. */
void vb_vol_clock_fat(void *clock, vb_datetime *now);

typedef struct vb_vol_info {
    char name[VB_VOL_NAME_BUF];
    bool is_dir;
    uint32_t size;             /* files; 0 for directories */
    int64_t mtime;             /* seconds since 1970 on the clock's calendar;
                                  0 when the entry has none */
} vb_vol_info;

/* What os.statvfs reports, per driver (MicroPython's vfs_fat.c / vfs_lfsx.c):
 * FAT: cluster size, data clusters, free clusters, 255;
 * littlefs: block size, block count, blocks not in use, its name_max. */
typedef struct vb_vol_usage {
    uint32_t block_size;
    uint32_t blocks;
    uint32_t free_blocks;
    uint32_t name_max;
} vb_vol_usage;

typedef struct vb_vol_ops vb_vol_ops;

/* A mounted volume. Must not move while mounted (the drivers keep pointers
 * into it); fields are the drivers' own. Zero it before its first mount. */
typedef struct vb_vol {
    const vb_vol_ops *ops;
    uint32_t generation;       /* +1 at every mount: a file or directory of an
                                  earlier mount is stale (-EBADF), never let
                                  loose on the volume mounted since */
    vb_vol_kind kind;
    vb_vol_clock clock;
    bool mtime;                /* littlefs: files carry the mtime attribute */
    union {
        vb_fat fat;
        vb_lfs2 lfs2;
    } u;
} vb_vol;

typedef struct vb_vol_file {
    vb_vol *vol;
    uint32_t generation;       /* the volume's at open */
    bool open;
    bool readable, writable;   /* from the mode */
    union {
        vb_fat_file fat;
        struct {
            vb_lfs2_file f;
            vb_lfs2_attr attr;       /* the mtime attribute, by pointer */
            uint8_t mtime[8];
        } lfs2;
    } u;
} vb_vol_file;

typedef struct vb_vol_dir {
    vb_vol *vol;
    uint32_t generation;       /* the volume's at opendir */
    union {
        vb_fat_dir fat;
        vb_lfs2_dir lfs2;
    } u;
} vb_vol_dir;

/* ---- mounting ----------------------------------------------------------- */

/* FAT on a sector device (fat.h vb_fat_mount). */
int vb_vol_mount_fat(vb_vol *v, const vb_blockdev *bd, vb_fat_names names,
                     const vb_vol_clock *clock);
/* littlefs on a flash device (lfs2.h vb_lfs2_mount). With `mtime`, files
 * opened for writing carry MicroPython's mtime attribute (VfsLfs2's
 * mtime=True, its default) and stat reports it. */
int vb_vol_mount_lfs2(vb_vol *v, const vb_lfs2_dev *dev, const vb_lfs2_config *cfg, bool mtime,
                      const vb_vol_clock *clock);
/* Write back what the driver holds (FAT's sector window; littlefs writes
 * through) and sync the device. Open files are not flushed. */
int vb_vol_sync(vb_vol *v);
/* Sync and release. Files still open are dropped, not flushed. */
int vb_vol_unmount(vb_vol *v);
int vb_vol_statvfs(vb_vol *v, vb_vol_usage *u);

/* ---- names -------------------------------------------------------------- */

/* The root is a directory with no time. */
int vb_vol_stat(vb_vol *v, const char *path, vb_vol_info *info);
int vb_vol_mkdir(vb_vol *v, const char *path);
int vb_vol_rmdir(vb_vol *v, const char *path);
int vb_vol_remove(vb_vol *v, const char *path);
int vb_vol_rename(vb_vol *v, const char *from, const char *to);

/* Entries in on-disk order, never "." or "..": 1 per entry, 0 at the end.
 * Listings carry no time on littlefs (mtime 0: it is an attribute of the
 * entry, stat it), as MicroPython's ilistdir has none. Close every
 * directory opened (littlefs tracks open handles). */
int vb_vol_opendir(vb_vol *v, vb_vol_dir *d, const char *path);
int vb_vol_readdir(vb_vol_dir *d, vb_vol_info *info);
int vb_vol_closedir(vb_vol_dir *d);

/* ---- files -------------------------------------------------------------- */

/* mode: a Python mode string ("r", "w", "a", "x", "+", "b"/"t"), parsed as
 * the driver's MicroPython VFS does. */
int vb_vol_open(vb_vol *v, vb_vol_file *f, const char *path, const char *mode);
ssize_t vb_vol_read(vb_vol_file *f, void *buf, size_t n);
ssize_t vb_vol_write(vb_vol_file *f, const void *buf, size_t n);
/* whence 0/1/2. The new position, or a negative errno. */
int64_t vb_vol_seek(vb_vol_file *f, int64_t off, int whence);
/* The file's size now (written data included). */
int64_t vb_vol_size(vb_vol_file *f);
/* Make the written data durable (FAT flush, littlefs sync). */
int vb_vol_flush(vb_vol_file *f);
/* Flush and release; -EBADF when not open. */
int vb_vol_close(vb_vol_file *f);

/* The calls behind a volume (vol_fat.c, vol_lfs2.c). */
struct vb_vol_ops {
    /* what a read of a write-only file (or the reverse) raises: FatFs's
     * FR_DENIED is EACCES, littlefs's LFS_ERR_BADF is EBADF */
    int denied_errno;
    int (*sync)(vb_vol *v);
    int (*unmount)(vb_vol *v);
    int (*statvfs)(vb_vol *v, vb_vol_usage *u);
    int (*stat)(vb_vol *v, const char *path, vb_vol_info *info);
    int (*mkdir)(vb_vol *v, const char *path);
    int (*rmdir)(vb_vol *v, const char *path);
    int (*remove)(vb_vol *v, const char *path);
    int (*rename)(vb_vol *v, const char *from, const char *to);
    int (*opendir)(vb_vol *v, vb_vol_dir *d, const char *path);
    int (*readdir)(vb_vol_dir *d, vb_vol_info *info);
    int (*closedir)(vb_vol_dir *d);
    int (*open)(vb_vol *v, vb_vol_file *f, const char *path, const char *mode);
    ssize_t (*read)(vb_vol_file *f, void *buf, size_t n);
    ssize_t (*write)(vb_vol_file *f, const void *buf, size_t n);
    int64_t (*seek)(vb_vol_file *f, int64_t off, int whence);
    int64_t (*size)(vb_vol_file *f);
    int (*flush)(vb_vol_file *f);
    int (*close)(vb_vol_file *f);
};

extern const vb_vol_ops vb_vol_fat_ops, vb_vol_lfs2_ops;

/* For the drivers' mount calls: clear v for a new mount of this kind, the
 * generation moved on (stale handles of the last mount), the clock kept. */
void vb_vol_begin_mount(vb_vol *v, const vb_vol_ops *ops, vb_vol_kind kind,
                        const vb_vol_clock *clock);

#endif
