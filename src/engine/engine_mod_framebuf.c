/* framebuf (issue 15), as MicroPython v1.24's extmod/modframebuf.c
 * behaves (docs/library/framebuf.rst), written here from that behaviour:
 * FrameBuffer(buffer, width, height, format[, stride]) draws into the
 * caller's buffer in place, byte for byte as a board lays the pixels out,
 * since display drivers (ssd1306 & co.) send that buffer as it is.
 *
 * Pixel layouts (pixel (x, y); "index" = x + y * stride):
 *   MONO_VLSB (0)  byte (y >> 3) * stride + x, bit y & 7 (bit 0 at the top)
 *   MONO_HLSB (3)  byte index >> 3, bit 7 - (x & 7) (bit 7 leftmost)
 *   MONO_HMSB (4)  byte index >> 3, bit x & 7 (bit 0 leftmost)
 *   GS2_HMSB (5)   byte index >> 2, bits (x & 3) * 2 .. +1 (leftmost lowest)
 *   GS4_HMSB (2)   byte index >> 1, high nibble for even x, low for odd
 *   GS8 (6)        byte index
 *   RGB565 (1)     bytes 2 * index, little-endian (the boards' native order)
 * The mono formats store c != 0; the others the low 2/4/8/16 bits of c.
 * The horizontal formats round stride up to whole bytes (8, 4, 2 pixels).
 *
 * As upstream: width, height 1..65535 and width <= stride <= 65535, else
 * ValueError; an unknown format ValueError('invalid format'); a buffer
 * smaller than the pixels need ValueError; every drawing call clips to
 * the frame; blit takes a FrameBuffer (or a subclass) only, TypeError
 * otherwise; poly reads its coordinates through the buffer protocol
 * (array('h', ...) and the like). Arguments are mp_int_t: 32-bit ints.
 * FrameBuffer1(buffer, width, height[, stride]) is the legacy MONO_VLSB
 * constructor, still in v1.24. framebuf is not an extensible module
 * upstream (MP_REGISTER_MODULE), so there is no `uframebuf`.
 *
 * Pycom's firmware (MicroPython 1.11) has framebuf with the same formats
 * but not yet ellipse(), poly(), rect()'s fill flag nor blit()'s palette:
 * those are v1.24 ports' only.
 *
 * Where this differs from upstream, it does so where upstream reads or
 * writes past its memory: a palette pixel outside the palette's buffer
 * reads 0; a non-FrameBuffer palette is TypeError; a subclass instance
 * whose __init__ did not call super().__init__() raises AttributeError
 * ("call super().__init__() first", py/objtype.c's text); ellipse radii
 * beyond 2**20 (upstream's 32-bit arithmetic has overflowed long before)
 * draw nothing. The buffer stays exported while the FrameBuffer uses it
 * (a bytearray cannot be resized under it). Long lines check Ctrl-C.
 *
 * text() uses vboard's own 8x8 font below, not MicroPython's
 * (font_petme128_8x8.h is third-party data we do not copy): every
 * printable ASCII character renders in an 8x8 cell at the same places as
 * upstream, but the glyphs' pixels differ. */
#include "engine_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* upstream's format numbers (the module constants) */
enum {
    FMT_MVLSB = 0,
    FMT_RGB565 = 1,
    FMT_GS4_HMSB = 2,
    FMT_MHLSB = 3,
    FMT_MHMSB = 4,
    FMT_GS2_HMSB = 5,
    FMT_GS8 = 6,
};

/* ellipse quadrant mask bits: Q2 Q1 over Q3 Q4 */
enum { Q1 = 0x01, Q2 = 0x02, Q3 = 0x04, Q4 = 0x08, Q_ALL = 0x0f, Q_FILL = 0x10 };

#define ELLIPSE_RADIUS_MAX (1 << 20)

typedef struct fb_obj {
    PyObject_HEAD
    PyObject *buf_obj; /* the buffer given; view exports it while inited */
    Py_buffer view;
    int width, height, stride; /* pixels; stride as the format rounds it */
    int format;
    bool inited;
} fb_obj;

/* The type (one interpreter per process: engine_int.h), and whether the
 * port follows MicroPython 1.11's method set (port.h mp_api). */
static PyObject *fb_type;
static bool v111_set;

/* ---- arguments ----------------------------------------------------------- */

/* mp_arg_check_num's checks and texts; n counts what MicroPython counts
 * (self included for methods). 0 / -1. */
static int arity(Py_ssize_t n, PyObject *kwnames, int min, int max)
{
    if (kwnames && PyTuple_GET_SIZE(kwnames) > 0) {
        PyErr_SetString(PyExc_TypeError, "function doesn't take keyword arguments");
        return -1;
    }
    if (min == max && n != min) {
        PyErr_Format(PyExc_TypeError, "function takes %d positional arguments but %zd were given", min, n);
        return -1;
    }
    if (n < min) {
        PyErr_Format(PyExc_TypeError, "function missing %zd required positional arguments", min - n);
        return -1;
    }
    if (n > max) {
        PyErr_Format(PyExc_TypeError, "function expected at most %d arguments, got %zd", max, n);
        return -1;
    }
    return 0;
}

/* mp_obj_get_int of args[0..n): 0 / -1. */
static int get_ints(PyObject *const *args, int n, int64_t *out)
{
    for (int i = 0; i < n; i++)
        if (vb_flashdev_get_int(args[i], &out[i]) < 0) return -1;
    return 0;
}

/* The FrameBuffer behind self or a blit source: NULL with TypeError when
 * o is not one, AttributeError when its native part was never set up. */
static fb_obj *as_fb(PyObject *o)
{
    if (!PyObject_TypeCheck(o, (PyTypeObject *)fb_type)) {
        PyErr_SetNone(PyExc_TypeError);
        return NULL;
    }
    fb_obj *fb = (fb_obj *)o;
    if (!fb->inited) {
        PyErr_SetString(PyExc_AttributeError, "call super().__init__() first");
        return NULL;
    }
    return fb;
}

/* ---- pixels ---------------------------------------------------------------- */

/* Callers pass 0 <= x < width, 0 <= y < height, which the size check
 * made at construction keeps inside the buffer. */
