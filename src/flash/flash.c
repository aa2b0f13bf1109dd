/* The NOR flash chip model (flash.md §7).
 *
 * Method. The chip is one byte array; program ANDs the data into it, erase
 * sets a 4 KiB block to 0xFF. Each program piece (a program is split at
 * prog_page boundaries) and each erased block is one operation, numbered
 * from 1 over the life of the open flash. When the operation about to run
 * has the number armed with vb_flash_set_cut, it is applied per the cut mode
 * and the chip goes dead:
 *   SKIP         nothing of op N reaches the chip;
 *   WHOLE        op N lands completely;
 *   TORN_PREFIX  the first k bytes of op N land, 0 < k < length (a 1-byte op
 *                lands nothing): a program leaves bytes [k, length) as they
 *                were, an erase leaves them unerased;
 *   TORN_BITS    a program clears only a random subset of the bits it should
 *                clear (no bit is ever set, so the result is still between
 *                old and new); an erase sets a random subset of the block's
 *                bytes to 0xFF and leaves the others as they were.
 * k and the random subsets come from a xorshift generator seeded with
 * cut_seed, so a (N, mode, seed) triple replays identically. Pieces of the
 * same call after op N and every later call fail with -EIO until
 * vb_flash_power_on: like the board, nothing more reaches the chip once the
 * power is gone. After a cut `ops` is N and the op counters include op N
 * (it was issued); reads do not count as operations. A program whose data
 * has a 1 where the chip holds a 0 counts in bad_programs: the chip keeps
 * the 0, so the caller's bytes did not land (an FS or driver bug). */
#include "../util/errtext.h"
#include "flash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Addresses are uint32_t, so a chip can be at most 4 GiB. */
#define FLASH_MAX_SIZE ((uint64_t)1 << 32)


static void reset_struct(vb_flash *f)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
}

static bool size_ok(uint64_t size)
{
    return size > 0 && size % VB_FLASH_BLOCK == 0 && size <= FLASH_MAX_SIZE;
}

/* ---- Image file backing ------------------------------------------------ */

/* Fill a freshly created file with `size` bytes of 0xFF and start writing
 * it back. Written rather than ftruncate'd + memset so the blocks really
 * exist (a full disk fails here, not later as SIGBUS on the mapping). Not
 * waited for: the first vb_flash_sync or vb_flash_close (msync MS_SYNC,
 * which a board's first boot reaches when it formats) waits for these
 * pages with its own, so a new board's cold start does not (an fsync here
 * cost 5-6 ms of it, issue 14). */
static int fill_erased(int fd, uint64_t size)
{
    uint8_t buf[16384];
    memset(buf, 0xFF, sizeof buf);
    uint64_t done = 0;
    while (done < size) {
        size_t chunk = sizeof buf;
        if (size - done < chunk)
            chunk = (size_t)(size - done);
        ssize_t w = write(fd, buf, chunk);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        done += (uint64_t)w;
    }
    (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);   /* a head start only */
    return 0;
}

/* want_size == 0: take the size from the file (vb_flash_open_existing).
 * created: non-NULL when a file it creates is only sized, erased later by
 * vb_flash_erase_new (vb_flash_open_file_deferred); says whether it was. */
