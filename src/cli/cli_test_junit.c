/* The JUnit XML report of `vboard test --junit FILE`, the shape CI systems
 * (GitLab, Jenkins, GitHub test reporters) read: one <testsuite> per
 * scenario, one <testcase> per step with <failure> (a failed expectation
 * or a timeout), <error> (the board could not be driven) or <skipped/>
 * (not reached). Text is escaped for XML 1.0: markup characters as
 * entities, and bytes XML cannot carry (controls, invalid UTF-8) as
 * "\xHH" text. */
#include "cli_test.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/utf8.h"

/* in_attr: newlines and tabs as character references, which attribute
 * value normalisation would otherwise turn into spaces. */
static void xml_text(FILE *f, const char *s, bool in_attr)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '&': fputs("&amp;", f); i++; continue;
        case '<': fputs("&lt;", f); i++; continue;
        case '>': fputs("&gt;", f); i++; continue;
        case '"': fputs("&quot;", f); i++; continue;
        case '\'': fputs("&apos;", f); i++; continue;
        case '\n': fputs(in_attr ? "&#10;" : "\n", f); i++; continue;
        case '\t': fputs(in_attr ? "&#9;" : "\t", f); i++; continue;
        default: break;
        }
        size_t k = c < 0x80 ? (c >= 0x20 && c != 0x7f) : vb_utf8_valid_len((const uint8_t *)s + i, n - i);
        if (k == 0) {
            fprintf(f, "\\x%02x", c);
            i++;
        } else {
            fwrite(s + i, 1, k, f);
            i += k;
        }
    }
}

static void attr(FILE *f, const char *name, const char *value)
{
    fprintf(f, " %s=\"", name);
    xml_text(f, value, true);
    fputc('"', f);
}

static void count(const tr_scenario *r, unsigned *fail, unsigned *err, unsigned *skip)
{
    for (size_t i = 0; i < r->sc.n_steps; i++) {
        tr_status s = r->steps[i].status;
        *fail += s == TR_FAIL || s == TR_TIMEOUT;
        *err += s == TR_ERROR;
        *skip += s == TR_NOT_RUN;
    }
}

static void write_case(FILE *f, const tr_scenario *r, size_t i)
{
    const vb_step *st = &r->sc.steps[i];
    const tr_step *res = &r->steps[i];
    char label[200], name[240];
    tr_step_label(&r->sc, st, label, sizeof label);
    snprintf(name, sizeof name, "%zu: %s", i + 1, label);
    fputs("    <testcase", f);
    attr(f, "name", name);
    attr(f, "classname", r->sc.name);
    attr(f, "file", r->sc.path);
    fprintf(f, " line=\"%u\" time=\"%.3f\"", st->line, res->seconds);
    if (res->status == TR_PASS) {
        fputs("/>\n", f);
        return;
    }
    fputs(">\n      ", f);
    if (res->status == TR_NOT_RUN) {
        fputs("<skipped message=\"not reached: an earlier step did not pass\"/>", f);
    } else {
        const char *tag = res->status == TR_ERROR ? "error" : "failure";
        char where[300];
        snprintf(where, sizeof where, "%s:%u: ", r->sc.path, st->line);
        fprintf(f, "<%s", tag);
        attr(f, "type", res->status == TR_TIMEOUT ? "timeout" : res->status == TR_ERROR ? "error" : "failure");
        attr(f, "message", res->message ? res->message : "");
        fputc('>', f);
        xml_text(f, where, false);
        xml_text(f, res->message ? res->message : "", false);
        fprintf(f, "</%s>", tag);
    }
    fputs("\n    </testcase>\n", f);
}

int tr_write_junit(const char *path, const tr_scenario *r, size_t n, const char *board, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write --junit %s: %s", path, strerror(errno));
        return -1;
    }
    unsigned tests = 0, fail = 0, errs = 0, skip = 0;
    double secs = 0;
    for (size_t k = 0; k < n; k++) {
        tests += (unsigned)r[k].sc.n_steps;
        count(&r[k], &fail, &errs, &skip);
        secs += r[k].seconds;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fprintf(f, "<testsuites name=\"vboard test\" tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" "
               "time=\"%.3f\">\n", tests, fail, errs, skip, secs);
    for (size_t k = 0; k < n; k++) {
        unsigned sf = 0, se = 0, ss = 0;
        count(&r[k], &sf, &se, &ss);
        fputs("  <testsuite", f);
        attr(f, "name", r[k].sc.name);
        attr(f, "file", r[k].sc.path);
        fprintf(f, " tests=\"%zu\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" time=\"%.3f\">\n", r[k].sc.n_steps,
                sf, se, ss, r[k].seconds);
        fputs("    <properties><property name=\"board\"", f);
        attr(f, "value", board);
        fputs("/></properties>\n", f);
        for (size_t i = 0; i < r[k].sc.n_steps; i++) write_case(f, &r[k], i);
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    if (ferror(f) | (fclose(f) != 0)) {
        snprintf(err, errlen, "cannot write --junit %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}
