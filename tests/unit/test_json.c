/* JSON lines (src/util/json.h): every grammar rule and every refusal of the
 * parser with its sentence, the reply reader (vb_json_parse_keys) on replies
 * of any size and nesting, the writer's exact bytes, overflow at every
 * capacity (a canary behind the buffer), and writer -> parser round trips
 * of random strings over all byte values (fixed seeds). */
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "util/json.h"

/* xorshift64*: fixed seeds, so a failure replays. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

static int parse_s(const char *text, vb_json_obj *o, char *err, size_t errlen)
{
    return vb_json_parse(text, strlen(text), o, err, errlen);
}

/* Parse must fail with exactly `want` as the sentence. */
static void refuse(const char *text, size_t len, const char *want, int line)
{
    static vb_json_obj o;     /* 5 KiB: keep it off the stack of every call */
    char err[160] = "";
    o.n = 7;
    int before = check_failures;
    CHECK_EQ(vb_json_parse(text, len, &o, err, sizeof err), -1);
    CHECK_EQ(o.n, 0);
    CHECK_STR(err, want);
    if (check_failures != before) fprintf(stderr, "  input at line %d\n", line);
}
#define REFUSE(text, want) refuse(text, strlen(text), want, __LINE__)
#define REFUSE_N(text, want) refuse(text, sizeof text - 1, want, __LINE__)

static void accept_num(const char *numtext, double want, int line)
{
    vb_json_obj o;
    char text[700], err[160] = "";
    snprintf(text, sizeof text, "{\"n\":%s}", numtext);
    int before = check_failures;
    CHECK_EQ(parse_s(text, &o, err, sizeof err), 0);
    CHECK_STR(err, "");
    CHECK_EQ(o.n, 1);
    CHECK(o.f[0].type == VB_JSON_NUMBER);
    CHECK(o.f[0].num == want);
    CHECK(!!signbit(o.f[0].num) == !!signbit(want));
    if (check_failures != before) fprintf(stderr, "  number %s at line %d (got %.17g)\n", numtext, line, o.f[0].num);
}
#define ACCEPT_NUM(t, v) accept_num(t, v, __LINE__)

static void test_parse_values(void)
{
    vb_json_obj o;
    char err[160] = "";
    const char *t = " \t\r\n{ \"cmd\" : \"pin\",\"pin\":12 ,\"level\":-1.5e3,\"on\":true,\"off\":false,"
                    "\"none\":null,\"\":\"\"}\r\n ";
    CHECK_EQ(parse_s(t, &o, err, sizeof err), 0);
    CHECK_STR(err, "");
    CHECK_EQ(o.n, 7);
    CHECK_STR(o.f[0].key, "cmd");
    CHECK(o.f[0].type == VB_JSON_STRING);
    CHECK_STR(o.f[0].str, "pin");
    CHECK(o.f[1].type == VB_JSON_NUMBER && o.f[1].num == 12 && o.f[1].str == NULL);
    CHECK(o.f[2].type == VB_JSON_NUMBER && o.f[2].num == -1500);
    CHECK(o.f[3].type == VB_JSON_BOOL && o.f[3].b);
    CHECK(o.f[4].type == VB_JSON_BOOL && !o.f[4].b);
    CHECK(o.f[5].type == VB_JSON_NULL && o.f[5].str == NULL);
    CHECK(o.f[6].type == VB_JSON_STRING);
    CHECK_STR(o.f[6].key, "");
    CHECK_STR(o.f[6].str, "");
    /* keys and strings live in the object's buffer */
    for (unsigned i = 0; i < o.n; i++) {
        CHECK(o.f[i].key >= o.buf && o.f[i].key < o.buf + sizeof o.buf);
        if (o.f[i].str) CHECK(o.f[i].str >= o.buf && o.f[i].str < o.buf + sizeof o.buf);
    }
    CHECK(vb_json_get(&o, "pin") == &o.f[1]);
    CHECK(vb_json_get(&o, "") == &o.f[6]);
    CHECK(vb_json_get(&o, "PIN") == NULL);
    CHECK(vb_json_get(&o, "pi") == NULL);
    CHECK(vb_json_get(&o, "pinx") == NULL);

    CHECK_EQ(parse_s("{}", &o, err, sizeof err), 0);
    CHECK_EQ(o.n, 0);
    CHECK(vb_json_get(&o, "a") == NULL);
    CHECK_EQ(parse_s(" { \n } ", &o, err, sizeof err), 0);
    CHECK_EQ(o.n, 0);
    /* a length shorter than the string: only text[0..len) is read */
    CHECK_EQ(vb_json_parse("{\"a\":1}garbage", 7, &o, err, sizeof err), 0);
    CHECK_EQ(o.n, 1);
    /* every member count up to the limit */
    char big[600];
    for (unsigned n = 1; n <= VB_JSON_MAX_FIELDS; n++) {
        size_t k = (size_t)snprintf(big, sizeof big, "{");
        for (unsigned i = 0; i < n; i++)
            k += (size_t)snprintf(big + k, sizeof big - k, "%s\"k%u\":%u", i ? "," : "", i, i * 3);
        snprintf(big + k, sizeof big - k, "}");
        CHECK_EQ(parse_s(big, &o, err, sizeof err), 0);
        CHECK_EQ(o.n, n);
        CHECK(o.f[n - 1].num == (n - 1) * 3);
        char key[8];
        snprintf(key, sizeof key, "k%u", n - 1);
        CHECK(vb_json_get(&o, key) == &o.f[n - 1]);
    }
    /* the member after the limit is refused where its key starts */
    size_t k = strlen(big) - 1;
    snprintf(big + k, sizeof big - k, ",\"x\":1}");
    char want[80];
    snprintf(want, sizeof want, "more than %d members at byte %zu", VB_JSON_MAX_FIELDS, k + 1);
    REFUSE(big, want);
}

