/* `vboard image ...`: create, info, check, erase-fs, flash. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "flash/flash_lfs2dev.h"
#include "fs/fat_check.h"
#include "fs/lfs2_check.h"
#include "util/errname.h"

int cli_cmd_image_create(const cli_args *a)
{
    const char *board = a->board ? a->board : CLI_DEFAULT_BOARD;
    const vb_profile *p = vb_profile_find(board);
    if (!p) {
        char names[160];
        cli_board_names(names, sizeof names);
        cli_error(a, "unknown board '%s' (boards: %s)", board, names);
        return CLI_USAGE;
    }
    const char *path = a->argv[0];
    char err[VB_ERR_LEN];
    if (vb_image_create(path, p, &vb_image_vol_clock, err, sizeof err) < 0) {
        cli_error(a, "%s", err);
        return CLI_FAILED;
    }
    printf("created %s: %s board, %u bytes of flash, %s filesystem at 0x%X (%u bytes)\n",
           path, board, p->flash_size, p->port->fs_type == VB_FS_LFS2 ? "littlefs" : "FAT",
           p->fs_offset, p->fs_size);
    return CLI_OK;
}

/* ESP-IDF type/subtype names, as partition CSV files spell them. */
static void part_kind(const vb_part_rec *r, char *buf, size_t len)
{
    static const char *const data_names[] = {"ota", "phy", "nvs", "coredump", "nvs_keys", "efuse"};
    static const char *const data_hi[] = {"esphttpd", "fat", "spiffs", "littlefs"};
    const char *type = r->type == VB_PART_TYPE_APP ? "app" : r->type == VB_PART_TYPE_DATA ? "data" : NULL;
    const char *sub = NULL;
    char subbuf[8];
    if (r->type == VB_PART_TYPE_APP) {
        if (r->subtype == 0x00)
            sub = "factory";
        else if (r->subtype == 0x20)
            sub = "test";
        else if (r->subtype >= 0x10 && r->subtype < 0x20) {
            snprintf(subbuf, sizeof subbuf, "ota_%u", r->subtype - 0x10);
            sub = subbuf;
        }
    } else if (r->type == VB_PART_TYPE_DATA) {
        if (r->subtype < 6)
            sub = data_names[r->subtype];
        else if (r->subtype >= 0x80 && r->subtype < 0x84)
            sub = data_hi[r->subtype - 0x80];
    }
    char typebuf[8];
    if (!type) {
        snprintf(typebuf, sizeof typebuf, "0x%02x", r->type);
        type = typebuf;
    }
    if (!sub) {
        snprintf(subbuf, sizeof subbuf, "0x%02x", r->subtype);
        sub = subbuf;
    }
    snprintf(buf, len, "%s/%s", type, sub);
}

/* The `fs:` lines of a littlefs region (its superblock and usage, read
 * by the checker, which never writes). */
static void print_lfs2_info(vb_image *im)
{
    const vb_profile *p = im->profile;
    vb_lfs2_check_stats st;
    memset(&st, 0, sizeof st);
    int n = vb_lfs2_check_text(&im->fs.lfs2dev.dev, NULL, 0, &st);
    if (!st.found) {
        printf("fs: littlefs magic at 0x%X but no valid superblock ('vboard image check' tells more)\n",
               p->fs_offset);
        return;
    }
    printf("fs: littlefs v%u.%u at 0x%X, %u bytes, block %u, blocks %u, name_max %u\n",
           st.disk_version >> 16, st.disk_version & 0xFFFFu, p->fs_offset, p->fs_size,
           st.block_size, st.block_count, st.name_max);
    printf("used: %u blocks (%u files, %u dirs)%s\n", st.used_blocks, st.files, st.dirs,
           n > 0 ? "; problems found: run 'vboard image check'" : "");
}

/* lfs2: the region holds littlefs's magic (its lines come after these);
 * why: the mount's sentence when the filesystem did not mount. */
