/* engine/hal.h over the register block (regs.h). Input waits on the
 * supervisor's eventfd; a signal (Ctrl-C) ends the wait with -EINTR so the
 * engine can raise KeyboardInterrupt. */
#include "vm_hal.h"

#include "boot/bootsel.h"
#include "boot/fwimage.h"
#include "flash/otadata.h"
#include "flash/parttable.h"
#include "contract/hwevent.h"
#include "contract/pins.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const vb_firmware_ctx *fw_of(void *ctx) { return ((vb_vm_hal *)ctx)->fw; }

/* An erase or write outside the filesystem region: the image may change
 * (regs.h app_writes). */
static void note_write(const vb_firmware_ctx *fw, uint32_t addr, size_t n)
{
    const vb_profile *p = fw->profile;
    if (addr >= p->fs_offset && n <= p->fs_size && addr - p->fs_offset <= p->fs_size - n) return;
    atomic_fetch_add(&fw->regs->app_writes, 1);
}

/* The output pipe blocks while the supervisor's TX queue is full: that is
 * the line's back-pressure. A signal ends the wait early (the engine then
 * checks for Ctrl-C); a board that is being stopped drops its output, so
 * a host that stopped reading cannot keep it from closing its files. */
static size_t hal_tx(void *ctx, const void *buf, size_t n)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    const uint8_t *p = buf;
    size_t done = 0;
    while (done < n) {
        if (atomic_load(&fw->regs->power_off)) return n;
        ssize_t w = write(fw->tx_fd, p + done, n - done);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) return done;
        return n;             /* supervisor gone: nothing to tell */
    }
    return done;
}

/* ---- board time and idle waits (util/boardclock.h) -------------------------- */

static int64_t hal_now_us(void *ctx) { return vb_regs_board_us(fw_of(ctx)->regs); }

/* The VM's threads that wait idle now (_thread: the REPL's input wait and
 * a thread's sleep may overlap), each a node on its own stack, linked
 * while it waits. The register block shows the earliest deadline among
 * them and the oldest event count any of them has seen, so one thread's
 * wake never hides another's wait from the --clock fast supervisor. A
 * thread that computes meanwhile is not counted (README: limits). Why
 * global: one list per VM process, shared by its threads; the mutex
 * guards it (no signal handler takes it). */
typedef struct idle_waiter {
    int64_t until;
    uint32_t seen;
    struct idle_waiter *next;
} idle_waiter;
static idle_waiter *idle_waiters;
static pthread_mutex_t idle_mu = PTHREAD_MUTEX_INITIALIZER;
/* While the VM has more than one thread, a ring of the doorbell may be
 * taken by one of them while another is between looking at the clock and
 * sleeping: then every wait naps at most this long on the host's clock and
 * looks again (its caller loops on board time). Only the main thread can
 * start the second thread, and it does not wait meanwhile. */
#define SHARED_NAP_US 20000
/* The VM's threads, the main one included, and those of them that run or
 * wait idle (not blocked on a _thread lock); written under idle_mu. */
static atomic_int idle_threads = 1, idle_live = 1;
#define SHARED_NAP_US 20000

/* Publish the waiters (mutex held); ring the supervisor under a fast clock. */
static void idle_publish(const vb_firmware_ctx *fw)
{
    vb_regs *r = fw->regs;
    int n = 0;
    for (const idle_waiter *w = idle_waiters; w; w = w->next) n++;
    if (n == 0 || n < idle_live) {   /* a thread runs: the VM is not idle */
        atomic_store(&r->idle_until_us, 0);
        return;
    }
    int64_t until = INT64_MAX;
    uint32_t seen = idle_waiters->seen;
    for (const idle_waiter *w = idle_waiters; w; w = w->next) {
        if (w->until < until) until = w->until;
        if ((int32_t)(w->seen - seen) < 0) seen = w->seen;
    }
    atomic_store(&r->idle_events, seen);
    atomic_store(&r->idle_until_us, until == INT64_MAX ? VB_IDLE_NO_DEADLINE : until > 0 ? (uint64_t)until : 1u);
    if (atomic_load(&r->clock_fast) && fw->idle_efd >= 0) {
        uint64_t one = 1;
        if (write(fw->idle_efd, &one, sizeof one) < 0) { /* saturated: already rung */ }
    }
}

