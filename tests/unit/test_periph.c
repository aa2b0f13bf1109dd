/* Unit tests: the pure parts of Timer, ADC and PWM (issue 16): the timer
 * schedule (util/softtimer.c: order, phase, catch-up, capacity), the ADC
 * and PWM conversions and the port tables (board/periph.c), and what the
 * supervisor accepts of the VM's timer deadline (contract/periph.h). */
#include <stdbool.h>
#include <stdint.h>

#include "board/periph.h"
#include "board/port.h"
#include "check.h"
#include "contract/periph.h"
#include "util/softtimer.h"

static void test_order_and_ties(void)
{
    vb_softtimers q;
    vb_softtimers_init(&q);
    CHECK_EQ(vb_softtimer_next(&q), VB_SOFTTIMER_NONE);
    int a = vb_softtimer_add(&q, 300, 0), b = vb_softtimer_add(&q, 100, 0), c = vb_softtimer_add(&q, 100, 0);
    CHECK_EQ(vb_softtimer_next(&q), 100);
    bool exp;
    CHECK_EQ(vb_softtimer_take(&q, 99, &exp), -1);          /* nothing due yet */
    CHECK_EQ(vb_softtimer_take(&q, 1000, &exp), b);         /* equal deadlines: armed first */
    CHECK(exp);
    CHECK_EQ(vb_softtimer_take(&q, 1000, &exp), c);
    CHECK_EQ(vb_softtimer_take(&q, 1000, &exp), a);
    CHECK_EQ(vb_softtimer_take(&q, 1000, &exp), -1);
    CHECK_EQ(vb_softtimer_next(&q), VB_SOFTTIMER_NONE);
}

static void test_periodic_keeps_phase(void)
{
    vb_softtimers q;
    vb_softtimers_init(&q);
    int t = vb_softtimer_add(&q, 100, 100);
    bool exp;
    CHECK_EQ(vb_softtimer_take(&q, 130, &exp), t);          /* late by 30: next still at 200 */
    CHECK(!exp);
    CHECK_EQ(vb_softtimer_next(&q), 200);
    CHECK_EQ(vb_softtimer_take(&q, 250, &exp), t);
    CHECK_EQ(vb_softtimer_next(&q), 300);
    vb_softtimer_cancel(&q, t);
    CHECK_EQ(vb_softtimer_next(&q), VB_SOFTTIMER_NONE);
    vb_softtimer_cancel(&q, -1);                             /* out of range: nothing */
    vb_softtimer_cancel(&q, VB_SOFTTIMER_MAX);
}

static void test_catch_up_is_bounded(void)
{
    vb_softtimers q;
    vb_softtimers_init(&q);
    vb_softtimer_add(&q, 10, 10);
    bool exp;
    int calls = 0;
    while (vb_softtimer_take(&q, 1000005, &exp) >= 0) calls++;   /* a second behind a 10 µs timer */
    CHECK(calls <= VB_SOFTTIMER_CATCHUP + 1);
    CHECK(vb_softtimer_next(&q) > 1000005 && vb_softtimer_next(&q) <= 1000010);
    CHECK_EQ(vb_softtimer_next(&q) % 10, 0);                 /* still in phase */
    vb_softtimers_init(&q);
    vb_softtimer_add(&q, INT64_MAX - 5, 100);                /* no overflow past the end */
    CHECK(vb_softtimer_take(&q, INT64_MAX - 1, &exp) >= 0);
    CHECK_EQ(vb_softtimer_next(&q), INT64_MAX);
}

static void test_capacity(void)
{
    vb_softtimers q;
    vb_softtimers_init(&q);
    for (int i = 0; i < VB_SOFTTIMER_MAX; i++) CHECK_EQ(vb_softtimer_add(&q, i, 0), i);
    CHECK_EQ(vb_softtimer_add(&q, 5, 0), -1);
    vb_softtimer_cancel(&q, 7);
    CHECK_EQ(vb_softtimer_add(&q, 5, -3), 7);                /* a negative period is one-shot */
    CHECK_EQ(q.t[7].period, 0);
}

/* An hour of two periodic timers, stepping time only to the next
 * deadline (as the fast clock does): every call in order, at its time. */
static void test_an_hour_in_order(void)
{
    vb_softtimers q;
    vb_softtimers_init(&q);
    int m = vb_softtimer_add(&q, 60000000, 60000000), s = vb_softtimer_add(&q, 420000000, 420000000);
    int64_t now = 0, last = 0;
    int n[2] = {0, 0};
    bool exp;
    while ((now = vb_softtimer_next(&q)) <= 3600000000LL) {
        int i = vb_softtimer_take(&q, now, &exp);
        CHECK(i == m || i == s);
        CHECK(now >= last);
        last = now;
        n[i == s]++;
        CHECK_EQ(now % (i == m ? 60000000 : 420000000), 0);
    }
    CHECK_EQ(n[0], 60);
    CHECK_EQ(n[1], 8);
}

