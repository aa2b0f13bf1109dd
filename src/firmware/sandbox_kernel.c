/* The kernel layers of the VM sandbox (sandbox_kernel.h): capabilities,
 * Landlock, and the seccomp allow-list. No Python here: the unit test links
 * this file and installs the very same filter.
 *
 * The seccomp filter is an ALLOW-list. Its default is a trap to a handler
 * that says which call was refused on the serial line, then lets SIGSYS
 * kill the VM (the supervisor reports it as a Guru Meditation; the call is
 * never made, whatever the handler), so syscalls added to the kernel later (file_setattr,
 * ...) and whole families nobody remembered (SysV IPC, memfd_create, bpf,
 * keyctl, io_uring, userfaultfd, ptrace, perf_event_open, personality,
 * mount, unshare, setns, ...) are denied without being named. Listed
 * syscalls are allowed, allowed in one form only (the other forms answer
 * EPERM: glibc and CPython probe some of them and must fail softly), or
 * answer EPERM outright: those are what CPython's own os/socket/io
 * functions call, which device code reaches through introspection; they
 * must fail as OSError and leave the board running (tests/e2e/test_sandbox.py).
 *
 * How the table was made: the board run under `strace -f -ff` over the
 * e2e suites test_board_modules, test_repl_extras, test_hosttools,
 * test_sandbox, test_pins_wdt, test_board_boot, test_pycom_boot and
 * tests/lang/run_lang.py; the set is every syscall a VM (and its threads)
 * made after the PR_SET_SECCOMP line, plus the few glibc fallbacks noted
 * "not seen". */
#include "firmware/sandbox_kernel.h"
#include "contract/hwevent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <sched.h>

/* ---- environment -------------------------------------------------------- */

void vb_sandbox_clear_env(void)
{
    extern char **environ;
    for (char **e = environ; e && *e; e++) memset(*e, 0, strlen(*e));
    clearenv();
}

/* ---- capabilities ------------------------------------------------------- */

static int cap_last(void)
{
    char buf[16];
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0) close(fd);
    if (n <= 0) return 63;       /* unknown: drop until the kernel says EINVAL */
    buf[n] = '\0';
    int v = atoi(buf);
    return v > 0 && v < 64 ? v : 63;
}

int vb_sandbox_drop_caps(void)
{
    /* The bounding set first: dropping needs CAP_SETPCAP, which goes last. */
    int last = cap_last();
    for (int c = 0; c <= last; c++)
        if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0) < 0 && errno == EINVAL) break;
    /* Locked securebits: no root magic at exec, no ambient raising (root
     * only; an unprivileged VM has nothing these would guard). */
    (void)prctl(PR_SET_SECUREBITS,
                SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                    SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
                    SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
                0, 0, 0);
    (void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    /* Effective, permitted, inheritable: all zero (lowering never fails). */
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
    memset(d, 0, sizeof d);
    if (syscall(SYS_capset, &h, d) < 0) return -1;
    if (syscall(SYS_capget, &h, d) < 0) return -1;
    for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
        if (d[i].effective || d[i].permitted || d[i].inheritable) return -1;
    return 0;
}

/* ---- Landlock ----------------------------------------------------------- */

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

int vb_sandbox_landlock(void)
{
#if defined(SYS_landlock_create_ruleset) && defined(SYS_landlock_restrict_self)
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1) return 0;           /* no Landlock: seccomp still holds */
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
    if (fd < 0) return 0;
    long rc = syscall(SYS_landlock_restrict_self, fd, 0);
    close(fd);
    return rc == 0 ? (int)abi : 0;
#else
    return 0;
#endif
}

/* ---- seccomp ------------------------------------------------------------ */

#if defined(__x86_64__)
#define VB_SECCOMP_ARCH AUDIT_ARCH_X86_64
#define VB_X32_BIT 0x40000000u

#ifndef SYS_rseq
#define SYS_rseq 334
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
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
#define RET_KILL SECCOMP_RET_KILL_PROCESS
#define RET_TRAP SECCOMP_RET_TRAP
#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | ((e) & SECCOMP_RET_DATA))
/* The low 32 bits of an argument (little endian). Every argument checked
 * below is an int or unsigned int to the kernel (pid, fd, cmd, flags) or a
 * mask whose tested bits sit in the low half (mmap/mprotect prot, flags). */
#define ARG_LO(i) ((uint32_t)offsetof(struct seccomp_data, args[i]))

