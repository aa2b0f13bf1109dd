/* The telnet side of an RFC 2217 serial port, as pure byte functions with no
 * I/O (the socket is tcp.c's): a filter fed any split of the host's stream
 * that keeps its state across reads, strips commands and subnegotiations,
 * undoubles IAC and produces the replies; and the IAC doubling of output.
 *
 * Options: BINARY, SGA and COM-PORT-OPTION both ways, ECHO on our side (the
 * board echoes); every other option is refused. Each COM-PORT request is
 * answered with code + 100 and the value in force, which pyserial waits for.
 * The settings are recorded and answered, not acted on: the board's UART has
 * no baud rate to be wrong about. */
#ifndef VB_LINK_RFC2217_H
#define VB_LINK_RFC2217_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VB_TELNET_SB_MAX 64    /* longer subnegotiations are ignored whole */

typedef struct vb_telnet {
    uint8_t state;             /* where in a command the last byte left us */
    uint8_t verb;              /* WILL/WONT/DO/DONT awaiting its option */
    bool cr;                   /* last data byte was CR: a NUL after it is padding */
    uint8_t sb[VB_TELNET_SB_MAX];
    size_t sb_len;
    bool sb_long;              /* overflowed: drop at SE */
    unsigned us, them;         /* enabled options, one bit each (rfc2217.c) */
    /* The COM port as the host last set it. */
    uint32_t baud;
    uint8_t datasize, parity, stopsize, flow, flow_in, brk, dtr, rts;
    uint8_t linestate_mask, modemstate_mask;
    uint64_t ignored;          /* commands and options we do not support */
} vb_telnet;

/* Replies collect here; one that does not fit whole is dropped (counted),
 * never sent in part. */
typedef struct vb_telnet_out {
    uint8_t *buf;
    size_t cap, len;
    uint64_t dropped;
} vb_telnet_out;

void vb_telnet_init(vb_telnet *t);
/* The server's opening offers (WILL/DO for the options above); marks them
 * enabled, so the client's agreement needs no answer. */
void vb_telnet_greet(vb_telnet *t, vb_telnet_out *out);
/* Filter n host bytes: data bytes go to data (which may be in: the filter
 * never outputs more than it reads) and their count is returned; replies
 * are appended to out. */
size_t vb_telnet_feed(vb_telnet *t, const uint8_t *in, size_t n, uint8_t *data, vb_telnet_out *out);
/* Double every IAC of in[0..n) into out[0..cap); returns the bytes written
 * and sets *used to the input consumed (a doubled pair is never split). */
size_t vb_telnet_escape(const uint8_t *in, size_t n, size_t *used, uint8_t *out, size_t cap);

#endif
