/* UTF-8 sequences (utf8.h). */
#include "utf8.h"

size_t vb_utf8_lead_len(uint8_t lead)
{
    if (lead < 0x80) return 1;
    if (lead < 0xC0) return 0; /* continuation byte */
    if (lead < 0xE0) return 2;
    if (lead < 0xF0) return 3;
    if (lead < 0xF8) return 4;
    return 0;
}

size_t vb_utf8_valid_len(const uint8_t *s, size_t n)
{
    /* The smallest code point each length may carry; below it the form is
     * overlong (this is what refuses leads 0xC0, 0xC1 and 0xE0/0xF0 with a
     * too-small second byte). */
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (n == 0) return 0;
    size_t k = vb_utf8_lead_len(s[0]);
    if (k <= 1) return k;
    if (n < k) return 0;
    uint32_t cp = s[0] & (0x7Fu >> k); /* the lead's payload bits */
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    if (cp < min_cp[k] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
    return k;
}
