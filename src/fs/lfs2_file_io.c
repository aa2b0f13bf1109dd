/* Files at their current position: read, write, seek, truncate (littlefs
 * lfs_file_read/write/seek/truncate).
 *
 * Reads go through the file's cache (a CTZ block's bytes, or the inline
 * data), found by walking the skip-list from the last block. Writes go to
 * a fresh copy of the block at the position (vb_lfs2_ctz_extend), never to
 * a committed block; a write past the inline limit first moves the file
 * out to blocks. Nothing here commits: that is vb_lfs2_sync's. */
#include "lfs2_internal.h"

ssize_t vb_lfs2_file_flushedread(vb_lfs2 *fs, vb_lfs2_file *f, void *buf, uint32_t size)
{
    const uint32_t bs = fs->dev->block_size;
    uint8_t *data = buf;
    if (f->pos >= f->ctz_size)
        return 0;
    size = vb_lfs2_min(size, f->ctz_size - f->pos);
    uint32_t nsize = size;

    while (nsize > 0) {
        if (!(f->flags & VB_LFS2_F_READING) || f->off == bs) {
            if (!(f->flags & VB_LFS2_F_INLINE)) {
                int err = vb_lfs2_ctz_find(fs, NULL, &f->cache, f->ctz_head, f->ctz_size, f->pos,
                                           &f->block, &f->off);
                if (err)
                    return err;
            } else {
                f->block = VB_LFS2_BLOCK_INLINE;
                f->off = f->pos;
            }
            f->flags |= VB_LFS2_F_READING;
        }

        if (f->off > bs)
            return -EILSEQ;
        uint32_t diff = vb_lfs2_min(nsize, bs - f->off);
        int err;
        if (f->flags & VB_LFS2_F_INLINE) {
            err = vb_lfs2_dir_getread(fs, &f->h.m, NULL, &f->cache, bs,
                                      VB_LFS2_MKTAG(0xfff, 0x1ff, 0),
                                      VB_LFS2_MKTAG(VB_LFS2_T_INLINESTRUCT, f->h.id, 0),
                                      f->off, data, diff);
        } else {
            err = vb_lfs2_bd_read(fs, NULL, &f->cache, bs, f->block, f->off, data, diff);
        }
        if (err)
            return err;
        f->pos += diff;
        f->off += diff;
        data += diff;
        nsize -= diff;
    }
    return size;
}

ssize_t vb_lfs2_read(vb_lfs2_file *f, void *buf, size_t n)
{
    if (!f || !f->fs || !vb_lfs2_handle_isopen(f->fs, &f->h) || !vb_lfs2_file_readable(f))
        return -EBADF;
    vb_lfs2 *fs = f->fs;
    if (f->flags & VB_LFS2_F_WRITING) {
        int err = vb_lfs2_file_flush(fs, f);
        if (err)
            return err;
    }
    return vb_lfs2_file_flushedread(fs, f, buf, (uint32_t)(n > INT32_MAX ? INT32_MAX : n));
}

ssize_t vb_lfs2_file_flushedwrite(vb_lfs2 *fs, vb_lfs2_file *f, const void *buf, uint32_t size)
{
    const uint32_t bs = fs->dev->block_size;
    const uint8_t *data = buf;
    uint32_t nsize = size;

    if ((f->flags & VB_LFS2_F_INLINE) && vb_lfs2_max(f->pos + nsize, f->ctz_size) > fs->inline_max) {
        /* no longer fits inline */
        int err = vb_lfs2_file_outline(fs, f);
        if (err) {
            f->flags |= VB_LFS2_F_ERRED;
            return err;
        }
    }

    while (nsize > 0) {
        if (!(f->flags & VB_LFS2_F_WRITING) || f->off == bs) {
            if (!(f->flags & VB_LFS2_F_INLINE)) {
                if (!(f->flags & VB_LFS2_F_WRITING) && f->pos > 0) {
                    /* the block we extend from: the one holding pos-1 */
                    uint32_t dummy;
                    int err = vb_lfs2_ctz_find(fs, NULL, &f->cache, f->ctz_head, f->ctz_size,
                                               f->pos - 1, &f->block, &dummy);
                    if (err) {
                        f->flags |= VB_LFS2_F_ERRED;
                        return err;
                    }
                    vb_lfs2_cache_zero(fs, &f->cache);
                }
                vb_lfs2_alloc_ckpoint(fs);
                int err = vb_lfs2_ctz_extend(fs, &f->cache, &fs->rcache, f->block, f->pos,
                                             &f->block, &f->off);
                if (err) {
                    f->flags |= VB_LFS2_F_ERRED;
                    return err;
                }
            } else {
                f->block = VB_LFS2_BLOCK_INLINE;
                f->off = f->pos;
            }
            f->flags |= VB_LFS2_F_WRITING;
        }

        uint32_t diff = vb_lfs2_min(nsize, bs - f->off);
        for (uint32_t tries = 0;; tries++) {
            int err = vb_lfs2_bd_prog(fs, &f->cache, &fs->rcache, true, f->block, f->off, data, diff);
            if (!err)
                break;
            if (err != -EILSEQ || tries > fs->block_count) {
                f->flags |= VB_LFS2_F_ERRED;
                return err;
            }
            err = vb_lfs2_file_relocate(fs, f);
            if (err) {
                f->flags |= VB_LFS2_F_ERRED;
                return err;
            }
        }

        f->pos += diff;
        f->off += diff;
        data += diff;
        nsize -= diff;
        vb_lfs2_alloc_ckpoint(fs);
    }
    return size;
}