/* Say this thread is idle until board time `until` (INT64_MAX: until input
 * or an event), having seen every event counted so far. Under --clock
 * fast the supervisor is told, so it can move the clock on. */
static void idle_begin(const vb_firmware_ctx *fw, idle_waiter *w, int64_t until, uint32_t seen)
{
    *w = (idle_waiter){until, seen, NULL};
    pthread_mutex_lock(&idle_mu);
    w->next = idle_waiters;
    idle_waiters = w;
    idle_publish(fw);
    pthread_mutex_unlock(&idle_mu);
}

static void idle_end(const vb_firmware_ctx *fw, idle_waiter *w)
{
    pthread_mutex_lock(&idle_mu);
    for (idle_waiter **p = &idle_waiters; *p; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            break;
        }
    idle_publish(fw);
    pthread_mutex_unlock(&idle_mu);
}

static void hal_thread_event(void *ctx, vb_thread_event ev)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    int threads = ev == VB_THREAD_START ? 1 : ev == VB_THREAD_END ? -1 : 0;
    int live = ev == VB_THREAD_START || ev == VB_THREAD_UNBLOCK ? 1 : -1;
    pthread_mutex_lock(&idle_mu);
    atomic_store(&idle_threads, atomic_load(&idle_threads) + threads);
    atomic_store(&idle_live, atomic_load(&idle_live) + live);
    idle_publish(fw);
    pthread_mutex_unlock(&idle_mu);
}

/* Sleep on the doorbell until board time `until`, at most: the supervisor
 * rings it for input, after every signal it sends, and when it moves the
 * clock. The wall-time timeout is the board time left (board time never
 * runs slower than the host's). Returns -EINTR on a signal, else 0. */
static int doorbell_wait(const vb_firmware_ctx *fw, int64_t until)
{
    struct timespec ts, *tp = NULL;
    if (until != INT64_MAX) {
        int64_t left = until - vb_regs_board_us(fw->regs);
        if (left <= 0) return 0;
        if (atomic_load(&idle_threads) > 1 && left > SHARED_NAP_US) left = SHARED_NAP_US;
        ts = (struct timespec){(time_t)(left / 1000000), (long)(left % 1000000) * 1000};
        tp = &ts;                  /* µs exact: sleep_us(100) is no millisecond */
    } else if (atomic_load(&idle_threads) > 1) {
        ts = (struct timespec){0, SHARED_NAP_US * 1000L};
        tp = &ts;
    }
    struct pollfd pf = {fw->rx_efd, POLLIN, 0};
    int r = ppoll(&pf, 1, tp, NULL);
    if (r < 0 && errno == EINTR) return -EINTR;
    uint64_t v;
    if (r > 0 && read(fw->rx_efd, &v, sizeof v) < 0) { /* another reader took it */ }
    return 0;
}

/* The earliest machine.Timer deadline (INT64_MAX: none): every idle wait
 * ends there, so a timer is on time in board time and a fast clock stops
 * at it. */
static int64_t timer_due(const vb_firmware_ctx *fw)
{
    uint64_t d = atomic_load(&fw->regs->periph.timer_deadline_us);
    return d == 0 || d > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)d;
}

static int hal_idle(void *ctx, int64_t until, bool wake_on_input)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    if (timer_due(fw) < until) until = timer_due(fw);
    uint32_t seen = atomic_load(&fw->regs->host_events);
    if (atomic_load(&fw->regs->power_off)) return -EINTR;
    if (wake_on_input && vb_rx_count(fw->regs) > 0) return 0;
    idle_waiter w;
    idle_begin(fw, &w, until, seen);
    int rc = doorbell_wait(fw, until);
    idle_end(fw, &w);
    return rc;
}

