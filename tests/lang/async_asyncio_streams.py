# asyncio streams over MicroPython's socket interface, with a socket-like
# test double (non-blocking connect raising EINPROGRESS, read/readline/
# write returning None when they would block, short writes, poll through
# ioctl(3, mask)); the real socket module is not needed
try:
    import asyncio
except ImportError:
    print('SKIP')
    raise SystemExit
import sys
import errno

POLLIN, POLLOUT = 1, 4
LISTENERS = {}


class FakeSock:
    def __init__(self, *args):
        self.inbuf = bytearray()
        self.peer = None
        self.closed = False
        self.pending = []

    def setblocking(self, flag):
        self.blocking = flag

    def setsockopt(self, level, opt, value):
        pass

    def bind(self, addr):
        self.addr = addr

    def listen(self, backlog):
        LISTENERS[self.addr[1]] = self

    def connect(self, addr):
        other = FakeSock()
        self.peer, other.peer = other, self
        LISTENERS[addr[1]].pending.append((other, ('10.0.0.2', 5555)))
        raise OSError(errno.EINPROGRESS)

    def accept(self):
        return self.pending.pop(0)

    def _eof(self):
        return self.peer is None or self.peer.closed

    def read(self, n=-1):
        if not self.inbuf:
            return b'' if self._eof() else None
        n = len(self.inbuf) if n < 0 else n
        d = bytes(self.inbuf[:n])
        del self.inbuf[:n]
        return d

    def readinto(self, buf):
        d = self.read(len(buf))
        if d is None:
            return None
        buf[:len(d)] = d
        return len(d)

    def readline(self):
        i = self.inbuf.find(b'\n')
        if i < 0 and not self._eof():
            return None
        return self.read(i + 1 if i >= 0 else -1)

    def write(self, b):
        if self.peer is None or self.peer.closed:
            raise OSError(errno.ECONNRESET)
        k = min(len(b), 3)  # short writes
        self.peer.inbuf += bytes(b[:k])
        return k

    def close(self):
        self.closed = True

    def ioctl(self, req, mask):
        if req != 3:
            return -1
        r = 0
        if mask & POLLIN and (self.inbuf or self.pending or (self.peer is not None and self._eof())):
            r |= POLLIN
        if mask & POLLOUT and self.peer is not None:
            r |= POLLOUT
        return r


class FakeSocketModule:
    SOCK_STREAM = 1
    SOL_SOCKET = 1
    SO_REUSEADDR = 4
    socket = FakeSock

    @staticmethod
    def getaddrinfo(host, port, af=0, type=0):
        return [(2, 1, 0, '', (host, port))]


sys.modules['socket'] = FakeSocketModule


async def handle(reader, writer):
    print('server: peer', writer.get_extra_info('peername'))
    line = await reader.readline()
    writer.write(line.upper())
    await writer.drain()
    buf = bytearray(4)
    n = await reader.readinto(buf)
    writer.write(bytes(buf[:n]) + b'|')
    writer.write(await reader.readexactly(5))
    await writer.drain()
    await writer.awrite(b'xxawritexx', 2, 6)
    await writer.awritestr('!')
    writer.close()
    await writer.wait_closed()
    print('server: closed')


async def main():
    server = await asyncio.start_server(handle, '0.0.0.0', 8080)
    reader, writer = await asyncio.open_connection('10.0.0.1', 8080)
    writer.write(b'hello stream\n')
    await writer.drain()
    print('client:', await reader.readline())
    writer.write(b'abcd12345')
    await writer.drain()
    print('client:', await reader.readexactly(5), await reader.read(5))
    print('client:', await reader.read())
    await writer.aclose()
    async with server:
        pass
    print('server closed', server.task.done())
    try:
        await reader.readexactly(1)
    except EOFError:
        print('EOFError')


asyncio.run(main())
