/* The firmware: the zygote (one per hard boot) and the VM it forks per
 * soft-reset cycle, running the boot sequence and the REPL (boot.md §3,
 * repl.md §5). */
#include "contract/firmware.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot/bootsel.h"
#include "boot/fwimage.h"
#include "engine/engine.h"
#include "engine/pyfs.h"
#include "firmware/boot_fs.h"
#include "contract/hwevent.h"
#include "firmware/sandbox.h"
#include "firmware/sandbox_kernel.h"
#include "firmware/vm_hal.h"
#include "repl/repl.h"

/* Everything one hard boot of the firmware holds: set up in the zygote, and
 * inherited (as a copy) by each VM. */
typedef struct firmware {
    const vb_firmware_ctx *fw;
    vb_vm_hal hal;
    vb_board_fs bfs;          /* mounted per VM: FS caches are VM RAM */
    PyObject *os_module;      /* the pyfs handle */
    /* the firmware image of this hard boot (Pycom): its frozen modules
     * point into image_buf, kept for the zygote's life */
    bool has_image;
    vb_fw_image image;
    uint8_t *image_buf;
    vb_frozen_module frozen[VB_FW_MAX_MODULES];   /* the engine's view of image */
} firmware;

static void tx(const firmware *f, const char *s) { vb_hal_tx_all(&f->hal.hal, s, strlen(s)); }

static void repl_write(void *ctx, const uint8_t *buf, size_t len)
{
    const firmware *f = ctx;
    vb_hal_tx_all(&f->hal.hal, buf, len);
}

static int reformat(void *ctx, vb_vol **vol)
{
    firmware *f = ctx;
    int rc = vb_boot_reformat(&f->bfs);
    *vol = f->bfs.region.mounted ? &f->bfs.region.vol : NULL;
    return rc;
}

/* Leave the VM with the files closed and the volume written back. */
static _Noreturn void leave(firmware *f, vb_vm_exit why)
{
    if (f->os_module) vb_pyfs_close_all(f->os_module);
    vb_fsregion_unmount(&f->bfs.region);
    _exit(why);
}

/* Soft reset (boot.md §1): the mode kept in the registers, then a fresh VM
 * from the zygote. */
static _Noreturn void soft_reset(firmware *f, vb_repl_mode mode)
{
    f->fw->regs->repl_mode = mode;
    tx(f, f->fw->profile->port->soft_reboot_line);
    leave(f, VB_VM_EXIT_SOFT_RESET);
}

/* The supervisor is stopping the board: it set power_off and interrupted
 * us; stop at this safe point with the image consistent. */
static void stop_if_asked(firmware *f)
{
    if (atomic_load(&f->fw->regs->power_off)) leave(f, VB_VM_EXIT_POWER_OFF);
}

/* Where the firmware is, for status and the trace. */
static void set_stage(const firmware *f, vb_stage s)
{
    f->fw->regs->stage = s;
    vb_fw_event(f->fw, VB_EV_STAGE, 0, s);
}

/* A soft reset: ports that say so (Pycom: every pin an input with
 * pull-down) put the pins back in their reset state; the others keep modes
 * and levels (boot.md §1). Pin IRQs are dropped by the engine at every
 * fork; at a hard reset the supervisor has reset the pins already. */
static void soft_reset_pins(const firmware *f)
{
    const vb_port *p = f->fw->profile->port;
    const vb_hal *hal = &f->hal.hal;
    vb_pin_mode mode = p->pin_reset == VB_PIN_RESET_IN_PULL_DOWN ? VB_PIN_MODE_IN : VB_PIN_MODE_UNSET;
    vb_pin_pull pull = p->pin_reset == VB_PIN_RESET_FLOATING ? VB_PIN_PULL_NONE : VB_PIN_PULL_DOWN;
    for (unsigned i = 0; p->pins_reinit_on_soft_reset && i < p->n_pins; i++) {
        if (p->pins[i].flags & VB_PIN_BUTTON) continue;
        hal->pin_config(hal->ctx, p->pins[i].gpio, mode, pull);
        hal->pin_write(hal->ctx, p->pins[i].gpio, 0);
    }
}

/* The flash model cut power in the middle of an operation: the board is
 * dark from here, nothing more is written or synced. */
