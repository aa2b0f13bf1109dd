/* The Value Change Dump writer (src/trace/vcd.h): the exact header lines,
 * the exact body for a script of changes (dedup, backward times, z, masks),
 * and random scripts read back by a small strict VCD reader written here
 * (sections in order, identifier codes and names unique, times strictly
 * increasing, every value of the right width, no repeated value), compared
 * with a model of the documented rules. A dump cut off by a crash of the
 * writing process is readable; unwritable paths and bad variables are
 * refused with a sentence. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "trace/vcd.h"

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t k;
    while (buf && (k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (cap - n - 1 == 0) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    return buf;
}

static bool ends_with(const char *text, const char *tail)
{
    size_t n = text ? strlen(text) : 0, k = strlen(tail);
    return n >= k && strcmp(text + n - k, tail) == 0;
}

/* ---- a strict VCD reader -------------------------------------------- */

#define R_MAX_VARS 400
#define R_MAX_CHANGES 20000

typedef struct rvar {
    char id[8], name[80];
    unsigned width;
    char last[40];        /* the last value read, "" before $dumpvars */
} rvar;

typedef struct rchange {
    uint64_t t;
    unsigned var;
    char val[40];         /* '0' '1' 'x' 'z' per bit, most significant first */
} rchange;

typedef struct rdump {
    char date[80], version[40], timescale[20], scope[80];
    rvar vars[R_MAX_VARS];
    unsigned nvars;
    rchange ch[R_MAX_CHANGES];   /* changes after $dumpvars, in file order */
    unsigned nch;
    bool have_time;
    uint64_t t;                  /* the last time stamp */
    char err[200];
} rdump;

typedef struct rtok { const char *p; size_t pos; char tok[200]; } rtok;

/* The next whitespace-separated token, or NULL at the end. */
static const char *next_tok(rtok *r)
{
    while (r->p[r->pos] == ' ' || r->p[r->pos] == '\t' || r->p[r->pos] == '\n' || r->p[r->pos] == '\r') r->pos++;
    if (!r->p[r->pos]) return NULL;
    size_t k = 0;
    while (r->p[r->pos] && !strchr(" \t\r\n", r->p[r->pos]) && k + 1 < sizeof r->tok) r->tok[k++] = r->p[r->pos++];
    r->tok[k] = '\0';
    return r->tok;
}

static bool rfail(rdump *d, const char *what, const char *tok)
{
    snprintf(d->err, sizeof d->err, "%s (token \"%s\")", what, tok ? tok : "<end>");
    return false;
}

/* "$kw words... $end" after $kw was read: the words, joined by spaces. */
static bool section_text(rtok *r, rdump *d, char *out, size_t cap)
{
    out[0] = '\0';
    const char *t;
    while ((t = next_tok(r)) && strcmp(t, "$end") != 0) {
        if (t[0] == '$') return rfail(d, "keyword inside a section", t);
        if (out[0]) strncat(out, " ", cap - strlen(out) - 1);
        strncat(out, t, cap - strlen(out) - 1);
    }
    return t ? true : rfail(d, "section without $end", t);
}

static bool expect_tok(rtok *r, rdump *d, const char *want)
{
    const char *t = next_tok(r);
    if (!t || strcmp(t, want) != 0) {
        char what[64];
        snprintf(what, sizeof what, "expected %s", want);
        return rfail(d, what, t);
    }
    return true;
}

static int find_id(const rdump *d, const char *id)
{
    for (unsigned i = 0; i < d->nvars; i++)
        if (strcmp(d->vars[i].id, id) == 0) return (int)i;
    return -1;
}

