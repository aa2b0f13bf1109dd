/* The Pycom bootloader's decisions, as pure functions over the otadata
 * record (flash.md §2.1, boot.md §5-6): a pending OTA image is verified
 * or rolled back, the safe-boot flag moves through its three values, the
 * image for this boot is chosen, and an OTA picks and finishes its slot.
 * The board (supervisor/) does the flash I/O and the timing around them. */
#ifndef VB_BOOT_BOOTSEL_H
#define VB_BOOT_BOOTSEL_H

#include <stdbool.h>
#include <stdint.h>

#include "flash/otadata.h"
#include "board/profile.h"

/* What the safe-boot pin asked for (boot.md §5 windows). */
typedef enum vb_safe_choice {
    VB_SAFE_NONE,        /* not held: normal boot */
    VB_SAFE_CURRENT,     /* released in window 1: safe boot, current image */
    VB_SAFE_PREVIOUS,    /* released in window 2: safe boot, previous OTA image */
    VB_SAFE_FACTORY,     /* held through window 2: safe boot, factory image */
} vb_safe_choice;

/* Status CHECK at boot: Active 2 is folded to 0, the active image is
 * verified (`verify` returns true when the image in that slot is valid);
 * a failure swaps Active and Prev; Status becomes READY. Returns true when
 * the record changed (the caller writes it back); *rolled_back says
 * whether the new image was refused. */
bool vb_boot_check_pending(vb_otadata *rec, bool (*verify)(void *ctx, uint32_t img), void *ctx,
                           bool *rolled_back);

/* The safe-boot flag for this boot: `pin` is whether the pin asked for a
 * safe boot. If that differs from the stored flag, a stored software
 * request (2) becomes 1 (this boot is the one safe boot it asked for),
 * else the flag takes the pin's value. Returns true when the record
 * changed; *safe_boot is the flag the firmware will read (non-zero). */
bool vb_boot_safeboot_flag(vb_otadata *rec, bool pin, bool *safe_boot);

/* The image code (VB_OTA_IMG_*) to boot now: a local choice, never stored. */
uint32_t vb_boot_image(const vb_otadata *rec, vb_safe_choice choice);

/* The image code whose slot an OTA writes: with Status CHECK the pending
 * slot is rewritten, otherwise the one not active. */
uint32_t vb_ota_target(const vb_otadata *rec);

/* ota_finish on a full image of `size` bytes: Prev = Active, Active = the
 * slot written (1 or 2), Status = CHECK; a record already CHECK keeps its
 * slots (only size changes). */
void vb_ota_finish_record(vb_otadata *rec, uint32_t size);

/* The flash slot of an image code on a profile: the factory partition for
 * 0 and 2, ota_0 for 1. False when the profile has no such partition. */
bool vb_boot_slot(const vb_profile *p, uint32_t img, uint32_t *offset, uint32_t *size);

/* Code 2 ("update 2") is the factory slot again. */
static inline bool vb_ota_img_is_factory(uint32_t img) { return img != VB_OTA_IMG_OTA_0; }

#endif
