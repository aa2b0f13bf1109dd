/* The hardware event gate (evcheck.h). */
#include "evcheck.h"

#include <assert.h>
#include <stdbool.h>

#include "contract/regs.h"

#define COST_US (1000000u / VB_EV_RATE_PER_S)      /* bucket µs one record costs */
#define CAPACITY_US ((uint64_t)VB_EV_BURST * COST_US)

static_assert(1000000u % VB_EV_RATE_PER_S == 0, "a record costs a whole number of µs");
static_assert(VB_REG_PINS <= 64, "pin masks are 64 bits");

static uint64_t board_pins(uint64_t pin_mask)
{
    return pin_mask & (((uint64_t)1 << VB_REG_PINS) - 1);
}

void vb_ev_gate_init(vb_ev_gate *g, uint64_t pin_mask, uint64_t now_us)
{
    *g = (vb_ev_gate){.pin_mask = board_pins(pin_mask), .last_us = now_us,
                      .credit_us = CAPACITY_US, .filled_at_us = now_us};
}

vb_ev_verdict vb_event_check(const vb_hw_event *ev, uint64_t pin_mask)
{
    if (ev->kind == VB_EV_PIN) {
        if (ev->gpio >= VB_REG_PINS || !(board_pins(pin_mask) >> ev->gpio & 1)) return VB_EV_BAD_GPIO;
        return ev->value <= 2 ? VB_EV_ACCEPT : VB_EV_BAD_VALUE;   /* 0, 1, 2 = 'z' */
    }
    if (ev->kind == VB_EV_PWM_FREQ || ev->kind == VB_EV_PWM_DUTY) {
        if (ev->gpio >= VB_REG_PINS || !(board_pins(pin_mask) >> ev->gpio & 1)) return VB_EV_BAD_GPIO;
        return ev->kind == VB_EV_PWM_FREQ || ev->value <= VB_PWM_DUTY_MAX ? VB_EV_ACCEPT : VB_EV_BAD_VALUE;
    }
    uint32_t v = ev->value;
    bool ok;
    switch (ev->kind) {
    case VB_EV_LED: ok = v <= 0xFFFFFFu; break;
    case VB_EV_WDT_START: ok = v >= 1; break;
    case VB_EV_WDT_FEED: ok = true; break;           /* the timeout fed, informative */
    case VB_EV_STAGE: ok = v < VB_STAGE_COUNT; break;
    case VB_EV_HEARTBEAT: ok = v <= 1; break;
    case VB_EV_SANDBOX_REFUSED: ok = v <= VB_EV_SYSCALL_MAX; break;
    case VB_EV_WIFI: ok = vb_event_wifi_value_ok(v); break;
    default: return VB_EV_BAD_KIND;
    }
    if (ev->gpio != 0) return VB_EV_BAD_GPIO;
    return ok ? VB_EV_ACCEPT : VB_EV_BAD_VALUE;
}

uint64_t vb_event_time(uint64_t t_us, uint64_t last_us, uint64_t now_us)
{
    if (t_us > now_us) t_us = now_us;
    return t_us < last_us ? last_us : t_us;
}

vb_ev_verdict vb_ev_gate_admit(vb_ev_gate *g, const vb_hw_event *in, uint64_t now_us, vb_hw_event *out)
{
    if (now_us < g->filled_at_us) now_us = g->filled_at_us;
    vb_ev_verdict v = vb_event_check(in, g->pin_mask);
    if (v == VB_EV_ACCEPT) {
        uint64_t gain = now_us - g->filled_at_us;
        g->credit_us = gain >= CAPACITY_US - g->credit_us ? CAPACITY_US : g->credit_us + gain;
        g->filled_at_us = now_us;
        if (g->credit_us < COST_US) v = VB_EV_RATE;
        else g->credit_us -= COST_US;
    }
    if (v != VB_EV_ACCEPT) {
        g->dropped[v]++;
        return v;
    }
    *out = *in;
    out->t_us = g->last_us = vb_event_time(in->t_us, g->last_us, now_us);
    return VB_EV_ACCEPT;
}

uint64_t vb_ev_gate_dropped(const vb_ev_gate *g)
{
    uint64_t n = 0;
    for (unsigned i = 1; i < VB_EV_VERDICTS; i++) n += g->dropped[i];
    return n;
}
