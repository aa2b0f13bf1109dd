/* littlefs v2 internals shared by the lfs2_*.c files: the on-disk constants
 * (each defined once, named after SPEC.md), tag arithmetic, and the workers
 * each file provides. Not for users of lfs2.h. */
#ifndef VB_FS_LFS2_INTERNAL_H
#define VB_FS_LFS2_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lfs2.h"

/* ---- on-disk constants (SPEC.md) --------------------------------------- */

#define VB_LFS2_BLOCK_NULL   0xFFFFFFFFu  /* "a null block address" */
#define VB_LFS2_BLOCK_INLINE 0xFFFFFFFEu  /* in RAM only: data inside an mdir */

#define VB_LFS2_MAGIC     "littlefs"      /* superblock name, 8 bytes */
#define VB_LFS2_MAGIC_LEN 8u
#define VB_LFS2_SUPERBLOCK_SIZE 24u       /* inline struct: six u32 */
#define VB_LFS2_ID_NONE   0x3FFu          /* tags that belong to no file */
#define VB_LFS2_SIZE_DELETED 0x3FFu       /* tag length meaning "deleted" */

/* Tag types (11 bits, SPEC.md "Metadata types"). type1 = top 3 bits. */
enum {
    VB_LFS2_T_NAME       = 0x000,  /* type1: names (chunk = file type) */
    VB_LFS2_T_REG        = 0x001,
    VB_LFS2_T_DIR        = 0x002,
    VB_LFS2_T_SUPERBLOCK = 0x0ff,
    VB_LFS2_T_FROM       = 0x100,  /* type1: RAM-only commit sources */
    VB_LFS2_T_STRUCT     = 0x200,  /* type1: how an entry is stored */
    VB_LFS2_T_DIRSTRUCT  = 0x200,
    VB_LFS2_T_INLINESTRUCT = 0x201,
    VB_LFS2_T_CTZSTRUCT  = 0x202,
    VB_LFS2_T_USERATTR   = 0x300,  /* type1: custom attributes, chunk = type */
    VB_LFS2_T_SPLICE     = 0x400,  /* type1: create/delete, chunk = +1/-1 */
    VB_LFS2_T_CREATE     = 0x401,
    VB_LFS2_T_DELETE     = 0x4ff,
    VB_LFS2_T_CRC        = 0x500,  /* type1: commit CRC (chunk bit 0 = valid-bit flip) */
    VB_LFS2_T_CCRC       = 0x500,
    VB_LFS2_T_FCRC       = 0x5ff,  /* 2.1: CRC of the erased bytes after a commit */
    VB_LFS2_T_TAIL       = 0x600,  /* type1: next pair, chunk bit 0 = hard */
    VB_LFS2_T_SOFTTAIL   = 0x600,
    VB_LFS2_T_HARDTAIL   = 0x601,
    VB_LFS2_T_GLOBALS    = 0x700,
    VB_LFS2_T_MOVESTATE  = 0x7ff,
};

/* Commit sources that exist only in RAM (littlefs LFS_FROM_*). */
enum {
    VB_LFS2_FROM_NOOP      = 0x000,  /* a placeholder tag: skipped */
    VB_LFS2_FROM_MOVE      = 0x101,  /* copy an entry's struct+attrs from another mdir */
    VB_LFS2_FROM_USERATTRS = 0x102,  /* expand a vb_lfs2_attr list */
};

/* Internal file flags above the VB_LFS2_O_* bits (littlefs LFS_F_*). */
enum {
    VB_LFS2_F_DIRTY   = 0x010000,  /* file differs from what is committed */
    VB_LFS2_F_WRITING = 0x020000,  /* written since the last flush */
    VB_LFS2_F_READING = 0x040000,  /* cache holds read data */
    VB_LFS2_F_ERRED   = 0x080000,  /* a write failed: do not commit */
    VB_LFS2_F_INLINE  = 0x100000,  /* data lives in the mdir */
};

/* Return codes of commits besides 0 and -errno (littlefs LFS_OK_*). */
enum { VB_LFS2_OK_RELOCATED = 1, VB_LFS2_OK_DROPPED = 2, VB_LFS2_OK_ORPHANED = 3 };

/* Results of comparisons (on-disk bytes against ours). */
enum { VB_LFS2_CMP_EQ = 0, VB_LFS2_CMP_LT = 1, VB_LFS2_CMP_GT = 2 };