static void ret(prog *p, uint32_t r) { emit(p, BPF_RET | BPF_K, 0, 0, r); }
static void load_arg(prog *p, int i) { emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LO(i)); }

/* Argument checks. Each emits a block that returns on every path. */

/* Allowed when argument `a` has none of the bits `forbid`, else EPERM. */
static void forbid_bits(prog *p, int a, uint32_t forbid)
{
    load_arg(p, a);
    emit(p, BPF_JMP | BPF_JSET | BPF_K, 1, 0, forbid);
    ret(p, RET_ALLOW);
    ret(p, RET_ERRNO(EPERM));
}

/* Allowed when argument `a` equals v, else EPERM. */
static void arg_is(prog *p, int a, uint32_t v)
{
    load_arg(p, a);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, v);
    ret(p, RET_ALLOW);
    ret(p, RET_ERRNO(EPERM));
}

static uint32_t self_pid;
/* Set once before the filter is built (single-threaded VM start). */
static int net_line_fd = -1;

void vb_sandbox_net_fd(int fd) { net_line_fd = fd; }

/* recvmsg: only on the network line, where the supervisor's answers and
 * the sockets it opened arrive (SCM_RIGHTS); no line, no recvmsg. */
static void chk_net_line(prog *p)
{
    if (net_line_fd < 0) {
        ret(p, RET_ERRNO(EPERM));
        return;
    }
    arg_is(p, 0, (uint32_t)net_line_fd);
}

/* sendto: as send() only (no address: both halves of the pointer zero),
 * on the sockets the supervisor connected; an address would send a
 * datagram past the policy (the supervisor points UDP sockets instead). */
static void chk_send_only(prog *p)
{
    load_arg(p, 4);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 3, 0);
    emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LO(4) + 4);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
    ret(p, RET_ALLOW);
    ret(p, RET_ERRNO(EPERM));
}

/* kill/tgkill: only to the VM itself (CPython's signal.raise_signal,
 * abort()); never the zygote, the supervisor, a group or -1. */
static void chk_self(prog *p) { arg_is(p, 0, self_pid); }

/* clone: threads only (CPython's _thread), in this process's namespaces.
 * fork, vfork and posix_spawn are clones without CLONE_THREAD: EPERM,
 * which CPython reports as OSError. */
static void chk_clone(prog *p)
{
    const uint32_t ns = CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
                        CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;
    load_arg(p, 0);
    emit(p, BPF_JMP | BPF_JSET | BPF_K, 2, 0, ns);
    emit(p, BPF_JMP | BPF_JSET | BPF_K, 0, 1, CLONE_THREAD);
    ret(p, RET_ALLOW);
    ret(p, RET_ERRNO(EPERM));
}

/* mmap: private memory only, never executable. No exec mappings: the VM
 * loads nothing after the fork and ctypes/libffi (whose closures need
 * them) are not offered (test_sandbox: test_ctypes_cannot_be_loaded). No
 * MAP_SHARED (nor MAP_SHARED_VALIDATE, which has the same bit): the VM
 * shares nothing new; shared anonymous memory would count against
 * RLIMIT_AS anyway, but a file mapping needs no new fd route either. */
static void chk_mmap(prog *p)
{
    load_arg(p, 2);
    emit(p, BPF_JMP | BPF_JSET | BPF_K, 3, 0, PROT_EXEC);
    load_arg(p, 3);
    emit(p, BPF_JMP | BPF_JSET | BPF_K, 1, 0, MAP_SHARED);
    ret(p, RET_ALLOW);
    ret(p, RET_ERRNO(EPERM));
}

/* mprotect: glibc's thread stacks and malloc arenas go PROT_NONE -> RW;
 * nothing becomes executable. */
static void chk_mprotect(prog *p) { forbid_bits(p, 2, PROT_EXEC); }

/* pipe2: plain pipes only (test_sandbox fills the fd limit with them);
 * not O_NOTIFICATION_PIPE (== O_EXCL, the watch_queue kernel surface). */
static void chk_pipe2(prog *p) { forbid_bits(p, 1, ~(uint32_t)(O_CLOEXEC | O_NONBLOCK)); }

/* fcntl: descriptor and status flags only. F_SETFL without O_ASYNC (which
 * with F_SETOWN would make the kernel send SIGIO to another process, e.g.
 * the supervisor at the far end of the event pipe; no Landlock signal
 * scoping before Linux 6.12), O_DIRECT or O_NOATIME. F_SETOWN(_EX),
 * F_SETSIG, F_SETLEASE, F_NOTIFY, locks, seals, pipe sizes: EPERM. */
