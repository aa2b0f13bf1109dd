/* Files: open modes, read, write, seek, truncate, flush, close, following
 * FatFs f_open/f_read/f_write/f_lseek/f_truncate/f_sync (flash.md §4.6).
 * File data goes through the volume's sector window (FF_FS_TINY), so the
 * sequence of device writes, and with it every power-cut point, matches the
 * real board's. */
#include <errno.h>
#include <string.h>

#include "fat_internal.h"

#define MODE_READ 1
#define MODE_WRITE 2
#define MODE_CREATE_NEW 4     /* 'x' */
#define MODE_CREATE_ALWAYS 8  /* 'w' */
#define MODE_OPEN_ALWAYS 16   /* 'a' */
#define MODE_APPEND 32        /* 'a': seek to the end once */

static int parse_mode(const char *m, int *out)
{
    int flags = 0, kind = 0;
    for (; *m; m++) {
        switch (*m) {
        case 'r': kind++; flags |= MODE_READ; break;
        case 'w': kind++; flags |= MODE_WRITE | MODE_CREATE_ALWAYS; break;
        case 'x': kind++; flags |= MODE_WRITE | MODE_CREATE_NEW; break;
        case 'a': kind++; flags |= MODE_WRITE | MODE_OPEN_ALWAYS | MODE_APPEND; break;
        case '+': flags |= MODE_READ | MODE_WRITE; break;
        case 'b': case 't': break;
        default: return -EINVAL;
        }
    }
    if (kind != 1) return -EINVAL;
    *out = flags;
    return 0;
}

int vb_fat_open(vb_fat *fs, vb_fat_file *f, const char *path, const char *mode)
{
    int flags, rc;
    memset(f, 0, sizeof *f);
    if ((rc = parse_mode(mode, &flags)) < 0) return rc;
    fat_path p;
    if ((rc = fat_follow_path(fs, path, &p)) < 0) return rc;
    if (p.is_root) return -EINVAL;          /* FatFs: no name */

    uint8_t attr = p.e.raw[DE_ATTR];
    uint32_t dsect = p.e.sfn_sect, doff = p.e.sfn_off;
    if (flags & (MODE_CREATE_ALWAYS | MODE_CREATE_NEW | MODE_OPEN_ALWAYS)) {
        int truncate = flags & MODE_CREATE_ALWAYS;
        if (!p.found) {
            if ((rc = fat_dir_register(fs, p.parent, &p.name, &dsect, &doff)) < 0) return rc;
            truncate = 1;
        } else if (attr & (VB_FAT_ATTR_RDONLY | VB_FAT_ATTR_DIR)) {
            return -EACCES;
        } else if (flags & MODE_CREATE_NEW) {
            return -EEXIST;
        }
        if (truncate) {
            /* The entry reaches flash (empty, archive, stamped) before the old
             * chain is freed: a cut in between leaves an empty file. */
            if ((rc = fat_move_window(fs, dsect)) < 0) return rc;
            uint8_t *ent = fs->win + doff;
            uint32_t old = fat_entry_cluster(fs, ent), now = fat_now(fs);
            vb_st32(ent + DE_CTIME, now);
            vb_st32(ent + DE_WTIME, now);
            ent[DE_ATTR] = VB_FAT_ATTR_ARCHIVE;
            fat_entry_set_cluster(fs, ent, 0);
            vb_st32(ent + DE_SIZE, 0);
            fs->win_dirty = true;
            if (old != 0) {
                if ((rc = fat_remove_chain(fs, old, 0)) < 0) return rc;
                if ((rc = fat_move_window(fs, dsect)) < 0) return rc;
                fs->last_alloc = old - 1;  /* reuse the freed space first */
            }
            attr = VB_FAT_ATTR_ARCHIVE;
            f->modified = true;   /* close records it even with no write */
        }
    } else {
        if (!p.found || (attr & VB_FAT_ATTR_DIR)) return -ENOENT;
        if ((flags & MODE_WRITE) && (attr & VB_FAT_ATTR_RDONLY)) return -EACCES;
    }
    if ((rc = fat_move_window(fs, dsect)) < 0) return rc;
    const uint8_t *ent = fs->win + doff;
    f->fs = fs;
    f->open = true;   /* f->modified may already be set by the truncate */
    f->readable = flags & MODE_READ;
    f->writable = flags & MODE_WRITE;
    f->dir_sector = dsect;
    f->dir_offset = doff;
    f->first_cluster = fat_entry_cluster(fs, ent);
    f->size = vb_ld32(ent + DE_SIZE);
    if (flags & MODE_APPEND && f->size) {
        /* Walk the existing chain to the end without extending it: a chain
         * shorter than the size is an error here, as in FatFs. */
        f->writable = false;
        int64_t r = vb_fat_seek(f, 0, 2);
        f->writable = flags & MODE_WRITE;
        if (r < 0) { f->open = false; return (int)r; }
    }
    return 0;
}

