"""The control board's web UI on TCP 80 and 443, for personas whose firmware has it (protocol.md section 12).

WhatsMiner control boards run OpenWrt's uhttpd with LuCI. With `redirect_https` on, plain HTTP answers every
request with 307 to the same URL on https:// (host from the Host header, port added unless 443), and
https://<ip>/ is LuCI's index page, whose only content is a pointer to /cgi-bin/luci. pyasic identifies a
WhatsMiner from exactly that pair, and 2024-11+ firmware gives it nothing else to go on. /cgi-bin/luci answers
a login form; https serves GET and HEAD only. One request per connection. With the TLS port off, port 80
serves the pages itself, as uhttpd does without a TLS listener.
"""

from __future__ import annotations

import asyncio
import functools
import html
import re
import shutil
import ssl
import tempfile

import webui_cert

MAX_HEAD_BYTES = 8 * 1024
HOST = re.compile(r"^[A-Za-z0-9.\-]+$")
REASONS = {200: "OK", 307: "Temporary Redirect", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}

# shaped like luci-base's www/index.html: a meta refresh to LuCI and nothing else
INDEX_PAGE = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Cache-Control" content="no-cache" />
<meta http-equiv="refresh" content="0; URL=/cgi-bin/luci" />
</head>
<body><a href="/cgi-bin/luci">LuCI - Lua Configuration Interface</a></body>
</html>
"""

LOGIN_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>%(hostname)s - LuCI</title>
</head>
<body>
<h2>Authorization Required</h2>
<form method="post" action="/cgi-bin/luci">
<p>Please enter your username and password.</p>
<input type="text" name="luci_username" value="admin" />
<input type="password" name="luci_password" />
<input type="submit" value="Login" />
</form>
</body>
</html>
"""


class PortUnavailable(Exception):
    """A web UI port cannot be bound (privileged, or taken by a wildcard listener on this host)."""


@functools.lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """One server context for the whole farm, with a self-signed certificate made now (CertificateUnavailable
    when it cannot be made); the key lives on disk only until the context has loaded it."""
    directory = tempfile.mkdtemp(prefix="whatsminer-sim-tls-")
    try:
        cert_file, key_file = webui_cert.write_pair(directory)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return context


def _response(status: int, headers: list, body: bytes, head_only: bool) -> bytes:
    lines = ["HTTP/1.1 %d %s" % (status, REASONS[status]), "Connection: close"] + headers
    lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + (b"" if head_only else body)


def _host(headers: dict, fallback: str) -> str:
    host = headers.get("host", "")
    host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return host if HOST.match(host) else fallback


def answer(miner, head: bytes, tls: bool) -> bytes:
    """The whole response to one request head."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        return _response(400, [], b"", True)
    method, target = parts[0], parts[1]
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    head_only = method == "HEAD"
    tls_port = miner.config.web_tls_port
    if not tls and tls_port > 0:
        location = "https://%s%s%s" % (_host(headers, miner.address), "" if tls_port == 443 else ":%d" % tls_port, target)
        return _response(307, ["Location: " + location], b"", head_only)
    if method not in ("GET", "HEAD"):
        return _response(405, ["Allow: GET, HEAD"], b"", head_only)
    path = target.split("?", 1)[0]
    if path in ("/", "/index.html"):
        return _response(200, ["Content-Type: text/html"], INDEX_PAGE.encode("utf-8"), head_only)
    if path == "/cgi-bin/luci" or path.startswith("/cgi-bin/luci/"):
        page = LOGIN_PAGE % {"hostname": html.escape(miner.settings.hostname)}
        return _response(200, ["Content-Type: text/html; charset=utf-8"], page.encode("utf-8"), head_only)
    return _response(404, ["Content-Type: text/plain"], b"Not Found", head_only)


async def serve(miner, reader, writer, tls: bool) -> None:
    """Read one request head (a body, if any, is ignored), answer, and let the caller close."""
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), miner.config.idle_timeout)
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
        return
    writer.write(answer(miner, head[:-4], tls))
    await writer.drain()
