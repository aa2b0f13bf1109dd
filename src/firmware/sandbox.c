/* The VM sandbox (sandbox.h). Everything here runs in the freshly forked VM
 * only; nothing is kept between calls. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sched.h>

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
    /* the serial pipe, the input doorbell, the hardware event pipe: sorted */
    int keep[3] = {fw->tx_fd, fw->rx_efd, fw->ev_fd};
    qsort(keep, 3, sizeof keep[0], cmp_int);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
#if defined(__SANITIZE_ADDRESS__)
        const int last_std = 1;
#else
        const int last_std = 2;
#endif
        for (int fd = 0; fd <= last_std; fd++)
            if (fd != keep[0] && fd != keep[1] && fd != keep[2] && fd != null) dup2(null, fd);
    }
    unsigned lo = 3;
    for (int i = 0; i < 3; i++) {
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

/* ---- 3. Landlock -------------------------------------------------------- */

/* Rights newer than the build machine's linux/landlock.h (UAPI values). */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)       /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)      /* ABI 5 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)       /* ABI 4 */
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif

/* The ruleset attribute as of ABI 6; older kernels get a prefix of it. */
typedef struct ll_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
} ll_attr;

static void landlock_deny_all(void)
{
#if defined(SYS_landlock_create_ruleset) && defined(SYS_landlock_restrict_self)
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1) return;             /* no Landlock: seccomp still holds */
    ll_attr a = {.handled_access_fs = (LANDLOCK_ACCESS_FS_REFER << 1) - 1}; /* ABI 2 */
    size_t size = offsetof(ll_attr, handled_access_net);
    if (abi < 2) a.handled_access_fs &= ~LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3) a.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
    if (abi >= 5) a.handled_access_fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
    if (abi >= 4) {
        /* networking is not offered yet: no TCP at all */
        a.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
        size = offsetof(ll_attr, scoped);
    }
    if (abi >= 6) {
        /* no signals to the supervisor, zygote or anyone outside the VM */
        a.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
        size = sizeof a;
    }
    int fd = (int)syscall(SYS_landlock_create_ruleset, &a, size, 0);
    if (fd < 0) return;
    (void)syscall(SYS_landlock_restrict_self, fd, 0);
    close(fd);
#endif
}

/* ---- 4. seccomp --------------------------------------------------------- */

/* The filter is written against x86_64 syscall numbers; other
 * architectures need their own list (seccomp_install then fails closed). */
#if defined(__x86_64__)
#define VB_SECCOMP_ARCH AUDIT_ARCH_X86_64
#define VB_X32_BIT 0x40000000u

/* Syscall numbers newer than the build machine's headers (x86_64). */
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef SYS_setxattrat
#define SYS_setxattrat 463
#endif
#ifndef SYS_getxattrat
#define SYS_getxattrat 464
#endif
#ifndef SYS_listxattrat
#define SYS_listxattrat 465
#endif
#ifndef SYS_removexattrat
#define SYS_removexattrat 466
#endif
#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr 467
#endif

#define PROG_MAX 512

typedef struct prog {
    struct sock_filter ins[PROG_MAX];
    unsigned n;
    bool overflow;
} prog;

static void emit(prog *p, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
    if (p->n >= PROG_MAX) {
        p->overflow = true;
        return;
    }
    p->ins[p->n++] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
}

#define RET_ALLOW SECCOMP_RET_ALLOW
#define RET_EPERM (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))
#define RET_ENOSYS (SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA))
#define ARG_LO(i) ((uint32_t)offsetof(struct seccomp_data, args[i])) /* little endian */

static void ret(prog *p, uint32_t r) { emit(p, BPF_RET | BPF_K, 0, 0, r); }

/* A == nr -> return r (A keeps the number otherwise). */
static void deny(prog *p, long nr, uint32_t r)
{
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (uint32_t)nr);
    ret(p, r);
}

/* A == nr -> allow only if the low 32 bits of argument `arg` are one of
 * `a`/`b` (pid-like ints: the kernel ignores the high half), else EPERM. */
