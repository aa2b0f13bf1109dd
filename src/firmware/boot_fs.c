/* The _boot stage: mount the board filesystem like the real firmware. */
#include "boot_fs.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>

#include "util/civil.h"

/* Time stamps come from the board RTC (seconds since 2000-01-01), on the
 * volume's 1970 calendar. */
static void rtc_clock(void *ctx, int64_t *secs, uint32_t *nsec)
{
    const vb_hal *hal = ctx;
    int64_t s;
    uint32_t us;
    hal->rtc_get(hal->ctx, &s, &us);
    *secs = s + VB_CIVIL_EPOCH_UNIX_SECS;
    *nsec = us * 1000u;
}

vb_vol_clock vb_boot_rtc_clock(const vb_hal *hal)
{
    return (vb_vol_clock){(void *)hal, rtc_clock};
}

static void say(const vb_hal *hal, const char *s) { vb_hal_tx_all(hal, s, strlen(s)); }

/* esp32: the corrupt notice every 3 s until Ctrl-C; -ENODEV after. */
static int corrupt_wait(const vb_firmware_ctx *fw, const vb_hal *hal)
{
    /* Sleep, not read: input stays queued for the REPL. Ctrl-C arrives as
     * SIGINT and ends the wait. SIGINT stays blocked but in ppoll, so one
     * that comes while the notice is being written ends the next wait at
     * once instead of being lost. */
    sigset_t intr, open_mask;
    sigemptyset(&intr);
    sigaddset(&intr, SIGINT);
    sigprocmask(SIG_BLOCK, &intr, &open_mask);
    hal->set_executing(hal->ctx, true);
    for (;;) {
        say(hal, fw->profile->port->corrupt_notice);
        const struct timespec notice_every = {3, 0};
        if (ppoll(NULL, 0, &notice_every, &open_mask) < 0 && errno == EINTR) break;
    }
    hal->set_executing(hal->ctx, false);
    sigprocmask(SIG_SETMASK, &open_mask, NULL);
    return -ENODEV;
}

int vb_boot_mount(vb_board_fs *bfs, const vb_firmware_ctx *fw, const vb_hal *hal)
{
    const vb_profile *p = fw->profile;
    const vb_port *port = p->port;
    bfs->clock = vb_boot_rtc_clock(hal);
    int rc = vb_fsregion_init(&bfs->region, fw->flash, p);
    if (rc < 0) return rc;
    rc = vb_fsregion_mount(&bfs->region, VB_FAT_NAMES_OEM, &bfs->clock);
    bool fresh = false;
    if (rc < 0) {
        switch (port->first_boot) {
        case VB_FIRST_BOOT_FORMAT_IF_NO_FS:
            /* Pycom: "no filesystem" → format silently; anything else is fatal. */
            if (rc != -ENODEV) {
                say(hal, "\r\nfailed to create /flash\r\n");
                return -EIO;
            }
            break;
        case VB_FIRST_BOOT_FORMAT_IF_ERASED:
            /* esp32 inisetup.py: an erased region is a first boot; anything
             * else is damage the board will not touch: say so every 3 s
             * until Ctrl-C. */
            if (!vb_fsregion_erased(&bfs->region)) return corrupt_wait(fw, hal);
            break;
        case VB_FIRST_BOOT_FORMAT_ON_FAILURE:
            break;             /* rp2: whatever it was, format at once, silently */
        }
        if (port->format_text) say(hal, port->format_text);
        if ((rc = vb_fsregion_format(&bfs->region, VB_FAT_NAMES_OEM, &bfs->clock)) < 0) return rc;
        fresh = true;
    }
    if (fresh || port->defaults_every_boot) rc = vb_fsregion_write_defaults(&bfs->region);
    return rc < 0 ? rc : 0;
}

int vb_boot_reformat(vb_board_fs *bfs)
{
    return vb_fsregion_format(&bfs->region, VB_FAT_NAMES_OEM, &bfs->clock);
}
