/* What happened, visible (issue 5): the JSON-lines trace, the VCD of pin
 * levels, the serial log, and CI mode's text watches. Times are board
 * time: microseconds since `vboard run` started, monotonic across resets
 * and power cycles so one timeline holds a whole run.
 *
 * The files are bounded (issue 11): each stops at the run's log_max bytes
 * (--log-max; LOG_MAX_DEFAULT when 0) after one note saying so, and the
 * board runs on. They are opened without following a symlink, so a board
 * cannot be pointed at a file through a planted link. The hardware event
 * records the firmware sends are hostile input: they reach the trace and
 * the VCD only through the gate of trace/evcheck.h. */
#include "board_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "contract/pins.h"

uint64_t board_time(const board *b, uint64_t host_us)
{
    return host_us > b->start_us ? host_us - b->start_us : 0;
}

/* Each log file at most this many bytes (plus its note) unless --log-max. */
#define LOG_MAX_DEFAULT ((uint64_t)64 << 20)

/* Create or truncate path, never through a symlink. */
static FILE *open_log(const char *path, const char *what, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        if (errno == ELOOP) snprintf(err, errlen, "refusing to write the %s through a symlink: %s", what, path);
        else snprintf(err, errlen, "cannot write the %s %s: %s", what, path, strerror(errno));
        return NULL;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write the %s %s: %s", what, path, strerror(errno));
        close(fd);
    }
    return f;
}

/* The board's pin registers as a mask, for the event gate. */
static uint64_t profile_pin_mask(const vb_port *p)
{
    uint64_t m = 0;
    for (unsigned i = 0; i < p->n_pins; i++)
        if (p->pins[i].gpio < VB_REG_PINS) m |= (uint64_t)1 << p->pins[i].gpio;
    return m;
}

int board_log_open(board *b, char *err, size_t errlen)
{
    const vb_board_cfg *cfg = b->cfg;
    b->log_max = cfg->log_max ? cfg->log_max : LOG_MAX_DEFAULT;
    vb_ev_gate_init(&b->ev_gate, profile_pin_mask(cfg->profile->port), board_now_us(b));
    if (cfg->trace_path && !(b->trace = open_log(cfg->trace_path, "trace", err, errlen))) return -1;
    if (cfg->serial_log_path && !(b->serial_log = open_log(cfg->serial_log_path, "serial log", err, errlen)))
        return -1;
    if (cfg->expect_text && vb_textwatch_init(&b->expect, cfg->expect_text, strlen(cfg->expect_text)) < 0)
        goto nomem;
    if (cfg->fail_text && vb_textwatch_init(&b->fail, cfg->fail_text, strlen(cfg->fail_text)) < 0)
        goto nomem;
    if (cfg->vcd_path) {
        /* one wire per pin, then the LED colour as a 24-bit vector, then
         * for each pin that can drive a PWM signal its frequency (Hz, 32
         * bits) and duty (duty_u16): PWM shows as its changes, not its
         * edges (board_log_pwm); then the pixel strips' slots (board_pixels.c) */
        const vb_port *p = cfg->profile->port;
        vb_vcd_var vars[3 * VB_PINS_MAX + 1 + BOARD_PIXELS_VCD_VARS];
        char pwm_names[2 * VB_PINS_MAX][24], pixel_names[BOARD_PIXELS_VCD_VARS][24];
        for (unsigned i = 0; i < p->n_pins; i++) vars[i] = (vb_vcd_var){p->pins[i].name, 1};
        vars[p->n_pins] = (vb_vcd_var){"led", 24};
        b->vcd_led = p->n_pins;
        unsigned n = p->n_pins + 1;
        for (unsigned i = 0; i < p->n_pins; i++) {
            const vb_pin_def *d = &p->pins[i];
            if (d->flags & (VB_PIN_INPUT_ONLY | VB_PIN_CPU_ONLY | VB_PIN_BUTTON)) continue;
            b->vcd_pwm[d->gpio] = n;
            snprintf(pwm_names[n - p->n_pins - 1], sizeof pwm_names[0], "%s_pwm_hz", d->name);
            vars[n] = (vb_vcd_var){pwm_names[n - p->n_pins - 1], 32};
            n++;
            snprintf(pwm_names[n - p->n_pins - 1], sizeof pwm_names[0], "%s_pwm_duty", d->name);
            vars[n] = (vb_vcd_var){pwm_names[n - p->n_pins - 1], 16};
            n++;
        }
        n = board_pixels_vcd_vars(b, vars, pixel_names, n);
        b->vcd = vb_vcd_open(cfg->vcd_path, cfg->profile->name, vars, n, err, errlen);
        if (!b->vcd) return -1;
        vb_vcd_limit(b->vcd, b->log_max);
    }
    return 0;
nomem:
    snprintf(err, errlen, "out of memory");
    return -1;
}

