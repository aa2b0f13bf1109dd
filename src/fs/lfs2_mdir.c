/* Reading metadata pairs (SPEC.md "Directories / Metadata pairs", "Metadata
 * tags"): fetch = pick the block with the newer revision and find its last
 * commit whose CRC holds; get = scan that log backwards for the newest tag
 * of an id, following creates and deletes that shift ids.
 *
 * A fetch walks forward through XOR-chained big-endian tags, CRCs every
 * byte of a commit up to its CRC tag and keeps the state of the last commit
 * that checks out. Whether the block after that commit is still erased (so a
 * new commit may be appended) comes from the commit's FCRC (2.1) or, on a
 * volume we write as 2.0, from the end of the log being aligned. */
#include "lfs2_internal.h"

int32_t vb_lfs2_dir_fetchmatch(vb_lfs2 *fs, vb_lfs2_mdir *dir, const uint32_t pair[2],
                               uint32_t fmask, uint32_t ftag, uint16_t *id,
                               vb_lfs2_tag_cb cb, void *ctx)
{
    const uint32_t bs = fs->dev->block_size;
    int32_t besttag = -1;

    /* an out-of-range pair is corrupt here, before anything writes to it */
    if (pair[0] >= fs->block_count || pair[1] >= fs->block_count)
        return -EILSEQ;

    /* the block with the newer revision (sequence comparison) goes first */
    uint32_t revs[2] = {0, 0};
    int r = 0;
    for (int i = 0; i < 2; i++) {
        uint8_t raw[4];
        int err = vb_lfs2_bd_read(fs, NULL, &fs->rcache, 4, pair[i], 0, raw, 4);
        if (err && err != -EILSEQ)
            return err;
        if (!err) {
            revs[i] = vb_lfs2_le32(raw);
            if (vb_lfs2_scmp(revs[i], revs[(i + 1) % 2]) > 0)
                r = i;
        }
    }

    dir->pair[0] = pair[(r + 0) % 2];
    dir->pair[1] = pair[(r + 1) % 2];
    dir->rev = revs[(r + 0) % 2];
    dir->off = 0;  /* non-zero once a valid commit is found */

    for (int i = 0; i < 2; i++) {
        uint32_t off = 0;
        uint32_t ptag = 0xFFFFFFFFu;
        uint16_t tempcount = 0;
        uint32_t temptail[2] = {VB_LFS2_BLOCK_NULL, VB_LFS2_BLOCK_NULL};
        bool tempsplit = false;
        int32_t tempbesttag = besttag;
        bool maybeerased = false;
        bool hasfcrc = false;
        uint32_t fcrc_size = 0, fcrc_crc = 0;

        uint8_t revle[4];
        vb_lfs2_put_le32(revle, dir->rev);
        uint32_t crc = vb_lfs2_crc(0xFFFFFFFFu, revle, 4);

        for (;;) {
            uint8_t raw[8];
            off += vb_lfs2_tag_dsize(ptag);
            int err = vb_lfs2_bd_read(fs, NULL, &fs->rcache, bs, dir->pair[0], off, raw, 4);
            if (err) {
                if (err == -EILSEQ)
                    break;
                return err;
            }
            crc = vb_lfs2_crc(crc, raw, 4);
            uint32_t tag = vb_lfs2_be32(raw) ^ ptag;

            if (!vb_lfs2_tag_isvalid(tag)) {
                /* next commit not programmed: the block may be erased on,
                 * but only right after a CRC tag */
                maybeerased = vb_lfs2_tag_type2(ptag) == VB_LFS2_T_CCRC;
                break;
            }
            if ((uint64_t)off + vb_lfs2_tag_dsize(tag) > bs)
                break;
            ptag = tag;

            if (vb_lfs2_tag_type2(tag) == VB_LFS2_T_CCRC) {
                /* end of a commit: does its CRC hold? */
                err = vb_lfs2_bd_read(fs, NULL, &fs->rcache, bs, dir->pair[0], off + 4, raw, 4);
                if (err) {
                    if (err == -EILSEQ)
                        break;
                    return err;
                }
                if (crc != vb_lfs2_le32(raw))
                    break;
                /* chunk bit 0 says whether the next valid bit is flipped */
                ptag ^= (uint32_t)(vb_lfs2_tag_chunk(tag) & 1u) << 31;
                /* commit CRCs seed the allocator's starting point */
                uint8_t crcle[4];
                vb_lfs2_put_le32(crcle, crc);
                fs->seed = vb_lfs2_crc(fs->seed, crcle, 4);

                besttag = tempbesttag;
                dir->off = off + vb_lfs2_tag_dsize(tag);
                dir->etag = ptag;
                dir->count = tempcount;
                dir->tail[0] = temptail[0];
                dir->tail[1] = temptail[1];
                dir->split = tempsplit;
                crc = 0xFFFFFFFFu;
                continue;
            }

            /* CRC the entry's data (leaves it in the read cache) */
            err = vb_lfs2_bd_crc(fs, NULL, &fs->rcache, bs, dir->pair[0], off + 4,
                                 vb_lfs2_tag_dsize(tag) - 4, &crc);
            if (err) {
                if (err == -EILSEQ)
                    break;
                return err;
            }

            if (vb_lfs2_tag_type1(tag) == VB_LFS2_T_NAME) {
                if (vb_lfs2_tag_id(tag) == VB_LFS2_ID_NONE)
                    break;  /* a name without an id: not from littlefs */
                if (vb_lfs2_tag_id(tag) >= tempcount)
                    tempcount = (uint16_t)(vb_lfs2_tag_id(tag) + 1);
            } else if (vb_lfs2_tag_type1(tag) == VB_LFS2_T_SPLICE) {
                int count = tempcount + vb_lfs2_tag_splice(tag);
                /* a count outside 0..0x3ff cannot come from littlefs: treat
                 * the commit as torn rather than walk 65535 ids */
                if (count < 0 || count > (int)VB_LFS2_ID_NONE)
                    break;
                tempcount = (uint16_t)count;
                if (tag == (VB_LFS2_MKTAG(VB_LFS2_T_DELETE, 0, 0) |
                            (VB_LFS2_MKTAG(0, 0x3ff, 0) & (uint32_t)tempbesttag))) {
                    tempbesttag = (int32_t)((uint32_t)tempbesttag | 0x80000000u);
                } else if (tempbesttag != -1 &&
                           vb_lfs2_tag_id(tag) <= vb_lfs2_tag_id((uint32_t)tempbesttag)) {
                    tempbesttag = (int32_t)((uint32_t)tempbesttag +
                                            VB_LFS2_MKTAG(0, (uint32_t)(int32_t)vb_lfs2_tag_splice(tag), 0));
                }
            } else if (vb_lfs2_tag_type1(tag) == VB_LFS2_T_TAIL) {
                tempsplit = (vb_lfs2_tag_chunk(tag) & 1) != 0;
                err = vb_lfs2_bd_read(fs, NULL, &fs->rcache, bs, dir->pair[0], off + 4, raw, 8);
                if (err) {
                    if (err == -EILSEQ)
                        break;
                    return err;
                }
                temptail[0] = vb_lfs2_le32(raw);
                temptail[1] = vb_lfs2_le32(raw + 4);
            } else if (vb_lfs2_tag_type3(tag) == VB_LFS2_T_FCRC) {
                err = vb_lfs2_bd_read(fs, NULL, &fs->rcache, bs, dir->pair[0], off + 4, raw, 8);
                if (err) {
                    if (err == -EILSEQ)
                        break;
                    return err;
                }
                fcrc_size = vb_lfs2_le32(raw);
                fcrc_crc = vb_lfs2_le32(raw + 4);
                hasfcrc = true;
            }

            if ((fmask & tag) == (fmask & ftag)) {
                vb_lfs2_diskoff disk = {dir->pair[0], off + 4};
                int res = cb(ctx, tag, &disk);
                if (res < 0) {
                    if (res == -EILSEQ)
                        break;
                    return res;
                }
                if (res == VB_LFS2_CMP_EQ) {
                    tempbesttag = (int32_t)tag;
                } else if ((VB_LFS2_MKTAG(0x7ff, 0x3ff, 0) & tag) ==
                           (VB_LFS2_MKTAG(0x7ff, 0x3ff, 0) & (uint32_t)tempbesttag)) {
                    /* same tag again with other contents: the match is gone */
                    tempbesttag = -1;
                } else if (res == VB_LFS2_CMP_GT &&
                           vb_lfs2_tag_id(tag) <= vb_lfs2_tag_id((uint32_t)tempbesttag)) {
                    /* a greater name: remember where ours would go */
                    tempbesttag = (int32_t)(tag | 0x80000000u);
                }
            }
        }

        if (dir->off == 0) {
            /* no valid commit in this block: try the other one */
            vb_lfs2_pair_swap(dir->pair);
            dir->rev = revs[(r + 1) % 2];
            continue;
        }

        dir->erased = false;
        if (maybeerased && dir->off % fs->cfg.prog_size == 0) {
            if (vb_lfs2_disk_version(fs) < VB_LFS2_VERSION_2_1) {
                /* 2.0 has no FCRC: trust the alignment (littlefs multiversion) */
                dir->erased = true;
            } else if (hasfcrc) {
                /* the FCRC covers the next program unit as it was when
                 * erased; a mismatch means a cut program: do not append */
                uint32_t c = 0xFFFFFFFFu;
                int err = vb_lfs2_bd_crc(fs, NULL, &fs->rcache, bs, dir->pair[0], dir->off,
                                         fcrc_size, &c);
                if (err && err != -EILSEQ)
                    return err;
                dir->erased = !err && c == fcrc_crc;
            }
        }

        /* a pending move deletes its source entry (synthetic delete) */
        if (vb_lfs2_gstate_hasmovehere(&fs->gdisk, dir->pair)) {
            if (vb_lfs2_tag_id(fs->gdisk.tag) == vb_lfs2_tag_id((uint32_t)besttag)) {
                besttag = (int32_t)((uint32_t)besttag | 0x80000000u);
            } else if (besttag != -1 &&
                       vb_lfs2_tag_id(fs->gdisk.tag) < vb_lfs2_tag_id((uint32_t)besttag)) {
                besttag = (int32_t)((uint32_t)besttag - VB_LFS2_MKTAG(0, 1, 0));
            }
        }

        if (id)
            *id = (uint16_t)vb_lfs2_min(vb_lfs2_tag_id((uint32_t)besttag), dir->count);

        if (vb_lfs2_tag_isvalid((uint32_t)besttag))
            return besttag;
        if (vb_lfs2_tag_id((uint32_t)besttag) < dir->count)
            return -ENOENT;
        return 0;
    }

    return -EILSEQ;  /* neither block holds a valid commit */
}

