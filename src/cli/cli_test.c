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
#include "scenario/parts.h"

#define EXIT_TIMEOUT 42
#define MSG_LEN 2048

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
/* --parts FILE read as each board will (a bad one: before any board starts). */
static bool parts_ok(const cli_args *a, const char *path)
{
    vb_parts *p = malloc(sizeof *p);   /* large: the script paths */
    char err[VB_I2C_SCRIPT_PATH_MAX + 200];
    if (p) vb_parts_init(p);
    bool ok = p && vb_parts_load(path, p, err, sizeof err) == 0;
    if (!ok) cli_error(a, "%s", p ? err : "out of memory");
    free(p);
    return ok;
}

static tr_status run_scenario(const tb_config *base, tr_scenario *r, bool *usage)
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
            b.step_timeout_us = r->sc.steps[i].timeout_ns / 1000u;
            b.step_used_us = 0;
            tr_status s = tr_run_step(&b, &r->sc.steps[i], msg, sizeof msg);
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
    const char *parts = a->value[CLI_OPT_BIT_PARTS];
    if (parts && !parts_ok(a, parts)) return CLI_USAGE;
    vb_profile sized;   /* --heap checked here, before any board; each board's run takes it as given */
    if (!cli_profile_heap(a, p, &sized)) return CLI_USAGE;
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
    tb_config cfg = {.board = board, .flash = a->flash, .fs_add = fs_add, .clock = clock, .parts = parts,
                     .heap = a->value[CLI_OPT_BIT_HEAP]};
    unsigned passed = 0, failed = 0;
    bool any_fail = false, any_timeout = false, any_usage = false;
    for (size_t k = 0; k < n; k++) {
        bool usage = false;
        tr_status s = run_scenario(&cfg, &res[k], &usage);
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
