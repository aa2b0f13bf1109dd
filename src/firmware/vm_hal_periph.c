/* engine/hal.h's Timer, ADC and PWM calls over the register block's
 * peripheral part (contract/periph.h). */
#include "vm_hal.h"

#include "contract/hwevent.h"
#include "contract/regs.h"

#include <unistd.h>

static const vb_firmware_ctx *fw_of(void *ctx) { return ((vb_vm_hal *)ctx)->fw; }

/* The supervisor sleeps until its own next timer: a new deadline rings
 * the idle doorbell, so it looks again (a VM spinning in a busy loop
 * depends on its signal). */
static void hal_timer_deadline(void *ctx, int64_t until_us)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    uint64_t d = until_us == INT64_MAX ? 0 : until_us > 0 ? (uint64_t)until_us : 1u;
    atomic_store(&fw->regs->periph.timer_deadline_us, d);
    if (d && fw->idle_efd >= 0) {
        uint64_t one = 1;
        if (write(fw->idle_efd, &one, sizeof one) < 0) { /* saturated: already rung */ }
    }
}

static uint32_t hal_adc_read_uv(void *ctx, unsigned gpio)
{
    if (gpio >= VB_REG_PINS) return 0;
    uint32_t uv = atomic_load(&fw_of(ctx)->regs->periph.adc_uv[gpio]);
    return uv > VB_ADC_MAX_UV ? VB_ADC_MAX_UV : uv;
}

void vb_vm_hal_pwm_set(void *ctx, unsigned gpio, uint32_t freq_hz, uint32_t duty_u16)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    if (gpio >= VB_REG_PINS) return;
    vb_pwm_reg *p = &fw->regs->periph.pwm[gpio];
    if (duty_u16 > VB_PWM_DUTY_MAX) duty_u16 = VB_PWM_DUTY_MAX;
    if (freq_hz == 0) duty_u16 = 0;
    uint32_t f0 = atomic_exchange(&p->freq_hz, freq_hz);
    uint32_t d0 = atomic_exchange(&p->duty_u16, duty_u16);
    /* the duty first: a host reading the trace sees a stop as "freq 0" last */
    if (d0 != duty_u16 && freq_hz) vb_fw_event(fw, VB_EV_PWM_DUTY, gpio, duty_u16);
    if (f0 != freq_hz) vb_fw_event(fw, VB_EV_PWM_FREQ, gpio, freq_hz);
}

static void hal_uart_irq_arm(void *ctx, unsigned id, bool on)
{
    if (id >= VB_PERIPH_UARTS) return;
    _Atomic uint32_t *armed = &fw_of(ctx)->regs->periph.uart_irq_armed;
    if (on) atomic_fetch_or(armed, 1u << id);
    else atomic_fetch_and(armed, ~(1u << id));
}

static uint64_t hal_uart_rx_count(void *ctx, unsigned id)
{
    return id < VB_PERIPH_UARTS ? atomic_load(&fw_of(ctx)->regs->periph.uart_rx_bytes[id]) : 0;
}

void vb_vm_hal_periph_init(vb_vm_hal *h)
{
    h->hal.uart_irq_arm = hal_uart_irq_arm;
    h->hal.uart_rx_count = hal_uart_rx_count;
    h->hal.timer_deadline = hal_timer_deadline;
    h->hal.adc_read_uv = hal_adc_read_uv;
    h->hal.pwm_set = vb_vm_hal_pwm_set;
    vb_vm_hal_i2c_init(h);
    vb_vm_hal_spi_init(h);
    vb_vm_hal_bitstream_init(h);
}