static void px_set(const fb_obj *fb, int x, int y, uint32_t c)
{
    uint8_t *b = fb->view.buf;
    size_t i = (size_t)x + (size_t)y * (size_t)fb->stride;
    switch (fb->format) {
    case FMT_MVLSB: {
        uint8_t *p = &b[(size_t)(y >> 3) * (size_t)fb->stride + (size_t)x];
        uint8_t bit = (uint8_t)(1u << (y & 7));
        *p = c ? *p | bit : *p & (uint8_t)~bit;
        break;
    }
    case FMT_MHLSB:
    case FMT_MHMSB: {
        uint8_t *p = &b[i >> 3];
        uint8_t bit = (uint8_t)(fb->format == FMT_MHMSB ? 1u << (x & 7) : 0x80u >> (x & 7));
        *p = c ? *p | bit : *p & (uint8_t)~bit;
        break;
    }
    case FMT_GS2_HMSB: {
        uint8_t *p = &b[i >> 2];
        unsigned shift = (unsigned)(x & 3) * 2;
        *p = (uint8_t)((*p & ~(3u << shift)) | ((c & 3u) << shift));
        break;
    }
    case FMT_GS4_HMSB: {
        uint8_t *p = &b[i >> 1];
        *p = x & 1 ? (uint8_t)((*p & 0xf0) | (c & 0x0f)) : (uint8_t)((*p & 0x0f) | ((c & 0x0f) << 4));
        break;
    }
    case FMT_GS8:
        b[i] = (uint8_t)c;
        break;
    case FMT_RGB565:
        b[2 * i] = (uint8_t)c;
        b[2 * i + 1] = (uint8_t)(c >> 8);
        break;
    }
}

/* The colour of pixel (x, y), x and y >= 0; `inside` is false when the
 * pixel's bytes are not all inside the buffer (then 0). */
static uint32_t px_get_at(const fb_obj *fb, size_t x, size_t y, bool *inside)
{
    const uint8_t *b = fb->view.buf;
    size_t len = (size_t)fb->view.len, stride = (size_t)fb->stride;
    size_t i = x + y * stride, at, need = 1;
    switch (fb->format) {
    case FMT_MVLSB: at = (y >> 3) * stride + x; break;
    case FMT_MHLSB:
    case FMT_MHMSB: at = i >> 3; break;
    case FMT_GS2_HMSB: at = i >> 2; break;
    case FMT_GS4_HMSB: at = i >> 1; break;
    case FMT_RGB565: at = 2 * i, need = 2; break;
    default: at = i; break;
    }
    *inside = at < len && len - at >= need;
    if (!*inside) return 0;
    switch (fb->format) {
    case FMT_MVLSB: return (b[at] >> (y & 7)) & 1u;
    case FMT_MHLSB: return (b[at] >> (7 - (x & 7))) & 1u;
    case FMT_MHMSB: return (b[at] >> (x & 7)) & 1u;
    case FMT_GS2_HMSB: return (b[at] >> ((x & 3) * 2)) & 3u;
    case FMT_GS4_HMSB: return x & 1 ? b[at] & 0x0fu : (uint32_t)b[at] >> 4;
    case FMT_RGB565: return (uint32_t)b[at] | (uint32_t)b[at + 1] << 8;
    default: return b[at];
    }
}

static uint32_t px_get(const fb_obj *fb, int x, int y)
{
    bool inside;
    return px_get_at(fb, (size_t)x, (size_t)y, &inside);
}

static void px_set_checked(const fb_obj *fb, int64_t x, int64_t y, uint32_t c)
{
    if (x >= 0 && x < fb->width && y >= 0 && y < fb->height) px_set(fb, (int)x, (int)y, c);
}

/* The rectangle clipped to the frame (nothing for w or h < 1). */
static void fill_rect(const fb_obj *fb, int64_t x, int64_t y, int64_t w, int64_t h, uint32_t c)
{
    if (w < 1 || h < 1 || x + w <= 0 || y + h <= 0 || x >= fb->width || y >= fb->height) return;
    int x0 = (int)(x < 0 ? 0 : x), y0 = (int)(y < 0 ? 0 : y);
    int x1 = (int)(x + w < fb->width ? x + w : fb->width);
    int y1 = (int)(y + h < fb->height ? y + h : fb->height);
    if (fb->format == FMT_GS8) {
        for (int yy = y0; yy < y1; yy++)
            memset((uint8_t *)fb->view.buf + (size_t)yy * (size_t)fb->stride + (size_t)x0, (int)(c & 0xff),
                   (size_t)(x1 - x0));
        return;
    }
    for (int yy = y0; yy < y1; yy++)
        for (int xx = x0; xx < x1; xx++) px_set(fb, xx, yy, c);
}

/* Bresenham from (x1, y1) to (x2, y2) inclusive, stepping along the major
 * axis from the first point and setting the last one on its own, as
 * upstream's line() does (so the direction matters for which pixels).
 * 0, or -1 with KeyboardInterrupt (lines far outside the frame are long). */
static int line(const fb_obj *fb, int64_t x1, int64_t y1, int64_t x2, int64_t y2, uint32_t c)
{
    int64_t dx = x2 - x1, sx = 1, dy = y2 - y1, sy = 1;
    if (dx <= 0) dx = -dx, sx = -1;
    if (dy <= 0) dy = -dy, sy = -1;
    bool steep = dy > dx;
    if (steep) {
        int64_t t;
        t = x1, x1 = y1, y1 = t;
        t = dx, dx = dy, dy = t;
        t = sx, sx = sy, sy = t;
    }
    int64_t e = 2 * dy - dx;
    for (int64_t i = 0; i < dx; i++) {
        if (steep) px_set_checked(fb, y1, x1, c);
        else px_set_checked(fb, x1, y1, c);
        while (e >= 0) {
            y1 += sy;
            e -= 2 * dx;
        }
        x1 += sx;
        e += 2 * dy;
        if ((i & 0xfffff) == 0xfffff && PyErr_CheckSignals() < 0) return -1;
    }
    px_set_checked(fb, x2, y2, c);
    return 0;
}

/* ---- the font ---------------------------------------------------------------- */

/* vboard's own 8x8 font for characters 32..127 (127 is the box every
 * other byte draws as, as upstream maps them): 8 rows per glyph, top
 * first, bit 7 the leftmost column; 5x7 glyphs in columns 1..5, descenders
 * in row 7. Drawn for vboard; not MicroPython's petme128 font. */
