"""A tiny browser on http.client: cookies, forms with their CSRF token and nonce, no redirects.

Standard library only, so `make bench` needs nothing beyond what `make test` installed. Each
client thread owns one Browser; keep-alive is used when the server offers it.
"""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

_INPUT = re.compile(r"<input\b[^>]*>", re.I)
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    """csrf_token, form_nonce and any other hidden input of the page's forms (first one wins)."""
    found: dict[str, str] = {}
    for tag in _INPUT.findall(html):
        attrs = dict(_ATTR.findall(tag))
        if attrs.get("type") == "hidden" and "name" in attrs:
            found.setdefault(attrs["name"], attrs.get("value", "").replace("&#34;", '"')
                             .replace("&amp;", "&"))
    return found


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Browser:
    host: str
    port: int
    user_agent: str = "PRM-bench/1.0"
    cookies: dict[str, str] = field(default_factory=dict)
    _conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> Response:
        return self._request("GET", path)

    def post(self, path: str, form: dict) -> Response:
        return self._request("POST", path, urlencode(form, doseq=True))

    def form(self, path: str) -> dict[str, str]:
        """GET a page with a form and return its hidden fields (csrf_token, form_nonce)."""
        page = self.get(path)
        if page.status != 200:
            raise RuntimeError(f"GET {path}: HTTP {page.status}")
        return hidden_fields(page.body)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _request(self, method: str, path: str, body: str | None = None) -> Response:
        headers = {"User-Agent": self.user_agent, "Host": f"{self.host}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            fresh = self._conn is None
            if fresh:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            try:
                self._conn.request(method, path, body=body, headers=headers)
                resp = self._conn.getresponse()
                data = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # Only a reused keep-alive connection the server had closed is retried.
                self.close()
                if fresh or attempt == 2:
                    raise
        self._keep_cookies(resp.headers.get_all("Set-Cookie") or [])
        if (resp.headers.get("Connection", "").lower() == "close"
                or resp.version == 10 or resp.will_close):
            self.close()
        return Response(resp.status, {k.lower(): v for k, v in resp.headers.items()},
                        data.decode("utf-8", "replace"))

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            expired = "max-age=0" in header.lower() or "expires=thu, 01 jan 1970" in header.lower()
            if expired or not value:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
