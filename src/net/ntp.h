/* The board's gateway answers NTP (issue 13 §3: ntptime's time source is
 * the supervisor's, host time by default): one SNTP server answer
 * (RFC 5905 §7.3, RFC 4330) to a client's query. Pure. */
#ifndef VB_NET_NTP_H
#define VB_NET_NTP_H

#include <stddef.h>
#include <stdint.h>

#define VB_NTP_PACKET 48
#define VB_NTP_PORT 123

/* The answer to query q[0..n) at host time unix_us (µs since 1970) into
 * out: VB_NTP_PACKET, or 0 when q is not a client's query (too short,
 * mode not 3, version not 1-4). */
size_t vb_ntp_answer(const uint8_t *q, size_t n, uint64_t unix_us, uint8_t out[VB_NTP_PACKET]);

#endif
