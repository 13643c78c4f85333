"""Migration 0012 names the channel manager of organisations that existed before it, as the
directory did until then: the holder of the latest review, or the one staff user with the name
that decided it (a decision without a claim kept only the name)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from db.migrate import upgrade
from db.session import make_engine

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)


def _org(conn, org_id: str) -> None:
    conn.execute(text(
        "INSERT INTO organisation (id, reference, name, normalised_name, domain, country, region,"
        " partner_type, status, workflow_id, application, flags, locale, created_at, updated_at)"
        " VALUES (:id, :id, :id, :id, 'x.example', 'CN', '', 'reseller', 'in_review', :wf, '{}',"
        " '[]', 'en', :t, :t)"), {"id": org_id, "wf": f"wf-{org_id}", "t": T0})


def _user(conn, user_id: int, name: str) -> None:
    conn.execute(text("INSERT INTO user_account (id, email, name, roles, active, locale,"
                      " session_epoch, created_at) VALUES (:id, :email, :name,"
                      " '[\"channel_manager\"]', 1, 'en', 0, :t)"),
                 {"id": user_id, "email": f"u{user_id}@vendor.test", "name": name, "t": T0})


def _review(conn, org_id: str, n: int, *, claimed_by: int | None = None,
            completed_by: str | None = None) -> None:
    conn.execute(text(
        "INSERT INTO task (id, workflow_id, task_type, form, title, org_id, status, assignee_role,"
        " claimed_by_id, context, due_at, escalated, reminders_sent, created_at, completed_by)"
        " VALUES (:id, :wf, 'review_application', 'review_decision.v1', 't', :org, 'done',"
        " 'channel_manager', :claimed, '{}', :t, 0, 0, :created, :completed)"),
        {"id": f"{org_id}-review-{n}", "wf": f"wf-{org_id}", "org": org_id, "claimed": claimed_by,
         "t": T0, "created": T0 + timedelta(hours=n), "completed": completed_by})


def test_the_upgrade_names_existing_channel_managers(tmp_path):
    url = f"sqlite:///{tmp_path / 'before-0012.db'}"
    upgrade(url, "0007_task_decided")
    engine = make_engine(url)
    with engine.begin() as conn:
        _user(conn, 1, "Ann")
        _user(conn, 2, "Bo")
        _user(conn, 3, "Twin")
        _user(conn, 4, "Twin")
        for org in ("held", "named", "ambiguous", "untouched", "latest"):
            _org(conn, org)
        _review(conn, "held", 1, claimed_by=2, completed_by="Bo")
        _review(conn, "named", 1, completed_by="Ann")
        _review(conn, "ambiguous", 1, completed_by="Twin")
        _review(conn, "latest", 1, claimed_by=1, completed_by="Ann")
        _review(conn, "latest", 2, claimed_by=2, completed_by="Bo")
    upgrade(url)
    with engine.connect() as conn:
        named = dict(conn.execute(text("SELECT id, channel_manager_user_id FROM organisation")).all())
    engine.dispose()
    assert named == {"held": 2, "named": 1, "ambiguous": None, "untouched": None, "latest": 2}
