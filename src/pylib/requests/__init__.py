# requests: HTTP/1.0 client with the API of MicroPython's requests
# (micropython-lib): request/get/post/put/patch/delete/head, Response with
# status_code, reason, headers, content, text, json(), close(), raw.
# Written from RFC 1945 and the module's documented behaviour. https goes
# through the board's TLS without verifying the server, as upstream.

import socket


class Response:
    def __init__(self, f):
        self.raw = f
        self.encoding = "utf-8"
        self._cached = None

    def close(self):
        if self.raw:
            self.raw.close()
            self.raw = None
        self._cached = None

    @property
    def content(self):
        if self._cached is None:
            try:
                self._cached = self.raw.read()
            finally:
                self.raw.close()
                self.raw = None
        return self._cached

    @property
    def text(self):
        return str(self.content, self.encoding)

    def json(self):
        import json

        return json.loads(self.content)


def _connect(proto, host, port, timeout):
    ai = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
    s = socket.socket(ai[0], socket.SOCK_STREAM, ai[2])
    try:
        if timeout is not None:
            s.settimeout(timeout)
        s.connect(ai[-1])
        if proto == "https:":
            import tls

            ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
            ctx.verify_mode = tls.CERT_NONE
            s = ctx.wrap_socket(s, server_hostname=host)
        return s
    except OSError:
        s.close()
        raise


def request(method, url, data=None, json=None, headers=None, stream=None, auth=None, timeout=None,
            parse_headers=True):
    if headers is None:
        headers = {}
    redirect = None
    chunked = data and hasattr(data, "__next__")    # a generator of chunks
    if auth is not None:
        import binascii

        user, pwd = auth
        token = binascii.b2a_base64(("%s:%s" % (user, pwd)).encode())[:-1]
        headers["Authorization"] = "Basic " + token.decode()
    try:
        proto, dummy, host, path = url.split("/", 3)
    except ValueError:
        proto, dummy, host = url.split("/", 2)
        path = ""
    if proto == "http:":
        port = 80
    elif proto == "https:":
        port = 443
    else:
        raise ValueError("Unsupported protocol: " + proto)
    if ":" in host:
        host, port = host.split(":", 1)
        port = int(port)

    s = _connect(proto, host, port, timeout)
    resp_d = {} if parse_headers is not False else None
    try:
        s.write(b"%s /%s HTTP/1.0\r\n" % (method.encode(), path.encode()))
        if "Host" not in headers:
            s.write(b"Host: %s\r\n" % host.encode())
        for k in headers:
            s.write(k.encode() if isinstance(k, str) else k)
            s.write(b": ")
            v = headers[k]
            s.write(v.encode() if isinstance(v, str) else v)
            s.write(b"\r\n")
        if json is not None:
            assert data is None
            import json as _json

            data = _json.dumps(json)
            s.write(b"Content-Type: application/json\r\n")
        if data:
            if chunked:
                s.write(b"Transfer-Encoding: chunked\r\n")
            else:
                s.write(b"Content-Length: %d\r\n" % len(data))
        s.write(b"Connection: close\r\n\r\n")
        if data:
            if chunked:
                for chunk in data:
                    s.write(b"%x\r\n" % len(chunk))
                    s.write(chunk)
                    s.write(b"\r\n")
                s.write(b"0\r\n\r\n")
            else:
                s.write(data.encode() if isinstance(data, str) else data)

        line = s.readline()
        parts = line.split(None, 2)
        if len(parts) < 2:
            # the server closed, or sent no status line
            raise ValueError("HTTP error: BadStatusLine:\n%s" % line)
        status = int(parts[1])
        reason = parts[2].rstrip() if len(parts) > 2 else ""
        while True:
            line = s.readline()
            if not line or line == b"\r\n":
                break
            if line.startswith(b"Transfer-Encoding:"):
                if b"chunked" in line:
                    raise ValueError("Unsupported " + str(line, "utf-8"))
            elif line.startswith(b"Location:") and not 200 <= status <= 299:
                if status in (301, 302, 303, 307, 308):
                    redirect = str(line[10:-2], "utf-8")
                else:
                    raise NotImplementedError("Redirect %d not yet supported" % status)
            if parse_headers is True:
                text = str(line, "utf-8")
                k, v = text.split(":", 1)
                resp_d[k] = v.strip()
            elif parse_headers:
                parse_headers(line, resp_d)
    except (OSError, ValueError):
        s.close()
        raise

    if redirect:
        s.close()
        if status in (301, 302, 303):
            return request("GET", redirect, None, None, headers, stream)
        return request(method, redirect, data, json, headers, stream)
    resp = Response(s)
    resp.status_code = status
    resp.reason = reason
    if resp_d is not None:
        resp.headers = resp_d
    return resp


def head(url, **kw):
    return request("HEAD", url, **kw)


def get(url, **kw):
    return request("GET", url, **kw)


def post(url, **kw):
    return request("POST", url, **kw)


def put(url, **kw):
    return request("PUT", url, **kw)


def patch(url, **kw):
    return request("PATCH", url, **kw)


def delete(url, **kw):
    return request("DELETE", url, **kw)
