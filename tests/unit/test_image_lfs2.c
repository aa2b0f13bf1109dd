/* src/image on littlefs ports (issue 12 §4): `image create` for esp32
 * leaves exactly what MicroPython's first boot leaves (VfsLfs2.mkfs +
 * inisetup.py's boot.py, tests/fixtures/lfs2), rp2 an empty littlefs with
 * prog size 256; mounting autodetects littlefs or an old FAT volume on the
 * same layout, and each way of failing has its own sentence; the host
 * clock is local time. Run from the repository root (the fixtures). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "fs/lfs2_check.h"
#include "image/image.h"

#define FIX "tests/fixtures/lfs2/"

static char dir[64];

static const char *tmp_path(const char *name)
{
    static char buf[128];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

/* A clock that says `ns` nanoseconds since 1970 (ctx: the uint64_t). */
static void ns_now(void *ctx, int64_t *secs, uint32_t *nsec)
{
    uint64_t ns = *(const uint64_t *)ctx;
    *secs = (int64_t)(ns / 1000000000u);
    *nsec = (uint32_t)(ns % 1000000000u);
}

/* A fixture volume, decompressed: malloc'd bytes (*len), or NULL. */
static uint8_t *load_fixture(const char *name, size_t *len)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "gzip -dc '" FIX "%s.lfs2.gz'", name);
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    size_t cap = 4u << 20, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && n < cap && (got = fread(buf + n, 1, cap - n, p)) > 0)
        n += got;
    if (pclose(p) != 0 || !buf || n == 0 || n == cap) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* Replace the image's filesystem region with `data` (the rest erased),
 * through the flash model. */
static void put_region(vb_image *im, const uint8_t *data, size_t len)
{
    const vb_profile *p = im->profile;
    CHECK(len <= p->fs_size);
    CHECK_EQ(vb_flash_erase(&im->flash, p->fs_offset, p->fs_size), 0);
    CHECK_EQ(vb_flash_program(&im->flash, p->fs_offset, data, len), 0);
}

/* The mtime MicroPython stamped on the fixture's boot.py. */
static uint64_t fixture_mtime(const uint8_t *vol, size_t len)
{
    (void)len;
    vb_image im;
    char err[VB_ERR_LEN];
    uint64_t ns = 0;
    CHECK_EQ(vb_image_open(&im, tmp_path("probe.img"), vb_profile_find("esp32"), true, err,
                           sizeof err), 0);
    put_region(&im, vol, len);
    CHECK_EQ(vb_image_mount(&im, VB_FAT_NAMES_UTF8, err, sizeof err), 0);
    uint8_t b[8];
    CHECK_EQ(vb_lfs2_getattr(&im.fs.vol.u.lfs2, "boot.py", VB_LFS2_ATTR_MTIME, b, 8), 8);
    for (int i = 7; i >= 0; i--)
        ns = ns << 8 | b[i];
    vb_image_close(&im, NULL, 0);
    unlink(tmp_path("probe.img"));
    return ns;
}

