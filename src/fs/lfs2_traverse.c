/* The tags a commit writes (littlefs lfs_dir_traverse).
 *
 * A walk over an mdir's log (oldest first) followed by a list of new
 * attributes, calling cb for each tag that
 *   - passes the type filter (tmask/ttag), and, when tmask has id bits,
 *   - is not superseded by a later tag of the same id and kind (a nested
 *     walk over everything after it with the "filter" callback, which also
 *     shifts the tag's id by later creates and deletes), and
 *   - has an id in begin..end-1 (then shifted by diff).
 * FROM_MOVE attributes expand into the struct and attribute tags of an
 * entry of another mdir, FROM_USERATTRS into a caller's attribute list.
 * Compaction is this walk with every tag written out; a split is the same
 * over an id range; a plain commit passes no filter at all.
 *
 * The recursion is at most three levels (commit, move, filter), so it runs
 * on a small explicit stack. */
#include "lfs2_internal.h"

#define TRAVERSE_STACK 2

typedef struct walk {
    const vb_lfs2_mdir *dir;
    uint32_t off, ptag;
    const vb_lfs2_mattr *attrs;
    int attrcount;
    uint32_t tmask, ttag;
    uint16_t begin, end;
    int16_t diff;
    vb_lfs2_tag_cb cb;
    void *ctx;
    /* the tag being considered when this frame was pushed */
    uint32_t tag;
    const void *buf;
    vb_lfs2_diskoff disk;
} walk;

/* Is `tag` (later in the log) making the candidate *p redundant? Shifts the
 * candidate's id by later creates/deletes otherwise. */
static int filter_cb(void *p, uint32_t tag, const void *buf)
{
    uint32_t *cand = p;
    (void)buf;
    /* tags with bit 0x100 of the type are unique per full type, the others
     * per abstract type (type1) */
    uint32_t mask = (tag & VB_LFS2_MKTAG(0x100, 0, 0)) ? VB_LFS2_MKTAG(0x7ff, 0x3ff, 0)
                                                        : VB_LFS2_MKTAG(0x700, 0x3ff, 0);
    if ((mask & tag) == (mask & *cand) || vb_lfs2_tag_isdelete(*cand) ||
        (VB_LFS2_MKTAG(0x7ff, 0x3ff, 0) & tag) ==
            (VB_LFS2_MKTAG(VB_LFS2_T_DELETE, 0, 0) | (VB_LFS2_MKTAG(0, 0x3ff, 0) & *cand))) {
        *cand = VB_LFS2_MKTAG(VB_LFS2_FROM_NOOP, 0, 0);
        return 1;
    }
    if (vb_lfs2_tag_type1(tag) == VB_LFS2_T_SPLICE && vb_lfs2_tag_id(tag) <= vb_lfs2_tag_id(*cand))
        *cand += VB_LFS2_MKTAG(0, (uint32_t)(int32_t)vb_lfs2_tag_splice(tag), 0);
    return 0;
}

static uint32_t shift_id(uint32_t tag, int32_t diff)
{
    return tag + ((uint32_t)diff << 10);
}

