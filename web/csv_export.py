"""CSV downloads of staff lists: streamed row by row, and safe to open in a spreadsheet.

Text that partners typed (a company name, a contact) ends up in these files. A spreadsheet runs a
cell beginning with = + - @ (or a tab or carriage return, which some of them skip first) as a
formula: "=HYPERLINK(...)" in a company name would become a live link, or worse, on a manager's
machine. Such a cell gets a leading single quote, which spreadsheets show as text (OWASP "CSV
Injection"); the csv module quotes every cell, so separators and quotes inside stay data.
Numbers are written as numbers: they are ours, not typed text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from numbers import Number
from typing import Any

from flask import Response, stream_with_context

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell as text a spreadsheet will not evaluate; numbers unchanged; None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Number):
        return value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The file, a line at a time: a byte-order mark first (Excel then reads UTF-8, Chinese
    names included), the header, then each row neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")

    def line(cells: Sequence[Any]) -> str:
        writer.writerow([neutralise(c) for c in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    yield "\ufeff" + line(header)
    for row in rows:
        yield line(row)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A download streamed while `rows` is read (the request's context, and so its database
    session, stays open until the last row): memory stays flat however long the list is."""
    response = Response(stream_with_context(csv_lines(header, rows)),
                        mimetype="text/csv", content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"  # a partner list: not for shared caches
    return response
