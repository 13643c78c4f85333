"""A plan's words in the reader's language: item titles, descriptions and stage names.

The rows keep keys (an item key, a stage key, the plan id and version); the words live in the
plan definition, one string per language (definitions/plans.py load_plan), so a page names
things in whatever language its reader chose, and a translation fixed in the definition shows
everywhere at once. Definitions do not change while the app runs: each version is loaded once.
A row whose plan version is no longer among the definitions (removed from disk) shows its keys
rather than failing the page.
"""

from __future__ import annotations

from functools import lru_cache

from definitions.plans import load_plan, plan_for_partner_type
from domain.enablement import EnablementPlan, PlanItem, in_language
from forms.choices import current_locale_name


@lru_cache(maxsize=128)
def plan_of(plan_id: str, version: int) -> EnablementPlan | None:
    try:
        return load_plan(plan_id, version)
    except (LookupError, FileNotFoundError, ValueError):
        return None


def plan_item(plan_id: str, version: int, key: str | None) -> PlanItem | None:
    plan = plan_of(plan_id, version) if key else None
    return plan.item(key) if plan is not None else None


def locale() -> str:
    """The reader's language as definitions name it ("zh_Hans", "en")."""
    return current_locale_name()


def item_title(plan_id: str, version: int, key: str | None, stored: str = "") -> str:
    """The item's title in the reader's language; an ad-hoc item (not in the plan: a manager
    added it) has only the title it was given, `stored`."""
    item = plan_item(plan_id, version, key)
    if item is not None:
        return in_language(item.title, locale())
    return stored or (key or "")


def item_description(plan_id: str, version: int, key: str | None) -> str:
    item = plan_item(plan_id, version, key)
    return in_language(item.description, locale()) if item is not None else ""


def stage_title(plan_id: str, version: int, key: str) -> str:
    plan = plan_of(plan_id, version)
    stage = next((s for s in plan.stages if s.key == key), None) if plan is not None else None
    return in_language(stage.title, locale()) if stage is not None else key


def plan_name(plan_id: str, version: int) -> str:
    plan = plan_of(plan_id, version)
    return in_language(plan.name, locale()) if plan is not None else plan_id


@lru_cache(maxsize=16)
def _current_plans(partner_types: tuple[str, ...]) -> tuple[EnablementPlan, ...]:
    plans: dict[tuple[str, int], EnablementPlan] = {}
    for partner_type in partner_types:
        try:
            plan = plan_for_partner_type(partner_type)
        except (LookupError, FileNotFoundError, ValueError):
            continue
        plans.setdefault((plan.plan_id, plan.version), plan)
    return tuple(plans.values())


def stage_order(partner_types: tuple[str, ...]) -> list[tuple[str, dict]]:
    """Every stage key of the current plans, in plan order (Onboarding, Enabled, Certified), with
    its title texts: the board's stage filter and its sort by stage."""
    seen: dict[str, dict] = {}
    for plan in _current_plans(partner_types):
        for stage in plan.stages:
            seen.setdefault(stage.key, stage.title)
    return list(seen.items())


@lru_cache(maxsize=1)
def _plan_words() -> dict[str, dict]:
    """Every plan's English words (item titles, stage names, certification names) -> their
    texts in every language: a timeline note stores the English (domain/enablement_notes.py)
    and is shown in the reader's. Definitions are read once per process, as above."""
    from definitions.plans import plan_ids, plan_versions
    words: dict[str, dict] = {}
    for plan_id in plan_ids():
        for version in plan_versions(plan_id):
            plan = plan_of(plan_id, version)
            if plan is None:
                continue
            for text in (*(s.title for s in plan.stages), *(i.title for i in plan.items),
                         *(i.certification.name for i in plan.items if i.certification)):
                if text.get("en"):
                    words.setdefault(text["en"], text)
    return words


def plan_words(english: str) -> str | None:
    """`english`, one of a plan's own words, in the reader's language; None when no plan has it."""
    found = _plan_words().get(english)
    return in_language(found, locale()) if found else None
