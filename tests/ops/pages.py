"""Reading the ops pages as an operator does: signed in, and the text each part shows."""

from __future__ import annotations

import html as htmllib
import re

from devstack.seed import DEMO_USERS


def login(app, email: str, password: str):
    client = app.test_client()
    resp = client.post("/login", data={"email": email, "password": password})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return client


def demo(role: str):
    return next(d for d in DEMO_USERS if d.role == role)


def _text(fragment: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def timeline_items(page: str) -> list[str]:
    """The history as an operator reads it: each event's text, tags stripped, in page order."""
    ol = page.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    return [_text(li.split(">", 1)[1]) for li in ol.split("<li ")[1:]]


def pending_activity_rows(page: str) -> list[list[str]]:
    """The cells of the pending-activities table: activity, state, attempt, last failure, next."""
    table = page.split('<table class="ops-table pending-activities">', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [[_text(td) for td in re.findall(r"<td>(.*?)</td>", tr, re.S)]
            for tr in body.split("<tr")[1:]]


def table_rows(page: str, table_class: str) -> list[list[str]]:
    """The text of each body row's cells of the table with this class, in page order."""
    table = page.split(f'<table class="{table_class}">', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [[_text(td) for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in body.split("<tr")[1:]]


def link(page: str, rel: str) -> str | None:
    """The href of the link with this rel (the pager's next and prev), unescaped."""
    found = re.search(rf'<a href="([^"]*)" rel="{rel}"', page)
    return htmllib.unescape(found.group(1)) if found else None


def main_nav(page: str) -> str:
    """The header's navigation (base.html), not the ops section's own links."""
    return page.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]
