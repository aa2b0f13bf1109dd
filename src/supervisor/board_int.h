/* The supervisor's state, shared by its files only:
 *   board.c      the loop, the firmware's life, power and reset lines
 *   board_ctl.c  control-socket commands (reset, power, pin, status, ...)
 *   board_link.c the serial link: TX queue, back-pressure, pacing, input
 *   board_log.c  what happened, visible: trace, VCD, serial log, CI mode
 *   board_wifi.c the radio;  board_net.c the sockets it carries */
#ifndef VB_SUPERVISOR_BOARD_INT_H
#define VB_SUPERVISOR_BOARD_INT_H

#include <poll.h>
#include <stdio.h>
#include <sys/types.h>

#include "contract/busmsg.h"
#include "contract/hw_types.h"
#include "contract/hwevent.h"
#include "contract/regs.h"
#include "link/pace.h"
#include "link/txqueue.h"
#include "net/netpolicy.h"
#include "net/wifi.h"
#include "board/periph.h"
#include "contract/busmsg.h"
#include "supervisor/board.h"
#include "trace/evcheck.h"
#include "trace/textwatch.h"
#include "trace/vcd.h"
#include "util/boardclock.h"
#include "util/json.h"
#include "supervisor/transport/control.h"
#include "supervisor/transport/serial.h"

/* The board's power state (the firmware runs only when ON). */
typedef enum board_power {
    BOARD_OFF,
    BOARD_ON,                  /* a zygote runs (or is about to) */
    BOARD_SLEEPING,            /* deep sleep: no firmware, a wake timer/pin */
    BOARD_DOWNLOAD,            /* bootloader (download) mode: no firmware */
} board_power;

/* A client of the board's package index (board_mip.c). */
#define MIP_CLIENTS 4
typedef struct mip_client {
    int fd;                    /* -1 = a free slot */
    char req[1024 + 1];        /* the request so far (REQ_MAX) */
    size_t req_len;
    char *out;                 /* the answer, once the request is whole */
    size_t out_len, out_sent;
    uint64_t since_us;         /* host µs it came */
} mip_client;

/* A UART's far end (board_uart.c): the line to the VM, the host bridge,
 * a buffer each way. */
typedef struct board_uart {
    int fd, vm_fd;             /* the line: our end, the VM's (kept, passed as copies); -1 = not opened */
    vb_serial host;            /* --uart ID:LINK (ops NULL: nothing on the pins) */
    uint8_t to_host[4096], to_vm[4096];
    size_t to_host_len, to_vm_len;
    uint64_t tx, rx, tx_void;  /* bytes to the host, from it, sent with no host */
} board_uart;

/* One socket the supervisor opened for the board (board_net.c). */
#define VB_NET_SOCKS_MAX 16        /* esp32: lwIP's socket count in MicroPython's build */
typedef struct board_sock {
    int fd;                    /* our copy, -1 = a free slot */
    int32_t id;                /* the VM's name for it */
    uint8_t type;              /* VB_NET_TCP / VB_NET_UDP */
    bool listening;            /* TCP listener, or UDP bound to a board port */
    uint16_t board_port, host_port;
} board_sock;

