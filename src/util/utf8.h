/* UTF-8 sequences, one at a time: how long a lead byte says its sequence
 * is, and whether the bytes at a position form one well-formed character.
 * The one UTF-8 reader of vboard's C side (the JSON lines, the board's
 * text streams and text files). Pure functions. */
#ifndef VB_UTIL_UTF8_H
#define VB_UTIL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length its bit pattern gives a sequence starting with `lead`: 1 for
 * ASCII, 2 for 110xxxxx, 3 for 1110xxxx, 4 for 11110xxx; 0 for a byte
 * that cannot start one (a continuation byte 10xxxxxx, or 0xF8..0xFF).
 * Structure only: 0xC0 and 0xF5 get 2 and 4 though no valid sequence
 * starts with them. For readers that must take a whole character off a
 * stream before they can judge it. */
size_t vb_utf8_lead_len(uint8_t lead);

/* The length of the well-formed sequence at s[0..n), or 0 (Unicode table
 * 3-7: no overlong forms, no encoded surrogates, nothing above U+10FFFF,
 * no sequence cut short by n; n == 0 gives 0). */
size_t vb_utf8_valid_len(const uint8_t *s, size_t n);

#endif
