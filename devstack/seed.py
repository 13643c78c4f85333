"""Demo data for `make run`: staff users with known passwords and the demo program.

DEMO ONLY: the passwords below are public. Idempotent: a user that already exists is left as it is
(a changed password stays changed), so every `make run` may call it.

    python -m devstack.seed        # seeds the database named by DATABASE_URL
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import User
from definitions.loader import load_program
from domain.program import ProgramRules
from domain.roles import Role

DEMO_PROGRAM_ID = "default"  # definitions/programs/default.v1.json


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str
    password: str


# Names only: the header shows each person's role beside the name, in the page's language.
DEMO_USERS = (
    DemoUser("lead@prm.example", "Wang Fang", Role.PROGRAM_LEAD, "demo-program-lead"),
    DemoUser("manager1@prm.example", "Zhang Wei", Role.CHANNEL_MANAGER, "demo-manager-one"),
    DemoUser("manager2@prm.example", "Chen Jing", Role.CHANNEL_MANAGER, "demo-manager-two"),
    DemoUser("ops@prm.example", "Liu Yang", Role.OPS, "demo-ops-password"),
)


@dataclass(frozen=True)
class SeedResult:
    user: DemoUser
    created: bool


def seed_users(sessions: sessionmaker[Session]) -> list[SeedResult]:
    from web.passwords import hash_password  # argon2: imported late so `--help` stays fast

    results = []
    with sessions.begin() as s:
        existing = set(s.scalars(select(User.email).where(
            User.email.in_([u.email for u in DEMO_USERS]))))
        for demo in DEMO_USERS:
            if demo.email in existing:
                results.append(SeedResult(demo, created=False))
                continue
            s.add(User(email=demo.email, name=demo.name, roles=[str(demo.role)],
                       password_hash=hash_password(demo.password)))
            results.append(SeedResult(demo, created=True))
    return results


def demo_program() -> ProgramRules:
    """Loads and validates the demo program; workflows receive it resolved in their input."""
    return load_program(DEMO_PROGRAM_ID)


def seed(sessions: sessionmaker[Session]) -> tuple[ProgramRules, list[SeedResult]]:
    return demo_program(), seed_users(sessions)


def describe(program: ProgramRules, results: list[SeedResult]) -> str:
    lines = [f"Demo program: {program.name} ({program.program_id} v{program.version})",
             "Demo logins (DEMO ONLY - public passwords, change or remove them before real use):"]
    for r in results:
        note = "" if r.created else "  (already there; password unchanged if you changed it)"
        lines.append(f"  {r.user.role:<16} {r.user.email:<24} {r.user.password}{note}")
    return "\n".join(lines)


def main() -> None:
    from db.migrate import upgrade
    from db.session import make_sessions
    from settings import Settings

    settings = Settings.from_env()
    upgrade(settings.database_url)
    sessions = make_sessions(settings.database_url)
    print(describe(*seed(sessions)))


if __name__ == "__main__":
    main()
