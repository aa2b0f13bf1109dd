/* The simulated radio (wifi.h). */
#include "wifi.h"

#include <stdio.h>
#include <string.h>

#include "util/crc32.h"
#include "util/utf8.h"

#define RATE_COST_US (1000000u / VB_WIFI_RATE_PER_S)
#define RATE_CAPACITY_US ((uint64_t)VB_WIFI_BURST * RATE_COST_US)

static_assert(1000000u % VB_WIFI_RATE_PER_S == 0, "a request costs a whole number of µs");

void vb_wifi_bssid(const uint8_t *ssid, size_t n, uint8_t bssid[6], uint8_t *channel)
{
    uint32_t h = vb_crc32(ssid, n, 0xFFFFFFFFu, 0xFFFFFFFFu);
    uint32_t h2 = vb_crc32(&h, sizeof h, 0xFFFFFFFFu, 0xFFFFFFFFu);
    bssid[0] = 0x02;                           /* locally administered, unicast */
    bssid[1] = (uint8_t)(h2 >> 8);
    bssid[2] = (uint8_t)(h >> 24);
    bssid[3] = (uint8_t)(h >> 16);
    bssid[4] = (uint8_t)(h >> 8);
    bssid[5] = (uint8_t)h;
    *channel = (uint8_t)(1 + h2 % 13);
}

void vb_wifi_ip_text(uint32_t ip, char buf[16])
{
    snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, ip >> 16 & 255, ip >> 8 & 255, ip & 255);
}

/* UTF-8 without control characters (C0, DEL, C1). */
static bool text_ok(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = vb_utf8_valid_len(s + i, n - i);
        if (!k) return false;
        if (k == 1 && (s[i] < 0x20 || s[i] == 0x7F)) return false;
        if (k == 2 && s[i] == 0xC2 && s[i + 1] < 0xA0) return false;
        i += k;
    }
    return true;
}

static bool all_hex(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f'))) return false;
    return true;
}

static bool printable_ascii(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7E) return false;
    return true;
}

/* A WPA2 key an AP may have: 8..63 printable ASCII, or 64 hex digits. */
static bool wpa2_key_ok(const uint8_t *k, size_t n)
{
    return (n >= 8 && n <= 63 && printable_ascii(k, n)) || (n == 64 && all_hex(k, n));
}

/* ---- the access points ----------------------------------------------------- */

const vb_wifi_ap *vb_wifi_ap_find(const vb_wifi *w, const uint8_t *ssid, size_t n)
{
    for (unsigned i = 0; i < w->n_aps; i++)
        if (w->aps[i].ssid_len == n && memcmp(w->aps[i].ssid, ssid, n) == 0) return &w->aps[i];
    return NULL;
}

int vb_wifi_ap_add(vb_wifi *w, const char *ssid, size_t ssid_len, const char *key, size_t key_len, int rssi,
                   char *err, size_t errlen)
{
    const uint8_t *s = (const uint8_t *)ssid, *k = (const uint8_t *)key;
    if (ssid_len == 0 || ssid_len > VB_WIFI_SSID_MAX || !text_ok(s, ssid_len)) {
        snprintf(err, errlen, "an SSID is 1 to 32 bytes of UTF-8 without control characters");
        return -1;
    }
    if (key_len && !wpa2_key_ok(k, key_len)) {
        snprintf(err, errlen, "a WPA2 key is 8 to 63 printable ASCII characters or 64 hex digits");
        return -1;
    }
    if (rssi < -100 || rssi > 0) {
        snprintf(err, errlen, "an RSSI is -100 to 0 dBm");
        return -1;
    }
    if (vb_wifi_ap_find(w, s, ssid_len)) {
        snprintf(err, errlen, "an access point named '%.*s' is there already (remove it first)", (int)ssid_len,
                 ssid);
        return -1;
    }
    if (w->n_aps >= VB_WIFI_APS_MAX) {
        snprintf(err, errlen, "the board sees %u access points at most", VB_WIFI_APS_MAX);
        return -1;
    }
    vb_wifi_ap *ap = &w->aps[w->n_aps++];
    *ap = (vb_wifi_ap){.ssid_len = (uint8_t)ssid_len, .key_len = (uint8_t)key_len, .rssi = (int8_t)rssi};
    memcpy(ap->ssid, s, ssid_len);
    memcpy(ap->key, k, key_len);
    vb_wifi_bssid(s, ssid_len, ap->bssid, &ap->channel);
    return 0;
}

