/* The bootloader stage of a hard boot (boot.md §2, §5-6), in the
 * supervisor, before any firmware runs, as the port's table says: the
 * strap pin held low enters the ROM's download mode (ESP32 GPIO0 / Pycom
 * G23, rp2 BOOTSEL); then, on boards with otadata (Pycom), the safe-boot
 * pin's windows with their LED feedback, the pending OTA check and
 * rollback, the safe-boot flag and the image for this boot. Other boards
 * go straight to the firmware. Also the heartbeat LED animation, which is
 * the firmware's but timed by the board. */
#include "board_int.h"

#include <stdio.h>
#include <stdlib.h>

#include "boot/bootsel.h"
#include "boot/fwimage.h"
#include "flash/otadata.h"

#define DEBOUNCE_US 100000u
#define SAFE_ORANGE 0x2C1200u
#define HEARTBEAT_RGB 0x000050u
#define HEARTBEAT_ON_US 80000u
#define HEARTBEAT_PERIOD_US 4000000u

/* Window lengths and LED toggle periods (µs), windows 1-3. */
static const uint64_t window_len[3] = {3000000u, 3000000u, 1500000u};
static const uint64_t window_toggle[3] = {500000u, 250000u, 100000u};

static const char *const choice_names[] = {"none", "current", "previous", "factory"};

/* The host drives a strap or the safe-boot button; with nothing attached
 * the board's own resistors decide (straps pulled up, P12 pulled down). */
static int host_drive(const board *b, const char *name)
{
    const vb_pin_def *d = name ? vb_port_pin(b->cfg->profile->port, name) : NULL;
    return d ? b->regs->pins[d->gpio].ext : VB_EXT_FLOAT;
}

static bool slot_valid(void *ctx, uint32_t img)
{
    board *b = ctx;
    uint32_t off, size;
    if (!vb_boot_slot(b->cfg->profile, img, &off, &size)) return false;
    uint8_t *buf = NULL;
    vb_fw_image fw;
    char err[128];
    int rc = vb_fw_read_slot(&b->flash, off, size, &buf, &fw, err, sizeof err);
    free(buf);
    return rc == 0;
}

/* The window phase is over: decide, write otadata, start the firmware. */
static void finish(board *b, vb_safe_choice choice, uint64_t t)
{
    b->boot_phase = 0;
    board_set_led(b, t, 0);
    const vb_profile *p = b->cfg->profile;
    vb_otadata rec;
    int rc = vb_otadata_read(&b->flash, p->otadata_offset, &rec);
    bool dirty = rc == 0;                       /* defaults produced: write them */
    bool rolled_back = false, safe = false;
    dirty |= vb_boot_check_pending(&rec, slot_valid, b, &rolled_back);
    dirty |= vb_boot_safeboot_flag(&rec, choice != VB_SAFE_NONE, &safe);
    if (dirty && rc >= 0 && vb_otadata_write(&b->flash, p->otadata_offset, &rec) < 0)
        board_trace(b, "otadata_write_failed", "");
    uint32_t img = vb_boot_image(&rec, choice);
    /* An empty or damaged slot for a local choice falls back to factory;
     * the firmware falls back to the built-in image if that fails too. */
    if (!slot_valid(b, img)) img = VB_OTA_IMG_FACTORY;
    b->regs->image_slot = vb_ota_img_is_factory(img) ? VB_OTA_IMG_FACTORY : VB_OTA_IMG_OTA_0;
    b->regs->safe_boot = safe;
    char f[160];
    snprintf(f, sizeof f, ",\"safe_boot_pin\":\"%s\",\"safe_boot\":%s,\"image\":\"%s\",\"rolled_back\":%s",
             choice_names[choice], safe ? "true" : "false",
             b->regs->image_slot == VB_OTA_IMG_OTA_0 ? "ota_0" : "factory", rolled_back ? "true" : "false");
    board_trace_at(b, t, "bootloader", f);
    board_start_firmware(b);
}

static void enter_window(board *b, int w, uint64_t now)
{
    b->boot_phase = w;
    b->boot_phase_end = now + window_len[w - 1];
    b->boot_toggle_at = now;                   /* first toggle: LED on now */
    char f[32];
    snprintf(f, sizeof f, ",\"window\":%d", w);
    board_trace_at(b, now, "safe_boot_window", f);
}

void board_bootloader_start(board *b)
{
    const vb_port *port = b->cfg->profile->port;
    b->regs->safe_boot = 0;
    b->regs->image_slot = VB_OTA_IMG_FACTORY;
    if (host_drive(b, port->strap_pin) == VB_EXT_LOW) {
        board_enter_download(b);
        return;
    }
    const char *rom = b->last_cause < VB_CAUSE_COUNT ? port->rom_boot_text[b->last_cause] : NULL;
    if (rom) board_say(b, rom);
    if (!b->cfg->profile->otadata_offset) {    /* no bootloader choices on this board */
        board_start_firmware(b);
        return;
    }
    if (host_drive(b, port->safe_boot_pin) == VB_EXT_HIGH) {
        b->boot_phase = BOOT_DEBOUNCE;
        b->boot_phase_end = board_now_us(b) + DEBOUNCE_US;
        return;
    }
    finish(b, VB_SAFE_NONE, board_now_us(b));
}

