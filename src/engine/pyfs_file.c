/* File objects and open(): io.FileIO (binary) and io.TextIOWrapper (text,
 * UTF-8) over one vb_vol_file each, with MicroPython's modes and errors
 * (flash.md §4.6). Every open file is linked in the os module's registry
 * so a soft reset can close them all. A file on a vfs.VfsFat/VfsLfs2
 * volume holds that object (its `owner`) and makes every call into the
 * volume inside pyfs_vol_enter/leave, since the block device under it is
 * Python code. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pyfs_int.h"
#include "util/utf8.h"

#define READ_CHUNK 4096
#define LINE_CHUNK 128

static void registry_link(pyfs_file *pf)
{
    pyfs_state *st = pf->st;
    pf->prev = NULL;
    pf->next = st->open_files;
    if (st->open_files) st->open_files->prev = pf;
    st->open_files = pf;
}

static void registry_unlink(pyfs_file *pf)
{
    if (pf->prev) pf->prev->next = pf->next;
    else if (pf->st->open_files == pf) pf->st->open_files = pf->next;
    if (pf->next) pf->next->prev = pf->prev;
    pf->prev = pf->next = NULL;
}

int pyfs_file_close_raw(pyfs_file *pf)
{
    if (!pf->f.open) return 0;         /* closing twice is allowed */
    registry_unlink(pf);
    return vb_vol_close(&pf->f);
}

PyObject *pyfs_open_files(pyfs_state *st, pyfs_which which, PyObject *owner)
{
    PyObject *list = PyList_New(0);
    for (pyfs_file *pf = st->open_files; list && pf; pf = pf->next) {
        bool take = which == PYFS_FILES_ALL || (which == PYFS_FILES_BOARD && !pf->owner) ||
                    (which == PYFS_FILES_MOUNTED && pf->owner) ||
                    (which == PYFS_FILES_OF && pf->owner == owner);
        /* appending runs no Python code: the registry holds still */
        if (take && PyList_Append(list, (PyObject *)pf) < 0) Py_CLEAR(list);
    }
    return list;
}

/* As MicroPython's finaliser: an unreachable open file is closed. While
 * its volume is busy (the last reference went inside a block device call)
 * the driver cannot be entered, and the memory must outlive the driver's
 * handle: the owner keeps the object until the call ends. */
static void file_finalize(PyObject *self)
{
    pyfs_file *pf = (pyfs_file *)self;
    if (!pf->f.open) return;
    PyObject *et, *ev, *etb;
    PyErr_Fetch(&et, &ev, &etb);
    if (pyfs_vol_busy(pf->owner)) {
        if (pyfs_vol_defer_close(pf->owner, self) < 0) {
            PyErr_Clear();
            Py_INCREF(self);           /* no memory to defer: never freed, never closed */
        }
    } else if (pyfs_vol_enter(pf->owner) == 0) {
        pyfs_file_close_raw(pf);
        if (pyfs_vol_leave(pf->owner)) PyErr_Clear();   /* nobody to tell */
    }
    PyErr_Clear();
    PyErr_Restore(et, ev, etb);
}

static void file_dealloc(PyObject *self)
{
    if (PyObject_CallFinalizerFromDealloc(self) < 0) return;   /* kept until its close */
    PyTypeObject *tp = Py_TYPE(self);
    Py_CLEAR(((pyfs_file *)self)->owner);
    tp->tp_free(self);
    Py_DECREF(tp);
}

/* One file method: fn runs inside pyfs_vol_enter/leave of the file's
 * owner, so a device exception under it replaces its result. */
typedef PyObject *(*file_op)(pyfs_file *pf, PyObject *arg);

static PyObject *guarded(PyObject *self, PyObject *arg, file_op fn)
{
    pyfs_file *pf = (pyfs_file *)self;
    PyObject *owner = Py_XNewRef(pf->owner);
    if (pyfs_vol_enter(owner) < 0) {
        Py_XDECREF(owner);
        return NULL;
    }
    PyObject *res = fn(pf, arg);
    if (pyfs_vol_leave(owner)) Py_CLEAR(res);
    Py_XDECREF(owner);
    return res;
}

