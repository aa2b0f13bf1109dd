/* exec and file reads for `vboard test` through the board's raw REPL, as
 * pyboard.py and mpremote do it (repl.md §3, §6): Ctrl-C twice to stop
 * what runs, Ctrl-A, the raw banner, the code and Ctrl-D, "OK", stdout up
 * to \x04, the traceback up to \x04, ">"; then Ctrl-B back to the friendly
 * REPL and its prompt. The bytes of the exchange are taken out of the
 * serial buffer afterwards, so output the board sent before it stays
 * there for later wait-serial steps. Plain raw mode (not raw-paste): a
 * scenario's code is small and the pty carries back-pressure. */
#include "cli_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAW_BANNER "raw REPL; CTRL-B to exit\r\n>"
#define FRIENDLY_PROMPT ">>> "
#define CTRL_C "\x03"
#define CTRL_A "\x01"
#define CTRL_B "\x02"
#define CTRL_D "\x04"

/* Wait for token at or after *at; *at becomes the offset just past it. */
typedef struct token_wait {
    size_t at;
    const char *token;
    size_t len;
    long found;
} token_wait;

static bool token_seen(tb_board *b, void *ctx)
{
    token_wait *t = ctx;
    t->found = tb_find(b, t->at, t->token, t->len);
    return t->found >= 0;
}

static tb_wait_rc expect(tb_board *b, size_t *at, const char *token, const char *what, char *why, size_t whylen)
{
    token_wait t = {*at, token, strlen(token), -1};
    char err[300];
    tb_wait_rc rc = tb_wait(b, token_seen, &t, 0, err, sizeof err);
    if (rc == TB_MET) {
        *at = (size_t)t.found + t.len;
        return TB_MET;
    }
    char tail[200];
    tb_tail(b, *at, 120, tail, sizeof tail);
    snprintf(why, whylen, "waiting for %s: %s; the board sent \"%s\"", what, err, tail);
    return rc;
}

/* buf[from..to) with "\r\n" as "\n", malloc'd and NUL-terminated. */
static char *text_between(const tb_board *b, size_t from, size_t to, size_t *len)
{
    char *s = malloc(to - from + 1);
    size_t n = 0;
    for (size_t i = from; s && i < to; i++)
        if (!(b->buf[i] == '\r' && i + 1 < to && b->buf[i + 1] == '\n')) s[n++] = b->buf[i];
    if (s) s[n] = '\0';
    if (len) *len = n;
    return s;
}

tb_wait_rc tb_exec(tb_board *b, const char *code, size_t len, char **out, size_t *out_len, char **err_text,
                   char *why, size_t whylen)
{
    *out = *err_text = NULL;
    size_t start = b->len, at = start;
    char werr[300];
    /* stop a running program, then the raw REPL */
    if (tb_write(b, "\r" CTRL_C CTRL_C, 3, werr, sizeof werr) < 0 || tb_write(b, CTRL_A, 1, werr, sizeof werr) < 0) {
        snprintf(why, whylen, "%s", werr);
        return TB_FAILED;
    }
    tb_wait_rc rc = expect(b, &at, RAW_BANNER, "the raw REPL", why, whylen);
    if (rc != TB_MET) return rc;
    if (tb_write(b, code, len, werr, sizeof werr) < 0 || tb_write(b, CTRL_D, 1, werr, sizeof werr) < 0) {
        snprintf(why, whylen, "%s", werr);
        return TB_FAILED;
    }
    if ((rc = expect(b, &at, "OK", "the raw REPL's OK", why, whylen)) != TB_MET) return rc;
    size_t out_from = at;
    if ((rc = expect(b, &at, CTRL_D, "the end of the output", why, whylen)) != TB_MET) return rc;
    size_t err_from = at;
    if ((rc = expect(b, &at, CTRL_D, "the end of the error text", why, whylen)) != TB_MET) return rc;
    size_t err_to = at - 1;
    /* ">" (or, after a SystemExit, the soft reboot and the raw banner's ">") */
    if ((rc = expect(b, &at, ">", "the raw prompt", why, whylen)) != TB_MET) return rc;
    *out = text_between(b, out_from, err_from - 1, out_len);
    *err_text = text_between(b, err_from, err_to, NULL);
    if (!*out || !*err_text) {
        free(*out);
        free(*err_text);
        *out = *err_text = NULL;
        snprintf(why, whylen, "out of memory");
        return TB_FAILED;
    }
    if (tb_write(b, "\r" CTRL_B, 2, werr, sizeof werr) < 0) {
        snprintf(why, whylen, "%s", werr);
        rc = TB_FAILED;
    } else {
        rc = expect(b, &at, FRIENDLY_PROMPT, "the friendly prompt after Ctrl-B", why, whylen);
    }
    if (rc == TB_MET) tb_cut(b, start, at);
    else {
        free(*out);
        free(*err_text);
        *out = *err_text = NULL;
    }
    return rc;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

tb_wait_rc tb_read_file(tb_board *b, const char *path, char **data, size_t *len, char **err_text, char *why,
                        size_t whylen)
{
    /* The path travels as a bytes literal of \x escapes (any name, no
     * quoting), the content back as hex lines, 256 bytes each. */
    size_t plen = strlen(path);
    char *code = malloc(plen * 4 + 300);
    if (!code) {
        snprintf(why, whylen, "out of memory");
        return TB_FAILED;
    }
    size_t n = (size_t)sprintf(code, "import binascii\nwith open(b'");
    for (size_t i = 0; i < plen; i++) n += (size_t)sprintf(code + n, "\\x%02x", (unsigned char)path[i]);
    n += (size_t)sprintf(code + n, "'.decode(), 'rb') as f:\n"
                                   " while True:\n"
                                   "  b = f.read(256)\n"
                                   "  if not b:\n"
                                   "   break\n"
                                   "  print(binascii.hexlify(b).decode())\n");
    char *out;
    size_t out_len;
    tb_wait_rc rc = tb_exec(b, code, n, &out, &out_len, err_text, why, whylen);
    free(code);
    *data = NULL;
    *len = 0;
    if (rc != TB_MET) return rc;
    char *bytes = malloc(out_len / 2 + 1);
    size_t k = 0;
    for (size_t i = 0; bytes && i < out_len; i++) {
        if (out[i] == '\n') continue;
        int hi = hexval(out[i]), lo = i + 1 < out_len ? hexval(out[i + 1]) : -1;
        if (hi < 0 || lo < 0) {
            snprintf(why, whylen, "the board's answer is not hex: \"%.40s\"", out + i);
            free(bytes);
            free(out);
            return TB_FAILED;
        }
        bytes[k++] = (char)(hi * 16 + lo);
        i++;
    }
    free(out);
    if (!bytes) {
        snprintf(why, whylen, "out of memory");
        return TB_FAILED;
    }
    *data = bytes;
    *len = k;
    return TB_MET;
}
