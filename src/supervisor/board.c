/* The board supervisor (board.h, board_int.h): one poll() loop over the
 * serial line, the firmware's output and event pipes, the control socket,
 * a signalfd and a dying VM's pidfd; timers for the watchdog, deep sleep,
 * the bootloader stage, the link and CI mode. The loop never waits for
 * anything but poll(): a firmware being killed, a firmware asked to stop
 * and an image held by a host tool are states with timers. The zygote is
 * its only direct child; as a child subreaper it also reaps the VMs a
 * killed zygote leaves behind. */
#include "board_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "boot/fwimage.h"
#include "contract/hw_types.h"
#include "flash/parttable.h"
#include "contract/firmware.h"
#include "contract/pins.h"
#include "repl/repl.h"
#include "util/civil.h"
#include "util/clock.h"

#define CUT_POWER_OFF_US 50000u     /* a cut board is dark this long, then on */

/* Every pin a port table names has a register (board/port.h). */
static_assert(VB_PINS_MAX <= VB_REG_PINS, "a port's pin register is outside the block");

uint64_t board_now_us(const board *b)
{
    return (uint64_t)vb_boardclock_now(&b->clock, vb_clock_monotonic_us());
}

uint64_t board_wall_us(void) { return (uint64_t)vb_clock_monotonic_us(); }

const char *board_cause_name(vb_cause c)
{
    static const char *const names[VB_CAUSE_COUNT] = {"PWRON", "HARD", "WDT", "DEEPSLEEP",
                                                      "SOFT", "BROWNOUT"};
    return c < VB_CAUSE_COUNT ? names[c] : "?";
}

/* The image, created when missing: its content comes from write_new_flash. */
static int open_flash(board *b, bool *created, char *err, size_t errlen)
{
    const vb_profile *p = b->cfg->profile;
    int rc = vb_flash_open_file_deferred(&b->flash, b->cfg->flash_path, p->flash_size, created, err, errlen);
    if (rc == 0) b->flash.prog_page = p->prog_page;
    return rc;
}

/* A new image as esptool (or a UF2 copy) leaves it after flashing
 * firmware: erased, partition table written where the board has one,
 * filesystem region erased (the first boot formats it). */
static int write_new_flash(board *b, char *err, size_t errlen)
{
    const vb_profile *p = b->cfg->profile;
    int rc = vb_flash_erase_new(&b->flash, b->cfg->flash_path, err, errlen);
    if (rc < 0) return rc;
    if (p->n_parts && (rc = vb_parttable_write(&b->flash, p->parttable_offset, p->parts, p->n_parts)) < 0) {
        snprintf(err, errlen, "cannot write the partition table to %s", b->cfg->flash_path);
        return rc;
    }
    /* and the built-in firmware in the factory slot, as flashed */
    return vb_fw_write_factory(&b->flash, p, err, errlen);
}

void board_ring_rx(board *b)
{
    /* counted before the ring: a VM woken by it has the new count */
    atomic_fetch_add(&b->regs->host_events, 1);
    uint64_t one = 1;
    if (write(b->rx_efd, &one, sizeof one) < 0) { /* counter saturated: already rung */ }
}

/* --send: typed once, when the REPL first waits for input. */
static void maybe_send(board *b)
{
    if (b->sent || !b->cfg->send_text || b->regs->stage != VB_STAGE_REPL) return;
    b->sent = true;
    vb_rx_put(b->regs, (const uint8_t *)b->cfg->send_text, b->cfg->send_len);
    board_ring_rx(b);
}

/* Records taken per call: a VM flooding its event pipe cannot keep the
 * loop from its other fds; the rest waits for the next turn (the writer
 * never blocks: a full pipe drops its events). */
#define EVENTS_PER_TURN 1024u

/* The firmware's hardware event records, each through the gate
 * (trace/evcheck.h): device code can write any bytes to this pipe. A read
 * that ends inside a record drops the torn bytes (only a forged write
 * tears: real records are written whole, below PIPE_BUF), which also puts
 * the stream back on a record boundary once the pipe runs dry. */
static void drain_events(board *b)
{
    vb_hw_event ev[64];
    size_t taken = 0;
    ssize_t n;
    while (taken < EVENTS_PER_TURN && (n = read(b->ev_pipe[0], ev, sizeof ev)) > 0) {
        size_t k = (size_t)n / sizeof ev[0];
        if ((size_t)n % sizeof ev[0]) b->events_dropped++;
        uint64_t now = board_now_us(b);
        for (size_t i = 0; i < k; i++) {
            vb_hw_event ok;
            if (vb_ev_gate_admit(&b->ev_gate, &ev[i], now, &ok) == VB_EV_ACCEPT) board_log_event(b, &ok);
            else b->events_dropped++;
        }
        taken += k ? k : 1;
    }
    maybe_send(b);
}

/* The VM's pid as published in the shared registers, accepted only if it
 * really is a child of our zygote: the VM can write that memory, and the
 * supervisor must never signal a process of its choosing. 0 otherwise. */
static pid_t vm_pid_checked(const board *b)
{
    pid_t vm = atomic_load(&b->regs->vm_pid);
    if (vm <= 0 || b->zygote <= 0) return 0;
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)vm);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    /* "pid (comm) state ppid ...": comm may hold spaces, so parse after ')' */
    char *rp = strrchr(buf, ')');
    int ppid = 0;
    if (!rp || sscanf(rp + 1, " %*c %d", &ppid) != 1) return 0;
    return ppid == b->zygote ? vm : 0;
}

void board_kick_vm(board *b)
{
    pid_t vm = vm_pid_checked(b);
    if (vm > 0) kill(vm, SIGUSR1);
    board_ring_rx(b);
}

/* ---- pins ---------------------------------------------------------------- */

/* Does the level of the wake pins end a deep sleep? (Pycom
 * pin_sleep_wakeup: any high, or all low.) Returns the high pins' mask. */
static bool wake_pins_say_wake(const vb_regs *r, uint64_t *high)
{
    uint64_t mask = r->wake_pin_mask;
    *high = 0;
    if (!mask) return false;
    for (unsigned g = 0; g < VB_REG_PINS; g++)
        if ((mask >> g & 1) && vb_pin_level(&r->pins[g])) *high |= (uint64_t)1 << g;
    return r->wake_pin_level ? *high != 0 : *high == 0;
}