static int hal_rx(void *ctx, void *buf, size_t n, int timeout_ms)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    int64_t deadline = timeout_ms < 0 ? INT64_MAX : vb_regs_board_us(fw->regs) + (int64_t)timeout_ms * 1000;
    for (;;) {
        uint32_t seen = atomic_load(&fw->regs->host_events);
        /* the board is stopping: never sleep through its request (the
         * SIGINT may have come before this wait began) */
        if (atomic_load(&fw->regs->power_off)) return -EINTR;
        size_t got = vb_rx_get(fw->regs, buf, n);
        if (got > 0 || n == 0) return (int)got;
        if (deadline != INT64_MAX && vb_regs_board_us(fw->regs) >= deadline) return 0;
        /* a machine.Timer due first: back to the engine (-EINTR) to run it */
        int64_t until = timer_due(fw) < deadline ? timer_due(fw) : deadline;
        if (until < deadline && vb_regs_board_us(fw->regs) >= until) return -EINTR;
        idle_waiter w;
        idle_begin(fw, &w, until, seen);
        int rc = doorbell_wait(fw, until);
        idle_end(fw, &w);
        if (rc < 0) return rc;
        if (until < deadline && vb_regs_board_us(fw->regs) >= until) return -EINTR;
        /* Rung but still empty: most likely the supervisor discarded the
         * input for a Ctrl-C, and its SIGINT may have arrived just before
         * poll() slept (then poll saw the ring, not the signal). Let the
         * caller check for signals; a stale ring costs one extra turn. */
        if (vb_rx_count(fw->regs) == 0 && (deadline == INT64_MAX || vb_regs_board_us(fw->regs) < deadline))
            return -EINTR;
    }
}

static size_t hal_rx_available(void *ctx) { return vb_rx_count(fw_of(ctx)->regs); }

static void hal_set_executing(void *ctx, bool on)
{
    atomic_store(&fw_of(ctx)->regs->executing, on ? 1u : 0u);
}

static void hal_set_intr_char(void *ctx, int c) { atomic_store(&fw_of(ctx)->regs->intr_char, c); }

static uint64_t hal_ticks_us(void *ctx)
{
    vb_regs *r = fw_of(ctx)->regs;
    return (uint64_t)(vb_regs_board_us(r) - (int64_t)(r->boot_time_ns / 1000));
}

/* RTC time = board time + offset; the offset lives in the register block,
 * so the RTC survives soft and hard resets. */
static void hal_rtc_get(void *ctx, int64_t *seconds, uint32_t *micros)
{
    int64_t us = vb_regs_board_us(fw_of(ctx)->regs) + fw_of(ctx)->regs->rtc_offset_us;
    if (us < 0) us = 0;
    *seconds = us / 1000000;
    *micros = (uint32_t)(us % 1000000);
}

static void hal_rtc_set(void *ctx, int64_t seconds, uint32_t micros)
{
    fw_of(ctx)->regs->rtc_offset_us = seconds * 1000000 + micros - vb_regs_board_us(fw_of(ctx)->regs);
}

static int hal_reset_cause(void *ctx)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    if (fw->regs->soft_resets > 0) {
        int soft = vb_port_cause(fw->profile->port, VB_CAUSE_SOFT);
        if (soft >= 0) return soft;
    }
    return fw->regs->reset_cause;
}

static bool hal_after_soft_reset(void *ctx) { return fw_of(ctx)->regs->soft_resets > 0; }

void vb_fw_event_at(const vb_firmware_ctx *fw, unsigned kind, unsigned gpio, uint32_t value, uint64_t t_us)
{
    if (fw->ev_fd < 0) return;
    vb_hw_event ev = {(uint16_t)kind, (uint16_t)gpio, value, t_us};
    if (write(fw->ev_fd, &ev, sizeof ev) < 0) { /* pipe full: the event is dropped */ }
}

void vb_fw_event(const vb_firmware_ctx *fw, unsigned kind, unsigned gpio, uint32_t value)
{
    vb_fw_event_at(fw, kind, gpio, value, (uint64_t)vb_regs_board_us(fw->regs));
}

/* ---- pins ----------------------------------------------------------------
 * The VM writes its own fields of the pin register (contract/regs.h) and reports
 * level changes; a level is 0/1, or 2 while nothing drives the pin (the
 * VCD's 'z'). Edges its own writes cause are latched like any other; the
 * engine takes them after each pin call. */

/* Run `change` on a pin and report what it did to the level. */
#define PIN_CHANGE(fw, gpio, change)                                               \
    do {                                                                           \
        vb_pin_reg *p_ = &(fw)->regs->pins[gpio];                                  \
        uint32_t shown_ = vb_pin_shown(p_);                                           \
        int level_ = vb_pin_level(p_);                                             \
        change;                                                                    \
        vb_pin_latch_edge((fw)->regs, gpio, level_, vb_pin_level(p_));             \
        if (vb_pin_shown(p_) != shown_) vb_fw_event(fw, VB_EV_PIN, gpio, vb_pin_shown(p_)); \
    } while (0)

