# umqtt.simple: an MQTT 3.1.1 client with the API of MicroPython's
# umqtt.simple (MQTTClient), written from the OASIS MQTT 3.1.1 standard.
# QoS 0 and 1; blocking socket I/O through the board's socket and ssl.

import socket
import struct


class MQTTException(Exception):
    pass


def _len_bytes(n):
    # the Remaining Length: 7 bits a byte, the high bit says more follow (2.2.3)
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return out


class MQTTClient:
    def __init__(self, client_id, server, port=0, user=None, password=None, keepalive=0,
                 ssl=None, ssl_params={}):
        if port == 0:
            port = 8883 if ssl else 1883
        self.client_id = client_id
        self.sock = None
        self.server = server
        self.port = port
        self.ssl = ssl
        self.ssl_params = ssl_params
        self.pid = 0
        self.cb = None
        self.user = user
        self.pswd = password
        self.keepalive = keepalive
        self.lw_topic = None
        self.lw_msg = None
        self.lw_qos = 0
        self.lw_retain = False

    # Each packet goes out in one write: pieces would meet Nagle's
    # algorithm and the peer's delayed ACK (40 ms a QoS 1 publish).
    @staticmethod
    def _str(s):
        if isinstance(s, str):
            s = s.encode()
        return struct.pack("!H", len(s)) + s

    def _recv_len(self):
        n = 0
        sh = 0
        while True:
            b = self.sock.read(1)[0]
            n |= (b & 0x7F) << sh
            if not b & 0x80:
                return n
            sh += 7

    def _read(self, n):
        data = self.sock.read(n)
        if data is None or len(data) < n:
            raise OSError(-1)
        return data

    def set_callback(self, f):
        self.cb = f

    def set_last_will(self, topic, msg, retain=False, qos=0):
        assert 0 <= qos <= 2
        assert topic
        self.lw_topic = topic
        self.lw_msg = msg
        self.lw_qos = qos
        self.lw_retain = retain

    def connect(self, clean_session=True, timeout=None):
        self.sock = socket.socket()
        self.sock.settimeout(timeout)
        addr = socket.getaddrinfo(self.server, self.port)[0][-1]
        self.sock.connect(addr)
        if self.ssl is True:
            import ssl

            self.sock = ssl.wrap_socket(self.sock, **self.ssl_params)
        elif self.ssl:
            self.sock = self.ssl.wrap_socket(self.sock, server_hostname=self.server)
        # variable header: protocol name, level 4, flags, keep alive (3.1.2)
        flags = 0x02 if clean_session else 0
        size = 10 + 2 + len(self.client_id)
        if self.user:
            size += 2 + len(self.user)
            flags |= 0x80
            if self.pswd:
                size += 2 + len(self.pswd)
                flags |= 0x40
        if self.lw_topic:
            size += 2 + len(self.lw_topic) + 2 + len(self.lw_msg)
            flags |= 0x04 | (self.lw_qos & 1) << 3 | (self.lw_qos & 2) << 3
            flags |= 0x20 if self.lw_retain else 0
        pkt = bytearray(b"\x10")
        pkt += _len_bytes(size)
        pkt += b"\x00\x04MQTT\x04"
        pkt.append(flags)
        pkt += struct.pack("!H", self.keepalive)
        pkt += self._str(self.client_id)
        if self.lw_topic:
            pkt += self._str(self.lw_topic)
            pkt += self._str(self.lw_msg)
        if self.user:
            pkt += self._str(self.user)
            if self.pswd:
                pkt += self._str(self.pswd)
        self.sock.write(pkt)
        resp = self._read(4)
        if resp[0] != 0x20 or resp[1] != 0x02:
            raise MQTTException(-1)
        if resp[3] != 0:
            raise MQTTException(resp[3])
        return resp[2] & 1

    def disconnect(self):
        self.sock.write(b"\xe0\x00")
        self.sock.close()

    def ping(self):
        self.sock.write(b"\xc0\x00")

    def _next_pid(self):
        self.pid = self.pid % 65535 + 1
        return self.pid

    def publish(self, topic, msg, retain=False, qos=0):
        if isinstance(topic, str):
            topic = topic.encode()
        if isinstance(msg, str):
            msg = msg.encode()
        assert 0 <= qos <= 1, "QoS 2 is not supported"
        size = 2 + len(topic) + len(msg) + (2 if qos else 0)
        pkt = bytearray([0x30 | qos << 1 | (1 if retain else 0)])
        pkt += _len_bytes(size)
        pkt += self._str(topic)
        if qos:
            pid = self._next_pid()
            pkt += struct.pack("!H", pid)
        pkt += msg
        self.sock.write(pkt)
        if qos == 1:
            while True:
                op = self.wait_msg()
                if op == 0x40:
                    sz = self._read(1)
                    assert sz == b"\x02"
                    rcv_pid = struct.unpack("!H", self._read(2))[0]
                    if pid == rcv_pid:
                        return

    def subscribe(self, topic, qos=0):
        assert self.cb is not None, "Subscribe callback is not set"
        if isinstance(topic, str):
            topic = topic.encode()
        pid = self._next_pid()
        pkt = bytearray(b"\x82")
        pkt += _len_bytes(2 + 2 + len(topic) + 1)
        pkt += struct.pack("!H", pid)
        pkt += self._str(topic)
        pkt.append(qos)
        self.sock.write(pkt)
        while True:
            op = self.wait_msg()
            if op == 0x90:
                resp = self._read(4)
                if resp[0] == 0x03 and struct.unpack("!H", resp[1:3])[0] == pid:
                    if resp[3] == 0x80:
                        raise MQTTException(resp[3])
                    return

    # Waits for one incoming message and runs the callback for a PUBLISH;
    # other packets are returned by their type byte for the caller. After
    # check_msg's first byte the rest of a packet is waited for.
    def wait_msg(self):
        res = self.sock.read(1)
        self.sock.setblocking(True)
        if res is None:
            return None
        if res == b"":
            raise OSError(-1)
        if res == b"\xd0":         # PINGRESP
            sz = self._read(1)[0]
            assert sz == 0
            return None
        op = res[0]
        if op & 0xF0 != 0x30:
            return op
        sz = self._recv_len()
        topic_len = struct.unpack("!H", self._read(2))[0]
        topic = self._read(topic_len)
        sz -= topic_len + 2
        if op & 6:
            pid = struct.unpack("!H", self._read(2))[0]
            sz -= 2
        msg = self._read(sz) if sz else b""
        if self.cb:
            self.cb(topic, msg)
        if op & 6 == 2:
            self.sock.write(b"\x40\x02" + struct.pack("!H", pid))
        elif op & 6 == 4:
            assert 0, "QoS 2 is not supported"
        return None

    # Checks for a pending message without waiting: runs the callback for
    # it, else returns at once.
    def check_msg(self):
        self.sock.setblocking(False)
        return self.wait_msg()
