/* What each step of a scenario does to the board under test, and how a
 * step is shown: control requests, serial waits and writes, exec and file
 * reads (cli_test.h). Each step returns TR_PASS or its failure in one
 * sentence (a traceback may follow on more lines). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_test.h"
#include "util/sha256.h"

/* ---- how steps are shown ----------------------------------------------------- */

/* s[0..n) quoted for one line: at most 40 bytes, escapes for the rest. */
static void quoted(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = (size_t)snprintf(out, cap, "\"");
    size_t i = 0;
    for (; i < n && i < 40 && o + 6 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r') o += (size_t)snprintf(out + o, cap - o, "\\r");
        else if (c == '\n') o += (size_t)snprintf(out + o, cap - o, "\\n");
        else if (c == '"' || c == '\\') o += (size_t)snprintf(out + o, cap - o, "\\%c", c);
        else o += (size_t)snprintf(out + o, cap - o, c >= 0x20 && c != 0x7f ? "%c" : "\\x%02x", c);
    }
    snprintf(out + o, cap - o, "%s\"", i < n ? "..." : "");
}

static void duration_text(uint64_t ns, char *out, size_t cap)
{
    if (ns % 1000000000u == 0) snprintf(out, cap, "%llus", (unsigned long long)(ns / 1000000000u));
    else if (ns % 1000000u == 0) snprintf(out, cap, "%llums", (unsigned long long)(ns / 1000000u));
    else if (ns % 1000u == 0) snprintf(out, cap, "%lluus", (unsigned long long)(ns / 1000u));
    else snprintf(out, cap, "%lluns", (unsigned long long)ns);
}

void tr_step_label(const vb_scenario *s, const vb_step *st, char *out, size_t cap)
{
    if (st->name) {
        snprintf(out, cap, "%s", st->name);
        return;
    }
    char arg[120] = "";
    const char *part = st->part >= 0 ? s->parts[st->part].id : NULL;
    switch (st->kind) {
    case VB_STEP_DELAY: duration_text(st->ns, arg, sizeof arg); break;
    case VB_STEP_WAIT_SERIAL:
    case VB_STEP_WRITE_SERIAL:
    case VB_STEP_EXEC: quoted(st->text, st->len, arg, sizeof arg); break;
    case VB_STEP_SET_CONTROL: snprintf(arg, sizeof arg, "%s pressed=%d", part, st->level != VB_LEVEL_FLOAT); break;
    case VB_STEP_EXPECT_PIN:
    case VB_STEP_WAIT_PIN:
    case VB_STEP_SET_PIN:
        snprintf(arg, sizeof arg, "%s=%s", part ? part : st->pin, vb_level_name(st->level));
        break;
    case VB_STEP_RESET:
        snprintf(arg, sizeof arg, "%s", st->reset == VB_RESET_BUTTON ? "button"
                 : st->reset == VB_RESET_POWER_CYCLE ? "power-cycle" : "brownout");
        break;
    case VB_STEP_POWER: snprintf(arg, sizeof arg, "%s", st->power_on ? "on" : "off"); break;
    case VB_STEP_SET_ADC: snprintf(arg, sizeof arg, "%s=%umV", st->pin, (unsigned)st->mv); break;
    case VB_STEP_EXPECT_NEOPIXEL: snprintf(arg, sizeof arg, "%s[%u]=%s", st->pin, st->pixel, st->text); break;
    case VB_STEP_TAKE_SCREENSHOT: snprintf(arg, sizeof arg, "%s", st->text ? st->text : st->expect); break;
    case VB_STEP_EXPECT_RESET_CAUSE:
    case VB_STEP_EXPECT_LED:
    case VB_STEP_EXPECT_FILE: snprintf(arg, sizeof arg, "%s", st->text); break;
    default: break;
    }
    snprintf(out, cap, "%s%s%s", vb_step_key(st->kind), arg[0] ? " " : "", arg);
}

/* ---- the steps ---------------------------------------------------------------- */

static tr_status from_wait(tb_wait_rc rc)
{
    return rc == TB_MET ? TR_PASS : rc == TB_TIMEOUT ? TR_TIMEOUT : rc == TB_FAILED ? TR_FAIL : TR_ERROR;
}

/* A control request; TR_PASS, or a failure said in msg. */
static tr_status ctl(tb_board *b, const char *req, const char *const *keys, vb_json_obj *r, char *msg, size_t cap)
{
    char err[400];
    int rc = tb_ctl(b, req, keys, r, err, sizeof err);
    if (rc == 0) return TR_PASS;
    snprintf(msg, cap, "%s%s", rc > 0 ? "the board refused: " : "", err);
    return TR_FAIL;
}

