/* A board's MicroPython heap, for an engine whose objects are not
 * MicroPython's (issue 15 "Memory"): what a block the engine allocates
 * costs in the board's heap, so gc.mem_alloc() + gc.mem_free() is the
 * board's heap size and a program runs out of memory about where it would
 * on the board.
 *
 * MicroPython's GC hands out 16-byte blocks (4 words of a 32-bit port:
 * py/gc.c BYTES_PER_BLOCK) and keeps an int of up to 31 bits in the object
 * word, off the heap. The engine's objects are 64-bit CPython ones: every
 * pointer, refcount and length is twice the board's. So:
 *   - an object (a small block: its fields are words) costs half its host
 *     size, in whole blocks;
 *   - a buffer (a large block: bytes, bytearray, array and str data, list
 *     and dict tables) costs its size in whole blocks: bytes are bytes;
 *   - compiled code costs what upstream's bytecode would (vb_heap_code_cost).
 * Pure: the engine decides which kind a block is. */
#ifndef VB_BOARD_HEAP_H
#define VB_BOARD_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define VB_HEAP_BLOCK 16u        /* bytes per GC block on a 32-bit port */
/* Host blocks up to this size are objects, larger ones buffers: CPython's
 * small-object threshold (Objects/obmalloc.c SMALL_REQUEST_THRESHOLD). */
#define VB_HEAP_OBJECT_MAX 512u

/* n rounded up to whole GC blocks (saturating). */
static inline size_t vb_heap_whole_blocks(size_t n)
{
    if (n > SIZE_MAX - (VB_HEAP_BLOCK - 1)) return SIZE_MAX / VB_HEAP_BLOCK * VB_HEAP_BLOCK;
    return (n + VB_HEAP_BLOCK - 1) / VB_HEAP_BLOCK * VB_HEAP_BLOCK;
}

/* Board bytes of a host allocation of `host_bytes` (0 for 0). Inline: the
 * engine prices every allocation with it. */
static inline size_t vb_heap_block_cost(size_t host_bytes)
{
    if (host_bytes <= VB_HEAP_OBJECT_MAX) return vb_heap_whole_blocks((host_bytes + 1) / 2);
    return vb_heap_whole_blocks(host_bytes);
}

/* Board bytes of a class's type object: upstream's mp_obj_full_type_t
 * (a header word, name and flags, 12 slot indices, 12 slot pointers) in
 * whole blocks; CPython's is some 960 bytes. Its dict is priced apart. */
#define VB_HEAP_CLASS_COST 80u

/* Board bytes of one compiled function: `code_units` 2-byte units of
 * CPython 3.11 bytecode (its instructions and their inline caches) and
 * `slots` constants and names. Upstream's bytecode takes 1-3 bytes per
 * instruction where CPython takes 2 plus ~3 of caches, so about one byte
 * per unit; each constant or name is a 4-byte slot of its table; 32
 * bytes of header (the raw code and function objects). */
size_t vb_heap_code_cost(size_t code_units, size_t slots);

#endif