static void print_info(const char *path, const vb_image_info *in, bool lfs2, const char *why)
{
    printf("image: %s\n", path);
    printf("profile: %s", in->profile->name);
    for (const char *const *al = in->profile->aliases; al && *al; al++)
        printf("%s%s", al == in->profile->aliases ? " (also: " : ", ", *al);
    printf("%s\n", in->profile->aliases && *in->profile->aliases ? ")" : "");
    printf("port: %s\n", in->profile->port->name);
    printf("flash: %u bytes\n", in->flash_size);
    if (in->n_parts < 0) {
        printf("partition table at 0x%X: none (%s)\n", in->table_offset, in->table_error);
    } else {
        printf("partition table at 0x%X: %d entries\n", in->table_offset, in->n_parts);
        for (int i = 0; i < in->n_parts && i < VB_IMAGE_MAX_PARTS; i++) {
            char kind[32];
            part_kind(&in->parts[i], kind, sizeof kind);
            printf("%s %s 0x%X 0x%X\n", in->parts[i].label, kind, in->parts[i].offset,
                   in->parts[i].size);
        }
    }
    for (unsigned i = 0; i < in->n_slots; i++) {
        const vb_image_slot *sl = &in->slots[i];
        printf("firmware %s at 0x%X: ", sl->name, sl->offset);
        if (sl->state == VB_IMAGE_FW_OK)
            printf("%s (%u module%s, %u bytes)\n", sl->version, sl->n_modules,
                   sl->n_modules == 1 ? "" : "s", sl->fw_len);
        else if (sl->state == VB_IMAGE_FW_EMPTY)
            printf("empty\n");
        else
            printf("invalid (%s)\n", sl->fw_error);
    }
    switch (in->fs_state) {
    case VB_IMAGE_FS_OK:
        if (in->fs_kind != VB_VOL_FAT)
            break;     /* littlefs: print_lfs2_info */
        printf("fs: FAT%u at 0x%X, %u bytes, sector %u, cluster %u, clusters %u, fats %u, "
               "root entries %u\n", in->fat_bits, in->fs_offset, in->fs_size, in->sector_size,
               in->cluster_bytes, in->clusters, in->n_fats, in->root_entries);
        printf("fat: %u sectors each, data from sector %u, label \"%s\"\n", in->fat_sectors,
               in->data_start, in->label);
        printf("used: %llu bytes, free: %llu bytes\n", (unsigned long long)in->used_bytes,
               (unsigned long long)in->free_bytes);
        break;
    case VB_IMAGE_FS_ERASED:
        printf("fs: erased at 0x%X, %u bytes (factory reset state: the board formats it at "
               "its next boot)\n", in->fs_offset, in->fs_size);
        break;
    case VB_IMAGE_FS_NONE:
        if (!lfs2)     /* else told after this (print_lfs2_info) */
            printf("fs: no %sFAT filesystem at 0x%X, %u bytes\n",
                   in->profile->port->fs_type == VB_FS_LFS2 ? "littlefs or " : "", in->fs_offset,
                   in->fs_size);
        break;
    case VB_IMAGE_FS_ERROR:
        if (!lfs2)     /* else told after print_lfs2_info */
            printf("fs: cannot mount the region at 0x%X, %u bytes: %s\n", in->fs_offset,
                   in->fs_size, why);
        break;
    }
}

int cli_cmd_image_info(const cli_args *a)
{
    vb_image im;
    const char *path = a->argv[0];
    int rc = cli_open_image(a, path, &im);
    if (rc != CLI_OK)
        return rc;
    vb_image_info info;
    int r = vb_image_get_info(&im, &info);
    if (r < 0) {
        cli_errno(a, path, r, NULL);
        rc = CLI_FAILED;
    } else {
        /* littlefs's magic: its superblock and usage, whether it mounted
         * (an LFS2 port) or not (refused, corrupt, or on a FAT port). */
        bool lfs2 = !(info.fs_state == VB_IMAGE_FS_OK && info.fs_kind == VB_VOL_FAT) &&
                    vb_flash_region_is_lfs2(&im.flash, im.profile->fs_offset, im.profile->fs_size);
        char why[VB_ERR_LEN] = "";
        if (info.fs_state == VB_IMAGE_FS_ERROR)
            vb_image_mount(&im, VB_FAT_NAMES_UTF8, why, sizeof why);   /* fails again: its sentence */
        print_info(path, &info, lfs2, why);
        if (lfs2) {
            print_lfs2_info(&im);
            if (info.fs_state == VB_IMAGE_FS_ERROR)
                printf("fs: not mountable: %s\n", why);
        }
    }
    return cli_close_image(a, &im, rc);
}