/* ---- small arithmetic --------------------------------------------------- */

static inline uint32_t vb_lfs2_min(uint32_t a, uint32_t b) { return a < b ? a : b; }
static inline uint32_t vb_lfs2_max(uint32_t a, uint32_t b) { return a > b ? a : b; }
static inline uint32_t vb_lfs2_aligndown(uint32_t a, uint32_t al) { return a - (a % al); }
/* Wraps as littlefs's does (32-bit): used on revision counts. */
static inline uint32_t vb_lfs2_alignup(uint32_t a, uint32_t al) { return vb_lfs2_aligndown(a + al - 1, al); }
/* Smallest power of two >= a, as an exponent (a >= 2). */
static inline uint32_t vb_lfs2_npw2(uint32_t a) { return 32u - (uint32_t)__builtin_clz(a - 1); }
static inline uint32_t vb_lfs2_ctz(uint32_t a) { return (uint32_t)__builtin_ctz(a); }
static inline uint32_t vb_lfs2_popc(uint32_t a) { return (uint32_t)__builtin_popcount(a); }
/* Sequence comparison of revision counts (SPEC.md: "sequence comparison"). */
static inline int vb_lfs2_scmp(uint32_t a, uint32_t b) { return (int)(int32_t)(a - b); }

static inline uint32_t vb_lfs2_le32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static inline void vb_lfs2_put_le32(void *p, uint32_t v)
{
    uint8_t *b = p;
    b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8); b[2] = (uint8_t)(v >> 16); b[3] = (uint8_t)(v >> 24);
}
/* Tags are the one big-endian thing on disk (SPEC.md "Metadata tags"). */
static inline uint32_t vb_lfs2_be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3];
}
static inline void vb_lfs2_put_be32(void *p, uint32_t v)
{
    uint8_t *b = p;
    b[0] = (uint8_t)(v >> 24); b[1] = (uint8_t)(v >> 16); b[2] = (uint8_t)(v >> 8); b[3] = (uint8_t)v;
}

/* ---- tags (SPEC.md "Metadata tags": valid 1 | type 11 | id 10 | size 10) - */

#define VB_LFS2_MKTAG(type, id, size) \
    (((uint32_t)(type) << 20) | ((uint32_t)(id) << 10) | (uint32_t)(size))
#define VB_LFS2_MKTAG_IF(cond, type, id, size) \
    ((cond) ? VB_LFS2_MKTAG(type, id, size) : VB_LFS2_MKTAG(VB_LFS2_FROM_NOOP, 0, 0))

static inline bool vb_lfs2_tag_isvalid(uint32_t t) { return !(t & 0x80000000u); }
static inline bool vb_lfs2_tag_isdelete(uint32_t t) { return (t & 0x3FFu) == 0x3FFu; }
static inline uint16_t vb_lfs2_tag_type1(uint32_t t) { return (uint16_t)((t & 0x70000000u) >> 20); }
static inline uint16_t vb_lfs2_tag_type2(uint32_t t) { return (uint16_t)((t & 0x78000000u) >> 20); }
static inline uint16_t vb_lfs2_tag_type3(uint32_t t) { return (uint16_t)((t & 0x7FF00000u) >> 20); }
static inline uint8_t vb_lfs2_tag_chunk(uint32_t t) { return (uint8_t)((t & 0x0FF00000u) >> 20); }
static inline int8_t vb_lfs2_tag_splice(uint32_t t) { return (int8_t)vb_lfs2_tag_chunk(t); }
static inline uint16_t vb_lfs2_tag_id(uint32_t t) { return (uint16_t)((t & 0x000FFC00u) >> 10); }
static inline uint32_t vb_lfs2_tag_size(uint32_t t) { return t & 0x3FFu; }
/* Bytes the tag takes on disk: itself plus its data (none when deleted). */
static inline uint32_t vb_lfs2_tag_dsize(uint32_t t)
{
    return 4u + vb_lfs2_tag_size(t + (vb_lfs2_tag_isdelete(t) ? 1u : 0u));
}

/* ---- pairs --------------------------------------------------------------- */

