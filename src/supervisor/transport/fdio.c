/* The supervisor's write loop (fdio.h). */
#include "fdio.h"

#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

ssize_t vb_fd_write_some(int fd, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, p + done, n - done);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;   /* full: the caller queues */
        if (done == 0) return -1;      /* EPIPE, ECONNRESET, EIO: gone */
        break;
    }
    return (ssize_t)done;
}
