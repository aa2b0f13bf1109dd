/* Telnet filter and RFC 2217 answers (rfc2217.h). Pure: no I/O, no printing,
 * so the unit tests link it from libvboard. */
#include "rfc2217.h"

#include <string.h>

#include "telnet.h"

enum { ST_DATA, ST_IAC, ST_OPT, ST_SB, ST_SB_IAC };

/* One bit per supported option; 0 = refused. */
static unsigned opt_bit(uint8_t opt, bool ours)
{
    switch (opt) {
    case TELNET_OPT_BINARY: return 1u << 0;
    case TELNET_OPT_SGA: return 1u << 1;
    case TELNET_OPT_COM_PORT: return 1u << 2;
    case TELNET_OPT_ECHO: return ours ? 1u << 3 : 0;  /* the board echoes; the host must not */
    default: return 0;
    }
}

static void put(vb_telnet_out *o, const uint8_t *p, size_t n)
{
    if (o->cap - o->len < n) {
        o->dropped++;
        return;
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

static void put_opt(vb_telnet_out *o, uint8_t verb, uint8_t opt)
{
    uint8_t m[3] = {TELNET_IAC, verb, opt};
    put(o, m, sizeof m);
}

void vb_telnet_init(vb_telnet *t)
{
    memset(t, 0, sizeof *t);
    t->baud = 115200;
    t->datasize = 8;
    t->parity = RFC2217_PARITY_NONE;
    t->stopsize = RFC2217_STOPSIZE_1;
    t->flow = RFC2217_CONTROL_NO_FLOW;
    t->flow_in = RFC2217_CONTROL_NO_FLOW_IN;
    t->brk = RFC2217_CONTROL_BREAK_OFF;
    t->dtr = RFC2217_CONTROL_DTR_ON;
    t->rts = RFC2217_CONTROL_RTS_ON;
}

void vb_telnet_greet(vb_telnet *t, vb_telnet_out *out)
{
    static const uint8_t ours[] = {TELNET_OPT_BINARY, TELNET_OPT_SGA, TELNET_OPT_ECHO, TELNET_OPT_COM_PORT};
    static const uint8_t theirs[] = {TELNET_OPT_BINARY, TELNET_OPT_SGA, TELNET_OPT_COM_PORT};
    for (size_t i = 0; i < sizeof ours; i++) {
        put_opt(out, TELNET_WILL, ours[i]);
        t->us |= opt_bit(ours[i], true);
    }
    for (size_t i = 0; i < sizeof theirs; i++) {
        put_opt(out, TELNET_DO, theirs[i]);
        t->them |= opt_bit(theirs[i], false);
    }
}

/* RFC 1143 in short: answer only a change of state, so two sides that both
 * agree never loop; refuse what we do not support every time it is asked. */
static void negotiate(vb_telnet *t, uint8_t verb, uint8_t opt, vb_telnet_out *out)
{
    bool ours = verb == TELNET_DO || verb == TELNET_DONT;
    bool yes = verb == TELNET_DO || verb == TELNET_WILL;
    unsigned bit = opt_bit(opt, ours);
    unsigned *on = ours ? &t->us : &t->them;
    uint8_t ack_yes = ours ? TELNET_WILL : TELNET_DO, ack_no = ours ? TELNET_WONT : TELNET_DONT;
    if (yes && !bit) {
        t->ignored++;
        put_opt(out, ack_no, opt);
    } else if (yes && !(*on & bit)) {
        *on |= bit;
        put_opt(out, ack_yes, opt);
    } else if (!yes && bit && (*on & bit)) {
        *on &= ~bit;
        put_opt(out, ack_no, opt);
    }
}

/* IAC SB COM-PORT-OPTION code value... IAC SE, the value's IACs doubled. */
static void com_reply(vb_telnet_out *out, uint8_t code, const uint8_t *v, size_t n)
{
    uint8_t m[4 + 2 * 8 + 2];
    size_t k = 0;
    m[k++] = TELNET_IAC;
    m[k++] = TELNET_SB;
    m[k++] = TELNET_OPT_COM_PORT;
    m[k++] = (uint8_t)(code + RFC2217_SERVER_OFFSET);
    for (size_t i = 0; i < n && i < 8; i++) {
        m[k++] = v[i];
        if (v[i] == TELNET_IAC) m[k++] = TELNET_IAC;
    }
    m[k++] = TELNET_IAC;
    m[k++] = TELNET_SE;
    put(out, m, k);
}

static uint8_t control(vb_telnet *t, uint8_t v)
{
    switch (v) {
    case RFC2217_CONTROL_REQ_FLOW: return t->flow;
    case RFC2217_CONTROL_REQ_BREAK: return t->brk;
    case RFC2217_CONTROL_REQ_DTR: return t->dtr;
    case RFC2217_CONTROL_REQ_RTS: return t->rts;
    case RFC2217_CONTROL_REQ_FLOW_IN: return t->flow_in;
    case RFC2217_CONTROL_BREAK_ON: case RFC2217_CONTROL_BREAK_OFF: return t->brk = v;
    case RFC2217_CONTROL_DTR_ON: case RFC2217_CONTROL_DTR_OFF: return t->dtr = v;
    case RFC2217_CONTROL_RTS_ON: case RFC2217_CONTROL_RTS_OFF: return t->rts = v;
    default:
        /* flow-control choices: 1-3 and 17-19 outbound, 14-16 and 18 inbound */
        if (v >= 14 && v <= 16) return t->flow_in = v;
        return t->flow = v;
    }
}

/* A complete subnegotiation (between IAC SB and IAC SE, undoubled). */
static void subnegotiation(vb_telnet *t, vb_telnet_out *out)
{
    if (t->sb_long || t->sb_len < 2 || t->sb[0] != TELNET_OPT_COM_PORT) {
        t->ignored++;
        return;
    }
    uint8_t code = t->sb[1];
    const uint8_t *v = t->sb + 2;
    size_t n = t->sb_len - 2;
    uint8_t b;
    switch (code) {
    case RFC2217_SIGNATURE: {
        static const char sig[] = "vboard";
        com_reply(out, code, (const uint8_t *)sig, sizeof sig - 1);
        return;
    }
    case RFC2217_SET_BAUDRATE: {
        if (n != 4) break;
        uint32_t baud = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
        if (baud) t->baud = baud;          /* 0 asks for the current rate */
        uint8_t r[4] = {(uint8_t)(t->baud >> 24), (uint8_t)(t->baud >> 16), (uint8_t)(t->baud >> 8),
                        (uint8_t)t->baud};
        com_reply(out, code, r, 4);
        return;
    }
    case RFC2217_SET_DATASIZE:
    case RFC2217_SET_PARITY:
    case RFC2217_SET_STOPSIZE: {
        if (n != 1) break;
        uint8_t *field = code == RFC2217_SET_DATASIZE ? &t->datasize
                         : code == RFC2217_SET_PARITY ? &t->parity : &t->stopsize;
        if (v[0]) *field = v[0];
        com_reply(out, code, field, 1);
        return;
    }
    case RFC2217_SET_CONTROL:
        if (n != 1) break;
        b = control(t, v[0]);
        com_reply(out, code, &b, 1);
        return;
    case RFC2217_NOTIFY_LINESTATE:
    case RFC2217_NOTIFY_MODEMSTATE:
    case RFC2217_PURGE_DATA:
        /* Nothing is buffered on our side of the line to purge. */
        if (n != 1) break;
        com_reply(out, code, v, 1);
        return;
    case RFC2217_SET_LINESTATE_MASK:
    case RFC2217_SET_MODEMSTATE_MASK:
        if (n != 1) break;
        if (code == RFC2217_SET_LINESTATE_MASK) t->linestate_mask = v[0];
        else t->modemstate_mask = v[0];
        com_reply(out, code, v, 1);
        return;
    default:
        break;    /* flow-control suspend/resume and unknown codes: ignored */
    }
    t->ignored++;
}

/* A byte after IAC outside a subnegotiation. Returns true when it is a data
 * byte (the doubled IAC). */
static bool after_iac(vb_telnet *t, uint8_t c)
{
    switch (c) {
    case TELNET_IAC:
        t->state = ST_DATA;
        return true;
    case TELNET_WILL: case TELNET_WONT: case TELNET_DO: case TELNET_DONT:
        t->verb = c;
        t->state = ST_OPT;
        return false;
    case TELNET_SB:
        t->sb_len = 0;
        t->sb_long = false;
        t->state = ST_SB;
        return false;
    default:
        /* NOP, BRK, AYT, a stray SE...: nothing the board's UART has */
        t->state = ST_DATA;
        return false;
    }
}

static void sb_put(vb_telnet *t, uint8_t c)
{
    if (t->sb_len < sizeof t->sb) t->sb[t->sb_len++] = c;
    else t->sb_long = true;
}

size_t vb_telnet_feed(vb_telnet *t, const uint8_t *in, size_t n, uint8_t *data, vb_telnet_out *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = in[i];
        switch (t->state) {
        case ST_DATA:
            if (c == TELNET_IAC) {
                t->state = ST_IAC;
                break;
            }
            /* Without BINARY a telnet host sends CR as CR NUL. */
            if (!(c == 0 && t->cr && !(t->them & opt_bit(TELNET_OPT_BINARY, false)))) data[k++] = c;
            t->cr = c == '\r';
            break;
        case ST_IAC:
            if (after_iac(t, c)) {
                data[k++] = c;
                t->cr = false;
            }
            break;
        case ST_OPT:
            negotiate(t, t->verb, c, out);
            t->state = ST_DATA;
            break;
        case ST_SB:
            if (c == TELNET_IAC) t->state = ST_SB_IAC;
            else sb_put(t, c);
            break;
        case ST_SB_IAC:
            if (c == TELNET_SE) {
                subnegotiation(t, out);
                t->state = ST_DATA;
                break;
            }
            if (c != TELNET_IAC) {
                /* A command inside a subnegotiation: the SB was never
                 * finished. Drop it and take the command. */
                t->ignored++;
                if (after_iac(t, c)) data[k++] = c;
                break;
            }
            sb_put(t, c);      /* a doubled IAC: a 0xFF in the value */
            t->state = ST_SB;
            break;
        }
    }
    return k;
}

size_t vb_telnet_escape(const uint8_t *in, size_t n, size_t *used, uint8_t *out, size_t cap)
{
    size_t i = 0, k = 0;
    for (; i < n; i++) {
        size_t need = in[i] == TELNET_IAC ? 2 : 1;
        if (cap - k < need) break;
        out[k++] = in[i];
        if (need == 2) out[k++] = TELNET_IAC;
    }
    *used = i;
    return k;
}