static void test_parse_strings(void)
{
    vb_json_obj o;
    char err[160] = "";
    /* every two-character escape, in a key and in a value */
    CHECK_EQ(parse_s("{\"k\\n\\\"\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}", &o, err, sizeof err), 0);
    CHECK_STR(o.f[0].key, "k\n\"");
    CHECK_STR(o.f[0].str, "\"\\/\b\f\n\r\t");
    /* \u at every UTF-8 length, either hex case, surrogate pairs */
    static const struct { const char *esc, *utf8; } u[] = {
        { "\\u0041", "A" },
        { "\\u0001", "\x01" },
        { "\\u001F", "\x1f" },
        { "\\u007f", "\x7f" },
        { "\\u0080", "\xc2\x80" },
        { "\\u00e9", "\xc3\xa9" },
        { "\\u07FF", "\xdf\xbf" },
        { "\\u0800", "\xe0\xa0\x80" },
        { "\\u20AC", "\xe2\x82\xac" },
        { "\\uD7ff", "\xed\x9f\xbf" },
        { "\\ue000", "\xee\x80\x80" },
        { "\\uFFFD", "\xef\xbf\xbd" },
        { "\\uffff", "\xef\xbf\xbf" },
        { "\\ud800\\udc00", "\xf0\x90\x80\x80" },
        { "\\uD83D\\uDE00", "\xf0\x9f\x98\x80" },
        { "\\ud83d\\uDe00", "\xf0\x9f\x98\x80" },
        { "\\udbff\\udfff", "\xf4\x8f\xbf\xbf" },
        { "a\\u0062c\\u00e9\\ud83d\\ude00z", "abc\xc3\xa9\xf0\x9f\x98\x80z" },
    };
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
        char text[80];
        snprintf(text, sizeof text, "{\"%s\":\"%s\"}", u[i].esc, u[i].esc);
        int before = check_failures;
        CHECK_EQ(parse_s(text, &o, err, sizeof err), 0);
        CHECK_STR(o.f[0].key, u[i].utf8);
        CHECK_STR(o.f[0].str, u[i].utf8);
        if (check_failures != before) fprintf(stderr, "  escape %s\n", u[i].esc);
    }
    /* raw UTF-8 at each boundary of table 3-7, and DEL */
    static const char *raw[] = {
        "\x7f", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xe1\x80\x80", "\xec\xbf\xbf", "\xed\x80\x80",
        "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf1\x80\x80\x80",
        "\xf3\xbf\xbf\xbf", "\xf4\x80\x80\x80", "\xf4\x8f\xbf\xbf",
    };
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
        char text[40];
        snprintf(text, sizeof text, "{\"%s\":\"x%sy\"}", raw[i], raw[i]);
        CHECK_EQ(parse_s(text, &o, err, sizeof err), 0);
        CHECK_STR(o.f[0].key, raw[i]);
        char want[16];
        snprintf(want, sizeof want, "x%sy", raw[i]);
        CHECK_STR(o.f[0].str, want);
    }
    /* a string value that looks like JSON is just a string */
    CHECK_EQ(parse_s("{\"j\":\"{\\\"a\\\":[1,2]}\"}", &o, err, sizeof err), 0);
    CHECK_STR(o.f[0].str, "{\"a\":[1,2]}");
}

static void test_parse_buffer_limit(void)
{
    /* key "k" (2 bytes with its NUL) + a value of 4093 bytes + NUL = 4096 */
    static char text[16384];
    static vb_json_obj o;
    char err[160] = "";
    size_t cap = sizeof o.buf;
    memcpy(text, "{\"k\":\"", 6);
    memset(text + 6, 'v', cap - 3);
    memcpy(text + 6 + cap - 3, "\"}", 3);
    CHECK_EQ(parse_s(text, &o, err, sizeof err), 0);
    CHECK_EQ(strlen(o.f[0].str), cap - 3);
    /* one more byte: the closing quote's NUL no longer fits */
    memset(text + 6, 'v', cap - 2);
    memcpy(text + 6 + cap - 2, "\"}", 3);
    char want[80];
    snprintf(want, sizeof want, "decoded keys and strings exceed 4096 bytes at byte %zu", 6 + cap - 2);
    REFUSE(text, want);
    /* escapes count decoded: 4093 bytes written as \u00e9 pairs + "a" */
    size_t k = 6;
    for (unsigned i = 0; i < (cap - 3) / 2; i++) {
        memcpy(text + k, "\\u00e9", 6);
        k += 6;
    }
    memcpy(text + k, "a\"}", 4);
    CHECK_EQ(parse_s(text, &o, err, sizeof err), 0);
    CHECK_EQ(strlen(o.f[0].str), cap - 3);
    /* a multi-byte character that does not fit is refused where it starts */
    memcpy(text + k, "\\u20ac\"}", 9);
    snprintf(want, sizeof want, "decoded keys and strings exceed 4096 bytes at byte %zu", k);
    REFUSE(text, want);
    /* keys take space too: 16 keys of 255 bytes and their NULs = 4096 */
    k = 0;
    text[k++] = '{';
    for (unsigned i = 0; i < 16; i++) {
        k += (size_t)sprintf(text + k, "%s\"%02u", i ? "," : "", i);
        memset(text + k, 'x', 253);
        k += 253;
        k += (size_t)sprintf(text + k, "\":null");
    }
    strcpy(text + k, "}");
    CHECK_EQ(parse_s(text, &o, err, sizeof err), 0);
    CHECK_EQ(o.n, 16);
}

static void test_parse_numbers(void)
{
    ACCEPT_NUM("0", 0.0);
    ACCEPT_NUM("-0", -0.0);
    ACCEPT_NUM("-0.0e0", -0.0);
    ACCEPT_NUM("1", 1.0);
    ACCEPT_NUM("-1", -1.0);
    ACCEPT_NUM("10", 10.0);
    ACCEPT_NUM("1234567890", 1234567890.0);
    ACCEPT_NUM("0.5", 0.5);
    ACCEPT_NUM("-0.25", -0.25);
    ACCEPT_NUM("1.5", 1.5);
    ACCEPT_NUM("1e3", 1000.0);
    ACCEPT_NUM("1E3", 1000.0);
    ACCEPT_NUM("1e+3", 1000.0);
    ACCEPT_NUM("1e-3", 0.001);
    ACCEPT_NUM("1.25E-2", 0.0125);
    ACCEPT_NUM("0e0", 0.0);
    ACCEPT_NUM("0E+00", 0.0);
    ACCEPT_NUM("1e007", 1e7);
    ACCEPT_NUM("9007199254740993", 9007199254740992.0);
    ACCEPT_NUM("123456789012345678901234567890", 1.2345678901234568e29);
    ACCEPT_NUM("1.7976931348623157e308", 1.7976931348623157e308);
    ACCEPT_NUM("-1.7976931348623157e308", -1.7976931348623157e308);
    ACCEPT_NUM("4.9e-324", 4.9e-324);
    ACCEPT_NUM("1e-400", 0.0);
    ACCEPT_NUM("-1e-400", -0.0);
    ACCEPT_NUM("0.1", 0.1);
    /* the longest number accepted, and one more digit */
    char num[VB_JSON_MAX_NUMBER_LEN + 2];
    memset(num, '0', sizeof num);
    num[0] = '1';
    num[1] = '.';
    num[VB_JSON_MAX_NUMBER_LEN] = '\0';
    ACCEPT_NUM(num, 1.0);
    num[VB_JSON_MAX_NUMBER_LEN] = '0';
    num[VB_JSON_MAX_NUMBER_LEN + 1] = '\0';
    char text[700];
    snprintf(text, sizeof text, "{\"n\":%s}", num);
    REFUSE(text, "number longer than 511 characters at byte 5");

    REFUSE("{\"n\":+1}", "expected a value (string, number, true, false or null) at byte 5");
    REFUSE("{\"n\":01}", "number with a leading zero at byte 5");
    REFUSE("{\"n\":-01}", "number with a leading zero at byte 5");
    REFUSE("{\"n\":00}", "number with a leading zero at byte 5");
    REFUSE("{\"n\":1.}", "expected a digit after '.' at byte 7");
    REFUSE("{\"n\":1.e3}", "expected a digit after '.' at byte 7");
    REFUSE("{\"n\":.5}", "expected a value (string, number, true, false or null) at byte 5");
    REFUSE("{\"n\":-}", "expected a digit after '-' at byte 6");
    REFUSE("{\"n\":-a}", "expected a digit after '-' at byte 6");
    REFUSE("{\"n\":- 1}", "expected a digit after '-' at byte 6");
    REFUSE("{\"n\":1e}", "expected a digit in the exponent at byte 7");
    REFUSE("{\"n\":1e+}", "expected a digit in the exponent at byte 8");
    REFUSE("{\"n\":1E-}", "expected a digit in the exponent at byte 8");
    REFUSE("{\"n\":1e", "expected a digit in the exponent at byte 7 (end of input)");
    REFUSE("{\"n\":0x10}", "expected ',' or '}' at byte 6");
    REFUSE("{\"n\":0X1}", "expected ',' or '}' at byte 6");
    REFUSE("{\"n\":1.0.0}", "expected ',' or '}' at byte 8");
    REFUSE("{\"n\":1_000}", "expected ',' or '}' at byte 6");
    REFUSE("{\"n\":1 2}", "expected ',' or '}' at byte 7");
    REFUSE("{\"n\":NaN}", "expected a value (string, number, true, false or null) at byte 5");
    REFUSE("{\"n\":nan}", "expected a value (string, number, true, false or null) at byte 5");
    REFUSE("{\"n\":Infinity}", "expected a value (string, number, true, false or null) at byte 5");
    REFUSE("{\"n\":-Infinity}", "expected a digit after '-' at byte 6");
    REFUSE("{\"n\":inf}", "expected a value (string, number, true, false or null) at byte 5");
    REFUSE("{\"n\":1e309}", "number out of range at byte 5");
    REFUSE("{\"n\":-1e309}", "number out of range at byte 5");
    REFUSE("{\"n\":1.8e308}", "number out of range at byte 5");
}

