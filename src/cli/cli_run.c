/* `vboard run`: boot a board (src/hw/board.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "flash/flash.h"
#include "hw/board.h"

int cli_cmd_run(const cli_args *a)
{
    const char *name = a->board ? a->board : "generic";
    const vb_profile *p = vb_profile_find(name);
    if (!p) {
        cli_error(a, "no board profile '%s' (vboard help run lists them)", name);
        return CLI_USAGE;
    }
    bool pty = a->opts & CLI_OPT_PTY;
    if (a->argc > 0 && !pty) {
        cli_error(a, "a LINK operand needs --pty");
        return CLI_USAGE;
    }
    unsigned lines = a->opts & (CLI_OPT_PTY | CLI_OPT_TCP | CLI_OPT_RFC2217);
    if (lines & (lines - 1)) {
        cli_error(a, "--pty, --tcp and --rfc2217 exclude each other");
        return CLI_USAGE;
    }
    vb_board_line line = pty ? VB_LINE_PTY : lines == CLI_OPT_TCP ? VB_LINE_TCP
                       : lines == CLI_OPT_RFC2217 ? VB_LINE_RFC2217 : VB_LINE_TERMINAL;
    long port = 0;
    if (line == VB_LINE_TCP || line == VB_LINE_RFC2217) {
        const char *v = a->value[line == VB_LINE_TCP ? CLI_OPT_BIT_TCP : CLI_OPT_BIT_RFC2217];
        char *end;
        errno = 0;
        port = strtol(v, &end, 10);
        if (!*v || *end || errno || port < 0 || port > 65535) {
            cli_error(a, "'%s' is not a TCP port (0-65535; 0 picks a free one)", v);
            return CLI_USAGE;
        }
    }
    char flash[512];
    if (a->flash)
        snprintf(flash, sizeof flash, "%s", a->flash);
    else
        snprintf(flash, sizeof flash, "vboard-flash-%s.bin", p->name);
    vb_board_cfg cfg = {.profile = p, .flash_path = flash, .line = line,
                        .pty_link = a->argc > 0 ? a->argv[0] : NULL, .port = (int)port};
    char err[VB_ERR_LEN] = "";
    int rc = vb_board_run(&cfg, err, sizeof err);
    if (err[0]) cli_error(a, "%s", err);
    return rc;
}
