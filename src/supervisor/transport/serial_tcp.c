/* The TCP and RFC 2217 backends (serial.h): a listening socket on
 * 127.0.0.1 and at most one client. The connection is a two-state
 * machine, waiting <-> connected, changed only by connect_client() and
 * disconnect(); a client leaving is an event, never an error. All bytes go
 * out through vb_fd_write_some, the one write loop.
 *
 * Whoever reaches the port runs code in the board, so two gates stand
 * before the RX ring (issue 11):
 * - the owner: a client whose socket belongs to another local uid is
 *   refused (peer_uid.h), unless the board allows any user; an owner that
 *   cannot be found is a refusal too;
 * - the protocol: a connection that speaks HTTP (a browser's page POSTing
 *   to 127.0.0.1, a cross-protocol attack) is closed before any of its
 *   bytes reach the board, as Redis does. Only the first line is checked
 *   for a method, since REPL users type anything after it; a "Host:" line
 *   is looked for at every line start in the first bytes (link/httpsniff.h).
 *   For RFC 2217 the check is on the data after telnet filtering. */
#include "serial.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "link/httpsniff.h"
#include "link/rfc2217.h"
#include "link/telnet.h"
#include "supervisor/transport/peer_uid.h"

#define REFUSED_HTTP "vboard: connection refused: this is a serial port, not an HTTP server\r\n"

typedef struct tcp_line {
    int listen_fd;
    int fd;                    /* the client, -1 while waiting */
    bool rfc2217;
    vb_telnet telnet;          /* rfc2217: the filter's state, per client */
    uint8_t owed[256];         /* protocol bytes that must go out before more output */
    size_t owed_len;
    bool any_user;             /* serve clients of any uid, not only ours */
    vb_sniff sniff;
    /* released bytes the board had no room for in the read that freed them */
    uint8_t ready[VB_SNIFF_HOLD];
    size_t ready_len;
} tcp_line;

static void disconnect(vb_serial *s)
{
    tcp_line *t = s->impl;
    assert(s->attached && t->fd >= 0);
    close(t->fd);
    t->fd = -1;
    t->owed_len = 0;
    vb_sniff_start(&t->sniff);
    t->ready_len = 0;
    s->repoll_us = 0;
    s->attached = false;
}

/* Protocol bytes that must reach the host whole: what the socket does not
 * take now waits in `owed`, ahead of any later output. */
static void send_protocol(vb_serial *s, const uint8_t *p, size_t n)
{
    tcp_line *t = s->impl;
    if (t->owed_len == 0) {
        ssize_t w = vb_fd_write_some(t->fd, p, n);
        if (w < 0) {
            disconnect(s);
            return;
        }
        p += w;
        n -= (size_t)w;
    }
    if (n > sizeof t->owed - t->owed_len) n = sizeof t->owed - t->owed_len; /* a host ignoring us */
    memcpy(t->owed + t->owed_len, p, n);
    t->owed_len += n;
}

/* Returns false while protocol bytes are still owed (the host is not reading). */
static bool pay_owed(vb_serial *s)
{
    tcp_line *t = s->impl;
    if (t->owed_len == 0) return true;
    ssize_t w = vb_fd_write_some(t->fd, t->owed, t->owed_len);
    if (w < 0) {
        disconnect(s);
        return false;
    }
    memmove(t->owed, t->owed + w, t->owed_len - (size_t)w);
    t->owed_len -= (size_t)w;
    return t->owed_len == 0;
}

