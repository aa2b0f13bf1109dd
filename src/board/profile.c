/* The board profiles of flash.md §2 as const data, plus their sanity check. */
#include "profile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "board/heap.h"
#include "flash/flash.h"

/* ---- esp32: MicroPython v1.24.1 ESP32_GENERIC, 4 MiB ------------------------ */

static const vb_partition esp32_parts[] = {
    {.offset = 0x9000, .size = 0x6000, .type = VB_PART_TYPE_DATA,
     .subtype = VB_PART_SUBTYPE_NVS, .label = "nvs", .flags = 0},
    {.offset = 0xF000, .size = 0x1000, .type = VB_PART_TYPE_DATA,
     .subtype = VB_PART_SUBTYPE_PHY, .label = "phy_init", .flags = 0},
    {.offset = 0x10000, .size = 0x1F0000, .type = VB_PART_TYPE_APP,
     .subtype = VB_PART_SUBTYPE_FACTORY, .label = "factory", .flags = 0},
    {.offset = 0x200000, .size = 0x200000, .type = VB_PART_TYPE_DATA,
     .subtype = VB_PART_SUBTYPE_FAT, .label = "vfs", .flags = 0},
};

/* "generic": the name this board had before it named its port */
static const char *const esp32_aliases[] = {"generic", NULL};

static const vb_profile esp32 = {
    .name = "esp32",
    .aliases = esp32_aliases,
    .description = "ESP32 module (MicroPython v1.24.1 ESP32_GENERIC): 4 MiB flash, filesystem "
                   "in the \"vfs\" partition mounted at /, REPL on UART0 (alias: generic)",
    .port = &vb_port_esp32,
    .flash_size = 0x400000,
    .prog_page = 256,
    .parttable_offset = 0x8000,
    .parts = esp32_parts,
    .n_parts = sizeof esp32_parts / sizeof esp32_parts[0],
    .otadata_offset = 0,
    .fs_offset = 0x200000,
    .fs_size = 0x200000,
    .fs_sector_size = 4096,
    .fs_writeback_block = false,
    .fs_label = NULL,
    /* no SPIRAM: "GC: total: 111168" in mem_info() of an ESP32 module */
    .heap_size = 111168,
};

/* ---- pycom: WiPy/LoPy-like, 8 MiB, firmware 1.20 ---------------------------- */

/* Order matters: the firmware takes entry index 2 as otadata. */
static const vb_partition pycom_parts[] = {
    {.offset = 0x9000, .size = 0x7000, .type = VB_PART_TYPE_DATA,
     .subtype = VB_PART_SUBTYPE_NVS, .label = "nvs", .flags = 0},
    {.offset = 0x10000, .size = 0x1EF000, .type = VB_PART_TYPE_APP,
     .subtype = VB_PART_SUBTYPE_FACTORY, .label = "factory", .flags = VB_PART_FLAG_ENCRYPTED},
    {.offset = 0x1FF000, .size = 0x1000, .type = VB_PART_TYPE_DATA,
     .subtype = VB_PART_SUBTYPE_OTA, .label = "otadata", .flags = VB_PART_FLAG_ENCRYPTED},
    {.offset = 0x210000, .size = 0x1EF000, .type = VB_PART_TYPE_APP,
     .subtype = VB_PART_SUBTYPE_OTA_0, .label = "ota_0", .flags = VB_PART_FLAG_ENCRYPTED},
    {.offset = 0x3FF000, .size = 0x1000, .type = VB_PART_TYPE_DATA,
     .subtype = VB_PART_SUBTYPE_PYCOM_CONFIG, .label = "config", .flags = 0},
};

static const vb_profile pycom = {
    .name = "pycom",
    .aliases = NULL,
    .description = "Pycom module (WiPy/LoPy, firmware 1.20): 8 MiB flash, FAT with 512-byte "
                   "sectors mounted at /flash, OTA",
    .port = &vb_port_pycom,
    .flash_size = 0x800000,
    .prog_page = 0,
    .parttable_offset = 0x8000,
    .parts = pycom_parts,
    .n_parts = sizeof pycom_parts / sizeof pycom_parts[0],
    .otadata_offset = 0x1FF000,
    .fs_offset = 0x400000,
    .fs_size = 0x400000,
    .fs_sector_size = 512,
    .fs_writeback_block = true,
    .fs_label = NULL,
    /* the 8 MiB boards (WiPy 3, LoPy4, FiPy) carry 4 MB of SPIRAM, of
     * which the firmware gives MicroPython's heap about 2.5 MB */
    .heap_size = 2560u * 1024u,
};

