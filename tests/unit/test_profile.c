/* Unit tests: board profiles (src/board/profile.c), the ESP-IDF partition
 * table (parttable.c), the Pycom otadata record (otadata.c), and the MD5 and
 * CRC-32 helpers they rest on (src/util). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "flash/flash.h"
#include "flash/otadata.h"
#include "flash/parttable.h"
#include "board/profile.h"
#include "util/crc32.h"
#include "util/md5.h"

static void hex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

/* ---- MD5 ----------------------------------------------------------------- */

static void check_md5(const char *msg, size_t n, const char *want)
{
    uint8_t d[VB_MD5_LEN];
    char h[33];
    vb_md5(msg, n, d);
    hex(d, sizeof d, h);
    CHECK_STR(h, want);
}

static void test_md5_rfc1321(void)
{
    /* RFC 1321 appendix A.5 test suite */
    check_md5("", 0, "d41d8cd98f00b204e9800998ecf8427e");
    check_md5("a", 1, "0cc175b9c0f1b6a831c399e269772661");
    check_md5("abc", 3, "900150983cd24fb0d6963f7d28e17f72");
    check_md5("message digest", 14, "f96b697d7cb7938d525a2f31aaf161d0");
    check_md5("abcdefghijklmnopqrstuvwxyz", 26, "c3fcd3d76192e4007dfb496cca67e13b");
    const char *alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    check_md5(alnum, strlen(alnum), "d174ab98d277d9f5a5611c2c9f419d9f");
    const char *digits = "1234567890123456789012345678901234567890"
                         "1234567890123456789012345678901234567890";
    check_md5(digits, strlen(digits), "57edf4a22be3c955ac49da2e2107b67a");
}

static void test_md5_padding_edges(void)
{
    /* lengths around the 56-byte padding boundary and the 64-byte block */
    static const struct { size_t n; const char *want; } v[] = {
        {55, "ef1772b6dff9a122358552954ad0df65"},
        {56, "3b0c8ac703f828b04c6c197006d17218"},
        {63, "b06521f39153d618550606be297466d5"},
        {64, "014842d480b571495a4a0363793f7367"},
        {65, "c743a45e0d2e6a95cb859adae0248435"},
        {1000, "cabe45dcc9ae5b66ba86600cca6b8ba8"},
    };
    char a[1000];
    memset(a, 'a', sizeof a);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        check_md5(a, v[i].n, v[i].want);

    /* incremental in uneven pieces = one shot */
    uint8_t one[VB_MD5_LEN], inc[VB_MD5_LEN];
    vb_md5(a, sizeof a, one);
    vb_md5_ctx c;
    vb_md5_init(&c);
    size_t pos = 0, step = 1;
    while (pos < sizeof a) {
        size_t k = step < sizeof a - pos ? step : sizeof a - pos;
        vb_md5_update(&c, a + pos, k);
        pos += k;
        step = step * 3 % 97 + 1;
    }
    vb_md5_final(&c, inc);
    CHECK_MEM(one, inc, sizeof one);
}

/* ---- CRC-32 -------------------------------------------------------------- */

static void test_crc32(void)
{
    const char *s = "123456789";
    /* zlib crc32(b"123456789") */
    CHECK_EQ(vb_crc32(s, 9, 0xFFFFFFFFu, 0xFFFFFFFFu), 0xCBF43926u);
    /* zlib crc32(b"123456789", 0xFFFFFFFF): preset 0, final XOR */
    CHECK_EQ(vb_crc32(s, 9, 0, 0xFFFFFFFFu), 0xD202D277u);
    /* littlefs style: preset 0xFFFFFFFF, no final XOR */
    CHECK_EQ(vb_crc32(s, 9, 0xFFFFFFFFu, 0), 0x340BC6D9u);
    const char *fox = "The quick brown fox jumps over the lazy dog";
    CHECK_EQ(vb_crc32(fox, strlen(fox), 0xFFFFFFFFu, 0xFFFFFFFFu), 0x414FA339u);
    /* empty input: just preset ^ xorout */
    CHECK_EQ(vb_crc32(s, 0, 0x12345678u, 0xFFFFFFFFu), 0xEDCBA987u);
    /* the raw register chains */
    uint32_t r = vb_crc32_raw(0xFFFFFFFFu, s, 4);
    r = vb_crc32_raw(r, s + 4, 5);
    CHECK_EQ(r ^ 0xFFFFFFFFu, 0xCBF43926u);
}

