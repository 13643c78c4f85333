"""One list convention for staff lists: search, filters, sortable columns and numbered pages.

A list declares a ListSpec (its columns, which of them sort and by what SQL, its filters and their
allowed values); ListSpec.parse turns the request's query string into a ListQuery that holds only
valid values, so nothing a browser sends reaches SQL but a whitelisted column or a bound
parameter. The ListQuery then builds every link the page shows (column headers, pages, the CSV
export) with the other parameters kept, and the macros in templates/macros/listing.html draw them.

Parameters: q (search), one per filter, one per text filter, sort, dir (asc|desc), page. A value
equal to its default is left out of links, so a list's plain URL stays plain.

A list whose rows do not come from SQL (the ops mailbox: a folder of files) uses the same spec,
with columns that do not sort, and page_from_rows() in place of count_rows and page_window.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from flask import request, url_for
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

SEARCH_MAX = 200
PAGE_SIZE = 50


@dataclass(frozen=True)
class Column:
    """A table column. `order`: the SQL it sorts by (None: not sortable). `first_desc`: the first
    click sorts descending (dates read newest first). `may_be_empty`: the order can be NULL, and
    those rows go last either way (said only where needed: PostgreSQL reads an index backwards
    only for the NULL order it has, so NOT NULL columns keep the plain ASC / DESC)."""

    key: str
    label: Any
    order: ColumnElement | None = None
    first_desc: bool = False
    may_be_empty: bool = False

    @property
    def sortable(self) -> bool:
        return self.order is not None


@dataclass(frozen=True)
class Filter:
    """A choice among allowed values. `choices()` gives (value, label) pairs in display order, in
    the reader's language; a value not among them is ignored.

    `control`, how the page offers it: "select" (in the filter form); "checkbox" (in the form, for
    a filter of one choice: ticked is that value, like the inbox's "Overdue only"); "links" (a
    list's views, drawn by its page as tabs: the form keeps the chosen one while the rest
    changes, and clearing the search and filters stays in the view)."""

    key: str
    label: Any
    choices: Callable[[], Sequence[tuple[str, str]]]
    any_label: Any = ""
    control: str = "select"

    @property
    def in_form(self) -> bool:
        return self.control != "links"


@dataclass(frozen=True)
class TextFilter:
    """A text field of its own, for a list searched by more than one thing at a time (the outbox:
    recipient and subject). Its value is cleaned like the search (clean_search); what it matches
    is the list's business."""

    key: str
    label: Any
    placeholder: Any = ""


@dataclass(frozen=True)
class ListSpec:
    endpoint: str
    columns: tuple[Column, ...]
    default_sort: str
    default_desc: bool = False
    filters: tuple[Filter, ...] = ()
    text_filters: tuple[TextFilter, ...] = ()
    # A unique column sorted after the chosen one: the order is total, so pages neither repeat
    # nor skip a row when many rows share a value (a country, a stage).
    tiebreak: ColumnElement | None = None
    page_size: int = PAGE_SIZE

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def parse(self, args: Mapping[str, str]) -> "ListQuery":
        sortable = {c.key: c for c in self.columns if c.sortable}
        sort = args.get("sort", "")
        if sort not in sortable:
            sort = self.default_sort
        direction = args.get("dir", "")
        if direction in ("asc", "desc"):
            descending = direction == "desc"
        else:
            descending = self.default_desc if sort == self.default_sort else sortable[sort].first_desc
        chosen = {}
        for flt in self.filters:
            value = args.get(flt.key, "")
            if value and value in {v for v, _label in flt.choices()}:
                chosen[flt.key] = value
        texts = {}
        for text_filter in self.text_filters:
            value = clean_search(args.get(text_filter.key, ""))
            if value:
                texts[text_filter.key] = value
        page = args.get("page", "")
        return ListQuery(self, search=clean_search(args.get("q", "")), filters=chosen, sort=sort,
                         descending=descending, texts=texts,
                         page=int(page) if page.isdigit() and 0 < int(page) < 10**9 else 1)


