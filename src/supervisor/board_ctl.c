/* Control-socket commands (issue 5): one JSON object per request line,
 * {"cmd": NAME, ...fields}, one reply line {"ok": true, ...} or
 * {"ok": false, "error": SENTENCE}. A request that is not understood
 * changes nothing. */
#include "board_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract/pins.h"
#include "repl/repl.h"
#include "util/json.h"

typedef struct ctl_cmd {
    const char *name;
    const char *fields[6];     /* the fields it takes besides "cmd" */
    const char *number_field;  /* the one that may also be a JSON number, or NULL */
    const char *synopsis;
    /* Runs the command; writes the reply members after "ok" (success) or
     * returns an error sentence (a literal, or built in err). */
    const char *(*run)(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen);
} ctl_cmd;

static const char *str_field(const vb_json_obj *req, const char *key)
{
    const vb_json_field *f = vb_json_get(req, key);
    return f && f->type == VB_JSON_STRING ? f->str : NULL;
}

static const char *need_power(const board *b)
{
    return b->power == BOARD_OFF ? "the board has no power (send power on first)" : NULL;
}

static const char *cmd_reset(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    (void)req, (void)out;
    const char *e = need_power(b);
    if (e) return e;
    board_reset(b, VB_CAUSE_PWRON);   /* the EN button: PWRON on esp32-class parts */
    return NULL;
}

static const char *cmd_brownout(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    (void)req, (void)out;
    const char *e = need_power(b);
    if (e) return e;
    board_reset(b, VB_CAUSE_BROWNOUT);
    return NULL;
}

static const char *cmd_power(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    (void)out;
    const char *s = str_field(req, "state");
    if (!s) return "power needs \"state\": \"on\", \"off\" or \"cycle\"";
    if (strcmp(s, "off") == 0) {
        board_power_off(b);
    } else if (strcmp(s, "on") == 0) {
        board_power_on(b);
    } else if (strcmp(s, "cycle") == 0) {
        board_power_off(b);
        board_power_on(b);
    } else {
        return "power state must be \"on\", \"off\" or \"cycle\"";
    }
    return NULL;
}

static const char *const clock_mode_names[] = {"real", "fast"};

/* Board time as the trace counts it: µs since this run started. */
static uint64_t run_us(const board *b, uint64_t t) { return t > b->start_us ? t - b->start_us : 0; }

static const char *const mode_names[] = {"unset", "in", "out", "open_drain"};
static const char *const pull_names[] = {"none", "up", "down"};
static const char *const drive_names[] = {"float", "low", "high"};
static const char *const driver_names[] = {"none", "firmware", "host", "pull"};

static void pin_reply(const board *b, const vb_pin_def *d, vb_json_out *out)
{
    const vb_pin_reg *p = &b->regs->pins[d->gpio];
    vb_pin_driver who = vb_pin_driver_of(p);
    vb_json_str(out, "pin", d->name);
    if (d->alias) vb_json_str(out, "alias", d->alias);
    vb_json_uint(out, "gpio", d->gpio);
    vb_json_int(out, "level", vb_pin_level(p));
    vb_json_bool(out, "floating", who == VB_DRIVER_NONE);
    vb_json_str(out, "mode", p->mode < 4 ? mode_names[p->mode] : "?");
    vb_json_str(out, "pull", p->pull < 3 ? pull_names[p->pull] : "?");
    vb_json_str(out, "driver", driver_names[who]);
    vb_json_str(out, "drive", p->ext < 3 ? drive_names[p->ext] : "?");
    /* the host drives against an output: the firmware wins, as a stronger driver */
    vb_json_bool(out, "contention", p->mode == VB_PIN_MODE_OUT && p->ext != VB_EXT_FLOAT &&
                                        (p->ext == VB_EXT_HIGH) != (p->latch != 0));
    vb_json_bool(out, "input_only", d->flags & VB_PIN_INPUT_ONLY);
    if (d->flags & VB_PIN_BUTTON) vb_json_bool(out, "button", true);
    if (d->gpio < VB_PINS_MAX) {
        vb_json_uint(out, "became_low", b->pin_became[d->gpio][0]);
        vb_json_uint(out, "became_high", b->pin_became[d->gpio][1]);
        vb_json_uint(out, "became_float", b->pin_became[d->gpio][2]);
    }
}

