/* Script-defined I2C devices (issue 16): the supervisor's helper process.
 *
 * One child per board, started at set-up when the board has a script
 * device: the host's python3 running our driver (src/devscript/driver.py,
 * embedded at build time), which loads every device file and answers
 * calls over two pipes (bus/devscript.h). Never inside the VM, never
 * Python in the supervisor.
 *
 * The loop never waits on it: a request of the I2C line for a script
 * device is parked (the I2C line is not read meanwhile; the VM waits on
 * it, which is not idle, so --clock fast does not jump) until the answer
 * comes or ANSWER_US of host time pass. A script that raises NACKs that
 * request; one that does not answer in time is killed, and with it every
 * script device of the board, which NACK from then on (ctl i2c says why).
 * A VM that ends while a request is parked leaves it orphaned: its answer
 * is read and dropped, never given to the next VM. */
#include "board_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bus/devscript.h"
#include "bus/i2cbus.h"

extern const char vb_devscript_driver[];   /* gen/devscript_driver.c (tools/text_embed.c) */

#define PYTHON "/usr/bin/python3"          /* the host's, a Debian package: never the board's */
#define ANSWER_US 2000000u   /* host µs a script has per request: under the VM's own wait (vm_hal_i2c.c) */
#define LOAD_US 10000000u    /* host µs to start python3 and load every file */
#define ERRORS_SHOWN 20u     /* on stderr; then only in the trace and `ctl i2c` */

struct board_devscript {
    pid_t pid;
    int pidfd, call_fd, reply_fd;          /* -1: none (no helper, or it was stopped) */
    uint8_t rx[VB_DS_RECORD_MAX];
    size_t rx_len;
    /* the parked request: the VM's, the device, the call's seq */
    bool parked, orphan;
    vb_bus_req req;
    unsigned dev, nwrite;
    uint32_t seq, next_seq;
    uint64_t deadline;                     /* host µs */
    char why[VB_I2C_DEVS_MAX][200];        /* "" = working, else why the device NACKs */
    char last_error[VB_I2C_DEVS_MAX][VB_DS_TEXT_MAX + 1];
    uint64_t calls, raised;
    unsigned shown;
};

/* Append ,"key":"val" (val escaped, at most 200 bytes of it) to out at
 * k; returns the new length (unchanged when it does not fit). */
static size_t member(char *out, size_t cap, size_t k, const char *key, const char *val)
{
    size_t vl = strnlen(val, 200), m = (size_t)snprintf(out + k, k < cap ? cap - k : 0, ",\"%s\":", key);
    size_t e = k + m < cap ? vb_json_escape(out + k + m, cap - k - m, val, vl) : cap;
    if (k + m + e >= cap) {
        if (k < cap) out[k] = '\0';
        return k;
    }
    return k + m + e;
}

/* The device's attachment (its script and arguments). */
static const vb_i2c_attach *attach_of(const board *b, unsigned dev)
{
    static const vb_i2c_attach none = {.script = "?"};
    for (unsigned i = 0; i < b->cfg->n_i2c_devs; i++)
        if (b->cfg->i2c_devs[i].bus == b->i2c->dev[dev].bus && b->cfg->i2c_devs[i].addr == b->i2c->dev[dev].addr)
            return &b->cfg->i2c_devs[i];
    return &none;
}

static const char *script_of(const board *b, unsigned dev) { return attach_of(b, dev)->script; }

/* A line on the run's stderr (the terminal may be raw: CR LF there). */
static void say(const board *b, const char *text)
{
    fprintf(stderr, "vboard: %s%s", text, b->cfg->line == VB_LINE_TERMINAL ? "\r\n" : "\n");
}

static void stop_helper(board_devscript *d)
{
    if (d->pidfd >= 0) {
        (void)syscall(SYS_pidfd_send_signal, d->pidfd, SIGKILL, NULL, 0);
        close(d->pidfd);
    }
    if (d->call_fd >= 0) close(d->call_fd);
    if (d->reply_fd >= 0) close(d->reply_fd);
    d->pidfd = d->call_fd = d->reply_fd = -1;
    d->rx_len = 0;
}

