/* The board's network policy (netpolicy.h). */
#include "net/netpolicy.h"
#include "net/ntp.h"
#include "net/wifi.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOOPBACK_IP 0x7F000001u    /* 127.0.0.1 */

static const char *const mode_names[] = {"loopback", "host", "none"};

/* The names every board knows (netpolicy.h): this machine, and the NTP
 * server ntptime asks by default, which is the board's gateway. */
static const vb_net_host builtin_hosts[] = {
    {"localhost", LOOPBACK_IP},
    {"host.vboard.internal", LOOPBACK_IP},
    {"pool.ntp.org", VB_WIFI_DHCP_GW},
};

void vb_netpolicy_init(vb_netpolicy *p)
{
    memset(p, 0, sizeof *p);
    p->mode = VB_NET_LOOPBACK;
    for (size_t i = 0; i < sizeof builtin_hosts / sizeof builtin_hosts[0]; i++) p->hosts[p->n_hosts++] = builtin_hosts[i];
}

bool vb_netpolicy_gateway_ntp(uint32_t ip, uint16_t port) { return ip == VB_WIFI_DHCP_GW && port == VB_NTP_PORT; }

bool vb_netpolicy_parse_mode(const char *s, vb_net_mode *out)
{
    for (size_t i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++)
        if (s && strcmp(s, mode_names[i]) == 0) {
            *out = (vb_net_mode)i;
            return true;
        }
    return false;
}

const char *vb_netpolicy_mode_name(vb_net_mode m)
{
    return (unsigned)m < sizeof mode_names / sizeof mode_names[0] ? mode_names[m] : "?";
}

bool vb_net_parse_ipv4(const char *s, uint32_t *ip)
{
    uint32_t v = 0;
    for (int part = 0; part < 4; part++) {
        if (part && *s++ != '.') return false;
        if (!isdigit((unsigned char)*s)) return false;
        unsigned n = 0, digits = 0;
        while (isdigit((unsigned char)*s)) {
            n = n * 10 + (unsigned)(*s++ - '0');
            if (++digits > 3 || n > 255) return false;
        }
        v = v << 8 | n;
    }
    if (*s) return false;
    *ip = v;
    return true;
}

void vb_net_format_ipv4(uint32_t ip, char out[16])
{
    snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, ip >> 16 & 255, ip >> 8 & 255, ip & 255);
}

/* A host name as RFC 1123 allows it: letters, digits, '-' and '.', at
 * most VB_NET_HOSTNAME_MAX bytes, labels of 1..63. */
static bool name_ok(const char *s, size_t len)
{
    if (len == 0 || len > VB_NET_HOSTNAME_MAX) return false;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
        } else if (isalnum(c) || c == '-' || c == '_') {
            if (++label > 63) return false;
        } else {
            return false;
        }
    }
    return true;
}

/* The next comma-separated item of *s, copied into buf (cut at cap). */
static void next_item(const char **s, char *buf, size_t cap)
{
    const char *start = *s, *end = strchr(start, ',');
    size_t n = end ? (size_t)(end - start) : strlen(start);
    *s = end ? end + 1 : start + n;
    if (n >= cap) n = cap - 1;
    memcpy(buf, start, n);
    buf[n] = '\0';
}

int vb_netpolicy_add_hosts(vb_netpolicy *p, const char *list, char *err, size_t errlen)
{
    const char *s = list;
    while (*s) {
        char item[VB_NET_HOSTNAME_MAX + 24];
        next_item(&s, item, sizeof item);
        char *eq = strchr(item, '=');
        uint32_t ip;
        if (!eq || !name_ok(item, (size_t)(eq - item)) || !vb_net_parse_ipv4(eq + 1, &ip)) {
            snprintf(err, errlen, "'%s': expected HOST=IP (a host name and a dotted IPv4 address)", item);
            return -1;
        }
        *eq = '\0';
        vb_net_host *h = NULL;
        for (unsigned i = 0; i < p->n_hosts; i++)
            if (strcasecmp(p->hosts[i].name, item) == 0) h = &p->hosts[i];   /* a later entry wins */
        if (!h) {
            if (p->n_hosts >= VB_NET_HOSTS_MAX) {
                snprintf(err, errlen, "more than %d names", VB_NET_HOSTS_MAX);
                return -1;
            }
            h = &p->hosts[p->n_hosts++];
        }
        memcpy(h->name, item, (size_t)(eq - item) + 1);   /* name_ok: it fits */
        h->ip = ip;
    }
    return 0;
}

static bool parse_port(const char *s, uint16_t *out)
{
    char *end;
    errno = 0;
    long v = isdigit((unsigned char)*s) ? strtol(s, &end, 10) : -1;
    if (v < 1 || v > 65535 || errno || *end) return false;
    *out = (uint16_t)v;
    return true;
}

int vb_netpolicy_add_forwards(vb_netpolicy *p, const char *list, char *err, size_t errlen)
{
    const char *s = list;
    while (*s) {
        char item[32];
        next_item(&s, item, sizeof item);
        char *colon = strchr(item, ':');
        vb_net_forward f;
        if (colon) *colon = '\0';
        if (!colon || !parse_port(item, &f.host_port) || !parse_port(colon + 1, &f.board_port)) {
            if (colon) *colon = ':';
            snprintf(err, errlen, "'%s': expected HOSTPORT:BOARDPORT (ports 1-65535)", item);
            return -1;
        }
        for (unsigned i = 0; i < p->n_fwd; i++)
            if (p->fwd[i].board_port == f.board_port || p->fwd[i].host_port == f.host_port) {
                snprintf(err, errlen, "'%u:%u': port %u is forwarded twice", f.host_port, f.board_port,
                         p->fwd[i].board_port == f.board_port ? f.board_port : f.host_port);
                return -1;
            }
        if (p->n_fwd >= VB_NET_FORWARDS_MAX) {
            snprintf(err, errlen, "more than %d forwards", VB_NET_FORWARDS_MAX);
            return -1;
        }
        p->fwd[p->n_fwd++] = f;
    }
    return 0;
}

int vb_netpolicy_check_peer(const vb_netpolicy *p, uint32_t ip)
{
    switch (p->mode) {
    case VB_NET_LOOPBACK: return (ip >> 24) == 127 ? 0 : EHOSTUNREACH;
    case VB_NET_HOST:
        /* 0.0.0.0/8 and the multicast/broadcast ranges are no peer */
        return (ip >> 24) == 0 || ip >= 0xE0000000u ? EHOSTUNREACH : 0;
    default: return EHOSTUNREACH;
    }
}

int vb_netpolicy_resolve(const vb_netpolicy *p, const char *name, uint32_t *ip)
{
    if (p->mode == VB_NET_NONE) return -1;
    if (vb_net_parse_ipv4(name, ip)) return 1;
    size_t len = strlen(name);
    if (len && name[len - 1] == '.') len--;           /* the root's dot */
    if (!name_ok(name, len)) return -1;
    for (unsigned i = 0; i < p->n_hosts; i++)
        if (strlen(p->hosts[i].name) == len && strncasecmp(p->hosts[i].name, name, len) == 0) {
            *ip = p->hosts[i].ip;
            return 1;
        }
    return p->mode == VB_NET_HOST ? 0 : -1;
}

uint16_t vb_netpolicy_host_port(const vb_netpolicy *p, uint16_t board_port)
{
    for (unsigned i = 0; i < p->n_fwd; i++)
        if (p->fwd[i].board_port == board_port) return p->fwd[i].host_port;
    return 0;
}
