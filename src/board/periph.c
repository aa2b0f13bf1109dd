/* The ports' Timer, ADC and PWM tables (periph.h) and their conversions. */
#include "periph.h"
#include "board/pycom_errors.h"

#include <errno.h>
#include <stddef.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ESP32 ADC1 (GPIO32-39) and ADC2 (GPIO0, 2, 4, 12-15, 25-27); MicroPython
 * v1.24's esp32 machine.ADC takes both blocks. */
static const vb_adc_input esp32_adc[] = {
    {36, 0, 1}, {37, 1, 1}, {38, 2, 1}, {39, 3, 1}, {32, 4, 1}, {33, 5, 1}, {34, 6, 1}, {35, 7, 1},
    {4, 0, 2}, {0, 1, 2}, {2, 2, 2}, {15, 3, 2}, {13, 4, 2}, {12, 5, 2}, {14, 6, 2}, {27, 7, 2},
    {25, 8, 2}, {26, 9, 2},
};

/* Pycom's ADC: ADC1 only, the expansion board's P13-P20. */
static const vb_adc_input pycom_adc[] = {
    {36, 0, 1}, {37, 1, 1}, {38, 2, 1}, {39, 3, 1}, {32, 4, 1}, {33, 5, 1}, {34, 6, 1}, {35, 7, 1},
};

/* RP2040: GPIO26-29 are channels 0-3; channel 4 the temperature sensor. */
static const vb_adc_input rp2_adc[] = {{26, 0, 0}, {27, 1, 0}, {28, 2, 0}, {29, 3, 0}};

/* ESP32 full scale by attenuation (datasheet: 1.1 V at 0 dB, then
 * 2.5, 6 and 11 dB more). */
#define ESP32_FULL_SCALE {1100000u, 1467000u, 2200000u, 3900000u}

const vb_port_periph vb_periph_esp32 = {
    .hw_timers = 4,
    .virtual_timer = false,
    .adc_inputs = esp32_adc, .n_adc_inputs = N(esp32_adc),
    .adc_bits = 12, .adc_min_bits = 9,
    .adc_full_scale_uv = ESP32_FULL_SCALE,
    .adc_temp_channel = -1,
    .pwm_channels = 16,            /* LEDC: 8 high-speed + 8 low-speed */
    .pwm_freq_min = 1, .pwm_freq_max = 40000000,
    .pwm_freq_default = 5000,
    .pwm_duty_bits = 10,
    .uarts = 3, .uart_console = 0,    /* UART0 is the REPL's */
    .uart_tx_fifo = 128,
    /* machine_uart.c: ESP-IDF's event bits, 1 << UART_DATA and 1 << UART_BREAK,
     * and its own RXIDLE */
    .uart_irq_rx = 1, .uart_irq_rxidle = 0x1000, .uart_irq_break = 2,
    .i2c_buses = 2,                /* I2C_NUM_MAX; I2C0 on GPIO18/19, I2C1 on 25/26 */
    .i2c_scl = {18, 25}, .i2c_sda = {19, 26},
    .i2c_freq_default = 400000,
    .i2c_nack_errno = ENODEV,      /* ESP-IDF's ESP_FAIL */
    .soft_i2c = true,
    /* SPI(1) = HSPI on its IO_MUX pins 14/13/12, SPI(2) = VSPI on 18/23/19 */
    .spi_first_id = 1, .spi_buses = 2,
    .spi_sck = {14, 18}, .spi_mosi = {13, 23}, .spi_miso = {12, 19},
    .spi_baud_default = 500000,
    .spi_divider = VB_SPI_DIV_ESP32, .spi_clock_hz = 80000000,   /* APB */
    .spi_lsb = true,
    .spi_deinit_error = "transfer on deinitialized SPI",
    .spi_whole_words = true,
    .soft_spi = true,
    .soft_spi_max_baud = 800000,   /* ets_get_cpu_frequency() * 1000000 / 200 at 160 MHz */
    .bitstream = true, .time_pulse_us = true,
};

