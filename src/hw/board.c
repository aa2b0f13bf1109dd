/* The board supervisor loop (board.h). Single-threaded: one poll() over the
 * serial line, the output pipe and a signalfd; the zygote is the only child. */
#include "board.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/hal.h"
#include "flash/parttable.h"
#include "hw/firmware.h"
#include "hw/regs.h"
#include "repl/repl.h"
#include "transport/serial.h"

typedef struct board {
    const vb_board_cfg *cfg;
    vb_flash flash;
    vb_regs *regs;
    vb_serial serial;
    int tx_pipe[2];
    int rx_efd;
    int sig_fd;
    pid_t zygote;
    int quit;                  /* 0 running, else the exit status + 1 */
} board;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The flash as esptool leaves it after flashing firmware: partition table
 * written, filesystem region erased (the first boot formats it). */
static int open_flash(board *b, char *err, size_t errlen)
{
    const vb_profile *p = b->cfg->profile;
    bool existed = access(b->cfg->flash_path, F_OK) == 0;
    int rc = vb_flash_open_file(&b->flash, b->cfg->flash_path, p->flash_size, true, err, errlen);
    if (rc < 0) return rc;
    b->flash.prog_page = p->prog_page;
    if (!existed && (rc = vb_parttable_write(&b->flash, p)) < 0) {
        snprintf(err, errlen, "cannot write the partition table to %s", b->cfg->flash_path);
        return rc;
    }
    return 0;
}

static void send_out(board *b, const void *buf, size_t n)
{
    vb_serial_write(&b->serial, buf, n);
}

static void say(board *b, const char *text) { send_out(b, text, strlen(text)); }