typedef struct board {
    const vb_board_cfg *cfg;
    vb_flash flash;
    vb_regs *regs;
    vb_serial serial;
    vb_control control;
    char control_path[108];
    int tx_pipe[2];            /* firmware serial output → supervisor */
    int ev_pipe[2];            /* firmware hardware events → supervisor */
    int rx_efd;                /* doorbell: new serial input, a signal sent, the clock moved */
    int idle_efd;              /* doorbell from the VM: it went idle (--clock fast) */
    int sig_fd;
    pid_t zygote;              /* the running firmware, 0 = none */
    /* The zygote's line (contract/firmware.h): it reports each VM's end
     * and waits for a command, so one zygote serves every hard boot while
     * its firmware image is unchanged. */
    int zyg_report;            /* its reports, read end (non-blocking), -1 = none */
    int zyg_cmd;               /* commands to it, write end */
    bool zygote_waiting;       /* it reported its VM's end: no VM runs, it waits */
    bool zygote_ahead;         /* the first boot's, started before it: waits for its first command */
    pid_t killed_vm;           /* a VM the supervisor killed: its end is no news */
    uint32_t zygote_slot;      /* the image slot it loaded (regs image_slot) */
    uint32_t zygote_app_writes;/* regs app_writes when it started */
    uint64_t zygote_starts, zygote_reuses;   /* hard boots: new zygotes, reused ones */
    /* Firmware killed but not yet gone: nothing may read the flash for a
     * boot until both have died (a killed process can still be writing
     * for a moment). The zygote is our child (SIGCHLD); the VM is watched
     * through a pidfd. */
    pid_t dying_zygote, dying_vm;
    int dying_vm_fd;
    board_power power;
    vb_cause last_cause;
    /* Time: every uint64_t *_us below is board time (board_now_us) unless
     * it says host; the board clock is owned here (util/boardclock.h). */
    vb_boardclock clock;
    /* The host's hold on the clock (`advance`): the board time it waits
     * for; once there, the clock stays at or below it on its own, until the
     * next advance (the host drives time from its first advance on, so a
     * pin it moves after a wait lands at the time it waited for). 0 = no
     * hold (`clock free`). */
    uint64_t host_until_us;
    uint64_t start_us;         /* board time when vboard started: trace time 0 */
    uint64_t sleep_until_us;   /* deep-sleep timer, 0 = none */
    uint64_t power_on_at_us;   /* a cut board powers on again then, 0 = no */
    uint64_t ci_deadline_us;   /* --timeout, 0 = none */
    /* work waiting for the old firmware to be gone (board_continue) */
    bool periph_reset_pending; /* peripherals back to their reset state */
    bool snapshot_pending;     /* every pin into the VCD (power-on) */
    bool boot_pending;         /* the bootloader stage of a hard boot */
    uint64_t lock_retry_at;    /* host µs: the image is held by a host tool: try again then */
    uint64_t image_check_at;   /* host µs: next look at the image file (image_intact), 0 = none */
    uint64_t lock_give_up_at;  /* host µs */
    int escape_menu;           /* terminal: Ctrl-] seen, the next key picks */
    int quit;                  /* 0 running, else the exit status + 1 */
    bool stopping;             /* quit: the firmware was asked to stop */
    uint64_t stop_deadline_us; /* host µs: then it is killed; later, the output is given up */
    bool stop_synced;          /* the VM closed its files and synced before it ended */
    bool stop_traced;
    bool sent;                 /* --send text typed already */
    bool flash_unlocked;       /* dark or in download mode: host tools may write */
    dev_t image_dev;           /* the image file the board opened: a file truncated */
    ino_t image_ino;           /* or put in its place under it stops the board */
    char fatal[256];           /* why the run ends with VB_EXIT_SETUP, "" = no */
    /* board_link.c */
    vb_txqueue txq;
    vb_pace tx_pace, rx_pace;
    bool link_attached;        /* the host state last reported */
    bool tx_host_full;         /* the host took less than offered: wait for POLLOUT */
    uint64_t tx_sent;          /* bytes a host took */
    uint64_t tx_discarded;     /* bytes sent with no host attached */
    uint64_t tx_overflow;      /* order-keeping bytes beyond the queue's hard limit */
    /* board_boot.c: the bootloader stage and the heartbeat */
    int boot_phase;            /* 0 none, 1-3 safe-boot window, BOOT_DEBOUNCE */
    uint64_t boot_phase_end, boot_toggle_at;
    uint64_t heartbeat_at;     /* next heartbeat LED change, 0 = not running */
    /* board_log.c */
    FILE *trace;
    vb_vcd *vcd;
    unsigned vcd_led;          /* the LED's VCD variable index */
    unsigned vcd_pwm[VB_PINS_MAX];   /* a GPIO's PWM frequency variable (duty: +1), 0 none */
    /* each GPIO's changes to low, high and floating (vb_pin_shown), the
     * `pin` reply's became_*: a host that waits for a level sees a pulse
     * that came and went between two of its looks */
    uint64_t pin_became[VB_PINS_MAX][3];
    FILE *serial_log;
    vb_textwatch expect, fail;
    /* caps: each file stops, after a note, at log_max bytes */
    uint64_t log_max;          /* cfg->log_max, or the default */
    uint64_t trace_bytes, serial_log_bytes;
    bool trace_full, serial_log_full;
    /* hardware event records: checked, clamped and rate-limited (evcheck.h) */
    vb_ev_gate ev_gate;
    uint64_t events_dropped;   /* refused by the gate, or torn */
    uint64_t sandbox_refusals; /* system calls the VM's allow-list refused */
    /* board_wifi.c: the radio; the last state traced; our publication count */
    vb_wifi wifi;
    int wifi_traced_status;
    bool wifi_traced_ap;
    uint32_t wifi_gen;
    /* board_net.c: the network line (contract/netmsg.h) and the sockets
     * opened for the board, each the supervisor's copy of what the VM holds */
    int net_line[2];           /* [0] ours (non-blocking), [1] the firmware's */
    vb_netpolicy net;
    board_sock socks[VB_NET_SOCKS_MAX];
    int32_t net_next_id;
    /* a lookup by the host's resolver (--net host), in a child process so
     * the loop never waits on DNS: its pipe (-1 = none) and the request */
    int dns_fd;
    uint32_t dns_seq;
    /* board_mip.c: the package index (--mip-index), its directory and server */
    int mip_dir, mip_listen;
    uint16_t mip_port;
    mip_client mip[MIP_CLIENTS];
    board_uart uart[VB_UARTS_MAX];
    bool uart_ready;           /* board_uart_init ran: the array holds descriptors or -1 */
    int ntp_fd;                /* the gateway's NTP service (net/ntp.h), on 127.0.0.1 */
    uint16_t ntp_port;
    uint64_t ntp_answers;
    uint64_t net_requests;
    uint64_t net_refused;      /* by the policy or the radio (connects, lookups) */
    uint64_t net_malformed;    /* requests that were not one */
    uint64_t net_opened;
    /* board_periph.c: the VM timer deadline already signalled */
    uint64_t vm_timer_signalled;
    /* board_i2c.c: the I2C line (contract/busmsg.h) and the devices on
     * the buses (malloc'd: the EEPROMs' arrays are large) */
    int i2c_line[2];           /* [0] ours (non-blocking), [1] the firmware's */
    struct vb_i2c_buses *i2c;
    unsigned i2c_traced;       /* transactions in the trace (capped: BOARD_I2C_TRACE_MAX) */
    /* board_spi.c: the devices on the SPI buses (same line, kind SPI) */
    struct vb_spi_buses *spi;
    unsigned spi_traced;       /* transfers in the trace (capped: BOARD_SPI_TRACE_MAX) */
    /* board_pixels.c: the strips on the pins, fed by machine.bitstream
     * over the same line (malloc'd: their bytes are large) */
    struct vb_pixels *pixels;
    unsigned pixels_traced;    /* latches in the trace (capped) */
    unsigned vcd_pixels;       /* the strips' first VCD variable, 0 none */
    /* board_devscript.c: the script devices' helper process, NULL = none */
    struct board_devscript *ds;
} board;

