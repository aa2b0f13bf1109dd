/* Engine tests: the real CPython engine over a fake HAL that records the
 * serial output, so every check is on exact bytes (repl.md §1, §2.4, §7). */
#include <Python.h>

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

#include "board/profile.h"
#include "engine/engine.h"
#include "repl/repl.h"

/* ---- fake board ---------------------------------------------------------- */

/* One pin as contract/pins.h models it: the firmware's driver, the host's
 * drive, the pull; edges latched while armed. */
typedef struct fake_pin {
    vb_pin_mode mode;
    vb_pin_pull pull;
    int latch;
    int ext;                /* host drive: -1 floating, 0 low, 1 high */
    unsigned irq_arm;
} fake_pin;

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
    /* pins: the sender thread drives them while Python runs */
    pthread_mutex_t pin_lock;
    fake_pin pins[VB_PINS_MAX];
    uint64_t pending[2];    /* latched edges: bit 2*gpio rising, +1 falling */
    int irq_takes;
    uint32_t wdt_timeout;
    int wdt_starts, wdt_feeds;
    uint8_t rtc_mem[VB_RTC_MEMORY_MAX];
    size_t rtc_mem_len;
    vb_wake_reason wake;
    uint64_t wake_gpios;
    uint32_t wake_left_ms;
    uint64_t wake_mask;     /* last wake_pins_set */
    int wake_level, wake_sets;
    uint32_t led;
    /* Pycom: heartbeat, config block, otadata record, one OTA slot */
    int heartbeat, heartbeat_on_boot;
    int fs_type;
    struct {
        uint32_t active, status, prev, size, safeboot;
    } otadata;
    int bm_sets, bm_part, bm_fs, bm_safe; /* bootmgr_set calls, last arguments */
    int bm_fail;                          /* bootmgr_set returns this when < 0 */
    uint8_t ota[64];                      /* the slot: 64 bytes, so -EFBIG is reachable */
    size_t ota_len;
    int ota_state;                        /* 0 idle, 1 started, 2 finished */
    int ota_err;                          /* last error an OTA call returned */
    /* exit_vm: _exit, or (exit_returns) record and return as a test HAL may */
    bool exit_returns;
    int exit_calls;
    vb_vm_exit exit_why;
} fake_board;

/* The fake board of this test process (one engine per process, as on
 * the device). */
static fake_board fb = {.pin_lock = PTHREAD_MUTEX_INITIALIZER};
/* Where f_exit_vm reports its argument (a forked VM's parent reads it). */
static int exit_arg_fd = -1;
/* The thread running Python: host drives signal it, as the supervisor
 * signals the VM. */
static pthread_t main_thread;

static size_t f_tx(void *ctx, const void *buf, size_t n)
{
    fake_board *b = ctx;
    size_t all = n;
    if (n > sizeof b->tx - b->tx_len) n = sizeof b->tx - b->tx_len;
    memcpy(b->tx + b->tx_len, buf, n);
    b->tx_len += n;
    return all;                        /* a full capture drops the rest, as before */
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
    fake_board *b = ctx;
    if (b->exit_returns) {
        b->exit_calls++;
        b->exit_why = why;
        return;
    }
    if (exit_arg_fd >= 0 && write(exit_arg_fd, &arg, sizeof arg) < 0) _exit(99);
    _exit((int)why);
}

/* The level rule of contract/pins.h: a push-pull output wins, an open drain
 * pulls low, then the host's drive, then the pull; floating reads 0. */
static int pin_level(const fake_pin *p)
{
    if (p->mode == VB_PIN_MODE_OUT) return p->latch;
    if (p->mode == VB_PIN_MODE_OPEN_DRAIN && p->latch == 0) return 0;
    if (p->ext >= 0) return p->ext;
    if (p->pull != VB_PIN_PULL_NONE) return p->pull == VB_PIN_PULL_UP;
    return 0;
}

/* Latches the edge before -> after on gpio if armed for it (lock held). */
static bool latch_edge(fake_board *b, unsigned gpio, int before, int after)
{
    if (before == after || !(b->pins[gpio].irq_arm & (after ? VB_PIN_IRQ_RISING : VB_PIN_IRQ_FALLING)))
        return false;
    unsigned bit = 2 * gpio + (after ? 0 : 1);
    b->pending[bit / 64] |= (uint64_t)1 << (bit % 64);
    return true;
}

static void f_pin_config(void *ctx, unsigned gpio, vb_pin_mode mode, vb_pin_pull pull)
{
    fake_board *b = ctx;
    pthread_mutex_lock(&b->pin_lock);
    int before = pin_level(&b->pins[gpio]);
    b->pins[gpio].mode = mode;
    b->pins[gpio].pull = pull;
    latch_edge(b, gpio, before, pin_level(&b->pins[gpio]));
    pthread_mutex_unlock(&b->pin_lock);
}

static void f_pin_write(void *ctx, unsigned gpio, int value)
{
    fake_board *b = ctx;
    pthread_mutex_lock(&b->pin_lock);
    int before = pin_level(&b->pins[gpio]);
    b->pins[gpio].latch = value;
    latch_edge(b, gpio, before, pin_level(&b->pins[gpio]));
    pthread_mutex_unlock(&b->pin_lock);
}

static int f_pin_read(void *ctx, unsigned gpio)
{
    fake_board *b = ctx;
    pthread_mutex_lock(&b->pin_lock);
    int v = pin_level(&b->pins[gpio]);
    pthread_mutex_unlock(&b->pin_lock);
    return v;
}

static void f_pin_state(void *ctx, unsigned gpio, vb_pin_mode *mode, vb_pin_pull *pull, int *latch)
{
    fake_board *b = ctx;
    pthread_mutex_lock(&b->pin_lock);
    *mode = b->pins[gpio].mode;
    *pull = b->pins[gpio].pull;
    *latch = b->pins[gpio].latch;
    pthread_mutex_unlock(&b->pin_lock);
}

static void f_pin_irq_arm(void *ctx, unsigned gpio, unsigned triggers)
{
    fake_board *b = ctx;
    pthread_mutex_lock(&b->pin_lock);
    b->pins[gpio].irq_arm = triggers;
    pthread_mutex_unlock(&b->pin_lock);
}

static void f_pin_irq_take(void *ctx, uint64_t pending[2])
{
    fake_board *b = ctx;
    pthread_mutex_lock(&b->pin_lock);
    pending[0] = b->pending[0];
    pending[1] = b->pending[1];
    b->pending[0] = b->pending[1] = 0;
    b->irq_takes++;
    pthread_mutex_unlock(&b->pin_lock);
}

/* The host drives gpio (-1 releases it); a latched edge interrupts the VM
 * with SIGUSR1 as the supervisor does. */
static void host_drive(unsigned gpio, int ext)
{
    pthread_mutex_lock(&fb.pin_lock);
    int before = pin_level(&fb.pins[gpio]);
    fb.pins[gpio].ext = ext;
    bool latched = latch_edge(&fb, gpio, before, pin_level(&fb.pins[gpio]));
    pthread_mutex_unlock(&fb.pin_lock);
    if (latched) pthread_kill(main_thread, SIGUSR1);
}

static void f_wdt_start(void *ctx, uint32_t ms)
{
    ((fake_board *)ctx)->wdt_timeout = ms;
    ((fake_board *)ctx)->wdt_starts++;
}

static void f_wdt_feed(void *ctx) { ((fake_board *)ctx)->wdt_feeds++; }
static void f_led_set(void *ctx, uint32_t rgb) { ((fake_board *)ctx)->led = rgb; }
static uint32_t f_led_get(void *ctx) { return ((fake_board *)ctx)->led; }

static size_t f_rtc_memory_read(void *ctx, uint8_t *buf, size_t cap)
{
    fake_board *b = ctx;
    size_t n = b->rtc_mem_len < cap ? b->rtc_mem_len : cap;
    memcpy(buf, b->rtc_mem, n);
    return n;
}

static void f_rtc_memory_write(void *ctx, const uint8_t *buf, size_t n)
{
    fake_board *b = ctx;
    if (n > sizeof b->rtc_mem) n = sizeof b->rtc_mem;
    memcpy(b->rtc_mem, buf, n);
    b->rtc_mem_len = n;
}

static void f_wake_info(void *ctx, vb_wake_reason *why, uint64_t *mask, uint32_t *left)
{
    fake_board *b = ctx;
    *why = b->wake;
    *mask = b->wake_gpios;
    *left = b->wake_left_ms;
}

static void f_wake_pins_set(void *ctx, uint64_t mask, int level)
{
    fake_board *b = ctx;
    b->wake_mask = mask;
    b->wake_level = level;
    b->wake_sets++;
}

