/* FAT12/16 checker: the directory tree walk (see fat_check.h).
 *
 * Each directory is scanned entry by entry; every file and subdirectory
 * entry claims its cluster chain in k->owner, which is how cross-links,
 * loops and directory cycles show up (a cluster claimed twice). A directory
 * is scanned completely before its subdirectories, so one sector buffer
 * serves the whole walk and recursion depth is the nesting depth, capped at
 * VB_FAT_CHECK_MAX_DEPTH. */
#include "util/le.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_check_int.h"
#include "fat_name.h"

#define ATTR_VOLUME 0x08
#define ATTR_DIR 0x10
#define ATTR_LFN 0x0F
#define LFN_MAX_SLOTS 20
#define NAME_DISPLAY 1100       /* 260 UTF-16 units, escaped, as UTF-8 */


/* ---- cluster chains ------------------------------------------------------------ */

typedef enum ch_end { CH_EOC, CH_FREE, CH_BAD, CH_RANGE, CH_LOOP, CH_CROSS } ch_end;

typedef struct chain {
    uint32_t n;       /* clusters claimed */
    ch_end end;
    uint32_t at;      /* the cluster where the walk stopped */
    uint32_t value;   /* CH_RANGE: the invalid next value */
    uint32_t other;   /* CH_CROSS: the node owning `at` */
} chain;

/* Claim the chain from `first` (in range) for `node`. Bounded: each pass
 * claims a cluster not claimed before, so at most n_clusters passes. */
static chain claim(ck *k, uint32_t node, uint32_t first)
{
    chain ch = {0};
    uint32_t last = k->n_clusters + 1, c = first;
    for (;;) {
        uint32_t v = k->next[c];
        ch.at = c;
        if (k->owner[c] != CK_NONE) {
            ch.end = k->owner[c] == node ? CH_LOOP : CH_CROSS;
            ch.other = k->owner[c];
            return ch;
        }
        if (v == 0) {
            ch.end = CH_FREE;
            return ch;
        }
        if (v == ck_bad_value(k)) {
            ch.end = CH_BAD;
            return ch;
        }
        k->owner[c] = node;
        ch.n++;
        if (v >= ck_eoc_min(k)) {
            ch.end = CH_EOC;
            return ch;
        }
        if (v < 2 || v > last) {
            ch.end = CH_RANGE;
            ch.value = v;
            return ch;
        }
        c = v;
    }
}

static bool is_ancestor(const ck *k, uint32_t maybe, uint32_t node)
{
    for (unsigned hops = 0; hops <= VB_FAT_CHECK_MAX_DEPTH + 1; hops++) {
        if (node == maybe)
            return true;
        if (node == 0)
            return false;
        node = k->nodes[node].parent;
    }
    return false;
}

static void report_chain(ck *k, uint32_t node, const chain *ch)
{
    char other[CK_LINE / 2];
    switch (ch->end) {
    case CH_EOC:
        break;
    case CH_FREE:
        ck_problem(k, node, "cluster chain broken: cluster %u (number %u of the chain) is marked free",
                   ch->at, ch->n + 1);
        break;
    case CH_BAD:
        ck_problem(k, node, "cluster chain runs into cluster %u, which is marked bad", ch->at);
        break;
    case CH_RANGE:
        ck_problem(k, node, "cluster %u points to %u, outside the valid clusters 2..%u",
                   ch->at, ch->value, k->n_clusters + 1);
        break;
    case CH_LOOP:
        ck_problem(k, node, "cluster chain loops: cluster %u comes back after %u clusters",
                   ch->at, ch->n);
        break;
    case CH_CROSS:
        if (k->nodes[node].is_dir && is_ancestor(k, ch->other, k->nodes[node].parent))
            ck_problem(k, node, "directory loop: cluster %u belongs to its ancestor %s",
                       ch->at, ck_path(k, ch->other, other, sizeof other));
        else
            ck_problem(k, node, "cross-linked with %s: both use cluster %u",
                       ck_path(k, ch->other, other, sizeof other), ch->at);
        break;
    }
}

/* ---- names ------------------------------------------------------------------ */

static void put_byte(char *out, size_t len, size_t *o, unsigned c)
{
    if (*o + 5 >= len)
        return;
    if (c < 0x20 || c == 0x7F || c > 0xFF)
        *o += (size_t)snprintf(out + *o, len - *o, "\\x%02X", c & 0xFF);
    else
        out[(*o)++] = (char)c;
}

