/* `vboard run`: boot a board (src/supervisor/board.h), with its CI-mode and
 * observation options. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_fs.h"
#include "flash/flash.h"
#include "bus/i2cbus.h"
#include "bus/spibus.h"
#include "net/netpolicy.h"
#include "scenario/parts.h"
#include "net/wifi.h"
#include "supervisor/board.h"

static const char *opt(const cli_args *a, unsigned bit) { return a->value[bit]; }

/* A whole decimal number in [lo, hi]; says why not. */
static bool parse_num(const cli_args *a, const char *what, const char *v, long long lo, long long hi,
                      long long *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || errno || n < lo || n > hi) {
        cli_error(a, "%s '%s' is not a number from %lld to %lld", what, v, lo, hi);
        return false;
    }
    *out = n;
    return true;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* --send TEXT with C-style escapes, decoded into out (at most strlen + 1). */
static bool decode_send(const cli_args *a, const char *s, char *out, size_t *len)
{
    size_t n = 0;
    for (; *s; s++) {
        if (*s != '\\') {
            out[n++] = *s;
            continue;
        }
        switch (*++s) {
        case 'r': out[n++] = '\r'; break;
        case 'n': out[n++] = '\n'; break;
        case 't': out[n++] = '\t'; break;
        case '\\': out[n++] = '\\'; break;
        case 'x':
            if (hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
                out[n++] = (char)(hexval(s[1]) * 16 + hexval(s[2]));
                s += 2;
                break;
            }
            /* fall through */
        default:
            cli_error(a, "--send: unknown escape '\\%c' (use \\r \\n \\t \\xHH \\\\)", *s ? *s : ' ');
            return false;
        }
    }
    *len = n;
    return true;
}

/* --fs-add DIR: the image (created if missing) gets DIR's contents. */
static int fs_add(const cli_args *a, const vb_profile *p, const char *flash, const char *dir)
{
    char err[VB_ERR_LEN];
    if (access(flash, F_OK) != 0 && vb_image_create(flash, p, &vb_image_vol_clock, err, sizeof err) < 0) {
        cli_error(a, "%s", err);
        return CLI_USAGE;
    }
    vb_image im;
    if (vb_image_open(&im, flash, p, false, err, sizeof err) < 0) {
        cli_error(a, "%s", err);
        return CLI_USAGE;
    }
    if (vb_image_fs_erased(&im)) {
        /* as the board's first boot would: format, defaults; then remount
         * with host (UTF-8) names for the copy */
        int r = vb_image_format_fs(&im, &vb_image_vol_clock, err, sizeof err);
        if (r == 0 && (r = vb_fsregion_unmount(&im.fs)) < 0)
            snprintf(err, sizeof err, "cannot write the new filesystem back: %s", strerror(-r));
        if (r < 0) {
            cli_error(a, "%s: %s", flash, err);
            vb_image_close(&im, NULL, 0);
            return CLI_FAILED;
        }
    }
    if (vb_image_mount(&im, VB_FAT_NAMES_UTF8, err, sizeof err) < 0) {
        cli_error(a, "%s: %s", flash, err);
        vb_image_close(&im, NULL, 0);
        return CLI_USAGE;
    }
    int rc = cli_fs_put_contents(a, &im.fs.vol, dir, "/");
    return cli_close_image(a, &im, rc);
}

/* --uart ID:LINK[,ID:LINK...]: split in place in buf; which UARTs the
 * board has is its port's (the supervisor says). */
static bool parse_uarts(const cli_args *a, char *buf, size_t cap, const char *links[VB_UARTS_MAX])
{
    if (strlen(opt(a, CLI_OPT_BIT_UART)) >= cap) {
        cli_error(a, "--uart: too long");
        return false;
    }
    snprintf(buf, cap, "%s", opt(a, CLI_OPT_BIT_UART));
    for (char *save = NULL, *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(item, ':');
        if (!colon || colon - item != 1 || item[0] < '0' || item[0] >= '0' + VB_UARTS_MAX || !colon[1]) {
            cli_error(a, "--uart '%s': expected ID:LINK (ID 0-%d, LINK a path)", item, VB_UARTS_MAX - 1);
            return false;
        }
        unsigned id = (unsigned)(item[0] - '0');
        if (links[id]) {
            cli_error(a, "--uart %u given twice", id);
            return false;
        }
        links[id] = colon + 1;
    }
    return true;
}

/* --parts FILE, then --i2c and --uart added to it (a part declared in
 * both is refused), into cfg; ADC inputs checked against the board. */
