/* Unit tests: the firmware image format (src/boot/fwimage.c) and firmware
 * in flash slots (src/boot/fwslot.c): round trip, every single-byte
 * corruption and every truncation refused, padding ignored, lying lengths
 * refused without reading past the buffer, the factory image byte for byte,
 * and slot writes as esptool does them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "boot/fwimage.h"
#include "check.h"
#include "flash/flash.h"
#include "board/profile.h"
#include "util/crc32.h"
#include "util/le.h"
#include "util/sha256.h"

static const char boot_src[] = "import os\n";
static const char main_src[] = "print('hi')\n";

static int build_small(uint8_t **out, size_t *len)
{
    const vb_fw_module mods[] = {
        {"_boot", (const uint8_t *)boot_src, sizeof boot_src - 1},
        {"main_mod", (const uint8_t *)main_src, sizeof main_src - 1},
        {"empty", NULL, 0},
    };
    char err[VB_ERR_LEN];
    return vb_fw_build(mods, 3, "1.2.3-test", out, len, err, sizeof err);
}

/* A copy in its own exact-size allocation, so ASan sees any read past len. */
static int parse_exact(const uint8_t *b, size_t len, vb_fw_image *img, char *err, size_t errlen)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (len)
        memcpy(copy, b, len);
    int rc = vb_fw_parse(copy, len, img, err, errlen);
    free(copy);
    return rc;
}

static void test_round_trip(void)
{
    uint8_t *b;
    size_t len;
    CHECK_EQ(build_small(&b, &len), 0);
    CHECK_EQ(len, VB_FW_HEADER_LEN + 3 * VB_FW_ENTRY_LEN + 5 + 8 + 5 + strlen(boot_src) +
                      strlen(main_src));
    CHECK_MEM(b, "VBFW", 4);
    CHECK_EQ(vb_ld16(b + 4), 1);
    CHECK_EQ(vb_ld16(b + 6), VB_FW_HEADER_LEN);
    CHECK_EQ(vb_ld32(b + 8), len - VB_FW_HEADER_LEN);
    CHECK_EQ(vb_ld32(b + 12), 3);
    vb_fw_image img;
    char err[VB_ERR_LEN] = "";
    CHECK_EQ(vb_fw_parse(b, len, &img, err, sizeof err), 0);
    CHECK_STR(img.version, "1.2.3-test");
    CHECK_EQ(img.total_len, len);
    CHECK_EQ(img.n_modules, 3);
    CHECK_STR(img.modules[0].name, "_boot");
    CHECK_STR(img.modules[1].name, "main_mod");
    CHECK_STR(img.modules[2].name, "empty");
    const vb_fw_module *m = vb_fw_find(&img, "main_mod");
    CHECK(m != NULL);
    if (m) {
        CHECK_EQ(m->len, strlen(main_src));
        CHECK_MEM(m->data, main_src, m->len);
        CHECK(m->data > b && m->data < b + len);   /* a view into the buffer */
    }
    CHECK_EQ(vb_fw_find(&img, "empty")->len, 0);
    CHECK(vb_fw_find(&img, "nope") == NULL);
    CHECK(vb_fw_find(&img, "main") == NULL);
    free(b);
}