static void power_lost(void *ctx)
{
    (void)ctx;
    _exit(VB_VM_EXIT_POWER_CUT);
}

/* Pycom: after an uncaught exception in boot.py or main.py the firmware
 * flashes its RGB LED red, toggling every 50 ms for 1.2 s (boot.md §3.5);
 * MicroPython's ports leave their LED alone. */
static void error_flash(const firmware *f)
{
    const vb_hal *hal = &f->hal.hal;
    if (f->fw->profile->port->led_kind != VB_LED_RGB) return;
    vb_regs *regs = f->fw->regs;
    atomic_store(&regs->led_override, 1);      /* the heartbeat waits */
    for (int i = 0; i < 24; i++) {
        hal->led_set(hal->ctx, i % 2 ? 0 : 0x500000u);
        usleep(50000);
    }
    hal->led_set(hal->ctx, 0);
    atomic_store(&regs->led_override, 0);
}

/* Run a script from the board FS if it exists: outcome, or -1 when absent. */
static int run_script(firmware *f, const char *name)
{
    if (!f->bfs.region.mounted) return -1;
    char *src;
    size_t len;
    if (vb_pyfs_read_file(f->os_module, name, &src, &len) < 0) return -1;
    vb_exec_outcome o = vb_engine_exec(src, len, name, VB_EXEC_MODULE);
    free(src);
    if (o == VB_EXEC_EXCEPTION) {
        vb_engine_print_exception();
        error_flash(f);
    }
    return (int)o;
}

static vb_repl_outcome outcome_of(vb_exec_outcome o)
{
    return o == VB_EXEC_OK ? VB_REPL_OUTCOME_OK
         : o == VB_EXEC_SYSTEM_EXIT ? VB_REPL_OUTCOME_SYSTEM_EXIT : VB_REPL_OUTCOME_EXCEPTION;
}

static vb_exec_mode exec_mode_of(vb_repl_compile k)
{
    return k == VB_REPL_COMPILE_SINGLE ? VB_EXEC_SINGLE
         : k == VB_REPL_COMPILE_PASTE ? VB_EXEC_MODULE_DISPLAY : VB_EXEC_MODULE;
}

/* input() once the REPL exists (repl.md §1.1): the REPL's own line editor,
 * fed from the serial line until it ends the line. Before that (boot.py,
 * main.py) no hook is set and the engine's minimal editor serves input(). */
typedef struct fw_input {
    const vb_hal *hal;
    vb_repl *r;
} fw_input;

static int input_line(void *ctx, const char *prompt, size_t plen, const char **line, size_t *len)
{
    fw_input *in = ctx;
    if (!vb_repl_input_begin(in->r, prompt, plen)) return VB_ENGINE_INPUT_UNAVAILABLE;
    for (;;) {
        uint8_t b;
        int n = vb_engine_rx(&b, 1, -1);   /* other threads run meanwhile */
        if (n == -EINTR && vb_engine_check_signals() < 0) {
            /* Ctrl-C came as SIGINT: a Ctrl-C byte takes the editor out of
             * line-input mode without echo. */
            (void)vb_repl_feed(in->r, VB_CTRL_C);
            return VB_ENGINE_INPUT_RAISED;
        }
        if (n != 1) continue;
        switch (vb_repl_feed(in->r, b)) {
        case VB_REPL_INPUT_LINE: *line = vb_repl_input_text(in->r, len); return VB_ENGINE_INPUT_LINE;
        case VB_REPL_INPUT_EOF: return VB_ENGINE_INPUT_EOF;
        case VB_REPL_INPUT_INTERRUPT: return VB_ENGINE_INPUT_INTERRUPT;
        default: break;
        }
    }
}

