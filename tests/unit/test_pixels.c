/* Unit tests: the pixel strips (bus/pixels.c): a frame over one request
 * and over several, the colours read as neopixel.py's ORDER, the cap on a
 * strip's length, and hostile requests (torn, wrong magic or kind, a pin
 * that cannot carry a strip, a fifth strip, bad flags, reads, a short
 * header, a continuation with no frame) answered EINVAL without effect. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bus/pixels.h"
#include "check.h"
#include "util/le.h"

/* Why static: the strips are large and every test reuses one set. */
static vb_pixels px;
static vb_bus_req req;

#define PINS ((1ull << 4) | (1ull << 5) | (1ull << 12) | (1ull << 13) | (1ull << 14))
static const uint32_t WS2812[4] = {400, 850, 800, 450};

/* One request as the VM's HAL sends it: the answer's err. */
static int send_req(unsigned gpio, unsigned flags, const uint8_t *bytes, unsigned n, uint64_t now,
                    const vb_pixel_strip **latched)
{
    vb_bus_rep rep;
    memset(&req, 0, sizeof req);
    req.magic = VB_BUS_MAGIC;
    req.seq = 9;
    req.kind = VB_BUS_KIND_BITSTREAM;
    req.bus = (uint8_t)gpio;
    req.flags = (uint8_t)flags;
    req.nwrite = (uint16_t)(VB_BITSTREAM_HEADER + n);
    for (unsigned i = 0; i < 4; i++) vb_st32(req.data + 4 * i, WS2812[i]);
    if (n) memcpy(req.data + VB_BITSTREAM_HEADER, bytes, n);
    const vb_pixel_strip *s = vb_pixels_serve(&px, &req, sizeof req, now, &rep);
    if (latched) *latched = s;
    CHECK_EQ(rep.magic, VB_BUS_MAGIC);
    CHECK_EQ(rep.seq, 9);
    if (!rep.err) CHECK_EQ(rep.acks, n);
    return rep.err;
}

static void test_one_frame(void)
{
    vb_pixels_init(&px, PINS);
    /* two pixels as neopixel.py lays them out: (r, g, b) at G R B */
    const uint8_t buf[6] = {0x20, 0xFF, 0x00, 0x00, 0x10, 0x80};
    const vb_pixel_strip *s;
    CHECK_EQ(send_req(12, VB_BUS_START | VB_BUS_STOP, buf, 6, 1000, &s), 0);
    CHECK(s && s == vb_pixels_find(&px, 12));
    CHECK_EQ(s->latched_len, 6);
    CHECK_EQ(s->latches, 1);
    CHECK_EQ(s->latched_us, 1000);
    CHECK_EQ(s->timing_ns[2], 800);
    uint32_t c = 0;
    CHECK(vb_pixels_color(s, 3, 0, &c));
    CHECK_EQ(c, 0xFF2000);
    CHECK(vb_pixels_color(s, 3, 1, &c));
    CHECK_EQ(c, 0x100080);
    CHECK(!vb_pixels_color(s, 3, 2, &c));
    /* the same six bytes read as one RGBW pixel and a half: R G B W */
    CHECK(vb_pixels_color(s, 4, 0, &c));
    CHECK_EQ(c, 0xFF200000u);
    CHECK(!vb_pixels_color(s, 4, 1, &c));
    CHECK(!vb_pixels_color(s, 5, 0, &c));
    CHECK(vb_pixels_find(&px, 13) == NULL);
}

/* A long strip over several requests: shown only at the STOP. */
static void test_split_frame(void)
{
    vb_pixels_init(&px, PINS);
    uint8_t buf[1200];
    for (unsigned i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)i;
    const unsigned chunk = VB_BUS_DATA_MAX - VB_BITSTREAM_HEADER;
    const vb_pixel_strip *s;
    CHECK_EQ(send_req(4, VB_BUS_START, buf, chunk, 10, &s), 0);
    CHECK(s == NULL);
    CHECK_EQ(vb_pixels_find(&px, 4)->latched_len, 0);
    CHECK_EQ(send_req(4, 0, buf + chunk, chunk, 20, &s), 0);
    CHECK(s == NULL);
    CHECK_EQ(send_req(4, VB_BUS_STOP, buf + 2 * chunk, sizeof buf - 2 * chunk, 30, &s), 0);
    CHECK(s != NULL);
    CHECK_EQ(s->latched_len, sizeof buf);
    CHECK_MEM(s->latched, buf, sizeof buf);
    CHECK_EQ(s->last_len, sizeof buf);
    /* a second frame, shorter: it sets the first pixel, the rest keep theirs */
    CHECK_EQ(send_req(4, VB_BUS_START | VB_BUS_STOP, buf + 3, 3, 40, &s), 0);
    CHECK_EQ(s->latched_len, sizeof buf);
    CHECK_EQ(s->last_len, 3);
    CHECK_EQ(s->latches, 2);
    CHECK_MEM(s->latched, buf + 3, 3);
    CHECK_MEM(s->latched + 3, buf + 3, sizeof buf - 3);
    /* an empty frame is a latch alone: nothing changes */
    CHECK_EQ(send_req(4, VB_BUS_START | VB_BUS_STOP, NULL, 0, 50, &s), 0);
    CHECK_EQ(s->latches, 3);
    CHECK_EQ(s->last_len, 0);
    CHECK_MEM(s->latched, buf + 3, 3);
}