/* The bytes a text or binary result is made of. */
static PyObject *make_result(pyfs_file *pf, const char *buf, size_t n)
{
    if (pf->text) return PyUnicode_DecodeUTF8(buf, (Py_ssize_t)n, "strict");
    return PyBytes_FromStringAndSize(buf, (Py_ssize_t)n);
}

/* Read up to n bytes, looping over short reads until n or the end. */
static ssize_t read_full(pyfs_file *pf, char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = vb_vol_read(&pf->f, buf + got, n - got);
        if (r < 0) return r;
        if (r == 0) break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static PyObject *read_all(pyfs_file *pf)
{
    int64_t size = vb_vol_size(&pf->f), pos = vb_vol_seek(&pf->f, 0, SEEK_CUR);
    if (size < 0 || pos < 0) return vb_raise_errno((int)(size < 0 ? size : pos));
    size_t cap = size > pos ? (size_t)(size - pos) : 0;
    char *buf = malloc(cap + 1);
    if (!buf) return PyErr_NoMemory();
    ssize_t r = read_full(pf, buf, cap);
    PyObject *res = r < 0 ? vb_raise_errno((int)r) : make_result(pf, buf, (size_t)r);
    free(buf);
    return res;
}

/* Text read(n): n characters, so a character split by the byte count is
 * completed with its continuation bytes. */
static PyObject *read_chars(pyfs_file *pf, size_t nchars)
{
    size_t cap = nchars * 4 + 4, len = 0, chars = 0;
    char *buf = malloc(cap);
    if (!buf) return PyErr_NoMemory();
    ssize_t r = 0;
    while (chars < nchars) {
        r = read_full(pf, buf + len, nchars - chars);
        if (r <= 0) break;
        size_t start = len;
        len += (size_t)r;
        for (size_t i = start; i < len; i++)
            if (((unsigned char)buf[i] & 0xC0) != 0x80) chars++;
        /* complete the last character when its tail was not read */
        size_t k = len;
        while (k > 0 && ((unsigned char)buf[k - 1] & 0xC0) == 0x80) k--;
        if (k > 0) {
            /* a byte that cannot lead a sequence is a character alone */
            size_t want = vb_utf8_lead_len((uint8_t)buf[k - 1]);
            if (want == 0) want = 1;
            if (len - (k - 1) < want) {
                r = read_full(pf, buf + len, want - (len - (k - 1)));
                if (r < 0) break;
                len += (size_t)r;
            }
        }
    }
    PyObject *res = r < 0 ? vb_raise_errno((int)r) : make_result(pf, buf, len);
    free(buf);
    return res;
}

static PyObject *do_read(pyfs_file *pf, PyObject *args)
{
    Py_ssize_t n = -1;
    if (!PyArg_ParseTuple(args, "|n:read", &n)) return NULL;
    if (!pf->f.open) return vb_raise_errno(EBADF);
    if (!pf->f.readable) return vb_raise_errno(pf->f.vol->ops->denied_errno);
    if (n < 0) return read_all(pf);
    if (pf->text) return read_chars(pf, (size_t)n);
    PyObject *b = PyBytes_FromStringAndSize(NULL, n);
    if (!b) return NULL;
    ssize_t r = read_full(pf, PyBytes_AS_STRING(b), (size_t)n);
    if (r < 0) {
        Py_DECREF(b);
        return vb_raise_errno((int)r);
    }
    if (r == n) return b;
    PyObject *res = PyBytes_FromStringAndSize(PyBytes_AS_STRING(b), r);
    Py_DECREF(b);
    return res;
}

static PyObject *do_readinto(pyfs_file *pf, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t n = -1;
    if (!PyArg_ParseTuple(args, "w*|n:readinto", &view, &n)) return NULL;
    if (pf->f.open && !pf->f.readable) {
        PyBuffer_Release(&view);
        return vb_raise_errno(pf->f.vol->ops->denied_errno);
    }
    size_t want = (size_t)view.len;
    if (n >= 0 && (size_t)n < want) want = (size_t)n;
    ssize_t r = read_full(pf, view.buf, want);
    PyBuffer_Release(&view);
    if (r < 0) return vb_raise_errno((int)r);
    return PyLong_FromSsize_t(r);
}

/* One line including its '\n', at most `limit` bytes (-1: no limit). Reads
 * in chunks and seeks back over what follows the line. */
static PyObject *read_line(pyfs_file *pf, Py_ssize_t limit)
{
    if (!pf->f.open) return vb_raise_errno(EBADF);
    if (!pf->f.readable) return vb_raise_errno(pf->f.vol->ops->denied_errno);
    size_t cap = LINE_CHUNK, len = 0;
    char *buf = malloc(cap);
    if (!buf) return PyErr_NoMemory();
    int err = 0;
    for (;;) {
        size_t want = LINE_CHUNK;
        if (limit >= 0 && (size_t)limit - len < want) want = (size_t)limit - len;
        if (want == 0) break;
        if (len + want > cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); return PyErr_NoMemory(); }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = vb_vol_read(&pf->f, buf + len, want);
        if (r < 0) { err = (int)r; break; }
        if (r == 0) break;
        char *nl = memchr(buf + len, '\n', (size_t)r);
        if (nl) {
            size_t keep = (size_t)(nl - buf) + 1, extra = len + (size_t)r - keep;
            len = keep;
            if (extra) {
                int64_t s = vb_vol_seek(&pf->f, -(int64_t)extra, SEEK_CUR);
                if (s < 0) err = (int)s;
            }
            break;
        }
        len += (size_t)r;
    }
    PyObject *res = err ? vb_raise_errno(err) : make_result(pf, buf, len);
    free(buf);
    return res;
}

