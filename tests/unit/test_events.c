/* The hardware event gate (src/trace/evcheck.h): records the firmware side
 * sends are hostile input; every rule of the gate, both ways, and the
 * register block's reset at a hard boot (contract/regs.h). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "contract/regs.h"
#include "trace/evcheck.h"
#include "trace/vcd.h"

#define PINS ((uint64_t)1 << 2 | (uint64_t)1 << 12 | (uint64_t)1 << 39)

static vb_hw_event rec(unsigned kind, unsigned gpio, uint32_t value, uint64_t t)
{
    return (vb_hw_event){(uint16_t)kind, (uint16_t)gpio, value, t};
}

static void test_kinds(void)
{
    vb_hw_event e = rec(0, 0, 0, 0);
    CHECK_EQ(vb_event_check(&e, PINS), VB_EV_BAD_KIND);
    e = rec(VB_EV_KIND_LAST + 1, 0, 0, 0);
    CHECK_EQ(vb_event_check(&e, PINS), VB_EV_BAD_KIND);
    e = rec(0xFFFF, 0, 0, 0);
    CHECK_EQ(vb_event_check(&e, PINS), VB_EV_BAD_KIND);
    for (unsigned k = VB_EV_PIN; k <= VB_EV_KIND_LAST; k++) {
        e = rec(k, k == VB_EV_PIN || k == VB_EV_PWM_FREQ || k == VB_EV_PWM_DUTY ? 12 : 0,
                k == VB_EV_WDT_START ? 1 : k == VB_EV_WIFI ? VB_WIFI_EV_VALUE(VB_WIFI_OP_CONNECT, 0, 7) : 0, 0);
        CHECK_EQ(vb_event_check(&e, PINS), VB_EV_ACCEPT);
    }
}

static void test_gpio(void)
{
    vb_hw_event e = rec(VB_EV_PIN, 39, 1, 0);
    CHECK_EQ(vb_event_check(&e, PINS), VB_EV_ACCEPT);
    e.gpio = 40;                                  /* >= VB_REG_PINS */
    CHECK_EQ(vb_event_check(&e, PINS | ~(uint64_t)0), VB_EV_BAD_GPIO);
    e.gpio = 0xFFFF;
    CHECK_EQ(vb_event_check(&e, ~(uint64_t)0), VB_EV_BAD_GPIO);
    e.gpio = 3;                                   /* not a pin of the profile */
    CHECK_EQ(vb_event_check(&e, PINS), VB_EV_BAD_GPIO);
    e = rec(VB_EV_LED, 1, 0, 0);                  /* kinds without a gpio take 0 only */
    CHECK_EQ(vb_event_check(&e, PINS), VB_EV_BAD_GPIO);
}

static void test_values(void)
{
    struct { unsigned kind, gpio; uint32_t ok, bad; } t[] = {
        {VB_EV_PIN, 2, 2, 3},
        {VB_EV_LED, 0, 0xFFFFFF, 0x1000000},
        {VB_EV_WDT_START, 0, 1, 0},
        {VB_EV_STAGE, 0, VB_STAGE_COUNT - 1, VB_STAGE_COUNT},
        {VB_EV_HEARTBEAT, 0, 1, 2},
        {VB_EV_SANDBOX_REFUSED, 0, VB_EV_SYSCALL_MAX, VB_EV_SYSCALL_MAX + 1},
        {VB_EV_WIFI, 0, VB_WIFI_EV_VALUE(VB_WIFI_OP_LAST, VB_WIFI_AP, 0xFFFF),
         VB_WIFI_EV_VALUE(VB_WIFI_OP_LAST + 1, VB_WIFI_STA, 0)},
        {VB_EV_WIFI, 0, VB_WIFI_EV_VALUE(VB_WIFI_OP_ACTIVE, VB_WIFI_STA, 0),
         VB_WIFI_EV_VALUE(VB_WIFI_OP_ACTIVE, 2, 0)},       /* no third interface */
        {VB_EV_WIFI, 0, VB_WIFI_EV_VALUE(VB_WIFI_OP_ACTIVE, VB_WIFI_STA, 1), 0},   /* op 0 */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        vb_hw_event e = rec(t[i].kind, t[i].gpio, t[i].ok, 0);
        CHECK_EQ(vb_event_check(&e, PINS), VB_EV_ACCEPT);
        e.value = t[i].bad;
        CHECK_EQ(vb_event_check(&e, PINS), VB_EV_BAD_VALUE);
        e.value = UINT32_MAX;
        if (t[i].kind != VB_EV_WDT_START) CHECK_EQ(vb_event_check(&e, PINS), VB_EV_BAD_VALUE);
    }
    vb_hw_event e = rec(VB_EV_WDT_FEED, 0, UINT32_MAX, 0);
    CHECK_EQ(vb_event_check(&e, PINS), VB_EV_ACCEPT);
}

