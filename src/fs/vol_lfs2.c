/* littlefs v2 behind the volume interface (vol.h), as MicroPython's VfsLfs2
 * drives it (extmod/vfs_lfsx.c): remove and rmdir are both lfs_remove,
 * listings skip "." and "..", and with mtime every open stamps attribute 1
 * (u64 little-endian nanoseconds since 1970) to be written with the data. */
#include "vol.h"

#include <errno.h>
#include <string.h>

static uint64_t now_ns(const vb_vol *v)
{
    int64_t s = 0;
    uint32_t ns = 0;
    v->clock.now(v->clock.ctx, &s, &ns);
    return s < 0 ? 0 : (uint64_t)s * 1000000000u + ns;
}

static void put_le64(uint8_t *p, uint64_t x)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(x >> (8 * i));
}

static void info_of(vb_vol *v, const char *path, const vb_lfs2_info *in, vb_vol_info *out)
{
    memset(out, 0, sizeof *out);
    strcpy(out->name, in->name);          /* VB_LFS2_NAME_MAX + 1 <= VB_VOL_NAME_BUF */
    out->is_dir = in->type == VB_LFS2_TYPE_DIR;
    out->size = out->is_dir ? 0 : in->size;
    uint8_t b[8];
    if (path && vb_lfs2_getattr(&v->u.lfs2, path, VB_LFS2_ATTR_MTIME, b, sizeof b) == (ssize_t)sizeof b) {
        uint64_t ns = 0;
        for (int i = 7; i >= 0; i--) ns = ns << 8 | b[i];
        out->mtime = (int64_t)(ns / 1000000000u);
    }
}

int vb_vol_mount_lfs2(vb_vol *v, const vb_lfs2_dev *dev, const vb_lfs2_config *cfg, bool mtime,
                      const vb_vol_clock *clock)
{
    vb_vol_begin_mount(v, &vb_vol_lfs2_ops, VB_VOL_LFS2, clock);
    v->mtime = mtime;
    return vb_lfs2_mount(&v->u.lfs2, dev, cfg);
}

static int l_sync(vb_vol *v)
{
    const vb_lfs2_dev *d = v->u.lfs2.dev;
    return d->sync ? d->sync(d->ctx) : 0;
}

static int l_unmount(vb_vol *v)
{
    int rc = l_sync(v);
    int r2 = vb_lfs2_unmount(&v->u.lfs2);
    return rc < 0 ? rc : r2;
}

static int l_statvfs(vb_vol *v, vb_vol_usage *u)
{
    vb_lfs2_usage lu;
    int rc = vb_lfs2_statvfs(&v->u.lfs2, &lu);
    if (rc < 0) return rc;
    *u = (vb_vol_usage){lu.block_size, lu.block_count, lu.free_blocks, v->u.lfs2.name_max};
    return 0;
}

static int l_stat(vb_vol *v, const char *path, vb_vol_info *info)
{
    vb_lfs2_info li;
    int rc = vb_lfs2_stat(&v->u.lfs2, path, &li);
    if (rc == 0) info_of(v, path, &li, info);
    return rc;
}

static int l_mkdir(vb_vol *v, const char *p) { return vb_lfs2_mkdir(&v->u.lfs2, p); }
static int l_remove(vb_vol *v, const char *p) { return vb_lfs2_remove(&v->u.lfs2, p); }
static int l_rename(vb_vol *v, const char *a, const char *b) { return vb_lfs2_rename(&v->u.lfs2, a, b); }

static int l_opendir(vb_vol *v, vb_vol_dir *d, const char *path)
{
    return vb_lfs2_opendir(&v->u.lfs2, &d->u.lfs2, path);
}

static int l_readdir(vb_vol_dir *d, vb_vol_info *info)
{
    vb_lfs2_info li;
    int rc;
    while ((rc = vb_lfs2_readdir(&d->u.lfs2, &li)) == 1)
        if (strcmp(li.name, ".") != 0 && strcmp(li.name, "..") != 0) break;
    if (rc != 1) return rc;
    info_of(d->vol, NULL, &li, info);
    return 1;
}

static int l_closedir(vb_vol_dir *d) { return vb_lfs2_closedir(&d->u.lfs2); }

static int l_open(vb_vol *v, vb_vol_file *f, const char *path, const char *mode)
{
    int flags = vb_lfs2_mode_flags(mode);
    if (flags < 0) return flags;
    if (!v->mtime) return vb_lfs2_open(&v->u.lfs2, &f->u.lfs2.f, path, flags);
    put_le64(f->u.lfs2.mtime, now_ns(v));
    f->u.lfs2.attr = (vb_lfs2_attr){VB_LFS2_ATTR_MTIME, f->u.lfs2.mtime, sizeof f->u.lfs2.mtime};
    return vb_lfs2_opencfg(&v->u.lfs2, &f->u.lfs2.f, path, flags, &f->u.lfs2.attr, 1);
}

static ssize_t l_read(vb_vol_file *f, void *b, size_t n) { return vb_lfs2_read(&f->u.lfs2.f, b, n); }
static ssize_t l_write(vb_vol_file *f, const void *b, size_t n) { return vb_lfs2_write(&f->u.lfs2.f, b, n); }

static int64_t l_seek(vb_vol_file *f, int64_t off, int whence)
{
    if (off < INT32_MIN || off > INT32_MAX) return -EINVAL;
    return vb_lfs2_seek(&f->u.lfs2.f, (int32_t)off, whence);
}

static int64_t l_size(vb_vol_file *f) { return vb_lfs2_size(&f->u.lfs2.f); }
static int l_flush(vb_vol_file *f) { return vb_lfs2_sync(&f->u.lfs2.f); }
static int l_close(vb_vol_file *f) { return vb_lfs2_close(&f->u.lfs2.f); }

const vb_vol_ops vb_vol_lfs2_ops = {
    .denied_errno = EBADF,
    .sync = l_sync, .unmount = l_unmount, .statvfs = l_statvfs, .stat = l_stat,
    .mkdir = l_mkdir, .rmdir = l_remove, .remove = l_remove, .rename = l_rename,
    .opendir = l_opendir, .readdir = l_readdir, .closedir = l_closedir,
    .open = l_open, .read = l_read, .write = l_write, .seek = l_seek, .size = l_size,
    .flush = l_flush, .close = l_close,
};
