/* Path lookup: one name at a time from the root, each directory a chain of
 * pairs joined by hard tails (SPEC.md "0x601 LFS_TYPE_HARDTAIL"). Names are
 * found during the fetch itself (fetchmatch with a name comparison), which
 * also gives the id where a new name would be inserted to keep the order
 * littlefs keeps. */
#include "lfs2_internal.h"

/* Compare an on-disk name with ours. The order is littlefs's, quirk
 * included: when one name is a prefix of the other, the disk name counts
 * as smaller if ours is the shorter one. */
int vb_lfs2_name_match(void *ctx, uint32_t tag, const void *buf)
{
    const vb_lfs2_name_ref *name = ctx;
    const vb_lfs2_diskoff *disk = buf;
    uint32_t diff = vb_lfs2_min(name->size, vb_lfs2_tag_size(tag));
    int res = vb_lfs2_bd_cmp(name->fs, NULL, &name->fs->rcache, diff, disk->block, disk->off,
                             name->name, diff);
    if (res != VB_LFS2_CMP_EQ)
        return res;
    if (name->size != vb_lfs2_tag_size(tag))
        return name->size < vb_lfs2_tag_size(tag) ? VB_LFS2_CMP_LT : VB_LFS2_CMP_GT;
    return VB_LFS2_CMP_EQ;
}

/* Returns the entry's tag (the root: a dir tag with id 0x3ff), -ENOENT with
 * *path at the missing name and *id where it would go, -ENOTDIR when a file
 * is used as a directory, -EINVAL for "" or a ".." above the root. `dir` is
 * left at the pair holding the entry (or where it would be created). */
int32_t vb_lfs2_dir_find(vb_lfs2 *fs, vb_lfs2_mdir *dir, const char **path, uint16_t *id)
{
    const char *name = *path;
    int32_t tag = (int32_t)VB_LFS2_MKTAG(VB_LFS2_T_DIR, VB_LFS2_ID_NONE, 0);
    dir->tail[0] = fs->root[0];
    dir->tail[1] = fs->root[1];

    if (*name == '\0')
        return -EINVAL;

    for (;;) {
    nextname:
        if (vb_lfs2_tag_type3((uint32_t)tag) == VB_LFS2_T_DIR)
            name += strspn(name, "/");
        uint32_t namelen = (uint32_t)strcspn(name, "/");

        if (namelen == 1 && memcmp(name, ".", 1) == 0) {
            name += namelen;
            goto nextname;
        }
        if (namelen == 2 && memcmp(name, "..", 2) == 0)
            return -EINVAL;  /* a ".." not cancelled below: above the root */

        /* skip this name if a later ".." cancels it */
        const char *suffix = name + namelen;
        int depth = 1;
        for (;;) {
            suffix += strspn(suffix, "/");
            uint32_t sufflen = (uint32_t)strcspn(suffix, "/");
            if (sufflen == 0)
                break;
            if (sufflen == 2 && memcmp(suffix, "..", 2) == 0) {
                depth -= 1;
                if (depth == 0) {
                    name = suffix + sufflen;
                    goto nextname;
                }
            } else if (!(sufflen == 1 && memcmp(suffix, ".", 1) == 0)) {
                depth += 1;
            }
            suffix += sufflen;
        }

        if (*name == '\0')
            return tag;

        *path = name;
        if (vb_lfs2_tag_type3((uint32_t)tag) != VB_LFS2_T_DIR)
            return -ENOTDIR;

        if (vb_lfs2_tag_id((uint32_t)tag) != VB_LFS2_ID_NONE) {
            int32_t res = vb_lfs2_dir_getstruct(fs, dir, vb_lfs2_tag_id((uint32_t)tag), dir->tail);
            if (res < 0)
                return res;
        }

        /* search the directory's pairs for the name */
        vb_lfs2_name_ref ref = {fs, name, namelen};
        for (uint32_t hops = 0;; hops++) {
            if (hops > fs->block_count)
                return -EILSEQ;  /* the hard-tail chain loops */
            tag = vb_lfs2_dir_fetchmatch(fs, dir, dir->tail, VB_LFS2_MKTAG(0x780, 0, 0),
                                         VB_LFS2_MKTAG(VB_LFS2_T_NAME, 0, namelen), id,
                                         vb_lfs2_name_match, &ref);
            if (tag < 0)
                return tag;
            if (tag)
                break;
            if (!dir->split)
                return -ENOENT;
        }
        name += namelen;
    }
}
