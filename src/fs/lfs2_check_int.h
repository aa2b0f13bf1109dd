/* Internals of the littlefs checker, shared by lfs2_check.c (pairs,
 * reporting) and lfs2_check_tree.c (directories, files, block usage). */
#ifndef VB_FS_LFS2_CHECK_INT_H
#define VB_FS_LFS2_CHECK_INT_H

#include <stdarg.h>

#include "lfs2_check.h"
#include "lfs2_internal.h"

#define LCK_LINE 1400
#define LCK_NONE 0xFFFFFFFFu
#define LCK_IDS 0x3FFu             /* ids 0..0x3fe */

/* What owns a block. */
enum { LCK_FREE = 0, LCK_META = 1, LCK_DATA = 2 };

/* One id of a pair after replaying its commits. */
typedef struct lck_entry {
    bool has_name, has_struct;
    uint16_t name_type;            /* type3 of the name tag */
    uint16_t struct_type;          /* type3 of the struct tag */
    uint32_t name_off, name_len;   /* in lck_pair.data */
    uint32_t struct_off, struct_len;
    uint32_t attrs;
} lck_entry;

/* A metadata pair as its newest valid block says. */
typedef struct lck_pair {
    uint32_t pair[2];
    uint32_t block;                /* the block used */
    uint32_t rev;
    uint8_t *data;                 /* a copy of that block */
    uint16_t count;
    lck_entry *e;                  /* LCK_IDS entries */
    bool has_tail, hard;
    uint32_t tail[2];
    bool has_gstate;
    vb_lfs2_gstate gdelta;
    uint32_t commits;
} lck_pair;

/* A directory or file found in the tree; paths are rebuilt from parents. */
typedef struct lck_node {
    uint32_t parent;               /* LCK_NONE for the root */
    uint32_t name;                 /* offset in the name pool */
    uint32_t depth;
    bool is_dir;
    uint32_t head[2];              /* directories: first pair */
} lck_node;

typedef struct lck {
    const vb_lfs2_dev *dev;
    uint32_t bs, bc;
    vb_lfs2_check_report_fn report;
    void *rctx;
    int problems;
    vb_lfs2_check_stats st;

    uint8_t *scratch;              /* one block, for the older half of a pair */
    uint8_t *kind;                 /* per block: LCK_FREE/META/DATA */
    uint32_t *owner;               /* per block: node (or pair list index) */
    uint8_t *listed;               /* per block: 1 = a pair on the tail list */
    uint8_t *claimed;              /* per block: 1 = pair owned by a directory */
    uint32_t (*list)[2];           /* pairs on the tail list, in order */
    uint32_t n_list;
    uint32_t root[2];
    vb_lfs2_gstate gstate;

    lck_node *nodes;
    uint32_t n_nodes, cap_nodes;
    char *pool;
    uint32_t pool_len, pool_cap;
} lck;

void lck_problem(lck *k, uint32_t node, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void lck_note(lck *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *lck_path(const lck *k, uint32_t node, char *buf, size_t len);

/* Parse a pair; returns 0, -EILSEQ (no valid commit: reported by the
 * caller), -EIO, -ENOMEM. `p` must be initialised with lck_pair_init. */
int lck_pair_init(lck *k, lck_pair *p);
void lck_pair_free(lck_pair *p);
int lck_pair_load(lck *k, lck_pair *p, const uint32_t pair[2], uint32_t node);

uint32_t lck_add_node(lck *k, uint32_t parent, const char *name, size_t len, bool is_dir);
int lck_walk_tree(lck *k);

#endif
