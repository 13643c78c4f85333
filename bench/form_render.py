"""Milliseconds of web-process CPU per request for the form pages.

    PYTHONPATH=. python -m bench.form_render [--rounds 5] [--number 200]

Runs the real app (SQLite; Temporal unreachable: no page here needs it; CSRF off, as its cost
does not depend on how fields render) through Flask's
test client and prints, per page, the best and the median of `rounds` timings of `number`
requests each, in ms per request. Compare two checkouts by running it in each.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import timeit
from pathlib import Path

from db.migrate import upgrade
from db.models import Organisation, Task, User
from db.session import make_sessions
from domain import ids
from settings import Settings
from web import create_app
from web.passwords import hash_password

PASSWORD = "bench form render"


def _world(url: str):
    sessions = make_sessions(url)
    org_id = ids.new_org_id()
    with sessions.begin() as s:
        s.add(Organisation(id=org_id, reference=ids.application_reference(org_id), name="Acme Ltd",
                           normalised_name="acme ltd", domain="acme.example", country="CN",
                           partner_type="reseller", status="in_review",
                           workflow_id=ids.onboarding_workflow_id(org_id),
                           application={"company_name": "Acme Ltd", "country": "CN",
                                        "industries": ["retail"], "contact_email": "li@acme.example"}))
        s.flush()
        task_id = ids.task_id(ids.onboarding_workflow_id(org_id), "review")
        from datetime import datetime, timedelta, timezone

        s.add(Task(id=task_id, workflow_id=ids.onboarding_workflow_id(org_id), task_type="review_application",
                   form="review_decision.v1", title="Review", org_id=org_id, status="open",
                   assignee_role="channel_manager", due_at=datetime.now(timezone.utc) + timedelta(days=2),
                   context={}))
        s.add(User(email="bench@prm.example", name="Bench Manager", roles=["channel_manager"],
                   password_hash=hash_password(PASSWORD)))
    return sessions, task_id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--number", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        sessions, task_id = _world(url)
        app = create_app(Settings(database_url=url, temporal_address="127.0.0.1:9",
                                  secret_key="bench-form-render"),
                         {"SESSIONS": sessions, "WTF_CSRF_ENABLED": False})
        applicant, chinese, manager = app.test_client(), app.test_client(), app.test_client()
        chinese.get("/apply?lang=zh_Hans")
        manager.post("/login", data={"email": "bench@prm.example", "password": PASSWORD})
        invalid = {"company_name": "Acme", "website": "x", "country": "CN", "employees": "0",
                   "industries": ["retail"], "form_nonce": "n" * 24}
        pages = {
            "GET /apply (en)": lambda: applicant.get("/apply"),
            "GET /apply (zh_Hans)": lambda: chinese.get("/apply"),
            "POST /apply, refused on its fields": lambda: applicant.post("/apply", data=invalid),
            "GET /manage/tasks/<review>": lambda: manager.get(f"/manage/tasks/{task_id}"),
        }
        for name, request in pages.items():
            status = request().status_code
            # CPU time of this process: what a request costs the web process, and a figure that
            # other jobs on a shared machine disturb far less than the wall clock.
            times = [t / args.number * 1000 for t in timeit.repeat(
                request, number=args.number, repeat=args.rounds, timer=time.process_time)]
            print(f"{name:40} HTTP {status}  best {min(times):6.2f} ms  median "
                  f"{statistics.median(times):6.2f} ms")
        app.extensions["prm.temporal"].close()


if __name__ == "__main__":
    main()
