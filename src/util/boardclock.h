/* The board clock (issue 14): the one time base of a board. Every board
 * timer reads it: ticks, sleeps, RTC, the watchdog, deep sleep, the
 * bootloader's windows, the heartbeat, the trace and the VCD.
 *
 *   board time = host monotonic µs (util/clock.h) + offset
 *
 * --clock real: the offset stays 0, board time is host time.
 * --clock fast: while the firmware executes, board time runs with the
 * host's; whenever the board is idle (the firmware waiting with a deadline,
 * deep sleep, power off with a timer, a bootloader window) or the host
 * waits for a board time, the clock jumps to the next thing due, so idle
 * time costs no wall time. A jump never goes backwards and never passes a
 * board timer: timers fire in order, at the board time they were due.
 *
 * Pure: the supervisor owns the clock and passes host time in; the VM
 * reads the offset the supervisor publishes (contract/regs.h). */
#ifndef VB_UTIL_BOARDCLOCK_H
#define VB_UTIL_BOARDCLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* "Never" for every board-time deadline below. */
#define VB_CLOCK_NEVER INT64_MAX
/* Board time never goes past this (some 146,000 years): a hostile
 * deadline cannot push the clock to where sums of times overflow. */
#define VB_CLOCK_MAX_US ((int64_t)1 << 62)

typedef enum vb_clock_mode { VB_CLOCK_REAL, VB_CLOCK_FAST } vb_clock_mode;

typedef struct vb_boardclock {
    vb_clock_mode mode;
    int64_t offset_us;         /* board − host; only grows */
    uint64_t jumps;            /* how many times it jumped */
    int64_t skipped_us;        /* board time the jumps skipped, in all */
} vb_boardclock;

/* What the board and its host are doing, for one jump decision. Every
 * field is board time; VB_CLOCK_NEVER = none. */
typedef struct vb_clock_view {
    bool idle;                 /* nothing executes: the firmware waits, or there is none */
    int64_t wait_until;        /* the board waits for this time (a sleep, a window, a wake timer) */
    int64_t host_until;        /* the host waits for this time (`advance`, a scenario's
                                  delay); once there, a hold: no jump passes it */
    int64_t next_timer;        /* the earliest board timer (watchdog, heartbeat, timeout, ...) */
} vb_clock_view;

void vb_boardclock_init(vb_boardclock *c, vb_clock_mode mode);

/* Board time at host time host_us. */
int64_t vb_boardclock_now(const vb_boardclock *c, int64_t host_us);

/* The board time the clock may jump to now, or VB_CLOCK_NEVER when it may
 * not: a fast clock, an idle board, and somebody waiting for a time (the
 * board or the host) are all needed. Timers alone do not move the clock
 * (a heartbeat would otherwise spin it at the REPL), but they bound the
 * jump: the target is the earliest of the waits and the timers. A target
 * not after now is no jump, so a host_until at or before now holds the
 * clock (the host drives time). */
int64_t vb_boardclock_target(const vb_boardclock *c, int64_t now, const vb_clock_view *v);

/* Moves the clock forward so that board time at host_us is target
 * (clamped to VB_CLOCK_MAX_US). Returns false (and changes nothing) when
 * target is not after the present. */
bool vb_boardclock_jump(vb_boardclock *c, int64_t host_us, int64_t target);

/* The earlier of two deadlines (VB_CLOCK_NEVER = none). */
static inline int64_t vb_clock_min(int64_t a, int64_t b) { return a < b ? a : b; }

#endif
