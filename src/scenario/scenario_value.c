/* Reading one YAML value as what a scenario key needs: text, an integer,
 * a duration with its unit, one of a few words; each refusal a sentence
 * with the file and line. */
#include "scenario_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int scen_fail(scen_ctx *c, unsigned line, const char *fmt, ...)
{
    int n = line ? snprintf(c->err, c->errlen, "%s:%u: ", c->path, line) : snprintf(c->err, c->errlen, "%s: ", c->path);
    if (n < 0 || (size_t)n >= c->errlen) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

void *scen_alloc(scen_ctx *c, size_t n, unsigned line)
{
    void **owned = realloc(c->mem->owned, (c->mem->n_owned + 1) * sizeof *owned);
    void *p = owned ? calloc(1, n ? n : 1) : NULL;
    if (owned) c->mem->owned = owned;
    if (!p) {
        scen_fail(c, line, "out of memory");
        return NULL;
    }
    c->mem->owned[c->mem->n_owned++] = p;
    return p;
}

void scen_quote(const char *s, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    size_t i = 0;
    for (; i < len && i < 40 && o + 8 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        o += (size_t)snprintf(out + o, cap - o, ch >= 0x20 && ch < 0x7f ? "%c" : "\\x%02x", ch);
    }
    if (i < len && o + 4 < cap) o += (size_t)snprintf(out + o, cap - o, "...");
    out[o] = '\0';
}

static int need_scalar(scen_ctx *c, const vb_ynode *v, const char *what)
{
    if (v->kind == VB_YNODE_SCALAR) return 0;
    return scen_fail(c, v->line, "%s must be a single value, not %s", what, vb_yaml_kind_name(v->kind));
}

int scen_text(scen_ctx *c, const vb_ynode *v, const char *what, const char **s, size_t *len)
{
    if (need_scalar(c, v, what) < 0) return -1;
    *s = v->str;
    if (len) {
        *len = v->len;
    } else if (strlen(v->str) != v->len) {
        return scen_fail(c, v->line, "%s must not hold a NUL character", what);
    }
    return 0;
}

int scen_int(scen_ctx *c, const vb_ynode *v, const char *what, long long lo, long long hi, long long *out)
{
    if (need_scalar(c, v, what) < 0) return -1;
    char q[64];
    scen_quote(v->str, v->len, q, sizeof q);
    const char *s = v->str;
    bool neg = *s == '-';
    if (neg || *s == '+') s++;
    int base = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10;
    if (base == 16) s += 2;
    unsigned long long n = 0;
    bool any = false, over = false;
    for (; *s; s++) {
        int d = *s >= '0' && *s <= '9' ? *s - '0'
              : base == 16 && *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
              : base == 16 && *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : -1;
        if (d < 0) break;
        any = true;
        if (n > (unsigned long long)1 << 59) over = true;   /* n * 16 still fits */
        else n = n * (unsigned)base + (unsigned)d;
    }
    if (!v->plain || !any || *s || (size_t)(s - v->str) != v->len)
        return scen_fail(c, v->line, "%s must be a whole number from %lld to %lld, not '%s'%s", what, lo, hi, q,
                         v->plain ? "" : " (a quoted value is text)");
    long long val = over ? (neg ? lo - 1 : hi + 1) : neg ? -(long long)n : (long long)n;
    if (over || val < lo || val > hi)
        return scen_fail(c, v->line, "%s %s is out of range (%lld to %lld)", what, q, lo, hi);
    *out = val;
    return 0;
}

/* Units, longest first where one is the other's suffix. */
static const struct { const char *name; uint64_t ns; } units[] = {
    {"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000},
};

int vb_scenario_duration(const char *s, size_t len, uint64_t *ns, char *err, size_t errlen)
{
    size_t i = 0;
    uint64_t whole = 0, frac = 0, frac_scale = 1;
    bool digits = false, over = false;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits = true) {
        if (whole > UINT64_MAX / 10 - 1) over = true;
        else whole = whole * 10 + (uint64_t)(s[i] - '0');
    }
    if (i < len && s[i] == '.') {
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits = true)
            if (frac_scale < 1000000000) {             /* nanoseconds are the finest unit anyway */
                frac = frac * 10 + (uint64_t)(s[i] - '0');
                frac_scale *= 10;
            }
    }
    while (i < len && s[i] == ' ') i++;
    const char *unit = s + i;
    size_t ulen = len - i;
    if (!digits) {
        snprintf(err, errlen, "is not a duration: write a number and a unit, e.g. 500ms or 2s");
        return -1;
    }
    if (ulen == 0) {
        snprintf(err, errlen, "needs a unit (ns, us, ms or s): e.g. %.*sms, not a bare number",
                 (int)(len > 20 ? 20 : len), s);
        return -1;
    }
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        if (strlen(units[u].name) != ulen || memcmp(units[u].name, unit, ulen) != 0) continue;
        uint64_t m = units[u].ns;
        if (over || whole > UINT64_MAX / m) {
            snprintf(err, errlen, "is too long a duration");
            return -1;
        }
        /* the fraction in this unit, to whole ns (rounded down) */
        uint64_t f = frac_scale > 1 ? (m >= frac_scale ? frac * (m / frac_scale) : frac / (frac_scale / m)) : 0;
        if (whole * m > UINT64_MAX - f) {
            snprintf(err, errlen, "is too long a duration");
            return -1;
        }
        *ns = whole * m + f;
        return 0;
    }
    snprintf(err, errlen, "has an unknown unit '%.*s' (ns, us, ms or s)", (int)(ulen > 10 ? 10 : ulen), unit);
    return -1;
}

