/* AES, the block cipher of FIPS-197 (128-, 192- and 256-bit keys), one
 * 16-byte block at a time: cryptolib's ECB and CBC modes are built on it
 * (engine_mod_cryptolib.c). Written from the standard's description and
 * checked against its appendix C vectors and SP 800-38A's
 * (tests/unit/test_aes.c). Pure functions over the caller's key schedule;
 * no state, no allocation. Not constant-time (table lookups): fit for a
 * simulated board, not for secrets on a shared host. */
#ifndef VB_UTIL_AES_H
#define VB_UTIL_AES_H

#include <stddef.h>
#include <stdint.h>

#define VB_AES_BLOCK 16

typedef struct vb_aes_key {
    uint8_t rk[4 * 4 * 15]; /* round keys: 4 words for each of Nr + 1 rounds (Nr <= 14) */
    int nr;                 /* rounds: 10, 12 or 14 */
} vb_aes_key;

/* The key schedule of a 16-, 24- or 32-byte key; 0, or -1 for another length. */
int vb_aes_set_key(vb_aes_key *k, const uint8_t *key, size_t len);

/* One block; in and out may be the same buffer. */
void vb_aes_encrypt(const vb_aes_key *k, const uint8_t in[VB_AES_BLOCK], uint8_t out[VB_AES_BLOCK]);
void vb_aes_decrypt(const vb_aes_key *k, const uint8_t in[VB_AES_BLOCK], uint8_t out[VB_AES_BLOCK]);

/* CBC over n bytes (a multiple of 16): iv is the chaining block, updated
 * to the last ciphertext block so that calls chain; in may be out. */
void vb_aes_cbc_encrypt(const vb_aes_key *k, uint8_t iv[VB_AES_BLOCK], const uint8_t *in, uint8_t *out,
                        size_t n);
void vb_aes_cbc_decrypt(const vb_aes_key *k, uint8_t iv[VB_AES_BLOCK], const uint8_t *in, uint8_t *out,
                        size_t n);

#endif
