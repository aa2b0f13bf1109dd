/* What the board's network may reach (issue 13 §2), decided before the
 * supervisor opens anything on its behalf:
 *   --net loopback (the default): only this machine's loopback services,
 *                  reached as 127.0.0.1, localhost or host.vboard.internal;
 *   --net host:    whatever the host can reach, names through the host's
 *                  resolver after the board's own table;
 *   --net none:    nothing.
 * Names resolve through a table first: localhost and host.vboard.internal
 * (both 127.0.0.1), pool.ntp.org (the board's gateway, whose NTP service
 * the supervisor runs: net/ntp.h) and the --host HOST=IP entries. Inbound, --forward
 * HOSTPORT:BOARDPORT says where on the host's 127.0.0.1 a server listening
 * on BOARDPORT is reached; a board port without one gets a free port.
 * Pure: parsing and decisions only, so unit tests drive it alone. */
#ifndef VB_NET_NETPOLICY_H
#define VB_NET_NETPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VB_NET_HOSTS_MAX 32
#define VB_NET_FORWARDS_MAX 32
#define VB_NET_HOSTNAME_MAX 253

typedef enum vb_net_mode { VB_NET_LOOPBACK = 0, VB_NET_HOST, VB_NET_NONE } vb_net_mode;

typedef struct vb_net_host {
    char name[VB_NET_HOSTNAME_MAX + 1];
    uint32_t ip;               /* host byte order */
} vb_net_host;

typedef struct vb_net_forward {
    uint16_t host_port, board_port;
} vb_net_forward;

typedef struct vb_netpolicy {
    vb_net_mode mode;
    vb_net_host hosts[VB_NET_HOSTS_MAX];
    unsigned n_hosts;
    vb_net_forward fwd[VB_NET_FORWARDS_MAX];
    unsigned n_fwd;
} vb_netpolicy;

/* The default policy (loopback, the two built-in names, no forwards). */
void vb_netpolicy_init(vb_netpolicy *p);

/* "loopback" | "host" | "none"; false when it is none of them. */
bool vb_netpolicy_parse_mode(const char *s, vb_net_mode *out);
const char *vb_netpolicy_mode_name(vb_net_mode m);

/* --host HOST=IP[,NAME=IP...] and --forward HOSTPORT:BOARDPORT[,...]:
 * 0, or -1 with a sentence in err (the item and why). */
int vb_netpolicy_add_hosts(vb_netpolicy *p, const char *list, char *err, size_t errlen);
int vb_netpolicy_add_forwards(vb_netpolicy *p, const char *list, char *err, size_t errlen);

/* A dotted quad ("a.b.c.d", each 0..255, nothing else): true and *ip. */
bool vb_net_parse_ipv4(const char *s, uint32_t *ip);
void vb_net_format_ipv4(uint32_t ip, char out[16]);

/* May the board open a connection (or send datagrams) to ip? 0, or the
 * errno the board sees: EHOSTUNREACH outside the policy. */
int vb_netpolicy_check_peer(const vb_netpolicy *p, uint32_t ip);

/* A name the board looks up: 1 and *ip when the policy answers it (a
 * dotted quad, a table entry); 0 when only the host's resolver could
 * (--net host); -1 when the lookup fails (VB_NET_EAI_FAIL for the board). */
int vb_netpolicy_resolve(const vb_netpolicy *p, const char *name, uint32_t *ip);

/* A datagram to the gateway's NTP port: answered by the supervisor's
 * own NTP service (net/ntp.h), whatever the mode. */
bool vb_netpolicy_gateway_ntp(uint32_t ip, uint16_t port);

/* The host port a board port listens at: the --forward one, else 0 (any
 * free port). */
uint16_t vb_netpolicy_host_port(const vb_netpolicy *p, uint16_t board_port);

#endif
