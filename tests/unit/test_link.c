/* Unit tests: the serial link's pure parts — the transmit queue
 * (src/link/txqueue.h: soft/hard limits, wrap, growth keeping order, a
 * random producer/consumer against a reference stream) and line-rate
 * pacing (src/link/pace.h: rate, burst, next-byte time, unpaced). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "link/pace.h"
#include "link/txqueue.h"

static void test_limits(void)
{
    vb_txqueue q;
    vb_txq_init(&q, 100, 150);
    uint8_t buf[200];
    for (int i = 0; i < 200; i++) buf[i] = (uint8_t)i;
    CHECK_EQ(vb_txq_room(&q), 100);
    CHECK_EQ(vb_txq_push(&q, buf, 200), 100);          /* the firmware's FIFO is full */
    CHECK_EQ(vb_txq_room(&q), 0);
    CHECK_EQ(vb_txq_push(&q, buf, 1), 0);
    CHECK_EQ(vb_txq_force(&q, buf + 100, 100), 50);    /* messages up to the hard limit */
    CHECK_EQ(vb_txq_count(&q), 150);
    size_t len;
    const uint8_t *p = vb_txq_peek(&q, &len);
    CHECK(len > 0 && p[0] == 0);
    vb_txq_consume(&q, 149);
    p = vb_txq_peek(&q, &len);
    CHECK_EQ(len, 1);
    CHECK_EQ(p[0], 149);
    vb_txq_consume(&q, 5);                             /* more than queued: empties */
    CHECK_EQ(vb_txq_count(&q), 0);
    p = vb_txq_peek(&q, &len);
    CHECK(p == NULL && len == 0);
    vb_txq_free(&q);
}

/* Random pushes, forces and consumes in random sizes; what comes out is
 * exactly the bytes that were accepted, in order (growth and wrap
 * included). */
static void test_random_order(void)
{
    vb_txqueue q;
    vb_txq_init(&q, 65536, 1 << 20);
    srand(7);
    uint64_t in = 0, out = 0;
    uint8_t chunk[70000];
    int bad = 0;
    for (int round = 0; round < 20000; round++) {
        int op = rand() % 3;
        size_t n = (size_t)(rand() % (rand() % 8 == 0 ? 70000 : 300));
        if (op < 2) {
            for (size_t i = 0; i < n; i++) chunk[i] = (uint8_t)((in + i) * 131u >> 3);
            size_t took = op == 0 ? vb_txq_push(&q, chunk, n) : vb_txq_force(&q, chunk, n);
            in += took;
        } else {
            size_t len;
            const uint8_t *p = vb_txq_peek(&q, &len);
            if (len > n) len = n;
            for (size_t i = 0; i < len; i++)
                if (p[i] != (uint8_t)((out + i) * 131u >> 3)) bad++;
            vb_txq_consume(&q, len);
            out += len;
        }
        if (vb_txq_count(&q) != in - out) bad++;
    }
    CHECK_EQ(bad, 0);
    CHECK(in > 1000000);
    CHECK(q.cap <= (1u << 20));
    vb_txq_free(&q);
}

static void test_pace_rate(void)
{
    vb_pace p;
    vb_pace_init(&p, 115200, 1000);
    /* a full FIFO's worth at once, then 11 520 bytes a second */
    CHECK_EQ(vb_pace_allow(&p, 1000), VB_PACE_BURST);
    vb_pace_take(&p, VB_PACE_BURST);
    CHECK_EQ(vb_pace_allow(&p, 1000), 0);
    uint64_t next = vb_pace_next_us(&p, 1000);
    CHECK(next > 1000 && next <= 1000 + 87);           /* one byte = 86.8 µs */
    CHECK_EQ(vb_pace_allow(&p, next), 1);
    /* send for one board second in small steps: 11 520 bytes, ±1 */
    vb_pace_init(&p, 115200, 0);
    vb_pace_take(&p, vb_pace_allow(&p, 0));
    uint64_t sent = 0;
    for (uint64_t t = 0; t <= 1000000; t += 37) {
        size_t a = vb_pace_allow(&p, t);
        vb_pace_take(&p, a);
        sent += a;
    }
    CHECK(sent >= 11519 && sent <= 11521);
    /* idle for a minute: still only one FIFO of credit */
    CHECK_EQ(vb_pace_allow(&p, 61000000), VB_PACE_BURST);
}

static void test_pace_unpaced(void)
{
    vb_pace p;
    vb_pace_init(&p, 0, 5);
    CHECK(vb_pace_allow(&p, 5) == SIZE_MAX);
    vb_pace_take(&p, 1 << 20);
    CHECK(vb_pace_allow(&p, 5) == SIZE_MAX);
    CHECK_EQ(vb_pace_next_us(&p, 5), 5);
    vb_pace_init(&p, 3, 0);                            /* below 1 byte/s: clamped to 1 */
    vb_pace_take(&p, vb_pace_allow(&p, 0));
    CHECK_EQ(vb_pace_allow(&p, 999999), 0);
    CHECK_EQ(vb_pace_allow(&p, 1000000), 1);
}

int main(void)
{
    RUN(test_limits);
    RUN(test_random_order);
    RUN(test_pace_rate);
    RUN(test_pace_unpaced);
    return CHECK_DONE();
}
