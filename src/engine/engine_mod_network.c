/* The `network` module (issue 13 §1) of the esp32 and Pycom ports, over the
 * board's radio: the supervisor simulates it (net/wifi.h), the VM asks
 * through the HAL (wifi_request) and reads what the board publishes
 * (wifi_state). Nothing here holds Wi-Fi state of its own but the MAC a
 * program set, so a soft reset keeps the connection as the board keeps it.
 *
 * esp32 (MicroPython v1.24, ports/esp32/network_wlan.c, network_common.c,
 * extmod/modnetwork.c): WLAN(STA_IF|AP_IF) gives one object per interface;
 * active, connect(ssid=None, key=None, *, bssid=None) (ssid cut at 32
 * bytes and key at 64, as the port copies them into wifi_config_t),
 * disconnect, isconnected, status([param]), scan, config, ifconfig,
 * ipconfig; module-level hostname, country, ipconfig, phy_mode; errors as
 * the port raises them (esp_exceptions_helper: OSError("Wifi Not
 * Started"), "Wifi Internal Error" for connect() while connecting, ...).
 * Differences: scan() returns at once (a real scan takes ~2 s); an SSID or
 * key that is not UTF-8 without control characters is refused by the board
 * (OSError("Wifi SSID Invalid") / "Wifi Invalid Password"); config(mac=)
 * holds for this VM only; config('channel') of an unconnected station is 1.
 *
 * Pycom (1.20 firmware): WLAN(mode=WLAN.STA|AP|STA_AP, ...), init, mode,
 * connect(ssid, auth=None, *, bssid=None, timeout=None), disconnect,
 * isconnected, ifconfig(id=0, config=None), scan() (namedtuples ssid,
 * bssid, sec, channel, rssi), mac() (sta_mac, ap_mac), deinit. Not done:
 * antenna, power_save, smartconfig, WPA2 enterprise, the AP's own
 * settings beyond ssid and auth, and Pycom's boot-time AP (a vboard Pycom
 * board boots with Wi-Fi off). */
#include "engine_int.h"
#include "board/pycom_errors.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const vb_hal *hal(void) { return vb_engine_g.hal; }

/* ---- the board's answers ------------------------------------------------------ */

static int wifi_state(vb_wifi_pub *p)
{
    if (vb_hal_need((const void *)hal()->wifi_state) < 0) return -1;
    hal()->wifi_state(hal()->ctx, p);
    return 0;
}

/* The port's error for a result (esp_exceptions_helper's texts). */
static PyObject *raise_result(int res)
{
    switch (res) {
    case VB_WIFI_E_NOT_STARTED: return vb_raise_oserror_msg("Wifi Not Started");
    case VB_WIFI_E_MODE: return vb_raise_oserror_msg("Wifi Invalid Mode");
    case VB_WIFI_E_CONN: return vb_raise_oserror_msg("Wifi Internal Error");
    case VB_WIFI_E_SSID: return vb_raise_oserror_msg("Wifi SSID Invalid");
    case VB_WIFI_E_PASSWORD: return vb_raise_oserror_msg("Wifi Invalid Password");
    case VB_WIFI_E_RATE: return vb_raise_errno(EAGAIN);
    case VB_WIFI_E_TIMEOUT: return vb_raise_errno(ETIMEDOUT);
    default: return vb_raise_errno(EINVAL);
    }
}

/* One request; 0, or -1 with the port's exception. */
static int request(vb_wifi_req *r)
{
    if (vb_hal_need((const void *)hal()->wifi_request) < 0) return -1;
    int res = hal()->wifi_request(hal()->ctx, r);
    if (res == VB_WIFI_OK) return 0;
    raise_result(res);
    return -1;
}

static vb_wifi_req new_req(unsigned op, unsigned iface)
{
    vb_wifi_req r;
    memset(&r, 0, sizeof r);
    r.op = (uint8_t)op;
    r.iface = (uint8_t)iface;
    return r;
}

/* mp_obj_str_get_data: str (its UTF-8) or bytes. */
static int str_data(PyObject *o, const char **p, Py_ssize_t *n)
{
    if (PyUnicode_Check(o)) {
        *p = PyUnicode_AsUTF8AndSize(o, n);
        return *p ? 0 : -1;
    }
    if (PyBytes_Check(o)) {
        *p = PyBytes_AS_STRING(o);
        *n = PyBytes_GET_SIZE(o);
        return 0;
    }
    PyErr_Format(PyExc_TypeError, "can't convert '%s' object to str implicitly", Py_TYPE(o)->tp_name);
    return -1;
}

/* Copy at most cap bytes of a str/bytes into buf; the length copied. */
static int copy_str(PyObject *o, uint8_t *buf, size_t cap, uint8_t *len)
{
    const char *p;
    Py_ssize_t n;
    if (str_data(o, &p, &n) < 0) return -1;
    size_t k = (size_t)n < cap ? (size_t)n : cap;
    memcpy(buf, p, k);
    *len = (uint8_t)k;
    return 0;
}

static PyObject *ip_str(uint32_t ip)
{
    return PyUnicode_FromFormat("%u.%u.%u.%u", ip >> 24, ip >> 16 & 255, ip >> 8 & 255, ip & 255);
}

/* netutils_parse_ipv4_addr: "a.b.c.d"; ValueError("invalid arguments"). */
static int parse_ip(PyObject *o, uint32_t *ip)
{
    const char *s;
    Py_ssize_t n;
    if (str_data(o, &s, &n) < 0) return -1;
    unsigned a[4], k = 0;
    char tail;
    char buf[32];
    if (n <= 0 || (size_t)n >= sizeof buf) goto bad;
    memcpy(buf, s, (size_t)n);
    buf[n] = 0;
    if (sscanf(buf, "%u.%u.%u.%u%c", &a[0], &a[1], &a[2], &a[3], &tail) != 4) goto bad;
    for (k = 0; k < 4; k++)
        if (a[k] > 255) goto bad;
    *ip = a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
    return 0;
bad:
    PyErr_SetString(PyExc_ValueError, "invalid arguments");
    return -1;
}

static uint32_t prefix_mask(long bits)
{
    return bits <= 0 ? 0 : bits >= 32 ? 0xFFFFFFFFu : 0xFFFFFFFFu << (32 - bits);
}

/* ---- the interfaces' identity: MACs from the chip's id -------------------------- */

