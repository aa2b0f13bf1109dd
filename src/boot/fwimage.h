/* vboard's own firmware image format (boot.md §6, flash.md §2): what an app
 * slot (factory, ota_0) holds, what `vboard firmware build` writes and what
 * the bootloader verifies before it runs a slot.
 *
 * A firmware file is a header, then the payload, then nothing else. All
 * integers are little-endian.
 *
 * Header (VB_FW_HEADER_LEN = 84 bytes in format 1):
 *
 * | off | size | field                                                        |
 * |-----|------|--------------------------------------------------------------|
 * |   0 |    4 | magic "VBFW"                                                 |
 * |   4 |    2 | format version, 1                                            |
 * |   6 |    2 | header size: bytes before the payload (84 in format 1)       |
 * |   8 |    4 | payload length in bytes                                      |
 * |  12 |    4 | module count, 1..VB_FW_MAX_MODULES                           |
 * |  16 |   32 | version string: printable ASCII, 1..32 bytes, NUL-padded     |
 * |  48 |   32 | SHA-256 of the payload                                       |
 * |  80 |    4 | header CRC-32 of bytes 0..79 (zlib crc32: preset and final   |
 * |     |      | XOR 0xFFFFFFFF)                                              |
 *
 * The CRC sits at offset 80 in every format, so a reader checks it before it
 * trusts any length: a torn or flipped header byte is "header CRC mismatch",
 * a torn payload is "payload digest mismatch". A later format may append
 * fields after offset 84 (and say so in the header size).
 *
 * Payload: `module count` entries back to back, in build order:
 *
 * | size | field                                                            |
 * |------|------------------------------------------------------------------|
 * |    2 | name length, 1..63                                               |
 * |    4 | source length                                                    |
 * |    n | name: [A-Za-z_][A-Za-z0-9_]* (no NUL)                            |
 * |    m | source: UTF-8 Python text (the module's .py file, byte for byte) |
 *
 * Names are unique and one of them is `_boot` (run at every boot, even in
 * safe boot). Bytes after header + payload (erased flash in a slot) are
 * ignored. Library code: errors are a negative errno plus one sentence in
 * the caller's buffer (VB_ERR_LEN bytes is enough); nothing prints. */
#ifndef VB_BOOT_FWIMAGE_H
#define VB_BOOT_FWIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flash/flash.h"
#include "board/profile.h"

#define VB_FW_MAGIC "VBFW"
#define VB_FW_FORMAT 1
#define VB_FW_HEADER_LEN 84
#define VB_FW_CRC_OFFSET 80
#define VB_FW_ENTRY_LEN 6          /* name length u16 + source length u32 */
#define VB_FW_MAX_MODULES 64
#define VB_FW_VERSION_LEN 32
#define VB_FW_NAME_MAX 63          /* bytes of a module name */
#define VB_FW_FACTORY_VERSION "1.20.2.r4-vboard"

typedef struct vb_fw_module {
    const char *name;              /* NUL-terminated */
    const uint8_t *data;           /* after parse: a view into the image buffer */
    uint32_t len;
} vb_fw_module;

typedef struct vb_fw_image {
    char version[VB_FW_VERSION_LEN + 1];
    uint32_t total_len;                  /* header + payload bytes */
    unsigned n_modules;
    vb_fw_module modules[VB_FW_MAX_MODULES];
    char names[VB_FW_MAX_MODULES][64];   /* storage for the module names */
} vb_fw_image;

/* True when `name` is a valid module name ([A-Za-z_][A-Za-z0-9_]*, 1..63). */
bool vb_fw_valid_name(const char *name);
/* True when `v` is a valid version string (printable ASCII, 1..32 bytes). */
bool vb_fw_valid_version(const char *v);

/* Build a firmware file in memory (malloc'd *out). -EINVAL with a sentence
 * for bad names (or duplicates), a bad version, no `_boot` module or too
 * many modules; -EFBIG when it would exceed 4 GiB; -ENOMEM. */
int vb_fw_build(const vb_fw_module *mods, unsigned n, const char *version, uint8_t **out,
                size_t *out_len, char *err, size_t errlen);

/* Parse and verify buf[0..len) (len may be a whole flash slot: bytes after
 * the image are ignored). 0, or -EINVAL "not a vboard firmware image" (bad
 * magic, erased), -EBADMSG (header CRC, format, lengths, digest, entries:
 * the sentence says which), -EFBIG (claims more bytes than len, including a
 * header cut short), with a sentence in err. Never reads past len. On
 * success img's modules point into buf. */
int vb_fw_parse(const uint8_t *buf, size_t len, vb_fw_image *img, char *err, size_t errlen);

/* A module by name, or NULL. */
const vb_fw_module *vb_fw_find(const vb_fw_image *img, const char *name);

/* The built-in factory image (version VB_FW_FACTORY_VERSION, one module
 * `_boot`), built on first call and then kept. Returns its bytes and
 * length; NULL only on allocation failure. */
const uint8_t *vb_fw_factory(size_t *len);

/* ---- flash slots (fwslot.c) --------------------------------------------- */

/* The app partition of profile `p` called `slot` ("factory" = app/factory,
 * "ota_N" = app/ota_N, by subtype), or NULL. */
const vb_partition *vb_fw_slot_find(const vb_profile *p, const char *slot);
/* The slot name of an app partition ("factory", "ota_0", ...) into buf. */
void vb_fw_slot_name(const vb_partition *part, char *buf, size_t len);

/* Read and verify the image in a flash slot: vb_flash_read into a malloc'd
 * buffer left in *buf for the module views (free() it; NULL on failure).
 * Errors as vb_fw_parse, plus the flash's own (-EIO). */
int vb_fw_read_slot(vb_flash *f, uint32_t offset, uint32_t size, uint8_t **buf, vb_fw_image *img,
                    char *err, size_t errlen);

/* Write a firmware file into a slot the way esptool's write_flash does:
 * erase the 4 KiB blocks the image covers, then program its bytes; the rest
 * of the slot is left as it was (a reader stops at the image's end).
 * -EFBIG "firmware of N bytes does not fit the slot at 0xOFF (M bytes)",
 * -EINVAL for an unaligned slot, or the flash's error. */
/* The built-in factory firmware into the profile's factory slot, as
 * esptool leaves a flashed board (boards without one: nothing to do).
 * 0, or a negative errno with a sentence in err. */
int vb_fw_write_factory(vb_flash *f, const vb_profile *p, char *err, size_t errlen);

int vb_fw_write_slot(vb_flash *f, uint32_t offset, uint32_t size, const uint8_t *img, size_t len,
                     char *err, size_t errlen);

#endif