/* ---- rp2: Raspberry Pi Pico, MicroPython v1.24.1 RPI_PICO, 2 MiB ----------- */

/* No partition table: the firmware at 0 (XIP), the filesystem in the last
 * 1408 KiB (MICROPY_HW_FLASH_STORAGE_BYTES), at 0x0A0000 (flash.md §1). */
static const vb_profile rp2 = {
    .name = "rp2",
    .aliases = NULL,
    .description = "Raspberry Pi Pico (MicroPython v1.24.1 RPI_PICO): 2 MiB flash, filesystem "
                   "in the last 1408 KiB mounted at /, REPL on USB-CDC",
    .port = &vb_port_rp2,
    .flash_size = 0x200000,
    .prog_page = 256,
    .parttable_offset = 0,
    .parts = NULL,
    .n_parts = 0,
    .otadata_offset = 0,
    .fs_offset = 0x0A0000,
    .fs_size = 1408u * 1024u,
    .fs_sector_size = 4096,
    .fs_writeback_block = false,
    .fs_label = NULL,
    /* the RAM the linker leaves (__GcHeapStart..End); a Pico shows some
     * 216 000 bytes free with nothing loaded (micropython#12557) */
    .heap_size = 216u * 1024u,
};

static const vb_profile *const all_profiles[] = {&esp32, &pycom, &rp2, NULL};

const vb_profile *vb_profile_find(const char *name)
{
    if (!name)
        return NULL;
    for (const vb_profile *const *p = all_profiles; *p; p++) {
        if (strcmp((*p)->name, name) == 0)
            return *p;
        for (const char *const *a = (*p)->aliases; a && *a; a++)
            if (strcmp(*a, name) == 0)
                return *p;
    }
    return NULL;
}

const vb_profile *const *vb_profile_all(void)
{
    return all_profiles;
}

const vb_profile *vb_profile_for_size(uint64_t size)
{
    for (const vb_profile *const *p = all_profiles; *p; p++)
        if ((*p)->flash_size == size)
            return *p;
    return NULL;
}

/* ---- validation --------------------------------------------------------- */

