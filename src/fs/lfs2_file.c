/* Files: open, close, flush and sync (DESIGN.md "Files", SPEC.md "0x201
 * LFS_TYPE_INLINESTRUCT", "0x202 LFS_TYPE_CTZSTRUCT"); reading and writing
 * at the position are in lfs2_file_io.c.
 *
 * A small file lives inside its directory's metadata (inline) and is
 * rewritten whole at every sync; past inline_max it moves out ("outline")
 * to a CTZ list. Writing never touches committed blocks: the block being
 * written is a fresh copy (ctz_extend copies the part before the write
 * position), and at flush the rest of the old file is copied behind the new
 * data. Only the commit at sync makes the new list, size and attributes
 * visible, all at once. */
#include "lfs2_internal.h"

#include <stdlib.h>


int vb_lfs2_mode_flags(const char *mode)
{
    /* extmod/vfs_lfsx_file.c: one of r/w/x/a, '+' for both ways */
    int flags = 0;
    for (const char *m = mode; *m; m++) {
        int nf = 0;
        switch (*m) {
        case 'r': nf = VB_LFS2_O_RDONLY; break;
        case 'w': nf = VB_LFS2_O_WRONLY | VB_LFS2_O_CREAT | VB_LFS2_O_TRUNC; break;
        case 'x': nf = VB_LFS2_O_WRONLY | VB_LFS2_O_CREAT | VB_LFS2_O_EXCL; break;
        case 'a': nf = VB_LFS2_O_WRONLY | VB_LFS2_O_CREAT | VB_LFS2_O_APPEND; break;
        case '+': flags |= VB_LFS2_O_RDWR; break;
        default: break;  /* 'b', 't' and anything else: ignored, as there */
        }
        if (nf) {
            if (flags)
                return -EINVAL;  /* two modes, or '+' first */
            flags = nf;
        }
    }
    return flags ? flags : VB_LFS2_O_RDONLY;
}

