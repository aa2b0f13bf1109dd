/* Control socket line framing (control.h). */
#include "control.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "supervisor/transport/fdio.h"

#define TOO_LONG "{\"ok\":false,\"error\":\"request line longer than 4096 bytes\"}\n"
#define TOO_MANY "{\"ok\":false,\"error\":\"too many control clients\",\"closed\":true}\n"

static void drop_client(vb_control_client *cl)
{
    if (cl->fd >= 0) close(cl->fd);
    free(cl->out);
    *cl = (vb_control_client){.fd = -1};
}

/* Is somebody listening on path? */
static bool socket_alive(const struct sockaddr_un *sa)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    bool alive = connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0;
    close(fd);
    return alive;
}

int vb_control_open(vb_control *c, const char *path, vb_control_fn handle, void *ctx,
                    char *err, size_t errlen)
{
    *c = (vb_control){.listen_fd = -1, .handle = handle, .ctx = ctx};
    for (unsigned i = 0; i < VB_CONTROL_CLIENTS; i++) c->client[i].fd = -1;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        snprintf(err, errlen, "control socket path %s is too long (at most %zu bytes)", path,
                 sizeof sa.sun_path - 1);
        return -ENAMETOOLONG;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            snprintf(err, errlen, "control socket path %s exists and is not a socket", path);
            return -EEXIST;
        }
        if (socket_alive(&sa)) {
            snprintf(err, errlen, "control socket %s is in use by another board", path);
            return -EADDRINUSE;
        }
        unlink(path);                  /* left by a board that died */
    }
    /* Whoever can connect controls the board: the socket is 0600 whatever
     * the umask. fchmod does not reach an AF_UNIX path, and the umask is
     * the process's; the path is set before listen, so nobody connects to
     * it while it has the umask's mode. */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    bool bound = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    if (!bound || chmod(path, 0600) < 0 || listen(fd, 16) < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot listen on control socket %s: %s", path, strerror(e));
        if (bound) unlink(path);
        if (fd >= 0) close(fd);
        return -e;
    }
    c->listen_fd = fd;
    memcpy(c->path, path, strlen(path) + 1);
    return 0;
}

unsigned vb_control_pollfds(const vb_control *c, struct pollfd *pf, unsigned max)
{
    unsigned n = 0;
    if (c->listen_fd < 0 || max == 0) return 0;
    pf[n++] = (struct pollfd){c->listen_fd, POLLIN, 0};
    for (unsigned i = 0; i < VB_CONTROL_CLIENTS && n < max; i++) {
        const vb_control_client *cl = &c->client[i];
        /* back-pressure: a client's next requests wait until it has
         * taken the replies to the last ones */
        if (cl->fd >= 0) pf[n++] = (struct pollfd){cl->fd, (short)(cl->out_len ? POLLOUT : POLLIN), 0};
    }
    return n;
}

/* Send what the client takes; a client whose backlog overflows is dropped. */
static void flush_client(vb_control_client *cl)
{
    if (cl->fd < 0 || cl->out_len == 0) return;
    ssize_t w = vb_fd_write_some(cl->fd, cl->out, cl->out_len);
    if (w < 0) {
        drop_client(cl);
        return;
    }
    memmove(cl->out, cl->out + w, cl->out_len - (size_t)w);
    cl->out_len -= (size_t)w;
}

static void queue_reply(vb_control_client *cl, const char *buf, size_t n)
{
    if (cl->out_len + n > VB_CONTROL_OUTBUF) {  /* not reading its replies */
        drop_client(cl);
        return;
    }
    if (!cl->out && !(cl->out = malloc(VB_CONTROL_OUTBUF))) {
        drop_client(cl);
        return;
    }
    memcpy(cl->out + cl->out_len, buf, n);
    cl->out_len += n;
    flush_client(cl);
}

static void accept_client(vb_control *c)
{
    int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    for (unsigned i = 0; i < VB_CONTROL_CLIENTS; i++) {
        if (c->client[i].fd < 0) {
            c->client[i] = (vb_control_client){.fd = fd};
            return;
        }
    }
    (void)vb_fd_write_some(fd, TOO_MANY, strlen(TOO_MANY));
    close(fd);
}

/* Split the client's input into lines and answer each. */
static void read_client(vb_control *c, vb_control_client *cl)
{
    /* small reads bound the replies one read can queue (<= 64 lines of
     * status) well below VB_CONTROL_OUTBUF */
    char buf[1024];
    ssize_t n = read(cl->fd, buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        drop_client(cl);
        return;
    }
    for (ssize_t i = 0; i < n && cl->fd >= 0; i++) {
        char ch = buf[i];
        if (ch != '\n') {
            if (cl->overlong) continue;
            if (cl->in_len == sizeof cl->in - 1) {
                cl->overlong = 1;
                cl->in_len = 0;
                queue_reply(cl, TOO_LONG, strlen(TOO_LONG));
                continue;
            }
            cl->in[cl->in_len++] = ch;
            continue;
        }
        if (cl->overlong) {
            cl->overlong = 0;
            continue;
        }
        size_t len = cl->in_len;
        if (len > 0 && cl->in[len - 1] == '\r') len--;
        cl->in[len] = 0;
        cl->in_len = 0;
        if (len == 0) continue;        /* blank lines are keep-alives */
        char reply[VB_CONTROL_REPLY + 1];
        size_t r = c->handle(c->ctx, cl->in, len, reply, sizeof reply);
        queue_reply(cl, reply, r);
    }
}

void vb_control_service(vb_control *c, const struct pollfd *pf, unsigned n)
{
    for (unsigned k = 0; k < n; k++) {
        if (!pf[k].revents) continue;
        if (pf[k].fd == c->listen_fd) {
            accept_client(c);
            continue;
        }
        for (unsigned i = 0; i < VB_CONTROL_CLIENTS; i++) {
            vb_control_client *cl = &c->client[i];
            if (cl->fd != pf[k].fd) continue;
            if (pf[k].revents & POLLOUT) flush_client(cl);
            if (cl->fd >= 0 && (pf[k].revents & (POLLIN | POLLHUP | POLLERR))) read_client(c, cl);
            break;
        }
    }
}

void vb_control_flush(vb_control *c)
{
    for (unsigned i = 0; i < VB_CONTROL_CLIENTS; i++) flush_client(&c->client[i]);
}

void vb_control_close_fds_in_child(vb_control *c)
{
    if (c->listen_fd >= 0) close(c->listen_fd);
    for (unsigned i = 0; i < VB_CONTROL_CLIENTS; i++)
        if (c->client[i].fd >= 0) close(c->client[i].fd);
}

void vb_control_close(vb_control *c)
{
    if (c->listen_fd < 0) return;
    vb_control_flush(c);
    for (unsigned i = 0; i < VB_CONTROL_CLIENTS; i++) drop_client(&c->client[i]);
    close(c->listen_fd);
    c->listen_fd = -1;
    unlink(c->path);
}
