/* The pixel strips (pixels.h). */
#include "pixels.h"

#include <errno.h>
#include <string.h>

#include "util/le.h"

void vb_pixels_init(vb_pixels *p, uint64_t pin_ok)
{
    memset(p, 0, sizeof *p);
    p->pin_ok = pin_ok;
}

static void latch(vb_pixel_strip *s, uint64_t now_us)
{
    memcpy(s->latched, s->frame, s->frame_len);
    if (s->frame_len > s->latched_len) s->latched_len = s->frame_len;
    s->last_len = s->frame_len;
    s->latches++;
    s->latched_us = now_us;
    s->in_frame = false;
}

void vb_pixels_release(vb_pixels *p, uint64_t now_us)
{
    for (unsigned i = 0; i < VB_PIXEL_STRIPS; i++)
        if (p->strip[i].used && p->strip[i].in_frame) latch(&p->strip[i], now_us);
}

void vb_pixels_power_loss(vb_pixels *p)
{
    vb_pixels_init(p, p->pin_ok);
}

const vb_pixel_strip *vb_pixels_find(const vb_pixels *p, unsigned gpio)
{
    for (unsigned i = 0; i < VB_PIXEL_STRIPS; i++)
        if (p->strip[i].used && p->strip[i].gpio == gpio) return &p->strip[i];
    return NULL;
}

/* The strip on gpio, a new one on the first free slot when `start`; NULL
 * when the pin cannot carry one or every slot is taken. */
static vb_pixel_strip *strip_for(vb_pixels *p, unsigned gpio, bool start)
{
    if (gpio >= 64 || !(p->pin_ok >> gpio & 1)) return NULL;
    vb_pixel_strip *s = (vb_pixel_strip *)vb_pixels_find(p, gpio);
    if (s || !start) return s;
    for (unsigned i = 0; i < VB_PIXEL_STRIPS; i++) {
        if (p->strip[i].used) continue;
        s = &p->strip[i];
        memset(s, 0, sizeof *s);
        s->used = true;
        s->gpio = (uint8_t)gpio;
        return s;
    }
    return NULL;
}

static bool req_ok(const vb_bus_req *r, size_t n)
{
    return n == sizeof *r && r->magic == VB_BUS_MAGIC && r->kind == VB_BUS_KIND_BITSTREAM &&
           !(r->flags & ~(unsigned)(VB_BUS_START | VB_BUS_STOP)) && r->nread == 0 &&
           r->nwrite >= VB_BITSTREAM_HEADER && r->nwrite <= VB_BUS_DATA_MAX;
}

const vb_pixel_strip *vb_pixels_serve(vb_pixels *p, const vb_bus_req *req, size_t n, uint64_t now_us,
                                      vb_bus_rep *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->magic = VB_BUS_MAGIC;
    rep->seq = n >= 8 ? req->seq : 0;
    p->requests++;
    vb_pixel_strip *s = req_ok(req, n) ? strip_for(p, req->bus, req->flags & VB_BUS_START) : NULL;
    if (!s || (!(req->flags & VB_BUS_START) && !s->in_frame)) {
        p->malformed++;
        rep->err = EINVAL;
        return NULL;
    }
    if (req->flags & VB_BUS_START) {
        s->in_frame = true;
        s->frame_len = 0;
    }
    for (unsigned i = 0; i < 4; i++) s->timing_ns[i] = vb_ld32(req->data + 4 * i);
    uint32_t k = req->nwrite - VB_BITSTREAM_HEADER;
    uint32_t room = VB_PIXEL_BYTES_MAX - s->frame_len;
    uint32_t take = k < room ? k : room;
    memcpy(s->frame + s->frame_len, req->data + VB_BITSTREAM_HEADER, take);
    s->frame_len += take;
    p->overflow += k - take;
    rep->acks = (uint16_t)k;
    if (!(req->flags & VB_BUS_STOP)) return NULL;
    latch(s, now_us);
    return s;
}

bool vb_pixels_color(const vb_pixel_strip *s, unsigned bpp, unsigned i, uint32_t *color)
{
    if ((bpp != 3 && bpp != 4) || (uint64_t)(i + 1) * bpp > s->latched_len) return false;
    /* neopixel.py's ORDER (1, 0, 2, 3): R is byte 1, G byte 0, B byte 2, W byte 3 */
    const uint8_t *px = s->latched + (size_t)i * bpp;
    uint32_t rgb = (uint32_t)px[1] << 16 | (uint32_t)px[0] << 8 | px[2];
    *color = bpp == 4 ? rgb << 8 | px[3] : rgb;
    return true;
}
