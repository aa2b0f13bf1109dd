/* Board profiles as data (flash.md §2, boot.md §1).
 *
 * Everything that differs between boards and that the flash, filesystem and
 * image layers need lives in one const table entry; adding a board means
 * adding an entry in profile.c, not a code path. */
#ifndef VB_FLASH_PROFILE_H
#define VB_FLASH_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VB_PART_TYPE_APP 0x00
#define VB_PART_TYPE_DATA 0x01

typedef struct vb_partition {
    uint32_t offset, size;
    uint8_t type, subtype;
    const char *label;     /* at most 15 characters */
    uint32_t flags;        /* bit 0: encrypted */
} vb_partition;

typedef struct vb_default_file {
    const char *path;      /* volume path, e.g. "boot.py" */
    const char *content;   /* exact bytes */
} vb_default_file;

/* One pin of the board (boot.md §1, issue 5): `gpio` indexes the shared
 * pin registers (contract/regs.h), `name` is what machine.Pin() and the control
 * channel take, `alias` a second name (Pycom expansion-board "G" labels). */
#define VB_PIN_INPUT_ONLY 1u       /* no output driver (ESP32 GPIO 34-39) */
#define VB_PINS_MAX 40u            /* GPIO numbers 0..39 */
typedef struct vb_pin_def {
    const char *name;
    const char *alias;             /* or NULL */
    uint8_t gpio;
    uint8_t flags;                 /* VB_PIN_* */
} vb_pin_def;

/* Reset causes, board-independent; each profile maps them to its own
 * machine module constants (boot.md §1). */
typedef enum vb_cause {
    VB_CAUSE_PWRON, VB_CAUSE_HARD, VB_CAUSE_WDT, VB_CAUSE_DEEPSLEEP,
    VB_CAUSE_SOFT, VB_CAUSE_BROWNOUT, VB_CAUSE_COUNT
} vb_cause;

/* What the REPL's serial line is on the real board (issue 10 §1): a UART
 * (through a USB bridge chip) keeps sending with nobody listening — its
 * bytes go into the void at line speed; a native USB-CDC port has no line
 * speed and drops output while no host has the port open. */
typedef enum vb_link_kind { VB_LINK_UART, VB_LINK_USB_CDC } vb_link_kind;

typedef struct vb_profile {
    const char *name;              /* "generic", "pycom" */
    const char *description;
    uint32_t flash_size;           /* bytes; the image file size */
    uint32_t prog_page;            /* program split (flash.md §7), 0 = none */

    uint32_t parttable_offset;     /* ESP-IDF table, 0x8000 */
    const vb_partition *parts;
    unsigned n_parts;
    uint32_t otadata_offset;       /* 0 = no OTA record on this board */

    uint32_t fs_offset, fs_size;   /* FAT region inside the flash */
    uint32_t fs_sector_size;       /* FAT logical sector: 512 or 4096 */
    bool fs_writeback_block;       /* a one-block (4 KiB) write-back cache sits
                                      between FatFs and flash (Pycom) */
    const char *mount_point;       /* "/" or "/flash" */
    const char *fs_label;          /* root label written by mkfs, or NULL */

    const vb_default_file *default_files;
    unsigned n_default_files;
    const char *const *default_dirs;
    unsigned n_default_dirs;
    bool defaults_every_boot;      /* recreate missing defaults at each boot
                                      (Pycom) rather than only after mkfs */

    /* machine.*_RESET values, -1 where the port has no such constant;
     * brown-out reports this profile's `brownout` cause value. */
    int causes[VB_CAUSE_COUNT];
    const char *soft_reboot_line;  /* "MPY: soft reboot\r\n" or Pycom's "PYB: ..." */

    const vb_pin_def *pins;        /* the board's pins, in pin-name order */
    unsigned n_pins;
    bool pins_reinit_on_soft_reset;/* Pycom: every pin back to input with
                                      pull-down at a soft reset; generic
                                      keeps modes and levels (boot.md §1) */
    int led_gpio;                  /* a plain LED on this GPIO, or -1 */
    bool rgb_led;                  /* an RGB LED (Pycom's WS2812) */
    vb_link_kind repl_link;        /* the REPL's serial line */
} vb_profile;

/* The profile's machine constant for a cause (-1: none). */
int vb_profile_cause(const vb_profile *p, vb_cause c);

/* The pin called `name` (its name, its alias, or for pins named "GPIOn"
 * the bare number "n"), or NULL. */
const vb_pin_def *vb_profile_pin(const vb_profile *p, const char *name);
/* The pin whose register index is gpio, or NULL. */
const vb_pin_def *vb_profile_pin_by_gpio(const vb_profile *p, unsigned gpio);

/* NULL when no profile has that name. */
const vb_profile *vb_profile_find(const char *name);
/* All profiles, NULL-terminated, in a stable order (for help texts). */
const vb_profile *const *vb_profile_all(void);
/* The profile whose flash size is `size` bytes, or NULL. Sizes are unique
 * per profile, so an image file's size names its board. */
const vb_profile *vb_profile_for_size(uint64_t size);

/* Sanity check of one profile's data, done once before use (and by the unit
 * tests over every profile): flash size, partition alignment, overlaps, the
 * table sector, the otadata slot, the FS region inside the flash, sector
 * size, mount point and defaults. 0, or -EINVAL with a sentence in err. */
int vb_profile_validate(const vb_profile *p, char *err, size_t errlen);

#endif
