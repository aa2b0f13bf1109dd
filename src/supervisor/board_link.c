/* The board's serial link (issue 10 §1): the VM's output pipe → a bounded
 * transmit queue → the host; host bytes → the RX ring in the registers.
 *
 * Nothing is lost while a host is attached: when the queue holds its soft
 * limit the pipe is no longer read, so the VM's next write blocks, as
 * firmware waits on a full UART FIFO. With no host attached the profile's
 * line decides: a UART sends into the void at line speed (the firmware
 * never blocks), a USB-CDC port drops at once. `--baud N` paces both
 * directions at N/10 bytes a second of board time. Ctrl-C never waits
 * behind output: input is read whatever the output side is doing. */
#include "board_int.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TX_SOFT 65536u              /* the queue the firmware may fill before it waits */
#define TX_HARD (1u << 20)          /* with forced messages and a dead firmware's pipe */
#define RX_FULL_RECHECK_US 2000u    /* the VM consumes input without telling */

void board_link_init(board *b, uint32_t baud)
{
    vb_txq_init(&b->txq, TX_SOFT, TX_HARD);
    uint64_t now = board_wall_us();
    /* USB has no line speed; a UART has the configured one */
    uint32_t rate = b->cfg->profile->port->repl_link == VB_LINK_USB_CDC ? 0 : baud;
    vb_pace_init(&b->tx_pace, rate, now);
    vb_pace_init(&b->rx_pace, rate, now);
    b->link_attached = b->serial.attached;
}

void board_link_free(board *b) { vb_txq_free(&b->txq); }

static void trace_host(board *b)
{
    char f[160];
    snprintf(f, sizeof f, ",\"attached\":%s,\"sent\":%llu,\"discarded\":%llu,\"queued\":%zu",
             b->serial.attached ? "true" : "false", (unsigned long long)b->tx_sent,
             (unsigned long long)b->tx_discarded, vb_txq_count(&b->txq));
    board_trace(b, "serial_host", f);
}

/* A host came or went since we last looked. */
static void note_attach(board *b)
{
    if (b->serial.attached == b->link_attached) return;
    b->link_attached = b->serial.attached;
    b->tx_host_full = false;
    trace_host(b);
}

/* Move queued bytes to the host (or into the void) as far as the host and
 * the line rate allow. */
static void flush(board *b)
{
    uint64_t now = board_wall_us();
    bool drop_now = b->cfg->profile->port->repl_link == VB_LINK_USB_CDC;
    for (;;) {
        size_t len;
        const uint8_t *p = vb_txq_peek(&b->txq, &len);
        if (len == 0) break;
        bool attached = b->serial.attached;
        size_t allow = attached || !drop_now ? vb_pace_allow(&b->tx_pace, now) : SIZE_MAX;
        if (allow == 0) break;
        if (len > allow) len = allow;
        size_t took;
        if (attached) {
            took = vb_serial_write(&b->serial, p, len);
            b->tx_sent += took;
            b->tx_host_full = took < len;
        } else {
            took = len;                /* nobody listens: into the void */
            b->tx_discarded += took;
        }
        vb_pace_take(&b->tx_pace, took);
        vb_txq_consume(&b->txq, took);
        note_attach(b);
        if (took < len && b->serial.attached) break;   /* the host is full: wait for POLLOUT */
    }
}

/* Take what the VM wrote, as far as the queue's soft limit. */
static void pull_pipe(board *b)
{
    uint8_t buf[16384];
    size_t room;
    while ((room = vb_txq_room(&b->txq)) > 0) {
        ssize_t n = read(b->tx_pipe[0], buf, room < sizeof buf ? room : sizeof buf);
        if (n <= 0) break;
        board_log_output(b, buf, (size_t)n);
        vb_txq_push(&b->txq, buf, (size_t)n);
    }
}

/* Append bytes whose order matters, past the soft limit. */
static void force(board *b, const void *buf, size_t n)
{
    board_log_output(b, buf, n);
    size_t took = vb_txq_force(&b->txq, buf, n);
    b->tx_overflow += n - took;   /* only a host stuck across many resets */
}

void board_link_drain_pipe(board *b)
{
    uint8_t buf[16384];
    ssize_t n;
    while ((n = read(b->tx_pipe[0], buf, sizeof buf)) > 0) force(b, buf, (size_t)n);
    flush(b);
}

void board_say(board *b, const char *text)
{
    /* after what a stopped firmware left in the pipe, never before it */
    if (!board_firmware_runs(b)) board_link_drain_pipe(b);
    force(b, text, strlen(text));
    flush(b);
}

/* ---- input --------------------------------------------------------------- */

/* Terminal mode: Ctrl-] opens a one-key menu (reset, power cycle,
 * brown-out, quit); a second Ctrl-] quits. */
#define ESCAPE_MENU "\r\n[vboard] r: reset button  p: power cycle  b: brown-out  q: quit  " \
                    "(other key: back)\r\n"

static void escape_key(board *b, uint8_t k)
{
    b->escape_menu = 0;
    switch (k) {
    case 'q': case 'Q': case VB_SERIAL_ESCAPE: board_quit(b, VB_EXIT_OK); break;
    case 'r': case 'R': board_reset(b, VB_CAUSE_PWRON); break;
    case 'p': case 'P': board_power_off(b); board_power_on(b); break;
    case 'b': case 'B': board_reset(b, VB_CAUSE_BROWNOUT); break;
    default: break;
    }
}

