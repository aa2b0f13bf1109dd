/* src/image: creating an image as a first boot leaves it, refusing to
 * overwrite, profile detection, factory reset, defaults, info. Images are
 * real files in a temporary directory. (littlefs regions in detail:
 * test_image_lfs2.c.) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "flash/otadata.h"
#include "fs/fat_check.h"
#include "image/image.h"

static char dir[64];

/* 2024-05-17 12:30:00 */
static void fixed_now(void *ctx, int64_t *secs, uint32_t *nsec)
{
    (void)ctx;
    *secs = 1715949000;
    *nsec = 0;
}

static const vb_vol_clock fixed_clock = {NULL, fixed_now};

static const char *tmp_path(const char *name)
{
    static char buf[128];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

static bool all_ff(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0xFF)
            return false;
    return true;
}

static void read_file(vb_vol *v, const char *path, char *out, size_t len)
{
    vb_vol_file f;
    out[0] = '\0';
    if (vb_vol_open(v, &f, path, "r") < 0)
        return;
    ssize_t n = vb_vol_read(&f, out, len - 1);
    out[n > 0 ? n : 0] = '\0';
    vb_vol_close(&f);
}

static void test_create_pycom(void)
{
    char err[VB_ERR_LEN] = "";
    const vb_profile *p = vb_profile_find("pycom");
    char path[128];
    snprintf(path, sizeof path, "%s", tmp_path("pycom.img"));
    CHECK_EQ(vb_image_create(path, p, &fixed_clock, err, sizeof err), 0);
    struct stat st;
    CHECK_EQ(stat(path, &st), 0);
    CHECK_EQ(st.st_size, 8 << 20);

    /* never overwrite, and say so */
    CHECK_EQ(vb_image_create(path, p, &fixed_clock, err, sizeof err), -EEXIST);
    CHECK(strstr(err, "already exists") != NULL);

    vb_image im;
    CHECK_EQ(vb_image_open(&im, path, NULL, false, err, sizeof err), 0);
    CHECK(im.profile == p);
    const uint8_t *mem = im.flash.mem;
    CHECK(all_ff(mem, 0x8000));                            /* bootloader area erased */
    CHECK_EQ(mem[0x8000], 0xAA);                           /* partition table */
    CHECK_EQ(mem[0x8001], 0x50);
    /* otadata as the bootloader rewrites an erased record (flash.md §2.1) */
    static const uint8_t ota[40] = {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,
                                    0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                    0xC5, 0x42, 0x13, 0x81};
    CHECK_MEM(mem + 0x1FF000, ota, sizeof ota);
    CHECK(all_ff(mem + 0x1FF000 + 40, 0x1000 - 40));
    /* the built-in factory firmware in the factory slot, rest of it erased */
    size_t fw_len;
    const uint8_t *fw = vb_fw_factory(&fw_len);
    CHECK(fw != NULL && fw_len > VB_FW_HEADER_LEN);
    CHECK_MEM(mem + 0x10000, fw, fw_len);
    CHECK(all_ff(mem + 0x10000 + fw_len, 0x1EF000 - fw_len));
    CHECK(all_ff(mem + 0x1FF000 + 0x1000, 0x10000));       /* unused gap */
    CHECK(all_ff(mem + 0x210000, 0x1EF000));               /* OTA slot untouched */
    CHECK_MEM(mem + 0x400000, "\xEB\xFE\x90MSDOS5.0", 11); /* FatFs boot sector */
    CHECK_EQ(mem[0x400000 + 510], 0x55);

    vb_fat_check_stats cs;
    CHECK_EQ(vb_fat_check(&im.fs.bdev.bd, NULL, NULL, &cs), 0);
    CHECK_EQ(cs.files, 2);
    CHECK_EQ(cs.dirs, 3);

    vb_image_info info;
    CHECK_EQ(vb_image_get_info(&im, &info), 0);
    CHECK_EQ(info.n_parts, 5);
    CHECK_STR(info.parts[2].label, "otadata");
    CHECK_EQ(info.n_slots, 2);
    CHECK_STR(info.slots[0].name, "factory");
    CHECK_EQ(info.slots[0].offset, 0x10000);
    CHECK_EQ(info.slots[0].state, VB_IMAGE_FW_OK);
    CHECK_STR(info.slots[0].version, VB_FW_FACTORY_VERSION);
    CHECK_EQ(info.slots[0].n_modules, 1);
    CHECK_EQ(info.slots[0].fw_len, fw_len);
    CHECK_STR(info.slots[1].name, "ota_0");
    CHECK_EQ(info.slots[1].state, VB_IMAGE_FW_EMPTY);
    CHECK_EQ(info.fs_state, VB_IMAGE_FS_OK);
    CHECK_EQ(info.fs_kind, VB_VOL_FAT);
    CHECK_EQ(info.fat_bits, 12);
    CHECK_EQ(info.sector_size, 512);
    CHECK_EQ(info.cluster_bytes, 2048);
    CHECK_EQ(info.clusters, 2038);
    CHECK_EQ(info.n_fats, 1);
    CHECK_EQ(info.root_entries, 512);
    CHECK_EQ(info.used_clusters, 5);   /* main.py, boot.py, sys, lib, cert */
    CHECK_EQ(info.used_bytes, 5 * 2048);

    char buf[128];
    read_file(&im.fs.vol, "main.py", buf, sizeof buf);
    CHECK_STR(buf, "# main.py -- put your code here!\r\n");
    vb_vol_info vi;
    CHECK_EQ(vb_vol_stat(&im.fs.vol, "main.py", &vi), 0);
    CHECK_EQ(vi.mtime, 1715949000);                        /* the clock's local time */
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);

    /* the temporary file is gone */
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.vboard-new-%ld", path, (long)getpid());
    CHECK(access(tmp, F_OK) != 0);
}

