/* The board supervisor: owns the hardware state (flash image, serial line,
 * shared registers) for the life of the board, and (re)starts the firmware
 * at every hard reset (architecture.md "The mapping").
 *
 *   supervisor ──fork──► zygote (CPython initialised once per hard boot)
 *                          └──fork──► VM (one per soft-reset cycle)
 *
 * A soft reset is the zygote forking the next VM; a hard reset is a new
 * zygote. Whatever a VM or zygote does — crash, hang on exit, exhaust
 * memory — the supervisor survives it and turns it into a reset. */
#ifndef VB_HW_BOARD_H
#define VB_HW_BOARD_H

#include <stdbool.h>
#include <stddef.h>

#include "flash/profile.h"

/* Where the board's serial line goes. */
typedef enum vb_board_line {
    VB_LINE_TERMINAL,          /* this terminal */
    VB_LINE_PTY,               /* a pty, its path on the first line of stdout */
    VB_LINE_TCP,               /* raw TCP on 127.0.0.1:port, its URL on the first line */
    VB_LINE_RFC2217,           /* telnet + RFC 2217 on 127.0.0.1:port, likewise */
} vb_board_line;

typedef struct vb_board_cfg {
    const vb_profile *profile;
    const char *flash_path;    /* created (erased, partition table) if missing */
    vb_board_line line;
    const char *pty_link;      /* symlink kept pointing at the pty, or NULL */
    int port;                  /* TCP and RFC 2217; 0 picks a free one */
} vb_board_cfg;

/* Run the board until it is told to quit (terminal escape key, SIGTERM,
 * SIGINT unless on the terminal). Returns a process exit status; on a setup failure
 * returns 2 with a sentence in err. */
int vb_board_run(const vb_board_cfg *cfg, char *err, size_t errlen);

#endif
