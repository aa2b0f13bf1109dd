/* The board profiles of flash.md §2 as const data, plus their sanity check. */
#include "profile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "flash.h"
#include "parttable.h"

/* ---- generic: esp32-like, 4 MiB ---------------------------------------- */

static const vb_partition generic_parts[] = {
    {.offset = 0x9000, .size = 0x6000, .type = VB_PART_TYPE_DATA,
     .subtype = VB_PART_SUBTYPE_NVS, .label = "nvs", .flags = 0},
    {.offset = 0xF000, .size = 0x1000, .type = VB_PART_TYPE_DATA,
     .subtype = VB_PART_SUBTYPE_PHY, .label = "phy_init", .flags = 0},
    {.offset = 0x10000, .size = 0x1F0000, .type = VB_PART_TYPE_APP,
     .subtype = VB_PART_SUBTYPE_FACTORY, .label = "factory", .flags = 0},
    {.offset = 0x200000, .size = 0x200000, .type = VB_PART_TYPE_DATA,
     .subtype = VB_PART_SUBTYPE_FAT, .label = "vfs", .flags = 0},
};

static const vb_default_file generic_files[] = {
    {.path = "boot.py",
     .content = "# boot.py: runs once at every boot, before main.py.\n"
                "# Put start-up code here: networking, pins, extra mounts.\n"},
};

/* ESP32 GPIOs that exist (no 20, 24, 28-31); 34-39 have no output driver. */
#define GP(n, f) {.name = "GPIO" #n, .alias = NULL, .gpio = n, .flags = f}
static const vb_pin_def generic_pins[] = {
    GP(0, 0), GP(1, 0), GP(2, 0), GP(3, 0), GP(4, 0), GP(5, 0), GP(6, 0), GP(7, 0),
    GP(8, 0), GP(9, 0), GP(10, 0), GP(11, 0), GP(12, 0), GP(13, 0), GP(14, 0), GP(15, 0),
    GP(16, 0), GP(17, 0), GP(18, 0), GP(19, 0), GP(21, 0), GP(22, 0), GP(23, 0), GP(25, 0),
    GP(26, 0), GP(27, 0), GP(32, 0), GP(33, 0),
    GP(34, VB_PIN_INPUT_ONLY), GP(35, VB_PIN_INPUT_ONLY), GP(36, VB_PIN_INPUT_ONLY),
    GP(37, VB_PIN_INPUT_ONLY), GP(38, VB_PIN_INPUT_ONLY), GP(39, VB_PIN_INPUT_ONLY),
};
#undef GP

static const vb_profile generic = {
    .name = "generic",
    .description = "esp32-like board: 4 MiB flash, FAT with 4096-byte sectors mounted at /",
    .flash_size = 0x400000,
    .prog_page = 256,
    .parttable_offset = 0x8000,
    .parts = generic_parts,
    .n_parts = sizeof generic_parts / sizeof generic_parts[0],
    .otadata_offset = 0,
    .fs_offset = 0x200000,
    .fs_size = 0x200000,
    .fs_sector_size = 4096,
    .fs_writeback_block = false,
    .mount_point = "/",
    .fs_label = NULL,
    .default_files = generic_files,
    .n_default_files = sizeof generic_files / sizeof generic_files[0],
    .default_dirs = NULL,
    .n_default_dirs = 0,
    .defaults_every_boot = false,
    /* esp32 numbering; reset button and brown-out report PWRON (boot.md §1) */
    .causes = {[VB_CAUSE_PWRON] = 1, [VB_CAUSE_HARD] = 2, [VB_CAUSE_WDT] = 3,
               [VB_CAUSE_DEEPSLEEP] = 4, [VB_CAUSE_SOFT] = 5, [VB_CAUSE_BROWNOUT] = 1},
    .soft_reboot_line = "MPY: soft reboot\r\n",
    .pins = generic_pins,
    .n_pins = sizeof generic_pins / sizeof generic_pins[0],
    .pins_reinit_on_soft_reset = false,
    .led_gpio = 2,                 /* the blue LED of most ESP32 dev boards */
    .rgb_led = false,
    .repl_link = VB_LINK_UART,     /* UART0 through a USB-serial bridge */
};

/* ---- pycom: WiPy/LoPy-like, 8 MiB, firmware 1.20 ----------------------- */

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

static const vb_default_file pycom_files[] = {
    {.path = "main.py", .content = "# main.py -- put your code here!\r\n"},
    {.path = "boot.py", .content = "# boot.py -- run on boot-up\r\n"},
};

static const char *const pycom_dirs[] = {"sys", "lib", "cert"};

/* Module pins P0-P23, their ESP32 GPIOs and expansion-board labels
 * (G23 = GPIO0 = P2 is the bootloader strap, boot.md §2; P12 = GPIO21 the
 * safe-boot pin); P13-P18 are input-only GPIOs. */
