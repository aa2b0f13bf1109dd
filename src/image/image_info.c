/* Describing an image: layout, partition table, filesystem kind, geometry
 * and usage (image.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "boot/fwimage.h"
#include "image.h"

/* The firmware in one app slot: valid (version), empty (erased header) or
 * invalid (the parser's reason). */
static void describe_slot(vb_image *im, const vb_partition *part, vb_image_slot *s)
{
    vb_fw_slot_name(part, s->name, sizeof s->name);
    s->offset = part->offset;
    s->size = part->size;
    uint8_t head[VB_FW_HEADER_LEN];
    uint32_t n = part->size < sizeof head ? part->size : (uint32_t)sizeof head;
    if (vb_flash_read(&im->flash, part->offset, head, n) == 0) {
        uint32_t i = 0;
        while (i < n && head[i] == 0xFF)
            i++;
        if (i == n) {
            s->state = VB_IMAGE_FW_EMPTY;
            return;
        }
    }
    uint8_t *buf = NULL;
    vb_fw_image *img = malloc(sizeof *img);   /* ~5 KiB: not on the stack */
    int rc = img ? vb_fw_read_slot(&im->flash, part->offset, part->size, &buf, img, s->fw_error,
                                   sizeof s->fw_error)
                 : -ENOMEM;
    if (rc < 0) {
        s->state = VB_IMAGE_FW_INVALID;
        if (!img)
            strcpy(s->fw_error, "out of memory");
    } else {
        s->state = VB_IMAGE_FW_OK;
        memcpy(s->version, img->version, sizeof s->version);
        s->fw_len = img->total_len;
        s->n_modules = img->n_modules;
    }
    free(buf);
    free(img);
}

static int lfs2_info(vb_image *im, vb_image_info *info)
{
    vb_lfs2_fsinfo fi;
    vb_vol_usage u;
    int rc = vb_lfs2_fsinfo_get(&im->fs.vol.u.lfs2, &fi);
    if (rc == 0)
        rc = vb_vol_statvfs(&im->fs.vol, &u);
    if (rc < 0)
        return rc;
    info->lfs2_version = fi.disk_version;
    info->lfs2_block_size = fi.block_size;
    info->lfs2_blocks = fi.block_count;
    info->lfs2_free_blocks = u.free_blocks;
    info->lfs2_name_max = fi.name_max;
    info->size_bytes = (uint64_t)fi.block_count * fi.block_size;
    info->free_bytes = (uint64_t)u.free_blocks * fi.block_size;
    info->used_bytes = info->size_bytes - info->free_bytes;
    return 0;
}

static int fat_info(vb_image *im, vb_image_info *info)
{
    vb_fat *fs = &im->fs.vol.u.fat;
    info->fat_bits = (unsigned)fs->type;
    info->sector_size = fs->ss;
    info->cluster_bytes = fs->ss * fs->spc;
    info->n_fats = fs->n_fats;
    info->fat_sectors = fs->fat_size;
    info->root_entries = fs->root_entries;
    info->data_start = fs->data_start;
    info->clusters = fs->n_clusters;

    vb_fat_usage sv;
    int rc = vb_fat_statvfs(fs, &sv);
    if (rc < 0)
        return rc;
    info->free_clusters = sv.free_clusters;
    info->used_clusters = sv.n_clusters - sv.free_clusters;
    info->size_bytes = (uint64_t)sv.n_clusters * sv.cluster_bytes;
    info->free_bytes = (uint64_t)sv.free_clusters * sv.cluster_bytes;
    info->used_bytes = info->size_bytes - info->free_bytes;
    rc = vb_fat_getlabel(fs, info->label, sizeof info->label);
    return rc < 0 ? rc : 0;
}

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
    for (unsigned i = 0; i < p->n_parts && info->n_slots < VB_IMAGE_MAX_SLOTS; i++)
        if (p->parts[i].type == VB_PART_TYPE_APP)
            describe_slot(im, &p->parts[i], &info->slots[info->n_slots++]);
    info->fs_offset = p->fs_offset;
    info->fs_size = p->fs_size;

    info->fs_kind = vb_fsregion_detect(&im->fs);
    int rc = vb_image_mount(im, VB_FAT_NAMES_UTF8, NULL, 0);
    if (rc < 0) {
        info->fs_error = rc;
        info->fs_state = vb_image_fs_erased(im)                          ? VB_IMAGE_FS_ERASED
                         : rc == -ENODEV && info->fs_kind == VB_VOL_FAT ? VB_IMAGE_FS_NONE
                                                                        : VB_IMAGE_FS_ERROR;
        return 0;
    }
    info->fs_state = VB_IMAGE_FS_OK;
    info->fs_kind = im->fs.vol.kind;
    return info->fs_kind == VB_VOL_LFS2 ? lfs2_info(im, info) : fat_info(im, info);
}
