/* Board profiles as data (flash.md §2, boot.md §1, issue 12 §1).
 *
 * A profile is one board: its names, its flash chip and how that flash is
 * laid out (partition table, OTA record, filesystem region and geometry),
 * and the port it runs (port.h), which holds everything else port-specific
 * (machine constants, pins, LED, bootloader, REPL link, filesystem policy,
 * identity). Adding a board means adding an entry in profile.c, not a code
 * path. */
#ifndef VB_BOARD_PROFILE_H
#define VB_BOARD_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board/port.h"
#include "flash/parttable.h"

typedef struct vb_profile {
    const char *name;              /* "esp32", "pycom", "rp2" */
    const char *const *aliases;    /* other names that select it, NULL-terminated
                                      (esp32: "generic"); or NULL */
    const char *description;
    const vb_port *port;           /* what the board runs */

    uint32_t flash_size;           /* bytes; the image file size */
    uint32_t prog_page;            /* program split (flash.md §7), 0 = none */

    uint32_t parttable_offset;     /* ESP-IDF table, 0x8000; unused without parts */
    const vb_partition *parts;     /* NULL/0: no partition table (rp2) */
    unsigned n_parts;
    uint32_t otadata_offset;       /* 0 = no OTA record on this board */

    uint32_t fs_offset, fs_size;   /* filesystem region inside the flash */
    uint32_t fs_sector_size;       /* FAT logical sector: 512 or 4096 */
    bool fs_writeback_block;       /* a one-block (4 KiB) write-back cache sits
                                      between FatFs and flash (Pycom) */
    const char *fs_label;          /* root label written by mkfs, or NULL */

    /* MicroPython's GC heap (gc.mem_alloc() + gc.mem_free(), "GC: total"
     * of micropython.mem_info()); the engine prices its blocks in it
     * (board/heap.h). A multiple of 16, at least 16 KiB. */
    uint32_t heap_size;
} vb_profile;

/* The profile called `name` (its name or one of its aliases), or NULL. */
const vb_profile *vb_profile_find(const char *name);
/* All profiles, NULL-terminated, in a stable order (for help texts). */
const vb_profile *const *vb_profile_all(void);
/* The profile whose flash size is `size` bytes, or NULL. Sizes are unique
 * per profile, so an image file's size names its board. */
const vb_profile *vb_profile_for_size(uint64_t size);

/* Sanity check of one profile's data, done once before use (and by the unit
 * tests over every profile): its port (vb_port_validate), flash size,
 * partition alignment, overlaps, the table sector, the otadata slot (and a
 * safe-boot pin only with one), the FS region inside the flash, sector
 * size and label. 0, or -EINVAL with a sentence in err. */
int vb_profile_validate(const vb_profile *p, char *err, size_t errlen);

#endif
