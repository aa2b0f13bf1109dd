/* FAT names: path components, 8.3 aliases and VFAT long-name slots
 * (flash.md §4.3–§4.4), as FatFs R0.13c does them with LFN on and code page
 * 437. Pure functions: no I/O, no state; the FAT core does the directory
 * walking (slot sequences, collisions, lookups) with these pieces.
 *
 * A long name is held as UTF-16 units (uint16_t) with a count; "units" below
 * always means UTF-16 code units. Names in the API's byte form are either
 * OEM (each byte >= 0x80 one CP437 character: the board) or UTF-8 (host
 * tools), per vb_fat_names.
 *
 * Typical use by the core:
 *   create/lookup  decode → basis → (need_lfn: slots + checksum; lossy:
 *                  add_tail with seq 1, 2, … until no 8.3 entry collides)
 *   compare        vb_fatname_equal on long names; memcmp of the 11 name
 *                  bytes with basis.sfn, but only when !basis.lossy
 *   list/stat      unpack slots → encode; when there is no valid long name
 *                  or encode fails, sfn_to_name with the entry's NT byte
 * cp437.h, included, converts single CP437 characters (labels use it). */
#ifndef VB_FS_FAT_NAME_H
#define VB_FS_FAT_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp437.h"
#include "fat.h"

#define VB_FATNAME_SLOT_CHARS 13     /* UTF-16 units per LFN slot */
#define VB_FATNAME_MAX_SLOTS 20      /* ceil(255 / 13) */
#define VB_FATNAME_LAST_SLOT 0x40    /* ordinal flag of the highest slot */
#define VB_FATNAME_NT_BODY 0x08      /* NT byte: base stored upper, shown lower */
#define VB_FATNAME_NT_EXT 0x10       /* NT byte: extension likewise */
#define VB_FATNAME_MAX_SEQ 99        /* numeric tails tried: 1..99, then EACCES */
#define VB_FATNAME_LFN_BUF (VB_FAT_NAME_MAX + 1) /* units: a long name + 0 */
#define VB_FATNAME_SHORT_BUF 13      /* "NAMEXXXX.EXT" + NUL */

/* The 8.3 form of a name, as FatFs's create_name derives it. */
typedef struct vb_fatname_sfn {
    uint8_t sfn[11];   /* name 0–7 + extension 8–10, CP437, space-padded;
                          a leading 0xE5 already stored as 0x05 */
    uint8_t nt;        /* NT case byte to store: VB_FATNAME_NT_BODY/EXT;
                          always 0 when need_lfn */
    bool need_lfn;     /* store LFN slots before the 8.3 entry */
    bool lossy;        /* sfn lost information: it is only a basis for a
                          "~N" tail and must not be compared with entries */
    bool is_dot;       /* the name is "." or "..": sfn holds the dot entry
                          name (". " or ".." + spaces); never to be created */
} vb_fatname_sfn;

/* Decode one path component `comp` (len bytes, no separator, need not be
 * NUL-terminated) in the API's byte form into UTF-16 units in out[], then
 * write a 0 after them (out needs VB_FAT_NAME_MAX + 1 units).
 *  - OEM: bytes < 0x80 are ASCII, each byte >= 0x80 one CP437 character.
 *  - UTF-8: strict decoding (no overlong forms, no surrogates); code points
 *    above U+FFFF are refused (FatFs would store a surrogate pair).
 * Rejected with -EINVAL, as FatFs's FR_INVALID_NAME: an empty component;
 * a control character (< 0x20, which would end the name in FatFs); '/' or
 * '\\' (both are separators in FatFs, so the caller must split on both);
 * any of " * : < > ? | and DEL; more than VB_FAT_NAME_MAX units *before*
 * trailing dots and spaces are dropped (FatFs counts them too); a name that
 * is empty once trailing dots and spaces are dropped; bad UTF-8.
 * "." and ".." are returned unchanged (1 or 2 units) so the caller can
 * resolve them; every other name loses its trailing dots and spaces.
 * Returns the unit count (1..255) or -EINVAL. */
