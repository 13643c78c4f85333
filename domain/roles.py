"""Roles and who may act on what."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PARTNER_USER = "partner_user"
    PARTNER_ADMIN = "partner_admin"
    CHANNEL_MANAGER = "channel_manager"
    PROGRAM_LEAD = "program_lead"
    OPS = "ops"


PARTNER_ROLES = frozenset({Role.PARTNER_USER, Role.PARTNER_ADMIN})
STAFF_ROLES = frozenset({Role.CHANNEL_MANAGER, Role.PROGRAM_LEAD, Role.OPS})

# A program lead may do what a channel manager does; escalation moves a task up this ladder.
ROLE_INCLUDES: dict[str, frozenset[str]] = {
    Role.PROGRAM_LEAD: frozenset({Role.PROGRAM_LEAD, Role.CHANNEL_MANAGER}),
    Role.CHANNEL_MANAGER: frozenset({Role.CHANNEL_MANAGER}),
    Role.OPS: frozenset({Role.OPS}),
    Role.PARTNER_ADMIN: frozenset({Role.PARTNER_ADMIN, Role.PARTNER_USER}),
    Role.PARTNER_USER: frozenset({Role.PARTNER_USER}),
}


def effective_roles(roles: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    out: set[str] = set()
    for r in roles:
        out |= ROLE_INCLUDES.get(r, frozenset({r}))
    return frozenset(out)


def may_act_as(roles, required_role: str) -> bool:
    return required_role in effective_roles(roles)
