/* The flash chip model: one byte array (erased = 0xFF) with NOR semantics.
 *
 * Program clears bits only (new = old AND data); erase sets a whole 4 KiB
 * block to 0xFF (flash.md §7). Every program and every block erase is one
 * numbered operation; a power cut can be armed at operation N, which then is
 * applied not at all, whole, or torn, after which the chip is "dead": every
 * later read, program or erase fails with -EIO until the flash is reopened,
 * exactly as if the board lost power there.
 *
 * Backing: a host image file mapped MAP_SHARED (the board's flash and the
 * host image tools) or plain RAM (tests, fuzzing). Library code: never prints
 * or exits; errors come back as negative errno plus a sentence in `err`. */
#ifndef VB_FLASH_FLASH_H
#define VB_FLASH_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VB_FLASH_BLOCK 4096u /* erase unit */
#define VB_ERR_LEN 256       /* size of the caller's error-text buffer */

typedef enum vb_cut_mode {
    VB_CUT_SKIP = 0,   /* op N is not applied at all */
    VB_CUT_WHOLE,      /* op N is applied completely, then power is lost */
    VB_CUT_TORN_PREFIX,/* a prefix of op N's bytes is applied */
    VB_CUT_TORN_BITS,  /* a random subset of op N's changes is applied */
} vb_cut_mode;

typedef struct vb_flash {
    uint8_t *mem;          /* size bytes: the chip */
    size_t size;           /* multiple of VB_FLASH_BLOCK */
    int fd;                /* image file, or -1 for RAM */
    uint32_t prog_page;    /* programs are split at this alignment, one op
                              per piece (256 on esp32); 0 = one op per call */
    uint64_t ops;          /* operations performed so far (last op's number) */
    uint64_t n_program, n_erase, bytes_programmed;
    uint64_t bad_programs; /* programs that needed a 0->1 bit: an FS bug */
    /* power-cut hook: 0 = disarmed */
    uint64_t cut_at;
    vb_cut_mode cut_mode;
    uint32_t cut_seed;
    bool dead;             /* power was cut: every access fails */
    /* A board numbers ops across all its processes: when set, op numbers
     * come from this shared counter (one writer at a time) instead of ops. */
    uint64_t *shared_ops;
    /* Called right after a cut is applied (the board loses power there);
     * NULL = just go dead. */
    void (*on_cut)(void *ctx);
    void *on_cut_ctx;
} vb_flash;

/* Open an image file of exactly `size` bytes, mapped shared, and take an
 * exclusive lock on it (a running board or another tool holding it → -EBUSY).
 * A missing file is created erased when `create` is true (else -ENOENT).
 * A file of another size, unreadable, or locked is refused and left untouched. */
int vb_flash_open_file(vb_flash *f, const char *path, size_t size, bool create,
                       char *err, size_t errlen);
/* vb_flash_open_file(create: true) for a board that starts other work
 * before a new image's first content (issue 14: its zygote): a file it
 * creates (*created) is sized and mapped but reads as zeros until
 * vb_flash_erase_new (path for the error text) erases it; nothing may
 * touch the chip in between. A failed erase leaves the file to the
 * caller to remove. */
int vb_flash_open_file_deferred(vb_flash *f, const char *path, size_t size, bool *created,
                                char *err, size_t errlen);
int vb_flash_erase_new(vb_flash *f, const char *path, char *err, size_t errlen);
/* Like vb_flash_open_file but takes the size from the file itself. */
int vb_flash_open_existing(vb_flash *f, const char *path, char *err, size_t errlen);
/* An erased chip in RAM. */
int vb_flash_open_ram(vb_flash *f, size_t size);
/* Flush (msync) and release. Safe on a zeroed or already closed struct. */
void vb_flash_close(vb_flash *f);

int vb_flash_read(vb_flash *f, uint32_t addr, void *buf, size_t n);
int vb_flash_program(vb_flash *f, uint32_t addr, const void *buf, size_t n);
/* addr and n multiples of VB_FLASH_BLOCK; one op per block. */
int vb_flash_erase(vb_flash *f, uint32_t addr, size_t n);
/* Release (false) or retake (true) the image file's exclusive lock while
 * the mapping stays: a board in download mode or without power lets host
 * tools write its flash. 0, or -EBUSY when another holder has it. */
int vb_flash_lock(vb_flash *f, bool lock);

/* Make the mapped file durable (msync); no-op for RAM. */
int vb_flash_sync(vb_flash *f);

/* Arm a power cut at op number `op` (counted from the flash's current ops+1
 * onward, i.e. absolute op numbers); op = 0 disarms. */
void vb_flash_set_cut(vb_flash *f, uint64_t op, vb_cut_mode mode, uint32_t seed);
/* Power back on after a cut: clears `dead` and the hook, keeps the bytes. */
void vb_flash_power_on(vb_flash *f);

#endif
