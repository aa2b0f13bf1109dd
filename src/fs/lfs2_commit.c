/* Appending commits to a metadata pair (SPEC.md "Directories / Metadata
 * pairs", "0x5ff LFS_TYPE_FCRC"), and the commit that falls back to
 * compaction and fixes up open handles afterwards.
 *
 * A commit is tags XOR-chained to the previous one, then an optional FCRC
 * (2.1: CRC of the next program unit as erased, so a torn later commit is
 * noticed), then a CRC tag whose length pads the commit to a program unit.
 * The padding is never programmed; the CRC tag's chunk bit 0 records
 * whether the next tag's valid bit must be read flipped, chosen so that
 * whatever byte already lies there reads as "not valid". */
#include "lfs2_internal.h"

int vb_lfs2_commit_prog(vb_lfs2 *fs, vb_lfs2_commit *c, const void *buf, uint32_t size)
{
    int err = vb_lfs2_bd_prog(fs, &fs->pcache, &fs->rcache, false, c->block, c->off, buf, size);
    if (err)
        return err;
    c->crc = vb_lfs2_crc(c->crc, buf, size);
    c->off += size;
    return 0;
}

int vb_lfs2_commit_attr(vb_lfs2 *fs, vb_lfs2_commit *c, uint32_t tag, const void *buf)
{
    uint32_t dsize = vb_lfs2_tag_dsize(tag);
    if (c->off + dsize > c->end)
        return -ENOSPC;

    uint8_t raw[4];
    vb_lfs2_put_be32(raw, (tag & 0x7FFFFFFFu) ^ c->ptag);
    int err = vb_lfs2_commit_prog(fs, c, raw, 4);
    if (err)
        return err;

    if (!(tag & 0x80000000u)) {
        err = vb_lfs2_commit_prog(fs, c, buf, dsize - 4);
        if (err)
            return err;
    } else {
        /* copy from disk a byte at a time; the read cache makes it cheap */
        const vb_lfs2_diskoff *disk = buf;
        for (uint32_t i = 0; i < dsize - 4; i++) {
            uint8_t dat;
            err = vb_lfs2_bd_read(fs, NULL, &fs->rcache, dsize - 4 - i, disk->block,
                                  disk->off + i, &dat, 1);
            if (err)
                return err;
            err = vb_lfs2_commit_prog(fs, c, &dat, 1);
            if (err)
                return err;
        }
    }
    c->ptag = tag & 0x7FFFFFFFu;
    return 0;
}

int vb_lfs2_commit_crc(vb_lfs2 *fs, vb_lfs2_commit *c)
{
    const uint32_t bs = fs->dev->block_size, ps = fs->cfg.prog_size;
    /* room for FCRC + CRC (20 bytes), to the next program unit */
    const uint32_t end = vb_lfs2_alignup(vb_lfs2_min(c->off + 20, bs), ps);
    uint32_t off1 = 0, crc1 = 0;

    while (c->off < end) {
        /* a CRC tag covers at most 0x3fe bytes of padding: longer padding
         * takes several CRC tags (padding commits), the last one leaving
         * room for the FCRC */
        uint32_t noff = vb_lfs2_min(end - (c->off + 4), 0x3fe) + (c->off + 4);
        if (noff < end)
            noff = vb_lfs2_min(noff, end - 20);

        uint8_t eperturb = 0xFF;
        if (noff >= end && noff <= bs - ps) {
            /* the first byte of the next unit decides the valid-bit sense */
            int err = vb_lfs2_bd_read(fs, NULL, &fs->rcache, ps, c->block, noff, &eperturb, 1);
            if (err && err != -EILSEQ)
                return err;

            if (vb_lfs2_disk_version(fs) >= VB_LFS2_VERSION_2_1) {
                /* 2.0 readers cannot fetch FCRCs: write them on 2.1 only */
                uint32_t fcrc = 0xFFFFFFFFu;
                err = vb_lfs2_bd_crc(fs, NULL, &fs->rcache, ps, c->block, noff, ps, &fcrc);
                if (err && err != -EILSEQ)
                    return err;
                uint8_t fbuf[8];
                vb_lfs2_put_le32(fbuf, ps);
                vb_lfs2_put_le32(fbuf + 4, fcrc);
                err = vb_lfs2_commit_attr(fs, c, VB_LFS2_MKTAG(VB_LFS2_T_FCRC, 0x3ff, 8), fbuf);
                if (err)
                    return err;
            }
        }

        uint32_t ntag = VB_LFS2_MKTAG(VB_LFS2_T_CCRC + (((uint8_t)~eperturb) >> 7), 0x3ff,
                                      noff - (c->off + 4));
        uint8_t ccrc[8];
        vb_lfs2_put_be32(ccrc, ntag ^ c->ptag);
        c->crc = vb_lfs2_crc(c->crc, ccrc, 4);
        vb_lfs2_put_le32(ccrc + 4, c->crc);
        int err = vb_lfs2_bd_prog(fs, &fs->pcache, &fs->rcache, false, c->block, c->off, ccrc, 8);
        if (err)
            return err;

        /* remember the first (non-padding) commit's CRC to verify */
        if (off1 == 0) {
            off1 = c->off + 4;
            crc1 = c->crc;
        }

        c->off = noff;
        c->ptag = ntag ^ ((uint32_t)(0x80u & ~eperturb) << 24);
        c->crc = 0xFFFFFFFFu;

        /* the padding is not programmed, so flush here: the cache cannot
         * span the gap */
        if (noff >= end || noff >= fs->pcache.off + fs->cfg.cache_size) {
            err = vb_lfs2_bd_sync(fs, &fs->pcache, &fs->rcache, false);
            if (err)
                return err;
        }
    }

    /* read the commit back: its CRC must hold, and the stored CRC must be
     * ours (not an old one that happened to be there) */
    uint32_t crc = 0xFFFFFFFFu;
    int err = vb_lfs2_bd_crc(fs, NULL, &fs->rcache, off1 + 4, c->block, c->begin,
                             off1 - c->begin, &crc);
    if (err)
        return err;
    if (crc != crc1)
        return -EILSEQ;
    err = vb_lfs2_bd_crc(fs, NULL, &fs->rcache, 4, c->block, off1, 4, &crc);
    if (err)
        return err;
    if (crc != 0)
        return -EILSEQ;
    return 0;
}