static void test_adc_conversions(void)
{
    CHECK_EQ(vb_adc_raw(0, 1100000, 12), 0);
    CHECK_EQ(vb_adc_raw(825000, 1100000, 12), 3071);
    CHECK_EQ(vb_adc_raw(1100000, 1100000, 12), 4095);
    CHECK_EQ(vb_adc_raw(5000000, 1100000, 12), 4095);      /* clamped at full scale */
    CHECK_EQ(vb_adc_raw(5000000, 1100000, 9), 511);
    CHECK_EQ(vb_adc_raw(1, 0, 12), 0);                       /* nonsense full scale */
    CHECK_EQ(vb_adc_u16(4095, 12), 65535);
    CHECK_EQ(vb_adc_u16(0, 12), 0);
    CHECK_EQ(vb_adc_u16(0x800, 12), 0x8008);                 /* bit replication, as upstream */
    CHECK_EQ(vb_adc_u16(511, 9), 65535);
    CHECK_EQ(vb_adc_u16(1, 7), 0);                           /* below 8 bits: refused */
    CHECK_EQ(vb_adc_raw_uv(3071, 1100000, 12), 825000);
    CHECK_EQ(vb_adc_raw_uv(4095, 3900000, 12), 3900000);
    CHECK_EQ(vb_adc_raw_uv(99999, 3900000, 12), 3900000);
}

static void test_pwm_conversions(void)
{
    CHECK_EQ(vb_pwm_u16_from_bits(512, 10), 32768);
    CHECK_EQ(vb_pwm_u16_from_bits(1023, 10), 65472);
    CHECK_EQ(vb_pwm_u16_from_bits(5000, 10), 65535);         /* clamped */
    CHECK_EQ(vb_pwm_bits_from_u16(49152, 10), 768);
    CHECK_EQ(vb_pwm_u16_from_ns(500000, 1000), 32768);       /* half of 1 ms */
    CHECK_EQ(vb_pwm_u16_from_ns(2000000, 1000), 65535);
    CHECK_EQ(vb_pwm_u16_from_ns(5, 0), 0);
    CHECK_EQ(vb_pwm_ns_from_u16(65535, 1000), 1000000);
    CHECK_EQ(vb_pwm_ns_from_u16(0, 1000), 0);
    CHECK_EQ(vb_pwm_ns_from_u16(70000, 1000), 1000000);
}

static void test_port_tables(void)
{
    for (int id = 0; id < VB_PORT_COUNT; id++) {
        const vb_port *p = vb_port_get((vb_port_id)id);
        const vb_port_periph *pp = p->periph;
        CHECK(pp != NULL);
        if (!pp) continue;
        for (unsigned i = 0; i < pp->n_adc_inputs; i++)
            CHECK(vb_port_pin_by_gpio(p, pp->adc_inputs[i].gpio) != NULL);   /* a pin of the board */
        CHECK(pp->adc_bits >= pp->adc_min_bits && pp->adc_bits <= 16 && pp->adc_min_bits >= 8);
        CHECK(pp->pwm_freq_min >= 1 && pp->pwm_freq_min <= pp->pwm_freq_max);
        CHECK(pp->pwm_freq_default == 0 || (pp->pwm_freq_default >= pp->pwm_freq_min &&
                                            pp->pwm_freq_default <= pp->pwm_freq_max));
        CHECK(pp->pwm_channels >= 1 && pp->pwm_channels <= VB_PINS_MAX);
        for (int a = 0; a < VB_ADC_ATTENS; a++) CHECK(pp->adc_full_scale_uv[a] > 0);
    }
    CHECK(vb_periph_adc_input(&vb_periph_esp32, 34) != NULL);
    CHECK(vb_periph_adc_input(&vb_periph_esp32, 5) == NULL);
    CHECK_EQ(vb_periph_adc_input(&vb_periph_rp2, 28)->channel, 2);
}

/* What the VM writes is hostile: only a deadline in the clock's range,
 * not already signalled, is acted on; a duty past the max reads as the max. */
static void test_register_values(void)
{
    vb_periph_regs r = {0};
    const uint64_t max = (uint64_t)1 << 62;
    CHECK_EQ(vb_periph_timer_due(&r, 0, max), 0);
    atomic_store(&r.timer_deadline_us, 5000);
    CHECK_EQ(vb_periph_timer_due(&r, 0, max), 5000);
    CHECK_EQ(vb_periph_timer_due(&r, 5000, max), 0);         /* signalled once */
    atomic_store(&r.timer_deadline_us, UINT64_MAX);
    CHECK_EQ(vb_periph_timer_due(&r, 0, max), 0);
    atomic_store(&r.timer_deadline_us, max);
    CHECK_EQ(vb_periph_timer_due(&r, 0, max), 0);
    atomic_store(&r.pwm[3].duty_u16, 0xFFFFFFFFu);
    CHECK_EQ(vb_pwm_duty(&r.pwm[3]), VB_PWM_DUTY_MAX);
    atomic_store(&r.pwm[3].duty_u16, 100);
    CHECK_EQ(vb_pwm_duty(&r.pwm[3]), 100);
}

int main(void)
{
    RUN(test_order_and_ties);
    RUN(test_periodic_keeps_phase);
    RUN(test_catch_up_is_bounded);
    RUN(test_capacity);
    RUN(test_an_hour_in_order);
    RUN(test_adc_conversions);
    RUN(test_pwm_conversions);
    RUN(test_port_tables);
    RUN(test_register_values);
    return CHECK_DONE();
}
