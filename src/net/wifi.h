/* The board's radio, simulated (issue 13 §1): the access points around the
 * board and the state of its two interfaces, the station (STA) and the
 * board's own access point (AP). The supervisor owns one; a soft reset
 * leaves it alone (connections "remain active at the IP network layer",
 * boot.md), every hard reset and power loss calls vb_wifi_power_loss.
 *
 * The station follows the esp32 port of MicroPython v1.24
 * (ports/esp32/network_wlan.c over ESP-IDF):
 *   - connect() starts an attempt that ends after board time: GOT_IP after
 *     VB_WIFI_CONNECT_US (association and DHCP) when the SSID (and BSSID,
 *     if given) names an AP and the key fits (an open AP takes any key);
 *     WRONG_PASSWORD after VB_WIFI_AUTH_FAIL_US; NO_AP_FOUND after a full
 *     scan, VB_WIFI_SCAN_US. The outcome is decided when the attempt ends,
 *     against the APs there then.
 *   - a failure or a link loss (`wifi drop`, the AP removed) retries at
 *     once while connect was asked for and the `reconnects` budget lasts
 *     (config(reconnects=n): n retries, -1 forever, the default), as the
 *     port's disconnect handler calls esp_wifi_connect again;
 *   - status() as the port computes it: GOT_IP; else NO_AP_FOUND or
 *     WRONG_PASSWORD once seen (until a success); IDLE after disconnect();
 *     CONNECTING while asked and retrying; IDLE with no history; else the
 *     last reason (e.g. BEACON_TIMEOUT once the retries are spent);
 *   - connect() during an attempt that has not failed yet is the port's
 *     "Wifi Internal Error" (ESP_ERR_WIFI_CONN); connect() after a failure
 *     or a link loss starts again with the new configuration.
 * DHCP hands every station the same plan: 10.13.0.2/24, gateway and DNS
 * 10.13.0.1 (VB_WIFI_DHCP_*); the board's own AP is 192.168.4.1/24, as an
 * ESP32 soft-AP.
 *
 * Requests from the VM are hostile input (contract/wifi.h): vb_wifi_request
 * checks each one (vb_wifi_check_req) and rate-limits them before it acts.
 * Pure: no I/O, no clock (callers pass board time, and host time for the
 * rate limit), so unit tests drive it alone. */
#ifndef VB_NET_WIFI_H
#define VB_NET_WIFI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "contract/wifi.h"

#define VB_WIFI_CONNECT_US 1500000u    /* connect to GOT_IP */
#define VB_WIFI_AUTH_FAIL_US 1000000u  /* connect to WRONG_PASSWORD */
#define VB_WIFI_SCAN_US 2500000u       /* connect to NO_AP_FOUND (a scan of every channel) */
#define VB_WIFI_RATE_PER_S 200u        /* requests a second from the VM, sustained */
#define VB_WIFI_BURST 100u             /* ... and at once */
#define VB_WIFI_RSSI_DEFAULT (-50)

#define VB_WIFI_DHCP_IP 0x0A0D0002u    /* 10.13.0.2 */
#define VB_WIFI_DHCP_MASK 0xFFFFFF00u  /* 255.255.255.0 */
#define VB_WIFI_DHCP_GW 0x0A0D0001u    /* 10.13.0.1, also the DNS server */
#define VB_WIFI_SOFTAP_IP 0xC0A80401u  /* 192.168.4.1 */
#define VB_WIFI_DEFAULT_SSID "Wokwi-GUEST"

/* One access point in range. */
typedef struct vb_wifi_ap {
    uint8_t ssid[VB_WIFI_SSID_MAX];
    uint8_t ssid_len;
    uint8_t key[VB_WIFI_KEY_MAX];
    uint8_t key_len;           /* 0: open */
    uint8_t bssid[6];          /* derived from the SSID (vb_wifi_bssid) */
    uint8_t channel;           /* 1..13, derived from the SSID */
    int8_t rssi;               /* dBm */
} vb_wifi_ap;

