/* The terminal backend: the board's line on the terminal vboard runs in.
 *
 * The terminal's open file description is shared with the shell that
 * started us, so its file status flags must not change under it: a tty is
 * reopened by name as a description of our own (O_NONBLOCK there touches
 * nobody else); any other stdin/stdout (a pipe, a file, /dev/null in CI)
 * gets O_NONBLOCK and its saved flags back on every exit path. A host is
 * always attached: output waits for the terminal, never dropped. */
#include "serial.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

typedef struct stdio_line {
    int in_fd, out_fd;         /* ours: reopened ttys, or dups */
    int in_flags, out_flags;   /* the caller's flags to restore, -1: untouched */
    bool eof;                  /* the terminal's input ended */
    bool restore_tty;
    struct termios saved;
} stdio_line;

/* An fd of our own for the terminal at `fd`, non-blocking. Returns -1 with
 * errno. */
static int own_fd(int fd, int mode, int *restore_flags)
{
    *restore_flags = -1;
    if (isatty(fd)) {
        char name[128];
        if (ttyname_r(fd, name, sizeof name) == 0) {
            int nfd = open(name, mode | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
            if (nfd >= 0) return nfd;
        }
    }
    int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (nfd < 0) return -1;
    int fl = fcntl(nfd, F_GETFL);
    if (fl >= 0 && !(fl & O_NONBLOCK) && fcntl(nfd, F_SETFL, fl | O_NONBLOCK) == 0) *restore_flags = fl;
    return nfd;
}

static unsigned stdio_pollfds(vb_serial *s, struct pollfd *pf, bool in, bool out)
{
    stdio_line *l = s->impl;
    unsigned n = 0;
    if (in && !l->eof) pf[n++] = (struct pollfd){l->in_fd, POLLIN, 0};
    if (out) pf[n++] = (struct pollfd){l->out_fd, POLLOUT, 0};
    return n;
}

static unsigned stdio_service(vb_serial *s, const struct pollfd *pf, unsigned n)
{
    stdio_line *l = s->impl;
    unsigned r = 0;
    for (unsigned i = 0; i < n; i++) {
        if (pf[i].fd == l->in_fd && (pf[i].revents & (POLLIN | POLLHUP | POLLERR))) r |= VB_SERIAL_READABLE;
        if (pf[i].fd == l->out_fd && (pf[i].revents & (POLLOUT | POLLERR))) r |= VB_SERIAL_WRITABLE;
    }
    return r;
}

static ssize_t stdio_read(vb_serial *s, void *buf, size_t n)
{
    stdio_line *l = s->impl;
    if (l->eof) return -1;
    ssize_t r = read(l->in_fd, buf, n);
    if (r > 0) return r;
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    l->eof = true;                 /* EOF, or the terminal went away */
    return -1;
}

static size_t stdio_write(vb_serial *s, const void *buf, size_t n)
{
    ssize_t w = vb_fd_write_some(((stdio_line *)s->impl)->out_fd, buf, n);
    return w > 0 ? (size_t)w : 0;  /* a terminal gone is the caller's EOF to see */
}

static void stdio_close(vb_serial *s, bool in_child)
{
    stdio_line *l = s->impl;
    if (!in_child) {
        if (l->restore_tty) tcsetattr(l->in_fd, TCSANOW, &l->saved);
        if (l->in_flags >= 0) fcntl(l->in_fd, F_SETFL, l->in_flags);
        if (l->out_flags >= 0) fcntl(l->out_fd, F_SETFL, l->out_flags);
    }
    if (l->in_fd >= 0) close(l->in_fd);
    if (l->out_fd >= 0) close(l->out_fd);
}

static const vb_serial_ops stdio_ops = {stdio_pollfds, stdio_service, stdio_read, stdio_write, stdio_close};

int vb_serial_open_stdio(vb_serial *s, char *err, size_t errlen)
{
    *s = (vb_serial){.kind = VB_SERIAL_STDIO, .attached = true};
    stdio_line *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "cannot use the terminal: out of memory");
        return -ENOMEM;
    }
    *l = (stdio_line){.in_fd = -1, .out_fd = -1, .in_flags = -1, .out_flags = -1};
    s->impl = l;
    s->ops = &stdio_ops;
    l->in_fd = own_fd(STDIN_FILENO, O_RDONLY, &l->in_flags);
    l->out_fd = l->in_fd >= 0 ? own_fd(STDOUT_FILENO, O_WRONLY, &l->out_flags) : -1;
    if (l->in_fd < 0 || l->out_fd < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot use the terminal: %s", strerror(e));
        vb_serial_close(s);
        return -e;
    }
    if (isatty(l->in_fd) && tcgetattr(l->in_fd, &l->saved) == 0) {
        struct termios raw = l->saved;
        cfmakeraw(&raw);
        /* Output processing off too: the board sends its own \r\n. */
        if (tcsetattr(l->in_fd, TCSANOW, &raw) == 0) l->restore_tty = true;
    }
    return 0;
}
