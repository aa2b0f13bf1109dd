/* WS2812-style pixel strips on the board's pins (issue 16): what each
 * strip last latched, from the VM's machine.bitstream traffic
 * (contract/busmsg.h, kind VB_BUS_KIND_BITSTREAM). Pure C: the supervisor
 * serves the line with it; unit tests feed it hostile requests.
 *
 * A strip takes the bytes as they come and shows them once the line has
 * been low long enough (the latch, at a request with VB_BUS_STOP): a frame
 * sets the first pixels, those past its end keep their colours (the strip
 * is as long as the longest frame it was sent). The
 * colour order is the strip's business: the model keeps the raw bytes and
 * reads them as neopixel.py's ORDER does (G R B [W] on the wire). */
#ifndef VB_BUS_PIXELS_H
#define VB_BUS_PIXELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "contract/busmsg.h"

#define VB_PIXEL_STRIPS 4u         /* pins with a strip at once; more are refused */
#define VB_PIXEL_BYTES_MAX 3072u   /* a strip's length: 1024 RGB pixels; the rest goes nowhere */

typedef struct vb_pixel_strip {
    bool used;
    uint8_t gpio;
    uint32_t timing_ns[4];         /* the last frame's: high 0, low 0, high 1, low 1 */
    bool in_frame;                 /* a START came, its STOP not yet */
    uint32_t frame_len;            /* bytes of the frame in progress */
    uint32_t latched_len;          /* bytes the strip shows (its longest frame) */
    uint32_t last_len;             /* bytes of the last frame latched */
    uint64_t latches;
    uint64_t latched_us;           /* board time of the last latch */
    uint8_t frame[VB_PIXEL_BYTES_MAX];
    uint8_t latched[VB_PIXEL_BYTES_MAX];
} vb_pixel_strip;

typedef struct vb_pixels {
    uint64_t pin_ok;               /* GPIOs that may carry a strip (the port's outputs) */
    vb_pixel_strip strip[VB_PIXEL_STRIPS];
    uint64_t requests, malformed, overflow;   /* overflow: bytes past VB_PIXEL_BYTES_MAX */
} vb_pixels;

/* No strip lit; pin_ok: bit g set when GPIO g can drive one. */
void vb_pixels_init(vb_pixels *p, uint64_t pin_ok);
/* The VM ended mid-frame: the line fell low, so each strip latches what
 * it got. */
void vb_pixels_release(vb_pixels *p, uint64_t now_us);
/* The board lost power: the strips go dark and forget (pins stay known). */
void vb_pixels_power_loss(vb_pixels *p);

/* Carry out one request (n bytes received) at board time now_us; rep is
 * filled: EINVAL for a torn or oversized datagram, a pin that cannot
 * carry a strip (or a fifth strip), flags other than START/STOP, nread,
 * a length short of the timing header, or a continuation with no frame
 * begun. Returns the strip that latched, or NULL. */
const vb_pixel_strip *vb_pixels_serve(vb_pixels *p, const vb_bus_req *req, size_t n, uint64_t now_us,
                                      vb_bus_rep *rep);

/* The strip on gpio, or NULL. */
const vb_pixel_strip *vb_pixels_find(const vb_pixels *p, unsigned gpio);
/* Pixel i of what a strip shows, read with bpp bytes a pixel (3 or 4) as
 * 0xRRGGBB or 0xRRGGBBWW; false when the strip holds no such pixel. */
bool vb_pixels_color(const vb_pixel_strip *s, unsigned bpp, unsigned i, uint32_t *color);

#endif
