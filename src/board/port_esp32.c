/* The esp32 port: MicroPython v1.24.1, ports/esp32, board ESP32_GENERIC
 * (mpconfigboard.h: "Generic ESP32 module" with "ESP32"; modmachine.c;
 * modules/_boot.py and inisetup.py). */
#include "port.h"
#include "periph.h"

/* machine.*_RESET are ESP-IDF's reset reasons as modmachine.c maps them;
 * wake reasons are esp_sleep_wakeup_cause_t (PIN_WAKE is EXT0_WAKE),
 * SLEEP/DEEPSLEEP its wake-ability bits (Pin.irq wake=). */
static const vb_port_const esp32_consts[] = {
    {"PWRON_RESET", 1}, {"HARD_RESET", 2}, {"WDT_RESET", 3}, {"DEEPSLEEP_RESET", 4},
    {"SOFT_RESET", 5},
    {"PIN_WAKE", 2}, {"EXT0_WAKE", 2}, {"EXT1_WAKE", 3}, {"TIMER_WAKE", 4},
    {"TOUCHPAD_WAKE", 5}, {"ULP_WAKE", 6}, {"SLEEP", 2}, {"DEEPSLEEP", 4}, {NULL, 0},
};

/* ESP32 GPIOs that exist (no 20, 24, 28-31); 34-39 have no output driver. */
#define GP(n, f) {.name = "GPIO" #n, .alias = NULL, .gpio = n, .flags = f}
static const vb_pin_def esp32_pins[] = {
    GP(0, 0), GP(1, 0), GP(2, 0), GP(3, 0), GP(4, 0), GP(5, 0), GP(6, 0), GP(7, 0),
    GP(8, 0), GP(9, 0), GP(10, 0), GP(11, 0), GP(12, 0), GP(13, 0), GP(14, 0), GP(15, 0),
    GP(16, 0), GP(17, 0), GP(18, 0), GP(19, 0), GP(21, 0), GP(22, 0), GP(23, 0), GP(25, 0),
    GP(26, 0), GP(27, 0), GP(32, 0), GP(33, 0),
    GP(34, VB_PIN_INPUT_ONLY), GP(35, VB_PIN_INPUT_ONLY), GP(36, VB_PIN_INPUT_ONLY),
    GP(37, VB_PIN_INPUT_ONLY), GP(38, VB_PIN_INPUT_ONLY), GP(39, VB_PIN_INPUT_ONLY),
};
#undef GP

/* What inisetup.py writes after formatting: its boot.py, byte for byte. */
static const vb_default_file esp32_files[] = {
    {.path = "boot.py",
     .content = "# This file is executed on every boot (including wake-boot from deepsleep)\n"
                "#import esp\n"
                "#esp.osdebug(None)\n"
                "#import webrepl\n"
                "#webrepl.start()\n"},
};

static const char *const esp32_path[] = {"", "/lib", NULL};

/* The ESP32 (ECO3) ROM's lines at a reset from flash, the reset reason
 * ("0xc (SW_CPU_RESET)") in the middle; the segment lines are an ESP-IDF
 * 5.2 second-stage bootloader's (their lengths vary by build). The
 * bootloader itself logs nothing at MicroPython's log level. */
#define ESP32_ROM_BOOT(rst)                                                                       \
    "ets Jul 29 2019 12:21:46\r\n\r\nrst:" rst ",boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n"           \
    "configsip: 0, SPIWP:0xee\r\n"                                                                \
    "clk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00\r\n"                 \
    "mode:DIO, clock div:2\r\n"                                                                   \
    "load:0x3fff0030,len:4728\r\nload:0x40078000,len:14888\r\nload:0x40080400,len:3368\r\n"      \
    "entry 0x400805cc\r\n"

