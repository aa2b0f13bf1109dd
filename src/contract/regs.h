/* The board's shared register block: hardware state that outlives the VM.
 *
 * Created by the supervisor (MAP_SHARED | MAP_ANONYMOUS) before the zygote
 * is forked, so the supervisor, the zygote and every VM see the same bytes
 * (architecture.md "Hardware registers"). The layout is a contract between
 * processes: it has a magic, a version and a size, and static_asserts pin
 * the fields both sides read.
 *
 * Serial input is a single-producer ring: the supervisor appends bytes it
 * read from the host; the VM consumes them. Bytes the VM has not consumed
 * stay in the ring across a soft reset, as on a real UART. On Ctrl-C while
 * code runs, the supervisor discards the unread bytes by moving the tail
 * (a CAS against the VM's own consumption), then signals the VM. */
#ifndef VB_CONTRACT_REGS_H
#define VB_CONTRACT_REGS_H

#include <assert.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "contract/hw_types.h"
#include "contract/hwevent.h"
#include "contract/periph.h"
#include "contract/wifi.h"
#include "repl/repl_bytes.h"
#include "util/clock.h"

#define VB_REGS_MAGIC 0x56425247u  /* "VBRG" */
#define VB_REGS_VERSION 4u
#define VB_RX_RING 4096u           /* bytes; a power of two */
#define VB_IDLE_NO_DEADLINE UINT64_MAX   /* idle_until_us: waits for input or an event */
#define VB_REG_PINS 40u            /* GPIO 0..39 (board/port.h VB_PINS_MAX) */
#define VB_RTC_MEM VB_RTC_MEMORY_MAX   /* RTC slow memory bytes */

/* Host drive of a pin over the control channel. */
enum { VB_EXT_FLOAT = 0, VB_EXT_LOW, VB_EXT_HIGH };

/* One pin. Single writer per field: the firmware (VM) writes mode, pull,
 * latch and irq_arm; the supervisor writes ext. The level is derived from
 * all of them (contract/pins.h), never stored, so neither side can disagree. */
typedef struct vb_pin_reg {
    uint8_t mode;                  /* vb_pin_mode (engine/hal.h) */
    uint8_t pull;                  /* vb_pin_pull */
    uint8_t latch;                 /* output latch 0/1 */
    uint8_t ext;                   /* VB_EXT_* */
    uint8_t irq_arm;               /* VB_PIN_IRQ_* */
    uint8_t pad[3];
} vb_pin_reg;

