/* The one parser, dispatcher and help printer for every `vboard` command,
 * all driven by the tables in cli.h. */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/profile.h"
#include "util/errname.h"

static const cli_command commands[] = {
#define CLI_ENTRY(id, fam, verb, handler, opts, mn, mx, syn, help) \
    {verb, fam, handler, opts, mn, mx, syn, help},
    VB_CLI_COMMANDS(CLI_ENTRY)
#undef CLI_ENTRY
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

typedef struct cli_option {
    uint64_t flag;
    char short_name;
    const char *long_name;
    const char *metavar;    /* NULL: a flag */
    const char *help;
} cli_option;

static const cli_option options[] = {
#define CLI_OPTION(id, s, l, v, h) {CLI_OPT_##id, s, l, v, h},
    VB_CLI_OPTIONS(CLI_OPTION)
#undef CLI_OPTION
};
#define N_OPTIONS (sizeof options / sizeof options[0])

static const char *family_word(cli_family f)
{
    return f == CLI_IMAGE ? "image" : f == CLI_FS ? "fs" : f == CLI_FIRMWARE ? "firmware" : "";
}

/* "image create", "fs ls", "help". */
static void command_name(const cli_command *c, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s", family_word(c->family), c->family == CLI_TOP ? "" : " ", c->verb);
}

/* ---- messages ------------------------------------------------------------ */

static void vprefix(const cli_args *a)
{
    char name[32] = "";
    if (a && a->cmd)
        command_name(a->cmd, name, sizeof name);
    fprintf(stderr, "vboard: %s%s", name, name[0] ? ": " : "");
}

void cli_error(const cli_args *a, const char *fmt, ...)
{
    vprefix(a);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_errno(const cli_args *a, const char *what, int err, const char *hint)
{
    char e[80];
    vprefix(a);
    fprintf(stderr, "%s: %s%s%s\n", what, vb_errstr(err, e, sizeof e), hint ? "; " : "",
            hint ? hint : "");
}

/* ---- help ------------------------------------------------------------------ */

static void print_usage_line(FILE *out, const cli_command *c)
{
    char name[32];
    command_name(c, name, sizeof name);
    if (c->family == CLI_FS)
        fprintf(out, "vboard fs FILE %s%s%s", c->verb, c->synopsis[0] ? " " : "", c->synopsis);
    else
        fprintf(out, "vboard %s%s%s", name, c->synopsis[0] ? " " : "", c->synopsis);
}

static void print_overview(FILE *out)
{
    fprintf(out, "usage: vboard COMMAND ...   (vboard help COMMAND for details)\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        fputs("  ", out);
        print_usage_line(out, &commands[i]);
        fprintf(out, "\n      %s\n", commands[i].help);
    }
    fprintf(out, "\nFILE is a board's flash image (the whole chip); its size names the board.\n"
                 "Board paths may start with ':' as in mpremote; for cp the ':' is required.\n"
                 "Exit status: 0 ok, 1 operation failed, 2 usage error or image cannot be opened.\n");
}

/* "-o, --output FILE", "--timeout MS", "--pty": how help shows an option. */
static int option_spelling(const cli_option *o, char *buf, size_t len)
{
    char s[8] = "";
    if (o->short_name)
        snprintf(s, sizeof s, "-%c, ", o->short_name);
    return snprintf(buf, len, "%s--%s%s%s", s, o->long_name, o->metavar ? " " : "",
                    o->metavar ? o->metavar : "");
}

static void print_command_help(FILE *out, const cli_command *c)
{
    fputs("usage: ", out);
    print_usage_line(out, c);
    fprintf(out, "\n\n%s\n", c->help);
    int width = 0;   /* the longest spelling among this command's options */
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (c->opts & options[i].flag) {
            int n = option_spelling(&options[i], NULL, 0);
            width = n > width ? n : width;
        }
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const cli_option *o = &options[i];
        if (!(c->opts & o->flag))
            continue;
        char spell[64];
        option_spelling(o, spell, sizeof spell);
        fprintf(out, "  %-*s  %s\n", width, spell, o->help);
    }
    if (c->opts & CLI_OPT_BOARD) {
        fprintf(out, "\nboards:\n");
        for (const vb_profile *const *p = vb_profile_all(); *p; p++)
            fprintf(out, "  %-10s %s\n", (*p)->name, (*p)->description);
    }
}

void cli_board_names(char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (const vb_profile *const *p = vb_profile_all(); *p && n < len; p++) {
        n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", (*p)->name);
        for (const char *const *al = (*p)->aliases; al && *al && n < len; al++)
            n += (size_t)snprintf(buf + n, len - n, "%s%s", al == (*p)->aliases ? " (" : ", ", *al);
        if ((*p)->aliases && *(*p)->aliases && n < len) n += (size_t)snprintf(buf + n, len - n, ")");
    }
}

static void print_family_help(FILE *out, cli_family f)
{
    fprintf(out, "usage:\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (commands[i].family != f)
            continue;
        fputs("  ", out);
        print_usage_line(out, &commands[i]);
        fprintf(out, "\n      %s\n", commands[i].help);
    }
}

static const cli_command *find_command(cli_family f, const char *verb)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (commands[i].family == f && strcmp(commands[i].verb, verb) == 0)
            return &commands[i];
    return NULL;
}

