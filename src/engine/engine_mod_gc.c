/* MicroPython's gc module (py/modgc.c) in place of CPython's, whose
 * generations, callbacks and debug flags a board has not:
 *
 *   collect()       a full collection; None (MICROPY_PY_GC_COLLECT_RETVAL
 *                   is off on the boards), even while collection is off
 *   enable(), disable(), isenabled()   automatic collection
 *   mem_alloc(), mem_free()            the board's heap (engine_heap.c)
 *   threshold([n])  a collection after every n bytes charged; -1 (the
 *                   default) none; read back in whole 16-byte blocks
 *
 * The engine keeps CPython's module for its own use (gc.freeze in the
 * zygote): vb_gc_cpython. */
#include "engine_int.h"
#include "board/heap.h"

/* Process-wide by nature: the interpreter's one gc module. */
static PyObject *cpython_gc;

PyObject *vb_gc_cpython(void)
{
    return cpython_gc;
}

static PyObject *gc_collect(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    int was = PyGC_Enable(); /* an explicit collect runs even while disabled */
    (void)PyGC_Collect();
    if (!was) PyGC_Disable();
    vb_heap_collected();
    Py_RETURN_NONE;
}

static PyObject *gc_enable(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    PyGC_Enable();
    Py_RETURN_NONE;
}

static PyObject *gc_disable(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    PyGC_Disable();
    Py_RETURN_NONE;
}

static PyObject *gc_isenabled(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    return PyBool_FromLong(PyGC_IsEnabled());
}

static PyObject *gc_mem_alloc(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    return PyLong_FromSize_t(vb_heap_alloc());
}

static PyObject *gc_mem_free(PyObject *m, PyObject *u)
{
    (void)m, (void)u;
    return PyLong_FromSize_t(vb_heap_free());
}

static PyObject *gc_threshold(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m;
    if (nargs > 1) return PyErr_Format(PyExc_TypeError, "function expected at most 1 arguments, got %zd", nargs);
    if (nargs == 0) {
        long long t = vb_heap_threshold();
        return PyLong_FromLongLong(t < 0 ? -1 : t / VB_HEAP_BLOCK * VB_HEAP_BLOCK);
    }
    long long n = PyLong_AsLongLong(args[0]);
    if (n == -1 && PyErr_Occurred()) return NULL;
    vb_heap_set_threshold(n < 0 ? -1 : n);
    Py_RETURN_NONE;
}

static PyMethodDef gc_functions[] = {
    {"collect", gc_collect, METH_NOARGS, NULL},
    {"disable", gc_disable, METH_NOARGS, NULL},
    {"enable", gc_enable, METH_NOARGS, NULL},
    {"isenabled", gc_isenabled, METH_NOARGS, NULL},
    {"mem_alloc", gc_mem_alloc, METH_NOARGS, NULL},
    {"mem_free", gc_mem_free, METH_NOARGS, NULL},
    {"threshold", (PyCFunction)(void (*)(void))gc_threshold, METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef gc_def = {
    PyModuleDef_HEAD_INIT, "gc", NULL, -1, gc_functions, NULL, NULL, NULL, NULL,
};

PyObject *vb_mod_gc_create(void)
{
    if (!cpython_gc) cpython_gc = PyImport_ImportModule("gc"); /* before ours replaces it */
    return cpython_gc ? PyModule_Create(&gc_def) : NULL;
}