uint64_t board_bootloader_deadline(const board *b)
{
    if (b->boot_phase == 0) return 0;
    if (b->boot_phase == BOOT_DEBOUNCE) return b->boot_phase_end;
    return b->boot_toggle_at < b->boot_phase_end ? b->boot_toggle_at : b->boot_phase_end;
}

void board_bootloader_tick(board *b)
{
    uint64_t now = board_now_us(b);
    bool held = host_drive(b, b->cfg->profile->port->safe_boot_pin) == VB_EXT_HIGH;
    int w = b->boot_phase;
    if (w == 0) return;
    if (w == BOOT_DEBOUNCE) {
        if (now < b->boot_phase_end) return;
        if (!held) {
            finish(b, VB_SAFE_NONE, now);
            return;
        }
        enter_window(b, 1, now);
        w = 1;
    }
    if (now >= b->boot_phase_end) {            /* a window ran out */
        /* toggles due before the end first, then the end itself */
        while (b->boot_toggle_at < b->boot_phase_end) {
            board_set_led(b, b->boot_toggle_at, atomic_load(&b->regs->led_rgb) ? 0 : SAFE_ORANGE);
            b->boot_toggle_at += window_toggle[w - 1];
        }
        if (w == 3 || !held) {
            finish(b, w == 3 ? VB_SAFE_FACTORY : w == 1 ? VB_SAFE_CURRENT : VB_SAFE_PREVIOUS,
                   b->boot_phase_end);
            return;
        }
        enter_window(b, w + 1, b->boot_phase_end);
        w++;
    }
    while (b->boot_toggle_at <= now) {
        uint32_t rgb = atomic_load(&b->regs->led_rgb) ? 0 : SAFE_ORANGE;
        board_set_led(b, b->boot_toggle_at, rgb);
        b->boot_toggle_at += window_toggle[w - 1];
    }
}

void board_bootloader_pin(board *b, unsigned gpio)
{
    const char *safe_pin = b->cfg->profile->port->safe_boot_pin;
    const vb_pin_def *d = safe_pin ? vb_port_pin(b->cfg->profile->port, safe_pin) : NULL;
    if (!d || d->gpio != gpio || b->boot_phase == 0) return;
    if (host_drive(b, safe_pin) == VB_EXT_HIGH) return;
    /* released: window 1 → current image, window 2 → previous; window 3
     * runs to its end whatever the pin does */
    uint64_t now = board_now_us(b);
    if (b->boot_phase == BOOT_DEBOUNCE) finish(b, VB_SAFE_NONE, now);
    else if (b->boot_phase == 1) finish(b, VB_SAFE_CURRENT, now);
    else if (b->boot_phase == 2) finish(b, VB_SAFE_PREVIOUS, now);
}

/* ---- heartbeat: blue 0x000050, 80 ms on every 4 s -------------------------- */

uint64_t board_heartbeat_deadline(const board *b)
{
    /* the firmware's animation: only while a firmware runs */
    if (b->power != BOARD_ON || !board_firmware_runs(b) || !atomic_load(&b->regs->heartbeat) || b->boot_phase)
        return 0;
    return b->heartbeat_at ? b->heartbeat_at : board_now_us(b);
}

void board_heartbeat_tick(board *b)
{
    vb_regs *r = b->regs;
    if (b->power != BOARD_ON || !board_firmware_runs(b) || b->boot_phase) return;
    if (!atomic_load(&r->heartbeat)) {
        b->heartbeat_at = 0;                   /* the firmware turned it off (and the LED) */
        return;
    }
    uint64_t now = board_now_us(b);
    if (!b->heartbeat_at) b->heartbeat_at = now;
    /* each change at the board time it was due, so the trace shows the
     * 80 ms / 4 s rhythm exactly */
    while (b->heartbeat_at <= now) {
        uint32_t cur = atomic_load(&r->led_rgb);
        bool on = cur == HEARTBEAT_RGB;
        /* only from the heartbeat's own state: a colour the firmware set
         * meanwhile (rgbled, the error flash) is never overwritten */
        if (!atomic_load(&r->led_override) && (on || cur == 0) &&
            atomic_compare_exchange_strong(&r->led_rgb, &cur, on ? 0 : HEARTBEAT_RGB))
            board_log_led(b, b->heartbeat_at, on ? 0 : HEARTBEAT_RGB);
        b->heartbeat_at += on ? HEARTBEAT_PERIOD_US - HEARTBEAT_ON_US : HEARTBEAT_ON_US;
    }
}