static void chk_fcntl(prog *p)
{
    load_arg(p, 1);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 6, 0, F_GETFD);          /* -> allow */
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 5, 0, F_SETFD);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 4, 0, F_GETFL);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 3, 0, F_DUPFD_CLOEXEC);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 3, F_SETFL);          /* else -> EPERM */
    load_arg(p, 2);
    emit(p, BPF_JMP | BPF_JSET | BPF_K, 1, 0, O_ASYNC | O_DIRECT | O_NOATIME);
    ret(p, RET_ALLOW);
    ret(p, RET_ERRNO(EPERM));
}

/* ioctl: the VM's fds are /dev/null, pipes and an eventfd, never a
 * terminal. isatty() and terminal-size probes (TCGETS, TIOCGWINSZ) get
 * ENOTTY, the truthful answer; everything else EPERM: no TIOCSTI, no
 * FIOASYNC/FIOSETOWN (the ioctl spelling of O_ASYNC/F_SETOWN). */
static void chk_ioctl(prog *p)
{
    load_arg(p, 1);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 2, 0, TCGETS);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, TIOCGWINSZ);
    ret(p, RET_ERRNO(EPERM));
    ret(p, RET_ERRNO(ENOTTY));
}

typedef enum { R_ALLOW, R_EPERM, R_ENOSYS, R_TRAP, R_CHECK } rule_kind;

typedef struct rule {
    long nr;
    rule_kind kind;
    void (*check)(prog *p);
} rule;

#define ALLOW(nr) {nr, R_ALLOW, NULL}
#define EPERM_(nr) {nr, R_EPERM, NULL}
#define CHECK_(nr, fn) {nr, R_CHECK, fn}