/* ---- profiles ------------------------------------------------------------ */

static void test_profile_lookup(void)
{
    const vb_profile *g = vb_profile_find("esp32");
    const vb_profile *p = vb_profile_find("pycom");
    const vb_profile *r = vb_profile_find("rp2");
    CHECK(g != NULL && p != NULL && r != NULL && g != p && r != g && r != p);
    CHECK(vb_profile_find("generic") == g);      /* the alias: same profile */
    CHECK(vb_profile_find("esp8266") == NULL);
    CHECK(vb_profile_find("") == NULL);
    CHECK(vb_profile_find(NULL) == NULL);
    CHECK(vb_profile_find("GENERIC") == NULL);

    const vb_profile *const *all = vb_profile_all();
    CHECK(all[0] == g);
    CHECK(all[1] == p);
    CHECK(all[2] == r);
    CHECK(all[3] == NULL);

    CHECK(vb_profile_for_size(4u << 20) == g);
    CHECK(vb_profile_for_size(8u << 20) == p);
    CHECK(vb_profile_for_size(2u << 20) == r);
    CHECK(vb_profile_for_size(1u << 20) == NULL);
    CHECK(vb_profile_for_size(0) == NULL);
    CHECK(vb_profile_for_size((8ull << 20) + (1ull << 32)) == NULL);

    /* flash sizes are unique, so an image's size names its board */
    for (unsigned i = 0; all[i]; i++)
        for (unsigned j = i + 1; all[j]; j++)
            CHECK(all[i]->flash_size != all[j]->flash_size);
    for (unsigned i = 0; all[i]; i++) {
        char err[VB_ERR_LEN] = "";
        CHECK_EQ(vb_profile_validate(all[i], err, sizeof err), 0);
        CHECK_STR(err, "");
        CHECK(all[i]->description && *all[i]->description);
        /* no alias is another profile's name or alias */
        for (const char *const *a = all[i]->aliases; a && *a; a++)
            CHECK(vb_profile_find(*a) == all[i]);
        CHECK(vb_profile_find(all[i]->name) == all[i]);
    }
}

static void check_part(const vb_partition *a, uint32_t off, uint32_t size, uint8_t type,
                       uint8_t sub, const char *label, uint32_t flags)
{
    CHECK_EQ(a->offset, off);
    CHECK_EQ(a->size, size);
    CHECK_EQ(a->type, type);
    CHECK_EQ(a->subtype, sub);
    CHECK_STR(a->label, label);
    CHECK_EQ(a->flags, flags);
}

static void test_profile_esp32(void)
{
    const vb_profile *g = vb_profile_find("generic");
    CHECK_STR(g->name, "esp32");
    CHECK(g->port == &vb_port_esp32);
    CHECK_EQ(g->flash_size, 0x400000);
    CHECK_EQ(g->prog_page, 256);
    CHECK_EQ(g->parttable_offset, 0x8000);
    CHECK_EQ(g->n_parts, 4);
    check_part(&g->parts[0], 0x9000, 0x6000, VB_PART_TYPE_DATA, 0x02, "nvs", 0);
    check_part(&g->parts[1], 0xF000, 0x1000, VB_PART_TYPE_DATA, 0x01, "phy_init", 0);
    check_part(&g->parts[2], 0x10000, 0x1F0000, VB_PART_TYPE_APP, 0x00, "factory", 0);
    check_part(&g->parts[3], 0x200000, 0x200000, VB_PART_TYPE_DATA, 0x81, "vfs", 0);
    CHECK_EQ(g->otadata_offset, 0);
    CHECK_EQ(g->fs_offset, 0x200000);
    CHECK_EQ(g->fs_size, 0x200000);
    CHECK_EQ(g->fs_sector_size, 4096);
    CHECK(!g->fs_writeback_block);
    CHECK_STR(g->port->mount_point, "/");
    CHECK(g->fs_label == NULL);
    CHECK_EQ(g->port->n_default_files, 1);
    CHECK_STR(g->port->default_files[0].path, "boot.py");
    const char *c = g->port->default_files[0].content;
    CHECK(c[0] == '#' && c[strlen(c) - 1] == '\n');
    /* comment lines only */
    for (const char *line = c; *line; line = strchr(line, '\n') + 1)
        CHECK(*line == '#');
    CHECK_EQ(g->port->n_default_dirs, 0);
    CHECK(!g->port->defaults_every_boot);
}

