/* Value Change Dump writer (vcd.h). */
#include "vcd.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/errtext.h"

/* Sanitised names are cut to this many bytes (tools show them in a column). */
#define NAME_MAX_LEN 63

typedef struct vcd_slot {
    unsigned width;
    char id[8];                  /* identifier code: base 94 of the index, at most 5 chars */
    char name[NAME_MAX_LEN + 2]; /* + a leading '_' and the NUL */
    bool known;                  /* a value was written (else it is the initial 'x') */
    bool z;
    uint32_t value;
} vcd_slot;

struct vb_vcd {
    FILE *f;
    uint64_t t;                  /* the last time stamp written */
    bool io_error;
    uint64_t bytes;              /* written so far */
    uint64_t max;                /* vb_vcd_limit: 0 = no cap */
    bool full;                   /* the cap was reached: nothing more is written */
    unsigned n;
    vcd_slot v[];
};

/* Identifier codes use the printable ASCII range '!'..'~' (IEEE 1364 §18.2.1),
 * as a bijective base-94 number, so the first 94 variables get one char. */
static void make_id(char *id, unsigned index)
{
    size_t k = 0;
    unsigned x = index;
    for (;;) {
        id[k++] = (char)('!' + x % 94);
        x /= 94;
        if (x == 0) break;
        x--;
    }
    id[k] = '\0';
}

/* name as a VCD/Verilog identifier: [A-Za-z_][A-Za-z0-9_]*. */
static void sanitize(char *out, const char *name, const char *fallback, unsigned index)
{
    if (!name || !*name) {
        snprintf(out, NAME_MAX_LEN + 2, "%s%u", fallback, index);
        return;
    }
    size_t k = 0;
    if (name[0] >= '0' && name[0] <= '9') out[k++] = '_';
    for (size_t i = 0; name[i] && i < NAME_MAX_LEN; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        out[k++] = ok ? c : '_';
    }
    out[k] = '\0';
}

/* A value line ("1!", "b0101 \"") into buf (at least 48 bytes); its length. */
static int format_value(char *buf, size_t cap, const vcd_slot *s)
{
    if (s->width == 1)
        return snprintf(buf, cap, "%c%s\n", !s->known ? 'x' : s->z ? 'z' : s->value ? '1' : '0', s->id);
    char bits[33];
    for (unsigned i = 0; i < s->width; i++) {
        unsigned bit = s->width - 1 - i;
        bits[i] = !s->known ? 'x' : s->z ? 'z' : (s->value >> bit & 1) ? '1' : '0';
    }
    bits[s->width] = '\0';
    return snprintf(buf, cap, "b%s %s\n", bits, s->id);
}

static void write_value(vb_vcd *v, const vcd_slot *s)
{
    char line[48];
    int n = format_value(line, sizeof line, s);
    if (n > 0) fwrite(line, 1, (size_t)n, v->f);
}