void board_drive_pin(board *b, unsigned gpio, int ext)
{
    if (gpio >= VB_REG_PINS) return;
    vb_pin_reg *p = &b->regs->pins[gpio];
    int before = vb_pin_level(p);
    unsigned shown = vb_pin_shown(p);
    p->ext = (uint8_t)ext;
    if (b->power == BOARD_ON && vb_pin_latch_edge(b->regs, gpio, before, vb_pin_level(p))) {
        pid_t vm = vm_pid_checked(b);
        if (vm > 0) kill(vm, SIGUSR1);   /* the engine runs the IRQ handlers */
        board_ring_rx(b);
    }
    if (vb_pin_shown(p) != shown) board_log_pin(b, board_now_us(b), gpio, vb_pin_shown(p), "host");
    if (b->power == BOARD_ON) board_bootloader_pin(b, gpio);
    uint64_t high;
    if (b->power == BOARD_SLEEPING && (b->regs->wake_pin_mask >> gpio & 1) &&
        wake_pins_say_wake(b->regs, &high))
        board_wake(b, VB_WAKE_PIN, b->regs->wake_pin_level ? high : b->regs->wake_pin_mask);
}

/* The reset state of one pin register as the port gives it (port.h
 * vb_pin_reset); buttons are inputs with pull-up whatever the port says. */
static void pin_reset_state(const vb_port *port, unsigned gpio, vb_pin_mode *mode, vb_pin_pull *pull)
{
    const vb_pin_def *d = vb_port_pin_by_gpio(port, gpio);
    if (d && (d->flags & VB_PIN_BUTTON)) {
        *mode = VB_PIN_MODE_IN;
        *pull = VB_PIN_PULL_UP;
        return;
    }
    switch (port->pin_reset) {
    case VB_PIN_RESET_PULL_DOWN: *mode = VB_PIN_MODE_UNSET, *pull = VB_PIN_PULL_DOWN; break;
    case VB_PIN_RESET_IN_PULL_DOWN: *mode = VB_PIN_MODE_IN, *pull = VB_PIN_PULL_DOWN; break;
    default: *mode = VB_PIN_MODE_UNSET, *pull = VB_PIN_PULL_NONE; break;
    }
}

/* Every peripheral back to its reset state (the host's drive of the pins
 * stays: the wires are still attached); the pins as the port's reset
 * leaves them. */
static void reset_peripherals(board *b)
{
    vb_regs *r = b->regs;
    const vb_port *port = b->cfg->profile->port;
    for (unsigned g = 0; g < VB_REG_PINS; g++) {
        vb_pin_reg *p = &r->pins[g];
        unsigned shown = vb_pin_shown(p);
        vb_pin_mode mode;
        vb_pin_pull pull;
        pin_reset_state(port, g, &mode, &pull);
        p->mode = mode;
        p->pull = pull;
        p->latch = 0;
        p->irq_arm = 0;
        if (vb_pin_shown(p) != shown && vb_port_pin_by_gpio(port, g))
            board_log_pin(b, board_now_us(b), g, vb_pin_shown(p), "reset");
    }
    atomic_store(&r->irq_pending[0], 0);
    atomic_store(&r->irq_pending[1], 0);
    atomic_store(&r->wdt_timeout_ms, 0);
    atomic_store(&r->wdt_deadline_us, 0);
    board_set_led(b, board_now_us(b), 0);
    board_periph_reset(b);
    board_i2c_release(b);
}

/* ---- the firmware's life --------------------------------------------------- */

bool board_firmware_runs(const board *b) { return b->zygote > 0 && !b->zygote_waiting; }

static void close_zygote_line(board *b)
{
    if (b->zyg_report >= 0) close(b->zyg_report);
    if (b->zyg_cmd >= 0) close(b->zyg_cmd);
    b->zyg_report = b->zyg_cmd = -1;
    b->zygote_waiting = false;
    b->zygote_ahead = false;
    b->killed_vm = 0;
}

/* Flash ops are numbered board-wide, so a power cut can be armed at the
 * Nth op of this run whichever VM makes it (a new image's first content
 * is not counted). */
static void arm_flash(board *b)
{
    b->flash.shared_ops = &b->regs->flash_ops;
    if (b->cfg->power_cut_at)
        vb_flash_set_cut(&b->flash, b->cfg->power_cut_at, b->cfg->power_cut_mode, b->cfg->power_cut_seed);
}

/* ahead: the first boot's zygote, started before its bootloader stage
 * (and before the supervisor armed its own flash view). */
static pid_t start_zygote(board *b, bool ahead)
{
    /* its line: reports up, commands down; a zygote without one ends
     * with its VM, as before */
    int rep[2] = {-1, -1}, cmd[2] = {-1, -1};
    if (pipe2(rep, O_CLOEXEC) < 0 || pipe2(cmd, O_CLOEXEC) < 0) {
        for (int i = 0; i < 2; i++) {
            if (rep[i] >= 0) close(rep[i]);
            if (cmd[i] >= 0) close(cmd[i]);
        }
        rep[0] = rep[1] = cmd[0] = cmd[1] = -1;
    }
    b->zygote_slot = b->regs->image_slot;
    b->zygote_app_writes = atomic_load(&b->regs->app_writes);
    pid_t pid = fork();
    if (pid != 0) {
        if (rep[1] >= 0) close(rep[1]);
        if (cmd[0] >= 0) close(cmd[0]);
        if (pid < 0) {
            if (rep[0] >= 0) close(rep[0]);
            if (cmd[1] >= 0) close(cmd[1]);
            return pid;
        }
        if (rep[0] >= 0) fcntl(rep[0], F_SETFL, fcntl(rep[0], F_GETFL) | O_NONBLOCK);
        b->zyg_report = rep[0];
        b->zyg_cmd = cmd[1];
        b->zygote_waiting = ahead;     /* until board_start_firmware's command */
        b->zygote_ahead = ahead;
        b->killed_vm = 0;
        b->zygote_starts++;
        return pid;
    }
    /* Zygote: dies with the supervisor; default signal handling; only the
     * fds the firmware needs. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGINT, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    close(b->sig_fd);
    close(b->tx_pipe[0]);
    close(b->ev_pipe[0]);
    close(b->net_line[0]);
    close(b->i2c_line[0]);
    board_devscript_close_in_child(b);
    if (b->ntp_fd >= 0) close(b->ntp_fd);
    if (b->dns_fd >= 0) close(b->dns_fd);
    board_mip_free(b);             /* the zygote's copies only */
    board_uart_free(b, true);
    for (unsigned i = 0; i < VB_NET_SOCKS_MAX; i++)
        if (b->socks[i].fd >= 0) close(b->socks[i].fd);
    if (rep[0] >= 0) close(rep[0]);
    if (cmd[1] >= 0) close(cmd[1]);
    if (b->zyg_report >= 0) close(b->zyg_report);
    if (b->zyg_cmd >= 0) close(b->zyg_cmd);
    if (b->dying_vm_fd >= 0) close(b->dying_vm_fd);
    vb_serial_close_fds_in_child(&b->serial);
    vb_control_close_fds_in_child(&b->control);
    if (b->trace) fclose(b->trace);
    if (b->serial_log) fclose(b->serial_log);
    if (ahead) arm_flash(b);
    vb_firmware_ctx fw = {b->cfg->profile, &b->flash, b->regs, b->tx_pipe[1], b->rx_efd, b->ev_pipe[1],
                          b->idle_efd, rep[1], cmd[0], -1, b->cfg->no_audit_hook, b->net_line[1], ahead,
                          b->i2c_line[1]};
    _exit(vb_zygote_main(&fw));
}