static void test_profile_rp2(void)
{
    const vb_profile *r = vb_profile_find("rp2");
    CHECK_STR(r->name, "rp2");
    CHECK(r->port == &vb_port_rp2);
    CHECK(r->aliases == NULL);
    CHECK_EQ(r->flash_size, 2u << 20);
    CHECK_EQ(r->n_parts, 0);                     /* no ESP partition table */
    CHECK(r->parts == NULL);
    CHECK_EQ(r->otadata_offset, 0);              /* no otadata */
    CHECK_EQ(r->fs_offset, 0xA0000);
    CHECK_EQ(r->fs_size, 1408u * 1024u);
    CHECK_EQ(r->fs_offset + r->fs_size, r->flash_size);   /* the end of flash */
    CHECK_EQ(r->fs_sector_size, 4096);
    CHECK(!r->fs_writeback_block);
    CHECK(r->fs_label == NULL);
}

static void test_profile_pycom(void)
{
    const vb_profile *p = vb_profile_find("pycom");
    CHECK_STR(p->name, "pycom");
    CHECK_EQ(p->flash_size, 0x800000);
    CHECK_EQ(p->prog_page, 0);
    CHECK_EQ(p->parttable_offset, 0x8000);
    CHECK_EQ(p->n_parts, 5);
    check_part(&p->parts[0], 0x9000, 0x7000, VB_PART_TYPE_DATA, 0x02, "nvs", 0);
    check_part(&p->parts[1], 0x10000, 0x1EF000, VB_PART_TYPE_APP, 0x00, "factory", 1);
    check_part(&p->parts[2], 0x1FF000, 0x1000, VB_PART_TYPE_DATA, 0x00, "otadata", 1);
    check_part(&p->parts[3], 0x210000, 0x1EF000, VB_PART_TYPE_APP, 0x10, "ota_0", 1);
    check_part(&p->parts[4], 0x3FF000, 0x1000, VB_PART_TYPE_DATA, 0x06, "config", 0);
    CHECK_EQ(p->otadata_offset, 0x1FF000);
    CHECK_EQ(p->fs_offset, 0x400000);
    CHECK_EQ(p->fs_size, 0x400000);
    CHECK_EQ(p->fs_sector_size, 512);
    CHECK(p->fs_writeback_block);
    CHECK(p->port == &vb_port_pycom);
    CHECK_STR(p->port->mount_point, "/flash");
    CHECK(p->fs_label == NULL);
    CHECK_EQ(p->port->n_default_files, 2);
    CHECK_STR(p->port->default_files[0].path, "main.py");
    CHECK_STR(p->port->default_files[0].content, "# main.py -- put your code here!\r\n");
    CHECK_STR(p->port->default_files[1].path, "boot.py");
    CHECK_STR(p->port->default_files[1].content, "# boot.py -- run on boot-up\r\n");
    CHECK_EQ(p->port->n_default_dirs, 3);
    CHECK_STR(p->port->default_dirs[0], "sys");
    CHECK_STR(p->port->default_dirs[1], "lib");
    CHECK_STR(p->port->default_dirs[2], "cert");
    CHECK(p->port->defaults_every_boot);
}

/* Each broken copy of a valid profile must be refused with a sentence. */
static void expect_invalid(const vb_profile *p, const char *what)
{
    char err[VB_ERR_LEN] = "";
    int rc = vb_profile_validate(p, err, sizeof err);
    CHECK_EQ(rc, -EINVAL);
    CHECK(err[0] != '\0');
    if (rc != -EINVAL)
        fprintf(stderr, "  (accepted: %s)\n", what);
}