static bool family_of(const char *word, cli_family *f)
{
    if (strcmp(word, "image") == 0)
        *f = CLI_IMAGE;
    else if (strcmp(word, "fs") == 0)
        *f = CLI_FS;
    else if (strcmp(word, "firmware") == 0)
        *f = CLI_FIRMWARE;
    else
        return false;
    return true;
}

/* --heap BYTES[K|M]: the profile with that heap, checked as a profile. */
bool cli_profile_heap(const cli_args *a, const vb_profile *p, vb_profile *out)
{
    const char *v = a->value[CLI_OPT_BIT_HEAP];
    *out = *p;
    if (!v) return true;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    unsigned shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' || *end == 'm' ? 20 : 0;
    if (shift) end++;
    char why[160];
    if (*v < '0' || *v > '9' || *end || errno || n > (256ull << 20) >> shift) {
        cli_error(a, "--heap '%s' is not a size from 16K to 256M", v);
        return false;
    }
    out->heap_size = (uint32_t)(n << shift);
    if (vb_profile_validate(out, why, sizeof why) < 0) {
        cli_error(a, "--heap %s: %s", v, why);
        return false;
    }
    return true;
}

/* `vboard help [COMMAND]`: COMMAND is "image", "fs", "image create",
 * "fs ls", or a verb alone when only one family has it. */
int cli_cmd_help(const cli_args *a)
{
    if (a->argc == 0) {
        print_overview(stdout);
        return CLI_OK;
    }
    cli_family f;
    const cli_command *c = NULL;
    if (family_of(a->argv[0], &f)) {
        if (a->argc == 1) {
            print_family_help(stdout, f);
            return CLI_OK;
        }
        c = find_command(f, a->argv[1]);
    } else if (a->argc == 1) {
        for (size_t i = 0; i < N_COMMANDS && !c; i++)
            if (strcmp(commands[i].verb, a->argv[0]) == 0)
                c = &commands[i];
    }
    if (!c) {
        cli_error(a, "no command '%s%s%s' (vboard help lists them)", a->argv[0],
                  a->argc > 1 ? " " : "", a->argc > 1 ? a->argv[1] : "");
        return CLI_USAGE;
    }
    print_command_help(stdout, c);
    return CLI_OK;
}

/* ---- parsing --------------------------------------------------------------- */

static int usage_error(const cli_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int usage_error(const cli_args *a, const char *fmt, ...)
{
    char name[32];
    command_name(a->cmd, name, sizeof name);
    vprefix(a);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'vboard help %s')\n", name);
    return CLI_USAGE;
}

static const cli_option *find_long(const char *name, size_t len)
{
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (strlen(options[i].long_name) == len && strncmp(options[i].long_name, name, len) == 0)
            return &options[i];
    return NULL;
}

static const cli_option *find_short(char c)
{
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (options[i].short_name == c)
            return &options[i];
    return NULL;
}

static int take_option(cli_args *a, const cli_option *o, const char *value, const char *spelled)
{
    if (!o || !(a->cmd->opts & o->flag))
        return usage_error(a, "unknown option %s", spelled);
    a->opts |= o->flag;
    a->value[__builtin_ctzll(o->flag)] = value;
    if (o->flag == CLI_OPT_BOARD)
        a->board = value;
    else if (o->flag == CLI_OPT_FLASH)
        a->flash = value;
    return CLI_OK;
}

/* Options anywhere among the operands until "--"; "-h"/"--help" asks for
 * this command's help (returned as -1). */
