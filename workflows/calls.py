"""How workflows call activities: by registered name, with one set of timeouts and retries.

Calling by name keeps SQLAlchemy, jinja2 and aiosmtplib out of workflow modules entirely.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy

T = TypeVar("T")

# Short database writes: local activities (no server round trip per call), retried quickly.
LOCAL_RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=10),
                          non_retryable_error_types=["BusinessError"])
# Mail and documents: remote activities, retried with backoff for as long as an SMTP outage lasts.
REMOTE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5),
                           non_retryable_error_types=["BusinessError"])


async def local(name: str, arg: Any, result_type: type[T] | None = None) -> T:
    return await workflow.execute_local_activity(
        name, arg, result_type=result_type,
        start_to_close_timeout=timedelta(seconds=15), retry_policy=LOCAL_RETRY)


async def remote(name: str, arg: Any, result_type: type[T] | None = None) -> T:
    return await workflow.execute_activity(
        name, arg, result_type=result_type,
        start_to_close_timeout=timedelta(seconds=60), retry_policy=REMOTE_RETRY,
        # Beaten by activities/heartbeat.py: a killed worker's activity is retried within ~10 s.
        heartbeat_timeout=timedelta(seconds=10))
