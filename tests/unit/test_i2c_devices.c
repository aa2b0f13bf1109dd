/* Unit tests: the board's I2C buses (bus/i2cbus.c) and device models
 * (bus/eeprom24.c, sht3x.c, ssd1306.c): each model against its datasheet,
 * the --i2c parser, and hostile requests from the VM (wrong sizes, magic,
 * bus, flags, lengths; a flood of them) answered EINVAL without effect. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bus/i2cbus.h"
#include "check.h"

/* Why static: one bus set, large (the EEPROMs), reused by every test. */
static vb_i2c_buses buses;

static void setup(void)
{
    vb_i2c_attach a[3];
    unsigned n = 0;
    char err[160];
    CHECK_EQ(vb_i2c_parse_attach("0:0x50=eeprom,0:0x44=sht3x,1:60=ssd1306", a, 3, &n, err, sizeof err), 0);
    CHECK_EQ(n, 3);
    vb_i2c_buses_init(&buses, a, n);
}

/* One request as the VM's HAL sends it: the acks. */
static unsigned xfer(unsigned bus, unsigned flags, const uint8_t *w, unsigned nw, uint8_t *r, unsigned nr,
                     uint64_t now)
{
    static vb_bus_req req;     /* large: not on the stack of every call */
    vb_bus_rep rep;
    memset(&req, 0, sizeof req);
    req.magic = VB_BUS_MAGIC;
    req.seq = 7;
    req.bus = (uint8_t)bus;
    req.flags = (uint8_t)flags;
    req.nwrite = (uint16_t)nw;
    req.nread = (uint16_t)nr;
    if (nw) memcpy(req.data, w, nw);
    vb_i2c_serve(&buses, &req, sizeof req, now, &rep);
    CHECK_EQ(rep.err, 0);
    CHECK_EQ(rep.seq, 7);
    if (nr) memcpy(r, rep.data, nr);
    return rep.acks;
}

static void test_parse_attach(void)
{
    vb_i2c_attach a[2];
    unsigned n = 0;
    char err[160];
    const char *bad[] = {"0:0x50", "2:0x50=eeprom", "0:0x07=eeprom", "0:0x78=eeprom", "0:0x50=lcd", "x:1=eeprom",
                         "0:0x50=eeprom,0:80=sht3x", "0:0x50=eeprom,0:0x51=eeprom,0:0x52=eeprom", ""};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = 0;
        CHECK_EQ(vb_i2c_parse_attach(bad[i], a, 2, &n, err, sizeof err), -1);
    }
}

static void test_eeprom_page_wrap_and_write_cycle(void)
{
    setup();
    /* 8 bytes at 0x0FFC: the write wraps to the start of its page (0x0FE0) */
    uint8_t w[] = {0xA0, 0x0F, 0xFC, 1, 2, 3, 4, 5, 6, 7, 8}, r[8];
    CHECK_EQ(xfer(0, VB_BUS_START | VB_BUS_STOP, w, sizeof w, NULL, 0, 1000), sizeof w);
    /* the write cycle: the chip ignores its address for tWR */
    uint8_t addr_w[] = {0xA0, 0x0F, 0xE0}, rd = 0xA1;
    CHECK_EQ(xfer(0, VB_BUS_START | VB_BUS_STOP, addr_w, 1, NULL, 0, 1000 + VB_EEPROM_TWR_US - 1), 0);
    uint64_t t = 1000 + VB_EEPROM_TWR_US;
    CHECK_EQ(xfer(0, VB_BUS_START, addr_w, 3, NULL, 0, t), 3);
    CHECK_EQ(xfer(0, VB_BUS_START | VB_BUS_STOP | VB_BUS_NACK_LAST, &rd, 1, r, 4, t), 1);
    uint8_t head[] = {5, 6, 7, 8};
    CHECK_MEM(r, head, 4);
    uint8_t addr_end[] = {0xA0, 0x0F, 0xFC};
    CHECK_EQ(xfer(0, VB_BUS_START, addr_end, 3, NULL, 0, t), 3);
    /* a sequential read rolls over the whole array: 0x0FFF, then 0x0000 */
    CHECK_EQ(xfer(0, VB_BUS_START | VB_BUS_STOP, &rd, 1, r, 5, t), 1);
    uint8_t tail[] = {1, 2, 3, 4, 0xFF};
    CHECK_MEM(r, tail, 5);
    /* data without a STOP (a repeated START instead) is never written */
    uint8_t w2[] = {0xA0, 0x00, 0x10, 0x55};
    CHECK_EQ(xfer(0, VB_BUS_START, w2, sizeof w2, NULL, 0, t), 4);
    CHECK_EQ(xfer(0, VB_BUS_START | VB_BUS_STOP, &rd, 1, r, 1, t), 1);
    CHECK_EQ(buses.dev[0].u.eeprom.mem[0x10], 0xFF);
}

