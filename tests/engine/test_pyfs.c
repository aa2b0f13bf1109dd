/* pyfs end to end: CPython embedded (isolated), a RAM flash formatted and
 * mounted per profile, pyfs installed, then the Python scripts in
 * tests/engine run with their output compared to the matching .exp files,
 * plus C-side checks (close-all, remount, read_file from the volume and
 * through a mounted Python VFS, the FAT checker).
 *
 * Scripts: common_*.py run on both profiles (ROOT is '' or '/flash' in
 * their globals), generic_*.py and pycom_*.py on one. Each profile runs in a
 * forked child, so each gets a fresh install; counts come back on a pipe.
 * Usage: test_pyfs [script-dir] (default tests/engine). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <dirent.h>
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
#include "board/profile.h"
#include "fs/fat.h"
#include "fs/fat_check.h"

/* Counters of this test process (one thread, one profile per child). */
static int n_pass, n_fail;

static void check(bool ok, const char *what)
{
    if (ok) n_pass++;
    else {
        n_fail++;
        fprintf(stderr, "FAIL %s\n", what);
    }
}

typedef struct board {
    const vb_profile *prof;
    const char *script_dir;
    vb_flash flash;
    vb_flash_bdev bdev;
    vb_vol vol;
    PyObject *os;
} board;

static void fixed_clock(void *ctx, vb_datetime *now)
{
    (void)ctx;
    *now = (vb_datetime){2024, 1, 2, 3, 4, 5};
}

/* The same instant for the volume: 2024-01-02 03:04:05 since 1970. */
static void fixed_now(void *ctx, int64_t *secs, uint32_t *nsec)
{
    (void)ctx;
    *secs = 1704164645;
    *nsec = 0;
}

static const vb_vol_clock vol_clock = {NULL, fixed_now};

static int mount_vol(board *b)
{
    return vb_vol_mount_fat(&b->vol, &b->bdev.bd, VB_FAT_NAMES_OEM, &vol_clock);
}

/* os.fsformat's callback: the test owns the block device. */
static int format_cb(void *ctx, vb_vol **vol)
{
    board *b = ctx;
    vb_vol_unmount(&b->vol);
    int rc = vb_fat_mkfs(&b->bdev.bd, NULL, fixed_clock, NULL);
    if (rc == 0) rc = mount_vol(b);
    *vol = &b->vol;
    return rc;
}