def clean_search(text: str | None) -> str:
    """What a person typed, as the database should compare it: Unicode normalised (a full-width
    ＡＢＣ is ABC), control characters dropped, spaces collapsed, bounded in length."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    return " ".join(text.split())[:SEARCH_MAX]


def contains_pattern(term: str) -> str:
    """A LIKE pattern matching `term` anywhere, lower-cased, with LIKE's own wildcards escaped:
    a search for "50%_off" finds that text and not every name. Use with escape="\\"."""
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class ListQuery:
    """A parsed, valid request for one page of a list."""

    spec: ListSpec
    search: str = ""
    filters: Mapping[str, str] = field(default_factory=dict)
    sort: str = ""
    descending: bool = False
    page: int = 1
    texts: Mapping[str, str] = field(default_factory=dict)  # the text filters typed in

    @property
    def narrowed(self) -> bool:
        """A search or a filter of the form is in force (the page offers to clear them)."""
        return bool(self.search or self.texts or self._form_filters())

    def _form_filters(self) -> dict[str, str]:
        in_form = {f.key for f in self.spec.filters if f.in_form}
        return {k: v for k, v in self.filters.items() if k in in_form}

    @property
    def searching(self) -> bool:
        """Some text is matched (the search or a text filter): a LIKE, whose count is bounded."""
        return bool(self.search or self.texts)

    def order_by(self) -> list[ColumnElement]:
        """The chosen column in the chosen direction (empty values last either way), then the
        tie-break in the same direction, so one index read forwards or backwards serves both."""
        column = self.spec.column(self.sort)
        term = column.order.desc() if self.descending else column.order.asc()
        terms = [term.nulls_last() if column.may_be_empty else term]
        if self.spec.tiebreak is not None:
            terms.append(self.spec.tiebreak.desc() if self.descending else self.spec.tiebreak.asc())
        return terms

    def params(self, **changes: Any) -> dict[str, str]:
        """This query's parameters with `changes` applied (None removes one), defaults left out."""
        values: dict[str, Any] = {"q": self.search, **self.filters, **self.texts, "sort": self.sort,
                                  "dir": "desc" if self.descending else "asc", "page": self.page}
        values.update(changes)
        default_desc = (self.spec.default_desc if values["sort"] == self.spec.default_sort
                        else self.spec.column(values["sort"]).first_desc)
        if values["sort"] == self.spec.default_sort:
            values["sort"] = None
        if values["dir"] == ("desc" if default_desc else "asc"):
            values["dir"] = None
        if values["page"] in (1, "1"):
            values["page"] = None
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    def url(self, endpoint: str | None = None, **changes: Any) -> str:
        """A link to this list (or another endpoint reading the same parameters, like its CSV
        export) with `changes`; the path's own values (an org id) are kept."""
        return url_for(endpoint or self.spec.endpoint, **(request.view_args or {}),
                       **self.params(**changes))

    def cleared_url(self) -> str:
        """The list without its search and filters, in the same order and view."""
        return self.url(q=None, page=1, **dict.fromkeys(self._form_filters()),
                        **dict.fromkeys(self.texts))

    def page_url(self, number: int) -> str:
        return self.url(page=number)

    def sort_url(self, key: str) -> str:
        """A header's link: the other direction when the list is sorted by it already, else its
        first direction. Back to the first page: a new order makes the old page number meaningless."""
        if key == self.sort:
            direction = "asc" if self.descending else "desc"
        else:
            direction = "desc" if self.spec.column(key).first_desc else "asc"
        return self.url(sort=key, dir=direction, page=1)

    def aria_sort(self, key: str) -> str | None:
        if key != self.sort:
            return None
        return "descending" if self.descending else "ascending"

    def hidden_fields(self) -> list[tuple[str, str]]:
        """What the filter form keeps while its own fields change: the view (a "links" filter)
        and the sort, not the page."""
        kept = self.params(page=1)
        views = [f.key for f in self.spec.filters if not f.in_form]
        return [(k, kept[k]) for k in (*views, "sort", "dir") if k in kept]

    def with_page(self, number: int) -> "ListQuery":
        return replace(self, page=number)


