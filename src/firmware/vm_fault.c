/* A C stack overflow in the VM, told as ESP-IDF tells it (issue 11).
 *
 * The engine counts the recursions it knows of (engine_guard*.c) and raises
 * RuntimeError, as MicroPython does. Any C path left uncounted overflows
 * the stack: the kernel sends SIGSEGV for an address just below the stack
 * pointer. That is the one fault this handler explains; every SIGSEGV
 * still kills the VM, since no state after it can be trusted. */
#include "vm_fault.h"

#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ucontext.h>
#include <unistd.h>

/* A fault this close to the stack pointer is the stack running out. */
#define NEAR_SP_BYTES (64u * 1024u)

/* Set once before device code runs (the VM is single-threaded then); read
 * by the handler, which can take no argument. */
static int fault_fd = -1;

/* The handler cannot run on the stack that overflowed. Static: a VM has
 * one main thread, and this memory must exist before any fault. */
static unsigned char alt_stack[64 * 1024];

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    uintptr_t addr = (uintptr_t)si->si_addr;
    uintptr_t sp = (uintptr_t)((ucontext_t *)ctx)->uc_mcontext.gregs[REG_RSP];
    uintptr_t dist = addr > sp ? addr - sp : sp - addr;
    if (si->si_code > 0 /* a fault, not a signal someone sent */ && dist < NEAR_SP_BYTES) {
        static const char msg[] =
            "\r\n***ERROR*** A stack overflow in task mp_task has been detected.\r\n";
        if (fault_fd >= 0 && write(fault_fd, msg, sizeof msg - 1) < 0) { /* dying anyway */ }
    }
    /* SA_RESETHAND restored the default action; the signal, blocked in
     * here, is delivered as we return and the VM dies of it (also when it
     * was sent, when nothing would fault again). */
    raise(SIGSEGV);
}

int vb_vm_fault_init(int fd)
{
    fault_fd = fd;
    stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) < 0) return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGSEGV, &sa, NULL);
}
