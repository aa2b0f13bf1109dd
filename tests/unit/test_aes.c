/* Unit tests: AES (src/util/aes.c) against the published vectors: FIPS-197
 * appendix A (the key schedule), B (the worked example) and C (one block
 * with each key length, both ways), and NIST SP 800-38A appendix F (ECB
 * with 128- and 256-bit keys, CBC with a 128-bit key, four blocks each,
 * including CBC chained over separate calls and in place). */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "util/aes.h"

/* hex text (spaces ignored) into bytes; the count */
static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = 0;
    int hi = -1;
    for (; *h; h++) {
        if (*h == ' ') continue;
        int v = *h <= '9' ? *h - '0' : (*h | 0x20) - 'a' + 10;
        if (hi < 0) {
            hi = v;
        } else {
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return n;
}

static void one_block(const char *key_hex, const char *pt_hex, const char *ct_hex)
{
    uint8_t key[32], pt[16], ct[16], got[16];
    size_t kn = unhex(key_hex, key);
    unhex(pt_hex, pt);
    unhex(ct_hex, ct);
    vb_aes_key k;
    CHECK_EQ(vb_aes_set_key(&k, key, kn), 0);
    vb_aes_encrypt(&k, pt, got);
    CHECK_MEM(got, ct, 16);
    vb_aes_decrypt(&k, ct, got);
    CHECK_MEM(got, pt, 16);
}

static void test_fips197_key_schedule(void)
{
    uint8_t key[16], last[16];
    unhex("2b7e151628aed2a6abf7158809cf4f3c", key);
    unhex("d014f9a8 c9ee2589 e13f0cc8 b6630ca6", last); /* w[40..43], appendix A.1 */
    vb_aes_key k;
    CHECK_EQ(vb_aes_set_key(&k, key, 16), 0);
    CHECK_EQ(k.nr, 10);
    CHECK_MEM(&k.rk[16 * 10], last, 16);
    CHECK_EQ(vb_aes_set_key(&k, key, 15), -1);
    CHECK_EQ(vb_aes_set_key(&k, key, 0), -1);
}

static void test_fips197_examples(void)
{
    one_block("2b7e151628aed2a6abf7158809cf4f3c", "3243f6a8885a308d313198a2e0370734",
              "3925841d02dc09fbdc118597196a0b32"); /* appendix B */
    one_block("000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff",
              "69c4e0d86a7b0430d8cdb78070b4c55a"); /* C.1 */
    one_block("000102030405060708090a0b0c0d0e0f1011121314151617", "00112233445566778899aabbccddeeff",
              "dda97ca4864cdfe06eaf70a0ec0d7191"); /* C.2 */
    one_block("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
              "00112233445566778899aabbccddeeff", "8ea2b7ca516745bfeafc49904b496089"); /* C.3 */
}

static const char *const sp800_pt = "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51 "
                                    "30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";
static const char *const key128 = "2b7e151628aed2a6abf7158809cf4f3c";

static void test_sp800_38a_ecb(void)
{
    static const char *const ct128 = "3ad77bb40d7a3660a89ecaf32466ef97 f5d3d58503b9699de785895a96fdbaaf "
                                     "43b1cd7f598ece23881b00e3ed030688 7b0c785e27e8ad3f8223207104725dd4";
    static const char *const ct256 = "f3eed1bdb5d2a03c064b5a7e3db181f8 591ccb10d410ed26dc5ba74a31362870 "
                                     "b6ed21b99ca6f4f9f153e7b1beafed1d 23304b7a39f9f3ff067d8d8f9e24ecc7";
    uint8_t pt[64], ct[64];
    unhex(sp800_pt, pt);
    unhex(ct128, ct); /* F.1.1 / F.1.2 */
    for (int b = 0; b < 4; b++) {
        char k[33], p[33], c[33];
        memcpy(k, key128, 33);
        for (int i = 0; i < 16; i++) {
            snprintf(p + 2 * i, 3, "%02x", pt[16 * b + i]);
            snprintf(c + 2 * i, 3, "%02x", ct[16 * b + i]);
        }
        one_block(k, p, c);
    }
    unhex(ct256, ct); /* F.1.5 / F.1.6 */
    uint8_t key[32], got[16];
    vb_aes_key k;
    CHECK_EQ(vb_aes_set_key(&k, key, unhex("603deb1015ca71be2b73aef0857d7781"
                                           "1f352c073b6108d72d9810a30914dff4", key)), 0);
    for (int b = 0; b < 4; b++) {
        vb_aes_encrypt(&k, pt + 16 * b, got);
        CHECK_MEM(got, ct + 16 * b, 16);
        vb_aes_decrypt(&k, ct + 16 * b, got);
        CHECK_MEM(got, pt + 16 * b, 16);
    }
}

static void test_sp800_38a_cbc(void)
{
    uint8_t key[16], pt[64], ct[64], iv[16], got[64];
    unhex(key128, key);
    unhex(sp800_pt, pt);
    unhex("7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2 "
          "73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7", ct); /* F.2.1 */
    vb_aes_key k;
    CHECK_EQ(vb_aes_set_key(&k, key, 16), 0);
    for (int i = 0; i < 16; i++) iv[i] = (uint8_t)i;
    vb_aes_cbc_encrypt(&k, iv, pt, got, 64);
    CHECK_MEM(got, ct, 64);
    CHECK_MEM(iv, ct + 48, 16); /* the chaining block is the last ciphertext */
    for (int i = 0; i < 16; i++) iv[i] = (uint8_t)i;
    vb_aes_cbc_encrypt(&k, iv, pt, got, 16); /* chained over two calls */
    vb_aes_cbc_encrypt(&k, iv, pt + 16, got + 16, 48);
    CHECK_MEM(got, ct, 64);
    for (int i = 0; i < 16; i++) iv[i] = (uint8_t)i;
    memcpy(got, ct, 64);
    vb_aes_cbc_decrypt(&k, iv, got, got, 64); /* F.2.2, in place */
    CHECK_MEM(got, pt, 64);
}

int main(void)
{
    RUN(test_fips197_key_schedule);
    RUN(test_fips197_examples);
    RUN(test_sp800_38a_ecb);
    RUN(test_sp800_38a_cbc);
    return CHECK_DONE();
}
