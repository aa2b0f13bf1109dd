/* Keeping the tree consistent across relocations and power loss (DESIGN.md
 * "The move problem", "Orphans"; SPEC.md "0x7ff LFS_TYPE_MOVESTATE").
 *
 * Every metadata pair is in one list threaded through tails from the
 * superblock; a directory entry also points at its first pair. When a pair
 * relocates, its parent entry and its predecessor's tail are updated in two
 * commits: in between the pair is a "half-orphan", flagged in the global
 * state. Removing a directory likewise leaves a full orphan (in the list,
 * no entry) for a moment. After a power cut the first write repairs both
 * (deorphan), finishes a pending move (demove) and, when configured for
 * 2.1, rewrites a 2.0 superblock (desuperblock). */
#include "lfs2_internal.h"

int vb_lfs2_tortoise_step(const vb_lfs2 *fs, const vb_lfs2_mdir *dir, vb_lfs2_tortoise *t)
{
    /* Brent's algorithm: a pair seen again means the tail list loops */
    if (vb_lfs2_pair_issync(dir->tail, t->pair))
        return -EILSEQ;
    if (++t->steps > fs->block_count)
        return -EILSEQ;
    if (t->i == t->period) {
        t->pair[0] = dir->tail[0];
        t->pair[1] = dir->tail[1];
        t->i = 0;
        t->period *= 2;
    }
    t->i += 1;
    return 0;
}

void vb_lfs2_fs_preporphans(vb_lfs2 *fs, int8_t orphans)
{
    /* the count lives in RAM; on disk only the top bit says "orphans" */
    fs->gstate.tag += (uint32_t)(int32_t)orphans;
    fs->gstate.tag = (fs->gstate.tag & ~VB_LFS2_MKTAG(0x800, 0, 0)) |
                     ((uint32_t)vb_lfs2_gstate_hasorphans(&fs->gstate) << 31);
}

void vb_lfs2_fs_prepmove(vb_lfs2 *fs, uint16_t id, const uint32_t pair[2])
{
    bool set = id != VB_LFS2_ID_NONE;
    fs->gstate.tag = (fs->gstate.tag & ~VB_LFS2_MKTAG(0x7ff, 0x3ff, 0)) |
                     (set ? VB_LFS2_MKTAG(VB_LFS2_T_DELETE, id, 0) : 0);
    fs->gstate.pair[0] = set ? pair[0] : 0;
    fs->gstate.pair[1] = set ? pair[1] : 0;
}

void vb_lfs2_fs_prepsuperblock(vb_lfs2 *fs, bool needssuperblock)
{
    fs->gstate.tag = (fs->gstate.tag & ~VB_LFS2_MKTAG(0, 0, 0x200)) | (uint32_t)needssuperblock << 9;
}

int vb_lfs2_fs_pred(vb_lfs2 *fs, const uint32_t pair[2], vb_lfs2_mdir *pdir)
{
    /* the pair whose tail is `pair` */
    pdir->tail[0] = 0;
    pdir->tail[1] = 1;
    vb_lfs2_tortoise t;
    vb_lfs2_tortoise_init(&t);
    while (!vb_lfs2_pair_isnull(pdir->tail)) {
        if (vb_lfs2_tortoise_step(fs, pdir, &t))
            return -EILSEQ;
        if (vb_lfs2_pair_cmp(pdir->tail, pair) == 0)
            return 0;
        int err = vb_lfs2_dir_fetch(fs, pdir, pdir->tail);
        if (err)
            return err;
    }
    return -ENOENT;
}

typedef struct parent_ref {
    vb_lfs2 *fs;
    uint32_t pair[2];
} parent_ref;

static int parent_match(void *ctx, uint32_t tag, const void *buf)
{
    parent_ref *p = ctx;
    const vb_lfs2_diskoff *disk = buf;
    uint8_t raw[8];
    (void)tag;
    int err = vb_lfs2_bd_read(p->fs, &p->fs->pcache, &p->fs->rcache, p->fs->dev->block_size,
                              disk->block, disk->off, raw, 8);
    if (err)
        return err;
    uint32_t child[2] = {vb_lfs2_le32(raw), vb_lfs2_le32(raw + 4)};
    return vb_lfs2_pair_cmp(child, p->pair) == 0 ? VB_LFS2_CMP_EQ : VB_LFS2_CMP_LT;
}

