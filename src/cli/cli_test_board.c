/* A board under test, driven as a host drives one: a child `vboard run
 * --pty LINK --control SOCK` (this same binary, /proc/self/exe) in a
 * private temp dir, serial bytes over its pty, everything else over its
 * control socket, board time from its clock (cli_test.h).
 *
 * Single-threaded: one poll() at a time over the pty, the child's stdout
 * and its pidfd; control requests are synchronous round trips. */
#include "cli_test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define START_WAIT_US (20 * 1000000ull)    /* boot to the pty line; a loaded CI machine is slow */
#define REPLY_WAIT_MS 10000                /* one control round trip */
#define QUIT_GRACE_MS 5000                 /* `quit` → exit: the board syncs its flash */
#define TERM_GRACE_MS 3000

uint64_t tb_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* SIGINT/SIGTERM/SIGHUP arrived: the command runs with them held (cli.c
 * run_held), so they wait here to be noticed; the run stops, cleans up,
 * and the signal takes effect once the handler returns. */
bool tb_interrupted(void)
{
    sigset_t p;
    sigpending(&p);
    return sigismember(&p, SIGINT) == 1 || sigismember(&p, SIGTERM) == 1 || sigismember(&p, SIGHUP) == 1;
}

void tb_child_note(const tb_board *b, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *f = b->errlog[0] ? fopen(b->errlog, "r") : NULL;
    if (!f) return;
    char line[400];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] && strncmp(line, "vboard: control socket", 22) != 0) snprintf(out, cap, "%s", line);
    }
    fclose(f);
}

/* ---- the child ------------------------------------------------------------ */

static void reap(tb_board *b)
{
    if (b->pid > 0 && !b->exited && waitpid(b->pid, &b->status, WNOHANG) == b->pid) b->exited = true;
}

static void child_gone(tb_board *b, char *err, size_t errlen)
{
    reap(b);
    char note[400];
    tb_child_note(b, note, sizeof note);
    if (b->exited && WIFEXITED(b->status))
        snprintf(err, errlen, "the board stopped (vboard run exited with status %d)%s%s", WEXITSTATUS(b->status),
                 note[0] ? ": " : "", note);
    else if (b->exited && WIFSIGNALED(b->status))
        snprintf(err, errlen, "the board stopped (vboard run was killed by signal %d)%s%s", WTERMSIG(b->status),
                 note[0] ? ": " : "", note);
    else
        snprintf(err, errlen, "the board's serial line closed%s%s", note[0] ? ": " : "", note);
}

int tb_pump(tb_board *b, int timeout_ms, bool want_write, char *err, size_t errlen)
{
    if (tb_interrupted()) {
        snprintf(err, errlen, "interrupted");
        return -2;
    }
    struct pollfd pf[3] = {{b->tty, (short)(POLLIN | (want_write ? POLLOUT : 0)), 0},
                           {b->out_fd, POLLIN, 0}, {b->pidfd, POLLIN, 0}};
    int n = poll(pf, 3, timeout_ms);
    if (n < 0 && errno != EINTR) {
        snprintf(err, errlen, "poll: %s", strerror(errno));
        return -1;
    }
    if (n <= 0) return 0;
    if (pf[1].revents) {          /* the child's stdout after its first line: not ours to show */
        char junk[4096];
        ssize_t r = read(b->out_fd, junk, sizeof junk);
        if (r <= 0 && !(r < 0 && (errno == EAGAIN || errno == EINTR))) {
            close(b->out_fd);
            b->out_fd = -1;
        }
    }
    if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        for (;;) {
            char chunk[65536];
            ssize_t r = read(b->tty, chunk, sizeof chunk);
            if (r > 0) {
                if (tb_keep(b, chunk, (size_t)r) < 0) {
                    snprintf(err, errlen, "out of memory for the board's output");
                    return -1;
                }
                continue;
            }
            if (r < 0 && errno == EINTR) continue;
            if (r < 0 && errno == EAGAIN) break;
            child_gone(b, err, errlen);    /* EIO or EOF: the board's side closed */
            return -1;
        }
    }
    if (pf[2].revents & POLLIN) {
        child_gone(b, err, errlen);
        return -1;
    }
    return 0;
}

