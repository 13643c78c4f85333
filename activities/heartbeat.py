"""Heartbeats for every remote activity, so a dead worker is noticed in seconds, not minutes.

Without a heartbeat timeout the server cannot tell a killed worker from a slow SMTP server and
waits out the whole start-to-close timeout (60 s) before retrying. With one, the activity's own
code stays unaware: this interceptor beats at a third of the timeout while the activity runs.
"""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio import activity
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor


class HeartbeatInterceptor(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _BeatWhileRunning(next)


class _BeatWhileRunning(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        if info.is_local or not info.heartbeat_timeout:
            return await self.next.execute_activity(input)
        beating = asyncio.create_task(_beat(info.heartbeat_timeout.total_seconds() / 3))
        try:
            return await self.next.execute_activity(input)
        finally:
            beating.cancel()


async def _beat(interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        activity.heartbeat()