typedef struct vb_regs {
    uint32_t magic, version, size;
    /* serial input ring: head written by the supervisor, tail by whoever
     * consumes or discards (CAS); both count bytes forever (mod 2^32). */
    _Atomic uint32_t rx_head;
    _Atomic uint32_t rx_tail;
    /* Ctrl-C: the VM sets `executing` while user code runs; the supervisor
     * turns the interrupt char into SIGINT only then. */
    _Atomic uint32_t executing;
    _Atomic int32_t intr_char;     /* VB_CTRL_C, or -1 when disabled */
    _Atomic int32_t vm_pid;        /* the running VM, 0 when none */
    /* set by the supervisor before it interrupts the VM to stop the board:
     * the VM then closes files, syncs the volume and exits POWER_OFF */
    _Atomic uint32_t power_off;
    /* board state across soft resets */
    uint32_t repl_mode;            /* vb_repl_mode (repl/repl.h): survives soft resets */
    int32_t reset_cause;           /* profile's machine constant of the last hard reset */
    uint32_t soft_resets;          /* soft resets since the last hard reset */
    uint32_t boot_count;           /* hard boots since power-on */
    int64_t rtc_offset_us;         /* RTC (µs since 2000-01-01) minus board time */
    uint64_t boot_time_ns;         /* board time (ns) at this hard boot */
    uint64_t power_on_us;          /* board time (µs) at power-on */

    /* The board clock (util/boardclock.h): board time = host monotonic µs
     * + clock_offset_us (vb_regs_board_us). Written by the supervisor
     * only; it keeps its own copy and never reads this one back (the VM
     * can write it, and would only confuse its own clock). */
    _Atomic int64_t clock_offset_us;
    _Atomic uint32_t clock_fast;   /* --clock fast: the VM rings when it goes idle */
    /* The VM's idle waits: idle_until_us is the board time its wait ends
     * (VB_IDLE_NO_DEADLINE: only input or an event ends it), 0 while it
     * executes. host_events counts what the supervisor gave the VM (input,
     * signals), counted after giving it; idle_events is the count the VM
     * had seen before it last looked for input. The clock jumps only while
     * the two agree: the VM has seen everything it was given. */
    _Atomic uint64_t idle_until_us;
    _Atomic uint32_t idle_events;
    _Atomic uint32_t host_events;

    /* pins and their edge latches (bit 2*gpio rising, 2*gpio+1 falling):
     * set by whoever changed a level, taken (exchanged to 0) by the VM */
    vb_pin_reg pins[VB_REG_PINS];
    _Atomic uint64_t irq_pending[2];

    /* watchdog: timeout 0 = not started; deadline in board time (µs).
     * Written by the VM (start, feed), read by the supervisor's timer. */
    _Atomic uint32_t wdt_timeout_ms;
    _Atomic uint64_t wdt_deadline_us;

    _Atomic uint32_t led_rgb;      /* 0xRRGGBB; a plain LED: 0 off, else on */
    _Atomic uint32_t heartbeat;    /* Pycom: the supervisor animates the LED */
    _Atomic uint32_t led_override; /* the firmware drives the LED itself (error flash) */
    uint32_t stage;                /* vb_stage (contract/hwevent.h) the firmware is in */
    uint32_t safe_boot;            /* this hard boot is a safe boot (bootloader stage) */
    uint32_t image_slot;           /* the firmware image running: VB_OTA_IMG_* */

    /* deep sleep: the VM leaves sleep_ms before it exits DEEPSLEEP; the
     * supervisor leaves why the board woke for the next boot to read */
    uint32_t sleep_ms;             /* 0 = until a wake pin or `wake` */
    uint64_t wake_pin_mask;        /* GPIOs that end a deep sleep */
    int32_t wake_pin_level;        /* 1: any high wakes; 0: all low wakes */
    int32_t wake_reason;           /* vb_wake_reason */
    uint64_t wake_gpios;           /* the pins that woke it */
    uint32_t remaining_sleep_ms;   /* left when woken early */

    /* flash operations since power-on, board-wide: every VM's flash model
     * counts here, so a power cut can be armed at the Nth op of the board */
    uint64_t flash_ops;
    /* erases and writes by the firmware outside its filesystem region (app
     * slots, OTA, raw partitions): a zygote whose image was read before
     * one is not reused for the next hard boot. Only the VM's word, like
     * everything here; a VM that hides a write only runs a stale image of
     * its own. */
    _Atomic uint32_t app_writes;
    uint32_t pad_app;

    /* Wi-Fi (contract/wifi.h): the VM's request mailbox and the state the
     * supervisor publishes; the radio itself lives in the supervisor */
    vb_wifi_regs wifi;

    uint64_t rtc_mem_len;
    uint8_t rtc_mem[VB_RTC_MEM];   /* RTC slow memory: kept but on power loss */
    uint8_t rx_buf[VB_RX_RING];

    vb_periph_regs periph;         /* Timer, ADC, PWM (contract/periph.h) */
} vb_regs;

static_assert((VB_RX_RING & (VB_RX_RING - 1)) == 0, "ring size is a power of two");
static_assert(offsetof(vb_regs, rx_head) == 12, "layout shared across processes");
static_assert(offsetof(vb_regs, rx_buf) % 8 == 0, "ring after the 64-bit fields");
static_assert(sizeof(_Atomic uint32_t) == 4 && ATOMIC_INT_LOCK_FREE == 2,
              "lock-free 32-bit atomics work across processes");
static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "lock-free 64-bit atomics work across processes");
static_assert(sizeof(vb_pin_reg) == 8, "pin register layout");
static_assert(offsetof(vb_regs, wifi) % 8 == 0, "Wi-Fi registers after the 64-bit fields");
static_assert(offsetof(vb_regs, periph) % 8 == 0 && VB_PERIPH_PINS == VB_REG_PINS, "peripheral registers");

static inline void vb_regs_init(vb_regs *r)
{
    memset(r, 0, sizeof *r);
    r->magic = VB_REGS_MAGIC;
    r->version = VB_REGS_VERSION;
    r->size = (uint32_t)sizeof *r;
    atomic_store(&r->intr_char, (int32_t)VB_CTRL_C);
}

/* At every hard reset and power-on (issue 11): the VM can write any byte
 * of this block, so what it must not carry into the next boot is set
 * again, and what survives by design is kept but brought back into range:
 *   set:   magic, version, size; executing, vm_pid, power_off, intr_char,
 *          idle_until_us (the supervisor sets the clock fields itself);
 *          the watchdog (stopped); heartbeat and led_override (the
 *          firmware turns the heartbeat on at boot); sleep_ms; a stage
 *          outside vb_stage (VB_STAGE_OFF); the pins' pad bytes;
 *   kept:  the serial input not yet read (unless the ring indices are
 *          impossible: then it is dropped), the RTC offset, RTC memory
 *          (its length clamped to VB_RTC_MEM; power loss clears it, which
 *          the caller does), the host's drive of the pins (a value that is
 *          not VB_EXT_* becomes VB_EXT_FLOAT), boot counters, flash_ops,
 *          the wake configuration (mask cut to the GPIOs, level 0/1) and
 *          the wake report the supervisor wrote;
 *   periph: the Timer deadline zeroed, the host's ADC inputs kept (clamped
 *          to VB_ADC_MAX_UV); the peripheral reset stops the PWM outputs;
 *   zeroed: the Wi-Fi mailbox and publication (the supervisor resets its
 *          radio at every hard reset and power loss, and publishes its
 *          state again after this call);
 * The boot sequence then sets repl_mode, reset_cause, soft_resets, boot
 * times, stage, safe_boot and image_slot, and the peripheral reset the
 * pins' firmware side, the IRQ latches and the LED. */