static void hal_pin_config(void *ctx, unsigned gpio, vb_pin_mode mode, vb_pin_pull pull)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    if (gpio >= VB_REG_PINS) return;
    /* the pin becomes a GPIO again: the PWM signal no longer reaches it
     * (the ESP32's GPIO matrix, the RP2040's function select) */
    if (atomic_load(&fw->regs->periph.pwm[gpio].freq_hz)) vb_vm_hal_pwm_set(ctx, gpio, 0, 0);
    PIN_CHANGE(fw, gpio, (p_->mode = (uint8_t)mode, p_->pull = (uint8_t)pull));
}

static void hal_pin_write(void *ctx, unsigned gpio, int value)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    if (gpio >= VB_REG_PINS) return;
    PIN_CHANGE(fw, gpio, p_->latch = value ? 1 : 0);
}

static int hal_pin_read(void *ctx, unsigned gpio)
{
    return gpio < VB_REG_PINS ? vb_pin_level(&fw_of(ctx)->regs->pins[gpio]) : 0;
}

static void hal_pin_state(void *ctx, unsigned gpio, vb_pin_mode *mode, vb_pin_pull *pull, int *latch)
{
    const vb_pin_reg *p = &fw_of(ctx)->regs->pins[gpio < VB_REG_PINS ? gpio : 0];
    *mode = (vb_pin_mode)p->mode;
    *pull = (vb_pin_pull)p->pull;
    *latch = p->latch;
}

static void hal_pin_irq_arm(void *ctx, unsigned gpio, unsigned triggers)
{
    if (gpio < VB_REG_PINS) fw_of(ctx)->regs->pins[gpio].irq_arm = (uint8_t)triggers;
}

static void hal_pin_irq_take(void *ctx, uint64_t pending[2])
{
    vb_regs *r = fw_of(ctx)->regs;
    pending[0] = atomic_exchange(&r->irq_pending[0], 0);
    pending[1] = atomic_exchange(&r->irq_pending[1], 0);
}

/* ---- watchdog: the supervisor's timer reads the deadline ---------------- */

static void hal_wdt_start(void *ctx, uint32_t timeout_ms)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    if (timeout_ms == 0) return;
    uint64_t now = (uint64_t)vb_regs_board_us(fw->regs);   /* one reading: the trace's start is the deadline's */
    atomic_store(&fw->regs->wdt_deadline_us, now + (uint64_t)timeout_ms * 1000u);
    atomic_store(&fw->regs->wdt_timeout_ms, timeout_ms);
    vb_fw_event_at(fw, VB_EV_WDT_START, 0, timeout_ms, now);   /* also wakes the supervisor's timer */
}

static void hal_wdt_feed(void *ctx)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    uint32_t t = atomic_load(&fw->regs->wdt_timeout_ms);
    if (t == 0) return;
    uint64_t now = (uint64_t)vb_regs_board_us(fw->regs);
    atomic_store(&fw->regs->wdt_deadline_us, now + (uint64_t)t * 1000u);
    vb_fw_event_at(fw, VB_EV_WDT_FEED, 0, t, now);
}

/* ---- LED ------------------------------------------------------------------ */

static void hal_led_set(void *ctx, uint32_t rgb)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    rgb &= 0xFFFFFFu;
    if (atomic_exchange(&fw->regs->led_rgb, rgb) != rgb) vb_fw_event(fw, VB_EV_LED, 0, rgb);
}

static uint32_t hal_led_get(void *ctx) { return atomic_load(&fw_of(ctx)->regs->led_rgb); }

/* ---- RTC memory and wake-up ------------------------------------------------ */

static size_t hal_rtc_memory_read(void *ctx, uint8_t *buf, size_t cap)
{
    const vb_regs *r = fw_of(ctx)->regs;
    /* rtc_mem_len is whatever the last VM left: never past the memory */
    size_t n = r->rtc_mem_len < VB_RTC_MEM ? (size_t)r->rtc_mem_len : VB_RTC_MEM;
    if (n > cap) n = cap;
    memcpy(buf, r->rtc_mem, n);
    return n;
}

