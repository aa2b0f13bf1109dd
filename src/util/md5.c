/* MD5 written from the description in RFC 1321 §3: the message is padded
 * with a 1 bit, zeros and its 64-bit bit length to a multiple of 512 bits,
 * then each 16-word block goes through four rounds of sixteen steps
 *   a = b + ((a + f(b,c,d) + X[k] + T[i]) <<< s)
 * with f = F, G, H, I per round. Words are little-endian throughout. */
#include "md5.h"

#include <string.h>

/* T[i] = floor(2^32 * |sin(i + 1)|), i = 0..63 (RFC 1321 §3.4). */
static const uint32_t sine_table[64] = {
    0xd76aa478u, 0xe8c7b756u, 0x242070dbu, 0xc1bdceeeu,
    0xf57c0fafu, 0x4787c62au, 0xa8304613u, 0xfd469501u,
    0x698098d8u, 0x8b44f7afu, 0xffff5bb1u, 0x895cd7beu,
    0x6b901122u, 0xfd987193u, 0xa679438eu, 0x49b40821u,
    0xf61e2562u, 0xc040b340u, 0x265e5a51u, 0xe9b6c7aau,
    0xd62f105du, 0x02441453u, 0xd8a1e681u, 0xe7d3fbc8u,
    0x21e1cde6u, 0xc33707d6u, 0xf4d50d87u, 0x455a14edu,
    0xa9e3e905u, 0xfcefa3f8u, 0x676f02d9u, 0x8d2a4c8au,
    0xfffa3942u, 0x8771f681u, 0x6d9d6122u, 0xfde5380cu,
    0xa4beea44u, 0x4bdecfa9u, 0xf6bb4b60u, 0xbebfbc70u,
    0x289b7ec6u, 0xeaa127fau, 0xd4ef3085u, 0x04881d05u,
    0xd9d4d039u, 0xe6db99e5u, 0x1fa27cf8u, 0xc4ac5665u,
    0xf4292244u, 0x432aff97u, 0xab9423a7u, 0xfc93a039u,
    0x655b59c3u, 0x8f0ccc92u, 0xffeff47du, 0x85845dd1u,
    0x6fa87e4fu, 0xfe2ce6e0u, 0xa3014314u, 0x4e0811a1u,
    0xf7537e82u, 0xbd3af235u, 0x2ad7d2bbu, 0xeb86d391u,
};

/* Rotation amounts: four per round, repeated four times within the round. */
static const uint8_t shifts[4][4] = {
    {7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21},
};

static uint32_t rotl(uint32_t x, unsigned s)
{
    return (x << s) | (x >> (32 - s));
}

static void process_block(uint32_t state[4], const uint8_t block[64])
{
    uint32_t x[16];
    for (unsigned i = 0; i < 16; i++)
        x[i] = (uint32_t)block[4 * i] | (uint32_t)block[4 * i + 1] << 8 |
               (uint32_t)block[4 * i + 2] << 16 | (uint32_t)block[4 * i + 3] << 24;

    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    for (unsigned i = 0; i < 64; i++) {
        unsigned round = i / 16;
        uint32_t f;
        unsigned k;
        switch (round) {
        case 0: f = (b & c) | (~b & d); k = i; break;
        case 1: f = (b & d) | (c & ~d); k = (1 + 5 * i) % 16; break;
        case 2: f = b ^ c ^ d; k = (5 + 3 * i) % 16; break;
        default: f = c ^ (b | ~d); k = (7 * i) % 16; break;
        }
        uint32_t t = b + rotl(a + f + x[k] + sine_table[i], shifts[round][i % 4]);
        /* The RFC names the registers anew at each step; rotating the roles
         * (a,b,c,d) <- (d,a',b,c) is the same computation. */
        a = d;
        d = c;
        c = b;
        b = t;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
}

void vb_md5_init(vb_md5_ctx *c)
{
    c->state[0] = 0x67452301u;
    c->state[1] = 0xefcdab89u;
    c->state[2] = 0x98badcfeu;
    c->state[3] = 0x10325476u;
    c->length = 0;
    c->used = 0;
}

void vb_md5_update(vb_md5_ctx *c, const void *data, size_t n)
{
    const uint8_t *p = data;
    c->length += n;
    while (n > 0) {
        size_t take = 64 - c->used;
        if (take > n)
            take = n;
        memcpy(c->block + c->used, p, take);
        c->used += take;
        p += take;
        n -= take;
        if (c->used == 64) {
            process_block(c->state, c->block);
            c->used = 0;
        }
    }
}

void vb_md5_final(vb_md5_ctx *c, uint8_t out[VB_MD5_LEN])
{
    uint64_t bits = c->length * 8;
    uint8_t pad[72] = {0x80};
    /* Pad to 56 mod 64, then append the length: 1..64 bytes of padding. */
    size_t padlen = (c->used < 56) ? 56 - c->used : 120 - c->used;
    for (unsigned i = 0; i < 8; i++)
        pad[padlen + i] = (uint8_t)(bits >> (8 * i));
    uint64_t keep = c->length;
    vb_md5_update(c, pad, padlen + 8);
    c->length = keep;
    for (unsigned i = 0; i < 4; i++) {
        out[4 * i] = (uint8_t)c->state[i];
        out[4 * i + 1] = (uint8_t)(c->state[i] >> 8);
        out[4 * i + 2] = (uint8_t)(c->state[i] >> 16);
        out[4 * i + 3] = (uint8_t)(c->state[i] >> 24);
    }
}

void vb_md5(const void *data, size_t n, uint8_t out[VB_MD5_LEN])
{
    vb_md5_ctx c;
    vb_md5_init(&c);
    vb_md5_update(&c, data, n);
    vb_md5_final(&c, out);
}
