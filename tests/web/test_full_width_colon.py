"""Chinese writes a full-width colon after a label ("截止时间：…"): every Chinese message whose
English has a label's colon uses it, and the `colon` filter and the form's error summary put it
in place of the ASCII one."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po


CATALOG = Path(__file__).resolve().parents[2] / "web/translations/zh_Hans/LC_MESSAGES/messages.po"
# A label's colon in English: after a word or a placeholder, then a space or the end.
LABEL_COLON = re.compile(r"[\w)]:(\s|$)")


def test_every_chinese_label_colon_is_full_width():
    with CATALOG.open("rb") as po:
        catalog = read_po(po)
    wrong = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if any(LABEL_COLON.search(i) for i in ids):
            wrong += [s for s in strings if LABEL_COLON.search(s) or "：" not in s]
    assert not wrong, "use a full-width colon (：) in:\n" + "\n".join(wrong)


def test_the_colon_filter_follows_the_page_language(app):
    template = app.jinja_env.from_string("{{ _('Due')|colon }}")
    with app.test_request_context("/?lang=en"):
        assert template.render() == "Due:"
    with app.test_request_context("/?lang=zh_Hans"):
        assert template.render() == "截止时间："


def test_the_error_summary_writes_the_colon_of_the_page_language(client):
    page = client.post("/apply?lang=zh_Hans", data={}).get_data(as_text=True)
    summary = re.search(r'<div [^>]*id="form-errors"[^>]*>(.*?)</div>',
                        page, re.S)
    assert summary, "no error summary"
    items = re.findall(r"<li>(.*?)</li>", summary.group(1), re.S)
    assert items and all(re.search(r"</a>：\S", item) for item in items), items
    english = client.post("/apply?lang=en", data={}).get_data(as_text=True)
    assert re.search(r"</a>: \S", english)
