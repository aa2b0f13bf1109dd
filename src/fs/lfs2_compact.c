/* Compaction, splitting and wear relocation of metadata pairs (DESIGN.md
 * "Metadata pairs"; SPEC.md "Directories / Metadata pairs").
 *
 * Compacting erases the other block of the pair and writes, after a
 * revision count one higher, only the tags still in force (plus the new
 * ones), then the tail and the pair's share of the global state, as one
 * commit. When that would not fit in half a block, the upper ids move to a
 * new pair first (a split, chained by a hard tail). Every
 * (block_cycles+1)|1 revisions a pair moves to freshly allocated blocks
 * instead (wear levelling); the superblock pair 0/1 cannot move, so when it
 * gets tired the superblock list grows a pair instead, while the volume is
 * less than ~88% full. */
#include "lfs2_internal.h"

static bool needs_relocation(const vb_lfs2 *fs, const vb_lfs2_mdir *dir)
{
    /* (block_cycles+1)|1: never 1 (relocation must end) and odd, so both
     * blocks of the pair take turns */
    return fs->cfg.block_cycles > 0 &&
           (dir->rev + 1) % (((uint32_t)fs->cfg.block_cycles + 1) | 1) == 0;
}

static int size_cb(void *ctx, uint32_t tag, const void *buf)
{
    (void)buf;
    *(uint32_t *)ctx += vb_lfs2_tag_dsize(tag);
    return 0;
}

int vb_lfs2_dir_compact(vb_lfs2 *fs, vb_lfs2_mdir *dir, const vb_lfs2_mattr *attrs, int attrcount,
                        vb_lfs2_mdir *source, uint16_t begin, uint16_t end)
{
    const uint32_t bs = fs->dev->block_size;
    bool relocated = false;
    /* No wear relocation while a relocation is being fixed up, nor while
     * orphans are pending (after a power cut). Then a stale copy of a
     * relocated pair (a half-orphan) may still be on the tail list, and the
     * parent lookup after a second relocation (by shared block) can find
     * the entry in that stale copy and update it there, losing the update
     * in the live pair. littlefs 2.11 relocates then; we compact in place
     * and let the pair move at a later compaction. */
    bool tired = needs_relocation(fs, dir) && !fs->fixup &&
                 !vb_lfs2_gstate_hasorphans(&fs->gstate);

    dir->rev += 1;

    if (tired && !vb_lfs2_pair_is_super(dir->pair))
        goto relocate;

    for (;;) {
        {
            vb_lfs2_commit c = {dir->pair[1], 0, 0xFFFFFFFFu, 0xFFFFFFFFu, 0, bs - 8};
            void *cctx[2] = {fs, &c};

            int err = vb_lfs2_bd_erase(fs, dir->pair[1]);
            if (err) {
                if (err == -EILSEQ)
                    goto relocate;
                return err;
            }

            uint8_t rev[4];
            vb_lfs2_put_le32(rev, dir->rev);
            err = vb_lfs2_commit_prog(fs, &c, rev, 4);
            if (err) {
                if (err == -EILSEQ)
                    goto relocate;
                return err;
            }

            /* every tag still in force, ids begin..end-1 renumbered from 0 */
            err = vb_lfs2_dir_traverse(fs, source, 0, 0xFFFFFFFFu, attrs, attrcount,
                                       VB_LFS2_MKTAG(0x400, 0x3ff, 0),
                                       VB_LFS2_MKTAG(VB_LFS2_T_NAME, 0, 0),
                                       begin, end, (int16_t)-begin, vb_lfs2_commit_cb, cctx);
            if (err) {
                if (err == -EILSEQ)
                    goto relocate;
                return err;
            }

            if (!vb_lfs2_pair_isnull(dir->tail)) {
                uint8_t t[8];
                vb_lfs2_put_le32(t, dir->tail[0]);
                vb_lfs2_put_le32(t + 4, dir->tail[1]);
                err = vb_lfs2_commit_attr(fs, &c,
                                          VB_LFS2_MKTAG(VB_LFS2_T_TAIL + dir->split, 0x3ff, 8), t);
                if (err) {
                    if (err == -EILSEQ)
                        goto relocate;
                    return err;
                }
            }

            /* this pair's share of the global state, plus what is pending */
            vb_lfs2_gstate delta = {0, {0, 0}};
            if (!relocated) {
                vb_lfs2_gstate_xor(&delta, &fs->gdisk);
                vb_lfs2_gstate_xor(&delta, &fs->gstate);
            }
            vb_lfs2_gstate_xor(&delta, &fs->gdelta);
            delta.tag &= ~VB_LFS2_MKTAG(0, 0, 0x3ff);
            err = vb_lfs2_dir_getgstate(fs, dir, &delta);
            if (err)
                return err;
            if (!vb_lfs2_gstate_iszero(&delta)) {
                uint8_t g[12];
                vb_lfs2_gstate_store(g, &delta);
                err = vb_lfs2_commit_attr(fs, &c, VB_LFS2_MKTAG(VB_LFS2_T_MOVESTATE, 0x3ff, 12), g);
                if (err) {
                    if (err == -EILSEQ)
                        goto relocate;
                    return err;
                }
            }

            err = vb_lfs2_commit_crc(fs, &c);
            if (err) {
                if (err == -EILSEQ)
                    goto relocate;
                return err;
            }

            /* the new block is now the newest half of the pair */
            vb_lfs2_pair_swap(dir->pair);
            dir->count = (uint16_t)(end - begin);
            dir->off = c.off;
            dir->etag = c.ptag;
            fs->gdelta = (vb_lfs2_gstate){0, {0, 0}};
            if (!relocated)
                fs->gdisk = fs->gstate;
        }
        break;

    relocate:
        /* bad block or tired pair: take a fresh block for this half */
        relocated = true;
        vb_lfs2_cache_drop(&fs->pcache);
        if (vb_lfs2_pair_is_super(dir->pair))
            return -ENOSPC;  /* the superblock cannot move: frozen */
        {
            int err = vb_lfs2_alloc(fs, &dir->pair[1]);
            if (err && (err != -ENOSPC || !tired))
                return err;
        }
        tired = false;
    }

    return relocated ? VB_LFS2_OK_RELOCATED : 0;
}