int vb_lfs2_commit_cb(void *ctx, uint32_t tag, const void *buf)
{
    void **p = ctx;
    return vb_lfs2_commit_attr(p[0], p[1], tag, buf);
}

int vb_lfs2_dir_alloc(vb_lfs2 *fs, vb_lfs2_mdir *dir)
{
    /* backwards, so that block 1 of the pair is written first */
    for (int i = 0; i < 2; i++) {
        int err = vb_lfs2_alloc(fs, &dir->pair[(i + 1) % 2]);
        if (err)
            return err;
    }

    /* keep whatever revision the block had (0 if unreadable) rather than
     * clobbering it, and align it so the pair is not evicted at once */
    dir->rev = 0;
    uint8_t raw[4];
    int err = vb_lfs2_bd_read(fs, NULL, &fs->rcache, 4, dir->pair[0], 0, raw, 4);
    if (err && err != -EILSEQ)
        return err;
    if (!err)
        dir->rev = vb_lfs2_le32(raw);
    if (fs->cfg.block_cycles > 0)
        dir->rev = vb_lfs2_alignup(dir->rev, ((uint32_t)fs->cfg.block_cycles + 1) | 1);

    dir->off = 4;
    dir->etag = 0xFFFFFFFFu;
    dir->count = 0;
    dir->tail[0] = VB_LFS2_BLOCK_NULL;
    dir->tail[1] = VB_LFS2_BLOCK_NULL;
    dir->erased = false;
    dir->split = false;
    return 0;
}

/* ---- commit with fallback ------------------------------------------------- */

/* Append attrs to dir (or compact it, splitting when needed), then bring
 * every open handle on the same pair up to date. Returns 0, or
 * VB_LFS2_OK_DROPPED (dir became empty and its predecessor is in the same
 * directory: the caller must unlink it; pdir = the predecessor) or
 * VB_LFS2_OK_RELOCATED (dir moved to another pair), or -errno. */
