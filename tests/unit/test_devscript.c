/* Unit tests: script-defined I2C devices' protocol (bus/devscript.c) —
 * calls as the driver reads them, replies as a hostile helper may write
 * them (every malformed kind refused, a record fed a byte at a time) —
 * and the bus's side (bus/i2cbus.c): which requests are parked for a
 * script device, and how its answer moves the wires. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bus/devscript.h"
#include "bus/i2cbus.h"
#include "check.h"
#include "util/le.h"

static size_t reply(uint8_t *out, uint32_t seq, unsigned status, unsigned acks, const void *payload, unsigned len)
{
    vb_st32(out, VB_DS_REPLY_MAGIC);
    vb_st32(out + 4, seq);
    out[8] = (uint8_t)status;
    out[9] = 0;
    vb_st16(out + 10, (uint16_t)acks);
    vb_st16(out + 12, (uint16_t)len);
    vb_st16(out + 14, 0);
    if (len) memcpy(out + VB_DS_HEADER, payload, len);
    return VB_DS_HEADER + len;
}

static void test_call_encoding(void)
{
    uint8_t rec[VB_DS_RECORD_MAX], data[3] = {0x0f, 1, 2};
    vb_ds_call c = {.seq = 9, .dev = 2, .ops = VB_DS_START | VB_DS_STOP, .nwrite = 3, .nread = 4, .data = data};
    CHECK_EQ(vb_ds_call_encode(&c, rec, sizeof rec), VB_DS_HEADER + 3);
    CHECK_EQ(vb_ld32(rec), VB_DS_CALL_MAGIC);
    CHECK_EQ(vb_ld32(rec + 4), 9);
    CHECK_EQ(rec[8], 2);
    CHECK_EQ(rec[9], VB_DS_START | VB_DS_STOP);
    CHECK_EQ(vb_ld16(rec + 10), 3);
    CHECK_EQ(vb_ld16(rec + 12), 4);
    CHECK_MEM(rec + VB_DS_HEADER, data, 3);
    vb_ds_call bad = c;
    bad.seq = 0;                   /* seq 0 is the helper's hello */
    CHECK_EQ(vb_ds_call_encode(&bad, rec, sizeof rec), 0);
    bad = c;
    bad.ops = 8;
    CHECK_EQ(vb_ds_call_encode(&bad, rec, sizeof rec), 0);
    bad = c;
    bad.nread = VB_BUS_DATA_MAX + 1;
    CHECK_EQ(vb_ds_call_encode(&bad, rec, sizeof rec), 0);
    CHECK_EQ(vb_ds_call_encode(&c, rec, VB_DS_HEADER + 2), 0);   /* no room */
}

static void test_good_replies(void)
{
    uint8_t rec[VB_DS_RECORD_MAX + 8];
    vb_ds_reply r;
    size_t used = 0;
    char err[160];
    size_t n = reply(rec, 5, VB_DS_OK, 2, "\x15\xa5", 2);
    CHECK_EQ(vb_ds_reply_parse(rec, n, 5, 2, 2, &r, &used, err, sizeof err), 1);
    CHECK_EQ(used, n);
    CHECK_EQ(r.status, VB_DS_OK);
    CHECK_EQ(r.acks, 2);
    CHECK_MEM(r.data, "\x15\xa5", 2);
    /* a byte at a time: not whole until the last */
    for (size_t k = 0; k < n; k++) CHECK_EQ(vb_ds_reply_parse(rec, k, 5, 2, 2, &r, &used, err, sizeof err), 0);
    /* the hello */
    n = reply(rec, 0, VB_DS_LOADED, 0, NULL, 0);
    CHECK_EQ(vb_ds_reply_parse(rec, n, 0, 0, 0, &r, &used, err, sizeof err), 1);
    CHECK_EQ(r.status, VB_DS_LOADED);
    /* a raise: its text cleaned to printable ASCII */
    n = reply(rec, 6, VB_DS_RAISED, 0, "ValueError: b\x1b[2Jad\xff", 20);
    CHECK_EQ(vb_ds_reply_parse(rec, n, 6, 3, 1, &r, &used, err, sizeof err), 1);
    CHECK_EQ(r.status, VB_DS_RAISED);
    CHECK_STR(r.text, "ValueError: b?[2Jad?");
    /* a long text is cut */
    uint8_t longtext[VB_DS_PAYLOAD_MAX];
    memset(longtext, 'x', sizeof longtext);
    n = reply(rec, 0, VB_DS_LOAD_FAILED, 0, longtext, sizeof longtext);
    CHECK_EQ(vb_ds_reply_parse(rec, n, 0, 0, 0, &r, &used, err, sizeof err), 1);
    CHECK_EQ(strlen(r.text), VB_DS_TEXT_MAX);
}

