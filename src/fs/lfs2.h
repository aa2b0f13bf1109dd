/* littlefs v2 (on-disk versions 2.0 and 2.1) over a flash device given as
 * callbacks: format, mount, files, directories, custom attributes.
 *
 * Written from littlefs's SPEC.md (disk version 2.1) and made to behave as
 * littlefs 2.11 does inside MicroPython's VfsLfs2 (flash.md §6): the same
 * allocation order, commit layout, compaction, splits and wear relocation, so
 * that the same sequence of calls with the same configuration writes the same
 * bytes. Power-safe as littlefs is (flash.md §7): every metadata change is one
 * atomic commit, file data is copy-on-write and appears at sync/close.
 *
 * Paths are byte strings relative to the root; '/' separates names, "." is
 * skipped, ".." goes up (as littlefs resolves them: ".." above the root is
 * -EINVAL). Names are compared as bytes.
 *
 * Every call returns >= 0 on success (a count or position where it says so)
 * or a negative errno. The codes are littlefs's (its enum uses the Linux
 * values): -EIO device error, -EILSEQ corrupt image (littlefs's
 * LFS_ERR_CORRUPT, 84), -ENOENT, -EEXIST, -ENOTDIR, -EISDIR, -ENOTEMPTY,
 * -EBADF, -EFBIG, -EINVAL, -ENOSPC, -ENOMEM, -ENODATA (no such attribute,
 * LFS_ERR_NOATTR, 61), -ENAMETOOLONG. A hostile image gives an error, never a
 * crash, hang or out-of-range access: block pointers are range-checked and
 * every chain walk is bounded by the block count.
 *
 * Where this differs from littlefs 2.11 (each explained where it is done):
 *  - after a power cut, fixes littlefs lacks: no wear relocation while a
 *    relocation is being fixed up or orphans are pending (littlefs can then
 *    update a stale copy of a pair and lose the update: lfs2_compact.c);
 *    the allocator also marks files inside pairs that entries point at
 *    (lfs2_alloc.c); while a rename is pending, the entry after its source
 *    stays visible (lfs2_mdir.c); setattr/removeattr repair first, as
 *    every other write does (lfs2_ops.c). In normal operation the bytes
 *    written are littlefs's, except that a pair due for wear relocation
 *    inside such a fix-up moves at a later compaction instead.
 *  - refused where littlefs would corrupt or assert: a directory renamed
 *    below itself (-EINVAL); corrupt images (id counts outside 0..0x3fe, a
 *    CTZ size needing more blocks than the device, RAM-only tag types on
 *    disk, a superblock list without the superblock entry) give -EILSEQ.
 *  - an inline file bigger than our cache (written with a bigger cache) is
 *    moved to blocks before it is recommitted (littlefs reads past its
 *    buffer); vb_lfs2_unmount releases handles still open.
 *  - not provided: lfs_fs_gc, lfs_fs_grow, v1 migration, metadata_max,
 *    compact_thresh, caller-supplied buffers, locking.
 *
 * Not thread-safe: one vb_lfs2 and its open files belong to one thread. */
#ifndef VB_FS_LFS2_H
#define VB_FS_LFS2_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Limits of the format (SPEC.md "superblock"): what any image may declare. */
#define VB_LFS2_NAME_MAX 1022u
#define VB_LFS2_ATTR_MAX 1022u
#define VB_LFS2_FILE_MAX 2147483647u

/* On-disk versions, major << 16 | minor. */
#define VB_LFS2_VERSION_2_0 0x00020000u
#define VB_LFS2_VERSION_2_1 0x00020001u

/* config.inline_max: 0 = derive as littlefs does, this value = no inline
 * files. */
#define VB_LFS2_INLINE_OFF 0xFFFFFFFFu

/* Open flags: littlefs's values (lfs.h enum lfs_open_flags). */
#define VB_LFS2_O_RDONLY 0x0001
#define VB_LFS2_O_WRONLY 0x0002
#define VB_LFS2_O_RDWR   0x0003
#define VB_LFS2_O_CREAT  0x0100
#define VB_LFS2_O_EXCL   0x0200
#define VB_LFS2_O_TRUNC  0x0400
#define VB_LFS2_O_APPEND 0x0800

/* Entry types in vb_lfs2_info.type (SPEC.md "0x001 LFS_TYPE_REG"...). */
#define VB_LFS2_TYPE_REG 0x001
#define VB_LFS2_TYPE_DIR 0x002

/* MicroPython's mtime attribute (extmod/vfs_lfsx.c): type 1, 8 bytes, u64
 * little-endian nanoseconds since 1970-01-01. Pycom writes 4 bytes there
 * (FAT date and time); readers tell them apart by the size. */
#define VB_LFS2_ATTR_MTIME 1

