/* Device access through a read cache and a program cache (littlefs's
 * "Caching block device operations"). Only this file calls the device.
 *
 * Reads are range-checked against the geometry (an out-of-range block or
 * offset is a corrupt image: -EILSEQ), then served from the program cache
 * (data not yet on flash), the read cache, or the device in read_size units.
 * Programs collect in a cache and go out in prog_size units, padded with
 * 0xFF (erased value, so padding changes no bit); a full cache is written at
 * once. With `validate`, what was programmed is read back and compared: a
 * mismatch is reported as -EILSEQ, which callers treat as a bad block. */
#include "lfs2_internal.h"

#include "util/crc32.h"

uint32_t vb_lfs2_crc(uint32_t crc, const void *buf, size_t size)
{
    /* SPEC.md: CRC-32, polynomial 0x04c11db7 (reflected), no final XOR */
    return vb_crc32_raw(crc, buf, size);
}

void vb_lfs2_cache_zero(const vb_lfs2 *fs, vb_lfs2_cache *c)
{
    /* 0xFF rather than zero: padding of a partial program stays erased */
    memset(c->buf, 0xFF, fs->cfg.cache_size);
    c->block = VB_LFS2_BLOCK_NULL;
}

static int dev_result(int r)
{
    return r > 0 ? -EIO : r;
}

int vb_lfs2_bd_read(vb_lfs2 *fs, const vb_lfs2_cache *pcache, vb_lfs2_cache *rcache,
                    uint32_t hint, uint32_t block, uint32_t off, void *buf, uint32_t size)
{
    const uint32_t bs = fs->dev->block_size, rs = fs->cfg.read_size;
    uint8_t *data = buf;
    if ((uint64_t)off + size > bs || block >= fs->block_count)
        return -EILSEQ;

    while (size > 0) {
        uint32_t diff = size;

        if (pcache && block == pcache->block && off < pcache->off + pcache->size) {
            if (off >= pcache->off) {
                diff = vb_lfs2_min(diff, pcache->size - (off - pcache->off));
                memcpy(data, &pcache->buf[off - pcache->off], diff);
                data += diff; off += diff; size -= diff;
                continue;
            }
            diff = vb_lfs2_min(diff, pcache->off - off);  /* pcache wins after that */
        }

        if (block == rcache->block && off < rcache->off + rcache->size) {
            if (off >= rcache->off) {
                diff = vb_lfs2_min(diff, rcache->size - (off - rcache->off));
                memcpy(data, &rcache->buf[off - rcache->off], diff);
                data += diff; off += diff; size -= diff;
                continue;
            }
            diff = vb_lfs2_min(diff, rcache->off - off);
        }

        if (size >= hint && off % rs == 0 && size >= rs) {
            /* large aligned read: bypass the cache */
            diff = vb_lfs2_aligndown(diff, rs);
            int err = dev_result(fs->dev->read(fs->dev->ctx, block, off, data, diff));
            if (err)
                return err;
            data += diff; off += diff; size -= diff;
            continue;
        }

        /* load the read cache: from off down to a read unit, hint bytes on */
        rcache->block = block;
        rcache->off = vb_lfs2_aligndown(off, rs);
        uint64_t want = (uint64_t)off + hint;
        want = (want + rs - 1) / rs * rs;
        if (want > bs)
            want = bs;
        rcache->size = vb_lfs2_min((uint32_t)want - rcache->off, fs->cfg.cache_size);
        int err = dev_result(fs->dev->read(fs->dev->ctx, rcache->block, rcache->off,
                                           rcache->buf, rcache->size));
        if (err) {
            vb_lfs2_cache_drop(rcache);
            return err;
        }
    }
    return 0;
}

int vb_lfs2_bd_cmp(vb_lfs2 *fs, const vb_lfs2_cache *pcache, vb_lfs2_cache *rcache,
                   uint32_t hint, uint32_t block, uint32_t off, const void *buf, uint32_t size)
{
    const uint8_t *data = buf;
    uint32_t diff;
    for (uint32_t i = 0; i < size; i += diff) {
        uint8_t dat[8];
        diff = vb_lfs2_min(size - i, sizeof dat);
        int err = vb_lfs2_bd_read(fs, pcache, rcache, hint - i, block, off + i, dat, diff);
        if (err)
            return err;
        int res = memcmp(dat, data + i, diff);
        if (res)
            return res < 0 ? VB_LFS2_CMP_LT : VB_LFS2_CMP_GT;
    }
    return VB_LFS2_CMP_EQ;
}

