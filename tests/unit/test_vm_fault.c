/* The VM's stack-overflow report (src/firmware/vm_fault.c): a child that
 * recurses without end says ESP-IDF's line on its report fd and dies of
 * SIGSEGV; a child that faults elsewhere, or is sent SIGSEGV, dies the
 * same way, silently. */
#include "check.h"
#include "firmware/vm_fault.h"

#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

static const char overflow_line[] =
    "\r\n***ERROR*** A stack overflow in task mp_task has been detected.\r\n";

/* Not tail-call-optimisable: the volatile buffer lives across the call. */
static unsigned recurse(unsigned n)
{
    volatile char pad[256];
    pad[0] = (char)n;
    if (n > (1u << 30)) return n;   /* never: the stack ends long before */
    return recurse(n + 1) + (unsigned)pad[0];
}

static void wild_write(void)
{
    volatile uintptr_t bad = 16;
    *(volatile int *)bad = 1;
}

/* Run `fault` in a child with the handler on a pipe; the child's words
 * into out (NUL-terminated), its wait status returned. */
static int run_child(void (*fault)(void), char *out, size_t outlen)
{
    int fds[2];
    if (pipe(fds) < 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        if (vb_vm_fault_init(fds[1]) < 0) _exit(3);
        fault();
        _exit(4);
    }
    close(fds[1]);
    size_t got = 0;
    ssize_t n;
    while (got + 1 < outlen && (n = read(fds[0], out + got, outlen - 1 - got)) > 0) got += (size_t)n;
    out[got] = '\0';
    close(fds[0]);
    int ws = 0;
    waitpid(pid, &ws, 0);
    return ws;
}

static void overflow_recursion(void) { (void)recurse(0); }

static void sent_segv(void) { kill(getpid(), SIGSEGV); }

static void test_overflow_is_named(void)
{
    char out[256];
    int ws = run_child(overflow_recursion, out, sizeof out);
    CHECK(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGSEGV);
    CHECK_STR(out, overflow_line);
}

static void test_other_fault_is_not(void)
{
    char out[256];
    int ws = run_child(wild_write, out, sizeof out);
    CHECK(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGSEGV);
    CHECK_STR(out, "");
}

/* A SIGSEGV sent by someone (the supervisor's tests do) still kills. */
static void test_sent_signal_kills(void)
{
    char out[256];
    int ws = run_child(sent_segv, out, sizeof out);
    CHECK(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGSEGV);
    CHECK_STR(out, "");
}

int main(void)
{
    RUN(test_overflow_is_named);
    RUN(test_other_fault_is_not);
    RUN(test_sent_signal_kills);
    return CHECK_DONE();
}