static void test_sht3x_measurement_and_crc(void)
{
    setup();
    uint8_t crc_in[] = {0xBE, 0xEF};
    CHECK_EQ(vb_sht3x_crc(crc_in, 2), 0x92);           /* the datasheet's example */
    CHECK_EQ(vb_sht3x_raw_temp(-45000), 0);
    CHECK_EQ(vb_sht3x_raw_temp(130000), 65535);
    CHECK_EQ(vb_sht3x_raw_hum(100000), 65535);
    vb_sht3x_set(&buses.dev[1].u.sht3x, 21500, 40000);
    uint8_t cmd[] = {0x88, 0x24, 0x00}, rd = 0x89, r[6];
    CHECK_EQ(xfer(0, VB_BUS_START | VB_BUS_STOP, cmd, 3, NULL, 0, 0), 3);
    /* no clock stretching: NACK until the measurement is done */
    CHECK_EQ(xfer(0, VB_BUS_START | VB_BUS_STOP, &rd, 1, r, 6, 14999), 0);
    CHECK_EQ(xfer(0, VB_BUS_START | VB_BUS_STOP, &rd, 1, r, 6, 15000), 1);
    unsigned st = (unsigned)r[0] << 8 | r[1], srh = (unsigned)r[3] << 8 | r[4];
    CHECK_EQ(st, vb_sht3x_raw_temp(21500));
    CHECK_EQ(srh, vb_sht3x_raw_hum(40000));
    CHECK_EQ(r[2], vb_sht3x_crc(r, 2));
    CHECK_EQ(r[5], vb_sht3x_crc(r + 3, 2));
    /* -45 + 175 * St / 65535 within a step of 21.5 */
    double t = -45 + 175.0 * st / 65535;
    CHECK(t > 21.49 && t < 21.51);
    /* read out: the next read has nothing to give */
    CHECK_EQ(xfer(0, VB_BUS_START | VB_BUS_STOP, &rd, 1, r, 6, 20000), 0);
    /* with clock stretching: ACKed at once, SCL held until it is done */
    uint8_t cmd_cs[] = {0x88, 0x2C, 0x06};
    CHECK_EQ(xfer(0, VB_BUS_START | VB_BUS_STOP, cmd_cs, 3, NULL, 0, 100000), 3);
    static vb_bus_req req;
    vb_bus_rep rep;
    memset(&req, 0, sizeof req);
    req.magic = VB_BUS_MAGIC;
    req.flags = VB_BUS_START | VB_BUS_STOP;
    req.nwrite = 1;
    req.nread = 6;
    req.data[0] = rd;
    vb_i2c_serve(&buses, &req, sizeof req, 100000, &rep);
    CHECK_EQ(rep.acks, 1);
    CHECK_EQ(rep.stretch_us, 15000);
    CHECK_EQ(rep.data[0] << 8 | rep.data[1], vb_sht3x_raw_temp(21500));
    /* an unknown command is NACKed at its second byte */
    uint8_t bad[] = {0x88, 0x12, 0x34};
    CHECK_EQ(xfer(0, VB_BUS_START | VB_BUS_STOP, bad, 3, NULL, 0, 0), 2);
}