static const uint8_t font8x8[96][8] = {
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* space */
    {0x10, 0x10, 0x10, 0x10, 0x10, 0x00, 0x10, 0x00}, /* ! */
    {0x28, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* " */
    {0x28, 0x28, 0x7c, 0x28, 0x7c, 0x28, 0x28, 0x00}, /* # */
    {0x10, 0x3c, 0x50, 0x38, 0x14, 0x78, 0x10, 0x00}, /* $ */
    {0x60, 0x64, 0x08, 0x10, 0x20, 0x4c, 0x0c, 0x00}, /* % */
    {0x30, 0x48, 0x50, 0x20, 0x54, 0x48, 0x34, 0x00}, /* & */
    {0x10, 0x10, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00}, /* ' */
    {0x08, 0x10, 0x20, 0x20, 0x20, 0x10, 0x08, 0x00}, /* ( */
    {0x20, 0x10, 0x08, 0x08, 0x08, 0x10, 0x20, 0x00}, /* ) */
    {0x00, 0x10, 0x54, 0x38, 0x54, 0x10, 0x00, 0x00}, /* * */
    {0x00, 0x10, 0x10, 0x7c, 0x10, 0x10, 0x00, 0x00}, /* + */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x10, 0x20}, /* , */
    {0x00, 0x00, 0x00, 0x7c, 0x00, 0x00, 0x00, 0x00}, /* - */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x30, 0x00}, /* . */
    {0x00, 0x04, 0x08, 0x10, 0x20, 0x40, 0x00, 0x00}, /* / */
    {0x38, 0x44, 0x4c, 0x54, 0x64, 0x44, 0x38, 0x00}, /* 0 */
    {0x10, 0x30, 0x10, 0x10, 0x10, 0x10, 0x38, 0x00}, /* 1 */
    {0x38, 0x44, 0x04, 0x08, 0x10, 0x20, 0x7c, 0x00}, /* 2 */
    {0x7c, 0x08, 0x10, 0x08, 0x04, 0x44, 0x38, 0x00}, /* 3 */
    {0x08, 0x18, 0x28, 0x48, 0x7c, 0x08, 0x08, 0x00}, /* 4 */
    {0x7c, 0x40, 0x78, 0x04, 0x04, 0x44, 0x38, 0x00}, /* 5 */
    {0x18, 0x20, 0x40, 0x78, 0x44, 0x44, 0x38, 0x00}, /* 6 */
    {0x7c, 0x04, 0x08, 0x10, 0x20, 0x20, 0x20, 0x00}, /* 7 */
    {0x38, 0x44, 0x44, 0x38, 0x44, 0x44, 0x38, 0x00}, /* 8 */
    {0x38, 0x44, 0x44, 0x3c, 0x04, 0x08, 0x30, 0x00}, /* 9 */
    {0x00, 0x30, 0x30, 0x00, 0x30, 0x30, 0x00, 0x00}, /* : */
    {0x00, 0x30, 0x30, 0x00, 0x30, 0x10, 0x20, 0x00}, /* ; */
    {0x08, 0x10, 0x20, 0x40, 0x20, 0x10, 0x08, 0x00}, /* < */
    {0x00, 0x00, 0x7c, 0x00, 0x7c, 0x00, 0x00, 0x00}, /* = */
    {0x20, 0x10, 0x08, 0x04, 0x08, 0x10, 0x20, 0x00}, /* > */
    {0x38, 0x44, 0x04, 0x08, 0x10, 0x00, 0x10, 0x00}, /* ? */
    {0x38, 0x44, 0x04, 0x34, 0x54, 0x54, 0x38, 0x00}, /* @ */
    {0x38, 0x44, 0x44, 0x7c, 0x44, 0x44, 0x44, 0x00}, /* A */
    {0x78, 0x44, 0x44, 0x78, 0x44, 0x44, 0x78, 0x00}, /* B */
    {0x38, 0x44, 0x40, 0x40, 0x40, 0x44, 0x38, 0x00}, /* C */
    {0x70, 0x48, 0x44, 0x44, 0x44, 0x48, 0x70, 0x00}, /* D */
    {0x7c, 0x40, 0x40, 0x78, 0x40, 0x40, 0x7c, 0x00}, /* E */
    {0x7c, 0x40, 0x40, 0x78, 0x40, 0x40, 0x40, 0x00}, /* F */
    {0x38, 0x44, 0x40, 0x5c, 0x44, 0x44, 0x3c, 0x00}, /* G */
    {0x44, 0x44, 0x44, 0x7c, 0x44, 0x44, 0x44, 0x00}, /* H */
    {0x38, 0x10, 0x10, 0x10, 0x10, 0x10, 0x38, 0x00}, /* I */
    {0x1c, 0x08, 0x08, 0x08, 0x08, 0x48, 0x30, 0x00}, /* J */
    {0x44, 0x48, 0x50, 0x60, 0x50, 0x48, 0x44, 0x00}, /* K */
    {0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x7c, 0x00}, /* L */
    {0x44, 0x6c, 0x54, 0x54, 0x44, 0x44, 0x44, 0x00}, /* M */
    {0x44, 0x44, 0x64, 0x54, 0x4c, 0x44, 0x44, 0x00}, /* N */
    {0x38, 0x44, 0x44, 0x44, 0x44, 0x44, 0x38, 0x00}, /* O */
    {0x78, 0x44, 0x44, 0x78, 0x40, 0x40, 0x40, 0x00}, /* P */
    {0x38, 0x44, 0x44, 0x44, 0x54, 0x48, 0x34, 0x00}, /* Q */
    {0x78, 0x44, 0x44, 0x78, 0x50, 0x48, 0x44, 0x00}, /* R */
    {0x3c, 0x40, 0x40, 0x38, 0x04, 0x04, 0x78, 0x00}, /* S */
    {0x7c, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x00}, /* T */
    {0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x38, 0x00}, /* U */
    {0x44, 0x44, 0x44, 0x44, 0x44, 0x28, 0x10, 0x00}, /* V */
    {0x44, 0x44, 0x44, 0x54, 0x54, 0x54, 0x28, 0x00}, /* W */
    {0x44, 0x44, 0x28, 0x10, 0x28, 0x44, 0x44, 0x00}, /* X */
    {0x44, 0x44, 0x28, 0x10, 0x10, 0x10, 0x10, 0x00}, /* Y */
    {0x7c, 0x04, 0x08, 0x10, 0x20, 0x40, 0x7c, 0x00}, /* Z */
    {0x38, 0x20, 0x20, 0x20, 0x20, 0x20, 0x38, 0x00}, /* [ */
    {0x00, 0x40, 0x20, 0x10, 0x08, 0x04, 0x00, 0x00}, /* backslash */
    {0x38, 0x08, 0x08, 0x08, 0x08, 0x08, 0x38, 0x00}, /* ] */
    {0x10, 0x28, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00}, /* ^ */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7c}, /* _ */
    {0x20, 0x10, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00}, /* ` */
    {0x00, 0x00, 0x38, 0x04, 0x3c, 0x44, 0x3c, 0x00}, /* a */
    {0x40, 0x40, 0x58, 0x64, 0x44, 0x44, 0x78, 0x00}, /* b */
    {0x00, 0x00, 0x38, 0x40, 0x40, 0x44, 0x38, 0x00}, /* c */
    {0x04, 0x04, 0x34, 0x4c, 0x44, 0x44, 0x3c, 0x00}, /* d */
    {0x00, 0x00, 0x38, 0x44, 0x7c, 0x40, 0x38, 0x00}, /* e */
    {0x18, 0x24, 0x20, 0x70, 0x20, 0x20, 0x20, 0x00}, /* f */
    {0x00, 0x00, 0x3c, 0x44, 0x44, 0x3c, 0x04, 0x38}, /* g */
    {0x40, 0x40, 0x58, 0x64, 0x44, 0x44, 0x44, 0x00}, /* h */
    {0x10, 0x00, 0x30, 0x10, 0x10, 0x10, 0x38, 0x00}, /* i */
    {0x08, 0x00, 0x18, 0x08, 0x08, 0x08, 0x48, 0x30}, /* j */
    {0x40, 0x40, 0x48, 0x50, 0x60, 0x50, 0x48, 0x00}, /* k */
    {0x30, 0x10, 0x10, 0x10, 0x10, 0x10, 0x38, 0x00}, /* l */
    {0x00, 0x00, 0x68, 0x54, 0x54, 0x44, 0x44, 0x00}, /* m */
    {0x00, 0x00, 0x58, 0x64, 0x44, 0x44, 0x44, 0x00}, /* n */
    {0x00, 0x00, 0x38, 0x44, 0x44, 0x44, 0x38, 0x00}, /* o */
    {0x00, 0x00, 0x78, 0x44, 0x44, 0x78, 0x40, 0x40}, /* p */
    {0x00, 0x00, 0x3c, 0x44, 0x44, 0x3c, 0x04, 0x04}, /* q */
    {0x00, 0x00, 0x58, 0x64, 0x40, 0x40, 0x40, 0x00}, /* r */
    {0x00, 0x00, 0x38, 0x40, 0x38, 0x04, 0x78, 0x00}, /* s */
    {0x20, 0x20, 0x70, 0x20, 0x20, 0x24, 0x18, 0x00}, /* t */
    {0x00, 0x00, 0x44, 0x44, 0x44, 0x4c, 0x34, 0x00}, /* u */
    {0x00, 0x00, 0x44, 0x44, 0x44, 0x28, 0x10, 0x00}, /* v */
    {0x00, 0x00, 0x44, 0x44, 0x54, 0x54, 0x28, 0x00}, /* w */
    {0x00, 0x00, 0x44, 0x28, 0x10, 0x28, 0x44, 0x00}, /* x */
    {0x00, 0x00, 0x44, 0x44, 0x44, 0x3c, 0x04, 0x38}, /* y */
    {0x00, 0x00, 0x7c, 0x08, 0x10, 0x20, 0x7c, 0x00}, /* z */
    {0x08, 0x10, 0x10, 0x20, 0x10, 0x10, 0x08, 0x00}, /* { */
    {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x00}, /* | */
    {0x20, 0x10, 0x10, 0x08, 0x10, 0x10, 0x20, 0x00}, /* } */
    {0x00, 0x00, 0x20, 0x54, 0x08, 0x00, 0x00, 0x00}, /* ~ */
    {0x7c, 0x44, 0x44, 0x44, 0x44, 0x44, 0x7c, 0x00}, /* DEL */
};

