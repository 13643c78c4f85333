"""Seeding the lists bench: its own PostgreSQL database, migrated, then filled by COPY.

The schema and the indexes are the migrations' (db/migrate.py upgrade), so what is measured is
the product's. Loading a million rows through those indexes one by one would take minutes, so,
as a bulk load does, the tables' secondary indexes and foreign keys are set aside first (their
definitions read back from the catalog: pg_get_indexdef, pg_get_constraintdef), the rows are
copied in, and then each is rebuilt from that same definition and the tables analysed: the same
indexes and constraints, built once each.

SQLite (the tests' small seed) takes the same rows through SQLAlchemy Core inserts.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

from sqlalchemy import Engine, make_url, text

from bench.lists_rows import ORG_COLUMNS, TASK_COLUMNS, USER_COLUMNS, Rows, Seeded
from db.migrate import upgrade
from db.models import Base
from db.session import make_engine

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/prm_bench_lists"
TABLES = (("user_account", USER_COLUMNS, "users"), ("organisation", ORG_COLUMNS, "organisations"),
          ("task", TASK_COLUMNS, "tasks"))
JSON_COLUMNS = {"application", "flags", "roles", "context", "evidence"}


def recreate_database(url: str) -> None:
    """Drop and create the bench's own database (never another: the name is the URL's)."""
    _on_server(url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', 'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    _on_server(url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _on_server(url: str, *statements: str) -> None:
    """Run statements about the URL's database from the server's maintenance database."""
    target = make_url(url)
    admin = make_engine(target.set(database="postgres").render_as_string(hide_password=False))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for statement in statements:
                conn.execute(text(statement.format(name=target.database)))
    finally:
        admin.dispose()


def seed(engine: Engine, rows, tables=TABLES) -> tuple[Seeded, dict]:
    """Fill an empty, migrated database. (what was seeded, seconds per step). `tables`: (table,
    its columns, the name of the `rows` method making its rows), in the order they load (a
    foreign key's target first); the board bench (bench/board.py) loads its own."""
    times: dict = {}
    if engine.dialect.name == "postgresql":
        _seed_postgres(engine, rows, times, tables)
    else:
        _seed_core(engine, rows, times, tables)
    return rows.seeded, times


def _seed_core(engine: Engine, rows, times: dict, tables) -> None:
    began = time.perf_counter()
    with engine.begin() as conn:
        for table, columns, make in tables:
            batch = [dict(zip(columns, r)) for r in getattr(rows, make)()]
            for start in range(0, len(batch), 1000):
                conn.execute(Base.metadata.tables[table].insert(), batch[start:start + 1000])
    times["load_s"] = round(time.perf_counter() - began, 1)


def _seed_postgres(engine: Engine, rows, times: dict, tables) -> None:
    began = time.perf_counter()
    with engine.begin() as conn:
        dbapi = conn.connection.driver_connection
        kept = _set_aside(dbapi, [table for table, _c, _m in tables])
        times["indexes_dropped"] = len(kept)
        for table, columns, make in tables:
            step = time.perf_counter()
            json_at = [i for i, c in enumerate(columns) if c in JSON_COLUMNS]
            with dbapi.cursor() as cur:
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for r in getattr(rows, make)():
                        if json_at:
                            r = list(r)
                            for i in json_at:
                                r[i] = json.dumps(r[i], ensure_ascii=False)
                        copy.write_row(r)
            times[f"copy_{table}_s"] = round(time.perf_counter() - step, 1)
        conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('user_account', 'id'), "
                             "(SELECT max(id) FROM user_account))")
        step = time.perf_counter()
        conn.exec_driver_sql("SET maintenance_work_mem = '512MB'")
        for statement in kept:
            conn.exec_driver_sql(statement)
        times["indexes_and_keys_s"] = round(time.perf_counter() - step, 1)
    step = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")  # the visibility map too: index-only scans
    times["vacuum_analyze_s"] = round(time.perf_counter() - step, 1)
    times["seed_s"] = round(time.perf_counter() - began, 1)


def _set_aside(dbapi, tables: list[str]) -> list[str]:
    """Drop the tables' foreign keys and their indexes that back no constraint; return the
    statements that make them again, indexes first (a foreign key needs the referenced key)."""
    with dbapi.cursor() as cur:
        cur.execute("""
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
                    (tables,))
        indexes = cur.fetchall()
        cur.execute("""
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype = 'f' AND t.relname = ANY(%s)
              AND t.relnamespace = 'public'::regnamespace""", (tables,))
        keys = cur.fetchall()
        for table, name, _definition in keys:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cur.execute(f"DROP INDEX {name}")
    return ([definition for _name, definition in indexes]
            + [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
               for table, name, definition in keys])


def seeded_database(url: str, orgs: int, tasks: int, password_hash: str | None,
                    now: datetime | None = None) -> tuple[Engine, Seeded, dict]:
    """A fresh database at `url` (PostgreSQL: dropped and created), migrated and seeded."""
    began = time.perf_counter()
    if url.startswith("postgresql"):
        recreate_database(url)
    upgrade(url)
    migrated_s = round(time.perf_counter() - began, 1)
    engine = make_engine(url)
    rows = Rows(now or datetime.now(timezone.utc), orgs, tasks, password_hash=password_hash)
    seeded, times = seed(engine, rows)
    times["migrate_s"] = migrated_s
    times["total_s"] = round(time.perf_counter() - began, 1)
    return engine, seeded, times