static void hal_rtc_memory_write(void *ctx, const uint8_t *buf, size_t n)
{
    vb_regs *r = fw_of(ctx)->regs;
    if (n > VB_RTC_MEM) n = VB_RTC_MEM;
    memcpy(r->rtc_mem, buf, n);
    r->rtc_mem_len = n;
}

static void hal_wake_info(void *ctx, vb_wake_reason *reason, uint64_t *gpio_mask, uint32_t *remaining_ms)
{
    const vb_regs *r = fw_of(ctx)->regs;
    *reason = (vb_wake_reason)r->wake_reason;
    *gpio_mask = r->wake_gpios;
    *remaining_ms = r->remaining_sleep_ms;
}

static void hal_wake_pins_set(void *ctx, uint64_t gpio_mask, int level)
{
    vb_regs *r = fw_of(ctx)->regs;
    r->wake_pin_mask = gpio_mask;
    r->wake_pin_level = level ? 1 : 0;
}

/* ---- Pycom: heartbeat, config block, boot manager, OTA ----------------------
 * The VM owns the flash while it runs, so these read and write otadata and
 * the slots through the same flash model the filesystem uses (numbered ops,
 * power cuts). */

static int hal_heartbeat(void *ctx, int on)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    if (on >= 0 && atomic_exchange(&fw->regs->heartbeat, on ? 1u : 0u) != (on ? 1u : 0u)) {
        vb_fw_event(fw, VB_EV_HEARTBEAT, 0, on ? 1u : 0u);   /* wakes the board's LED timer */
        if (!on) hal_led_set(ctx, 0);
    }
    return (int)atomic_load(&fw->regs->heartbeat);
}

/* The config block (partition "config"): byte 0 is heartbeat_on_boot
 * (0xFF erased = on, as a fresh board blinks). */
static uint32_t config_offset(const vb_profile *p)
{
    for (unsigned i = 0; i < p->n_parts; i++)
        if (p->parts[i].type == VB_PART_TYPE_DATA && p->parts[i].subtype == VB_PART_SUBTYPE_PYCOM_CONFIG)
            return p->parts[i].offset;
    return 0;
}

static int hal_heartbeat_on_boot(void *ctx, int on)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    uint32_t off = config_offset(fw->profile);
    uint8_t blk[VB_FLASH_BLOCK];
    if (!off || vb_flash_read(fw->flash, off, blk, sizeof blk) < 0) return -EIO;
    if (on >= 0 && (blk[0] != 0) != (on != 0)) {
        blk[0] = on ? 0xFF : 0x00;
        int rc = vb_flash_erase(fw->flash, off, VB_FLASH_BLOCK);
        if (rc == 0) rc = vb_flash_program(fw->flash, off, blk, sizeof blk);
        if (rc < 0) return rc;
    }
    return blk[0] != 0;
}

static int read_otadata(const vb_firmware_ctx *fw, vb_otadata *rec)
{
    int rc = vb_otadata_read(fw->flash, fw->profile->otadata_offset, rec);
    return rc < 0 ? rc : 0;
}

static void hal_bootmgr_get(void *ctx, vb_bootmgr_state *st)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    vb_otadata rec;
    if (read_otadata(fw, &rec) < 0) rec = (vb_otadata){.status = VB_OTA_STATUS_READY};
    st->boot_partition = vb_ota_img_is_factory(rec.active_img) ? 0 : 1;
    st->fs_type = 0;
    st->safeboot = fw->regs->safe_boot != 0;
    st->status = (int)rec.status;
}

static int hal_bootmgr_set(void *ctx, int boot_partition, int fs_type, int safeboot)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    if (fs_type > 0) return -EOPNOTSUPP;      /* LittleFS: not built */
    vb_otadata rec;
    int rc = read_otadata(fw, &rec);
    if (rc < 0) return rc;
    if (boot_partition >= 0) {
        uint32_t img = boot_partition ? VB_OTA_IMG_OTA_0 : VB_OTA_IMG_FACTORY;
        if (img != rec.active_img) rec.prev_img = rec.active_img;
        rec.active_img = img;
        rec.status = VB_OTA_STATUS_READY;
    }
    if (safeboot >= 0) rec.safeboot = safeboot ? VB_OTA_SAFEBOOT_SW : VB_OTA_SAFEBOOT_NONE;
    return vb_otadata_write(fw->flash, fw->profile->otadata_offset, &rec);
}

