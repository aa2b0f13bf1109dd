/* `vboard test SCENARIO.yaml...`: run each scenario file (src/scenario) on
 * a fresh board and report one line per step, a closing "N passed, N
 * failed" and, with --junit, an XML report.
 *
 * Exit status: 0 every scenario passed; 2 a scenario file is bad (every
 * file is checked before any board starts: "FILE:LINE: sentence" each),
 * bad usage, or a board refused its set-up (e.g. a --flash image of the
 * wrong size); else 1 when a step failed; else 42 when a scenario ran out
 * of (board) time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "board/profile.h"
#include "cli.h"
#include "cli_test.h"
#include "util/sha256.h"

#define EXIT_TIMEOUT 42
#define MSG_LEN 2048

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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
    case VB_STEP_SET_PIN:
        snprintf(arg, sizeof arg, "%s=%s", part ? part : st->pin, vb_level_name(st->level));
        break;
    case VB_STEP_RESET:
        snprintf(arg, sizeof arg, "%s", st->reset == VB_RESET_BUTTON ? "button"
                 : st->reset == VB_RESET_POWER_CYCLE ? "power-cycle" : "brownout");
        break;
    case VB_STEP_POWER: snprintf(arg, sizeof arg, "%s", st->power_on ? "on" : "off"); break;
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

static const char *const pin_keys[] = {"ok", "error", "level", "floating", NULL};

static tr_status step_pin(tb_board *b, const vb_step *st, bool drive, char *msg, size_t cap)
{
    char req[256];
    vb_json_out o;
    vb_json_begin(&o, req, sizeof req);
    vb_json_str(&o, "cmd", "pin");
    vb_json_str(&o, "name", st->pin);
    if (drive) vb_json_str(&o, "drive", vb_level_name(st->level));
    size_t n = vb_json_end(&o);
    if (n) req[n - 1] = '\0';     /* tb_ctl adds the '\n' */
    vb_json_obj r;
    tr_status s = ctl(b, req, pin_keys, &r, msg, cap);
    if (s != TR_PASS || drive) return s;
    const vb_json_field *level = vb_json_get(&r, "level"), *fl = vb_json_get(&r, "floating");
    if (!level || level->type != VB_JSON_NUMBER || !fl || fl->type != VB_JSON_BOOL) {
        snprintf(msg, cap, "the board's pin reply has no level");
        return TR_FAIL;
    }
    bool ok = st->level == VB_LEVEL_FLOAT ? fl->b : level->num == (st->level == VB_LEVEL_HIGH ? 1 : 0);
    if (ok) return TR_PASS;
    snprintf(msg, cap, "pin %s is %s%s, expected %s", st->pin, level->num != 0 ? "high" : "low",
             fl->b ? " (floating)" : "", vb_level_name(st->level));
    return TR_FAIL;
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

/* machine.reset_cause()'s name: the board's status says it
 * ("machine_reset_cause", with the board clock); an older board says its
 * own cause name, which the port's table turns into the constant. */
