/* SHA-256 (FIPS 180-4 §6.2), used as the digest of a firmware image's
 * payload (boot.md §6): the bootloader recomputes it before it runs a slot.
 * Incremental: init, update any number of times, final. */
#ifndef VB_UTIL_SHA256_H
#define VB_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define VB_SHA256_LEN 32

typedef struct vb_sha256_ctx {
    uint32_t h[8];      /* H0..H7 */
    uint64_t length;    /* message bytes so far */
    uint8_t block[64];  /* pending partial block */
    size_t used;        /* bytes in block */
} vb_sha256_ctx;

void vb_sha256_init(vb_sha256_ctx *c);
void vb_sha256_update(vb_sha256_ctx *c, const void *data, size_t n);
/* Writes the 32-byte digest; `c` must be re-initialised before reuse. */
void vb_sha256_final(vb_sha256_ctx *c, uint8_t out[VB_SHA256_LEN]);
/* One-shot digest of `n` bytes. */
void vb_sha256(const void *data, size_t n, uint8_t out[VB_SHA256_LEN]);

#endif
