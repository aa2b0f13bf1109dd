/* The VM's flash access for the engine's block devices (src/firmware/
 * vm_hal.c, hal->flash_*; issue 12 §3): nothing outside the chip is read or
 * written, whatever the address and length (no wrap-around), an erase is
 * whole 4 KiB blocks, and what gets through is the flash model's: programs
 * only clear bits, every erase block and program page is a numbered op,
 * and a power cut stops the chip there. */
#include "check.h"
#include "board/profile.h"
#include "firmware/vm_hal.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#define KiB 1024u

typedef struct rig {
    vb_flash f;
    vb_firmware_ctx fw;
    vb_regs regs;
    vb_vm_hal h;
    const vb_hal *hal;
} rig;

/* A HAL over an erased RAM chip the size of the esp32 board's (esp32
 * program pages: 256 bytes). */
static void rig_open(rig *r)
{
    memset(r, 0, sizeof *r);
    const vb_profile *p = vb_profile_find("esp32");
    CHECK(p != NULL);
    CHECK_EQ(vb_flash_open_ram(&r->f, p->flash_size), 0);
    r->f.prog_page = p->prog_page;
    r->fw.profile = p;
    r->fw.flash = &r->f;
    vb_regs_init(&r->regs);
    r->fw.regs = &r->regs;
    r->fw.tx_fd = r->fw.rx_efd = r->fw.ev_fd = r->fw.idle_efd = r->fw.report_fd = r->fw.cmd_fd = -1;
    vb_vm_hal_init(&r->h, &r->fw);
    r->hal = &r->h.hal;
    CHECK(r->hal->flash_read && r->hal->flash_erase && r->hal->flash_program);
}

static bool all(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v) return false;
    return true;
}

static void test_ranges_inside_the_chip_only(void)
{
    rig r;
    rig_open(&r);
    const vb_hal *h = r.hal;
    uint32_t size = (uint32_t)r.f.size;
    uint8_t buf[8192];
    memset(r.f.mem + size - 16, 0x5A, 16);

    /* reads: the last bytes, nothing at the very end, one byte past it */
    CHECK_EQ(h->flash_read(h->ctx, size - 16, buf, 16), 0);
    CHECK(all(buf, 16, 0x5A));
    CHECK_EQ(h->flash_read(h->ctx, size, buf, 0), 0);
    CHECK_EQ(h->flash_read(h->ctx, size - 16, buf, 17), -EINVAL);
    CHECK_EQ(h->flash_read(h->ctx, size, buf, 1), -EINVAL);
    CHECK_EQ(h->flash_read(h->ctx, UINT32_MAX, buf, 1), -EINVAL);
    /* lengths that would wrap the address around to 0 */
    CHECK_EQ(h->flash_read(h->ctx, 4096, buf, SIZE_MAX), -EINVAL);
    CHECK_EQ(h->flash_read(h->ctx, size - 16, buf, (size_t)UINT32_MAX - (size - 16) + 2), -EINVAL);

    /* programs past the end change nothing and count no op */
    uint64_t ops = r.f.ops;
    memset(buf, 0, sizeof buf);
    CHECK_EQ(h->flash_program(h->ctx, size - 16, buf, 17), -EINVAL);
    CHECK_EQ(h->flash_program(h->ctx, size, buf, 1), -EINVAL);
    CHECK_EQ(h->flash_program(h->ctx, 0, buf, SIZE_MAX), -EINVAL);
    CHECK(all(r.f.mem + size - 16, 16, 0x5A));
    CHECK(all(r.f.mem, 4096, 0xFF));

    /* erases: whole 4 KiB blocks inside the chip */
    CHECK_EQ(h->flash_erase(h->ctx, size - 4096, 8192), -EINVAL);
    CHECK_EQ(h->flash_erase(h->ctx, size, 4096), -EINVAL);
    CHECK_EQ(h->flash_erase(h->ctx, 0xFFFFF000u, 4096), -EINVAL);
    CHECK_EQ(h->flash_erase(h->ctx, 4096, SIZE_MAX - 4095), -EINVAL);
    CHECK_EQ(h->flash_erase(h->ctx, 100, 4096), -EINVAL);
    CHECK_EQ(h->flash_erase(h->ctx, 0, 100), -EINVAL);
    CHECK(all(r.f.mem + size - 16, 16, 0x5A));
    CHECK_EQ(r.f.ops, ops);
    CHECK_EQ(h->flash_erase(h->ctx, size - 4096, 4096), 0);
    CHECK(all(r.f.mem + size - 16, 16, 0xFF));
    CHECK_EQ(r.f.ops, ops + 1);
    vb_flash_close(&r.f);
}

