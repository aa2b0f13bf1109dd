/* The check every request on the board's network line passes before the
 * supervisor acts on it (contract/netmsg.h): the line is written by the
 * VM, which device code may have corrupted. Pure, for the unit test. */
#ifndef VB_NET_NETREQ_H
#define VB_NET_NETREQ_H

#include <stdbool.h>
#include <sys/types.h>

#include "contract/netmsg.h"

/* A request as the VM sent it, n bytes (recv's MSG_TRUNC length: more
 * than were read when the message was longer): whole (SENDTO: with at
 * most a datagram after it), the magic, a known op and type, a
 * NUL-terminated name. */
bool vb_net_req_ok(const vb_net_req *r, ssize_t n);

#endif