/* Numbers read the same when the process uses a ',' decimal point (run
 * only where such a locale is installed). */
static void test_numbers_in_comma_locale(void)
{
    static const char *names[] = { "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "nl_NL.UTF-8" };
    const char *got = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !got; i++)
        got = setlocale(LC_NUMERIC, names[i]);
    if (!got || strcmp(localeconv()->decimal_point, ".") == 0) {
        fprintf(stderr, "  (no locale with a ',' decimal point installed: skipped)\n");
        setlocale(LC_NUMERIC, "C");
        return;
    }
    ACCEPT_NUM("1.5", 1.5);
    ACCEPT_NUM("-0.25e1", -2.5);
    ACCEPT_NUM("3", 3.0);
    REFUSE("{\"n\":1,5}", "expected a string key at byte 7");
    setlocale(LC_NUMERIC, "C");
}

static void test_parse_refusals(void)
{
    /* structure */
    REFUSE("", "expected '{' at byte 0 (end of input)");
    REFUSE("   ", "expected '{' at byte 3 (end of input)");
    REFUSE("[]", "expected '{' at byte 0");
    REFUSE("\"a\"", "expected '{' at byte 0");
    REFUSE("1", "expected '{' at byte 0");
    REFUSE("null", "expected '{' at byte 0");
    REFUSE("\xef\xbb\xbf{}", "expected '{' at byte 0");           /* no byte order mark */
    REFUSE("{", "expected a string key at byte 1 (end of input)");
    REFUSE("{a:1}", "expected a string key at byte 1");
    REFUSE("{'a':1}", "expected a string key at byte 1");
    REFUSE("{1:1}", "expected a string key at byte 1");
    REFUSE("{,}", "expected a string key at byte 1");
    REFUSE("{\"a\":1,}", "expected a string key at byte 7");
    REFUSE("{\"a\":1,,\"b\":2}", "expected a string key at byte 7");
    REFUSE("{\"a\" 1}", "expected ':' after key at byte 5");
    REFUSE("{\"a\"=1}", "expected ':' after key at byte 4");
    REFUSE("{\"a\"", "expected ':' after key at byte 4 (end of input)");
    REFUSE("{\"a\":}", "expected a value (string, number, true, false or null) at byte 5");
    REFUSE("{\"a\":", "expected a value (string, number, true, false or null) at byte 5 (end of input)");
    REFUSE("{\"a\"::1}", "expected a value (string, number, true, false or null) at byte 5");
    REFUSE("{\"a\":1", "expected ',' or '}' at byte 6 (end of input)");
    REFUSE("{\"a\":1 \"b\":2}", "expected ',' or '}' at byte 7");
    REFUSE("{\"a\":1;\"b\":2}", "expected ',' or '}' at byte 6");
    REFUSE("{\"a\":1]", "expected ',' or '}' at byte 6");
    REFUSE("{\"a\":{}}", "nested objects are not supported at byte 5");
    REFUSE("{\"a\":{\"b\":1}}", "nested objects are not supported at byte 5");
    REFUSE("{\"a\":[]}", "nested arrays are not supported at byte 5");
    REFUSE("{\"a\":[1,2]}", "nested arrays are not supported at byte 5");
    REFUSE("{\"a\":1,\"a\":2}", "duplicate key at byte 7");
    REFUSE("{\"a\":1,\"b\":2,\"\\u0061\":3}", "duplicate key at byte 13");
    REFUSE("{\"\":1,\"\":2}", "duplicate key at byte 6");
    /* literals */
    REFUSE("{\"a\":tru}", "expected a value (string, number, true, false or null) at byte 5");
    REFUSE("{\"a\":True}", "expected a value (string, number, true, false or null) at byte 5");
    REFUSE("{\"a\":nul}", "expected a value (string, number, true, false or null) at byte 5");
    REFUSE("{\"a\":fals}", "expected a value (string, number, true, false or null) at byte 5");
    REFUSE("{\"a\":undefined}", "expected a value (string, number, true, false or null) at byte 5");
    REFUSE("{\"a\":'x'}", "expected a value (string, number, true, false or null) at byte 5");
    REFUSE("{\"a\":truex}", "expected ',' or '}' at byte 9");
    REFUSE("{\"a\":nullnull}", "expected ',' or '}' at byte 9");
    /* whitespace is only space, tab, LF, CR */
    REFUSE("\f{}", "expected '{' at byte 0");
    REFUSE("\v{}", "expected '{' at byte 0");
    REFUSE("{\f}", "expected a string key at byte 1");
    REFUSE("{\xc2\xa0}", "expected a string key at byte 1");
    REFUSE("{/*c*/}", "expected a string key at byte 1");
    /* trailing data */
    REFUSE("{}x", "unexpected data after the object at byte 2");
    REFUSE("{\"a\":1}{}", "unexpected data after the object at byte 7");
    REFUSE("{} {}", "unexpected data after the object at byte 3");
    REFUSE("{}\n\n,", "unexpected data after the object at byte 4");
    REFUSE_N("{}\0", "unexpected data after the object at byte 2");
    REFUSE_N("{\"a\":1}\n\0", "unexpected data after the object at byte 8");
    REFUSE_N("\0{}", "expected '{' at byte 0");
    /* strings */
    REFUSE("{\"a\":\"x", "unterminated string starting at byte 5");
    REFUSE("{\"a\":\"x\\", "unterminated string starting at byte 5");
    REFUSE("{\"a\":\"x\\\"}", "unterminated string starting at byte 5");
    REFUSE("{\"ab", "unterminated string starting at byte 1");
    REFUSE("{\"a\":\"\\q\"}", "unknown escape '\\q' at byte 6");
    REFUSE("{\"a\":\"\\x41\"}", "unknown escape '\\x' at byte 6");
    REFUSE("{\"a\":\"\\'\"}", "unknown escape '\\'' at byte 6");
    REFUSE("{\"a\":\"\\U0041\"}", "unknown escape '\\U' at byte 6");
    REFUSE("{\"a\":\"\\0\"}", "unknown escape '\\0' at byte 6");
    REFUSE("{\"a\":\"\\\xc3\xa9\"}", "unknown escape (backslash, byte 0xc3) at byte 6");
    REFUSE("{\"a\":\"\\\n\"}", "unknown escape (backslash, byte 0x0a) at byte 6");
    REFUSE_N("{\"a\":\"\\\0\"}", "unknown escape (backslash, byte 0x00) at byte 6");
    REFUSE("{\"\\q\":1}", "unknown escape '\\q' at byte 2");
    REFUSE("{\"a\":\"\\u12\"}", "\\u must be followed by 4 hex digits at byte 6");
    REFUSE("{\"a\":\"\\u12", "\\u must be followed by 4 hex digits at byte 6");
    REFUSE("{\"a\":\"\\u12g4\"}", "\\u must be followed by 4 hex digits at byte 6");
    REFUSE("{\"a\":\"\\u-123\"}", "\\u must be followed by 4 hex digits at byte 6");
    REFUSE("{\"a\":\"\\u 123\"}", "\\u must be followed by 4 hex digits at byte 6");
    REFUSE("{\"a\":\"\\u0000\"}", "\\u0000 is not allowed in a string at byte 6");
    REFUSE("{\"\\u0000\":1}", "\\u0000 is not allowed in a string at byte 2");
    REFUSE("{\"a\":\"\\ud800\"}", "high surrogate \\uD800 without a low one at byte 6");
    REFUSE("{\"a\":\"\\udbff\"}", "high surrogate \\uDBFF without a low one at byte 6");
    REFUSE("{\"a\":\"\\ud800x\"}", "high surrogate \\uD800 without a low one at byte 6");
    REFUSE("{\"a\":\"\\ud800\\n\"}", "high surrogate \\uD800 without a low one at byte 6");
    REFUSE("{\"a\":\"\\ud800\\u0041\"}", "high surrogate \\uD800 without a low one at byte 6");
    REFUSE("{\"a\":\"\\ud800\\ud800\"}", "high surrogate \\uD800 without a low one at byte 6");
    REFUSE("{\"a\":\"\\ud800\\ue000\"}", "high surrogate \\uD800 without a low one at byte 6");
    REFUSE("{\"a\":\"\\ud800\\udc0", "high surrogate \\uD800 without a low one at byte 6");
    REFUSE("{\"a\":\"\\ud800\\", "high surrogate \\uD800 without a low one at byte 6");
    REFUSE("{\"a\":\"\\udc00\"}", "low surrogate \\uDC00 without a high one at byte 6");
    REFUSE("{\"a\":\"\\uDFFF\"}", "low surrogate \\uDFFF without a high one at byte 6");
    REFUSE("{\"a\":\"\\udc00\\ud800\"}", "low surrogate \\uDC00 without a high one at byte 6");
    REFUSE("{\"a\":\"x\\ud83d\\ude00\\ude00\"}", "low surrogate \\uDE00 without a high one at byte 19");
    /* control characters, raw */
    REFUSE("{\"a\":\"\x01\"}", "control character 0x01 in a string at byte 6 (it must be escaped)");
    REFUSE("{\"a\":\"x\ny\"}", "control character 0x0a in a string at byte 7 (it must be escaped)");
    REFUSE("{\"a\":\"\t\"}", "control character 0x09 in a string at byte 6 (it must be escaped)");
    REFUSE("{\"a\":\"\x1f\"}", "control character 0x1f in a string at byte 6 (it must be escaped)");
    REFUSE("{\"\r\":1}", "control character 0x0d in a string at byte 2 (it must be escaped)");
    REFUSE_N("{\"a\":\"\0\"}", "control character 0x00 in a string at byte 6 (it must be escaped)");
    /* invalid UTF-8: stray continuation, overlong, surrogates, too high,
     * bytes that never occur, truncated sequences */
    static const char *bad[] = {
        "\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf", "\xed\xa0\x80",
        "\xed\xbf\xbf", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
        "\xf8\x88\x80\x80\x80", "\xfc\x84\x80\x80\x80\x80", "\xfe", "\xff", "\xc3", "\xc3x", "\xe2\x82",
        "\xe2\x82x", "\xf0\x9f\x98", "\xf0\x9f\x98x", "\xe2x\xac", "\xc3\xc3\xa9",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[40];
        snprintf(text, sizeof text, "{\"a\":\"ok%s\"}", bad[i]);
        refuse(text, strlen(text), "invalid UTF-8 in a string at byte 8", __LINE__);
        snprintf(text, sizeof text, "{\"%s\":1}", bad[i]);
        refuse(text, strlen(text), "invalid UTF-8 in a string at byte 2", __LINE__);
    }
    /* the sentence is cut to errlen, and err may be NULL */
    vb_json_obj o;
    char small[12];
    memset(small, 'z', sizeof small);
    CHECK_EQ(parse_s("{\"a\" 1}", &o, small, sizeof small), -1);
    CHECK_STR(small, "expected ':");
    CHECK_EQ(parse_s("{\"a\" 1}", &o, NULL, 0), -1);
    CHECK_EQ(parse_s("{\"a\" 1}", &o, small, 0), -1);
    CHECK_EQ(vb_json_parse(NULL, 0, &o, small, sizeof small), -1);
    CHECK_STR(small, "expected '{");
}