int vb_lfs2_opencfg(vb_lfs2 *fs, vb_lfs2_file *f, const char *path, int flags,
                    const vb_lfs2_attr *attrs, uint32_t attr_count)
{
    if (!fs || !fs->mounted || !path || !f || (flags & VB_LFS2_O_RDWR) == 0 ||
        attr_count > VB_LFS2_ID_NONE || (attr_count && !attrs))
        return -EINVAL;
    if (vb_lfs2_handle_isopen(fs, &f->h))
        return -EBADF;

    if (flags & VB_LFS2_O_WRONLY) {
        /* the first write after mount repairs what a power cut left */
        int err = vb_lfs2_fs_forceconsistency(fs);
        if (err)
            return err;
    }

    int err;
    f->fs = fs;
    f->attrs = attrs;
    f->attr_count = attr_count;
    f->flags = (uint32_t)flags;
    f->pos = 0;
    f->off = 0;
    f->block = VB_LFS2_BLOCK_NULL;
    f->ctz_head = VB_LFS2_BLOCK_NULL;
    f->ctz_size = 0;
    f->cache.buf = NULL;

    int32_t tag = vb_lfs2_dir_find(fs, &f->h.m, &path, &f->h.id);
    if (tag < 0 && !(tag == -ENOENT && vb_lfs2_path_islast(path))) {
        f->fs = NULL;
        return (int)tag;
    }

    /* on the list from now on, so commits keep our id and pair right */
    f->h.type = VB_LFS2_TYPE_REG;
    vb_lfs2_handle_add(fs, &f->h);

    if (tag == -ENOENT) {
        if (!(flags & VB_LFS2_O_CREAT)) {
            err = -ENOENT;
            goto cleanup;
        }
        if (vb_lfs2_path_isdir(path)) {
            err = -ENOTDIR;  /* "name/" cannot be a file */
            goto cleanup;
        }
        uint32_t nlen = vb_lfs2_path_namelen(path);
        if (nlen > fs->name_max) {
            err = -ENAMETOOLONG;
            goto cleanup;
        }
        /* create the entry now, empty and inline, so the name is taken */
        err = vb_lfs2_dir_commit(fs, &f->h.m, VB_LFS2_MKATTRS(
            {VB_LFS2_MKTAG(VB_LFS2_T_CREATE, f->h.id, 0), NULL},
            {VB_LFS2_MKTAG(VB_LFS2_T_REG, f->h.id, nlen), path},
            {VB_LFS2_MKTAG(VB_LFS2_T_INLINESTRUCT, f->h.id, 0), NULL}));
        /* a name that does not fit in a metadata block at all */
        if (err == -ENOSPC)
            err = -ENAMETOOLONG;
        if (err)
            goto cleanup;
        tag = (int32_t)VB_LFS2_MKTAG(VB_LFS2_T_INLINESTRUCT, 0, 0);
    } else if (flags & VB_LFS2_O_EXCL) {
        err = -EEXIST;
        goto cleanup;
    } else if (vb_lfs2_tag_type3((uint32_t)tag) != VB_LFS2_T_REG) {
        err = -EISDIR;
        goto cleanup;
    } else if (flags & VB_LFS2_O_TRUNC) {
        tag = (int32_t)VB_LFS2_MKTAG(VB_LFS2_T_INLINESTRUCT, f->h.id, 0);
        f->flags |= VB_LFS2_F_DIRTY;
    } else {
        uint32_t st[2];
        tag = vb_lfs2_dir_getstruct(fs, &f->h.m, f->h.id, st);
        if (tag < 0) {
            err = (int)tag;
            goto cleanup;
        }
        f->ctz_head = st[0];
        f->ctz_size = st[1];
    }

    for (uint32_t i = 0; i < attr_count; i++) {
        if (vb_lfs2_file_readable(f)) {
            int32_t res = vb_lfs2_dir_get(fs, &f->h.m, VB_LFS2_MKTAG(0x7ff, 0x3ff, 0),
                                          VB_LFS2_MKTAG(VB_LFS2_T_USERATTR + attrs[i].type, f->h.id,
                                                        vb_lfs2_min(attrs[i].size, 0x3fe)),
                                          attrs[i].buf);
            if (res < 0 && res != -ENOENT) {
                err = (int)res;
                goto cleanup;
            }
        }
        if (vb_lfs2_file_writable(f)) {
            if (attrs[i].size > fs->attr_max) {
                err = -ENOSPC;
                goto cleanup;
            }
            /* attributes are written at every sync */
            f->flags |= VB_LFS2_F_DIRTY;
        }
    }

    f->cache.buf = malloc(fs->cfg.cache_size);
    if (!f->cache.buf) {
        err = -ENOMEM;
        goto cleanup;
    }
    vb_lfs2_cache_zero(fs, &f->cache);

    if (vb_lfs2_tag_type3((uint32_t)tag) == VB_LFS2_T_INLINESTRUCT) {
        /* inline: the file cache holds the data */
        f->ctz_head = VB_LFS2_BLOCK_INLINE;
        f->ctz_size = vb_lfs2_tag_size((uint32_t)tag);
        f->flags |= VB_LFS2_F_INLINE;
        f->cache.block = VB_LFS2_BLOCK_INLINE;
        f->cache.off = 0;
        f->cache.size = fs->cfg.cache_size;
        if (f->ctz_size > 0) {
            int32_t res = vb_lfs2_dir_get(fs, &f->h.m, VB_LFS2_MKTAG(0x700, 0x3ff, 0),
                                          VB_LFS2_MKTAG(VB_LFS2_T_STRUCT, f->h.id,
                                                        vb_lfs2_min(f->cache.size, 0x3fe)),
                                          f->cache.buf);
            if (res < 0) {
                err = (int)res;
                goto cleanup;
            }
        }
    }
    return 0;

cleanup:
    f->flags |= VB_LFS2_F_ERRED;  /* close without committing */
    vb_lfs2_close(f);
    return err;
}

