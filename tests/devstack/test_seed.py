"""Demo seeding: the users exist with their roles and printed passwords, and a second run changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from db.models import User
from devstack.seed import DEMO_USERS, describe, seed
from web.passwords import hash_password, verify_password


def _demo_users(sessions) -> dict[str, User]:
    with sessions() as s:
        users = s.scalars(select(User).where(User.email.in_([u.email for u in DEMO_USERS]))).all()
        return {u.email: u for u in users}


def test_seed_creates_the_demo_users_once(sessions):
    program, first = seed(sessions)
    before = _demo_users(sessions)
    assert set(before) == {u.email for u in DEMO_USERS}
    for demo in DEMO_USERS:
        user = before[demo.email]
        assert user.roles == [str(demo.role)]
        if next(r for r in first if r.user == demo).created:
            assert verify_password(user.password_hash, demo.password)

    _, second = seed(sessions)
    assert not any(r.created for r in second)
    after = _demo_users(sessions)
    assert {e: (u.id, u.password_hash) for e, u in after.items()} == \
           {e: (u.id, u.password_hash) for e, u in before.items()}
    with sessions() as s:
        for demo in DEMO_USERS:
            assert s.scalar(select(func.count()).select_from(User).where(User.email == demo.email)) == 1

    text = describe(program, second)
    assert "DEMO ONLY" in text and program.name in text
    assert all(d.email in text and d.password in text for d in DEMO_USERS)


def test_seed_keeps_a_changed_password(sessions):
    seed(sessions)
    ops = next(d for d in DEMO_USERS if d.role == "ops")
    with sessions.begin() as s:
        s.scalar(select(User).where(User.email == ops.email)).password_hash = hash_password("changed-by-me")
    seed(sessions)
    assert verify_password(_demo_users(sessions)[ops.email].password_hash, "changed-by-me")
    with sessions.begin() as s:  # put it back for other tests that sign in as ops
        s.scalar(select(User).where(User.email == ops.email)).password_hash = hash_password(ops.password)
