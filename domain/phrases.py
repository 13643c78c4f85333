"""Sentences the workflows write in English and people read in their own language.

A timeline note or a screening flag is stored once, in English, when it happens, and the saved
workflow histories replay those exact strings: what the workflow writes must never change. So each
such sentence is a Phrase, defined once: the workflow formats it (the English it always wrote), and
the reader's app recognises a stored text by the same phrase, takes its fields back out, and shows
the phrase's translation with those fields. Fields are data (a company, a person's name, a question
someone typed): put back as they are, never translated. Text no phrase recognises (a rejection
reason, a note older than its phrase) is shown as it was stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

_FIELD = re.compile(r"%\((\w+)\)s")


def N_(message: str) -> str:
    """Marks a msgid for the catalog (pybabel extracts N_ by default) without translating it:
    domain code has no reader, the app that shows the text translates it."""
    return message


class Phrase:
    """English with %(name)s fields: the catalog's msgid, and exactly what the workflow writes."""

    __slots__ = ("msgid", "fields", "_pattern")

    def __init__(self, msgid: str, **patterns: str) -> None:
        """`patterns`: a regular expression for a field that must not take just anything (a stage
        code before a colon that the text after it may contain too)."""
        self.msgid = msgid
        self.fields = tuple(_FIELD.findall(msgid))
        if len(set(self.fields)) != len(self.fields) or set(patterns) - set(self.fields):
            raise ValueError(f"fields of {msgid!r}: each once, patterns only for them")
        # Literal text matched as it is, the whole text (fullmatch in parse); a field takes
        # anything, newlines included (a question can have several lines). Greedy: a company
        # name with " (" in it still leaves the last parenthesis to the field after it.
        parts = _FIELD.split(msgid)  # literal, field name, literal, ..., literal
        self._pattern = re.compile("".join(
            f"(?P<{part}>{patterns.get(part, '.*')})" if i % 2 else re.escape(part)
            for i, part in enumerate(parts)), re.DOTALL)

    def format(self, **fields: str) -> str:
        missing = set(self.fields) - set(fields)
        if missing:
            raise KeyError(f"{self.msgid!r} needs {sorted(missing)}")
        return self.msgid % fields

    def parse(self, text: str) -> dict[str, str] | None:
        """The fields of a text this phrase wrote; None when it did not write it."""
        found = self._pattern.fullmatch(text)
        return found.groupdict() if found else None

    def __repr__(self) -> str:
        return f"Phrase({self.msgid!r})"


def recognise(text: str, phrases: Iterable[Phrase]) -> tuple[Phrase, dict[str, str]] | None:
    """The first phrase that wrote `text`, with its fields."""
    for phrase in phrases:
        fields = phrase.parse(text)
        if fields is not None:
            return phrase, fields
    return None


def translated(text: str | None, phrases: Iterable[Phrase], gettext: Callable[[str], str],
               field: Callable[[str, str], str] = lambda _name, value: value) -> str:
    """`text` in the reader's language (`gettext`, a catalog's) when one of `phrases` wrote it,
    `field(name, value)` deciding how each field is shown; any other text exactly as stored. The
    one recipe pages (web/notes.py) and mail (activities/mail_render.py) both use."""
    text = text or ""
    found = recognise(text, phrases)
    if found is None:
        return text
    phrase, fields = found
    return gettext(phrase.msgid) % {name: field(name, value) for name, value in fields.items()}
