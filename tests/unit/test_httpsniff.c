/* Unit tests: the network port's protocol gate (src/link/httpsniff.h) —
 * HTTP requests refused however the bytes are split, REPL input that only
 * looks like HTTP passed through whole and in order, the "Host:" window. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "link/httpsniff.h"

/* Feed `in` in pieces cut at the given points (sorted, < n); returns 1 when
 * refused, else 0 with the bytes passed to the board in out/out_len. */
static int feed_split(const char *in, const size_t *cuts, size_t ncuts, uint8_t *out, size_t *out_len)
{
    vb_sniff g;
    vb_sniff_start(&g);
    size_t n = strlen(in), at = 0, k = 0;
    for (size_t c = 0; c <= ncuts; c++) {
        size_t end = c < ncuts ? cuts[c] : n;
        uint8_t piece[4096];
        size_t got;
        if (!vb_sniff_feed(&g, (const uint8_t *)in + at, end - at, piece, &got)) return 1;
        memcpy(out + k, piece, got);
        k += got;
        at = end;
    }
    *out_len = k;
    return 0;
}

/* Every single cut and every pair of cuts give the same verdict; a passed
 * input comes out whole (held bytes released by its line end). */
static void check_all_splits(const char *in, int want_refused)
{
    size_t n = strlen(in);
    uint8_t out[4096];
    size_t len;
    int bad = 0;
    for (size_t i = 0; i <= n; i++)
        for (size_t j = i; j <= n; j++) {
            size_t cuts[2] = {i, j};
            int r = feed_split(in, cuts, 2, out, &len);
            if (r != want_refused) bad++;
            else if (!r && (len != n || memcmp(out, in, n) != 0)) bad++;
        }
    if (bad) fprintf(stderr, "  input %s: %d bad splits\n", in, bad);
    CHECK_EQ(bad, 0);
}

static void test_requests_refused(void)
{
    check_all_splits("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 1);
    check_all_splits("POST / HTTP/1.1\r\nContent-Length: 13\r\n\r\nprint('pwn')\n", 1);
    check_all_splits("OPTIONS * HTTP/1.1\r\n", 1);
    check_all_splits("Host: x\r\n", 1);
    check_all_splits("x = 1\r\nhOsT: y\r\n", 1);          /* a later line, any case */
}

static void test_repl_input_passes(void)
{
    check_all_splits("\r\x01print('GET it')\r\x04", 0);
    check_all_splits("print(\"GET it\")\r", 0);
    check_all_splits("GETX = 3\r", 0);                       /* a method needs its space */
    check_all_splits("x = 0\rPOST = 5\r", 0);              /* after the first line */
    check_all_splits("POST = 5\r", 1);                       /* on it, it reads as a request */
    check_all_splits("hostname = 4\r", 0);
    check_all_splits("x = 1\rGET = 2\r", 0);                 /* methods count on the first line only */
    check_all_splits("get / http\r", 0);                     /* methods are case-sensitive */
}

static void test_window_ends(void)
{
    /* past VB_SNIFF_WINDOW bytes a Host: line is the user's business */
    size_t fill = VB_SNIFF_WINDOW + 10;
    char *in = malloc(fill + 16);
    memset(in, 'a', fill);
    in[0] = 'x';
    in[fill - 1] = '\r';
    strcpy(in + fill, "Host: late\r");
    uint8_t out[4096];
    size_t len;
    size_t cut = 0;
    CHECK_EQ(feed_split(in, &cut, 0, out, &len), 0);
    CHECK_EQ(len, strlen(in));
    free(in);
}

int main(void)
{
    RUN(test_requests_refused);
    RUN(test_repl_input_passes);
    RUN(test_window_ends);
    return CHECK_DONE();
}
