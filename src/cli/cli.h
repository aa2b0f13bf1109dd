/* The `vboard` command line: every subcommand declared once.
 *
 * VB_CLI_COMMANDS is the single table (style.md §4, Redis's commands.def):
 * cli.c expands it into the dispatch table, the usage text and `--help`;
 * each handler lives with its family (cli_image.c, cli_fs.c, cli_fs_cp.c).
 * Options are declared once too (VB_CLI_OPTIONS); a command lists the ones
 * it accepts, and the one parser in cli.c checks options and operand count
 * before any handler runs.
 *
 * Exit status: 0 ok, 1 the operation failed, 2 usage error or the image
 * cannot be opened. Messages go to stderr as one sentence prefixed
 * "vboard: <command>: ". */
#ifndef VB_CLI_CLI_H
#define VB_CLI_CLI_H

#include <stdbool.h>

#include "image/image.h"

#define CLI_OK 0
#define CLI_FAILED 1
#define CLI_USAGE 2

typedef enum cli_family {
    CLI_TOP,     /* vboard VERB ... */
    CLI_IMAGE,   /* vboard image VERB ... FILE */
    CLI_FS,      /* vboard fs FILE VERB ... */
} cli_family;

/* X(id, short, long, takes_value, help) */
#define VB_CLI_OPTIONS(X)                                                              \
    X(RECURSIVE, 'r', "recursive", false, "include directories and their contents")   \
    X(LONG, 'l', "long", false, "show size and modification time")                    \
    X(BOARD, 0, "board", true, "board profile (default: generic)")                   \
    X(FLASH, 0, "flash", true, "flash image file (default: vboard-flash-BOARD.bin)")   \
    X(PTY, 0, "pty", false, "serve a pseudo-terminal (path on the first line) instead of the terminal") \
    X(TCP, 0, "tcp", true, "serve raw TCP on 127.0.0.1:PORT, one client at a time (0: any free port; URL on the first line)") \
    X(RFC2217, 0, "rfc2217", true, "serve RFC 2217 (pyserial's rfc2217://) on 127.0.0.1:PORT, likewise")

enum {
#define CLI_OPT_BIT(id, s, l, v, h) CLI_OPT_BIT_##id,
    VB_CLI_OPTIONS(CLI_OPT_BIT)
#undef CLI_OPT_BIT
};
enum {
#define CLI_OPT_FLAG(id, s, l, v, h) CLI_OPT_##id = 1u << CLI_OPT_BIT_##id,
    VB_CLI_OPTIONS(CLI_OPT_FLAG)
#undef CLI_OPT_FLAG
};

/* X(id, family, verb, handler, options, min operands, max operands (-1 = any),
 *   operand synopsis, help) */
