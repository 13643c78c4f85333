"""(b) and the HTTP half of (c): real browsers' requests against gunicorn.

Every request is what a browser sends: the form is fetched first (session cookie, CSRF token,
form nonce), then posted; nothing is posted to the app through a side door.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.appdb import AppDb
from bench.browser import Browser

PASSWORD = "bench-manager-password"


def application(tag: str) -> dict:
    """A valid partner_application.v1 payload; unique names so screening sees no duplicates."""
    return {
        "company_name": f"Bench {tag} Trading Ltd", "website": f"https://www.bench-{tag}.com",
        "country": "CN", "region": "Shanghai", "partner_type": "reseller",
        "contact_name": "Li Wei", "contact_email": f"li.wei@bench-{tag}.com",
        "contact_phone": "+86 21 5555 0100", "employees": "40", "annual_revenue_band": "1m_10m",
        "industries": ["manufacturing"], "products": ["platform"], "message": "Hello",
    }


def apply_once(browser: Browser) -> None:
    hidden = browser.form("/apply")
    resp = browser.post("/apply", {**application(uuid.uuid4().hex[:10]), **hidden})
    if resp.status != 302 or "/apply/submitted/" not in resp.location:
        raise RuntimeError(f"POST /apply: HTTP {resp.status}: {resp.body[:500]}")


def applications(host: str, port: int, db: AppDb, total: int, concurrency: int,
                 stall_timeout: float = 60) -> dict:
    """Applications per second, from the first POST until every review task row is in the inbox."""
    expected = db.count_review_tasks() + total  # those of earlier rounds are in the inbox already
    browsers = [Browser(host, port) for _ in range(concurrency)]
    for b in browsers:  # a first visit each (untimed): the session cookie, the form's first render
        b.form("/apply")
    began, began_wall = time.perf_counter(), time.time()
    posted_at: list[float] = []

    def client(b: Browser, n: int) -> None:
        for _ in range(n):
            apply_once(b)
        posted_at.append(time.perf_counter())

    shares = [total // concurrency + (1 if i < total % concurrency else 0) for i in range(concurrency)]
    with ThreadPoolExecutor(concurrency) as pool:
        futures = [pool.submit(client, b, n) for b, n in zip(browsers, shares)]
        while db.count_review_tasks() < expected and not all(f.done() for f in futures):
            time.sleep(0.05)
        for f in futures:
            f.result()
    seen, progress_at = -1, time.perf_counter()
    while (count := db.count_review_tasks()) < expected:
        if count != seen:
            seen, progress_at = count, time.perf_counter()
        if time.perf_counter() - progress_at > stall_timeout:  # a wedged workflow, say
            raise TimeoutError(f"{count} of {expected} review tasks reached the inbox; no progress "
                               f"for {stall_timeout:.0f} s (see the worker's output above)")
        time.sleep(0.05)
    elapsed = time.perf_counter() - began
    for b in browsers:
        b.close()
    return {"per_s": total / elapsed, "seconds": elapsed, "began": began, "began_wall": began_wall,
            "posts_done_s": max(posted_at) - began}


def login(host: str, port: int, email: str) -> Browser:
    b = Browser(host, port)
    resp = b.post("/login", {"email": email, "password": PASSWORD, **b.form("/login")})
    if resp.status != 302:
        raise RuntimeError(f"login {email}: HTTP {resp.status}")
    return b


def open_pages(browsers: list[Browser], task_ids: list[str], per_client: int
               ) -> list[list[tuple[str, dict]]]:
    """Each manager opens its task pages (untimed): the hidden fields each decision posts."""
    def manager(b: Browser, mine: list[str]) -> list[tuple[str, dict]]:
        return [(f"/manage/tasks/{t}", b.form(f"/manage/tasks/{t}")) for t in mine]

    with ThreadPoolExecutor(len(browsers)) as pool:
        return list(pool.map(manager, browsers,
                             [task_ids[i * per_client:(i + 1) * per_client]
                              for i in range(len(browsers))]))


def decisions(browsers: list[Browser], task_ids: list[str], per_client: int,
              pages: list[list[tuple[str, dict]]] | None = None) -> list[float]:
    """Each manager posts 'approve' on its tasks: ms from POST to redirect.

    Pages already open (`pages`, from open_pages) are posted back to back, as the raw callers
    send their updates; otherwise each manager opens a task page (untimed) before each post.
    All managers start together (a barrier), each on its own tasks, so the posts overlap."""
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(browsers))

    def manager(b: Browser, mine: list[str], opened: list[tuple[str, dict]] | None) -> None:
        barrier.wait()
        for i, task_id in enumerate(mine):
            url, hidden = opened[i] if opened else (f"/manage/tasks/{task_id}", None)
            hidden = hidden or b.form(url)
            began = time.perf_counter()
            resp = b.post(url, {"decision": "approve", **hidden})
            took = (time.perf_counter() - began) * 1000
            if resp.status != 302 or not resp.location.endswith("/manage/inbox"):
                raise RuntimeError(f"POST {url}: HTTP {resp.status}: {resp.body[:500]}")
            with lock:
                latencies.append(took)

    n = len(browsers)
    with ThreadPoolExecutor(n) as pool:
        futures = [pool.submit(manager, b, task_ids[i * per_client:(i + 1) * per_client],
                               pages[i] if pages else None)
                   for i, b in enumerate(browsers)]
        for f in futures:
            f.result()
    return latencies