static PyObject *do_readline(pyfs_file *pf, PyObject *args)
{
    Py_ssize_t limit = -1;
    if (!PyArg_ParseTuple(args, "|n:readline", &limit)) return NULL;
    return read_line(pf, limit);
}

static PyObject *do_readlines(pyfs_file *pf, PyObject *Py_UNUSED(ignored))
{
    PyObject *list = PyList_New(0);
    while (list) {
        PyObject *line = read_line(pf, -1);
        if (!line) { Py_CLEAR(list); break; }
        Py_ssize_t n = PyObject_Length(line);
        if (n > 0 && PyList_Append(list, line) < 0) Py_CLEAR(list);
        Py_DECREF(line);
        if (n <= 0) break;
    }
    return list;
}

static PyObject *do_write(pyfs_file *pf, PyObject *arg)
{
    Py_buffer view;
    PyObject *enc = NULL;
    /* the wrong direction is the driver's "denied" (FatFs EACCES, littlefs
     * EBADF); closed is EBADF */
    if (pf->f.open && !pf->f.writable) return vb_raise_errno(pf->f.vol->ops->denied_errno);
    /* MicroPython's stream write takes any buffer, str included, in both
     * modes, and returns the byte count. */
    if (PyUnicode_Check(arg)) {
        if (!(enc = PyUnicode_AsUTF8String(arg))) return NULL;
        arg = enc;
    }
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) {
        Py_XDECREF(enc);
        return NULL;
    }
    ssize_t r = vb_vol_write(&pf->f, view.buf, (size_t)view.len);
    Py_ssize_t want = view.len;
    PyBuffer_Release(&view);
    Py_XDECREF(enc);
    if (r < 0) return vb_raise_errno((int)r);
    if (r != want) return vb_raise_errno(ENOSPC);    /* volume full */
    return PyLong_FromSsize_t(r);
}