/* One value: a scalar "<v><id>" token, or "b<bits>" then "<id>". */
static bool read_value(rtok *r, rdump *d, const char *t, bool dumpvars)
{
    char val[40];
    int v;
    if (t[0] == 'b') {
        size_t nb = strlen(t + 1);
        if (nb == 0 || nb >= sizeof val) return rfail(d, "bad vector value", t);
        memcpy(val, t + 1, nb + 1);
        const char *id = next_tok(r);
        if (!id) return rfail(d, "vector value without an identifier", NULL);
        v = find_id(d, id);
        if (v < 0) return rfail(d, "unknown identifier", id);
        if (d->vars[v].width < 2 || d->vars[v].width != nb) return rfail(d, "vector value of the wrong width", id);
    } else {
        val[0] = t[0];
        val[1] = '\0';
        v = find_id(d, t + 1);
        if (v < 0) return rfail(d, "unknown identifier", t);
        if (d->vars[v].width != 1) return rfail(d, "scalar value for a vector", t);
    }
    for (size_t i = 0; val[i]; i++)
        if (!strchr("01xz", val[i])) return rfail(d, "value bit not 0, 1, x or z", t);
    rvar *rv = &d->vars[v];
    if (dumpvars) {
        if (rv->last[0]) return rfail(d, "variable twice in $dumpvars", t);
    } else {
        if (!rv->last[0]) return rfail(d, "variable not in $dumpvars", t);
        if (strcmp(rv->last, val) == 0) return rfail(d, "value written again unchanged", t);
        if (d->nch == R_MAX_CHANGES) return rfail(d, "too many changes for the reader", t);
        rchange *c = &d->ch[d->nch++];
        c->t = d->t;
        c->var = (unsigned)v;
        memcpy(c->val, val, sizeof val);
    }
    memcpy(rv->last, val, sizeof val);
    return true;
}

