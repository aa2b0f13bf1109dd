/* The board's control socket (issue 5): a Unix-domain stream socket where
 * people and CI jobs press the reset button, cut power, drive pins and ask
 * for status, one request line and one reply line at a time (JSON lines;
 * the meaning of a line is the board's, supervisor/board_ctl.c).
 *
 * The transport only frames lines. It never blocks the board: lines longer
 * than VB_CONTROL_LINE are refused as a whole, a client's next requests are
 * read only once it has taken the replies to the previous ones, and at
 * most VB_CONTROL_CLIENTS are served at once. A client beyond them gets one
 * error line ("too many control clients") marked "closed":true, and the
 * connection is closed: that member marks the line after which the board
 * closes, so a client can tell a refused connection from a refused command. */
#ifndef VB_TRANSPORT_CONTROL_H
#define VB_TRANSPORT_CONTROL_H

#include <poll.h>
#include <stddef.h>

#define VB_CONTROL_CLIENTS 8
#define VB_CONTROL_LINE 4096
/* The longest reply line, '\n' included (a longer one is replaced by an
 * error line); clients size their read buffer by it. */
#define VB_CONTROL_REPLY 4096
#define VB_CONTROL_OUTBUF 65536

/* Handle one request line (without its '\n', NUL-terminated); write the
 * reply line, '\n' included, into reply (cap is VB_CONTROL_REPLY + 1: room
 * for a NUL after the longest line); return its length. */
typedef size_t (*vb_control_fn)(void *ctx, const char *line, size_t len, char *reply, size_t cap);

typedef struct vb_control_client {
    int fd;                    /* -1: free slot */
    char in[VB_CONTROL_LINE];
    size_t in_len;
    int overlong;              /* skipping the rest of a too-long line */
    char *out;                 /* replies not yet taken by the client */
    size_t out_len;
} vb_control_client;

typedef struct vb_control {
    int listen_fd;             /* -1 when closed */
    char path[108];            /* sun_path */
    vb_control_client client[VB_CONTROL_CLIENTS];
    vb_control_fn handle;
    void *ctx;
} vb_control;

/* Listen on path. A stale socket file (nobody listening) is replaced; a
 * live one, or any other kind of file, is refused and left alone. */
int vb_control_open(vb_control *c, const char *path, vb_control_fn handle, void *ctx,
                    char *err, size_t errlen);
/* Fill pollfds for the listener and the clients; returns how many. */
unsigned vb_control_pollfds(const vb_control *c, struct pollfd *pf, unsigned max);
/* Serve what poll() reported on those pollfds. */
void vb_control_service(vb_control *c, const struct pollfd *pf, unsigned n);
/* Write any pending replies now, best effort (before the board exits). */
void vb_control_flush(vb_control *c);
/* In a forked child: close the fds, leave the socket file alone. */
void vb_control_close_fds_in_child(vb_control *c);
/* Close everything and remove the socket file. Safe on a closed one. */
void vb_control_close(vb_control *c);

#endif