static PyObject *do_seek(pyfs_file *pf, PyObject *args)
{
    long long off;
    int whence = 0;
    if (!PyArg_ParseTuple(args, "L|i:seek", &off, &whence)) return NULL;
    if (whence < 0 || whence > 2) return vb_raise_errno(EINVAL);
    int64_t r = vb_vol_seek(&pf->f, off, whence);
    if (r < 0) return vb_raise_errno((int)r);
    return PyLong_FromLongLong(r);
}

static PyObject *do_tell(pyfs_file *pf, PyObject *Py_UNUSED(ignored))
{
    int64_t r = vb_vol_seek(&pf->f, 0, SEEK_CUR);
    if (r < 0) return vb_raise_errno((int)r);
    return PyLong_FromLongLong(r);
}

static PyObject *do_flush(pyfs_file *pf, PyObject *Py_UNUSED(ignored))
{
    int r = vb_vol_flush(&pf->f);
    if (r < 0) return vb_raise_errno(r);
    Py_RETURN_NONE;
}

static PyObject *do_close(pyfs_file *pf, PyObject *Py_UNUSED(ignored))
{
    int r = pyfs_file_close_raw(pf);
    if (r < 0) return vb_raise_errno(r);
    Py_RETURN_NONE;
}

static PyObject *do_iternext(pyfs_file *pf, PyObject *Py_UNUSED(ignored))
{
    PyObject *line = read_line(pf, -1);
    if (line && PyObject_Length(line) == 0) Py_CLEAR(line);  /* StopIteration */
    return line;
}

static PyObject *file_read(PyObject *self, PyObject *a) { return guarded(self, a, do_read); }
static PyObject *file_readinto(PyObject *self, PyObject *a) { return guarded(self, a, do_readinto); }
static PyObject *file_readline(PyObject *self, PyObject *a) { return guarded(self, a, do_readline); }
static PyObject *file_readlines(PyObject *self, PyObject *u) { return guarded(self, u, do_readlines); }
static PyObject *file_write(PyObject *self, PyObject *a) { return guarded(self, a, do_write); }
static PyObject *file_seek(PyObject *self, PyObject *a) { return guarded(self, a, do_seek); }
static PyObject *file_tell(PyObject *self, PyObject *u) { return guarded(self, u, do_tell); }
static PyObject *file_flush(PyObject *self, PyObject *u) { return guarded(self, u, do_flush); }
static PyObject *file_close(PyObject *self, PyObject *u) { return guarded(self, u, do_close); }
static PyObject *file_iternext(PyObject *self) { return guarded(self, NULL, do_iternext); }

static PyObject *file_enter(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return Py_NewRef(self);
}

static PyObject *file_exit(PyObject *self, PyObject *Py_UNUSED(args))
{
    return file_close(self, NULL);
}

static PyObject *file_get_closed(PyObject *self, void *Py_UNUSED(closure))
{
    return PyBool_FromLong(!((pyfs_file *)self)->f.open);
}

static PyObject *file_repr(PyObject *self)
{
    return PyUnicode_FromFormat("<%s %p>", Py_TYPE(self)->tp_name, (void *)self);
}

