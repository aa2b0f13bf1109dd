/* Ports as data (issue 12 §1): everything that differs between the
 * MicroPython ports vboard imitates (esp32, Pycom's esp32 fork, rp2) is one
 * const vb_port table, reached from a board profile (profile.h). Code
 * outside these tables asks the table; it never tests which port it is.
 *
 * Pure data and pure functions: no Python, no processes. The engine picks
 * its own per-port method tables (machine.Pin, WDT, sleep) once, indexed
 * by vb_port_id; everything else reads the fields below. Adding a board of
 * a known port is one profile entry; a new port is one more table here
 * (port_<name>.c) plus the engine's flavour entries. */
#ifndef VB_BOARD_PORT_H
#define VB_BOARD_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/errname.h"

/* Which port a table describes: the engine indexes its per-port method
 * tables with it. Dense, from 0. */
typedef enum vb_port_id {
    VB_PORT_ESP32,                 /* MicroPython v1.24.1 ports/esp32 */
    VB_PORT_PYCOM,                 /* Pycom firmware 1.20 (MicroPython 1.11 fork) */
    VB_PORT_RP2,                   /* MicroPython v1.24.1 ports/rp2 */
    VB_PORT_COUNT
} vb_port_id;

/* Reset causes, board-independent (boot.md §1); each port names the machine
 * constant reset_cause() reports for each (vb_port.cause_const). */
typedef enum vb_cause {
    VB_CAUSE_PWRON, VB_CAUSE_HARD, VB_CAUSE_WDT, VB_CAUSE_DEEPSLEEP,
    VB_CAUSE_SOFT, VB_CAUSE_BROWNOUT, VB_CAUSE_COUNT
} vb_cause;

/* What the REPL's serial line is on the real board (issue 10 §1): a UART
 * (through a USB bridge chip) keeps sending with nobody listening — its
 * bytes go into the void at line speed; a native USB-CDC port has no line
 * speed and drops output while no host has the port open. */
typedef enum vb_link_kind { VB_LINK_UART, VB_LINK_USB_CDC } vb_link_kind;

/* The port's Wi-Fi radio and the network.WLAN API over it (issue 13):
 * none (no radio), the esp32 port's of MicroPython v1.24, or Pycom's own
 * (WLAN(mode=..., ssid=..., auth=...)). */
typedef enum vb_wlan_api { VB_WLAN_NONE = 0, VB_WLAN_ESP32, VB_WLAN_PYCOM } vb_wlan_api;

/* The MicroPython API the port's modules follow where versions differ:
 * v1.24 (esp32, rp2) or 1.11's (Pycom's 1.20 fork: e.g. framebuf without
 * ellipse/poly, rect's fill and blit's palette arguments). */
typedef enum vb_mp_api { VB_MP_V124 = 0, VB_MP_V111 } vb_mp_api;

/* Its float (MICROPY_FLOAT_IMPL): single precision on the MCU ports,
 * whose repr() shows 7 significant digits of the 32-bit value; double on
 * the desktop ones (16). */
typedef enum vb_float_impl { VB_FLOAT_SINGLE = 0, VB_FLOAT_DOUBLE } vb_float_impl;

/* One pin of the board (boot.md §1, issue 5): `gpio` indexes the shared
 * pin registers (contract/regs.h), `name` is what machine.Pin() and the
 * control channel take, `alias` a second name (Pycom expansion-board "G"
 * labels, the rp2 board's "LED"). */
#define VB_PIN_INPUT_ONLY 1u       /* no output driver (ESP32 GPIO 34-39) */
#define VB_PIN_CPU_ONLY 2u         /* no board name: only its number and CPU
                                      name "GPIOn" reach it (rp2 GPIO 23, 24, 29) */
#define VB_PIN_BUTTON 4u           /* a button on a chip line that is not a
                                      GPIO (rp2 BOOTSEL on QSPI_SS): the host
                                      presses it by driving it low; pulled
                                      up at every reset; never a machine.Pin */
#define VB_PINS_MAX 40u            /* register indexes 0..39 */
typedef struct vb_pin_def {
    const char *name;
    const char *alias;             /* or NULL */
    uint8_t gpio;
    uint8_t flags;                 /* VB_PIN_* */
} vb_pin_def;

/* The state every pin is in after a hard reset (and, on ports that say so,
 * after a soft reset too). Buttons are inputs with pull-up whatever this says. */
typedef enum vb_pin_reset {
    VB_PIN_RESET_FLOATING,         /* esp32: no function, no pull (reads 0, shown 'z') */
    VB_PIN_RESET_PULL_DOWN,        /* rp2: no function selected, pad pull-down on */
    VB_PIN_RESET_IN_PULL_DOWN,     /* Pycom: the firmware makes every pin an input
                                      with pull-down as it starts */
} vb_pin_reset;

