/* Internals shared by fat_check.c (volume, FAT, lost clusters) and
 * fat_check_dir.c (directory tree walk). Not a public interface. */
#ifndef VB_FS_FAT_CHECK_INT_H
#define VB_FS_FAT_CHECK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fat_check.h"

#define CK_NONE UINT32_MAX   /* no owner / no node */
#define CK_LINE 2048         /* one report line */

/* Every file and directory seen gets a node; paths in messages are rebuilt
 * from the parent links, so no full path is stored per entry. */
typedef struct ck_node {
    uint32_t parent;         /* node index; the root (0) is its own parent */
    uint32_t name;           /* offset of its display name in the name pool */
    uint32_t cluster;        /* first cluster; 0 for the root */
    uint16_t depth;          /* root = 0 */
    bool is_dir;
} ck_node;

typedef struct ck {
    const vb_blockdev *bd;
    vb_fat_check_report_fn report;
    void *rctx;
    vb_fat_check_stats *st;
    int problems;

    /* geometry, sectors relative to the volume start `base` */
    uint32_t base, ss, spc, reserved, n_fats, fat_size, root_entries;
    uint32_t root_start, root_sectors, data_start, total, n_clusters;
    uint32_t readable;       /* volume sectors that exist on the device */
    unsigned bits;           /* 12 or 16 */
    uint8_t media;

    uint16_t *next;          /* FAT 1, decoded: next[c] for c < n_clusters + 2 */
    uint32_t *owner;         /* node that claimed cluster c, or CK_NONE */

    ck_node *nodes;
    uint32_t n_nodes, cap_nodes;
    char *names;             /* NUL-separated display names */
    size_t names_len, names_cap;

    uint8_t *sec;            /* one sector */
} ck;

/* Report a problem and count it; `node` (or CK_NONE) prefixes its path. */
void ck_problem(ck *k, uint32_t node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Report without counting (the fatal reason). */
void ck_say(ck *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The node's path ("/" for the root), cut at the front when too long. */
const char *ck_path(const ck *k, uint32_t node, char *buf, size_t len);
/* Read volume sector `lba` into buf: -EIO beyond the device or on failure. */
int ck_read(const ck *k, uint32_t lba, void *buf);
/* Add a node; CK_NONE when out of memory. */
uint32_t ck_add_node(ck *k, uint32_t parent, const char *name, uint32_t cluster, bool is_dir);

uint32_t ck_eoc_min(const ck *k);   /* first end-of-chain value */
uint32_t ck_bad_value(const ck *k); /* the bad-cluster mark */

/* Walk the whole tree from the root. 0, or -ENOMEM / -EIO (root unreadable). */
int ck_walk_tree(ck *k);

#endif