static bool firmware_gone(const board *b)
{
    return !board_firmware_runs(b) && b->dying_zygote <= 0 && b->dying_vm_fd < 0;
}

/* A process to wait for, by pidfd: -1 when the kernel has none to give
 * (it is gone already, or pidfds are missing; then it is not waited for). */
static int pidfd_of(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Stop the firmware at once, as a reset line or a power cut does: the VM
 * gets no chance to sync. Returns at once; board_continue() carries on
 * once both processes are gone, so nothing writes the flash any more. */
static void kill_firmware(board *b)
{
    if (b->zygote <= 0) return;
    pid_t vm = vm_pid_checked(b);
    if (vm > 0 && b->dying_vm_fd < 0) {
        int fd = pidfd_of(vm);
        /* the pid is the zygote's child still (checked again: the pidfd
         * must name that process, not a later one with its number) */
        if (fd >= 0 && vm_pid_checked(b) == vm) {
            b->dying_vm = vm;
            b->dying_vm_fd = fd;
            syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
        } else if (fd >= 0) {
            close(fd);
        }
    }
    kill(b->zygote, SIGKILL);
    b->dying_zygote = b->zygote;
    b->zygote = 0;
    close_zygote_line(b);
    atomic_store(&b->regs->vm_pid, 0);
    atomic_store(&b->regs->executing, 0);
}

/* A reset: the VM dies at once, as kill_firmware; the zygote stays for
 * the next hard boot (it holds no board state: each VM starts as a fresh
 * copy of it). When the VM cannot be named for certain (between two VMs
 * of a soft reset, say), the zygote goes too. A reset that comes while
 * the last one's VM is still being reported dead has no VM to kill: the
 * zygote stays, and the boot waits for that report as before. */
static void kill_vm_for_reset(board *b)
{
    if (b->zygote <= 0 || b->zygote_waiting || b->killed_vm) return;
    pid_t vm = vm_pid_checked(b);
    int fd = vm > 0 && b->dying_vm_fd < 0 && b->zyg_cmd >= 0 ? pidfd_of(vm) : -1;
    if (fd < 0 || vm_pid_checked(b) != vm) {
        if (fd >= 0) close(fd);
        kill_firmware(b);
        return;
    }
    b->dying_vm = vm;
    b->dying_vm_fd = fd;
    b->killed_vm = vm;
    syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
    atomic_store(&b->regs->vm_pid, 0);
    atomic_store(&b->regs->executing, 0);
}

/* The dying VM's pidfd is readable: it has died (reap it if it is ours). */
static void vm_died(board *b)
{
    waitpid(b->dying_vm, NULL, WNOHANG);
    close(b->dying_vm_fd);
    b->dying_vm_fd = -1;
    b->dying_vm = 0;
}

static void set_stage(board *b, vb_stage s)
{
    if (b->regs->stage == (uint32_t)s) return;
    b->regs->stage = s;
    char f[64];
    snprintf(f, sizeof f, ",\"stage\":\"%s\"", vb_stage_name(s));
    board_trace(b, "stage", f);
}

/* While the board is dark or in download mode its image is unlocked, so
 * host tools (vboard image flash / erase-fs) may write it, as esptool
 * writes a board held in its ROM bootloader. */
static void unlock_flash(board *b)
{
    if (!b->flash_unlocked && vb_flash_lock(&b->flash, false) == 0) b->flash_unlocked = true;
}

#define LOCK_RETRY_US 10000u
#define LOCK_GIVE_UP_US 10000000u   /* a host tool holding the image this long is ignored */

/* Take the image back before firmware runs. False while a host tool still
 * writes it (board_continue tries again, for a bounded time). */
static bool relock_flash(board *b)
{
    if (!b->flash_unlocked) return true;
    uint64_t now = board_wall_us();
    if (vb_flash_lock(&b->flash, true) == 0) {
        b->flash_unlocked = false;
        b->lock_give_up_at = 0;
        return true;
    }
    if (!b->lock_give_up_at) b->lock_give_up_at = now + LOCK_GIVE_UP_US;
    if (now >= b->lock_give_up_at) {
        board_trace(b, "flash_lock_busy", "");
        b->lock_give_up_at = 0;
        return true;
    }
    b->lock_retry_at = now + LOCK_RETRY_US;
    return false;
}

/* Every peripheral back to its reset state (the host's drive of the pins
 * stays: the wires are still attached). Deferred until the old firmware
 * is gone, so it cannot write the registers after us. */
static void reset_peripherals_later(board *b) { b->periph_reset_pending = true; }

/* The image is still the file the board opened, whole. Another process
 * truncating it would make every access to the mapping a SIGBUS (the
 * firmware's panic, then the supervisor's), and one put in its place is
 * not what the board writes: either stops the board with a sentence.
 * Checked before each boot and, so an idle board notices too, every
 * IMAGE_CHECK_US (an fstat and a stat). */
#define IMAGE_CHECK_US 500000u
static bool image_intact(board *b)
{
    struct stat fst, pst;
    const char *why = NULL;
    if (fstat(b->flash.fd, &fst) < 0 || (uint64_t)fst.st_size < b->cfg->profile->flash_size)
        why = "was truncated";
    else if (stat(b->cfg->flash_path, &pst) < 0 || pst.st_dev != b->image_dev || pst.st_ino != b->image_ino)
        why = "was removed or replaced";
    if (!why) return true;
    snprintf(b->fatal, sizeof b->fatal, "the flash image %s %s while the board ran; board stopped",
             b->cfg->flash_path, why);
    board_trace(b, "image_lost", "");
    board_quit(b, VB_EXIT_SETUP);
    return false;
}

/* Carry on with what waited for the old firmware to be gone: reset the
 * peripherals, then run the bootloader stage of a pending hard boot. */
static void board_continue(board *b)
{
    if (!firmware_gone(b)) return;
    if (b->periph_reset_pending) {
        b->periph_reset_pending = false;
        reset_peripherals(b);
    }
    if (b->snapshot_pending) {
        b->snapshot_pending = false;
        board_log_snapshot(b);
    }
    if (!b->boot_pending || b->stopping) return;
    if (!image_intact(b)) return;
    b->lock_retry_at = 0;
    if (!relock_flash(b)) return;
    b->boot_pending = false;
    /* again now that no killed VM can still be writing the block */
    vb_regs_reinit_hard_reset(b->regs);
    board_wifi_publish(b);         /* the reinit cleared the Wi-Fi registers */
    board_bootloader_start(b);
}

/* Start a hard boot with this cause (the firmware is not running; it may
 * still be dying). */
static void boot(board *b, vb_cause cause)
{
    vb_regs *r = b->regs;
    /* whatever the last firmware wrote to the block, this boot starts from
     * the reset state of what does not survive (contract/regs.h) */
    vb_regs_reinit_hard_reset(r);
    board_wifi_power_loss(b);      /* the radio restarts with the chip */
    board_uart_power_loss(b);
    b->power = BOARD_ON;
    b->last_cause = cause;
    r->boot_count++;
    r->reset_cause = vb_port_cause(b->cfg->profile->port, cause);
    r->soft_resets = 0;
    r->repl_mode = VB_REPL_MODE_FRIENDLY;
    /* the VM may have written the clock's fields: ours are the truth */
    atomic_store(&r->clock_offset_us, b->clock.offset_us);
    atomic_store(&r->clock_fast, b->clock.mode == VB_CLOCK_FAST);
    r->boot_time_ns = board_now_us(b) * 1000u;
    atomic_store(&r->executing, 0);
    atomic_store(&r->intr_char, (int32_t)VB_CTRL_C);
    atomic_store(&r->power_off, 0);
    if (cause != VB_CAUSE_DEEPSLEEP) {
        r->wake_reason = VB_WAKE_PWRON;
        r->wake_gpios = 0;
        r->remaining_sleep_ms = 0;
    }
    char f[96];
    snprintf(f, sizeof f, ",\"cause\":\"%s\",\"boot\":%u,\"flash_ops\":%llu", board_cause_name(cause),
             r->boot_count, (unsigned long long)r->flash_ops);
    board_trace(b, "reset", f);
    set_stage(b, VB_STAGE_BOOTLOADER);
    b->boot_phase = 0;
    b->heartbeat_at = 0;
    b->boot_pending = true;
    board_continue(b);
}

/* The zygote waiting between hard boots may run this one: it loaded the
 * image the bootloader chose, and nothing has written outside the
 * filesystem since (regs.h app_writes). */
static bool zygote_reusable(const board *b)
{
    return b->zygote > 0 && b->zygote_waiting && b->zyg_cmd >= 0 &&
           (b->zygote_ahead || (b->zygote_slot == b->regs->image_slot &&
                                b->zygote_app_writes == atomic_load(&b->regs->app_writes)));
}

static bool zygote_command(board *b, char c)
{
    ssize_t w;
    while ((w = write(b->zyg_cmd, &c, 1)) < 0 && errno == EINTR) {
    }
    return w == 1;
}

void board_start_firmware(board *b)
{
    if (zygote_reusable(b) && zygote_command(b, VB_ZYGOTE_FORK)) {
        b->zygote_waiting = false;
        if (b->zygote_ahead) {             /* its first boot: it loads this one's image now */
            b->zygote_ahead = false;
            b->zygote_slot = b->regs->image_slot;
            b->zygote_app_writes = atomic_load(&b->regs->app_writes);
        } else {
            b->zygote_reuses++;
        }
        return;
    }
    if (b->zygote > 0) kill_firmware(b);   /* its image is not this boot's */
    b->zygote = start_zygote(b, false);
    if (b->zygote < 0) {
        b->zygote = 0;
        board_say(b, "\r\nvboard: cannot start the firmware, board halted\r\n");
        b->power = BOARD_DOWNLOAD;   /* nothing runs until a reset */
    }
}

void board_reset(board *b, vb_cause cause)
{
    if (b->power == BOARD_OFF || b->stopping) return;      /* no power, no reset */
    kill_vm_for_reset(b);
    b->boot_phase = 0;
    b->sleep_until_us = 0;
    reset_peripherals_later(b);
    boot(b, cause);
}

void board_power_off(board *b)
{
    if (b->power == BOARD_OFF) return;
    kill_firmware(b);
    reset_peripherals_later(b);
    b->power = BOARD_OFF;
    b->boot_phase = 0;
    b->boot_pending = false;
    unlock_flash(b);
    b->sleep_until_us = 0;
    b->regs->rtc_mem_len = 0;
    b->regs->wake_pin_mask = 0;
    board_wifi_power_loss(b);
    board_uart_power_loss(b);
    board_i2c_power_loss(b);
    char f[64];
    snprintf(f, sizeof f, ",\"state\":\"off\",\"flash_ops\":%llu", (unsigned long long)b->regs->flash_ops);
    board_trace(b, "power", f);
    set_stage(b, VB_STAGE_OFF);
    board_continue(b);
}

void board_power_on(board *b)
{
    if (b->power != BOARD_OFF || b->stopping) return;
    b->power_on_at_us = 0;
    vb_regs *r = b->regs;
    uint64_t now = board_now_us(b);
    /* power loss: RTC memory and the wake configuration are gone (also
     * for a board that was never off, whatever the VM left there) */
    r->rtc_mem_len = 0;
    r->wake_pin_mask = 0;
    r->power_on_us = now;
    /* The RTC lost power: it starts at its epoch, or at host time. */
    int64_t rtc_us = 0;
    if (b->cfg->rtc_host) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        rtc_us = ((int64_t)ts.tv_sec - VB_CIVIL_EPOCH_UNIX_SECS) * 1000000 + ts.tv_nsec / 1000;
    }
    r->rtc_offset_us = rtc_us - (int64_t)now;
    board_trace(b, "power", ",\"state\":\"on\"");
    reset_peripherals_later(b);
    b->snapshot_pending = true;
    boot(b, VB_CAUSE_PWRON);
}

