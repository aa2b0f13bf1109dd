/* Engine tests: the real CPython engine over a fake HAL that records the
 * serial output, so every check is on exact bytes (repl.md §1, §2.4, §7). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "repl/repl.h"

/* ---- fake board ---------------------------------------------------------- */

typedef struct fake_board {
    char tx[65536];
    size_t tx_len;
    const char *rx;         /* input bytes; exhausted = end of input */
    size_t rx_len, rx_pos;
    int64_t tick_base_us;   /* host time of "boot" */
    int64_t tick_offset_us; /* added to board time: wrap-around tests */
    int64_t rtc_s;
    uint32_t rtc_us;
    int reset_cause;
    bool after_soft;
    int executing;          /* last set_executing value */
    int executing_calls;
    int intr_char;
} fake_board;

/* The fake board of this test process (one engine per process, as on
 * the device). */
static fake_board fb;

static void f_tx(void *ctx, const void *buf, size_t n)
{
    fake_board *b = ctx;
    if (n > sizeof b->tx - b->tx_len) n = sizeof b->tx - b->tx_len;
    memcpy(b->tx + b->tx_len, buf, n);
    b->tx_len += n;
}

static int f_rx(void *ctx, void *buf, size_t n, int timeout_ms)
{
    fake_board *b = ctx;
    (void)timeout_ms;
    size_t left = b->rx_len - b->rx_pos;
    if (n > left) n = left;
    memcpy(buf, b->rx + b->rx_pos, n);
    b->rx_pos += n;
    return (int)n;
}

static size_t f_rx_available(void *ctx)
{
    fake_board *b = ctx;
    return b->rx_len - b->rx_pos;
}

static void f_set_executing(void *ctx, bool on)
{
    fake_board *b = ctx;
    b->executing = on;
    b->executing_calls++;
}

static void f_set_intr_char(void *ctx, int c) { ((fake_board *)ctx)->intr_char = c; }

static uint64_t f_ticks_us(void *ctx)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    fake_board *b = ctx;
    return (uint64_t)((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 - b->tick_base_us +
                      b->tick_offset_us);
}

static void f_rtc_get(void *ctx, int64_t *s, uint32_t *us)
{
    *s = ((fake_board *)ctx)->rtc_s;
    *us = ((fake_board *)ctx)->rtc_us;
}

static void f_rtc_set(void *ctx, int64_t s, uint32_t us)
{
    ((fake_board *)ctx)->rtc_s = s;
    ((fake_board *)ctx)->rtc_us = us;
}

static int f_reset_cause(void *ctx) { return ((fake_board *)ctx)->reset_cause; }
static bool f_after_soft(void *ctx) { return ((fake_board *)ctx)->after_soft; }

static void f_exit_vm(void *ctx, vb_vm_exit why, uint32_t arg)
{
    (void)ctx, (void)arg;
    _exit((int)why);
}

static const vb_hal fake_hal = {
    &fb, f_tx, f_rx, f_rx_available, f_set_executing, f_set_intr_char, f_ticks_us,
    f_rtc_get, f_rtc_set, f_reset_cause, f_after_soft, f_exit_vm,
};

/* ---- harness --------------------------------------------------------------- */

static int passed, failed;

static void show_bytes(const char *label, const char *p, size_t n)
{
    fprintf(stderr, "    %s b'", label);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\r') fputs("\\r", stderr);
        else if (c == '\n') fputs("\\n", stderr);
        else if (c == '\'' || c == '\\') fprintf(stderr, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f) fprintf(stderr, "\\x%02x", c);
        else fputc(c, stderr);
    }
    fputs("'\n", stderr);
}

static void check(bool ok, const char *name)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "FAIL %s\n", name);
    }
}

static const char *mode_name(vb_exec_mode m)
{
    return m == VB_EXEC_SINGLE ? "single" : m == VB_EXEC_MODULE ? "module" : "display";
}

/* Runs src, prints the report if any, and compares the whole serial output. */
static void expect(const char *name, vb_exec_mode mode, const char *src, vb_exec_outcome want,
                   const char *want_out)
{
    fb.tx_len = 0;
    vb_exec_outcome got = vb_engine_exec(src, strlen(src), "<stdin>", mode);
    if (got == VB_EXEC_EXCEPTION) vb_engine_print_exception();
    bool ok = got == want && fb.tx_len == strlen(want_out) && memcmp(fb.tx, want_out, fb.tx_len) == 0;
    check(ok, name);
    if (!ok) {
        fprintf(stderr, "    mode %s outcome %d (want %d)\n", mode_name(mode), got, want);
        show_bytes("got ", fb.tx, fb.tx_len);
        show_bytes("want", want_out, strlen(want_out));
    }
}

#define TB "Traceback (most recent call last):\r\n"
#define AT(n) "  File \"<stdin>\", line " #n ", in <module>\r\n"

/* ---- tests ------------------------------------------------------------------- */

