/* The transmit queue (txqueue.h). */
#include "txqueue.h"

#include <stdlib.h>
#include <string.h>

#define MIN_CAP 4096u

void vb_txq_init(vb_txqueue *q, size_t soft, size_t hard)
{
    *q = (vb_txqueue){.soft = soft, .hard = hard < soft ? soft : hard};
}

void vb_txq_free(vb_txqueue *q)
{
    free(q->buf);
    vb_txq_init(q, q->soft, q->hard);
}

/* Storage for at least `need` bytes; false when it cannot grow. Data is
 * re-laid from offset 0, so the ring's wrap point moves with the size. */
static bool reserve(vb_txqueue *q, size_t need)
{
    if (need <= q->cap) return true;
    size_t cap = q->cap ? q->cap : MIN_CAP;
    while (cap < need) cap *= 2;
    uint8_t *nb = malloc(cap);
    if (!nb) return false;
    size_t n = vb_txq_count(q);
    for (size_t done = 0; done < n;) {
        size_t len;
        const uint8_t *p = vb_txq_peek(q, &len);
        memcpy(nb + done, p, len);
        done += len;
        q->tail += len;
    }
    free(q->buf);
    q->buf = nb;
    q->cap = cap;
    q->tail = 0;
    q->head = n;
    return true;
}

static size_t append(vb_txqueue *q, const void *buf, size_t n, size_t limit)
{
    size_t count = vb_txq_count(q);
    if (count >= limit) return 0;
    if (n > limit - count) n = limit - count;
    if (n == 0 || !reserve(q, count + n)) return 0;
    size_t at = (size_t)(q->head & (q->cap - 1));
    size_t first = q->cap - at < n ? q->cap - at : n;
    memcpy(q->buf + at, buf, first);
    memcpy(q->buf, (const uint8_t *)buf + first, n - first);
    q->head += n;
    return n;
}

size_t vb_txq_push(vb_txqueue *q, const void *buf, size_t n) { return append(q, buf, n, q->soft); }

size_t vb_txq_force(vb_txqueue *q, const void *buf, size_t n) { return append(q, buf, n, q->hard); }

const uint8_t *vb_txq_peek(const vb_txqueue *q, size_t *len)
{
    size_t n = vb_txq_count(q);
    if (n == 0) {
        *len = 0;
        return NULL;
    }
    size_t at = (size_t)(q->tail & (q->cap - 1));
    *len = q->cap - at < n ? q->cap - at : n;
    return q->buf + at;
}

void vb_txq_consume(vb_txqueue *q, size_t n)
{
    size_t count = vb_txq_count(q);
    q->tail += n < count ? n : count;
}
