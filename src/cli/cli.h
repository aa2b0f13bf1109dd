/* The `vboard` command line: every subcommand declared once.
 *
 * VB_CLI_COMMANDS is the single table (style.md §4, Redis's commands.def):
 * cli.c expands it into the dispatch table, the usage text and `--help`;
 * each handler lives with its family (cli_image.c, cli_fs.c, cli_fs_cp.c,
 * cli_firmware.c).
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
#include <stddef.h>
#include <stdint.h>

#include "image/image.h"

#define CLI_OK 0
#define CLI_FAILED 1
#define CLI_USAGE 2

typedef enum cli_family {
    CLI_TOP,     /* vboard VERB ... */
    CLI_IMAGE,   /* vboard image VERB ... FILE */
    CLI_FS,      /* vboard fs FILE VERB ... */
    CLI_FIRMWARE,/* vboard firmware VERB ... */
} cli_family;

/* X(id, short, long, metavar, help): metavar names the option's value in
 * help and messages (NULL: a flag, no value). */
#define VB_CLI_OPTIONS(X)                                                              \
    X(RECURSIVE, 'r', "recursive", NULL, "include directories and their contents")    \
    X(LONG, 'l', "long", NULL, "show size and modification time")                     \
    X(BOARD, 0, "board", "BOARD", "board profile: esp32 (default; also 'generic'), pycom or rp2") \
    X(FLASH, 0, "flash", "FILE", "flash image file (default: vboard-flash-BOARD.bin)") \
    X(PTY, 0, "pty", NULL, "serve a pseudo-terminal (path on the first line) instead of the terminal") \
    X(TCP, 0, "tcp", "PORT", "serve raw TCP on 127.0.0.1:PORT, one client at a time (0: any free port; URL on the first line)") \
    X(RFC2217, 0, "rfc2217", "PORT", "serve RFC 2217 (pyserial's rfc2217://) on 127.0.0.1:PORT, likewise") \
    X(CONTROL, 0, "control", "PATH", "control socket path (default: $XDG_RUNTIME_DIR or /tmp/vboard-PID.sock, printed on stderr)") \
    X(RTC, 0, "rtc", "zero|host", "where the RTC starts at power-on: 'zero' (2000-01-01, default) or 'host' (host time, UTC)") \
    X(CLOCK, 0, "clock", "real|fast", "board time: 'real' (default for run) runs with the host's; 'fast' jumps over idle time (sleeps, deep sleep, bootloader windows)") \
    X(TRACE, 0, "trace", "FILE", "write a JSON-lines timeline of resets, stages, LED, pins, watchdog to FILE") \
    X(VCD, 0, "vcd", "FILE", "write pin levels and the LED as a Value Change Dump (GTKWave, PulseView) to FILE") \
    X(SERIAL_LOG, 0, "serial-log", "FILE", "copy every byte the board sends to FILE") \
    X(EXPECT_TEXT, 0, "expect-text", "TEXT", "CI: exit 0 once the serial output contains TEXT") \
    X(FAIL_TEXT, 0, "fail-text", "TEXT", "CI: exit 1 once the serial output contains TEXT") \
    X(TIMEOUT, 0, "timeout", "MS", "CI: exit 42 after MS milliseconds of board time") \
    X(BAUD, 0, "baud", "N", "pace the serial line at N baud (10 bits a byte) both ways, as a UART at that rate (default: unpaced)") \
    X(HEAP, 0, "heap", "BYTES[K|M]", "the board's MicroPython heap (gc.mem_alloc() + gc.mem_free(), where MemoryError begins) instead of the profile's: e.g. 4M for an ESP32 with SPIRAM; 16K to 256M") \
    X(ALLOW_ANY_USER, 0, "allow-any-user", NULL, "TCP/RFC 2217: serve clients of any local user (default: only the user running the board)") \
    X(LOG_MAX, 0, "log-max", "BYTES", "cap each of --serial-log, --trace and --vcd at BYTES (default 64 MiB); a note marks the cut") \
    X(SEND, 0, "send", "TEXT", "type TEXT into the REPL once its prompt is up (escapes \\r \\n \\t \\xHH \\\\)") \
    X(FS_ADD, 0, "fs-add", "DIR", "copy the contents of host directory DIR into the flash filesystem before the first boot (the image is created if missing)") \
    X(POWER_CUT_AT, 0, "power-cut-at", "N", "cut power at the Nth flash operation of this run, then power on again") \
    X(POWER_CUT_MODE, 0, "power-cut-mode", "MODE", "what the cut operation leaves: skip, whole, torn-prefix (default), torn-bits") \
    X(POWER_CUT_SEED, 0, "power-cut-seed", "SEED", "seed for torn cuts (default 1)") \
    X(OUTPUT, 'o', "output", "FILE", "write the result to FILE (never overwritten)") \
    X(VERSION, 0, "version", "V", "firmware version string V: 1 to 32 printable ASCII characters") \
    X(SLOT, 0, "slot", "factory|ota_0", "app slot to write: factory (default) or ota_0 (pycom)") \
    X(ERASE_FS, 0, "erase-fs", NULL, "also erase the filesystem region (the board formats it at its next boot)") \
    X(JUNIT, 0, "junit", "FILE", "also write the results as JUnit XML to FILE (CI test reports)") \
    X(WIFI, 0, "wifi", "SSID[:KEY][,...]", "access points in range besides the open Wokwi-GUEST: comma-separated, each SSID[:KEY] (no KEY: open; the first ':' ends the SSID)") \
    X(NET, 0, "net", "loopback|host|none", "what the board's sockets may reach: 'loopback' (default) this machine's loopback services only, 'host' whatever the host can, 'none' nothing") \
    X(HOST, 0, "host", "HOST=IP[,...]", "names the board's lookups answer (besides localhost and host.vboard.internal, both 127.0.0.1)") \
    X(UART, 0, "uart", "ID:LINK[,...]", "bridge the board's UART ID to a new pty, LINK a symlink to it, or with LINK tcp:PORT to 127.0.0.1:PORT (0: a free port, shown by `vboard ctl SOCK status`); a host program there plays the GPS or modem; without one a UART sends into the void and hears nothing") \
    X(PARTS, 0, "parts", "FILE", "the board's wiring from a YAML or JSON file: I2C and SPI devices, UART links, ADC inputs (README \"Parts files\"); the command line's --i2c, --spi and --uart add to it") \
    X(MIP_INDEX, 0, "mip-index", "DIR", "serve DIR (laid out as micropython.org's index: package/py/PKG/latest.json, file/HH/HASH) to the board's mip.install, at mip.vboard.internal") \
    X(FORWARD, 0, "forward", "HOSTPORT:BOARDPORT[,...]", "a server the board runs on BOARDPORT is reached at 127.0.0.1:HOSTPORT (a board port without one listens on a free port: `vboard ctl SOCK net`)") \
    X(I2C, 0, "i2c", "BUS:ADDR=MODEL[,...]", "attach devices to the board's I2C buses: models eeprom (24C32), sht3x (temperature/humidity, set with `vboard ctl SOCK sensor`), ssd1306 (128x64 OLED, `vboard ctl SOCK screenshot FILE.png`), script:PATH.py (a device of yours, run by the host's python3: README \"Script devices\"); e.g. 0:0x50=eeprom,0:0x3c=ssd1306") \
    X(SPI, 0, "spi", "BUS:CS=MODEL[:dc=PIN][:res=PIN][,...]", "attach devices to the board's SPI buses (BUS is machine.SPI's id), each selected by its chip-select pin CS: models ssd1306 (128x64 OLED, D/C on pin dc, reset optionally on res; `vboard ctl SOCK screenshot FILE.png spi:BUS:CS`), eeprom25 (25LC256, 32 KiB); e.g. 1:5=ssd1306:dc=4,1:15=eeprom25")

