/* The pty backend: a pseudo-terminal whose slave host tools open (through
 * the symlink, repl.md §6.6).
 *
 * Whether a host is attached is the kernel's answer: the supervisor holds
 * only the master, and the master reports POLLHUP exactly while nobody has
 * the slave open. While detached the master is not polled (it would report
 * HUP without end); an inotify watch on the slave's device node says when
 * somebody opens or closes it, and the master's HUP is checked then. A
 * detached line is never written: the kernel would keep the bytes for the
 * next host, who never asked for them. */
#include "serial.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

typedef struct pty_line {
    int master;
    int watch;                 /* inotify fd on the slave's device node */
    char slave_path[64];
    char link_path[512];       /* symlink to slave_path, "" when none */
} pty_line;

/* Somebody has the slave open. */
static bool host_present(const pty_line *p)
{
    struct pollfd pf = {p->master, 0, 0};
    return poll(&pf, 1, 0) >= 0 && !(pf.revents & POLLHUP);
}

static unsigned pty_pollfds(vb_serial *s, struct pollfd *pf, bool in, bool out)
{
    pty_line *p = s->impl;
    unsigned n = 0;
    pf[n++] = (struct pollfd){p->watch, POLLIN, 0};
    if (s->attached)
        pf[n++] = (struct pollfd){p->master, (short)((in ? POLLIN : 0) | (out ? POLLOUT : 0)), 0};
    return n;
}

static unsigned pty_service(vb_serial *s, const struct pollfd *pf, unsigned n)
{
    pty_line *p = s->impl;
    unsigned r = 0;
    bool recheck = false;
    for (unsigned i = 0; i < n; i++) {
        if (pf[i].fd == p->watch && (pf[i].revents & POLLIN)) {
            char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
            while (read(p->watch, ev, sizeof ev) > 0) {   /* which event does not matter */
            }
            recheck = true;
        }
        if (pf[i].fd == p->master) {
            if (pf[i].revents & (POLLHUP | POLLERR)) recheck = true;
            if (pf[i].revents & POLLIN) r |= VB_SERIAL_READABLE;
            if (pf[i].revents & POLLOUT) r |= VB_SERIAL_WRITABLE;
        }
    }
    if (recheck) s->attached = host_present(p);
    if (!s->attached) r = 0;
    return r;
}

static ssize_t pty_read(vb_serial *s, void *buf, size_t n)
{
    pty_line *p = s->impl;
    if (!s->attached) return 0;
    ssize_t r = read(p->master, buf, n);
    if (r > 0) return r;
    /* EIO: the last host closed the slave; a new one may come */
    if (r < 0 && errno == EIO) s->attached = host_present(p);
    return 0;
}

static size_t pty_write(vb_serial *s, const void *buf, size_t n)
{
    pty_line *p = s->impl;
    ssize_t w = vb_fd_write_some(p->master, buf, n);
    if (w < 0) {
        s->attached = host_present(p);
        return 0;
    }
    return (size_t)w;
}

static void pty_close(vb_serial *s, bool in_child)
{
    pty_line *p = s->impl;
    if (!in_child && p->link_path[0]) {
        /* Only our own link: another board may have replaced it. */
        char target[sizeof p->slave_path];
        ssize_t n = readlink(p->link_path, target, sizeof target - 1);
        if (n > 0) {
            target[n] = 0;
            if (strcmp(target, p->slave_path) == 0) unlink(p->link_path);
        }
    }
    if (p->master >= 0) close(p->master);
    if (p->watch >= 0) close(p->watch);
}

static const vb_serial_ops pty_ops = {pty_pollfds, pty_service, pty_read, pty_write, pty_close};

/* Point `link` at the slave, atomically: a tool reopening the link never
 * finds it missing. Never replaces anything but a symlink. */
static int make_link(pty_line *p, const char *link, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(link, &st) == 0 && !S_ISLNK(st.st_mode)) {
        snprintf(err, errlen, "%s exists and is not a symlink; not replacing it", link);
        return -EEXIST;
    }
    char tmp[sizeof p->link_path + 16];
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", link, (int)getpid());
    unlink(tmp);
    if (snprintf(p->link_path, sizeof p->link_path, "%s", link) >= (int)sizeof p->link_path ||
        symlink(p->slave_path, tmp) < 0 || rename(tmp, link) < 0) {
        snprintf(err, errlen, "cannot create the symlink %s: %s", link, strerror(errno));
        unlink(tmp);
        p->link_path[0] = 0;
        return -EIO;
    }
    return 0;
}

int vb_serial_open_pty(vb_serial *s, const char *link, char *err, size_t errlen)
{
    *s = (vb_serial){.kind = VB_SERIAL_PTY};
    pty_line *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "cannot create a pseudo-terminal: out of memory");
        return -ENOMEM;
    }
    p->master = p->watch = -1;
    s->impl = p;
    s->ops = &pty_ops;
    int slave;
    if (openpty(&p->master, &slave, p->slave_path, NULL, NULL) < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot create a pseudo-terminal: %s", strerror(e));
        p->master = -1;
        vb_serial_close(s);
        return -e;
    }
    /* Raw, as a UART is: the settings stay with the pty while the master
     * lives, whoever opens the slave later. */
    struct termios raw;
    if (tcgetattr(slave, &raw) == 0) {
        cfmakeraw(&raw);
        tcsetattr(slave, TCSANOW, &raw);
    }
    /* Only our uid may open the line: grantpt leaves 0620 (group tty). */
    if (fchmod(slave, 0600) < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot make the pseudo-terminal %s private: %s", p->slave_path, strerror(e));
        close(slave);
        vb_serial_close(s);
        return -e;
    }
    close(slave);                     /* detached until a host opens it */
    fcntl(p->master, F_SETFD, FD_CLOEXEC);
    fcntl(p->master, F_SETFL, fcntl(p->master, F_GETFL) | O_NONBLOCK);
    p->watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (p->watch < 0 ||
        inotify_add_watch(p->watch, p->slave_path, IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE) < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot watch the pseudo-terminal %s: %s", p->slave_path, strerror(e));
        vb_serial_close(s);
        return -e;
    }
    snprintf(s->url, sizeof s->url, "%s", p->slave_path);
    /* Measured on Linux 6.1: now and then a poll() sleeping on the master
     * is not woken by input the host writes (a host writing 64 KiB pieces
     * as fast as the board reads); a fresh poll() sees it at once. Polling
     * again every 50 ms bounds such a stall. */
    s->repoll_us = 50000;
    int rc = link && *link ? make_link(p, link, err, errlen) : 0;
    if (rc < 0) vb_serial_close(s);
    s->attached = rc == 0 && host_present(p);
    return rc;
}
