/* `vboard ctl SOCKET COMMAND [ARG...]`: one request to a running board's
 * control socket (src/supervisor/transport/control.h), its reply line on
 * stdout. The positional arguments become the command's named JSON fields.
 * The exit status follows the reply's "ok"; a refusal's reason, and why
 * there is no reply to follow, are said on stderr. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "supervisor/transport/control.h"
#include "util/json.h"

/* The named fields of each command's positional arguments. */
static const struct {
    const char *cmd;
    const char *fields[5];
} positional[] = {
    {"power", {"state", NULL}},
    {"pin", {"name", "drive"}},
    {"wake", {"pin", NULL}},
    {"advance", {"ms", NULL}},
    {"clock", {"action", NULL}},
    {"wifi", {"action", "op", "ssid", "key", "rssi"}},
    {"adc", {"pin", "mv", NULL}},
    {"pwm", {"pin", NULL}},
    {"neopixel", {"pin", NULL}},
    {"sensor", {"addr", "temp", "hum", NULL}},
    {"screenshot", {"file", "addr", NULL}},
};

/* The reply members ctl reads; a reply may hold any others (status grows). */
static const char *const reply_keys[] = {"ok", "error", "closed", NULL};

#define REPLY_WAIT_MS 10000   /* a reset takes tens of ms; a hung board gets this long */

static int connect_board(const cli_args *a, const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        cli_error(a, "socket path too long: %s", path);
        return -1;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        cli_error(a, "no board at %s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

/* Send all of buf; 0 or an errno. MSG_NOSIGNAL: a board that has closed
 * the connection (one with no free control slot answers, then closes) is
 * EPIPE here, never a SIGPIPE, and its answer may still wait to be read. */
static int send_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return errno;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read one reply line into buf[0..cap) (NUL in place of its '\n'); its
 * length, or -ETIMEDOUT, -EMSGSIZE (no '\n' in cap - 1 bytes), -ENODATA
 * (the connection ended first) or the read's -errno. */
static ssize_t read_line(int fd, char *buf, size_t cap)
{
    size_t got = 0;
    for (;;) {
        char *nl = memchr(buf, '\n', got);
        if (nl) {
            *nl = '\0';
            return nl - buf;
        }
        if (got == cap - 1) return -EMSGSIZE;
        struct pollfd pf = {fd, POLLIN, 0};
        int p = poll(&pf, 1, REPLY_WAIT_MS);
        if (p < 0 && errno == EINTR) continue;
        if (p == 0) return -ETIMEDOUT;
        ssize_t n = p < 0 ? -1 : read(fd, buf + got, cap - 1 - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != ECONNRESET) return -errno;
        if (n <= 0) return -ENODATA;   /* EOF, or reset by a board that closed */
        got += (size_t)n;
    }
}

/* Exit status and stderr for a reply line (already on stdout). */
static int judge_reply(const cli_args *a, const char *sock, const char *cmd, const char *reply, size_t len)
{
    vb_json_obj r;
    char err[160];
    if (vb_json_parse_keys(reply, len, reply_keys, &r, err, sizeof err) < 0) {
        cli_error(a, "cannot read the reply from %s: %s", sock, err);
        return CLI_USAGE;
    }
    const vb_json_field *ok = vb_json_get(&r, "ok");
    if (!ok || ok->type != VB_JSON_BOOL) {
        cli_error(a, "the reply from %s has no \"ok\" (true or false)", sock);
        return CLI_USAGE;
    }
    if (ok->b) return CLI_OK;
    const vb_json_field *why = vb_json_get(&r, "error"), *closed = vb_json_get(&r, "closed");
    const char *reason = why && why->type == VB_JSON_STRING ? why->str : "no reason given";
    if (closed && closed->type == VB_JSON_BOOL && closed->b)
        cli_error(a, "the board refused the connection: %s", reason);
    else
        cli_error(a, "the board refused \"%s\": %s", cmd, reason);
    return CLI_FAILED;
}

int cli_cmd_ctl(const cli_args *a)
{
    const char *sock = a->argv[0], *cmd = a->argv[1];
    char req[1024];
    vb_json_out o;
    vb_json_begin(&o, req, sizeof req);
    vb_json_str(&o, "cmd", cmd);
    int extra = a->argc - 2;
    int taken = 0;
    for (size_t i = 0; i < sizeof positional / sizeof positional[0]; i++) {
        if (strcmp(positional[i].cmd, cmd) != 0) continue;
        for (int k = 0; k < extra && k < 5 && positional[i].fields[k]; k++, taken++) {
            const char *v = a->argv[2 + k];
            char abs[4096];
            /* a file the board writes is named from here, not its cwd */
            if (strcmp(positional[i].fields[k], "file") == 0 && v[0] != '/' && getcwd(abs, sizeof abs) &&
                strlen(abs) + strlen(v) + 2 <= sizeof abs) {
                strcat(abs, "/");
                v = strcat(abs, v);
            }
            vb_json_str(&o, positional[i].fields[k], v);
        }
    }
    if (taken < extra) {
        cli_error(a, "'%s' takes %s", cmd, taken ? "fewer arguments" : "no arguments");
        return CLI_USAGE;
    }
    size_t len = vb_json_end(&o);
    if (!len) {
        cli_error(a, "arguments too long");
        return CLI_USAGE;
    }
    int fd = connect_board(a, sock);
    if (fd < 0) return CLI_USAGE;
    int send_err = send_all(fd, req, len);
    char reply[VB_CONTROL_REPLY + 1];
    ssize_t n = read_line(fd, reply, sizeof reply);
    close(fd);
    if (n < 0) {
        if (send_err)
            cli_error(a, "cannot send to %s: %s", sock, strerror(send_err));
        else if (n == -ETIMEDOUT)
            cli_error(a, "the board at %s did not answer within %d s", sock, REPLY_WAIT_MS / 1000);
        else if (n == -EMSGSIZE)
            cli_error(a, "the reply from %s is longer than %d bytes", sock, VB_CONTROL_REPLY);
        else if (n == -ENODATA)
            cli_error(a, "the board at %s closed the connection without a reply", sock);
        else
            cli_error(a, "cannot read the reply from %s: %s", sock, strerror((int)-n));
        return CLI_USAGE;
    }
    puts(reply);
    return judge_reply(a, sock, cmd, reply, (size_t)n);
}