/* The child: the driver with each device as INDEX:BUS:ADDR:PATH then its
 * arguments (a JSON object). */
static void exec_driver(const board *b, int call_rd, int reply_wr)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGINT, SIG_IGN);       /* a Ctrl-C for the board is not the script's */
    signal(SIGQUIT, SIG_IGN);
    signal(SIGPIPE, SIG_DFL);
    if (dup2(call_rd, 0) < 0 || dup2(reply_wr, 1) < 0) _exit(127);
    syscall(SYS_close_range, 3u, ~0u, 0u);
    char *argv[6 + 2 * VB_I2C_DEVS_MAX] = {"python3", "-I", "-B", "-c", (char *)vb_devscript_driver};
    char specs[VB_I2C_DEVS_MAX][VB_I2C_SCRIPT_PATH_MAX + 32];
    unsigned k = 5;
    for (unsigned i = 0; i < b->i2c->n; i++)
        if (b->i2c->dev[i].model == VB_I2C_SCRIPT) {
            const vb_i2c_attach *a = attach_of(b, i);
            snprintf(specs[i], sizeof specs[i], "%u:%u:%u:%s", i, b->i2c->dev[i].bus, b->i2c->dev[i].addr, a->script);
            argv[k++] = specs[i];
            argv[k++] = a->script_args[0] ? (char *)a->script_args : "{}";
        }
    argv[k] = NULL;
    execv(PYTHON, argv);
    _exit(127);
}

static bool has_scripts(const board *b)
{
    for (unsigned i = 0; i < b->i2c->n; i++)
        if (b->i2c->dev[i].model == VB_I2C_SCRIPT) return true;
    return false;
}

/* Wait (set-up only: the loop has not started) for the helper's first
 * reply. 0, or -1 with err. */
static int await_loaded(board *b, char *err, size_t errlen)
{
    board_devscript *d = b->ds;
    uint64_t deadline = board_wall_us() + LOAD_US;
    for (;;) {
        vb_ds_reply rep;
        size_t used;
        char why[160];
        int r = vb_ds_reply_parse(d->rx, d->rx_len, 0, 0, 0, &rep, &used, why, sizeof why);
        if (r < 0) {
            snprintf(err, errlen, "the script devices' helper (" PYTHON ") misbehaved: %s", why);
            return -1;
        }
        if (r == 1) {
            d->rx_len = 0;         /* nothing may follow it unasked */
            if (rep.status == VB_DS_LOADED && used == (size_t)VB_DS_HEADER) return 0;
            snprintf(err, errlen, "an I2C device script did not load: %s", rep.text);
            return -1;
        }
        uint64_t now = board_wall_us();
        if (now >= deadline) {
            snprintf(err, errlen, "the I2C device scripts did not load within %u s", LOAD_US / 1000000u);
            return -1;
        }
        struct pollfd pf = {d->reply_fd, POLLIN, 0};
        if (poll(&pf, 1, (int)((deadline - now) / 1000 + 1)) < 0 && errno != EINTR) {
            snprintf(err, errlen, "the script devices' helper: poll: %s", strerror(errno));
            return -1;
        }
        ssize_t n = read(d->reply_fd, d->rx + d->rx_len, sizeof d->rx - d->rx_len);
        if (n == 0) {
            snprintf(err, errlen, "the I2C device scripts' helper (" PYTHON ") ended before loading them%s",
                     access(PYTHON, X_OK) ? ": " PYTHON " is not there" : "");
            return -1;
        }
        if (n > 0) d->rx_len += (size_t)n;
    }
}

