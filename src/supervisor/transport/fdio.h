/* The one write loop of every supervisor fd (style.md §5 "one write-all
 * loop"): serial backends and the control socket alike. The supervisor
 * never blocks on a peer, so it writes what the fd takes now and leaves
 * the rest to the caller's queue. */
#ifndef VB_SUPERVISOR_FDIO_H
#define VB_SUPERVISOR_FDIO_H

#include <stddef.h>
#include <sys/types.h>

/* Write as much of buf as fd takes now (retrying EINTR and short writes,
 * stopping at EAGAIN). Returns the count written, or -1 when the peer is
 * gone (EPIPE, ECONNRESET, EIO) and nothing was written. */
ssize_t vb_fd_write_some(int fd, const void *buf, size_t n);

#endif
