/* `vboard image ...`: create, info, check, erase-fs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fs/fat_check.h"
#include "util/errname.h"

int cli_cmd_image_create(const cli_args *a)
{
    const char *board = a->board ? a->board : "generic";
    const vb_profile *p = vb_profile_find(board);
    if (!p) {
        char names[128] = "";
        size_t n = 0;
        for (const vb_profile *const *q = vb_profile_all(); *q && n < sizeof names; q++)
            n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", n ? ", " : "", (*q)->name);
        cli_error(a, "unknown board '%s' (boards: %s)", board, names);
        return CLI_USAGE;
    }
    const char *path = a->argv[0];
    char err[VB_ERR_LEN];
    if (vb_image_create(path, p, vb_image_host_clock, NULL, err, sizeof err) < 0) {
        cli_error(a, "%s", err);
        return CLI_FAILED;
    }
    printf("created %s: %s board, %u bytes of flash, FAT filesystem at 0x%X (%u bytes)\n",
           path, p->name, p->flash_size, p->fs_offset, p->fs_size);
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

static void print_info(const char *path, const vb_image_info *in)
{
    printf("image: %s\n", path);
    printf("profile: %s\n", in->profile->name);
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
    switch (in->fs_state) {
    case VB_IMAGE_FS_OK:
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
        printf("fs: no FAT filesystem at 0x%X, %u bytes\n", in->fs_offset, in->fs_size);
        break;
    case VB_IMAGE_FS_ERROR: {
        char e[64];
        printf("fs: cannot mount the region at 0x%X, %u bytes: %s\n", in->fs_offset, in->fs_size,
               vb_errstr(in->fs_error, e, sizeof e));
        break;
    }
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
        print_info(path, &info);
    }
    return cli_close_image(a, &im, rc);
}

static void print_problem(void *ctx, const char *line)
{
    (void)ctx;
    printf("%s\n", line);
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
    vb_fat_check_stats st;
    int n = vb_fat_check(&im.bdev.bd, print_problem, NULL, &st);
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
