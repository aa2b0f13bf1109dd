/* The board's filesystem region as a volume (fsregion.h). */
#include "fsregion.h"

#include <errno.h>
#include <string.h>

int vb_fsregion_init(vb_fsregion *r, vb_flash *flash, const vb_profile *p)
{
    memset(r, 0, sizeof *r);
    r->profile = p;
    int rc = vb_flash_bdev_init(&r->bdev, flash, p->fs_offset, p->fs_size, p->fs_sector_size,
                                p->fs_writeback_block);
    if (rc == 0) rc = vb_flash_lfs2dev_init(&r->lfs2dev, flash, p->fs_offset, p->fs_size);
    if (rc < 0) return rc;
    uint32_t prog = p->port->lfs2_prog_size ? p->port->lfs2_prog_size : 32;
    vb_lfs2_config_micropython(&r->lfs2cfg, VB_FLASH_BLOCK, prog);
    return 0;
}

vb_vol_kind vb_fsregion_detect(vb_fsregion *r)
{
    const vb_profile *p = r->profile;
    if (!p->port->fs_autodetect) return p->port->fs_type == VB_FS_LFS2 ? VB_VOL_LFS2 : VB_VOL_FAT;
    return vb_flash_region_is_lfs2(r->bdev.flash, p->fs_offset, p->fs_size) ? VB_VOL_LFS2 : VB_VOL_FAT;
}

static int mount_as(vb_fsregion *r, vb_vol_kind kind, vb_fat_names names, const vb_vol_clock *clock)
{
    int rc = kind == VB_VOL_LFS2
                 ? vb_vol_mount_lfs2(&r->vol, &r->lfs2dev.dev, &r->lfs2cfg, true, clock)
                 : vb_vol_mount_fat(&r->vol, &r->bdev.bd, names, clock);
    r->mounted = rc == 0;
    return rc;
}

int vb_fsregion_mount(vb_fsregion *r, vb_fat_names names, const vb_vol_clock *clock)
{
    vb_fsregion_unmount(r);
    return mount_as(r, vb_fsregion_detect(r), names, clock);
}

int vb_fsregion_format(vb_fsregion *r, vb_fat_names names, const vb_vol_clock *clock)
{
    vb_fsregion_unmount(r);
    const vb_profile *p = r->profile;
    vb_vol_kind kind = p->port->fs_type == VB_FS_LFS2 ? VB_VOL_LFS2 : VB_VOL_FAT;
    int rc;
    if (kind == VB_VOL_LFS2) {
        rc = vb_lfs2_format(&r->lfs2dev.dev, &r->lfs2cfg);
    } else {
        vb_fat_mkfs_opts o = {0, p->fs_label};
        rc = vb_fat_mkfs(&r->bdev.bd, &o, vb_vol_clock_fat, (void *)clock);
    }
    return rc < 0 ? rc : mount_as(r, kind, names, clock);
}

static int write_file(vb_vol *v, const char *path, const char *content)
{
    vb_vol_file f;
    int rc = vb_vol_open(v, &f, path, "w");
    if (rc < 0) return rc;
    size_t len = strlen(content);
    ssize_t n = vb_vol_write(&f, content, len);
    int rc2 = vb_vol_close(&f);
    if (n >= 0 && (size_t)n != len) n = -ENOSPC;
    return n < 0 ? (int)n : rc2;
}

int vb_fsregion_write_defaults(vb_fsregion *r)
{
    if (!r->mounted) return -ENODEV;
    const vb_port *p = r->profile->port;
    vb_vol_info st;
    for (unsigned i = 0; i < p->n_default_files; i++) {
        const vb_default_file *df = &p->default_files[i];
        int rc = vb_vol_stat(&r->vol, df->path, &st);
        if (rc == -ENOENT) rc = write_file(&r->vol, df->path, df->content);
        if (rc < 0) return rc;
    }
    for (unsigned i = 0; i < p->n_default_dirs; i++) {
        int rc = vb_vol_stat(&r->vol, p->default_dirs[i], &st);
        if (rc == -ENOENT) rc = vb_vol_mkdir(&r->vol, p->default_dirs[i]);
        if (rc < 0) return rc;
    }
    return vb_vol_sync(&r->vol);
}

int vb_fsregion_unmount(vb_fsregion *r)
{
    if (!r->mounted) return 0;
    r->mounted = false;
    return vb_vol_unmount(&r->vol);
}

bool vb_fsregion_erased(vb_fsregion *r)
{
    uint8_t buf[VB_FLASH_BLOCK];
    if (vb_flash_read(r->bdev.flash, r->profile->fs_offset, buf, sizeof buf) < 0) return false;
    for (size_t i = 0; i < sizeof buf; i++)
        if (buf[i] != 0xFF) return false;
    return true;
}