static int never_match(void *ctx, uint32_t tag, const void *buf)
{
    (void)ctx; (void)tag; (void)buf;
    return VB_LFS2_CMP_LT;
}

int vb_lfs2_dir_fetch(vb_lfs2 *fs, vb_lfs2_mdir *dir, const uint32_t pair[2])
{
    /* mask = tag = all ones can never match: that pattern is invalid */
    int32_t r = vb_lfs2_dir_fetchmatch(fs, dir, pair, 0xFFFFFFFFu, 0xFFFFFFFFu, NULL,
                                       never_match, NULL);
    return r < 0 ? (int)r : 0;
}

int32_t vb_lfs2_dir_getslice(vb_lfs2 *fs, const vb_lfs2_mdir *dir, uint32_t gmask, uint32_t gtag,
                             uint32_t goff, void *gbuf, uint32_t gsize)
{
    uint32_t off = dir->off;
    uint32_t ntag = dir->etag;
    uint32_t gdiff = 0;

    /* The source of a pending move reads as deleted: fetchmatch hands out
     * ids with it taken out, so ids from it on are one higher on disk.
     * (littlefs 2.11 instead answers -ENOENT for the id equal to the moved
     * one, which hides the entry after it until the move is finished.) */
    if (vb_lfs2_gstate_hasmovehere(&fs->gdisk, dir->pair) && vb_lfs2_tag_id(gmask) != 0 &&
        vb_lfs2_tag_id(fs->gdisk.tag) <= vb_lfs2_tag_id(gtag))
        gdiff -= VB_LFS2_MKTAG(0, 1, 0);

    /* newest first: walk the log backwards */
    while (off >= 4 + vb_lfs2_tag_dsize(ntag)) {
        off -= vb_lfs2_tag_dsize(ntag);
        uint32_t tag = ntag;
        uint8_t raw[4];
        int err = vb_lfs2_bd_read(fs, NULL, &fs->rcache, 4, dir->pair[0], off, raw, 4);
        if (err)
            return err;
        ntag = (vb_lfs2_be32(raw) ^ tag) & 0x7FFFFFFFu;

        if (vb_lfs2_tag_id(gmask) != 0 && vb_lfs2_tag_type1(tag) == VB_LFS2_T_SPLICE &&
            vb_lfs2_tag_id(tag) <= vb_lfs2_tag_id(gtag - gdiff)) {
            if (tag == (VB_LFS2_MKTAG(VB_LFS2_T_CREATE, 0, 0) |
                        (VB_LFS2_MKTAG(0, 0x3ff, 0) & (gtag - gdiff))))
                return -ENOENT;  /* reached where the id was created */
            gdiff += VB_LFS2_MKTAG(0, (uint32_t)(int32_t)vb_lfs2_tag_splice(tag), 0);
        }

        if ((gmask & tag) == (gmask & (gtag - gdiff))) {
            if (vb_lfs2_tag_isdelete(tag))
                return -ENOENT;
            uint32_t diff = vb_lfs2_min(vb_lfs2_tag_size(tag), gsize);
            err = vb_lfs2_bd_read(fs, NULL, &fs->rcache, diff, dir->pair[0], off + 4 + goff,
                                  gbuf, diff);
            if (err)
                return err;
            memset((uint8_t *)gbuf + diff, 0, gsize - diff);
            return (int32_t)(tag + gdiff);
        }
    }
    return -ENOENT;
}