static void only_arg(prog *p, long nr, int arg, uint32_t a, uint32_t b)
{
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 5, (uint32_t)nr);
    emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LO(arg));
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 2, 0, a);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, b);
    ret(p, RET_EPERM);
    ret(p, RET_ALLOW);
}

/* A == nr -> allow only if argument `arg` has all bits of `need` and none
 * of `forbid`, else EPERM. */
static void arg_bits(prog *p, long nr, int arg, uint32_t need, uint32_t forbid)
{
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 5, (uint32_t)nr);
    emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LO(arg));
    emit(p, BPF_JMP | BPF_JSET | BPF_K, 2, 0, forbid);
    emit(p, BPF_JMP | BPF_JSET | BPF_K, 0, 1, need);
    ret(p, RET_ALLOW);
    ret(p, RET_EPERM);
}

/* Denied outright (EPERM). Grouped by why. */
static const long denied[] = {
    /* running other programs */
    SYS_execve, SYS_execveat, SYS_uselib,
    /* process creation (threads are clone() with CLONE_THREAD, below) */
    SYS_fork, SYS_vfork,
    /* reaching into other processes */
    SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev, SYS_kcmp,
    SYS_pidfd_open, SYS_pidfd_getfd, SYS_pidfd_send_signal, SYS_process_madvise,
    SYS_get_robust_list, SYS_migrate_pages, SYS_move_pages,
    SYS_setpriority, SYS_sched_setscheduler, SYS_sched_setparam, SYS_sched_setattr,
    SYS_sched_setaffinity, SYS_ioprio_set,
    /* networking is not offered yet */
    SYS_socket, SYS_socketpair, SYS_connect, SYS_bind, SYS_listen, SYS_accept, SYS_accept4,
    /* opening anything by path: Landlock denies it too, this holds without it */
    SYS_open, SYS_openat, SYS_openat2, SYS_creat, SYS_open_by_handle_at, SYS_name_to_handle_at,
    /* changing host files (the image is written through its mapping only) */
    SYS_truncate, SYS_ftruncate, SYS_fallocate,
    SYS_unlink, SYS_unlinkat, SYS_rename, SYS_renameat, SYS_renameat2,
    SYS_mkdir, SYS_mkdirat, SYS_rmdir, SYS_mknod, SYS_mknodat,
    SYS_symlink, SYS_symlinkat, SYS_link, SYS_linkat,
    SYS_chmod, SYS_fchmod, SYS_fchmodat, SYS_fchmodat2,
    SYS_chown, SYS_fchown, SYS_lchown, SYS_fchownat,
    SYS_utime, SYS_utimes, SYS_futimesat, SYS_utimensat,
    SYS_setxattr, SYS_lsetxattr, SYS_fsetxattr, SYS_removexattr, SYS_lremovexattr,
    SYS_fremovexattr, SYS_setxattrat, SYS_removexattrat,
    /* probing host paths (Landlock does not cover metadata); stat by fd
     * stays, below */
    SYS_stat, SYS_lstat, SYS_access, SYS_faccessat, SYS_faccessat2, SYS_readlink,
    SYS_readlinkat, SYS_statfs, SYS_getxattr, SYS_lgetxattr, SYS_listxattr, SYS_llistxattr,
    SYS_getxattrat, SYS_listxattrat, SYS_getcwd, SYS_chdir, SYS_fchdir,
    SYS_inotify_add_watch, SYS_fanotify_init, SYS_fanotify_mark,
    /* mounts and namespaces */
    SYS_mount, SYS_umount2, SYS_pivot_root, SYS_chroot, SYS_unshare, SYS_setns,
    SYS_open_tree, SYS_move_mount, SYS_fsopen, SYS_fsconfig, SYS_fsmount, SYS_fspick,
    SYS_mount_setattr, SYS_open_tree_attr,
    /* identity and privilege */
    SYS_setuid, SYS_setgid, SYS_setreuid, SYS_setregid, SYS_setresuid, SYS_setresgid,
    SYS_setfsuid, SYS_setfsgid, SYS_setgroups, SYS_capset, SYS_personality,
    /* kernel attack surface a board never needs */
    SYS_keyctl, SYS_add_key, SYS_request_key, SYS_bpf, SYS_perf_event_open, SYS_userfaultfd,
    SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register,
    SYS_init_module, SYS_finit_module, SYS_delete_module, SYS_kexec_load, SYS_kexec_file_load,
    SYS_reboot, SYS_swapon, SYS_swapoff, SYS_acct, SYS_quotactl, SYS_syslog, SYS_vhangup,
    SYS_sethostname, SYS_setdomainname, SYS_settimeofday, SYS_clock_settime,
    SYS_clock_adjtime, SYS_adjtimex, SYS_iopl, SYS_ioperm, SYS_lookup_dcookie,
};