/* A request built in req ends without its '\n' (tb_ctl adds it). */
static void end_request(vb_json_out *o, char *req)
{
    size_t n = vb_json_end(o);
    if (n) req[n - 1] = '\0';
}

static const char *const pin_keys[] = {"ok", "error", "level", "floating", "became_low", "became_high",
                                       "became_float", NULL};

/* A pin as the board's `pin` reply says it. */
typedef struct pin_state {
    bool high, floating;
    double became[3];   /* how many times it became low, high, floating (vb_pin_shown) */
} pin_state;

static tr_status pin_query(tb_board *b, const char *pin, const char *drive, pin_state *ps, char *msg, size_t cap)
{
    char req[256];
    vb_json_out o;
    vb_json_begin(&o, req, sizeof req);
    vb_json_str(&o, "cmd", "pin");
    vb_json_str(&o, "name", pin);
    if (drive) vb_json_str(&o, "drive", drive);
    end_request(&o, req);
    vb_json_obj r;
    tr_status s = ctl(b, req, pin_keys, &r, msg, cap);
    if (s != TR_PASS || !ps) return s;
    const vb_json_field *level = vb_json_get(&r, "level"), *fl = vb_json_get(&r, "floating");
    static const char *const became[3] = {"became_low", "became_high", "became_float"};
    bool ok = level && level->type == VB_JSON_NUMBER && fl && fl->type == VB_JSON_BOOL;
    for (int i = 0; ok && i < 3; i++) {
        const vb_json_field *f = vb_json_get(&r, became[i]);
        ok = f && f->type == VB_JSON_NUMBER;
        if (ok) ps->became[i] = f->num;
    }
    if (!ok) {
        snprintf(msg, cap, "the board's pin reply has no level");
        return TR_FAIL;
    }
    ps->high = level->num != 0;
    ps->floating = fl->b;
    return TR_PASS;
}

/* As expect-pin reads a level: a floating pin reads low. */
static bool pin_is(const pin_state *ps, vb_level want)
{
    return want == VB_LEVEL_FLOAT ? ps->floating : ps->high == (want == VB_LEVEL_HIGH);
}

/* How many times the pin came to read `want` (low: driven low or let float). */
static double times_became(const pin_state *ps, vb_level want)
{
    return want == VB_LEVEL_HIGH ? ps->became[1] : want == VB_LEVEL_FLOAT ? ps->became[2]
                                                 : ps->became[0] + ps->became[2];
}

static tr_status step_pin(tb_board *b, const vb_step *st, bool drive, char *msg, size_t cap)
{
    pin_state ps;
    tr_status s = pin_query(b, st->pin, drive ? vb_level_name(st->level) : NULL, drive ? NULL : &ps, msg, cap);
    if (s != TR_PASS || drive) return s;
    if (pin_is(&ps, st->level)) return TR_PASS;
    snprintf(msg, cap, "pin %s is %s%s, expected %s", st->pin, ps.high ? "high" : "low",
             ps.floating ? " (floating)" : "", vb_level_name(st->level));
    return TR_FAIL;
}

/* wait-pin: met when the pin is at the level, or has been since the wait
 * began (the board counts each change, so a pulse between two looks
 * counts too). */
typedef struct pin_wait {
    const vb_step *st;
    double became_at_start;
    tr_status s;           /* TR_PASS, or a failed query (said in msg) */
    char *msg;
    size_t cap;
} pin_wait;

static bool pin_reached(tb_board *b, void *ctx)
{
    pin_wait *w = ctx;
    pin_state ps;
    w->s = pin_query(b, w->st->pin, NULL, &ps, w->msg, w->cap);
    if (w->s != TR_PASS) return true;   /* ends the wait; the step reports the failure */
    return pin_is(&ps, w->st->level) || times_became(&ps, w->st->level) > w->became_at_start;
}

static tr_status step_wait_pin(tb_board *b, const vb_step *st, char *msg, size_t cap)
{
    pin_state ps;
    tr_status s = pin_query(b, st->pin, NULL, &ps, msg, cap);
    if (s != TR_PASS) return s;
    if (pin_is(&ps, st->level)) return TR_PASS;
    pin_wait w = {st, times_became(&ps, st->level), TR_PASS, msg, cap};
    char err[400];
    tb_wait_rc rc = tb_wait(b, pin_reached, &w, 0, err, sizeof err);
    if (rc == TB_MET) return w.s;
    snprintf(msg, cap, "pin %s never became %s: %s", st->pin, vb_level_name(st->level), err);
    return from_wait(rc);
}