static tr_status step_reset_cause(tb_board *b, const vb_profile *p, const vb_step *st, char *msg, size_t cap)
{
    static const char *const keys[] = {"ok", "error", "machine_reset_cause", "reset_cause", NULL};
    static const char *const board_causes[VB_CAUSE_COUNT] = {"PWRON", "HARD", "WDT", "DEEPSLEEP", "SOFT",
                                                             "BROWNOUT"};
    vb_json_obj r;
    tr_status s = ctl(b, "{\"cmd\":\"status\"}", keys, &r, msg, cap);
    if (s != TR_PASS) return s;
    const vb_json_field *m = vb_json_get(&r, "machine_reset_cause"), *c = vb_json_get(&r, "reset_cause");
    const char *name = m && m->type == VB_JSON_STRING ? m->str : NULL;
    for (int i = 0; !name && c && c->type == VB_JSON_STRING && i < VB_CAUSE_COUNT; i++)
        if (strcmp(c->str, board_causes[i]) == 0) name = p->port->cause_const[i];
    if (!name) {
        snprintf(msg, cap, "the board's status names no reset cause");
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

static tr_status run_step(tb_board *b, const vb_profile *p, const vb_scenario *s, const vb_step *st, char *msg,
                          size_t cap)
{
    (void)s;
    switch (st->kind) {
    case VB_STEP_DELAY: return step_delay(b, st, msg, cap);
    case VB_STEP_WAIT_SERIAL: return step_wait_serial(b, st, msg, cap);
    case VB_STEP_WRITE_SERIAL: return step_write(b, st, msg, cap);
    case VB_STEP_SET_CONTROL:
    case VB_STEP_SET_PIN: return step_pin(b, st, true, msg, cap);
    case VB_STEP_EXPECT_PIN: return step_pin(b, st, false, msg, cap);
    case VB_STEP_RESET:
    case VB_STEP_POWER: return step_reset(b, st, msg, cap);
    case VB_STEP_EXPECT_RESET_CAUSE: return step_reset_cause(b, p, st, msg, cap);
    case VB_STEP_EXPECT_LED: return step_led(b, st, msg, cap);
    case VB_STEP_EXEC: return step_exec(b, st, msg, cap);
    case VB_STEP_EXPECT_FILE: return step_expect_file(b, st, msg, cap);
    default:
        snprintf(msg, cap, "'%s' is not supported", vb_step_key(st->kind));
        return TR_ERROR;
    }
}

/* ---- scenarios ----------------------------------------------------------------- */

static const char *status_word(tr_status s)
{
    return s == TR_PASS ? "ok" : s == TR_FAIL ? "FAIL" : s == TR_TIMEOUT ? "TIMEOUT" : s == TR_ERROR ? "ERROR" : "skip";
}

/* "  FAIL    3. label: file:line: message", later message lines indented. */
static void print_step(const tr_scenario *r, size_t i)
{
    const vb_step *st = &r->sc.steps[i];
    const tr_step *res = &r->steps[i];
    char label[200];
    tr_step_label(&r->sc, st, label, sizeof label);
    printf("  %-7s %2zu. %s", status_word(res->status), i + 1, label);
    if (res->message) {
        printf(": %s:%u: ", r->sc.path, st->line);
        size_t n = strlen(res->message);
        while (n > 0 && res->message[n - 1] == '\n') n--;     /* a traceback's last newline */
        for (size_t k = 0; k < n; k++) {
            putchar(res->message[k]);
            if (res->message[k] == '\n') fputs("          ", stdout);
        }
    }
    putchar('\n');
    fflush(stdout);
}

/* Runs one scenario; the worst outcome (TR_PASS when all passed); *usage
 * when its board refused to start for a reason of the command line. */
static tr_status run_scenario(const tb_config *base, const vb_profile *p, tr_scenario *r, bool *usage)
{
    printf("scenario %s: %s (board %s)\n", r->sc.path, r->sc.name, base->board);
    fflush(stdout);
    tb_config cfg = *base;
    cfg.timeout_us = r->sc.timeout_ns / 1000u;
    tb_board b;
    char msg[MSG_LEN] = "";
    double t0 = wall_s();
    tr_status worst = TR_PASS;
    if (tb_start(&b, &cfg, usage, msg, sizeof msg) < 0) {
        char why[MSG_LEN + 40];
        snprintf(why, sizeof why, "the board did not start: %s", msg);
        r->steps[0].status = TR_ERROR;
        r->steps[0].message = strdup(why);
        printf("  ERROR   %s\n", why);
        worst = TR_ERROR;
    } else {
        for (size_t i = 0; i < r->sc.n_steps; i++) {
            double s0 = wall_s();
            msg[0] = '\0';
            tr_status s = run_step(&b, p, &r->sc, &r->sc.steps[i], msg, sizeof msg);
            r->steps[i].status = s;
            r->steps[i].seconds = wall_s() - s0;
            if (s != TR_PASS) r->steps[i].message = strdup(msg[0] ? msg : "failed");
            print_step(r, i);
            if (s != TR_PASS) {
                worst = s;
                break;
            }
        }
    }
    tb_stop(&b);
    r->seconds = wall_s() - t0;
    for (size_t i = 0; i < r->sc.n_steps; i++)
        if (r->steps[i].status == TR_NOT_RUN) print_step(r, i);
    return worst;
}

/* Every pin a scenario names must be one of the board's. */
static bool check_pins(const vb_scenario *s, const vb_profile *p, const char *board)
{
    const vb_port *port = p->port;
    for (size_t i = 0; i < s->n_parts; i++)
        if (!vb_port_pin(port, s->parts[i].pin)) {
            fprintf(stderr, "%s:%u: part '%s': no pin '%s' on the %s board (pins %s..%s)\n", s->path,
                    s->parts[i].line, s->parts[i].id, s->parts[i].pin, board, port->pins[0].name,
                    port->pins[port->n_pins - 1].name);
            return false;
        }
    for (size_t i = 0; i < s->n_steps; i++) {
        const vb_step *st = &s->steps[i];
        if (st->pin && st->part < 0 && !vb_port_pin(port, st->pin)) {
            fprintf(stderr, "%s:%u: no pin '%s' on the %s board (pins %s..%s)\n", s->path, st->line, st->pin,
                    board, port->pins[0].name, port->pins[port->n_pins - 1].name);
            return false;
        }
    }
    return true;
}

static void free_results(tr_scenario *r, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        for (size_t i = 0; r[k].steps && i < r[k].sc.n_steps; i++) free(r[k].steps[i].message);
        free(r[k].steps);
        vb_scenario_free(&r[k].sc);
    }
    free(r);
}

int cli_cmd_test(const cli_args *a)
{
    const char *board = a->board ? a->board : CLI_DEFAULT_BOARD;
    const vb_profile *p = vb_profile_find(board);
    if (!p) {
        char names[160];
        cli_board_names(names, sizeof names);
        cli_error(a, "no board profile '%s' (boards: %s)", board, names);
        return CLI_USAGE;
    }
    const char *clock = a->value[CLI_OPT_BIT_CLOCK] ? a->value[CLI_OPT_BIT_CLOCK] : "fast";
    if (strcmp(clock, "fast") != 0 && strcmp(clock, "real") != 0) {
        cli_error(a, "--clock takes 'real' or 'fast', not '%s'", clock);
        return CLI_USAGE;
    }
    struct stat st;
    const char *fs_add = a->value[CLI_OPT_BIT_FS_ADD];
    if (fs_add && (stat(fs_add, &st) < 0 || !S_ISDIR(st.st_mode))) {
        cli_error(a, "--fs-add %s: not a directory", fs_add);
        return CLI_USAGE;
    }
    if (a->flash && (stat(a->flash, &st) < 0 || !S_ISREG(st.st_mode))) {
        cli_error(a, "--flash %s: %s", a->flash, errno ? strerror(errno) : "not a regular file");
        return CLI_USAGE;
    }
    size_t n = (size_t)a->argc;
    tr_scenario *res = calloc(n, sizeof *res);
    if (!res) {
        cli_error(a, "out of memory");
        return CLI_FAILED;
    }
    bool bad = false;
    for (size_t k = 0; k < n; k++) {
        char err[VB_SCENARIO_ERR_LEN];
        if (vb_scenario_load(a->argv[k], &res[k].sc, err, sizeof err) < 0) {
            fprintf(stderr, "%s\n", err);
            bad = true;
            continue;
        }
        res[k].steps = calloc(res[k].sc.n_steps, sizeof *res[k].steps);
        if (!res[k].steps) {
            cli_error(a, "out of memory");
            bad = true;
        } else if (!check_pins(&res[k].sc, p, board)) {
            bad = true;
        }
    }
    if (bad) {
        free_results(res, n);
        return CLI_USAGE;
    }
    tb_config cfg = {.board = board, .flash = a->flash, .fs_add = fs_add, .clock = clock};
    unsigned passed = 0, failed = 0;
    bool any_fail = false, any_timeout = false, any_usage = false;
    for (size_t k = 0; k < n; k++) {
        bool usage = false;
        tr_status s = run_scenario(&cfg, p, &res[k], &usage);
        passed += s == TR_PASS;
        failed += s != TR_PASS;
        any_fail |= s == TR_FAIL || (s == TR_ERROR && !usage);
        any_timeout |= s == TR_TIMEOUT;
        any_usage |= usage;
        if (tb_interrupted()) break;     /* the signal takes effect once the handler returns */
    }
    printf("%u passed, %u failed\n", passed, failed);
    fflush(stdout);
    int rc = any_usage ? CLI_USAGE : any_fail ? CLI_FAILED : any_timeout ? EXIT_TIMEOUT : CLI_OK;
    if (a->value[CLI_OPT_BIT_JUNIT]) {
        char err[600];
        if (tr_write_junit(a->value[CLI_OPT_BIT_JUNIT], res, n, board, err, sizeof err) < 0) {
            cli_error(a, "%s", err);
            if (rc == CLI_OK) rc = CLI_FAILED;
        }
    }
    free_results(res, n);
    return rc;
}
