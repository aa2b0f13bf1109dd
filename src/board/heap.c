/* What engine blocks cost in the board's MicroPython heap (heap.h). */
#include "board/heap.h"

size_t vb_heap_code_cost(size_t code_units, size_t slots)
{
    if (code_units > SIZE_MAX / 2 || slots > SIZE_MAX / 16) return vb_heap_whole_blocks(SIZE_MAX);
    return vb_heap_whole_blocks(code_units + 4 * slots + 32);
}