static int invalid(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int invalid(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

static bool pow2(uint32_t v)
{
    return v && !(v & (v - 1));
}

int vb_profile_validate(const vb_profile *p, char *err, size_t errlen)
{
    if (!p || !p->name || !*p->name || !p->port)
        return invalid(err, errlen, "profile has no name or no port");
    const char *nm = p->name;
    uint64_t flash = p->flash_size;
    if (flash == 0 || flash % VB_FLASH_BLOCK)
        return invalid(err, errlen, "profile %s: flash size 0x%llX is not a positive multiple of 4 KiB",
                       nm, (unsigned long long)flash);
    if (p->prog_page && (!pow2(p->prog_page) || p->prog_page > VB_FLASH_BLOCK))
        return invalid(err, errlen, "profile %s: prog_page %u is not a power of two up to 4096",
                       nm, p->prog_page);

    /* The table owns its whole 4 KiB block: rewriting it erases the block. */
    uint64_t pt = p->parttable_offset;
    if (p->n_parts) {
        if (!p->parts)
            return invalid(err, errlen, "profile %s: %u partitions but no array", nm, p->n_parts);
        if (p->n_parts > VB_PARTTABLE_MAX_ENTRIES)
            return invalid(err, errlen, "profile %s: %u partitions do not fit in one table",
                           nm, p->n_parts);
        if (pt % VB_FLASH_BLOCK || pt + VB_FLASH_BLOCK > flash)
            return invalid(err, errlen, "profile %s: partition table offset 0x%llX is not a 4 KiB "
                           "block inside the flash", nm, (unsigned long long)pt);
    }
    for (unsigned i = 0; i < p->n_parts; i++) {
        const vb_partition *a = &p->parts[i];
        const char *lb = a->label ? a->label : "(null)";
        if (!a->label || !*a->label || strlen(a->label) > 15)
            return invalid(err, errlen, "profile %s: partition %u label \"%s\" is empty or longer "
                           "than 15 characters", nm, i, lb);
        uint32_t align = a->type == VB_PART_TYPE_APP ? 0x10000 : VB_FLASH_BLOCK;
        if (a->size == 0 || a->offset % align || a->size % VB_FLASH_BLOCK)
            return invalid(err, errlen, "profile %s: partition %s at 0x%X size 0x%X is misaligned "
                           "(app partitions need 64 KiB, data 4 KiB)", nm, lb, a->offset, a->size);
        if ((uint64_t)a->offset + a->size > flash)
            return invalid(err, errlen, "profile %s: partition %s ends at 0x%llX, beyond the "
                           "0x%llX-byte flash", nm, lb,
                           (unsigned long long)a->offset + a->size, (unsigned long long)flash);
        if (overlaps(a->offset, a->size, pt, VB_FLASH_BLOCK))
            return invalid(err, errlen, "profile %s: partition %s overlaps the partition table block",
                           nm, lb);
        for (unsigned j = 0; j < i; j++) {
            const vb_partition *b = &p->parts[j];
            if (overlaps(a->offset, a->size, b->offset, b->size))
                return invalid(err, errlen, "profile %s: partitions %s and %s overlap", nm, b->label, lb);
            if (strcmp(a->label, b->label) == 0)
                return invalid(err, errlen, "profile %s: two partitions are labelled %s", nm, lb);
        }
    }

    /* Pycom firmware reads otadata from table entry index 2. */
    if (p->otadata_offset) {
        const vb_partition *o = p->n_parts > 2 ? &p->parts[2] : NULL;
        if (!o || o->offset != p->otadata_offset || o->type != VB_PART_TYPE_DATA ||
            o->subtype != VB_PART_SUBTYPE_OTA || o->size < VB_FLASH_BLOCK)
            return invalid(err, errlen, "profile %s: otadata at 0x%X must be partition entry 2, "
                           "data/ota, at least 4 KiB", nm, p->otadata_offset);
    }

    uint64_t fo = p->fs_offset, fsz = p->fs_size;
    if (fsz == 0 || fo % VB_FLASH_BLOCK || fsz % VB_FLASH_BLOCK || fo + fsz > flash)
        return invalid(err, errlen, "profile %s: FS region 0x%llX+0x%llX is not whole 4 KiB blocks "
                       "inside the flash", nm, (unsigned long long)fo, (unsigned long long)fsz);
    uint32_t ss = p->fs_sector_size;
    if (ss < 512 || ss > VB_FLASH_BLOCK || !pow2(ss))
        return invalid(err, errlen, "profile %s: FS sector size %u is not a power of two in 512..4096",
                       nm, ss);
    if (p->heap_size < 16u * 1024u || p->heap_size % VB_HEAP_BLOCK)
        return invalid(err, errlen, "profile %s: heap size %u is not a multiple of %u of at least "
                       "16 KiB", nm, p->heap_size, VB_HEAP_BLOCK);
    if (fsz / ss < 64)
        return invalid(err, errlen, "profile %s: FS region of %llu sectors is too small for FAT",
                       nm, (unsigned long long)(fsz / ss));
    if (p->n_parts && overlaps(fo, fsz, pt, VB_FLASH_BLOCK))
        return invalid(err, errlen, "profile %s: FS region overlaps the partition table", nm);
    /* The FS may be a table partition (esp32 "vfs") but may not share one. */
    for (unsigned i = 0; i < p->n_parts; i++) {
        const vb_partition *a = &p->parts[i];
        if (overlaps(fo, fsz, a->offset, a->size) && !(a->offset == fo && a->size == fsz))
            return invalid(err, errlen, "profile %s: FS region overlaps partition %s", nm, a->label);
    }

    if (p->fs_label && (!*p->fs_label || strlen(p->fs_label) > 11))
        return invalid(err, errlen, "profile %s: FS label must be 1..11 characters", nm);

    /* the port, and what it asks of the board */
    char perr[160];
    if (vb_port_validate(p->port, perr, sizeof perr) < 0)
        return invalid(err, errlen, "profile %s: %s", nm, perr);
    if (p->port->safe_boot_pin && !p->otadata_offset)
        return invalid(err, errlen, "profile %s: a safe-boot pin needs an otadata record", nm);
    for (const char *const *a = p->aliases; a && *a; a++)
        if (!**a || strcmp(*a, nm) == 0)
            return invalid(err, errlen, "profile %s: alias \"%s\" is empty or its own name", nm, *a);
    return 0;
}
