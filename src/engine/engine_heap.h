/* The board's heap (engine_heap.c): an allocator hook that prices every
 * block in the board's MicroPython heap, enforces its size and
 * micropython.heap_lock(). Shared by the engine's modules and pyfs. Needs
 * Python.h first. */
#ifndef VB_ENGINE_HEAP_H
#define VB_ENGINE_HEAP_H

#include <stdbool.h>
#include <stddef.h>

/* The board's heap (an allocator hook: accounting in the
 * board's MicroPython heap, its limit, micropython.heap_lock()). The
 * allocator goes in before Py_Initialize (every block has its header);
 * vb_heap_install (zygote, after init) wraps print() and MemoryError's
 * text. Lock, unlock (the depth left), depth; bypass: the engine's own
 * work (compiling, reports) lifts the lock and the limit, returns the
 * previous setting. Quiet (nested): the engine's own objects and the
 * compiler's work are not charged; vb_heap_charge_code then charges a
 * compile's code objects as upstream's bytecode (returns code). Alloc,
 * free and size: gc.mem_alloc(), gc.mem_free() and their sum. A new VM
 * (after_fork) starts charging from zero, unlocked. */
void vb_heap_install_allocator(size_t heap_size);
int vb_heap_install(void);
void vb_heap_lock(void);
unsigned vb_heap_unlock(void);
unsigned vb_heap_lock_depth(void);
bool vb_heap_bypass(bool on);
void vb_heap_quiet(bool on);
PyObject *vb_heap_charge_code(PyObject *code);
size_t vb_heap_alloc(void);
size_t vb_heap_free(void);
size_t vb_heap_size(void);
/* gc.threshold(): bytes charged between automatic collections, -1 none;
 * vb_heap_collected: a full collection just ran. */
long long vb_heap_threshold(void);
void vb_heap_set_threshold(long long bytes);
void vb_heap_collected(void);
void vb_heap_after_fork(void);

#endif
