/* SNTP server answers (ntp.h). */
#include "net/ntp.h"

#include <string.h>

#define NTP_UNIX_DELTA 2208988800u   /* 1900-01-01 to 1970-01-01, seconds */

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* An NTP timestamp: seconds since 1900 (mod 2^32, era wrap) and a binary fraction. */
static void put_stamp(uint8_t *p, uint64_t unix_us)
{
    uint64_t secs = unix_us / 1000000u + NTP_UNIX_DELTA;
    uint64_t frac = ((unix_us % 1000000u) << 32) / 1000000u;
    put_be32(p, (uint32_t)secs);
    put_be32(p + 4, (uint32_t)frac);
}

size_t vb_ntp_answer(const uint8_t *q, size_t n, uint64_t unix_us, uint8_t out[VB_NTP_PACKET])
{
    if (n < VB_NTP_PACKET) return 0;
    unsigned vn = q[0] >> 3 & 7, mode = q[0] & 7;
    if (mode != 3 || vn < 1 || vn > 4) return 0;
    memset(out, 0, VB_NTP_PACKET);
    out[0] = (uint8_t)(vn << 3 | 4);      /* LI 0 (no warning), the client's version, mode 4 (server) */
    out[1] = 1;                           /* stratum 1: a primary reference, the host's clock */
    out[2] = q[2];                        /* poll: the client's */
    out[3] = (uint8_t)-20;                /* precision: about a microsecond */
    memcpy(out + 12, "HOST", 4);          /* reference id of a stratum-1 source */
    put_stamp(out + 16, unix_us);         /* reference */
    memcpy(out + 24, q + 40, 8);          /* originate: the client's transmit */
    put_stamp(out + 32, unix_us);         /* receive */
    put_stamp(out + 40, unix_us);         /* transmit */
    return VB_NTP_PACKET;
}
