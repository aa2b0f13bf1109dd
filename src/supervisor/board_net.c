/* The board's sockets, opened by the supervisor (contract/netmsg.h).
 *
 * The VM asks on the network line; each request is checked (it is hostile
 * input), decided by the policy (net/netpolicy.h) and the radio (a
 * station with an address, or the board's own AP up), then carried out
 * with non-blocking host sockets, so nothing here waits on the network:
 * a TCP connect is started and the VM waits for it on the descriptor.
 * We keep a copy of every descriptor we pass, which is what lets the
 * board's resets treat the peer as a real board's stack would. */
#include "board_int.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "contract/netmsg.h"
#include "net/netreq.h"
#include "net/ntp.h"

#define REQUESTS_PER_TURN 64
#define MIP_HOST "mip.vboard.internal"    /* the package index's name on the board (board_mip.c) */        /* then the loop serves everything else */
#define BACKLOG_MAX 16

int board_net_init(board *b, char *err, size_t errlen)
{
    for (unsigned i = 0; i < VB_NET_SOCKS_MAX; i++) b->socks[i].fd = -1;
    if (b->cfg->net) b->net = *b->cfg->net;
    else vb_netpolicy_init(&b->net);
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, b->net_line) < 0) {
        snprintf(err, errlen, "cannot set up the board's network line: %s", strerror(errno));
        return -1;
    }
    fcntl(b->net_line[0], F_SETFL, fcntl(b->net_line[0], F_GETFL) | O_NONBLOCK);
    /* the gateway's NTP service */
    struct sockaddr_in at = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7F000001u)};
    socklen_t len = sizeof at;
    b->ntp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (b->ntp_fd < 0 || bind(b->ntp_fd, (struct sockaddr *)&at, sizeof at) < 0 ||
        getsockname(b->ntp_fd, (struct sockaddr *)&at, &len) < 0) {
        snprintf(err, errlen, "cannot set up the board's NTP service: %s", strerror(errno));
        return -1;
    }
    b->ntp_port = ntohs(at.sin_port);
    if (board_mip_init(b, err, errlen) < 0) return -1;
    if (board_mip_port(b)) {       /* its name: the gateway, where it is reached */
        char entry[64], gw[16];
        vb_net_format_ipv4(VB_WIFI_DHCP_GW, gw);
        snprintf(entry, sizeof entry, "%s=%s", MIP_HOST, gw);
        if (vb_netpolicy_add_hosts(&b->net, entry, err, errlen) < 0) return -1;
    }
    return 0;
}

static void drop_all(board *b, bool abort_them);
static void forget_lookup(board *b);

void board_net_free(board *b)
{
    if (b->net_line[0] < 0) return;    /* never set up */
    forget_lookup(b);
    drop_all(b, true);
    if (b->ntp_fd >= 0) close(b->ntp_fd);
    b->ntp_fd = -1;
    board_mip_free(b);
    for (int i = 0; i < 2; i++)
        if (b->net_line[i] >= 0) close(b->net_line[i]);
    b->net_line[0] = b->net_line[1] = -1;
}

static board_sock *sock_of(board *b, int32_t id)
{
    for (unsigned i = 0; i < VB_NET_SOCKS_MAX; i++)
        if (b->socks[i].fd >= 0 && b->socks[i].id == id) return &b->socks[i];
    return NULL;
}

static board_sock *free_slot(board *b)
{
    for (unsigned i = 0; i < VB_NET_SOCKS_MAX; i++)
        if (b->socks[i].fd < 0) return &b->socks[i];
    return NULL;
}

static void trace_sock(board *b, const char *event, const board_sock *s, const char *extra)
{
    char f[160];
    snprintf(f, sizeof f, ",\"id\":%d,\"type\":\"%s\"%s", (int)s->id, s->type == VB_NET_UDP ? "udp" : "tcp",
             extra ? extra : "");
    board_trace(b, event, f);
}

/* End one socket: orderly (close: FIN once sent data is out) or as a
 * chip that lost power (no FIN: a zero linger makes the close a RST). */