int tb_write(tb_board *b, const void *data, size_t n, char *err, size_t errlen)
{
    const char *p = data;
    while (n > 0) {
        ssize_t w = write(b->tty, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR) {
            snprintf(err, errlen, "cannot write to the board's serial line: %s", strerror(errno));
            return -1;
        }
        if (tb_wall_us() >= b->wall_deadline_us) {
            snprintf(err, errlen, "the board took no serial input until the wall-time bound (%zu bytes left)", n);
            return -1;
        }
        if (tb_pump(b, 10, true, err, errlen) < 0) return -1;   /* the board reads as its program does */
    }
    return 0;
}

/* ---- control -------------------------------------------------------------- */

int tb_ctl(tb_board *b, const char *req, const char *const *keys, vb_json_obj *r, char *err, size_t errlen)
{
    if (b->ctl < 0) {
        snprintf(err, errlen, "no control connection to the board");
        return -1;
    }
    char line[1024];
    int n = snprintf(line, sizeof line, "%s\n", req);
    if (n < 0 || (size_t)n >= sizeof line || send(b->ctl, line, (size_t)n, MSG_NOSIGNAL) != n) {
        snprintf(err, errlen, "cannot send a control request: %s", strerror(errno));
        return -1;
    }
    b->reply_len = 0;
    for (;;) {
        char *nl = memchr(b->reply, '\n', b->reply_len);
        if (nl) {
            *nl = '\0';
            break;
        }
        if (b->reply_len == sizeof b->reply - 1) {
            snprintf(err, errlen, "a control reply longer than %d bytes", VB_CONTROL_REPLY);
            return -1;
        }
        struct pollfd pf = {b->ctl, POLLIN, 0};
        int p = poll(&pf, 1, REPLY_WAIT_MS);
        if (p < 0 && errno == EINTR) continue;
        ssize_t got = p > 0 ? read(b->ctl, b->reply + b->reply_len, sizeof b->reply - 1 - b->reply_len) : -1;
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            if (p == 0)
                snprintf(err, errlen, "the board did not answer a control request within %d s", REPLY_WAIT_MS / 1000);
            else
                child_gone(b, err, errlen);
            return -1;
        }
        b->reply_len += (size_t)got;
    }
    char why[200];
    if (vb_json_parse_keys(b->reply, strlen(b->reply), keys, r, why, sizeof why) < 0) {
        snprintf(err, errlen, "unreadable control reply: %s", why);
        return -1;
    }
    const vb_json_field *ok = vb_json_get(r, "ok"), *e = vb_json_get(r, "error");
    if (!ok || ok->type != VB_JSON_BOOL) {
        snprintf(err, errlen, "a control reply without \"ok\"");
        return -1;
    }
    if (ok->b) return 0;
    snprintf(err, errlen, "%s", e && e->type == VB_JSON_STRING ? e->str : "refused, no reason given");
    return 1;
}

/* ---- start and stop ---------------------------------------------------------- */

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        snprintf(err, errlen, "cannot read --flash %s: %s", from, strerror(errno));
        return -1;
    }
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    int rc = out < 0 ? -1 : 0;
    char buf[65536];
    while (rc == 0) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            rc = n < 0 ? -1 : 0;
            break;
        }
        for (ssize_t w = 0; rc == 0 && w < n;) {
            ssize_t k = write(out, buf + w, (size_t)(n - w));
            if (k < 0 && errno != EINTR) rc = -1;
            if (k > 0) w += k;
        }
    }
    if (rc < 0) snprintf(err, errlen, "cannot copy --flash %s: %s", from, strerror(errno));
    close(in);
    if (out >= 0 && close(out) < 0 && rc == 0) {
        snprintf(err, errlen, "cannot copy --flash %s: %s", from, strerror(errno));
        rc = -1;
    }
    return rc;
}

