/* littlefs checker: reporting, metadata pairs, the tail list, the
 * superblock and the global state (see lfs2_check.h). The directory tree,
 * files and block usage are in lfs2_check_tree.c.
 *
 * A pair is parsed on its own terms: each block's commits are checked
 * forward (XOR chain, CRC per commit, SPEC.md "Directories / Metadata
 * pairs"), the block with the newer revision among those holding a valid
 * commit wins, and its valid commits are replayed into a table of ids
 * (creates insert, deletes remove, names/structs/attributes set). */
#include "lfs2_check_int.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- reporting --------------------------------------------------------------- */

static void say(lck *k, uint32_t node, const char *fmt, va_list ap)
{
    char line[LCK_LINE], path[LCK_LINE - 400];
    int n = 0;
    if (node != LCK_NONE)
        n = snprintf(line, sizeof line, "%s: ", lck_path(k, node, path, sizeof path));
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    if (k->report)
        k->report(k->rctx, line);
}

void lck_problem(lck *k, uint32_t node, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(k, node, fmt, ap);
    va_end(ap);
    k->problems++;
}

void lck_note(lck *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(k, LCK_NONE, fmt, ap);
    va_end(ap);
}

const char *lck_path(const lck *k, uint32_t node, char *buf, size_t len)
{
    /* fill from the end so a path too long keeps its tail */
    size_t pos = len - 1;
    buf[pos] = '\0';
    if (node == LCK_NONE || node >= k->n_nodes || k->nodes[node].parent == LCK_NONE) {
        snprintf(buf, len, "/");
        return buf;
    }
    for (unsigned hops = 0; node != LCK_NONE && k->nodes[node].parent != LCK_NONE &&
                            hops <= VB_LFS2_CHECK_MAX_DEPTH + 1; hops++) {
        const char *name = k->pool + k->nodes[node].name;
        size_t n = strlen(name);
        if (n + 1 + 3 > pos) {
            pos -= 3;
            memcpy(buf + pos, "...", 3);
            return buf + pos;
        }
        pos -= n;
        memcpy(buf + pos, name, n);
        buf[--pos] = '/';
        node = k->nodes[node].parent;
    }
    return buf + pos;
}

uint32_t lck_add_node(lck *k, uint32_t parent, const char *name, size_t len, bool is_dir)
{
    if (k->n_nodes == k->cap_nodes) {
        uint32_t cap = k->cap_nodes ? k->cap_nodes * 2 : 64;
        lck_node *n = realloc(k->nodes, cap * sizeof *n);
        if (!n)
            return LCK_NONE;
        k->nodes = n;
        k->cap_nodes = cap;
    }
    /* names are kept printable in the pool: control bytes as '?' */
    if (k->pool_len + len + 1 > k->pool_cap) {
        uint32_t cap = (k->pool_cap ? k->pool_cap * 2 : 4096) + (uint32_t)len + 1;
        char *p = realloc(k->pool, cap);
        if (!p)
            return LCK_NONE;
        k->pool = p;
        k->pool_cap = cap;
    }
    uint32_t off = k->pool_len;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        k->pool[off + i] = (char)(c < 0x20 || c == 0x7F ? '?' : c);
    }
    k->pool[off + len] = '\0';
    k->pool_len += (uint32_t)len + 1;

    lck_node *n = &k->nodes[k->n_nodes];
    n->parent = parent;
    n->name = off;
    n->depth = parent == LCK_NONE ? 0 : k->nodes[parent].depth + 1;
    n->is_dir = is_dir;
    n->head[0] = n->head[1] = VB_LFS2_BLOCK_NULL;
    return k->n_nodes++;
}

/* ---- pairs ---------------------------------------------------------------------- */

int lck_pair_init(lck *k, lck_pair *p)
{
    memset(p, 0, sizeof *p);
    p->data = malloc(k->bs);
    p->e = calloc(LCK_IDS, sizeof *p->e);
    if (!p->data || !p->e) {
        lck_pair_free(p);
        return -ENOMEM;
    }
    return 0;
}

void lck_pair_free(lck_pair *p)
{
    free(p->data);
    free(p->e);
    p->data = NULL;
    p->e = NULL;
}

static int read_block(lck *k, uint32_t block, uint8_t *buf)
{
    int r = k->dev->read(k->dev->ctx, block, 0, buf, k->bs);
    return r < 0 ? -EIO : 0;
}

