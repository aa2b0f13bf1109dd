/* Board time for `vboard test` (cli_test.h): the board's clock over the
 * control socket (wall time for a board without one), and tb_wait, the one
 * loop every waiting step runs: read the serial line, test the condition,
 * ask a fast clock for the next stretch of board time, and stop at the
 * scenario's budget of board time or its wall-time bound. */
#include "cli_test.h"

#include <stdio.h>
#include <string.h>

#define ADVANCE_MIN_US 10000ull            /* a waiting step asks for board time in chunks: */
#define ADVANCE_MAX_US 60000000ull         /*   10 ms, doubling to 60 s (see tb_wait) */

const char *const tb_clock_keys[] = {"ok", "error", "mode", "board_us", "until_us", NULL};

static int board_now(tb_board *b, uint64_t *now, char *err, size_t errlen)
{
    vb_json_obj r;
    int rc = tb_ctl(b, "{\"cmd\":\"clock\"}", tb_clock_keys, &r, err, errlen);
    const vb_json_field *t = vb_json_get(&r, "board_us");
    if (rc == 0 && t && t->type == VB_JSON_NUMBER && t->num >= 0) {
        *now = (uint64_t)t->num;
        return 0;
    }
    if (rc == 0) snprintf(err, errlen, "the board's clock reply has no board_us");
    return -1;
}

/* Tell a fast clock the host waits until board time now + ms: an idle
 * board may jump there, and no further on its own (a hold; ms 0 holds the
 * clock where it is). A refusal switches advancing off (the board then
 * runs in real time) rather than failing the step. */
static uint64_t advance(tb_board *b, uint64_t now, uint64_t ms)
{
    char req[80];
    snprintf(req, sizeof req, "{\"cmd\":\"advance\",\"ms\":%llu}", (unsigned long long)ms);
    vb_json_obj r;
    char err[200];
    if (tb_ctl(b, req, tb_clock_keys, &r, err, sizeof err) != 0) {
        b->fast = false;
        return now;
    }
    const vb_json_field *u = vb_json_get(&r, "until_us");
    return u && u->type == VB_JSON_NUMBER ? (uint64_t)u->num : now + ms * 1000u;
}

/* The board has been asked for board time the scenario may not have: read
 * what is still arriving (output in flight) until the line is quiet. */
static bool last_look(tb_board *b, tb_cond cond, void *ctx)
{
    for (int i = 0; i < 10; i++) {
        size_t before = b->len;
        char err[200];
        if (tb_pump(b, 20, false, err, sizeof err) < 0) break;
        if (cond(b, ctx)) return true;
        if (b->len == before) break;
    }
    return false;
}

/* A condition wait asks for board time in chunks (10 ms doubling to 60 s)
 * rather than all the budget at once, and holds the clock once the
 * condition is met. A jump never passes a board timer, so whatever the
 * firmware scheduled still happens at its board time; only a board with
 * nothing due may skip up to one chunk past the match before the hold
 * arrives. The budget is charged with the board time up to the last look
 * that found the condition unmet, so such a skip costs the scenario
 * nothing. */
static void charge(tb_board *b, uint64_t us)
{
    b->used_us += us;
    b->step_used_us += us;
}

tb_wait_rc tb_wait(tb_board *b, tb_cond cond, void *ctx, uint64_t delay_us, char *err, size_t errlen)
{
    uint64_t t0, now;
    if (board_now(b, &t0, err, errlen) < 0) return TB_FAILED;
    uint64_t left = b->timeout_us > b->used_us ? b->timeout_us - b->used_us : 0;
    /* a condition wait of a step with its own 'timeout': the nearer bound */
    uint64_t step_left = b->step_timeout_us > b->step_used_us ? b->step_timeout_us - b->step_used_us : 0;
    bool by_step = cond && b->step_timeout_us && step_left < left;
    if (by_step) left = step_left;
    bool delay_fits = !cond && delay_us <= left;
    uint64_t end = t0 + (delay_fits ? delay_us : left);
    uint64_t last = t0, target = t0, chunk = ADVANCE_MIN_US;
    for (;;) {
        int pr = tb_pump(b, 1, false, err, errlen);
        if (pr < 0) return pr == -2 ? TB_INTERRUPTED : TB_FAILED;
        if (cond && cond(b, ctx)) {
            if (b->fast) advance(b, last, 0);
            charge(b, last - t0);
            return TB_MET;
        }
        if (board_now(b, &now, err, errlen) < 0) return TB_FAILED;
        if (now >= end) {
            if (delay_fits) {
                charge(b, delay_us);
                return TB_MET;
            }
            if (cond && last_look(b, cond, ctx)) {
                charge(b, last - t0);
                return TB_MET;
            }
            if (by_step) {
                if (b->fast) advance(b, now, 0);
                charge(b, left);
                snprintf(err, errlen, "the step's timeout of %.3g s of board time ran out",
                         (double)b->step_timeout_us / 1e6);
                return TB_TIMEOUT;
            }
            b->used_us = b->timeout_us;
            snprintf(err, errlen, "the scenario's %.3g s of board time ran out", (double)b->timeout_us / 1e6);
            return TB_TIMEOUT;
        }
        if (tb_wall_us() >= b->wall_deadline_us) {
            snprintf(err, errlen, "the wall-time bound (twice the scenario's timeout + 30 s) ran out at board time "
                     "%.3f s", (double)now / 1e6);
            return TB_TIMEOUT;
        }
        if (b->fast && now >= target) {
            uint64_t want = cond ? (chunk < end - now ? chunk : end - now) : end - now;
            if (want >= 1000) target = advance(b, now, want / 1000);
            if (chunk < ADVANCE_MAX_US) chunk *= 2;
        }
        last = now;
    }
}

