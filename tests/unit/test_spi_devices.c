/* Unit tests: the board's SPI buses (bus/spibus.c) and their models
 * (bus/eeprom25.c, the SSD1306 decoder of bus/ssd1306.c fed by D/C): the
 * 25LC256 against its datasheet (WREN, page wrap, WIP, protection, power
 * loss), the display driven as MicroPython's SSD1306_SPI does, chip
 * selects and their edges, the --spi parser, and hostile requests (kind,
 * sizes, magic, bus, mode, word size, lengths, pins past the board's)
 * answered EINVAL or without effect. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board/periph.h"
#include "bus/i2cbus.h"
#include "bus/spibus.h"
#include "check.h"

#define CS_OLED 5
#define DC 4
#define RES 2
#define CS_EE 15
#define BIT(g) (1ull << (g))

/* Why static: one bus set, large (the EEPROM), reused by every test. */
static vb_spi_buses buses;
/* The pins as the VM's HAL would report them: levels, and the edges since
 * the last request. All CS start high (driven). */
static uint64_t levels, rose, fell, rose_us;

static void pin(unsigned g, int v)
{
    bool was = levels & BIT(g);
    if (v && !was) rose |= BIT(g);
    if (!v && was) fell |= BIT(g);
    levels = v ? levels | BIT(g) : levels & ~BIT(g);
}

static void setup(void)
{
    vb_spi_attach a[2];
    unsigned n = 0;
    char err[160];
    CHECK_EQ(vb_spi_parse_attach("1:5=ssd1306:dc=4:res=2,1:15=eeprom25", a, 2, &n, err, sizeof err), 0);
    CHECK_EQ(n, 2);
    vb_spi_buses_init(&buses, a, n);
    levels = BIT(CS_OLED) | BIT(CS_EE) | BIT(RES);
    rose = fell = 0;
}

/* One transfer as the HAL sends it, MISO into r (may be NULL). */
static int xfer_mode(unsigned bus, unsigned mode, unsigned bits, const uint8_t *w, uint8_t *r, unsigned n, uint64_t now)
{
    static vb_spi_req req;     /* large: not on the stack of every call */
    vb_bus_rep rep;
    memset(&req, 0, sizeof req);
    req.magic = VB_BUS_MAGIC;
    req.seq = 9;
    req.kind = VB_BUS_KIND_SPI;
    req.bus = (uint8_t)bus;
    req.mode = (uint8_t)mode;
    req.bits = (uint8_t)bits;
    req.n = (uint16_t)n;
    req.levels = levels;
    req.rose = rose;
    req.fell = fell;
    req.rose_us = rose_us;
    rose = fell = rose_us = 0;
    memcpy(req.data, w, n);
    vb_spi_serve(&buses, &req, sizeof req, now, &rep);
    CHECK_EQ(rep.seq, 9);
    if (r && !rep.err) memcpy(r, rep.data, n);
    return rep.err;
}

static void xfer(const uint8_t *w, uint8_t *r, unsigned n, uint64_t now)
{
    CHECK_EQ(xfer_mode(1, 0, 8, w, r, n, now), 0);
}

/* One EEPROM transaction: CS low, the bytes, CS high (seen with the next request). */
static void ee(const uint8_t *w, uint8_t *r, unsigned n, uint64_t now)
{
    pin(CS_EE, 0);
    xfer(w, r, n, now);
    pin(CS_EE, 1);
}

static uint8_t status(uint64_t now)
{
    uint8_t w[2] = {VB_EE25_RDSR, 0}, r[2];
    ee(w, r, 2, now);
    CHECK_EQ(r[0], 0xFF);          /* MISO floats during the instruction */
    return r[1];
}

