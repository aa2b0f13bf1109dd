/* ESP-IDF partition table: build from a partition list, parse from flash bytes
 * (flash.md §2). Little-endian fields; see parttable.h for the layout. */
#include "../util/le.h"
#include "../util/errtext.h"
#include "parttable.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../util/md5.h"

#define MAGIC0 0xAA
#define MAGIC1 0x50
#define MD5_MAGIC 0xEB


int vb_parttable_build(const vb_partition *parts, unsigned n_parts, uint8_t *buf, size_t len)
{
    if (!parts || !buf || len < VB_PARTTABLE_LEN || n_parts == 0 ||
        n_parts > VB_PARTTABLE_MAX_ENTRIES)
        return -EINVAL;
    memset(buf, 0xFF, VB_PARTTABLE_LEN);
    uint8_t *e = buf;
    for (unsigned i = 0; i < n_parts; i++, e += VB_PARTTABLE_ENTRY) {
        const vb_partition *part = &parts[i];
        size_t label_len = part->label ? strlen(part->label) : 0;
        if (label_len > 16)
            return -EINVAL;
        e[0] = MAGIC0;
        e[1] = MAGIC1;
        e[2] = part->type;
        e[3] = part->subtype;
        vb_st32(e + 4, part->offset);
        vb_st32(e + 8, part->size);
        memset(e + 12, 0, 16);
        if (label_len)
            memcpy(e + 12, part->label, label_len);
        vb_st32(e + 28, part->flags);
    }
    size_t entries_len = (size_t)(e - buf);
    e[0] = MD5_MAGIC;
    e[1] = MD5_MAGIC;
    /* bytes 2..15 stay 0xFF */
    vb_md5(buf, entries_len, e + 16);
    return (int)(entries_len + VB_PARTTABLE_ENTRY);
}

int vb_parttable_parse(const uint8_t *buf, size_t len, vb_part_rec *out, unsigned max,
                       char *err, size_t errlen)
{
    if (len > VB_PARTTABLE_LEN)
        len = VB_PARTTABLE_LEN;
    unsigned n = 0;
    for (size_t pos = 0; pos + VB_PARTTABLE_ENTRY <= len; pos += VB_PARTTABLE_ENTRY) {
        const uint8_t *e = buf + pos;
        if (e[0] == MD5_MAGIC && e[1] == MD5_MAGIC) {
            for (unsigned i = 2; i < 16; i++)
                if (e[i] != 0xFF) {
                    vb_set_err(err, errlen, "partition table MD5 entry at byte %zu is malformed", pos);
                    return -EINVAL;
                }
            if (n == 0) {
                vb_set_err(err, errlen, "partition table has no entries");
                return -EINVAL;
            }
            uint8_t digest[VB_MD5_LEN];
            vb_md5(buf, pos, digest);
            if (memcmp(digest, e + 16, VB_MD5_LEN) != 0) {
                vb_set_err(err, errlen, "partition table MD5 does not match its %u entries", n);
                return -EINVAL;
            }
            return (int)n;
        }
        if (e[0] == 0xFF && e[1] == 0xFF) {
            if (n == 0)
                vb_set_err(err, errlen, "no partition table (the table area is erased)");
            else
                vb_set_err(err, errlen, "partition table ends after %u entries without an MD5 entry", n);
            return -EINVAL;
        }
        if (e[0] != MAGIC0 || e[1] != MAGIC1) {
            vb_set_err(err, errlen, "partition table entry %u has bad magic %02X %02X", n, e[0], e[1]);
            return -EINVAL;
        }
        if (n >= max) {
            vb_set_err(err, errlen, "partition table has more than %u entries", max);
            return -EINVAL;
        }
        vb_part_rec *r = &out[n++];
        r->type = e[2];
        r->subtype = e[3];
        r->offset = vb_ld32(e + 4);
        r->size = vb_ld32(e + 8);
        memcpy(r->label, e + 12, 16);
        r->label[16] = '\0';
        r->flags = vb_ld32(e + 28);
    }
    vb_set_err(err, errlen, "partition table has no MD5 entry within %zu bytes", len);
    return -EINVAL;
}

int vb_parttable_find(const vb_part_rec *recs, unsigned n, const char *label)
{
    for (unsigned i = 0; i < n; i++)
        if (strcmp(recs[i].label, label) == 0)
            return (int)i;
    return -ENOENT;
}

int vb_parttable_write(vb_flash *f, uint32_t offset, const vb_partition *parts, unsigned n_parts)
{
    uint8_t table[VB_PARTTABLE_LEN];
    int rc = vb_parttable_build(parts, n_parts, table, sizeof table);
    if (rc < 0)
        return rc;
    if (offset % VB_FLASH_BLOCK)
        return -EINVAL;
    rc = vb_flash_erase(f, offset, VB_FLASH_BLOCK);
    if (rc == 0)
        rc = vb_flash_program(f, offset, table, sizeof table);
    return rc;
}

int vb_parttable_read(vb_flash *f, uint32_t offset, vb_part_rec *out, unsigned max,
                      char *err, size_t errlen)
{
    uint8_t table[VB_PARTTABLE_LEN];
    int rc = vb_flash_read(f, offset, table, sizeof table);
    if (rc < 0) {
        vb_set_err(err, errlen, "cannot read the partition table at 0x%X", (unsigned)offset);
        return rc;
    }
    return vb_parttable_parse(table, sizeof table, out, max, err, errlen);
}
