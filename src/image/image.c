/* Opening, mounting, closing and factory-resetting a flash image (image.h). */
#include "util/errtext.h"
#include "image.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fs/lfs2_check.h"
#include "util/errname.h"

static void host_now(void *ctx, int64_t *secs, uint32_t *nsec)
{
    (void)ctx;
    struct timespec ts;
    struct tm tm;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || !localtime_r(&ts.tv_sec, &tm)) {
        *secs = 315532800;         /* 1980-01-01, FAT's first day */
        *nsec = 0;
        return;
    }
    *secs = (int64_t)timegm(&tm);   /* the local calendar, counted as if UTC */
    *nsec = (uint32_t)ts.tv_nsec;
}

const vb_vol_clock vb_image_vol_clock = {NULL, host_now};

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
        rc = vb_fsregion_init(&im->fs, &im->flash, p);
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
    /* littlefs's magic (in block 1, then) means a volume that mounts */
    return vb_fsregion_erased(&im->fs) && vb_fsregion_detect(&im->fs) != VB_VOL_LFS2;
}

/* The sentence for a littlefs the port's configuration refuses: what its
 * superblock says against what the port mounts (read by the checker,
 * which never writes). */
static void refused_lfs2(vb_image *im, char *err, size_t errlen)
{
    if (!err || !errlen)
        return;   /* nobody asks: no check to run */
    const vb_profile *p = im->profile;
    const vb_lfs2_config *c = &im->fs.lfs2cfg;
    const vb_lfs2_dev *dev = &im->fs.lfs2dev.dev;
    uint32_t version = c->disk_version ? c->disk_version : VB_LFS2_VERSION_2_1;
    uint32_t name_max = c->name_max ? c->name_max : 255;
    uint32_t file_max = c->file_max ? c->file_max : VB_LFS2_FILE_MAX;
    uint32_t attr_max = c->attr_max ? c->attr_max : VB_LFS2_ATTR_MAX;
    vb_lfs2_check_stats st;
    memset(&st, 0, sizeof st);
    vb_lfs2_check(dev, NULL, NULL, &st);
    char why[512] = "";   /* six reasons at most, each well under 80 bytes */
    size_t n = 0;
#define WHY(...) (n += (size_t)snprintf(why + n, sizeof why - n, __VA_ARGS__))
    if (st.found && (st.disk_version >> 16 != 2 || st.disk_version > version))
        WHY("; it is v%u.%u, the port reads up to v2.%u", st.disk_version >> 16,
            st.disk_version & 0xFFFFu, version & 0xFFFFu);
    if (st.found && st.block_size != dev->block_size)
        WHY("; its blocks are %u bytes, the port's %u", st.block_size, dev->block_size);
    if (st.found && st.block_count != dev->block_count)
        WHY("; it has %u blocks, the region %u", st.block_count, dev->block_count);
    if (st.found && st.name_max > name_max)
        WHY("; its name_max is %u, the port's %u", st.name_max, name_max);
    if (st.found && st.file_max > file_max)
        WHY("; its file_max is %u, the port's %u", st.file_max, file_max);
    if (st.found && st.attr_max > attr_max)
        WHY("; its attr_max is %u, the port's %u", st.attr_max, attr_max);
#undef WHY
    vb_set_err(err, errlen, "the littlefs filesystem at 0x%X is not one the %s port mounts%s",
               p->fs_offset, p->port->name, n ? why : "; 'vboard image info' shows its superblock");
}

int vb_image_mount(vb_image *im, vb_fat_names names, char *err, size_t errlen)
{
    if (im->fs.mounted)
        return 0;
    const vb_profile *p = im->profile;
    /* An erased region is told apart first: it is a normal state, not damage. */
    vb_vol_kind kind = vb_fsregion_detect(&im->fs);
    if (vb_image_fs_erased(im)) {
        vb_set_err(err, errlen, "filesystem region is erased (factory reset state); boot the board "
                "or run 'vboard image create' to format it");
        return -ENODEV;
    }
    int rc = vb_fsregion_mount(&im->fs, names, &vb_image_vol_clock);
    if (rc == 0)
        return 0;
    char e[64];
    if (kind == VB_VOL_FAT && rc == -ENODEV) {
        vb_set_err(err, errlen, "no %sFAT filesystem in the filesystem region at 0x%X (it is not "
                "erased either: damaged or another format); 'vboard image check' tells more",
                p->port->fs_type == VB_FS_LFS2 ? "littlefs or " : "", p->fs_offset);
    } else if (kind == VB_VOL_LFS2 && rc == -EILSEQ) {
        vb_set_err(err, errlen, "the littlefs filesystem at 0x%X is corrupt (littlefs finds no "
                "valid superblock or metadata); 'vboard image check' tells more", p->fs_offset);
    } else if (kind == VB_VOL_LFS2 && rc == -EINVAL) {
        refused_lfs2(im, err, errlen);
    } else {
        vb_set_err(err, errlen, "cannot mount the %s filesystem at 0x%X: %s",
                kind == VB_VOL_LFS2 ? "littlefs" : "FAT", p->fs_offset, vb_errstr(rc, e, sizeof e));
    }
    return rc;
}

int vb_image_close(vb_image *im, char *err, size_t errlen)
{
    if (!im->open)
        return 0;
    int rc = 0;
    char e[64];
    if (im->fs.mounted) {
        int r = vb_fsregion_unmount(&im->fs);   /* sync, then release */
        if (r < 0) {
            rc = r;
            vb_set_err(err, errlen, "cannot write the filesystem back: %s", vb_errstr(r, e, sizeof e));
        }
    }
    /* Write back the driver's block cache (Pycom), then make the file durable. */
    int r = im->fs.bdev.bd.sync ? im->fs.bdev.bd.sync(im->fs.bdev.bd.ctx) : 0;
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
    if (im->fs.mounted) {
        vb_set_err(err, errlen, "the filesystem is mounted; unmount it before erasing");
        return -EBUSY;
    }
    /* Whatever the driver cached belongs to the filesystem being erased. */
    vb_flash_bdev_drop_cache(&im->fs.bdev);
    int rc = vb_flash_erase(&im->flash, im->profile->fs_offset, im->profile->fs_size);
    if (rc < 0) {
        char e[64];
        vb_set_err(err, errlen, "cannot erase the filesystem region: %s", vb_errstr(rc, e, sizeof e));
    }
    return rc;
}
