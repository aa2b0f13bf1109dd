/* The network line's request check (netreq.h). */
#include "netreq.h"

#include <string.h>

bool vb_net_req_ok(const vb_net_req *r, ssize_t n)
{
    if (n < (ssize_t)sizeof *r || r->magic != VB_NET_MAGIC) return false;
    if (r->op == VB_NET_SENDTO ? (size_t)n - sizeof *r > VB_NET_DGRAM_MAX : n != (ssize_t)sizeof *r)
        return false;
    if (r->op < VB_NET_CONNECT || r->op >= VB_NET_OPS) return false;
    if ((r->op == VB_NET_CONNECT || r->op == VB_NET_LISTEN || r->op == VB_NET_SENDTO) && r->type != VB_NET_TCP &&
        r->type != VB_NET_UDP)
        return false;
    return memchr(r->name, '\0', sizeof r->name) != NULL;
}