static uint64_t later(uint64_t now_us, uint32_t us) { return (now_us ? now_us : 1) + us; }

/* ---- the station -------------------------------------------------------------- */

/* The AP an attempt with the stored configuration would join, or NULL. */
static const vb_wifi_ap *target_ap(const vb_wifi *w)
{
    const vb_wifi_ap *ap = vb_wifi_ap_find(w, w->cfg_ssid, w->cfg_ssid_len);
    if (ap && w->cfg_bssid_set && memcmp(ap->bssid, w->cfg_bssid, 6) != 0) return NULL;
    return ap;
}

/* What an attempt now would end in: VB_WIFI_STAT_GOT_IP or a reason. An
 * open AP takes any key (the port's default auth threshold is open). */
static int attempt_outcome(const vb_wifi *w, const vb_wifi_ap **apo)
{
    const vb_wifi_ap *ap = target_ap(w);
    *apo = ap;
    if (!ap) return VB_WIFI_STAT_NO_AP_FOUND;
    if (ap->key_len && (ap->key_len != w->cfg_key_len || memcmp(ap->key, w->cfg_key, ap->key_len) != 0))
        return VB_WIFI_STAT_WRONG_PASSWORD;
    return VB_WIFI_STAT_GOT_IP;
}

static void start_attempt(vb_wifi *w, uint64_t now_us)
{
    const vb_wifi_ap *ap;
    int out = attempt_outcome(w, &ap);
    w->due_us = later(now_us, out == VB_WIFI_STAT_GOT_IP ? VB_WIFI_CONNECT_US
                             : out == VB_WIFI_STAT_WRONG_PASSWORD ? VB_WIFI_AUTH_FAIL_US : VB_WIFI_SCAN_US);
}

/* The station lost its link or an attempt failed with `reason`: retry as
 * the port's disconnect handler does. */
static void disconnected(vb_wifi *w, int reason, uint64_t now_us)
{
    w->connected = false;
    w->reason = reason;
    w->due_us = 0;
    if (!w->requested || !w->sta_active) return;
    if (w->conf_reconnects && ++w->reconnects >= w->conf_reconnects) return;
    start_attempt(w, now_us);
}

int vb_wifi_ap_remove(vb_wifi *w, const char *ssid, size_t ssid_len, uint64_t now_us, char *err, size_t errlen)
{
    const vb_wifi_ap *ap = vb_wifi_ap_find(w, (const uint8_t *)ssid, ssid_len);
    if (!ap) {
        snprintf(err, errlen, "no access point named '%.*s'", (int)(ssid_len > 64 ? 64 : ssid_len), ssid);
        return -1;
    }
    bool linked = w->connected && w->link.ssid_len == ap->ssid_len &&
                  memcmp(w->link.ssid, ap->ssid, ap->ssid_len) == 0;
    size_t i = (size_t)(ap - w->aps);
    memmove(&w->aps[i], &w->aps[i + 1], (w->n_aps - i - 1) * sizeof w->aps[0]);
    w->n_aps--;
    if (linked) disconnected(w, VB_WIFI_STAT_BEACON_TIMEOUT, now_us);
    return 0;
}

static void defaults(vb_wifi *w)
{
    w->sta_active = w->ap_active = w->requested = w->connected = false;
    w->reason = 0;
    w->due_us = 0;
    w->conf_reconnects = 0;
    w->reconnects = 0;
    w->cfg_ssid_len = w->cfg_key_len = 0;
    w->cfg_bssid_set = false;
    memset(&w->link, 0, sizeof w->link);
    w->pm = 1;                                  /* WIFI_PS_MIN_MODEM: PM_PERFORMANCE */
    w->txpower_q = 80;                          /* 20 dBm */
    w->sta_static = false;
    w->sta_ip = (vb_wifi_ip_pub){.dhcp = 1};
    w->ap_ip = (vb_wifi_ip_pub){VB_WIFI_SOFTAP_IP, VB_WIFI_DHCP_MASK, VB_WIFI_SOFTAP_IP, 0, 0, {0}};
    w->ap_ssid_len = w->ap_key_len = 0;
    w->ap_channel = 1;
    w->ap_auth = VB_WIFI_AUTH_OPEN;
    w->ap_hidden = 0;
    w->ap_max_clients = 10;
    w->hostname_len = 0;
    memcpy(w->country, "01", 3);                /* ESP-IDF's world-safe default */
}

