# Streams over anything the board's poll can watch: sys.stdin/stdout, and
# sockets through MicroPython's stream interface (non-blocking read,
# readinto and write return None when they would block).
from . import core


class Stream:
    def __init__(self, s, e={}):
        self.s = s
        self.e = e
        self.out_buf = b""

    def get_extra_info(self, v):
        return self.e[v]

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        self.close()
        await self.wait_closed()

    def close(self):
        pass

    async def wait_closed(self):
        # as upstream: the stream itself is closed here
        self.s.close()

    async def read(self, n=-1):
        r = None
        while True:
            await core._IOWait(self.s, 0)
            r2 = self.s.read(n)
            if r2 is None:
                continue
            if n >= 0:
                return r2
            if not len(r2):
                return r if r is not None else r2
            r = r2 if r is None else r + r2

    async def readinto(self, buf):
        while True:
            await core._IOWait(self.s, 0)
            n = self.s.readinto(buf)
            if n is not None:
                return n

    async def readexactly(self, n):
        r = b""
        while n:
            await core._IOWait(self.s, 0)
            r2 = self.s.read(n)
            if r2 is None:
                continue
            if not len(r2):
                raise EOFError
            r = r2 if not r else r + r2  # bytes, or str from sys.stdin
            n -= len(r2)
        return r

    async def readline(self):
        line = None
        while True:
            await core._IOWait(self.s, 0)
            part = self.s.readline()
            if part is None:
                continue
            line = part if line is None else line + part
            if not part or line[-1:] in (b"\n", "\n"):
                return line

    def write(self, buf):
        if not self.out_buf:
            # straight out when the stream takes it all
            n = self.s.write(buf)
            if n == len(buf):
                return
            if n is not None:
                buf = buf[n:]
        self.out_buf += buf

    async def drain(self):
        if not self.out_buf:
            return await core.sleep_ms(0)
        mv = memoryview(self.out_buf)
        off = 0
        while off < len(mv):
            await core._IOWait(self.s, 1)
            n = self.s.write(mv[off:])
            if n is not None:
                off += n
        self.out_buf = b""

    # MicroPython's older names
    aclose = wait_closed

    async def awrite(self, buf, off=0, sz=-1):
        if off != 0 or sz != -1:
            buf = memoryview(buf)
            if sz == -1:
                sz = len(buf)
            buf = buf[off : off + sz]
        self.write(buf)
        await self.drain()

    async def awritestr(self, s):
        await self.awrite(s.encode())


StreamReader = Stream
StreamWriter = Stream


async def open_connection(host, port, ssl=None, server_hostname=None):
    from errno import EINPROGRESS
    import socket

    ai = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
    s = socket.socket(ai[0], ai[1], ai[2])
    s.setblocking(False)
    try:
        s.connect(ai[-1])
    except OSError as er:
        # args[0] is the errno whichever way the OSError was made
        if not er.args or er.args[0] != EINPROGRESS:
            raise er
    if ssl:
        if ssl is True:
            import ssl as _ssl

            ssl = _ssl.SSLContext(_ssl.PROTOCOL_TLS_CLIENT)
        if not server_hostname:
            server_hostname = host
        s = ssl.wrap_socket(s, server_hostname=server_hostname, do_handshake_on_connect=False)
        s.setblocking(False)
    ss = Stream(s)
    await core._IOWait(s, 1)
    return ss, ss


class Server:
    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        self.close()
        await self.wait_closed()

    def close(self):
        self.state = True
        self.task.cancel()

    async def wait_closed(self):
        await self.task

    async def _serve(self, s, cb, ssl):
        self.state = False
        try:
            while True:
                await core._IOWait(s, 0)
                try:
                    s2, addr = s.accept()
                except Exception:
                    continue  # a failed accept is dropped, as upstream
                if ssl:
                    try:
                        s2 = ssl.wrap_socket(s2, server_side=True, do_handshake_on_connect=False)
                    except OSError as e:
                        core.sys.print_exception(e)
                        s2.close()
                        continue
                s2.setblocking(False)
                s2s = Stream(s2, {"peername": addr})
                core.create_task(cb(s2s, s2s))
        except core.CancelledError as er:
            s.close()
            if self.state:
                return  # closed by close(): wait_closed() ends quietly
            raise er


async def start_server(cb, host, port, backlog=5, ssl=None):
    import socket

    host = socket.getaddrinfo(host, port)[0]
    s = socket.socket()
    s.setblocking(False)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(host[-1])
    s.listen(backlog)
    srv = Server()
    srv.task = core.create_task(srv._serve(s, cb, ssl))
    try:
        await core.sleep_ms(0)  # _serve starts, so a close() cleans up
    except core.CancelledError as er:
        srv.task.cancel()
        raise er
    return srv
