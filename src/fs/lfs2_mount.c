/* The volume: configuration, format, mount, usage (SPEC.md "0x0ff
 * LFS_TYPE_SUPERBLOCK"; littlefs lfs_init/lfs_format/lfs_mount).
 *
 * The superblock entry is id 0 of the pair at blocks 0/1: name "littlefs",
 * an inline struct of six u32 (version, block size, block count, name_max,
 * file_max, attr_max). Superblock expansion may push the root further
 * down the tail list; mount follows the list and takes the last pair that
 * holds the entry as the root, collecting the global state on the way. */
#include "lfs2_internal.h"

#include <stdlib.h>

void vb_lfs2_config_micropython(vb_lfs2_config *cfg, uint32_t block_size, uint32_t prog_size)
{
    const uint32_t read_size = 32;
    uint32_t cache = 4 * vb_lfs2_max(read_size, prog_size);
    *cfg = (vb_lfs2_config){
        .read_size = read_size,
        .prog_size = prog_size,
        .cache_size = vb_lfs2_min(block_size, cache),
        .lookahead_size = 32,
        .block_cycles = 100,
        .name_max = 255,
        .file_max = VB_LFS2_FILE_MAX,
        .attr_max = VB_LFS2_ATTR_MAX,
        .inline_max = 0,
        .disk_version = VB_LFS2_VERSION_2_1,
    };
}

void vb_lfs2_config_pycom(vb_lfs2_config *cfg, uint32_t block_size)
{
    *cfg = (vb_lfs2_config){
        .read_size = block_size,
        .prog_size = block_size,
        .cache_size = block_size,
        .lookahead_size = 32,
        .block_cycles = -1,
        .name_max = VB_LFS2_NAME_MAX,
        .file_max = VB_LFS2_FILE_MAX,
        .attr_max = VB_LFS2_ATTR_MAX,
        .inline_max = 0,
        .disk_version = VB_LFS2_VERSION_2_0,
    };
}

int vb_lfs2_check_config(const vb_lfs2_dev *dev, const vb_lfs2_config *c)
{
    if (!dev || !c || !dev->read || !dev->prog || !dev->erase)
        return -EINVAL;
    const uint32_t bs = dev->block_size;
    if (c->read_size == 0 || c->prog_size == 0 || c->cache_size == 0 || c->lookahead_size == 0)
        return -EINVAL;
    if (c->cache_size % c->read_size || c->cache_size % c->prog_size || bs % c->cache_size)
        return -EINVAL;
    /* a block must hold every CTZ pointer a 32-bit file could need */
    if (bs < 128 || 4 * vb_lfs2_npw2(0xFFFFFFFFu / (bs - 2 * 4)) > bs)
        return -EINVAL;
    if (dev->block_count < 2)
        return -EINVAL;
    if (c->name_max > VB_LFS2_NAME_MAX || c->attr_max > VB_LFS2_ATTR_MAX ||
        c->file_max > VB_LFS2_FILE_MAX)
        return -EINVAL;
    if (c->disk_version != 0 && c->disk_version != VB_LFS2_VERSION_2_0 &&
        c->disk_version != VB_LFS2_VERSION_2_1)
        return -EINVAL;
    uint32_t attr_max = c->attr_max ? c->attr_max : VB_LFS2_ATTR_MAX;
    if (c->inline_max != 0 && c->inline_max != VB_LFS2_INLINE_OFF &&
        (c->inline_max > c->cache_size || c->inline_max > attr_max || c->inline_max > bs / 8))
        return -EINVAL;
    return 0;
}

