/* Directories (flash.md §4.3-§4.4): walking entries, assembling long names,
 * lookup, entry allocation with unique aliases, and path resolution.
 *
 * A directory is addressed by its first cluster (0 = the fixed root) and an
 * entry index; positions never go past DIR_MAX_ENTRIES, so a looping cluster
 * chain ends a walk instead of hanging it. */
#include <errno.h>
#include <string.h>

#include "fat_internal.h"
#include "fat_name.h"

uint32_t fat_entry_cluster(const vb_fat *fs, const uint8_t *raw)
{
    (void)fs; /* FAT12/16: the high word (FAT32 only) is ignored */
    return vb_ld16(raw + DE_CLUST);
}

void fat_entry_set_cluster(const vb_fat *fs, uint8_t *raw, uint32_t clst)
{
    (void)fs;
    vb_st16(raw + DE_CLUST, (uint16_t)clst);
    vb_st16(raw + DE_CLUST_HI, 0);
}

/* ---- positions ------------------------------------------------------------ */

int fat_dir_seek(vb_fat *fs, vb_fat_dir *d, uint32_t start, uint32_t index)
{
    d->fs = fs;
    d->start = start;
    d->index = index;
    d->sect = 0;
    d->clust = start;
    if (index >= DIR_MAX_ENTRIES) return -EIO;
    uint32_t per_sect = fs->ss / DIR_ENTRY;
    if (start == 0) {
        if (index >= fs->root_entries) return -EIO;
        d->sect = fs->root_start + index / per_sect;
        return 0;
    }
    uint32_t per_clust = per_sect * fs->spc, clst = start, n = index / per_clust;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v;
        int rc = fat_get(fs, clst, &v);
        if (rc < 0) return rc;
        if (v < 2 || v >= fs->n_clusters + 2) return -EIO;
        clst = v;
    }
    uint32_t sect = fat_clust2sect(fs, clst);
    if (!sect) return -EIO;
    d->clust = clst;
    d->sect = sect + (index % per_clust) / per_sect;
    return 0;
}

int fat_dir_next(vb_fat_dir *d, int stretch)
{
    vb_fat *fs = d->fs;
    uint32_t next = d->index + 1, per_sect = fs->ss / DIR_ENTRY;
    if (d->sect == 0 || next >= DIR_MAX_ENTRIES) {
        d->sect = 0;    /* stays at the end: later reads see no entry */
        return -ENOENT;
    }
    if (next % per_sect == 0) {
        if (d->start == 0) {
            if (next >= fs->root_entries) { d->sect = 0; return -ENOENT; }
            d->sect++;
        } else if ((next / per_sect) % fs->spc == 0) {
            uint32_t v;
            int rc = fat_get(fs, d->clust, &v);
            if (rc < 0) return rc;
            if (v < 2) return -EIO;
            if (v >= fs->n_clusters + 2) {
                if (!stretch) { d->sect = 0; return -ENOENT; }
                int64_t c = fat_create_chain(fs, d->clust);
                if (c < 0) return (int)c;
                if (c == 0) return -EACCES;   /* no space to grow: FatFs "denied" */
                if ((rc = fat_clear_cluster(fs, (uint32_t)c)) < 0) return rc;
                v = (uint32_t)c;
            }
            d->clust = v;
            d->sect = fat_clust2sect(fs, v);
            if (!d->sect) return -EIO;
        } else {
            d->sect++;
        }
    }
    d->index = next;
    return 0;
}

int fat_dir_entry(vb_fat_dir *d, uint8_t **ent)
{
    if (d->sect == 0) return -ENOENT;
    int rc = fat_move_window(d->fs, d->sect);
    if (rc < 0) return rc;
    *ent = d->fs->win + (d->index % (d->fs->ss / DIR_ENTRY)) * DIR_ENTRY;
    return 0;
}

/* ---- reading entries with their long names ----------------------------- */

/* Shared walker for listing (`for_find` = 0) and lookup (1): they differ
 * only in which entries FatFs skips. Long-name slots are collected as they
 * come; they count only if ordinals run down to 1, checksums agree with the
 * 8.3 entry and every slot is well formed (flash.md §4.4). */
