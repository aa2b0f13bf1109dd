/* The board library (pylib.h): which of its files are modules of the
 * running port (the module table's VB_MOD_PYLIB entries name the top-level
 * modules; a package's submodules come with it), and their code objects.
 *
 * Cost: compiling asyncio's sources takes a fresh VM some milliseconds, so
 * the zygote compiles the port's whole board library once, in its warm-up
 * after the first VM (engine_warm.c), and every later VM runs the ready
 * code objects (README: figures). */
#include "engine_int.h"
#include "engine/pylib.h"

#include <stdio.h>
#include <string.h>

/* path -> code object of the port's board library, compiled by the zygote
 * (NULL until then). Why global: one per process, filled once in the
 * zygote and only read by its VMs, which inherit it at fork. */
static PyObject *precompiled;

/* The table entry offering top-level module `top` (n bytes) as board library. */
static bool offered_top(const char *top, size_t n)
{
    for (const vb_module_def *m = vb_engine_modules; m->name; m++)
        if (m->how == VB_MOD_PYLIB && strlen(m->name) == n && memcmp(m->name, top, n) == 0)
            return vb_module_offered(m);
    return false;
}

const vb_pylib_file *vb_pylib_file_named(const char *path)
{
    for (const vb_pylib_file *f = vb_pylib_files; f->path; f++)
        if (strcmp(f->path, path) == 0) return f;
    return NULL;
}

const vb_pylib_file *vb_pylib_module(const char *fullname, bool *pkg)
{
    size_t n = strlen(fullname);
    const char *dot = strchr(fullname, '.');
    if (n == 0 || n > 200 || !offered_top(fullname, dot ? (size_t)(dot - fullname) : n)) return NULL;
    char path[256];
    size_t i;
    for (i = 0; i < n; i++) path[i] = fullname[i] == '.' ? '/' : fullname[i];
    snprintf(path + n, sizeof path - n, "/__init__.py");
    const vb_pylib_file *f = vb_pylib_file_named(path);
    *pkg = f != NULL;
    if (f) return f;
    snprintf(path + n, sizeof path - n, ".py");
    return vb_pylib_file_named(path);
}

bool vb_pylib_any_offered(void)
{
    for (const vb_module_def *m = vb_engine_modules; m->name; m++)
        if (m->how == VB_MOD_PYLIB && vb_module_offered(m)) return true;
    return false;
}

/* Whether the file belongs to a module the port offers. */
static bool file_offered(const vb_pylib_file *f)
{
    const char *end = strpbrk(f->path, "/.");
    return end && offered_top(f->path, (size_t)(end - f->path));
}

PyObject *vb_pylib_code(const vb_pylib_file *f)
{
    PyObject *code = precompiled ? PyDict_GetItemString(precompiled, f->path) : NULL; /* borrowed */
    if (code) return Py_NewRef(code);
    return vb_engine_compile(f->source, f->len, f->path, VB_EXEC_MODULE);
}

int vb_pylib_precompile(void)
{
    if (precompiled) return 0;
    PyObject *d = PyDict_New();
    for (const vb_pylib_file *f = vb_pylib_files; d && f->path; f++) {
        if (!file_offered(f)) continue;
        PyObject *code = vb_engine_compile(f->source, f->len, f->path, VB_EXEC_MODULE);
        if (!code || PyDict_SetItemString(d, f->path, code) < 0) Py_CLEAR(d);
        Py_XDECREF(code);
    }
    if (!d) return -1;
    precompiled = d;
    return 0;
}
