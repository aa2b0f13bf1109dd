/* The board's UARTs (issue 16): the far end of each, on the host side.
 *
 * A UART's line to the VM is a stream socketpair made at the VM's first
 * UART(id) (VB_NET_UART on the network line) and kept for the board's
 * life; the supervisor relays between its end and the host bridge given
 * with --uart ID:LINK (a pty, as the console's --pty, or with LINK
 * `tcp:PORT` a TCP port on 127.0.0.1 as the console's --tcp: host
 * programs play the GPS or the modem) through a buffer each way. Nothing is lost while a
 * host is attached: when the host does not read, the buffer fills, the
 * supervisor stops reading the line, and the VM's write waits, as on the
 * console. With no host attached, what the board sends goes nowhere and
 * it receives nothing, as a UART with nothing on its pins. */
#include "board_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const vb_port_periph *periph(const board *b) { return b->cfg->profile->port->periph; }

/* The prefix that makes a --uart LINK a TCP port rather than a pty path. */
#define UART_TCP_PREFIX "tcp:"

/* Open UART id's host bridge: a TCP listener for "tcp:PORT" (0: any free
 * port), else a pty whose symlink is `link`. */
static int open_bridge(board *b, unsigned id, const char *link, char *err, size_t errlen)
{
    size_t plen = strlen(UART_TCP_PREFIX);
    if (strncmp(link, UART_TCP_PREFIX, plen) != 0) return vb_serial_open_pty(&b->uart[id].host, link, err, errlen);
    char *end;
    long port = strtol(link + plen, &end, 10);
    if (end == link + plen || *end || port < 0 || port > 65535) {
        snprintf(err, errlen, "--uart %u: '%s' is not tcp:PORT (PORT 0-65535, 0 any free one)", id, link);
        return -1;
    }
    return vb_serial_open_tcp(&b->uart[id].host, (int)port, false, b->cfg->allow_any_user, err, errlen);
}

int board_uart_init(board *b, char *err, size_t errlen)
{
    for (unsigned i = 0; i < VB_UARTS_MAX; i++) b->uart[i] = (board_uart){.fd = -1, .vm_fd = -1};
    b->uart_ready = true;
    for (unsigned i = 0; i < VB_UARTS_MAX; i++) {
        const char *link = b->cfg->uart_links[i];
        if (!link) continue;
        if (i >= periph(b)->uarts || (int)i == periph(b)->uart_console) {
            snprintf(err, errlen, "--uart %u: the board has no such UART (%s)", i,
                     (int)i == periph(b)->uart_console ? "it is the REPL's" : "out of range");
            return -1;
        }
        if (open_bridge(b, i, link, err, errlen) < 0) return -1;
        fprintf(stderr, "vboard: UART%u on %s\n", i, b->uart[i].host.url);
    }
    return 0;
}

void board_uart_free(board *b, bool in_child)
{
    if (!b->uart_ready) return;
    for (unsigned i = 0; i < VB_UARTS_MAX; i++) {
        board_uart *u = &b->uart[i];
        if (u->fd >= 0) close(u->fd);
        if (u->vm_fd >= 0) close(u->vm_fd);
        u->fd = u->vm_fd = -1;
        if (u->host.ops) {
            if (in_child) vb_serial_close_fds_in_child(&u->host);
            else vb_serial_close(&u->host);
        }
    }
}

/* The VM's end of UART id's line (made at its first request): a new
 * descriptor for it (the caller passes it on and closes it), or -errno. */
int board_uart_line(board *b, unsigned id)
{
    if (id >= periph(b)->uarts || (int)id == periph(b)->uart_console) return -ENODEV;
    board_uart *u = &b->uart[id];
    if (u->fd < 0) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) return -errno;
        u->fd = sv[0];
        u->vm_fd = sv[1];
    }
    int fd = fcntl(u->vm_fd, F_DUPFD_CLOEXEC, 0);
    return fd < 0 ? -errno : fd;
}

/* Power loss: bytes in flight are gone, as in a UART's FIFOs. */
void board_uart_power_loss(board *b)
{
    if (!b->uart_ready) return;
    for (unsigned i = 0; i < VB_UARTS_MAX; i++) {
        board_uart *u = &b->uart[i];
        u->to_host_len = u->to_vm_len = 0;
        char sink[512];
        while (u->fd >= 0 && read(u->fd, sink, sizeof sink) > 0) {}
        while (u->vm_fd >= 0 && read(u->vm_fd, sink, sizeof sink) > 0) {}
    }
}

