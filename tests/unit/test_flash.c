/* Unit tests: the NOR flash model (src/flash/flash.c) and the FAT block
 * device on top of it (src/flash/flash_bdev.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "flash/flash.h"
#include "flash/flash_bdev.h"

#define KiB 1024u

/* Temporary directory for image files, removed at the end of main(). */
static char tmpdir[64];

static void tmp_path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", tmpdir, name);
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

static void fill_pattern(uint8_t *p, size_t n, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (uint8_t)(x >> 16);
    }
}

static int write_file(const char *path, const void *data, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -errno;
    ssize_t w = write(fd, data, n);
    close(fd);
    return w == (ssize_t)n ? 0 : -EIO;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* ---- RAM chip: NOR semantics and counting -------------------------------- */

static void test_ram_open_close(void)
{
    vb_flash f;
    CHECK_EQ(vb_flash_open_ram(&f, 16 * KiB), 0);
    CHECK(f.mem != NULL);
    CHECK_EQ(f.size, 16 * KiB);
    CHECK_EQ(f.fd, -1);
    CHECK(all_bytes(f.mem, f.size, 0xFF));
    CHECK_EQ(f.ops, 0);
    CHECK(!f.dead);
    vb_flash_close(&f);
    CHECK(f.mem == NULL);
    CHECK_EQ(f.fd, -1);
    vb_flash_close(&f); /* closing twice is harmless */

    vb_flash z;
    memset(&z, 0, sizeof z); /* mem NULL: fd 0 is not ours to close */
    vb_flash_close(&z);
    CHECK_EQ(z.fd, -1);

    CHECK_EQ(vb_flash_open_ram(&f, 0), -EINVAL);
    CHECK_EQ(vb_flash_open_ram(&f, 4095), -EINVAL);
    CHECK_EQ(vb_flash_open_ram(&f, 5000), -EINVAL);
    CHECK(f.mem == NULL);
    vb_flash_close(&f);
}

static void test_nor_program_and(void)
{
    vb_flash f;
    CHECK_EQ(vb_flash_open_ram(&f, 8 * KiB), 0);
    uint8_t b = 0xF0;
    CHECK_EQ(vb_flash_program(&f, 10, &b, 1), 0);
    CHECK_EQ(f.mem[10], 0xF0);
    CHECK_EQ(f.bad_programs, 0);
    b = 0x3C; /* 0xF0 AND 0x3C = 0x30; bits 2,3 would need 0->1 */
    CHECK_EQ(vb_flash_program(&f, 10, &b, 1), 0);
    CHECK_EQ(f.mem[10], 0x30);
    CHECK_EQ(f.bad_programs, 1);
    b = 0x30; /* same value again: no 0->1 needed */
    CHECK_EQ(vb_flash_program(&f, 10, &b, 1), 0);
    CHECK_EQ(f.bad_programs, 1);
    b = 0xFF; /* leaves the byte alone, but the data asked for 0->1 bits */
    CHECK_EQ(vb_flash_program(&f, 10, &b, 1), 0);
    CHECK_EQ(f.mem[10], 0x30);
    CHECK_EQ(f.bad_programs, 2);
    CHECK_EQ(vb_flash_program(&f, 11, &b, 1), 0); /* 0xFF on erased: fine */
    CHECK_EQ(f.bad_programs, 2);

    uint8_t rd[4];
    CHECK_EQ(vb_flash_read(&f, 9, rd, 3), 0);
    CHECK_EQ(rd[0], 0xFF);
    CHECK_EQ(rd[1], 0x30);
    CHECK_EQ(rd[2], 0xFF);

    CHECK_EQ(f.ops, 5);
    CHECK_EQ(f.n_program, 5);
    CHECK_EQ(f.n_erase, 0);
    CHECK_EQ(f.bytes_programmed, 5);

    CHECK_EQ(vb_flash_erase(&f, 0, VB_FLASH_BLOCK), 0);
    CHECK_EQ(f.mem[10], 0xFF);
    CHECK(all_bytes(f.mem, 8 * KiB, 0xFF));
    CHECK_EQ(f.ops, 6);
    CHECK_EQ(f.n_erase, 1);

    /* a zero-length program or erase is no operation */
    CHECK_EQ(vb_flash_program(&f, 0, &b, 0), 0);
    CHECK_EQ(vb_flash_erase(&f, 0, 0), 0);
    CHECK_EQ(f.ops, 6);
    vb_flash_close(&f);
}

static void test_erase_rules(void)
{
    vb_flash f;
    CHECK_EQ(vb_flash_open_ram(&f, 16 * KiB), 0);
    uint8_t zeros[16 * KiB];
    memset(zeros, 0, sizeof zeros);
    CHECK_EQ(vb_flash_program(&f, 0, zeros, sizeof zeros), 0);
    uint64_t ops = f.ops;

    CHECK_EQ(vb_flash_erase(&f, 100, VB_FLASH_BLOCK), -EINVAL);
    CHECK_EQ(vb_flash_erase(&f, 0, 100), -EINVAL);
    CHECK_EQ(vb_flash_erase(&f, 4096, 6000), -EINVAL);
    CHECK_EQ(vb_flash_erase(&f, 12 * KiB, 8 * KiB), -EIO);   /* past the end */
    CHECK_EQ(vb_flash_erase(&f, 16 * KiB, VB_FLASH_BLOCK), -EIO);
    CHECK_EQ(f.ops, ops); /* refused calls are no operations */
    CHECK(all_bytes(f.mem, sizeof zeros, 0));

    CHECK_EQ(vb_flash_erase(&f, 4 * KiB, 8 * KiB), 0); /* two blocks, two ops */
    CHECK_EQ(f.ops, ops + 2);
    CHECK_EQ(f.n_erase, 2);
    CHECK(all_bytes(f.mem, 4 * KiB, 0));
    CHECK(all_bytes(f.mem + 4 * KiB, 8 * KiB, 0xFF));
    CHECK(all_bytes(f.mem + 12 * KiB, 4 * KiB, 0));
    CHECK_EQ(vb_flash_erase(&f, 12 * KiB, 4 * KiB), 0); /* last block */
    vb_flash_close(&f);
}

static void test_bounds(void)
{
    vb_flash f;
    CHECK_EQ(vb_flash_open_ram(&f, 8 * KiB), 0);
    uint8_t buf[16] = {0};
    CHECK_EQ(vb_flash_read(&f, 8 * KiB - 16, buf, 16), 0);
    CHECK_EQ(vb_flash_read(&f, 8 * KiB - 15, buf, 16), -EIO);
    CHECK_EQ(vb_flash_read(&f, 8 * KiB, buf, 1), -EIO);
    CHECK_EQ(vb_flash_read(&f, UINT32_MAX, buf, 2), -EIO); /* no wrap-around */
    CHECK_EQ(vb_flash_program(&f, 8 * KiB - 15, buf, 16), -EIO);
    CHECK_EQ(vb_flash_program(&f, UINT32_MAX, buf, 2), -EIO);
    CHECK_EQ(f.ops, 0);
    CHECK(all_bytes(f.mem, f.size, 0xFF));
    memset(buf, 0, sizeof buf);
    CHECK_EQ(vb_flash_program(&f, 8 * KiB - 16, buf, 16), 0);
    CHECK(all_bytes(f.mem + 8 * KiB - 16, 16, 0));
    CHECK_EQ(vb_flash_sync(&f), 0); /* RAM: no-op */
    vb_flash_close(&f);
}

static void test_prog_page_split(void)
{
    vb_flash f;
    CHECK_EQ(vb_flash_open_ram(&f, 8 * KiB), 0);
    uint8_t data[1024];
    fill_pattern(data, sizeof data, 1);

    f.prog_page = 256;
    CHECK_EQ(vb_flash_program(&f, 0, data, 256), 0); /* exactly one page */
    CHECK_EQ(f.ops, 1);
    CHECK_EQ(vb_flash_program(&f, 1100, data, 600), 0); /* 1100..1280|..1536|..1700 */
    CHECK_EQ(f.ops, 4);
    CHECK_EQ(f.n_program, 4);
    CHECK_EQ(f.bytes_programmed, 856);
    CHECK_MEM(f.mem + 1100, data, 600);
    CHECK_EQ(vb_flash_program(&f, 4096, data, 1024), 0); /* aligned 4 pages */
    CHECK_EQ(f.ops, 8);
    CHECK_EQ(vb_flash_program(&f, 6000, data, 1), 0);
    CHECK_EQ(f.ops, 9);

    f.prog_page = 0; /* one op per call, whatever the length */
    CHECK_EQ(vb_flash_erase(&f, 0, 8 * KiB), 0);
    uint64_t ops = f.ops;
    CHECK_EQ(vb_flash_program(&f, 100, data, 1024), 0);
    CHECK_EQ(f.ops, ops + 1);
    CHECK_MEM(f.mem + 100, data, 1024);
    vb_flash_close(&f);
}

/* ---- power cuts ---------------------------------------------------------- */

/* Old content for cut tests: a random pattern; new: another. The program op
 * is op 2 (op 1 writes the old pattern). */
struct cut_case {
    vb_flash f;
    uint8_t old[512], data[512], want_whole[512];
};

static void cut_program_setup(struct cut_case *c, vb_cut_mode mode, uint32_t seed)
{
    CHECK_EQ(vb_flash_open_ram(&c->f, 8 * KiB), 0);
    fill_pattern(c->old, sizeof c->old, 7);
    fill_pattern(c->data, sizeof c->data, 8);
    for (size_t i = 0; i < sizeof c->old; i++)
        c->want_whole[i] = c->old[i] & c->data[i];
    CHECK_EQ(vb_flash_program(&c->f, 1024, c->old, sizeof c->old), 0);
    vb_flash_set_cut(&c->f, 2, mode, seed);
    CHECK_EQ(vb_flash_program(&c->f, 1024, c->data, sizeof c->data), -EIO);
    CHECK(c->f.dead);
    CHECK_EQ(c->f.ops, 2);
}

/* After a cut, everything fails until power_on, and nothing changes. */
static void check_dead(vb_flash *f)
{
    uint8_t snap[8 * KiB];
    memcpy(snap, f->mem, sizeof snap);
    uint8_t b = 0;
    uint64_t ops = f->ops;
    CHECK_EQ(vb_flash_read(f, 0, &b, 1), -EIO);
    CHECK_EQ(vb_flash_program(f, 0, &b, 1), -EIO);
    CHECK_EQ(vb_flash_erase(f, 0, VB_FLASH_BLOCK), -EIO);
    CHECK_EQ(vb_flash_sync(f), -EIO);
    CHECK_EQ(f->ops, ops);
    CHECK_MEM(f->mem, snap, sizeof snap);
}

static void test_cut_program_skip(void)
{
    struct cut_case c;
    cut_program_setup(&c, VB_CUT_SKIP, 1);
    CHECK_MEM(c.f.mem + 1024, c.old, sizeof c.old);
    check_dead(&c.f);
    vb_flash_power_on(&c.f);
    CHECK(!c.f.dead);
    CHECK_EQ(c.f.cut_at, 0);
    CHECK_MEM(c.f.mem + 1024, c.old, sizeof c.old); /* bytes kept */
    uint8_t rd[16];
    CHECK_EQ(vb_flash_read(&c.f, 1024, rd, 16), 0);
    CHECK_EQ(vb_flash_program(&c.f, 1024, c.data, sizeof c.data), 0);
    CHECK_EQ(c.f.ops, 3);
    CHECK_MEM(c.f.mem + 1024, c.want_whole, sizeof c.old);
    vb_flash_close(&c.f);
}

static void test_cut_program_whole(void)
{
    struct cut_case c;
    cut_program_setup(&c, VB_CUT_WHOLE, 1);
    CHECK_MEM(c.f.mem + 1024, c.want_whole, sizeof c.old);
    check_dead(&c.f);
    vb_flash_close(&c.f);
}

static void test_cut_program_prefix(void)
{
    for (uint32_t seed = 0; seed < 20; seed++) {
        struct cut_case c;
        cut_program_setup(&c, VB_CUT_TORN_PREFIX, seed);
        const uint8_t *m = c.f.mem + 1024;
        size_t k = 0;
        while (k < sizeof c.old && m[k] == c.want_whole[k])
            k++;
        /* the old and new patterns differ in the first byte, so k is the
         * prefix length exactly */
        CHECK(c.old[0] != c.want_whole[0]);
        CHECK(k >= 1 && k < sizeof c.old);
        CHECK_MEM(m + k, c.old + k, sizeof c.old - k);
        check_dead(&c.f);
        vb_flash_close(&c.f);

        /* same seed, same tear */
        struct cut_case d;
        cut_program_setup(&d, VB_CUT_TORN_PREFIX, seed);
        size_t k2 = 0;
        while (k2 < sizeof d.old && d.f.mem[1024 + k2] == d.want_whole[k2])
            k2++;
        CHECK_EQ(k2, k);
        vb_flash_close(&d.f);
    }
}

static void test_cut_program_bits(void)
{
    struct cut_case c;
    cut_program_setup(&c, VB_CUT_TORN_BITS, 42);
    const uint8_t *m = c.f.mem + 1024;
    size_t cleared = 0, kept = 0;
    for (size_t i = 0; i < sizeof c.old; i++) {
        CHECK_EQ(m[i] & ~c.old[i], 0);                       /* no bit set */
        CHECK_EQ(m[i] & c.want_whole[i], c.want_whole[i]);   /* only clears */
        uint8_t should = (uint8_t)(c.old[i] & ~c.data[i]);
        for (int bit = 0; bit < 8; bit++)
            if (should & (1u << bit)) {
                if (m[i] & (1u << bit))
                    kept++;
                else
                    cleared++;
            }
    }
    CHECK(cleared > 0 && kept > 0); /* a real subset, not all or nothing */
    check_dead(&c.f);

    uint8_t first[512];
    memcpy(first, m, sizeof first);
    vb_flash_close(&c.f);
    cut_program_setup(&c, VB_CUT_TORN_BITS, 42);
    CHECK_MEM(c.f.mem + 1024, first, sizeof first); /* deterministic */
    vb_flash_close(&c.f);
    cut_program_setup(&c, VB_CUT_TORN_BITS, 43);
    CHECK(memcmp(c.f.mem + 1024, first, sizeof first) != 0);
    vb_flash_close(&c.f);
}

/* A program split into pages and cut at its second page: the first page
 * lands, the second per mode, the third never. */
static void test_cut_mid_call(void)
{
    vb_flash f;
    CHECK_EQ(vb_flash_open_ram(&f, 8 * KiB), 0);
    f.prog_page = 256;
    uint8_t data[768];
    memset(data, 0x00, sizeof data);
    vb_flash_set_cut(&f, 2, VB_CUT_WHOLE, 0);
    CHECK_EQ(vb_flash_program(&f, 0, data, sizeof data), -EIO);
    CHECK(all_bytes(f.mem, 512, 0x00));
    CHECK(all_bytes(f.mem + 512, 256, 0xFF));
    CHECK_EQ(f.ops, 2);
    vb_flash_close(&f);

    /* an erase of three blocks cut at its second block, skipped */
    CHECK_EQ(vb_flash_open_ram(&f, 16 * KiB), 0);
    uint8_t z[12 * KiB];
    memset(z, 0, sizeof z);
    CHECK_EQ(vb_flash_program(&f, 0, z, sizeof z), 0); /* op 1 */
    vb_flash_set_cut(&f, 3, VB_CUT_SKIP, 0);
    CHECK_EQ(vb_flash_erase(&f, 0, 12 * KiB), -EIO);   /* ops 2, 3(cut) */
    CHECK(all_bytes(f.mem, 4 * KiB, 0xFF));
    CHECK(all_bytes(f.mem + 4 * KiB, 8 * KiB, 0x00));
    CHECK_EQ(f.n_erase, 2);
    vb_flash_close(&f);
}

static void test_cut_not_reached(void)
{
    vb_flash f;
    CHECK_EQ(vb_flash_open_ram(&f, 8 * KiB), 0);
    uint8_t b = 0;
    CHECK_EQ(vb_flash_program(&f, 0, &b, 1), 0);
    CHECK_EQ(vb_flash_program(&f, 1, &b, 1), 0);
    vb_flash_set_cut(&f, 2, VB_CUT_SKIP, 0); /* already past: never fires */
    CHECK_EQ(vb_flash_program(&f, 2, &b, 1), 0);
    CHECK(!f.dead);
    vb_flash_set_cut(&f, 10, VB_CUT_SKIP, 0);
    vb_flash_set_cut(&f, 0, VB_CUT_SKIP, 0); /* disarm */
    for (int i = 0; i < 10; i++)
        CHECK_EQ(vb_flash_program(&f, 3, &b, 1), 0);
    CHECK(!f.dead);
    vb_flash_close(&f);
}

static void cut_erase(vb_flash *f, vb_cut_mode mode, uint32_t seed)
{
    CHECK_EQ(vb_flash_open_ram(f, 8 * KiB), 0);
    uint8_t z[8 * KiB];
    memset(z, 0, sizeof z);
    CHECK_EQ(vb_flash_program(f, 0, z, sizeof z), 0);
    vb_flash_set_cut(f, 2, mode, seed);
    CHECK_EQ(vb_flash_erase(f, 4096, 4096), -EIO);
    CHECK(f->dead);
    CHECK(all_bytes(f->mem, 4096, 0x00)); /* the other block never changes */
}

static void test_cut_erase_modes(void)
{
    vb_flash f;
    cut_erase(&f, VB_CUT_SKIP, 0);
    CHECK(all_bytes(f.mem + 4096, 4096, 0x00));
    check_dead(&f);
    vb_flash_close(&f);

    cut_erase(&f, VB_CUT_WHOLE, 0);
    CHECK(all_bytes(f.mem + 4096, 4096, 0xFF));
    check_dead(&f);
    vb_flash_close(&f);

    for (uint32_t seed = 0; seed < 10; seed++) {
        cut_erase(&f, VB_CUT_TORN_PREFIX, seed);
        size_t k = 0;
        while (k < 4096 && f.mem[4096 + k] == 0xFF)
            k++;
        CHECK(k >= 1 && k < 4096);
        CHECK(all_bytes(f.mem + 4096 + k, 4096 - k, 0x00));
        check_dead(&f);
        vb_flash_close(&f);
    }

    cut_erase(&f, VB_CUT_TORN_BITS, 5);
    size_t ff = 0, zero = 0;
    for (size_t i = 0; i < 4096; i++) {
        if (f.mem[4096 + i] == 0xFF)
            ff++;
        else if (f.mem[4096 + i] == 0x00)
            zero++;
    }
    CHECK_EQ(ff + zero, 4096); /* whole bytes, either erased or untouched */
    CHECK(ff > 1000 && zero > 1000);
    check_dead(&f);
    vb_flash_close(&f);
}

/* ---- image files --------------------------------------------------------- */

static void test_file_create_missing(void)
{
    char path[128], err[VB_ERR_LEN];
    tmp_path(path, sizeof path, "new.bin");
    vb_flash f;
    CHECK_EQ(vb_flash_open_file(&f, path, 64 * KiB, true, err, sizeof err), 0);
    CHECK(f.fd >= 0);
    CHECK_EQ(f.size, 64 * KiB);
    CHECK(all_bytes(f.mem, f.size, 0xFF));
    CHECK_EQ(file_size(path), 64 * KiB);
    uint8_t data[100];
    fill_pattern(data, sizeof data, 3);
    CHECK_EQ(vb_flash_program(&f, 5000, data, sizeof data), 0);
    CHECK_EQ(vb_flash_sync(&f), 0);

    /* MAP_SHARED: the file holds the programmed bytes */
    int fd = open(path, O_RDONLY);
    uint8_t rd[100];
    CHECK_EQ(pread(fd, rd, sizeof rd, 5000), (ssize_t)sizeof rd);
    CHECK_MEM(rd, data, sizeof data);
    close(fd);
    vb_flash_close(&f);

    /* reopen by its own size */
    CHECK_EQ(vb_flash_open_existing(&f, path, err, sizeof err), 0);
    CHECK_EQ(f.size, 64 * KiB);
    CHECK_MEM(f.mem + 5000, data, sizeof data);
    CHECK(all_bytes(f.mem, 5000, 0xFF));
    vb_flash_close(&f);

    /* create=true on an existing file of the right size: opened, not erased */
    CHECK_EQ(vb_flash_open_file(&f, path, 64 * KiB, true, err, sizeof err), 0);
    CHECK_MEM(f.mem + 5000, data, sizeof data);
    vb_flash_close(&f);
}

/* The board's way (issue 14): a new file is sized at once, erased later;
 * an existing one is opened as it is. */
static void test_file_create_deferred(void)
{
    char path[128], err[VB_ERR_LEN];
    tmp_path(path, sizeof path, "deferred.bin");
    vb_flash f;
    bool created = false;
    CHECK_EQ(vb_flash_open_file_deferred(&f, path, 64 * KiB, &created, err, sizeof err), 0);
    CHECK(created);
    CHECK_EQ(f.size, 64 * KiB);
    CHECK_EQ(file_size(path), 64 * KiB);
    CHECK(all_bytes(f.mem, f.size, 0x00));        /* sized, not yet erased */
    CHECK_EQ(vb_flash_erase_new(&f, path, err, sizeof err), 0);
    CHECK(all_bytes(f.mem, f.size, 0xFF));        /* the mapping sees the erase */
    uint8_t data[100];
    fill_pattern(data, sizeof data, 4);
    CHECK_EQ(vb_flash_program(&f, 8192, data, sizeof data), 0);
    vb_flash_close(&f);

    created = true;
    CHECK_EQ(vb_flash_open_file_deferred(&f, path, 64 * KiB, &created, err, sizeof err), 0);
    CHECK(!created);
    CHECK_MEM(f.mem + 8192, data, sizeof data);
    CHECK(all_bytes(f.mem, 8192, 0xFF));
    vb_flash_close(&f);
}

static void test_file_missing_no_create(void)
{
    char path[128], err[VB_ERR_LEN] = "";
    tmp_path(path, sizeof path, "absent.bin");
    vb_flash f;
    CHECK_EQ(vb_flash_open_file(&f, path, 64 * KiB, false, err, sizeof err), -ENOENT);
    CHECK(strstr(err, path) != NULL);
    CHECK(access(path, F_OK) != 0);
    CHECK(f.mem == NULL);
    vb_flash_close(&f);
    CHECK_EQ(vb_flash_open_existing(&f, path, err, sizeof err), -ENOENT);
    CHECK(access(path, F_OK) != 0);
    /* a NULL error buffer is allowed */
    CHECK_EQ(vb_flash_open_existing(&f, path, NULL, 0), -ENOENT);
}

static void test_file_wrong_size(void)
{
    char path[128], err[VB_ERR_LEN] = "";
    tmp_path(path, sizeof path, "small.bin");
    uint8_t content[8192];
    fill_pattern(content, sizeof content, 9);
    CHECK_EQ(write_file(path, content, sizeof content), 0);
    struct timespec old[2] = {{.tv_sec = 1000000000, .tv_nsec = 0},
                              {.tv_sec = 1000000000, .tv_nsec = 0}};
    CHECK_EQ(utimensat(AT_FDCWD, path, old, 0), 0);

    for (int create = 0; create < 2; create++) {
        vb_flash f;
        err[0] = '\0';
        CHECK_EQ(vb_flash_open_file(&f, path, 65536, create, err, sizeof err), -EINVAL);
        CHECK(strstr(err, "8192") != NULL);
        CHECK(strstr(err, "65536") != NULL);
        CHECK(strstr(err, path) != NULL);
        CHECK(f.mem == NULL);
        vb_flash_close(&f);
    }
    struct stat st;
    CHECK_EQ(stat(path, &st), 0);
    CHECK_EQ(st.st_size, 8192);
    CHECK_EQ(st.st_mtim.tv_sec, 1000000000);
    uint8_t now[8192 + 1];
    int fd = open(path, O_RDONLY);
    CHECK_EQ(read(fd, now, sizeof now), 8192);
    close(fd);
    CHECK_MEM(now, content, sizeof content);

    /* not a multiple of the block: not an image at all */
    tmp_path(path, sizeof path, "odd.bin");
    CHECK_EQ(write_file(path, content, 5000), 0);
    vb_flash f;
    CHECK_EQ(vb_flash_open_existing(&f, path, err, sizeof err), -EINVAL);
    CHECK(strstr(err, "5000") != NULL);
    CHECK_EQ(file_size(path), 5000);
    tmp_path(path, sizeof path, "empty.bin");
    CHECK_EQ(write_file(path, content, 0), 0);
    CHECK_EQ(vb_flash_open_existing(&f, path, err, sizeof err), -EINVAL);
    CHECK_EQ(vb_flash_open_file(&f, path, 0, true, err, sizeof err), -EINVAL);
    CHECK_EQ(vb_flash_open_file(&f, path, 4097, true, err, sizeof err), -EINVAL);
    CHECK_EQ(file_size(path), 0);
}

static void test_file_locked(void)
{
    char path[128], err[VB_ERR_LEN] = "";
    tmp_path(path, sizeof path, "locked.bin");
    vb_flash a, b;
    CHECK_EQ(vb_flash_open_file(&a, path, 16 * KiB, true, err, sizeof err), 0);
    uint8_t z = 0;
    CHECK_EQ(vb_flash_program(&a, 0, &z, 1), 0);

    /* flock locks belong to the open file description: a second open in the
     * same process conflicts, as another process would */
    CHECK_EQ(vb_flash_open_file(&b, path, 16 * KiB, false, err, sizeof err), -EBUSY);
    CHECK(strstr(err, "in use by a running board or another vboard command") != NULL);
    CHECK(strstr(err, path) != NULL);
    CHECK(b.mem == NULL);
    CHECK_EQ(vb_flash_open_existing(&b, path, err, sizeof err), -EBUSY);
    CHECK_EQ(vb_flash_open_file(&b, path, 16 * KiB, true, err, sizeof err), -EBUSY);
    CHECK_EQ(a.mem[0], 0x00); /* the holder is unaffected */
    vb_flash_close(&a);

    CHECK_EQ(vb_flash_open_existing(&b, path, err, sizeof err), 0);
    CHECK_EQ(b.mem[0], 0x00);
    vb_flash_close(&b);

    /* a lock taken by someone else's plain flock */
    int fd = open(path, O_RDONLY);
    CHECK_EQ(flock(fd, LOCK_SH), 0);
    CHECK_EQ(vb_flash_open_existing(&b, path, err, sizeof err), -EBUSY);
    close(fd);
    CHECK_EQ(vb_flash_open_existing(&b, path, err, sizeof err), 0);
    vb_flash_close(&b);
}

static void test_file_unopenable(void)
{
    char path[128], err[VB_ERR_LEN] = "";
    vb_flash f;
    /* a directory (chmod 000 would not stop root) */
    CHECK_EQ(vb_flash_open_file(&f, tmpdir, 16 * KiB, false, err, sizeof err), -EISDIR);
    CHECK(strstr(err, tmpdir) != NULL);
    CHECK_EQ(vb_flash_open_file(&f, tmpdir, 16 * KiB, true, err, sizeof err), -EISDIR);
    CHECK_EQ(vb_flash_open_existing(&f, tmpdir, err, sizeof err), -EISDIR);
    /* a path in a missing directory, even with create */
    tmp_path(path, sizeof path, "nodir/img.bin");
    CHECK_EQ(vb_flash_open_file(&f, path, 16 * KiB, true, err, sizeof err), -ENOENT);
    CHECK(strstr(err, path) != NULL);
    /* not a regular file */
    CHECK_EQ(vb_flash_open_existing(&f, "/dev/null", err, sizeof err), -EINVAL);
    CHECK(f.mem == NULL);
    CHECK_EQ(vb_flash_open_file(&f, NULL, 16 * KiB, true, err, sizeof err), -EINVAL);
}

static void test_file_cut_persists(void)
{
    char path[128], err[VB_ERR_LEN];
    tmp_path(path, sizeof path, "cut.bin");
    vb_flash f;
    CHECK_EQ(vb_flash_open_file(&f, path, 16 * KiB, true, err, sizeof err), 0);
    uint8_t z[4096];
    memset(z, 0, sizeof z);
    CHECK_EQ(vb_flash_program(&f, 4096, z, sizeof z), 0);
    vb_flash_set_cut(&f, f.ops + 1, VB_CUT_TORN_PREFIX, 11);
    CHECK_EQ(vb_flash_erase(&f, 4096, 4096), -EIO);
    uint8_t torn[4096];
    memcpy(torn, f.mem + 4096, sizeof torn);
    vb_flash_close(&f); /* a dead chip still closes and keeps its bytes */
    CHECK_EQ(vb_flash_open_existing(&f, path, err, sizeof err), 0);
    CHECK(!f.dead);
    CHECK_EQ(f.ops, 0);
    CHECK_MEM(f.mem + 4096, torn, sizeof torn);
    CHECK(torn[0] == 0xFF && torn[4095] == 0x00);
    vb_flash_close(&f);
}

/* ---- flash_bdev ---------------------------------------------------------- */

static void test_bdev_init(void)
{
    vb_flash f;
    vb_flash_bdev b;
    CHECK_EQ(vb_flash_open_ram(&f, 64 * KiB), 0);
    CHECK_EQ(vb_flash_bdev_init(&b, &f, 0, 64 * KiB, 256, false), -EINVAL);
    CHECK_EQ(vb_flash_bdev_init(&b, &f, 0, 64 * KiB, 8192, false), -EINVAL);
    CHECK_EQ(vb_flash_bdev_init(&b, &f, 0, 64 * KiB, 1536, false), -EINVAL);
    CHECK_EQ(vb_flash_bdev_init(&b, &f, 0, 64 * KiB, 0, false), -EINVAL);
    CHECK_EQ(vb_flash_bdev_init(&b, &f, 512, 32 * KiB, 512, false), -EINVAL);
    CHECK_EQ(vb_flash_bdev_init(&b, &f, 0, 6000, 512, false), -EINVAL);
    CHECK_EQ(vb_flash_bdev_init(&b, &f, 0, 0, 512, false), -EINVAL);
    CHECK_EQ(vb_flash_bdev_init(&b, &f, 32 * KiB, 36 * KiB, 512, false), -EINVAL);
    CHECK_EQ(vb_flash_bdev_init(&b, &f, UINT32_MAX - 4095, 8192, 512, false), -EINVAL);
    CHECK_EQ(vb_flash_bdev_init(&b, NULL, 0, 4096, 512, false), -EINVAL);

    for (uint32_t ss = 512; ss <= 4096; ss *= 2) {
        CHECK_EQ(vb_flash_bdev_init(&b, &f, 16 * KiB, 48 * KiB, ss, true), 0);
        CHECK(b.bd.ctx == &b);
        CHECK_EQ(b.bd.sector_size, ss);
        CHECK_EQ(b.bd.sector_count, 48 * KiB / ss);
        CHECK(b.bd.read && b.bd.write && b.bd.sync);
        CHECK_EQ(b.cached_block, UINT32_MAX);
        CHECK_EQ(b.writeback, ss < 4096);
    }
    CHECK_EQ(f.ops, 0);
    vb_flash_close(&f);
}

static void test_bdev_4096_direct(void)
{
    vb_flash f;
    vb_flash_bdev b;
    CHECK_EQ(vb_flash_open_ram(&f, 64 * KiB), 0);
    f.prog_page = 256;
    CHECK_EQ(vb_flash_bdev_init(&b, &f, 32 * KiB, 32 * KiB, 4096, false), 0);
    vb_blockdev *bd = &b.bd;
    uint8_t data[3 * 4096], rd[3 * 4096];
    fill_pattern(data, sizeof data, 21);

    CHECK_EQ(bd->write(bd->ctx, 2, 1, data), 0);
    CHECK_EQ(f.n_erase, 1);
    CHECK_EQ(f.n_program, 16); /* 4 KiB in 256-byte pages */
    CHECK_MEM(f.mem + 32 * KiB + 2 * 4096, data, 4096);

    /* rewriting a sector erases first: no 0->1 programs */
    CHECK_EQ(bd->write(bd->ctx, 2, 1, data + 4096), 0);
    CHECK_EQ(f.bad_programs, 0);
    CHECK_EQ(f.n_erase, 2);
    CHECK_MEM(f.mem + 32 * KiB + 2 * 4096, data + 4096, 4096);

    CHECK_EQ(bd->write(bd->ctx, 5, 3, data), 0); /* three sectors, three blocks */
    CHECK_EQ(f.n_erase, 5);
    CHECK_EQ(f.n_program, 16 * 5);
    CHECK_EQ(bd->read(bd->ctx, 5, 3, rd), 0);
    CHECK_MEM(rd, data, sizeof data);
    CHECK(all_bytes(f.mem, 32 * KiB, 0xFF)); /* nothing outside the region */

    uint64_t ops = f.ops;
    CHECK_EQ(bd->write(bd->ctx, 8, 1, data), -EIO);
    CHECK_EQ(bd->write(bd->ctx, 7, 2, data), -EIO);
    CHECK_EQ(bd->write(bd->ctx, UINT32_MAX, 2, data), -EIO);
    CHECK_EQ(bd->read(bd->ctx, 8, 1, rd), -EIO);
    CHECK_EQ(bd->read(bd->ctx, 1, UINT32_MAX, rd), -EIO);
    CHECK_EQ(f.ops, ops);
    CHECK_EQ(bd->write(bd->ctx, 0, 0, data), 0);
    CHECK_EQ(bd->sync(bd->ctx), 0);
    CHECK_EQ(f.ops, ops);
    vb_flash_close(&f);
}

static void test_bdev_512_rmw(void)
{
    vb_flash f;
    vb_flash_bdev b;
    CHECK_EQ(vb_flash_open_ram(&f, 64 * KiB), 0);
    CHECK_EQ(vb_flash_bdev_init(&b, &f, 16 * KiB, 16 * KiB, 512, false), 0);
    vb_blockdev *bd = &b.bd;
    uint8_t data[16 * KiB], rd[16 * KiB];
    fill_pattern(data, sizeof data, 31);

    CHECK_EQ(bd->write(bd->ctx, 1, 1, data), 0); /* read, patch, erase, program */
    CHECK_EQ(f.n_erase, 1);
    CHECK_EQ(f.n_program, 1);
    CHECK_EQ(f.bytes_programmed, 4096);
    CHECK_EQ(bd->write(bd->ctx, 3, 1, data + 512), 0);
    CHECK_EQ(f.n_erase, 2);
    CHECK_EQ(f.bad_programs, 0);
    CHECK_EQ(bd->read(bd->ctx, 0, 4, rd), 0);
    CHECK(all_bytes(rd, 512, 0xFF));
    CHECK_MEM(rd + 512, data, 512);
    CHECK(all_bytes(rd + 1024, 512, 0xFF));
    CHECK_MEM(rd + 1536, data + 512, 512);
    CHECK_EQ(b.cached_block, UINT32_MAX); /* never a cache in this mode */

    /* 8 sectors from sector 4: halves of two blocks, one erase + program each */
    uint64_t e = f.n_erase, p = f.n_program;
    CHECK_EQ(bd->write(bd->ctx, 4, 8, data), 0);
    CHECK_EQ(f.n_erase, e + 2);
    CHECK_EQ(f.n_program, p + 2);
    CHECK_EQ(bd->read(bd->ctx, 4, 8, rd), 0);
    CHECK_MEM(rd, data, 4096);
    CHECK_MEM(f.mem + 16 * KiB + 1536, data + 512, 512); /* earlier write kept */

    /* an aligned whole block: no read needed, still one erase + program */
    e = f.n_erase;
    p = f.n_program;
    CHECK_EQ(bd->write(bd->ctx, 16, 8, data + 4096), 0);
    CHECK_EQ(f.n_erase, e + 1);
    CHECK_EQ(f.n_program, p + 1);
    CHECK_MEM(f.mem + 16 * KiB + 8192, data + 4096, 4096);
    CHECK_EQ(bd->write(bd->ctx, 32, 1, data), -EIO);
    vb_flash_close(&f);
}

static void test_bdev_512_writeback(void)
{
    vb_flash f;
    vb_flash_bdev b;
    CHECK_EQ(vb_flash_open_ram(&f, 64 * KiB), 0);
    CHECK_EQ(vb_flash_bdev_init(&b, &f, 32 * KiB, 32 * KiB, 512, true), 0);
    vb_blockdev *bd = &b.bd;
    uint8_t data[8 * 512], rd[8 * 512];
    fill_pattern(data, sizeof data, 41);

    for (uint32_t s = 0; s < 8; s++)
        CHECK_EQ(bd->write(bd->ctx, s, 1, data + 512 * s), 0);
    CHECK_EQ(f.ops, 0); /* all in the cache */
    CHECK(b.cache_dirty);
    CHECK_EQ(b.cached_block, 0);
    CHECK(all_bytes(f.mem + 32 * KiB, 4096, 0xFF));
    CHECK_EQ(bd->read(bd->ctx, 0, 8, rd), 0); /* reads see the cache */
    CHECK_MEM(rd, data, sizeof data);
    CHECK_EQ(f.ops, 0);

    CHECK_EQ(bd->sync(bd->ctx), 0);
    CHECK_EQ(f.n_erase, 1);
    CHECK_EQ(f.n_program, 1);
    CHECK_MEM(f.mem + 32 * KiB, data, sizeof data);
    CHECK(!b.cache_dirty);
    CHECK_EQ(bd->sync(bd->ctx), 0); /* clean: nothing more */
    CHECK_EQ(f.ops, 2);

    /* touching another block writes the dirty one back first */
    CHECK_EQ(bd->write(bd->ctx, 3, 1, data), 0);
    CHECK_EQ(f.ops, 2);
    CHECK_EQ(bd->write(bd->ctx, 9, 1, data + 512), 0);
    CHECK_EQ(f.ops, 4);
    CHECK_EQ(b.cached_block, 1);
    CHECK_MEM(f.mem + 32 * KiB + 3 * 512, data, 512);
    /* a read of another block does too (as Pycom's driver) */
    CHECK_EQ(bd->read(bd->ctx, 16, 1, rd), 0);
    CHECK_EQ(f.ops, 6);
    CHECK_EQ(b.cached_block, 2);
    CHECK_MEM(f.mem + 32 * KiB + 9 * 512, data + 512, 512);
    CHECK_EQ(f.bad_programs, 0);

    /* a write spanning blocks 2..3 */
    uint8_t big[8 * 512];
    fill_pattern(big, sizeof big, 42);
    CHECK_EQ(bd->write(bd->ctx, 20, 8, big), 0); /* sectors 20..27 */
    CHECK_EQ(b.cached_block, 3);
    CHECK_EQ(bd->read(bd->ctx, 20, 8, rd), 0);
    CHECK_MEM(rd, big, sizeof big);
    CHECK_EQ(bd->sync(bd->ctx), 0);
    CHECK_MEM(f.mem + 32 * KiB + 20 * 512, big, sizeof big);

    /* dropping the cache loses unsynced writes, as RAM does */
    CHECK_EQ(bd->write(bd->ctx, 24, 1, data), 0);
    vb_flash_bdev_drop_cache(&b);
    uint64_t ops = f.ops;
    CHECK_EQ(bd->sync(bd->ctx), 0);
    CHECK_EQ(f.ops, ops);
    CHECK_EQ(bd->read(bd->ctx, 24, 1, rd), 0);
    CHECK_MEM(rd, big + 4 * 512, 512);
    CHECK_EQ(bd->read(bd->ctx, 64, 1, rd), -EIO);
    vb_flash_close(&f);
}

static void test_bdev_writeback_cut(void)
{
    vb_flash f;
    vb_flash_bdev b;
    CHECK_EQ(vb_flash_open_ram(&f, 64 * KiB), 0);
    CHECK_EQ(vb_flash_bdev_init(&b, &f, 32 * KiB, 32 * KiB, 512, true), 0);
    vb_blockdev *bd = &b.bd;
    uint8_t a[512], c[512], rd[512];
    memset(a, 0x11, sizeof a);
    memset(c, 0x22, sizeof c);
    CHECK_EQ(bd->write(bd->ctx, 0, 1, a), 0);
    CHECK_EQ(bd->sync(bd->ctx), 0);
    CHECK_EQ(bd->write(bd->ctx, 0, 1, c), 0); /* dirty in RAM */

    /* the write-back (erase) is cut when another block is touched */
    vb_flash_set_cut(&f, f.ops + 1, VB_CUT_SKIP, 0);
    CHECK_EQ(bd->write(bd->ctx, 8, 1, c), -EIO);
    CHECK(f.dead);
    CHECK_EQ(b.cached_block, UINT32_MAX);
    CHECK(!b.cache_dirty);
    CHECK_EQ(bd->read(bd->ctx, 0, 1, rd), -EIO);
    CHECK_EQ(bd->write(bd->ctx, 0, 1, rd), -EIO);
    CHECK_EQ(bd->sync(bd->ctx), -EIO);

    vb_flash_power_on(&f);
    CHECK_EQ(bd->read(bd->ctx, 0, 1, rd), 0);
    CHECK_MEM(rd, a, sizeof a); /* the synced content, not the lost write */
    CHECK_EQ(bd->read(bd->ctx, 8, 1, rd), 0);
    CHECK(all_bytes(rd, sizeof rd, 0xFF));

    /* cut between the write-back's erase and program: the block is erased */
    CHECK_EQ(bd->write(bd->ctx, 1, 1, c), 0);
    vb_flash_set_cut(&f, f.ops + 2, VB_CUT_SKIP, 0);
    CHECK_EQ(bd->sync(bd->ctx), -EIO);
    CHECK(!b.cache_dirty);
    vb_flash_power_on(&f);
    CHECK(all_bytes(f.mem + 32 * KiB, 4096, 0xFF));

    /* power lost elsewhere (another writer on the chip): the next bdev call
     * fails and forgets the cache */
    CHECK_EQ(bd->write(bd->ctx, 2, 1, a), 0);
    CHECK(b.cache_dirty);
    uint8_t z = 0;
    vb_flash_set_cut(&f, f.ops + 1, VB_CUT_WHOLE, 0);
    CHECK_EQ(vb_flash_program(&f, 0, &z, 1), -EIO);
    CHECK_EQ(bd->read(bd->ctx, 2, 1, rd), -EIO);
    CHECK(!b.cache_dirty);
    CHECK_EQ(b.cached_block, UINT32_MAX);
    vb_flash_close(&f);
}

static void test_bdev_4096_cut(void)
{
    vb_flash f;
    vb_flash_bdev b;
    CHECK_EQ(vb_flash_open_ram(&f, 16 * KiB), 0);
    f.prog_page = 256;
    CHECK_EQ(vb_flash_bdev_init(&b, &f, 0, 16 * KiB, 4096, false), 0);
    uint8_t old[4096], neu[4096];
    memset(old, 0x5A, sizeof old);
    memset(neu, 0x00, sizeof neu);
    CHECK_EQ(b.bd.write(b.bd.ctx, 1, 1, old), 0);
    /* cut at the 3rd program page of the rewrite: erase + 2 pages landed */
    vb_flash_set_cut(&f, f.ops + 4, VB_CUT_SKIP, 0);
    CHECK_EQ(b.bd.write(b.bd.ctx, 1, 1, neu), -EIO);
    CHECK(all_bytes(f.mem + 4096, 512, 0x00));
    CHECK(all_bytes(f.mem + 4096 + 512, 4096 - 512, 0xFF));
    vb_flash_close(&f);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/vb_test_flash.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    RUN(test_ram_open_close);
    RUN(test_nor_program_and);
    RUN(test_erase_rules);
    RUN(test_bounds);
    RUN(test_prog_page_split);
    RUN(test_cut_program_skip);
    RUN(test_cut_program_whole);
    RUN(test_cut_program_prefix);
    RUN(test_cut_program_bits);
    RUN(test_cut_mid_call);
    RUN(test_cut_not_reached);
    RUN(test_cut_erase_modes);
    RUN(test_file_create_missing);
    RUN(test_file_create_deferred);
    RUN(test_file_missing_no_create);
    RUN(test_file_wrong_size);
    RUN(test_file_locked);
    RUN(test_file_unopenable);
    RUN(test_file_cut_persists);
    RUN(test_bdev_init);
    RUN(test_bdev_4096_direct);
    RUN(test_bdev_512_rmw);
    RUN(test_bdev_512_writeback);
    RUN(test_bdev_writeback_cut);
    RUN(test_bdev_4096_cut);
    remove_tree(tmpdir);
    return CHECK_DONE();
}