static void enter_sleep(board *b, uint32_t ms)
{
    uint64_t now = board_now_us(b);
    b->power = BOARD_SLEEPING;
    b->sleep_until_us = ms ? now + (uint64_t)ms * 1000u : 0;
    board_wifi_power_loss(b);      /* the radio sleeps with the chip */
    char f[48];
    snprintf(f, sizeof f, ",\"ms\":%u", ms);
    board_trace_at(b, now, "deepsleep", f);       /* the timer counts from this time */
    set_stage(b, VB_STAGE_SLEEP);
    board_set_led(b, now, 0);
}

void board_wake(board *b, vb_wake_reason why, uint64_t gpios)
{
    if (b->power != BOARD_SLEEPING) return;
    vb_regs *r = b->regs;
    uint64_t now = board_now_us(b);
    r->remaining_sleep_ms = why == VB_WAKE_PIN && b->sleep_until_us > now
                          ? (uint32_t)((b->sleep_until_us - now) / 1000u) : 0;
    r->wake_reason = why;
    r->wake_gpios = gpios;
    board_trace(b, "wake", why == VB_WAKE_PIN ? ",\"reason\":\"pin\"" : ",\"reason\":\"timer\"");
    board_reset(b, VB_CAUSE_DEEPSLEEP);
}