static PyMethodDef file_methods[] = {
    {"read", file_read, METH_VARARGS, NULL},
    {"readinto", file_readinto, METH_VARARGS, NULL},
    {"readline", file_readline, METH_VARARGS, NULL},
    {"readlines", file_readlines, METH_NOARGS, NULL},
    {"write", file_write, METH_O, NULL},
    {"seek", file_seek, METH_VARARGS, NULL},
    {"tell", file_tell, METH_NOARGS, NULL},
    {"flush", file_flush, METH_NOARGS, NULL},
    {"close", file_close, METH_NOARGS, NULL},
    {"__enter__", file_enter, METH_NOARGS, NULL},
    {"__exit__", file_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef file_getset[] = {
    {"closed", file_get_closed, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot file_slots[] = {
    {Py_tp_dealloc, (void *)file_dealloc},
    {Py_tp_finalize, (void *)file_finalize},
    {Py_tp_repr, (void *)file_repr},
    {Py_tp_iter, (void *)PyObject_SelfIter},
    {Py_tp_iternext, (void *)file_iternext},
    {Py_tp_methods, file_methods},
    {Py_tp_getset, file_getset},
    {0, NULL},
};

int pyfs_file_types_init(PyObject *module, pyfs_state *st)
{
    PyType_Spec bin = {"io.FileIO", sizeof(pyfs_file), 0,
                       Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, file_slots};
    PyType_Spec text = bin;
    text.name = "io.TextIOWrapper";
    st->bin_type = PyType_FromModuleAndSpec(module, &bin, NULL);
    st->text_type = PyType_FromModuleAndSpec(module, &text, NULL);
    return st->bin_type && st->text_type ? 0 : -1;
}

/* MicroPython's mode letters; unknown ones are ignored as upstream does.
 * "rw"-style combinations read and write. */
static void parse_mode(const char *m, char out[4], bool *text)
{
    char primary = 0;
    bool plus = false, r = false;
    *text = true;
    for (; *m; m++) {
        switch (*m) {
        case 'r': r = true; break;
        case 'w': case 'x': case 'a': primary = *m; break;
        case '+': plus = true; break;
        case 'b': *text = false; break;
        case 't': *text = true; break;
        default: break;
        }
    }
    if (!primary) primary = 'r';
    else if (r) plus = true;
    out[0] = primary;
    out[1] = plus ? '+' : '\0';
    out[2] = '\0';
}

PyObject *pyfs_file_open(pyfs_state *st, vb_vol *v, PyObject *owner, const char *path,
                         const char *mode)
{
    char fmode[4];
    bool text;
    parse_mode(mode, fmode, &text);
    PyTypeObject *tp = (PyTypeObject *)(text ? st->text_type : st->bin_type);
    pyfs_file *pf = PyObject_New(pyfs_file, tp);
    if (!pf) return NULL;
    pf->st = st;
    pf->prev = pf->next = NULL;
    pf->text = text;
    pf->owner = Py_XNewRef(owner);
    memset(&pf->f, 0, sizeof pf->f);
    int rc = vb_vol_open(v, &pf->f, path, fmode);
    if (rc < 0) {
        Py_DECREF(pf);                 /* f.open is false: nothing to close */
        return vb_raise_errno(rc);
    }
    registry_link(pf);
    return (PyObject *)pf;
}

static PyObject *pyfs_open(PyObject *module, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"file", "mode", "buffering", "encoding", "errors",
                             "newline", "closefd", "opener", NULL};
    PyObject *file, *ignored[6];
    const char *mode = "r";
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|sOOOOOO:open", kwlist, &file, &mode,
                                     &ignored[0], &ignored[1], &ignored[2], &ignored[3],
                                     &ignored[4], &ignored[5]))
        return NULL;
    pyfs_state *st = pyfs_state_of_module(module);
    PyObject *pb = pyfs_path_bytes(file);
    if (!pb) return NULL;
    pyfs_loc loc;
    int rc = pyfs_resolve(st, PyBytes_AS_STRING(pb), &loc);
    Py_DECREF(pb);
    if (rc == 0 && loc.where == PYFS_IN_VFS) {
        /* the object's open(path, mode) result is the file (upstream) */
        PyObject *m = PyUnicode_FromString(mode);
        PyObject *r = m ? pyfs_vfs_call(&loc, "open", PyBytes_Check(file), m) : NULL;
        Py_XDECREF(m);
        return r;
    }
    if (rc == 0) rc = pyfs_vol_err(&loc);
    if (rc < 0) return vb_raise_errno(rc);
    return pyfs_file_open(st, st->vol, NULL, loc.rest, mode);
}

static PyMethodDef open_def = {
    "open", (PyCFunction)(void (*)(void))pyfs_open, METH_VARARGS | METH_KEYWORDS, NULL,
};

PyObject *pyfs_open_function(PyObject *module)
{
    return PyCFunction_NewEx(&open_def, module, NULL);
}