/* "NAME.EXT" as stored, with the NT lower-case bits applied (what FatFs lists
 * when no long name exists). Bytes outside printable ASCII come out as \xNN. */
static void short_display(const uint8_t *e, char *out, size_t len)
{
    size_t o = 0;
    int bl = 8, el = 3;
    while (bl > 0 && e[bl - 1] == ' ')
        bl--;
    while (el > 0 && e[8 + el - 1] == ' ')
        el--;
    for (int i = 0; i < bl; i++) {
        unsigned c = i == 0 && e[0] == 0x05 ? 0xE5 : e[i];
        if ((e[12] & 0x08) && c >= 'A' && c <= 'Z')
            c += 32;
        put_byte(out, len, &o, c >= 0x80 ? 0x100 | c : c);
    }
    if (el)
        out[o++] = '.';
    for (int i = 0; i < el; i++) {
        unsigned c = e[8 + i];
        if ((e[12] & 0x10) && c >= 'A' && c <= 'Z')
            c += 32;
        put_byte(out, len, &o, c >= 0x80 ? 0x100 | c : c);
    }
    out[o] = '\0';
}

/* Index of the first byte an 8.3 name may not hold, or -1. */
static int bad_short_byte(const uint8_t *e)
{
    if (e[0] == ' ')
        return 0;
    for (int i = 0; i < 11; i++) {
        uint8_t c = e[i];
        if (i == 0 && c == 0x05)
            continue;
        if (c < 0x20 || c == 0x7F || (c && strchr("\"*+,./:;<=>?[\\]|", c)))
            return i;
    }
    return -1;
}

static uint8_t lfn_checksum(const uint8_t *name11)
{
    uint8_t sum = 0;
    for (int i = 0; i < 11; i++)
        sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + name11[i]);
    return sum;
}

