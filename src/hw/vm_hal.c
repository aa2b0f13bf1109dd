/* engine/hal.h over the register block (regs.h). Input waits on the
 * supervisor's eventfd; a signal (Ctrl-C) ends the wait with -EINTR so the
 * engine can raise KeyboardInterrupt. */
#include "vm_hal.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

int64_t vb_monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const vb_firmware_ctx *fw_of(void *ctx) { return ((vb_vm_hal *)ctx)->fw; }

static void hal_tx(void *ctx, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    int fd = fw_of(ctx)->tx_fd;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return;           /* supervisor gone: nothing to tell */
        }
        p += w;
        n -= (size_t)w;
    }
}

static int hal_rx(void *ctx, void *buf, size_t n, int timeout_ms)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    int64_t deadline = timeout_ms < 0 ? INT64_MAX : vb_monotonic_us() + (int64_t)timeout_ms * 1000;
    for (;;) {
        size_t got = vb_rx_get(fw->regs, buf, n);
        if (got > 0 || n == 0) return (int)got;
        int64_t left = deadline == INT64_MAX ? -1 : (deadline - vb_monotonic_us() + 999) / 1000;
        if (deadline != INT64_MAX && left <= 0) return 0;
        struct pollfd pf = {fw->rx_efd, POLLIN, 0};
        int r = poll(&pf, 1, left > INT32_MAX ? INT32_MAX : (int)left);
        if (r < 0 && errno == EINTR) return -EINTR;
        uint64_t v;
        if (r > 0 && read(fw->rx_efd, &v, sizeof v) < 0) { /* another reader took it */ }
        /* Rung but still empty: most likely the supervisor discarded the
         * input for a Ctrl-C, and its SIGINT may have arrived just before
         * poll() slept (then poll saw the ring, not the signal). Let the
         * caller check for signals; a stale ring costs one extra turn. */
        if (r > 0 && vb_rx_count(fw->regs) == 0) return -EINTR;
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
    return (uint64_t)(vb_monotonic_us() - (int64_t)(fw_of(ctx)->regs->boot_time_ns / 1000));
}

/* RTC time = host monotonic µs + offset; the offset lives in the register
 * block, so the RTC survives soft and hard resets. */
static void hal_rtc_get(void *ctx, int64_t *seconds, uint32_t *micros)
{
    int64_t us = vb_monotonic_us() + fw_of(ctx)->regs->rtc_offset_us;
    if (us < 0) us = 0;
    *seconds = us / 1000000;
    *micros = (uint32_t)(us % 1000000);
}

static void hal_rtc_set(void *ctx, int64_t seconds, uint32_t micros)
{
    fw_of(ctx)->regs->rtc_offset_us = seconds * 1000000 + micros - vb_monotonic_us();
}

static int hal_reset_cause(void *ctx)
{
    const vb_firmware_ctx *fw = fw_of(ctx);
    if (fw->regs->soft_resets > 0) {
        int soft = vb_profile_cause(fw->profile, VB_CAUSE_SOFT);
        if (soft >= 0) return soft;
    }
    return fw->regs->reset_cause;
}

static bool hal_after_soft_reset(void *ctx) { return fw_of(ctx)->regs->soft_resets > 0; }

static void hal_exit_vm(void *ctx, vb_vm_exit why, uint32_t arg)
{
    (void)ctx;
    (void)arg;
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
        .rtc_get = hal_rtc_get,
        .rtc_set = hal_rtc_set,
        .reset_cause = hal_reset_cause,
        .after_soft_reset = hal_after_soft_reset,
        .exit_vm = hal_exit_vm,
    };
}
