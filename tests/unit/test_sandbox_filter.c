/* The VM's kernel sandbox layers (src/firmware/sandbox_kernel.c), tested
 * the way device code would attack them: raw syscalls with chosen
 * arguments. Each probe runs in a forked child that enters the same layers
 * the VM enters (vb_sandbox_kernel_enter: capabilities, no_new_privs,
 * Landlock, the seccomp allow-list), makes one call and reports its result
 * over a pipe; the parent sees the result, or that the child was killed by
 * SIGSYS (the allow-list's default). */
#include <stdbool.h>

#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <sched.h>

#include "firmware/sandbox_kernel.h"
#include "contract/hwevent.h"

#define KILLED (-100000L)      /* the child died of SIGSYS */
#define OTHER_DEATH (-200000L) /* any other death */

typedef enum { FULL, LANDLOCK_ONLY, CAPS_ONLY } layers;

static int probe_fd = -1;      /* a pipe's read end, open in every child */
/* Sockets made before the fork (test_network_line): the VM's end of a
 * network line, another socketpair end, a UDP socket. */
static int line_fd = -1, other_fd = -1, udp_fd = -1;

/* Runs fn in a child inside `how`; its return value as fn gives it (a
 * raw syscall's: -errno on failure), or KILLED. */
static long in_child(layers how, long (*fn)(void))
{
    int res[2], pp[2];
    if (pipe(res) < 0 || pipe(pp) < 0) abort();
    pid_t pid = fork();
    if (pid == 0) {
        close(res[0]);
        probe_fd = pp[0];
        int ok = 0;
        vb_sandbox_net_fd(line_fd);
        if (how == FULL) ok = vb_sandbox_kernel_enter();
        else if (how == LANDLOCK_ONLY)
            ok = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && vb_sandbox_landlock() > 0 ? 0 : -1;
        else ok = vb_sandbox_drop_caps();
        long v = ok == 0 ? fn() : OTHER_DEATH;
        if (write(res[1], &v, sizeof v) != (ssize_t)sizeof v) _exit(3);
        _exit(0);
    }
    close(res[1]);
    close(pp[0]);
    close(pp[1]);
    long v = OTHER_DEATH;
    ssize_t n = read(res[0], &v, sizeof v);
    close(res[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS) return KILLED;
    if (n != (ssize_t)sizeof v || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return OTHER_DEATH;
    return v;
}

static long sc(long r) { return r < 0 ? -errno : r; }

/* ---- denied families: killed ------------------------------------------- */

static long p_memfd(void) { return sc(syscall(SYS_memfd_create, "x", 0)); }
static long p_personality(void) { return sc(syscall(SYS_personality, 0x0040000)); } /* READ_IMPLIES_EXEC */
static long p_keyctl(void) { return sc(syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3, 0)); }
static long p_bpf(void) { return sc(syscall(SYS_bpf, 0, NULL, 0)); }
static long p_userfaultfd(void) { return sc(syscall(SYS_userfaultfd, 0)); }
static long p_io_uring(void)
{
    char params[120] = {0};
    return sc(syscall(SYS_io_uring_setup, 1, params));
}
static long p_ptrace(void) { return sc(syscall(SYS_ptrace, 0 /* TRACEME */, 0, 0, 0)); }
static long p_shmget(void) { return sc(syscall(SYS_shmget, 0 /* IPC_PRIVATE */, 4096, 01600)); }
static long p_statx_path(void)
{
    char buf[256];
    return sc(syscall(SYS_statx, AT_FDCWD, "/etc/passwd", AT_EMPTY_PATH, 0x7ff, buf));
}
static long p_unshare(void) { return sc(syscall(SYS_unshare, CLONE_NEWUSER)); }
static long p_prctl(void) { return sc(syscall(SYS_prctl, PR_SET_DUMPABLE, 1, 0, 0, 0)); }
static long p_getuid(void) { return sc(syscall(SYS_getuid)); }   /* merely unlisted */
static long p_x32(void) { return sc(syscall(0x40000000L | SYS_getpid)); }
static long p_i386(void)
{
    long r = 20;               /* i386 getpid, through the 32-bit entry */
    __asm__ volatile("int $0x80" : "+a"(r) : : "memory");
    return r;
}

static void test_denied_families_are_killed(void)
{
    CHECK_EQ(in_child(FULL, p_memfd), KILLED);
    CHECK_EQ(in_child(FULL, p_personality), KILLED);
    CHECK_EQ(in_child(FULL, p_keyctl), KILLED);
    CHECK_EQ(in_child(FULL, p_bpf), KILLED);
    CHECK_EQ(in_child(FULL, p_userfaultfd), KILLED);
    CHECK_EQ(in_child(FULL, p_io_uring), KILLED);
    CHECK_EQ(in_child(FULL, p_ptrace), KILLED);
    CHECK_EQ(in_child(FULL, p_shmget), KILLED);
    CHECK_EQ(in_child(FULL, p_statx_path), KILLED);
    CHECK_EQ(in_child(FULL, p_unshare), KILLED);
    CHECK_EQ(in_child(FULL, p_prctl), KILLED);
    CHECK_EQ(in_child(FULL, p_getuid), KILLED);
    CHECK_EQ(in_child(FULL, p_x32), KILLED);
    CHECK_EQ(in_child(FULL, p_i386), KILLED);
}

/* ---- allowed syscalls in a denied form: EPERM --------------------------- */

static long p_setown(void) { return sc(syscall(SYS_fcntl, probe_fd, F_SETOWN, getppid())); }
static long p_setown_ex(void)
{
    struct { int type; int pid; } o = {0, 1};
    return sc(syscall(SYS_fcntl, probe_fd, 15 /* F_SETOWN_EX */, &o));
}
static long p_setsig(void) { return sc(syscall(SYS_fcntl, probe_fd, 10 /* F_SETSIG */, SIGUSR1)); }
static long p_setfl_async(void) { return sc(syscall(SYS_fcntl, probe_fd, F_SETFL, O_ASYNC | O_NONBLOCK)); }
static long p_setfl_nonblock(void) { return sc(syscall(SYS_fcntl, probe_fd, F_SETFL, O_NONBLOCK)); }
static long p_getfl(void) { return sc(syscall(SYS_fcntl, probe_fd, F_GETFL)) & O_ACCMODE; }
static long p_tiocsti(void)
{
    char c = 'x';
    return sc(syscall(SYS_ioctl, probe_fd, TIOCSTI, &c));
}
static long p_fioasync(void)
{
    int on = 1;
    return sc(syscall(SYS_ioctl, probe_fd, FIOASYNC, &on));
}
static long p_tcgets(void)
{
    struct termios t;
    return sc(syscall(SYS_ioctl, probe_fd, TCGETS, &t));
}
static long p_socket(void) { return sc(syscall(SYS_socket, 1 /* AF_UNIX */, 1, 0)); }
static long p_kill_parent(void) { return sc(syscall(SYS_kill, getppid(), 0)); }
static long p_kill_all(void) { return sc(syscall(SYS_kill, -1, 0)); }
static long p_kill_self(void) { return sc(syscall(SYS_kill, getpid(), 0)); }
static long p_tgkill_parent(void) { return sc(syscall(SYS_tgkill, getppid(), getppid(), 0)); }
static long p_fork(void) { return sc(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0)); }
static long p_openat(void) { return sc(syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY)); }
static long p_mmap_exec(void)
{
    long r = syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return r == -1 ? -errno : 0;
}
static long p_mmap_shared(void)
{
    long r = syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return r == -1 ? -errno : 0;
}
static long p_mmap_private(void)
{
    long r = syscall(SYS_mmap, 0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r == -1) return -errno;
    ((volatile char *)r)[4096] = 1;
    return 0;
}
static long p_mprotect_exec(void)
{
    void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return -1000;
    return sc(syscall(SYS_mprotect, m, 4096, PROT_READ | PROT_EXEC));
}
static long p_notification_pipe(void)
{
    int fds[2];
    return sc(syscall(SYS_pipe2, fds, O_EXCL /* O_NOTIFICATION_PIPE */));
}
static long p_stat_path_empty_flag(void)
{
    struct stat st;
    return sc(syscall(SYS_newfstatat, AT_FDCWD, "/etc/passwd", &st, AT_EMPTY_PATH));
}
static long p_stat_path(void)
{
    struct stat st;
    return sc(syscall(SYS_newfstatat, AT_FDCWD, "/etc/passwd", &st, 0));
}