static int read_entry(vb_fat_dir *d, fat_entry *e, int for_find)
{
    vb_fat *fs = d->fs;
    int ord = -1;                  /* expected ordinal of the next slot, -1 none */
    uint8_t sum = 0;
    int len = 0;
    e->first_index = UINT32_MAX;
    for (;;) {
        uint8_t *ent;
        int rc = fat_dir_entry(d, &ent);
        if (rc == -ENOENT) return 0;
        if (rc < 0) return rc;
        uint8_t c = ent[DE_NAME], a = ent[DE_ATTR] & 0x3F;
        if (c == 0) return 0;
        int skip = for_find ? (c == DE_DELETED || ((a & VB_FAT_ATTR_VOLUME) && a != VB_FAT_ATTR_LFN))
                            : (c == DE_DELETED || c == '.' ||
                               (a != VB_FAT_ATTR_LFN && (a & ~VB_FAT_ATTR_ARCHIVE) == VB_FAT_ATTR_VOLUME));
        if (skip) {
            ord = -1;
        } else if (a == VB_FAT_ATTR_LFN) {
            if (c & 0x40) {        /* the last slot comes first */
                ord = c & 0x3F;
                sum = ent[13];
                e->first_index = d->index;
                len = -1;
            }
            bool term = false;
            int n = (ord > 0 && (c & 0x3F) == ord && ent[13] == sum)
                        ? vb_fatname_lfn_unpack(ent, e->lfn, &term) : -1;
            /* Only the highest slot may end early. */
            if (n < 0 || (!(c & 0x40) && (n != 13 || term))) {
                ord = -1;
            } else {
                if (c & 0x40) len = (ord - 1) * 13 + n;
                ord--;
            }
        } else {
            memcpy(e->raw, ent, DIR_ENTRY);
            e->sfn_index = d->index;
            e->sfn_sect = d->sect;
            e->sfn_off = (uint32_t)(ent - fs->win);
            if (ord == 0 && len > 0 && sum == vb_fatname_checksum(ent)) {
                e->lfn_len = len;
            } else {
                e->lfn_len = 0;
                e->first_index = d->index;
            }
            rc = fat_dir_next(d, 0);
            if (rc < 0 && rc != -ENOENT) return rc;
            return 1;
        }
        rc = fat_dir_next(d, 0);
        if (rc == -ENOENT) return 0;
        if (rc < 0) return rc;
    }
}

int fat_dir_read(vb_fat_dir *d, fat_entry *e) { return read_entry(d, e, 0); }

int fat_name_parse(const vb_fat *fs, const char *comp, size_t len, fat_name *out)
{
    int n = vb_fatname_decode(comp, len, fs->names, out->lfn);
    if (n < 0) return n;
    out->len = n;
    vb_fatname_sfn b;
    int rc = vb_fatname_basis(out->lfn, n, &b);
    if (rc < 0) return rc;
    memcpy(out->sfn, b.sfn, 11);
    out->nt = b.need_lfn ? 0 : b.nt;
    out->need_lfn = b.need_lfn;
    out->lossy = b.lossy;
    return 0;
}

/* Lookup by long name (case-insensitive), or by 8.3 bytes when the
 * requested name converts to 8.3 without loss. `sfn_only` is the alias
 * search of dir_register: compare 8.3 bytes alone. */
static int find(vb_fat *fs, uint32_t start, const fat_name *name, int sfn_only, fat_entry *e)
{
    vb_fat_dir d;
    int rc = fat_dir_seek(fs, &d, start, 0);
    if (rc < 0) return rc;
    while ((rc = read_entry(&d, e, 1)) == 1) {
        if (!sfn_only && e->lfn_len &&
            vb_fatname_equal(e->lfn, e->lfn_len, name->lfn, name->len))
            return 1;
        if ((sfn_only || !name->lossy) && memcmp(e->raw, name->sfn, 11) == 0)
            return 1;
    }
    return rc;
}

int fat_dir_find(vb_fat *fs, uint32_t start, const fat_name *name, fat_entry *e)
{
    return find(fs, start, name, 0, e);
}

/* ---- paths ------------------------------------------------------------------ */

#define MAX_DEPTH 128

int fat_follow_path(vb_fat *fs, const char *path, fat_path *p)
{
    /* Split into components; "." and ".." are resolved by name. */
    const char *comp[MAX_DEPTH];
    size_t clen[MAX_DEPTH];
    int n = 0;
    for (const char *s = path; *s;) {
        while (*s == '/' || *s == '\\') s++;
        if (!*s) break;
        const char *e = s;
        while (*e && *e != '/' && *e != '\\') e++;
        size_t l = (size_t)(e - s);
        if (l == 1 && s[0] == '.') {
            /* nothing */
        } else if (l == 2 && s[0] == '.' && s[1] == '.') {
            if (n > 0) n--;
        } else {
            if (n == MAX_DEPTH) return -ENAMETOOLONG;
            comp[n] = s;
            clen[n] = l;
            n++;
        }
        s = e;
    }
    memset(&p->e, 0, sizeof p->e);
    p->parent = 0;
    p->found = 0;
    p->is_root = n == 0;
    if (n == 0) {
        p->found = 1;
        p->name.len = 0;
        return 0;
    }
    uint32_t dir = 0;
    for (int i = 0; i < n; i++) {
        int rc = fat_name_parse(fs, comp[i], clen[i], &p->name);
        if (rc < 0) return rc;
        rc = fat_dir_find(fs, dir, &p->name, &p->e);
        if (rc < 0) return rc;
        if (i == n - 1) {
            p->parent = dir;
            p->found = rc;
            return 0;
        }
        if (rc == 0 || !(p->e.raw[DE_ATTR] & VB_FAT_ATTR_DIR)) return -ENOENT;
        dir = fat_entry_cluster(fs, p->e.raw);
        /* ".." of a first-level directory says 0: that is the root. */
    }
    return 0;
}

