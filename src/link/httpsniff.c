/* The protocol gate (httpsniff.h). */
#include "httpsniff.h"

#include <assert.h>
#include <string.h>

/* The first line's HTTP methods (case-sensitive, as browsers send them). */
static const char *const http_methods[] = {"GET ", "POST ", "PUT ", "HEAD ", "OPTIONS ",
                                           "DELETE ", "PATCH ", "CONNECT ", "TRACE "};
static const char host_header[] = "host:";      /* any line, any case */

static bool prefix_of(const uint8_t *p, size_t n, const char *pat, bool fold)
{
    size_t m = strlen(pat);
    if (n > m) n = m;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = fold && p[i] >= 'A' && p[i] <= 'Z' ? (uint8_t)(p[i] - 'A' + 'a') : p[i];
        if (c != (uint8_t)pat[i]) return false;
    }
    return true;
}

/* What `p` (the start of a line) is: 1 a whole pattern (HTTP), 0 the
 * beginning of one (undecided), -1 neither (safe). */
static int line_match(const uint8_t *p, size_t n, bool first_line)
{
    int r = -1;
    const char *pats[sizeof http_methods / sizeof http_methods[0] + 1];
    size_t np = 0;
    pats[np++] = host_header;
    if (first_line)
        for (size_t i = 0; i < sizeof http_methods / sizeof http_methods[0]; i++) pats[np++] = http_methods[i];
    for (size_t i = 0; i < np; i++) {
        if (!prefix_of(p, n, pats[i], pats[i] == host_header)) continue;
        if (n >= strlen(pats[i])) return 1;
        r = 0;
    }
    return r;
}

void vb_sniff_start(vb_sniff *g)
{
    *g = (vb_sniff){.active = true, .first_line = true, .line_start = true};
}

bool vb_sniff_feed(vb_sniff *g, const uint8_t *in, size_t n, uint8_t *out, size_t *out_len)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = in[i];
        bool eol = c == '\r' || c == '\n';
        if (!g->active) {
            out[k++] = c;
            continue;
        }
        if (g->line_start || g->held_len) {
            assert(g->held_len < VB_SNIFF_HOLD);
            g->held[g->held_len++] = c;
            int m = eol ? -1 : line_match(g->held, g->held_len, g->first_line);
            if (m > 0) return false;
            if (m == 0) {
                g->line_start = false;
                g->seen++;
                continue;
            }
            memcpy(out + k, g->held, g->held_len);
            k += g->held_len;
            g->held_len = 0;
        } else {
            out[k++] = c;
        }
        g->seen++;
        g->line_start = eol;
        if (eol) g->first_line = false;
        if (g->seen >= VB_SNIFF_WINDOW && !g->held_len) g->active = false;
    }
    *out_len = k;
    return true;
}
