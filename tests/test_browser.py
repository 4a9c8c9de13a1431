"""End to end in headless Chromium: type a Chinese query into datasette's search box on the clauses table,
submit the form, and check the hits the page shows.

Needs Debian's ``chromium`` package (``apt-get install -y chromium``); skipped with a reason otherwise.
Chromium is driven through the DevTools protocol with a minimal stdlib WebSocket client (no extra package).
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request

import pytest

from test_datasette import Server, build_kb, like_count

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install -y chromium)"),
]


class WebSocket:
    """Just enough RFC 6455 for the DevTools protocol: text frames, client masking, no extensions."""

    def __init__(self, url: str):
        m = re.match(r"ws://([^:/]+):(\d+)(/.*)", url)
        host, port, path = m.group(1), int(m.group(2)), m.group(3)
        self.sock = socket.create_connection((host, port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
                          .encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError("websocket handshake failed")
            head += chunk
        assert b" 101 " in head.split(b"\r\n")[0], head
        self.next_id = 0

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("websocket closed")
            buf += chunk
        return buf

    def send(self, obj):
        data = json.dumps(obj).encode()
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            header = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 65536:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def recv(self):
        msg = b""
        while True:
            b1, b2 = self._recv_exact(2)
            n = b2 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._recv_exact(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._recv_exact(8))[0]
            payload = self._recv_exact(n)
            opcode = b1 & 0x0F
            if opcode == 0x8:
                raise ConnectionError("websocket closed by browser")
            if opcode in (0x9, 0xA):
                continue
            msg += payload
            if b1 & 0x80:
                return json.loads(msg.decode())

    def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self.send({"id": my_id, "method": method, "params": params})
        while True:
            m = self.recv()
            if m.get("id") == my_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})

    def evaluate(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        return r.get("result", {}).get("value")


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory):
    kb = build_kb(tmp_path_factory.mktemp("br"))
    server = Server(kb, tmp_path_factory.mktemp("brmeta"))
    profile = tempfile.mkdtemp(prefix="stdkb-chromium-")
    proc = subprocess.Popen([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                             "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
                             f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.time() + 60
        while not (os.path.exists(port_file) and open(port_file).read().strip()):
            if proc.poll() is not None or time.time() > deadline:
                pytest.fail("chromium did not start: " + proc.stderr.read().decode(errors="replace")[-1500:]
                            if proc.poll() is not None else "chromium did not open its DevTools port")
            time.sleep(0.1)
        port = int(open(port_file).read().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            pages = [t for t in json.load(r) if t.get("type") == "page"]
        ws = WebSocket(pages[0]["webSocketDebuggerUrl"])
        ws.call("Page.enable")
        ws.call("Runtime.enable")
        yield ws, server, kb
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        server.stop()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for(ws, expr, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            v = ws.evaluate(expr)
        except RuntimeError:
            v = None
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {expr}")


def navigate(ws, url):
    ws.call("Page.navigate", url=url)
    wait_for(ws, f"document.readyState === 'complete' && location.href.startsWith({json.dumps(url)})")


@pytest.mark.parametrize("query", ["投诉", "禁忌用语", "诉"])
def test_search_box_in_datasette_ui(browser_page, query):
    ws, server, kb = browser_page
    navigate(ws, server.base + "/kb/clauses")
    assert wait_for(ws, "!!document.getElementById('_search')")
    # type the query into the search box and submit the form like a user pressing Enter
    ws.evaluate(f"""(function(){{
        var box = document.getElementById('_search');
        box.focus(); box.value = {json.dumps(query)};
        box.form.submit(); return true; }})()""")
    wait_for(ws, "location.search.indexOf('_search=') >= 0 && document.readyState === 'complete'")
    wait_for(ws, "document.querySelectorAll('table.rows-and-columns tbody tr').length > 0")
    texts = ws.evaluate("Array.from(document.querySelectorAll('table.rows-and-columns tbody tr td.col-text'))"
                        ".map(function(td){return td.textContent.trim();})")
    assert texts and all(query in t for t in texts), texts[:3]
    n = like_count(kb, query)
    assert len(texts) == min(n, 100)  # datasette's default page size
    # what the user typed stays in the box (the plugin's rewrite is invisible)
    assert ws.evaluate("document.getElementById('_search').value") == query
    title = ws.evaluate("document.title")
    m = re.search(r"([\d,]+) rows? where search matches", title)
    assert m and int(m.group(1).replace(",", "")) == n, title
