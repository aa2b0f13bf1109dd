/* The board's pixel strips (issue 16): machine.bitstream traffic arrives
 * on the bus line (contract/busmsg.h, kind VB_BUS_KIND_BITSTREAM; served
 * from board_i2c_service), every request checked as hostile input
 * (bus/pixels.h). Each latch goes into the trace and the VCD; the host
 * reads what a strip shows with `vboard ctl SOCK neopixel [PIN]`. */
#include "board_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/pixels.h"

/* Latches traced per run: an animation must not fill the trace's cap and
 * push out the resets and pins (as I2C's BOARD_I2C_TRACE_MAX). */
#define BOARD_PIXELS_TRACE_MAX 1000u
/* Pixels a trace line and the VCD show of a strip (its first ones). */
#define SHOWN_PIXELS 8u
/* VCD variables of one strip slot: gpio, bytes, latches, then the pixels. */
#define VCD_PER_STRIP (3u + SHOWN_PIXELS)
/* Pixels and raw bytes a ctl reply lists (it must fit VB_CONTROL_REPLY). */
#define CTL_PIXELS_MAX 96u
#define CTL_RAW_MAX 288u

int board_pixels_init(board *b, char *err, size_t errlen)
{
    b->pixels = malloc(sizeof *b->pixels);
    if (!b->pixels) {
        snprintf(err, errlen, "out of memory for the board's pixel strips");
        return -1;
    }
    /* a strip hangs on any pin with an output driver */
    const vb_port *port = b->cfg->profile->port;
    uint64_t ok = 0;
    for (unsigned i = 0; i < port->n_pins; i++)
        if (!(port->pins[i].flags & (VB_PIN_INPUT_ONLY | VB_PIN_CPU_ONLY | VB_PIN_BUTTON)))
            ok |= 1ull << port->pins[i].gpio;
    vb_pixels_init(b->pixels, ok);
    return 0;
}

void board_pixels_free(board *b)
{
    free(b->pixels);
    b->pixels = NULL;
}

static unsigned slot_of(const board *b, const vb_pixel_strip *s)
{
    return (unsigned)(s - b->pixels->strip);
}

/* A strip's slot in the VCD: its pin, length, latch count, first pixels
 * (as RGB: the common 3-byte strip). */
static void vcd_strip(board *b, const vb_pixel_strip *s, uint64_t t_us)
{
    if (!b->vcd || !b->vcd_pixels) return;
    uint64_t t = board_time(b, t_us);
    unsigned v = b->vcd_pixels + slot_of(b, s) * VCD_PER_STRIP;
    vb_vcd_set(b->vcd, t, v, s->gpio, false);
    vb_vcd_set(b->vcd, t, v + 1, s->latched_len, false);
    vb_vcd_set(b->vcd, t, v + 2, (uint32_t)s->latches, false);
    for (unsigned i = 0; i < SHOWN_PIXELS; i++) {
        uint32_t c = 0;
        (void)vb_pixels_color(s, 3, i, &c);
        vb_vcd_set(b->vcd, t, v + 3 + i, c, false);
    }
}

unsigned board_pixels_vcd_vars(board *b, vb_vcd_var *vars, char (*names)[24], unsigned n)
{
    b->vcd_pixels = n;
    static const char *const what[3] = {"gpio", "bytes", "latches"};
    static const unsigned width[3] = {8, 16, 32};
    for (unsigned s = 0; s < VB_PIXEL_STRIPS; s++) {
        for (unsigned k = 0; k < VCD_PER_STRIP; k++, names++, n++) {
            if (k < 3) snprintf(*names, sizeof *names, "neopixel%u_%s", s, what[k]);
            else snprintf(*names, sizeof *names, "neopixel%u_rgb%u", s, k - 3);
            vars[n] = (vb_vcd_var){*names, k < 3 ? width[k] : 24};
        }
    }
    return n;
}

static const char *pin_name(const board *b, unsigned gpio)
{
    const vb_pin_def *d = vb_port_pin_by_gpio(b->cfg->profile->port, gpio);
    return d ? d->name : "?";
}

/* "[\"#rrggbb\",...]" of up to max pixels read with bpp (3/4); *more when
 * the strip holds more. */
static void color_list(const vb_pixel_strip *s, unsigned bpp, unsigned max, char *buf, size_t cap, bool *more)
{
    size_t k = (size_t)snprintf(buf, cap, "[");
    uint32_t c;
    unsigned i = 0;
    for (; i < max && vb_pixels_color(s, bpp, i, &c) && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, bpp == 4 ? "%s\"#%08x\"" : "%s\"#%06x\"", i ? "," : "", c);
    if (k < cap) snprintf(buf + k, cap - k, "]");
    if (more) *more = vb_pixels_color(s, bpp, i, &c);
}

static void trace_latch(board *b, const vb_pixel_strip *s)
{
    if (!b->trace) return;
    if (b->pixels_traced >= BOARD_PIXELS_TRACE_MAX) {
        if (b->pixels_traced++ == BOARD_PIXELS_TRACE_MAX) {
            char f[32];
            snprintf(f, sizeof f, ",\"max\":%u", BOARD_PIXELS_TRACE_MAX);
            board_trace(b, "neopixel_trace_capped", f);
        }
        return;
    }
    b->pixels_traced++;
    char rgb[SHOWN_PIXELS * 12 + 4], f[SHOWN_PIXELS * 12 + 160];
    color_list(s, 3, SHOWN_PIXELS, rgb, sizeof rgb, NULL);
    snprintf(f, sizeof f, ",\"pin\":\"%s\",\"gpio\":%u,\"bytes\":%u,\"latch\":%llu,\"rgb\":%s", pin_name(b, s->gpio),
             s->gpio, s->latched_len, (unsigned long long)s->latches, rgb);
    board_trace(b, "neopixel", f);
}

