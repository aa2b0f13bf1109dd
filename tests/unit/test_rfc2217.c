/* The telnet/RFC 2217 filter (src/link/rfc2217.h): every split of a
 * stream with commands, subnegotiations and doubled 0xFF gives the same data
 * and replies; each COM-PORT request gets its code + 100 answer. */
#include "check.h"
#include "link/rfc2217.h"
#include "link/telnet.h"

#define IAC TELNET_IAC

typedef struct result {
    uint8_t data[512], reply[512];
    size_t ndata, nreply;
} result;

/* Feed `in` in pieces cut at the given points (sorted, 0 < cut < n). */
static void feed_split(const uint8_t *in, size_t n, const size_t *cuts, size_t ncuts, result *r)
{
    vb_telnet t;
    vb_telnet_init(&t);
    uint8_t greeting[64];
    vb_telnet_out g = {greeting, sizeof greeting, 0, 0};
    vb_telnet_greet(&t, &g);       /* as the server starts every connection */
    vb_telnet_out out = {r->reply, sizeof r->reply, 0, 0};
    r->ndata = 0;
    size_t at = 0;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : n;
        uint8_t piece[512];
        memcpy(piece, in + at, end - at);
        /* in place, as tcp.c does it */
        size_t k = vb_telnet_feed(&t, piece, end - at, piece, &out);
        memcpy(r->data + r->ndata, piece, k);
        r->ndata += k;
        at = end;
    }
    r->nreply = out.len;
}

static const uint8_t stream[] = {
    'a', IAC, TELNET_DO, TELNET_OPT_ECHO,                        /* already offered: no reply */
    IAC, IAC, 'b',                                               /* doubled 0xFF = data */
    IAC, TELNET_SB, TELNET_OPT_COM_PORT, RFC2217_SET_BAUDRATE, 0, 0, 0x25, 0x80, IAC, TELNET_SE,
    '\r', IAC, TELNET_NOP, 0xFE,
    IAC, TELNET_SB, TELNET_OPT_COM_PORT, RFC2217_SET_LINESTATE_MASK, IAC, IAC, IAC, TELNET_SE,
    IAC, TELNET_WILL, 99,                                        /* unknown: refused */
    IAC, TELNET_SB, 99, 1, 2, IAC, TELNET_SE,                    /* unknown option: ignored */
    IAC, IAC, IAC, IAC, 'z',
};
static const uint8_t want_data[] = {'a', 0xFF, 'b', '\r', 0xFE, 0xFF, 0xFF, 'z'};
static const uint8_t want_reply[] = {
    IAC, TELNET_SB, TELNET_OPT_COM_PORT, 101, 0, 0, 0x25, 0x80, IAC, TELNET_SE,
    IAC, TELNET_SB, TELNET_OPT_COM_PORT, 110, IAC, IAC, IAC, TELNET_SE,
    IAC, TELNET_DONT, 99,
};

static void check_result(const result *r, const char *what)
{
    int before = check_failures;
    CHECK_EQ(r->ndata, sizeof want_data);
    CHECK_MEM(r->data, want_data, sizeof want_data);
    CHECK_EQ(r->nreply, sizeof want_reply);
    CHECK_MEM(r->reply, want_reply, sizeof want_reply);
    if (check_failures != before) fprintf(stderr, "  split: %s\n", what);
}

static void test_every_split(void)
{
    size_t n = sizeof stream;
    result r;
    feed_split(stream, n, NULL, 0, &r);
    check_result(&r, "none");
    /* one cut anywhere, two cuts anywhere */
    for (size_t a = 1; a < n; a++) {
        size_t cuts1[1] = {a};
        feed_split(stream, n, cuts1, 1, &r);
        char what[32];
        snprintf(what, sizeof what, "%zu", a);
        check_result(&r, what);
        for (size_t b = a + 1; b < n; b++) {
            size_t cuts2[2] = {a, b};
            feed_split(stream, n, cuts2, 2, &r);
            snprintf(what, sizeof what, "%zu,%zu", a, b);
            check_result(&r, what);
        }
    }
    /* byte by byte */
    size_t all[sizeof stream];
    for (size_t i = 1; i < n; i++) all[i - 1] = i;
    feed_split(stream, n, all, n - 1, &r);
    check_result(&r, "every byte");
}