enum {
#define CLI_OPT_BIT(id, s, l, v, h) CLI_OPT_BIT_##id,
    VB_CLI_OPTIONS(CLI_OPT_BIT)
#undef CLI_OPT_BIT
    CLI_OPT_BIT_COUNT
};
/* opts is a 64-bit set and value[] has a slot per option */
_Static_assert(CLI_OPT_BIT_COUNT <= 64, "too many options for cli_args.opts");
enum {
#define CLI_OPT_FLAG(id, s, l, v, h) CLI_OPT_##id = 1ull << CLI_OPT_BIT_##id,
    VB_CLI_OPTIONS(CLI_OPT_FLAG)
#undef CLI_OPT_FLAG
};

/* X(id, family, verb, handler, options, min operands, max operands (-1 = any),
 *   operand synopsis, help) */
#define VB_CLI_COMMANDS(X)                                                                     \
    X(RUN, CLI_TOP, "run", cli_cmd_run,                                                      \
      CLI_OPT_BOARD | CLI_OPT_FLASH | CLI_OPT_PTY | CLI_OPT_TCP | CLI_OPT_RFC2217 |             \
      CLI_OPT_CONTROL | CLI_OPT_RTC | CLI_OPT_CLOCK | CLI_OPT_TRACE | CLI_OPT_VCD | CLI_OPT_SERIAL_LOG |        \
      CLI_OPT_EXPECT_TEXT | CLI_OPT_FAIL_TEXT | CLI_OPT_TIMEOUT | CLI_OPT_SEND | CLI_OPT_FS_ADD | CLI_OPT_BAUD | CLI_OPT_HEAP | \
      CLI_OPT_ALLOW_ANY_USER | CLI_OPT_LOG_MAX | CLI_OPT_WIFI | CLI_OPT_NET | CLI_OPT_HOST | CLI_OPT_FORWARD | CLI_OPT_MIP_INDEX | CLI_OPT_UART | CLI_OPT_I2C | CLI_OPT_SPI | CLI_OPT_PARTS | \
      CLI_OPT_POWER_CUT_AT | CLI_OPT_POWER_CUT_MODE | CLI_OPT_POWER_CUT_SEED, 0, 1,            \
      "[--board esp32|pycom|rp2] [--flash FILE] [--pty [LINK] | --tcp PORT | --rfc2217 PORT] [OPTION...]", \
      "boot a board; serial on this terminal (Ctrl-] opens a menu: reset, power cycle, "      \
      "brown-out, quit), on a pty with LINK a symlink to it, or on a TCP port. Exit status: "   \
      "0 quit or --expect-text seen, 1 --fail-text seen, 2 set-up failed, 42 --timeout (board time)")       \
    X(CTL, CLI_TOP, "ctl", cli_cmd_ctl, 0, 2, 7, "SOCKET COMMAND [ARG...]",                      \
      "send one command to a running board's control socket and print its JSON reply: "      \
      "reset | power on|off|cycle | brownout | pin NAME [high|low|float] | led | status | "    \
      "wake [PIN] | clock [free] | advance MS | wifi | wifi ap add SSID [KEY] [RSSI] | "             \
      "wifi ap remove SSID | wifi drop | net | adc [PIN [MV]] | pwm [PIN] | i2c | spi | neopixel [PIN] | sensor [ADDR [TEMP_C [HUM_PCT]]] | "   \
      "screenshot FILE.png [ADDR|spi:BUS:CS] | quit. Exit status 0 ok, 1 the board refused (its reason on stderr), 2 no " \
      "board there or no reply it could read")                                                \
    X(TEST, CLI_TOP, "test", cli_cmd_test,                                                     \
      CLI_OPT_BOARD | CLI_OPT_FLASH | CLI_OPT_FS_ADD | CLI_OPT_JUNIT | CLI_OPT_CLOCK | CLI_OPT_PARTS | CLI_OPT_HEAP, 1, -1, \
      "SCENARIO.yaml... [--board esp32|pycom|rp2] [--flash FILE] [--fs-add DIR] [--junit FILE] [--clock real|fast] [--parts FILE] [--heap BYTES[K|M]]", \
      "run scenario files (Wokwi CI's format and vboard's steps; README 'Scenario files'), each on a " \
      "fresh board (--flash FILE is copied, never changed; without it the board starts erased; "  \
      "--clock fast by default), one line per step. " \
      "Exit status: 0 all passed, 1 a step failed, 2 a bad scenario file (FILE:LINE: why) or usage, " \
      "42 a scenario (or a step, its timeout) ran out of board time")                                                 \
    X(HELP, CLI_TOP, "help", cli_cmd_help, 0, 0, 2, "[COMMAND]",                              \
      "show help for every command, or for one")                                            \
    X(IMAGE_CREATE, CLI_IMAGE, "create", cli_cmd_image_create, CLI_OPT_BOARD, 1, 1,            \
      "[--board esp32|pycom|rp2] FILE",                                                       \
      "create a flash image as a board's first boot leaves it (never overwrites FILE)")       \
    X(IMAGE_INFO, CLI_IMAGE, "info", cli_cmd_image_info, 0, 1, 1, "FILE",                      \
      "show the board profile, partition table, filesystem geometry and usage")              \
    X(IMAGE_CHECK, CLI_IMAGE, "check", cli_cmd_image_check, 0, 1, 1, "FILE",                   \
      "check the filesystem's consistency without changing it (like fsck.fat -n)")           \
    X(IMAGE_ERASE_FS, CLI_IMAGE, "erase-fs", cli_cmd_image_erase_fs, 0, 1, 1, "FILE",          \
      "erase the filesystem region (factory reset: the board formats it at its next boot)")   \
    X(IMAGE_FLASH, CLI_IMAGE, "flash", cli_cmd_image_flash, CLI_OPT_SLOT | CLI_OPT_ERASE_FS,   \
      2, 2, "FILE FIRMWARE [--slot factory|ota_0] [--erase-fs]",                              \
      "write a firmware file (vboard firmware build) into an app slot as esptool does, after "  \
      "verifying it; otadata is left alone, the filesystem is kept unless --erase-fs")        \
    X(FIRMWARE_BUILD, CLI_FIRMWARE, "build", cli_cmd_firmware_build,                           \
      CLI_OPT_OUTPUT | CLI_OPT_VERSION, 1, 1, "DIR -o FILE --version V",                        \
      "build a firmware file from DIR/*.py (not recursive), one frozen module per file named "  \
      "after its stem; DIR must hold _boot.py (never overwrites FILE)")                        \
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
    uint64_t opts;          /* CLI_OPT_* given */
    const char *board;      /* --board value */
    const char *flash;      /* --flash value */
    const char *value[CLI_OPT_BIT_COUNT];  /* every option's value, by CLI_OPT_BIT_* */
    int argc;               /* operands (options removed) */
    char **argv;
} cli_args;

