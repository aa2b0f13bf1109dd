/* The ESP-IDF partition table at 0x8000 (flash.md §2).
 *
 * Layout: 32-byte entries `AA 50`, type, subtype, offset u32, size u32,
 * label[16] (NUL-padded), flags u32; then one MD5 entry `EB EB`, 14 x FF and
 * the MD5 of every entry byte before it; the rest, up to 0xC00 bytes, 0xFF.
 * Entry order matters: Pycom firmware finds otadata as entry index 2. */
#ifndef VB_FLASH_PARTTABLE_H
#define VB_FLASH_PARTTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "flash.h"

#define VB_PART_TYPE_APP 0x00
#define VB_PART_TYPE_DATA 0x01

/* One partition as a board profile lays it out (board/profile.h). */
typedef struct vb_partition {
    uint32_t offset, size;
    uint8_t type, subtype;
    const char *label;     /* at most 15 characters */
    uint32_t flags;        /* bit 0: encrypted */
} vb_partition;

#define VB_PARTTABLE_LEN 0xC00u   /* maximum table length; built tables are this long */
#define VB_PARTTABLE_ENTRY 32u
/* entries that fit with the MD5 entry after them */
#define VB_PARTTABLE_MAX_ENTRIES (VB_PARTTABLE_LEN / VB_PARTTABLE_ENTRY - 1)

/* subtypes used by the profiles (ESP-IDF values) */
#define VB_PART_SUBTYPE_FACTORY 0x00 /* app */
#define VB_PART_SUBTYPE_OTA_0 0x10   /* app */
#define VB_PART_SUBTYPE_OTA 0x00     /* data: otadata */
#define VB_PART_SUBTYPE_PHY 0x01     /* data */
#define VB_PART_SUBTYPE_NVS 0x02     /* data */
#define VB_PART_SUBTYPE_FAT 0x81     /* data */
#define VB_PART_SUBTYPE_PYCOM_CONFIG 0x06 /* data: Pycom config block */

#define VB_PART_FLAG_ENCRYPTED 0x1u

/* One parsed entry; the label is copied out of the table bytes. */
typedef struct vb_part_rec {
    uint32_t offset, size;
    uint8_t type, subtype;
    uint32_t flags;
    char label[17];  /* up to 16 bytes as stored, always NUL-terminated */
} vb_part_rec;

/* Build the table of n_parts partitions into buf (at least VB_PARTTABLE_LEN bytes): entries,
 * MD5 entry, 0xFF padding up to VB_PARTTABLE_LEN. Returns the number of
 * meaningful bytes (32 * (entries + 1)), or -EINVAL (no entries, too many,
 * a label longer than 16 bytes, buffer too small). */
int vb_parttable_build(const vb_partition *parts, unsigned n_parts, uint8_t *buf, size_t len);

/* Parse a table from `len` bytes (normally VB_PARTTABLE_LEN read at 0x8000):
 * entries up to the MD5 entry, whose digest must match. Fills up to `max`
 * records and returns the entry count, or -EINVAL with a sentence in err
 * (erased, bad magic, missing or wrong MD5, more than `max` entries). */
int vb_parttable_parse(const uint8_t *buf, size_t len, vb_part_rec *out, unsigned max,
                       char *err, size_t errlen);

/* Index of the record labelled `label`, or -ENOENT. */
int vb_parttable_find(const vb_part_rec *recs, unsigned n, const char *label);

/* Write the table of n_parts partitions at `offset` (a 4 KiB block) of f:
 * erase the block, program VB_PARTTABLE_LEN bytes (as flashing
 * partitions.bin does). */
int vb_parttable_write(vb_flash *f, uint32_t offset, const vb_partition *parts, unsigned n_parts);

/* Read VB_PARTTABLE_LEN bytes at `offset` of `f` and parse them as above. */
int vb_parttable_read(vb_flash *f, uint32_t offset, vb_part_rec *out, unsigned max,
                      char *err, size_t errlen);

#endif