static void connect_client(vb_serial *s, int fd)
{
    tcp_line *t = s->impl;
    assert(!s->attached && t->fd < 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  /* a REPL echoes single bytes */
    t->fd = fd;
    t->owed_len = 0;
    vb_sniff_start(&t->sniff);
    t->ready_len = 0;
    s->attached = true;
    if (t->rfc2217) {
        uint8_t greet[32];
        vb_telnet_out out = {greet, sizeof greet, 0, 0};
        vb_telnet_init(&t->telnet);
        vb_telnet_greet(&t->telnet, &out);
        send_protocol(s, greet, out.len);
    }
}

/* A client that has hung up but whose EOF is not read yet (the board's RX
 * ring was full) must not keep the next one out. */
static bool client_gone(const tcp_line *t)
{
    struct pollfd pf = {t->fd, POLLRDHUP, 0};
    return poll(&pf, 1, 0) > 0 && (pf.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* Tell a client why in one line, then hang up. What it sent already is
 * read and dropped first: a close with unread bytes is a reset, which
 * would discard the line before the client reads it. */
static void refuse(int fd, const char *why)
{
    (void)vb_fd_write_some(fd, why, strlen(why));
    shutdown(fd, SHUT_WR);
    uint8_t sink[4096];
    for (int i = 0; i < 16 && recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0; i++) {}
}

/* The owner gate: true when `fd`'s client may use the port; otherwise it
 * has been told why in one line. */
static bool owner_ok(const tcp_line *t, int fd)
{
    if (t->any_user) return true;
    uid_t uid, me = geteuid();
    char why[192], line[320];
    int rc = vb_peer_uid(fd, &uid, why, sizeof why);
    if (rc == 0 && uid == me) return true;
    if (rc == 0)
        snprintf(line, sizeof line,
                 "vboard: connection refused: the serial port belongs to uid %u (use --allow-any-user)\r\n",
                 (unsigned)me);
    else
        snprintf(line, sizeof line,
                 "vboard: connection refused: cannot tell which user connected: %s (use --allow-any-user)\r\n",
                 why);
    refuse(fd, line);
    return false;
}

static void accept_client(vb_serial *s)
{
    tcp_line *t = s->impl;
    int fd = accept4(t->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;                       /* gone before we took it */
    if (!owner_ok(t, fd)) {
        close(fd);
        return;
    }
    if (s->attached && client_gone(t)) disconnect(s);
    if (s->attached) {
        (void)vb_fd_write_some(fd, VB_SERIAL_BUSY, sizeof VB_SERIAL_BUSY - 1);
        close(fd);
        s->refused++;
        return;
    }
    connect_client(s, fd);
}

static unsigned tcp_pollfds(vb_serial *s, struct pollfd *pf, bool in, bool out)
{
    tcp_line *t = s->impl;
    unsigned n = 0;
    pf[n++] = (struct pollfd){t->listen_fd, POLLIN, 0};
    if (t->fd >= 0)
        pf[n++] = (struct pollfd){t->fd, (short)((in ? POLLIN : 0) | (out || t->owed_len ? POLLOUT : 0)), 0};
    return n;
}

static unsigned tcp_service(vb_serial *s, const struct pollfd *pf, unsigned n)
{
    tcp_line *t = s->impl;
    unsigned r = 0;
    for (unsigned i = 0; i < n; i++) {
        if (pf[i].fd == t->listen_fd && (pf[i].revents & POLLIN)) accept_client(s);
        else if (pf[i].fd == t->fd && t->fd >= 0) {
            if (pf[i].revents & (POLLIN | POLLHUP | POLLERR)) r |= VB_SERIAL_READABLE;
            if (pf[i].revents & POLLOUT) {
                if (pay_owed(s)) r |= VB_SERIAL_WRITABLE;
            }
        }
    }
    if (t->fd >= 0 && t->ready_len) r |= VB_SERIAL_READABLE;  /* no fd event says so */
    return r;
}

/* RFC 2217: strip telnet commands from p[0..n) in place, answering them.
 * Returns the data bytes left; 0 also when the client was lost. */
static size_t telnet_filter(vb_serial *s, uint8_t *p, size_t n)
{
    tcp_line *t = s->impl;
    /* Replies are never longer than the request plus doubled IACs. */
    uint8_t reply[2 * 512 + 64];
    vb_telnet_out out = {reply, sizeof reply, 0, 0};
    size_t k = 0;
    for (size_t off = 0; off < n; off += 512) {
        size_t len = n - off < 512 ? n - off : 512;
        out.len = 0;
        k += vb_telnet_feed(&t->telnet, p + off, len, p + k, &out);
        if (out.len) send_protocol(s, reply, out.len);
        if (!s->attached) return 0;
    }
    return k;
}

/* Bytes from the socket, at most n; 0 when none now or the client left. */
static ssize_t read_client(vb_serial *s, uint8_t *buf, size_t n)
{
    tcp_line *t = s->impl;
    ssize_t r = read(t->fd, buf, n);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    if (r <= 0) {                             /* EOF or reset: wait for the next */
        disconnect(s);
        return 0;
    }
    return t->rfc2217 ? (ssize_t)telnet_filter(s, buf, (size_t)r) : r;
}

static ssize_t tcp_read(vb_serial *s, void *buf, size_t n)
{
    tcp_line *t = s->impl;
    vb_sniff *g = &t->sniff;
    if (!s->attached || n == 0) return 0;
    if (t->ready_len) {                       /* freed by the last read */
        size_t k = t->ready_len < n ? t->ready_len : n;
        memcpy(buf, t->ready, k);
        memmove(t->ready, t->ready + k, t->ready_len - k);
        t->ready_len -= k;
        s->repoll_us = t->ready_len ? 1000 : 0;
        return (ssize_t)k;
    }
    if (!g->active) return read_client(s, buf, n);
    /* Releasing held bytes can give back more than was read: the few over
     * n wait in `ready` for the next call. */
    uint8_t in[512], out[sizeof in + VB_SNIFF_HOLD];
    ssize_t r = read_client(s, in, n < sizeof in ? n : sizeof in);
    if (r <= 0) return r;
    size_t k;
    if (!vb_sniff_feed(g, in, (size_t)r, out, &k)) {
        refuse(t->fd, REFUSED_HTTP);
        disconnect(s);
        return 0;
    }
    size_t now = k < n ? k : n;
    memcpy(buf, out, now);
    assert(k - now <= sizeof t->ready);
    memcpy(t->ready, out + now, k - now);
    t->ready_len = k - now;
    s->repoll_us = t->ready_len ? 1000 : 0;
    return (ssize_t)now;
}

static size_t raw_write(vb_serial *s, const void *buf, size_t n)
{
    ssize_t w = vb_fd_write_some(((tcp_line *)s->impl)->fd, buf, n);
    if (w < 0) {
        disconnect(s);
        return 0;
    }
    return (size_t)w;
}

/* Telnet doubles 0xFF: the count returned is of board bytes consumed. */
static size_t telnet_write(vb_serial *s, const void *buf, size_t n)
{
    tcp_line *t = s->impl;
    const uint8_t *p = buf;
    size_t done = 0;
    while (done < n && s->attached) {
        if (!pay_owed(s)) break;
        uint8_t esc[2048];
        size_t used, len = vb_telnet_escape(p + done, n - done, &used, esc, sizeof esc);
        ssize_t w = vb_fd_write_some(t->fd, esc, len);
        if (w < 0) {
            disconnect(s);
            break;
        }
        if ((size_t)w < len) {
            /* Count the board bytes whose escaped form went out whole; a
             * doubled IAC cut in half owes its second half, or the host
             * would read the next byte as a command. IACs come in aligned
             * pairs, so an odd run at the cut means a split. */
            size_t run = 0;
            while (run < (size_t)w && esc[w - 1 - run] == TELNET_IAC) run++;
            size_t whole = (size_t)w - (run % 2);
            size_t consumed = 0;
            for (size_t e = 0; e < whole; consumed++) e += p[done + consumed] == TELNET_IAC ? 2 : 1;
            if (run % 2) {
                send_protocol(s, (const uint8_t[]){TELNET_IAC}, 1);
                consumed++;            /* the IAC is out (its second half owed) */
            }
            done += consumed;
            break;
        }
        done += used;
    }
    return done;
}

static size_t tcp_write(vb_serial *s, const void *buf, size_t n)
{
    return ((tcp_line *)s->impl)->rfc2217 ? telnet_write(s, buf, n) : raw_write(s, buf, n);
}

static void tcp_close(vb_serial *s, bool in_child)
{
    (void)in_child;                   /* close, not shutdown: a child leaves the client alone */
    tcp_line *t = s->impl;
    if (t->fd >= 0) close(t->fd);
    if (t->listen_fd >= 0) close(t->listen_fd);
}

static const vb_serial_ops tcp_ops = {tcp_pollfds, tcp_service, tcp_read, tcp_write, tcp_close};

int vb_serial_open_tcp(vb_serial *s, int port, bool rfc2217, bool any_user, char *err, size_t errlen)
{
    *s = (vb_serial){.kind = rfc2217 ? VB_SERIAL_RFC2217 : VB_SERIAL_TCP};
    tcp_line *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "cannot listen on 127.0.0.1:%d: out of memory", port);
        return -ENOMEM;
    }
    t->fd = -1;
    t->rfc2217 = rfc2217;
    t->any_user = any_user;
    s->impl = t;
    s->ops = &tcp_ops;
    t->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    int one = 1;
    if (t->listen_fd < 0 ||
        setsockopt(t->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(t->listen_fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(t->listen_fd, 4) < 0 ||
        getsockname(t->listen_fd, (struct sockaddr *)&a, &alen) < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot listen on 127.0.0.1:%d: %s", port, strerror(e));
        vb_serial_close(s);
        return -e;
    }
    snprintf(s->url, sizeof s->url, "%s://127.0.0.1:%u", rfc2217 ? "rfc2217" : "tcp",
             (unsigned)ntohs(a.sin_port));
    return 0;
}
