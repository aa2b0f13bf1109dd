/* The VM sandbox (sandbox.h). Everything here runs in the freshly forked VM
 * only; nothing is kept between calls. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "sandbox.h"
#include "vm_fault.h"
#include "sandbox_kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>


#include "engine/hal.h"

/* ---- 1. file descriptors ------------------------------------------------ */

static void close_from(unsigned lo, unsigned hi)
{
    if (lo > hi) return;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, lo, hi, 0) == 0) return;
#endif
    /* Old kernel: close one by one up to the descriptor limit. */
    long max = sysconf(_SC_OPEN_MAX);
    unsigned top = max > 0 && (unsigned long)max - 1 < hi ? (unsigned)max - 1 : hi;
    for (unsigned fd = lo; fd <= top && fd >= lo; fd++) close((int)fd);
}

/* The VM writes only to the serial pipe; stray writes to 0/1/2 (CPython
 * fatal errors, libc diagnostics) must not reach the supervisor's
 * terminal. Under ASan fd 2 is kept so sanitizer reports stay visible. */
static int cmp_int(const void *x, const void *y)
{
    return *(const int *)x - *(const int *)y;
}

static void drop_fds(const vb_firmware_ctx *fw)
{
    /* the serial pipe, the input doorbell, the hardware event pipe, the
     * idle doorbell, the first VM's import line, the network line, the
     * I2C line: sorted */
    enum { NKEEP = 7 };
    int keep[NKEEP] = {fw->tx_fd, fw->rx_efd, fw->ev_fd, fw->idle_efd, fw->import_fd, fw->net_fd, fw->bus_fd};
    qsort(keep, NKEEP, sizeof keep[0], cmp_int);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
#if defined(__SANITIZE_ADDRESS__)
        const int last_std = 1;
#else
        const int last_std = 2;
#endif
        for (int fd = 0; fd <= last_std; fd++) {
            bool kept = fd == null;
            for (int i = 0; i < NKEEP; i++) kept |= fd == keep[i];
            if (!kept) dup2(null, fd);
        }
    }
    unsigned lo = 3;
    for (int i = 0; i < NKEEP; i++) {
        if (keep[i] < 0 || (unsigned)keep[i] < lo) continue;
        close_from(lo, (unsigned)keep[i] - 1);
        lo = (unsigned)keep[i] + 1;
    }
    close_from(lo, ~0u);     /* also the flash image fd and `null` */
}

/* ---- 2. rlimits ---------------------------------------------------------- */

static void set_limits(void)
{
    /* Few fds: the VM needs none of its own beyond select/poll objects. */
    struct rlimit nofile = {32, 32};
    (void)setrlimit(RLIMIT_NOFILE, &nofile);
    /* A crashing VM must not write a core file (with the image's data) to
     * the host. */
    struct rlimit core = {0, 0};
    (void)setrlimit(RLIMIT_CORE, &core);
}

/* ---- 3-4. capabilities, Landlock, seccomp: sandbox_kernel.c -------------- */

/* ---- 5. Python ---------------------------------------------------------- */

/* Loaded modules that reach the host directly. Dropping them only hides
 * the names: copies stay reachable through introspection (e.g. the real
 * os inside stdlib modules), which is why the kernel layers exist. */
static const char *const drop_modules[] = {
    "posix", "_posixsubprocess", "_socket", "fcntl", "mmap", "_ctypes", "resource", "pwd",
    "grp", "spwd", "termios", "syslog", "faulthandler", "_io", "subprocess", "socket",
    "ctypes", NULL,
};

/* Builtin (compiled-in) modules device code may still import: pure
 * computation, nothing that touches files, processes or the network. */
static const char *const builtin_allowed[] = {
    "_abc", "_ast", "_bisect", "_blake2", "_codecs", "_collections", "_csv", "_datetime",
    "_elementtree", "_functools", "_heapq", "_locale", "_md5", "_opcode", "_operator",
    "_pickle", "_random", "_sha1", "_sha256", "_sha3", "_sha512", "_signal", "_sre", "_stat",
    "_statistics", "_string", "_struct", "_symtable", "_thread", "_tokenize", "_tracemalloc",
    "_warnings", "_weakref", "array", "atexit", "binascii", "builtins", "cmath", "errno",
    "gc", "itertools", "marshal", "math", "pyexpat", "select", "sys", "time",
    "unicodedata", "xxsubtype", "zlib", NULL,
};

static bool allowed_builtin(const char *name)
{
    for (size_t i = 0; builtin_allowed[i]; i++)
        if (strcmp(builtin_allowed[i], name) == 0) return true;
    return false;
}