static void put_rx(board *b, const uint8_t *buf, size_t n)
{
    if (b->power == BOARD_ON && n) vb_rx_put(b->regs, buf, n);
}

/* Host bytes into the RX ring; the interrupt char while code runs becomes
 * SIGINT, and the unread bytes before it are discarded (repl.md §2.10). A
 * board without power (or in download mode) loses what it is sent. */
static void take_input(board *b)
{
    uint8_t buf[512];
    size_t space = vb_rx_space(b->regs);
    size_t allow = vb_pace_allow(&b->rx_pace, board_wall_us());
    if (space > allow) space = allow;
    if (space == 0) return;
    ssize_t n = vb_serial_read(&b->serial, buf, space < sizeof buf ? space : sizeof buf);
    note_attach(b);
    if (n < 0) {                       /* the terminal's input ended */
        if (!(b->cfg->expect_text || b->cfg->fail_text || b->cfg->timeout_ms > 0))
            board_quit(b, VB_EXIT_OK); /* CI mode: the board runs on */
        return;
    }
    vb_pace_take(&b->rx_pace, (size_t)n);
    size_t start = 0;
    bool terminal = b->serial.kind == VB_SERIAL_STDIO;
    for (size_t i = 0; i < (size_t)n; i++) {
        if (terminal && (b->escape_menu || buf[i] == VB_SERIAL_ESCAPE)) {
            put_rx(b, buf + start, i - start);
            start = i + 1;
            if (b->escape_menu) {
                escape_key(b, buf[i]);
            } else {
                b->escape_menu = 1;
                force(b, ESCAPE_MENU, strlen(ESCAPE_MENU));
                flush(b);
            }
            if (b->quit) return;
            continue;
        }
        int ic = atomic_load(&b->regs->intr_char);
        if (b->power == BOARD_ON && ic >= 0 && buf[i] == (uint8_t)ic && atomic_load(&b->regs->executing)) {
            put_rx(b, buf + start, i - start);
            start = i + 1;
            board_interrupt_vm(b);
        }
    }
    put_rx(b, buf + start, (size_t)n - start);
    if (b->power == BOARD_ON) board_ring_rx(b);
}

/* ---- the loop's view ------------------------------------------------------ */

static bool rx_room(const board *b) { return vb_rx_space(b->regs) > 0; }

unsigned board_link_pollfds(board *b, struct pollfd *pf)
{
    unsigned n = 0;
    uint64_t now = board_wall_us();
    bool rx_paced_ok = vb_pace_next_us(&b->rx_pace, now) <= now;
    pf[n++] = (struct pollfd){vb_txq_room(&b->txq) ? b->tx_pipe[0] : -1, POLLIN, 0};
    /* the host's readiness matters only once it has refused bytes; pacing
     * is the timer's (board_link_deadline) */
    bool out = vb_txq_count(&b->txq) > 0 && b->serial.attached && b->tx_host_full;
    n += vb_serial_pollfds(&b->serial, pf + n, rx_room(b) && rx_paced_ok, out);
    return n;
}

void board_link_service(board *b, const struct pollfd *pf, unsigned n)
{
    bool pulled = pf[0].revents & (POLLIN | POLLHUP);
    if (pulled) pull_pipe(b);
    unsigned ready = vb_serial_service(&b->serial, pf + 1, n - 1);
    note_attach(b);
    if (ready & VB_SERIAL_WRITABLE) b->tx_host_full = false;
    if (ready & VB_SERIAL_READABLE) take_input(b);
    if (!pulled && !(ready & VB_SERIAL_WRITABLE) && b->tx_host_full) return;
    flush(b);
    /* the queue may have room again: take more now rather than a turn later */
    if (pulled && vb_txq_room(&b->txq)) {
        pull_pipe(b);
        flush(b);
    }
}

static uint64_t earliest(uint64_t a, uint64_t b) { return !a ? b : !b ? a : a < b ? a : b; }

/* Output is waiting and only time (the line rate, or the void's pace) can
 * move it: not for a full host, which POLLOUT wakes. */
static bool tx_timed(const board *b)
{
    return vb_txq_count(&b->txq) > 0 && !(b->serial.attached && b->tx_host_full);
}

uint64_t board_link_deadline(const board *b)
{
    uint64_t now = board_wall_us(), d = 0;
    /* unpaced output to an attached host is flushed as it comes */
    if (tx_timed(b) && (b->tx_pace.baud || !b->serial.attached))
        d = vb_pace_next_us(&b->tx_pace, now);
    if (!rx_room(b)) d = earliest(d, now + RX_FULL_RECHECK_US);
    else if (b->rx_pace.baud) {
        uint64_t t = vb_pace_next_us(&b->rx_pace, now);
        if (t > now) d = earliest(d, t);
    }
    if (b->serial.attached && b->serial.repoll_us) d = earliest(d, now + b->serial.repoll_us);
    return d;
}

void board_link_tick(board *b)
{
    if (!tx_timed(b)) return;
    flush(b);
    if (vb_txq_room(&b->txq)) pull_pipe(b);
    flush(b);
}

bool board_link_idle(const board *b)
{
    return vb_txq_count(&b->txq) == 0 || !b->serial.attached;
}