int32_t vb_lfs2_fs_parent(vb_lfs2 *fs, const uint32_t pair[2], vb_lfs2_mdir *parent)
{
    /* the directory entry (dir struct) that points at `pair` */
    parent->tail[0] = 0;
    parent->tail[1] = 1;
    vb_lfs2_tortoise t;
    vb_lfs2_tortoise_init(&t);
    parent_ref ref = {fs, {pair[0], pair[1]}};
    while (!vb_lfs2_pair_isnull(parent->tail)) {
        if (vb_lfs2_tortoise_step(fs, parent, &t))
            return -EILSEQ;
        int32_t tag = vb_lfs2_dir_fetchmatch(fs, parent, parent->tail,
                                             VB_LFS2_MKTAG(0x7ff, 0, 0x3ff),
                                             VB_LFS2_MKTAG(VB_LFS2_T_DIRSTRUCT, 0, 8), NULL,
                                             parent_match, &ref);
        if (tag && tag != -ENOENT)
            return tag;
    }
    return -ENOENT;
}

int vb_lfs2_dir_drop(vb_lfs2 *fs, vb_lfs2_mdir *dir, vb_lfs2_mdir *tail)
{
    /* unlink `tail` (the pair after dir): take over its state and tail */
    int err = vb_lfs2_dir_getgstate(fs, tail, &fs->gdelta);
    if (err)
        return err;
    uint8_t t[8];
    vb_lfs2_put_le32(t, tail->tail[0]);
    vb_lfs2_put_le32(t + 4, tail->tail[1]);
    return vb_lfs2_dir_commit(fs, dir, VB_LFS2_MKATTRS(
        {VB_LFS2_MKTAG(VB_LFS2_T_TAIL + tail->split, 0x3ff, 8), t}));
}

static void put_pair(uint8_t out[8], const uint32_t pair[2])
{
    vb_lfs2_put_le32(out, pair[0]);
    vb_lfs2_put_le32(out + 4, pair[1]);
}

/* What a commit requires elsewhere: unlink a pair that became empty, and
 * after a relocation point the parent entry and the predecessor's tail at
 * the new pair (which may relocate in turn: a loop, not recursion). These
 * commits run with fs->fixup set (see lfs2_compact.c: no wear relocation
 * meanwhile). `lpair`/`ldir` are the committed pair before and after,
 * `pdir` its predecessor when the commit said DROPPED. */
