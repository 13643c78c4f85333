"""A Babel extractor for form schemas: titles, descriptions, choice labels and messages.

babel.cfg maps definitions/forms/*.schema.json to `extract_schema`, so the strings a schema
shows people land in the same catalog as the templates and are translated like them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

_TEXT_KEYS = ("title", "description", "x-error")
_MAP_KEYS = ("x-labels", "x-messages")


def extract_schema(fileobj, keywords, comment_tags, options) -> Iterator[tuple[int, None, str, list[str]]]:
    text = fileobj.read().decode("utf-8")
    seen: set[str] = set()
    for message, where in _strings(json.loads(text), "$"):
        if message in seen:
            continue
        seen.add(message)
        yield _line_of(text, message), None, message, [f"form schema {where}"]


def _strings(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key in _TEXT_KEYS:
            if isinstance(node.get(key), str) and node[key].strip():
                yield node[key], f"{where}.{key}"
        for key in _MAP_KEYS:
            for name, label in (node.get(key) or {}).items():
                if isinstance(label, str) and label.strip():
                    yield label, f"{where}.{key}.{name}"
        for key, child in node.items():
            if key not in _MAP_KEYS and key != "enum":
                yield from _strings(child, f"{where}.{key}")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _strings(child, f"{where}[{i}]")


def _line_of(text: str, message: str) -> int:
    offset = text.find(json.dumps(message, ensure_ascii=False))
    if offset < 0:
        offset = text.find(json.dumps(message))
    return text.count("\n", 0, offset) + 1 if offset >= 0 else 1