/* The host's voltage on an ADC input (the board's `adc` command). */
static tr_status step_adc(tb_board *b, const vb_step *st, char *msg, size_t cap)
{
    static const char *const keys[] = {"ok", "error", NULL};
    char req[256], mv[16];
    vb_json_out o;
    vb_json_begin(&o, req, sizeof req);
    vb_json_str(&o, "cmd", "adc");
    vb_json_str(&o, "pin", st->pin);
    snprintf(mv, sizeof mv, "%u", (unsigned)st->mv);
    vb_json_str(&o, "mv", mv);
    end_request(&o, req);
    vb_json_obj r;
    return ctl(b, req, keys, &r, msg, cap);
}

/* The radio drops the station's link (the board's `wifi drop`; refused,
 * with its sentence, when the station is not connected). */
static tr_status step_wifi_drop(tb_board *b, char *msg, size_t cap)
{
    static const char *const keys[] = {"ok", "error", NULL};
    vb_json_obj r;
    return ctl(b, "{\"cmd\":\"wifi\",\"action\":\"drop\"}", keys, &r, msg, cap);
}

static tr_status step_reset(tb_board *b, const vb_step *st, char *msg, size_t cap)
{
    static const char *const keys[] = {"ok", "error", NULL};
    vb_json_obj r;
    const char *req = st->kind == VB_STEP_POWER ? (st->power_on ? "{\"cmd\":\"power\",\"state\":\"on\"}"
                                                                : "{\"cmd\":\"power\",\"state\":\"off\"}")
                    : st->reset == VB_RESET_BUTTON ? "{\"cmd\":\"reset\"}"
                    : st->reset == VB_RESET_POWER_CYCLE ? "{\"cmd\":\"power\",\"state\":\"cycle\"}"
                    : "{\"cmd\":\"brownout\"}";
    return ctl(b, req, keys, &r, msg, cap);
}

/* machine.reset_cause()'s name, as the board's status says it. */
static tr_status step_reset_cause(tb_board *b, const vb_step *st, char *msg, size_t cap)
{
    static const char *const keys[] = {"ok", "error", "machine_reset_cause", NULL};
    vb_json_obj r;
    tr_status s = ctl(b, "{\"cmd\":\"status\"}", keys, &r, msg, cap);
    if (s != TR_PASS) return s;
    const vb_json_field *m = vb_json_get(&r, "machine_reset_cause");
    const char *name = m && m->type == VB_JSON_STRING ? m->str : NULL;
    if (!name) {
        snprintf(msg, cap, "the board's status names no machine reset cause (has it booted?)");
        return TR_FAIL;
    }
    if (strcmp(name, st->text) == 0) return TR_PASS;
    snprintf(msg, cap, "the reset cause is %s, expected %s", name, st->text);
    return TR_FAIL;
}

static tr_status step_led(tb_board *b, const vb_step *st, char *msg, size_t cap)
{
    static const char *const keys[] = {"ok", "error", "rgb", NULL};
    vb_json_obj r;
    tr_status s = ctl(b, "{\"cmd\":\"led\"}", keys, &r, msg, cap);
    if (s != TR_PASS) return s;
    const vb_json_field *rgb = vb_json_get(&r, "rgb");
    if (rgb && rgb->type == VB_JSON_STRING && strcmp(rgb->str, st->text) == 0) return TR_PASS;
    snprintf(msg, cap, "the LED is %s, expected %s", rgb && rgb->type == VB_JSON_STRING ? rgb->str : "?", st->text);
    return TR_FAIL;
}

/* One pixel of the strip on a pin, from the board's `neopixel PIN` reply:
 * the latched bytes ("raw", hex) in neopixel's GRB order. */
static tr_status step_neopixel(tb_board *b, const vb_step *st, char *msg, size_t cap)
{
    static const char *const keys[] = {"ok", "error", "raw", NULL};
    char req[256];
    vb_json_out o;
    vb_json_begin(&o, req, sizeof req);
    vb_json_str(&o, "cmd", "neopixel");
    vb_json_str(&o, "pin", st->pin);
    end_request(&o, req);
    vb_json_obj r;
    tr_status s = ctl(b, req, keys, &r, msg, cap);
    if (s != TR_PASS) return s;
    const vb_json_field *raw = vb_json_get(&r, "raw");
    size_t at = (size_t)st->pixel * 6;   /* three bytes, two hex digits each */
    if (!raw || raw->type != VB_JSON_STRING || strlen(raw->str) < at + 6) {
        snprintf(msg, cap, "the strip on %s shows no pixel %u", st->pin, st->pixel);
        return TR_FAIL;
    }
    const char *g = raw->str + at;
    char shown[8];
    snprintf(shown, sizeof shown, "#%.2s%.2s%.2s", g + 2, g, g + 4);   /* GRB on the wire -> #rrggbb */
    if (strcmp(shown, st->text) == 0) return TR_PASS;
    snprintf(msg, cap, "pixel %u on %s is %s, expected %s", st->pixel, st->pin, shown, st->text);
    return TR_FAIL;
}