static int fix_up(vb_lfs2 *fs, vb_lfs2_mdir *dir, int state, uint32_t lpair[2],
                  vb_lfs2_mdir ldir, vb_lfs2_mdir pdir)
{
    if (state == VB_LFS2_OK_DROPPED) {
        int err = vb_lfs2_dir_getgstate(fs, dir, &fs->gdelta);
        if (err)
            return err;
        lpair[0] = pdir.pair[0];
        lpair[1] = pdir.pair[1];
        uint8_t t[8];
        put_pair(t, dir->tail);
        state = vb_lfs2_dir_relocatingcommit(fs, &pdir, lpair, VB_LFS2_MKATTRS(
            {VB_LFS2_MKTAG(VB_LFS2_T_TAIL + dir->split, 0x3ff, 8), t}), NULL);
        if (state < 0)
            return state;
        ldir = pdir;
    }

    bool orphans = false;
    for (uint32_t rounds = 0; state == VB_LFS2_OK_RELOCATED; rounds++) {
        if (rounds > fs->block_count)
            return -EILSEQ;
        state = 0;

        if (vb_lfs2_pair_cmp(lpair, fs->root) == 0) {
            fs->root[0] = ldir.pair[0];
            fs->root[1] = ldir.pair[1];
        }
        for (vb_lfs2_handle *d = fs->open; d; d = d->next) {
            if (vb_lfs2_pair_cmp(lpair, d->m.pair) == 0) {
                d->m.pair[0] = ldir.pair[0];
                d->m.pair[1] = ldir.pair[1];
            }
            if (d->type == VB_LFS2_TYPE_DIR &&
                vb_lfs2_pair_cmp(lpair, ((vb_lfs2_dir *)d)->head) == 0) {
                ((vb_lfs2_dir *)d)->head[0] = ldir.pair[0];
                ((vb_lfs2_dir *)d)->head[1] = ldir.pair[1];
            }
        }

        /* 1. the parent's entry */
        int32_t tag = vb_lfs2_fs_parent(fs, lpair, &pdir);
        if (tag < 0 && tag != -ENOENT)
            return tag;
        bool hasparent = tag != -ENOENT;
        if (hasparent) {
            /* with a parent there is a predecessor too: a half-orphan now */
            vb_lfs2_fs_preporphans(fs, +1);

            /* a pending move in the parent must be finished first, since
             * the relocation may outdate it */
            uint16_t moveid = VB_LFS2_ID_NONE;
            if (vb_lfs2_gstate_hasmovehere(&fs->gstate, pdir.pair)) {
                moveid = vb_lfs2_tag_id(fs->gstate.tag);
                vb_lfs2_fs_prepmove(fs, VB_LFS2_ID_NONE, NULL);
                if (moveid < vb_lfs2_tag_id((uint32_t)tag))
                    tag -= (int32_t)VB_LFS2_MKTAG(0, 1, 0);
            }

            uint32_t ppair[2] = {pdir.pair[0], pdir.pair[1]};
            uint8_t np[8];
            put_pair(np, ldir.pair);
            state = vb_lfs2_dir_relocatingcommit(fs, &pdir, ppair, VB_LFS2_MKATTRS(
                {VB_LFS2_MKTAG_IF(moveid != VB_LFS2_ID_NONE, VB_LFS2_T_DELETE, moveid, 0), NULL},
                {(uint32_t)tag, np}), NULL);
            if (state < 0)
                return state;
            if (state == VB_LFS2_OK_RELOCATED) {
                lpair[0] = ppair[0];
                lpair[1] = ppair[1];
                ldir = pdir;
                orphans = true;
                continue;
            }
        }

        /* 2. the predecessor's tail */
        int err = vb_lfs2_fs_pred(fs, lpair, &pdir);
        if (err && err != -ENOENT)
            return err;
        if (hasparent && err == -ENOENT)
            return -EILSEQ;  /* an entry points at a pair not in the list */
        if (err != -ENOENT) {
            if (vb_lfs2_gstate_hasorphans(&fs->gstate))
                vb_lfs2_fs_preporphans(fs, (int8_t)-(int8_t)hasparent);

            uint16_t moveid = VB_LFS2_ID_NONE;
            if (vb_lfs2_gstate_hasmovehere(&fs->gstate, pdir.pair)) {
                moveid = vb_lfs2_tag_id(fs->gstate.tag);
                vb_lfs2_fs_prepmove(fs, VB_LFS2_ID_NONE, NULL);
            }

            lpair[0] = pdir.pair[0];
            lpair[1] = pdir.pair[1];
            uint8_t np[8];
            put_pair(np, ldir.pair);
            state = vb_lfs2_dir_relocatingcommit(fs, &pdir, lpair, VB_LFS2_MKATTRS(
                {VB_LFS2_MKTAG_IF(moveid != VB_LFS2_ID_NONE, VB_LFS2_T_DELETE, moveid, 0), NULL},
                {VB_LFS2_MKTAG(VB_LFS2_T_TAIL + pdir.split, 0x3ff, 8), np}), NULL);
            if (state < 0)
                return state;
            ldir = pdir;
        }
    }

    return orphans ? VB_LFS2_OK_ORPHANED : 0;
}


/* Commit, then fix up what the commit requires elsewhere. Returns
 * VB_LFS2_OK_ORPHANED when orphans were left. */