static int f_heartbeat(void *ctx, int on)
{
    fake_board *b = ctx;
    if (on >= 0) b->heartbeat = on;
    return b->heartbeat;
}

static int f_heartbeat_on_boot(void *ctx, int on)
{
    fake_board *b = ctx;
    if (on >= 0) b->heartbeat_on_boot = on;
    return b->heartbeat_on_boot;
}

/* Active 2 ("update 2") is the factory slot again (flash.md §2.1). */
static void f_bootmgr_get(void *ctx, vb_bootmgr_state *st)
{
    fake_board *b = ctx;
    st->boot_partition = b->otadata.active == 1 ? 1 : 0;
    st->fs_type = b->fs_type;
    st->safeboot = b->otadata.safeboot != 0;
    st->status = (int)b->otadata.status;
}

static int f_bootmgr_set(void *ctx, int part, int fs, int safe)
{
    fake_board *b = ctx;
    b->bm_sets++;
    b->bm_part = part;
    b->bm_fs = fs;
    b->bm_safe = safe;
    if (b->bm_fail < 0) return b->bm_fail;
    if (part >= 0) {
        b->otadata.prev = b->otadata.active;
        b->otadata.active = (uint32_t)part;
        b->otadata.status = 0; /* CHECK */
    }
    if (fs >= 0) b->fs_type = fs;
    if (safe >= 0) b->otadata.safeboot = safe ? 2 : 0;
    return 0;
}

static int f_ota_start(void *ctx)
{
    fake_board *b = ctx;
    b->ota_state = 1;
    b->ota_len = 0;
    b->otadata.size = 0;
    return 0;
}

static int f_ota_write(void *ctx, const void *buf, size_t n)
{
    fake_board *b = ctx;
    if (b->ota_state != 1) return b->ota_err = -EINVAL;
    if (n > sizeof b->ota - b->ota_len) return b->ota_err = -EFBIG;
    memcpy(b->ota + b->ota_len, buf, n);
    b->ota_len += n;
    b->otadata.size = (uint32_t)b->ota_len;
    return 0;
}

static int f_ota_finish(void *ctx)
{
    fake_board *b = ctx;
    if (b->ota_state != 1) return b->ota_err = -EINVAL;
    b->ota_state = 2;
    if (b->otadata.status != 0) {
        b->otadata.prev = b->otadata.active;
        b->otadata.active = b->otadata.active == 1 ? 2 : 1;
        b->otadata.status = 0;
    }
    return 0;
}

/* A valid image starts with "VBFW" here. */
static int f_ota_verify(void *ctx)
{
    fake_board *b = ctx;
    return b->ota_state && b->ota_len >= 4 && memcmp(b->ota, "VBFW", 4) == 0;
}

/* The slot the next OTA writes (flash.md §2.1). */
static uint32_t f_ota_slot(void *ctx)
{
    fake_board *b = ctx;
    if (b->otadata.status == 0) return b->otadata.active == 0 ? 0x10000 : 0x210000;
    return b->otadata.active == 0 ? 0x210000 : 0x10000;
}

static const vb_hal fake_hal = {
    .ctx = &fb, .tx = f_tx, .rx = f_rx, .rx_available = f_rx_available,
    .set_executing = f_set_executing, .set_intr_char = f_set_intr_char, .ticks_us = f_ticks_us,
    .rtc_get = f_rtc_get, .rtc_set = f_rtc_set, .reset_cause = f_reset_cause,
    .after_soft_reset = f_after_soft, .exit_vm = f_exit_vm,
    .pin_config = f_pin_config, .pin_write = f_pin_write, .pin_read = f_pin_read,
    .pin_state = f_pin_state, .pin_irq_arm = f_pin_irq_arm, .pin_irq_take = f_pin_irq_take,
    .wdt_start = f_wdt_start, .wdt_feed = f_wdt_feed, .led_set = f_led_set, .led_get = f_led_get,
    .rtc_memory_read = f_rtc_memory_read, .rtc_memory_write = f_rtc_memory_write,
    .wake_info = f_wake_info, .wake_pins_set = f_wake_pins_set,
    .heartbeat = f_heartbeat, .heartbeat_on_boot = f_heartbeat_on_boot,
    .bootmgr_get = f_bootmgr_get, .bootmgr_set = f_bootmgr_set, .ota_start = f_ota_start,
    .ota_write = f_ota_write, .ota_finish = f_ota_finish, .ota_verify = f_ota_verify,
    .ota_slot = f_ota_slot,
};

/* The firmware image's frozen modules (both profiles). */
static const char frz_boot_src[] = "print('boot ran', __name__)\nboot_var = 42\n";
static const char frz_err_src[] = "x = 1\nraise ValueError('frozen boom')\n";
static const vb_frozen_module frozen_mods[] = {
    {"_boot", frz_boot_src, sizeof frz_boot_src - 1},
    {"frz_a", "where = 'frozen-a'\n", 19},
    {"frz_b", "where = 'frozen-b'\n", 19},
    {"frz_c", "where = 'frozen-c'\n", 19},
    {"frz_err", frz_err_src, sizeof frz_err_src - 1},
    {"frz_exit", "import sys\nsys.exit()\n", 22},
};
#define N_FROZEN (sizeof frozen_mods / sizeof frozen_mods[0])

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
           VB_EXEC_EXCEPTION, "3\r\n" TB AT(4) "ZeroDivisionError: divide by zero\r\n");
    expect("paste empty", VB_EXEC_MODULE_DISPLAY, "\n\n", VB_EXEC_OK, "");
    expect("module shows nothing", VB_EXEC_MODULE, "3\n'x'\n", VB_EXEC_OK, "");
}

static void test_tracebacks(void)
{
    expect("1/0", VB_EXEC_SINGLE, "1/0", VB_EXEC_EXCEPTION,
           TB AT(1) "ZeroDivisionError: divide by zero\r\n");
    expect("nested frames", VB_EXEC_MODULE,
           "def f():\n    g()\ndef g():\n    1/0\nf()\n", VB_EXEC_EXCEPTION,
           TB AT(5) "  File \"<stdin>\", line 2, in f\r\n  File \"<stdin>\", line 4, in g\r\n"
           "ZeroDivisionError: divide by zero\r\n");
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
    expect("no inline assembler on esp32", VB_EXEC_MODULE,
           "x = 1\n@micropython.asm_xtensa\ndef f():\n    pass\n", VB_EXEC_EXCEPTION,
           TB "  File \"<stdin>\", line 2\r\nSyntaxError: invalid micropython decorator\r\n");
    expect("native, viper, const without import", VB_EXEC_MODULE,
           "X = const(2)\n@micropython.native\ndef f():\n    return 5\n"
           "@micropython.viper\ndef g(n: int) -> int:\n    return n + X\nprint(f(), g(1))\n",
           VB_EXEC_OK, "5 3\r\n");
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
           "ZeroDivisionError: divide by zero\\n'\r\n");
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

/* ---- pins, IRQs, Signal, WDT, sleep, RTC memory, wake-up ------------------- */

typedef struct drive_job {
    pthread_t th;
    unsigned gpio;
    int ext;
    int delay_ms;
} drive_job;

static void *drive_after(void *arg)
{
    drive_job *j = arg;
    struct timespec ts = {0, j->delay_ms * 1000000L};
    nanosleep(&ts, NULL);
    host_drive(j->gpio, j->ext);
    return NULL;
}

/* The host drives gpio to ext after delay_ms, from another thread, while
 * the next unit runs. */
static void drive_later(drive_job *j, unsigned gpio, int ext, int delay_ms)
{
    j->gpio = gpio;
    j->ext = ext;
    j->delay_ms = delay_ms;
    pthread_create(&j->th, NULL, drive_after, j);
}

static fake_pin pin_copy(unsigned gpio)
{
    pthread_mutex_lock(&fb.pin_lock);
    fake_pin p = fb.pins[gpio];
    pthread_mutex_unlock(&fb.pin_lock);
    return p;
}

#define VERR(msg) TB AT(1) "ValueError: " msg "\r\n"

