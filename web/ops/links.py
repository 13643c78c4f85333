"""Links in a caught mail's text part, made clickable for the operator reading it.

Only http and https addresses become links: a `javascript:` or `data:` text in a mail stays text.
Everything else is escaped as Jinja would escape it, and the address is escaped again inside
href, so a mail cannot add markup to the page. A sentence's closing punctuation after an address
("see https://x.example/a.") is not part of the link.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# Up to whitespace or a character that cannot be in a URL as mail writes one (quotes, <>).
_URL = re.compile(r"""\bhttps?://[^\s<>"'`]+""", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\"。，；：！？）"


def _split_trailing(url: str) -> tuple[str, str]:
    """The address and the punctuation after it; a closing bracket stays when the address
    opened one (https://en.example/wiki/Foo_(bar))."""
    end = len(url)
    while end and url[end - 1] in _TRAILING:
        if url[end - 1] == ")" and url[:end].count("(") >= url[:end].count(")"):
            break
        end -= 1
    return url[:end], url[end:]


def linkify(text: str) -> Markup:
    out: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        url, rest = _split_trailing(match.group(0))
        if "://" not in url or url.endswith("://"):
            continue
        out.append(str(escape(text[last:match.start()])))
        out.append(f'<a href="{escape(url)}" rel="noopener noreferrer" target="_blank">{escape(url)}</a>')
        out.append(str(escape(rest)))
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))