static int dir_split(vb_lfs2 *fs, vb_lfs2_mdir *dir, const vb_lfs2_mattr *attrs, int attrcount,
                     vb_lfs2_mdir *source, uint16_t split, uint16_t end)
{
    vb_lfs2_mdir tail;
    int err = vb_lfs2_dir_alloc(fs, &tail);
    if (err)
        return err;
    tail.split = dir->split;
    tail.tail[0] = dir->tail[0];
    tail.tail[1] = dir->tail[1];

    /* a relocation of the new pair changes nothing for us */
    int res = vb_lfs2_dir_compact(fs, &tail, attrs, attrcount, source, split, end);
    if (res < 0)
        return res;

    dir->tail[0] = tail.pair[0];
    dir->tail[1] = tail.pair[1];
    dir->split = true;

    /* a root split at id 0 moves the root (superblock expansion) */
    if (vb_lfs2_pair_cmp(dir->pair, fs->root) == 0 && split == 0) {
        fs->root[0] = tail.pair[0];
        fs->root[1] = tail.pair[1];
    }
    return 0;
}

int vb_lfs2_dir_splittingcompact(vb_lfs2 *fs, vb_lfs2_mdir *dir, const vb_lfs2_mattr *attrs,
                                 int attrcount, vb_lfs2_mdir *source, uint16_t begin, uint16_t end)
{
    const uint32_t bs = fs->dev->block_size;
    for (;;) {
        /* halve the range until the rest fits: room for tail (12), gstate
         * (16), a move's delete (4) and the CRC (8) = 40 bytes, and at most
         * half a block so a compacted pair leaves room to append */
        uint32_t split = begin;
        while (end - split > 1) {
            uint32_t size = 0;
            int err = vb_lfs2_dir_traverse(fs, source, 0, 0xFFFFFFFFu, attrs, attrcount,
                                           VB_LFS2_MKTAG(0x400, 0x3ff, 0),
                                           VB_LFS2_MKTAG(VB_LFS2_T_NAME, 0, 0),
                                           (uint16_t)split, end, (int16_t)-split, size_cb, &size);
            if (err)
                return err;
            if (end - split < 0xff &&
                size <= vb_lfs2_min(bs - 40, vb_lfs2_alignup(bs / 2, fs->cfg.prog_size)))
                break;
            split = split + ((end - split) / 2);
        }

        if (split == begin)
            break;  /* fits without a split */

        int err = dir_split(fs, dir, attrs, attrcount, source, (uint16_t)split, end);
        if (err && err != -ENOSPC)
            return err;
        if (err)
            break;  /* no room for a new pair: compact as best we can */
        end = (uint16_t)split;
    }

    if (needs_relocation(fs, dir) && vb_lfs2_pair_is_super(dir->pair)) {
        /* the superblock wears out: push its contents into a new pair
         * (keeping only the superblock entry here), unless the volume is
         * nearly full, since such a pair can never be reclaimed */
        int32_t size = vb_lfs2_fs_size_count(fs);
        if (size < 0)
            return size;
        if (fs->block_count - (uint32_t)size > fs->block_count / 8) {
            int err = dir_split(fs, dir, attrs, attrcount, source, begin, end);
            if (err && err != -ENOSPC)
                return err;
            if (!err)
                end = 1;
        }
    }

    return vb_lfs2_dir_compact(fs, dir, attrs, attrcount, source, begin, end);
}
