/* Unit tests for src/fs/fat_name.c and src/fs/cp437.c: decoding and encoding
 * of name components, 8.3 aliases and tails, checksums, LFN slots, display
 * of 8.3 names and case folding (flash.md §4.4). Expected values come from
 * the spec's examples or are recomputed here from the definitions in an
 * independent way (polynomial division for the tail hash, a rotate written
 * differently for the checksum). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "fs/cp437.h"
#include "fs/fat_name.h"

/* ---- helpers ---------------------------------------------------------- */

static int dec(const char *s, vb_fat_names mode, uint16_t *u)
{
    return vb_fatname_decode(s, strlen(s), mode, u);
}

/* Units of an ASCII string. */
static int ascii_units(const char *s, uint16_t *u)
{
    int n = 0;
    while (s[n]) {
        u[n] = (uint8_t)s[n];
        n++;
    }
    return n;
}

static vb_fatname_sfn basis_of(const char *utf8)
{
    uint16_t u[VB_FAT_NAME_MAX + 1];
    vb_fatname_sfn b;
    int n = dec(utf8, VB_FAT_NAMES_UTF8, u);
    memset(&b, 0xAA, sizeof b);
    if (n < 0 || vb_fatname_basis(u, n, &b) != 0)
        memset(b.sfn, '!', 11);
    return b;
}

/* The alias after the basis of `utf8` gets try `seq`. */
static void alias_of(const char *utf8, unsigned seq, uint8_t out[11])
{
    uint16_t u[VB_FAT_NAME_MAX + 1];
    vb_fatname_sfn b;
    int n = dec(utf8, VB_FAT_NAMES_UTF8, u);
    vb_fatname_basis(u, n, &b);
    vb_fatname_add_tail(out, b.sfn, u, n, seq);
}

#define CHECK_SFN(b, s) CHECK_MEM((b), (s), 11)

/* ---- decode ----------------------------------------------------------- */

static void test_decode_ok(void)
{
    uint16_t u[VB_FAT_NAME_MAX + 1];

    CHECK_EQ(dec("boot.py", VB_FAT_NAMES_OEM, u), 7);
    CHECK_EQ(u[0], 'b');
    CHECK_EQ(u[6], 'y');
    CHECK_EQ(u[7], 0);

    /* Trailing dots and spaces go; leading spaces and inner dots stay. */
    CHECK_EQ(dec("a.", VB_FAT_NAMES_OEM, u), 1);
    CHECK_EQ(dec("a . .  ", VB_FAT_NAMES_OEM, u), 1);
    CHECK_EQ(u[1], 0);
    CHECK_EQ(dec(" a", VB_FAT_NAMES_OEM, u), 2);
    CHECK_EQ(u[0], ' ');
    CHECK_EQ(dec("a.b.c", VB_FAT_NAMES_OEM, u), 5);
    CHECK_EQ(dec(".profile", VB_FAT_NAMES_OEM, u), 8);

    /* The dot names are kept exactly, for the caller to resolve. */
    CHECK_EQ(dec(".", VB_FAT_NAMES_OEM, u), 1);
    CHECK_EQ(u[0], '.');
    CHECK_EQ(dec("..", VB_FAT_NAMES_UTF8, u), 2);
    CHECK_EQ(u[1], '.');

    /* Length given explicitly: the rest of the path is not read. */
    CHECK_EQ(vb_fatname_decode("lib/x.py", 3, VB_FAT_NAMES_OEM, u), 3);

    /* OEM: each high byte is one CP437 character. */
    CHECK_EQ(dec("\x82t\xe9", VB_FAT_NAMES_OEM, u), 3);
    CHECK_EQ(u[0], 0x00E9);
    CHECK_EQ(u[1], 't');
    CHECK_EQ(u[2], 0x0398);
    /* The board quirk: UTF-8 "é" (C3 A9) is two CP437 characters. */
    CHECK_EQ(dec("\xc3\xa9", VB_FAT_NAMES_OEM, u), 2);
    CHECK_EQ(u[0], 0x251C);
    CHECK_EQ(u[1], 0x2310);

    /* UTF-8 of 1, 2 and 3 bytes. */
    CHECK_EQ(dec("\x41\xc3\xa9\xe2\x82\xac\xef\xbf\xbf", VB_FAT_NAMES_UTF8, u), 4);
    CHECK_EQ(u[0], 'A');
    CHECK_EQ(u[1], 0x00E9);
    CHECK_EQ(u[2], 0x20AC);
    CHECK_EQ(u[3], 0xFFFF);
    CHECK_EQ(dec("\xc2\x80", VB_FAT_NAMES_UTF8, u), 1);
    CHECK_EQ(u[0], 0x80);
    CHECK_EQ(dec("\xe0\xa0\x80", VB_FAT_NAMES_UTF8, u), 1);
    CHECK_EQ(u[0], 0x800);

    /* Characters FatFs accepts in long names. */
    CHECK_EQ(dec("a+b,c;d=e[f]g h'~!@#$%^&()_-{}`", VB_FAT_NAMES_OEM, u), 31);
}

static void test_decode_errors(void)
{
    uint16_t u[VB_FAT_NAME_MAX + 1];
    static const char bad_ascii[] = "\"*:<>?|\x7f/\\";

    CHECK_EQ(vb_fatname_decode("", 0, VB_FAT_NAMES_OEM, u), -EINVAL);
    CHECK_EQ(vb_fatname_decode("x", 0, VB_FAT_NAMES_UTF8, u), -EINVAL);
    for (const char *p = bad_ascii; *p; p++) {
        char name[4] = {'a', *p, 'b', 0};
        CHECK_EQ(dec(name, VB_FAT_NAMES_OEM, u), -EINVAL);
        CHECK_EQ(dec(name, VB_FAT_NAMES_UTF8, u), -EINVAL);
        name[0] = *p;
        name[1] = 0;
        CHECK_EQ(dec(name, VB_FAT_NAMES_OEM, u), -EINVAL);
    }
    /* Every control character, NUL included (explicit length). */
    for (int c = 0; c < 0x20; c++) {
        char name[3] = {'a', (char)c, 'b'};
        CHECK_EQ(vb_fatname_decode(name, 3, VB_FAT_NAMES_OEM, u), -EINVAL);
        CHECK_EQ(vb_fatname_decode(name, 3, VB_FAT_NAMES_UTF8, u), -EINVAL);
    }
    /* Empty once trailing dots and spaces are dropped. */
    CHECK_EQ(dec("...", VB_FAT_NAMES_OEM, u), -EINVAL);
    CHECK_EQ(dec(" ", VB_FAT_NAMES_OEM, u), -EINVAL);
    CHECK_EQ(dec(". ", VB_FAT_NAMES_OEM, u), -EINVAL);
    CHECK_EQ(dec(".. ", VB_FAT_NAMES_OEM, u), -EINVAL);
    CHECK_EQ(dec(" . . ", VB_FAT_NAMES_UTF8, u), -EINVAL);

    /* Bad UTF-8: stray continuation, truncated, overlong, surrogate, too
     * large, bad lead bytes; and valid code points beyond the BMP. */
    static const char *const bad_utf8[] = {
        "\x80", "a\xbf", "\xc3", "\xc3x", "\xe2\x82", "\xf0\x9f\x98",
        "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf",
        "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
        "\xf8\x88\x80\x80\x80", "\xfe", "\xff",
        "\xf0\x9f\x98\x80", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
    };
    for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++)
        CHECK_EQ(dec(bad_utf8[i], VB_FAT_NAMES_UTF8, u), -EINVAL);
    /* The same bytes are fine as CP437, except where they hold NUL. */
    CHECK_EQ(dec("\xf0\x9f\x98\x80", VB_FAT_NAMES_OEM, u), 4);
}