/* End of the last commit whose CRC holds (0: none), counting commits. */
static uint32_t scan_commits(const lck *k, const uint8_t *b, uint32_t *commits)
{
    uint32_t end = 0, off = 4, ptag = 0xFFFFFFFFu;
    uint32_t crc = vb_lfs2_crc(0xFFFFFFFFu, b, 4);
    *commits = 0;
    while (off + 4 <= k->bs) {
        uint32_t tag = vb_lfs2_be32(b + off) ^ ptag;
        if (!vb_lfs2_tag_isvalid(tag))
            break;
        uint32_t dsize = vb_lfs2_tag_dsize(tag);
        if (off + dsize > k->bs)
            break;
        crc = vb_lfs2_crc(crc, b + off, 4);
        if (vb_lfs2_tag_type2(tag) == VB_LFS2_T_CCRC) {
            if (dsize < 8 || vb_lfs2_le32(b + off + 4) != crc)
                break;
            ptag = tag ^ ((uint32_t)(vb_lfs2_tag_chunk(tag) & 1) << 31);
            off += dsize;
            end = off;
            *commits += 1;
            crc = 0xFFFFFFFFu;
            continue;
        }
        crc = vb_lfs2_crc(crc, b + off + 4, dsize - 4);
        ptag = tag;
        off += dsize;
    }
    return end;
}

static void entries_insert(lck_pair *p, uint16_t id)
{
    memmove(&p->e[id + 1], &p->e[id], (size_t)(p->count - id) * sizeof *p->e);
    memset(&p->e[id], 0, sizeof *p->e);
    p->count++;
}

static void entries_remove(lck_pair *p, uint16_t id)
{
    memmove(&p->e[id], &p->e[id + 1], (size_t)(p->count - id - 1) * sizeof *p->e);
    p->count--;
    memset(&p->e[p->count], 0, sizeof *p->e);
}

static void apply_tag(lck *k, lck_pair *p, uint32_t node, uint32_t tag, uint32_t doff)
{
    const uint16_t id = vb_lfs2_tag_id(tag), t3 = vb_lfs2_tag_type3(tag);
    const uint32_t size = vb_lfs2_tag_size(tag);
    const bool del = vb_lfs2_tag_isdelete(tag);
    const uint32_t *pr = p->pair;

    switch (vb_lfs2_tag_type1(tag)) {
    case VB_LFS2_T_NAME:
        if (id >= LCK_IDS) {
            lck_problem(k, node, "pair {%u,%u}: name tag 0x%08x without an id", pr[0], pr[1], tag);
            return;
        }
        while (p->count <= id)
            p->count++;
        p->e[id].has_name = !del;
        p->e[id].name_type = t3;
        p->e[id].name_off = doff;
        p->e[id].name_len = del ? 0 : size;
        return;
    case VB_LFS2_T_STRUCT:
    case VB_LFS2_T_USERATTR:
        if (id >= p->count) {
            lck_problem(k, node, "pair {%u,%u}: tag 0x%08x for id %u beyond the %u ids",
                        pr[0], pr[1], tag, id, p->count);
            return;
        }
        if (vb_lfs2_tag_type1(tag) == VB_LFS2_T_STRUCT) {
            p->e[id].has_struct = !del;
            p->e[id].struct_type = t3;
            p->e[id].struct_off = doff;
            p->e[id].struct_len = del ? 0 : size;
        } else if (!del) {
            p->e[id].attrs++;
        }
        return;
    case VB_LFS2_T_SPLICE:
        if (t3 == VB_LFS2_T_CREATE) {
            if (id > p->count || p->count >= LCK_IDS)
                lck_problem(k, node, "pair {%u,%u}: create of id %u with %u ids", pr[0], pr[1], id, p->count);
            else
                entries_insert(p, id);
        } else if (t3 == VB_LFS2_T_DELETE) {
            if (id >= p->count)
                lck_problem(k, node, "pair {%u,%u}: delete of id %u with %u ids", pr[0], pr[1], id, p->count);
            else
                entries_remove(p, id);
        } else {
            lck_problem(k, node, "pair {%u,%u}: unknown splice tag 0x%08x", pr[0], pr[1], tag);
        }
        return;
    case VB_LFS2_T_CRC:
        if (t3 != VB_LFS2_T_FCRC)
            lck_problem(k, node, "pair {%u,%u}: unknown CRC tag 0x%08x", pr[0], pr[1], tag);
        return;
    case VB_LFS2_T_TAIL:
        if ((t3 != VB_LFS2_T_SOFTTAIL && t3 != VB_LFS2_T_HARDTAIL) || size != 8) {
            lck_problem(k, node, "pair {%u,%u}: bad tail tag 0x%08x", pr[0], pr[1], tag);
            return;
        }
        p->has_tail = true;
        p->hard = t3 == VB_LFS2_T_HARDTAIL;
        p->tail[0] = vb_lfs2_le32(p->data + doff);
        p->tail[1] = vb_lfs2_le32(p->data + doff + 4);
        return;
    case VB_LFS2_T_GLOBALS:
        if (t3 != VB_LFS2_T_MOVESTATE || size != 12) {
            lck_problem(k, node, "pair {%u,%u}: bad global-state tag 0x%08x", pr[0], pr[1], tag);
            return;
        }
        p->has_gstate = true;
        vb_lfs2_gstate_load(&p->gdelta, p->data + doff);
        return;
    default:
        /* 0x1xx: commit sources that exist only in RAM */
        lck_problem(k, node, "pair {%u,%u}: tag 0x%08x of a type never written to disk",
                    pr[0], pr[1], tag);
        return;
    }
}