int vb_fatname_decode(const char *comp, size_t len, vb_fat_names mode,
                      uint16_t out[VB_FAT_NAME_MAX + 1]);

/* Encode n units back to the API's byte form into out (outlen bytes,
 * NUL-terminated).
 *  - OEM: ASCII as is, others to their CP437 byte.
 *  - UTF-8: a valid surrogate pair becomes one 4-byte sequence.
 * Returns the byte length without the NUL; -EILSEQ when a unit has no CP437
 * byte (OEM) or a surrogate is unpaired (both modes): FatFs then treats the
 * long name as absent and lists the 8.3 name instead, so should the caller;
 * -ENAMETOOLONG when out is too small (out then holds ""). */
int vb_fatname_encode(const uint16_t *u, int n, vb_fat_names mode,
                      char *out, size_t outlen);

/* Derive the 8.3 form of a decoded name u[0..n) (flash.md §4.4): leading
 * spaces, leading dots, inner dots and spaces are dropped with loss; the
 * last dot starts the extension; base ≤ 8, extension ≤ 3 (excess is loss);
 * + , ; = [ ] become '_' with loss; ASCII is upper-cased; other characters
 * go through CP437 and its DOS up-case table and force an LFN (with loss
 * when CP437 lacks them, stored as '_'); a part with both upper- and
 * lower-case ASCII forces an LFN without loss; otherwise an all-lower part
 * sets its NT bit. Returns 0, or -EINVAL when n is not 1..255. */
int vb_fatname_basis(const uint16_t *u, int n, vb_fatname_sfn *out);

/* Build in `out` the numbered alias for try `seq` (1..VB_FATNAME_MAX_SEQ)
 * from the basis 8.3 name: seq 1..5 gives "~seq"; from 6 on the tail is "~"
 * and the hex digits (upper case, no leading zeros) of a 16-bit hash of the
 * long name lfn[0..n): a shift register seeded with seq, fed each unit LSB
 * first, 16 bits per unit, XOR 0x11021 whenever bit 16 is set. The base is
 * cut at its first space or where base + tail would pass 8 bytes; the tail
 * follows, then spaces to byte 8. The extension is copied unchanged. out may
 * be the same array as basis. */
void vb_fatname_add_tail(uint8_t out[11], const uint8_t basis[11],
                         const uint16_t *lfn, int n, unsigned seq);

/* Checksum of an 8.3 name stored in every LFN slot: over the 11 bytes,
 * sum = (sum rotated right by one bit) + byte, 8-bit, from 0. */
uint8_t vb_fatname_checksum(const uint8_t sfn[11]);

/* Number of LFN slots for an n-unit long name: ceil(n / 13). */
int vb_fatname_lfn_slots(int n);

/* Fill the 32-byte slot with ordinal `ord` (1-based; 1 is the slot right
 * before the 8.3 entry, +VB_FATNAME_LAST_SLOT is added when ord is the
 * highest) for long name lfn[0..n): units (ord−1)·13 … as UTF-16LE at bytes
 * 1–10, 14–25, 28–31, a 0x0000 after the last unit unless it fills the slot,
 * then 0xFFFF; attribute 0x0F, type 0, cluster 0, checksum `sum`.
 * Returns 0, or -EINVAL when n is not 1..255 or ord not 1..slots(n). */
int vb_fatname_lfn_pack(uint8_t slot[32], const uint16_t *lfn, int n, int ord,
                        uint8_t sum);

/* Unpack an LFN slot into buf (VB_FATNAME_LFN_BUF units) at (ord−1)·13, as
 * FatFs's pick_lfn: ord = byte 0 without VB_FATNAME_LAST_SLOT; the cluster
 * field must be 0; units are copied up to and including a 0x0000, which
 * must be followed by 0xFFFF only; a slot whose units (or the 0 written
 * after the 13 units of an unterminated highest slot) would reach index 256
 * is invalid, so names stay within 255 units.
 * The attribute and checksum are not checked here: the caller follows the
 * sequence (the first slot met carries the last flag, ordinals then count
 * down by one to 1 with byte 0 exactly equal to the ordinal, every slot has
 * the checksum of the 8.3 entry that follows; a deleted entry, a label or a
 * mismatch drops the sequence). When ordinal 1 has been unpacked, the long
 * name is buf up to its first 0 (FatFs's rule, which also covers a slot
 * that ends early); if that is empty there is no usable long name.
 * Returns the number of name units in the slot, 0..13, and sets
 * *terminated (may be NULL) when the slot held the 0x0000 terminator (so
 * always when fewer than 13); -EINVAL when the slot is invalid (FatFs then
 * shows the 8.3 name). */
