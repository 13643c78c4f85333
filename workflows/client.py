"""One way to connect to Temporal for the worker, the web app, the dev stack and the benchmarks."""

from __future__ import annotations

import functools

from pydantic import TypeAdapter
from temporalio.client import Client, TLSConfig
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter, PydanticPayloadConverter
from temporalio.converter import DataConverter

from settings import Settings

# One set of pydantic TypeAdapters per process. temporalio makes a payload converter for every
# workflow run it caches (and more per activation), and pydantic's converter keeps its adapters
# per converter: each waiting workflow rebuilt and held its own validator and serializer for
# every message type, ~180 KB per cached run and milliseconds of CPU per type and run (make bench,
# (d) and (b)). The types are the domain dataclasses, passed through the sandbox, so one adapter
# per type serves every run.
_TYPE_ADAPTERS = functools.lru_cache(maxsize=1024)(TypeAdapter)


class SharedAdaptersPayloadConverter(PydanticPayloadConverter):
    def __init__(self) -> None:
        super().__init__()
        for converter in self.converters.values():
            if isinstance(converter, PydanticJSONPlainPayloadConverter):
                assert hasattr(converter, "_type_adapter"), "temporalio changed its pydantic converter"
                converter._type_adapter = _TYPE_ADAPTERS


# One data converter everywhere: client, worker, tests and the Replayer (datetime, Decimal, UUID):
# temporalio.contrib.pydantic's, with the adapters shared.
DATA_CONVERTER = DataConverter(payload_converter_class=SharedAdaptersPayloadConverter)


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
