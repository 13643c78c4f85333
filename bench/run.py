"""`make bench`: the figures issue 3 asks for, printed as a table and written to var/bench.json.

On one dev server in one run (the stack `make run` starts, under var/bench-stack/, from empty):
  (a) raw SDK workflows (one activity, then complete) per second, start to completion;
  (b) applications posted over HTTP per second, first POST until every review task row exists;
  (d) RSS of the worker and of gunicorn (master + workers) with those applications waiting;
  (c) review decision latency (POST to redirect) at 1 and 16 clients, beside raw SDK updates.
A benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench import http_load, raw, report
from bench.appdb import AppDb, empty_postgres
from bench.stack import (cpu_by_component, cpu_spent, machine_info, rss_mb, start_raw_worker,
                         start_stack, stop_process, web_rss_mb)
from settings import VAR


WARMUP_DECISIONS = 4  # untimed: first-use costs in the web app (imports, form classes) stay out


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--concurrency", type=int, default=16, help="clients in (a) and (b)")
    p.add_argument("--raw", type=int, default=600, help="raw workflows in (a)")
    p.add_argument("--apps", type=int, default=1000, help="applications in (b), waiting in (d)")
    p.add_argument("--c1", type=int, default=100, help="decisions at 1 client")
    p.add_argument("--c16-each", type=int, default=20, help="decisions per client at 16 clients")
    p.add_argument("--out", type=Path, default=VAR / "bench.json")
    p.add_argument("--var", type=Path, default=VAR / "bench-stack", help="the stack's data (wiped)")
    p.add_argument("--database-url", default="",
                   help="run the app on this PostgreSQL database (emptied first) instead of the "
                        "embedded SQLite file, as in production")
    args = p.parse_args(argv)
    if args.database_url and not args.database_url.startswith("postgresql"):
        p.error("--database-url: a PostgreSQL URL (the default is the embedded SQLite file)")
    if args.apps < WARMUP_DECISIONS + args.c1 + 16 * args.c16_each:
        p.error("(c) decides tasks that (b) opened: --apps must cover 4 + --c1 + 16 x --c16-each")
    return args


def wait_mail_drained(db: AppDb, expected: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent, pending = db.mail_sent_and_pending()
        if sent >= expected and not pending:
            return
        time.sleep(0.1)
    raise TimeoutError(f"outbox not drained: {sent} of {expected} sent")


def wait_followups(db: AppDb, decided: int, timeout: float = 300) -> None:
    """Until what the approvals started is done: each one's signing task exists and every mail
    is out. The worker lets that work wait while decisions keep coming
    (activities/people_first.py), so it is waited for here: a phase must not leave its work to
    slow the next one, and (c)'s CPU figure must include it."""
    deadline = time.monotonic() + timeout
    while db.count_tasks("sign_agreement") < decided:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{db.count_tasks('sign_agreement')} of {decided} agreements issued")
        time.sleep(0.05)
    wait_mail_drained(db, db.count_outbox(), timeout)


def staff_recipients(sessions) -> int:
    """How many people a review-task notification goes to (role fan-out)."""
    from sqlalchemy import select

    from db.models import User
    from domain.roles import Role, may_act_as
    with sessions() as s:
        users = s.scalars(select(User).where(User.org_id.is_(None), User.active.is_(True))).all()
        return sum(1 for u in users if may_act_as(u.roles, Role.CHANNEL_MANAGER))


def add_managers(sessions, n: int) -> list[str]:
    from db.models import User
    from web.passwords import hash_password
    hashed = hash_password(http_load.PASSWORD)
    emails = [f"bench-manager-{i}@prm.example" for i in range(n)]
    with sessions.begin() as s:
        for i, email in enumerate(emails):
            s.add(User(email=email, name=f"Bench Manager {i}", roles=["channel_manager"],
                       password_hash=hashed))
    return emails


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    began = time.perf_counter()
    result: dict = {"machine": machine_info()}
    log(f"starting the stack under {args.var} (as make run does)")
    if args.database_url:
        empty_postgres(args.database_url)
    stack = start_stack(args.var, args.database_url)
    raw_worker = None
    try:
        raw_worker = start_raw_worker(stack)
        result.update(measure(stack, raw_worker, args))
    finally:
        log("stopping")
        if raw_worker is not None:
            stop_process(raw_worker)
        stack.stop()
    result["details"]["total_s"] = round(time.perf_counter() - began, 1)
    report.write(result, args.out)
    print()
    print(report.table(result))
    print(f"\nWritten to {args.out}")
    return 0