static char *slurp_host(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t r;
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

/* Run `src` in `globals` with stdout and stderr captured; returns the
 * captured text (new reference), an uncaught exception appended as
 * "EXC <repr>". */
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
        PyObject *w = r ? PyObject_CallMethod(sio, "write", "s", "EXC ") : NULL;
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

static PyObject *new_globals(const board *b)
{
    PyObject *g = PyDict_New();
    PyObject *root = PyUnicode_FromString(strcmp(b->prof->port->mount_point, "/") == 0 ? "" : b->prof->port->mount_point);
    if (!g || !root || PyDict_SetItemString(g, "__name__", PyUnicode_FromString("__main__")) < 0 ||
        PyDict_SetItemString(g, "__builtins__", PyEval_GetBuiltins()) < 0 ||
        PyDict_SetItemString(g, "ROOT", root) < 0) {
        Py_XDECREF(root);
        Py_XDECREF(g);
        return NULL;
    }
    Py_DECREF(root);
    return g;
}

/* Run one script file and compare with NAME.exp; keeps `globals` if given. */
static void run_script(board *b, const char *file, PyObject *globals)
{
    char path[1024], exp[1024];
    snprintf(path, sizeof path, "%s/%s", b->script_dir, file);
    snprintf(exp, sizeof exp, "%.*s.exp", (int)(strlen(path) - 3), path);
    size_t sl, el;
    char *src = slurp_host(path, &sl), *want = slurp_host(exp, &el);
    char what[1200];
    snprintf(what, sizeof what, "[%s] %s", b->prof->name, file);
    PyObject *g = globals ? Py_NewRef(globals) : new_globals(b);
    PyObject *out = src && want && g ? run_captured(src, sl, file, g) : NULL;
    const char *got = out ? PyUnicode_AsUTF8(out) : NULL;
    bool ok = got && want && strcmp(got, want) == 0;
    /* PYFS_UPDATE_EXP=1 writes a missing or empty .exp from this run
     * (review it before keeping it) */
    if (!ok && got && getenv("PYFS_UPDATE_EXP") && (!want || !want[0])) {
        FILE *f = fopen(exp, "wb");
        if (f) { fputs(got, f); fclose(f); }
    }
    check(ok, what);
    if (!ok) fprintf(stderr, "--- expected\n%s--- got\n%s---\n", want ? want : "(no .exp)", got ? got : "(none)");
    if (!got) PyErr_Print();
    Py_XDECREF(out);
    Py_XDECREF(g);
    free(src);
    free(want);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every script for this profile, sorted by name. */
static void run_scripts(board *b)
{
    DIR *d = opendir(b->script_dir);
    if (!d) {
        check(false, "script directory");
        return;
    }
    char *names[128];
    int n = 0;
    size_t pl = strlen(b->prof->name);
    struct dirent *de;
    while ((de = readdir(d)) && n < 128) {
        size_t l = strlen(de->d_name);
        bool py = l > 3 && strcmp(de->d_name + l - 3, ".py") == 0;
        bool mine = strncmp(de->d_name, "common_", 7) == 0 ||
                    (strncmp(de->d_name, b->prof->name, pl) == 0 && de->d_name[pl] == '_');
        if (py && mine) names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, by_name);
    for (int i = 0; i < n; i++) {
        run_script(b, names[i], NULL);
        free(names[i]);
    }
}

static void report_line(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "fat_check: %s\n", line);
}

static void check_volume(board *b, const char *when)
{
    char what[128];
    vb_fat_check_stats cs;
    snprintf(what, sizeof what, "[%s] fat_check clean %s", b->prof->name, when);
    check(vb_fat_check(&b->bdev.bd, report_line, NULL, &cs) == 0, what);
}

/* Files left open by device code: close_all writes them back; the volume
 * remounts with the data and checks clean. */
static void test_close_all(board *b)
{
    PyObject *g = new_globals(b);
    if (!g) { check(false, "globals"); return; }
    const char *src = "left = open('left.txt', 'w')\nleft.write('unflushed data')\n"
                      "left2 = open('left.bin', 'wb')\nleft2.write(bytes(5000))\n";
    /* files that earlier scripts dropped in reference cycles close now */
    PyGC_Collect();
    PyObject *out = run_captured(src, strlen(src), "<left>", g);
    Py_XDECREF(out);
    int n = vb_pyfs_close_all(b->os);
    check(n == 2, "close_all closed 2 files");
    check(vb_pyfs_close_all(b->os) == 0, "close_all again closes nothing");
    check(vb_vol_unmount(&b->vol) == 0, "unmount after close_all");
    check_volume(b, "after close_all");
    check(mount_vol(b) == 0, "remount");
    vb_vol_file f = {0};
    char buf[64] = {0};
    int rc = vb_vol_open(&b->vol, &f, "left.txt", "r");
    ssize_t r = rc == 0 ? vb_vol_read(&f, buf, sizeof buf - 1) : rc;
    if (rc == 0) vb_vol_close(&f);
    check(r == 14 && strcmp(buf, "unflushed data") == 0, "left.txt contents after remount");
    vb_vol_info info;
    check(vb_vol_stat(&b->vol, "left.bin", &info) == 0 && info.size == 5000, "left.bin size after remount");
    /* the same objects now say closed and refuse I/O with EBADF */
    run_script(b, "after_close_all.py", g);
    Py_DECREF(g);
}

static void test_read_file(board *b)
{
    char *data = NULL;
    size_t len = 0;
    int rc = vb_pyfs_read_file(b->os, "main.py", &data, &len);
    check(rc == 0 && len == 13 && strcmp(data, "print('main')") == 0, "read_file main.py");
    free(data);
    check(vb_pyfs_read_file(b->os, "nope.py", &data, &len) == -ENOENT, "read_file missing -> ENOENT");
    check(vb_pyfs_read_file(b->os, "lib", &data, &len) == -ENOENT, "read_file directory -> ENOENT");
}

/* Run `src` in g and compare its captured output with `want`. */
static void run_expect(board *b, PyObject *g, const char *src, const char *want, const char *what)
{
    PyObject *out = run_captured(src, strlen(src), "<vfs>", g);
    const char *got = out ? PyUnicode_AsUTF8(out) : NULL;
    bool ok = got && strcmp(got, want) == 0;
    char w[256];
    snprintf(w, sizeof w, "[%s] %s", b->prof->name, what);
    check(ok, w);
    if (!ok) fprintf(stderr, "--- expected\n%s--- got\n%s---\n", want, got ? got : "(none)");
    Py_XDECREF(out);
}

/* vb_pyfs_read_file through a Python VFS mount: the object's open(path,
 * 'rb').read() with the mount prefix stripped, bytes or str; an OSError
 * becomes its errno, anything else -EIO, and no exception is left set. */
static void test_vfs_read_file(board *b)
{
    PyObject *g = new_globals(b);
    if (!g) { check(false, "globals"); return; }
    run_expect(b, g,
               "import os\n"
               "log = []\n"
               "class F:\n"
               "    def __init__(self, d): self.d = d\n"
               "    def read(self): return self.d\n"
               "    def close(self): log.append('close')\n"
               "class V:\n"
               "    def mount(self, readonly, mkfs): pass\n"
               "    def umount(self): log.append('umount')\n"
               "    def chdir(self, path): pass\n"
               "    def open(self, path, mode):\n"
               "        log.append((path, mode))\n"
               "        if path == '/x.py': return F(b'print(1)\\n')\n"
               "        if path == '/t.py': return F('t\\u00e9')\n"
               "        if path == '/boom.py': raise ValueError(path)\n"
               "        raise OSError(2)\n"
               "os.mount(V(), '/vfs')\n",
               "", "mount a VFS for read_file");
    char *data = NULL;
    size_t len = 0;
    int rc = vb_pyfs_read_file(b->os, "/vfs/x.py", &data, &len);
    check(rc == 0 && len == 9 && strcmp(data, "print(1)\n") == 0, "read_file through a VFS (bytes)");
    free(data);
    data = NULL;
    rc = vb_pyfs_read_file(b->os, "/vfs/t.py", &data, &len);
    check(rc == 0 && len == 3 && strcmp(data, "t\xc3\xa9") == 0, "read_file through a VFS (str as UTF-8)");
    free(data);
    check(vb_pyfs_read_file(b->os, "/vfs/none.py", &data, &len) == -ENOENT && !PyErr_Occurred(),
          "read_file VFS OSError(2) -> -ENOENT, cleared");
    check(vb_pyfs_read_file(b->os, "/vfs/boom.py", &data, &len) == -EIO && !PyErr_Occurred(),
          "read_file VFS ValueError -> -EIO, cleared");
    run_expect(b, g, "os.chdir('/vfs')\n", "", "chdir into the VFS");
    data = NULL;
    rc = vb_pyfs_read_file(b->os, "x.py", &data, &len);
    check(rc == 0 && len == 9, "read_file relative to a cwd in the VFS");
    free(data);
    run_expect(b, g, "os.chdir(ROOT or '/')\nos.umount('/vfs')\nprint(log)\n",
               "[('/x.py', 'rb'), 'close', ('/t.py', 'rb'), 'close', ('/none.py', 'rb'), "
               "('/boom.py', 'rb'), ('/x.py', 'rb'), 'close', 'umount']\n",
               "VFS calls of read_file");
    int gone = strcmp(b->prof->port->mount_point, "/") ? -ENODEV : -ENOENT;
    check(vb_pyfs_read_file(b->os, "/vfs/x.py", &data, &len) == gone, "read_file after umount");
    Py_DECREF(g);
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
    const char *pre[] = {"io", "hashlib", "_warnings", "collections", NULL};
    for (int i = 0; pre[i]; i++) {
        PyObject *m = PyImport_ImportModule(pre[i]);
        if (!m) { PyErr_Print(); return -1; }
        Py_DECREF(m);
    }
    return 0;
}

/* One profile, in the forked child. */
static void run_profile(const vb_profile *p, const char *dir)
{
    board *b = calloc(1, sizeof *b);
    b->prof = p;
    b->script_dir = dir;
    if (vb_flash_open_ram(&b->flash, p->fs_size) < 0 ||
        vb_flash_bdev_init(&b->bdev, &b->flash, 0, p->fs_size, p->fs_sector_size, p->fs_writeback_block) < 0 ||
        vb_fat_mkfs(&b->bdev.bd, NULL, fixed_clock, NULL) < 0 ||
        mount_vol(b) < 0) {
        check(false, "flash setup");
        return;
    }
    bool pycom = strcmp(p->port->mount_point, "/") != 0;
    vb_pyfs_config cfg = {
        .vol = &b->vol, .mount_point = p->port->mount_point, .sys_path = p->port->sys_path,
        .uname = {"esp32", "esp32", "1.20.0", "v1.20.0 on 2024-01-02", "ESP32 module with ESP32"},
        .format = pycom ? format_cb : NULL, .format_ctx = b, .clock = vol_clock,
    };
    b->os = vb_pyfs_install(&cfg);
    if (!b->os) {
        PyErr_Print();
        check(false, "install");
        return;
    }
    check(true, "install");
    run_scripts(b);
    test_read_file(b);
    test_vfs_read_file(b);
    test_close_all(b);
    if (pycom) run_script(b, "last_fsformat.py", NULL);
    check(vb_vol_sync(&b->vol) == 0, "final sync");
    check_volume(b, "at the end");
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tests/engine";
    if (init_python() < 0) return 2;
    const char *profiles[] = {"generic", "pycom"};
    int total_pass = 0, total_fail = 0;
    for (int i = 0; i < 2; i++) {
        int fds[2];
        if (pipe(fds) < 0) return 2;
        fflush(NULL);
        PyOS_BeforeFork();
        pid_t pid = fork();
        if (pid == 0) {
            PyOS_AfterFork_Child();
            close(fds[0]);
            run_profile(vb_profile_find(profiles[i]), dir);
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
            fprintf(stderr, "FAIL profile %s: child died\n", profiles[i]);
        }
        close(fds[0]);
        waitpid(pid, &st, 0);
        fprintf(stderr, "%s: %d passed, %d failed\n", profiles[i], counts[0], counts[1]);
        total_pass += counts[0];
        total_fail += counts[1];
    }
    printf("%d passed, %d failed\n", total_pass, total_fail);
    Py_FinalizeEx();
    return total_fail ? 1 : 0;
}