#define PP(p, g, n, f) {.name = "P" #p, .alias = "G" #g, .gpio = n, .flags = f}
static const vb_pin_def pycom_pins[] = {
    PP(0, 2, 3, 0), PP(1, 1, 1, 0), PP(2, 23, 0, 0), PP(3, 24, 4, 0), PP(4, 11, 15, 0),
    PP(5, 12, 5, 0), PP(6, 13, 27, 0), PP(7, 14, 19, 0), PP(8, 15, 2, 0), PP(9, 16, 12, 0),
    PP(10, 17, 13, 0), PP(11, 22, 22, 0), PP(12, 28, 21, 0),
    PP(13, 5, 36, VB_PIN_INPUT_ONLY), PP(14, 4, 37, VB_PIN_INPUT_ONLY),
    PP(15, 0, 38, VB_PIN_INPUT_ONLY), PP(16, 3, 39, VB_PIN_INPUT_ONLY),
    PP(17, 31, 35, VB_PIN_INPUT_ONLY), PP(18, 30, 34, VB_PIN_INPUT_ONLY),
    PP(19, 6, 32, 0), PP(20, 7, 33, 0), PP(21, 8, 26, 0), PP(22, 9, 25, 0), PP(23, 10, 14, 0),
};
#undef PP

static const vb_profile pycom = {
    .name = "pycom",
    .description = "Pycom module (WiPy/LoPy, firmware 1.20): 8 MiB flash, FAT with 512-byte "
                   "sectors mounted at /flash, OTA",
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
    .mount_point = "/flash",
    .fs_label = NULL,
    .default_files = pycom_files,
    .n_default_files = sizeof pycom_files / sizeof pycom_files[0],
    .default_dirs = pycom_dirs,
    .n_default_dirs = sizeof pycom_dirs / sizeof pycom_dirs[0],
    .defaults_every_boot = true,
    .causes = {[VB_CAUSE_PWRON] = 0, [VB_CAUSE_HARD] = 1, [VB_CAUSE_WDT] = 2,
               [VB_CAUSE_DEEPSLEEP] = 3, [VB_CAUSE_SOFT] = 4, [VB_CAUSE_BROWNOUT] = 5},
    .soft_reboot_line = "PYB: soft reboot\r\n",
    .pins = pycom_pins,
    .n_pins = sizeof pycom_pins / sizeof pycom_pins[0],
    .pins_reinit_on_soft_reset = true,
    .led_gpio = -1,
    .rgb_led = true,
    .repl_link = VB_LINK_UART,     /* UART0 through the expansion board's bridge */
};

const vb_pin_def *vb_profile_pin(const vb_profile *p, const char *name)
{
    if (!name || !*name) return NULL;
    for (unsigned i = 0; i < p->n_pins; i++) {
        const vb_pin_def *d = &p->pins[i];
        if (strcmp(d->name, name) == 0 || (d->alias && strcmp(d->alias, name) == 0)) return d;
        if (strncmp(d->name, "GPIO", 4) == 0 && strcmp(d->name + 4, name) == 0) return d;
    }
    return NULL;
}

const vb_pin_def *vb_profile_pin_by_gpio(const vb_profile *p, unsigned gpio)
{
    for (unsigned i = 0; i < p->n_pins; i++)
        if (p->pins[i].gpio == gpio) return &p->pins[i];
    return NULL;
}

static const vb_profile *const all_profiles[] = {&generic, &pycom, NULL};

const vb_profile *vb_profile_find(const char *name)
{
    if (!name)
        return NULL;
    for (const vb_profile *const *p = all_profiles; *p; p++)
        if (strcmp((*p)->name, name) == 0)
            return *p;
    return NULL;
}

const vb_profile *const *vb_profile_all(void)
{
    return all_profiles;
}

int vb_profile_cause(const vb_profile *p, vb_cause c)
{
    return c < VB_CAUSE_COUNT ? p->causes[c] : -1;
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
    if (!p || !p->name || !*p->name)
        return invalid(err, errlen, "profile has no name");
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
    if (fsz / ss < 64)
        return invalid(err, errlen, "profile %s: FS region of %llu sectors is too small for FAT",
                       nm, (unsigned long long)(fsz / ss));
    if (p->n_parts && overlaps(fo, fsz, pt, VB_FLASH_BLOCK))
        return invalid(err, errlen, "profile %s: FS region overlaps the partition table", nm);
    /* The FS may be a table partition (generic "vfs") but may not share one. */
    for (unsigned i = 0; i < p->n_parts; i++) {
        const vb_partition *a = &p->parts[i];
        if (overlaps(fo, fsz, a->offset, a->size) && !(a->offset == fo && a->size == fsz))
            return invalid(err, errlen, "profile %s: FS region overlaps partition %s", nm, a->label);
    }

    if (!p->mount_point || p->mount_point[0] != '/')
        return invalid(err, errlen, "profile %s: mount point must be an absolute path", nm);
    if (p->fs_label && (!*p->fs_label || strlen(p->fs_label) > 11))
        return invalid(err, errlen, "profile %s: FS label must be 1..11 characters", nm);
    if (p->n_default_files && !p->default_files)
        return invalid(err, errlen, "profile %s: default files missing", nm);
    for (unsigned i = 0; i < p->n_default_files; i++) {
        const vb_default_file *df = &p->default_files[i];
        if (!df->path || !*df->path || df->path[0] == '/' || !df->content)
            return invalid(err, errlen, "profile %s: default file %u needs a relative path and content",
                           nm, i);
    }
    if (p->n_default_dirs && !p->default_dirs)
        return invalid(err, errlen, "profile %s: default dirs missing", nm);
    for (unsigned i = 0; i < p->n_default_dirs; i++)
        if (!p->default_dirs[i] || !*p->default_dirs[i] || p->default_dirs[i][0] == '/')
            return invalid(err, errlen, "profile %s: default dir %u needs a relative path", nm, i);
    return 0;
}