static void test_build_refusals(void)
{
    char err[VB_ERR_LEN] = "";
    uint8_t *b = (uint8_t *)1;
    size_t len = 7;
    const vb_fw_module no_boot[] = {{"main", (const uint8_t *)"x", 1}};
    CHECK_EQ(vb_fw_build(no_boot, 1, "v1", &b, &len, err, sizeof err), -EINVAL);
    CHECK_STR(err, "a firmware image needs a _boot module");
    CHECK(b == NULL);
    CHECK_EQ(len, 0);

    static const char *const bad_names[] = {"", "1abc", "a-b", "a.b", "a b", "é",
        "a234567890123456789012345678901234567890123456789012345678901234"};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        const vb_fw_module mods[] = {{"_boot", NULL, 0}, {bad_names[i], NULL, 0}};
        err[0] = '\0';
        CHECK_EQ(vb_fw_build(mods, 2, "v1", &b, &len, err, sizeof err), -EINVAL);
        CHECK(strstr(err, "bad module name") != NULL);
    }
    /* 63 characters is the longest name */
    const vb_fw_module longest[] = {{"_boot", NULL, 0},
        {"a23456789012345678901234567890123456789012345678901234567890123", NULL, 0}};
    CHECK_EQ(vb_fw_build(longest, 2, "v1", &b, &len, err, sizeof err), 0);
    free(b);

    const vb_fw_module twice[] = {{"_boot", NULL, 0}, {"_boot", NULL, 0}};
    CHECK_EQ(vb_fw_build(twice, 2, "v1", &b, &len, err, sizeof err), -EINVAL);
    CHECK(strstr(err, "twice") != NULL);

    const vb_fw_module ok[] = {{"_boot", NULL, 0}};
    static const char *const bad_versions[] = {"", "123456789012345678901234567890123", "a\tb",
                                               "tab\x7f", "\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad_versions / sizeof bad_versions[0]; i++) {
        err[0] = '\0';
        CHECK_EQ(vb_fw_build(ok, 1, bad_versions[i], &b, &len, err, sizeof err), -EINVAL);
        CHECK(strstr(err, "version") != NULL);
    }
    CHECK_EQ(vb_fw_build(ok, 1, "12345678901234567890123456789012", &b, &len, err, sizeof err), 0);
    vb_fw_image img;
    CHECK_EQ(vb_fw_parse(b, len, &img, err, sizeof err), 0);
    CHECK_STR(img.version, "12345678901234567890123456789012");
    free(b);

    vb_fw_module many[VB_FW_MAX_MODULES + 1];
    char names[VB_FW_MAX_MODULES + 1][8];
    for (unsigned i = 0; i <= VB_FW_MAX_MODULES; i++) {
        snprintf(names[i], sizeof names[i], i ? "m%u" : "_boot", i);
        many[i] = (vb_fw_module){names[i], NULL, 0};
    }
    CHECK_EQ(vb_fw_build(many, VB_FW_MAX_MODULES + 1, "v", &b, &len, err, sizeof err), -EINVAL);
    CHECK(strstr(err, "too many modules") != NULL);
    CHECK_EQ(vb_fw_build(many, VB_FW_MAX_MODULES, "v", &b, &len, err, sizeof err), 0);
    CHECK_EQ(vb_fw_parse(b, len, &img, err, sizeof err), 0);
    CHECK_EQ(img.n_modules, VB_FW_MAX_MODULES);
    CHECK_STR(img.modules[VB_FW_MAX_MODULES - 1].name, "m63");
    free(b);
}

/* Flip each byte of the image in turn (several XOR patterns): never success,
 * always -EBADMSG or -EINVAL (magic), never a crash or an overread. */
static void test_every_byte_corruption(void)
{
    uint8_t *b;
    size_t len;
    CHECK_EQ(build_small(&b, &len), 0);
    static const uint8_t flips[] = {0x01, 0x80, 0xFF, 0x5A};
    int wrong = 0, ebadmsg = 0, einval = 0;
    for (size_t i = 0; i < len; i++) {
        for (size_t k = 0; k < sizeof flips; k++) {
            b[i] ^= flips[k];
            vb_fw_image img;
            char err[VB_ERR_LEN] = "";
            int rc = parse_exact(b, len, &img, err, sizeof err);
            b[i] ^= flips[k];
            if (rc == -EBADMSG)
                ebadmsg++;
            else if (rc == -EINVAL && i < 4)
                einval++;
            else if (wrong++ < 5)
                fprintf(stderr, "byte %zu ^ 0x%02x: rc %d (%s)\n", i, flips[k], rc, err);
            if (rc < 0 && !err[0] && wrong++ < 5)
                fprintf(stderr, "byte %zu: no message\n", i);
        }
    }
    CHECK_EQ(wrong, 0);
    CHECK_EQ(einval, 4 * 4);
    CHECK_EQ(ebadmsg, (int)(len - 4) * 4);

    /* which sentence: a header byte is the CRC, a payload byte the digest */
    vb_fw_image img;
    char err[VB_ERR_LEN];
    b[20] ^= 1;
    CHECK_EQ(vb_fw_parse(b, len, &img, err, sizeof err), -EBADMSG);
    CHECK(strstr(err, "header CRC") != NULL);
    b[20] ^= 1;
    b[len - 1] ^= 1;
    CHECK_EQ(vb_fw_parse(b, len, &img, err, sizeof err), -EBADMSG);
    CHECK(strstr(err, "digest") != NULL);
    b[len - 1] ^= 1;
    CHECK_EQ(vb_fw_parse(b, len, &img, err, sizeof err), 0);
    free(b);
}