static int make_dir(tb_board *b, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    /* the control socket's path, TMPDIR + "/vboard-test-XXXXXX/ctl.sock",
     * must fit sun_path (108 bytes with its NUL) */
    if (!tmp || !tmp[0] || strlen(tmp) + 28 >= 108) tmp = "/tmp";
    snprintf(b->dir, sizeof b->dir, "%s/vboard-test-XXXXXX", tmp);
    if (!mkdtemp(b->dir)) {
        snprintf(err, errlen, "cannot make a temp dir in %s: %s", tmp, strerror(errno));
        b->dir[0] = '\0';
        return -1;
    }
    snprintf(b->flash, sizeof b->flash, "%s/flash.bin", b->dir);
    snprintf(b->link, sizeof b->link, "%s/tty", b->dir);
    snprintf(b->sock, sizeof b->sock, "%s/ctl.sock", b->dir);
    snprintf(b->errlog, sizeof b->errlog, "%s/board.log", b->dir);
    return 0;
}

static pid_t spawn(tb_board *b, const tb_config *cfg, int out_w, int log_fd)
{
    const char *argv[20];
    int n = 0;
    argv[n++] = "vboard";
    argv[n++] = "run";
    argv[n++] = "--board";
    argv[n++] = cfg->board;
    argv[n++] = "--flash";
    argv[n++] = b->flash;
    argv[n++] = "--pty";
    argv[n++] = b->link;
    argv[n++] = "--control";
    argv[n++] = b->sock;
    argv[n++] = "--clock";
    argv[n++] = cfg->clock;
    if (cfg->fs_add) {
        argv[n++] = "--fs-add";
        argv[n++] = cfg->fs_add;
    }
    if (cfg->parts) {
        argv[n++] = "--parts";
        argv[n++] = cfg->parts;
    }
    if (cfg->heap) {
        argv[n++] = "--heap";
        argv[n++] = cfg->heap;
    }
    argv[n] = NULL;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0) return pid;
    /* the child: its own process group (a terminal's Ctrl-C is ours to
     * handle), ended with us even if we are killed outright, stdout to our
     * pipe, stderr to the log, no signals held */
    setpgid(0, 0);
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent) _exit(127);
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, 0);
    dup2(out_w, 1);
    dup2(log_fd, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execv("/proc/self/exe", (char *const *)argv);
    dprintf(2, "vboard test: cannot start vboard run: %s\n", strerror(errno));
    _exit(127);
}

/* The child's first stdout line: the pty's path. */
static int first_line(tb_board *b, bool *usage, char *err, size_t errlen)
{
    char line[256];
    size_t got = 0;
    uint64_t deadline = tb_wall_us() + START_WAIT_US;
    while (!memchr(line, '\n', got)) {
        uint64_t now = tb_wall_us();
        struct pollfd pf[2] = {{b->out_fd, POLLIN, 0}, {b->pidfd, POLLIN, 0}};
        int p = now >= deadline ? 0 : poll(pf, 2, (int)((deadline - now) / 1000) + 1);
        if (p < 0 && errno == EINTR) continue;
        if (tb_interrupted()) {
            snprintf(err, errlen, "interrupted");
            return -1;
        }
        ssize_t r = p > 0 && (pf[0].revents & (POLLIN | POLLHUP)) ? read(b->out_fd, line + got, sizeof line - 1 - got) : 0;
        if (r > 0) {
            got += (size_t)r;
            if (got == sizeof line - 1) break;
            continue;
        }
        if (p == 0) {
            snprintf(err, errlen, "the board did not start within %llu s", START_WAIT_US / 1000000);
            return -1;
        }
        if (r == 0 || (pf[1].revents & POLLIN)) {
            if (waitpid(b->pid, &b->status, 0) == b->pid) b->exited = true;
            child_gone(b, err, errlen);
            *usage = b->exited && WIFEXITED(b->status) && WEXITSTATUS(b->status) == 2;
            return -1;
        }
    }
    return 0;
}

