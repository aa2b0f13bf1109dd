/* Opening, mounting, closing and factory-resetting a flash image (image.h). */
#include "util/errtext.h"
#include "image.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/errname.h"


void vb_image_host_clock(void *ctx, vb_datetime *now)
{
    (void)ctx;
    time_t t = time(NULL);
    struct tm tm;
    if (!localtime_r(&t, &tm)) {
        *now = (vb_datetime){.year = 1980, .month = 1, .day = 1};
        return;
    }
    now->year = (uint16_t)(tm.tm_year + 1900);
    now->month = (uint8_t)(tm.tm_mon + 1);
    now->day = (uint8_t)tm.tm_mday;
    now->hour = (uint8_t)tm.tm_hour;
    now->minute = (uint8_t)tm.tm_min;
    now->second = (uint8_t)(tm.tm_sec > 59 ? 59 : tm.tm_sec);
}

/* Size names the profile; a valid on-flash table must leave its filesystem
 * region alone (a data/fat entry covering exactly that region is fine). */
static int detect_profile(vb_image *im, const char *path, char *err, size_t errlen)
{
    const vb_profile *p = vb_profile_for_size(im->flash.size);
    if (!p) {
        char sizes[160] = "";
        size_t n = 0;
        for (const vb_profile *const *q = vb_profile_all(); *q && n < sizeof sizes; q++)
            n += (size_t)snprintf(sizes + n, sizeof sizes - n, "%s%s %u", n ? ", " : "",
                                  (*q)->name, (*q)->flash_size);
        vb_set_err(err, errlen, "%s is %zu bytes, the flash size of no board profile (%s)",
                path, im->flash.size, sizes);
        return -EINVAL;
    }
    vb_part_rec recs[VB_IMAGE_MAX_PARTS];
    int n = p->n_parts ? vb_parttable_read(&im->flash, p->parttable_offset, recs,
                                           VB_IMAGE_MAX_PARTS, NULL, 0) : -EINVAL;
    for (int i = 0; i < n; i++) {
        const vb_part_rec *r = &recs[i];
        bool overlap = r->offset < p->fs_offset + p->fs_size && p->fs_offset < r->offset + r->size;
        bool is_fs = r->type == VB_PART_TYPE_DATA && r->subtype == VB_PART_SUBTYPE_FAT &&
                     r->offset == p->fs_offset && r->size == p->fs_size;
        if (overlap && !is_fs) {
            vb_set_err(err, errlen, "%s looks like a %s image by its size, but its partition table puts "
                    "\"%s\" (0x%X, 0x%X bytes) over the %s filesystem region (0x%X, 0x%X bytes); "
                    "refusing to use it", path, p->name, r->label, r->offset, r->size, p->name,
                    p->fs_offset, p->fs_size);
            return -EINVAL;
        }
    }
    im->profile = p;
    return 0;
}

int vb_image_open(vb_image *im, const char *path, const vb_profile *profile, bool create,
                  char *err, size_t errlen)
{
    memset(im, 0, sizeof *im);
    int rc = profile ? vb_flash_open_file(&im->flash, path, profile->flash_size, create, err, errlen)
                     : vb_flash_open_existing(&im->flash, path, err, errlen);
    if (rc < 0)
        return rc;
    im->open = true;
    im->profile = profile;
    if (!profile)
        rc = detect_profile(im, path, err, errlen);
    if (rc == 0) {
        const vb_profile *p = im->profile;
        im->flash.prog_page = p->prog_page;
        rc = vb_flash_bdev_init(&im->bdev, &im->flash, p->fs_offset, p->fs_size,
                                p->fs_sector_size, p->fs_writeback_block);
        if (rc < 0)
            vb_set_err(err, errlen, "profile %s: filesystem region 0x%X+0x%X does not fit the flash",
                    p->name, p->fs_offset, p->fs_size);
    }
    if (rc < 0) {
        vb_flash_close(&im->flash);
        im->open = false;
    }
    return rc;
}

bool vb_image_fs_erased(vb_image *im)
{
    uint8_t buf[VB_FLASH_BLOCK];
    if (vb_flash_read(&im->flash, im->profile->fs_offset, buf, sizeof buf) < 0)
        return false;
    for (size_t i = 0; i < sizeof buf; i++)
        if (buf[i] != 0xFF)
            return false;
    return true;
}

int vb_image_mount(vb_image *im, vb_fat_names names, char *err, size_t errlen)
{
    if (im->mounted)
        return 0;
    /* An erased region is told apart first: it is a normal state, not damage. */
    if (vb_image_fs_erased(im)) {
        vb_set_err(err, errlen, "filesystem region is erased (factory reset state); boot the board "
                "or run 'vboard image create' to format it");
        return -ENODEV;
    }
    int rc = vb_fat_mount(&im->fat, &im->bdev.bd, names, vb_image_host_clock, NULL);
    if (rc == -ENODEV) {
        vb_set_err(err, errlen, "no FAT filesystem in the filesystem region at 0x%X (it is not erased "
                "either: damaged or another format); 'vboard image check' tells more",
                im->profile->fs_offset);
    } else if (rc < 0) {
        char e[64];
        vb_set_err(err, errlen, "cannot mount the filesystem at 0x%X: %s", im->profile->fs_offset,
                vb_errstr(rc, e, sizeof e));
    } else {
        im->mounted = true;
    }
    return rc;
}

int vb_image_close(vb_image *im, char *err, size_t errlen)
{
    if (!im->open)
        return 0;
    int rc = 0;
    char e[64];
    if (im->mounted) {
        int r = vb_fat_sync(&im->fat);
        int u = vb_fat_unmount(&im->fat);
        im->mounted = false;
        if (r == 0)
            r = u;
        if (r < 0) {
            rc = r;
            vb_set_err(err, errlen, "cannot write the filesystem back: %s", vb_errstr(r, e, sizeof e));
        }
    }
    /* Write back the driver's block cache (Pycom), then make the file durable. */
    int r = im->bdev.bd.sync ? im->bdev.bd.sync(im->bdev.bd.ctx) : 0;
    if (r == 0)
        r = vb_flash_sync(&im->flash);
    if (r < 0 && rc == 0) {
        rc = r;
        vb_set_err(err, errlen, "cannot write the flash image back: %s", vb_errstr(r, e, sizeof e));
    }
    if (im->flash.bad_programs && rc == 0) {
        rc = -EIO;
        vb_set_err(err, errlen, "%llu flash program(s) needed a 0->1 bit change and did not land "
                "(a filesystem or driver bug)", (unsigned long long)im->flash.bad_programs);
    }
    vb_flash_close(&im->flash);
    im->open = false;
    return rc;
}

int vb_image_erase_fs(vb_image *im, char *err, size_t errlen)
{
    if (im->mounted) {
        vb_set_err(err, errlen, "the filesystem is mounted; unmount it before erasing");
        return -EBUSY;
    }
    /* Whatever the driver cached belongs to the filesystem being erased. */
    vb_flash_bdev_drop_cache(&im->bdev);
    int rc = vb_flash_erase(&im->flash, im->profile->fs_offset, im->profile->fs_size);
    if (rc < 0) {
        char e[64];
        vb_set_err(err, errlen, "cannot erase the filesystem region: %s", vb_errstr(rc, e, sizeof e));
    }
    return rc;
}
