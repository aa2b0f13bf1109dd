/* The vfs module (issue 12 §3) with CPython embedded: pyfs installed over a
 * RAM flash board volume, then Python scripts whose output must equal the
 * matching .exp file, with the soft reset's vb_pyfs_close_all done from C
 * between two of them.
 *
 * Two boards, each in a forked child (one pyfs install per process):
 *  - esp32's layout, littlefs at "/": vfs_lfs_module.py (VfsLfs2/VfsFat
 *    over Python block devices, autodetect, errors, failing, hostile and
 *    re-entrant devices), then close_all, then vfs_lfs_after_reset.py (the
 *    littlefs file on a board-file device was written back, in that order);
 *  - Pycom's, FAT at /flash: vfs_fat_board.py.
 * The clock is fixed at 2024-01-02 03:04:05. PYFS_UPDATE_EXP=1 writes a
 * missing or empty .exp from the run (review it before keeping it).
 * Usage: test_vfs_module [script-dir] (default tests/engine). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/pyfs.h"
#include "flash/flash.h"
#include "flash/flash_bdev.h"
#include "flash/flash_lfs2dev.h"
#include "fs/fat.h"
#include "fs/lfs2.h"

#define BOARD_FS_SIZE (256u * 1024u)

static int n_pass, n_fail;
static const char *script_dir = "tests/engine";

static void check(bool ok, const char *what)
{
    if (ok) n_pass++;
    else {
        n_fail++;
        fprintf(stderr, "FAIL %s\n", what);
    }
}

static void fixed_now(void *ctx, int64_t *secs, uint32_t *nsec)
{
    (void)ctx;
    *secs = 1704164645;                /* 2024-01-02 03:04:05 */
    *nsec = 0;
}

static const vb_vol_clock vol_clock = {NULL, fixed_now};

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0, r;
    char *buf = malloc(cap + 1);
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    *len = n;
    return buf;
}

/* `src` run in `globals` with stdout and stderr captured (new reference);
 * an uncaught exception is appended as "EXC <repr>". */
static PyObject *run_captured(const char *src, size_t len, const char *name, PyObject *globals)
{
    PyObject *io = PyImport_ImportModule("io");
    PyObject *sio = io ? PyObject_CallMethod(io, "StringIO", NULL) : NULL;
    Py_XDECREF(io);
    if (!sio) return NULL;
    PyObject *old_out = Py_XNewRef(PySys_GetObject("stdout"));
    PyObject *old_err = Py_XNewRef(PySys_GetObject("stderr"));
    PySys_SetObject("stdout", sio);
    PySys_SetObject("stderr", sio);
    PyObject *code = vb_pyfs_compile(src, len, name, Py_file_input);
    PyObject *res = code ? PyEval_EvalCode(code, globals, globals) : NULL;
    Py_XDECREF(code);
    if (!res) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
        PyObject *r = v ? PyObject_Repr(v) : NULL;
        PyObject *w = PyObject_CallMethod(sio, "write", "s", "EXC ");
        Py_XDECREF(w);
        w = r ? PyObject_CallMethod(sio, "write", "O", r) : NULL;
        Py_XDECREF(w);
        w = PyObject_CallMethod(sio, "write", "s", "\n");
        Py_XDECREF(w);
        PyErr_Clear();
        Py_XDECREF(r);
        Py_XDECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
    }
    Py_XDECREF(res);
    PySys_SetObject("stdout", old_out);
    PySys_SetObject("stderr", old_err);
    Py_XDECREF(old_out);
    Py_XDECREF(old_err);
    PyObject *out = PyObject_CallMethod(sio, "getvalue", NULL);
    Py_DECREF(sio);
    return out;
}

static PyObject *new_globals(void)
{
    PyObject *g = PyDict_New();
    PyObject *name = PyUnicode_FromString("__main__");
    if (!g || !name || PyDict_SetItemString(g, "__name__", name) < 0 ||
        PyDict_SetItemString(g, "__builtins__", PyEval_GetBuiltins()) < 0)
        Py_CLEAR(g);
    Py_XDECREF(name);
    return g;
}

/* Run script `file` in globals; its output must be file's .exp. */
static void run_script(const char *file, PyObject *globals)
{
    char path[1024], exp[1024];
    snprintf(path, sizeof path, "%s/%s", script_dir, file);
    snprintf(exp, sizeof exp, "%.*s.exp", (int)(strlen(path) - 3), path);
    size_t sl, el;
    char *src = slurp(path, &sl), *want = slurp(exp, &el);
    PyObject *out = src && want ? run_captured(src, sl, file, globals) : NULL;
    const char *got = out ? PyUnicode_AsUTF8(out) : NULL;
    bool ok = got && want && strcmp(got, want) == 0;
    if (!ok && got && getenv("PYFS_UPDATE_EXP") && (!want || !want[0])) {
        FILE *f = fopen(exp, "wb");
        if (f) { fputs(got, f); fclose(f); }
    }
    check(ok, file);
    if (!ok) fprintf(stderr, "--- expected\n%s--- got\n%s---\n", want ? want : "(no .exp)", got ? got : "(none)");
    check(!PyErr_Occurred(), "no exception left set");
    PyErr_Clear();
    Py_XDECREF(out);
    free(src);
    free(want);
}

