/* The volume calls: each goes to the mounted driver's table (vol.h). */
#include "vol.h"

#include <errno.h>
#include <string.h>

void vb_vol_begin_mount(vb_vol *v, const vb_vol_ops *ops, vb_vol_kind kind,
                        const vb_vol_clock *clock)
{
    uint32_t generation = v->generation + 1;
    memset(v, 0, sizeof *v);
    v->generation = generation;
    v->ops = ops;
    v->kind = kind;
    v->clock = *clock;
}

int vb_vol_sync(vb_vol *v) { return v->ops->sync(v); }
int vb_vol_unmount(vb_vol *v) { return v->ops->unmount(v); }
int vb_vol_statvfs(vb_vol *v, vb_vol_usage *u) { return v->ops->statvfs(v, u); }
int vb_vol_stat(vb_vol *v, const char *path, vb_vol_info *info) { return v->ops->stat(v, path, info); }
int vb_vol_mkdir(vb_vol *v, const char *path) { return v->ops->mkdir(v, path); }
int vb_vol_rmdir(vb_vol *v, const char *path) { return v->ops->rmdir(v, path); }
int vb_vol_remove(vb_vol *v, const char *path) { return v->ops->remove(v, path); }
int vb_vol_rename(vb_vol *v, const char *from, const char *to) { return v->ops->rename(v, from, to); }

int vb_vol_opendir(vb_vol *v, vb_vol_dir *d, const char *path)
{
    d->vol = v;
    d->generation = v->generation;
    return v->ops->opendir(v, d, path);
}

static bool dir_live(const vb_vol_dir *d) { return d->generation == d->vol->generation; }

int vb_vol_readdir(vb_vol_dir *d, vb_vol_info *info)
{
    return dir_live(d) ? d->vol->ops->readdir(d, info) : -EBADF;
}

int vb_vol_closedir(vb_vol_dir *d) { return dir_live(d) ? d->vol->ops->closedir(d) : -EBADF; }

int vb_vol_open(vb_vol *v, vb_vol_file *f, const char *path, const char *mode)
{
    f->vol = v;
    f->generation = v->generation;
    f->open = false;
    f->readable = f->writable = false;
    bool plus = strchr(mode, '+') != NULL;
    f->readable = plus || strchr(mode, 'r') != NULL;
    f->writable = plus || strpbrk(mode, "wax") != NULL;
    int rc = v->ops->open(v, f, path, mode);
    f->open = rc >= 0;
    return rc;
}

/* Open, and opened on the volume mounted now. */
static bool live(const vb_vol_file *f) { return f->open && f->generation == f->vol->generation; }

ssize_t vb_vol_read(vb_vol_file *f, void *buf, size_t n)
{
    if (!live(f)) return -EBADF;
    return f->readable ? f->vol->ops->read(f, buf, n) : -f->vol->ops->denied_errno;
}

ssize_t vb_vol_write(vb_vol_file *f, const void *buf, size_t n)
{
    if (!live(f)) return -EBADF;
    return f->writable ? f->vol->ops->write(f, buf, n) : -f->vol->ops->denied_errno;
}

int64_t vb_vol_seek(vb_vol_file *f, int64_t off, int whence)
{
    return live(f) ? f->vol->ops->seek(f, off, whence) : -EBADF;
}

int64_t vb_vol_size(vb_vol_file *f) { return live(f) ? f->vol->ops->size(f) : -EBADF; }
int vb_vol_flush(vb_vol_file *f) { return live(f) ? f->vol->ops->flush(f) : -EBADF; }

int vb_vol_close(vb_vol_file *f)
{
    bool ok = live(f);
    f->open = false;
    return ok ? f->vol->ops->close(f) : -EBADF;
}