static void test_esp32_create_is_micropythons_first_boot(void)
{
    size_t len = 0;
    uint8_t *ref = load_fixture("esp32-first-boot", &len);
    CHECK(ref != NULL);
    if (!ref)
        return;
    CHECK_EQ(len, 0x200000);
    uint64_t ns = fixture_mtime(ref, len);
    CHECK(ns > 1577836800000000000ull);    /* after 2020: a real stamp */
    vb_vol_clock clock = {&ns, ns_now};

    char err[VB_ERR_LEN] = "";
    const vb_profile *p = vb_profile_find("esp32");
    CHECK_EQ(vb_image_create(tmp_path("esp32.img"), p, &clock, err, sizeof err), 0);
    vb_image im;
    CHECK_EQ(vb_image_open(&im, tmp_path("esp32.img"), NULL, false, err, sizeof err), 0);
    CHECK(im.profile == p);
    /* the same bytes, the time stamp included */
    const uint8_t *mem = im.flash.mem + p->fs_offset;
    size_t diffs = 0, first = 0;
    for (size_t i = 0; i < len; i++)
        if (mem[i] != ref[i] && diffs++ == 0)
            first = i;
    if (diffs)
        fprintf(stderr, "  %zu bytes differ from the fixture, first at +0x%zx\n", diffs, first);
    CHECK_EQ(diffs, 0);

    CHECK_EQ(vb_image_mount(&im, VB_FAT_NAMES_UTF8, err, sizeof err), 0);
    CHECK_EQ(im.fs.vol.kind, VB_VOL_LFS2);
    vb_vol_info st;
    CHECK_EQ(vb_vol_stat(&im.fs.vol, "boot.py", &st), 0);
    CHECK_EQ(st.size, 139);
    CHECK_EQ(st.mtime, (int64_t)(ns / 1000000000u));
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);

    /* a cut while littlefs rewrote block 0 leaves it erased (block 1 has
     * the newest commit here): not a factory-reset region, it mounts */
    CHECK_EQ(vb_image_open(&im, tmp_path("esp32.img"), NULL, false, err, sizeof err), 0);
    mem = im.flash.mem + p->fs_offset;
    CHECK(mem[4096] > mem[0]);                    /* revision counts */
    CHECK_EQ(vb_flash_erase(&im.flash, p->fs_offset, 4096), 0);
    CHECK(vb_fsregion_erased(&im.fs));
    CHECK(!vb_image_fs_erased(&im));
    CHECK_EQ(vb_image_mount(&im, VB_FAT_NAMES_UTF8, err, sizeof err), 0);
    CHECK_EQ(vb_vol_stat(&im.fs.vol, "boot.py", &st), 0);
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);
    free(ref);
}

static void test_rp2_create_is_empty_littlefs_prog_256(void)
{
    char err[VB_ERR_LEN] = "";
    uint64_t ns = 1700000000ull * 1000000000u;
    vb_vol_clock clock = {&ns, ns_now};
    const vb_profile *p = vb_profile_find("rp2");
    CHECK_EQ(vb_image_create(tmp_path("rp2.img"), p, &clock, err, sizeof err), 0);
    vb_image im;
    CHECK_EQ(vb_image_open(&im, tmp_path("rp2.img"), NULL, false, err, sizeof err), 0);
    CHECK(im.profile == p);
    CHECK_EQ(im.fs.lfs2cfg.prog_size, 256);

    /* VfsLfs2.mkfs(bdev, progsize=256) on the Pico's 352 blocks */
    vb_image ref;
    CHECK_EQ(vb_image_open(&ref, tmp_path("rp2-ref.img"), p, true, err, sizeof err), 0);
    vb_lfs2_config cfg;
    vb_lfs2_config_micropython(&cfg, 4096, 256);
    CHECK_EQ(vb_lfs2_format(&ref.fs.lfs2dev.dev, &cfg), 0);
    CHECK_MEM(im.flash.mem + p->fs_offset, ref.flash.mem + p->fs_offset, p->fs_size);
    CHECK_EQ(vb_image_close(&ref, NULL, 0), 0);
    unlink(tmp_path("rp2-ref.img"));

    vb_image_info info;
    CHECK_EQ(vb_image_get_info(&im, &info), 0);
    CHECK_EQ(info.fs_state, VB_IMAGE_FS_OK);
    CHECK_EQ(info.fs_kind, VB_VOL_LFS2);
    CHECK_EQ(info.lfs2_blocks, 352);
    CHECK_EQ(info.lfs2_free_blocks, 350);
    vb_vol_dir d;
    vb_vol_info st;
    CHECK_EQ(vb_vol_opendir(&im.fs.vol, &d, "/"), 0);
    CHECK_EQ(vb_vol_readdir(&d, &st), 0);                /* no files: rp2 writes none */
    CHECK_EQ(vb_vol_closedir(&d), 0);
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);

    vb_lfs2_check_stats cs;
    CHECK_EQ(vb_image_open(&im, tmp_path("rp2.img"), NULL, false, err, sizeof err), 0);
    CHECK_EQ(vb_lfs2_check(&im.fs.lfs2dev.dev, NULL, NULL, &cs), 0);
    CHECK_EQ(cs.files + cs.dirs, 0);
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);
}