/* board.c: board time (util/boardclock.h), µs; host monotonic µs. */
uint64_t board_now_us(const board *b);
uint64_t board_wall_us(void);
/* board.c: a VM runs (a zygote that waits between hard boots runs none). */
bool board_firmware_runs(const board *b);
/* board.c: the transitions the control channel and the loop use. */
void board_reset(board *b, vb_cause cause);          /* hard reset, firmware killed at once */
void board_power_off(board *b);                      /* power cut: firmware killed at once */
void board_power_on(board *b);
void board_wake(board *b, vb_wake_reason why, uint64_t gpios);
/* End the run with this VB_EXIT_* status, once the firmware has stopped
 * cleanly (files closed, volume synced) and its output is out. The first
 * status asked for wins. */
void board_quit(board *b, int status);
/* Interrupt the running VM (Ctrl-C while code runs): drop its unread
 * input, then SIGINT. */
void board_interrupt_vm(board *b);
/* Ring the VM's doorbell after giving it something (input, a signal):
 * also counts the gift, so the clock waits until the VM has seen it. */
void board_ring_rx(board *b);
/* board.c: drive a pin from the host (VB_EXT_*): latches edges, interrupts
 * the VM for armed IRQs, wakes a sleeping board on its wake pins. */
void board_drive_pin(board *b, unsigned gpio, int ext);
/* The cause names of status and trace ("PWRON", "WDT", ...). */
const char *board_cause_name(vb_cause c);