int lck_pair_load(lck *k, lck_pair *p, const uint32_t pair[2], uint32_t node)
{
    p->pair[0] = pair[0];
    p->pair[1] = pair[1];
    p->count = 0;
    p->has_tail = p->hard = p->has_gstate = false;
    p->tail[0] = p->tail[1] = VB_LFS2_BLOCK_NULL;
    memset(&p->gdelta, 0, sizeof p->gdelta);
    memset(p->e, 0, LCK_IDS * sizeof *p->e);

    if (pair[0] >= k->bc || pair[1] >= k->bc) {
        lck_problem(k, node, "pair {%u,%u} outside the %u blocks", pair[0], pair[1], k->bc);
        return -EINVAL;
    }
    if (pair[0] == pair[1])
        lck_problem(k, node, "pair {%u,%u} uses one block twice", pair[0], pair[1]);

    /* both halves: the newer revision among those with a valid commit */
    uint32_t ends[2], commits[2], revs[2];
    uint8_t *bufs[2] = {p->data, k->scratch};
    for (int i = 0; i < 2; i++) {
        if (read_block(k, pair[i], bufs[i]))
            return -EIO;
        revs[i] = vb_lfs2_le32(bufs[i]);
        ends[i] = scan_commits(k, bufs[i], &commits[i]);
    }
    int use;
    if (ends[0] && ends[1])
        use = vb_lfs2_scmp(revs[1], revs[0]) > 0 ? 1 : 0;
    else if (ends[0] || ends[1])
        use = ends[0] ? 0 : 1;
    else
        return -EILSEQ;
    if (use == 1)
        memcpy(p->data, k->scratch, k->bs);
    p->block = pair[use];
    p->rev = revs[use];
    p->commits = commits[use];

    /* replay every tag of the valid commits, oldest first */
    uint32_t off = 4, ptag = 0xFFFFFFFFu;
    while (off < ends[use]) {
        uint32_t tag = vb_lfs2_be32(p->data + off) ^ ptag;
        uint32_t dsize = vb_lfs2_tag_dsize(tag);
        if (vb_lfs2_tag_type2(tag) == VB_LFS2_T_CCRC) {
            ptag = tag ^ ((uint32_t)(vb_lfs2_tag_chunk(tag) & 1) << 31);
        } else {
            apply_tag(k, p, node, tag, off + 4);
            ptag = tag;
        }
        off += dsize;
    }
    return 0;
}

/* ---- superblock and tail list --------------------------------------------------- */

static void check_superblock(lck *k, const lck_pair *p)
{
    const lck_entry *e = &p->e[0];
    if (!e->has_struct || e->struct_type != VB_LFS2_T_INLINESTRUCT ||
        e->struct_len < VB_LFS2_SUPERBLOCK_SIZE) {
        lck_problem(k, LCK_NONE, "superblock in pair {%u,%u}: no inline struct of 24 bytes",
                    p->pair[0], p->pair[1]);
        return;
    }
    const uint8_t *s = p->data + e->struct_off;
    vb_lfs2_check_stats *st = &k->st;
    st->disk_version = vb_lfs2_le32(s);
    st->block_size = vb_lfs2_le32(s + 4);
    st->block_count = vb_lfs2_le32(s + 8);
    st->name_max = vb_lfs2_le32(s + 12);
    st->file_max = vb_lfs2_le32(s + 16);
    st->attr_max = vb_lfs2_le32(s + 20);

    if (st->disk_version != VB_LFS2_VERSION_2_0 && st->disk_version != VB_LFS2_VERSION_2_1)
        lck_problem(k, LCK_NONE, "superblock: version %u.%u (not 2.0 or 2.1)",
                    st->disk_version >> 16, st->disk_version & 0xFFFF);
    if (st->block_size != k->bs)
        lck_problem(k, LCK_NONE, "superblock: block size %u, the device's is %u", st->block_size, k->bs);
    if (st->block_count != k->bc)
        lck_problem(k, LCK_NONE, "superblock: block count %u, the device has %u", st->block_count, k->bc);
    if (st->name_max > VB_LFS2_NAME_MAX)
        lck_problem(k, LCK_NONE, "superblock: name_max %u above 1022", st->name_max);
    if (st->attr_max > VB_LFS2_ATTR_MAX)
        lck_problem(k, LCK_NONE, "superblock: attr_max %u above 1022", st->attr_max);
    if (st->file_max > VB_LFS2_FILE_MAX)
        lck_problem(k, LCK_NONE, "superblock: file_max %u above 2^31-1", st->file_max);
}

