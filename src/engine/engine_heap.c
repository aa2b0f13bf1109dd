/* The board's heap for a CPython engine (issue 15 "Memory";
 * architecture.md "Heap cap"): one hook on CPython's MEM and OBJ
 * allocator domains (every Python object, buffer and container), installed
 * before Py_Initialize so that every block carries its header.
 *
 * - Accounting: each block's header holds what it costs in the board's
 *   MicroPython heap (board/heap.h), charged while a VM runs device code
 *   and given back when the block is freed. gc.mem_alloc() is the sum,
 *   gc.mem_free() the profile's heap size less it.
 * - The limit: a block that would take the sum past the heap size is
 *   refused, so the code raises MemoryError with upstream's text
 *   ("memory allocation failed, allocating N bytes") and the board goes on.
 *   A full collection is then scheduled, as upstream collects before it
 *   gives up; one is scheduled too when the heap is 7/8 full.
 * - micropython.heap_lock(): while the lock depth is above zero every new
 *   block is refused ("memory allocation failed, heap is locked"), as
 *   upstream's gc_alloc under gc_lock. Frees always go through; RAW (the
 *   interpreter's own C structures, taken without the GIL) is not touched.
 *
 * Not charged: the zygote's blocks (the firmware's, in flash on a board),
 * the engine's quiet work (warm modules, the compiler's own objects; see
 * vb_heap_quiet) and the parse trees of compiling; the code objects a
 * compile makes are charged afterwards as upstream's bytecode
 * (vb_heap_charge_code). The engine's reports (bypass) are charged but
 * never refused: upstream prints them without the heap.
 *
 * print() works under the lock upstream (mp_print formats into the stream
 * without the heap); CPython's needs memory for str() and the write call,
 * so the builtin print is wrapped to run with the lock lifted. */
#include "engine_int.h"
#include "board/heap.h"

#include <stddef.h>
#include <stdint.h>

/* Every block starts with this; the caller's pointer follows it. 16 bytes
 * keep CPython's 16-byte alignment. */
typedef struct block_head {
    size_t cost;    /* board bytes charged for this block; 0 = not charged */
    size_t spare;
} block_head;

_Static_assert(sizeof(block_head) == 16, "the header keeps 16-byte alignment");

/* Process-wide by nature: CPython's allocator hooks are process-wide, and
 * this is the one heap of the process (each VM process has its copy). */
static PyMemAllocatorEx next_mem, next_obj; /* the allocators underneath */
static struct heap {
    bool charging;        /* a VM: device code's blocks are charged */
    unsigned quiet;       /* vb_heap_quiet depth: nothing charged */
    bool pricing;         /* charging && !quiet: blocks get a price */
    bool next_is_class;   /* the next block is a class's type object */
    unsigned lock_depth;  /* micropython.heap_lock() */
    bool bypass;          /* the engine's own work: never refused */
    size_t charged;       /* board bytes of the live charged blocks */
    size_t size;          /* the board's heap */
    size_t watermark;     /* 7/8 of it: above, every request is looked at */
    size_t refused;       /* board bytes of the last refused request */
    bool refused_locked;  /*   refused under heap_lock */
    bool pending_error;   /*   a MemoryError for it is yet to be made */
    bool collect_due;     /* a scheduled full collection is pending */
    size_t since_collect; /* board bytes charged since the last collection */
    size_t collect_at;    /*   gc.threshold(), or SIZE_MAX for none */
    size_t rearm_at;      /* a full heap schedules a collection again past this */
} heap = {.collect_at = SIZE_MAX};
static PyObject *cpython_print; /* the builtin print() the wrapper calls */
static allocfunc type_alloc_base; /* type's own tp_alloc */
static newfunc type_new_base;     /* type's own tp_new */
static initproc memory_error_base_init; /* MemoryError's own tp_init */

