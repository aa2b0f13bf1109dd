/* The VM's side of the I2C line (contract/busmsg.h, engine/hal.h
 * i2c_xfer): bus traffic cut into requests, each answered by the board at
 * once. Only write, recv and ppoll on the line: nothing the sandbox's
 * allow-list does not already give the VM. */
#include "vm_hal.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "contract/busmsg.h"
#include "util/clock.h"

/* The supervisor answers at once; past this (host time) it is gone. */
#define ANSWER_US 5000000

/* One request (of any kind: all are sizeof(vb_bus_req)) and its answer:
 * 0, or -EIO. A signal does not end the wait (a transaction is short; the
 * engine sees the signal at the next bytecode); an answer to an earlier
 * request a VM gave up on is skipped. */
int vb_vm_hal_bus_exchange(vb_vm_hal *h, void *req, vb_bus_rep *rep)
{
    int line = h->fw->bus_fd;
    /* every kind's record opens with magic and seq (contract/busmsg.h) */
    uint32_t magic = VB_BUS_MAGIC, seq = ++h->bus_seq;
    memcpy(req, &magic, sizeof magic);
    memcpy((uint8_t *)req + sizeof magic, &seq, sizeof seq);
    /* answers nobody waits for (to garbage the VM wrote on the line) take
     * the room ours needs: the board drops an answer that does not fit */
    while (recv(line, rep, sizeof *rep, MSG_DONTWAIT) >= 0) {}
    ssize_t w;
    do w = write(line, req, sizeof(vb_bus_req));
    while (w < 0 && errno == EINTR);
    if (w != (ssize_t)sizeof(vb_bus_req)) return -EIO;
    int64_t deadline = vb_clock_monotonic_us() + ANSWER_US;
    for (;;) {
        ssize_t n = recv(line, rep, sizeof *rep, MSG_DONTWAIT);
        if (n == (ssize_t)sizeof *rep && rep->magic == VB_BUS_MAGIC && rep->seq == seq)
            return rep->err ? -EIO : 0;
        if (n >= 0) continue;      /* a stale or torn answer */
        if (errno != EAGAIN && errno != EINTR) return -EIO;
        int64_t left = deadline - vb_clock_monotonic_us();
        if (left <= 0) return -EIO;
        struct timespec ts = {(time_t)(left / 1000000), (long)(left % 1000000) * 1000};
        struct pollfd pf = {line, POLLIN, 0};
        (void)ppoll(&pf, 1, &ts, NULL);
    }
}

static int hal_i2c_xfer(void *ctx, unsigned bus, unsigned flags, const uint8_t *w, size_t nw, uint8_t *r, size_t nr,
                        size_t *acks, uint64_t *stretch_us)
{
    vb_vm_hal *h = ctx;
    vb_bus_req req;
    vb_bus_rep rep;
    *acks = 0;
    *stretch_us = 0;
    bool first = true;
    /* the writes, then the reads, at most VB_BUS_DATA_MAX a request; the
     * START goes with the first, the STOP and the last NACK with the last */
    do {
        size_t kw = nw > VB_BUS_DATA_MAX ? VB_BUS_DATA_MAX : nw;
        size_t kr = kw < nw ? 0 : nr > VB_BUS_DATA_MAX ? VB_BUS_DATA_MAX : nr;
        bool last = kw == nw && kr == nr;
        memset(&req, 0, offsetof(vb_bus_req, data));
        req.bus = (uint8_t)bus;
        req.flags = (uint8_t)((first ? flags & VB_BUS_START : 0) | (last ? flags & (VB_BUS_STOP | VB_BUS_NACK_LAST) : 0));
        req.nwrite = (uint16_t)kw;
        req.nread = (uint16_t)kr;
        if (kw) memcpy(req.data, w, kw);   /* w, r may be NULL when there is nothing to move */
        int rc = vb_vm_hal_bus_exchange(h, &req, &rep);
        if (rc < 0) return rc;
        *acks += rep.acks;
        *stretch_us += rep.stretch_us;
        if (kr) memcpy(r, rep.data, kr);
        if (rep.acks < kw) {       /* NACKed: the master writes no more; the STOP still goes */
            if (!last && (flags & VB_BUS_STOP)) {
                memset(&req, 0, offsetof(vb_bus_req, data));
                req.bus = (uint8_t)bus;
                req.flags = VB_BUS_STOP;
                return vb_vm_hal_bus_exchange(h, &req, &rep);
            }
            return 0;
        }
        if (kw) w += kw;
        if (kr) r += kr;
        nw -= kw, nr -= kr;
        first = false;
    } while (nw || nr);
    return 0;
}

void vb_vm_hal_i2c_init(vb_vm_hal *h)
{
    if (h->fw->bus_fd >= 0) h->hal.i2c_xfer = hal_i2c_xfer;
}