/* ---- FrameBuffer ------------------------------------------------------------ */

/* The constructor's work, for __init__ and FrameBuffer1: a[0..n) are
 * buffer, width, height, format[, stride]. 0 / -1. */
static int fb_setup(fb_obj *fb, PyObject *const *a, Py_ssize_t n)
{
    int64_t v[4];
    if (get_ints(a + 1, 3, v) < 0) return -1;
    v[3] = v[0];
    if (n >= 5 && vb_flashdev_get_int(a[4], &v[3]) < 0) return -1;
    int64_t width = v[0], height = v[1], format = v[2], stride = v[3];
    if (width < 1 || height < 1 || width > 0xffff || height > 0xffff || stride > 0xffff || stride < width) {
        PyErr_SetNone(PyExc_ValueError);
        return -1;
    }
    /* what the pixels need, in bits: (rows - 1) strides and one last row
     * (MONO_VLSB: pages of 8 rows, each `stride` bytes) */
    int64_t bpp = 1, rows = height, last_w = width, strides = height - 1;
    switch (format) {
    case FMT_MVLSB:
        rows = (height + 7) & ~7;
        strides = rows - 8;
        break;
    case FMT_MHLSB:
    case FMT_MHMSB:
        stride = (stride + 7) & ~7;
        last_w = (width + 7) & ~7;
        break;
    case FMT_GS2_HMSB:
        stride = (stride + 3) & ~3;
        last_w = (width + 3) & ~3;
        bpp = 2;
        break;
    case FMT_GS4_HMSB:
        stride = (stride + 1) & ~1;
        last_w = (width + 1) & ~1;
        bpp = 4;
        break;
    case FMT_GS8: bpp = 8; break;
    case FMT_RGB565: bpp = 16; break;
    default: PyErr_SetString(PyExc_ValueError, "invalid format"); return -1;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(a[0], &view, PyBUF_WRITABLE) < 0) {
        PyErr_SetString(PyExc_TypeError, "object with buffer protocol required");
        return -1;
    }
    if ((strides * stride + (rows - strides) * last_w) * bpp / 8 > (int64_t)view.len) {
        PyBuffer_Release(&view);
        PyErr_SetNone(PyExc_ValueError);
        return -1;
    }
    if (fb->inited) PyBuffer_Release(&fb->view);
    Py_XSETREF(fb->buf_obj, Py_NewRef(a[0]));
    fb->view = view;
    fb->width = (int)width;
    fb->height = (int)height;
    fb->stride = (int)stride;
    fb->format = (int)format;
    fb->inited = true;
    return 0;
}