static void test_pins(void)
{
    expect("Pin constants (esp32)", VB_EXEC_MODULE,
           "from machine import Pin\nprint(Pin.IN, Pin.OUT, Pin.OPEN_DRAIN, Pin.PULL_UP, Pin.PULL_DOWN,\n"
           "      Pin.IRQ_RISING, Pin.IRQ_FALLING, Pin.WAKE_LOW, Pin.WAKE_HIGH, Pin.DRIVE_3)\n",
           VB_EXEC_OK, "1 3 7 2 1 1 2 4 5 3\r\n");
    expect("Pin missing GPIO", VB_EXEC_SINGLE, "Pin(20)", VB_EXEC_EXCEPTION, VERR("invalid pin"));
    expect("Pin past the table", VB_EXEC_SINGLE, "Pin(40)", VB_EXEC_EXCEPTION, VERR("invalid pin"));
    expect("Pin by name refused", VB_EXEC_SINGLE, "Pin('GPIO5')", VB_EXEC_EXCEPTION,
           VERR("invalid pin"));
    expect("Pin OUT on input-only", VB_EXEC_SINGLE, "Pin(34, Pin.OUT)", VB_EXEC_EXCEPTION,
           VERR("pin can only be input"));
    check(pin_copy(34).mode == VB_PIN_MODE_UNSET, "refused mode leaves the pin alone");
    expect("Pin IN on input-only", VB_EXEC_SINGLE, "Pin(34, Pin.IN).value()", VB_EXEC_OK, "0\r\n");
    check(pin_copy(34).mode == VB_PIN_MODE_IN, "IN reaches the board");
    expect("Pin repr, one object per pin", VB_EXEC_SINGLE,
           "(Pin(12), Pin(12) is Pin(12), Pin(Pin(12)) is Pin(12), hasattr(Pin, 'board'))",
           VB_EXEC_OK, "(Pin(12), True, True, True)\r\n");

    expect("Pin OUT value=1", VB_EXEC_MODULE, "p = Pin(5, Pin.OUT, value=1)\nprint(p.value(), p())\n",
           VB_EXEC_OK, "1 1\r\n");
    fake_pin fp = pin_copy(5);
    check(fp.mode == VB_PIN_MODE_OUT && fp.latch == 1, "OUT and value= reach the board");
    expect("off/on/call/toggle", VB_EXEC_MODULE,
           "p.off()\na = p.value()\np.on()\nb = p()\np(0)\nc = p.value()\np.toggle()\n"
           "print(a, b, c, p.value())\n",
           VB_EXEC_OK, "0 1 0 1\r\n");
    check(pin_copy(5).latch == 1, "toggle writes the latch");
    expect("Pin(id) alone keeps the pin", VB_EXEC_MODULE, "Pin(5)\nprint(Pin(5).value())\n",
           VB_EXEC_OK, "1\r\n");
    check(pin_copy(5).mode == VB_PIN_MODE_OUT, "Pin(id) did not reconfigure");

    expect("pull decides a floating input", VB_EXEC_MODULE,
           "q = Pin(4, Pin.IN, Pin.PULL_UP)\nprint(q.value())\nq.init(pull=Pin.PULL_DOWN)\n"
           "print(q.value())\n",
           VB_EXEC_OK, "1\r\n0\r\n");
    fp = pin_copy(4);
    check(fp.mode == VB_PIN_MODE_IN && fp.pull == VB_PIN_PULL_DOWN, "init(pull=) keeps the mode");
    expect("pull=None: floating reads 0", VB_EXEC_SINGLE, "q.init(pull=None); q.value()", VB_EXEC_OK,
           "0\r\n");
    check(pin_copy(4).pull == VB_PIN_PULL_NONE, "pull=None reaches the board");
    host_drive(4, 1);
    expect("input reads the host's drive", VB_EXEC_SINGLE, "q.value()", VB_EXEC_OK, "1\r\n");
    expect("output wins over the host", VB_EXEC_MODULE, "q.init(Pin.OUT, value=0)\nprint(q.value())\n",
           VB_EXEC_OK, "0\r\n");
    host_drive(4, -1);

    expect("open drain", VB_EXEC_MODULE,
           "d = Pin(13, Pin.OPEN_DRAIN, Pin.PULL_UP, value=0)\na = d.value()\nd(1)\nprint(a, d.value())\n",
           VB_EXEC_OK, "0 1\r\n");
    check(pin_copy(13).mode == VB_PIN_MODE_OPEN_DRAIN, "OPEN_DRAIN reaches the board");
    host_drive(13, 0);
    expect("open drain released: the host pulls low", VB_EXEC_SINGLE, "d.value()", VB_EXEC_OK, "0\r\n");
    host_drive(13, -1);
}

static void test_pin_irq(void)
{
    expect("irq() arms", VB_EXEC_MODULE,
           "import time\nhits = []\nb = Pin(14, Pin.IN)\n"
           "irq = b.irq(lambda p: hits.append(p), Pin.IRQ_RISING)\nprint(irq, irq.trigger())\n",
           VB_EXEC_OK, "<IRQ> 1\r\n");
    check(pin_copy(14).irq_arm == VB_PIN_IRQ_RISING, "rising edge armed at the board");
    host_drive(14, 1); /* SIGUSR1 between units */
    expect("handler called with the pin", VB_EXEC_SINGLE, "(len(hits), hits[0] is b)", VB_EXEC_OK,
           "(1, True)\r\n");
    host_drive(14, 0);
    expect("edge not armed: no call", VB_EXEC_SINGLE, "len(hits)", VB_EXEC_OK, "1\r\n");

    drive_job j;
    drive_later(&j, 14, 1, 100);
    expect("handler runs during sleep_ms", VB_EXEC_MODULE,
           "t0 = time.ticks_ms()\nat = []\n"
           "b.irq(lambda p: at.append(time.ticks_diff(time.ticks_ms(), t0)), Pin.IRQ_RISING)\n"
           "time.sleep_ms(500)\nprint(len(at), 50 <= at[0] < 350)\n",
           VB_EXEC_OK, "1 True\r\n");
    pthread_join(j.th, NULL);
    host_drive(14, 0);
    drive_later(&j, 14, 1, 100);
    expect("handler runs in a busy loop", VB_EXEC_MODULE,
           "at.clear()\nt0 = time.ticks_ms()\n"
           "while not at and time.ticks_diff(time.ticks_ms(), t0) < 3000:\n    pass\n"
           "print(len(at), at[0] < 1000)\n",
           VB_EXEC_OK, "1 True\r\n");
    pthread_join(j.th, NULL);

    expect("irq(None) disarms", VB_EXEC_SINGLE, "b.irq(None).trigger()", VB_EXEC_OK, "0\r\n");
    check(pin_copy(14).irq_arm == 0, "disarmed at the board");
    host_drive(14, 0);
    host_drive(14, 1);
    expect("disarmed: no call", VB_EXEC_SINGLE, "len(at)", VB_EXEC_OK, "1\r\n");
    check(fb.pending[0] == 0 && fb.pending[1] == 0, "nothing latched while disarmed");

    drive_later(&j, 14, 0, 100);
    expect("handler exception printed, program goes on", VB_EXEC_MODULE,
           "def cb(p):\n    1/0\nb.irq(cb, Pin.IRQ_FALLING)\ntime.sleep_ms(300)\nprint('after')\n",
           VB_EXEC_OK,
           TB "  File \"<stdin>\", line 2, in cb\r\nZeroDivisionError: divide by zero\r\nafter\r\n");
    pthread_join(j.th, NULL);

    expect("the VM's own write fires the irq", VB_EXEC_MODULE,
           "seen = []\no = Pin(15, Pin.OUT, value=0)\n"
           "o.irq(lambda p: seen.append(p.value()), Pin.IRQ_RISING)\no.value(1)\nx = 1\nprint(seen)\n",
           VB_EXEC_OK, "[1]\r\n");
    expect("calling the IRQ object runs the handler", VB_EXEC_MODULE,
           "seen.clear()\no.irq()()\nx = 1\nprint(seen)\n", VB_EXEC_OK, "[1]\r\n");
    /* A Ctrl-C while a handler runs reaches the main code (MicroPython
     * raises it there): it must not be printed and dropped as a handler's
     * own exception is. */
    interrupt("Ctrl-C in an IRQ handler",
              "def spin(p):\n    while True:\n        pass\no.irq(spin)\no.irq()()\nwhile True:\n    pass\n",
              TB AT(5) "  File \"<stdin>\", line 2, in spin\r\nKeyboardInterrupt: \r\n",
              TB AT(5) "  File \"<stdin>\", line 3, in spin\r\nKeyboardInterrupt: \r\n");
    expect("irq default trigger", VB_EXEC_MODULE,
           "print(o.irq(lambda p: None).trigger())\no.irq(None)\nb.irq(None)\n", VB_EXEC_OK,
           "3\r\n");
    check(pin_copy(15).irq_arm == 0 && pin_copy(14).irq_arm == 0, "all disarmed");

    /* Nothing armed (as in the zygote): a signal leaves the latches alone. */
    pthread_mutex_lock(&fb.pin_lock);
    fb.pending[0] = (uint64_t)1 << 28;
    int takes = fb.irq_takes;
    pthread_mutex_unlock(&fb.pin_lock);
    raise(SIGUSR1);
    int rc = vb_engine_service_events();
    check(rc == 0 && fb.pending[0] == (uint64_t)1 << 28 && fb.irq_takes == takes,
          "nothing armed: latches left for their owner");
    fb.pending[0] = 0;

    expect("arm for the idle REPL", VB_EXEC_MODULE,
           "led = Pin(18, Pin.OUT, value=0)\nb.irq(lambda p: led.value(1), Pin.IRQ_RISING)\n",
           VB_EXEC_OK, "");
    host_drive(14, 0);
    host_drive(14, 1);
    fb.tx_len = 0;
    rc = vb_engine_service_events();
    check(rc == 0 && pin_copy(18).latch == 1 && fb.tx_len == 0, "service_events runs a pin handler");
    expect("a raising handler", VB_EXEC_MODULE, "b.irq(lambda p: {}['k'], Pin.IRQ_FALLING)\n",
           VB_EXEC_OK, "");
    fb.tx_len = 0;
    host_drive(14, 0);
    rc = vb_engine_service_events();
    static const char kerr[] = TB "  File \"<stdin>\", line 1, in <lambda>\r\nKeyError: k\r\n";
    check(rc == 0 && fb.tx_len == sizeof kerr - 1 && memcmp(fb.tx, kerr, fb.tx_len) == 0,
          "service_events prints a handler's exception");
    if (fb.tx_len != sizeof kerr - 1) show_bytes("got ", fb.tx, fb.tx_len);
    raise(SIGINT);
    check(vb_engine_service_events() == -1, "service_events reports a Ctrl-C");
    check(vb_engine_service_events() == 0, "... and drops it");
    expect("runs normally after", VB_EXEC_SINGLE, "b.irq(None) and 1", VB_EXEC_OK, "1\r\n");
}