def measure(stack, raw_worker, args) -> dict:
    from db.session import make_sessions

    settings, c = stack.settings, args.concurrency
    host, port = "127.0.0.1", stack.plan.web_port
    db = AppDb(settings.database_url)
    sessions = make_sessions(settings.database_url)

    idle_rss = {"worker_rss_mb": round(rss_mb(stack.children["worker"].pid), 1),
                "web_rss_mb": round(web_rss_mb(stack.children["web"].pid)[0], 1)}
    log(f"    RSS before any work: {idle_rss}")
    log(f"(a) {args.raw} raw workflows, {c} concurrent")
    def cpu() -> dict[str, float]:
        return cpu_by_component(stack, raw_worker)

    cpu_before = cpu()
    raw_per_s = raw.throughput(settings, args.raw, c)
    cpu_raw = cpu_spent(cpu_before, cpu(), args.raw + 16, 1000)  # 16: the untimed warm-up
    log(f"    {raw_per_s:.1f}/s; CPU ms per raw workflow: {cpu_raw}")

    recipients = staff_recipients(sessions)
    log(f"(b) {args.apps} applications over HTTP, {c} concurrent")
    cpu_before = cpu()
    apps = http_load.applications(host, port, db, args.apps, c)
    log(f"    {apps['per_s']:.1f}/s; waiting for their mail to go out")
    wait_mail_drained(db, args.apps * (1 + recipients))
    drained_s = time.perf_counter() - apps["began"]
    cpu_apply = cpu_spent(cpu_before, cpu(), args.apps, 1000)
    log(f"    CPU ms per application (GET and POST /apply, until its mail is out): {cpu_apply}")
    time.sleep(2)  # let the worker settle after the last activity before reading its memory

    waiting = len(db.open_review_tasks())
    web_mb, web_each = web_rss_mb(stack.children["web"].pid)
    memory = {"worker_rss_mb": round(rss_mb(stack.children["worker"].pid), 1),
              "web_rss_mb": round(web_mb, 1), "waiting_workflows": waiting}
    log(f"(d) {memory}")

    log("(c) review decisions: logging in 16 managers")
    emails = add_managers(sessions, 16)
    browsers = [http_load.login(host, port, e) for e in emails]
    tasks = db.open_review_tasks()
    warm, tasks = tasks[:WARMUP_DECISIONS], tasks[WARMUP_DECISIONS:]
    decided = http_load.decisions(browsers[:1], warm, len(warm))  # one per gunicorn worker
    wait_followups(db, len(decided))
    log(f"    1 client: {args.c1} raw updates, {args.c1} decisions")
    raw1, _ = raw.update_latency(settings, args.c1, 1)
    http1 = http_load.decisions(browsers[:1], tasks[:args.c1], args.c1)
    tasks = tasks[args.c1:]
    wait_followups(db, len(decided) + len(http1))
    log(f"    16 clients: {16 * args.c16_each} raw updates, {16 * args.c16_each} decisions")
    before: dict = {}
    raw16, raw16_done_s = raw.update_latency(settings, args.c16_each, 16,
                                             lambda: before.update(cpu()))
    cpu_raw16 = cpu_spent(before, cpu(), len(raw16), 1000)
    log(f"    CPU ms per raw update at 16 clients (with the activity it starts): {cpu_raw16}")
    pages = http_load.open_pages(browsers, tasks, args.c16_each)
    log("    16 managers post their decisions")
    cpu_before = cpu()
    began = time.perf_counter()
    http16 = http_load.decisions(browsers, tasks, args.c16_each, pages)
    answered_s = time.perf_counter() - began
    wait_followups(db, len(decided) + len(http1) + len(http16))
    c16_done_s = time.perf_counter() - began
    cpu_decisions = cpu_spent(cpu_before, cpu(), len(http16), 1000)
    log(f"    CPU ms per decision at 16 clients (with the work the approval starts, until its "
        f"mail is out): {cpu_decisions}")
    for b in browsers:
        b.close()
    sessions.kw["bind"].dispose()
    db.close()

    http_per_s = apps["per_s"]
    return {
        "throughput": {"raw_per_s": round(raw_per_s, 1), "http_per_s": round(http_per_s, 1),
                       "ratio": round(http_per_s / raw_per_s, 2)},
        "decision": {"c1": report.latency_block(http1, raw1),
                     "c16": report.latency_block(http16, raw16)},
        "memory": memory,
        "details": {"app_database": db.url.split(":", 1)[0].split("+", 1)[0], "concurrency": c, "raw_workflows": args.raw, "applications": args.apps,
                    "apply_seconds": round(apps["seconds"], 1),
                    "apply_posts_done_s": round(apps["posts_done_s"], 1),
                    "apply_mail_drained_s": round(drained_s, 1),
                    "notification_recipients": recipients,
                    "cpu_ms_per_raw_workflow": cpu_raw,
                    "cpu_ms_per_application_until_drained": cpu_apply,
                    "cpu_ms_per_raw_update_c16": cpu_raw16,
                    "cpu_ms_per_decision_c16_until_drained": cpu_decisions,
                    "c16_decisions_answered_s": round(answered_s, 1),
                    "c16_followups_done_s": round(c16_done_s, 1),
                    "c16_raw_all_done_s": round(raw16_done_s, 1),
                    "decision_pages": "opened before the clock, as raw workflows are started "
                                      "before it; then each manager posts back to back",
                    "decisions_c1": len(http1), "decisions_c16": len(http16),
                    "decision": "approve", "web_processes": len(web_each),
                    "worker_yield_max_s": settings.worker_yield_max_s,
                    "web_rss_each_mb": [round(x, 1) for x in web_each],
                    "web_rss_is": "gunicorn master + workers, summed",
                    "rss_before_any_work_mb": idle_rss},
    }