static void test_output(void)
{
    expect("print cooked", VB_EXEC_MODULE, "print('hi')\nprint('a\\nb')", VB_EXEC_OK,
           "hi\r\na\r\nb\r\n");
    expect("stdout.write blind cooking", VB_EXEC_MODULE,
           "import sys\nsys.stdout.write('x\\r\\ny\\rz')", VB_EXEC_OK, "x\r\r\ny\rz");
    expect("stderr shares the line", VB_EXEC_MODULE,
           "import sys\nprint(1)\nsys.stderr.write('e\\n')\nprint(2)", VB_EXEC_OK,
           "1\r\ne\r\n2\r\n");
    expect("stdout.buffer raw, 2-arg write", VB_EXEC_MODULE,
           "import sys\nsys.stdout.buffer.write(b'a\\nbc', 2)\nsys.stdout.buffer.write(b'\\n')",
           VB_EXEC_OK, "a\n\n");
    expect("print returns write count", VB_EXEC_MODULE,
           "import sys\nn = sys.stdout.write('\\u00e9\\n')\nprint(n)", VB_EXEC_OK,
           "\xc3\xa9\r\n2\r\n");
}

static void test_display(void)
{
    expect("single 1+1", VB_EXEC_SINGLE, "1+1", VB_EXEC_OK, "2\r\n");
    expect("single None hidden", VB_EXEC_SINGLE, "None", VB_EXEC_OK, "");
    expect("single repr", VB_EXEC_SINGLE, "'a'", VB_EXEC_OK, "'a'\r\n");
    expect("single assignment", VB_EXEC_SINGLE, "y = 7", VB_EXEC_OK, "");
    expect("single no _", VB_EXEC_MODULE, "import builtins\nprint(hasattr(builtins, '_'))",
           VB_EXEC_OK, "False\r\n");
    expect("single compound", VB_EXEC_SINGLE, "for i in range(2):\n    print(i)", VB_EXEC_OK,
           "0\r\n1\r\n");
    expect("paste displays top level", VB_EXEC_MODULE_DISPLAY, "x=5\nx*2\n", VB_EXEC_OK,
           "10\r\n");
    expect("paste with \\r line ends", VB_EXEC_MODULE_DISPLAY, "x = 5\rprint(x*2)\r'k'\r",
           VB_EXEC_OK, "10\r\n'k'\r\n");
    expect("paste None hidden, lines kept", VB_EXEC_MODULE_DISPLAY, "None\n3\n\n1/0\n",
           VB_EXEC_EXCEPTION, "3\r\n" TB AT(4) "ZeroDivisionError: division by zero\r\n");
    expect("paste empty", VB_EXEC_MODULE_DISPLAY, "\n\n", VB_EXEC_OK, "");
    expect("module shows nothing", VB_EXEC_MODULE, "3\n'x'\n", VB_EXEC_OK, "");
}