static int hal_ota_start(void *ctx)
{
    vb_vm_hal *h = ctx;
    const vb_firmware_ctx *fw = h->fw;
    vb_otadata rec;
    int rc = read_otadata(fw, &rec);
    if (rc < 0) return rc;
    uint32_t img = vb_ota_target(&rec);
    if (!vb_boot_slot(fw->profile, img, &h->ota_offset, &h->ota_size)) return -ENODEV;
    h->ota_written = 0;
    h->ota_state = VB_OTA_WRITING;
    note_write(fw, h->ota_offset, h->ota_size);
    return vb_flash_erase(fw->flash, h->ota_offset, h->ota_size);
}

static int hal_ota_write(void *ctx, const void *buf, size_t n)
{
    vb_vm_hal *h = ctx;
    if (h->ota_state != VB_OTA_WRITING) return -EINVAL;
    if (n > h->ota_size - h->ota_written) return -EFBIG;
    note_write(h->fw, h->ota_offset + h->ota_written, n);
    int rc = vb_flash_program(h->fw->flash, h->ota_offset + h->ota_written, buf, n);
    if (rc == 0) h->ota_written += (uint32_t)n;
    return rc;
}

static int hal_ota_finish(void *ctx)
{
    vb_vm_hal *h = ctx;
    if (h->ota_state != VB_OTA_WRITING) return -EINVAL;
    vb_otadata rec;
    int rc = read_otadata(h->fw, &rec);
    if (rc < 0) return rc;
    vb_ota_finish_record(&rec, h->ota_written);
    rc = vb_otadata_write(h->fw->flash, h->fw->profile->otadata_offset, &rec);
    if (rc == 0) h->ota_state = VB_OTA_FINISHED;
    return rc;
}

static int hal_ota_verify(void *ctx)
{
    vb_vm_hal *h = ctx;
    if (h->ota_state == VB_OTA_IDLE) return -EINVAL;
    uint8_t *buf = NULL;
    vb_fw_image img;
    char err[128];
    int rc = vb_fw_read_slot(h->fw->flash, h->ota_offset, h->ota_size, &buf, &img, err, sizeof err);
    free(buf);
    return rc == 0;
}

/* Pycom's ota_slot(): where the next OTA goes. */
static uint32_t hal_ota_slot(void *ctx)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    vb_otadata rec;
    uint32_t off = 0, size;
    if (read_otadata(fw, &rec) == 0) vb_boot_slot(fw->profile, vb_ota_target(&rec), &off, &size);
    return off;
}

/* ---- the flash chip as the engine's block devices see it ------------------
 * Only ranges inside the chip reach the flash model; it numbers the ops and
 * applies the power cuts (flash.md §7), as for the filesystem's writes. */

static bool in_chip(const vb_flash *f, uint32_t addr, size_t n)
{
    return addr <= f->size && n <= f->size - addr;
}

static int hal_flash_read(void *ctx, uint32_t addr, void *buf, size_t n)
{
    vb_flash *f = fw_of(ctx)->flash;
    return in_chip(f, addr, n) ? vb_flash_read(f, addr, buf, n) : -EINVAL;
}

static int hal_flash_erase(void *ctx, uint32_t addr, size_t n)
{
    vb_flash *f = fw_of(ctx)->flash;
    if (!in_chip(f, addr, n) || addr % VB_FLASH_BLOCK || n % VB_FLASH_BLOCK) return -EINVAL;
    note_write(fw_of(ctx), addr, n);
    return vb_flash_erase(f, addr, n);
}

static int hal_flash_program(void *ctx, uint32_t addr, const void *buf, size_t n)
{
    vb_flash *f = fw_of(ctx)->flash;
    if (!in_chip(f, addr, n)) return -EINVAL;
    note_write(fw_of(ctx), addr, n);
    return vb_flash_program(f, addr, buf, n);
}

/* ---- Wi-Fi: requests through the mailbox, answers in the publication ------
 * The supervisor answers at once (it only updates its model); the bound is
 * for a record the pipe or the gate dropped. */

#define WIFI_ANSWER_US 2000000

