/* Pycom otadata record (flash.md §2.1). */
#include "../util/le.h"
#include "otadata.h"

#include <errno.h>
#include <string.h>

#include "../util/crc32.h"

uint32_t vb_otadata_crc(const uint8_t raw[VB_OTADATA_LEN])
{
    /* Pycom calls crc32_le(UINT32_MAX, ...) in ROM, which is zlib's
     * crc32(data, 0xFFFFFFFF): the register starts at 0. */
    return vb_crc32(raw, VB_OTADATA_CRC_LEN, 0x00000000u, 0xFFFFFFFFu);
}

void vb_otadata_decode(const uint8_t raw[VB_OTADATA_LEN], vb_otadata *r)
{
    r->active_img = vb_ld32(raw + 0);
    r->status = vb_ld32(raw + 4);
    r->prev_img = vb_ld32(raw + 8);
    r->size = vb_ld32(raw + 12);
    r->safeboot = vb_ld32(raw + 16);
    memcpy(r->signature, raw + 20, sizeof r->signature);
    r->crc = vb_ld32(raw + 36);
}

void vb_otadata_encode(vb_otadata *r, uint8_t raw[VB_OTADATA_LEN])
{
    vb_st32(raw + 0, r->active_img);
    vb_st32(raw + 4, r->status);
    vb_st32(raw + 8, r->prev_img);
    vb_st32(raw + 12, r->size);
    vb_st32(raw + 16, r->safeboot);
    memcpy(raw + 20, r->signature, sizeof r->signature);
    r->crc = vb_otadata_crc(raw);
    vb_st32(raw + 36, r->crc);
}

bool vb_otadata_valid(const uint8_t raw[VB_OTADATA_LEN])
{
    return vb_ld32(raw + 4) != VB_OTA_STATUS_ERASED && vb_ld32(raw + 36) == vb_otadata_crc(raw);
}

bool vb_otadata_load(const uint8_t raw[VB_OTADATA_LEN], vb_otadata *r)
{
    vb_otadata_decode(raw, r);
    if (vb_otadata_valid(raw))
        return true;
    r->active_img = VB_OTA_IMG_FACTORY;
    r->prev_img = VB_OTA_IMG_FACTORY;
    r->status = VB_OTA_STATUS_READY;
    r->safeboot = VB_OTA_SAFEBOOT_NONE;
    uint8_t tmp[VB_OTADATA_LEN];
    vb_otadata_encode(r, tmp); /* fills r->crc */
    return false;
}

int vb_otadata_read(vb_flash *f, uint32_t offset, vb_otadata *r)
{
    uint8_t raw[VB_OTADATA_LEN];
    int rc = vb_flash_read(f, offset, raw, sizeof raw);
    if (rc < 0)
        return rc;
    return vb_otadata_load(raw, r) ? 1 : 0;
}

int vb_otadata_write(vb_flash *f, uint32_t offset, vb_otadata *r)
{
    uint8_t raw[VB_OTADATA_LEN];
    if (offset % VB_FLASH_BLOCK)
        return -EINVAL;
    vb_otadata_encode(r, raw);
    int rc = vb_flash_erase(f, offset, VB_FLASH_BLOCK);
    if (rc == 0)
        rc = vb_flash_program(f, offset, raw, sizeof raw);
    return rc;
}
