/* Engine test: the VM against each port table (issue 12 §1). For every
 * port, in a child process of its own (one engine per process): the
 * machine module's integer constants are exactly the port's one table,
 * reset_cause() reports each cause as the table names it (after a soft
 * reset too), sys.platform, sys.implementation._machine and the port's own
 * module are the table's, and the port's flavour of machine (Pin names,
 * numbers and constants, IRQ triggers, WDT, sleep functions, Signal) is
 * in place; the port's block devices over the board's flash (esp32.Partition
 * over the partition table, rp2.Flash over the FS region; issue 12 §3) read
 * and write where the profile says, and refuse every access outside their
 * window before it reaches the HAL; framebuf has the port's method set and
 * vboard's guards where upstream overruns memory. A fake HAL stands for the
 * board. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "board/profile.h"
#include "engine/engine.h"
#include "engine/engine_int.h" /* the module table (engine_modules.c) */

static int passed, failed;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "  FAIL ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

/* ---- a fake board --------------------------------------------------------- */

typedef struct fake {
    char tx[16384];
    size_t tx_len;
    int reset_cause;
    bool after_soft;
    vb_pin_mode mode[VB_PINS_MAX];
    vb_pin_pull pull[VB_PINS_MAX];
    int latch[VB_PINS_MAX];
    unsigned irq_arm[VB_PINS_MAX];
    int ext[VB_PINS_MAX];          /* -1 floating, 0 low, 1 high */
    uint32_t wdt_timeout;
} fake;

static fake fb;

/* ---- the fake board's flash: a RAM chip with NOR rules, and a log of
 * what the engine asked the HAL for ---------------------------------------- */

typedef struct fake_flash {
    uint8_t *mem;
    uint32_t size;
    unsigned calls;            /* flash_* calls so far */
    unsigned erases;
    uint32_t lo, hi;           /* the lowest and highest address any call touched */
} fake_flash;

static fake_flash ff;
static const vb_profile *prof;  /* the board the engine was configured from */

static int f_touch(uint32_t addr, size_t n)
{
    ff.calls++;
    if (addr > ff.size || n > ff.size - addr) return -EINVAL;
    if (n && addr < ff.lo) ff.lo = addr;
    if (n && addr + n - 1 > ff.hi) ff.hi = (uint32_t)(addr + n - 1);
    return 0;
}

static int f_flash_read(void *ctx, uint32_t addr, void *buf, size_t n)
{
    (void)ctx;
    int rc = f_touch(addr, n);
    if (rc == 0) memcpy(buf, ff.mem + addr, n);
    return rc;
}

static int f_flash_erase(void *ctx, uint32_t addr, size_t n)
{
    (void)ctx;
    int rc = f_touch(addr, n);
    if (rc == 0 && (addr % 4096 || n % 4096)) rc = -EINVAL;
    if (rc == 0) memset(ff.mem + addr, 0xFF, n);
    ff.erases += rc == 0;
    return rc;
}

static int f_flash_program(void *ctx, uint32_t addr, const void *buf, size_t n)
{
    (void)ctx;
    int rc = f_touch(addr, n);
    for (size_t i = 0; rc == 0 && i < n; i++) ff.mem[addr + i] &= ((const uint8_t *)buf)[i];
    return rc;
}

/* Forget what was touched so far. */
static void flash_log_reset(void)
{
    ff.calls = ff.erases = 0;
    ff.lo = UINT32_MAX;
    ff.hi = 0;
}

static size_t f_tx(void *ctx, const void *buf, size_t n)
{
    fake *b = ctx;
    size_t k = n < sizeof b->tx - b->tx_len ? n : sizeof b->tx - b->tx_len;
    memcpy(b->tx + b->tx_len, buf, k);
    b->tx_len += k;
    return n;
}

static int f_rx(void *ctx, void *buf, size_t n, int timeout_ms)
{
    (void)ctx, (void)buf, (void)n, (void)timeout_ms;
    return 0;
}

static void f_set_executing(void *ctx, bool on) { (void)ctx, (void)on; }
static void f_set_intr_char(void *ctx, int c) { (void)ctx, (void)c; }

