/* Name operations: stat, remove, rename, custom attributes (littlefs's
 * "General operations").
 *
 * Rename within one pair is a single commit (create the new name, copy the
 * entry with FROM_MOVE, delete the old id). Across pairs it is two commits,
 * and the global state records "delete id in pair" in the first, so that a
 * power cut between them is finished at the next mount's first write: the
 * old name never reappears. Removing (or renaming over) a directory unlinks
 * its pair from the tail list afterwards, flagged as an orphan meanwhile.
 * Unlike littlefs, moving a directory below itself is refused (-EINVAL):
 * littlefs would cut it off from the tree. */
#include "lfs2_internal.h"

#include <stdlib.h>

int vb_lfs2_stat(vb_lfs2 *fs, const char *path, vb_lfs2_info *info)
{
    if (!fs || !fs->mounted || !path || !info)
        return -EINVAL;
    vb_lfs2_mdir cwd;
    int32_t tag = vb_lfs2_dir_find(fs, &cwd, &path, NULL);
    if (tag < 0)
        return (int)tag;
    /* a trailing slash only on directories */
    if (strchr(path, '/') != NULL && vb_lfs2_tag_type3((uint32_t)tag) != VB_LFS2_T_DIR)
        return -ENOTDIR;
    return vb_lfs2_dir_getinfo(fs, &cwd, vb_lfs2_tag_id((uint32_t)tag), info);
}

/* After a directory's entry is gone: take its pair off the tail list. */
static int unlink_dir_pair(vb_lfs2 *fs, vb_lfs2_mdir *scratch, vb_lfs2_mdir *gone)
{
    vb_lfs2_fs_preporphans(fs, -1);
    int err = vb_lfs2_fs_pred(fs, gone->pair, scratch);
    if (err)
        return err;
    return vb_lfs2_dir_drop(fs, scratch, gone);
}

/* An empty directory about to lose its entry; NOTEMPTY otherwise. */
static int prepare_dir_removal(vb_lfs2 *fs, const vb_lfs2_mdir *parent, uint16_t id,
                               vb_lfs2_handle *dir)
{
    uint32_t pair[2];
    int32_t res = vb_lfs2_dir_getstruct(fs, parent, id, pair);
    if (res < 0)
        return (int)res;
    int err = vb_lfs2_dir_fetch(fs, &dir->m, pair);
    if (err)
        return err;
    if (dir->m.count > 0 || dir->m.split)
        return -ENOTEMPTY;
    vb_lfs2_fs_preporphans(fs, +1);
    /* a commit to the parent can relocate this pair (when it is the
     * parent's predecessor): stay on the handle list to follow it */
    dir->type = 0;
    dir->id = 0;
    fs->open = dir;
    return 0;
}

int vb_lfs2_remove(vb_lfs2 *fs, const char *path)
{
    if (!fs || !fs->mounted || !path)
        return -EINVAL;
    int err = vb_lfs2_fs_forceconsistency(fs);
    if (err)
        return err;

    vb_lfs2_mdir cwd;
    int32_t tag = vb_lfs2_dir_find(fs, &cwd, &path, NULL);
    if (tag < 0 || vb_lfs2_tag_id((uint32_t)tag) == VB_LFS2_ID_NONE)
        return tag < 0 ? (int)tag : -EINVAL;

    vb_lfs2_handle dir;
    dir.next = fs->open;
    bool isdir = vb_lfs2_tag_type3((uint32_t)tag) == VB_LFS2_T_DIR;
    if (isdir) {
        err = prepare_dir_removal(fs, &cwd, vb_lfs2_tag_id((uint32_t)tag), &dir);
        if (err)
            return err;
    }

    err = vb_lfs2_dir_commit(fs, &cwd, VB_LFS2_MKATTRS(
        {VB_LFS2_MKTAG(VB_LFS2_T_DELETE, vb_lfs2_tag_id((uint32_t)tag), 0), NULL}));
    fs->open = dir.next;
    if (err)
        return err;

    if (isdir && vb_lfs2_gstate_hasorphans(&fs->gstate))
        return unlink_dir_pair(fs, &cwd, &dir.m);
    return 0;
}

/* A path as its names, with "." dropped and ".." cancelling the name
 * before it, as vb_lfs2_dir_find resolves them. -1 when too deep. */