int board_devscript_init(board *b, char *err, size_t errlen)
{
    if (!has_scripts(b)) return 0;
    board_devscript *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    d->pidfd = d->call_fd = d->reply_fd = -1;
    b->ds = d;
    int call[2], reply[2];
    if (pipe2(call, O_CLOEXEC) < 0) goto fail;
    if (pipe2(reply, O_CLOEXEC) < 0) {
        close(call[0]);
        close(call[1]);
        goto fail;
    }
    pid_t pid = fork();
    if (pid == 0) exec_driver(b, call[0], reply[1]);
    int fork_errno = errno;
    close(call[0]);
    close(reply[1]);
    d->call_fd = call[1];
    d->reply_fd = reply[0];
    errno = fork_errno;
    if (pid < 0) goto fail;
    d->pid = pid;
    d->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);   /* it cannot be reaped yet: the loop reaps */
    fcntl(d->call_fd, F_SETFL, fcntl(d->call_fd, F_GETFL) | O_NONBLOCK);
    fcntl(d->reply_fd, F_SETFL, fcntl(d->reply_fd, F_GETFL) | O_NONBLOCK);
    return await_loaded(b, err, errlen);
fail:
    snprintf(err, errlen, "cannot start the I2C device scripts' helper: %s", strerror(errno));
    return -1;
}

void board_devscript_free(board *b)
{
    if (!b->ds) return;
    stop_helper(b->ds);
    free(b->ds);
    b->ds = NULL;
}

void board_devscript_close_in_child(board *b)
{
    board_devscript *d = b->ds;
    if (!d) return;
    int fds[] = {d->pidfd, d->call_fd, d->reply_fd};
    for (unsigned i = 0; i < 3; i++)
        if (fds[i] >= 0) close(fds[i]);
}

bool board_devscript_parked(const board *b) { return b->ds && b->ds->parked; }

int board_devscript_fd(const board *b) { return b->ds ? b->ds->reply_fd : -1; }

uint64_t board_devscript_deadline(const board *b) { return board_devscript_parked(b) ? b->ds->deadline : 0; }

/* The parked request ends: answered (acks, rd) unless its VM is gone. */
static void unpark(board *b, unsigned acks, const uint8_t *rd)
{
    board_devscript *d = b->ds;
    d->parked = false;
    if (d->orphan) return;
    vb_bus_rep rep;
    vb_i2c_script_finish(b->i2c, &d->req, d->dev, acks, rd, &rep);
    board_i2c_answer(b, &d->req, &rep);
}

/* Every script device NACKs from now on, for this reason. */
static void fail_all(board *b, const char *why)
{
    board_devscript *d = b->ds;
    stop_helper(d);
    for (unsigned i = 0; i < b->i2c->n; i++)
        if (b->i2c->dev[i].model == VB_I2C_SCRIPT && !d->why[i][0]) snprintf(d->why[i], sizeof d->why[i], "%s", why);
    if (d->parked) unpark(b, 0, NULL);
}

/* The helper is lost (it ended, or broke the protocol): say so once. */
static void helper_lost(board *b, const char *why)
{
    char text[300];
    snprintf(text, sizeof text, "the I2C device scripts' helper stopped: %s; script devices NACK from now on", why);
    say(b, text);
    char f[1400];
    member(f, sizeof f, 0, "why", why);
    board_trace(b, "i2c_script_lost", f);
    fail_all(b, why);
}

void board_devscript_call(board *b, const vb_bus_req *req, unsigned dev, bool read)
{
    board_devscript *d = b->ds;
    if (!d || d->why[dev][0] || d->call_fd < 0) {    /* a failed device: no ACK */
        vb_bus_rep rep;
        vb_i2c_script_finish(b->i2c, req, dev, 0, NULL, &rep);
        board_i2c_answer(b, req, &rep);
        return;
    }
    bool start = vb_i2c_addressing(b->i2c, req);
    uint8_t rec[VB_DS_RECORD_MAX];
    if (++d->next_seq == 0) d->next_seq = 1;
    vb_ds_call c = {.seq = d->next_seq, .dev = (uint8_t)dev,
                    .ops = (uint8_t)((start ? VB_DS_START : 0) | (read ? VB_DS_READ : 0) |
                                     (req->flags & VB_BUS_STOP ? VB_DS_STOP : 0)),
                    .nwrite = (uint16_t)(req->nwrite - (start ? 1 : 0)), .nread = req->nread,
                    .data = req->data + (start ? 1 : 0)};
    d->req = *req;
    d->dev = dev;
    d->nwrite = req->nwrite;
    d->seq = c.seq;
    d->parked = true;
    d->orphan = false;
    d->deadline = board_wall_us() + ANSWER_US;
    d->calls++;
    size_t n = vb_ds_call_encode(&c, rec, sizeof rec);
    /* one record under PIPE_BUF, one call outstanding: all of it or nothing */
    if (n == 0 || write(d->call_fd, rec, n) != (ssize_t)n) helper_lost(b, "it took no more calls");
}