/* lfs_init: check, fill defaults, allocate the caches and the bitmap. */
static int fs_init(vb_lfs2 *fs, const vb_lfs2_dev *dev, const vb_lfs2_config *cfg)
{
    int err = vb_lfs2_check_config(dev, cfg);
    if (err)
        return err;
    memset(fs, 0, sizeof *fs);
    fs->dev = dev;
    fs->cfg = *cfg;
    if (fs->cfg.disk_version == 0)
        fs->cfg.disk_version = VB_LFS2_VERSION_2_1;
    fs->block_count = dev->block_count;
    fs->name_max = cfg->name_max ? cfg->name_max : 255;
    fs->file_max = cfg->file_max ? cfg->file_max : VB_LFS2_FILE_MAX;
    fs->attr_max = cfg->attr_max ? cfg->attr_max : VB_LFS2_ATTR_MAX;
    if (cfg->inline_max == VB_LFS2_INLINE_OFF)
        fs->inline_max = 0;
    else if (cfg->inline_max == 0)
        fs->inline_max = vb_lfs2_min(cfg->cache_size, vb_lfs2_min(fs->attr_max, dev->block_size / 8));
    else
        fs->inline_max = cfg->inline_max;

    fs->rcache.buf = malloc(cfg->cache_size);
    fs->pcache.buf = malloc(cfg->cache_size);
    fs->look.map = malloc(cfg->lookahead_size);
    if (!fs->rcache.buf || !fs->pcache.buf || !fs->look.map) {
        free(fs->rcache.buf);
        free(fs->pcache.buf);
        free(fs->look.map);
        memset(fs, 0, sizeof *fs);
        return -ENOMEM;
    }
    vb_lfs2_cache_zero(fs, &fs->rcache);
    vb_lfs2_cache_zero(fs, &fs->pcache);
    fs->root[0] = fs->root[1] = VB_LFS2_BLOCK_NULL;
    return 0;
}

static void fs_deinit(vb_lfs2 *fs)
{
    free(fs->rcache.buf);
    free(fs->pcache.buf);
    free(fs->look.map);
    fs->rcache.buf = fs->pcache.buf = fs->look.map = NULL;
    fs->mounted = false;
    fs->open = NULL;
}

void vb_lfs2_superblock_bytes(const vb_lfs2 *fs, uint8_t sb[VB_LFS2_SUPERBLOCK_SIZE])
{
    vb_lfs2_put_le32(sb, vb_lfs2_disk_version(fs));
    vb_lfs2_put_le32(sb + 4, fs->dev->block_size);
    vb_lfs2_put_le32(sb + 8, fs->block_count);
    vb_lfs2_put_le32(sb + 12, fs->name_max);
    vb_lfs2_put_le32(sb + 16, fs->file_max);
    vb_lfs2_put_le32(sb + 20, fs->attr_max);
}

int vb_lfs2_format(const vb_lfs2_dev *dev, const vb_lfs2_config *cfg)
{
    vb_lfs2 fs;
    int err = fs_init(&fs, dev, cfg);
    if (err)
        return err;

    /* everything is free: no traversal for the first window */
    memset(fs.look.map, 0, fs.cfg.lookahead_size);
    fs.look.start = 0;
    fs.look.size = vb_lfs2_min(8 * fs.cfg.lookahead_size, fs.block_count);
    fs.look.next = 0;
    vb_lfs2_alloc_ckpoint(&fs);

    vb_lfs2_mdir root;
    err = vb_lfs2_dir_alloc(&fs, &root);
    if (err)
        goto cleanup;

    uint8_t sb[VB_LFS2_SUPERBLOCK_SIZE];
    vb_lfs2_superblock_bytes(&fs, sb);
    err = vb_lfs2_dir_commit(&fs, &root, VB_LFS2_MKATTRS(
        {VB_LFS2_MKTAG(VB_LFS2_T_CREATE, 0, 0), NULL},
        {VB_LFS2_MKTAG(VB_LFS2_T_SUPERBLOCK, 0, VB_LFS2_MAGIC_LEN), VB_LFS2_MAGIC},
        {VB_LFS2_MKTAG(VB_LFS2_T_INLINESTRUCT, 0, VB_LFS2_SUPERBLOCK_SIZE), sb}));
    if (err)
        goto cleanup;

    /* compact once more, into the other block: no older filesystem left
     * in the pair can be mounted by mistake */
    root.erased = false;
    err = vb_lfs2_dir_commit(&fs, &root, NULL, 0);
    if (err)
        goto cleanup;

    /* it must read back */
    static const uint32_t super[2] = {0, 1};
    err = vb_lfs2_dir_fetch(&fs, &root, super);

cleanup:
    fs_deinit(&fs);
    return err;
}