static void test_signal_wdt(void)
{
    expect("Signal invert", VB_EXEC_MODULE,
           "from machine import Signal\ns = Signal(Pin(16, Pin.OUT), invert=True)\ns.on()\n"
           "a = Pin(16).value()\nb2 = s.value()\ns.off()\nprint(a, b2, Pin(16).value(), s(), s)\n",
           VB_EXEC_OK, "0 1 1 0 <Signal>\r\n");
    check(pin_copy(16).latch == 1, "inverted off() drives high");
    expect("Signal from an id", VB_EXEC_MODULE,
           "s2 = Signal(17, Pin.OUT, invert=True)\ns2.value(1)\nprint(Pin(17).value(), s2.value())\n",
           VB_EXEC_OK, "0 1\r\n");
    fake_pin fp = pin_copy(17);
    check(fp.mode == VB_PIN_MODE_OUT && fp.latch == 0, "Signal made the Pin with its arguments");
    expect("Signal plain", VB_EXEC_MODULE, "s3 = Signal(Pin(16))\ns3(1)\nprint(s3(), Pin(16)())\n",
           VB_EXEC_OK, "1 1\r\n");
    expect("Signal(pin, extra)", VB_EXEC_SINGLE, "Signal(Pin(16), 1)", VB_EXEC_EXCEPTION,
           TB AT(1) "TypeError: \r\n");

    fb.wdt_starts = fb.wdt_feeds = 0;
    expect("WDT start and feed", VB_EXEC_MODULE,
           "from machine import WDT\nw = WDT(timeout=2000)\nw.feed()\nw.feed()\n"
           "print(w, hasattr(w, 'deinit'))\n",
           VB_EXEC_OK, "<WDT> False\r\n");
    check(fb.wdt_starts == 1 && fb.wdt_timeout == 2000 && fb.wdt_feeds == 2,
          "WDT start and feeds reach the board");
    expect("a second WDT sets a new timeout", VB_EXEC_MODULE, "w2 = WDT(0, 7000)\n", VB_EXEC_OK, "");
    check(fb.wdt_starts == 2 && fb.wdt_timeout == 7000, "new timeout at the board");
    expect("WDT default 5 s", VB_EXEC_MODULE, "w3 = WDT()\n", VB_EXEC_OK, "");
    check(fb.wdt_timeout == 5000, "default timeout 5000");
    expect("WDT timeout 0", VB_EXEC_SINGLE, "WDT(timeout=0)", VB_EXEC_EXCEPTION,
           VERR("WDT timeout too short"));
    expect("WDT id 1", VB_EXEC_SINGLE, "WDT(1)", VB_EXEC_EXCEPTION, TB AT(1) "ValueError: \r\n");
    check(fb.wdt_starts == 3 && fb.wdt_timeout == 5000, "refused WDTs start nothing");
}

static void test_sleep_rtc_wake(void)
{
    double t0 = now_s();
    expect("lightsleep(100)", VB_EXEC_MODULE,
           "import machine\nprint(machine.lightsleep(100), machine.sleep(1))\n", VB_EXEC_OK,
           "None None\r\n");
    double dt = now_s() - t0;
    check(dt >= 0.1 && dt < 1.0, "lightsleep(100) waits 100 ms");
    host_drive(14, 0);
    drive_job j;
    drive_later(&j, 14, 1, 100);
    t0 = now_s();
    expect("lightsleep() until an IRQ", VB_EXEC_MODULE,
           "b.irq(lambda p: None, Pin.IRQ_RISING)\nmachine.lightsleep()\n", VB_EXEC_OK, "");
    dt = now_s() - t0;
    pthread_join(j.th, NULL);
    check(dt >= 0.09 && dt < 0.6, "lightsleep() ends at the IRQ");
    t0 = now_s();
    expect("lightsleep() capped", VB_EXEC_MODULE, "b.irq(None)\nmachine.lightsleep()\n", VB_EXEC_OK,
           "");
    dt = now_s() - t0;
    check(dt >= 0.95 && dt < 2.0, "lightsleep() without events lasts 1 s");
    interrupt("Ctrl-C in lightsleep", "import machine\nmachine.lightsleep(10000)\n",
              TB AT(2) "KeyboardInterrupt: \r\n", NULL);

    expect("RTC.memory round trip", VB_EXEC_MODULE,
           "r = machine.RTC()\nr.memory(b'abc')\nprint(r.memory())\nr.memory(bytes(2048))\n"
           "print(len(r.memory()))\n",
           VB_EXEC_OK, "b'abc'\r\n2048\r\n");
    check(fb.rtc_mem_len == 2048, "RTC memory written at the board");
    memcpy(fb.rtc_mem, "xyz", 3);
    fb.rtc_mem_len = 3;
    expect("RTC.memory reads the board", VB_EXEC_SINGLE, "r.memory()", VB_EXEC_OK, "b'xyz'\r\n");
    expect("RTC.memory size limit", VB_EXEC_SINGLE, "r.memory(bytes(2049))", VB_EXEC_EXCEPTION,
           VERR("buffer too long"));
    check(fb.rtc_mem_len == 3, "refused write leaves the memory");

    fb.wake = VB_WAKE_PWRON;
    expect("wake_reason power-on (esp32)", VB_EXEC_MODULE,
           "print(machine.wake_reason(), machine.PIN_WAKE, machine.EXT0_WAKE, machine.EXT1_WAKE,\n"
           "      machine.TIMER_WAKE, machine.TOUCHPAD_WAKE, machine.ULP_WAKE)\n",
           VB_EXEC_OK, "0 2 2 3 4 5 6\r\n");
    fb.wake = VB_WAKE_RTC;
    expect("wake_reason timer", VB_EXEC_SINGLE, "machine.wake_reason()", VB_EXEC_OK, "4\r\n");
    fb.wake = VB_WAKE_PIN;
    expect("wake_reason pin", VB_EXEC_SINGLE, "machine.wake_reason()", VB_EXEC_OK, "2\r\n");
    fb.wake = VB_WAKE_PWRON;

    expect("esp32.wake_on_ext1", VB_EXEC_MODULE,
           "import esp32\nesp32.wake_on_ext1([Pin(4), 12], esp32.WAKEUP_ANY_HIGH)\n"
           "print(esp32.WAKEUP_ALL_LOW, esp32.WAKEUP_ANY_HIGH)\n",
           VB_EXEC_OK, "False True\r\n");
    check(fb.wake_mask == ((1u << 4) | (1u << 12)) && fb.wake_level == 1, "ext1 pins at the board");
    expect("esp32.wake_on_ext0 non-RTC pin", VB_EXEC_SINGLE, "esp32.wake_on_ext0(Pin(5), 0)",
           VB_EXEC_EXCEPTION, VERR("invalid pin"));
    expect("esp32.wake_on_ext0", VB_EXEC_SINGLE, "esp32.wake_on_ext0(25, 1)", VB_EXEC_OK, "");
    check(fb.wake_mask == ((1u << 4) | (1u << 12) | (1u << 25)), "ext0 merged with ext1");
    expect("esp32.wake_on_ext1([])", VB_EXEC_SINGLE, "esp32.wake_on_ext1([], 0)", VB_EXEC_OK, "");
    check(fb.wake_mask == (1u << 25) && fb.wake_level == 1, "ext0 alone, its level");
}

