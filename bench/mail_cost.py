"""What one mail costs the worker: render, compose, hand to an SMTP server (ms per mail).

    PYTHONPATH=. python -m bench.mail_cost [--mails 400] [--rounds 3]

The mail server is a separate process (aiosmtpd's Sink handler), so the figures are the sending
side's only: the outbox rows in an SQLite file, rendering in the recipient's language, building the
message, and the SMTP conversation over one reused session, as the worker's activities do it.
CPU is this process's (time.process_time); wall is end to end. Each round sends `--mails` mails,
half in English and half in Chinese, one activity (one transaction and one send) per mail.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from activities.mailer import SmtpMailer
from activities.outbox import Outbox, Recipient
from db.migrate import upgrade
from db.session import make_sessions
from devstack.ports import free_port
from settings import Settings

CONTEXT = {"reference": "PA-2026-0042", "company": "上海明日工业自动化贸易有限公司",
           "contact_name": "李伟"}


async def one_round(outbox: Outbox, mails: int) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(mails):
        key = f"bench/{uuid.uuid4()}"
        to = [Recipient(f"li.wei-{i}@acme.example", "zh_Hans" if i % 2 else "en")]
        await outbox.enqueue_and_deliver(
            lambda s, k=key, r=to: outbox.enqueue(s, k, r, "application_received", CONTEXT))
    return ((time.process_time() - cpu) * 1000 / mails, (time.perf_counter() - wall) * 1000 / mails)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n",
                               "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"])
    try:
        time.sleep(1.0)
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'mail.db'}"
            upgrade(url)
            settings = Settings(database_url=url, smtp_port=port, secret_key="bench")
            outbox = Outbox(make_sessions(url), SmtpMailer(settings), settings)

            async def rounds():
                await one_round(outbox, 20)  # warm-up: templates compiled, session open
                return [await one_round(outbox, args.mails) for _ in range(args.rounds)]

            figures = asyncio.run(rounds())
    finally:
        server.terminate()
        server.wait(10)
    for label, values in (("CPU ms/mail: ", [c for c, _ in figures]),
                          ("wall ms/mail:", [w for _, w in figures])):
        rounds = ", ".join(f"{v:.2f}" for v in values)
        print(f"{label} median {statistics.median(values):.2f}  ({rounds})")


if __name__ == "__main__":
    main()
