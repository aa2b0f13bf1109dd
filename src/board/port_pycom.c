/* The Pycom port: firmware 1.20 on WiPy/LoPy-class modules (MicroPython
 * 1.11 fork; esp32/mods/machpin.h, mpsleep.h, modmachine.c; boot.md §5-6). */
#include "port.h"
#include "periph.h"

/* Reset causes of its modmachine.c; wake reasons of mpsleep.h;
 * pin_sleep_wakeup modes are ESP-IDF's esp_sleep_ext1_wakeup_mode_t. */
static const vb_port_const pycom_consts[] = {
    {"PWRON_RESET", 0}, {"HARD_RESET", 1}, {"WDT_RESET", 2}, {"DEEPSLEEP_RESET", 3},
    {"SOFT_RESET", 4}, {"BROWN_OUT_RESET", 5},
    {"PWRON_WAKE", 0}, {"PIN_WAKE", 1}, {"RTC_WAKE", 2}, {"ULP_WAKE", 3},
    {"WAKEUP_ALL_LOW", 0}, {"WAKEUP_ANY_HIGH", 1}, {NULL, 0},
};

/* Module pins P0-P23, their ESP32 GPIOs and expansion-board labels
 * (G23 = GPIO0 = P2 is the bootloader strap, boot.md §2; P12 = GPIO21 the
 * safe-boot pin); P13-P18 are input-only GPIOs. */
#define PP(p, g, n, f) {.name = "P" #p, .alias = "G" #g, .gpio = n, .flags = f}
static const vb_pin_def pycom_pins[] = {
    PP(0, 2, 3, 0), PP(1, 1, 1, 0), PP(2, 23, 0, 0), PP(3, 24, 4, 0), PP(4, 11, 15, 0),
    PP(5, 12, 5, 0), PP(6, 13, 27, 0), PP(7, 14, 19, 0), PP(8, 15, 2, 0), PP(9, 16, 12, 0),
    PP(10, 17, 13, 0), PP(11, 22, 22, 0), PP(12, 28, 21, 0),
    PP(13, 5, 36, VB_PIN_INPUT_ONLY), PP(14, 4, 37, VB_PIN_INPUT_ONLY),
    PP(15, 0, 38, VB_PIN_INPUT_ONLY), PP(16, 3, 39, VB_PIN_INPUT_ONLY),
    PP(17, 31, 35, VB_PIN_INPUT_ONLY), PP(18, 30, 34, VB_PIN_INPUT_ONLY),
    PP(19, 6, 32, 0), PP(20, 7, 33, 0), PP(21, 8, 26, 0), PP(22, 9, 25, 0), PP(23, 10, 14, 0),
};
#undef PP

/* Written at every boot when missing (flash.md §1). */
static const vb_default_file pycom_files[] = {
    {.path = "main.py", .content = "# main.py -- put your code here!\r\n"},
    {.path = "boot.py", .content = "# boot.py -- run on boot-up\r\n"},
};

static const char *const pycom_dirs[] = {"sys", "lib", "cert"};

static const char *const pycom_path[] = {"", "/flash", "/flash/lib", NULL};

const vb_port vb_port_pycom = {
    .id = VB_PORT_PYCOM,
    .name = "pycom",
    .module = "pycom",
    /* a WiPy 3.0 (8 MiB flash, 4 MiB PSRAM, no LoRa/Sigfox/LTE radio):
     * Pycom's boards name sys.platform and os.uname() after the module
     * (esp32/boards/WIPY/mpconfigboard.h); the date is the built-in
     * factory image's. The banner keeps MicroPython's form (repl.md
     * §2.1: "pycom" in it switches on Thonny's Pycom quirks) */
    .ident = {.platform = "WiPy", .board = "WiPy", .mcu = "ESP32", .build_date = "2026-11-22"},

    .cpu_freq_hz = 160000000u,
    .unique_id_len = 6,
    .machine_consts = pycom_consts,
    .cause_const = {[VB_CAUSE_PWRON] = "PWRON_RESET", [VB_CAUSE_HARD] = "HARD_RESET",
                    [VB_CAUSE_WDT] = "WDT_RESET", [VB_CAUSE_DEEPSLEEP] = "DEEPSLEEP_RESET",
                    [VB_CAUSE_SOFT] = "SOFT_RESET", [VB_CAUSE_BROWNOUT] = "BROWN_OUT_RESET"},
    .soft_reboot_line = "PYB: soft reboot\r\n",

    .pins = pycom_pins,
    .n_pins = sizeof pycom_pins / sizeof pycom_pins[0],
    .pins_by_number = false,
    .pin_reset = VB_PIN_RESET_IN_PULL_DOWN,
    .pins_reinit_on_soft_reset = true,

    .led_kind = VB_LED_RGB,        /* one WS2812 */
    .n_leds = 1,
    .led_gpio = -1,
    .led_rgb = 0,

    .strap_pin = "P2",             /* G23 = GPIO0: low at reset → download mode */
    .download_kind = VB_DOWNLOAD_UART_ROM,
    .download_text = "\r\nrst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))"
                     "\r\nwaiting for download\r\n",
    .safe_boot_pin = "P12",        /* read with its internal pull-down */

    .repl_link = VB_LINK_UART,     /* UART0 through the expansion board's bridge */
    .wlan_api = VB_WLAN_PYCOM,
    .mp_api = VB_MP_V111,
    .errnos = VB_ERRNO_NEWLIB,     /* MICROPY_USE_INTERNAL_ERRNO 0: newlib errno.h */
    .float_impl = VB_FLOAT_SINGLE, /* MICROPY_FLOAT_IMPL_FLOAT, as upstream's esp32 */

    .fs_type = VB_FS_FAT,          /* what Pycom 1.20 formats (LittleFS only if chosen) */
    .lfs2_read_size = 0,
    .lfs2_prog_size = 0,
    .mount_point = "/flash",
    .first_boot = VB_FIRST_BOOT_FORMAT_IF_NO_FS,
    .corrupt_notice = NULL,
    .default_files = pycom_files,
    .n_default_files = sizeof pycom_files / sizeof pycom_files[0],
    .default_dirs = pycom_dirs,
    .n_default_dirs = sizeof pycom_dirs / sizeof pycom_dirs[0],
    .defaults_every_boot = true,
    .fs_format_api = true,

    .frozen_entry = "",
    .sys_path = pycom_path,

    .periph = &vb_periph_pycom,
};
