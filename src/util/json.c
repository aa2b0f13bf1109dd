/* JSON lines (json.h): a strict one-object parser (which also reads
 * replies, checking what it skips as strictly as what it keeps) and a
 * bounded writer. Both share one UTF-8 validator, so what the writer copies
 * raw is exactly what the parser accepts. */
#include "json.h"

#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errtext.h"
#include "utf8.h"

/* ======================================================================== */
/* Parser                                                                   */
/* ======================================================================== */

typedef struct parser {
    const uint8_t *p;
    size_t len, pos;
    vb_json_obj *out;
    size_t used;            /* bytes of out->buf taken */
    char *err;
    size_t errlen;
    const char *const *keys;  /* vb_json_parse_keys: the members to keep; NULL: keep all */
    bool skip;              /* checking a value that is not kept: decode nothing */
} parser;

static void skip_ws(parser *ps)
{
    while (ps->pos < ps->len) {
        uint8_t c = ps->p[ps->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        ps->pos++;
    }
}

/* "expected <what> at byte N", saying so when the input ended there. */
static int expected(parser *ps, const char *what)
{
    if (ps->pos >= ps->len)
        vb_set_err(ps->err, ps->errlen, "expected %s at byte %zu (end of input)", what, ps->pos);
    else
        vb_set_err(ps->err, ps->errlen, "expected %s at byte %zu", what, ps->pos);
    return -1;
}

static int append(parser *ps, const void *bytes, size_t k, size_t at)
{
    if (ps->skip) return 0;
    if (k > sizeof ps->out->buf - ps->used) {
        vb_set_err(ps->err, ps->errlen, "decoded keys and strings exceed %zu bytes at byte %zu",
                   sizeof ps->out->buf, at);
        return -1;
    }
    memcpy(ps->out->buf + ps->used, bytes, k);
    ps->used += k;
    return 0;
}

/* Four hex digits at p[at..at+4) as a value, or -1. */
static long hex4(const parser *ps, size_t at)
{
    if (ps->len - at < 4) return -1;
    long v = 0;
    for (size_t i = 0; i < 4; i++) {
        uint8_t c = ps->p[at + i];
        int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        v = v << 4 | d;
    }
    return v;
}

/* A \u escape at pos (pointing at the backslash), with its low surrogate
 * when it is a high one; appends the code point as UTF-8. */
static int parse_u_escape(parser *ps)
{
    size_t at = ps->pos;
    long cp = hex4(ps, at + 2);
    if (cp < 0) {
        vb_set_err(ps->err, ps->errlen, "\\u must be followed by 4 hex digits at byte %zu", at);
        return -1;
    }
    ps->pos = at + 6;
    if (cp == 0) {
        vb_set_err(ps->err, ps->errlen, "\\u0000 is not allowed in a string at byte %zu", at);
        return -1;
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
        vb_set_err(ps->err, ps->errlen, "low surrogate \\u%04lX without a high one at byte %zu", cp, at);
        return -1;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        long lo = ps->len - ps->pos >= 2 && ps->p[ps->pos] == '\\' && ps->p[ps->pos + 1] == 'u'
                      ? hex4(ps, ps->pos + 2) : -1;
        if (lo < 0xDC00 || lo > 0xDFFF) {
            vb_set_err(ps->err, ps->errlen, "high surrogate \\u%04lX without a low one at byte %zu", cp, at);
            return -1;
        }
        ps->pos += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    uint8_t u[4];
    size_t k;
    if (cp < 0x80) { u[0] = (uint8_t)cp; k = 1; }
    else if (cp < 0x800) { u[0] = (uint8_t)(0xC0 | cp >> 6); u[1] = (uint8_t)(0x80 | (cp & 0x3F)); k = 2; }
    else if (cp < 0x10000) {
        u[0] = (uint8_t)(0xE0 | cp >> 12); u[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (uint8_t)(0x80 | (cp & 0x3F)); k = 3;
    } else {
        u[0] = (uint8_t)(0xF0 | cp >> 18); u[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
        u[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F)); u[3] = (uint8_t)(0x80 | (cp & 0x3F)); k = 4;
    }
    return append(ps, u, k, at);
}

/* A string at pos (on its opening quote), decoded into out->buf with a
 * NUL (only checked while ps->skip); *s gets its start. */
static int parse_string(parser *ps, const char **s)
{
    size_t start = ps->pos;
    *s = ps->out->buf + ps->used;
    ps->pos++;
    for (;;) {
        if (ps->pos >= ps->len) {
            vb_set_err(ps->err, ps->errlen, "unterminated string starting at byte %zu", start);
            return -1;
        }
        size_t at = ps->pos;
        uint8_t c = ps->p[at];
        if (c == '"') {
            ps->pos++;
            return append(ps, "", 1, at);
        }
        if (c == '\\') {
            if (at + 1 >= ps->len) {
                vb_set_err(ps->err, ps->errlen, "unterminated string starting at byte %zu", start);
                return -1;
            }
            uint8_t e = ps->p[at + 1];
            if (e == 'u') {
                if (parse_u_escape(ps) != 0) return -1;
                continue;
            }
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            const char *hit = e ? strchr(from, e) : NULL;
            if (!hit) {
                if (e >= 0x20 && e < 0x7F)
                    vb_set_err(ps->err, ps->errlen, "unknown escape '\\%c' at byte %zu", e, at);
                else
                    vb_set_err(ps->err, ps->errlen, "unknown escape (backslash, byte 0x%02x) at byte %zu", e, at);
                return -1;
            }
            if (append(ps, &to[hit - from], 1, at) != 0) return -1;
            ps->pos += 2;
            continue;
        }
        if (c < 0x20) {
            vb_set_err(ps->err, ps->errlen, "control character 0x%02x in a string at byte %zu (it must be escaped)",
                       c, at);
            return -1;
        }
        size_t k = vb_utf8_valid_len(ps->p + at, ps->len - at);
        if (k == 0) {
            vb_set_err(ps->err, ps->errlen, "invalid UTF-8 in a string at byte %zu", at);
            return -1;
        }
        if (append(ps, ps->p + at, k, at) != 0) return -1;
        ps->pos += k;
    }
}

static bool is_digit(const parser *ps)
{
    return ps->pos < ps->len && ps->p[ps->pos] >= '0' && ps->p[ps->pos] <= '9';
}

/* A number at pos (on '-' or a digit): validated against the RFC grammar
 * first, because strtod alone accepts hex, "inf", "nan", '+' and more. */
static int parse_number(parser *ps, double *v)
{
    size_t start = ps->pos;
    if (ps->p[ps->pos] == '-') {
        ps->pos++;
        if (!is_digit(ps)) return expected(ps, "a digit after '-'");
    }
    if (ps->p[ps->pos] == '0') {
        ps->pos++;
        if (is_digit(ps)) {
            vb_set_err(ps->err, ps->errlen, "number with a leading zero at byte %zu", start);
            return -1;
        }
    } else {
        while (is_digit(ps)) ps->pos++;
    }
    if (ps->pos < ps->len && ps->p[ps->pos] == '.') {
        ps->pos++;
        if (!is_digit(ps)) return expected(ps, "a digit after '.'");
        while (is_digit(ps)) ps->pos++;
    }
    if (ps->pos < ps->len && (ps->p[ps->pos] == 'e' || ps->p[ps->pos] == 'E')) {
        ps->pos++;
        if (ps->pos < ps->len && (ps->p[ps->pos] == '+' || ps->p[ps->pos] == '-')) ps->pos++;
        if (!is_digit(ps)) return expected(ps, "a digit in the exponent");
        while (is_digit(ps)) ps->pos++;
    }
    size_t n = ps->pos - start;
    if (n > VB_JSON_MAX_NUMBER_LEN) {
        vb_set_err(ps->err, ps->errlen, "number longer than %d characters at byte %zu",
                   VB_JSON_MAX_NUMBER_LEN, start);
        return -1;
    }
    /* strtod reads the locale's decimal point: put it in place of '.' so a
     * process that set LC_NUMERIC still reads JSON numbers right. */
    char num[VB_JSON_MAX_NUMBER_LEN + 8];
    const char *dp = localeconv()->decimal_point;
    bool swap = dp && dp[0] && strcmp(dp, ".") != 0 && strlen(dp) <= 4;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = (char)ps->p[start + i];
        if (c == '.' && swap) {       /* at most one '.' in a valid number */
            memcpy(num + k, dp, strlen(dp));
            k += strlen(dp);
        } else {
            num[k++] = c;
        }
    }
    num[k] = '\0';
    char *end;
    *v = strtod(num, &end);
    if (isinf(*v)) {
        vb_set_err(ps->err, ps->errlen, "number out of range at byte %zu", start);
        return -1;
    }
    if (*end != '\0') {      /* cannot happen after the grammar check, unless the locale is odd */
        vb_set_err(ps->err, ps->errlen, "number not convertible at byte %zu", start);
        return -1;
    }
    return 0;
}

static bool literal(parser *ps, const char *word)
{
    size_t n = strlen(word);
    if (ps->len - ps->pos < n || memcmp(ps->p + ps->pos, word, n) != 0) return false;
    ps->pos += n;
    return true;
}

static int parse_value(parser *ps, vb_json_field *f, unsigned depth);

/* An array or object at pos, inside a value that is not kept
 * (vb_json_parse_keys): checked, nothing stored. depth counts the arrays
 * and objects around it, the outer object included. */
static int skip_nested(parser *ps, unsigned depth)
{
    bool obj = ps->p[ps->pos] == '{';
    char close = obj ? '}' : ']';
    if (depth >= VB_JSON_MAX_DEPTH) {
        vb_set_err(ps->err, ps->errlen, "arrays and objects nested more than %d deep at byte %zu",
                   VB_JSON_MAX_DEPTH, ps->pos);
        return -1;
    }
    ps->pos++;
    skip_ws(ps);
    if (ps->pos < ps->len && ps->p[ps->pos] == close) {
        ps->pos++;
        return 0;
    }
    for (;;) {
        if (obj) {
            const char *key;
            if (ps->pos >= ps->len || ps->p[ps->pos] != '"') return expected(ps, "a string key");
            if (parse_string(ps, &key) != 0) return -1;
            skip_ws(ps);
            if (ps->pos >= ps->len || ps->p[ps->pos] != ':') return expected(ps, "':' after key");
            ps->pos++;
            skip_ws(ps);
        }
        vb_json_field scratch;
        if (parse_value(ps, &scratch, depth + 1) != 0) return -1;
        skip_ws(ps);
        if (ps->pos < ps->len && ps->p[ps->pos] == close) {
            ps->pos++;
            return 0;
        }
        if (ps->pos >= ps->len || ps->p[ps->pos] != ',') return expected(ps, obj ? "',' or '}'" : "',' or ']'");
        ps->pos++;
        skip_ws(ps);
    }
}

/* A member's value at pos into f; depth as for skip_nested. */
static int parse_value(parser *ps, vb_json_field *f, unsigned depth)
{
    bool more = ps->pos < ps->len;
    uint8_t c = more ? ps->p[ps->pos] : 0;
    f->str = NULL;
    f->num = 0;
    f->b = false;
    if (more && c == '"') {
        f->type = VB_JSON_STRING;
        return parse_string(ps, &f->str);
    }
    if (more && (c == '-' || (c >= '0' && c <= '9'))) {
        f->type = VB_JSON_NUMBER;
        return parse_number(ps, &f->num);
    }
    if (more && (c == '{' || c == '[')) {
        if (ps->keys && ps->skip) return skip_nested(ps, depth);
        if (ps->keys)
            vb_set_err(ps->err, ps->errlen, "kept member \"%s\" holds an %s at byte %zu (only strings, "
                       "numbers, true, false and null are kept)", f->key, c == '{' ? "object" : "array",
                       ps->pos);
        else
            vb_set_err(ps->err, ps->errlen, "nested %s are not supported at byte %zu",
                       c == '{' ? "objects" : "arrays", ps->pos);
        return -1;
    }
    if (literal(ps, "true")) { f->type = VB_JSON_BOOL; f->b = true; return 0; }
    if (literal(ps, "false")) { f->type = VB_JSON_BOOL; return 0; }
    if (literal(ps, "null")) { f->type = VB_JSON_NULL; return 0; }
    return expected(ps, "a value (string, number, true, false or null)");
}

/* Is key one of the members to keep? */
static bool kept(const parser *ps, const char *key)
{
    if (!ps->keys) return true;
    for (const char *const *k = ps->keys; *k; k++)
        if (strcmp(*k, key) == 0) return true;
    return false;
}

static int parse_members(parser *ps)
{
    vb_json_obj *o = ps->out;
    skip_ws(ps);
    if (ps->pos >= ps->len || ps->p[ps->pos] != '{') return expected(ps, "'{'");
    ps->pos++;
    skip_ws(ps);
    if (ps->pos < ps->len && ps->p[ps->pos] == '}') {
        ps->pos++;
        return 0;
    }
    for (;;) {
        if (ps->pos >= ps->len || ps->p[ps->pos] != '"') return expected(ps, "a string key");
        size_t key_at = ps->pos, mark = ps->used;
        const char *key;
        if (parse_string(ps, &key) != 0) return -1;
        bool keep = kept(ps, key);
        if (!keep) ps->used = mark;    /* it was only needed for the comparison */
        if (keep && o->n == VB_JSON_MAX_FIELDS) {
            vb_set_err(ps->err, ps->errlen, "more than %d members at byte %zu", VB_JSON_MAX_FIELDS, key_at);
            return -1;
        }
        for (unsigned i = 0; keep && i < o->n; i++) {
            if (strcmp(o->f[i].key, key) == 0) {
                vb_set_err(ps->err, ps->errlen, "duplicate key at byte %zu", key_at);
                return -1;
            }
        }
        skip_ws(ps);
        if (ps->pos >= ps->len || ps->p[ps->pos] != ':') return expected(ps, "':' after key");
        ps->pos++;
        skip_ws(ps);
        vb_json_field scratch, *f = keep ? &o->f[o->n] : &scratch;
        f->key = key;
        ps->skip = !keep;
        int r = parse_value(ps, f, 1);
        ps->skip = false;
        if (r != 0) return -1;
        if (keep) o->n++;
        skip_ws(ps);
        if (ps->pos < ps->len && ps->p[ps->pos] == '}') {
            ps->pos++;
            return 0;
        }
        if (ps->pos >= ps->len || ps->p[ps->pos] != ',') return expected(ps, "',' or '}'");
        ps->pos++;
        skip_ws(ps);
    }
}

/* vb_json_parse and vb_json_parse_keys (keys NULL: keep every member). */
static int parse_object(const char *text, size_t len, const char *const *keys, vb_json_obj *out,
                        char *err, size_t errlen)
{
    parser ps = { (const uint8_t *)text, text ? len : 0, 0, out, 0, err, errlen, keys, false };
    out->n = 0;
    if (parse_members(&ps) != 0) {
        out->n = 0;
        return -1;
    }
    skip_ws(&ps);
    if (ps.pos < ps.len) {
        vb_set_err(err, errlen, "unexpected data after the object at byte %zu", ps.pos);
        out->n = 0;
        return -1;
    }
    return 0;
}

int vb_json_parse(const char *text, size_t len, vb_json_obj *out, char *err, size_t errlen)
{
    return parse_object(text, len, NULL, out, err, errlen);
}

int vb_json_parse_keys(const char *text, size_t len, const char *const *keys, vb_json_obj *out,
                       char *err, size_t errlen)
{
    static const char *const none[] = {NULL};
    return parse_object(text, len, keys ? keys : none, out, err, errlen);
}

const vb_json_field *vb_json_get(const vb_json_obj *o, const char *key)
{
    for (unsigned i = 0; i < o->n; i++)
        if (strcmp(o->f[i].key, key) == 0)
            return &o->f[i];
    return NULL;
}

/* ======================================================================== */
/* Writer                                                                   */
/* ======================================================================== */

/* Encode the unit at s[*i] (one byte, or one UTF-8 sequence) into out and
 * advance *i; returns the encoding's length (1..6). Units are written
 * whole, so a buffer that fills up never ends inside an escape. */
static size_t escape_unit(const uint8_t *s, size_t n, size_t *i, char out[6])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t c = s[*i];
    if (c == '"' || c == '\\') {
        out[0] = '\\';
        out[1] = (char)c;
        (*i)++;
        return 2;
    }
    if (c < 0x20) {
        memcpy(out, "\\u00", 4);
        out[4] = hex[c >> 4];
        out[5] = hex[c & 15];
        (*i)++;
        return 6;
    }
    size_t k = vb_utf8_valid_len(s + *i, n - *i);
    if (k == 0) {
        memcpy(out, "\\ufffd", 6);
        (*i)++;
        return 6;
    }
    memcpy(out, s + *i, k);
    *i += k;
    return k;
}

/* Where vb_json_escape writes: need counts the whole encoding; while fits,
 * need < cap, so the NUL always has room. */
typedef struct esc_sink { char *dst; size_t cap, need; bool fits; } esc_sink;

static void sink_put(esc_sink *s, const char *p, size_t k)
{
    if (s->fits && k < s->cap - s->need)
        memcpy(s->dst + s->need, p, k);
    else
        s->fits = false;
    s->need += k;
}

size_t vb_json_escape(char *dst, size_t cap, const char *s, size_t n)
{
    esc_sink sk = { dst, dst ? cap : 0, 0, dst && cap > 0 };
    char unit[6];
    sink_put(&sk, "\"", 1);
    for (size_t i = 0; i < n;) {
        size_t k = escape_unit((const uint8_t *)s, n, &i, unit);
        sink_put(&sk, unit, k);
    }
    sink_put(&sk, "\"", 1);
    if (sk.fits)
        dst[sk.need] = '\0';
    else if (sk.cap > 0)
        dst[0] = '\0';
    return sk.need;
}

static void put(vb_json_out *o, const void *p, size_t k)
{
    if (o->overflow) return;
    if (k > o->cap - o->len) {
        o->overflow = true;
        return;
    }
    memcpy(o->buf + o->len, p, k);
    o->len += k;
}

static void put_string(vb_json_out *o, const char *s, size_t n)
{
    const uint8_t *u = (const uint8_t *)s;
    char unit[6];
    put(o, "\"", 1);
    for (size_t i = 0; i < n && !o->overflow;) {
        size_t k = escape_unit(u, n, &i, unit);
        put(o, unit, k);
    }
    put(o, "\"", 1);
}

static void put_key(vb_json_out *o, const char *key)
{
    if (!o->first) put(o, ",", 1);
    o->first = false;
    if (!key) key = "";
    put_string(o, key, strlen(key));
    put(o, ":", 1);
}

void vb_json_begin(vb_json_out *o, char *buf, size_t cap)
{
    *o = (vb_json_out){ buf, buf ? cap : 0, 0, false, true };
    put(o, "{", 1);
}

void vb_json_str(vb_json_out *o, const char *key, const char *val)
{
    vb_json_strn(o, key, val, val ? strlen(val) : 0);
}

void vb_json_strn(vb_json_out *o, const char *key, const char *val, size_t n)
{
    put_key(o, key);
    if (val)
        put_string(o, val, n);
    else
        put(o, "null", 4);
}

void vb_json_int(vb_json_out *o, const char *key, long long v)
{
    char tmp[32];
    int k = snprintf(tmp, sizeof tmp, "%lld", v);
    put_key(o, key);
    put(o, tmp, (size_t)k);
}

void vb_json_uint(vb_json_out *o, const char *key, unsigned long long v)
{
    char tmp[32];
    int k = snprintf(tmp, sizeof tmp, "%llu", v);
    put_key(o, key);
    put(o, tmp, (size_t)k);
}

void vb_json_bool(vb_json_out *o, const char *key, bool v)
{
    put_key(o, key);
    put(o, v ? "true" : "false", v ? 4 : 5);
}

void vb_json_null(vb_json_out *o, const char *key)
{
    put_key(o, key);
    put(o, "null", 4);
}

void vb_json_raw(vb_json_out *o, const char *key, const char *json)
{
    if (!json) json = "null";
    put_key(o, key);
    put(o, json, strlen(json));
}

size_t vb_json_end(vb_json_out *o)
{
    /* "}\n" and the NUL must all fit, or the line is refused whole */
    if (!o->overflow && o->cap - o->len >= 3) {
        memcpy(o->buf + o->len, "}\n", 3);
        o->len += 2;
        return o->len;
    }
    o->overflow = true;
    if (o->cap > 0) o->buf[0] = '\0';
    return 0;
}
