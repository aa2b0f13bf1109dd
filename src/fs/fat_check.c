/* FAT12/16 checker: volume, FAT tables, lost clusters (see fat_check.h).
 * The directory tree walk lives in fat_check_dir.c. */
#include "util/le.h"
#include "fat_check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fat_check_int.h"


/* ---- reporting and helpers ------------------------------------------------ */

static void ck_vsay(ck *k, uint32_t node, const char *fmt, va_list ap)
{
    char line[CK_LINE], path[CK_LINE - 512];
    int n = 0;
    if (node != CK_NONE)
        n = snprintf(line, sizeof line, "%s: ", ck_path(k, node, path, sizeof path));
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    if (k->report)
        k->report(k->rctx, line);
}

void ck_problem(ck *k, uint32_t node, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ck_vsay(k, node, fmt, ap);
    va_end(ap);
    k->problems++;
}

void ck_say(ck *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ck_vsay(k, CK_NONE, fmt, ap);
    va_end(ap);
}

const char *ck_path(const ck *k, uint32_t node, char *buf, size_t len)
{
    /* Fill from the end so a path too long for buf keeps its tail. */
    size_t pos = len - 1;
    buf[pos] = '\0';
    if (node == 0 || node >= k->n_nodes) {
        snprintf(buf, len, "/");
        return buf;
    }
    for (unsigned hops = 0; node != 0 && hops <= VB_FAT_CHECK_MAX_DEPTH + 1; hops++) {
        const char *name = k->names + k->nodes[node].name;
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

int ck_read(const ck *k, uint32_t lba, void *buf)
{
    if (lba >= k->readable)
        return -EIO;
    int r = k->bd->read(k->bd->ctx, k->base + lba, 1, buf);
    return r < 0 ? r : 0;
}

uint32_t ck_add_node(ck *k, uint32_t parent, const char *name, uint32_t cluster, bool is_dir)
{
    size_t n = strlen(name) + 1;
    if (k->n_nodes == k->cap_nodes) {
        uint32_t cap = k->cap_nodes ? k->cap_nodes * 2 : 256;
        ck_node *p = realloc(k->nodes, (size_t)cap * sizeof *p);
        if (!p)
            return CK_NONE;
        k->nodes = p;
        k->cap_nodes = cap;
    }
    if (k->names_len + n > k->names_cap) {
        size_t cap = k->names_cap ? k->names_cap * 2 : 4096;
        while (cap < k->names_len + n)
            cap *= 2;
        char *p = realloc(k->names, cap);
        if (!p)
            return CK_NONE;
        k->names = p;
        k->names_cap = cap;
    }
    memcpy(k->names + k->names_len, name, n);
    ck_node *nd = &k->nodes[k->n_nodes];
    nd->parent = parent;
    nd->name = (uint32_t)k->names_len;
    nd->cluster = cluster;
    nd->is_dir = is_dir;
    nd->depth = (uint16_t)(k->n_nodes == 0 ? 0 : k->nodes[parent].depth + 1);
    k->names_len += n;
    return k->n_nodes++;
}

uint32_t ck_eoc_min(const ck *k) { return k->bits == 12 ? 0xFF8u : 0xFFF8u; }
uint32_t ck_bad_value(const ck *k) { return k->bits == 12 ? 0xFF7u : 0xFFF7u; }

/* ---- boot sector (flash.md §4.1) ------------------------------------------- */

/* A FAT boot sector by FatFs's test: 0 = FAT12/16/32 boot record, 1 = FAT32
 * signature only, 2 = valid 55 AA but no boot record, 3 = no 55 AA. */
static int boot_kind(const uint8_t *s)
{
    if (s[510] != 0x55 || s[511] != 0xAA)
        return 3;
    bool jump = s[0] == 0xEB || s[0] == 0xE9 || s[0] == 0xE8;
    if (jump && memcmp(s + 54, "FAT", 3) == 0)
        return 0;
    if (jump && memcmp(s + 82, "FAT32", 5) == 0)
        return 1;
    return 2;
}

/* Find the volume: sector 0, or the first partition of a PC table holding
 * one. 0 with k->base set, or a negative errno with the reason said. */
static int find_volume(ck *k)
{
    const vb_blockdev *bd = k->bd;
    k->readable = bd->sector_count;
    if (bd->read(bd->ctx, 0, 1, k->sec) < 0) {
        ck_say(k, "cannot read the boot sector (sector 0)");
        return -EIO;
    }
    int kind = boot_kind(k->sec);
    uint8_t jump = k->sec[0];
    if (kind == 3) {
        ck_say(k, "no FAT filesystem: sector 0 has no boot signature (55 AA at byte 510)");
        return -ENODEV;
    }
    if (kind == 1) {
        ck_say(k, "no FAT12/16 filesystem: sector 0 is a FAT32 boot sector");
        return -ENODEV;
    }
    if (kind == 0)
        return 0;
    /* Sector 0 as a partition table: copy it, sector buffer gets reused. */
    uint8_t mbr[64];
    memcpy(mbr, k->sec + 446, sizeof mbr);
    for (int i = 0; i < 4; i++) {
        const uint8_t *pe = mbr + 16 * i;
        uint32_t lba = vb_ld32(pe + 8);
        if (pe[4] == 0 || lba == 0 || lba >= bd->sector_count)
            continue;
        if (bd->read(bd->ctx, lba, 1, k->sec) < 0)
            continue;
        if (boot_kind(k->sec) == 0) {
            k->base = lba;
            k->readable = bd->sector_count - lba;
            return 0;
        }
    }
    if (jump != 0xEB && jump != 0xE9 && jump != 0xE8)
        ck_say(k, "no FAT filesystem: sector 0 starts with 0x%02X, not a jump instruction "
                  "(EB, E9 or E8), and is no partition table pointing to a FAT volume", jump);
    else
        ck_say(k, "no FAT filesystem: sector 0 has no \"FAT\" at byte 54 and is no partition "
                  "table pointing to a FAT volume");
    return -ENODEV;
}

static bool pow2(uint32_t v) { return v && !(v & (v - 1)); }

/* Parse and check the BPB the way FatFs mounts it. */
static int check_bpb(ck *k)
{
    const uint8_t *s = k->sec;
    const char *where = k->base ? " (in partition)" : "";
    uint32_t bps = vb_ld16(s + 11);
    k->ss = k->bd->sector_size;
    k->spc = s[13];
    k->reserved = vb_ld16(s + 14);
    k->n_fats = s[16];
    k->root_entries = vb_ld16(s + 17);
    k->media = s[21];
    k->fat_size = vb_ld16(s + 22) ? vb_ld16(s + 22) : vb_ld32(s + 36);
    k->total = vb_ld16(s + 19) ? vb_ld16(s + 19) : vb_ld32(s + 32);

    if (bps != k->ss) {
        ck_say(k, "no FAT filesystem%s: %u bytes per sector, the device has %u", where, bps, k->ss);
        return -ENODEV;
    }
    if (k->n_fats != 1 && k->n_fats != 2) {
        ck_say(k, "no FAT filesystem%s: %u FATs (1 or 2 expected)", where, k->n_fats);
        return -ENODEV;
    }
    if (!pow2(k->spc)) {
        ck_say(k, "no FAT filesystem%s: %u sectors per cluster is not a power of two", where, k->spc);
        return -ENODEV;
    }
    if (k->root_entries % (k->ss / 32) != 0) {
        ck_say(k, "no FAT filesystem%s: %u root entries do not fill whole sectors", where, k->root_entries);
        return -ENODEV;
    }
    if (k->reserved == 0 || k->fat_size == 0) {
        ck_say(k, "no FAT filesystem%s: %s is zero", where,
               k->reserved == 0 ? "the reserved sector count" : "the FAT size");
        return -ENODEV;
    }
    k->root_sectors = k->root_entries * 32 / k->ss;
    uint64_t r = (uint64_t)k->reserved + (uint64_t)k->n_fats * k->fat_size + k->root_sectors;
    if (k->total < r) {
        ck_say(k, "no FAT filesystem%s: %u total sectors, fewer than the %llu of FATs and root",
               where, k->total, (unsigned long long)r);
        return -ENODEV;
    }
    uint64_t c = (k->total - r) / k->spc;
    if (c == 0) {
        ck_say(k, "no FAT filesystem%s: no data clusters", where);
        return -ENODEV;
    }
    if (c > 65525) {
        ck_say(k, "no FAT12/16 filesystem%s: %llu clusters make it FAT32", where, (unsigned long long)c);
        return -ENODEV;
    }
    if (k->root_entries == 0) {
        ck_say(k, "no FAT filesystem%s: no root directory entries", where);
        return -ENODEV;
    }
    k->n_clusters = (uint32_t)c;
    k->bits = c <= 4085 ? 12 : 16;
    uint64_t need = k->bits == 12 ? ((uint64_t)3 * (c + 2) + 1) / 2 : (uint64_t)2 * (c + 2);
    if ((uint64_t)k->fat_size * k->ss < need) {
        ck_say(k, "no FAT filesystem%s: a FAT of %u sectors cannot hold %llu clusters",
               where, k->fat_size, (unsigned long long)c);
        return -ENODEV;
    }
    k->root_start = k->reserved + k->n_fats * k->fat_size;
    k->data_start = (uint32_t)r;

    /* FatFs mounts it; the rest is what a careful fsck adds. */
    if (k->media != 0xF0 && k->media < 0xF8)
        ck_problem(k, CK_NONE, "boot sector: media byte 0x%02X is not a valid media descriptor", k->media);
    if (k->total > k->readable) {
        ck_problem(k, CK_NONE, "boot sector: the volume has %u sectors but the device only %u",
                   k->total, k->readable);
        if (k->data_start > k->readable) {
            ck_say(k, "cannot check: the FATs and root directory lie beyond the end of the device");
            return -EIO;
        }
    }
    return 0;
}

/* ---- FAT tables ------------------------------------------------------------ */

static uint32_t fat_entry(const ck *k, const uint8_t *fat, uint32_t n)
{
    if (k->bits == 16)
        return vb_ld16(fat + 2 * n);
    uint32_t w = vb_ld16(fat + n + n / 2);
    return n & 1 ? w >> 4 : w & 0xFFF;
}

/* Load FAT 1 (FatFs reads only that copy) and compare the others with it. */
static int load_fats(ck *k)
{
    uint32_t entries = k->n_clusters + 2;
    uint32_t bytes = k->bits == 12 ? (3 * entries + 1) / 2 : 2 * entries;
    uint32_t secs = (bytes + k->ss - 1) / k->ss;
    uint8_t *fat = malloc((size_t)secs * k->ss);
    uint8_t *other = malloc(k->ss);
    k->next = malloc(entries * sizeof *k->next);
    if (!fat || !other || !k->next) {
        free(fat);
        free(other);
        return -ENOMEM;
    }
    int rc = 0;
    for (uint32_t i = 0; i < secs && rc == 0; i++)
        if (ck_read(k, k->reserved + i, fat + (size_t)i * k->ss) < 0) {
            ck_say(k, "cannot read sector %u of the FAT", i);
            rc = -EIO;
        }
    for (uint32_t n = 0; n < entries && rc == 0; n++)
        k->next[n] = (uint16_t)fat_entry(k, fat, n);

    /* Copies compared over their whole size, sector by sector. */
    for (uint32_t copy = 1; copy < k->n_fats && rc == 0; copy++) {
        uint32_t differ = 0, first = 0;
        for (uint32_t i = 0; i < k->fat_size; i++) {
            uint32_t lba1 = k->reserved + i, lba2 = k->reserved + copy * k->fat_size + i;
            const uint8_t *a = k->sec;
            if (i < secs)
                a = fat + (size_t)i * k->ss;
            else if (ck_read(k, lba1, k->sec) < 0)
                break;
            if (ck_read(k, lba2, other) < 0) {
                ck_problem(k, CK_NONE, "FAT %u: cannot read its sector %u", copy + 1, i);
                break;
            }
            if (memcmp(a, other, k->ss) != 0 && differ++ == 0) {
                uint32_t off = 0;
                while (a[off] == other[off])
                    off++;
                first = (uint32_t)((uint64_t)i * k->ss + off);
            }
        }
        if (differ) {
            uint32_t entry = k->bits == 12 ? first * 2 / 3 : first / 2;
            ck_problem(k, CK_NONE, "FAT %u differs from FAT 1 in %u of %u sectors (first at entry %u)",
                       copy + 1, differ, k->fat_size, entry);
        }
    }
    free(fat);
    free(other);
    if (rc < 0)
        return rc;

    uint32_t mask = k->bits == 12 ? 0xFFF : 0xFFFF;
    uint32_t want0 = (mask & ~0xFFu) | k->media;
    if (k->next[0] != want0)
        ck_problem(k, CK_NONE, "FAT entry 0 is 0x%0*X, expected 0x%0*X for media byte 0x%02X",
                   k->bits / 4, k->next[0], k->bits / 4, want0, k->media);
    /* FAT16 entry 1 may carry the clean/error flags in its top two bits. */
    uint32_t e1 = k->bits == 16 ? (k->next[1] | 0xC000u) : k->next[1];
    if (e1 < ck_eoc_min(k))
        ck_problem(k, CK_NONE, "FAT entry 1 is 0x%0*X, expected an end-of-chain mark",
                   k->bits / 4, k->next[1]);
    return 0;
}

/* ---- lost clusters and usage ------------------------------------------------ */

static int count_clusters(ck *k)
{
    uint32_t last = k->n_clusters + 1, eoc = ck_eoc_min(k), bad = ck_bad_value(k);
    uint32_t lost = 0, chains = 0;
    uint8_t *pointed = calloc((size_t)last + 1, 1);
    if (!pointed)
        return -ENOMEM;
    vb_fat_check_stats *st = k->st;
    for (uint32_t c = 2; c <= last; c++) {
        uint32_t v = k->next[c];
        if (v == 0) {
            st->free_clusters++;
            continue;
        }
        st->used_clusters++;
        if (v == bad) {
            st->bad_clusters++;
        } else if (k->owner[c] == CK_NONE) {
            lost++;
            if (v >= 2 && v <= last && v < eoc)
                pointed[v] = 1;
        }
    }
    /* A lost chain starts at a lost cluster no other lost cluster points to. */
    char heads[160] = "";
    size_t hl = 0;
    for (uint32_t c = 2; c <= last && lost; c++) {
        if (k->next[c] == 0 || k->next[c] == bad || k->owner[c] != CK_NONE || pointed[c])
            continue;
        if (chains++ < 8)
            hl += (size_t)snprintf(heads + hl, sizeof heads - hl, "%s%u", chains > 1 ? ", " : "", c);
        else if (chains == 9)
            snprintf(heads + hl, sizeof heads - hl, ", ...");
    }
    free(pointed);
    st->lost_clusters = lost;
    if (lost)
        ck_problem(k, CK_NONE, "%u lost cluster%s (%llu bytes): allocated in the FAT but part of no "
                   "file or directory%s%s%s", lost, lost == 1 ? "" : "s",
                   (unsigned long long)lost * k->spc * k->ss,
                   chains ? " (chains start at " : "", heads, chains ? ")" : "");
    return 0;
}

/* ---- entry point ------------------------------------------------------------ */

int vb_fat_check(const vb_blockdev *bd, vb_fat_check_report_fn report, void *ctx,
                 vb_fat_check_stats *stats)
{
    vb_fat_check_stats dummy;
    ck k = {.bd = bd, .report = report, .rctx = ctx, .st = stats ? stats : &dummy};
    memset(k.st, 0, sizeof *k.st);
    if (!bd || !bd->read || bd->sector_size < 512 || bd->sector_size > 4096 ||
        !pow2(bd->sector_size) || bd->sector_count == 0) {
        ck_say(&k, "no FAT filesystem: the device has no usable sectors");
        return -ENODEV;
    }
    k.sec = malloc(bd->sector_size);
    if (!k.sec)
        return -ENOMEM;
    int rc = find_volume(&k);
    if (rc == 0)
        rc = check_bpb(&k);
    if (rc == 0) {
        k.st->fat_bits = k.bits;
        k.st->volume_base = k.base;
        k.st->cluster_bytes = k.spc * k.ss;
        k.st->clusters = k.n_clusters;
        rc = load_fats(&k);
    }
    if (rc == 0) {
        k.owner = malloc(((size_t)k.n_clusters + 2) * sizeof *k.owner);
        rc = k.owner ? 0 : -ENOMEM;
    }
    if (rc == 0) {
        memset(k.owner, 0xFF, ((size_t)k.n_clusters + 2) * sizeof *k.owner);
        rc = ck_walk_tree(&k);
    }
    if (rc == 0)
        rc = count_clusters(&k);
    free(k.sec);
    free(k.next);
    free(k.owner);
    free(k.nodes);
    free(k.names);
    return rc < 0 ? rc : k.problems;
}