void vb_wifi_init(vb_wifi *w, uint64_t host_us)
{
    memset(w, 0, sizeof *w);
    defaults(w);
    w->credit_us = RATE_CAPACITY_US;
    w->filled_at_us = host_us;
    char err[80];
    vb_wifi_ap_add(w, VB_WIFI_DEFAULT_SSID, strlen(VB_WIFI_DEFAULT_SSID), "", 0, VB_WIFI_RSSI_DEFAULT, err,
                   sizeof err);
    w->aps[0].channel = 6;                      /* as Wokwi's */
}

void vb_wifi_power_loss(vb_wifi *w) { defaults(w); }

bool vb_wifi_drop(vb_wifi *w, uint64_t now_us)
{
    if (!w->connected) return false;
    disconnected(w, VB_WIFI_STAT_BEACON_TIMEOUT, now_us);
    return true;
}

uint64_t vb_wifi_deadline(const vb_wifi *w) { return w->due_us; }

bool vb_wifi_tick(vb_wifi *w, uint64_t now_us)
{
    if (!w->due_us || now_us < w->due_us) return false;
    w->due_us = 0;
    const vb_wifi_ap *ap;
    int out = attempt_outcome(w, &ap);
    if (out != VB_WIFI_STAT_GOT_IP) {
        disconnected(w, out, now_us);
        return true;
    }
    w->connected = true;
    w->reason = 0;
    w->link = *ap;
    if (!w->sta_static)
        w->sta_ip = (vb_wifi_ip_pub){VB_WIFI_DHCP_IP, VB_WIFI_DHCP_MASK, VB_WIFI_DHCP_GW, VB_WIFI_DHCP_GW, 1, {0}};
    return true;
}

int vb_wifi_status(const vb_wifi *w)
{
    if (w->connected) return VB_WIFI_STAT_GOT_IP;
    if (w->reason == VB_WIFI_STAT_NO_AP_FOUND || w->reason == VB_WIFI_STAT_WRONG_PASSWORD) return w->reason;
    if (w->reason == VB_WIFI_REASON_ASSOC_LEAVE) return VB_WIFI_STAT_IDLE;
    if (w->requested && w->sta_active && (w->conf_reconnects == 0 || w->reconnects < w->conf_reconnects))
        return VB_WIFI_STAT_CONNECTING;
    return w->reason == 0 ? VB_WIFI_STAT_IDLE : w->reason;
}

const char *vb_wifi_status_name(int status)
{
    switch (status) {
    case VB_WIFI_STAT_IDLE: return "idle";
    case VB_WIFI_STAT_CONNECTING: return "connecting";
    case VB_WIFI_STAT_GOT_IP: return "got_ip";
    case VB_WIFI_STAT_BEACON_TIMEOUT: return "beacon_timeout";
    case VB_WIFI_STAT_NO_AP_FOUND: return "no_ap_found";
    case VB_WIFI_STAT_WRONG_PASSWORD: return "wrong_password";
    case VB_WIFI_STAT_ASSOC_FAIL: return "assoc_fail";
    case VB_WIFI_STAT_HANDSHAKE_TIMEOUT: return "handshake_timeout";
    default: return "other";
    }
}

/* ---- the VM's requests ------------------------------------------------------ */

