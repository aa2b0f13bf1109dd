/* The board clock's jump rules (util/boardclock.h). */
#include "util/boardclock.h"

void vb_boardclock_init(vb_boardclock *c, vb_clock_mode mode)
{
    *c = (vb_boardclock){.mode = mode};
}

int64_t vb_boardclock_now(const vb_boardclock *c, int64_t host_us)
{
    return host_us + c->offset_us;
}

int64_t vb_boardclock_target(const vb_boardclock *c, int64_t now, const vb_clock_view *v)
{
    if (c->mode != VB_CLOCK_FAST || !v->idle) return VB_CLOCK_NEVER;
    int64_t wait = vb_clock_min(v->wait_until, v->host_until);
    if (wait == VB_CLOCK_NEVER) return VB_CLOCK_NEVER;
    int64_t target = vb_clock_min(wait, v->next_timer);
    if (target > VB_CLOCK_MAX_US) target = VB_CLOCK_MAX_US;
    return target > now ? target : VB_CLOCK_NEVER;
}

bool vb_boardclock_jump(vb_boardclock *c, int64_t host_us, int64_t target)
{
    int64_t now = vb_boardclock_now(c, host_us);
    if (target > VB_CLOCK_MAX_US) target = VB_CLOCK_MAX_US;
    if (target <= now) return false;
    c->offset_us += target - now;
    c->skipped_us += target - now;
    c->jumps++;
    return true;
}
