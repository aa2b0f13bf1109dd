/* The host side of the board's serial line: the terminal vboard runs in, or
 * a pseudo-terminal that host tools open (repl.md §6.6).
 *
 * Both give the supervisor two non-blocking fds and the same rules: reads
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

#define VB_SERIAL_ESCAPE 0x1D   /* Ctrl-]: the local quit key in terminal mode */

typedef enum vb_serial_kind { VB_SERIAL_STDIO, VB_SERIAL_PTY } vb_serial_kind;

typedef struct vb_serial {
    vb_serial_kind kind;
    int in_fd, out_fd;
    /* stdio: the terminal settings to restore on every exit path */
    bool restore_tty;
    struct termios saved;
    /* pty */
    int slave_fd;              /* kept open so the line survives host reconnects */
    char slave_path[64];
    char link_path[512];       /* symlink to slave_path, "" when none */
    uint64_t dropped;          /* output bytes no host took */
} vb_serial;

/* The terminal (stdin/stdout), switched to raw mode when it is a tty. */
int vb_serial_open_stdio(vb_serial *s, char *err, size_t errlen);
/* A new pty, raw mode; with `link` a symlink to it (replacing an existing
 * symlink, never a regular file). */
int vb_serial_open_pty(vb_serial *s, const char *link, char *err, size_t errlen);
/* Read what the host sent: count, 0 when nothing is there, -1 when the host
 * side is gone for good (terminal EOF). A pty without a host reads as 0. */
ssize_t vb_serial_read(vb_serial *s, void *buf, size_t n);
/* Write all that the host will take now; the rest is dropped. */
void vb_serial_write(vb_serial *s, const void *buf, size_t n);
/* In a forked child (the firmware): close the fds without touching the
 * terminal settings or the symlink, which belong to the supervisor. */
void vb_serial_close_fds_in_child(vb_serial *s);
/* Restore the terminal, remove the symlink, close. Safe to call twice. */
void vb_serial_close(vb_serial *s);

#endif
