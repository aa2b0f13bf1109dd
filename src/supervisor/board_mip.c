/* The board's package index (--mip-index DIR, issue 13 §3): a read-only
 * HTTP/1.0 file server the supervisor runs on 127.0.0.1, reached by the
 * board at its gateway's port 80 (as mip.vboard.internal), so that
 * `mip.install("pkg")` installs from a local copy of an index laid out as
 * micropython.org's (package/py/NAME/VERSION.json, file/HH/HASH).
 *
 * Clients are the board's sockets, hence hostile: a request is at most
 * one line of REQ_MAX bytes, GET or HEAD only, a path of plain names
 * (no "..", no NUL, no escapes) opened beneath DIR only (openat2
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), files of FILE_MAX bytes at most;
 * everything is non-blocking and a client that stalls is dropped. */
#include "board_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define REQ_MAX 1024
#define FILE_MAX (4u << 20)
#define CLIENT_US 10000000u          /* host time a client may take, request to last byte */

int board_mip_init(board *b, char *err, size_t errlen)
{
    for (unsigned i = 0; i < MIP_CLIENTS; i++) b->mip[i].fd = -1;
    if (!b->cfg->mip_index) return 0;
    b->mip_dir = open(b->cfg->mip_index, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (b->mip_dir < 0) {
        snprintf(err, errlen, "--mip-index %s: %s", b->cfg->mip_index, strerror(errno));
        return -1;
    }
    struct sockaddr_in at = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7F000001u)};
    socklen_t len = sizeof at;
    b->mip_listen = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (b->mip_listen < 0 || bind(b->mip_listen, (struct sockaddr *)&at, sizeof at) < 0 ||
        listen(b->mip_listen, MIP_CLIENTS) < 0 || getsockname(b->mip_listen, (struct sockaddr *)&at, &len) < 0) {
        snprintf(err, errlen, "cannot set up the package index: %s", strerror(errno));
        return -1;
    }
    b->mip_port = ntohs(at.sin_port);
    return 0;
}

static void drop(mip_client *c)
{
    if (c->fd >= 0) close(c->fd);
    free(c->out);
    *c = (mip_client){.fd = -1};
}

void board_mip_free(board *b)
{
    for (unsigned i = 0; i < MIP_CLIENTS; i++) drop(&b->mip[i]);
    if (b->mip_listen >= 0) close(b->mip_listen);
    if (b->mip_dir >= 0) close(b->mip_dir);
    b->mip_listen = b->mip_dir = -1;
}

/* A path the index may serve: "/" then names of [A-Za-z0-9._-], none of
 * them "." or "..". */
static bool path_ok(const char *p)
{
    if (*p++ != '/' || !*p) return false;
    const char *seg = p;
    for (;; p++) {
        char ch = *p;
        if (ch == '/' || ch == '\0') {
            size_t n = (size_t)(p - seg);
            if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.')) return false;
            if (ch == '\0') return true;
            seg = p + 1;
        } else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                     ch == '.' || ch == '_' || ch == '-')) {
            return false;
        }
    }
}

/* The file's bytes (malloc'd, *n), or NULL. */
static char *read_file(board *b, const char *path, size_t *n)
{
    struct open_how how = {.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW,
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
    int fd = (int)syscall(SYS_openat2, b->mip_dir, path + 1, &how, sizeof how);
    if (fd < 0) return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size <= FILE_MAX &&
        (buf = malloc((size_t)st.st_size + 1)) != NULL) {
        size_t got = 0;
        ssize_t r;
        while (got < (size_t)st.st_size && (r = read(fd, buf + got, (size_t)st.st_size - got)) > 0) got += (size_t)r;
        *n = got;
    }
    close(fd);
    return buf;
}

/* The answer to the request line in c->req, queued in c->out. */
static void answer(board *b, mip_client *c)
{
    char method[8], path[REQ_MAX];
    size_t body_len = 0;
    char *body = NULL;
    int code = 400;
    if (sscanf(c->req, "%7s %1023s HTTP/1.%*1[01]", method, path) == 2 &&
        (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)) {
        code = 404;
        if (path_ok(path) && (body = read_file(b, path, &body_len)) != NULL) code = 200;
        if (strcmp(method, "HEAD") == 0) body_len = 0;
    }
    const char *reason = code == 200 ? "OK" : code == 404 ? "Not Found" : "Bad Request";
    char head[128];
    int hn = snprintf(head, sizeof head, "HTTP/1.0 %d %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                      code, reason, code == 200 ? body_len : 0);
    c->out = malloc((size_t)hn + body_len);
    if (!c->out) {
        free(body);
        drop(c);
        return;
    }
    memcpy(c->out, head, (size_t)hn);
    if (code == 200 && body_len) memcpy(c->out + hn, body, body_len);
    c->out_len = (size_t)hn + (code == 200 ? body_len : 0);
    free(body);
    char f[64];
    snprintf(f, sizeof f, ",\"code\":%d,\"bytes\":%zu", code, c->out_len);
    board_trace(b, "mip_get", f);
}

static void serve(board *b, mip_client *c)
{
    if (!c->out) {
        ssize_t r = recv(c->fd, c->req + c->req_len, REQ_MAX - c->req_len, MSG_DONTWAIT);
        if (r == 0 || (r < 0 && errno != EAGAIN)) {
            drop(c);
            return;
        }
        if (r > 0) c->req_len += (size_t)r;
        c->req[c->req_len] = '\0';
        char *eol = strstr(c->req, "\r\n\r\n");
        if (!eol && c->req_len >= REQ_MAX) {
            drop(c);
            return;
        }
        if (!eol) return;
        answer(b, c);
        if (c->fd < 0) return;
    }
    while (c->out_sent < c->out_len) {
        ssize_t w = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (w < 0 && errno == EAGAIN) return;
        if (w <= 0) break;
        c->out_sent += (size_t)w;
    }
    drop(c);                       /* all sent, or the client went: closed (HTTP/1.0) */
}

void board_mip_pollfds(const board *b, struct pollfd pf[1 + MIP_CLIENTS])
{
    unsigned n = 0;
    pf[n++] = (struct pollfd){b->mip_listen, POLLIN, 0};
    for (unsigned i = 0; i < MIP_CLIENTS; i++)
        pf[n++] = (struct pollfd){b->mip[i].fd, b->mip[i].out ? POLLOUT : POLLIN, 0};
}

void board_mip_service(board *b, const struct pollfd pf[1 + MIP_CLIENTS])
{
    uint64_t now = board_wall_us();
    for (unsigned i = 0; i < MIP_CLIENTS; i++) {
        mip_client *c = &b->mip[i];
        if (c->fd < 0) continue;
        if (pf[1 + i].revents) serve(b, c);
        if (c->fd >= 0 && now - c->since_us > CLIENT_US) drop(c);
    }
    if (!(pf[0].revents & POLLIN)) return;
    /* a new client takes a free slot, else the oldest one's: clients
     * that stall cannot keep the index from everyone */
    mip_client *slot = &b->mip[0];
    for (unsigned i = 0; i < MIP_CLIENTS; i++) {
        mip_client *c = &b->mip[i];
        if (c->fd < 0 || (slot->fd >= 0 && c->since_us < slot->since_us)) slot = c;
    }
    if (slot->fd >= 0) drop(slot);
    slot->fd = accept4(b->mip_listen, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    slot->since_us = now;
}

uint16_t board_mip_port(const board *b) { return b->mip_listen >= 0 ? b->mip_port : 0; }