static void test_denied_forms_answer_eperm(void)
{
    CHECK_EQ(in_child(FULL, p_setown), -EPERM);
    CHECK_EQ(in_child(FULL, p_setown_ex), -EPERM);
    CHECK_EQ(in_child(FULL, p_setsig), -EPERM);
    CHECK_EQ(in_child(FULL, p_setfl_async), -EPERM);
    CHECK_EQ(in_child(FULL, p_tiocsti), -EPERM);
    CHECK_EQ(in_child(FULL, p_fioasync), -EPERM);
    CHECK_EQ(in_child(FULL, p_tcgets), -ENOTTY);
    CHECK_EQ(in_child(FULL, p_socket), -EPERM);
    CHECK_EQ(in_child(FULL, p_kill_parent), -EPERM);
    CHECK_EQ(in_child(FULL, p_kill_all), -EPERM);
    CHECK_EQ(in_child(FULL, p_tgkill_parent), -EPERM);
    CHECK_EQ(in_child(FULL, p_fork), -EPERM);
    CHECK_EQ(in_child(FULL, p_openat), -EPERM);
    CHECK_EQ(in_child(FULL, p_mmap_exec), -EPERM);
    CHECK_EQ(in_child(FULL, p_mmap_shared), -EPERM);
    CHECK_EQ(in_child(FULL, p_mprotect_exec), -EPERM);
    CHECK_EQ(in_child(FULL, p_notification_pipe), -EPERM);
    /* the one path form of newfstatat glibc uses for fstat, misused */
    CHECK_EQ(in_child(FULL, p_stat_path_empty_flag), -EPERM);
    CHECK_EQ(in_child(FULL, p_stat_path), -EPERM);
}