/* One VM: the boot sequence, then the REPL until a reset. */
static _Noreturn void vm_main(firmware *f)
{
    const vb_hal *hal = &f->hal.hal;
    vb_regs *regs = f->fw->regs;
    vb_repl_mode mode = regs->repl_mode == VB_REPL_MODE_RAW ? VB_REPL_MODE_RAW : VB_REPL_MODE_FRIENDLY;
    /* the first VM's line to the zygote warming up (engine/engine.h) */
    if (f->fw->import_fd >= 0 && vb_engine_warm_first_vm(f->fw->import_fd) < 0) {
        vb_engine_clear_exception();
        _exit(VB_VM_EXIT_FATAL);
    }
    vb_sandbox_enter(f->fw);    /* before the FS is mounted or device code runs */
    if (regs->soft_resets > 0) soft_reset_pins(f);
    set_stage(f, VB_STAGE_BOOT);

    /* 1. _boot: mount (Ctrl-C not armed; a Ctrl-C that ended the
     * corrupted-filesystem wait is dropped here). */
    int rc = vb_boot_mount(&f->bfs, f->fw, hal);
    vb_pyfs_set_volume(f->os_module, f->bfs.region.mounted ? &f->bfs.region.vol : NULL);
    vb_engine_clear_exception();
    if (rc == -EIO) {           /* Pycom: the firmware halts */
        for (;;) pause();
    }
    /* the image's frozen _boot.py, even in safe boot (boot.md §3.1) */
    if (f->has_image && vb_engine_run_frozen("_boot") == VB_EXEC_EXCEPTION) vb_engine_print_exception();
    stop_if_asked(f);
    /* 2-3. boot.py; main.py only in friendly mode after a clean boot.py;
     * neither in safe boot, which lasts until the next hard reset. */
    if (!regs->safe_boot) {
        set_stage(f, VB_STAGE_BOOT_PY);
        int o = run_script(f, "boot.py");
        stop_if_asked(f);
        if (o == VB_EXEC_SYSTEM_EXIT) soft_reset(f, mode);
        if (mode == VB_REPL_MODE_FRIENDLY && o != VB_EXEC_EXCEPTION) {
            set_stage(f, VB_STAGE_MAIN_PY);
            o = run_script(f, "main.py");
            stop_if_asked(f);
            if (o == VB_EXEC_SYSTEM_EXIT) soft_reset(f, mode);
        }
    }
    /* 4. The REPL in the board's mode. */
    const vb_port_ident *id = &f->fw->profile->port->ident;
    vb_repl_config rc_cfg = {
        .write = repl_write, .write_ctx = f,
        .version = f->has_image ? f->image.version : VB_ENGINE_VERSION, .build_date = id->build_date,
        .board = id->board, .mcu = id->mcu, .mode = mode,
        .complete = vb_engine_complete,
        .ctrl_f_safe_boot = hal->bootmgr_set != NULL,
    };
    vb_repl *r = vb_repl_new(&rc_cfg);
    if (!r) _exit(VB_VM_EXIT_FATAL);
    fw_input in = {hal, r};
    vb_engine_set_input_hook(input_line, &in);
    set_stage(f, VB_STAGE_REPL);
    vb_repl_start(r);
    for (;;) {
        uint8_t b;
        int n = vb_engine_rx(&b, 1, -1);   /* threads run while the REPL waits */
        stop_if_asked(f);
        if (n <= 0) {
            /* a signal woke the wait: pin IRQ handlers run now; a late
             * Ctrl-C at the idle prompt is dropped */
            (void)vb_engine_service_events();
            continue;
        }
        /* In raw and raw-paste mode a Ctrl-D acks ("OK", or the paste's
         * end) and runs the source: Ctrl-C is armed before the ack goes
         * out, so a host that interrupts right after it is never early. */
        bool armed = b == VB_CTRL_D && vb_repl_mode_get(r) == VB_REPL_MODE_RAW;
        if (armed) hal->set_executing(hal->ctx, true);
        vb_repl_action a = vb_repl_feed(r, b);
        regs->repl_mode = vb_repl_mode_get(r);   /* live, for status */
        if (armed && a != VB_REPL_EXECUTE) vb_engine_disarm();
        if (a == VB_REPL_EXECUTE) {
            size_t len;
            const uint8_t *src = vb_repl_source(r, &len);
            vb_exec_mode em = exec_mode_of(vb_repl_compile_kind(r));
            vb_exec_outcome eo = armed ? vb_engine_exec_armed((const char *)src, len, "<stdin>", em)
                                       : vb_engine_exec((const char *)src, len, "<stdin>", em);
            vb_repl_exec_output_done(r);
            if (eo == VB_EXEC_EXCEPTION) vb_engine_print_exception();
            a = vb_repl_exec_end(r, outcome_of(eo));
            stop_if_asked(f);
        }
        if (a == VB_REPL_SOFT_RESET) soft_reset(f, vb_repl_mode_get(r));
        if (a == VB_REPL_SAFE_BOOT) {          /* Pycom Ctrl-F: one software safe boot */
            (void)hal->bootmgr_set(hal->ctx, -1, -1, 1);
            leave(f, VB_VM_EXIT_HARD_RESET);
        }
    }
}

