/* `vboard firmware build`: a directory of .py files becomes a firmware file
 * (src/boot/fwimage.h), one frozen module per file. Also the host-file
 * reader `vboard image flash` shares. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot/fwimage.h"
#include "cli.h"
#include "util/errname.h"
#include "util/errtext.h"
#include "util/utf8.h"

/* Larger than any slot of any profile: bigger inputs are refused before
 * they are read into memory. */
#define FW_MAX_INPUT (64u << 20)

int cli_read_host_file(const char *path, size_t max, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    int e = fstat(fd, &st) < 0 ? -errno : S_ISDIR(st.st_mode) ? -EISDIR
                                        : !S_ISREG(st.st_mode) ? -EINVAL : 0;
    if (e < 0) {
        close(fd);
        return e;
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return -EFBIG;
    }
    size_t n = (size_t)st.st_size;
    uint8_t *b = malloc(n ? n : 1);
    if (!b) {
        close(fd);
        return -ENOMEM;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, b + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            e = r < 0 ? -errno : -EIO;   /* shrank while read */
            free(b);
            close(fd);
            return e;
        }
        got += (size_t)r;
    }
    close(fd);
    *out = b;
    *len = n;
    return 0;
}

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF):
 * sources are Python text. */
static bool utf8_valid(const uint8_t *s, size_t n)
{
    for (size_t i = 0, k; i < n; i += k)
        if (!(k = vb_utf8_valid_len(s + i, n - i))) return false;
    return true;
}

/* _boot first, then by name: the order modules are listed and stored. */
static int module_order(const void *x, const void *y)
{
    const char *a = *(const char *const *)x, *b = *(const char *const *)y;
    bool ba = strcmp(a, "_boot.py") == 0, bb = strcmp(b, "_boot.py") == 0;
    if (ba != bb)
        return ba ? -1 : 1;
    return strcmp(a, b);
}

typedef struct build_state {
    char *files[VB_FW_MAX_MODULES];       /* the *.py file names in DIR */
    unsigned n_files;
    char stems[VB_FW_MAX_MODULES][64];
    uint8_t *src[VB_FW_MAX_MODULES];
    vb_fw_module mods[VB_FW_MAX_MODULES];
    uint8_t *image;
} build_state;

static void build_free(build_state *b)
{
    for (unsigned i = 0; i < b->n_files; i++)
        free(b->files[i]);
    for (unsigned i = 0; i < VB_FW_MAX_MODULES; i++)
        free(b->src[i]);
    free(b->image);
}

/* The *.py regular files of dir (symlinks followed), sorted. */
static int list_sources(const cli_args *a, const char *dir, build_state *b)
{
    DIR *d = opendir(dir);
    if (!d) {
        cli_errno(a, dir, -errno, "DIR must be a directory of .py files");
        return CLI_FAILED;
    }
    int rc = CLI_OK;
    struct dirent *e;
    while (rc == CLI_OK && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 3, ".py") != 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
            continue;   /* a directory or a dangling link called *.py: not a module */
        if (b->n_files == VB_FW_MAX_MODULES) {
            cli_error(a, "%s holds more than %d .py files: a firmware image holds at most %d "
                      "modules", dir, VB_FW_MAX_MODULES, VB_FW_MAX_MODULES);
            rc = CLI_FAILED;
        } else if (!(b->files[b->n_files++] = strdup(e->d_name))) {
            cli_error(a, "out of memory");
            rc = CLI_FAILED;
        }
    }
    closedir(d);
    if (rc == CLI_OK)
        qsort(b->files, b->n_files, sizeof b->files[0], module_order);
    return rc;
}

int cli_cmd_firmware_build(const cli_args *a)
{
    const char *dir = a->argv[0];
    const char *out = a->value[CLI_OPT_BIT_OUTPUT], *version = a->value[CLI_OPT_BIT_VERSION];
    if (!out || !version) {
        cli_error(a, "needs %s (see 'vboard help firmware build')",
                  !out && !version ? "-o FILE and --version V" : !out ? "-o FILE" : "--version V");
        return CLI_USAGE;
    }
    if (!vb_fw_valid_version(version)) {
        cli_error(a, "bad version '%s': it must be 1 to %d printable ASCII characters (%zu given)",
                  version, VB_FW_VERSION_LEN, strlen(version));
        return CLI_USAGE;
    }
    struct stat st;
    if (lstat(out, &st) == 0) {   /* say so before any work; the write checks again */
        cli_error(a, "%s already exists; refusing to overwrite it (remove it first or choose "
                  "another name)", out);
        return CLI_FAILED;
    }

    build_state *b = calloc(1, sizeof *b);
    if (!b) {
        cli_error(a, "out of memory");
        return CLI_FAILED;
    }
    int rc = list_sources(a, dir, b);
    bool have_boot = false;
    for (unsigned i = 0; rc == CLI_OK && i < b->n_files; i++) {
        const char *f = b->files[i];
        size_t stem = strlen(f) - 3;
        bool fits = stem < sizeof b->stems[i];
        if (fits) {
            memcpy(b->stems[i], f, stem);
            b->stems[i][stem] = '\0';
        }
        if (!fits || !vb_fw_valid_name(b->stems[i])) {
            cli_error(a, "%s/%s: '%.*s' is not a module name: module names are Python identifiers "
                      "([A-Za-z_][A-Za-z0-9_]*, at most %d characters)", dir, f,
                      (int)stem, f, VB_FW_NAME_MAX);
            rc = CLI_FAILED;
            break;
        }
        have_boot |= strcmp(b->stems[i], "_boot") == 0;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, f);
        size_t len;
        int r = cli_read_host_file(path, FW_MAX_INPUT, &b->src[i], &len);
        if (r < 0) {
            cli_errno(a, path, r, r == -EFBIG ? "larger than any firmware slot" : NULL);
            rc = CLI_FAILED;
        } else if (!utf8_valid(b->src[i], len)) {
            cli_error(a, "%s is not UTF-8 text: module sources are Python source files", path);
            rc = CLI_FAILED;
        } else {
            b->mods[i] = (vb_fw_module){b->stems[i], b->src[i], (uint32_t)len};
        }
    }
    if (rc == CLI_OK && !have_boot) {
        cli_error(a, "%s has no _boot.py: a firmware image needs a _boot module", dir);
        rc = CLI_FAILED;
    }
    char err[VB_ERR_LEN];
    size_t len = 0;
    if (rc == CLI_OK && vb_fw_build(b->mods, b->n_files, version, &b->image, &len, err,
                                    sizeof err) < 0) {
        cli_error(a, "%s", err);
        rc = CLI_FAILED;
    }
    if (rc == CLI_OK && vb_image_write_new_file(out, b->image, len, err, sizeof err) < 0) {
        cli_error(a, "%s", err);
        rc = CLI_FAILED;
    }
    if (rc == CLI_OK) {
        printf("built %s: version %s, %zu bytes, %u module%s:", out, version, len, b->n_files,
               b->n_files == 1 ? "" : "s");
        for (unsigned i = 0; i < b->n_files; i++)
            printf(" %s", b->stems[i]);
        printf("\n");
    }
    build_free(b);
    free(b);
    return rc;
}