static void print_problem(void *ctx, const char *line)
{
    (void)ctx;
    printf("%s\n", line);
}

/* `image check` of a littlefs v2 region (what vboard writes on esp32 and
 * rp2, or a dump of a real board). */
static int check_lfs2(const cli_args *a, const char *path, vb_image *im)
{
    vb_lfs2_check_stats st;
    memset(&st, 0, sizeof st);
    int n = vb_lfs2_check(&im->fs.lfs2dev.dev, print_problem, NULL, &st);
    if (n == -ENODEV) {
        cli_error(a, "%s: the region at 0x%X names littlefs but holds no valid superblock",
                  path, im->profile->fs_offset);
        return CLI_FAILED;
    }
    if (n < 0) {
        cli_errno(a, path, n, "the littlefs check could not finish");
        return CLI_FAILED;
    }
    if (n == 0)
        printf("clean: ");
    else
        printf("%d problem%s found: ", n, n == 1 ? "" : "s");
    printf("littlefs v%u.%u, %u files, %u dirs, %u/%u blocks used\n", st.disk_version >> 16,
           st.disk_version & 0xFFFFu, st.files, st.dirs, st.used_blocks, st.block_count);
    return n == 0 ? CLI_OK : CLI_FAILED;
}

int cli_cmd_image_check(const cli_args *a)
{
    vb_image im;
    const char *path = a->argv[0];
    int rc = cli_open_image(a, path, &im);
    if (rc != CLI_OK)
        return rc;
    if (vb_image_fs_erased(&im)) {
        cli_error(a, "%s: filesystem region is erased (factory reset state); boot the board "
                  "or run 'vboard image create' to format it", path);
        return cli_close_image(a, &im, CLI_FAILED);
    }
    const vb_profile *p = im.profile;
    if (vb_flash_region_is_lfs2(&im.flash, p->fs_offset, p->fs_size))
        return cli_close_image(a, &im, check_lfs2(a, path, &im));
    vb_fat_check_stats st;
    int n = vb_fat_check(&im.fs.bdev.bd, print_problem, NULL, &st);
    if (n == -ENODEV) {
        cli_error(a, "%s: no FAT12/16 filesystem in the filesystem region at 0x%X", path,
                  im.profile->fs_offset);
        rc = CLI_FAILED;
    } else if (n < 0) {
        cli_errno(a, path, n, "the check could not finish");
        rc = CLI_FAILED;
    } else {
        if (n == 0)
            printf("clean: ");
        else
            printf("%d problem%s found: ", n, n == 1 ? "" : "s");
        printf("%u files, %u dirs, %u/%u clusters used\n", st.files, st.dirs, st.used_clusters,
               st.clusters);
        rc = n == 0 ? CLI_OK : CLI_FAILED;
    }
    return cli_close_image(a, &im, rc);
}

int cli_cmd_image_erase_fs(const cli_args *a)
{
    vb_image im;
    const char *path = a->argv[0];
    int rc = cli_open_image(a, path, &im);
    if (rc != CLI_OK)
        return rc;
    char err[VB_ERR_LEN];
    if (vb_image_erase_fs(&im, err, sizeof err) < 0) {
        cli_error(a, "%s: %s", path, err);
        rc = CLI_FAILED;
    } else {
        printf("erased the filesystem region of %s (0x%X, %u bytes): the board formats it at "
               "its next boot\n", path, im.profile->fs_offset, im.profile->fs_size);
    }
    return cli_close_image(a, &im, rc);
}

/* The app slots of a profile as "factory, ota_0", for messages. */
static void slot_list(const vb_profile *p, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < p->n_parts && n < len; i++) {
        if (p->parts[i].type != VB_PART_TYPE_APP)
            continue;
        char name[16];
        vb_fw_slot_name(&p->parts[i], name, sizeof name);
        n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", name);
    }
}

