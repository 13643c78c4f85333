"""`python -m bench board`: the enablement board on 10,000 partners with plans (issue 10: p95
under 100 ms server side).

PostgreSQL only, the test database (TEST_DATABASE_URL, as the issue says: the CI machine's);
without it the part is skipped with a message. Its schema is emptied (as the tests' fixture
does), migrated and seeded (bench/board_rows.py, loaded as bench/lists_seed.py loads the lists
bench). Each page is the real request through the Flask app (test client, a signed-in channel
manager), repeated, the clock around the request only: the server's time without a network;
measured by bench/lists.py's measure(), which also records each page's statements and writes
their EXPLAIN (ANALYZE, BUFFERS) to var/bench-board-plans.txt. Printed beside each figure: its
ratio to the target and to the first page.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import text

from bench.lists import PASSWORD, measure
from bench.report import LIST_P95_MAX_MS

PARTNERS = 10_000


def cases(manager_id: int, word: str) -> list[tuple[str, str]]:
    """(what, path) of every board page measured."""
    b = "/manage/enablement"
    return [
        ("board, first page", b),
        ("board, filtered: enabled, overdue only", b + "?stage=enabled&overdue=1"),
        ("board, sorted by percent done, descending", b + "?sort=percent&dir=desc"),
        ("board, filtered: one channel manager, CN, sorted by partner",
         f"{b}?manager={manager_id}&country=CN&sort=partner"),
        ("board, search a word inside names", b + "?q=" + quote(word)),
        ("board, page 100", b + "?page=100"),
    ]


def database_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", "")


def empty_schema(url: str) -> None:
    """The test database, emptied as tests/conftest.py's fixture empties it before migrating."""
    from db.session import make_engine
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    finally:
        engine.dispose()


def seeded_board(url: str, partners: int, password_hash: str | None, now: datetime | None = None):
    """(engine, what was seeded, seconds per step) for a migrated database at `url`, filled."""
    import time

    from bench.board_rows import TABLES, BoardRows
    from bench.lists_seed import seed
    from db.migrate import upgrade
    from db.session import make_engine
    began = time.perf_counter()
    if url.startswith("postgresql"):
        empty_schema(url)
    upgrade(url)
    migrated_s = round(time.perf_counter() - began, 1)
    engine = make_engine(url)
    seeded, times = seed(engine, BoardRows(now or datetime.now(timezone.utc), partners,
                                           password_hash=password_hash), TABLES)
    times.update(migrate_s=migrated_s, total_s=round(time.perf_counter() - began, 1))
    return engine, seeded, times


def run(partners: int, repeat: int, plans: Path, log) -> dict:
    url = database_url()
    if not url.startswith("postgresql"):
        log("board: skipped, TEST_DATABASE_URL is not set to a PostgreSQL database (the board "
            "bench runs on the test database, as the issue asks)")
        return {"skipped": "TEST_DATABASE_URL is not set"}
    from web.passwords import hash_password
    log(f"board: seeding {partners:,} partners with plans into {url.rsplit('/', 1)[-1]}")
    engine, seeded, seeding = seeded_board(url, partners, hash_password(PASSWORD))
    log(f"    seeded in {seeding['total_s']} s: {seeding}")
    try:
        pages = cases(seeded.staff[len(seeded.staff) // 2][0], "cloudworks")
        measured = measure(engine, url, pages, repeat, plans, log)
    finally:
        engine.dispose()
    return summarise(measured, partners, seeded, seeding, repeat)


def summarise(measured: dict, partners: int, seeded, seeding: dict, repeat: int) -> dict:
    """The part's figures with their ratios: p95 to the target, and each page to the first."""
    first = next(iter(measured.values()))["p95_ms"] or 1.0
    for figures in measured.values():
        figures["p95_to_target"] = round(figures["p95_ms"] / LIST_P95_MAX_MS, 2)
        figures["p95_to_first_page"] = round(figures["p95_ms"] / first, 2)
    return {"target_p95_ms": LIST_P95_MAX_MS, "partners": partners, "items": seeded.items,
            "overdue_partners": seeded.overdue, "stages": seeded.stages,
            "channel_managers": len(seeded.staff), "repetitions": repeat, "seeding": seeding,
            "cases": measured}


def board_lines(board: dict) -> list[str]:
    """The part's own table for the printed report."""
    if "cases" not in board:
        return ["", f"Board: skipped ({board.get('skipped', '')})."]
    lines = ["", f"Board: {board['partners']:,} partners with plans ({board['items']:,} plan "
             f"items; {board['overdue_partners']:,} with something overdue) on PostgreSQL, seeded "
             f"in {board['seeding']['total_s']:.0f} s; {board['repetitions']} requests per page "
             "through the Flask app, signed in as a channel manager.", "",
             "| Page | p50 ms | p95 ms | p95 / target | p95 / first page | statements "
             "| SQL ms (EXPLAIN ANALYZE) | p95 < 100 ms |", "|---|---|---|---|---|---|---|---|"]
    for what, case in board["cases"].items():
        lines.append(f"| {what} | {case['p50_ms']:.0f} | {case['p95_ms']:.0f} | "
                     f"{case['p95_to_target']:.2f} | {case['p95_to_first_page']:.2f} | "
                     f"{case['statements']} | {case['sql_ms']:.1f} | "
                     f"{'met' if case['p95_ms'] < LIST_P95_MAX_MS else 'MISSED'} |")
    return lines