static uint64_t f_ticks_us(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void f_rtc_get(void *ctx, int64_t *s, uint32_t *us) { (void)ctx, *s = 0, *us = 0; }
static void f_rtc_set(void *ctx, int64_t s, uint32_t us) { (void)ctx, (void)s, (void)us; }
static int f_reset_cause(void *ctx) { return ((fake *)ctx)->reset_cause; }
static bool f_after_soft(void *ctx) { return ((fake *)ctx)->after_soft; }

static void f_exit_vm(void *ctx, vb_vm_exit why, uint32_t arg)
{
    (void)ctx, (void)arg;
    _exit((int)why);
}

static void f_pin_config(void *ctx, unsigned g, vb_pin_mode m, vb_pin_pull p)
{
    fake *b = ctx;
    b->mode[g] = m;
    b->pull[g] = p;
}

static void f_pin_write(void *ctx, unsigned g, int v) { ((fake *)ctx)->latch[g] = v; }

static int f_pin_read(void *ctx, unsigned g)
{
    fake *b = ctx;
    if (b->mode[g] == VB_PIN_MODE_OUT) return b->latch[g];
    if (b->ext[g] >= 0) return b->ext[g];
    return b->pull[g] == VB_PIN_PULL_UP;
}

static void f_pin_state(void *ctx, unsigned g, vb_pin_mode *m, vb_pin_pull *p, int *latch)
{
    fake *b = ctx;
    *m = b->mode[g];
    *p = b->pull[g];
    *latch = b->latch[g];
}

static void f_pin_irq_arm(void *ctx, unsigned g, unsigned t) { ((fake *)ctx)->irq_arm[g] = t; }

static void f_pin_irq_take(void *ctx, uint64_t pending[2])
{
    (void)ctx;
    pending[0] = pending[1] = 0;
}

static void f_wdt_start(void *ctx, uint32_t ms) { ((fake *)ctx)->wdt_timeout = ms; }
static void f_wdt_feed(void *ctx) { (void)ctx; }

static const vb_hal fake_hal = {
    .ctx = &fb, .tx = f_tx, .rx = f_rx, .set_executing = f_set_executing,
    .set_intr_char = f_set_intr_char, .ticks_us = f_ticks_us, .rtc_get = f_rtc_get,
    .rtc_set = f_rtc_set, .reset_cause = f_reset_cause, .after_soft_reset = f_after_soft,
    .exit_vm = f_exit_vm, .pin_config = f_pin_config, .pin_write = f_pin_write,
    .pin_read = f_pin_read, .pin_state = f_pin_state, .pin_irq_arm = f_pin_irq_arm,
    .pin_irq_take = f_pin_irq_take, .wdt_start = f_wdt_start, .wdt_feed = f_wdt_feed,
    .flash_read = f_flash_read, .flash_erase = f_flash_erase, .flash_program = f_flash_program,
};

/* ---- running code ----------------------------------------------------------- */

/* Runs src as a module; its output (cooked: lines end "\r\n") into out. */
static vb_exec_outcome run(const char *src, char *out, size_t cap)
{
    fb.tx_len = 0;
    vb_exec_outcome o = vb_engine_exec(src, strlen(src), "<stdin>", VB_EXEC_MODULE);
    if (o == VB_EXEC_EXCEPTION) vb_engine_print_exception();
    size_t n = fb.tx_len < cap - 1 ? fb.tx_len : cap - 1;
    memcpy(out, fb.tx, n);
    out[n] = '\0';
    return o;
}

static void expect(const char *what, const char *src, const char *want)
{
    char out[8192];
    vb_exec_outcome o = run(src, out, sizeof out);
    check(o == VB_EXEC_OK && strcmp(out, want) == 0, "%s: got %d %s; want %s", what, (int)o, out, want);
}

/* The last line of a failing statement's report ("ValueError: ...\r\n"). */
static void expect_error(const char *what, const char *src, const char *want_last)
{
    char out[8192];
    vb_exec_outcome o = run(src, out, sizeof out);
    size_t n = strlen(out), w = strlen(want_last);
    check(o == VB_EXEC_EXCEPTION && n >= w && strcmp(out + n - w, want_last) == 0,
          "%s: got %d %s; want ...%s", what, (int)o, out, want_last);
}

/* ---- per port ---------------------------------------------------------------- */

/* machine's integer constants are the table, no more, no less. */
static void check_consts(const vb_port *p)
{
    char src[4096], want[4096];
    size_t n = 0;
    snprintf(src, sizeof src,
             "import machine\n"
             "for k in sorted(dir(machine)):\n"
             "    v = getattr(machine, k)\n"
             "    if k.isupper() and type(v) is int:\n"
             "        print(k, v)\n");
    /* the table, sorted by name as dir() is */
    const vb_port_const *c[64];
    unsigned k = 0;
    for (const vb_port_const *x = p->machine_consts; x->name && k < 64; x++) c[k++] = x;
    for (unsigned i = 1; i < k; i++)
        for (unsigned j = i; j > 0 && strcmp(c[j - 1]->name, c[j]->name) > 0; j--) {
            const vb_port_const *t = c[j];
            c[j] = c[j - 1];
            c[j - 1] = t;
        }
    want[0] = '\0';
    for (unsigned i = 0; i < k; i++)
        n += (size_t)snprintf(want + n, sizeof want - n, "%s %ld\r\n", c[i]->name, c[i]->value);
    expect("machine constants = the port table", src, want);
}

/* reset_cause() for every cause the board can record, then after a soft
 * reset: the SOFT constant, or (none) the hard cause again. */
static void check_causes(const vb_port *p)
{
    char out[256], want[64];
    for (unsigned c = 0; c < VB_CAUSE_COUNT; c++) {
        if (c == VB_CAUSE_SOFT) continue;
        int v = vb_port_cause(p, (vb_cause)c);
        check(v >= 0, "cause %u has a value", c);
        fb.reset_cause = v;
        fb.after_soft = false;
        snprintf(want, sizeof want, "%d\r\n", v);
        run("import machine\nprint(machine.reset_cause())\n", out, sizeof out);
        check(strcmp(out, want) == 0, "reset_cause for cause %u: %s, want %s", c, out, want);
        fb.after_soft = true;
        int soft = vb_port_cause(p, VB_CAUSE_SOFT);
        snprintf(want, sizeof want, "%d\r\n", soft >= 0 ? soft : v);
        run("import machine\nprint(machine.reset_cause())\n", out, sizeof out);
        check(strcmp(out, want) == 0, "reset_cause after a soft reset (hard cause %u): %s, want %s", c,
              out, want);
    }
    fb.after_soft = false;
}

static void check_identity(const vb_port *p)
{
    const vb_port_ident *id = &p->ident;
    char want[256];
    snprintf(want, sizeof want, "%s %s with %s\r\n", id->platform, id->board, id->mcu);
    expect("sys.platform and _machine", "import sys\nprint(sys.platform, sys.implementation._machine)\n",
           want);
    snprintf(want, sizeof want, "%d %s\r\n", (int)p->cpu_freq_hz, p->module);
    char src[256];
    snprintf(src, sizeof src, "import machine\nm = __import__('%s')\nprint(machine.freq(), m.__name__)\n",
             p->module);
    expect("freq and the port's module", src, want);
    /* every pin of the table is a Pin, by its name or number (buttons are not) */
    for (unsigned i = 0; i < p->n_pins; i++) {
        const vb_pin_def *d = &p->pins[i];
        char id_expr[48];
        if (p->pins_by_number) snprintf(id_expr, sizeof id_expr, "%u", d->gpio);
        else snprintf(id_expr, sizeof id_expr, "'%s'", d->name);
        snprintf(src, sizeof src, "import machine\ntry:\n    machine.Pin(%s)\n    print('pin')\n"
                 "except ValueError:\n    print('none')\n", id_expr);
        expect(d->name, src, (d->flags & VB_PIN_BUTTON) ? "none\r\n" : "pin\r\n");
    }
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The module table (issue 15) is consistent, and for this port: each
 * u-alias offered is the very module object, each one not offered fails
 * to import, and help('modules') lists exactly the port's table entries
 * (sorted, 16-column slots, four to a line). os and vfs come with pyfs,
 * which this test does not install: their entries are only listed. */
static void check_modules(const vb_port *p)
{
    const char *bad = vb_modules_check();
    check(bad == NULL, "module table consistent (first offender: %s)", bad ? bad : "-");
    char src[4096], want[4096], out[8192];
    size_t n = (size_t)snprintf(src, sizeof src, "for n, a in (");
    size_t w = 0;
    want[0] = '\0';
    const char *names[64];
    size_t k = 0;
    for (const vb_module_def *m = vb_engine_modules; m->name; m++) {
        bool here = (m->ports & VB_PORT_BIT(p->id)) != 0;
        bool alias_here = m->alias && (m->alias_ports & VB_PORT_BIT(p->id));
        if (here && k < 64) names[k++] = m->name;
        if (!m->alias || m->how == VB_MOD_PYFS) continue;
        n += (size_t)snprintf(src + n, sizeof src - n, "('%s', '%s'), ", m->name, m->alias);
        w += (size_t)snprintf(want + w, sizeof want - w, "%s %s\r\n", m->alias,
                              !here ? "absent" : alias_here ? "same" : "absent");
    }
    snprintf(src + n, sizeof src - n,
             "):\n"
             "    try:\n"
             "        a_mod = __import__(a)\n"
             "    except ImportError:\n"
             "        print(a, 'absent')\n"
             "    else:\n"
             "        print(a, 'same' if a_mod is __import__(n) else 'other')\n");
    expect("u-aliases of this port", src, want);

    qsort(names, k, sizeof names[0], cmp_names);
    w = 0;
    for (size_t i = 0; i < k; i++) {
        w += (size_t)snprintf(want + w, sizeof want - w, "%-16s", names[i]);
        if (i % 4 == 3 || i + 1 == k) {
            while (w > 0 && want[w - 1] == ' ') w--;
            w += (size_t)snprintf(want + w, sizeof want - w, "\r\n");
        }
    }
    snprintf(want + w, sizeof want - w, "Plus any modules on the filesystem\r\n");
    run("help('modules')\n", out, sizeof out);
    check(strcmp(out, want) == 0, "help('modules') = the table: got\n%s\nwant\n%s", out, want);
    expect("errno.errorcode is MicroPython's",
           "import errno\nprint(len(errno.errorcode), errno.errorcode[errno.ENOENT], "
           "list(errno.errorcode.values())[-1])\n",
           "22 ENOENT EINPROGRESS\r\n");
    expect("heapq", "import heapq\nh = [3, 1, 2]\nheapq.heapify(h)\nprint(heapq.heappop(h))\n",
           "1\r\n");
}

/* esp32.Partition over the esp32 profile's table (nvs 0x9000+24K, phy_init,
 * factory, vfs 0x200000+2M). */
static void check_esp32_partition(void)
{
    expect("Partition constants and the table",
           "from esp32 import Partition as P\n"
           "print(P.BOOT, P.RUNNING, P.TYPE_APP, P.TYPE_DATA)\n"
           "print([p.info()[4] for p in P.find(P.TYPE_DATA)], [p.info()[4] for p in P.find()])\n"
           "print(P.find(P.TYPE_DATA, label='vfs')[0].info(), P.find(P.TYPE_DATA, 0x02)[0].info()[4])\n"
           "print(P.find(type=1, subtype=1, label='nvs'), P.find(label='nvs'))\n"
           "print(P('vfs'))\n"
           "print(P(P.RUNNING).info())\n",
           "0 1 0 1\r\n"
           "['nvs', 'phy_init', 'vfs'] ['factory']\r\n"
           "(1, 129, 2097152, 2097152, 'vfs', False) nvs\r\n"
           "[] []\r\n"
           "<Partition type=1, subtype=129, address=2097152, size=2097152, label=vfs, encrypted=0>\r\n"
           "(0, 0, 65536, 2031616, 'factory', False)\r\n");
    /* no otadata partition on ESP32_GENERIC: ESP-IDF's answers */
    expect_error("BOOT without otadata", "import esp32\nesp32.Partition(esp32.Partition.BOOT)\n",
                 "OSError: [Errno 2] ENOENT\r\n");
    expect_error("unknown label", "import esp32\nesp32.Partition('nope')\n", "OSError: [Errno 2] ENOENT\r\n");
    expect_error("bad id", "import esp32\nesp32.Partition(2)\n", "ValueError: \r\n");
    expect_error("set_boot", "import esp32\nesp32.Partition('factory').set_boot()\n",
                 "OSError: (-261, 'ESP_ERR_NOT_FOUND')\r\n");
    expect_error("set_boot of data", "import esp32\nesp32.Partition('nvs').set_boot()\n",
                 "OSError: (-5379, 'ESP_ERR_OTA_VALIDATE_FAILED')\r\n");
    expect_error("no OTA slot", "import esp32\nesp32.Partition(1).get_next_update()\n",
                 "OSError: [Errno 2] ENOENT\r\n");
    expect_error("rollback", "import esp32\nesp32.Partition.mark_app_valid_cancel_rollback()\n",
                 "OSError: (-261, 'ESP_ERR_NOT_FOUND')\r\n");

    /* the block protocol lands where the table says */
    memcpy(ff.mem + 0x200000 + 8, "littlefs", 8);
    flash_log_reset();
    expect("vfs block 0 and geometry",
           "import esp32\nv = esp32.Partition('vfs')\nb = bytearray(4096)\nv.readblocks(0, b)\n"
           "print(bytes(b[8:16]), v.ioctl(4, 0), v.ioctl(5, 0), v.ioctl(1, 0), v.ioctl(2, 0), "
           "v.ioctl(3, 0), v.ioctl(7, 0))\n",
           "b'littlefs' 512 4096 0 0 0 None\r\n");
    check(ff.lo == 0x200000 && ff.hi == 0x200FFF, "vfs block 0 read 0x%X..0x%X", ff.lo, ff.hi);
    flash_log_reset();
    expect("nvs round trip",
           "import esp32\nn = esp32.Partition('nvs')\n"
           "n.writeblocks(1, b'A' * 4096)\nb = bytearray(4)\nn.readblocks(1, b, 4092)\nprint(b)\n"
           "print(n.ioctl(6, 1))\nn.writeblocks(1, b'xy', 100)\nb = bytearray(4)\n"
           "n.readblocks(1, b, 99)\nprint(b)\n",
           "bytearray(b'AAAA')\r\n0\r\nbytearray(b'\\xffxy\\xff')\r\n");
    check(ff.lo == 0xA000 && ff.hi == 0xAFFF && ff.erases == 2, "nvs block 1 only: 0x%X..0x%X, %u erases",
          ff.lo, ff.hi, ff.erases);
    check(ff.mem[0xA000 + 100] == 'x' && ff.mem[0xA000 + 99] == 0xFF, "nvs bytes on the chip");

    /* refused before the HAL: past the end (INVALID_SIZE when it starts
     * inside or at the end, INVALID_ARG past it), partial erase blocks */
    flash_log_reset();
    expect("range errors",
           "import esp32\nn = esp32.Partition('nvs')\nb = bytearray(4096)\n"
           "for f, a in ((n.readblocks, (6, b)), (n.readblocks, (7, b)), (n.readblocks, (5, bytearray(4097))),\n"
           "             (n.readblocks, (-1, b)), (n.readblocks, (0, b, 20480 + 1)), (n.readblocks, (1 << 20, b)),\n"
           "             (n.writeblocks, (0, bytearray(100))), (n.writeblocks, (6, b, 0)),\n"
           "             (n.writeblocks, (5, bytearray(8192))), (n.ioctl, (6, 6)), (n.ioctl, (6, -1))):\n"
           "    try:\n"
           "        f(*a)\n"
           "    except OSError as e:\n"
           "        print(e.errno, e.args[1])\n",
           "-260 ESP_ERR_INVALID_SIZE\r\n-258 ESP_ERR_INVALID_ARG\r\n-260 ESP_ERR_INVALID_SIZE\r\n"
           "-258 ESP_ERR_INVALID_ARG\r\n-260 ESP_ERR_INVALID_SIZE\r\n-258 ESP_ERR_INVALID_ARG\r\n"
           "-260 ESP_ERR_INVALID_SIZE\r\n-260 ESP_ERR_INVALID_SIZE\r\n-260 ESP_ERR_INVALID_SIZE\r\n"
           "-260 ESP_ERR_INVALID_SIZE\r\n-258 ESP_ERR_INVALID_ARG\r\n");
    check(ff.calls == 0, "refused accesses reached the HAL %u times", ff.calls);
    expect_error("the report", "import esp32\nesp32.Partition('phy_init').readblocks(1, bytearray(1))\n",
                 "OSError: (-260, 'ESP_ERR_INVALID_SIZE')\r\n");
    expect_error("bad buffer", "import esp32\nesp32.Partition('nvs').readblocks(0, b'abc')\n",
                 "TypeError: object with buffer protocol required\r\n");
    expect_error("bad block", "import esp32\nesp32.Partition('nvs').readblocks(0.5, bytearray(1))\n",
                 "TypeError: can't convert float to int\r\n");
    expect_error("huge block", "import esp32\nesp32.Partition('nvs').readblocks(1 << 40, bytearray(1))\n",
                 "OverflowError: overflow converting long int to machine word\r\n");
    expect_error("arguments", "import esp32\nesp32.Partition('nvs').readblocks(0)\n",
                 "TypeError: function missing 1 required positional arguments\r\n");
    check(ff.calls == 0, "refused calls reached the HAL %u times", ff.calls);

    /* 512-byte blocks: the rest of each erased 4 KiB block is kept */
    memset(ff.mem + 0x9000, 0x11, 0x2000);
    flash_log_reset();
    expect("block_size 512",
           "import esp32\ns = esp32.Partition('nvs', 512)\nt = esp32.Partition.find(1, label='nvs', block_size=512)[0]\n"
           "print(s.ioctl(4, 0), s.ioctl(5, 0), t.ioctl(4, 0), s.ioctl(6, 0))\n"
           "s.writeblocks(7, b'B' * 1024)\n",
           "48 512 48 -22\r\n");
    check(ff.erases == 2 && ff.mem[0x9000 + 3583] == 0x11 && ff.mem[0x9000 + 3584] == 'B' &&
          ff.mem[0x9000 + 4607] == 'B' && ff.mem[0x9000 + 4608] == 0x11 && ff.mem[0x9000] == 0x11 &&
          ff.mem[0x9000 + 8191] == 0x11,
          "512-byte blocks 7-8 written across two erase blocks, the rest kept (%u erases)", ff.erases);
}

static void check_esp32(void)
{
    expect("esp32 Pin numbers", "from machine import Pin\nprint(Pin(2), Pin.IN, Pin.OUT, Pin.IRQ_RISING)\n",
           "Pin(2) 1 3 1\r\n");
    expect("esp32 sleep functions", "import machine\nprint(hasattr(machine, 'wake_reason'), "
           "hasattr(machine, 'Signal'), hasattr(machine, 'lightsleep'))\n", "True True True\r\n");
    check_esp32_partition();
}



static void check_pycom(void)
{
    expect("pycom Pin names", "from machine import Pin\nprint(Pin('G23').id(), Pin.module.P12.id())\n",
           "P2 P12\r\n");
    expect("pycom has no Signal", "import machine\nprint(hasattr(machine, 'Signal'))\n", "False\r\n");
}

/* rp2.Flash over the rp2 profile's FS region (1408 KiB at 0xA0000). */
static void check_rp2_flash(void)
{
    memcpy(ff.mem + 0xA0000 + 8, "littlefs", 8);
    flash_log_reset();
    expect("rp2.Flash geometry and block 0",
           "import rp2\nf = rp2.Flash()\nb = bytearray(4096)\nf.readblocks(0, b)\n"
           "print(f is rp2.Flash(), f.ioctl(4, 0), f.ioctl(5, 0), f.ioctl(3, 0), bytes(b[8:16]))\n",
           "True 352 4096 0 b'littlefs'\r\n");
    check(ff.lo == 0xA0000 && ff.hi == 0xA0FFF, "rp2 block 0 read 0x%X..0x%X", ff.lo, ff.hi);
    flash_log_reset();
    expect("rp2 part of the region",
           "import rp2\ng = rp2.Flash(start=8192, len=8192)\nprint(g.ioctl(4, 0))\n"
           "g.writeblocks(1, b'C' * 4096)\ng.writeblocks(0, b'D', 5)\n"
           "print(rp2.Flash(start=4096).ioctl(4, 0), rp2.Flash(len=4096).ioctl(4, 0))\n",
           "2\r\n351 1\r\n");
    check(ff.lo == 0xA0000 + 8192 + 5 && ff.hi == 0xA0000 + 16383 && ff.erases == 1 &&
          ff.mem[0xA0000 + 12288] == 'C' && ff.mem[0xA0000 + 8192 + 5] == 'D',
          "rp2 Flash(start=8192) writes at 0xA2000: 0x%X..0x%X", ff.lo, ff.hi);
    flash_log_reset();
    expect("rp2 range errors",
           "import rp2\nf = rp2.Flash()\ng = rp2.Flash(start=8192, len=8192)\nb = bytearray(4096)\n"
           "for fn, a in ((f.readblocks, (352, b)), (f.readblocks, (351, bytearray(4097))), (f.readblocks, (-1, b)),\n"
           "              (f.writeblocks, (0, bytearray(100))), (f.writeblocks, (352, b, 0)), (f.ioctl, (6, 352)),\n"
           "              (g.readblocks, (2, b)), (g.writeblocks, (1, b, 1))):\n"
           "    try:\n"
           "        fn(*a)\n"
           "    except OSError as e:\n"
           "        print(e.args)\n",
           "(22,)\r\n(22,)\r\n(22,)\r\n(22,)\r\n(22,)\r\n(22,)\r\n(22,)\r\n(22,)\r\n");
    check(ff.calls == 0, "rp2 refused accesses reached the HAL %u times", ff.calls);
    expect("rp2 bad windows",
           "import rp2\nfor kw in ({'start': 1}, {'start': -4096}, {'start': 1441792}, {'len': 0},\n"
           "           {'len': 4095}, {'start': 4096, 'len': 1441792}):\n"
           "    try:\n"
           "        rp2.Flash(**kw)\n"
           "    except ValueError as e:\n"
           "        print('ValueError', e.args)\n",
           "ValueError ()\r\nValueError ()\r\nValueError ()\r\nValueError ()\r\nValueError ()\r\nValueError ()\r\n");
    expect_error("rp2 Flash positional", "import rp2\nrp2.Flash(0)\n",
                 "TypeError: function takes 0 positional arguments but 1 were given\r\n");
    expect_error("rp2 Flash report", "import rp2\nrp2.Flash().readblocks(352, bytearray(1))\n",
                 "OSError: [Errno 22] EINVAL\r\n");
}

static void check_rp2(void)
{
    expect("rp2 Pin names",
           "from machine import Pin\n"
           "print(Pin('LED') is Pin(25), Pin('GP25') is Pin(25), Pin('GPIO25') is Pin(25),\n"
           "      Pin.board.LED is Pin(25), Pin.board.GP0 is Pin(0), Pin.cpu.GPIO29 is Pin(29))\n",
           "True True True True True True\r\n");
    expect("rp2 Pin constants",
           "from machine import Pin\n"
           "print(Pin.IN, Pin.OUT, Pin.OPEN_DRAIN, Pin.ALT, Pin.PULL_UP, Pin.PULL_DOWN,\n"
           "      Pin.IRQ_RISING, Pin.IRQ_FALLING, Pin.ALT_SIO)\n",
           "0 1 2 3 1 2 8 4 5\r\n");
    expect_error("rp2 unknown name", "from machine import Pin\nPin('GP23')\n",
                 "ValueError: unknown named pin \"GP23\"\r\n");
    expect_error("rp2 BOOTSEL is no Pin", "from machine import Pin\nPin('BOOTSEL')\n",
                 "ValueError: unknown named pin \"BOOTSEL\"\r\n");
    expect_error("rp2 bad number", "from machine import Pin\nPin(30)\n", "ValueError: invalid pin\r\n");
    /* the reset state is pull-down with no function; an output shows OUT */
    fb.mode[3] = VB_PIN_MODE_UNSET;
    fb.pull[3] = VB_PIN_PULL_DOWN;
    expect("rp2 repr at reset", "from machine import Pin\nprint(Pin(3))\n",
           "Pin(GPIO3, mode=ALT, pull=PULL_DOWN, alt=31)\r\n");
    expect("rp2 output", "from machine import Pin\np = Pin('LED', Pin.OUT, value=1)\nprint(p, p.value())\n",
           "Pin(GPIO25, mode=OUT) 1\r\n");
    check(fb.mode[25] == VB_PIN_MODE_OUT && fb.latch[25] == 1 && fb.pull[25] == VB_PIN_PULL_NONE,
          "rp2 output at the board");
    expect("rp2 input pull-up", "from machine import Pin\nprint(Pin(4, Pin.IN, Pin.PULL_UP))\n",
           "Pin(GPIO4, mode=IN, pull=PULL_UP)\r\n");
    /* IRQ triggers are the RP2040's event bits */
    expect("rp2 irq", "from machine import Pin\nPin(5).irq(lambda p: None, Pin.IRQ_RISING)\n"
           "Pin(6).irq(lambda p: None)\nPin(7).irq(lambda p: None, Pin.IRQ_FALLING, hard=True)\n", "");
    check(fb.irq_arm[5] == VB_PIN_IRQ_RISING, "rp2 IRQ_RISING arms rising: %u", fb.irq_arm[5]);
    check(fb.irq_arm[6] == (VB_PIN_IRQ_RISING | VB_PIN_IRQ_FALLING), "rp2 irq default both edges");
    check(fb.irq_arm[7] == VB_PIN_IRQ_FALLING, "rp2 IRQ_FALLING arms falling");
    expect("rp2 machine functions",
           "import machine\nprint(hasattr(machine, 'wake_reason'), hasattr(machine, 'sleep'),\n"
           "      hasattr(machine, 'lightsleep'), hasattr(machine, 'Signal'), hasattr(machine, 'SOFT_RESET'))\n",
           "False False True True False\r\n");
    expect_error("rp2 WDT id", "import machine\nmachine.WDT(1)\n", "ValueError: WDT(1) doesn't exist\r\n");
    expect_error("rp2 WDT max", "import machine\nmachine.WDT(timeout=8389)\n",
                 "ValueError: timeout exceeds 8388\r\n");
    expect("rp2 WDT", "import machine\nmachine.WDT(timeout=8388).feed()\n", "");
    check(fb.wdt_timeout == 8388, "rp2 WDT started with 8388 ms");
    /* BOOTSEL: pulled up, pressed = driven low */
    const vb_pin_def *bs = vb_port_pin(&vb_port_rp2, "BOOTSEL");
    check(bs && (bs->flags & VB_PIN_BUTTON), "rp2 BOOTSEL is a button");
    if (bs) {
        fb.pull[bs->gpio] = VB_PIN_PULL_UP;
        fb.ext[bs->gpio] = -1;
        expect("bootsel released", "import rp2\nprint(rp2.bootsel_button())\n", "0\r\n");
        fb.ext[bs->gpio] = 0;
        expect("bootsel pressed", "import rp2\nprint(rp2.bootsel_button())\n", "1\r\n");
    }
    check_rp2_flash();
}



/* framebuf (engine_mod_framebuf.c): v1.24's method set on esp32 and rp2,
 * Pycom's 1.11 one there (no ellipse, poly, rect fill flag, blit palette);
 * and where upstream reads or writes past its memory, vboard's guards. */
static void check_framebuf(const vb_port *p)
{
    bool v124 = p->id != VB_PORT_PYCOM;
    expect("framebuf methods of this port",
           "import framebuf\nF = framebuf.FrameBuffer\n"
           "print(hasattr(F, 'ellipse'), hasattr(F, 'poly'), hasattr(F, 'text'))\n",
           v124 ? "True True True\r\n" : "False False True\r\n");
    if (v124) {
        expect("framebuf rect filled",
               "import framebuf\nb = bytearray(8)\nf = framebuf.FrameBuffer(b, 8, 8, 0)\n"
               "f.rect(0, 0, 2, 2, 1, 1)\nprint(bytes(f)[:3])\n",
               "b'\\x03\\x03\\x00'\r\n");
        /* a source colour past the palette's buffer reads 0; a palette that
         * is no FrameBuffer is TypeError */
        expect("framebuf palette out of range",
               "import framebuf\nd = framebuf.FrameBuffer(bytearray(2), 2, 1, framebuf.GS8)\n"
               "s = framebuf.FrameBuffer(bytearray([1, 9]), 2, 1, framebuf.GS8)\n"
               "d.blit(s, 0, 0, -1, framebuf.FrameBuffer(bytearray([7, 8]), 2, 1, framebuf.GS8))\n"
               "print(bytes(d))\n",
               "b'\\x08\\x00'\r\n");
        expect_error("framebuf palette not a FrameBuffer",
                     "import framebuf\nd = framebuf.FrameBuffer(bytearray(2), 2, 1, framebuf.GS8)\n"
                     "d.blit(d, 0, 0, -1, bytearray(2))\n",
                     "TypeError: \r\n");
        expect("framebuf huge ellipse radii draw nothing",
               "import framebuf\nb = bytearray(8)\nf = framebuf.FrameBuffer(b, 8, 8, 0)\n"
               "f.ellipse(0, 0, 1 << 21, 3, 1)\nprint(sum(b))\n",
               "0\r\n");
    } else {
        expect_error("framebuf rect's fill flag",
                     "import framebuf\nf = framebuf.FrameBuffer(bytearray(8), 8, 8, 0)\nf.rect(0, 0, 2, 2, 1, 1)\n",
                     "TypeError: function takes 6 positional arguments but 7 were given\r\n");
        expect_error("framebuf blit's palette",
                     "import framebuf\nd = framebuf.FrameBuffer(bytearray(2), 2, 1, framebuf.GS8)\n"
                     "d.blit(d, 0, 0, -1, d)\n",
                     "TypeError: function expected at most 5 arguments, got 6\r\n");
    }
    expect_error("framebuf subclass without super().__init__()",
                 "import framebuf\nclass F(framebuf.FrameBuffer):\n    def __init__(self):\n        pass\n"
                 "F().fill(0)\n",
                 "AttributeError: call super().__init__() first\r\n");
    expect_error("framebuf keeps its buffer from resizing",
                 "import framebuf\nb = bytearray(8)\nf = framebuf.FrameBuffer(b, 8, 8, 0)\nb.append(1)\n",
                 "BufferError: Existing exports of data: object cannot be re-sized\r\n");
    expect("framebuf lets its buffer go",
           "import framebuf\nb = bytearray(8)\nf = framebuf.FrameBuffer(b, 8, 8, 0)\ndel f\nb.append(1)\n"
           "print(len(b))\n",
           "9\r\n");
    expect("framebuf re-initialised on another buffer",
           "import framebuf\nb = bytearray(8)\nc = bytearray(8)\nf = framebuf.FrameBuffer(b, 8, 8, 0)\n"
           "f.__init__(c, 8, 8, 0)\nb.append(1)\nf.fill(1)\nprint(sum(c), len(b))\n",
           "2040 9\r\n");
}

/* One port, in a child: returns the child's failure count (or 100+). */
static int test_port(const vb_port *p)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        passed = failed = 0;
        for (unsigned g = 0; g < VB_PINS_MAX; g++) fb.ext[g] = -1;
        /* the flash layout of the first board of this port, on an erased chip */
        for (const vb_profile *const *q = vb_profile_all(); *q && !prof; q++)
            if ((*q)->port == p) prof = *q;
        ff.size = prof ? prof->flash_size : 0;
        ff.mem = malloc(ff.size ? ff.size : 1);
        if (!ff.mem) _exit(100);
        memset(ff.mem, 0xFF, ff.size);
        vb_engine_config cfg = {.hal = &fake_hal, .port = p, .parts = prof ? prof->parts : NULL,
                                .n_parts = prof ? prof->n_parts : 0, .fs_offset = prof ? prof->fs_offset : 0,
                                .fs_size = prof ? prof->fs_size : 0};
        char err[200];
        if (vb_engine_init(&cfg, err, sizeof err) < 0) {
            fprintf(stderr, "%s\n", err);
            _exit(100);
        }
        /* as the zygote, once its first VM runs: the warm modules */
        if (vb_engine_warm_up() < 0) {
            fprintf(stderr, "warm-up failed\n");
            _exit(100);
        }
        check_consts(p);
        check_causes(p);
        check_identity(p);
        check_modules(p);
        check_framebuf(p);
        void (*const flavour_checks[VB_PORT_COUNT])(void) = {
            [VB_PORT_ESP32] = check_esp32, [VB_PORT_PYCOM] = check_pycom, [VB_PORT_RP2] = check_rp2,
        };
        flavour_checks[p->id]();
        fprintf(stderr, "  %s: %d passed, %d failed\n", p->name, passed, failed);
        _exit(failed > 99 ? 99 : failed);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

int main(void)
{
    setvbuf(stderr, NULL, _IONBF, 0);
    int bad = 0;
    for (unsigned i = 0; i < VB_PORT_COUNT; i++) {
        const vb_port *p = vb_port_get((vb_port_id)i);
        int rc = test_port(p);
        if (rc) fprintf(stderr, "FAIL port %s (%d)\n", p->name, rc);
        bad += rc != 0;
    }
    /* every board's port is one of these */
    for (const vb_profile *const *q = vb_profile_all(); *q; q++)
        bad += vb_port_get((*q)->port->id) != (*q)->port;
    printf("%s: %d of %d ports failed\n", __FILE__, bad, (int)VB_PORT_COUNT);
    return bad ? 1 : 0;
}
