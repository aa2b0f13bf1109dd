/* The host side of the board's serial line: the terminal vboard runs in, a
 * pseudo-terminal that host tools open (repl.md §6.6), or a TCP port on
 * 127.0.0.1, raw or speaking telnet with RFC 2217 (tcp.c).
 *
 * All give the supervisor the same interface and the same rules: reads
 * are taken only when the board has room (the consumer sets the pace);
 * writes never block: when the host does not read, output is dropped and
 * counted, as a UART with nobody listening loses it. */
#ifndef VB_TRANSPORT_SERIAL_H
#define VB_TRANSPORT_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <termios.h>

#include "link/rfc2217.h"

#define VB_SERIAL_ESCAPE 0x1D   /* Ctrl-]: the local quit key in terminal mode */

typedef enum vb_serial_kind { VB_SERIAL_STDIO, VB_SERIAL_PTY, VB_SERIAL_TCP, VB_SERIAL_RFC2217 } vb_serial_kind;

/* What a second TCP client reads before it is closed. */
#define VB_SERIAL_BUSY "vboard: serial port busy (another client is connected)\r\n"

typedef struct vb_serial {
    vb_serial_kind kind;
    int in_fd, out_fd;         /* -1 while no TCP client is connected */
    /* A host is attached. Always true for the terminal and the pty (a pty
     * cannot tell); for TCP it follows accept and disconnect. */
    bool connected;
    char url[96];              /* where hosts connect: the pty path, tcp://, rfc2217:// */
    /* stdio: the terminal settings to restore on every exit path */
    bool restore_tty;
    struct termios saved;
    /* pty */
    int slave_fd;              /* kept open so the line survives host reconnects */
    char slave_path[64];
    char link_path[512];       /* symlink to slave_path, "" when none */
    /* tcp, rfc2217 */
    int listen_fd;             /* -1 for the other kinds */
    vb_telnet telnet;          /* rfc2217: the filter's state, per client */
    uint8_t owed[256];         /* protocol bytes that must go out before more output */
    size_t owed_len;
    uint64_t refused;          /* clients turned away while another was connected */
    uint64_t dropped;          /* output bytes no host took */
} vb_serial;

/* The terminal (stdin/stdout), switched to raw mode when it is a tty. */
int vb_serial_open_stdio(vb_serial *s, char *err, size_t errlen);
/* A new pty, raw mode; with `link` a symlink to it (replacing an existing
 * symlink, never a regular file). */
int vb_serial_open_pty(vb_serial *s, const char *link, char *err, size_t errlen);
/* A listening socket on 127.0.0.1:port (0: any free port; url says which),
 * raw or telnet/RFC 2217. One client at a time; the board runs without one. */
int vb_serial_open_tcp(vb_serial *s, int port, bool rfc2217, char *err, size_t errlen);
/* The listening socket is readable: take the client, or refuse it with
 * VB_SERIAL_BUSY when one is already connected. */
void vb_serial_accept(vb_serial *s);
/* Read what the host sent: count, 0 when nothing is there, -1 when the host
 * side is gone for good (terminal EOF). A pty without a host reads as 0. */
ssize_t vb_serial_read(vb_serial *s, void *buf, size_t n);
/* Write all that the host will take now; the rest is dropped. */
void vb_serial_write(vb_serial *s, const void *buf, size_t n);
/* The one write-all loop of every backend (style.md §5): writes what fd
 * takes now. Returns the count written, or -1 when the host is gone. */
ssize_t vb_serial_put(int fd, const void *buf, size_t n);
/* tcp.c's side of read, write and close (called through the above only). */
ssize_t vb_serial_tcp_read(vb_serial *s, void *buf, size_t n);
void vb_serial_tcp_write(vb_serial *s, const void *buf, size_t n);
void vb_serial_tcp_disconnect(vb_serial *s);
/* In a forked child (the firmware): close the fds without touching the
 * terminal settings or the symlink, which belong to the supervisor. */
void vb_serial_close_fds_in_child(vb_serial *s);
/* Restore the terminal, remove the symlink, close. Safe to call twice. */
void vb_serial_close(vb_serial *s);

#endif
