/* The simulated radio (src/net/wifi.h): the station's attempts in board
 * time, its failure reasons and retries as the esp32 port reports them,
 * link loss, the APs in range, power loss, and the checks every request
 * from the VM passes (hostile input). */
#include <string.h>

#include "check.h"
#include "net/wifi.h"

#define T0 1000000u                /* board µs the tests start at */

static vb_wifi_req req(unsigned op, unsigned iface)
{
    vb_wifi_req r;
    memset(&r, 0, sizeof r);
    r.op = (uint8_t)op;
    r.iface = (uint8_t)iface;
    return r;
}

static vb_wifi_result active(vb_wifi *w, unsigned iface, int on, uint64_t t)
{
    vb_wifi_req r = req(VB_WIFI_OP_ACTIVE, iface);
    r.arg[0] = on;
    return vb_wifi_request(w, &r, t, t);
}

static vb_wifi_result connect(vb_wifi *w, const char *ssid, const char *key, uint64_t t)
{
    vb_wifi_req r = req(VB_WIFI_OP_CONNECT, VB_WIFI_STA);
    r.flags = VB_WIFI_F_CONFIG;
    r.ssid_len = (uint8_t)strlen(ssid);
    memcpy(r.ssid, ssid, r.ssid_len);
    r.key_len = (uint8_t)strlen(key);
    memcpy(r.key, key, r.key_len);
    return vb_wifi_request(w, &r, t, t);
}

static vb_wifi fresh(void)
{
    vb_wifi w;
    vb_wifi_init(&w, T0);
    char err[120];
    CHECK_EQ(vb_wifi_ap_add(&w, "home", 4, "secret-pass", 11, -67, err, sizeof err), 0);
    return w;
}

static void test_default_ap(void)
{
    vb_wifi w;
    vb_wifi_init(&w, T0);
    CHECK_EQ(w.n_aps, 1);
    CHECK_MEM(w.aps[0].ssid, "Wokwi-GUEST", 11);
    CHECK_EQ(w.aps[0].key_len, 0);
    CHECK_EQ(w.aps[0].channel, 6);
    CHECK_EQ(w.aps[0].bssid[0], 0x02);           /* locally administered */
    CHECK_EQ(vb_wifi_status(&w), VB_WIFI_STAT_IDLE);
    CHECK_EQ(vb_wifi_deadline(&w), 0);
    /* the same SSID gives the same BSSID and channel */
    uint8_t b1[6], b2[6], c1, c2;
    vb_wifi_bssid((const uint8_t *)"abc", 3, b1, &c1);
    vb_wifi_bssid((const uint8_t *)"abc", 3, b2, &c2);
    CHECK_MEM(b1, b2, 6);
    CHECK_EQ(c1, c2);
    CHECK(c1 >= 1 && c1 <= 13);
}

static void test_connect_ok_in_board_time(void)
{
    vb_wifi w = fresh();
    CHECK_EQ(connect(&w, "home", "secret-pass", T0), VB_WIFI_E_NOT_STARTED);
    CHECK_EQ(active(&w, VB_WIFI_STA, 1, T0), VB_WIFI_OK);
    CHECK_EQ(connect(&w, "home", "secret-pass", T0), VB_WIFI_OK);
    CHECK_EQ(vb_wifi_status(&w), VB_WIFI_STAT_CONNECTING);
    CHECK_EQ(vb_wifi_deadline(&w), T0 + VB_WIFI_CONNECT_US);
    /* a second connect while the first attempt runs: the port's internal error */
    CHECK_EQ(connect(&w, "home", "secret-pass", T0 + 10), VB_WIFI_E_CONN);
    CHECK(!vb_wifi_tick(&w, T0 + VB_WIFI_CONNECT_US - 1));
    CHECK_EQ(vb_wifi_status(&w), VB_WIFI_STAT_CONNECTING);
    CHECK(vb_wifi_tick(&w, T0 + VB_WIFI_CONNECT_US));
    CHECK_EQ(vb_wifi_status(&w), VB_WIFI_STAT_GOT_IP);
    CHECK_EQ(vb_wifi_deadline(&w), 0);
    vb_wifi_pub p;
    memset(&p, 0, sizeof p);
    vb_wifi_publish(&w, &p);
    CHECK_EQ(p.sta_connected, 1);
    CHECK_EQ(p.sta_ip.ip, VB_WIFI_DHCP_IP);
    CHECK_EQ(p.sta_ip.gw, VB_WIFI_DHCP_GW);
    CHECK_EQ(p.sta_ip.dns, VB_WIFI_DHCP_GW);
    CHECK_EQ(p.sta_rssi, -67);
    CHECK_EQ(p.n_aps, 2);
    CHECK_EQ(p.aps[1].auth, VB_WIFI_AUTH_WPA2_PSK);
    CHECK_EQ(p.gen, 1);
    char t[16];
    vb_wifi_ip_text(p.sta_ip.ip, t);
    CHECK_STR(t, "10.13.0.2");
}

