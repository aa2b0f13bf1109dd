/* The whole VM-to-board boundary (style.md §2: "one header is the whole
 * VM-to-board boundary"). The engine's modules (sys, time, machine,
 * micropython) and the REPL driver reach the board only through these
 * calls; the board supervisor's VM side implements them over the shared
 * register block, and tests link a fake.
 *
 * Calls come from the VM's Python threads, each holding the GIL or not;
 * the waits (rx, idle) are made with it released. */
#ifndef VB_ENGINE_HAL_H
#define VB_ENGINE_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "contract/hw_types.h"
#include "contract/busmsg.h"
#include "contract/netmsg.h"
#include "contract/wifi.h"

struct pollfd;

/* One frozen module of the running firmware image (boot.md §6): `_boot`,
 * and any others the image carries; importable by name, source text. */
typedef struct vb_frozen_module {
    const char *name;              /* "_boot", "mymod" (no ".py") */
    const char *source;
    size_t len;
} vb_frozen_module;

/* pycom.bootmgr() state (boot.md §5-6, flash.md §2.1). */
typedef struct vb_bootmgr_state {
    int boot_partition;            /* the stored active image: 0 factory, 1 ota_0 */
    int fs_type;                   /* 0 FAT, 1 LittleFS */
    int safeboot;                  /* this boot is a safe boot (0/1) */
    int status;                    /* otadata Status: 0 CHECK, 1 READY, 2 PATCH */
} vb_bootmgr_state;

/* hal.h thread_event: what a thread of the VM does. */
typedef enum vb_thread_event {
    VB_THREAD_START,     /* before a new thread runs */
    VB_THREAD_END,       /* a thread ended */
    VB_THREAD_BLOCK,     /* blocked on a lock until another thread frees it */
    VB_THREAD_UNBLOCK,   /* and running again */
} vb_thread_event;