/* ---- creating and removing entries ------------------------------------------ */

/* Find `count` consecutive free slots (deleted or never used), growing a
 * subdirectory if needed; d is left on the last of them. */
static int dir_alloc(vb_fat *fs, vb_fat_dir *d, uint32_t start, uint32_t count)
{
    int rc = fat_dir_seek(fs, d, start, 0);
    uint32_t run = 0;
    while (rc == 0) {
        uint8_t *ent;
        if ((rc = fat_dir_entry(d, &ent)) < 0) break;
        if (ent[DE_NAME] == DE_DELETED || ent[DE_NAME] == 0) {
            if (++run == count) return 0;
        } else {
            run = 0;
        }
        rc = fat_dir_next(d, 1);
    }
    return rc == -ENOENT ? -EACCES : rc;   /* full: FatFs "denied" */
}

int fat_dir_register(vb_fat *fs, uint32_t parent, fat_name *name,
                     uint32_t *sfn_sect, uint32_t *sfn_off)
{
    int rc;
    if (name->lossy) {
        /* Unique alias: ~1..~5, then hashed tails; 99 collisions → denied. */
        uint8_t basis[11];
        memcpy(basis, name->sfn, 11);
        fat_entry tmp;
        unsigned seq;
        for (seq = 1; seq < 100; seq++) {
            vb_fatname_add_tail(name->sfn, basis, name->lfn, name->len, seq);
            rc = find(fs, parent, name, 1, &tmp);
            if (rc < 0) return rc;
            if (rc == 0) break;
        }
        if (seq == 100) return -EACCES;
    }
    uint32_t slots = name->need_lfn ? ((uint32_t)name->len + 12) / 13 : 0;
    vb_fat_dir d;
    if ((rc = dir_alloc(fs, &d, parent, slots + 1)) < 0) return rc;
    if (slots) {
        uint8_t sum = vb_fatname_checksum(name->sfn);
        if ((rc = fat_dir_seek(fs, &d, parent, d.index - slots)) < 0) return rc;
        for (uint32_t k = slots; k >= 1; k--) {
            uint8_t *ent;
            if ((rc = fat_dir_entry(&d, &ent)) < 0) return rc;
            if ((rc = vb_fatname_lfn_pack(ent, name->lfn, name->len, (int)k, sum)) < 0) return rc;
            fs->win_dirty = true;
            if ((rc = fat_dir_next(&d, 0)) < 0) return rc == -ENOENT ? -EIO : rc;
        }
    }
    uint8_t *ent;
    if ((rc = fat_dir_entry(&d, &ent)) < 0) return rc;
    memset(ent, 0, DIR_ENTRY);
    memcpy(ent, name->sfn, 11);
    ent[DE_NTRES] = name->nt;
    fs->win_dirty = true;
    *sfn_sect = d.sect;
    *sfn_off = (uint32_t)(ent - fs->win);
    return 0;
}

int fat_dir_remove(vb_fat *fs, uint32_t parent, const fat_entry *e)
{
    vb_fat_dir d;
    int rc = fat_dir_seek(fs, &d, parent, e->first_index);
    while (rc == 0) {
        uint8_t *ent;
        if ((rc = fat_dir_entry(&d, &ent)) < 0) return rc;
        ent[DE_NAME] = DE_DELETED;
        fs->win_dirty = true;
        if (d.index >= e->sfn_index) return 0;
        rc = fat_dir_next(&d, 0);
    }
    return rc == -ENOENT ? -EIO : rc;
}

void fat_entry_stat(const vb_fat *fs, const fat_entry *e, vb_fat_info *st)
{
    const uint8_t *r = e->raw;
    memset(st, 0, sizeof *st);
    if (e->lfn_len > 0 &&
        vb_fatname_encode(e->lfn, e->lfn_len, fs->names, st->name, sizeof st->name) >= 0) {
        /* long name */
    } else if (vb_fatname_sfn_to_name(r, r[DE_NTRES], fs->names, st->name, sizeof st->name) < 0) {
        st->name[0] = 0;
    }
    vb_fatname_sfn_short(r, st->short_name);
    st->attr = r[DE_ATTR];
    st->is_dir = (r[DE_ATTR] & VB_FAT_ATTR_DIR) != 0;
    st->size = st->is_dir ? 0 : vb_ld32(r + DE_SIZE);
    st->first_cluster = fat_entry_cluster(fs, r);
    st->wtime = vb_ld16(r + DE_WTIME);
    st->wdate = vb_ld16(r + DE_WDATE);
    st->ctime = vb_ld16(r + DE_CTIME);
    st->cdate = vb_ld16(r + DE_CDATE);
}