vb_wifi_result vb_wifi_check_req(const vb_wifi_req *r)
{
    if (r->op < VB_WIFI_OP_ACTIVE || r->op > VB_WIFI_OP_LAST || r->iface > VB_WIFI_AP) return VB_WIFI_E_ARG;
    if (r->ssid_len > VB_WIFI_SSID_MAX || !text_ok(r->ssid, r->ssid_len)) return VB_WIFI_E_SSID;
    if (r->key_len > VB_WIFI_KEY_MAX || !text_ok(r->key, r->key_len)) return VB_WIFI_E_PASSWORD;
    if (r->hostname_len > VB_WIFI_HOSTNAME_MAX) return VB_WIFI_E_ARG;
    unsigned allowed = 0;
    switch (r->op) {
    case VB_WIFI_OP_ACTIVE:
        if (r->arg[0] != 0 && r->arg[0] != 1) return VB_WIFI_E_ARG;
        break;
    case VB_WIFI_OP_CONNECT: allowed = VB_WIFI_F_CONFIG | VB_WIFI_F_BSSID; break;
    case VB_WIFI_OP_AP_CONFIG:
        allowed = VB_WIFI_F_SSID | VB_WIFI_F_KEY | VB_WIFI_F_ARG0 | VB_WIFI_F_ARG1 | VB_WIFI_F_ARG2;
        if ((r->flags & VB_WIFI_F_ARG0) && (r->arg[0] < 1 || r->arg[0] > 13)) return VB_WIFI_E_ARG;
        if ((r->flags & VB_WIFI_F_ARG1) && (r->arg[1] < 0 || r->arg[1] >= VB_WIFI_AUTH_MAX)) return VB_WIFI_E_ARG;
        if ((r->flags & VB_WIFI_F_ARG2) && r->arg[2] != 0 && r->arg[2] != 1) return VB_WIFI_E_ARG;
        break;
    case VB_WIFI_OP_STA_CONFIG:
        allowed = VB_WIFI_F_ARG0 | VB_WIFI_F_ARG1 | VB_WIFI_F_ARG2;
        if ((r->flags & VB_WIFI_F_ARG0) && (r->arg[0] < -1 || r->arg[0] > 254)) return VB_WIFI_E_ARG;
        if ((r->flags & VB_WIFI_F_ARG1) && (r->arg[1] < 0 || r->arg[1] > 2)) return VB_WIFI_E_ARG;
        if ((r->flags & VB_WIFI_F_ARG2) && (r->arg[2] < -128 || r->arg[2] > 127)) return VB_WIFI_E_ARG;
        break;
    case VB_WIFI_OP_IFCONFIG: allowed = VB_WIFI_F_DHCP; break;
    case VB_WIFI_OP_HOSTNAME:
        if (r->hostname_len == 0 || !printable_ascii(r->hostname, r->hostname_len)) return VB_WIFI_E_ARG;
        break;
    case VB_WIFI_OP_COUNTRY:
        if (r->hostname_len != 2 || !printable_ascii(r->hostname, 2)) return VB_WIFI_E_ARG;
        break;
    default: break;
    }
    if (r->flags & ~allowed) return VB_WIFI_E_ARG;
    if ((r->op == VB_WIFI_OP_CONNECT || r->op == VB_WIFI_OP_DISCONNECT || r->op == VB_WIFI_OP_STA_CONFIG) &&
        r->iface != VB_WIFI_STA)
        return VB_WIFI_E_ARG;
    if (r->op == VB_WIFI_OP_AP_CONFIG && r->iface != VB_WIFI_AP) return VB_WIFI_E_ARG;
    return VB_WIFI_OK;
}

/* The token bucket: false when the request is over the rate. */
static bool rate_take(vb_wifi *w, uint64_t host_us)
{
    if (host_us < w->filled_at_us) host_us = w->filled_at_us;
    uint64_t gain = host_us - w->filled_at_us;
    w->credit_us = gain >= RATE_CAPACITY_US - w->credit_us ? RATE_CAPACITY_US : w->credit_us + gain;
    w->filled_at_us = host_us;
    if (w->credit_us < RATE_COST_US) return false;
    w->credit_us -= RATE_COST_US;
    return true;
}

static vb_wifi_result do_active(vb_wifi *w, const vb_wifi_req *r)
{
    bool on = r->arg[0] != 0;
    if (r->iface == VB_WIFI_AP) {
        w->ap_active = on;
        return VB_WIFI_OK;
    }
    if (on == w->sta_active) return VB_WIFI_OK;
    w->sta_active = on;
    w->reconnects = 0;                          /* STA_START */
    if (!on) {                                  /* STA_STOP: the link and any attempt end */
        w->requested = w->connected = false;
        w->due_us = 0;
        w->reason = 0;
        if (!w->sta_static) w->sta_ip = (vb_wifi_ip_pub){.dhcp = 1};
    }
    return VB_WIFI_OK;
}