static void test_parse_attach(void)
{
    vb_spi_attach a[2];
    unsigned n = 0;
    char err[160];
    const char *bad[] = {"1:5", "3:5=eeprom25", "1:40=eeprom25", "1:5=lcd", "x:5=eeprom25", "1:5=ssd1306",
                         "1:5=ssd1306:dc=40", "1:5=ssd1306:dc=5", "1:5=ssd1306:dc=4:cs=3", "1:5=eeprom25:dc=4",
                         "1:5=eeprom25,2:5=eeprom25", "1:5=eeprom25,1:6=eeprom25,1:7=eeprom25", ""};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = 0;
        CHECK_EQ(vb_spi_parse_attach(bad[i], a, 2, &n, err, sizeof err), -1);
    }
    n = 0;
    CHECK_EQ(vb_spi_parse_attach("0:17=ssd1306:res=3:dc=16", a, 2, &n, err, sizeof err), 0);
    CHECK_EQ(a[0].bus, 0);
    CHECK_EQ(a[0].cs, 17);
    CHECK_EQ(a[0].dc, 16);
    CHECK_EQ(a[0].res, 3);
    CHECK_EQ(vb_spi_parse_attach("2:9=eeprom25", a, 2, &n, err, sizeof err), 0);
    CHECK_EQ(a[1].dc, -1);
    CHECK_EQ(n, 2);
}

