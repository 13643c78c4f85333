"""One frozen settings object for the worker, the web app and the dev stack.

Everything comes from the environment with embedded defaults, so `make run` works on a
fresh machine and production only sets variables (see README, "Configuration").
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VAR = ROOT / "var"
# The built-in SECRET_KEY: only for code that builds Settings itself (tests). The web app and
# the worker refuse it when they read their settings from the environment (check_secret_key).
DEV_SECRET_KEY = "dev-only-secret-change-me"


class InsecureSecretKey(SystemExit):
    """Raised at start-up (a SystemExit, so the process ends with the message and no traceback)."""


def _colour(value: str) -> str:
    """#rgb or #rrggbb, as #rrggbb: the mail's HTML puts it in a style attribute."""
    found = re.fullmatch(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", value.strip())
    if found is None:
        raise ValueError(f"BRAND_COLOR must be a colour such as #1f4e79, not {value!r}")
    digits = found[1] if len(found[1]) == 6 else "".join(c * 2 for c in found[1])
    return f"#{digits.lower()}"


def _time_zone(value: str, variable: str) -> str:
    """An IANA zone name: a mistyped one would show every date in UTC without a word."""
    from zoneinfo import ZoneInfo  # a lookup: listing every zone on disk took 38 ms a start

    try:
        ZoneInfo(value)
    except (ValueError, OSError):  # ZoneInfoNotFoundError is an OSError; "../x" a ValueError
        raise ValueError(f"{variable} must be an IANA time zone such as Asia/Shanghai, "
                         f"not {value!r}")
    return value


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{VAR / 'prm.db'}"
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_task_queue: str = "prm"
    temporal_tls: bool = False
    temporal_api_key: str = ""
    temporal_tls_cert: str = ""
    temporal_tls_key: str = ""
    temporal_ui_url: str = "http://127.0.0.1:8233"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_use_tls: bool = False
    mail_from: str = "PRM <no-reply@prm.local>"
    company_name: str = "Example Vendor Ltd"
    brand_color: str = "#1f4e79"  # the mail's heading and buttons
    # The embedded SMTP server's mail, shown at /ops/mailbox: only the dev stack sets it.
    mailbox_dir: str = ""
    secret_key: str = DEV_SECRET_KEY
    base_url: str = "http://127.0.0.1:5000"
    # The largest request body of a form without files (413 past it).
    max_content_length: int = 1024 * 1024
    # The largest multipart body (a form with files): room for one 10 MB file and the form's
    # fields. A form whose file fields allow more raises it by itself (web/body_limit.py).
    max_upload_length: int = 12 * 1024 * 1024
    # Where uploads' bytes live, one file per SHA-256 (activities/files.py); web and worker share it.
    file_store_dir: str = str(VAR / "files")
    session_cookie_secure: bool = False
    # How long the steps a decision starts may wait while managers keep deciding
    # (activities/people_first.py); 0 turns the waiting off.
    worker_yield_max_s: float = 10.0
    # Where the rate limits (web/limits.py) count: every web process must share it. memory:// is
    # per process, right only for one process (make run starts one); compose uses redis://.
    ratelimit_storage_uri: str = "memory://"
    ratelimit_disabled: bool = False  # RATELIMIT_DISABLED=1: no limits (the bench's load)
    # How many reverse proxies in front of the web app set X-Forwarded-For: the client address
    # the limits count by is read through that many of them (0: the socket's peer address).
    trusted_proxies: int = 0
    # The zone dates are shown in to whoever has none of their own yet: mail to an address with
    # no account, a page before the browser has said its zone (domain/dates.py).
    default_time_zone: str = "UTC"
    # The daily digest's clock (workflows/schedules.py): an IANA zone, the staff's working day.
    digest_time_zone: str = "UTC"
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        d = cls()
        return cls(
            database_url=env.get("DATABASE_URL") or d.database_url,
            temporal_address=env.get("TEMPORAL_ADDRESS") or d.temporal_address,
            temporal_namespace=env.get("TEMPORAL_NAMESPACE") or d.temporal_namespace,
            temporal_task_queue=env.get("TEMPORAL_TASK_QUEUE") or d.temporal_task_queue,
            temporal_tls=_bool(env.get("TEMPORAL_TLS"), d.temporal_tls),
            temporal_api_key=env.get("TEMPORAL_API_KEY") or d.temporal_api_key,
            temporal_tls_cert=env.get("TEMPORAL_TLS_CERT") or d.temporal_tls_cert,
            temporal_tls_key=env.get("TEMPORAL_TLS_KEY") or d.temporal_tls_key,
            temporal_ui_url=env.get("TEMPORAL_UI_URL") or d.temporal_ui_url,
            smtp_host=env.get("SMTP_HOST") or d.smtp_host,
            smtp_port=int(env.get("SMTP_PORT") or d.smtp_port),
            smtp_username=env.get("SMTP_USERNAME") or d.smtp_username,
            smtp_password=env.get("SMTP_PASSWORD") or d.smtp_password,
            smtp_starttls=_bool(env.get("SMTP_STARTTLS"), d.smtp_starttls),
            smtp_use_tls=_bool(env.get("SMTP_USE_TLS"), d.smtp_use_tls),
            mail_from=env.get("MAIL_FROM") or d.mail_from,
            company_name=env.get("COMPANY_NAME") or d.company_name,
            brand_color=_colour(env.get("BRAND_COLOR") or d.brand_color),
            mailbox_dir=env.get("MAILBOX_DIR") or d.mailbox_dir,
            secret_key=env.get("SECRET_KEY") or d.secret_key,
            base_url=(env.get("BASE_URL") or d.base_url).rstrip("/"),
            max_content_length=int(env.get("MAX_CONTENT_LENGTH") or d.max_content_length),
            max_upload_length=int(env.get("MAX_UPLOAD_LENGTH") or d.max_upload_length),
            file_store_dir=env.get("FILE_STORE_DIR") or d.file_store_dir,
            session_cookie_secure=_bool(env.get("SESSION_COOKIE_SECURE"), d.session_cookie_secure),
            worker_yield_max_s=float(env.get("WORKER_YIELD_MAX_S") or d.worker_yield_max_s),
            ratelimit_storage_uri=env.get("RATELIMIT_STORAGE_URI") or d.ratelimit_storage_uri,
            ratelimit_disabled=_bool(env.get("RATELIMIT_DISABLED"), d.ratelimit_disabled),
            trusted_proxies=int(env.get("TRUSTED_PROXIES") or d.trusted_proxies),
            default_time_zone=_time_zone(env.get("DEFAULT_TIME_ZONE") or d.default_time_zone,
                                         "DEFAULT_TIME_ZONE"),
            digest_time_zone=_time_zone(env.get("DIGEST_TIME_ZONE") or d.digest_time_zone,
                                        "DIGEST_TIME_ZONE"),
        )

    def check_secret_key(self, process: str) -> "Settings":
        """Refuse the built-in SECRET_KEY: with it anyone could forge sessions and every emailed
        link. `make run` generates a key of its own (devstack/run.py), tests pass their own."""
        if self.secret_key == DEV_SECRET_KEY or not self.secret_key:
            raise InsecureSecretKey(
                f"The {process} will not start with the built-in development SECRET_KEY. Set "
                "SECRET_KEY in the environment to a long random value, for example:\n"
                "  export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')\n"
                "(with docker compose, put SECRET_KEY=... in .env). The web app and the worker "
                "need the same value. `make run` generates one for you under var/.")
        return self

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    @property
    def temporal_uses_tls(self) -> bool:
        return self.temporal_tls or bool(self.temporal_api_key) or bool(self.temporal_tls_cert)