static vb_wifi_result do_connect(vb_wifi *w, const vb_wifi_req *r, uint64_t now_us)
{
    if (!w->sta_active) return w->ap_active ? VB_WIFI_E_MODE : VB_WIFI_E_NOT_STARTED;
    if (w->due_us && w->reason == 0) return VB_WIFI_E_CONN;
    if (r->flags & VB_WIFI_F_CONFIG) {
        w->cfg_ssid_len = r->ssid_len;
        memcpy(w->cfg_ssid, r->ssid, r->ssid_len);
        w->cfg_key_len = r->key_len;
        memcpy(w->cfg_key, r->key, r->key_len);
        w->cfg_bssid_set = (r->flags & VB_WIFI_F_BSSID) != 0;
        memcpy(w->cfg_bssid, r->bssid, 6);
    }
    w->reconnects = 0;
    if (w->reason == VB_WIFI_REASON_ASSOC_LEAVE) w->reason = 0;   /* a fresh start after disconnect() */
    w->requested = true;
    w->connected = false;
    if (!w->sta_static) w->sta_ip = (vb_wifi_ip_pub){.dhcp = 1};
    start_attempt(w, now_us);
    return VB_WIFI_OK;
}

static vb_wifi_result do_ap_config(vb_wifi *w, const vb_wifi_req *r)
{
    uint8_t auth = (r->flags & VB_WIFI_F_ARG1) ? (uint8_t)r->arg[1] : w->ap_auth;
    size_t klen = (r->flags & VB_WIFI_F_KEY) ? r->key_len : w->ap_key_len;
    const uint8_t *key = (r->flags & VB_WIFI_F_KEY) ? r->key : w->ap_key;
    if (auth != VB_WIFI_AUTH_OPEN && !wpa2_key_ok(key, klen)) return VB_WIFI_E_PASSWORD;
    if (r->flags & VB_WIFI_F_SSID) {
        w->ap_ssid_len = r->ssid_len;
        memcpy(w->ap_ssid, r->ssid, r->ssid_len);
    }
    if (r->flags & VB_WIFI_F_KEY) {
        w->ap_key_len = r->key_len;
        memcpy(w->ap_key, r->key, r->key_len);
    }
    w->ap_auth = auth;
    if (r->flags & VB_WIFI_F_ARG0) w->ap_channel = (uint8_t)r->arg[0];
    if (r->flags & VB_WIFI_F_ARG2) w->ap_hidden = (uint8_t)r->arg[2];
    return VB_WIFI_OK;
}

static vb_wifi_result do_sta_config(vb_wifi *w, const vb_wifi_req *r)
{
    if (r->flags & VB_WIFI_F_ARG0) w->conf_reconnects = r->arg[0] == -1 ? 0 : r->arg[0] + 1;
    if (r->flags & VB_WIFI_F_ARG1) w->pm = r->arg[1];
    if (r->flags & VB_WIFI_F_ARG2) {
        int q = r->arg[2];
        w->txpower_q = q < 8 ? 8 : q > 84 ? 84 : q;   /* ESP32: 2 to 21 dBm */
    }
    return VB_WIFI_OK;
}

static vb_wifi_result do_ifconfig(vb_wifi *w, const vb_wifi_req *r)
{
    vb_wifi_ip_pub ip = {r->ip[0], r->ip[1], r->ip[2], r->ip[3], 0, {0}};
    if (r->iface == VB_WIFI_AP) {
        if (r->flags & VB_WIFI_F_DHCP) return VB_WIFI_E_ARG;   /* the port: "invalid arguments" */
        w->ap_ip = ip;
        return VB_WIFI_OK;
    }
    if (r->flags & VB_WIFI_F_DHCP) {
        w->sta_static = false;
        w->sta_ip = w->connected ? (vb_wifi_ip_pub){VB_WIFI_DHCP_IP, VB_WIFI_DHCP_MASK, VB_WIFI_DHCP_GW,
                                                    VB_WIFI_DHCP_GW, 1, {0}}
                                 : (vb_wifi_ip_pub){.dhcp = 1};
        return VB_WIFI_OK;
    }
    w->sta_static = true;
    w->sta_ip = ip;
    return VB_WIFI_OK;
}