static void test_eeprom_write_enable_page_wrap_and_wip(void)
{
    setup();
    uint8_t w[16], r[16];
    CHECK_EQ(status(0), 0x00);
    /* WRITE without WREN: ignored */
    uint8_t wr[] = {VB_EE25_WRITE, 0x00, 0x10, 'x'};
    ee(wr, NULL, sizeof wr, 0);
    CHECK_EQ(status(0), 0x00);
    /* WREN sets WEL once CS rises */
    w[0] = VB_EE25_WREN;
    ee(w, NULL, 1, 0);
    CHECK_EQ(status(0), VB_EE25_WEL);
    /* 8 bytes from 0x7C: the page (64 bytes) wraps to 0x40 */
    uint8_t page[] = {VB_EE25_WRITE, 0x00, 0x7C, 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'};
    ee(page, NULL, sizeof page, 100);
    CHECK_EQ(status(101), VB_EE25_WIP | VB_EE25_WEL);   /* the write cycle */
    /* a READ during the cycle is ignored: MISO floats */
    uint8_t rd[] = {VB_EE25_READ, 0x00, 0x7C, 0, 0, 0, 0};
    ee(rd, r, sizeof rd, 200);
    CHECK_EQ(r[3], 0xFF);
    /* the cycle started when the board saw CS rise: with the RDSR at 101 */
    CHECK_EQ(status(100 + VB_EEPROM25_TWC_US), VB_EE25_WIP | VB_EE25_WEL);
    CHECK_EQ(status(101 + VB_EEPROM25_TWC_US), 0x00);  /* done; WEL cleared */
    ee(rd, r, sizeof rd, 6000);
    CHECK_MEM(r + 3, "ABCD", 4);
    uint8_t rd2[] = {VB_EE25_READ, 0x00, 0x40, 0, 0, 0, 0, 0};
    ee(rd2, r, sizeof rd2, 6000);
    CHECK_MEM(r + 3, "EFGH\xFF", 5);
    /* a READ rolls over at the end of the array */
    uint8_t end[] = {VB_EE25_READ, 0xFF, 0xFF, 0, 0};
    ee(end, r, sizeof end, 6000);
    CHECK_EQ(r[3], 0xFF);
    CHECK_EQ(r[4], 0xFF);          /* 0x0000: erased */
    /* the address's top bit is don't-care on a 32 KiB part */
    uint8_t top[] = {VB_EE25_READ, 0x80, 0x7C, 0};
    ee(top, r, sizeof top, 6000);
    CHECK_EQ(r[3], 'A');
    /* WRDI clears WEL */
    w[0] = VB_EE25_WREN;
    ee(w, NULL, 1, 6000);
    w[0] = VB_EE25_WRDI;
    ee(w, NULL, 1, 6000);
    CHECK_EQ(status(6000), 0x00);
}

/* The VM says when CS rose: the write cycle starts then, not when the
 * board next hears from it (a program that sleeps 5 ms and reads without
 * polling WIP), unless the claim is outside the time since the last request. */
static void test_eeprom_cycle_starts_at_the_cs_rise(void)
{
    setup();
    uint8_t wren = VB_EE25_WREN, w[] = {VB_EE25_WRITE, 0x00, 0x00, 'r'};
    ee(&wren, NULL, 1, 0);
    ee(w, NULL, sizeof w, 100);
    rose_us = 150;
    CHECK_EQ(status(3000), VB_EE25_WIP | VB_EE25_WEL);
    CHECK_EQ(status(150 + VB_EEPROM25_TWC_US), 0x00);
    ee(&wren, NULL, 1, 10000);
    ee(w, NULL, sizeof w, 10000);
    rose_us = 1000000000;          /* in the future: taken as now */
    CHECK_EQ(status(10001), VB_EE25_WIP | VB_EE25_WEL);
    CHECK_EQ(status(10000 + VB_EEPROM25_TWC_US), VB_EE25_WIP | VB_EE25_WEL);
    CHECK_EQ(status(10001 + VB_EEPROM25_TWC_US), 0x00);
    ee(&wren, NULL, 1, 20000);
    ee(w, NULL, sizeof w, 20000);
    rose_us = 5;                   /* before the last request: taken as now */
    CHECK_EQ(status(20001 + VB_EEPROM25_TWC_US - 1), VB_EE25_WIP | VB_EE25_WEL);
}

static void test_eeprom_block_protection_and_power_loss(void)
{
    setup();
    uint8_t w[4];
    w[0] = VB_EE25_WREN;
    ee(w, NULL, 1, 0);
    uint8_t wrsr[] = {VB_EE25_WRSR, 0x04 | 0x40};   /* BP0 (top quarter); bit 6 is not writable */
    ee(wrsr, NULL, 2, 0);
    CHECK_EQ(status(1), 0x04 | VB_EE25_WIP | VB_EE25_WEL);
    CHECK_EQ(status(1 + VB_EEPROM25_TWC_US), 0x04);
    w[0] = VB_EE25_WREN;
    ee(w, NULL, 1, 10000);
    uint8_t prot[] = {VB_EE25_WRITE, 0x60, 0x00, 'p'};   /* 0x6000: protected */
    ee(prot, NULL, sizeof prot, 10000);
    CHECK_EQ(status(10001), 0x04);                       /* no cycle, WEL cleared */
    CHECK_EQ(buses.dev[1].u.ee.mem[0x6000], 0xFF);
    ee(w, NULL, 1, 10000);
    uint8_t ok[] = {VB_EE25_WRITE, 0x5F, 0xFF, 'k'};
    ee(ok, NULL, sizeof ok, 10000);
    CHECK_EQ(status(10001), VB_EE25_WIP | VB_EE25_WEL | 0x04);   /* CS rise seen: written */
    CHECK_EQ(buses.dev[1].u.ee.mem[0x5FFF], 'k');
    /* power loss: the array and BP stay, WEL and the cycle go */
    ee(w, NULL, 1, 20000);
    CHECK_EQ(status(20000), 0x04 | VB_EE25_WEL);
    vb_spi_buses_power_loss(&buses);
    CHECK_EQ(status(20000), 0x04);
    CHECK_EQ(buses.dev[1].u.ee.mem[0x5FFF], 'k');
    /* power lost mid-WRITE (CS still low): the page is not written, even
     * when the master's pins are released afterwards */
    ee(w, NULL, 1, 30000);
    uint8_t cut[] = {VB_EE25_WRITE, 0x00, 0x00, 'c'};
    pin(CS_EE, 0);
    xfer(cut, NULL, sizeof cut, 30000);
    vb_spi_buses_power_loss(&buses);
    vb_spi_buses_release(&buses, 30001);
    CHECK_EQ(buses.dev[1].u.ee.mem[0], 0xFF);
    CHECK_EQ(buses.dev[1].u.ee.busy_until_us, 0);
}

static void test_cs_pulse_between_transfers_and_release(void)
{
    setup();
    /* WREN and WRITE with CS high in between, seen only as an edge */
    pin(CS_EE, 0);
    uint8_t wren = VB_EE25_WREN;
    xfer(&wren, NULL, 1, 0);
    pin(CS_EE, 1);
    pin(CS_EE, 0);                 /* low again before the next request */
    uint8_t wr[] = {VB_EE25_WRITE, 0x01, 0x00, 'z'};
    xfer(wr, NULL, sizeof wr, 0);
    /* the master lets go (its VM ended): CS floats high, the write happens */
    vb_spi_buses_release(&buses, 50);
    CHECK_EQ(buses.dev[1].u.ee.mem[0x100], 'z');
    CHECK_EQ(buses.dev[1].u.ee.busy_until_us, 50 + VB_EEPROM25_TWC_US);
    CHECK(!buses.dev[1].selected);
    /* a pin nobody drives is high: a floating CS selects nothing */
    static vb_spi_req req;
    vb_bus_rep rep;
    memset(&req, 0, sizeof req);
    req.magic = VB_BUS_MAGIC, req.kind = VB_BUS_KIND_SPI, req.bus = 1, req.bits = 8, req.n = 1;
    req.floating = BIT(CS_EE) | BIT(CS_OLED) | BIT(RES);
    req.data[0] = VB_EE25_RDSR;
    vb_spi_serve(&buses, &req, sizeof req, 10000, &rep);
    CHECK_EQ(rep.err, 0);
    CHECK(!buses.dev[0].selected && !buses.dev[1].selected);
}

/* What MicroPython's SSD1306_SPI sends: RES pulse, then each command with
 * D/C low under its own CS, the frame with D/C high. */
static void oled_cmd(uint8_t c)
{
    pin(CS_OLED, 1), pin(DC, 0), pin(CS_OLED, 0);
    xfer(&c, NULL, 1, 0);
    pin(CS_OLED, 1);
}

static void test_ssd1306_over_spi(void)
{
    setup();
    vb_ssd1306 *o = &buses.dev[0].u.oled;
    o->ram[0] = 0x55;              /* garbage the reset pulse clears */
    pin(RES, 1), pin(RES, 0), pin(RES, 1);
    static const uint8_t init[] = {0xAE, 0x20, 0x00, 0x40, 0xA1, 0xA8, 63, 0xC8, 0xD3, 0x00, 0xDA, 0x12,
                                   0xD5, 0x80, 0xD9, 0xF1, 0xDB, 0x30, 0x81, 0xFF, 0xA4, 0xA6, 0x8D, 0x14, 0xAF};
    for (unsigned i = 0; i < sizeof init; i++) oled_cmd(init[i]);
    CHECK_EQ(o->ram[0], 0);
    CHECK(o->on && o->seg_remap && o->com_remap && o->mode == 0);
    static const uint8_t win[] = {0x21, 0, 127, 0x22, 0, 7};
    for (unsigned i = 0; i < sizeof win; i++) oled_cmd(win[i]);
    static uint8_t frame[VB_SSD1306_RAM];
    for (unsigned i = 0; i < sizeof frame; i++) frame[i] = (uint8_t)(i * 7 + 1);
    pin(CS_OLED, 1), pin(DC, 1), pin(CS_OLED, 0);
    xfer(frame, NULL, VB_SPI_DATA_MAX, 0);     /* three requests, as the HAL cuts it */
    xfer(frame + VB_SPI_DATA_MAX, NULL, VB_SPI_DATA_MAX, 0);
    xfer(frame + 2 * VB_SPI_DATA_MAX, NULL, sizeof frame - 2 * VB_SPI_DATA_MAX, 0);
    pin(CS_OLED, 1);
    CHECK_MEM(o->ram, frame, sizeof frame);
    static uint8_t px[VB_SSD1306_H][VB_SSD1306_W];
    vb_ssd1306_render(o, px);
    CHECK_EQ(px[0][0], frame[0] & 1);
    CHECK_EQ(px[9][3], frame[128 + 3] >> 1 & 1);
    /* the EEPROM was never selected meanwhile: no bytes reached it */
    CHECK_EQ(buses.dev[1].u.ee.op, 0);
    /* power loss: the display starts afresh */
    vb_spi_buses_power_loss(&buses);
    CHECK(!o->on);
    CHECK_EQ(o->ram[5], 0);
}

static void test_modes_and_bit_order(void)
{
    setup();
    uint8_t w[3] = {VB_EE25_WREN}, r[3];
    /* mode 1: the part samples on the wrong edge, nothing it understands */
    pin(CS_EE, 0);
    CHECK_EQ(xfer_mode(1, VB_SPI_CPHA, 8, w, r, 1, 0), 0);
    pin(CS_EE, 1);
    CHECK_EQ(status(0), 0x00);
    CHECK(buses.ignored > 0);
    /* mode 3 works */
    pin(CS_EE, 0);
    CHECK_EQ(xfer_mode(1, VB_SPI_CPHA | VB_SPI_CPOL, 8, w, r, 1, 0), 0);
    pin(CS_EE, 1);
    CHECK_EQ(status(0), VB_EE25_WEL);
    /* LSB first: the master's 0xA0 reaches the part as 0x05 (RDSR); WEL
     * (0x02) comes back read LSB first as 0x40 */
    uint8_t rd[2] = {0xA0, 0};
    pin(CS_EE, 0);
    CHECK_EQ(xfer_mode(1, VB_SPI_LSB_FIRST, 8, rd, r, 2, 0), 0);
    pin(CS_EE, 1);
    CHECK_EQ(r[1], 0x40);
    /* 16-bit words are not what the part takes */
    pin(CS_EE, 0);
    CHECK_EQ(xfer_mode(1, 0, 16, w, r, 2, 0), 0);
    pin(CS_EE, 1);
    CHECK_EQ(r[0], 0xFF);
    /* a transfer on a bus with nobody: MISO high */
    pin(CS_EE, 0);
    CHECK_EQ(xfer_mode(0, 0, 8, rd, r, 2, 0), 0);
    pin(CS_EE, 1);
    CHECK_EQ(r[1], 0xFF);
}

static void test_hostile_requests(void)
{
    setup();
    static vb_spi_req req;
    static vb_bus_rep rep;
    memset(&req, 0, sizeof req);
    req.magic = VB_BUS_MAGIC, req.kind = VB_BUS_KIND_SPI, req.bus = 1, req.bits = 8, req.n = 1, req.seq = 3;
    req.levels = ~0ull;
    vb_spi_serve(&buses, &req, sizeof req, 0, &rep);
    CHECK_EQ(rep.err, 0);
    uint64_t before = buses.malformed;
    const size_t sizes[] = {sizeof req - 1, sizeof req + 1, 0};   /* short, long, empty datagrams */
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        vb_spi_serve(&buses, &req, sizes[i], 0, &rep);
        CHECK_EQ(rep.err, EINVAL);
    }
    vb_spi_req bad;
    bad = req, bad.magic ^= 1;
    vb_spi_serve(&buses, &bad, sizeof bad, 0, &rep);
    CHECK_EQ(rep.err, EINVAL);
    bad = req, bad.kind = VB_BUS_KIND_I2C;
    vb_spi_serve(&buses, &bad, sizeof bad, 0, &rep);
    CHECK_EQ(rep.err, EINVAL);
    bad = req, bad.kind = 77;
    vb_spi_serve(&buses, &bad, sizeof bad, 0, &rep);
    CHECK_EQ(rep.err, EINVAL);
    bad = req, bad.bus = VB_SPI_BUSES;
    vb_spi_serve(&buses, &bad, sizeof bad, 0, &rep);
    CHECK_EQ(rep.err, EINVAL);
    bad = req, bad.mode = 8;
    vb_spi_serve(&buses, &bad, sizeof bad, 0, &rep);
    CHECK_EQ(rep.err, EINVAL);
    bad = req, bad.bits = 0;
    vb_spi_serve(&buses, &bad, sizeof bad, 0, &rep);
    CHECK_EQ(rep.err, EINVAL);
    bad = req, bad.bits = 33;
    vb_spi_serve(&buses, &bad, sizeof bad, 0, &rep);
    CHECK_EQ(rep.err, EINVAL);
    bad = req, bad.n = VB_SPI_DATA_MAX + 1;
    vb_spi_serve(&buses, &bad, sizeof bad, 0, &rep);
    CHECK_EQ(rep.err, EINVAL);
    CHECK_EQ(buses.malformed - before, 11);
    /* the I2C side refuses an SPI record (and the reverse above) */
    static vb_bus_req i2c;
    memcpy(&i2c, &req, sizeof i2c);
    CHECK(!vb_i2c_req_ok(&i2c, sizeof i2c));
    /* pins past the board's, every pin moving at once: nothing breaks */
    bad = req, bad.levels = 0, bad.rose = ~0ull, bad.fell = ~0ull, bad.floating = 0xFFull << 56;
    bad.n = VB_SPI_DATA_MAX;
    memset(bad.data, 0x02, sizeof bad.data);
    vb_spi_serve(&buses, &bad, sizeof bad, 0, &rep);
    CHECK_EQ(rep.err, 0);
    CHECK_EQ(rep.nread, VB_SPI_DATA_MAX);
    /* a device list not from the parser: pins past the board's are dropped */
    vb_spi_attach odd[2] = {{1, 64, 4, -1, VB_SPI_SSD1306}, {1, 3, -1, -1, VB_SPI_MODELS}};
    vb_spi_buses_init(&buses, odd, 2);
    CHECK_EQ(buses.n, 0);
}