static void test_sys_micropython(void)
{
    expect("sys.platform, implementation", VB_EXEC_MODULE,
           "import sys\nprint(sys.platform, sys.implementation.name, sys.implementation.version,\n"
           "      hasattr(sys.implementation, '_mpy'), hasattr(sys.implementation, '_build'))\n",
           VB_EXEC_OK, "esp32 micropython (1, 24, 1, '') False False\r\n");
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

/* sys.getallocatedblocks()'s C function: CPython's live blocks, all
 * domains (the board's sys does not offer it; engine tests run before any
 * VM, where the board's heap charges nothing). */
PyAPI_FUNC(Py_ssize_t) _Py_GetAllocatedBlocks(void);

static Py_ssize_t blocks_after_collect(void)
{
    const char *collect = "import gc; gc.collect()";
    vb_engine_exec(collect, strlen(collect), "<stdin>", VB_EXEC_MODULE);
    return _Py_GetAllocatedBlocks();
}

/* Every exec/report path run 1000 times must not grow the heap. */
static void test_no_leaks(void)
{
    static const char *const units[] = {
        "raise OSError(2, 'x')", "1/0", "1+", "raise ValueError('a', 2)", "{}['k']",
        "import sys; sys.exit()", "[1, 2]", "import sys; sys.print_exception(KeyError(1), sys.stdout)",
    };
    Py_ssize_t blocks = 0;
    for (int round = 0; round < 2; round++) {
        if (round == 1) blocks = blocks_after_collect();
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
    check(blocks_after_collect() - blocks < 1000, "no growth over 8000 units");
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
        "import s\r\nselect          socket          ssl             struct\r\nsys\r\n>>> import s");
    tab("import board module", "import mach\t", "import machine");
    tab("import profile module", "import esp\t", "import esp32");
    tab("import frozen module", "import frz_ex\t", "import frz_exit");
    tab("host modules hidden", "import pos\t", "import pos");
    tab("private host names hidden", "import _s\t", "import _s");
    tab("the board's _thread offered", "import _t\t", "import _thread");
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
           VB_EXEC_OK, "1 4 8 16 True\r\n");
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

    /* deepsleep's time reaches exit_vm; 0 = no timer. */
    static const char *const sleeps[] = {"machine.deepsleep(500)", "machine.deepsleep()"};
    static const uint32_t want_arg[] = {500, 0};
    for (int i = 0; i < 2; i++) {
        int afd[2];
        if (pipe(afd) < 0) return;
        exit_arg_fd = afd[1];
        pid = vb_engine_fork();
        if (pid == 0) {
            char src[80];
            snprintf(src, sizeof src, "import machine\n%s\n", sleeps[i]);
            vb_engine_exec(src, strlen(src), "main.py", VB_EXEC_MODULE);
            _exit(1);
        }
        exit_arg_fd = -1;
        close(afd[1]);
        uint32_t arg = 12345;
        ssize_t n = read(afd[0], &arg, sizeof arg);
        close(afd[0]);
        check(wait_status(pid) == VB_VM_EXIT_DEEPSLEEP && n == sizeof arg && arg == want_arg[i],
              sleeps[i]);
    }

    /* A new VM starts with no pin IRQ armed and no stale edge. */
    expect("arm before fork", VB_EXEC_MODULE, "from machine import Pin\nPin(14).irq(lambda p: None, Pin.IRQ_RISING)\n", VB_EXEC_OK,
           "");
    fb.pending[0] = (uint64_t)1 << 28;
    pid = vb_engine_fork();
    if (pid == 0) _exit(fb.pins[14].irq_arm == 0 && fb.pending[0] == 0 ? 0 : 1);
    check(wait_status(pid) == 0, "VM starts with pin IRQs disarmed");
    fb.pending[0] = 0;
}

/* The address-space cap cannot coexist with ASan's shadow memory. */
#if defined(__SANITIZE_ADDRESS__)
#define AS_LIMIT 0
#else
#define AS_LIMIT ((size_t)256 << 20)
#endif

/* machine as Pycom firmware 1.20 shows it (run in the Pycom child). */
static void test_pycom_machine(void)
{
    expect("pycom Pin constants", VB_EXEC_MODULE,
           "from machine import Pin\nimport machine, time\n"
           "print(Pin.IN, Pin.OUT, Pin.OPEN_DRAIN, Pin.PULL_UP, Pin.PULL_DOWN, Pin.IRQ_RISING,\n"
           "      Pin.IRQ_FALLING, Pin.IRQ_LOW_LEVEL, Pin.IRQ_HIGH_LEVEL)\n"
           "print(hasattr(Pin, 'on'), hasattr(machine, 'Signal'), hasattr(machine, 'lightsleep'))\n",
           VB_EXEC_OK, "1 2 7 1 2 1 2 4 5\r\nFalse False False\r\n");
    static const char bad[] = TB AT(1) "ValueError: invalid argument(s) value\r\n";
    expect("pycom unknown pin", VB_EXEC_SINGLE, "Pin('P99')", VB_EXEC_EXCEPTION, bad);
    expect("pycom number refused", VB_EXEC_SINGLE, "Pin(21)", VB_EXEC_EXCEPTION, bad);
    expect("pycom OUT on input-only", VB_EXEC_SINGLE, "Pin('P13', mode=Pin.OUT)", VB_EXEC_EXCEPTION,
           bad);
    expect("pycom bad pull", VB_EXEC_SINGLE, "Pin('P12', pull=3)", VB_EXEC_EXCEPTION, bad);
    expect("pycom repr", VB_EXEC_SINGLE, "p = Pin('P12', mode=Pin.IN, pull=Pin.PULL_DOWN); p",
           VB_EXEC_OK, "Pin('P12', mode=Pin.IN, pull=Pin.PULL_DOWN, alt=-1)\r\n");
    fake_pin fp = pin_copy(21);
    check(fp.mode == VB_PIN_MODE_IN && fp.pull == VB_PIN_PULL_DOWN, "P12 is GPIO21 at the board");
    expect("pycom names", VB_EXEC_SINGLE,
           "(Pin('G28') is p, Pin.module.P12 is p, Pin.exp_board.G28 is p, p.id(), Pin(p) is p)",
           VB_EXEC_OK, "(True, True, True, 'P12', True)\r\n");
    expect("pycom output", VB_EXEC_MODULE,
           "o = Pin('P9', mode=Pin.OUT)\nprint(repr(o))\no.value(1)\na = o()\no.toggle()\n"
           "print(a, o.value(), o.mode() == Pin.OUT, o.pull())\n",
           VB_EXEC_OK, "Pin('P9', mode=Pin.OUT, pull=None, alt=-1)\r\n1 0 True None\r\n");
    fp = pin_copy(12);
    check(fp.mode == VB_PIN_MODE_OUT && fp.latch == 0, "P9 is GPIO12 at the board");
    expect("pycom pull()", VB_EXEC_MODULE,
           "o.pull(Pin.PULL_UP)\nprint(o.pull(), repr(o))\n", VB_EXEC_OK,
           "1 Pin('P9', mode=Pin.OUT, pull=Pin.PULL_UP, alt=-1)\r\n");
    expect("pycom Pin(id) reconfigures", VB_EXEC_SINGLE, "Pin('P9')", VB_EXEC_OK,
           "Pin('P9', mode=Pin.IN, pull=None, alt=-1)\r\n");
    check(pin_copy(12).mode == VB_PIN_MODE_IN, "Pin('P9') made it an input");

    expect("pycom callback", VB_EXEC_MODULE,
           "hits = []\ni = Pin('P11', mode=Pin.IN)\ni.callback(Pin.IRQ_RISING, lambda a: hits.append(a), 'x')\n",
           VB_EXEC_OK, "");
    check(pin_copy(22).irq_arm == VB_PIN_IRQ_RISING, "P11 (GPIO22) armed");
    host_drive(22, 1);
    expect("pycom handler gets its arg", VB_EXEC_SINGLE, "hits", VB_EXEC_OK, "['x']\r\n");
    expect("pycom callback default arg", VB_EXEC_MODULE,
           "i.callback(Pin.IRQ_FALLING, lambda a: hits.append(a))\n", VB_EXEC_OK, "");
    host_drive(22, 0);
    expect("pycom handler gets the pin", VB_EXEC_SINGLE, "(len(hits), hits[-1] is i)", VB_EXEC_OK,
           "(2, True)\r\n");
    expect("pycom callback off", VB_EXEC_SINGLE, "i.callback(0)", VB_EXEC_OK, "");
    check(pin_copy(22).irq_arm == 0, "callback(0) disarms");

    fb.wdt_starts = 0;
    expect("pycom WDT needs a timeout", VB_EXEC_SINGLE, "machine.WDT()", VB_EXEC_EXCEPTION,
           TB AT(1) "TypeError: 'timeout' argument required\r\n");
    expect("pycom WDT id", VB_EXEC_SINGLE, "machine.WDT(1, timeout=10)", VB_EXEC_EXCEPTION,
           TB AT(1) "OSError: resource not available\r\n");
    expect("pycom WDT", VB_EXEC_MODULE, "w = machine.WDT(timeout=1000)\nw.init(2500)\nw.feed()\n",
           VB_EXEC_OK, "");
    check(fb.wdt_starts == 2 && fb.wdt_timeout == 2500 && fb.wdt_feeds >= 1, "pycom WDT at the board");

    double t0 = now_s();
    expect("pycom sleep(100)", VB_EXEC_SINGLE, "machine.sleep(100)", VB_EXEC_OK, "");
    double dt = now_s() - t0;
    check(dt >= 0.1 && dt < 1.0, "pycom sleep(100) waits");

    fb.wake = VB_WAKE_PWRON;
    expect("pycom wake_reason power-on", VB_EXEC_SINGLE, "machine.wake_reason()", VB_EXEC_OK,
           "(0, None)\r\n");
    fb.wake = VB_WAKE_RTC;
    expect("pycom wake_reason RTC", VB_EXEC_SINGLE, "machine.wake_reason()", VB_EXEC_OK,
           "(2, None)\r\n");
    fb.wake = VB_WAKE_PIN;
    fb.wake_gpios = (uint64_t)1 << 12;
    fb.wake_left_ms = 1234;
    expect("pycom wake_reason pin", VB_EXEC_MODULE,
           "r = machine.wake_reason()\n"
           "print(r[0] == machine.PIN_WAKE, r[1] == [Pin.module.P9], machine.remaining_sleep_time())\n",
           VB_EXEC_OK, "True True 1234\r\n");
    fb.wake = VB_WAKE_PWRON;
    expect("pin_sleep_wakeup", VB_EXEC_SINGLE,
           "machine.pin_sleep_wakeup(['P9', 'P10'], machine.WAKEUP_ANY_HIGH)", VB_EXEC_OK, "");
    check(fb.wake_mask == ((1u << 12) | (1u << 13)) && fb.wake_level == 1, "wake pins at the board");
    expect("pin_sleep_wakeup mode", VB_EXEC_SINGLE, "machine.pin_sleep_wakeup(['P9'], 5)",
           VB_EXEC_EXCEPTION, TB AT(1) "ValueError: invalid wakeup mode 5\r\n");
    expect("pin_sleep_wakeup non-RTC pin", VB_EXEC_SINGLE,
           "machine.pin_sleep_wakeup(['P12'], machine.WAKEUP_ALL_LOW)", VB_EXEC_EXCEPTION,
           TB AT(1) "ValueError: deepsleep wake up is not supported on the selected pin(s)\r\n");
    expect("pycom RTC.memory", VB_EXEC_SINGLE, "machine.RTC().memory(b'q'); machine.RTC().memory()",
           VB_EXEC_OK, "b'q'\r\n");
    expect("pycom has no esp32 module", VB_EXEC_MODULE,
           "try:\n    import esp32\nexcept ImportError:\n    print('no esp32')\n", VB_EXEC_OK,
           "no esp32\r\n");
}