int vb_lfs2_dir_orphaningcommit(vb_lfs2 *fs, vb_lfs2_mdir *dir, const vb_lfs2_mattr *attrs,
                                int attrcount)
{
    /* inline files bigger than their cache cannot be rewritten from RAM
     * during a compaction of their pair: move them out to blocks first */
    for (vb_lfs2_handle *h = fs->open; h; h = h->next) {
        vb_lfs2_file *f = (vb_lfs2_file *)h;
        if (dir != &h->m && vb_lfs2_pair_cmp(h->m.pair, dir->pair) == 0 &&
            h->type == VB_LFS2_TYPE_REG && (f->flags & VB_LFS2_F_INLINE) &&
            f->ctz_size > fs->cfg.cache_size) {
            int err = vb_lfs2_file_outline(fs, f);
            if (err)
                return err;
            err = vb_lfs2_file_flush(fs, f);
            if (err)
                return err;
        }
    }

    uint32_t lpair[2] = {dir->pair[0], dir->pair[1]};
    vb_lfs2_mdir ldir = *dir;
    vb_lfs2_mdir pdir;
    memset(&pdir, 0, sizeof pdir);
    int state = vb_lfs2_dir_relocatingcommit(fs, &ldir, dir->pair, attrs, attrcount, &pdir);
    if (state < 0)
        return state;

    /* handles were updated by the commit; a plain mdir is updated here */
    if (vb_lfs2_pair_cmp(dir->pair, lpair) == 0)
        *dir = ldir;

    if (state != VB_LFS2_OK_DROPPED && state != VB_LFS2_OK_RELOCATED)
        return 0;
    fs->fixup++;
    state = fix_up(fs, dir, state, lpair, ldir, pdir);
    fs->fixup--;
    return state;
}

int vb_lfs2_dir_commit(vb_lfs2 *fs, vb_lfs2_mdir *dir, const vb_lfs2_mattr *attrs, int attrcount)
{
    int orphans = vb_lfs2_dir_orphaningcommit(fs, dir, attrs, attrcount);
    if (orphans < 0)
        return orphans;
    if (orphans) {
        /* nested relocations may have left orphans: clean up now */
        int err = vb_lfs2_fs_deorphan(fs, false);
        if (err)
            return err;
    }
    return 0;
}

/* ---- repairs at the first write after mount ------------------------------ */

static int fs_desuperblock(vb_lfs2 *fs)
{
    if (!vb_lfs2_gstate_needssuperblock(&fs->gstate))
        return 0;
    vb_lfs2_mdir root;
    int err = vb_lfs2_dir_fetch(fs, &root, fs->root);
    if (err)
        return err;
    uint8_t sb[VB_LFS2_SUPERBLOCK_SIZE];
    vb_lfs2_superblock_bytes(fs, sb);
    err = vb_lfs2_dir_commit(fs, &root, VB_LFS2_MKATTRS(
        {VB_LFS2_MKTAG(VB_LFS2_T_INLINESTRUCT, 0, VB_LFS2_SUPERBLOCK_SIZE), sb}));
    if (err)
        return err;
    vb_lfs2_fs_prepsuperblock(fs, false);
    return 0;
}

static int fs_demove(vb_lfs2 *fs)
{
    if (!vb_lfs2_gstate_hasmove(&fs->gdisk))
        return 0;
    /* the only state littlefs defines is "delete id in pair" */
    if (vb_lfs2_tag_type3(fs->gdisk.tag) != VB_LFS2_T_DELETE)
        return -EILSEQ;

    vb_lfs2_mdir movedir;
    int err = vb_lfs2_dir_fetch(fs, &movedir, fs->gdisk.pair);
    if (err)
        return err;
    uint16_t moveid = vb_lfs2_tag_id(fs->gdisk.tag);
    if (moveid >= movedir.count)
        return -EILSEQ;
    vb_lfs2_fs_prepmove(fs, VB_LFS2_ID_NONE, NULL);
    return vb_lfs2_dir_commit(fs, &movedir, VB_LFS2_MKATTRS(
        {VB_LFS2_MKTAG(VB_LFS2_T_DELETE, moveid, 0), NULL}));
}