void board_uart_pollfds(const board *b, struct pollfd pf[BOARD_UART_POLLFDS])
{
    for (unsigned i = 0; i < VB_UARTS_MAX; i++) {
        const board_uart *u = &b->uart[i];
        struct pollfd *p = pf + i * BOARD_UART_POLLFDS_EACH;
        short ev = (short)((u->to_host_len < sizeof u->to_host ? POLLIN : 0) | (u->to_vm_len ? POLLOUT : 0));
        p[0] = (struct pollfd){u->fd, ev, 0};
        for (unsigned k = 1; k < BOARD_UART_POLLFDS_EACH; k++) p[k] = (struct pollfd){-1, 0, 0};
        if (u->host.ops) {
            vb_serial *h = (vb_serial *)&u->host;   /* pollfds only reads it */
            h->ops->pollfds(h, p + 1, u->to_vm_len < sizeof u->to_vm, u->to_host_len > 0 && h->attached);
        }
    }
}

static void relay(board *b, unsigned id)
{
    board_uart *u = &b->uart[id];
    vb_serial *h = &u->host;
    bool attached = h->ops && h->attached;
    /* board → host: what no host takes goes nowhere */
    if (u->fd >= 0 && u->to_host_len < sizeof u->to_host) {
        ssize_t r = read(u->fd, u->to_host + u->to_host_len, sizeof u->to_host - u->to_host_len);
        if (r > 0) u->to_host_len += (size_t)r;
    }
    if (u->to_host_len && !attached) {
        u->tx_void += u->to_host_len;
        u->to_host_len = 0;
    } else if (u->to_host_len) {   /* a backend's write never blocks */
        size_t w = h->ops->write(h, u->to_host, u->to_host_len);
        memmove(u->to_host, u->to_host + w, u->to_host_len - w);
        u->to_host_len -= w;
        u->tx += w;
    }
    /* host → board */
    if (h->ops && u->to_vm_len < sizeof u->to_vm) {
        ssize_t r = h->ops->read(h, u->to_vm + u->to_vm_len, sizeof u->to_vm - u->to_vm_len);
        if (r > 0) u->to_vm_len += (size_t)r;
    }
    if (u->to_vm_len && u->fd >= 0) {
        ssize_t w = write(u->fd, u->to_vm, u->to_vm_len);
        if (w > 0) {
            memmove(u->to_vm, u->to_vm + w, u->to_vm_len - (size_t)w);
            u->to_vm_len -= (size_t)w;
            u->rx += (uint64_t)w;
            vb_periph_regs *pr = &b->regs->periph;
            atomic_store(&pr->uart_rx_bytes[id], u->rx);
            if (atomic_load(&pr->uart_irq_armed) >> id & 1) board_kick_vm(b);   /* UART.irq() */
        }
    } else if (u->to_vm_len && u->fd < 0) {
        u->to_vm_len = 0;          /* nobody opened the UART: its pins hear nothing */
    }
}

void board_uart_service(board *b, const struct pollfd pf[BOARD_UART_POLLFDS])
{
    for (unsigned i = 0; i < VB_UARTS_MAX; i++) {
        board_uart *u = &b->uart[i];
        const struct pollfd *p = pf + i * BOARD_UART_POLLFDS_EACH;
        unsigned bits = 0;
        if (u->host.ops) bits = u->host.ops->service(&u->host, p + 1, BOARD_UART_POLLFDS_EACH - 1);
        bool any = bits || (p[0].revents & (POLLIN | POLLOUT | POLLHUP));
        if (any) relay(b, i);
    }
}

void board_uart_status(const board *b, vb_json_out *out)
{
    char arr[VB_UARTS_MAX * 160 + 3];
    size_t k = 0;
    arr[k++] = '[';
    for (unsigned i = 0; i < VB_UARTS_MAX; i++) {
        const board_uart *u = &b->uart[i];
        if (u->fd < 0 && !u->host.ops) continue;
        k += (size_t)snprintf(arr + k, sizeof arr - k,
                              "%s{\"id\":%u,\"host\":\"%s\",\"attached\":%s,\"tx\":%llu,\"rx\":%llu,\"tx_void\":%llu}",
                              k > 1 ? "," : "", i, u->host.ops ? u->host.url : "",
                              u->host.ops && u->host.attached ? "true" : "false", (unsigned long long)u->tx,
                              (unsigned long long)u->rx, (unsigned long long)u->tx_void);
    }
    arr[k++] = ']';
    arr[k] = '\0';
    vb_json_raw(out, "uarts", arr);
}