static int hal_wifi_request(void *ctx, const vb_wifi_req *req)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    vb_wifi_regs *wr = &fw->regs->wifi;
    uint32_t seq = wr->req.seq + 1;
    if (seq == 0) seq = 1;
    memcpy(&wr->req, req, sizeof wr->req);
    __atomic_store_n(&wr->req.seq, seq, __ATOMIC_RELEASE);
    vb_fw_event(fw, VB_EV_WIFI, 0, VB_WIFI_EV_VALUE(req->op, req->iface, seq));
    int64_t deadline = vb_clock_monotonic_us() + WIFI_ANSWER_US;
    for (;;) {
        if (__atomic_load_n(&wr->pub.ack_seq, __ATOMIC_ACQUIRE) == seq) {
            int32_t res = __atomic_load_n(&wr->pub.ack_result, __ATOMIC_ACQUIRE);
            return res >= 0 && res < VB_WIFI_RESULTS ? res : VB_WIFI_E_ARG;
        }
        int64_t left = deadline - vb_clock_monotonic_us();
        if (left <= 0) return VB_WIFI_E_TIMEOUT;
        struct timespec ts = {(time_t)(left / 1000000), (long)(left % 1000000) * 1000};
        struct pollfd pf = {fw->rx_efd, POLLIN, 0};
        if (ppoll(&pf, 1, &ts, NULL) > 0) {
            uint64_t v;
            if (read(fw->rx_efd, &v, sizeof v) < 0) { /* another reader took it */ }
        }
    }
}

static void hal_wifi_state(void *ctx, vb_wifi_pub *out)
{
    memcpy(out, (const void *)&fw_of(ctx)->regs->wifi.pub, sizeof *out);
}

static void hal_exit_vm(void *ctx, vb_vm_exit why, uint32_t arg)
{
    if (why == VB_VM_EXIT_DEEPSLEEP) fw_of(ctx)->regs->sleep_ms = arg;
    _exit((int)why);
}

void vb_vm_hal_init(vb_vm_hal *h, const vb_firmware_ctx *fw)
{
    h->fw = fw;
    h->hal = (vb_hal){
        .ctx = h,
        .tx = hal_tx,
        .rx = hal_rx,
        .rx_available = hal_rx_available,
        .set_executing = hal_set_executing,
        .set_intr_char = hal_set_intr_char,
        .ticks_us = hal_ticks_us,
        .now_us = hal_now_us,
        .idle = hal_idle,
        .rtc_get = hal_rtc_get,
        .rtc_set = hal_rtc_set,
        .reset_cause = hal_reset_cause,
        .after_soft_reset = hal_after_soft_reset,
        .exit_vm = hal_exit_vm,
        .pin_config = hal_pin_config,
        .pin_write = hal_pin_write,
        .pin_read = hal_pin_read,
        .pin_state = hal_pin_state,
        .pin_irq_arm = hal_pin_irq_arm,
        .pin_irq_take = hal_pin_irq_take,
        .wdt_start = hal_wdt_start,
        .wdt_feed = hal_wdt_feed,
        .led_set = hal_led_set,
        .led_get = hal_led_get,
        .rtc_memory_read = hal_rtc_memory_read,
        .rtc_memory_write = hal_rtc_memory_write,
        .wake_info = hal_wake_info,
        .wake_pins_set = hal_wake_pins_set,
        .flash_read = hal_flash_read,
        .flash_erase = hal_flash_erase,
        .flash_program = hal_flash_program,
        .thread_event = hal_thread_event,
    };
    vb_vm_hal_periph_init(h);
    if (fw->profile->port->wlan_api != VB_WLAN_NONE) {
        h->hal.wifi_request = hal_wifi_request;
        h->hal.wifi_state = hal_wifi_state;
    }
    vb_vm_hal_net_init(h);         /* sockets need the radio (the supervisor says), UARTs do not */
    if (fw->profile->otadata_offset) {        /* Pycom boot manager and OTA */
        h->hal.heartbeat = hal_heartbeat;
        h->hal.heartbeat_on_boot = hal_heartbeat_on_boot;
        h->hal.bootmgr_get = hal_bootmgr_get;
        h->hal.bootmgr_set = hal_bootmgr_set;
        h->hal.ota_start = hal_ota_start;
        h->hal.ota_write = hal_ota_write;
        h->hal.ota_finish = hal_ota_finish;
        h->hal.ota_verify = hal_ota_verify;
        h->hal.ota_slot = hal_ota_slot;
    }
}
