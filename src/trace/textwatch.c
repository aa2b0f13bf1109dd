/* Knuth-Morris-Pratt over a byte stream (textwatch.h). */
#include "textwatch.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int vb_textwatch_init(vb_textwatch *w, const char *pattern, size_t len)
{
    *w = (vb_textwatch){ 0 };
    if (len == 0) {
        w->matched = true;
        return 0;
    }
    if (!pattern) return -EINVAL;
    if (len > SIZE_MAX / sizeof *w->next) return -ENOMEM;
    w->pat = malloc(len);
    w->next = malloc(len * sizeof *w->next);
    if (!w->pat || !w->next) {
        vb_textwatch_free(w);
        return -ENOMEM;
    }
    memcpy(w->pat, pattern, len);
    w->len = len;
    /* the failure table: k is the border of pat[0..i-1] being extended */
    w->next[0] = 0;
    size_t k = 0;
    for (size_t i = 1; i < len; i++) {
        while (k > 0 && w->pat[i] != w->pat[k]) k = w->next[k - 1];
        if (w->pat[i] == w->pat[k]) k++;
        w->next[i] = k;
    }
    return 0;
}

bool vb_textwatch_feed(vb_textwatch *w, const uint8_t *buf, size_t n)
{
    if (w->matched) return true;
    size_t s = w->state;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = buf[i];
        while (s > 0 && c != w->pat[s]) s = w->next[s - 1];
        if (c == w->pat[s] && ++s == w->len) {
            w->matched = true;
            break;
        }
    }
    w->state = s;
    return w->matched;
}

void vb_textwatch_free(vb_textwatch *w)
{
    free(w->pat);
    free(w->next);
    *w = (vb_textwatch){ 0 };
}