static void drain_tx(board *b)
{
    uint8_t buf[4096];
    ssize_t n;
    while ((n = read(b->tx_pipe[0], buf, sizeof buf)) > 0) send_out(b, buf, (size_t)n);
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

/* Host bytes into the RX ring; the interrupt char while code runs becomes
 * SIGINT, and the unread bytes before it are discarded (repl.md §2.10). */
static void take_input(board *b)
{
    uint8_t buf[512];
    uint32_t space = VB_RX_RING - vb_rx_count(b->regs);
    if (space == 0) return;
    ssize_t n = vb_serial_read(&b->serial, buf, space < sizeof buf ? space : sizeof buf);
    if (n < 0) {                       /* the terminal closed: power off */
        b->quit = 1;
        return;
    }
    size_t start = 0;
    for (size_t i = 0; i < (size_t)n; i++) {
        if (b->serial.kind == VB_SERIAL_STDIO && buf[i] == VB_SERIAL_ESCAPE) {
            b->quit = 1;
            return;
        }
        int ic = atomic_load(&b->regs->intr_char);
        pid_t vm;
        if (ic >= 0 && buf[i] == (uint8_t)ic && atomic_load(&b->regs->executing) &&
            (vm = vm_pid_checked(b)) > 0) {
            vb_rx_put(b->regs, buf + start, i - start);
            vb_rx_discard(b->regs);
            kill(vm, SIGINT);
            start = i + 1;
        }
    }
    vb_rx_put(b->regs, buf + start, (size_t)n - start);
    uint64_t one = 1;
    if (write(b->rx_efd, &one, sizeof one) < 0) { /* counter saturated: already rung */ }
}

static pid_t start_zygote(board *b)
{
    pid_t pid = fork();
    if (pid != 0) return pid;
    /* Zygote: dies with the supervisor; default signal handling; only the
     * fds the firmware needs. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGINT, SIG_DFL);
    close(b->sig_fd);
    close(b->tx_pipe[0]);
    vb_serial_close_fds_in_child(&b->serial);
    vb_firmware_ctx fw = {b->cfg->profile, &b->flash, b->regs, b->tx_pipe[1], b->rx_efd};
    _exit(vb_zygote_main(&fw));
}

/* Wait for the zygote to end, serving the serial line meanwhile. Returns its
 * wait status, or -1 when the board is told to quit. */
static int run_firmware(board *b)
{
    for (;;) {
        /* in_fd is -1 (skipped by poll) while no TCP client is connected;
         * listen_fd is -1 but for TCP. */
        struct pollfd pf[4] = {
            {b->sig_fd, POLLIN, 0},
            {b->tx_pipe[0], POLLIN, 0},
            {b->serial.in_fd, vb_rx_count(b->regs) < VB_RX_RING ? POLLIN : 0, 0},
            {b->serial.listen_fd, POLLIN, 0},
        };
        /* A full ring is re-checked soon: the VM consumes without telling. */
        int timeout = vb_rx_count(b->regs) < VB_RX_RING ? -1 : 5;
        if (poll(pf, 4, timeout) < 0 && errno != EINTR) return -1;
        if (pf[1].revents & POLLIN) drain_tx(b);
        if (pf[2].revents & (POLLIN | POLLHUP | POLLERR)) take_input(b);
        if (pf[3].revents & POLLIN) vb_serial_accept(&b->serial);
        if (pf[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            while (read(b->sig_fd, &si, sizeof si) == sizeof si) {
                if (si.ssi_signo != SIGCHLD) b->quit = 1;
            }
            int status;
            if (waitpid(b->zygote, &status, WNOHANG) == b->zygote) {
                drain_tx(b);
                b->zygote = 0;
                return status;
            }
        }
        if (b->quit) return -1;
    }
}

/* Stop the firmware. The VM is asked first (power_off + an interrupt) so it
 * closes its files and syncs the volume; one that does not stop within
 * the grace time is killed, which leaves the image as a power cut would. */
static void stop_zygote(board *b)
{
    if (b->zygote <= 0) return;
    pid_t vm = vm_pid_checked(b);
    if (vm > 0) {
        atomic_store(&b->regs->power_off, 1);
        kill(vm, SIGINT);
        for (int i = 0; i < 200; i++) {          /* up to 2 s */
            if (waitpid(b->zygote, NULL, WNOHANG) == b->zygote) {
                b->zygote = 0;
                atomic_store(&b->regs->vm_pid, 0);
                return;
            }
            drain_tx(b);
            usleep(10000);
        }
        vm = vm_pid_checked(b);
        if (vm > 0) kill(vm, SIGKILL);
    }
    kill(b->zygote, SIGKILL);
    waitpid(b->zygote, NULL, 0);
    b->zygote = 0;
    atomic_store(&b->regs->vm_pid, 0);
}

int vb_board_run(const vb_board_cfg *cfg, char *err, size_t errlen)
{
    board b = {.cfg = cfg, .tx_pipe = {-1, -1}, .rx_efd = -1, .sig_fd = -1};
    int status = 2;
    if (open_flash(&b, err, errlen) < 0) return 2;
    /* The register block, shared with every process of this board. */
    b.regs = mmap(NULL, sizeof(vb_regs), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (b.regs == MAP_FAILED || pipe(b.tx_pipe) < 0 ||
        (b.rx_efd = eventfd(0, EFD_NONBLOCK)) < 0) {
        snprintf(err, errlen, "cannot set up the board: %s", strerror(errno));
        goto out;
    }
    /* The supervisor drains output without ever blocking on it. */
    fcntl(b.tx_pipe[0], F_SETFL, fcntl(b.tx_pipe[0], F_GETFL) | O_NONBLOCK);
    vb_regs_init(b.regs);
    int rc;
    switch (cfg->line) {
    case VB_LINE_PTY: rc = vb_serial_open_pty(&b.serial, cfg->pty_link, err, errlen); break;
    case VB_LINE_TCP: rc = vb_serial_open_tcp(&b.serial, cfg->port, false, err, errlen); break;
    case VB_LINE_RFC2217: rc = vb_serial_open_tcp(&b.serial, cfg->port, true, err, errlen); break;
    default: rc = vb_serial_open_stdio(&b.serial, err, errlen); break;
    }
    if (rc < 0) goto out;
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
    if (cfg->line != VB_LINE_TERMINAL) {
        printf("%s\n", b.serial.url);
        fflush(stdout);
    }

    int cause = vb_profile_cause(cfg->profile, VB_CAUSE_PWRON);
    while (!b.quit) {
        b.regs->boot_count++;
        b.regs->reset_cause = cause;
        b.regs->soft_resets = 0;
        b.regs->repl_mode = VB_REPL_MODE_FRIENDLY;
        b.regs->boot_time_ns = now_ns();
        atomic_store(&b.regs->executing, 0);
        atomic_store(&b.regs->intr_char, 3);
        b.zygote = start_zygote(&b);
        if (b.zygote < 0) {
            snprintf(err, errlen, "cannot start the firmware: %s", strerror(errno));
            goto out;
        }
        int ws = run_firmware(&b);
        if (ws < 0) break;
        int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
        switch (code) {
        case VB_VM_EXIT_HARD_RESET:
            cause = vb_profile_cause(cfg->profile, VB_CAUSE_HARD);
            break;
        default: {
            /* A crash of the firmware: print a panic line as a real board
             * does, then reset. */
            char msg[160];
            int sig = WIFSIGNALED(ws) ? WTERMSIG(ws) : code > 128 ? code - 128 : 0;
            if (sig)
                snprintf(msg, sizeof msg, "\r\nvboard: guru meditation: the firmware died (%s), rebooting...\r\n",
                         strsignal(sig));
            else
                snprintf(msg, sizeof msg, "\r\nvboard: firmware panic (exit status %d), rebooting...\r\n", code);
            say(&b, msg);
            cause = vb_profile_cause(cfg->profile, VB_CAUSE_HARD);
            break;
        }
        }
    }
    status = b.quit > 0 ? b.quit - 1 : 0;
out:
    stop_zygote(&b);
    if (b.regs && b.regs != MAP_FAILED) drain_tx(&b);
    vb_serial_close(&b.serial);
    vb_flash_close(&b.flash);
    if (b.tx_pipe[0] >= 0) close(b.tx_pipe[0]);
    if (b.tx_pipe[1] >= 0) close(b.tx_pipe[1]);
    if (b.rx_efd >= 0) close(b.rx_efd);
    if (b.sig_fd >= 0) close(b.sig_fd);
    if (b.regs && b.regs != MAP_FAILED) munmap(b.regs, sizeof(vb_regs));
    return status;
}
