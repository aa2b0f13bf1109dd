/* I2C device models (issue 16), written from the parts' datasheets: what
 * a chip on the board's bus does with each byte it sees. Pure C, no
 * processes: the supervisor holds them (bus/i2cbus.h), unit tests drive
 * them directly. Times are board µs (a write cycle, a measurement). */
#ifndef VB_BUS_I2CDEV_H
#define VB_BUS_I2CDEV_H

#include <stdbool.h>
#include <stdint.h>

/* 24C32: 4 KiB, 16-bit word address, 32-byte pages (a write wraps inside
 * its page), 5 ms self-timed write cycle (tWR) during which the chip does
 * not answer its address (acknowledge polling). */
#define VB_EEPROM_SIZE 4096u
#define VB_EEPROM_PAGE 32u
#define VB_EEPROM_TWR_US 5000u
typedef struct vb_eeprom {
    uint8_t mem[VB_EEPROM_SIZE];
    uint16_t ptr;                  /* the address counter */
    uint8_t addr_bytes;            /* word-address bytes seen in this write (0-2) */
    uint8_t page[VB_EEPROM_PAGE];  /* the page buffer of the write under way */
    uint32_t page_dirty;           /* bit i: page[i] was written */
    uint16_t page_base;
    uint64_t busy_until_us;        /* the write cycle ends then */
    bool writing;                  /* addressed for a write in this transaction */
} vb_eeprom;

/* SHT3x-DIS: single-shot measurements (0x24xx without, 0x2Cxx with clock
 * stretching), soft reset 0x30A2, status 0xF32D, clear status 0x3041,
 * heater 0x306D/0x3066, break 0x3093. Each word read is followed by its
 * CRC-8 (poly 0x31, init 0xFF). The reading is what the host set. */
typedef struct vb_sht3x {
    int32_t temp_mc;               /* the host's temperature, m°C */
    uint32_t hum_mpct;             /* the host's relative humidity, milli-% */
    uint8_t cmd_bytes, cmd_hi;     /* the command being received */
    uint8_t out[6];                /* what a read returns */
    uint8_t out_len, out_pos;
    uint64_t ready_at_us;          /* the measurement is ready then */
    bool stretch;                  /* a read before then holds SCL low (0x2Cxx) rather than NACK */
    bool heater;
    uint16_t status;
} vb_sht3x;

/* SSD1306 128x64 (over I2C: control byte (Co, D/C#), the command set of
 * MicroPython's ssd1306 driver; over SPI: the D/C# pin), its 1024-byte GDDRAM (8 pages of 128
 * columns, one bit per pixel, LSB at the top). */
#define VB_SSD1306_W 128u
#define VB_SSD1306_H 64u
#define VB_SSD1306_RAM (VB_SSD1306_W * VB_SSD1306_H / 8u)
typedef struct vb_ssd1306 {
    uint8_t ram[VB_SSD1306_RAM];
    uint8_t mode;                  /* addressing: 0 horizontal, 1 vertical, 2 page */
    uint8_t col, page;             /* the RAM pointer */
    uint8_t col_lo, col_hi, page_lo, page_hi;   /* the window (horizontal/vertical) */
    uint8_t contrast, start_line, offset, mux;
    bool on, inverted, entire_on, seg_remap, com_remap, charge_pump;
    /* the command decoder: survives between transactions, as in the chip */
    uint8_t cmd, args_left, args[6], nargs;
    /* the transaction: expecting a control byte, or in a data/command run */
    uint8_t ctl_state;             /* 0 control byte next, 1 one command, 2 one data, 3 commands, 4 data */
} vb_ssd1306;

/* VB_I2C_SCRIPT: a script-defined device, run by the supervisor's helper
 * (bus/devscript.h); the bus parks its requests (vb_i2c_script_target). */
typedef enum vb_i2c_model_id { VB_I2C_EEPROM, VB_I2C_SHT3X, VB_I2C_SSD1306, VB_I2C_SCRIPT, VB_I2C_MODELS } vb_i2c_model_id;

typedef struct vb_i2c_dev {
    vb_i2c_model_id model;
    uint8_t bus, addr;             /* 7-bit address */
    union {
        vb_eeprom eeprom;
        vb_sht3x sht3x;
        vb_ssd1306 oled;
    } u;
} vb_i2c_dev;

/* The model called `name` ("eeprom", "sht3x", "ssd1306"): 0 / -1. */
int vb_i2c_model_by_name(const char *name, vb_i2c_model_id *id);
const char *vb_i2c_model_name(vb_i2c_model_id id);

/* A device as it powers up (EEPROM: erased, 0xFF). */
void vb_i2c_dev_init(vb_i2c_dev *d, vb_i2c_model_id model, uint8_t bus, uint8_t addr);
/* The bus events, as the device sees them once its address matched:
 * start (true: it ACKs its address; *stretch_us: how long it then holds
 * SCL low before the first byte, else left alone), each byte written (true: ACK), each
 * byte read, and the STOP that ends its transaction (also a repeated
 * START that addresses anything: the device is no longer addressed). */
bool vb_i2c_dev_start(vb_i2c_dev *d, bool read, uint64_t now_us, uint32_t *stretch_us);
bool vb_i2c_dev_write(vb_i2c_dev *d, uint8_t byte, uint64_t now_us);
uint8_t vb_i2c_dev_read(vb_i2c_dev *d, uint64_t now_us);
void vb_i2c_dev_stop(vb_i2c_dev *d, uint64_t now_us);

/* SHT3x: the reading the host sets (clamped to the sensor's range,
 * -45..130 °C and 0..100 %RH). */
void vb_sht3x_set(vb_sht3x *s, int32_t temp_mc, uint32_t hum_mpct);
/* The datasheet's CRC-8 over n bytes (0x31, init 0xFF): CRC(BE EF) = 0x92. */
uint8_t vb_sht3x_crc(const uint8_t *p, unsigned n);
/* The raw 16-bit words a measurement gives (datasheet §4.13). */
uint16_t vb_sht3x_raw_temp(int32_t temp_mc);
uint16_t vb_sht3x_raw_hum(uint32_t hum_mpct);

/* SSD1306: one byte for the command decoder (its arguments follow as
 * further command bytes), or one byte of GDDRAM data at the RAM pointer;
 * both transports (I2C's control bytes, SPI's D/C# pin) end here. */
void vb_ssd1306_command(vb_ssd1306 *o, uint8_t b);
void vb_ssd1306_data(vb_ssd1306 *o, uint8_t b);
/* SSD1306: what the glass shows, one byte per pixel (0 dark, 1 lit),
 * row-major from the top-left as the module is read (segment remap and
 * COM scan direction applied, display off = dark, inverse, entire on). */
void vb_ssd1306_render(const vb_ssd1306 *o, uint8_t px[VB_SSD1306_H][VB_SSD1306_W]);

#endif