static bool wire_parts(const cli_args *a, const vb_profile *p, vb_parts *parts, const char *const links[VB_UARTS_MAX],
                       vb_adc_preset adc[VB_PARTS_ADC_MAX], vb_board_cfg *cfg)
{
    char err[VB_I2C_SCRIPT_PATH_MAX + 200];
    vb_parts_init(parts);
    if (opt(a, CLI_OPT_BIT_PARTS) && vb_parts_load(opt(a, CLI_OPT_BIT_PARTS), parts, err, sizeof err) < 0) {
        cli_error(a, "%s", err);
        return false;
    }
    vb_i2c_attach i2c[VB_I2C_DEVS_MAX];
    unsigned n = 0;
    if (opt(a, CLI_OPT_BIT_I2C) && vb_i2c_parse_attach(opt(a, CLI_OPT_BIT_I2C), i2c, VB_I2C_DEVS_MAX, &n, err, sizeof err) < 0) {
        cli_error(a, "--i2c: %s", err);
        return false;
    }
    for (unsigned i = 0; i < n; i++)
        if (vb_parts_add_i2c(parts, &i2c[i], err, sizeof err) < 0) {
            cli_error(a, "%s", err);
            return false;
        }
    for (unsigned i = 0; i < VB_UARTS_MAX; i++)
        if (links[i] && vb_parts_add_uart(parts, i, links[i], err, sizeof err) < 0) {
            cli_error(a, "%s", err);
            return false;
        }
    vb_spi_attach spi[VB_SPI_DEVS_MAX];
    n = 0;
    if (opt(a, CLI_OPT_BIT_SPI) && vb_spi_parse_attach(opt(a, CLI_OPT_BIT_SPI), spi, VB_SPI_DEVS_MAX, &n, err, sizeof err) < 0) {
        cli_error(a, "--spi: %s", err);
        return false;
    }
    for (unsigned i = 0; i < n; i++)
        if (vb_parts_add_spi(parts, &spi[i], err, sizeof err) < 0) {
            cli_error(a, "%s", err);
            return false;
        }
    cfg->spi_devs = parts->spi;
    cfg->n_spi_devs = parts->n_spi;
    for (unsigned i = 0; i < VB_UARTS_MAX; i++) cfg->uart_links[i] = parts->uart_link[i][0] ? parts->uart_link[i] : NULL;
    cfg->i2c_devs = parts->i2c;
    cfg->n_i2c_devs = parts->n_i2c;
    for (unsigned i = 0; i < parts->n_adc; i++) {
        const vb_pin_def *d = vb_port_pin(p->port, parts->adc[i].pin);
        if (!d || !vb_periph_adc_input(p->port->periph, d->gpio)) {
            cli_error(a, "%s:%u: '%s' is not an ADC input of the %s board", parts->path, parts->adc[i].line,
                      parts->adc[i].pin, p->name);
            return false;
        }
        adc[i] = (vb_adc_preset){d->gpio, parts->adc[i].uv};
    }
    cfg->adc_presets = adc;
    cfg->n_adc_presets = parts->n_adc;
    return true;
}

/* --net, --host, --forward: what the board's sockets may reach. */
static bool parse_net(const cli_args *a, vb_netpolicy *net)
{
    vb_netpolicy_init(net);
    char err[200];
    const char *mode = opt(a, CLI_OPT_BIT_NET);
    if (mode && !vb_netpolicy_parse_mode(mode, &net->mode)) {
        cli_error(a, "--net takes loopback, host or none, not '%s'", mode);
        return false;
    }
    if (opt(a, CLI_OPT_BIT_HOST) && vb_netpolicy_add_hosts(net, opt(a, CLI_OPT_BIT_HOST), err, sizeof err) < 0) {
        cli_error(a, "--host %s", err);
        return false;
    }
    if (opt(a, CLI_OPT_BIT_FORWARD) &&
        vb_netpolicy_add_forwards(net, opt(a, CLI_OPT_BIT_FORWARD), err, sizeof err) < 0) {
        cli_error(a, "--forward %s", err);
        return false;
    }
    return true;
}

/* --wifi SSID[:KEY][,SSID[:KEY]...]: the APs, split in place in buf (a
 * copy of the option), each checked as the board will take it. */