static void test_decode_length(void)
{
    uint16_t u[VB_FAT_NAME_MAX + 1];
    char name[VB_FAT_NAME_MAX + 8];
    vb_fatname_sfn b;

    memset(name, 'a', sizeof name);
    name[255] = 0;
    CHECK_EQ(dec(name, VB_FAT_NAMES_OEM, u), 255);
    CHECK_EQ(u[255], 0);
    CHECK_EQ(vb_fatname_basis(u, 255, &b), 0);
    CHECK(b.lossy && b.need_lfn);
    CHECK_EQ(vb_fatname_lfn_slots(255), 20);
    name[255] = 'a';
    name[256] = 0;
    CHECK_EQ(dec(name, VB_FAT_NAMES_OEM, u), -EINVAL);
    /* FatFs counts before dropping trailing dots: 255 + "." is too long. */
    name[255] = '.';
    CHECK_EQ(dec(name, VB_FAT_NAMES_OEM, u), -EINVAL);
    /* 254 + "." fits and becomes 254. */
    name[254] = '.';
    name[255] = 0;
    CHECK_EQ(dec(name, VB_FAT_NAMES_OEM, u), 254);
    /* Multi-byte UTF-8 counts units, not bytes: 255 × "é" is 510 bytes. */
    char wide[2 * 256 + 1];
    for (int i = 0; i < 256; i++) {
        wide[2 * i] = (char)0xC3;
        wide[2 * i + 1] = (char)0xA9;
    }
    wide[510] = 0;
    CHECK_EQ(dec(wide, VB_FAT_NAMES_UTF8, u), 255);
    wide[510] = (char)0xC3;
    wide[512] = 0;
    CHECK_EQ(dec(wide, VB_FAT_NAMES_UTF8, u), -EINVAL);
    /* make_basis refuses impossible lengths. */
    CHECK_EQ(vb_fatname_basis(u, 0, &b), -EINVAL);
    CHECK_EQ(vb_fatname_basis(u, 256, &b), -EINVAL);
}

/* ---- encode and round trips ------------------------------------------- */

static void test_encode(void)
{
    char out[VB_FAT_NAME_BUF];
    uint16_t u[8];

    CHECK_EQ(vb_fatname_encode(u, ascii_units("Boot.py", u), VB_FAT_NAMES_OEM, out, sizeof out), 7);
    CHECK_STR(out, "Boot.py");
    CHECK_EQ(vb_fatname_encode(u, 0, VB_FAT_NAMES_UTF8, out, sizeof out), 0);
    CHECK_STR(out, "");

    uint16_t acc[3] = {0x00E9, 0x03A3, 0x00A0};
    CHECK_EQ(vb_fatname_encode(acc, 3, VB_FAT_NAMES_OEM, out, sizeof out), 3);
    CHECK_STR(out, "\x82\xe4\xff");
    CHECK_EQ(vb_fatname_encode(acc, 3, VB_FAT_NAMES_UTF8, out, sizeof out), 6);
    CHECK_STR(out, "\xc3\xa9\xce\xa3\xc2\xa0");

    /* No CP437 byte: FatFs drops the long name; so do we (-EILSEQ). */
    uint16_t han[2] = {'a', 0x4E2D};
    strcpy(out, "junk");
    CHECK_EQ(vb_fatname_encode(han, 2, VB_FAT_NAMES_OEM, out, sizeof out), -EILSEQ);
    CHECK_STR(out, "");
    CHECK_EQ(vb_fatname_encode(han, 2, VB_FAT_NAMES_UTF8, out, sizeof out), 4);
    CHECK_STR(out, "a\xe4\xb8\xad");
    uint16_t euro = 0x20AC;   /* in CP858, not CP437 */
    CHECK_EQ(vb_fatname_encode(&euro, 1, VB_FAT_NAMES_OEM, out, sizeof out), -EILSEQ);

    /* Surrogates: a pair is one 4-byte UTF-8 character; halves alone or
     * reversed are invalid; OEM has no such characters. */
    uint16_t pair[3] = {0xD83D, 0xDE00, 'x'};
    CHECK_EQ(vb_fatname_encode(pair, 3, VB_FAT_NAMES_UTF8, out, sizeof out), 5);
    CHECK_STR(out, "\xf0\x9f\x98\x80x");
    CHECK_EQ(vb_fatname_encode(pair, 3, VB_FAT_NAMES_OEM, out, sizeof out), -EILSEQ);
    CHECK_EQ(vb_fatname_encode(pair, 1, VB_FAT_NAMES_UTF8, out, sizeof out), -EILSEQ);
    CHECK_EQ(vb_fatname_encode(pair + 1, 2, VB_FAT_NAMES_UTF8, out, sizeof out), -EILSEQ);
    uint16_t two_high[2] = {0xD800, 0xD800};
    CHECK_EQ(vb_fatname_encode(two_high, 2, VB_FAT_NAMES_UTF8, out, sizeof out), -EILSEQ);
    uint16_t nul[2] = {'a', 0};
    CHECK_EQ(vb_fatname_encode(nul, 2, VB_FAT_NAMES_UTF8, out, sizeof out), -EILSEQ);

    /* Buffer limits: the NUL needs its byte. */
    int n = ascii_units("abcd", u);
    CHECK_EQ(vb_fatname_encode(u, n, VB_FAT_NAMES_OEM, out, 5), 4);
    CHECK_STR(out, "abcd");
    CHECK_EQ(vb_fatname_encode(u, n, VB_FAT_NAMES_OEM, out, 4), -ENAMETOOLONG);
    CHECK_STR(out, "");
    CHECK_EQ(vb_fatname_encode(u, n, VB_FAT_NAMES_OEM, out, 0), -ENAMETOOLONG);
    CHECK_EQ(vb_fatname_encode(acc, 1, VB_FAT_NAMES_UTF8, out, 3), 2);
    CHECK_EQ(vb_fatname_encode(acc, 1, VB_FAT_NAMES_UTF8, out, 2), -ENAMETOOLONG);
}

