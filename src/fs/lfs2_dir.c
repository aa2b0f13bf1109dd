/* Directories: mkdir and listing (SPEC.md "0x002 LFS_TYPE_DIR", "0x200
 * LFS_TYPE_DIRSTRUCT", "0x600 LFS_TYPE_SOFTTAIL").
 *
 * A new directory is a fresh pair spliced into the global tail list right
 * after the last pair of its parent, then named in the parent. Between the
 * two commits it is an orphan (on the list, not named): when the parent is
 * split, that is flagged in the global state first so a power cut there is
 * repaired at the next mount's first write. */
#include "lfs2_internal.h"

int vb_lfs2_mkdir(vb_lfs2 *fs, const char *path)
{
    if (!fs || !fs->mounted || !path)
        return -EINVAL;
    int err = vb_lfs2_fs_forceconsistency(fs);
    if (err)
        return err;

    vb_lfs2_handle cwd;
    cwd.next = fs->open;
    uint16_t id;
    int32_t tag = vb_lfs2_dir_find(fs, &cwd.m, &path, &id);
    if (!(tag == -ENOENT && vb_lfs2_path_islast(path)))
        return tag < 0 ? (int)tag : -EEXIST;

    uint32_t nlen = vb_lfs2_path_namelen(path);
    if (nlen > fs->name_max)
        return -ENAMETOOLONG;

    vb_lfs2_alloc_ckpoint(fs);
    vb_lfs2_mdir dir;
    err = vb_lfs2_dir_alloc(fs, &dir);
    if (err)
        return err;

    /* the last pair of the parent directory */
    vb_lfs2_mdir pred = cwd.m;
    for (uint32_t hops = 0; pred.split; hops++) {
        if (hops > fs->block_count)
            return -EILSEQ;
        err = vb_lfs2_dir_fetch(fs, &pred, pred.tail);
        if (err)
            return err;
    }

    /* the new pair continues the list where pred's tail pointed */
    uint8_t t[8];
    vb_lfs2_put_le32(t, pred.tail[0]);
    vb_lfs2_put_le32(t + 4, pred.tail[1]);
    err = vb_lfs2_dir_commit(fs, &dir, VB_LFS2_MKATTRS(
        {VB_LFS2_MKTAG(VB_LFS2_T_SOFTTAIL, 0x3ff, 8), t}));
    if (err)
        return err;

    uint8_t np[8];
    vb_lfs2_put_le32(np, dir.pair[0]);
    vb_lfs2_put_le32(np + 4, dir.pair[1]);

    if (cwd.m.split) {
        /* pred is another pair than cwd: link there first (an orphan
         * until the name is committed) */
        vb_lfs2_fs_preporphans(fs, +1);
        /* pred's relocation may move cwd: be on the handle list for it */
        cwd.type = 0;
        cwd.id = 0;
        fs->open = &cwd;
        err = vb_lfs2_dir_commit(fs, &pred, VB_LFS2_MKATTRS(
            {VB_LFS2_MKTAG(VB_LFS2_T_SOFTTAIL, 0x3ff, 8), np}));
        fs->open = cwd.next;
        if (err)
            return err;
        vb_lfs2_fs_preporphans(fs, -1);
    }

    return vb_lfs2_dir_commit(fs, &cwd.m, VB_LFS2_MKATTRS(
        {VB_LFS2_MKTAG(VB_LFS2_T_CREATE, id, 0), NULL},
        {VB_LFS2_MKTAG(VB_LFS2_T_DIR, id, nlen), path},
        {VB_LFS2_MKTAG(VB_LFS2_T_DIRSTRUCT, id, 8), np},
        {VB_LFS2_MKTAG_IF(!cwd.m.split, VB_LFS2_T_SOFTTAIL, 0x3ff, 8), np}));
}