int32_t vb_lfs2_dir_get(vb_lfs2 *fs, const vb_lfs2_mdir *dir, uint32_t gmask, uint32_t gtag, void *buf)
{
    return vb_lfs2_dir_getslice(fs, dir, gmask, gtag, 0, buf, vb_lfs2_tag_size(gtag));
}

int32_t vb_lfs2_dir_getstruct(vb_lfs2 *fs, const vb_lfs2_mdir *dir, uint16_t id, uint32_t out[2])
{
    uint8_t raw[8];
    int32_t tag = vb_lfs2_dir_get(fs, dir, VB_LFS2_MKTAG(0x700, 0x3ff, 0),
                                  VB_LFS2_MKTAG(VB_LFS2_T_STRUCT, id, 8), raw);
    if (tag < 0)
        return tag;
    out[0] = vb_lfs2_le32(raw);
    out[1] = vb_lfs2_le32(raw + 4);
    return tag;
}

int vb_lfs2_dir_getread(vb_lfs2 *fs, const vb_lfs2_mdir *dir, const vb_lfs2_cache *pcache,
                        vb_lfs2_cache *rcache, uint32_t hint, uint32_t gmask, uint32_t gtag,
                        uint32_t off, void *buf, uint32_t size)
{
    /* inline data through caches whose block is the inline marker */
    uint8_t *data = buf;
    if ((uint64_t)off + size > fs->dev->block_size)
        return -EILSEQ;

    while (size > 0) {
        uint32_t diff = size;

        if (pcache && pcache->block == VB_LFS2_BLOCK_INLINE && off < pcache->off + pcache->size) {
            if (off >= pcache->off) {
                diff = vb_lfs2_min(diff, pcache->size - (off - pcache->off));
                memcpy(data, &pcache->buf[off - pcache->off], diff);
                data += diff; off += diff; size -= diff;
                continue;
            }
            diff = vb_lfs2_min(diff, pcache->off - off);
        }

        if (rcache->block == VB_LFS2_BLOCK_INLINE && off < rcache->off + rcache->size) {
            if (off >= rcache->off) {
                diff = vb_lfs2_min(diff, rcache->size - (off - rcache->off));
                memcpy(data, &rcache->buf[off - rcache->off], diff);
                data += diff; off += diff; size -= diff;
                continue;
            }
            diff = vb_lfs2_min(diff, rcache->off - off);
        }

        rcache->block = VB_LFS2_BLOCK_INLINE;
        rcache->off = vb_lfs2_aligndown(off, fs->cfg.read_size);
        rcache->size = vb_lfs2_min(vb_lfs2_alignup(off + hint, fs->cfg.read_size), fs->cfg.cache_size);
        int32_t err = vb_lfs2_dir_getslice(fs, dir, gmask, gtag, rcache->off, rcache->buf, rcache->size);
        if (err < 0) {
            vb_lfs2_cache_drop(rcache);
            return (int)err;
        }
        if (rcache->size == 0) {
            /* only with a zero hint; never spin */
            vb_lfs2_cache_drop(rcache);
            return -EILSEQ;
        }
    }
    return 0;
}

