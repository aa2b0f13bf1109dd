/* Describing an image: layout, partition table, FAT geometry and usage
 * (image.h). */
#include <errno.h>
#include <string.h>

#include "image.h"

int vb_image_get_info(vb_image *im, vb_image_info *info)
{
    const vb_profile *p = im->profile;
    memset(info, 0, sizeof *info);
    info->profile = p;
    info->flash_size = (uint32_t)im->flash.size;
    info->table_offset = p->parttable_offset;
    info->n_parts = vb_parttable_read(&im->flash, p->parttable_offset, info->parts,
                                      VB_IMAGE_MAX_PARTS, info->table_error,
                                      sizeof info->table_error);
    info->fs_offset = p->fs_offset;
    info->fs_size = p->fs_size;

    int rc = vb_image_mount(im, VB_FAT_NAMES_UTF8, NULL, 0);
    if (rc < 0) {
        info->fs_error = rc;
        info->fs_state = vb_image_fs_erased(im) ? VB_IMAGE_FS_ERASED
                         : rc == -ENODEV        ? VB_IMAGE_FS_NONE
                                                : VB_IMAGE_FS_ERROR;
        return 0;
    }
    const vb_fat *fs = &im->fat;
    info->fs_state = VB_IMAGE_FS_OK;
    info->fat_bits = (unsigned)fs->type;
    info->sector_size = fs->ss;
    info->cluster_bytes = fs->ss * fs->spc;
    info->n_fats = fs->n_fats;
    info->fat_sectors = fs->fat_size;
    info->root_entries = fs->root_entries;
    info->data_start = fs->data_start;
    info->clusters = fs->n_clusters;

    vb_fat_usage sv;
    rc = vb_fat_statvfs(&im->fat, &sv);
    if (rc < 0)
        return rc;
    info->free_clusters = sv.free_clusters;
    info->used_clusters = sv.n_clusters - sv.free_clusters;
    info->size_bytes = (uint64_t)sv.n_clusters * sv.cluster_bytes;
    info->free_bytes = (uint64_t)sv.free_clusters * sv.cluster_bytes;
    info->used_bytes = info->size_bytes - info->free_bytes;
    rc = vb_fat_getlabel(&im->fat, info->label, sizeof info->label);
    return rc < 0 ? rc : 0;
}
