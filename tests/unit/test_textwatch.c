/* The streaming matcher of CI mode (src/trace/textwatch.h) against a naive
 * search: random byte streams over small and full alphabets, cut into
 * random pieces (fixed seeds), must report the match after exactly the
 * piece that completes it; plus overlapping prefixes, binary bytes, the
 * empty pattern and stickiness. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "trace/textwatch.h"

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

/* Does pat occur in s[0..n)? The obvious quadratic way. */
static bool naive_has(const uint8_t *s, size_t n, const uint8_t *pat, size_t m)
{
    if (m == 0) return true;
    for (size_t i = 0; i + m <= n; i++) {
        size_t j = 0;
        while (j < m && s[i + j] == pat[j]) j++;
        if (j == m) return true;
    }
    return false;
}

/* Feed s in pieces ending at cuts[0..ncuts) and then n; after each piece
 * the answer must equal the naive one over everything fed so far. */
static bool feed_and_compare(const uint8_t *pat, size_t m, const uint8_t *s, size_t n,
                             const size_t *cuts, size_t ncuts)
{
    vb_textwatch w;
    if (vb_textwatch_init(&w, (const char *)pat, m) != 0) return false;
    bool ok = true;
    size_t at = 0;
    for (size_t i = 0; i <= ncuts && ok; i++) {
        size_t end = i < ncuts ? cuts[i] : n;
        bool got = vb_textwatch_feed(&w, s + at, end - at);
        ok = got == naive_has(s, end, pat, m) && got == w.matched;
        at = end;
    }
    vb_textwatch_free(&w);
    return ok;
}

/* The watcher's answer for pat in s, fed whole. */
static bool watch_says(const char *pat, const char *s)
{
    vb_textwatch w;
    if (vb_textwatch_init(&w, pat, strlen(pat)) != 0) return false;
    bool got = vb_textwatch_feed(&w, (const uint8_t *)s, strlen(s));
    vb_textwatch_free(&w);
    return got;
}

/* Every way of cutting s into two and three pieces, and byte by byte. */
static void every_split(const char *pat, const char *text)
{
    const uint8_t *p = (const uint8_t *)pat, *s = (const uint8_t *)text;
    size_t m = strlen(pat), n = strlen(text);
    int before = check_failures;
    CHECK(feed_and_compare(p, m, s, n, NULL, 0));
    for (size_t a = 0; a <= n; a++) {
        size_t c1[1] = { a };
        CHECK(feed_and_compare(p, m, s, n, c1, 1));
        for (size_t b = a; b <= n; b++) {
            size_t c2[2] = { a, b };
            CHECK(feed_and_compare(p, m, s, n, c2, 2));
        }
    }
    size_t all[64];
    for (size_t i = 0; i < n && i < 64; i++) all[i] = i;
    CHECK(feed_and_compare(p, m, s, n, all, n < 64 ? n : 64));
    if (check_failures != before) fprintf(stderr, "  pattern \"%s\" in \"%s\"\n", pat, text);
}

static void test_known_cases(void)
{
    /* overlapping prefixes: the KMP fallback must not skip a start */
    vb_textwatch w;
    CHECK_EQ(vb_textwatch_init(&w, "aab", 3), 0);
    CHECK(!vb_textwatch_feed(&w, (const uint8_t *)"aa", 2));
    CHECK(!vb_textwatch_feed(&w, (const uint8_t *)"a", 1));
    CHECK(vb_textwatch_feed(&w, (const uint8_t *)"b", 1));
    vb_textwatch_free(&w);

    every_split("aab", "aaab");
    every_split("abab", "abaabab");
    every_split("abab", "ababab");
    every_split("aaaa", "aaabaaaab");
    every_split("abcabd", "abcabcabd");
    every_split("abacabab", "abacabacabab");
    every_split("ab", "ba");
    every_split("a", "a");
    every_split("a", "b");
    every_split("abc", "ab");
    every_split(">>> ", "MicroPython v1.24.1\r\n>>> ");
    every_split("Traceback", "Tracebac Traceback");
    every_split("OK\r\n", "O K\r\nOK\rOK\r\n");
    CHECK(!watch_says("aab", "abab"));
    CHECK(watch_says("aab", "abaab"));
    CHECK(watch_says("aab", "aaab"));
    CHECK(!watch_says("xyz", ""));
    CHECK(!watch_says("xyz", "xy"));
}

static void test_empty_and_sticky(void)
{
    vb_textwatch w;
    CHECK_EQ(vb_textwatch_init(&w, "", 0), 0);
    CHECK(w.matched);
    CHECK(vb_textwatch_feed(&w, NULL, 0));
    CHECK(vb_textwatch_feed(&w, (const uint8_t *)"x", 1));
    vb_textwatch_free(&w);
    CHECK_EQ(vb_textwatch_init(&w, NULL, 0), 0);
    CHECK(vb_textwatch_feed(&w, NULL, 0));
    vb_textwatch_free(&w);
    CHECK_EQ(vb_textwatch_init(&w, NULL, 3), -EINVAL);
    CHECK(!w.matched);
    vb_textwatch_free(&w);

    /* nothing fed yet, or nothing in a feed: no match */
    CHECK_EQ(vb_textwatch_init(&w, "done", 4), 0);
    CHECK(!w.matched);
    CHECK(!vb_textwatch_feed(&w, NULL, 0));
    CHECK(!vb_textwatch_feed(&w, (const uint8_t *)"do", 2));
    CHECK(!vb_textwatch_feed(&w, NULL, 0));
    CHECK(vb_textwatch_feed(&w, (const uint8_t *)"ne", 2));
    /* sticky: later bytes do not undo it */
    CHECK(vb_textwatch_feed(&w, (const uint8_t *)"zzzz", 4));
    CHECK(vb_textwatch_feed(&w, NULL, 0));
    vb_textwatch_free(&w);
    vb_textwatch_free(&w);      /* twice is harmless */

    /* the pattern is copied */
    char pat[] = "ready";
    CHECK_EQ(vb_textwatch_init(&w, pat, 5), 0);
    memcpy(pat, "xxxxx", 5);
    CHECK(vb_textwatch_feed(&w, (const uint8_t *)"..ready..", 9));
    vb_textwatch_free(&w);
}

