/* Unit tests: the board clock's jump rules (src/util/boardclock.c). A real
 * clock never jumps; a fast one jumps only when the board is idle and
 * somebody waits for a time, never backwards, never past a timer; a
 * simulated hour of sleeps with timers on the way fires every timer in
 * order; hostile deadlines are clamped. */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "util/boardclock.h"

#define NEVER VB_CLOCK_NEVER

static vb_clock_view view(bool idle, int64_t wait, int64_t host, int64_t timer)
{
    return (vb_clock_view){.idle = idle, .wait_until = wait, .host_until = host, .next_timer = timer};
}

static void test_real_never_jumps(void)
{
    vb_boardclock c;
    vb_boardclock_init(&c, VB_CLOCK_REAL);
    vb_clock_view v = view(true, 5000, 7000, NEVER);
    CHECK_EQ(vb_boardclock_target(&c, 1000, &v), NEVER);
    CHECK_EQ(vb_boardclock_now(&c, 1234), 1234);
}

static void test_fast_rules(void)
{
    vb_boardclock c;
    vb_boardclock_init(&c, VB_CLOCK_FAST);
    vb_clock_view v = view(false, 5000, NEVER, NEVER);
    CHECK_EQ(vb_boardclock_target(&c, 1000, &v), NEVER);        /* executing: no jump */
    v = view(true, NEVER, NEVER, 3000);
    CHECK_EQ(vb_boardclock_target(&c, 1000, &v), NEVER);        /* a timer alone: no jump */
    v = view(true, 5000, NEVER, NEVER);
    CHECK_EQ(vb_boardclock_target(&c, 1000, &v), 5000);         /* the board's own wait */
    v = view(true, NEVER, 7000, NEVER);
    CHECK_EQ(vb_boardclock_target(&c, 1000, &v), 7000);         /* the host's wait */
    v = view(true, 5000, 7000, 3000);
    CHECK_EQ(vb_boardclock_target(&c, 1000, &v), 3000);         /* a timer bounds the jump */
    v = view(true, 9000, 7000, NEVER);
    CHECK_EQ(vb_boardclock_target(&c, 1000, &v), 7000);         /* the earlier wait */
    v = view(true, 900, NEVER, NEVER);
    CHECK_EQ(vb_boardclock_target(&c, 1000, &v), NEVER);        /* already past: no jump */
    v = view(true, 1000, NEVER, NEVER);
    CHECK_EQ(vb_boardclock_target(&c, 1000, &v), NEVER);        /* now: no jump */
    v = view(true, 5000, 1000, NEVER);
    CHECK_EQ(vb_boardclock_target(&c, 1000, &v), NEVER);        /* the host holds it here */
    v = view(true, 5000, 400, NEVER);
    CHECK_EQ(vb_boardclock_target(&c, 1000, &v), NEVER);        /* a hold in the past too */
}

static void test_never_backwards(void)
{
    vb_boardclock c;
    vb_boardclock_init(&c, VB_CLOCK_FAST);
    CHECK(vb_boardclock_jump(&c, 100, 10000));
    CHECK_EQ(vb_boardclock_now(&c, 100), 10000);
    CHECK_EQ(vb_boardclock_now(&c, 150), 10050);                /* then runs with the host */
    CHECK(!vb_boardclock_jump(&c, 150, 10050));
    CHECK(!vb_boardclock_jump(&c, 150, 5));
    CHECK(!vb_boardclock_jump(&c, 150, INT64_MIN));
    CHECK_EQ(vb_boardclock_now(&c, 150), 10050);
    CHECK_EQ(c.jumps, 1);
    CHECK_EQ(c.skipped_us, 9900);
}

static void test_hostile_deadline(void)
{
    vb_boardclock c;
    vb_boardclock_init(&c, VB_CLOCK_FAST);
    vb_clock_view v = view(true, INT64_MAX - 1, NEVER, NEVER);
    int64_t t = vb_boardclock_target(&c, 0, &v);
    CHECK_EQ(t, VB_CLOCK_MAX_US);
    CHECK(vb_boardclock_jump(&c, 0, t));
    CHECK_EQ(vb_boardclock_now(&c, 0), VB_CLOCK_MAX_US);
    /* at the end of time nothing moves it further */
    CHECK_EQ(vb_boardclock_target(&c, VB_CLOCK_MAX_US, &v), NEVER);
    CHECK(!vb_boardclock_jump(&c, 0, INT64_MAX));
    /* and sums of board times stay far from overflow */
    CHECK(vb_boardclock_now(&c, 0) + ((int64_t)1 << 61) > 0);
}

/* An hour of `time.sleep(1)` under a watchdog fed every 10 s (10.5 s timeout) and a
 * heartbeat every 4 s: each jump lands exactly on the next thing due, in
 * order, and an hour of board time needs no host time at all. */
static void test_an_hour_in_order(void)
{
    vb_boardclock c;
    vb_boardclock_init(&c, VB_CLOCK_FAST);
    const int64_t host = 777;                  /* the host clock stands still */
    int64_t sleep_end = 1000000, heartbeat = 4000000, wdt = 10500000;
    int64_t last = vb_boardclock_now(&c, host);
    unsigned sleeps = 0, beats = 0, feeds = 0, out_of_order = 0;
    while (vb_boardclock_now(&c, host) < 3600000000) {
        int64_t now = vb_boardclock_now(&c, host);
        vb_clock_view v = view(true, sleep_end, NEVER, vb_clock_min(heartbeat, wdt));
        int64_t t = vb_boardclock_target(&c, now, &v);
        if (t == NEVER || !vb_boardclock_jump(&c, host, t)) break;
        now = vb_boardclock_now(&c, host);
        if (now < last) out_of_order++;
        last = now;
        /* whatever is due now fires; nothing due was passed over */
        if (now > heartbeat || now > wdt || now > sleep_end) out_of_order++;
        if (now == heartbeat) beats++, heartbeat += 4000000;
        if (now == wdt) out_of_order++;        /* the feed below always comes first */
        if (now == sleep_end) {
            sleeps++;
            sleep_end = now + 1000000;
            if (sleeps % 10 == 0) feeds++, wdt = now + 10500000;
        }
    }
    CHECK_EQ(out_of_order, 0);
    CHECK_EQ(sleeps, 3600);
    CHECK_EQ(beats, 900);
    CHECK_EQ(feeds, 360);
    CHECK_EQ(vb_boardclock_now(&c, host), 3600000000);
    CHECK_EQ(c.jumps, 3600);   /* each beat falls on a whole second: it shares that jump */
}

int main(void)
{
    RUN(test_real_never_jumps);
    RUN(test_fast_rules);
    RUN(test_never_backwards);
    RUN(test_hostile_deadline);
    RUN(test_an_hour_in_order);
    return CHECK_DONE();
}