/* The board's LED(s) as the host sees them (control `led`, VCD, trace). */
typedef enum vb_led_kind {
    VB_LED_NONE,
    VB_LED_GPIO,                   /* a plain LED on led_gpio, lit while the pin is high */
    VB_LED_RGB,                    /* an RGB LED the firmware sets (Pycom's WS2812) */
} vb_led_kind;

/* The filesystem the real port keeps in its flash region (flash.md §1). */
typedef enum vb_fs_type { VB_FS_FAT, VB_FS_LFS2 } vb_fs_type;

/* What the frozen _boot does when the board's filesystem does not mount
 * (flash.md §1 "first boot / FS not recognised"). */
typedef enum vb_first_boot {
    /* esp32 inisetup.py: an erased region (first 4 KiB all 0xFF) is a
     * first boot: format and write the default files; anything else is
     * damage: print the corrupt notice every 3 s until Ctrl-C, never format */
    VB_FIRST_BOOT_FORMAT_IF_ERASED,
    /* rp2 _boot.py: any mount failure reformats at once, silently, with
     * no default files */
    VB_FIRST_BOOT_FORMAT_ON_FAILURE,
    /* Pycom 1.20: "no filesystem" formats silently; any other mount error
     * is fatal ("failed to create /flash", the board halts) */
    VB_FIRST_BOOT_FORMAT_IF_NO_FS,
} vb_first_boot;

/* What the ROM bootloader's download mode is (machine.bootloader(), the
 * strap pin held at reset): no firmware runs, host tools may write flash. */
typedef enum vb_download_kind {
    VB_DOWNLOAD_UART_ROM,          /* ESP32 ROM: prints its reset line and
                                      "waiting for download" on the UART */
    VB_DOWNLOAD_USB_MSC,           /* RP2040 bootrom: the USB-CDC port goes,
                                      a mass-storage drive (RPI-RP2) comes;
                                      nothing on the serial line */
} vb_download_kind;

typedef struct vb_default_file {
    const char *path;              /* volume path, e.g. "boot.py" */
    const char *content;           /* exact bytes */
} vb_default_file;

/* One integer of the port's machine module (reset causes, wake reasons). */
typedef struct vb_port_const {
    const char *name;
    long value;
} vb_port_const;

/* How the firmware names itself (mpconfigboard.h / mpconfigport.h):
 *   banner   "MicroPython <version> on <build_date>; <board> with <mcu>"
 *   sys.platform, os.uname().sysname and .nodename   <platform>
 *   os.uname().version   "<git tag> on <build_date>"
 *   os.uname().machine, sys.implementation._machine   "<board> with <mcu>" */
typedef struct vb_port_ident {
    const char *platform;          /* MICROPY_PY_SYS_PLATFORM */
    const char *board;             /* MICROPY_HW_BOARD_NAME */
    const char *mcu;               /* MICROPY_HW_MCU_NAME */
    const char *build_date;        /* MICROPY_BUILD_DATE of the release build */
} vb_port_ident;

