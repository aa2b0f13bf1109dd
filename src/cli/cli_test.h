/* `vboard test`: the pieces of the scenario runner.
 *
 * cli_test.c       the command: options, files, one step after another, the report
 * cli_test_board.c a board as a host drives it: a child `vboard run` in a private
 *                  temp dir, its pty (serial) and control socket
 * cli_test_serial.c the board's output, kept for wait-serial
 * cli_test_wait.c  board time and the one wait loop
 * cli_test_steps.c what each step does
 * cli_test_repl.c  exec and file reads through the raw REPL, as mpremote does
 * cli_test_png.c   take-screenshot's comparison of pictures
 * cli_test_junit.c the JUnit XML report
 *
 * Time: every wait is bounded by the scenario's budget of board time
 * (vb_scenario.timeout_ns) and by wall time (twice that plus 30 s), so a
 * broken board cannot hang CI. */
#ifndef VB_CLI_TEST_H
#define VB_CLI_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "scenario/scenario.h"
#include "supervisor/transport/control.h"
#include "util/json.h"

/* ---- a board under test (cli_test_board.c) ------------------------------ */

typedef struct tb_config {
    const char *board;       /* profile name, already checked */
    const char *flash;       /* --flash FILE to copy, or NULL: a fresh image */
    const char *fs_add;      /* --fs-add DIR, or NULL */
    const char *clock;       /* "fast" or "real" */
    const char *parts;       /* --parts FILE (the board's wiring), or NULL */
    const char *heap;        /* --heap BYTES[K|M] as given (checked), or NULL */
    uint64_t timeout_us;     /* the scenario's board-time budget */
} tb_config;

typedef struct tb_board {
    pid_t pid;               /* the child `vboard run`; 0 when none */
    int pidfd, out_fd, tty, ctl;   /* -1 when closed */
    int status;              /* wait status once exited */
    bool exited;
    char dir[200];           /* the private temp dir, "" when none */
    char flash[240], link[240], sock[240], errlog[240];
    /* Every serial byte the board sent that is still kept: buf[0..len);
     * pos is where the next wait-serial starts (Wokwi: after the previous
     * match). */
    char *buf;
    size_t len, cap, pos;
    size_t dropped;          /* bytes dropped unread to bound memory */
    /* Board time: the board's clock (`vboard run --clock`); fast: it
     * jumps over idle time, so waits advance it (cli_test_wait.c). */
    bool fast;
    uint64_t used_us;        /* board time the scenario's waits used so far */
    uint64_t timeout_us;
    uint64_t step_timeout_us;  /* the running step's own bound ('timeout'); 0: none */
    uint64_t step_used_us;     /* board time the running step's waits used */
    uint64_t wall_deadline_us;
    char reply[VB_CONTROL_REPLY + 1];
    size_t reply_len;
} tb_board;

typedef enum tb_wait_rc { TB_MET, TB_TIMEOUT, TB_FAILED, TB_INTERRUPTED } tb_wait_rc;

/* The condition a wait waits for: true once met. Called after every read. */
typedef bool (*tb_cond)(tb_board *b, void *ctx);

/* CLOCK_MONOTONIC in µs. */
uint64_t tb_wall_us(void);
/* The members a clock, advance or quit reply is read for. */
extern const char *const tb_clock_keys[];
/* Read what is there; wait at most timeout_ms for something (or, with
 * want_write, for room to write). 0, or -1 with err: the child stopped or
 * the line closed; -2: a signal asks the run to stop. */
int tb_pump(tb_board *b, int timeout_ms, bool want_write, char *err, size_t errlen);

/* Start a board; 0, or -1 with a sentence in err (*usage set when the
 * child refused its arguments: exit status 2). tb_stop must follow either way. */
int tb_start(tb_board *b, const tb_config *cfg, bool *usage, char *err, size_t errlen);
/* Quit the board (kill it after a grace time), remove the temp dir. Safe
 * to call on a board that never started. */
void tb_stop(tb_board *b);

