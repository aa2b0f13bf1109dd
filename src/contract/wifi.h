/* Wi-Fi across the process boundary (issue 13 §1): the radio is simulated
 * by the supervisor (net/wifi.h), so its state outlives the VM and a soft
 * reset keeps the connection, as boot.md says of a real board.
 *
 * Two parts of the shared register block (contract/regs.h), one writer
 * each:
 *   - vb_wifi_req: the VM's request mailbox. The VM fills it, bumps seq,
 *     then sends a VB_EV_WIFI record (contract/hwevent.h) whose value
 *     repeats op, iface and the low 16 bits of seq (VB_WIFI_EV_VALUE).
 *     The supervisor copies the mailbox once and checks the copy: the VM's
 *     word, hostile input like every record (lengths, UTF-8, flags, a rate
 *     limit; the record and the mailbox must agree).
 *   - vb_wifi_pub: the state the supervisor publishes after every change
 *     and every request (ack_seq/ack_result answer the request). It keeps
 *     its own copy and never reads this one back: a VM that writes here
 *     only confuses itself.
 * Buffers are larger than the limits (an SSID is at most 32 bytes, a key
 * 64), so a request past a limit reaches the supervisor whole and is
 * refused there, not cut short on the way. */
#ifndef VB_CONTRACT_WIFI_H
#define VB_CONTRACT_WIFI_H

#include <assert.h>
#include <stdint.h>

#define VB_WIFI_SSID_MAX 32u       /* bytes (IEEE 802.11) */
#define VB_WIFI_KEY_MAX 64u        /* bytes: a WPA2 passphrase (8..63) or 64 hex digits */
#define VB_WIFI_HOSTNAME_MAX 32u   /* esp32 MICROPY_PY_NETWORK_HOSTNAME_MAX_LEN */
#define VB_WIFI_SSID_BUF 48u       /* mailbox room: past the limit, so the supervisor sees it */
#define VB_WIFI_KEY_BUF 80u
#define VB_WIFI_HOSTNAME_BUF 48u
#define VB_WIFI_APS_MAX 16u        /* access points the board can see */

/* esp32 network constants (ports/esp32/modnetwork_globals.h, esp_wifi_types.h). */
enum {
    VB_WIFI_STAT_IDLE = 1000,
    VB_WIFI_STAT_CONNECTING = 1001,
    VB_WIFI_STAT_GOT_IP = 1010,
    VB_WIFI_REASON_ASSOC_LEAVE = 8,        /* after disconnect(): status() is IDLE */
    VB_WIFI_STAT_BEACON_TIMEOUT = 200,
    VB_WIFI_STAT_NO_AP_FOUND = 201,
    VB_WIFI_STAT_WRONG_PASSWORD = 202,     /* WIFI_REASON_AUTH_FAIL */
    VB_WIFI_STAT_ASSOC_FAIL = 203,
    VB_WIFI_STAT_HANDSHAKE_TIMEOUT = 204,
};
enum { VB_WIFI_AUTH_OPEN = 0, VB_WIFI_AUTH_WPA2_PSK = 3, VB_WIFI_AUTH_MAX = 10 };
enum { VB_WIFI_STA = 0, VB_WIFI_AP = 1 };  /* interfaces (network.STA_IF, AP_IF) */

/* Requests (vb_wifi_req.op). */
typedef enum vb_wifi_op {
    VB_WIFI_OP_ACTIVE = 1,     /* iface on (arg[0] 1) or off (0) */
    VB_WIFI_OP_CONNECT,        /* STA: flags VB_WIFI_F_CONFIG (ssid, key, bssid given) */
    VB_WIFI_OP_DISCONNECT,     /* STA */
    VB_WIFI_OP_AP_CONFIG,      /* AP: flags say which of ssid, key, arg[] are set */
    VB_WIFI_OP_STA_CONFIG,     /* STA: reconnects (arg[0]), pm (arg[1]), txpower (arg[2]) per flags */
    VB_WIFI_OP_IFCONFIG,       /* iface: static ip[4] (ip, mask, gw, dns), or DHCP (flags VB_WIFI_F_DHCP) */
    VB_WIFI_OP_HOSTNAME,       /* hostname[hostname_len] */
    VB_WIFI_OP_COUNTRY,        /* hostname[0..2]: a two-letter code */
    VB_WIFI_OP_LAST = VB_WIFI_OP_COUNTRY
} vb_wifi_op;

/* vb_wifi_req.flags */
#define VB_WIFI_F_CONFIG 0x01u     /* CONNECT: use ssid/key/bssid, else the stored config */
#define VB_WIFI_F_BSSID 0x02u      /* CONNECT: only this bssid */
#define VB_WIFI_F_SSID 0x04u       /* AP_CONFIG: ssid set */
#define VB_WIFI_F_KEY 0x08u        /* AP_CONFIG: key set */
#define VB_WIFI_F_ARG0 0x10u       /* *_CONFIG: arg[0] set (AP channel / STA reconnects) */
#define VB_WIFI_F_ARG1 0x20u       /* AP auth / STA pm */
#define VB_WIFI_F_ARG2 0x40u       /* AP hidden / STA txpower (quarter dBm) */
#define VB_WIFI_F_DHCP 0x80u       /* IFCONFIG: back to DHCP */
#define VB_WIFI_F_ALL 0xFFu

