"""The rows the board bench seeds: active partners, each with its enablement plan and items.

Deterministic (one random.Random), so two runs seed the same data and their figures compare.
Rows are plain tuples in each table's column order, JSON columns as Python values, loaded by
bench/lists_seed.py's seed() (COPY on PostgreSQL, inserts on SQLite).

The shape: partners activated over the last two years, more of them recently (a growing
program); their plan the one the definitions give their partner type (definitions/plans.py),
its items done in the plan's order the longer a partner has been active, about half with
something overdue, one in twenty with an ad-hoc item a manager added; the figures on the plan
row (progress, overdue, the next item, the stage) the rules' own, as the workflow writes them; 40 channel managers, each looking after a share of the
partners (one in twenty looked after by nobody yet). Staff user 1 is the bench's signer, a
channel manager, as in the lists bench.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bench.lists_rows import (CN_CITY, CN_KIND, CN_WORD, COUNTRIES, FAMILY, FIRST, GIVEN, MIDDLE,
                              SUFFIX, TYPES, USER_COLUMNS, _weighted)
from definitions.plans import plan_for_partner_type
from domain import ids
from domain.enablement import (SATISFIED, CertificationState, EnablementPlan, ItemKind, ItemOwner,
                               ItemState, ItemStatus, PlanItem)
from domain.enablement_rules import progress, stage_reached

ORG_COLUMNS = ("id", "reference", "name", "normalised_name", "domain", "country", "region",
               "partner_type", "status", "workflow_id", "application", "flags", "locale",
               "created_at", "updated_at", "activated_at", "channel_manager_user_id")
PLAN_COLUMNS = ("org_id", "workflow_id", "plan_id", "plan_version", "stage", "required_total",
                "required_done", "percent_done", "overdue_count", "next_due_at", "next_item_key",
                "next_owner", "started_at", "updated_at", "revision")
ITEM_COLUMNS = ("id", "org_id", "workflow_id", "item_key", "kind", "title", "position", "stage",
                "owner", "required", "status", "assignee_user_id", "due_at", "task_id", "round",
                "completed_at", "completed_by", "note", "evidence", "updated_at")
TABLES = (("user_account", USER_COLUMNS, "users"), ("organisation", ORG_COLUMNS, "organisations"),
          ("enablement_plan", PLAN_COLUMNS, "plans"), ("enablement_item", ITEM_COLUMNS, "items"))
MANAGERS = 40
DAYS = 730
AD_HOC_TITLES = ("Send the signed NDA", "Nominate a technical contact",
                 "Book the product workshop", "Share your first-quarter pipeline")


@dataclass
class Seeded:
    """What the rows were made of: the bench reads its filter values from here."""

    orgs: list = field(default_factory=list)       # (org id, name, domain)
    staff: list = field(default_factory=list)      # (id, name) of the channel managers
    stages: dict = field(default_factory=dict)     # stage key -> partners in it
    overdue: int = 0                               # partners with something overdue
    items: int = 0


class BoardRows:
    def __init__(self, now: datetime, partners: int, password_hash: str | None = None,
                 seed: int = 10) -> None:
        self.now, self.n = now, partners
        self.password_hash = password_hash
        self.rng = random.Random(seed)
        self.seeded = Seeded()
        self.plan_of: dict[str, EnablementPlan] = {t: plan_for_partner_type(t) for t in TYPES}
        self._plan_rows: list[tuple] = []
        self._item_rows: list[tuple] = []

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def users(self) -> Iterator[tuple]:
        for i in range(1, MANAGERS + 1):
            name = f"{self.rng.choice(GIVEN)} {self.rng.choice(FAMILY)} {i}"
            self.seeded.staff.append((i, name))
            yield (i, f"staff-{i}@prm.example", name, self.password_hash if i == 1 else None,
                   ["channel_manager"], None, True, "en", 0, self.now - timedelta(days=DAYS))

    def organisations(self) -> Iterator[tuple]:
        """Each partner's organisation; its plan and items are made alongside, for plans()
        and items() to hand out after (they load after the organisations they point at)."""
        rng, countries, types = self.rng, _weighted(COUNTRIES), _weighted(TYPES)
        for i in range(self.n):
            org_id = self._uuid()
            country, partner_type = rng.choices(*countries)[0], rng.choices(*types)[0]
            first, middle = rng.choice(FIRST), rng.choice(MIDDLE)
            name = (rng.choice(CN_CITY) + rng.choice(CN_WORD) + rng.choice(CN_KIND)
                    if country == "CN" and rng.random() < 0.4
                    else f"{first} {middle} {rng.choice(SUFFIX)}")
            domain = f"{first.lower().replace(' ', '')}-{middle.lower()}{i}.example"
            contact = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
            activated = self.now - timedelta(days=DAYS * rng.random() ** 1.5,
                                             minutes=rng.uniform(1, 600))
            created = activated - timedelta(days=rng.uniform(3, 40))
            manager = None if rng.random() < 0.05 else rng.choice(self.seeded.staff)[0]
            application = {"company_name": name, "website": f"https://www.{domain}",
                           "country": country, "region": "", "partner_type": partner_type,
                           "contact_name": contact,
                           "contact_email": f"{contact.split()[0].lower()}.{i}@{domain}"}
            self.seeded.orgs.append((org_id, name, domain))
            self._plan(org_id, self.plan_of[partner_type], activated)
            yield (org_id, ids.application_reference(org_id), name, name.lower(), domain, country,
                   "", partner_type, "active", ids.onboarding_workflow_id(org_id), application,
                   [], "zh" if country == "CN" else "en", created, activated, activated, manager)

    def plans(self) -> Iterator[tuple]:
        yield from self._plan_rows

    def items(self) -> Iterator[tuple]:
        yield from self._item_rows

    def _plan(self, org_id: str, plan: EnablementPlan, activated: datetime) -> None:
        """The partner's item states, then the plan row's figures and stage as the workflow
        computes them (domain/enablement_rules: progress, stage_reached)."""
        rng, wf = self.rng, ids.enablement_workflow_id(org_id)
        # The longer active, the further along: a share of the plan's items done, in order.
        share = min(1.0, (self.now - activated).days / 240 * rng.uniform(0.4, 1.6))
        done_upto = round(len(plan.items) * share)
        items: dict[str, ItemState] = {}
        for position, item in enumerate(plan.items):
            state = ItemState(item.key, due_at=activated + item.due_after)
            if position < done_upto:
                state.status = ItemStatus.WAIVED if rng.random() < 0.03 else ItemStatus.DONE
                state.completed_at = min(self.now, state.due_at - timedelta(days=rng.uniform(0, 5)))
            elif all(items[p].status in SATISFIED for p in item.prerequisites):
                state.status = (ItemStatus.IN_REVIEW if item.review and rng.random() < 0.2
                                else ItemStatus.OPEN)
                if state.status is ItemStatus.OPEN and rng.random() < 0.3:
                    state.assignee_name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
            items[item.key] = state
        titles = {}
        if rng.random() < 0.05:  # a manager added a task to this partner's plan
            key, title = f"adhoc-{rng.getrandbits(32):08x}", rng.choice(AD_HOC_TITLES)
            items[key] = ItemState(key, ItemStatus.OPEN,
                                   due_at=self.now + timedelta(days=rng.uniform(-5, 20)),
                                   ad_hoc=PlanItem(key, ItemKind.CUSTOM, {"en": title},
                                                   ItemOwner.PARTNER_USER, plan.stages[-1].key,
                                                   required=False))
            titles[key] = title
        # Someone holds each certification whose item is done (its row is not the board's).
        held = [CertificationState(i.certification.cert_key, 0, "", activated,
                                   self.now + timedelta(days=200))
                for i in plan.items if i.certification and items[i.key].status is ItemStatus.DONE]
        figures = progress(plan, items, self.now)
        stage = stage_reached(plan, items, held, self.now)
        for position, (key, state) in enumerate(items.items()):
            item = state.ad_hoc or plan.item(key)
            under_way = state.status in (ItemStatus.OPEN, ItemStatus.IN_REVIEW)
            self._item_rows.append((
                f"{wf}--{key}", org_id, wf, key, item.kind.value, titles.get(key, ""), position,
                item.stage, item.owner.value, item.required, state.status.value, None,
                state.due_at if state.status is not ItemStatus.LOCKED else None,
                ids.task_id(wf, key) if under_way else None,
                0 if state.status is ItemStatus.LOCKED else 1, state.completed_at,
                "bench" if state.completed_at else "", "", {}, state.completed_at or activated))
        self.seeded.items += len(items)
        self.seeded.overdue += figures.overdue > 0
        self.seeded.stages[stage] = self.seeded.stages.get(stage, 0) + 1
        nxt = items[figures.next_key] if figures.next_key else None
        owner = "" if nxt is None else nxt.assignee_name or (nxt.ad_hoc or plan.item(nxt.key)).owner.value
        self._plan_rows.append((org_id, wf, plan.plan_id, plan.version, stage,
                                figures.required_total, figures.required_done, figures.percent,
                                figures.overdue, figures.next_due_at, figures.next_key, owner,
                                activated, self.now - timedelta(hours=rng.uniform(0, 200)),
                                len(items)))
