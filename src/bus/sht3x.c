/* The SHT3x-DIS humidity and temperature sensor (bus/i2cdev.h), from the
 * Sensirion datasheet: 16-bit commands, MSB first; a single-shot
 * measurement gives temperature then humidity, each a 16-bit word and its
 * CRC-8; without clock stretching the sensor NACKs its read address until
 * the measurement is done (the longest duration per repeatability, §2.2),
 * with stretching it ACKs and holds SCL low until then. Conversions (§4.13):
 * T = -45 + 175 * St / (2^16 - 1) °C, RH = 100 * Srh / (2^16 - 1) %. */
#include "i2cdev_int.h"

#include <string.h>

#define STATUS_ALERT 0x8000u
#define STATUS_HEATER 0x2000u
#define STATUS_RESET 0x0010u          /* system reset detected */
#define STATUS_CMD_FAILED 0x0002u     /* the last command was not processed */

void vb_sht3x_init(vb_sht3x *s)
{
    memset(s, 0, sizeof *s);
    s->temp_mc = 25000;
    s->hum_mpct = 50000;
    s->status = STATUS_ALERT | STATUS_RESET;
}

void vb_sht3x_set(vb_sht3x *s, int32_t temp_mc, uint32_t hum_mpct)
{
    s->temp_mc = temp_mc < -45000 ? -45000 : temp_mc > 130000 ? 130000 : temp_mc;
    s->hum_mpct = hum_mpct > 100000 ? 100000 : hum_mpct;
}

uint8_t vb_sht3x_crc(const uint8_t *p, unsigned n)
{
    uint8_t crc = 0xFF;
    for (unsigned i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) crc = (uint8_t)(crc & 0x80 ? (crc << 1) ^ 0x31 : crc << 1);
    }
    return crc;
}

uint16_t vb_sht3x_raw_temp(int32_t temp_mc)
{
    int64_t t = (int64_t)temp_mc + 45000;
    if (t < 0) t = 0;
    if (t > 175000) t = 175000;
    return (uint16_t)((t * 65535 + 87500) / 175000);
}

uint16_t vb_sht3x_raw_hum(uint32_t hum_mpct)
{
    uint64_t h = hum_mpct > 100000 ? 100000 : hum_mpct;
    return (uint16_t)((h * 65535 + 50000) / 100000);
}

static void put_word(vb_sht3x *s, uint16_t w)
{
    uint8_t *o = s->out + s->out_len;
    o[0] = (uint8_t)(w >> 8);
    o[1] = (uint8_t)w;
    o[2] = vb_sht3x_crc(o, 2);
    s->out_len += 3;
}

/* The longest measurement time per repeatability (datasheet table 4),
 * by the command's low byte. */
static long duration_us(uint8_t lo)
{
    switch (lo) {
    case 0x00: case 0x06: return 15000;   /* high */
    case 0x0B: case 0x0D: return 6000;    /* medium */
    case 0x16: case 0x10: return 4000;    /* low */
    default: return -1;
    }
}

static bool command(vb_sht3x *s, uint16_t cmd, uint64_t now_us)
{
    uint8_t hi = (uint8_t)(cmd >> 8), lo = (uint8_t)cmd;
    long dur = duration_us(lo);
    if ((hi == 0x24 && (lo == 0x00 || lo == 0x0B || lo == 0x16)) ||
        (hi == 0x2C && (lo == 0x06 || lo == 0x0D || lo == 0x10))) {
        s->out_len = s->out_pos = 0;
        put_word(s, vb_sht3x_raw_temp(s->temp_mc));
        put_word(s, vb_sht3x_raw_hum(s->hum_mpct));
        s->ready_at_us = now_us + (uint64_t)dur;
        s->stretch = hi == 0x2C;
        return true;
    }
    switch (cmd) {
    case 0x30A2:                       /* soft reset */
        s->heater = false;
        s->status = STATUS_ALERT | STATUS_RESET;
        s->out_len = 0;
        return true;
    case 0xF32D:                       /* read status */
        s->out_len = s->out_pos = 0;
        put_word(s, (uint16_t)(s->status | (s->heater ? STATUS_HEATER : 0)));
        s->ready_at_us = now_us;
        s->stretch = false;
        return true;
    case 0x3041: s->status = 0; return true;
    case 0x306D: s->heater = true; return true;
    case 0x3066: s->heater = false; return true;
    case 0x3093: return true;          /* break: no periodic mode to stop */
    default:
        s->status |= STATUS_CMD_FAILED;
        return false;
    }
}

bool vb_sht3x_start(vb_sht3x *s, bool read, uint64_t now_us, uint32_t *stretch_us)
{
    s->cmd_bytes = 0;
    if (!read) return true;
    if (s->out_len == 0) return false;
    if (now_us >= s->ready_at_us) return true;
    if (!s->stretch) return false;
    *stretch_us = (uint32_t)(s->ready_at_us - now_us);
    return true;
}

bool vb_sht3x_write(vb_sht3x *s, uint8_t b, uint64_t now_us)
{
    if (s->cmd_bytes == 0) {
        s->cmd_hi = b;
        s->cmd_bytes = 1;
        return true;
    }
    if (s->cmd_bytes++ > 1) return false;   /* commands are two bytes */
    return command(s, (uint16_t)(s->cmd_hi << 8 | b), now_us);
}

uint8_t vb_sht3x_read(vb_sht3x *s)
{
    return s->out_pos < s->out_len ? s->out[s->out_pos++] : 0xFF;
}

void vb_sht3x_stop(vb_sht3x *s)
{
    if (s->out_pos > 0) s->out_len = s->out_pos = 0;   /* read out: gone */
}
