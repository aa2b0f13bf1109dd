/* Telnet (RFC 854/855) and RFC 2217 COM-PORT-OPTION protocol bytes, named
 * once for the transport, its filter and the tests (style.md §5). */
#ifndef VB_LINK_TELNET_H
#define VB_LINK_TELNET_H

/* Commands (RFC 854): each follows IAC. */
#define TELNET_SE 240     /* end of subnegotiation */
#define TELNET_NOP 241
#define TELNET_DM 242
#define TELNET_BRK 243
#define TELNET_IP 244
#define TELNET_AO 245
#define TELNET_AYT 246
#define TELNET_EC 247
#define TELNET_EL 248
#define TELNET_GA 249
#define TELNET_SB 250     /* start of subnegotiation */
#define TELNET_WILL 251
#define TELNET_WONT 252
#define TELNET_DO 253
#define TELNET_DONT 254
#define TELNET_IAC 255    /* interpret as command; doubled it is a 0xFF data byte */

/* Options. */
#define TELNET_OPT_BINARY 0   /* RFC 856: 8-bit data path */
#define TELNET_OPT_ECHO 1     /* RFC 857 */
#define TELNET_OPT_SGA 3      /* RFC 858: suppress go-ahead */
#define TELNET_OPT_COM_PORT 44 /* RFC 2217 */

/* RFC 2217 commands, client to server; the server answers cmd + 100. */
#define RFC2217_SIGNATURE 0
#define RFC2217_SET_BAUDRATE 1
#define RFC2217_SET_DATASIZE 2
#define RFC2217_SET_PARITY 3
#define RFC2217_SET_STOPSIZE 4
#define RFC2217_SET_CONTROL 5
#define RFC2217_NOTIFY_LINESTATE 6
#define RFC2217_NOTIFY_MODEMSTATE 7
#define RFC2217_FLOWCONTROL_SUSPEND 8
#define RFC2217_FLOWCONTROL_RESUME 9
#define RFC2217_SET_LINESTATE_MASK 10
#define RFC2217_SET_MODEMSTATE_MASK 11
#define RFC2217_PURGE_DATA 12
#define RFC2217_SERVER_OFFSET 100

/* SET-CONTROL values: requests (answered with the current state) and sets. */
#define RFC2217_CONTROL_REQ_FLOW 0
#define RFC2217_CONTROL_NO_FLOW 1
#define RFC2217_CONTROL_REQ_BREAK 4
#define RFC2217_CONTROL_BREAK_ON 5
#define RFC2217_CONTROL_BREAK_OFF 6
#define RFC2217_CONTROL_REQ_DTR 7
#define RFC2217_CONTROL_DTR_ON 8
#define RFC2217_CONTROL_DTR_OFF 9
#define RFC2217_CONTROL_REQ_RTS 10
#define RFC2217_CONTROL_RTS_ON 11
#define RFC2217_CONTROL_RTS_OFF 12
#define RFC2217_CONTROL_REQ_FLOW_IN 13
#define RFC2217_CONTROL_NO_FLOW_IN 14

/* Line settings a query (value 0) is answered with. */
#define RFC2217_PARITY_NONE 1
#define RFC2217_STOPSIZE_1 1

#endif
