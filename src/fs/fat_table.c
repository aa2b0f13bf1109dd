/* FAT entries and cluster chains (flash.md §4.2). Every walk is bounded by
 * the cluster count, and every entry index is checked against the FAT, so a
 * corrupt table can give errors but never a hang or an access outside it. */
#include <errno.h>
#include <string.h>

#include "fat_internal.h"

uint32_t fat_eoc(const vb_fat *fs) { return fs->type == VB_FAT12 ? 0xFFF : 0xFFFF; }

uint32_t fat_clust2sect(const vb_fat *fs, uint32_t clst)
{
    if (clst < 2 || clst - 2 >= fs->n_clusters) return 0;
    return fs->data_start + (clst - 2) * fs->spc;
}

int fat_get(vb_fat *fs, uint32_t clst, uint32_t *val)
{
    if (clst < 2 || clst - 2 >= fs->n_clusters) return -EIO;
    uint32_t ss = fs->ss;
    int rc;
    if (fs->type == VB_FAT16) {
        uint32_t byte = clst * 2;
        if ((rc = fat_move_window(fs, fs->fat_start + byte / ss)) < 0) return rc;
        *val = vb_ld16(fs->win + byte % ss);
        return 0;
    }
    /* FAT12: a 16-bit word at 3n/2 that may straddle two sectors. */
    uint32_t byte = clst + clst / 2;
    if ((rc = fat_move_window(fs, fs->fat_start + byte / ss)) < 0) return rc;
    uint32_t w = fs->win[byte % ss];
    byte++;
    if ((rc = fat_move_window(fs, fs->fat_start + byte / ss)) < 0) return rc;
    w |= (uint32_t)fs->win[byte % ss] << 8;
    *val = clst & 1 ? w >> 4 : w & 0xFFF;
    return 0;
}

int fat_put(vb_fat *fs, uint32_t clst, uint32_t val)
{
    if (clst < 2 || clst - 2 >= fs->n_clusters) return -EIO;
    uint32_t ss = fs->ss;
    int rc;
    if (fs->type == VB_FAT16) {
        uint32_t byte = clst * 2;
        if ((rc = fat_move_window(fs, fs->fat_start + byte / ss)) < 0) return rc;
        vb_st16(fs->win + byte % ss, (uint16_t)val);
        fs->win_dirty = true;
        return 0;
    }
    val &= 0xFFF;
    uint32_t byte = clst + clst / 2;
    if ((rc = fat_move_window(fs, fs->fat_start + byte / ss)) < 0) return rc;
    uint8_t *p = fs->win + byte % ss;
    *p = clst & 1 ? (uint8_t)((*p & 0x0F) | (val << 4 & 0xF0)) : (uint8_t)val;
    fs->win_dirty = true;
    byte++;
    if ((rc = fat_move_window(fs, fs->fat_start + byte / ss)) < 0) return rc;
    p = fs->win + byte % ss;
    *p = clst & 1 ? (uint8_t)(val >> 4) : (uint8_t)((*p & 0xF0) | (val >> 8 & 0x0F));
    fs->win_dirty = true;
    return 0;
}

/* FatFs's create_chain: follow an existing link, else take the first free
 * cluster after the allocation hint, wrapping (flash.md §4.2). */
int64_t fat_create_chain(vb_fat *fs, uint32_t clst)
{
    uint32_t limit = fs->n_clusters + 2, scl, v;
    int rc;
    if (clst == 0) {
        scl = fs->last_alloc;
        if (scl < 2 || scl >= limit) scl = 1;
    } else {
        if ((rc = fat_get(fs, clst, &v)) < 0) return rc;
        if (v < 2) return -EIO;        /* 0 or 1 inside a chain: corruption */
        if (v < limit) return v;       /* already linked */
        scl = clst;
    }
    uint32_t ncl = scl;
    for (uint32_t n = 0;; n++) {
        ncl++;
        if (ncl >= limit) {
            ncl = 2;
            if (ncl > scl) return 0;
        }
        if ((rc = fat_get(fs, ncl, &v)) < 0) return rc;
        if (v == 0) break;
        if (ncl == scl || n > fs->n_clusters) return 0; /* full */
    }
    if ((rc = fat_put(fs, ncl, fat_eoc(fs))) < 0) return rc;
    if (clst != 0 && (rc = fat_put(fs, clst, ncl)) < 0) return rc;
    fs->last_alloc = ncl;
    return ncl;
}

int fat_remove_chain(vb_fat *fs, uint32_t clst, uint32_t prev)
{
    uint32_t limit = fs->n_clusters + 2, nxt;
    int rc;
    if (clst < 2 || clst >= limit) return -EIO;
    if (prev != 0 && (rc = fat_put(fs, prev, fat_eoc(fs))) < 0) return rc;
    /* At most n_clusters links: a looping chain stops here, not forever. */
    for (uint32_t n = 0; n <= fs->n_clusters && clst >= 2 && clst < limit; n++) {
        if ((rc = fat_get(fs, clst, &nxt)) < 0) return rc;
        if (nxt == 0) break;           /* already free: stop as FatFs does */
        if (nxt == 1) return -EIO;
        if ((rc = fat_put(fs, clst, 0)) < 0) return rc;
        clst = nxt;
    }
    return 0;
}

int fat_clear_cluster(vb_fat *fs, uint32_t clst)
{
    uint32_t sect = fat_clust2sect(fs, clst);
    if (!sect) return -EIO;
    int rc = fat_sync_window(fs);
    if (rc < 0) return rc;
    /* The window becomes the zeroed first sector, as in FatFs's dir_clear. */
    memset(fs->win, 0, fs->ss);
    fs->win_sector = sect;
    for (uint32_t i = 0; i < fs->spc; i++)
        if ((rc = fat_dev_write(fs, sect + i, 1, fs->win)) < 0) {
            fs->win_sector = WIN_NONE;
            return rc;
        }
    return 0;
}

int64_t fat_count_free(vb_fat *fs)
{
    uint32_t n = 0, v;
    for (uint32_t c = 2; c < fs->n_clusters + 2; c++) {
        int rc = fat_get(fs, c, &v);
        if (rc < 0) return rc;
        if (v == 0) n++;
    }
    return n;
}