static void test_tracebacks(void)
{
    expect("1/0", VB_EXEC_SINGLE, "1/0", VB_EXEC_EXCEPTION,
           TB AT(1) "ZeroDivisionError: division by zero\r\n");
    expect("nested frames", VB_EXEC_MODULE,
           "def f():\n    g()\ndef g():\n    1/0\nf()\n", VB_EXEC_EXCEPTION,
           TB AT(5) "  File \"<stdin>\", line 2, in f\r\n  File \"<stdin>\", line 4, in g\r\n"
           "ZeroDivisionError: division by zero\r\n");
    expect("OSError(2)", VB_EXEC_SINGLE, "raise OSError(2)", VB_EXEC_EXCEPTION,
           TB AT(1) "OSError: [Errno 2] ENOENT\r\n");
    expect("FileNotFoundError(2,'x','y')", VB_EXEC_SINGLE, "raise FileNotFoundError(2, 'x', 'y')",
           VB_EXEC_EXCEPTION, TB AT(1) "OSError: [Errno 2] ENOENT\r\n");
    expect("OSError(2,'x')", VB_EXEC_SINGLE, "raise OSError(2, 'x')", VB_EXEC_EXCEPTION,
           TB AT(1) "OSError: [Errno 2] ENOENT: x\r\n");
    expect("OSError strerror text", VB_EXEC_SINGLE,
           "raise PermissionError(13, 'Permission denied')", VB_EXEC_EXCEPTION,
           TB AT(1) "OSError: [Errno 13] EACCES\r\n");
    expect("OSError unknown errno", VB_EXEC_SINGLE, "raise OSError(99999)", VB_EXEC_EXCEPTION,
           TB AT(1) "OSError: 99999\r\n");
    expect("KeyError str", VB_EXEC_SINGLE, "raise KeyError('a')", VB_EXEC_EXCEPTION,
           TB AT(1) "KeyError: a\r\n");
    expect("dict KeyError", VB_EXEC_SINGLE, "{}['k']", VB_EXEC_EXCEPTION,
           TB AT(1) "KeyError: k\r\n");
    expect("2 args repr", VB_EXEC_SINGLE, "raise ValueError('bad', 2)", VB_EXEC_EXCEPTION,
           TB AT(1) "ValueError: ('bad', 2)\r\n");
    expect("0 args keeps ': '", VB_EXEC_SINGLE, "raise ValueError", VB_EXEC_EXCEPTION,
           TB AT(1) "ValueError: \r\n");
    expect("no module prefix", VB_EXEC_MODULE,
           "class MyError(Exception):\n    pass\nraise MyError('m')\n", VB_EXEC_EXCEPTION,
           TB AT(3) "MyError: m\r\n");
    expect("syntax error pseudo-frame", VB_EXEC_SINGLE, "1+", VB_EXEC_EXCEPTION,
           TB "  File \"<stdin>\", line 1\r\nSyntaxError: invalid syntax\r\n");
    expect("syntax error line", VB_EXEC_MODULE, "x = 1\ny = 2 +\n", VB_EXEC_EXCEPTION,
           TB "  File \"<stdin>\", line 2\r\nSyntaxError: invalid syntax\r\n");
    expect("indentation error", VB_EXEC_MODULE, "x = 1\n  y = 2\n", VB_EXEC_EXCEPTION,
           TB "  File \"<stdin>\", line 2\r\nIndentationError: unexpected indent\r\n");
    expect("host stdlib frames hidden", VB_EXEC_MODULE, "import json\njson.loads('[')\n",
           VB_EXEC_EXCEPTION, TB AT(2) "JSONDecodeError: Expecting value: line 1 column 2 (char 1)\r\n");
    expect("no SyntaxWarning", VB_EXEC_MODULE, "x = 1\nprint(x is 1)\n", VB_EXEC_OK, "True\r\n");
    expect("no SyntaxWarning single", VB_EXEC_SINGLE, "x is 1", VB_EXEC_OK, "True\r\n");
    expect("chained shows only last", VB_EXEC_MODULE,
           "try:\n    1/0\nexcept Exception:\n    raise ValueError('v')\n", VB_EXEC_EXCEPTION,
           TB AT(4) "ValueError: v\r\n");
    expect("raise from shows only last", VB_EXEC_MODULE,
           "try:\n    {}[1]\nexcept KeyError as e:\n    raise TypeError('t') from e\n",
           VB_EXEC_EXCEPTION, TB AT(4) "TypeError: t\r\n");
    expect("SystemExit", VB_EXEC_MODULE, "print('a')\nimport sys\nsys.exit(3)\n",
           VB_EXEC_SYSTEM_EXIT, "a\r\n");
    expect("raise SystemExit", VB_EXEC_SINGLE, "raise SystemExit", VB_EXEC_SYSTEM_EXIT, "");
    expect("machine.soft_reset", VB_EXEC_MODULE, "import machine\nmachine.soft_reset()",
           VB_EXEC_SYSTEM_EXIT, "");
    fb.tx_len = 0;
    vb_exec_outcome o = vb_engine_exec("x\0y", 3, "<stdin>", VB_EXEC_MODULE);
    vb_engine_print_exception();
    static const char nul_report[] = "SyntaxError: source code cannot contain null bytes\r\n";
    check(o == VB_EXEC_EXCEPTION && fb.tx_len == sizeof nul_report - 1 &&
              memcmp(fb.tx, nul_report, fb.tx_len) == 0,
          "null byte in source");
    expect("print_exception StringIO", VB_EXEC_MODULE,
           "import io, sys\ns = io.StringIO()\ntry:\n    1/0\nexcept Exception as e:\n"
           "    sys.print_exception(e, s)\nprint(repr(s.getvalue()))\n",
           VB_EXEC_OK,
           "'Traceback (most recent call last):\\n  File \"<stdin>\", line 4, in <module>\\n"
           "ZeroDivisionError: division by zero\\n'\r\n");
    expect("print_exception unraised, stdout", VB_EXEC_MODULE,
           "import sys\nsys.print_exception(ValueError('x'))\n", VB_EXEC_OK, "ValueError: x\r\n");
    expect("print_exception OSError", VB_EXEC_MODULE,
           "import sys\nsys.print_exception(OSError(2))\n", VB_EXEC_OK,
           "OSError: [Errno 2] ENOENT\r\n");
}

/* ---- Ctrl-C -------------------------------------------------------------- */