static bool parse_wifi(const cli_args *a, char *buf, vb_wifi_ap_cfg *aps, size_t *n)
{
    vb_wifi w;
    vb_wifi_init(&w, 0);
    *n = 0;
    for (char *save = NULL, *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(item, ':');
        if (colon) *colon = '\0';
        const char *key = colon ? colon + 1 : "";
        char err[160];
        if (*n >= VB_WIFI_APS_MAX - 1 ||
            vb_wifi_ap_add(&w, item, strlen(item), key, strlen(key), VB_WIFI_RSSI_DEFAULT, err, sizeof err) < 0) {
            cli_error(a, "--wifi '%s': %s", item, *n >= VB_WIFI_APS_MAX - 1 ? "too many access points" : err);
            return false;
        }
        aps[(*n)++] = (vb_wifi_ap_cfg){item, key};
    }
    return true;
}

int cli_cmd_run(const cli_args *a)
{
    const char *name = a->board ? a->board : CLI_DEFAULT_BOARD;
    const vb_profile *chosen = vb_profile_find(name);
    if (!chosen) {
        char names[160];
        cli_board_names(names, sizeof names);
        cli_error(a, "no board profile '%s' (boards: %s)", name, names);
        return CLI_USAGE;
    }
    vb_profile sized; /* lives as long as the board: this function runs it */
    if (!cli_profile_heap(a, chosen, &sized)) return CLI_USAGE;
    const vb_profile *p = &sized;
    bool pty = a->opts & CLI_OPT_PTY;
    if (a->argc > 0 && !pty) {
        cli_error(a, "a LINK operand needs --pty");
        return CLI_USAGE;
    }
    uint64_t lines = a->opts & (CLI_OPT_PTY | CLI_OPT_TCP | CLI_OPT_RFC2217);
    if (lines & (lines - 1)) {
        cli_error(a, "--pty, --tcp and --rfc2217 exclude each other");
        return CLI_USAGE;
    }
    vb_board_line line = pty ? VB_LINE_PTY : lines == CLI_OPT_TCP ? VB_LINE_TCP
                       : lines == CLI_OPT_RFC2217 ? VB_LINE_RFC2217 : VB_LINE_TERMINAL;
    long long port = 0;
    if ((line == VB_LINE_TCP || line == VB_LINE_RFC2217) &&
        !parse_num(a, "TCP port", opt(a, line == VB_LINE_TCP ? CLI_OPT_BIT_TCP : CLI_OPT_BIT_RFC2217),
                   0, 65535, &port))
        return CLI_USAGE;
    char flash[512];
    if (a->flash)
        snprintf(flash, sizeof flash, "%s", a->flash);
    else
        snprintf(flash, sizeof flash, "vboard-flash-%s.bin", name);   /* as named: generic keeps its file */
    vb_board_cfg cfg = {.profile = p, .board_name = name, .flash_path = flash, .line = line,
                        .pty_link = a->argc > 0 ? a->argv[0] : NULL, .port = (int)port,
                        .control_path = opt(a, CLI_OPT_BIT_CONTROL),
                        .trace_path = opt(a, CLI_OPT_BIT_TRACE),
                        .vcd_path = opt(a, CLI_OPT_BIT_VCD),
                        .serial_log_path = opt(a, CLI_OPT_BIT_SERIAL_LOG),
                        .expect_text = opt(a, CLI_OPT_BIT_EXPECT_TEXT),
                        .fail_text = opt(a, CLI_OPT_BIT_FAIL_TEXT),
                        .power_cut_mode = VB_CUT_TORN_PREFIX, .power_cut_seed = 1};
    const char *rtc = opt(a, CLI_OPT_BIT_RTC);
    if (rtc && strcmp(rtc, "host") != 0 && strcmp(rtc, "zero") != 0) {
        cli_error(a, "--rtc takes 'zero' or 'host', not '%s'", rtc);
        return CLI_USAGE;
    }
    cfg.rtc_host = rtc && strcmp(rtc, "host") == 0;
    const char *clock = opt(a, CLI_OPT_BIT_CLOCK);
    if (clock && strcmp(clock, "real") != 0 && strcmp(clock, "fast") != 0) {
        cli_error(a, "--clock takes 'real' or 'fast', not '%s'", clock);
        return CLI_USAGE;
    }
    cfg.clock = clock && strcmp(clock, "fast") == 0 ? VB_CLOCK_FAST : VB_CLOCK_REAL;
    long long n;
    if (opt(a, CLI_OPT_BIT_TIMEOUT)) {
        if (!parse_num(a, "--timeout", opt(a, CLI_OPT_BIT_TIMEOUT), 1, 86400000LL * 365, &n)) return CLI_USAGE;
        cfg.timeout_ms = (long)n;
    }
    if (opt(a, CLI_OPT_BIT_BAUD)) {
        if (!parse_num(a, "--baud", opt(a, CLI_OPT_BIT_BAUD), 10, 100000000, &n)) return CLI_USAGE;
        cfg.baud = (uint32_t)n;
    }
    cfg.allow_any_user = a->opts & CLI_OPT_ALLOW_ANY_USER;
    const char *unsafe = getenv("VBOARD_UNSAFE_NO_AUDIT_HOOK");
    cfg.no_audit_hook = unsafe && strcmp(unsafe, "1") == 0;
    cfg.sandbox_audit_path = getenv("VBOARD_SANDBOX_AUDIT");
    if (opt(a, CLI_OPT_BIT_LOG_MAX)) {
        if (!parse_num(a, "--log-max", opt(a, CLI_OPT_BIT_LOG_MAX), 4096, (long long)1 << 50, &n)) return CLI_USAGE;
        cfg.log_max = (uint64_t)n;
    }
    if (opt(a, CLI_OPT_BIT_POWER_CUT_AT)) {
        if (!parse_num(a, "--power-cut-at", opt(a, CLI_OPT_BIT_POWER_CUT_AT), 1, (long long)1 << 50, &n))
            return CLI_USAGE;
        cfg.power_cut_at = (uint64_t)n;
    }
    if (opt(a, CLI_OPT_BIT_POWER_CUT_SEED)) {
        if (!parse_num(a, "--power-cut-seed", opt(a, CLI_OPT_BIT_POWER_CUT_SEED), 0, UINT32_MAX, &n))
            return CLI_USAGE;
        cfg.power_cut_seed = (uint32_t)n;
    }
    const char *mode = opt(a, CLI_OPT_BIT_POWER_CUT_MODE);
    if (mode) {
        static const char *const modes[] = {"skip", "whole", "torn-prefix", "torn-bits"};
        int m = -1;
        for (int i = 0; i < 4; i++)
            if (strcmp(mode, modes[i]) == 0) m = i;
        if (m < 0) {
            cli_error(a, "--power-cut-mode takes skip, whole, torn-prefix or torn-bits, not '%s'", mode);
            return CLI_USAGE;
        }
        cfg.power_cut_mode = (vb_cut_mode)m;
    }
    vb_wifi_ap_cfg aps[VB_WIFI_APS_MAX];
    char wifi[VB_WIFI_APS_MAX * (VB_WIFI_SSID_MAX + VB_WIFI_KEY_MAX + 2) + 1];
    if (opt(a, CLI_OPT_BIT_WIFI)) {
        if (strlen(opt(a, CLI_OPT_BIT_WIFI)) >= sizeof wifi) {
            cli_error(a, "--wifi: too long");
            return CLI_USAGE;
        }
        snprintf(wifi, sizeof wifi, "%s", opt(a, CLI_OPT_BIT_WIFI));
        if (!parse_wifi(a, wifi, aps, &cfg.n_wifi_aps)) return CLI_USAGE;
        cfg.wifi_aps = aps;
    }
    vb_netpolicy net;
    if (!parse_net(a, &net)) return CLI_USAGE;
    cfg.net = &net;
    cfg.mip_index = opt(a, CLI_OPT_BIT_MIP_INDEX);
    char uarts[1024];
    const char *links[VB_UARTS_MAX] = {0};
    if (opt(a, CLI_OPT_BIT_UART) && !parse_uarts(a, uarts, sizeof uarts, links)) return CLI_USAGE;
    vb_parts *parts = malloc(sizeof *parts);   /* large: the script paths */
    vb_adc_preset adc[VB_PARTS_ADC_MAX];
    if (!parts || !wire_parts(a, p, parts, links, adc, &cfg)) {
        if (!parts) cli_error(a, "out of memory");
        free(parts);
        return CLI_USAGE;
    }
    char *send = NULL;
    if (opt(a, CLI_OPT_BIT_SEND)) {
        send = malloc(strlen(opt(a, CLI_OPT_BIT_SEND)) + 1);
        if (!send || !decode_send(a, opt(a, CLI_OPT_BIT_SEND), send, &cfg.send_len)) {
            free(send);
            free(parts);
            return CLI_USAGE;
        }
        cfg.send_text = send;
    }
    int rc = CLI_OK;
    if (opt(a, CLI_OPT_BIT_FS_ADD)) rc = fs_add(a, p, flash, opt(a, CLI_OPT_BIT_FS_ADD));
    if (rc == CLI_OK) {
        char err[VB_ERR_LEN] = "";
        rc = vb_board_run(&cfg, err, sizeof err);
        if (err[0]) cli_error(a, "%s", err);
    }
    free(send);
    free(parts);
    return rc;
}
