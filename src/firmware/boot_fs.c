/* The _boot stage: mount the board filesystem like the real firmware. */
#include "boot_fs.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "image/image.h"

/* FAT time stamps come from the board RTC (seconds since 2000-01-01). */
static void rtc_clock(void *ctx, vb_datetime *now)
{
    const vb_hal *hal = ctx;
    int64_t s;
    uint32_t us;
    hal->rtc_get(hal->ctx, &s, &us);
    int64_t days = s / 86400, rem = s % 86400;
    /* civil_from_days, shifted to 2000-01-01 = day 0 (a Saturday) */
    int64_t z = days + 10957 + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    *now = (vb_datetime){(uint16_t)y, (uint8_t)m, (uint8_t)d, (uint8_t)(rem / 3600),
                         (uint8_t)(rem / 60 % 60), (uint8_t)(rem % 60)};
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

static void say(const vb_hal *hal, const char *s) { hal->tx(hal->ctx, s, strlen(s)); }

int vb_boot_mount(vb_board_fs *bfs, const vb_firmware_ctx *fw, const vb_hal *hal)
{
    const vb_profile *p = fw->profile;
    bfs->mounted = false;
    int rc = vb_flash_bdev_init(&bfs->bdev, fw->flash, p->fs_offset, p->fs_size, p->fs_sector_size,
                                p->fs_writeback_block);
    if (rc < 0) return rc;
    rc = vb_fat_mount(&bfs->fat, &bfs->bdev.bd, VB_FAT_NAMES_OEM, rtc_clock, (void *)hal);
    bool fresh = false;
    if (rc < 0 && p->defaults_every_boot) {
        /* Pycom: "no filesystem" → format silently; anything else is fatal. */
        if (rc != -ENODEV) {
            say(hal, "\r\nfailed to create /flash\r\n");
            return -EIO;
        }
        if ((rc = format(bfs, fw, hal)) < 0) return rc;
        fresh = true;
    } else if (rc < 0) {
        /* esp32: an erased region is a first boot; anything else is damage
         * the board will not touch: say so every 3 s until Ctrl-C. */
        if (!region_erased(fw)) {
            hal->set_executing(hal->ctx, true);
            for (;;) {
                say(hal, "vboard: the filesystem appears to be corrupted; factory-reset it with "
                         "'vboard image erase-fs' or repair the image, then reset the board.\r\n");
                /* Sleep, not read: input stays queued for the REPL. Ctrl-C
                 * arrives as SIGINT and ends the wait. */
                if (poll(NULL, 0, 3000) < 0 && errno == EINTR) break;
            }
            hal->set_executing(hal->ctx, false);
            return -ENODEV;
        }
        if ((rc = format(bfs, fw, hal)) < 0) return rc;
        fresh = true;
    }
    bfs->mounted = true;
    if (fresh || p->defaults_every_boot) {
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
