/* micropython.heap_lock() for a CPython engine (issue 15): a hook on
 * CPython's MEM and OBJ allocator domains (every Python object, buffer and
 * container) that refuses new memory while the lock depth is above zero,
 * so the code raises MemoryError as upstream's gc_alloc does under
 * gc_lock. Frees always go through; RAW (the interpreter's own C
 * structures, taken without the GIL) is not touched.
 *
 * The engine's own work -- compiling a unit, printing a report -- runs
 * with the lock lifted (vb_heap_bypass): upstream prints its reports
 * without allocating, here a report needs memory. MemoryError instances
 * come from CPython's preallocated free list, so the error itself can
 * always be raised. A new VM (soft reset) starts unlocked.
 *
 * print() works under the lock upstream (mp_print formats into the stream
 * without the heap); CPython's needs memory for str() and the write call,
 * so the builtin print is wrapped to run with the lock lifted. */
#include "engine_int.h"

#include <stddef.h>

/* Process-wide by nature: CPython's allocator hooks are process-wide, and
 * the lock is the VM's one heap's state (each VM process has its copy). */
static PyMemAllocatorEx next_mem, next_obj; /* the allocators underneath */
static unsigned lock_depth;
static bool bypass;
static PyObject *cpython_print; /* the builtin print() the wrapper calls */

static bool refused(void)
{
    return lock_depth > 0 && !bypass;
}

/* Upstream keeps an int of up to 31 bits in the object word (a small int:
 * no heap), so arithmetic goes on under the lock; CPython allocates every
 * int outside -5..256. A one-digit int (30 bits) is the one new object let
 * through, by its two request sizes (_PyLong_New's exact one, arithmetic's
 * sizeof(PyLongObject)); the same sizes let a complex and a bytearray
 * buffer of that length through too, which upstream would refuse. */
static bool small_int(void *ctx, size_t n)
{
    return ctx == &next_obj &&
           (n == offsetof(PyLongObject, ob_digit) + sizeof(digit) || n == sizeof(PyLongObject));
}

static void *h_malloc(void *ctx, size_t n)
{
    PyMemAllocatorEx *a = ctx;
    return refused() && !small_int(ctx, n) ? NULL : a->malloc(a->ctx, n);
}

static void *h_calloc(void *ctx, size_t nelem, size_t elsize)
{
    PyMemAllocatorEx *a = ctx;
    return refused() && !(nelem == 1 && small_int(ctx, elsize)) ? NULL
                                                                : a->calloc(a->ctx, nelem, elsize);
}

/* A resize may move the block: refused too (no size is known here). */
static void *h_realloc(void *ctx, void *p, size_t n)
{
    PyMemAllocatorEx *a = ctx;
    return refused() ? NULL : a->realloc(a->ctx, p, n);
}

static void h_free(void *ctx, void *p)
{
    PyMemAllocatorEx *a = ctx;
    a->free(a->ctx, p);
}

static PyObject *heap_print(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                            PyObject *kwnames)
{
    (void)self;
    bool was = vb_heap_bypass(true);
    PyObject *r = PyObject_Vectorcall(cpython_print, args, (size_t)nargs, kwnames);
    vb_heap_bypass(was);
    return r;
}

static PyMethodDef print_def = {"print", (PyCFunction)(void (*)(void))heap_print,
                                METH_FASTCALL | METH_KEYWORDS, NULL};

int vb_heap_install(void)
{
    PyObject *builtins = PyEval_GetBuiltins(); /* borrowed */
    cpython_print = builtins ? Py_XNewRef(PyDict_GetItemString(builtins, "print")) : NULL;
    if (!cpython_print || vb_engine_set_builtin(&print_def) < 0) return -1;
    PyMem_GetAllocator(PYMEM_DOMAIN_MEM, &next_mem);
    PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &next_obj);
    PyMemAllocatorEx mem = {&next_mem, h_malloc, h_calloc, h_realloc, h_free};
    PyMemAllocatorEx obj = {&next_obj, h_malloc, h_calloc, h_realloc, h_free};
    PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &mem);
    PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &obj);
    return 0;
}

void vb_heap_lock(void)
{
    lock_depth++;
}

unsigned vb_heap_unlock(void)
{
    if (lock_depth > 0) lock_depth--;
    return lock_depth;
}

unsigned vb_heap_lock_depth(void)
{
    return lock_depth;
}

bool vb_heap_bypass(bool on)
{
    bool was = bypass;
    bypass = on;
    return was;
}

void vb_heap_after_fork(void)
{
    lock_depth = 0;
    bypass = false;
}