ssize_t vb_lfs2_write(vb_lfs2_file *f, const void *buf, size_t n)
{
    if (!f || !f->fs || !vb_lfs2_handle_isopen(f->fs, &f->h) || !vb_lfs2_file_writable(f))
        return -EBADF;
    vb_lfs2 *fs = f->fs;

    if (f->flags & VB_LFS2_F_READING) {
        int err = vb_lfs2_file_flush(fs, f);
        if (err)
            return err;
    }
    if ((f->flags & VB_LFS2_O_APPEND) && f->pos < f->ctz_size)
        f->pos = f->ctz_size;
    if ((uint64_t)f->pos + n > fs->file_max)
        return -EFBIG;

    if (!(f->flags & VB_LFS2_F_WRITING) && f->pos > f->ctz_size) {
        /* a gap after a seek past the end reads as zeros */
        uint32_t pos = f->pos;
        f->pos = f->ctz_size;
        while (f->pos < pos) {
            ssize_t res = vb_lfs2_file_flushedwrite(fs, f, &(uint8_t){0}, 1);
            if (res < 0)
                return res;
        }
    }

    ssize_t res = vb_lfs2_file_flushedwrite(fs, f, buf, (uint32_t)n);
    if (res < 0)
        return res;
    f->flags &= ~(uint32_t)VB_LFS2_F_ERRED;
    return res;
}

int32_t vb_lfs2_size(vb_lfs2_file *f)
{
    if (!f || !f->fs || !vb_lfs2_handle_isopen(f->fs, &f->h))
        return -EBADF;
    if (f->flags & VB_LFS2_F_WRITING)
        return (int32_t)vb_lfs2_max(f->pos, f->ctz_size);
    return (int32_t)f->ctz_size;
}

int32_t vb_lfs2_tell(vb_lfs2_file *f)
{
    if (!f || !f->fs || !vb_lfs2_handle_isopen(f->fs, &f->h))
        return -EBADF;
    return (int32_t)f->pos;
}

int32_t vb_lfs2_seek(vb_lfs2_file *f, int32_t off, int whence)
{
    if (!f || !f->fs || !vb_lfs2_handle_isopen(f->fs, &f->h))
        return -EBADF;
    vb_lfs2 *fs = f->fs;
    uint32_t npos;
    if (whence == 0)
        npos = (uint32_t)off;
    else if (whence == 1)
        npos = f->pos + (uint32_t)off;
    else if (whence == 2)
        npos = (uint32_t)vb_lfs2_size(f) + (uint32_t)off;
    else
        return -EINVAL;
    if (npos > fs->file_max)
        return -EINVAL;
    if (f->pos == npos)
        return (int32_t)npos;

    /* reading inside the cached part of the same block: no flush */
    if ((f->flags & VB_LFS2_F_READING) && f->off != fs->dev->block_size) {
        uint32_t opos = f->pos, noff = npos;
        uint32_t oindex = vb_lfs2_ctz_index(fs, &opos);
        uint32_t nindex = vb_lfs2_ctz_index(fs, &noff);
        if (oindex == nindex && noff >= f->cache.off && noff < f->cache.off + f->cache.size) {
            f->pos = npos;
            f->off = noff;
            return (int32_t)npos;
        }
    }

    int err = vb_lfs2_file_flush(fs, f);
    if (err)
        return err;
    f->pos = npos;
    return (int32_t)npos;
}

int vb_lfs2_rewind(vb_lfs2_file *f)
{
    int32_t r = vb_lfs2_seek(f, 0, 0);
    return r < 0 ? (int)r : 0;
}

int vb_lfs2_truncate(vb_lfs2_file *f, uint32_t size)
{
    if (!f || !f->fs || !vb_lfs2_handle_isopen(f->fs, &f->h) || !vb_lfs2_file_writable(f))
        return -EBADF;
    vb_lfs2 *fs = f->fs;
    if (size > VB_LFS2_FILE_MAX || size > fs->file_max)
        return -EINVAL;

    uint32_t pos = f->pos;
    uint32_t oldsize = (uint32_t)vb_lfs2_size(f);
    if (size < oldsize) {
        if (size <= fs->inline_max) {
            /* small enough to go back inline: read it into the cache */
            int32_t r = vb_lfs2_seek(f, 0, 0);
            if (r < 0)
                return (int)r;
            vb_lfs2_cache_drop(&fs->rcache);
            ssize_t res = vb_lfs2_file_flushedread(fs, f, fs->rcache.buf, size);
            if (res < 0)
                return (int)res;
            f->ctz_head = VB_LFS2_BLOCK_INLINE;
            f->ctz_size = size;
            f->flags |= VB_LFS2_F_DIRTY | VB_LFS2_F_READING | VB_LFS2_F_INLINE;
            f->cache.block = f->ctz_head;
            f->cache.off = 0;
            f->cache.size = fs->cfg.cache_size;
            memcpy(f->cache.buf, fs->rcache.buf, size);
        } else {
            int err = vb_lfs2_file_flush(fs, f);
            if (err)
                return err;
            /* the new last block is the one holding byte size-1 */
            uint32_t dummy;
            err = vb_lfs2_ctz_find(fs, NULL, &f->cache, f->ctz_head, f->ctz_size, size - 1,
                                   &f->block, &dummy);
            if (err)
                return err;
            f->pos = size;
            f->ctz_head = f->block;
            f->ctz_size = size;
            f->flags |= VB_LFS2_F_DIRTY | VB_LFS2_F_READING;
        }
    } else if (size > oldsize) {
        int32_t r = vb_lfs2_seek(f, 0, 2);
        if (r < 0)
            return (int)r;
        while (f->pos < size) {
            ssize_t res = vb_lfs2_write(f, &(uint8_t){0}, 1);
            if (res < 0)
                return (int)res;
        }
    }

    int32_t r = vb_lfs2_seek(f, (int32_t)pos, 0);
    return r < 0 ? (int)r : 0;
}