static void test_profile_validate_errors(void)
{
    const vb_profile *g = vb_profile_find("generic");
    const vb_profile *py = vb_profile_find("pycom");
    vb_partition parts[8];
    vb_profile p;

#define RESET(base) do { p = *(base); memcpy(parts, (base)->parts, (base)->n_parts * sizeof parts[0]); \
    p.parts = parts; } while (0)

    CHECK_EQ(vb_profile_validate(NULL, NULL, 0), -EINVAL);
    RESET(g); p.name = ""; expect_invalid(&p, "empty name");
    RESET(g); p.flash_size = 0x400100; expect_invalid(&p, "flash size");
    RESET(g); p.prog_page = 300; expect_invalid(&p, "prog_page");
    RESET(g); parts[0].offset = 0x9100; expect_invalid(&p, "misaligned data");
    RESET(g); parts[2].offset = 0x11000; parts[2].size = 0x1EF000; expect_invalid(&p, "app not 64K");
    RESET(g); parts[1].size = 0x2000; expect_invalid(&p, "overlap");
    RESET(g); parts[0].offset = 0x8000; expect_invalid(&p, "table block");
    RESET(g); parts[3].size = 0x300000; expect_invalid(&p, "beyond flash");
    RESET(g); parts[1].label = "nvs"; expect_invalid(&p, "duplicate label");
    RESET(g); parts[1].label = "a_label_too_long"; expect_invalid(&p, "label 16");
    RESET(g); parts[1].label = NULL; expect_invalid(&p, "no label");
    RESET(g); parts[1].size = 0; expect_invalid(&p, "size 0");
    RESET(g); p.parttable_offset = 0x8800; expect_invalid(&p, "table misaligned");
    RESET(g); p.fs_offset = 0x300000; expect_invalid(&p, "FS beyond flash / partial overlap");
    RESET(g); p.fs_offset = 0x201000; p.fs_size = 0x100000; expect_invalid(&p, "FS inside vfs");
    RESET(g); p.fs_offset = 0x0; p.fs_size = 0x10000; expect_invalid(&p, "FS over table");
    RESET(g); p.fs_offset = 0x100000; p.fs_size = 0x100000; expect_invalid(&p, "FS over factory");
    RESET(g); p.fs_size = 0x10000; p.fs_offset = 0x3F0000; expect_invalid(&p, "FS in vfs tail");
    RESET(g); p.fs_offset = 0x800000; expect_invalid(&p, "FS outside flash");
    RESET(g); p.fs_size = 0; expect_invalid(&p, "FS size 0");
    RESET(g); p.fs_size = 0x20000; p.fs_offset = 0x200000; expect_invalid(&p, "FS part of vfs");
    RESET(py); p.fs_size = 0x4000; expect_invalid(&p, "FS of 32 sectors too small");
    RESET(g); p.fs_sector_size = 1000; expect_invalid(&p, "sector 1000");
    RESET(g); p.fs_sector_size = 8192; expect_invalid(&p, "sector 8192");
    RESET(g); p.fs_sector_size = 256; expect_invalid(&p, "sector 256");
    RESET(g); p.fs_label = "A_VERY_LONG_LABEL"; expect_invalid(&p, "fs label");
    RESET(g); p.heap_size = 0; expect_invalid(&p, "no heap");
    RESET(g); p.heap_size = 16 * 1024 - 16; expect_invalid(&p, "heap under 16 KiB");
    RESET(g); p.heap_size = 111160; expect_invalid(&p, "heap not whole GC blocks");
    RESET(g); p.port = NULL; expect_invalid(&p, "no port");
    RESET(g); p.port = &vb_port_pycom; expect_invalid(&p, "safe-boot pin without otadata");
    static const char *const self_alias[] = {"esp32", NULL}, *const empty_alias[] = {"", NULL};
    RESET(g); p.aliases = self_alias; expect_invalid(&p, "alias = its name");
    RESET(g); p.aliases = empty_alias; expect_invalid(&p, "empty alias");
    RESET(py); p.fs_offset = 0x3F0000; p.fs_size = 0x10000; expect_invalid(&p, "FS over config");
    RESET(py); p.fs_size = 0x800000; expect_invalid(&p, "FS past end");
    RESET(py); p.otadata_offset = 0x3FF000; expect_invalid(&p, "otadata not entry 2");
    RESET(py); parts[2] = py->parts[4]; parts[4] = py->parts[2]; expect_invalid(&p, "otadata order");

    /* the copies themselves are fine when unbroken */
    RESET(py);
    CHECK_EQ(vb_profile_validate(&p, NULL, 0), 0);
    RESET(g);
    CHECK_EQ(vb_profile_validate(&p, NULL, 0), 0);
