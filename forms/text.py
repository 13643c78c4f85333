"""Typed text made safe to store: what a person meant, without what only a machine can see.

A company name or a person's name is shown in pages, mail subjects and listings, so it must stay
on one line and mean what it looks like: control characters (NUL, terminal escape sequences,
CR/LF and every other C0/C1 code) and invisible format characters (zero-width spaces, bidi
overrides, the BOM: Unicode category Cf) are removed, every run of whitespace becomes one space,
and the ends are trimmed. A name of only such characters is empty after this, and is refused as
empty. Multi-line text (a textarea) keeps its line breaks, as "\\n", and loses everything else.
NFC composition makes "é" typed two ways the same text.
"""

from __future__ import annotations

import re
import unicodedata

# Terminal escape sequences go whole: dropping only ESC would leave "[31m" in a company name.
_ESCAPE = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"        # CSI: colours, cursor moves
                     r"|(?:\x1b\]|\x9d).*?(?:\x07|\x1b\\|\x9c|$)"  # OSC: titles, hyperlinks
                     r"|\x1b[ -/]*[0-~]?", re.S)                  # any other escape
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")
_SPACES = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")


def _visible(text: str, keep: str = "") -> str:
    """Without control (Cc) and format (Cf) characters, except those in `keep`."""
    return "".join(ch for ch in text
                   if ch in keep or unicodedata.category(ch) not in ("Cc", "Cf"))


def single_line(text: str) -> str:
    """One line: controls and invisible characters removed, whitespace collapsed, trimmed."""
    text = _LINE_BREAKS.sub(" ", _ESCAPE.sub("", unicodedata.normalize("NFC", text)))
    return _SPACES.sub(" ", _visible(text, keep="\t")).strip()


def multi_line(text: str) -> str:
    """Lines kept, as "\\n"; each line cleaned as single_line cleans one; at most one blank line
    between paragraphs, none at either end."""
    text = _LINE_BREAKS.sub("\n", _ESCAPE.sub("", unicodedata.normalize("NFC", text)))
    lines = (_SPACES.sub(" ", line).strip() for line in _visible(text, keep="\n\t").split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")


def without_controls(text: str) -> str:
    """What a person typed, to show it back beside a message about it: only control characters
    (which a page must not carry) are taken out, so invisible ones stay where they were."""
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