/* Upstream keeps an int of up to 31 bits in the object word (a small int:
 * no heap). CPython allocates every int outside -5..256: a one-digit int
 * (30 bits) by _PyLong_New's exact size, and arithmetic's results by
 * sizeof(PyLongObject). Both cost nothing and pass the lock; the same
 * sizes let a complex and a bytearray buffer of that length through too,
 * which upstream would charge. */
static bool small_int(void *ctx, size_t n)
{
    return ctx == &next_obj &&
           (n == offsetof(PyLongObject, ob_digit) + sizeof(digit) || n == sizeof(PyLongObject));
}

static size_t cost_of(void *ctx, size_t n)
{
    if (!heap.pricing || small_int(ctx, n)) return 0;
    if (heap.next_is_class) {
        heap.next_is_class = false;
        return VB_HEAP_CLASS_COST;
    }
    return vb_heap_block_cost(n);
}

static int run_collect(void *arg)
{
    (void)arg;
    heap.collect_due = false;
    (void)PyGC_Collect(); /* nothing while gc.disable()d, as upstream */
    vb_heap_collected();
    return 0;
}

/* A full collection at the next safe point: never here, inside an
 * allocation, where finalizers could run amid a half-made object. */
static void schedule_collect(void)
{
    if (heap.collect_due || !heap.charging) return;
    heap.collect_due = Py_AddPendingCall(run_collect, NULL) == 0;
}

/* Whether a request for n host bytes costing `cost` (replacing a block of
 * `old`) must fail; notes what for the MemoryError. */
static bool refuse(void *ctx, size_t n, size_t cost, size_t old)
{
    if (heap.bypass) return false;
    if (heap.lock_depth > 0 && !small_int(ctx, n)) {
        heap.refused_locked = true;
        heap.pending_error = true;
        return true;
    }
    size_t after = heap.charged - (old < heap.charged ? old : heap.charged) + cost;
    if (cost <= old || after <= heap.size) {
        /* once per 1/16 of the heap charged: a program that keeps its heap
         * nearly full is not collected at every step */
        if (after > heap.watermark && after > heap.rearm_at) schedule_collect();
        return false;
    }
    heap.refused = n <= VB_HEAP_OBJECT_MAX ? cost : n;
    heap.refused_locked = false;
    heap.pending_error = true;
    schedule_collect();
    return true;
}

/* The common case in one test: unlocked and well under the heap. n is at
 * most PY_SSIZE_T_MAX here, so the sum cannot wrap. */
static bool must_refuse(void *ctx, size_t n, size_t cost, size_t old)
{
    if (!heap.lock_depth && heap.charged + cost <= heap.watermark) return false;
    return refuse(ctx, n, cost, old);
}

/* Device code can scribble on headers (uctypes): never wrap below 0. */
static void uncharge(size_t cost)
{
    heap.charged -= cost < heap.charged ? cost : heap.charged;
}

static void *charge(block_head *h, size_t cost)
{
    if (!h) return NULL;
    h->cost = cost;
    heap.charged += cost;
    heap.since_collect += cost;
    if (heap.since_collect >= heap.collect_at) schedule_collect();
    return h + 1;
}

static void *h_malloc(void *ctx, size_t n)
{
    PyMemAllocatorEx *a = ctx;
    if (n > PY_SSIZE_T_MAX - sizeof(block_head)) return NULL;
    size_t cost = cost_of(ctx, n);
    if (must_refuse(ctx, n, cost, 0)) return NULL;
    return charge(a->malloc(a->ctx, n + sizeof(block_head)), cost);
}

static void *h_calloc(void *ctx, size_t nelem, size_t elsize)
{
    PyMemAllocatorEx *a = ctx;
    if (elsize && nelem > (PY_SSIZE_T_MAX - sizeof(block_head)) / elsize) return NULL;
    size_t n = nelem * elsize, cost = cost_of(ctx, n);
    if (must_refuse(ctx, n, cost, 0)) return NULL;
    return charge(a->calloc(a->ctx, 1, n + sizeof(block_head)), cost);
}

/* A resize may move the block: refused under the lock too (upstream's
 * gc_realloc allocates). A zygote block that device code grows (sys.path,
 * a module's dict) is charged from then on. */
