/* Pycom bootloader decisions (bootsel.h). */
#include "bootsel.h"

#include "boot/fwimage.h"

bool vb_boot_check_pending(vb_otadata *rec, bool (*verify)(void *ctx, uint32_t img), void *ctx,
                           bool *rolled_back)
{
    *rolled_back = false;
    if (rec->status != VB_OTA_STATUS_CHECK) return false;
    if (rec->active_img == VB_OTA_IMG_UPDATE2) rec->active_img = VB_OTA_IMG_FACTORY;
    if (!verify(ctx, rec->active_img)) {
        uint32_t a = rec->active_img;
        rec->active_img = rec->prev_img == VB_OTA_IMG_UPDATE2 ? VB_OTA_IMG_FACTORY : rec->prev_img;
        rec->prev_img = a;
        *rolled_back = true;
    }
    rec->status = VB_OTA_STATUS_READY;
    return true;
}

bool vb_boot_safeboot_flag(vb_otadata *rec, bool pin, bool *safe_boot)
{
    uint32_t s = pin ? VB_OTA_SAFEBOOT_HW : VB_OTA_SAFEBOOT_NONE;
    bool changed = false;
    if (s != rec->safeboot) {
        rec->safeboot = rec->safeboot == VB_OTA_SAFEBOOT_SW ? VB_OTA_SAFEBOOT_HW : s;
        changed = true;
    }
    *safe_boot = rec->safeboot != VB_OTA_SAFEBOOT_NONE;
    return changed;
}

uint32_t vb_boot_image(const vb_otadata *rec, vb_safe_choice choice)
{
    switch (choice) {
    case VB_SAFE_PREVIOUS: return rec->prev_img;
    case VB_SAFE_FACTORY: return VB_OTA_IMG_FACTORY;
    default: return rec->active_img;
    }
}

uint32_t vb_ota_target(const vb_otadata *rec)
{
    bool active_factory = vb_ota_img_is_factory(rec->active_img);
    if (rec->status == VB_OTA_STATUS_CHECK)       /* the pending slot again */
        return active_factory ? VB_OTA_IMG_UPDATE2 : VB_OTA_IMG_OTA_0;
    return active_factory ? VB_OTA_IMG_OTA_0 : VB_OTA_IMG_UPDATE2;
}

void vb_ota_finish_record(vb_otadata *rec, uint32_t size)
{
    rec->size = size;
    if (rec->status == VB_OTA_STATUS_CHECK) return;
    rec->prev_img = rec->active_img;
    rec->active_img = rec->active_img == VB_OTA_IMG_OTA_0 ? VB_OTA_IMG_UPDATE2 : VB_OTA_IMG_OTA_0;
    rec->status = VB_OTA_STATUS_CHECK;
}

bool vb_boot_slot(const vb_profile *p, uint32_t img, uint32_t *offset, uint32_t *size)
{
    const vb_partition *slot = vb_fw_slot_find(p, vb_ota_img_is_factory(img) ? "factory" : "ota_0");
    if (!slot) return false;
    *offset = slot->offset;
    *size = slot->size;
    return true;
}
