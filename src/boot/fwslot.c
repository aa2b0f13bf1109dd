/* Firmware images in flash slots: finding a slot by name, reading and
 * verifying what a slot holds, writing an image as esptool does
 * (fwimage.h). Everything goes through the flash model. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash/parttable.h"
#include "fwimage.h"
#include "util/crc32.h"
#include "util/errname.h"
#include "util/errtext.h"
#include "util/le.h"

void vb_fw_slot_name(const vb_partition *part, char *buf, size_t len)
{
    if (part->subtype == VB_PART_SUBTYPE_FACTORY)
        snprintf(buf, len, "factory");
    else if (part->subtype >= VB_PART_SUBTYPE_OTA_0 && part->subtype < VB_PART_SUBTYPE_OTA_0 + 16)
        snprintf(buf, len, "ota_%u", part->subtype - VB_PART_SUBTYPE_OTA_0);
    else
        snprintf(buf, len, "app_0x%02x", part->subtype);
}

const vb_partition *vb_fw_slot_find(const vb_profile *p, const char *slot)
{
    for (unsigned i = 0; i < p->n_parts; i++) {
        const vb_partition *part = &p->parts[i];
        if (part->type != VB_PART_TYPE_APP)
            continue;
        char name[16];
        vb_fw_slot_name(part, name, sizeof name);
        if (strcmp(name, slot) == 0)
            return part;
    }
    return NULL;
}

/* How many bytes of the slot to read: the image's own length when its
 * header is intact and it fits, else just enough for vb_fw_parse to say
 * what is wrong (the header, or the whole slot when it claims more). */
static size_t bytes_to_read(const uint8_t *h, size_t have, uint32_t size)
{
    if (have < VB_FW_HEADER_LEN || memcmp(h, VB_FW_MAGIC, 4) != 0 ||
        vb_ld32(h + VB_FW_CRC_OFFSET) != vb_crc32(h, VB_FW_CRC_OFFSET, 0xFFFFFFFFu, 0xFFFFFFFFu))
        return have;
    uint64_t total = (uint64_t)vb_ld16(h + 6) + vb_ld32(h + 8);
    return total < have ? have : total > size ? size : (size_t)total;
}

int vb_fw_read_slot(vb_flash *f, uint32_t offset, uint32_t size, uint8_t **buf, vb_fw_image *img,
                    char *err, size_t errlen)
{
    char e[64];
    *buf = NULL;
    memset(img, 0, sizeof *img);
    if ((uint64_t)offset + size > f->size) {
        vb_set_err(err, errlen, "slot 0x%X+0x%X lies outside the %zu-byte flash", offset, size,
                   f->size);
        return -EINVAL;
    }
    uint8_t head[VB_FW_HEADER_LEN];
    size_t have = size < sizeof head ? size : sizeof head;
    int rc = vb_flash_read(f, offset, head, have);
    if (rc < 0) {
        vb_set_err(err, errlen, "cannot read the slot at 0x%X: %s", offset, vb_errstr(rc, e, sizeof e));
        return rc;
    }
    size_t n = bytes_to_read(head, have, size);
    uint8_t *b = malloc(n ? n : 1);
    if (!b) {
        vb_set_err(err, errlen, "out of memory reading the slot at 0x%X", offset);
        return -ENOMEM;
    }
    if ((rc = vb_flash_read(f, offset, b, n)) < 0) {
        vb_set_err(err, errlen, "cannot read the slot at 0x%X: %s", offset, vb_errstr(rc, e, sizeof e));
        free(b);
        return rc;
    }
    rc = vb_fw_parse(b, n, img, err, errlen);
    if (rc < 0) {
        free(b);
        return rc;
    }
    *buf = b;
    return 0;
}

int vb_fw_write_slot(vb_flash *f, uint32_t offset, uint32_t size, const uint8_t *img, size_t len,
                     char *err, size_t errlen)
{
    char e[64];
    if (len > size) {
        vb_set_err(err, errlen, "firmware of %zu bytes does not fit the slot at 0x%X (%u bytes)",
                   len, offset, size);
        return -EFBIG;
    }
    if (offset % VB_FLASH_BLOCK || size % VB_FLASH_BLOCK || (uint64_t)offset + size > f->size) {
        vb_set_err(err, errlen, "slot 0x%X+0x%X is not a block-aligned part of the flash", offset,
                   size);
        return -EINVAL;
    }
    /* esptool write_flash: erase the sectors the data covers, then program. */
    size_t span = (len + VB_FLASH_BLOCK - 1) / VB_FLASH_BLOCK * VB_FLASH_BLOCK;
    int rc = span ? vb_flash_erase(f, offset, span) : 0;
    if (rc < 0) {
        vb_set_err(err, errlen, "cannot erase the slot at 0x%X: %s", offset, vb_errstr(rc, e, sizeof e));
        return rc;
    }
    if (len && (rc = vb_flash_program(f, offset, img, len)) < 0) {
        vb_set_err(err, errlen, "cannot program the slot at 0x%X: %s", offset,
                   vb_errstr(rc, e, sizeof e));
        return rc;
    }
    return 0;
}

int vb_fw_write_factory(vb_flash *f, const vb_profile *p, char *err, size_t errlen)
{
    const vb_partition *slot = vb_fw_slot_find(p, "factory");
    if (!slot)
        return 0;
    size_t len;
    const uint8_t *fw = vb_fw_factory(&len);
    if (!fw) {
        vb_set_err(err, errlen, "out of memory building the factory firmware");
        return -ENOMEM;
    }
    char e[VB_ERR_LEN];
    int rc = vb_fw_write_slot(f, slot->offset, slot->size, fw, len, e, sizeof e);
    if (rc < 0)
        vb_set_err(err, errlen, "cannot write the factory firmware: %s", e);
    return rc;
}