static const char *cmd_pin(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    const char *name = str_field(req, "name");
    if (!name) return "pin needs \"name\" (a pin of the board, e.g. P12 or 12)";
    const vb_pin_def *d = vb_port_pin(b->cfg->profile->port, name);
    if (!d) {
        const vb_port *p = b->cfg->profile->port;
        snprintf(err, errlen, "no pin '%.40s' on the %s board (pins %s..%s)", name, b->cfg->profile->name,
                 p->pins[0].name, p->pins[p->n_pins - 1].name);
        return err;
    }
    const vb_json_field *drive = vb_json_get(req, "drive");
    if (drive) {
        int ext = -1;
        for (int i = 0; i < 3 && drive->type == VB_JSON_STRING; i++)
            if (strcmp(drive->str, drive_names[i]) == 0) ext = i;
        if (ext < 0) return "pin drive must be \"high\", \"low\" or \"float\"";
        board_drive_pin(b, d->gpio, ext);
    }
    pin_reply(b, d, out);
    return NULL;
}

static void rgb_text(uint32_t rgb, char buf[8]) { snprintf(buf, 8, "#%06x", rgb & 0xFFFFFFu); }

/* A GPIO LED (esp32 blue, Pico green) is lit while its pin is high; an
 * RGB LED (Pycom) shows what the firmware set. */
static uint32_t led_now(const board *b)
{
    const vb_port *port = b->cfg->profile->port;
    if (port->led_kind == VB_LED_GPIO)
        return vb_pin_level(&b->regs->pins[port->led_gpio]) ? port->led_rgb : 0;
    return atomic_load(&b->regs->led_rgb);
}

static const char *cmd_led(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    (void)req;
    uint32_t rgb = led_now(b);
    char hex[8];
    rgb_text(rgb, hex);
    vb_json_str(out, "rgb", hex);
    vb_json_bool(out, "on", rgb != 0);
    const vb_port *port = b->cfg->profile->port;
    if (port->led_kind == VB_LED_GPIO) vb_json_int(out, "gpio", port->led_gpio);
    return NULL;
}

/* The machine constant's name machine.reset_cause() gives now (the
 * port's SOFT cause after a soft reset, if it has one), or NULL. */
static const char *machine_cause_name(const board *b)
{
    const vb_port *port = b->cfg->profile->port;
    const char *soft = port->cause_const[VB_CAUSE_SOFT];
    if (b->power == BOARD_ON && b->regs->soft_resets > 0 && soft) return soft;
    return (unsigned)b->last_cause < VB_CAUSE_COUNT ? port->cause_const[b->last_cause] : NULL;
}

static const char *cmd_status(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    (void)req;
    static const char *const power_names[] = {"off", "on", "sleeping", "download"};
    static const char *const image_names[] = {"factory", "ota_0", "factory"};
    const vb_regs *r = b->regs;
    uint64_t now = board_now_us(b);
    vb_json_str(out, "profile", b->cfg->board_name ? b->cfg->board_name : b->cfg->profile->name);
    vb_json_str(out, "port", b->cfg->profile->port->name);
    vb_json_str(out, "power", power_names[b->power]);
    vb_json_uint(out, "uptime_ms", b->power == BOARD_OFF || now < r->power_on_us ? 0 : (now - r->power_on_us) / 1000u);
    vb_json_uint(out, "boot_count", r->boot_count);
    vb_json_str(out, "reset_cause", board_cause_name(b->last_cause));
    vb_json_int(out, "reset_cause_value", r->reset_cause);
    const char *mc = machine_cause_name(b);
    if (mc) vb_json_str(out, "machine_reset_cause", mc);
    vb_json_uint(out, "soft_resets", r->soft_resets);
    vb_json_str(out, "repl_mode", r->repl_mode == VB_REPL_MODE_RAW ? "raw" : "friendly");
    vb_json_str(out, "stage", vb_stage_name(r->stage));
    vb_json_bool(out, "safe_boot", r->safe_boot != 0);
    vb_json_str(out, "image", image_names[r->image_slot < 3 ? r->image_slot : 0]);
    char hex[8];
    rgb_text(led_now(b), hex);
    vb_json_str(out, "led", hex);
    vb_json_uint(out, "wdt_timeout_ms", atomic_load(&r->wdt_timeout_ms));
    vb_json_uint(out, "flash_ops", r->flash_ops);
    vb_json_str(out, "control", b->control_path);
    vb_json_str(out, "serial", b->serial.url[0] ? b->serial.url : "terminal");
    vb_json_bool(out, "serial_host", b->serial.attached);
    vb_json_uint(out, "serial_sent", b->tx_sent);
    vb_json_uint(out, "serial_discarded", b->tx_discarded);
    vb_json_uint(out, "serial_queued", vb_txq_count(&b->txq));
    vb_json_uint(out, "serial_overflow", b->tx_overflow);
    vb_json_uint(out, "serial_baud", b->cfg->baud);
    vb_json_uint(out, "events_dropped", b->events_dropped);
    vb_json_uint(out, "sandbox_refusals", b->sandbox_refusals);
    vb_json_uint(out, "zygote_starts", b->zygote_starts);
    vb_json_uint(out, "zygote_reuses", b->zygote_reuses);
    vb_json_str(out, "clock", clock_mode_names[b->clock.mode]);
    vb_json_uint(out, "board_us", run_us(b, now));
    board_wifi_status(b, out);
    board_net_status(b, out);
    board_uart_status(b, out);
    return NULL;
}