static uint8_t mac_set[2][6];
static bool mac_is_set[2];

static void iface_mac(int iface, uint8_t mac[6])
{
    if (mac_is_set[iface]) {
        memcpy(mac, mac_set[iface], 6);
        return;
    }
    memset(mac, 0, 6);
    memcpy(mac, vb_engine_g.unique_id, vb_engine_g.unique_id_len < 6 ? vb_engine_g.unique_id_len : 6);
    mac[5] = (uint8_t)(mac[5] + iface);            /* ESP-IDF: the soft-AP is base MAC + 1 */
}

static PyObject *ap_ssid(const vb_wifi_pub *p)
{
    if (p->ap_ssid_len) return PyUnicode_DecodeUTF8((const char *)p->ap_ssid, p->ap_ssid_len, "replace");
    uint8_t mac[6];
    iface_mac(VB_WIFI_AP, mac);
    char name[16];
    snprintf(name, sizeof name, "ESP_%02X%02X%02X", mac[3], mac[4], mac[5]);
    return PyUnicode_FromString(name);
}

#define HOSTNAME_DEFAULT "mpy-esp32"

static PyObject *hostname_str(const vb_wifi_pub *p)
{
    if (!p->hostname_len) return PyUnicode_FromString(HOSTNAME_DEFAULT);
    return PyUnicode_DecodeUTF8((const char *)p->hostname, p->hostname_len, "replace");
}

/* ---- WLAN objects: one per interface ------------------------------------------- */

typedef struct wlan_obj {
    PyObject_HEAD
    int iface;                 /* VB_WIFI_STA / VB_WIFI_AP */
} wlan_obj;

static PyObject *wlan_objs[2];
static PyObject *wlan_type;

static int iface_of(PyObject *self) { return ((wlan_obj *)self)->iface; }

static PyObject *require_if(PyObject *self, int iface)
{
    if (iface_of(self) == iface) return Py_None;
    return vb_raise_oserror_msg(iface == VB_WIFI_STA ? "STA required" : "AP required");
}

static PyObject *wlan_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    (void)type;
    if (kw && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "function doesn't take keyword arguments");
        return NULL;
    }
    long idx = VB_WIFI_STA;
    if (!PyArg_ParseTuple(args, "|l:WLAN", &idx)) return NULL;
    if (idx != VB_WIFI_STA && idx != VB_WIFI_AP) {
        PyErr_SetString(PyExc_ValueError, "invalid WLAN interface identifier");
        return NULL;
    }
    return Py_NewRef(wlan_objs[idx]);
}

static PyObject *w_active(PyObject *self, PyObject *args)
{
    PyObject *on = NULL;
    if (!PyArg_ParseTuple(args, "|O:active", &on)) return NULL;
    vb_wifi_pub p;
    if (wifi_state(&p) < 0) return NULL;
    bool now = iface_of(self) == VB_WIFI_STA ? p.sta_active : p.ap_active;
    if (on) {
        int t = PyObject_IsTrue(on);
        if (t < 0) return NULL;
        vb_wifi_req r = new_req(VB_WIFI_OP_ACTIVE, (unsigned)iface_of(self));
        r.arg[0] = t;
        if (request(&r) < 0) return NULL;
        now = t;
    }
    return PyBool_FromLong(now);
}

