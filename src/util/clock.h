/* The host's monotonic clock, the one time base of every process of a
 * board: the supervisor's timers, trace stamps and power-on time, the VM's
 * board ticks and RTC, and the engine's sleeps and poll deadlines all read
 * it here, so times written into the register block by one process mean
 * the same in another (CLOCK_MONOTONIC is shared across fork).
 *
 * int64_t microseconds: deadlines are compared by signed difference
 * ("deadline - now" goes negative once it has passed) and INT64_MAX serves
 * as "never". The value is never negative and stays below 2^63 for some
 * 290,000 years of host uptime, so storing it in the register block's
 * uint64_t fields is exact. */
#ifndef VB_UTIL_CLOCK_H
#define VB_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t vb_clock_monotonic_us(void)
{
    struct timespec ts;
    /* Cannot fail for CLOCK_MONOTONIC on Linux with a valid pointer. */
    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#endif