const vb_port_periph vb_periph_pycom = {
    .hw_timers = 0,                /* Timer.Alarm: any number, no ids */
    .virtual_timer = false,
    .adc_inputs = pycom_adc, .n_adc_inputs = N(pycom_adc),
    .adc_bits = 12, .adc_min_bits = 9,
    .adc_full_scale_uv = ESP32_FULL_SCALE,
    .adc_temp_channel = -1,
    .pwm_channels = 8,             /* PWM(timer 0-3).channel(0-7) */
    .pwm_freq_min = 1, .pwm_freq_max = 78125,
    .pwm_freq_default = 0,
    .pwm_duty_bits = 0,
    .uarts = 3, .uart_console = 0,
    .uart_tx_fifo = 128,
    /* I2C(0) and I2C(1) in hardware, I2C(2) bit-banged, all on P9 (SDA,
     * GPIO12) / P10 (SCL, GPIO13) by default */
    .i2c_buses = 2,
    .i2c_scl = {13, 13}, .i2c_sda = {12, 12},
    .i2c_freq_default = 100000,
    .i2c_nack_text = "I2C bus error",
    /* SPI(0) only, on P10 (CLK, GPIO13), P11 (MOSI, GPIO22), P14 (MISO,
     * GPIO37) by default; the rate shown is the one asked for */
    .spi_first_id = 0, .spi_buses = 1,
    .spi_sck = {13}, .spi_mosi = {22}, .spi_miso = {37},
    .spi_baud_default = 1000000,
    .spi_divider = VB_SPI_DIV_EXACT, .spi_clock_hz = 80000000,
    .spi_msb = 0, .spi_lsb = true,   /* SpiBitOrder_MSBFirst 0, LSBFirst 1 */
    .spi_deinit_error = VB_PYCOM_NOT_POSSIBLE,
    .spi_wipy_api = true,
};

const vb_port_periph vb_periph_rp2 = {
    .hw_timers = 0,
    .virtual_timer = true,
    .adc_inputs = rp2_adc, .n_adc_inputs = N(rp2_adc),
    .adc_bits = 12, .adc_min_bits = 12,
    .adc_full_scale_uv = {3300000u, 3300000u, 3300000u, 3300000u},   /* ADC_VREF = 3.3 V */
    .adc_temp_channel = 4,
    .adc_temp_uv = 706000u,
    .pwm_channels = 16,            /* 8 slices x A/B */
    .pwm_freq_min = 8, .pwm_freq_max = 62500000,   /* clk_sys 125 MHz / 2 */
    .pwm_freq_default = 1907,      /* a slice after reset: 125 MHz / 65536 */
    .pwm_duty_bits = 0,
    .pwm_slices = 8,
    .uarts = 2, .uart_console = -1,   /* the REPL is on USB: both UARTs are free */
    .uart_tx_fifo = 32,
    .i2c_buses = 2,                /* I2C0 on GP5/GP4 (PICO_DEFAULT_I2C), I2C1 on GP7/GP6 */
    .i2c_scl = {5, 7}, .i2c_sda = {4, 6},
    .i2c_freq_default = 400000,
    .i2c_clock_hz = 125000000,
    .i2c_pins_paired = true,
    .i2c_nack_errno = EIO,         /* any pico-sdk error but a timeout */
    .soft_i2c = true,
    /* SPI0 on GP18/19/16 (PICO_DEFAULT_SPI), SPI1 on GP10/11/8 */
    .spi_first_id = 0, .spi_buses = 2,
    .spi_sck = {18, 10}, .spi_mosi = {19, 11}, .spi_miso = {16, 8},
    .spi_baud_default = 1000000,
    .spi_divider = VB_SPI_DIV_PL022, .spi_clock_hz = 125000000,   /* clk_peri */
    .spi_pins_checked = true,
    .spi_msb = 1,
    .soft_spi = true,
    .bitstream = true, .time_pulse_us = true,
};

const vb_adc_input *vb_periph_adc_input(const vb_port_periph *p, unsigned gpio)
{
    for (unsigned i = 0; i < p->n_adc_inputs; i++)
        if (p->adc_inputs[i].gpio == gpio) return &p->adc_inputs[i];
    return NULL;
}

bool vb_periph_pwm_same_slice(const vb_port_periph *p, unsigned a, unsigned b)
{
    return p->pwm_slices && (a >> 1) % p->pwm_slices == (b >> 1) % p->pwm_slices;
}

static uint32_t max_of(unsigned bits) { return (1u << bits) - 1u; }