static inline bool vb_lfs2_pair_isnull(const uint32_t p[2])
{
    return p[0] == VB_LFS2_BLOCK_NULL || p[1] == VB_LFS2_BLOCK_NULL;
}
/* 0 when the pairs share a block (the same pair, maybe mid-relocation). */
static inline int vb_lfs2_pair_cmp(const uint32_t a[2], const uint32_t b[2])
{
    return !(a[0] == b[0] || a[1] == b[1] || a[0] == b[1] || a[1] == b[0]);
}
static inline bool vb_lfs2_pair_issync(const uint32_t a[2], const uint32_t b[2])
{
    return (a[0] == b[0] && a[1] == b[1]) || (a[0] == b[1] && a[1] == b[0]);
}
static inline void vb_lfs2_pair_swap(uint32_t p[2]) { uint32_t t = p[0]; p[0] = p[1]; p[1] = t; }
static inline bool vb_lfs2_pair_is_super(const uint32_t p[2])
{
    static const uint32_t super[2] = {0, 1};
    return vb_lfs2_pair_cmp(p, super) == 0;
}

/* ---- global state (SPEC.md "0x7ff LFS_TYPE_MOVESTATE") --------------------
 * tag: type1 != 0 = a pending move (a delete of id in pair); size bits =
 * orphan count, in RAM only (on disk just the valid bit says "orphans");
 * size bit 9 = in RAM only: the superblock needs rewriting. */

static inline void vb_lfs2_gstate_xor(vb_lfs2_gstate *a, const vb_lfs2_gstate *b)
{
    a->tag ^= b->tag; a->pair[0] ^= b->pair[0]; a->pair[1] ^= b->pair[1];
}
static inline bool vb_lfs2_gstate_iszero(const vb_lfs2_gstate *a)
{
    return a->tag == 0 && a->pair[0] == 0 && a->pair[1] == 0;
}
static inline bool vb_lfs2_gstate_hasorphans(const vb_lfs2_gstate *a) { return vb_lfs2_tag_size(a->tag) != 0; }
static inline uint8_t vb_lfs2_gstate_orphans(const vb_lfs2_gstate *a) { return (uint8_t)(vb_lfs2_tag_size(a->tag) & 0x1FF); }
static inline bool vb_lfs2_gstate_hasmove(const vb_lfs2_gstate *a) { return vb_lfs2_tag_type1(a->tag) != 0; }
static inline bool vb_lfs2_gstate_needssuperblock(const vb_lfs2_gstate *a) { return (vb_lfs2_tag_size(a->tag) >> 9) != 0; }
static inline bool vb_lfs2_gstate_hasmovehere(const vb_lfs2_gstate *a, const uint32_t pair[2])
{
    return vb_lfs2_tag_type1(a->tag) && vb_lfs2_pair_cmp(a->pair, pair) == 0;
}
/* 12 bytes on disk: tag, pair[0], pair[1], little-endian. */
static inline void vb_lfs2_gstate_store(uint8_t out[12], const vb_lfs2_gstate *g)
{
    vb_lfs2_put_le32(out, g->tag); vb_lfs2_put_le32(out + 4, g->pair[0]); vb_lfs2_put_le32(out + 8, g->pair[1]);
}
static inline void vb_lfs2_gstate_load(vb_lfs2_gstate *g, const uint8_t in[12])
{
    g->tag = vb_lfs2_le32(in); g->pair[0] = vb_lfs2_le32(in + 4); g->pair[1] = vb_lfs2_le32(in + 8);
}

/* ---- commit attributes ------------------------------------------------- */

/* One tag to commit with its data: RAM bytes, or (tag bit 31 set) a
 * vb_lfs2_diskoff to copy from, or a FROM_* source. */
typedef struct vb_lfs2_mattr {
    uint32_t tag;
    const void *buf;
} vb_lfs2_mattr;

typedef struct vb_lfs2_diskoff {
    uint32_t block, off;
} vb_lfs2_diskoff;

/* Called per tag by fetch and traverse; returns <0 error, or a CMP value /
 * non-zero to stop (traverse). */
typedef int (*vb_lfs2_tag_cb)(void *ctx, uint32_t tag, const void *buf);

/* Which configured version we write (fs->cfg.disk_version, defaulted). */
static inline uint32_t vb_lfs2_disk_version(const vb_lfs2 *fs) { return fs->cfg.disk_version; }