static void test_round_trips(void)
{
    uint16_t u[VB_FAT_NAME_MAX + 1];
    char out[VB_FAT_NAME_BUF];
    static const char *const utf8_names[] = {
        "boot.py", "Boot.PY", "h\xc3\xa9llo w\xc3\xb6rld \xe2\x82\xac.txt",
        "\xce\xa9\xce\xbc\xce\xad\xce\xb3\xce\xb1", "\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0",
        "\xe4\xb8\xad\xe6\x96\x87.txt", " lead", "a.b.c", "..x", "\xef\xbf\xbd",
    };
    for (size_t i = 0; i < sizeof utf8_names / sizeof utf8_names[0]; i++) {
        int n = dec(utf8_names[i], VB_FAT_NAMES_UTF8, u);
        CHECK(n > 0);
        CHECK_EQ(vb_fatname_encode(u, n, VB_FAT_NAMES_UTF8, out, sizeof out),
                 (long long)strlen(utf8_names[i]));
        CHECK_STR(out, utf8_names[i]);
    }

    /* OEM: every byte allowed in a name survives decode then encode. */
    char all[256];
    int len = 0;
    for (int c = 0x20; c <= 0xFF; c++)
        if (!strchr("\"*:<>?|\x7f/\\", c))
            all[len++] = (char)c;
    CHECK(len > VB_FAT_NAME_MAX - 64);   /* 215 bytes */
    int n = vb_fatname_decode(all, (size_t)len, VB_FAT_NAMES_OEM, u);
    CHECK_EQ(n, len);
    CHECK_EQ(vb_fatname_encode(u, n, VB_FAT_NAMES_OEM, out, sizeof out), len);
    CHECK_MEM(out, all, (size_t)len);
    /* …and OEM → UTF-8 → OEM keeps them as well. */
    char utf8[VB_FAT_NAME_BUF];
    int m = vb_fatname_encode(u, n, VB_FAT_NAMES_UTF8, utf8, sizeof utf8);
    CHECK(m > len);
    uint16_t back[VB_FAT_NAME_MAX + 1];
    CHECK_EQ(vb_fatname_decode(utf8, (size_t)m, VB_FAT_NAMES_UTF8, back), n);
    CHECK_MEM(back, u, (size_t)n * sizeof u[0]);
}

static void test_cp437(void)
{
    /* Landmarks of the published table. */
    CHECK_EQ(vb_cp437_to_uni(0x41), 0x41);
    CHECK_EQ(vb_cp437_to_uni(0x7F), 0x7F);
    CHECK_EQ(vb_cp437_to_uni(0x80), 0x00C7);
    CHECK_EQ(vb_cp437_to_uni(0x81), 0x00FC);
    CHECK_EQ(vb_cp437_to_uni(0x9E), 0x20A7);
    CHECK_EQ(vb_cp437_to_uni(0x9F), 0x0192);
    CHECK_EQ(vb_cp437_to_uni(0xA9), 0x2310);
    CHECK_EQ(vb_cp437_to_uni(0xB0), 0x2591);
    CHECK_EQ(vb_cp437_to_uni(0xC5), 0x253C);
    CHECK_EQ(vb_cp437_to_uni(0xDB), 0x2588);
    CHECK_EQ(vb_cp437_to_uni(0xE1), 0x00DF);
    CHECK_EQ(vb_cp437_to_uni(0xE5), 0x03C3);
    CHECK_EQ(vb_cp437_to_uni(0xE6), 0x00B5);
    CHECK_EQ(vb_cp437_to_uni(0xF9), 0x2219);
    CHECK_EQ(vb_cp437_to_uni(0xFA), 0x00B7);
    CHECK_EQ(vb_cp437_to_uni(0xFE), 0x25A0);
    CHECK_EQ(vb_cp437_to_uni(0xFF), 0x00A0);

    /* All 128 high bytes: non-ASCII, distinct, and back to themselves. */
    for (int b = 0x80; b <= 0xFF; b++) {
        uint16_t c = vb_cp437_to_uni((uint8_t)b);
        CHECK(c >= 0xA0);
        CHECK_EQ(vb_cp437_from_uni(c), b);
        for (int o = 0x80; o < b; o++)
            if (vb_cp437_to_uni((uint8_t)o) == c)
                CHECK_EQ(o, b);
    }
    for (int c = 0; c < 0x80; c++)
        CHECK_EQ(vb_cp437_from_uni((uint16_t)c), c);
    /* Unmappable: C1 controls, Latin-1 letters CP437 lacks, others. */
    CHECK_EQ(vb_cp437_from_uni(0x0080), 0);
    CHECK_EQ(vb_cp437_from_uni(0x00C0), 0);
    CHECK_EQ(vb_cp437_from_uni(0x20AC), 0);
    CHECK_EQ(vb_cp437_from_uni(0xD800), 0);
    CHECK_EQ(vb_cp437_from_uni(0xFFFF), 0);

    /* DOS up-case table: accents without a CP437 capital are dropped. */
    CHECK_EQ(vb_cp437_upper('a'), 'A');
    CHECK_EQ(vb_cp437_upper('Z'), 'Z');
    CHECK_EQ(vb_cp437_upper('_'), '_');
    CHECK_EQ(vb_cp437_upper(0x81), 0x9A);   /* ü → Ü */
    CHECK_EQ(vb_cp437_upper(0x82), 'E');    /* é → E */
    CHECK_EQ(vb_cp437_upper(0x84), 0x8E);   /* ä → Ä */
    CHECK_EQ(vb_cp437_upper(0x87), 0x80);   /* ç → Ç */
    CHECK_EQ(vb_cp437_upper(0x91), 0x92);   /* æ → Æ */
    CHECK_EQ(vb_cp437_upper(0x94), 0x99);   /* ö → Ö */
    CHECK_EQ(vb_cp437_upper(0x98), 'Y');    /* ÿ → Y */
    CHECK_EQ(vb_cp437_upper(0xA4), 0xA5);   /* ñ → Ñ */
    CHECK_EQ(vb_cp437_upper(0xA0), 'A');    /* á → A */
    CHECK_EQ(vb_cp437_upper(0x8E), 0x8E);
    CHECK_EQ(vb_cp437_upper(0xE0), 0xE0);   /* α stays: no capital in CP437 */
    CHECK_EQ(vb_cp437_upper(0xE5), 0xE5);
    for (int b = 0xA5; b <= 0xFF; b++)
        CHECK_EQ(vb_cp437_upper((uint8_t)b), b);
}

/* ---- 8.3 aliases -------------------------------------------------------- */

static void test_basis_examples(void)
{
    vb_fatname_sfn b;

    b = basis_of("boot.py");
    CHECK_SFN(b.sfn, "BOOT    PY ");
    CHECK_EQ(b.nt, 0x18);
    CHECK(!b.need_lfn && !b.lossy && !b.is_dot);

    b = basis_of("README.txt");
    CHECK_SFN(b.sfn, "README  TXT");
    CHECK_EQ(b.nt, 0x10);
    CHECK(!b.need_lfn && !b.lossy);

    b = basis_of("lib");
    CHECK_SFN(b.sfn, "LIB        ");
    CHECK_EQ(b.nt, 0x08);
    CHECK(!b.need_lfn);

    b = basis_of("Boot.py");
    CHECK_SFN(b.sfn, "BOOT    PY ");
    CHECK_EQ(b.nt, 0);
    CHECK(b.need_lfn && !b.lossy);

    b = basis_of("config.json");
    CHECK_SFN(b.sfn, "CONFIG  JSO");
    CHECK(b.need_lfn && b.lossy);
    CHECK_EQ(b.nt, 0);
    uint8_t a[11];
    alias_of("config.json", 1, a);
    CHECK_SFN(a, "CONFIG~1JSO");

    b = basis_of("A Long File Name module.py");
    CHECK_SFN(b.sfn, "ALONGFILPY ");
    CHECK(b.need_lfn && b.lossy);
    alias_of("A Long File Name module.py", 1, a);
    CHECK_SFN(a, "ALONGF~1PY ");

    b = basis_of(".");
    CHECK(b.is_dot && !b.need_lfn && !b.lossy);
    CHECK_SFN(b.sfn, ".          ");
    b = basis_of("..");
    CHECK(b.is_dot);
    CHECK_SFN(b.sfn, "..         ");
}