/* The table. Order is speed only: the hot calls first. */
static const rule table[] = {
    /* -- the serial line, the input doorbell, the event pipe -- */
    ALLOW(SYS_write),            /* UART output, hardware events */
    ALLOW(SYS_read),             /* input eventfd */
    ALLOW(SYS_poll),             /* waits for input with a deadline; select.poll */
    ALLOW(SYS_ppoll),            /* the same wait with SIGINT let in atomically */
    ALLOW(SYS_msync),            /* flash writes reach the shared image mapping */
    /* -- sockets the supervisor opened (contract/netmsg.h) -- */
    CHECK_(SYS_recvmsg, chk_net_line),  /* its answers and descriptors */
    CHECK_(SYS_sendto, chk_send_only),  /* send(): MSG_NOSIGNAL, no address */
    ALLOW(SYS_recvfrom),         /* recv, recvfrom (a datagram's sender), MSG_PEEK */
    /* -- memory -- */
    ALLOW(SYS_brk),              /* malloc */
    CHECK_(SYS_mmap, chk_mmap),  /* malloc, arenas, thread stacks */
    ALLOW(SYS_munmap),           /* free */
    ALLOW(SYS_mremap),           /* realloc of large blocks */
    CHECK_(SYS_mprotect, chk_mprotect), /* arenas and thread stacks */
    ALLOW(SYS_madvise),          /* glibc frees a dead thread's stack (DONTNEED) */
    /* -- time -- */
    ALLOW(SYS_clock_nanosleep),  /* time.sleep, usleep, nanosleep */
    ALLOW(SYS_nanosleep),        /* not seen: older glibc's nanosleep */
    ALLOW(SYS_clock_gettime),    /* not seen: the vDSO answers; its fallback */
    ALLOW(SYS_clock_getres),     /* not seen: likewise */
    ALLOW(SYS_gettimeofday),     /* not seen: likewise */
    ALLOW(SYS_getrandom),        /* os.urandom, hash seeds, random */
    /* -- signals: SIGINT is Ctrl-C, pin IRQs wake waits -- */
    ALLOW(SYS_rt_sigreturn),
    ALLOW(SYS_restart_syscall),  /* a signal during clock_nanosleep */
    ALLOW(SYS_rt_sigaction),     /* the signal module */
    ALLOW(SYS_rt_sigprocmask),   /* glibc around thread creation, system() */
    ALLOW(SYS_pause),            /* the halted firmware (Pycom failed mount) */
    ALLOW(SYS_sigaltstack),      /* a thread's own alternate signal stack (ASan, faulthandler) */
    CHECK_(SYS_kill, chk_self),
    CHECK_(SYS_tgkill, chk_self),
    /* -- threads (_thread is offered) -- */
    CHECK_(SYS_clone, chk_clone),
    {SYS_clone3, R_ENOSYS, NULL}, /* flags in memory, out of the filter's
                                   * sight: ENOSYS makes glibc fall back to
                                   * clone(), whose flags are checked */
    ALLOW(SYS_futex),            /* the GIL, locks */
    ALLOW(SYS_set_robust_list),  /* glibc in a new thread */
    ALLOW(SYS_rseq),             /* glibc in a new thread */
    ALLOW(SYS_sched_yield),      /* not seen: glibc spin locks */
    ALLOW(SYS_sched_getaffinity),/* pthread_getattr_np on a new thread (ASan's); a CPU mask tells nothing */
    ALLOW(SYS_exit),             /* a thread ends */
    ALLOW(SYS_exit_group),       /* the VM ends (soft reset, power off) */
    ALLOW(SYS_getpid),           /* the VM's own pid */
    ALLOW(SYS_gettid),           /* glibc, CPython thread ids */
    ALLOW(SYS_getppid),          /* os.getppid (test_sandbox asks, then may not kill it) */
    /* -- descriptors the VM already has -- */
    ALLOW(SYS_close),            /* CPython error paths, os.close */
    CHECK_(SYS_pipe2, chk_pipe2),
    CHECK_(SYS_fcntl, chk_fcntl),
    CHECK_(SYS_ioctl, chk_ioctl),
    ALLOW(SYS_fstat),            /* by fd: the SIGSYS handler's newfstatat */
    /* glibc's fstat() is newfstatat(fd, "", AT_EMPTY_PATH), and with a
     * non-empty path that form stats any host path: Landlock does not
     * govern stat, and seccomp cannot read the string. So it traps, and
     * the in-process handler (sigsys below) does fstat(fd) for the empty
     * path and EPERM otherwise. Lying to the handler gains nothing: all it
     * can run is fstat, which is allowed anyway. */
    {SYS_newfstatat, R_TRAP, NULL},
    /* -- refused softly: what CPython's os, io and socket functions call;
     * reached through introspection they must raise OSError, not kill the
     * board (Landlock refuses the path ones too) -- */
    EPERM_(SYS_open), EPERM_(SYS_openat), EPERM_(SYS_openat2), EPERM_(SYS_creat),
    EPERM_(SYS_stat), EPERM_(SYS_lstat), EPERM_(SYS_access), EPERM_(SYS_faccessat),
    EPERM_(SYS_faccessat2), EPERM_(SYS_readlink), EPERM_(SYS_readlinkat), EPERM_(SYS_getcwd),
    EPERM_(SYS_chdir), EPERM_(SYS_fchdir), EPERM_(SYS_getdents64), EPERM_(SYS_statfs),
    EPERM_(SYS_fstatfs), EPERM_(SYS_unlink), EPERM_(SYS_unlinkat), EPERM_(SYS_rename),
    EPERM_(SYS_renameat), EPERM_(SYS_renameat2), EPERM_(SYS_mkdir), EPERM_(SYS_mkdirat),
    EPERM_(SYS_rmdir), EPERM_(SYS_mknod), EPERM_(SYS_mknodat), EPERM_(SYS_chmod),
    EPERM_(SYS_fchmod), EPERM_(SYS_fchmodat), EPERM_(SYS_chown), EPERM_(SYS_fchown),
    EPERM_(SYS_lchown), EPERM_(SYS_fchownat), EPERM_(SYS_truncate), EPERM_(SYS_ftruncate),
    EPERM_(SYS_symlink), EPERM_(SYS_symlinkat), EPERM_(SYS_link), EPERM_(SYS_linkat),
    EPERM_(SYS_utimensat), EPERM_(SYS_execve), EPERM_(SYS_execveat), EPERM_(SYS_fork),
    EPERM_(SYS_vfork), EPERM_(SYS_socket), EPERM_(SYS_socketpair),
};

/* Set once before the filter (single-threaded VM start): where a refused
 * call is reported; the SIGSYS handler can take no argument. */
static int report_fd = -1;
static int report_ev_fd = -1;

void vb_sandbox_report_fds(int tx_fd, int ev_fd)
{
    report_fd = tx_fd;
    report_ev_fd = ev_fd;
}

/* The refusal as a hardware event (async-signal-safe: one write of a
 * record smaller than PIPE_BUF; dropped if the pipe is full). */