int vb_lfs2_mount(vb_lfs2 *fs, const vb_lfs2_dev *dev, const vb_lfs2_config *cfg)
{
    if (!fs)
        return -EINVAL;
    int err = fs_init(fs, dev, cfg);
    if (err)
        return err;

    vb_lfs2_mdir dir = {.tail = {0, 1}};
    vb_lfs2_tortoise t;
    vb_lfs2_tortoise_init(&t);
    bool found = false;
    while (!vb_lfs2_pair_isnull(dir.tail)) {
        if (vb_lfs2_tortoise_step(fs, &dir, &t)) {
            err = -EILSEQ;
            goto cleanup;
        }

        vb_lfs2_name_ref magic = {fs, VB_LFS2_MAGIC, VB_LFS2_MAGIC_LEN};
        int32_t tag = vb_lfs2_dir_fetchmatch(fs, &dir, dir.tail, VB_LFS2_MKTAG(0x7ff, 0x3ff, 0),
                                             VB_LFS2_MKTAG(VB_LFS2_T_SUPERBLOCK, 0, VB_LFS2_MAGIC_LEN),
                                             NULL, vb_lfs2_name_match, &magic);
        if (tag < 0) {
            err = (int)tag;
            goto cleanup;
        }

        if (tag && !vb_lfs2_tag_isdelete((uint32_t)tag)) {
            fs->root[0] = dir.pair[0];
            fs->root[1] = dir.pair[1];
            found = true;

            uint8_t sb[VB_LFS2_SUPERBLOCK_SIZE];
            int32_t st = vb_lfs2_dir_get(fs, &dir, VB_LFS2_MKTAG(0x7ff, 0x3ff, 0),
                                         VB_LFS2_MKTAG(VB_LFS2_T_INLINESTRUCT, 0, VB_LFS2_SUPERBLOCK_SIZE),
                                         sb);
            if (st < 0) {
                err = (int)st;
                goto cleanup;
            }
            uint32_t version = vb_lfs2_le32(sb);
            uint32_t block_size = vb_lfs2_le32(sb + 4);
            uint32_t block_count = vb_lfs2_le32(sb + 8);
            uint32_t name_max = vb_lfs2_le32(sb + 12);
            uint32_t file_max = vb_lfs2_le32(sb + 16);
            uint32_t attr_max = vb_lfs2_le32(sb + 20);

            uint16_t major = (uint16_t)(version >> 16), minor = (uint16_t)version;
            uint32_t ours = vb_lfs2_disk_version(fs);
            if (major != (uint16_t)(ours >> 16) || minor > (uint16_t)ours) {
                err = -EINVAL;
                goto cleanup;
            }
            /* an older minor version is rewritten at the first write */
            vb_lfs2_fs_prepsuperblock(fs, minor < (uint16_t)ours);

            if (name_max) {
                if (name_max > fs->name_max) {
                    err = -EINVAL;
                    goto cleanup;
                }
                fs->name_max = name_max;
            }
            if (file_max) {
                if (file_max > fs->file_max) {
                    err = -EINVAL;
                    goto cleanup;
                }
                fs->file_max = file_max;
            }
            if (attr_max) {
                if (attr_max > fs->attr_max) {
                    err = -EINVAL;
                    goto cleanup;
                }
                fs->attr_max = attr_max;
                fs->inline_max = vb_lfs2_min(fs->inline_max, fs->attr_max);
            }
            if (block_count != dev->block_count || block_size != dev->block_size) {
                err = -EINVAL;
                goto cleanup;
            }
        }

        err = vb_lfs2_dir_getgstate(fs, &dir, &fs->gstate);
        if (err)
            goto cleanup;
    }
    if (!found) {
        err = -EILSEQ;
        goto cleanup;
    }

    /* on disk, orphans are only a flag (the valid bit): count one */
    fs->gstate.tag += !vb_lfs2_tag_isvalid(fs->gstate.tag);
    fs->gdisk = fs->gstate;

    /* allocation starts at a place derived from the CRCs seen */
    fs->look.start = fs->seed % fs->block_count;
    vb_lfs2_alloc_drop(fs);
    fs->mounted = true;
    return 0;

cleanup:
    fs_deinit(fs);
    return err;
}