/* Every proper prefix of a valid object is refused (a line cut short). */
static void test_parse_prefixes(void)
{
    static vb_json_obj o;
    const char *t = "{ \"k\\u00e9y\" : \"v\\ud83d\\ude00\\n\xc3\xa9\" , \"n\" : -12.5e-1, \"b\" : false,"
                    "\"z\":null,\"t\":true}";
    size_t n = strlen(t);
    char err[160];
    CHECK_EQ(vb_json_parse(t, n, &o, err, sizeof err), 0);
    CHECK_EQ(o.n, 5);
    CHECK(o.f[1].num == -1.25);
    for (size_t k = 0; k < n; k++) {
        int before = check_failures;
        CHECK_EQ(vb_json_parse(t, k, &o, err, sizeof err), -1);
        CHECK(strstr(err, "(end of input)") || strstr(err, "unterminated string") ||
              strstr(err, "without a low one") || strstr(err, "4 hex digits") || strstr(err, "invalid UTF-8") ||
              strstr(err, "expected a value"));
        if (check_failures != before) fprintf(stderr, "  prefix of %zu bytes: %s\n", k, err);
    }
}

/* ---- vb_json_parse_keys: replies ------------------------------------------ */

static const char *const reply_keys[] = {"ok", "error", NULL};

static int parse_keys_s(const char *text, vb_json_obj *o, char *err, size_t errlen)
{
    return vb_json_parse_keys(text, strlen(text), reply_keys, o, err, errlen);
}

/* vb_json_parse_keys (keeping "ok" and "error") must fail with `want`. */
static void refuse_keys(const char *text, const char *want, int line)
{
    static vb_json_obj o;
    char err[200] = "";
    o.n = 7;
    int before = check_failures;
    CHECK_EQ(parse_keys_s(text, &o, err, sizeof err), -1);
    CHECK_EQ(o.n, 0);
    CHECK_STR(err, want);
    if (check_failures != before) fprintf(stderr, "  input at line %d\n", line);
}
#define REFUSE_KEYS(text, want) refuse_keys(text, want, __LINE__)