void board_log_close(board *b)
{
    if (b->trace) fclose(b->trace);
    if (b->serial_log) fclose(b->serial_log);
    if (b->vcd) vb_vcd_close(b->vcd, board_time(b, board_now_us(b)));
    vb_textwatch_free(&b->expect);
    vb_textwatch_free(&b->fail);
    b->trace = b->serial_log = NULL;
    b->vcd = NULL;
}

/* A line that would take the trace past its cap: the log_full note
 * instead (once), then nothing. */
void board_trace_at(board *b, uint64_t host_us, const char *event, const char *fields)
{
    if (!b->trace || b->trace_full) return;
    uint64_t t = board_time(b, host_us);
    char line[512];
    int n = snprintf(line, sizeof line, "{\"t_us\":%" PRIu64 ",\"event\":\"%s\"%s}\n", t, event, fields);
    if (n < 0) return;
    if (b->trace_bytes + (uint64_t)n > b->log_max) {
        b->trace_full = true;
        fprintf(b->trace, "{\"t_us\":%" PRIu64 ",\"event\":\"log_full\",\"max\":%" PRIu64 "}\n", t,
                b->log_max);
    } else if ((size_t)n < sizeof line) {
        fwrite(line, 1, (size_t)n, b->trace);
        b->trace_bytes += (uint64_t)n;
    } else {
        fprintf(b->trace, "{\"t_us\":%" PRIu64 ",\"event\":\"%s\"%s}\n", t, event, fields);
        b->trace_bytes += (uint64_t)n;
    }
    fflush(b->trace);          /* a killed supervisor still leaves the timeline */
}

void board_trace(board *b, const char *event, const char *fields)
{
    board_trace_at(b, board_now_us(b), event, fields);
}

/* The VCD index of a GPIO: its position in the profile's pin table. */
static int vcd_index(const board *b, unsigned gpio)
{
    const vb_port *p = b->cfg->profile->port;
    for (unsigned i = 0; i < p->n_pins; i++)
        if (p->pins[i].gpio == gpio) return (int)i;
    return -1;
}

void board_log_pin(board *b, uint64_t t_us, unsigned gpio, unsigned shown, const char *by)
{
    const vb_pin_def *d = vb_port_pin_by_gpio(b->cfg->profile->port, gpio);
    if (!d) return;
    if (gpio < VB_PINS_MAX && shown <= 2) b->pin_became[gpio][shown]++;
    int idx = vcd_index(b, gpio);
    if (b->vcd && idx >= 0) vb_vcd_set(b->vcd, board_time(b, t_us), (unsigned)idx, shown & 1, shown == 2);
    char f[96];
    if (shown == 2)
        snprintf(f, sizeof f, ",\"pin\":\"%s\",\"level\":\"z\",\"by\":\"%s\"", d->name, by);
    else
        snprintf(f, sizeof f, ",\"pin\":\"%s\",\"level\":%u,\"by\":\"%s\"", d->name, shown, by);
    board_trace_at(b, t_us, "pin", f);
}

/* A PWM record (board_periph.c): its pin's frequency or duty variable
 * (after the pins and the LED, two per pin) and a "pwm" trace line. */
void board_log_pwm(board *b, const vb_hw_event *ev)
{
    int i = vcd_index(b, ev->gpio);
    if (i < 0) return;
    const vb_pin_def *d = &b->cfg->profile->port->pins[i];
    bool freq = ev->kind == VB_EV_PWM_FREQ;
    if (b->vcd && ev->gpio < VB_PINS_MAX && b->vcd_pwm[ev->gpio])
        vb_vcd_set(b->vcd, board_time(b, ev->t_us), b->vcd_pwm[ev->gpio] + (freq ? 0 : 1), ev->value, false);
    char f[96];
    snprintf(f, sizeof f, ",\"pin\":\"%s\",\"%s\":%u", d->name, freq ? "freq" : "duty_u16", ev->value);
    board_trace_at(b, ev->t_us, "pwm", f);
}

void board_log_snapshot(board *b)
{
    if (!b->vcd) return;
    const vb_port *p = b->cfg->profile->port;
    uint64_t t = board_time(b, board_now_us(b));
    for (unsigned i = 0; i < p->n_pins; i++) {
        unsigned shown = vb_pin_shown(&b->regs->pins[p->pins[i].gpio]);
        vb_vcd_set(b->vcd, t, i, shown & 1, shown == 2);
    }
    vb_vcd_set(b->vcd, t, b->vcd_led, atomic_load(&b->regs->led_rgb), false);
}