def pages_for(total: int, size: int) -> int:
    """Pages needed for `total` rows; an empty list still has its one (empty) page."""
    return max(1, -(-total // size))


# A search is counted only this many pages past the one shown: a word most rows contain ("ltd")
# would otherwise make the count read every row (its LIKE is no cheaper for matching them all),
# while the page itself stops at its fiftieth row. Paging on moves the horizon on.
COUNT_AHEAD_PAGES = 5
# Without a search, up to this many rows (or the search's horizon, when paged further): a count
# reads one index entry per row, and 100,000 organisations took 13 to 60 ms of every directory
# page on two busy cores (python -m bench lists), where 10,000 take a tenth of that. Past it the
# page says "more than 10,000", as large products' lists do; the staff home counts exactly.
COUNT_CAP = 10_000


def count_rows(session: Session, rows: Select, query: "ListQuery") -> tuple[int, bool]:
    """(total, exact). Without a search, exact up to COUNT_CAP rows; with one (or a text
    filter), up to COUNT_AHEAD_PAGES past the requested page. exact=False when there is more."""
    horizon = (query.page + COUNT_AHEAD_PAGES) * query.spec.page_size
    if not query.searching:
        horizon = max(horizon, COUNT_CAP)
    found = session.scalar(select(func.count()).select_from(rows.limit(horizon + 1).subquery())) or 0
    return min(found, horizon), found <= horizon


@dataclass(frozen=True)
class Page:
    """One page of rows, where it sits in the list, and the page numbers to link to.
    `exact`: False when `total` is a lower bound (count_rows); the pager then says "more than"
    and keeps offering the next page."""

    rows: list
    number: int
    total: int
    size: int
    exact: bool = True

    @property
    def page_count(self) -> int:
        return pages_for(self.total, self.size)

    @property
    def first(self) -> int:
        """1-based position of the first row shown (0 when there is none)."""
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)

    @property
    def has_next(self) -> bool:
        return self.number < self.page_count or (not self.exact and len(self.rows) == self.size)

    def numbers(self, around: int = 2) -> list[int | None]:
        return page_numbers(self.number, self.page_count, around)


def page_numbers(number: int, page_count: int, around: int = 2) -> list[int | None]:
    """The page links of every list: the first, the last and the pages near `number`; None
    marks a gap (a gap of one page shows that page instead)."""
    wanted = {1, page_count, *range(number - around, number + around + 1)}
    shown: list[int | None] = []
    for n in sorted(n for n in wanted if 1 <= n <= page_count):
        if shown and n - shown[-1] > 1:
            shown.append(None if n - shown[-1] > 2 else n - 1)
        shown.append(n)
    return shown


def page_window(query: ListQuery, total: int) -> tuple[int, int]:
    """(page number, row offset). A page past the end shows the last one: rows change while
    someone pages through them."""
    number = min(query.page, pages_for(total, query.spec.page_size))
    return number, (number - 1) * query.spec.page_size



def page_from_rows(rows: Iterable, query: ListQuery) -> Page:
    """One page of a list whose rows come from Python, already filtered and in order (the ops
    mailbox's files). A Sequence is counted whole (its len() costs nothing); any other iterable,
    a search's matches read as they are found, only up to COUNT_AHEAD_PAGES past the requested
    page, as count_rows does, so a common word does not read every row. The rows may be cheap
    handles the caller turns into what the page shows, for this page's rows only."""
    size = query.spec.page_size
    if isinstance(rows, Sequence):
        found, exact = rows, True
        total = len(found)
    else:
        horizon = (query.page + COUNT_AHEAD_PAGES) * size
        found = []
        for row in rows:
            found.append(row)
            if len(found) > horizon:
                break
        total, exact = min(len(found), horizon), len(found) <= horizon
    number, offset = page_window(query, total)
    return Page(list(found[offset:offset + size]), number, total, size, exact)