/* The firmware image this hard boot runs (boot.md §6): the slot the
 * bootloader chose, or the built-in factory image when that slot holds
 * none (a flash made before images existed, a damaged factory slot). Only
 * boards with OTA slots run images; the others' firmware is built in. */
static void load_image(firmware *f)
{
    const vb_profile *p = f->fw->profile;
    uint32_t off, size;
    char err[160];
    if (!p->otadata_offset) return;
    f->has_image = true;
    if (vb_boot_slot(p, f->fw->regs->image_slot, &off, &size) &&
        vb_fw_read_slot(f->fw->flash, off, size, &f->image_buf, &f->image, err, sizeof err) == 0)
        return;
    free(f->image_buf);
    f->image_buf = NULL;
    size_t len;
    const uint8_t *builtin = vb_fw_factory(&len);
    if (!builtin || vb_fw_parse(builtin, len, &f->image, err, sizeof err) < 0) f->has_image = false;
}

/* The image's modules as the engine takes them (views, no copies). */
static size_t frozen_modules(firmware *f)
{
    if (!f->has_image) return 0;
    for (unsigned i = 0; i < f->image.n_modules; i++)
        f->frozen[i] = (vb_frozen_module){f->image.modules[i].name,
                                          (const char *)f->image.modules[i].data,
                                          f->image.modules[i].len};
    return f->image.n_modules;
}

/* What the firmware does at each hard boot before the first VM. Pycom:
 * the heartbeat starts unless the config block says otherwise. */
static void hard_boot_hooks(firmware *f)
{
    const vb_hal *h = &f->hal.hal;
    if (h->heartbeat && h->heartbeat_on_boot(h->ctx, -1) == 1) h->heartbeat(h->ctx, 1);
}

/* A VM ended: tell the supervisor, then wait for its word (a
 * VB_ZYGOTE_* byte; 0 when the line is gone: end). */
static char next_command(const vb_firmware_ctx *fw, pid_t vm, int status)
{
    vb_zygote_report rep = {(int32_t)getpid(), (int32_t)vm, status, VB_ZYGOTE_REPORT_MAGIC};
    ssize_t w;
    while ((w = write(fw->report_fd, &rep, sizeof rep)) < 0 && errno == EINTR) {
    }
    if (w != (ssize_t)sizeof rep) return 0;
    char cmd;
    ssize_t r;
    while ((r = read(fw->cmd_fd, &cmd, 1)) < 0 && errno == EINTR) {
    }
    return r == 1 ? cmd : 0;
}