/* ---- lfs2_bd.c: caches over the device (littlefs lfs_bd_*) --------------- */

static inline void vb_lfs2_cache_drop(vb_lfs2_cache *c) { c->block = VB_LFS2_BLOCK_NULL; }
void vb_lfs2_cache_zero(const vb_lfs2 *fs, vb_lfs2_cache *c);
int vb_lfs2_bd_read(vb_lfs2 *fs, const vb_lfs2_cache *pcache, vb_lfs2_cache *rcache,
                    uint32_t hint, uint32_t block, uint32_t off, void *buf, uint32_t size);
int vb_lfs2_bd_cmp(vb_lfs2 *fs, const vb_lfs2_cache *pcache, vb_lfs2_cache *rcache,
                   uint32_t hint, uint32_t block, uint32_t off, const void *buf, uint32_t size);
int vb_lfs2_bd_crc(vb_lfs2 *fs, const vb_lfs2_cache *pcache, vb_lfs2_cache *rcache,
                   uint32_t hint, uint32_t block, uint32_t off, uint32_t size, uint32_t *crc);
int vb_lfs2_bd_prog(vb_lfs2 *fs, vb_lfs2_cache *pcache, vb_lfs2_cache *rcache, bool validate,
                    uint32_t block, uint32_t off, const void *buf, uint32_t size);
int vb_lfs2_bd_flush(vb_lfs2 *fs, vb_lfs2_cache *pcache, vb_lfs2_cache *rcache, bool validate);
int vb_lfs2_bd_sync(vb_lfs2 *fs, vb_lfs2_cache *pcache, vb_lfs2_cache *rcache, bool validate);
int vb_lfs2_bd_erase(vb_lfs2 *fs, uint32_t block);
uint32_t vb_lfs2_crc(uint32_t crc, const void *buf, size_t size);

/* ---- lfs2_mdir.c: fetching pairs and reading tags ------------------------ */

int32_t vb_lfs2_dir_fetchmatch(vb_lfs2 *fs, vb_lfs2_mdir *dir, const uint32_t pair[2],
                               uint32_t fmask, uint32_t ftag, uint16_t *id,
                               vb_lfs2_tag_cb cb, void *ctx);
int vb_lfs2_dir_fetch(vb_lfs2 *fs, vb_lfs2_mdir *dir, const uint32_t pair[2]);
int32_t vb_lfs2_dir_getslice(vb_lfs2 *fs, const vb_lfs2_mdir *dir, uint32_t gmask, uint32_t gtag,
                             uint32_t goff, void *gbuf, uint32_t gsize);
int32_t vb_lfs2_dir_get(vb_lfs2 *fs, const vb_lfs2_mdir *dir, uint32_t gmask, uint32_t gtag, void *buf);
int vb_lfs2_dir_getread(vb_lfs2 *fs, const vb_lfs2_mdir *dir, const vb_lfs2_cache *pcache,
                        vb_lfs2_cache *rcache, uint32_t hint, uint32_t gmask, uint32_t gtag,
                        uint32_t off, void *buf, uint32_t size);
int vb_lfs2_dir_getgstate(vb_lfs2 *fs, const vb_lfs2_mdir *dir, vb_lfs2_gstate *g);
int vb_lfs2_dir_getinfo(vb_lfs2 *fs, vb_lfs2_mdir *dir, uint16_t id, vb_lfs2_info *info);
/* Read an entry's 8-byte struct (a dir's pair, a CTZ head+size). */
int32_t vb_lfs2_dir_getstruct(vb_lfs2 *fs, const vb_lfs2_mdir *dir, uint16_t id, uint32_t out[2]);

/* ---- lfs2_path.c: path lookup -------------------------------------------- */

static inline uint32_t vb_lfs2_path_namelen(const char *path) { return (uint32_t)strcspn(path, "/"); }
static inline bool vb_lfs2_path_islast(const char *path)
{
    uint32_t n = vb_lfs2_path_namelen(path);
    return path[n + strspn(path + n, "/")] == '\0';
}
static inline bool vb_lfs2_path_isdir(const char *path) { return path[vb_lfs2_path_namelen(path)] != '\0'; }
int32_t vb_lfs2_dir_find(vb_lfs2 *fs, vb_lfs2_mdir *dir, const char **path, uint16_t *id);
int vb_lfs2_name_match(void *ctx, uint32_t tag, const void *buf);
typedef struct vb_lfs2_name_ref {
    vb_lfs2 *fs;
    const void *name;
    uint32_t size;
} vb_lfs2_name_ref;

