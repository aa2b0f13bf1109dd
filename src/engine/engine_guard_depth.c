/* C recursions CPython 3.11 does not count (issue 11).
 *
 * A chain of lazy iterators (map of map of ... 10^5 deep) or a tuple nested
 * 10^6 deep recurses in C once per level when it is advanced or hashed, and
 * CPython checks no recursion limit on those paths: the VM's stack
 * overflows. MicroPython counts every such recursion and raises
 * RuntimeError: maximum recursion depth exceeded. So the VM wraps those
 * slots: each wrapper counts one level against the interpreter's recursion
 * limit (engine_guard.c fits the limit to the stack), then calls the type's
 * own function; freeing such a chain goes through the trashcan. Subclasses
 * inherit the wrapped slots.
 *
 * Each slot's original function is kept in one static per wrapper: written
 * once at engine start, before any device code, and never again (the types
 * themselves are process-wide). What stays unguarded (C paths not listed)
 * ends in a stack overflow, which the VM reports as ESP-IDF does
 * (firmware/vm_fault.c). */
#include "engine_int.h"

/* One pair of wrappers per wrapped type: its tp_iternext counted as one
 * level; its tp_dealloc put behind CPython's trashcan, which defers the
 * deeper levels of a long chain being freed to a loop instead of the stack
 * (these types lack it in 3.11; MicroPython's GC frees without recursion). */
#define GUARD_TYPE(tag)                                                       \
    static iternextfunc orig_next_##tag;                                      \
    static destructor orig_dealloc_##tag;                                     \
    static PyObject *guarded_next_##tag(PyObject *self)                       \
    {                                                                         \
        if (Py_EnterRecursiveCall(" while advancing an iterator")) return NULL; \
        PyObject *r = orig_next_##tag(self);                                  \
        Py_LeaveRecursiveCall();                                              \
        return r;                                                             \
    }                                                                         \
    static void guarded_dealloc_##tag(PyObject *self)                         \
    {                                                                         \
        /* The trashcan keeps deferred objects on the GC links, so they must \
         * be untracked; the type's own dealloc may insist on untracking a   \
         * tracked object itself, so it gets one back. */                    \
        if (PyObject_GC_IsTracked(self)) PyObject_GC_UnTrack(self);           \
        Py_TRASHCAN_BEGIN(self, guarded_dealloc_##tag)                        \
        PyObject_GC_Track(self);                                              \
        orig_dealloc_##tag(self);                                             \
        Py_TRASHCAN_END                                                       \
    }

GUARD_TYPE(map)
GUARD_TYPE(filter)
GUARD_TYPE(zip)
GUARD_TYPE(enumerate)
GUARD_TYPE(reversed)
GUARD_TYPE(seqiter)
GUARD_TYPE(calliter)
GUARD_TYPE(it0)
GUARD_TYPE(it1)
GUARD_TYPE(it2)
GUARD_TYPE(it3)
GUARD_TYPE(it4)
GUARD_TYPE(it5)
GUARD_TYPE(it6)
GUARD_TYPE(it7)
GUARD_TYPE(it8)
GUARD_TYPE(it9)
GUARD_TYPE(it10)
GUARD_TYPE(it11)
GUARD_TYPE(it12)

static hashfunc orig_tuple_hash;
static Py_hash_t guarded_tuple_hash(PyObject *self)
{
    if (Py_EnterRecursiveCall(" while hashing a tuple")) return -1;
    Py_hash_t h = orig_tuple_hash(self);
    Py_LeaveRecursiveCall();
    return h;
}

typedef struct type_guard {
    iternextfunc *orig_next;
    iternextfunc next;
    destructor *orig_dealloc;
    destructor dealloc;
} type_guard;

static void wrap_type(PyTypeObject *t, const type_guard *g)
{
    if (!t->tp_iternext || t->tp_iternext == g->next) return;
    *g->orig_next = t->tp_iternext;
    t->tp_iternext = g->next;
    if (PyType_HasFeature(t, Py_TPFLAGS_HAVE_GC) && t->tp_dealloc) {
        *g->orig_dealloc = t->tp_dealloc;
        t->tp_dealloc = g->dealloc;
    }
    PyType_Modified(t);
}

#define GUARD(tag) {&orig_next_##tag, guarded_next_##tag, &orig_dealloc_##tag, guarded_dealloc_##tag}

/* itertools' iterators that advance another iterator; each may be chained
 * to any depth. One wrapper each, in this order. */
static const char *const itertools_chained[] = {
    "accumulate", "compress", "dropwhile", "filterfalse", "groupby", "islice",
    "pairwise", "starmap", "takewhile", "zip_longest", "cycle", "chain", "_tee",
};
static const type_guard itertools_guards[] = {
    GUARD(it0), GUARD(it1), GUARD(it2), GUARD(it3), GUARD(it4), GUARD(it5), GUARD(it6),
    GUARD(it7), GUARD(it8), GUARD(it9), GUARD(it10), GUARD(it11), GUARD(it12),
};
_Static_assert(sizeof itertools_chained / sizeof *itertools_chained ==
                   sizeof itertools_guards / sizeof *itertools_guards,
               "one wrapper per itertools type");

static int wrap_itertools(void)
{
    PyObject *mod = PyImport_ImportModule("itertools");
    if (!mod) return -1;
    for (size_t i = 0; i < sizeof itertools_chained / sizeof *itertools_chained; i++) {
        PyObject *t = PyObject_GetAttrString(mod, itertools_chained[i]);
        if (!t) {                      /* absent in this CPython: nothing to wrap */
            PyErr_Clear();
            continue;
        }
        if (PyType_Check(t)) wrap_type((PyTypeObject *)t, &itertools_guards[i]);
        Py_DECREF(t);
    }
    Py_DECREF(mod);
    return 0;
}

int vb_guard_depth_init(void)
{
    static const struct {
        PyTypeObject *type;
        type_guard guard;
    } builtin[] = {
        {&PyMap_Type, GUARD(map)},          {&PyFilter_Type, GUARD(filter)},
        {&PyZip_Type, GUARD(zip)},          {&PyEnum_Type, GUARD(enumerate)},
        {&PyReversed_Type, GUARD(reversed)}, {&PySeqIter_Type, GUARD(seqiter)},
        {&PyCallIter_Type, GUARD(calliter)},
    };
    for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++)
        wrap_type(builtin[i].type, &builtin[i].guard);
    if (PyTuple_Type.tp_hash != guarded_tuple_hash) {
        orig_tuple_hash = PyTuple_Type.tp_hash;
        PyTuple_Type.tp_hash = guarded_tuple_hash;
        PyType_Modified(&PyTuple_Type);
    }
    return wrap_itertools();
}