/* Download mode (machine.bootloader(), the strap held at reset): the ROM
 * waits for a flasher (ESP32: on the UART; RP2040: as a USB drive, the
 * CDC port gone); only a reset or a power cycle leaves it. */
void board_enter_download(board *b)
{
    const vb_port *port = b->cfg->profile->port;
    b->power = BOARD_DOWNLOAD;
    kill_firmware(b);              /* a flasher may write a new image */
    board_wifi_power_loss(b);
    unlock_flash(b);
    set_stage(b, VB_STAGE_DOWNLOAD);
    board_trace(b, "download", port->download_kind == VB_DOWNLOAD_USB_MSC ? ",\"kind\":\"usb-msc\""
                                                                          : ",\"kind\":\"uart\"");
    if (*port->download_text) board_say(b, port->download_text);
}

/* The firmware ended a hard boot: the VM's exit status `code` (a zygote's
 * report, or its own exit status), or -1 with `sig` when the zygote itself
 * was killed. Decide the next stage from why. */
static void firmware_ended(board *b, int code, int sig)
{
    atomic_store(&b->regs->vm_pid, 0);
    atomic_store(&b->regs->executing, 0);
    board_link_drain_pipe(b);
    drain_events(b);
    if (b->stopping) {                 /* asked to stop: whatever it says, that is all */
        b->stop_synced = code == VB_VM_EXIT_POWER_OFF;
        kill_firmware(b);              /* a waiting zygote has nothing to keep */
        return;
    }
    switch (code) {
    case VB_VM_EXIT_HARD_RESET:
        reset_peripherals_later(b);
        boot(b, VB_CAUSE_HARD);
        return;
    case VB_VM_EXIT_DEEPSLEEP:
        enter_sleep(b, b->regs->sleep_ms);
        return;
    case VB_VM_EXIT_BOOTLOADER:
        board_enter_download(b);
        return;
    case VB_VM_EXIT_POWER_CUT:
        /* the armed flash op lost power: dark for a moment, then on */
        board_trace(b, "power_cut", "");
        vb_flash_set_cut(&b->flash, 0, VB_CUT_SKIP, 0);
        board_power_off(b);
        b->power_on_at_us = board_now_us(b) + CUT_POWER_OFF_US;
        return;
    default: {
        /* A crash of the firmware: a panic report as the ESP32's, then a
         * reset. */
        char msg[200];
        if (!sig && code > 128) sig = code - 128;
        if (sig)
            snprintf(msg, sizeof msg, "\r\nGuru Meditation Error: the firmware panicked (%s). "
                     "Exception was unhandled.\r\nRebooting...\r\n", strsignal(sig));
        else
            snprintf(msg, sizeof msg, "\r\nvboard: firmware panic (exit status %d), rebooting...\r\n", code);
        board_say(b, msg);
        snprintf(msg, sizeof msg, ",\"signal\":%d,\"status\":%d", sig, code);
        board_trace(b, "panic", msg);
        reset_peripherals_later(b);
        boot(b, VB_CAUSE_HARD);
        return;
    }
    }
}

static void reap_children(board *b)
{
    int ws;
    pid_t pid;
    while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
        if (pid == b->zygote) {
            /* a zygote that reported its VM's end has said it all */
            bool said = b->zygote_waiting;
            b->zygote = 0;
            close_zygote_line(b);
            if (!said)
                firmware_ended(b, WIFEXITED(ws) ? WEXITSTATUS(ws) : -1, WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
        } else if (pid == b->dying_zygote) {
            b->dying_zygote = 0;
        }
        /* else: an orphaned VM of a killed zygote, reaped */
    }
    board_continue(b);
}

/* The zygote's reports (contract/firmware.h): a VM ended. After a soft
 * reset the cycle goes on; a VM the supervisor killed for a reset is no
 * news (the reset is under way); any other end is the firmware's. The
 * zygote is ours and trusted, but its records are checked all the same. */
static void take_zygote_reports(board *b)
{
    vb_zygote_report rep;
    while (b->zyg_report >= 0 && read(b->zyg_report, &rep, sizeof rep) == (ssize_t)sizeof rep) {
        if (rep.magic != VB_ZYGOTE_REPORT_MAGIC || rep.zygote != b->zygote || b->zygote_waiting) continue;
        if (rep.vm == b->killed_vm) {
            b->killed_vm = 0;
            b->zygote_waiting = true;
        } else if (rep.status == VB_VM_EXIT_SOFT_RESET && !b->stopping) {
            board_wifi_publish(b);     /* kept, and shown afresh to the next VM */
            board_net_soft_reset(b);   /* its sockets closed as its stack would */
            board_i2c_release(b);
            if (!zygote_command(b, VB_ZYGOTE_SOFT)) kill_firmware(b);
        } else {
            b->zygote_waiting = true;
            firmware_ended(b, rep.status, 0);
        }
    }
    board_continue(b);
}