/* The device: littlefs's semantics (flash.md §6): erase sets a whole block
 * to 0xFF, program only clears bits of erased bytes, read anything. Every
 * call returns 0 or a negative errno and must refuse (-EIO) ranges outside
 * the device. `sync` may be NULL. */
typedef struct vb_lfs2_dev {
    void *ctx;
    uint32_t block_size;     /* erase unit in bytes, >= 128 */
    uint32_t block_count;
    int (*read)(void *ctx, uint32_t block, uint32_t off, void *buf, uint32_t size);
    int (*prog)(void *ctx, uint32_t block, uint32_t off, const void *buf, uint32_t size);
    int (*erase)(void *ctx, uint32_t block);
    int (*sync)(void *ctx);
} vb_lfs2_dev;

/* What littlefs's struct lfs_config holds beside the device. None of it is
 * on disk except name_max/file_max/attr_max (written by format, limits when
 * mounting) and disk_version, but read/prog/cache sizes, lookahead and
 * block_cycles change which bytes get written. */
typedef struct vb_lfs2_config {
    uint32_t read_size;      /* reads are whole multiples of this */
    uint32_t prog_size;      /* programs are whole multiples of this */
    uint32_t cache_size;     /* multiple of read and prog size, divides the block */
    uint32_t lookahead_size; /* bytes of allocator bitmap (8 blocks per byte) */
    int32_t block_cycles;    /* erase cycles before a metadata pair moves; <= 0 off */
    uint32_t name_max;       /* 0 = 255; written by format, mount refuses more */
    uint32_t file_max;       /* 0 = VB_LFS2_FILE_MAX */
    uint32_t attr_max;       /* 0 = VB_LFS2_ATTR_MAX */
    uint32_t inline_max;     /* 0 = min(cache, attr_max, block/8); or VB_LFS2_INLINE_OFF */
    uint32_t disk_version;   /* what to write: 0 or VB_LFS2_VERSION_2_1, or _2_0 */
} vb_lfs2_config;

/* MicroPython's VfsLfs2 parameters (extmod/vfs_lfsx.c, flash.md §6): read 32,
 * the given prog size (esp32 32, rp2 256), cache min(block, 4 * max(read,
 * prog)) (128 / 1024), lookahead 32, block_cycles 100, name_max 255, file_max
 * 2^31-1, attr_max 1022, inline limit derived (128 / 512), disk version 2.1. */
void vb_lfs2_config_micropython(vb_lfs2_config *cfg, uint32_t block_size, uint32_t prog_size);
/* Pycom LittleFS (littlefs 2.0.3, flash.md §6): read = prog = cache = block,
 * no wear relocation, name_max 1022, disk version 2.0. */
void vb_lfs2_config_pycom(vb_lfs2_config *cfg, uint32_t block_size);

/* ---- in-RAM structures (fields are internal; allocate, do not touch) ---- */

typedef struct vb_lfs2_cache {
    uint32_t block;          /* 0xFFFFFFFF = empty, 0xFFFFFFFE = inline data */
    uint32_t off, size;
    uint8_t *buf;            /* cache_size bytes */
} vb_lfs2_cache;

/* One metadata pair as fetched (SPEC.md "Directories / Metadata pairs"). */
typedef struct vb_lfs2_mdir {
    uint32_t pair[2];        /* pair[0] = the block holding the newest log */
    uint32_t rev;
    uint32_t off;            /* end of the last valid commit */
    uint32_t etag;           /* last tag of that commit, for the XOR chain */
    uint16_t count;          /* ids in use */
    bool erased;             /* the rest of pair[0] may be programmed */
    bool split;              /* the tail continues this directory (hard tail) */
    uint32_t tail[2];
} vb_lfs2_mdir;

/* Global state (SPEC.md "0x7ff LFS_TYPE_MOVESTATE"): a pending move and the
 * orphan flag, XORed over every pair. */
typedef struct vb_lfs2_gstate {
    uint32_t tag;
    uint32_t pair[2];
} vb_lfs2_gstate;

/* Every open file and directory starts with this, chained into the volume
 * so that commits can fix up ids and pairs that move under them. */
typedef struct vb_lfs2_handle {
    struct vb_lfs2_handle *next;
    uint16_t id;
    uint8_t type;            /* VB_LFS2_TYPE_REG or _DIR; 0 = internal */
    vb_lfs2_mdir m;
} vb_lfs2_handle;

/* A custom attribute (littlefs struct lfs_attr). */
typedef struct vb_lfs2_attr {
    uint8_t type;
    void *buf;
    uint32_t size;           /* <= attr_max */
} vb_lfs2_attr;