static int open_line(tb_board *b, char *err, size_t errlen)
{
    b->tty = open(b->link, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (b->tty < 0) {
        snprintf(err, errlen, "cannot open the board's pty %s: %s", b->link, strerror(errno));
        return -1;
    }
    struct termios t;
    if (tcgetattr(b->tty, &t) == 0) {      /* bytes as they are, both ways */
        cfmakeraw(&t);
        tcsetattr(b->tty, TCSANOW, &t);
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(b->sock) >= sizeof sa.sun_path) {     /* make_dir keeps it shorter */
        snprintf(err, errlen, "control socket path too long: %s", b->sock);
        return -1;
    }
    memcpy(sa.sun_path, b->sock, strlen(b->sock) + 1);
    b->ctl = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (b->ctl < 0 || connect(b->ctl, (struct sockaddr *)&sa, sizeof sa) < 0) {
        snprintf(err, errlen, "cannot connect to the board's control socket: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static int probe_clock(tb_board *b, char *err, size_t errlen)
{
    vb_json_obj r;
    int rc = tb_ctl(b, "{\"cmd\":\"clock\"}", tb_clock_keys, &r, err, errlen);
    if (rc > 0) {
        char why[300];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, errlen, "the board refused \"clock\": %s", why);
    }
    if (rc != 0) return -1;
    const vb_json_field *m = vb_json_get(&r, "mode");
    b->fast = m && m->type == VB_JSON_STRING && strcmp(m->str, "fast") == 0;
    return 0;
}

int tb_start(tb_board *b, const tb_config *cfg, bool *usage, char *err, size_t errlen)
{
    memset(b, 0, sizeof *b);
    b->pidfd = b->out_fd = b->tty = b->ctl = -1;
    b->timeout_us = cfg->timeout_us;
    b->wall_deadline_us = tb_wall_us() + 2 * cfg->timeout_us + 30000000u;
    *usage = false;
    if (make_dir(b, err, errlen) < 0) return -1;
    if (cfg->flash && copy_file(cfg->flash, b->flash, err, errlen) < 0) {
        *usage = true;
        return -1;
    }
    int out[2];
    if (pipe2(out, O_CLOEXEC) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    int log_fd = open(b->errlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    b->pid = log_fd < 0 ? -1 : spawn(b, cfg, out[1], log_fd);
    if (log_fd >= 0) close(log_fd);
    close(out[1]);
    b->out_fd = out[0];
    if (b->pid < 0) {
        b->pid = 0;
        snprintf(err, errlen, "cannot start vboard run: %s", strerror(errno));
        return -1;
    }
    b->pidfd = (int)syscall(SYS_pidfd_open, b->pid, 0);
    if (b->pidfd < 0) {
        snprintf(err, errlen, "pidfd_open: %s", strerror(errno));
        return -1;
    }
    fcntl(b->out_fd, F_SETFL, fcntl(b->out_fd, F_GETFL) | O_NONBLOCK);
    if (first_line(b, usage, err, errlen) < 0 || open_line(b, err, errlen) < 0) return -1;
    return probe_clock(b, err, errlen);
}

static bool wait_exit(tb_board *b, int ms)
{
    struct pollfd pf = {b->pidfd, POLLIN, 0};
    if (b->pidfd >= 0) while (poll(&pf, 1, ms) < 0 && errno == EINTR) {}
    reap(b);
    return b->exited;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) unlinkat(dirfd(d), e->d_name, 0);
        closedir(d);
    }
    rmdir(dir);
}

void tb_stop(tb_board *b)
{
    if (b->pid > 0 && !b->exited) {
        vb_json_obj r;
        char err[200];
        bool asked = b->ctl >= 0 && tb_ctl(b, "{\"cmd\":\"quit\"}", tb_clock_keys, &r, err, sizeof err) == 0;
        if (!(asked && wait_exit(b, QUIT_GRACE_MS))) {
            kill(b->pid, SIGTERM);
            if (!wait_exit(b, TERM_GRACE_MS)) {
                kill(-b->pid, SIGKILL);     /* its process group: the firmware too */
                kill(b->pid, SIGKILL);
                if (waitpid(b->pid, &b->status, 0) == b->pid) b->exited = true;
            }
        }
    }
    int *fds[] = {&b->pidfd, &b->out_fd, &b->tty, &b->ctl};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        if (*fds[i] >= 0) {
            close(*fds[i]);
            *fds[i] = -1;
        }
    if (b->dir[0]) remove_dir(b->dir);
    b->dir[0] = '\0';
    free(b->buf);
    b->buf = NULL;
    b->len = b->cap = b->pos = 0;
    b->pid = 0;
}