static PyObject *fb_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    (void)args, (void)kw; /* __init__'s, which a subclass may replace */
    fb_obj *fb = (fb_obj *)type->tp_alloc(type, 0);
    if (fb) fb->inited = false;
    return (PyObject *)fb;
}

static int fb_init(PyObject *self, PyObject *args, PyObject *kw)
{
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    if (kw && PyDict_GET_SIZE(kw) > 0) {
        PyErr_SetString(PyExc_TypeError, "function doesn't take keyword arguments");
        return -1;
    }
    if (arity(n, NULL, 4, 5) < 0) return -1;
    return fb_setup((fb_obj *)self, &PyTuple_GET_ITEM(args, 0), n);
}

static int fb_traverse(PyObject *self, visitproc visit, void *arg)
{
    Py_VISIT(((fb_obj *)self)->buf_obj);
    Py_VISIT(Py_TYPE(self));
    return 0;
}

static int fb_clear(PyObject *self)
{
    fb_obj *fb = (fb_obj *)self;
    if (fb->inited) PyBuffer_Release(&fb->view);
    fb->inited = false;
    Py_CLEAR(fb->buf_obj);
    return 0;
}

static void fb_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    fb_clear(self);
    tp->tp_free(self);
    Py_DECREF(tp);
}

/* "<FrameBuffer object at 7f3a...>" (a subclass: its own name), as
 * MicroPython prints an object without a print function. */
static PyObject *fb_repr(PyObject *self)
{
    const char *name = Py_TYPE(self)->tp_name, *dot = strrchr(name, '.');
    char addr[32];
    snprintf(addr, sizeof addr, "%lx", (unsigned long)(uintptr_t)self);
    return PyUnicode_FromFormat("<%s object at %s>", dot ? dot + 1 : name, addr);
}

/* bytes(fb), memoryview(fb): the buffer it draws into, as upstream. */
static int fb_getbuffer(PyObject *self, Py_buffer *view, int flags)
{
    fb_obj *fb = as_fb(self);
    if (!fb) {
        view->obj = NULL;
        return -1;
    }
    return PyObject_GetBuffer(fb->buf_obj, view, flags);
}

/* The start of every method: the arity check, then self. */
#define METHOD(name) static PyObject *name(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
#define BEGIN(min, max)                                                                                        \
    fb_obj *fb;                                                                                                \
    if (arity(nargs + 1, kwnames, (min), (max)) < 0 || !(fb = as_fb(self))) return NULL

METHOD(fb_fill)
{
    BEGIN(2, 2);
    int64_t c;
    if (vb_flashdev_get_int(args[0], &c) < 0) return NULL;
    fill_rect(fb, 0, 0, fb->width, fb->height, (uint32_t)c);
    Py_RETURN_NONE;
}

METHOD(fb_fill_rect)
{
    BEGIN(6, 6);
    int64_t a[5]; /* x, y, w, h, c */
    if (get_ints(args, 5, a) < 0) return NULL;
    fill_rect(fb, a[0], a[1], a[2], a[3], (uint32_t)a[4]);
    Py_RETURN_NONE;
}

METHOD(fb_pixel)
{
    BEGIN(3, 4);
    int64_t x, y, c;
    if (get_ints(args, 1, &x) < 0 || get_ints(args + 1, 1, &y) < 0) return NULL;
    if (x < 0 || x >= fb->width || y < 0 || y >= fb->height) Py_RETURN_NONE;
    if (nargs == 2) return PyLong_FromUnsignedLong(px_get(fb, (int)x, (int)y));
    if (vb_flashdev_get_int(args[2], &c) < 0) return NULL;
    px_set(fb, (int)x, (int)y, (uint32_t)c);
    Py_RETURN_NONE;
}

METHOD(fb_hline)
{
    BEGIN(5, 5);
    int64_t a[4]; /* x, y, w, c */
    if (get_ints(args, 4, a) < 0) return NULL;
    fill_rect(fb, a[0], a[1], a[2], 1, (uint32_t)a[3]);
    Py_RETURN_NONE;
}

METHOD(fb_vline)
{
    BEGIN(5, 5);
    int64_t a[4]; /* x, y, h, c */
    if (get_ints(args, 4, a) < 0) return NULL;
    fill_rect(fb, a[0], a[1], 1, a[2], (uint32_t)a[3]);
    Py_RETURN_NONE;
}

METHOD(fb_rect)
{
    BEGIN(6, v111_set ? 6 : 7);
    int64_t a[5]; /* x, y, w, h, c */
    if (get_ints(args, 5, a) < 0) return NULL;
    int filled = nargs > 5 ? PyObject_IsTrue(args[5]) : 0;
    if (filled < 0) return NULL;
    uint32_t c = (uint32_t)a[4];
    if (filled) {
        fill_rect(fb, a[0], a[1], a[2], a[3], c);
    } else {
        fill_rect(fb, a[0], a[1], a[2], 1, c);
        fill_rect(fb, a[0], a[1] + a[3] - 1, a[2], 1, c);
        fill_rect(fb, a[0], a[1], 1, a[3], c);
        fill_rect(fb, a[0] + a[2] - 1, a[1], 1, a[3], c);
    }
    Py_RETURN_NONE;
}

METHOD(fb_line)
{
    BEGIN(6, 6);
    int64_t a[5]; /* x1, y1, x2, y2, c */
    if (get_ints(args, 5, a) < 0) return NULL;
    if (line(fb, a[0], a[1], a[2], a[3], (uint32_t)a[4]) < 0) return NULL;
    Py_RETURN_NONE;
}

/* The points (x, y) of the four quadrants the mask names, around (cx, cy):
 * single pixels, or with Q_FILL the span from the centre column out. */