typedef struct vb_wifi {
    vb_wifi_ap aps[VB_WIFI_APS_MAX];
    unsigned n_aps;
    /* the station */
    bool sta_active, ap_active;
    bool requested;            /* connect() asked for, not disconnect()ed */
    bool connected;            /* associated, with an address */
    int reason;                /* the last disconnect reason, 0 = none */
    uint64_t due_us;           /* board time the attempt ends, 0 = none */
    int conf_reconnects;       /* the port's: 0 forever, else retries + 1 */
    int reconnects;            /* retries so far */
    uint8_t cfg_ssid[VB_WIFI_SSID_MAX], cfg_ssid_len;
    uint8_t cfg_key[VB_WIFI_KEY_MAX], cfg_key_len;
    uint8_t cfg_bssid[6];
    bool cfg_bssid_set;
    vb_wifi_ap link;           /* the AP connected to (valid while connected) */
    int pm, txpower_q;
    bool sta_static;           /* ifconfig() set an address: no DHCP */
    vb_wifi_ip_pub sta_ip, ap_ip;
    /* the board's own AP (ssid_len 0: the port's default name) */
    uint8_t ap_ssid[VB_WIFI_SSID_MAX], ap_ssid_len;
    uint8_t ap_key[VB_WIFI_KEY_MAX], ap_key_len;
    uint8_t ap_channel, ap_auth, ap_hidden;
    int ap_max_clients;
    uint8_t hostname[VB_WIFI_HOSTNAME_MAX], hostname_len;   /* 0: the port's default */
    char country[3];
    /* the VM's requests */
    uint64_t requests;         /* taken */
    uint64_t refused;          /* refused as malformed or over the rate */
    uint64_t credit_us, filled_at_us;   /* rate limit: token bucket in host µs */
} vb_wifi;

/* A radio with the default AP (VB_WIFI_DEFAULT_SSID, open) and both
 * interfaces off; host_us starts the rate limit's clock. */
void vb_wifi_init(vb_wifi *w, uint64_t host_us);

/* Access points in range (the host's, `--wifi`, `ctl wifi ap`). ssid: 1 to
 * 32 bytes of UTF-8 without control characters; key: empty (open) or a
 * WPA2 passphrase of 8 to 63 printable ASCII characters, or 64 hex
 * digits; rssi -100..0 dBm. 0, or -1 with a sentence in err. Removing the
 * AP the station is connected to is a link loss (BEACON_TIMEOUT). */
int vb_wifi_ap_add(vb_wifi *w, const char *ssid, size_t ssid_len, const char *key, size_t key_len, int rssi,
                   char *err, size_t errlen);
int vb_wifi_ap_remove(vb_wifi *w, const char *ssid, size_t ssid_len, uint64_t now_us, char *err, size_t errlen);
/* The AP of that name, or NULL. */
const vb_wifi_ap *vb_wifi_ap_find(const vb_wifi *w, const uint8_t *ssid, size_t n);

/* A hard reset or power loss: both interfaces off, their configuration,
 * hostname and country back to the defaults (the APs in range stay). */
void vb_wifi_power_loss(vb_wifi *w);

/* The checks a VM request must pass (contract/wifi.h): VB_WIFI_OK or why not. */
vb_wifi_result vb_wifi_check_req(const vb_wifi_req *r);

/* Takes one VM request (already copied out of the shared block) at board
 * time now_us, host time host_us: checked, rate-limited, then done. */
vb_wifi_result vb_wifi_request(vb_wifi *w, const vb_wifi_req *r, uint64_t now_us, uint64_t host_us);

/* Link loss (`wifi drop`): false when the station is not connected. */
bool vb_wifi_drop(vb_wifi *w, uint64_t now_us);

/* The board time the next attempt ends, 0 = none; at or after it, tick
 * ends it (true when the state changed). */
uint64_t vb_wifi_deadline(const vb_wifi *w);
bool vb_wifi_tick(vb_wifi *w, uint64_t now_us);

/* What the station's status() returns now, and a name for it
 * ("idle", "connecting", "got_ip", "no_ap_found", ...). */
int vb_wifi_status(const vb_wifi *w);
const char *vb_wifi_status_name(int status);

/* The state as the VM reads it (ack fields and gen untouched). */
void vb_wifi_publish(const vb_wifi *w, vb_wifi_pub *pub);

/* An AP's BSSID and channel, derived from its name: a locally administered
 * unicast address, the same for the same SSID on every run. */
void vb_wifi_bssid(const uint8_t *ssid, size_t n, uint8_t bssid[6], uint8_t *channel);

/* "a.b.c.d" of a host-order address into buf (16 bytes). */
void vb_wifi_ip_text(uint32_t ip, char buf[16]);

#endif
