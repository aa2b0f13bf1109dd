/* littlefs checker: the directory tree from the root, each directory's
 * chain of pairs, entries, names, CTZ lists and who uses which block.
 * Breadth-first over a node table, so depth costs no stack. */
#include "lfs2_check_int.h"

#include <stdio.h>
#include <stdlib.h>

static const char *kind_name(uint8_t kind)
{
    return kind == LCK_META ? "metadata" : "file data";
}

/* Record that `node` uses block b; a second user is a problem. */
static bool claim_block(lck *k, uint32_t node, uint32_t b, uint8_t kind, const char *what)
{
    if (k->kind[b] != LCK_FREE) {
        char other[LCK_LINE - 500];
        if (k->kind[b] == LCK_META && k->listed[b])
            snprintf(other, sizeof other, "a metadata pair");
        else
            lck_path(k, k->owner[b], other, sizeof other);
        if (k->kind[b] == kind && k->owner[b] == node && kind == LCK_DATA)
            lck_problem(k, node, "%s: block %u appears twice (the list loops)", what, b);
        else
            lck_problem(k, node, "%s: block %u already used by %s (%s)", what, b,
                        k->kind[b] == LCK_META && k->listed[b] ? "the tail list" : other,
                        kind_name(k->kind[b]));
        return false;
    }
    k->kind[b] = kind;
    k->owner[b] = node;
    return true;
}

/* Blocks a CTZ list of `size` bytes needs, or 0 when more than the device. */
static uint32_t ctz_blocks(const lck *k, uint32_t size)
{
    /* block 0 holds bs bytes, block i >= 1 bs - 4*(ctz(i)+1) */
    uint64_t left = size;
    uint32_t n = 0;
    while (left > 0) {
        if (n >= k->bc)
            return 0;
        uint32_t cap = n == 0 ? k->bs : k->bs - 4 * (vb_lfs2_ctz(n) + 1);
        left = left > cap ? left - cap : 0;
        n++;
    }
    return n;
}

static void check_ctz(lck *k, uint32_t node, uint32_t head, uint32_t size, uint32_t *blocks)
{
    if (size == 0)
        return;
    if (k->st.file_max && size > k->st.file_max)
        lck_problem(k, node, "size %u above file_max %u", size, k->st.file_max);
    uint32_t n = ctz_blocks(k, size);
    if (n == 0) {
        lck_problem(k, node, "size %u needs more blocks than the device has", size);
        return;
    }

    /* follow pointer 0 of each block back to block 0 */
    uint32_t cur = head;
    for (uint32_t i = n; i-- > 0;) {
        if (cur >= k->bc) {
            lck_problem(k, node, "CTZ block %u of %u is %u, outside the device", i, n, cur);
            return;
        }
        if (!claim_block(k, node, cur, LCK_DATA, "CTZ list"))
            return;
        blocks[i] = cur;
        if (i > 0) {
            uint8_t raw[4];
            if (k->dev->read(k->dev->ctx, cur, 0, raw, 4) < 0) {
                lck_problem(k, node, "CTZ block %u unreadable", cur);
                return;
            }
            cur = vb_lfs2_le32(raw);
        }
    }

    /* the skip pointers: block i points at i - 2^j for j <= ctz(i) */
    for (uint32_t i = 1; i < n; i++) {
        uint32_t ptrs = vb_lfs2_ctz(i) + 1;
        uint8_t raw[4 * 32];
        if (k->dev->read(k->dev->ctx, blocks[i], 0, raw, 4 * ptrs) < 0) {
            lck_problem(k, node, "CTZ block %u unreadable", blocks[i]);
            return;
        }
        for (uint32_t j = 1; j < ptrs; j++) {
            uint32_t want = blocks[i - (1u << j)], got = vb_lfs2_le32(raw + 4 * j);
            if (got != want) {
                lck_problem(k, node, "CTZ block %u (index %u): skip pointer %u is %u, should be %u",
                            blocks[i], i, j, got, want);
                return;
            }
        }
    }
}