static void test_wrong_key_and_unknown_ssid(void)
{
    vb_wifi w = fresh();
    active(&w, VB_WIFI_STA, 1, T0);
    CHECK_EQ(connect(&w, "home", "not-the-key", T0), VB_WIFI_OK);
    CHECK_EQ(vb_wifi_deadline(&w), T0 + VB_WIFI_AUTH_FAIL_US);
    CHECK(vb_wifi_tick(&w, T0 + VB_WIFI_AUTH_FAIL_US));
    CHECK_EQ(vb_wifi_status(&w), VB_WIFI_STAT_WRONG_PASSWORD);
    /* retried forever by default, still WRONG_PASSWORD */
    CHECK_EQ(vb_wifi_deadline(&w), T0 + 2 * VB_WIFI_AUTH_FAIL_US);
    CHECK(vb_wifi_tick(&w, T0 + 2 * VB_WIFI_AUTH_FAIL_US));
    CHECK_EQ(vb_wifi_status(&w), VB_WIFI_STAT_WRONG_PASSWORD);
    /* after a failure, connect() starts again with the new key */
    CHECK_EQ(connect(&w, "home", "secret-pass", T0 + 3000000), VB_WIFI_OK);
    CHECK(vb_wifi_tick(&w, T0 + 3000000 + VB_WIFI_CONNECT_US));
    CHECK_EQ(vb_wifi_status(&w), VB_WIFI_STAT_GOT_IP);

    vb_wifi u = fresh();
    active(&u, VB_WIFI_STA, 1, T0);
    CHECK_EQ(connect(&u, "nowhere", "", T0), VB_WIFI_OK);
    CHECK_EQ(vb_wifi_deadline(&u), T0 + VB_WIFI_SCAN_US);
    CHECK(vb_wifi_tick(&u, T0 + VB_WIFI_SCAN_US));
    CHECK_EQ(vb_wifi_status(&u), VB_WIFI_STAT_NO_AP_FOUND);
    /* an open AP takes any key */
    vb_wifi o = fresh();
    active(&o, VB_WIFI_STA, 1, T0);
    CHECK_EQ(connect(&o, "Wokwi-GUEST", "whatever", T0), VB_WIFI_OK);
    CHECK(vb_wifi_tick(&o, T0 + VB_WIFI_CONNECT_US));
    CHECK_EQ(vb_wifi_status(&o), VB_WIFI_STAT_GOT_IP);
}

static void test_drop_and_reconnect(void)
{
    vb_wifi w = fresh();
    active(&w, VB_WIFI_STA, 1, T0);
    CHECK(!vb_wifi_drop(&w, T0));                /* nothing to drop */
    connect(&w, "Wokwi-GUEST", "", T0);
    vb_wifi_tick(&w, T0 + VB_WIFI_CONNECT_US);
    uint64_t t = T0 + 5000000;
    CHECK(vb_wifi_drop(&w, t));
    CHECK_EQ(vb_wifi_status(&w), VB_WIFI_STAT_CONNECTING);   /* retrying at once */
    CHECK_EQ(vb_wifi_deadline(&w), t + VB_WIFI_CONNECT_US);
    /* connect() after a link loss restarts rather than failing */
    CHECK_EQ(connect(&w, "Wokwi-GUEST", "", t + 1), VB_WIFI_OK);
    CHECK(vb_wifi_tick(&w, t + 1 + VB_WIFI_CONNECT_US));
    CHECK_EQ(vb_wifi_status(&w), VB_WIFI_STAT_GOT_IP);

    /* reconnects=0: no retry, BEACON_TIMEOUT stays */
    vb_wifi_req r = req(VB_WIFI_OP_STA_CONFIG, VB_WIFI_STA);
    r.flags = VB_WIFI_F_ARG0;
    r.arg[0] = 0;
    CHECK_EQ(vb_wifi_request(&w, &r, t, t), VB_WIFI_OK);
    vb_wifi_pub p;
    memset(&p, 0, sizeof p);
    vb_wifi_publish(&w, &p);
    CHECK_EQ(p.sta_reconnects, 0);
    t += 10000000;
    CHECK(vb_wifi_drop(&w, t));
    CHECK_EQ(vb_wifi_deadline(&w), 0);
    CHECK_EQ(vb_wifi_status(&w), VB_WIFI_STAT_BEACON_TIMEOUT);
    /* the AP removed while connected: link loss too */
    connect(&w, "Wokwi-GUEST", "", t);
    vb_wifi_tick(&w, t + VB_WIFI_CONNECT_US);
    char err[120];
    CHECK_EQ(vb_wifi_ap_remove(&w, "Wokwi-GUEST", 11, t + 2000000, err, sizeof err), 0);
    CHECK_EQ(vb_wifi_status(&w), VB_WIFI_STAT_BEACON_TIMEOUT);
    CHECK_EQ(vb_wifi_ap_remove(&w, "Wokwi-GUEST", 11, t, err, sizeof err), -1);
    CHECK_STR(err, "no access point named 'Wokwi-GUEST'");
}

