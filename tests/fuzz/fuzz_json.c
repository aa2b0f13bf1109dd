/* libFuzzer target for the control channel's JSON lines (src/util/json.h).
 *
 * Each input is used twice:
 *   1. as a request line for vb_json_parse. A refusal must leave n == 0 and
 *      a sentence naming a byte offset inside the input; an acceptance must
 *      give fields that hold the parser's promises (keys unique and found by
 *      vb_json_get, strings well-formed UTF-8 without NULs, inside buf,
 *      numbers finite), and writing those fields back out and parsing the
 *      line again must give the same fields (numbers as %.17g, exact).
 *   2. as a string value for the writer, at several capacities with a
 *      canary behind the buffer: nothing may be written past cap, a line
 *      that fits must parse back (unless it holds a NUL, which must then be
 *      refused as \u0000), and ASCII must come back unchanged.
 * Any broken promise aborts.
 *
 * Build: make fuzz (clang -fsanitize=fuzzer). Without libFuzzer, compile
 * with -DVB_FUZZ_MAIN to get a main() that runs the files named on the
 * command line. */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

#define CANARY 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what)
{
    fprintf(stderr, "fuzz_json: %s\n", what);
    abort();
}

/* Well-formed UTF-8 by the code point ranges (an independent check of the
 * parser's own validator). */