/* board.c: start the firmware (a zygote) / enter download mode, after the
 * bootloader stage decided. */
void board_start_firmware(board *b);
void board_enter_download(board *b);

/* board_link.c: the serial link. */
void board_link_init(board *b, uint32_t baud);
void board_link_free(board *b);
/* pollfds: [0] the VM's output pipe, then the serial backend's; returns
 * the count (at most 1 + VB_SERIAL_POLLFDS). */
unsigned board_link_pollfds(board *b, struct pollfd *pf);
void board_link_service(board *b, const struct pollfd *pf, unsigned n);
uint64_t board_link_deadline(const board *b);  /* pacing and RX timers, 0 = none */
void board_link_tick(board *b);
/* Everything a stopped firmware left in its pipe into the queue. */
void board_link_drain_pipe(board *b);
/* No output waits for a host that could take it. */
bool board_link_idle(const board *b);
void board_say(board *b, const char *text);    /* supervisor text on the serial line, in order */

/* board_boot.c */
#define BOOT_DEBOUNCE 4
void board_bootloader_start(board *b);         /* at every hard boot */
uint64_t board_bootloader_deadline(const board *b);
void board_bootloader_tick(board *b);
void board_bootloader_pin(board *b, unsigned gpio);   /* the host moved a pin */
uint64_t board_heartbeat_deadline(const board *b);
void board_heartbeat_tick(board *b);

/* board_wifi.c: the radio (net/wifi.h) across the board's life. */
void board_wifi_init(board *b);
void board_wifi_publish(board *b);             /* into the register block (and the trace) */
void board_wifi_power_loss(board *b);          /* hard reset, deep sleep, power off */
uint64_t board_wifi_deadline(const board *b);  /* board µs, 0 = none */
void board_wifi_tick(board *b);
void board_wifi_event(board *b, const vb_hw_event *ev);   /* a VB_EV_WIFI record passed the gate */
void board_wifi_status(const board *b, vb_json_out *out);   /* status's summary */
/* The `wifi` control command (board_ctl.c's table). */
const char *board_wifi_ctl(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen);

/* board_net.c: the sockets the supervisor opens for the board
 * (contract/netmsg.h). The line's pollfd, and its service; at a soft
 * reset every socket of the VM that ended is closed as its stack would
 * (FIN); when the chip loses power, dropped (RST: the peer sees no FIN). */
int board_net_init(board *b, char *err, size_t errlen);
void board_net_free(board *b);
void board_net_service(board *b);
/* Its own descriptors for the loop's poll: a lookup's pipe, the NTP
 * service (each -1 when none); then their service. */