/* path as the board's supervisor must be told it: absolute (it runs in
 * its own directory), a relative one taken from ours. */
static int absolute(const char *path, char *out, size_t cap)
{
    char cwd[PATH_MAX];
    if (path[0] == '/') return snprintf(out, cap, "%s", path) < (int)cap ? 0 : -1;
    if (!getcwd(cwd, sizeof cwd)) return -1;
    return snprintf(out, cap, "%s/%s", cwd, path) < (int)cap ? 0 : -1;
}

/* The display's picture (`screenshot`), written to save-to (or a file of
 * the run's own), then compared with compare-with pixel by pixel. */
static tr_status step_screenshot(tb_board *b, const vb_step *st, char *msg, size_t cap)
{
    static const char *const keys[] = {"ok", "error", "lit", NULL};
    char file[PATH_MAX + 64], ref[PATH_MAX + 64];
    bool own = st->text == NULL;
    int rc = own ? (snprintf(file, sizeof file, "%s/screenshot.png", b->dir) < (int)sizeof file ? 0 : -1)
                 : absolute(st->text, file, sizeof file);
    if (rc < 0 || (st->expect && absolute(st->expect, ref, sizeof ref) < 0)) {
        snprintf(msg, cap, "a path too long for the screenshot");
        return TR_ERROR;
    }
    char req[PATH_MAX + 200];
    vb_json_out o;
    vb_json_begin(&o, req, sizeof req);
    vb_json_str(&o, "cmd", "screenshot");
    vb_json_str(&o, "file", file);
    if (st->display) vb_json_str(&o, "addr", st->display);
    end_request(&o, req);
    vb_json_obj r;
    tr_status s = ctl(b, req, keys, &r, msg, cap);
    if (s != TR_PASS || !st->expect) {
        if (own) unlink(file);
        return s;
    }
    uint8_t *got = NULL, *want = NULL;
    unsigned gw = 0, gh = 0, ww = 0, wh = 0;
    char err[400];
    if (tb_png_grey(file, &got, &gw, &gh, err, sizeof err) < 0 ||
        tb_png_grey(ref, &want, &ww, &wh, err, sizeof err) < 0) {
        snprintf(msg, cap, "%s", err);
        s = TR_FAIL;
    } else if (gw != ww || gh != wh) {
        snprintf(msg, cap, "the display shows %ux%u pixels, %s has %ux%u", gw, gh, st->expect, ww, wh);
        s = TR_FAIL;
    } else {
        size_t differ = 0, first = 0;
        for (size_t i = 0; i < (size_t)gw * gh; i++)
            if (got[i] != want[i] && differ++ == 0) first = i;
        if (differ) {
            snprintf(msg, cap, "the display differs from %s in %zu of %u pixels, the first at x %zu, y %zu "
                     "(grey %u, expected %u)", st->expect, differ, gw * gh, first % gw, first / gw, got[first],
                     want[first]);
            s = TR_FAIL;
        }
    }
    free(got);
    free(want);
    if (own) unlink(file);
    return s;
}

typedef struct text_wait {
    const char *text;
    size_t len;
    size_t scanned;     /* no match starts before this */
} text_wait;

static bool text_seen(tb_board *b, void *ctx)
{
    text_wait *t = ctx;
    size_t from = t->scanned > b->pos ? t->scanned : b->pos;
    long at = tb_find(b, from, t->text, t->len);
    if (at < 0) {
        t->scanned = b->len >= t->len ? b->len - t->len + 1 : 0;
        return false;
    }
    b->pos = (size_t)at + t->len;
    return true;
}

static tr_status step_wait_serial(tb_board *b, const vb_step *st, char *msg, size_t cap)
{
    text_wait t = {st->text, st->len, 0};
    char err[400];
    size_t from = b->pos;
    tb_wait_rc rc = tb_wait(b, text_seen, &t, 0, err, sizeof err);
    if (rc == TB_MET) return TR_PASS;
    char tail[300];
    tb_tail(b, from, 200, tail, sizeof tail);
    snprintf(msg, cap, "not seen: %s; the board sent \"%s\"", err, tail);
    return from_wait(rc);
}