/* A meta-path finder standing in for BuiltinImporter: asks it only for
 * allowed names. */
typedef struct {
    PyObject_HEAD
    PyObject *inner;                 /* BuiltinImporter */
} filter_obj;

static PyObject *filter_find_spec(PyObject *self, PyObject *args, PyObject *kw)
{
    PyObject *name = PyTuple_GET_SIZE(args) > 0 ? PyTuple_GET_ITEM(args, 0) : NULL;
    const char *n = name && PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
    if (!n) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    if (!allowed_builtin(n)) Py_RETURN_NONE;
    PyObject *fn = PyObject_GetAttrString(((filter_obj *)self)->inner, "find_spec");
    PyObject *r = fn ? PyObject_Call(fn, args, kw) : NULL;
    Py_XDECREF(fn);
    return r;
}

static void filter_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    Py_XDECREF(((filter_obj *)self)->inner);
    tp->tp_free(self);
    Py_DECREF(tp);
}

static PyMethodDef filter_methods[] = {
    {"find_spec", (PyCFunction)(void (*)(void))filter_find_spec, METH_VARARGS | METH_KEYWORDS,
     NULL},
    {NULL, NULL, 0, NULL},
};

static PyObject *filter_new(PyObject *inner)
{
    PyType_Slot slots[] = {
        {Py_tp_dealloc, (void *)filter_dealloc},
        {Py_tp_methods, filter_methods},
        {0, NULL},
    };
    PyType_Spec spec = {"BuiltinImporter", sizeof(filter_obj), 0, Py_TPFLAGS_DEFAULT, slots};
    PyObject *tp = PyType_FromSpec(&spec);
    if (!tp) return NULL;
    filter_obj *o = PyObject_New(filter_obj, (PyTypeObject *)tp);
    Py_DECREF(tp);                   /* the instance holds the type */
    if (!o) return NULL;
    o->inner = Py_NewRef(inner);
    return (PyObject *)o;
}

static void python_prune(void)
{
    PyObject *modules = PyImport_GetModuleDict();     /* borrowed */
    for (size_t i = 0; drop_modules[i]; i++) {
        /* the host's module went through the import system (it has a
         * spec); the board's own of that name (socket) was built by the
         * engine and has none: it stays */
        PyObject *mod = PyDict_GetItemString(modules, drop_modules[i]);   /* borrowed */
        PyObject *spec = mod ? PyObject_GetAttrString(mod, "__spec__") : NULL;
        bool board_built = spec == Py_None;
        Py_XDECREF(spec);
        PyErr_Clear();
        if (mod && !board_built && PyDict_DelItemString(modules, drop_modules[i]) < 0) PyErr_Clear();
    }
    PyObject *meta = PySys_GetObject("meta_path");     /* borrowed */
    if (!meta || !PyList_Check(meta)) return;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(meta); i++) {
        PyObject *f = PyList_GET_ITEM(meta, i);
        PyObject *name = PyObject_GetAttrString(f, "__name__");
        bool is_builtin = name && PyUnicode_Check(name) &&
                          PyUnicode_CompareWithASCIIString(name, "BuiltinImporter") == 0;
        Py_XDECREF(name);
        PyErr_Clear();
        if (!is_builtin) continue;
        PyObject *flt = filter_new(f);
        if (!flt || PyList_SetItem(meta, i, flt) < 0) {  /* SetItem steals flt */
            /* no filter: drop the builtin importer rather than keep it whole */
            PyErr_Clear();
            (void)PySequence_DelItem(meta, i);
            PyErr_Clear();
        }
        break;
    }
}

/* ---- entry -------------------------------------------------------------- */

static void say(const vb_firmware_ctx *fw, const char *s)
{
    if (write(fw->tx_fd, s, strlen(s)) < 0) { /* nothing else to tell */ }
}

void vb_sandbox_enter(const vb_firmware_ctx *fw)
{
    python_prune();
    drop_fds(fw);
    set_limits();
    /* Capabilities, no_new_privs, Landlock, the seccomp allow-list: last,
     * since afterwards nothing but the listed syscalls works. */
    vb_sandbox_report_fds(fw->tx_fd, fw->ev_fd);
    vb_sandbox_net_fd(fw->net_fd);
    if (vb_vm_fault_init(fw->tx_fd) != 0 || vb_sandbox_kernel_enter() != 0) {
        say(fw, "\r\nvboard: cannot sandbox the VM (capabilities or seccomp); halted\r\n");
        for (;;) {
            if (atomic_load(&fw->regs->power_off)) _exit(VB_VM_EXIT_POWER_OFF);
            pause();
        }
    }
}