static void test_create_generic(void)
{
    char err[VB_ERR_LEN] = "";
    const vb_profile *p = vb_profile_find("generic");
    CHECK_EQ(vb_image_create(tmp_path("generic.img"), p, &fixed_clock, err, sizeof err), 0);
    vb_image im;
    CHECK_EQ(vb_image_open(&im, tmp_path("generic.img"), NULL, false, err, sizeof err), 0);
    CHECK(im.profile == p);
    vb_image_info info;
    CHECK_EQ(vb_image_get_info(&im, &info), 0);
    CHECK_EQ(info.n_parts, 4);
    CHECK_EQ(info.n_slots, 1);
    CHECK_STR(info.slots[0].name, "factory");
    CHECK_EQ(info.slots[0].state, VB_IMAGE_FW_OK);
    CHECK_STR(info.slots[0].version, VB_FW_FACTORY_VERSION);
    size_t fw_len;
    const uint8_t *fw = vb_fw_factory(&fw_len);
    CHECK(fw != NULL);
    CHECK_MEM(im.flash.mem + 0x10000, fw, fw_len);
    CHECK(all_ff(im.flash.mem, 0x8000));
    CHECK(all_ff(im.flash.mem + 0x9000, 0x7000));          /* nvs, phy_init untouched */
    CHECK(all_ff(im.flash.mem + 0x10000 + fw_len, 0x1F0000 - fw_len));
    /* a torn factory slot is reported, with the reason */
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);
    CHECK_EQ(vb_image_open(&im, tmp_path("generic.img"), NULL, false, err, sizeof err), 0);
    uint8_t zero = 0;
    CHECK_EQ(vb_flash_program(&im.flash, 0x10000 + (uint32_t)fw_len - 3, &zero, 1), 0);
    CHECK_EQ(vb_image_get_info(&im, &info), 0);
    CHECK_EQ(info.slots[0].state, VB_IMAGE_FW_INVALID);
    CHECK(strstr(info.slots[0].fw_error, "digest") != NULL);
    /* the esp32 port keeps littlefs: VfsLfs2.mkfs + inisetup.py's boot.py */
    CHECK_EQ(info.fs_state, VB_IMAGE_FS_OK);
    CHECK_EQ(info.fs_kind, VB_VOL_LFS2);
    CHECK_EQ(info.lfs2_version, VB_LFS2_VERSION_2_1);
    CHECK_EQ(info.lfs2_block_size, 4096);
    CHECK_EQ(info.lfs2_blocks, 512);
    CHECK_EQ(info.lfs2_free_blocks, 509);                  /* the fixture's statvfs */
    CHECK_EQ(info.lfs2_name_max, 255);
    vb_vol_info st;
    CHECK_EQ(vb_vol_stat(&im.fs.vol, "boot.py", &st), 0);
    CHECK_EQ(st.size, 139);
    CHECK_EQ(st.mtime, 1715949000);
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);
}

static void test_defaults_only_missing(void)
{
    char err[VB_ERR_LEN] = "";
    const vb_profile *p = vb_profile_find("pycom");
    vb_image im;
    CHECK_EQ(vb_image_open(&im, tmp_path("pycom.img"), NULL, false, err, sizeof err), 0);
    CHECK_EQ(vb_image_mount(&im, VB_FAT_NAMES_OEM, err, sizeof err), 0);
    vb_vol *v = &im.fs.vol;
    CHECK(im.profile == p);
    vb_vol_file f;
    CHECK_EQ(vb_vol_open(v, &f, "boot.py", "w"), 0);
    CHECK_EQ(vb_vol_write(&f, "mine\n", 5), 5);
    CHECK_EQ(vb_vol_close(&f), 0);
    CHECK_EQ(vb_vol_remove(v, "main.py"), 0);
    CHECK_EQ(vb_vol_rmdir(v, "cert"), 0);
    CHECK_EQ(vb_fsregion_write_defaults(&im.fs), 0);
    char buf[128];
    read_file(v, "boot.py", buf, sizeof buf);
    CHECK_STR(buf, "mine\n");                          /* kept */
    read_file(v, "main.py", buf, sizeof buf);
    CHECK_STR(buf, "# main.py -- put your code here!\r\n");   /* recreated */
    vb_vol_info st;
    CHECK_EQ(vb_vol_stat(v, "cert", &st), 0);
    CHECK(st.is_dir);
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);
}