/* The status reply as the board wrote it when `vboard ctl status` first
 * failed (17 members), and as it will grow: more members, nested objects
 * and arrays. Only "ok" and "error" are kept, in document order. */
static void test_parse_keys_replies(void)
{
    static vb_json_obj o;
    char err[200] = "";
    const char *status =
        "{\"ok\":true,\"profile\":\"generic\",\"power\":\"on\",\"uptime_ms\":12,\"boot_count\":1,"
        "\"reset_cause\":\"PWRON\",\"reset_cause_value\":1,\"soft_resets\":0,\"repl_mode\":\"friendly\","
        "\"stage\":\"bootloader\",\"safe_boot\":false,\"image\":\"factory\",\"led\":\"#000000\","
        "\"wdt_timeout_ms\":0,\"flash_ops\":0,\"control\":\"/tmp/tc.sock\",\"serial\":\"/dev/pts/1\"}\n";
    /* 17 members: more than a request may have */
    CHECK_EQ(parse_s(status, &o, err, sizeof err), VB_JSON_MAX_FIELDS < 17 ? -1 : 0);
    err[0] = '\0';
    CHECK_EQ(parse_keys_s(status, &o, err, sizeof err), 0);
    CHECK_STR(err, "");
    CHECK_EQ(o.n, 1);
    CHECK(vb_json_get(&o, "ok") == &o.f[0] && o.f[0].type == VB_JSON_BOOL && o.f[0].b);
    CHECK(vb_json_get(&o, "error") == NULL);
    CHECK(vb_json_get(&o, "profile") == NULL);

    /* a grown reply, written by the writer: 200 members, nested values
     * before and after the kept ones, every scalar type inside them */
    static char line[8192];
    vb_json_out w;
    vb_json_begin(&w, line, sizeof line);
    vb_json_raw(&w, "serial", "{\"rx_bytes\":1,\"tx\":[1,-2.5e3,{\"a\":null,\"b\":[[],{}]}],\"s\":\"\\u00e9\\n\"}");
    vb_json_bool(&w, "ok", false);
    char key[16];
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "k%d", i);
        vb_json_int(&w, key, i);
    }
    vb_json_str(&w, "error", "no pin 'GPIO99' on the generic board");
    vb_json_raw(&w, "pins", "[{\"name\":\"P0\",\"level\":1},{\"name\":\"P1\",\"level\":0,\"x\":[true,false]}]");
    vb_json_str(&w, "ok2", "\xc3\xa9");
    size_t n = vb_json_end(&w);
    CHECK(n > 0);
    CHECK_EQ(vb_json_parse_keys(line, n, reply_keys, &o, err, sizeof err), 0);
    CHECK_STR(err, "");
    CHECK_EQ(o.n, 2);
    CHECK_STR(o.f[0].key, "ok");
    CHECK(o.f[0].type == VB_JSON_BOOL && !o.f[0].b);
    CHECK_STR(o.f[1].key, "error");
    CHECK(o.f[1].type == VB_JSON_STRING);
    CHECK_STR(o.f[1].str, "no pin 'GPIO99' on the generic board");
    /* the same line keeping other members, and keeping none */
    static const char *const some[] = {"k199", "k0", "ok2", "absent", NULL};
    CHECK_EQ(vb_json_parse_keys(line, n, some, &o, err, sizeof err), 0);
    CHECK_EQ(o.n, 3);
    CHECK_STR(o.f[0].key, "k0");
    CHECK(o.f[0].num == 0);
    CHECK(vb_json_get(&o, "k199")->num == 199);
    CHECK_STR(vb_json_get(&o, "ok2")->str, "\xc3\xa9");
    CHECK_EQ(vb_json_parse_keys(line, n, NULL, &o, err, sizeof err), 0);
    CHECK_EQ(o.n, 0);
    static const char *const none[] = {NULL};
    CHECK_EQ(vb_json_parse_keys(line, n, none, &o, err, sizeof err), 0);
    CHECK_EQ(o.n, 0);

    /* unkept duplicates and long unkept strings cost nothing */
    CHECK_EQ(parse_keys_s("{\"a\":1,\"a\":[2],\"ok\":true}", &o, err, sizeof err), 0);
    CHECK_EQ(o.n, 1);
    static char longval[3 * sizeof o.buf];
    memset(longval, 0, sizeof longval);
    strcpy(longval, "{\"v\":\"");
    memset(longval + strlen(longval), 'x', 2 * sizeof o.buf);
    strcat(longval, "\",\"ok\":true}");
    CHECK_EQ(parse_keys_s(longval, &o, err, sizeof err), 0);
    CHECK(o.n == 1 && o.f[0].b);
    CHECK_STR(err, "");

    /* nesting: VB_JSON_MAX_DEPTH levels counting the outer object, no more;
     * the opening bracket one level too deep is named */
    static char deep[8 * VB_JSON_MAX_DEPTH + 64];
    for (int levels = VB_JSON_MAX_DEPTH - 1; levels <= VB_JSON_MAX_DEPTH; levels++) {
        size_t k = (size_t)snprintf(deep, sizeof deep, "{\"ok\":true,\"d\":");
        size_t innermost = 0;
        for (int i = 0; i < levels; i++) {
            innermost = k;
            k += (size_t)snprintf(deep + k, sizeof deep - k, i % 2 ? "[" : "{\"x\":");
        }
        deep[k++] = '0';
        for (int i = levels - 1; i >= 0; i--) deep[k++] = i % 2 ? ']' : '}';
        snprintf(deep + k, sizeof deep - k, "}");
        if (levels < VB_JSON_MAX_DEPTH) {
            CHECK_EQ(parse_keys_s(deep, &o, err, sizeof err), 0);
            CHECK_EQ(o.n, 1);
        } else {
            char want[120];
            snprintf(want, sizeof want, "arrays and objects nested more than %d deep at byte %zu",
                     VB_JSON_MAX_DEPTH, innermost);
            REFUSE_KEYS(deep, want);
        }
    }
}

/* Refusals: everything the request parser checks is checked inside nested
 * values too, with its sentences; and what only a reply reader refuses. */