static int parse_operands(cli_args *a, int argc, char **argv)
{
    bool opts_done = false;
    for (int i = 0; i < argc; i++) {
        char *s = argv[i];
        if (opts_done || s[0] != '-' || s[1] == '\0') {
            a->argv[a->argc++] = s;
            continue;
        }
        if (strcmp(s, "--") == 0) {
            opts_done = true;
        } else if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
            return -1;
        } else if (s[1] == '-') {
            const char *name = s + 2, *eq = strchr(name, '=');
            const cli_option *o = find_long(name, eq ? (size_t)(eq - name) : strlen(name));
            const char *value = eq ? eq + 1 : NULL;
            if (o && o->metavar && !value) {
                if (i + 1 >= argc)
                    return usage_error(a, "option %s needs a value: --%s %s", s, o->long_name, o->metavar);
                value = argv[++i];
            } else if (o && !o->metavar && value) {
                return usage_error(a, "option %s takes no value", s);
            }
            if (take_option(a, o, value, s) != CLI_OK)
                return CLI_USAGE;
        } else {
            /* Flags cluster (-rl); a value option takes the rest of the
             * word or the next argument (-oFILE, -o FILE), as getopt does. */
            for (const char *p = s + 1; *p; p++) {
                const cli_option *o = find_short(*p);
                char spelled[3] = {'-', *p, '\0'};
                const char *value = NULL;
                if (o && o->metavar) {
                    if (p[1])
                        value = p + 1;
                    else if (i + 1 < argc)
                        value = argv[++i];
                    else
                        return usage_error(a, "option %s needs a value: %s %s", spelled, spelled, o->metavar);
                }
                if (take_option(a, o, value, spelled) != CLI_OK)
                    return CLI_USAGE;
                if (value)
                    break;
            }
        }
    }
    if (a->argc < a->cmd->min_args || (a->cmd->max_args >= 0 && a->argc > a->cmd->max_args)) {
        return usage_error(a, "expects %s", a->cmd->synopsis[0] ? a->cmd->synopsis : "no operands");
    }
    return CLI_OK;
}

static bool is_help_word(const char *s)
{
    return strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0;
}

/* `vboard image` / `vboard fs FILE` without a verb: the family's usage,
 * on stdout when asked for with --help. */
static int family_usage(cli_family f, bool asked)
{
    print_family_help(asked ? stdout : stderr, f);
    return asked ? CLI_OK : CLI_USAGE;
}

/* Run the handler with the terminal's stop signals held: an interrupt in the
 * middle of a FAT update would leave the image as a power cut does, and the
 * handler always closes the image cleanly. A signal that arrived meanwhile
 * takes effect once the mask is restored. */
static int run_held(const cli_args *a)
{
    sigset_t hold, old;
    sigemptyset(&hold);
    sigaddset(&hold, SIGINT);
    sigaddset(&hold, SIGTERM);
    sigaddset(&hold, SIGHUP);
    sigaddset(&hold, SIGQUIT);
    sigprocmask(SIG_BLOCK, &hold, &old);
    int rc = a->cmd->handler(a);
    fflush(stdout);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return rc;
}

int cli_main(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stderr);
        return CLI_USAGE;
    }
    const char *word = argv[1];
    if (is_help_word(word)) {
        print_overview(stdout);
        return CLI_OK;
    }
    cli_args a = {0};
    int next;   /* argv index of the first operand */
    cli_family f;
    if (family_of(word, &f)) {
        int at = 2;
        if (f == CLI_FS) {
            if (argc <= 2 || is_help_word(argv[2]))
                return family_usage(f, argc > 2);
            a.image = argv[2];
            at = 3;
        }
        if (argc <= at || is_help_word(argv[at]))
            return family_usage(f, argc > at);
        a.cmd = find_command(f, argv[at]);
        if (!a.cmd) {
            fprintf(stderr, "vboard: %s: unknown command '%s' (see 'vboard help %s')\n",
                    family_word(f), argv[at], family_word(f));
            return CLI_USAGE;
        }
        next = at + 1;
    } else {
        a.cmd = find_command(CLI_TOP, word);
        if (!a.cmd) {
            fprintf(stderr, "vboard: unknown command '%s' (vboard help lists the commands)\n", word);
            return CLI_USAGE;
        }
        next = 2;
    }
    a.argv = calloc((size_t)argc + 1, sizeof *a.argv);
    if (!a.argv) {
        cli_error(&a, "out of memory");
        return CLI_FAILED;
    }
    int rc = parse_operands(&a, argc - next, argv + next);
    if (rc < 0) {
        print_command_help(stdout, a.cmd);
        rc = CLI_OK;
    } else if (rc == CLI_OK) {
        rc = run_held(&a);
    }
    free(a.argv);
    return rc;
}
