/* FAT volume: the sector window, mount checks (flash.md §4.1), sync,
 * statvfs and the root label. */
#include <errno.h>
#include <string.h>

#include "fat_internal.h"
#include "cp437.h"
#include "fat_name.h"
#include "util/civil.h"

/* ---- device access ----------------------------------------------------- */

int fat_dev_read(vb_fat *fs, uint32_t sect, uint32_t count, void *buf)
{
    uint64_t lba = (uint64_t)fs->volume_base + sect;
    if (lba + count > fs->bd->sector_count) return -EIO;
    return fs->bd->read(fs->bd->ctx, (uint32_t)lba, count, buf) < 0 ? -EIO : 0;
}

int fat_dev_write(vb_fat *fs, uint32_t sect, uint32_t count, const void *buf)
{
    uint64_t lba = (uint64_t)fs->volume_base + sect;
    if (lba + count > fs->bd->sector_count) return -EIO;
    return fs->bd->write(fs->bd->ctx, (uint32_t)lba, count, buf) < 0 ? -EIO : 0;
}

/* ---- the sector window ---------------------------------------------------
 * One sector of FAT, directory or (as FF_FS_TINY) file data is cached; it is
 * written back before another sector is loaded, which fixes the order of
 * device writes to FatFs's order. */

int fat_sync_window(vb_fat *fs)
{
    if (!fs->win_dirty) return 0;
    uint32_t s = fs->win_sector;
    int rc = fat_dev_write(fs, s, 1, fs->win);
    if (rc < 0) return rc;
    fs->win_dirty = false;
    /* FatFs writes the second FAT copy right after the first. */
    if (s - fs->fat_start < fs->fat_size && fs->n_fats == 2)
        rc = fat_dev_write(fs, s + fs->fat_size, 1, fs->win);
    return rc;
}

int fat_move_window(vb_fat *fs, uint32_t sect)
{
    if (sect == fs->win_sector) return 0;
    int rc = fat_sync_window(fs);
    if (rc < 0) return rc;
    rc = fat_dev_read(fs, sect, 1, fs->win);
    fs->win_sector = rc < 0 ? WIN_NONE : sect;
    return rc;
}

int fat_sync_fs(vb_fat *fs)
{
    int rc = fat_sync_window(fs);
    if (rc < 0) return rc;
    if (fs->bd->sync && fs->bd->sync(fs->bd->ctx) < 0) return -EIO;
    return 0;
}

uint32_t fat_now(const vb_fat *fs)
{
    vb_datetime t = {2000, 1, 1, 0, 0, 0};
    if (fs->clock) fs->clock(fs->clock_ctx, &t);
    if (t.year < 1980) t = (vb_datetime){1980, 1, 1, 0, 0, 0};
    if (t.year > 2107) t = (vb_datetime){2107, 12, 31, 23, 59, 58};
    uint32_t date = (uint32_t)(t.year - 1980) << 9 | (uint32_t)t.month << 5 | t.day;
    uint32_t time = (uint32_t)t.hour << 11 | (uint32_t)t.minute << 5 | t.second / 2u;
    return date << 16 | time;
}

/* ---- mount --------------------------------------------------------------- */

enum { BS_FAT = 0, BS_NOT_FAT = 2, BS_INVALID = 3 };

/* Classify the sector at `sect` (flash.md §4.1 steps 1-2). */
static int check_boot_sector(vb_fat *fs, uint32_t sect)
{
    fs->win_dirty = false;
    fs->win_sector = WIN_NONE;
    int rc = fat_move_window(fs, sect);
    if (rc < 0) return rc;
    const uint8_t *b = fs->win;
    if (vb_ld16(b + 510) != 0xAA55) return BS_INVALID;
    if ((b[0] == 0xEB || b[0] == 0xE9 || b[0] == 0xE8) &&
        (memcmp(b + 54, "FAT", 3) == 0 || memcmp(b + 82, "FAT32", 5) == 0))
        return BS_FAT;
    return BS_NOT_FAT;
}

