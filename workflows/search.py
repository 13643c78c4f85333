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