/* Feed one request after the greeting; return the reply length. */
static size_t ask(vb_telnet *t, const uint8_t *req, size_t n, uint8_t *reply, size_t cap)
{
    uint8_t buf[64], data[64];
    memcpy(buf, req, n);
    vb_telnet_out out = {reply, cap, 0, 0};
    CHECK_EQ(vb_telnet_feed(t, buf, n, data, &out), 0);
    return out.len;
}

static void expect(vb_telnet *t, const uint8_t *req, size_t n, const uint8_t *want, size_t wn, int line)
{
    uint8_t rp[64];
    int before = check_failures;
    size_t got = ask(t, req, n, rp, sizeof rp);
    CHECK_EQ(got, wn);
    if (wn) CHECK_MEM(rp, want, wn);
    if (check_failures != before) fprintf(stderr, "  request at line %d\n", line);
}

#define SB(...) IAC, TELNET_SB, TELNET_OPT_COM_PORT, __VA_ARGS__, IAC, TELNET_SE
#define BYTES(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
#define NOTHING NULL, 0
#define ASK(req_, want_) expect(&t, req_, want_, __LINE__)

static void test_com_port_answers(void)
{
    vb_telnet t;
    vb_telnet_init(&t);
    ASK(BYTES(SB(RFC2217_SET_BAUDRATE, 0, 0, 0, 0)), BYTES(SB(101, 0, 1, 0xC2, 0x00)));          /* query: 115200 */
    ASK(BYTES(SB(RFC2217_SET_BAUDRATE, 0, 0, 0x25, 0x80)), BYTES(SB(101, 0, 0, 0x25, 0x80)));
    CHECK_EQ(t.baud, 9600);
    ASK(BYTES(SB(RFC2217_SET_BAUDRATE, 0, 0, IAC, IAC, IAC, IAC)), BYTES(SB(101, 0, 0, IAC, IAC, IAC, IAC)));
    CHECK_EQ(t.baud, 0xFFFF);
    ASK(BYTES(SB(RFC2217_SET_DATASIZE, 7)), BYTES(SB(102, 7)));
    ASK(BYTES(SB(RFC2217_SET_DATASIZE, 0)), BYTES(SB(102, 7)));
    ASK(BYTES(SB(RFC2217_SET_PARITY, 1)), BYTES(SB(103, 1)));
    ASK(BYTES(SB(RFC2217_SET_STOPSIZE, 1)), BYTES(SB(104, 1)));
    ASK(BYTES(SB(RFC2217_SET_CONTROL, RFC2217_CONTROL_NO_FLOW)), BYTES(SB(105, RFC2217_CONTROL_NO_FLOW)));
    ASK(BYTES(SB(RFC2217_SET_CONTROL, RFC2217_CONTROL_DTR_OFF)), BYTES(SB(105, RFC2217_CONTROL_DTR_OFF)));
    ASK(BYTES(SB(RFC2217_SET_CONTROL, RFC2217_CONTROL_REQ_DTR)), BYTES(SB(105, RFC2217_CONTROL_DTR_OFF)));
    ASK(BYTES(SB(RFC2217_SET_CONTROL, RFC2217_CONTROL_RTS_ON)), BYTES(SB(105, RFC2217_CONTROL_RTS_ON)));
    ASK(BYTES(SB(RFC2217_SET_CONTROL, RFC2217_CONTROL_REQ_BREAK)), BYTES(SB(105, RFC2217_CONTROL_BREAK_OFF)));
    ASK(BYTES(SB(RFC2217_NOTIFY_LINESTATE, 0)), BYTES(SB(106, 0)));
    ASK(BYTES(SB(RFC2217_NOTIFY_MODEMSTATE, 0)), BYTES(SB(107, 0)));
    ASK(BYTES(SB(RFC2217_SET_LINESTATE_MASK, 0)), BYTES(SB(110, 0)));
    ASK(BYTES(SB(RFC2217_SET_MODEMSTATE_MASK, 255, 255)), BYTES(SB(111, 255, 255)));
    ASK(BYTES(SB(RFC2217_PURGE_DATA, 1)), BYTES(SB(112, 1)));
    ASK(BYTES(SB(RFC2217_PURGE_DATA, 3)), BYTES(SB(112, 3)));
    ASK(BYTES(SB(RFC2217_SIGNATURE)), BYTES(SB(100, 'v', 'b', 'o', 'a', 'r', 'd')));
    /* unknown code, wrong lengths: no answer, counted */
    uint64_t before = t.ignored;
    ASK(BYTES(SB(77, 1)), NOTHING);
    ASK(BYTES(SB(RFC2217_SET_BAUDRATE, 1)), NOTHING);
    CHECK_EQ(t.ignored, before + 2);
}

