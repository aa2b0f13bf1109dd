/* The VM's side of machine.bitstream (engine/hal.h bitstream): the bytes
 * cut into requests on the bus line (contract/busmsg.h, kind
 * VB_BUS_KIND_BITSTREAM), each carrying the pin and the timing, START on
 * the first, STOP (the latch) on the last, each answered at once. */
#include "vm_hal.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "contract/busmsg.h"
#include "util/le.h"

#define CHUNK (VB_BUS_DATA_MAX - VB_BITSTREAM_HEADER)

static int hal_bitstream(void *ctx, unsigned gpio, const uint32_t timing_ns[4], const uint8_t *buf, size_t n)
{
    vb_vm_hal *h = ctx;
    if (gpio > UINT8_MAX) return -EINVAL;
    vb_bus_req req;
    vb_bus_rep rep;
    bool first = true;
    do {
        size_t k = n > CHUNK ? CHUNK : n;
        memset(&req, 0, offsetof(vb_bus_req, data));
        req.kind = VB_BUS_KIND_BITSTREAM;
        req.bus = (uint8_t)gpio;
        req.flags = (uint8_t)((first ? VB_BUS_START : 0) | (k == n ? VB_BUS_STOP : 0));
        req.nwrite = (uint16_t)(VB_BITSTREAM_HEADER + k);
        for (unsigned i = 0; i < 4; i++) vb_st32(req.data + 4 * i, timing_ns[i]);
        memcpy(req.data + VB_BITSTREAM_HEADER, buf, k);
        memset(&rep, 0, sizeof rep);
        if (vb_vm_hal_bus_exchange(h, &req, &rep) < 0)
            return rep.seq == req.seq && rep.err == EINVAL ? -EINVAL : -EIO;
        buf += k, n -= k;
        first = false;
    } while (n);
    return 0;
}

void vb_vm_hal_bitstream_init(vb_vm_hal *h)
{
    if (h->fw->bus_fd >= 0) h->hal.bitstream = hal_bitstream;
}
