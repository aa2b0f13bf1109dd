/* The board's network policy (src/net/netpolicy.c): option parsing, the
 * name table, what each mode lets the board reach. */
#include "check.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/netpolicy.h"
#include "net/ntp.h"
#include "net/wifi.h"

static void test_modes_and_peers(void)
{
    vb_netpolicy p;
    vb_netpolicy_init(&p);
    vb_net_mode m;
    CHECK(vb_netpolicy_parse_mode("host", &m) && m == VB_NET_HOST);
    CHECK(!vb_netpolicy_parse_mode("Host", &m));
    CHECK(!vb_netpolicy_parse_mode("", &m));
    CHECK_STR(vb_netpolicy_mode_name(VB_NET_NONE), "none");
    /* loopback (the default): 127/8 only */
    CHECK_EQ(vb_netpolicy_check_peer(&p, 0x7F000001u), 0);
    CHECK_EQ(vb_netpolicy_check_peer(&p, 0x7F0A0B0Cu), 0);
    CHECK_EQ(vb_netpolicy_check_peer(&p, 0x0A0D0001u), EHOSTUNREACH);
    CHECK_EQ(vb_netpolicy_check_peer(&p, 0x5DB8D822u), EHOSTUNREACH);
    p.mode = VB_NET_HOST;
    CHECK_EQ(vb_netpolicy_check_peer(&p, 0x5DB8D822u), 0);
    CHECK_EQ(vb_netpolicy_check_peer(&p, 0), EHOSTUNREACH);
    CHECK_EQ(vb_netpolicy_check_peer(&p, 0xFFFFFFFFu), EHOSTUNREACH);
    CHECK_EQ(vb_netpolicy_check_peer(&p, 0xE0000001u), EHOSTUNREACH);
    p.mode = VB_NET_NONE;
    CHECK_EQ(vb_netpolicy_check_peer(&p, 0x7F000001u), EHOSTUNREACH);
}

static void test_ipv4(void)
{
    uint32_t ip;
    CHECK(vb_net_parse_ipv4("10.13.0.2", &ip) && ip == 0x0A0D0002u);
    CHECK(vb_net_parse_ipv4("0.0.0.0", &ip) && ip == 0);
    CHECK(!vb_net_parse_ipv4("256.1.1.1", &ip));
    CHECK(!vb_net_parse_ipv4("1.2.3", &ip));
    CHECK(!vb_net_parse_ipv4("1.2.3.4.", &ip));
    CHECK(!vb_net_parse_ipv4("1.2.3.0004", &ip));
    CHECK(!vb_net_parse_ipv4(" 1.2.3.4", &ip));
    CHECK(!vb_net_parse_ipv4("", &ip));
    char s[16];
    vb_net_format_ipv4(0xC0A80401u, s);
    CHECK_STR(s, "192.168.4.1");
}

static void test_names(void)
{
    vb_netpolicy p;
    vb_netpolicy_init(&p);
    char err[200];
    uint32_t ip = 0;
    CHECK(vb_netpolicy_resolve(&p, "localhost", &ip) == 1 && ip == 0x7F000001u);
    CHECK(vb_netpolicy_resolve(&p, "HOST.vboard.internal.", &ip) == 1 && ip == 0x7F000001u);
    CHECK_EQ(vb_netpolicy_resolve(&p, "example.com", &ip), -1);
    CHECK(vb_netpolicy_resolve(&p, "8.8.8.8", &ip) == 1 && ip == 0x08080808u);   /* no lookup: connect decides */
    CHECK_EQ(vb_netpolicy_add_hosts(&p, "broker.lan=127.0.0.2,localhost=127.0.0.9", err, sizeof err), 0);
    CHECK(vb_netpolicy_resolve(&p, "broker.lan", &ip) == 1 && ip == 0x7F000002u);
    CHECK(vb_netpolicy_resolve(&p, "localhost", &ip) == 1 && ip == 0x7F000009u);   /* a later entry wins */
    CHECK_EQ(vb_netpolicy_add_hosts(&p, "bad name=1.2.3.4", err, sizeof err), -1);
    CHECK(strstr(err, "'bad name=1.2.3.4'") != NULL);
    CHECK_EQ(vb_netpolicy_add_hosts(&p, "x=1.2.3", err, sizeof err), -1);
    CHECK_EQ(vb_netpolicy_add_hosts(&p, "=1.2.3.4", err, sizeof err), -1);
    CHECK_EQ(vb_netpolicy_add_hosts(&p, "a..b=1.2.3.4", err, sizeof err), -1);
    /* hostile lookups from the VM: control bytes, overlong labels */
    CHECK_EQ(vb_netpolicy_resolve(&p, "local\nhost", &ip), -1);
    char longl[80];
    memset(longl, 'a', 70);
    longl[70] = '\0';
    CHECK_EQ(vb_netpolicy_resolve(&p, longl, &ip), -1);
    p.mode = VB_NET_HOST;
    CHECK_EQ(vb_netpolicy_resolve(&p, "example.com", &ip), 0);   /* the host's resolver's */
    p.mode = VB_NET_NONE;
    CHECK_EQ(vb_netpolicy_resolve(&p, "localhost", &ip), -1);
    /* the table is bounded */
    vb_netpolicy_init(&p);
    int rc = 0;
    for (int i = 0; i < VB_NET_HOSTS_MAX && rc == 0; i++) {
        char item[32];
        snprintf(item, sizeof item, "h%d=1.1.1.1", i);
        rc = vb_netpolicy_add_hosts(&p, item, err, sizeof err);
    }
    CHECK_EQ(rc, -1);
    CHECK_EQ(p.n_hosts, VB_NET_HOSTS_MAX);
}