int vb_zygote_main(const vb_firmware_ctx *fw)
{
    /* Nothing of the host's environment reaches device code (os.environ,
     * os.getenv, memory); the engine's isolated configuration reads none. */
    vb_sandbox_clear_env();
    firmware f = {.fw = fw};
    vb_vm_hal_init(&f.hal, fw);
    const vb_profile *p = fw->profile;
    const vb_port *port = p->port;
    /* an Espressif MAC (24:0a:c4) or an RP2040 flash id; the flash size
     * tells boards apart */
    uint8_t uid[8] = {0x24, 0x0a, 0xc4, (uint8_t)(p->flash_size >> 20), 0x5b, 0x01, 0xe6, 0x60};
    vb_engine_config ec = {
        .hal = &f.hal.hal,
        .port = port,
        .unique_id = uid,
        .unique_id_len = port->unique_id_len < sizeof uid ? port->unique_id_len : sizeof uid,
        .no_audit_hook = fw->no_audit_hook,
        .parts = p->parts,
        .n_parts = p->n_parts,
        .fs_offset = p->fs_offset,
        .fs_size = p->fs_size,
        .heap_size = p->heap_size,
#if defined(__SANITIZE_ADDRESS__)
        .vm_as_limit = 0,          /* ASan reserves terabytes of address space */
#else
        .vm_as_limit = (size_t)1 << 30,
#endif
    };
    char err[256];
    int rc = vb_engine_init(&ec, err, sizeof err);
    if (fw->ahead) {            /* a failure too is told once the boot is under way */
        char cmd;
        ssize_t r;
        while ((r = read(fw->cmd_fd, &cmd, 1)) < 0 && errno == EINTR) {
        }
        if (r != 1 || cmd != VB_ZYGOTE_FORK) return VB_VM_EXIT_POWER_OFF;   /* never started */
    }
    /* the image the bootloader stage chose: its frozen modules */
    load_image(&f);
    if (rc == 0) rc = vb_engine_add_frozen(f.frozen, frozen_modules(&f), err, sizeof err);
    if (rc < 0) {
        tx(&f, "\r\nvboard: engine failed to start: ");
        tx(&f, err);
        tx(&f, "\r\n");
        return VB_VM_EXIT_FATAL;
    }
    /* os.uname() as extmod/modos.c builds it from the identity */
    const vb_port_ident *id = &port->ident;
    char version[64], machine[96];
    snprintf(version, sizeof version, "%s on %s", VB_ENGINE_VERSION, id->build_date);
    snprintf(machine, sizeof machine, "%s with %s", id->board, id->mcu);
    vb_pyfs_config pc = {
        .vol = NULL,               /* each VM mounts its own (vm_main) */
        .mount_point = port->mount_point,
        .sys_path = port->sys_path,
        .uname = {id->platform, id->platform, f.has_image ? f.image.version : VB_ENGINE_VERSION + 1,
                  version, machine},
        .format = port->fs_format_api ? reformat : NULL,
        .format_ctx = &f,
        .clock = vb_boot_rtc_clock(&f.hal.hal),
    };
    f.os_module = vb_pyfs_install(&pc);
    if (!f.os_module) {
        tx(&f, "\r\nvboard: filesystem layer failed to start\r\n");
        return VB_VM_EXIT_FATAL;
    }
    fw->flash->on_cut = power_lost;
    hard_boot_hooks(&f);
    vb_engine_zygote_ready();
    bool cold = true;          /* the first VM: the zygote warms up beside it */
    for (;;) {
        /* a VM that died in an idle wait left it published */
        atomic_store(&fw->regs->idle_until_us, 0);
        int line[2] = {-1, -1};
        if (cold && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, line) < 0) line[0] = line[1] = -1;
        pid_t pid = vb_engine_fork();
        if (pid == 0) {
            /* A VM never outlives its zygote. */
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            atomic_store(&fw->regs->vm_pid, getpid());
            static vb_firmware_ctx first;   /* this VM's copy, with its import line */
            if (line[0] >= 0) {
                close(line[0]);
                first = *fw;
                first.import_fd = line[1];
                f.fw = &first;
            }
            vm_main(&f);
        }
        if (line[1] >= 0) close(line[1]);
        if (pid < 0) {
            if (line[0] >= 0) close(line[0]);
            return VB_VM_EXIT_FATAL;
        }
        atomic_store(&fw->regs->vm_pid, pid);
        if (cold) {
            cold = false;
            /* what later VMs need, now that the first runs; a failure
             * leaves the modules to the first VM's errors */
            if (vb_engine_warm_up() < 0) vb_engine_clear_exception();
            if (line[0] >= 0) vb_engine_warm_serve(line[0]);
        }
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        atomic_store(&fw->regs->vm_pid, 0);
        atomic_store(&fw->regs->executing, 0);
        /* a crash is reported as 128 + signal so the supervisor can name it */
        int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (fw->report_fd < 0) {           /* no line: soft resets go on here */
            if (status != VB_VM_EXIT_SOFT_RESET) return status;
            fw->regs->soft_resets++;
            continue;
        }
        char cmd = next_command(fw, pid, status);
        if (cmd == VB_ZYGOTE_SOFT) {
            fw->regs->soft_resets++;
        } else if (cmd == VB_ZYGOTE_FORK) {
            hard_boot_hooks(&f);
        } else {
            return status;
        }
    }
}