static long recv_on(int fd)
{
    char buf[8];
    struct iovec iov = {buf, sizeof buf};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    return sc(syscall(SYS_recvmsg, fd, &m, MSG_DONTWAIT));
}
static long p_recvmsg_line(void) { return recv_on(line_fd); }
static long p_recvmsg_other(void) { return recv_on(other_fd); }
static long p_send_plain(void) { return sc(syscall(SYS_sendto, other_fd, "x", 1, MSG_NOSIGNAL, NULL, 0)); }
static long p_sendto_addr(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(0x7F000001)};
    return sc(syscall(SYS_sendto, udp_fd, "x", 1, 0, &a, sizeof a));
}
/* an address whose low half is zero: the filter must look at both */
static long p_sendto_high_addr(void) { return sc(syscall(SYS_sendto, udp_fd, "x", 1, 0, (void *)(1UL << 32), 16)); }
static long p_recvfrom(void)
{
    char buf[8];
    return sc(syscall(SYS_recvfrom, other_fd, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL));
}

/* The network line (contract/netmsg.h): recvmsg only there, so sockets
 * come only from the supervisor; sendto only as send(), so no datagram
 * leaves for an address the supervisor did not connect. */
static void test_network_line(void)
{
    int a[2], b[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, a) < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, b) < 0) abort();
    udp_fd = socket(AF_INET, SOCK_DGRAM, 0);
    line_fd = a[0];
    other_fd = b[0];
    if (write(a[1], "answer", 6) != 6 || write(b[1], "stray", 5) != 5) abort();
    CHECK_EQ(in_child(FULL, p_recvmsg_line), 6);
    CHECK_EQ(in_child(FULL, p_recvmsg_other), -EPERM);
    CHECK_EQ(in_child(FULL, p_send_plain), 1);
    CHECK_EQ(in_child(FULL, p_sendto_addr), -EPERM);
    CHECK_EQ(in_child(FULL, p_sendto_high_addr), -EPERM);
    CHECK_EQ(in_child(FULL, p_recvfrom), 5);
    line_fd = -1;                  /* no line: no recvmsg at all */
    CHECK_EQ(in_child(FULL, p_recvmsg_line), -EPERM);
    close(a[0]), close(a[1]), close(b[0]), close(b[1]), close(udp_fd);
    other_fd = udp_fd = -1;
}

/* Why newfstatat traps instead of being allowed with AT_EMPTY_PATH:
 * Landlock governs opening, not stat, so with Landlock alone a host path's
 * metadata is visible while opening it is refused. */
static void test_landlock_alone_does_not_stop_stat(void)
{
    CHECK_EQ(in_child(LANDLOCK_ONLY, p_openat), -EACCES);
    CHECK_EQ(in_child(LANDLOCK_ONLY, p_stat_path_empty_flag), 0);
    CHECK_EQ(in_child(LANDLOCK_ONLY, p_stat_path), 0);
}

/* ---- what the VM needs still works -------------------------------------- */

static long p_pipe_io(void)
{
    int fds[2];
    if (syscall(SYS_pipe2, fds, O_CLOEXEC) < 0) return -errno;
    if (syscall(SYS_write, fds[1], "ab", 2) != 2) return -1001;
    struct pollfd pf = {fds[0], POLLIN, 0};
    if (syscall(SYS_poll, &pf, 1, 1000) != 1) return -1002;
    char b[2];
    if (syscall(SYS_read, fds[0], b, 2) != 2 || b[0] != 'a') return -1003;
    return 0;
}
static long p_fstat(void)
{
    struct stat st;             /* glibc: newfstatat(fd, "", AT_EMPTY_PATH) */
    if (fstat(probe_fd, &st) < 0) return -errno;
    return S_ISFIFO(st.st_mode) ? 0 : -1004;
}
static long p_sleep(void)
{
    struct timespec ts = {0, 1000000};
    return sc(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL));
}
static long p_getrandom(void)
{
    char b[8];
    return sc(syscall(SYS_getrandom, b, sizeof b, 0));
}
static long p_dup_cloexec(void) { return sc(syscall(SYS_fcntl, probe_fd, F_DUPFD_CLOEXEC, 0)) >= 0 ? 0 : -1; }