static void test_basis_rules(void)
{
    vb_fatname_sfn b;

    /* Upper case, digits and symbols only: no NT bits, no LFN. */
    b = basis_of("MAIN.PY");
    CHECK_SFN(b.sfn, "MAIN    PY ");
    CHECK(!b.need_lfn && b.nt == 0);
    b = basis_of("123_~!.$$$");
    CHECK_SFN(b.sfn, "123_~!  $$$");
    CHECK(!b.need_lfn && b.nt == 0);
    b = basis_of("v2");
    CHECK_SFN(b.sfn, "V2         ");
    CHECK_EQ(b.nt, 0x08);
    b = basis_of("abc.TXT");
    CHECK_EQ(b.nt, 0x08);
    CHECK(!b.need_lfn);
    b = basis_of("ABC.tXt");        /* mixed extension */
    CHECK(b.need_lfn && !b.lossy);
    CHECK_SFN(b.sfn, "ABC     TXT");
    b = basis_of("aBc");
    CHECK(b.need_lfn && !b.lossy && b.nt == 0);

    /* Full 8 + 3 fits without loss; one more does not. */
    b = basis_of("abcdefgh.txt");
    CHECK_SFN(b.sfn, "ABCDEFGHTXT");
    CHECK(!b.need_lfn && b.nt == 0x18);
    b = basis_of("abcdefghi.txt");
    CHECK_SFN(b.sfn, "ABCDEFGHTXT");
    CHECK(b.lossy && b.need_lfn);
    b = basis_of("abc.defg");
    CHECK_SFN(b.sfn, "ABC     DEF");
    CHECK(b.lossy);
    b = basis_of("abcdefghij");
    CHECK_SFN(b.sfn, "ABCDEFGH   ");
    CHECK(b.lossy);

    /* The last dot starts the extension; inner dots and spaces go. */
    b = basis_of("a.b.c");
    CHECK_SFN(b.sfn, "AB      C  ");
    CHECK(b.lossy);
    b = basis_of("x y.t t");
    CHECK_SFN(b.sfn, "XY      TT ");
    CHECK(b.lossy);
    b = basis_of("archive.tar.gz");
    CHECK_SFN(b.sfn, "ARCHIVETGZ ");
    CHECK(b.lossy);

    /* Leading spaces and dots are lost. */
    b = basis_of("  x");
    CHECK_SFN(b.sfn, "X          ");
    CHECK(b.lossy);
    b = basis_of(".bashrc");        /* the only dot: all extension */
    CHECK_SFN(b.sfn, "        BAS");
    CHECK(b.lossy);
    b = basis_of("..x");
    CHECK_SFN(b.sfn, "        X  ");
    CHECK(b.lossy);
    b = basis_of("...x.y");
    CHECK_SFN(b.sfn, "X       Y  ");
    CHECK(b.lossy);

    /* + , ; = [ ] become '_' with loss. */
    b = basis_of("a[1]+b,c;d=.t]");
    CHECK_SFN(b.sfn, "A_1__B_CT_ ");
    CHECK(b.lossy);

    /* Non-ASCII: CP437, DOS upper case, LFN without loss… */
    b = basis_of("\xc3\xbc" "ber.txt");       /* über.txt */
    CHECK_SFN(b.sfn, "\x9a" "BER    TXT");
    CHECK(b.need_lfn && !b.lossy && b.nt == 0);
    b = basis_of("caf\xc3\xa9");              /* café: é → E */
    CHECK_SFN(b.sfn, "CAFE       ");
    CHECK(b.need_lfn && !b.lossy);
    b = basis_of("\xc3\x9c" "BER");           /* ÜBER */
    CHECK_SFN(b.sfn, "\x9a" "BER       ");
    CHECK(b.need_lfn && !b.lossy);
    b = basis_of("\xce\xb1.\xc3\x9f");        /* α.ß: both in CP437, no capitals */
    CHECK_SFN(b.sfn, "\xe0       \xe1  ");
    CHECK(b.need_lfn && !b.lossy);
    /* …or '_' with loss when CP437 lacks the character (β is not ß). */
    b = basis_of("\xce\xb2");
    CHECK_SFN(b.sfn, "_          ");
    CHECK(b.need_lfn && b.lossy);
    b = basis_of("\xe4\xb8\xad.txt");         /* 中.txt */
    CHECK_SFN(b.sfn, "_       TXT");
    CHECK(b.need_lfn && b.lossy);
    b = basis_of("\xe2\x82\xac" "5");         /* €5 */
    CHECK_SFN(b.sfn, "_5         ");
    CHECK(b.lossy);

    /* A decoded name never has trailing dots or spaces; a raw one with a
     * dot at the end just has an empty extension. */
    uint16_t u[4] = {'a', 'b', '.', 0};
    CHECK_EQ(vb_fatname_basis(u, 3, &b), 0);
    CHECK_SFN(b.sfn, "AB         ");
    CHECK(!b.lossy);
}

static void test_e5(void)
{
    uint16_t u[VB_FAT_NAME_MAX + 1];
    vb_fatname_sfn b;
    char out[32];

    /* σ is CP437 0xE5, the "deleted" mark: stored as 0x05. */
    b = basis_of("\xcf\x83.txt");
    CHECK_EQ(b.sfn[0], 0x05);
    CHECK_SFN(b.sfn, "\x05       TXT");
    CHECK(b.need_lfn && !b.lossy);
    /* The board's byte 0xE5 is the same character. */
    CHECK_EQ(dec("\xe5x", VB_FAT_NAMES_OEM, u), 2);
    CHECK_EQ(u[0], 0x03C3);
    CHECK_EQ(vb_fatname_basis(u, 2, &b), 0);
    CHECK_SFN(b.sfn, "\x05X         ");
    /* Only the first byte is replaced. */
    b = basis_of("x\xcf\x83");
    CHECK_SFN(b.sfn, "X\xe5         ");
    /* The tail keeps the 0x05. */
    uint8_t a[11];
    alias_of("\xcf\x83\xcf\x83\xcf\x83\xcf\x83\xcf\x83\xcf\x83\xcf\x83\xcf\x83\xcf\x83", 1, a);
    CHECK_SFN(a, "\x05\xe5\xe5\xe5\xe5\xe5~1   ");

    /* Shown as 0xE5 again. */
    CHECK_EQ(vb_fatname_sfn_to_name((const uint8_t *)"\x05X      TXT", 0, VB_FAT_NAMES_OEM, out, sizeof out), 6);
    CHECK_STR(out, "\xe5X.TXT");
    CHECK_EQ(vb_fatname_sfn_to_name((const uint8_t *)"\x05X      TXT", 0x18, VB_FAT_NAMES_UTF8, out, sizeof out), 7);
    CHECK_STR(out, "\xcf\x83x.txt");
    vb_fatname_sfn_short((const uint8_t *)"\x05X      TXT", out);
    CHECK_STR(out, "\xe5X.TXT");
}

