/* The Pycom otadata record `boot_info` (flash.md §2.1): the first 40 bytes of
 * the 4 KiB otadata sector, little-endian u32 fields, CRC-32 of bytes 0..35
 * with register preset 0 and final XOR 0xFFFFFFFF (zlib crc32(data,
 * 0xFFFFFFFF)). Encoding is explicit byte by byte; the struct mirrors the
 * on-flash layout and its size is asserted so a field cannot be added by
 * accident. */
#ifndef VB_FLASH_OTADATA_H
#define VB_FLASH_OTADATA_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flash.h"

#define VB_OTADATA_LEN 40u
#define VB_OTADATA_CRC_LEN 36u  /* bytes covered by the CRC */

/* ActiveImg / PrevImg */
#define VB_OTA_IMG_FACTORY 0u
#define VB_OTA_IMG_OTA_0 1u
#define VB_OTA_IMG_UPDATE2 2u   /* the factory slot again (0x10000) */
/* Status */
#define VB_OTA_STATUS_CHECK 0u  /* new image: verify at next boot */
#define VB_OTA_STATUS_READY 1u
#define VB_OTA_STATUS_PATCH 2u
#define VB_OTA_STATUS_ERASED 0xFFFFFFFFu
/* safeboot */
#define VB_OTA_SAFEBOOT_NONE 0u
#define VB_OTA_SAFEBOOT_HW 1u
#define VB_OTA_SAFEBOOT_SW 2u

typedef struct vb_otadata {
    uint32_t active_img;    /* offset 0 */
    uint32_t status;        /* 4 */
    uint32_t prev_img;      /* 8 */
    uint32_t size;          /* 12: bytes of the last OTA; 0xFFFFFFFF never set */
    uint32_t safeboot;      /* 16 */
    uint8_t signature[16];  /* 20: unused by 1.20.x, kept as read */
    uint32_t crc;           /* 36 */
} vb_otadata;

static_assert(sizeof(vb_otadata) == VB_OTADATA_LEN, "boot_info is 40 bytes on flash");
static_assert(offsetof(vb_otadata, signature) == 20, "signature at byte 20");
static_assert(offsetof(vb_otadata, crc) == VB_OTADATA_CRC_LEN, "crc at byte 36");

/* CRC of the first 36 bytes of a record, as the bootloader computes it. */
uint32_t vb_otadata_crc(const uint8_t raw[VB_OTADATA_LEN]);

/* Bytes to fields, crc copied as stored (not checked). */
void vb_otadata_decode(const uint8_t raw[VB_OTADATA_LEN], vb_otadata *r);
/* Fields to bytes; the crc is computed over bytes 0..35, stored at 36 and in
 * r->crc (r->crc is ignored on entry). */
void vb_otadata_encode(vb_otadata *r, uint8_t raw[VB_OTADATA_LEN]);

/* Valid <=> Status != 0xFFFFFFFF and the stored crc matches. */
bool vb_otadata_valid(const uint8_t raw[VB_OTADATA_LEN]);

/* What the bootloader works with: the record itself when valid (returns
 * true); otherwise (erased, torn, bad crc) the rewrite it does: Active = Prev
 * = factory, Status = READY, safeboot = 0, size and signature as read, crc
 * recomputed (returns false: the caller must write it back). */
bool vb_otadata_load(const uint8_t raw[VB_OTADATA_LEN], vb_otadata *r);

/* Read the record at `offset` of the flash and apply vb_otadata_load.
 * Returns 1 if valid, 0 if defaults were produced, or a negative errno. */
int vb_otadata_read(vb_flash *f, uint32_t offset, vb_otadata *r);
/* Every update: erase the 4 KiB sector at `offset`, then program the 40
 * encoded bytes (a cut in between leaves an erased record). r->crc is
 * updated. */
int vb_otadata_write(vb_flash *f, uint32_t offset, vb_otadata *r);

#endif