static void test_ssd1306_driver_sequence(void)
{
    setup();
    vb_ssd1306 *o = &buses.dev[2].u.oled;
    /* init as MicroPython's driver sends it: one command per transaction */
    const uint8_t init[] = {0xAE, 0x20, 0x00, 0x40, 0xA1, 0xA8, 63, 0xC8, 0xD3, 0, 0xDA, 0x12, 0xD5, 0x80,
                            0xD9, 0xF1, 0xDB, 0x30, 0x81, 0xFF, 0xA4, 0xA6, 0x8D, 0x14, 0xAF,
                            0x21, 0, 127, 0x22, 0, 7};
    for (unsigned i = 0; i < sizeof init; i++) {
        uint8_t w[] = {0x78, 0x80, init[i]};
        CHECK_EQ(xfer(1, VB_BUS_START | VB_BUS_STOP, w, 3, NULL, 0, 0), 3);
    }
    CHECK(o->on && o->seg_remap && o->com_remap && o->mode == 0 && o->contrast == 0xFF);
    static uint8_t frame[2 + VB_SSD1306_RAM];
    frame[0] = 0x78;
    frame[1] = 0x40;
    for (unsigned i = 0; i < VB_SSD1306_RAM; i++) frame[2 + i] = (uint8_t)(i * 7);
    /* in several requests, as the HAL cuts a long write */
    for (unsigned at = 0; at < sizeof frame; at += 500) {
        unsigned k = sizeof frame - at < 500 ? (unsigned)(sizeof frame - at) : 500;
        unsigned flags = (at == 0 ? VB_BUS_START : 0) | (at + k == sizeof frame ? VB_BUS_STOP : 0);
        CHECK_EQ(xfer(1, flags, frame + at, k, NULL, 0, 0), k);
    }
    CHECK_MEM(o->ram, frame + 2, VB_SSD1306_RAM);
    static uint8_t px[VB_SSD1306_H][VB_SSD1306_W];
    vb_ssd1306_render(o, px);
    for (unsigned y = 0; y < VB_SSD1306_H; y += 7)
        for (unsigned x = 0; x < VB_SSD1306_W; x += 5)
            CHECK_EQ(px[y][x], (frame[2 + (y / 8) * VB_SSD1306_W + x] >> (y % 8)) & 1);
    uint8_t inv[] = {0x78, 0x80, 0xA7};
    xfer(1, VB_BUS_START | VB_BUS_STOP, inv, 3, NULL, 0, 0);
    vb_ssd1306_render(o, px);
    CHECK_EQ(px[0][0], !((frame[2] >> 0) & 1));
    uint8_t off[] = {0x78, 0x00, 0xAE};
    xfer(1, VB_BUS_START | VB_BUS_STOP, off, 3, NULL, 0, 0);
    vb_ssd1306_render(o, px);
    unsigned lit = 0;
    for (unsigned y = 0; y < VB_SSD1306_H; y++)
        for (unsigned x = 0; x < VB_SSD1306_W; x++) lit += px[y][x];
    CHECK_EQ(lit, 0);
}

static void test_power_loss(void)
{
    setup();
    uint8_t w[] = {0xA0, 0x00, 0x00, 0x42}, on[] = {0x78, 0x80, 0xAF}, px[] = {0x78, 0x40, 0xFF};
    CHECK_EQ(xfer(0, VB_BUS_START | VB_BUS_STOP, w, 4, NULL, 0, 0), 4);
    CHECK_EQ(xfer(1, VB_BUS_START | VB_BUS_STOP, on, 3, NULL, 0, 0), 3);
    CHECK_EQ(xfer(1, VB_BUS_START | VB_BUS_STOP, px, 3, NULL, 0, 0), 3);
    vb_sht3x_set(&buses.dev[1].u.sht3x, -5000, 12000);
    vb_i2c_buses_power_loss(&buses);
    CHECK_EQ(buses.dev[0].u.eeprom.mem[0], 0x42);          /* non-volatile */
    CHECK(!buses.dev[2].u.oled.on);
    CHECK_EQ(buses.dev[2].u.oled.ram[0], 0);
    CHECK_EQ(buses.dev[1].u.sht3x.temp_mc, -5000);          /* the room's, not the chip's */
    CHECK_EQ(buses.dev[1].u.sht3x.hum_mpct, 12000);
}

