/* A small queue of timers on one time base (board µs): machine.Timer's
 * schedule, kept apart from Python so it can be tested alone (issue 16).
 *
 * Fixed capacity, no allocation. A periodic timer keeps its phase: each
 * next deadline is the previous one plus the period (fixed rate, as the
 * ESP32's auto-reload and the RP2040's alarm pool do), not "now + period".
 * A timer that fell far behind (the firmware was busy in C for a long
 * time) catches up with at most VB_SOFTTIMER_CATCHUP calls and then skips
 * the rest, as MicroPython's scheduler queue drops what does not fit.
 * Due timers come out earliest first; equal deadlines in the order they
 * were armed. */
#ifndef VB_UTIL_SOFTTIMER_H
#define VB_UTIL_SOFTTIMER_H

#include <stdbool.h>
#include <stdint.h>

#define VB_SOFTTIMER_MAX 32        /* timers armed at once */
#define VB_SOFTTIMER_CATCHUP 8     /* MICROPY_SCHEDULER_DEPTH */
#define VB_SOFTTIMER_NONE INT64_MAX

typedef struct vb_softtimer {
    bool used;
    int64_t deadline;
    int64_t period;                /* µs, > 0 periodic; 0 one-shot */
    uint64_t seq;                  /* arming order, for ties */
} vb_softtimer;

typedef struct vb_softtimers {
    vb_softtimer t[VB_SOFTTIMER_MAX];
    uint64_t seq;
} vb_softtimers;

void vb_softtimers_init(vb_softtimers *q);

/* Arm a timer due at `deadline`, then every `period` µs (0: once; a
 * negative period is taken as 0). Returns its slot, or -1 when full. */
int vb_softtimer_add(vb_softtimers *q, int64_t deadline, int64_t period);

/* Disarm slot (out of range or free: nothing). */
void vb_softtimer_cancel(vb_softtimers *q, int slot);

/* The earliest deadline, or VB_SOFTTIMER_NONE. */
int64_t vb_softtimer_next(const vb_softtimers *q);

/* The slot of the earliest timer due at `now` (deadline <= now), which is
 * rescheduled (periodic) or disarmed (one-shot, *expired set); -1 when
 * none is due. */
int vb_softtimer_take(vb_softtimers *q, int64_t now, bool *expired);

#endif