int scen_duration(scen_ctx *c, const vb_ynode *v, const char *what, uint64_t *ns)
{
    if (need_scalar(c, v, what) < 0) return -1;
    char why[160];
    if (vb_scenario_duration(v->str, v->len, ns, why, sizeof why) == 0) return 0;
    char q[64];
    scen_quote(v->str, v->len, q, sizeof q);
    return scen_fail(c, v->line, "%s '%s' %s", what, q, why);
}

int scen_timeout(scen_ctx *c, const vb_ynode *v, uint64_t *ns)
{
    if (scen_duration(c, v, "'timeout'", ns) < 0) return -1;
    return *ns < 1000000 ? scen_fail(c, v->line, "'timeout' must be at least 1ms") : 0;
}

int scen_choice(scen_ctx *c, const vb_ynode *v, const char *what, const char *const *names, int n, int *out)
{
    if (need_scalar(c, v, what) < 0) return -1;
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == v->len && memcmp(names[i], v->str, v->len) == 0) {
            *out = i;
            return 0;
        }
    char list[200] = "", q[64];
    size_t o = 0;
    for (int i = 0; i < n && o < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ", names[i]);
    scen_quote(v->str, v->len, q, sizeof q);
    return scen_fail(c, v->line, "%s must be %s, not '%s'", what, list, q);
}

static void key_list(const char *const *keys, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; keys[i] && o < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? ", " : "", keys[i]);
}

int scen_known_key(scen_ctx *c, const vb_ynode *key, const char *where, const char *const *keys)
{
    for (size_t i = 0; keys[i]; i++)
        if (strlen(keys[i]) == key->len && memcmp(keys[i], key->str, key->len) == 0) return 0;
    char q[64], list[300];
    scen_quote(key->str, key->len, q, sizeof q);
    key_list(keys, list, sizeof list);
    return scen_fail(c, key->line, "unknown key '%s' in %s (known: %s)", q, where, list);
}

int scen_mapping(scen_ctx *c, const vb_ynode *v, const char *what, const char *const *keys)
{
    if (v->kind != VB_YNODE_MAP) {
        char list[300];
        key_list(keys, list, sizeof list);
        return scen_fail(c, v->line, "%s must be a mapping (keys: %s), not %s", what, list,
                         vb_yaml_kind_name(v->kind));
    }
    for (size_t i = 0; i < v->n; i += 2)
        if (scen_known_key(c, v->item[i], what, keys) < 0) return -1;
    return 0;
}
