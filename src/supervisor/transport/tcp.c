/* TCP and RFC 2217 backends of the serial line (serial.h): a listening
 * socket on 127.0.0.1 and at most one client. The connection is a two-state
 * machine, waiting <-> connected, changed only by connect() and
 * vb_serial_tcp_disconnect(); a client leaving is an event, never an error.
 * All bytes go out through vb_serial_put, the one write-all loop. */
#include "serial.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "link/telnet.h"

int vb_serial_open_tcp(vb_serial *s, int port, bool rfc2217, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->kind = rfc2217 ? VB_SERIAL_RFC2217 : VB_SERIAL_TCP;
    s->in_fd = s->out_fd = s->slave_fd = -1;
    s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    int one = 1;
    if (s->listen_fd < 0 ||
        setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(s->listen_fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(s->listen_fd, 4) < 0 ||
        getsockname(s->listen_fd, (struct sockaddr *)&a, &alen) < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot listen on 127.0.0.1:%d: %s", port, strerror(e));
        vb_serial_close(s);
        return -e;
    }
    snprintf(s->url, sizeof s->url, "%s://127.0.0.1:%u", rfc2217 ? "rfc2217" : "tcp",
             (unsigned)ntohs(a.sin_port));
    return 0;
}

/* Protocol bytes that must reach the host whole: what the socket does not
 * take now waits in `owed`, ahead of any later output. */
static void send_protocol(vb_serial *s, const uint8_t *p, size_t n)
{
    if (s->owed_len == 0) {
        ssize_t w = vb_serial_put(s->out_fd, p, n);
        if (w < 0) {
            vb_serial_tcp_disconnect(s);
            return;
        }
        p += w;
        n -= (size_t)w;
    }
    if (n > sizeof s->owed - s->owed_len) n = sizeof s->owed - s->owed_len; /* a host ignoring us */
    memcpy(s->owed + s->owed_len, p, n);
    s->owed_len += n;
}

/* Returns false while protocol bytes are still owed (the host is not reading). */
static bool pay_owed(vb_serial *s)
{
    if (s->owed_len == 0) return true;
    ssize_t w = vb_serial_put(s->out_fd, s->owed, s->owed_len);
    if (w < 0) {
        vb_serial_tcp_disconnect(s);
        return false;
    }
    memmove(s->owed, s->owed + w, s->owed_len - (size_t)w);
    s->owed_len -= (size_t)w;
    return s->owed_len == 0;
}

static void connect_client(vb_serial *s, int fd)
{
    assert(!s->connected && s->in_fd < 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  /* a REPL echoes single bytes */
    s->in_fd = fd;
    s->out_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (s->out_fd < 0) {
        close(fd);
        s->in_fd = -1;
        return;
    }
    s->connected = true;
    s->owed_len = 0;
    if (s->kind == VB_SERIAL_RFC2217) {
        uint8_t greet[32];
        vb_telnet_out out = {greet, sizeof greet, 0, 0};
        vb_telnet_init(&s->telnet);
        vb_telnet_greet(&s->telnet, &out);
        send_protocol(s, greet, out.len);
    }
}

void vb_serial_tcp_disconnect(vb_serial *s)
{
    assert(s->connected);
    /* close, not shutdown: a forked child closing its copies must leave the
     * supervisor's connection alone. */
    close(s->in_fd);
    close(s->out_fd);
    s->in_fd = s->out_fd = -1;
    s->connected = false;
    s->owed_len = 0;
}

/* A client that has hung up but whose EOF is not read yet (the board's RX
 * ring was full) must not keep the next one out. */
static bool client_gone(const vb_serial *s)
{
    struct pollfd pf = {s->in_fd, POLLRDHUP, 0};
    return poll(&pf, 1, 0) > 0 && (pf.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

void vb_serial_accept(vb_serial *s)
{
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;                       /* gone before we took it */
    if (s->connected && client_gone(s)) vb_serial_tcp_disconnect(s);
    if (s->connected) {
        (void)vb_serial_put(fd, VB_SERIAL_BUSY, sizeof VB_SERIAL_BUSY - 1);
        close(fd);
        s->refused++;
        return;
    }
    connect_client(s, fd);
}

ssize_t vb_serial_tcp_read(vb_serial *s, void *buf, size_t n)
{
    if (!s->connected) return 0;
    pay_owed(s);
    if (!s->connected) return 0;
    ssize_t r = read(s->in_fd, buf, n);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    if (r <= 0) {                             /* EOF or reset: wait for the next */
        vb_serial_tcp_disconnect(s);
        return 0;
    }
    if (s->kind != VB_SERIAL_RFC2217) return r;
    /* Replies are never longer than the request plus doubled IACs. */
    uint8_t reply[2 * 512 + 64];
    vb_telnet_out out = {reply, sizeof reply, 0, 0};
    size_t k = 0;
    for (size_t off = 0; off < (size_t)r; off += 512) {
        size_t len = (size_t)r - off < 512 ? (size_t)r - off : 512;
        out.len = 0;
        k += vb_telnet_feed(&s->telnet, (uint8_t *)buf + off, len, (uint8_t *)buf + k, &out);
        if (out.len) send_protocol(s, reply, out.len);
        if (!s->connected) return 0;
    }
    return (ssize_t)k;
}

void vb_serial_tcp_write(vb_serial *s, const void *buf, size_t n)
{
    if (s->kind == VB_SERIAL_TCP) {
        ssize_t w = vb_serial_put(s->out_fd, buf, n);
        if (w < 0) {
            vb_serial_tcp_disconnect(s);
            w = 0;
        }
        s->dropped += n - (size_t)w;
        return;
    }
    const uint8_t *p = buf;
    while (n > 0) {
        if (!pay_owed(s)) break;
        uint8_t esc[2048];
        size_t used, len = vb_telnet_escape(p, n, &used, esc, sizeof esc);
        ssize_t w = vb_serial_put(s->out_fd, esc, len);
        if (w < 0) {
            vb_serial_tcp_disconnect(s);
            break;
        }
        if ((size_t)w < len) {
            /* Stopped inside a doubled IAC: its second half is owed, or the
             * host would read the next byte as a command. IACs come in
             * aligned pairs, so an odd run at the cut means a split. */
            size_t run = 0;
            while (run < (size_t)w && esc[w - 1 - run] == TELNET_IAC) run++;
            if (run % 2) send_protocol(s, (const uint8_t[]){TELNET_IAC}, 1);
            break;
        }
        p += used;
        n -= used;
    }
    s->dropped += n;  /* approximate for a partial chunk; only a statistic */
}
