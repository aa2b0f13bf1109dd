/* Line-rate pacing (pace.h). */
#include "pace.h"

#define UNIT 1000000u              /* credit units per byte */

/* Credit gained per µs is baud/10 bytes/s = baud/10 units (units are
 * bytes·10^6 and a second is 10^6 µs). */
static uint64_t rate(const vb_pace *p) { return p->baud / VB_PACE_BITS_PER_BYTE; }

void vb_pace_init(vb_pace *p, uint32_t baud, uint64_t now_us)
{
    *p = (vb_pace){.baud = baud, .last_us = now_us, .credit = (uint64_t)VB_PACE_BURST * UNIT};
    if (baud && rate(p) == 0) p->baud = VB_PACE_BITS_PER_BYTE;   /* at least 1 byte/s */
}

size_t vb_pace_allow(vb_pace *p, uint64_t now_us)
{
    if (!p->baud) return SIZE_MAX;
    if (now_us > p->last_us) {
        uint64_t dt = now_us - p->last_us, max = (uint64_t)VB_PACE_BURST * UNIT;
        /* a long idle spell only fills the FIFO, never more */
        p->credit = dt >= max / rate(p) ? max : p->credit + dt * rate(p);
        if (p->credit > max) p->credit = max;
        p->last_us = now_us;
    }
    return (size_t)(p->credit / UNIT);
}

void vb_pace_take(vb_pace *p, size_t n)
{
    if (!p->baud) return;
    uint64_t spend = (uint64_t)n * UNIT;
    p->credit = spend > p->credit ? 0 : p->credit - spend;
}

uint64_t vb_pace_next_us(const vb_pace *p, uint64_t now_us)
{
    if (!p->baud || p->credit >= UNIT) return now_us;
    uint64_t r = rate(p);
    uint64_t at = p->last_us + (UNIT - p->credit + r - 1) / r;
    return at > now_us ? at : now_us;
}
