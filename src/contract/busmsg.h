/* The board's bus line (issue 16): the VM's bus transactions go to the
 * supervisor, where the devices on the board's buses live (bus/i2cbus.h,
 * bus/spibus.h), and the answers come back. Nothing of a device runs in
 * the VM. Every record is sizeof(vb_bus_req); `kind` says which bus it is
 * for.
 *
 * Like the network line (netmsg.h) it is a SOCK_SEQPACKET socketpair made
 * before the zygote: one datagram per request, one vb_bus_rep back, in
 * order. An I2C request is one piece of bus traffic as the wires see
 * it: an optional (repeated) START, `nwrite` bytes written (after a START
 * the first is the address byte, addr << 1 | R/W), then `nread` bytes read
 * (the last one NACKed when VB_BUS_NACK_LAST), then an optional STOP. A
 * longer transfer is several requests, the START on the first and the
 * STOP on the last. The VM may write anything: the supervisor checks each
 * request (vb_i2c_req_ok, vb_spi_req_ok) and answers EINVAL to what it
 * cannot parse. */
#ifndef VB_CONTRACT_BUSMSG_H
#define VB_CONTRACT_BUSMSG_H

#include <stddef.h>
#include <stdint.h>

#define VB_BUS_MAGIC 0x56493243u   /* "VI2C" */
#define VB_BUS_DATA_MAX 512u       /* bytes written or read by one request */
#define VB_I2C_BUSES 2u            /* bus ids 0..1 */

/* Which bus a request is for: the line carries every kind, told apart
 * here (the sandbox allows the VM this one socket, not one per bus). */
enum {
    VB_BUS_KIND_I2C = 0u,          /* vb_bus_req as below */
    VB_BUS_KIND_SPI = 1u,          /* vb_spi_req below */
    VB_BUS_KIND_BITSTREAM = 2u,    /* machine.bitstream, below */
};

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

/* ---- SPI (kind VB_BUS_KIND_SPI) ------------------------------------------------
 * One request is `n` bytes clocked full duplex on SPI bus `bus` (the port's
 * machine.SPI id), in the mode and word format of `mode` and `bits`, MOSI
 * in data; the answer (a vb_bus_rep) carries n MISO bytes (0xFF where no
 * selected device drives MISO). Chip selects and D/C are ordinary pins:
 * the request says what the VM claims their levels are now and which rose
 * or fell since its previous SPI request (a CS pulse between two transfers
 * ends a transaction). They are the VM's claims: the supervisor uses them
 * for the devices' inputs only, never as its own pin state. A longer
 * transfer is several requests. Same size as vb_bus_req, same header up to
 * `kind`; the supervisor checks each one (vb_spi_req_ok). */
#define VB_SPI_BUSES 3u            /* bus ids 0..2 (esp32 1-2, rp2 0-1) */
#define VB_SPI_DATA_MAX (VB_BUS_DATA_MAX - 40u)   /* the rest of the record after the pins */

enum {
    VB_SPI_CPHA = 1u,              /* mode bit 0: sample on the second edge */
    VB_SPI_CPOL = 2u,              /* mode bit 1: SCK idles high */
    VB_SPI_LSB_FIRST = 4u,         /* each byte's bit 0 goes first */
    VB_SPI_MODE_BITS = 7u,
};

typedef struct vb_spi_req {
    uint32_t magic;                /* VB_BUS_MAGIC */
    uint32_t seq;
    uint8_t bus;                   /* < VB_SPI_BUSES */
    uint8_t mode;                  /* VB_SPI_* */
    uint16_t n;                    /* <= VB_SPI_DATA_MAX */
    uint8_t bits;                  /* word size, 1..32 */
    uint8_t pad;
    uint16_t kind;                 /* VB_BUS_KIND_SPI */
    uint64_t levels;               /* bit g: GPIO g's level as the VM claims it */
    uint64_t floating;             /* bit g: nothing drives GPIO g (a module's pull-up holds its CS high) */
    uint64_t rose, fell;           /* bit g: GPIO g rose / fell (a floating pin counted high) since the previous SPI request */
    uint64_t rose_us;              /* board µs of the first of those rises (an EEPROM's write cycle starts then) */
    uint8_t data[VB_SPI_DATA_MAX]; /* MOSI */
} vb_spi_req;

_Static_assert(sizeof(vb_spi_req) == sizeof(vb_bus_req), "one datagram size on the line");
_Static_assert(offsetof(vb_spi_req, kind) == offsetof(vb_bus_req, kind), "kind is where I2C has it");

/* ---- machine.bitstream (kind VB_BUS_KIND_BITSTREAM) ----
 * One bitstream() call's bytes, as the wire carries them to the strip on a
 * pin (bus/pixels.h): `bus` is the GPIO; data starts with the timing, four
 * little-endian uint32 in ns (high and low time of a 0 bit, then of a 1
 * bit), then up to VB_BUS_DATA_MAX - VB_BITSTREAM_HEADER bytes sent MSB
 * first. A longer call is several requests in order, START on the first,
 * STOP on the last: the line then stays low and the strip latches. nread
 * is 0. The answer: err 0 (acks = the bytes taken) or EINVAL. */
#define VB_BITSTREAM_HEADER 16u

#endif
