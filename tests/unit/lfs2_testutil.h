/* Helpers shared by the littlefs tests: whole-file put/get, a listing of
 * the tree in the fixtures' manifest format, the checker as a one-liner.
 * Header-only (static inline, so a test need not use them all). */
#ifndef VB_TEST_LFS2_TESTUTIL_H
#define VB_TEST_LFS2_TESTUTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/lfs2.h"
#include "fs/lfs2_check.h"
#include "util/sha256.h"

#define TU_PATH 1100

/* Write a whole file ("w"), optionally with MicroPython's mtime. */
static inline int tu_put_attr(vb_lfs2 *fs, const char *path, const void *data, size_t n,
                              const vb_lfs2_attr *attrs, uint32_t nattrs)
{
    vb_lfs2_file f;
    int rc = vb_lfs2_opencfg(fs, &f, path, VB_LFS2_O_WRONLY | VB_LFS2_O_CREAT | VB_LFS2_O_TRUNC,
                             attrs, nattrs);
    if (rc)
        return rc;
    ssize_t w = n ? vb_lfs2_write(&f, data, n) : 0;
    int c = vb_lfs2_close(&f);
    if (w < 0)
        return (int)w;
    if ((size_t)w != n)
        return -EIO;
    return c;
}

static inline int tu_put(vb_lfs2 *fs, const char *path, const void *data, size_t n)
{
    return tu_put_attr(fs, path, data, n, NULL, 0);
}

/* Read a whole file into a malloc'd buffer; its length or -errno. */
static inline ssize_t tu_get(vb_lfs2 *fs, const char *path, uint8_t **out)
{
    vb_lfs2_file f;
    *out = NULL;
    int rc = vb_lfs2_open(fs, &f, path, VB_LFS2_O_RDONLY);
    if (rc)
        return rc;
    int32_t size = vb_lfs2_size(&f);
    *out = malloc((size_t)size + 1);
    if (!*out) {
        vb_lfs2_close(&f);
        return -ENOMEM;
    }
    ssize_t total = 0;
    for (;;) {
        ssize_t n = vb_lfs2_read(&f, *out + total, (size_t)size + 1 - (size_t)total);
        if (n < 0) {
            vb_lfs2_close(&f);
            free(*out);
            *out = NULL;
            return n;
        }
        if (n == 0)
            break;
        total += n;
        if (total > size)
            break;
    }
    vb_lfs2_close(&f);
    return total;
}

/* 1 when the file holds exactly data[0..n), 0 otherwise. */
static inline int tu_same(vb_lfs2 *fs, const char *path, const void *data, size_t n)
{
    uint8_t *buf;
    ssize_t got = tu_get(fs, path, &buf);
    int ok = got >= 0 && (size_t)got == n && (n == 0 || memcmp(buf, data, n) == 0);
    free(buf);
    return ok;
}

static inline void tu_hex(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* ---- listing in the manifest format: "dir  /p" / "file /p SIZE SHA256",
 * names sorted (bytewise) per directory, depth first ---------------------- */

typedef struct tu_buf {
    char *s;
    size_t len, cap;
} tu_buf;

static inline void tu_append(tu_buf *b, const char *text)
{
    size_t n = strlen(text);
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s)
            abort();
    }
    memcpy(b->s + b->len, text, n + 1);
    b->len += n;
}

typedef struct tu_ent {
    char name[VB_LFS2_NAME_MAX + 1];
    int is_dir;
    uint32_t size;
} tu_ent;

static inline int tu_cmp_ent(const void *a, const void *b)
{
    return strcmp(((const tu_ent *)a)->name, ((const tu_ent *)b)->name);
}

static inline int tu_list_dir(vb_lfs2 *fs, const char *dir, tu_buf *out, int depth)
{
    if (depth > 64)
        return -ELOOP;
    vb_lfs2_dir d;
    int rc = vb_lfs2_opendir(fs, &d, dir);
    if (rc)
        return rc;
    size_t n = 0, cap = 16;
    tu_ent *ents = malloc(cap * sizeof *ents);
    vb_lfs2_info info;
    while ((rc = vb_lfs2_readdir(&d, &info)) == 1) {
        if (!strcmp(info.name, ".") || !strcmp(info.name, ".."))
            continue;
        if (n == cap)
            ents = realloc(ents, (cap *= 2) * sizeof *ents);
        memcpy(ents[n].name, info.name, sizeof info.name);
        ents[n].is_dir = info.type == VB_LFS2_TYPE_DIR;
        ents[n].size = info.size;
        n++;
    }
    vb_lfs2_closedir(&d);
    if (rc < 0) {
        free(ents);
        return rc;
    }
    qsort(ents, n, sizeof *ents, tu_cmp_ent);
    for (size_t i = 0; i < n && rc >= 0; i++) {
        char path[TU_PATH], line[TU_PATH + 200];
        snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") ? dir : "", ents[i].name);
        if (ents[i].is_dir) {
            snprintf(line, sizeof line, "dir  %s\n", path);
            tu_append(out, line);
            rc = tu_list_dir(fs, path, out, depth + 1);
            continue;
        }
        uint8_t *data;
        ssize_t got = tu_get(fs, path, &data);
        if (got < 0) {
            rc = (int)got;
            break;
        }
        uint8_t digest[VB_SHA256_LEN];
        char hex[2 * VB_SHA256_LEN + 1];
        vb_sha256(data, (size_t)got, digest);
        tu_hex(digest, sizeof digest, hex);
        free(data);
        if ((uint32_t)got != ents[i].size)
            snprintf(line, sizeof line, "file %s %u(read %zd) %s\n", path, ents[i].size, got, hex);
        else
            snprintf(line, sizeof line, "file %s %u %s\n", path, ents[i].size, hex);
        tu_append(out, line);
    }
    free(ents);
    return rc < 0 ? rc : 0;
}

/* The listing as a malloc'd string (caller frees), or NULL on an error
 * (*err set). */
static inline char *tu_listing(vb_lfs2 *fs, int *err)
{
    tu_buf b = {NULL, 0, 0};
    tu_append(&b, "");
    *err = tu_list_dir(fs, "/", &b, 0);
    if (*err) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* ---- the checker ----------------------------------------------------------- */

static inline void tu_report_stderr(void *ctx, const char *line)
{
    fprintf(stderr, "    check%s: %s\n", ctx ? (const char *)ctx : "", line);
}

/* Problems found (printed), or -errno. */
static inline int tu_check(const vb_lfs2_dev *dev, const char *what)
{
    vb_lfs2_check_stats st;
    char tag[120];
    snprintf(tag, sizeof tag, " (%s)", what);
    int rc = vb_lfs2_check(dev, NULL, NULL, &st);
    if (rc != 0)
        vb_lfs2_check(dev, tu_report_stderr, tag, &st);  /* again, printing */
    return rc;
}

/* mtime attribute value (u64 LE), 0 when absent. */
static inline uint64_t tu_mtime(vb_lfs2 *fs, const char *path, ssize_t *size)
{
    uint8_t raw[8] = {0};
    *size = vb_lfs2_getattr(fs, path, VB_LFS2_ATTR_MTIME, raw, sizeof raw);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | raw[i];
    return v;
}

static inline void tu_fill(uint8_t *buf, size_t n, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 12345;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
}

#endif