typedef struct vb_lfs2 {
    const vb_lfs2_dev *dev;
    vb_lfs2_config cfg;      /* as given, defaults filled in */
    uint32_t block_count;
    uint32_t name_max, file_max, attr_max, inline_max;  /* in force */
    vb_lfs2_cache rcache, pcache;
    uint32_t root[2];
    vb_lfs2_handle *open;    /* open files and directories */
    uint32_t seed;           /* commit CRCs seen; picks where allocation starts */
    vb_lfs2_gstate gstate;   /* the state in force, in RAM */
    vb_lfs2_gstate gdisk;    /* the state as on disk */
    vb_lfs2_gstate gdelta;   /* state taken from dropped pairs, to re-commit */
    struct {
        uint32_t start;      /* block of bit 0 */
        uint32_t size;       /* blocks the bitmap covers */
        uint32_t next;       /* next bit to look at */
        uint32_t ckpoint;    /* blocks left to look at before -ENOSPC */
        uint8_t *map;        /* lookahead_size bytes, bit set = in use */
    } look;
    uint32_t fixup;          /* inside a relocation's fix-up commits */
    bool mounted;
} vb_lfs2;

typedef struct vb_lfs2_file {
    vb_lfs2_handle h;
    vb_lfs2 *fs;
    uint32_t ctz_head;       /* first block, or inline marker */
    uint32_t ctz_size;       /* size as last synced (or being written) */
    uint32_t flags;          /* VB_LFS2_O_* plus internal state bits */
    uint32_t pos;
    uint32_t block, off;     /* block of pos and offset in it */
    vb_lfs2_cache cache;
    const vb_lfs2_attr *attrs;
    uint32_t attr_count;
} vb_lfs2_file;

typedef struct vb_lfs2_dir {
    vb_lfs2_handle h;
    vb_lfs2 *fs;
    uint32_t pos;
    uint32_t head[2];
    uint32_t hops;           /* tail hops taken, bounded by the block count */
} vb_lfs2_dir;

typedef struct vb_lfs2_info {
    uint8_t type;            /* VB_LFS2_TYPE_REG or _DIR (other values: corrupt) */
    uint32_t size;           /* files only */
    char name[VB_LFS2_NAME_MAX + 1];
} vb_lfs2_info;

typedef struct vb_lfs2_fsinfo {
    uint32_t disk_version;   /* as on disk (2.0 until the first write upgrades it) */
    uint32_t block_size, block_count;
    uint32_t name_max, file_max, attr_max;
} vb_lfs2_fsinfo;

/* MicroPython's statvfs (extmod/vfs_lfsx.c): used = blocks a traversal
 * visits, orphans included (lfs_fs_traverse). */
typedef struct vb_lfs2_usage {
    uint32_t block_size;
    uint32_t block_count;
    uint32_t used_blocks;
    uint32_t free_blocks;
} vb_lfs2_usage;

/* ---- volume ------------------------------------------------------------- */

/* The configuration checks of lfs_init, done once: -EINVAL when a size is
 * zero or does not divide as littlefs requires, or a limit is out of range. */
int vb_lfs2_check_config(const vb_lfs2_dev *dev, const vb_lfs2_config *cfg);

/* Format the whole device (lfs_format): root pair at blocks 0/1 with the
 * superblock entry, compacted twice; re-read to verify. */
int vb_lfs2_format(const vb_lfs2_dev *dev, const vb_lfs2_config *cfg);

/* Mount (lfs_mount): finds the superblock ("littlefs" in pair 0/1 or along
 * its tail list), checks major version 2 with minor <= the configured one,
 * block size and count equal to the device's, name/file/attr max <= the
 * configured ones (-EINVAL otherwise; -EILSEQ when no valid pair). Reads the
 * global state. Writes nothing: a pending move or orphan and a 2.0 -> 2.1
 * superblock upgrade (only when configured for 2.1) are done at the first
 * write. `fs` must stay at a fixed address while files or dirs are open. */
int vb_lfs2_mount(vb_lfs2 *fs, const vb_lfs2_dev *dev, const vb_lfs2_config *cfg);
/* Frees the buffers. Open files are NOT synced (close them first): files
 * and directories still open are released, their unsynced data dropped as
 * a power cut would, and any later call on them gives -EBADF. */
int vb_lfs2_unmount(vb_lfs2 *fs);

int vb_lfs2_fsinfo_get(vb_lfs2 *fs, vb_lfs2_fsinfo *out);
int vb_lfs2_statvfs(vb_lfs2 *fs, vb_lfs2_usage *out);
/* Blocks in use as lfs_fs_size counts them (orphans not counted). */
int32_t vb_lfs2_fs_size(vb_lfs2 *fs);
/* Call cb for every block in use (lfs_fs_traverse; a block may come twice).
 * A non-zero return from cb stops the walk and is returned. */
int vb_lfs2_traverse(vb_lfs2 *fs, int (*cb)(void *ctx, uint32_t block), void *ctx);
/* Repair a pending move or orphan and upgrade the superblock now
 * (lfs_fs_mkconsistent), instead of at the first write. */