static void test_negotiation(void)
{
    vb_telnet t;
    vb_telnet_init(&t);
    uint8_t g[64];
    vb_telnet_out out = {g, sizeof g, 0, 0};
    vb_telnet_greet(&t, &out);
    CHECK_EQ(out.len, 7 * 3);
    /* agreement to our offers needs no answer: no loops */
    ASK(BYTES(IAC, TELNET_DO, TELNET_OPT_BINARY, IAC, TELNET_WILL, TELNET_OPT_BINARY,
              IAC, TELNET_WILL, TELNET_OPT_COM_PORT, IAC, TELNET_DO, TELNET_OPT_SGA), NOTHING);
    /* refused options are refused every time */
    ASK(BYTES(IAC, TELNET_WILL, TELNET_OPT_ECHO), BYTES(IAC, TELNET_DONT, TELNET_OPT_ECHO));
    ASK(BYTES(IAC, TELNET_DO, 24), BYTES(IAC, TELNET_WONT, 24));
    /* turning one off is acknowledged once */
    ASK(BYTES(IAC, TELNET_DONT, TELNET_OPT_SGA), BYTES(IAC, TELNET_WONT, TELNET_OPT_SGA));
    ASK(BYTES(IAC, TELNET_DONT, TELNET_OPT_SGA), NOTHING);
    ASK(BYTES(IAC, TELNET_DO, TELNET_OPT_SGA), BYTES(IAC, TELNET_WILL, TELNET_OPT_SGA));
}

static void test_cr_nul_without_binary(void)
{
    vb_telnet t;
    vb_telnet_init(&t);     /* no greeting: BINARY is off */
    uint8_t in[] = {'1', '\r', 0, 'x', 0}, rep[8];
    vb_telnet_out out = {rep, sizeof rep, 0, 0};
    size_t k = vb_telnet_feed(&t, in, sizeof in, in, &out);
    CHECK_EQ(k, 4);
    CHECK_MEM(in, ((uint8_t[]){'1', '\r', 'x', 0}), 4);
}

static void test_escape(void)
{
    uint8_t in[] = {1, IAC, 2, IAC, IAC}, out[16];
    size_t used, n = vb_telnet_escape(in, sizeof in, &used, out, sizeof out);
    CHECK_EQ(n, 8);
    CHECK_EQ(used, 5);
    CHECK_MEM(out, ((uint8_t[]){1, IAC, IAC, 2, IAC, IAC, IAC, IAC}), 8);
    /* a pair never split by the buffer's end */
    n = vb_telnet_escape(in, sizeof in, &used, out, 2);
    CHECK_EQ(n, 1);
    CHECK_EQ(used, 1);
}

int main(void)
{
    RUN(test_every_split);
    RUN(test_com_port_answers);
    RUN(test_negotiation);
    RUN(test_cr_nul_without_binary);
    RUN(test_escape);
    return CHECK_DONE();
}
