"""Request bodies over the limit, sent in chunks to the app under the gunicorn that serves it.

A chunked body has no Content-Length, so only a real server shows what happens: the test client
hands the app a body it already holds, and a server decides how much of an unwanted body it reads.
"""

from __future__ import annotations

import html
import http.client
import io
import os
import re
import select
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from devstack.run import gunicorn_control_args, wait_for_http
from settings import Settings
from tests.conftest import application

ROOT = Path(__file__).resolve().parents[2]
LIMIT = Settings().max_content_length
CHUNK = 64 * 1024


@pytest.fixture(scope="module")
def served(sqlite_database_url, tmp_path_factory):
    """The app under gunicorn (gthread, as `make run` and the image run it), on a free port."""
    var = tmp_path_factory.mktemp("gunicorn")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": sqlite_database_url,
           "TEMPORAL_ADDRESS": "127.0.0.1:9", "SECRET_KEY": "body-limit-test-secret"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "2", "--worker-class",
         "gthread", "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT),
         *gunicorn_control_args(var), "web:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=60)
        yield port
    finally:
        process.terminate()
        process.wait(20)


def _chunked_post(port: int, path: str, body: bytes, total: int, cookie: str = "",
                  content_type: str = "application/x-www-form-urlencoded"):
    """POST `body` then filler up to `total` bytes, in chunks, until the server answers or hangs
    up. Returns (the response's bytes, how many body bytes the server let us send)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    cookie_line = f"Cookie: {cookie}\r\n" if cookie else ""
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: prm.test\r\n{cookie_line}"
                 f"Content-Type: {content_type}\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n".encode())
    sent, filler = 0, b"x" * CHUNK
    try:
        while sent < total:
            part = body[sent:sent + CHUNK] or filler[:min(CHUNK, total - sent)]
            if select.select([sock], [], [], 0)[0]:
                break  # the server has answered: it reads no more
            sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
            sent += len(part)
        else:
            sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # hung up on us mid-body: what a server should do with a body it refuses
    response = b""
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            data = sock.recv(65536)
            if not data:
                break
            response += data
            if b"\r\n\r\n" in response and b"</html>" in response:
                break
    except (ConnectionResetError, socket.timeout):
        pass
    sock.close()
    return response, sent


def _status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.1 ") else 0


def test_a_chunked_body_over_the_limit_is_refused_as_too_large_without_reading_it_all(served):
    total = 64 * 1024 * 1024
    response, sent = _chunked_post(served, "/apply", b"company_name=Acme&message=", total)
    assert _status(response) == 413, response[:200]
    assert "That upload is too large".encode() in response
    # The server stopped reading a little past the limit: what got through is the limit, the
    # 64 KiB gunicorn drains, and what the kernel's socket buffers held; not the 64 MiB sent.
    assert sent < 16 * 1024 * 1024, sent


def _form_page(port: int) -> tuple[str, dict[str, str]]:
    """The session cookie and the hidden fields (CSRF token, nonce) of a fresh /apply page."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/apply")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    hidden = dict(re.findall(r'name="(csrf_token|form_nonce)" type="hidden" value="([^"]+)"', page))
    connection.close()
    return cookie, {k: html.unescape(v) for k, v in hidden.items()}


def test_a_chunked_body_within_the_limit_is_read_as_a_form(served):
    cookie, hidden = _form_page(served)
    data = {**application(company_name="Chunked & Co", website="not a website"), **hidden}
    body = urlencode(data, doseq=True).encode()
    response, sent = _chunked_post(served, "/apply", body, len(body), cookie)
    assert sent == len(body)
    assert _status(response) == 400, response[:200]
    text = response.decode()
    assert "Enter a website such as example.com" in text  # the fields were parsed and checked
    assert 'value="Chunked &amp; Co"' in text


def test_a_chunked_form_with_a_file_may_be_as_large_as_its_uploads_need(served):
    """Past the 1 MiB of a plain form, within the upload limit: read (and spooled), not refused."""
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    cookie, hidden = _form_page(served)
    boundary, body = encode_multipart(MultiDict({
        **application(company_name="Chunked Upload Co", website="not a website"), **hidden,
        "brochure": FileStorage(io.BytesIO(b"%PDF-1.7\n" + b"0" * (3 * LIMIT)), filename="b.pdf")}))
    response, sent = _chunked_post(served, "/apply", body, len(body), cookie,
                                   content_type=f"multipart/form-data; boundary={boundary}")
    assert sent == len(body) and _status(response) == 400, response[:200]
    assert "Enter a website such as example.com" in response.decode()