static int open_image(vb_flash *f, const char *path, uint64_t want_size, bool create, bool *created_out,
                      char *err, size_t errlen)
{
    reset_struct(f);
    if (!path) {
        vb_set_err(err, errlen, "no flash image path given");
        return -EINVAL;
    }
    if (want_size != 0 && !size_ok(want_size)) {
        vb_set_err(err, errlen, "flash size %llu is not a positive multiple of %u bytes (at most 4 GiB)",
                (unsigned long long)want_size, VB_FLASH_BLOCK);
        return -EINVAL;
    }

    bool created = false;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        fd = open(path, O_RDWR | O_CLOEXEC | O_CREAT | O_EXCL, 0644);
        if (fd >= 0)
            created = true;
        else if (errno == EEXIST) /* someone created it in between: use theirs */
            fd = open(path, O_RDWR | O_CLOEXEC);
    }
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT && !create)
            vb_set_err(err, errlen, "flash image %s does not exist", path);
        else
            vb_set_err(err, errlen, "cannot open flash image %s: %s", path, strerror(e));
        return -e;
    }

    int rc;
    /* The lock comes before any size check or fill: a board that holds the
     * image must never see it being checked, filled or mapped by another. */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        rc = -errno;
        if (rc == -EWOULDBLOCK) {
            rc = -EBUSY;
            vb_set_err(err, errlen,
                    "flash image %s is in use by a running board or another vboard command", path);
        } else {
            vb_set_err(err, errlen, "cannot lock flash image %s: %s", path, strerror(-rc));
        }
        goto fail;
    }

    if (created) {
        rc = !created_out ? fill_erased(fd, want_size) : ftruncate(fd, (off_t)want_size) == 0 ? 0 : -errno;
        if (rc < 0) {
            vb_set_err(err, errlen, "cannot create flash image %s: %s", path, strerror(-rc));
            goto fail;
        }
    }

    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = -errno;
        vb_set_err(err, errlen, "cannot stat flash image %s: %s", path, strerror(-rc));
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = -EINVAL;
        vb_set_err(err, errlen, "flash image %s is not a regular file", path);
        goto fail;
    }
    uint64_t have = (uint64_t)st.st_size;
    if (want_size == 0) {
        if (!size_ok(have)) {
            rc = -EINVAL;
            vb_set_err(err, errlen,
                    "flash image %s is %llu bytes, not a positive multiple of %u bytes: not a flash image",
                    path, (unsigned long long)have, VB_FLASH_BLOCK);
            goto fail;
        }
        want_size = have;
    } else if (have != want_size) {
        rc = -EINVAL;
        vb_set_err(err, errlen,
                "flash image %s is %llu bytes but this board's flash is %llu bytes; "
                "refusing to use it (the file is left as it is)",
                path, (unsigned long long)have, (unsigned long long)want_size);
        goto fail;
    }

    void *mem = mmap(NULL, (size_t)want_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (mem == MAP_FAILED) {
        rc = -errno;
        vb_set_err(err, errlen, "cannot map flash image %s: %s", path, strerror(-rc));
        goto fail;
    }
    f->mem = mem;
    f->size = (size_t)want_size;
    f->fd = fd;
    if (created_out) *created_out = created;
    return 0;

fail:
    /* A file we created and could not finish is ours to remove; an existing
     * file is never touched. */
    if (created && rc != -EBUSY)
        unlink(path);
    close(fd);
    return rc;
}

int vb_flash_open_file(vb_flash *f, const char *path, size_t size, bool create,
                       char *err, size_t errlen)
{
    if (size == 0) {
        reset_struct(f);
        vb_set_err(err, errlen, "flash size 0 is not a positive multiple of %u bytes", VB_FLASH_BLOCK);
        return -EINVAL;
    }
    return open_image(f, path, size, create, NULL, err, errlen);
}

int vb_flash_open_file_deferred(vb_flash *f, const char *path, size_t size, bool *created,
                                char *err, size_t errlen)
{
    *created = false;
    if (size == 0) {
        reset_struct(f);
        vb_set_err(err, errlen, "flash size 0 is not a positive multiple of %u bytes", VB_FLASH_BLOCK);
        return -EINVAL;
    }
    return open_image(f, path, size, true, created, err, errlen);
}

int vb_flash_erase_new(vb_flash *f, const char *path, char *err, size_t errlen)
{
    int rc = lseek(f->fd, 0, SEEK_SET) == 0 ? fill_erased(f->fd, f->size) : -errno;
    if (rc < 0) vb_set_err(err, errlen, "cannot create flash image %s: %s", path, strerror(-rc));
    return rc;
}

int vb_flash_open_existing(vb_flash *f, const char *path, char *err, size_t errlen)
{
    return open_image(f, path, 0, false, NULL, err, errlen);
}

int vb_flash_open_ram(vb_flash *f, size_t size)
{
    reset_struct(f);
    if (!size_ok(size))
        return -EINVAL;
    f->mem = malloc(size);
    if (!f->mem)
        return -ENOMEM;
    memset(f->mem, 0xFF, size);
    f->size = size;
    return 0;
}

void vb_flash_close(vb_flash *f)
{
    /* fd is ours only while mem is set: a zeroed struct has fd 0 (stdin). */
    if (f->mem) {
        if (f->fd >= 0) {
            msync(f->mem, f->size, MS_SYNC);
            munmap(f->mem, f->size);
            close(f->fd);
        } else {
            free(f->mem);
        }
    }
    reset_struct(f);
}

/* ---- Power-cut machinery ------------------------------------------------ */

typedef struct cut_rng {
    uint32_t s;
} cut_rng;

static cut_rng rng_seed(uint32_t seed)
{
    /* Mix so that nearby seeds differ from the first draw; xorshift32 must
     * never hold 0. */
    uint32_t s = seed * 0x9E3779B1u ^ 0xA5A5A5A5u;
    return (cut_rng){s ? s : 1u};
}

static uint32_t rng_next(cut_rng *r)
{
    uint32_t x = r->s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    r->s = x;
    return x;
}

/* Length of a torn prefix: strictly between nothing and everything. */
static size_t torn_len(cut_rng *r, size_t n)
{
    if (n <= 1)
        return 0;
    return 1 + (size_t)(rng_next(r) % (uint32_t)(n - 1));
}

/* Start of op number ops+1: returns true if power is cut at this op. */
static bool op_begin(vb_flash *f)
{
    f->ops = f->shared_ops ? ++*f->shared_ops : f->ops + 1;
    return f->cut_at != 0 && f->ops == f->cut_at;
}