int vb_lfs2_dir_traverse(vb_lfs2 *fs, const vb_lfs2_mdir *dir, uint32_t off, uint32_t ptag,
                         const vb_lfs2_mattr *attrs, int attrcount,
                         uint32_t tmask, uint32_t ttag, uint16_t begin, uint16_t end, int16_t diff,
                         vb_lfs2_tag_cb cb, void *ctx)
{
    walk stack[TRAVERSE_STACK];
    unsigned sp = 0;
    int res = 0;
    uint32_t tag = 0;
    const void *buf = NULL;
    vb_lfs2_diskoff disk = {0, 0};

    for (;;) {
        /* next tag: from the log, then from the new attributes */
        if (off + vb_lfs2_tag_dsize(ptag) < dir->off) {
            off += vb_lfs2_tag_dsize(ptag);
            uint8_t raw[4];
            int err = vb_lfs2_bd_read(fs, NULL, &fs->rcache, 4, dir->pair[0], off, raw, 4);
            if (err)
                return err;
            /* bit 31 marks "data on disk" */
            tag = (vb_lfs2_be32(raw) ^ ptag) | 0x80000000u;
            disk.block = dir->pair[0];
            disk.off = off + 4;
            buf = &disk;
            ptag = tag;
        } else if (attrcount > 0) {
            tag = attrs[0].tag;
            buf = attrs[0].buf;
            attrs += 1;
            attrcount -= 1;
        } else {
            res = 0;
            goto finished;
        }

        {
            uint32_t mask = VB_LFS2_MKTAG(0x7ff, 0, 0);
            if ((mask & tmask & tag) != (mask & tmask & ttag))
                continue;
        }
        /* RAM-only source types read from disk are corrupt: never follow */
        if ((tag & 0x80000000u) && vb_lfs2_tag_type1(tag) == VB_LFS2_T_FROM)
            continue;

        if (vb_lfs2_tag_id(tmask) != 0) {
            /* look for a later tag that supersedes this one */
            if (sp >= TRAVERSE_STACK)
                return -EILSEQ;
            stack[sp] = (walk){dir, off, ptag, attrs, attrcount, tmask, ttag, begin, end, diff,
                               cb, ctx, tag, buf, disk};
            sp += 1;
            tmask = 0;
            ttag = 0;
            begin = 0;
            end = 0;
            diff = 0;
            cb = filter_cb;
            ctx = &stack[sp - 1].tag;
            continue;
        }

    popped:
        if (vb_lfs2_tag_id(tmask) != 0 &&
            !(vb_lfs2_tag_id(tag) >= begin && vb_lfs2_tag_id(tag) < end))
            continue;

        if (vb_lfs2_tag_type3(tag) == VB_LFS2_FROM_NOOP) {
            /* nothing */
        } else if (vb_lfs2_tag_type3(tag) == VB_LFS2_FROM_MOVE) {
            /* a filter pass need not look inside moves: duplicates there
             * change nothing (and this keeps renames O(n^2)) */
            if (cb == filter_cb)
                continue;
            if (sp >= TRAVERSE_STACK)
                return -EILSEQ;
            stack[sp] = (walk){dir, off, ptag, attrs, attrcount, tmask, ttag, begin, end, diff,
                               cb, ctx, VB_LFS2_MKTAG(VB_LFS2_FROM_NOOP, 0, 0), NULL, {0, 0}};
            sp += 1;
            uint16_t fromid = (uint16_t)vb_lfs2_tag_size(tag);
            uint16_t toid = vb_lfs2_tag_id(tag);
            dir = buf;
            off = 0;
            ptag = 0xFFFFFFFFu;
            attrs = NULL;
            attrcount = 0;
            tmask = VB_LFS2_MKTAG(0x600, 0x3ff, 0);
            ttag = VB_LFS2_MKTAG(VB_LFS2_T_STRUCT, 0, 0);
            begin = fromid;
            end = (uint16_t)(fromid + 1);
            diff = (int16_t)(toid - fromid + diff);
        } else if (vb_lfs2_tag_type3(tag) == VB_LFS2_FROM_USERATTRS) {
            const vb_lfs2_attr *a = buf;
            for (uint32_t i = 0; i < vb_lfs2_tag_size(tag); i++) {
                res = cb(ctx, VB_LFS2_MKTAG(VB_LFS2_T_USERATTR + a[i].type,
                                            (uint32_t)(vb_lfs2_tag_id(tag) + diff), a[i].size),
                         a[i].buf);
                if (res < 0)
                    return res;
                if (res)
                    break;
            }
        } else {
            res = cb(ctx, shift_id(tag, diff), buf);
            if (res < 0)
                return res;
            if (res)
                goto finished;
        }
    }

finished:
    if (sp > 0) {
        /* back to the frame that pushed: its tag was maybe filtered away */
        sp -= 1;
        dir = stack[sp].dir;
        off = stack[sp].off;
        ptag = stack[sp].ptag;
        attrs = stack[sp].attrs;
        attrcount = stack[sp].attrcount;
        tmask = stack[sp].tmask;
        ttag = stack[sp].ttag;
        begin = stack[sp].begin;
        end = stack[sp].end;
        diff = stack[sp].diff;
        cb = stack[sp].cb;
        ctx = stack[sp].ctx;
        tag = stack[sp].tag;
        buf = stack[sp].buf;
        disk = stack[sp].disk;  /* buf may point at disk: restored with it */
        goto popped;
    }
    return res;
}