/* The rates the ports' dividers give (board/periph.c), as the ports'
 * reprs show them. */
static void test_actual_baud(void)
{
    CHECK_EQ(vb_spi_actual_baud(VB_SPI_DIV_ESP32, 80000000, 500000), 500000);
    CHECK_EQ(vb_spi_actual_baud(VB_SPI_DIV_ESP32, 80000000, 7000000), 7272727);   /* 80 MHz / 11 */
    CHECK_EQ(vb_spi_actual_baud(VB_SPI_DIV_ESP32, 80000000, 60000001), 80000000); /* above 3/4 of APB */
    CHECK_EQ(vb_spi_actual_baud(VB_SPI_DIV_ESP32, 80000000, 60000000), 40000000);
    CHECK_EQ(vb_spi_actual_baud(VB_SPI_DIV_PL022, 125000000, 1000000), 992063);   /* 125 MHz / (2 * 63) */
    CHECK_EQ(vb_spi_actual_baud(VB_SPI_DIV_PL022, 125000000, 10000000), 8928571); /* / (2 * 7) */
    CHECK_EQ(vb_spi_actual_baud(VB_SPI_DIV_PL022, 125000000, 1000), 1907);        /* too slow: the SDK computes with / (256 * 256) */
    CHECK_EQ(vb_spi_actual_baud(VB_SPI_DIV_EXACT, 0, 1234), 1234);
    CHECK_EQ(vb_spi_actual_baud(VB_SPI_DIV_PL022, 125000000, 0), 0);
}

int main(void)
{
    RUN(test_actual_baud);
    RUN(test_parse_attach);
    RUN(test_eeprom_write_enable_page_wrap_and_wip);
    RUN(test_eeprom_cycle_starts_at_the_cs_rise);
    RUN(test_eeprom_block_protection_and_power_loss);
    RUN(test_cs_pulse_between_transfers_and_release);
    RUN(test_ssd1306_over_spi);
    RUN(test_modes_and_bit_order);
    RUN(test_hostile_requests);
    return CHECK_DONE();
}