static void test_erase_fs(void)
{
    char err[VB_ERR_LEN] = "";
    vb_image im;
    CHECK_EQ(vb_image_open(&im, tmp_path("generic.img"), NULL, false, err, sizeof err), 0);
    CHECK_EQ(vb_image_mount(&im, VB_FAT_NAMES_UTF8, err, sizeof err), 0);
    CHECK_EQ(vb_image_erase_fs(&im, err, sizeof err), -EBUSY);   /* mounted */
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);

    CHECK_EQ(vb_image_open(&im, tmp_path("generic.img"), NULL, false, err, sizeof err), 0);
    uint64_t ops = im.flash.ops;
    CHECK_EQ(vb_image_erase_fs(&im, err, sizeof err), 0);
    CHECK_EQ(im.flash.ops - ops, 0x200000 / 4096);                /* one op per block */
    CHECK(vb_image_fs_erased(&im));
    CHECK(all_ff(im.flash.mem + 0x200000, 0x200000));
    CHECK_EQ(im.flash.mem[0x8000], 0xAA);                        /* table kept */
    CHECK_EQ(vb_image_mount(&im, VB_FAT_NAMES_UTF8, err, sizeof err), -ENODEV);
    CHECK(strstr(err, "erased (factory reset state)") != NULL);
    vb_image_info info;
    CHECK_EQ(vb_image_get_info(&im, &info), 0);
    CHECK_EQ(info.fs_state, VB_IMAGE_FS_ERASED);
    /* damage that is not erasure reads as "no filesystem" (littlefs port:
     * no littlefs magic, and not FAT either) */
    CHECK_EQ(vb_flash_program(&im.flash, 0x200000 + 100, "\x00", 1), 0);
    CHECK_EQ(vb_image_mount(&im, VB_FAT_NAMES_UTF8, err, sizeof err), -ENODEV);
    CHECK(strstr(err, "no littlefs or FAT filesystem in the filesystem region at 0x200000") != NULL);
    CHECK_EQ(vb_image_get_info(&im, &info), 0);
    CHECK_EQ(info.fs_state, VB_IMAGE_FS_NONE);
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);
}

static void test_open_errors(void)
{
    char err[VB_ERR_LEN] = "";
    vb_image im, other;
    /* a size no profile has */
    FILE *f = fopen(tmp_path("odd.img"), "wb");
    for (int i = 0; i < 8192; i++)
        fputc(0xFF, f);
    fclose(f);
    CHECK_EQ(vb_image_open(&im, tmp_path("odd.img"), NULL, false, err, sizeof err), -EINVAL);
    CHECK(strstr(err, "flash size of no board profile") != NULL);

    /* missing file */
    CHECK_EQ(vb_image_open(&im, tmp_path("missing.img"), NULL, false, err, sizeof err), -ENOENT);

    /* locked by another opener */
    CHECK_EQ(vb_image_open(&im, tmp_path("generic.img"), NULL, false, err, sizeof err), 0);
    CHECK_EQ(vb_image_open(&other, tmp_path("generic.img"), NULL, false, err, sizeof err), -EBUSY);
    CHECK(strstr(err, "in use") != NULL);
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);            /* idempotent */

    /* a table that puts another partition over the FS region is refused */
    static vb_partition parts[] = {
        {.offset = 0x10000, .size = 0x3F0000, .type = VB_PART_TYPE_APP, .label = "huge"},
    };
    vb_profile foreign = *vb_profile_find("generic");
    foreign.parts = parts;
    foreign.n_parts = 1;
    CHECK_EQ(vb_image_open(&im, tmp_path("generic.img"), NULL, false, err, sizeof err), 0);
    CHECK_EQ(vb_parttable_write(&im.flash, foreign.parttable_offset, foreign.parts, foreign.n_parts), 0);
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);
    CHECK_EQ(vb_image_open(&im, tmp_path("generic.img"), NULL, false, err, sizeof err), -EINVAL);
    CHECK(strstr(err, "\"huge\"") != NULL);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/vb-test-image-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_create_pycom);
    RUN(test_create_generic);
    RUN(test_defaults_only_missing);
    RUN(test_erase_fs);
    RUN(test_open_errors);
    const char *files[] = {"pycom.img", "generic.img", "odd.img"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(tmp_path(files[i]));
    rmdir(dir);
    return CHECK_DONE();
}
