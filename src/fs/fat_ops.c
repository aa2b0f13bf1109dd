/* Name-level operations: stat, listing, mkdir, rmdir, remove, rename
 * (flash.md §4.6), each following the FatFs call MicroPython makes, plus
 * MicroPython's own checks around it (EISDIR/ENOTDIR, rename over a file). */
#include <errno.h>
#include <string.h>

#include "fat_internal.h"

int vb_fat_stat(vb_fat *fs, const char *path, vb_fat_info *st)
{
    fat_path p;
    int rc = fat_follow_path(fs, path, &p);
    if (rc < 0) return rc;
    if (p.is_root) {
        memset(st, 0, sizeof *st);
        strcpy(st->name, "/");
        st->attr = VB_FAT_ATTR_DIR;
        st->is_dir = true;
        return 0;
    }
    if (!p.found) return -ENOENT;
    fat_entry_stat(fs, &p.e, st);
    return 0;
}

int vb_fat_opendir(vb_fat *fs, vb_fat_dir *d, const char *path)
{
    fat_path p;
    int rc = fat_follow_path(fs, path, &p);
    if (rc < 0) return rc;
    uint32_t start = 0;
    if (!p.is_root) {
        if (!p.found) return -ENOENT;
        /* FatFs: a file in place of a directory is "no path". */
        if (!(p.e.raw[DE_ATTR] & VB_FAT_ATTR_DIR)) return -ENOENT;
        start = fat_entry_cluster(fs, p.e.raw);
    }
    return fat_dir_seek(fs, d, start, 0);
}

int vb_fat_readdir(vb_fat_dir *d, vb_fat_info *st)
{
    fat_entry e;
    int rc = fat_dir_read(d, &e);
    if (rc == 1) fat_entry_stat(d->fs, &e, st);
    return rc;
}

int vb_fat_mkdir(vb_fat *fs, const char *path)
{
    fat_path p;
    int rc = fat_follow_path(fs, path, &p);
    if (rc < 0) return rc;
    if (p.is_root || p.found) return -EEXIST;

    int64_t c = fat_create_chain(fs, 0);
    if (c < 0) return (int)c;
    if (c == 0) return -EACCES;             /* full: FatFs "denied" */
    uint32_t dcl = (uint32_t)c, now = fat_now(fs), sect, off;
    /* FAT first, then the zeroed cluster with "." and "..", then the entry. */
    if ((rc = fat_sync_window(fs)) < 0 || (rc = fat_clear_cluster(fs, dcl)) < 0) goto fail;
    uint8_t *dot = fs->win;                 /* the window is the new cluster */
    memset(dot, ' ', 11);
    dot[0] = '.';
    dot[DE_ATTR] = VB_FAT_ATTR_DIR;
    vb_st32(dot + DE_WTIME, now);
    fat_entry_set_cluster(fs, dot, dcl);
    memcpy(dot + DIR_ENTRY, dot, DIR_ENTRY);
    dot[DIR_ENTRY + 1] = '.';
    fat_entry_set_cluster(fs, dot + DIR_ENTRY, p.parent);
    fs->win_dirty = true;
    if ((rc = fat_dir_register(fs, p.parent, &p.name, &sect, &off)) < 0) goto fail;
    if ((rc = fat_move_window(fs, sect)) < 0) goto fail;
    uint8_t *ent = fs->win + off;
    vb_st32(ent + DE_WTIME, now);
    fat_entry_set_cluster(fs, ent, dcl);
    ent[DE_ATTR] = VB_FAT_ATTR_DIR;
    fs->win_dirty = true;
    return fat_sync_fs(fs);
fail:
    fat_remove_chain(fs, dcl, 0);
    return rc;
}

/* Whether a directory holds anything but "." and "..": 1 yes, 0 no. */
static int dir_has_entries(vb_fat *fs, uint32_t start)
{
    vb_fat_dir d;
    fat_entry e;
    int rc = fat_dir_seek(fs, &d, start, 0);
    if (rc < 0) return rc;
    return fat_dir_read(&d, &e);
}

/* f_unlink, with MicroPython's type check in front: `want_dir` selects
 * rmdir (ENOTDIR on a file) or remove (EISDIR on a directory). */