/* Abort a transfer: the file refuses further I/O, as FatFs's FA_ERR. */
static int file_fail(vb_fat_file *f, int rc)
{
    f->err = rc;
    return rc;
}

ssize_t vb_fat_read(vb_fat_file *f, void *buf, size_t n)
{
    if (!f->open) return -EBADF;
    if (f->err) return f->err;
    if (!f->readable) return -EBADF;
    vb_fat *fs = f->fs;
    uint32_t ss = fs->ss;
    uint8_t *out = buf;
    size_t remain = f->pos < f->size ? f->size - f->pos : 0;
    if (n > remain) n = remain;
    size_t done = 0;
    while (done < n) {
        size_t cnt;
        int rc;
        if (f->pos % ss == 0) {
            uint32_t csect = (f->pos / ss) & (fs->spc - 1);
            if (csect == 0) {
                uint32_t clst;
                if (f->pos == 0) clst = f->first_cluster;
                else if ((rc = fat_get(fs, f->clust, &clst)) < 0) return file_fail(f, rc);
                if (clst < 2) return file_fail(f, -EIO);
                f->clust = clst;
            }
            uint32_t sect = fat_clust2sect(fs, f->clust);
            if (!sect) return file_fail(f, -EIO);  /* chain shorter than size */
            sect += csect;
            uint32_t whole = (uint32_t)((n - done) / ss);
            if (whole) {
                if (csect + whole > fs->spc) whole = fs->spc - csect;
                if ((rc = fat_dev_read(fs, sect, whole, out + done)) < 0) return file_fail(f, rc);
                /* The window may hold newer data for one of these sectors. */
                if (fs->win_dirty && fs->win_sector - sect < whole)
                    memcpy(out + done + (size_t)(fs->win_sector - sect) * ss, fs->win, ss);
                cnt = (size_t)whole * ss;
                done += cnt;
                f->pos += (uint32_t)cnt;
                continue;
            }
            f->sect = sect;
        }
        cnt = ss - f->pos % ss;
        if (cnt > n - done) cnt = n - done;
        if ((rc = fat_move_window(fs, f->sect)) < 0) return file_fail(f, rc);
        memcpy(out + done, fs->win + f->pos % ss, cnt);
        done += cnt;
        f->pos += (uint32_t)cnt;
    }
    return (ssize_t)done;
}

ssize_t vb_fat_write(vb_fat_file *f, const void *buf, size_t n)
{
    if (!f->open) return -EBADF;
    if (f->err) return f->err;
    if (!f->writable) return -EBADF;
    vb_fat *fs = f->fs;
    uint32_t ss = fs->ss;
    const uint8_t *in = buf;
    if (n > UINT32_MAX - f->pos) n = UINT32_MAX - f->pos;   /* 4 GiB - 1 max */
    size_t done = 0;
    while (done < n) {
        size_t cnt;
        int rc;
        if (f->pos % ss == 0) {
            uint32_t csect = (f->pos / ss) & (fs->spc - 1);
            if (csect == 0) {
                int64_t clst;
                if (f->pos == 0) {
                    clst = f->first_cluster;
                    if (clst == 0) clst = fat_create_chain(fs, 0);
                } else {
                    clst = fat_create_chain(fs, f->clust);
                }
                if (clst == 0) break;                  /* volume full */
                if (clst < 0) return file_fail(f, (int)clst);
                f->clust = (uint32_t)clst;
                if (f->first_cluster == 0) f->first_cluster = (uint32_t)clst;
                f->modified = true;
            }
            if (fs->win_sector == f->sect && (rc = fat_sync_window(fs)) < 0) return file_fail(f, rc);
            uint32_t sect = fat_clust2sect(fs, f->clust);
            if (!sect) return file_fail(f, -EIO);
            sect += csect;
            uint32_t whole = (uint32_t)((n - done) / ss);
            if (whole) {
                if (csect + whole > fs->spc) whole = fs->spc - csect;
                if ((rc = fat_dev_write(fs, sect, whole, in + done)) < 0) return file_fail(f, rc);
                if (fs->win_sector - sect < whole) {
                    memcpy(fs->win, in + done + (size_t)(fs->win_sector - sect) * ss, ss);
                    fs->win_dirty = false;
                }
                cnt = (size_t)whole * ss;
                goto advance;
            }
            if (f->pos >= f->size) {
                /* Past the end: nothing to preserve, so no read; the rest of
                 * the sector keeps whatever the window held (not zeroed, as on
                 * the board). */
                if ((rc = fat_sync_window(fs)) < 0) return file_fail(f, rc);
                fs->win_sector = sect;
            }
            f->sect = sect;
        }
        cnt = ss - f->pos % ss;
        if (cnt > n - done) cnt = n - done;
        if ((rc = fat_move_window(fs, f->sect)) < 0) return file_fail(f, rc);
        memcpy(fs->win + f->pos % ss, in + done, cnt);
        fs->win_dirty = true;
    advance:
        done += cnt;
        f->pos += (uint32_t)cnt;
        if (f->pos > f->size) f->size = f->pos;
        f->modified = true;
    }
    if (done == 0 && n > 0) return -ENOSPC;
    return (ssize_t)done;
}

