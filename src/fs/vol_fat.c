/* FAT behind the volume interface (vol.h): straight to fat.h, with the
 * volume's clock turned into FAT's date and time. */
#include "vol.h"

#include <errno.h>
#include <string.h>

#include "util/civil.h"

void vb_vol_clock_fat(void *clock, vb_datetime *now)
{
    const vb_vol_clock *c0 = clock;
    int64_t s = 0;
    uint32_t ns = 0;
    c0->now(c0->ctx, &s, &ns);
    vb_civil c = vb_civil_from_seconds(s - VB_CIVIL_EPOCH_UNIX_SECS);
    /* saturated into uint16_t: the FAT layer clamps to 1980..2107 */
    uint16_t y = c.year < 0 ? 0 : c.year > UINT16_MAX ? UINT16_MAX : (uint16_t)c.year;
    *now = (vb_datetime){y, (uint8_t)c.month, (uint8_t)c.mday, (uint8_t)c.hour,
                         (uint8_t)c.minute, (uint8_t)c.second};
}

static void info_of(const vb_fat_info *in, vb_vol_info *out)
{
    memset(out, 0, sizeof *out);
    strcpy(out->name, in->name);          /* VB_FAT_NAME_BUF <= VB_VOL_NAME_BUF */
    out->is_dir = in->is_dir;
    out->size = in->is_dir ? 0 : in->size;
    out->mtime = in->wdate ? vb_fat_dos_to_unix(in->wdate, in->wtime) : 0;
}

int vb_vol_mount_fat(vb_vol *v, const vb_blockdev *bd, vb_fat_names names,
                     const vb_vol_clock *clock)
{
    vb_vol_begin_mount(v, &vb_vol_fat_ops, VB_VOL_FAT, clock);
    int rc = vb_fat_mount(&v->u.fat, bd, names, vb_vol_clock_fat, &v->clock);
    if (rc < 0) v->u.fat.bd = NULL;   /* not mounted: calls give -EINVAL (below) */
    return rc;
}

/* vb_fat_unmount clears the device pointer, and FAT keeps no list of open
 * handles: after it, a call on the volume gives -EINVAL and one on a handle
 * still open -EBADF (what littlefs gives once its unmount released them),
 * instead of reaching through the cleared pointer. */
static bool unmounted(const vb_vol *v) { return v->u.fat.bd == NULL; }

static int f_sync(vb_vol *v) { return unmounted(v) ? -EINVAL : vb_fat_sync(&v->u.fat); }
static int f_unmount(vb_vol *v) { return unmounted(v) ? -EINVAL : vb_fat_unmount(&v->u.fat); }

static int f_statvfs(vb_vol *v, vb_vol_usage *u)
{
    if (unmounted(v)) return -EINVAL;
    vb_fat_usage fu;
    int rc = vb_fat_statvfs(&v->u.fat, &fu);
    if (rc < 0) return rc;
    *u = (vb_vol_usage){fu.cluster_bytes, fu.n_clusters, fu.free_clusters, VB_FAT_NAME_MAX};
    return 0;
}

static int f_stat(vb_vol *v, const char *path, vb_vol_info *info)
{
    if (unmounted(v)) return -EINVAL;
    vb_fat_info fi;
    int rc = vb_fat_stat(&v->u.fat, path, &fi);
    if (rc == 0) info_of(&fi, info);
    return rc;
}

static int f_mkdir(vb_vol *v, const char *p) { return unmounted(v) ? -EINVAL : vb_fat_mkdir(&v->u.fat, p); }
static int f_rmdir(vb_vol *v, const char *p) { return unmounted(v) ? -EINVAL : vb_fat_rmdir(&v->u.fat, p); }
static int f_remove(vb_vol *v, const char *p) { return unmounted(v) ? -EINVAL : vb_fat_remove(&v->u.fat, p); }

static int f_rename(vb_vol *v, const char *a, const char *b)
{
    return unmounted(v) ? -EINVAL : vb_fat_rename(&v->u.fat, a, b);
}

static int f_opendir(vb_vol *v, vb_vol_dir *d, const char *path)
{
    return unmounted(v) ? -EINVAL : vb_fat_opendir(&v->u.fat, &d->u.fat, path);
}

static int f_readdir(vb_vol_dir *d, vb_vol_info *info)
{
    if (unmounted(d->vol)) return -EBADF;
    vb_fat_info fi;
    int rc = vb_fat_readdir(&d->u.fat, &fi);
    if (rc == 1) info_of(&fi, info);
    return rc;
}

static int f_closedir(vb_vol_dir *d) { return unmounted(d->vol) ? -EBADF : 0; }

static int f_open(vb_vol *v, vb_vol_file *f, const char *path, const char *mode)
{
    return unmounted(v) ? -EINVAL : vb_fat_open(&v->u.fat, &f->u.fat, path, mode);
}

static ssize_t f_read(vb_vol_file *f, void *b, size_t n)
{
    return unmounted(f->vol) ? -EBADF : vb_fat_read(&f->u.fat, b, n);
}

static ssize_t f_write(vb_vol_file *f, const void *b, size_t n)
{
    return unmounted(f->vol) ? -EBADF : vb_fat_write(&f->u.fat, b, n);
}

static int64_t f_seek(vb_vol_file *f, int64_t o, int w)
{
    return unmounted(f->vol) ? -EBADF : vb_fat_seek(&f->u.fat, o, w);
}

static int64_t f_size(vb_vol_file *f) { return unmounted(f->vol) ? -EBADF : (int64_t)f->u.fat.size; }
static int f_flush(vb_vol_file *f) { return unmounted(f->vol) ? -EBADF : vb_fat_flush(&f->u.fat); }
static int f_close(vb_vol_file *f) { return unmounted(f->vol) ? -EBADF : vb_fat_close(&f->u.fat); }

const vb_vol_ops vb_vol_fat_ops = {
    .denied_errno = EACCES,
    .sync = f_sync, .unmount = f_unmount, .statvfs = f_statvfs, .stat = f_stat,
    .mkdir = f_mkdir, .rmdir = f_rmdir, .remove = f_remove, .rename = f_rename,
    .opendir = f_opendir, .readdir = f_readdir, .closedir = f_closedir,
    .open = f_open, .read = f_read, .write = f_write, .seek = f_seek, .size = f_size,
    .flush = f_flush, .close = f_close,
};
