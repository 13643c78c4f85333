"""The board bench (bench/board.py) on a small seed in SQLite: the seed makes partners with
plans as the workflow writes them, every page it times answers, its figures carry their ratios
and reach the report and its targets, and without the test database it skips with a message.
No time is asserted: the figures come from `python -m bench board` on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bench import board, lists, report
from web.passwords import hash_password

PARTNERS = 150


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('board') / 'board.db'}"
    engine, made, times = board.seeded_board(url, PARTNERS, hash_password(lists.PASSWORD))
    yield url, engine, made, times
    engine.dispose()


def _scalar(engine, sql: str):
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def test_the_seed_gives_every_partner_a_plan_with_its_items(seeded):
    _url, engine, made, _times = seeded
    assert _scalar(engine, "SELECT count(*) FROM enablement_plan") == PARTNERS
    assert _scalar(engine, "SELECT count(*) FROM organisation WHERE status = 'active'") == PARTNERS
    assert _scalar(engine, "SELECT count(*) FROM enablement_item") == made.items > PARTNERS * 5
    # Progress as the rules count it: done never above the total, percent in range.
    assert _scalar(engine, "SELECT count(*) FROM enablement_plan WHERE required_done > "
                           "required_total OR percent_done NOT BETWEEN 0 AND 100") == 0
    # Some partners behind, some on: both kinds of row for the filters to find.
    overdue = _scalar(engine, "SELECT count(*) FROM enablement_plan WHERE overdue_count > 0")
    assert overdue == made.overdue and 0 < overdue < PARTNERS
    assert len(made.stages) >= 2 and sum(made.stages.values()) == PARTNERS
    # Each next item is one of the partner's items.
    assert _scalar(engine, "SELECT count(*) FROM enablement_plan p LEFT JOIN enablement_item i "
                           "ON i.org_id = p.org_id AND i.item_key = p.next_item_key "
                           "WHERE p.next_item_key IS NOT NULL AND i.id IS NULL") == 0


def test_every_page_answers_and_the_report_has_its_figures_and_ratios(seeded, tmp_path):
    url, engine, made, times = seeded
    pages = board.cases(made.staff[0][0], "cloudworks")
    measured = lists.measure(engine, url, pages, 2, tmp_path / "plans.txt", lambda _m: None)
    figures = board.summarise(measured, PARTNERS, made, times, 2)
    assert list(figures["cases"]) == [what for what, _path in pages]
    first = figures["cases"]["board, first page"]
    assert first["p95_to_first_page"] == 1.0
    for case in figures["cases"].values():
        assert {"p50_ms", "p95_ms", "statements", "p95_to_target", "p95_to_first_page"} <= set(case)
    result = {"machine": {"cpu_model": "test", "cores": 2, "memory_gb": 1, "python": "3",
                          "temporalio": "1", "dev_server": "none", "load_avg_at_start": [0],
                          "cpu_busy_before_start": 0.0},
              "details": {"total_s": 1.0}, "board": figures}
    checked = [what for what, *_rest in report.checks(result)]
    assert checked == [f"{what}: p95 ms" for what in measured]
    printed = report.table(result)
    assert f"Board: {PARTNERS} partners with plans" in printed and "p95 / target" in printed


def test_without_the_test_database_the_part_says_it_is_skipped(monkeypatch, tmp_path):
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
    said = []
    assert board.run(10, 1, tmp_path / "plans.txt", said.append) == {
        "skipped": "TEST_DATABASE_URL is not set"}
    assert "skipped" in said[0]
    assert "Board: skipped" in "\n".join(board.board_lines({"skipped": "x"}))


def test_board_is_a_part_of_its_own():
    from bench.run import STACK_PARTS, parse
    assert parse(["board"]).parts == ["board"] and "board" not in STACK_PARTS
