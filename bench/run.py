"""`make bench`: the figures issue 3 asks for, printed as a table and written to var/bench.json.

On one dev server in one run (the stack `make run` starts, under var/bench-stack/, from empty):
  throughput  (a) raw SDK workflows (one activity, then complete) per second, start to
              completion, and (b) applications posted over HTTP per second, first POST until
              every review task row exists: three rounds of each, alternating (raw, product,
              raw, ...), each product round against the raw round before it; the median and
              the spread (min-max) of the ratio (b)/(a);
  memory      (d) RSS of the worker and of gunicorn (master + workers) with 1,000 applications
              (one round) waiting on review;
  decision    (c) review decision latency (POST to redirect) at 1 and 16 clients, beside raw
              SDK updates;
  lists       the directory, the inbox and the home on 100,000 organisations and 1,000,000
              tasks in a PostgreSQL database of its own (bench/lists.py), after the stack's
              parts and without the stack;
  board       the enablement board on 10,000 partners with plans in the test database
              (TEST_DATABASE_URL; skipped without it), after lists (bench/board.py).
Name parts to run only those (`python -m bench decision`): a part that needs applications
waiting posts them first, untimed. A benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench import http_load, raw, report
from bench.appdb import AppDb, empty_postgres
from bench.rounds import BusyMeter, summary
from bench.stack import (cpu_by_component, cpu_spent, machine_info, rss_mb, start_raw_worker,
                         start_stack, stop_process, web_rss_mb)
from settings import VAR


PARTS = ("throughput", "memory", "decision", "lists", "board")
STACK_PARTS = PARTS[:3]
WARMUP_DECISIONS = 4  # untimed: first-use costs in the web app (imports, form classes) stay out


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("parts", nargs="*", metavar="part",
                   help=f"any of {', '.join(PARTS)} (default: all, in that order)")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds of (a) and (b)")
    p.add_argument("--concurrency", type=int, default=16, help="clients in (a) and (b)")
    p.add_argument("--raw", type=int, default=600, help="raw workflows in each round of (a)")
    p.add_argument("--apps", type=int, default=1000,
                   help="applications in each round of (b); (d) with one round's waiting")
    p.add_argument("--c1", type=int, default=100, help="decisions at 1 client")
    p.add_argument("--c16-each", type=int, default=20, help="decisions per client at 16 clients")
    p.add_argument("--trace", action="store_true",
                   help="after each round of (b), read a sample of the applications' histories: "
                        "when their workflow and activity tasks ran (bench/trace.py)")
    p.add_argument("--lists-orgs", type=int, default=100_000, help="organisations (lists)")
    p.add_argument("--lists-tasks", type=int, default=1_000_000, help="tasks (lists)")
    p.add_argument("--lists-repeat", type=int, default=50, help="requests per page (lists)")
    p.add_argument("--lists-keep", action="store_true",
                   help="keep the lists' database afterwards (to read its plans again)")
    p.add_argument("--board-partners", type=int, default=10_000, help="partners (board)")
    p.add_argument("--board-repeat", type=int, default=50, help="requests per page (board)")
    p.add_argument("--out", type=Path, default=VAR / "bench.json")
    p.add_argument("--var", type=Path, default=VAR / "bench-stack", help="the stack's data (wiped)")
    p.add_argument("--database-url", default="",
                   help="run the app on this PostgreSQL database (emptied first) instead of the "
                        "embedded SQLite file, as in production")
    args = p.parse_args(argv)
    if unknown := set(args.parts) - set(PARTS):
        p.error(f"unknown part(s) {', '.join(sorted(unknown))}: choose from {', '.join(PARTS)}")
    args.parts = [part for part in PARTS if part in args.parts] or list(PARTS)
    if args.database_url and not args.database_url.startswith("postgresql"):
        p.error("--database-url: a PostgreSQL URL (the default is the embedded SQLite file)")
    if args.rounds < 1:
        p.error("--rounds: at least 1")
    return args


def run_stack_parts(args: argparse.Namespace) -> dict:
    log(f"starting the stack under {args.var} (as make run does)")
    if args.database_url:
        empty_postgres(args.database_url)
    stack = start_stack(args.var, args.database_url)
    raw_worker = None
    try:
        raw_worker = start_raw_worker(stack)
        bench = Bench(stack, raw_worker, args)
        try:
            return bench.run()
        finally:
            bench.close()
    finally:
        log("stopping")
        if raw_worker is not None:
            stop_process(raw_worker)
        stack.stop()


def decisions_needed(args: argparse.Namespace) -> int:
    return WARMUP_DECISIONS + args.c1 + 16 * args.c16_each


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
    result: dict = {"machine": machine_info(), "details": {}}
    log(f"parts: {', '.join(args.parts)}")
    if any(part in STACK_PARTS for part in args.parts):
        result.update(run_stack_parts(args))
    if "lists" in args.parts:  # the stack is stopped by now: its processes measure nothing here
        from bench import lists
        result["lists"] = lists.run(args.lists_orgs, args.lists_tasks, args.lists_repeat,
                                    args.out.parent / "bench-lists-plans.txt", args.lists_keep,
                                    log)
    if "board" in args.parts:
        from bench import board
        result["board"] = board.run(args.board_partners, args.board_repeat,
                                    args.out.parent / "bench-board-plans.txt", log)
    result["details"]["total_s"] = round(time.perf_counter() - began, 1)
    report.write(result, args.out)
    print()
    print(report.table(result))
    print(f"\nWritten to {args.out}")
    return 0


class Bench:
    """One stack, the parts asked for, in order; each part finds what it needs or makes it."""

    def __init__(self, stack, raw_worker, args: argparse.Namespace) -> None:
        from db.session import make_sessions

        self.stack, self.raw_worker, self.args = stack, raw_worker, args
        self.settings = stack.settings
        self.host, self.port = "127.0.0.1", stack.plan.web_port
        self.db = AppDb(self.settings.database_url)
        self.sessions = make_sessions(self.settings.database_url)
        self.recipients = staff_recipients(self.sessions)
        self.raw_warmed = False
        self.details: dict = {
            "app_database": self.db.url.split(":", 1)[0].split("+", 1)[0],
            "concurrency": args.concurrency, "raw_workflows": args.raw,
            "applications": args.apps, "notification_recipients": self.recipients,
            "worker_yield_max_s": self.settings.worker_yield_max_s,
            "rss_before_any_work_mb": {
                "worker_rss_mb": round(rss_mb(stack.children["worker"].pid), 1),
                "web_rss_mb": round(web_rss_mb(stack.children["web"].pid)[0], 1)}}
        log(f"    RSS before any work: {self.details['rss_before_any_work_mb']}")

    def close(self) -> None:
        self.sessions.kw["bind"].dispose()
        self.db.close()

    def cpu(self) -> dict[str, float]:
        return cpu_by_component(self.stack, self.raw_worker)

    def run(self) -> dict:
        out: dict = {}
        parts = self.args.parts  # the stack's parts only: lists runs after the stack
        if "throughput" in parts:
            out["throughput"] = self.throughput(measure_memory="memory" in parts)
            out["memory"] = self.details.pop("memory", None)
        if "memory" in parts and not out.get("memory"):
            self.product_round("fill", self.args.apps)
            out["memory"] = self.memory()
        if "decision" in parts:
            waiting = len(self.db.open_review_tasks())
            if waiting < decisions_needed(self.args):
                self.product_round("fill", decisions_needed(self.args) - waiting)
            out["decision"] = self.decisions()
        out = {k: v for k, v in out.items() if v}
        out["details"] = self.details
        return out

    # -- (a) and (b), alternating -------------------------------------------------------------

    def throughput(self, measure_memory: bool) -> dict:
        raws, products = [], []
        for n in range(1, self.args.rounds + 1):
            raws.append(self.raw_round(n))
            products.append(self.product_round(n, self.args.apps))
            if n == 1 and measure_memory:  # one round's applications waiting, as (d) says
                self.details["memory"] = self.memory()
        s = summary(raws, products)
        self.details["rounds"] = {"raw": raws, "product": products}
        log(f"    ratio median {s['ratio']['median']:.2f} ({s['ratio']['min']:.2f} to "
            f"{s['ratio']['max']:.2f}); pairs {s['pair_ratios']}")
        return {"raw_per_s": s["raw_per_s"]["median"], "http_per_s": s["http_per_s"]["median"],
                "ratio": s["ratio"]["median"], "rounds": len(products), "spread": s}

    def raw_round(self, n: int) -> dict:
        c, total = self.args.concurrency, self.args.raw
        log(f"(a) round {n}: {total} raw workflows, {c} concurrent")
        warmup = 0 if self.raw_warmed else 16
        self.raw_warmed = True
        meter, before = BusyMeter().start(), self.cpu()
        per_s = raw.throughput(self.settings, total, c, warmup)
        spent = cpu_spent(before, self.cpu(), total + warmup, 1000)
        busy = meter.share(spent["total"] * (total + warmup) / 1000)
        log(f"    {per_s:.1f}/s; CPU ms per raw workflow {spent['total']}; busy {busy}")
        return {"round": n, "per_s": round(per_s, 1), "cpu_ms_per_raw_workflow": spent, **busy}

    def product_round(self, n: int | str, total: int) -> dict:
        c = self.args.concurrency
        log(f"(b) round {n}: {total} applications over HTTP, {c} concurrent")
        if self.args.trace:
            from bench.trace import CpuSampler, trace_round
            sampler = CpuSampler(self.cpu, self.stack.children["worker"].pid).start()
        meter, before = BusyMeter().start(), self.cpu()
        apps = http_load.applications(self.host, self.port, self.db, total, c)
        # Every row of the round's mail exists with its review row (one transaction): what the
        # staff get now depends on their notification settings (by default a digest, later).
        wait_mail_drained(self.db, self.db.count_outbox())
        drained_s = time.perf_counter() - apps["began"]
        spent = cpu_spent(before, self.cpu(), total, 1000)
        busy = meter.share(spent["total"] * total / 1000)
        figures = {"round": n, "per_s": round(apps["per_s"], 1),
                   "posts_done_s": round(apps["posts_done_s"], 1),
                   "last_review_row_s": round(apps["seconds"], 1),
                   "mail_drained_s": round(drained_s, 1),
                   "worker_cpu_ms_per_application": spent["worker"],
                   "cpu_ms_per_application_until_drained": spent, **busy}
        log(f"    {figures['per_s']}/s; POSTs answered after {figures['posts_done_s']} s, last "
            f"review row after {figures['last_review_row_s']} s, mail out after "
            f"{figures['mail_drained_s']} s; CPU ms per application {spent}; busy {busy}")
        if self.args.trace:
            sampler.stop()
            figures["trace"] = trace_round(self.settings, self.db, apps["began_wall"], sampler)
        return figures

    # -- (d) ----------------------------------------------------------------------------------

    def memory(self) -> dict:
        time.sleep(2)  # let the worker settle after the last activity before reading its memory
        web_mb, web_each = web_rss_mb(self.stack.children["web"].pid)
        memory = {"worker_rss_mb": round(rss_mb(self.stack.children["worker"].pid), 1),
                  "web_rss_mb": round(web_mb, 1),
                  "waiting_workflows": len(self.db.open_review_tasks())}
        self.details.update(web_processes=len(web_each),
                            web_rss_each_mb=[round(x, 1) for x in web_each],
                            web_rss_is="gunicorn master + workers, summed")
        log(f"(d) {memory}")
        return memory

    # -- (c) ----------------------------------------------------------------------------------

    def decisions(self) -> dict:
        args, db, settings = self.args, self.db, self.settings
        log("(c) review decisions: logging in 16 managers")
        emails = add_managers(self.sessions, 16)
        browsers = [http_load.login(self.host, self.port, e) for e in emails]
        # The newest: with several rounds' applications waiting, those the worker still caches.
        tasks = db.open_review_tasks(newest_first=True)
        warm, tasks = tasks[:WARMUP_DECISIONS], tasks[WARMUP_DECISIONS:]
        decided = http_load.decisions(browsers[:1], warm, len(warm))  # one per gunicorn worker
        wait_followups(db, len(decided))
        log(f"    1 client: {args.c1} raw updates, {args.c1} decisions")
        meter = BusyMeter().start()
        raw1, _ = raw.update_latency(settings, args.c1, 1)
        http1 = http_load.decisions(browsers[:1], tasks[:args.c1], args.c1)
        tasks = tasks[args.c1:]
        wait_followups(db, len(decided) + len(http1))
        busy_c1 = meter.share(0.0)["cpu_busy"]
        log(f"    16 clients: {16 * args.c16_each} raw updates, {16 * args.c16_each} decisions")
        before: dict = {}
        meter = BusyMeter().start()
        raw16, raw16_done_s = raw.update_latency(settings, args.c16_each, 16,
                                                 lambda: before.update(self.cpu()))
        cpu_raw16 = cpu_spent(before, self.cpu(), len(raw16), 1000)
        log(f"    CPU ms per raw update at 16 clients (with the activity it starts): {cpu_raw16}")
        pages = http_load.open_pages(browsers, tasks, args.c16_each)
        log("    16 managers post their decisions")
        cpu_before = self.cpu()
        began = time.perf_counter()
        http16 = http_load.decisions(browsers, tasks, args.c16_each, pages)
        answered_s = time.perf_counter() - began
        wait_followups(db, len(decided) + len(http1) + len(http16))
        c16_done_s = time.perf_counter() - began
        cpu_decisions = cpu_spent(cpu_before, self.cpu(), len(http16), 1000)
        busy_c16 = meter.share(0.0)["cpu_busy"]
        log(f"    CPU ms per decision at 16 clients (with the work the approval starts, until its "
            f"mail is out): {cpu_decisions}")
        for b in browsers:
            b.close()
        self.details.update({
            "cpu_ms_per_raw_update_c16": cpu_raw16,
            "cpu_ms_per_decision_c16_until_drained": cpu_decisions,
            "c16_decisions_answered_s": round(answered_s, 1),
            "c16_followups_done_s": round(c16_done_s, 1),
            "c16_raw_all_done_s": round(raw16_done_s, 1),
            "decision_cpu_busy": {"c1": busy_c1, "c16": busy_c16},
            "decision_pages": "opened before the clock, as raw workflows are started before it; "
                              "then each manager posts back to back",
            "decisions_c1": len(http1), "decisions_c16": len(http16), "decision": "approve"})
        return {"c1": report.latency_block(http1, raw1), "c16": report.latency_block(http16, raw16)}