void board_pixels_serve(board *b, const vb_bus_req *req, size_t n, vb_bus_rep *rep)
{
    uint64_t now = board_now_us(b);
    const vb_pixel_strip *s = vb_pixels_serve(b->pixels, req, n, now, rep);
    if (!s) return;
    trace_latch(b, s);
    vcd_strip(b, s, now);
}

void board_pixels_release(board *b)
{
    if (!b->pixels) return;
    uint64_t latches[VB_PIXEL_STRIPS];
    for (unsigned i = 0; i < VB_PIXEL_STRIPS; i++) latches[i] = b->pixels->strip[i].latches;
    vb_pixels_release(b->pixels, board_now_us(b));
    for (unsigned i = 0; i < VB_PIXEL_STRIPS; i++) {
        const vb_pixel_strip *s = &b->pixels->strip[i];
        if (s->used && s->latches != latches[i]) {
            trace_latch(b, s);
            vcd_strip(b, s, board_now_us(b));
        }
    }
}

void board_pixels_power_loss(board *b)
{
    if (!b->pixels) return;
    board_pixels_release(b);
    /* the strips go dark: their slots in the VCD show nothing lit */
    for (unsigned i = 0; i < VB_PIXEL_STRIPS; i++) {
        vb_pixel_strip *s = &b->pixels->strip[i];
        if (!s->used) continue;
        s->latched_len = s->last_len = 0;
        vcd_strip(b, s, board_now_us(b));
    }
    vb_pixels_power_loss(b->pixels);
}

/* ---- control: neopixel ------------------------------------------------------ */

/* One strip in full: timing, raw bytes, the pixels as RGB and RGBW. */
static void strip_reply(const board *b, const vb_pin_def *d, const vb_pixel_strip *s, vb_json_out *out)
{
    vb_json_str(out, "pin", d->name);
    vb_json_uint(out, "gpio", d->gpio);
    vb_json_uint(out, "bytes", s ? s->latched_len : 0);
    vb_json_uint(out, "latches", s ? s->latches : 0);
    if (!s) return;
    vb_json_uint(out, "last_frame_bytes", s->last_len);
    char buf[CTL_PIXELS_MAX * 12 + 8];
    snprintf(buf, sizeof buf, "[%u,%u,%u,%u]", s->timing_ns[0], s->timing_ns[1], s->timing_ns[2], s->timing_ns[3]);
    vb_json_raw(out, "timing_ns", buf);
    vb_json_uint(out, "latched_us", board_time(b, s->latched_us));
    unsigned nraw = s->latched_len < CTL_RAW_MAX ? s->latched_len : CTL_RAW_MAX;
    for (unsigned i = 0; i < nraw; i++) snprintf(buf + 2 * i, 3, "%02x", s->latched[i]);
    buf[2 * nraw] = 0;
    vb_json_str(out, "raw", buf);
    bool more_rgb = false, more_rgbw = false;
    color_list(s, 3, CTL_PIXELS_MAX, buf, sizeof buf, &more_rgb);
    vb_json_raw(out, "rgb", buf);
    color_list(s, 4, CTL_PIXELS_MAX, buf, sizeof buf, &more_rgbw);
    vb_json_raw(out, "rgbw", buf);
    if (more_rgb || more_rgbw || nraw < s->latched_len) vb_json_bool(out, "truncated", true);
}

const char *board_neopixel_ctl(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    const vb_port *port = b->cfg->profile->port;
    const vb_json_field *f = vb_json_get(req, "pin");
    const char *name = f && f->type == VB_JSON_STRING ? f->str : NULL;
    if (name) {
        const vb_pin_def *d = vb_port_pin(port, name);
        if (!d) {
            snprintf(err, errlen, "no pin '%.40s' on the %s board", name, b->cfg->profile->name);
            return err;
        }
        strip_reply(b, d, vb_pixels_find(b->pixels, d->gpio), out);
        return NULL;
    }
    /* every strip: {"PIN": {"gpio": G, "bytes": N, "latches": K}, ...} */
    char list[VB_PIXEL_STRIPS * 96 + 4];
    size_t n = (size_t)snprintf(list, sizeof list, "{");
    for (unsigned i = 0; i < VB_PIXEL_STRIPS; i++) {
        const vb_pixel_strip *s = &b->pixels->strip[i];
        if (!s->used) continue;
        n += (size_t)snprintf(list + n, sizeof list - n, "%s\"%s\":{\"gpio\":%u,\"bytes\":%u,\"latches\":%llu}",
                              n > 1 ? "," : "", pin_name(b, s->gpio), s->gpio, s->latched_len,
                              (unsigned long long)s->latches);
    }
    snprintf(list + n, sizeof list - n, "}");
    vb_json_raw(out, "neopixel", list);
    vb_json_uint(out, "requests", b->pixels->requests);
    vb_json_uint(out, "malformed", b->pixels->malformed);
    vb_json_uint(out, "overflow", b->pixels->overflow);
    return NULL;
}