static void test_every_truncation(void)
{
    uint8_t *b;
    size_t len;
    CHECK_EQ(build_small(&b, &len), 0);
    int accepted = 0;
    for (size_t n = 0; n < len; n++) {
        vb_fw_image img;
        char err[VB_ERR_LEN] = "";
        int rc = parse_exact(b, n, &img, err, sizeof err);
        if (rc >= 0 || !err[0])
            accepted++;
        if (n >= VB_FW_HEADER_LEN)
            CHECK_EQ(rc, -EFBIG);
    }
    CHECK_EQ(accepted, 0);
    free(b);
}

static void test_padding_and_erased(void)
{
    uint8_t *b;
    size_t len;
    CHECK_EQ(build_small(&b, &len), 0);
    size_t slot = 0x4000;
    uint8_t *s = malloc(slot);
    memset(s, 0xFF, slot);
    memcpy(s, b, len);
    vb_fw_image img;
    char err[VB_ERR_LEN] = "";
    CHECK_EQ(vb_fw_parse(s, slot, &img, err, sizeof err), 0);
    CHECK_EQ(img.total_len, len);
    CHECK_EQ(img.n_modules, 3);
    /* garbage after the image is ignored too */
    memset(s + len, 0x00, slot - len);
    CHECK_EQ(vb_fw_parse(s, slot, &img, err, sizeof err), 0);
    /* an erased slot, and zeros */
    memset(s, 0xFF, slot);
    CHECK_EQ(vb_fw_parse(s, slot, &img, err, sizeof err), -EINVAL);
    CHECK(strstr(err, "not a vboard firmware image") != NULL);
    CHECK(strstr(err, "erased") != NULL);
    memset(s, 0, slot);
    CHECK_EQ(vb_fw_parse(s, slot, &img, err, sizeof err), -EINVAL);
    free(s);
    free(b);
}

/* Re-seal a header after editing it: the CRC then holds, so the checks
 * behind it are what refuse. */
static void reseal(uint8_t *b)
{
    vb_st32(b + VB_FW_CRC_OFFSET, vb_crc32(b, VB_FW_CRC_OFFSET, 0xFFFFFFFFu, 0xFFFFFFFFu));
}

static void test_lying_headers(void)
{
    uint8_t *b;
    size_t len;
    CHECK_EQ(build_small(&b, &len), 0);
    vb_fw_image img;
    char err[VB_ERR_LEN];
    uint8_t *c = malloc(len);

    /* huge payload lengths: refused from the header alone */
    static const uint32_t huge[] = {0xFFFFFFFFu, 0xFFFFFFFFu - VB_FW_HEADER_LEN,
                                    0x80000000u, 0x01000000u};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        memcpy(c, b, len);
        vb_st32(c + 8, huge[i]);
        reseal(c);
        int rc = parse_exact(c, len, &img, err, sizeof err);
        CHECK(rc == -EFBIG || rc == -EBADMSG);
    }
    memcpy(c, b, len);
    vb_st32(c + 8, (uint32_t)(len - VB_FW_HEADER_LEN + 1));
    reseal(c);
    CHECK_EQ(parse_exact(c, len, &img, err, sizeof err), -EFBIG);
    CHECK(strstr(err, "claims") != NULL);

    /* a shorter payload length with a matching digest: entries must use it exactly */
    memcpy(c, b, len);
    uint32_t shorter = (uint32_t)(len - VB_FW_HEADER_LEN - 2);
    vb_st32(c + 8, shorter);
    vb_sha256(c + VB_FW_HEADER_LEN, shorter, c + 48);
    reseal(c);
    CHECK_EQ(parse_exact(c, len, &img, err, sizeof err), -EBADMSG);

    /* entry lengths that lie, behind a valid digest */
    memcpy(c, b, len);
    vb_st32(c + VB_FW_HEADER_LEN + 2, 0xFFFFFFF0u);   /* _boot's source length */
    vb_sha256(c + VB_FW_HEADER_LEN, len - VB_FW_HEADER_LEN, c + 48);
    reseal(c);
    CHECK_EQ(parse_exact(c, len, &img, err, sizeof err), -EBADMSG);
    CHECK(strstr(err, "past the end") != NULL);
    memcpy(c, b, len);
    vb_st16(c + VB_FW_HEADER_LEN, 0xFFFF);             /* _boot's name length */
    vb_sha256(c + VB_FW_HEADER_LEN, len - VB_FW_HEADER_LEN, c + 48);
    reseal(c);
    CHECK_EQ(parse_exact(c, len, &img, err, sizeof err), -EBADMSG);

    /* counts, format, header size */
    static const uint32_t counts[] = {0, 2, 4, VB_FW_MAX_MODULES + 1, 0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        memcpy(c, b, len);
        vb_st32(c + 12, counts[i]);
        reseal(c);
        CHECK_EQ(parse_exact(c, len, &img, err, sizeof err), -EBADMSG);
    }
    memcpy(c, b, len);
    vb_st16(c + 4, 2);
    reseal(c);
    CHECK_EQ(parse_exact(c, len, &img, err, sizeof err), -EBADMSG);
    CHECK(strstr(err, "format 2") != NULL);
    memcpy(c, b, len);
    vb_st16(c + 6, 0xFFFF);
    reseal(c);
    CHECK_EQ(parse_exact(c, len, &img, err, sizeof err), -EBADMSG);
    /* a version field with bytes after its NUL, or a control character */
    memcpy(c, b, len);
    c[16 + 20] = 'x';
    reseal(c);
    CHECK_EQ(parse_exact(c, len, &img, err, sizeof err), -EBADMSG);
    memcpy(c, b, len);
    c[16] = '\n';
    reseal(c);
    CHECK_EQ(parse_exact(c, len, &img, err, sizeof err), -EBADMSG);
    free(c);
    free(b);
}

