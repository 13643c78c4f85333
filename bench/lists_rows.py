"""The rows the lists bench seeds: organisations, staff and tasks, as a real program's would be.

Deterministic (one random.Random), so two runs seed the same data and their figures compare.
Rows are plain tuples in the table's column order (COLUMNS), JSON columns as Python values: the
loader (bench/lists_seed.py) copies them into PostgreSQL or inserts them into SQLite.

The shape, per 100 organisations: about 13 in progress (submitted, in review, more information,
agreement out, countersignature, awaiting the contact), the rest final (active about 62, rejected
16, expired 9); one in ten carries screening flags. Each has its onboarding tasks (a review, a
more-information round for some, the signature and the countersignature for those that got that
far). The tasks beyond those, to reach the count asked for, are deal registrations of active
partners, reviewed by the channel managers: a stand-in for the later lifecycles' volume, the kind
of task a PRM inbox holds most of. About 2% of them are open.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain import ids

ORG_COLUMNS = ("id", "reference", "name", "normalised_name", "domain", "country", "region",
               "partner_type", "status", "workflow_id", "application", "flags", "locale",
               "created_at", "updated_at", "activated_at")
USER_COLUMNS = ("id", "email", "name", "password_hash", "roles", "org_id", "active", "locale",
                "session_epoch", "created_at")
TASK_COLUMNS = ("id", "workflow_id", "task_type", "form", "title", "org_id", "status",
                "assignee_role", "assignee_org_id", "assignee_email", "claimed_by_id", "context",
                "due_at", "escalated", "reminders_sent", "created_at", "completed_at",
                "completed_by", "completed_request_id", "decision")

STAGES = {"submitted": 1, "in_review": 4, "more_info": 2, "agreement_out": 3, "countersign": 1.5,
          "awaiting_contact": 1.5, "active": 62, "rejected": 16, "expired": 9}
COUNTRIES = {"CN": 22, "US": 14, "DE": 8, "GB": 6, "JP": 6, "IN": 6, "FR": 4, "SG": 3, "AU": 3,
             "BR": 3, "KR": 3, "NL": 2, "CA": 2, "IT": 2, "ES": 2, "MX": 2, "HK": 2, "TW": 2,
             "SE": 1, "CH": 1, "PL": 1, "ID": 1, "VN": 1, "TH": 1, "MY": 1, "AE": 1, "ZA": 1}
TYPES = {"reseller": 50, "distributor": 15, "referral": 25, "agent": 10}
FIRST = ("Acme", "Nordic", "Pacific", "Summit", "Blue River", "Golden Gate", "Evergreen", "Apex",
         "Meridian", "Harbor", "Silverline", "Northwind", "Crescent", "Pioneer", "Atlas", "Orion",
         "Keystone", "Redwood", "Sterling", "Lakeside", "Vertex", "Horizon", "Cobalt", "Granite",
         "Sunrise", "Falcon", "Maple", "Beacon", "Quantum", "Riverside", "Eastern", "Jade")
MIDDLE = ("Cloudworks", "Systems", "Networks", "Data", "Software", "Solutions", "Integration",
          "Digital", "Logistics", "Analytics", "Security", "Telecom", "Automation", "Robotics",
          "Consulting", "Infotech", "Partners", "Devices", "Energy", "Medical")
SUFFIX = ("Ltd", "Inc.", "GmbH", "LLC", "Co., Ltd.", "S.A.", "B.V.", "Pte. Ltd.", "K.K.", "AG")
CN_CITY = ("上海", "北京", "深圳", "杭州", "广州", "成都", "南京", "苏州")
CN_WORD = ("华信", "中科", "云联", "博远", "金桥", "天成", "新创", "智达")
CN_KIND = ("科技有限公司", "信息技术有限公司", "网络科技有限公司", "贸易有限公司")
GIVEN = ("Wei", "Anna", "James", "Mei", "Lukas", "Sofia", "Hiroshi", "Priya", "Carlos", "Emma")
FAMILY = ("Li", "Wang", "Smith", "Müller", "Tanaka", "Sharma", "Garcia", "Chen", "Kim", "Brown")
FLAGS = ("duplicate_domain", "duplicate_name", "free_mail_domain", "email_domain_mismatch")
IN_PROGRESS = ("submitted", "in_review", "more_info", "agreement_out", "countersign",
               "awaiting_contact")
DEAL_TYPE, DEAL_FORM = "review_deal_registration", "deal_registration.v1"
YEARS = 3
DUE_AFTER = timedelta(days=7)


def _weighted(table: dict) -> tuple[list, list]:
    return list(table), list(table.values())


@dataclass(frozen=True, slots=True)
class Org:
    id: str
    reference: str
    name: str
    domain: str
    status: str
    email: str
    created: datetime
    activated: datetime | None

    @property
    def workflow_id(self) -> str:
        return ids.onboarding_workflow_id(self.id)


@dataclass
class Seeded:
    """What the rows were made of: the bench reads its search words and its signer from here."""

    orgs: list  # Org per organisation
    staff: list  # (id, name) of the channel managers, the first one the bench's signer
    open_tasks: int = 0


class Rows:
    def __init__(self, now: datetime, n_orgs: int, n_tasks: int, n_staff: int = 300,
                 password_hash: str | None = None, seed: int = 9) -> None:
        self.now, self.n_orgs, self.n_tasks, self.n_staff = now, n_orgs, n_tasks, n_staff
        self.password_hash = password_hash
        self.rng = random.Random(seed)
        self.seeded = Seeded([], [])

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # -- staff ------------------------------------------------------------------------------

    def users(self) -> Iterator[tuple]:
        """Channel managers (five in six), program leads and ops; id 1 is the bench's signer."""
        for i in range(1, self.n_staff + 1):
            role = "channel_manager" if i == 1 or i % 6 else ("program_lead" if i % 12 else "ops")
            name = f"{self.rng.choice(GIVEN)} {self.rng.choice(FAMILY)} {i}"
            if role == "channel_manager":
                self.seeded.staff.append((i, name))
            yield (i, f"staff-{i}@prm.example", name, self.password_hash if i == 1 else None,
                   [role], None, True, "en", 0, self.now - timedelta(days=YEARS * 365))

    # -- organisations ----------------------------------------------------------------------

    def organisations(self) -> Iterator[tuple]:
        rng, stages = self.rng, _weighted(STAGES)
        countries, types = _weighted(COUNTRIES), _weighted(TYPES)
        references: set[str] = set()
        for i in range(self.n_orgs):
            org_id = self._uuid()
            reference = ids.application_reference(org_id)
            while reference in references:  # 40 bits: a clash in 100,000 is rare, not impossible
                org_id = self._uuid()
                reference = ids.application_reference(org_id)
            references.add(reference)
            status = rng.choices(*stages)[0]
            country = rng.choices(*countries)[0]
            partner_type = rng.choices(*types)[0]
            first, middle = rng.choice(FIRST), rng.choice(MIDDLE)
            if country == "CN" and rng.random() < 0.4:
                name = rng.choice(CN_CITY) + rng.choice(CN_WORD) + rng.choice(CN_KIND)
            else:
                name = f"{first} {middle} {rng.choice(SUFFIX)}"
            domain = f"{first.lower().replace(' ', '')}-{middle.lower()}{i}.example"
            contact = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
            email = f"{contact.split()[0].lower()}.{i}@{domain}"
            days = rng.uniform(0, 9) if status in IN_PROGRESS else rng.uniform(30, YEARS * 365)
            created = self.now - timedelta(days=days)
            activated = (min(self.now, created + timedelta(days=rng.uniform(3, 45)))
                         if status == "active" else None)
            application = {"company_name": name, "website": f"https://www.{domain}",
                           "country": country, "region": "", "partner_type": partner_type,
                           "contact_name": contact, "contact_email": email,
                           "contact_phone": f"+1 555 {i % 10000:04d}",
                           "employees": rng.randint(2, 5000), "annual_revenue_band": "1m_10m",
                           "industries": ["technology"], "products": ["platform"], "message": ""}
            flags = self._flags() if rng.random() < 0.1 else []
            self.seeded.orgs.append(Org(org_id, reference, name, domain, status, email, created,
                                        activated))
            yield (org_id, reference, name, name.lower(), domain, country, "", partner_type, status,
                   ids.onboarding_workflow_id(org_id), application, flags,
                   "zh" if country == "CN" else "en", created, activated or created, activated)

    def _flags(self) -> list[dict]:
        earlier = self.seeded.orgs
        related = earlier[self.rng.randrange(len(earlier))].id if earlier else ""
        code = self.rng.choice(FLAGS)
        return [{"code": code, "message": code.replace("_", " "),
                 "related_org_id": related if code.startswith("duplicate") else ""}]

    # -- tasks ------------------------------------------------------------------------------

    def tasks(self) -> Iterator[tuple]:
        """Every organisation's onboarding tasks, then deal registrations up to the count."""
        made = 0
        for org in self.seeded.orgs:
            manager = self.rng.choice(self.seeded.staff)
            for row in self._onboarding(org, manager):
                if made == self.n_tasks:
                    return
                made += 1
                yield row
        active = [o for o in self.seeded.orgs if o.activated is not None]
        per_org: dict[str, int] = {}
        while active and made < self.n_tasks:
            # Skewed: a few partners register most deals, as in a real channel.
            org = active[int(len(active) * self.rng.random() ** 2)]
            per_org[org.id] = n = per_org.get(org.id, 0) + 1
            made += 1
            yield self._deal(org, n)

    def _onboarding(self, org: Org, manager: tuple[int, str]) -> Iterator[tuple]:
        """The steps workflows/onboarding.py opens, as far as the organisation's stage got."""
        rng, status, t = self.rng, org.status, org.created + timedelta(minutes=5)
        if status == "submitted":
            return
        review = f"Review application {org.reference}: {org.name}"
        if status == "in_review":
            yield self._staff_open(org, "review", "review_application", "review_decision.v1",
                                   review, t)
            return
        asked_more = status in ("more_info", "expired") or rng.random() < 0.15
        if asked_more:
            yield self._closed(org, "review", "review_application", "review_decision.v1", review, t,
                               manager, "more_info")
            t += timedelta(days=2)
            edit = ("more-info", "edit_application", "partner_application.v1",
                    f"Add the information requested for {org.reference}")
            if status == "more_info":
                yield self._partner_open(org, *edit, t)
                return
            yield self._closed(org, *edit, t, None, None, expired=status == "expired")
            if status == "expired":
                return
            t += timedelta(days=2)
        decision = "reject" if status == "rejected" else "approve"
        yield self._closed(org, "review", "review_application", "review_decision.v1", review, t,
                           manager, decision, attempt=2 if asked_more else 1)
        if status == "rejected":
            return
        t += timedelta(days=1)
        sign = ("sign", "sign_agreement", "sign_agreement.v1",
                f"Sign Partner agreement: {org.name}")
        if status == "agreement_out":
            yield self._partner_open(org, *sign, t)
            return
        yield self._closed(org, *sign, t, None, None)
        t += timedelta(days=2)
        counter = ("countersign", "countersign", "countersign.v1",
                   f"Countersign Partner agreement: {org.name}")
        if status == "countersign":
            yield self._staff_open(org, *counter, t)
            return
        yield self._closed(org, *counter, t, manager, "countersign")

    def _deal(self, org: Org, n: int) -> tuple:
        wf = f"deal-registration-{org.id}-{n}"
        span = (self.now - org.activated).total_seconds()
        created = org.activated + timedelta(seconds=self.rng.uniform(0, span))
        title = f"Review deal registration {n} of {org.reference}: {org.name}"
        if self.now - created < timedelta(days=10) and self.rng.random() < 0.4:
            return self._staff_open(org, "review", DEAL_TYPE, DEAL_FORM, title, created, wf=wf)
        return self._closed(org, "review", DEAL_TYPE, DEAL_FORM, title, created,
                            self.rng.choice(self.seeded.staff),
                            "approve" if self.rng.random() < 0.75 else "reject", wf=wf)

    def _row(self, org: Org, step: str, task_type: str, form: str, title: str, created: datetime,
             *, wf: str | None = None, attempt: int = 1, **fields) -> tuple:
        wf = wf or org.workflow_id
        created = min(created, self.now - timedelta(minutes=1))  # later steps of a recent one
        values = {"id": ids.task_id(wf, step, attempt), "workflow_id": wf, "task_type": task_type,
                  "form": form, "title": title, "org_id": org.id, "status": "open",
                  "assignee_role": None, "assignee_org_id": None, "assignee_email": None,
                  "claimed_by_id": None, "context": {"reference": org.reference},
                  "due_at": created + DUE_AFTER, "escalated": False, "reminders_sent": 0,
                  "created_at": created, "completed_at": None, "completed_by": None,
                  "completed_request_id": None, "decision": None, **fields}
        return tuple(values[c] for c in TASK_COLUMNS)

    def _staff_open(self, org: Org, step: str, task_type: str, form: str, title: str,
                    created: datetime, **kw) -> tuple:
        """Open in the channel managers' queue; two in five claimed; overdue ones escalated to the
        program leads one time in three."""
        self.seeded.open_tasks += 1
        fields: dict = {"assignee_role": "channel_manager"}
        if created + DUE_AFTER < self.now and self.rng.random() < 0.33:
            fields.update(assignee_role="program_lead", escalated=True, reminders_sent=2,
                          context={"reference": org.reference, "escalated_to": "program_lead"})
        elif self.rng.random() < 0.4:
            fields.update(status="claimed", claimed_by_id=self.rng.choice(self.seeded.staff)[0])
        return self._row(org, step, task_type, form, title, created, **fields, **kw)

    def _partner_open(self, org: Org, step: str, task_type: str, form: str, title: str,
                      created: datetime) -> tuple:
        self.seeded.open_tasks += 1
        return self._row(org, step, task_type, form, title, created, assignee_org_id=org.id,
                         assignee_email=org.email)

    def _closed(self, org: Org, step: str, task_type: str, form: str, title: str,
                created: datetime, manager: tuple[int, str] | None, decision: str | None, *,
                expired: bool = False, **kw) -> tuple:
        done = created + timedelta(hours=self.rng.uniform(2, 120))
        if done >= self.now:  # a recent one: done by now, at its own moment (not all at once)
            done = created + (self.now - created) * self.rng.random()
        if manager is None:  # a partner's task: its organisation completes it
            return self._row(org, step, task_type, form, title, created,
                             status="expired" if expired else "done", assignee_org_id=org.id,
                             assignee_email=org.email, completed_at=done,
                             completed_by=None if expired else org.email, **kw)
        return self._row(org, step, task_type, form, title, created, status="done",
                         assignee_role="channel_manager", claimed_by_id=manager[0],
                         completed_at=done, completed_by=manager[1],
                         completed_request_id=f"bench-{self.rng.getrandbits(64):x}",
                         decision=decision, **kw)