int vb_lfs2_opendir(vb_lfs2 *fs, vb_lfs2_dir *d, const char *path)
{
    if (!fs || !fs->mounted || !d || !path)
        return -EINVAL;
    if (vb_lfs2_handle_isopen(fs, &d->h))
        return -EBADF;
    int32_t tag = vb_lfs2_dir_find(fs, &d->h.m, &path, NULL);
    if (tag < 0)
        return (int)tag;
    if (vb_lfs2_tag_type3((uint32_t)tag) != VB_LFS2_T_DIR)
        return -ENOTDIR;

    uint32_t pair[2];
    if (vb_lfs2_tag_id((uint32_t)tag) == VB_LFS2_ID_NONE) {
        pair[0] = fs->root[0];
        pair[1] = fs->root[1];
    } else {
        int32_t res = vb_lfs2_dir_getstruct(fs, &d->h.m, vb_lfs2_tag_id((uint32_t)tag), pair);
        if (res < 0)
            return (int)res;
    }
    int err = vb_lfs2_dir_fetch(fs, &d->h.m, pair);
    if (err)
        return err;

    d->fs = fs;
    d->head[0] = d->h.m.pair[0];
    d->head[1] = d->h.m.pair[1];
    d->h.id = 0;
    d->pos = 0;
    d->hops = 0;
    d->h.type = VB_LFS2_TYPE_DIR;
    vb_lfs2_handle_add(fs, &d->h);
    return 0;
}

static bool dir_ok(const vb_lfs2_dir *d)
{
    return d && d->fs && vb_lfs2_handle_isopen(d->fs, &d->h);
}

int vb_lfs2_closedir(vb_lfs2_dir *d)
{
    if (!dir_ok(d))
        return -EBADF;
    vb_lfs2_handle_remove(d->fs, &d->h);
    d->fs = NULL;
    return 0;
}

/* Next pair of the directory, counting hops so a looping chain ends. */
static int dir_next_pair(vb_lfs2_dir *d)
{
    if (++d->hops > d->fs->block_count)
        return -EILSEQ;
    int err = vb_lfs2_dir_fetch(d->fs, &d->h.m, d->h.m.tail);
    if (err)
        return err;
    d->h.id = 0;
    return 0;
}

int vb_lfs2_readdir(vb_lfs2_dir *d, vb_lfs2_info *info)
{
    if (!dir_ok(d) || !info)
        return -EBADF;
    memset(info, 0, sizeof *info);

    /* littlefs lists "." and ".." first, as positions 0 and 1 */
    if (d->pos == 0 || d->pos == 1) {
        info->type = VB_LFS2_TYPE_DIR;
        strcpy(info->name, d->pos == 0 ? "." : "..");
        d->pos += 1;
        return 1;
    }

    for (;;) {
        if (d->h.id == d->h.m.count) {
            if (!d->h.m.split)
                return 0;
            int err = dir_next_pair(d);
            if (err)
                return err;
            continue;
        }
        /* ids without a name (the superblock entry) are skipped */
        int err = vb_lfs2_dir_getinfo(d->fs, &d->h.m, d->h.id, info);
        if (err && err != -ENOENT)
            return err;
        d->h.id += 1;
        if (err != -ENOENT)
            break;
    }
    d->pos += 1;
    return 1;
}

int vb_lfs2_rewinddir(vb_lfs2_dir *d)
{
    if (!dir_ok(d))
        return -EBADF;
    int err = vb_lfs2_dir_fetch(d->fs, &d->h.m, d->head);
    if (err)
        return err;
    d->h.id = 0;
    d->pos = 0;
    d->hops = 0;
    return 0;
}

int vb_lfs2_seekdir(vb_lfs2_dir *d, uint32_t off)
{
    int err = vb_lfs2_rewinddir(d);
    if (err)
        return err;

    /* "." and ".." take the first two positions */
    d->pos = vb_lfs2_min(2, off);
    off -= d->pos;

    /* the root's id 0 is the superblock entry, never listed */
    d->h.id = (off > 0 && vb_lfs2_pair_cmp(d->head, d->fs->root) == 0);

    while (off > 0) {
        if (d->h.id == d->h.m.count) {
            if (!d->h.m.split)
                return -EINVAL;
            err = dir_next_pair(d);
            if (err)
                return err;
            continue;
        }
        uint32_t diff = vb_lfs2_min((uint32_t)(d->h.m.count - d->h.id), off);
        d->h.id = (uint16_t)(d->h.id + diff);
        d->pos += diff;
        off -= diff;
    }
    return 0;
}

int32_t vb_lfs2_telldir(vb_lfs2_dir *d)
{
    if (!dir_ok(d))
        return -EBADF;
    return (int32_t)d->pos;
}