#define BOARD_NET_POLLFDS (2 + 1 + MIP_CLIENTS)
void board_net_pollfds(const board *b, struct pollfd pf[BOARD_NET_POLLFDS]);
void board_net_poll_service(board *b, const struct pollfd pf[BOARD_NET_POLLFDS]);
void board_net_soft_reset(board *b);
/* board_uart.c: the UARTs' far ends (--uart). */
#define BOARD_UART_POLLFDS_EACH (1 + VB_SERIAL_POLLFDS)
#define BOARD_UART_POLLFDS (VB_UARTS_MAX * BOARD_UART_POLLFDS_EACH)
int board_uart_init(board *b, char *err, size_t errlen);
void board_uart_free(board *b, bool in_child);
int board_uart_line(board *b, unsigned id);   /* a descriptor for the VM, or -errno */
void board_uart_power_loss(board *b);
void board_uart_pollfds(const board *b, struct pollfd pf[BOARD_UART_POLLFDS]);
void board_uart_service(board *b, const struct pollfd pf[BOARD_UART_POLLFDS]);
void board_uart_status(const board *b, vb_json_out *out);
/* board_mip.c: the package index the board reaches at its gateway's port 80. */
int board_mip_init(board *b, char *err, size_t errlen);
void board_mip_free(board *b);
void board_mip_pollfds(const board *b, struct pollfd pf[1 + MIP_CLIENTS]);
void board_mip_service(board *b, const struct pollfd pf[1 + MIP_CLIENTS]);
uint16_t board_mip_port(const board *b);      /* 0: no index */
void board_net_power_loss(board *b);
void board_net_status(const board *b, vb_json_out *out);   /* status's summary */
const char *board_net_ctl(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen);
/* board.c: interrupt the VM (SIGUSR1: its scheduled handlers run) and
 * ring its doorbell. */
void board_kick_vm(board *b);
/* board_periph.c: Timer, ADC, PWM (issue 16). The VM's timer deadline
 * (board µs, 0 = none) and its signal when due; the PWM outputs stopped
 * (hard reset, power off); a PWM record that passed the gate; the `adc`
 * and `pwm` control commands. */
uint64_t board_periph_deadline(const board *b);
void board_periph_tick(board *b);
void board_periph_reset(board *b);
void board_log_pwm(board *b, const vb_hw_event *ev);
const char *board_adc_ctl(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen);
const char *board_pwm_ctl(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen);

/* board_i2c.c: the I2C buses (issue 16). The line and its service (every
 * request checked: bus/i2cbus.h); the wires released when the VM ends
 * (its unanswered requests dropped; the devices keep their state: they
 * are chips on the board); the `i2c`, `sensor` and `screenshot` control
 * commands. */
int board_i2c_init(board *b, char *err, size_t errlen);
void board_i2c_free(board *b);
void board_i2c_service(board *b);
void board_i2c_release(board *b);
void board_i2c_power_loss(board *b);   /* the devices lose power too (bus/i2cbus.h) */
const char *board_i2c_ctl(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen);
const char *board_sensor_ctl(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen);
const char *board_screenshot_ctl(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen);

/* board_spi.c: the SPI buses (issue 16), served on the I2C line's socket
 * (requests of kind VB_BUS_KIND_SPI, checked by bus/spibus.h); released and
 * powered down with the I2C buses (board_i2c.c calls these); the `spi`
 * control command; the SPI display for `screenshot ... spi:BUS:CS`. */
int board_spi_init(board *b, char *err, size_t errlen);
void board_spi_free(board *b);
void board_spi_serve(board *b, const vb_bus_req *req, size_t n, vb_bus_rep *rep);
void board_spi_release(board *b);
void board_spi_power_loss(board *b);
const char *board_spi_ctl(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen);
/* The SSD1306 on SPI named "spi:BUS:CS" (or the only one, which NULL
 * names), NULL with err. */
const struct vb_ssd1306 *board_spi_oled(board *b, const char *which, unsigned *bus, unsigned *cs, char *err,
                                        size_t errlen);