/* ---- lfs2_traverse.c: the tags a commit or compaction writes ------------- */

int vb_lfs2_dir_traverse(vb_lfs2 *fs, const vb_lfs2_mdir *dir, uint32_t off, uint32_t ptag,
                         const vb_lfs2_mattr *attrs, int attrcount,
                         uint32_t tmask, uint32_t ttag, uint16_t begin, uint16_t end, int16_t diff,
                         vb_lfs2_tag_cb cb, void *ctx);

/* ---- lfs2_commit.c / lfs2_compact.c: writing metadata -------------------- */

typedef struct vb_lfs2_commit {
    uint32_t block, off;
    uint32_t ptag;   /* previous tag, for the XOR chain */
    uint32_t crc;
    uint32_t begin, end;
} vb_lfs2_commit;

int vb_lfs2_commit_attr(vb_lfs2 *fs, vb_lfs2_commit *c, uint32_t tag, const void *buf);
int vb_lfs2_commit_prog(vb_lfs2 *fs, vb_lfs2_commit *c, const void *buf, uint32_t size);
int vb_lfs2_commit_crc(vb_lfs2 *fs, vb_lfs2_commit *c);
int vb_lfs2_commit_cb(void *ctx, uint32_t tag, const void *buf);
int vb_lfs2_dir_alloc(vb_lfs2 *fs, vb_lfs2_mdir *dir);
int vb_lfs2_dir_compact(vb_lfs2 *fs, vb_lfs2_mdir *dir, const vb_lfs2_mattr *attrs, int attrcount,
                        vb_lfs2_mdir *source, uint16_t begin, uint16_t end);
int vb_lfs2_dir_splittingcompact(vb_lfs2 *fs, vb_lfs2_mdir *dir, const vb_lfs2_mattr *attrs,
                                 int attrcount, vb_lfs2_mdir *source, uint16_t begin, uint16_t end);
int vb_lfs2_dir_relocatingcommit(vb_lfs2 *fs, vb_lfs2_mdir *dir, const uint32_t pair[2],
                                 const vb_lfs2_mattr *attrs, int attrcount, vb_lfs2_mdir *pdir);

/* ---- lfs2_orphan.c: commits that keep the tree consistent ----------------- */

int vb_lfs2_dir_orphaningcommit(vb_lfs2 *fs, vb_lfs2_mdir *dir, const vb_lfs2_mattr *attrs, int attrcount);
int vb_lfs2_dir_commit(vb_lfs2 *fs, vb_lfs2_mdir *dir, const vb_lfs2_mattr *attrs, int attrcount);
int vb_lfs2_dir_drop(vb_lfs2 *fs, vb_lfs2_mdir *dir, vb_lfs2_mdir *tail);
int vb_lfs2_fs_pred(vb_lfs2 *fs, const uint32_t pair[2], vb_lfs2_mdir *pdir);
int32_t vb_lfs2_fs_parent(vb_lfs2 *fs, const uint32_t pair[2], vb_lfs2_mdir *parent);
void vb_lfs2_fs_preporphans(vb_lfs2 *fs, int8_t orphans);
void vb_lfs2_fs_prepmove(vb_lfs2 *fs, uint16_t id, const uint32_t pair[2]);
void vb_lfs2_fs_prepsuperblock(vb_lfs2 *fs, bool needssuperblock);
int vb_lfs2_fs_deorphan(vb_lfs2 *fs, bool powerloss);
int vb_lfs2_fs_forceconsistency(vb_lfs2 *fs);

#define VB_LFS2_MKATTRS(...) \
    (const vb_lfs2_mattr[]){__VA_ARGS__}, \
    (int)(sizeof((vb_lfs2_mattr[]){__VA_ARGS__}) / sizeof(vb_lfs2_mattr))

/* Brent's cycle detection over a chain of pairs (littlefs's tortoise), plus
 * a hard bound so that no chain walk exceeds the number of blocks. */