int vb_fatname_lfn_unpack(const uint8_t slot[32],
                          uint16_t buf[VB_FATNAME_LFN_BUF], bool *terminated);

/* The name FatFs shows for an entry without a valid long name: spaces
 * dropped, any 0x05 shown as 0xE5, "." before the extension when byte 8 is not a
 * space, ASCII A–Z in a part lower-cased when nt has its NT bit; "?" when
 * all 11 bytes are spaces. OEM mode copies the CP437 bytes; UTF-8 mode
 * converts them. Returns the byte length or -ENAMETOOLONG (out then ""). */
int vb_fatname_sfn_to_name(const uint8_t sfn[11], uint8_t nt, vb_fat_names mode,
                           char *out, size_t outlen);

/* The 8.3 name as stored, for stat's short_name: "BOOT.PY", CP437 bytes,
 * no case bits applied, 0x05 shown as 0xE5; "" when all spaces. */
void vb_fatname_sfn_short(const uint8_t sfn[11], char out[VB_FATNAME_SHORT_BUF]);

/* A character no FAT name may hold (FatFs's FR_INVALID_NAME set plus both
 * separators): controls below 0x20 (NUL included), DEL (0x7F) and
 * " * / : < > ? \\ |. */
bool vb_fatname_illegal_char(uint32_t c);

/* Why a name read from a directory cannot be used as one path component:
 * the names FatFs itself could not create. Names read from an image are
 * untrusted (a crafted image may hold any bytes in a long name); the host
 * tools refuse these rather than join them into a path, and the checker
 * reports them. Most specific reason first. */
typedef enum vb_fatname_unsafe {
    VB_FATNAME_SAFE = 0,
    VB_FATNAME_EMPTY,       /* no bytes at all */
    VB_FATNAME_DOT,         /* "." or ".." */
    VB_FATNAME_SEPARATOR,   /* holds '/' or '\\' */
    VB_FATNAME_CONTROL,     /* holds NUL, a control character or DEL */
    VB_FATNAME_ILLEGAL,     /* holds one of " * : < > ? | */
    VB_FATNAME_TRAILING,    /* ends in '.' or ' ' (FatFs drops them: the name
                               cannot be looked up as itself; covers names
                               made only of dots and spaces) */
} vb_fatname_unsafe;

/* The rule over a name in the API's byte form (name[0..len), which may hold
 * NUL bytes; bytes >= 0x80 are never a reason: UTF-8 and CP437 keep every
 * character above carry bytes >= 0x80 only). */
vb_fatname_unsafe vb_fatname_check(const char *name, size_t len);
/* The same rule over n UTF-16 units (the checker's long names). */
vb_fatname_unsafe vb_fatname_check_units(const uint16_t *u, size_t n);
/* A short English phrase for a reason: "contains '/' or '\\'", ... */
const char *vb_fatname_unsafe_text(vb_fatname_unsafe why);

/* Upper-case one UTF-16 unit for name comparison, with the coverage of
 * FatFs's ff_wtoupper (Latin, IPA, Greek, Cyrillic, Armenian, Georgian,
 * Glagolitic, Coptic, letter-like and enclosed forms, full-width Latin),
 * quirks included. Other units are returned unchanged. */
uint16_t vb_fatname_upper(uint16_t c);

/* Case-insensitive equality of two long names (same length, units equal
 * after vb_fatname_upper), as FatFs's lookup compares them. */
bool vb_fatname_equal(const uint16_t *a, int na, const uint16_t *b, int nb);

#endif