/* Past VB_PIXEL_BYTES_MAX the bits go nowhere, counted. */
static void test_cap(void)
{
    vb_pixels_init(&px, PINS);
    uint8_t buf[VB_BUS_DATA_MAX - VB_BITSTREAM_HEADER];
    memset(buf, 0x55, sizeof buf);
    unsigned sent = 0;
    CHECK_EQ(send_req(5, VB_BUS_START, buf, sizeof buf, 0, NULL), 0);
    sent += sizeof buf;
    while (sent < VB_PIXEL_BYTES_MAX + 100) {
        CHECK_EQ(send_req(5, 0, buf, sizeof buf, 0, NULL), 0);
        sent += sizeof buf;
    }
    const vb_pixel_strip *s;
    CHECK_EQ(send_req(5, VB_BUS_STOP, NULL, 0, 0, &s), 0);
    CHECK_EQ(s->latched_len, VB_PIXEL_BYTES_MAX);
    CHECK_EQ(px.overflow, sent - VB_PIXEL_BYTES_MAX);
}

/* Every hostile request: EINVAL, counted, nothing shown. */
static void test_hostile(void)
{
    vb_pixels_init(&px, PINS);
    uint8_t b3[3] = {1, 2, 3};
    vb_bus_rep rep;
    CHECK_EQ(send_req(6, VB_BUS_START | VB_BUS_STOP, b3, 3, 0, NULL), EINVAL);    /* not an output */
    CHECK_EQ(send_req(63, VB_BUS_START | VB_BUS_STOP, b3, 3, 0, NULL), EINVAL);
    CHECK_EQ(send_req(200, VB_BUS_START | VB_BUS_STOP, b3, 3, 0, NULL), EINVAL);
    CHECK_EQ(send_req(12, 0, b3, 3, 0, NULL), EINVAL);                          /* no frame begun */
    CHECK_EQ(send_req(12, VB_BUS_STOP, b3, 3, 0, NULL), EINVAL);
    CHECK_EQ(send_req(12, VB_BUS_START | VB_BUS_NACK_LAST, b3, 3, 0, NULL), EINVAL);
    CHECK_EQ(send_req(12, 0x80, b3, 3, 0, NULL), EINVAL);
    /* a short header, a read, a length past the record, the wrong kind,
     * the wrong magic, a torn datagram */
    const size_t edits = 6;
    for (size_t e = 0; e < edits; e++) {
        vb_pixels_init(&px, PINS);
        memset(&req, 0, sizeof req);
        req.magic = VB_BUS_MAGIC;
        req.kind = VB_BUS_KIND_BITSTREAM;
        req.bus = 12;
        req.flags = VB_BUS_START | VB_BUS_STOP;
        req.nwrite = VB_BITSTREAM_HEADER + 3;
        size_t n = sizeof req;
        switch (e) {
        case 0: req.nwrite = VB_BITSTREAM_HEADER - 1; break;
        case 1: req.nread = 1; break;
        case 2: req.nwrite = VB_BUS_DATA_MAX + 1; break;
        case 3: req.kind = VB_BUS_KIND_I2C; break;
        case 4: req.magic ^= 1; break;
        default: n = sizeof req - 1; break;
        }
        CHECK(vb_pixels_serve(&px, &req, n, 0, &rep) == NULL);
        CHECK_EQ(rep.err, EINVAL);
        CHECK(vb_pixels_find(&px, 12) == NULL);
        CHECK_EQ(px.malformed, 1);
    }
    /* a fifth strip is refused; the four keep theirs */
    vb_pixels_init(&px, PINS);
    const unsigned pins[5] = {4, 5, 12, 13, 14};
    for (unsigned i = 0; i < 5; i++)
        CHECK_EQ(send_req(pins[i], VB_BUS_START | VB_BUS_STOP, b3, 3, 0, NULL), i < VB_PIXEL_STRIPS ? 0 : EINVAL);
    CHECK(vb_pixels_find(&px, 14) == NULL);
    CHECK_EQ(vb_pixels_find(&px, 13)->latched_len, 3);
}

/* A VM gone mid-frame: the strip latches what it got; power loss: dark. */
static void test_release_power(void)
{
    vb_pixels_init(&px, PINS);
    uint8_t b6[6] = {1, 2, 3, 4, 5, 6};
    CHECK_EQ(send_req(13, VB_BUS_START, b6, 6, 5, NULL), 0);
    vb_pixels_release(&px, 77);
    const vb_pixel_strip *s = vb_pixels_find(&px, 13);
    CHECK_EQ(s->latched_len, 6);
    CHECK_EQ(s->latched_us, 77);
    CHECK(!s->in_frame);
    CHECK_EQ(send_req(13, 0, b6, 6, 0, NULL), EINVAL);
    vb_pixels_power_loss(&px);
    CHECK(vb_pixels_find(&px, 13) == NULL);
    CHECK_EQ(px.pin_ok, PINS);
    CHECK_EQ(send_req(13, VB_BUS_START | VB_BUS_STOP, b6, 6, 0, NULL), 0);
}

int main(void)
{
    RUN(test_one_frame);
    RUN(test_split_frame);
    RUN(test_cap);
    RUN(test_hostile);
    RUN(test_release_power);
    return CHECK_DONE();
}
