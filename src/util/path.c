/* Path strings for the host tools (see path.h). */
#include "path.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

bool vb_path_is_board(const char *arg)
{
    return arg && arg[0] == ':';
}

int vb_path_board_normalize(const char *arg, char *out, size_t len)
{
    if (len < 2)
        return -ENAMETOOLONG;
    if (arg[0] == ':')
        arg++;
    size_t o = 0;   /* out holds "" for the root while building, "/a/b" otherwise */
    const char *p = arg;
    while (*p) {
        while (*p == '/')
            p++;
        const char *end = p;
        while (*end && *end != '/')
            end++;
        size_t n = (size_t)(end - p);
        if (n == 0 || (n == 1 && p[0] == '.')) {
            /* nothing */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--;   /* drop the '/' too */
        } else {
            if (o + 1 + n + 1 > len)
                return -ENAMETOOLONG;
            out[o++] = '/';
            memcpy(out + o, p, n);
            o += n;
        }
        p = end;
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = '\0';
    return 0;
}

bool vb_path_names_dir(const char *arg)
{
    size_t n = strlen(arg);
    return (n > 0 && arg[n - 1] == '/') || strcmp(arg, ":") == 0;
}

int vb_path_basename(const char *path, char *out, size_t len)
{
    if (path[0] == ':')
        path++;
    size_t end = strlen(path);
    while (end > 0 && path[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    if (end - start + 1 > len)
        return -ENAMETOOLONG;
    memcpy(out, path + start, end - start);
    out[end - start] = '\0';
    return 0;
}

int vb_path_join(const char *dir, const char *name, char *out, size_t len)
{
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    bool slash = name[0] && dl > 0 && dir[dl - 1] != '/' && !(dl == 1 && dir[0] == ':');
    int n = snprintf(out, len, "%.*s%s%s", (int)dl, dir, slash ? "/" : "", name);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int vb_path_escape(const char *s, size_t len, bool keep_slash, char *out, size_t outlen)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *b = (const uint8_t *)s;
    size_t o = 0, i = 0;
    if (outlen == 0)
        return -ENAMETOOLONG;
    while (i < len) {
        size_t n = b[i] < 0x80 ? 1 : vb_utf8_valid_len(b + i, len - i);
        bool c1 = n == 2 && b[i] == 0xC2 && b[i + 1] < 0xA0;   /* U+0080..U+009F */
        bool esc = n == 0 || c1 || b[i] < 0x20 || b[i] == 0x7F || b[i] == '\\' ||
                   (b[i] == '/' && !keep_slash);
        if (n == 0)
            n = 1;   /* one stray byte at a time */
        size_t need = esc ? 4 * n : n;
        if (o + need + 1 > outlen) {
            out[o] = '\0';
            return -ENAMETOOLONG;
        }
        for (size_t k = 0; k < n; k++) {
            if (esc) {
                out[o++] = '\\';
                out[o++] = 'x';
                out[o++] = hex[b[i + k] >> 4];
                out[o++] = hex[b[i + k] & 15];
            } else {
                out[o++] = (char)b[i + k];
            }
        }
        i += n;
    }
    out[o] = '\0';
    return (int)o;
}