static void test_disconnect_and_power_loss(void)
{
    vb_wifi w = fresh();
    active(&w, VB_WIFI_STA, 1, T0);
    connect(&w, "home", "secret-pass", T0);
    vb_wifi_tick(&w, T0 + VB_WIFI_CONNECT_US);
    vb_wifi_req r = req(VB_WIFI_OP_DISCONNECT, VB_WIFI_STA);
    CHECK_EQ(vb_wifi_request(&w, &r, T0 + 2000000, T0 + 2000000), VB_WIFI_OK);
    CHECK_EQ(vb_wifi_status(&w), VB_WIFI_STAT_IDLE);
    CHECK_EQ(vb_wifi_deadline(&w), 0);
    connect(&w, "home", "secret-pass", T0 + 3000000);
    vb_wifi_tick(&w, T0 + 3000000 + VB_WIFI_CONNECT_US);
    CHECK_EQ(vb_wifi_status(&w), VB_WIFI_STAT_GOT_IP);
    vb_wifi_power_loss(&w);
    CHECK_EQ(vb_wifi_status(&w), VB_WIFI_STAT_IDLE);
    CHECK(!w.sta_active && !w.connected);
    CHECK_EQ(w.n_aps, 2);                        /* the APs in range stay */
    CHECK_EQ(w.cfg_ssid_len, 0);
    /* AP-only mode: a station call is the port's invalid mode */
    active(&w, VB_WIFI_AP, 1, T0);
    CHECK_EQ(connect(&w, "home", "secret-pass", T0), VB_WIFI_E_MODE);
}

