/* The rp2 port: MicroPython v1.24.1, ports/rp2, board RPI_PICO
 * (mpconfigboard.h "Raspberry Pi Pico", MCU "RP2040"; pins.csv;
 * modmachine.c; modules/_boot.py). */
#include "port.h"
#include "periph.h"

/* modmachine.c: RP2_RESET_PWRON 1, RP2_RESET_WDT 3, and nothing else:
 * reset_cause() is WDT_RESET whenever the watchdog rebooted the chip —
 * machine.reset() is watchdog_reboot(), deepsleep() a lightsleep then
 * that reset — else PWRON_RESET (power, the RUN pin, brown-out). There is
 * no SOFT_RESET: after a soft reset reset_cause() still says the hard one. */
static const vb_port_const rp2_consts[] = {
    {"PWRON_RESET", 1}, {"WDT_RESET", 3}, {NULL, 0},
};

/* pins.csv of the Pico: board names GP0-GP22, GP25-GP28 and LED = GPIO25;
 * every CPU pin GPIO0-GPIO29 by number and CPU name (GPIO23 SMPS mode,
 * GPIO24 VBUS sense and GPIO29 VSYS/3 have no board name). BOOTSEL is the
 * button on QSPI_SS the bootrom samples at reset (register 30). */
#define GP(n) {.name = "GP" #n, .alias = NULL, .gpio = n, .flags = 0}
#define CPU(n) {.name = "GPIO" #n, .alias = NULL, .gpio = n, .flags = VB_PIN_CPU_ONLY}
static const vb_pin_def rp2_pins[] = {
    GP(0), GP(1), GP(2), GP(3), GP(4), GP(5), GP(6), GP(7), GP(8), GP(9), GP(10), GP(11),
    GP(12), GP(13), GP(14), GP(15), GP(16), GP(17), GP(18), GP(19), GP(20), GP(21), GP(22),
    CPU(23), CPU(24),
    {.name = "GP25", .alias = "LED", .gpio = 25, .flags = 0},
    GP(26), GP(27), GP(28), CPU(29),
    {.name = "BOOTSEL", .alias = NULL, .gpio = 30, .flags = VB_PIN_BUTTON},
};
#undef GP
#undef CPU

static const char *const rp2_path[] = {"", "/lib", NULL};

const vb_port vb_port_rp2 = {
    .id = VB_PORT_RP2,
    .name = "rp2",
    .module = "rp2",
    /* banner "MicroPython v1.24.1 on 2024-11-29; Raspberry Pi Pico with RP2040" */
    .ident = {.platform = "rp2", .board = "Raspberry Pi Pico", .mcu = "RP2040",
              .build_date = "2024-11-29"},

    .cpu_freq_hz = 125000000u,
    .unique_id_len = 8,
    .machine_consts = rp2_consts,
    .cause_const = {[VB_CAUSE_PWRON] = "PWRON_RESET", [VB_CAUSE_HARD] = "WDT_RESET",
                    [VB_CAUSE_WDT] = "WDT_RESET", [VB_CAUSE_DEEPSLEEP] = "WDT_RESET",
                    [VB_CAUSE_SOFT] = NULL, [VB_CAUSE_BROWNOUT] = "PWRON_RESET"},
    .soft_reboot_line = "MPY: soft reboot\r\n",

    .pins = rp2_pins,
    .n_pins = sizeof rp2_pins / sizeof rp2_pins[0],
    .pins_by_number = true,
    .pin_reset = VB_PIN_RESET_PULL_DOWN, /* RP2040 pads reset with pull-down, function NULL */
    .pins_reinit_on_soft_reset = false,

    .led_kind = VB_LED_GPIO,
    .n_leds = 1,
    .led_gpio = 25,                /* the Pico's green LED */
    .led_rgb = 0x00FF00u,

    .strap_pin = "BOOTSEL",        /* held at power-on: USB bootloader */
    .download_kind = VB_DOWNLOAD_USB_MSC,
    .download_text = "",           /* the CDC port is gone; a drive RPI-RP2 appears */
    .safe_boot_pin = NULL,

    .repl_link = VB_LINK_USB_CDC,
    .wlan_api = VB_WLAN_NONE,      /* the Pico, not the Pico W */
    .mp_api = VB_MP_V124,
    .errnos = VB_ERRNO_LINUX,      /* MICROPY_USE_INTERNAL_ERRNO 1: mperrno.h, Linux's numbers */
    .float_impl = VB_FLOAT_SINGLE, /* MICROPY_FLOAT_IMPL_FLOAT: no FPU */

    .fs_type = VB_FS_LFS2,
    .lfs2_read_size = 32,
    .lfs2_prog_size = 256,         /* _boot.py: VfsLfs2(bdev, progsize=256) */
    .mount_point = "/",
    .first_boot = VB_FIRST_BOOT_FORMAT_ON_FAILURE,
    .corrupt_notice = NULL,
    .default_files = NULL,         /* no boot.py is written */
    .n_default_files = 0,
    .default_dirs = NULL,
    .n_default_dirs = 0,
    .defaults_every_boot = false,
    .fs_format_api = false,

    .frozen_entry = ".frozen",
    .sys_path = rp2_path,

    .periph = &vb_periph_rp2,
};