uint32_t vb_adc_raw(uint32_t uv, uint32_t fs_uv, unsigned bits)
{
    if (fs_uv == 0 || bits == 0 || bits > 16) return 0;
    if (uv >= fs_uv) return max_of(bits);
    return (uint32_t)(((uint64_t)uv * max_of(bits) + fs_uv / 2) / fs_uv);
}

uint32_t vb_adc_u16(uint32_t raw, unsigned bits)
{
    if (bits < 8 || bits > 16) return 0;
    raw &= max_of(bits);
    return (raw << (16 - bits) | raw >> (2 * bits - 16)) & 0xFFFFu;
}

uint32_t vb_adc_raw_uv(uint32_t raw, uint32_t fs_uv, unsigned bits)
{
    if (bits == 0 || bits > 16) return 0;
    if (raw > max_of(bits)) raw = max_of(bits);
    uint64_t mv = ((uint64_t)raw * (fs_uv / 1000) + max_of(bits) / 2) / max_of(bits);
    return (uint32_t)(mv * 1000);
}

/* ESP-IDF's spi_ll_master_cal_clock: above 3/4 of APB it runs at APB;
 * else for each n in 2..64 the nearest prescaler, keeping the last best. */
static uint32_t esp32_baud(uint32_t apb, uint32_t hz)
{
    if (hz > apb / 4 * 3) return apb;
    uint32_t best_pre = 1, best_n = 2;
    uint64_t best_err = UINT64_MAX;
    for (uint32_t n = 2; n <= 64; n++) {
        uint32_t pre = (apb / n + hz / 2) / hz;
        if (pre == 0) pre = 1;
        if (pre > 8192) pre = 8192;
        uint32_t f = apb / (pre * n);
        uint64_t err = f > hz ? f - hz : hz - f;
        if (err <= best_err) {
            best_err = err;
            best_pre = pre;
            best_n = n;
        }
    }
    return apb / (best_pre * best_n);
}

/* pico-sdk's spi_set_baudrate: the smallest even prescale (2..254) that
 * reaches down to the rate, then the largest postdiv (1..256) that stays
 * above it. */
static uint32_t pl022_baud(uint32_t clk, uint32_t baud)
{
    uint32_t prescale, postdiv;
    for (prescale = 2; prescale <= 254; prescale += 2)
        if ((uint64_t)clk < (uint64_t)(prescale + 2) * 256 * baud) break;
    /* too slow: the loop leaves 256 (the SDK's check is off in release builds) */
    for (postdiv = 256; postdiv > 1; --postdiv)
        if (clk / (prescale * (postdiv - 1)) > baud) break;
    return clk / (prescale * postdiv);
}

uint32_t vb_spi_actual_baud(vb_spi_divider div, uint32_t clock_hz, uint32_t baud)
{
    if (baud == 0 || clock_hz == 0) return baud;
    switch (div) {
    case VB_SPI_DIV_ESP32: return esp32_baud(clock_hz, baud);
    case VB_SPI_DIV_PL022: return pl022_baud(clock_hz, baud);
    default: return baud;
    }
}

uint32_t vb_pwm_u16_from_ns(uint64_t ns, uint32_t freq_hz)
{
    if (freq_hz == 0) return 0;
    uint64_t period_ns = 1000000000ull / freq_hz;
    if (period_ns == 0 || ns >= period_ns) return 65535;
    return (uint32_t)((ns * 65535 + period_ns / 2) / period_ns);
}

uint64_t vb_pwm_ns_from_u16(uint32_t u16, uint32_t freq_hz)
{
    if (freq_hz == 0) return 0;
    if (u16 > 65535) u16 = 65535;
    uint64_t period_ns = 1000000000ull / freq_hz;
    return (period_ns * u16 + 32767) / 65535;
}

uint32_t vb_pwm_u16_from_bits(uint32_t duty, unsigned bits)
{
    if (bits == 0 || bits > 16) return 0;
    duty <<= 16 - bits;
    return duty > 65535 ? 65535 : duty;
}

uint32_t vb_pwm_bits_from_u16(uint32_t u16, unsigned bits)
{
    if (bits == 0 || bits > 16) return 0;
    return (u16 > 65535 ? 65535 : u16) >> (16 - bits);
}
