/* The scenario file's top level: read the file, build the YAML tree, then
 * the header keys, the parts and every step (scenario_steps.c). */
#include "scenario_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const top_keys[] = {"name", "version", "author", "timeout", "parts", "steps", NULL};

static int read_parts(scen_ctx *c, const vb_ynode *v)
{
    if (v->kind != VB_YNODE_MAP)
        return scen_fail(c, v->line, "'parts' must be a mapping of part ids, e.g. btn1: {pin: P12, active: low}");
    vb_scenario *s = c->s;
    s->parts = scen_alloc(c, (v->n / 2) * sizeof *s->parts, v->line);
    if (!s->parts) return -1;
    static const char *const part_keys[] = {"pin", "active", NULL};
    static const char *const actives[] = {"low", "high"};
    for (size_t i = 0; i < v->n; i += 2) {
        const vb_ynode *id = v->item[i], *def = v->item[i + 1];
        vb_part *p = &s->parts[s->n_parts];
        if (scen_text(c, id, "a part id", &p->id, NULL) < 0) return -1;
        if (!p->id[0]) return scen_fail(c, id->line, "a part id must not be empty");
        char what[80];
        snprintf(what, sizeof what, "part '%.40s'", p->id);
        if (scen_mapping(c, def, what, part_keys) < 0) return -1;
        const vb_ynode *pin = vb_yaml_get(def, "pin"), *active = vb_yaml_get(def, "active");
        if (!pin) return scen_fail(c, def->line, "part '%s' needs 'pin' (a pin of the board, e.g. P12 or 2)", p->id);
        if (scen_text(c, pin, "'pin'", &p->pin, NULL) < 0) return -1;
        if (!p->pin[0]) return scen_fail(c, pin->line, "'pin' needs a pin name");
        p->line = id->line;
        if (active) {
            int a;
            if (scen_choice(c, active, "'active'", actives, 2, &a) < 0) return -1;
            p->button = true;
            p->active = a ? VB_LEVEL_HIGH : VB_LEVEL_LOW;
        }
        s->n_parts++;
    }
    return 0;
}

static int read_steps(scen_ctx *c, const vb_ynode *v)
{
    if (v->kind != VB_YNODE_SEQ)
        return scen_fail(c, v->line, "'steps' must be a list ('- delay: 500ms' lines), not %s",
                         vb_yaml_kind_name(v->kind));
    if (v->n == 0) return scen_fail(c, v->line, "'steps' is empty: a scenario needs at least one step");
    vb_scenario *s = c->s;
    s->steps = scen_alloc(c, v->n * sizeof *s->steps, v->line);
    if (!s->steps) return -1;
    for (size_t i = 0; i < v->n; i++) {
        if (scen_step(c, v->item[i], &s->steps[i]) < 0) return -1;
        s->n_steps++;
    }
    return 0;
}

/* The file's base name without .yaml/.yml: the default name. */
static const char *base_name(scen_ctx *c)
{
    const char *b = strrchr(c->path, '/');
    b = b ? b + 1 : c->path;
    size_t n = strlen(b);
    if (n > 5 && strcmp(b + n - 5, ".yaml") == 0) n -= 5;
    else if (n > 4 && strcmp(b + n - 4, ".yml") == 0) n -= 4;
    char *name = scen_alloc(c, n + 1, 0);
    if (name) memcpy(name, b, n);
    return name;
}

static int read_top(scen_ctx *c, const vb_ynode *root)
{
    if (!root || (root->kind == VB_YNODE_SCALAR && root->len == 0))
        return scen_fail(c, 1, "the file is empty: a scenario needs 'steps:'");
    if (root->kind != VB_YNODE_MAP)
        return scen_fail(c, root->line, "a scenario is a mapping with 'steps:' (and name, version, ...), not %s",
                         vb_yaml_kind_name(root->kind));
    for (size_t i = 0; i < root->n; i += 2)
        if (scen_known_key(c, root->item[i], "the scenario", top_keys) < 0) return -1;
    vb_scenario *s = c->s;
    const vb_ynode *v;
    if ((v = vb_yaml_get(root, "version"))) {
        long long ver;
        if (scen_int(c, v, "'version'", 1, 1, &ver) < 0) return -1;
    }
    if ((v = vb_yaml_get(root, "name")) && scen_text(c, v, "'name'", &s->name, NULL) < 0) return -1;
    if (!s->name || !s->name[0]) s->name = base_name(c);
    if (!s->name) return -1;
    if ((v = vb_yaml_get(root, "author")) && scen_text(c, v, "'author'", &s->author, NULL) < 0) return -1;
    s->timeout_ns = VB_SCENARIO_DEFAULT_TIMEOUT_NS;
    if ((v = vb_yaml_get(root, "timeout")) && scen_timeout(c, v, &s->timeout_ns) < 0) return -1;
    if ((v = vb_yaml_get(root, "parts")) && read_parts(c, v) < 0) return -1;
    if (!(v = vb_yaml_get(root, "steps"))) return scen_fail(c, root->line, "the scenario has no 'steps:'");
    return read_steps(c, v);
}

void vb_scenario_free(vb_scenario *s)
{
    scen_mem *m = s->mem;
    if (m) {
        vb_yaml_free(m->tree);
        for (size_t i = 0; i < m->n_owned; i++) free(m->owned[i]);
        free(m->owned);
        free(m);
    }
    memset(s, 0, sizeof *s);
}

int vb_scenario_parse(const char *path, const char *text, size_t len, vb_scenario *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    scen_ctx c = {.path = path, .s = s, .err = err, .errlen = errlen};
    if (!(c.mem = s->mem = calloc(1, sizeof *c.mem))) return scen_fail(&c, 0, "out of memory");
    unsigned line;
    char why[300];
    int rc = vb_yaml_load(text, len, &c.mem->tree, &line, why, sizeof why);
    if (rc < 0)
        scen_fail(&c, line, "%s", why);
    else
        rc = read_top(&c, c.mem->tree);
    if (rc < 0) vb_scenario_free(s);
    return rc;
}

int vb_scenario_load(const char *path, vb_scenario *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    scen_ctx c = {.path = path, .s = s, .err = err, .errlen = errlen};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        int e = errno;
        if (fd >= 0) close(fd);
        return scen_fail(&c, 0, "cannot open the scenario: %s", strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return scen_fail(&c, 0, "not a regular file");
    }
    if ((uint64_t)st.st_size > VB_SCENARIO_MAX_FILE) {
        close(fd);
        return scen_fail(&c, 0, "the file is %lld bytes; a scenario may have at most %u", (long long)st.st_size,
                         VB_SCENARIO_MAX_FILE);
    }
    size_t cap = (size_t)st.st_size + 1, len = 0;
    char *text = malloc(cap);
    while (text) {
        ssize_t n = read(fd, text + len, cap - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            free(text);
            close(fd);
            return scen_fail(&c, 0, "cannot read the scenario: %s", strerror(e));
        }
        if (n == 0) break;
        len += (size_t)n;
        if (len == cap) {           /* it grew since fstat: refuse rather than chase it */
            free(text);
            close(fd);
            return scen_fail(&c, 0, "the file changed while it was read");
        }
    }
    close(fd);
    if (!text) return scen_fail(&c, 0, "out of memory");
    int rc = vb_scenario_parse(path, text, len, s, err, errlen);
    free(text);
    return rc;
}
