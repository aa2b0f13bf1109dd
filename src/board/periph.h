/* What a port's Timer, ADC and PWM are (issue 16), as data: the engine's
 * machine.Timer/ADC/PWM read these fields and the pure conversions below;
 * they never test which port they run on. One table per port, named from
 * its vb_port (port.h `periph`).
 *
 * The host puts a voltage on a pin (`vboard ctl SOCK adc PIN MV`); the
 * ADC converts it the way the chip does: a reading is the voltage over the
 * full scale of the channel's attenuation, at the ADC's width, clamped to
 * 0..2^bits-1. */
#ifndef VB_BOARD_PERIPH_H
#define VB_BOARD_PERIPH_H

#include <stdbool.h>
#include <stdint.h>

#include "contract/periph.h"

#define VB_ADC_ATTENS 4            /* ESP32: 0, 2.5, 6, 11 dB */

/* One ADC input: the pin (register index), its channel number and the
 * converter unit it belongs to (the ESP32's ADC1/ADC2 each have their own
 * width). */
#define VB_ADC_UNITS 3
typedef struct vb_adc_input {
    uint8_t gpio;
    uint8_t channel;               /* rp2: ADC(channel); ESP32: ADC1/ADC2 channel */
    uint8_t unit;                  /* < VB_ADC_UNITS */
} vb_adc_input;

/* How an SPI block's divider turns a baudrate into the rate it runs at. */
typedef enum vb_spi_divider {
    VB_SPI_DIV_EXACT,              /* the rate asked for */
    VB_SPI_DIV_ESP32,              /* ESP-IDF spi_get_actual_clock: APB / (pre * n), the nearest */
    VB_SPI_DIV_PL022,              /* pico-sdk spi_set_baudrate: even prescale, then postdiv, at most the rate */
} vb_spi_divider;

typedef struct vb_port_periph {
    /* ---- machine.Timer ---- */
    unsigned hw_timers;            /* Timer(id) for id 0..hw_timers-1 (ESP32: 4 in 2 groups) */
    bool virtual_timer;            /* Timer(-1)/Timer() (rp2's alarm pool) */

    /* ---- ADC ---- */
    const vb_adc_input *adc_inputs;
    unsigned n_adc_inputs;
    unsigned adc_bits;             /* the converter's native width */
    unsigned adc_min_bits;         /* the narrowest width it can be set to */
    /* full-scale voltage (µV) by attenuation index; a port without
     * attenuation uses [0] */
    uint32_t adc_full_scale_uv[VB_ADC_ATTENS];
    int adc_temp_channel;          /* the on-chip sensor's channel (rp2 4), or -1 */
    uint32_t adc_temp_uv;          /* what it reads (the RP2040's 706 mV = 27 °C) */

    /* ---- PWM ---- */
    unsigned pwm_channels;         /* outputs at once */
    uint32_t pwm_freq_min, pwm_freq_max;   /* Hz */
    uint32_t pwm_freq_default;     /* a new output's frequency (0: none) */
    unsigned pwm_duty_bits;        /* duty()'s resolution (ESP32 10), 0: no duty() */
    /* PWM slices sharing one frequency: GPIO g is in slice (g >> 1) %
     * pwm_slices (the RP2040's 8 slices, A/B and GPIO g / g+16 alike);
     * 0: every output has its own frequency */
    unsigned pwm_slices;

    /* ---- UART ---- */
    unsigned uarts;                /* UART(id) for id 0..uarts-1 (<= VB_UARTS_MAX) */
    int uart_console;              /* the REPL's own UART (its bytes are the console's), or -1 */
    unsigned uart_tx_fifo;         /* bytes the TX FIFO queues besides the driver's txbuf */
    /* UART.irq()'s triggers, the port's constants (0: the port has not
     * that trigger; all 0: no UART.irq) */
    uint32_t uart_irq_rx, uart_irq_rxidle, uart_irq_break;

    /* ---- I2C (bus/i2cbus.h: the devices are the board's) ---- */
    unsigned i2c_buses;            /* machine.I2C(id), id 0..i2c_buses-1; 0: no machine.I2C */
    uint8_t i2c_scl[2], i2c_sda[2];/* I2C(id)'s default pins */
    uint32_t i2c_freq_default;     /* Hz, also SoftI2C's */
    /* the I2C block's input clock (rp2 125 MHz: the rate is clk / round(clk / freq),
     * as pico-sdk's i2c_set_baudrate sets it); 0: the rate asked for */
    uint32_t i2c_clock_hz;
    bool i2c_pins_paired;          /* rp2: SCL odd, SDA even, I2C(n) on pins with bit 1 = n */
    int i2c_nack_errno;            /* a NACK in machine.I2C (esp32 ENODEV, rp2 EIO) */
    const char *i2c_nack_text;     /* instead, OSError with this message (Pycom), or NULL */
    bool soft_i2c;                 /* machine.SoftI2C (MicroPython 1.24's extmod) */

    /* ---- SPI (bus/spibus.h: the devices are the board's) ---- */
    unsigned spi_first_id, spi_buses;   /* machine.SPI(id) for id first..first+buses-1; 0 buses: none */
    uint8_t spi_sck[2], spi_mosi[2], spi_miso[2];   /* each bus's default pins */
    uint32_t spi_baud_default;     /* machine.SPI's baudrate when none is given */
    vb_spi_divider spi_divider;    /* how the block's clock divider rounds a rate */
    uint32_t spi_clock_hz;         /* the SPI block's input clock */
    /* rp2: SPI0 on GP0-7/16-23, SPI1 on GP8-15/24-29; SCK on pins 4k+2,
     * MOSI 4k+3, MISO 4k ("bad SCK pin"); SPI(id) keeps its settings when
     * called with the id alone */
    bool spi_pins_checked;
    unsigned spi_msb;              /* SPI.MSB's value (rp2: pico-sdk's SPI_MSB_FIRST, 1); LSB is the other */
    bool spi_lsb;                  /* firstbit=LSB works (else NotImplementedError "LSB") */
    const char *spi_deinit_error;  /* deinit() frees the bus; a transfer then is
                                      OSError(this); NULL: deinit does nothing */
    bool spi_whole_words;          /* esp32: a transfer sends whole `bits` words
                                      (ValueError "buffer too short" for none) */
    /* Pycom (the WiPy API, machspi.c): SPI(0, SPI.MASTER, *, baudrate, bits
     * 8/16/32, polarity, phase, firstbit, pins=(CLK, MOSI, MISO)); write,
     * readinto and write_readinto return byte counts, an int is a one-byte
     * buffer, read's `write` is keyword-only, bad arguments are
     * ValueError("invalid argument(s) value") */
    bool spi_wipy_api;
    bool soft_spi;                 /* machine.SoftSPI (extmod) */
    /* SoftSPI's top rate: a baudrate at or above it bit-bangs with no delay
     * and shows this (esp32: the CPU's 160 MHz / 200); 0: 500 kHz / the
     * half-period delay in µs, whatever the rate */
    uint32_t soft_spi_max_baud;
    /* ---- pulses (engine_mod_bitstream.c, bus/pixels.h) ---- */
    bool bitstream;                /* machine.bitstream (v1.24 esp32, rp2; and so neopixel) */
    bool time_pulse_us;            /* machine.time_pulse_us (v1.24's extmod; not Pycom's) */
} vb_port_periph;

