/* The kernel layers of the VM sandbox (sandbox.h): capabilities, Landlock
 * and the seccomp allow-list. Plain C without Python, so that
 * tests/unit/test_sandbox_filter.c installs exactly what the VM installs
 * and then makes raw syscalls, which device code could do too (CPython is
 * not a boundary: code objects with bad operands reach arbitrary C). */
#ifndef VB_FIRMWARE_SANDBOX_KERNEL_H
#define VB_FIRMWARE_SANDBOX_KERNEL_H

/* Drop every capability: bounding set (needs CAP_SETPCAP, i.e. root),
 * securebits locked (root only), ambient, inheritable, permitted and
 * effective. Best effort for the parts an unprivileged process cannot
 * change (it holds nothing to drop there); 0, or -1 if the process still
 * has an effective, permitted or inheritable capability afterwards. */
int vb_sandbox_drop_caps(void);

/* Landlock deny-all (every filesystem right handled with no rule, TCP
 * denied, signals and abstract sockets scoped when the kernel knows how).
 * Returns the ABI applied, 0 without Landlock. Needs no_new_privs or
 * CAP_SYS_ADMIN. */
int vb_sandbox_landlock(void);

/* Where a refused system call is reported before the VM dies of SIGSYS:
 * "vboard: the sandbox refused system call N" on the serial output
 * `tx_fd`, and a VB_EV_SANDBOX_REFUSED record (contract/hwevent.h) on the
 * event pipe `ev_fd`, so the supervisor can trace and count it. -1 (the
 * default): not reported there. */
void vb_sandbox_report_fds(int tx_fd, int ev_fd);

/* The network line (contract/netmsg.h), the one descriptor recvmsg may
 * read, so sockets arrive only from the supervisor; -1 (the default): no
 * recvmsg at all. Set before vb_sandbox_seccomp. */
void vb_sandbox_net_fd(int fd);

/* Install the SIGSYS handler and the seccomp allow-list
 * (sandbox_kernel.c "the table"). Needs no_new_privs. 0, or -1 when the
 * filter could not be installed (also on architectures other than
 * x86_64, for which there is no table). */
int vb_sandbox_seccomp(void);

/* The zygote's environment, emptied before Python starts: every string
 * zeroed in place (they sit in the process's initial stack, which
 * /proc/PID/environ and any memory read by device code would show), then
 * clearenv(). The supervisor, a separate process, keeps its own. */
void vb_sandbox_clear_env(void);

/* All of it in the VM's order: capabilities, no_new_privs, Landlock,
 * seccomp. 0, or -1 if seccomp is not in force (the caller must not run
 * device code then). */
int vb_sandbox_kernel_enter(void);

#endif
