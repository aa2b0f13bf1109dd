/* A new image as a board's first boot leaves it (image.h). */
#include "util/errtext.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot/fwimage.h"
#include "flash/otadata.h"
#include "image.h"
#include "util/errname.h"


/* Everything a first flash and boot write, in the order they happen:
 * partition table and factory firmware (esptool), otadata (bootloader),
 * then _boot.py's mkfs and default files. */
static int first_boot(vb_image *im, const vb_vol_clock *clock, char *err, size_t errlen)
{
    const vb_profile *p = im->profile;
    char e[64];
    int rc = 0;
    if (p->n_parts && (rc = vb_parttable_write(&im->flash, p->parttable_offset, p->parts, p->n_parts)) < 0) {
        vb_set_err(err, errlen, "cannot write the partition table: %s", vb_errstr(rc, e, sizeof e));
        return rc;
    }
    if ((rc = vb_fw_write_factory(&im->flash, im->profile, err, errlen)) < 0)
        return rc;
    if (p->otadata_offset) {
        uint8_t erased[VB_OTADATA_LEN];
        vb_otadata rec;
        memset(erased, 0xFF, sizeof erased);
        vb_otadata_load(erased, &rec);   /* the bootloader's rewrite of an erased record */
        if ((rc = vb_otadata_write(&im->flash, p->otadata_offset, &rec)) < 0) {
            vb_set_err(err, errlen, "cannot write the otadata record: %s", vb_errstr(rc, e, sizeof e));
            return rc;
        }
    }
    return vb_image_format_fs(im, clock, err, errlen);
}

int vb_image_format_fs(vb_image *im, const vb_vol_clock *clock, char *err, size_t errlen)
{
    const vb_profile *p = im->profile;
    char e[64];
    /* The board's own name handling: defaults are plain ASCII either way. */
    int rc = vb_fsregion_format(&im->fs, VB_FAT_NAMES_OEM, clock);
    if (rc < 0) {
        vb_set_err(err, errlen, "cannot format the filesystem region (%s): %s",
                   p->port->fs_type == VB_FS_LFS2 ? "littlefs" : "FAT", vb_errstr(rc, e, sizeof e));
        return rc;
    }
    if ((rc = vb_fsregion_write_defaults(&im->fs)) < 0)
        vb_set_err(err, errlen, "cannot write the default files: %s", vb_errstr(rc, e, sizeof e));
    return rc;
}

/* Put the finished file at `path` without ever replacing one: link() fails
 * on an existing name; renameat2(NOREPLACE) where hard links are refused. */
static int publish(const char *tmp, const char *path)
{
    if (link(tmp, path) == 0)
        return 0;   /* the caller removes tmp */
    int e = errno;
    if (e == EEXIST)
        return -EEXIST;
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 0;
    return -errno;
}

static int refuse_existing(const char *path, char *err, size_t errlen)
{
    vb_set_err(err, errlen, "%s already exists; refusing to overwrite it (remove it first "
               "or choose another name)", path);
    return -EEXIST;
}

/* Before building a new file: `path` must not exist; the temporary name
 * beside it goes into tmp. */
static int prepare_new(const char *path, char tmp[4096], char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) == 0)
        return refuse_existing(path, err, errlen);
    if (errno != ENOENT) {
        int e = errno;
        vb_set_err(err, errlen, "cannot create %s: %s", path, strerror(e));
        return -e;
    }
    int n = snprintf(tmp, 4096, "%s.vboard-new-%ld", path, (long)getpid());
    if (n < 0 || n >= 4096) {
        vb_set_err(err, errlen, "path too long: %s", path);
        return -ENAMETOOLONG;
    }
    if (lstat(tmp, &st) == 0) {
        vb_set_err(err, errlen, "cannot create %s: the temporary file %s is in the way", path, tmp);
        return -EEXIST;
    }
    return 0;
}

/* Publish the complete tmp as path, then remove tmp (also when rc < 0:
 * nothing half-made stays behind). */
static int finish_new(int rc, const char *tmp, const char *path, char *err, size_t errlen)
{
    if (rc == 0) {
        rc = publish(tmp, path);
        if (rc == -EEXIST)
            refuse_existing(path, err, errlen);
        else if (rc < 0)
            vb_set_err(err, errlen, "cannot create %s: %s", path, strerror(-rc));
    }
    unlink(tmp);   /* no-op after publish; removes a half-made file otherwise */
    return rc;
}

int vb_image_create(const char *path, const vb_profile *p, const vb_vol_clock *clock, char *err,
                    size_t errlen)
{
    char tmp[4096];
    int rc = prepare_new(path, tmp, err, errlen);
    if (rc < 0)
        return rc;
    vb_image im;
    rc = vb_image_open(&im, tmp, p, true, err, errlen);
    if (rc < 0)
        return rc;
    rc = first_boot(&im, clock, err, errlen);
    int c = vb_image_close(&im, rc < 0 ? NULL : err, errlen);
    if (rc == 0)
        rc = c;
    return finish_new(rc, tmp, path, err, errlen);
}

int vb_image_write_new_file(const char *path, const void *data, size_t len, char *err,
                            size_t errlen)
{
    char tmp[4096];
    int rc = prepare_new(path, tmp, err, errlen);
    if (rc < 0)
        return rc;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = -errno;
        vb_set_err(err, errlen, "cannot create %s: %s", path, strerror(-rc));
        return rc;
    }
    const uint8_t *p = data;
    for (size_t done = 0; done < len && rc == 0;) {
        ssize_t w = write(fd, p + done, len - done);
        if (w < 0 && errno != EINTR)
            rc = -errno;
        else if (w > 0)
            done += (size_t)w;
    }
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc < 0)
        vb_set_err(err, errlen, "cannot write %s: %s", path, strerror(-rc));
    return finish_new(rc, tmp, path, err, errlen);
}