typedef struct names {
    const char *at[128];
    uint32_t len[128];
    int n;
} names;

static int split_path(const char *p, names *out)
{
    out->n = 0;
    for (;;) {
        p += strspn(p, "/");
        uint32_t l = (uint32_t)strcspn(p, "/");
        if (l == 0)
            return 0;
        if (l == 2 && p[0] == '.' && p[1] == '.') {
            if (out->n > 0)
                out->n--;
        } else if (!(l == 1 && p[0] == '.')) {
            if (out->n == 128)
                return -1;
            out->at[out->n] = p;
            out->len[out->n] = l;
            out->n++;
        }
        p += l;
    }
}

/* Is `inner` strictly below `outer`? (Moving a directory there would cut
 * it off from the tree: littlefs does not check, POSIX says EINVAL.) */
static bool path_below(const char *inner, const char *outer)
{
    names *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    bool below = false;
    if (a && b && split_path(inner, a) == 0 && split_path(outer, b) == 0 && a->n > b->n) {
        below = true;
        for (int i = 0; i < b->n && below; i++)
            below = a->len[i] == b->len[i] && memcmp(a->at[i], b->at[i], a->len[i]) == 0;
    }
    free(a);
    free(b);
    return below;
}

int vb_lfs2_rename(vb_lfs2 *fs, const char *oldpath, const char *newpath)
{
    if (!fs || !fs->mounted || !oldpath || !newpath)
        return -EINVAL;
    int err = vb_lfs2_fs_forceconsistency(fs);
    if (err)
        return err;

    const char *fullold = oldpath, *fullnew = newpath;
    vb_lfs2_mdir oldcwd;
    int32_t oldtag = vb_lfs2_dir_find(fs, &oldcwd, &oldpath, NULL);
    if (oldtag < 0 || vb_lfs2_tag_id((uint32_t)oldtag) == VB_LFS2_ID_NONE)
        return oldtag < 0 ? (int)oldtag : -EINVAL;
    uint16_t oldtype = vb_lfs2_tag_type3((uint32_t)oldtag);
    if (oldtype == VB_LFS2_T_DIR && path_below(fullnew, fullold))
        return -EINVAL;

    vb_lfs2_mdir newcwd;
    uint16_t newid = 0;
    int32_t prevtag = vb_lfs2_dir_find(fs, &newcwd, &newpath, &newid);
    if ((prevtag < 0 || vb_lfs2_tag_id((uint32_t)prevtag) == VB_LFS2_ID_NONE) &&
        !(prevtag == -ENOENT && vb_lfs2_path_islast(newpath)))
        return prevtag < 0 ? (int)prevtag : -EINVAL;

    bool samepair = vb_lfs2_pair_cmp(oldcwd.pair, newcwd.pair) == 0;
    uint16_t newoldid = vb_lfs2_tag_id((uint32_t)oldtag);

    vb_lfs2_handle prevdir;
    prevdir.next = fs->open;
    bool replaces_dir = false;
    if (prevtag == -ENOENT) {
        if (vb_lfs2_path_isdir(newpath) && oldtype != VB_LFS2_T_DIR)
            return -ENOTDIR;
        if (vb_lfs2_path_namelen(newpath) > fs->name_max)
            return -ENAMETOOLONG;
        /* the new name goes in before the old one: its id shifts */
        if (samepair && newid <= newoldid)
            newoldid += 1;
    } else if (vb_lfs2_tag_type3((uint32_t)prevtag) != oldtype) {
        return vb_lfs2_tag_type3((uint32_t)prevtag) == VB_LFS2_T_DIR ? -EISDIR : -ENOTDIR;
    } else if (samepair && newid == newoldid) {
        return 0;  /* renamed onto itself */
    } else if (oldtype == VB_LFS2_T_DIR) {
        err = prepare_dir_removal(fs, &newcwd, newid, &prevdir);
        if (err)
            return err;
        replaces_dir = true;
    }

    if (!samepair)
        vb_lfs2_fs_prepmove(fs, newoldid, oldcwd.pair);

    /* one commit in the new place: (delete target,) create, name, move */
    err = vb_lfs2_dir_commit(fs, &newcwd, VB_LFS2_MKATTRS(
        {VB_LFS2_MKTAG_IF(prevtag != -ENOENT, VB_LFS2_T_DELETE, newid, 0), NULL},
        {VB_LFS2_MKTAG(VB_LFS2_T_CREATE, newid, 0), NULL},
        {VB_LFS2_MKTAG(oldtype, newid, vb_lfs2_path_namelen(newpath)), newpath},
        {VB_LFS2_MKTAG(VB_LFS2_FROM_MOVE, newid, vb_lfs2_tag_id((uint32_t)oldtag)), &oldcwd},
        {VB_LFS2_MKTAG_IF(samepair, VB_LFS2_T_DELETE, newoldid, 0), NULL}));
    if (err) {
        fs->open = prevdir.next;
        return err;
    }

    /* then drop the old entry, clearing the pending move in the same
     * commit (unless a relocation already finished the move) */
    if (!samepair && vb_lfs2_gstate_hasmove(&fs->gstate)) {
        vb_lfs2_fs_prepmove(fs, VB_LFS2_ID_NONE, NULL);
        err = vb_lfs2_dir_commit(fs, &oldcwd, VB_LFS2_MKATTRS(
            {VB_LFS2_MKTAG(VB_LFS2_T_DELETE, vb_lfs2_tag_id((uint32_t)oldtag), 0), NULL}));
        if (err) {
            fs->open = prevdir.next;
            return err;
        }
    }

    fs->open = prevdir.next;
    if (replaces_dir && vb_lfs2_gstate_hasorphans(&fs->gstate))
        return unlink_dir_pair(fs, &newcwd, &prevdir.m);
    return 0;
}