int vb_fat_mount(vb_fat *fs, const vb_blockdev *bd, vb_fat_names names,
                 vb_clock_fn clock, void *clock_ctx)
{
    memset(fs, 0, sizeof *fs);
    fs->bd = bd;
    fs->clock = clock;
    fs->clock_ctx = clock_ctx;
    fs->names = names;
    fs->win_sector = WIN_NONE;
    if (bd->sector_size < 512 || bd->sector_size > VB_FAT_MAX_SS ||
        (bd->sector_size & (bd->sector_size - 1)) || bd->sector_count == 0)
        return -EINVAL;
    fs->ss = bd->sector_size;

    /* Sector 0 is the volume, or an MBR whose first FAT partition is. */
    uint32_t base = 0;
    int fmt = check_boot_sector(fs, 0);
    if (fmt == BS_NOT_FAT) {
        uint32_t starts[4];
        for (int i = 0; i < 4; i++) {
            const uint8_t *pte = fs->win + 446 + 16 * i;
            starts[i] = pte[4] ? vb_ld32(pte + 8) : 0;
        }
        fmt = BS_INVALID;
        for (int i = 0; i < 4 && fmt != BS_FAT; i++) {
            if (!starts[i]) continue;
            base = starts[i];
            fmt = check_boot_sector(fs, base);
            if (fmt == -EIO) fmt = BS_INVALID; /* a partition beyond the device */
            if (fmt < 0) return fmt;
        }
    }
    if (fmt < 0) return fmt;
    if (fmt != BS_FAT) return -ENODEV;

    /* BPB checks (flash.md §4.1 steps 3-5). */
    const uint8_t *b = fs->win;
    if (vb_ld16(b + 11) != fs->ss) return -ENODEV;
    uint32_t fat_size = vb_ld16(b + 22);
    if (fat_size == 0) fat_size = vb_ld32(b + 36);
    uint32_t n_fats = b[16];
    if (n_fats != 1 && n_fats != 2) return -ENODEV;
    uint32_t spc = b[13];
    if (spc == 0 || (spc & (spc - 1))) return -ENODEV;
    uint32_t root_entries = vb_ld16(b + 17);
    if (root_entries % (fs->ss / DIR_ENTRY)) return -ENODEV;
    uint32_t total = vb_ld16(b + 19);
    if (total == 0) total = vb_ld32(b + 32);
    uint32_t reserved = vb_ld16(b + 14);
    if (reserved == 0) return -ENODEV;
    uint64_t sys = (uint64_t)reserved + (uint64_t)n_fats * fat_size + root_entries / (fs->ss / DIR_ENTRY);
    if (total < sys) return -ENODEV;
    uint32_t clusters = (uint32_t)((total - sys) / spc);
    if (clusters == 0) return -ENODEV;
    /* FAT32 (more than 65525 clusters) is not supported: "no filesystem". */
    if (clusters > 65525) return -ENODEV;
    if (root_entries == 0) return -ENODEV;
    vb_fat_type type = clusters <= 4085 ? VB_FAT12 : VB_FAT16;
    uint64_t need = type == VB_FAT16 ? (uint64_t)(clusters + 2) * 2
                                     : (uint64_t)(clusters + 2) * 3 / 2 + ((clusters + 2) & 1);
    if ((uint64_t)fat_size < (need + fs->ss - 1) / fs->ss) return -ENODEV;

    fs->type = type;
    fs->spc = spc;
    fs->n_fats = n_fats;
    fs->fat_size = fat_size;
    fs->root_entries = root_entries;
    fs->total_sectors = total;
    fs->n_clusters = clusters;
    /* Sector numbers below are volume-relative; fat_dev_* add the base. */
    fs->volume_base = base;
    fs->fat_start = reserved;
    fs->root_start = reserved + n_fats * fat_size;
    fs->data_start = (uint32_t)sys;
    fs->last_alloc = 0;
    fs->win_sector = WIN_NONE; /* the window held the boot sector at `base` */
    return 0;
}

int vb_fat_sync(vb_fat *fs) { return fat_sync_fs(fs); }

int vb_fat_unmount(vb_fat *fs)
{
    int rc = fat_sync_fs(fs);
    fs->bd = NULL;
    return rc;
}

