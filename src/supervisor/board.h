/* The board supervisor: owns the hardware state (flash image, serial line,
 * shared registers) for the life of the board, and (re)starts the firmware
 * at every hard reset (architecture.md "The mapping").
 *
 *   supervisor ──fork──► zygote (CPython initialised once per hard boot)
 *                          └──fork──► VM (one per soft-reset cycle)
 *
 * A soft reset is the zygote forking the next VM; a hard reset is a new
 * zygote. Whatever a VM or zygote does — crash, hang on exit, exhaust
 * memory — the supervisor survives it and turns it into a reset. */
#ifndef VB_SUPERVISOR_BOARD_H
#define VB_SUPERVISOR_BOARD_H

#include <stdbool.h>
#include <stddef.h>

#include "flash/flash.h"
#include "board/profile.h"
#include "board/periph.h"
#include "net/netpolicy.h"
#include "util/boardclock.h"

/* Where the board's serial line goes. */
typedef enum vb_board_line {
    VB_LINE_TERMINAL,          /* this terminal */
    VB_LINE_PTY,               /* a pty, its path on the first line of stdout */
    VB_LINE_TCP,               /* raw TCP on 127.0.0.1:port, its URL on the first line */
    VB_LINE_RFC2217,           /* telnet + RFC 2217 on 127.0.0.1:port, likewise */
} vb_board_line;

/* What an ADC input reads at power-on (a parts file's adc part). */
typedef struct vb_adc_preset {
    unsigned gpio;             /* an ADC input of the board's port */
    uint32_t uv;
} vb_adc_preset;

/* An access point given on the command line (--wifi SSID[:KEY]). */
typedef struct vb_wifi_ap_cfg {
    const char *ssid, *key;    /* key "" = open */
} vb_wifi_ap_cfg;

typedef struct vb_board_cfg {
    const vb_profile *profile;
    const char *board_name;    /* the name it was chosen by (a profile name or an
                                  alias, status shows it); NULL = the profile's */
    const char *flash_path;    /* created (erased, partition table) if missing */
    vb_board_line line;
    const char *pty_link;      /* symlink kept pointing at the pty, or NULL */
    int port;                  /* TCP and RFC 2217; 0 picks a free one */
    const char *control_path;  /* control socket; NULL = a default, printed */
    bool rtc_host;             /* the RTC starts at host time at power-on */
    vb_clock_mode clock;       /* --clock real|fast (util/boardclock.h) */
    /* what happened, visible */
    const char *trace_path;    /* JSON-lines timeline, or NULL */
    const char *vcd_path;      /* pin levels as a Value Change Dump, or NULL */
    const char *serial_log_path; /* every byte the board sent, or NULL */
    /* CI mode: end the run when the serial output shows a text, or after
     * a time (exit statuses VB_EXIT_*) */
    const char *expect_text, *fail_text;
    long timeout_ms;           /* board time; <= 0: none */
    const char *send_text;     /* typed into the REPL once its prompt is up */
    size_t send_len;
    uint32_t baud;             /* pace the serial line at this rate (10 bits a byte); 0 = unpaced */
    bool allow_any_user;       /* TCP/RFC 2217: serve clients of any local uid, not only ours */
    /* The VM's audit hook stays unarmed (VBOARD_UNSAFE_NO_AUDIT_HOOK=1):
     * only for tests that show the kernel layers hold beneath it. */
    bool no_audit_hook;
    /* Append a line for each system call the VM's sandbox refuses to this
     * file (VBOARD_SANDBOX_AUDIT=FILE): lets a test suite gather every
     * denial of every board it ran. NULL = none. */
    const char *sandbox_audit_path;
    uint64_t log_max;          /* --serial-log, --trace, --vcd: bytes each at most; 0 = the default */
    /* cut power at the Nth flash operation of this run (0 = never) */
    uint64_t power_cut_at;
    vb_cut_mode power_cut_mode;
    uint32_t power_cut_seed;
    /* access points in range besides the default Wokwi-GUEST (net/wifi.h) */
    const vb_wifi_ap_cfg *wifi_aps;
    size_t n_wifi_aps;
    /* what the board's sockets may reach (--net, --host, --forward); NULL = the default */
    const vb_netpolicy *net;
    /* a package index directory the board's mip installs from (--mip-index), or NULL */
    const char *mip_index;
    /* UART id's host bridge, a pty with this symlink (--uart ID:LINK), or NULL */
    const char *uart_links[VB_UARTS_MAX];
    /* devices on the board's I2C buses (--i2c, bus/i2cbus.h) */
    const struct vb_i2c_attach *i2c_devs;
    unsigned n_i2c_devs;
    /* devices on the board's SPI buses (--spi, bus/spibus.h) */
    const struct vb_spi_attach *spi_devs;
    unsigned n_spi_devs;
    /* ADC inputs' readings at power-on (--parts), each checked against the port */
    const vb_adc_preset *adc_presets;
    unsigned n_adc_presets;
} vb_board_cfg;

/* vboard run's exit statuses. */
#define VB_EXIT_OK 0           /* told to quit, or the expected text appeared */
#define VB_EXIT_FAIL_TEXT 1    /* the fail text appeared */
#define VB_EXIT_SETUP 2        /* the board could not be set up */
#define VB_EXIT_TIMEOUT 42     /* --timeout ran out first */

/* Run the board until it is told to quit (terminal escape menu, control
 * `quit`, SIGTERM, SIGINT unless on the terminal, a CI condition). Returns
 * a VB_EXIT_* status; on a setup failure VB_EXIT_SETUP with a sentence in err. */
int vb_board_run(const vb_board_cfg *cfg, char *err, size_t errlen);

#endif
