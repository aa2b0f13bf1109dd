/* The electrical model of a pin: what level it shows given the firmware's
 * driver, the host's drive and the pull (issue 5, boot.md §1). Pure: used
 * by the supervisor (control channel, VCD) and the VM side of the HAL. */
#ifndef VB_CONTRACT_PINS_H
#define VB_CONTRACT_PINS_H

#include "contract/hw_types.h"
#include "contract/regs.h"

/* Who decides a pin's level. */
typedef enum vb_pin_driver {
    VB_DRIVER_NONE,        /* floating: reads 0, shown as 'z' */
    VB_DRIVER_FIRMWARE,    /* an output (or open drain pulling low) */
    VB_DRIVER_HOST,        /* the control channel drives it */
    VB_DRIVER_PULL,        /* the pull resistor */
} vb_pin_driver;

static inline vb_pin_driver vb_pin_driver_of(const vb_pin_reg *p)
{
    if (p->mode == VB_PIN_MODE_OUT) return VB_DRIVER_FIRMWARE;
    if (p->mode == VB_PIN_MODE_OPEN_DRAIN && p->latch == 0) return VB_DRIVER_FIRMWARE;
    if (p->ext != VB_EXT_FLOAT) return VB_DRIVER_HOST;
    if (p->pull != VB_PIN_PULL_NONE) return VB_DRIVER_PULL;
    return VB_DRIVER_NONE;
}

/* The level, 0 or 1. A push-pull output wins over the host (the host's
 * drive is then contention, reported by the control channel). */
static inline int vb_pin_level(const vb_pin_reg *p)
{
    switch (vb_pin_driver_of(p)) {
    case VB_DRIVER_FIRMWARE: return p->mode == VB_PIN_MODE_OUT ? (p->latch & 1) : 0;
    case VB_DRIVER_HOST: return p->ext == VB_EXT_HIGH;
    case VB_DRIVER_PULL: return p->pull == VB_PIN_PULL_UP;
    default: return 0;
    }
}

/* The level as the trace and the VCD show it: 0, 1, or 2 while nothing
 * drives the pin ('z'). */
static inline unsigned vb_pin_shown(const vb_pin_reg *p)
{
    return vb_pin_driver_of(p) == VB_DRIVER_NONE ? 2u : (unsigned)vb_pin_level(p);
}

/* Latch an edge from `before` to `after` on gpio if its IRQ is armed for
 * it; returns true when one was latched (the VM should be interrupted). */
static inline bool vb_pin_latch_edge(vb_regs *r, unsigned gpio, int before, int after)
{
    if (gpio >= VB_REG_PINS || before == after) return false;
    unsigned want = after ? VB_PIN_IRQ_RISING : VB_PIN_IRQ_FALLING;
    if (!(r->pins[gpio].irq_arm & want)) return false;
    unsigned bit = 2 * gpio + (after ? 0 : 1);
    atomic_fetch_or(&r->irq_pending[bit / 64], (uint64_t)1 << (bit % 64));
    return true;
}

#endif