#undef RESET
}

/* ---- partition table ----------------------------------------------------- */

static void check_table(const vb_profile *p, const char *md5_hex)
{
    uint8_t t[VB_PARTTABLE_LEN];
    memset(t, 0, sizeof t);
    int len = vb_parttable_build(p->parts, p->n_parts, t, sizeof t);
    CHECK_EQ(len, 32 * (p->n_parts + 1));
    for (unsigned i = 0; i < p->n_parts; i++) {
        const uint8_t *e = t + 32 * i;
        const vb_partition *a = &p->parts[i];
        CHECK(e[0] == 0xAA && e[1] == 0x50);
        CHECK_EQ(e[2], a->type);
        CHECK_EQ(e[3], a->subtype);
        CHECK_EQ(e[4] | e[5] << 8 | e[6] << 16 | (uint32_t)e[7] << 24, a->offset);
        CHECK_EQ(e[8] | e[9] << 8 | e[10] << 16 | (uint32_t)e[11] << 24, a->size);
        CHECK(memcmp(e + 12, a->label, strlen(a->label)) == 0);
        CHECK(all_bytes(e + 12 + strlen(a->label), 16 - strlen(a->label), 0));
        CHECK_EQ(e[28] | e[29] << 8 | e[30] << 16 | (uint32_t)e[31] << 24, a->flags);
    }
    const uint8_t *m = t + 32 * p->n_parts;
    CHECK(m[0] == 0xEB && m[1] == 0xEB);
    CHECK(all_bytes(m + 2, 14, 0xFF));
    char h[33];
    hex(m + 16, 16, h);
    CHECK_STR(h, md5_hex); /* computed independently (Python hashlib) */
    CHECK(all_bytes(t + len, VB_PARTTABLE_LEN - (size_t)len, 0xFF));

    vb_part_rec recs[8];
    char err[VB_ERR_LEN] = "";
    CHECK_EQ(vb_parttable_parse(t, sizeof t, recs, 8, err, sizeof err), (int)p->n_parts);
    for (unsigned i = 0; i < p->n_parts; i++) {
        CHECK_EQ(recs[i].offset, p->parts[i].offset);
        CHECK_EQ(recs[i].size, p->parts[i].size);
        CHECK_EQ(recs[i].type, p->parts[i].type);
        CHECK_EQ(recs[i].subtype, p->parts[i].subtype);
        CHECK_EQ(recs[i].flags, p->parts[i].flags);
        CHECK_STR(recs[i].label, p->parts[i].label);
        CHECK_EQ(vb_parttable_find(recs, p->n_parts, p->parts[i].label), (int)i);
    }
    CHECK_EQ(vb_parttable_find(recs, p->n_parts, "nonesuch"), -ENOENT);
}

static void test_parttable_build_parse(void)
{
    check_table(vb_profile_find("generic"), "fcbb2b925747711e3b24bc188f657bac");
    check_table(vb_profile_find("pycom"), "c0fff3d54a0b1392fc1f0d4232e3093f");

    /* exact first entry of the generic table */
    static const uint8_t nvs[32] = {0xAA, 0x50, 0x01, 0x02, 0x00, 0x90, 0x00, 0x00,
                                    0x00, 0x60, 0x00, 0x00, 'n', 'v', 's'};
    uint8_t t[VB_PARTTABLE_LEN];
    const vb_profile *g = vb_profile_find("generic"), *py = vb_profile_find("pycom");
    CHECK_EQ(vb_parttable_build(g->parts, g->n_parts, t, sizeof t), 160);
    CHECK_MEM(t, nvs, 32);

    /* Pycom finds otadata at index 2 */
    vb_part_rec recs[8];
    CHECK_EQ(vb_parttable_build(py->parts, py->n_parts, t, sizeof t), 192);
    CHECK_EQ(vb_parttable_parse(t, sizeof t, recs, 8, NULL, 0), 5);
    CHECK_STR(recs[2].label, "otadata");
    CHECK_EQ(recs[2].offset, 0x1FF000);
}