static PyObject *w_connect(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *kwl[] = {"", "", "bssid", NULL};
    PyObject *ssid = Py_None, *key = Py_None, *bssid = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OO$O:connect", kwl, &ssid, &key, &bssid)) return NULL;
    vb_wifi_req r = new_req(VB_WIFI_OP_CONNECT, VB_WIFI_STA);
    if (PyTuple_GET_SIZE(args) > 0) {               /* the port configures only with positional args */
        r.flags = VB_WIFI_F_CONFIG;
        if (ssid != Py_None && copy_str(ssid, r.ssid, VB_WIFI_SSID_MAX, &r.ssid_len) < 0) return NULL;
        if (key != Py_None && copy_str(key, r.key, VB_WIFI_KEY_MAX, &r.key_len) < 0) return NULL;
        if (bssid != Py_None) {
            const char *b;
            Py_ssize_t n;
            if (str_data(bssid, &b, &n) < 0) return NULL;
            if (n != 6) {
                PyErr_SetNone(PyExc_ValueError);
                return NULL;
            }
            memcpy(r.bssid, b, 6);
            r.flags |= VB_WIFI_F_BSSID;
        }
    }
    if (request(&r) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *w_disconnect(PyObject *self, PyObject *u)
{
    (void)self, (void)u;
    vb_wifi_req r = new_req(VB_WIFI_OP_DISCONNECT, VB_WIFI_STA);
    if (request(&r) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *w_isconnected(PyObject *self, PyObject *u)
{
    (void)u;
    vb_wifi_pub p;
    if (wifi_state(&p) < 0) return NULL;
    return PyBool_FromLong(iface_of(self) == VB_WIFI_STA && p.sta_connected);   /* no stations join the AP */
}

static PyObject *w_status(PyObject *self, PyObject *args)
{
    PyObject *param = NULL;
    if (!PyArg_ParseTuple(args, "|O:status", &param)) return NULL;
    vb_wifi_pub p;
    if (wifi_state(&p) < 0) return NULL;
    if (!param) {
        if (iface_of(self) != VB_WIFI_STA) Py_RETURN_NONE;
        return PyLong_FromLong(p.sta_active ? p.sta_status : p.sta_status == VB_WIFI_STAT_GOT_IP
                                                             ? VB_WIFI_STAT_IDLE : p.sta_status);
    }
    const char *name = PyUnicode_Check(param) ? PyUnicode_AsUTF8(param) : NULL;
    if (name && strcmp(name, "stations") == 0) {
        if (!require_if(self, VB_WIFI_AP)) return NULL;
        return PyList_New(0);
    }
    if (name && strcmp(name, "rssi") == 0) {
        if (!require_if(self, VB_WIFI_STA)) return NULL;
        if (!p.sta_connected) return vb_raise_oserror_msg("Wifi Not Connected");
        return PyLong_FromLong(p.sta_rssi);
    }
    PyErr_SetString(PyExc_ValueError, "unknown status param");
    return NULL;
}

/* The APs in range, strongest first (as ESP-IDF sorts a scan). */
static unsigned scan_order(const vb_wifi_pub *p, unsigned order[VB_WIFI_APS_MAX])
{
    unsigned n = p->n_aps < VB_WIFI_APS_MAX ? p->n_aps : VB_WIFI_APS_MAX;
    for (unsigned i = 0; i < n; i++) {
        unsigned j = i;
        while (j > 0 && p->aps[order[j - 1]].rssi < p->aps[i].rssi) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    return n;
}

static PyObject *w_scan(PyObject *self, PyObject *u)
{
    (void)self, (void)u;
    vb_wifi_pub p;
    if (wifi_state(&p) < 0) return NULL;
    if (!p.sta_active) return vb_raise_oserror_msg("STA must be active");
    unsigned order[VB_WIFI_APS_MAX], n = scan_order(&p, order);
    PyObject *list = PyList_New(0);
    for (unsigned k = 0; list && k < n; k++) {
        const vb_wifi_ap_pub *a = &p.aps[order[k]];
        size_t sl = a->ssid_len < VB_WIFI_SSID_MAX ? a->ssid_len : VB_WIFI_SSID_MAX;
        PyObject *t = Py_BuildValue("(y#y#iiiO)", (const char *)a->ssid, (Py_ssize_t)sl, (const char *)a->bssid,
                                    (Py_ssize_t)6, (int)a->channel, (int)a->rssi, (int)a->auth, Py_False);
        if (!t || PyList_Append(list, t) < 0) Py_CLEAR(list);
        Py_XDECREF(t);
    }
    return list;
}

static PyObject *ifconfig_get(const vb_wifi_ip_pub *ip)
{
    PyObject *a = ip_str(ip->ip), *b = ip_str(ip->mask), *c = ip_str(ip->gw), *d = ip_str(ip->dns);
    PyObject *t = a && b && c && d ? PyTuple_Pack(4, a, b, c, d) : NULL;
    Py_XDECREF(a), Py_XDECREF(b), Py_XDECREF(c), Py_XDECREF(d);
    return t;
}

/* ifconfig((ip, mask, gw, dns)) or ifconfig('dhcp') (STA only). */
static int ifconfig_set(int iface, PyObject *cfg)
{
    vb_wifi_req r = new_req(VB_WIFI_OP_IFCONFIG, (unsigned)iface);
    if (PyTuple_Check(cfg) || PyList_Check(cfg)) {
        PyObject *seq = PySequence_Fast(cfg, "");
        if (!seq) return -1;
        if (PySequence_Fast_GET_SIZE(seq) != 4) {
            Py_DECREF(seq);
            PyErr_SetString(PyExc_ValueError, "tuple/list has wrong length");
            return -1;
        }
        PyObject **it = PySequence_Fast_ITEMS(seq);
        int rc = parse_ip(it[0], &r.ip[0]);
        if (rc == 0 && PyLong_Check(it[1])) r.ip[1] = prefix_mask(PyLong_AsLong(it[1]));
        else if (rc == 0) rc = parse_ip(it[1], &r.ip[1]);
        if (rc == 0) rc = parse_ip(it[2], &r.ip[2]);
        if (rc == 0) rc = parse_ip(it[3], &r.ip[3]);
        Py_DECREF(seq);
        if (rc < 0) return -1;
    } else {
        const char *s;
        Py_ssize_t n;
        if (str_data(cfg, &s, &n) < 0) return -1;
        if (iface != VB_WIFI_STA || n != 4 || memcmp(s, "dhcp", 4) != 0) {
            PyErr_SetString(PyExc_ValueError, "invalid arguments");
            return -1;
        }
        r.flags = VB_WIFI_F_DHCP;
    }
    return request(&r);
}

static PyObject *w_ifconfig(PyObject *self, PyObject *args)
{
    PyObject *cfg = NULL;
    if (!PyArg_ParseTuple(args, "|O:ifconfig", &cfg)) return NULL;
    if (cfg) {
        if (ifconfig_set(iface_of(self), cfg) < 0) return NULL;
        Py_RETURN_NONE;
    }
    vb_wifi_pub p;
    if (wifi_state(&p) < 0) return NULL;
    return ifconfig_get(iface_of(self) == VB_WIFI_STA ? &p.sta_ip : &p.ap_ip);
}

/* ipconfig('addr4'|'gw4'|'dhcp4'|'has_dhcp4'|...) and ipconfig(key=value). */
static PyObject *w_ipconfig(PyObject *self, PyObject *args, PyObject *kw)
{
    int iface = iface_of(self);
    Py_ssize_t na = PyTuple_GET_SIZE(args), nk = kw ? PyDict_GET_SIZE(kw) : 0;
    if (na && nk) {
        PyErr_SetString(PyExc_TypeError, "either pos or kw args are allowed");
        return NULL;
    }
    vb_wifi_pub p;
    if (wifi_state(&p) < 0) return NULL;
    const vb_wifi_ip_pub *ip = iface == VB_WIFI_STA ? &p.sta_ip : &p.ap_ip;
    if (na) {
        if (na != 1 || !PyUnicode_Check(PyTuple_GET_ITEM(args, 0))) {
            PyErr_SetString(PyExc_TypeError, "can query only one param");
            return NULL;
        }
        const char *k = PyUnicode_AsUTF8(PyTuple_GET_ITEM(args, 0));
        if (strcmp(k, "dhcp4") == 0) return PyBool_FromLong(iface == VB_WIFI_STA ? ip->dhcp : 1);
        if (strcmp(k, "has_dhcp4") == 0) return PyBool_FromLong(iface == VB_WIFI_STA && ip->dhcp && p.sta_connected);
        if (strcmp(k, "addr4") == 0) {
            PyObject *a = ip_str(ip->ip), *m = ip_str(ip->mask);
            PyObject *t = a && m ? PyTuple_Pack(2, a, m) : NULL;
            Py_XDECREF(a), Py_XDECREF(m);
            return t;
        }
        if (strcmp(k, "gw4") == 0) return ip_str(ip->gw);
        if (strcmp(k, "autoconf6") == 0 || strcmp(k, "has_autoconf6") == 0) Py_RETURN_FALSE;
        if (strcmp(k, "addr6") == 0) return PyList_New(0);
        PyErr_SetString(PyExc_ValueError, "unexpected key");
        return NULL;
    }
    PyObject *key, *val;
    Py_ssize_t pos = 0;
    uint32_t addr = ip->ip, mask = ip->mask, gw = ip->gw;
    bool set = false, dhcp = false;
    while (kw && PyDict_Next(kw, &pos, &key, &val)) {
        const char *k = PyUnicode_AsUTF8(key);
        if (!k) return NULL;
        if (strcmp(k, "dhcp4") == 0) {
            int t = PyObject_IsTrue(val);
            if (t < 0) return NULL;
            if (t) dhcp = true;
        } else if (strcmp(k, "addr4") == 0) {
            set = true;
            if (PyTuple_Check(val) && PyTuple_GET_SIZE(val) == 2) {
                if (parse_ip(PyTuple_GET_ITEM(val, 0), &addr) < 0 || parse_ip(PyTuple_GET_ITEM(val, 1), &mask) < 0)
                    return NULL;
            } else {
                const char *s;
                Py_ssize_t n;
                if (str_data(val, &s, &n) < 0) return NULL;
                const char *slash = memchr(s, '/', (size_t)n);
                PyObject *part = PyUnicode_FromStringAndSize(s, slash ? slash - s : n);
                int rc = part ? parse_ip(part, &addr) : -1;
                Py_XDECREF(part);
                if (rc < 0) return NULL;
                if (slash) mask = prefix_mask(strtol(slash + 1, NULL, 10));
            }
        } else if (strcmp(k, "gw4") == 0) {
            set = true;
            if (parse_ip(val, &gw) < 0) return NULL;
        } else {
            PyErr_SetString(PyExc_ValueError, "unexpected key");
            return NULL;
        }
    }
    vb_wifi_req r = new_req(VB_WIFI_OP_IFCONFIG, (unsigned)iface);
    if (set) {
        r.ip[0] = addr, r.ip[1] = mask, r.ip[2] = gw, r.ip[3] = ip->dns;
        if (request(&r) < 0) return NULL;
    } else if (dhcp && iface == VB_WIFI_STA) {
        r.flags = VB_WIFI_F_DHCP;
        if (request(&r) < 0) return NULL;
    }
    Py_RETURN_NONE;
}

/* ---- config ---------------------------------------------------------------------- */

static int set_hostname(PyObject *v);

static int config_set(int iface, PyObject *key, PyObject *val)
{
    const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
    if (!k) return -1;
    int req_if = -1;
    vb_wifi_req ap = new_req(VB_WIFI_OP_AP_CONFIG, VB_WIFI_AP), sta = new_req(VB_WIFI_OP_STA_CONFIG, VB_WIFI_STA);
    vb_wifi_req *send = NULL;
    if (strcmp(k, "mac") == 0) {
        Py_buffer b;
        if (PyObject_GetBuffer(val, &b, PyBUF_SIMPLE) < 0) return -1;
        int ok = b.len == 6;
        if (ok) memcpy(mac_set[iface], b.buf, 6);
        PyBuffer_Release(&b);
        if (!ok) {
            PyErr_SetString(PyExc_ValueError, "invalid buffer length");
            return -1;
        }
        mac_is_set[iface] = true;
        return 0;
    } else if (strcmp(k, "ssid") == 0 || strcmp(k, "essid") == 0) {
        req_if = VB_WIFI_AP;
        if (copy_str(val, ap.ssid, VB_WIFI_SSID_MAX, &ap.ssid_len) < 0) return -1;
        ap.flags = VB_WIFI_F_SSID;
        send = &ap;
    } else if (strcmp(k, "hidden") == 0) {
        req_if = VB_WIFI_AP;
        int t = PyObject_IsTrue(val);
        if (t < 0) return -1;
        ap.flags = VB_WIFI_F_ARG2, ap.arg[2] = t;
        send = &ap;
    } else if (strcmp(k, "security") == 0 || strcmp(k, "authmode") == 0) {
        req_if = VB_WIFI_AP;
        long v = PyLong_AsLong(val);
        if (v == -1 && PyErr_Occurred()) return -1;
        ap.flags = VB_WIFI_F_ARG1, ap.arg[1] = (int32_t)v;
        send = &ap;
    } else if (strcmp(k, "key") == 0 || strcmp(k, "password") == 0) {
        req_if = VB_WIFI_AP;
        if (copy_str(val, ap.key, VB_WIFI_KEY_MAX - 1, &ap.key_len) < 0) return -1;
        ap.flags = VB_WIFI_F_KEY;
        send = &ap;
    } else if (strcmp(k, "channel") == 0) {
        long v = PyLong_AsLong(val);
        if (v == -1 && PyErr_Occurred()) return -1;
        if (iface == VB_WIFI_AP) {
            ap.flags = VB_WIFI_F_ARG0, ap.arg[0] = (int32_t)(uint8_t)v;
            send = &ap;
        }                                              /* STA: only a scan's first channel */
    } else if (strcmp(k, "hostname") == 0 || strcmp(k, "dhcp_hostname") == 0) {
        return set_hostname(val);
    } else if (strcmp(k, "max_clients") == 0) {
        req_if = VB_WIFI_AP;
        if (PyLong_AsLong(val) == -1 && PyErr_Occurred()) return -1;
    } else if (strcmp(k, "reconnects") == 0) {
        req_if = VB_WIFI_STA;
        long v = PyLong_AsLong(val);
        if (v == -1 && PyErr_Occurred()) return -1;
        sta.flags = VB_WIFI_F_ARG0, sta.arg[0] = v < -1 ? -1 : v > 254 ? 254 : (int32_t)v;
        send = &sta;
    } else if (strcmp(k, "txpower") == 0) {
        double v = PyFloat_AsDouble(val);
        if (v == -1.0 && PyErr_Occurred()) return -1;
        sta.flags = VB_WIFI_F_ARG2, sta.arg[2] = (int8_t)(v * 4);
        send = &sta;
    } else if (strcmp(k, "pm") == 0) {
        long v = PyLong_AsLong(val);
        if (v == -1 && PyErr_Occurred()) return -1;
        if (v < 0 || v > 2) return (raise_result(VB_WIFI_E_ARG), -1);
        sta.flags = VB_WIFI_F_ARG1, sta.arg[1] = (int32_t)v;
        send = &sta;
    } else if (strcmp(k, "protocol") == 0) {
        if (PyLong_AsLong(val) == -1 && PyErr_Occurred()) return -1;
    } else {
        PyErr_SetString(PyExc_ValueError, "unknown config param");
        return -1;
    }
    if (req_if >= 0 && iface != req_if) {
        vb_raise_oserror_msg(req_if == VB_WIFI_STA ? "STA required" : "AP required");
        return -1;
    }
    return send ? request(send) : 0;
}

static PyObject *config_get(int iface, const char *k)
{
    vb_wifi_pub p;
    if (wifi_state(&p) < 0) return NULL;
    int req_if = -1;
    PyObject *v = NULL;
    if (strcmp(k, "mac") == 0) {
        uint8_t mac[6];
        iface_mac(iface, mac);
        return PyBytes_FromStringAndSize((const char *)mac, 6);
    } else if (strcmp(k, "ssid") == 0 || strcmp(k, "essid") == 0) {
        if (iface == VB_WIFI_STA)
            return PyUnicode_DecodeUTF8((const char *)p.sta_ssid, p.sta_ssid_len < 33 ? p.sta_ssid_len : 32,
                                        "replace");
        return ap_ssid(&p);
    } else if (strcmp(k, "hidden") == 0) {
        req_if = VB_WIFI_AP;
        v = PyBool_FromLong(p.ap_hidden);
    } else if (strcmp(k, "security") == 0 || strcmp(k, "authmode") == 0) {
        req_if = VB_WIFI_AP;
        v = PyLong_FromLong(p.ap_auth);
    } else if (strcmp(k, "channel") == 0) {
        return PyLong_FromLong(iface == VB_WIFI_AP ? p.ap_channel : p.sta_connected ? p.sta_channel : 1);
    } else if (strcmp(k, "hostname") == 0 || strcmp(k, "dhcp_hostname") == 0) {
        return hostname_str(&p);
    } else if (strcmp(k, "max_clients") == 0) {
        req_if = VB_WIFI_AP;
        v = PyLong_FromLong(p.ap_max_clients);
    } else if (strcmp(k, "reconnects") == 0) {
        req_if = VB_WIFI_STA;
        v = PyLong_FromLong(p.sta_reconnects);
    } else if (strcmp(k, "txpower") == 0) {
        return PyFloat_FromDouble(p.txpower_q * 0.25);
    } else if (strcmp(k, "pm") == 0) {
        return PyLong_FromLong(p.sta_pm);
    } else if (strcmp(k, "protocol") == 0) {
        return PyLong_FromLong(7);                    /* 11b | 11g | 11n */
    } else {
        PyErr_SetString(PyExc_ValueError, "unknown config param");
        return NULL;
    }
    if (req_if >= 0 && iface != req_if) {
        Py_XDECREF(v);
        return vb_raise_oserror_msg(req_if == VB_WIFI_STA ? "STA required" : "AP required");
    }
    return v;
}

static PyObject *w_config(PyObject *self, PyObject *args, PyObject *kw)
{
    Py_ssize_t na = PyTuple_GET_SIZE(args), nk = kw ? PyDict_GET_SIZE(kw) : 0;
    if (na && nk) {
        PyErr_SetString(PyExc_TypeError, "either pos or kw args are allowed");
        return NULL;
    }
    if (nk) {
        PyObject *key, *val;
        Py_ssize_t pos = 0;
        while (PyDict_Next(kw, &pos, &key, &val))
            if (config_set(iface_of(self), key, val) < 0) return NULL;
        Py_RETURN_NONE;
    }
    if (na != 1) {
        PyErr_SetString(PyExc_TypeError, "can query only one param");
        return NULL;
    }
    PyObject *k = PyTuple_GET_ITEM(args, 0);
    if (!PyUnicode_Check(k)) {
        PyErr_SetString(PyExc_ValueError, "unknown config param");
        return NULL;
    }
    return config_get(iface_of(self), PyUnicode_AsUTF8(k));
}

static PyObject *w_repr(PyObject *self)
{
    return PyUnicode_FromFormat("<WLAN %s>", iface_of(self) == VB_WIFI_STA ? "STA_IF" : "AP_IF");
}

#define KW(f) (PyCFunction)(void (*)(void))(f), METH_VARARGS | METH_KEYWORDS
static PyMethodDef wlan_methods[] = {
    {"active", w_active, METH_VARARGS, NULL},
    {"connect", KW(w_connect), NULL},
    {"disconnect", w_disconnect, METH_NOARGS, NULL},
    {"status", w_status, METH_VARARGS, NULL},
    {"scan", w_scan, METH_NOARGS, NULL},
    {"isconnected", w_isconnected, METH_NOARGS, NULL},
    {"config", KW(w_config), NULL},
    {"ifconfig", w_ifconfig, METH_VARARGS, NULL},
    {"ipconfig", KW(w_ipconfig), NULL},
    {NULL, NULL, 0, NULL},
};

static PyObject *wlan_type_create(void)
{
    PyType_Slot slots[] = {
        {Py_tp_new, (void *)wlan_new},
        {Py_tp_repr, (void *)w_repr},
        {Py_tp_methods, wlan_methods},
        {0, NULL},
    };
    PyType_Spec spec = {"network.WLAN", sizeof(wlan_obj), 0, Py_TPFLAGS_DEFAULT, slots};
    return PyType_FromSpec(&spec);
}

/* ---- module-level functions ------------------------------------------------------- */

static int set_hostname(PyObject *v)
{
    vb_wifi_req r = new_req(VB_WIFI_OP_HOSTNAME, VB_WIFI_STA);
    const char *s;
    Py_ssize_t n;
    if (str_data(v, &s, &n) < 0) return -1;
    if ((size_t)n >= VB_WIFI_HOSTNAME_MAX) {
        PyErr_SetString(PyExc_ValueError, "hostname too long");
        return -1;
    }
    memcpy(r.hostname, s, (size_t)n);
    r.hostname_len = (uint8_t)n;
    return request(&r);
}

static PyObject *m_hostname(PyObject *m, PyObject *args)
{
    (void)m;
    PyObject *name = NULL;
    if (!PyArg_ParseTuple(args, "|O:hostname", &name)) return NULL;
    if (name) {
        if (set_hostname(name) < 0) return NULL;
        Py_RETURN_NONE;
    }
    vb_wifi_pub p;
    if (wifi_state(&p) < 0) return NULL;
    return hostname_str(&p);
}

static PyObject *m_country(PyObject *m, PyObject *args)
{
    (void)m;
    PyObject *code = NULL;
    if (!PyArg_ParseTuple(args, "|O:country", &code)) return NULL;
    if (code) {
        const char *s;
        Py_ssize_t n;
        if (str_data(code, &s, &n) < 0) return NULL;
        if (n != 2) {
            PyErr_SetNone(PyExc_ValueError);
            return NULL;
        }
        vb_wifi_req r = new_req(VB_WIFI_OP_COUNTRY, VB_WIFI_STA);
        memcpy(r.hostname, s, 2);
        r.hostname_len = 2;
        if (request(&r) < 0) return NULL;
        Py_RETURN_NONE;
    }
    vb_wifi_pub p;
    if (wifi_state(&p) < 0) return NULL;
    return PyUnicode_FromStringAndSize(p.country, strnlen(p.country, 2));
}

/* network.ipconfig('dns'|'prefer') and ipconfig(dns=...) (the DNS is the
 * station's). */
static PyObject *m_ipconfig(PyObject *m, PyObject *args, PyObject *kw)
{
    (void)m;
    Py_ssize_t na = PyTuple_GET_SIZE(args), nk = kw ? PyDict_GET_SIZE(kw) : 0;
    if (na && nk) {
        PyErr_SetString(PyExc_TypeError, "either pos or kw args are allowed");
        return NULL;
    }
    vb_wifi_pub p;
    if (wifi_state(&p) < 0) return NULL;
    if (na) {
        const char *k = na == 1 && PyUnicode_Check(PyTuple_GET_ITEM(args, 0))
                      ? PyUnicode_AsUTF8(PyTuple_GET_ITEM(args, 0)) : NULL;
        if (!k) {
            PyErr_SetString(PyExc_TypeError, "can query only one param");
            return NULL;
        }
        if (strcmp(k, "dns") == 0) return ip_str(p.sta_ip.dns);
        if (strcmp(k, "prefer") == 0) return PyLong_FromLong(4);
        PyErr_SetString(PyExc_ValueError, "unexpected key");
        return NULL;
    }
    PyObject *key, *val;
    Py_ssize_t pos = 0;
    while (kw && PyDict_Next(kw, &pos, &key, &val)) {
        const char *k = PyUnicode_AsUTF8(key);
        if (!k) return NULL;
        if (strcmp(k, "dns") == 0) {
            vb_wifi_req r = new_req(VB_WIFI_OP_IFCONFIG, VB_WIFI_STA);
            r.ip[0] = p.sta_ip.ip, r.ip[1] = p.sta_ip.mask, r.ip[2] = p.sta_ip.gw;
            if (parse_ip(val, &r.ip[3]) < 0 || request(&r) < 0) return NULL;
        } else if (strcmp(k, "prefer") == 0) {
            if (PyLong_AsLong(val) == -1 && PyErr_Occurred()) return NULL;
        } else {
            PyErr_SetString(PyExc_ValueError, "unexpected key");
            return NULL;
        }
    }
    Py_RETURN_NONE;
}

static PyObject *m_phy_mode(PyObject *m, PyObject *args)
{
    (void)m, (void)args;
    Py_RETURN_NONE;
}

static PyMethodDef esp32_functions[] = {
    {"hostname", m_hostname, METH_VARARGS, NULL},
    {"country", m_country, METH_VARARGS, NULL},
    {"ipconfig", KW(m_ipconfig), NULL},
    {"phy_mode", m_phy_mode, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static const vb_engine_const esp32_consts[] = {
    {"STA_IF", VB_WIFI_STA}, {"AP_IF", VB_WIFI_AP},
    {"STAT_IDLE", VB_WIFI_STAT_IDLE}, {"STAT_CONNECTING", VB_WIFI_STAT_CONNECTING},
    {"STAT_GOT_IP", VB_WIFI_STAT_GOT_IP}, {"STAT_BEACON_TIMEOUT", VB_WIFI_STAT_BEACON_TIMEOUT},
    {"STAT_NO_AP_FOUND", VB_WIFI_STAT_NO_AP_FOUND}, {"STAT_WRONG_PASSWORD", VB_WIFI_STAT_WRONG_PASSWORD},
    {"STAT_ASSOC_FAIL", VB_WIFI_STAT_ASSOC_FAIL}, {"STAT_HANDSHAKE_TIMEOUT", VB_WIFI_STAT_HANDSHAKE_TIMEOUT},
    {"AUTH_OPEN", 0}, {"AUTH_WEP", 1}, {"AUTH_WPA_PSK", 2}, {"AUTH_WPA2_PSK", 3},
    {"AUTH_WPA_WPA2_PSK", 4}, {"AUTH_WPA2_ENTERPRISE", 5}, {"AUTH_WPA3_PSK", 6},
    {"AUTH_WPA2_WPA3_PSK", 7}, {"AUTH_WAPI_PSK", 8}, {"AUTH_OWE", 9}, {"AUTH_MAX", VB_WIFI_AUTH_MAX},
    {"PM_NONE", 0}, {"PM_PERFORMANCE", 1}, {"PM_POWERSAVE", 2},
    {"MODE_11B", 1}, {"MODE_11G", 2}, {"MODE_11N", 4}, {"MODE_LR", 8},
};

/* ---- Pycom: one WLAN with a mode ---------------------------------------------------- */

enum { PY_STA = 1, PY_AP = 2, PY_STA_AP = 3, PY_WEP = 1, PY_WPA = 2, PY_WPA2 = 3, PY_WPA2_ENT = 5 };

static PyObject *pycom_scan_tuple, *pycom_mac_tuple;

static int pycom_set_mode(long mode)
{
    if (mode < PY_STA || mode > PY_STA_AP) {
        PyErr_SetString(PyExc_ValueError, VB_PYCOM_BAD_ARGS);
        return -1;
    }
    vb_wifi_req s = new_req(VB_WIFI_OP_ACTIVE, VB_WIFI_STA), a = new_req(VB_WIFI_OP_ACTIVE, VB_WIFI_AP);
    s.arg[0] = (mode & PY_STA) != 0;
    a.arg[0] = (mode & PY_AP) != 0;
    return request(&s) < 0 || request(&a) < 0 ? -1 : 0;
}

static int pycom_init(PyObject *args, PyObject *kw, bool is_new)
{
    static char *kwl[] = {"id", "mode", "ssid", "auth", "channel", "antenna", "power_save", "hidden",
                          "bandwidth", "max_tx_pwr", "country", "protocol", NULL};
    long id = 0, mode = PY_STA, channel = -1;
    PyObject *ssid = Py_None, *auth = Py_None, *o = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, is_new ? "|l$lOOlOOOOOOO:WLAN" : "|l$lOOlOOOOOOO:init", kwl, &id,
                                     &mode, &ssid, &auth, &channel, &o, &o, &o, &o, &o, &o, &o))
        return -1;
    if (id != 0) {
        PyErr_SetString(PyExc_OSError, VB_PYCOM_NO_RESOURCE);
        return -1;
    }
    if (pycom_set_mode(mode) < 0) return -1;
    vb_wifi_req ap = new_req(VB_WIFI_OP_AP_CONFIG, VB_WIFI_AP);
    if (ssid != Py_None) {
        if (copy_str(ssid, ap.ssid, VB_WIFI_SSID_MAX, &ap.ssid_len) < 0) return -1;
        ap.flags |= VB_WIFI_F_SSID;
    }
    if (auth != Py_None) {
        PyObject *sec = PyTuple_Check(auth) && PyTuple_GET_SIZE(auth) >= 1 ? PyTuple_GET_ITEM(auth, 0) : NULL;
        PyObject *key = sec && PyTuple_GET_SIZE(auth) >= 2 ? PyTuple_GET_ITEM(auth, 1) : NULL;
        long s = sec ? PyLong_AsLong(sec) : -1;
        if (s < 0) {
            PyErr_Clear();
            PyErr_SetString(PyExc_ValueError, VB_PYCOM_BAD_ARGS);
            return -1;
        }
        ap.flags |= VB_WIFI_F_ARG1, ap.arg[1] = (int32_t)s;
        if (key && key != Py_None) {
            if (copy_str(key, ap.key, VB_WIFI_KEY_MAX - 1, &ap.key_len) < 0) return -1;
            ap.flags |= VB_WIFI_F_KEY;
        }
    }
    if (channel >= 0) ap.flags |= VB_WIFI_F_ARG0, ap.arg[0] = (int32_t)channel;
    return ap.flags ? request(&ap) : 0;
}

static PyObject *pycom_singleton;

static PyObject *pw_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    (void)type;
    if ((PyTuple_GET_SIZE(args) || (kw && PyDict_GET_SIZE(kw))) && pycom_init(args, kw, true) < 0) return NULL;
    return Py_NewRef(pycom_singleton);
}

static PyObject *pw_init(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    if (pycom_init(args, kw, false) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *pw_mode(PyObject *self, PyObject *args)
{
    (void)self;
    long mode = -1;
    if (!PyArg_ParseTuple(args, "|l:mode", &mode)) return NULL;
    if (mode >= 0) {
        if (pycom_set_mode(mode) < 0) return NULL;
        Py_RETURN_NONE;
    }
    vb_wifi_pub p;
    if (wifi_state(&p) < 0) return NULL;
    return PyLong_FromLong((p.sta_active ? PY_STA : 0) | (p.ap_active ? PY_AP : 0));
}

static PyObject *pw_connect(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *kwl[] = {"ssid", "auth", "bssid", "timeout", "ca_certs", "keyfile", "certfile", "identity",
                          "hostname", NULL};
    PyObject *ssid, *auth = Py_None, *bssid = Py_None, *timeout = Py_None, *o = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O$OOOOOOO:connect", kwl, &ssid, &auth, &bssid, &timeout, &o, &o,
                                     &o, &o, &o))
        return NULL;
    vb_wifi_req r = new_req(VB_WIFI_OP_CONNECT, VB_WIFI_STA);
    r.flags = VB_WIFI_F_CONFIG;
    const char *s;
    Py_ssize_t n;
    if (str_data(ssid, &s, &n) < 0) return NULL;
    if (n > (Py_ssize_t)VB_WIFI_SSID_MAX) {
        PyErr_SetString(PyExc_ValueError, VB_PYCOM_BAD_ARGS);
        return NULL;
    }
    memcpy(r.ssid, s, (size_t)n);
    r.ssid_len = (uint8_t)n;
    if (auth != Py_None) {
        PyObject *key = PyTuple_Check(auth) && PyTuple_GET_SIZE(auth) >= 2 ? PyTuple_GET_ITEM(auth, 1) : NULL;
        if (key && key != Py_None && copy_str(key, r.key, VB_WIFI_KEY_MAX, &r.key_len) < 0) return NULL;
    }
    if (bssid != Py_None) {
        if (str_data(bssid, &s, &n) < 0) return NULL;
        if (n != 6) {
            PyErr_SetString(PyExc_ValueError, VB_PYCOM_BAD_ARGS);
            return NULL;
        }
        memcpy(r.bssid, s, 6);
        r.flags |= VB_WIFI_F_BSSID;
    }
    if (request(&r) < 0) return NULL;
    if (timeout == Py_None) Py_RETURN_NONE;
    long ms = PyLong_AsLong(timeout);
    if (ms == -1 && PyErr_Occurred()) return NULL;
    int64_t deadline = vb_engine_now_us() + (int64_t)ms * 1000;
    for (;;) {                                       /* waits in board time: --clock fast jumps it */
        vb_wifi_pub p;
        if (wifi_state(&p) < 0) return NULL;
        if (p.sta_connected) Py_RETURN_NONE;
        if (vb_engine_now_us() >= deadline) return vb_raise_oserror_msg("Connection to AP Timeout!");
        if (vb_engine_sleep_us(10000) < 0) return NULL;
    }
}

static PyObject *pw_isconnected(PyObject *self, PyObject *u)
{
    (void)self, (void)u;
    vb_wifi_pub p;
    if (wifi_state(&p) < 0) return NULL;
    return PyBool_FromLong(p.sta_connected);
}

static PyObject *pw_ifconfig(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *kwl[] = {"id", "config", NULL};
    long id = 0;
    PyObject *cfg = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|lO:ifconfig", kwl, &id, &cfg)) return NULL;
    if (id != 0 && id != 1) {
        PyErr_SetString(PyExc_ValueError, VB_PYCOM_BAD_ARGS);
        return NULL;
    }
    int iface = id == 0 ? VB_WIFI_STA : VB_WIFI_AP;
    if (cfg) {
        if (ifconfig_set(iface, cfg) < 0) return NULL;
        Py_RETURN_NONE;
    }
    vb_wifi_pub p;
    if (wifi_state(&p) < 0) return NULL;
    return ifconfig_get(iface == VB_WIFI_STA ? &p.sta_ip : &p.ap_ip);
}

static PyObject *pw_scan(PyObject *self, PyObject *u)
{
    (void)self, (void)u;
    vb_wifi_pub p;
    if (wifi_state(&p) < 0) return NULL;
    if (!p.sta_active) return vb_raise_oserror_msg(VB_PYCOM_NOT_POSSIBLE);
    unsigned order[VB_WIFI_APS_MAX], n = scan_order(&p, order);
    PyObject *list = PyList_New(0);
    for (unsigned k = 0; list && k < n; k++) {
        const vb_wifi_ap_pub *a = &p.aps[order[k]];
        size_t sl = a->ssid_len < VB_WIFI_SSID_MAX ? a->ssid_len : VB_WIFI_SSID_MAX;
        PyObject *t = PyObject_CallFunction(pycom_scan_tuple, "s#y#iii", (const char *)a->ssid, (Py_ssize_t)sl,
                                            (const char *)a->bssid, (Py_ssize_t)6,
                                            a->auth ? PY_WPA2 : 0, (int)a->channel, (int)a->rssi);
        if (!t || PyList_Append(list, t) < 0) Py_CLEAR(list);
        Py_XDECREF(t);
    }
    return list;
}

static PyObject *pw_mac(PyObject *self, PyObject *u)
{
    (void)self, (void)u;
    uint8_t sta[6], ap[6];
    iface_mac(VB_WIFI_STA, sta);
    iface_mac(VB_WIFI_AP, ap);
    return PyObject_CallFunction(pycom_mac_tuple, "y#y#", (const char *)sta, (Py_ssize_t)6, (const char *)ap,
                                 (Py_ssize_t)6);
}

static PyObject *pw_deinit(PyObject *self, PyObject *u)
{
    (void)self, (void)u;
    vb_wifi_req s = new_req(VB_WIFI_OP_ACTIVE, VB_WIFI_STA), a = new_req(VB_WIFI_OP_ACTIVE, VB_WIFI_AP);
    if (request(&s) < 0 || request(&a) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef pycom_methods[] = {
    {"init", KW(pw_init), NULL},
    {"deinit", pw_deinit, METH_NOARGS, NULL},
    {"mode", pw_mode, METH_VARARGS, NULL},
    {"connect", KW(pw_connect), NULL},
    {"disconnect", w_disconnect, METH_NOARGS, NULL},
    {"isconnected", pw_isconnected, METH_NOARGS, NULL},
    {"ifconfig", KW(pw_ifconfig), NULL},
    {"scan", pw_scan, METH_NOARGS, NULL},
    {"mac", pw_mac, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static const vb_engine_const pycom_consts[] = {
    {"STA", PY_STA}, {"AP", PY_AP}, {"STA_AP", PY_STA_AP}, {"WEP", PY_WEP}, {"WPA", PY_WPA},
    {"WPA2", PY_WPA2}, {"WPA2_ENT", PY_WPA2_ENT}, {"INT_ANT", 0}, {"EXT_ANT", 1}, {"MAN_ANT", 2},
};

static PyObject *namedtuple(const char *name, const char *fields)
{
    PyObject *coll = PyImport_ImportModule("collections");
    PyObject *nt = coll ? PyObject_CallMethod(coll, "namedtuple", "ss", name, fields) : NULL;
    Py_XDECREF(coll);
    return nt;
}

static int add_consts(PyObject *o, const vb_engine_const *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        PyObject *v = PyLong_FromLong(c[i].value);
        int rc = v ? PyObject_SetAttrString(o, c[i].name, v) : -1;
        Py_XDECREF(v);
        if (rc < 0) return -1;
    }
    return 0;
}

static PyObject *pycom_type_create(void)
{
    PyType_Slot slots[] = {
        {Py_tp_new, (void *)pw_new},
        {Py_tp_methods, pycom_methods},
        {0, NULL},
    };
    PyType_Spec spec = {"network.WLAN", sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, slots};
    PyObject *t = PyType_FromSpec(&spec);
    if (t && add_consts(t, pycom_consts, sizeof pycom_consts / sizeof pycom_consts[0]) < 0) Py_CLEAR(t);
    return t;
}

/* ---- the module --------------------------------------------------------------------- */

static struct PyModuleDef esp32_def = {
    PyModuleDef_HEAD_INIT, "network", "network configuration (the board's simulated radio)", 0,
    esp32_functions, NULL, NULL, NULL, NULL,
};

static struct PyModuleDef pycom_def = {
    PyModuleDef_HEAD_INIT, "network", "network configuration (the board's simulated radio)", 0,
    NULL, NULL, NULL, NULL, NULL,
};

static PyObject *pycom_create(void)
{
    PyObject *m = PyModule_Create(&pycom_def);
    PyObject *t = m ? pycom_type_create() : NULL;
    Py_XSETREF(pycom_scan_tuple, t ? namedtuple("WLAN_scan", "ssid bssid sec channel rssi") : NULL);
    Py_XSETREF(pycom_mac_tuple, pycom_scan_tuple ? namedtuple("mac", "sta_mac ap_mac") : NULL);
    Py_XSETREF(pycom_singleton, pycom_mac_tuple ? ((PyTypeObject *)t)->tp_alloc((PyTypeObject *)t, 0) : NULL);
    if (!pycom_singleton || PyModule_AddObjectRef(m, "WLAN", t) < 0) Py_CLEAR(m);
    Py_XDECREF(t);
    return m;
}

PyObject *vb_mod_network_create(void)
{
    if (vb_engine_g.port->wlan_api == VB_WLAN_PYCOM) return pycom_create();
    PyObject *m = PyModule_Create(&esp32_def);
    if (!m) return NULL;
    Py_XSETREF(wlan_type, wlan_type_create());
    for (int i = 0; wlan_type && i < 2; i++) {
        Py_XSETREF(wlan_objs[i], ((PyTypeObject *)wlan_type)->tp_alloc((PyTypeObject *)wlan_type, 0));
        if (!wlan_objs[i]) break;
        ((wlan_obj *)wlan_objs[i])->iface = i;
    }
    if (!wlan_objs[0] || !wlan_objs[1] || PyModule_AddObjectRef(m, "WLAN", wlan_type) < 0 ||
        add_consts(m, esp32_consts, sizeof esp32_consts / sizeof esp32_consts[0]) < 0)
        Py_CLEAR(m);
    return m;
}