#define VB_CLI_COMMANDS(X)                                                                     \
    X(RUN, CLI_TOP, "run", cli_cmd_run,                                                      \
      CLI_OPT_BOARD | CLI_OPT_FLASH | CLI_OPT_PTY | CLI_OPT_TCP | CLI_OPT_RFC2217, 0, 1,        \
      "[--board generic|pycom] [--flash FILE] [--pty [LINK] | --tcp PORT | --rfc2217 PORT]",   \
      "boot a board; serial on this terminal (Ctrl-] quits), on a pty with LINK a symlink to it, " \
      "or on a TCP port")                                                                      \
    X(HELP, CLI_TOP, "help", cli_cmd_help, 0, 0, 2, "[COMMAND]",                              \
      "show help for every command, or for one")                                            \
    X(IMAGE_CREATE, CLI_IMAGE, "create", cli_cmd_image_create, CLI_OPT_BOARD, 1, 1,            \
      "[--board generic|pycom] FILE",                                                         \
      "create a flash image as a board's first boot leaves it (never overwrites FILE)")       \
    X(IMAGE_INFO, CLI_IMAGE, "info", cli_cmd_image_info, 0, 1, 1, "FILE",                      \
      "show the board profile, partition table, filesystem geometry and usage")              \
    X(IMAGE_CHECK, CLI_IMAGE, "check", cli_cmd_image_check, 0, 1, 1, "FILE",                   \
      "check the filesystem's consistency without changing it (like fsck.fat -n)")           \
    X(IMAGE_ERASE_FS, CLI_IMAGE, "erase-fs", cli_cmd_image_erase_fs, 0, 1, 1, "FILE",          \
      "erase the filesystem region (factory reset: the board formats it at its next boot)")   \
    X(FS_LS, CLI_FS, "ls", cli_cmd_fs_ls, CLI_OPT_LONG, 0, 1, "[-l] [PATH]",                   \
      "list a directory, one name per line, directories with a trailing '/'")                \
    X(FS_TREE, CLI_FS, "tree", cli_cmd_fs_tree, 0, 0, 1, "[PATH]",                             \
      "show a directory and everything below it")                                            \
    X(FS_CAT, CLI_FS, "cat", cli_cmd_fs_cat, 0, 1, -1, "PATH...",                              \
      "write files to standard output")                                                      \
    X(FS_CP, CLI_FS, "cp", cli_cmd_fs_cp, CLI_OPT_RECURSIVE, 2, -1, "[-r] SRC... DST",         \
      "copy between host and board (':' marks the board side: all sources, or DST); "        \
      "into DST when it ends in '/' or is a directory")                                       \
    X(FS_RM, CLI_FS, "rm", cli_cmd_fs_rm, CLI_OPT_RECURSIVE, 1, -1, "[-r] PATH...",            \
      "remove files (-r: directories with their contents)")                                  \
    X(FS_MKDIR, CLI_FS, "mkdir", cli_cmd_fs_mkdir, 0, 1, -1, "PATH...", "create directories")  \
    X(FS_RMDIR, CLI_FS, "rmdir", cli_cmd_fs_rmdir, 0, 1, -1, "PATH...",                        \
      "remove empty directories")                                                            \
    X(FS_MV, CLI_FS, "mv", cli_cmd_fs_mv, 0, 2, 2, "SRC DST",                                  \
      "rename or move a file or directory (into DST when DST is a directory)")               \
    X(FS_DF, CLI_FS, "df", cli_cmd_fs_df, 0, 0, 0, "", "show filesystem size and usage")

typedef struct cli_command cli_command;

/* A parsed command line, handed to the handler. */
typedef struct cli_args {
    const cli_command *cmd;
    const char *image;      /* CLI_FS: the FILE before the verb */
    unsigned opts;          /* CLI_OPT_* given */
    const char *board;      /* --board value */
    const char *flash;      /* --flash value */
    const char *value[32];  /* every option's value, by CLI_OPT_BIT_* */
    int argc;               /* operands (options removed) */
    char **argv;
} cli_args;

typedef int (*cli_handler)(const cli_args *a);

struct cli_command {
    const char *verb;
    cli_family family;
    cli_handler handler;
    unsigned opts;
    int min_args, max_args;
    const char *synopsis;
    const char *help;
};

#define CLI_DECLARE(id, fam, verb, handler, opts, mn, mx, syn, help) int handler(const cli_args *a);
VB_CLI_COMMANDS(CLI_DECLARE)
#undef CLI_DECLARE

/* Entry point: parse, dispatch, return the exit status. */
int cli_main(int argc, char **argv);

/* Open an image (profile from its size); prints why not and returns
 * CLI_USAGE on failure, CLI_OK otherwise. */
int cli_open_image(const cli_args *a, const char *path, vb_image *im);
/* cli_open_image(a->image) + mount with UTF-8 names. */
int cli_open_fs(const cli_args *a, vb_image *im);
/* Close (sync, write back, unlock). Returns rc, or CLI_FAILED when closing
 * failed (said on stderr) and rc was CLI_OK. */
int cli_close_image(const cli_args *a, vb_image *im, int rc);

/* "vboard: <command>: <message>\n" on stderr. */
void cli_error(const cli_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "vboard: <command>: <what>: ENAME (text)[; hint]\n" on stderr. */
void cli_errno(const cli_args *a, const char *what, int err, const char *hint);

#endif
