/* The board's I2C line (issue 16): the VM's bus transactions go to the
 * supervisor, where the devices on the board's buses live (bus/i2cbus.h),
 * and the answers come back. Nothing of a device runs in the VM.
 *
 * Like the network line (netmsg.h) it is a SOCK_SEQPACKET socketpair made
 * before the zygote: one vb_bus_req datagram per request, one vb_bus_rep
 * back, in order. A request is one piece of bus traffic as the wires see
 * it: an optional (repeated) START, `nwrite` bytes written (after a START
 * the first is the address byte, addr << 1 | R/W), then `nread` bytes read
 * (the last one NACKed when VB_BUS_NACK_LAST), then an optional STOP. A
 * longer transfer is several requests, the START on the first and the
 * STOP on the last. The VM may write anything: the supervisor checks each
 * request (vb_i2c_req_ok) and answers EINVAL to what it cannot parse. */
#ifndef VB_CONTRACT_BUSMSG_H
#define VB_CONTRACT_BUSMSG_H

#include <stdint.h>

#define VB_BUS_MAGIC 0x56493243u   /* "VI2C" */
#define VB_BUS_DATA_MAX 512u       /* bytes written or read by one request */
#define VB_I2C_BUSES 2u            /* bus ids 0..1 */

enum {
    VB_BUS_START = 1u,             /* a START (a repeated one mid-transaction) first */
    VB_BUS_STOP = 2u,              /* a STOP last */
    VB_BUS_NACK_LAST = 4u,         /* the master NACKs the last byte it reads */
    VB_BUS_FLAGS = 7u,
};

typedef struct vb_bus_req {
    uint32_t magic;                /* VB_BUS_MAGIC */
    uint32_t seq;                  /* echoed in the answer */
    uint8_t bus;                   /* < VB_I2C_BUSES */
    uint8_t flags;                 /* VB_BUS_* */
    uint16_t nwrite;               /* <= VB_BUS_DATA_MAX */
    uint16_t nread;                /* <= VB_BUS_DATA_MAX */
    uint16_t kind;                 /* VB_BUS_KIND_*: which traffic this is */
    uint8_t data[VB_BUS_DATA_MAX]; /* the bytes written */
} vb_bus_req;

#define VB_BUS_KIND_I2C 0u         /* the I2C traffic described above */

typedef struct vb_bus_rep {
    uint32_t magic;                /* VB_BUS_MAGIC */
    uint32_t seq;                  /* the request's */
    int32_t err;                   /* 0, or EINVAL (not a request) */
    uint16_t acks;                 /* written bytes ACKed; the master stops at the first NACK */
    uint16_t nread;                /* bytes in data (the request's nread) */
    uint32_t stretch_us;           /* board µs a device held SCL low (clock stretching) */
    uint8_t data[VB_BUS_DATA_MAX]; /* the bytes read (0xFF: nobody drives SDA) */
} vb_bus_rep;

_Static_assert(sizeof(vb_bus_req) == 16 + VB_BUS_DATA_MAX, "vb_bus_req is a contract between processes");
_Static_assert(sizeof(vb_bus_rep) == 20 + VB_BUS_DATA_MAX, "vb_bus_rep is a contract between processes");

/* ---- machine.bitstream (kind VB_BUS_KIND_BITSTREAM) ----
 * One bitstream() call's bytes, as the wire carries them to the strip on a
 * pin (bus/pixels.h): `bus` is the GPIO; data starts with the timing, four
 * little-endian uint32 in ns (high and low time of a 0 bit, then of a 1
 * bit), then up to VB_BUS_DATA_MAX - VB_BITSTREAM_HEADER bytes sent MSB
 * first. A longer call is several requests in order, START on the first,
 * STOP on the last: the line then stays low and the strip latches. nread
 * is 0. The answer: err 0 (acks = the bytes taken) or EINVAL. */
#define VB_BUS_KIND_BITSTREAM 2u
#define VB_BITSTREAM_HEADER 16u

#endif
