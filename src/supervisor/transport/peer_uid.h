/* Which local user holds the other end of a TCP connection to 127.0.0.1.
 * TCP has no SO_PEERCRED; both ends live in this machine's socket tables,
 * so the client's socket is found by its 4-tuple: first through
 * NETLINK_SOCK_DIAG (an exact inet_diag lookup), then, if that is not
 * available, in /proc/net/tcp. */
#ifndef VB_SUPERVISOR_PEER_UID_H
#define VB_SUPERVISOR_PEER_UID_H

#include <stddef.h>
#include <sys/types.h>

/* The uid owning the peer socket of the connected IPv4 TCP socket `fd`.
 * 0 and *uid set, or a negative errno with one sentence in err. Fails
 * closed: a peer socket no process holds any more (time-wait, orphaned)
 * has no owner, and is an error (-ESRCH). Never blocks. */
int vb_peer_uid(int fd, uid_t *uid, char *err, size_t errlen);

#endif
