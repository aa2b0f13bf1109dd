/* mkfs byte-identical to MicroPython's VfsFat.mkfs = FatFs f_mkfs(FM_FAT |
 * FM_SFD, auto cluster size), flash.md §3. Only the boot sector, the FAT and
 * the root directory are written; the data area is left as it was. */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "fat_internal.h"

typedef struct geometry {
    uint32_t spc, fat_sectors, data_start, clusters;
    vb_fat_type type;
} geometry;

/* Cluster size and FAT size by FatFs's rules, including its deliberately
 * large FAT estimate (the whole volume counted as clusters). */
static int plan(uint32_t ss, uint32_t total, geometry *g)
{
    uint32_t k = total / 4096, spc;
    spc = k == 0 ? 1 : k < 4 ? 2 : k < 16 ? 4 : k < 64 ? 8 : k < 256 ? 16 : k < 512 ? 32 : 64;
    uint32_t root_sectors = 512 * DIR_ENTRY / ss;
    for (;;) {
        uint32_t n = total / spc;
        vb_fat_type type = n <= 4085 ? VB_FAT12 : VB_FAT16;
        uint64_t bytes = type == VB_FAT12 ? ((uint64_t)n * 3 + 1) / 2 + 3 : (uint64_t)n * 2 + 4;
        uint32_t fat = (uint32_t)((bytes + ss - 1) / ss);
        uint32_t data = 1 + fat + root_sectors;
        if ((uint64_t)total < (uint64_t)data + 16u * spc) return -EIO;
        uint32_t clusters = (total - data) / spc;
        if (type == VB_FAT16 && clusters <= 4085) {
            if (spc >= 128) return -EIO;
            spc *= 2;             /* too few clusters for FAT16: retry larger */
            continue;
        }
        if (type == VB_FAT12 && clusters > 4085) return -EIO;
        if (clusters > 65525) return -EIO;   /* would need FAT32 */
        *g = (geometry){spc, fat, data, clusters, type};
        return 0;
    }
}

int vb_fat_mkfs(const vb_blockdev *bd, const vb_fat_mkfs_opts *opts,
                vb_clock_fn clock, void *clock_ctx)
{
    uint32_t ss = bd->sector_size, total = bd->sector_count;
    if (ss < 512 || ss > VB_FAT_MAX_SS || (ss & (ss - 1))) return -EINVAL;
    geometry g;
    int rc = plan(ss, total, &g);
    if (rc < 0) return rc;

    /* A stand-in volume so the clock and label code can be shared. */
    vb_fat tmp = {.clock = clock, .clock_ctx = clock_ctx};
    uint32_t now = fat_now(&tmp);

    /* FatFs formats through a working buffer of FF_MAX_SS (4096) bytes, so
     * neighbouring sectors go to the device in groups of this many. */
    uint32_t group = VB_FAT_MAX_SS / ss;
    static_assert(VB_FAT_MAX_SS >= 512, "working buffer holds a sector");
    uint8_t buf[VB_FAT_MAX_SS];

    memset(buf, 0, ss);
    memcpy(buf, "\xEB\xFE\x90" "MSDOS5.0", 11);
    vb_st16(buf + 11, (uint16_t)ss);
    buf[13] = (uint8_t)g.spc;
    vb_st16(buf + 14, 1);                 /* reserved sectors */
    buf[16] = 1;                       /* one FAT */
    vb_st16(buf + 17, 512);               /* root entries */
    if (total < 0x10000) vb_st16(buf + 19, (uint16_t)total);
    else vb_st32(buf + 32, total);
    buf[21] = 0xF8;
    vb_st16(buf + 22, (uint16_t)g.fat_sectors);
    vb_st16(buf + 24, 63);
    vb_st16(buf + 26, 255);
    vb_st32(buf + 28, opts ? opts->hidden_sectors : 0);
    buf[36] = 0x80;
    buf[38] = 0x29;
    vb_st32(buf + 39, now);               /* volume serial = format time */
    memcpy(buf + 43, "NO NAME    " "FAT     ", 19);
    buf[510] = 0x55;
    buf[511] = 0xAA;
    if (bd->write(bd->ctx, 0, 1, buf) < 0) return -EIO;

    /* FAT: media and end-of-chain in entries 0 and 1, the rest free. */
    memset(buf, 0, sizeof buf);
    vb_st32(buf, g.type == VB_FAT12 ? 0x00FFFFF8u : 0xFFFFFFF8u);
    uint32_t sect = 1;
    for (uint32_t left = g.fat_sectors; left;) {
        uint32_t n = left < group ? left : group;
        if (bd->write(bd->ctx, sect, n, buf) < 0) return -EIO;
        memset(buf, 0, ss);
        sect += n;
        left -= n;
    }
    /* Root directory: zeroed. */
    memset(buf, 0, sizeof buf);
    for (uint32_t left = g.data_start - sect; left;) {
        uint32_t n = left < group ? left : group;
        if (bd->write(bd->ctx, sect, n, buf) < 0) return -EIO;
        sect += n;
        left -= n;
    }
    if (bd->sync && bd->sync(bd->ctx) < 0) return -EIO;

    /* Verify by mounting what was written; then the optional label. */
    vb_fat fs;
    if ((rc = vb_fat_mount(&fs, bd, VB_FAT_NAMES_OEM, clock, clock_ctx)) < 0)
        return rc == -ENODEV ? -EIO : rc;
    if (fs.n_clusters != g.clusters || fs.type != g.type) return -EIO;
    if (opts && opts->label && opts->label[0] && (rc = vb_fat_setlabel(&fs, opts->label)) < 0)
        return rc;
    return vb_fat_unmount(&fs);
}
