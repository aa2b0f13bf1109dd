/* libFuzzer target for what the supervisor takes from the firmware side
 * (issue 11): device code can write any bytes to the event pipe and to the
 * shared register block, so both are hostile input.
 *
 * Each input is used twice:
 *   1. as a stream of 16-byte hardware event records (after 8 bytes that
 *      choose the board's pin mask) for the gate of src/trace/evcheck.h,
 *      the supervisor's clock advancing by a few input-chosen µs per
 *      record. Every record the gate accepts must hold the rules: a known
 *      kind, gpio a pin of the mask for pin events and 0 otherwise, value
 *      in the kind's range, a time within [the previous accepted time,
 *      now]; no more records than the bucket allows (the burst plus the
 *      rate over the time elapsed); the counters add up.
 *   2. as a register block image (zero-filled past the input) given to
 *      vb_regs_reinit_hard_reset: afterwards the layout fields, the ring
 *      indices, the RTC memory length, the pins' host drive, the stage and
 *      the wake mask must be in range, and the supervisor's pure readers
 *      of the block (pin level, stage name, ring put) must stay inside it.
 * Any broken promise aborts.
 *
 * Build: make fuzz (clang -fsanitize=fuzzer). Without libFuzzer, compile
 * with -DVB_FUZZ_MAIN to get a main() that runs the files named on the
 * command line. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract/hwevent.h"
#include "contract/pins.h"
#include "contract/regs.h"
#include "trace/evcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what)
{
    fprintf(stderr, "fuzz_events: %s\n", what);
    abort();
}

static bool value_ok(const vb_hw_event *e)
{
    switch (e->kind) {
    case VB_EV_PIN: return e->value <= 2;
    case VB_EV_LED: return e->value <= 0xFFFFFFu;
    case VB_EV_WDT_START: return e->value >= 1;
    case VB_EV_WDT_FEED: return true;
    case VB_EV_STAGE: return e->value < VB_STAGE_COUNT;
    case VB_EV_HEARTBEAT: return e->value <= 1;
    case VB_EV_SANDBOX_REFUSED: return e->value <= VB_EV_SYSCALL_MAX;
    case VB_EV_PWM_FREQ: return true;             /* Hz, 0 = stopped */
    case VB_EV_PWM_DUTY: return e->value <= VB_PWM_DUTY_MAX;
    case VB_EV_WIFI:       /* op a vb_wifi_op, iface STA or AP, any seq */
        return (e->value & 0xFF) >= VB_WIFI_OP_ACTIVE && (e->value & 0xFF) <= VB_WIFI_OP_LAST &&
               (e->value >> 8 & 0xFF) <= VB_WIFI_AP;
    default: return false;
    }
}

static void fuzz_records(const uint8_t *data, size_t size)
{
    uint64_t mask = 0;
    if (size >= 8) {
        memcpy(&mask, data, 8);
        data += 8;
        size -= 8;
    }
    uint64_t pins = mask & (((uint64_t)1 << VB_REG_PINS) - 1);
    const uint64_t start = 1000000;
    vb_ev_gate g;
    vb_ev_gate_init(&g, mask, start);
    uint64_t now = start, last = start, accepted = 0, refused = 0;
    for (size_t off = 0; off + sizeof(vb_hw_event) <= size; off += sizeof(vb_hw_event)) {
        vb_hw_event in, out;
        memcpy(&in, data + off, sizeof in);
        now += data[off] & 0x3F;                      /* the supervisor's clock moves on */
        if (data[off + 1] == 0xFF) now += 5000000;    /* now and then a quiet spell */
        memset(&out, 0x5A, sizeof out);
        vb_ev_verdict v = vb_ev_gate_admit(&g, &in, now, &out);
        if (v != vb_event_check(&in, mask) && v != VB_EV_RATE) die("admit and check disagree");
        if (v != VB_EV_ACCEPT) {
            if (v >= VB_EV_VERDICTS) die("unknown verdict");
            refused++;
            continue;
        }
        accepted++;
        if (out.kind != in.kind || out.gpio != in.gpio || out.value != in.value) die("record changed");
        if (out.kind < VB_EV_PIN || out.kind > VB_EV_KIND_LAST) die("unknown kind accepted");
        bool on_pin = out.kind == VB_EV_PIN || out.kind == VB_EV_PWM_FREQ || out.kind == VB_EV_PWM_DUTY;
        if (on_pin ? out.gpio >= VB_REG_PINS || !(pins >> out.gpio & 1) : out.gpio != 0)
            die("bad gpio accepted");
        if (!value_ok(&out)) die("bad value accepted");
        if (out.t_us < last || out.t_us > now) die("time outside [last, now]");
        last = out.t_us;
    }
    if (vb_ev_gate_dropped(&g) != refused) die("drop counters do not add up");
    uint64_t allowed = VB_EV_BURST + (now - start) * VB_EV_RATE_PER_S / 1000000u;
    if (accepted > allowed) die("rate limit exceeded");
}

static void fuzz_regs(const uint8_t *data, size_t size)
{
    vb_regs *r = calloc(1, sizeof *r);
    if (!r) return;
    memcpy(r, data, size < sizeof *r ? size : sizeof *r);
    vb_regs_reinit_hard_reset(r);
    if (r->magic != VB_REGS_MAGIC || r->version != VB_REGS_VERSION || r->size != sizeof *r)
        die("layout fields not reset");
    if (vb_rx_count(r) > VB_RX_RING) die("ring indices out of range");
    if (r->rtc_mem_len > VB_RTC_MEM) die("RTC memory length out of range");
    if (r->stage >= VB_STAGE_COUNT || !vb_stage_name(r->stage)) die("stage out of range");
    if (r->wake_pin_mask >> VB_REG_PINS) die("wake mask beyond the pins");
    if (atomic_load(&r->vm_pid) != 0 || atomic_load(&r->wdt_timeout_ms) != 0) die("flags survived");
    for (unsigned gp = 0; gp < VB_REG_PINS; gp++) {
        if (r->pins[gp].ext > VB_EXT_HIGH) die("host drive out of range");
        if (vb_pin_shown(&r->pins[gp]) > 2) die("pin level out of range");
        vb_pin_latch_edge(r, gp, 0, 1);
    }
    /* the supervisor's side of the ring, on whatever indices survived */
    uint8_t buf[64] = {0};
    vb_rx_put(r, buf, sizeof buf);
    vb_rx_get(r, buf, sizeof buf);
    vb_rx_discard(r);
    (void)vb_stage_name((unsigned)size);
    free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_records(data, size);
    fuzz_regs(data, size);
    return 0;
}

#define VB_FUZZ_REPLAY_MAX 65536
#include "replay_main.h"