/* Create or truncate path for writing, never through a symlink. */
static FILE *create_file(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        if (errno == ELOOP)
            vb_set_err(err, errlen, "refusing to write the VCD file through a symlink: %s", path);
        else
            vb_set_err(err, errlen, "cannot create the VCD file %s: %s", path, strerror(errno));
        return NULL;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        vb_set_err(err, errlen, "cannot create the VCD file %s: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

vb_vcd *vb_vcd_open(const char *path, const char *scope, const vb_vcd_var *vars, unsigned n,
                    char *err, size_t errlen)
{
    if (n == 0) {
        vb_set_err(err, errlen, "a VCD needs at least one variable");
        return NULL;
    }
    vb_vcd *v = calloc(1, sizeof *v + (size_t)n * sizeof v->v[0]);
    if (!v) {
        vb_set_err(err, errlen, "out of memory for %u VCD variables", n);
        return NULL;
    }
    v->n = n;
    for (unsigned i = 0; i < n; i++) {
        vcd_slot *s = &v->v[i];
        if (vars[i].width < 1 || vars[i].width > 32) {
            vb_set_err(err, errlen, "VCD variable %u has width %u; widths are 1 to 32", i, vars[i].width);
            free(v);
            return NULL;
        }
        s->width = vars[i].width;
        make_id(s->id, i);
        sanitize(s->name, vars[i].name, "v", i);
        for (unsigned j = 0; j < i; j++) {
            if (strcmp(v->v[j].name, s->name) == 0) {
                vb_set_err(err, errlen, "VCD variables %u and %u are both named %s", j, i, s->name);
                free(v);
                return NULL;
            }
        }
    }
    char scope_name[NAME_MAX_LEN + 2];
    sanitize(scope_name, scope && *scope ? scope : "board", "scope", 0);

    v->f = create_file(path, err, errlen);
    if (!v->f) {
        free(v);
        return NULL;
    }
    char date[64] = "unknown";
    time_t now = time(NULL);
    struct tm tm;
    if (now != (time_t)-1 && gmtime_r(&now, &tm))
        strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tm);
    fprintf(v->f, "$date\n\t%s\n$end\n$version\n\tvboard\n$end\n$timescale 1us $end\n", date);
    fprintf(v->f, "$scope module %s $end\n", scope_name);
    for (unsigned i = 0; i < n; i++)
        fprintf(v->f, "$var %s %u %s %s $end\n", v->v[i].width == 1 ? "wire" : "reg", v->v[i].width,
                v->v[i].id, v->v[i].name);
    fputs("$upscope $end\n$enddefinitions $end\n#0\n$dumpvars\n", v->f);
    for (unsigned i = 0; i < n; i++)
        write_value(v, &v->v[i]);
    fputs("$end\n", v->f);
    if (fflush(v->f) != 0 || ferror(v->f)) {
        vb_set_err(err, errlen, "cannot write the VCD file %s: %s", path, strerror(errno));
        fclose(v->f);
        free(v);
        return NULL;
    }
    long at = ftell(v->f);
    v->bytes = at > 0 ? (uint64_t)at : 0;
    return v;
}

void vb_vcd_limit(vb_vcd *v, uint64_t max_bytes)
{
    if (v) v->max = max_bytes;
}

bool vb_vcd_full(const vb_vcd *v) { return v && v->full; }

/* n more bytes would pass the cap: the note, once, and nothing after it. */
static bool over_cap(vb_vcd *v, size_t n)
{
    if (v->full) return true;
    if (!v->max || v->bytes + n <= v->max) return false;
    static const char note[] = "$comment log full $end\n";
    fputs(note, v->f);
    v->bytes += sizeof note - 1;
    v->full = true;
    if (fflush(v->f) != 0) v->io_error = true;
    return true;
}

void vb_vcd_set(vb_vcd *v, uint64_t t_us, unsigned var, uint32_t value, bool z)
{
    if (!v || var >= v->n) return;
    vcd_slot *s = &v->v[var];
    if (z)
        value = 0;
    else if (s->width == 1)
        value = value != 0;
    else if (s->width < 32)
        value &= (UINT32_C(1) << s->width) - 1;
    if (v->full || (s->known && s->z == z && s->value == value)) return;
    vcd_slot next = *s;
    next.known = true;
    next.z = z;
    next.value = value;
    char buf[80];
    int n = t_us > v->t ? snprintf(buf, sizeof buf, "#%" PRIu64 "\n", t_us) : 0;
    int m = format_value(buf + n, sizeof buf - (size_t)n, &next);
    if (m < 0 || over_cap(v, (size_t)(n + m))) return;
    *s = next;
    if (t_us > v->t) v->t = t_us;
    fwrite(buf, 1, (size_t)(n + m), v->f);
    v->bytes += (uint64_t)(n + m);
    /* a killed supervisor must leave every change so far on disk */
    if (fflush(v->f) != 0) v->io_error = true;
}

int vb_vcd_close(vb_vcd *v, uint64_t t_end_us)
{
    if (!v) return 0;
    if (t_end_us > v->t && !v->full) fprintf(v->f, "#%" PRIu64 "\n", t_end_us);
    bool bad = v->io_error || fflush(v->f) != 0 || ferror(v->f);
    if (fclose(v->f) != 0) bad = true;
    free(v);
    return bad ? -1 : 0;
}