/* ---- numeric tails -------------------------------------------------------- */

/* The tail hash recomputed as a polynomial remainder over GF(2): the seed's
 * 16 bits, then each unit's 16 bits LSB first, divided by x^16+x^12+x^5+1.
 * The shift register of the spec computes exactly this remainder. */
static unsigned hash_by_division(unsigned seed, const uint16_t *u, int n)
{
    static uint8_t bits[16 + 16 * VB_FAT_NAME_MAX];
    static const uint8_t poly[17] = {1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    int len = 0;
    for (int i = 15; i >= 0; i--)
        bits[len++] = (uint8_t)(seed >> i & 1);
    for (int k = 0; k < n; k++)
        for (int i = 0; i < 16; i++)
            bits[len++] = (uint8_t)(u[k] >> i & 1);
    for (int i = 0; i + 16 < len; i++)
        if (bits[i])
            for (int j = 0; j < 17; j++)
                bits[i + j] ^= poly[j];
    unsigned r = 0;
    for (int i = len - 16; i < len; i++)
        r = r << 1 | bits[i];
    return r;
}

/* Expected alias: base cut to fit "~" + hex digits of v. */
static void expected_alias(const uint8_t basis[11], unsigned v, uint8_t out[11])
{
    char tail[16];
    int tl = snprintf(tail, sizeof tail, "~%X", v);
    int keep = 0;
    while (keep < 8 - tl && basis[keep] != ' ')
        keep++;
    memset(out, ' ', 8);
    memcpy(out, basis, (size_t)keep);
    memcpy(out + keep, tail, (size_t)tl);
    memcpy(out + 8, basis + 8, 3);
}

static void test_tails(void)
{
    uint8_t a[11];
    static const char *const seq_expect[] = {
        "CONFIG~1JSO", "CONFIG~2JSO", "CONFIG~3JSO", "CONFIG~4JSO", "CONFIG~5JSO",
    };
    for (unsigned s = 1; s <= 5; s++) {
        alias_of("config.json", s, a);
        CHECK_SFN(a, seq_expect[s - 1]);
    }
    /* Short bases are not padded before the tail. */
    alias_of("ab cd", 1, a);
    CHECK_SFN(a, "ABCD~1     ");
    alias_of("a+", 3, a);
    CHECK_SFN(a, "A_~3       ");
    alias_of(".bashrc", 1, a);
    CHECK_SFN(a, "~1      BAS");

    /* Hash tails, values worked out beforehand from the definition. */
    alias_of("config.json", 6, a);
    CHECK_SFN(a, "CON~EF4AJSO");
    alias_of("config.json", 7, a);
    CHECK_SFN(a, "CON~3ABCJSO");
    alias_of("config.json", 99, a);
    CHECK_SFN(a, "CON~4BCAJSO");
    alias_of("A Long File Name module.py", 6, a);
    CHECK_SFN(a, "ALO~3C76PY ");

    /* And against the division for many names and tries. */
    static const char *const names[] = {
        "config.json", "A Long File Name module.py", "x y", "\xce\xb1\xce\xb2\xce\xb3 long name.txt",
        "a.b.c.d.e.f", "\xe4\xb8\xad\xe6\x96\x87\xe6\x96\x87\xe4\xbb\xb6.py",
    };
    uint16_t u[VB_FAT_NAME_MAX + 1];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        int n = dec(names[i], VB_FAT_NAMES_UTF8, u);
        vb_fatname_sfn b;
        vb_fatname_basis(u, n, &b);
        for (unsigned s = 6; s <= VB_FATNAME_MAX_SEQ; s++) {
            uint8_t got[11], want[11];
            vb_fatname_add_tail(got, b.sfn, u, n, s);
            expected_alias(b.sfn, hash_by_division(s, u, n), want);
            CHECK_SFN(got, want);
        }
    }
    /* A 255-unit name hashes all its units. */
    int n = 0;
    for (; n < 255; n++)
        u[n] = (uint16_t)(0x41 + n % 26 + (n % 3 == 0 ? 0x20 : 0));
    vb_fatname_sfn b;
    vb_fatname_basis(u, n, &b);
    uint8_t want[11];
    memcpy(a, b.sfn, 11);
    vb_fatname_add_tail(a, a, u, n, 42);   /* in place */
    expected_alias(b.sfn, hash_by_division(42, u, n), want);
    CHECK_SFN(a, want);
}

/* ---- checksum --------------------------------------------------------------- */

static uint8_t checksum_by_definition(const char *name)
{
    unsigned sum = 0;
    for (int i = 0; i < 11; i++) {
        unsigned rotated = (sum >> 1) | ((sum << 7) & 0x80);
        sum = (rotated + (uint8_t)name[i]) % 256;
    }
    return (uint8_t)sum;
}

