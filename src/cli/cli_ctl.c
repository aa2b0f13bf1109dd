/* `vboard ctl SOCKET COMMAND [ARG...]`: one request to a running board's
 * control socket (src/supervisor/transport/control.h), its reply line on stdout. The
 * positional arguments become the command's named JSON fields. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "util/json.h"

/* The named fields of each command's positional arguments. */
static const struct {
    const char *cmd;
    const char *fields[2];
} positional[] = {
    {"power", {"state", NULL}},
    {"pin", {"name", "drive"}},
    {"wake", {"pin", NULL}},
};

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

int cli_cmd_ctl(const cli_args *a)
{
    const char *cmd = a->argv[1];
    char req[1024];
    vb_json_out o;
    vb_json_begin(&o, req, sizeof req);
    vb_json_str(&o, "cmd", cmd);
    int extra = a->argc - 2;
    int taken = 0;
    for (size_t i = 0; i < sizeof positional / sizeof positional[0]; i++) {
        if (strcmp(positional[i].cmd, cmd) != 0) continue;
        for (int k = 0; k < extra && k < 2 && positional[i].fields[k]; k++, taken++)
            vb_json_str(&o, positional[i].fields[k], a->argv[2 + k]);
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
    int fd = connect_board(a, a->argv[0]);
    if (fd < 0) return CLI_USAGE;
    if (write(fd, req, len) != (ssize_t)len) {
        cli_error(a, "cannot send to %s: %s", a->argv[0], strerror(errno));
        close(fd);
        return CLI_USAGE;
    }
    char reply[8192];
    size_t got = 0;
    while (got < sizeof reply - 1 && !memchr(reply, '\n', got)) {
        struct pollfd pf = {fd, POLLIN, 0};
        ssize_t n = poll(&pf, 1, REPLY_WAIT_MS) > 0 ? read(fd, reply + got, sizeof reply - 1 - got) : -1;
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fd);
    char *nl = memchr(reply, '\n', got);
    if (!nl) {
        cli_error(a, "the board at %s did not answer", a->argv[0]);
        return CLI_USAGE;
    }
    *nl = 0;
    puts(reply);
    vb_json_obj r;
    char err[128];
    const vb_json_field *ok;
    if (vb_json_parse(reply, (size_t)(nl - reply), &r, err, sizeof err) < 0 ||
        !(ok = vb_json_get(&r, "ok")) || ok->type != VB_JSON_BOOL)
        return CLI_FAILED;
    return ok->b ? CLI_OK : CLI_FAILED;
}