void board_interrupt_vm(board *b)
{
    pid_t vm = vm_pid_checked(b);
    if (vm <= 0) return;
    vb_rx_discard(b->regs);
    kill(vm, SIGINT);
    board_ring_rx(b);
}

/* ---- stopping ------------------------------------------------------------------ */

#define STOP_GRACE_US 2000000u      /* to close files and sync, then it is killed */
#define STOP_FLUSH_US 2000000u      /* then output a host does not take is given up */

void board_quit(board *b, int status)
{
    if (!b->quit) b->quit = status + 1;
}

/* The first step of a quit: the VM is told (power_off + an interrupt) so
 * it closes its files and syncs the volume; one that does not stop within
 * the grace time is killed, which leaves the image as a power cut would. */
static void begin_stop(board *b)
{
    b->stopping = true;
    b->boot_pending = false;
    b->boot_phase = 0;
    b->stop_deadline_us = board_wall_us() + STOP_GRACE_US;
    if (b->zygote > 0 && b->zygote_waiting) kill_firmware(b);   /* no VM to sync */
    if (b->zygote <= 0) return;
    atomic_store(&b->regs->power_off, 1);
    pid_t vm = vm_pid_checked(b);
    if (vm > 0) kill(vm, SIGINT);
    board_ring_rx(b);              /* wakes an input wait that missed the signal */
}

/* The stop is complete: firmware gone, its output out (or given up). */
static bool stop_done(board *b)
{
    if (!b->stopping) return false;
    uint64_t now = board_wall_us();
    if (b->zygote > 0 && now >= b->stop_deadline_us) {
        kill_firmware(b);
        board_trace(b, "stop", ",\"synced\":false");
        b->stop_traced = true;
        b->stop_deadline_us = now + STOP_FLUSH_US;
    } else if (b->zygote <= 0 && !b->stop_traced) {
        b->stop_traced = true;
        board_trace(b, "stop", b->stop_synced ? ",\"synced\":true" : ",\"synced\":false");
        b->stop_deadline_us = now + STOP_FLUSH_US;
    }
    if (!firmware_gone(b)) return false;
    b->stop_traced = true;
    return board_link_idle(b) || now >= b->stop_deadline_us;
}

/* ---- the loop ------------------------------------------------------------------ */

static uint64_t earliest(uint64_t a, uint64_t b) { return !a ? b : !b ? a : a < b ? a : b; }

/* The next board timer (board µs), 0 = none. */
static uint64_t next_board_timer(const board *b)
{
    uint64_t d = b->ci_deadline_us;
    if (b->power == BOARD_ON && atomic_load(&b->regs->wdt_timeout_ms))
        d = earliest(d, atomic_load(&b->regs->wdt_deadline_us));
    if (b->power == BOARD_SLEEPING) d = earliest(d, b->sleep_until_us);
    d = earliest(d, board_bootloader_deadline(b));
    d = earliest(d, board_heartbeat_deadline(b));
    d = earliest(d, board_wifi_deadline(b));
    d = earliest(d, board_periph_deadline(b));
    return earliest(d, b->power_on_at_us);
}

/* The next timer of the supervisor's own work (host µs), 0 = none. */
static uint64_t next_host_timer(const board *b)
{
    uint64_t d = board_link_deadline(b);
    d = earliest(d, b->lock_retry_at);
    if (!b->stopping) d = earliest(d, b->image_check_at);
    if (b->stopping) d = earliest(d, b->stop_deadline_us);
    d = earliest(d, board_devscript_deadline(b));
    return d;
}

static int64_t as_deadline(uint64_t us)
{
    return us == 0 || us >= (uint64_t)VB_CLOCK_MAX_US ? (us ? VB_CLOCK_MAX_US : VB_CLOCK_NEVER) : (int64_t)us;
}

/* Is the board idle, and until when does it wait? The firmware's own word
 * (its idle wait) counts only while it has seen everything it was given. */
static bool board_idle(const board *b, int64_t *wait)
{
    *wait = VB_CLOCK_NEVER;
    switch (b->power) {
    case BOARD_OFF: *wait = as_deadline(b->power_on_at_us); return true;
    case BOARD_SLEEPING: *wait = as_deadline(b->sleep_until_us); return true;
    case BOARD_DOWNLOAD: return true;
    case BOARD_ON: break;
    }
    if (b->boot_phase) {                       /* a bootloader window */
        *wait = as_deadline(board_bootloader_deadline(b));
        return true;
    }
    if (!board_firmware_runs(b) || b->boot_pending) return false;
    const vb_regs *r = b->regs;
    uint64_t until = atomic_load(&r->idle_until_us);
    if (until == 0 || atomic_load(&r->idle_events) != atomic_load(&r->host_events)) return false;
    if (until != VB_IDLE_NO_DEADLINE) *wait = as_deadline(until);
    return true;
}

/* --clock fast: move the clock to the next thing due while nothing runs
 * (util/boardclock.h); the VM's doorbell rings once its own wait is over. */
static void clock_step(board *b)
{
    if (b->clock.mode != VB_CLOCK_FAST || b->stopping) return;
    int64_t host = vb_clock_monotonic_us();
    vb_clock_view v = {.host_until = as_deadline(b->host_until_us),
                       .next_timer = as_deadline(next_board_timer(b))};
    v.idle = board_idle(b, &v.wait_until);
    int64_t target = vb_boardclock_target(&b->clock, vb_boardclock_now(&b->clock, host), &v);
    if (target == VB_CLOCK_NEVER || !vb_boardclock_jump(&b->clock, host, target)) return;
    atomic_store(&b->regs->clock_offset_us, b->clock.offset_us);
    if (b->power == BOARD_ON && board_firmware_runs(b) && target >= v.wait_until) board_ring_rx(b);
}