/* One control request (req: a JSON object line without '\n'); the reply's
 * members named in keys in *r. 0 "ok":true; 1 "ok":false with its reason in
 * err; -1 no usable reply (err says why). */
int tb_ctl(tb_board *b, const char *req, const char *const *keys, vb_json_obj *r, char *err, size_t errlen);
/* Write all of data to the serial line, reading the board's output
 * meanwhile. 0, or -1 with err. */
int tb_write(tb_board *b, const void *data, size_t n, char *err, size_t errlen);
/* Wait for cond (or, with cond NULL, for delay_us of board time), within
 * the scenario's budget and the running step's own bound. On TB_TIMEOUT,
 * TB_FAILED and TB_INTERRUPTED err says what happened. */
tb_wait_rc tb_wait(tb_board *b, tb_cond cond, void *ctx, uint64_t delay_us, char *err, size_t errlen);

/* A SIGINT, SIGTERM or SIGHUP waits (they are held while a command runs):
 * the run should stop, clean up and return. */
bool tb_interrupted(void);

/* Append what the board sent (cli_test_serial.c). 0, or -1: no memory. */
int tb_keep(tb_board *b, const char *data, size_t n);
/* Where text[0..n) occurs in buf[from..len), or -1. */
long tb_find(const tb_board *b, size_t from, const char *text, size_t n);
/* Remove buf[from..to) (an exec's protocol bytes), so what the board sent
 * before them stays matchable. */
void tb_cut(tb_board *b, size_t from, size_t to);
/* The last at most max bytes before buf's end, escaped for one line. */
void tb_tail(const tb_board *b, size_t from, size_t max, char *out, size_t cap);
/* The board's log on stderr, its last line (why a child stopped). */
void tb_child_note(const tb_board *b, char *out, size_t cap);

/* ---- pictures (cli_test_png.c) -------------------------------------------- */

/* A PNG as 8-bit grey, row after row (*px malloc'd, w x h). 0, or -1 with a
 * sentence in err. */
int tb_png_grey(const char *path, uint8_t **px, unsigned *w, unsigned *h, char *err, size_t errlen);

/* ---- the raw REPL (cli_test_repl.c) ------------------------------------ */

/* Run code through the raw REPL (stopping what runs first, as mpremote
 * does) and come back to the friendly REPL. *out gets stdout (malloc'd,
 * "\r\n" as "\n"), *err_text the traceback ("" when none). */
tb_wait_rc tb_exec(tb_board *b, const char *code, size_t len, char **out, size_t *out_len, char **err_text,
                   char *why, size_t whylen);
/* A board file's bytes through the raw REPL (malloc'd). TB_MET with
 * *err_text "" on success; a traceback (no such file...) in *err_text. */
tb_wait_rc tb_read_file(tb_board *b, const char *path, char **data, size_t *len, char **err_text, char *why,
                        size_t whylen);

/* ---- results and the JUnit report (cli_test_junit.c) --------------------- */

typedef enum tr_status { TR_NOT_RUN, TR_PASS, TR_FAIL, TR_TIMEOUT, TR_ERROR } tr_status;

typedef struct tr_step {
    tr_status status;
    char *message;           /* malloc'd; NULL when passed */
    double seconds;          /* wall time */
} tr_step;

typedef struct tr_scenario {
    vb_scenario sc;
    tr_step *steps;          /* sc.n_steps */
    double seconds;
} tr_scenario;

/* Write the report of n scenarios to path. 0, or -1 with a sentence. */
int tr_write_junit(const char *path, const tr_scenario *r, size_t n, const char *board, char *err, size_t errlen);

/* Do one step (cli_test_steps.c); its outcome, a failure said in msg. */
tr_status tr_run_step(tb_board *b, const vb_step *st, char *msg, size_t cap);

/* "wait-serial \"Ready\"", or the step's name: how a step is shown. */
void tr_step_label(const vb_scenario *s, const vb_step *st, char *out, size_t cap);

#endif