#define CLONE_NS_FLAGS (CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
                        CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP)

/* 0, or -1 when the filter could not be installed. */
static int seccomp_install(void)
{
    prog p = {.n = 0};
    uint32_t self = (uint32_t)getpid();
    /* Another ABI's syscall numbers mean something else: kill. */
    emit(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)offsetof(struct seccomp_data, arch));
    emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, VB_SECCOMP_ARCH);
    ret(&p, SECCOMP_RET_KILL_PROCESS);
    emit(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)offsetof(struct seccomp_data, nr));
    /* x32 numbers share AUDIT_ARCH_X86_64 and would bypass the list. */
    emit(&p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, VB_X32_BIT);
    ret(&p, SECCOMP_RET_KILL_PROCESS);
    for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++) deny(&p, denied[i], RET_EPERM);
    /* clone3 passes its flags in memory, out of the filter's sight: ENOSYS
     * makes glibc fall back to clone(), whose flags are checked. */
    deny(&p, SYS_clone3, RET_ENOSYS);
    /* Threads only (CPython's _thread); fork/vfork/posix_spawn are clones
     * without CLONE_THREAD; no new namespaces either. */
    arg_bits(&p, SYS_clone, 0, CLONE_THREAD, CLONE_NS_FLAGS);
    /* Signals to itself only (CPython raises via tgkill/kill on its own
     * pid); never the supervisor, the zygote, a process group or -1. */
    only_arg(&p, SYS_kill, 0, self, self);
    only_arg(&p, SYS_tgkill, 0, self, self);
    only_arg(&p, SYS_tkill, 0, self, self);
    only_arg(&p, SYS_rt_sigqueueinfo, 0, self, self);
    only_arg(&p, SYS_rt_tgsigqueueinfo, 0, self, self);
    /* getrlimit/setrlimit are prlimit64(0, ...): not on other processes. */
    only_arg(&p, SYS_prlimit64, 0, 0, self);
    /* glibc's fstat is newfstatat(fd, "", AT_EMPTY_PATH): allow that form,
     * deny stat by path. */
    arg_bits(&p, SYS_newfstatat, 3, AT_EMPTY_PATH, 0);
    arg_bits(&p, SYS_statx, 2, AT_EMPTY_PATH, 0);
    ret(&p, RET_ALLOW);
    if (p.overflow) return -1;
    struct sock_fprog fp = {.len = (unsigned short)p.n, .filter = p.ins};
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) == 0 ? 0 : -1;
}
#else
static int seccomp_install(void) { return -1; }
#endif

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
    for (size_t i = 0; drop_modules[i]; i++)
        if (PyDict_DelItemString(modules, drop_modules[i]) < 0) PyErr_Clear();
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
    /* Required by both Landlock and unprivileged seccomp; also makes any
     * exec that slipped through gain nothing. */
    int nnp = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    landlock_deny_all();
    if (nnp != 0 || seccomp_install() != 0) {
        say(fw, "\r\nvboard: cannot sandbox the VM (seccomp unavailable); halted\r\n");
        for (;;) {
            if (atomic_load(&fw->regs->power_off)) _exit(VB_VM_EXIT_POWER_OFF);
            pause();
        }
    }
}