static void run_timers(board *b)
{
    uint64_t now = board_now_us(b), host = board_wall_us();
    if (b->ci_deadline_us && now >= b->ci_deadline_us) {
        board_trace(b, "timeout", "");
        board_quit(b, VB_EXIT_TIMEOUT);
        b->ci_deadline_us = 0;
    }
    board_link_tick(b);
    board_devscript_tick(b);
    if (b->lock_retry_at && host >= b->lock_retry_at) board_continue(b);
    if (b->stopping) return;
    if (b->image_check_at && host >= b->image_check_at) {
        b->image_check_at = host + IMAGE_CHECK_US;
        if (!image_intact(b)) return;
    }
    if (b->power == BOARD_ON && board_firmware_runs(b) && atomic_load(&b->regs->wdt_timeout_ms) &&
        now >= atomic_load(&b->regs->wdt_deadline_us)) {
        board_trace(b, "watchdog", ",\"expired\":true");
        board_reset(b, VB_CAUSE_WDT);
    }
    if (b->power == BOARD_SLEEPING && b->sleep_until_us && now >= b->sleep_until_us)
        board_wake(b, VB_WAKE_RTC, 0);
    if (b->power == BOARD_OFF && b->power_on_at_us && now >= b->power_on_at_us) board_power_on(b);
    if (b->power == BOARD_ON) {
        board_bootloader_tick(b);
        board_heartbeat_tick(b);
        board_wifi_tick(b);
        board_periph_tick(b);
    }
}

static void take_signals(board *b)
{
    struct signalfd_siginfo si;
    while (read(b->sig_fd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGCHLD) continue;
        /* a second request while stopping: do not wait for the grace time */
        if (b->stopping) b->stop_deadline_us = board_wall_us();
        board_quit(b, VB_EXIT_OK);
    }
    reap_children(b);
}

/* The poll timeout until the earlier of a board and a host deadline
 * (0 = none), ms, -1 = none; at most a minute. */
static int poll_timeout(const board *b, uint64_t board_d, uint64_t host_d)
{
    uint64_t ms = UINT64_MAX;
    if (board_d) {
        uint64_t now = board_now_us(b);
        ms = board_d <= now ? 0 : (board_d - now) / 1000 + 1;   /* a VM-set deadline cannot wrap */
    }
    if (host_d) {
        uint64_t now = board_wall_us(), h = host_d <= now ? 0 : (host_d - now) / 1000 + 1;
        if (h < ms) ms = h;
    }
    return ms == UINT64_MAX ? -1 : ms > 60000 ? 60000 : (int)ms;
}

static void drain_doorbell(int fd)
{
    uint64_t v;
    if (read(fd, &v, sizeof v) < 0) { /* not rung: nothing to take */ }
}