static void test_checksum(void)
{
    CHECK_EQ(vb_fatname_checksum((const uint8_t *)"BOOT    PY "), 0x86);
    CHECK_EQ(vb_fatname_checksum((const uint8_t *)"CONFIG~1JSO"), 0x37);
    CHECK_EQ(vb_fatname_checksum((const uint8_t *)"ALONGF~1PY "), 0x4E);
    /* All spaces: from 0, each step rotates and adds 0x20. */
    CHECK_EQ(vb_fatname_checksum((const uint8_t *)"           "),
             checksum_by_definition("           "));
    static const char *const names[] = {
        "README  TXT", "LIB        ", "\x05X      TXT", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
        "ABCDEFGHIJK", ".          ", "..         ",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        CHECK_EQ(vb_fatname_checksum((const uint8_t *)names[i]), checksum_by_definition(names[i]));
}

/* ---- LFN slots ----------------------------------------------------------------- */

static uint16_t slot_unit(const uint8_t *slot, int i)
{
    static const int off[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
    return (uint16_t)(slot[off[i]] | slot[off[i] + 1] << 8);
}

static void check_slots_round_trip(int n)
{
    uint16_t name[VB_FAT_NAME_MAX + 1];
    uint8_t slots[VB_FATNAME_MAX_SLOTS][32];
    uint16_t buf[VB_FATNAME_LFN_BUF];
    int ns = vb_fatname_lfn_slots(n);
    const uint8_t sum = 0x5A;

    for (int i = 0; i < n; i++)
        name[i] = (uint16_t)(i % 5 == 0 ? 0x0100 + i : 'a' + i % 26);
    CHECK_EQ(ns, (n + 12) / 13);
    for (int k = 1; k <= ns; k++) {
        uint8_t *s = slots[k - 1];
        memset(s, 0xEE, 32);
        CHECK_EQ(vb_fatname_lfn_pack(s, name, n, k, sum), 0);
        CHECK_EQ(s[0], k | (k == ns ? 0x40 : 0));
        CHECK_EQ(s[11], 0x0F);
        CHECK_EQ(s[12], 0);
        CHECK_EQ(s[13], sum);
        CHECK_EQ(s[26], 0);
        CHECK_EQ(s[27], 0);
        for (int i = 0; i < 13; i++) {
            int idx = (k - 1) * 13 + i;
            uint16_t want = idx < n ? name[idx] : idx == n ? 0x0000 : 0xFFFF;
            CHECK_EQ(slot_unit(s, i), want);
        }
    }
    /* Read back in disk order: highest ordinal first. */
    memset(buf, 0x77, sizeof buf);
    for (int k = ns; k >= 1; k--) {
        bool term = true;
        int got = vb_fatname_lfn_unpack(slots[k - 1], buf, &term);
        int want = k < ns ? 13 : n - (ns - 1) * 13;
        CHECK_EQ(got, want);
        CHECK_EQ(term, want < 13);
    }
    int len = 0;
    while (len < VB_FATNAME_LFN_BUF && buf[len] != 0)
        len++;
    CHECK_EQ(len, n);
    CHECK_MEM(buf, name, (size_t)n * sizeof name[0]);
}

static void test_slots(void)
{
    static const int lens[] = {1, 2, 12, 13, 14, 25, 26, 27, 100, 247, 254, 255};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        check_slots_round_trip(lens[i]);
    CHECK_EQ(vb_fatname_lfn_slots(0), 0);
    CHECK_EQ(vb_fatname_lfn_slots(1), 1);
    CHECK_EQ(vb_fatname_lfn_slots(13), 1);
    CHECK_EQ(vb_fatname_lfn_slots(14), 2);
    CHECK_EQ(vb_fatname_lfn_slots(26), 2);
    CHECK_EQ(vb_fatname_lfn_slots(27), 3);

    /* Bad arguments. */
    uint16_t name[VB_FAT_NAME_MAX + 1] = {'a'};
    uint8_t s[32];
    CHECK_EQ(vb_fatname_lfn_pack(s, name, 1, 0, 0), -EINVAL);
    CHECK_EQ(vb_fatname_lfn_pack(s, name, 1, 2, 0), -EINVAL);
    CHECK_EQ(vb_fatname_lfn_pack(s, name, 0, 1, 0), -EINVAL);
    CHECK_EQ(vb_fatname_lfn_pack(s, name, 256, 1, 0), -EINVAL);

    /* A 13-unit name fills its only slot: no terminator, no filler. */
    uint16_t thirteen[13];
    for (int i = 0; i < 13; i++)
        thirteen[i] = (uint16_t)('A' + i);
    CHECK_EQ(vb_fatname_lfn_pack(s, thirteen, 13, 1, 0x11), 0);
    CHECK_EQ(s[0], 0x41);
    CHECK_EQ(slot_unit(s, 12), 'M');
    /* A 12-unit name: terminator in the last place. */
    CHECK_EQ(vb_fatname_lfn_pack(s, thirteen, 12, 1, 0x11), 0);
    CHECK_EQ(slot_unit(s, 11), 'L');
    CHECK_EQ(slot_unit(s, 12), 0);
    /* A 14-unit name: slot 2 holds "N", 0, then 11 fillers. */
    uint16_t fourteen[14];
    memcpy(fourteen, thirteen, sizeof thirteen);
    fourteen[13] = 'N';
    CHECK_EQ(vb_fatname_lfn_pack(s, fourteen, 14, 2, 0x11), 0);
    CHECK_EQ(s[0], 0x42);
    CHECK_EQ(slot_unit(s, 0), 'N');
    CHECK_EQ(slot_unit(s, 1), 0);
    for (int i = 2; i < 13; i++)
        CHECK_EQ(slot_unit(s, i), 0xFFFF);
    CHECK_EQ(vb_fatname_lfn_pack(s, fourteen, 14, 1, 0x11), 0);
    CHECK_EQ(s[0], 0x01);
}

static void put_unit(uint8_t *slot, int i, uint16_t v)
{
    static const int off[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
    slot[off[i]] = (uint8_t)v;
    slot[off[i] + 1] = (uint8_t)(v >> 8);
}

static void test_slots_invalid(void)
{
    uint16_t name[VB_FAT_NAME_MAX + 1];
    uint16_t buf[VB_FATNAME_LFN_BUF];
    uint8_t s[32], t[32];
    for (int i = 0; i < VB_FAT_NAME_MAX; i++)
        name[i] = (uint16_t)('a' + i % 26);

    CHECK_EQ(vb_fatname_lfn_pack(s, name, 5, 1, 0x22), 0);
    CHECK_EQ(vb_fatname_lfn_unpack(s, buf, NULL), 5);

    /* Cluster field not 0. */
    bool term = true;
    memcpy(t, s, 32);
    t[26] = 1;
    CHECK_EQ(vb_fatname_lfn_unpack(t, buf, &term), -EINVAL);
    CHECK(!term);
    memcpy(t, s, 32);
    t[27] = 0x80;
    CHECK_EQ(vb_fatname_lfn_unpack(t, buf, NULL), -EINVAL);
    /* A filler after the terminator that is not 0xFFFF. */
    memcpy(t, s, 32);
    put_unit(t, 12, 0x0000);
    CHECK_EQ(vb_fatname_lfn_unpack(t, buf, NULL), -EINVAL);
    memcpy(t, s, 32);
    put_unit(t, 6, 'x');
    CHECK_EQ(vb_fatname_lfn_unpack(t, buf, NULL), -EINVAL);
    /* Ordinal 0, with or without the last flag; bit 7 set. */
    memcpy(t, s, 32);
    t[0] = 0x40;
    CHECK_EQ(vb_fatname_lfn_unpack(t, buf, NULL), -EINVAL);
    t[0] = 0x00;
    CHECK_EQ(vb_fatname_lfn_unpack(t, buf, NULL), -EINVAL);
    t[0] = 0x81;
    CHECK_EQ(vb_fatname_lfn_unpack(t, buf, NULL), -EINVAL);
    t[0] = 0xC1;
    CHECK_EQ(vb_fatname_lfn_unpack(t, buf, NULL), -EINVAL);
    /* Ordinals past 20 land beyond 255 units. */
    t[0] = 0x40 | 21;
    CHECK_EQ(vb_fatname_lfn_unpack(t, buf, NULL), -EINVAL);
    t[0] = 21;
    CHECK_EQ(vb_fatname_lfn_unpack(t, buf, NULL), -EINVAL);
    t[0] = 0x7F;
    CHECK_EQ(vb_fatname_lfn_unpack(t, buf, NULL), -EINVAL);
    /* The attribute and checksum bytes are the caller's business. */
    memcpy(t, s, 32);
    t[11] = 0x20;
    t[13] = 0x99;
    CHECK_EQ(vb_fatname_lfn_unpack(t, buf, NULL), 5);

    /* Slot 20: 8 units + terminator is the 255-unit limit… */
    CHECK_EQ(vb_fatname_lfn_pack(s, name, 255, 20, 0), 0);
    CHECK_EQ(s[0], 0x54);
    CHECK_EQ(vb_fatname_lfn_unpack(s, buf, NULL), 8);
    CHECK_EQ(buf[254], name[254]);
    CHECK_EQ(buf[255], 0);
    /* …9 units would put the terminator at 256. */
    put_unit(s, 8, 'z');
    put_unit(s, 9, 0x0000);
    CHECK_EQ(vb_fatname_lfn_unpack(s, buf, NULL), -EINVAL);
    /* A full last slot 20 needs a 0 at 260: invalid. */
    for (int i = 0; i < 13; i++)
        put_unit(s, i, 'q');
    CHECK_EQ(vb_fatname_lfn_unpack(s, buf, NULL), -EINVAL);
    /* Not flagged last, terminated early: fine, ends there. */
    CHECK_EQ(vb_fatname_lfn_pack(s, name, 255, 20, 0), 0);
    s[0] = 20;
    CHECK_EQ(vb_fatname_lfn_unpack(s, buf, NULL), 8);

    /* A full highest slot gets a 0 after it; a full middle one does not. */
    uint16_t b2[VB_FATNAME_LFN_BUF];
    for (int i = 0; i < VB_FATNAME_LFN_BUF; i++)
        b2[i] = 0x1234;
    CHECK_EQ(vb_fatname_lfn_pack(s, name, 26, 2, 0), 0);
    CHECK_EQ(vb_fatname_lfn_unpack(s, b2, NULL), 13);
    CHECK_EQ(b2[25], name[25]);
    CHECK_EQ(b2[26], 0);
    CHECK_EQ(vb_fatname_lfn_pack(s, name, 26, 1, 0), 0);
    CHECK_EQ(vb_fatname_lfn_unpack(s, b2, NULL), 13);
    CHECK_EQ(b2[0], name[0]);
    CHECK_EQ(b2[12], name[12]);
    CHECK_EQ(b2[13], name[13]);   /* from slot 2, untouched */

    /* A middle slot that ends early is valid; the name ends there. */
    CHECK_EQ(vb_fatname_lfn_pack(s, name, 5, 1, 0), 0);
    s[0] = 0x01;
    CHECK_EQ(vb_fatname_lfn_unpack(s, b2, &term), 5);
    CHECK(term);
    CHECK_EQ(b2[5], 0);
    /* An empty slot (terminator first). */
    memset(t, 0xFF, 32);
    t[0] = 0x41;
    t[11] = 0x0F;
    t[12] = 0;
    t[13] = 0;
    t[26] = t[27] = 0;
    put_unit(t, 0, 0);
    term = false;
    CHECK_EQ(vb_fatname_lfn_unpack(t, b2, &term), 0);
    CHECK(term);
    CHECK_EQ(b2[0], 0);
}

/* ---- showing 8.3 names --------------------------------------------------------- */

static void test_sfn_to_name(void)
{
    char out[VB_FAT_NAME_BUF];
    const uint8_t *boot = (const uint8_t *)"BOOT    PY ";

    CHECK_EQ(vb_fatname_sfn_to_name(boot, 0, VB_FAT_NAMES_OEM, out, sizeof out), 7);
    CHECK_STR(out, "BOOT.PY");
    vb_fatname_sfn_to_name(boot, 0x08, VB_FAT_NAMES_OEM, out, sizeof out);
    CHECK_STR(out, "boot.PY");
    vb_fatname_sfn_to_name(boot, 0x10, VB_FAT_NAMES_OEM, out, sizeof out);
    CHECK_STR(out, "BOOT.py");
    vb_fatname_sfn_to_name(boot, 0x18, VB_FAT_NAMES_UTF8, out, sizeof out);
    CHECK_STR(out, "boot.py");
    /* Other bits of the NT byte mean nothing here. */
    vb_fatname_sfn_to_name(boot, 0xE7, VB_FAT_NAMES_OEM, out, sizeof out);
    CHECK_STR(out, "BOOT.PY");

    /* No extension: no dot. */
    vb_fatname_sfn_to_name((const uint8_t *)"LIB        ", 0x08, VB_FAT_NAMES_OEM, out, sizeof out);
    CHECK_STR(out, "lib");
    vb_fatname_sfn_to_name((const uint8_t *)"ABCDEFGHIJK", 0x18, VB_FAT_NAMES_OEM, out, sizeof out);
    CHECK_STR(out, "abcdefgh.ijk");
    /* Digits and symbols are not affected; only ASCII A–Z are lowered. */
    vb_fatname_sfn_to_name((const uint8_t *)"A~1_\x8e   $X ", 0x18, VB_FAT_NAMES_OEM, out, sizeof out);
    CHECK_STR(out, "a~1_\x8e.$x");
    /* FatFs quirks: spaces anywhere are skipped, and the dot appears only
     * when byte 8 is not a space. */
    vb_fatname_sfn_to_name((const uint8_t *)"A B     C D", 0, VB_FAT_NAMES_OEM, out, sizeof out);
    CHECK_STR(out, "AB.CD");
    vb_fatname_sfn_to_name((const uint8_t *)"FOO      XY", 0, VB_FAT_NAMES_OEM, out, sizeof out);
    CHECK_STR(out, "FOOXY");
    /* Nothing at all: "?". */
    CHECK_EQ(vb_fatname_sfn_to_name((const uint8_t *)"           ", 0, VB_FAT_NAMES_OEM, out, sizeof out), 1);
    CHECK_STR(out, "?");
    /* CP437 bytes in UTF-8 mode. */
    CHECK_EQ(vb_fatname_sfn_to_name((const uint8_t *)"\x9a" "BER    TXT", 0, VB_FAT_NAMES_UTF8, out, sizeof out), 9);
    CHECK_STR(out, "\xc3\x9c" "BER.TXT");
    vb_fatname_sfn_to_name((const uint8_t *)"\xb0\xb1\xb2     \xe0  ", 0, VB_FAT_NAMES_UTF8, out, sizeof out);
    CHECK_STR(out, "\xe2\x96\x91\xe2\x96\x92\xe2\x96\x93.\xce\xb1");

    /* Buffer limits. */
    CHECK_EQ(vb_fatname_sfn_to_name(boot, 0, VB_FAT_NAMES_OEM, out, 8), 7);
    CHECK_EQ(vb_fatname_sfn_to_name(boot, 0, VB_FAT_NAMES_OEM, out, 7), -ENAMETOOLONG);
    CHECK_STR(out, "");
    CHECK_EQ(vb_fatname_sfn_to_name(boot, 0, VB_FAT_NAMES_OEM, out, 0), -ENAMETOOLONG);
    CHECK_EQ(vb_fatname_sfn_to_name((const uint8_t *)"           ", 0, VB_FAT_NAMES_OEM, out, 1), -ENAMETOOLONG);

    /* The short form: as stored, no case bits. */
    char sn[VB_FATNAME_SHORT_BUF];
    vb_fatname_sfn_short(boot, sn);
    CHECK_STR(sn, "BOOT.PY");
    vb_fatname_sfn_short((const uint8_t *)"ABCDEFGHIJK", sn);
    CHECK_STR(sn, "ABCDEFGH.IJK");
    vb_fatname_sfn_short((const uint8_t *)"LIB        ", sn);
    CHECK_STR(sn, "LIB");
    vb_fatname_sfn_short((const uint8_t *)".          ", sn);
    CHECK_STR(sn, ".");
    vb_fatname_sfn_short((const uint8_t *)"..         ", sn);
    CHECK_STR(sn, "..");
    vb_fatname_sfn_short((const uint8_t *)"           ", sn);
    CHECK_STR(sn, "");

    /* Round trip: an 8.3-only name is shown as it was typed. */
    static const char *const typed[] = {"boot.py", "README.txt", "lib", "MAIN.PY", "abc.TXT", "x1"};
    for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++) {
        vb_fatname_sfn b = basis_of(typed[i]);
        CHECK(!b.need_lfn);
        vb_fatname_sfn_to_name(b.sfn, b.nt, VB_FAT_NAMES_OEM, out, sizeof out);
        CHECK_STR(out, typed[i]);
    }
}

/* ---- case folding ----------------------------------------------------------------- */

static void test_upper(void)
{
    static const uint16_t pairs[][2] = {
        {'a', 'A'}, {'z', 'Z'}, {'A', 'A'}, {'0', '0'}, {'_', '_'}, {'{', '{'}, {'`', '`'},
        /* Latin-1 */
        {0x00E0, 0x00C0}, {0x00E9, 0x00C9}, {0x00F6, 0x00D6}, {0x00F7, 0x00F7}, {0x00F8, 0x00D8},
        {0x00FE, 0x00DE}, {0x00FF, 0x0178}, {0x00DF, 0x00DF}, {0x00B5, 0x00B5}, {0x00C9, 0x00C9},
        /* Latin Extended-A pairs, including the odd-aligned runs */
        {0x0101, 0x0100}, {0x0100, 0x0100}, {0x012F, 0x012E}, {0x0131, 0x0131}, {0x0133, 0x0132},
        {0x013A, 0x0139}, {0x0142, 0x0141}, {0x0148, 0x0147}, {0x0149, 0x0149}, {0x014B, 0x014A},
        {0x0177, 0x0176}, {0x017A, 0x0179}, {0x017E, 0x017D}, {0x017F, 0x017F},
        /* Latin Extended-B and IPA samples */
        {0x0180, 0x0243}, {0x0183, 0x0182}, {0x0195, 0x01F6}, {0x01C6, 0x01C4}, {0x01C5, 0x01C5},
        {0x01DD, 0x018E}, {0x01F3, 0x01F1}, {0x0253, 0x0181}, {0x0259, 0x018F}, {0x0292, 0x01B7},
        /* Greek */
        {0x03B1, 0x0391}, {0x03C1, 0x03A1}, {0x03C2, 0x03A3}, {0x03C3, 0x03A3}, {0x03C9, 0x03A9},
        {0x03AC, 0x0386}, {0x03AD, 0x0388}, {0x03CC, 0x038C}, {0x03CE, 0x038F}, {0x0391, 0x0391},
        {0x03D9, 0x03D8}, {0x03F2, 0x03F9},
        /* Cyrillic */
        {0x0430, 0x0410}, {0x044F, 0x042F}, {0x0451, 0x0401}, {0x045F, 0x040F}, {0x0461, 0x0460},
        {0x04CF, 0x04C0}, {0x04D1, 0x04D0}, {0x0410, 0x0410},
        /* Armenian, Latin Extended Additional, Greek Extended */
        {0x0561, 0x0531}, {0x0586, 0x0556}, {0x1E01, 0x1E00}, {0x1EF9, 0x1EF8}, {0x1F00, 0x1F08},
        {0x1F51, 0x1F59}, {0x1F52, 0x1F52}, {0x1F70, 0x1FBA}, {0x1FB3, 0x1FBC},
        /* Number forms, enclosed, Glagolitic, Georgian, full-width */
        {0x2170, 0x2160}, {0x24D0, 0x24B6}, {0x2C30, 0x2C00}, {0x2D00, 0x10A0}, {0xFF41, 0xFF21},
        {0xFF5A, 0xFF3A}, {0xFF21, 0xFF21},
        /* Untouched: CJK, surrogates, specials */
        {0x4E2D, 0x4E2D}, {0xD800, 0xD800}, {0xFFFF, 0xFFFF}, {0x0000, 0x0000},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        CHECK_EQ(vb_fatname_upper(pairs[i][0]), pairs[i][1]);

    /* ASCII exactly; and folding twice changes nothing more. */
    int ascii_ok = 1, idem_ok = 1;
    for (int c = 0; c < 0x80; c++) {
        int want = (c >= 'a' && c <= 'z') ? c - 32 : c;
        if (vb_fatname_upper((uint16_t)c) != want)
            ascii_ok = 0;
    }
    for (int c = 0; c <= 0xFFFF; c++) {
        uint16_t up = vb_fatname_upper((uint16_t)c);
        if (vb_fatname_upper(up) != up)
            idem_ok = 0;
    }
    CHECK(ascii_ok);
    CHECK(idem_ok);
}

static void test_equal(void)
{
    uint16_t a[VB_FAT_NAME_MAX + 1], b[VB_FAT_NAME_MAX + 1];
    int na = dec("Boot.PY", VB_FAT_NAMES_UTF8, a);
    int nb = dec("boot.py", VB_FAT_NAMES_UTF8, b);
    CHECK(vb_fatname_equal(a, na, b, nb));
    nb = dec("boot.pyc", VB_FAT_NAMES_UTF8, b);
    CHECK(!vb_fatname_equal(a, na, b, nb));
    CHECK(!vb_fatname_equal(a, na, b, na + 1));
    CHECK(vb_fatname_equal(a, 0, b, 0));
    na = dec("\xc3\xa9t\xc3\xa9 \xce\xb1\xcf\x82", VB_FAT_NAMES_UTF8, a);   /* été ας */
    nb = dec("\xc3\x89T\xc3\x89 \xce\x91\xce\xa3", VB_FAT_NAMES_UTF8, b);   /* ÉTÉ ΑΣ */
    CHECK(vb_fatname_equal(a, na, b, nb));
    na = dec("\xd0\xbc\xd0\xb8\xd1\x80", VB_FAT_NAMES_UTF8, a);             /* мир */
    nb = dec("\xd0\x9c\xd0\x98\xd0\xa0", VB_FAT_NAMES_UTF8, b);             /* МИР */
    CHECK(vb_fatname_equal(a, na, b, nb));
    /* é and E are different long names (only the 8.3 form merges them). */
    na = dec("caf\xc3\xa9", VB_FAT_NAMES_UTF8, a);
    nb = dec("CAFE", VB_FAT_NAMES_UTF8, b);
    CHECK(!vb_fatname_equal(a, na, b, nb));
}

int main(void)
{
    RUN(test_decode_ok);
    RUN(test_decode_errors);
    RUN(test_decode_length);
    RUN(test_encode);
    RUN(test_round_trips);
    RUN(test_cp437);
    RUN(test_basis_examples);
    RUN(test_basis_rules);
    RUN(test_e5);
    RUN(test_tails);
    RUN(test_checksum);
    RUN(test_slots);
    RUN(test_slots_invalid);
    RUN(test_sfn_to_name);
    RUN(test_upper);
    RUN(test_equal);
    return CHECK_DONE();
}
