/* The board's random (urandom): MicroPython's module, not CPython's
 * (v1.24 extmod/modrandom.c with MICROPY_PY_RANDOM_EXTRA_FUNCS): only
 * getrandbits, seed, randrange, randint, choice, random and uniform, with
 * upstream's arguments and errors, over upstream's generator, Yasmarang
 * (Ilya Levin's public-domain PRNG), so that seed(n) gives the board's
 * very sequence. Integers are the board's machine words (32-bit mp_int_t);
 * random() has the 23 fraction bits of the boards' single-precision float.
 *
 * Each boot starts seeded from the host's random source (upstream seeds
 * from the hardware RNG on import): a fork forgets the seed (a
 * pthread_atfork child handler), and the first call in the VM seeds. */
#include "engine_int.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/random.h>

/* Yasmarang's state: per process, like the board's RAM; seeded says
 * whether this process (VM) seeded it yet; forget_at_fork whether this
 * process registered the fork handler that clears seeded. */
static struct {
    uint32_t pad, n, d;
    uint8_t dat;
    bool seeded;
    bool forget_at_fork;
} ys;

static void ys_forget(void)
{
    ys.seeded = false;
}

static void ys_seed(uint32_t seed)
{
    ys.pad = seed;
    ys.n = 69;
    ys.d = 233;
    ys.dat = 0;
    ys.seeded = true;
}

/* seed() / seed(None): a fresh seed, as MICROPY_PY_RANDOM_SEED_INIT_FUNC. */
static void ys_seed_random(void)
{
    uint32_t s = 0;
    if (getrandom(&s, sizeof s, 0) != (ssize_t)sizeof s) s = (uint32_t)vb_engine_now_us();
    ys_seed(s);
}

static uint32_t ys_next(void)
{
    if (!ys.seeded) ys_seed_random();
    ys.pad += ys.dat + ys.d * ys.n;
    ys.pad = (ys.pad << 3) + (ys.pad >> 29);
    ys.n = ys.pad | 2;
    ys.d ^= (ys.pad << 31) + (ys.pad >> 1);
    ys.dat ^= (uint8_t)((uint8_t)ys.pad ^ (ys.d >> 8) ^ 1);
    return ys.pad ^ (ys.d << 5) ^ (ys.pad >> 18) ^ ((uint32_t)ys.dat << 1);
}

/* Uniform below n (n > 0): masked draws until one fits. */
static uint32_t ys_below(uint32_t n)
{
    uint32_t mask = 1;
    while ((n & mask) < n) mask = (mask << 1) | 1;
    uint32_t r;
    do {
        r = ys_next() & mask;
    } while (r >= n);
    return r;
}

/* [0, 1) with a float32's 23 fraction bits. */
static double ys_float(void)
{
    return (double)(ys_next() & 0x7fffffu) / (double)(1u << 23);
}

/* An argument as the board's mp_int_t (mp_obj_get_int): 0 / -1. */
static int get_int(PyObject *o, int32_t *out)
{
    if (!PyLong_Check(o)) {
        PyErr_Format(PyExc_TypeError, "can't convert %s to int", Py_TYPE(o)->tp_name);
        return -1;
    }
    int overflow;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (v == -1 && PyErr_Occurred()) return -1;
    if (overflow || v < INT32_MIN || v > INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "overflow converting long int to machine word");
        return -1;
    }
    *out = (int32_t)v;
    return 0;
}

static int check_args(Py_ssize_t nargs, Py_ssize_t lo, Py_ssize_t hi)
{
    if (nargs < lo) {
        PyErr_Format(PyExc_TypeError, "function missing %zd required positional arguments", lo - nargs);
        return -1;
    }
    if (nargs > hi) {
        if (lo == hi)
            PyErr_Format(PyExc_TypeError, "function takes %zd positional arguments but %zd were given", lo, nargs);
        else
            PyErr_Format(PyExc_TypeError, "function expected at most %zd arguments, got %zd", hi, nargs);
        return -1;
    }
    return 0;
}

static PyObject *r_getrandbits(PyObject *m, PyObject *arg)
{
    (void)m;
    int32_t n;
    if (get_int(arg, &n) < 0) return NULL;
    if (n > 32 || n < 0) {
        PyErr_SetString(PyExc_ValueError, "bits must be 32 or less");
        return NULL;
    }
    if (n == 0) return PyLong_FromLong(0);
    return PyLong_FromUnsignedLong(ys_next() & (~(uint32_t)0 >> (32 - n)));
}