static void torn_program(vb_flash *f, uint8_t *dst, const uint8_t *src, size_t n)
{
    cut_rng r = rng_seed(f->cut_seed);
    switch (f->cut_mode) {
    case VB_CUT_SKIP:
        break;
    case VB_CUT_WHOLE:
        for (size_t i = 0; i < n; i++)
            dst[i] &= src[i];
        break;
    case VB_CUT_TORN_PREFIX: {
        size_t k = torn_len(&r, n);
        for (size_t i = 0; i < k; i++)
            dst[i] &= src[i];
        break;
    }
    case VB_CUT_TORN_BITS:
        for (size_t i = 0; i < n; i++) {
            uint8_t clear = (uint8_t)(dst[i] & ~src[i]);
            dst[i] &= (uint8_t)~(clear & (uint8_t)rng_next(&r));
        }
        break;
    }
}

static void torn_erase(vb_flash *f, uint8_t *dst, size_t n)
{
    cut_rng r = rng_seed(f->cut_seed);
    switch (f->cut_mode) {
    case VB_CUT_SKIP:
        break;
    case VB_CUT_WHOLE:
        memset(dst, 0xFF, n);
        break;
    case VB_CUT_TORN_PREFIX:
        memset(dst, 0xFF, torn_len(&r, n));
        break;
    case VB_CUT_TORN_BITS:
        for (size_t i = 0; i < n; i++)
            if (rng_next(&r) & 1u)
                dst[i] = 0xFF;
        break;
    }
}

/* cut_at stays as armed so the caller can see where power went;
 * vb_flash_power_on disarms it. */
static void power_cut(vb_flash *f)
{
    f->dead = true;
    if (f->on_cut) f->on_cut(f->on_cut_ctx);
}

/* ---- Operations --------------------------------------------------------- */

static bool in_range(const vb_flash *f, uint32_t addr, size_t n)
{
    return (uint64_t)addr + n <= f->size;
}

int vb_flash_read(vb_flash *f, uint32_t addr, void *buf, size_t n)
{
    if (f->dead || !f->mem || !in_range(f, addr, n))
        return -EIO;
    if (n)
        memcpy(buf, f->mem + addr, n);
    return 0;
}

int vb_flash_program(vb_flash *f, uint32_t addr, const void *buf, size_t n)
{
    if (f->dead || !f->mem || !in_range(f, addr, n))
        return -EIO;
    const uint8_t *src = buf;
    while (n > 0) {
        size_t piece = n;
        if (f->prog_page) {
            size_t room = f->prog_page - addr % f->prog_page;
            if (piece > room)
                piece = room;
        }
        uint8_t *dst = f->mem + addr;
        bool cut = op_begin(f);
        f->n_program++;
        f->bytes_programmed += piece;
        for (size_t i = 0; i < piece; i++)
            if (src[i] & ~dst[i]) {
                f->bad_programs++;
                break;
            }
        if (cut) {
            torn_program(f, dst, src, piece);
            power_cut(f);
            return -EIO;
        }
        for (size_t i = 0; i < piece; i++)
            dst[i] &= src[i];
        addr += (uint32_t)piece;
        src += piece;
        n -= piece;
    }
    return 0;
}

int vb_flash_erase(vb_flash *f, uint32_t addr, size_t n)
{
    if (f->dead || !f->mem)
        return -EIO;
    if (addr % VB_FLASH_BLOCK != 0 || n % VB_FLASH_BLOCK != 0)
        return -EINVAL;
    if (!in_range(f, addr, n))
        return -EIO;
    for (size_t done = 0; done < n; done += VB_FLASH_BLOCK) {
        uint8_t *dst = f->mem + addr + done;
        bool cut = op_begin(f);
        f->n_erase++;
        if (cut) {
            torn_erase(f, dst, VB_FLASH_BLOCK);
            power_cut(f);
            return -EIO;
        }
        memset(dst, 0xFF, VB_FLASH_BLOCK);
    }
    return 0;
}

int vb_flash_sync(vb_flash *f)
{
    if (f->dead || !f->mem)
        return -EIO;
    if (f->fd >= 0 && msync(f->mem, f->size, MS_SYNC) != 0)
        return -errno;
    return 0;
}

int vb_flash_lock(vb_flash *f, bool lock)
{
    if (f->fd < 0) return 0;
    if (!lock) {
        vb_flash_sync(f);
        return flock(f->fd, LOCK_UN) == 0 ? 0 : -errno;
    }
    return flock(f->fd, LOCK_EX | LOCK_NB) == 0 ? 0 : -EBUSY;
}

void vb_flash_set_cut(vb_flash *f, uint64_t op, vb_cut_mode mode, uint32_t seed)
{
    f->cut_at = op;
    f->cut_mode = mode;
    f->cut_seed = seed;
}

void vb_flash_power_on(vb_flash *f)
{
    f->dead = false;
    f->cut_at = 0;
}
