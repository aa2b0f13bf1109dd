/* `vboard run`: boot a board (src/hw/board.h). */
#include <stdio.h>

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
    char flash[512];
    if (a->flash)
        snprintf(flash, sizeof flash, "%s", a->flash);
    else
        snprintf(flash, sizeof flash, "vboard-flash-%s.bin", p->name);
    vb_board_cfg cfg = {p, flash, pty, a->argc > 0 ? a->argv[0] : NULL};
    char err[VB_ERR_LEN] = "";
    int rc = vb_board_run(&cfg, err, sizeof err);
    if (err[0]) cli_error(a, "%s", err);
    return rc;
}