/* Returns 0, or -errno when poll() itself failed. */
static int board_loop(board *b)
{
    enum { SIG, EV, VMFD, IDLE, ZYG, NET, I2C, DS, NETX, UART = NETX + BOARD_NET_POLLFDS, FIXED = UART + BOARD_UART_POLLFDS };
    struct pollfd pf[FIXED + 1 + VB_SERIAL_POLLFDS + 1 + VB_CONTROL_CLIENTS];
    for (;;) {
        if (b->quit && !b->stopping) begin_stop(b);
        if (stop_done(b)) return 0;
        clock_step(b);
        pf[SIG] = (struct pollfd){b->sig_fd, POLLIN, 0};
        pf[EV] = (struct pollfd){b->ev_pipe[0], POLLIN, 0};
        pf[VMFD] = (struct pollfd){b->dying_vm_fd, POLLIN, 0};
        pf[IDLE] = (struct pollfd){b->idle_efd, POLLIN, 0};
        pf[ZYG] = (struct pollfd){b->zyg_report, POLLIN, 0};
        pf[NET] = (struct pollfd){b->net_line[0], POLLIN, 0};
        pf[I2C] = (struct pollfd){board_devscript_parked(b) ? -1 : b->i2c_line[0], POLLIN, 0};
        pf[DS] = (struct pollfd){board_devscript_fd(b), POLLIN, 0};
        board_net_pollfds(b, pf + NETX);
        board_uart_pollfds(b, pf + UART);
        unsigned nlink = board_link_pollfds(b, pf + FIXED);
        unsigned nctl = vb_control_pollfds(&b->control, pf + FIXED + nlink, 1 + VB_CONTROL_CLIENTS);
        int timeout = poll_timeout(b, next_board_timer(b), next_host_timer(b));
        if (poll(pf, FIXED + nlink + nctl, timeout) < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        if (pf[IDLE].revents & POLLIN) drain_doorbell(b->idle_efd);
        if (pf[EV].revents & POLLIN) drain_events(b);
        board_link_service(b, pf + FIXED, nlink);
        vb_control_service(&b->control, pf + FIXED + nlink, nctl);
        if (pf[VMFD].revents & (POLLIN | POLLHUP | POLLERR)) {
            vm_died(b);
            board_continue(b);
        }
        if (pf[ZYG].revents & (POLLIN | POLLHUP)) take_zygote_reports(b);
        if (pf[NET].revents & POLLIN) board_net_service(b);
        if (pf[DS].revents & (POLLIN | POLLHUP)) board_devscript_service(b);
        if (pf[I2C].revents & POLLIN) board_i2c_service(b);
        board_net_poll_service(b, pf + NETX);
        board_uart_service(b, pf + UART);
        if (pf[SIG].revents & POLLIN) take_signals(b);
        run_timers(b);
    }
}

static int open_line(board *b, char *err, size_t errlen)
{
    const vb_board_cfg *cfg = b->cfg;
    switch (cfg->line) {
    case VB_LINE_PTY: return vb_serial_open_pty(&b->serial, cfg->pty_link, err, errlen);
    case VB_LINE_TCP: return vb_serial_open_tcp(&b->serial, cfg->port, false, cfg->allow_any_user, err, errlen);
    case VB_LINE_RFC2217: return vb_serial_open_tcp(&b->serial, cfg->port, true, cfg->allow_any_user, err, errlen);
    default: return vb_serial_open_stdio(&b->serial, err, errlen);
    }
}

/* The control socket: the given path, or one per board process. */
static int open_control(board *b, char *err, size_t errlen)
{
    if (b->cfg->control_path) {
        snprintf(b->control_path, sizeof b->control_path, "%s", b->cfg->control_path);
    } else {
        const char *dir = getenv("XDG_RUNTIME_DIR");
        snprintf(b->control_path, sizeof b->control_path, "%s/vboard-%d.sock",
                 dir && *dir ? dir : "/tmp", (int)getpid());
    }
    return vb_control_open(&b->control, b->control_path, board_control_line, b, err, errlen);
}

/* A board whose run ends at a set-up error: nothing was started yet, or
 * whatever was is stopped at once. */
static void abandon(board *b)
{
    if (b->zygote > 0) kill_firmware(b);
    if (b->dying_zygote > 0) waitpid(b->dying_zygote, NULL, 0);
    if (b->dying_vm_fd >= 0) {
        struct pollfd pf = {b->dying_vm_fd, POLLIN, 0};
        poll(&pf, 1, 1000);
        vm_died(b);
    }
}

int vb_board_run(const vb_board_cfg *cfg, char *err, size_t errlen)
{
    board b = {.cfg = cfg, .tx_pipe = {-1, -1}, .ev_pipe = {-1, -1}, .rx_efd = -1, .sig_fd = -1,
               .dying_vm_fd = -1, .control = {.listen_fd = -1}, .idle_efd = -1, .zyg_report = -1, .zyg_cmd = -1,
               .net_line = {-1, -1}, .i2c_line = {-1, -1}, .dns_fd = -1, .ntp_fd = -1, .mip_dir = -1,
               .mip_listen = -1,
               .start_us = board_wall_us()};
    int status = VB_EXIT_SETUP;
    vb_txq_init(&b.txq, 1, 1);
    bool new_flash = false;     /* created here, its content not yet written */
    if (open_flash(&b, &new_flash, err, errlen) < 0) return VB_EXIT_SETUP;
    struct stat ist;
    if (fstat(b.flash.fd, &ist) == 0) {
        b.image_dev = ist.st_dev;
        b.image_ino = ist.st_ino;
    }
    /* The register block, shared with every process of this board. */
    b.regs = mmap(NULL, sizeof(vb_regs), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (b.regs == MAP_FAILED) {
        b.regs = NULL;
        snprintf(err, errlen, "cannot set up the board: %s", strerror(errno));
        goto out;
    }
    if (pipe2(b.tx_pipe, O_CLOEXEC) < 0 || pipe2(b.ev_pipe, O_CLOEXEC) < 0 ||
        (b.rx_efd = eventfd(0, EFD_NONBLOCK)) < 0 || (b.idle_efd = eventfd(0, EFD_NONBLOCK)) < 0) {
        snprintf(err, errlen, "cannot set up the board: %s", strerror(errno));
        goto out;
    }
    /* The supervisor reads without ever blocking; the firmware's output
     * writes block (that is the back-pressure), its event writes never do
     * (a full pipe drops the event). The firmware's ends are inherited:
     * FD_CLOEXEC only keeps them from anything exec'd. */
    fcntl(b.tx_pipe[0], F_SETFL, fcntl(b.tx_pipe[0], F_GETFL) | O_NONBLOCK);
    fcntl(b.ev_pipe[0], F_SETFL, fcntl(b.ev_pipe[0], F_GETFL) | O_NONBLOCK);
    fcntl(b.ev_pipe[1], F_SETFL, fcntl(b.ev_pipe[1], F_GETFL) | O_NONBLOCK);
    vb_regs_init(b.regs);
    for (unsigned i = 0; i < cfg->n_adc_presets; i++)
        atomic_store(&b.regs->periph.adc_uv[cfg->adc_presets[i].gpio], cfg->adc_presets[i].uv);
    vb_boardclock_init(&b.clock, cfg->clock);
    if (board_net_init(&b, err, errlen) < 0 || board_uart_init(&b, err, errlen) < 0 ||
        board_i2c_init(&b, err, errlen) < 0 || board_devscript_init(&b, err, errlen) < 0)
        goto out;                  /* all before the radio: its power-on drops sockets */
    board_wifi_init(&b);
    if (board_log_open(&b, err, errlen) < 0 || open_control(&b, err, errlen) < 0)
        goto out;
    /* Set-up lines before the terminal goes raw (in raw mode "\n" does
     * not return the cursor). */
    fprintf(stderr, "vboard: control socket %s\n", b.control_path);
    if (open_line(&b, err, errlen) < 0) goto out;
    board_link_init(&b, cfg->baud);
    /* Signals arrive through the loop, so every exit path restores the
     * terminal. In terminal mode Ctrl-C is a serial byte, not a signal. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGQUIT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    b.sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    /* The first boot's zygote starts now, ahead of its bootloader stage:
     * CPython's start-up, most of a cold start, runs while a new image is
     * written and the board powers on (issue 14). One that failed to
     * start is started again at the boot (board_start_firmware). */
    b.zygote = start_zygote(&b, true);
    if (b.zygote < 0) b.zygote = 0;
    if (cfg->line != VB_LINE_TERMINAL) {
        printf("%s\n", b.serial.url);
        fflush(stdout);
    }
    if (new_flash && write_new_flash(&b, err, errlen) < 0) {
        unlink(cfg->flash_path);   /* ours, and unfinished */
        goto out;
    }
    new_flash = false;
    arm_flash(&b);
    if (cfg->timeout_ms > 0) b.ci_deadline_us = b.start_us + (uint64_t)cfg->timeout_ms * 1000u;
    b.image_check_at = board_wall_us() + IMAGE_CHECK_US;

    b.power = BOARD_OFF;
    board_power_on(&b);
    int rc = board_loop(&b);
    if (rc < 0) {
        snprintf(err, errlen, "the board's event loop failed: poll: %s", strerror(-rc));
        abandon(&b);
        status = VB_EXIT_SETUP;
    } else {
        status = b.quit > 0 ? b.quit - 1 : VB_EXIT_OK;
        if (b.fatal[0]) snprintf(err, errlen, "%s", b.fatal);
    }
out:
    if (b.zygote > 0) abandon(&b);
    /* a set-up that failed leaves a new image as it did before its
     * content was written after the zygote's start */
    char ignored[VB_ERR_LEN];
    if (new_flash && write_new_flash(&b, ignored, sizeof ignored) < 0) unlink(cfg->flash_path);
    vb_control_flush(&b.control);
    vb_control_close(&b.control);
    vb_serial_close(&b.serial);
    board_link_free(&b);
    board_log_close(&b);
    vb_flash_close(&b.flash);
    board_net_free(&b);
    board_uart_free(&b, false);
    board_devscript_free(&b);
    board_i2c_free(&b);
    int fds[] = {b.tx_pipe[0], b.tx_pipe[1], b.ev_pipe[0], b.ev_pipe[1], b.rx_efd, b.idle_efd, b.sig_fd};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        if (fds[i] >= 0) close(fds[i]);
    if (b.regs) munmap(b.regs, sizeof(vb_regs));
    return status;
}