#define VB_UARTS_MAX 3
_Static_assert(VB_UARTS_MAX <= VB_PERIPH_UARTS, "the register block has a UART IRQ slot for each UART");

/* Do GPIOs a and b share a PWM frequency? */
bool vb_periph_pwm_same_slice(const vb_port_periph *p, unsigned a, unsigned b);

extern const vb_port_periph vb_periph_esp32, vb_periph_pycom, vb_periph_rp2;

/* The ADC input on gpio, or NULL. */
const vb_adc_input *vb_periph_adc_input(const vb_port_periph *p, unsigned gpio);

/* The raw reading of uv µV at full scale fs_uv and `bits` bits. */
uint32_t vb_adc_raw(uint32_t uv, uint32_t fs_uv, unsigned bits);
/* A `bits`-bit reading widened to 16 bits by repeating its top bits, as
 * MicroPython's read_u16 does (8 <= bits <= 16). */
uint32_t vb_adc_u16(uint32_t raw, unsigned bits);
/* The voltage (µV) a raw reading stands for, in whole millivolts (the
 * ESP-IDF calibration's unit). */
uint32_t vb_adc_raw_uv(uint32_t raw, uint32_t fs_uv, unsigned bits);

/* The rate an SPI block with this divider and input clock runs at for
 * baud (> 0). */
uint32_t vb_spi_actual_baud(vb_spi_divider div, uint32_t clock_hz, uint32_t baud);

/* Duty conversions between duty_u16 (0..65535) and the other units. */
uint32_t vb_pwm_u16_from_ns(uint64_t ns, uint32_t freq_hz);
uint64_t vb_pwm_ns_from_u16(uint32_t u16, uint32_t freq_hz);
uint32_t vb_pwm_u16_from_bits(uint32_t duty, unsigned bits);   /* duty << (16 - bits), as esp32 */
uint32_t vb_pwm_bits_from_u16(uint32_t u16, unsigned bits);

#endif