int vb_lfs2_open(vb_lfs2 *fs, vb_lfs2_file *f, const char *path, int flags)
{
    return vb_lfs2_opencfg(fs, f, path, flags, NULL, 0);
}

int vb_lfs2_close(vb_lfs2_file *f)
{
    if (!f || !f->fs || !vb_lfs2_handle_isopen(f->fs, &f->h))
        return -EBADF;
    vb_lfs2 *fs = f->fs;
    int err = vb_lfs2_sync(f);
    vb_lfs2_handle_remove(fs, &f->h);
    free(f->cache.buf);
    f->cache.buf = NULL;
    f->fs = NULL;
    return err;
}

/* Copy what is written so far (f->off bytes of the current block) to a
 * fresh block: after a bad block, or to move inline data out. */
int vb_lfs2_file_relocate(vb_lfs2 *fs, vb_lfs2_file *f)
{
    for (uint32_t tries = 0;; tries++) {
        if (tries > fs->block_count)
            return -ENOSPC;
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

        for (uint32_t i = 0; i < f->off; i++) {
            uint8_t data;
            if (f->flags & VB_LFS2_F_INLINE) {
                /* inline files are moved out before they are dirty */
                err = vb_lfs2_dir_getread(fs, &f->h.m, NULL, &f->cache, f->off - i,
                                          VB_LFS2_MKTAG(0xfff, 0x1ff, 0),
                                          VB_LFS2_MKTAG(VB_LFS2_T_INLINESTRUCT, f->h.id, 0),
                                          i, &data, 1);
            } else {
                err = vb_lfs2_bd_read(fs, &f->cache, &fs->rcache, f->off - i, f->block, i, &data, 1);
            }
            if (err)
                return err;
            err = vb_lfs2_bd_prog(fs, &fs->pcache, &fs->rcache, true, nblock, i, &data, 1);
            if (err) {
                if (err == -EILSEQ)
                    goto relocate;
                return err;
            }
        }

        /* the program cache becomes the file's cache */
        memcpy(f->cache.buf, fs->pcache.buf, fs->cfg.cache_size);
        f->cache.block = fs->pcache.block;
        f->cache.off = fs->pcache.off;
        f->cache.size = fs->pcache.size;
        vb_lfs2_cache_zero(fs, &fs->pcache);
        f->block = nblock;
        f->flags |= VB_LFS2_F_WRITING;
        return 0;

    relocate:
        vb_lfs2_cache_drop(&fs->pcache);
    }
}

int vb_lfs2_file_outline(vb_lfs2 *fs, vb_lfs2_file *f)
{
    f->off = f->pos;
    vb_lfs2_alloc_ckpoint(fs);
    int err = vb_lfs2_file_relocate(fs, f);
    if (err)
        return err;
    f->flags &= ~(uint32_t)VB_LFS2_F_INLINE;
    return 0;
}

