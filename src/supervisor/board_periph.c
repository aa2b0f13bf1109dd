/* The board's side of machine.Timer, ADC and PWM (issue 16): the VM's
 * timer deadline among the board's timers, the host's ADC inputs and the
 * PWM outputs on the control socket, in the trace and the VCD.
 *
 * Everything read from the register block is the VM's word: a deadline
 * beyond the clock's range is none, a past one is signalled once (not in
 * a loop), a duty past the maximum is the maximum. */
#include "board_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/periph.h"
#include "util/boardclock.h"

/* The VM's timer deadline, board µs, 0 = none or already signalled. */
static uint64_t vm_deadline(const board *b)
{
    if (b->power != BOARD_ON || !board_firmware_runs(b)) return 0;
    return vb_periph_timer_due(&b->regs->periph, b->vm_timer_signalled, (uint64_t)VB_CLOCK_MAX_US);
}

uint64_t board_periph_deadline(const board *b) { return vm_deadline(b); }

void board_periph_tick(board *b)
{
    uint64_t d = vm_deadline(b);
    if (!d || board_now_us(b) < d) return;
    b->vm_timer_signalled = d;     /* once per deadline: the VM publishes the next */
    board_kick_vm(b);
}

/* ---- PWM: reset (board_log.c traces them) ----------------------------------- */

void board_periph_reset(board *b)
{
    uint64_t now = board_now_us(b);
    atomic_store(&b->regs->periph.timer_deadline_us, 0);
    b->vm_timer_signalled = 0;
    for (unsigned g = 0; g < VB_REG_PINS; g++) {
        vb_pwm_reg *p = &b->regs->periph.pwm[g];
        atomic_store(&p->duty_u16, 0);
        if (atomic_exchange(&p->freq_hz, 0) != 0) {
            vb_hw_event ev = {VB_EV_PWM_FREQ, (uint16_t)g, 0, now};
            board_log_pwm(b, &ev);
        }
    }
}

/* ---- control: adc, pwm ------------------------------------------------------- */

static const char *str_field(const vb_json_obj *req, const char *key)
{
    const vb_json_field *f = vb_json_get(req, key);
    return f && f->type == VB_JSON_STRING ? f->str : NULL;
}

/* Millivolts (a number or its text, decimals allowed) as µV: 0, or -1. */
static int parse_mv(const vb_json_field *f, uint32_t *uv)
{
    double mv;
    if (f->type == VB_JSON_NUMBER) {
        mv = f->num;
    } else {
        char *end;
        mv = strtod(f->str, &end);
        if (end == f->str || *end) return -1;
    }
    if (!(mv >= 0 && mv <= VB_ADC_MAX_UV / 1000.0)) return -1;
    *uv = (uint32_t)(mv * 1000.0 + 0.5);
    return 0;
}

static void mv_text(uint32_t uv, char *buf, size_t n)
{
    snprintf(buf, n, "%u.%03u", uv / 1000, uv % 1000);
}

static void adc_reply_one(const board *b, const vb_pin_def *d, vb_json_out *out)
{
    char mv[24];
    mv_text(atomic_load(&b->regs->periph.adc_uv[d->gpio]), mv, sizeof mv);
    vb_json_str(out, "pin", d->name);
    vb_json_uint(out, "gpio", d->gpio);
    vb_json_raw(out, "mv", mv);
}

const char *board_adc_ctl(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    const vb_port *port = b->cfg->profile->port;
    const vb_port_periph *pp = port->periph;
    const char *name = str_field(req, "pin");
    const vb_json_field *mv = vb_json_get(req, "mv");
    if (!name) {
        if (mv) return "adc takes a pin before the millivolts (adc PIN MV)";
        /* every ADC input and what the host puts on it */
        char list[1200];
        size_t n = 0;
        list[n++] = '{';
        for (unsigned i = 0; i < pp->n_adc_inputs && n < sizeof list - 64; i++) {
            const vb_pin_def *d = vb_port_pin_by_gpio(port, pp->adc_inputs[i].gpio);
            if (!d || (d->flags & VB_PIN_CPU_ONLY)) continue;
            char v[24];
            mv_text(atomic_load(&b->regs->periph.adc_uv[d->gpio]), v, sizeof v);
            n += (size_t)snprintf(list + n, sizeof list - n, "%s\"%s\":%s", n > 1 ? "," : "", d->name, v);
        }
        snprintf(list + n, sizeof list - n, "}");
        vb_json_raw(out, "adc", list);
        return NULL;
    }
    const vb_pin_def *d = vb_port_pin(port, name);
    if (!d || !vb_periph_adc_input(pp, d->gpio)) {
        snprintf(err, errlen, "'%.40s' is not an ADC input of the %s board", name, b->cfg->profile->name);
        return err;
    }
    if (mv) {
        uint32_t uv;
        if (parse_mv(mv, &uv) < 0) return "adc takes millivolts from 0 to 5000 (e.g. 1650 or 1650.5)";
        atomic_store(&b->regs->periph.adc_uv[d->gpio], uv);
        char f[64], t[24];
        mv_text(uv, t, sizeof t);
        snprintf(f, sizeof f, ",\"pin\":\"%s\",\"mv\":%s", d->name, t);
        board_trace(b, "adc", f);
    }
    adc_reply_one(b, d, out);
    return NULL;
}

static void pwm_fields(const board *b, unsigned gpio, uint32_t *freq, uint32_t *duty)
{
    const vb_pwm_reg *p = &b->regs->periph.pwm[gpio];
    *freq = atomic_load(&p->freq_hz);
    *duty = *freq ? vb_pwm_duty(p) : 0;
}

const char *board_pwm_ctl(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    const vb_port *port = b->cfg->profile->port;
    const char *name = str_field(req, "pin");
    uint32_t freq, duty;
    if (name) {
        const vb_pin_def *d = vb_port_pin(port, name);
        if (!d) {
            snprintf(err, errlen, "no pin '%.40s' on the %s board", name, b->cfg->profile->name);
            return err;
        }
        pwm_fields(b, d->gpio, &freq, &duty);
        vb_json_str(out, "pin", d->name);
        vb_json_uint(out, "gpio", d->gpio);
        vb_json_bool(out, "active", freq != 0);
        vb_json_uint(out, "freq", freq);
        vb_json_uint(out, "duty_u16", duty);
        return NULL;
    }
    /* every running output: {"PIN": {"freq": HZ, "duty_u16": D}, ...} */
    char list[2400];
    size_t n = 0;
    list[n++] = '{';
    for (unsigned i = 0; i < port->n_pins && n < sizeof list - 96; i++) {
        pwm_fields(b, port->pins[i].gpio, &freq, &duty);
        if (!freq) continue;
        n += (size_t)snprintf(list + n, sizeof list - n, "%s\"%s\":{\"freq\":%u,\"duty_u16\":%u}",
                              n > 1 ? "," : "", port->pins[i].name, freq, duty);
    }
    snprintf(list + n, sizeof list - n, "}");
    vb_json_raw(out, "pwm", list);
    return NULL;
}