static void *h_realloc(void *ctx, void *p, size_t n)
{
    PyMemAllocatorEx *a = ctx;
    if (!p) return h_malloc(ctx, n);
    if (n > PY_SSIZE_T_MAX - sizeof(block_head)) return NULL;
    block_head *h = (block_head *)p - 1;
    size_t old = h->cost, cost = cost_of(ctx, n);
    if (must_refuse(ctx, n, cost, old)) return NULL;
    block_head *moved = a->realloc(a->ctx, h, n + sizeof(block_head));
    if (!moved) return NULL;
    uncharge(old);
    return charge(moved, cost);
}

static void h_free(void *ctx, void *p)
{
    PyMemAllocatorEx *a = ctx;
    if (!p) return;
    block_head *h = (block_head *)p - 1;
    uncharge(h->cost);
    a->free(a->ctx, h);
}

void vb_heap_install_allocator(size_t heap_size)
{
    heap.size = heap_size;
    heap.watermark = heap_size - heap_size / 8;
    PyMem_GetAllocator(PYMEM_DOMAIN_MEM, &next_mem);
    PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &next_obj);
    PyMemAllocatorEx mem = {&next_mem, h_malloc, h_calloc, h_realloc, h_free};
    PyMemAllocatorEx obj = {&next_obj, h_malloc, h_calloc, h_realloc, h_free};
    PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &mem);
    PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &obj);
}

/* ---- compiled code ------------------------------------------------------ */

/* Code objects are plain (not GC) objects in 3.11: the header sits right
 * before the object. Each function's code is charged once, as upstream's
 * bytecode of it; nested functions are constants of their parent. */
static void charge_code(PyCodeObject *co, unsigned depth)
{
    block_head *h = (block_head *)co - 1;
    if (h->cost == 0) {
        size_t slots = (size_t)PyTuple_GET_SIZE(co->co_consts) + (size_t)PyTuple_GET_SIZE(co->co_names);
        (void)charge(h, vb_heap_code_cost((size_t)Py_SIZE(co), slots));
    }
    if (depth > 64) return; /* deeper nesting than the compiler allows */
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(co->co_consts); i++) {
        PyObject *c = PyTuple_GET_ITEM(co->co_consts, i);
        if (PyCode_Check(c)) charge_code((PyCodeObject *)c, depth + 1);
    }
}

PyObject *vb_heap_charge_code(PyObject *code)
{
    if (code && PyCode_Check(code) && heap.pricing && !PyType_IS_GC(&PyCode_Type))
        charge_code((PyCodeObject *)code, 0);
    return code;
}

void vb_heap_quiet(bool on)
{
    if (on) heap.quiet++;
    else if (heap.quiet) heap.quiet--;
    heap.pricing = heap.charging && !heap.quiet;
}

/* ---- MemoryError with upstream's text ------------------------------------ */

/* CPython raises MemoryError() without a message when an allocation
 * fails; the instance is made when the exception is first looked at, and
 * takes upstream's message for the refusal it stands for here, after
 * BaseException's __init__ has set the (empty) args. */
static int memory_error_init(PyObject *e, PyObject *args, PyObject *kw)
{
    int rc = memory_error_base_init(e, args, kw);
    if (rc < 0 || !heap.pending_error || PyTuple_GET_SIZE(args) != 0 ||
        !Py_IS_TYPE(e, (PyTypeObject *)PyExc_MemoryError))
        return rc;
    heap.pending_error = false;
    bool was = vb_heap_bypass(true);
    PyObject *msg = heap.refused_locked
                        ? PyUnicode_FromString("memory allocation failed, heap is locked")
                        : PyUnicode_FromFormat("memory allocation failed, allocating %zu bytes",
                                               heap.refused);
    PyObject *a = msg ? PyTuple_Pack(1, msg) : NULL;
    if (a) Py_SETREF(((PyBaseExceptionObject *)e)->args, a);
    else PyErr_Clear(); /* the bare MemoryError stands */
    Py_XDECREF(msg);
    vb_heap_bypass(was);
    return 0;
}