static void *send_sigint(void *arg)
{
    struct timespec ts = {0, 200 * 1000000L};
    (void)arg;
    nanosleep(&ts, NULL);
    kill(getpid(), SIGINT);
    return NULL;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* want_alt: a second accepted report (CPython may charge a loop's
 * interrupt check to the loop header's line). */
static void interrupt(const char *name, const char *src, const char *want_out,
                      const char *want_alt)
{
    /* The sender blocks SIGINT so the kernel delivers it to this thread,
     * as the supervisor's kill() reaches the VM's one thread. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    pthread_t th;
    pthread_create(&th, NULL, send_sigint, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    double t0 = now_s();
    fb.tx_len = 0;
    vb_exec_outcome got = vb_engine_exec(src, strlen(src), "<stdin>", VB_EXEC_MODULE);
    double dt = now_s() - 0.2 - t0;
    vb_engine_print_exception();
    bool ok = got == VB_EXEC_EXCEPTION &&
              ((fb.tx_len == strlen(want_out) && memcmp(fb.tx, want_out, fb.tx_len) == 0) ||
               (want_alt && fb.tx_len == strlen(want_alt) && memcmp(fb.tx, want_alt, fb.tx_len) == 0));
    check(ok, name);
    if (!ok) show_bytes("got ", fb.tx, fb.tx_len);
    pthread_join(th, NULL);
    check(dt < 2.0, "interrupt within bound");
    fprintf(stderr, "  %s: interrupted %.1f ms after SIGINT\n", name, dt * 1000);
}

static void test_interrupt(void)
{
    interrupt("Ctrl-C busy loop", "while True:\n    pass\n",
              TB AT(2) "KeyboardInterrupt: \r\n", TB AT(1) "KeyboardInterrupt: \r\n");
    interrupt("Ctrl-C time.sleep", "import time\ntime.sleep(10)\n",
              TB AT(2) "KeyboardInterrupt: \r\n", NULL);
    interrupt("Ctrl-C sleep_ms in function", "import time\ndef f():\n    time.sleep_ms(10000)\nf()\n",
              TB AT(4) "  File \"<stdin>\", line 3, in f\r\nKeyboardInterrupt: \r\n", NULL);
    check(fb.executing == 0, "disarmed after exec");
    expect("next unit runs normally", VB_EXEC_SINGLE, "1", VB_EXEC_OK, "1\r\n");
}

/* ---- modules -------------------------------------------------------------- */

static void test_time(void)
{
    expect("ticks_diff/add wrap", VB_EXEC_MODULE,
           "import time\nP = 2**30\n"
           "print(time.ticks_diff(1, P - 1), time.ticks_diff(P - 1, 1), time.ticks_add(P - 1, 2),\n"
           "      time.ticks_diff(time.ticks_add(5, -10), 5), time.ticks_diff(P // 2, 0))\n",
           VB_EXEC_OK, "2 -2 1 -10 -536870912\r\n");
    expect("ticks_add overflow", VB_EXEC_SINGLE, "import time; time.ticks_add(0, 2**29)",
           VB_EXEC_EXCEPTION, TB AT(1) "OverflowError: ticks interval overflow\r\n");
    fb.tick_offset_us = 0; /* ticks_ms 5 ms before the wrap: */
    fb.tick_offset_us = (int64_t)((1u << 30) - 5) * 1000 - (int64_t)f_ticks_us(&fb);
    expect("ticks_ms wraps", VB_EXEC_MODULE,
           "import time\na = time.ticks_ms()\ntime.sleep_ms(20)\nb = time.ticks_ms()\n"
           "print(b < a, 15 <= time.ticks_diff(b, a) < 1000, a < 2**30)\n",
           VB_EXEC_OK, "True True True\r\n");
    fb.tick_offset_us = 0;
    expect("localtime(0)", VB_EXEC_SINGLE, "import time; time.localtime(0) == (2000,1,1,0,0,0,5,1)",
           VB_EXEC_OK, "True\r\n");
    expect("localtime/mktime", VB_EXEC_MODULE,
           "import time\nprint(time.localtime(-1))\nprint(time.localtime(86400 * 366 + 3661))\n"
           "print(time.mktime(time.localtime(123456789)) == 123456789)\n"
           "print(time.mktime((2000, 13, 1, 0, 0, 0, 0, 0)) == time.mktime((2001, 1, 1, 0, 0, 0, 0, 0)))\n",
           VB_EXEC_OK,
           "(1999, 12, 31, 23, 59, 59, 4, 365)\r\n(2001, 1, 1, 1, 1, 1, 0, 1)\r\nTrue\r\nTrue\r\n");
    fb.rtc_s = 1000;
    fb.rtc_us = 250000;
    expect("time() from RTC", VB_EXEC_MODULE,
           "import time\nprint(time.time(), time.time_ns(), time.localtime()[3:6])\n", VB_EXEC_OK,
           "1000 1000250000000 (0, 16, 40)\r\n");
    expect("utime alias, sys.modules", VB_EXEC_MODULE,
           "import time, utime, sys\nprint(time is utime, sys.modules['time'] is time, hasattr(time, 'perf_counter'))\n",
           VB_EXEC_OK, "True True False\r\n");
    double t0 = now_s();
    expect("sleep_ms duration", VB_EXEC_MODULE, "import time\ntime.sleep_ms(50)\ntime.sleep_us(-5)\n",
           VB_EXEC_OK, "");
    double dt = now_s() - t0;
    check(dt >= 0.05 && dt < 1.0, "sleep_ms(50) sleeps 50 ms");
}

static void test_machine(void)
{
    fb.reset_cause = 2;
    fb.after_soft = false;
    expect("reset_cause hard", VB_EXEC_MODULE,
           "import machine\nprint(machine.reset_cause(), machine.HARD_RESET, machine.PWRON_RESET,\n"
           "      machine.WDT_RESET, machine.DEEPSLEEP_RESET, machine.SOFT_RESET)\n",
           VB_EXEC_OK, "2 2 1 3 4 5\r\n");
    fb.after_soft = true;
    expect("reset_cause soft", VB_EXEC_SINGLE, "import machine; machine.reset_cause()", VB_EXEC_OK,
           "5\r\n");
    expect("no BROWN_OUT on generic", VB_EXEC_SINGLE, "import machine; hasattr(machine, 'BROWN_OUT_RESET')",
           VB_EXEC_OK, "False\r\n");
    expect("unique_id, freq", VB_EXEC_MODULE,
           "import machine\nprint(machine.unique_id(), machine.freq())\nmachine.freq(80000000)\n"
           "print(machine.freq())\nmachine.idle()\n",
           VB_EXEC_OK, "b'\\xde\\xad\\xbe\\xef' 160000000\r\n80000000\r\n");
    fb.rtc_s = 0;
    fb.rtc_us = 0;
    expect("RTC datetime", VB_EXEC_MODULE,
           "import machine\nr = machine.RTC()\nprint(r.datetime())\n"
           "r.datetime((2024, 2, 29, 3, 12, 34, 56, 789))\nprint(r.datetime())\n",
           VB_EXEC_OK,
           "(2000, 1, 1, 5, 0, 0, 0, 0)\r\n(2024, 2, 29, 3, 12, 34, 56, 789)\r\n");
    check(fb.rtc_s == 762525296 && fb.rtc_us == 789, "RTC set reaches the HAL");
}

static void test_sys_micropython(void)
{
    expect("sys.platform, implementation", VB_EXEC_MODULE,
           "import sys\nprint(sys.platform, sys.implementation.name, sys.implementation.version,\n"
           "      hasattr(sys.implementation, '_mpy'), hasattr(sys.implementation, '_build'))\n",
           VB_EXEC_OK, "vboard micropython (1, 24, 1, '') False False\r\n");
    expect("micropython const/opt_level", VB_EXEC_MODULE,
           "import micropython\nX = micropython.const(5)\nmicropython.opt_level(2)\n"
           "print(X, micropython.opt_level())\n",
           VB_EXEC_OK, "5 2\r\n");
    expect("micropython.schedule", VB_EXEC_MODULE,
           "import micropython\nl = []\nmicropython.schedule(l.append, 1)\n"
           "for i in range(1000):\n    pass\nprint(l)\n",
           VB_EXEC_OK, "[1]\r\n");
    fb.intr_char = 3;
    expect("kbd_intr", VB_EXEC_MODULE, "import micropython\nmicropython.kbd_intr(-1)\n", VB_EXEC_OK,
           "");
    check(fb.intr_char == 3, "kbd_intr restored at end of unit");
    expect("gc.mem_free/alloc", VB_EXEC_MODULE,
           "import gc\nprint(gc.mem_free() >= 0, gc.mem_alloc() >= 0)\n", VB_EXEC_OK,
           "True True\r\n");
    fb.tx_len = 0;
    const char *src = "import micropython\nmicropython.mem_info()\n";
    vb_exec_outcome o = vb_engine_exec(src, strlen(src), "<stdin>", VB_EXEC_MODULE);
    fb.tx[fb.tx_len < sizeof fb.tx ? fb.tx_len : sizeof fb.tx - 1] = 0;
    check(o == VB_EXEC_OK && strncmp(fb.tx, "stack: ", 7) == 0 &&
              strstr(fb.tx, "\r\nGC: total: 112640, used: ") != NULL,
          "mem_info prints");
}

/* Every exec/report path run 1000 times must not grow the heap. */
static void test_no_leaks(void)
{
    static const char *const units[] = {
        "raise OSError(2, 'x')", "1/0", "1+", "raise ValueError('a', 2)", "{}['k']",
        "import sys; sys.exit()", "[1, 2]", "import sys; sys.print_exception(KeyError(1), sys.stdout)",
    };
    const char *mark = "import sys, gc; gc.collect(); _blocks = sys.getallocatedblocks()";
    for (int round = 0; round < 2; round++) {
        if (round == 1) vb_engine_exec(mark, strlen(mark), "<stdin>", VB_EXEC_MODULE);
        for (int i = 0; i < 1000; i++) {
            for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
                fb.tx_len = 0;
                vb_engine_exec(units[u], strlen(units[u]), "<stdin>",
                               u % 2 ? VB_EXEC_SINGLE : VB_EXEC_MODULE_DISPLAY);
                vb_engine_print_exception();
            }
        }
    }
    /* A leak on any path would add at least 1000 blocks; caches and
     * cycles awaiting the collector stay well below that. */
    expect("no growth over 8000 units", VB_EXEC_MODULE,
           "gc.collect()\nprint(sys.getallocatedblocks() - _blocks < 1000)",
           VB_EXEC_OK, "True\r\n");
}

static void test_stdin(void)
{
    const char in[] = "ab\rcd\nxyz\xc3\xa9q";
    fb.rx = in;
    fb.rx_len = sizeof in - 1;
    fb.rx_pos = 0;
    expect("stdin text and raw", VB_EXEC_MODULE,
           "import sys\nprint(repr(sys.stdin.readline()))\nprint(sys.stdin.buffer.read(2))\n"
           "b = bytearray(4)\nprint(sys.stdin.buffer.readinto(b, 2), b)\nprint(repr(sys.stdin.read(2)))\n"
           "print(repr(sys.stdin.read()))\n",
           VB_EXEC_OK,
           "'ab\\n'\r\nb'cd'\r\n2 bytearray(b'\\nx\\x00\\x00')\r\n'yz'\r\n'\xc3\xa9q'\r\n");
    fb.rx_len = 0;
}

/* ---- Tab completion, input(), select.poll ---------------------------------- */

static char rout[4096];
static size_t rout_len;

static void r_write(void *ctx, const uint8_t *buf, size_t n)
{
    (void)ctx;
    if (n > sizeof rout - rout_len) n = sizeof rout - rout_len;
    memcpy(rout + rout_len, buf, n);
    rout_len += n;
}

/* Types `keys` into a fresh friendly REPL wired to vb_engine_complete and
 * compares what the REPL wrote after the banner. */
static void tab(const char *name, const char *keys, const char *want)
{
    vb_repl_config cfg = {.write = r_write, .complete = vb_engine_complete};
    vb_repl *r = vb_repl_new(&cfg);
    vb_repl_start(r);
    rout_len = 0;
    for (const char *k = keys; *k; k++) vb_repl_feed(r, (uint8_t)*k);
    vb_repl_free(r);
    bool ok = rout_len == strlen(want) && memcmp(rout, want, rout_len) == 0;
    check(ok, name);
    if (!ok) {
        show_bytes("got ", rout, rout_len);
        show_bytes("want", want, strlen(want));
    }
}

static void test_complete(void)
{
    expect("completion setup", VB_EXEC_MODULE,
           "import json\nzz_value = 1\nclass Bad:\n    def __dir__(self):\n        raise ValueError\n"
           "    def __getattr__(self, n):\n        raise RuntimeError\nbad = Bad()\n",
           VB_EXEC_OK, "");
    tab("globals unique", "zz_\t", "zz_value");
    tab("attribute common prefix", "json.du\t", "json.dump");
    tab("attribute listing", "json.dump\t",
        "json.dump\r\ndump            dumps\r\n>>> json.dump");
    tab("builtins not searched", "pri\t", "pri");
    tab("unresolved object", "nosuch.x\t", "nosuch.x");
    tab("raising __dir__ swallowed", "bad.x\t", "bad.x");
    tab("raising __getattr__ swallowed", "bad.q.x\t", "bad.q.x");
    tab("import context", "import s\t",
        "import s\r\nselect          struct          sys\r\n>>> import s");
    tab("import board module", "import mach\t", "import machine");
    tab("host modules hidden", "import pos\t", "import pos");
    tab("private names hidden", "import _\t", "import _");
    tab("prefix of import", "imp\t", "import ");
}

static fake_board *hook_board;
static char hook_prompt[64];
static int hook_result;

static int fake_hook(void *ctx, const char *prompt, size_t plen, const char **line, size_t *len)
{
    hook_board = ctx;
    snprintf(hook_prompt, sizeof hook_prompt, "%.*s", (int)plen, prompt);
    *line = "h\xc3\xa9llo";
    *len = 6;
    return hook_result;
}

static void test_input(void)
{
    const char keys[] = "bo\x7f\x01x\r";
    fb.rx = keys;
    fb.rx_len = sizeof keys - 1;
    fb.rx_pos = 0;
    expect("input() built-in editor", VB_EXEC_MODULE,
           "x = input('name? ')\nprint(repr(x))\n", VB_EXEC_OK,
           "name? bo\x08\x1b[Kx\r\n'bx'\r\n");
    fb.rx = "\x04";
    fb.rx_len = 1;
    fb.rx_pos = 0;
    expect("input() Ctrl-D: EOFError", VB_EXEC_SINGLE, "input()", VB_EXEC_EXCEPTION,
           TB AT(1) "EOFError: \r\n");
    fb.rx = "ab\x03";
    fb.rx_len = 3;
    fb.rx_pos = 0;
    expect("input() Ctrl-C byte: KeyboardInterrupt", VB_EXEC_SINGLE, "input(5)",
           VB_EXEC_EXCEPTION, "5ab" TB AT(1) "KeyboardInterrupt: \r\n");
    fb.rx_len = 0;

    vb_engine_set_input_hook(fake_hook, &fb);
    hook_result = VB_ENGINE_INPUT_LINE;
    expect("input() via hook", VB_EXEC_SINGLE, "input('a\\nb> ')", VB_EXEC_OK,
           "a\r\nb> 'h\xc3\xa9llo'\r\n");
    check(hook_board == &fb && strcmp(hook_prompt, "b> ") == 0, "hook gets ctx and last prompt line");
    hook_result = VB_ENGINE_INPUT_INTERRUPT;
    expect("hook interrupt", VB_EXEC_SINGLE, "input()", VB_EXEC_EXCEPTION,
           TB AT(1) "KeyboardInterrupt: \r\n");
    hook_result = VB_ENGINE_INPUT_EOF;
    expect("hook EOF", VB_EXEC_SINGLE, "input()", VB_EXEC_EXCEPTION, TB AT(1) "EOFError: \r\n");
    vb_engine_set_input_hook(NULL, NULL);
}

static void test_poll(void)
{
    fb.rx_len = fb.rx_pos = 0;
    expect("poll setup", VB_EXEC_MODULE,
           "import select, sys\np = select.poll()\np.register(sys.stdin.buffer, select.POLLIN)\n"
           "print(select.POLLIN, select.POLLOUT, select.POLLERR, select.POLLHUP, hasattr(select, 'select'))\n",
           VB_EXEC_OK, "1 4 8 16 False\r\n");
    expect("poll(0) idle", VB_EXEC_SINGLE, "p.poll(0)", VB_EXEC_OK, "[]\r\n");
    double t0 = now_s();
    expect("poll(60) times out", VB_EXEC_SINGLE, "p.poll(60)", VB_EXEC_OK, "[]\r\n");
    double dt = now_s() - t0;
    check(dt >= 0.06 && dt < 1.0, "poll(60) waits 60 ms");
    fb.rx = "z";
    fb.rx_len = 1;
    expect("poll sees queued byte", VB_EXEC_SINGLE,
           "p.poll(1000) == [(sys.stdin.buffer, select.POLLIN)]", VB_EXEC_OK, "True\r\n");
    expect("ipoll iterates", VB_EXEC_SINGLE, "[e for o, e in p.ipoll(0)]", VB_EXEC_OK, "[1]\r\n");
    expect("ipoll one-shot", VB_EXEC_SINGLE,
           "(len(list(p.ipoll(0, 1))), len(list(p.ipoll(0))))", VB_EXEC_OK, "(1, 0)\r\n");
    expect("modify, text stdin, stdout", VB_EXEC_MODULE,
           "p.modify(sys.stdin.buffer, select.POLLIN)\np.register(sys.stdin)\np.register(sys.stdout)\n"
           "print(sorted(e for o, e in p.poll(0)))\np.unregister(sys.stdin)\np.unregister(sys.stdout)\n"
           "p.unregister(sys.stdout)\nprint(sys.stdin.buffer.read(1), p.poll(0))\n",
           VB_EXEC_OK, "[1, 1, 4]\r\nb'z' []\r\n");
    expect("ioctl objects", VB_EXEC_MODULE,
           "class S:\n    def ioctl(self, req, arg):\n        return arg & select.POLLOUT if req == 3 else -1\n"
           "s = S()\nq = select.poll()\nq.register(s, select.POLLOUT)\nprint(q.poll(0) == [(s, 4)])\n",
           VB_EXEC_OK, "True\r\n");
    expect("not pollable", VB_EXEC_SINGLE, "p.register(5)", VB_EXEC_EXCEPTION,
           TB AT(1) "TypeError: stream operation not supported\r\n");
    expect("modify unknown", VB_EXEC_SINGLE, "select.poll().modify(sys.stdin, 1)", VB_EXEC_EXCEPTION,
           TB AT(1) "OSError: [Errno 2] ENOENT\r\n");
    fb.rx_len = fb.rx_pos = 0;
    interrupt("Ctrl-C in poll()", "import select, sys\np = select.poll()\np.register(sys.stdin.buffer)\np.poll()\n",
              TB AT(4) "KeyboardInterrupt: \r\n", NULL);
}

/* ---- processes ---------------------------------------------------------------- */

static int wait_status(pid_t pid)
{
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_fork(void)
{
    pid_t pid = vb_engine_fork();
    if (pid == 0) {
        const char *src = "import machine\nmachine.reset()\n";
        vb_engine_exec(src, strlen(src), "main.py", VB_EXEC_MODULE);
        _exit(1);
    }
    check(pid > 0 && wait_status(pid) == VB_VM_EXIT_HARD_RESET, "machine.reset exits HARD_RESET");

    /* random is reseeded in each VM. */
    int fds[2];
    if (pipe(fds) < 0) return;
    char vals[2][64] = {{0}};
    for (int i = 0; i < 2; i++) {
        pid = vb_engine_fork();
        if (pid == 0) {
            fb.tx_len = 0;
            const char *src = "import random\nprint(random.getrandbits(32))";
            vb_engine_exec(src, strlen(src), "<stdin>", VB_EXEC_MODULE);
            if (write(fds[1], fb.tx, fb.tx_len) < 0) _exit(2);
            _exit(0);
        }
        wait_status(pid);
        ssize_t n = read(fds[0], vals[i], sizeof vals[i] - 1);
        if (n < 0) n = 0;
    }
    close(fds[0]);
    close(fds[1]);
    check(vals[0][0] && strcmp(vals[0], vals[1]) != 0, "random reseeded per fork");

    pid = vb_engine_fork();
    if (pid == 0) {
        const char *src = "import machine\nmachine.deepsleep(500)\n";
        vb_engine_exec(src, strlen(src), "main.py", VB_EXEC_MODULE);
        _exit(1);
    }
    check(wait_status(pid) == VB_VM_EXIT_DEEPSLEEP, "machine.deepsleep exits DEEPSLEEP");
}

/* The address-space cap cannot coexist with ASan's shadow memory. */
#if defined(__SANITIZE_ADDRESS__)
#define AS_LIMIT 0
#else
#define AS_LIMIT ((size_t)256 << 20)
#endif

/* Run before this process starts its own engine: the pycom profile in a
 * child with its own interpreter. Returns the child's failure count. */
static int test_pycom_profile(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        /* An inherited "ignore SIGINT" must not disable Ctrl-C. */
        signal(SIGINT, SIG_IGN);
        vb_engine_config cfg = {.hal = &fake_hal, .machine_consts = vb_machine_consts_pycom,
                                .vm_as_limit = AS_LIMIT};
        char err[200];
        if (vb_engine_init(&cfg, err, sizeof err) < 0) {
            fprintf(stderr, "%s\n", err);
            _exit(100);
        }
        passed = failed = 0;
        fb.reset_cause = 0;
        fb.after_soft = false;
        expect("pycom constants", VB_EXEC_MODULE,
               "import machine\nprint(machine.reset_cause(), machine.PWRON_RESET, machine.HARD_RESET,\n"
               "      machine.WDT_RESET, machine.DEEPSLEEP_RESET, machine.SOFT_RESET,\n"
               "      machine.BROWN_OUT_RESET)\n",
               VB_EXEC_OK, "0 0 1 2 3 4 5\r\n");
        fb.after_soft = true;
        expect("pycom soft", VB_EXEC_SINGLE, "import machine; machine.reset_cause()", VB_EXEC_OK,
               "4\r\n");
        interrupt("Ctrl-C despite inherited SIG_IGN", "while True:\n    pass\n",
                  TB AT(2) "KeyboardInterrupt: \r\n", TB AT(1) "KeyboardInterrupt: \r\n");
        if (AS_LIMIT) {
            pid_t vm = vb_engine_fork();
            if (vm == 0) {
                passed = failed = 0;
                expect("MemoryError under the VM cap", VB_EXEC_SINGLE, "b = bytearray(600 * 2**20)",
                       VB_EXEC_EXCEPTION, TB AT(1) "MemoryError: \r\n");
                expect("VM keeps running", VB_EXEC_SINGLE, "len(bytearray(2**20))", VB_EXEC_OK,
                       "1048576\r\n");
                _exit(failed);
            }
            check(wait_status(vm) == 0, "VM address-space cap (grandchild)");
        }
        fprintf(stderr, "  pycom child: %d passed, %d failed\n", passed, failed);
        _exit(failed);
    }
    int st = wait_status(pid);
    check(st == 0, "pycom profile (child)");
    return st;
}

int main(void)
{
    setvbuf(stderr, NULL, _IONBF, 0);
    fb.tick_base_us = (int64_t)f_ticks_us(&fb);
    test_pycom_profile();

    static const uint8_t uid[] = {0xde, 0xad, 0xbe, 0xef};
    vb_engine_config cfg = {
        .hal = &fake_hal, .unique_id = uid, .unique_id_len = sizeof uid,
    };
    char err[200];
    fb.intr_char = 3;
    if (vb_engine_init(&cfg, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    check(fb.tx_len == 0, "init prints nothing");
    test_output();
    test_display();
    test_tracebacks();
    test_interrupt();
    test_time();
    test_machine();
    test_sys_micropython();
    test_stdin();
    test_complete();
    test_input();
    test_poll();
    test_no_leaks();
    vb_engine_zygote_ready();
    test_fork();

    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