static void test_time_is_clamped(void)
{
    CHECK_EQ(vb_event_time(50, 100, 200), 100);   /* backwards: the last time */
    CHECK_EQ(vb_event_time(150, 100, 200), 150);
    CHECK_EQ(vb_event_time(UINT64_MAX, 100, 200), 200);   /* the future: now */
    CHECK_EQ(vb_event_time(0, 300, 200), 300);

    vb_ev_gate g;
    vb_ev_gate_init(&g, PINS, 1000);
    vb_hw_event out = {0}, e = rec(VB_EV_PIN, 2, 1, 0);
    CHECK_EQ(vb_ev_gate_admit(&g, &e, 2000, &out), VB_EV_ACCEPT);
    CHECK_EQ(out.t_us, 1000);                     /* before the gate's time base */
    e.t_us = UINT64_MAX;
    CHECK_EQ(vb_ev_gate_admit(&g, &e, 2000, &out), VB_EV_ACCEPT);
    CHECK_EQ(out.t_us, 2000);
    e.t_us = 1500;                                /* behind the last accepted */
    CHECK_EQ(vb_ev_gate_admit(&g, &e, 2100, &out), VB_EV_ACCEPT);
    CHECK_EQ(out.t_us, 2000);
    e.t_us = 2050;
    CHECK_EQ(vb_ev_gate_admit(&g, &e, 2100, &out), VB_EV_ACCEPT);
    CHECK_EQ(out.t_us, 2050);
    CHECK_EQ(out.kind, VB_EV_PIN);
    CHECK_EQ(out.gpio, 2);
    CHECK_EQ(out.value, 1);
    /* a now that goes backwards is taken as the last one */
    e.t_us = 0;
    CHECK_EQ(vb_ev_gate_admit(&g, &e, 10, &out), VB_EV_ACCEPT);
    CHECK_EQ(out.t_us, 2050);
    CHECK_EQ(vb_ev_gate_dropped(&g), 0);
}

static void test_rate_limit(void)
{
    vb_ev_gate g;
    vb_ev_gate_init(&g, PINS, 0);
    vb_hw_event out, e = rec(VB_EV_WDT_FEED, 0, 5, 0);
    unsigned taken = 0;
    for (unsigned i = 0; i < 3 * VB_EV_BURST; i++) taken += vb_ev_gate_admit(&g, &e, 0, &out) == VB_EV_ACCEPT;
    CHECK_EQ(taken, VB_EV_BURST);                 /* the burst, then nothing at the same instant */
    CHECK_EQ(g.dropped[VB_EV_RATE], 2 * VB_EV_BURST);
    /* one second later: one second's worth (capped at the burst) */
    taken = 0;
    for (unsigned i = 0; i < 3 * VB_EV_BURST; i++)
        taken += vb_ev_gate_admit(&g, &e, 1000000, &out) == VB_EV_ACCEPT;
    CHECK_EQ(taken, VB_EV_BURST);
    /* sustained: one record per 1e6/rate µs is always taken */
    uint64_t t = 2000000;
    taken = 0;
    for (unsigned i = 0; i < 5 * VB_EV_RATE_PER_S; i++) {
        t += 1000000u / VB_EV_RATE_PER_S;
        taken += vb_ev_gate_admit(&g, &e, t, &out) == VB_EV_ACCEPT;
    }
    CHECK_EQ(taken, 5 * VB_EV_RATE_PER_S);
    /* bad records do not spend the budget, and are counted by reason */
    vb_ev_gate_init(&g, PINS, 0);
    vb_hw_event bad = rec(77, 0, 0, 0);
    for (unsigned i = 0; i < 10 * VB_EV_BURST; i++) vb_ev_gate_admit(&g, &bad, 0, &out);
    CHECK_EQ(g.dropped[VB_EV_BAD_KIND], 10 * VB_EV_BURST);
    CHECK_EQ(vb_ev_gate_admit(&g, &e, 0, &out), VB_EV_ACCEPT);
    CHECK_EQ(vb_ev_gate_dropped(&g), 10 * VB_EV_BURST);
    /* a huge jump in time neither overflows nor grows the bucket past the burst */
    taken = 0;
    for (unsigned i = 0; i < 2 * VB_EV_BURST; i++)
        taken += vb_ev_gate_admit(&g, &e, UINT64_MAX, &out) == VB_EV_ACCEPT;
    CHECK_EQ(taken, VB_EV_BURST);
}

static void test_gate_ignores_pins_beyond_the_block(void)
{
    vb_ev_gate g;
    vb_ev_gate_init(&g, ~(uint64_t)0, 0);
    CHECK_EQ(g.pin_mask, ((uint64_t)1 << VB_REG_PINS) - 1);
}