int64_t vb_fat_seek(vb_fat_file *f, int64_t offset, int whence)
{
    if (!f->open) return -EBADF;
    if (f->err) return f->err;
    int64_t target;
    switch (whence) {
    case 0: target = offset; break;
    case 1: target = (int64_t)f->pos + offset; break;
    case 2: target = (int64_t)f->size + offset; break;
    default: return -EINVAL;
    }
    if (target < 0 || target > (int64_t)UINT32_MAX) return -EINVAL;
    vb_fat *fs = f->fs;
    uint32_t ofs = (uint32_t)target, bcs = fs->spc * fs->ss, old = f->pos, nsect = 0;
    if (ofs > f->size && !f->writable) ofs = f->size;
    f->pos = 0;
    if (ofs) {
        uint32_t clst;
        if (old > 0 && (ofs - 1) / bcs >= (old - 1) / bcs) {
            /* Forward within or after the current cluster: walk from it. */
            f->pos = (old - 1) & ~(bcs - 1);
            ofs -= f->pos;
            clst = f->clust;
        } else {
            clst = f->first_cluster;
            if (clst == 0 && f->writable) {
                int64_t c = fat_create_chain(fs, 0);
                if (c < 0) return file_fail(f, (int)c);
                clst = (uint32_t)c;
                f->first_cluster = clst;
                f->modified = true;
            }
            f->clust = clst;
        }
        if (clst != 0) {
            while (ofs > bcs) {
                ofs -= bcs;
                f->pos += bcs;
                if (f->writable) {
                    int64_t c = fat_create_chain(fs, clst);
                    if (c < 0) return file_fail(f, (int)c);
                    if (c == 0) { ofs = 0; break; }    /* full: stop here */
                    clst = (uint32_t)c;
                } else {
                    int rc = fat_get(fs, clst, &clst);
                    if (rc < 0) return file_fail(f, rc);
                }
                if (clst < 2 || clst >= fs->n_clusters + 2) return file_fail(f, -EIO);
                f->clust = clst;
            }
            f->pos += ofs;
            if (ofs % fs->ss) {
                nsect = fat_clust2sect(fs, clst);
                if (!nsect) return file_fail(f, -EIO);
                nsect += ofs / fs->ss;
            }
        }
    }
    if (f->pos > f->size) {
        f->size = f->pos;
        f->modified = true;
    }
    if (f->pos % fs->ss) f->sect = nsect;
    return f->pos;
}

int vb_fat_truncate(vb_fat_file *f)
{
    if (!f->open) return -EBADF;
    if (f->err) return f->err;
    if (!f->writable) return -EBADF;
    vb_fat *fs = f->fs;
    int rc;
    if (f->pos < f->size) {
        if (f->pos == 0) {
            if (f->first_cluster && (rc = fat_remove_chain(fs, f->first_cluster, 0)) < 0)
                return file_fail(f, rc);
            f->first_cluster = 0;
        } else {
            uint32_t next;
            if ((rc = fat_get(fs, f->clust, &next)) < 0) return file_fail(f, rc);
            if (next < 2) return file_fail(f, -EIO);
            if (next < fs->n_clusters + 2 && (rc = fat_remove_chain(fs, next, f->clust)) < 0)
                return file_fail(f, rc);
        }
        f->size = f->pos;
        f->modified = true;
    }
    return 0;
}

int vb_fat_flush(vb_fat_file *f)
{
    /* Like f_sync, this runs after a failed transfer too: what was written
     * is recorded. */
    if (!f->open) return -EBADF;
    if (!f->modified) return 0;
    vb_fat *fs = f->fs;
    /* Data (the window) goes first, then the entry, then the device sync. */
    int rc = fat_move_window(fs, f->dir_sector);
    if (rc < 0) return rc;
    uint8_t *ent = fs->win + f->dir_offset;
    ent[DE_ATTR] |= VB_FAT_ATTR_ARCHIVE;
    fat_entry_set_cluster(fs, ent, f->first_cluster);
    vb_st32(ent + DE_SIZE, f->size);
    vb_st32(ent + DE_WTIME, fat_now(fs));
    vb_st16(ent + DE_ADATE, 0);
    fs->win_dirty = true;
    if ((rc = fat_sync_fs(fs)) < 0) return rc;
    f->modified = false;
    return 0;
}

int vb_fat_close(vb_fat_file *f)
{
    if (!f->open) return -EBADF;
    int rc = vb_fat_flush(f);
    f->open = false;
    return rc;
}