typedef int (*cli_handler)(const cli_args *a);

struct cli_command {
    const char *verb;
    cli_family family;
    cli_handler handler;
    uint64_t opts;
    int min_args, max_args;
    const char *synopsis;
    const char *help;
};

#define CLI_DECLARE(id, fam, verb, handler, opts, mn, mx, syn, help) int handler(const cli_args *a);
VB_CLI_COMMANDS(CLI_DECLARE)
#undef CLI_DECLARE

/* The board `run` and `image create` use without --board. */
#define CLI_DEFAULT_BOARD "esp32"

/* "esp32 (generic), pycom, rp2": every profile, aliases in brackets. */
void cli_board_names(char *buf, size_t len);
/* out = *p, with --heap BYTES[K|M]'s heap when given (checked as a
 * profile); false after a usage message. */
struct vb_profile;
bool cli_profile_heap(const cli_args *a, const struct vb_profile *p, struct vb_profile *out);

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

/* Read a whole host file (regular files only) into malloc'd *out; -EFBIG
 * when larger than max. 0 or a negative errno; nothing printed. */
int cli_read_host_file(const char *path, size_t max, uint8_t **out, size_t *len);

/* "vboard: <command>: <message>\n" on stderr. */
void cli_error(const cli_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "vboard: <command>: <what>: ENAME (text)[; hint]\n" on stderr. */
void cli_errno(const cli_args *a, const char *what, int err, const char *hint);

#endif