/* UTF-16 to UTF-8 for messages; control characters escaped. */
static void utf16_display(const uint16_t *u, size_t n, char *out, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < len; i++) {
        uint32_t c = u[i];
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < n && u[i + 1] >= 0xDC00 && u[i + 1] < 0xE000)
            c = 0x10000 + ((c - 0xD800) << 10) + (u[++i] - 0xDC00);
        else if (c >= 0xD800 && c < 0xE000)
            c = 0xFFFD;
        if (c < 0x80) {
            put_byte(out, len, &o, c);
        } else if (c < 0x800) {
            out[o++] = (char)(0xC0 | c >> 6);
            out[o++] = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out[o++] = (char)(0xE0 | c >> 12);
            out[o++] = (char)(0x80 | (c >> 6 & 0x3F));
            out[o++] = (char)(0x80 | (c & 0x3F));
        } else {
            out[o++] = (char)(0xF0 | c >> 18);
            out[o++] = (char)(0x80 | (c >> 12 & 0x3F));
            out[o++] = (char)(0x80 | (c >> 6 & 0x3F));
            out[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[o] = '\0';
}

/* ---- one directory ----------------------------------------------------------- */

typedef struct child {
    uint32_t node;
    uint32_t n_clusters;    /* clusters its chain claimed */
} child;

/* Long-name slots seen since the last short entry (flash.md §4.4). */
typedef struct lfn_run {
    bool active;
    bool malformed;         /* non-zero cluster field */
    uint8_t total;          /* slots in the run (ordinal of the first) */
    uint8_t expect;         /* ordinal the next slot must have */
    uint8_t sum;
    uint32_t first_index;   /* entry index of its first slot */
    uint16_t units[LFN_MAX_SLOTS * 13];
} lfn_run;

typedef struct dscan {
    ck *k;
    uint32_t node;          /* the directory */
    uint32_t index;         /* current entry index */
    bool seen_dot, seen_dotdot;
    bool unreadable;        /* a sector could not be read: scan incomplete */
    unsigned labels;
    lfn_run lfn;
    child *children;
    uint32_t n_children, cap_children;
    uint8_t (*short_names)[11];
    uint32_t n_short, cap_short;
} dscan;

/* Report the pending run of slots (entries first..last) as orphaned. */
static void lfn_orphan_to(dscan *d, uint32_t last, const char *why)
{
    if (!d->lfn.active)
        return;
    ck_problem(d->k, d->node, "orphaned long-name slots (entries %u..%u) %s",
               d->lfn.first_index, last, why);
    d->lfn.active = false;
}

static void lfn_orphan(dscan *d, const char *why) { lfn_orphan_to(d, d->index - 1, why); }

static void lfn_slot(dscan *d, const uint8_t *e)
{
    static const uint8_t pos[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
    lfn_run *l = &d->lfn;
    unsigned ord = e[0] & 0xBF;
    if (e[0] & 0x40) {
        lfn_orphan(d, "interrupted by another long name");
        if (ord == 0 || ord > LFN_MAX_SLOTS) {
            ck_problem(d->k, d->node, "long-name slot (entry %u) has the invalid ordinal %u",
                       d->index, ord);
            return;
        }
        l->active = true;
        l->malformed = false;
        l->total = l->expect = (uint8_t)ord;
        l->sum = e[13];
        l->first_index = d->index;
    } else if (!l->active) {
        ck_problem(d->k, d->node, "orphaned long-name slot (entry %u, ordinal %u) without a first slot",
                   d->index, ord);
        return;
    } else if (ord != l->expect || e[13] != l->sum) {
        lfn_orphan_to(d, d->index, ord != l->expect ? "out of order" : "with differing checksums");
        return;
    }
    if (vb_ld16(e + 26) != 0)
        l->malformed = true;
    for (int j = 0; j < 13; j++)
        l->units[(ord - 1) * 13 + (unsigned)j] = vb_ld16(e + pos[j]);
    l->expect--;
}

/* The run's name if it belongs to short entry `e` (utf-8 into out); false
 * with the problem reported otherwise, as FatFs then shows the short name.
 * *illegal: the first character no FAT name may hold, or 0. */
static bool lfn_take(dscan *d, const uint8_t *e, char *out, size_t len, uint16_t *illegal,
                     vb_fatname_unsafe *why)
{
    *illegal = 0;
    *why = VB_FATNAME_SAFE;
    lfn_run *l = &d->lfn;
    if (!l->active)
        return false;
    l->active = false;
    char sn[48];
    short_display(e, sn, sizeof sn);
    if (l->expect != 0) {
        ck_problem(d->k, d->node, "long-name slots of %s are incomplete (slot %u missing)",
                   sn, l->expect);
        return false;
    }
    uint8_t sum = lfn_checksum(e);
    if (sum != l->sum) {
        ck_problem(d->k, d->node, "long name before %s has checksum 0x%02X, expected 0x%02X "
                   "(orphaned long-name slots)", sn, l->sum, sum);
        return false;
    }
    size_t cap = (size_t)l->total * 13, n = 0;
    while (n < cap && l->units[n] != 0)
        n++;
    /* FatFs's test: no cluster field, fillers after the terminator. */
    bool ok = !l->malformed && n > 0;
    for (size_t i = n + 1; i < cap && ok; i++)
        ok = l->units[i] == 0xFFFF;
    if (!ok) {
        ck_problem(d->k, d->node, "long-name slots of %s are malformed (ignored by FatFs)", sn);
        return false;
    }
    utf16_display(l->units, n, out, len);
    *why = vb_fatname_check_units(l->units, n);
    for (size_t i = 0; i < n && !*illegal; i++)
        if (vb_fatname_illegal_char(l->units[i]))
            *illegal = l->units[i];
    return true;
}

static int push_child(dscan *d, uint32_t node, uint32_t n)
{
    if (d->n_children == d->cap_children) {
        uint32_t cap = d->cap_children ? d->cap_children * 2 : 16;
        child *p = realloc(d->children, cap * sizeof *p);
        if (!p)
            return -ENOMEM;
        d->children = p;
        d->cap_children = cap;
    }
    d->children[d->n_children++] = (child){node, n};
    return 0;
}

static int push_short(dscan *d, const uint8_t *e)
{
    if (d->n_short == d->cap_short) {
        uint32_t cap = d->cap_short ? d->cap_short * 2 : 64;
        uint8_t (*p)[11] = realloc(d->short_names, cap * sizeof *p);
        if (!p)
            return -ENOMEM;
        d->short_names = p;
        d->cap_short = cap;
    }
    memcpy(d->short_names[d->n_short++], e, 11);
    return 0;
}

static void check_dot(dscan *d, const uint8_t *e, bool dotdot)
{
    ck *k = d->k;
    const ck_node *self = &k->nodes[d->node];
    uint32_t fc = vb_ld16(e + 26);
    if (d->node == 0 || d->index != (dotdot ? 1u : 0u)) {
        ck_problem(k, d->node, "stray \"%s\" entry at position %u", dotdot ? ".." : ".", d->index);
        return;
    }
    uint32_t want = dotdot ? k->nodes[self->parent].cluster : self->cluster;
    if (!(e[11] & ATTR_DIR))
        ck_problem(k, d->node, "\"%s\" entry is not marked as a directory", dotdot ? ".." : ".");
    if (fc != want)
        ck_problem(k, d->node, "\"%s\" entry points to cluster %u instead of %u%s",
                   dotdot ? ".." : ".", fc, want, dotdot ? " (the parent)" : " (itself)");
    if (dotdot)
        d->seen_dotdot = true;
    else
        d->seen_dot = true;
}

/* A file or directory entry: node, name checks, chain. */
static int check_entry(dscan *d, const uint8_t *e)
{
    ck *k = d->k;
    char name[NAME_DISPLAY];
    uint16_t illegal;
    vb_fatname_unsafe why;
    bool has_long = lfn_take(d, e, name, sizeof name, &illegal, &why);
    if (!has_long)
        short_display(e, name, sizeof name);
    bool is_dir = e[11] & ATTR_DIR;
    uint32_t fc = vb_ld16(e + 26), size = vb_ld32(e + 28), last = k->n_clusters + 1;
    uint32_t id = ck_add_node(k, d->node, name, fc, is_dir);
    if (id == CK_NONE || push_short(d, e) < 0)
        return -ENOMEM;

    if (illegal)
        ck_problem(k, id, "long name contains the illegal character 0x%02X", illegal);
    else if (why != VB_FATNAME_SAFE)
        ck_problem(k, id, "long name is unusable: %s", vb_fatname_unsafe_text(why));
    int bad = bad_short_byte(e);
    if (bad >= 0) {
        char sn[48];
        short_display(e, sn, sizeof sn);
        ck_problem(k, id, "short name \"%s\" contains the illegal byte 0x%02X", sn, e[bad]);
    }
    if (is_dir) {
        k->st->dirs++;
        if (size != 0)
            ck_problem(k, id, "directory entry has size %u (must be 0)", size);
    } else {
        k->st->files++;
    }
    if (fc == 0) {
        if (is_dir)
            ck_problem(k, id, "directory entry has no cluster");
        else if (size != 0)
            ck_problem(k, id, "size is %u bytes but the file has no cluster", size);
        return 0;
    }
    if (fc < 2 || fc > last) {
        ck_problem(k, id, "first cluster %u is outside the valid clusters 2..%u", fc, last);
        return 0;
    }
    chain ch = claim(k, id, fc);
    report_chain(k, id, &ch);
    if (is_dir)
        return ch.n ? push_child(d, id, ch.n) : 0;
    if (ch.end != CH_EOC)
        return 0;
    uint32_t cb = k->spc * k->ss;
    uint32_t want = size ? (uint32_t)(((uint64_t)size + cb - 1) / cb) : 0;
    if (size == 0)
        ck_problem(k, id, "size is 0 but the file has a cluster chain (first cluster %u)", fc);
    else if (ch.n != want)
        ck_problem(k, id, "size is %u bytes (%u cluster%s) but the cluster chain has %u",
                   size, want, want == 1 ? "" : "s", ch.n);
    return 0;
}

/* One 32-byte entry. 1 at the end-of-directory mark, 0 to go on, or -ENOMEM. */
static int scan_entry(dscan *d, const uint8_t *e)
{
    uint8_t attr = e[11];
    if (e[0] == 0x00) {
        lfn_orphan(d, "at the end of the directory");
        return 1;
    }
    if (e[0] == 0xE5) {
        lfn_orphan(d, "followed by a deleted entry");
        return 0;
    }
    if ((attr & 0x3F) == ATTR_LFN) {
        lfn_slot(d, e);
        return 0;
    }
    bool dot = memcmp(e, ".          ", 11) == 0, dotdot = memcmp(e, "..         ", 11) == 0;
    if (dot || dotdot || (attr & ATTR_VOLUME)) {
        lfn_orphan(d, dot || dotdot ? "before a dot entry" : "before the volume label");
        if (dot || dotdot)
            check_dot(d, e, dotdot);
        else if (d->node != 0)
            ck_problem(d->k, d->node, "volume label entry (position %u) in a subdirectory", d->index);
        else if (++d->labels == 2)
            ck_problem(d->k, d->node, "more than one volume label entry in the root directory");
        return 0;
    }
    return check_entry(d, e);
}

static int cmp_short(const void *a, const void *b) { return memcmp(a, b, 11); }

static void report_duplicates(dscan *d)
{
    if (d->n_short < 2)
        return;
    qsort(d->short_names, d->n_short, 11, cmp_short);
    for (uint32_t i = 1; i < d->n_short; i++) {
        if (memcmp(d->short_names[i], d->short_names[i - 1], 11) != 0)
            continue;
        if (i >= 2 && memcmp(d->short_names[i], d->short_names[i - 2], 11) == 0)
            continue;   /* one report per name */
        uint8_t e[32] = {0};
        char sn[48];
        memcpy(e, d->short_names[i], 11);
        short_display(e, sn, sizeof sn);
        ck_problem(d->k, d->node, "short name %s appears more than once", sn);
    }
}

/* Scan the sectors of directory `node`: the root region, or the first
 * `n_clusters` clusters of its chain (as claimed). */
static int scan_dir(dscan *d, uint32_t n_clusters)
{
    ck *k = d->k;
    uint32_t per = k->ss / 32;
    uint32_t n_sectors = d->node == 0 ? k->root_sectors : n_clusters * k->spc;
    uint32_t c = k->nodes[d->node].cluster;
    /* After the end mark every entry must be free too (first byte 0): FatFs
     * stops reading there, but once the directory fills up to that point
     * whatever lies beyond (stale or torn data) turns into entries. */
    bool ended = false;
    uint32_t end_index = 0, stale = 0, first_stale = 0;
    for (uint32_t s = 0; s < n_sectors; s++) {
        uint32_t lba;
        if (d->node == 0) {
            lba = k->root_start + s;
        } else {
            if (s && s % k->spc == 0)
                c = k->next[c];   /* stays within the claimed chain */
            lba = k->data_start + (c - 2) * k->spc + s % k->spc;
        }
        if (ck_read(k, lba, k->sec) < 0) {
            if (d->node == 0) {
                ck_say(k, "cannot read sector %u of the root directory", s);
                return -EIO;
            }
            ck_problem(k, d->node, "cannot read directory sector %u (cluster %u)", lba, c);
            d->unreadable = true;
            return 0;
        }
        for (uint32_t i = 0; i < per; i++, d->index++) {
            const uint8_t *e = k->sec + 32 * i;
            if (ended) {
                if (e[0] != 0 && stale++ == 0)
                    first_stale = d->index;
                continue;
            }
            int r = scan_entry(d, e);
            if (r < 0)
                return r;
            if (r) {
                ended = true;
                end_index = d->index;
            }
        }
    }
    if (stale)
        ck_problem(k, d->node, "%u entr%s after the end-of-directory mark (entry %u) %s not free, "
                   "the first at entry %u", stale, stale == 1 ? "y" : "ies", end_index,
                   stale == 1 ? "is" : "are", first_stale);
    if (!ended)
        lfn_orphan(d, "at the end of the directory");
    return 0;
}

static int walk_dir(ck *k, uint32_t node, uint32_t n_clusters)
{
    dscan d = {.k = k, .node = node};
    int rc = scan_dir(&d, n_clusters);
    if (rc == 0 && node != 0 && !d.unreadable) {
        if (!d.seen_dot)
            ck_problem(k, node, "the \".\" entry is missing");
        if (!d.seen_dotdot)
            ck_problem(k, node, "the \"..\" entry is missing");
    }
    if (rc == 0)
        report_duplicates(&d);
    free(d.short_names);
    if (rc == 0 && d.n_children && k->nodes[node].depth >= VB_FAT_CHECK_MAX_DEPTH) {
        ck_problem(k, node, "subdirectories nested deeper than %d levels were not checked",
                   VB_FAT_CHECK_MAX_DEPTH);
        d.n_children = 0;
    }
    for (uint32_t i = 0; i < d.n_children && rc == 0; i++)
        rc = walk_dir(k, d.children[i].node, d.children[i].n_clusters);
    free(d.children);
    return rc;
}

int ck_walk_tree(ck *k)
{
    if (ck_add_node(k, 0, "", 0, true) == CK_NONE)
        return -ENOMEM;
    return walk_dir(k, 0, 0);
}
