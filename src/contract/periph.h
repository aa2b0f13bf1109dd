/* The register block's peripheral part (issue 16): machine.Timer's next
 * deadline, the ADC inputs the host sets, the PWM outputs the firmware
 * sets. Shared by the supervisor and the VM like the rest of regs.h, so
 * each field has one writer and the other side validates what it reads.
 *
 * Later peripherals append their own part here. */
#ifndef VB_CONTRACT_PERIPH_H
#define VB_CONTRACT_PERIPH_H

#include <assert.h>
#include <stdatomic.h>
#include <stdint.h>

#define VB_PERIPH_PINS 40u         /* = VB_REG_PINS (checked in regs.h) */
#define VB_ADC_MAX_UV 5000000u     /* the host cannot put more than 5 V on a pin */
#define VB_PWM_DUTY_MAX 65535u     /* duty as a 16-bit fraction (duty_u16) */
#define VB_PERIPH_UARTS 4u         /* >= VB_UARTS_MAX (checked in board/periph.h) */

/* One PWM output, written by the VM: freq_hz 0 = no PWM on this pin. */
typedef struct vb_pwm_reg {
    _Atomic uint32_t freq_hz;
    _Atomic uint32_t duty_u16;     /* 0..VB_PWM_DUTY_MAX; more is read as the max */
} vb_pwm_reg;

typedef struct vb_periph_regs {
    /* The earliest machine.Timer deadline of the running VM, board µs
     * (0 = none). Written by the VM; the supervisor interrupts the VM
     * (SIGUSR1) when it is due, and the fast clock never jumps past it. */
    _Atomic uint64_t timer_deadline_us;
    /* The voltage the host puts on each pin, µV (ctl adc); written by the
     * supervisor, read by the VM's ADC. Kept across resets: the wires
     * stay attached. */
    _Atomic uint32_t adc_uv[VB_PERIPH_PINS];
    vb_pwm_reg pwm[VB_PERIPH_PINS];
    /* UART.irq(): the UARTs whose IRQ the VM armed (bit id; written by
     * the VM, only read as a mask by the supervisor), and the bytes the
     * supervisor has put on each UART's line since it started (written by
     * the supervisor). A delivery to an armed UART interrupts the VM
     * (SIGUSR1), which sees a count that moved as received data. */
    _Atomic uint32_t uart_irq_armed;
    uint32_t uart_pad;
    _Atomic uint64_t uart_rx_bytes[VB_PERIPH_UARTS];
} vb_periph_regs;

static_assert(sizeof(vb_pwm_reg) == 8, "PWM register layout");

/* A PWM register's duty as the host may trust it. */
static inline uint32_t vb_pwm_duty(const vb_pwm_reg *p)
{
    uint32_t d = atomic_load(&p->duty_u16);
    return d > VB_PWM_DUTY_MAX ? VB_PWM_DUTY_MAX : d;
}

/* The VM's timer deadline as the supervisor may act on it (board µs, 0 =
 * none): nothing when the VM wrote 0, a time at or past `max_us` (beyond
 * the board clock), or the deadline it was already signalled for
 * (`signalled`: one signal per deadline, never a loop on a stale one). */
static inline uint64_t vb_periph_timer_due(const vb_periph_regs *r, uint64_t signalled, uint64_t max_us)
{
    uint64_t d = atomic_load(&r->timer_deadline_us);
    return d == 0 || d >= max_us || d == signalled ? 0 : d;
}

#endif
