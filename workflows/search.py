"""Custom search attributes: registered by the dev stack and the compose setup, read by ops pages."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

PARTNER_ORG = SearchAttributeKey.for_keyword("PartnerOrg")
PARTNER_NAME = SearchAttributeKey.for_keyword("PartnerName")
PROCESS_STAGE = SearchAttributeKey.for_keyword("ProcessStage")
ASSIGNEE = SearchAttributeKey.for_keyword("Assignee")
DUE_DATE = SearchAttributeKey.for_datetime("DueDate")
TIER = SearchAttributeKey.for_keyword("Tier")
DEAL_STATUS = SearchAttributeKey.for_keyword("DealStatus")

ALL = (PARTNER_ORG, PARTNER_NAME, PROCESS_STAGE, ASSIGNEE, DUE_DATE, TIER, DEAL_STATUS)


def cli_flags() -> list[str]:
    """`temporal server start-dev --search-attribute Name=Type ...`"""
    kinds = {"KEYWORD": "Keyword", "DATETIME": "Datetime", "TEXT": "Text"}
    out: list[str] = []
    for key in ALL:
        out += ["--search-attribute", f"{key.name}={kinds[key.indexed_value_type.name]}"]
    return out


async def register(client, namespace: str = "default") -> None:
    """Register the attributes on a server that lacks them (test server, a fresh cluster)."""
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.api.operatorservice.v1 import (AddSearchAttributesRequest,
                                                   ListSearchAttributesRequest)
    from temporalio.service import RPCError

    wanted = {key.name: IndexedValueType.ValueType(key.indexed_value_type.value) for key in ALL}
    try:
        existing = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace))
        wanted = {k: v for k, v in wanted.items() if k not in existing.custom_attributes}
    except RPCError:
        pass  # the time-skipping test server cannot list, but it can add
    if wanted:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=wanted))