static void test_binary(void)
{
    static const uint8_t pat[] = { 0x00, 0xFF, 0x00, 0x0A, 0x80 };
    static const uint8_t s[] = { 0x00, 0xFF, 0x00, 0xFF, 0x00, 0x0A, 0x00, 0xFF, 0x00, 0x0A, 0x80, 0x01 };
    vb_textwatch w;
    CHECK_EQ(vb_textwatch_init(&w, (const char *)pat, sizeof pat), 0);
    CHECK(!vb_textwatch_feed(&w, s, 10));
    CHECK(vb_textwatch_feed(&w, s + 10, 2));
    vb_textwatch_free(&w);
    /* a NUL in the pattern is a byte like any other */
    CHECK_EQ(vb_textwatch_init(&w, "a\0b", 3), 0);
    CHECK(!vb_textwatch_feed(&w, (const uint8_t *)"ab", 2));
    CHECK(!vb_textwatch_feed(&w, (const uint8_t *)"a", 1));
    CHECK(vb_textwatch_feed(&w, (const uint8_t *)"\0b", 2));
    vb_textwatch_free(&w);
    for (size_t a = 0; a <= sizeof s; a++)
        for (size_t b = a; b <= sizeof s; b++) {
            size_t c[2] = { a, b };
            CHECK(feed_and_compare(pat, sizeof pat, s, sizeof s, c, 2));
        }
}

/* Random streams over alphabets of 2, 3, 4 and 256 symbols; patterns are
 * random or cut from the stream (so they occur), cuts are random. */
static void test_random_streams(void)
{
    static const unsigned alpha[] = { 2, 3, 4, 256 };
    uint64_t seed = 0x7E57C0DE;
    uint8_t s[400], pat[24];
    size_t cuts[40];
    int bad = 0;
    unsigned matched = 0, total = 0;
    for (int iter = 0; iter < 20000 && bad < 5; iter++) {
        unsigned k = alpha[iter % 4];
        size_t n = rnd(&seed) % sizeof s;
        for (size_t i = 0; i < n; i++) s[i] = (uint8_t)(k == 256 ? rnd(&seed) : 'a' + rnd(&seed) % k);
        size_t m = 1 + rnd(&seed) % (k == 2 ? 12 : 8);
        if (n >= m && rnd(&seed) % 2) {
            memcpy(pat, s + rnd(&seed) % (n - m + 1), m);
        } else {
            for (size_t i = 0; i < m; i++) pat[i] = (uint8_t)(k == 256 ? rnd(&seed) : 'a' + rnd(&seed) % k);
        }
        size_t ncuts = rnd(&seed) % 40;
        for (size_t i = 0; i < ncuts; i++) cuts[i] = n ? rnd(&seed) % (n + 1) : 0;
        for (size_t i = 1; i < ncuts; i++)            /* sorted: insertion sort */
            for (size_t j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
                size_t t = cuts[j];
                cuts[j] = cuts[j - 1];
                cuts[j - 1] = t;
            }
        int before = check_failures;
        CHECK(feed_and_compare(pat, m, s, n, cuts, ncuts));
        matched += naive_has(s, n, pat, m);
        total++;
        if (check_failures != before) {
            fprintf(stderr, "  iteration %d: alphabet %u, pattern of %zu, stream of %zu, %zu cuts\n",
                    iter, k, m, n, ncuts);
            bad++;
        }
    }
    /* the streams exercise both outcomes */
    CHECK(matched > total / 4);
    CHECK(matched < total * 3 / 4 + total / 8);
}

/* A long periodic pattern against a long stream fed in odd pieces: the
 * match is found at its very end (and linear time keeps this fast). */
static void test_long_pattern(void)
{
    size_t m = 10000, n = 50000;
    char *pat = malloc(m);
    uint8_t *s = malloc(n);
    memset(pat, 'a', m - 1);
    pat[m - 1] = 'b';
    memset(s, 'a', n - 1);
    s[n - 1] = 'b';
    vb_textwatch w;
    CHECK_EQ(vb_textwatch_init(&w, pat, m), 0);
    size_t at = 0, piece = 1;
    bool got = false;
    while (at < n) {
        size_t k = piece < n - at ? piece : n - at;
        got = vb_textwatch_feed(&w, s + at, k);
        at += k;
        if (got) break;
        piece = piece * 3 % 997 + 1;
    }
    CHECK(got);
    CHECK_EQ(at, n);
    vb_textwatch_free(&w);
    free(pat);
    free(s);
}

int main(void)
{
    RUN(test_known_cases);
    RUN(test_empty_and_sticky);
    RUN(test_binary);
    RUN(test_random_streams);
    RUN(test_long_pattern);
    return CHECK_DONE();
}