static void test_parse_keys_refusals(void)
{
    /* a kept member must be a scalar; an unkept key may repeat, a kept one not */
    REFUSE_KEYS("{\"ok\":{}}", "kept member \"ok\" holds an object at byte 6 (only strings, numbers, "
                               "true, false and null are kept)");
    REFUSE_KEYS("{\"x\":1,\"error\":[\"a\"]}", "kept member \"error\" holds an array at byte 15 (only "
                                              "strings, numbers, true, false and null are kept)");
    REFUSE_KEYS("{\"ok\":true,\"x\":1,\"ok\":false}", "duplicate key at byte 17");
    REFUSE_KEYS("{\"ok\":true,\"\\u006fk\":true}", "duplicate key at byte 11");
    /* structure inside arrays and objects */
    REFUSE_KEYS("{\"x\":[1,]}", "expected a value (string, number, true, false or null) at byte 8");
    REFUSE_KEYS("{\"x\":[,1]}", "expected a value (string, number, true, false or null) at byte 6");
    REFUSE_KEYS("{\"x\":[1 2]}", "expected ',' or ']' at byte 8");
    REFUSE_KEYS("{\"x\":[1}", "expected ',' or ']' at byte 7");
    REFUSE_KEYS("{\"x\":[1", "expected ',' or ']' at byte 7 (end of input)");
    REFUSE_KEYS("{\"x\":[", "expected a value (string, number, true, false or null) at byte 6 (end of input)");
    REFUSE_KEYS("{\"x\":{1:2}}", "expected a string key at byte 6");
    REFUSE_KEYS("{\"x\":{\"a\",1}}", "expected ':' after key at byte 9");
    REFUSE_KEYS("{\"x\":{\"a\":1,}}", "expected a string key at byte 12");
    REFUSE_KEYS("{\"x\":{\"a\":1]}", "expected ',' or '}' at byte 11");
    REFUSE_KEYS("{\"x\":{\"a\":1", "expected ',' or '}' at byte 11 (end of input)");
    REFUSE_KEYS("{\"x\":{\"a\":[{}]}", "expected ',' or '}' at byte 15 (end of input)");
    /* values inside them: strings, escapes, UTF-8, numbers, literals */
    REFUSE_KEYS("{\"x\":[\"\\q\"]}", "unknown escape '\\q' at byte 7");
    REFUSE_KEYS("{\"x\":{\"\\u0000\":1}}", "\\u0000 is not allowed in a string at byte 7");
    REFUSE_KEYS("{\"x\":[\"\\ud800\"]}", "high surrogate \\uD800 without a low one at byte 7");
    REFUSE_KEYS("{\"x\":[\"\x01\"]}", "control character 0x01 in a string at byte 7 (it must be escaped)");
    REFUSE_KEYS("{\"x\":[\"\xc0\x80\"]}", "invalid UTF-8 in a string at byte 7");
    REFUSE_KEYS("{\"x\":{\"\xed\xa0\x80\":1}}", "invalid UTF-8 in a string at byte 7");
    REFUSE_KEYS("{\"x\":[01]}", "number with a leading zero at byte 6");
    REFUSE_KEYS("{\"x\":[1.]}", "expected a digit after '.' at byte 8");
    REFUSE_KEYS("{\"x\":[1e999]}", "number out of range at byte 6");
    REFUSE_KEYS("{\"x\":[NaN]}", "expected a value (string, number, true, false or null) at byte 6");
    REFUSE_KEYS("{\"x\":[tru]}", "expected a value (string, number, true, false or null) at byte 6");
    REFUSE_KEYS("{\"x\":[\"a\"", "expected ',' or ']' at byte 9 (end of input)");
    REFUSE_KEYS("{\"x\":[\"a]}", "unterminated string starting at byte 6");
    /* after the object, and before it */
    REFUSE_KEYS("{\"ok\":true}x", "unexpected data after the object at byte 11");
    REFUSE_KEYS("[{\"ok\":true}]", "expected '{' at byte 0");
    REFUSE_KEYS("", "expected '{' at byte 0 (end of input)");

    /* a flat object gets the same sentence from both parsers */
    static const char *const flat[] = {
        "{\"ok\":tru}", "{\"ok\" true}", "{\"ok\":true,}", "{\"ok\":\"\\x\"}", "{\"error\":\"\xff\"}",
        "{\"ok\":-}", "{\"ok\":1e}", "{\"a\":\"b\\ud800\"}", "{\"ok\":true", "{\"ok\":true}}",
        "{\"ok\":\"\\u12\"}", "{\"\xc3\":1}", "{\"ok\":true}\n\n{}",
    };
    for (size_t i = 0; i < sizeof flat / sizeof flat[0]; i++) {
        static vb_json_obj o;
        char want[200] = "", got[200] = "";
        CHECK_EQ(parse_s(flat[i], &o, want, sizeof want), -1);
        CHECK_EQ(parse_keys_s(flat[i], &o, got, sizeof got), -1);
        CHECK_STR(got, want);
        CHECK_EQ(o.n, 0);
    }
}

/* Every proper prefix of a nested reply is refused (a line cut short). */
static void test_parse_keys_prefixes(void)
{
    static vb_json_obj o;
    const char *t = "{ \"x\" : [ 1 , { \"k\\u00e9\" : [ \"v\\ud83d\\ude00\" , -1.5e-2 , null ] } , [ ] ] ,"
                    " \"ok\" : true , \"y\" : { } , \"error\" : \"e\\n\" }";
    size_t n = strlen(t);
    char err[200];
    CHECK_EQ(vb_json_parse_keys(t, n, reply_keys, &o, err, sizeof err), 0);
    CHECK_EQ(o.n, 2);
    CHECK_STR(o.f[1].str, "e\n");
    for (size_t k = 0; k < n; k++) {
        int before = check_failures;
        CHECK_EQ(vb_json_parse_keys(t, k, reply_keys, &o, err, sizeof err), -1);
        CHECK_EQ(o.n, 0);
        CHECK(strstr(err, "(end of input)") || strstr(err, "unterminated string") ||
              strstr(err, "without a low one") || strstr(err, "4 hex digits") || strstr(err, "expected a value"));
        if (check_failures != before) fprintf(stderr, "  prefix of %zu bytes: %s\n", k, err);
    }
}