int vb_fat_statvfs(vb_fat *fs, vb_fat_usage *out)
{
    int64_t n = fat_count_free(fs);
    if (n < 0) return (int)n;
    out->cluster_bytes = fs->spc * fs->ss;
    out->n_clusters = fs->n_clusters;
    out->free_clusters = (uint32_t)n;
    return 0;
}

/* ---- label: an attribute-0x08 entry in the root (flash.md §4.3) ------------ */

static int find_label(vb_fat *fs, vb_fat_dir *d, uint8_t **ent)
{
    int rc = fat_dir_seek(fs, d, 0, 0);
    while (rc == 0) {
        if ((rc = fat_dir_entry(d, ent)) < 0) return rc;
        uint8_t c = (*ent)[DE_NAME], a = (*ent)[DE_ATTR] & 0x3F;
        if (c == 0) return 0;
        if (c != DE_DELETED && a != VB_FAT_ATTR_LFN && (a & ~VB_FAT_ATTR_ARCHIVE) == VB_FAT_ATTR_VOLUME)
            return 1;
        rc = fat_dir_next(d, 0);
    }
    return rc == -ENOENT ? 0 : rc;
}

int vb_fat_getlabel(vb_fat *fs, char *out, size_t outlen)
{
    vb_fat_dir d;
    uint8_t *ent;
    if (outlen == 0) return -EINVAL;
    out[0] = 0;
    int rc = find_label(fs, &d, &ent);
    if (rc <= 0) return rc;
    size_t n = 11;
    while (n > 0 && ent[n - 1] == ' ') n--;
    uint16_t u[11];
    for (size_t i = 0; i < n; i++) u[i] = vb_cp437_to_uni(ent[i]);
    rc = vb_fatname_encode(u, (int)n, fs->names, out, outlen);
    return rc < 0 ? rc : 0;
}

int vb_fat_setlabel(vb_fat *fs, const char *label)
{
    /* Label: up to 11 CP437 characters, upper-cased, none of the characters
     * FAT forbids in names (plus . + , ; = [ ]). */
    uint8_t name[11];
    memset(name, ' ', sizeof name);
    size_t len = strlen(label);
    uint16_t u[VB_FAT_NAME_MAX + 1];
    int n = 0;
    if (len) {
        n = vb_fatname_decode(label, len, fs->names, u);
        if (n < 0) return n;
        if (n > 11) return -EINVAL;
    }
    for (int i = 0; i < n; i++) {
        uint8_t c = vb_cp437_upper(vb_cp437_from_uni(u[i]));
        if (!c || strchr(".+,;=[]", c)) return -EINVAL;
        name[i] = c;
    }
    vb_fat_dir d;
    uint8_t *ent;
    int rc = find_label(fs, &d, &ent);
    if (rc < 0) return rc;
    if (rc == 1) {
        if (n) memcpy(ent, name, 11);
        else ent[DE_NAME] = DE_DELETED;
        fs->win_dirty = true;
    } else if (n) {
        /* First free slot in the root. */
        rc = fat_dir_seek(fs, &d, 0, 0);
        while (rc == 0) {
            if ((rc = fat_dir_entry(&d, &ent)) < 0) return rc;
            if (ent[DE_NAME] == 0 || ent[DE_NAME] == DE_DELETED) break;
            rc = fat_dir_next(&d, 0);
        }
        if (rc == -ENOENT) return -EACCES;
        if (rc < 0) return rc;
        memset(ent, 0, DIR_ENTRY);
        memcpy(ent, name, 11);
        ent[DE_ATTR] = VB_FAT_ATTR_VOLUME;
        fs->win_dirty = true;
    }
    return fat_sync_fs(fs);
}

int64_t vb_fat_dos_to_unix(uint16_t date, uint16_t time)
{
    unsigned m = date >> 5 & 15, d = date & 31;
    if (m < 1) m = 1;
    if (m > 12) m = 12;
    if (d < 1) d = 1;
    int64_t days = vb_civil_days(1980 + (date >> 9), m, d) + VB_CIVIL_EPOCH_UNIX_DAYS;
    return days * 86400 + (time >> 11) * 3600 + (time >> 5 & 63) * 60 + (time & 31) * 2;
}
