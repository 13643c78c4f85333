"""One way to connect to Temporal for the worker, the web app, the dev stack and the benchmarks."""

from __future__ import annotations

from temporalio.client import Client, TLSConfig
from temporalio.contrib.pydantic import pydantic_data_converter

from settings import Settings

# One data converter everywhere: client, worker, tests and the Replayer (datetime, Decimal, UUID).
DATA_CONVERTER = pydantic_data_converter


async def connect(settings: Settings) -> Client:
    tls: TLSConfig | bool = False
    if settings.temporal_tls_cert:
        with open(settings.temporal_tls_cert, "rb") as cert, open(settings.temporal_tls_key, "rb") as key:
            tls = TLSConfig(client_cert=cert.read(), client_private_key=key.read())
    elif settings.temporal_uses_tls:
        tls = True
    return await Client.connect(
        settings.temporal_address, namespace=settings.temporal_namespace,
        api_key=settings.temporal_api_key or None, tls=tls, data_converter=DATA_CONVERTER)
