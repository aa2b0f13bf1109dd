/* The serial output of a board under test (cli_test.h): one buffer of
 * what the board sent and is still kept, the read position wait-serial
 * steps start from, and the cut an exec makes of its own bytes. Memory is
 * bounded: consumed bytes are dropped, and unread ones beyond KEEP_MAX. */
#include "cli_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEEP_MAX (16u << 20)               /* serial bytes kept unread at most */

int tb_keep(tb_board *b, const char *data, size_t n)
{
    if (b->pos > (1u << 20) && b->pos > b->len / 2) {   /* consumed bytes go */
        memmove(b->buf, b->buf + b->pos, b->len - b->pos);
        b->len -= b->pos;
        b->pos = 0;
    }
    if (b->len + n > KEEP_MAX) {                        /* the oldest unread go too */
        size_t drop = b->len + n - KEEP_MAX / 2;
        drop = drop > b->len ? b->len : drop;
        memmove(b->buf, b->buf + drop, b->len - drop);
        b->len -= drop;
        b->pos = b->pos > drop ? b->pos - drop : 0;
        b->dropped += drop;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + n) cap *= 2;
        char *nb = realloc(b->buf, cap);
        if (!nb) return -1;
        b->buf = nb;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, data, n);
    b->len += n;
    return 0;
}

long tb_find(const tb_board *b, size_t from, const char *text, size_t n)
{
    if (from > b->len || n == 0 || b->len - from < n) return -1;
    const char *p = memmem(b->buf + from, b->len - from, text, n);
    return p ? (long)(p - b->buf) : -1;
}

void tb_cut(tb_board *b, size_t from, size_t to)
{
    if (to > b->len) to = b->len;
    if (from >= to) return;
    memmove(b->buf + from, b->buf + to, b->len - to);
    b->len -= to - from;
    if (b->pos > to) b->pos -= to - from;
    else if (b->pos > from) b->pos = from;
}

void tb_tail(const tb_board *b, size_t from, size_t max, char *out, size_t cap)
{
    size_t start = b->len - from > max ? b->len - max : from, o = 0;
    if (start > from && cap > 4) o += (size_t)snprintf(out, cap, "...");
    for (size_t i = start; i < b->len && o + 5 < cap; i++) {
        unsigned char c = (unsigned char)b->buf[i];
        if (c == '\r') o += (size_t)snprintf(out + o, cap - o, "\\r");
        else if (c == '\n') o += (size_t)snprintf(out + o, cap - o, "\\n");
        else if (c == '"' || c == '\\') o += (size_t)snprintf(out + o, cap - o, "\\%c", c);
        else o += (size_t)snprintf(out + o, cap - o, c >= 0x20 && c < 0x7f ? "%c" : "\\x%02x", c);
    }
    out[o < cap ? o : cap - 1] = '\0';
}