static int init_python(void)
{
    PyConfig c;
    PyConfig_InitIsolatedConfig(&c);
    c.site_import = 0;
    c.user_site_directory = 0;
    c.write_bytecode = 0;
    PyStatus s = Py_InitializeFromConfig(&c);
    PyConfig_Clear(&c);
    if (PyStatus_Exception(s)) {
        fprintf(stderr, "Python init failed\n");
        return -1;
    }
    /* what the zygote pre-imports before pyfs takes the host away */
    const char *pre[] = {"io", "hashlib", "_warnings", "collections", "gc", "_weakref", NULL};
    for (int i = 0; pre[i]; i++) {
        PyObject *m = PyImport_ImportModule(pre[i]);
        if (!m) { PyErr_Print(); return -1; }
        Py_DECREF(m);
    }
    return 0;
}

static PyObject *install(vb_vol *vol, const char *mount_point)
{
    static const char *const sys_path[] = {"", "/lib", NULL};
    vb_pyfs_config cfg = {
        .vol = vol, .mount_point = mount_point, .sys_path = sys_path,
        .uname = {"esp32", "esp32", "1.24.1", "v1.24.1 on 2024-01-02", "ESP32 module with ESP32"},
        .clock = vol_clock,
    };
    PyObject *os = vb_pyfs_install(&cfg);
    if (!os) PyErr_Print();
    check(os != NULL, "install");
    return os;
}

/* esp32: littlefs at "/", as VfsLfs2.mkfs makes it on the 4 KiB flash. */
static void run_lfs_board(void)
{
    static vb_flash flash;
    static vb_flash_lfs2dev dev;
    static vb_lfs2_config cfg;
    static vb_vol vol;
    vb_lfs2_config_micropython(&cfg, VB_FLASH_BLOCK, 32);
    if (vb_flash_open_ram(&flash, BOARD_FS_SIZE) < 0 ||
        vb_flash_lfs2dev_init(&dev, &flash, 0, BOARD_FS_SIZE) < 0 ||
        vb_lfs2_format(&dev.dev, &cfg) < 0 || vb_vol_mount_lfs2(&vol, &dev.dev, &cfg, true, &vol_clock) < 0) {
        check(false, "littlefs board volume");
        return;
    }
    PyObject *os = install(&vol, "/");
    PyObject *g = os ? new_globals() : NULL;
    if (!g) return;
    run_script("vfs_lfs_module.py", g);
    /* the soft reset: every file still open is closed, the volume stays */
    PyGC_Collect();
    int n = vb_pyfs_close_all(os);
    check(n >= 2, "close_all closed the littlefs file and its device's board file");
    check(!PyErr_Occurred(), "close_all leaves no exception");
    run_script("vfs_lfs_after_reset.py", g);
    Py_DECREF(g);
    check(vb_pyfs_close_all(os) >= 0, "close_all again");
    check(vb_vol_unmount(&vol) == 0, "board volume unmounts");
}

/* Pycom: FAT at /flash, 512-byte sectors. */
static void run_fat_board(void)
{
    static vb_flash flash;
    static vb_flash_bdev bdev;
    static vb_vol vol;
    if (vb_flash_open_ram(&flash, BOARD_FS_SIZE) < 0 ||
        vb_flash_bdev_init(&bdev, &flash, 0, BOARD_FS_SIZE, 512, false) < 0 ||
        vb_fat_mkfs(&bdev.bd, NULL, vb_vol_clock_fat, (void *)&vol_clock) < 0 ||
        vb_vol_mount_fat(&vol, &bdev.bd, VB_FAT_NAMES_OEM, &vol_clock) < 0) {
        check(false, "FAT board volume");
        return;
    }
    PyObject *os = install(&vol, "/flash");
    PyObject *g = os ? new_globals() : NULL;
    if (!g) return;
    run_script("vfs_fat_board.py", g);
    Py_DECREF(g);
    check(vb_vol_unmount(&vol) == 0, "board volume unmounts");
}

int main(int argc, char **argv)
{
    if (argc > 1) script_dir = argv[1];
    if (init_python() < 0) return 2;
    void (*const boards[])(void) = {run_lfs_board, run_fat_board};
    const char *names[] = {"littlefs at /", "FAT at /flash"};
    int total_pass = 0, total_fail = 0;
    for (size_t i = 0; i < sizeof boards / sizeof boards[0]; i++) {
        int fds[2];
        if (pipe(fds) < 0) return 2;
        fflush(NULL);
        PyOS_BeforeFork();
        pid_t pid = fork();
        if (pid == 0) {
            PyOS_AfterFork_Child();
            close(fds[0]);
            boards[i]();
            int counts[2] = {n_pass, n_fail};
            if (write(fds[1], counts, sizeof counts) != (ssize_t)sizeof counts) _exit(3);
            fflush(NULL);
            _exit(0);
        }
        PyOS_AfterFork_Parent();
        close(fds[1]);
        int counts[2] = {0, 1}, st = 0;
        if (read(fds[0], counts, sizeof counts) != (ssize_t)sizeof counts) {
            counts[0] = 0;
            counts[1] = 1;
            fprintf(stderr, "FAIL %s: child died\n", names[i]);
        }
        close(fds[0]);
        waitpid(pid, &st, 0);
        fprintf(stderr, "%s: %d passed, %d failed\n", names[i], counts[0], counts[1]);
        total_pass += counts[0];
        total_fail += counts[1];
    }
    printf("%d passed, %d failed\n", total_pass, total_fail);
    Py_FinalizeEx();
    return total_fail ? 1 : 0;
}
