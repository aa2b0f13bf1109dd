/* The _boot stage: mount the board filesystem like the real firmware. */
#include "boot_fs.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>

#include "image/image.h"
#include "util/civil.h"

/* FAT time stamps come from the board RTC (seconds since 2000-01-01). */
static void rtc_clock(void *ctx, vb_datetime *now)
{
    const vb_hal *hal = ctx;
    int64_t s;
    uint32_t us;
    hal->rtc_get(hal->ctx, &s, &us);
    vb_civil c = vb_civil_from_seconds(s);
    /* Saturated, not wrapped, into uint16_t: the FAT layer then clamps a
     * far year to its 1980..2107 range on the right side. */
    uint16_t y = c.year < 0 ? 0 : c.year > UINT16_MAX ? UINT16_MAX : (uint16_t)c.year;
    *now = (vb_datetime){y, (uint8_t)c.month, (uint8_t)c.mday, (uint8_t)c.hour, (uint8_t)c.minute,
                         (uint8_t)c.second};
}

static bool region_erased(const vb_firmware_ctx *fw)
{
    uint8_t buf[VB_FLASH_BLOCK];
    if (vb_flash_read(fw->flash, fw->profile->fs_offset, buf, sizeof buf) < 0) return false;
    for (size_t i = 0; i < sizeof buf; i++)
        if (buf[i] != 0xFF) return false;
    return true;
}

static int format(vb_board_fs *bfs, const vb_firmware_ctx *fw, const vb_hal *hal)
{
    vb_fat_mkfs_opts o = {0, fw->profile->fs_label};
    int rc = vb_fat_mkfs(&bfs->bdev.bd, &o, rtc_clock, (void *)hal);
    if (rc < 0) return rc;
    return vb_fat_mount(&bfs->fat, &bfs->bdev.bd, VB_FAT_NAMES_OEM, rtc_clock, (void *)hal);
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
    bfs->mounted = false;
    if (vb_port_fs_driver(port) != VB_FS_FAT) return -ENOTSUP;
    int rc = vb_flash_bdev_init(&bfs->bdev, fw->flash, p->fs_offset, p->fs_size, p->fs_sector_size,
                                p->fs_writeback_block);
    if (rc < 0) return rc;
    rc = vb_fat_mount(&bfs->fat, &bfs->bdev.bd, VB_FAT_NAMES_OEM, rtc_clock, (void *)hal);
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
            /* esp32: an erased region is a first boot; anything else is
             * damage the board will not touch: say so every 3 s until Ctrl-C. */
            if (!region_erased(fw)) return corrupt_wait(fw, hal);
            break;
        case VB_FIRST_BOOT_FORMAT_ON_FAILURE:
            break;             /* rp2: whatever it was, format at once, silently */
        }
        if ((rc = format(bfs, fw, hal)) < 0) return rc;
        fresh = true;
    }
    bfs->mounted = true;
    if (fresh || port->defaults_every_boot) {
        rc = vb_image_write_defaults(&bfs->fat, p);
        if (rc == 0) rc = vb_fat_sync(&bfs->fat);
    }
    return rc < 0 ? rc : 0;
}

int vb_boot_reformat(vb_board_fs *bfs, const vb_firmware_ctx *fw)
{
    if (bfs->mounted) vb_fat_unmount(&bfs->fat);
    bfs->mounted = false;
    vb_fat_mkfs_opts o = {0, fw->profile->fs_label};
    int rc = vb_fat_mkfs(&bfs->bdev.bd, &o, bfs->fat.clock, bfs->fat.clock_ctx);
    if (rc < 0) return rc;
    rc = vb_fat_mount(&bfs->fat, &bfs->bdev.bd, VB_FAT_NAMES_OEM, bfs->fat.clock, bfs->fat.clock_ctx);
    bfs->mounted = rc == 0;
    return rc;
}