/* Write and read back through the image's volume, then remount. */
static void test_files_round_trip(void)
{
    char err[VB_ERR_LEN] = "";
    vb_image im;
    CHECK_EQ(vb_image_open(&im, tmp_path("rp2.img"), NULL, false, err, sizeof err), 0);
    CHECK_EQ(vb_image_mount(&im, VB_FAT_NAMES_UTF8, err, sizeof err), 0);
    static uint8_t data[70000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + (i >> 9));
    vb_vol_file f;
    CHECK_EQ(vb_vol_mkdir(&im.fs.vol, "lib"), 0);
    CHECK_EQ(vb_vol_open(&im.fs.vol, &f, "lib/blob.bin", "w"), 0);
    CHECK_EQ(vb_vol_write(&f, data, sizeof data), sizeof data);
    CHECK_EQ(vb_vol_close(&f), 0);
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);

    CHECK_EQ(vb_image_open(&im, tmp_path("rp2.img"), NULL, false, err, sizeof err), 0);
    CHECK_EQ(vb_image_mount(&im, VB_FAT_NAMES_UTF8, err, sizeof err), 0);
    static uint8_t back[sizeof data + 1];
    CHECK_EQ(vb_vol_open(&im.fs.vol, &f, "lib/blob.bin", "r"), 0);
    ssize_t n = 0, got;
    while ((got = vb_vol_read(&f, back + n, sizeof back - (size_t)n)) > 0)
        n += got;
    CHECK_EQ(vb_vol_close(&f), 0);
    CHECK_EQ(n, sizeof data);
    CHECK_MEM(back, data, sizeof data);
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);
    CHECK_EQ(vb_image_open(&im, tmp_path("rp2.img"), NULL, false, err, sizeof err), 0);
    CHECK_EQ(vb_lfs2_check(&im.fs.lfs2dev.dev, NULL, NULL, NULL), 0);
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);
}