/* ---- frozen modules and the pycom module ------------------------------------- */

/* A stand-in for the board finder: modules served per sys.path entry,
 * honouring find_spec's path argument as the board finder does. */
#define FAKEFS_SRC                                                                              \
    "import sys\nfrom importlib.machinery import ModuleSpec\n"                                  \
    "class FakeFS:\n"                                                                           \
    "    files = {}\n"                                                                          \
    "    def find_spec(self, name, path=None, target=None):\n"                                 \
    "        for e in (sys.path if path is None else path):\n"                                  \
    "            src = self.files.get((e, name))\n"                                             \
    "            if src is not None:\n"                                                         \
    "                spec = ModuleSpec(name, self, origin=name + '.py')\n"                      \
    "                spec.fake_src = src\n"                                                     \
    "                return spec\n"                                                             \
    "    def create_module(self, spec):\n"                                                      \
    "        return None\n"                                                                     \
    "    def exec_module(self, m):\n"                                                           \
    "        exec(m.__spec__.fake_src, m.__dict__)\n"                                           \
    "fakefs = FakeFS()\nsys.meta_path.append(fakefs)\nsaved_path = sys.path[:]\n"

#define FAKEFS_UNDO "sys.meta_path.remove(fakefs)\nsys.path[:] = saved_path\n"
#define FRZ_ERR_TB "  File \"frz_err.py\", line 2, in <module>\r\nValueError: frozen boom\r\n"

/* vb_engine_run_frozen(name): outcome and serial output (report printed). */
static void run_frozen(const char *label, const char *name, int want, const char *want_out)
{
    fb.tx_len = 0;
    int calls = fb.executing_calls;
    int got = vb_engine_run_frozen(name);
    if (got == VB_EXEC_EXCEPTION) vb_engine_print_exception();
    bool ok = got == want && fb.tx_len == strlen(want_out) && memcmp(fb.tx, want_out, fb.tx_len) == 0;
    check(ok, label);
    if (!ok) {
        fprintf(stderr, "    outcome %d (want %d)\n", got, want);
        show_bytes("got ", fb.tx, fb.tx_len);
        show_bytes("want", want_out, strlen(want_out));
    }
    check(fb.executing_calls == calls, "frozen script runs with Ctrl-C not armed");
}

/* MicroPython 1.24: sys.path ['', '.frozen', '/lib']. */
static void test_frozen_generic(void)
{
    expect("generic fake FS", VB_EXEC_MODULE,
           FAKEFS_SRC "fakefs.files = {('', 'frz_a'): \"where = 'fs-cwd'\", ('/lib', 'frz_b'): "
                      "\"where = 'fs-lib'\", ('/lib', 'fsonly'): \"where = 'fs-only'\"}\n"
                      "sys.path[:] = ['', '.frozen', '/lib']\n",
           VB_EXEC_OK, "");
    expect("generic: a cwd file wins over frozen", VB_EXEC_SINGLE, "import frz_a; frz_a.where",
           VB_EXEC_OK, "'fs-cwd'\r\n");
    expect("generic: frozen wins over /lib", VB_EXEC_SINGLE, "import frz_b; frz_b.where", VB_EXEC_OK,
           "'frozen-b'\r\n");
    expect("frozen module attributes", VB_EXEC_MODULE,
           "import frz_c\nprint(frz_c.where, frz_c.__file__, frz_c.__name__)\n", VB_EXEC_OK,
           "frozen-c frz_c.py frz_c\r\n");
    expect("FS modules still found", VB_EXEC_SINGLE, "import fsonly; fsonly.where", VB_EXEC_OK,
           "'fs-only'\r\n");
    expect("no '.frozen' on sys.path: frozen hidden", VB_EXEC_MODULE,
           "sys.path.remove('.frozen')\ndel sys.modules['frz_c']\ntry:\n    import frz_c\n"
           "except ImportError:\n    print('hidden')\nsys.path.insert(1, '.frozen')\n",
           VB_EXEC_OK, "hidden\r\n");
    expect("frozen module raising at import", VB_EXEC_SINGLE, "import frz_err", VB_EXEC_EXCEPTION,
           TB AT(1) FRZ_ERR_TB);
    run_frozen("run_frozen _boot", "_boot", VB_EXEC_OK, "boot ran __main__\r\n");
    expect("_boot ran in __main__", VB_EXEC_SINGLE, "boot_var", VB_EXEC_OK, "42\r\n");
    run_frozen("run_frozen exception", "frz_err", VB_EXEC_EXCEPTION, TB FRZ_ERR_TB);
    run_frozen("run_frozen SystemExit", "frz_exit", VB_EXEC_SYSTEM_EXIT, "");
    check(vb_engine_run_frozen("nope") == -1 && vb_engine_run_frozen("frz") == -1 &&
              vb_engine_run_frozen("") == -1,
          "run_frozen of a missing module: -1");
    expect("generic fake FS off", VB_EXEC_MODULE, FAKEFS_UNDO, VB_EXEC_OK, "");
    expect("no pycom module on generic", VB_EXEC_MODULE,
           "try:\n    import pycom\nexcept ImportError:\n    print('no pycom')\n", VB_EXEC_OK,
           "no pycom\r\n");
}

