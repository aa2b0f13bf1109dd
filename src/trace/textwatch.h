/* Streaming substring matcher for CI mode (`--expect-text`, `--fail-text`):
 * the supervisor feeds every byte the board writes to its serial line, in
 * whatever pieces the line delivers, and learns when a text has appeared.
 *
 * Knuth-Morris-Pratt: one pass, constant work per byte on average, no
 * buffering of output, and a match split across any feed boundaries is
 * found. Bytes are compared exactly (binary-safe, no NUL handling). */
#ifndef VB_TRACE_TEXTWATCH_H
#define VB_TRACE_TEXTWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vb_textwatch {
    uint8_t *pat;      /* a copy of the pattern (NULL when len is 0) */
    size_t len;
    size_t *next;      /* next[i]: length of the longest proper prefix of
                          pat[0..i] that is also its suffix (the KMP table) */
    size_t state;      /* pattern bytes matched by the end of the input so far */
    bool matched;      /* sticky: the pattern has appeared */
} vb_textwatch;

/* Watch for pattern[0..len) (copied; it may hold any bytes, NUL included).
 * 0, -ENOMEM, or -EINVAL when pattern is NULL and len > 0. A pattern of
 * length 0 is matched at once. On failure *w is zeroed (and not matched). */
int vb_textwatch_init(vb_textwatch *w, const char *pattern, size_t len);

/* Feed the next n bytes of the stream (buf may be NULL when n is 0).
 * Returns true once the pattern has appeared anywhere in all bytes fed so
 * far, and from then on (later bytes are not examined). */
bool vb_textwatch_feed(vb_textwatch *w, const uint8_t *buf, size_t n);

/* Release the copies; *w may be re-initialised. Safe on a zeroed struct
 * and twice. */
void vb_textwatch_free(vb_textwatch *w);

#endif