static void test_mount_failures_have_sentences(void)
{
    char err[VB_ERR_LEN] = "";
    vb_image im;
    const vb_profile *p = vb_profile_find("esp32");
    CHECK_EQ(vb_image_open(&im, tmp_path("esp32.img"), NULL, false, err, sizeof err), 0);
    size_t len = 0;
    uint8_t *vol = load_fixture("esp32-tree", &len);
    CHECK(vol != NULL);
    if (!vol)
        return;

    /* a corrupt littlefs: the magic is there, no commit of the root is valid */
    uint8_t *bad = malloc(len);
    memcpy(bad, vol, len);
    for (int b = 0; b < 2; b++)
        for (size_t i = 40; i < 72; i++)
            bad[b * 4096 + i] ^= 0xFF;
    put_region(&im, bad, len);
    CHECK_EQ(vb_image_mount(&im, VB_FAT_NAMES_UTF8, err, sizeof err), -EILSEQ);
    CHECK_STR(err, "the littlefs filesystem at 0x200000 is corrupt (littlefs finds no valid "
                   "superblock or metadata); 'vboard image check' tells more");
    vb_image_info info;
    CHECK_EQ(vb_image_get_info(&im, &info), 0);
    CHECK_EQ(info.fs_state, VB_IMAGE_FS_ERROR);
    CHECK_EQ(info.fs_error, -EILSEQ);
    CHECK_EQ(info.fs_kind, VB_VOL_LFS2);
    free(bad);

    /* a littlefs the port does not mount: the Pico's 352 blocks on esp32's 512 */
    size_t rlen = 0;
    uint8_t *rp2 = load_fixture("rp2-tree", &rlen);
    CHECK(rp2 != NULL && rlen == 352 * 4096);
    if (rp2) {
        put_region(&im, rp2, rlen);
        CHECK_EQ(vb_image_mount(&im, VB_FAT_NAMES_UTF8, err, sizeof err), -EINVAL);
        CHECK_STR(err, "the littlefs filesystem at 0x200000 is not one the esp32 port mounts; "
                       "it has 352 blocks, the region 512");
        free(rp2);
    }

    /* the fixture itself mounts, and lists as MicroPython wrote it */
    put_region(&im, vol, len);
    CHECK_EQ(vb_image_mount(&im, VB_FAT_NAMES_UTF8, err, sizeof err), 0);
    vb_vol_info st;
    CHECK_EQ(vb_vol_stat(&im.fs.vol, "data/big.bin", &st), 0);
    CHECK_EQ(st.size, 300000);
    CHECK_EQ(vb_image_erase_fs(&im, err, sizeof err), -EBUSY);
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);

    /* a FAT volume on the esp32 layout (what vboard wrote before littlefs) */
    CHECK_EQ(vb_image_open(&im, tmp_path("esp32.img"), NULL, false, err, sizeof err), 0);
    CHECK_EQ(vb_image_erase_fs(&im, err, sizeof err), 0);
    uint64_t ns = 1715949000ull * 1000000000u;
    vb_vol_clock clock = {&ns, ns_now};
    CHECK_EQ(vb_fat_mkfs(&im.fs.bdev.bd, NULL, vb_vol_clock_fat, &clock), 0);
    CHECK_EQ(vb_image_mount(&im, VB_FAT_NAMES_UTF8, err, sizeof err), 0);
    CHECK_EQ(im.fs.vol.kind, VB_VOL_FAT);
    vb_vol_file f;
    CHECK_EQ(vb_vol_open(&im.fs.vol, &f, "old.txt", "w"), 0);
    CHECK_EQ(vb_vol_write(&f, "fat\n", 4), 4);
    CHECK_EQ(vb_vol_close(&f), 0);
    CHECK_EQ(vb_image_get_info(&im, &info), 0);
    CHECK_EQ(info.fs_kind, VB_VOL_FAT);
    CHECK_EQ(info.fat_bits, 12);
    CHECK_EQ(info.clusters, 506);
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);
    CHECK_EQ(vb_image_open(&im, tmp_path("esp32.img"), NULL, false, err, sizeof err), 0);
    CHECK_EQ(vb_image_mount(&im, VB_FAT_NAMES_UTF8, err, sizeof err), 0);
    CHECK_EQ(vb_vol_stat(&im.fs.vol, "old.txt", &st), 0);
    CHECK_EQ(st.size, 4);
    /* formatting gives the port's filesystem again, defaults included */
    CHECK_EQ(vb_fsregion_unmount(&im.fs), 0);
    CHECK_EQ(vb_image_format_fs(&im, &clock, err, sizeof err), 0);
    CHECK_EQ(im.fs.vol.kind, VB_VOL_LFS2);
    CHECK_EQ(vb_vol_stat(&im.fs.vol, "old.txt", &st), -ENOENT);
    CHECK_EQ(vb_vol_stat(&im.fs.vol, "boot.py", &st), 0);
    CHECK_EQ(st.size, 139);
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);

    /* a FAT port never takes littlefs, whatever the region holds */
    const vb_profile *pyc = vb_profile_find("pycom");
    CHECK_EQ(vb_image_open(&im, tmp_path("pycom.img"), pyc, true, err, sizeof err), 0);
    put_region(&im, vol, len);
    CHECK_EQ(vb_image_mount(&im, VB_FAT_NAMES_UTF8, err, sizeof err), -ENODEV);
    CHECK(strstr(err, "no FAT filesystem in the filesystem region at 0x400000") != NULL);
    CHECK_EQ(vb_image_close(&im, err, sizeof err), 0);
    unlink(tmp_path("pycom.img"));
    (void)p;
    free(vol);
}

static void test_host_clock_is_local_time(void)
{
    char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    setenv("TZ", "VBT-3", 1);             /* three hours east of UTC, no tzdata needed */
    tzset();
    int64_t secs;
    uint32_t nsec;
    time_t before = time(NULL);
    vb_image_vol_clock.now(vb_image_vol_clock.ctx, &secs, &nsec);
    time_t after = time(NULL);
    CHECK(secs >= (int64_t)before + 3 * 3600 && secs <= (int64_t)after + 3 * 3600);
    CHECK(nsec < 1000000000u);
    /* the FAT clock says the same local time */
    vb_datetime dt;
    vb_image_host_clock(NULL, &dt);
    struct tm tm;
    time_t t = (time_t)secs;
    gmtime_r(&t, &tm);
    CHECK_EQ(dt.year, tm.tm_year + 1900);
    CHECK_EQ(dt.hour, tm.tm_hour);
    if (old)
        setenv("TZ", old, 1);
    else
        unsetenv("TZ");
    tzset();
    free(old);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/vb-test-image-lfs2-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_esp32_create_is_micropythons_first_boot);
    RUN(test_rp2_create_is_empty_littlefs_prog_256);
    RUN(test_files_round_trip);
    RUN(test_mount_failures_have_sentences);
    RUN(test_host_clock_is_local_time);
    const char *files[] = {"esp32.img", "rp2.img"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(tmp_path(files[i]));
    rmdir(dir);
    return CHECK_DONE();
}