int vb_lfs2_unmount(vb_lfs2 *fs)
{
    if (!fs || !fs->mounted)
        return -EINVAL;
    /* handles still open are released unsynced, as a power cut drops them */
    for (vb_lfs2_handle *h = fs->open; h; h = h->next) {
        if (h->type == VB_LFS2_TYPE_REG) {
            vb_lfs2_file *f = (vb_lfs2_file *)h;
            free(f->cache.buf);
            f->cache.buf = NULL;
            f->fs = NULL;
        } else if (h->type == VB_LFS2_TYPE_DIR) {
            ((vb_lfs2_dir *)h)->fs = NULL;
        }
    }
    fs_deinit(fs);
    return 0;
}

int vb_lfs2_fsinfo_get(vb_lfs2 *fs, vb_lfs2_fsinfo *out)
{
    if (!fs || !fs->mounted || !out)
        return -EINVAL;
    if (!vb_lfs2_gstate_needssuperblock(&fs->gstate)) {
        out->disk_version = vb_lfs2_disk_version(fs);
    } else {
        vb_lfs2_mdir dir;
        int err = vb_lfs2_dir_fetch(fs, &dir, fs->root);
        if (err)
            return err;
        uint8_t sb[VB_LFS2_SUPERBLOCK_SIZE];
        int32_t tag = vb_lfs2_dir_get(fs, &dir, VB_LFS2_MKTAG(0x7ff, 0x3ff, 0),
                                      VB_LFS2_MKTAG(VB_LFS2_T_INLINESTRUCT, 0, VB_LFS2_SUPERBLOCK_SIZE), sb);
        if (tag < 0)
            return (int)tag;
        out->disk_version = vb_lfs2_le32(sb);
    }
    out->block_size = fs->dev->block_size;
    out->block_count = fs->block_count;
    out->name_max = fs->name_max;
    out->file_max = fs->file_max;
    out->attr_max = fs->attr_max;
    return 0;
}

int vb_lfs2_traverse(vb_lfs2 *fs, int (*cb)(void *ctx, uint32_t block), void *ctx)
{
    if (!fs || !fs->mounted || !cb)
        return -EINVAL;
    return vb_lfs2_fs_traverse(fs, cb, ctx, VB_LFS2_WALK_ORPHANS);
}

static int count_block(void *ctx, uint32_t block)
{
    (void)block;
    *(uint32_t *)ctx += 1;
    return 0;
}

int vb_lfs2_statvfs(vb_lfs2 *fs, vb_lfs2_usage *out)
{
    if (!fs || !fs->mounted || !out)
        return -EINVAL;
    uint32_t used = 0;
    int err = vb_lfs2_fs_traverse(fs, count_block, &used, VB_LFS2_WALK_ORPHANS);
    if (err)
        return err;
    out->block_size = fs->dev->block_size;
    out->block_count = fs->block_count;
    out->used_blocks = used;
    out->free_blocks = used > fs->block_count ? 0 : fs->block_count - used;
    return 0;
}

int32_t vb_lfs2_fs_size(vb_lfs2 *fs)
{
    if (!fs || !fs->mounted)
        return -EINVAL;
    return vb_lfs2_fs_size_count(fs);
}

int vb_lfs2_mkconsistent(vb_lfs2 *fs)
{
    if (!fs || !fs->mounted)
        return -EINVAL;
    int err = vb_lfs2_fs_forceconsistency(fs);
    if (err)
        return err;
    /* anything still pending in RAM goes out with an empty commit */
    vb_lfs2_gstate delta = {0, {0, 0}};
    vb_lfs2_gstate_xor(&delta, &fs->gdisk);
    vb_lfs2_gstate_xor(&delta, &fs->gstate);
    if (!vb_lfs2_gstate_iszero(&delta)) {
        vb_lfs2_mdir root;
        err = vb_lfs2_dir_fetch(fs, &root, fs->root);
        if (err)
            return err;
        err = vb_lfs2_dir_commit(fs, &root, NULL, 0);
        if (err)
            return err;
    }
    return 0;
}

/* ---- open handles ----------------------------------------------------------- */

void vb_lfs2_handle_remove(vb_lfs2 *fs, vb_lfs2_handle *h)
{
    for (vb_lfs2_handle **p = &fs->open; *p; p = &(*p)->next) {
        if (*p == h) {
            *p = h->next;
            return;
        }
    }
}

bool vb_lfs2_handle_isopen(const vb_lfs2 *fs, const vb_lfs2_handle *h)
{
    for (const vb_lfs2_handle *p = fs->open; p; p = p->next)
        if (p == h)
            return true;
    return false;
}