int vb_lfs2_file_flush(vb_lfs2 *fs, vb_lfs2_file *f)
{
    if (f->flags & VB_LFS2_F_READING) {
        if (!(f->flags & VB_LFS2_F_INLINE))
            vb_lfs2_cache_drop(&f->cache);
        f->flags &= ~(uint32_t)VB_LFS2_F_READING;
    }

    if (!(f->flags & VB_LFS2_F_WRITING))
        return 0;

    uint32_t pos = f->pos;
    if (!(f->flags & VB_LFS2_F_INLINE)) {
        /* copy the old file's tail behind what was written; the reader
         * borrows the read cache's buffer */
        vb_lfs2_file orig;
        memset(&orig, 0, sizeof orig);
        orig.fs = fs;
        orig.ctz_head = f->ctz_head;
        orig.ctz_size = f->ctz_size;
        orig.flags = VB_LFS2_O_RDONLY;
        orig.pos = f->pos;
        orig.cache = fs->rcache;
        vb_lfs2_cache_drop(&fs->rcache);

        while (f->pos < f->ctz_size) {
            uint8_t data;
            ssize_t res = vb_lfs2_file_flushedread(fs, &orig, &data, 1);
            if (res < 0)
                return (int)res;
            res = vb_lfs2_file_flushedwrite(fs, f, &data, 1);
            if (res < 0)
                return (int)res;
            /* both caches share one buffer: keep them coherent */
            if (fs->rcache.block != VB_LFS2_BLOCK_NULL) {
                vb_lfs2_cache_drop(&orig.cache);
                vb_lfs2_cache_drop(&fs->rcache);
            }
        }

        /* write out the file's cache, re-copying on a bad block */
        for (uint32_t tries = 0;; tries++) {
            int err = vb_lfs2_bd_flush(fs, &f->cache, &fs->rcache, true);
            if (!err)
                break;
            if (err != -EILSEQ || tries > fs->block_count)
                return err;
            err = vb_lfs2_file_relocate(fs, f);
            if (err)
                return err;
        }
    } else {
        f->pos = vb_lfs2_max(f->pos, f->ctz_size);
    }

    f->ctz_head = f->block;
    f->ctz_size = f->pos;
    f->flags &= ~(uint32_t)VB_LFS2_F_WRITING;
    f->flags |= VB_LFS2_F_DIRTY;
    f->pos = pos;
    return 0;
}

int vb_lfs2_sync(vb_lfs2_file *f)
{
    if (!f || !f->fs || !vb_lfs2_handle_isopen(f->fs, &f->h))
        return -EBADF;
    vb_lfs2 *fs = f->fs;
    if (f->flags & VB_LFS2_F_ERRED)
        return 0;  /* after a failed write nothing is safe to commit */

    int err = vb_lfs2_file_flush(fs, f);
    if (err) {
        f->flags |= VB_LFS2_F_ERRED;
        return err;
    }

    if (!(f->flags & VB_LFS2_F_DIRTY) || vb_lfs2_pair_isnull(f->h.m.pair))
        return 0;

    if ((f->flags & VB_LFS2_F_INLINE) && f->ctz_size > fs->cfg.cache_size) {
        /* inline data bigger than our cache (written with a bigger one):
         * only part of it is in RAM, so it cannot be recommitted inline */
        err = vb_lfs2_file_outline(fs, f);
        if (!err)
            err = vb_lfs2_file_flush(fs, f);
        if (err) {
            f->flags |= VB_LFS2_F_ERRED;
            return err;
        }
    }

    if (!(f->flags & VB_LFS2_F_INLINE)) {
        /* data must be on flash before the metadata that points at it */
        err = vb_lfs2_bd_sync(fs, &fs->pcache, &fs->rcache, false);
        if (err)
            return err;
    }

    uint16_t type;
    const void *buf;
    uint32_t size;
    uint8_t ctz[8];
    if (f->flags & VB_LFS2_F_INLINE) {
        type = VB_LFS2_T_INLINESTRUCT;
        buf = f->cache.buf;
        size = f->ctz_size;
    } else {
        type = VB_LFS2_T_CTZSTRUCT;
        vb_lfs2_put_le32(ctz, f->ctz_head);
        vb_lfs2_put_le32(ctz + 4, f->ctz_size);
        buf = ctz;
        size = 8;
    }

    err = vb_lfs2_dir_commit(fs, &f->h.m, VB_LFS2_MKATTRS(
        {VB_LFS2_MKTAG(type, f->h.id, size), buf},
        {VB_LFS2_MKTAG(VB_LFS2_FROM_USERATTRS, f->h.id, f->attr_count), f->attrs}));
    if (err) {
        f->flags |= VB_LFS2_F_ERRED;
        return err;
    }
    f->flags &= ~(uint32_t)VB_LFS2_F_DIRTY;
    return 0;
}
