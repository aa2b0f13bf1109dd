/* The SSD1306 OLED controller (bus/i2cdev.h), from the Solomon Systech
 * datasheet: one command/data decoder, fed by either transport. Over
 * SPI (bus/spibus.c) the D/C# pin says which each byte is. Over I2C,
 * after its address each control byte says whether
 * one (Co = 1) or all (Co = 0) following bytes are commands (D/C# = 0)
 * or GDDRAM data (D/C# = 1). The command decoder keeps its place between
 * transactions (MicroPython's ssd1306 driver sends each command byte and
 * each argument in a transaction of its own). Data goes where the RAM
 * pointer is, which moves by the addressing mode (§10.1.3). */
#include "i2cdev_int.h"

#include <string.h>

enum { CTL_NEXT, CTL_ONE_CMD, CTL_ONE_DATA, CTL_CMDS, CTL_DATA };

void vb_ssd1306_init(vb_ssd1306 *o)
{
    memset(o, 0, sizeof *o);           /* RAM is undefined at power-on: dark here */
    o->mode = 2;                       /* page addressing after reset */
    o->col_hi = VB_SSD1306_W - 1;
    o->page_hi = VB_SSD1306_H / 8 - 1;
    o->contrast = 0x7F;
    o->mux = VB_SSD1306_H - 1;
}

bool vb_ssd1306_start(vb_ssd1306 *o, bool read)
{
    o->ctl_state = CTL_NEXT;
    (void)read;
    return true;
}

/* The status byte (D6: display off). */
uint8_t vb_ssd1306_read(const vb_ssd1306 *o) { return o->on ? 0x00 : 0x40; }

static unsigned arg_count(uint8_t c)
{
    switch (c) {
    case 0x81: case 0x20: case 0xA8: case 0xD3: case 0xDA: case 0xD5: case 0xD9: case 0xDB: case 0x8D:
        return 1;
    case 0x21: case 0x22: case 0xA3: return 2;
    case 0x29: case 0x2A: return 5;
    case 0x26: case 0x27: return 6;
    default: return 0;
    }
}

static void apply(vb_ssd1306 *o)
{
    uint8_t c = o->cmd, *a = o->args;
    if (c <= 0x1F) {               /* page mode: the column's low, then high nibble */
        o->col = c <= 0x0F ? (uint8_t)((o->col & 0x70) | c) : (uint8_t)((o->col & 0x0F) | (c & 0x07) << 4);
        return;
    }
    if (c >= 0x40 && c <= 0x7F) {
        o->start_line = c & 0x3F;
        return;
    }
    if (c >= 0xB0 && c <= 0xB7) {
        o->page = c & 7;
        return;
    }
    switch (c) {
    case 0x20:
        if ((a[0] & 3) != 3) o->mode = a[0] & 3;
        break;
    case 0x21:
        o->col_lo = a[0] & 0x7F;
        o->col_hi = a[1] & 0x7F;
        o->col = o->col_lo;
        break;
    case 0x22:
        o->page_lo = a[0] & 7;
        o->page_hi = a[1] & 7;
        o->page = o->page_lo;
        break;
    case 0x81: o->contrast = a[0]; break;
    case 0xA0: case 0xA1: o->seg_remap = c & 1; break;
    case 0xA4: case 0xA5: o->entire_on = c & 1; break;
    case 0xA6: case 0xA7: o->inverted = c & 1; break;
    case 0xAE: case 0xAF: o->on = c & 1; break;
    case 0xC0: case 0xC8: o->com_remap = c == 0xC8; break;
    case 0xA8:
        if (a[0] >= 15) o->mux = a[0] & 0x3F;
        break;
    case 0xD3: o->offset = a[0] & 0x3F; break;
    case 0x8D: o->charge_pump = a[0] & 0x04; break;
    default: break;                    /* timing, scrolling, pins: nothing shown changes */
    }
}

void vb_ssd1306_command(vb_ssd1306 *o, uint8_t b)
{
    if (o->args_left) {
        o->args[o->nargs++] = b;
        if (--o->args_left == 0) apply(o);
        return;
    }
    o->cmd = b;
    o->nargs = 0;
    o->args_left = (uint8_t)arg_count(b);
    if (!o->args_left) apply(o);
}

void vb_ssd1306_data(vb_ssd1306 *o, uint8_t b)
{
    o->ram[(o->page & 7) * VB_SSD1306_W + (o->col & 0x7F)] = b;
    if (o->mode == 0) {                /* horizontal: along the page, then the next page */
        if (++o->col > o->col_hi || o->col >= VB_SSD1306_W) {
            o->col = o->col_lo;
            if (++o->page > o->page_hi || o->page > 7) o->page = o->page_lo;
        }
    } else if (o->mode == 1) {         /* vertical: down the column, then the next column */
        if (++o->page > o->page_hi || o->page > 7) {
            o->page = o->page_lo;
            if (++o->col > o->col_hi || o->col >= VB_SSD1306_W) o->col = o->col_lo;
        }
    } else {                           /* page: along the page, wrapping in it */
        o->col = (uint8_t)((o->col + 1) & 0x7F);
    }
}

bool vb_ssd1306_write(vb_ssd1306 *o, uint8_t b)
{
    switch (o->ctl_state) {
    case CTL_NEXT:
        o->ctl_state = b & 0x80 ? (b & 0x40 ? CTL_ONE_DATA : CTL_ONE_CMD) : (b & 0x40 ? CTL_DATA : CTL_CMDS);
        break;
    case CTL_ONE_CMD: vb_ssd1306_command(o, b); o->ctl_state = CTL_NEXT; break;
    case CTL_ONE_DATA: vb_ssd1306_data(o, b); o->ctl_state = CTL_NEXT; break;
    case CTL_CMDS: vb_ssd1306_command(o, b); break;
    default: vb_ssd1306_data(o, b); break;
    }
    return true;
}

void vb_ssd1306_render(const vb_ssd1306 *o, uint8_t px[VB_SSD1306_H][VB_SSD1306_W])
{
    for (unsigned y = 0; y < VB_SSD1306_H; y++) {
        /* COM scan remapped (0xC8): row 0 at the top as the module is read */
        unsigned com = o->com_remap ? y : VB_SSD1306_H - 1 - y;
        unsigned row = (com + o->start_line + o->offset) % VB_SSD1306_H;
        for (unsigned x = 0; x < VB_SSD1306_W; x++) {
            unsigned col = o->seg_remap ? x : VB_SSD1306_W - 1 - x;
            unsigned lit = o->ram[(row / 8) * VB_SSD1306_W + col] >> (row % 8) & 1u;
            if (o->entire_on) lit = 1;
            if (o->inverted) lit ^= 1;
            px[y][x] = o->on ? (uint8_t)lit : 0;
        }
    }
}
