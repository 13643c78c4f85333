"""`python -m bench lists`: the directory, the inbox and the home on 100,000 organisations and
1,000,000 tasks (issue 9: p95 under 100 ms server side).

Its own PostgreSQL database (BENCH_DATABASE_URL, by default prm_bench_lists on 127.0.0.1),
created, migrated and seeded (bench/lists_seed.py), dropped at the end unless kept. Each list is
the real request through the Flask app (test client, a signed-in channel manager: the session
check, the queries and the template), repeated; the clock is around the request only, so it is
the server's time without a network. Afterwards one more request of each is recorded statement
by statement and every statement's EXPLAIN (ANALYZE, BUFFERS) written to
var/bench-lists-plans.txt, which is where a missed target is read.

Needs no Temporal stack: these pages never reach Temporal (the app's Temporal address refuses).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import event

from bench.lists_seed import DEFAULT_URL, drop_database, seeded_database
from bench.report import percentile
from bench.rounds import BusyMeter

PASSWORD = "bench lists password"
SIGNER = "staff-1@prm.example"  # a channel manager (bench/lists_rows.py)


def cases(domain: str) -> list[tuple[str, str]]:
    """(what, path) of every page measured. `domain`: one organisation's, searched for."""
    d, i = "/manage/partners/", "/manage/inbox"
    return [
        ("directory, first page", d),
        ("directory, search a word inside names (cloudworks)", d + "?q=cloudworks"),
        ("directory, search a domain", d + "?q=" + quote(domain)),
        ("directory, search with no match", d + "?q=zzqx"),
        ("directory, sorted by applied, newest first", d + "?sort=applied&dir=desc"),
        ("directory, sorted by name, descending", d + "?sort=name&dir=desc"),
        ("directory, filtered: in review", d + "?stage=in_review"),
        ("directory, filtered: DE with screening flags", d + "?country=DE&flagged=yes"),
        ("directory, page 50", d + "?page=50"),
        ("inbox, my tasks", i + "?tab=mine"),
        ("inbox, my groups", i + "?tab=groups"),
        ("inbox, unassigned", i + "?tab=unassigned"),
        ("inbox, overdue", i + "?tab=groups&overdue=1"),
        ("inbox, page 50", i + "?tab=groups&page=50"),
        ("staff home", "/manage/home/"),
    ]


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL


def run(orgs: int, tasks: int, repeat: int, plans: Path, keep: bool, log) -> dict:
    from web.passwords import hash_password
    url = database_url()
    log(f"lists: seeding {orgs:,} organisations and {tasks:,} tasks into {url.rsplit('/', 1)[-1]}")
    engine, seeded, seeding = seeded_database(url, orgs, tasks, hash_password(PASSWORD))
    log(f"    seeded in {seeding['total_s']} s: {seeding}")
    try:
        domain = seeded.orgs[len(seeded.orgs) // 2].domain
        measured = measure(engine, url, cases(domain), repeat, plans, log)
    finally:
        engine.dispose()
        if not keep and url.startswith("postgresql"):
            drop_database(url)
    return {"target_p95_ms": 100.0, "organisations": orgs, "tasks": tasks,
            "open_tasks": seeded.open_tasks, "repetitions": repeat, "seeding": seeding,
            "database": url.split(":", 1)[0].split("+", 1)[0], "cases": measured}


def measure(engine, url: str, pages: list[tuple[str, str]], repeat: int, plans: Path,
            log) -> dict:
    from db.session import make_sessions
    from settings import Settings
    from web import create_app
    settings = Settings(database_url=url, temporal_address="127.0.0.1:9",
                        secret_key="bench-lists-secret", base_url="http://prm.bench",
                        ratelimit_disabled=True)
    app = create_app(settings, {"WTF_CSRF_ENABLED": False, "SESSIONS": make_sessions(engine)})
    client = app.test_client()
    signed_in = client.post("/login", data={"email": SIGNER, "password": PASSWORD})
    if signed_in.status_code != 302:
        raise RuntimeError(f"the bench's manager could not sign in: {signed_in.status_code}")
    out, explained = {}, []
    try:
        for what, path in pages:
            for _ in range(3):  # untimed: the first use of a template or a plan stays out
                _get(client, path)
            samples, app_cpu = [], []
            meter, ours_before = BusyMeter().start(), _our_cpu_s(engine)
            for _ in range(repeat):
                began, cpu = time.perf_counter(), time.process_time()
                _get(client, path)
                samples.append((time.perf_counter() - began) * 1000)
                app_cpu.append((time.process_time() - cpu) * 1000)
            busy = meter.share(_our_cpu_s(engine) - ours_before)
            statements = _record(engine, client, path)
            sql_ms, plan_text = _explain(engine, statements)
            explained.append(f"==== {what}: {path}\n{plan_text}")
            out[what] = {"path": path, "p50_ms": round(percentile(samples, 50), 1),
                         "p95_ms": round(percentile(samples, 95), 1),
                         "max_ms": round(max(samples), 1), "statements": len(statements),
                         "sql_ms": sql_ms, "app_cpu_p50_ms": round(percentile(app_cpu, 50), 1),
                         **busy}
            log(f"    {what}: p50 {out[what]['p50_ms']} ms, p95 {out[what]['p95_ms']} ms "
                f"({len(statements)} statements, {sql_ms} ms of them in the database; app CPU "
                f"p50 {out[what]['app_cpu_p50_ms']} ms; CPU busy {busy['cpu_busy']:.0%}, "
                f"others {busy['cpu_busy_others']:.0%})")
    finally:
        app.extensions["prm.temporal"].close()
    plans.parent.mkdir(parents=True, exist_ok=True)
    plans.write_text("\n".join(explained))
    return out


def _our_cpu_s(engine) -> float:
    """CPU seconds spent so far by this process and by the database's server processes that
    serve the bench's database (the rest of the machine's load is others')."""
    spent = time.process_time()
    if engine.dialect.name != "postgresql":
        return spent
    with engine.connect() as conn:
        pids = conn.exec_driver_sql("SELECT pid FROM pg_stat_activity "
                                    "WHERE datname = current_database()").scalars().all()
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # not on this machine, or gone
            continue
        spent += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return spent


def _get(client, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code}")


def _record(engine, client, path: str) -> list[tuple[str, object]]:
    """The statements one request runs, with their parameters."""
    statements: list = []

    def seen(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        _get(client, path)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return statements


def _explain(engine, statements) -> tuple[float, str]:
    """Every SELECT's EXPLAIN ANALYZE: (their execution times summed, ms; the plans' text)."""
    if engine.dialect.name != "postgresql":
        return 0.0, ""
    total, texts = 0.0, []
    with engine.connect() as conn:
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            plan = [r[0] for r in conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters or {})]
            total += next((float(line.split()[2]) for line in plan
                           if line.startswith("Execution Time")), 0.0)
            texts.append(f"-- {statement}\n-- {parameters}\n" + "\n".join(plan) + "\n")
        conn.rollback()
    return round(total, 1), "\n".join(texts)