static bool read_vcd(const char *text, rdump *d)
{
    memset(d, 0, sizeof *d);
    rtok r = { text, 0, "" };
    if (!expect_tok(&r, d, "$date") || !section_text(&r, d, d->date, sizeof d->date)) return false;
    if (!expect_tok(&r, d, "$version") || !section_text(&r, d, d->version, sizeof d->version)) return false;
    if (!expect_tok(&r, d, "$timescale") || !section_text(&r, d, d->timescale, sizeof d->timescale)) return false;
    if (!expect_tok(&r, d, "$scope") || !expect_tok(&r, d, "module")) return false;
    const char *t = next_tok(&r);
    if (!t || t[0] == '$') return rfail(d, "scope without a name", t);
    snprintf(d->scope, sizeof d->scope, "%s", t);
    if (!expect_tok(&r, d, "$end")) return false;
    while ((t = next_tok(&r)) && strcmp(t, "$var") == 0) {
        if (d->nvars == R_MAX_VARS) return rfail(d, "too many variables for the reader", t);
        rvar *v = &d->vars[d->nvars];
        char type[16];
        t = next_tok(&r);
        snprintf(type, sizeof type, "%s", t ? t : "");
        t = next_tok(&r);
        char *end;
        v->width = t ? (unsigned)strtoul(t, &end, 10) : 0;
        if (!t || *end || v->width < 1 || v->width > 32) return rfail(d, "bad width", t);
        if (strcmp(type, v->width == 1 ? "wire" : "reg") != 0) return rfail(d, "type does not match the width", type);
        t = next_tok(&r);
        if (!t || strlen(t) >= sizeof v->id) return rfail(d, "bad identifier code", t);
        for (size_t i = 0; t[i]; i++)
            if (t[i] < '!' || t[i] > '~') return rfail(d, "identifier code not printable ASCII", t);
        if (find_id(d, t) >= 0) return rfail(d, "identifier code used twice", t);
        snprintf(v->id, sizeof v->id, "%s", t);
        t = next_tok(&r);
        if (!t || !((t[0] >= 'a' && t[0] <= 'z') || (t[0] >= 'A' && t[0] <= 'Z') || t[0] == '_'))
            return rfail(d, "name is not an identifier", t);
        for (size_t i = 0; t[i]; i++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", t[i]))
                return rfail(d, "name is not an identifier", t);
        for (unsigned i = 0; i < d->nvars; i++)
            if (strcmp(d->vars[i].name, t) == 0) return rfail(d, "name used twice", t);
        snprintf(v->name, sizeof v->name, "%s", t);
        if (!expect_tok(&r, d, "$end")) return false;
        d->nvars++;
    }
    if (d->nvars == 0) return rfail(d, "no $var", t);
    if (!t || strcmp(t, "$upscope") != 0) return rfail(d, "expected $upscope", t);
    if (!expect_tok(&r, d, "$end") || !expect_tok(&r, d, "$enddefinitions") || !expect_tok(&r, d, "$end"))
        return false;
    bool dumped = false;
    while ((t = next_tok(&r))) {
        if (t[0] == '#') {
            char *end;
            if (!t[1] || !strchr("0123456789", t[1])) return rfail(d, "bad time", t);
            uint64_t when = strtoull(t + 1, &end, 10);
            if (*end) return rfail(d, "bad time", t);
            if (d->have_time && when <= d->t) return rfail(d, "time not increasing", t);
            d->have_time = true;
            d->t = when;
        } else if (strcmp(t, "$dumpvars") == 0) {
            if (dumped || !d->have_time) return rfail(d, "misplaced $dumpvars", t);
            while ((t = next_tok(&r)) && strcmp(t, "$end") != 0)
                if (!read_value(&r, d, t, true)) return false;
            if (!t) return rfail(d, "$dumpvars without $end", NULL);
            for (unsigned i = 0; i < d->nvars; i++)
                if (!d->vars[i].last[0]) return rfail(d, "variable missing from $dumpvars", d->vars[i].name);
            dumped = true;
        } else if (t[0] == '$') {
            return rfail(d, "unexpected keyword", t);
        } else {
            if (!dumped) return rfail(d, "value before $dumpvars", t);
            if (!read_value(&r, d, t, false)) return false;
        }
    }
    if (!dumped) return rfail(d, "no $dumpvars", NULL);
    return true;
}

/* ---- tests ---------------------------------------------------------- */

typedef struct tmp { char dir[64], path[96]; } tmp;

static void tmp_make(tmp *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/vb-test-vcd-XXXXXX");
    if (!mkdtemp(t->dir)) {
        perror("mkdtemp");
        exit(2);
    }
    snprintf(t->path, sizeof t->path, "%s/trace.vcd", t->dir);
}

static void tmp_remove(tmp *t)
{
    unlink(t->path);
    rmdir(t->dir);
}

static const vb_vcd_var header_vars[] = {
    { "P12", 1 }, { "led", 24 }, { "GPIO 5", 1 }, { NULL, 8 }, { "2x", 1 }, { "a-b.c", 2 }, { "", 32 },
};

static void test_header_exact(void)
{
    tmp t;
    tmp_make(&t);
    char err[200] = "";
    vb_vcd *v = vb_vcd_open(t.path, "board", header_vars, 7, err, sizeof err);
    CHECK(v != NULL);
    CHECK_STR(err, "");
    CHECK_EQ(vb_vcd_close(v, 0), 0);
    char *text = slurp(t.path);
    CHECK(text != NULL);
    /* the date line is "\tYYYY-MM-DD HH:MM:SS UTC"; the rest is exact */
    const char *want_head = "$date\n\t";
    CHECK(strncmp(text, want_head, strlen(want_head)) == 0);
    const char *date = text + strlen(want_head);
    unsigned y, mo, dd, h, mi, s;
    char utc[4] = "";
    CHECK_EQ(sscanf(date, "%4u-%2u-%2u %2u:%2u:%2u %3s", &y, &mo, &dd, &h, &mi, &s, utc), 7);
    CHECK(y >= 2024 && mo >= 1 && mo <= 12 && dd >= 1 && dd <= 31);
    CHECK_STR(utc, "UTC");
    CHECK_EQ(strcspn(date, "\n"), 23);
    const char *want =
        "\n$end\n"
        "$version\n\tvboard\n$end\n"
        "$timescale 1us $end\n"
        "$scope module board $end\n"
        "$var wire 1 ! P12 $end\n"
        "$var reg 24 \" led $end\n"
        "$var wire 1 # GPIO_5 $end\n"
        "$var reg 8 $ v3 $end\n"
        "$var wire 1 % _2x $end\n"
        "$var reg 2 & a_b_c $end\n"
        "$var reg 32 ' v6 $end\n"
        "$upscope $end\n"
        "$enddefinitions $end\n"
        "#0\n"
        "$dumpvars\n"
        "x!\n"
        "bxxxxxxxxxxxxxxxxxxxxxxxx \"\n"
        "x#\n"
        "bxxxxxxxx $\n"
        "x%\n"
        "bxx &\n"
        "bxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx '\n"
        "$end\n";
    CHECK_STR(date + 23, want);
    static rdump d;
    CHECK(read_vcd(text, &d));
    CHECK_STR(d.err, "");
    CHECK_EQ(d.nvars, 7);
    CHECK_STR(d.version, "vboard");
    CHECK_STR(d.timescale, "1us");
    CHECK_STR(d.scope, "board");
    CHECK_EQ(d.nch, 0);
    free(text);

    /* scope: NULL and "" give "board", others are sanitised */
    const char *scopes[][2] = { { NULL, "board" }, { "", "board" }, { "my board", "my_board" }, { "9", "_9" } };
    for (size_t i = 0; i < 4; i++) {
        v = vb_vcd_open(t.path, scopes[i][0], header_vars, 1, err, sizeof err);
        CHECK_EQ(vb_vcd_close(v, 0), 0);
        text = slurp(t.path);
        CHECK(read_vcd(text, &d));
        CHECK_STR(d.scope, scopes[i][1]);
        free(text);
    }
    tmp_remove(&t);
}

static void test_body_exact(void)
{
    tmp t;
    tmp_make(&t);
    static const vb_vcd_var vars[] = { { "P0", 1 }, { "led", 24 }, { "word", 32 } };
    char err[200] = "";
    vb_vcd *v = vb_vcd_open(t.path, "board", vars, 3, err, sizeof err);
    CHECK(v != NULL);
    vb_vcd_set(v, 0, 0, 1, false);            /* at #0, after $dumpvars */
    vb_vcd_set(v, 0, 0, 1, false);            /* unchanged: nothing */
    vb_vcd_set(v, 10, 1, 0xFF00FF, false);
    vb_vcd_set(v, 10, 0, 0, false);           /* same time: no second #10 */
    vb_vcd_set(v, 5, 0, 1, false);            /* backwards: taken as #10 */
    vb_vcd_set(v, 20, 0, 1, false);           /* unchanged: neither value nor #20 */
    vb_vcd_set(v, 30, 0, 7, true);            /* z, whatever the value */
    vb_vcd_set(v, 31, 0, 5, true);            /* still z: nothing */
    vb_vcd_set(v, 40, 1, 0, true);
    vb_vcd_set(v, 50, 0, 2, false);           /* width 1: non-zero is 1 */
    vb_vcd_set(v, 60, 1, 0xFF000001, false);  /* masked to 24 bits */
    vb_vcd_set(v, 70, 1, 0x01000001, false);  /* the same 24 bits: nothing */
    vb_vcd_set(v, 80, 99, 1, false);          /* unknown variable: ignored */
    vb_vcd_set(NULL, 80, 0, 0, false);        /* NULL: ignored */
    vb_vcd_set(v, 90, 2, 0x80000001, false);
    vb_vcd_set(v, 123456789012345ull, 2, 0xFFFFFFFF, false);
    vb_vcd_set(v, 123456789012345ull, 0, 0, false);
    CHECK_EQ(vb_vcd_close(v, 123456789012346ull), 0);
    char *text = slurp(t.path);
    const char *body = text ? strstr(text, "$enddefinitions $end\n") : NULL;
    CHECK(body != NULL);
    const char *want =
        "$enddefinitions $end\n"
        "#0\n"
        "$dumpvars\n"
        "x!\n"
        "bxxxxxxxxxxxxxxxxxxxxxxxx \"\n"
        "bxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx #\n"
        "$end\n"
        "1!\n"
        "#10\n"
        "b111111110000000011111111 \"\n"
        "0!\n"
        "1!\n"
        "#30\n"
        "z!\n"
        "#40\n"
        "bzzzzzzzzzzzzzzzzzzzzzzzz \"\n"
        "#50\n"
        "1!\n"
        "#60\n"
        "b000000000000000000000001 \"\n"
        "#90\n"
        "b10000000000000000000000000000001 #\n"
        "#123456789012345\n"
        "b11111111111111111111111111111111 #\n"
        "0!\n"
        "#123456789012346\n";
    if (body) CHECK_STR(body, want);
    static rdump d;
    CHECK(read_vcd(text, &d));
    CHECK_STR(d.err, "");
    free(text);

    /* an end time not after the last change writes no time stamp */
    v = vb_vcd_open(t.path, "board", vars, 1, err, sizeof err);
    vb_vcd_set(v, 7, 0, 1, false);
    CHECK_EQ(vb_vcd_close(v, 7), 0);
    text = slurp(t.path);
    CHECK(ends_with(text, "$end\n#7\n1!\n"));
    free(text);
    v = vb_vcd_open(t.path, "board", vars, 1, err, sizeof err);
    CHECK_EQ(vb_vcd_close(v, 0), 0);
    text = slurp(t.path);
    CHECK(ends_with(text, "\nx!\n$end\n"));
    free(text);
    CHECK_EQ(vb_vcd_close(NULL, 5), 0);
    tmp_remove(&t);
}

/* The documented rules, applied to one variable's model state. */
typedef struct mvar { unsigned width; bool known, z; uint32_t value; } mvar;

static void model_val(const mvar *m, char *out)
{
    for (unsigned i = 0; i < m->width; i++) {
        unsigned bit = m->width - 1 - i;
        out[i] = m->z ? 'z' : (m->value >> bit & 1) ? '1' : '0';
    }
    out[m->width] = '\0';
}

static void test_random_scripts(void)
{
    uint64_t seed = 0xDC0DE;
    static rdump d;
    static rchange want[R_MAX_CHANGES];
    static mvar m[R_MAX_VARS];
    static vb_vcd_var vars[R_MAX_VARS];
    static char names[R_MAX_VARS][16];
    tmp t;
    tmp_make(&t);
    for (int round = 0; round < 40; round++) {
        /* up to 300 variables: identifier codes of two characters after 94 */
        unsigned n = 1 + (unsigned)(rnd(&seed) % (round % 4 == 0 ? 300 : 12));
        for (unsigned i = 0; i < n; i++) {
            unsigned w = rnd(&seed) % 3 == 0 ? 1 + (unsigned)(rnd(&seed) % 32) : 1;
            snprintf(names[i], sizeof names[i], "%s%u", w == 1 ? "P" : "bus", i);
            vars[i] = (vb_vcd_var){ names[i], w };
            m[i] = (mvar){ w, false, false, 0 };
        }
        char err[200] = "";
        vb_vcd *v = vb_vcd_open(t.path, "board", vars, n, err, sizeof err);
        CHECK(v != NULL);
        if (!v) {
            fprintf(stderr, "  open: %s\n", err);
            continue;
        }
        uint64_t now = 0, last = 0;
        unsigned nwant = 0;
        unsigned steps = 1 + (unsigned)(rnd(&seed) % 1500);
        for (unsigned s = 0; s < steps; s++) {
            uint64_t r = rnd(&seed);
            if (r % 4 == 0) now += rnd(&seed) % 1000;                  /* time passes */
            uint64_t when = r % 16 == 1 && now > 50 ? now - 50 : now;  /* sometimes late */
            unsigned var = (unsigned)(rnd(&seed) % (n + 1));           /* sometimes unknown */
            uint32_t val = (uint32_t)rnd(&seed);
            if (r % 3 == 0) val &= 1;                                   /* repeats happen */
            bool z = rnd(&seed) % 9 == 0;
            vb_vcd_set(v, when, var, val, z);
            if (var >= n) continue;
            /* the model */
            mvar *mv = &m[var];
            uint32_t eff = z ? 0 : mv->width == 1 ? val != 0 : mv->width < 32 ? val & ((1u << mv->width) - 1) : val;
            if (mv->known && mv->z == z && mv->value == eff) continue;
            *mv = (mvar){ mv->width, true, z, eff };
            if (when > last) last = when;
            want[nwant].t = last;
            want[nwant].var = var;
            model_val(mv, want[nwant].val);
            nwant++;
        }
        uint64_t t_end = now + rnd(&seed) % 3;
        CHECK_EQ(vb_vcd_close(v, t_end), 0);
        char *text = slurp(t.path);
        int before = check_failures;
        CHECK(read_vcd(text, &d));
        CHECK_EQ(d.nvars, n);
        CHECK_EQ(d.nch, nwant);
        for (unsigned i = 0; i < d.nch && i < nwant; i++) {
            CHECK(d.ch[i].t == want[i].t);
            CHECK_EQ(d.ch[i].var, want[i].var);
            CHECK_STR(d.ch[i].val, want[i].val);
        }
        for (unsigned i = 0; i < n && i < d.nvars; i++) {
            CHECK_STR(d.vars[i].name, names[i]);
            CHECK_EQ(d.vars[i].width, vars[i].width);
        }
        /* the dump ends at the end time, when that is after the last change */
        CHECK(d.t == (t_end > last ? t_end : last));
        if (check_failures != before) fprintf(stderr, "  round %d: %s\n", round, d.err);
        free(text);
        if (check_failures - before > 20) break;
    }
    tmp_remove(&t);
}

/* Identifier codes: '!'..'~' for the first 94, then two characters, the
 * first one counting fastest. */
static void test_identifier_codes(void)
{
    static vb_vcd_var vars[300];
    static char names[300][8];
    static rdump d;
    for (unsigned i = 0; i < 300; i++) {
        snprintf(names[i], sizeof names[i], "P%u", i);
        vars[i] = (vb_vcd_var){ names[i], 1 };
    }
    tmp t;
    tmp_make(&t);
    vb_vcd *v = vb_vcd_open(t.path, "board", vars, 300, NULL, 0);
    CHECK(v != NULL);
    vb_vcd_set(v, 1, 299, 1, false);
    CHECK_EQ(vb_vcd_close(v, 2), 0);
    char *text = slurp(t.path);
    CHECK(text && read_vcd(text, &d));
    CHECK_EQ(d.nvars, 300);
    static const struct { unsigned i; const char *id; } want[] = {
        { 0, "!" }, { 1, "\"" }, { 93, "~" }, { 94, "!!" }, { 95, "\"!" }, { 187, "~!" }, { 188, "!\"" },
        { 299, "2#" },
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
        CHECK_STR(d.vars[want[k].i].id, want[k].id);
    CHECK(text && strstr(text, "\n#1\n12#\n#2\n"));
    free(text);
    tmp_remove(&t);
}

/* A writer killed without vb_vcd_close leaves a readable file. */
static void test_killed_writer(void)
{
    tmp t;
    tmp_make(&t);
    static const vb_vcd_var vars[] = { { "P2", 1 }, { "led", 24 } };
    fflush(NULL);                 /* nothing of ours duplicated into the child */
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        vb_vcd *v = vb_vcd_open(t.path, "board", vars, 2, NULL, 0);
        if (!v) _exit(3);
        vb_vcd_set(v, 100, 0, 1, false);
        vb_vcd_set(v, 200, 1, 0x00FF00, false);
        vb_vcd_set(v, 300, 0, 0, false);
        _exit(0);                 /* no fclose, no stdio flush: as if killed */
    }
    int status = 0;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char *text = slurp(t.path);
    static rdump d;
    CHECK(text && read_vcd(text, &d));
    CHECK_STR(d.err, "");
    CHECK_EQ(d.nch, 3);
    CHECK(d.t == 300);
    CHECK_STR(d.ch[1].val, "000000001111111100000000");
    free(text);
    tmp_remove(&t);
}

static void test_refusals(void)
{
    tmp t;
    tmp_make(&t);
    char err[200] = "";
    vb_vcd_var one[] = { { "P1", 1 } };
    CHECK(vb_vcd_open("/nonexistent-vboard-dir/trace.vcd", "board", one, 1, err, sizeof err) == NULL);
    CHECK_STR(err, "cannot create the VCD file /nonexistent-vboard-dir/trace.vcd: No such file or directory");
    CHECK(vb_vcd_open(t.dir, "board", one, 1, err, sizeof err) == NULL);
    char want[200];
    snprintf(want, sizeof want, "cannot create the VCD file %s: Is a directory", t.dir);
    CHECK_STR(err, want);
    CHECK(vb_vcd_open("/nonexistent-vboard-dir/trace.vcd", "board", one, 1, NULL, 0) == NULL);
    /* a device that takes no bytes: the header cannot be written */
    if (access("/dev/full", W_OK) == 0) {
        CHECK(vb_vcd_open("/dev/full", "board", one, 1, err, sizeof err) == NULL);
        CHECK_STR(err, "cannot write the VCD file /dev/full: No space left on device");
    }
    /* bad variables are refused before the file is touched */
    vb_vcd_var w0[] = { { "P1", 1 }, { "bad", 0 } };
    CHECK(vb_vcd_open(t.path, "board", w0, 2, err, sizeof err) == NULL);
    CHECK_STR(err, "VCD variable 1 has width 0; widths are 1 to 32");
    vb_vcd_var w33[] = { { "wide", 33 } };
    CHECK(vb_vcd_open(t.path, "board", w33, 1, err, sizeof err) == NULL);
    CHECK_STR(err, "VCD variable 0 has width 33; widths are 1 to 32");
    vb_vcd_var dup[] = { { "a b", 1 }, { "c", 1 }, { "a_b", 4 } };
    CHECK(vb_vcd_open(t.path, "board", dup, 3, err, sizeof err) == NULL);
    CHECK_STR(err, "VCD variables 0 and 2 are both named a_b");
    CHECK(vb_vcd_open(t.path, "board", one, 0, err, sizeof err) == NULL);
    CHECK_STR(err, "a VCD needs at least one variable");
    struct stat st;
    CHECK(stat(t.path, &st) != 0 && errno == ENOENT);
    /* a long name is cut, still an identifier */
    char longname[200];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    vb_vcd_var lv[] = { { longname, 1 } };
    vb_vcd *v = vb_vcd_open(t.path, "board", lv, 1, err, sizeof err);
    CHECK(v != NULL);
    CHECK_EQ(vb_vcd_close(v, 1), 0);
    char *text = slurp(t.path);
    static rdump d;
    CHECK(text && read_vcd(text, &d));
    CHECK_EQ(strlen(d.vars[0].name), 63);
    free(text);
    tmp_remove(&t);
}

int main(void)
{
    RUN(test_header_exact);
    RUN(test_body_exact);
    RUN(test_random_scripts);
    RUN(test_identifier_codes);
    RUN(test_killed_writer);
    RUN(test_refusals);
    return CHECK_DONE();
}