int vb_lfs2_dir_getgstate(vb_lfs2 *fs, const vb_lfs2_mdir *dir, vb_lfs2_gstate *g)
{
    uint8_t raw[12];
    int32_t res = vb_lfs2_dir_get(fs, dir, VB_LFS2_MKTAG(0x7ff, 0, 0),
                                  VB_LFS2_MKTAG(VB_LFS2_T_MOVESTATE, 0, 12), raw);
    if (res < 0 && res != -ENOENT)
        return (int)res;
    if (res != -ENOENT) {
        vb_lfs2_gstate d;
        vb_lfs2_gstate_load(&d, raw);
        vb_lfs2_gstate_xor(g, &d);
    }
    return 0;
}

int vb_lfs2_dir_getinfo(vb_lfs2 *fs, vb_lfs2_mdir *dir, uint16_t id, vb_lfs2_info *info)
{
    if (id == VB_LFS2_ID_NONE) {
        strcpy(info->name, "/");
        info->type = VB_LFS2_TYPE_DIR;
        info->size = 0;
        return 0;
    }

    int32_t tag = vb_lfs2_dir_get(fs, dir, VB_LFS2_MKTAG(0x780, 0x3ff, 0),
                                  VB_LFS2_MKTAG(VB_LFS2_T_NAME, id, fs->name_max + 1), info->name);
    if (tag < 0)
        return (int)tag;
    /* a name longer than name_max (corrupt) is cut, always terminated */
    info->name[vb_lfs2_min(vb_lfs2_tag_size((uint32_t)tag), fs->name_max)] = '\0';
    info->type = (uint8_t)vb_lfs2_tag_type3((uint32_t)tag);

    uint32_t st[2];
    tag = vb_lfs2_dir_getstruct(fs, dir, id, st);
    if (tag < 0)
        return (int)tag;
    info->size = 0;
    if (vb_lfs2_tag_type3((uint32_t)tag) == VB_LFS2_T_CTZSTRUCT)
        info->size = st[1];
    else if (vb_lfs2_tag_type3((uint32_t)tag) == VB_LFS2_T_INLINESTRUCT)
        info->size = vb_lfs2_tag_size((uint32_t)tag);
    return 0;
}