static void ellipse_points(const fb_obj *fb, int64_t cx, int64_t cy, int64_t x, int64_t y, uint32_t c,
                           unsigned mask)
{
    if (mask & Q_FILL) {
        if (mask & Q1) fill_rect(fb, cx, cy - y, x + 1, 1, c);
        if (mask & Q2) fill_rect(fb, cx - x, cy - y, x + 1, 1, c);
        if (mask & Q3) fill_rect(fb, cx - x, cy + y, x + 1, 1, c);
        if (mask & Q4) fill_rect(fb, cx, cy + y, x + 1, 1, c);
        return;
    }
    if (mask & Q1) px_set_checked(fb, cx + x, cy - y, c);
    if (mask & Q2) px_set_checked(fb, cx - x, cy - y, c);
    if (mask & Q3) px_set_checked(fb, cx - x, cy + y, c);
    if (mask & Q4) px_set_checked(fb, cx + x, cy + y, c);
}

/* ellipse(x, y, xr, yr, c[, f[, m]]): the midpoint ellipse in integers
 * (J. Kennedy's "fast Bresenham type algorithm"), upstream's: first the
 * points where the slope is above -1, walking y up from (xr, 0), then
 * those below, walking x up from (0, yr). */
METHOD(fb_ellipse)
{
    BEGIN(6, 8);
    int64_t a[5]; /* cx, cy, xr, yr, c */
    if (get_ints(args, 5, a) < 0) return NULL;
    int filled = nargs > 5 ? PyObject_IsTrue(args[5]) : 0;
    if (filled < 0) return NULL;
    unsigned mask = filled ? Q_FILL : 0;
    if (nargs > 6) {
        int64_t m;
        if (vb_flashdev_get_int(args[6], &m) < 0) return NULL;
        mask |= (unsigned)m & Q_ALL;
    } else {
        mask |= Q_ALL;
    }
    int64_t cx = a[0], cy = a[1], xr = a[2], yr = a[3];
    uint32_t c = (uint32_t)a[4];
    if (xr == 0 && yr == 0) {
        if (mask & Q_ALL) px_set_checked(fb, cx, cy, c);
        Py_RETURN_NONE;
    }
    if (llabs(xr) > ELLIPSE_RADIUS_MAX || llabs(yr) > ELLIPSE_RADIUS_MAX) Py_RETURN_NONE;
    int64_t two_a2 = 2 * xr * xr, two_b2 = 2 * yr * yr;
    int64_t x = xr, y = 0, xchange = yr * yr * (1 - 2 * xr), ychange = xr * xr, err = 0;
    int64_t stop_x = two_b2 * xr, stop_y = 0;
    while (stop_x >= stop_y) {
        ellipse_points(fb, cx, cy, x, y, c, mask);
        y++;
        stop_y += two_a2;
        err += ychange;
        ychange += two_a2;
        if (2 * err + xchange > 0) {
            x--;
            stop_x -= two_b2;
            err += xchange;
            xchange += two_b2;
        }
    }
    x = 0, y = yr, xchange = yr * yr, ychange = xr * xr * (1 - 2 * yr), err = 0;
    stop_x = 0, stop_y = two_a2 * yr;
    while (stop_x <= stop_y) {
        ellipse_points(fb, cx, cy, x, y, c, mask);
        x++;
        stop_x += two_b2;
        err += xchange;
        xchange += two_b2;
        if (2 * err + ychange > 0) {
            y--;
            stop_y -= two_a2;
            err += ychange;
            ychange += two_a2;
        }
    }
    Py_RETURN_NONE;
}

/* The coordinates of poly(): the buffer's items as ints (mp_obj_get_int of
 * each, so 32-bit), in *out (PyMem_Free it); n_vertices pairs, an odd
 * last item ignored. 0 / -1. */
