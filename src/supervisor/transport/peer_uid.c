/* The peer socket's owner (peer_uid.h). */
#include "peer_uid.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TCP_TIME_WAIT_STATE 6   /* include/net/tcp_states.h: TCP_TIME_WAIT */

/* The client's socket: local = the peer's address, remote = ours. */
typedef struct four_tuple {
    struct sockaddr_in client;   /* its local end (our getpeername) */
    struct sockaddr_in server;   /* its remote end (our getsockname) */
} four_tuple;

/* An inet_diag address as IPv4: plain, or v4-mapped in an AF_INET6 socket. */
static bool diag_addr_is(uint8_t family, const __be32 a[4], uint32_t want)
{
    if (family == AF_INET) return a[0] == want;
    return family == AF_INET6 && a[0] == 0 && a[1] == 0 && a[2] == htonl(0xffff) && a[3] == want;
}

/* 0 found, -ESRCH found but ownerless, other negative errno: lookup failed. */
static int by_sock_diag(const four_tuple *q, uid_t *uid)
{
    int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (nl < 0) return -errno;
    struct {
        struct nlmsghdr nlh;
        struct inet_diag_req_v2 r;
    } req = {
        .nlh = {.nlmsg_len = sizeof req, .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                .nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 1},
        /* An exact lookup (no NLM_F_DUMP): the kernel finds the socket
         * whose local end is idiag_src:sport and remote end idiag_dst:dport. */
        .r = {.sdiag_family = AF_INET, .sdiag_protocol = IPPROTO_TCP, .idiag_states = ~0u,
              .id = {.idiag_sport = q->client.sin_port, .idiag_dport = q->server.sin_port,
                     .idiag_src = {q->client.sin_addr.s_addr},
                     .idiag_dst = {q->server.sin_addr.s_addr},
                     .idiag_cookie = {INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE}}},
    };
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    int rc = -ENOENT;
    if (sendto(nl, &req, sizeof req, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
        rc = -errno;
        goto out;
    }
    /* The kernel answers an exact lookup while sendto runs: the reply is
     * queued already, so this never waits. */
    union {
        struct nlmsghdr h;
        uint8_t bytes[8192];
    } buf;
    ssize_t n = recv(nl, &buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0) {
        rc = -errno;
        goto out;
    }
    int len = (int)n;
    for (struct nlmsghdr *h = &buf.h; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
        if (h->nlmsg_type == NLMSG_ERROR) {
            const struct nlmsgerr *e = NLMSG_DATA(h);
            rc = e->error < 0 ? e->error : -EPROTO;
            break;
        }
        if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
            continue;
        const struct inet_diag_msg *m = NLMSG_DATA(h);
        /* Only the socket asked for: not a listener the lookup fell back on. */
        if (m->id.idiag_sport != q->client.sin_port || m->id.idiag_dport != q->server.sin_port ||
            !diag_addr_is(m->idiag_family, m->id.idiag_src, q->client.sin_addr.s_addr) ||
            !diag_addr_is(m->idiag_family, m->id.idiag_dst, q->server.sin_addr.s_addr))
            continue;
        /* time-wait and orphaned sockets report uid 0 and no inode */
        if (m->idiag_state == TCP_TIME_WAIT_STATE || m->idiag_inode == 0) {
            rc = -ESRCH;
            break;
        }
        *uid = (uid_t)m->idiag_uid;
        rc = 0;
        break;
    }
out:
    close(nl);
    return rc;
}

/* /proc/net/tcp: "sl local rem st queues tr retrnsmt uid timeout inode",
 * addresses as the raw 32-bit value in hex, ports in host order. */
static int by_proc(const four_tuple *q, uid_t *uid)
{
    FILE *f = fopen("/proc/net/tcp", "re");
    if (!f) return -errno;
    char line[512];
    int rc = -ENOENT;
    if (!fgets(line, sizeof line, f)) goto out;          /* the header */
    while (fgets(line, sizeof line, f)) {
        unsigned la, lp, ra, rp, st;
        unsigned long u, inode;
        if (sscanf(line, " %*u: %8x:%4x %8x:%4x %2x %*x:%*x %*x:%*x %*x %lu %*d %lu", &la, &lp, &ra, &rp,
                   &st, &u, &inode) != 7)
            continue;
        if (la != q->client.sin_addr.s_addr || lp != ntohs(q->client.sin_port) ||
            ra != q->server.sin_addr.s_addr || rp != ntohs(q->server.sin_port))
            continue;
        if (st == TCP_TIME_WAIT_STATE || inode == 0) {
            rc = -ESRCH;
            break;
        }
        *uid = (uid_t)u;
        rc = 0;
        break;
    }
out:
    fclose(f);
    return rc;
}

int vb_peer_uid(int fd, uid_t *uid, char *err, size_t errlen)
{
    four_tuple q;
    socklen_t cl = sizeof q.client, sl = sizeof q.server;
    if (getpeername(fd, (struct sockaddr *)&q.client, &cl) < 0 ||
        getsockname(fd, (struct sockaddr *)&q.server, &sl) < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot read the connection's addresses: %s", strerror(e));
        return -e;
    }
    if (q.client.sin_family != AF_INET || q.server.sin_family != AF_INET) {
        snprintf(err, errlen, "not an IPv4 connection");
        return -EAFNOSUPPORT;
    }
    int rc = by_sock_diag(&q, uid);
    if (rc == 0 || rc == -ESRCH) goto done;
    int diag = rc;
    rc = by_proc(&q, uid);
    if (rc == 0 || rc == -ESRCH) goto done;
    snprintf(err, errlen, "the client's socket is in neither the kernel's socket diagnostics (%s) nor "
             "/proc/net/tcp (%s)", strerror(-diag), strerror(-rc));
    return rc < 0 ? rc : -ENOENT;
done:
    if (rc == -ESRCH) snprintf(err, errlen, "the client's socket is closed already (no owner)");
    return rc;
}
