/* The board's radio in the supervisor (issue 13 §1; net/wifi.h): the VM's
 * requests, the attempts' timer, the state published into the register
 * block (contract/wifi.h), the `wifi` control command and the trace.
 *
 * The radio belongs to the board, not to the firmware: a soft reset keeps
 * it (the next boot.py sees the connection), every hard reset, deep sleep
 * and power loss resets it (board_wifi_power_loss). Everything the VM
 * hands over — the VB_EV_WIFI record and the mailbox it points at — is
 * hostile input: the mailbox is copied once, must agree with the record,
 * and passes vb_wifi_request's checks and rate limit; refusals are counted
 * (status: wifi_refused) and traced. */
#include "board_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

/* A trace line for the station's or the AP's state, when it changed. */
static void trace_changes(board *b)
{
    const vb_wifi *w = &b->wifi;
    int status = w->sta_active ? vb_wifi_status(w) : 0;
    if (status != b->wifi_traced_status || w->ap_active != b->wifi_traced_ap) {
        char f[480], ip[16], ssid[2 * 6 * VB_WIFI_SSID_MAX + 3];
        vb_json_escape(ssid, sizeof ssid, (const char *)w->cfg_ssid, w->cfg_ssid_len);
        vb_wifi_ip_text(w->sta_ip.ip, ip);
        snprintf(f, sizeof f, ",\"sta\":\"%s\",\"status\":%d,\"ssid\":%s,\"ip\":\"%s\",\"ap\":%s",
                 w->sta_active ? vb_wifi_status_name(status) : "off", status, ssid, ip,
                 w->ap_active ? "true" : "false");
        board_trace(b, "wifi", f);
        b->wifi_traced_status = status;
        b->wifi_traced_ap = w->ap_active;
    }
}

void board_wifi_publish(board *b)
{
    vb_wifi_pub *p = &b->regs->wifi.pub;
    uint32_t gen = b->wifi_gen;
    vb_wifi_publish(&b->wifi, p);
    p->gen = b->wifi_gen = gen + 1;            /* ours, whatever the VM wrote there */
    trace_changes(b);
}

void board_wifi_init(board *b)
{
    vb_wifi_init(&b->wifi, board_wall_us());
    b->wifi_traced_status = 0;
    for (size_t i = 0; i < b->cfg->n_wifi_aps; i++) {
        const vb_wifi_ap_cfg *a = &b->cfg->wifi_aps[i];
        char err[160];
        /* checked by the command line already; a refusal here is a bug */
        if (vb_wifi_ap_add(&b->wifi, a->ssid, strlen(a->ssid), a->key, strlen(a->key), VB_WIFI_RSSI_DEFAULT, err,
                           sizeof err) < 0)
            board_trace(b, "wifi_config_refused", "");
    }
}

void board_wifi_power_loss(board *b)
{
    vb_wifi_power_loss(&b->wifi);
    board_wifi_publish(b);
    board_net_power_loss(b);       /* the chip's sockets go with its radio */
}

uint64_t board_wifi_deadline(const board *b) { return b->power == BOARD_ON ? vb_wifi_deadline(&b->wifi) : 0; }

void board_wifi_tick(board *b)
{
    if (b->power == BOARD_ON && vb_wifi_tick(&b->wifi, board_now_us(b))) board_wifi_publish(b);
}

static void refused(board *b, const char *why)
{
    char f[64];
    snprintf(f, sizeof f, ",\"why\":\"%s\"", why);
    board_trace(b, "wifi_refused", f);
}

/* A VB_EV_WIFI record passed the gate: take the request it names. */
void board_wifi_event(board *b, const vb_hw_event *ev)
{
    if (b->power != BOARD_ON) return;          /* a dead VM's last word */
    vb_wifi_req r;
    memcpy(&r, (const void *)&b->regs->wifi.req, sizeof r);   /* once: the VM may rewrite it */
    if ((r.seq & 0xFFFFu) != VB_WIFI_EV_SEQ(ev->value) || r.op != VB_WIFI_EV_OP(ev->value) ||
        r.iface != VB_WIFI_EV_IFACE(ev->value)) {
        b->wifi.refused++;
        refused(b, "record and mailbox disagree");
        return;
    }
    uint64_t before = b->wifi.refused;
    vb_wifi_result res = vb_wifi_request(&b->wifi, &r, board_now_us(b), board_wall_us());
    if (b->wifi.refused != before) refused(b, res == VB_WIFI_E_RATE ? "rate" : "malformed request");
    board_wifi_publish(b);
    vb_wifi_pub *p = &b->regs->wifi.pub;
    __atomic_store_n(&p->ack_result, (int32_t)res, __ATOMIC_RELEASE);
    __atomic_store_n(&p->ack_seq, r.seq, __ATOMIC_RELEASE);
    board_ring_rx(b);                          /* the VM waits for its answer */
}

/* ---- status and the control command -------------------------------------- */

void board_wifi_status(const board *b, vb_json_out *out)
{
    const vb_wifi *w = &b->wifi;
    int status = vb_wifi_status(w);
    vb_json_str(out, "wifi", w->sta_active ? vb_wifi_status_name(status) : "off");
    if (w->connected) {
        char ip[16];
        vb_wifi_ip_text(w->sta_ip.ip, ip);
        vb_json_str(out, "wifi_ip", ip);
        vb_json_strn(out, "wifi_ssid", (const char *)w->link.ssid, w->link.ssid_len);
    }
    vb_json_uint(out, "wifi_refused", w->refused);
}