static int poly_coords(PyObject *o, int64_t **out, Py_ssize_t *n_vertices)
{
    Py_buffer v;
    if (PyObject_GetBuffer(o, &v, PyBUF_FORMAT) < 0) {
        PyErr_SetString(PyExc_TypeError, "object with buffer protocol required");
        return -1;
    }
    const char *f = v.format ? v.format : "B";
    if (*f == '@' || *f == '=' || *f == '<') f++;
    Py_ssize_t size = v.itemsize > 0 ? v.itemsize : 1;
    Py_ssize_t n = v.len / (size * 2);
    bool is_signed = strchr("bhilq", *f) != NULL;
    int rc = 0;
    *out = NULL;
    *n_vertices = n;
    if (n > 0 && (*f == 'f' || *f == 'd' || *f == 'e')) {
        PyErr_SetString(PyExc_TypeError, "can't convert float to int");
        rc = -1;
    } else if (n > 0 && (!strchr("bBhHiIlLqQ", *f) || f[1] || size > 8 || (size & (size - 1)))) {
        PyErr_SetString(PyExc_TypeError, "object with buffer protocol required");
        rc = -1;
    } else if (n > 0 && !(*out = PyMem_Malloc((size_t)n * 2 * sizeof **out))) {
        PyErr_NoMemory();
        rc = -1;
    }
    for (Py_ssize_t i = 0; rc == 0 && i < n * 2; i++) {
        const uint8_t *p = (const uint8_t *)v.buf + i * size;
        uint64_t u = 0;
        memcpy(&u, p, (size_t)size); /* the host is little-endian, as the boards */
        int64_t val = (int64_t)u;
        if (is_signed && size < 8 && (u >> (size * 8 - 1)) & 1) val = (int64_t)(u | ~0ull << (size * 8));
        if ((!is_signed && size == 8 && u > INT64_MAX) || val < INT32_MIN || val > INT32_MAX) {
            PyErr_SetString(PyExc_OverflowError, "overflow converting long int to machine word");
            rc = -1;
        }
        if (rc == 0) (*out)[i] = val;
    }
    PyBuffer_Release(&v);
    if (rc < 0) {
        PyMem_Free(*out);
        *out = NULL;
    }
    return rc;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* One scan line `row` (polygon coordinates) of a filled polygon at (x, y):
 * the x where each edge crosses it (an edge counts its top end and not its
 * bottom one, so a vertex between two edges counts once), rounded to the
 * nearest 1/32 as upstream, sorted, filled pairwise; a vertex that is the
 * bottom of its edges gets its own pixel and a horizontal edge its line.
 * The edges run as outline() walks them. nodes has room for n. */
static int poly_row(const fb_obj *fb, int64_t x, int64_t y, const int64_t *xy, Py_ssize_t n, int64_t row,
                    uint32_t c, int64_t *nodes)
{
    Py_ssize_t n_nodes = 0;
    int64_t px1 = xy[0], py1 = xy[1];
    for (Py_ssize_t k = n - 1; k >= 0; k--) {
        int64_t px2 = xy[2 * k], py2 = xy[2 * k + 1];
        if (py1 != py2 && ((py1 > row && py2 <= row) || (py1 <= row && py2 > row))) {
            nodes[n_nodes++] = (32 * px1 + 32 * (px2 - px1) * (row - py1) / (py2 - py1) + 16) / 32;
        } else if (row == (py1 > py2 ? py1 : py2)) {
            if (py1 < py2) px_set_checked(fb, x + px2, y + py2, c);
            else if (py2 < py1) px_set_checked(fb, x + px1, y + py1, c);
            else if (line(fb, x + px1, y + py1, x + px2, y + py2, c) < 0) return -1;
        }
        px1 = px2, py1 = py2;
    }
    qsort(nodes, (size_t)n_nodes, sizeof *nodes, cmp_i64);
    for (Py_ssize_t i = 0; i + 1 < n_nodes; i += 2)
        fill_rect(fb, x + nodes[i], y + row, nodes[i + 1] - nodes[i] + 1, 1, c);
    return 0;
}

/* poly(x, y, coords, c[, f]): the closed polygon through coords' (x, y)
 * pairs, offset by (x, y): its outline from vertex 0 backwards round to
 * vertex 0 (line() is directional), or filled by scan lines. */
METHOD(fb_poly)
{
    BEGIN(5, 6);
    int64_t x, y, c64;
    if (get_ints(args, 1, &x) < 0 || get_ints(args + 1, 1, &y) < 0) return NULL;
    int64_t *xy;
    Py_ssize_t n;
    if (poly_coords(args[2], &xy, &n) < 0) return NULL;
    if (n == 0) Py_RETURN_NONE;
    int filled = 0, rc = vb_flashdev_get_int(args[3], &c64);
    if (rc == 0 && nargs > 4 && (filled = PyObject_IsTrue(args[4])) < 0) rc = -1;
    uint32_t c = (uint32_t)c64;
    if (rc == 0 && filled) {
        int64_t y_min = xy[1], y_max = xy[1];
        for (Py_ssize_t i = 1; i < n; i++) {
            if (xy[2 * i + 1] < y_min) y_min = xy[2 * i + 1];
            if (xy[2 * i + 1] > y_max) y_max = xy[2 * i + 1];
        }
        /* everything a row draws is on frame row y + row: skip the others */
        if (y_min < -y) y_min = -y;
        if (y_max > fb->height - 1 - y) y_max = fb->height - 1 - y;
        int64_t *nodes = PyMem_Malloc((size_t)n * sizeof *nodes);
        if (!nodes) rc = -1, PyErr_NoMemory();
        for (int64_t row = y_min; rc == 0 && row <= y_max; row++)
            rc = poly_row(fb, x, y, xy, n, row, c, nodes);
        PyMem_Free(nodes);
    } else if (rc == 0) {
        int64_t px1 = xy[0], py1 = xy[1];
        for (Py_ssize_t k = n - 1; rc == 0 && k >= 0; k--) {
            rc = line(fb, x + px1, y + py1, x + xy[2 * k], y + xy[2 * k + 1], c);
            px1 = xy[2 * k], py1 = xy[2 * k + 1];
        }
    }
    PyMem_Free(xy);
    if (rc < 0) return NULL;
    Py_RETURN_NONE;
}

/* blit(fbuf, x, y[, key[, palette]]): fbuf's pixels onto this one at
 * (x, y), clipped; a source colour is first looked up in the palette (a
 * FrameBuffer one pixel high in this one's format: the colour's x on row
 * 0) and then skipped when it equals key. */
METHOD(fb_blit)
{
    BEGIN(4, v111_set ? 5 : 6);
    fb_obj *src = as_fb(args[0]), *pal = NULL;
    if (!src) return NULL;
    int64_t x, y, key = -1;
    if (get_ints(args + 1, 1, &x) < 0 || get_ints(args + 2, 1, &y) < 0) return NULL;
    if (nargs > 3 && vb_flashdev_get_int(args[3], &key) < 0) return NULL;
    if (nargs > 4 && args[4] != Py_None && !(pal = as_fb(args[4]))) return NULL;
    if (x >= fb->width || y >= fb->height || -x >= src->width || -y >= src->height) Py_RETURN_NONE;
    int x0 = (int)(x > 0 ? x : 0), y0 = (int)(y > 0 ? y : 0);
    int sx0 = (int)(x < 0 ? -x : 0), sy = (int)(y < 0 ? -y : 0);
    int x_end = (int)(x + src->width < fb->width ? x + src->width : fb->width);
    int y_end = (int)(y + src->height < fb->height ? y + src->height : fb->height);
    for (int dy = y0; dy < y_end; dy++, sy++) {
        for (int dx = x0, sx = sx0; dx < x_end; dx++, sx++) {
            uint32_t col = px_get(src, sx, sy);
            bool inside;
            if (pal) col = px_get_at(pal, col, 0, &inside);
            if (col != (uint32_t)key) px_set(fb, dx, dy, col);
        }
    }
    Py_RETURN_NONE;
}

/* scroll(xstep, ystep): every pixel moves by the vector, walking from the
 * far edge so nothing is read after it was written; what is left behind
 * keeps its old colours. A step of the whole frame or more does nothing. */
METHOD(fb_scroll)
{
    BEGIN(3, 3);
    int64_t xs, ys;
    if (get_ints(args, 1, &xs) < 0 || get_ints(args + 1, 1, &ys) < 0) return NULL;
    int64_t x0, x_end, dx, y, y_end, dy;
    if (xs < 0) {
        x0 = 0, x_end = fb->width + xs, dx = 1;
        if (x_end <= 0) Py_RETURN_NONE;
    } else {
        x0 = fb->width - 1, x_end = xs - 1, dx = -1;
        if (x_end >= x0) Py_RETURN_NONE;
    }
    if (ys < 0) {
        y = 0, y_end = fb->height + ys, dy = 1;
        if (y_end <= 0) Py_RETURN_NONE;
    } else {
        y = fb->height - 1, y_end = ys - 1, dy = -1;
        if (y_end >= y) Py_RETURN_NONE;
    }
    for (; y != y_end; y += dy)
        for (int64_t x = x0; x != x_end; x += dx)
            px_set(fb, (int)x, (int)y, px_get(fb, (int)(x - xs), (int)(y - ys)));
    Py_RETURN_NONE;
}

/* text(s, x, y[, c]): 8x8 cells from (x, y) rightwards, one per byte of s
 * (up to a NUL), bytes outside 32..127 as 127; clipped. */
METHOD(fb_text)
{
    BEGIN(4, 5);
    const char *s;
    Py_ssize_t len;
    if (PyUnicode_Check(args[0])) {
        if (!(s = PyUnicode_AsUTF8AndSize(args[0], &len))) return NULL;
    } else if (PyBytes_Check(args[0])) {
        s = PyBytes_AS_STRING(args[0]), len = PyBytes_GET_SIZE(args[0]);
    } else {
        PyErr_Format(PyExc_TypeError, "can't convert '%s' object to str implicitly", Py_TYPE(args[0])->tp_name);
        return NULL;
    }
    int64_t x0, y0, c = 1;
    if (get_ints(args + 1, 1, &x0) < 0 || get_ints(args + 2, 1, &y0) < 0) return NULL;
    if (nargs > 3 && vb_flashdev_get_int(args[3], &c) < 0) return NULL;
    for (Py_ssize_t i = 0; i < len && s[i]; i++, x0 += 8) {
        unsigned ch = (uint8_t)s[i];
        const uint8_t *g = font8x8[(ch < 32 || ch > 127 ? 127 : ch) - 32];
        for (int r = 0; r < 8; r++)
            for (int col = 0; col < 8; col++)
                if (g[r] & (0x80u >> col)) px_set_checked(fb, x0 + col, y0 + r, (uint32_t)c);
    }
    Py_RETURN_NONE;
}

#define FAST(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL | METH_KEYWORDS
static PyMethodDef fb_methods[] = {
    {"fill", FAST(fb_fill), NULL},
    {"fill_rect", FAST(fb_fill_rect), NULL},
    {"pixel", FAST(fb_pixel), NULL},
    {"hline", FAST(fb_hline), NULL},
    {"vline", FAST(fb_vline), NULL},
    {"rect", FAST(fb_rect), NULL},
    {"line", FAST(fb_line), NULL},
    {"blit", FAST(fb_blit), NULL},
    {"scroll", FAST(fb_scroll), NULL},
    {"text", FAST(fb_text), NULL},
    {NULL, NULL, 0, NULL}, /* room for the v1.24 ones */
    {NULL, NULL, 0, NULL},
    {NULL, NULL, 0, NULL},
};

/* v1.24's additions to Pycom's set */
static const PyMethodDef fb_methods_v124[] = {
    {"ellipse", FAST(fb_ellipse), NULL},
    {"poly", FAST(fb_poly), NULL},
};

static PyObject *fb_type_create(void)
{
    size_t n = 0;
    while (fb_methods[n].ml_name) n++;
    for (size_t i = 0; !v111_set && i < sizeof fb_methods_v124 / sizeof fb_methods_v124[0]; i++)
        if (!fb_methods[n + i].ml_name) fb_methods[n + i] = fb_methods_v124[i];
    PyType_Slot slots[] = {
        {Py_tp_new, (void *)fb_new},
        {Py_tp_init, (void *)fb_init},
        {Py_tp_dealloc, (void *)fb_dealloc},
        {Py_tp_traverse, (void *)fb_traverse},
        {Py_tp_clear, (void *)fb_clear},
        {Py_tp_repr, (void *)fb_repr},
        {Py_tp_methods, fb_methods},
        {Py_bf_getbuffer, (void *)fb_getbuffer},
        {0, NULL},
    };
    PyType_Spec spec = {"framebuf.FrameBuffer", sizeof(fb_obj), 0,
                        Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC, slots};
    return PyType_FromSpec(&spec);
}

/* FrameBuffer1(buffer, width, height[, stride]): a MONO_VLSB FrameBuffer. */
static PyObject *m_framebuffer1(PyObject *m, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)m;
    if (arity(nargs, kwnames, 3, 4) < 0) return NULL;
    PyObject *fmt = PyLong_FromLong(FMT_MVLSB);
    if (!fmt) return NULL;
    PyObject *a[5] = {args[0], args[1], args[2], fmt, nargs > 3 ? args[3] : args[1]};
    PyObject *fb = PyObject_Vectorcall(fb_type, a, 5, NULL);
    Py_DECREF(fmt);
    return fb;
}