void board_set_led(board *b, uint64_t t_us, uint32_t rgb)
{
    if (atomic_exchange(&b->regs->led_rgb, rgb) != rgb) board_log_led(b, t_us, rgb);
}

void board_log_led(board *b, uint64_t t_us, uint32_t rgb)
{
    if (b->vcd) vb_vcd_set(b->vcd, board_time(b, t_us), b->vcd_led, rgb, false);
    char f[48];
    snprintf(f, sizeof f, ",\"rgb\":\"#%06x\"", rgb & 0xFFFFFFu);
    board_trace_at(b, t_us, "led", f);
}

/* Lines one run appends to the audit file at most: a real refusal kills
 * the VM, so more than a few are records forged by device code (the event
 * pipe is the VM's), and they must not fill the disk. */
#define AUDIT_LINES_MAX 1000u

/* The VM's seccomp allow-list refused system call `nr` (the VM then dies
 * of SIGSYS, reported as a panic): counted, traced (the trace has its own
 * cap), and appended to the audit file when the run has one. */
static void board_log_refusal(board *b, uint64_t t_us, uint32_t nr)
{
    b->sandbox_refusals++;
    char f[32];
    snprintf(f, sizeof f, ",\"syscall\":%u", nr);
    board_trace_at(b, t_us, "sandbox_refused", f);
    if (!b->cfg->sandbox_audit_path || b->sandbox_refusals > AUDIT_LINES_MAX) return;
    int fd = open(b->cfg->sandbox_audit_path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return;            /* best effort: the trace and status have it */
    char line[96];
    int n = snprintf(line, sizeof line, "vboard %ld: the sandbox refused system call %u\n",
                     (long)getpid(), nr);
    if (n > 0 && write(fd, line, (size_t)n) < 0) { /* best effort, as above */ }
    close(fd);
}

/* ev has passed the gate (drain_events): kind, gpio and value are in
 * range and the time is clamped. The switch stays defensive anyway. */
void board_log_event(board *b, const vb_hw_event *ev)
{
    char f[64];
    switch (ev->kind) {
    case VB_EV_PIN:
        if (ev->value <= 2) board_log_pin(b, ev->t_us, ev->gpio, ev->value, "firmware");
        break;
    case VB_EV_LED:
        board_log_led(b, ev->t_us, ev->value);
        break;
    case VB_EV_WDT_START:
        snprintf(f, sizeof f, ",\"timeout_ms\":%u", ev->value);
        board_trace_at(b, ev->t_us, "wdt_start", f);
        break;
    case VB_EV_WDT_FEED:
        board_trace_at(b, ev->t_us, "wdt_feed", "");
        break;
    case VB_EV_HEARTBEAT:
        snprintf(f, sizeof f, ",\"on\":%s", ev->value ? "true" : "false");
        board_trace_at(b, ev->t_us, "heartbeat", f);
        break;
    case VB_EV_SANDBOX_REFUSED:
        board_log_refusal(b, ev->t_us, ev->value);
        break;
    case VB_EV_WIFI:
        board_wifi_event(b, ev);
        break;
    case VB_EV_PWM_FREQ:
    case VB_EV_PWM_DUTY:
        board_log_pwm(b, ev);
        break;
    case VB_EV_STAGE:
        if (ev->value < VB_STAGE_COUNT) {
            snprintf(f, sizeof f, ",\"stage\":\"%s\"", vb_stage_name(ev->value));
            board_trace_at(b, ev->t_us, "stage", f);
        }
        break;
    default:
        break;                 /* the VM wrote nonsense: ignore it */
    }
}

void board_log_output(board *b, const void *buf, size_t n)
{
    if (b->serial_log && !b->serial_log_full) {
        uint64_t room = b->log_max - b->serial_log_bytes;
        size_t k = n < room ? n : (size_t)room;
        fwrite(buf, 1, k, b->serial_log);
        b->serial_log_bytes += k;
        if (k < n) {
            b->serial_log_full = true;
            fprintf(b->serial_log, "\n[vboard: serial log reached %" PRIu64 " bytes; the rest is not logged]\n",
                    b->log_max);
        }
        fflush(b->serial_log);
    }
    if (b->quit) return;
    if (b->cfg->fail_text && vb_textwatch_feed(&b->fail, buf, n)) {
        board_trace(b, "fail_text", "");
        board_quit(b, VB_EXIT_FAIL_TEXT);
    } else if (b->cfg->expect_text && vb_textwatch_feed(&b->expect, buf, n)) {
        board_trace(b, "expect_text", "");
        board_quit(b, VB_EXIT_OK);
    }
}
