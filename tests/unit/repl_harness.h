/* Shared helpers for the REPL unit tests: a board stub that captures the
 * REPL's output, feeds byte strings, records actions and compares output
 * byte-exactly, printing both sides escaped on a mismatch. */
#ifndef VB_TEST_REPL_HARNESS_H
#define VB_TEST_REPL_HARNESS_H

#include <stdlib.h>

#include "check.h"
#include "repl/repl.h"
#include "repl/repl_bytes.h"

typedef struct tboard {
    uint8_t *out;
    size_t len, cap;
    vb_repl *r;
    vb_repl_action acts[16]; /* non-NONE actions of the last feed, in order */
    size_t nacts;
    const char *const *names;   /* completion: globals / attributes / modules */
    const char *const *modules;
    bool resolve_fail;
    char last_obj[256];
} tboard;

static inline void tb_write(void *ctx, const uint8_t *buf, size_t n)
{
    tboard *b = ctx;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n)
            cap *= 2;
        b->out = realloc(b->out, cap);
        b->cap = cap;
    }
    memcpy(b->out + b->len, buf, n);
    b->len += n;
}

static inline bool tb_complete(void *ctx, const char *obj, bool import_ctx, vb_repl *r)
{
    tboard *b = ctx;
    snprintf(b->last_obj, sizeof b->last_obj, "%s%s", import_ctx ? "import:" : "", obj);
    if (b->resolve_fail)
        return false;
    const char *const *list = import_ctx ? b->modules : b->names;
    for (size_t i = 0; list && list[i]; i++)
        vb_repl_candidate(r, list[i], strlen(list[i]));
    return true;
}

static const char *const tb_default_names[] = {"x", "xyz", "os", NULL};
static const char *const tb_default_modules[] = {"sys", "machine", "select", "socket", "struct", "os", "time", NULL};

static inline void tb_init_opts(tboard *b, vb_repl_mode mode, bool ctrl_f_safe_boot)
{
    memset(b, 0, sizeof *b);
    b->names = tb_default_names;
    b->modules = tb_default_modules;
    vb_repl_config cfg = {
        .write = tb_write, .write_ctx = b, .complete = tb_complete, .complete_ctx = b,
        .version = "v1.24.0", .build_date = "2024-11-29", .board = "vboard", .mcu = "CPython",
        .mode = mode, .ctrl_f_safe_boot = ctrl_f_safe_boot,
    };
    b->r = vb_repl_new(&cfg);
}

static inline void tb_init(tboard *b, vb_repl_mode mode) { tb_init_opts(b, mode, false); }

static inline void tb_free(tboard *b)
{
    vb_repl_free(b->r);
    free(b->out);
    b->r = NULL;
    b->out = NULL;
}

/* Feeds n bytes; returns the last non-NONE action (NONE if none). */
static inline vb_repl_action tb_feedn(tboard *b, const char *s, size_t n)
{
    vb_repl_action last = VB_REPL_NONE;
    b->nacts = 0;
    for (size_t i = 0; i < n; i++) {
        vb_repl_action a = vb_repl_feed(b->r, (uint8_t)s[i]);
        if (a != VB_REPL_NONE) {
            last = a;
            if (b->nacts < 16)
                b->acts[b->nacts++] = a;
        }
    }
    return last;
}
#define FEED(b, lit) tb_feedn((b), (lit), sizeof(lit) - 1)

static inline void tb_escape(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n && i < 400; i++) {
        uint8_t c = p[i];
        if (c == '\\')
            fputs("\\\\", stderr);
        else if (c == '\r')
            fputs("\\r", stderr);
        else if (c == '\n')
            fputs("\\n", stderr);
        else if (c >= 0x20 && c < 0x7f)
            fputc(c, stderr);
        else
            fprintf(stderr, "\\x%02x", c);
    }
    if (n > 400)
        fprintf(stderr, "...(%zu bytes)", n);
}

/* Compares the captured output with exp (byte-exact) and clears it. */
static inline void tb_expect(tboard *b, const char *exp, size_t n, const char *file, int line)
{
    check_count++;
    if (b->len != n || memcmp(b->out, exp, n) != 0) {
        check_failures++;
        fprintf(stderr, "%s:%d: output mismatch\n  got:      b'", file, line);
        tb_escape(b->out, b->len);
        fprintf(stderr, "'\n  expected: b'");
        tb_escape((const uint8_t *)exp, n);
        fprintf(stderr, "'\n");
    }
    b->len = 0;
}
#define EXPECT(b, lit) tb_expect((b), (lit), sizeof(lit) - 1, __FILE__, __LINE__)

/* Compares the source of the pending EXECUTE. */
static inline void tb_expect_src(tboard *b, const char *exp, size_t n, const char *file, int line)
{
    size_t len = 0;
    const uint8_t *src = vb_repl_source(b->r, &len);
    check_count++;
    if (len != n || memcmp(src, exp, n) != 0 || src[len] != 0) {
        check_failures++;
        fprintf(stderr, "%s:%d: source mismatch\n  got:      b'", file, line);
        tb_escape(src, len);
        fprintf(stderr, "'\n  expected: b'");
        tb_escape((const uint8_t *)exp, n);
        fprintf(stderr, "'\n");
    }
}
#define EXPECT_SRC(b, lit) tb_expect_src((b), (lit), sizeof(lit) - 1, __FILE__, __LINE__)

#define BANNER "MicroPython v1.24.0 on 2024-11-29; vboard with CPython\r\nType \"help()\" for more information.\r\n"

/* A friendly board already showing its first prompt (output cleared). */
static inline void tb_friendly(tboard *b)
{
    tb_init(b, VB_REPL_MODE_FRIENDLY);
    vb_repl_start(b->r);
    b->len = 0;
}

static inline void tb_raw(tboard *b)
{
    tb_init(b, VB_REPL_MODE_RAW);
    vb_repl_start(b->r);
    b->len = 0;
}

#endif