static bool utf8_ok(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t len = s[i] < 0x80 ? 1 : s[i] >> 5 == 6 ? 2 : s[i] >> 4 == 14 ? 3 : s[i] >> 3 == 30 ? 4 : 0;
        if (len == 0 || i + len > n) return false;
        uint32_t cp = len == 1 ? s[i] : len == 2 ? s[i] & 31u : len == 3 ? s[i] & 15u : s[i] & 7u;
        for (size_t j = 1; j < len; j++) {
            if ((s[i + j] & 0xC0) != 0x80) return false;
            cp = cp << 6 | (s[i + j] & 63u);
        }
        static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
        if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

static void check_inside(const vb_json_obj *o, const char *s)
{
    if (s < o->buf || s >= o->buf + sizeof o->buf) die("pointer outside the object's buffer");
    size_t room = (size_t)(o->buf + sizeof o->buf - s);
    if (!memchr(s, '\0', room)) die("string not NUL-terminated inside the buffer");
    if (!utf8_ok((const uint8_t *)s, strlen(s))) die("decoded text is not well-formed UTF-8");
}

static void check_refusal(const vb_json_obj *o, const char *err, size_t size)
{
    if (o->n != 0) die("refusal left fields");
    const char *at = strstr(err, " at byte ");
    if (!at) die("refusal sentence names no byte");
    unsigned long long off = strtoull(at + 9, NULL, 10);
    if (off > size) die("refusal names a byte past the input");
}

static void check_fields(const vb_json_obj *o)
{
    if (o->n > VB_JSON_MAX_FIELDS) die("too many fields");
    for (unsigned i = 0; i < o->n; i++) {
        const vb_json_field *f = &o->f[i];
        check_inside(o, f->key);
        for (unsigned j = 0; j < i; j++)
            if (strcmp(o->f[j].key, f->key) == 0) die("duplicate key accepted");
        if (vb_json_get(o, f->key) != f) die("vb_json_get does not find the field");
        switch (f->type) {
        case VB_JSON_STRING: check_inside(o, f->str); break;
        case VB_JSON_NUMBER: if (!isfinite(f->num)) die("number not finite"); break;
        case VB_JSON_BOOL: case VB_JSON_NULL: break;
        default: die("bad type");
        }
    }
}

static void rewrite(const vb_json_obj *o, vb_json_out *w, char *line, size_t cap)
{
    vb_json_begin(w, line, cap);
    for (unsigned i = 0; i < o->n; i++) {
        const vb_json_field *f = &o->f[i];
        char num[40];
        switch (f->type) {
        case VB_JSON_STRING: vb_json_str(w, f->key, f->str); break;
        case VB_JSON_NUMBER:
            snprintf(num, sizeof num, "%.17g", f->num);
            vb_json_raw(w, f->key, num);
            break;
        case VB_JSON_BOOL: vb_json_bool(w, f->key, f->b); break;
        case VB_JSON_NULL: vb_json_null(w, f->key); break;
        }
    }
}

static void same_fields(const vb_json_obj *a, const vb_json_obj *b)
{
    if (a->n != b->n) die("round trip: field count differs");
    for (unsigned i = 0; i < a->n; i++) {
        const vb_json_field *x = &a->f[i], *y = &b->f[i];
        if (strcmp(x->key, y->key) != 0 || x->type != y->type) die("round trip: key or type differs");
        if (x->type == VB_JSON_STRING && strcmp(x->str, y->str) != 0) die("round trip: string differs");
        if (x->type == VB_JSON_NUMBER && (x->num != y->num || !!signbit(x->num) != !!signbit(y->num)))
            die("round trip: number differs");
        if (x->type == VB_JSON_BOOL && x->b != y->b) die("round trip: bool differs");
    }
}

static void parse_side(const uint8_t *data, size_t size, vb_json_obj *o, vb_json_obj *o2, char *line, size_t cap)
{
    char err[200] = "";
    if (vb_json_parse((const char *)data, size, o, err, sizeof err) != 0) {
        check_refusal(o, err, size);
        return;
    }
    check_fields(o);
    vb_json_out w;
    rewrite(o, &w, line, cap);
    size_t n = vb_json_end(&w);
    if (n == 0) die("rewritten object does not fit");
    if (vb_json_parse(line, n, o2, err, sizeof err) != 0) die("rewritten object refused");
    same_fields(o, o2);
}

static void writer_side(const uint8_t *data, size_t size, vb_json_obj *o, char *line, size_t full_cap)
{
    bool has_nul = memchr(data, 0, size) != NULL;
    bool ascii = true;
    for (size_t i = 0; i < size; i++)
        if (data[i] >= 0x80) ascii = false;
    size_t need = vb_json_escape(NULL, 0, (const char *)data, size);
    size_t want_len = 5 + need + 2;              /* {"v": + string + }\n */
    size_t caps[4] = { want_len + 1, want_len, size % (want_len + 1), full_cap };
    for (int c = 0; c < 4; c++) {
        size_t cap = caps[c];
        if (cap > full_cap) die("harness: cap too large");
        memset(line, 0xA5, cap + CANARY);
        vb_json_out w;
        vb_json_begin(&w, line, cap);
        vb_json_strn(&w, "v", (const char *)data, size);
        size_t n = vb_json_end(&w);
        for (size_t i = cap; i < cap + CANARY; i++)
            if ((uint8_t)line[i] != 0xA5) die("writer wrote past cap");
        if (cap < want_len + 1) {
            if (n != 0) die("writer claims a line that cannot fit");
            continue;
        }
        if (n != want_len) die("writer length differs from vb_json_escape's");
        char err[200];
        int rc = vb_json_parse(line, n, o, err, sizeof err);
        if (has_nul) {
            if (rc == 0 || !strstr(err, "\\u0000")) die("a NUL came back or was refused for another reason");
            continue;
        }
        if (rc != 0) die("writer output refused by the parser");
        if (ascii && (strlen(o->f[0].str) != size || memcmp(o->f[0].str, data, size) != 0))
            die("ASCII did not come back unchanged");
    }
    /* vb_json_escape at a cap cut short and exact */
    memset(line, 0xA5, need + 1 + CANARY);
    size_t cut = size % (need + 2);
    if (vb_json_escape(line, cut, (const char *)data, size) != need) die("escape length varies with cap");
    for (size_t i = cut; i < need + 1 + CANARY; i++)
        if ((uint8_t)line[i] != 0xA5) die("escape wrote past cap");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384) return 0;
    vb_json_obj *o = malloc(sizeof *o), *o2 = malloc(sizeof *o2);
    size_t cap = 6 * size + 64 + 8 * sizeof o->buf;  /* any escaped input, or a rewritten object */
    char *line = malloc(cap + CANARY);
    if (!o || !o2 || !line) abort();
    parse_side(data, size, o, o2, line, cap);
    writer_side(data, size, o, line, cap);
    free(o);
    free(o2);
    free(line);
    return 0;
}

#define VB_FUZZ_REPLAY_MAX (1 << 16)
#include "replay_main.h"