static tr_status step_delay(tb_board *b, const vb_step *st, char *msg, size_t cap)
{
    char err[400];
    tb_wait_rc rc = tb_wait(b, NULL, NULL, st->ns / 1000, err, sizeof err);
    if (rc != TB_MET) snprintf(msg, cap, "%s", err);
    return from_wait(rc);
}

static tr_status step_write(tb_board *b, const vb_step *st, char *msg, size_t cap)
{
    char err[400];
    if (tb_write(b, st->text, st->len, err, sizeof err) == 0) return TR_PASS;
    snprintf(msg, cap, "%s", err);
    return TR_FAIL;
}

static tr_status step_exec(tb_board *b, const vb_step *st, char *msg, size_t cap)
{
    char *out, *tb;
    size_t out_len;
    tb_wait_rc rc = tb_exec(b, st->text, st->len, &out, &out_len, &tb, msg, cap);
    if (rc != TB_MET) return from_wait(rc);
    tr_status s = TR_PASS;
    char q[120];
    if (tb[0]) {
        snprintf(msg, cap, "the code raised an exception:\n%s", tb);
        s = TR_FAIL;
    } else if (st->expect && !memmem(out, out_len, st->expect, st->expect_len)) {
        quoted(st->expect, st->expect_len, q, sizeof q);
        snprintf(msg, cap, "the output does not contain %s; it was:\n%s", q, out_len ? out : "(nothing)");
        s = TR_FAIL;
    }
    free(out);
    free(tb);
    return s;
}

static tr_status step_expect_file(tb_board *b, const vb_step *st, char *msg, size_t cap)
{
    char *data, *tb;
    size_t len;
    tb_wait_rc rc = tb_read_file(b, st->text, &data, &len, &tb, msg, cap);
    if (rc != TB_MET) return from_wait(rc);
    tr_status s = TR_PASS;
    if (tb[0]) {
        snprintf(msg, cap, "cannot read %s on the board:\n%s", st->text, tb);
        s = TR_FAIL;
    } else if (st->has_sha256) {
        uint8_t d[VB_SHA256_LEN];
        vb_sha256(data, len, d);
        if (memcmp(d, st->sha256, sizeof d) != 0) {
            char hex[65];
            for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
            snprintf(msg, cap, "%s (%zu bytes) has sha256 %s, not the expected one", st->text, len, hex);
            s = TR_FAIL;
        }
    } else if (!memmem(data, len, st->expect, st->expect_len)) {
        char q[120];
        quoted(st->expect, st->expect_len, q, sizeof q);
        snprintf(msg, cap, "%s (%zu bytes) does not contain %s", st->text, len, q);
        s = TR_FAIL;
    }
    free(data);
    free(tb);
    return s;
}

tr_status tr_run_step(tb_board *b, const vb_step *st, char *msg, size_t cap)
{
    switch (st->kind) {
    case VB_STEP_DELAY: return step_delay(b, st, msg, cap);
    case VB_STEP_WAIT_SERIAL: return step_wait_serial(b, st, msg, cap);
    case VB_STEP_WRITE_SERIAL: return step_write(b, st, msg, cap);
    case VB_STEP_SET_CONTROL:
    case VB_STEP_SET_PIN: return step_pin(b, st, true, msg, cap);
    case VB_STEP_EXPECT_PIN: return step_pin(b, st, false, msg, cap);
    case VB_STEP_WAIT_PIN: return step_wait_pin(b, st, msg, cap);
    case VB_STEP_RESET:
    case VB_STEP_POWER: return step_reset(b, st, msg, cap);
    case VB_STEP_EXPECT_RESET_CAUSE: return step_reset_cause(b, st, msg, cap);
    case VB_STEP_EXPECT_LED: return step_led(b, st, msg, cap);
    case VB_STEP_EXEC: return step_exec(b, st, msg, cap);
    case VB_STEP_EXPECT_FILE: return step_expect_file(b, st, msg, cap);
    case VB_STEP_SET_ADC: return step_adc(b, st, msg, cap);
    case VB_STEP_EXPECT_NEOPIXEL: return step_neopixel(b, st, msg, cap);
    case VB_STEP_WIFI: return step_wifi_drop(b, msg, cap);
    case VB_STEP_TAKE_SCREENSHOT: return step_screenshot(b, st, msg, cap);
    default:
        snprintf(msg, cap, "'%s' is not supported", vb_step_key(st->kind));
        return TR_ERROR;
    }
}