/* Results (ack_result): 0, or one of these; the network module raises the
 * port's error for each (esp32 esp_exceptions_helper texts). */
typedef enum vb_wifi_result {
    VB_WIFI_OK = 0,
    VB_WIFI_E_NOT_STARTED,     /* "Wifi Not Started" */
    VB_WIFI_E_MODE,            /* "Wifi Invalid Mode": STA call while only the AP runs */
    VB_WIFI_E_CONN,            /* "Wifi Internal Error": connect() while connecting */
    VB_WIFI_E_SSID,            /* "Wifi SSID Invalid": past 32 bytes, not UTF-8, controls */
    VB_WIFI_E_PASSWORD,        /* "Wifi Invalid Password" */
    VB_WIFI_E_ARG,             /* a value out of range (flags, channel, auth, address...) */
    VB_WIFI_E_RATE,            /* over the request rate limit */
    VB_WIFI_E_TIMEOUT,         /* VM side: no answer (the record was dropped) */
    VB_WIFI_RESULTS
} vb_wifi_result;

typedef struct vb_wifi_req {
    uint32_t seq;              /* bumped by the VM for each request */
    uint8_t op, iface, flags, ssid_len;
    uint8_t key_len, hostname_len, pad[2];
    uint8_t bssid[6], pad2[2];
    int32_t arg[3];
    uint32_t ip[4];            /* IFCONFIG: host byte order */
    uint8_t ssid[VB_WIFI_SSID_BUF];
    uint8_t key[VB_WIFI_KEY_BUF];
    uint8_t hostname[VB_WIFI_HOSTNAME_BUF];
} vb_wifi_req;

/* One access point as a scan shows it. */
typedef struct vb_wifi_ap_pub {
    uint8_t ssid[VB_WIFI_SSID_MAX];
    uint8_t ssid_len, channel, auth, hidden;
    int8_t rssi;
    uint8_t bssid[6], pad;
} vb_wifi_ap_pub;

/* One interface's IPv4 configuration, host byte order. */
typedef struct vb_wifi_ip_pub {
    uint32_t ip, mask, gw, dns;
    uint8_t dhcp, pad[3];
} vb_wifi_ip_pub;

typedef struct vb_wifi_pub {
    uint32_t ack_seq;          /* the last request handled ... */
    int32_t ack_result;        /* ... and its vb_wifi_result */
    uint32_t gen;              /* bumped at every publication */
    uint8_t sta_active, ap_active, sta_connected, pad;
    int32_t sta_status;        /* what status() returns (STAT_* or a reason) */
    /* the STA config (connect's ssid/bssid) and the AP it is connected to */
    uint8_t sta_ssid[VB_WIFI_SSID_MAX];
    uint8_t sta_ssid_len, sta_channel, sta_bssid_set, pad2;
    int8_t sta_rssi;
    uint8_t sta_bssid[6], pad3;
    int32_t sta_reconnects;    /* config('reconnects'): -1 forever */
    int32_t sta_pm;            /* PM_NONE 0, PM_PERFORMANCE 1, PM_POWERSAVE 2 */
    int32_t txpower_q;         /* quarter dBm */
    vb_wifi_ip_pub sta_ip, ap_ip;
    /* the board's own AP */
    uint8_t ap_ssid[VB_WIFI_SSID_MAX];
    uint8_t ap_ssid_len, ap_channel, ap_auth, ap_hidden;
    int32_t ap_max_clients;
    uint8_t hostname[VB_WIFI_HOSTNAME_MAX];
    uint8_t hostname_len;
    char country[3];
    uint32_t n_aps;
    vb_wifi_ap_pub aps[VB_WIFI_APS_MAX];
    uint32_t pad4;
} vb_wifi_pub;

/* The Wi-Fi part of the register block. */
typedef struct vb_wifi_regs {
    vb_wifi_req req;           /* written by the VM */
    vb_wifi_pub pub;           /* written by the supervisor */
} vb_wifi_regs;

static_assert(sizeof(vb_wifi_req) % 8 == 0 && sizeof(vb_wifi_pub) % 8 == 0, "Wi-Fi register layout");
static_assert(sizeof(vb_wifi_req) == 224 && sizeof(vb_wifi_pub) == 904 && sizeof(vb_wifi_ap_pub) == 44,
              "Wi-Fi register sizes (a change here is a VB_REGS_VERSION bump)");
static_assert(VB_WIFI_SSID_BUF > VB_WIFI_SSID_MAX && VB_WIFI_KEY_BUF > VB_WIFI_KEY_MAX &&
              VB_WIFI_HOSTNAME_BUF > VB_WIFI_HOSTNAME_MAX, "mailbox room past every limit");
static_assert(VB_WIFI_SSID_BUF < 256 && VB_WIFI_KEY_BUF < 256 && VB_WIFI_HOSTNAME_BUF < 256,
              "lengths fit their byte");

/* The VB_EV_WIFI record's value: op, iface and seq together, so the
 * record and the mailbox must agree. */
#define VB_WIFI_EV_VALUE(op, iface, seq) \
    ((uint32_t)(op) | (uint32_t)(iface) << 8 | ((uint32_t)(seq) & 0xFFFFu) << 16)
#define VB_WIFI_EV_OP(v) ((v) & 0xFFu)
#define VB_WIFI_EV_IFACE(v) ((v) >> 8 & 0xFFu)
#define VB_WIFI_EV_SEQ(v) ((v) >> 16)

#endif