static inline void vb_regs_reinit_hard_reset(vb_regs *r)
{
    r->magic = VB_REGS_MAGIC;
    r->version = VB_REGS_VERSION;
    r->size = (uint32_t)sizeof *r;
    uint32_t head = atomic_load(&r->rx_head);
    if (head - atomic_load(&r->rx_tail) > VB_RX_RING) atomic_store(&r->rx_tail, head);
    atomic_store(&r->executing, 0);
    atomic_store(&r->intr_char, (int32_t)VB_CTRL_C);
    atomic_store(&r->vm_pid, 0);
    atomic_store(&r->power_off, 0);
    atomic_store(&r->idle_until_us, 0);
    for (unsigned g = 0; g < VB_REG_PINS; g++) {
        if (r->pins[g].ext > VB_EXT_HIGH) r->pins[g].ext = VB_EXT_FLOAT;
        memset(r->pins[g].pad, 0, sizeof r->pins[g].pad);
    }
    atomic_store(&r->wdt_timeout_ms, 0);
    atomic_store(&r->wdt_deadline_us, 0);
    atomic_store(&r->heartbeat, 0);
    atomic_store(&r->led_override, 0);
    if (r->stage >= VB_STAGE_COUNT) r->stage = VB_STAGE_OFF;
    r->sleep_ms = 0;
    r->wake_pin_mask &= ((uint64_t)1 << VB_REG_PINS) - 1;
    r->wake_pin_level = r->wake_pin_level != 0;
    if (r->rtc_mem_len > VB_RTC_MEM) r->rtc_mem_len = VB_RTC_MEM;
    memset(&r->wifi, 0, sizeof r->wifi);
    atomic_store(&r->periph.timer_deadline_us, 0);
    for (unsigned g = 0; g < VB_REG_PINS; g++) {
        uint32_t uv = atomic_load(&r->periph.adc_uv[g]);
        if (uv > VB_ADC_MAX_UV) atomic_store(&r->periph.adc_uv[g], VB_ADC_MAX_UV);
    }
}

/* Board time in µs (util/boardclock.h), as the firmware reads it. */
static inline int64_t vb_regs_board_us(vb_regs *r)
{
    return vb_clock_monotonic_us() + atomic_load(&r->clock_offset_us);
}

/* Bytes waiting for the VM. */
static inline uint32_t vb_rx_count(vb_regs *r)
{
    return atomic_load(&r->rx_head) - atomic_load(&r->rx_tail);
}

/* Room for the supervisor to append: the VM may have written any tail, so
 * a count past the ring means none. */
static inline uint32_t vb_rx_space(vb_regs *r)
{
    uint32_t used = vb_rx_count(r);
    return used >= VB_RX_RING ? 0 : VB_RX_RING - used;
}

/* Supervisor: append up to n bytes; returns how many fit. */
static inline size_t vb_rx_put(vb_regs *r, const uint8_t *buf, size_t n)
{
    uint32_t head = atomic_load(&r->rx_head);
    uint32_t space = vb_rx_space(r);
    if (n > space) n = space;
    for (size_t i = 0; i < n; i++) r->rx_buf[(head + i) & (VB_RX_RING - 1)] = buf[i];
    atomic_store(&r->rx_head, head + (uint32_t)n);
    return n;
}

/* VM: take up to n bytes. A concurrent discard wins: the CAS fails and the
 * bytes copied are dropped, as the Ctrl-C rule wants. */
static inline size_t vb_rx_get(vb_regs *r, uint8_t *buf, size_t n)
{
    for (;;) {
        uint32_t tail = atomic_load(&r->rx_tail);
        uint32_t avail = atomic_load(&r->rx_head) - tail;
        if (n > avail) n = avail;
        for (size_t i = 0; i < n; i++) buf[i] = r->rx_buf[(tail + i) & (VB_RX_RING - 1)];
        if (atomic_compare_exchange_weak(&r->rx_tail, &tail, tail + (uint32_t)n)) return n;
    }
}

/* Supervisor on Ctrl-C: drop everything not yet consumed. */
static inline void vb_rx_discard(vb_regs *r)
{
    uint32_t tail = atomic_load(&r->rx_tail);
    while (!atomic_compare_exchange_weak(&r->rx_tail, &tail, atomic_load(&r->rx_head))) {
    }
}

#endif
