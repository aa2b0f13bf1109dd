/* The whole VM-to-board boundary (style.md §2: "one header is the whole
 * VM-to-board boundary"). The engine's modules (sys, time, machine,
 * micropython) and the REPL driver reach the board only through these
 * calls; the board supervisor's VM side implements them over the shared
 * register block, and tests link a fake.
 *
 * All calls are made from the VM's one Python thread. */
#ifndef VB_ENGINE_HAL_H
#define VB_ENGINE_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why the VM ends: the exit status of the VM process, shared with the
 * supervisor, which decides the next stage. */
typedef enum vb_vm_exit {
    VB_VM_EXIT_SOFT_RESET = 40,   /* Ctrl-D, machine.soft_reset(), SystemExit */
    VB_VM_EXIT_HARD_RESET = 41,   /* machine.reset() */
    VB_VM_EXIT_DEEPSLEEP = 42,    /* machine.deepsleep(ms): supervisor sleeps then resets */
    VB_VM_EXIT_BOOTLOADER = 43,   /* machine.bootloader() */
    VB_VM_EXIT_FATAL = 44,        /* the engine itself failed: a panic, hard reset */
    VB_VM_EXIT_POWER_OFF = 45,    /* the board was told to stop: files closed, volume synced */
} vb_vm_exit;

typedef struct vb_hal {
    void *ctx;
    /* Serial output, raw bytes (the caller cooks where the spec says so).
     * Never blocks for long: a host that does not read loses output. */
    void (*tx)(void *ctx, const void *buf, size_t n);
    /* Serial input: up to n bytes, waiting at most timeout_ms (-1 = forever).
     * Returns the count (0 on timeout), or -EINTR when a signal (Ctrl-C)
     * may have arrived while waiting (spurious -EINTR is allowed): the
     * caller then checks for KeyboardInterrupt and calls again. */
    int (*rx)(void *ctx, void *buf, size_t n, int timeout_ms);
    /* Bytes waiting in the serial input (select.poll on stdin). */
    size_t (*rx_available)(void *ctx);
    /* Ctrl-C arming: while armed, the interrupt character (3 by default,
     * micropython.kbd_intr) in the input raises KeyboardInterrupt in the
     * running code; disarmed, it is an ordinary byte. */
    void (*set_executing)(void *ctx, bool executing);
    void (*set_intr_char)(void *ctx, int c);   /* -1 disables */
    /* Monotonic board time in microseconds since this hard boot. */
    uint64_t (*ticks_us)(void *ctx);
    /* RTC: seconds since 2000-01-01 00:00:00 plus microseconds. */
    void (*rtc_get)(void *ctx, int64_t *seconds, uint32_t *micros);
    void (*rtc_set)(void *ctx, int64_t seconds, uint32_t micros);
    /* Last hard-reset cause as the profile's machine constant, and whether
     * this VM started after a soft reset (reset_cause() then says SOFT). */
    int (*reset_cause)(void *ctx);
    bool (*after_soft_reset)(void *ctx);
    /* Leave the VM now with this reason (does not return). */
    void (*exit_vm)(void *ctx, vb_vm_exit why, uint32_t arg);
} vb_hal;

#endif