/* ---- classes ------------------------------------------------------------- */

/* A class statement allocates its type object through type's tp_alloc, one
 * block; it is priced as upstream's type object (board/heap.h), not as the
 * ~960 bytes of CPython's. */
static PyObject *type_alloc(PyTypeObject *meta, Py_ssize_t nitems)
{
    heap.next_is_class = true;
    PyObject *t = type_alloc_base(meta, nitems);
    heap.next_is_class = false; /* also when it failed before allocating */
    return t;
}

/* A block's price set anew, after the fact (a block of this hook's). */
static void reprice(void *p, size_t cost)
{
    block_head *h = (block_head *)p - 1;
    if (!h->cost) return; /* not charged: the zygote's, or quiet */
    uncharge(h->cost);
    h->cost = cost;
    heap.charged += cost;
}

/* A new class also gets the key table its instances' dicts will share
 * (~770 bytes); upstream has no such table (each instance has its own
 * dict, priced as the instance makes it): it costs nothing here. */
static PyObject *type_new(PyTypeObject *meta, PyObject *args, PyObject *kwds)
{
    PyObject *t = type_new_base(meta, args, kwds);
    if (t && heap.pricing && PyType_Check(t) && (((PyTypeObject *)t)->tp_flags & Py_TPFLAGS_HEAPTYPE) &&
        ((PyHeapTypeObject *)t)->ht_cached_keys)
        reprice(((PyHeapTypeObject *)t)->ht_cached_keys, 0);
    return t;
}

/* ---- print under the lock ------------------------------------------------- */

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
    PyTypeObject *t = (PyTypeObject *)PyExc_MemoryError;
    memory_error_base_init = t->tp_init;
    t->tp_init = memory_error_init;
    type_alloc_base = PyType_Type.tp_alloc;
    type_new_base = PyType_Type.tp_new;
    void *const alloc_was[] = {(void *)type_alloc_base, NULL};
    void *const new_was[] = {(void *)type_new_base, NULL};
    if (vb_replace_slot(&PyType_Type, offsetof(PyTypeObject, tp_alloc), NULL, alloc_was,
                        (void *)type_alloc) < 0)
        return -1;
    return vb_replace_slot(&PyType_Type, offsetof(PyTypeObject, tp_new), NULL, new_was,
                           (void *)type_new);
}

/* ---- the VM's side ---------------------------------------------------------- */

void vb_heap_lock(void)
{
    heap.lock_depth++;
}

unsigned vb_heap_unlock(void)
{
    if (heap.lock_depth > 0) heap.lock_depth--;
    return heap.lock_depth;
}

unsigned vb_heap_lock_depth(void)
{
    return heap.lock_depth;
}

bool vb_heap_bypass(bool on)
{
    bool was = heap.bypass;
    heap.bypass = on;
    return was;
}

size_t vb_heap_alloc(void)
{
    return heap.charged < heap.size ? heap.charged : heap.size;
}

size_t vb_heap_free(void)
{
    return heap.size - vb_heap_alloc();
}

size_t vb_heap_size(void)
{
    return heap.size;
}

long long vb_heap_threshold(void)
{
    return heap.collect_at == SIZE_MAX ? -1 : (long long)heap.collect_at;
}

void vb_heap_set_threshold(long long bytes)
{
    heap.collect_at = bytes < 0 ? SIZE_MAX : (size_t)bytes;
}

void vb_heap_collected(void)
{
    heap.since_collect = 0;
    heap.rearm_at = heap.charged + heap.size / 16;
}

void vb_heap_after_fork(void)
{
    heap.lock_depth = 0;
    heap.bypass = false;
    heap.quiet = 0;
    heap.charged = 0;
    heap.pending_error = false;
    heap.collect_due = false;
    vb_heap_set_threshold(-1);
    heap.since_collect = 0;
    heap.rearm_at = 0;
    heap.charging = true;
    heap.pricing = true;
}