static void test_writer_exact(void)
{
    char buf[512];
    vb_json_out o;
    vb_json_begin(&o, buf, sizeof buf);
    CHECK_EQ(vb_json_end(&o), 3);
    CHECK_STR(buf, "{}\n");

    vb_json_begin(&o, buf, sizeof buf);
    vb_json_str(&o, "s", "a\"b\\c/\x01\x1f\x7f\n\t");
    vb_json_int(&o, "i", -9223372036854775807LL - 1);
    vb_json_int(&o, "j", 0);
    vb_json_uint(&o, "u", 18446744073709551615ULL);
    vb_json_bool(&o, "t", true);
    vb_json_bool(&o, "f", false);
    vb_json_null(&o, "n");
    vb_json_raw(&o, "r", "[1,\"x\"]");
    vb_json_raw(&o, "rn", NULL);
    vb_json_str(&o, "sn", NULL);
    vb_json_strn(&o, "z", "a\0b", 3);
    vb_json_strn(&o, "ab", "abcdef", 2);
    vb_json_str(&o, "k\"\n", "");
    vb_json_str(&o, "u8", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    vb_json_str(&o, "bad", "\xff" "a\xc3" "b\xed\xa0\x80" "c\xf0\x9f\x98");
    const char *want = "{\"s\":\"a\\\"b\\\\c/\\u0001\\u001f\x7f\\u000a\\u0009\",\"i\":-9223372036854775808,"
                       "\"j\":0,\"u\":18446744073709551615,\"t\":true,\"f\":false,\"n\":null,\"r\":[1,\"x\"],"
                       "\"rn\":null,\"sn\":null,\"z\":\"a\\u0000b\",\"ab\":\"ab\",\"k\\\"\\u000a\":\"\","
                       "\"u8\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\","
                       "\"bad\":\"\\ufffda\\ufffdb\\ufffd\\ufffd\\ufffdc\\ufffd\\ufffd\\ufffd\"}\n";
    size_t n = vb_json_end(&o);
    CHECK_STR(buf, want);
    CHECK_EQ(n, strlen(want));
    CHECK_EQ(o.len, n);
    CHECK(!o.overflow);

    /* what the writer wrote, the parser reads (no raw values, no \u0000) */
    vb_json_begin(&o, buf, sizeof buf);
    vb_json_str(&o, "cmd", "pin");
    vb_json_int(&o, "pin", -12);
    vb_json_uint(&o, "big", 9007199254740992ULL);
    vb_json_bool(&o, "on", true);
    vb_json_null(&o, "x");
    vb_json_str(&o, "bad", "\xff");
    n = vb_json_end(&o);
    vb_json_obj obj;
    char err[160] = "";
    CHECK_EQ(vb_json_parse(buf, n, &obj, err, sizeof err), 0);
    CHECK_STR(err, "");
    CHECK_EQ(obj.n, 6);
    CHECK(obj.f[1].num == -12 && obj.f[2].num == 9007199254740992.0 && obj.f[3].b && obj.f[4].type == VB_JSON_NULL);
    CHECK_STR(obj.f[5].str, "\xef\xbf\xbd");
    /* a NUL written as \u0000 is refused by this parser, by design */
    vb_json_begin(&o, buf, sizeof buf);
    vb_json_strn(&o, "z", "\0", 1);
    n = vb_json_end(&o);
    CHECK_EQ(vb_json_parse(buf, n, &obj, err, sizeof err), -1);
    CHECK_STR(err, "\\u0000 is not allowed in a string at byte 6");
}

/* The object of test_writer_exact's size class, written into buf[0..cap). */
static size_t write_sample(char *buf, size_t cap, vb_json_out *o)
{
    vb_json_begin(o, buf, cap);
    vb_json_str(o, "event", "serial");
    vb_json_strn(o, "data", "a\x01\"\\\0\xff\xc3\xa9\xf0\x9f\x98\x80z", 14);
    vb_json_int(o, "t", -123456789);
    vb_json_uint(o, "op", 42);
    vb_json_bool(o, "ok", false);
    vb_json_null(o, "none");
    vb_json_raw(o, "pins", "[0,1,\"z\"]");
    return vb_json_end(o);
}

static void test_writer_overflow(void)
{
    enum { CANARY = 32 };
    char full[512];
    vb_json_out o;
    size_t len = write_sample(full, sizeof full, &o);
    CHECK(len > 60);
    CHECK_EQ(strlen(full), len);
    char *buf = malloc(len + 2 + CANARY);
    for (size_t cap = 0; cap <= len + 1; cap++) {
        memset(buf, 0xA5, len + 2 + CANARY);
        size_t n = write_sample(cap ? buf : NULL, cap, &o);
        int before = check_failures;
        for (size_t i = cap; i < len + 2 + CANARY; i++)
            if ((unsigned char)buf[i] != 0xA5) {
                CHECK(!"byte written past cap");
                break;
            }
        CHECK(o.len <= cap);
        if (cap >= len + 1) {
            CHECK_EQ(n, len);
            CHECK_STR(buf, full);
            CHECK(!o.overflow);
        } else {
            CHECK_EQ(n, 0);
            CHECK(o.overflow);
            if (cap > 0) CHECK_EQ(buf[0], '\0');
        }
        if (check_failures != before) fprintf(stderr, "  cap %zu of %zu\n", cap, len);
    }
    /* the same buffer with room: written, not refused */
    memset(buf, 0xA5, len + 2 + CANARY);
    CHECK_EQ(write_sample(buf, len + 2, &o), len);
    CHECK_EQ((unsigned char)buf[len + 1], 0xA5);   /* the NUL is at len, nothing after */
    free(buf);

    /* vb_json_escape: snprintf-style, at every cap */
    const char s[] = "x\"\\\n\0\xff\xe2\x82\xac";
    const char *want = "\"x\\\"\\\\\\u000a\\u0000\\ufffd\xe2\x82\xac\"";
    size_t need = vb_json_escape(NULL, 0, s, sizeof s - 1);
    CHECK_EQ(need, strlen(want));
    char eb[64 + CANARY];
    for (size_t cap = 0; cap <= need + 1; cap++) {
        memset(eb, 0xA5, sizeof eb);
        CHECK_EQ(vb_json_escape(eb, cap, s, sizeof s - 1), need);
        int before = check_failures;
        for (size_t i = cap; i < sizeof eb; i++)
            if ((unsigned char)eb[i] != 0xA5) {
                CHECK(!"escape wrote past cap");
                break;
            }
        if (cap == need + 1)
            CHECK_STR(eb, want);
        else if (cap > 0)
            CHECK_EQ(eb[0], '\0');
        if (check_failures != before) fprintf(stderr, "  escape cap %zu\n", cap);
    }
    CHECK_EQ(vb_json_escape(eb, sizeof eb, "", 0), 2);
    CHECK_STR(eb, "\"\"");
    /* arrays built with it go through vb_json_raw */
    char arr[64], item[16];
    size_t k = 0;
    arr[k++] = '[';
    const char *items[] = { "a", "b\"c" };
    for (size_t i = 0; i < 2; i++) {
        size_t m = vb_json_escape(item, sizeof item, items[i], strlen(items[i]));
        k += (size_t)snprintf(arr + k, sizeof arr - k, "%s%.*s", i ? "," : "", (int)m, item);
    }
    snprintf(arr + k, sizeof arr - k, "]");
    char line[80];
    vb_json_begin(&o, line, sizeof line);
    vb_json_raw(&o, "list", arr);
    vb_json_end(&o);
    CHECK_STR(line, "{\"list\":[\"a\",\"b\\\"c\"]}\n");
}

/* The reference for what a string reads back as: each maximal well-formed
 * UTF-8 sequence kept, every other byte U+FFFD. Written from the code point
 * ranges, independently of the library's byte-pattern validator. */
static size_t reference_decode(const uint8_t *s, size_t n, uint8_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t len = s[i] < 0x80 ? 1 : s[i] >> 5 == 6 ? 2 : s[i] >> 4 == 14 ? 3 : s[i] >> 3 == 30 ? 4 : 0;
        uint32_t cp = len == 1 ? s[i] : len == 2 ? s[i] & 31u : len == 3 ? s[i] & 15u : s[i] & 7u;
        bool ok = len > 0 && i + len <= n;
        for (size_t j = 1; ok && j < len; j++) {
            ok = (s[i + j] & 0xC0) == 0x80;
            cp = cp << 6 | (s[i + j] & 63u);
        }
        static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
        ok = ok && cp >= min_cp[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
        if (ok) {
            memcpy(out + k, s + i, len);
            k += len;
            i += len;
        } else {
            memcpy(out + k, "\xef\xbf\xbd", 3);
            k += 3;
            i++;
        }
    }
    out[k] = 0;
    return k;
}

static size_t encode_cp(uint32_t cp, uint8_t *o)
{
    if (cp < 0x80) { o[0] = (uint8_t)cp; return 1; }
    if (cp < 0x800) { o[0] = (uint8_t)(0xC0 | cp >> 6); o[1] = (uint8_t)(0x80 | (cp & 63)); return 2; }
    if (cp < 0x10000) {
        o[0] = (uint8_t)(0xE0 | cp >> 12); o[1] = (uint8_t)(0x80 | (cp >> 6 & 63)); o[2] = (uint8_t)(0x80 | (cp & 63));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | cp >> 18); o[1] = (uint8_t)(0x80 | (cp >> 12 & 63));
    o[2] = (uint8_t)(0x80 | (cp >> 6 & 63)); o[3] = (uint8_t)(0x80 | (cp & 63));
    return 4;
}

/* A random string without NULs: raw bytes of every value, well-formed
 * sequences of every length, and near-misses (truncated, overlong). */
static size_t random_string(uint64_t *seed, uint8_t *s, size_t max)
{
    size_t n = 0, want = rnd(seed) % max;
    while (n + 4 < want) {
        uint64_t r = rnd(seed);
        switch (r % 4) {
        case 0:                                   /* any byte but NUL */
            s[n++] = (uint8_t)(1 + (r >> 8) % 255);
            break;
        case 1: {                                 /* a code point, surrogates and all */
            static const uint32_t top[] = { 0x80, 0x800, 0x10000, 0x110000 };
            uint32_t cp = (uint32_t)((r >> 8) % top[(r >> 40) % 4]);
            if (cp == 0) cp = 1;
            n += encode_cp(cp, s + n);
            break;
        }
        case 2: {                                 /* a sequence cut short */
            uint8_t t[4];
            size_t k = encode_cp(0x80 + (uint32_t)((r >> 8) % 0x10FF80), t);
            size_t keep = 1 + (r >> 40) % k;
            memcpy(s + n, t, keep);
            n += keep;
            break;
        }
        default:                                  /* ASCII, quotes and backslashes included */
            s[n++] = (uint8_t)(1 + (r >> 8) % 127);
            break;
        }
    }
    s[n] = 0;
    return n;
}

static void test_round_trip_random(void)
{
    uint64_t seed = 0x5EED0001;
    static char line[32768];
    static vb_json_obj obj;
    uint8_t keys[4][300], vals[4][300], want_k[4][1000], want_v[4][1000];
    char err[160];
    int bad = 0;
    for (int iter = 0; iter < 3000 && bad < 5; iter++) {
        unsigned nf = 1 + (unsigned)(rnd(&seed) % 4);
        vb_json_out o;
        vb_json_begin(&o, line, sizeof line);
        for (unsigned i = 0; i < nf; i++) {
            /* distinct keys: a unique prefix byte */
            random_string(&seed, keys[i] + 1, 60);
            keys[i][0] = (uint8_t)('A' + i);
            size_t vn = random_string(&seed, vals[i], 240);
            reference_decode(keys[i], strlen((char *)keys[i]), want_k[i]);
            reference_decode(vals[i], vn, want_v[i]);
            if (i % 2)
                vb_json_strn(&o, (const char *)keys[i], (const char *)vals[i], vn);
            else
                vb_json_str(&o, (const char *)keys[i], (const char *)vals[i]);
        }
        size_t n = vb_json_end(&o);
        int before = check_failures;
        CHECK(n > 0);
        CHECK_EQ(vb_json_parse(line, n, &obj, err, sizeof err), 0);
        CHECK_EQ(obj.n, nf);
        for (unsigned i = 0; i < nf && i < obj.n; i++) {
            CHECK_STR(obj.f[i].key, (char *)want_k[i]);
            CHECK(obj.f[i].type == VB_JSON_STRING);
            CHECK_STR(obj.f[i].str, (char *)want_v[i]);
            CHECK(vb_json_get(&obj, (char *)want_k[i]) == &obj.f[i]);
        }
        /* no raw control character and no invalid UTF-8 reaches the line */
        for (size_t i = 0; i + 1 < n; i++)
            if ((unsigned char)line[i] < 0x20) {
                CHECK(!"raw control character in the line");
                break;
            }
        CHECK_EQ(line[n - 1], '\n');
        if (check_failures != before) {
            fprintf(stderr, "  iteration %d: %s\n", iter, err);
            bad++;
        }
    }

    /* well-formed strings come back byte for byte */
    seed = 0x5EED0002;
    for (int iter = 0; iter < 2000; iter++) {
        uint8_t s[400];
        size_t n = 0, want = rnd(&seed) % 80;
        for (size_t i = 0; i < want; i++) {
            uint32_t cp;
            do
                cp = (uint32_t)(rnd(&seed) % (i % 3 ? 0x110000 : 0x100));
            while (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF));
            n += encode_cp(cp, s + n);
        }
        s[n] = 0;
        char small[1200];
        vb_json_out o;
        vb_json_begin(&o, small, sizeof small);
        vb_json_strn(&o, "v", (const char *)s, n);
        size_t len = vb_json_end(&o);
        CHECK_EQ(vb_json_parse(small, len, &obj, err, sizeof err), 0);
        CHECK(obj.n == 1 && strlen(obj.f[0].str) == n && memcmp(obj.f[0].str, s, n) == 0);
    }

    /* every single byte, and every byte pair, in both positions */
    for (unsigned a = 1; a < 256; a++) {
        for (unsigned b = 0; b < 256; b += (a < 0x80 ? 17 : 1)) {
            uint8_t s[3] = { (uint8_t)a, (uint8_t)b, 0 };
            uint8_t want[16];
            size_t sn = b ? 2 : 1;
            reference_decode(s, sn, want);
            char small[64];
            vb_json_out o;
            vb_json_begin(&o, small, sizeof small);
            vb_json_strn(&o, (const char *)s, (const char *)s, sn);
            size_t len = vb_json_end(&o);
            int before = check_failures;
            CHECK_EQ(vb_json_parse(small, len, &obj, err, sizeof err), 0);
            CHECK_STR(obj.f[0].key, (char *)want);
            CHECK_STR(obj.f[0].str, (char *)want);
            if (check_failures != before) fprintf(stderr, "  bytes %02x %02x\n", a, b);
        }
    }

    /* integers through the writer come back as the same number */
    seed = 0x5EED0003;
    for (int iter = 0; iter < 2000; iter++) {
        long long v = (long long)(rnd(&seed) >> (11 + rnd(&seed) % 53)) * (iter % 2 ? -1 : 1);
        unsigned long long u = rnd(&seed) >> (11 + rnd(&seed) % 53);
        char small[128];
        vb_json_out o;
        vb_json_begin(&o, small, sizeof small);
        vb_json_int(&o, "i", v);
        vb_json_uint(&o, "u", u);
        size_t len = vb_json_end(&o);
        CHECK_EQ(vb_json_parse(small, len, &obj, err, sizeof err), 0);
        CHECK(obj.f[0].num == (double)v && obj.f[1].num == (double)u);
    }
}

int main(void)
{
    RUN(test_parse_values);
    RUN(test_parse_strings);
    RUN(test_parse_buffer_limit);
    RUN(test_parse_numbers);
    RUN(test_numbers_in_comma_locale);
    RUN(test_parse_refusals);
    RUN(test_parse_prefixes);
    RUN(test_parse_keys_replies);
    RUN(test_parse_keys_refusals);
    RUN(test_parse_keys_prefixes);
    RUN(test_writer_exact);
    RUN(test_writer_overflow);
    RUN(test_round_trip_random);
    return CHECK_DONE();
}