typedef struct vb_lfs2_tortoise {
    uint32_t pair[2];
    uint32_t i, period;
    uint32_t steps;
} vb_lfs2_tortoise;
static inline void vb_lfs2_tortoise_init(vb_lfs2_tortoise *t)
{
    t->pair[0] = t->pair[1] = VB_LFS2_BLOCK_NULL;
    t->i = 1;
    t->period = 1;
    t->steps = 0;
}
int vb_lfs2_tortoise_step(const vb_lfs2 *fs, const vb_lfs2_mdir *dir, vb_lfs2_tortoise *t);

/* ---- lfs2_alloc.c: the lookahead allocator and block traversal ----------- */

void vb_lfs2_alloc_ckpoint(vb_lfs2 *fs);
void vb_lfs2_alloc_drop(vb_lfs2 *fs);
int vb_lfs2_alloc(vb_lfs2 *fs, uint32_t *block);
/* What a traversal visits: the blocks in use (lfs_fs_size), plus the pairs
 * directory entries point at (lfs_fs_traverse), plus, for the allocator,
 * the files inside those pairs (see lfs2_alloc.c). */
typedef enum vb_lfs2_walk {
    VB_LFS2_WALK_LISTED = 0,
    VB_LFS2_WALK_ORPHANS = 1,
    VB_LFS2_WALK_ALLOC = 2,
} vb_lfs2_walk;
int vb_lfs2_fs_traverse(vb_lfs2 *fs, int (*cb)(void *, uint32_t), void *ctx, vb_lfs2_walk walk);
int32_t vb_lfs2_fs_size_count(vb_lfs2 *fs);

/* ---- lfs2_ctz.c: CTZ skip-lists (SPEC.md "0x202 LFS_TYPE_CTZSTRUCT") ------ */

uint32_t vb_lfs2_ctz_index(const vb_lfs2 *fs, uint32_t *off);
int vb_lfs2_ctz_find(vb_lfs2 *fs, const vb_lfs2_cache *pcache, vb_lfs2_cache *rcache,
                     uint32_t head, uint32_t size, uint32_t pos, uint32_t *block, uint32_t *off);
int vb_lfs2_ctz_extend(vb_lfs2 *fs, vb_lfs2_cache *pcache, vb_lfs2_cache *rcache,
                       uint32_t head, uint32_t size, uint32_t *block, uint32_t *off);
int vb_lfs2_ctz_traverse(vb_lfs2 *fs, const vb_lfs2_cache *pcache, vb_lfs2_cache *rcache,
                         uint32_t head, uint32_t size, int (*cb)(void *, uint32_t), void *ctx);

/* ---- lfs2_file.c, lfs2_file_io.c ----------------------------------------- */

static inline bool vb_lfs2_file_readable(const vb_lfs2_file *f) { return (f->flags & VB_LFS2_O_RDONLY) != 0; }
static inline bool vb_lfs2_file_writable(const vb_lfs2_file *f) { return (f->flags & VB_LFS2_O_WRONLY) != 0; }
int vb_lfs2_file_relocate(vb_lfs2 *fs, vb_lfs2_file *f);
int vb_lfs2_file_outline(vb_lfs2 *fs, vb_lfs2_file *f);
int vb_lfs2_file_flush(vb_lfs2 *fs, vb_lfs2_file *f);
ssize_t vb_lfs2_file_flushedread(vb_lfs2 *fs, vb_lfs2_file *f, void *buf, uint32_t size);
ssize_t vb_lfs2_file_flushedwrite(vb_lfs2 *fs, vb_lfs2_file *f, const void *buf, uint32_t size);

/* ---- lfs2_mount.c ----------------------------------------------------------- */

/* The superblock's inline struct as this driver writes it (SPEC.md "0x0ff
 * LFS_TYPE_SUPERBLOCK"): version, block size, block count, name_max,
 * file_max, attr_max, little-endian. */
void vb_lfs2_superblock_bytes(const vb_lfs2 *fs, uint8_t sb[VB_LFS2_SUPERBLOCK_SIZE]);

/* ---- handles --------------------------------------------------------------- */

static inline void vb_lfs2_handle_add(vb_lfs2 *fs, vb_lfs2_handle *h) { h->next = fs->open; fs->open = h; }
void vb_lfs2_handle_remove(vb_lfs2 *fs, vb_lfs2_handle *h);
bool vb_lfs2_handle_isopen(const vb_lfs2 *fs, const vb_lfs2_handle *h);

#endif