static void test_no_boot_in_parsed_image(void)
{
    /* Built by hand: a valid image whose only module is not _boot. */
    uint8_t *b;
    size_t len;
    const vb_fw_module mods[] = {{"_boot", (const uint8_t *)"x", 1}};
    char err[VB_ERR_LEN];
    CHECK_EQ(vb_fw_build(mods, 1, "v", &b, &len, err, sizeof err), 0);
    memcpy(b + VB_FW_HEADER_LEN + VB_FW_ENTRY_LEN, "_bxot", 5);
    vb_sha256(b + VB_FW_HEADER_LEN, len - VB_FW_HEADER_LEN, b + 48);
    reseal(b);
    vb_fw_image img;
    CHECK_EQ(vb_fw_parse(b, len, &img, err, sizeof err), -EBADMSG);
    CHECK(strstr(err, "_boot") != NULL);
    CHECK_EQ(img.n_modules, 0);
    free(b);
}

static void test_factory(void)
{
    static const char src[] = "# _boot.py -- always run on boot-up, even during safe boot\nimport os\n";
    size_t len = 0, len2 = 0;
    const uint8_t *f = vb_fw_factory(&len);
    CHECK(f != NULL);
    CHECK(vb_fw_factory(&len2) == f);   /* built once */
    CHECK_EQ(len2, len);
    CHECK_EQ(len, VB_FW_HEADER_LEN + VB_FW_ENTRY_LEN + 5 + strlen(src));
    vb_fw_image img;
    char err[VB_ERR_LEN];
    CHECK_EQ(vb_fw_parse(f, len, &img, err, sizeof err), 0);
    CHECK_STR(img.version, "1.20.2.r4-vboard");
    CHECK_STR(img.version, VB_FW_FACTORY_VERSION);
    CHECK_EQ(img.n_modules, 1);
    const vb_fw_module *m = vb_fw_find(&img, "_boot");
    CHECK(m != NULL);
    if (m) {
        CHECK_EQ(m->len, strlen(src));
        CHECK_MEM(m->data, src, m->len);
    }
    /* the exact bytes: header fields, then the one entry */
    uint8_t want[VB_FW_HEADER_LEN + VB_FW_ENTRY_LEN + 5 + sizeof src - 1];
    memset(want, 0, sizeof want);
    memcpy(want, "VBFW\x01\x00\x54\x00", 8);
    vb_st32(want + 8, (uint32_t)(VB_FW_ENTRY_LEN + 5 + strlen(src)));
    vb_st32(want + 12, 1);
    memcpy(want + 16, "1.20.2.r4-vboard", 16);
    uint8_t *e = want + VB_FW_HEADER_LEN;
    vb_st16(e, 5);
    vb_st32(e + 2, (uint32_t)strlen(src));
    memcpy(e + 6, "_boot", 5);
    memcpy(e + 11, src, strlen(src));
    vb_sha256(e, sizeof want - VB_FW_HEADER_LEN, want + 48);
    reseal(want);
    CHECK_EQ(len, sizeof want);
    CHECK_MEM(f, want, sizeof want);
}