/* The mdir and id that hold a path's attributes (the root's: id 0 of the
 * root pair, the superblock entry). */
static int32_t attr_target(vb_lfs2 *fs, const char *path, vb_lfs2_mdir *cwd, uint16_t *id)
{
    int32_t tag = vb_lfs2_dir_find(fs, cwd, &path, NULL);
    if (tag < 0)
        return tag;
    *id = vb_lfs2_tag_id((uint32_t)tag);
    if (*id == VB_LFS2_ID_NONE) {
        *id = 0;
        int err = vb_lfs2_dir_fetch(fs, cwd, fs->root);
        if (err)
            return err;
    }
    return 0;
}

ssize_t vb_lfs2_getattr(vb_lfs2 *fs, const char *path, uint8_t type, void *buf, uint32_t size)
{
    if (!fs || !fs->mounted || !path || (size && !buf))
        return -EINVAL;
    vb_lfs2_mdir cwd;
    uint16_t id;
    int32_t err = attr_target(fs, path, &cwd, &id);
    if (err)
        return err;
    int32_t tag = vb_lfs2_dir_get(fs, &cwd, VB_LFS2_MKTAG(0x7ff, 0x3ff, 0),
                                  VB_LFS2_MKTAG(VB_LFS2_T_USERATTR + type, id,
                                                vb_lfs2_min(size, fs->attr_max)), buf);
    if (tag < 0)
        return tag == -ENOENT ? -ENODATA : tag;
    return (ssize_t)vb_lfs2_tag_size((uint32_t)tag);
}

static int commit_attr(vb_lfs2 *fs, const char *path, uint8_t type, const void *buf, uint32_t size)
{
    /* littlefs skips this; but ids are only stable once a pending move is
     * finished, so repair first as every other write does */
    int32_t err = vb_lfs2_fs_forceconsistency(fs);
    if (err)
        return (int)err;
    vb_lfs2_mdir cwd;
    uint16_t id;
    err = attr_target(fs, path, &cwd, &id);
    if (err)
        return (int)err;
    return vb_lfs2_dir_commit(fs, &cwd, VB_LFS2_MKATTRS(
        {VB_LFS2_MKTAG(VB_LFS2_T_USERATTR + type, id, size), buf}));
}

int vb_lfs2_setattr(vb_lfs2 *fs, const char *path, uint8_t type, const void *buf, uint32_t size)
{
    if (!fs || !fs->mounted || !path || (size && !buf))
        return -EINVAL;
    if (size > fs->attr_max)
        return -ENOSPC;
    return commit_attr(fs, path, type, buf, size);
}

int vb_lfs2_removeattr(vb_lfs2 *fs, const char *path, uint8_t type)
{
    if (!fs || !fs->mounted || !path)
        return -EINVAL;
    return commit_attr(fs, path, type, NULL, VB_LFS2_SIZE_DELETED);
}