int vb_lfs2_fs_deorphan(vb_lfs2 *fs, bool powerloss)
{
    if (!vb_lfs2_gstate_hasorphans(&fs->gstate))
        return 0;

    /* Two passes: half-orphans (relocations) first, since they may hold
     * stale references hiding full orphans; then full orphans (removes),
     * which only a power loss can leave behind. */
    uint32_t budget = 8 * fs->block_count + 64;  /* bounds a hostile image */
    int pass = 0;
    while (pass < 2) {
        vb_lfs2_mdir pdir = {.split = true, .tail = {0, 1}};
        vb_lfs2_mdir dir;
        bool moreorphans = false;

        while (!vb_lfs2_pair_isnull(pdir.tail)) {
            if (budget-- == 0)
                return -EILSEQ;
            int err = vb_lfs2_dir_fetch(fs, &dir, pdir.tail);
            if (err)
                return err;

            if (!pdir.split) {
                /* dir starts a directory: who points at it? */
                vb_lfs2_mdir parent;
                int32_t tag = vb_lfs2_fs_parent(fs, pdir.tail, &parent);
                if (tag < 0 && tag != -ENOENT)
                    return tag;

                if (pass == 0 && tag != -ENOENT) {
                    uint8_t raw[8];
                    int32_t st = vb_lfs2_dir_get(fs, &parent, VB_LFS2_MKTAG(0x7ff, 0x3ff, 0),
                                                 (uint32_t)tag, raw);
                    if (st < 0)
                        return st;
                    uint32_t pair[2] = {vb_lfs2_le32(raw), vb_lfs2_le32(raw + 4)};
                    if (!vb_lfs2_pair_issync(pair, pdir.tail)) {
                        /* half-orphan: the list still has the old pair */
                        uint16_t moveid = VB_LFS2_ID_NONE;
                        if (vb_lfs2_gstate_hasmovehere(&fs->gstate, pdir.pair)) {
                            moveid = vb_lfs2_tag_id(fs->gstate.tag);
                            vb_lfs2_fs_prepmove(fs, VB_LFS2_ID_NONE, NULL);
                        }
                        int state = vb_lfs2_dir_orphaningcommit(fs, &pdir, VB_LFS2_MKATTRS(
                            {VB_LFS2_MKTAG_IF(moveid != VB_LFS2_ID_NONE, VB_LFS2_T_DELETE, moveid, 0), NULL},
                            {VB_LFS2_MKTAG(VB_LFS2_T_SOFTTAIL, 0x3ff, 8), raw}));
                        if (state < 0)
                            return state;
                        if (state == VB_LFS2_OK_ORPHANED)
                            moreorphans = true;
                        continue;  /* refetch the new tail */
                    }
                }

                if (pass == 1 && tag == -ENOENT && powerloss) {
                    /* full orphan: unlink it, keeping its global state */
                    err = vb_lfs2_dir_getgstate(fs, &dir, &fs->gdelta);
                    if (err)
                        return err;
                    uint8_t t[8];
                    put_pair(t, dir.tail);
                    int state = vb_lfs2_dir_orphaningcommit(fs, &pdir, VB_LFS2_MKATTRS(
                        {VB_LFS2_MKTAG(VB_LFS2_T_TAIL + dir.split, 0x3ff, 8), t}));
                    if (state < 0)
                        return state;
                    if (state == VB_LFS2_OK_ORPHANED)
                        moreorphans = true;
                    continue;
                }
            }
            pdir = dir;
        }
        pass = moreorphans ? 0 : pass + 1;
    }

    vb_lfs2_fs_preporphans(fs, (int8_t)-(int8_t)vb_lfs2_gstate_orphans(&fs->gstate));
    return 0;
}

int vb_lfs2_fs_forceconsistency(vb_lfs2 *fs)
{
    int err = fs_desuperblock(fs);
    if (err)
        return err;
    err = fs_demove(fs);
    if (err)
        return err;
    return vb_lfs2_fs_deorphan(fs, true);
}