static void test_parttable_errors(void)
{
    const vb_profile *g = vb_profile_find("generic");
    uint8_t t[VB_PARTTABLE_LEN], bad[VB_PARTTABLE_LEN];
    vb_part_rec recs[8];
    char err[VB_ERR_LEN];
    CHECK_EQ(vb_parttable_build(g->parts, g->n_parts, t, sizeof t), 160);

    memset(bad, 0xFF, sizeof bad);
    err[0] = '\0';
    CHECK_EQ(vb_parttable_parse(bad, sizeof bad, recs, 8, err, sizeof err), -EINVAL);
    CHECK(strstr(err, "erased") != NULL);

    memcpy(bad, t, sizeof bad);
    bad[40] ^= 1; /* flip a bit of entry 1's offset */
    err[0] = '\0';
    CHECK_EQ(vb_parttable_parse(bad, sizeof bad, recs, 8, err, sizeof err), -EINVAL);
    CHECK(strstr(err, "MD5") != NULL);

    memcpy(bad, t, sizeof bad);
    bad[150] ^= 0x80; /* damage the digest itself */
    CHECK_EQ(vb_parttable_parse(bad, sizeof bad, recs, 8, err, sizeof err), -EINVAL);

    memcpy(bad, t, sizeof bad);
    bad[32] = 0xAB;
    err[0] = '\0';
    CHECK_EQ(vb_parttable_parse(bad, sizeof bad, recs, 8, err, sizeof err), -EINVAL);
    CHECK(strstr(err, "magic") != NULL);

    memcpy(bad, t, sizeof bad);
    bad[128] = bad[129] = 0xFF; /* MD5 entry gone */
    err[0] = '\0';
    CHECK_EQ(vb_parttable_parse(bad, sizeof bad, recs, 8, err, sizeof err), -EINVAL);
    CHECK(strstr(err, "without an MD5") != NULL);

    memcpy(bad, t, sizeof bad);
    bad[130] = 0x00; /* MD5 entry filler must be FF */
    CHECK_EQ(vb_parttable_parse(bad, sizeof bad, recs, 8, err, sizeof err), -EINVAL);

    memcpy(bad, t, sizeof bad);
    memcpy(bad, t + 128, 32); /* MD5 entry first: no entries */
    CHECK_EQ(vb_parttable_parse(bad, sizeof bad, recs, 8, err, sizeof err), -EINVAL);

    err[0] = '\0';
    CHECK_EQ(vb_parttable_parse(t, sizeof t, recs, 3, err, sizeof err), -EINVAL);
    CHECK(strstr(err, "more than 3") != NULL);
    CHECK_EQ(vb_parttable_parse(t, 100, recs, 8, err, sizeof err), -EINVAL); /* truncated */
    CHECK_EQ(vb_parttable_parse(t, 160, recs, 8, err, sizeof err), 4);        /* just enough */

    /* a full table with no room left: entries fill all 0xC00 bytes */
    memset(bad, 0, sizeof bad);
    for (size_t i = 0; i < sizeof bad; i += 32) {
        bad[i] = 0xAA;
        bad[i + 1] = 0x50;
    }
    vb_part_rec many[VB_PARTTABLE_LEN / 32];
    CHECK_EQ(vb_parttable_parse(bad, sizeof bad, many, VB_PARTTABLE_LEN / 32, err, sizeof err),
             -EINVAL);

    /* a 16-byte label is stored without a NUL and read back whole */
    vb_partition parts[1] = {{.offset = 0x10000, .size = 0x10000, .type = 0, .subtype = 0,
                              .label = "sixteen_chars_ok", .flags = 0}};
    CHECK_EQ(vb_parttable_build(parts, 1, t, sizeof t), 64);
    CHECK_EQ(vb_parttable_parse(t, sizeof t, recs, 8, NULL, 0), 1);
    CHECK_STR(recs[0].label, "sixteen_chars_ok");
    parts[0].label = "seventeen_chars_x";
    CHECK_EQ(vb_parttable_build(parts, 1, t, sizeof t), -EINVAL);
    parts[0].label = "ok";
    CHECK_EQ(vb_parttable_build(parts, 1, t, sizeof t - 1), -EINVAL);
    CHECK_EQ(vb_parttable_build(parts, 0, t, sizeof t), -EINVAL);
    CHECK_EQ(vb_parttable_build(NULL, 1, t, sizeof t), -EINVAL);
}