const vb_port vb_port_esp32 = {
    .id = VB_PORT_ESP32,
    .name = "esp32",
    .module = "esp32",
    .ident = {.platform = "esp32", .board = "Generic ESP32 module", .mcu = "ESP32",
              .build_date = "2024-11-29"},

    .cpu_freq_hz = 160000000u,
    .unique_id_len = 6,
    .machine_consts = esp32_consts,
    /* reset button (EN) and brown-out report PWRON (boot.md §1, §7) */
    .cause_const = {[VB_CAUSE_PWRON] = "PWRON_RESET", [VB_CAUSE_HARD] = "HARD_RESET",
                    [VB_CAUSE_WDT] = "WDT_RESET", [VB_CAUSE_DEEPSLEEP] = "DEEPSLEEP_RESET",
                    [VB_CAUSE_SOFT] = "SOFT_RESET", [VB_CAUSE_BROWNOUT] = "PWRON_RESET"},
    .soft_reboot_line = "MPY: soft reboot\r\n",

    .pins = esp32_pins,
    .n_pins = sizeof esp32_pins / sizeof esp32_pins[0],
    .pins_by_number = true,
    .pin_reset = VB_PIN_RESET_FLOATING,
    .pins_reinit_on_soft_reset = false,

    .led_kind = VB_LED_GPIO,
    .n_leds = 1,
    .led_gpio = 2,                 /* the blue LED of most ESP32 dev boards */
    .led_rgb = 0x0000FFu,

    .strap_pin = "GPIO0",          /* low at reset: ROM download mode */
    .download_kind = VB_DOWNLOAD_UART_ROM,
    .download_text = "\r\nrst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))"
                     "\r\nwaiting for download\r\n",
    .safe_boot_pin = NULL,
    .rom_boot_text = {
        [VB_CAUSE_PWRON] = ESP32_ROM_BOOT("0x1 (POWERON_RESET)"),   /* power-on and the EN button */
        [VB_CAUSE_HARD] = ESP32_ROM_BOOT("0xc (SW_CPU_RESET)"),     /* esp_restart() */
        [VB_CAUSE_WDT] = ESP32_ROM_BOOT("0xc (SW_CPU_RESET)"),      /* the task watchdog's panic restarts */
        [VB_CAUSE_DEEPSLEEP] = ESP32_ROM_BOOT("0x5 (DEEPSLEEP_RESET)"),
        [VB_CAUSE_BROWNOUT] = "\r\nBrownout detector was triggered\r\n\r\n" ESP32_ROM_BOOT("0xc (SW_CPU_RESET)"),
    },

    .repl_link = VB_LINK_UART,     /* UART0 through a USB-serial bridge */
    .wlan_api = VB_WLAN_ESP32,
    .mp_api = VB_MP_V124,
    .errnos = VB_ERRNO_NEWLIB,     /* MICROPY_USE_INTERNAL_ERRNO 0: newlib errno.h */
    .float_impl = VB_FLOAT_SINGLE, /* MICROPY_FLOAT_IMPL_FLOAT (mpconfigport.h) */

    .fs_type = VB_FS_LFS2,         /* since v1.13; FAT still auto-detected */
    .lfs2_read_size = 32,
    .lfs2_prog_size = 32,
    .fs_autodetect = true,
    .mount_point = "/",
    .first_boot = VB_FIRST_BOOT_FORMAT_IF_ERASED,
    /* inisetup.py fs_corrupted(): print() of a text ending in a newline */
    .corrupt_notice = "The filesystem appears to be corrupted. If you had important data there, you\r\n"
                      "may want to make a flash snapshot to try to recover it. Otherwise, perform\r\n"
                      "factory reprogramming of MicroPython firmware (completely erase flash, followed\r\n"
                      "by firmware programming).\r\n\r\n",
    .format_text = "Performing initial setup\r\n",
    .default_files = esp32_files,
    .n_default_files = sizeof esp32_files / sizeof esp32_files[0],
    .default_dirs = NULL,
    .n_default_dirs = 0,
    .defaults_every_boot = false,
    .fs_format_api = false,

    .frozen_entry = ".frozen",
    .sys_path = esp32_path,

    .periph = &vb_periph_esp32,
};