/* Pycom 1.20 (MicroPython 1.11): frozen first, at the '' entry. */
static void test_frozen_pycom(void)
{
    expect("pycom fake FS", VB_EXEC_MODULE,
           FAKEFS_SRC "fakefs.files = {('', 'frz_a'): \"where = 'fs-cwd'\", ('/flash', 'frz_b'): "
                      "\"where = 'fs-flash'\"}\nsys.path[:] = ['', '/flash', '/flash/lib']\n",
           VB_EXEC_OK, "");
    expect("pycom: frozen wins over the cwd file", VB_EXEC_SINGLE, "import frz_a; frz_a.where",
           VB_EXEC_OK, "'frozen-a'\r\n");
    expect("pycom: frozen wins over /flash", VB_EXEC_SINGLE, "import frz_b; frz_b.where", VB_EXEC_OK,
           "'frozen-b'\r\n");
    expect("pycom: '' off sys.path: frozen hidden", VB_EXEC_MODULE,
           "sys.path.remove('')\ntry:\n    import frz_c\nexcept ImportError:\n    print('hidden')\n"
           "sys.path.insert(0, '')\nimport frz_c\nprint(frz_c.where)\n",
           VB_EXEC_OK, "hidden\r\nfrozen-c\r\n");
    run_frozen("pycom run_frozen _boot", "_boot", VB_EXEC_OK, "boot ran __main__\r\n");
    expect("pycom fake FS off", VB_EXEC_MODULE, FAKEFS_UNDO, VB_EXEC_OK, "");
}

#define OSERR(msg) TB AT(1) "OSError: " msg "\r\n"
#define VALERR(msg) TB AT(1) "ValueError: " msg "\r\n"

static void test_pycom_module(void)
{
    expect("pycom constants", VB_EXEC_MODULE,
           "import pycom\nprint(pycom.FACTORY, pycom.OTA_0, pycom.FAT, pycom.LittleFS)\n", VB_EXEC_OK,
           "0 1 0 1\r\n");
    fb.heartbeat = 1;
    expect("heartbeat() reads", VB_EXEC_SINGLE, "pycom.heartbeat()", VB_EXEC_OK, "True\r\n");
    fb.led = 0x123;
    expect("rgbled refused under the heartbeat", VB_EXEC_SINGLE, "pycom.rgbled(0xff00)",
           VB_EXEC_EXCEPTION, OSERR("the requested operation is not possible"));
    check(fb.led == 0x123, "refused rgbled leaves the LED");
    expect("heartbeat(False)", VB_EXEC_SINGLE, "pycom.heartbeat(False)", VB_EXEC_OK, "");
    check(fb.heartbeat == 0, "heartbeat off at the board");
    expect("heartbeat() after off", VB_EXEC_SINGLE, "pycom.heartbeat()", VB_EXEC_OK, "False\r\n");
    expect("rgbled sets the LED", VB_EXEC_SINGLE, "pycom.rgbled(0x00ff00)", VB_EXEC_OK, "");
    check(fb.led == 0x00ff00, "rgbled colour at the board");
    expect("rgbled() reads", VB_EXEC_SINGLE, "pycom.rgbled()", VB_EXEC_OK, "65280\r\n");
    expect("heartbeat(True)", VB_EXEC_SINGLE, "pycom.heartbeat(1)", VB_EXEC_OK, "");
    check(fb.heartbeat == 1, "heartbeat on at the board");
    expect("heartbeat_on_boot", VB_EXEC_MODULE,
           "a = pycom.heartbeat_on_boot()\npycom.heartbeat_on_boot(True)\n"
           "print(a, pycom.heartbeat_on_boot())\n",
           VB_EXEC_OK, "False True\r\n");
    check(fb.heartbeat_on_boot == 1, "heartbeat_on_boot at the board");

    fb.otadata.active = 0, fb.otadata.status = 1, fb.otadata.safeboot = 0, fb.fs_type = 0;
    expect("bootmgr() factory", VB_EXEC_SINGLE, "pycom.bootmgr()", VB_EXEC_OK,
           "('Factory', 'FAT', 'SafeBoot: False', 'Status: Ready')\r\n");
    fb.otadata.active = 1, fb.otadata.status = 0, fb.otadata.safeboot = 1, fb.fs_type = 1;
    expect("bootmgr() ota_0", VB_EXEC_SINGLE, "pycom.bootmgr(reset=True)", VB_EXEC_OK,
           "('ota_0', 'LittleFS', 'SafeBoot: True', 'Status: Check')\r\n");
    fb.otadata.active = 2, fb.otadata.status = 2;
    expect("bootmgr() update 2 is the factory slot", VB_EXEC_SINGLE, "pycom.bootmgr()[::3]", VB_EXEC_OK,
           "('Factory', 'Status: Patch')\r\n");

    fb.exit_returns = true;
    fb.otadata.active = 0, fb.otadata.status = 1, fb.otadata.safeboot = 0, fb.fs_type = 0;
    fb.bm_sets = fb.exit_calls = 0;
    expect("bootmgr(safeboot=True)", VB_EXEC_SINGLE, "pycom.bootmgr(safeboot=True)", VB_EXEC_OK, "");
    check(fb.bm_sets == 1 && fb.bm_part == -1 && fb.bm_fs == -1 && fb.bm_safe == 1 &&
              fb.otadata.safeboot == 2,
          "bootmgr(safeboot=True) stores a software request");
    check(fb.exit_calls == 0, "safeboot without reset=True does not reset");
    expect("bootmgr(safeboot=True) again", VB_EXEC_SINGLE, "pycom.bootmgr(safeboot=True)",
           VB_EXEC_EXCEPTION, VALERR("Error safeboot must be True or False!"));
    expect("bootmgr(safeboot=False, reset=True)", VB_EXEC_SINGLE,
           "pycom.bootmgr(safeboot=False, reset=True)", VB_EXEC_OK, "");
    check(fb.bm_sets == 2 && fb.bm_safe == 0 && fb.otadata.safeboot == 0 && fb.exit_calls == 1 &&
              fb.exit_why == VB_VM_EXIT_HARD_RESET,
          "safeboot with reset=True: stored, then a hard reset");
    expect("bootmgr(boot_partition=OTA_0)", VB_EXEC_SINGLE, "pycom.bootmgr(boot_partition=pycom.OTA_0)",
           VB_EXEC_OK, "");
    check(fb.bm_sets == 3 && fb.bm_part == 1 && fb.bm_fs == -1 && fb.bm_safe == -1 &&
              fb.otadata.active == 1 && fb.otadata.prev == 0 && fb.otadata.status == 0 &&
              fb.exit_calls == 2 && fb.exit_why == VB_VM_EXIT_HARD_RESET,
          "new boot partition: stored, always a hard reset");
    expect("bootmgr: partition already active", VB_EXEC_SINGLE, "pycom.bootmgr(boot_partition=1)",
           VB_EXEC_EXCEPTION, VALERR("Error invalid boot partition! or partition already active!"));
    expect("bootmgr: bad partition", VB_EXEC_SINGLE, "pycom.bootmgr(boot_partition=2)",
           VB_EXEC_EXCEPTION, VALERR("Error invalid boot partition! or partition already active!"));
    expect("bootmgr: bad fs type", VB_EXEC_SINGLE, "pycom.bootmgr(fs_type=5)", VB_EXEC_EXCEPTION,
           VALERR("Error invalid filesystem type!"));
    expect("bootmgr: same fs type", VB_EXEC_SINGLE, "pycom.bootmgr(fs_type=pycom.FAT, reset=True)",
           VB_EXEC_OK, "");
    check(fb.bm_sets == 3 && fb.exit_calls == 2, "unchanged fs type: nothing stored, no reset");
    expect("bootmgr(fs_type=LittleFS)", VB_EXEC_SINGLE, "pycom.bootmgr(fs_type=pycom.LittleFS)",
           VB_EXEC_OK, "");
    check(fb.bm_sets == 4 && fb.bm_fs == 1 && fb.fs_type == 1 && fb.exit_calls == 2,
          "fs type stored, no reset without reset=True");
    fb.bm_fail = -EIO;
    expect("bootmgr: store fails", VB_EXEC_SINGLE, "pycom.bootmgr(fs_type=0)", VB_EXEC_EXCEPTION,
           VALERR("Error writing bootloader information!"));
    fb.bm_fail = 0;
    expect("bootmgr: keywords only", VB_EXEC_SINGLE, "pycom.bootmgr(1)", VB_EXEC_EXCEPTION,
           TB AT(1) "TypeError: extra positional arguments given\r\n");
    fb.exit_returns = false;

    fb.otadata.active = 0, fb.otadata.status = 1, fb.ota_state = 0, fb.ota_err = 0;
    expect("ota_write before ota_start", VB_EXEC_SINGLE, "pycom.ota_write(b'x')", VB_EXEC_EXCEPTION,
           OSERR("the requested operation failed"));
    check(fb.ota_err == -EINVAL, "ota_write before start refused by the board");
    expect("ota_finish before ota_start", VB_EXEC_SINGLE, "pycom.ota_finish()", VB_EXEC_EXCEPTION,
           OSERR("the requested operation failed"));
    expect("ota_slot, factory running", VB_EXEC_SINGLE, "hex(pycom.ota_slot())", VB_EXEC_OK,
           "'0x210000'\r\n");
    expect("ota_start, writes", VB_EXEC_MODULE,
           "pycom.ota_start()\npycom.ota_write(b'XX')\nprint(pycom.ota_verify())\npycom.ota_start()\n"
           "pycom.ota_write(b'VBFW')\npycom.ota_write(bytearray(b'12'))\n"
           "pycom.ota_write(memoryview(b'abc'))\npycom.ota_write('str')\nprint(pycom.ota_verify())\n",
           VB_EXEC_OK, "False\r\nTrue\r\n");
    check(fb.ota_len == 12 && memcmp(fb.ota, "VBFW12abcstr", 12) == 0, "OTA bytes at the board");
    expect("ota_write too big", VB_EXEC_SINGLE, "pycom.ota_write(bytes(60))", VB_EXEC_EXCEPTION,
           OSERR("the requested operation failed"));
    check(fb.ota_err == -EFBIG && fb.ota_len == 12, "past the slot: -EFBIG, nothing written");
    expect("ota_write needs a buffer", VB_EXEC_SINGLE, "pycom.ota_write(5)", VB_EXEC_EXCEPTION,
           TB AT(1) "TypeError: a bytes-like object is required, not 'int'\r\n");
    expect("ota_finish", VB_EXEC_SINGLE, "pycom.ota_finish()", VB_EXEC_OK, "");
    check(fb.ota_state == 2 && fb.otadata.active == 1 && fb.otadata.prev == 0 && fb.otadata.status == 0,
          "ota_finish switches otadata to the new slot, CHECK");
    fb.ota_err = 0;
    expect("ota_write after ota_finish", VB_EXEC_SINGLE, "pycom.ota_write(b'y')", VB_EXEC_EXCEPTION,
           OSERR("the requested operation failed"));
    check(fb.ota_err == -EINVAL && fb.ota_len == 12, "ota_write after finish refused by the board");
    expect("ota_slot, CHECK pending", VB_EXEC_SINGLE, "hex(pycom.ota_slot())", VB_EXEC_OK,
           "'0x210000'\r\n");
    fb.otadata.status = 1;
    expect("ota_slot, ota_0 running", VB_EXEC_SINGLE, "hex(pycom.ota_slot())", VB_EXEC_OK,
           "'0x10000'\r\n");
}

