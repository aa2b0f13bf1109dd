/* JSON lines for the supervisor's control channel: a strict parser for one
 * flat request object, a reader that picks named members out of a reply
 * object of any size, and a writer of one reply/event object per line.
 *
 * Deliberately small: a request is a flat object of strings, numbers,
 * booleans and nulls (RFC 8259 grammar, strict UTF-8); anything else is
 * refused with a sentence that names the byte offset, so a client sees what
 * was wrong. A reply may hold any number of members and nested arrays and
 * objects (it grows with the board); its reader checks all of it and keeps
 * only the top-level members it was asked for. The writer never writes past
 * the caller's buffer; an object that does not fit is reported once, at
 * vb_json_end.
 *
 * Pure: no I/O, no global state, no allocation. */
#ifndef VB_UTIL_JSON_H
#define VB_UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>

/* ---- parser ------------------------------------------------------------ */

/* The most members a vb_json_obj holds: every member of a request (which
 * has "cmd" and at most three more), or the members vb_json_parse_keys was
 * asked to keep. Never the size of a reply: a reply is read with
 * vb_json_parse_keys, so it can grow without its readers changing. */
#define VB_JSON_MAX_FIELDS 16

/* How deep vb_json_parse_keys follows arrays and objects, the outer object
 * included (a bound on its recursion). */
#define VB_JSON_MAX_DEPTH 32

/* Numbers longer than this many characters are refused (a request never
 * needs one; it bounds the copy strtod works on). */
#define VB_JSON_MAX_NUMBER_LEN 511

typedef enum vb_json_type { VB_JSON_STRING, VB_JSON_NUMBER, VB_JSON_BOOL, VB_JSON_NULL } vb_json_type;

typedef struct vb_json_field {
    const char *key;       /* NUL-terminated, decoded, points into the object's buffer */
    vb_json_type type;
    const char *str;       /* STRING: decoded UTF-8, NUL-terminated (no embedded NULs allowed: \u0000 is an error);
                              NULL for the other types */
    double num;            /* NUMBER (finite); 0 for the other types */
    bool b;                /* BOOL; false for the other types */
} vb_json_field;

/* One parsed object. key and str point into buf, so the fields are valid
 * as long as this struct is, at this address (a copy by value still points
 * into the original's buf). Fields are in document order. */
typedef struct vb_json_obj {
    vb_json_field f[VB_JSON_MAX_FIELDS];
    unsigned n;
    char buf[4096];        /* decoded keys and strings, each followed by its NUL */
} vb_json_obj;

/* Parse text[0..len) as one JSON object whose values are strings, numbers,
 * true, false or null.
 *
 * Accepted: whitespace (space, tab, LF, CR) before and after the object and
 * between tokens; string escapes \" \\ \/ \b \f \n \r \t and \uXXXX (either
 * hex case; a surrogate pair gives one code point); raw UTF-8 in strings;
 * numbers per RFC 8259 §6 (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?),
 * converted with strtod (underflow rounds towards 0).
 *
 * Refused: nested objects and arrays, duplicate keys, more than
 * VB_JSON_MAX_FIELDS members, decoded keys and strings (with one NUL each)
 * over sizeof buf, unknown escapes, \u0000, lone or reversed surrogates,
 * control characters (< 0x20) in strings, invalid UTF-8 (overlong forms,
 * encoded surrogates, beyond U+10FFFF, truncated sequences), NaN, Infinity,
 * hex, a leading '+' or leading zeros, numbers whose magnitude overflows a
 * double or longer than VB_JSON_MAX_NUMBER_LEN, a missing closing brace,
 * trailing bytes after the object (a NUL byte included).
 *
 * Returns 0, or -1 with a one-sentence reason in err naming the 0-based byte
 * offset (e.g. "expected ':' after key at byte 12"); on -1 out->n is 0.
 * err may be NULL; text may be NULL when len is 0. */
int vb_json_parse(const char *text, size_t len, vb_json_obj *out, char *err, size_t errlen);

/* Read a reply: parse text[0..len) as one JSON object with any number of
 * members, whose values may also be arrays and objects nested up to
 * VB_JSON_MAX_DEPTH deep, and keep in out only the top-level members whose
 * keys are in keys (a NULL-terminated list of at most VB_JSON_MAX_FIELDS
 * keys; absent ones are simply not there).
 *
 * All of the text is checked with vb_json_parse's grammar, refusals and
 * sentences (strings, escapes, UTF-8, numbers, trailing bytes), inside
 * arrays and objects too, except that duplicate keys are refused only among
 * the kept members. Also refused: an array or object as the value of a kept
 * member (only strings, numbers, true, false and null are kept), and
 * nesting deeper than VB_JSON_MAX_DEPTH. Only kept keys and strings take
 * room in out->buf (and each top-level key while it is compared), so a text
 * no longer than sizeof out->buf always fits.
 *
 * Returns 0, or -1 with a sentence in err naming the byte offset; on -1
 * out->n is 0. */
int vb_json_parse_keys(const char *text, size_t len, const char *const *keys, vb_json_obj *out,
                       char *err, size_t errlen);

/* The field named key (compared byte for byte), or NULL if absent. */
const vb_json_field *vb_json_get(const vb_json_obj *o, const char *key);

/* ---- writer ------------------------------------------------------------ */

/* One object being written into buf[0..cap). len counts the bytes written
 * so far and never exceeds cap; once a member does not fit, overflow is set
 * and every later call does nothing. first: no member written yet (no comma
 * before the next one). */
typedef struct vb_json_out { char *buf; size_t cap, len; bool overflow, first; } vb_json_out;

/* Start an object: "{". */
void vb_json_begin(vb_json_out *o, char *buf, size_t cap);

/* Members "key":value. Keys are escaped as strings are.
 *
 * Strings escape '"' and '\\', write control characters (< 0x20) as \u00XX,
 * copy bytes >= 0x80 when they form valid UTF-8 (as the parser defines it)
 * and write each byte that does not start a valid sequence as \ufffd.
 * A NULL val writes null. */
void vb_json_str(vb_json_out *o, const char *key, const char *val);
/* The same with an explicit length: val may hold NULs (written as \u0000,
 * which vb_json_parse refuses: such strings are for other readers). */
void vb_json_strn(vb_json_out *o, const char *key, const char *val, size_t n);
void vb_json_int(vb_json_out *o, const char *key, long long v);
void vb_json_uint(vb_json_out *o, const char *key, unsigned long long v);
void vb_json_bool(vb_json_out *o, const char *key, bool v);
void vb_json_null(vb_json_out *o, const char *key);
/* An already-encoded value (array, object, number), copied unchecked.
 * NULL writes null. */
void vb_json_raw(vb_json_out *o, const char *key, const char *json);

/* Finish: "}\n" and a NUL. Returns the line's length (with the '\n',
 * without the NUL), or 0 if anything did not fit; then buf holds "" when
 * cap > 0. Never writes past cap. */
size_t vb_json_end(vb_json_out *o);

/* Encode s[0..n) as a quoted JSON string ("..." with the escapes of
 * vb_json_strn) into dst, NUL-terminated, to build arrays for vb_json_raw.
 * Returns the encoding's length without the NUL, as snprintf does: when
 * that is >= cap nothing usable was written (dst is "" if cap > 0).
 * dst may be NULL when cap is 0, to measure. */
size_t vb_json_escape(char *dst, size_t cap, const char *s, size_t n);

#endif
