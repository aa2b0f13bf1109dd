/* Unit tests: UTF-8 sequences (src/util/utf8.c). The lead-byte table for
 * every byte; named ill-formed cases (overlongs, surrogates, truncation,
 * above U+10FFFF, stray bytes); then the definition itself: every scalar
 * value's encoding is accepted, and every accepted input, over all 1-, 2-
 * and 3-byte inputs and a sweep of 4-byte ones, is exactly the encoding of
 * a scalar value. */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "util/utf8.h"

/* The shortest encoding of cp (no checks), its length. */
static size_t encode(uint32_t cp, uint8_t out[4])
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | cp >> 6);
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | cp >> 12);
        out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | cp >> 18);
    out[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* An accepted prefix s[0..k) must re-encode to itself from a scalar value. */
static bool canonical(const uint8_t *s, size_t k)
{
    static const uint8_t lead_mask[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    uint32_t cp = s[0] & lead_mask[k];
    for (size_t i = 1; i < k; i++) cp = cp << 6 | (s[i] & 0x3F);
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    uint8_t e[4];
    return encode(cp, e) == k && memcmp(e, s, k) == 0;
}

#define VALID(bytes, n) vb_utf8_valid_len((const uint8_t *)(bytes), (n))

static void test_lead_len(void)
{
    for (unsigned b = 0; b < 256; b++) {
        size_t want = b < 0x80 ? 1 : b < 0xC0 ? 0 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : b < 0xF8 ? 4 : 0;
        CHECK_EQ(vb_utf8_lead_len((uint8_t)b), want);
    }
}

static void test_named_cases(void)
{
    /* well-formed, at the edges of each length */
    CHECK_EQ(VALID("\x00", 1), 1);
    CHECK_EQ(VALID("\x7F", 1), 1);
    CHECK_EQ(VALID("\xC2\x80", 2), 2);             /* U+0080 */
    CHECK_EQ(VALID("\xDF\xBF", 2), 2);             /* U+07FF */
    CHECK_EQ(VALID("\xE0\xA0\x80", 3), 3);         /* U+0800 */
    CHECK_EQ(VALID("\xED\x9F\xBF", 3), 3);         /* U+D7FF, below the surrogates */
    CHECK_EQ(VALID("\xEE\x80\x80", 3), 3);         /* U+E000, above them */
    CHECK_EQ(VALID("\xEF\xBF\xBF", 3), 3);         /* U+FFFF */
    CHECK_EQ(VALID("\xF0\x90\x80\x80", 4), 4);     /* U+10000 */
    CHECK_EQ(VALID("\xF4\x8F\xBF\xBF", 4), 4);     /* U+10FFFF */
    CHECK_EQ(VALID("\xE2\x82\xACrest", 7), 3);     /* only the first character counts */
    /* overlong forms */
    CHECK_EQ(VALID("\xC0\x80", 2), 0);             /* NUL in two bytes */
    CHECK_EQ(VALID("\xC1\xBF", 2), 0);
    CHECK_EQ(VALID("\xE0\x80\x80", 3), 0);
    CHECK_EQ(VALID("\xE0\x9F\xBF", 3), 0);
    CHECK_EQ(VALID("\xF0\x80\x80\x80", 4), 0);
    CHECK_EQ(VALID("\xF0\x8F\xBF\xBF", 4), 0);
    /* encoded surrogates */
    CHECK_EQ(VALID("\xED\xA0\x80", 3), 0);         /* U+D800 */
    CHECK_EQ(VALID("\xED\xBF\xBF", 3), 0);         /* U+DFFF */
    CHECK_EQ(VALID("\xED\xA0\xBD\xED\xB8\x80", 6), 0); /* a CESU-8 pair */
    /* above U+10FFFF */
    CHECK_EQ(VALID("\xF4\x90\x80\x80", 4), 0);
    CHECK_EQ(VALID("\xF5\x80\x80\x80", 4), 0);
    CHECK_EQ(VALID("\xF7\xBF\xBF\xBF", 4), 0);
    CHECK_EQ(VALID("\xF8\x88\x80\x80\x80", 5), 0); /* old 5-byte form */
    CHECK_EQ(VALID("\xFC\x84\x80\x80\x80\x80", 6), 0);
    /* truncated: by n, or by a byte that is not a continuation */
    CHECK_EQ(VALID("\xC2", 1), 0);
    CHECK_EQ(VALID("\xE2\x82", 2), 0);
    CHECK_EQ(VALID("\xF0\x9F\x98", 3), 0);
    CHECK_EQ(VALID("\xE2\x82\xAC", 2), 0);         /* the bytes exist, n says no */
    CHECK_EQ(VALID("\xE2(\xAC", 3), 0);
    CHECK_EQ(VALID("\xF0\x9F\x98(", 4), 0);
    CHECK_EQ(VALID("\xC2\xC2\x80", 3), 0);
    /* stray bytes, and nothing at all */
    CHECK_EQ(VALID("\x80", 1), 0);
    CHECK_EQ(VALID("\xBF\xBF", 2), 0);
    CHECK_EQ(VALID("\xFE", 1), 0);
    CHECK_EQ(VALID("\xFF", 1), 0);
    CHECK_EQ(VALID("", 0), 0);
}

/* Every scalar value, and every surrogate, by its shortest encoding. */
static void test_every_code_point(void)
{
    int bad = 0;
    for (uint32_t cp = 0; cp <= 0x10FFFF && bad < 5; cp++) {
        uint8_t e[4];
        size_t k = encode(cp, e);
        size_t want = cp >= 0xD800 && cp <= 0xDFFF ? 0 : k;
        if (vb_utf8_valid_len(e, k) != want || vb_utf8_lead_len(e[0]) != k) {
            fprintf(stderr, "U+%04X: valid_len %zu, want %zu\n", (unsigned)cp, vb_utf8_valid_len(e, k), want);
            bad++;
        }
    }
    CHECK_EQ(bad, 0);
}

/* Whatever is accepted is canonical: all inputs of 1..3 bytes, and 4-byte
 * inputs with every lead and second byte and a spread of the rest. */
static void test_accepts_only_canonical(void)
{
    int bad = 0;
    uint8_t s[4];
    for (uint32_t v = 0; v < (1u << 24) && bad < 5; v++) {
        s[0] = (uint8_t)(v >> 16), s[1] = (uint8_t)(v >> 8), s[2] = (uint8_t)v;
        for (size_t n = 1; n <= 3; n++) {
            if (n < 3 && (v & ((1u << (8 * (3 - n))) - 1))) continue; /* shorter: once each */
            size_t k = vb_utf8_valid_len(s, n);
            if (k > n || (k && !canonical(s, k))) {
                fprintf(stderr, "%02x %02x %02x (n %zu): accepted %zu\n", s[0], s[1], s[2], n, k);
                bad++;
            }
        }
    }
    for (uint32_t v = 0; v < (1u << 16) && bad < 5; v++) {
        for (unsigned r = 0; r < 256; r += 7) {
            s[0] = (uint8_t)(v >> 8), s[1] = (uint8_t)v, s[2] = (uint8_t)r, s[3] = (uint8_t)(r * 13 + 0x80);
            size_t k = vb_utf8_valid_len(s, 4);
            if (k && !canonical(s, k)) {
                fprintf(stderr, "%02x %02x %02x %02x: accepted %zu\n", s[0], s[1], s[2], s[3], k);
                bad++;
            }
        }
    }
    CHECK_EQ(bad, 0);
}

int main(void)
{
    RUN(test_lead_len);
    RUN(test_named_cases);
    RUN(test_every_code_point);
    RUN(test_accepts_only_canonical);
    return CHECK_DONE();
}