static PyObject *r_seed(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m;
    if (check_args(nargs, 0, 1) < 0) return NULL;
    if (nargs == 0 || args[0] == Py_None) {
        ys_seed_random();
    } else {
        if (!PyLong_Check(args[0])) {
            PyErr_Format(PyExc_TypeError, "can't convert %s to int", Py_TYPE(args[0])->tp_name);
            return NULL;
        }
        unsigned long long s = PyLong_AsUnsignedLongLongMask(args[0]); /* truncated, as upstream */
        if (s == (unsigned long long)-1 && PyErr_Occurred()) return NULL;
        ys_seed((uint32_t)s);
    }
    Py_RETURN_NONE;
}

/* ValueError without a message: upstream's mp_raise_ValueError(NULL). */
static PyObject *no_range(void)
{
    PyErr_SetNone(PyExc_ValueError);
    return NULL;
}

static PyObject *r_randrange(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m;
    if (check_args(nargs, 1, 3) < 0) return NULL;
    int32_t start, stop, step;
    if (get_int(args[0], &start) < 0) return NULL;
    if (nargs == 1) return start > 0 ? PyLong_FromUnsignedLong(ys_below((uint32_t)start)) : no_range();
    if (get_int(args[1], &stop) < 0) return NULL;
    if (nargs == 2)
        return start < stop ? PyLong_FromLong(start + (int32_t)ys_below((uint32_t)(stop - start))) : no_range();
    if (get_int(args[2], &step) < 0) return NULL;
    int32_t n;
    if (step > 0) n = (stop - start + step - 1) / step;
    else if (step < 0) n = (stop - start + step + 1) / step;
    else return no_range();
    return n > 0 ? PyLong_FromLong(start + step * (int32_t)ys_below((uint32_t)n)) : no_range();
}

static PyObject *r_randint(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m;
    int32_t a, b;
    if (check_args(nargs, 2, 2) < 0 || get_int(args[0], &a) < 0 || get_int(args[1], &b) < 0) return NULL;
    if (a > b) return no_range();
    return PyLong_FromLong(a + (int32_t)ys_below((uint32_t)(b - a + 1)));
}

static PyObject *r_choice(PyObject *m, PyObject *seq)
{
    (void)m;
    Py_ssize_t len = PyObject_Length(seq);
    if (len < 0) return NULL;
    if (len == 0) {
        PyErr_SetNone(PyExc_IndexError);
        return NULL;
    }
    PyObject *i = PyLong_FromUnsignedLong(ys_below((uint32_t)len));
    PyObject *r = i ? PyObject_GetItem(seq, i) : NULL;
    Py_XDECREF(i);
    return r;
}

static PyObject *r_random(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
    return PyFloat_FromDouble(ys_float());
}

static PyObject *r_uniform(PyObject *m, PyObject *const *args, Py_ssize_t nargs)
{
    (void)m;
    if (check_args(nargs, 2, 2) < 0) return NULL;
    double a = PyFloat_AsDouble(args[0]);
    if (a == -1.0 && PyErr_Occurred()) return NULL;
    double b = PyFloat_AsDouble(args[1]);
    if (b == -1.0 && PyErr_Occurred()) return NULL;
    return PyFloat_FromDouble(a + (b - a) * ys_float());
}

#define FASTCALL(f) (PyCFunction)(void (*)(void))(f), METH_FASTCALL
static PyMethodDef functions[] = {
    {"getrandbits", r_getrandbits, METH_O, NULL},
    {"seed", FASTCALL(r_seed), NULL},
    {"randrange", FASTCALL(r_randrange), NULL},
    {"randint", FASTCALL(r_randint), NULL},
    {"choice", r_choice, METH_O, NULL},
    {"random", r_random, METH_NOARGS, NULL},
    {"uniform", FASTCALL(r_uniform), NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef random_def = {
    PyModuleDef_HEAD_INIT, "random", NULL, -1, functions, NULL, NULL, NULL, NULL,
};

PyObject *vb_mod_random_create(void)
{
    if (!ys.forget_at_fork) {
        if (pthread_atfork(NULL, NULL, ys_forget) != 0) return PyErr_NoMemory();
        ys.forget_at_fork = true;
    }
    return PyModule_Create(&random_def);
}
