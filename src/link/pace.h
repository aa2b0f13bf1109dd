/* Line-rate pacing of a serial direction (`vboard run --baud N`): a UART
 * moves 10 bits a byte (start, 8 data, stop), so N baud carries N/10 bytes
 * a second. A token bucket in board microseconds: credit accrues with time
 * up to a small burst (a UART's hardware FIFO), and each byte sent spends
 * one. Baud 0 means unpaced: everything is allowed at once. Pure. */
#ifndef VB_LINK_PACE_H
#define VB_LINK_PACE_H

#include <stddef.h>
#include <stdint.h>

#define VB_PACE_BITS_PER_BYTE 10u
#define VB_PACE_BURST 128u        /* bytes: the ESP32 UART's hardware FIFO */

typedef struct vb_pace {
    uint32_t baud;             /* 0 = unpaced */
    uint64_t last_us;          /* when credit was last brought up to date */
    uint64_t credit;           /* in byte·10^6 units: one byte = 10^6 */
} vb_pace;

void vb_pace_init(vb_pace *p, uint32_t baud, uint64_t now_us);
/* Bytes the line may carry at now_us (SIZE_MAX when unpaced). */
size_t vb_pace_allow(vb_pace *p, uint64_t now_us);
/* Spend n (<= the last allowance) bytes. */
void vb_pace_take(vb_pace *p, size_t n);
/* The board time at which the next byte may go (now_us when it may now,
 * or when unpaced). */
uint64_t vb_pace_next_us(const vb_pace *p, uint64_t now_us);

#endif