static void test_regs_reinit(void)
{
    vb_regs *r = malloc(sizeof *r);
    CHECK(r != NULL);
    if (!r) return;
    vb_regs_init(r);
    r->rtc_offset_us = 12345;
    r->rtc_mem_len = 3;
    memcpy(r->rtc_mem, "abc", 3);
    r->boot_count = 7;
    r->flash_ops = 99;
    r->pins[4].ext = VB_EXT_HIGH;
    atomic_store(&r->rx_head, 10);
    atomic_store(&r->rx_tail, 7);                 /* 3 unread bytes survive */
    vb_regs_reinit_hard_reset(r);
    CHECK_EQ(r->rtc_offset_us, 12345);
    CHECK_EQ(r->rtc_mem_len, 3);
    CHECK_MEM(r->rtc_mem, "abc", 3);
    CHECK_EQ(r->boot_count, 7);
    CHECK_EQ(r->flash_ops, 99);
    CHECK_EQ(r->pins[4].ext, VB_EXT_HIGH);
    CHECK_EQ(vb_rx_count(r), 3);

    /* now as a hostile VM leaves it */
    memset(r, 0xA5, offsetof(vb_regs, rtc_mem));
    vb_regs_reinit_hard_reset(r);
    CHECK_EQ(r->magic, VB_REGS_MAGIC);
    CHECK_EQ(r->version, VB_REGS_VERSION);
    CHECK_EQ(r->size, sizeof *r);
    CHECK_EQ(vb_rx_count(r), 0);                  /* head - tail = 0 here: kept as is */
    atomic_store(&r->rx_tail, atomic_load(&r->rx_head) + 5);   /* tail ahead of head */
    vb_regs_reinit_hard_reset(r);
    CHECK(vb_rx_count(r) <= VB_RX_RING);
    CHECK_EQ(atomic_load(&r->executing), 0);
    CHECK_EQ(atomic_load(&r->intr_char), VB_CTRL_C);
    CHECK_EQ(atomic_load(&r->vm_pid), 0);
    CHECK_EQ(atomic_load(&r->power_off), 0);
    CHECK_EQ(atomic_load(&r->wdt_timeout_ms), 0);
    CHECK_EQ(atomic_load(&r->wdt_deadline_us), 0);
    CHECK_EQ(atomic_load(&r->heartbeat), 0);
    CHECK_EQ(atomic_load(&r->led_override), 0);
    CHECK(r->stage < VB_STAGE_COUNT);
    CHECK_EQ(r->sleep_ms, 0);
    CHECK_EQ(r->wake_pin_mask >> VB_REG_PINS, 0);
    CHECK(r->wake_pin_level == 0 || r->wake_pin_level == 1);
    CHECK(r->rtc_mem_len <= VB_RTC_MEM);
    for (unsigned g = 0; g < VB_REG_PINS; g++) CHECK(r->pins[g].ext <= VB_EXT_HIGH);
    free(r);
}

/* The VCD's cap: the note once, then nothing; a symlink is refused. */
static void test_vcd_cap_and_symlink(void)
{
    char dir[] = "/tmp/vb_test_events_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[96], link[96];
    snprintf(path, sizeof path, "%s/pins.vcd", dir);
    snprintf(link, sizeof link, "%s/link.vcd", dir);
    vb_vcd_var vars[] = {{"P2", 1}, {"led", 24}};
    char err[200] = "";
    vb_vcd *v = vb_vcd_open(path, "board", vars, 2, err, sizeof err);
    CHECK(v != NULL);
    if (!v) return;
    vb_vcd_limit(v, 1000);
    for (unsigned i = 1; i < 500; i++) vb_vcd_set(v, i * 10u, i % 2 ? 0 : 1, i, false);
    CHECK(vb_vcd_full(v));
    CHECK_EQ(vb_vcd_close(v, 1u << 30), 0);
    static const char note[] = "$comment log full $end\n";
    FILE *f = fopen(path, "r");
    char buf[2048];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f) fclose(f);
    CHECK(n <= 1000 + sizeof note - 1);
    CHECK(n > 1000 - 80);
    CHECK(n >= sizeof note - 1 && memcmp(buf + n - (sizeof note - 1), note, sizeof note - 1) == 0);

    CHECK_EQ(symlink(path, link), 0);
    v = vb_vcd_open(link, "board", vars, 2, err, sizeof err);
    CHECK(v == NULL);
    char want[160];
    snprintf(want, sizeof want, "refusing to write the VCD file through a symlink: %s", link);
    CHECK_STR(err, want);
    vb_vcd_close(v, 0);
    unlink(link);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    RUN(test_kinds);
    RUN(test_gpio);
    RUN(test_values);
    RUN(test_time_is_clamped);
    RUN(test_rate_limit);
    RUN(test_gate_ignores_pins_beyond_the_block);
    RUN(test_regs_reinit);
    RUN(test_vcd_cap_and_symlink);
    return CHECK_DONE();
}