static void test_parttable_flash(void)
{
    const vb_profile *g = vb_profile_find("generic");
    vb_flash f;
    CHECK_EQ(vb_flash_open_ram(&f, g->flash_size), 0);
    f.prog_page = g->prog_page;
    vb_part_rec recs[8];
    char err[VB_ERR_LEN] = "";
    CHECK_EQ(vb_parttable_read(&f, g->parttable_offset, recs, 8, err, sizeof err), -EINVAL);
    CHECK(strstr(err, "erased") != NULL);

    CHECK_EQ(vb_parttable_write(&f, g->parttable_offset, g->parts, g->n_parts), 0);
    CHECK_EQ(f.n_erase, 1);
    CHECK_EQ(f.n_program, VB_PARTTABLE_LEN / 256);
    CHECK_EQ(f.bad_programs, 0);
    CHECK(all_bytes(f.mem, 0x8000, 0xFF)); /* bootloader area stays erased */
    CHECK(all_bytes(f.mem + 0x8000 + VB_PARTTABLE_LEN, 0x1000 - VB_PARTTABLE_LEN, 0xFF));
    CHECK_EQ(vb_parttable_read(&f, 0x8000, recs, 8, err, sizeof err), 4);
    CHECK_STR(recs[3].label, "vfs");
    /* rewriting it erases first: still no 0->1 programs */
    CHECK_EQ(vb_parttable_write(&f, g->parttable_offset, g->parts, g->n_parts), 0);
    CHECK_EQ(f.bad_programs, 0);

    CHECK_EQ(vb_parttable_read(&f, g->flash_size - 16, recs, 8, err, sizeof err), -EIO);
    f.dead = true;
    CHECK_EQ(vb_parttable_write(&f, g->parttable_offset, g->parts, g->n_parts), -EIO);
    vb_flash_close(&f);
}

/* ---- otadata ------------------------------------------------------------- */

static const uint8_t erased_defaults[40] = {
    0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xC5, 0x42, 0x13, 0x81,
};

static void test_otadata_erased_defaults(void)
{
    uint8_t raw[VB_OTADATA_LEN], out[VB_OTADATA_LEN];
    memset(raw, 0xFF, sizeof raw);
    CHECK(!vb_otadata_valid(raw));
    vb_otadata r;
    CHECK(!vb_otadata_load(raw, &r));
    CHECK_EQ(r.active_img, 0);
    CHECK_EQ(r.status, VB_OTA_STATUS_READY);
    CHECK_EQ(r.prev_img, 0);
    CHECK_EQ(r.size, 0xFFFFFFFFu);
    CHECK_EQ(r.safeboot, 0);
    CHECK_EQ(r.crc, 0x811342C5u);
    vb_otadata_encode(&r, out);
    CHECK_MEM(out, erased_defaults, sizeof out);
    CHECK(vb_otadata_valid(out));
    CHECK_EQ(vb_otadata_crc(erased_defaults), 0x811342C5u);
    /* a valid record loads as itself */
    vb_otadata again;
    CHECK(vb_otadata_load(erased_defaults, &again));
    CHECK_MEM(&again, &r, sizeof r);
}

static void test_otadata_roundtrip(void)
{
    vb_otadata r = {.active_img = VB_OTA_IMG_OTA_0, .status = VB_OTA_STATUS_CHECK,
                    .prev_img = VB_OTA_IMG_FACTORY, .size = 123456,
                    .safeboot = VB_OTA_SAFEBOOT_SW, .crc = 0xDEADBEEF};
    for (int i = 0; i < 16; i++)
        r.signature[i] = (uint8_t)(i * 17);
    uint8_t raw[VB_OTADATA_LEN];
    vb_otadata_encode(&r, raw);
    CHECK(r.crc != 0xDEADBEEF); /* recomputed */
    CHECK_EQ(raw[0], 1);
    CHECK_EQ(raw[4], 0);
    CHECK_EQ(raw[12] | raw[13] << 8 | raw[14] << 16, 123456);
    CHECK_EQ(raw[16], 2);
    CHECK_EQ(raw[21], 17);
    CHECK_EQ(raw[36] | raw[37] << 8 | raw[38] << 16 | (uint32_t)raw[39] << 24, r.crc);
    CHECK(vb_otadata_valid(raw));
    vb_otadata d;
    vb_otadata_decode(raw, &d);
    CHECK_MEM(&d, &r, sizeof r);

    /* a bad crc: defaults, with size and signature as read */
    raw[38] ^= 0x10;
    CHECK(!vb_otadata_valid(raw));
    vb_otadata fix;
    CHECK(!vb_otadata_load(raw, &fix));
    CHECK_EQ(fix.active_img, 0);
    CHECK_EQ(fix.prev_img, 0);
    CHECK_EQ(fix.status, VB_OTA_STATUS_READY);
    CHECK_EQ(fix.safeboot, 0);
    CHECK_EQ(fix.size, 123456);
    CHECK_MEM(fix.signature, r.signature, 16);
    uint8_t enc[VB_OTADATA_LEN];
    vb_otadata_encode(&fix, enc);
    CHECK(vb_otadata_valid(enc));

    /* Status 0xFFFFFFFF is invalid even with a matching crc */
    vb_otadata e = r;
    e.status = VB_OTA_STATUS_ERASED;
    vb_otadata_encode(&e, enc);
    CHECK(!vb_otadata_valid(enc));
}