vb_wifi_result vb_wifi_request(vb_wifi *w, const vb_wifi_req *r, uint64_t now_us, uint64_t host_us)
{
    vb_wifi_result v = rate_take(w, host_us) ? vb_wifi_check_req(r) : VB_WIFI_E_RATE;
    if (v != VB_WIFI_OK) {
        w->refused++;
        return v;
    }
    w->requests++;
    switch (r->op) {
    case VB_WIFI_OP_ACTIVE: return do_active(w, r);
    case VB_WIFI_OP_CONNECT: return do_connect(w, r, now_us);
    case VB_WIFI_OP_DISCONNECT:
        if (!w->sta_active) return VB_WIFI_E_NOT_STARTED;
        w->requested = false;
        if (w->connected || w->due_us) w->reason = VB_WIFI_REASON_ASSOC_LEAVE;
        w->connected = false;
        w->due_us = 0;
        if (!w->sta_static) w->sta_ip = (vb_wifi_ip_pub){.dhcp = 1};
        return VB_WIFI_OK;
    case VB_WIFI_OP_AP_CONFIG: return do_ap_config(w, r);
    case VB_WIFI_OP_STA_CONFIG: return do_sta_config(w, r);
    case VB_WIFI_OP_IFCONFIG: return do_ifconfig(w, r);
    case VB_WIFI_OP_HOSTNAME:
        w->hostname_len = r->hostname_len;
        memcpy(w->hostname, r->hostname, r->hostname_len);
        return VB_WIFI_OK;
    case VB_WIFI_OP_COUNTRY:
        memcpy(w->country, r->hostname, 2);
        w->country[2] = 0;
        return VB_WIFI_OK;
    default: return VB_WIFI_E_ARG;
    }
}

/* ---- what the VM reads ------------------------------------------------------- */

void vb_wifi_publish(const vb_wifi *w, vb_wifi_pub *p)
{
    p->sta_active = w->sta_active;
    p->ap_active = w->ap_active;
    p->sta_connected = w->connected;
    p->sta_status = vb_wifi_status(w);
    memcpy(p->sta_ssid, w->cfg_ssid, sizeof p->sta_ssid);
    p->sta_ssid_len = w->cfg_ssid_len;
    p->sta_bssid_set = w->cfg_bssid_set;
    memcpy(p->sta_bssid, w->connected ? w->link.bssid : w->cfg_bssid, 6);
    p->sta_channel = w->connected ? w->link.channel : 0;
    p->sta_rssi = w->connected ? w->link.rssi : 0;
    p->sta_reconnects = w->conf_reconnects - 1;
    p->sta_pm = w->pm;
    p->txpower_q = w->txpower_q;
    p->sta_ip = w->sta_ip;
    p->ap_ip = w->ap_ip;
    memcpy(p->ap_ssid, w->ap_ssid, sizeof p->ap_ssid);
    p->ap_ssid_len = w->ap_ssid_len;
    p->ap_channel = w->ap_channel;
    p->ap_auth = w->ap_auth;
    p->ap_hidden = w->ap_hidden;
    p->ap_max_clients = w->ap_max_clients;
    memcpy(p->hostname, w->hostname, sizeof p->hostname);
    p->hostname_len = w->hostname_len;
    memcpy(p->country, w->country, sizeof p->country);
    p->n_aps = w->n_aps;
    for (unsigned i = 0; i < VB_WIFI_APS_MAX; i++) {
        vb_wifi_ap_pub *a = &p->aps[i];
        memset(a, 0, sizeof *a);
        if (i >= w->n_aps) continue;
        const vb_wifi_ap *ap = &w->aps[i];
        memcpy(a->ssid, ap->ssid, ap->ssid_len);
        a->ssid_len = ap->ssid_len;
        a->channel = ap->channel;
        a->auth = ap->key_len ? VB_WIFI_AUTH_WPA2_PSK : VB_WIFI_AUTH_OPEN;
        a->rssi = ap->rssi;
        memcpy(a->bssid, ap->bssid, 6);
    }
    p->gen++;
}
