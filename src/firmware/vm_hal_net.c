/* The VM's side of the network line (contract/netmsg.h, engine/hal.h
 * net_request and net_wait): requests to the supervisor, sockets back as
 * descriptors, and the waits on them. */
#include "vm_hal.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"

/* The supervisor answers at once; past this (host time) it is gone. */
#define ANSWER_US 5000000

static int recv_answer(int line, vb_net_rep *rep, int *fd)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct iovec iov = {rep, sizeof *rep};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
    *fd = -1;
    ssize_t n = recvmsg(line, &m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    if (n < 0) return errno == EINTR ? -EINTR : errno == EAGAIN ? 0 : -EIO;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int)))
            memcpy(fd, CMSG_DATA(c), sizeof *fd);
    if (n != (ssize_t)sizeof *rep || rep->magic != VB_NET_MAGIC) {
        if (*fd >= 0) close(*fd);
        *fd = -1;
        return -EIO;
    }
    return 1;
}

/* One message on the line: the request, then data (write(), as the
 * sandbox allows no writev). 0, -EINTR, or -EIO (the engine checks the
 * length first; no memory for the message is as bad as no board). */
static int send_request(int line, const vb_net_req *req, const void *data, size_t len)
{
    char *msg = NULL;
    if (len) {
        msg = len <= VB_NET_DGRAM_MAX ? malloc(sizeof *req + len) : NULL;
        if (!msg) return -EIO;
        memcpy(msg, req, sizeof *req);
        memcpy(msg + sizeof *req, data, len);
    }
    ssize_t w = write(line, msg ? (const void *)msg : req, sizeof *req + len);
    int e = errno;
    free(msg);
    return w < 0 ? (e == EINTR ? -EINTR : -EIO) : 0;
}

static int hal_net_request(void *ctx, vb_net_req *req, const void *data, size_t len, vb_net_rep *rep, int *fd)
{
    vb_vm_hal *h = ctx;
    int line = h->fw->net_fd;
    *fd = -1;
    req->magic = VB_NET_MAGIC;
    req->seq = ++h->net_seq;
    int sent = send_request(line, req, data, len);
    if (sent < 0) return sent;
    /* a datagram sent (even an empty one) is answered at once: its wait
     * outlasts signals, so the engine never sends it twice */
    bool sent_data = req->op == VB_NET_SENDTO;
    int64_t deadline = vb_clock_monotonic_us() + ANSWER_US;
    for (;;) {
        int got = recv_answer(line, rep, fd);
        if (got == -EINTR && sent_data) continue;
        if (got < 0) return got;
        if (got > 0 && rep->seq == req->seq) return 0;
        if (got > 0) {             /* the answer to a request a signal cut short */
            if (*fd >= 0) close(*fd);
            *fd = -1;
            continue;
        }
        int64_t left = deadline - vb_clock_monotonic_us();
        if (left <= 0) return -EIO;
        struct timespec ts = {(time_t)(left / 1000000), (long)(left % 1000000) * 1000};
        struct pollfd pf = {line, POLLIN, 0};
        if (ppoll(&pf, 1, &ts, NULL) < 0 && errno == EINTR && !sent_data) return -EINTR;
    }
}

static int hal_net_wait(void *ctx, struct pollfd *fds, unsigned n, int64_t until_us, bool wake_on_input)
{
    const vb_firmware_ctx *fw = ((vb_vm_hal *)ctx)->fw;
    enum { MAX = 64 };
    struct pollfd pf[MAX + 1];
    if (n > MAX) n = MAX;
    memcpy(pf, fds, n * sizeof *pf);
    pf[n] = (struct pollfd){wake_on_input ? fw->rx_efd : -1, POLLIN, 0};
    if (wake_on_input && vb_rx_count(fw->regs) > 0) return 0;
    struct timespec ts, *tp = NULL;
    if (until_us != INT64_MAX) {
        int64_t left = until_us - vb_regs_board_us(fw->regs);
        if (left < 0) left = 0;
        ts = (struct timespec){(time_t)(left / 1000000), (long)(left % 1000000) * 1000};
        tp = &ts;
    }
    int r = ppoll(pf, n + 1, tp, NULL);
    if (r < 0) return errno == EINTR ? -EINTR : -EIO;
    if (pf[n].revents & POLLIN) {
        uint64_t v;
        if (read(fw->rx_efd, &v, sizeof v) < 0) { /* another reader took it */ }
        r--;
    }
    for (unsigned i = 0; i < n; i++) fds[i].revents = pf[i].revents;
    return r;
}

void vb_vm_hal_net_init(vb_vm_hal *h)
{
    if (h->fw->net_fd < 0) return;
    h->hal.net_request = hal_net_request;
    h->hal.net_wait = hal_net_wait;
}