static void test_slots(void)
{
    const vb_profile *gen = vb_profile_find("generic"), *py = vb_profile_find("pycom");
    const vb_partition *fac = vb_fw_slot_find(py, "factory"), *ota = vb_fw_slot_find(py, "ota_0");
    CHECK(fac && fac->offset == 0x10000 && fac->size == 0x1EF000);
    CHECK(ota && ota->offset == 0x210000 && ota->size == 0x1EF000);
    CHECK(vb_fw_slot_find(gen, "ota_0") == NULL);
    CHECK(vb_fw_slot_find(gen, "factory") != NULL);
    CHECK(vb_fw_slot_find(py, "nvs") == NULL);
    CHECK(vb_fw_slot_find(py, "otadata") == NULL);
    char name[16];
    vb_fw_slot_name(ota, name, sizeof name);
    CHECK_STR(name, "ota_0");

    vb_flash f;
    CHECK_EQ(vb_flash_open_ram(&f, 0x40000), 0);
    char err[VB_ERR_LEN] = "";
    uint8_t *buf = (uint8_t *)1;
    vb_fw_image img;
    /* erased slot */
    CHECK_EQ(vb_fw_read_slot(&f, 0x10000, 0x20000, &buf, &img, err, sizeof err), -EINVAL);
    CHECK(buf == NULL);
    CHECK(strstr(err, "erased") != NULL);

    uint8_t *b;
    size_t len;
    CHECK_EQ(build_small(&b, &len), 0);
    /* old contents in the slot: write erases what it covers */
    uint8_t junk[0x2000];
    memset(junk, 0x00, sizeof junk);
    CHECK_EQ(vb_flash_program(&f, 0x10000, junk, sizeof junk), 0);
    uint64_t erases = f.n_erase;
    CHECK_EQ(vb_fw_write_slot(&f, 0x10000, 0x20000, b, len, err, sizeof err), 0);
    CHECK_EQ(f.n_erase - erases, 1);   /* only the block the image covers */
    CHECK_EQ(f.bad_programs, 0);
    CHECK_MEM(f.mem + 0x10000, b, len);
    CHECK_EQ(f.mem[0x10000 + len], 0xFF);
    CHECK_EQ(f.mem[0x11000], 0x00);     /* beyond the image: left as it was */
    CHECK_EQ(vb_fw_read_slot(&f, 0x10000, 0x20000, &buf, &img, err, sizeof err), 0);
    CHECK(buf != NULL);
    CHECK_STR(img.version, "1.2.3-test");
    CHECK_EQ(img.n_modules, 3);
    CHECK(img.modules[1].data >= buf && img.modules[1].data < buf + len);
    free(buf);

    /* a slot too small for the image, and one too small for its header */
    CHECK_EQ(vb_fw_write_slot(&f, 0x30000, 0x1000, b, 0x1001, err, sizeof err), -EFBIG);
    CHECK(strstr(err, "firmware of 4097 bytes does not fit the slot at 0x30000 (4096 bytes)") != NULL);
    CHECK_EQ(vb_fw_read_slot(&f, 0x10000, 64, &buf, &img, err, sizeof err), -EFBIG);
    CHECK(buf == NULL);
    CHECK_EQ(vb_fw_read_slot(&f, 0x10000, (uint32_t)len - 1, &buf, &img, err, sizeof err), -EFBIG);
    CHECK_EQ(vb_fw_write_slot(&f, 0x10001, 0x1000, b, len, err, sizeof err), -EINVAL);

    /* a torn payload in flash is found */
    uint8_t zero = 0;
    CHECK_EQ(vb_flash_program(&f, 0x10000 + (uint32_t)len - 1, &zero, 1), 0);
    CHECK_EQ(vb_fw_read_slot(&f, 0x10000, 0x20000, &buf, &img, err, sizeof err), -EBADMSG);
    CHECK(strstr(err, "digest") != NULL);
    /* and a power cut in the middle of writing leaves no valid image */
    vb_flash_set_cut(&f, f.ops + 2, VB_CUT_TORN_PREFIX, 7);
    CHECK(vb_fw_write_slot(&f, 0x10000, 0x20000, b, len, err, sizeof err) < 0 || f.dead);
    vb_flash_power_on(&f);
    CHECK(vb_fw_read_slot(&f, 0x10000, 0x20000, &buf, &img, err, sizeof err) < 0);
    vb_flash_close(&f);
    free(b);
}

int main(void)
{
    RUN(test_round_trip);
    RUN(test_build_refusals);
    RUN(test_every_byte_corruption);
    RUN(test_every_truncation);
    RUN(test_padding_and_erased);
    RUN(test_lying_headers);
    RUN(test_no_boot_in_parsed_image);
    RUN(test_factory);
    RUN(test_slots);
    return CHECK_DONE();
}