static void end_sock(board *b, board_sock *s, bool abort_it)
{
    if (abort_it && s->type == VB_NET_TCP && !s->listening) {
        struct linger lg = {1, 0};
        (void)setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    close(s->fd);
    trace_sock(b, "net_close", s, abort_it ? ",\"how\":\"abort\"" : ",\"how\":\"close\"");
    s->fd = -1;
}

static void drop_all(board *b, bool abort_them)
{
    for (unsigned i = 0; i < VB_NET_SOCKS_MAX; i++)
        if (b->socks[i].fd >= 0) end_sock(b, &b->socks[i], abort_them);
}

/* Requests an ended VM left on the line: never answered. */
static void discard_requests(board *b)
{
    vb_net_req req;
    while (b->net_line[0] >= 0 && recv(b->net_line[0], &req, sizeof req, MSG_DONTWAIT) >= 0) {}
}

/* A lookup under way when its VM ends: its answer is no one's. */
static void forget_lookup(board *b)
{
    if (b->dns_fd < 0) return;
    close(b->dns_fd);
    b->dns_fd = -1;                /* the child ends by itself (its alarm at the latest) */
}

void board_net_soft_reset(board *b)
{
    forget_lookup(b);
    discard_requests(b);
    drop_all(b, false);
}

void board_net_power_loss(board *b)
{
    forget_lookup(b);
    discard_requests(b);
    drop_all(b, true);
}

/* The answer, with fd attached when >= 0 (then ours stays in the table).
 * A VM that does not read its answers fills the line: it loses them. */
static void answer(board *b, vb_net_rep *rep, int fd)
{
    rep->magic = VB_NET_MAGIC;
    rep->has_fd = fd >= 0;
    struct iovec iov = {rep, sizeof *rep};
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd >= 0) {
        memset(&ctl, 0, sizeof ctl);
        m.msg_control = ctl.buf;
        m.msg_controllen = sizeof ctl.buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    if (sendmsg(b->net_line[0], &m, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && fd >= 0) {
        /* it never got the socket: end ours too */
        board_sock *s = sock_of(b, rep->id);
        if (s) end_sock(b, s, false);
    }
}

/* The board can reach the network: its station has an address, or its
 * own AP is up. */
static bool link_up(const board *b) { return b->wifi.connected || b->wifi.ap_active; }

static struct sockaddr_in inet(uint32_t ip, uint16_t port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(ip)};
    return a;
}

/* A new table entry for fd (the slot was checked free). */
static board_sock *add_sock(board *b, board_sock *slot, int fd, uint8_t type)
{
    if (++b->net_next_id <= 0) b->net_next_id = 1;
    *slot = (board_sock){.fd = fd, .id = b->net_next_id, .type = type};
    b->net_opened++;
    return slot;
}

/* Where a CONNECT or SENDTO to req's peer goes on the host, under the
 * policy (the gateway's services are the supervisor's own): 0, or the
 * errno the board sees. */
static int peer_of(board *b, const vb_net_req *req, struct sockaddr_in *to)
{
    bool ntp = req->type == VB_NET_UDP && vb_netpolicy_gateway_ntp(req->ip, req->port);
    bool mip = req->type == VB_NET_TCP && board_mip_port(b) && req->ip == VB_WIFI_DHCP_GW && req->port == 80;
    int e = !link_up(b) ? EHOSTUNREACH : ntp || mip ? 0 : vb_netpolicy_check_peer(&b->net, req->ip);
    if (e) {
        b->net_refused++;
        return e;
    }
    if (req->port == 0) return EINVAL;
    *to = ntp   ? inet(0x7F000001u, b->ntp_port)
        : mip ? inet(0x7F000001u, board_mip_port(b))
              : inet(req->ip, req->port);
    return 0;
}

static int do_connect(board *b, const vb_net_req *req, vb_net_rep *rep, int *pass)
{
    struct sockaddr_in to;
    int e = peer_of(b, req, &to);
    if (e) return e;
    char f[64], ip[16];
    vb_net_format_ipv4(req->ip, ip);
    snprintf(f, sizeof f, ",\"peer\":\"%s:%u\"", ip, req->port);
    if (req->id > 0) {             /* a UDP socket pointed elsewhere */
        board_sock *s = sock_of(b, req->id);
        if (!s || s->type != VB_NET_UDP) return EBADF;
        if (connect(s->fd, (struct sockaddr *)&to, sizeof to) < 0) return errno;
        rep->id = s->id;
        return 0;
    }
    board_sock *slot = free_slot(b);
    if (!slot) return ENFILE;
    int kind = req->type == VB_NET_UDP ? SOCK_DGRAM : SOCK_STREAM;
    int fd = socket(AF_INET, kind | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return ENOBUFS;
    int rc = connect(fd, (struct sockaddr *)&to, sizeof to) < 0 ? errno : 0;
    if (rc && rc != EINPROGRESS) {
        close(fd);
        return rc;
    }
    board_sock *s = add_sock(b, slot, fd, (uint8_t)req->type);
    trace_sock(b, "net_connect", s, f);
    rep->id = s->id;
    *pass = fd;
    return rc;
}

static int do_listen(board *b, const vb_net_req *req, vb_net_rep *rep, int *pass)
{
    for (unsigned i = 0; i < VB_NET_SOCKS_MAX; i++) {
        const board_sock *o = &b->socks[i];
        if (o->fd >= 0 && o->listening && o->type == req->type && req->port && o->board_port == req->port)
            return EADDRINUSE;
    }
    board_sock *slot = free_slot(b);
    if (!slot) return ENFILE;
    int kind = req->type == VB_NET_UDP ? SOCK_DGRAM : SOCK_STREAM;
    int fd = socket(AF_INET, kind | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return ENOBUFS;
    int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in at = inet(0x7F000001u, req->port ? vb_netpolicy_host_port(&b->net, req->port) : 0);
    socklen_t len = sizeof at;
    int backlog = req->backlog < 1 ? 1 : req->backlog > BACKLOG_MAX ? BACKLOG_MAX : req->backlog;
    if (bind(fd, (struct sockaddr *)&at, sizeof at) < 0 ||
        (kind == SOCK_STREAM && listen(fd, backlog) < 0) ||
        getsockname(fd, (struct sockaddr *)&at, &len) < 0) {
        int e = errno;
        close(fd);
        return e;
    }
    board_sock *s = add_sock(b, slot, fd, (uint8_t)req->type);
    s->listening = true;
    s->board_port = req->port;
    s->host_port = ntohs(at.sin_port);
    char f[64];
    snprintf(f, sizeof f, ",\"board_port\":%u,\"host_port\":%u", s->board_port, s->host_port);
    trace_sock(b, "net_listen", s, f);
    rep->id = s->id;
    rep->port = s->host_port;
    *pass = fd;
    return 0;
}

static int do_accept(board *b, const vb_net_req *req, vb_net_rep *rep, int *pass)
{
    board_sock *l = sock_of(b, req->id);
    if (!l || !l->listening || l->type != VB_NET_TCP) return EINVAL;
    board_sock *slot = free_slot(b);
    if (!slot) return ENFILE;
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    int fd = accept4(l->fd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return errno == EWOULDBLOCK ? EAGAIN : errno;
    board_sock *s = add_sock(b, slot, fd, VB_NET_TCP);
    s->board_port = l->board_port;
    rep->id = s->id;
    rep->ip = ntohl(peer.sin_addr.s_addr);
    rep->port = ntohs(peer.sin_port);
    char f[64], ip[16];
    vb_net_format_ipv4(rep->ip, ip);
    snprintf(f, sizeof f, ",\"peer\":\"%s:%u\",\"board_port\":%u", ip, rep->port, s->board_port);
    trace_sock(b, "net_accept", s, f);
    *pass = fd;
    return 0;
}

/* A datagram from a bound UDP socket to any peer the policy allows. */
static int do_sendto(board *b, const vb_net_req *req, const void *data, size_t len)
{
    board_sock *s = sock_of(b, req->id);
    if (!s || s->type != VB_NET_UDP || !s->listening) return EBADF;
    struct sockaddr_in to;
    int e = peer_of(b, req, &to);
    if (e) return e;
    if (sendto(s->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&to, sizeof to) >= 0) return 0;
    return errno == EWOULDBLOCK ? EAGAIN : errno;
}

/* The outcome of a connect the VM saw finish (POLLOUT). */
static int do_status(board *b, const vb_net_req *req)
{
    board_sock *s = sock_of(b, req->id);
    if (!s) return EBADF;
    int e = 0;
    socklen_t len = sizeof e;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0) return errno;
    if (e) return e;
    struct sockaddr_in peer;
    len = sizeof peer;
    return getpeername(s->fd, (struct sockaddr *)&peer, &len) < 0 ? EINPROGRESS : 0;
}

#define DNS_TIMEOUT_S 4          /* under the VM's wait for an answer (vm_hal_net.c) */

/* Ask the host's resolver in a child process, which writes the address
 * (4 bytes, network order) to a pipe and ends; the answer goes out when
 * the pipe is readable (board_net_dns_done). 0, or -1 (no lookup started). */
static int start_lookup(board *b, const vb_net_req *req)
{
    int p[2];
    if (b->dns_fd >= 0 || pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* only its pipe: a socket copy here would keep a closed board
         * socket from ending (no FIN until the child did) */
        if (dup2(p[1], 3) < 0) _exit(1);
        syscall(SYS_close_range, 4u, ~0u, 0u);
        alarm(DNS_TIMEOUT_S);      /* a resolver that hangs ends with the child */
        struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
        if (getaddrinfo(req->name, NULL, &hints, &res) == 0 && res) {
            uint32_t ip = ((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr;
            if (write(3, &ip, sizeof ip) < 0) _exit(1);
        }
        _exit(0);
    }
    close(p[1]);
    b->dns_fd = p[0];
    b->dns_seq = req->seq;
    return 0;
}

static void dns_done(board *b)
{
    uint32_t ip;
    ssize_t n = read(b->dns_fd, &ip, sizeof ip);
    close(b->dns_fd);
    b->dns_fd = -1;
    vb_net_rep rep = {.seq = b->dns_seq};
    rep.ip = n == (ssize_t)sizeof ip ? ntohl(ip) : 0;
    /* the policy still decides: the address must be one the board may reach */
    rep.err = rep.ip && vb_netpolicy_check_peer(&b->net, rep.ip) == 0 ? 0 : VB_NET_EAI_FAIL;
    if (rep.err) b->net_refused++;
    if (board_firmware_runs(b)) answer(b, &rep, -1);
}

/* The gateway's NTP service: each query answered with the host's time
 * (a few a turn: the VM may flood it). */
static void ntp_service(board *b)
{
    for (int i = 0; i < 16; i++) {
        uint8_t q[512], a[VB_NTP_PACKET];
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(b->ntp_fd, q, sizeof q, MSG_DONTWAIT, (struct sockaddr *)&from, &len);
        if (n < 0) return;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t unix_us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
        if (vb_ntp_answer(q, (size_t)n, unix_us, a) &&
            sendto(b->ntp_fd, a, sizeof a, MSG_DONTWAIT, (struct sockaddr *)&from, len) == (ssize_t)sizeof a)
            b->ntp_answers++;
    }
}

void board_net_pollfds(const board *b, struct pollfd pf[BOARD_NET_POLLFDS])
{
    pf[0] = (struct pollfd){b->dns_fd, POLLIN, 0};
    pf[1] = (struct pollfd){b->ntp_fd, POLLIN, 0};
    board_mip_pollfds(b, pf + 2);
}

void board_net_poll_service(board *b, const struct pollfd pf[BOARD_NET_POLLFDS])
{
    if (pf[0].fd >= 0 && (pf[0].revents & (POLLIN | POLLHUP))) dns_done(b);
    if (pf[1].revents & POLLIN) ntp_service(b);
    board_mip_service(b, pf + 2);
}

/* Answered now (0 or an error), or 1: the host's resolver answers later. */
static int do_resolve(board *b, const vb_net_req *req, vb_net_rep *rep)
{
    int known = link_up(b) ? vb_netpolicy_resolve(&b->net, req->name, &rep->ip) : -1;
    if (known == 1) return 0;
    if (known == 0 && start_lookup(b, req) == 0) return 1;
    b->net_refused++;
    return VB_NET_EAI_FAIL;
}

static void serve(board *b, const vb_net_req *req, ssize_t n)
{
    vb_net_rep rep = {.seq = n >= 8 ? req->seq : 0};
    int pass = -1;
    b->net_requests++;
    if (!vb_net_req_ok(req, n)) {
        b->net_malformed++;
        rep.err = EINVAL;
        answer(b, &rep, -1);
        return;
    }
    switch ((vb_net_op)req->op) {
    case VB_NET_CONNECT: rep.err = do_connect(b, req, &rep, &pass); break;
    case VB_NET_LISTEN: rep.err = do_listen(b, req, &rep, &pass); break;
    case VB_NET_ACCEPT: rep.err = do_accept(b, req, &rep, &pass); break;
    case VB_NET_STATUS: rep.err = do_status(b, req); break;
    case VB_NET_SENDTO: rep.err = do_sendto(b, req, req + 1, (size_t)n - sizeof *req); break;
    case VB_NET_CLOSE: {
        board_sock *s = sock_of(b, req->id);
        if (s) end_sock(b, s, false);
        else rep.err = EBADF;
        break;
    }
    case VB_NET_RESOLVE:
        rep.err = do_resolve(b, req, &rep);
        if (rep.err == 1) return;  /* the child's answer follows */
        break;
    case VB_NET_UART: {
        int fd = req->id >= 0 ? board_uart_line(b, (unsigned)req->id) : -ENODEV;
        rep.err = fd < 0 ? -fd : 0;
        answer(b, &rep, fd);
        if (fd >= 0) close(fd);    /* the line's own ends stay with the UART */
        return;
    }
    default: rep.err = EINVAL; break;
    }
    answer(b, &rep, pass);
}

void board_net_service(board *b)
{
    /* a request and, for SENDTO, its datagram right after it */
    _Static_assert(sizeof(vb_net_req) % _Alignof(vb_net_req) == 0, "req + 1 is the datagram");
    vb_net_req msg[1 + (VB_NET_DGRAM_MAX + sizeof(vb_net_req) - 1) / sizeof(vb_net_req)];
    for (int i = 0; i < REQUESTS_PER_TURN; i++) {
        memset(msg, 0, sizeof msg[0]);
        /* MSG_TRUNC: the real length, so an oversized datagram is refused */
        ssize_t n = recv(b->net_line[0], msg, sizeof msg, MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0) return;
        if (!board_firmware_runs(b)) continue;   /* the VM that sent it is gone */
        serve(b, msg, n);          /* a longer one than msg holds: vb_net_req_ok refuses it */
    }
}

void board_net_status(const board *b, vb_json_out *out)
{
    unsigned open = 0;
    for (unsigned i = 0; i < VB_NET_SOCKS_MAX; i++) open += b->socks[i].fd >= 0;
    vb_json_str(out, "net", vb_netpolicy_mode_name(b->net.mode));
    vb_json_uint(out, "sockets", open);
}

const char *board_net_ctl(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    (void)req, (void)err, (void)errlen;
    board_net_status(b, out);
    char arr[VB_NET_SOCKS_MAX * 120 + 3];
    size_t k = 0;
    arr[k++] = '[';
    for (unsigned i = 0; i < VB_NET_SOCKS_MAX; i++) {
        const board_sock *s = &b->socks[i];
        if (s->fd < 0) continue;
        k += (size_t)snprintf(arr + k, sizeof arr - k,
                              "%s{\"id\":%d,\"type\":\"%s\",\"listening\":%s,\"board_port\":%u,\"host_port\":%u}",
                              k > 1 ? "," : "", (int)s->id, s->type == VB_NET_UDP ? "udp" : "tcp",
                              s->listening ? "true" : "false", s->board_port, s->host_port);
    }
    arr[k++] = ']';
    arr[k] = '\0';
    vb_json_raw(out, "socks", arr);
    vb_json_uint(out, "requests", b->net_requests);
    vb_json_uint(out, "refused", b->net_refused);
    vb_json_uint(out, "malformed", b->net_malformed);
    vb_json_uint(out, "opened", b->net_opened);
    vb_json_uint(out, "ntp_answers", b->ntp_answers);
    return NULL;
}