static void test_otadata_flash(void)
{
    const vb_profile *py = vb_profile_find("pycom");
    vb_flash f;
    CHECK_EQ(vb_flash_open_ram(&f, py->flash_size), 0);
    vb_otadata r;
    CHECK_EQ(vb_otadata_read(&f, py->otadata_offset, &r), 0); /* erased: defaults */
    uint8_t enc[VB_OTADATA_LEN];
    vb_otadata_encode(&r, enc);
    CHECK_MEM(enc, erased_defaults, sizeof enc);

    CHECK_EQ(vb_otadata_write(&f, py->otadata_offset, &r), 0);
    CHECK_EQ(f.n_erase, 1);
    CHECK_EQ(f.n_program, 1);
    CHECK_MEM(f.mem + py->otadata_offset, erased_defaults, 40);
    CHECK(all_bytes(f.mem + py->otadata_offset + 40, 4096 - 40, 0xFF));
    vb_otadata back;
    CHECK_EQ(vb_otadata_read(&f, py->otadata_offset, &back), 1);
    CHECK_MEM(&back, &r, sizeof r);

    /* an update cut between its erase and its program: erased record, the
     * next boot falls back to factory/READY */
    r.active_img = VB_OTA_IMG_OTA_0;
    r.status = VB_OTA_STATUS_CHECK;
    vb_flash_set_cut(&f, f.ops + 2, VB_CUT_SKIP, 0);
    CHECK_EQ(vb_otadata_write(&f, py->otadata_offset, &r), -EIO);
    CHECK_EQ(vb_otadata_read(&f, py->otadata_offset, &back), -EIO); /* still dead */
    vb_flash_power_on(&f);
    CHECK(all_bytes(f.mem + py->otadata_offset, 4096, 0xFF));
    CHECK_EQ(vb_otadata_read(&f, py->otadata_offset, &back), 0);
    CHECK_EQ(back.active_img, 0);
    CHECK_EQ(back.status, VB_OTA_STATUS_READY);

    /* a torn program of the record is caught by the crc */
    vb_flash_set_cut(&f, f.ops + 2, VB_CUT_TORN_PREFIX, 3);
    CHECK_EQ(vb_otadata_write(&f, py->otadata_offset, &r), -EIO);
    vb_flash_power_on(&f);
    CHECK_EQ(vb_otadata_read(&f, py->otadata_offset, &back), 0);
    CHECK_EQ(back.status, VB_OTA_STATUS_READY);

    CHECK_EQ(vb_otadata_write(&f, py->otadata_offset + 1, &r), -EINVAL);
    CHECK_EQ(vb_otadata_write(&f, py->flash_size, &r), -EIO);
    vb_flash_close(&f);
}

int main(void)
{
    RUN(test_md5_rfc1321);
    RUN(test_md5_padding_edges);
    RUN(test_crc32);
    RUN(test_profile_lookup);
    RUN(test_profile_esp32);
    RUN(test_profile_rp2);
    RUN(test_profile_pycom);
    RUN(test_profile_validate_errors);
    RUN(test_parttable_build_parse);
    RUN(test_parttable_errors);
    RUN(test_parttable_flash);
    RUN(test_otadata_erased_defaults);
    RUN(test_otadata_roundtrip);
    RUN(test_otadata_flash);
    return CHECK_DONE();
}
