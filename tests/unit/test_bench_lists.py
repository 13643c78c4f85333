"""The lists bench (bench/lists.py) on a small seed in SQLite: the seeding makes what it says,
every page it times answers, and its report has the figures var/bench.json promises. No time is
asserted: the figures come from `python -m bench lists` on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bench import lists, report
from bench.lists_rows import STAGES
from bench.lists_seed import seeded_database
from web.passwords import hash_password

ORGS, TASKS = 200, 2000


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('lists') / 'lists.db'}"
    engine, seeded, times = seeded_database(url, ORGS, TASKS, hash_password(lists.PASSWORD))
    yield url, engine, seeded, times
    engine.dispose()


def _scalar(engine, sql: str):
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def test_the_seed_holds_the_counts_asked_for_in_a_realistic_spread(seeded):
    _url, engine, made, times = seeded
    assert _scalar(engine, "SELECT count(*) FROM organisation") == ORGS
    assert _scalar(engine, "SELECT count(*) FROM task") == TASKS
    assert _scalar(engine, "SELECT count(DISTINCT reference) FROM organisation") == ORGS
    assert _scalar(engine, "SELECT count(*) FROM task t LEFT JOIN organisation o "
                           "ON o.id = t.org_id WHERE o.id IS NULL") == 0
    with engine.connect() as conn:
        stages = set(conn.execute(text("SELECT DISTINCT status FROM organisation")).scalars())
    assert stages <= set(STAGES) and {"active", "rejected"} <= stages
    # Most tasks closed, some open, some of those claimed; the signer holds some of their own.
    open_tasks = _scalar(engine, "SELECT count(*) FROM task WHERE status IN ('open', 'claimed')")
    assert open_tasks == made.open_tasks and 0 < open_tasks < TASKS / 5
    assert _scalar(engine, "SELECT count(*) FROM task WHERE status = 'claimed'") > 0
    assert _scalar(engine, "SELECT count(*) FROM organisation WHERE flags != '[]'") > 0
    assert _scalar(engine, "SELECT count(*) FROM organisation WHERE activated_at IS NOT NULL") > 0
    assert _scalar(engine, "SELECT count(DISTINCT claimed_by_id) FROM task") > 50
    assert "load_s" in times and "migrate_s" in times


def test_every_page_answers_and_the_report_has_its_figures(seeded, tmp_path):
    url, engine, made, times = seeded
    pages = lists.cases(made.orgs[len(made.orgs) // 2].domain)
    measured = lists.measure(engine, url, pages, 2, tmp_path / "plans.txt", lambda _m: None)
    assert list(measured) == [what for what, _path in pages]
    for figures in measured.values():
        assert {"path", "p50_ms", "p95_ms", "max_ms", "statements", "sql_ms"} <= set(figures)
        assert figures["statements"] >= 2  # the session's check and the page's own queries
    result = {"machine": {"cpu_model": "test", "cores": 2, "memory_gb": 1, "python": "3",
                          "temporalio": "1", "dev_server": "none", "load_avg_at_start": [0],
                          "cpu_busy_before_start": 0.0},
              "details": {"total_s": 1.0},
              "lists": {"target_p95_ms": 100.0, "organisations": ORGS, "tasks": TASKS,
                        "open_tasks": made.open_tasks, "repetitions": 2,
                        "seeding": times | {"total_s": 1.0},
                        "database": "sqlite", "cases": measured}}
    checked = [what for what, *_rest in report.checks(result)]
    assert checked == [f"{what}: p95 ms" for what in measured]
    printed = report.table(result)
    assert all(what in printed for what in measured) and "Lists: 200 organisations" in printed


def test_lists_is_a_part_of_its_own():
    from bench.run import STACK_PARTS, parse
    assert parse(["lists"]).parts == ["lists"] and "lists" not in STACK_PARTS
