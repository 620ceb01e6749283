"""A minimal FastCGI client: talks to php-fpm directly, so that request
fields nginx would refuse (NUL in the path or in header values, raw bytes
in header names, a broken Host or REMOTE_ADDR) reach PHP and the extension.
Other web servers and proxies are less strict than nginx."""

import re
import socket
import struct
import time

BEGIN, END, PARAMS, STDIN, STDOUT, STDERR = 1, 3, 4, 5, 6, 7


def _record(kind, body, rid=1):
    out = b""
    for i in range(0, max(len(body), 1), 65535):
        chunk = body[i:i + 65535]
        out += struct.pack(">BBHHBx", 1, kind, rid, len(chunk), 0) + chunk
    return out


def _length(n):
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)


def _pairs(params):
    return b"".join(_length(len(k)) + _length(len(v)) + k + v for k, v in params.items())


def request(port, params, body=b"", timeout=60):
    """params: dict bytes -> bytes. Returns (status, stdout, stderr, elapsed)."""
    params = dict(params)
    params.setdefault(b"CONTENT_LENGTH", str(len(body)).encode())
    msg = _record(BEGIN, struct.pack(">HB5x", 1, 0))
    enc = _pairs(params)
    for i in range(0, len(enc), 65535):
        msg += _record(PARAMS, enc[i:i + 65535])
    msg += struct.pack(">BBHHBx", 1, PARAMS, 1, 0, 0)
    for i in range(0, len(body), 65535):
        msg += _record(STDIN, body[i:i + 65535])
    msg += struct.pack(">BBHHBx", 1, STDIN, 1, 0, 0)
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    t = time.monotonic()
    out, err, buf = b"", b"", b""
    try:
        s.sendall(msg)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
            while len(buf) >= 8:
                _v, kind, _rid, n, pad = struct.unpack(">BBHHBx", buf[:8])
                if len(buf) < 8 + n + pad:
                    break
                content, buf = buf[8:8 + n], buf[8 + n + pad:]
                if kind == STDOUT:
                    out += content
                elif kind == STDERR:
                    err += content
                elif kind == END:
                    buf = b""
                    raise StopIteration
    except StopIteration:
        pass
    finally:
        s.close()
    head = out.split(b"\r\n\r\n", 1)[0]
    m = re.search(rb"^Status: (\d{3})", head, re.M)
    return (int(m.group(1)) if m else 200), out, err, time.monotonic() - t