static void test_writes_are_the_flash_model(void)
{
    rig r;
    rig_open(&r);
    const vb_hal *h = r.hal;
    uint8_t a[600], b[600];
    memset(a, 0xF0, sizeof a);
    memset(b, 0x3C, sizeof b);
    uint64_t ops = r.f.ops;
    /* 600 bytes from 0x9000 + 200 cross three page boundaries: 4 programs */
    CHECK_EQ(h->flash_program(h->ctx, 0x9000 + 200, a, sizeof a), 0);
    CHECK_EQ(r.f.ops, ops + 4);
    CHECK_EQ(r.f.bad_programs, 0);
    /* programming again ANDs (0xF0 & 0x3C = 0x30) and is flagged: a 0->1 bit */
    CHECK_EQ(h->flash_program(h->ctx, 0x9000 + 200, b, sizeof b), 0);
    CHECK(all(r.f.mem + 0x9000 + 200, sizeof a, 0x30));
    CHECK(r.f.bad_programs > 0);
    /* reading it back through the HAL */
    CHECK_EQ(h->flash_read(h->ctx, 0x9000 + 200, b, sizeof b), 0);
    CHECK(all(b, sizeof b, 0x30));
    /* an erase of two blocks is two ops and restores 0xFF */
    ops = r.f.ops;
    CHECK_EQ(h->flash_erase(h->ctx, 0x9000, 8192), 0);
    CHECK_EQ(r.f.ops, ops + 2);
    CHECK(all(r.f.mem + 0x9000, 8192, 0xFF));
    vb_flash_close(&r.f);
}

static int cuts;
static void on_cut(void *ctx)
{
    (void)ctx;
    cuts++;
}

/* Erases and writes outside the filesystem region are counted (a zygote
 * that loaded the image before one is not reused); the filesystem's own
 * are not. */
static void test_writes_outside_the_filesystem_are_counted(void)
{
    rig r;
    rig_open(&r);
    const vb_profile *p = r.fw.profile;
    uint8_t page[256];
    memset(page, 0x5a, sizeof page);
    CHECK_EQ(r.hal->flash_erase(r.hal->ctx, p->fs_offset, 4 * KiB), 0);
    CHECK_EQ(r.hal->flash_program(r.hal->ctx, p->fs_offset + p->fs_size - 256, page, 256), 0);
    CHECK_EQ(atomic_load(&r.regs.app_writes), 0);
    CHECK_EQ(r.hal->flash_erase(r.hal->ctx, 0x10000, 4 * KiB), 0);            /* the app slot */
    CHECK_EQ(atomic_load(&r.regs.app_writes), 1);
    CHECK_EQ(r.hal->flash_program(r.hal->ctx, p->fs_offset - 256, page, 256), 0);
    CHECK_EQ(atomic_load(&r.regs.app_writes), 2);
    /* a range that starts inside the region but runs past it */
    CHECK_EQ(r.hal->flash_erase(r.hal->ctx, p->fs_offset + p->fs_size - 4 * KiB, 8 * KiB),
             p->fs_offset + p->fs_size + 4 * KiB <= p->flash_size ? 0 : -EINVAL);
    CHECK_EQ(atomic_load(&r.regs.app_writes), p->fs_offset + p->fs_size + 4 * KiB <= p->flash_size ? 3 : 2);
    vb_flash_close(&r.f);
}

static void test_power_cut(void)
{
    rig r;
    rig_open(&r);
    const vb_hal *h = r.hal;
    r.f.on_cut = on_cut;
    uint8_t zero[512] = {0}, got[16];
    /* the cut falls on the second page of a two-page program: the first
     * page is written, the second not, and the chip is dead afterwards */
    vb_flash_set_cut(&r.f, r.f.ops + 2, VB_CUT_SKIP, 1);
    CHECK_EQ(h->flash_program(h->ctx, 0xF000, zero, sizeof zero), -EIO);
    CHECK_EQ(cuts, 1);
    CHECK(all(r.f.mem + 0xF000, 256, 0x00));
    CHECK(all(r.f.mem + 0xF100, 256, 0xFF));
    CHECK_EQ(h->flash_read(h->ctx, 0xF000, got, sizeof got), -EIO);
    CHECK_EQ(h->flash_erase(h->ctx, 0xF000, 4096), -EIO);
    /* out of range is still out of range on a dead chip */
    CHECK_EQ(h->flash_read(h->ctx, (uint32_t)r.f.size, got, 1), -EINVAL);
    vb_flash_close(&r.f);
}

int main(void)
{
    RUN(test_ranges_inside_the_chip_only);
    RUN(test_writes_are_the_flash_model);
    RUN(test_writes_outside_the_filesystem_are_counted);
    RUN(test_power_cut);
    return CHECK_DONE();
}
