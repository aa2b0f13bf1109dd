/* Code page 437, the OEM code page MicroPython's FatFs is built with
 * (flash.md §4.4): bytes 0x00–0x7F are ASCII, 0x80–0xFF map one-to-one to
 * the Unicode characters of the IBM PC character set. Pure functions. */
#ifndef VB_FS_CP437_H
#define VB_FS_CP437_H

#include <stdint.h>

/* Unicode (BMP) character of a CP437 byte. Every byte maps; 0x00 → 0. */
uint16_t vb_cp437_to_uni(uint8_t b);

/* CP437 byte of a UTF-16 unit, or 0 when the character is not in CP437
 * (surrogate halves included). U+0000 also gives 0. */
uint8_t vb_cp437_from_uni(uint16_t u);

/* Upper-case a CP437 byte for an 8.3 name as FatFs does (its CP437 up-case
 * table, the MS-DOS one): ASCII a–z → A–Z, and accented lower-case letters
 * without a capital in CP437 lose their accent (é → 'E', á → 'A'); letters
 * with a capital map to it (ä → Ä, ñ → Ñ). Other bytes are returned as is. */
uint8_t vb_cp437_upper(uint8_t b);

#endif
