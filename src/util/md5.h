/* MD5 (RFC 1321), needed only because the ESP-IDF partition table ends in an
 * MD5 of its entries (flash.md §2). Not for anything security-related.
 * Incremental: init, update any number of times, final. */
#ifndef VB_UTIL_MD5_H
#define VB_UTIL_MD5_H

#include <stddef.h>
#include <stdint.h>

#define VB_MD5_LEN 16

typedef struct vb_md5_ctx {
    uint32_t state[4];  /* A, B, C, D */
    uint64_t length;    /* message bytes so far */
    uint8_t block[64];  /* pending partial block */
    size_t used;        /* bytes in block */
} vb_md5_ctx;

void vb_md5_init(vb_md5_ctx *c);
void vb_md5_update(vb_md5_ctx *c, const void *data, size_t n);
/* Writes the 16-byte digest; `c` must be re-initialised before reuse. */
void vb_md5_final(vb_md5_ctx *c, uint8_t out[VB_MD5_LEN]);
/* One-shot digest of `n` bytes. */
void vb_md5(const void *data, size_t n, uint8_t out[VB_MD5_LEN]);

#endif