static void test_hostile_replies(void)
{
    uint8_t rec[VB_DS_RECORD_MAX + 8];
    vb_ds_reply r;
    size_t used;
    char err[160];
    struct {
        uint32_t seq;
        unsigned status, acks, len;
    } bad[] = {
        {4, VB_DS_OK, 0, 1},            /* a reply to another call */
        {5, VB_DS_STATUSES, 0, 1},      /* unknown kind */
        {5, VB_DS_OK, 3, 1},            /* more acks than bytes written */
        {5, VB_DS_OK, 1, 2},            /* more bytes than read */
        {5, VB_DS_OK, 1, 0},            /* fewer */
        {5, VB_DS_LOADED, 0, 0},        /* a hello to a call */
        {5, VB_DS_RAISED, 1, 3},        /* acks in a raise */
        {5, VB_DS_OK, 0, VB_DS_PAYLOAD_MAX + 1},   /* longer than a record */
    };
    uint8_t payload[VB_DS_PAYLOAD_MAX + 1] = {0};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = reply(rec, bad[i].seq, bad[i].status, bad[i].acks, payload,
                         bad[i].len > VB_DS_PAYLOAD_MAX ? 0 : bad[i].len);
        vb_st16(rec + 12, (uint16_t)bad[i].len);
        err[0] = '\0';
        CHECK_EQ(vb_ds_reply_parse(rec, n, 5, 2, 1, &r, &used, err, sizeof err), -1);
        CHECK(err[0] != '\0');
    }
    /* a hello that was not asked for, and a call's answer to the hello */
    size_t n = reply(rec, 0, VB_DS_LOADED, 0, NULL, 0);
    CHECK_EQ(vb_ds_reply_parse(rec, n, 5, 2, 1, &r, &used, err, sizeof err), -1);
    n = reply(rec, 0, VB_DS_OK, 0, NULL, 0);
    CHECK_EQ(vb_ds_reply_parse(rec, n, 0, 0, 0, &r, &used, err, sizeof err), -1);
    n = reply(rec, 0, VB_DS_LOADED, 0, "x", 1);      /* text in a hello */
    CHECK_EQ(vb_ds_reply_parse(rec, n, 0, 0, 0, &r, &used, err, sizeof err), -1);
    /* garbage: refused as soon as its first four bytes are in */
    CHECK_EQ(vb_ds_reply_parse((const uint8_t *)"Trac", 4, 5, 2, 1, &r, &used, err, sizeof err), -1);
    CHECK_EQ(vb_ds_reply_parse((const uint8_t *)"Tra", 3, 5, 2, 1, &r, &used, err, sizeof err), 0);
    /* reserved bytes */
    n = reply(rec, 5, VB_DS_OK, 1, "\x01", 1);
    rec[9] = 1;
    CHECK_EQ(vb_ds_reply_parse(rec, n, 5, 2, 1, &r, &used, err, sizeof err), -1);
    n = reply(rec, 5, VB_DS_OK, 1, "\x01", 1);
    rec[15] = 1;
    CHECK_EQ(vb_ds_reply_parse(rec, n, 5, 2, 1, &r, &used, err, sizeof err), -1);
}

static vb_i2c_buses buses;     /* why static: large (EEPROM arrays) */

static vb_bus_req request(unsigned flags, const uint8_t *w, unsigned nw, unsigned nr)
{
    vb_bus_req q;
    memset(&q, 0, sizeof q);
    q.magic = VB_BUS_MAGIC;
    q.seq = 3;
    q.flags = (uint8_t)flags;
    q.nwrite = (uint16_t)nw;
    q.nread = (uint16_t)nr;
    if (nw) memcpy(q.data, w, nw);
    return q;
}