static const char *cmd_wake(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    (void)out;
    if (b->power != BOARD_SLEEPING) return "the board is not in deep sleep";
    const char *name = str_field(req, "pin");
    uint64_t mask = 0;
    if (name) {
        const vb_pin_def *d = vb_port_pin(b->cfg->profile->port, name);
        if (!d) return "wake: no such pin on this board";
        mask = (uint64_t)1 << d->gpio;
    }
    board_wake(b, VB_WAKE_PIN, mask);
    return NULL;
}

static const char *cmd_quit(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    (void)req, (void)out;
    board_quit(b, VB_EXIT_OK);
    return NULL;
}

/* ---- the board clock (util/boardclock.h) ---------------------------------- */

/* clock [free]: the clock's state; `free` drops the host's hold. */
static const char *cmd_clock(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    const char *action = str_field(req, "action");
    if (action && strcmp(action, "free") != 0) return "clock takes nothing, or \"action\": \"free\"";
    if (action) b->host_until_us = 0;
    vb_json_str(out, "mode", clock_mode_names[b->clock.mode]);
    vb_json_uint(out, "board_us", run_us(b, board_now_us(b)));
    vb_json_uint(out, "jumps", b->clock.jumps);
    vb_json_uint(out, "skipped_us", (uint64_t)b->clock.skipped_us);
    if (b->host_until_us) vb_json_uint(out, "hold_us", run_us(b, b->host_until_us));
    return NULL;
}

#define ADVANCE_MAX_MS 1000000000000.0     /* some 31 years of board time at once */

/* advance MS: the host waits until MS of board time from now have passed;
 * under --clock fast an idle board jumps there (the host then polls
 * `clock`), and no further on its own (board_int.h host_until_us):
 * `advance 0` holds the clock where it is. Replaces an earlier hold. */
static const char *cmd_advance(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    const vb_json_field *f = vb_json_get(req, "ms");
    double ms = -1;
    if (f && f->type == VB_JSON_NUMBER) {
        ms = f->num;
    } else if (f && f->str && *f->str && strspn(f->str, "0123456789") == strlen(f->str) && strlen(f->str) < 14) {
        ms = (double)strtoull(f->str, NULL, 10);
    }
    if (!(ms >= 0 && ms <= ADVANCE_MAX_MS) || ms != (double)(uint64_t)ms)
        return "advance needs \"ms\": a whole number of milliseconds, 0 to 10^12";
    uint64_t now = board_now_us(b);
    b->host_until_us = now + (uint64_t)ms * 1000u;
    vb_json_uint(out, "board_us", run_us(b, now));
    vb_json_uint(out, "until_us", run_us(b, now + (uint64_t)ms * 1000u));
    return NULL;
}

