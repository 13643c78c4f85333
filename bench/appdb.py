"""What the bench reads from the app database, on SQLite (the embedded default) or PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, text

from db.migrate import downgrade
from db.session import make_engine


class AppDb:
    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine = make_engine(url)

    def open_review_tasks(self, newest_first: bool = False) -> list[str]:
        return list(self._scalars(
            "SELECT id FROM task WHERE task_type = 'review_application' AND status = 'open' "
            f"ORDER BY created_at {'DESC' if newest_first else 'ASC'}"))

    def count_review_tasks(self) -> int:
        return self.count_tasks("review_application")

    def count_tasks(self, task_type: str) -> int:
        with self._engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM task WHERE task_type = :t"),
                                {"t": task_type}).scalar_one()

    def count_outbox(self) -> int:
        return self._scalar("SELECT count(*) FROM outbox_mail")

    def mail_sent_and_pending(self) -> tuple[int, int]:
        with self._engine.connect() as conn:
            sent, pending = conn.execute(text(
                "SELECT count(*) FILTER (WHERE status = 'sent'), "
                "count(*) FILTER (WHERE status != 'sent') FROM outbox_mail")).one()
        return sent, pending

    def close(self) -> None:
        self._engine.dispose()

    def _scalar(self, sql: str) -> int:
        with self._engine.connect() as conn:
            return conn.execute(text(sql)).scalar_one()

    def _scalars(self, sql: str) -> list:
        with self._engine.connect() as conn:
            return conn.execute(text(sql)).scalars().all()


def empty_postgres(url: str) -> None:
    """Every run starts from an empty database: drop what the migrations made."""
    downgrade(url, "base")
