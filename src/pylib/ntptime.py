# ntptime: the board's RTC from an NTP server (RFC 5905, one SNTP query),
# with the API of MicroPython's ntptime: host, timeout, time(), settime().
# On vboard, pool.ntp.org is the board's gateway, whose NTP service
# answers with the host's time (README "Network").

import socket
import struct
import time as _time

host = "pool.ntp.org"
timeout = 1

# seconds from 1900-01-01 (NTP's era 0) to the board's epoch, 2000-01-01
_NTP_DELTA = 3155673600
# an NTP seconds field below this (2024-01-01) has wrapped into era 1
_MIN_NTP = 3913056000


def time():
    query = bytearray(48)
    query[0] = 0x1B                # LI 0, version 3, mode 3 (client)
    addr = socket.getaddrinfo(host, 123)[0][-1]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.settimeout(timeout)
        s.sendto(query, addr)
        msg = s.recv(48)
    finally:
        s.close()
    secs = struct.unpack("!I", msg[40:44])[0]
    if secs < _MIN_NTP:
        secs += 0x100000000
    return secs - _NTP_DELTA


def settime():
    import machine

    tm = _time.gmtime(time())
    machine.RTC().datetime((tm[0], tm[1], tm[2], tm[6] + 1, tm[3], tm[4], tm[5], 0))