static void test_bus_parks_script_requests(void)
{
    vb_i2c_attach a[2];
    unsigned n = 0;
    char err[160];
    CHECK_EQ(vb_i2c_parse_attach("0:0x48=script:/tmp/t.py,0:0x50=eeprom", a, 2, &n, err, sizeof err), 0);
    CHECK_EQ(a[0].model, VB_I2C_SCRIPT);
    CHECK_STR(a[0].script, "/tmp/t.py");
    vb_i2c_buses_init(&buses, a, n);
    bool read = true;
    uint8_t w[2] = {0x48 << 1, 0x0f};
    vb_bus_req q = request(VB_BUS_START, w, 2, 0);
    CHECK_EQ(vb_i2c_script_target(&buses, &q, sizeof q, &read), 0);
    CHECK(!read);
    CHECK_EQ(vb_i2c_script_target(&buses, &q, sizeof q - 1, &read), -1);   /* not a request */
    vb_bus_rep rep;
    vb_i2c_script_finish(&buses, &q, 0, 2, NULL, &rep);
    CHECK_EQ(rep.acks, 2);
    CHECK_EQ(rep.seq, 3);
    /* the read after a repeated START, then a continuation without one */
    uint8_t r1 = 0x48 << 1 | 1;
    q = request(VB_BUS_START, &r1, 1, 1);
    CHECK_EQ(vb_i2c_script_target(&buses, &q, sizeof q, &read), 0);
    CHECK(read);
    uint8_t got = 0xA5;
    vb_i2c_script_finish(&buses, &q, 0, 1, &got, &rep);
    CHECK_EQ(rep.data[0], 0xA5);
    q = request(VB_BUS_STOP | VB_BUS_NACK_LAST, NULL, 0, 2);
    CHECK_EQ(vb_i2c_script_target(&buses, &q, sizeof q, &read), 0);
    CHECK(read);
    vb_i2c_script_finish(&buses, &q, 0, 0, NULL, &rep);
    CHECK_EQ(rep.data[0], 0xFF);
    CHECK_EQ(rep.data[1], 0xFF);
    /* after the STOP nothing is addressed: a bare read is nobody's */
    CHECK_EQ(vb_i2c_script_target(&buses, &q, sizeof q, &read), -1);
    /* a NACKed address (a failed script, a raise): nothing listens until a START */
    q = request(VB_BUS_START, w, 2, 0);
    vb_i2c_script_finish(&buses, &q, 0, 0, NULL, &rep);
    CHECK_EQ(rep.acks, 0);
    q = request(0, w + 1, 1, 0);
    CHECK_EQ(vb_i2c_script_target(&buses, &q, sizeof q, &read), -1);
    /* SoftI2C's start() alone, then write(): the address comes in the second request */
    q = request(VB_BUS_START, NULL, 0, 0);
    CHECK_EQ(vb_i2c_script_target(&buses, &q, sizeof q, &read), -1);
    vb_i2c_serve(&buses, &q, sizeof q, 0, &rep);
    q = request(0, &r1, 1, 0);
    CHECK(vb_i2c_addressing(&buses, &q));
    CHECK_EQ(vb_i2c_script_target(&buses, &q, sizeof q, &read), 0);
    CHECK(read);
    vb_i2c_script_finish(&buses, &q, 0, 1, NULL, &rep);
    q = request(VB_BUS_STOP, NULL, 0, 1);
    CHECK(!vb_i2c_addressing(&buses, &q));
    CHECK_EQ(vb_i2c_script_target(&buses, &q, sizeof q, &read), 0);   /* addressed for reading */
    CHECK(read);
    vb_i2c_script_finish(&buses, &q, 0, 0, &got, &rep);
    /* the EEPROM is the bus's own: never parked */
    uint8_t e[1] = {0x50 << 1};
    q = request(VB_BUS_START | VB_BUS_STOP, e, 1, 0);
    CHECK_EQ(vb_i2c_script_target(&buses, &q, sizeof q, &read), -1);
    /* a hostile answer's acks are clamped to what was written */
    q = request(VB_BUS_START, w, 2, 0);
    vb_i2c_script_finish(&buses, &q, 0, 9, NULL, &rep);
    CHECK_EQ(rep.acks, 2);
}

static void test_script_attach_errors(void)
{
    vb_i2c_attach a[2];
    unsigned n = 0;
    char err[160];
    const char *bad[] = {"0:0x48=script", "0:0x48=script:", "0:0x48=scripts:x.py"};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = 0;
        CHECK_EQ(vb_i2c_parse_attach(bad[i], a, 2, &n, err, sizeof err), -1);
    }
    char longpath[VB_I2C_SCRIPT_PATH_MAX + 40];
    memset(longpath, 'p', sizeof longpath);
    memcpy(longpath, "0:0x48=script:", 14);
    longpath[sizeof longpath - 1] = '\0';
    n = 0;
    CHECK_EQ(vb_i2c_parse_attach(longpath, a, 2, &n, err, sizeof err), -1);
    n = 0;   /* a path of a few hundred bytes is fine */
    longpath[14 + 300] = '\0';
    CHECK_EQ(vb_i2c_parse_attach(longpath, a, 2, &n, err, sizeof err), 0);
    CHECK_EQ(strlen(a[0].script), 300);
}

int main(void)
{
    RUN(test_call_encoding);
    RUN(test_good_replies);
    RUN(test_hostile_replies);
    RUN(test_bus_parks_script_requests);
    RUN(test_script_attach_errors);
    return CHECK_DONE();
}
