/* When a friendly statement needs another line (§2.5) and how far the next
 * line is auto-indented (§2.6). Pure functions over the pending text. */
#include <string.h>

#include "repl/repl_bytes.h"
#include "repl/repl_int.h"

static bool is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
           || (unsigned char)c >= 0x80;
}

/* Rule 4: the first line starts with '@' or a compound-statement keyword as a
 * whole word. */
static bool starts_compound(const char *t, size_t len)
{
    static const char *const kw[] = {"if", "while", "for", "try", "with", "def", "class", "async"};
    if (len > 0 && t[0] == '@')
        return true;
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++) {
        size_t n = strlen(kw[i]);
        if (len >= n && memcmp(t, kw[i], n) == 0 && (len == n || !is_ident(t[n])))
            return true;
    }
    return false;
}

bool vb_repl_needs_more(const char *t, size_t len)
{
    if (len == 0)
        return false;
    char quote = 0;       /* open string's quote character, 0 = none */
    bool triple = false;
    long depth = 0;
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (!quote) {
            if (c == '\'' || c == '"') {
                quote = c;
                triple = i + 2 < len && t[i + 1] == c && t[i + 2] == c;
                if (triple)
                    i += 2;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            }
        } else if (c == '\\') {
            i++;                            /* escaped character */
        } else if (c == quote) {
            if (!triple) {
                quote = 0;
            } else if (i + 2 < len && t[i + 1] == c && t[i + 2] == c) {
                quote = 0;
                i += 2;
            }
        }
    }
    if (quote && triple)
        return true;                        /* rule 1 */
    if (depth > 0 && !quote)
        return true;                        /* rule 2 */
    if (t[len - 1] == '\\')
        return true;                        /* rule 3 */
    return starts_compound(t, len) && t[len - 1] != '\n';  /* rule 4 */
}

size_t vb_repl_auto_indent(const char *t, size_t len)
{
    if (len < 2 || t[len - 1] != '\n')
        return 0;
    size_t end = len - 1, start = end;     /* previous line is [start, end) */
    while (start > 0 && t[start - 1] != '\n')
        start--;
    size_t first = start;                  /* first non-space of the previous line */
    while (first < end && t[first] == ' ')
        first++;
    if (start > 0 && first == end) {
        /* The previous line is all spaces and not the first line: nothing if
         * the line before it is all spaces too and not the first line. */
        size_t k = start - 1;              /* the "\n" ending the 2nd previous line */
        while (k > 0 && t[k - 1] == ' ')
            k--;
        if (k > 0 && t[k - 1] == '\n')
            return 0;
    }
    size_t n = (first - start) / VB_REPL_INDENT_W;
    if (t[end - 1] == ':')
        n++;
    return n * VB_REPL_INDENT_W;
}
