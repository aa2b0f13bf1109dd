/* The board's network line (issue 13 §2): how a VM gets sockets without
 * ever making socket(), connect() or bind() itself.
 *
 * The supervisor opens host sockets on the board's behalf, under its
 * policy (net/netpolicy.h), and passes each descriptor to the VM with
 * SCM_RIGHTS; the VM then reads, writes and polls it directly. The
 * supervisor keeps its own copy of every descriptor it passed, so the
 * connection ends when the supervisor says: cleanly (FIN) when the VM
 * closes it or at a soft reset, abruptly (RST) when the chip loses power
 * (hard reset, deep sleep, power off).
 *
 * The line is a SOCK_SEQPACKET socketpair made before the zygote: one
 * vb_net_req datagram per request from the VM (SENDTO: with its payload
 * after it), one vb_net_rep back, in
 * order, with a descriptor attached where the op says. The VM may write
 * anything to it: the supervisor checks each request (net/netreq.h) and
 * answers EINVAL to what it cannot parse. Only one VM runs at a time;
 * requests left by a VM that has ended are thrown away with its sockets.
 *
 * Addresses are IPv4 in host byte order. Errors are MicroPython errno
 * values (the same numbers as Linux for these), positive; getaddrinfo's
 * failure is VB_NET_EAI_FAIL. */
#ifndef VB_CONTRACT_NETMSG_H
#define VB_CONTRACT_NETMSG_H

#include <stdbool.h>
#include <stdint.h>

#define VB_NET_MAGIC 0x564E4554u   /* "VNET" */
#define VB_NET_NAME_MAX 253        /* a DNS name, without the NUL */
#define VB_NET_DGRAM_MAX 65507u    /* an IPv4 UDP datagram's payload at most (SENDTO) */
/* What MicroPython's esp32 port raises when getaddrinfo fails (lwIP's
 * EAI_FAIL, 202, negated: "OSError: -202"). */
#define VB_NET_EAI_FAIL (-202)

typedef enum vb_net_op {
    /* A connected socket: TCP (the connect is started, not finished: the
     * VM polls for POLLOUT, then asks STATUS) or UDP (its default peer).
     * With id > 0, a UDP socket of the VM's is pointed at a new peer
     * instead (sendto to another address). Answer: id, fd (new only). */
    VB_NET_CONNECT = 1,
    /* TCP: a listening socket for board port `port`; UDP: a socket bound
     * to it. Answer: id, fd, and in `port` the host port it is reached at. */
    VB_NET_LISTEN,
    VB_NET_ACCEPT,             /* id: a connection waiting on it. Answer: id, fd, ip/port of the peer */
    VB_NET_STATUS,             /* id: the outcome of its connect (0 or an errno) */
    VB_NET_CLOSE,              /* id: the VM closed its copy; the supervisor ends it (FIN) */
    VB_NET_RESOLVE,            /* name: its IPv4 address, in ip */
    /* id: a UART (not the console's); answer: its line, a stream socket
     * whose far end the supervisor bridges to the host (--uart) or drains */
    VB_NET_UART,
    /* id: a UDP socket of the VM's bound to a board port (LISTEN, UDP);
     * the datagram follows the request in the same message (at most
     * VB_NET_DGRAM_MAX bytes) and goes to ip:port under the policy, the
     * socket staying open to every peer: a server answers several from
     * one socket (a CONNECT would filter all but one). Answer: err
     * (EAGAIN: the host's buffer is full; the VM waits for POLLOUT on the
     * socket and asks again). */
    VB_NET_SENDTO,
    VB_NET_OPS
} vb_net_op;

enum { VB_NET_TCP = 1, VB_NET_UDP = 2 };   /* MicroPython's SOCK_STREAM, SOCK_DGRAM */

typedef struct vb_net_req {
    uint32_t magic;            /* VB_NET_MAGIC */
    uint32_t seq;              /* echoed in the answer */
    uint16_t op;               /* vb_net_op */
    uint16_t type;             /* VB_NET_TCP / VB_NET_UDP (CONNECT, LISTEN) */
    int32_t id;                /* the VM's socket (ACCEPT, STATUS, CLOSE, SENDTO; CONNECT re-target) */
    uint32_t ip;               /* CONNECT, SENDTO: the peer */
    uint16_t port;             /* CONNECT, SENDTO: the peer's; LISTEN: the board port */
    uint16_t backlog;          /* LISTEN */
    char name[VB_NET_NAME_MAX + 1];   /* RESOLVE: NUL-terminated */
    uint8_t pad[2];
} vb_net_req;

typedef struct vb_net_rep {
    uint32_t magic;            /* VB_NET_MAGIC */
    uint32_t seq;              /* the request's */
    int32_t err;               /* 0, an errno, or VB_NET_EAI_FAIL */
    int32_t id;                /* the socket made (CONNECT, LISTEN, ACCEPT), else 0 */
    uint32_t ip;               /* RESOLVE: the address; ACCEPT: the peer's */
    uint16_t port;             /* LISTEN: the host port; ACCEPT: the peer's */
    uint8_t has_fd;            /* a descriptor is attached (SCM_RIGHTS) */
    uint8_t pad;
} vb_net_rep;

_Static_assert(sizeof(vb_net_req) == 280, "vb_net_req is a contract between processes");
_Static_assert(sizeof(vb_net_rep) == 24, "vb_net_rep is a contract between processes");

#endif
