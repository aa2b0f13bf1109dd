/* CTZ skip-lists (SPEC.md "0x202 LFS_TYPE_CTZSTRUCT", DESIGN.md "CTZ
 * skip-lists"): a file is a list of blocks written backwards; block n
 * (n >= 1) starts with ctz(n)+1 pointers, to blocks n-1, n-2, n-4, ...
 * n-2^ctz(n), then data. The struct holds the last block and the size.
 *
 * Hostile sizes are bounded: a list needing more blocks than the device
 * has is corrupt, so no walk exceeds the block count. */
#include "lfs2_internal.h"

/* Index of the block holding byte *off, and *off becomes the offset inside
 * that block (littlefs lfs_ctz_index, DESIGN.md's closed form). */
uint32_t vb_lfs2_ctz_index(const vb_lfs2 *fs, uint32_t *off)
{
    uint32_t size = *off;
    uint32_t b = fs->dev->block_size - 2 * 4;
    uint32_t i = size / b;
    if (i == 0)
        return 0;
    i = (size - 4 * (vb_lfs2_popc(i - 1) + 2)) / b;
    *off = size - b * i - 4 * vb_lfs2_popc(i);
    return i;
}

/* More blocks than the device: only a corrupt struct says so. */
static bool list_too_long(const vb_lfs2 *fs, uint32_t size)
{
    uint32_t last = size - 1;
    return vb_lfs2_ctz_index(fs, &last) >= fs->block_count;
}

int vb_lfs2_ctz_find(vb_lfs2 *fs, const vb_lfs2_cache *pcache, vb_lfs2_cache *rcache,
                     uint32_t head, uint32_t size, uint32_t pos, uint32_t *block, uint32_t *off)
{
    if (size == 0) {
        *block = VB_LFS2_BLOCK_NULL;
        *off = 0;
        return 0;
    }
    if (list_too_long(fs, size))
        return -EILSEQ;

    uint32_t last = size - 1;
    uint32_t current = vb_lfs2_ctz_index(fs, &last);
    uint32_t target = vb_lfs2_ctz_index(fs, &pos);

    /* jump back by the largest power of two that does not overshoot */
    while (current > target) {
        uint32_t skip = vb_lfs2_min(vb_lfs2_npw2(current - target + 1) - 1, vb_lfs2_ctz(current));
        uint8_t raw[4];
        int err = vb_lfs2_bd_read(fs, pcache, rcache, 4, head, 4 * skip, raw, 4);
        if (err)
            return err;
        head = vb_lfs2_le32(raw);
        current -= 1u << skip;
    }

    *block = head;
    *off = pos;
    return 0;
}

int vb_lfs2_ctz_extend(vb_lfs2 *fs, vb_lfs2_cache *pcache, vb_lfs2_cache *rcache,
                       uint32_t head, uint32_t size, uint32_t *block, uint32_t *off)
{
    const uint32_t bs = fs->dev->block_size;
    for (uint32_t tries = 0;; tries++) {
        if (tries > fs->block_count)
            return -ENOSPC;  /* every block went bad */
        uint32_t nblock;
        int err = vb_lfs2_alloc(fs, &nblock);
        if (err)
            return err;

        err = vb_lfs2_bd_erase(fs, nblock);
        if (err) {
            if (err == -EILSEQ)
                goto relocate;
            return err;
        }

        if (size == 0) {
            *block = nblock;
            *off = 0;
            return 0;
        }

        {
            uint32_t noff = size - 1;
            uint32_t index = vb_lfs2_ctz_index(fs, &noff);
            noff = noff + 1;

            /* the last block is not full: copy its data into the new one
             * (copy-on-write) instead of appending a block */
            if (noff != bs) {
                for (uint32_t i = 0; i < noff; i++) {
                    uint8_t data;
                    err = vb_lfs2_bd_read(fs, NULL, rcache, noff - i, head, i, &data, 1);
                    if (err)
                        return err;
                    err = vb_lfs2_bd_prog(fs, pcache, rcache, true, nblock, i, &data, 1);
                    if (err) {
                        if (err == -EILSEQ)
                            goto relocate;
                        return err;
                    }
                }
                *block = nblock;
                *off = noff;
                return 0;
            }

            /* append a block: its pointers to blocks index, index-1, ... */
            index += 1;
            uint32_t skips = vb_lfs2_ctz(index) + 1;
            uint32_t nhead = head;
            for (uint32_t i = 0; i < skips; i++) {
                uint8_t raw[4];
                vb_lfs2_put_le32(raw, nhead);
                err = vb_lfs2_bd_prog(fs, pcache, rcache, true, nblock, 4 * i, raw, 4);
                if (err) {
                    if (err == -EILSEQ)
                        goto relocate;
                    return err;
                }
                if (i != skips - 1) {
                    err = vb_lfs2_bd_read(fs, NULL, rcache, 4, nhead, 4 * i, raw, 4);
                    if (err)
                        return err;
                    nhead = vb_lfs2_le32(raw);
                }
            }
            *block = nblock;
            *off = 4 * skips;
            return 0;
        }

    relocate:
        /* bad block: drop what was cached for it and take another */
        vb_lfs2_cache_drop(pcache);
    }
}

int vb_lfs2_ctz_traverse(vb_lfs2 *fs, const vb_lfs2_cache *pcache, vb_lfs2_cache *rcache,
                         uint32_t head, uint32_t size, int (*cb)(void *, uint32_t), void *ctx)
{
    if (size == 0)
        return 0;
    if (list_too_long(fs, size))
        return -EILSEQ;

    uint32_t last = size - 1;
    uint32_t index = vb_lfs2_ctz_index(fs, &last);
    for (;;) {
        int err = cb(ctx, head);
        if (err)
            return err;
        if (index == 0)
            return 0;

        /* odd blocks have one pointer, even ones two or more: take two
         * steps at once where possible */
        uint8_t raw[8];
        uint32_t count = 2 - (index & 1);
        err = vb_lfs2_bd_read(fs, pcache, rcache, count * 4, head, 0, raw, count * 4);
        if (err)
            return err;
        uint32_t heads[2] = {vb_lfs2_le32(raw), count == 2 ? vb_lfs2_le32(raw + 4) : 0};
        for (uint32_t i = 0; i + 1 < count; i++) {
            err = cb(ctx, heads[i]);
            if (err)
                return err;
        }
        head = heads[count - 1];
        index -= count;
    }
}