static PyMethodDef framebuf_functions[] = {
    {"FrameBuffer1", FAST(m_framebuffer1), NULL},
    {NULL, NULL, 0, NULL},
};

static const vb_engine_const framebuf_consts[] = {
    {"MVLSB", FMT_MVLSB},         {"MONO_VLSB", FMT_MVLSB}, {"RGB565", FMT_RGB565},
    {"GS2_HMSB", FMT_GS2_HMSB},   {"GS4_HMSB", FMT_GS4_HMSB}, {"GS8", FMT_GS8},
    {"MONO_HLSB", FMT_MHLSB},     {"MONO_HMSB", FMT_MHMSB},
};

static struct PyModuleDef framebuf_def = {
    PyModuleDef_HEAD_INIT, "framebuf", NULL, 0, framebuf_functions, NULL, NULL, NULL, NULL,
};

PyObject *vb_mod_framebuf_create(void)
{
    v111_set = vb_engine_g.port->mp_api == VB_MP_V111;
    PyObject *m = PyModule_Create(&framebuf_def);
    if (!m) return NULL;
    if (!fb_type) fb_type = fb_type_create();
    if (!fb_type || PyModule_AddObjectRef(m, "FrameBuffer", fb_type) < 0) goto fail;
    for (size_t i = 0; i < sizeof framebuf_consts / sizeof framebuf_consts[0]; i++)
        if (PyModule_AddIntConstant(m, framebuf_consts[i].name, framebuf_consts[i].value) < 0) goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
