/* The board's SPI buses (issue 16): the devices attached to them
 * (`--spi BUS:CS=MODEL[:dc=PIN][:res=PIN],...`), each selected by its own
 * chip-select pin, and what they make of the VM's requests
 * (contract/busmsg.h, kind VB_BUS_KIND_SPI). Pure C: the supervisor serves the
 * line with it; unit tests and the fuzzer feed it hostile requests. */
#ifndef VB_BUS_SPIBUS_H
#define VB_BUS_SPIBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/i2cdev.h"
#include "contract/busmsg.h"

#define VB_SPI_DEVS_MAX 8u
#define VB_SPI_PINS 40u            /* GPIO 0..39 (contract/regs.h VB_REG_PINS) */

/* 25LC256 (Microchip 25AA256/25LC256): 32 KiB, 16-bit address, 64-byte
 * pages (a write wraps inside its page), 5 ms self-timed write cycle
 * (tWC) that starts when CS rises after whole bytes; the status register's
 * WIP (bit 0) shows it. WREN sets WEL (bit 1), which WRITE and WRSR need
 * and which a write, WRSR or WRDI clears; BP1:BP0 (bits 3:2) protect the
 * top quarter, half or all of the array. The array and BP/WPEN are
 * non-volatile. SPI modes 0 and 3, MSB first. */
#define VB_EEPROM25_SIZE 32768u
#define VB_EEPROM25_PAGE 64u
#define VB_EEPROM25_TWC_US 5000u
enum {
    VB_EE25_WRSR = 0x01, VB_EE25_WRITE = 0x02, VB_EE25_READ = 0x03,
    VB_EE25_WRDI = 0x04, VB_EE25_RDSR = 0x05, VB_EE25_WREN = 0x06,
};
enum { VB_EE25_WIP = 0x01, VB_EE25_WEL = 0x02, VB_EE25_BP = 0x0C, VB_EE25_WPEN = 0x80 };
typedef struct vb_eeprom25 {
    uint8_t mem[VB_EEPROM25_SIZE];
    uint8_t status;                /* BP1:BP0 and WPEN (non-volatile), WEL */
    uint64_t busy_until_us;        /* the write cycle ends then (WIP) */
    /* the transaction under way (CS low) */
    uint8_t op;                    /* the instruction, 0 before the first byte */
    uint8_t addr_bytes;            /* address bytes seen (0-2) */
    uint16_t ptr;                  /* the address counter */
    uint16_t page_base;
    uint8_t page[VB_EEPROM25_PAGE];
    uint64_t page_dirty;           /* bit i: page[i] was written */
    uint8_t new_status;            /* WRSR's byte */
    bool wrsr_done;
} vb_eeprom25;

typedef enum vb_spi_model_id { VB_SPI_SSD1306, VB_SPI_EEPROM25, VB_SPI_MODELS } vb_spi_model_id;

/* One device to attach: its bus (the port's SPI id), chip select and
 * model; dc and res -1 when not wired. */
typedef struct vb_spi_attach {
    uint8_t bus, cs;
    int8_t dc, res;
    vb_spi_model_id model;
} vb_spi_attach;

typedef struct vb_spi_dev {
    vb_spi_attach at;
    bool selected;                 /* CS low: a transaction is under way */
    union {
        vb_ssd1306 oled;
        vb_eeprom25 ee;
    } u;
} vb_spi_dev;

typedef struct vb_spi_buses {
    vb_spi_dev dev[VB_SPI_DEVS_MAX];
    unsigned n;
    uint64_t requests, malformed, bytes, ignored;   /* ignored: bytes in a mode or format a device does not take */
    uint64_t last_us;              /* board time of the last request served or release */
} vb_spi_buses;

/* The model called `name` ("ssd1306", "eeprom25"): 0 / -1. */
int vb_spi_model_by_name(const char *name, vb_spi_model_id *id);
const char *vb_spi_model_name(vb_spi_model_id id);

/* Parse "BUS:CS=MODEL[:dc=PIN][:res=PIN][,...]" (pins 0..39; ssd1306 needs
 * dc), adding to out[*n..max). 0, or -1 with a sentence in err (a bad bus
 * or pin, an unknown model or option, a CS taken twice, too many). */
int vb_spi_parse_attach(const char *spec, vb_spi_attach *out, unsigned max, unsigned *n, char *err, size_t errlen);

/* Devices as they power up (the EEPROM erased, 0xFF), none selected. */
void vb_spi_buses_init(vb_spi_buses *b, const vb_spi_attach *a, unsigned n);
/* The master let go of the bus (its VM ended): every CS floats high (the
 * devices' pull-ups), which ends each transaction (a complete EEPROM write
 * starts its cycle at now_us). */
void vb_spi_buses_release(vb_spi_buses *b, uint64_t now_us);
/* The board lost power: the display starts afresh; the EEPROM keeps its
 * array and BP/WPEN bits and loses WEL and a write cycle under way. */
void vb_spi_buses_power_loss(vb_spi_buses *b);
/* The device on bus with chip select cs, or NULL. */
vb_spi_dev *vb_spi_find(vb_spi_buses *b, unsigned bus, unsigned cs);

/* Is this n-byte datagram an SPI request (whole, kind SPI, known bus,
 * mode bits, word size, length within the record)? */
bool vb_spi_req_ok(const vb_spi_req *r, size_t n);
/* Carry out one request at board time now_us: the pins' edges and levels
 * first (a device whose CS rose ends its transaction, one whose CS is low
 * is selected; a RES low resets the display), then the bytes to every
 * selected device on the bus. rep is filled (EINVAL for what
 * vb_spi_req_ok refuses: nothing happens then). A CS rise takes effect
 * at the request's rose_us when that lies between the previous request
 * and now_us (the VM's claim, bounded), else at now_us. */
void vb_spi_serve(vb_spi_buses *b, const vb_spi_req *req, size_t n, uint64_t now_us, vb_bus_rep *rep);

/* The 25LC256's side of one transaction: CS falls, each byte (MOSI in,
 * MISO out), CS rises. */
void vb_eeprom25_init(vb_eeprom25 *e);
void vb_eeprom25_select(vb_eeprom25 *e);
uint8_t vb_eeprom25_byte(vb_eeprom25 *e, uint8_t mosi, uint64_t now_us);
void vb_eeprom25_deselect(vb_eeprom25 *e, uint64_t now_us);

#endif