int vb_lfs2_mkconsistent(vb_lfs2 *fs);

/* ---- files -------------------------------------------------------------- */

/* Open with VB_LFS2_O_* flags (lfs_file_open). -ENOENT, -EEXIST (EXCL),
 * -EISDIR, -ENOTDIR, -ENAMETOOLONG, -ENOSPC, -ENOMEM. */
int vb_lfs2_open(vb_lfs2 *fs, vb_lfs2_file *f, const char *path, int flags);
/* As lfs_file_opencfg: `attrs` (kept by pointer, must outlive the file) are
 * read at open when readable and written at every sync/close when writable,
 * atomically with the data; MicroPython passes its mtime this way. A buffer
 * the caller changes before close is what gets written. */
int vb_lfs2_opencfg(vb_lfs2 *fs, vb_lfs2_file *f, const char *path, int flags,
                    const vb_lfs2_attr *attrs, uint32_t attr_count);
/* Python mode string to flags as MicroPython's VfsLfs2 maps it: "r", "w",
 * "a", "x", optional "+", "b"/"t" ignored. -EINVAL on a bad mode. */
int vb_lfs2_mode_flags(const char *mode);

/* Bytes read (0 at end), -EBADF when not readable. */
ssize_t vb_lfs2_read(vb_lfs2_file *f, void *buf, size_t n);
/* Bytes written, -EBADF when not writable, -EFBIG past file_max, -ENOSPC. */
ssize_t vb_lfs2_write(vb_lfs2_file *f, const void *buf, size_t n);
/* whence 0/1/2 = SET/CUR/END. New position, -EINVAL outside 0..file_max.
 * Seeking past the end and writing fills the gap with zeros. */
int32_t vb_lfs2_seek(vb_lfs2_file *f, int32_t off, int whence);
int32_t vb_lfs2_tell(vb_lfs2_file *f);
int32_t vb_lfs2_size(vb_lfs2_file *f);
int vb_lfs2_rewind(vb_lfs2_file *f);
/* Set the size (shrink, or grow with zeros); the position stays. */
int vb_lfs2_truncate(vb_lfs2_file *f, uint32_t size);
/* Write data, then commit size, structure and attributes in one commit. */
int vb_lfs2_sync(vb_lfs2_file *f);
/* Sync and release; -EBADF when not open. */
int vb_lfs2_close(vb_lfs2_file *f);

/* ---- directories and names ---------------------------------------------- */

int vb_lfs2_opendir(vb_lfs2 *fs, vb_lfs2_dir *d, const char *path);
/* 1 and `info` per entry, 0 at the end. Like littlefs, "." and ".." come
 * first (type dir, size 0); MicroPython's ilistdir skips them. Then the
 * entries in on-disk order (littlefs's name order). */
int vb_lfs2_readdir(vb_lfs2_dir *d, vb_lfs2_info *info);
int vb_lfs2_seekdir(vb_lfs2_dir *d, uint32_t pos);
int32_t vb_lfs2_telldir(vb_lfs2_dir *d);
int vb_lfs2_rewinddir(vb_lfs2_dir *d);
int vb_lfs2_closedir(vb_lfs2_dir *d);

/* The root gives type dir, name "/". A trailing '/' on a file: -ENOTDIR. */
int vb_lfs2_stat(vb_lfs2 *fs, const char *path, vb_lfs2_info *info);
/* -EEXIST, -ENOENT (parent), -ENOTDIR, -ENAMETOOLONG, -ENOSPC. */
int vb_lfs2_mkdir(vb_lfs2 *fs, const char *path);
/* A file or an empty directory: -ENOTEMPTY, -EINVAL for the root. */
int vb_lfs2_remove(vb_lfs2 *fs, const char *path);
/* Atomic (a pending move in the global state covers a cut between the two
 * pairs). An existing target of the same type is replaced (a directory only
 * when empty: -ENOTEMPTY); of the other type: -EISDIR / -ENOTDIR. A
 * directory moved below itself: -EINVAL (littlefs does not check). */
int vb_lfs2_rename(vb_lfs2 *fs, const char *from, const char *to);

/* Custom attributes (lfs_getattr/setattr/removeattr). getattr returns the
 * stored size (the buffer gets min(size, stored), zero padded) or -ENODATA;
 * setattr -ENOSPC above attr_max. On the root they live on the superblock
 * entry, as littlefs keeps them. */
ssize_t vb_lfs2_getattr(vb_lfs2 *fs, const char *path, uint8_t type, void *buf, uint32_t size);
int vb_lfs2_setattr(vb_lfs2 *fs, const char *path, uint8_t type, const void *buf, uint32_t size);
int vb_lfs2_removeattr(vb_lfs2 *fs, const char *path, uint8_t type);

#endif
