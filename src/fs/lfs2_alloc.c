/* The block allocator (DESIGN.md "Block allocation") and the traversal of
 * every block in use.
 *
 * Free space is not stored: a bitmap of lookahead_size*8 blocks, starting
 * at `start`, is filled by walking the whole tree, and allocation takes the
 * next clear bit, wrapping around the device. At mount `start` is the seed
 * (all commit CRCs seen) modulo the block count, so allocation begins at a
 * different place on each boot, the same place as littlefs's. A checkpoint
 * (taken when every allocated block is referenced from the tree) bounds the
 * search: after a full circle without finding a free block, -ENOSPC. */
#include "lfs2_internal.h"

void vb_lfs2_alloc_ckpoint(vb_lfs2 *fs)
{
    fs->look.ckpoint = fs->block_count;
}

void vb_lfs2_alloc_drop(vb_lfs2 *fs)
{
    fs->look.size = 0;
    fs->look.next = 0;
    vb_lfs2_alloc_ckpoint(fs);
}

static int mark_in_use(void *ctx, uint32_t block)
{
    vb_lfs2 *fs = ctx;
    /* hostile pointers are harmless here: reduced modulo the device */
    uint32_t off = (uint32_t)(((uint64_t)block + fs->block_count - (fs->look.start % fs->block_count))
                              % fs->block_count);
    if (off < fs->look.size)
        fs->look.map[off / 8] |= (uint8_t)(1u << (off % 8));
    return 0;
}

static int alloc_scan(vb_lfs2 *fs)
{
    /* move the window to the first block not yet looked at; never wider
     * than what is left since the checkpoint */
    fs->look.start = (fs->look.start + fs->look.next) % fs->block_count;
    fs->look.next = 0;
    fs->look.size = vb_lfs2_min(8 * fs->cfg.lookahead_size, fs->look.ckpoint);
    memset(fs->look.map, 0, fs->cfg.lookahead_size);
    int err = vb_lfs2_fs_traverse(fs, mark_in_use, fs, VB_LFS2_WALK_ALLOC);
    if (err) {
        vb_lfs2_alloc_drop(fs);
        return err;
    }
    return 0;
}

static bool in_use(const vb_lfs2 *fs, uint32_t bit)
{
    return (fs->look.map[bit / 8] & (1u << (bit % 8))) != 0;
}

int vb_lfs2_alloc(vb_lfs2 *fs, uint32_t *block)
{
    for (;;) {
        while (fs->look.next < fs->look.size) {
            if (!in_use(fs, fs->look.next)) {
                *block = (fs->look.start + fs->look.next) % fs->block_count;
                /* step over the used blocks that follow too, so that a
                 * checkpoint frees as much as possible for the next scan */
                for (;;) {
                    fs->look.next += 1;
                    fs->look.ckpoint -= 1;
                    if (fs->look.next >= fs->look.size || !in_use(fs, fs->look.next))
                        return 0;
                }
            }
            fs->look.next += 1;
            fs->look.ckpoint -= 1;
        }

        /* every block seen since the checkpoint: the volume is full */
        if (fs->look.ckpoint == 0)
            return -ENOSPC;

        int err = alloc_scan(fs);
        if (err)
            return err;
    }
}

/* ---- traversal of blocks in use ------------------------------------------- */

/* The CTZ lists of one pair's entries. */
static int traverse_files(vb_lfs2 *fs, const vb_lfs2_mdir *dir, int (*cb)(void *, uint32_t),
                          void *ctx, vb_lfs2_walk walk)
{
    for (uint16_t id = 0; id < dir->count; id++) {
        uint32_t st[2];
        int32_t tag = vb_lfs2_dir_getstruct(fs, dir, id, st);
        if (tag < 0) {
            if (tag == -ENOENT)
                continue;
            return tag;
        }
        int err = 0;
        if (vb_lfs2_tag_type3((uint32_t)tag) == VB_LFS2_T_CTZSTRUCT) {
            err = vb_lfs2_ctz_traverse(fs, NULL, &fs->rcache, st[0], st[1], cb, ctx);
        } else if (walk != VB_LFS2_WALK_LISTED && vb_lfs2_tag_type3((uint32_t)tag) == VB_LFS2_T_DIRSTRUCT) {
            /* a directory's pair, even if not (yet) on the list */
            for (int i = 0; i < 2 && !err; i++)
                err = cb(ctx, st[i]);
            if (!err && walk == VB_LFS2_WALK_ALLOC) {
                /* After a power cut the list may still hold the stale copy
                 * of a relocated pair (a half-orphan) while the entry
                 * points at the new one: the files committed only there
                 * must not look free. littlefs relies on open-file tracking,
                 * lost with RAM; marking more in-use blocks that really are
                 * in use never changes which block is allocated. */
                vb_lfs2_mdir child;
                err = vb_lfs2_dir_fetch(fs, &child, st);
                if (!err)
                    err = traverse_files(fs, &child, cb, ctx, VB_LFS2_WALK_LISTED);
            }
        }
        if (err)
            return err;
    }
    return 0;
}

int vb_lfs2_fs_traverse(vb_lfs2 *fs, int (*cb)(void *, uint32_t), void *ctx, vb_lfs2_walk walk)
{
    vb_lfs2_mdir dir = {.tail = {0, 1}};
    vb_lfs2_tortoise t;
    vb_lfs2_tortoise_init(&t);

    /* every pair is on the tail list from the superblock */
    while (!vb_lfs2_pair_isnull(dir.tail)) {
        if (vb_lfs2_tortoise_step(fs, &dir, &t))
            return -EILSEQ;
        for (int i = 0; i < 2; i++) {
            int err = cb(ctx, dir.tail[i]);
            if (err)
                return err;
        }
        int err = vb_lfs2_dir_fetch(fs, &dir, dir.tail);
        if (err)
            return err;
        err = traverse_files(fs, &dir, cb, ctx, walk);
        if (err)
            return err;
    }

    /* blocks of open files not yet committed */
    for (vb_lfs2_handle *h = fs->open; h; h = h->next) {
        if (h->type != VB_LFS2_TYPE_REG)
            continue;
        vb_lfs2_file *f = (vb_lfs2_file *)h;
        if ((f->flags & VB_LFS2_F_DIRTY) && !(f->flags & VB_LFS2_F_INLINE)) {
            int err = vb_lfs2_ctz_traverse(fs, &f->cache, &fs->rcache, f->ctz_head, f->ctz_size, cb, ctx);
            if (err)
                return err;
        }
        if ((f->flags & VB_LFS2_F_WRITING) && !(f->flags & VB_LFS2_F_INLINE)) {
            int err = vb_lfs2_ctz_traverse(fs, &f->cache, &fs->rcache, f->block, f->pos, cb, ctx);
            if (err)
                return err;
        }
    }
    return 0;
}

static int count_block(void *ctx, uint32_t block)
{
    (void)block;
    *(uint32_t *)ctx += 1;
    return 0;
}

int32_t vb_lfs2_fs_size_count(vb_lfs2 *fs)
{
    uint32_t n = 0;
    int err = vb_lfs2_fs_traverse(fs, count_block, &n, VB_LFS2_WALK_LISTED);
    return err ? err : (int32_t)n;
}
