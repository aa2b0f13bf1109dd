/* Image surgery for the littlefs tests: decode the tags of a metadata block
 * (SPEC.md "Directories / Metadata pairs"), change a tag or its data, and
 * write the block back with the XOR chain and every commit CRC recomputed,
 * so that a deliberate corruption gets past the CRCs and reaches the logic
 * behind them. Written independently of src/fs (its own decoding).
 * Header-only (static inline). */
#ifndef VB_TEST_LFS2_IMG_H
#define VB_TEST_LFS2_IMG_H

#include <stdint.h>
#include <string.h>

#include "util/crc32.h"

typedef struct img_tag {
    uint32_t tag;   /* decoded, valid bit clear */
    uint32_t off;   /* offset of the tag in the block */
} img_tag;

static inline uint32_t img_be(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void img_put_be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline uint32_t img_le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void img_put_le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t img_type3(uint32_t t) { return (t >> 20) & 0x7FF; }
static inline uint32_t img_id(uint32_t t) { return (t >> 10) & 0x3FF; }
static inline uint32_t img_size(uint32_t t) { return t & 0x3FF; }
static inline uint32_t img_dsize(uint32_t t) { return 4 + ((t & 0x3FF) == 0x3FF ? 0 : (t & 0x3FF)); }
static inline int img_is_ccrc(uint32_t t) { return ((t >> 20) & 0x780) == 0x500 && img_type3(t) != 0x5FF; }

/* Decode every tag of the block's valid commits (CRCs checked); returns the
 * count, or -1 when there is no valid commit. */
static inline int img_tags(const uint8_t *b, uint32_t bs, img_tag *out, int max)
{
    uint32_t off = 4, ptag = 0xFFFFFFFFu, crc = vb_crc32_raw(0xFFFFFFFFu, b, 4);
    int n = 0, valid = -1;
    while (off + 4 <= bs && n < max) {
        uint32_t tag = img_be(b + off) ^ ptag;
        if (tag & 0x80000000u)
            break;
        uint32_t ds = img_dsize(tag);
        if (off + ds > bs)
            break;
        crc = vb_crc32_raw(crc, b + off, 4);
        out[n].tag = tag;
        out[n].off = off;
        n++;
        if (img_is_ccrc(tag)) {
            if (img_le(b + off + 4) != crc)
                break;
            valid = n;
            ptag = tag ^ ((uint32_t)((tag >> 20) & 1) << 31);
            crc = 0xFFFFFFFFu;
        } else {
            crc = vb_crc32_raw(crc, b + off + 4, ds - 4);
            ptag = tag;
        }
        off += ds;
    }
    return valid;
}

/* Write the decoded tags back (same offsets and sizes), then fix every CRC
 * (FCRCs are left as they are). */
static inline void img_encode(uint8_t *b, const img_tag *t, int n)
{
    uint32_t ptag = 0xFFFFFFFFu, crc = vb_crc32_raw(0xFFFFFFFFu, b, 4);
    for (int i = 0; i < n; i++) {
        img_put_be(b + t[i].off, t[i].tag ^ ptag);
        crc = vb_crc32_raw(crc, b + t[i].off, 4);
        if (img_is_ccrc(t[i].tag)) {
            img_put_le(b + t[i].off + 4, crc);
            ptag = t[i].tag ^ ((uint32_t)((t[i].tag >> 20) & 1) << 31);
            crc = 0xFFFFFFFFu;
        } else {
            crc = vb_crc32_raw(crc, b + t[i].off + 4, img_dsize(t[i].tag) - 4);
            ptag = t[i].tag;
        }
    }
}

/* Recompute the CRCs of whatever commits the block holds, without checking
 * the old ones (for mutation tests). */
static inline void img_recrc(uint8_t *b, uint32_t bs)
{
    uint32_t off = 4, ptag = 0xFFFFFFFFu, crc = vb_crc32_raw(0xFFFFFFFFu, b, 4);
    while (off + 4 <= bs) {
        uint32_t tag = img_be(b + off) ^ ptag;
        if (tag & 0x80000000u)
            break;
        uint32_t ds = img_dsize(tag);
        if (off + ds > bs)
            break;
        crc = vb_crc32_raw(crc, b + off, 4);
        if (img_is_ccrc(tag)) {
            if (ds >= 8)
                img_put_le(b + off + 4, crc);
            ptag = tag ^ ((uint32_t)((tag >> 20) & 1) << 31);
            crc = 0xFFFFFFFFu;
        } else {
            crc = vb_crc32_raw(crc, b + off + 4, ds - 4);
            ptag = tag;
        }
        off += ds;
    }
}

/* Index of the last tag of type3 `type` (and id `id` unless < 0), or -1. */
static inline int img_find(const img_tag *t, int n, uint32_t type, int id)
{
    for (int i = n - 1; i >= 0; i--)
        if (img_type3(t[i].tag) == type && (id < 0 || img_id(t[i].tag) == (uint32_t)id))
            return i;
    return -1;
}

/* Index of the newest tag of entry `id` (as ids are now) whose type3
 * matches `type` under `mask`, following creates and deletes back through
 * the log; -1 when there is none since the entry was created. */
static inline int img_find_entry(const img_tag *t, int n, uint32_t id, uint32_t mask, uint32_t type)
{
    for (int i = n - 1; i >= 0; i--) {
        uint32_t ty = img_type3(t[i].tag), tid = img_id(t[i].tag);
        if ((ty & 0x700) == 0x400) {
            if (ty == 0x401 && tid == id)
                return -1;
            if (tid <= id)
                id = ty == 0x401 ? id - 1 : id + 1;
            continue;
        }
        if ((ty & mask) == type && tid == id)
            return i;
    }
    return -1;
}

/* The block of a pair holding the newer revision with a valid commit. */
static inline uint32_t img_newest(const uint8_t *mem, uint32_t bs, const uint32_t pair[2])
{
    static img_tag t[1100];
    const uint8_t *a = mem + (size_t)pair[0] * bs, *b = mem + (size_t)pair[1] * bs;
    int va = img_tags(a, bs, t, 1100) >= 0;
    int vb = img_tags(b, bs, t, 1100) >= 0;
    if (va && vb)
        return (int32_t)(img_le(b) - img_le(a)) > 0 ? pair[1] : pair[0];
    return va ? pair[0] : pair[1];
}

#endif