/* Why a name is unsafe to put on a host or in a path, or NULL. */
static const char *unsafe_name(const lck *k, const uint8_t *name, uint32_t len)
{
    if (len == 0)
        return "empty name";
    if (k->st.name_max && len > k->st.name_max)
        return "name longer than name_max";
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
        return "name is \".\" or \"..\"";
    for (uint32_t i = 0; i < len; i++) {
        if (name[i] == '/')
            return "name contains '/'";
        if (name[i] == '\\')
            return "name contains '\\'";
        if (name[i] == 0)
            return "name contains a NUL byte";
        if (name[i] < 0x20 || name[i] == 0x7F)
            return "name contains a control character";
    }
    return NULL;
}

typedef struct child_name {
    const lck *k;
    uint32_t node;
} child_name;

static int cmp_child(const void *a, const void *b)
{
    const child_name *x = a, *y = b;
    return strcmp(x->k->pool + x->k->nodes[x->node].name, y->k->pool + y->k->nodes[y->node].name);
}

static void check_duplicates(lck *k, uint32_t dir, uint32_t first, uint32_t end)
{
    uint32_t n = end - first;
    if (n < 2)
        return;
    child_name *c = malloc(n * sizeof *c);
    if (!c)
        return;
    for (uint32_t i = 0; i < n; i++)
        c[i] = (child_name){k, first + i};
    qsort(c, n, sizeof *c, cmp_child);
    for (uint32_t i = 1; i < n; i++)
        if (cmp_child(&c[i - 1], &c[i]) == 0)
            lck_problem(k, dir, "two entries named \"%s\"", k->pool + k->nodes[c[i].node].name);
    free(c);
}

static bool is_moved_away(const lck *k, const lck_pair *p, uint16_t id)
{
    return k->st.pending_move && vb_lfs2_tag_id(k->gstate.tag) == id &&
           vb_lfs2_pair_cmp(k->gstate.pair, p->pair) == 0;
}

static int check_entry(lck *k, lck_pair *p, uint32_t dir, uint16_t id, uint32_t *blocks)
{
    const lck_entry *e = &p->e[id];
    if (!e->has_name) {
        lck_problem(k, dir, "pair {%u,%u}: id %u has no name", p->pair[0], p->pair[1], id);
        return 0;
    }
    const uint8_t *name = p->data + e->name_off;
    bool is_dir = e->name_type == VB_LFS2_T_DIR;
    uint32_t node = lck_add_node(k, dir, (const char *)name, e->name_len, is_dir);
    if (node == LCK_NONE)
        return -ENOMEM;

    const char *why = unsafe_name(k, name, e->name_len);
    if (why)
        lck_problem(k, node, "%s", why);
    if (e->name_type != VB_LFS2_T_REG && !is_dir) {
        lck_problem(k, node, "entry of unknown type 0x%03x", e->name_type);
        return 0;
    }
    if (!e->has_struct) {
        lck_problem(k, node, "entry without a struct (no data or directory pointer)");
        return 0;
    }

    if (is_dir) {
        k->st.dirs++;
        if (e->struct_type != VB_LFS2_T_DIRSTRUCT || e->struct_len != 8) {
            lck_problem(k, node, "directory with struct 0x%03x of %u bytes", e->struct_type, e->struct_len);
            return 0;
        }
        k->nodes[node].head[0] = vb_lfs2_le32(p->data + e->struct_off);
        k->nodes[node].head[1] = vb_lfs2_le32(p->data + e->struct_off + 4);
        return 0;
    }

    k->st.files++;
    if (e->struct_type == VB_LFS2_T_INLINESTRUCT) {
        k->st.inline_files++;
    } else if (e->struct_type == VB_LFS2_T_CTZSTRUCT && e->struct_len == 8) {
        uint32_t head = vb_lfs2_le32(p->data + e->struct_off);
        uint32_t size = vb_lfs2_le32(p->data + e->struct_off + 4);
        check_ctz(k, node, head, size, blocks);
    } else {
        lck_problem(k, node, "file with struct 0x%03x of %u bytes", e->struct_type, e->struct_len);
    }
    return 0;
}

