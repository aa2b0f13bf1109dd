/* The network line's request check (src/net/netreq.c): what a corrupted
 * VM may write is refused before the supervisor acts — short, long,
 * wrong magic, unknown op or type, an unterminated name, and SENDTO's
 * datagram bound. */
#include "check.h"

#include <string.h>

#include "net/netreq.h"

static vb_net_req good(uint16_t op)
{
    vb_net_req r;
    memset(&r, 0, sizeof r);
    r.magic = VB_NET_MAGIC;
    r.op = op;
    r.type = VB_NET_UDP;
    return r;
}

static void test_whole_requests(void)
{
    const ssize_t size = (ssize_t)sizeof(vb_net_req);
    for (uint16_t op = VB_NET_CONNECT; op < VB_NET_OPS; op++) {
        vb_net_req r = good(op);
        CHECK(vb_net_req_ok(&r, size));
        CHECK(!vb_net_req_ok(&r, size - 1));
        CHECK(!vb_net_req_ok(&r, 0));
        CHECK(!vb_net_req_ok(&r, -1));
        r.magic ^= 1;
        CHECK(!vb_net_req_ok(&r, size));
    }
    vb_net_req r = good(0);
    CHECK(!vb_net_req_ok(&r, size));
    r.op = VB_NET_OPS;
    CHECK(!vb_net_req_ok(&r, size));
    r.op = 0xFFFF;
    CHECK(!vb_net_req_ok(&r, size));
}

static void test_types_and_names(void)
{
    const ssize_t size = (ssize_t)sizeof(vb_net_req);
    const uint16_t typed[] = {VB_NET_CONNECT, VB_NET_LISTEN, VB_NET_SENDTO};
    for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++) {
        vb_net_req r = good(typed[i]);
        r.type = VB_NET_TCP;
        CHECK(vb_net_req_ok(&r, size));
        r.type = 0;
        CHECK(!vb_net_req_ok(&r, size));
        r.type = 3;
        CHECK(!vb_net_req_ok(&r, size));
    }
    vb_net_req r = good(VB_NET_RESOLVE);
    memset(r.name, 'a', sizeof r.name);         /* no NUL anywhere */
    CHECK(!vb_net_req_ok(&r, size));
    r.name[sizeof r.name - 1] = '\0';
    CHECK(vb_net_req_ok(&r, size));
}

static void test_sendto_datagram_bound(void)
{
    const ssize_t size = (ssize_t)sizeof(vb_net_req);
    vb_net_req r = good(VB_NET_SENDTO);
    CHECK(vb_net_req_ok(&r, size));                          /* an empty datagram */
    CHECK(vb_net_req_ok(&r, size + 1));
    CHECK(vb_net_req_ok(&r, size + (ssize_t)VB_NET_DGRAM_MAX));
    CHECK(!vb_net_req_ok(&r, size + (ssize_t)VB_NET_DGRAM_MAX + 1));
    CHECK(!vb_net_req_ok(&r, size - 1));
    /* only SENDTO carries data */
    vb_net_req c = good(VB_NET_CONNECT);
    CHECK(!vb_net_req_ok(&c, size + 1));
}

int main(void)
{
    RUN(test_whole_requests);
    RUN(test_types_and_names);
    RUN(test_sendto_datagram_bound);
    return CHECK_DONE();
}