static void report_event(int nr)
{
    struct timespec ts;
    if (report_ev_fd < 0 || clock_gettime(CLOCK_MONOTONIC, &ts) < 0) return;
    vb_hw_event ev = {.kind = VB_EV_SANDBOX_REFUSED, .gpio = 0,
                      .value = nr < 0 ? 0u : (uint32_t)nr,
                      .t_us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u};
    if (write(report_ev_fd, &ev, sizeof ev) < 0) { /* the serial line still says it */ }
}

/* A call off the list: say which (async-signal-safe: no stdio), then die
 * of SIGSYS as a kill would have, once this handler returns. The call was
 * never made: a handler replaced by device code only makes it fail. */
static void refused(int nr)
{
    char msg[64] = "\r\nvboard: the sandbox refused system call ";
    size_t k = strlen(msg);
    char digits[12];
    int nd = 0;
    unsigned v = nr < 0 ? 0u : (unsigned)nr;
    do digits[nd++] = (char)('0' + v % 10); while ((v /= 10) && nd < 11);
    while (nd) msg[k++] = digits[--nd];
    msg[k++] = '\r';
    msg[k++] = '\n';
    if (report_fd >= 0 && write(report_fd, msg, k) < 0) { /* nothing else to tell */ }
    report_event(nr);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGSYS, &dfl, NULL);
    syscall(SYS_kill, getpid(), SIGSYS);  /* pending (SIGSYS is blocked in here) until we return */
}

/* SIGSYS: newfstatat traps to be served; anything off the list traps to be
 * reported (see the table). */
static void sigsys(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    if (si->si_code != 1 /* SYS_SECCOMP */) return;   /* a SIGSYS sent by someone */
    greg_t *r = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    long rc = -ENOSYS;
    if (si->si_syscall != SYS_newfstatat) {
        refused(si->si_syscall);
    } else {
        const char *path = (const char *)r[REG_RSI];
        if ((int)r[REG_R10] == AT_EMPTY_PATH && path && path[0] == '\0') {
            int saved = errno;
            long v = syscall(SYS_fstat, (int)r[REG_RDI], (void *)r[REG_RDX]);
            rc = v < 0 ? -errno : v;
            errno = saved;
        } else {
            rc = -EPERM;
        }
    }
    r[REG_RAX] = rc;
}

int vb_sandbox_seccomp(void)
{
    static prog p;                   /* 4 KiB: not on a small stack */
    p.n = 0;
    p.overflow = false;
    self_pid = (uint32_t)getpid();
    /* Another ABI's syscall numbers mean something else: kill. */
    emit(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)offsetof(struct seccomp_data, arch));
    emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, VB_SECCOMP_ARCH);
    ret(&p, RET_KILL);
    emit(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)offsetof(struct seccomp_data, nr));
    /* x32 numbers share AUDIT_ARCH_X86_64: kill. */
    emit(&p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, VB_X32_BIT);
    ret(&p, RET_KILL);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const rule *e = &table[i];
        unsigned at = p.n;
        emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, (uint32_t)e->nr);  /* jf patched */
        switch (e->kind) {
        case R_ALLOW: ret(&p, RET_ALLOW); break;
        case R_EPERM: ret(&p, RET_ERRNO(EPERM)); break;
        case R_ENOSYS: ret(&p, RET_ERRNO(ENOSYS)); break;
        case R_TRAP: ret(&p, RET_TRAP); break;
        case R_CHECK: e->check(&p); break;
        }
        if (p.overflow || p.n - at - 1 > 255) return -1;
        p.ins[at].jf = (uint8_t)(p.n - at - 1);  /* past the block: A still holds nr */
    }
    ret(&p, RET_TRAP);               /* off the list: reported, then SIGSYS (refused()) */
    if (p.overflow) return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = sigsys;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSYS, &sa, NULL) < 0) return -1;
    sigset_t sys;
    sigemptyset(&sys);
    sigaddset(&sys, SIGSYS);
    (void)sigprocmask(SIG_UNBLOCK, &sys, NULL);
    struct sock_fprog fp = {.len = (unsigned short)p.n, .filter = p.ins};
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) == 0 ? 0 : -1;
}
#else
int vb_sandbox_seccomp(void) { return -1; }
#endif

int vb_sandbox_kernel_enter(void)
{
    int caps = vb_sandbox_drop_caps();
    /* Required by Landlock and unprivileged seccomp; also makes any exec
     * that slipped through gain nothing. */
    int nnp = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    (void)vb_sandbox_landlock();
    int sc = nnp == 0 ? vb_sandbox_seccomp() : -1;
    return caps == 0 && sc == 0 ? 0 : -1;
}