static void test_ap_table(void)
{
    vb_wifi w;
    vb_wifi_init(&w, T0);
    char err[120];
    CHECK_EQ(vb_wifi_ap_add(&w, "x", 1, "short", 5, -50, err, sizeof err), -1);
    CHECK_EQ(vb_wifi_ap_add(&w, "", 0, "", 0, -50, err, sizeof err), -1);
    CHECK_EQ(vb_wifi_ap_add(&w, "012345678901234567890123456789012", 33, "", 0, -50, err, sizeof err), -1);
    CHECK_EQ(vb_wifi_ap_add(&w, "a\nb", 3, "", 0, -50, err, sizeof err), -1);
    CHECK_EQ(vb_wifi_ap_add(&w, "a\xff", 2, "", 0, -50, err, sizeof err), -1);
    CHECK_EQ(vb_wifi_ap_add(&w, "x", 1, "", 0, 5, err, sizeof err), -1);
    CHECK_EQ(vb_wifi_ap_add(&w, "Wokwi-GUEST", 11, "", 0, -50, err, sizeof err), -1);
    CHECK_EQ(vb_wifi_ap_add(&w, "caf\xc3\xa9", 5, "", 0, -90, err, sizeof err), 0);
    const char hex64[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ABCDEF";
    CHECK_EQ(vb_wifi_ap_add(&w, "hex", 3, hex64, 64, -50, err, sizeof err), 0);
    for (unsigned i = w.n_aps; i < VB_WIFI_APS_MAX; i++) {
        char name[8];
        snprintf(name, sizeof name, "ap%u", i);
        CHECK_EQ(vb_wifi_ap_add(&w, name, strlen(name), "", 0, -50, err, sizeof err), 0);
    }
    CHECK_EQ(vb_wifi_ap_add(&w, "onemore", 7, "", 0, -50, err, sizeof err), -1);
}

/* Requests are the VM's word: every field is checked. */
static void test_hostile_requests(void)
{
    vb_wifi w = fresh();
    active(&w, VB_WIFI_STA, 1, T0);
    uint64_t refused = w.refused;
    vb_wifi_req r = req(VB_WIFI_OP_CONNECT, VB_WIFI_STA);
    r.flags = VB_WIFI_F_CONFIG;
    r.ssid_len = VB_WIFI_SSID_MAX + 1;             /* over-long SSID */
    memset(r.ssid, 'A', r.ssid_len);
    CHECK_EQ(vb_wifi_request(&w, &r, T0, T0), VB_WIFI_E_SSID);
    r.ssid_len = 255;                              /* past the mailbox */
    CHECK_EQ(vb_wifi_request(&w, &r, T0, T0), VB_WIFI_E_SSID);
    r.ssid_len = 3;
    memcpy(r.ssid, "a\x01z", 3);                   /* a control character */
    CHECK_EQ(vb_wifi_request(&w, &r, T0, T0), VB_WIFI_E_SSID);
    memcpy(r.ssid, "a\xc0\x80", 3);                /* overlong UTF-8 */
    CHECK_EQ(vb_wifi_request(&w, &r, T0, T0), VB_WIFI_E_SSID);
    memcpy(r.ssid, "abc", 3);
    r.key_len = VB_WIFI_KEY_MAX + 1;
    memset(r.key, 'k', r.key_len);
    CHECK_EQ(vb_wifi_request(&w, &r, T0, T0), VB_WIFI_E_PASSWORD);
    r.key_len = 0;
    r.flags = 0x80;                                /* a flag CONNECT does not take */
    CHECK_EQ(vb_wifi_request(&w, &r, T0, T0), VB_WIFI_E_ARG);
    r.flags = VB_WIFI_F_CONFIG;
    r.iface = VB_WIFI_AP;                          /* connect on the AP interface */
    CHECK_EQ(vb_wifi_request(&w, &r, T0, T0), VB_WIFI_E_ARG);
    r.iface = 7;
    CHECK_EQ(vb_wifi_request(&w, &r, T0, T0), VB_WIFI_E_ARG);
    r.iface = VB_WIFI_STA;
    r.op = 0;
    CHECK_EQ(vb_wifi_request(&w, &r, T0, T0), VB_WIFI_E_ARG);
    r.op = VB_WIFI_OP_LAST + 1;
    CHECK_EQ(vb_wifi_request(&w, &r, T0, T0), VB_WIFI_E_ARG);
    vb_wifi_req a = req(VB_WIFI_OP_ACTIVE, VB_WIFI_STA);
    a.arg[0] = 2;
    CHECK_EQ(vb_wifi_request(&w, &a, T0, T0), VB_WIFI_E_ARG);
    vb_wifi_req c = req(VB_WIFI_OP_AP_CONFIG, VB_WIFI_AP);
    c.flags = VB_WIFI_F_ARG0;
    c.arg[0] = 14;                                 /* channel */
    CHECK_EQ(vb_wifi_request(&w, &c, T0, T0), VB_WIFI_E_ARG);
    c.flags = VB_WIFI_F_ARG1;
    c.arg[1] = VB_WIFI_AUTH_WPA2_PSK;              /* WPA2 without a key */
    CHECK_EQ(vb_wifi_request(&w, &c, T0, T0), VB_WIFI_E_PASSWORD);
    vb_wifi_req h = req(VB_WIFI_OP_HOSTNAME, VB_WIFI_STA);
    h.hostname_len = 200;
    CHECK_EQ(vb_wifi_request(&w, &h, T0, T0), VB_WIFI_E_ARG);
    h.hostname_len = 3;
    memcpy(h.hostname, "a\tb", 3);
    CHECK_EQ(vb_wifi_request(&w, &h, T0, T0), VB_WIFI_E_ARG);
    CHECK_EQ(w.refused, refused + 14);
    CHECK_EQ(vb_wifi_status(&w), VB_WIFI_STAT_IDLE);   /* nothing happened */
    CHECK_EQ(vb_wifi_deadline(&w), 0);
    memcpy(h.hostname, "abc", 3);
    CHECK_EQ(vb_wifi_request(&w, &h, T0, T0), VB_WIFI_OK);
    CHECK_EQ(w.hostname_len, 3);
}

static void test_rate_limit(void)
{
    vb_wifi w = fresh();
    vb_wifi_req a = req(VB_WIFI_OP_ACTIVE, VB_WIFI_STA);
    a.arg[0] = 1;
    unsigned ok = 0;
    for (unsigned i = 0; i < 1000; i++)                   /* all at one host time */
        ok += vb_wifi_request(&w, &a, T0, T0) == VB_WIFI_OK;
    CHECK_EQ(ok, VB_WIFI_BURST);
    CHECK_EQ(w.refused, 1000 - VB_WIFI_BURST);
    /* a second later, the sustained rate again */
    ok = 0;
    for (unsigned i = 0; i < 1000; i++) ok += vb_wifi_request(&w, &a, T0, T0 + 1000000) == VB_WIFI_OK;
    CHECK_EQ(ok, VB_WIFI_BURST);       /* the bucket holds the burst at most */
}

int main(void)
{
    RUN(test_default_ap);
    RUN(test_connect_ok_in_board_time);
    RUN(test_wrong_key_and_unknown_ssid);
    RUN(test_drop_and_reconnect);
    RUN(test_disconnect_and_power_loss);
    RUN(test_ap_table);
    RUN(test_hostile_requests);
    RUN(test_rate_limit);
    return CHECK_DONE();
}
