/* The board's transmit queue: bytes the board has sent on its serial line
 * and the host has not taken yet (issue 10 §1, style.md §5 "the consumer
 * sets the pace").
 *
 * A byte FIFO with two limits. `soft` is the FIFO the firmware sees: while
 * the queue holds that much, the supervisor stops reading the VM's output
 * pipe, so the VM's writes block as firmware waits on a full UART FIFO.
 * `hard` bounds what may be forced in beyond that — the supervisor's own
 * messages and what a dead firmware left in the pipe, which must keep
 * their order — so a host that never reads cannot grow it without end.
 * Storage grows on demand up to `hard` (a board that prints little uses
 * little). Pure: no I/O. */
#ifndef VB_LINK_TXQUEUE_H
#define VB_LINK_TXQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vb_txqueue {
    uint8_t *buf;
    size_t cap;                /* storage, a power of two (0 before the first byte) */
    size_t soft, hard;         /* limits, bytes */
    uint64_t head, tail;       /* bytes in and out, forever: count = head - tail */
} vb_txqueue;

void vb_txq_init(vb_txqueue *q, size_t soft, size_t hard);
void vb_txq_free(vb_txqueue *q);
static inline size_t vb_txq_count(const vb_txqueue *q) { return (size_t)(q->head - q->tail); }
/* Room below the soft limit: what the firmware may still send before it waits. */
static inline size_t vb_txq_room(const vb_txqueue *q)
{
    size_t n = vb_txq_count(q);
    return n >= q->soft ? 0 : q->soft - n;
}
/* Append up to n bytes below the soft limit; returns how many. */
size_t vb_txq_push(vb_txqueue *q, const void *buf, size_t n);
/* Append up to n bytes below the hard limit (order-keeping messages);
 * returns how many (fewer only when the hard limit or memory ran out). */
size_t vb_txq_force(vb_txqueue *q, const void *buf, size_t n);
/* The oldest queued bytes as one contiguous span (may be shorter than the
 * count when the data wraps); *len = 0 when empty. */
const uint8_t *vb_txq_peek(const vb_txqueue *q, size_t *len);
/* Remove n (<= count) bytes from the front. */
void vb_txq_consume(vb_txqueue *q, size_t n);

#endif