/* Run before this process starts its own engine: the pycom profile in a
 * child with its own interpreter. Returns the child's failure count. */
static int test_pycom_profile(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        /* An inherited "ignore SIGINT" must not disable Ctrl-C. */
        signal(SIGINT, SIG_IGN);
        const vb_profile *prof = vb_profile_find("pycom");
        /* a board heap above the cap: the cap is what a VM meets here */
        vb_engine_config cfg = {.hal = &fake_hal, .port = prof->port,
                                .vm_as_limit = AS_LIMIT, .heap_size = (size_t)1 << 30,
                                .frozen = frozen_mods, .n_frozen = N_FROZEN};
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
        expect("pycom: no native emitter", VB_EXEC_MODULE,
               "@micropython.native\ndef f():\n    pass\n", VB_EXEC_EXCEPTION,
               TB "  File \"<stdin>\", line 1\r\nSyntaxError: invalid micropython decorator\r\n");
        test_pycom_machine();
        test_pycom_module();
        test_frozen_pycom();
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

/* Issue 15's C modules (deflate, cryptolib, uctypes, random, binascii,
 * select.select): each path once for the sanitizers, then many times
 * over to catch a reference leak (the blocks count stays flat). */
static void test_issue15_modules(void)
{
    static const char setup[] =
        "import deflate, cryptolib, uctypes, random, binascii, select, io, sys, gc\n"
        "Z = b'x\\x9c\\xcbH\\xcd\\xc9\\xc9W(\\xcf/\\xcaI\\x01\\x00\\x1a\\x0b\\x04]'\n"
        "def work():\n"
        "    d = deflate.DeflateIO(io.BytesIO(Z), deflate.ZLIB)\n"
        "    b = bytearray(5)\n"
        "    r = [d.readinto(b), d.readline(), d.read()]\n"
        "    d.close()\n"
        "    try:\n"
        "        deflate.DeflateIO(io.BytesIO(Z[:5])).read()\n"
        "    except EOFError:\n"
        "        r.append('eof')\n"
        "    a = cryptolib.aes(bytes(16), 2, bytes(16))\n"
        "    c = a.encrypt(bytes(32))\n"
        "    r.append(cryptolib.aes(bytes(16), 2, bytes(16)).decrypt(c) == bytes(32))\n"
        "    buf = bytearray(8)\n"
        "    s = uctypes.struct(uctypes.addressof(buf), {'a': uctypes.UINT32 | 0, 'arr': (uctypes.ARRAY | 4, 4 | uctypes.UINT8)})\n"
        "    s.a = 7\n"
        "    ba = s.arr\n"
        "    ba[0] = 9\n"
        "    r.append((s.a, buf[4], bytes(uctypes.bytearray_at(uctypes.addressof(buf), 2))))\n"
        "    random.seed(1)\n"
        "    r.append((random.getrandbits(8), binascii.hexlify(b'ab', ':')))\n"
        "    try:\n"
        "        binascii.unhexlify('0')\n"
        "    except ValueError:\n"
        "        r.append('odd')\n"
        "    r.append(select.select([], [], [], 0))\n"
        "    return r\n";
    expect("issue 15 modules, once", VB_EXEC_MODULE, setup, VB_EXEC_OK, "");
    expect("issue 15 modules work", VB_EXEC_SINGLE, "work()", VB_EXEC_OK,
           "[5, b' world', b'', 'eof', True, (7, 9, b'\\x07\\x00'), (68, b'61:62'), 'odd', ([], [], [])]\r\n");
    expect("issue 15 modules, again", VB_EXEC_SINGLE, "work() and None", VB_EXEC_OK, "");
    Py_ssize_t blocks = blocks_after_collect();
    expect("issue 15 modules, 2000 times", VB_EXEC_MODULE, "for i in range(2000):\n    work()\n",
           VB_EXEC_OK, "");
    check(blocks_after_collect() - blocks < 200, "issue 15 modules leak nothing");
}

int main(void)
{
    setvbuf(stderr, NULL, _IONBF, 0);
    fb.tick_base_us = (int64_t)f_ticks_us(&fb);
    main_thread = pthread_self();
    for (unsigned i = 0; i < VB_PINS_MAX; i++) fb.pins[i].ext = -1;
    test_pycom_profile();

    static const uint8_t uid[] = {0xde, 0xad, 0xbe, 0xef};
    const vb_profile *prof = vb_profile_find("generic");
    vb_engine_config cfg = {
        .hal = &fake_hal, .unique_id = uid, .unique_id_len = sizeof uid,
        .port = prof->port,
        .frozen = frozen_mods, .n_frozen = N_FROZEN,
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
    test_pins();
    test_pin_irq();
    test_signal_wdt();
    test_sleep_rtc_wake();
    test_sys_micropython();
    test_stdin();
    test_complete();
    test_input();
    test_poll();
    test_frozen_generic();
    test_issue15_modules();
    test_no_leaks();
    expect("sys.path as pyfs sets it", VB_EXEC_MODULE,
           "import sys\nsaved_path = sys.path[:]\nsys.path[:] = ['', '/lib']\n", VB_EXEC_OK, "");
    vb_engine_zygote_ready();
    expect("zygote ready puts '.frozen' after ''", VB_EXEC_MODULE,
           "print(sys.path)\nsys.path[:] = saved_path\n", VB_EXEC_OK, "['', '.frozen', '/lib']\r\n");
    /* as the zygote does once its first VM runs: the warm modules */
    check(vb_engine_warm_up() == 0, "warm-up imports the warm modules");
    expect("warm modules and their aliases are there", VB_EXEC_MODULE,
           "import sys\nprint(all(m in sys.modules for m in ('json', 're', 'collections', 'heapq', 'ujson')))\n",
           VB_EXEC_OK, "True\r\n");
    test_fork();

    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