static void bssid_text(const uint8_t *m, char buf[18])
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static const char *wifi_show(board *b, vb_json_out *out, char *err, size_t errlen)
{
    const vb_wifi *w = &b->wifi;
    int status = vb_wifi_status(w);
    char ip[16], text[18];
    vb_json_bool(out, "sta_active", w->sta_active);
    vb_json_str(out, "sta_status", vb_wifi_status_name(status));
    vb_json_int(out, "sta_status_code", status);
    vb_json_strn(out, "sta_ssid", (const char *)w->cfg_ssid, w->cfg_ssid_len);
    vb_json_bool(out, "sta_connected", w->connected);
    vb_wifi_ip_text(w->sta_ip.ip, ip);
    vb_json_str(out, "sta_ip", ip);
    if (w->connected) {
        vb_json_int(out, "sta_rssi", w->link.rssi);
        vb_json_int(out, "sta_channel", w->link.channel);
    }
    vb_json_bool(out, "ap_active", w->ap_active);
    /* the APs in range, as an array */
    char *arr = malloc(VB_CONTROL_REPLY);
    if (!arr) return "out of memory";
    size_t n = 0;
    arr[n++] = '[';
    for (unsigned i = 0; i < w->n_aps && n < VB_CONTROL_REPLY - 200; i++) {
        const vb_wifi_ap *ap = &w->aps[i];
        char ssid[2 * 6 * VB_WIFI_SSID_MAX + 3];
        vb_json_escape(ssid, sizeof ssid, (const char *)ap->ssid, ap->ssid_len);
        bssid_text(ap->bssid, text);
        n += (size_t)snprintf(arr + n, VB_CONTROL_REPLY - n,
                              "%s{\"ssid\":%s,\"bssid\":\"%s\",\"channel\":%u,\"rssi\":%d,\"security\":\"%s\"}",
                              i ? "," : "", ssid, text, ap->channel, ap->rssi, ap->key_len ? "wpa2" : "open");
    }
    snprintf(arr + n, VB_CONTROL_REPLY - n, "]");
    vb_json_raw(out, "aps", arr);
    free(arr);
    vb_json_uint(out, "requests", w->requests);
    vb_json_uint(out, "refused", w->refused);
    (void)err, (void)errlen;
    return NULL;
}

static const char *str_of(const vb_json_obj *req, const char *key)
{
    const vb_json_field *f = vb_json_get(req, key);
    return f && f->type == VB_JSON_STRING ? f->str : NULL;
}

#define WIFI_USAGE "wifi takes nothing, \"ap\" with \"op\": \"add\" (\"ssid\", [\"key\"], [\"rssi\"]) " \
                   "or \"remove\" (\"ssid\"), or \"drop\""

/* wifi | wifi ap add SSID [KEY] [RSSI] | wifi ap remove SSID | wifi drop */
const char *board_wifi_ctl(board *b, const vb_json_obj *req, vb_json_out *out, char *err, size_t errlen)
{
    const char *action = str_of(req, "action"), *op = str_of(req, "op"), *ssid = str_of(req, "ssid");
    const char *key = str_of(req, "key");
    if (!action) {
        if (op || ssid || key || vb_json_get(req, "rssi")) return WIFI_USAGE;
        return wifi_show(b, out, err, errlen);
    }
    uint64_t now = board_now_us(b);
    char f[480], esc[2 * 6 * VB_WIFI_SSID_MAX + 3];
    if (strcmp(action, "drop") == 0) {
        if (op || ssid || key) return WIFI_USAGE;
        if (!vb_wifi_drop(&b->wifi, now)) return "the station is not connected: there is no link to drop";
        board_trace(b, "wifi_drop", "");
        board_wifi_publish(b);
        return wifi_show(b, out, err, errlen);
    }
    if (strcmp(action, "ap") != 0 || !op) return WIFI_USAGE;
    if (!ssid) return "wifi ap needs an SSID";
    vb_json_escape(esc, sizeof esc, ssid, strlen(ssid));
    if (strcmp(op, "add") == 0) {
        long rssi = VB_WIFI_RSSI_DEFAULT;
        const vb_json_field *rf = vb_json_get(req, "rssi");
        if (rf) {
            char *end = NULL;
            if (rf->type == VB_JSON_NUMBER && rf->num == (double)(long)rf->num) rssi = (long)rf->num;
            else if (rf->type == VB_JSON_STRING && *rf->str) rssi = strtol(rf->str, &end, 10);
            else return "an RSSI is a whole number of dBm, -100 to 0";
            if (end && *end) return "an RSSI is a whole number of dBm, -100 to 0";
        }
        if (vb_wifi_ap_add(&b->wifi, ssid, strlen(ssid), key ? key : "", key ? strlen(key) : 0, (int)rssi, err,
                           errlen) < 0)
            return err;
        snprintf(f, sizeof f, ",\"ssid\":%s,\"security\":\"%s\",\"rssi\":%ld", esc, key && *key ? "wpa2" : "open",
                 rssi);
        board_trace(b, "wifi_ap_add", f);
    } else if (strcmp(op, "remove") == 0) {
        if (key || vb_json_get(req, "rssi")) return "wifi ap remove takes an SSID only";
        if (vb_wifi_ap_remove(&b->wifi, ssid, strlen(ssid), now, err, errlen) < 0) return err;
        snprintf(f, sizeof f, ",\"ssid\":%s", esc);
        board_trace(b, "wifi_ap_remove", f);
    } else {
        return WIFI_USAGE;
    }
    board_wifi_publish(b);
    return wifi_show(b, out, err, errlen);
}