static void test_nack_and_empty_bus(void)
{
    setup();
    uint8_t w[] = {0x22, 1, 2}, r[3];
    CHECK_EQ(xfer(0, VB_BUS_START | VB_BUS_STOP, w, 3, NULL, 0, 0), 0);   /* nobody at 0x11 */
    uint8_t rd = 0x23;
    CHECK_EQ(xfer(0, VB_BUS_START | VB_BUS_STOP, &rd, 1, r, 3, 0), 0);
    CHECK_EQ(r[0], 0xFF);                                               /* SDA stays high */
    /* bytes without a START: nobody listens */
    uint8_t lone = 0xA0;
    CHECK_EQ(xfer(0, 0, &lone, 1, NULL, 0, 0), 0);
}

static void test_hostile_requests(void)
{
    setup();
    static vb_bus_req req;
    vb_bus_rep rep;
    memset(&req, 0, sizeof req);
    req.magic = VB_BUS_MAGIC;
    req.flags = VB_BUS_START;
    req.nwrite = 1;
    req.data[0] = 0xA0;
    CHECK(vb_i2c_req_ok(&req, sizeof req));
    CHECK(!vb_i2c_req_ok(&req, sizeof req - 1));
    CHECK(!vb_i2c_req_ok(&req, sizeof req + 1));
    CHECK(!vb_i2c_req_ok(&req, 0));
    vb_bus_req bad = req;
    bad.magic = 0;
    CHECK(!vb_i2c_req_ok(&bad, sizeof bad));
    bad = req;
    bad.bus = VB_I2C_BUSES;
    CHECK(!vb_i2c_req_ok(&bad, sizeof bad));
    bad = req;
    bad.flags = 0x80;
    CHECK(!vb_i2c_req_ok(&bad, sizeof bad));
    bad = req;
    bad.nwrite = VB_BUS_DATA_MAX + 1;
    CHECK(!vb_i2c_req_ok(&bad, sizeof bad));
    bad = req;
    bad.nread = 0xFFFF;
    CHECK(!vb_i2c_req_ok(&bad, sizeof bad));
    /* served: EINVAL, nothing on the bus; then a flood of random records */
    vb_i2c_serve(&buses, &bad, sizeof bad, 0, &rep);
    CHECK_EQ(rep.err, EINVAL);
    CHECK_EQ(rep.acks, 0);
    CHECK_EQ(buses.bus[0].phase, VB_I2C_IDLE);
    srand(16);
    for (int i = 0; i < 20000; i++) {
        uint8_t *p = (uint8_t *)&req;
        for (size_t k = 0; k < 16; k++) p[k] = (uint8_t)rand();
        if (i & 1) req.magic = VB_BUS_MAGIC;
        vb_i2c_serve(&buses, &req, (size_t)(rand() % 2 ? sizeof req : (size_t)rand() % 600), (uint64_t)i, &rep);
        CHECK(rep.nread <= VB_BUS_DATA_MAX && rep.acks <= VB_BUS_DATA_MAX);
    }
    CHECK(buses.malformed > 0);
    /* the buses still work */
    vb_i2c_buses_release(&buses);
    uint8_t w[] = {0x88, 0x30, 0xA2};
    CHECK_EQ(xfer(0, VB_BUS_START | VB_BUS_STOP, w, 3, NULL, 0, 1u << 30), 3);
}

int main(void)
{
    RUN(test_parse_attach);
    RUN(test_eeprom_page_wrap_and_write_cycle);
    RUN(test_sht3x_measurement_and_crc);
    RUN(test_ssd1306_driver_sequence);
    RUN(test_power_loss);
    RUN(test_nack_and_empty_bus);
    RUN(test_hostile_requests);
    return CHECK_DONE();
}