/* One directory: its chain of pairs (hard tails), every entry. */
static int walk_dir(lck *k, lck_pair *p, uint32_t dir, uint32_t *blocks)
{
    if (k->nodes[dir].depth > VB_LFS2_CHECK_MAX_DEPTH) {
        lck_problem(k, dir, "more than %d directories deep: not checked below", VB_LFS2_CHECK_MAX_DEPTH);
        return 0;
    }
    uint32_t first_child = k->n_nodes;
    uint32_t pair[2] = {k->nodes[dir].head[0], k->nodes[dir].head[1]};
    bool root = dir == 0;

    for (uint32_t hops = 0;; hops++) {
        if (hops > k->bc) {
            lck_problem(k, dir, "chain of pairs longer than the device");
            break;
        }
        if (pair[0] >= k->bc || pair[1] >= k->bc) {
            lck_problem(k, dir, "pair {%u,%u} outside the %u blocks", pair[0], pair[1], k->bc);
            break;
        }
        if (k->claimed[pair[0]] || k->claimed[pair[1]]) {
            lck_problem(k, dir, "pair {%u,%u} already belongs to a directory (shared, or the chain loops)",
                        pair[0], pair[1]);
            break;
        }
        k->claimed[pair[0]] = k->claimed[pair[1]] = 1;
        if (!k->listed[pair[0]] || !k->listed[pair[1]]) {
            if (k->st.pending_orphans)
                lck_note(k, "pair {%u,%u} not (yet) on the tail list, flagged for repair", pair[0], pair[1]);
            else
                lck_problem(k, dir, "pair {%u,%u} is not on the tail list", pair[0], pair[1]);
            for (int i = 0; i < 2; i++)
                if (!k->listed[pair[i]] && !(i == 1 && pair[0] == pair[1]))
                    claim_block(k, dir, pair[i], LCK_META, "directory pair");
        }

        int err = lck_pair_load(k, p, pair, dir);
        if (err == -EIO || err == -ENOMEM)
            return err;
        if (err) {
            if (err == -EILSEQ)
                lck_problem(k, dir, "pair {%u,%u} has no valid commit", pair[0], pair[1]);
            break;
        }

        for (uint16_t id = 0; id < p->count; id++) {
            if (is_moved_away(k, p, id))
                continue;  /* the source of a pending rename */
            if (root && hops == 0 && id == 0 && p->e[0].has_name &&
                p->e[0].name_type == VB_LFS2_T_SUPERBLOCK)
                continue;
            if (p->e[id].has_name && p->e[id].name_type == VB_LFS2_T_SUPERBLOCK) {
                lck_problem(k, dir, "pair {%u,%u}: superblock entry at id %u", pair[0], pair[1], id);
                continue;
            }
            err = check_entry(k, p, dir, id, blocks);
            if (err)
                return err;
        }

        if (!p->has_tail || !p->hard)
            break;
        pair[0] = p->tail[0];
        pair[1] = p->tail[1];
    }
    check_duplicates(k, dir, first_child, k->n_nodes);
    return 0;
}

int lck_walk_tree(lck *k)
{
    uint32_t *blocks = malloc((size_t)k->bc * sizeof *blocks);
    lck_pair p;
    if (!blocks || lck_pair_init(k, &p) != 0) {
        free(blocks);
        return -ENOMEM;
    }
    int err = 0;
    uint32_t root = lck_add_node(k, LCK_NONE, "", 0, true);
    if (root == LCK_NONE) {
        err = -ENOMEM;
        goto out;
    }
    k->nodes[root].head[0] = k->root[0];
    k->nodes[root].head[1] = k->root[1];
    for (uint32_t i = 0; i < k->n_nodes && !err; i++)
        if (k->nodes[i].is_dir && !vb_lfs2_pair_isnull(k->nodes[i].head))
            err = walk_dir(k, &p, i, blocks);
out:
    lck_pair_free(&p);
    free(blocks);
    return err;
}
