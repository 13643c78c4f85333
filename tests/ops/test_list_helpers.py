"""Pure unit tests of the ops lists' helpers: the caught mail's links, a page of rows that come
from Python (the mailbox), and the workflow list's partner clause."""

from __future__ import annotations

import itertools

from flask import Flask

from web.listing import Column, ListSpec, TextFilter, page_from_rows
from web.ops.links import linkify
from web.ops.temporal import build_query


def test_web_addresses_become_links_and_nothing_else_is_markup():
    out = str(linkify('Go to https://prm.test/a?x=1&y="2" now. <script>x</script>'))
    assert out == ('Go to <a href="https://prm.test/a?x=1&amp;y=" rel="noopener noreferrer" '
                   'target="_blank">https://prm.test/a?x=1&amp;y=</a>&#34;2&#34; now. '
                   '&lt;script&gt;x&lt;/script&gt;')


def test_only_http_and_https_are_links():
    for text in ("javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://files.example/x",
                 "http://", "vbscript:msgbox"):
        assert "<a " not in str(linkify(text)), text
    assert '<a href="HTTP://PRM.TEST/X"' in str(linkify("HTTP://PRM.TEST/X"))


def test_closing_punctuation_is_not_part_of_the_link():
    assert str(linkify("(see https://x.example/w_(y)).")).endswith("https://x.example/w_(y)</a>).")
    assert str(linkify("链接：https://x.example/a。")).endswith("https://x.example/a</a>。")


SPEC = ListSpec(endpoint="x", columns=(Column("n", "N"),), default_sort="n",
                text_filters=(TextFilter("subject", "Subject"),), page_size=10)


def test_a_page_of_python_rows_counts_a_list_whole_and_a_search_only_a_few_pages_ahead():
    with Flask(__name__).test_request_context("/"):
        whole = page_from_rows(list(range(25)), SPEC.parse({"page": "3"}))
        assert (whole.rows, whole.total, whole.exact) == ([20, 21, 22, 23, 24], 25, True)
        past_the_end = page_from_rows(list(range(25)), SPEC.parse({"page": "9"}))
        assert past_the_end.number == 3 and past_the_end.rows == [20, 21, 22, 23, 24]

        read = []
        endless = (read.append(n) or n for n in itertools.count())
        found = page_from_rows(endless, SPEC.parse({"subject": "a", "page": "2"}))
        assert found.rows == list(range(10, 20)) and found.exact is False and found.has_next
        assert len(read) == (2 + 5) * 10 + 1  # COUNT_AHEAD_PAGES past page 2, and one more


def test_text_filters_are_kept_in_links_and_cleared_together():
    with Flask(__name__).test_request_context("/"):
        query = SPEC.parse({"subject": "  Ｒeset   your ", "page": "2"})
        assert query.texts == {"subject": "Reset your"} and query.narrowed and query.searching
        assert query.params(page=3) == {"subject": "Reset your", "page": "3"}
        assert SPEC.parse({"subject": "   "}).texts == {}


def test_the_partner_clause_asks_for_the_organisations_found_and_still_the_word():
    query = build_query(partner="glo'bex", partner_orgs=("org-1", "org-2"))
    assert query == ("(PartnerOrg = 'glo\\'bex' OR PartnerName STARTS_WITH 'glo\\'bex' OR "
                     "PartnerOrg IN ('org-1', 'org-2'))")
    assert build_query(partner="x") == "(PartnerOrg = 'x' OR PartnerName STARTS_WITH 'x')"