static void test_forwards(void)
{
    vb_netpolicy p;
    vb_netpolicy_init(&p);
    char err[200];
    CHECK_EQ(vb_netpolicy_add_forwards(&p, "8080:80,2222:22", err, sizeof err), 0);
    CHECK_EQ(vb_netpolicy_host_port(&p, 80), 8080);
    CHECK_EQ(vb_netpolicy_host_port(&p, 22), 2222);
    CHECK_EQ(vb_netpolicy_host_port(&p, 23), 0);
    CHECK_EQ(vb_netpolicy_add_forwards(&p, "9000:80", err, sizeof err), -1);   /* board port twice */
    CHECK(strstr(err, "twice") != NULL);
    CHECK_EQ(vb_netpolicy_add_forwards(&p, "8080:81", err, sizeof err), -1);   /* host port twice */
    CHECK_EQ(vb_netpolicy_add_forwards(&p, "80", err, sizeof err), -1);
    CHECK_EQ(vb_netpolicy_add_forwards(&p, "0:80", err, sizeof err), -1);
    CHECK_EQ(vb_netpolicy_add_forwards(&p, "70000:80", err, sizeof err), -1);
    CHECK_EQ(vb_netpolicy_add_forwards(&p, "+1:80", err, sizeof err), -1);
    CHECK_EQ(vb_netpolicy_add_forwards(&p, "1:8x", err, sizeof err), -1);
}

/* The gateway's NTP answers (net/ntp.h) and how the board reaches them. */
static void test_ntp(void)
{
    vb_netpolicy p;
    vb_netpolicy_init(&p);
    uint32_t ip;
    CHECK(vb_netpolicy_resolve(&p, "pool.ntp.org", &ip) == 1 && ip == VB_WIFI_DHCP_GW);
    CHECK(vb_netpolicy_gateway_ntp(VB_WIFI_DHCP_GW, 123));
    CHECK(!vb_netpolicy_gateway_ntp(VB_WIFI_DHCP_GW, 80));
    CHECK(!vb_netpolicy_gateway_ntp(0x7F000001u, 123));
    uint8_t q[48] = {0x1B}, a[48];
    memcpy(q + 40, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    /* 2026-12-03 00:00:00.5 UTC = 1796256000.5 s since 1970 */
    CHECK_EQ(vb_ntp_answer(q, sizeof q, 1796256000500000ull, a), 48);
    CHECK_EQ(a[0], 0x1C);          /* version 3 echoed, mode 4 */
    CHECK_EQ(a[1], 1);
    CHECK_MEM(a + 24, q + 40, 8);  /* originate = the client's transmit */
    uint32_t secs = (uint32_t)a[40] << 24 | (uint32_t)a[41] << 16 | (uint32_t)a[42] << 8 | a[43];
    CHECK_EQ(secs, 1796256000u + 2208988800u);   /* era 0 until 2036 */
    CHECK_EQ(a[44], 0x80);         /* half a second */
    q[0] = 0x1C;                   /* a server's packet: no answer (no loops between servers) */
    CHECK_EQ(vb_ntp_answer(q, sizeof q, 0, a), 0);
    q[0] = 0x3B;                   /* version 7 */
    CHECK_EQ(vb_ntp_answer(q, sizeof q, 0, a), 0);
    q[0] = 0x1B;
    CHECK_EQ(vb_ntp_answer(q, 47, 0, a), 0);
}

int main(void)
{
    RUN(test_ntp);
    RUN(test_modes_and_peers);
    RUN(test_ipv4);
    RUN(test_names);
    RUN(test_forwards);
    return CHECK_DONE();
}