int vb_lfs2_bd_crc(vb_lfs2 *fs, const vb_lfs2_cache *pcache, vb_lfs2_cache *rcache,
                   uint32_t hint, uint32_t block, uint32_t off, uint32_t size, uint32_t *crc)
{
    uint32_t diff;
    for (uint32_t i = 0; i < size; i += diff) {
        uint8_t dat[8];
        diff = vb_lfs2_min(size - i, sizeof dat);
        int err = vb_lfs2_bd_read(fs, pcache, rcache, hint - i, block, off + i, dat, diff);
        if (err)
            return err;
        *crc = vb_lfs2_crc(*crc, dat, diff);
    }
    return 0;
}

int vb_lfs2_bd_flush(vb_lfs2 *fs, vb_lfs2_cache *pcache, vb_lfs2_cache *rcache, bool validate)
{
    if (pcache->block == VB_LFS2_BLOCK_NULL || pcache->block == VB_LFS2_BLOCK_INLINE)
        return 0;
    if (pcache->block >= fs->block_count)
        return -EIO;
    uint32_t diff = vb_lfs2_alignup(pcache->size, fs->cfg.prog_size);
    int err = dev_result(fs->dev->prog(fs->dev->ctx, pcache->block, pcache->off, pcache->buf, diff));
    if (err)
        return err;

    if (validate) {
        /* read back what flash now holds */
        vb_lfs2_cache_drop(rcache);
        int res = vb_lfs2_bd_cmp(fs, NULL, rcache, diff, pcache->block, pcache->off,
                                 pcache->buf, diff);
        if (res < 0)
            return res;
        if (res != VB_LFS2_CMP_EQ)
            return -EILSEQ;
    }

    vb_lfs2_cache_zero(fs, pcache);
    return 0;
}

int vb_lfs2_bd_sync(vb_lfs2 *fs, vb_lfs2_cache *pcache, vb_lfs2_cache *rcache, bool validate)
{
    vb_lfs2_cache_drop(rcache);
    int err = vb_lfs2_bd_flush(fs, pcache, rcache, validate);
    if (err)
        return err;
    return fs->dev->sync ? dev_result(fs->dev->sync(fs->dev->ctx)) : 0;
}

int vb_lfs2_bd_prog(vb_lfs2 *fs, vb_lfs2_cache *pcache, vb_lfs2_cache *rcache, bool validate,
                    uint32_t block, uint32_t off, const void *buf, uint32_t size)
{
    const uint32_t cs = fs->cfg.cache_size;
    const uint8_t *data = buf;
    if (block != VB_LFS2_BLOCK_INLINE && block >= fs->block_count)
        return -EIO;
    if ((uint64_t)off + size > fs->dev->block_size)
        return -EIO;

    while (size > 0) {
        if (block == pcache->block && off >= pcache->off && off < pcache->off + cs) {
            uint32_t diff = vb_lfs2_min(size, cs - (off - pcache->off));
            memcpy(&pcache->buf[off - pcache->off], data, diff);
            data += diff; off += diff; size -= diff;
            pcache->size = vb_lfs2_max(pcache->size, off - pcache->off);
            if (pcache->size == cs) {
                /* a full cache goes out at once */
                int err = vb_lfs2_bd_flush(fs, pcache, rcache, validate);
                if (err)
                    return err;
            }
            continue;
        }

        /* the cache must have been flushed (whole block written, or by the
         * caller); anything else would program out of order */
        if (pcache->block != VB_LFS2_BLOCK_NULL)
            return -EIO;
        pcache->block = block;
        pcache->off = vb_lfs2_aligndown(off, fs->cfg.prog_size);
        pcache->size = 0;
    }
    return 0;
}

int vb_lfs2_bd_erase(vb_lfs2 *fs, uint32_t block)
{
    if (block >= fs->block_count)
        return -EIO;
    return dev_result(fs->dev->erase(fs->dev->ctx, block));
}