static bool is_superblock_entry(const lck_pair *p)
{
    const lck_entry *e = &p->e[0];
    return p->count > 0 && e->has_name && e->name_type == VB_LFS2_T_SUPERBLOCK &&
           e->name_len == VB_LFS2_MAGIC_LEN &&
           memcmp(p->data + e->name_off, VB_LFS2_MAGIC, VB_LFS2_MAGIC_LEN) == 0;
}

/* Walk the tail list from {0,1}: every pair littlefs has. Returns 0,
 * -ENODEV (no littlefs), -EIO, -ENOMEM. */
static int walk_list(lck *k, lck_pair *p)
{
    uint32_t tail[2] = {0, 1};
    bool found = false;
    while (!vb_lfs2_pair_isnull(tail)) {
        if (k->n_list >= k->bc) {
            lck_problem(k, LCK_NONE, "tail list longer than the device");
            break;
        }
        if (tail[0] >= k->bc || tail[1] >= k->bc) {
            lck_problem(k, LCK_NONE, "tail list: pair {%u,%u} outside the %u blocks", tail[0], tail[1], k->bc);
            break;
        }
        if (k->listed[tail[0]] || k->listed[tail[1]]) {
            lck_problem(k, LCK_NONE, "tail list loops back to pair {%u,%u}", tail[0], tail[1]);
            break;
        }
        int err = lck_pair_load(k, p, tail, LCK_NONE);
        if (err == -EIO || err == -ENOMEM)
            return err;
        if (err) {
            if (k->n_list == 0) {
                lck_note(k, "blocks 0/1 hold no valid metadata commit: not littlefs");
                return -ENODEV;
            }
            lck_problem(k, LCK_NONE, "tail list: pair {%u,%u} has no valid commit", tail[0], tail[1]);
            break;
        }

        k->list[k->n_list][0] = tail[0];
        k->list[k->n_list][1] = tail[1];
        for (int i = 0; i < 2; i++) {
            uint32_t b = tail[i];
            if (k->kind[b] != LCK_FREE && !(i == 1 && tail[0] == tail[1]))
                lck_problem(k, LCK_NONE, "block %u in two pairs of the tail list", b);
            k->kind[b] = LCK_META;
            k->owner[b] = k->n_list;
            k->listed[b] = 1;
        }
        k->n_list++;
        vb_lfs2_gstate_xor(&k->gstate, &p->gdelta);

        if (is_superblock_entry(p)) {
            k->root[0] = tail[0];
            k->root[1] = tail[1];
            found = true;
            check_superblock(k, p);
        }
        if (!p->has_tail)
            break;
        tail[0] = p->tail[0];
        tail[1] = p->tail[1];
    }
    if (!found) {
        lck_note(k, "no littlefs superblock entry on the tail list");
        return -ENODEV;
    }
    k->st.found = true;
    k->st.pairs = k->n_list;
    return 0;
}

/* The pending move, if any, must name an entry that exists. */
static void check_gstate(lck *k, lck_pair *p)
{
    const vb_lfs2_gstate *g = &k->gstate;
    k->st.pending_orphans = (g->tag & 0x80000000u) != 0;
    k->st.pending_move = vb_lfs2_tag_type1(g->tag) != 0;
    if (k->st.pending_orphans)
        lck_note(k, "global state: orphans pending (removed at the next write)");
    if (!k->st.pending_move)
        return;
    uint16_t id = vb_lfs2_tag_id(g->tag);
    lck_note(k, "global state: a move pending (delete of id %u in pair {%u,%u})", id, g->pair[0], g->pair[1]);
    if (vb_lfs2_tag_type3(g->tag) != VB_LFS2_T_DELETE) {
        lck_problem(k, LCK_NONE, "global state: unknown move tag 0x%08x", g->tag);
        return;
    }
    if (g->pair[0] >= k->bc || g->pair[1] >= k->bc || !k->listed[g->pair[0]]) {
        lck_problem(k, LCK_NONE, "global state: move names pair {%u,%u}, not on the tail list",
                    g->pair[0], g->pair[1]);
        return;
    }
    int err = lck_pair_load(k, p, g->pair, LCK_NONE);
    if (!err && id >= p->count)
        lck_problem(k, LCK_NONE, "global state: move names id %u, pair {%u,%u} has %u ids",
                    id, g->pair[0], g->pair[1], p->count);
}

