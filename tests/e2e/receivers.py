#!/usr/bin/env python3
"""receivers.py — the local receivers of the output tests (tests/cli/out_*.sh, scripts/demo).

  webhook PORTFILE OUT [FAIL_FIRST]
      HTTP server on 127.0.0.1 (port chosen by the kernel, written to PORTFILE once listening):
      every POST body is appended to OUT as one line "<path> <content-type> <body>" (newlines of
      the body made spaces); the first FAIL_FIRST requests are answered 500 (to exercise retries).
  natssub HOST PORT SUBJECT OUT READYFILE [TOKEN]
      NATS subscriber speaking the plain text protocol (CONNECT, SUB, PING/PONG): every message
      on SUBJECT (wildcards allowed) is appended to OUT as "<subject> <payload>"; READYFILE is
      written once the server has acknowledged the subscription (PONG after SUB).
  unixdgram SOCK OUT
      Datagram unix socket at SOCK (a syslog receiver): every datagram appended to OUT.
Each runs until killed (SIGTERM/SIGINT).
"""
import http.server
import os
import signal
import socket
import sys


def oneline(b):
    """A body on one line: newlines become spaces (in JSON they can only be whitespace between
    tokens, since strings escape them)."""
    return b.rstrip(b"\n").replace(b"\n", b" ")


def webhook(portfile, out, fail_first=0):
    state = {"n": 0}

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n)
            state["n"] += 1
            if state["n"] <= fail_first:
                code = 500
            else:
                code = 200
                with open(out, "ab") as f:
                    f.write(b"%s %s %s\n" % (self.path.encode(),
                                             (self.headers.get("Content-Type") or "-").encode(),
                                             oneline(body)))
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, portfile)
    srv.serve_forever()


def natssub(host, port, subject, out, ready, token=None):
    s = socket.create_connection((host, int(port)), timeout=30)
    s.settimeout(None)
    f = s.makefile("rb")
    f.readline()  # INFO {...}
    auth = (',"auth_token":"%s"' % token) if token else ""
    s.sendall(b'CONNECT {"verbose":false,"pedantic":false,"name":"e2e-sub"%s}\r\n'
              b"SUB %s 1\r\nPING\r\n" % (auth.encode(), subject.encode()))
    with open(out, "ab") as o:
        while True:
            line = f.readline()
            if not line:
                return
            if line.startswith(b"PING"):
                s.sendall(b"PONG\r\n")
            elif line.startswith(b"PONG"):
                if ready:
                    with open(ready, "w") as r:
                        r.write("ready\n")
                    ready = None
            elif line.startswith(b"MSG "):
                parts = line.split()
                size = int(parts[-1])
                payload = f.read(size + 2)[:size]
                o.write(parts[1] + b" " + oneline(payload) + b"\n")
                o.flush()
            elif line.startswith(b"-ERR"):
                sys.stderr.write("nats: %s" % line.decode(errors="replace"))


def unixdgram(path, out):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o666)
    with open(out, "ab") as o:
        while True:
            d = s.recv(65536)
            o.write(oneline(d) + b"\n")
            o.flush()


def main(a):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if len(a) >= 3 and a[0] == "webhook":
        return webhook(a[1], a[2], int(a[3]) if len(a) > 3 else 0)
    if len(a) in (6, 7) and a[0] == "natssub":
        return natssub(*a[1:])
    if len(a) == 3 and a[0] == "unixdgram":
        return unixdgram(a[1], a[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(0)
