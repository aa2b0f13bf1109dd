/* The host side of the board's serial line (style.md §5: one interface for
 * every serial backend): the terminal vboard runs in (serial_stdio.c), a
 * pseudo-terminal host tools open (serial_pty.c, repl.md §6.6), or a TCP
 * port on 127.0.0.1, raw or telnet with RFC 2217 (serial_tcp.c).
 *
 * A backend only moves bytes and says whether a host is attached; the
 * board's link (supervisor/board_link.c) decides what happens to output
 * nobody takes. Reads are made only when the board has room (the consumer
 * sets the pace), writes never block. A host arriving or leaving is an
 * event, never an error. */
#ifndef VB_SUPERVISOR_SERIAL_H
#define VB_SUPERVISOR_SERIAL_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "supervisor/transport/fdio.h"

#define VB_SERIAL_ESCAPE 0x1D   /* Ctrl-]: the local menu key in terminal mode */
#define VB_SERIAL_POLLFDS 3     /* at most this many pollfds per backend */

typedef enum vb_serial_kind { VB_SERIAL_STDIO, VB_SERIAL_PTY, VB_SERIAL_TCP, VB_SERIAL_RFC2217 } vb_serial_kind;

/* What a second TCP client reads before it is closed. */
#define VB_SERIAL_BUSY "vboard: serial port busy (another client is connected)\r\n"

/* service() results */
#define VB_SERIAL_READABLE 1u   /* read() has something (or an end) to report */
#define VB_SERIAL_WRITABLE 2u   /* write() may take more */

typedef struct vb_serial vb_serial;

/* One backend. Every member is set. */
typedef struct vb_serial_ops {
    /* The fds to watch now: `in` while the board takes input, `out` while
     * output waits for the host. Returns how many (<= VB_SERIAL_POLLFDS). */
    unsigned (*pollfds)(vb_serial *s, struct pollfd *pf, bool in, bool out);
    /* What poll() said about them: take a client, notice a host coming or
     * going (updates s->attached). Returns VB_SERIAL_* bits. */
    unsigned (*service)(vb_serial *s, const struct pollfd *pf, unsigned n);
    /* Host bytes: count, 0 when none now, -1 when the host side ended for
     * good (the terminal's EOF). */
    ssize_t (*read)(vb_serial *s, void *buf, size_t n);
    /* Board bytes to the host: how many it took now (0..n). A host found
     * gone is detached. Never called while detached. */
    size_t (*write)(vb_serial *s, const void *buf, size_t n);
    /* Release everything. In a forked child only the fds are closed: the
     * terminal settings and the pty symlink are the supervisor's. */
    void (*close)(vb_serial *s, bool in_child);
} vb_serial_ops;

struct vb_serial {
    const vb_serial_ops *ops;  /* NULL: closed */
    vb_serial_kind kind;
    /* A host is there to read: the terminal always; a pty while somebody
     * has its slave open; TCP while a client is connected. */
    bool attached;
    char url[96];              /* where hosts connect: the pty path, tcp://, rfc2217:// */
    uint64_t refused;          /* TCP clients turned away while another was connected */
    /* While attached, poll() again at least this often (µs, 0 = never
     * needed): the backend's fd may miss a wakeup. */
    uint32_t repoll_us;
    void *impl;                /* the backend's own state */
};

/* The terminal (stdin/stdout), raw mode when it is a tty. The caller's
 * terminal keeps its file status flags (a tty is reopened as a new open
 * file description; any other fd gets its flags back at close). */
int vb_serial_open_stdio(vb_serial *s, char *err, size_t errlen);
/* A new pty, raw mode; with `link` a symlink to it (replacing an existing
 * symlink, never a regular file). */
int vb_serial_open_pty(vb_serial *s, const char *link, char *err, size_t errlen);
/* A listening socket on 127.0.0.1:port (0: any free port; url says which),
 * raw or telnet/RFC 2217. One client at a time; the board runs without one.
 * Clients are served only when their socket belongs to this process's uid,
 * unless `any_user`, and are closed unseen by the board when they speak
 * HTTP (serial_tcp.c). */
int vb_serial_open_tcp(vb_serial *s, int port, bool rfc2217, bool any_user, char *err, size_t errlen);

static inline unsigned vb_serial_pollfds(vb_serial *s, struct pollfd *pf, bool in, bool out)
{
    return s->ops ? s->ops->pollfds(s, pf, in, out) : 0;
}
static inline unsigned vb_serial_service(vb_serial *s, const struct pollfd *pf, unsigned n)
{
    return s->ops ? s->ops->service(s, pf, n) : 0;
}
static inline ssize_t vb_serial_read(vb_serial *s, void *buf, size_t n)
{
    return s->ops ? s->ops->read(s, buf, n) : 0;
}
static inline size_t vb_serial_write(vb_serial *s, const void *buf, size_t n)
{
    return s->ops && s->attached ? s->ops->write(s, buf, n) : 0;
}
/* Safe to call twice. */
void vb_serial_close(vb_serial *s);
void vb_serial_close_fds_in_child(vb_serial *s);

#endif
