/* A board description file (`vboard run --parts FILE`, issue 16): what
 * hangs on the board's buses and pins, so a scenario and a board share one
 * wiring. YAML, or JSON (YAML's flow syntax), read with yaml_tree.h:
 *
 *   i2c:                                # devices on the I2C buses
 *     - {bus: 0, addr: 0x50, model: eeprom}
 *     - {bus: 0, addr: 0x44, model: sht3x, temp: 21.5, hum: 40}
 *     - {addr: 0x48, script: tmp_sensor.py}   # bus 0; path from this file's directory
 *   uart:                               # a UART's host bridge (as --uart ID:LINK)
 *     - {id: 1, link: /tmp/gps}
 *   adc:                                # what an ADC input reads at power-on
 *     - {pin: 34, mv: 1650}
 *   spi:                                # devices on the SPI buses, by chip select (as --spi)
 *     - {bus: 1, cs: 5, model: ssd1306, dc: 4}
 *
 * Each top-level key is a part kind, a row of one table (kinds[] in
 * parts.c) with its reader: a new kind (SPI devices, NeoPixel strips) is
 * one row and one function. A part declared twice (in the file, or in the
 * file and on the command line) is an error naming both places. Errors
 * read "FILE:LINE:COL: sentence". Pure: no I/O but vb_parts_load's read
 * of the file; no global state. */
#ifndef VB_SCENARIO_PARTS_H
#define VB_SCENARIO_PARTS_H

#include <stddef.h>
#include <stdint.h>

#include "board/periph.h"
#include "bus/i2cbus.h"
#include "bus/spibus.h"

#define VB_PARTS_LINK_MAX 256u     /* a UART link's path, bytes */
#define VB_PARTS_ADC_MAX 16u
#define VB_PARTS_PIN_MAX 16u       /* a pin's name, bytes */
#define VB_PARTS_FILE_MAX (1u << 20)

typedef struct vb_parts_adc {
    char pin[VB_PARTS_PIN_MAX];    /* as the board names it (e.g. "34", "P16"): the board checks it */
    uint32_t uv;                   /* µV, 0..5 V */
    unsigned line;
} vb_parts_adc;

typedef struct vb_parts {
    const char *path;              /* the file, for messages; NULL: none read */
    vb_i2c_attach i2c[VB_I2C_DEVS_MAX];
    unsigned i2c_line[VB_I2C_DEVS_MAX];   /* the line it was declared on; 0 = on the command line */
    unsigned n_i2c;
    char uart_link[VB_UARTS_MAX][VB_PARTS_LINK_MAX];   /* "" = none */
    unsigned uart_line[VB_UARTS_MAX];
    vb_parts_adc adc[VB_PARTS_ADC_MAX];
    unsigned n_adc;
    vb_spi_attach spi[VB_SPI_DEVS_MAX];
    unsigned spi_line[VB_SPI_DEVS_MAX];
    unsigned n_spi;
} vb_parts;

void vb_parts_init(vb_parts *p);

/* Read text[0..len) as the parts file `path` into p (added to what it
 * holds). 0, or -1 with "PATH:LINE:COL: sentence" in err. */
int vb_parts_parse(const char *text, size_t len, const char *path, vb_parts *p, char *err, size_t errlen);
/* The same, reading the file (at most VB_PARTS_FILE_MAX bytes). */
int vb_parts_load(const char *path, vb_parts *p, char *err, size_t errlen);

/* Add the command line's parts (--i2c's devices, a --uart link): 0, or -1
 * when the file declared the same part (err names both). */
int vb_parts_add_i2c(vb_parts *p, const vb_i2c_attach *a, char *err, size_t errlen);
int vb_parts_add_uart(vb_parts *p, unsigned id, const char *link, char *err, size_t errlen);
int vb_parts_add_spi(vb_parts *p, const vb_spi_attach *a, char *err, size_t errlen);

#endif
