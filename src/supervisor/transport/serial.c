/* Terminal and pty backends of the serial line, and the calls every backend
 * goes through (see serial.h; TCP and RFC 2217 are in tcp.c). */
#include "serial.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void init(vb_serial *s, vb_serial_kind kind)
{
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->in_fd = s->out_fd = s->slave_fd = s->listen_fd = -1;
    s->connected = kind == VB_SERIAL_STDIO || kind == VB_SERIAL_PTY;
}

int vb_serial_open_stdio(vb_serial *s, char *err, size_t errlen)
{
    init(s, VB_SERIAL_STDIO);
    s->in_fd = dup(STDIN_FILENO);
    s->out_fd = dup(STDOUT_FILENO);
    if (s->in_fd < 0 || s->out_fd < 0) {
        snprintf(err, errlen, "cannot use the terminal: %s", strerror(errno));
        vb_serial_close(s);
        return -errno;
    }
    if (isatty(s->in_fd) && tcgetattr(s->in_fd, &s->saved) == 0) {
        struct termios raw = s->saved;
        cfmakeraw(&raw);
        /* Keep output processing off too: the board sends its own \r\n. */
        if (tcsetattr(s->in_fd, TCSANOW, &raw) == 0) s->restore_tty = true;
    }
    set_nonblock(s->in_fd);
    set_nonblock(s->out_fd);
    return 0;
}

int vb_serial_open_pty(vb_serial *s, const char *link, char *err, size_t errlen)
{
    init(s, VB_SERIAL_PTY);
    int master, slave;
    if (openpty(&master, &slave, s->slave_path, NULL, NULL) < 0) {
        snprintf(err, errlen, "cannot create a pseudo-terminal: %s", strerror(errno));
        return -errno;
    }
    struct termios raw;
    if (tcgetattr(slave, &raw) == 0) {
        cfmakeraw(&raw);
        tcsetattr(slave, TCSANOW, &raw);
    }
    fcntl(master, F_SETFD, FD_CLOEXEC);
    fcntl(slave, F_SETFD, FD_CLOEXEC);
    set_nonblock(master);
    s->in_fd = master;
    s->out_fd = dup(master);
    fcntl(s->out_fd, F_SETFD, FD_CLOEXEC);
    s->slave_fd = slave;
    snprintf(s->url, sizeof s->url, "%s", s->slave_path);
    if (link && *link) {
        struct stat st;
        if (lstat(link, &st) == 0 && !S_ISLNK(st.st_mode)) {
            snprintf(err, errlen, "%s exists and is not a symlink; not replacing it", link);
            vb_serial_close(s);
            return -EEXIST;
        }
        /* Replace atomically: a tool reopening the link never sees it missing. */
        char tmp[sizeof s->link_path + 16];
        snprintf(tmp, sizeof tmp, "%s.%d.tmp", link, (int)getpid());
        unlink(tmp);
        if (snprintf(s->link_path, sizeof s->link_path, "%s", link) >= (int)sizeof s->link_path ||
            symlink(s->slave_path, tmp) < 0 || rename(tmp, link) < 0) {
            snprintf(err, errlen, "cannot create the symlink %s: %s", link, strerror(errno));
            unlink(tmp);
            s->link_path[0] = 0;
            vb_serial_close(s);
            return -EIO;
        }
    }
    return 0;
}

ssize_t vb_serial_read(vb_serial *s, void *buf, size_t n)
{
    if (s->listen_fd >= 0) return vb_serial_tcp_read(s, buf, n);
    ssize_t r = read(s->in_fd, buf, n);
    if (r > 0) return r;
    if (r == 0) return s->kind == VB_SERIAL_STDIO ? -1 : 0;
    if (errno == EAGAIN || errno == EINTR) return 0;
    /* A pty master reads EIO while no host has the slave open: not fatal. */
    if (s->kind == VB_SERIAL_PTY && errno == EIO) return 0;
    return -1;
}

ssize_t vb_serial_put(int fd, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, p + done, n - done);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        /* Full: the rest is the caller's to drop; never block the board. */
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (done == 0) return -1;      /* EPIPE, ECONNRESET, EIO: gone */
        break;
    }
    return (ssize_t)done;
}

void vb_serial_write(vb_serial *s, const void *buf, size_t n)
{
    if (!s->connected) {
        s->dropped += n;     /* a UART with nobody listening */
        return;
    }
    if (s->listen_fd >= 0) {
        vb_serial_tcp_write(s, buf, n);
        return;
    }
    ssize_t w = vb_serial_put(s->out_fd, buf, n);
    s->dropped += n - (w > 0 ? (size_t)w : 0);
}

void vb_serial_close_fds_in_child(vb_serial *s)
{
    s->restore_tty = false;
    s->link_path[0] = 0;
    vb_serial_close(s);
}

void vb_serial_close(vb_serial *s)
{
    if (s->restore_tty) {
        tcsetattr(s->in_fd, TCSANOW, &s->saved);
        s->restore_tty = false;
    }
    if (s->link_path[0]) {
        /* Only our own link: another board may have replaced it. */
        char target[sizeof s->slave_path];
        ssize_t n = readlink(s->link_path, target, sizeof target - 1);
        if (n > 0) {
            target[n] = 0;
            if (strcmp(target, s->slave_path) == 0) unlink(s->link_path);
        }
        s->link_path[0] = 0;
    }
    if (s->listen_fd >= 0 && s->connected) vb_serial_tcp_disconnect(s);
    if (s->in_fd >= 0) close(s->in_fd);
    if (s->out_fd >= 0) close(s->out_fd);
    if (s->slave_fd >= 0) close(s->slave_fd);
    if (s->listen_fd >= 0) close(s->listen_fd);
    s->in_fd = s->out_fd = s->slave_fd = s->listen_fd = -1;
    s->connected = false;
}