static void test_needed_calls_work(void)
{
    CHECK_EQ(in_child(FULL, p_pipe_io), 0);
    CHECK_EQ(in_child(FULL, p_fstat), 0);
    CHECK_EQ(in_child(FULL, p_sleep), 0);
    CHECK_EQ(in_child(FULL, p_getrandom), 8);
    CHECK_EQ(in_child(FULL, p_kill_self), 0);
    CHECK_EQ(in_child(FULL, p_mmap_private), 0);
    CHECK_EQ(in_child(FULL, p_setfl_nonblock), 0);
    CHECK_EQ(in_child(FULL, p_getfl), O_RDONLY);
    CHECK_EQ(in_child(FULL, p_dup_cloexec), 0);
}

/* ---- capabilities ------------------------------------------------------- */

static long p_caps(void)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) < 0) return -errno;
    for (int i = 0; i < 2; i++)
        if (d[i].effective || d[i].permitted || d[i].inheritable) return -1005;
    /* the bounding set is dropped only by root (CAP_SETPCAP) */
    if (geteuid() == 0)
        for (int c = 0; c < 64; c++) {
            int r = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
            if (r < 0) break;
            if (r == 1) return -1006;
        }
    for (int c = 0; c < 64; c++) {
        int r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0);
        if (r < 0) break;
        if (r == 1) return -1007;
    }
    return 0;
}

static void test_capabilities_are_dropped(void)
{
    CHECK_EQ(in_child(CAPS_ONLY, p_caps), 0);
}

/* A call off the list is reported by number on the report fd (the VM's
 * serial output) and as an event record on the event pipe, then the
 * process dies of SIGSYS as a kill would. */
static void test_refused_call_is_reported(void)
{
    int out[2], ev[2];
    if (pipe(out) < 0 || pipe(ev) < 0) abort();
    pid_t pid = fork();
    if (pid == 0) {
        close(out[0]);
        close(ev[0]);
        vb_sandbox_report_fds(out[1], ev[1]);
        if (vb_sandbox_kernel_enter() != 0) _exit(2);
        syscall(SYS_memfd_create, "x", 0);
        _exit(0);                      /* not reached */
    }
    close(out[1]);
    close(ev[1]);
    char buf[128] = "";
    ssize_t n = read(out[0], buf, sizeof buf - 1);
    close(out[0]);
    vb_hw_event rec;
    memset(&rec, 0, sizeof rec);
    ssize_t m = read(ev[0], &rec, sizeof rec);
    close(ev[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    char want[64];
    snprintf(want, sizeof want, "\r\nvboard: the sandbox refused system call %d\r\n", (int)SYS_memfd_create);
    CHECK(n > 0 && strcmp(buf, want) == 0);
    CHECK_EQ(m, (ssize_t)sizeof rec);
    CHECK_EQ(rec.kind, VB_EV_SANDBOX_REFUSED);
    CHECK_EQ(rec.value, SYS_memfd_create);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
}

int main(void)
{
#if defined(__x86_64__)
    if (syscall(SYS_landlock_create_ruleset, NULL, 0, 1 /* VERSION */) < 1) {
        fprintf(stderr, "test_sandbox_filter: no Landlock on this kernel; the filter tests run without it\n");
    }
    RUN(test_denied_families_are_killed);
    /* The sanitizer runtime makes syscalls of its own (its shadow memory,
     * its reports) that the VM's allow-list rightly refuses: under it a
     * child can only show what is killed, not what gets through. The
     * plain build runs these. */
#if defined(__SANITIZE_ADDRESS__)
    const bool sanitized = true;
#else
    const bool sanitized = false;
#endif
    if (sanitized)
        fprintf(stderr, "skip test_denied_forms_answer_eperm, test_needed_calls_work: "
                        "the sanitizer runtime's own syscalls are not the VM's\n");
    else
        RUN(test_denied_forms_answer_eperm);
    if (syscall(SYS_landlock_create_ruleset, NULL, 0, 1) >= 1) RUN(test_landlock_alone_does_not_stop_stat);
    if (!sanitized) RUN(test_needed_calls_work);
    if (!sanitized) RUN(test_network_line);
    RUN(test_capabilities_are_dropped);
    RUN(test_refused_call_is_reported);
#else
    fprintf(stderr, "test_sandbox_filter: x86_64 only\n");
#endif
    return CHECK_DONE();
}
