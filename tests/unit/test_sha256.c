/* Unit tests: SHA-256 (src/util/sha256.c) against the FIPS 180-2 / NIST
 * example vectors, and the incremental API against the one-shot digest at
 * random split points and across block boundaries. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util/sha256.h"

static void hex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static void check_sha(const void *msg, size_t n, const char *want)
{
    uint8_t d[VB_SHA256_LEN];
    char got[2 * VB_SHA256_LEN + 1];
    vb_sha256(msg, n, d);
    hex(d, sizeof d, got);
    CHECK_STR(got, want);
}

static void test_nist_vectors(void)
{
    check_sha("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_sha(NULL, 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_sha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    CHECK_EQ(strlen(m448) * 8, 448);
    check_sha(m448, strlen(m448), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                       "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    CHECK_EQ(strlen(m896) * 8, 896);
    check_sha(m896, strlen(m896), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void)
{
    const char *want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    char *m = malloc(1000000);
    CHECK(m != NULL);
    if (!m)
        return;
    memset(m, 'a', 1000000);
    check_sha(m, 1000000, want);
    /* and fed in odd-sized pieces */
    vb_sha256_ctx c;
    uint8_t d[VB_SHA256_LEN];
    char got[2 * VB_SHA256_LEN + 1];
    vb_sha256_init(&c);
    for (size_t done = 0; done < 1000000;) {
        size_t n = 1000000 - done < 997 ? 1000000 - done : 997;
        vb_sha256_update(&c, m + done, n);
        done += n;
    }
    vb_sha256_final(&c, d);
    hex(d, sizeof d, got);
    CHECK_STR(got, want);
    free(m);
}

/* Padding edges: lengths around 55/56/64 bytes take one or two final
 * blocks; every length 0..200 split at every point agrees with one-shot. */
static void test_every_split_small(void)
{
    uint8_t msg[200];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 37 + 11);
    int bad = 0;
    for (size_t n = 0; n <= sizeof msg; n++) {
        uint8_t want[VB_SHA256_LEN];
        vb_sha256(msg, n, want);
        for (size_t k = 0; k <= n; k++) {
            vb_sha256_ctx c;
            uint8_t got[VB_SHA256_LEN];
            vb_sha256_init(&c);
            vb_sha256_update(&c, msg, k);
            vb_sha256_update(&c, msg + k, 0);
            vb_sha256_update(&c, msg + k, n - k);
            vb_sha256_final(&c, got);
            if (memcmp(got, want, sizeof want) != 0 && bad++ < 5)
                fprintf(stderr, "length %zu split at %zu differs\n", n, k);
        }
    }
    CHECK_EQ(bad, 0);
}

/* Random messages, random sequences of update sizes (seeded: reproducible). */
static void test_random_splits(void)
{
    srand(20261122);
    enum { MAX = 5000 };
    uint8_t *msg = malloc(MAX);
    CHECK(msg != NULL);
    if (!msg)
        return;
    int bad = 0;
    for (int round = 0; round < 300; round++) {
        size_t n = (size_t)rand() % MAX;
        for (size_t i = 0; i < n; i++)
            msg[i] = (uint8_t)rand();
        uint8_t want[VB_SHA256_LEN], got[VB_SHA256_LEN];
        vb_sha256(msg, n, want);
        vb_sha256_ctx c;
        vb_sha256_init(&c);
        for (size_t done = 0; done < n;) {
            size_t step = (size_t)rand() % 150;
            if (step > n - done)
                step = n - done;
            vb_sha256_update(&c, msg + done, step);
            done += step;
        }
        vb_sha256_final(&c, got);
        if (memcmp(got, want, sizeof want) != 0)
            bad++;
    }
    CHECK_EQ(bad, 0);
    free(msg);
}

int main(void)
{
    RUN(test_nist_vectors);
    RUN(test_million_a);
    RUN(test_every_split_small);
    RUN(test_random_splits);
    return CHECK_DONE();
}