/* The firmware file, read and verified; CLI_OK or the exit status (said). */
static int load_firmware(const cli_args *a, const char *path, uint8_t **fw, size_t *len,
                         vb_fw_image *img)
{
    char err[VB_ERR_LEN];
    /* No slot is larger than a whole flash: anything bigger is refused unread. */
    int r = cli_read_host_file(path, 64u << 20, fw, len);
    if (r < 0) {
        cli_errno(a, path, r, "nothing was written");
        return CLI_FAILED;
    }
    if ((r = vb_fw_parse(*fw, *len, img, err, sizeof err)) < 0) {
        cli_error(a, "%s: %s; nothing was written", path, err);
        return CLI_FAILED;
    }
    if (img->total_len != *len) {
        cli_error(a, "%s: %zu bytes follow the firmware image (a firmware file ends with its "
                  "payload); nothing was written", path, *len - img->total_len);
        return CLI_FAILED;
    }
    return CLI_OK;
}

int cli_cmd_image_flash(const cli_args *a)
{
    const char *path = a->argv[0], *fwpath = a->argv[1];
    const char *slot = a->value[CLI_OPT_BIT_SLOT] ? a->value[CLI_OPT_BIT_SLOT] : "factory";
    if (strcmp(slot, "factory") != 0 && strncmp(slot, "ota_", 4) != 0) {
        cli_error(a, "unknown slot '%s' (app slots are factory and ota_0)", slot);
        return CLI_USAGE;
    }
    uint8_t *fw = NULL;
    size_t len = 0;
    vb_fw_image *img = malloc(sizeof *img);
    if (!img) {
        cli_error(a, "out of memory");
        return CLI_FAILED;
    }
    int rc = load_firmware(a, fwpath, &fw, &len, img);
    vb_image im;
    if (rc == CLI_OK)
        rc = cli_open_image(a, path, &im);
    if (rc != CLI_OK) {
        free(fw);
        free(img);
        return rc;
    }
    char err[VB_ERR_LEN], names[64];
    const vb_partition *part = vb_fw_slot_find(im.profile, slot);
    if (!part) {
        slot_list(im.profile, names, sizeof names);
        cli_error(a, "%s: the %s board has no %s slot (its app slots: %s); nothing was written",
                  path, im.profile->name, slot, names);
        rc = CLI_FAILED;
    } else if (len > part->size) {
        cli_error(a, "firmware of %zu bytes does not fit the %s slot (%u bytes); nothing was "
                  "written", len, slot, part->size);
        rc = CLI_FAILED;
    } else if (vb_fw_write_slot(&im.flash, part->offset, part->size, fw, len, err,
                                sizeof err) < 0) {
        cli_error(a, "%s: %s", path, err);
        rc = CLI_FAILED;
    } else {
        /* Read back through the parser, as the bootloader will. */
        uint8_t *back = NULL;
        if (vb_fw_read_slot(&im.flash, part->offset, part->size, &back, img, err, sizeof err) < 0) {
            cli_error(a, "%s: the %s slot does not verify after writing: %s", path, slot, err);
            rc = CLI_FAILED;
        }
        free(back);
    }
    if (rc == CLI_OK && (a->opts & CLI_OPT_ERASE_FS) &&
        vb_image_erase_fs(&im, err, sizeof err) < 0) {
        cli_error(a, "%s: firmware written, but erasing the filesystem failed: %s", path, err);
        rc = CLI_FAILED;
    }
    if (rc == CLI_OK)
        printf("flashed %s (version %s, %u module%s, %zu bytes) into the %s slot of %s at 0x%X; "
               "%s\n", fwpath, img->version, img->n_modules, img->n_modules == 1 ? "" : "s", len,
               slot, path, part->offset,
               (a->opts & CLI_OPT_ERASE_FS) ? "filesystem region erased (the board formats it at "
                                              "its next boot)"
                                            : "filesystem kept");
    free(fw);
    free(img);
    return cli_close_image(a, &im, rc);
}