/* ---- entry points ------------------------------------------------------------------ */

static void lck_free(lck *k)
{
    free(k->scratch);
    free(k->kind);
    free(k->owner);
    free(k->listed);
    free(k->claimed);
    free(k->list);
    free(k->nodes);
    free(k->pool);
}

int vb_lfs2_check(const vb_lfs2_dev *dev, vb_lfs2_check_report_fn report, void *ctx,
                  vb_lfs2_check_stats *stats)
{
    lck k;
    memset(&k, 0, sizeof k);
    k.dev = dev;
    k.report = report;
    k.rctx = ctx;
    if (!dev || !dev->read || dev->block_size < 128 || dev->block_count < 2) {
        if (report)
            report(ctx, "device geometry unusable for littlefs");
        if (stats)
            memset(stats, 0, sizeof *stats);
        return -ENODEV;
    }
    k.bs = dev->block_size;
    k.bc = dev->block_count;
    k.root[0] = k.root[1] = VB_LFS2_BLOCK_NULL;

    k.scratch = malloc(k.bs);
    k.kind = calloc(k.bc, 1);
    k.owner = calloc(k.bc, sizeof *k.owner);
    k.listed = calloc(k.bc, 1);
    k.claimed = calloc(k.bc, 1);
    k.list = calloc(k.bc, sizeof *k.list);
    lck_pair p;
    int rc = -ENOMEM;
    if (!k.scratch || !k.kind || !k.owner || !k.listed || !k.claimed || !k.list ||
        lck_pair_init(&k, &p) != 0)
        goto out_nopair;

    rc = walk_list(&k, &p);
    if (rc == 0) {
        check_gstate(&k, &p);
        rc = lck_walk_tree(&k);
    }
    if (rc == 0) {
        /* pairs on the list before the root hold only the superblock */
        uint32_t i = 0;
        for (; i < k.n_list && vb_lfs2_pair_cmp(k.list[i], k.root) != 0; i++)
            k.claimed[k.list[i][0]] = k.claimed[k.list[i][1]] = 1;
        for (i = 0; i < k.n_list; i++) {
            if (k.claimed[k.list[i][0]] || k.claimed[k.list[i][1]])
                continue;
            k.st.orphans++;
            if (k.st.pending_orphans)
                lck_note(&k, "pair {%u,%u}: orphan (no directory owns it), flagged for removal",
                         k.list[i][0], k.list[i][1]);
            else
                lck_problem(&k, LCK_NONE, "pair {%u,%u}: orphan (no directory owns it)",
                            k.list[i][0], k.list[i][1]);
        }
        for (uint32_t b = 0; b < k.bc; b++)
            k.st.used_blocks += k.kind[b] != LCK_FREE;
        rc = k.problems;
    }
    lck_pair_free(&p);
out_nopair:
    if (stats)
        *stats = k.st;
    lck_free(&k);
    return rc;
}

typedef struct text_sink {
    char *buf;
    size_t len, used;
    bool cut;
} text_sink;

static void text_line(void *ctx, const char *line)
{
    text_sink *t = ctx;
    size_t n = strlen(line);
    if (t->cut || t->len == 0)
        return;
    /* keep room for "...\n" and the NUL */
    if (t->used + n + 1 + 4 + 1 > t->len) {
        t->cut = true;
        if (t->used + 4 + 1 <= t->len) {
            memcpy(t->buf + t->used, "...\n", 5);
            t->used += 4;
        }
        return;
    }
    memcpy(t->buf + t->used, line, n);
    t->buf[t->used + n] = '\n';
    t->used += n + 1;
    t->buf[t->used] = '\0';
}

int vb_lfs2_check_text(const vb_lfs2_dev *dev, char *buf, size_t len, vb_lfs2_check_stats *stats)
{
    text_sink t = {buf, len, 0, false};
    if (len)
        buf[0] = '\0';
    return vb_lfs2_check(dev, text_line, &t, stats);
}