void board_devscript_release(board *b)
{
    if (board_devscript_parked(b)) b->ds->orphan = true;
}

/* The script raised in the parked request: that request NACKs. */
static void script_raised(board *b, const char *text)
{
    board_devscript *d = b->ds;
    const vb_i2c_dev *dev = &b->i2c->dev[d->dev];
    d->raised++;
    snprintf(d->last_error[d->dev], sizeof d->last_error[d->dev], "%s", text);
    if (d->shown < ERRORS_SHOWN) {
        char line[600];
        snprintf(line, sizeof line, "I2C device 0x%02x on bus %u (script %.100s) raised: %s%s", dev->addr, dev->bus,
                 script_of(b, d->dev), text, ++d->shown == ERRORS_SHOWN ? " (further errors: ctl i2c, the trace)" : "");
        say(b, line);
    }
    char f[1400];
    member(f, sizeof f, (size_t)snprintf(f, sizeof f, ",\"bus\":%u,\"addr\":%u", dev->bus, dev->addr), "error", text);
    board_trace(b, "i2c_script_error", f);
    unpark(b, 0, NULL);
}

void board_devscript_service(board *b)
{
    board_devscript *d = b->ds;
    if (!d || d->reply_fd < 0) return;
    ssize_t n = read(d->reply_fd, d->rx + d->rx_len, sizeof d->rx - d->rx_len);
    if (n == 0) {
        helper_lost(b, "its process ended");
        return;
    }
    if (n < 0) return;             /* EAGAIN, EINTR: nothing yet */
    d->rx_len += (size_t)n;
    if (!d->parked) {
        helper_lost(b, "it spoke unasked");
        return;
    }
    vb_ds_reply rep;
    size_t used;
    char why[160];
    int r = vb_ds_reply_parse(d->rx, d->rx_len, d->seq, d->nwrite, d->req.nread, &rep, &used, why, sizeof why);
    if (r == 0) return;
    if (r < 0 || used != d->rx_len) {
        helper_lost(b, r < 0 ? why : "it answered more than it was asked");
        return;
    }
    d->rx_len = 0;
    if (rep.status == VB_DS_RAISED) {
        script_raised(b, rep.text);
        return;
    }
    unpark(b, rep.acks, rep.data);
}

void board_devscript_tick(board *b)
{
    board_devscript *d = b->ds;
    if (!board_devscript_parked(b) || board_wall_us() < d->deadline) return;
    const vb_i2c_dev *dev = &b->i2c->dev[d->dev];
    char why[200];
    snprintf(why, sizeof why, "the script of the device at 0x%02x on bus %u did not answer within %u s",
             dev->addr, dev->bus, ANSWER_US / 1000000u);
    helper_lost(b, why);
}

size_t board_devscript_describe(const board *b, unsigned dev, char *out, size_t cap)
{
    const board_devscript *d = b->ds;
    const char *why = d ? d->why[dev] : "not started", *last = d ? d->last_error[dev] : "";
    if (cap) out[0] = '\0';
    size_t k = member(out, cap, 0, "script", script_of(b, dev));
    k = member(out, cap, k, "state", why[0] ? "failed" : "ok");
    if (why[0]) k = member(out, cap, k, "why", why);
    if (last[0]) k = member(out, cap, k, "last_error", last);
    return k;
}