typedef struct vb_hal {
    void *ctx;
    /* Serial output, raw bytes (the caller cooks where the spec says so).
     * Waits while the line is full (a host attached but not reading), as
     * firmware waits on a UART FIFO. Returns how many bytes were sent:
     * fewer than n only when a signal (Ctrl-C, a pin IRQ) ended a wait;
     * the caller checks for KeyboardInterrupt or sends the rest
     * (vb_hal_tx_all). */
    size_t (*tx)(void *ctx, const void *buf, size_t n);
    /* Serial input: up to n bytes, waiting at most timeout_ms (-1 = forever).
     * Returns the count (0 on timeout), or -EINTR when a signal (Ctrl-C)
     * may have arrived while waiting (spurious -EINTR is allowed): the
     * caller then checks for KeyboardInterrupt and calls again. */
    int (*rx)(void *ctx, void *buf, size_t n, int timeout_ms);
    /* Bytes waiting in the serial input (select.poll on stdin). */
    size_t (*rx_available)(void *ctx);
    /* Ctrl-C arming: while armed, the interrupt character (Ctrl-C,
     * VB_CTRL_C, by default; micropython.kbd_intr) in the input raises KeyboardInterrupt in the
     * running code; disarmed, it is an ordinary byte. */
    void (*set_executing)(void *ctx, bool executing);
    void (*set_intr_char)(void *ctx, int c);   /* -1 disables */
    /* Monotonic board time in microseconds since this hard boot. */
    uint64_t (*ticks_us)(void *ctx);
    /* The board clock (util/boardclock.h), µs, the time base of every
     * deadline; NULL: the host's monotonic clock. */
    int64_t (*now_us)(void *ctx);
    /* Wait, idle, until board time `until_us` (INT64_MAX: no deadline),
     * serial input when wake_on_input, or anything else the board gives
     * (a signal, a clock jump): returns 0 (look again, the time may not
     * have come), or -EINTR when a signal may have arrived. Under a fast
     * clock, the board's time jumps to a deadline the VM idles towards.
     * NULL: the engine naps on the host clock. */
    int (*idle)(void *ctx, int64_t until_us, bool wake_on_input);
    /* RTC: seconds since 2000-01-01 00:00:00 plus microseconds. */
    void (*rtc_get)(void *ctx, int64_t *seconds, uint32_t *micros);
    void (*rtc_set)(void *ctx, int64_t seconds, uint32_t micros);
    /* Last hard-reset cause as the port's machine constant, and whether
     * this VM started after a soft reset (reset_cause() then says the
     * port's SOFT cause, or on a port without one the hard cause again). */
    int (*reset_cause)(void *ctx);
    bool (*after_soft_reset)(void *ctx);
    /* Leave the VM now with this reason (does not return). arg: the
     * deep-sleep time in ms (0 = until a wake pin) for DEEPSLEEP. */
    void (*exit_vm)(void *ctx, vb_vm_exit why, uint32_t arg);

    /* ---- pins, by GPIO number (the profile's pin table names them) ----
     * The level a pin shows is decided by the board: the firmware's output
     * driver, the host's drive over the control channel, the pull. */
    void (*pin_config)(void *ctx, unsigned gpio, vb_pin_mode mode, vb_pin_pull pull);
    void (*pin_write)(void *ctx, unsigned gpio, int value);   /* output latch, 0/1 */
    int (*pin_read)(void *ctx, unsigned gpio);                /* the level, 0/1 */
    void (*pin_state)(void *ctx, unsigned gpio, vb_pin_mode *mode, vb_pin_pull *pull, int *latch);
    /* Edge detection per pin (VB_PIN_IRQ_* bits, 0 = off). Edges the board
     * sees while armed are latched; pin_irq_take returns and clears them:
     * bit 2*gpio = rising, 2*gpio+1 = falling (so 80 bits: two words). The
     * board interrupts the VM (a signal the engine turns into scheduled
     * handlers) when it latches one. */
    void (*pin_irq_arm)(void *ctx, unsigned gpio, unsigned triggers);
    void (*pin_irq_take)(void *ctx, uint64_t pending[2]);

    /* ---- watchdog (hardware: survives soft resets, cannot be stopped) ---- */
    void (*wdt_start)(void *ctx, uint32_t timeout_ms);     /* later calls set the timeout */
    void (*wdt_feed)(void *ctx);

    /* ---- LED: 0xRRGGBB (an on/off LED: 0 or not 0) ---- */
    void (*led_set)(void *ctx, uint32_t rgb);
    uint32_t (*led_get)(void *ctx);

    /* ---- RTC memory (kept across resets and deep sleep, lost on power) ---- */
    size_t (*rtc_memory_read)(void *ctx, uint8_t *buf, size_t cap);
    void (*rtc_memory_write)(void *ctx, const uint8_t *buf, size_t n);  /* n <= VB_RTC_MEMORY_MAX */

    /* ---- deep sleep wake-up ---- */
    /* Why this boot woke, the wake pins' GPIO mask, and the deep-sleep time
     * left when a pin woke the board early (ms, else 0). */
    void (*wake_info)(void *ctx, vb_wake_reason *reason, uint64_t *gpio_mask, uint32_t *remaining_ms);
    /* Pins that end a deep sleep (Pycom machine.pin_sleep_wakeup); level
     * 1 = wake on high (any of them), 0 = wake when all are low. */
    void (*wake_pins_set)(void *ctx, uint64_t gpio_mask, int level);

    /* ---- Pycom: LED heartbeat, boot manager, OTA (boot.md §5-6) ----
     * NULL on boards without them. Errors are negative errno values. */
    /* The heartbeat (blue 0x000050, 80 ms on / 3920 ms off) is animated by
     * the board; on < 0 only asks. Returns the state now (0/1). */
    int (*heartbeat)(void *ctx, int on);
    /* Stored in the config block: whether the heartbeat starts at boot. */
    int (*heartbeat_on_boot)(void *ctx, int on);
    void (*bootmgr_get)(void *ctx, vb_bootmgr_state *st);
    /* Store a new boot partition (0/1) and/or a software safe-boot request
     * (safeboot 1 → otadata flag 2); -1 keeps a field. The caller resets. */
    int (*bootmgr_set)(void *ctx, int boot_partition, int fs_type, int safeboot);
    /* OTA into the slot the next boot will try (flash.md §2.1): start
     * erases it, write appends (-EFBIG past the slot, -EINVAL when not
     * started or after finish), finish switches otadata to it with Status
     * CHECK (the bootloader verifies it at the next boot), verify checks
     * the image written so far (1 valid, 0 not). */
    int (*ota_start)(void *ctx);
    int (*ota_write)(void *ctx, const void *buf, size_t n);
    int (*ota_finish)(void *ctx);
    int (*ota_verify)(void *ctx);
    /* Flash address of the slot the next OTA writes (Pycom's ota_slot). */
    uint32_t (*ota_slot)(void *ctx);

    /* ---- the flash chip, for the port's block devices over the board's
     * own flash (esp32.Partition, rp2.Flash; issue 12 §3) ----
     * Byte addresses on the whole chip. A range that does not lie inside
     * the chip is refused with -EINVAL before anything is touched; so is an
     * erase whose addr or n is not a multiple of 4 KiB. Erase and program
     * go through the board's flash model like every other write: NOR rules
     * (program can only clear bits), numbered ops, power cuts (a cut ends
     * the VM there). 0, or a negative errno. NULL: no flash access. */
    int (*flash_read)(void *ctx, uint32_t addr, void *buf, size_t n);
    int (*flash_erase)(void *ctx, uint32_t addr, size_t n);
    int (*flash_program)(void *ctx, uint32_t addr, const void *buf, size_t n);

    /* ---- Wi-Fi: the radio is the board's (contract/wifi.h, net/wifi.h) ----
     * wifi_request hands one request to the board and waits (host time,
     * bounded; signals do not end the wait, the engine sees them at the
     * next bytecode) for its answer: a vb_wifi_result, VB_WIFI_E_TIMEOUT
     * when none came. req->seq is the HAL's to set. wifi_state copies the
     * board's last publication. NULL: a board without a radio. */
    int (*wifi_request)(void *ctx, const vb_wifi_req *req);
    void (*wifi_state)(void *ctx, vb_wifi_pub *out);

    /* ---- sockets: the board opens them (contract/netmsg.h) ----
     * NULL on boards without a radio. net_request hands one request (and
     * len bytes of data after it: SENDTO's datagram) to the
     * board and waits for its answer (*fd: the descriptor that came with
     * it, else -1): 0, or -EINTR when a signal (Ctrl-C) ended the wait (the
     * answer, when it comes, is thrown away with its descriptor), or -EIO
     * when the board is gone. req->magic and seq are the HAL's to set.
     * net_wait waits for any of the n descriptors to be ready, for input
     * too when wake_on_input, until board time until_us (INT64_MAX: no
     * deadline): the number ready (revents set), 0 at the deadline or when
     * input came, -EINTR on a signal. The clock is not told the VM is idle
     * (a peer's bytes are news it cannot count). */
    int (*net_request)(void *ctx, vb_net_req *req, const void *data, size_t len, vb_net_rep *rep, int *fd);
    int (*net_wait)(void *ctx, struct pollfd *fds, unsigned n, int64_t until_us, bool wake_on_input);

    /* ---- Timer, ADC, PWM (issue 16, contract/periph.h); NULL: none ----
     * The earliest machine.Timer deadline, board µs (INT64_MAX: none): the
     * board interrupts the VM (SIGUSR1, as for pin IRQs) once it is due,
     * idle waits end there, and a fast clock never jumps past it. */
    void (*timer_deadline)(void *ctx, int64_t until_us);
    /* The voltage the host puts on a pin, µV. */
    uint32_t (*adc_read_uv)(void *ctx, unsigned gpio);
    /* A PWM output on gpio at freq_hz (0 stops it), duty as duty_u16. */
    void (*pwm_set)(void *ctx, unsigned gpio, uint32_t freq_hz, uint32_t duty_u16);
    /* UART.irq(): arm or disarm UART id's IRQ at the board (bytes it then
     * delivers to that UART interrupt the VM: SIGUSR1); the bytes it has
     * delivered to UART id's line so far (a count that moved: data came). */
    void (*uart_irq_arm)(void *ctx, unsigned id, bool on);
    uint64_t (*uart_rx_count)(void *ctx, unsigned id);

    /* ---- threads (_thread) ----
     * What the VM's threads besides the main one do (vb_thread_event): one
     * is about to start, has ended; a thread (the main one too) blocks on
     * a _thread lock with no timeout, or is unblocked. The board counts the
     * VM idle (--clock fast jumps) only while every thread that is not
     * blocked waits in idle or rx. NULL: one thread only. */
    void (*thread_event)(void *ctx, vb_thread_event ev);

    /* ---- I2C: the devices are the board's (contract/busmsg.h) ----
     * One piece of bus traffic on bus `bus`: flags VB_BUS_START/STOP/
     * NACK_LAST, w[0..nw) written (after a START, w[0] is the address
     * byte), then r[0..nr) read; any lengths (the HAL cuts them into
     * requests). *acks: the written bytes ACKed (the writing stops at the
     * first NACK); *stretch_us: board µs the devices held SCL low. 0, or
     * -EIO when the board is gone. NULL: no I2C. */
    int (*i2c_xfer)(void *ctx, unsigned bus, unsigned flags, const uint8_t *w, size_t nw, uint8_t *r, size_t nr,
                    size_t *acks, uint64_t *stretch_us);

    /* ---- SPI: the devices are the board's (contract/busmsg.h, VB_BUS_KIND_SPI) ----
     * n bytes clocked full duplex on bus `bus` (the port's SPI id) in mode
     * VB_SPI_CPOL/CPHA/LSB_FIRST with `bits`-bit words: w[0..n) out on
     * MOSI, r[0..n) in from MISO (r may be NULL; 0xFF where nothing drives
     * it); the devices see the pins (chip selects, D/C) as they are now.
     * Any n (the HAL cuts it into requests). 0, or -EIO when the board is
     * gone. NULL: no SPI. */
    int (*spi_xfer)(void *ctx, unsigned bus, unsigned mode, unsigned bits, const uint8_t *w, uint8_t *r, size_t n);
    /* machine.bitstream: buf[0..n) sent on gpio with timing_ns (high and
     * low time of a 0 bit, then of a 1 bit), latched at the end, over the
     * same line (any n: the HAL cuts it into requests). The caller spends
     * the wire's board time. 0, or -EINVAL (the board refused the pin),
     * -EIO (the board is gone). NULL: none. */
    int (*bitstream)(void *ctx, unsigned gpio, const uint32_t timing_ns[4], const uint8_t *buf, size_t n);
} vb_hal;

/* Send all of buf, whatever signals interrupt the waits: for output no
 * Ctrl-C may cut short (prompts, echo, reports the firmware prints). */
static inline void vb_hal_tx_all(const vb_hal *hal, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n > 0) {
        size_t k = hal->tx(hal->ctx, p, n);
        p += k;
        n -= k;
    }
}

#endif