static const ctl_cmd commands[] = {
    {"reset", {NULL}, NULL, "reset", cmd_reset},
    {"power", {"state", NULL}, NULL, "power on|off|cycle", cmd_power},
    {"brownout", {NULL}, NULL, "brownout", cmd_brownout},
    {"pin", {"name", "drive", NULL}, NULL, "pin NAME [high|low|float]", cmd_pin},
    {"led", {NULL}, NULL, "led", cmd_led},
    {"status", {NULL}, NULL, "status", cmd_status},
    {"wake", {"pin", NULL}, NULL, "wake [PIN]", cmd_wake},
    {"clock", {"action", NULL}, NULL, "clock [free]", cmd_clock},
    {"advance", {"ms", NULL}, "ms", "advance MS", cmd_advance},
    {"wifi", {"action", "op", "ssid", "key", "rssi", NULL}, "rssi",
     "wifi | wifi ap add SSID [KEY] [RSSI] | wifi ap remove SSID | wifi drop", board_wifi_ctl},
    {"net", {NULL}, NULL, "net", board_net_ctl},
    {"adc", {"pin", "mv", NULL}, "mv", "adc [PIN [MILLIVOLTS]]", board_adc_ctl},
    {"pwm", {"pin", NULL}, NULL, "pwm [PIN]", board_pwm_ctl},
    {"i2c", {NULL}, NULL, "i2c", board_i2c_ctl},
    {"spi", {NULL}, NULL, "spi", board_spi_ctl},
    {"neopixel", {"pin", NULL}, NULL, "neopixel [PIN]", board_neopixel_ctl},
    {"sensor", {"addr", "temp", "hum", NULL}, NULL, "sensor [ADDR [TEMP_C [HUM_PCT]]]", board_sensor_ctl},
    {"screenshot", {"file", "addr", NULL}, NULL, "screenshot FILE.png [ADDR|spi:BUS:CS]", board_screenshot_ctl},
    {"quit", {NULL}, NULL, "quit", cmd_quit},
};

#define COMMAND_LIST "reset, power, brownout, pin, led, status, wake, clock, advance, wifi, net, adc, pwm, i2c, spi, neopixel, sensor, screenshot, quit"

static size_t reply_error(char *reply, size_t cap, const char *msg)
{
    vb_json_out o;
    vb_json_begin(&o, reply, cap);
    vb_json_bool(&o, "ok", false);
    vb_json_str(&o, "error", msg);
    return vb_json_end(&o);
}

/* A field the command does not take is an error, so a typo cannot be
 * silently ignored. */
static const char *check_fields(const ctl_cmd *c, const vb_json_obj *req, char *err, size_t errlen)
{
    for (unsigned i = 0; i < req->n; i++) {
        const char *k = req->f[i].key;
        if (strcmp(k, "cmd") == 0) continue;
        bool known = false;
        for (unsigned j = 0; j < 6 && c->fields[j]; j++) known |= strcmp(k, c->fields[j]) == 0;
        if (!known) {
            snprintf(err, errlen, "%s takes no field \"%.40s\" (usage: %s)", c->name, k, c->synopsis);
            return err;
        }
        bool number_ok = c->number_field && strcmp(k, c->number_field) == 0;
        if (req->f[i].type != VB_JSON_STRING && !(number_ok && req->f[i].type == VB_JSON_NUMBER)) {
            snprintf(err, errlen, "field \"%.40s\" must be a string", k);
            return err;
        }
    }
    return NULL;
}

size_t board_control_line(void *ctx, const char *line, size_t len, char *reply, size_t cap)
{
    board *b = ctx;
    vb_json_obj req;
    char err[200];
    if (vb_json_parse(line, len, &req, err, sizeof err) < 0) {
        char msg[240];
        snprintf(msg, sizeof msg, "malformed request: %s", err);
        return reply_error(reply, cap, msg);
    }
    const char *name = NULL;
    const vb_json_field *f = vb_json_get(&req, "cmd");
    if (f && f->type == VB_JSON_STRING) name = f->str;
    if (!name)
        return reply_error(reply, cap, "a request needs \"cmd\" (" COMMAND_LIST ")");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const ctl_cmd *c = &commands[i];
        if (strcmp(c->name, name) != 0) continue;
        const char *e = check_fields(c, &req, err, sizeof err);
        if (e) return reply_error(reply, cap, e);
        vb_json_out o;
        vb_json_begin(&o, reply, cap);
        vb_json_bool(&o, "ok", true);
        e = c->run(b, &req, &o, err, sizeof err);
        if (e) return reply_error(reply, cap, e);
        size_t n = vb_json_end(&o);
        return n ? n : reply_error(reply, cap, "reply too long");
    }
    snprintf(err, sizeof err, "unknown command \"%.40s\" (" COMMAND_LIST ")", name);
    return reply_error(reply, cap, err);
}
