/* The gate every hardware event record passes before the supervisor uses
 * it (issue 11). The records come from the firmware side over a pipe
 * (contract/hwevent.h), and device code can write any bytes to that pipe:
 * CPython is not a security boundary. So a record is hostile input until
 * this gate has taken it:
 *   - kind must be a vb_hw_event_kind; gpio must be 0, except for a pin
 *     event, whose gpio must be < VB_REG_PINS and a pin of the profile;
 *   - value must be in the kind's range (pin 0/1/2, LED 24 bits, watchdog
 *     timeout >= 1 ms, stage < VB_STAGE_COUNT, heartbeat 0/1, a Wi-Fi
 *     request's op a vb_wifi_op and its interface STA or AP);
 *   - at most VB_EV_RATE_PER_S records a second are taken, with a burst of
 *     VB_EV_BURST (a token bucket); the rest are dropped;
 *   - the record's time is clamped into [the last accepted time, the time
 *     the supervisor read it], so a forged time can move the trace and the
 *     VCD neither backwards nor into the future.
 * Pure: no I/O, no clock (the caller passes the time it read the record),
 * so the unit tests and the fuzzer link it alone. */
#ifndef VB_TRACE_EVCHECK_H
#define VB_TRACE_EVCHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "contract/hwevent.h"
#include "contract/wifi.h"

#define VB_EV_RATE_PER_S 10000u    /* records a second, sustained */
#define VB_EV_BURST 2000u          /* records taken at once after a quiet spell */

typedef enum vb_ev_verdict {
    VB_EV_ACCEPT = 0,
    VB_EV_BAD_KIND,                /* not a vb_hw_event_kind */
    VB_EV_BAD_GPIO,                /* not a pin of the board, or a gpio on a kind without one */
    VB_EV_BAD_VALUE,               /* outside the kind's range */
    VB_EV_RATE,                    /* over the rate limit */
    VB_EV_VERDICTS
} vb_ev_verdict;

typedef struct vb_ev_gate {
    uint64_t pin_mask;             /* bit g: GPIO g is a pin of the profile (g < VB_REG_PINS) */
    uint64_t last_us;              /* host µs of the last record accepted */
    uint64_t credit_us;            /* token bucket, in µs of rate: one record costs 1e6 / rate */
    uint64_t filled_at_us;         /* host µs the bucket was last topped up */
    uint64_t dropped[VB_EV_VERDICTS]; /* records refused, by verdict ([0] unused) */
} vb_ev_gate;

/* A gate for a board with these pins (bits >= VB_REG_PINS are ignored),
 * its bucket full, its time base at now_us. */
void vb_ev_gate_init(vb_ev_gate *g, uint64_t pin_mask, uint64_t now_us);

/* Kind, gpio and value of one record against the rules above (no rate, no
 * time). pin_mask as for the gate. */
vb_ev_verdict vb_event_check(const vb_hw_event *ev, uint64_t pin_mask);

/* A VB_EV_WIFI value: a known op, the STA or AP interface (any seq). */
static inline bool vb_event_wifi_value_ok(uint32_t v)
{
    return VB_WIFI_EV_OP(v) >= VB_WIFI_OP_ACTIVE && VB_WIFI_EV_OP(v) <= VB_WIFI_OP_LAST &&
           VB_WIFI_EV_IFACE(v) <= VB_WIFI_AP;
}

/* t_us clamped into [last_us, now_us] (last_us when last_us > now_us). */
uint64_t vb_event_time(uint64_t t_us, uint64_t last_us, uint64_t now_us);

/* One record read at host time now_us: VB_EV_ACCEPT with the record to use
 * in *out (its time clamped), or why it was dropped (counted in the gate;
 * *out untouched). A now_us earlier than a previous call's is taken as
 * that one's. */
vb_ev_verdict vb_ev_gate_admit(vb_ev_gate *g, const vb_hw_event *in, uint64_t now_us, vb_hw_event *out);

/* Records dropped so far, every verdict together. */
uint64_t vb_ev_gate_dropped(const vb_ev_gate *g);

#endif