static int unlink_entry(vb_fat *fs, const char *path, int want_dir)
{
    fat_path p;
    int rc = fat_follow_path(fs, path, &p);
    if (rc < 0) return rc;
    if (p.is_root) return want_dir ? -EACCES : -EISDIR;
    if (!p.found) return -ENOENT;
    uint8_t attr = p.e.raw[DE_ATTR];
    int is_dir = (attr & VB_FAT_ATTR_DIR) != 0;
    if (is_dir != want_dir) return want_dir ? -ENOTDIR : -EISDIR;
    if (attr & VB_FAT_ATTR_RDONLY) return -EACCES;
    uint32_t clst = fat_entry_cluster(fs, p.e.raw);
    if (is_dir) {
        if (clst == 0) return -EIO;       /* a directory always has a cluster */
        if ((rc = dir_has_entries(fs, clst)) < 0) return rc;
        if (rc) return -EACCES;           /* not empty: FatFs "denied" */
    }
    if ((rc = fat_dir_remove(fs, p.parent, &p.e)) < 0) return rc;
    if (clst && (rc = fat_remove_chain(fs, clst, 0)) < 0) return rc;
    return fat_sync_fs(fs);
}

int vb_fat_rmdir(vb_fat *fs, const char *path) { return unlink_entry(fs, path, 1); }
int vb_fat_remove(vb_fat *fs, const char *path) { return unlink_entry(fs, path, 0); }

/* Whether directory `anc` is `dir` or one of its ancestors (walks ".."). */
static int is_ancestor(vb_fat *fs, uint32_t anc, uint32_t dir)
{
    for (uint32_t depth = 0; dir != 0 && depth < 4096; depth++) {
        if (dir == anc) return 1;
        vb_fat_dir d;
        uint8_t *ent;
        int rc = fat_dir_seek(fs, &d, dir, 1);
        if (rc < 0 || (rc = fat_dir_entry(&d, &ent)) < 0) return rc;
        if (ent[0] != '.' || ent[1] != '.') return -EIO;
        dir = fat_entry_cluster(fs, ent);
    }
    return dir == anc;
}

/* One f_rename attempt: -EEXIST when the target exists. */
static int rename_once(vb_fat *fs, const char *from, const char *to)
{
    fat_path po, pn;
    int rc = fat_follow_path(fs, from, &po);
    if (rc < 0) return rc;
    if (po.is_root) return -EINVAL;
    if (!po.found) return -ENOENT;
    uint8_t saved[DIR_ENTRY];
    memcpy(saved, po.e.raw, DIR_ENTRY);
    if ((rc = fat_follow_path(fs, to, &pn)) < 0) return rc;
    if (pn.is_root) return -EEXIST;
    if (pn.found && !(pn.parent == po.parent && pn.e.sfn_index == po.e.sfn_index))
        return -EEXIST;
    int is_dir = (saved[DE_ATTR] & VB_FAT_ATTR_DIR) != 0;
    uint32_t clst = fat_entry_cluster(fs, saved);
    if (is_dir && pn.parent != po.parent) {
        /* Refuse to move a directory into itself: FatFs would cut it off
         * from the tree (a loop); Linux and CPython say EINVAL. */
        rc = clst ? is_ancestor(fs, clst, pn.parent) : 0;
        if (rc < 0) return rc;
        if (rc) return -EINVAL;
    }
    uint32_t sect, off;
    if ((rc = fat_dir_register(fs, pn.parent, &pn.name, &sect, &off)) < 0) return rc;
    if ((rc = fat_move_window(fs, sect)) < 0) return rc;
    uint8_t *ent = fs->win + off;
    /* Keep times, cluster and size; the name and case bits are new. */
    memcpy(ent + 13, saved + 13, DIR_ENTRY - 13);
    ent[DE_ATTR] = saved[DE_ATTR];
    if (!is_dir) ent[DE_ATTR] |= VB_FAT_ATTR_ARCHIVE;
    fs->win_dirty = true;
    if (is_dir && pn.parent != po.parent) {
        uint32_t s = fat_clust2sect(fs, clst);
        if (!s) return -EIO;
        if ((rc = fat_move_window(fs, s)) < 0) return rc;
        uint8_t *dotdot = fs->win + DIR_ENTRY;
        if (dotdot[1] == '.') {
            fat_entry_set_cluster(fs, dotdot, pn.parent);
            fs->win_dirty = true;
        }
    }
    /* The old slots are still in use while the new entry is placed, so they
     * are exactly where follow_path found them. */
    if ((rc = fat_dir_remove(fs, po.parent, &po.e)) < 0) return rc;
    return fat_sync_fs(fs);
}

int vb_fat_rename(vb_fat *fs, const char *from, const char *to)
{
    int rc = rename_once(fs, from, to);
    if (rc != -EEXIST) return rc;
    /* MicroPython: an existing file target is removed, then retried. */
    vb_fat_info st;
    if ((rc = vb_fat_stat(fs, to, &st)) < 0) return rc;
    if (st.is_dir) return -EISDIR;
    if ((rc = vb_fat_remove(fs, to)) < 0) return rc;
    return rename_once(fs, from, to);
}