int vb_lfs2_dir_relocatingcommit(vb_lfs2 *fs, vb_lfs2_mdir *dir, const uint32_t pair[2],
                                 const vb_lfs2_mattr *attrs, int attrcount, vb_lfs2_mdir *pdir)
{
    int state = 0;
    const uint32_t bs = fs->dev->block_size;

    bool hasdelete = false;
    for (int i = 0; i < attrcount; i++) {
        uint16_t t3 = vb_lfs2_tag_type3(attrs[i].tag);
        if (t3 == VB_LFS2_T_CREATE) {
            dir->count += 1;
        } else if (t3 == VB_LFS2_T_DELETE) {
            if (dir->count == 0)
                return -EILSEQ;
            dir->count -= 1;
            hasdelete = true;
        } else if (vb_lfs2_tag_type1(attrs[i].tag) == VB_LFS2_T_TAIL) {
            const uint8_t *t = attrs[i].buf;
            dir->tail[0] = vb_lfs2_le32(t);
            dir->tail[1] = vb_lfs2_le32(t + 4);
            dir->split = (vb_lfs2_tag_chunk(attrs[i].tag) & 1) != 0;
        }
    }

    /* an emptied pair in the middle of a directory is unlinked instead
     * (callers that cannot unlink pass no pdir: it stays, empty) */
    if (hasdelete && dir->count == 0 && pdir) {
        int err = vb_lfs2_fs_pred(fs, dir->pair, pdir);
        if (err && err != -ENOENT)
            return err;
        if (err != -ENOENT && pdir->split) {
            state = VB_LFS2_OK_DROPPED;
            goto fixmlist;
        }
    }

    if (dir->erased) {
        vb_lfs2_commit c = {dir->pair[0], dir->off, dir->etag, 0xFFFFFFFFu, dir->off, bs - 8};
        void *cctx[2] = {fs, &c};
        int err = vb_lfs2_dir_traverse(fs, dir, dir->off, dir->etag, attrs, attrcount,
                                       0, 0, 0, 0, 0, vb_lfs2_commit_cb, cctx);
        if (err) {
            if (err == -ENOSPC || err == -EILSEQ)
                goto compact;
            return err;
        }

        /* the global state changes ride along with the commit */
        vb_lfs2_gstate delta = {0, {0, 0}};
        vb_lfs2_gstate_xor(&delta, &fs->gstate);
        vb_lfs2_gstate_xor(&delta, &fs->gdisk);
        vb_lfs2_gstate_xor(&delta, &fs->gdelta);
        delta.tag &= ~VB_LFS2_MKTAG(0, 0, 0x3ff);
        if (!vb_lfs2_gstate_iszero(&delta)) {
            err = vb_lfs2_dir_getgstate(fs, dir, &delta);
            if (err)
                return err;
            uint8_t g[12];
            vb_lfs2_gstate_store(g, &delta);
            err = vb_lfs2_commit_attr(fs, &c, VB_LFS2_MKTAG(VB_LFS2_T_MOVESTATE, 0x3ff, 12), g);
            if (err) {
                if (err == -ENOSPC || err == -EILSEQ)
                    goto compact;
                return err;
            }
        }

        err = vb_lfs2_commit_crc(fs, &c);
        if (err) {
            if (err == -ENOSPC || err == -EILSEQ)
                goto compact;
            return err;
        }

        dir->off = c.off;
        dir->etag = c.ptag;
        fs->gdisk = fs->gstate;
        fs->gdelta = (vb_lfs2_gstate){0, {0, 0}};
        goto fixmlist;
    }

compact:
    vb_lfs2_cache_drop(&fs->pcache);
    state = vb_lfs2_dir_splittingcompact(fs, dir, attrs, attrcount, dir, 0, dir->count);
    if (state < 0)
        return state;

fixmlist:;
    /* Update open handles on this pair. The committed mdir may itself be
     * one of them, so copy the old pair first. */
    uint32_t oldpair[2] = {pair[0], pair[1]};
    for (vb_lfs2_handle *d = fs->open; d; d = d->next) {
        if (vb_lfs2_pair_cmp(d->m.pair, oldpair) != 0)
            continue;
        d->m = *dir;
        if (d->m.pair != pair) {
            for (int i = 0; i < attrcount; i++) {
                uint16_t t3 = vb_lfs2_tag_type3(attrs[i].tag);
                uint16_t aid = vb_lfs2_tag_id(attrs[i].tag);
                if (t3 == VB_LFS2_T_DELETE && d->id == aid && d->type != VB_LFS2_TYPE_DIR) {
                    /* its entry is gone: the handle is detached */
                    d->m.pair[0] = VB_LFS2_BLOCK_NULL;
                    d->m.pair[1] = VB_LFS2_BLOCK_NULL;
                } else if (t3 == VB_LFS2_T_DELETE && d->id > aid) {
                    d->id -= 1;
                    if (d->type == VB_LFS2_TYPE_DIR)
                        ((vb_lfs2_dir *)d)->pos -= 1;
                } else if (t3 == VB_LFS2_T_CREATE && d->id >= aid) {
                    d->id += 1;
                    if (d->type == VB_LFS2_TYPE_DIR)
                        ((vb_lfs2_dir *)d)->pos += 1;
                }
            }
        }

        /* the id may now live in a pair split off after this one */
        for (uint32_t hops = 0; d->id >= d->m.count && d->m.split; hops++) {
            if (hops > fs->block_count)
                return -EILSEQ;
            if (vb_lfs2_pair_cmp(d->m.tail, fs->root) != 0)
                d->id -= d->m.count;
            int err = vb_lfs2_dir_fetch(fs, &d->m, d->m.tail);
            if (err)
                return err;
        }
    }
    return state;
}