/* board_pixels.c: the pixel strips (issue 16, bus/pixels.h). Set up,
 * freed, released with the VM (a frame cut short latches), dark at power
 * loss (all called from board_i2c.c, whose line carries them); one
 * bitstream request served (board_i2c_service dispatches by kind); the
 * strips' VCD variables appended at vars[n] (names: storage for them),
 * returning the new count; the `neopixel` control command. */
#define BOARD_PIXELS_VCD_VARS (4u * 11u)   /* VB_PIXEL_STRIPS slots of gpio, bytes, latches, 8 pixels */
int board_pixels_init(board *b, char *err, size_t errlen);
void board_pixels_free(board *b);
void board_pixels_release(board *b);
void board_pixels_power_loss(board *b);
void board_pixels_serve(board *b, const vb_bus_req *req, size_t n, vb_bus_rep *rep);
unsigned board_pixels_vcd_vars(board *b, vb_vcd_var *vars, char (*names)[24], unsigned n);
const char *board_neopixel_ctl(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen);
/* board_i2c.c: a request's answer to the VM (and the trace). */
void board_i2c_answer(board *b, const vb_bus_req *req, const vb_bus_rep *rep);

/* board_devscript.c: script-defined I2C devices (issue 16), served by a
 * helper process (the host's python3) the loop never waits on. Started
 * at set-up (a file that does not load fails the set-up); a request for a
 * script device is parked (the I2C line is not read meanwhile) until the
 * helper answers or its host deadline passes; the VM's end orphans it. */
typedef struct board_devscript board_devscript;
int board_devscript_init(board *b, char *err, size_t errlen);
void board_devscript_free(board *b);
void board_devscript_close_in_child(board *b);
void board_devscript_call(board *b, const vb_bus_req *req, unsigned dev, bool read);
bool board_devscript_parked(const board *b);
int board_devscript_fd(const board *b);              /* its replies, for poll; -1 none */
void board_devscript_service(board *b);
uint64_t board_devscript_deadline(const board *b);   /* host µs, 0 = none */
void board_devscript_tick(board *b);
void board_devscript_release(board *b);
/* ,"script":...,"state":"ok"|"failed"[,"why":...][,"last_error":...] for ctl i2c: the length */
size_t board_devscript_describe(const board *b, unsigned dev, char *out, size_t cap);

/* board_ctl.c: the control socket's line handler (vb_control_fn). */
size_t board_control_line(void *ctx, const char *line, size_t len, char *reply, size_t cap);

/* board_log.c */
int board_log_open(board *b, char *err, size_t errlen);
void board_log_close(board *b);
/* Board time since vboard started, µs: the trace's and the VCD's clock. */
uint64_t board_time(const board *b, uint64_t host_us);
/* One timeline event: `fields` is "" or more JSON members, each starting
 * with ',' (e.g. ",\"cause\":\"WDT\""). */
void board_trace(board *b, const char *event, const char *fields);
void board_trace_at(board *b, uint64_t host_us, const char *event, const char *fields);
/* A pin's level as the VCD and trace show it: 0, 1, or 2 = nobody drives it. */
void board_log_pin(board *b, uint64_t t_us, unsigned gpio, unsigned shown, const char *by);
void board_log_led(board *b, uint64_t t_us, uint32_t rgb);
/* Set the LED as the board itself does (bootloader, resets, sleep) and log
 * the change at the board time it was due. */
void board_set_led(board *b, uint64_t t_us, uint32_t rgb);
/* Every pin's and the LED's present value into the VCD (at power-on). */
void board_log_snapshot(board *b);
/* A hardware event record from the firmware. */
void board_log_event(board *b, const vb_hw_event *ev);
/* Serial output on its way to the host: serial log and CI text watches
 * (may set b->quit). */
void board_log_output(board *b, const void *buf, size_t n);

#endif
