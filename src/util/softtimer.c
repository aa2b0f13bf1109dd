/* machine.Timer's schedule (softtimer.h). */
#include "softtimer.h"

#include <string.h>

void vb_softtimers_init(vb_softtimers *q) { memset(q, 0, sizeof *q); }

int vb_softtimer_add(vb_softtimers *q, int64_t deadline, int64_t period)
{
    for (int i = 0; i < VB_SOFTTIMER_MAX; i++) {
        if (q->t[i].used) continue;
        q->t[i] = (vb_softtimer){true, deadline, period > 0 ? period : 0, q->seq++};
        return i;
    }
    return -1;
}

void vb_softtimer_cancel(vb_softtimers *q, int slot)
{
    if (slot >= 0 && slot < VB_SOFTTIMER_MAX) q->t[slot].used = false;
}

/* The earliest armed slot (ties: armed first), or -1. */
static int earliest(const vb_softtimers *q)
{
    int best = -1;
    for (int i = 0; i < VB_SOFTTIMER_MAX; i++) {
        const vb_softtimer *t = &q->t[i];
        if (!t->used) continue;
        if (best < 0 || t->deadline < q->t[best].deadline ||
            (t->deadline == q->t[best].deadline && t->seq < q->t[best].seq))
            best = i;
    }
    return best;
}

int64_t vb_softtimer_next(const vb_softtimers *q)
{
    int i = earliest(q);
    return i < 0 ? VB_SOFTTIMER_NONE : q->t[i].deadline;
}

int vb_softtimer_take(vb_softtimers *q, int64_t now, bool *expired)
{
    int i = earliest(q);
    *expired = false;
    if (i < 0 || q->t[i].deadline > now) return -1;
    vb_softtimer *t = &q->t[i];
    if (t->period == 0) {
        t->used = false;
        *expired = true;
        return i;
    }
    /* far behind: skip whole periods, keeping the phase */
    int64_t behind = now - t->deadline;
    if (behind >= VB_SOFTTIMER_CATCHUP * t->period) t->deadline += behind / t->period * t->period;
    t->deadline = t->deadline > INT64_MAX - t->period ? INT64_MAX : t->deadline + t->period;
    t->seq = q->seq++;
    return i;
}
