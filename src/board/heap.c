/* What engine blocks cost in the board's MicroPython heap (heap.h). */
#include "board/heap.h"

#include <stdint.h>

static size_t whole_blocks(size_t n)
{
    if (n > SIZE_MAX - (VB_HEAP_BLOCK - 1)) return SIZE_MAX / VB_HEAP_BLOCK * VB_HEAP_BLOCK;
    return (n + VB_HEAP_BLOCK - 1) / VB_HEAP_BLOCK * VB_HEAP_BLOCK;
}

size_t vb_heap_block_cost(size_t host_bytes)
{
    if (host_bytes <= VB_HEAP_OBJECT_MAX) return whole_blocks((host_bytes + 1) / 2);
    return whole_blocks(host_bytes);
}

size_t vb_heap_code_cost(size_t code_units, size_t slots)
{
    if (code_units > SIZE_MAX / 2 || slots > SIZE_MAX / 16) return whole_blocks(SIZE_MAX);
    return whole_blocks(code_units + 4 * slots + 32);
}