typedef struct vb_port {
    vb_port_id id;
    const char *name;              /* "esp32", "pycom", "rp2" */
    const char *module;            /* the port's own module ("esp32", "pycom", "rp2") */

    /* ---- identity ---- */
    vb_port_ident ident;           /* as the real port prints it */

    /* ---- machine module ---- */
    uint32_t cpu_freq_hz;          /* machine.freq() at boot */
    unsigned unique_id_len;        /* machine.unique_id() bytes (ESP32 MAC 6, RP2040 flash id 8) */
    const vb_port_const *machine_consts;  /* {NULL, 0}-terminated; the ONE table */
    /* The constant machine.reset_cause() reports for each cause, by name in
     * machine_consts; NULL: none (SOFT: reset_cause() keeps reporting the
     * last hard reset's cause, as rp2 does). */
    const char *cause_const[VB_CAUSE_COUNT];
    const char *soft_reboot_line;  /* "MPY: soft reboot\r\n" or Pycom's "PYB: ..." */

    /* ---- pins ---- */
    const vb_pin_def *pins;        /* the board's pins, in pin-name order */
    unsigned n_pins;
    bool pins_by_number;           /* machine.Pin(n), "n" and "GPIOn" name GPIO n
                                      (esp32, rp2); Pycom takes names only */
    vb_pin_reset pin_reset;        /* every pin after a hard reset */
    bool pins_reinit_on_soft_reset;/* Pycom: back to the reset state at every
                                      soft reset; esp32/rp2 keep modes and levels */

    /* ---- LED ---- */
    vb_led_kind led_kind;
    unsigned n_leds;
    int led_gpio;                  /* VB_LED_GPIO: its pin, else -1 */
    uint32_t led_rgb;              /* VB_LED_GPIO: the colour it shows lit */

    /* ---- bootloader stage (boot.md §2, §5) ---- */
    const char *strap_pin;         /* held low by the host at reset: download
                                      mode (ESP32 GPIO0, rp2 BOOTSEL); NULL none */
    vb_download_kind download_kind;
    const char *download_text;     /* what entering download mode prints ("" nothing) */
    /* What the chip's ROM (and, for a brown-out, ESP-IDF's detector)
     * prints on the REPL's UART at a hard reset, by cause, before the
     * firmware's first byte (boot.md §1 "profile boot text"); NULL:
     * nothing (a USB-CDC board's port is not there yet; SOFT is never a
     * hard reset) */
    const char *rom_boot_text[VB_CAUSE_COUNT];
    const char *safe_boot_pin;     /* held high at reset: the safe-boot windows
                                      (Pycom P12; needs otadata); NULL none */

    /* ---- REPL link ---- */
    vb_link_kind repl_link;
    vb_wlan_api wlan_api;          /* its radio (the network module and its HAL), or none */
    vb_mp_api mp_api;
    vb_errno_numbers errnos;       /* the errno numbers its OSErrors and errno module carry */
    vb_float_impl float_impl;      /* how its floats are held and shown */

    /* ---- filesystem (flash.md §1) ---- */
    vb_fs_type fs_type;            /* what the port formats (and mounts, image/fsregion.h) */
    uint32_t lfs2_read_size;       /* LFS2 parameters of the port (extmod/vfs_lfsx.c, */
    uint32_t lfs2_prog_size;       /*   its _boot.py), 0 when fs_type is FAT */
    bool fs_autodetect;            /* _boot mounts whatever the region holds, by
                                      littlefs's magic, else FAT (esp32's
                                      vfs.mount of the block device); false:
                                      fs_type only (rp2's _boot.py opens
                                      VfsLfs2; Pycom FAT) */
    const char *mount_point;       /* "/" or "/flash" (also the cwd at boot) */
    vb_first_boot first_boot;
    const char *corrupt_notice;    /* FORMAT_IF_ERASED: printed every 3 s */
    const char *format_text;       /* printed before a first-boot format (esp32's
                                      "Performing initial setup"), or NULL */
    const vb_default_file *default_files;
    unsigned n_default_files;
    const char *const *default_dirs;
    unsigned n_default_dirs;
    bool defaults_every_boot;      /* recreate missing defaults at each boot (Pycom)
                                      rather than only after a format */
    bool fs_format_api;            /* os.fsformat / os.mkfs exist (Pycom) */

    /* ---- frozen modules and import path ---- */
    /* The sys.path entry where frozen modules are found: ".frozen" (after
     * '', MicroPython 1.24) or "" (first, at the '' entry, Pycom 1.20). */
    const char *frozen_entry;
    const char *const *sys_path;   /* at boot, NULL-terminated */

    /* ---- Timer, ADC, PWM (board/periph.h) ---- */
    const struct vb_port_periph *periph;
} vb_port;

extern const vb_port vb_port_esp32, vb_port_pycom, vb_port_rp2;

/* The table of a port id, or NULL. */
const vb_port *vb_port_get(vb_port_id id);
/* By name, or NULL. */
const vb_port *vb_port_find(const char *name);

/* The machine constant `name`: true with *value set, or false. */
bool vb_port_const_value(const vb_port *p, const char *name, long *value);
/* The value machine.reset_cause() reports for cause c, or -1 when the port
 * names none (vb_port.cause_const). */
int vb_port_cause(const vb_port *p, vb_cause c);

/* The pin called `name`: its name (not for CPU-only pins), its alias, or
 * on ports with pins_by_number the bare number "n" and the CPU name
 * "GPIOn"; NULL if none. Buttons are found by name like pins. */
const vb_pin_def *vb_port_pin(const vb_port *p, const char *name);
/* The pin whose register index is gpio, or NULL. */
const vb_pin_def *vb_port_pin_by_gpio(const vb_port *p, unsigned gpio);

/* Sanity check of one port's data, done once before use (and by the unit
 * tests over every port): names, the constants table and every cause
 * naming one of its constants, pins (unique names and registers, the LED
 * and the strap/safe-boot pins present), the filesystem fields. 0, or
 * -EINVAL with a sentence in err. */
int vb_port_validate(const vb_port *p, char *err, size_t errlen);

#endif
